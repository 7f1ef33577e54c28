/*
 * Verification endpoints (core/verify.h). Staff listener: start a
 * verification on a ticket, read it, add a factor, and (supervisors)
 * clear the lock a refused verification put on a ticket. Public listener:
 * the customer's pending approval requests and their answer (approve with
 * the number the agent reads out, or deny: "This isn't me"); a passkey
 * request is approved with the number and a passkey assertion (issue 17;
 * its options come from api/passkey_gate.c).
 *
 * The staff session's token hash binds a verification to the session
 * that started it. A verification is shown only to its agent; the
 * number to read out only while the approval waits. No code is ever
 * echoed.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/common.h"
#include "core/verify.h"
#include "util/errors.h"

/* 1 for a method the customer answers in the portal (number matching:
 * portal_approval, and passkey since issue 17). */
static int
approval_method(const char *method)
{
	return strcmp(method, "portal_approval") == 0 ||
	       strcmp(method, "passkey") == 0;
}

/* A factor as its agent sees it; the number to read out only while the
 * approval waits on a live verification. */
static json_t *
factor_json(const struct verification_factor *f, int live)
{
	json_t *o = json_pack("{s:s, s:s}", "method", f->method, "state",
			      f->state);

	if (o == NULL)
		return NULL;
	if (live && approval_method(f->method) &&
	    strcmp(f->state, "pending") == 0 && f->number > 0)
		json_object_set_new(o, "number", json_integer(f->number));
	if (strcmp(f->state, "pending") == 0 && strcmp(f->method, "totp") != 0 &&
	    !approval_method(f->method))
		json_object_set_new(o, "code_expires_at",
				    json_integer(f->code_expires_at));
	json_object_set_new(o, "tries_left",
			    json_integer(f->failures >= VERIFY_MAX_FAILURES
						 ? 0
						 : VERIFY_MAX_FAILURES -
							   f->failures));
	return o;
}

static json_t *
view_json(const struct verify_view *v)
{
	json_t *factors = json_array();

	for (size_t i = 0; factors != NULL && i < v->rec.n_factors; i++)
		json_array_append_new(
			factors,
			factor_json(&v->rec.f[i],
				    v->status != NULL &&
					    strcmp(v->status, "open") == 0));
	return json_pack("{s:I, s:I, s:I, s:i, s:s, s:I, s:o}", "id",
			 (json_int_t)v->rec.id, "ticket",
			 (json_int_t)v->rec.ticket_id, "customer",
			 (json_int_t)v->rec.customer_id, "level", v->level,
			 "status", v->status != NULL ? v->status : "ended",
			 "expires_at", (json_int_t)v->rec.expires_at,
			 "factors", factors);
}

int
api_verify_start(struct request *r)
{
	const struct jspec spec[] = {JSPEC_END};
	struct verify_view v;
	struct tk_actor a;
	int rc;

	rc = api_parse(r, spec);
	if (rc < 0)
		return rc;
	api_actor(r, &a);
	rc = verify_start(r->app, request_db(r), &a, r->actor.token_hash,
			  r->params[0], (int64_t)time(NULL), &v);
	if (rc < 0)
		return api_training_refused(r, rc);
	return api_created(r, view_json(&v));
}

int
api_verify_get(struct request *r)
{
	struct verify_view v;
	struct tk_actor a;
	int rc;

	api_actor(r, &a);
	rc = verify_get(r->app, request_db(r), &a, r->actor.token_hash,
			r->params[0], (int64_t)time(NULL), &v);
	if (rc < 0)
		return rc;
	return api_ok(r, view_json(&v));
}

/* The field an error of verify_factor is about. */
static int
factor_error(struct request *r, int rc, const char *method)
{
	if (rc == -GH_MISSING_FIELD || rc == -GH_BAD_CODE)
		return api_error_field(r, rc, "code");
	if (rc == -GH_BAD_FIELD)
		return api_error_field(r, rc,
				       approval_method(method) ? "code"
							       : "method");
	return api_training_refused(r, rc);
}

int
api_verify_factor(struct request *r)
{
	const char *method = NULL, *code = NULL;
	const struct jspec spec[] = {
		JSPEC_STR("method", &method, 1, 32, JS_REQUIRED),
		JSPEC_STR("code", &code, 1, 16, 0),
		JSPEC_END,
	};
	struct verify_factor_out out;
	struct tk_actor a;
	json_t *body;
	int rc;

	rc = api_parse(r, spec);
	if (rc < 0)
		return rc;
	api_actor(r, &a);
	rc = verify_factor(r->app, request_db(r), &a, r->actor.token_hash,
			   r->params[0], method, code, (int64_t)time(NULL),
			   &out);
	if (rc < 0)
		return factor_error(r, rc, method);
	if (!out.accepted)
		return api_ok(r, view_json(&out.view));
	body = json_pack("{s:o}", "verification", view_json(&out.view));
	if (out.sent_to[0] != '\0')
		json_object_set_new(body, "sent_to", json_string(out.sent_to));
	if (out.number > 0)
		json_object_set_new(body, "number", json_integer(out.number));
	return api_accepted(r, body);
}

/* "12,47,83" as a JSON array of numbers. */
static json_t *
choices_json(const char *choices)
{
	json_t *arr = json_array();
	const char *p = choices;

	while (arr != NULL && *p != '\0') {
		char *end = NULL;
		long n = strtol(p, &end, 10);

		if (end == p)
			break;
		json_array_append_new(arr, json_integer(n));
		p = *end == ',' ? end + 1 : end;
	}
	return arr;
}

int
api_portal_verify_list(struct request *r)
{
	struct verification_list l = {NULL, 0};
	struct tk_actor a;
	json_t *items;
	int rc;

	api_actor(r, &a);
	rc = verify_portal_list(r->app, request_db(r), &a,
				(int64_t)time(NULL), &l);
	if (rc < 0)
		return rc;
	items = json_array();
	for (size_t i = 0; items != NULL && i < l.n; i++) {
		const struct verification_rec *v = &l.v[i];

		json_array_append_new(
			items,
			json_pack("{s:I, s:{s:s}, s:I, s:o, s:I, s:s}", "id",
				  (json_int_t)v->id, "agent", "name",
				  v->staff_name, "ticket",
				  (json_int_t)v->ticket_id, "choices",
				  choices_json(v->f[0].choices), "expires_at",
				  (json_int_t)v->expires_at, "method",
				  v->f[0].method));
	}
	verification_list_clear(&l);
	return api_ok(r, json_pack("{s:o}", "items", items));
}

/* The customer's answer (with credential: a passkey approval); a
 * refusal's notice, or a refused assertion's reason, goes with the
 * reply. */
static int
answer(struct request *r, int approve, int64_t number,
       const json_t *credential)
{
	const char *notice = NULL, *field = NULL;
	struct tk_actor a;
	char why[32] = "";
	int rc;

	api_actor(r, &a);
	if (credential != NULL)
		rc = verify_passkey_answer(r->app, request_db(r), &a,
					   r->actor.token_hash, r->params[0],
					   number, credential,
					   (int64_t)time(NULL), &notice, &field,
					   why);
	else
		rc = verify_portal_answer(r->app, request_db(r), &a,
					  r->actor.token_hash, r->params[0],
					  approve, number, (int64_t)time(NULL),
					  &notice);
	if (rc == -GH_MISSING_FIELD || rc == -GH_BAD_FIELD)
		return api_error_field(r, rc,
				       field != NULL ? field : "credential");
	if (rc == -GH_PASSKEY_REFUSED) {
		json_decref(r->error_extra);
		r->error_extra = json_pack("{s:s}", "reason", why);
	}
	if (rc < 0 && notice != NULL) {
		json_decref(r->error_extra);
		r->error_extra = json_pack("{s:s}", "notice", notice);
	}
	if (rc < 0)
		return rc;
	if (notice != NULL)
		return api_ok(r, json_pack("{s:s, s:s}", "status", "denied",
					   "notice", notice));
	return api_ok(r, json_pack("{s:s, s:s}", "status", "approved",
				   "message",
				   "Thank you. You have confirmed your "
				   "identity to our agent."));
}

int
api_portal_verify_approve(struct request *r)
{
	int64_t number = 0;
	json_t *credential = NULL;
	const struct jspec spec[] = {
		JSPEC_INT("number", &number, 10, 99, JS_REQUIRED),
		JSPEC_OBJ("credential", &credential, 1, 8, 0),
		JSPEC_END,
	};
	int rc = api_parse(r, spec);

	if (rc < 0)
		return rc;
	return answer(r, 1, number, credential);
}

int
api_portal_verify_deny(struct request *r)
{
	const struct jspec spec[] = {JSPEC_END};
	int rc = api_parse(r, spec);

	if (rc < 0)
		return rc;
	return answer(r, 0, 0, NULL);
}

int
api_verify_lock_clear(struct request *r)
{
	const char *reason = NULL;
	const struct jspec spec[] = {
		JSPEC_STR("reason", &reason, VERIFY_REASON_MIN,
			  VERIFY_REASON_MAX, JS_REQUIRED | JS_MULTILINE),
		JSPEC_END,
	};
	struct tk_actor a;
	int rc;

	rc = api_parse(r, spec);
	if (rc < 0)
		return rc;
	api_actor(r, &a);
	rc = verify_lock_clear(r->app, request_db(r), &a, r->params[0],
			       reason, (int64_t)time(NULL));
	if (rc < 0)
		return api_field_error(r, rc, "reason");
	return api_ok(r, json_pack("{s:I, s:b}", "ticket",
				   (json_int_t)r->params[0], "locked", 0));
}
