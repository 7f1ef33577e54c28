/*
 * PostgreSQL store, the twin of store/sqlite/events.c: live updates
 * (migration 025, store/store_events.h). An event is written by one
 * INSERT ... SELECT from the ticket's row, so its queue, assignee and
 * customer are the ticket's as the caller's transaction left them. Unread
 * markers keep, per staff member and ticket, the newest customer message
 * seen; a ticket is unread while a newer one exists (index
 * messages_by_ticket_realm).
 *
 * Streams read events by id, and ids are given in commit order: an
 * append first takes the audit log's transaction-scoped advisory lock
 * (docs/pg-schema.md, "events"), held until its transaction ends, so no
 * other transaction takes an event id until it has committed or rolled
 * back. Every snapshot then sees the committed events as a prefix of the
 * ids (a rollback leaves a gap, never a later arrival below an id a
 * stream has returned), and "id > last" skips nothing.
 *
 * Invariant: no statement here reads or returns a body, a subject or a
 * sealed field; the one name read is a staff member's display name, for
 * "typing" events only.
 */
#include <string.h>

#include "store/pg/pg.h"
#include "util/errors.h"

static int
pg_events_append(struct store_conn *c, const struct event_new *e,
		 int64_t *id_out)
{
	int rc;

	*id_out = 0;
	/* 1195917653: the audit log's key (migration 001), so a transaction
	 * that appends both never waits on itself in another order. */
	rc = pg_exec(c, "SELECT pg_advisory_xact_lock(1195917653)", "");
	if (rc < 0)
		return rc;
	return pg_row(c, pg_int64_row, id_out,
		      "INSERT INTO events (kind, ticket_id, queue_id, "
		      "assignee_id, customer_id, message_id, prev_queue_id, "
		      "prev_assignee_id, actor_realm, actor_id, at) "
		      "SELECT $1, t.id, t.queue_id, t.assignee_id, "
		      "t.customer_id, $2, $3, $4, $5, $6, $7 FROM tickets t "
		      "WHERE t.id = $8 RETURNING id",
		      "tIIIriii", e->kind, e->message_id, e->prev_queue_id,
		      e->prev_assignee_id, (enum realm)e->actor_realm,
		      e->actor_id, e->at, e->ticket_id);
}

static int
event_push(const struct pg_row *st, void *ctx)
{
	struct event_list *l = ctx;
	struct event_rec *v = pg_append(l->v, l->n, sizeof(*v));
	struct event_rec *e;

	if (v == NULL)
		return -GH_INTERNAL;
	l->v = v;
	e = &l->v[l->n++];
	e->id = pg_i64(st, 0);
	pg_text(st, 1, e->kind, sizeof(e->kind));
	e->ticket_id = pg_i64(st, 2);
	e->queue_id = pg_i64(st, 3);
	e->assignee_id = pg_i64(st, 4);
	e->customer_id = pg_i64(st, 5);
	e->message_id = pg_i64(st, 6);
	e->prev_queue_id = pg_i64(st, 7);
	e->prev_assignee_id = pg_i64(st, 8);
	e->actor_realm = (int)pg_realm(st, 9);
	e->actor_id = pg_i64(st, 10);
	e->at = pg_i64(st, 11);
	pg_text(st, 12, e->actor_name, sizeof(e->actor_name));
	return 0;
}

static int
pg_events_since(struct store_conn *c, int64_t after_id, size_t max,
		struct event_list *out)
{
	int rc;

	out->v = NULL;
	out->n = 0;
	/* A max beyond int64 reads as negative: no limit, as on SQLite. */
	rc = pg_rows(c, event_push, out,
		     "SELECT e.id, e.kind, e.ticket_id, e.queue_id, "
		     "e.assignee_id, e.customer_id, e.message_id, "
		     "e.prev_queue_id, e.prev_assignee_id, e.actor_realm, "
		     "e.actor_id, e.at, CASE WHEN e.kind = 'typing' THEN "
		     "(SELECT s.name FROM staff s WHERE s.id = e.actor_id) "
		     "END FROM events e WHERE e.id > $1 ORDER BY e.id LIMIT CASE WHEN $2::bigint < 0 THEN NULL "
		     "ELSE $2::bigint END",
		     "ii", after_id, (int64_t)max);
	if (rc < 0)
		event_list_clear(out);
	return rc;
}

static int
pg_events_last_id(struct store_conn *c, int64_t *id_out)
{
	*id_out = 0;
	return pg_row(c, pg_int64_row, id_out,
		      "SELECT COALESCE(MAX(id), 0) FROM events", "");
}

static int
pg_events_prune(struct store_conn *c, int64_t before_at, int64_t keep_rows)
{
	return pg_exec(c,
		       "DELETE FROM events WHERE at <= $1 OR id <= "
		       "(SELECT COALESCE(MAX(id), 0) FROM events) - $2::bigint",
		       "ii", before_at, keep_rows);
}

static int
pg_events_typing_since(struct store_conn *c, int64_t staff_id,
		       int64_t ticket_id, int64_t at)
{
	return pg_row(c, NULL, NULL,
		      "SELECT 1 FROM events WHERE ticket_id = $1 AND "
		      "actor_id = $2 AND at > $3 AND kind = 'typing' LIMIT 1",
		      "iii", ticket_id, staff_id, at);
}

static int
pg_events_seen(struct store_conn *c, int64_t staff_id, int64_t ticket_id,
	       int64_t now)
{
	return pg_exec(c,
		       "INSERT INTO ticket_seen AS s (staff_id, ticket_id, "
		       "message_id, at) SELECT $1::bigint, $2::bigint, "
		       "COALESCE(MAX(id), 0), $3::bigint FROM messages "
		       "WHERE ticket_id = $2::bigint AND "
		       "author_realm = 'customer' "
		       "ON CONFLICT (staff_id, ticket_id) DO UPDATE SET "
		       "message_id = GREATEST(s.message_id, "
		       "excluded.message_id), at = excluded.at",
		       "iii", staff_id, ticket_id, now);
}

static int
pg_events_unread(struct store_conn *c, int64_t staff_id,
		 const char *ids_json, int64_t *ids, size_t max, size_t *n_out)
{
	struct pg_ids b = {ids, 0, max};
	int rc;

	rc = pg_rows(c, pg_id_push, &b,
		     "SELECT j.v::bigint FROM jsonb_array_elements_text("
		     "$1::jsonb) WITH ORDINALITY AS j(v, n) WHERE EXISTS "
		     "(SELECT 1 FROM messages m WHERE "
		     "m.ticket_id = j.v::bigint AND "
		     "m.author_realm = 'customer' AND m.id > COALESCE("
		     "(SELECT s.message_id FROM ticket_seen s WHERE "
		     "s.staff_id = $2 AND s.ticket_id = j.v::bigint), 0)) "
		     "ORDER BY j.n",
		     "ti", ids_json, staff_id);
	*n_out = b.n;
	return rc;
}

const struct store_events_ops pg_events_ops = {
	.append = pg_events_append,
	.since = pg_events_since,
	.last_id = pg_events_last_id,
	.prune = pg_events_prune,
	.typing_since = pg_events_typing_since,
	.seen = pg_events_seen,
	.unread = pg_events_unread,
};
