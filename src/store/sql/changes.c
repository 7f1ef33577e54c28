/*
 * The store, both backends: account changes under dual control (migration
 * 012) and the two customer writes that applying one needs (the e-mail
 * address with every field re-sealed under its new blind index, the phone
 * number). Sealing, policy and time are core's; the values pass through
 * unopened.
 *
 * Invariant: every state change matches on the state it leaves (and an
 * approval on a requester other than the approver, an application on
 * apply_after <= now), so a request changes state once, in the order the
 * schema allows, whatever runs in parallel.
 */
#include <stdlib.h>
#include <string.h>

#include "store/sql/db.h"
#include "util/errors.h"

/* The columns change_row reads, after "SELECT ". */
#define CHANGE_COLUMNS                                                        \
	"r.id, r.ref, r.customer_id, COALESCE(cu.name, ''), r.kind, "        \
	"r.state, r.requested_by, COALESCE(q.name, ''), r.verification_id, " \
	"r.ticket_id, r.reason, r.created_at, COALESCE(r.approved_by, 0), "  \
	"COALESCE(a.name, ''), COALESCE(r.approved_at, 0), "                \
	"COALESCE(r.approval, ''), COALESCE(r.apply_after, 0), "            \
	"COALESCE(r.closed_at, 0), COALESCE(r.closed_by, ''), "             \
	"COALESCE(r.closing, ''), r.value FROM change_requests r "          \
	"LEFT JOIN customers cu ON cu.id = r.customer_id "                  \
	"LEFT JOIN staff q ON q.id = r.requested_by "                       \
	"LEFT JOIN staff a ON a.id = r.approved_by "

/* Column 20 (the sealed value) is read only when want_value. */
static int
change_fill(const struct db_row *st, struct change_rec *out, int want_value)
{
	memset(out, 0, sizeof(*out));
	out->id = db_i64(st, 0);
	db_text(st, 1, out->ref, sizeof(out->ref));
	out->customer_id = db_i64(st, 2);
	db_text(st, 3, out->customer_name, sizeof(out->customer_name));
	db_text(st, 4, out->kind, sizeof(out->kind));
	db_text(st, 5, out->state, sizeof(out->state));
	out->requested_by = db_i64(st, 6);
	db_text(st, 7, out->requested_by_name, sizeof(out->requested_by_name));
	out->verification_id = db_i64(st, 8);
	out->ticket_id = db_i64(st, 9);
	db_text(st, 10, out->reason, sizeof(out->reason));
	out->created_at = db_i64(st, 11);
	out->approved_by = db_i64(st, 12);
	db_text(st, 13, out->approved_by_name, sizeof(out->approved_by_name));
	out->approved_at = db_i64(st, 14);
	db_text(st, 15, out->approval, sizeof(out->approval));
	out->apply_after = db_i64(st, 16);
	out->closed_at = db_i64(st, 17);
	db_text(st, 18, out->closed_by, sizeof(out->closed_by));
	db_text(st, 19, out->closing, sizeof(out->closing));
	return want_value ? db_blob(st, 20, &out->value) : 0;
}

static int
change_row(const struct db_row *st, void *ctx)
{
	return change_fill(st, ctx, 1);
}

/* Appends the row, without its value, to the change_list ctx (counted
 * before it is filled, so change_list_clear() frees what it holds). */
static int
change_push(const struct db_row *st, void *ctx)
{
	struct change_list *l = ctx;
	struct change_rec *v = db_append(l->v, l->n, sizeof(*v));

	if (v == NULL)
		return -GH_INTERNAL;
	l->v = v;
	return change_fill(st, &l->v[l->n++], 0);
}

int
db_change_insert(struct store_conn *c, const struct change_new *n,
		 int64_t *id_out)
{
	return db_insert(c, id_out,
			 "INSERT INTO change_requests (ref, customer_id, kind, "
			 "value, requested_by, verification_id, ticket_id, "
			 "reason, created_at) "
			 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ",
			 "titBiiiti", n->ref, n->customer_id, n->kind, &n->value,
			 n->requested_by, n->verification_id, n->ticket_id,
			 n->reason, n->now);
}

int
db_change_get(struct store_conn *c, int64_t id, struct change_rec *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = db_row(c, change_row, out,
		    "SELECT " CHANGE_COLUMNS "WHERE r.id = ?1", "i", id);
	if (rc < 0)
		change_rec_clear(out);
	return rc;
}

int
db_change_list(struct store_conn *c, const struct change_query *q,
	       struct change_list *out)
{
	int rc;

	out->v = NULL;
	out->n = 0;
	/* ?1 customer (0: any), ?2 state (NULL: any; 'open': both open
	 * states). A negative limit is none and a negative offset 0. */
	rc = db_rows(c, change_push, out,
		     "SELECT " CHANGE_COLUMNS
		     "WHERE (CAST(?1 AS BIGINT) = 0 OR r.customer_id = ?1) "
		     "AND (CAST(?2 AS TEXT) IS NULL "
		     "OR r.state = ?2 OR (?2 = 'open' AND r.state IN "
		     "('pending_approval', 'cooling_off'))) "
		     "ORDER BY r.id DESC LIMIT ?3 OFFSET ?4",
		     "itii", q->customer_id, q->state, db_limit(q->limit),
		     db_offset(q->offset));
	if (rc < 0)
		change_list_clear(out);
	return rc;
}

int
db_change_approve(struct store_conn *c, int64_t id, int64_t staff_id,
		  const char *reason, int64_t apply_after, int64_t now)
{
	return db_change(c, -GH_CONFLICT,
			 "UPDATE change_requests SET state = 'cooling_off', "
			 "approved_by = ?1, approval = ?2, apply_after = ?3, "
			 "approved_at = ?4 WHERE id = ?5 AND "
			 "state = 'pending_approval' AND requested_by <> ?1",
			 "itiii", staff_id, reason, apply_after, now, id);
}

int
db_change_close(struct store_conn *c, int64_t id, const char *state,
		const char *closed_by, const char *reason, int64_t now)
{
	return db_change(c, -GH_CONFLICT,
			 "UPDATE change_requests SET state = ?1, closed_by = "
			 "?2, "
			 "closing = ?3, closed_at = ?4 WHERE id = ?5 AND state "
			 "IN "
			 "('pending_approval', 'cooling_off')",
			 "tttii", state, closed_by, reason, now, id);
}

int
db_change_applied(struct store_conn *c, int64_t id, int64_t now)
{
	return db_change(c, -GH_CONFLICT,
			 "UPDATE change_requests SET state = 'applied', "
			 "closed_by = 'system', closed_at = ?1 WHERE id = ?2 "
			 "AND state = 'cooling_off' AND apply_after <= ?1",
			 "ii", now, id);
}

/* The ids of the change_due call ctx points to. */
struct due_ids {
	int64_t *ids;
	size_t n;
};

static int
due_row(const struct db_row *st, void *ctx)
{
	struct due_ids *d = ctx;

	d->ids[d->n++] = db_i64(st, 0);
	return 0;
}

int
db_change_due(struct store_conn *c, int64_t now, size_t max, int64_t *ids,
	      size_t *n_out)
{
	struct due_ids d = {ids, 0};
	int rc;

	*n_out = 0;
	if (max == 0)
		return 0;
	rc = db_rows(c, due_row, &d,
		     "SELECT id FROM change_requests WHERE state = "
		     "'cooling_off' "
		     "AND apply_after <= ?1 ORDER BY apply_after, id LIMIT ?2",
		     "ii", now, (int64_t)max);
	*n_out = d.n;
	return rc;
}

int
db_customer_reseal(struct store_conn *c, const struct customer_reseal *r)
{
	return db_change(c, -GH_CONFLICT,
			 "UPDATE customers SET email_idx = ?1, email = ?2, "
			 "phone = ?3, dob = ?4, address = ?5, phrase = ?6, "
			 "totp_seed = ?7 WHERE id = ?8 AND email_idx = ?9",
			 "tBBBBBBit", r->new_idx, &r->email, &r->phone, &r->dob,
			 &r->address, &r->phrase, &r->totp_seed, r->id,
			 r->old_idx);
}

int
db_customer_set_phone(struct store_conn *c, int64_t customer_id,
		      const struct blob *phone)
{
	return db_change(c, -GH_NOT_FOUND,
			 "UPDATE customers SET phone = ?1 WHERE id = ?2", "Bi",
			 phone, customer_id);
}
