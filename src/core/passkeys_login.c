/*
 * Logging in with a passkey, and assertions for other purposes (GATE's
 * passkey approval of a verification): the request options, then the
 * assertion checked against the challenge drawn for it and the stored
 * credential it names (core/passkeys.h).
 *
 * A login's challenge is bound to the login attempt: to the address it
 * was asked from (its throttle key), at most LOGIN_OPEN of them open per
 * address, so that anonymous callers cannot fill the table. Every
 * refusal answers the same -GH_LOGIN_FAILED; the reason goes only to the
 * audit record (passkey.login_refused).
 *
 * Invariant: the attempt is counted on the address's throttle key before
 * the challenge is taken, and on the account's (the password login's key)
 * as soon as the credential names it, before the signature is checked;
 * a success settles both, as the password login does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/audit.h"
#include "core/hygiene.h"
#include "core/passkeys_int.h"
#include "core/self_int.h"
#include "core/session.h"
#include "core/throttle.h"
#include "util/errors.h"
#include "util/log.h"
#include "util/metrics.h"

/* Open login challenges per address. */
#define LOGIN_OPEN 10
/* The account a login challenge names when its e-mail named none: no
 * account has this id, so every passkey is refused for it. */
#define NO_ACCOUNT (-1)

/* The descriptors of the account's passkeys (allowCredentials). */
static int
allow_list(struct store_conn *c, enum realm realm, int64_t id, json_t *arr)
{
	struct passkey_list l = {0};
	int rc = c->ops->passkeys->list(c, realm, id, &l);

	for (size_t i = 0; rc == 0 && i < l.n; i++) {
		char b64[B64URL_CHARS(PASSKEY_CRED_ID_MAX)];
		json_t *d = passkey_json(&l.v[i]);

		crypto_b64url_encode(l.v[i].cred_id, l.v[i].cred_id_len, b64,
				     sizeof(b64));
		json_array_append_new(
			arr, json_pack("{s:s, s:s, s:O}", "type", "public-key",
				       "id", b64, "transports",
				       json_object_get(d, "transports")));
		json_decref(d);
	}
	passkey_list_clear(&l);
	return rc;
}

static json_t *
request_options(const struct wa_rp *rp, const char *challenge, json_t *allow)
{
	return json_pack("{s:s, s:s, s:i, s:s, s:o}", "challenge", challenge,
			 "rpId", rp->rp_id, "timeout", PASSKEY_TIMEOUT_MS,
			 "userVerification", "required", "allowCredentials",
			 allow);
}

int
passkey_assert_options(struct app *app, struct store_conn *c,
		       enum realm realm, int64_t principal_id,
		       const char *purpose, const char *bind,
		       json_t **public_key_out)
{
	char b64[PK_CHALLENGE_B64];
	json_t *allow = json_array();
	int rc = allow != NULL ? 0 : -GH_INTERNAL;

	*public_key_out = NULL;
	if (rc == 0 && principal_id > 0)
		rc = allow_list(c, realm, principal_id, allow);
	if (rc == 0)
		rc = pk_challenge_new(app, c, realm, purpose, principal_id, bind,
				      bind[0] != '\0' ? PASSKEY_OPEN_CHALLENGES
						      : 0,
				      b64);
	if (rc == 0) {
		*public_key_out = request_options(passkey_rp(app, realm), b64,
						  json_incref(allow));
		rc = *public_key_out != NULL ? 0 : -GH_INTERNAL;
	}
	json_decref(allow);
	return rc;
}

/* -GH_TOO_MANY_ATTEMPTS while the address is blocked. */
static int
address_open(struct store_conn *c, const char *ip_key, int64_t now,
	     int64_t *retry_after)
{
	struct throttle_rec t;
	int rc = c->ops->throttle_get(c, ip_key, &t);

	*retry_after = 0;
	if (rc == -GH_NOT_FOUND)
		return 0;
	if (rc < 0)
		return rc;
	if (t.blocked_until <= now)
		return 0;
	*retry_after = t.blocked_until - now;
	return -GH_TOO_MANY_ATTEMPTS;
}

/* The account an e-mail names in realm, 0 when none. */
static int
account_of(struct app *app, struct store_conn *c, enum realm realm,
	   const char *email, int64_t *id_out)
{
	struct account a;
	char login[256];
	int rc;

	*id_out = 0;
	if (realm == REALM_CUSTOMER)
		crypto_index(app->keys, "customer.email", email, strlen(email),
			     login);
	else
		snprintf(login, sizeof(login), "%s", email);
	rc = c->ops->account_by_login(c, realm, login, &a);
	if (rc == 0 && !a.disabled)
		*id_out = a.id;
	account_clear(&a);
	return rc == -GH_NOT_FOUND ? 0 : rc;
}

/*
 * The login's options. allowCredentials is always empty: every passkey is
 * registered as discoverable (residentKey required), and a list, real
 * for an account and made up for an unknown address, would tell the two
 * apart. The e-mail, when given, binds the challenge to its account, or
 * to NO_ACCOUNT when it names none, so that no passkey can answer it.
 */
int
passkey_login_options(struct app *app, struct store_conn *c,
		      enum realm realm, const char *email, const char *ip,
		      json_t **public_key_out, int64_t *retry_after)
{
	char norm[256], ip_key[80], bind[96], b64[PK_CHALLENGE_B64];
	int64_t id = 0;
	int rc;

	*public_key_out = NULL;
	if (email != NULL && auth_normalize_email(email, norm, sizeof(norm)) < 0)
		return -GH_BAD_FIELD;
	throttle_ip_key(ip, ip_key, sizeof(ip_key));
	rc = address_open(c, ip_key, (int64_t)time(NULL), retry_after);
	if (rc == 0 && email != NULL)
		rc = account_of(app, c, realm, norm, &id);
	if (rc == 0 && email != NULL && id == 0)
		id = NO_ACCOUNT;
	snprintf(bind, sizeof(bind), "login:%s", ip_key);
	if (rc == 0)
		rc = pk_challenge_new(app, c, realm, "login", id, bind,
				      LOGIN_OPEN, b64);
	if (rc == 0)
		*public_key_out = request_options(passkey_rp(app, realm), b64,
						  json_array());
	if (rc == 0 && *public_key_out == NULL)
		rc = -GH_INTERNAL;
	return rc;
}

/* --- the assertion ----------------------------------------------------- */

/* The stored credential the assertion names, of realm, of the account
 * the challenge named (if it named one, NO_ACCOUNT included), not
 * flagged, whose user handle is the one given (one must be given when
 * the challenge named no account). */
static int
find_cred(struct store_conn *c, enum realm realm,
	  const struct pk_assert_resp *in, const struct passkey_challenge *ch,
	  struct passkey_rec *rec, struct wa_why *why)
{
	uint8_t handle[PASSKEY_HANDLE_LEN];
	int rc;

	pk_why(why, "credential_id");
	if (in->raw_id_len > WA_CRED_ID_MAX)
		return -GH_PASSKEY_REFUSED;
	rc = c->ops->passkeys->by_cred(c, in->raw_id, in->raw_id_len, rec);
	if (rc == -GH_NOT_FOUND)
		return -GH_PASSKEY_REFUSED;
	if (rc < 0)
		return rc;
	if (rec->realm != realm ||
	    (ch->principal_id != 0 && ch->principal_id != rec->principal_id))
		return -GH_PASSKEY_REFUSED;
	pk_why(why, "counter");
	if (rec->counter_flagged)
		return -GH_PASSKEY_REFUSED;
	/* WebAuthn L3 7.2 step 6: when the challenge named no account (a
	 * discoverable login), the user handle must say whose it is. */
	pk_why(why, "user_handle");
	if (in->user_handle_len == 0)
		return ch->principal_id == 0 ? -GH_PASSKEY_REFUSED : 0;
	rc = c->ops->passkeys->handle_get(c, realm, rec->principal_id, handle);
	if (rc == -GH_NOT_FOUND)
		return -GH_PASSKEY_REFUSED;
	if (rc < 0)
		return rc;
	if (in->user_handle_len != PASSKEY_HANDLE_LEN ||
	    !crypto_equal(handle, in->user_handle, PASSKEY_HANDLE_LEN))
		return -GH_PASSKEY_REFUSED;
	return 0;
}

static int
tx_regression(struct store_conn *c, void *cls)
{
	struct {
		struct app *app;
		const struct passkey_rec *rec;
	} *x = cls;
	char who[48], tag[16];
	int rc = c->ops->passkeys->flag(c, x->rec->id);

	if (rc < 0)
		return rc;
	pk_principal(x->rec->realm, x->rec->principal_id, who, sizeof(who));
	pk_cred_tag(x->rec->cred_id, x->rec->cred_id_len, tag);
	return audit_log(x->app, c,
			 &(struct audit_ev){
				 .actor = "anonymous",
				 .action = "passkey.counter_regression",
				 .target = who,
				 .outcome = "denied",
				 .detail = json_pack(
					 "{s:I, s:s, s:I}", "passkey",
					 (json_int_t)x->rec->id, "cred", tag,
					 "stored_count",
					 (json_int_t)x->rec->sign_count)});
}

/* The signature over the challenge, by rec's key; a counter that went
 * back flags the credential (a possible clone) and refuses it. */
static int
verify_cred(struct app *app, struct store_conn *c, enum realm realm,
	    const struct pk_assert_resp *in, const uint8_t *challenge,
	    const struct passkey_rec *rec, struct wa_why *why)
{
	struct wa_assert_out out;
	struct {
		struct app *app;
		const struct passkey_rec *rec;
	} x = {app, rec};
	int rc = webauthn_assert_verify(
		passkey_rp(app, realm),
		&(struct wa_assert_in){in->client_data, in->client_data_len,
				       in->auth_data, in->auth_data_len,
				       in->sig, in->sig_len, challenge,
				       WA_CHALLENGE_LEN},
		&(struct wa_stored){rec->public_key, rec->public_key_len,
				    rec->alg, (uint32_t)rec->sign_count},
		&out, why);

	if (rc < 0)
		return -GH_PASSKEY_REFUSED;
	if (out.counter_regressed) {
		pk_why(why, "counter");
		rc = store_transact(c, tx_regression, &x);
		return rc < 0 ? rc : -GH_PASSKEY_REFUSED;
	}
	return c->ops->passkeys->used(c, rec->id, out.sign_count,
				      (out.flags & WA_FLAG_BS) != 0,
				      (int64_t)time(NULL));
}

int
passkey_assert_check(struct app *app, struct store_conn *c, enum realm realm,
		     const char *purpose, const char *bind,
		     const json_t *credential, int64_t *principal_out,
		     const char **field, struct wa_why *why)
{
	struct pk_assert_resp *in = malloc(sizeof(*in));
	struct passkey_challenge ch;
	struct passkey_rec *rec = malloc(sizeof(*rec));
	uint8_t raw[WA_CHALLENGE_LEN];
	int rc = in != NULL && rec != NULL ? 0 : -GH_INTERNAL;

	*principal_out = 0;
	pk_why(why, "");
	if (rc == 0)
		rc = pk_parse_assertion(credential, in, field);
	if (rc == 0)
		rc = pk_challenge_take(app, c, realm, purpose, bind,
				       in->client_data, in->client_data_len,
				       &ch, raw, why);
	if (rc == 0)
		rc = find_cred(c, realm, in, &ch, rec, why);
	if (rc == 0)
		rc = verify_cred(app, c, realm, in, raw, rec, why);
	if (rc == 0)
		*principal_out = rec->principal_id;
	crypto_wipe(raw, sizeof(raw));
	free(in);
	free(rec);
	return rc;
}

/* --- the login ------------------------------------------------------------ */

struct pk_login {
	struct app *app;
	enum realm realm;
	const char *ip;
	const char *request_id;
	struct login_ok *ok;
	struct pk_assert_resp in;
	struct passkey_challenge ch;
	uint8_t raw[WA_CHALLENGE_LEN];
	struct passkey_rec rec;
	int have_rec;
	struct account acct;
	char email[256];
	char ip_key[80], acct_key[80];
	struct throttle_claim claims[2];
	size_t n_claims;
	struct wa_why why;
	const char *malformed; /* the field of a malformed credential */
	int64_t now;
};

/* The account key of the credential's owner: the password login's, so
 * that `staff|customer unlock` clears both. */
static int
claim_account(struct pk_login *l, struct store_conn *c, int64_t *retry)
{
	char *addr = NULL, name[8];
	int rc = c->ops->account_by_id(c, l->realm, l->rec.principal_id,
				       &l->acct);

	if (rc == 0 && l->realm == REALM_STAFF)
		snprintf(l->email, sizeof(l->email), "%s", l->acct.login);
	if (rc == 0 && l->realm == REALM_CUSTOMER) {
		rc = self_customer_email(l->app, c, l->rec.principal_id, &addr,
					 name, sizeof(name));
		if (rc == 0 && auth_normalize_email(addr, l->email,
						    sizeof(l->email)) < 0)
			snprintf(l->email, sizeof(l->email), "%s", addr);
		crypto_secret_free(addr);
	}
	if (rc == -GH_NOT_FOUND)
		pk_why(&l->why, "credential_id"); /* its account is gone */
	if (rc < 0)
		return rc == -GH_NOT_FOUND ? -GH_PASSKEY_REFUSED : rc;
	throttle_account_key(l->app, l->realm, l->email, l->acct_key,
			     sizeof(l->acct_key));
	l->claims[1] = (struct throttle_claim){.key = l->acct_key,
					       .kind = THROTTLE_ACCOUNT};
	rc = throttle_reserve(l->app, c, &l->claims[1], 1, l->now, retry);
	if (rc == 0)
		l->n_claims = 2;
	return rc;
}

static int
record_login(struct store_conn *c, const struct pk_login *l, int ok)
{
	if (!l->have_rec)
		return 0;
	return hygiene_login_record(
		l->app, c,
		&(struct hyg_login){.realm = l->realm,
				    .id = l->rec.principal_id,
				    .email = l->realm == REALM_STAFF ? l->email
								     : NULL,
				    .ip = l->ip,
				    .request_id = l->request_id,
				    .method = "passkey",
				    .ok = ok,
				    .now = l->now});
}

static int
tx_login_ok(struct store_conn *c, void *cls)
{
	struct pk_login *l = cls;
	char who[48], tag[16];
	int rc = throttle_settle(c, l->claims, l->n_claims);

	if (rc == 0)
		rc = session_create_as(l->app, c, l->realm, l->rec.principal_id,
				       1, "passkey", l->ip, l->ok->token,
				       l->ok->csrf);
	if (rc == 0)
		rc = record_login(c, l, 1);
	if (rc < 0)
		return rc;
	pk_principal(l->realm, l->rec.principal_id, who, sizeof(who));
	pk_cred_tag(l->rec.cred_id, l->rec.cred_id_len, tag);
	return audit_log(l->app, c,
			 &(struct audit_ev){
				 .actor = who,
				 .action = "auth.login",
				 .target = who,
				 .outcome = "success",
				 .ip = l->ip,
				 .request_id = l->request_id,
				 .detail = json_pack(
					 "{s:s, s:s, s:I, s:s}", "factors",
					 "passkey", "method", "passkey",
					 "passkey", (json_int_t)l->rec.id,
					 "cred", tag)});
}

static int
tx_login_refused(struct store_conn *c, void *cls)
{
	struct pk_login *l = cls;
	char who[48], tag[16] = "";
	int rc = record_login(c, l, 0);

	if (rc < 0)
		return rc;
	if (l->have_rec)
		pk_principal(l->realm, l->rec.principal_id, who, sizeof(who));
	else
		snprintf(who, sizeof(who), "%s:unknown", realm_name(l->realm));
	if (l->have_rec)
		pk_cred_tag(l->rec.cred_id, l->rec.cred_id_len, tag);
	return audit_log(l->app, c,
			 &(struct audit_ev){
				 .actor = "anonymous",
				 .action = "passkey.login_refused",
				 .target = who,
				 .outcome = "failure",
				 .ip = l->ip,
				 .request_id = l->request_id,
				 .detail = l->malformed != NULL
						   ? json_pack("{s:s, s:s}",
							       "reason",
							       "malformed",
							       "field",
							       l->malformed)
						   : json_pack("{s:s, s:s}",
							       "reason",
							       l->why.word,
							       "cred", tag)});
}

/* Challenge, credential, account key, signature, account state. */
static int
login_check(struct pk_login *l, struct store_conn *c, int64_t *retry)
{
	char bind[96];
	int rc;

	snprintf(bind, sizeof(bind), "login:%s", l->ip_key);
	rc = pk_challenge_take(l->app, c, l->realm, "login", bind,
			       l->in.client_data, l->in.client_data_len, &l->ch,
			       l->raw, &l->why);
	if (rc == 0)
		rc = find_cred(c, l->realm, &l->in, &l->ch, &l->rec, &l->why);
	/* A refused credential of this realm still names its account (for
	 * its login history); one of the other realm names nobody here. */
	l->have_rec = rc == 0 || (rc == -GH_PASSKEY_REFUSED &&
				  l->rec.id > 0 && l->rec.realm == l->realm);
	if (rc == 0)
		rc = claim_account(l, c, retry);
	if (rc == 0)
		rc = verify_cred(l->app, c, l->realm, &l->in, l->raw, &l->rec,
				 &l->why);
	if (rc == 0 && l->acct.disabled) {
		pk_why(&l->why, "account_disabled");
		rc = -GH_PASSKEY_REFUSED;
	}
	return rc;
}

int
passkey_login(struct app *app, struct store_conn *c, enum realm realm,
	      const json_t *credential, const char *ip,
	      const char *request_id, struct login_ok *out,
	      const char **field, int64_t *retry_after)
{
	struct pk_login *l = calloc(1, sizeof(*l));
	int rc = l != NULL ? 0 : -GH_INTERNAL;

	memset(out, 0, sizeof(*out));
	*retry_after = 0;
	if (rc < 0)
		goto out;
	*l = (struct pk_login){.app = app, .realm = realm, .ip = ip,
			       .request_id = request_id, .ok = out,
			       .now = (int64_t)time(NULL)};
	throttle_ip_key(ip, l->ip_key, sizeof(l->ip_key));
	l->claims[0] = (struct throttle_claim){.key = l->ip_key,
					       .kind = THROTTLE_ADDRESS};
	l->n_claims = 1;
	/* The address's attempt is counted before the parse, so that
	 * malformed credentials are throttled like wrong ones (and audited:
	 * passkey.login_refused, reason "malformed"). */
	rc = throttle_reserve(app, c, l->claims, 1, l->now, retry_after);
	if (rc == 0)
		rc = pk_parse_assertion(credential, &l->in, field);
	if (pk_malformed(rc)) {
		l->malformed = *field;
		if (store_transact(c, tx_login_refused, l) < 0)
			rc = -GH_INTERNAL;
	}
	if (rc == 0)
		rc = login_check(l, c, retry_after);
	if (rc == 0) {
		out->id = l->rec.principal_id;
		snprintf(out->role, sizeof(out->role), "%s", l->acct.role);
		rc = store_transact(c, tx_login_ok, l);
	} else if (rc == -GH_PASSKEY_REFUSED) {
		rc = store_transact(c, tx_login_refused, l);
		rc = rc < 0 ? rc : -GH_LOGIN_FAILED;
	}
	metrics_login(realm_name(realm), rc == 0 ? "ok"
				       : rc == -GH_TOO_MANY_ATTEMPTS ? "throttled"
								     : "failed");
	if (rc < 0)
		memset(out, 0, sizeof(*out));
out:
	if (l != NULL) {
		account_clear(&l->acct);
		crypto_wipe(l, sizeof(*l));
	}
	free(l);
	return rc;
}
