/*
 * SQLite store: what the supervisor's console reads about staff and
 * queues (store/store_super.h). Each list is one statement over staff,
 * staff_queues, queues, logins and tickets, using their indexes
 * (logins_by_principal, staff_queues_by_queue, tickets_list_queue_status).
 *
 * Invariant: nothing here selects a password hash, a TOTP seed or a
 * session token; the staff list is read-only.
 */
#include <string.h>

#include "store/sqlite/sq.h"
#include "store/sqlite/sq_super.h"
#include "util/errors.h"

static int
staff_push(sqlite3_stmt *st, void *ctx)
{
	struct staff_info_list *l = ctx;
	struct staff_info *v;

	if (l->n == STAFF_LIST_MAX) {
		l->truncated = 1;
		return 1;
	}
	v = sq_append(l->v, l->n, sizeof(*v));
	if (v == NULL)
		return -GH_INTERNAL;
	l->v = v;
	v = &l->v[l->n++];
	v->id = sqlite3_column_int64(st, 0);
	sq_text(st, 1, v->email, sizeof(v->email));
	sq_text(st, 2, v->name, sizeof(v->name));
	sq_text(st, 3, v->role, sizeof(v->role));
	v->disabled = sqlite3_column_int(st, 4) != 0;
	v->totp_enrolled = sqlite3_column_int(st, 5) != 0;
	v->created_at = sqlite3_column_int64(st, 6);
	v->last_login = sqlite3_column_int64(st, 7);
	sq_text(st, 8, v->queues, sizeof(v->queues));
	return 0;
}

int
sq_super_staff_list(struct store_conn *c, int64_t queue_id,
		    struct staff_info_list *out)
{
	int rc;

	*out = (struct staff_info_list){NULL, 0, 0};
	rc = sq_rows(c, staff_push, out,
		     "SELECT s.id, s.email, s.name, s.role, s.disabled, "
		     "s.totp_enrolled, s.created_at, "
		     "(SELECT COALESCE(MAX(l.at), 0) FROM logins l "
		     " WHERE l.realm = 'staff' AND l.principal_id = s.id "
		     " AND l.ok = 1), "
		     "(SELECT group_concat(name, ' ') FROM "
		     " (SELECT q.name FROM staff_queues m JOIN queues q "
		     "  ON q.id = m.queue_id WHERE m.staff_id = s.id "
		     "  ORDER BY q.id)) "
		     "FROM staff s WHERE ?1 = 0 OR EXISTS "
		     "(SELECT 1 FROM staff_queues m WHERE m.staff_id = s.id "
		     " AND m.queue_id = ?1) ORDER BY s.id",
		     "i", queue_id);
	if (rc < 0)
		staff_info_list_clear(out);
	return rc;
}

int
sq_super_active_admins(struct store_conn *c, int64_t *n_out)
{
	*n_out = 0;
	return sq_row(c, sq_int64, n_out,
		      "SELECT COUNT(*) FROM staff "
		      "WHERE role = 'admin' AND disabled = 0",
		      "");
}

static int
queue_stat_push(sqlite3_stmt *st, void *ctx)
{
	struct queue_stat_list *l = ctx;
	struct queue_stat *v = sq_append(l->v, l->n, sizeof(*v));

	if (v == NULL)
		return -GH_INTERNAL;
	l->v = v;
	v = &l->v[l->n++];
	v->id = sqlite3_column_int64(st, 0);
	sq_text(st, 1, v->name, sizeof(v->name));
	v->members = sqlite3_column_int64(st, 2);
	v->open = sqlite3_column_int64(st, 3);
	v->pending = sqlite3_column_int64(st, 4);
	v->unassigned = sqlite3_column_int64(st, 5);
	return 0;
}

int
sq_super_queue_stats(struct store_conn *c, struct queue_stat_list *out)
{
	int rc;

	*out = (struct queue_stat_list){NULL, 0};
	rc = sq_rows(c, queue_stat_push, out,
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
