/*
 * The store, both backends: held replies (migration 009), the replies whose
 * outbound check could not run in full, kept apart from messages until a
 * supervisor releases or discards them; and the note mark (count and newest
 * id of a ticket's notes) that the reply path compares inside its write
 * transaction (under SERIALIZABLE a note added meanwhile by another node
 * fails one of the two with 40001).
 *
 * Invariant: no portal statement reads held_replies; a held reply leaves
 * the state "held" once only (held_decide matches on state = 'held').
 */
#include <stdlib.h>
#include <string.h>

#include "store/sql/db.h"
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
held_row(const struct db_row *st, void *ctx)
{
	struct held_reply *out = ctx;

	memset(out, 0, sizeof(*out));
	out->id = db_i64(st, 0);
	out->ticket_id = db_i64(st, 1);
	out->author_id = db_i64(st, 2);
	db_text(st, 3, out->author_name, sizeof(out->author_name));
	db_text(st, 5, out->reason, sizeof(out->reason));
	db_text(st, 6, out->state, sizeof(out->state));
	out->created_at = db_i64(st, 7);
	out->decided_by = db_i64(st, 8);
	db_text(st, 9, out->decided_by_name, sizeof(out->decided_by_name));
	out->decided_at = db_i64(st, 10);
	db_text(st, 11, out->decision, sizeof(out->decision));
	out->message_id = db_i64(st, 12);
	if (db_dup(st, 4, &out->body) < 0 || out->body == NULL)
		return -GH_INTERNAL;
	return 0;
}

/* Appends the row to the held_list ctx (counted before it is filled, so
 * held_list_clear() frees what a failed row allocated). */
static int
held_push(const struct db_row *st, void *ctx)
{
	struct held_list *l = ctx;
	struct held_reply *v = db_append(l->v, l->n, sizeof(*v));

	if (v == NULL)
		return -GH_INTERNAL;
	l->v = v;
	return held_row(st, &l->v[l->n++]);
}

int
db_held_insert(struct store_conn *c, const struct held_new *h,
	       int64_t *id_out)
{
	return db_insert(c, id_out,
			 "INSERT INTO held_replies (ticket_id, author_id, "
			 "body, reason, created_at) VALUES (?1, ?2, ?3, ?4, "
			 "?5) ",
			 "iitti", h->ticket_id, h->author_id, h->body,
			 h->reason, h->now);
}

int
db_held_get(struct store_conn *c, int64_t ticket_id, int64_t id,
	    struct held_reply *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = db_row(c, held_row, out,
		    "SELECT " HELD_COLUMNS
		      "WHERE h.id = ?1 AND h.ticket_id = ?2",
		    "ii", id, ticket_id);
	if (rc < 0)
		held_reply_clear(out);
	return rc;
}

int
db_held_list(struct store_conn *c, int64_t ticket_id, struct held_list *out)
{
	int rc;

	out->v = NULL;
	out->n = 0;
	rc = db_rows(c, held_push, out,
		     "SELECT " HELD_COLUMNS
		     "WHERE h.ticket_id = ?1 ORDER BY h.id",
		     "i", ticket_id);
	if (rc < 0)
		held_list_clear(out);
	return rc;
}

int
db_held_decide(struct store_conn *c, const struct held_decision *d)
{
	return db_change(c, -GH_CONFLICT,
			 "UPDATE held_replies SET state = ?1, decided_by = ?2, "
			 "decided_at = ?3, decision = ?4, message_id = ?5 "
			 "WHERE id = ?6 AND state = 'held'",
			 "tiitIi", d->state, d->staff_id, d->now, d->reason,
			 d->message_id, d->id);
}

/* Reads COUNT(*) and MAX(id) into the two int64_t of ctx. */
static int
mark_row(const struct db_row *st, void *ctx)
{
	int64_t *v = ctx;

	v[0] = db_i64(st, 0);
	v[1] = db_i64(st, 1);
	return 0;
}

int
db_note_mark(struct store_conn *c, int64_t ticket_id, int64_t *count_out,
	     int64_t *last_id_out)
{
	int64_t v[2] = {0, 0};
	int rc;

	rc = db_row(c, mark_row, v,
		    "SELECT COUNT(*), COALESCE(MAX(id), 0) FROM notes "
		    "WHERE ticket_id = ?1",
		    "i", ticket_id);
	*count_out = v[0];
	*last_id_out = v[1];
	return rc;
}
