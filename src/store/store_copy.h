/*
 * `gatehouse store copy` (issue 16): moves a SQLite desk into an empty
 * PostgreSQL database, in one PostgreSQL transaction, from one SQLite read
 * transaction (a consistent snapshot of a desk that may be serving).
 *
 * The list of tables is read from both schemas at run time and must match
 * (store/pg/copy_schema.c): a table or a column on one side only is an
 * error, never a silent loss. What is not copied, and why: each side's
 * migration bookkeeping (schema_migrations: the target gets its own rows
 * from its migrations, and the versions must be equal), SQLite's own
 * tables (sqlite_*), and the full-text tables, which are derived (FTS5
 * tables on SQLite, generated tsvector columns with GIN indexes of the
 * same names on PostgreSQL: docs/pg-schema.md). Values go as they are:
 * BLOBs (ciphertexts) byte for byte, integers, texts, NULLs, ids
 * included; identities are then set past the highest id (and past
 * SQLite's AUTOINCREMENT high-water mark).
 *
 * Nothing is committed unless every step held: the caller's check (the
 * audit log's verification, which lives in core) runs on the target
 * inside the copy's transaction, then the rows of every table are
 * counted on both sides. Any failure rolls the whole transaction back:
 * the target is left as it was.
 */
#ifndef GH_STORE_STORE_COPY_H
#define GH_STORE_STORE_COPY_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* A copied table and its rows (counted on both sides, equal). */
struct store_copy_table {
	char name[64];
	int64_t rows;
};

/* What a copy did (store_copy_result_clear frees it). */
struct store_copy_result {
	struct store_copy_table *tables; /* in the order copied (by name) */
	size_t n;
	int version;   /* the schema version of both sides */
	char derived[256]; /* the full-text tables not copied, comma separated */
};

/*
 * The caller's check of the target, inside the copy's transaction before
 * its commit: target is a PostgreSQL store connection whose reads see
 * the copied rows. 0 lets the copy go on; anything else rolls it back,
 * and the sentence in err (errsz bytes) says why.
 */
typedef int (*store_copy_check_fn)(struct store_conn *target, void *cls,
				   char *err, size_t errsz);

/*
 * Copies the SQLite database file sqlite_path (a desk's, maybe live) into
 * the empty PostgreSQL database pg_url ("postgresql://..."; the password,
 * if any, from store_pg_password_file() or libpq's environment). Runs
 * the PostgreSQL migrations there, copies, runs check(target, cls), and
 * commits only when all held. Returns 0 with *out filled; -GH_EXISTS
 * when the target already holds tables (a desk or anything else: nothing
 * is changed); -GH_INTERNAL for any other failure (rolled back). err gets
 * a sentence without values or passwords.
 */
int store_copy_to_pg(const char *sqlite_path, const char *pg_url,
		     store_copy_check_fn check, void *cls,
		     struct store_copy_result *out, char *err, size_t errsz);

void store_copy_result_clear(struct store_copy_result *r);

#endif
