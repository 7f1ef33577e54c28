/*
 * The store, both backends: canned replies (migration 023,
 * store/store_macros.h). Every read joins the queue's name; the list of
 * what a staff member may use is one statement: their personal macros and
 * the shared ones of every queue or of their queues (staff_queues),
 * optionally of one queue.
 *
 * Invariant: a name clash in its scope (the partial unique indexes of
 * 023) answers -GH_EXISTS and writes nothing.
 */
#include <string.h>

#include "store/sql/db.h"
#include "util/errors.h"

#define MACRO_COLS \
	"m.id, COALESCE(m.owner_id, 0), COALESCE(m.queue_id, 0), " \
	"COALESCE(q.name, ''), m.name, m.body, m.set_status, " \
	"m.set_priority, m.tags_add, m.tags_remove, m.created_by, " \
	"m.created_at, m.updated_at FROM macros m " \
	"LEFT JOIN queues q ON q.id = m.queue_id "

static int
macro_row(const struct db_row *st, void *ctx)
{
	struct macro_rec *m = ctx;

	memset(m, 0, sizeof(*m));
	m->id = db_i64(st, 0);
	m->owner_id = db_i64(st, 1);
	m->queue_id = db_i64(st, 2);
	db_text(st, 3, m->queue_name, sizeof(m->queue_name));
	db_text(st, 4, m->name, sizeof(m->name));
	db_text(st, 6, m->status, sizeof(m->status));
	db_text(st, 7, m->priority, sizeof(m->priority));
	db_text(st, 8, m->tags_add, sizeof(m->tags_add));
	db_text(st, 9, m->tags_remove, sizeof(m->tags_remove));
	m->created_by = db_i64(st, 10);
	m->created_at = db_i64(st, 11);
	m->updated_at = db_i64(st, 12);
	return db_dup(st, 5, &m->body);
}

static int
macro_push(const struct db_row *st, void *ctx)
{
	struct macro_list *l = ctx;
	struct macro_rec *v = db_append(l->v, l->n, sizeof(*v));
	int rc;

	if (v == NULL)
		return -GH_INTERNAL;
	l->v = v;
	rc = macro_row(st, &l->v[l->n]);
	l->n++;
	return rc;
}

static int
macro_insert(struct store_conn *c, const struct macro_rec *m,
	     int64_t *id_out)
{
	return db_insert(c, id_out,
			 "INSERT INTO macros (owner_id, queue_id, name, body, "
			 "set_status, set_priority, tags_add, tags_remove, "
			 "created_by, created_at, updated_at) VALUES (?1, ?2, "
			 "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
			 "IIttttttii", m->owner_id, m->queue_id, m->name,
			 m->body, m->status, m->priority, m->tags_add,
			 m->tags_remove, m->created_by, m->updated_at);
}

static int
macro_update(struct store_conn *c, const struct macro_rec *m)
{
	return db_change(c, -GH_NOT_FOUND,
			 "UPDATE macros SET name = ?1, body = ?2, "
			 "set_status = ?3, set_priority = ?4, tags_add = ?5, "
			 "tags_remove = ?6, updated_at = ?7 WHERE id = ?8",
			 "ttttttii", m->name, m->body, m->status, m->priority,
			 m->tags_add, m->tags_remove, m->updated_at, m->id);
}

static int
macro_remove(struct store_conn *c, int64_t id)
{
	return db_change(c, -GH_NOT_FOUND, "DELETE FROM macros WHERE id = ?1",
			 "i", id);
}

static int
macro_get(struct store_conn *c, int64_t id, struct macro_rec *out)
{
	memset(out, 0, sizeof(*out));
	return db_row(c, macro_row, out,
		      "SELECT " MACRO_COLS "WHERE m.id = ?1", "i", id);
}

static int
macro_list(struct store_conn *c, int64_t staff_id, int all,
	   int64_t queue_id, struct macro_list *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = db_rows(c, macro_push, out,
		     "SELECT " MACRO_COLS "WHERE m.owner_id = ?1 OR "
		     "(m.queue_id IS NOT NULL AND (CAST(?3 AS BIGINT) = 0 OR "
		     "m.queue_id = ?3) AND (CAST(?2 AS BIGINT) <> 0 OR m.queue_id IN "
		     "(SELECT queue_id FROM staff_queues WHERE "
		     "staff_id = ?1))) "
		     "ORDER BY m.owner_id IS NULL, m.name, m.id",
		     "ibi", staff_id, all, queue_id);
	if (rc < 0)
		macro_list_clear(out);
	return rc;
}

static int
macro_count(struct store_conn *c, int64_t staff_id, int64_t queue_id,
	    int64_t *n_out)
{
	*n_out = 0;
	if (queue_id > 0)
		return db_row(c, db_int64, n_out,
			      "SELECT COUNT(*) FROM macros WHERE queue_id = ?1",
			      "i", queue_id);
	return db_row(c, db_int64, n_out,
		      "SELECT COUNT(*) FROM macros WHERE owner_id = ?1", "i",
		      staff_id);
}

const struct store_macros_ops db_macros_ops = {
	.insert = macro_insert,
	.update = macro_update,
	.remove = macro_remove,
	.get = macro_get,
	.list = macro_list,
	.count = macro_count,
};
