/*
 * SQLite store: live updates (migration 025, store/store_events.h). An
 * event is written by one INSERT ... SELECT from the ticket's row, so its
 * queue, assignee and customer are the ticket's as the caller's
 * transaction left them; streams read events by id. Unread markers keep,
 * per staff member and ticket, the newest customer message seen; a ticket
 * is unread while a newer one exists (index messages_by_ticket_realm).
 *
 * Invariant: no statement here reads or returns a body, a subject or a
 * sealed field; the one name read is a staff member's display name, for
 * "typing" events only.
 */
#include <stdlib.h>
#include <string.h>

#include "store/sqlite/sq.h"
#include "util/errors.h"

void
event_list_clear(struct event_list *l)
{
	STORE_LIST_FREE(l);
}

static int
sq_events_append(struct store_conn *c, const struct event_new *e,
		 int64_t *id_out)
{
	int rc;

	*id_out = 0;
	rc = sq_change(c, -GH_NOT_FOUND,
		       "INSERT INTO events (kind, ticket_id, queue_id, "
		       "assignee_id, customer_id, message_id, prev_queue_id, "
		       "prev_assignee_id, actor_realm, actor_id, at) "
		       "SELECT ?1, t.id, t.queue_id, t.assignee_id, "
		       "t.customer_id, ?2, ?3, ?4, ?5, ?6, ?7 FROM tickets t "
		       "WHERE t.id = ?8",
		       "tIIIriii", e->kind, e->message_id, e->prev_queue_id,
		       e->prev_assignee_id, (enum realm)e->actor_realm,
		       e->actor_id, e->at, e->ticket_id);
	if (rc == 0)
		*id_out = sqlite3_last_insert_rowid(sq_conn_of(c)->db);
	return rc;
}

static int
event_push(sqlite3_stmt *st, void *ctx)
{
	struct event_list *l = ctx;
	struct event_rec *v = sq_append(l->v, l->n, sizeof(*v));
	struct event_rec *e;

	if (v == NULL)
		return -GH_INTERNAL;
	l->v = v;
	e = &l->v[l->n++];
	e->id = sqlite3_column_int64(st, 0);
	sq_text(st, 1, e->kind, sizeof(e->kind));
	e->ticket_id = sqlite3_column_int64(st, 2);
	e->queue_id = sqlite3_column_int64(st, 3);
	e->assignee_id = sqlite3_column_int64(st, 4);
	e->customer_id = sqlite3_column_int64(st, 5);
	e->message_id = sqlite3_column_int64(st, 6);
	e->prev_queue_id = sqlite3_column_int64(st, 7);
	e->prev_assignee_id = sqlite3_column_int64(st, 8);
	e->actor_realm = (int)sq_realm(st, 9);
	e->actor_id = sqlite3_column_int64(st, 10);
	e->at = sqlite3_column_int64(st, 11);
	sq_text(st, 12, e->actor_name, sizeof(e->actor_name));
	return 0;
}

static int
sq_events_since(struct store_conn *c, int64_t after_id, size_t max,
		struct event_list *out)
{
	int rc;

	out->v = NULL;
	out->n = 0;
	rc = sq_rows(c, event_push, out,
		     "SELECT e.id, e.kind, e.ticket_id, e.queue_id, "
		     "e.assignee_id, e.customer_id, e.message_id, "
		     "e.prev_queue_id, e.prev_assignee_id, e.actor_realm, "
		     "e.actor_id, e.at, CASE WHEN e.kind = 'typing' THEN "
		     "(SELECT s.name FROM staff s WHERE s.id = e.actor_id) "
		     "END FROM events e WHERE e.id > ? ORDER BY e.id LIMIT ?",
		     "ii", after_id, (int64_t)max);
	if (rc < 0)
		event_list_clear(out);
	return rc;
}

static int
sq_events_last_id(struct store_conn *c, int64_t *id_out)
{
	*id_out = 0;
	return sq_row(c, sq_int64, id_out,
		      "SELECT COALESCE(MAX(id), 0) FROM events", "");
}

static int
sq_events_prune(struct store_conn *c, int64_t before_at, int64_t keep_rows)
{
	return sq_exec(c,
		       "DELETE FROM events WHERE at <= ?1 OR id <= "
		       "(SELECT COALESCE(MAX(id), 0) FROM events) - ?2",
		       "ii", before_at, keep_rows);
}

static int
sq_events_typing_since(struct store_conn *c, int64_t staff_id,
		       int64_t ticket_id, int64_t at)
{
	return sq_row(c, NULL, NULL,
		      "SELECT 1 FROM events WHERE ticket_id = ? AND "
		      "actor_id = ? AND at > ? AND kind = 'typing' LIMIT 1",
		      "iii", ticket_id, staff_id, at);
}

static int
sq_events_seen(struct store_conn *c, int64_t staff_id, int64_t ticket_id,
	       int64_t now)
{
	return sq_exec(c,
		       "INSERT INTO ticket_seen (staff_id, ticket_id, "
		       "message_id, at) SELECT ?1, ?2, COALESCE(MAX(id), 0), "
		       "?3 FROM messages WHERE ticket_id = ?2 AND "
		       "author_realm = 'customer' "
		       "ON CONFLICT (staff_id, ticket_id) DO UPDATE SET "
		       "message_id = MAX(message_id, excluded.message_id), "
		       "at = excluded.at",
		       "iii", staff_id, ticket_id, now);
}

static int
sq_events_unread(struct store_conn *c, int64_t staff_id,
		 const char *ids_json, int64_t *ids, size_t max, size_t *n_out)
{
	struct sq_ids b = {ids, 0, max};
	int rc;

	rc = sq_rows(c, sq_id_push, &b,
		     "SELECT j.value FROM json_each(?1) j WHERE EXISTS "
		     "(SELECT 1 FROM messages m WHERE m.ticket_id = j.value "
		     "AND m.author_realm = 'customer' AND m.id > COALESCE("
		     "(SELECT s.message_id FROM ticket_seen s WHERE "
		     "s.staff_id = ?2 AND s.ticket_id = j.value), 0))",
		     "ti", ids_json, staff_id);
	*n_out = b.n;
	return rc;
}

const struct store_events_ops sq_events_ops = {
	.append = sq_events_append,
	.since = sq_events_since,
	.last_id = sq_events_last_id,
	.prune = sq_events_prune,
	.typing_since = sq_events_typing_since,
	.seen = sq_events_seen,
	.unread = sq_events_unread,
};
