/*
 * SQLite store: quotas (migration 019). A customer's or staff member's
 * usage is read from the rows that record the writer (tickets, messages,
 * notes, attachments) through the indexes of 019, which cover every read
 * here but the stored total: a count reads index entries of one writer
 * and window; the stored total also reads the lengths of the customer's
 * own messages (never a file's content). quota_events holds the writes admitted per
 * client address, quota_hits the refusals per subject, limit and audit
 * window.
 *
 * Invariant: a message's size is its bytes as stored,
 * length(CAST(body AS BLOB)), the expression of the index
 * messages_by_author; no statement here returns content.
 */
#include <string.h>

#include "store/sqlite/sq.h"
#include "util/errors.h"

static int
sum_row(sqlite3_stmt *st, void *ctx)
{
	struct quota_sum *s = ctx;

	s->n = sqlite3_column_int64(st, 0);
	s->total = sqlite3_column_int64(st, 1);
	return 0;
}

/* The customer's messages and uploads: rows and bytes. */
static int
stored_sum(struct store_conn *c, int64_t id, int64_t since,
	   struct quota_sum *out)
{
	return sq_row(c, sum_row, out,
		      "SELECT (SELECT COUNT(*) FROM messages "
		      "WHERE author_realm = 'customer' AND author_id = ?1 "
		      "AND created_at > ?2) + (SELECT COUNT(*) FROM "
		      "attachments WHERE uploader_realm = 'customer' AND "
		      "uploader_id = ?1 AND created_at > ?2), "
		      "(SELECT COALESCE(SUM(length(CAST(body AS BLOB))), 0) "
		      "FROM messages WHERE author_realm = 'customer' AND "
		      "author_id = ?1 AND created_at > ?2) + (SELECT "
		      "COALESCE(SUM(size), 0) FROM attachments WHERE "
		      "uploader_realm = 'customer' AND uploader_id = ?1 AND "
		      "created_at > ?2)",
		      "ii", id, since);
}

int
sq_quota_sum(struct store_conn *c, const struct quota_scope *s, int64_t since,
	     struct quota_sum *out)
{
	memset(out, 0, sizeof(*out));
	switch (s->src) {
	case QSRC_CUSTOMER_TICKETS:
		return sq_row(c, sum_row, out,
			      "SELECT COUNT(*), COUNT(*) FROM tickets "
			      "WHERE customer_id = ? AND created_at > ?",
			      "ii", s->id, since);
	case QSRC_CUSTOMER_MESSAGES:
		return sq_row(c, sum_row, out,
			      "SELECT COUNT(*), COUNT(*) FROM messages "
			      "WHERE author_realm = 'customer' AND "
			      "author_id = ? AND created_at > ?",
			      "ii", s->id, since);
	case QSRC_CUSTOMER_ATTACH:
		return sq_row(c, sum_row, out,
			      "SELECT COUNT(*), COALESCE(SUM(size), 0) "
			      "FROM attachments WHERE uploader_realm = "
			      "'customer' AND uploader_id = ? AND "
			      "created_at > ?",
			      "ii", s->id, since);
	case QSRC_CUSTOMER_STORED:
		return stored_sum(c, s->id, since, out);
	case QSRC_STAFF_MESSAGES:
		return sq_row(c, sum_row, out,
			      "SELECT n, n FROM (SELECT (SELECT COUNT(*) "
			      "FROM messages WHERE author_realm = 'staff' AND "
			      "author_id = ?1 AND created_at > ?2) + (SELECT "
			      "COUNT(*) FROM notes WHERE staff_id = ?1 AND "
			      "created_at > ?2) AS n)",
			      "ii", s->id, since);
	case QSRC_EVENTS:
		return sq_row(c, sum_row, out,
			      "SELECT COUNT(*), COALESCE(SUM(amount), 0) "
			      "FROM quota_events WHERE subject = ? AND "
			      "what = ? AND at > ?",
			      "tti", s->key, s->what, since);
	}
	return -GH_INTERNAL;
}

struct walk {
	quota_row_fn fn;
	void *ctx;
};

static int
walk_row(sqlite3_stmt *st, void *ctx)
{
	struct walk *w = ctx;

	return w->fn(w->ctx, sqlite3_column_int64(st, 0),
		     sqlite3_column_int64(st, 1));
}

int
sq_quota_walk(struct store_conn *c, const struct quota_scope *s,
	      int64_t since, quota_row_fn fn, void *ctx)
{
	struct walk w = {fn, ctx};

	switch (s->src) {
	case QSRC_CUSTOMER_TICKETS:
		return sq_rows(c, walk_row, &w,
			       "SELECT created_at, 1 FROM tickets WHERE "
			       "customer_id = ? AND created_at > ? "
			       "ORDER BY created_at",
			       "ii", s->id, since);
	case QSRC_CUSTOMER_MESSAGES:
		return sq_rows(c, walk_row, &w,
			       "SELECT created_at, 1 FROM messages WHERE "
			       "author_realm = 'customer' AND author_id = ? "
			       "AND created_at > ? ORDER BY created_at",
			       "ii", s->id, since);
	case QSRC_CUSTOMER_ATTACH:
		return sq_rows(c, walk_row, &w,
			       "SELECT created_at, size FROM attachments "
			       "WHERE uploader_realm = 'customer' AND "
			       "uploader_id = ? AND created_at > ? "
			       "ORDER BY created_at",
			       "ii", s->id, since);
	case QSRC_STAFF_MESSAGES:
		return sq_rows(c, walk_row, &w,
			       "SELECT created_at, 1 FROM messages WHERE "
			       "author_realm = 'staff' AND author_id = ?1 AND "
			       "created_at > ?2 UNION ALL SELECT created_at, 1 "
			       "FROM notes WHERE staff_id = ?1 AND "
			       "created_at > ?2 ORDER BY 1",
			       "ii", s->id, since);
	case QSRC_EVENTS:
		return sq_rows(c, walk_row, &w,
			       "SELECT at, amount FROM quota_events WHERE "
			       "subject = ? AND what = ? AND at > ? "
			       "ORDER BY at",
			       "tti", s->key, s->what, since);
	case QSRC_CUSTOMER_STORED:
		break; /* not a window: nothing leaves it by itself */
	}
	return -GH_INTERNAL;
}

int
sq_quota_event_add(struct store_conn *c, const char *key, const char *what,
		   int64_t at, int64_t amount)
{
	return sq_insert(c, NULL,
			 "INSERT INTO quota_events (subject, what, at, amount) "
			 "VALUES (?, ?, ?, ?)",
			 "ttii", key, what, at, amount);
}

int
sq_quota_hit(struct store_conn *c, const char *subject, const char *limit,
	     int64_t start, int64_t end, int64_t *count_out)
{
	*count_out = 0;
	return sq_row(c, sq_int64, count_out,
		      "INSERT INTO quota_hits (subject, limit_name, "
		      "window_start, window_end, count) VALUES (?, ?, ?, ?, 1) "
		      "ON CONFLICT (subject, limit_name, window_start) "
		      "DO UPDATE SET count = count + 1 RETURNING count",
		      "ttii", subject, limit, start, end);
}

struct hits {
	struct quota_hit_list *l;
	size_t max;
};

static int
hit_row(sqlite3_stmt *st, void *ctx)
{
	struct hits *h = ctx;
	struct quota_hit_rec *v;
	struct quota_hit_rec *r;

	if (h->l->n >= h->max)
		return 1;
	v = sq_append(h->l->v, h->l->n, sizeof(*v));
	if (v == NULL)
		return -GH_INTERNAL;
	h->l->v = v;
	r = &v[h->l->n++];
	r->id = sqlite3_column_int64(st, 0);
	sq_text(st, 1, r->subject, sizeof(r->subject));
	sq_text(st, 2, r->limit, sizeof(r->limit));
	r->window_start = sqlite3_column_int64(st, 3);
	r->window_end = sqlite3_column_int64(st, 4);
	r->count = sqlite3_column_int64(st, 5);
	return 0;
}

int
sq_quota_closed(struct store_conn *c, int64_t now, size_t max,
		struct quota_hit_list *out)
{
	struct hits h = {out, max};
	int rc;

	out->v = NULL;
	out->n = 0;
	rc = sq_rows(c, hit_row, &h,
		     "SELECT id, subject, limit_name, window_start, "
		     "window_end, count FROM quota_hits WHERE summarised = 0 "
		     "AND window_end <= ? ORDER BY window_end, id LIMIT ?",
		     "ii", now, (int64_t)max);
	if (rc < 0)
		quota_hit_list_clear(out);
	return rc;
}

int
sq_quota_summarised(struct store_conn *c, int64_t id)
{
	return sq_change(c, -GH_NOT_FOUND,
			 "UPDATE quota_hits SET summarised = 1 WHERE id = ?",
			 "i", id);
}

int
sq_quota_prune(struct store_conn *c, int64_t event_before, int64_t hit_before)
{
	int rc = sq_exec(c, "DELETE FROM quota_events WHERE at <= ?", "i",
			 event_before);

	if (rc == 0)
		rc = sq_exec(c,
			     "DELETE FROM quota_hits WHERE summarised = 1 AND "
			     "window_end <= ?",
			     "i", hit_before);
	return rc;
}
