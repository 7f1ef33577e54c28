/*
 * Login with a recovery code and the new authenticator it leads to (see
 * core/recovery.h). The login's transaction (core/auth.c) uses the code
 * up and ties the session it opens to a row of recovery_enrolments; only
 * that session may then set up a new authenticator. Starting replaces
 * the lost secret with a new one at once (sealed where every secret is,
 * so key rotation covers it) and the account stays enrolled, so a
 * password alone never opens more than it did before; a code of the new
 * secret then ends the recovery session and opens a full one.
 *
 * Invariant: only the session a recovery login opened can replace the
 * secret, and only while its row exists; confirming deletes the row.
 */
#include "core/recovery.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/audit.h"
#include "core/self_int.h"
#include "core/session.h"
#include "core/throttle.h"
#include "crypto/totp.h"
#include "util/errors.h"

int
recovery_login_tx(struct app *app, struct store_conn *c, int64_t customer_id,
		  int64_t code_id, const char *session_token, const char *ip,
		  const char *request_id, int64_t now)
{
	struct reenrol_rec r;
	char who[48];
	int64_t left = 0;
	int rc;

	memset(&r, 0, sizeof(r));
	rc = c->ops->self.code_use(c, customer_id, code_id, now);
	if (rc < 0)
		return rc;
	r.customer_id = customer_id;
	r.created_at = now;
	crypto_token_hash(app->keys, session_token, r.token_hash);
	rc = c->ops->self.reenrol_put(c, &r);
	if (rc == 0)
		rc = c->ops->self.codes_count(c, customer_id, &left);
	if (rc == 0)
		rc = self_notice(app, c, customer_id, SELF_NOTICE_RECOVERY_USED,
				 now);
	if (rc < 0)
		return rc;
	self_principal(customer_id, who, sizeof(who));
	return audit_log(app, c,
			 &(struct audit_ev){
				 .actor = who,
				 .action = "auth.recovery_code_used",
				 .target = who,
				 .outcome = "success",
				 .ip = ip,
				 .request_id = request_id,
				 .detail = json_pack("{s:I}", "codes_left",
						     (json_int_t)left),
			 });
}

/* The account and its pending row, when token_hash is the session the
 * recovery login opened. */
static int
load_recovery(struct store_conn *c, int64_t id, const char *token_hash,
	      struct account *a, struct reenrol_rec *r)
{
	int rc = c->ops->self.reenrol_get(c, id, r);

	if (rc == -GH_NOT_FOUND)
		return -GH_BAD_STATE;
	if (rc < 0)
		return rc;
	if (strcmp(r->token_hash, token_hash) != 0)
		return -GH_BAD_STATE;
	rc = c->ops->account_by_id(c, REALM_CUSTOMER, id, a);
	if (rc == 0 && a->disabled) {
		account_clear(a);
		rc = -GH_BAD_STATE;
	}
	return rc == -GH_NOT_FOUND ? -GH_SESSION_REQUIRED : rc;
}

static int
audit_enrol(struct app *app, struct store_conn *c, int64_t id,
	    const char *action, const char *ip, const char *request_id)
{
	char who[48];

	self_principal(id, who, sizeof(who));
	return audit_log(app, c,
			 &(struct audit_ev){.actor = who,
					    .action = action,
					    .target = who,
					    .outcome = "success",
					    .ip = ip,
					    .request_id = request_id});
}

/* The secret's URI and QR code, as auth_enroll_begin gives them. */
static int
present(struct app *app, int64_t id, const unsigned char *secret,
	char *secret_out, char **uri_out, char **svg_out)
{
	char label[64];

	if (totp_secret_base32(secret, TOTP_SECRET_BYTES, secret_out,
			       TOTP_B32_CHARS + 1) < 0)
		return -GH_INTERNAL;
	snprintf(label, sizeof(label), "customer %lld", (long long)id);
	*uri_out = totp_uri(app->cfg.company_name, label, secret_out);
	*svg_out = *uri_out != NULL ? totp_qr_svg(*uri_out) : NULL;
	if (*svg_out == NULL) {
		free(*uri_out);
		*uri_out = NULL;
		return -GH_INTERNAL;
	}
	return 0;
}

struct begin_ctx {
	struct app *app;
	struct reenrol_rec *r;
	const struct blob *seed;
	const char *ip;
	const char *request_id;
};

/* The new secret replaces the lost one at once (the account stays
 * enrolled: a password alone still opens nothing). */
static int
tx_begin(struct store_conn *c, void *cls)
{
	struct begin_ctx *x = cls;
	int64_t id = x->r->customer_id;
	int rc = c->ops->account_set_totp(c, REALM_CUSTOMER, id, x->seed, 1);

	x->r->started = 1;
	if (rc == 0)
		rc = c->ops->self.reenrol_put(c, x->r);
	if (rc < 0)
		return rc;
	return audit_enrol(x->app, c, id, "auth.totp_reenrolment_started",
			   x->ip, x->request_id);
}

int
recovery_enroll_begin(struct app *app, struct store_conn *c, int64_t id,
		      const char *token_hash, const char *ip,
		      const char *request_id, char *secret_out,
		      char **uri_out, char **svg_out)
{
	unsigned char secret[TOTP_SECRET_BYTES];
	struct blob seed = {NULL, 0};
	struct reenrol_rec r;
	struct account a;
	char ad[300];
	int rc;

	*uri_out = NULL;
	*svg_out = NULL;
	memset(&a, 0, sizeof(a));
	rc = load_recovery(c, id, token_hash, &a, &r);
	if (rc < 0)
		return rc;
	totp_secret_new(secret);
	snprintf(ad, sizeof(ad), "customer.totp:%s", a.login);
	rc = -GH_INTERNAL;
	if (crypto_seal(app->keys, ad, secret, sizeof(secret), &seed.data,
			&seed.len) < 0)
		goto out;
	rc = store_transact(c, tx_begin,
			    &(struct begin_ctx){app, &r, &seed, ip,
						request_id});
	if (rc == 0)
		rc = present(app, id, secret, secret_out, uri_out, svg_out);
out:
	crypto_wipe(secret, sizeof(secret));
	blob_clear(&seed);
	account_clear(&a);
	return rc;
}

struct confirm_ctx {
	struct app *app;
	int64_t id;
	const struct reenrol_rec *r;
	int64_t step;
	const char *ip;
	const char *request_id;
	struct login_ok *ok;
};

static int
tx_confirm(struct store_conn *c, void *cls)
{
	struct confirm_ctx *x = cls;
	int rc;

	rc = c->ops->account_advance_totp(c, REALM_CUSTOMER, x->id, x->step);
	if (rc == 0)
		rc = c->ops->self.reenrol_delete(c, x->id);
	if (rc == 0)
		rc = session_destroy(x->app, c, x->r->token_hash);
	if (rc == 0)
		rc = session_create(x->app, c, REALM_CUSTOMER, x->id, 1, x->ip,
				    x->ok->token, x->ok->csrf);
	if (rc < 0)
		return rc;
	return audit_enrol(x->app, c, x->id, "auth.totp_reenrolled", x->ip,
			   x->request_id);
}

/* The code against the account's (new) secret: its step, or -1. */
static int64_t
check_code(struct app *app, const struct account *a, const char *code)
{
	char ad[300];
	char *seed = NULL;
	size_t len = 0;
	int64_t step;

	snprintf(ad, sizeof(ad), "customer.totp:%s", a->login);
	if (crypto_open(app->keys, ad, a->totp_seed.data, a->totp_seed.len,
			&seed, &len) < 0)
		return -1;
	step = totp_check((const unsigned char *)seed, len, time(NULL), code);
	crypto_secret_free(seed);
	return step;
}

int
recovery_enroll_confirm(struct app *app, struct store_conn *c, int64_t id,
			const char *token_hash, const char *code,
			const char *ip, const char *request_id,
			struct login_ok *out, int64_t *retry_after)
{
	struct reenrol_rec r;
	struct account a;
	char key[80];
	struct throttle_claim claim = {.key = key, .kind = THROTTLE_ACCOUNT};
	struct confirm_ctx x = {app, id, &r, -1, ip, request_id, out};
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&a, 0, sizeof(a));
	*retry_after = 0;
	rc = load_recovery(c, id, token_hash, &a, &r);
	if (rc < 0)
		return rc;
	snprintf(key, sizeof(key), "enroll:customer:%lld", (long long)id);
	rc = throttle_reserve(app, c, &claim, 1, (int64_t)time(NULL),
			      retry_after);
	if (rc == 0 && !r.started)
		rc = -GH_BAD_STATE;
	if (rc == 0) {
		x.step = check_code(app, &a, code);
		rc = x.step < 0 ? -GH_BAD_CODE : 0;
	}
	out->id = id;
	if (rc == 0)
		rc = store_transact(c, tx_confirm, &x);
	if (rc == 0)
		throttle_settle(c, &claim, 1);
	account_clear(&a);
	return rc;
}
