/*
 * SQLite store: the `audit` table (records with their RFC 6962 leaf
 * hashes, numbered by seq from 1) and `audit_checkpoints` (signed tree
 * heads). The hashing, signing and verification are core/audit.c's; here
 * rows are only appended and read, one at a time or in pages by seq (and
 * checkpoints by id) for the walks that must not hold the log in memory.
 *
 * Invariant: nothing here updates or deletes an audit row (the schema's
 * triggers refuse it as well).
 */
#include <stdlib.h>
#include <string.h>

#include "store/sqlite/sq.h"
#include "util/errors.h"

int
sq_audit_append(struct store_conn *c, const char *record,
		const unsigned char leaf[32], int64_t *seq_out)
{
	return sq_insert(c, seq_out,
			 "INSERT INTO audit (record, leaf_hash) VALUES (?, ?)",
			 "tx", record, (const void *)leaf, (size_t)32);
}

/* Where audit_row puts a record. */
struct audit_dst {
	char **record;
	unsigned char *leaf;
};

static int
audit_row(sqlite3_stmt *st, void *ctx)
{
	struct audit_dst *d = ctx;
	const unsigned char *t = sqlite3_column_text(st, 0);

	*d->record = strdup(t != NULL ? (const char *)t : "");
	sq_bytes(st, 1, d->leaf, 32);
	return *d->record != NULL ? 0 : -GH_INTERNAL;
}

int
sq_audit_get(struct store_conn *c, int64_t seq, char **record_out,
	     unsigned char leaf_out[32])
{
	struct audit_dst d = {record_out, leaf_out};

	*record_out = NULL;
	return sq_row(c, audit_row, &d,
		      "SELECT record, leaf_hash FROM audit WHERE seq = ?", "i",
		      seq);
}

int
sq_audit_count(struct store_conn *c, int64_t *n_out)
{
	*n_out = 0;
	return sq_row(c, sq_int64, n_out, "SELECT COUNT(*) FROM audit", "");
}

int
sq_audit_checkpoint_insert(struct store_conn *c, int64_t size,
			   const unsigned char root[32],
			   const unsigned char sig[64])
{
	return sq_exec(c,
		       "INSERT INTO audit_checkpoints (tree_size, root, "
		       "signature, created_at) "
		       "VALUES (?, ?, ?, strftime('%s','now'))",
		       "ixx", size, (const void *)root, (size_t)32,
		       (const void *)sig, (size_t)64);
}

/* Where checkpoint_row puts a checkpoint. */
struct checkpoint_dst {
	int64_t *size;
	unsigned char *root;
	unsigned char *sig;
	int64_t *created;
};

static int
checkpoint_row(sqlite3_stmt *st, void *ctx)
{
	struct checkpoint_dst *d = ctx;

	*d->size = sqlite3_column_int64(st, 0);
	sq_bytes(st, 1, d->root, 32);
	sq_bytes(st, 2, d->sig, 64);
	*d->created = sqlite3_column_int64(st, 3);
	return 0;
}

int
sq_audit_checkpoint_get(struct store_conn *c, int64_t n, int64_t *size_out,
			unsigned char root_out[32], unsigned char sig_out[64],
			int64_t *created_out)
{
	struct checkpoint_dst d = {size_out, root_out, sig_out, created_out};

	return sq_row(c, checkpoint_row, &d,
		      "SELECT tree_size, root, signature, created_at FROM "
		      "audit_checkpoints ORDER BY id LIMIT 1 OFFSET ?",
		      "i", n - 1);
}

/* What a paged read passes to its row callbacks. */
struct page_ctx {
	audit_row_fn row;
	audit_cp_fn cp;
	void *ctx;
};

static int
page_row(sqlite3_stmt *st, void *ctx)
{
	struct page_ctx *p = ctx;
	const unsigned char *t = sqlite3_column_text(st, 1);
	unsigned char leaf[32];

	sq_bytes(st, 2, leaf, sizeof(leaf));
	return p->row(p->ctx, sqlite3_column_int64(st, 0),
		      t != NULL ? (const char *)t : "", leaf);
}

int
sq_audit_page(struct store_conn *c, int64_t after, int64_t upto, int limit,
	      audit_row_fn fn, void *ctx)
{
	struct page_ctx p = {fn, NULL, ctx};

	return sq_rows(c, page_row, &p,
		       "SELECT seq, record, leaf_hash FROM audit WHERE seq > ? "
		       "AND seq <= ? ORDER BY seq LIMIT ?",
		       "iii", after, upto, (int64_t)limit);
}

/* Columns id, tree_size, root, signature, created_at into *cp. */
static void
cp_read(sqlite3_stmt *st, struct audit_cp *cp)
{
	cp->id = sqlite3_column_int64(st, 0);
	cp->size = sqlite3_column_int64(st, 1);
	sq_bytes(st, 2, cp->root, sizeof(cp->root));
	sq_bytes(st, 3, cp->sig, sizeof(cp->sig));
	cp->created = sqlite3_column_int64(st, 4);
}

static int
page_cp(sqlite3_stmt *st, void *ctx)
{
	struct page_ctx *p = ctx;
	struct audit_cp cp;

	cp_read(st, &cp);
	return p->cp(p->ctx, &cp);
}

int
sq_audit_checkpoint_page(struct store_conn *c, int64_t after_id, int limit,
			 audit_cp_fn fn, void *ctx)
{
	struct page_ctx p = {NULL, fn, ctx};

	return sq_rows(c, page_cp, &p,
		       "SELECT id, tree_size, root, signature, created_at FROM "
		       "audit_checkpoints WHERE id > ? ORDER BY id LIMIT ?",
		       "ii", after_id, (int64_t)limit);
}

static int
newest_row(sqlite3_stmt *st, void *ctx)
{
	cp_read(st, ctx);
	return 0;
}

int
sq_audit_checkpoint_newest(struct store_conn *c, struct audit_cp *out)
{
	memset(out, 0, sizeof(*out));
	return sq_row(c, newest_row, out,
		      "SELECT id, tree_size, root, signature, created_at FROM "
		      "audit_checkpoints ORDER BY id DESC LIMIT 1",
		      "");
}
