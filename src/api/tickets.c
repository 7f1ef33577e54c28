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
#include "api/tickets_view.h"
#include "core/tickets.h"
#include "util/errors.h"

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

	/* Free text or a filter of the search: api/search.c answers. */
	if (api_search_requested(r))
		return api_tickets_search(r);
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
		json_array_append_new(arr, tkv_summary(&l.v[i], &a));
	ticket_list_clear(&l);
	api_events_unread(r, &a, arr); /* issue 15 LIVE: "unread" */
	return api_cursor_page(r, "tickets", arr, pg.limit, pg.offset,
			       pg.next);
}

int
api_tickets_get(struct request *r)
{
	struct ticket_rec t;
	struct thread_list msgs, notes;
	struct held_list hl;
	struct tk_actor a;
	struct tkv_view v = {&t, &a, &msgs, &notes, &hl};
	size_t len = 0;
	char *text;
	int rc;

	api_actor(r, &a);
	rc = tickets_staff_view(r->app, request_db(r), &a, r->params[0], &t,
				&msgs, &notes, &hl);
	if (rc < 0)
		return rc;
	api_events_seen(r, &a, t.id); /* issue 15 LIVE: unread markers */
	/* Written straight into the reply; the tree only when the writer
	 * gives up (then the bytes are the tree's, see api/tickets_view.h). */
	text = tkv_view_text(&v, &len);
	if (text != NULL)
		rc = reply_json_text(r, 200, text, len);
	else
		rc = api_ok(r, tkv_view_json(&v));
	thread_list_clear(&msgs);
	thread_list_clear(&notes);
	held_list_clear(&hl);
	return rc;
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
		return api_created(r, tkv_item(&res->item, text, 0, ""));
	memset(&h, 0, sizeof(h));
	h.id = res->item.id;
	h.ticket_id = res->item.ticket_id;
	h.author_id = res->item.author_id;
	memcpy(h.author_name, res->item.author_name, sizeof(h.author_name));
	h.body = strdup(text);
	snprintf(h.reason, sizeof(h.reason), "%s", res->reason);
	snprintf(h.state, sizeof(h.state), "held");
	h.created_at = res->item.created_at;
	item = h.body != NULL ? tkv_held(&h) : NULL;
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
		rc = api_created(r, tkv_item(&res.item, text, 1, ""));
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
	if (rc == -GH_UNKNOWN_STAFF || rc == -GH_STAFF_DISABLED)
		return api_error_field(r, rc, "staff_id");
	if (rc < 0)
		return rc;
	return api_ok(r, tkv_ticket(&t));
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
		rc = api_ok(r, json_pack("{s:o, s:o}", "held", tkv_held(&h),
					 "message",
					 release ? tkv_item(&msg, h.body, 0,
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
