/*
 * The store, both backends: the disclosure gate's tables (migration 011).
 * `reveals` records who revealed which field of which customer, on which
 * ticket and verification, why and when (never the value); `reveal_locks`
 * holds one row per staff member whose reveals were locked, locked while
 * cleared_at is NULL.
 *
 * Invariant: a lock row is never deleted: clearing records who and when,
 * and locking again overwrites the clearance, so the row always tells the
 * current state.
 */
#include <string.h>

#include "store/sql/db.h"
#include "util/errors.h"

int
db_reveal_insert(struct store_conn *c, const struct reveal_new *r,
		 int64_t *id_out)
{
	return db_insert(c, id_out,
			 "INSERT INTO reveals (staff_id, customer_id, "
			 "ticket_id, verification_id, field, reason, "
			 "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ",
			 "iiiitti", r->staff_id, r->customer_id, r->ticket_id,
			 r->verification_id, r->field, r->reason, r->now);
}

int
db_reveal_count(struct store_conn *c, int64_t staff_id, int64_t since,
		int64_t *n_out)
{
	*n_out = 0;
	return db_row(c, db_int64, n_out,
		      "SELECT COUNT(*) FROM reveals WHERE staff_id = ?1 AND "
		      "created_at > ?2",
		      "ii", staff_id, since);
}

static int
lock_row(const struct db_row *st, void *ctx)
{
	struct reveal_lock *l = ctx;

	l->staff_id = db_i64(st, 0);
	l->locked_at = db_i64(st, 1);
	db_text(st, 2, l->reason, sizeof(l->reason));
	l->cleared_by = db_i64(st, 3);
	l->cleared_at = db_i64(st, 4);
	return 0;
}

int
db_reveal_lock_get(struct store_conn *c, int64_t staff_id,
		   struct reveal_lock *out)
{
	memset(out, 0, sizeof(*out));
	return db_row(c, lock_row, out,
		      "SELECT staff_id, locked_at, reason, "
		      "COALESCE(cleared_by, 0), COALESCE(cleared_at, 0) "
		      "FROM reveal_locks WHERE staff_id = ?1",
		      "i", staff_id);
}

int
db_reveal_lock_set(struct store_conn *c, int64_t staff_id,
		   const char *reason, int64_t now)
{
	return db_exec(c,
		       "INSERT INTO reveal_locks (staff_id, locked_at, reason) "
		       "VALUES (?1, ?2, ?3) ON CONFLICT (staff_id) DO UPDATE "
		       "SET locked_at = ?2, reason = ?3, cleared_by = NULL, "
		       "cleared_at = NULL",
		       "iit", staff_id, now, reason);
}

int
db_reveal_lock_clear(struct store_conn *c, int64_t staff_id,
		     int64_t cleared_by, int64_t now)
{
	return db_change(c, -GH_CONFLICT,
			 "UPDATE reveal_locks SET cleared_by = ?1, "
			 "cleared_at = ?2 WHERE staff_id = ?3 AND "
			 "cleared_at IS NULL",
			 "iii", cleared_by, now, staff_id);
}

static int
agent_push(const struct db_row *st, void *ctx)
{
	struct reveal_agent_list *l = ctx;
	struct reveal_agent *v = db_append(l->v, l->n, sizeof(*v));
	struct reveal_agent *a;

	if (v == NULL)
		return -GH_INTERNAL;
	l->v = v;
	a = &l->v[l->n++];
	a->staff_id = db_i64(st, 0);
	db_text(st, 1, a->name, sizeof(a->name));
	db_text(st, 2, a->role, sizeof(a->role));
	a->count = db_i64(st, 3);
	a->last_at = db_i64(st, 4);
	a->locked = db_i64(st, 5) != 0;
	a->locked_at = db_i64(st, 6);
	return 0;
}

/* GROUP BY names the lock's columns too, as PostgreSQL wants (at most
 * one lock row per staff member, so the groups are the staff members). */
int
db_reveal_agents(struct store_conn *c, int64_t since,
		 struct reveal_agent_list *out)
{
	int rc;

	out->v = NULL;
	out->n = 0;
	rc = db_rows(c, agent_push, out,
		     "SELECT s.id, s.name, s.role, COUNT(r.id), "
		     "COALESCE(MAX(r.created_at), 0), "
		     "l.staff_id IS NOT NULL AND l.cleared_at IS NULL, "
		     "COALESCE(l.locked_at, 0) FROM staff s "
		     "LEFT JOIN reveals r ON r.staff_id = s.id AND "
		     "r.created_at > ?1 "
		     "LEFT JOIN reveal_locks l ON l.staff_id = s.id "
		     "WHERE r.id IS NOT NULL OR (l.staff_id IS NOT NULL AND "
		     "l.cleared_at IS NULL) "
		     "GROUP BY s.id, l.staff_id, l.cleared_at, l.locked_at "
		     "ORDER BY COUNT(r.id) DESC, s.id",
		     "i", since);
	if (rc < 0)
		reveal_agent_list_clear(out);
	return rc;
}
