/*
 * Staff ticket endpoints (staff listener): the work list (filtered by
 * status, assignment and queue), one ticket with both threads (each item
 * labelled "message" or "note") and its held replies, replies to the
 * customer (through the outbound check), internal notes, assignment,
 * status, moving a ticket to another queue (supervisors), and the release
 * or discard of a held reply (supervisors other than its author). Who may
 * see and do what is decided in core/tickets.h; a ticket the caller may
 * not see answers 404. Customers' messages come with the inbound
 * analysis: what was redacted and the links, defanged, with verdicts and
 * reasons (never a clickable URL).
 *
 * A reply the outbound check refuses answers 422 dlp_blocked with the
 * findings (types and offsets, never the text); a reply the check could
 * not run on in full is held: 202 with {"status": "held", "reason", a
 * plain-language "notice" and the held reply}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/quota.h"
#include "core/tickets.h"
#include "util/errors.h"

/*
 * The view's objects are built member by member rather than through
 * json_pack (whose format parsing cost a share of every view), with
 * json_pack's outcome: the keys in the same order, and NULL for the whole
 * object when a text is NULL or not UTF-8. Each takes and returns o
 * (NULL in, NULL out), and steals v.
 */
static json_t *
with_val(json_t *o, const char *key, json_t *v)
{
	if (o == NULL || v == NULL ||
	    json_object_set_new_nocheck(o, key, v) < 0) {
		json_decref(o);
		json_decref(v);
		return NULL;
	}
	return o;
}

static json_t *
with_str(json_t *o, const char *key, const char *text)
{
	return with_val(o, key, text != NULL ? json_string(text) : NULL);
}

static json_t *
with_int(json_t *o, const char *key, int64_t v)
{
	return with_val(o, key, json_integer((json_int_t)v));
}

static json_t *
person(int64_t id, const char *name)
{
	if (id <= 0)
		return json_null();
	return with_str(with_int(json_object(), "id", id), "name", name);
}

static json_t *
ticket_summary(const struct ticket_rec *t)
{
	json_t *o = with_int(json_object(), "id", t->id);

	o = with_str(o, "subject", t->subject);
	o = with_str(o, "status", t->status);
	o = with_str(o, "queue", t->queue_name);
	o = with_val(o, "customer", person(t->customer_id, t->customer_name));
	o = with_val(o, "assignee", person(t->assignee_id, t->assignee_name));
	o = with_int(o, "created_at", t->created_at);
	return with_int(o, "updated_at", t->updated_at);
}

/* Supervisors see a phishing drill's ticket marked; its target (an
 * agent) sees it as any other ticket. */
static json_t *
staff_summary(const struct ticket_rec *t, const struct tk_actor *a)
{
	json_t *o = ticket_summary(t);

	if (o != NULL && t->drill_id > 0 && actor_is_supervisor(a))
		json_object_set_new(o, "drill", json_true());
	return o;
}

/* A staff-side message or note. For messages "author" is the customer's
 * display name or the staff member's name; messages carry "redacted"
 * (what the inbound scan removed) and customers' messages "links" (the
 * analysed links as stored, defanged; core/inbound.h). */
static json_t *
staff_item(const struct thread_item *it, const char *body, int note,
	   const char *customer_name)
{
	json_t *o = with_int(json_object(), "id", it->id);

	o = with_str(o, "kind", note ? "note" : "message");
	o = with_str(o, "author", it->author_realm == REALM_STAFF
					  ? it->author_name
					  : customer_name);
	o = with_str(o, "body", body);
	o = with_int(o, "created_at", it->created_at);
	if (o == NULL || note)
		return o;
	json_object_set_new(o, "from",
			    json_string(it->author_realm == REALM_STAFF
						? "agent"
						: "customer"));
	json_object_set_new(o, "redacted",
			    api_stored_array(it->redactions));
	if (it->author_realm == REALM_CUSTOMER)
		json_object_set_new(o, "links", api_stored_array(it->links));
	return o;
}

/* A held reply: who wrote it and why it waits, and once decided, who
 * decided, when, why, and the message it became. */
static json_t *
held_item(const struct held_reply *h)
{
	int decided = h->decided_by > 0;
	json_t *o = json_pack(
		"{s:I, s:s, s:o, s:s, s:s, s:s, s:I}", "id", (json_int_t)h->id,
		"kind", "held", "author", person(h->author_id, h->author_name),
		"body", h->body != NULL ? h->body : "", "reason", h->reason,
		"state", h->state, "created_at", (json_int_t)h->created_at);

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "decided_by",
			    decided ? person(h->decided_by, h->decided_by_name)
				    : json_null());
	json_object_set_new(o, "decided_at",
			    decided ? json_integer(h->decided_at)
				    : json_null());
	json_object_set_new(o, "decision",
			    decided ? json_string(h->decision) : json_null());
	json_object_set_new(o, "message_id",
			    h->message_id > 0 ? json_integer(h->message_id)
					      : json_null());
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
					    "limit", "offset", "cursor", NULL};
	const char *status = request_query(r, "status");
	const char *queue = request_query(r, "queue");
	enum ticket_assigned assigned;
	struct ticket_list l = {NULL, 0};
	struct tk_page pg = {0, 0, NULL, ""};
	struct tk_actor a;
	json_t *arr;
	int rc;

	/* No free-text search or other filter: the queue takes these. */
	rc = request_query_only(r, known);
	if (rc == 0)
		rc = api_cursor_paging(r, TICKET_LIST_MAX, TICKET_OFFSET_MAX,
				       &pg.limit, &pg.offset, &pg.cursor);
	if (rc < 0)
		return rc;
	if (parse_assigned(request_query(r, "assigned"), &assigned) < 0)
		return api_error_field(r, -GH_BAD_QUERY, "assigned");
	if (status != NULL && strcmp(status, "any") == 0)
		status = NULL;
	if (status != NULL && !tickets_valid_status(status))
		return api_error_field(r, -GH_BAD_QUERY, "status");
	api_actor(r, &a);
	rc = tickets_staff_page(r->app, request_db(r), &a, status, assigned,
				queue, &pg, &l);
	if (rc == -GH_UNKNOWN_QUEUE || rc == -GH_BAD_CURSOR)
		return api_error_field(r, rc, rc == -GH_BAD_CURSOR ? "cursor"
								  : "queue");
	if (rc < 0)
		return rc;
	arr = json_array();
	for (size_t i = 0; i < l.n; i++)
		json_array_append_new(arr, staff_summary(&l.v[i], &a));
	ticket_list_clear(&l);
	return api_cursor_page(r, "tickets", arr, pg.limit, pg.offset,
			       pg.next);
}

/* The most reported messages of one ticket marked (as many as
 * drills_reported_messages() lists: the first, by id). */
#define REPORTED_MARKED 64

/* The ticket's messages into jm; customers' messages carry "reported"
 * (true when the customer reported it as phishing; the console shows
 * them so), read with the messages. */
static void
add_messages(json_t *jm, const struct thread_list *msgs,
	     const char *customer_name)
{
	size_t reported = 0;

	for (size_t i = 0; i < msgs->n; i++) {
		const struct thread_item *it = &msgs->v[i];
		json_t *m = staff_item(it, it->body, 0, customer_name);
		int marked = it->reported && reported++ < REPORTED_MARKED;

		if (m != NULL && it->author_realm == REALM_CUSTOMER)
			json_object_set_new(m, "reported",
					    json_boolean(marked));
		json_array_append_new(jm, m);
	}
}

/* The ticket's held replies, for its staff view (cleared here). */
static void
add_held(json_t *body, struct held_list *hl)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < hl->n; i++)
		json_array_append_new(arr, held_item(&hl->v[i]));
	held_list_clear(hl);
	json_object_set_new(body, "held", arr);
}

int
api_tickets_get(struct request *r)
{
	struct ticket_rec t;
	struct thread_list msgs, notes;
	struct held_list hl;
	struct tk_actor a;
	json_t *body, *jm, *jn;
	int rc;

	api_actor(r, &a);
	rc = tickets_staff_view(r->app, request_db(r), &a, r->params[0], &t,
				&msgs, &notes, &hl);
	if (rc < 0)
		return rc;
	body = staff_summary(&t, &a);
	jm = json_array();
	jn = json_array();
	add_messages(jm, &msgs, t.customer_name);
	for (size_t i = 0; i < notes.n; i++)
		json_array_append_new(jn, staff_item(&notes.v[i],
						     notes.v[i].body, 1, ""));
	json_object_set_new(body, "messages", jm);
	json_object_set_new(body, "notes", jn);
	thread_list_clear(&msgs);
	thread_list_clear(&notes);
	add_held(body, &hl);
	return api_ok(r, body);
}

/* The answer to a reply: sent (201, the message), or held (202, the
 * held reply and why). */
static int
reply_result(struct request *r, const struct tk_reply *res,
	     const char *text)
{
	struct held_reply h;
	json_t *item;

	if (!res->held)
		return api_created(r, staff_item(&res->item, text, 0, ""));
	memset(&h, 0, sizeof(h));
	h.id = res->item.id;
	h.ticket_id = res->item.ticket_id;
	h.author_id = res->item.author_id;
	memcpy(h.author_name, res->item.author_name, sizeof(h.author_name));
	h.body = strdup(text);
	snprintf(h.reason, sizeof(h.reason), "%s", res->reason);
	snprintf(h.state, sizeof(h.state), "held");
	h.created_at = res->item.created_at;
	item = h.body != NULL ? held_item(&h) : NULL;
	held_reply_clear(&h);
	if (item == NULL)
		return -GH_INTERNAL;
	return api_accepted(r, json_pack("{s:s, s:s, s:s, s:o}", "status",
					 "held", "reason", res->reason,
					 "notice",
					 err_message(GH_NOTES_TOO_LARGE),
					 "held", item));
}

/* The findings of a refused text in the error body (types and offsets,
 * never the text). */
static int
blocked(struct request *r, const struct dlp_findings *f)
{
	json_decref(r->error_extra);
	r->error_extra = json_pack("{s:o}", "findings", dlp_findings_json(f));
	return -GH_DLP_BLOCKED;
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
	struct tk_reply res;
	struct tk_actor a;
	int rc;

	rc = api_quota(r, QUOTA_MESSAGE);
	if (rc == 0)
		rc = api_parse(r, spec);
	if (rc < 0)
		return rc;
	api_actor(r, &a);
	tk_reply_init(&res);
	if (note)
		rc = tickets_note(r->app, request_db(r), &a, r->params[0], text,
				  &res.item);
	else
		rc = tickets_reply(r->app, request_db(r), &a, r->params[0],
				   text, &res);
	if (rc == -GH_DLP_BLOCKED) {
		rc = blocked(r, &res.findings);
	} else if (rc < 0) {
		api_field_error(r, rc, "body");
	} else if (note) {
		rc = api_created(r, staff_item(&res.item, text, 1, ""));
	} else {
		rc = reply_result(r, &res, text);
	}
	tk_reply_clear(&res);
	return rc;
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
	api_actor(r, &a);
	rc = tickets_assign(r->app, request_db(r), &a, r->params[0], staff_id,
			    &t);
	if (rc == -GH_BAD_FIELD)
		return api_error_field(r, rc, "staff_id");
	if (rc < 0)
		return rc;
	return api_ok(r, ticket_summary(&t));
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
	api_actor(r, &a);
	rc = tickets_set_status(r->app, request_db(r), &a, r->params[0],
				status, &t);
	if (rc == -GH_BAD_FIELD)
		return api_error_field(r, rc, "status");
	if (rc < 0)
		return rc;
	return api_ok(r, ticket_summary(&t));
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
	api_actor(r, &a);
	rc = tickets_move(r->app, request_db(r), &a, r->params[0], queue, &t);
	if (rc == -GH_UNKNOWN_QUEUE)
		return api_error_field(r, rc, "queue");
	if (rc < 0)
		return rc;
	return api_ok(r, ticket_summary(&t));
}

/* POST .../held/{hid}/release or .../discard {reason}. */
static int
decide_held(struct request *r, int release)
{
	const char *reason = NULL;
	const struct jspec spec[] = {
		JSPEC_STR("reason", &reason, HELD_DECISION_MIN,
			  HELD_DECISION_MAX, JS_REQUIRED),
		JSPEC_END,
	};
	struct dlp_findings f;
	struct held_reply h;
	struct thread_item msg;
	struct tk_actor a;
	int rc;

	rc = api_parse(r, spec);
	if (rc < 0)
		return rc;
	api_actor(r, &a);
	dlp_findings_init(&f);
	memset(&msg, 0, sizeof(msg));
	rc = release ? tickets_held_release(r->app, request_db(r), &a,
					    r->params[0], r->params[1], reason,
					    &h, &msg, &f)
		     : tickets_held_discard(r->app, request_db(r), &a,
					    r->params[0], r->params[1], reason,
					    &h);
	if (rc == -GH_DLP_BLOCKED)
		rc = blocked(r, &f);
	else if (rc < 0)
		api_field_error(r, rc, "reason");
	else
		rc = api_ok(r, json_pack("{s:o, s:o}", "held", held_item(&h),
					 "message",
					 release ? staff_item(&msg, h.body, 0,
							      "")
						 : json_null()));
	held_reply_clear(&h);
	dlp_findings_free(&f);
	return rc;
}

int
api_tickets_held_release(struct request *r)
{
	return decide_held(r, 1);
}

int
api_tickets_held_discard(struct request *r)
{
	return decide_held(r, 0);
}
