/*
 * PostgreSQL store, the twin of store/sqlite/super.c: what the
 * supervisor's console reads about staff and queues (store/store_super.h).
 * Each list is one statement over staff, staff_queues, queues, logins and
 * tickets. SQLite's group_concat over an ordered subquery is string_agg
 * with its ORDER BY here (NULL, read as "", when there is no queue).
 *
 * Invariant: nothing here selects a password hash, a TOTP seed or a
 * session token; the staff list is read-only.
 */
#include <string.h>

#include "store/pg/pg.h"
#include "util/errors.h"

static int
staff_push(const struct pg_row *st, void *ctx)
{
	struct staff_info_list *l = ctx;
	struct staff_info *v;

	if (l->n == STAFF_LIST_MAX) {
		l->truncated = 1;
		return 1;
	}
	v = pg_append(l->v, l->n, sizeof(*v));
	if (v == NULL)
		return -GH_INTERNAL;
	l->v = v;
	v = &l->v[l->n++];
	v->id = pg_i64(st, 0);
	pg_text(st, 1, v->email, sizeof(v->email));
	pg_text(st, 2, v->name, sizeof(v->name));
	pg_text(st, 3, v->role, sizeof(v->role));
	v->disabled = pg_i64(st, 4) != 0;
	v->totp_enrolled = pg_i64(st, 5) != 0;
	v->created_at = pg_i64(st, 6);
	v->last_login = pg_i64(st, 7);
	pg_text(st, 8, v->queues, sizeof(v->queues));
	return 0;
}

int
pg_super_staff_list(struct store_conn *c, int64_t queue_id,
		    struct staff_info_list *out)
{
	int rc;

	*out = (struct staff_info_list){NULL, 0, 0};
	rc = pg_rows(c, staff_push, out,
		     "SELECT s.id, s.email, s.name, s.role, s.disabled, "
		     "s.totp_enrolled, s.created_at, "
		     "(SELECT COALESCE(MAX(l.at), 0) FROM logins l "
		     " WHERE l.realm = 'staff' AND l.principal_id = s.id "
		     " AND l.ok = 1), "
		     "(SELECT string_agg(q.name, ' ' ORDER BY q.id) "
		     " FROM staff_queues m JOIN queues q "
		     " ON q.id = m.queue_id WHERE m.staff_id = s.id) "
		     "FROM staff s WHERE $1::bigint = 0 OR EXISTS "
		     "(SELECT 1 FROM staff_queues m WHERE m.staff_id = s.id "
		     " AND m.queue_id = $1) ORDER BY s.id",
		     "i", queue_id);
	if (rc < 0)
		staff_info_list_clear(out);
	return rc;
}

int
pg_super_active_admins(struct store_conn *c, int64_t *n_out)
{
	*n_out = 0;
	return pg_row(c, pg_int64_row, n_out,
		      "SELECT COUNT(*) FROM staff "
		      "WHERE role = 'admin' AND disabled = 0",
		      "");
}

static int
queue_stat_push(const struct pg_row *st, void *ctx)
{
	struct queue_stat_list *l = ctx;
	struct queue_stat *v = pg_append(l->v, l->n, sizeof(*v));

	if (v == NULL)
		return -GH_INTERNAL;
	l->v = v;
	v = &l->v[l->n++];
	v->id = pg_i64(st, 0);
	pg_text(st, 1, v->name, sizeof(v->name));
	v->members = pg_i64(st, 2);
	v->open = pg_i64(st, 3);
	v->pending = pg_i64(st, 4);
	v->unassigned = pg_i64(st, 5);
	return 0;
}

int
pg_super_queue_stats(struct store_conn *c, struct queue_stat_list *out)
{
	int rc;

	*out = (struct queue_stat_list){NULL, 0};
	rc = pg_rows(c, queue_stat_push, out,
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
