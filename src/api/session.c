/*
 * POST/GET/DELETE .../session on both listeners: login with e-mail,
 * password and TOTP code; the current session (for a page reload: who is
 * logged in and the CSRF token); logout. A login's password check
 * (argon2id) runs on the realm's worker pool, never on a server thread
 * or while a database connection is held (http/defer.h).
 */
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "core/auth.h"
#include "util/errors.h"
#include "core/password.h"
#include "core/passkeys.h"
#include "core/recovery.h"
#include "core/session.h"
#include "core/tickets.h"
#include "crypto/totp.h"
#include "http/defer.h"
#include "util/log.h"

/* 201 with the new session's CSRF token and who logged in; for staff
 * also the password's state (a forced or due change). */
static int
login_reply(struct request *r, enum realm realm, const struct login_ok *ok,
	    const char *name)
{
	json_t *body;
	int rc;

	if (realm == REALM_CUSTOMER)
		return api_created(r, json_pack("{s:s, s:I, s:b}", "csrf_token",
						ok->csrf, "id",
						(json_int_t)ok->id,
						"enrollment_required",
						ok->enrollment_required));
	body = json_pack("{s:s, s:I, s:s, s:s, s:b}", "csrf_token", ok->csrf,
			 "id", (json_int_t)ok->id, "role", ok->role, "name",
			 name, "passkey_enrollment_required",
			 ok->passkey_enrollment_required);
	rc = api_hyg_password_fields(r, ok->id, body);
	if (rc < 0) {
		json_decref(body);
		return rc;
	}
	return api_created(r, body);
}

/* The session of a login that succeeded: the cookie, then the reply
 * (api/common.h: the passkey login's too). */
int
api_login_open(struct request *r, enum realm realm, struct login_ok *ok)
{
	char cookie[256];
	char name[404] = "";
	int rc;

	r->actor.authenticated = 1;
	r->actor.realm = realm;
	r->actor.id = ok->id;
	if (realm == REALM_STAFF) {
		rc = tickets_staff_name(request_db(r), ok->id, name,
					sizeof(name));
		if (rc < 0)
			return rc;
	}
	session_cookie(realm, ok->token,
		       realm == REALM_STAFF
			       ? r->app->cfg.staff_absolute_seconds
			       : r->app->cfg.customer_absolute_seconds,
		       cookie, sizeof(cookie));
	rc = reply_cookie(r, cookie);
	crypto_wipe(cookie, sizeof(cookie));
	if (rc < 0)
		return rc;
	return login_reply(r, realm, ok, name);
}

/* A login whose password check runs on a worker pool (http/defer.h). */
struct login_job {
	enum realm realm;
	struct auth_attempt *attempt;
};

/* On the worker: argon2id and the code; no database connection. */
static void
login_work(void *arg)
{
	struct login_job *j = arg;

	auth_login_check(j->attempt);
}

/* Back on a server thread: the outcome, the session, the reply. */
static int
login_finish(struct request *r, void *arg)
{
	struct login_job *j = arg;
	struct login_ok ok;
	int rc;

	rc = auth_login_finish(request_db(r), j->attempt, &ok);
	if (rc == 0)
		rc = api_login_open(r, j->realm, &ok);
	crypto_wipe(&ok, sizeof(ok));
	return rc;
}

static void
login_release(void *arg)
{
	struct login_job *j = arg;

	auth_login_free(j->attempt);
	free(j);
}

/*
 * A full queue first (503 server_busy at once, before any database work,
 * so a flood costs no write), then the throttle (a refused attempt costs
 * no hash and no queue slot), then the password on the realm's own pool;
 * should the queue have filled meanwhile, 503 too (the attempt stays
 * counted).
 */
static int
login_start(struct request *r, enum realm realm, const struct login_req *req)
{
	struct workpool *pool = realm == REALM_STAFF
					? r->app->staff_login_pool
					: r->app->portal_login_pool;
	struct login_job *j;
	int64_t retry = 0;
	int rc = request_defer_room(r, pool);

	if (rc < 0)
		return rc;
	j = calloc(1, sizeof(*j));
	if (j == NULL)
		return -GH_INTERNAL;
	j->realm = realm;
	rc = auth_login_begin(r->app, request_db(r), req, &j->attempt, &retry);
	if (rc == -GH_TOO_MANY_ATTEMPTS) {
		r->retry_after = retry;
		r->error_extra = json_pack("{s:I}", "retry_after",
					   (json_int_t)retry);
	}
	if (rc == 0)
		rc = request_defer(r, pool, login_work, login_finish,
				   login_release, j);
	if (rc < 0)
		login_release(j);
	return rc;
}

static int
login(struct request *r, enum realm realm)
{
	const char *email = NULL;
	const char *password = NULL;
	const char *code = NULL;
	const char *recovery = NULL;
	const struct jspec spec[] = {
		JSPEC_STR("email", &email, 1, 254, JS_REQUIRED),
		JSPEC_STR("password", &password, 1, PASSWORD_MAX_CHARS,
			  JS_REQUIRED),
		/* Empty or absent only for an account that still has to
		 * enrol its authenticator. */
		JSPEC_STR("totp", &code, 0, 16, 0),
		/* Customers: instead of totp (core/recovery.h). */
		JSPEC_STR("recovery_code", &recovery, 0, 32, 0),
		JSPEC_END,
	};
	int rc;

	rc = api_parse(r, spec);
	if (rc < 0)
		return rc;
	if (recovery != NULL && recovery[0] == '\0')
		recovery = NULL;
	if (recovery != NULL &&
	    (realm != REALM_CUSTOMER || (code != NULL && code[0] != '\0')))
		return api_error_field(r, -GH_BAD_FIELD, "recovery_code");
	return login_start(r, realm,
			   &(struct login_req){
				   .realm = realm,
				   .email = email,
				   .password = password,
				   .password_len = strlen(password),
				   .code = code,
				   .recovery_code = recovery,
				   .ip = r->ip,
				   .request_id = r->request_id,
			   });
}

int
api_enroll_begin(struct request *r)
{
	char secret[TOTP_B32_CHARS + 1];
	char *uri = NULL;
	char *svg = NULL;
	int rc;

	rc = auth_enroll_begin(r->app, request_db(r), r->actor.realm,
			       r->actor.id, r->ip, r->request_id, secret, &uri,
			       &svg);
	/* A recovery login's session sets up a new authenticator. */
	if (rc == -GH_BAD_STATE && r->actor.realm == REALM_CUSTOMER &&
	    !r->actor.mfa)
		rc = recovery_enroll_begin(r->app, request_db(r), r->actor.id,
					   r->actor.token_hash, r->ip,
					   r->request_id, secret, &uri, &svg);
	if (rc < 0)
		return rc;
	api_created(r,
		   json_pack("{s:s, s:s, s:s}", "otpauth_uri", uri, "secret",
			     secret, "qr_svg", svg));
	crypto_wipe(secret, sizeof(secret));
	crypto_wipe(uri, strlen(uri));
	free(uri);
	free(svg);
	return 0;
}

/* The new session's CSRF token; for customers also their ten new
 * recovery codes, shown this once (core/recovery.h). */
static int
enroll_reply(struct request *r, const char *csrf)
{
	struct recovery_codes codes;
	json_t *body = json_pack("{s:s}", "csrf_token", csrf);
	json_t *arr;
	int rc;

	if (r->actor.realm != REALM_CUSTOMER)
		return api_ok(r, body);
	rc = recovery_issue(r->app, request_db(r), r->actor.id, "enrolment",
			    r->ip, r->request_id, &codes);
	if (rc < 0) {
		json_decref(body);
		return rc;
	}
	arr = json_array();
	for (size_t i = 0; i < RECOVERY_CODES; i++)
		json_array_append_new(arr, json_string(codes.v[i]));
	crypto_wipe(&codes, sizeof(codes));
	json_object_set_new(body, "recovery_codes", arr);
	return api_ok(r, body);
}

int
api_enroll_confirm(struct request *r)
{
	const char *code = NULL;
	const struct jspec spec[] = {
		JSPEC_STR("totp", &code, 1, 16, JS_REQUIRED),
		JSPEC_END,
	};
	struct login_ok ok;
	int64_t retry = 0;
	char cookie[256];
	int rc;

	rc = api_parse(r, spec);
	if (rc < 0)
		return rc;
	rc = auth_enroll_confirm(r->app, request_db(r), r->actor.realm,
				 r->actor.id, r->actor.token_hash, code, r->ip,
				 r->request_id, &ok, &retry);
	if (rc == -GH_BAD_STATE && r->actor.realm == REALM_CUSTOMER &&
	    !r->actor.mfa)
		rc = recovery_enroll_confirm(r->app, request_db(r),
					     r->actor.id, r->actor.token_hash,
					     code, r->ip, r->request_id, &ok,
					     &retry);
	if (rc == -GH_TOO_MANY_ATTEMPTS)
		r->retry_after = retry;
	if (rc < 0)
		return rc;
	session_cookie(r->actor.realm, ok.token,
		       r->actor.realm == REALM_STAFF
			       ? r->app->cfg.staff_absolute_seconds
			       : r->app->cfg.customer_absolute_seconds,
		       cookie, sizeof(cookie));
	crypto_wipe(ok.token, sizeof(ok.token));
	rc = reply_cookie(r, cookie);
	crypto_wipe(cookie, sizeof(cookie));
	if (rc < 0)
		return rc;
	return enroll_reply(r, ok.csrf);
}

int
api_staff_login(struct request *r)
{
	return login(r, REALM_STAFF);
}

int
api_portal_login(struct request *r)
{
	return login(r, REALM_CUSTOMER);
}

/* Issue 17: what http/security.c's passkey gate holds the session to
 * (PK_HOLD_ENROL: it may only enrol a passkey; PK_HOLD_PASSKEY: every
 * route but this one answers passkey_required), for the console to
 * explain. */
static enum pk_hold
session_passkey_hold(const struct request *r)
{
	if (r->actor.realm != REALM_STAFF)
		return PK_HOLD_NONE;
	return passkey_session_hold(r->app, r->actor.method, r->actor.mfa,
				    r->actor.role, r->actor.passkeys);
}

int
api_session_get(struct request *r)
{
	char csrf[CRYPTO_TOKEN_CHARS + 1];
	json_t *body;

	crypto_csrf_token(r->app->keys, r->actor.token_hash, csrf);
	body = json_pack("{s:s, s:I, s:s, s:I, s:s, s:b, s:b}", "csrf_token",
			 csrf, "id", (json_int_t)r->actor.id, "realm",
			 realm_name(r->actor.realm), "created_at",
			 (json_int_t)r->actor.session_created, "auth_method",
			 strcmp(r->actor.method, "passkey") == 0 ? "passkey"
								 : "password",
			 "passkey_enrollment_required",
			 session_passkey_hold(r) == PK_HOLD_ENROL,
			 "passkey_required",
			 session_passkey_hold(r) == PK_HOLD_PASSKEY);
	if (r->actor.realm == REALM_STAFF) {
		char name[404];
		int rc = tickets_staff_name(request_db(r), r->actor.id, name,
					    sizeof(name));

		if (rc < 0) {
			json_decref(body);
			return rc;
		}
		json_object_set_new(body, "role", json_string(r->actor.role));
		json_object_set_new(body, "name", json_string(name));
		rc = api_hyg_password_fields(r, r->actor.id, body);
		if (rc < 0) {
			json_decref(body);
			return rc;
		}
	} else
		json_object_set_new(body, "enrollment_required",
				    json_boolean(!r->actor.mfa));
	return api_ok(r, body);
}

int
api_session_delete(struct request *r)
{
	char cookie[128];
	int rc = auth_logout(r->app, request_db(r), r->actor.realm, r->actor.id,
			     r->actor.token_hash, r->ip, r->request_id);

	if (rc < 0)
		return rc;
	session_cookie(r->actor.realm, NULL, 0, cookie, sizeof(cookie));
	reply_cookie(r, cookie);
	return api_ok(r, json_pack("{s:b}", "logged_out", 1));
}
