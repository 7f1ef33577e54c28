/*
 * POST/GET/DELETE .../session on both listeners: login with e-mail,
 * password and TOTP code; the current session (for a page reload: who is
 * logged in and the CSRF token); logout.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/auth.h"
#include "util/errors.h"
#include "core/password.h"
#include "core/session.h"
#include "core/tickets.h"
#include "crypto/totp.h"
#include "util/log.h"

int
api_bound_error(struct request *r, const struct jspec_fail *f)
{
	char msg[160];
	const char *unit = f->bytes ? "bytes" : "characters";
	json_t *extra;

	if (f->type == JS_STRING && f->bound == JSB_MAX) {
		if (f->bytes && f->max >= 1024 && f->max % 1024 == 0)
			snprintf(msg, sizeof(msg),
				 "%s is longer than %lld bytes (%lld KiB).",
				 f->field, (long long)f->max,
				 (long long)(f->max / 1024));
		else
			snprintf(msg, sizeof(msg), "%s is longer than %lld %s.",
				 f->field, (long long)f->max, unit);
		extra = json_pack("{s:s, s:I, s:s, s:s}", "field", f->field,
				  "max", (json_int_t)f->max, "unit", unit,
				  "message", msg);
	} else if (f->type == JS_STRING) {
		if (f->min <= 1)
			snprintf(msg, sizeof(msg), "%s must not be empty.",
				 f->field);
		else
			snprintf(msg, sizeof(msg),
				 "%s is shorter than %lld %s.", f->field,
				 (long long)f->min, unit);
		extra = json_pack("{s:s, s:I, s:s, s:s}", "field", f->field,
				  "min", (json_int_t)f->min, "unit", unit,
				  "message", msg);
	} else {
		if (f->max == INT64_MAX)
			snprintf(msg, sizeof(msg),
				 "%s must be a whole number of at least %lld.",
				 f->field, (long long)f->min);
		else
			snprintf(msg, sizeof(msg),
				 "%s must be a whole number from %lld to %lld.",
				 f->field, (long long)f->min,
				 (long long)f->max);
		extra = json_pack("{s:s, s:I, s:I, s:s}", "field", f->field,
				  "min", (json_int_t)f->min, "max",
				  (json_int_t)f->max, "message", msg);
	}
	json_decref(r->error_extra);
	r->error_extra = extra;
	return -GH_BAD_FIELD;
}

int
api_parse(struct request *r, const struct jspec *spec)
{
	struct jspec_fail fail;
	int rc = jspec_parse_ex(r->body != NULL ? r->body : "", r->body_len,
				spec, &r->json, &fail);

	if (rc == -GH_BAD_FIELD && fail.bound != JSB_NONE &&
	    fail.field != NULL)
		return api_bound_error(r, &fail);
	if (rc < 0 && fail.field != NULL)
		r->error_extra = json_pack("{s:s}", "field", fail.field);
	return rc;
}

static int
login(struct request *r, enum realm realm)
{
	const char *email = NULL;
	const char *password = NULL;
	const char *code = NULL;
	const struct jspec spec[] = {
		JSPEC_STR("email", &email, 1, 254, JS_REQUIRED),
		JSPEC_STR("password", &password, 1, PASSWORD_MAX_CHARS,
			  JS_REQUIRED),
		/* Empty or absent only for an account that still has to
		 * enrol its authenticator. */
		JSPEC_STR("totp", &code, 0, 16, 0),
		JSPEC_END,
	};
	struct login_req req;
	struct login_ok ok;
	int64_t retry = 0;
	char cookie[256];
	char name[404] = "";
	int rc;

	rc = api_parse(r, spec);
	if (rc < 0)
		return rc;
	req = (struct login_req){
		.realm = realm,
		.email = email,
		.password = password,
		.password_len = strlen(password),
		.code = code,
		.ip = r->ip,
		.request_id = r->request_id,
	};
	rc = auth_login(r->app, request_db(r), &req, &ok, &retry);
	if (rc == -GH_TOO_MANY_ATTEMPTS) {
		r->retry_after = retry;
		r->error_extra = json_pack("{s:I}", "retry_after",
					   (json_int_t)retry);
		return rc;
	}
	if (rc < 0)
		return rc;
	r->actor.authenticated = 1;
	r->actor.realm = realm;
	r->actor.id = ok.id;
	if (realm == REALM_STAFF) {
		rc = tickets_staff_name(request_db(r), ok.id, name,
					sizeof(name));
		if (rc < 0) {
			crypto_wipe(ok.token, sizeof(ok.token));
			return rc;
		}
	}
	session_cookie(realm, ok.token,
		       realm == REALM_STAFF
			       ? r->app->cfg.staff_absolute_seconds
			       : r->app->cfg.customer_absolute_seconds,
		       cookie, sizeof(cookie));
	crypto_wipe(ok.token, sizeof(ok.token));
	rc = reply_cookie(r, cookie);
	crypto_wipe(cookie, sizeof(cookie));
	if (rc < 0)
		return rc;
	if (realm == REALM_STAFF)
		reply_json(r, 201,
			   json_pack("{s:s, s:I, s:s, s:s}", "csrf_token",
				     ok.csrf, "id", (json_int_t)ok.id, "role",
				     ok.role, "name", name));
	else
		reply_json(r, 201,
			   json_pack("{s:s, s:I, s:b}", "csrf_token", ok.csrf,
				     "id", (json_int_t)ok.id,
				     "enrollment_required",
				     ok.enrollment_required));
	return 0;
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
	if (rc < 0)
		return rc;
	reply_json(r, 201,
		   json_pack("{s:s, s:s, s:s}", "otpauth_uri", uri, "secret",
			     secret, "qr_svg", svg));
	crypto_wipe(secret, sizeof(secret));
	crypto_wipe(uri, strlen(uri));
	free(uri);
	free(svg);
	return 0;
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
	return reply_json(r, 200, json_pack("{s:s}", "csrf_token", ok.csrf));
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

int
api_session_get(struct request *r)
{
	char csrf[CRYPTO_TOKEN_CHARS + 1];
	json_t *body;

	crypto_csrf_token(r->app->keys, r->actor.token_hash, csrf);
	body = json_pack("{s:s, s:I, s:s, s:I}", "csrf_token", csrf, "id",
			 (json_int_t)r->actor.id, "realm",
			 realm_name(r->actor.realm), "created_at",
			 (json_int_t)r->actor.session_created);
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
	} else
		json_object_set_new(body, "enrollment_required",
				    json_boolean(!r->actor.mfa));
	return reply_json(r, 200, body);
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
	return reply_json(r, 200, json_pack("{s:b}", "logged_out", 1));
}
