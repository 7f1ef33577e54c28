/*
 * The store, both backends: `customer_fingerprints`, the index of keyed
 * fingerprints of customers' personal values (migration 004). A row's
 * number is SQLite's rowid, and on PostgreSQL the column seq, numbered in
 * commit order (see its migration), so a server's in-memory filter that
 * reads the rows from the newest number it saw never skips one another
 * server commits later.
 *
 * Invariant: adding a fingerprint is idempotent, and a value shared with
 * the asking customer is never foreign.
 */
#include "store/sql/db.h"
#include "util/errors.h"

int
db_fingerprint_add(struct store_conn *c, const char *kind, const char *fp,
		   int64_t customer_id)
{
	return db_exec(c,
		       "INSERT INTO customer_fingerprints (kind, fp, "
		       "customer_id) VALUES (?1, ?2, ?3) ON CONFLICT DO "
		       "NOTHING",
		       "tti", kind, fp, customer_id);
}

int
db_fingerprint_foreign(struct store_conn *c, const char *kind, const char *fp,
		       int64_t customer_id)
{
	return db_row(c, NULL, NULL,
		      "SELECT 1 WHERE EXISTS (SELECT 1 FROM "
		      "customer_fingerprints WHERE kind = ?1 AND fp = ?2 AND "
		      "customer_id <> ?3) AND NOT EXISTS (SELECT 1 FROM "
		      "customer_fingerprints WHERE kind = ?1 AND fp = ?2 AND "
		      "customer_id = ?3)",
		      "tti", kind, fp, customer_id);
}

int
db_fingerprint_count(struct store_conn *c, int64_t *n_out)
{
	*n_out = 0;
	return db_row(c, db_int64, n_out,
		      "SELECT count(*) FROM customer_fingerprints", "");
}

struct since_ctx {
	int (*fn)(void *cls, int64_t row, const char *kind, const char *fp);
	void *cls;
};

static int
since_row(const struct db_row *r, void *ctx)
{
	struct since_ctx *x = ctx;
	char kind[32], fp[160];

	if (db_null(r, 1) || db_null(r, 2))
		return -GH_INTERNAL;
	db_text(r, 1, kind, sizeof(kind));
	db_text(r, 2, fp, sizeof(fp));
	return x->fn(x->cls, db_i64(r, 0), kind, fp);
}

int
db_fingerprint_since(struct store_conn *c, int64_t from_row,
		     int (*fn)(void *cls, int64_t row, const char *kind,
			       const char *fp),
		     void *cls)
{
	struct since_ctx x = {fn, cls};

	static const char *const since[2] = {
		"SELECT rowid, kind, fp FROM customer_fingerprints "
		"WHERE rowid >= ?1 ORDER BY rowid",
		"SELECT seq, kind, fp FROM customer_fingerprints "
		"WHERE seq >= ?1 ORDER BY seq",
	};

	return db_rows(c, since_row, &x, DB_SQL(c, since), "i", from_row);
}
