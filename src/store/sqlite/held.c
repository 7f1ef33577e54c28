/*
 * SQLite store: held replies (migration 009), the replies whose outbound
 * check could not run in full (a ticket's notes past the note index's
 * limit), kept apart from messages until a supervisor releases or
 * discards them; and the note mark (count and newest id of a ticket's
 * notes) that the reply path compares inside its write transaction.
 *
 * Invariant: no portal statement reads held_replies; a held reply leaves
 * the state "held" once only (held_decide matches on state = 'held').
 */
#include <stdlib.h>
#include <string.h>

#include "store/sqlite/sq.h"
#include "util/errors.h"

/* The columns held_row reads, after "SELECT ". */
#define HELD_COLUMNS                                                          \
	"h.id, h.ticket_id, h.author_id, COALESCE(a.name, ''), "             \
	"h.body, h.reason, h.state, h.created_at, "                         \
	"COALESCE(h.decided_by, 0), COALESCE(d.name, ''), "                 \
	"COALESCE(h.decided_at, 0), COALESCE(h.decision, ''), "             \
	"COALESCE(h.message_id, 0) FROM held_replies h "                    \
	"LEFT JOIN staff a ON a.id = h.author_id "                          \
	"LEFT JOIN staff d ON d.id = h.decided_by "

static int
held_row(sqlite3_stmt *st, void *ctx)
{
	struct held_reply *out = ctx;

	memset(out, 0, sizeof(*out));
	out->id = sqlite3_column_int64(st, 0);
	out->ticket_id = sqlite3_column_int64(st, 1);
	out->author_id = sqlite3_column_int64(st, 2);
	sq_text(st, 3, out->author_name, sizeof(out->author_name));
	sq_text(st, 5, out->reason, sizeof(out->reason));
	sq_text(st, 6, out->state, sizeof(out->state));
	out->created_at = sqlite3_column_int64(st, 7);
	out->decided_by = sqlite3_column_int64(st, 8);
	sq_text(st, 9, out->decided_by_name, sizeof(out->decided_by_name));
	out->decided_at = sqlite3_column_int64(st, 10);
	sq_text(st, 11, out->decision, sizeof(out->decision));
	out->message_id = sqlite3_column_int64(st, 12);
	if (sq_dup(st, 4, &out->body) < 0 || out->body == NULL)
		return -GH_INTERNAL;
	return 0;
}

/* Appends the row to the held_list ctx (counted before it is filled, so
 * held_list_clear() frees what a failed row allocated). */
static int
held_push(sqlite3_stmt *st, void *ctx)
{
	struct held_list *l = ctx;
	struct held_reply *v = sq_append(l->v, l->n, sizeof(*v));

	if (v == NULL)
		return -GH_INTERNAL;
	l->v = v;
	return held_row(st, &l->v[l->n++]);
}

int
sq_held_insert(struct store_conn *c, const struct held_new *h,
	       int64_t *id_out)
{
	return sq_insert(c, id_out,
			 "INSERT INTO held_replies (ticket_id, author_id, "
			 "body, reason, created_at) VALUES (?, ?, ?, ?, ?)",
			 "iitti", h->ticket_id, h->author_id, h->body,
			 h->reason, h->now);
}

int
sq_held_get(struct store_conn *c, int64_t ticket_id, int64_t id,
	    struct held_reply *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = sq_row(c, held_row, out,
		    "SELECT " HELD_COLUMNS "WHERE h.id = ? AND h.ticket_id = ?",
		    "ii", id, ticket_id);
	if (rc < 0)
		held_reply_clear(out);
	return rc;
}

int
sq_held_list(struct store_conn *c, int64_t ticket_id, struct held_list *out)
{
	int rc;

	out->v = NULL;
	out->n = 0;
	rc = sq_rows(c, held_push, out,
		     "SELECT " HELD_COLUMNS "WHERE h.ticket_id = ? ORDER BY h.id",
		     "i", ticket_id);
	if (rc < 0)
		held_list_clear(out);
	return rc;
}

int
sq_held_decide(struct store_conn *c, const struct held_decision *d)
{
	return sq_change(c, -GH_CONFLICT,
			 "UPDATE held_replies SET state = ?, decided_by = ?, "
			 "decided_at = ?, decision = ?, message_id = ? "
			 "WHERE id = ? AND state = 'held'",
			 "tiitIi", d->state, d->staff_id, d->now, d->reason,
			 d->message_id, d->id);
}

/* Reads COUNT(*) and MAX(id) into the two int64_t of ctx. */
static int
mark_row(sqlite3_stmt *st, void *ctx)
{
	int64_t *v = ctx;

	v[0] = sqlite3_column_int64(st, 0);
	v[1] = sqlite3_column_int64(st, 1);
	return 0;
}

int
sq_note_mark(struct store_conn *c, int64_t ticket_id, int64_t *count_out,
	     int64_t *last_id_out)
{
	int64_t v[2] = {0, 0};
	int rc;

	rc = sq_row(c, mark_row, v,
		    "SELECT COUNT(*), COALESCE(MAX(id), 0) FROM notes "
		    "WHERE ticket_id = ?",
		    "i", ticket_id);
	*count_out = v[0];
	*last_id_out = v[1];
	return rc;
}
