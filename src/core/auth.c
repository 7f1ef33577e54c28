/*
 * Password + TOTP login. The slow work (argon2id) runs outside any
 * transaction; the outcome (TOTP step advance, session, throttle counters,
 * audit record) is written in one transaction afterwards.
 */
#include "core/auth.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/audit.h"
#include "util/errors.h"
#include "core/password.h"
#include "core/session.h"
#include "core/throttle.h"
#include "crypto/totp.h"
#include "util/log.h"

int
auth_normalize_email(const char *in, char *out, size_t outsz)
{
	size_t len;
	size_t at = 0;
	int n_at = 0;

	while (*in == ' ' || *in == '\t')
		in++;
	len = strlen(in);
	while (len > 0 && (in[len - 1] == ' ' || in[len - 1] == '\t'))
		len--;
	if (len < 3 || len > 254 || len >= outsz)
		return -GH_BAD_FIELD;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)in[i];

		if (ch <= 0x20 || ch == 0x7f || ch == '<' || ch == '>' ||
		    ch == ',' || ch == ';' || ch == '"' || ch == '\\')
			return -GH_BAD_FIELD;
		if (ch == '@') {
			n_at++;
			at = i;
		}
		out[i] = (char)(ch < 0x80 ? tolower(ch) : ch);
	}
	out[len] = '\0';
	if (n_at != 1 || at == 0 || at == len - 1 ||
	    strchr(out + at, '.') == NULL)
		return -GH_BAD_FIELD;
	return 0;
}

struct outcome {
	struct app *app;
	const struct login_req *req;
	const char *acct_key;
	const char *ip_key;
	struct account *acct; /* NULL when the name is unknown */
	const char *why;      /* failure reason for the audit log */
	int64_t step;
	const char *new_hash; /* rehash, or NULL */
	struct login_ok *ok;
};

static void
principal(const struct outcome *o, char *buf, size_t bufsz)
{
	if (o->acct != NULL)
		snprintf(buf, bufsz, "%s:%lld", realm_name(o->req->realm),
			 (long long)o->acct->id);
	else
		snprintf(buf, bufsz, "%s:unknown", realm_name(o->req->realm));
}

static int
tx_failure(struct store_conn *c, void *cls)
{
	struct outcome *o = cls;
	int64_t now = (int64_t)time(NULL);
	char who[48];
	int rc;

	rc = throttle_fail(o->app, c, o->acct_key, 1, now);
	if (rc == 0)
		rc = throttle_fail(o->app, c, o->ip_key, 0, now);
	if (rc < 0)
		return rc;
	principal(o, who, sizeof(who));
	return audit_log(o->app, c,
			 &(struct audit_ev){
				 .actor = "anonymous",
				 .action = "auth.login",
				 .target = who,
				 .outcome = "failure",
				 .ip = o->req->ip,
				 .request_id = o->req->request_id,
				 .detail = json_pack("{s:s}", "reason", o->why),
			 });
}

static int
tx_success(struct store_conn *c, void *cls)
{
	struct outcome *o = cls;
	const struct login_req *req = o->req;
	char who[48];
	int rc;

	if (o->acct->totp_enrolled) {
		rc = c->ops->account_advance_totp(c, req->realm, o->acct->id,
						  o->step);
		if (rc < 0)
			return rc; /* -GH_CONFLICT: a replayed code */
	}
	if (o->new_hash != NULL) {
		rc = c->ops->account_set_pw_hash(c, req->realm, o->acct->id,
						 o->new_hash);
		if (rc < 0)
			return rc;
	}
	rc = throttle_clear(c, o->acct_key);
	if (rc < 0)
		return rc;
	rc = session_create(o->app, c, req->realm, o->acct->id,
			    o->acct->totp_enrolled, req->ip, o->ok->token,
			    o->ok->csrf);
	if (rc < 0)
		return rc;
	principal(o, who, sizeof(who));
	return audit_log(o->app, c,
			 &(struct audit_ev){
				 .actor = who,
				 .action = "auth.login",
				 .target = who,
				 .outcome = "success",
				 .ip = req->ip,
				 .request_id = req->request_id,
				 .detail = json_pack("{s:s, s:b}", "factors",
						     o->acct->totp_enrolled
							     ? "password+totp"
							     : "password (enrolment only)",
						     "rehashed",
						     o->new_hash != NULL),
			 });
}

/* Opens the sealed TOTP seed of acct. *seed is a crypto secret. */
static int
open_seed(struct app *app, enum realm realm, const char *login,
	  const struct account *acct, char **seed, size_t *len)
{
	char ad[300];

	snprintf(ad, sizeof(ad), "%s.totp:%s", realm_name(realm), login);
	return crypto_open(app->keys, ad, acct->totp_seed.data,
			   acct->totp_seed.len, seed, len);
}

int
auth_login(struct app *app, struct store_conn *c, const struct login_req *req,
	   struct login_ok *out, int64_t *retry_after)
{
	char email[256];
	char login[256];
	char acct_key[80];
	char ip_key[80];
	char new_hash[CRYPTO_PWHASH_BYTES];
	struct account acct;
	struct outcome o;
	char *norm = NULL;
	size_t norm_len = 0;
	char *seed = NULL;
	size_t seed_len = 0;
	int64_t now = (int64_t)time(NULL);
	int have_acct = 0;
	int pw_ok = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&acct, 0, sizeof(acct));
	memset(&o, 0, sizeof(o));
	*retry_after = 0;

	/* A malformed e-mail still costs a hash and counts as a failure
	 * against the address, like any other wrong name. */
	if (auth_normalize_email(req->email, email, sizeof(email)) < 0)
		snprintf(email, sizeof(email), "invalid");
	if (req->realm == REALM_CUSTOMER)
		crypto_index(app->keys, "customer.email", email, strlen(email),
			     login);
	else
		snprintf(login, sizeof(login), "%s", email);
	throttle_account_key(app, req->realm, email, acct_key, sizeof(acct_key));
	throttle_ip_key(req->ip, ip_key, sizeof(ip_key));

	rc = throttle_check(c, acct_key, now, retry_after);
	if (rc == 0)
		rc = throttle_check(c, ip_key, now, retry_after);
	if (rc < 0) {
		log_event(LOG_WARN, "auth.throttled",
			  json_pack("{s:s, s:s, s:I}", "realm",
				    realm_name(req->realm), "request_id",
				    req->request_id,
				    "retry_after", (json_int_t)*retry_after));
		return rc;
	}

	rc = c->ops->account_by_login(c, req->realm, login, &acct);
	if (rc < 0 && rc != -GH_NOT_FOUND)
		return rc;
	have_acct = rc == 0;

	o.app = app;
	o.req = req;
	o.acct_key = acct_key;
	o.ip_key = ip_key;
	o.acct = have_acct ? &acct : NULL;
	o.ok = out;
	o.why = "unknown account";

	if (password_normalize(req->password, req->password_len, &norm,
			       &norm_len) < 0) {
		/* Cannot match any stored hash; spend the same time. */
		crypto_pw_verify(app->dummy_hash, "x", 1);
		if (have_acct)
			o.why = "malformed password";
		goto fail;
	}
	if (!have_acct) {
		crypto_pw_verify(app->dummy_hash, norm, norm_len);
		goto fail;
	}
	pw_ok = crypto_pw_verify(acct.pw_hash, norm, norm_len) == 0;
	if (!pw_ok) {
		o.why = "wrong password";
		goto fail;
	}
	if (acct.disabled) {
		o.why = "account disabled";
		goto fail;
	}
	if (!acct.totp_enrolled) {
		/* Invited account: password alone opens an enrolment-only
		 * session, and only when no code is offered. */
		if (req->code != NULL && req->code[0] != '\0') {
			o.why = "code for an account without authenticator";
			goto fail;
		}
		out->enrollment_required = 1;
	} else {
		if (open_seed(app, req->realm, login, &acct, &seed, &seed_len) <
		    0) {
			LOG_BUG("TOTP seed does not open");
			o.why = "seed unreadable";
			goto fail;
		}
		o.step = req->code == NULL
				 ? -1
				 : totp_check((const unsigned char *)seed,
					      seed_len, time(NULL), req->code);
		if (o.step < 0) {
			o.why = "wrong code";
			goto fail;
		}
	}
	if (crypto_pw_needs_rehash(acct.pw_hash, &app->pw_params) == 1 &&
	    crypto_pw_hash(norm, norm_len, &app->pw_params, new_hash) == 0)
		o.new_hash = new_hash;

	snprintf(out->role, sizeof(out->role), "%s", acct.role);
	out->id = acct.id;
	rc = store_transact(c, tx_success, &o);
	if (rc < 0)
		out->enrollment_required = 0;
	if (rc == 0)
		goto out;
	if (rc != -GH_CONFLICT)
		goto out;
	o.why = "replayed code";
fail:
	memset(out, 0, sizeof(*out));
	rc = store_transact(c, tx_failure, &o);
	if (rc == 0)
		rc = -GH_LOGIN_FAILED;
	log_event(LOG_INFO, "auth.login_failed",
		  json_pack("{s:s, s:s}", "realm", realm_name(req->realm),
			    "request_id", req->request_id));
out:
	crypto_secret_free(norm);
	crypto_secret_free(seed);
	crypto_wipe(new_hash, sizeof(new_hash));
	account_clear(&acct);
	return rc;
}

struct logout_ctx {
	struct app *app;
	const char *token_hash;
	const char *who;
	const char *ip;
	const char *request_id;
};

static int
tx_logout(struct store_conn *c, void *cls)
{
	struct logout_ctx *l = cls;
	int rc = session_destroy(l->app, c, l->token_hash);

	if (rc < 0)
		return rc;
	return audit_log(l->app, c,
			 &(struct audit_ev){.actor = l->who,
					    .action = "auth.logout",
					    .target = l->who,
					    .outcome = "success",
					    .ip = l->ip,
					    .request_id = l->request_id});
}

int
auth_logout(struct app *app, struct store_conn *c, enum realm realm,
	    int64_t id, const char *token_hash, const char *ip,
	    const char *request_id)
{
	char who[48];
	struct logout_ctx l = {app, token_hash, who, ip, request_id};

	snprintf(who, sizeof(who), "%s:%lld", realm_name(realm), (long long)id);
	return store_transact(c, tx_logout, &l);
}

/* --- authenticator enrolment ------------------------------------------- */

struct enroll_ctx {
	struct app *app;
	enum realm realm;
	int64_t id;
	const char *ip;
	const char *request_id;
	struct blob seed;   /* sealed */
	int64_t step;
	const char *token_hash;
	struct login_ok *ok;
	int confirm;
};

static int
tx_enroll(struct store_conn *c, void *cls)
{
	struct enroll_ctx *x = cls;
	char who[48];
	int rc;

	snprintf(who, sizeof(who), "%s:%lld", realm_name(x->realm),
		 (long long)x->id);
	rc = c->ops->account_set_totp(c, x->realm, x->id, &x->seed,
				      x->confirm);
	if (rc < 0)
		return rc;
	if (x->confirm) {
		rc = c->ops->account_advance_totp(c, x->realm, x->id, x->step);
		if (rc == 0)
			rc = session_destroy(x->app, c, x->token_hash);
		if (rc == 0)
			rc = session_create(x->app, c, x->realm, x->id, 1, x->ip,
					    x->ok->token, x->ok->csrf);
		if (rc < 0)
			return rc;
	}
	return audit_log(x->app, c,
			 &(struct audit_ev){
				 .actor = who,
				 .action = x->confirm ? "auth.totp_enrolled"
						      : "auth.totp_enrolment_started",
				 .target = who,
				 .outcome = "success",
				 .ip = x->ip,
				 .request_id = x->request_id,
			 });
}

static int
load_pending(struct store_conn *c, enum realm realm, int64_t id,
	     struct account *a)
{
	int rc = c->ops->account_by_id(c, realm, id, a);

	if (rc < 0)
		return rc == -GH_NOT_FOUND ? -GH_SESSION_REQUIRED : rc;
	if (a->totp_enrolled || a->disabled) {
		account_clear(a);
		return -GH_BAD_STATE;
	}
	return 0;
}

int
auth_enroll_begin(struct app *app, struct store_conn *c, enum realm realm,
		  int64_t id, const char *ip, const char *request_id,
		  char *secret_out, char **uri_out, char **svg_out)
{
	unsigned char secret[TOTP_SECRET_BYTES];
	struct enroll_ctx x;
	struct account a;
	char ad[300];
	char label[64];
	int rc;

	*uri_out = NULL;
	*svg_out = NULL;
	memset(&x, 0, sizeof(x));
	rc = load_pending(c, realm, id, &a);
	if (rc < 0)
		return rc;
	totp_secret_new(secret);
	snprintf(ad, sizeof(ad), "%s.totp:%s", realm_name(realm), a.login);
	rc = -GH_INTERNAL;
	if (crypto_seal(app->keys, ad, secret, sizeof(secret), &x.seed.data,
			&x.seed.len) < 0)
		goto out;
	x = (struct enroll_ctx){app, realm, id, ip, request_id, x.seed, 0,
				NULL, NULL, 0};
	rc = store_transact(c, tx_enroll, &x);
	if (rc < 0)
		goto out;
	rc = -GH_INTERNAL;
	if (totp_secret_base32(secret, sizeof(secret), secret_out,
			       TOTP_B32_CHARS + 1) < 0)
		goto out;
	/* The label names the account without personal data. */
	snprintf(label, sizeof(label), "%s %lld", realm_name(realm),
		 (long long)id);
	*uri_out = totp_uri(app->cfg.company_name, label, secret_out);
	*svg_out = *uri_out != NULL ? totp_qr_svg(*uri_out) : NULL;
	if (*svg_out == NULL) {
		free(*uri_out);
		*uri_out = NULL;
		goto out;
	}
	rc = 0;
out:
	crypto_wipe(secret, sizeof(secret));
	blob_clear(&x.seed);
	account_clear(&a);
	return rc;
}

int
auth_enroll_confirm(struct app *app, struct store_conn *c, enum realm realm,
		    int64_t id, const char *token_hash, const char *code,
		    const char *ip, const char *request_id,
		    struct login_ok *out, int64_t *retry_after)
{
	struct enroll_ctx x;
	struct account a;
	char key[80];
	char *seed = NULL;
	size_t seed_len = 0;
	int64_t now = (int64_t)time(NULL);
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&x, 0, sizeof(x));
	*retry_after = 0;
	rc = load_pending(c, realm, id, &a);
	if (rc < 0)
		return rc;
	snprintf(key, sizeof(key), "enroll:%s:%lld", realm_name(realm),
		 (long long)id);
	rc = throttle_check(c, key, now, retry_after);
	if (rc < 0)
		goto out;
	rc = open_seed(app, realm, a.login, &a, &seed, &seed_len);
	if (rc < 0) {
		rc = -GH_INTERNAL;
		goto out;
	}
	x = (struct enroll_ctx){app, realm, id, ip, request_id, a.totp_seed, 0,
				token_hash, out, 1};
	x.step = totp_check((const unsigned char *)seed, seed_len, time(NULL),
			    code);
	if (x.step < 0) {
		rc = throttle_fail(app, c, key, 1, now);
		rc = rc < 0 ? rc : -GH_BAD_CODE;
		goto out;
	}
	out->id = id;
	rc = store_transact(c, tx_enroll, &x);
	if (rc == 0)
		throttle_clear(c, key);
out:
	crypto_secret_free(seed);
	account_clear(&a);
	return rc;
}
