/*
 * Live updates' endpoints (issue 15, part LIVE; core/events.h,
 * http/sse.h): GET /api/v1/events (staff) and GET /api/v1/portal/events
 * (a customer) answer a text/event-stream of events for the caller (ids
 * and kinds only; the client fetches the rest through the usual
 * endpoints), resumed after a Last-Event-ID; POST
 * /api/v1/tickets/{id}/typing records that a staff member has the
 * ticket's composer open. The list and the view call in here for the
 * unread markers: "unread" on each ticket of the work list, and the
 * ticket marked seen when its staff view is fetched.
 *
 * Invariant: a stream is opened only for a caller the route
 * authenticated, with the visibility rule of core/events.h; nothing here
 * writes a text or personal field into a stream.
 */
#include <stdlib.h>

#include "api/api.h"
#include "api/common.h"
#include "core/events.h"
#include "core/tickets.h"
#include "http/sse.h"
#include "util/errors.h"
#include "util/log.h"

/* Opens the caller's stream (either realm: the route chose who). */
static int
open_stream(struct request *r)
{
	static const char *const none[] = {NULL};
	struct store_conn *c = request_db(r);
	struct ev_viewer v;
	struct tk_actor a;
	int64_t after, last = 0;
	int rc;

	rc = request_query_only(r, none);
	if (rc == 0)
		rc = events_parse_id(request_header(r, "Last-Event-ID"),
				     &after);
	if (rc < 0)
		return rc;
	api_actor(r, &a);
	rc = events_viewer_load(c, &a, r->actor.token_hash, &v);
	if (rc == 0)
		rc = events_last_id(c, &last);
	if (rc < 0)
		return rc;
	/* No id, or one from the future (another deployment, a made-up
	 * one): from now, that is after the newest event committed now, so
	 * one committed while the stream starts is not lost. */
	if (after < 0 || after > last)
		after = last;
	return sse_open(r, &v, after);
}

int
api_events(struct request *r)
{
	return open_stream(r);
}

int
api_portal_events(struct request *r)
{
	return open_stream(r);
}

int
api_tickets_typing(struct request *r)
{
	struct tk_actor a;
	int rc;

	api_actor(r, &a);
	rc = events_typing(r->app, request_db(r), &a, r->params[0]);
	if (rc < 0)
		return rc;
	return api_ok(r, json_pack("{s:i}", "ttl", EVENTS_TYPING_TTL));
}

void
api_events_unread(struct request *r, const struct tk_actor *a, json_t *arr)
{
	int64_t ids[TICKET_LIST_MAX];
	int unread[TICKET_LIST_MAX];
	size_t n = json_array_size(arr);

	if (n > TICKET_LIST_MAX)
		n = TICKET_LIST_MAX;
	for (size_t i = 0; i < n; i++)
		ids[i] = json_integer_value(
			json_object_get(json_array_get(arr, i), "id"));
	if (events_unread(request_db(r), a->id, ids, n, unread) < 0) {
		log_event(LOG_WARN, "live.unread_failed",
			  json_pack("{s:s}", "request_id", r->request_id));
		return;
	}
	for (size_t i = 0; i < n; i++)
		json_object_set_new(json_array_get(arr, i), "unread",
				    json_boolean(unread[i]));
}

void
api_events_seen(struct request *r, const struct tk_actor *a,
		int64_t ticket_id)
{
	if (events_seen(request_db(r), a->id, ticket_id) < 0)
		log_event(LOG_WARN, "live.seen_failed",
			  json_pack("{s:s}", "request_id", r->request_id));
}
