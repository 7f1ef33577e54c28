/*
 * The store, both backends: the `audit` table (records with their RFC 6962
 * leaf hashes, numbered by seq from 1) and `audit_checkpoints` (signed tree
 * heads). The hashing, signing and verification are core/audit.c's; here
 * rows are only appended and read, one at a time or in pages by seq (and
 * checkpoints by id).
 *
 * seq is given by the schema's trigger (SQLite: migration 001; on
 * PostgreSQL max(seq) + 1 under an advisory lock), dense and in commit
 * order. PostgreSQL store transactions take their write lock before their
 * snapshot (pg/conn.c, pg_begin), so two nodes appending at once append
 * one after the other; an append outside them (autocommit) sees the last
 * commit once it has the trigger's lock.
 *
 * Invariant: nothing here updates or deletes an audit row.
 */
#include <stdlib.h>
#include <string.h>

#include "store/sql/db.h"
#include "util/errors.h"

int
db_audit_append(struct store_conn *c, const char *record,
		const unsigned char leaf[32], int64_t *seq_out)
{
	int64_t seq = 0;
	int rc = db_row(c, db_int64, &seq,
			"INSERT INTO audit (record, leaf_hash) "
			"VALUES (?1, ?2) RETURNING seq",
			"tx", record, (const void *)leaf, (size_t)32);

	if (rc == 0 && seq_out != NULL)
		*seq_out = seq;
	return rc;
}

/* Where audit_row puts a record. */
struct audit_dst {
	char **record;
	unsigned char *leaf;
};

static int
audit_row(const struct db_row *st, void *ctx)
{
	struct audit_dst *d = ctx;
	int rc = db_dup(st, 0, d->record);

	if (rc == 0 && *d->record == NULL)
		*d->record = strdup("");
	db_bytes(st, 1, d->leaf, 32);
	return *d->record != NULL ? 0 : -GH_INTERNAL;
}

int
db_audit_get(struct store_conn *c, int64_t seq, char **record_out,
	     unsigned char leaf_out[32])
{
	struct audit_dst d = {record_out, leaf_out};

	*record_out = NULL;
	return db_row(c, audit_row, &d,
		      "SELECT record, leaf_hash FROM audit WHERE seq = ?1",
		      "i", seq);
}

int
db_audit_count(struct store_conn *c, int64_t *n_out)
{
	*n_out = 0;
	return db_row(c, db_int64, n_out, "SELECT COUNT(*) FROM audit",
		      "");
}

int
db_audit_checkpoint_insert(struct store_conn *c, int64_t size,
			   const unsigned char root[32],
			   const unsigned char sig[64])
{
	static const char *const insert[2] = {
		"INSERT INTO audit_checkpoints (tree_size, root, signature, "
		"created_at) VALUES (?1, ?2, ?3, " DB_NOW_SQLITE ")",
		"INSERT INTO audit_checkpoints (tree_size, root, signature, "
		"created_at) VALUES (?1, ?2, ?3, " DB_NOW_PG ")",
	};

	return db_exec(c, DB_SQL(c, insert), "ixx", size, (const void *)root,
		       (size_t)32, (const void *)sig, (size_t)64);
}

/* Where checkpoint_row puts a checkpoint. */
struct checkpoint_dst {
	int64_t *size;
	unsigned char *root;
	unsigned char *sig;
	int64_t *created;
};

static int
checkpoint_row(const struct db_row *st, void *ctx)
{
	struct checkpoint_dst *d = ctx;

	*d->size = db_i64(st, 0);
	db_bytes(st, 1, d->root, 32);
	db_bytes(st, 2, d->sig, 64);
	*d->created = db_i64(st, 3);
	return 0;
}

int
db_audit_checkpoint_get(struct store_conn *c, int64_t n, int64_t *size_out,
			unsigned char root_out[32], unsigned char sig_out[64],
			int64_t *created_out)
{
	struct checkpoint_dst d = {size_out, root_out, sig_out, created_out};

	if (n < 1) /* the first is 1: no negative OFFSET on either backend */
		return -GH_NOT_FOUND;
	return db_row(c, checkpoint_row, &d,
		      "SELECT tree_size, root, signature, created_at FROM "
		      "audit_checkpoints ORDER BY id LIMIT 1 OFFSET ?1",
		      "i", n - 1);
}

/* What a paged read passes to its row callbacks. */
struct page_ctx {
	audit_row_fn row;
	audit_cp_fn cp;
	void *ctx;
};

static int
page_row(const struct db_row *st, void *ctx)
{
	struct page_ctx *p = ctx;
	unsigned char leaf[32];
	char *rec = NULL;
	int rc = db_dup(st, 1, &rec);

	if (rc < 0)
		return rc;
	db_bytes(st, 2, leaf, sizeof(leaf));
	rc = p->row(p->ctx, db_i64(st, 0), rec != NULL ? rec : "", leaf);
	free(rec);
	return rc;
}

int
db_audit_page(struct store_conn *c, int64_t after, int64_t upto, int limit,
	      audit_row_fn fn, void *ctx)
{
	struct page_ctx p = {fn, NULL, ctx};

	return db_rows(c, page_row, &p,
		       "SELECT seq, record, leaf_hash FROM audit "
		       "WHERE seq > ?1 AND seq <= ?2 ORDER BY seq LIMIT ?3",
		       "iii", after, upto, (int64_t)limit);
}

/* Columns id, tree_size, root, signature, created_at into *cp. */
static void
cp_read(const struct db_row *st, struct audit_cp *cp)
{
	cp->id = db_i64(st, 0);
	cp->size = db_i64(st, 1);
	db_bytes(st, 2, cp->root, sizeof(cp->root));
	db_bytes(st, 3, cp->sig, sizeof(cp->sig));
	cp->created = db_i64(st, 4);
}

static int
page_cp(const struct db_row *st, void *ctx)
{
	struct page_ctx *p = ctx;
	struct audit_cp cp;

	cp_read(st, &cp);
	return p->cp(p->ctx, &cp);
}

int
db_audit_checkpoint_page(struct store_conn *c, int64_t after_id, int limit,
			 audit_cp_fn fn, void *ctx)
{
	struct page_ctx p = {NULL, fn, ctx};

	return db_rows(c, page_cp, &p,
		       "SELECT id, tree_size, root, signature, created_at FROM "
		       "audit_checkpoints WHERE id > ?1 ORDER BY id LIMIT ?2",
		       "ii", after_id, (int64_t)limit);
}

static int
newest_row(const struct db_row *st, void *ctx)
{
	cp_read(st, ctx);
	return 0;
}

int
db_audit_checkpoint_newest(struct store_conn *c, struct audit_cp *out)
{
	memset(out, 0, sizeof(*out));
	return db_row(c, newest_row, out,
		      "SELECT id, tree_size, root, signature, created_at FROM "
		      "audit_checkpoints ORDER BY id DESC LIMIT 1",
		      "");
}
