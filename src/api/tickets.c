/*
 * Staff ticket endpoints (staff listener): the work list (filtered by
 * status, assignment and queue), one ticket with both threads (each item
 * labelled "message" or "note"), replies to the customer (through the
 * outbound check), internal notes, assignment, status and moving a ticket
 * to another queue (supervisors). Who may see what is decided in core/tickets.c; a ticket the
 * caller may not see answers 404. Customers' messages come with the
 * inbound analysis: what was redacted and the links, defanged, with
 * verdicts and reasons (never a clickable URL).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "util/errors.h"
#include "core/tickets.h"

int
api_query_int(struct request *r, const char *name, int64_t dflt, int64_t lo,
	      int64_t hi, int64_t *out)
{
	const char *v = request_query(r, name);
	char *end = NULL;
	long long n;

	*out = dflt;
	if (v == NULL)
		return 0;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || v[0] == '+' ||
	    v[0] == ' ' || n < lo || n > hi) {
		struct jspec_fail f = {name, JS_INT, JSB_MAX, lo, hi, 0};

		api_bound_error(r, &f);
		return -GH_BAD_QUERY;
	}
	*out = n;
	return 0;
}

void
api_tk_actor(struct request *r, struct tk_actor *a)
{
	a->realm = r->actor.realm;
	a->id = r->actor.id;
	a->role = r->actor.role;
	a->ip = r->ip;
	a->request_id = r->request_id;
}

static json_t *
person(int64_t id, const char *name)
{
	if (id <= 0)
		return json_null();
	return json_pack("{s:I, s:s}", "id", (json_int_t)id, "name", name);
}

static json_t *
ticket_summary(const struct ticket_rec *t)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:o, s:o, s:I, s:I}", "id",
			 (json_int_t)t->id, "subject", t->subject, "status",
			 t->status, "queue", t->queue_name, "customer",
			 person(t->customer_id, t->customer_name), "assignee",
			 person(t->assignee_id, t->assignee_name),
			 "created_at", (json_int_t)t->created_at, "updated_at",
			 (json_int_t)t->updated_at);
}

/* The analysed links of a customer's message as stored (defanged; see
 * core/inbound.h); an empty list for older rows. */
static json_t *
stored_links(const char *stored)
{
	json_t *v = stored != NULL ? json_loads(stored, 0, NULL) : NULL;

	if (!json_is_array(v)) {
		json_decref(v);
		v = json_array();
	}
	return v;
}

/* A staff-side message or note. For messages "author" is the customer's
 * display name or the staff member's name; messages carry "redacted"
 * (what the inbound scan removed) and customers' messages "links". */
static json_t *
staff_item(const struct thread_item *it, const char *body, int note,
	   const char *customer_name)
{
	json_t *o = json_pack(
		"{s:I, s:s, s:s, s:s, s:I}", "id", (json_int_t)it->id, "kind",
		note ? "note" : "message", "author",
		it->author_realm == REALM_STAFF ? it->author_name
						: customer_name,
		"body", body, "created_at", (json_int_t)it->created_at);

	if (o != NULL && !note)
		json_object_set_new(o, "from",
				    json_string(it->author_realm == REALM_STAFF
							? "agent"
							: "customer"));
	if (o != NULL && !note)
		json_object_set_new(o, "redacted",
				    api_redactions(it->redactions));
	if (o != NULL && !note && it->author_realm == REALM_CUSTOMER)
		json_object_set_new(o, "links", stored_links(it->links));
	return o;
}

static int
parse_assigned(const char *v, enum ticket_assigned *out)
{
	if (v == NULL || strcmp(v, "any") == 0)
		*out = TA_ANY;
	else if (strcmp(v, "me") == 0)
		*out = TA_ME;
	else if (strcmp(v, "unassigned") == 0)
		*out = TA_UNASSIGNED;
	else
		return -GH_BAD_QUERY;
	return 0;
}

int
api_tickets_list(struct request *r)
{
	static const char *const known[] = {"status", "assigned", "queue",
					    "limit", "offset", NULL};
	const char *status = request_query(r, "status");
	const char *queue = request_query(r, "queue");
	enum ticket_assigned assigned;
	struct ticket_list l = {NULL, 0};
	struct tk_actor a;
	int64_t limit, offset;
	json_t *arr;
	int rc;

	/* No free-text search or other filter: the queue takes these. */
	rc = request_query_only(r, known);
	if (rc < 0)
		return rc;
	rc = api_query_int(r, "limit", 25, 1, TICKET_LIST_MAX, &limit);
	if (rc == 0)
		rc = api_query_int(r, "offset", 0, 0, INT32_MAX, &offset);
	if (rc < 0)
		return rc;
	if (parse_assigned(request_query(r, "assigned"), &assigned) < 0) {
		r->error_extra = json_pack("{s:s}", "field", "assigned");
		return -GH_BAD_QUERY;
	}
	if (status != NULL && strcmp(status, "any") == 0)
		status = NULL;
	if (status != NULL && !tickets_valid_status(status)) {
		r->error_extra = json_pack("{s:s}", "field", "status");
		return -GH_BAD_QUERY;
	}
	api_tk_actor(r, &a);
	rc = tickets_staff_list_queue(r->app, request_db(r), &a, status,
				      assigned, queue, limit, offset, &l);
	if (rc == -GH_UNKNOWN_QUEUE)
		r->error_extra = json_pack("{s:s}", "field", "queue");
	if (rc < 0)
		return rc;
	arr = json_array();
	for (size_t i = 0; i < l.n; i++)
		json_array_append_new(arr, ticket_summary(&l.v[i]));
	ticket_list_clear(&l);
	return reply_json(r, 200,
			  json_pack("{s:o, s:I, s:I}", "tickets", arr, "limit",
				    (json_int_t)limit, "offset",
				    (json_int_t)offset));
}

int
api_tickets_get(struct request *r)
{
	struct ticket_rec t;
	struct thread_list msgs, notes;
	struct tk_actor a;
	json_t *body, *jm, *jn;
	int rc;

	api_tk_actor(r, &a);
	rc = tickets_staff_get(r->app, request_db(r), &a, r->params[0], &t,
			       &msgs, &notes);
	if (rc < 0)
		return rc;
	body = ticket_summary(&t);
	jm = json_array();
	jn = json_array();
	for (size_t i = 0; i < msgs.n; i++)
		json_array_append_new(jm, staff_item(&msgs.v[i], msgs.v[i].body,
						     0, t.customer_name));
	for (size_t i = 0; i < notes.n; i++)
		json_array_append_new(jn, staff_item(&notes.v[i],
						     notes.v[i].body, 1, ""));
	json_object_set_new(body, "messages", jm);
	json_object_set_new(body, "notes", jn);
	thread_list_clear(&msgs);
	thread_list_clear(&notes);
	return reply_json(r, 200, body);
}

/* The staff member's own name, for the item just written. */
static void
own_name(struct request *r, int64_t ticket_id, struct thread_item *it,
	 int note)
{
	struct thread_list l = {NULL, 0};
	struct store_conn *c = request_db(r);
	int rc = note ? c->ops->staff_notes(c, ticket_id, &l)
		      : c->ops->staff_messages(c, ticket_id, &l);

	if (rc < 0)
		return;
	for (size_t i = 0; i < l.n; i++)
		if (l.v[i].id == it->id)
			memcpy(it->author_name, l.v[i].author_name,
			       sizeof(it->author_name));
	thread_list_clear(&l);
}

static int
post_text(struct request *r, int note)
{
	const char *text = NULL;
	const struct jspec spec[] = {
		JSPEC_STR("body", &text, 1, TICKET_BODY_MAX,
			  JS_REQUIRED | JS_MULTILINE | JS_BYTES),
		JSPEC_END,
	};
	struct thread_item it;
	struct tk_actor a;
	json_t *findings = NULL;
	int rc;

	rc = api_parse(r, spec);
	if (rc < 0)
		return rc;
	api_tk_actor(r, &a);
	if (note)
		rc = tickets_note(r->app, request_db(r), &a, r->params[0], text,
				  &it);
	else
		rc = tickets_reply(r->app, request_db(r), &a, r->params[0],
				   text, &it, &findings);
	if (rc == -GH_DLP_BLOCKED) {
		r->error_extra = json_pack("{s:o}", "findings", findings);
		return rc;
	}
	if (rc < 0 && (rc == -GH_BAD_FIELD || rc == -GH_BAD_UTF8))
		r->error_extra = json_pack("{s:s}", "field", "body");
	if (rc < 0)
		return rc;
	own_name(r, r->params[0], &it, note);
	return reply_json(r, 201, staff_item(&it, text, note, ""));
}

int
api_tickets_reply(struct request *r)
{
	return post_text(r, 0);
}

int
api_tickets_note(struct request *r)
{
	return post_text(r, 1);
}

int
api_tickets_assign(struct request *r)
{
	int64_t staff_id = 0;
	const struct jspec spec[] = {
		JSPEC_INT("staff_id", &staff_id, 1, INT64_MAX, JS_REQUIRED),
		JSPEC_END,
	};
	struct ticket_rec t;
	struct tk_actor a;
	int rc;

	rc = api_parse(r, spec);
	if (rc < 0)
		return rc;
	api_tk_actor(r, &a);
	rc = tickets_assign(r->app, request_db(r), &a, r->params[0], staff_id,
			    &t);
	if (rc == -GH_BAD_FIELD)
		r->error_extra = json_pack("{s:s}", "field", "staff_id");
	if (rc < 0)
		return rc;
	return reply_json(r, 200, ticket_summary(&t));
}

int
api_tickets_status(struct request *r)
{
	const char *status = NULL;
	const struct jspec spec[] = {
		JSPEC_STR("status", &status, 1, 16, JS_REQUIRED),
		JSPEC_END,
	};
	struct ticket_rec t;
	struct tk_actor a;
	int rc;

	rc = api_parse(r, spec);
	if (rc < 0)
		return rc;
	api_tk_actor(r, &a);
	rc = tickets_set_status(r->app, request_db(r), &a, r->params[0],
				status, &t);
	if (rc == -GH_BAD_FIELD)
		r->error_extra = json_pack("{s:s}", "field", "status");
	if (rc < 0)
		return rc;
	return reply_json(r, 200, ticket_summary(&t));
}

int
api_tickets_move(struct request *r)
{
	const char *queue = NULL;
	const struct jspec spec[] = {
		JSPEC_STR("queue", &queue, 1, QUEUE_NAME_MAX, JS_REQUIRED),
		JSPEC_END,
	};
	struct ticket_rec t;
	struct tk_actor a;
	int rc;

	rc = api_parse(r, spec);
	if (rc < 0)
		return rc;
	api_tk_actor(r, &a);
	rc = tickets_move(r->app, request_db(r), &a, r->params[0], queue, &t);
	if (rc == -GH_UNKNOWN_QUEUE)
		r->error_extra = json_pack("{s:s}", "field", "queue");
	if (rc < 0)
		return rc;
	return reply_json(r, 200, ticket_summary(&t));
}
