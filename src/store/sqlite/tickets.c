/*
 * SQLite store: the `tickets` table, one ticket at a time (the lists are
 * tickets_list.c). Two views read it (sq_tickets.h). The portal's
 * (portal_*) is always filtered by the customer in SQL, names no staff
 * member and no queue, and shows as updated_at the time of the last change
 * the customer can see (last_activity, migrations 008 and 018: the
 * ticket's creation, a message from either side, a change of status). The
 * staff view applies the visibility rule of queues in SQL (STAFF_SEES) and
 * shows updated_at, which every change moves (notes, assignment, queue
 * too). A phishing drill's ticket (drill_id set, migration 015) is never
 * read by the portal's statements; the staff view carries the mark.
 *
 * Invariant: last_activity is moved here and in threads.c (a new message,
 * with last_from) and nowhere else, so nothing internal can move it; each
 * move is a statement of the operation that makes the change, so it is in
 * the caller's transaction.
 */
#include <string.h>

#include "store/sqlite/sq_tickets.h"
#include "util/errors.h"

int
sq_ticket_row(sqlite3_stmt *st, void *ctx)
{
	struct ticket_rec *t = ctx;

	t->id = sqlite3_column_int64(st, 0);
	t->customer_id = sqlite3_column_int64(st, 1);
	sq_text(st, 2, t->customer_name, sizeof(t->customer_name));
	sq_text(st, 3, t->subject, sizeof(t->subject));
	sq_text(st, 4, t->status, sizeof(t->status));
	t->assignee_id = sqlite3_column_int64(st, 5);
	sq_text(st, 6, t->assignee_name, sizeof(t->assignee_name));
	t->created_at = sqlite3_column_int64(st, 7);
	t->updated_at = sqlite3_column_int64(st, 8);
	sq_text(st, 9, t->last_from, sizeof(t->last_from));
	t->queue_id = sqlite3_column_int64(st, 10);
	sq_text(st, 11, t->queue_name, sizeof(t->queue_name));
	t->drill_id = sqlite3_column_int64(st, 12);
	sq_text(st, 13, t->priority, sizeof(t->priority));
	sq_text(st, 14, t->tags, sizeof(t->tags));
	t->due_at = sqlite3_column_int64(st, 15);
	t->breached = sqlite3_column_int(st, 16);
	return 0;
}

int
sq_ticket_push(sqlite3_stmt *st, void *ctx)
{
	struct ticket_list *l = ctx;
	struct ticket_rec *v = sq_append(l->v, l->n, sizeof(*v));

	if (v == NULL)
		return -GH_INTERNAL;
	l->v = v;
	return sq_ticket_row(st, &l->v[l->n++]);
}

int
sq_ticket_insert(struct store_conn *c, int64_t customer_id,
		 const char *subject, int64_t now, int64_t *id_out)
{
	return sq_insert(c, id_out,
			 "INSERT INTO tickets (customer_id, subject, status, "
			 "queue_id, created_at, updated_at, last_activity) "
			 "VALUES (?1, ?2, 'open', ?4, ?3, ?3, ?3)",
			 "itii", customer_id, subject, now,
			 (int64_t)STORE_QUEUE_GENERAL);
}

/* A change of status is visible to the customer; of assignee, not. (The
 * right-hand sides of SET all read the row as it was.) */
int
sq_ticket_update(struct store_conn *c, int64_t id, const char *status,
		 int64_t assignee_id, int64_t now)
{
	return sq_change(c, -GH_NOT_FOUND,
			 "UPDATE tickets SET status = ?1, assignee_id = ?2, "
			 "updated_at = ?3, last_activity = CASE "
			 "WHEN status = ?1 THEN last_activity ELSE ?3 END "
			 "WHERE id = ?4",
			 "tIii", status, assignee_id, now, id);
}

int
sq_ticket_set_queue(struct store_conn *c, int64_t ticket_id, int64_t queue_id,
		    int64_t now)
{
	return sq_change(c, -GH_NOT_FOUND,
			 "UPDATE tickets SET queue_id = ?, updated_at = ? "
			 "WHERE id = ?",
			 "iii", queue_id, now, ticket_id);
}

int
sq_ticket_set_priority(struct store_conn *c, int64_t ticket_id,
		       const char *priority, int64_t now)
{
	return sq_change(c, -GH_NOT_FOUND,
			 "UPDATE tickets SET priority = ?, updated_at = ? "
			 "WHERE id = ?",
			 "tii", priority, now, ticket_id);
}

/* The column and the rows of ticket_tags are rewritten together: the tags
 * are split on spaces by SQLite itself (a recursive CTE), so the two can
 * never be built from different lists. */
int
sq_ticket_set_tags(struct store_conn *c, int64_t ticket_id, const char *tags,
		   int64_t now)
{
	int rc;

	rc = sq_change(c, -GH_NOT_FOUND,
		       "UPDATE tickets SET tags = ?, updated_at = ? "
		       "WHERE id = ?",
		       "tii", tags, now, ticket_id);
	if (rc < 0)
		return rc;
	rc = sq_exec(c, "DELETE FROM ticket_tags WHERE ticket_id = ?",
			  "i", ticket_id);
	if (rc < 0 || tags[0] == '\0')
		return rc;
	return sq_exec(
		c,
		"WITH RECURSIVE split(tag, rest) AS ("
		"SELECT '', ?2 || ' ' UNION ALL "
		"SELECT substr(rest, 1, instr(rest, ' ') - 1), "
		"substr(rest, instr(rest, ' ') + 1) FROM split "
		"WHERE rest <> '') "
		"INSERT INTO ticket_tags (ticket_id, tag) "
		"SELECT ?1, tag FROM split WHERE tag <> ''",
		"it", ticket_id, tags);
}

int
sq_portal_ticket_get(struct store_conn *c, int64_t customer_id,
		     int64_t ticket_id, struct ticket_rec *out)
{
	memset(out, 0, sizeof(*out));
	return sq_row(c, sq_ticket_row, out,
		      "SELECT " PORTAL_VIEW "WHERE t.id = ? AND t.customer_id = ? "
		      "AND t.drill_id IS NULL",
		      "ii", ticket_id, customer_id);
}

int
sq_staff_ticket_get(struct store_conn *c, const struct ticket_query *q,
		    int64_t ticket_id, struct ticket_rec *out)
{
	memset(out, 0, sizeof(*out));
	return sq_row(c, sq_ticket_row, out,
		      "SELECT " STAFF_VIEW "WHERE t.id = ?1 AND "
		      STAFF_SEES("?2", "?3"),
		      "ibi", ticket_id, q->see_all, q->viewer_id);
}
