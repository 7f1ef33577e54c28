/*
 * Passkeys: the policy, the challenges, and the registration and
 * management of an account's own credentials (core/passkeys.h). The
 * login and the assertions for other purposes are in passkeys_login.c,
 * the strict reading of the JSON forms in passkeys_parse.c.
 *
 * Invariant: a credential is stored only after the verifier accepted it
 * against a challenge this server drew for the same session, taken (and
 * so deleted) before the verification, whatever its outcome.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/audit.h"
#include "core/passkeys_int.h"
#include "core/self_int.h"
#include "util/errors.h"
#include "util/log.h"

int
passkey_role_required(const struct app *app, const char *role)
{
	if (role == NULL)
		return 0;
	if (strcmp(role, "supervisor") == 0 || strcmp(role, "admin") == 0)
		return 1;
	return strcmp(role, "agent") == 0 &&
	       strcmp(app->cfg.staff_passkeys, "required") == 0;
}

enum pk_hold
passkey_session_hold(const struct app *app, const char *method, int mfa,
		     const char *role, int64_t passkeys)
{
	int enrol = strcmp(method, "password_enrol") == 0;

	if (!enrol && (strcmp(method, "password") != 0 || !mfa ||
		       !passkey_role_required(app, role)))
		return PK_HOLD_NONE;
	return passkeys == 0 ? PK_HOLD_ENROL : PK_HOLD_PASSKEY;
}

const struct wa_rp *
passkey_rp(const struct app *app, enum realm realm)
{
	return realm == REALM_STAFF ? &app->cfg.staff_rp : &app->cfg.portal_rp;
}

void
pk_why(struct wa_why *why, const char *word)
{
	snprintf(why->word, sizeof(why->word), "%s", word);
}

void
pk_principal(enum realm realm, int64_t id, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s:%lld", realm_name(realm), (long long)id);
}

void
pk_cred_tag(const uint8_t *id, size_t len, char out[16])
{
	char hex[CRYPTO_HASH_HEX];

	crypto_sha256_hex(id, len, hex);
	snprintf(out, 16, "%.12s", hex);
}

void
pk_challenge_hash(const struct app *app, const char *b64, char out[72])
{
	char hex[CRYPTO_HASH_HEX];

	crypto_index(app->keys, "passkey.challenge", b64, strlen(b64), hex);
	snprintf(out, 72, "%s", hex);
}

int
pk_challenge_new(struct app *app, struct store_conn *c, enum realm realm,
		 const char *purpose, int64_t principal_id, const char *bind,
		 int keep, char b64[PK_CHALLENGE_B64])
{
	uint8_t raw[WA_CHALLENGE_LEN];
	struct passkey_challenge ch;

	memset(&ch, 0, sizeof(ch));
	crypto_random_bytes(raw, sizeof(raw));
	if (crypto_b64url_encode(raw, sizeof(raw), b64, PK_CHALLENGE_B64) < 0)
		return -GH_INTERNAL;
	crypto_wipe(raw, sizeof(raw));
	pk_challenge_hash(app, b64, ch.hash);
	ch.realm = realm;
	snprintf(ch.purpose, sizeof(ch.purpose), "%s", purpose);
	ch.principal_id = principal_id;
	snprintf(ch.bind, sizeof(ch.bind), "%s", bind);
	ch.created_at = (int64_t)time(NULL);
	ch.expires_at = ch.created_at + PASSKEY_CHALLENGE_SECS;
	return c->ops->passkeys->challenge_put(c, &ch, keep);
}

int
pk_challenge_take(struct app *app, struct store_conn *c, enum realm realm,
		  const char *purpose, const char *bind,
		  const uint8_t *client_data, size_t client_data_len,
		  struct passkey_challenge *out, uint8_t raw[WA_CHALLENGE_LEN],
		  struct wa_why *why)
{
	char b64[PK_CHALLENGE_B64], hash[72];
	int rc;

	pk_why(why, "challenge");
	if (pk_client_challenge(client_data, client_data_len, b64) < 0)
		return -GH_PASSKEY_REFUSED;
	pk_challenge_hash(app, b64, hash);
	rc = c->ops->passkeys->challenge_take(c, hash, out);
	if (rc == -GH_NOT_FOUND)
		return -GH_PASSKEY_REFUSED;
	if (rc < 0)
		return rc;
	if (out->realm != realm || strcmp(out->purpose, purpose) != 0 ||
	    strcmp(out->bind, bind) != 0 ||
	    out->expires_at <= (int64_t)time(NULL) ||
	    webauthn_b64url_decode(b64, raw, WA_CHALLENGE_LEN) !=
		    WA_CHALLENGE_LEN)
		return -GH_PASSKEY_REFUSED;
	return 0;
}

json_t *
passkey_json(const struct passkey_rec *p)
{
	json_t *tr = json_array();
	char buf[sizeof(p->transports)];
	char *save = NULL;

	snprintf(buf, sizeof(buf), "%s", p->transports);
	for (char *t = strtok_r(buf, ",", &save); t != NULL && tr != NULL;
	     t = strtok_r(NULL, ",", &save))
		json_array_append_new(tr, json_string(t));
	return json_pack("{s:I, s:s, s:I, s:o, s:b, s:b, s:o, s:s, s:s, s:b}",
			 "id", (json_int_t)p->id, "name", p->name,
			 "created_at", (json_int_t)p->created_at,
			 "last_used_at",
			 p->last_used_at > 0 ? json_integer(p->last_used_at)
					     : json_null(),
			 "backup_eligible", p->backup_eligible, "backed_up",
			 p->backup_state, "transports", tr, "fmt", p->fmt,
			 "aaguid", p->aaguid, "flagged", p->counter_flagged);
}

int
passkey_usable_count(struct store_conn *c, enum realm realm,
		     int64_t principal_id, int64_t *n_out)
{
	struct passkey_list l = {0};
	int rc = c->ops->passkeys->list(c, realm, principal_id, &l);

	*n_out = 0;
	for (size_t i = 0; rc == 0 && i < l.n; i++)
		*n_out += !l.v[i].counter_flagged;
	passkey_list_clear(&l);
	return rc;
}

int
passkey_list(struct app *app, struct store_conn *c, enum realm realm,
	     int64_t principal_id, json_t **out)
{
	struct passkey_list l = {0};
	int rc;

	(void)app;
	*out = NULL;
	rc = c->ops->passkeys->list(c, realm, principal_id, &l);
	if (rc < 0)
		return rc;
	*out = json_array();
	for (size_t i = 0; i < l.n && *out != NULL; i++)
		json_array_append_new(*out, passkey_json(&l.v[i]));
	passkey_list_clear(&l);
	return *out != NULL ? 0 : -GH_INTERNAL;
}

/* --- registration -------------------------------------------------------- */

/* The account's user handle, made (32 random bytes) on first need. */
static int
user_handle(struct store_conn *c, enum realm realm, int64_t id,
	    uint8_t h[PASSKEY_HANDLE_LEN])
{
	int rc = c->ops->passkeys->handle_get(c, realm, id, h);

	if (rc != -GH_NOT_FOUND)
		return rc;
	crypto_random_bytes(h, PASSKEY_HANDLE_LEN);
	rc = c->ops->passkeys->handle_put(c, realm, id, h,
					  (int64_t)time(NULL));
	/* Made meanwhile by another request of the account: read it. */
	if (rc == -GH_EXISTS)
		rc = c->ops->passkeys->handle_get(c, realm, id, h);
	return rc;
}

/* The account's e-mail (user.name) and display name. */
static int
user_names(struct app *app, struct store_conn *c, const struct pk_who *who,
	   char *email, size_t emailsz, char *name, size_t namesz)
{
	struct account a;
	char *addr = NULL;
	int rc;

	if (who->realm == REALM_CUSTOMER) {
		rc = self_customer_email(app, c, who->id, &addr, name, namesz);
		if (rc == 0)
			snprintf(email, emailsz, "%s", addr);
		crypto_secret_free(addr);
		return rc;
	}
	rc = c->ops->account_by_id(c, REALM_STAFF, who->id, &a);
	if (rc == 0)
		snprintf(email, emailsz, "%s", a.login);
	account_clear(&a);
	if (rc == 0)
		rc = c->ops->staff_name(c, who->id, name, namesz);
	return rc;
}

/* The credentials of the account as PublicKeyCredentialDescriptorJSON. */
static json_t *
descriptors(const struct passkey_list *l)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < l->n && arr != NULL; i++) {
		char id[B64URL_CHARS(PASSKEY_CRED_ID_MAX)];
		json_t *d = passkey_json(&l->v[i]);
		json_t *tr = json_incref(json_object_get(d, "transports"));

		json_decref(d);
		crypto_b64url_encode(l->v[i].cred_id, l->v[i].cred_id_len, id,
				     sizeof(id));
		json_array_append_new(arr, json_pack("{s:s, s:s, s:o}", "type",
						     "public-key", "id", id,
						     "transports", tr));
	}
	return arr;
}

static json_t *
creation_options(struct app *app, const uint8_t handle[PASSKEY_HANDLE_LEN],
		 const char *email, const char *name, const char *challenge,
		 json_t *exclude, const struct wa_rp *rp)
{
	char hid[B64URL_CHARS(PASSKEY_HANDLE_LEN)];

	crypto_b64url_encode(handle, PASSKEY_HANDLE_LEN, hid, sizeof(hid));
	return json_pack(
		"{s:{s:s, s:s}, s:{s:s, s:s, s:s}, s:s, s:[{s:s, s:i}, "
		"{s:s, s:i}, {s:s, s:i}], s:i, s:o, s:{s:s, s:b, s:s}, s:s, "
		"s:{s:b}}",
		"rp", "id", rp->rp_id, "name", app->cfg.company_name, "user",
		"id", hid, "name", email, "displayName", name, "challenge",
		challenge, "pubKeyCredParams", "type", "public-key", "alg",
		WA_EDDSA, "type", "public-key", "alg", WA_ES256, "type",
		"public-key", "alg", WA_RS256, "timeout", PASSKEY_TIMEOUT_MS,
		"excludeCredentials", exclude, "authenticatorSelection",
		"residentKey", "required", "requireResidentKey", 1,
		"userVerification", "required", "attestation", "none",
		"extensions", "credProps", 1);
}

int
passkey_register_options(struct app *app, struct store_conn *c,
			 const struct pk_who *who, json_t **public_key_out)
{
	const struct wa_rp *rp = passkey_rp(app, who->realm);
	uint8_t handle[PASSKEY_HANDLE_LEN];
	struct passkey_list l = {0};
	char email[256] = "", name[404] = "", b64[PK_CHALLENGE_B64], bind[96];
	int rc;

	*public_key_out = NULL;
	if (rp->n_origins == 0)
		return -GH_PASSKEYS_UNAVAILABLE;
	rc = user_handle(c, who->realm, who->id, handle);
	if (rc == 0)
		rc = user_names(app, c, who, email, sizeof(email), name,
				sizeof(name));
	if (rc == 0)
		rc = c->ops->passkeys->list(c, who->realm, who->id, &l);
	snprintf(bind, sizeof(bind), "session:%s", who->token_hash);
	if (rc == 0)
		rc = pk_challenge_new(app, c, who->realm, "register", who->id,
				      bind, PASSKEY_OPEN_CHALLENGES, b64);
	if (rc == 0) {
		*public_key_out = creation_options(app, handle, email, name,
						   b64, descriptors(&l), rp);
		if (*public_key_out == NULL)
			rc = -GH_INTERNAL;
	}
	passkey_list_clear(&l);
	crypto_wipe(b64, sizeof(b64));
	return rc;
}

/* What a registration carries from one step to the next. */
struct reg_job {
	struct app *app;
	const struct pk_who *who;
	const char *name;
	struct pk_reg_resp resp;
	struct wa_cred cred;
	struct passkey_rec rec;
	int64_t id;
};

static int
tx_register(struct store_conn *c, void *cls)
{
	struct reg_job *j = cls;
	char who[48], tag[16];
	int64_t n = 0;
	int rc = c->ops->passkeys->count(c, j->who->realm, j->who->id, &n);

	if (rc < 0)
		return rc;
	if (n >= PASSKEY_MAX_PER_ACCOUNT)
		return -GH_PASSKEY_LIMIT;
	if (j->name == NULL)
		snprintf(j->rec.name, sizeof(j->rec.name), "Passkey %lld",
			 (long long)n + 1);
	rc = c->ops->passkeys->insert(c, &j->rec, &j->id);
	if (rc == -GH_EXISTS)
		return -GH_PASSKEY_EXISTS;
	if (rc < 0)
		return rc;
	j->rec.id = j->id;
	pk_principal(j->who->realm, j->who->id, who, sizeof(who));
	pk_cred_tag(j->rec.cred_id, j->rec.cred_id_len, tag);
	return audit_log(j->app, c,
			 &(struct audit_ev){
				 .actor = who,
				 .action = "passkey.register",
				 .target = who,
				 .outcome = "success",
				 .ip = j->who->ip,
				 .request_id = j->who->request_id,
				 .detail = json_pack(
					 "{s:I, s:s, s:s, s:i, s:s, s:b}",
					 "passkey", (json_int_t)j->id, "cred",
					 tag, "fmt", j->rec.fmt, "alg",
					 j->rec.alg, "aaguid", j->rec.aaguid,
					 "backup_eligible",
					 j->rec.backup_eligible)});
}

/* The verified credential as it is stored. */
static void
reg_record(struct reg_job *j)
{
	struct passkey_rec *p = &j->rec;

	memset(p, 0, sizeof(*p));
	p->realm = j->who->realm;
	p->principal_id = j->who->id;
	memcpy(p->cred_id, j->cred.id, j->cred.id_len);
	p->cred_id_len = j->cred.id_len;
	memcpy(p->public_key, j->cred.pubkey, j->cred.pubkey_len);
	p->public_key_len = j->cred.pubkey_len;
	p->alg = j->cred.alg;
	p->sign_count = j->cred.sign_count;
	if (j->name != NULL)
		snprintf(p->name, sizeof(p->name), "%s", j->name);
	snprintf(p->fmt, sizeof(p->fmt), "%s", j->cred.fmt);
	snprintf(p->att_type, sizeof(p->att_type), "%s", j->cred.att_type);
	crypto_hex_encode(j->cred.aaguid, sizeof(j->cred.aaguid), p->aaguid,
			  sizeof(p->aaguid));
	snprintf(p->transports, sizeof(p->transports), "%s",
		 j->resp.transports);
	p->uv = (j->cred.flags & WA_FLAG_UV) != 0;
	p->backup_eligible = (j->cred.flags & WA_FLAG_BE) != 0;
	p->backup_state = (j->cred.flags & WA_FLAG_BS) != 0;
	p->created_at = (int64_t)time(NULL);
}

/* The challenge, then the verifier, then the id the browser named. */
static int
reg_verify(struct store_conn *c, struct reg_job *j, struct wa_why *why)
{
	struct passkey_challenge ch;
	uint8_t raw[WA_CHALLENGE_LEN];
	char bind[96];
	int rc;

	snprintf(bind, sizeof(bind), "session:%s", j->who->token_hash);
	rc = pk_challenge_take(j->app, c, j->who->realm, "register", bind,
			       j->resp.client_data, j->resp.client_data_len,
			       &ch, raw, why);
	if (rc < 0)
		return rc;
	if (j->resp.raw_id_len > WA_CRED_ID_MAX) {
		pk_why(why, "credential_id");
		return -GH_PASSKEY_REFUSED;
	}
	rc = webauthn_register_verify(
		passkey_rp(j->app, j->who->realm),
		&(struct wa_reg_in){j->resp.client_data,
				    j->resp.client_data_len, j->resp.att_obj,
				    j->resp.att_obj_len, raw, sizeof(raw)},
		&j->cred, why);
	crypto_wipe(raw, sizeof(raw));
	if (rc < 0)
		return -GH_PASSKEY_REFUSED;
	if (j->cred.id_len != j->resp.raw_id_len ||
	    memcmp(j->cred.id, j->resp.raw_id, j->cred.id_len) != 0) {
		pk_why(why, "credential_id");
		return -GH_PASSKEY_REFUSED;
	}
	return 0;
}

struct refused_job {
	struct reg_job *j;
	const char *reason;
	const char *field; /* "malformed": the member the parser named */
};

static int
tx_refused(struct store_conn *c, void *cls)
{
	struct refused_job *r = cls;
	char who[48];
	json_t *detail = json_pack("{s:s}", "reason", r->reason);

	if (detail != NULL && r->field != NULL)
		json_object_set_new(detail, "field", json_string(r->field));
	pk_principal(r->j->who->realm, r->j->who->id, who, sizeof(who));
	return audit_log(r->j->app, c,
			 &(struct audit_ev){
				 .actor = who,
				 .action = "passkey.register_refused",
				 .target = who,
				 .outcome = "failure",
				 .ip = r->j->who->ip,
				 .request_id = r->j->who->request_id,
				 .detail = detail});
}

/* passkey.register_refused with the reason (and the field of a malformed
 * credential, else NULL), in its own transaction. */
static int
reg_refused(struct store_conn *c, struct reg_job *j, const char *reason,
	    const char *field)
{
	struct refused_job r = {j, reason, field};

	return store_transact(c, tx_refused, &r);
}

int
passkey_register(struct app *app, struct store_conn *c,
		 const struct pk_who *who, const char *name,
		 const json_t *credential, json_t **passkey_out,
		 const char **field, struct wa_why *why)
{
	struct reg_job *j = calloc(1, sizeof(*j));
	int rc;

	*passkey_out = NULL;
	pk_why(why, "");
	if (j == NULL)
		return -GH_INTERNAL;
	j->app = app;
	j->who = who;
	j->name = name;
	rc = pk_parse_registration(credential, &j->resp, field);
	/* A malformed credential is refused as the parser says (400), and
	 * audited like any other refusal. */
	if (pk_malformed(rc) && reg_refused(c, j, "malformed", *field) < 0)
		rc = -GH_INTERNAL;
	if (rc == 0)
		rc = reg_verify(c, j, why);
	if (rc == 0) {
		reg_record(j);
		rc = store_transact(c, tx_register, j);
	}
	if ((rc == -GH_PASSKEY_REFUSED || rc == -GH_PASSKEY_EXISTS ||
	     rc == -GH_PASSKEY_LIMIT) &&
	    reg_refused(c, j,
			rc == -GH_PASSKEY_REFUSED ? why->word
			: rc == -GH_PASSKEY_EXISTS ? "exists"
						   : "limit",
			NULL) < 0)
		rc = -GH_INTERNAL;
	if (rc == 0) {
		*passkey_out = passkey_json(&j->rec);
		rc = *passkey_out != NULL ? 0 : -GH_INTERNAL;
	}
	free(j);
	return rc;
}

/* --- rename and delete ----------------------------------------------------- */

struct change_job {
	struct app *app;
	const struct pk_who *who;
	int64_t id;
	const char *name;      /* rename; NULL: delete */
	struct passkey_rec rec;
	int last;              /* delete refused: the last one */
};

static int
change_audit(struct store_conn *c, struct change_job *j, const char *action,
	     const char *outcome)
{
	char who[48];

	pk_principal(j->who->realm, j->who->id, who, sizeof(who));
	return audit_log(j->app, c,
			 &(struct audit_ev){
				 .actor = who,
				 .action = action,
				 .target = who,
				 .outcome = outcome,
				 .ip = j->who->ip,
				 .request_id = j->who->request_id,
				 .detail = json_pack("{s:I}", "passkey",
						     (json_int_t)j->id)});
}

static int
tx_change(struct store_conn *c, void *cls)
{
	struct change_job *j = cls;
	const struct pk_who *w = j->who;
	int64_t n = 0;
	int rc = c->ops->passkeys->get(c, w->realm, w->id, j->id, &j->rec);

	if (rc < 0 || j->name != NULL) {
		if (rc == 0)
			rc = c->ops->passkeys->rename(c, w->realm, w->id, j->id,
						      j->name);
		if (rc == 0)
			snprintf(j->rec.name, sizeof(j->rec.name), "%s",
				 j->name);
		return rc == 0 ? change_audit(c, j, "passkey.rename", "success")
			       : rc;
	}
	/* The last usable one: a flagged passkey logs nobody in, so it
	 * neither counts nor is kept. */
	rc = passkey_usable_count(c, w->realm, w->id, &n);
	if (rc < 0)
		return rc;
	if (!j->rec.counter_flagged && n <= 1 && w->realm == REALM_STAFF &&
	    passkey_role_required(j->app, w->role)) {
		j->last = 1;
		return change_audit(c, j, "passkey.delete_refused", "denied");
	}
	rc = c->ops->passkeys->remove(c, w->realm, w->id, j->id);
	return rc == 0 ? change_audit(c, j, "passkey.delete", "success") : rc;
}

int
passkey_rename(struct app *app, struct store_conn *c,
	       const struct pk_who *who, int64_t id, const char *name,
	       json_t **passkey_out)
{
	struct change_job j = {.app = app, .who = who, .id = id, .name = name};
	int rc = store_transact(c, tx_change, &j);

	*passkey_out = rc == 0 ? passkey_json(&j.rec) : NULL;
	return rc == 0 && *passkey_out == NULL ? -GH_INTERNAL : rc;
}

int
passkey_delete(struct app *app, struct store_conn *c,
	       const struct pk_who *who, int64_t id)
{
	struct change_job j = {.app = app, .who = who, .id = id};
	int rc = store_transact(c, tx_change, &j);

	return rc == 0 && j.last ? -GH_PASSKEY_LAST : rc;
}

int
passkey_delete_all(struct store_conn *c, enum realm realm,
		   int64_t principal_id, int64_t *n_out)
{
	return c->ops->passkeys->remove_all(c, realm, principal_id, n_out);
}
