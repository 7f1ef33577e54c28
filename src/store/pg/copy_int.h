/*
 * Private header of `store copy` (store/store_copy.h): the plan of a copy
 * (copy_schema.c reads both schemas and compares them) and the context
 * copy.c runs it in. Only copy.c and copy_schema.c include it.
 */
#ifndef GH_STORE_PG_COPY_INT_H
#define GH_STORE_PG_COPY_INT_H

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store_copy.h"

/* A table or column name: [a-z_][a-z0-9_]*, at most 63 bytes. */
#define COPY_NAME_MAX 64
#define COPY_COLS_MAX 64

/* A column both sides have (the SQLite column copied into it). */
struct copy_col {
	char name[COPY_NAME_MAX];
	int bytea;    /* the PostgreSQL column is bytea */
	int identity; /* ... owns a sequence: an identity (or a serial), set
		       * past the highest id after the copy */
};

/* A table to copy. */
struct copy_table {
	char name[COPY_NAME_MAX];
	struct copy_col cols[COPY_COLS_MAX];
	size_t ncols;
	int by_rowid;   /* read in rowid order (a PG-only numbering column) */
	int64_t sqlite_seq; /* sqlite_sequence's high-water mark, or 0 */
	int64_t rows;       /* rows copied */
};

/* The copy's state: both connections (each inside its transaction), the
 * plan, and where the reason of a failure goes. */
struct copy_ctx {
	sqlite3 *src;
	struct store_conn *dst;
	PGconn *pq;
	struct copy_table *t;
	size_t nt;
	char derived[256];
	char *err;
	size_t errsz;
};

/* 1 when name is a name a copy may write into SQL: [a-z_][a-z0-9_]*,
 * shorter than COPY_NAME_MAX. Names come from the two schemas, never from
 * input; this keeps anything else out of the statements built from them. */
int copy_name_ok(const char *name);

/* Says why in x->err: what failed on the PostgreSQL side, with the
 * SQLSTATE and the names (table, column, constraint) the server gives,
 * never a value. Returns -GH_INTERNAL. */
int copy_pg_fail(struct copy_ctx *x, const PGresult *res, const char *what);

/* Reads the SQLite tables (copy_schema.c) and the PostgreSQL ones after
 * the migrations, and compares them: x->t gets a table for each table
 * of both; a table or column on one side only is an error. 0 or
 * -GH_INTERNAL with x->err set. */
int copy_plan(struct copy_ctx *x);

#endif
