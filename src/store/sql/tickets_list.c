/*
 * The store, both backends: the two ticket lists, a page at a time
 * (keyset pagination, migration 018). The staff work list is newest
 * updated_at first, the portal's newest last_activity first, ties by id
 * (newest first); a page starts after the (sort key, id) of the last row
 * of the previous one, then skips `offset` rows and reads `limit`.
 *
 * The staff list has one statement for each combination of its filters
 * (status, queue, and whose tickets: everyone's, one assignee's, the
 * unassigned ones, an agent's pool of unassigned tickets in their queues,
 * or an agent's own view: theirs merged with their pool), so each can use
 * the index made for it (the tickets_list_* indexes; on PostgreSQL they
 * end with id, docs/pg-schema.md); the agent's own view is a UNION ALL of
 * two such scans with one ORDER BY. tests/unit/test_lists.c checks
 * SQLite's plan of each.
 *
 * Every statement takes the same eight parameters, and PostgreSQL must
 * know the type of each, including those a shape does not use: WHERE
 * names all four filter parameters with their types in a condition that
 * is always true and constant (both planners evaluate it once).
 */
#include <stdint.h>
#include <string.h>

#include "store/sql/db.h"
#include "util/errors.h"

/* Parameters of every staff list statement: ?1 the viewer, ?2 the
 * assignee (NULL: none), ?3 the status, ?4 the queue, ?5 and ?6 the
 * keyset (updated_at, id), ?7 limit, ?8 offset. */
#define WHERE                                                                 \
	"WHERE (COALESCE(CAST(?1 AS BIGINT), CAST(?2 AS BIGINT), "          \
	"CAST(?4 AS BIGINT)) IS NULL OR CAST(?3 AS TEXT) IS NULL OR 1 = 1) " \
	"AND "
#define KEYSET                                                                \
	"(t.updated_at, t.id) < (CAST(?5 AS BIGINT), CAST(?6 AS BIGINT))"
#define BY_STATUS " AND t.status = ?3"
#define BY_QUEUE " AND t.queue_id = ?4"
#define PAGE                                                                  \
	" ORDER BY t.updated_at DESC, t.id DESC LIMIT CAST(?7 AS BIGINT) "   \
	"OFFSET CAST(?8 AS BIGINT)"
/* The merged view's order, by result column (DB_STAFF_VIEW). */
#define MERGED_PAGE                                                           \
	" ORDER BY 9 DESC, 1 DESC LIMIT CAST(?7 AS BIGINT) "                 \
	"OFFSET CAST(?8 AS BIGINT)"
/* One assignee's tickets and the unassigned ones are two statements:
 * neither "IS NOT DISTINCT FROM" (SQLite's "IS ?") nor an OR of the two
 * can use an index on PostgreSQL. */
#define ASSIGNEE "t.assignee_id = ?2 AND "
#define NOBODY "t.assignee_id IS NULL AND "
#define MINE "t.assignee_id = ?1 AND "
#define POOL                                                                  \
	"t.assignee_id IS NULL AND EXISTS (SELECT 1 FROM staff_queues sq "   \
	"WHERE sq.staff_id = ?1 AND sq.queue_id = t.queue_id) AND "
#define UNION " UNION ALL SELECT " DB_STAFF_VIEW "WHERE "

/* Whose tickets a statement reads: the first index of its row of four
 * (then + 2 with a status, + 1 with a queue). */
enum {
	WHO_ALL = 0, WHO_ASSIGNEE = 4, WHO_POOL = 8, WHO_OWN = 12,
	WHO_NOBODY = 16
};

static const char *const staff_list[DB_STAFF_LIST_SHAPES] = {
	"SELECT " DB_STAFF_VIEW WHERE KEYSET PAGE,
	"SELECT " DB_STAFF_VIEW WHERE KEYSET BY_QUEUE PAGE,
	"SELECT " DB_STAFF_VIEW WHERE KEYSET BY_STATUS PAGE,
	"SELECT " DB_STAFF_VIEW WHERE KEYSET BY_STATUS BY_QUEUE PAGE,
	"SELECT " DB_STAFF_VIEW WHERE ASSIGNEE KEYSET PAGE,
	"SELECT " DB_STAFF_VIEW WHERE ASSIGNEE KEYSET BY_QUEUE PAGE,
	"SELECT " DB_STAFF_VIEW WHERE ASSIGNEE KEYSET BY_STATUS PAGE,
	"SELECT " DB_STAFF_VIEW WHERE ASSIGNEE KEYSET BY_STATUS BY_QUEUE PAGE,
	"SELECT " DB_STAFF_VIEW WHERE POOL KEYSET PAGE,
	"SELECT " DB_STAFF_VIEW WHERE POOL KEYSET BY_QUEUE PAGE,
	"SELECT " DB_STAFF_VIEW WHERE POOL KEYSET BY_STATUS PAGE,
	"SELECT " DB_STAFF_VIEW WHERE POOL KEYSET BY_STATUS BY_QUEUE PAGE,
	"SELECT " DB_STAFF_VIEW WHERE MINE KEYSET UNION POOL KEYSET
		MERGED_PAGE,
	"SELECT " DB_STAFF_VIEW WHERE MINE KEYSET BY_QUEUE UNION POOL KEYSET
		BY_QUEUE MERGED_PAGE,
	"SELECT " DB_STAFF_VIEW WHERE MINE KEYSET BY_STATUS UNION POOL KEYSET
		BY_STATUS MERGED_PAGE,
	"SELECT " DB_STAFF_VIEW WHERE MINE KEYSET BY_STATUS BY_QUEUE UNION
		POOL KEYSET BY_STATUS BY_QUEUE MERGED_PAGE,
	"SELECT " DB_STAFF_VIEW WHERE NOBODY KEYSET PAGE,
	"SELECT " DB_STAFF_VIEW WHERE NOBODY KEYSET BY_QUEUE PAGE,
	"SELECT " DB_STAFF_VIEW WHERE NOBODY KEYSET BY_STATUS PAGE,
	"SELECT " DB_STAFF_VIEW WHERE NOBODY KEYSET BY_STATUS BY_QUEUE PAGE,
};

static const char portal_list[] =
	"SELECT " DB_PORTAL_VIEW "WHERE t.customer_id = ?1 "
	"AND t.drill_id IS NULL AND (t.last_activity, t.id) < "
	"(CAST(?2 AS BIGINT), CAST(?3 AS BIGINT)) "
	"ORDER BY t.last_activity DESC, t.id DESC LIMIT CAST(?4 AS BIGINT) "
	"OFFSET CAST(?5 AS BIGINT)";

/* The statement for q: supervisors and admins read everyone's tickets,
 * one assignee's (themself) or the unassigned ones; an agent reads their
 * own, their pool, or both. */
const char *
db_staff_list_sql(int i)
{
	if (i < 0 || i >= DB_STAFF_LIST_SHAPES)
		return NULL;
	return staff_list[i];
}

const char *
db_portal_list_sql(void)
{
	return portal_list;
}

static int
staff_shape(const struct ticket_query *q)
{
	int who;

	if (q->assigned == TA_ME)
		who = WHO_ASSIGNEE;
	else if (q->assigned == TA_UNASSIGNED && q->see_all)
		who = WHO_NOBODY;
	else if (q->see_all)
		who = WHO_ALL;
	else if (q->assigned == TA_UNASSIGNED)
		who = WHO_POOL;
	else
		who = WHO_OWN;
	return who + (q->status != NULL ? 2 : 0) + (q->queue_id > 0 ? 1 : 0);
}

/* The keyset's bound: after (key, id), or before everything. */
static void
keyset(int64_t after_key, int64_t after_id, int64_t *key, int64_t *id)
{
	*key = after_id > 0 ? after_key : INT64_MAX;
	*id = after_id > 0 ? after_id : INT64_MAX;
}

int
db_staff_ticket_list(struct store_conn *c, const struct ticket_query *q,
		     struct ticket_list *out)
{
	int64_t key, id;
	int rc;

	*out = (struct ticket_list){NULL, 0};
	keyset(q->after_key, q->after_id, &key, &id);
	rc = db_rows(c, db_ticket_push, out, staff_list[staff_shape(q)],
		     "iItiiiii", q->viewer_id,
		     q->assigned == TA_ME ? q->viewer_id : (int64_t)0,
		     q->status, q->queue_id > 0 ? q->queue_id : (int64_t)0,
		     key, id, q->limit, q->offset);
	if (rc < 0)
		ticket_list_clear(out);
	return rc;
}

int
db_portal_ticket_list(struct store_conn *c, int64_t customer_id,
		      const struct ticket_page *p, struct ticket_list *out)
{
	int64_t key, id;
	int rc;

	*out = (struct ticket_list){NULL, 0};
	keyset(p->after_key, p->after_id, &key, &id);
	rc = db_rows(c, db_ticket_push, out, portal_list, "iiiii",
		     customer_id, key, id, p->limit, p->offset);
	if (rc < 0)
		ticket_list_clear(out);
	return rc;
}
