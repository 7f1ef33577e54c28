/*
 * The store, both backends: `outbox`, the notifications waiting for
 * delivery (core/mailer.c delivers them). Several nodes may deliver: a row
 * is claimed by moving its next attempt forward on the value read (an
 * UPDATE ... WHERE next_attempt_at = the value read), so only one node wins
 * it; the loser's UPDATE waits for the winner's row lock, then matches
 * nothing (-GH_CONFLICT). The recipient and the phrase are sealed by core
 * and wiped here once delivered.
 *
 * Invariant: rows are never deleted here, and a delivered row keeps no
 * recipient or phrase.
 */
#include <stdlib.h>
#include <string.h>

#include "store/sql/db.h"
#include "util/errors.h"

int
db_outbox_insert(struct store_conn *c, const struct outbox_new *o,
		 int64_t *id_out)
{
	return db_insert(c, id_out,
			 "INSERT INTO outbox (ref, kind, recipient, phrase, "
			 "subject, body_text, attempts, created_at, "
			 "next_attempt_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, "
			 "?7, ?7)",
			 "ttBBtti", o->ref, o->kind, &o->recipient, &o->phrase,
			 o->subject, o->body_text, o->now);
}

/* The list outbox_due fills and its bound. */
struct due {
	struct outbox_list *l;
	size_t max;
};

static int
outbox_row(const struct db_row *st, struct outbox_rec *o)
{
	o->id = db_i64(st, 0);
	db_text(st, 1, o->ref, sizeof(o->ref));
	db_text(st, 2, o->kind, sizeof(o->kind));
	o->attempts = db_i64(st, 7);
	o->created_at = db_i64(st, 8);
	o->next_attempt_at = db_i64(st, 9);
	if (db_blob(st, 3, &o->recipient) < 0 ||
	    db_blob(st, 4, &o->phrase) < 0 || db_dup(st, 5, &o->subject) < 0 ||
	    db_dup(st, 6, &o->body_text) < 0)
		return -GH_INTERNAL;
	return 0;
}

static int
outbox_push(const struct db_row *st, void *ctx)
{
	struct due *d = ctx;
	struct outbox_rec *v;

	if (d->l->n == d->max)
		return 1;
	v = db_append(d->l->v, d->l->n, sizeof(*v));
	if (v == NULL)
		return -GH_INTERNAL;
	d->l->v = v;
	return outbox_row(st, &d->l->v[d->l->n++]);
}

int
db_outbox_due(struct store_conn *c, int64_t now, size_t max,
	      struct outbox_list *out)
{
	struct due d = {out, max};
	/* SQLite reads (int64_t)SIZE_MAX, -1, as no limit; PostgreSQL
	 * refuses a negative limit, so bound it. */
	int64_t lim = max > (size_t)INT64_MAX ? INT64_MAX : (int64_t)max;
	int rc;

	*out = (struct outbox_list){NULL, 0};
	if (max == 0)
		return 0;
	rc = db_rows(c, outbox_push, &d,
		     "SELECT id, ref, kind, recipient, phrase, subject, "
		     "body_text, attempts, created_at, next_attempt_at "
		     "FROM outbox WHERE delivered_at IS NULL "
		     "AND next_attempt_at <= ?1 "
		     "ORDER BY next_attempt_at, id LIMIT CAST(?2 AS BIGINT)",
		     "ii", now, lim);
	if (rc < 0)
		outbox_list_clear(out);
	return rc;
}

int
db_outbox_claim(struct store_conn *c, int64_t id, int64_t expected,
		int64_t until)
{
	return db_change(c, -GH_CONFLICT,
			 "UPDATE outbox SET next_attempt_at = ?1 WHERE id = ?2 "
			 "AND next_attempt_at = ?3 AND delivered_at IS NULL",
			 "iii", until, id, expected);
}

int
db_outbox_delivered(struct store_conn *c, int64_t id, int64_t now)
{
	return db_exec(c,
		       "UPDATE outbox SET delivered_at = ?1, recipient = NULL, "
		       "phrase = NULL, attempts = attempts + 1, "
		       "last_error = NULL WHERE id = ?2",
		       "ii", now, id);
}

int
db_outbox_failed(struct store_conn *c, int64_t id, int64_t next_attempt_at,
		 const char *error)
{
	return db_exec(c,
		       "UPDATE outbox SET attempts = attempts + 1, "
		       "next_attempt_at = ?1, last_error = ?2 "
		       "WHERE id = ?3 AND delivered_at IS NULL",
		       "iti", next_attempt_at, error, id);
}
