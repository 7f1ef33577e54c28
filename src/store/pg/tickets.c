/*
 * PostgreSQL store, the twin of store/sqlite/tickets.c: the `tickets`
 * table, one ticket at a time (the lists are tickets_list.c). Two views
 * read it (pg_tickets.h). The portal's (portal_*) is always filtered by
 * the customer in SQL, names no staff member and no queue, and shows as
 * updated_at the time of the last change the customer can see
 * (last_activity, migrations 008 and 018). The staff view applies the
 * visibility rule of queues in SQL (PG_STAFF_SEES) and shows updated_at,
 * which every change moves. A phishing drill's ticket (drill_id set) is
 * never read by the portal's statements; the staff view carries the mark.
 *
 * Full-text search: SQLite indexes a new ticket's subject by hand
 * (sq_search_index); here tickets.subject_tsv is a generated column
 * (migration 021, docs/pg-schema.md), computed by the server in the
 * INSERT itself, so there is nothing to index.
 *
 * Invariant: last_activity is moved here and in threads.c (a new message,
 * with last_from) and nowhere else; each move is a statement of the
 * operation that makes the change, so it is in the caller's transaction.
 */
#include <string.h>

#include "store/pg/pg_tickets.h"
#include "util/errors.h"

int
pg_ticket_row(const struct pg_row *st, void *ctx)
{
	struct ticket_rec *t = ctx;

	t->id = pg_i64(st, 0);
	t->customer_id = pg_i64(st, 1);
	pg_text(st, 2, t->customer_name, sizeof(t->customer_name));
	pg_text(st, 3, t->subject, sizeof(t->subject));
	pg_text(st, 4, t->status, sizeof(t->status));
	t->assignee_id = pg_i64(st, 5);
	pg_text(st, 6, t->assignee_name, sizeof(t->assignee_name));
	t->created_at = pg_i64(st, 7);
	t->updated_at = pg_i64(st, 8);
	pg_text(st, 9, t->last_from, sizeof(t->last_from));
	t->queue_id = pg_i64(st, 10);
	pg_text(st, 11, t->queue_name, sizeof(t->queue_name));
	t->drill_id = pg_i64(st, 12);
	pg_text(st, 13, t->priority, sizeof(t->priority));
	pg_text(st, 14, t->tags, sizeof(t->tags));
	t->due_at = pg_i64(st, 15);
	t->breached = (int)pg_i64(st, 16);
	return 0;
}

int
pg_ticket_push(const struct pg_row *st, void *ctx)
{
	struct ticket_list *l = ctx;
	struct ticket_rec *v = pg_append(l->v, l->n, sizeof(*v));

	if (v == NULL)
		return -GH_INTERNAL;
	l->v = v;
	return pg_ticket_row(st, &l->v[l->n++]);
}

int
pg_ticket_insert(struct store_conn *c, int64_t customer_id,
		 const char *subject, int64_t now, int64_t *id_out)
{
	/* subject_tsv is generated: no search index to write (see above). */
	return pg_insert(c, id_out,
			 "INSERT INTO tickets (customer_id, subject, status, "
			 "queue_id, created_at, updated_at, last_activity) "
			 "VALUES ($1, $2, 'open', $4, $3, $3, $3) RETURNING id",
			 "itii", customer_id, subject, now,
			 (int64_t)STORE_QUEUE_GENERAL);
}

/* A change of status is visible to the customer; of assignee, not. (The
 * right-hand sides of SET all read the row as it was, as on SQLite.) */
int
pg_ticket_update(struct store_conn *c, int64_t id, const char *status,
		 int64_t assignee_id, int64_t now)
{
	return pg_change(c, -GH_NOT_FOUND,
			 "UPDATE tickets SET status = $1, assignee_id = $2, "
			 "updated_at = $3, last_activity = CASE "
			 "WHEN status = $1 THEN last_activity ELSE $3 END "
			 "WHERE id = $4",
			 "tIii", status, assignee_id, now, id);
}

int
pg_ticket_set_queue(struct store_conn *c, int64_t ticket_id, int64_t queue_id,
		    int64_t now)
{
	return pg_change(c, -GH_NOT_FOUND,
			 "UPDATE tickets SET queue_id = $1, updated_at = $2 "
			 "WHERE id = $3",
			 "iii", queue_id, now, ticket_id);
}

int
pg_ticket_set_priority(struct store_conn *c, int64_t ticket_id,
		       const char *priority, int64_t now)
{
	return pg_change(c, -GH_NOT_FOUND,
			 "UPDATE tickets SET priority = $1, updated_at = $2 "
			 "WHERE id = $3",
			 "tii", priority, now, ticket_id);
}

/* The column and the rows of ticket_tags are rewritten together: the tags
 * are split on spaces by the server (as SQLite's recursive CTE does, here
 * regexp_split_to_table), so the two can never be built from different
 * lists. */
int
pg_ticket_set_tags(struct store_conn *c, int64_t ticket_id, const char *tags,
		   int64_t now)
{
	int rc;

	rc = pg_change(c, -GH_NOT_FOUND,
		       "UPDATE tickets SET tags = $1, updated_at = $2 "
		       "WHERE id = $3",
		       "tii", tags, now, ticket_id);
	if (rc < 0)
		return rc;
	rc = pg_exec(c, "DELETE FROM ticket_tags WHERE ticket_id = $1", "i",
		     ticket_id);
	if (rc < 0 || tags[0] == '\0')
		return rc;
	return pg_exec(c,
		       "INSERT INTO ticket_tags (ticket_id, tag) "
		       "SELECT $1::bigint, tag FROM "
		       "regexp_split_to_table($2::text, ' ') AS tag "
		       "WHERE tag <> ''",
		       "it", ticket_id, tags);
}

int
pg_portal_ticket_get(struct store_conn *c, int64_t customer_id,
		     int64_t ticket_id, struct ticket_rec *out)
{
	memset(out, 0, sizeof(*out));
	return pg_row(c, pg_ticket_row, out,
		      "SELECT " PG_PORTAL_VIEW "WHERE t.id = $1 AND "
		      "t.customer_id = $2 AND t.drill_id IS NULL",
		      "ii", ticket_id, customer_id);
}

int
pg_staff_ticket_get(struct store_conn *c, const struct ticket_query *q,
		    int64_t ticket_id, struct ticket_rec *out)
{
	memset(out, 0, sizeof(*out));
	return pg_row(c, pg_ticket_row, out,
		      "SELECT " PG_STAFF_VIEW "WHERE t.id = $1 AND "
		      PG_STAFF_SEES("$2", "$3"),
		      "ibi", ticket_id, q->see_all, q->viewer_id);
}
