/*
 * The SQLite side of the query layer (store/sql/db.h's struct db_vt; the
 * value types are described in sq.h): takes the cached statement for a
 * text, binds the typed values, steps it to the end while a row callback
 * reads each row, and leaves the statement reset with no bindings, so
 * nothing borrowed stays attached to it. Also the column readers.
 *
 * Invariant: a statement runs only with every parameter bound from the
 * type string (a mismatch is a bug, refused before stepping), and every
 * SQLite error goes through sq_err() once.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite/sq.h"
#include "util/errors.h"
#include "util/log.h"

static int
bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL)
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

static int
bind_bytes(sqlite3_stmt *st, int i, const void *p, size_t len)
{
	if (p == NULL || len > INT32_MAX)
		return p == NULL ? sqlite3_bind_null(st, i) : SQLITE_TOOBIG;
	return sqlite3_bind_blob(st, i, p, (int)len, SQLITE_STATIC);
}

/* Binds parameter i from the next value(s) of ap, read as type says. */
static int
bind_one(sqlite3_stmt *st, int i, char type, va_list *ap)
{
	const struct blob *b;
	const void *p;
	int64_t v;

	switch (type) {
	case 'i':
		return sqlite3_bind_int64(st, i, va_arg(*ap, int64_t));
	case 'I':
		v = va_arg(*ap, int64_t);
		return v > 0 ? sqlite3_bind_int64(st, i, v)
			     : sqlite3_bind_null(st, i);
	case 'b':
		return sqlite3_bind_int(st, i, va_arg(*ap, int) != 0);
	case 't':
		return bind_text(st, i, va_arg(*ap, const char *));
	case 'r':
		return bind_text(st, i, realm_name((enum realm)va_arg(*ap, int)));
	case 'B':
		b = va_arg(*ap, const struct blob *);
		return bind_bytes(st, i, b->data, b->len);
	case 'x':
		p = va_arg(*ap, const void *);
		return bind_bytes(st, i, p, va_arg(*ap, size_t));
	default:
		return SQLITE_MISUSE;
	}
}

/* The cached statement for sql with types/ap bound, or NULL (logged). */
static sqlite3_stmt *
prepare(struct sq_conn *q, const char *sql, const char *types, va_list *ap)
{
	sqlite3_stmt *st = sq_stmt(q, sql);
	int n;
	int rc = SQLITE_OK;

	if (st == NULL)
		return NULL;
	n = sqlite3_bind_parameter_count(st);
	if ((size_t)n != strlen(types)) {
		db_misuse("store.sqlite", sql,
			  "parameter types do not match the statement");
		return NULL;
	}
	for (int i = 1; i <= n && rc == SQLITE_OK; i++)
		rc = bind_one(st, i, types[i - 1], ap);
	if (rc == SQLITE_MISUSE) {
		db_misuse("store.sqlite", sql, "unknown parameter type");
		sqlite3_clear_bindings(st);
		return NULL;
	}
	if (rc != SQLITE_OK) {
		sq_err(q, rc, sql);
		sqlite3_clear_bindings(st);
		return NULL;
	}
	return st;
}

/* Runs sql with the values of ap for the query layer (store/sql/db.h):
 * each row goes to r's callback, an insert reads the new rowid. */
static int
sq_db_run(struct store_conn *c, struct db_run *r, const char *sql,
	  const char *types, va_list *ap)
{
	struct sq_conn *q = sq_conn_of(c);
	sqlite3_stmt *st = prepare(q, sql, types, ap);
	struct db_row row = {&sq_db_vt, st, 0};
	int rc = SQLITE_ROW;
	int out = 0;

	if (st == NULL)
		return -GH_INTERNAL;
	sq_snapshot_before(q, st);
	while (out == 0 && !(r->one && r->rows > 0)) {
		rc = sqlite3_step(st);
		if (rc != SQLITE_ROW)
			break;
		r->rows++;
		if (r->fn != NULL)
			out = r->fn(&row, r->ctx);
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (out < 0)
		return out;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sq_err(q, rc, sql);
	if (r->insert)
		r->id = sqlite3_last_insert_rowid(q->db);
	return 0;
}

/* Rows changed by the last statement on c (the query layer's changes). */
static int64_t
sq_changes(struct store_conn *c)
{
	return sqlite3_changes64(sq_conn_of(c)->db);
}

/* --- column readers ------------------------------------------------- */

static sqlite3_stmt *
stmt_of(const struct db_row *r)
{
	return r->res;
}

static void
sq_text(const struct db_row *r, int i, char *out, size_t outsz)
{
	sqlite3_stmt *st = stmt_of(r);
	const unsigned char *p = sqlite3_column_text(st, i);
	size_t n;

	if (outsz == 0)
		return;
	/* What snprintf("%s") wrote, without its cost on every column. */
	n = p != NULL ? strnlen((const char *)p, outsz - 1) : 0;
	if (n > 0)
		memcpy(out, p, n);
	out[n] = '\0';
}

static int
sq_blob(const struct db_row *r, int i, struct blob *out)
{
	sqlite3_stmt *st = stmt_of(r);
	const void *p = sqlite3_column_blob(st, i);
	int n = sqlite3_column_bytes(st, i);

	out->data = NULL;
	out->len = 0;
	if (p == NULL || n <= 0)
		return 0;
	out->data = malloc((size_t)n);
	if (out->data == NULL)
		return -GH_INTERNAL;
	memcpy(out->data, p, (size_t)n);
	out->len = (size_t)n;
	return 0;
}

static int
sq_dup(const struct db_row *r, int i, char **out)
{
	sqlite3_stmt *st = stmt_of(r);
	const unsigned char *p;
	int n;

	*out = NULL;
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return 0;
	p = sqlite3_column_text(st, i);
	n = sqlite3_column_bytes(st, i);
	if (p == NULL)
		return -GH_INTERNAL;
	*out = malloc((size_t)n + 1);
	if (*out == NULL)
		return -GH_INTERNAL;
	memcpy(*out, p, (size_t)n);
	(*out)[n] = '\0';
	return 0;
}

static void
sq_bytes(const struct db_row *r, int i, unsigned char *out, size_t n)
{
	sqlite3_stmt *st = stmt_of(r);
	const void *p = sqlite3_column_blob(st, i);

	memset(out, 0, n);
	if (p != NULL && (size_t)sqlite3_column_bytes(st, i) == n)
		memcpy(out, p, n);
}

/* --- the query layer's view of this backend (store/sql/db.h) ------- */

static int
vt_null(const struct db_row *r, int i)
{
	return sqlite3_column_type(stmt_of(r), i) == SQLITE_NULL;
}

static int64_t
vt_i64(const struct db_row *r, int i)
{
	return sqlite3_column_int64(stmt_of(r), i);
}

static double
vt_f64(const struct db_row *r, int i)
{
	return sqlite3_column_double(stmt_of(r), i);
}

static int
vt_ncols(const struct db_row *r)
{
	return sqlite3_column_count(stmt_of(r));
}

const struct db_vt sq_db_vt = {
	.dialect = DB_SQLITE,
	.run = sq_db_run,
	.changes = sq_changes,
	.null = vt_null,
	.i64 = vt_i64,
	.f64 = vt_f64,
	.text = sq_text,
	.blob = sq_blob,
	.dup = sq_dup,
	.bytes = sq_bytes,
	.ncols = vt_ncols,
	.search_index = sq_search_index,
};
