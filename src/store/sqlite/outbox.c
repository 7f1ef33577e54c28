/*
 * SQLite store: `outbox`, the notifications waiting for delivery
 * (core/mailer.c delivers them). Several nodes may deliver: a row is
 * claimed by moving its next attempt forward on the value read, so only
 * one node wins it. The recipient and the phrase are sealed by core and
 * wiped here once delivered.
 *
 * Invariant: rows are never deleted here, and a delivered row keeps no
 * recipient or phrase.
 */
#include <stdlib.h>
#include <string.h>

#include "store/sqlite/sq.h"
#include "util/errors.h"

int
sq_outbox_insert(struct store_conn *c, const struct outbox_new *o,
		 int64_t *id_out)
{
	return sq_insert(c, id_out,
			 "INSERT INTO outbox (ref, kind, recipient, phrase, "
			 "subject, body_text, attempts, created_at, "
			 "next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?7, ?7)",
			 "ttBBtti", o->ref, o->kind, &o->recipient, &o->phrase,
			 o->subject, o->body_text, o->now);
}

/* The list outbox_due fills and its bound. */
struct due {
	struct outbox_list *l;
	size_t max;
};

static int
outbox_row(sqlite3_stmt *st, struct outbox_rec *o)
{
	o->id = sqlite3_column_int64(st, 0);
	sq_text(st, 1, o->ref, sizeof(o->ref));
	sq_text(st, 2, o->kind, sizeof(o->kind));
	o->attempts = sqlite3_column_int64(st, 7);
	o->created_at = sqlite3_column_int64(st, 8);
	o->next_attempt_at = sqlite3_column_int64(st, 9);
	if (sq_blob(st, 3, &o->recipient) < 0 ||
	    sq_blob(st, 4, &o->phrase) < 0 || sq_dup(st, 5, &o->subject) < 0 ||
	    sq_dup(st, 6, &o->body_text) < 0)
		return -GH_INTERNAL;
	return 0;
}

static int
outbox_push(sqlite3_stmt *st, void *ctx)
{
	struct due *d = ctx;
	struct outbox_rec *v;

	if (d->l->n == d->max)
		return 1;
	v = sq_append(d->l->v, d->l->n, sizeof(*v));
	if (v == NULL)
		return -GH_INTERNAL;
	d->l->v = v;
	return outbox_row(st, &d->l->v[d->l->n++]);
}

int
sq_outbox_due(struct store_conn *c, int64_t now, size_t max,
	      struct outbox_list *out)
{
	struct due d = {out, max};
	int rc;

	*out = (struct outbox_list){NULL, 0};
	if (max == 0)
		return 0;
	rc = sq_rows(c, outbox_push, &d,
		     "SELECT id, ref, kind, recipient, phrase, subject, "
		     "body_text, attempts, created_at, next_attempt_at "
		     "FROM outbox WHERE delivered_at IS NULL "
		     "AND next_attempt_at <= ? "
		     "ORDER BY next_attempt_at, id LIMIT ?",
		     "ii", now, (int64_t)max);
	if (rc < 0)
		outbox_list_clear(out);
	return rc;
}

int
sq_outbox_claim(struct store_conn *c, int64_t id, int64_t expected,
		int64_t until)
{
	return sq_change(c, -GH_CONFLICT,
			 "UPDATE outbox SET next_attempt_at = ? WHERE id = ? "
			 "AND next_attempt_at = ? AND delivered_at IS NULL",
			 "iii", until, id, expected);
}

int
sq_outbox_delivered(struct store_conn *c, int64_t id, int64_t now)
{
	return sq_exec(c,
		       "UPDATE outbox SET delivered_at = ?, recipient = NULL, "
		       "phrase = NULL, attempts = attempts + 1, "
		       "last_error = NULL WHERE id = ?",
		       "ii", now, id);
}

int
sq_outbox_failed(struct store_conn *c, int64_t id, int64_t next_attempt_at,
		 const char *error)
{
	return sq_exec(c,
		       "UPDATE outbox SET attempts = attempts + 1, "
		       "next_attempt_at = ?, last_error = ? "
		       "WHERE id = ? AND delivered_at IS NULL",
		       "iti", next_attempt_at, error, id);
}
