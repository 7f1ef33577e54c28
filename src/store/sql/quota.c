/*
 * The store, both backends: quotas (migration 019). A customer's or staff
 * member's usage is read from the rows that record the writer (tickets,
 * messages, notes, attachments) through the indexes of 019; quota_events
 * holds the writes admitted per client address, quota_hits the refusals per
 * subject, limit and audit window.
 *
 * Invariant: a message's size is its bytes as stored, octet_length(body),
 * the expression of the index messages_by_author (SQLite's
 * length(CAST(body AS BLOB))); no statement here returns content. Sums
 * are cast to bigint (PostgreSQL's sum of a bigint is numeric).
 */
#include <string.h>

#include "store/sql/db.h"
#include "util/errors.h"

static int
sum_row(const struct db_row *st, void *ctx)
{
	struct quota_sum *s = ctx;

	s->n = db_i64(st, 0);
	s->total = db_i64(st, 1);
	return 0;
}

/* The customer's messages and uploads: rows and bytes; `bytes` is the
 * dialect's byte length of a message body. */
#define STORED_SUM(bytes)                                                     \
	"(SELECT COUNT(*) FROM messages "                                    \
	"WHERE author_realm = 'customer' AND author_id = ?1 "                \
	"AND created_at > ?2) + (SELECT COUNT(*) FROM "                      \
	"attachments WHERE uploader_realm = 'customer' AND "                 \
	"uploader_id = ?1 AND created_at > ?2), "                            \
	"(SELECT CAST(COALESCE(SUM(" bytes "), 0) AS BIGINT) "               \
	"FROM messages WHERE author_realm = 'customer' AND "                 \
	"author_id = ?1 AND created_at > ?2) + (SELECT "                     \
	"CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM attachments WHERE "     \
	"uploader_realm = 'customer' AND uploader_id = ?1 AND "              \
	"created_at > ?2"

static const char *const stored_sql[2] = {
	"SELECT " STORED_SUM("length(CAST(body AS BLOB))") ")",
	"SELECT " STORED_SUM("octet_length(body)") ")",
};

static int
stored_sum(struct store_conn *c, int64_t id, int64_t since,
	   struct quota_sum *out)
{
	return db_row(c, sum_row, out, DB_SQL(c, stored_sql), "ii", id,
		      since);
}

int
db_quota_sum(struct store_conn *c, const struct quota_scope *s, int64_t since,
	     struct quota_sum *out)
{
	memset(out, 0, sizeof(*out));
	switch (s->src) {
	case QSRC_CUSTOMER_TICKETS:
		return db_row(c, sum_row, out,
			      "SELECT COUNT(*), COUNT(*) FROM tickets "
			      "WHERE customer_id = ?1 AND created_at > ?2",
			      "ii", s->id, since);
	case QSRC_CUSTOMER_MESSAGES:
		return db_row(c, sum_row, out,
			      "SELECT COUNT(*), COUNT(*) FROM messages "
			      "WHERE author_realm = 'customer' AND "
			      "author_id = ?1 AND created_at > ?2",
			      "ii", s->id, since);
	case QSRC_CUSTOMER_ATTACH:
		return db_row(c, sum_row, out,
			      "SELECT COUNT(*), CAST(COALESCE(SUM(size), 0) AS BIGINT) "
			      "FROM attachments WHERE uploader_realm = "
			      "'customer' AND uploader_id = ?1 AND "
			      "created_at > ?2",
			      "ii", s->id, since);
	case QSRC_CUSTOMER_STORED:
		return stored_sum(c, s->id, since, out);
	case QSRC_STAFF_MESSAGES:
		return db_row(c, sum_row, out,
			      "SELECT n, n FROM (SELECT (SELECT COUNT(*) "
			      "FROM messages WHERE author_realm = 'staff' AND "
			      "author_id = ?1 AND created_at > ?2) + (SELECT "
			      "COUNT(*) FROM notes WHERE staff_id = ?1 AND "
			      "created_at > ?2) AS n) AS u",
			      "ii", s->id, since);
	case QSRC_EVENTS:
		return db_row(c, sum_row, out,
			      "SELECT COUNT(*), CAST(COALESCE(SUM(amount), 0) AS BIGINT) "
			      "FROM quota_events WHERE subject = ?1 AND "
			      "what = ?2 AND at > ?3",
			      "tti", s->key, s->what, since);
	}
	return -GH_INTERNAL;
}

struct walk {
	quota_row_fn fn;
	void *ctx;
};

static int
walk_row(const struct db_row *st, void *ctx)
{
	struct walk *w = ctx;

	return w->fn(w->ctx, db_i64(st, 0), db_i64(st, 1));
}

int
db_quota_walk(struct store_conn *c, const struct quota_scope *s,
	      int64_t since, quota_row_fn fn, void *ctx)
{
	struct walk w = {fn, ctx};

	switch (s->src) {
	case QSRC_CUSTOMER_TICKETS:
		return db_rows(c, walk_row, &w,
			       "SELECT created_at, CAST(1 AS BIGINT) FROM tickets "
			       "WHERE customer_id = ?1 AND created_at > ?2 "
			       "ORDER BY created_at, id",
			       "ii", s->id, since);
	case QSRC_CUSTOMER_MESSAGES:
		return db_rows(c, walk_row, &w,
			       "SELECT created_at, CAST(1 AS BIGINT) FROM messages "
			       "WHERE author_realm = 'customer' AND "
			       "author_id = ?1 AND created_at > ?2 "
			       "ORDER BY created_at, id",
			       "ii", s->id, since);
	case QSRC_CUSTOMER_ATTACH:
		return db_rows(c, walk_row, &w,
			       "SELECT created_at, size FROM attachments "
			       "WHERE uploader_realm = 'customer' AND "
			       "uploader_id = ?1 AND created_at > ?2 "
			       "ORDER BY created_at, id",
			       "ii", s->id, since);
	case QSRC_STAFF_MESSAGES:
		return db_rows(c, walk_row, &w,
			       "SELECT created_at, CAST(1 AS BIGINT) FROM messages "
			       "WHERE author_realm = 'staff' AND "
			       "author_id = ?1 AND created_at > ?2 UNION ALL "
			       "SELECT created_at, CAST(1 AS BIGINT) FROM notes "
			       "WHERE staff_id = ?1 AND created_at > ?2 "
			       "ORDER BY 1",
			       "ii", s->id, since);
	case QSRC_EVENTS:
		return db_rows(c, walk_row, &w,
			       "SELECT at, amount FROM quota_events WHERE "
			       "subject = ?1 AND what = ?2 AND at > ?3 "
			       "ORDER BY at, id",
			       "tti", s->key, s->what, since);
	case QSRC_CUSTOMER_STORED:
		break; /* not a window: nothing leaves it by itself */
	}
	return -GH_INTERNAL;
}

int
db_quota_event_add(struct store_conn *c, const char *key, const char *what,
		   int64_t at, int64_t amount)
{
	return db_exec(c,
		       "INSERT INTO quota_events (subject, what, at, amount) "
		       "VALUES (?1, ?2, ?3, ?4)",
		       "ttii", key, what, at, amount);
}

int
db_quota_hit(struct store_conn *c, const char *subject, const char *limit,
	     int64_t start, int64_t end, int64_t *count_out)
{
	*count_out = 0;
	return db_row(c, db_int64, count_out,
		      "INSERT INTO quota_hits AS h (subject, limit_name, "
		      "window_start, window_end, count) "
		      "VALUES (?1, ?2, ?3, ?4, 1) "
		      "ON CONFLICT (subject, limit_name, window_start) "
		      "DO UPDATE SET count = h.count + 1 RETURNING count",
		      "ttii", subject, limit, start, end);
}

struct hits {
	struct quota_hit_list *l;
	size_t max;
};

static int
hit_row(const struct db_row *st, void *ctx)
{
	struct hits *h = ctx;
	struct quota_hit_rec *v;
	struct quota_hit_rec *r;

	if (h->l->n >= h->max)
		return 1;
	v = db_append(h->l->v, h->l->n, sizeof(*v));
	if (v == NULL)
		return -GH_INTERNAL;
	h->l->v = v;
	r = &v[h->l->n++];
	r->id = db_i64(st, 0);
	db_text(st, 1, r->subject, sizeof(r->subject));
	db_text(st, 2, r->limit, sizeof(r->limit));
	r->window_start = db_i64(st, 3);
	r->window_end = db_i64(st, 4);
	r->count = db_i64(st, 5);
	return 0;
}

int
db_quota_closed(struct store_conn *c, int64_t now, size_t max,
		struct quota_hit_list *out)
{
	struct hits h = {out, max};
	int rc;

	out->v = NULL;
	out->n = 0;
	/* A max beyond int64 reads as negative: no limit. */
	rc = db_rows(c, hit_row, &h,
		     "SELECT id, subject, limit_name, window_start, "
		     "window_end, count FROM quota_hits WHERE summarised = 0 "
		     "AND window_end <= ?1 ORDER BY window_end, id LIMIT ?2",
		     "ii", now, db_limit((int64_t)max));
	if (rc < 0)
		quota_hit_list_clear(out);
	return rc;
}

int
db_quota_summarised(struct store_conn *c, int64_t id)
{
	return db_change(c, -GH_NOT_FOUND,
			 "UPDATE quota_hits SET summarised = 1 WHERE id = ?1",
			 "i", id);
}

int
db_quota_prune(struct store_conn *c, int64_t event_before, int64_t hit_before)
{
	int rc = db_exec(c, "DELETE FROM quota_events WHERE at <= ?1", "i",
			 event_before);

	if (rc == 0)
		rc = db_exec(c,
			     "DELETE FROM quota_hits WHERE summarised = 1 AND "
			     "window_end <= ?1",
			     "i", hit_before);
	return rc;
}
