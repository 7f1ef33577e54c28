/*
 * SQLite store: `customer_fingerprints`, the index of keyed fingerprints
 * of customers' personal values (migration 004; core/fingerprints.h
 * computes them), which the outbound check asks whether a value in a
 * reply belongs to another customer.
 *
 * Invariant: adding a fingerprint is idempotent, and a value shared with
 * the asking customer is never foreign.
 */
#include "store/sqlite/sq.h"
#include "util/errors.h"

int
sq_fingerprint_add(struct store_conn *c, const char *kind, const char *fp,
		   int64_t customer_id)
{
	return sq_exec(c,
		       "INSERT OR IGNORE INTO customer_fingerprints (kind, fp, "
		       "customer_id) VALUES (?, ?, ?)",
		       "tti", kind, fp, customer_id);
}

int
sq_fingerprint_foreign(struct store_conn *c, const char *kind, const char *fp,
		       int64_t customer_id)
{
	return sq_row(c, NULL, NULL,
		      "SELECT 1 WHERE EXISTS (SELECT 1 FROM "
		      "customer_fingerprints WHERE kind = ?1 AND fp = ?2 AND "
		      "customer_id <> ?3) AND NOT EXISTS (SELECT 1 FROM "
		      "customer_fingerprints WHERE kind = ?1 AND fp = ?2 AND "
		      "customer_id = ?3)",
		      "tti", kind, fp, customer_id);
}

int
sq_fingerprint_count(struct store_conn *c, int64_t *n_out)
{
	*n_out = 0;
	return sq_row(c, sq_int64, n_out,
		      "SELECT COUNT(*) FROM customer_fingerprints", "");
}

struct since_ctx {
	int (*fn)(void *cls, int64_t row, const char *kind, const char *fp);
	void *cls;
};

static int
since_row(sqlite3_stmt *st, void *ctx)
{
	struct since_ctx *x = ctx;
	const char *kind = (const char *)sqlite3_column_text(st, 1);
	const char *fp = (const char *)sqlite3_column_text(st, 2);

	if (kind == NULL || fp == NULL)
		return -GH_INTERNAL;
	return x->fn(x->cls, sqlite3_column_int64(st, 0), kind, fp);
}

int
sq_fingerprint_since(struct store_conn *c, int64_t from_row,
		     int (*fn)(void *cls, int64_t row, const char *kind,
			       const char *fp),
		     void *cls)
{
	struct since_ctx x = {fn, cls};

	return sq_rows(c, since_row, &x,
		       "SELECT rowid, kind, fp FROM customer_fingerprints "
		       "WHERE rowid >= ? ORDER BY rowid",
		       "i", from_row);
}
