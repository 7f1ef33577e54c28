/*
 * The store, both backends: live updates (migration 025,
 * store/store_events.h). An event is written by one INSERT ... SELECT from
 * the ticket's row, so its queue, assignee and customer are the ticket's as
 * the caller's transaction left them; streams read events by id. Unread
 * markers keep, per staff member and ticket, the newest customer message
 * seen; a ticket is unread while a newer one exists (index
 * messages_by_ticket_realm).
 *
 * On PostgreSQL ids are given in commit order: an append first takes the
 * audit log's transaction-scoped advisory lock (docs/pg-schema.md,
 * "events"), held until its transaction ends, so no other transaction
 * takes an event id until it has committed or rolled back. Every snapshot
 * then sees the committed events as a prefix of the ids (a rollback leaves
 * a gap, never a later arrival below an id a stream has returned), and
 * "id > last" skips nothing. SQLite has one writer at a time already.
 *
 * Invariant: no statement here reads or returns a body, a subject or a
 * sealed field; the one name read is a staff member's display name, for
 * "typing" events only.
 */
#include <stdlib.h>
#include <string.h>

#include "store/sql/db.h"
#include "util/errors.h"

void
event_list_clear(struct event_list *l)
{
	STORE_LIST_FREE(l);
}

static int
db_events_append(struct store_conn *c, const struct event_new *e,
		 int64_t *id_out)
{
	int64_t id = 0;
	int rc;

	*id_out = 0;
	/* 1195917653: the audit log's key (migration 001), so a transaction
	 * that appends both never waits on itself in another order. */
	if (db_pg(c)) {
		rc = db_exec(c, "SELECT pg_advisory_xact_lock(1195917653)",
			     "");
		if (rc < 0)
			return rc;
	}
	rc = db_insert(c, &id,
		       "INSERT INTO events (kind, ticket_id, queue_id, "
		       "assignee_id, customer_id, message_id, prev_queue_id, "
		       "prev_assignee_id, actor_realm, actor_id, at) "
		       "SELECT ?1, t.id, t.queue_id, t.assignee_id, "
		       "t.customer_id, ?2, ?3, ?4, ?5, ?6, ?7 FROM tickets t "
		       "WHERE t.id = ?8",
		       "tIIIriii", e->kind, e->message_id, e->prev_queue_id,
		       e->prev_assignee_id, (enum realm)e->actor_realm,
		       e->actor_id, e->at, e->ticket_id);
	if (rc < 0)
		return rc;
	/* No such ticket: nothing inserted. */
	if (db_changes(c) != 1)
		return -GH_NOT_FOUND;
	*id_out = id;
	return 0;
}

static int
event_push(const struct db_row *st, void *ctx)
{
	struct event_list *l = ctx;
	struct event_rec *v = db_append(l->v, l->n, sizeof(*v));
	struct event_rec *e;

	if (v == NULL)
		return -GH_INTERNAL;
	l->v = v;
	e = &l->v[l->n++];
	e->id = db_i64(st, 0);
	db_text(st, 1, e->kind, sizeof(e->kind));
	e->ticket_id = db_i64(st, 2);
	e->queue_id = db_i64(st, 3);
	e->assignee_id = db_i64(st, 4);
	e->customer_id = db_i64(st, 5);
	e->message_id = db_i64(st, 6);
	e->prev_queue_id = db_i64(st, 7);
	e->prev_assignee_id = db_i64(st, 8);
	e->actor_realm = (int)db_realm(st, 9);
	e->actor_id = db_i64(st, 10);
	e->at = db_i64(st, 11);
	db_text(st, 12, e->actor_name, sizeof(e->actor_name));
	return 0;
}

static int
db_events_since(struct store_conn *c, int64_t after_id, size_t max,
		struct event_list *out)
{
	int rc;

	out->v = NULL;
	out->n = 0;
	/* A max beyond int64 reads as negative: no limit (db_limit). */
	rc = db_rows(c, event_push, out,
		     "SELECT e.id, e.kind, e.ticket_id, e.queue_id, "
		     "e.assignee_id, e.customer_id, e.message_id, "
		     "e.prev_queue_id, e.prev_assignee_id, e.actor_realm, "
		     "e.actor_id, e.at, CASE WHEN e.kind = 'typing' THEN "
		     "(SELECT s.name FROM staff s WHERE s.id = e.actor_id) "
		     "END FROM events e WHERE e.id > ? ORDER BY e.id LIMIT ?",
		     "ii", after_id, db_limit((int64_t)max));
	if (rc < 0)
		event_list_clear(out);
	return rc;
}

static int
db_events_last_id(struct store_conn *c, int64_t *id_out)
{
	*id_out = 0;
	return db_row(c, db_int64, id_out,
		      "SELECT COALESCE(MAX(id), 0) FROM events", "");
}

static int
db_events_prune(struct store_conn *c, int64_t before_at, int64_t keep_rows)
{
	return db_exec(c,
		       "DELETE FROM events WHERE at <= ?1 OR id <= "
		       "(SELECT COALESCE(MAX(id), 0) FROM events) - "
		       "CAST(?2 AS BIGINT)",
		       "ii", before_at, keep_rows);
}

static int
db_events_typing_since(struct store_conn *c, int64_t staff_id,
		       int64_t ticket_id, int64_t at)
{
	return db_row(c, NULL, NULL,
		      "SELECT 1 FROM events WHERE ticket_id = ? AND "
		      "actor_id = ? AND at > ? AND kind = 'typing' LIMIT 1",
		      "iii", ticket_id, staff_id, at);
}

/* The unread marker's upsert: the newer of the two message ids. */
static const char *const seen_sql[2] = {
	"INSERT INTO ticket_seen (staff_id, ticket_id, message_id, at) "
	"SELECT ?1, ?2, COALESCE(MAX(id), 0), ?3 FROM messages "
	"WHERE ticket_id = ?2 AND author_realm = 'customer' "
	"ON CONFLICT (staff_id, ticket_id) DO UPDATE SET "
	"message_id = MAX(message_id, excluded.message_id), "
	"at = excluded.at",
	"INSERT INTO ticket_seen AS s (staff_id, ticket_id, message_id, at) "
	"SELECT ?1::bigint, ?2::bigint, COALESCE(MAX(id), 0), ?3::bigint "
	"FROM messages WHERE ticket_id = ?2::bigint AND "
	"author_realm = 'customer' "
	"ON CONFLICT (staff_id, ticket_id) DO UPDATE SET "
	"message_id = GREATEST(s.message_id, excluded.message_id), "
	"at = excluded.at",
};

static int
db_events_seen(struct store_conn *c, int64_t staff_id, int64_t ticket_id,
	       int64_t now)
{
	return db_exec(c, DB_SQL(c, seen_sql), "iii", staff_id, ticket_id,
		       now);
}

/* The ticket ids of the JSON array ?1, in its order, that have a customer
 * message newer than staff member ?2 has seen. */
static const char *const unread_sql[2] = {
	"SELECT j.value FROM json_each(?1) j WHERE EXISTS "
	"(SELECT 1 FROM messages m WHERE m.ticket_id = j.value "
	"AND m.author_realm = 'customer' AND m.id > COALESCE("
	"(SELECT s.message_id FROM ticket_seen s WHERE "
	"s.staff_id = ?2 AND s.ticket_id = j.value), 0))",
	"SELECT j.v::bigint FROM jsonb_array_elements_text(?1::jsonb) "
	"WITH ORDINALITY AS j(v, n) WHERE EXISTS "
	"(SELECT 1 FROM messages m WHERE m.ticket_id = j.v::bigint AND "
	"m.author_realm = 'customer' AND m.id > COALESCE("
	"(SELECT s.message_id FROM ticket_seen s WHERE "
	"s.staff_id = ?2 AND s.ticket_id = j.v::bigint), 0)) "
	"ORDER BY j.n",
};

static int
db_events_unread(struct store_conn *c, int64_t staff_id,
		 const char *ids_json, int64_t *ids, size_t max, size_t *n_out)
{
	struct db_ids b = {ids, 0, max};
	int rc;

	rc = db_rows(c, db_id_push, &b, DB_SQL(c, unread_sql), "ti",
		     ids_json, staff_id);
	*n_out = b.n;
	return rc;
}

const struct store_events_ops db_events_ops = {
	.append = db_events_append,
	.since = db_events_since,
	.last_id = db_events_last_id,
	.prune = db_events_prune,
	.typing_since = db_events_typing_since,
	.seen = db_events_seen,
	.unread = db_events_unread,
};
