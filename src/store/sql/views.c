/*
 * The store, both backends: the saved views of the ticket search
 * (`saved_views`, migration 021): a staff member's own, and a queue's
 * shared ones that its members (and supervisors and admins) see. The
 * search itself is each backend's (search.c: FTS5 and tsvector).
 */
#include <string.h>

#include "store/sql/db.h"
#include "util/errors.h"

#define VIEW_COLS                                                             \
	"v.id, COALESCE(v.owner_id, 0), COALESCE(v.queue_id, 0), "           \
	"COALESCE(q.name, ''), v.name, v.filters, v.created_by, "            \
	"v.created_at, v.updated_at FROM saved_views v "                     \
	"LEFT JOIN queues q ON q.id = v.queue_id "

static int
view_row(const struct db_row *r, void *ctx)
{
	struct view_rec *v = ctx;

	v->id = db_i64(r, 0);
	v->owner_id = db_i64(r, 1);
	v->queue_id = db_i64(r, 2);
	db_text(r, 3, v->queue_name, sizeof(v->queue_name));
	db_text(r, 4, v->name, sizeof(v->name));
	db_text(r, 5, v->filters, sizeof(v->filters));
	v->created_by = db_i64(r, 6);
	v->created_at = db_i64(r, 7);
	v->updated_at = db_i64(r, 8);
	return 0;
}

static int
view_push(const struct db_row *r, void *ctx)
{
	struct view_list *l = ctx;
	struct view_rec *v = db_append(l->v, l->n, sizeof(*v));

	if (v == NULL)
		return -GH_INTERNAL;
	l->v = v;
	return view_row(r, &l->v[l->n++]);
}

int
db_view_insert(struct store_conn *c, const struct view_rec *v,
	       int64_t *id_out)
{
	return db_insert(c, id_out,
			 "INSERT INTO saved_views (owner_id, queue_id, name, "
			 "filters, created_by, created_at, updated_at) "
			 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
			 "IIttii", v->owner_id, v->queue_id, v->name,
			 v->filters, v->created_by, v->created_at);
}

int
db_view_update(struct store_conn *c, const struct view_rec *v)
{
	return db_change(c, -GH_NOT_FOUND,
			 "UPDATE saved_views SET name = ?1, filters = ?2, "
			 "updated_at = ?3 WHERE id = ?4",
			 "ttii", v->name, v->filters, v->updated_at, v->id);
}

int
db_view_delete(struct store_conn *c, int64_t id)
{
	return db_change(c, -GH_NOT_FOUND,
			 "DELETE FROM saved_views WHERE id = ?1", "i", id);
}

int
db_view_get(struct store_conn *c, int64_t id, struct view_rec *out)
{
	memset(out, 0, sizeof(*out));
	return db_row(c, view_row, out,
		      "SELECT " VIEW_COLS "WHERE v.id = ?1", "i", id);
}

int
db_view_list(struct store_conn *c, int64_t staff_id, int all_shared,
	     struct view_list *out)
{
	int rc;

	*out = (struct view_list){NULL, 0};
	rc = db_rows(c, view_push, out,
		     "SELECT " VIEW_COLS
		     "WHERE v.owner_id = CAST(?1 AS BIGINT) OR "
		     "(v.queue_id IS NOT NULL AND (CAST(?2 AS BOOLEAN) OR "
		     "EXISTS "
		     "(SELECT 1 FROM staff_queues sq WHERE sq.staff_id = "
		     "CAST(?1 AS BIGINT) AND sq.queue_id = v.queue_id))) ORDER "
		     "BY v.id",
		     "ib", staff_id, all_shared);
	if (rc < 0)
		view_list_clear(out);
	return rc;
}

int
db_view_count(struct store_conn *c, int64_t owner_id, int64_t queue_id,
	      int64_t *n_out)
{
	*n_out = 0;
	return db_row(c, db_int64, n_out,
		      "SELECT count(*) FROM saved_views WHERE (CAST(?1 AS "
		      "BIGINT) > 0 "
		      "AND owner_id = CAST(?1 AS BIGINT)) OR (CAST(?2 AS "
		      "BIGINT) > 0 AND "
		      "queue_id = CAST(?2 AS BIGINT))",
		      "ii", owner_id, queue_id);
}
