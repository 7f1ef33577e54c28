/*
 * PostgreSQL store, the twin of store/sqlite/macros.c: canned replies
 * (migration 023, store/store_macros.h).
 * Every read joins the queue's name; the list of what a staff member may
 * use is one statement: their personal macros and the shared ones of
 * every queue or of their queues (staff_queues), optionally of one queue.
 *
 * Invariant: a name clash in its scope (the partial unique indexes of
 * 023) answers -GH_EXISTS and writes nothing.
 */
#include <string.h>

#include "store/pg/pg.h"
#include "util/errors.h"

#define MACRO_COLS \
	"m.id, COALESCE(m.owner_id, 0), COALESCE(m.queue_id, 0), " \
	"COALESCE(q.name, ''), m.name, m.body, m.set_status, " \
	"m.set_priority, m.tags_add, m.tags_remove, m.created_by, " \
	"m.created_at, m.updated_at FROM macros m " \
	"LEFT JOIN queues q ON q.id = m.queue_id "

static int
macro_row(const struct pg_row *st, void *ctx)
{
	struct macro_rec *m = ctx;

	memset(m, 0, sizeof(*m));
	m->id = pg_i64(st, 0);
	m->owner_id = pg_i64(st, 1);
	m->queue_id = pg_i64(st, 2);
	pg_text(st, 3, m->queue_name, sizeof(m->queue_name));
	pg_text(st, 4, m->name, sizeof(m->name));
	pg_text(st, 6, m->status, sizeof(m->status));
	pg_text(st, 7, m->priority, sizeof(m->priority));
	pg_text(st, 8, m->tags_add, sizeof(m->tags_add));
	pg_text(st, 9, m->tags_remove, sizeof(m->tags_remove));
	m->created_by = pg_i64(st, 10);
	m->created_at = pg_i64(st, 11);
	m->updated_at = pg_i64(st, 12);
	return pg_dup(st, 5, &m->body);
}

static int
macro_push(const struct pg_row *st, void *ctx)
{
	struct macro_list *l = ctx;
	struct macro_rec *v = pg_append(l->v, l->n, sizeof(*v));
	int rc;

	if (v == NULL)
		return -GH_INTERNAL;
	l->v = v;
	rc = macro_row(st, &l->v[l->n]);
	l->n++;
	return rc;
}

static int
pg_macro_insert(struct store_conn *c, const struct macro_rec *m,
		int64_t *id_out)
{
	return pg_insert(c, id_out,
			 "INSERT INTO macros (owner_id, queue_id, name, body, "
			 "set_status, set_priority, tags_add, tags_remove, "
			 "created_by, created_at, updated_at) VALUES ($1, $2, "
			 "$3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
			 "IIttttttii", m->owner_id, m->queue_id, m->name,
			 m->body, m->status, m->priority, m->tags_add,
			 m->tags_remove, m->created_by, m->updated_at);
}

static int
pg_macro_update(struct store_conn *c, const struct macro_rec *m)
{
	return pg_change(c, -GH_NOT_FOUND,
			 "UPDATE macros SET name = $1, body = $2, "
			 "set_status = $3, set_priority = $4, tags_add = $5, "
			 "tags_remove = $6, updated_at = $7 WHERE id = $8",
			 "ttttttii", m->name, m->body, m->status, m->priority,
			 m->tags_add, m->tags_remove, m->updated_at, m->id);
}

static int
pg_macro_remove(struct store_conn *c, int64_t id)
{
	return pg_change(c, -GH_NOT_FOUND, "DELETE FROM macros WHERE id = $1",
			 "i", id);
}

static int
pg_macro_get(struct store_conn *c, int64_t id, struct macro_rec *out)
{
	memset(out, 0, sizeof(*out));
	return pg_row(c, macro_row, out,
		      "SELECT " MACRO_COLS "WHERE m.id = $1", "i", id);
}

static int
pg_macro_list(struct store_conn *c, int64_t staff_id, int all,
	      int64_t queue_id, struct macro_list *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = pg_rows(c, macro_push, out,
		     "SELECT " MACRO_COLS "WHERE m.owner_id = $1 OR "
		     "(m.queue_id IS NOT NULL AND ($3::bigint = 0 OR "
		     "m.queue_id = $3) AND ($2::bigint <> 0 OR m.queue_id IN "
		     "(SELECT queue_id FROM staff_queues WHERE "
		     "staff_id = $1))) "
		     "ORDER BY m.owner_id IS NULL, m.name, m.id",
		     "ibi", staff_id, all, queue_id);
	if (rc < 0)
		macro_list_clear(out);
	return rc;
}

static int
pg_macro_count(struct store_conn *c, int64_t staff_id, int64_t queue_id,
	       int64_t *n_out)
{
	*n_out = 0;
	if (queue_id > 0)
		return pg_row(c, pg_int64_row, n_out,
			      "SELECT COUNT(*) FROM macros WHERE queue_id = $1",
			      "i", queue_id);
	return pg_row(c, pg_int64_row, n_out,
		      "SELECT COUNT(*) FROM macros WHERE owner_id = $1", "i",
		      staff_id);
}

const struct store_macros_ops pg_macros_ops = {
	.insert = pg_macro_insert,
	.update = pg_macro_update,
	.remove = pg_macro_remove,
	.get = pg_macro_get,
	.list = pg_macro_list,
	.count = pg_macro_count,
};
