/*
 * The store, both backends: `attachments`, files uploaded to tickets with
 * the verdict of their scan (migrations 005, 007). The content (bytea,
 * stored out of line and uncompressed: it is ciphertext) is sealed by core
 * and read only by attachment_get; lists carry everything but the content.
 * Quarantine, release and the expiry of HAR files are decided by
 * core/attachments.c.
 *
 * Invariant: the portal's list (portal_attachment_list) is filtered in
 * SQL by the customer who owns the ticket and shows only that customer's
 * own uploads.
 */
#include <string.h>

#include "store/sql/db.h"
#include "util/errors.h"

/* Columns read by attachment_row, in its order. */
#define ATT_COLS                                                              \
	"a.id, a.ticket_id, a.uploader_realm, a.uploader_id, a.filename, "   \
	"a.size, a.sha256, a.sniffed_type, a.verdict, a.reasons, "           \
	"a.redactions, a.quarantined, COALESCE(a.released_by, 0), "          \
	"COALESCE(a.released_at, 0), a.created_at, "                         \
	"COALESCE(a.delete_after, 0), a.flagged"

static int
attachment_row(const struct db_row *st, void *ctx)
{
	struct attachment_rec *a = ctx;

	a->id = db_i64(st, 0);
	a->ticket_id = db_i64(st, 1);
	a->uploader_realm = db_realm(st, 2);
	a->uploader_id = db_i64(st, 3);
	db_text(st, 4, a->filename, sizeof(a->filename));
	a->size = db_i64(st, 5);
	db_text(st, 6, a->sha256, sizeof(a->sha256));
	db_text(st, 7, a->sniffed_type, sizeof(a->sniffed_type));
	db_text(st, 8, a->verdict, sizeof(a->verdict));
	db_text(st, 9, a->reasons, sizeof(a->reasons));
	db_text(st, 10, a->redactions, sizeof(a->redactions));
	a->quarantined = db_i64(st, 11) != 0;
	a->released_by = db_i64(st, 12);
	a->released_at = db_i64(st, 13);
	a->created_at = db_i64(st, 14);
	a->delete_after = db_i64(st, 15);
	db_text(st, 16, a->flagged, sizeof(a->flagged));
	return 0;
}

/* attachment_row, and the sealed content from column 17. */
static int
attachment_content_row(const struct db_row *st, void *ctx)
{
	struct attachment_rec *a = ctx;

	attachment_row(st, a);
	return db_blob(st, 17, &a->content);
}

static int
attachment_push(const struct db_row *st, void *ctx)
{
	struct attachment_list *l = ctx;
	struct attachment_rec *v = db_append(l->v, l->n, sizeof(*v));

	if (v == NULL)
		return -GH_INTERNAL;
	l->v = v;
	return attachment_row(st, &l->v[l->n++]);
}

int
db_attachment_insert(struct store_conn *c, const struct attachment_new *a,
		     int64_t *id_out)
{
	return db_insert(c, id_out,
			 "INSERT INTO attachments (ticket_id, uploader_realm, "
			 "uploader_id, filename, size, sha256, sniffed_type, "
			 "verdict, reasons, redactions, quarantined, content, "
			 "created_at, delete_after, flagged) VALUES (?1, ?2, "
			 "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
			 "?15)",
			 "irititttttbBiIt", a->ticket_id, (int)a->uploader_realm,
			 a->uploader_id, a->filename, a->size, a->sha256,
			 a->sniffed_type, a->verdict, a->reasons,
			 a->redactions, a->quarantined, &a->content,
			 a->created_at, a->delete_after,
			 a->flagged != NULL ? a->flagged : "[]");
}

int
db_attachment_get(struct store_conn *c, int64_t id,
		  struct attachment_rec *out)
{
	memset(out, 0, sizeof(*out));
	return db_row(c, attachment_content_row, out,
		      "SELECT " ATT_COLS ", a.content FROM attachments a "
		      "WHERE a.id = ?1",
		      "i", id);
}

int
db_attachment_list(struct store_conn *c, int64_t ticket_id,
		   struct attachment_list *out)
{
	int rc;

	*out = (struct attachment_list){NULL, 0};
	rc = db_rows(c, attachment_push, out,
		     "SELECT " ATT_COLS " FROM attachments a "
		     "WHERE a.ticket_id = ?1 ORDER BY a.id",
		     "i", ticket_id);
	if (rc < 0)
		attachment_list_clear(out);
	return rc;
}

/* Public listener: always filtered by the customer, their own uploads. */
int
db_portal_attachment_list(struct store_conn *c, int64_t customer_id,
			  int64_t ticket_id, struct attachment_list *out)
{
	int rc;

	*out = (struct attachment_list){NULL, 0};
	rc = db_rows(c, attachment_push, out,
		     "SELECT " ATT_COLS " FROM attachments a JOIN tickets t "
		     "ON t.id = a.ticket_id WHERE a.ticket_id = ?1 AND "
		     "t.customer_id = ?2 AND a.uploader_realm = 'customer' "
		     "AND a.uploader_id = ?2 AND t.drill_id IS NULL "
		     "ORDER BY a.id",
		     "ii", ticket_id, customer_id);
	if (rc < 0)
		attachment_list_clear(out);
	return rc;
}

int
db_attachment_release(struct store_conn *c, int64_t id, int64_t staff_id,
		      int64_t now)
{
	return db_change(c, -GH_CONFLICT,
			 "UPDATE attachments SET quarantined = 0, "
			 "released_by = ?1, released_at = ?2 "
			 "WHERE id = ?3 AND quarantined = 1",
			 "iii", staff_id, now, id);
}

int
db_attachment_expired(struct store_conn *c, int64_t now, size_t max,
		      int64_t *ids, size_t *n_out)
{
	struct db_ids b = {ids, 0, max};
	/* SQLite reads (int64_t)SIZE_MAX, -1, as no limit; PostgreSQL
	 * refuses a negative limit, so bound it. */
	int64_t lim = max > (size_t)INT64_MAX ? INT64_MAX : (int64_t)max;
	int rc;

	*n_out = 0;
	rc = db_rows(c, db_id_push, &b,
		     "SELECT id FROM attachments WHERE delete_after IS NOT "
		     "NULL AND delete_after <= ?1 ORDER BY delete_after, id "
		     "LIMIT CAST(?2 AS BIGINT)",
		     "ii", now, lim);
	if (rc == 0)
		*n_out = b.n;
	return rc;
}

int
db_attachment_delete(struct store_conn *c, int64_t id)
{
	return db_change(c, -GH_NOT_FOUND,
			 "DELETE FROM attachments WHERE id = ?1", "i", id);
}
