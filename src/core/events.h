/*
 * Live updates (issue 15, part LIVE): what changed on which ticket, for
 * the streams of http/sse.h. A change records an event (ids and a kind,
 * never text, a subject or personal data) in the store, in the same
 * transaction as the change itself (events_append), so every node sees
 * every change by reading the table by id; this node's streams are also
 * woken at once (events_wait). Who gets an event is the lists' rule
 * (core/tickets.h): supervisors and admins every ticket, an agent the
 * tickets assigned to them and the unassigned ones of their queues (before
 * or after the change), a customer their own tickets and only the kinds
 * they can see (never notes, assignment, queue moves or presence).
 *
 * Unread markers: a ticket is unread for a staff member while it has a
 * customer message newer than the newest they had when they last opened
 * it (events_seen, called by the staff view). Presence ("typing"): a
 * staff member with a ticket's composer open is recorded as an event too
 * (store-backed, so it works across nodes), at most every
 * EVENTS_TYPING_EVERY seconds; clients show it for EVENTS_TYPING_TTL.
 */
#ifndef GH_CORE_EVENTS_H
#define GH_CORE_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "core/actor.h"
#include "core/app.h"
#include "store/store.h"

#define EV_TICKET_CREATED "ticket.created"
#define EV_MESSAGE_CUSTOMER "message.customer"
#define EV_MESSAGE_STAFF "message.staff"
#define EV_NOTE_CREATED "note.created"
#define EV_TICKET_ASSIGNED "ticket.assigned"
#define EV_TICKET_STATUS "ticket.status"
#define EV_TICKET_QUEUE "ticket.queue"
#define EV_TICKET_PRIORITY "ticket.priority"
#define EV_TICKET_TAGS "ticket.tags"
#define EV_TYPING "typing"

/* Seconds a typing event is shown, and the least time between two
 * recorded for one staff member and ticket. */
#define EVENTS_TYPING_TTL 10
#define EVENTS_TYPING_EVERY 4
/* The most queues of an agent a stream filters by. */
#define EVENTS_QUEUES_MAX 64
/* An SSE frame of one event is at most this long (ids only). */
#define EVENTS_FRAME_MAX 320

/*
 * Inside the caller's write transaction, after the change: records that
 * kind (EV_*) happened on ticket_id, by actor_id of realm. ref is the
 * message's or note's id for message.* and note.created, the previous
 * assignee (0: none) for ticket.assigned, the previous queue for
 * ticket.queue, 0 otherwise. The ticket's queue, assignee and customer
 * are taken from its row as it is now. Wakes this node's streams (they
 * see the event once the transaction commits). 0 or a store error.
 */
int events_append(struct store_conn *c, const char *kind, int64_t ticket_id,
		  int64_t ref, enum realm realm, int64_t actor_id);

/* Parses a Last-Event-ID header (outside input): 0 with *id_out the id
 * (-1 for NULL or ""), -GH_BAD_EVENT_ID unless it is 1 to 18 decimal
 * digits. */
int events_parse_id(const char *text, int64_t *id_out);

/* --- who gets what ------------------------------------------------------- */

/* A stream's recipient: the session it was opened with and what the
 * visibility rule needs, refreshed by events_viewer_check. */
struct ev_viewer {
	enum realm realm;
	int64_t id;
	int see_all;                      /* supervisors and admins */
	int64_t queues[EVENTS_QUEUES_MAX]; /* an agent's queues */
	size_t n_queues;
	char token_hash[65];              /* the session */
};

/* Fills v for actor a (staff: role and queues; customer: the id) and the
 * session token_hash. 0 or a store error. */
int events_viewer_load(struct store_conn *c, const struct tk_actor *a,
		       const char *token_hash, struct ev_viewer *v);
/* At time now: 0 while v's session is still valid (not expired, idle or
 * absolute, not logged out, the account not disabled), v's role and
 * queues refreshed; -GH_SESSION_REQUIRED once it is not; or a store
 * error. Never touches the session (a stream does not keep it alive). */
int events_viewer_check(struct store_conn *c, struct ev_viewer *v,
			int64_t now);
/* Checks the n viewers v[] at now with one store connection (its own):
 * alive[i] gets 1 when events_viewer_check kept v[i], 0 when its session
 * ended; on a store error alive[i] is 1 (checked again later). */
void events_viewers_check(struct app *app, struct ev_viewer *v, size_t n,
			  int *alive, int64_t now);
/* 1 when v may get e. */
int events_visible(const struct ev_viewer *v, const struct event_rec *e);
/* Writes e as one SSE frame for v ("id:", "event:", "data:" with ids
 * only: ticket, queue and "by", the acting staff member, for staff;
 * message; typing's staff id, name and ttl) into out (outsz >= EVENTS_FRAME_MAX); returns its length, 0 when
 * v may not get e. */
size_t events_frame(const struct ev_viewer *v, const struct event_rec *e,
		    char *out, size_t outsz);

/* --- reading and waking ---------------------------------------------------- */

/* At most max events with id > after_id, oldest first (event_list_clear).
 * Takes and gives back its own store connection. */
int events_read(struct app *app, int64_t after_id, size_t max,
		struct event_list *out);
/* The newest event's id (0: none) on c. */
int events_last_id(struct store_conn *c, int64_t *id_out);
/* Forgets events older than [live] keep_hours and all but the newest
 * [live] keep_events (own store connection). */
int events_prune(struct app *app, int64_t now);
/* Waits up to timeout_ms for an events_append (or events_kick) on this
 * node after *gen, which it updates. Returns the id of the newest event
 * appended on this node so far (committed or not). */
int64_t events_wait(uint64_t *gen, int timeout_ms);
/* Wakes events_wait (a new stream, a shutdown). */
void events_kick(void);

/* --- unread markers and presence (staff) ----------------------------------- */

/* Staff member staff_id has opened ticket_id now (the staff view). */
int events_seen(struct store_conn *c, int64_t staff_id, int64_t ticket_id);
/* Of the n tickets ids[], writes into unread[i] 1 for those with a
 * customer message staff_id has not seen, 0 for the others. */
int events_unread(struct store_conn *c, int64_t staff_id,
		  const int64_t *ids, size_t n, int *unread);
/* Staff actor a has ticket_id's composer open: recorded as a "typing"
 * event unless one was within EVENTS_TYPING_EVERY seconds. The ticket
 * must be visible to a (-GH_NOT_FOUND). 0 or an error. */
int events_typing(struct app *app, struct store_conn *c,
		  const struct tk_actor *a, int64_t ticket_id);

#endif
