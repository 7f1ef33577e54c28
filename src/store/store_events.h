/*
 * Live updates' storage operations and records (migration 025): the
 * events table (what changed on which ticket, by id and kind, written in
 * the transaction of the change) and the unread markers (the newest
 * customer message each staff member had seen of a ticket). Kept apart
 * from store/store.h, which includes this header before struct store_ops
 * (whose member `events` points at the operations). Include
 * store/store.h, not this file.
 *
 * Invariant: nothing here stores or returns a message's text, a subject
 * or a customer's personal field; an event is ids, a kind and a time (and,
 * for kind "typing" only, the staff member's display name when read).
 */
#ifndef GH_STORE_STORE_EVENTS_H
#define GH_STORE_STORE_EVENTS_H

#include <stddef.h>
#include <stdint.h>

/* An event to record. queue, assignee and customer are copied from the
 * ticket row as it is when the event is written. 0 ids are NULL. */
struct event_new {
	const char *kind;   /* "ticket.created", "message.customer"... */
	int64_t ticket_id;
	int64_t message_id;       /* message.*, note.created */
	int64_t prev_queue_id;    /* ticket.queue */
	int64_t prev_assignee_id; /* ticket.assigned */
	int actor_realm;          /* enum realm */
	int64_t actor_id;
	int64_t at;
};

#define EVENT_KIND_BYTES 24
#define EVENT_NAME_BYTES 64

struct event_rec {
	int64_t id;
	char kind[EVENT_KIND_BYTES];
	int64_t ticket_id, queue_id, assignee_id, customer_id;
	int64_t message_id, prev_queue_id, prev_assignee_id;
	int actor_realm;          /* enum realm */
	int64_t actor_id;
	int64_t at;
	char actor_name[EVENT_NAME_BYTES]; /* "typing" only: staff name */
};

struct event_list {
	struct event_rec *v; /* malloc'd; event_list_clear() */
	size_t n;
};

/*
 * The operations, member `events` (a pointer) of struct store_ops.
 *
 * append: records e (-GH_NOT_FOUND when the ticket does not exist);
 * *id_out gets its id. since: at most max events with id > after_id,
 * oldest first. last_id: the newest event's id (0 when none).
 * prune: forgets events at or before before_at and all but the newest
 * keep rows. typing_since: 0 when staff_id recorded "typing" on
 * ticket_id after at, -GH_NOT_FOUND otherwise. seen: records that
 * staff_id has seen ticket_id's customer messages as they are now.
 * unread: of the tickets whose ids are the JSON array ids_json, writes
 * into out->ids (at most out->max) those with a customer message staff_id
 * has not seen.
 */
struct store_conn;

struct store_events_ops {
	int (*append)(struct store_conn *c, const struct event_new *e,
		      int64_t *id_out);
	int (*since)(struct store_conn *c, int64_t after_id, size_t max,
		     struct event_list *out);
	int (*last_id)(struct store_conn *c, int64_t *id_out);
	int (*prune)(struct store_conn *c, int64_t before_at,
		     int64_t keep_rows);
	int (*typing_since)(struct store_conn *c, int64_t staff_id,
			    int64_t ticket_id, int64_t at);
	int (*seen)(struct store_conn *c, int64_t staff_id, int64_t ticket_id,
		    int64_t now);
	int (*unread)(struct store_conn *c, int64_t staff_id,
		      const char *ids_json, int64_t *ids, size_t max,
		      size_t *n_out);
};

/* Releases what since filled (NULL-safe). */
void event_list_clear(struct event_list *l);

#endif
