/*
 * PostgreSQL store: `customer_fingerprints`, the index of keyed
 * fingerprints of customers' personal values (migration 004), the twin
 * of store/sqlite/fingerprints.c. SQLite's rowid is the column seq here,
 * numbered in commit order (see the migration), so a server's in-memory
 * filter that reads the rows from the newest seq it saw never skips one
 * another server commits later.
 *
 * Invariant: adding a fingerprint is idempotent, and a value shared with
 * the asking customer is never foreign.
 */
#include "store/pg/pg.h"
#include "util/errors.h"

int
pg_fingerprint_add(struct store_conn *c, const char *kind, const char *fp,
		   int64_t customer_id)
{
	return pg_exec(c,
		       "INSERT INTO customer_fingerprints (kind, fp, "
		       "customer_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
		       "tti", kind, fp, customer_id);
}

int
pg_fingerprint_foreign(struct store_conn *c, const char *kind, const char *fp,
		       int64_t customer_id)
{
	return pg_row(c, NULL, NULL,
		      "SELECT 1 WHERE EXISTS (SELECT 1 FROM "
		      "customer_fingerprints WHERE kind = $1 AND fp = $2 AND "
		      "customer_id <> $3) AND NOT EXISTS (SELECT 1 FROM "
		      "customer_fingerprints WHERE kind = $1 AND fp = $2 AND "
		      "customer_id = $3)",
		      "tti", kind, fp, customer_id);
}

int
pg_fingerprint_count(struct store_conn *c, int64_t *n_out)
{
	*n_out = 0;
	return pg_row(c, pg_int64_row, n_out,
		      "SELECT count(*) FROM customer_fingerprints", "");
}

struct since_ctx {
	int (*fn)(void *cls, int64_t row, const char *kind, const char *fp);
	void *cls;
};

static int
since_row(const struct pg_row *r, void *ctx)
{
	struct since_ctx *x = ctx;
	char kind[32], fp[160];

	if (pg_null(r, 1) || pg_null(r, 2))
		return -GH_INTERNAL;
	pg_text(r, 1, kind, sizeof(kind));
	pg_text(r, 2, fp, sizeof(fp));
	return x->fn(x->cls, pg_i64(r, 0), kind, fp);
}

int
pg_fingerprint_since(struct store_conn *c, int64_t from_row,
		     int (*fn)(void *cls, int64_t row, const char *kind,
			       const char *fp),
		     void *cls)
{
	struct since_ctx x = {fn, cls};

	return pg_rows(c, since_row, &x,
		       "SELECT seq, kind, fp FROM customer_fingerprints "
		       "WHERE seq >= $1 ORDER BY seq",
		       "i", from_row);
}
