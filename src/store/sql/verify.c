/*
 * The store, both backends: verifications of a caller's identity, their
 * factors and the locks on a ticket's verification (migration 010), and the
 * list of supervisors and admins to alert. The rules are core/verify.c's;
 * this file only reads and writes rows.
 *
 * Invariant: a verification leaves the state "open" once only
 * (verification_end matches on state = 'open'); the portal statement
 * filters by the customer's id in SQL; a lock that holds is never
 * replaced (verification_lock_set only replaces a cleared one).
 */
#include <string.h>

#include "store/sql/db.h"
#include "util/errors.h"

/* The columns verif_row reads, after "SELECT "; factor columns follow
 * from index 12 (NULL when the verification has no factor). */
#define VERIF_COLUMNS                                                         \
	"v.id, v.staff_id, COALESCE(s.name, ''), v.session_hash, "           \
	"v.ticket_id, v.customer_id, COALESCE(v.assignee_id, 0), "          \
	"v.queue_id, v.state, v.created_at, v.expires_at, "                 \
	"COALESCE(v.ended_at, 0), "                                         \
	"f.method, f.state, COALESCE(f.code_hash, ''), f.code_expires_at, "  \
	"f.failures, f.sends, f.number, f.choices, "                        \
	"COALESCE(f.approver_session, ''), f.updated_at "                   \
	"FROM verifications v LEFT JOIN staff s ON s.id = v.staff_id "

#define FACTOR_COL 12

static void
factor_read(const struct db_row *st, int64_t vid,
	    struct verification_factor *f)
{
	memset(f, 0, sizeof(*f));
	f->verification_id = vid;
	db_text(st, FACTOR_COL, f->method, sizeof(f->method));
	db_text(st, FACTOR_COL + 1, f->state, sizeof(f->state));
	db_text(st, FACTOR_COL + 2, f->code_hash, sizeof(f->code_hash));
	f->code_expires_at = db_i64(st, FACTOR_COL + 3);
	f->failures = db_i64(st, FACTOR_COL + 4);
	f->sends = db_i64(st, FACTOR_COL + 5);
	f->number = db_i64(st, FACTOR_COL + 6);
	db_text(st, FACTOR_COL + 7, f->choices, sizeof(f->choices));
	db_text(st, FACTOR_COL + 8, f->approver_session,
		sizeof(f->approver_session));
	f->updated_at = db_i64(st, FACTOR_COL + 9);
}

/* Fills the verification from the row (first row only) and adds the
 * row's factor, if any. */
static int
verif_row(const struct db_row *st, void *ctx)
{
	struct verification_rec *v = ctx;

	if (v->id == 0) {
		v->id = db_i64(st, 0);
		v->staff_id = db_i64(st, 1);
		db_text(st, 2, v->staff_name, sizeof(v->staff_name));
		db_text(st, 3, v->session_hash, sizeof(v->session_hash));
		v->ticket_id = db_i64(st, 4);
		v->customer_id = db_i64(st, 5);
		v->assignee_id = db_i64(st, 6);
		v->queue_id = db_i64(st, 7);
		db_text(st, 8, v->state, sizeof(v->state));
		v->created_at = db_i64(st, 9);
		v->expires_at = db_i64(st, 10);
		v->ended_at = db_i64(st, 11);
	}
	if (db_null(st, FACTOR_COL))
		return 0;
	if (v->n_factors == VERIFY_METHODS)
		return -GH_INTERNAL; /* the primary key allows no more */
	factor_read(st, v->id, &v->f[v->n_factors++]);
	return 0;
}

int
db_verification_insert(struct store_conn *c, const struct verification_new *v,
		       int64_t *id_out)
{
	return db_insert(c, id_out,
			 "INSERT INTO verifications (staff_id, session_hash, "
			 "ticket_id, customer_id, assignee_id, queue_id, "
			 "created_at, expires_at) "
			 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
			 "itiiIiii", v->staff_id, v->session_hash, v->ticket_id,
			 v->customer_id, v->assignee_id, v->queue_id, v->now,
			 v->expires_at);
}

int
db_verification_get(struct store_conn *c, int64_t id,
		    struct verification_rec *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = db_rows(c, verif_row, out,
		     "SELECT " VERIF_COLUMNS
		     "LEFT JOIN verification_factors f "
		     "ON f.verification_id = v.id WHERE v.id = ?1 "
		     "ORDER BY f.method",
		     "i", id);
	if (rc == 0 && out->id == 0)
		rc = -GH_NOT_FOUND;
	if (rc < 0)
		memset(out, 0, sizeof(*out));
	return rc;
}

int
db_verification_open_count(struct store_conn *c, int64_t staff_id,
			   int64_t now, int64_t *n_out)
{
	*n_out = 0;
	return db_row(c, db_int64, n_out,
		      "SELECT COUNT(*) FROM verifications WHERE staff_id = ?1 "
		      "AND state = 'open' AND expires_at > ?2",
		      "ii", staff_id, now);
}

int
db_verification_end(struct store_conn *c, int64_t id, const char *state,
		    int64_t now)
{
	return db_change(c, -GH_CONFLICT,
			 "UPDATE verifications SET state = ?1, ended_at = ?2 "
			 "WHERE id = ?3 AND state = 'open'",
			 "tii", state, now, id);
}

/* An upsert keyed by (verification_id, method): the row is updated in
 * place, which no reader can tell apart from a replacement. */
int
db_verification_factor_put(struct store_conn *c,
			   const struct verification_factor *f)
{
	return db_exec(c,
		       "INSERT INTO verification_factors "
		       "(verification_id, method, state, code_hash, "
		       "code_expires_at, failures, sends, number, choices, "
		       "approver_session, updated_at) "
		       "VALUES (?1, ?2, ?3, NULLIF(?4, ''), ?5, ?6, ?7, ?8, "
		       "?9, "
		       "NULLIF(?10, ''), ?11) "
		       "ON CONFLICT (verification_id, method) DO UPDATE SET "
		       "state = excluded.state, code_hash = "
		       "excluded.code_hash, "
		       "code_expires_at = excluded.code_expires_at, "
		       "failures = excluded.failures, sends = excluded.sends, "
		       "number = excluded.number, choices = excluded.choices, "
		       "approver_session = excluded.approver_session, "
		       "updated_at = excluded.updated_at",
		       "itttiiiitti", f->verification_id, f->method, f->state,
		       f->code_hash, f->code_expires_at, f->failures, f->sends,
		       f->number, f->choices, f->approver_session,
		       f->updated_at);
}

/* Appends the row to the verification_list ctx (one row, one item). */
static int
verif_push(const struct db_row *st, void *ctx)
{
	struct verification_list *l = ctx;
	struct verification_rec *v = db_append(l->v, l->n, sizeof(*v));

	if (v == NULL)
		return -GH_INTERNAL;
	l->v = v;
	return verif_row(st, &l->v[l->n++]);
}

int
db_portal_verification_list(struct store_conn *c, int64_t customer_id,
			    int64_t now, size_t max,
			    struct verification_list *out)
{
	int rc;

	out->v = NULL;
	out->n = 0;
	rc = db_rows(c, verif_push, out,
		     "SELECT " VERIF_COLUMNS
		     "JOIN verification_factors f ON f.verification_id = v.id "
		     "AND f.method IN ('portal_approval', 'passkey') "
		     "AND f.state = 'pending' "
		     "WHERE v.customer_id = ?1 AND v.state = 'open' "
		     "AND v.expires_at > ?2 ORDER BY v.id DESC LIMIT ?3",
		     "iii", customer_id, now, (int64_t)max);
	if (rc < 0)
		verification_list_clear(out);
	return rc;
}

int
db_verification_supersede(struct store_conn *c, int64_t staff_id,
			  int64_t ticket_id, int64_t now, int64_t *n_out)
{
	int rc = db_exec(c,
			 "UPDATE verifications SET state = 'ended', "
			 "ended_at = ?1 WHERE staff_id = ?2 AND ticket_id = ?3 "
			 "AND state = 'open'",
			 "iii", now, staff_id, ticket_id);

	*n_out = rc == 0 ? db_changes(c) : 0;
	return rc;
}

static int
recent_row(const struct db_row *st, void *ctx)
{
	struct verification_recent *r = ctx;

	r->starts = db_i64(st, 0);
	r->failures = db_i64(st, 1);
	r->codes = db_i64(st, 2);
	r->approvals = db_i64(st, 3);
	return 0;
}

/* The factor rows of the customer's verifications touched since ?3. */
#define RECENT_FACTORS                                                        \
	"FROM verification_factors f JOIN verifications v "                  \
	"ON v.id = f.verification_id WHERE v.customer_id = ?2 "              \
	"AND f.updated_at >= ?3"

/* SUM of bigint is numeric here: cast back to bigint for pg_i64. */
int
db_verification_recent(struct store_conn *c, int64_t staff_id,
		       int64_t customer_id, int64_t since,
		       struct verification_recent *out)
{
	memset(out, 0, sizeof(*out));
	return db_row(c, recent_row, out,
		      "SELECT (SELECT COUNT(*) FROM verifications "
		      "WHERE staff_id = ?1 AND created_at >= ?3), "
		      "(SELECT CAST(COALESCE(SUM(f.failures), 0) AS BIGINT) "
		      RECENT_FACTORS "), "
		      "(SELECT CAST(COALESCE(SUM(f.sends), 0) AS BIGINT) "
		      RECENT_FACTORS "), "
		      "(SELECT COUNT(*) " RECENT_FACTORS
		      " AND f.method IN ('portal_approval', 'passkey'))",
		      "iii", staff_id, customer_id, since);
}

static int
lock_row(const struct db_row *st, void *ctx)
{
	struct verification_lock *k = ctx;

	k->ticket_id = db_i64(st, 0);
	k->verification_id = db_i64(st, 1);
	db_text(st, 2, k->reason, sizeof(k->reason));
	k->locked_at = db_i64(st, 3);
	k->cleared_by = db_i64(st, 4);
	k->cleared_at = db_i64(st, 5);
	return 0;
}

int
db_verification_lock_get(struct store_conn *c, int64_t ticket_id,
			 struct verification_lock *out)
{
	memset(out, 0, sizeof(*out));
	return db_row(c, lock_row, out,
		      "SELECT ticket_id, verification_id, reason, locked_at, "
		      "COALESCE(cleared_by, 0), COALESCE(cleared_at, 0) "
		      "FROM verification_locks WHERE ticket_id = ?1 "
		      "AND cleared_at IS NULL",
		      "i", ticket_id);
}

int
db_verification_lock_set(struct store_conn *c, int64_t ticket_id,
			 int64_t verification_id, const char *reason,
			 int64_t now)
{
	return db_change(c, -GH_EXISTS,
			 "INSERT INTO verification_locks (ticket_id, "
			 "verification_id, reason, locked_at) "
			 "VALUES (?1, ?2, ?3, ?4) "
			 "ON CONFLICT (ticket_id) DO UPDATE SET "
			 "verification_id = excluded.verification_id, "
			 "reason = excluded.reason, "
			 "locked_at = excluded.locked_at, cleared_by = NULL, "
			 "cleared_at = NULL, clear_reason = NULL "
			 "WHERE verification_locks.cleared_at IS NOT NULL",
			 "iiti", ticket_id, verification_id, reason, now);
}

int
db_verification_lock_clear(struct store_conn *c, int64_t ticket_id,
			   int64_t staff_id, const char *reason, int64_t now)
{
	return db_change(c, -GH_NOT_FOUND,
			 "UPDATE verification_locks SET cleared_by = ?1, "
			 "cleared_at = ?2, clear_reason = ?3 "
			 "WHERE ticket_id = ?4 AND cleared_at IS NULL",
			 "iiti", staff_id, now, reason, ticket_id);
}

static int
contact_push(const struct db_row *st, void *ctx)
{
	struct staff_contact_list *l = ctx;
	struct staff_contact *v = db_append(l->v, l->n, sizeof(*v));

	if (v == NULL)
		return -GH_INTERNAL;
	l->v = v;
	v = &l->v[l->n++];
	v->id = db_i64(st, 0);
	db_text(st, 1, v->email, sizeof(v->email));
	return 0;
}

int
db_staff_alert_list(struct store_conn *c, struct staff_contact_list *out)
{
	int rc;

	out->v = NULL;
	out->n = 0;
	rc = db_rows(c, contact_push, out,
		     "SELECT id, email FROM staff WHERE disabled = 0 "
		     "AND role IN ('supervisor', 'admin') ORDER BY id",
		     "");
	if (rc < 0)
		staff_contact_list_clear(out);
	return rc;
}
