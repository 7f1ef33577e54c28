/*
 * The store, both backends: `queues` and the memberships of staff in them
 * (`staff_queues`). Queue 1, `general`, exists from migration 006 on;
 * moving a ticket between queues is in tickets.c, and the rule of who sees
 * which ticket is applied there in SQL. Names are checked by core.
 *
 * Invariant: a membership exists at most once (primary key), so adding it
 * again is -GH_EXISTS and removing a missing one -GH_NOT_FOUND.
 */
#include <string.h>

#include "store/sql/db.h"
#include "util/errors.h"

/* Reads id, name and members (0 when the statement has no count). */
static int
queue_row(const struct db_row *st, void *ctx)
{
	struct queue_rec *r = ctx;

	r->id = db_i64(st, 0);
	db_text(st, 1, r->name, sizeof(r->name));
	r->members = db_i64(st, 2);
	return 0;
}

static int
queue_push(const struct db_row *st, void *ctx)
{
	struct queue_list *l = ctx;
	struct queue_rec *v = db_append(l->v, l->n, sizeof(*v));

	if (v == NULL)
		return -GH_INTERNAL;
	l->v = v;
	return queue_row(st, &l->v[l->n++]);
}

int
db_queue_insert(struct store_conn *c, const char *name, int64_t *id_out)
{
	return db_insert(c, id_out,
			 "INSERT INTO queues (name) VALUES (?1)",
			 "t", name);
}

int
db_queue_by_name(struct store_conn *c, const char *name,
		 struct queue_rec *out)
{
	memset(out, 0, sizeof(*out));
	return db_row(c, queue_row, out,
		      "SELECT id, name, 0 FROM queues WHERE name = ?1", "t",
		      name);
}

int
db_queue_list(struct store_conn *c, struct queue_list *out)
{
	int rc;

	*out = (struct queue_list){NULL, 0};
	rc = db_rows(c, queue_push, out,
		     "SELECT q.id, q.name, (SELECT COUNT(*) FROM staff_queues "
		     "sq WHERE sq.queue_id = q.id) FROM queues q ORDER BY q.id",
		     "");
	if (rc < 0)
		queue_list_clear(out);
	return rc;
}

int
db_staff_queue_list(struct store_conn *c, int64_t staff_id,
		    struct queue_list *out)
{
	int rc;

	*out = (struct queue_list){NULL, 0};
	rc = db_rows(c, queue_push, out,
		     "SELECT q.id, q.name, 0 FROM queues q JOIN staff_queues "
		     "sq ON sq.queue_id = q.id WHERE sq.staff_id = ?1 "
		     "ORDER BY q.id",
		     "i", staff_id);
	if (rc < 0)
		queue_list_clear(out);
	return rc;
}

/* A membership that exists is -GH_EXISTS, but without a failed
 * statement: PostgreSQL ends the whole transaction at one, and
 * callers go on after this refusal (`staff add` names `general`, which
 * staff_insert already gave). */
int
db_staff_queue_add(struct store_conn *c, int64_t staff_id, int64_t queue_id)
{
	return db_change(c, -GH_EXISTS,
			 "INSERT INTO staff_queues (staff_id, queue_id) "
			 "VALUES (?1, ?2) ON CONFLICT DO NOTHING",
			 "ii", staff_id, queue_id);
}

int
db_staff_queue_remove(struct store_conn *c, int64_t staff_id,
		      int64_t queue_id)
{
	return db_change(c, -GH_NOT_FOUND,
			 "DELETE FROM staff_queues "
			 "WHERE staff_id = ?1 AND queue_id = ?2",
			 "ii", staff_id, queue_id);
}

int
db_staff_in_queue(struct store_conn *c, int64_t staff_id, int64_t queue_id)
{
	return db_row(c, NULL, NULL,
		      "SELECT 1 FROM staff_queues "
		      "WHERE staff_id = ?1 AND queue_id = ?2",
		      "ii", staff_id, queue_id);
}
