/*
 * The store, both backends: what the supervisor's console reads about staff
 * and queues (store/store_super.h). Each list is one statement over staff,
 * staff_queues, queues, logins and tickets. A member's queue names, in
 * queue order, are SQLite's group_concat over an ordered subquery and
 * PostgreSQL's string_agg with its ORDER BY (NULL, read as "", when there
 * is no queue).
 *
 * Invariant: nothing here selects a password hash, a TOTP seed or a
 * session token; the staff list is read-only.
 */
#include <string.h>

#include "store/sql/db.h"
#include "util/errors.h"

static int
staff_push(const struct db_row *st, void *ctx)
{
	struct staff_info_list *l = ctx;
	struct staff_info *v;

	if (l->n == STAFF_LIST_MAX) {
		l->truncated = 1;
		return 1;
	}
	v = db_append(l->v, l->n, sizeof(*v));
	if (v == NULL)
		return -GH_INTERNAL;
	l->v = v;
	v = &l->v[l->n++];
	v->id = db_i64(st, 0);
	db_text(st, 1, v->email, sizeof(v->email));
	db_text(st, 2, v->name, sizeof(v->name));
	db_text(st, 3, v->role, sizeof(v->role));
	v->disabled = db_i64(st, 4) != 0;
	v->totp_enrolled = db_i64(st, 5) != 0;
	v->created_at = db_i64(st, 6);
	v->last_login = db_i64(st, 7);
	db_text(st, 8, v->queues, sizeof(v->queues));
	v->passkeys = db_i64(st, 9);
	return 0;
}

/* The staff list, `queues` the dialect's ordered names of a member's
 * queues. */
#define STAFF_LIST(queues)                                                    \
	"s.totp_enrolled, s.created_at, "                                    \
	"(SELECT COALESCE(MAX(l.at), 0) FROM logins l "                      \
	" WHERE l.realm = 'staff' AND l.principal_id = s.id "                \
	" AND l.ok = 1), " queues ", "                                       \
	"(SELECT COUNT(*) FROM passkeys p WHERE p.realm = 'staff' "          \
	" AND p.principal_id = s.id) "                                       \
	"FROM staff s WHERE CAST(?1 AS BIGINT) = 0 OR EXISTS "               \
	"(SELECT 1 FROM staff_queues m WHERE m.staff_id = s.id "             \
	" AND m.queue_id = ?1) ORDER BY s.id"

static const char *const staff_list[2] = {
	"SELECT s.id, s.email, s.name, s.role, s.disabled, "
	STAFF_LIST("(SELECT group_concat(name, ' ') FROM "
		   " (SELECT q.name FROM staff_queues m JOIN queues q "
		   "  ON q.id = m.queue_id WHERE m.staff_id = s.id "
		   "  ORDER BY q.id))"),
	"SELECT s.id, s.email, s.name, s.role, s.disabled, "
	STAFF_LIST("(SELECT string_agg(q.name, ' ' ORDER BY q.id) "
		   " FROM staff_queues m JOIN queues q "
		   " ON q.id = m.queue_id WHERE m.staff_id = s.id)"),
};

int
db_super_staff_list(struct store_conn *c, int64_t queue_id,
		    struct staff_info_list *out)
{
	int rc;

	*out = (struct staff_info_list){NULL, 0, 0};
	rc = db_rows(c, staff_push, out, DB_SQL(c, staff_list), "i",
		     queue_id);
	if (rc < 0)
		staff_info_list_clear(out);
	return rc;
}

int
db_super_active_admins(struct store_conn *c, int64_t *n_out)
{
	*n_out = 0;
	return db_row(c, db_int64, n_out,
		      "SELECT COUNT(*) FROM staff "
		      "WHERE role = 'admin' AND disabled = 0",
		      "");
}

static int
queue_stat_push(const struct db_row *st, void *ctx)
{
	struct queue_stat_list *l = ctx;
	struct queue_stat *v = db_append(l->v, l->n, sizeof(*v));

	if (v == NULL)
		return -GH_INTERNAL;
	l->v = v;
	v = &l->v[l->n++];
	v->id = db_i64(st, 0);
	db_text(st, 1, v->name, sizeof(v->name));
	v->members = db_i64(st, 2);
	v->open = db_i64(st, 3);
	v->pending = db_i64(st, 4);
	v->unassigned = db_i64(st, 5);
	return 0;
}

int
db_super_queue_stats(struct store_conn *c, struct queue_stat_list *out)
{
	int rc;

	*out = (struct queue_stat_list){NULL, 0};
	rc = db_rows(c, queue_stat_push, out,
		     "SELECT q.id, q.name, "
		     "(SELECT COUNT(*) FROM staff_queues m JOIN staff s "
		     " ON s.id = m.staff_id WHERE m.queue_id = q.id "
		     " AND s.disabled = 0), "
		     "(SELECT COUNT(*) FROM tickets t WHERE t.queue_id = q.id "
		     " AND t.status = 'open'), "
		     "(SELECT COUNT(*) FROM tickets t WHERE t.queue_id = q.id "
		     " AND t.status = 'pending'), "
		     "(SELECT COUNT(*) FROM tickets t WHERE t.queue_id = q.id "
		     " AND t.status IN ('open', 'pending') "
		     " AND t.assignee_id IS NULL) "
		     "FROM queues q ORDER BY q.id",
		     "");
	if (rc < 0)
		queue_stat_list_clear(out);
	return rc;
}
