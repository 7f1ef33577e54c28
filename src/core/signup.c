/*
 * Self sign-up (see core/signup.h): the proof link, then the account.
 * The link is mailed to the address as typed; the account is created
 * only when the same address comes back with the link's token (its
 * blind index is what the link's row keeps), with a name and a password
 * checked and hashed on a worker.
 *
 * Invariant: the answer to step one does not depend on whether the
 * address has an account; an account is created with no authenticator,
 * so its first session can only enrol one; the account, the link used,
 * the first session and their audit records are written in one
 * transaction (all or none: a failure leaves the link live and no
 * account behind).
 */
#include "core/signup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/accounts.h"
#include "core/audit.h"
#include "core/password.h"
#include "core/self_int.h"
#include "core/session.h"
#include "core/throttle.h"
#include "util/errors.h"

int
signup_enabled(const struct app *app)
{
	return strcmp(app->cfg.portal_signup, "on") == 0;
}

/* The client address's key for sign-up ("signup:ip:..."), reserved. */
static int
reserve_ip(struct app *app, struct store_conn *c, const char *ip,
	   int64_t now, int64_t *retry_after)
{
	char ipk[80], key[96];
	struct throttle_claim claim = {.key = key, .kind = THROTTLE_ADDRESS};

	throttle_ip_key(ip, ipk, sizeof(ipk));
	snprintf(key, sizeof(key), "signup:%s", ipk);
	return throttle_reserve(app, c, &claim, 1, now, retry_after);
}

struct request_ctx {
	struct app *app;
	const char *email;
	const char *idx;
	const char *ip;
	const char *request_id;
	int64_t now;
};

/* The link, unless the address has an account or got enough links. */
static int
maybe_mail(struct store_conn *c, struct request_ctx *x, int *sent)
{
	struct app *app = x->app;
	char token[CRYPTO_TOKEN_CHARS + 1], hash[CRYPTO_HASH_HEX];
	struct account a;
	int64_t recent = 0;
	int rc = c->ops->account_by_login(c, REALM_CUSTOMER, x->idx, &a);

	*sent = 0;
	if (rc == 0)
		account_clear(&a);
	if (rc != -GH_NOT_FOUND)
		return rc;
	rc = c->ops->self.tokens_since(c, "signup", 0, x->idx, x->now - 3600,
				       &recent);
	if (rc < 0 || recent >= app->cfg.portal_reset_mails_per_hour)
		return rc;
	crypto_token_new(token);
	crypto_token_hash(app->keys, token, hash);
	rc = c->ops->self.token_insert(
		c, &(struct portal_token_new){
			   .hash = hash,
			   .kind = "signup",
			   .email_idx = x->idx,
			   .now = x->now,
			   .expires_at = x->now +
					 app->cfg.portal_reset_minutes * 60});
	if (rc == 0)
		rc = self_signup_mail(app, c, x->email, token,
				      app->cfg.portal_reset_minutes, x->now);
	crypto_wipe(token, sizeof(token));
	*sent = rc == 0;
	return rc;
}

static int
tx_request(struct store_conn *c, void *cls)
{
	struct request_ctx *x = cls;
	int sent = 0;
	int rc = maybe_mail(c, x, &sent);

	if (rc < 0)
		return rc;
	return audit_log(x->app, c,
			 &(struct audit_ev){.actor = "anonymous",
					    .action = "portal.signup.requested",
					    .target = NULL,
					    .outcome = sent ? "success" : "denied",
					    .ip = x->ip,
					    .request_id = x->request_id});
}

int
signup_request(struct app *app, struct store_conn *c, const char *email,
	       const char *ip, const char *request_id, int64_t now,
	       int64_t *retry_after)
{
	char norm[256], idx[CRYPTO_HASH_HEX];
	struct request_ctx x = {app, norm, idx, ip, request_id, now};
	int rc;

	*retry_after = 0;
	if (!signup_enabled(app))
		return -GH_NOT_FOUND;
	if (auth_normalize_email(email, norm, sizeof(norm)) < 0)
		return -GH_BAD_FIELD;
	rc = reserve_ip(app, c, ip, now, retry_after);
	if (rc < 0)
		return rc;
	crypto_index(app->keys, "customer.email", norm, strlen(norm), idx);
	rc = store_transact(c, tx_request, &x);
	crypto_wipe(norm, sizeof(norm));
	return rc;
}

struct signup_job {
	struct app *app;
	struct signup_req q;      /* strings borrowed until finish */
	char email[256];          /* normalised */
	char hash[CRYPTO_HASH_HEX]; /* the link's token hash */
	char pw_hash[CRYPTO_PWHASH_BYTES];
	int check_rc;
	const char *reason;
	int64_t now;
	int64_t id;
	struct login_ok *ok;
};

void
signup_free(struct signup_job *x)
{
	if (x == NULL)
		return;
	crypto_wipe(x->pw_hash, sizeof(x->pw_hash));
	crypto_wipe(x->email, sizeof(x->email));
	free(x);
}

/* The live link for this very address. */
static int
load_link(struct store_conn *c, struct signup_job *x)
{
	struct portal_token_rec t;
	char idx[CRYPTO_HASH_HEX];
	int rc;

	if (auth_normalize_email(x->q.email, x->email, sizeof(x->email)) < 0)
		return -GH_LINK_INVALID;
	crypto_index(x->app->keys, "customer.email", x->email,
		     strlen(x->email), idx);
	crypto_token_hash(x->app->keys, x->q.token, x->hash);
	rc = c->ops->self.token_get(c, x->hash, "signup", x->now, &t);
	if (rc == -GH_NOT_FOUND ||
	    (rc == 0 && strcmp(t.email_idx, idx) != 0))
		return -GH_LINK_INVALID;
	return rc;
}

int
signup_begin(struct app *app, struct store_conn *c,
	     const struct signup_req *q, int64_t now, struct signup_job **out,
	     int64_t *retry_after)
{
	struct signup_job *x;
	int rc;

	*out = NULL;
	*retry_after = 0;
	if (!signup_enabled(app))
		return -GH_NOT_FOUND;
	rc = reserve_ip(app, c, q->ip, now, retry_after);
	if (rc < 0)
		return rc;
	x = calloc(1, sizeof(*x));
	if (x == NULL)
		return -GH_INTERNAL;
	x->app = app;
	x->q = *q;
	x->now = now;
	rc = load_link(c, x);
	if (rc < 0)
		signup_free(x);
	else
		*out = x;
	return rc;
}

void
signup_check(struct signup_job *x)
{
	const char *context[5];
	char local[256];
	char *norm = NULL;
	size_t len = 0;

	if (password_normalize(x->q.password, x->q.password_len, &norm,
			       &len) < 0) {
		x->reason = "The password must be valid text of at most 256 "
			    "characters.";
		x->check_rc = -GH_WEAK_PASSWORD;
		return;
	}
	snprintf(local, sizeof(local), "%s", x->email);
	local[strcspn(local, "@")] = '\0';
	context[0] = local;
	context[1] = x->q.name;
	context[2] = x->app->cfg.company_name;
	context[3] = "gatehouse";
	context[4] = NULL;
	x->check_rc = password_check(&x->app->pw_policy, norm, context,
				     &x->reason);
	if (x->check_rc == 0 && crypto_pw_hash(norm, len, &x->app->pw_params,
					       x->pw_hash) < 0)
		x->check_rc = -GH_INTERNAL;
	crypto_secret_free(norm);
}

/* In the transaction that creates the account id: the link used (a
 * link used meanwhile undoes the account), the first session, audited. */
static int
confirmed_in_tx(struct store_conn *c, int64_t id, void *cls)
{
	struct signup_job *x = cls;
	char who[48];
	int rc = c->ops->self.token_use(c, x->hash, x->now);

	if (rc == -GH_CONFLICT)
		return -GH_LINK_INVALID;
	x->id = id;
	if (rc == 0)
		rc = session_create(x->app, c, REALM_CUSTOMER, id, 0, x->q.ip,
				    x->ok->token, x->ok->csrf);
	if (rc < 0)
		return rc;
	self_principal(id, who, sizeof(who));
	return audit_log(x->app, c,
			 &(struct audit_ev){.actor = who,
					    .action = "portal.signup.confirmed",
					    .target = who,
					    .outcome = "success",
					    .ip = x->q.ip,
					    .request_id = x->q.request_id});
}

int
signup_finish(struct store_conn *c, struct signup_job *x,
	      struct signup_result *res)
{
	struct account_created made;
	int rc = x->check_rc;

	memset(res, 0, sizeof(*res));
	if (rc < 0) {
		res->field = "password";
		res->reason = x->reason;
		return rc;
	}
	x->ok = &res->ok;
	rc = accounts_create(x->app, c,
			     &(struct account_new){.realm = REALM_CUSTOMER,
						   .email = x->email,
						   .name = x->q.name,
						   .pw_hash = x->pw_hash,
						   .actor = "anonymous",
						   .enroll_in_portal = 1,
						   .in_tx = confirmed_in_tx,
						   .in_tx_cls = x},
			     &made, &res->field, &res->reason);
	crypto_wipe(made.totp_secret, sizeof(made.totp_secret));
	free(made.otpauth_uri);
	if (rc < 0) {
		memset(&res->ok, 0, sizeof(res->ok));
		return rc;
	}
	res->ok.id = made.id;
	res->ok.enrollment_required = 1;
	return 0;
}
