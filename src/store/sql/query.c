/*
 * The query helper shared by both backends (declared and described in
 * db.h): each call hands the statement to its connection's backend
 * (struct db_vt: store/sqlite/query.c, store/pg/query.c), which binds or
 * sends the values, runs the statement and hands each row to the row
 * callback. Also the array growth and the small row callbacks the
 * operations share.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/sql/db.h"
#include "util/errors.h"
#include "util/log.h"

void
db_misuse(const char *event, const char *sql, const char *what)
{
	log_event(LOG_ERROR, event,
		  json_pack("{s:s%, s:s}", "where", sql, strnlen(sql, 60),
			    "bug", what));
	LOG_BUG(what);
}

static int
run(struct store_conn *c, struct db_run *r, const char *sql,
    const char *types, va_list *ap)
{
	return c->db->run(c, r, sql, types, ap);
}

int
db_exec(struct store_conn *c, const char *sql, const char *types, ...)
{
	struct db_run r = {NULL, NULL, 0, 0, 0, 0};
	va_list ap;
	int rc;

	va_start(ap, types);
	rc = run(c, &r, sql, types, &ap);
	va_end(ap);
	return rc;
}

int
db_insert(struct store_conn *c, int64_t *id_out, const char *sql,
	  const char *types, ...)
{
	struct db_run r = {NULL, NULL, 0, 1, 0, 0};
	va_list ap;
	int rc;

	va_start(ap, types);
	rc = run(c, &r, sql, types, &ap);
	va_end(ap);
	if (rc == 0 && id_out != NULL)
		*id_out = r.id;
	return rc;
}

int
db_change(struct store_conn *c, int none, const char *sql, const char *types,
	  ...)
{
	struct db_run r = {NULL, NULL, 0, 0, 0, 0};
	va_list ap;
	int rc;

	va_start(ap, types);
	rc = run(c, &r, sql, types, &ap);
	va_end(ap);
	if (rc == 0 && db_changes(c) != 1)
		rc = none;
	return rc;
}

int
db_row(struct store_conn *c, db_row_fn fn, void *ctx, const char *sql,
       const char *types, ...)
{
	struct db_run r = {fn, ctx, 1, 0, 0, 0};
	va_list ap;
	int rc;

	va_start(ap, types);
	rc = run(c, &r, sql, types, &ap);
	va_end(ap);
	if (rc == 0 && r.rows == 0)
		rc = -GH_NOT_FOUND;
	return rc;
}

int
db_rows(struct store_conn *c, db_row_fn fn, void *ctx, const char *sql,
	const char *types, ...)
{
	struct db_run r = {fn, ctx, 0, 0, 0, 0};
	va_list ap;
	int rc;

	va_start(ap, types);
	rc = run(c, &r, sql, types, &ap);
	va_end(ap);
	return rc;
}

int64_t
db_changes(struct store_conn *c)
{
	return c->db->changes(c);
}

int
db_id_push(const struct db_row *r, void *ctx)
{
	struct db_ids *b = ctx;

	if (b->n == b->max)
		return 1;
	b->ids[b->n++] = db_i64(r, 0);
	return 0;
}

int
db_int64(const struct db_row *r, void *ctx)
{
	*(int64_t *)ctx = db_i64(r, 0);
	return 0;
}

enum realm
db_realm(const struct db_row *r, int i)
{
	char name[16];

	db_text(r, i, name, sizeof(name));
	return strcmp(name, "staff") == 0 ? REALM_STAFF : REALM_CUSTOMER;
}

void *
db_append(void *v, size_t n, size_t size)
{
	unsigned char *nv = v;

	/* The capacity is 8, then the next power of two: it is full when
	 * n is 0, or 8 or more and a power of two. */
	if (n == 0 || (n >= 8 && (n & (n - 1)) == 0)) {
		size_t cap = n < 8 ? 8 : 2 * n;

		if (cap > SIZE_MAX / size)
			return NULL;
		nv = realloc(v, cap * size);
		if (nv == NULL)
			return NULL;
	}
	memset(nv + n * size, 0, size);
	return nv;
}
