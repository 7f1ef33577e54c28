/*
 * Password + TOTP login, authenticator enrolment and logout. A login runs
 * in steps: name the throttle keys (attempt_start), reserve the attempt on
 * them (reserve: counted as a failure before any work, refused while a key
 * is blocked), check the password and the second factor
 * (check_credentials; the slow argon2id work outside any transaction),
 * then write the outcome in one transaction: the TOTP step advance, the
 * settled counters, the session and the audit record (succeed), or the
 * audit record of the failure (fail).
 *
 * Invariant: no password is checked for an attempt that was not counted
 * first, so parallel attempts cannot pass more guesses than the throttle
 * allows.
 */
#include "core/auth.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/audit.h"
#include "core/hygiene.h"
#include "util/errors.h"
#include "core/password.h"
#include "core/passkeys.h"
#include "core/recovery.h"
#include "core/session.h"
#include "core/throttle.h"
#include "util/metrics.h"
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

/* One login attempt, from the request to its outcome. */
struct auth_attempt {
	struct app *app;
	const struct login_req *req; /* &reqv */
	struct login_ok *ok;         /* &okv */
	struct login_req reqv;       /* its strings are the caller's */
	struct login_ok okv;
	int check_rc;                /* check_credentials' result */
	int64_t now;
	char email[256];        /* normalised, or "invalid" */
	char login[256];        /* staff: the e-mail; customer: blind index */
	char acct_key[80];
	char ip_key[80];
	struct throttle_claim claims[2]; /* the account's key, the address's */
	int64_t retry_after;
	struct account acct;
	int have_acct;
	const char *why;        /* failure reason for the audit log */
	int64_t step;           /* the accepted TOTP step */
	char new_hash[CRYPTO_PWHASH_BYTES];
	int rehash;             /* new_hash replaces the stored hash */
	struct recovery_code_list codes; /* live recovery codes, if asked */
	int64_t code_id;        /* the recovery code that matched, or 0 */
	/* Issue 17: how the session opens ("password", "password_enrol"),
	 * and a staff member refused for having to use their passkey. */
	char method[16];
	int pk_refused;
};

/* Names the attempt's keys. A malformed e-mail still costs a hash and
 * counts as a failure against the address, like any other wrong name. */
static void
attempt_start(struct auth_attempt *a, struct app *app,
	      const struct login_req *req)
{
	memset(a, 0, sizeof(*a));
	a->app = app;
	a->reqv = *req;
	a->req = &a->reqv;
	a->ok = &a->okv;
	a->now = (int64_t)time(NULL);
	a->why = "unknown account";
	if (auth_normalize_email(req->email, a->email, sizeof(a->email)) < 0)
		snprintf(a->email, sizeof(a->email), "invalid");
	if (req->realm == REALM_CUSTOMER)
		crypto_index(app->keys, "customer.email", a->email,
			     strlen(a->email), a->login);
	else
		snprintf(a->login, sizeof(a->login), "%s", a->email);
	throttle_account_key(app, req->realm, a->email, a->acct_key,
			     sizeof(a->acct_key));
	throttle_ip_key(req->ip, a->ip_key, sizeof(a->ip_key));
	a->claims[0] = (struct throttle_claim){
		.key = a->acct_key, .kind = THROTTLE_ACCOUNT};
	a->claims[1] = (struct throttle_claim){
		.key = a->ip_key, .kind = THROTTLE_ADDRESS};
}

static void
attempt_end(struct auth_attempt *a)
{
	crypto_wipe(a->new_hash, sizeof(a->new_hash));
	crypto_wipe(&a->okv, sizeof(a->okv));
	account_clear(&a->acct);
	recovery_code_list_clear(&a->codes);
}

static void
principal(const struct auth_attempt *a, char *buf, size_t bufsz)
{
	if (a->have_acct)
		snprintf(buf, bufsz, "%s:%lld", realm_name(a->req->realm),
			 (long long)a->acct.id);
	else
		snprintf(buf, bufsz, "%s:unknown", realm_name(a->req->realm));
}

static int
login_failed(struct auth_attempt *a, const char *why)
{
	a->why = why;
	return -GH_LOGIN_FAILED;
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

/* Counts the attempt on both keys before any work, or refuses it. */
static int
reserve(struct store_conn *c, struct auth_attempt *a)
{
	int rc = throttle_reserve(a->app, c, a->claims, 2, a->now,
				  &a->retry_after);

	if (rc == -GH_TOO_MANY_ATTEMPTS)
		metrics_login(realm_name(a->req->realm), "throttled");
	if (rc == -GH_TOO_MANY_ATTEMPTS)
		log_event(LOG_WARN, "auth.throttled",
			  json_pack("{s:s, s:s, s:I}", "realm",
				    realm_name(a->req->realm), "request_id",
				    a->req->request_id, "retry_after",
				    (json_int_t)a->retry_after));
	return rc;
}

/* The password, against a dummy hash when there is no account, so that
 * either way costs one argon2id verification. *norm gets the normalised
 * password (a crypto secret, for a rehash). */
static int
check_password(struct auth_attempt *a, char **norm, size_t *norm_len)
{
	const struct login_req *req = a->req;

	if (password_normalize(req->password, req->password_len, norm,
			       norm_len) < 0) {
		/* Cannot match any stored hash; spend the same time. */
		crypto_pw_verify(a->app->dummy_hash, "x", 1);
		return login_failed(a, a->have_acct ? "malformed password"
						    : "unknown account");
	}
	if (!a->have_acct) {
		crypto_pw_verify(a->app->dummy_hash, *norm, *norm_len);
		return login_failed(a, "unknown account");
	}
	if (crypto_pw_verify(a->acct.pw_hash, *norm, *norm_len) != 0)
		return login_failed(a, "wrong password");
	return 0;
}

/* After the right password: the account is enabled, and the code is
 * right (or, for an invited account without authenticator, absent: the
 * session will only allow enrolment). */
static int
check_second_factor(struct auth_attempt *a)
{
	const struct login_req *req = a->req;
	char *seed = NULL;
	size_t seed_len = 0;

	if (a->acct.disabled)
		return login_failed(a, "account disabled");
	if (!a->acct.totp_enrolled) {
		if ((req->code != NULL && req->code[0] != '\0') ||
		    req->recovery_code != NULL)
			return login_failed(
				a, "code for an account without authenticator");
		a->ok->enrollment_required = 1;
		return 0;
	}
	if (req->recovery_code != NULL) {
		/* Enrolment only, until a new authenticator is confirmed. */
		a->code_id = recovery_match(a->app->keys, &a->codes,
					    req->recovery_code);
		a->ok->enrollment_required = 1;
		return a->code_id > 0 ? 0
				      : login_failed(a, "wrong recovery code");
	}
	if (open_seed(a->app, req->realm, a->login, &a->acct, &seed,
		      &seed_len) < 0) {
		LOG_BUG("TOTP seed does not open");
		return login_failed(a, "seed unreadable");
	}
	a->step = req->code == NULL
			  ? -1
			  : totp_check((const unsigned char *)seed, seed_len,
				       time(NULL), req->code);
	crypto_secret_free(seed);
	return a->step < 0 ? login_failed(a, "wrong code") : 0;
}

/* Every factor, then a new hash when the configured cost rose. */
static int
check_credentials(struct auth_attempt *a)
{
	const struct crypto_pw_params *pp = &a->app->pw_params;
	char *norm = NULL;
	size_t norm_len = 0;
	int rc = check_password(a, &norm, &norm_len);

	if (rc == 0)
		rc = check_second_factor(a);
	if (rc == 0 && crypto_pw_needs_rehash(a->acct.pw_hash, pp) == 1 &&
	    crypto_pw_hash(norm, norm_len, pp, a->new_hash) == 0)
		a->rehash = 1;
	crypto_secret_free(norm);
	return rc;
}

/* Records the attempt of a known account in its login history
 * (core/hygiene.h); a success from a new network sends a notice. */
static int
record_login(struct store_conn *c, const struct auth_attempt *a, int ok)
{
	if (!a->have_acct)
		return 0;
	return hygiene_login_record(
		a->app, c,
		&(struct hyg_login){.realm = a->req->realm,
				    .id = a->acct.id,
				    .email = a->req->realm == REALM_STAFF
						     ? a->acct.login
						     : NULL,
				    .ip = a->req->ip,
				    .request_id = a->req->request_id,
				    .method = a->code_id > 0
						      ? "password+recovery_code"
						      : a->acct.totp_enrolled
						      ? "password+totp"
						      : "password",
				    .ok = ok,
				    .now = a->now});
}

/*
 * Issue 17: a staff member whose role must log in with a passkey gets,
 * with the right password and code, a session that may only enrol one
 * when they have none ("password_enrol"), and is refused when they have
 * one (decided only now, so the refusal tells nothing to whoever lacks
 * the password or the code).
 */
static int
passkey_policy(struct store_conn *c, struct auth_attempt *a)
{
	int64_t n = 0;
	int rc;

	snprintf(a->method, sizeof(a->method), "password");
	if (a->req->realm != REALM_STAFF || !a->acct.totp_enrolled ||
	    !passkey_role_required(a->app, a->acct.role))
		return 0;
	/* Only usable passkeys: one whose only passkey was flagged enrols
	 * again rather than being locked out. */
	rc = passkey_usable_count(c, REALM_STAFF, a->acct.id, &n);
	if (rc < 0)
		return rc;
	if (n > 0)
		a->pk_refused = 1;
	else
		snprintf(a->method, sizeof(a->method), "password_enrol");
	a->ok->passkey_enrollment_required = n == 0;
	return 0;
}

/* The right password and code of a member who must use their passkey:
 * the code is spent and the counters settled, the refusal audited. */
static int
passkey_refusal(struct store_conn *c, struct auth_attempt *a)
{
	char who[48];
	int rc = record_login(c, a, 0);

	if (rc < 0)
		return rc;
	principal(a, who, sizeof(who));
	return audit_log(a->app, c,
			 &(struct audit_ev){
				 .actor = who,
				 .action = "auth.login",
				 .target = who,
				 .outcome = "denied",
				 .ip = a->req->ip,
				 .request_id = a->req->request_id,
				 .detail = json_pack("{s:s, s:s}", "reason",
						     "passkey_required",
						     "method", "password"),
			 });
}

static int
tx_success(struct store_conn *c, void *cls)
{
	struct auth_attempt *a = cls;
	const struct login_req *req = a->req;
	char who[48];
	int rc = passkey_policy(c, a);

	if (a->acct.totp_enrolled && a->code_id == 0)
		rc = c->ops->account_advance_totp(c, req->realm, a->acct.id,
						  a->step);
	if (rc == 0 && a->rehash)
		rc = c->ops->account_set_pw_hash(c, req->realm, a->acct.id,
						 a->new_hash);
	if (rc == 0)
		rc = throttle_settle(c, a->claims, 2);
	if (rc == 0 && a->pk_refused)
		return passkey_refusal(c, a);
	if (rc == 0)
		rc = session_create_as(a->app, c, req->realm, a->acct.id,
				       a->acct.totp_enrolled && a->code_id == 0,
				       a->method, req->ip, a->ok->token,
				       a->ok->csrf);
	if (rc == 0 && a->code_id > 0)
		rc = recovery_login_tx(a->app, c, a->acct.id, a->code_id,
				       a->ok->token, req->ip, req->request_id,
				       a->now);
	if (rc == 0)
		rc = record_login(c, a, 1);
	if (rc < 0)
		return rc; /* -GH_CONFLICT: a replayed code */
	principal(a, who, sizeof(who));
	return audit_log(a->app, c,
			 &(struct audit_ev){
				 .actor = who,
				 .action = "auth.login",
				 .target = who,
				 .outcome = "success",
				 .ip = req->ip,
				 .request_id = req->request_id,
				 .detail = json_pack(
					 "{s:s, s:b, s:s}", "factors",
					 a->code_id > 0
						 ? "password+recovery_code "
						   "(enrolment only)"
					 : a->acct.totp_enrolled
						 ? "password+totp"
						 : "password (enrolment only)",
					 "rehashed", a->rehash, "method",
					 a->method),
			 });
}

/* Opens the session; a replayed code turns the attempt into a failure. */
static int
succeed(struct store_conn *c, struct auth_attempt *a)
{
	int rc;

	snprintf(a->ok->role, sizeof(a->ok->role), "%s", a->acct.role);
	a->ok->id = a->acct.id;
	rc = store_transact(c, tx_success, a);
	if (rc == -GH_CONFLICT)
		return login_failed(a, "replayed code");
	if (rc == 0 && a->pk_refused)
		rc = -GH_PASSKEY_REQUIRED;
	if (rc < 0)
		memset(a->ok, 0, sizeof(*a->ok));
	return rc;
}

/* The failure was counted when the attempt was reserved: audit it. */
static int
tx_failure(struct store_conn *c, void *cls)
{
	struct auth_attempt *a = cls;
	char who[48];
	int rc = record_login(c, a, 0);

	if (rc < 0)
		return rc;
	principal(a, who, sizeof(who));
	return audit_log(a->app, c,
			 &(struct audit_ev){
				 .actor = "anonymous",
				 .action = "auth.login",
				 .target = who,
				 .outcome = "failure",
				 .ip = a->req->ip,
				 .request_id = a->req->request_id,
				 .detail = json_pack("{s:s}", "reason", a->why),
			 });
}

static int
fail(struct store_conn *c, struct auth_attempt *a)
{
	int rc;

	memset(a->ok, 0, sizeof(*a->ok));
	rc = store_transact(c, tx_failure, a);
	metrics_login(realm_name(a->req->realm), "failed");
	log_event(LOG_INFO, "auth.login_failed",
		  json_pack("{s:s, s:s}", "realm", realm_name(a->req->realm),
			    "request_id", a->req->request_id));
	return rc == 0 ? -GH_LOGIN_FAILED : rc;
}

int
auth_login_begin(struct app *app, struct store_conn *c,
		 const struct login_req *req, struct auth_attempt **out,
		 int64_t *retry_after)
{
	struct auth_attempt *a = malloc(sizeof(*a));
	int rc;

	*out = NULL;
	*retry_after = 0;
	if (a == NULL)
		return -GH_INTERNAL;
	attempt_start(a, app, req);
	rc = reserve(c, a);
	*retry_after = a->retry_after;
	if (rc < 0)
		goto out;
	rc = c->ops->account_by_login(c, req->realm, a->login, &a->acct);
	if (rc < 0 && rc != -GH_NOT_FOUND)
		goto out;
	a->have_acct = rc == 0;
	rc = 0;
	if (a->have_acct && req->recovery_code != NULL)
		rc = c->ops->self.codes_live(c, a->acct.id, &a->codes);
	if (rc < 0)
		goto out;
	a->check_rc = -GH_INTERNAL; /* until auth_login_check runs */
	*out = a;
	return 0;
out:
	auth_login_free(a);
	return rc;
}

void
auth_login_check(struct auth_attempt *a)
{
	a->check_rc = check_credentials(a);
}

int
auth_login_finish(struct store_conn *c, struct auth_attempt *a,
		  struct login_ok *out)
{
	int rc = a->check_rc;

	memset(out, 0, sizeof(*out));
	if (rc == 0)
		rc = succeed(c, a);
	if (rc == -GH_LOGIN_FAILED)
		rc = fail(c, a);
	if (rc == 0)
		*out = a->okv;
	if (rc == 0)
		metrics_login(realm_name(a->req->realm), "ok");
	return rc;
}

void
auth_login_free(struct auth_attempt *a)
{
	if (a == NULL)
		return;
	attempt_end(a);
	free(a);
}

int
auth_login(struct app *app, struct store_conn *c, const struct login_req *req,
	   struct login_ok *out, int64_t *retry_after)
{
	struct auth_attempt *a = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = auth_login_begin(app, c, req, &a, retry_after);
	if (rc < 0)
		return rc;
	auth_login_check(a);
	rc = auth_login_finish(c, a, out);
	auth_login_free(a);
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
	const char *method; /* of the new session; NULL: "password" */
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
			rc = session_create_as(x->app, c, x->realm, x->id, 1,
					       x->method != NULL ? x->method
								 : "password",
					       x->ip, x->ok->token, x->ok->csrf);
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
				NULL, NULL, 0, NULL};
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
	struct throttle_claim claim = {.key = key, .kind = THROTTLE_ACCOUNT};
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
	/* A code is counted as wrong until it proves right. */
	rc = throttle_reserve(app, c, &claim, 1, now, retry_after);
	if (rc < 0)
		goto out;
	rc = open_seed(app, realm, a.login, &a, &seed, &seed_len);
	if (rc < 0) {
		rc = -GH_INTERNAL;
		goto out;
	}
	x = (struct enroll_ctx){app, realm, id, ip, request_id, a.totp_seed, 0,
				token_hash, out, 1, NULL};
	x.step = totp_check((const unsigned char *)seed, seed_len, time(NULL),
			    code);
	if (x.step < 0) {
		rc = -GH_BAD_CODE;
		goto out;
	}
	out->id = id;
	/* Issue 17: a member who must use a passkey goes on to enrol one. */
	if (realm == REALM_STAFF && passkey_role_required(app, a.role)) {
		x.method = "password_enrol";
		out->passkey_enrollment_required = 1;
	}
	rc = store_transact(c, tx_enroll, &x);
	if (rc == 0)
		throttle_settle(c, &claim, 1);
out:
	crypto_secret_free(seed);
	account_clear(&a);
	return rc;
}
