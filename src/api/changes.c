/*
 * Account-change endpoints (dual control, core/changes.h). Staff
 * listener: an agent requests a change of a customer's e-mail, phone,
 * authenticator or account number (POST /customers/{id}/changes, with a
 * level-2 verification); supervisors and admins list the requests and
 * approve (not their own) or reject them. Public listener: the customer
 * lists their own changes and cancels one while it is pending or cooling
 * off. A new value is never returned by any of them. Who may do what and
 * when is decided in core; a handler parses, calls one core function and
 * encodes the result.
 */
#include <string.h>
#include <time.h>

#include "api/common.h"
#include "core/changes.h"
#include "util/errors.h"

/* A request as staff see it: who asked, on what ticket and verification,
 * why, who approved, when it takes effect, how it ended. */
static json_t *
staff_change(const struct change_rec *c)
{
	json_t *o = json_pack(
		"{s:I, s:o, s:s, s:s, s:s, s:I, s:I, s:o, s:I}", "id",
		(json_int_t)c->id, "customer",
		api_person_json(c->customer_id, c->customer_name), "kind",
		c->kind, "state", c->state, "reason", c->reason, "ticket",
		(json_int_t)c->ticket_id, "verification",
		(json_int_t)c->verification_id, "requested_by",
		api_person_json(c->requested_by, c->requested_by_name),
		"created_at", (json_int_t)c->created_at);

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "approved_by",
			    api_person_json(c->approved_by, c->approved_by_name));
	json_object_set_new(o, "approved_at", api_int_or_null(c->approved_at));
	json_object_set_new(o, "approval", api_text_or_null(c->approval));
	json_object_set_new(o, "apply_after", api_int_or_null(c->apply_after));
	json_object_set_new(o, "closed_at", api_int_or_null(c->closed_at));
	json_object_set_new(o, "closed_by", api_text_or_null(c->closed_by));
	json_object_set_new(o, "closing", api_text_or_null(c->closing));
	return o;
}

/* A change as its customer sees it: what, its state, when it takes
 * effect and whether it can still be cancelled. */
static json_t *
portal_change(const struct change_rec *c, int64_t now)
{
	int open = strcmp(c->state, "pending_approval") == 0 ||
		   (strcmp(c->state, "cooling_off") == 0 &&
		    c->apply_after > now);

	return json_pack("{s:I, s:s, s:s, s:I, s:o, s:o, s:b}", "id",
			 (json_int_t)c->id, "kind", c->kind, "state",
			 c->state, "created_at", (json_int_t)c->created_at,
			 "apply_after", api_int_or_null(c->apply_after),
			 "closed_at", api_int_or_null(c->closed_at), "can_cancel",
			 open);
}

/* GET /changes (staff) and /portal/changes: ?state=&limit=&offset=. */
static int
list_changes(struct request *r, int portal)
{
	static const char *const known[] = {"state", "limit", "offset", NULL};
	const char *state = request_query(r, "state");
	struct change_list l = {NULL, 0};
	int64_t now = (int64_t)time(NULL);
	int64_t limit, offset;
	struct tk_actor a;
	json_t *arr;
	int rc;

	rc = request_query_only(r, known);
	if (rc == 0)
		rc = api_paging(r, CHANGE_LIST_MAX, &limit, &offset);
	if (rc < 0)
		return rc;
	api_actor(r, &a);
	rc = changes_list(r->app, request_db(r), &a, state, limit, offset, now,
			  &l);
	if (rc == -GH_BAD_FIELD)
		return api_error_field(r, -GH_BAD_QUERY, "state");
	if (rc < 0)
		return rc;
	arr = json_array();
	for (size_t i = 0; i < l.n; i++)
		json_array_append_new(arr, portal ? portal_change(&l.v[i], now)
						  : staff_change(&l.v[i]));
	change_list_clear(&l);
	return api_page(r, "changes", arr, limit, offset);
}

int
api_changes_list(struct request *r)
{
	return list_changes(r, 0);
}

int
api_portal_changes_list(struct request *r)
{
	return list_changes(r, 1);
}

/* POST /changes/{id}/approve or /reject {reason}. */
static int
decide_change(struct request *r, int approve)
{
	const char *reason = NULL;
	const struct jspec spec[] = {
		JSPEC_STR("reason", &reason, CHANGE_REASON_MIN,
			  CHANGE_REASON_MAX, JS_REQUIRED),
		JSPEC_END,
	};
	int64_t now = (int64_t)time(NULL);
	struct change_rec c;
	struct tk_actor a;
	int rc;

	rc = api_parse(r, spec);
	if (rc < 0)
		return rc;
	api_actor(r, &a);
	rc = approve ? changes_approve(r->app, request_db(r), &a,
				       r->params[0], reason, now, &c)
		     : changes_reject(r->app, request_db(r), &a, r->params[0],
				      reason, now, &c);
	if (rc < 0)
		return api_field_error(r, rc, "reason");
	return api_ok(r, staff_change(&c));
}

int
api_changes_approve(struct request *r)
{
	return decide_change(r, 1);
}

int
api_changes_reject(struct request *r)
{
	return decide_change(r, 0);
}

int
api_portal_changes_cancel(struct request *r)
{
	const struct jspec spec[] = {JSPEC_END};
	int64_t now = (int64_t)time(NULL);
	struct change_rec c;
	struct tk_actor a;
	int rc;

	rc = api_parse(r, spec);
	if (rc < 0)
		return rc;
	api_actor(r, &a);
	rc = changes_cancel(r->app, request_db(r), &a, r->params[0], now, &c);
	if (rc < 0)
		return rc;
	return api_ok(r, portal_change(&c, now));
}

/* The body of 403 verification_required: the level needed and held. */
static int
verification_needed(struct request *r, int held)
{
	json_decref(r->error_extra);
	r->error_extra = json_pack("{s:i, s:i}", "level_needed",
				   CHANGE_LEVEL_NEEDED, "level_held", held);
	return -GH_VERIFICATION_REQUIRED;
}

int
api_changes_request(struct request *r)
{
	struct change_request_in in = {.customer_id = r->params[0],
				       .session_hash = r->actor.token_hash};
	const struct jspec spec[] = {
		JSPEC_STR("kind", &in.kind, 1, 16, JS_REQUIRED),
		JSPEC_STR("value", &in.value, 1, 254, 0),
		JSPEC_STR("reason", &in.reason, CHANGE_REASON_MIN,
			  CHANGE_REASON_MAX, JS_REQUIRED),
		JSPEC_INT("verification", &in.verification_id, 1, INT64_MAX,
			  JS_REQUIRED),
		JSPEC_END,
	};
	const char *field = NULL;
	struct change_rec c;
	struct tk_actor a;
	int held = 0;
	int rc;

	rc = api_parse(r, spec);
	if (rc < 0)
		return rc;
	api_actor(r, &a);
	rc = changes_request(r->app, request_db(r), &a, &in,
			     (int64_t)time(NULL), &c, &field, &held);
	if (rc == -GH_VERIFICATION_REQUIRED)
		return verification_needed(r, held);
	if (rc < 0 && field != NULL)
		return api_error_field(r, rc, field);
	if (rc < 0)
		return rc;
	return api_created(r, staff_change(&c));
}
