/*
 * The store, both backends: customer protection (migration 017).
 * contact_codes holds the codes agents give customers as keyed hashes with
 * their ticket, customer, agent and times; contact_checks one row per check
 * a customer made; the customer's view of their reveals and authenticator
 * reads reveals, staff, customers and the audit log.
 *
 * Invariant: no statement here takes or returns a code, only its hash; a
 * code is used at most once (code_use changes a row only while used_at
 * is NULL).
 */
#include <string.h>

#include "store/sql/db.h"
#include "util/errors.h"

int
db_contact_code_insert(struct store_conn *c, const struct contact_code_new *n,
		       int64_t *id_out)
{
	return db_insert(c, id_out,
			 "INSERT INTO contact_codes (code_hash, ticket_id, "
			 "customer_id, staff_id, created_at, expires_at) "
			 "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
			 "tiiiii", n->code_hash, n->ticket_id, n->customer_id,
			 n->staff_id, n->now, n->expires_at);
}

int
db_contact_code_live(struct store_conn *c, const char *h, int64_t now)
{
	return db_row(c, NULL, NULL,
		      "SELECT 1 FROM contact_codes WHERE code_hash = ?1 AND "
		      "used_at IS NULL AND expires_at > ?2",
		      "ti", h, now);
}

static int
code_row(const struct db_row *st, void *ctx)
{
	struct contact_code_rec *r = ctx;

	r->id = db_i64(st, 0);
	r->ticket_id = db_i64(st, 1);
	r->customer_id = db_i64(st, 2);
	r->staff_id = db_i64(st, 3);
	db_text(st, 4, r->staff_name, sizeof(r->staff_name));
	r->created_at = db_i64(st, 5);
	r->expires_at = db_i64(st, 6);
	r->used_at = db_i64(st, 7);
	return 0;
}

int
db_contact_code_find(struct store_conn *c, const char *h,
		     struct contact_code_rec *out)
{
	memset(out, 0, sizeof(*out));
	return db_row(c, code_row, out,
		      "SELECT k.id, k.ticket_id, k.customer_id, k.staff_id, "
		      "s.name, k.created_at, k.expires_at, "
		      "COALESCE(k.used_at, 0) FROM contact_codes k "
		      "JOIN staff s ON s.id = k.staff_id "
		      "WHERE k.code_hash = ?1 ORDER BY k.id DESC LIMIT 1",
		      "t", h);
}

int
db_contact_code_use(struct store_conn *c, int64_t id, int64_t now)
{
	return db_change(c, -GH_CONFLICT,
			 "UPDATE contact_codes SET used_at = ?1 WHERE id = ?2 "
			 "AND used_at IS NULL",
			 "ii", now, id);
}

static int
window_row(const struct db_row *st, void *ctx)
{
	struct contact_window *w = ctx;

	w->n = db_i64(st, 0);
	w->oldest = db_i64(st, 1);
	return 0;
}

int
db_contact_codes_since(struct store_conn *c, int64_t staff_id, int64_t since,
		       struct contact_window *out)
{
	memset(out, 0, sizeof(*out));
	return db_row(c, window_row, out,
		      "SELECT COUNT(*), COALESCE(MIN(created_at), 0) "
		      "FROM contact_codes WHERE staff_id = ?1 AND "
		      "created_at > ?2",
		      "ii", staff_id, since);
}

int
db_contact_check_insert(struct store_conn *c, int64_t customer_id,
			int genuine, int64_t now)
{
	return db_insert(c, NULL,
			 "INSERT INTO contact_checks (customer_id, genuine, "
			 "created_at) VALUES (?1, ?2, ?3)",
			 "ibi", customer_id, genuine, now);
}

int
db_contact_checks_since(struct store_conn *c, int64_t customer_id,
			int64_t since, struct contact_window *out)
{
	memset(out, 0, sizeof(*out));
	return db_row(c, window_row, out,
		      "SELECT COUNT(*), COALESCE(MIN(created_at), 0) "
		      "FROM contact_checks WHERE customer_id = ?1 AND "
		      "created_at > ?2",
		      "ii", customer_id, since);
}

static int
reveal_push(const struct db_row *st, void *ctx)
{
	struct contact_reveal_list *l = ctx;
	struct contact_reveal *v = db_append(l->v, l->n, sizeof(*v));
	struct contact_reveal *r;

	if (v == NULL)
		return -GH_INTERNAL;
	l->v = v;
	r = &l->v[l->n++];
	r->at = db_i64(st, 0);
	db_text(st, 1, r->agent, sizeof(r->agent));
	db_text(st, 2, r->field, sizeof(r->field));
	db_text(st, 3, r->reason, sizeof(r->reason));
	return 0;
}

/* A negative limit is no limit. */
int
db_contact_reveals(struct store_conn *c, int64_t customer_id, int64_t limit,
		   struct contact_reveal_list *out)
{
	int rc;

	out->v = NULL;
	out->n = 0;
	rc = db_rows(c, reveal_push, out,
		     "SELECT r.created_at, s.name, r.field, r.reason "
		     "FROM reveals r JOIN staff s ON s.id = r.staff_id "
		     "WHERE r.customer_id = ?1 "
		     "ORDER BY r.created_at DESC, r.id DESC "
		     "LIMIT ?2",
		     "ii", customer_id, db_limit(limit));
	if (rc < 0)
		contact_reveal_list_clear(out);
	return rc;
}

static int
mfa_row(const struct db_row *st, void *ctx)
{
	struct contact_mfa *m = ctx;

	m->enrolled = db_i64(st, 0) != 0;
	m->since = db_i64(st, 1);
	return 0;
}

/* The time of the customer's last enrolment is in the audit log (the
 * record's "time", ISO 8601 UTC: its first 19 characters read as UTC); a
 * customer enrolled when the account was made has none, and the account's
 * creation counts. SQLite reads JSON with json_extract and its LIKE
 * ignores ASCII case; PostgreSQL reads jsonb and uses ILIKE. */
#define MFA_SINCE(time, like, actor)                                          \
	"COALESCE((SELECT " time " FROM audit a WHERE a.record " like " "     \
	"'%\"action\":\"auth.totp_enrolled\"%' AND " actor " = "           \
	"'customer:' || c.id ORDER BY a.seq DESC LIMIT 1), c.created_at) "   \
	"FROM customers c WHERE c.id = ?1"

static const char *const mfa_sql[2] = {
	"SELECT totp_enrolled, "
	MFA_SINCE("CAST(strftime('%s', substr(json_extract(a.record, "
		  "'$.time'), 1, 19)) AS INTEGER)",
		  "LIKE", "json_extract(a.record, '$.actor')"),
	"SELECT totp_enrolled, "
	MFA_SINCE("extract(epoch FROM substr(a.record::jsonb ->> 'time', 1, "
		  "19)::timestamp AT TIME ZONE 'UTC')::bigint",
		  "ILIKE", "a.record::jsonb ->> 'actor'"),
};

int
db_contact_mfa(struct store_conn *c, int64_t customer_id,
	       struct contact_mfa *out)
{
	memset(out, 0, sizeof(*out));
	return db_row(c, mfa_row, out, DB_SQL(c, mfa_sql), "i", customer_id);
}
