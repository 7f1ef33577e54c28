/*
 * Customer self-service endpoints (issue 15, part SELF; public listener):
 * the password change, new recovery codes, ending every other session,
 * "forgot password" and the reset from its link, marking one's own
 * ticket solved, and the optional self sign-up (404 while it is off). The argon2id work of a change runs on the portal's
 * login pool (http/defer.h), never on a server thread; a full queue is
 * 503 server_busy before any database work.
 *
 * Nothing here returns or logs a password, a code or a link's token,
 * except the new recovery codes in the one reply that shows them.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/common.h"
#include "core/password.h"
#include "core/portal_password.h"
#include "core/session.h"
#include "core/signup.h"
#include "http/defer.h"
#include "util/errors.h"

/* A refusal with the field it is about (and the policy's sentence, or
 * when to try again). */
static int
refused(struct request *r, int rc, const char *field, const char *reason,
	int64_t retry)
{
	json_decref(r->error_extra);
	r->error_extra = NULL;
	if (rc == -GH_TOO_MANY_ATTEMPTS) {
		r->retry_after = retry;
		r->error_extra = json_pack("{s:I}", "retry_after",
					   (json_int_t)retry);
		return rc;
	}
	if (field == NULL)
		return rc;
	if (rc == -GH_WEAK_PASSWORD && reason != NULL)
		r->error_extra = json_pack("{s:s, s:s}", "field", field,
					   "message", reason);
	else if (rc == -GH_FORBIDDEN)
		r->error_extra = json_pack(
			"{s:s, s:s}", "field", field, "message",
			"The current password is not correct.");
	else
		r->error_extra = json_pack("{s:s}", "field", field);
	return rc;
}

/* Exactly one second factor: the authenticator's code or a recovery
 * code (empty strings count as absent). */
static int
one_factor(struct request *r, const char **totp, const char **recovery)
{
	if (*totp != NULL && (*totp)[0] == '\0')
		*totp = NULL;
	if (*recovery != NULL && (*recovery)[0] == '\0')
		*recovery = NULL;
	if (*totp == NULL && *recovery == NULL)
		return api_error_field(r, -GH_SECOND_FACTOR_REQUIRED, "totp");
	if (*totp != NULL && *recovery != NULL)
		return api_error_field(r, -GH_BAD_FIELD, "recovery_code");
	return 0;
}

static void
self_work(void *arg)
{
	self_check(arg);
}

static void
self_release(void *arg)
{
	self_free(arg);
}

static int
self_done(struct request *r, void *arg)
{
	struct self_result res;
	json_t *codes;
	int rc = self_finish(request_db(r), arg, &res);

	if (rc < 0)
		return refused(r, rc, res.field, res.reason, 0);
	if (res.op != SELF_CODES)
		return api_ok(r, json_pack("{s:b, s:I}", "changed", 1,
					   "sessions_ended",
					   (json_int_t)res.sessions_ended));
	codes = json_array();
	for (size_t i = 0; i < RECOVERY_CODES; i++)
		json_array_append_new(codes, json_string(res.codes.v[i]));
	crypto_wipe(&res.codes, sizeof(res.codes));
	return api_ok(r, json_pack("{s:o}", "recovery_codes", codes));
}

/* Begins q and hands its slow part to the portal's login pool. */
static int
self_start(struct request *r, struct self_req *q)
{
	struct workpool *pool = r->app->portal_login_pool;
	struct self_job *job = NULL;
	int64_t retry = 0;
	int rc = request_defer_room(r, pool);

	if (rc < 0)
		return rc;
	q->ip = r->ip;
	q->request_id = r->request_id;
	rc = self_begin(r->app, request_db(r), q, (int64_t)time(NULL), &job,
			&retry);
	if (rc < 0)
		return refused(r, rc, rc == -GH_LINK_INVALID ? "token" : NULL,
			       NULL, retry);
	rc = request_defer(r, pool, self_work, self_done, self_release, job);
	if (rc < 0)
		self_free(job);
	return rc;
}

int
api_portal_password_change(struct request *r)
{
	const char *current = NULL, *next = NULL, *totp = NULL, *rec = NULL;
	const struct jspec spec[] = {
		JSPEC_STR("current", &current, 1, PASSWORD_MAX_CHARS,
			  JS_REQUIRED),
		JSPEC_STR("totp", &totp, 0, 16, 0),
		JSPEC_STR("recovery_code", &rec, 0, 32, 0),
		JSPEC_STR("new", &next, 1, PASSWORD_MAX_CHARS, JS_REQUIRED),
		JSPEC_END,
	};
	int rc = api_parse(r, spec);

	if (rc == 0)
		rc = one_factor(r, &totp, &rec);
	if (rc < 0)
		return rc;
	return self_start(r, &(struct self_req){
				     .op = SELF_CHANGE,
				     .customer_id = r->actor.id,
				     .token_hash = r->actor.token_hash,
				     .current = current,
				     .current_len = strlen(current),
				     .totp = totp,
				     .recovery_code = rec,
				     .next = next,
				     .next_len = strlen(next)});
}

int
api_portal_recovery_new(struct request *r)
{
	const char *password = NULL, *totp = NULL;
	const struct jspec spec[] = {
		JSPEC_STR("password", &password, 1, PASSWORD_MAX_CHARS,
			  JS_REQUIRED),
		JSPEC_STR("totp", &totp, 0, 16, 0),
		JSPEC_END,
	};
	int rc = api_parse(r, spec);

	if (rc < 0)
		return rc;
	if (totp == NULL || totp[0] == '\0')
		return api_error_field(r, -GH_SECOND_FACTOR_REQUIRED, "totp");
	return self_start(r, &(struct self_req){
				     .op = SELF_CODES,
				     .customer_id = r->actor.id,
				     .token_hash = r->actor.token_hash,
				     .current = password,
				     .current_len = strlen(password),
				     .totp = totp});
}

int
api_portal_password_reset(struct request *r)
{
	const char *token = NULL, *next = NULL, *totp = NULL, *rec = NULL;
	const struct jspec spec[] = {
		JSPEC_STR("token", &token, 1, 64, JS_REQUIRED),
		JSPEC_STR("totp", &totp, 0, 16, 0),
		JSPEC_STR("recovery_code", &rec, 0, 32, 0),
		JSPEC_STR("new", &next, 1, PASSWORD_MAX_CHARS, JS_REQUIRED),
		JSPEC_END,
	};
	int rc = api_parse(r, spec);

	if (rc == 0)
		rc = one_factor(r, &totp, &rec);
	if (rc < 0)
		return rc;
	return self_start(r, &(struct self_req){.op = SELF_RESET,
						.link_token = token,
						.totp = totp,
						.recovery_code = rec,
						.next = next,
						.next_len = strlen(next)});
}

int
api_portal_recovery_get(struct request *r)
{
	int64_t n = 0;
	int rc = portal_recovery_remaining(request_db(r), r->actor.id, &n);

	if (rc < 0)
		return rc;
	return api_ok(r, json_pack("{s:I, s:i}", "remaining", (json_int_t)n,
				   "issued", RECOVERY_CODES));
}

int
api_portal_sessions_end_others(struct request *r)
{
	const struct jspec spec[] = {JSPEC_END};
	int64_t ended = 0;
	int rc = api_parse(r, spec);

	if (rc == 0)
		rc = portal_sessions_end_others(r->app, request_db(r),
						r->actor.id, r->actor.token_hash,
						r->ip, r->request_id, &ended);
	if (rc < 0)
		return rc;
	return api_ok(r, json_pack("{s:I}", "sessions_ended",
				   (json_int_t)ended));
}

/* The same answer whatever the address: 202 and a sentence. */
int
api_portal_password_forgot(struct request *r)
{
	const char *email = NULL;
	const struct jspec spec[] = {
		JSPEC_STR("email", &email, 1, 254, JS_REQUIRED),
		JSPEC_END,
	};
	int64_t retry = 0;
	int rc = api_parse(r, spec);

	if (rc < 0)
		return rc;
	rc = portal_password_forgot(r->app, request_db(r), email, r->ip,
				    r->request_id, (int64_t)time(NULL), &retry);
	if (rc == -GH_BAD_FIELD)
		return api_error_field(r, rc, "email");
	if (rc < 0)
		return refused(r, rc, NULL, NULL, retry);
	return api_accepted(
		r, json_pack("{s:s}", "message",
			     "If this address belongs to an account, a link "
			     "to choose a new password is on its way. You "
			     "will also need your authenticator app or a "
			     "recovery code. Lost both? Contact support."));
}

int
api_portal_ticket_solve(struct request *r)
{
	const struct jspec spec[] = {JSPEC_END};
	struct ticket_rec t;
	int changed = 0;
	int rc = api_parse(r, spec);

	if (rc == 0)
		rc = portal_ticket_solve(r->app, request_db(r), r->actor.id,
					 r->params[0], r->ip, r->request_id,
					 (int64_t)time(NULL), &t, &changed);
	if (rc < 0)
		return rc;
	return api_ok(r, json_pack("{s:I, s:s, s:s, s:I, s:b}", "id",
				   (json_int_t)t.id, "subject", t.subject,
				   "status", t.status, "updated_at",
				   (json_int_t)t.updated_at, "changed",
				   changed));
}

/* Whether sign-up is open (the portal shows "Create an account"). */
int
api_portal_signup_get(struct request *r)
{
	return api_ok(r, json_pack("{s:b}", "open", signup_enabled(r->app)));
}

/* Sign-up, step one: the same answer whatever the address. */
int
api_portal_signup(struct request *r)
{
	const char *email = NULL;
	const struct jspec spec[] = {
		JSPEC_STR("email", &email, 1, 254, JS_REQUIRED),
		JSPEC_END,
	};
	int64_t retry = 0;
	int rc;

	if (!signup_enabled(r->app))
		return -GH_NOT_FOUND;
	rc = api_parse(r, spec);
	if (rc < 0)
		return rc;
	rc = signup_request(r->app, request_db(r), email, r->ip, r->request_id,
			    (int64_t)time(NULL), &retry);
	if (rc == -GH_BAD_FIELD)
		return api_error_field(r, rc, "email");
	if (rc < 0)
		return refused(r, rc, NULL, NULL, retry);
	return api_accepted(
		r, json_pack("{s:s}", "message",
			     "Check your e-mail: if this address can open an "
			     "account, a link to go on is on its way."));
}

static void
signup_work(void *arg)
{
	signup_check(arg);
}

static void
signup_release(void *arg)
{
	signup_free(arg);
}

/* The new customer's enrolment-only session: the cookie and the reply
 * a login gives. */
static int
signup_done(struct request *r, void *arg)
{
	struct signup_result res;
	char cookie[256];
	int rc = signup_finish(request_db(r), arg, &res);

	if (rc < 0)
		return refused(r, rc, res.field, res.reason, 0);
	session_cookie(REALM_CUSTOMER, res.ok.token,
		       r->app->cfg.customer_absolute_seconds, cookie,
		       sizeof(cookie));
	rc = reply_cookie(r, cookie);
	crypto_wipe(cookie, sizeof(cookie));
	if (rc == 0)
		rc = api_created(r, json_pack("{s:s, s:I, s:b}", "csrf_token",
					      res.ok.csrf, "id",
					      (json_int_t)res.ok.id,
					      "enrollment_required", 1));
	crypto_wipe(&res.ok, sizeof(res.ok));
	return rc;
}

/* Sign-up, step two: the link's token, the address again, a name and
 * a password; the password's work on the portal's login pool. */
int
api_portal_signup_confirm(struct request *r)
{
	const char *token = NULL, *email = NULL, *name = NULL, *pw = NULL;
	const struct jspec spec[] = {
		JSPEC_STR("token", &token, 1, 64, JS_REQUIRED),
		JSPEC_STR("email", &email, 1, 254, JS_REQUIRED),
		JSPEC_STR("name", &name, 1, 100, JS_REQUIRED),
		JSPEC_STR("password", &pw, 1, PASSWORD_MAX_CHARS, JS_REQUIRED),
		JSPEC_END,
	};
	struct workpool *pool = r->app->portal_login_pool;
	struct signup_job *job = NULL;
	int64_t retry = 0;
	int rc;

	if (!signup_enabled(r->app))
		return -GH_NOT_FOUND;
	rc = api_parse(r, spec);
	if (rc == 0)
		rc = request_defer_room(r, pool);
	if (rc < 0)
		return rc;
	rc = signup_begin(r->app, request_db(r),
			  &(struct signup_req){token, email, name, pw,
					       strlen(pw), r->ip,
					       r->request_id},
			  (int64_t)time(NULL), &job, &retry);
	if (rc < 0)
		return refused(r, rc, rc == -GH_LINK_INVALID ? "token" : NULL,
			       NULL, retry);
	rc = request_defer(r, pool, signup_work, signup_done, signup_release,
			   job);
	if (rc < 0)
		signup_free(job);
	return rc;
}
