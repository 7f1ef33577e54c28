/*
 * The store, both backends: the `tickets` table, one ticket at a time (the
 * lists are each backend's tickets_list.c). Two views read it (db.h:
 * DB_PORTAL_VIEW, DB_STAFF_VIEW). The portal's (portal_*) is always
 * filtered by the customer in SQL, names no staff member and no queue, and
 * shows as updated_at the time of the last change the customer can see
 * (last_activity, migrations 008 and 018). The staff view applies the
 * visibility rule of queues in SQL (DB_STAFF_SEES) and shows updated_at,
 * which every change moves. A phishing drill's ticket (drill_id set) is
 * never read by the portal's statements; the staff view carries the mark.
 *
 * Full-text search: SQLite indexes a new ticket's subject by hand
 * (db_search_index: sq_search_index); on PostgreSQL tickets.subject_tsv
 * is a generated column (migration 021, docs/pg-schema.md), computed by
 * the server in the INSERT itself, so there is nothing to index.
 *
 * Invariant: last_activity is moved here and in threads.c (a new message,
 * with last_from) and nowhere else; each move is a statement of the
 * operation that makes the change, so it is in the caller's transaction.
 */
#include <string.h>

#include "store/sql/db.h"
#include "util/errors.h"

int
db_ticket_row(const struct db_row *st, void *ctx)
{
	struct ticket_rec *t = ctx;

	t->id = db_i64(st, 0);
	t->customer_id = db_i64(st, 1);
	db_text(st, 2, t->customer_name, sizeof(t->customer_name));
	db_text(st, 3, t->subject, sizeof(t->subject));
	db_text(st, 4, t->status, sizeof(t->status));
	t->assignee_id = db_i64(st, 5);
	db_text(st, 6, t->assignee_name, sizeof(t->assignee_name));
	t->created_at = db_i64(st, 7);
	t->updated_at = db_i64(st, 8);
	db_text(st, 9, t->last_from, sizeof(t->last_from));
	t->queue_id = db_i64(st, 10);
	db_text(st, 11, t->queue_name, sizeof(t->queue_name));
	t->drill_id = db_i64(st, 12);
	db_text(st, 13, t->priority, sizeof(t->priority));
	db_text(st, 14, t->tags, sizeof(t->tags));
	t->due_at = db_i64(st, 15);
	t->breached = db_int(st, 16);
	return 0;
}

int
db_ticket_push(const struct db_row *st, void *ctx)
{
	struct ticket_list *l = ctx;
	struct ticket_rec *v = db_append(l->v, l->n, sizeof(*v));

	if (v == NULL)
		return -GH_INTERNAL;
	l->v = v;
	return db_ticket_row(st, &l->v[l->n++]);
}

int
db_ticket_insert(struct store_conn *c, int64_t customer_id,
		 const char *subject, int64_t now, int64_t *id_out)
{
	int rc = db_insert(c, id_out,
			   "INSERT INTO tickets (customer_id, subject, status, "
			   "queue_id, created_at, updated_at, last_activity) "
			   "VALUES (?1, ?2, 'open', ?4, ?3, ?3, ?3)",
			   "itii", customer_id, subject, now,
			   (int64_t)STORE_QUEUE_GENERAL);

	/* The subject's search index (migration 021), right after. */
	return rc < 0 ? rc : db_search_index(c, SEARCH_DOC_SUBJECT, subject);
}

/* A change of status is visible to the customer; of assignee, not. (The
 * right-hand sides of SET all read the row as it was.) */
int
db_ticket_update(struct store_conn *c, int64_t id, const char *status,
		 int64_t assignee_id, int64_t now)
{
	return db_change(c, -GH_NOT_FOUND,
			 "UPDATE tickets SET status = ?1, assignee_id = ?2, "
			 "updated_at = ?3, last_activity = CASE "
			 "WHEN status = ?1 THEN last_activity ELSE ?3 END "
			 "WHERE id = ?4",
			 "tIii", status, assignee_id, now, id);
}

int
db_ticket_set_queue(struct store_conn *c, int64_t ticket_id, int64_t queue_id,
		    int64_t now)
{
	return db_change(c, -GH_NOT_FOUND,
			 "UPDATE tickets SET queue_id = ?1, updated_at = ?2 "
			 "WHERE id = ?3",
			 "iii", queue_id, now, ticket_id);
}

int
db_ticket_set_priority(struct store_conn *c, int64_t ticket_id,
		       const char *priority, int64_t now)
{
	return db_change(c, -GH_NOT_FOUND,
			 "UPDATE tickets SET priority = ?1, updated_at = ?2 "
			 "WHERE id = ?3",
			 "tii", priority, now, ticket_id);
}

/* The column and the rows of ticket_tags are rewritten together: the tags
 * are split on spaces by the server (SQLite by a recursive CTE,
 * PostgreSQL by regexp_split_to_table), so the two can never be built
 * from different lists. */
static const char *const insert_tags[2] = {
	"WITH RECURSIVE split(tag, rest) AS ("
	"SELECT '', ?2 || ' ' UNION ALL "
	"SELECT substr(rest, 1, instr(rest, ' ') - 1), "
	"substr(rest, instr(rest, ' ') + 1) FROM split "
	"WHERE rest <> '') "
	"INSERT INTO ticket_tags (ticket_id, tag) "
	"SELECT ?1, tag FROM split WHERE tag <> ''",
	"INSERT INTO ticket_tags (ticket_id, tag) "
	"SELECT CAST(?1 AS BIGINT), tag FROM "
	"regexp_split_to_table(CAST(?2 AS TEXT), ' ') AS tag "
	"WHERE tag <> ''",
};
int
db_ticket_set_tags(struct store_conn *c, int64_t ticket_id, const char *tags,
		   int64_t now)
{
	int rc;

	rc = db_change(c, -GH_NOT_FOUND,
		       "UPDATE tickets SET tags = ?1, updated_at = ?2 "
		       "WHERE id = ?3",
		       "tii", tags, now, ticket_id);
	if (rc < 0)
		return rc;
	rc = db_exec(c, "DELETE FROM ticket_tags WHERE ticket_id = ?1", "i",
		     ticket_id);
	if (rc < 0 || tags[0] == '\0')
		return rc;
	return db_exec(c, DB_SQL(c, insert_tags), "it", ticket_id, tags);
}

int
db_portal_ticket_get(struct store_conn *c, int64_t customer_id,
		     int64_t ticket_id, struct ticket_rec *out)
{
	memset(out, 0, sizeof(*out));
	return db_row(c, db_ticket_row, out,
		      "SELECT " DB_PORTAL_VIEW "WHERE t.id = ?1 AND "
		      "t.customer_id = ?2 AND t.drill_id IS NULL",
		      "ii", ticket_id, customer_id);
}

int
db_staff_ticket_get(struct store_conn *c, const struct ticket_query *q,
		    int64_t ticket_id, struct ticket_rec *out)
{
	memset(out, 0, sizeof(*out));
	return db_row(c, db_ticket_row, out,
		      "SELECT " DB_STAFF_VIEW "WHERE t.id = ?1 AND "
		      DB_STAFF_SEES("?2", "?3"),
		      "ibi", ticket_id, q->see_all, q->viewer_id);
}
