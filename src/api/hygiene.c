/*
 * Sessions, logins and passwords (issue 11 part C, core/hygiene.h), on
 * both listeners: GET .../sessions (the caller's live sessions), DELETE
 * .../sessions/{id} (end one of them, 204; the caller's own session is a
 * logout), GET .../logins (the caller's newest logins). A session is
 * named by its public id, never by its token or the token's hash. Staff
 * also change their own password (POST /staff/password) and admins force
 * a member's change (POST /admin/staff/{id}/force-password-change); the
 * change's argon2id work runs on the staff login pool (http/defer.h).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/common.h"
#include "core/hygiene.h"
#include "core/password.h"
#include "core/session.h"
#include "http/defer.h"
#include "util/errors.h"

static void
who_of(struct request *r, struct hyg_who *w)
{
	*w = (struct hyg_who){.realm = r->actor.realm,
			      .id = r->actor.id,
			      .token_hash = r->actor.token_hash,
			      .ip = r->ip,
			      .request_id = r->request_id};
}

/* 204 No Content. */
static int
reply_no_content(struct request *r)
{
	json_decref(r->reply);
	r->reply = NULL;
	r->status = 204;
	r->raw = (const unsigned char *)"";
	r->raw_len = 0;
	r->content_type = "application/json; charset=utf-8";
	return 0;
}

static json_t *
session_json(const struct session_info *s)
{
	char net[HYGIENE_NETWORK_BYTES];

	hygiene_network(s->ip, net, sizeof(net));
	return json_pack("{s:I, s:I, s:I, s:s, s:s, s:b, s:b}", "id",
			 (json_int_t)s->id, "created_at",
			 (json_int_t)s->created_at, "last_seen",
			 (json_int_t)s->last_seen, "ip", s->ip, "network", net,
			 "current", s->current, "mfa", s->mfa);
}

int
api_hyg_sessions(struct request *r)
{
	struct session_info_list l;
	struct hyg_who w;
	json_t *items;
	int rc;

	who_of(r, &w);
	rc = hygiene_sessions(r->app, request_db(r), &w, (int64_t)time(NULL),
			      &l);
	if (rc < 0)
		return rc;
	items = json_array();
	for (size_t i = 0; i < l.n; i++)
		json_array_append_new(items, session_json(&l.v[i]));
	session_info_list_clear(&l);
	return api_ok(r, json_pack("{s:o}", "sessions", items));
}

int
api_hyg_session_end(struct request *r)
{
	struct hyg_who w;
	char cookie[128];
	int current = 0;
	int rc;

	who_of(r, &w);
	rc = hygiene_session_end(r->app, request_db(r), &w, r->params[0],
				 &current);
	if (rc < 0)
		return rc;
	if (current) {
		session_cookie(r->actor.realm, NULL, 0, cookie, sizeof(cookie));
		rc = reply_cookie(r, cookie);
		if (rc < 0)
			return rc;
	}
	return reply_no_content(r);
}

int
api_hyg_logins(struct request *r)
{
	struct login_list l;
	struct hyg_who w;
	json_t *items;
	int rc;

	who_of(r, &w);
	rc = hygiene_logins(r->app, request_db(r), &w, &l);
	if (rc < 0)
		return rc;
	items = json_array();
	for (size_t i = 0; i < l.n; i++)
		json_array_append_new(
			items, json_pack("{s:I, s:s, s:s, s:s, s:b}", "at",
					 (json_int_t)l.v[i].at, "ip",
					 l.v[i].ip, "network",
					 l.v[i].network, "method",
					 l.v[i].method, "ok", l.v[i].ok));
	login_list_clear(&l);
	return api_ok(r, json_pack("{s:o}", "logins", items));
}

/* The refusal of a password change, with the field it is about. */
static int
change_refused(struct request *r, int rc, const char *reason,
	       int64_t retry)
{
	json_decref(r->error_extra);
	r->error_extra = NULL;
	if (rc == -GH_TOO_MANY_ATTEMPTS) {
		r->retry_after = retry;
		r->error_extra = json_pack("{s:I}", "retry_after",
					   (json_int_t)retry);
	} else if (rc == -GH_LOGIN_FAILED) {
		rc = -GH_FORBIDDEN;
		r->error_extra =
			json_pack("{s:s, s:s}", "field", "current", "message",
				  "The current password is not correct.");
	} else if (rc == -GH_WEAK_PASSWORD && reason != NULL) {
		r->error_extra = json_pack("{s:s, s:s}", "field", "new",
					   "message", reason);
	} else if (rc == -GH_PASSWORD_REUSED) {
		r->error_extra = json_pack("{s:s}", "field", "new");
	}
	return rc;
}

/* On the staff login pool's worker: the argon2id work, no database. */
static void
change_work(void *arg)
{
	hygiene_password_change_check(arg);
}

/* Back on a server thread: the outcome stored and audited, the reply. */
static int
change_finish(struct request *r, void *arg)
{
	const char *reason = NULL;
	int rc = hygiene_password_change_finish(request_db(r), arg, &reason);

	if (rc < 0)
		return change_refused(r, rc, reason, 0);
	return api_ok(r, json_pack("{s:b}", "changed", 1));
}

static void
change_release(void *arg)
{
	hygiene_password_change_free(arg);
}

/*
 * A full queue first (503 server_busy at once, before any database work),
 * then the throttle (a refused attempt costs no hash), then the passwords
 * on the staff login pool (a member's change competes with staff logins,
 * never with customers'); should the queue have filled meanwhile, 503 too
 * (the attempt stays counted).
 */
int
api_hyg_password_change(struct request *r)
{
	const char *current = NULL;
	const char *next = NULL;
	const struct jspec spec[] = {
		JSPEC_STR("current", &current, 1, PASSWORD_MAX_CHARS,
			  JS_REQUIRED),
		JSPEC_STR("new", &next, 1, PASSWORD_MAX_CHARS, JS_REQUIRED),
		JSPEC_END,
	};
	struct workpool *pool = r->app->staff_login_pool;
	struct hyg_pw_change in;
	struct hyg_pw_job *job = NULL;
	struct hyg_who w;
	int64_t retry = 0;
	int rc;

	rc = api_parse(r, spec);
	if (rc == 0)
		rc = request_defer_room(r, pool);
	if (rc < 0)
		return rc;
	who_of(r, &w);
	in = (struct hyg_pw_change){current, strlen(current), next,
				    strlen(next)};
	rc = hygiene_password_change_begin(r->app, request_db(r), &w, &in,
					   (int64_t)time(NULL), &job, &retry);
	if (rc < 0)
		return change_refused(r, rc, NULL, retry);
	rc = request_defer(r, pool, change_work, change_finish,
			   change_release, job);
	if (rc < 0)
		hygiene_password_change_free(job);
	return rc;
}

int
api_hyg_password_force(struct request *r)
{
	const char *reason = NULL;
	const struct jspec spec[] = {
		JSPEC_STR("reason", &reason, 3, 500, JS_REQUIRED),
		JSPEC_END,
	};
	struct hyg_force f;
	char actor[48];
	int64_t ended = 0;
	int rc;

	rc = api_parse(r, spec);
	if (rc < 0)
		return rc;
	snprintf(actor, sizeof(actor), "staff:%lld", (long long)r->actor.id);
	f = (struct hyg_force){.staff_id = r->params[0],
			       .reason = reason,
			       .actor = actor,
			       .ip = r->ip,
			       .request_id = r->request_id};
	rc = hygiene_password_force(r->app, request_db(r), &f, NULL, &ended);
	if (rc < 0)
		return rc;
	return api_ok(r, json_pack("{s:I, s:b, s:I}", "id",
				   (json_int_t)r->params[0],
				   "password_change_required", 1,
				   "sessions_ended", (json_int_t)ended));
}

int
api_hyg_password_fields(struct request *r, int64_t staff_id, json_t *body)
{
	struct hyg_pw_status st;
	int rc = hygiene_password_status(r->app, request_db(r), staff_id,
					 (int64_t)time(NULL), &st);

	if (rc < 0)
		return rc;
	json_object_set_new(body, "password_change_required",
			    json_boolean(st.required));
	json_object_set_new(body, "password_change_reason",
			    st.why != NULL ? json_string(st.why) : json_null());
	json_object_set_new(body, "password_changed_at",
			    json_integer((json_int_t)st.changed_at));
	json_object_set_new(body, "password_expires_at",
			    st.expires_at > 0
				    ? json_integer((json_int_t)st.expires_at)
				    : json_null());
	return 0;
}
