/*
 * Staff training over HTTP (core/training.h): the staff member's own
 * modules and statuses, one module with its content and quiz (never the
 * answers), quiz attempts, the admins' module editor (the import format)
 * and the supervisors' status of every staff member. Also the body of the
 * gate's refusal (403 training_required with the modules) for the
 * handlers of verification and reveal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/common.h"
#include "core/training.h"
#include "util/errors.h"

/* The module id in r's path after prefix, up to the next "/" (the router
 * matched it as a {name} segment). */
static void
path_module(const struct request *r, const char *prefix, char *out,
	    size_t sz)
{
	const char *p = r->path + strlen(prefix);
	size_t n = strcspn(p, "/?");

	if (strncmp(r->path, prefix, strlen(prefix)) != 0 || n >= sz)
		n = 0;
	memcpy(out, p, n);
	out[n] = '\0';
}

int
api_training_refused(struct request *r, int rc)
{
	json_t *missing = NULL;

	if (rc != -GH_TRAINING_REQUIRED)
		return rc;
	if (training_gate(r->app, request_db(r), r->actor.id,
			  (int64_t)time(NULL), &missing) ==
	    -GH_TRAINING_REQUIRED) {
		json_decref(r->error_extra);
		r->error_extra = json_pack("{s:o}", "modules", missing);
	}
	return rc;
}

/* One state as the staff member and supervisors see it. */
static json_t *
state_json(const struct app *app, const struct training_state *s,
	   int64_t now)
{
	json_t *o = json_pack("{s:s, s:s, s:b, s:s}", "id", s->module_id,
			      "title", s->title, "required",
			      training_is_required(app, s), "status",
			      training_status(s, now));

	json_object_set_new(o, "completed_at",
			    s->completed_at > 0 ? json_integer(s->completed_at)
						: json_null());
	json_object_set_new(o, "expires_at",
			    s->expires_at > 0 ? json_integer(s->expires_at)
					      : json_null());
	if (s->assigned_at > 0)
		json_object_set_new(o, "assigned",
				    json_pack("{s:I, s:s}", "at",
					      (json_int_t)s->assigned_at,
					      "reason", s->reason));
	return o;
}

/* GET /api/v1/me/training */
int
api_me_training(struct request *r)
{
	struct training_state_list l = {NULL, 0};
	int64_t now = (int64_t)time(NULL);
	json_t *mods, *missing = NULL;
	int rc;

	rc = training_states(request_db(r), r->actor.id, &l);
	if (rc < 0)
		return rc;
	mods = json_array();
	for (size_t i = 0; i < l.n; i++)
		json_array_append_new(mods, state_json(r->app, &l.v[i], now));
	training_state_list_clear(&l);
	rc = training_gate(r->app, request_db(r), r->actor.id, now, &missing);
	if (rc < 0 && rc != -GH_TRAINING_REQUIRED) {
		json_decref(mods);
		return rc;
	}
	return api_ok(r, json_pack("{s:o, s:b, s:o}", "modules", mods,
				   "gate_open", rc == 0, "missing",
				   missing != NULL ? missing : json_array()));
}

/* The staff member's own state of module id, into *out (0 when there is
 * none). */
static int
own_state(struct request *r, const char *id, struct training_state *out)
{
	struct training_state_list l = {NULL, 0};
	int rc = training_states(request_db(r), r->actor.id, &l);

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; rc == 0 && i < l.n; i++)
		if (strcmp(l.v[i].module_id, id) == 0)
			*out = l.v[i];
	training_state_list_clear(&l);
	return rc;
}

/* GET /api/v1/training/{module} */
int
api_training_get(struct request *r)
{
	struct training_module m;
	struct training_state s;
	char id[TRAINING_ID_MAX + 1];
	json_t *body;
	int rc;

	path_module(r, "/api/v1/training/", id, sizeof(id));
	rc = training_module(request_db(r), id, &m);
	if (rc == 0)
		rc = own_state(r, id, &s);
	if (rc < 0) {
		training_module_clear(&m);
		return rc;
	}
	body = state_json(r->app, &s, (int64_t)time(NULL));
	json_object_set_new(body, "title", json_string(m.title));
	json_object_set_new(body, "pass_mark", json_integer(m.pass_mark));
	json_object_set_new(body, "html", json_string(m.html));
	json_object_set_new(body, "questions", training_quiz_public(m.quiz));
	training_module_clear(&m);
	return api_ok(r, body);
}

/* POST /api/v1/training/{module}/attempts {answers: {qid: [indexes]}} */
int
api_training_attempt(struct request *r)
{
	json_t *answers = NULL;
	const struct jspec spec[] = {
		JSPEC_OBJ("answers", &answers, 1, TRAINING_QUESTIONS_MAX,
			  JS_REQUIRED),
		JSPEC_END,
	};
	struct training_result res;
	char id[TRAINING_ID_MAX + 1];
	struct tk_actor a;
	int rc;

	rc = api_parse(r, spec);
	if (rc < 0)
		return rc;
	path_module(r, "/api/v1/training/", id, sizeof(id));
	api_actor(r, &a);
	rc = training_attempt(r->app, request_db(r), &a, id, answers,
			      (int64_t)time(NULL), &res);
	if (rc == -GH_RATE_LIMITED)
		r->retry_after = TRAINING_ATTEMPT_WINDOW;
	if (rc < 0)
		return api_field_error(r, rc, "answers");
	return api_created(r, json_pack("{s:I, s:b, s:I, s:o}", "score",
					(json_int_t)res.score, "passed",
					res.passed, "pass_mark",
					(json_int_t)res.pass_mark, "expires_at",
					res.passed ? json_integer(res.expires_at)
						   : json_null()));
}

/* GET /api/v1/admin/training/{module}: the module in the import format
 * (its ID.md text and its quiz with the answers), for editing. */
int
api_admin_training_get(struct request *r)
{
	struct training_module m;
	char id[TRAINING_ID_MAX + 1];
	json_t *quiz;
	int rc;

	path_module(r, "/api/v1/admin/training/", id, sizeof(id));
	rc = training_module(request_db(r), id, &m);
	if (rc < 0)
		return rc;
	quiz = json_loads(m.quiz, 0, NULL);
	rc = api_ok(r, json_pack("{s:s, s:s, s:s, s:o, s:s, s:I}", "id", m.id,
				 "title", m.title, "markdown", m.markdown,
				 "quiz", quiz != NULL ? quiz : json_object(),
				 "updated_by", m.updated_by, "updated_at",
				 (json_int_t)m.updated_at));
	training_module_clear(&m);
	return rc;
}

/* PUT /api/v1/admin/training/{module} {markdown, quiz}: creates or
 * replaces the module as an import of its two files would. */
int
api_admin_training_put(struct request *r)
{
	const char *md = NULL;
	json_t *quiz = NULL;
	const struct jspec spec[] = {
		JSPEC_STR("markdown", &md, 1, TRAINING_MD_MAX,
			  JS_REQUIRED | JS_MULTILINE | JS_BYTES),
		JSPEC_OBJ("quiz", &quiz, 1, 1, JS_REQUIRED),
		JSPEC_END,
	};
	char id[TRAINING_ID_MAX + 1], mdname[TRAINING_ID_MAX + 8];
	char qname[TRAINING_ID_MAX + 16], by[48], err[512] = "";
	struct training_file files[2];
	struct tk_actor a;
	size_t n = 0;
	char *qtext;
	int rc;

	rc = api_parse(r, spec);
	if (rc < 0)
		return rc;
	path_module(r, "/api/v1/admin/training/", id, sizeof(id));
	snprintf(mdname, sizeof(mdname), "%s.md", id);
	snprintf(qname, sizeof(qname), "%s.quiz.json", id);
	qtext = json_dumps(quiz, JSON_COMPACT);
	if (qtext == NULL)
		return -GH_INTERNAL;
	files[0] = (struct training_file){mdname, md, strlen(md)};
	files[1] = (struct training_file){qname, qtext, strlen(qtext)};
	api_actor(r, &a);
	actor_label(&a, by, sizeof(by));
	rc = training_import(r->app, request_db(r), by, files, 2,
			     (int64_t)time(NULL), err, sizeof(err), &n);
	free(qtext);
	if (rc == -GH_BAD_MODULE) {
		json_decref(r->error_extra);
		r->error_extra = json_pack("{s:s}", "message", err);
	}
	if (rc < 0)
		return rc;
	return api_ok(r, json_pack("{s:s, s:s}", "id", id, "status",
				   "saved"));
}

/* GET /api/v1/supervisor/training: every staff member's statuses. */
int
api_supervisor_training(struct request *r)
{
	struct training_state_list l = {NULL, 0};
	int64_t now = (int64_t)time(NULL);
	json_t *staff, *cur = NULL, *mods = NULL;
	int rc = training_states(request_db(r), 0, &l);

	if (rc < 0)
		return rc;
	staff = json_array();
	for (size_t i = 0; i < l.n; i++) {
		const struct training_state *s = &l.v[i];
		int required = training_is_required(r->app, s);
		const char *st = training_status(s, now);

		if (i == 0 || s->staff_id != l.v[i - 1].staff_id) {
			mods = json_array();
			cur = json_pack("{s:I, s:s, s:s, s:b, s:o}", "id",
					(json_int_t)s->staff_id, "name",
					s->staff_name, "role", s->role,
					"gate_open", 1, "modules", mods);
			json_array_append_new(staff, cur);
		}
		if (required && strcmp(st, "current") != 0)
			json_object_set_new(cur, "gate_open", json_false());
		json_array_append_new(mods, state_json(r->app, s, now));
	}
	training_state_list_clear(&l);
	return api_ok(r, json_pack("{s:o}", "staff", staff));
}
