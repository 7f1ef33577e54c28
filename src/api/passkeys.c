/*
 * Passkeys (issue 17) on both listeners, the same bodies under
 * /api/v1/staff and /api/v1/portal (docs/api.md, "Passkeys (WebAuthn)"):
 * registration options and registration, list, rename and delete of the
 * caller's own passkeys; the login options and the login with a passkey
 * (no session, no CSRF token: the Origin check, as the password login).
 * The credential's JSON form is read strictly by core/passkeys.h; a
 * refusal of the verifier answers 400 passkey_refused with its reason,
 * a refused login the password login's 401 login_failed.
 */
#include <stdio.h>
#include <string.h>

#include "api/common.h"
#include "core/passkeys.h"
#include "util/errors.h"

static enum realm
realm_of(const struct request *r)
{
	return r->listener == LISTEN_STAFF ? REALM_STAFF : REALM_CUSTOMER;
}

static void
who_of(struct request *r, struct pk_who *w)
{
	*w = (struct pk_who){.realm = r->actor.realm,
			     .id = r->actor.id,
			     .role = r->actor.role,
			     .token_hash = r->actor.token_hash,
			     .ip = r->ip,
			     .request_id = r->request_id};
}

/* A core error about the credential: the field it names, or the
 * verifier's reason. */
static int
credential_error(struct request *r, int rc, const char *field,
		 const struct wa_why *why)
{
	if (rc == -GH_BAD_FIELD || rc == -GH_MISSING_FIELD ||
	    rc == -GH_UNKNOWN_FIELD)
		return api_error_field(r, rc,
				       field != NULL ? field : "credential");
	if (rc == -GH_PASSKEY_REFUSED && why != NULL) {
		json_decref(r->error_extra);
		r->error_extra = json_pack("{s:s}", "reason", why->word);
	}
	return rc;
}

int
api_passkey_options(struct request *r)
{
	const struct jspec spec[] = {JSPEC_END};
	struct pk_who w;
	json_t *pk = NULL;
	int rc = api_parse(r, spec);

	if (rc < 0)
		return rc;
	who_of(r, &w);
	rc = passkey_register_options(r->app, request_db(r), &w, &pk);
	if (rc < 0)
		return rc;
	return api_ok(r, json_pack("{s:o}", "publicKey", pk));
}

int
api_passkey_register(struct request *r)
{
	const char *name = NULL;
	json_t *cred = NULL, *pk = NULL;
	const struct jspec spec[] = {
		JSPEC_STR("name", &name, 1, 64, 0),
		JSPEC_OBJ("credential", &cred, 1, 16, JS_REQUIRED),
		JSPEC_END,
	};
	const char *field = NULL;
	struct wa_why why = {""};
	struct pk_who w;
	int rc = api_parse(r, spec);

	if (rc < 0)
		return rc;
	who_of(r, &w);
	rc = passkey_register(r->app, request_db(r), &w, name, cred, &pk,
			      &field, &why);
	if (rc < 0)
		return credential_error(r, rc, field, &why);
	return api_created(r, json_pack("{s:o}", "passkey", pk));
}

int
api_passkey_list(struct request *r)
{
	json_t *arr = NULL;
	int rc = passkey_list(r->app, request_db(r), r->actor.realm,
			      r->actor.id, &arr);

	if (rc < 0)
		return rc;
	return api_ok(r, json_pack("{s:o, s:b}", "passkeys", arr, "required",
				   r->actor.realm == REALM_STAFF &&
					   passkey_role_required(
						   r->app, r->actor.role)));
}

int
api_passkey_rename(struct request *r)
{
	const char *name = NULL;
	const struct jspec spec[] = {
		JSPEC_STR("name", &name, 1, 64, JS_REQUIRED),
		JSPEC_END,
	};
	struct pk_who w;
	json_t *pk = NULL;
	int rc = api_parse(r, spec);

	if (rc < 0)
		return rc;
	who_of(r, &w);
	rc = passkey_rename(r->app, request_db(r), &w, r->params[0], name, &pk);
	if (rc < 0)
		return rc;
	return api_ok(r, json_pack("{s:o}", "passkey", pk));
}

int
api_passkey_delete(struct request *r)
{
	struct pk_who w;
	int rc;

	who_of(r, &w);
	rc = passkey_delete(r->app, request_db(r), &w, r->params[0]);
	if (rc < 0)
		return rc;
	return api_ok(r, json_pack("{s:b}", "deleted", 1));
}

int
api_passkey_login_options(struct request *r)
{
	const char *email = NULL;
	const struct jspec spec[] = {
		JSPEC_STR("email", &email, 1, 254, 0),
		JSPEC_END,
	};
	int64_t retry = 0;
	json_t *pk = NULL;
	int rc = api_parse(r, spec);

	if (rc < 0)
		return rc;
	rc = passkey_login_options(r->app, request_db(r), realm_of(r), email,
				   r->ip, &pk, &retry);
	if (rc == -GH_TOO_MANY_ATTEMPTS) {
		r->retry_after = retry;
		r->error_extra = json_pack("{s:I}", "retry_after",
					   (json_int_t)retry);
	}
	if (rc == -GH_BAD_FIELD)
		return api_error_field(r, rc, "email");
	if (rc < 0)
		return rc;
	return api_ok(r, json_pack("{s:o}", "publicKey", pk));
}

int
api_passkey_login(struct request *r)
{
	json_t *cred = NULL;
	const struct jspec spec[] = {
		JSPEC_OBJ("credential", &cred, 1, 16, JS_REQUIRED),
		JSPEC_END,
	};
	const char *field = NULL;
	struct login_ok ok;
	int64_t retry = 0;
	int rc = api_parse(r, spec);

	if (rc < 0)
		return rc;
	rc = passkey_login(r->app, request_db(r), realm_of(r), cred, r->ip,
			   r->request_id, &ok, &field, &retry);
	if (rc == -GH_TOO_MANY_ATTEMPTS) {
		r->retry_after = retry;
		r->error_extra = json_pack("{s:I}", "retry_after",
					   (json_int_t)retry);
	}
	if (rc == 0) {
		snprintf(r->actor.method, sizeof(r->actor.method), "passkey");
		rc = api_login_open(r, realm_of(r), &ok);
	}
	crypto_wipe(&ok, sizeof(ok));
	return credential_error(r, rc, field, NULL);
}
