/*
 * Store conformance of the "gate" families (issue 16) on both backends
 * (tests/unit/store_conf.h): verifications, their factors and locks, and
 * the staff to alert (store/sql/verify.c, both backends).
 * Tickets are another group's rows: they are inserted with raw SQL
 * (sc_raw) on the backend under test.
 */
#include <sqlite3.h>

#include "store_conf.h"

/* Runs sql (no parameters, no rows) on the store sc_open made last. */
static void
sc_raw(const char *sql)
{
	if (sc_pg) {
		PGconn *db = PQconnectdb(sc_last);
		PGresult *r;

		assert_int_equal(PQstatus(db), CONNECTION_OK);
		r = PQexec(db, sql);
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			print_error("sc_raw: %s", PQresultErrorMessage(r));
		assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
		PQclear(r);
		PQfinish(db);
	} else {
		sqlite3 *db = NULL;
		char *err = NULL;

		assert_int_equal(sqlite3_open(sc_last + strlen("sqlite:"), &db),
				 SQLITE_OK);
		sqlite3_busy_timeout(db, 5000);
		if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
			print_error("sc_raw: %s", err);
		assert_null(err);
		sqlite3_close(db);
	}
}

/* The integer first column of the first row of sql (no parameters) on
 * the store sc_open made last. */
static int64_t
sc_raw_i64(const char *sql)
{
	int64_t v = 0;

	if (sc_pg) {
		PGconn *db = PQconnectdb(sc_last);
		PGresult *r;

		assert_int_equal(PQstatus(db), CONNECTION_OK);
		r = PQexec(db, sql);
		assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
		assert_int_equal(PQntuples(r), 1);
		v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		PQclear(r);
		PQfinish(db);
	} else {
		sqlite3 *db = NULL;
		sqlite3_stmt *st = NULL;

		assert_int_equal(sqlite3_open(sc_last + strlen("sqlite:"), &db),
				 SQLITE_OK);
		assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
				 SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		v = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		sqlite3_close(db);
	}
	return v;
}

/* Ticket id (explicit: no identity is consulted) of customer cust. */
static void
raw_ticket(int64_t id, int64_t cust)
{
	char sql[200];

	snprintf(sql, sizeof(sql),
		 "INSERT INTO tickets (id, customer_id, subject, created_at, "
		 "updated_at) VALUES (%lld, %lld, 'subject', 1, 1)",
		 (long long)id, (long long)cust);
	sc_raw(sql);
}

/* A store with its world: staff[0] an agent "Agent A", staff[1] a
 * supervisor, staff[2] an admin, staff[3] a disabled supervisor, two
 * customers, tickets 1 and 2 of cust[0], ticket 3 of cust[1]. */
struct world {
	struct store *s;
	struct store_conn *c;
	int64_t staff[4], cust[2];
};

static void
world_open(struct world *w)
{
	static const char *const role[4] = {"agent", "supervisor", "admin",
					    "supervisor"};
	unsigned char seed[4] = {1, 2, 3, 4};
	char email[64], name[32];
	int i;

	memset(w, 0, sizeof(*w));
	w->s = sc_open();
	w->c = store_acquire(w->s);
	for (i = 0; i < 4; i++) {
		struct staff_new n = {email, name, role[i], "h",
				      {seed, sizeof(seed)}};

		snprintf(email, sizeof(email), "s%d@example.com", i);
		snprintf(name, sizeof(name), "Agent %c", 'A' + i);
		assert_int_equal(w->c->ops->staff_insert(w->c, &n,
							 &w->staff[i]), 0);
	}
	assert_int_equal(w->c->ops->account_set_disabled(w->c, REALM_STAFF,
							 w->staff[3], 1), 0);
	for (i = 0; i < 2; i++) {
		struct customer_new n = {0};

		snprintf(email, sizeof(email), "idx%d", i);
		n.email_idx = email;
		n.email.data = seed;
		n.email.len = sizeof(seed);
		n.totp_seed = n.email;
		n.name = "Cust";
		n.pw_hash = "h";
		assert_int_equal(w->c->ops->customer_insert(w->c, &n,
							    &w->cust[i]), 0);
	}
	raw_ticket(1, w->cust[0]);
	raw_ticket(2, w->cust[0]);
	raw_ticket(3, w->cust[1]);
}

static void
world_close(struct world *w)
{
	store_release(w->s, w->c);
	store_close(w->s);
}

/* A verification by staff on ticket of cust, created at now. */
static int64_t
verif(struct world *w, int64_t staff, int64_t ticket, int64_t cust,
      int64_t now, int64_t expires)
{
	struct verification_new n = {staff, "sesshash", ticket, cust, 0, 1,
				     now, expires};
	int64_t id = 0;

	assert_int_equal(w->c->ops->verification_insert(w->c, &n, &id), 0);
	assert_true(id > 0);
	return id;
}

static void
factor(struct world *w, int64_t vid, const char *method, const char *state,
       const char *code_hash, int64_t failures, int64_t sends, int64_t at)
{
	struct verification_factor f;

	memset(&f, 0, sizeof(f));
	f.verification_id = vid;
	snprintf(f.method, sizeof(f.method), "%s", method);
	snprintf(f.state, sizeof(f.state), "%s", state);
	snprintf(f.code_hash, sizeof(f.code_hash), "%s", code_hash);
	f.code_expires_at = at + 300;
	f.failures = failures;
	f.sends = sends;
	f.number = 47;
	snprintf(f.choices, sizeof(f.choices), "12,47,83");
	f.updated_at = at;
	assert_int_equal(w->c->ops->verification_factor_put(w->c, &f), 0);
}

/* Insert, get with factors (ordered by method, replaced in place, an empty
 * code hash read back as ""), unknown id. */
static void
test_verification_get(void **state)
{
	struct world w;
	struct verification_rec v;
	struct verification_new n;
	int64_t id, id2 = 0;

	(void)state;
	world_open(&w);
	id = verif(&w, w.staff[0], 1, w.cust[0], 100, 400);
	assert_int_equal(w.c->ops->verification_get(w.c, id, &v), 0);
	assert_int_equal(v.id, id);
	assert_int_equal(v.staff_id, w.staff[0]);
	assert_string_equal(v.staff_name, "Agent A");
	assert_string_equal(v.session_hash, "sesshash");
	assert_int_equal(v.ticket_id, 1);
	assert_int_equal(v.customer_id, w.cust[0]);
	assert_int_equal(v.assignee_id, 0);
	assert_int_equal(v.queue_id, 1);
	assert_string_equal(v.state, "open");
	assert_int_equal(v.created_at, 100);
	assert_int_equal(v.expires_at, 400);
	assert_int_equal(v.ended_at, 0);
	assert_int_equal(v.n_factors, 0);
	n = (struct verification_new){w.staff[1], "h2", 2, w.cust[0],
				      w.staff[0], 1, 5, 6};
	assert_int_equal(w.c->ops->verification_insert(w.c, &n, &id2), 0);
	assert_true(id2 > id);
	assert_int_equal(w.c->ops->verification_get(w.c, id2, &v), 0);
	assert_int_equal(v.assignee_id, w.staff[0]);
	assert_int_equal(v.created_at, 5);

	factor(&w, id, "totp", "pending", "", 0, 0, 110);
	factor(&w, id, "email_otp", "pending", "abc", 1, 1, 120);
	factor(&w, id, "email_otp", "failed", "def", 3, 2, 130);
	assert_int_equal(w.c->ops->verification_get(w.c, id, &v), 0);
	assert_int_equal(v.n_factors, 2);
	assert_string_equal(v.f[0].method, "email_otp");
	assert_string_equal(v.f[0].state, "failed");
	assert_string_equal(v.f[0].code_hash, "def");
	assert_int_equal(v.f[0].failures, 3);
	assert_int_equal(v.f[0].sends, 2);
	assert_int_equal(v.f[0].code_expires_at, 430);
	assert_int_equal(v.f[0].number, 47);
	assert_string_equal(v.f[0].choices, "12,47,83");
	assert_string_equal(v.f[0].approver_session, "");
	assert_int_equal(v.f[0].updated_at, 130);
	assert_int_equal(v.f[0].verification_id, id);
	assert_string_equal(v.f[1].method, "totp");
	assert_string_equal(v.f[1].code_hash, "");
	assert_int_equal(v.f[1].updated_at, 110);

	assert_int_equal(w.c->ops->verification_get(w.c, id2 + 100, &v),
			 -GH_NOT_FOUND);
	assert_int_equal(v.id, 0);
	world_close(&w);
}

/* Open counts (unexpired only, per staff), end once only, supersede. */
static void
test_verification_end(void **state)
{
	struct world w;
	struct verification_rec v;
	int64_t a, b, n = -1;

	(void)state;
	world_open(&w);
	a = verif(&w, w.staff[0], 1, w.cust[0], 100, 400);
	b = verif(&w, w.staff[0], 1, w.cust[0], 100, 200);
	verif(&w, w.staff[0], 2, w.cust[0], 100, 400);
	verif(&w, w.staff[1], 1, w.cust[0], 100, 400);
	assert_int_equal(w.c->ops->verification_open_count(w.c, w.staff[0],
							   150, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(w.c->ops->verification_open_count(w.c, w.staff[0],
							   200, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(w.c->ops->verification_open_count(w.c, w.staff[2],
							   150, &n), 0);
	assert_int_equal(n, 0);

	assert_int_equal(w.c->ops->verification_end(w.c, a, "denied", 160), 0);
	assert_int_equal(w.c->ops->verification_end(w.c, a, "failed", 170),
			 -GH_CONFLICT);
	assert_int_equal(w.c->ops->verification_end(w.c, 9999, "failed", 170),
			 -GH_CONFLICT);
	assert_int_equal(w.c->ops->verification_get(w.c, a, &v), 0);
	assert_string_equal(v.state, "denied");
	assert_int_equal(v.ended_at, 160);
	assert_int_equal(w.c->ops->verification_open_count(w.c, w.staff[0],
							   150, &n), 0);
	assert_int_equal(n, 2);

	/* b (ticket 1, still open though expired) is ended; a stays denied,
	 * the other ticket's and the other agent's stay open. */
	assert_int_equal(w.c->ops->verification_supersede(w.c, w.staff[0], 1,
							  180, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(w.c->ops->verification_get(w.c, b, &v), 0);
	assert_string_equal(v.state, "ended");
	assert_int_equal(v.ended_at, 180);
	assert_int_equal(w.c->ops->verification_get(w.c, a, &v), 0);
	assert_string_equal(v.state, "denied");
	assert_int_equal(w.c->ops->verification_supersede(w.c, w.staff[0], 1,
							  190, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(w.c->ops->verification_open_count(w.c, w.staff[0],
							   150, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(w.c->ops->verification_open_count(w.c, w.staff[1],
							   150, &n), 0);
	assert_int_equal(n, 1);
	world_close(&w);
}

/* The portal's list: this customer's open, unexpired verifications with a
 * pending portal approval, newest first, at most max, that factor only. */
static void
test_portal_list(void **state)
{
	struct world w;
	struct verification_list l = {0};
	int64_t v1, v2, v3, v4, v5, v6;

	(void)state;
	world_open(&w);
	v1 = verif(&w, w.staff[0], 1, w.cust[0], 100, 400);
	v2 = verif(&w, w.staff[0], 2, w.cust[0], 100, 400);
	v3 = verif(&w, w.staff[0], 1, w.cust[0], 100, 400); /* passed */
	v4 = verif(&w, w.staff[0], 3, w.cust[1], 100, 400); /* other */
	v5 = verif(&w, w.staff[0], 1, w.cust[0], 100, 120); /* expired */
	v6 = verif(&w, w.staff[0], 2, w.cust[0], 100, 400); /* ended */
	factor(&w, v1, "portal_approval", "pending", "", 0, 0, 100);
	factor(&w, v1, "totp", "pending", "", 0, 0, 100);
	factor(&w, v2, "portal_approval", "pending", "", 0, 0, 100);
	factor(&w, v3, "portal_approval", "passed", "", 0, 0, 100);
	factor(&w, v4, "portal_approval", "pending", "", 0, 0, 100);
	factor(&w, v5, "portal_approval", "pending", "", 0, 0, 100);
	factor(&w, v6, "portal_approval", "pending", "", 0, 0, 100);
	assert_int_equal(w.c->ops->verification_end(w.c, v6, "failed", 101),
			 0);
	assert_int_equal(w.c->ops->portal_verification_list(w.c, w.cust[0],
							    150, 10, &l), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].id, v2);
	assert_int_equal(l.v[1].id, v1);
	assert_int_equal(l.v[1].n_factors, 1);
	assert_string_equal(l.v[1].f[0].method, "portal_approval");
	assert_int_equal(l.v[1].f[0].number, 47);
	verification_list_clear(&l);
	assert_int_equal(w.c->ops->portal_verification_list(w.c, w.cust[0],
							    110, 1, &l), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].id, v5);
	verification_list_clear(&l);
	assert_int_equal(w.c->ops->portal_verification_list(w.c, w.cust[1],
							    150, 10, &l), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].id, v4);
	assert_int_equal(l.v[0].customer_id, w.cust[1]);
	verification_list_clear(&l);
	assert_int_equal(w.c->ops->portal_verification_list(w.c, w.cust[1],
							    500, 10, &l), 0);
	assert_int_equal(l.n, 0);
	verification_list_clear(&l);
	world_close(&w);
}

/* Recent counts: the staff member's starts, the customer's failures,
 * sends and portal approvals since a time (zeros when nothing). */
static void
test_verification_recent(void **state)
{
	struct world w;
	struct verification_recent r;
	int64_t a, b, c;

	(void)state;
	world_open(&w);
	assert_int_equal(w.c->ops->verification_recent(w.c, w.staff[0],
						       w.cust[0], 0, &r), 0);
	assert_int_equal(r.starts + r.failures + r.codes + r.approvals, 0);
	a = verif(&w, w.staff[0], 1, w.cust[0], 100, 400);
	b = verif(&w, w.staff[1], 2, w.cust[0], 200, 400);
	c = verif(&w, w.staff[0], 3, w.cust[1], 300, 400);
	factor(&w, a, "email_otp", "pending", "x", 2, 3, 150);
	factor(&w, a, "portal_approval", "pending", "", 0, 0, 150);
	factor(&w, b, "sms_otp", "failed", "y", 5, 1, 250);
	factor(&w, b, "portal_approval", "pending", "", 0, 0, 250);
	factor(&w, c, "email_otp", "pending", "z", 7, 7, 350);
	assert_int_equal(w.c->ops->verification_recent(w.c, w.staff[0],
						       w.cust[0], 0, &r), 0);
	assert_int_equal(r.starts, 2);
	assert_int_equal(r.failures, 7);
	assert_int_equal(r.codes, 4);
	assert_int_equal(r.approvals, 2);
	assert_int_equal(w.c->ops->verification_recent(w.c, w.staff[0],
						       w.cust[0], 200, &r), 0);
	assert_int_equal(r.starts, 1);
	assert_int_equal(r.failures, 5);
	assert_int_equal(r.codes, 1);
	assert_int_equal(r.approvals, 1);
	world_close(&w);
}

/* A lock holds until cleared; a second lock while one holds is
 * -GH_EXISTS; clearing none is -GH_NOT_FOUND; a cleared one is replaced. */
static void
test_verification_lock(void **state)
{
	struct world w;
	struct verification_lock k;
	int64_t a, b;

	(void)state;
	world_open(&w);
	a = verif(&w, w.staff[0], 1, w.cust[0], 100, 400);
	b = verif(&w, w.staff[0], 1, w.cust[0], 100, 400);
	assert_int_equal(w.c->ops->verification_lock_get(w.c, 1, &k),
			 -GH_NOT_FOUND);
	assert_int_equal(w.c->ops->verification_lock_clear(w.c, 1, w.staff[1],
							   "ok", 150),
			 -GH_NOT_FOUND);
	assert_int_equal(w.c->ops->verification_lock_set(w.c, 1, a, "failures",
							 110), 0);
	assert_int_equal(w.c->ops->verification_lock_set(w.c, 1, b, "again",
							 120), -GH_EXISTS);
	assert_int_equal(w.c->ops->verification_lock_get(w.c, 1, &k), 0);
	assert_int_equal(k.ticket_id, 1);
	assert_int_equal(k.verification_id, a);
	assert_string_equal(k.reason, "failures");
	assert_int_equal(k.locked_at, 110);
	assert_int_equal(k.cleared_by, 0);
	assert_int_equal(k.cleared_at, 0);
	assert_int_equal(w.c->ops->verification_lock_get(w.c, 2, &k),
			 -GH_NOT_FOUND);
	assert_int_equal(w.c->ops->verification_lock_clear(w.c, 2, w.staff[1],
							   "ok", 150),
			 -GH_NOT_FOUND);
	assert_int_equal(w.c->ops->verification_lock_clear(w.c, 1, w.staff[1],
							   "ok", 150), 0);
	assert_int_equal(w.c->ops->verification_lock_clear(w.c, 1, w.staff[1],
							   "ok", 160),
			 -GH_NOT_FOUND);
	assert_int_equal(w.c->ops->verification_lock_get(w.c, 1, &k),
			 -GH_NOT_FOUND);
	assert_int_equal(w.c->ops->verification_lock_set(w.c, 1, b, "denied",
							 170), 0);
	assert_int_equal(w.c->ops->verification_lock_get(w.c, 1, &k), 0);
	assert_int_equal(k.verification_id, b);
	assert_string_equal(k.reason, "denied");
	assert_int_equal(k.locked_at, 170);
	assert_int_equal(k.cleared_by, 0);
	world_close(&w);
}

/* Supervisors and admins not disabled, by id; empty of agents. */
static void
test_staff_alert_list(void **state)
{
	struct world w;
	struct staff_contact_list l = {0};

	(void)state;
	world_open(&w);
	assert_int_equal(w.c->ops->staff_alert_list(w.c, &l), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].id, w.staff[1]);
	assert_string_equal(l.v[0].email, "s1@example.com");
	assert_int_equal(l.v[1].id, w.staff[2]);
	assert_string_equal(l.v[1].email, "s2@example.com");
	staff_contact_list_clear(&l);
	assert_int_equal(w.c->ops->account_set_disabled(w.c, REALM_STAFF,
							w.staff[1], 1), 0);
	assert_int_equal(w.c->ops->account_set_disabled(w.c, REALM_STAFF,
							w.staff[3], 0), 0);
	assert_int_equal(w.c->ops->staff_alert_list(w.c, &l), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].id, w.staff[2]);
	assert_int_equal(l.v[1].id, w.staff[3]);
	staff_contact_list_clear(&l);
	world_close(&w);
}

/* --- changes.c ------------------------------------------------------- */

static unsigned char chg_val[3] = {7, 8, 9};

/* A change request of kind for cust by staff[0] on ticket 1. */
static int
chg(struct world *w, const char *ref, int64_t cust, const char *kind,
    int64_t now, int64_t *id)
{
	struct change_new n = {ref, cust, kind, {chg_val, sizeof(chg_val)},
			       w->staff[0], 42, 1, "asked by phone", now};

	if (strcmp(kind, "mfa_reset") == 0)
		n.value = (struct blob){NULL, 0};
	return w->c->ops->change_insert(w->c, &n, id);
}

/* Insert and get (names joined, the sealed value, NULL columns as 0/""),
 * one open request per customer and kind, unique refs, not found. */
static void
test_change_get(void **state)
{
	struct world w;
	struct change_rec r;
	int64_t a = 0, b = 0, x = 0;

	(void)state;
	world_open(&w);
	assert_int_equal(chg(&w, "ref-a", w.cust[0], "email", 100, &a), 0);
	assert_true(a > 0);
	assert_int_equal(w.c->ops->change_get(w.c, a, &r), 0);
	assert_int_equal(r.id, a);
	assert_string_equal(r.ref, "ref-a");
	assert_int_equal(r.customer_id, w.cust[0]);
	assert_string_equal(r.customer_name, "Cust");
	assert_string_equal(r.kind, "email");
	assert_int_equal(r.value.len, 3);
	assert_memory_equal(r.value.data, chg_val, 3);
	assert_string_equal(r.state, "pending_approval");
	assert_int_equal(r.requested_by, w.staff[0]);
	assert_string_equal(r.requested_by_name, "Agent A");
	assert_int_equal(r.verification_id, 42);
	assert_int_equal(r.ticket_id, 1);
	assert_string_equal(r.reason, "asked by phone");
	assert_int_equal(r.created_at, 100);
	assert_int_equal(r.approved_by, 0);
	assert_string_equal(r.approved_by_name, "");
	assert_int_equal(r.approved_at, 0);
	assert_string_equal(r.approval, "");
	assert_int_equal(r.apply_after, 0);
	assert_int_equal(r.closed_at, 0);
	assert_string_equal(r.closed_by, "");
	assert_string_equal(r.closing, "");
	change_rec_clear(&r);

	assert_int_equal(chg(&w, "ref-b", w.cust[0], "email", 101, &x),
			 -GH_EXISTS);
	assert_int_equal(chg(&w, "ref-a", w.cust[1], "email", 101, &x),
			 -GH_EXISTS);
	assert_int_equal(chg(&w, "ref-b", w.cust[0], "mfa_reset", 102, &b), 0);
	assert_int_equal(w.c->ops->change_get(w.c, b, &r), 0);
	assert_string_equal(r.kind, "mfa_reset");
	assert_int_equal(r.value.len, 0);
	change_rec_clear(&r);
	assert_int_equal(w.c->ops->change_get(w.c, b + 100, &r),
			 -GH_NOT_FOUND);
	assert_int_equal(r.id, 0);
	world_close(&w);
}

/* Approve (never by the requester, once), close (open ones only), apply
 * (cooling off and due only), each state change once. */
static void
test_change_states(void **state)
{
	struct world w;
	struct change_rec r;
	int64_t a = 0, b = 0, d = 0;

	(void)state;
	world_open(&w);
	assert_int_equal(chg(&w, "ref-a", w.cust[0], "email", 100, &a), 0);
	assert_int_equal(chg(&w, "ref-b", w.cust[0], "phone", 100, &b), 0);
	assert_int_equal(w.c->ops->change_approve(w.c, a, w.staff[0], "self",
						  100000, 200), -GH_CONFLICT);
	assert_int_equal(w.c->ops->change_applied(w.c, a, 999999),
			 -GH_CONFLICT);
	assert_int_equal(w.c->ops->change_approve(w.c, a, w.staff[1], "fine",
						  100000, 200), 0);
	assert_int_equal(w.c->ops->change_approve(w.c, a, w.staff[2], "fine",
						  100000, 200), -GH_CONFLICT);
	assert_int_equal(w.c->ops->change_approve(w.c, a + b + 100, w.staff[1],
						  "x", 100000, 200),
			 -GH_CONFLICT);
	/* the schema's CHECK: at least a day of cooling off */
	assert_int_equal(w.c->ops->change_approve(w.c, b, w.staff[1], "soon",
						  300, 200), -GH_EXISTS);
	assert_int_equal(w.c->ops->change_get(w.c, a, &r), 0);
	assert_string_equal(r.state, "cooling_off");
	assert_int_equal(r.approved_by, w.staff[1]);
	assert_string_equal(r.approved_by_name, "Agent B");
	assert_int_equal(r.approved_at, 200);
	assert_string_equal(r.approval, "fine");
	assert_int_equal(r.apply_after, 100000);
	change_rec_clear(&r);

	assert_int_equal(w.c->ops->change_applied(w.c, a, 99999),
			 -GH_CONFLICT);
	assert_int_equal(w.c->ops->change_applied(w.c, a, 100000), 0);
	assert_int_equal(w.c->ops->change_applied(w.c, a, 100001),
			 -GH_CONFLICT);
	assert_int_equal(w.c->ops->change_get(w.c, a, &r), 0);
	assert_string_equal(r.state, "applied");
	assert_string_equal(r.closed_by, "system");
	assert_int_equal(r.closed_at, 100000);
	change_rec_clear(&r);
	assert_int_equal(w.c->ops->change_close(w.c, a, "cancelled",
						"staff:1", "late", 100002),
			 -GH_CONFLICT);

	assert_int_equal(w.c->ops->change_close(w.c, b, "rejected",
						"staff:3", "no proof", 300), 0);
	assert_int_equal(w.c->ops->change_close(w.c, b, "cancelled",
						"staff:3", "again", 301),
			 -GH_CONFLICT);
	assert_int_equal(w.c->ops->change_get(w.c, b, &r), 0);
	assert_string_equal(r.state, "rejected");
	assert_string_equal(r.closed_by, "staff:3");
	assert_string_equal(r.closing, "no proof");
	assert_int_equal(r.closed_at, 300);
	change_rec_clear(&r);
	/* closed: the kind is free again for this customer */
	assert_int_equal(chg(&w, "ref-d", w.cust[0], "phone", 400, &d), 0);
	assert_int_equal(w.c->ops->change_approve(w.c, d, w.staff[1], "ok",
						  100500, 400), 0);
	assert_int_equal(w.c->ops->change_close(w.c, d, "cancelled",
						"customer:1", "changed mind",
						500), 0);
	world_close(&w);
}

/* Due requests: cooling off with apply_after <= now, oldest apply_after
 * first (ties by id), at most max. */
static void
test_change_due(void **state)
{
	static const char *const kind[4] = {"email", "phone", "mfa_reset",
					    "account_number"};
	struct world w;
	int64_t id[6], ids[8];
	int64_t after[6] = {100300, 100100, 100100, 100200, 100050, 100000};
	size_t n = 99;
	char ref[16];
	int i;

	(void)state;
	world_open(&w);
	for (i = 0; i < 6; i++) {
		snprintf(ref, sizeof(ref), "ref-%d", i);
		assert_int_equal(chg(&w, ref, w.cust[i / 4], kind[i % 4], 10,
				     &id[i]), 0);
		if (i < 5)
			assert_int_equal(w.c->ops->change_approve(
				w.c, id[i], w.staff[1], "ok", after[i], 10), 0);
	}
	assert_int_equal(w.c->ops->change_due(w.c, 100200, 8, ids, &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(ids[0], id[4]);
	assert_int_equal(ids[1], id[1]);
	assert_int_equal(ids[2], id[2]);
	assert_int_equal(ids[3], id[3]);
	assert_int_equal(w.c->ops->change_due(w.c, 100200, 2, ids, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(ids[1], id[1]);
	assert_int_equal(w.c->ops->change_due(w.c, 100200, 0, ids, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(w.c->ops->change_due(w.c, 100049, 8, ids, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(w.c->ops->change_applied(w.c, id[4], 100200), 0);
	assert_int_equal(w.c->ops->change_due(w.c, 1000000, 8, ids, &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(ids[0], id[1]);
	assert_int_equal(ids[3], id[0]);
	world_close(&w);
}

/* Listing: newest first, by customer (0: all) and state (NULL: any;
 * "open": both open states), limit and offset, no values. */
static void
test_change_list(void **state)
{
	struct world w;
	struct change_list l = {0};
	struct change_query q = {0, NULL, 10, 0};
	int64_t a, b, d, e;

	(void)state;
	world_open(&w);
	assert_int_equal(chg(&w, "ra", w.cust[0], "email", 10, &a), 0);
	assert_int_equal(chg(&w, "rb", w.cust[0], "phone", 10, &b), 0);
	assert_int_equal(chg(&w, "rd", w.cust[1], "email", 10, &d), 0);
	assert_int_equal(chg(&w, "re", w.cust[1], "phone", 10, &e), 0);
	assert_int_equal(w.c->ops->change_approve(w.c, b, w.staff[1], "ok",
						  100000, 10), 0);
	assert_int_equal(w.c->ops->change_close(w.c, d, "failed", "system",
						"bounced", 20), 0);
	assert_int_equal(w.c->ops->change_list(w.c, &q, &l), 0);
	assert_int_equal(l.n, 4);
	assert_int_equal(l.v[0].id, e);
	assert_int_equal(l.v[1].id, d);
	assert_int_equal(l.v[2].id, b);
	assert_int_equal(l.v[3].id, a);
	assert_int_equal(l.v[3].value.len, 0);
	assert_null(l.v[3].value.data);
	assert_string_equal(l.v[2].approved_by_name, "Agent B");
	assert_string_equal(l.v[1].closing, "bounced");
	change_list_clear(&l);
	q.state = "open";
	assert_int_equal(w.c->ops->change_list(w.c, &q, &l), 0);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.v[0].id, e);
	assert_int_equal(l.v[1].id, b);
	assert_int_equal(l.v[2].id, a);
	change_list_clear(&l);
	q.state = "cooling_off";
	assert_int_equal(w.c->ops->change_list(w.c, &q, &l), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].id, b);
	change_list_clear(&l);
	q.state = NULL;
	q.customer_id = w.cust[1];
	assert_int_equal(w.c->ops->change_list(w.c, &q, &l), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].id, e);
	assert_int_equal(l.v[1].id, d);
	change_list_clear(&l);
	q.customer_id = 0;
	q.limit = 2;
	q.offset = 1;
	assert_int_equal(w.c->ops->change_list(w.c, &q, &l), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].id, d);
	assert_int_equal(l.v[1].id, b);
	change_list_clear(&l);
	q.offset = 4;
	assert_int_equal(w.c->ops->change_list(w.c, &q, &l), 0);
	assert_int_equal(l.n, 0);
	change_list_clear(&l);
	world_close(&w);
}

/* Reseal: only from the expected blind index, never onto another
 * customer's, the TOTP replay guard kept; set_phone. */
static void
test_customer_reseal(void **state)
{
	struct world w;
	struct account acc;
	unsigned char e[2] = {1, 1}, p[3] = {2, 2, 2}, t[5] = {3, 3, 3, 3, 3};
	struct customer_reseal r = {0};
	char sql[120];

	(void)state;
	world_open(&w);
	assert_int_equal(w.c->ops->account_advance_totp(w.c, REALM_CUSTOMER,
							w.cust[0], 77), 0);
	r.id = w.cust[0];
	r.old_idx = "wrong";
	r.new_idx = "idx9";
	r.email = (struct blob){e, sizeof(e)};
	r.phone = (struct blob){p, sizeof(p)};
	r.totp_seed = (struct blob){t, sizeof(t)};
	assert_int_equal(w.c->ops->customer_reseal(w.c, &r), -GH_CONFLICT);
	r.old_idx = "idx0";
	r.new_idx = "idx1";
	assert_int_equal(w.c->ops->customer_reseal(w.c, &r), -GH_EXISTS);
	r.new_idx = "idx9";
	assert_int_equal(w.c->ops->customer_reseal(w.c, &r), 0);
	assert_int_equal(w.c->ops->customer_reseal(w.c, &r), -GH_CONFLICT);
	assert_int_equal(w.c->ops->account_by_login(w.c, REALM_CUSTOMER,
						    "idx0", &acc),
			 -GH_NOT_FOUND);
	assert_int_equal(w.c->ops->account_by_login(w.c, REALM_CUSTOMER,
						    "idx9", &acc), 0);
	assert_int_equal(acc.id, w.cust[0]);
	assert_int_equal(acc.totp_last_step, 77);
	assert_int_equal(acc.totp_seed.len, sizeof(t));
	assert_memory_equal(acc.totp_seed.data, t, sizeof(t));
	account_clear(&acc);
	snprintf(sql, sizeof(sql),
		 "SELECT COALESCE(length(phone), -1) * 10 + "
		 "COALESCE(length(dob), -1) FROM customers WHERE id = %lld",
		 (long long)w.cust[0]);
	assert_int_equal(sc_raw_i64(sql), 3 * 10 - 1);
	r.phone = (struct blob){e, sizeof(e)};
	assert_int_equal(w.c->ops->customer_set_phone(w.c, w.cust[0],
						      &r.phone), 0);
	assert_int_equal(sc_raw_i64(sql), 2 * 10 - 1);
	assert_int_equal(w.c->ops->customer_set_phone(w.c, w.cust[1] + 50,
						      &r.phone), -GH_NOT_FOUND);
	world_close(&w);
}

/* --- drills.c -------------------------------------------------------- */

/* Queue 2 ("vip") with staff[1] and staff[3]; message id of ticket
 * by cust[0]. */
static void
raw_queue2(struct world *w)
{
	char sql[200];

	sc_raw("INSERT INTO queues (id, name) VALUES (2, 'vip')");
	snprintf(sql, sizeof(sql),
		 "INSERT INTO staff_queues (staff_id, queue_id) "
		 "VALUES (%lld, 2), (%lld, 2)",
		 (long long)w->staff[3], (long long)w->staff[1]);
	sc_raw(sql);
}

static void
raw_message(struct world *w, int64_t id, int64_t ticket)
{
	char sql[200];

	snprintf(sql, sizeof(sql),
		 "INSERT INTO messages (id, ticket_id, author_realm, author_id, "
		 "body, created_at) VALUES (%lld, %lld, 'customer', %lld, "
		 "'hello', 1)",
		 (long long)id, (long long)ticket, (long long)w->cust[0]);
	sc_raw(sql);
}

static int64_t
campaign(struct world *w, const char *tpl, int64_t now, int64_t send_at,
	 const int64_t *staff, const int64_t *queue, size_t n)
{
	struct drill_campaign_new d = {tpl, w->staff[1], send_at, now, staff,
				       queue, n};
	int64_t id = 0;

	assert_int_equal(w->c->ops->drills.campaign_insert(w->c, &d, &id), 0);
	assert_true(id > 0);
	return id;
}

/* Campaigns: insert with targets (a staff member once per campaign),
 * count since, list newest first with counts, get, not found. */
static void
test_drill_campaigns(void **state)
{
	struct world w;
	struct drill_campaign_list l = {0};
	struct drill_campaign d;
	int64_t a, b, n = -1, q[3] = {1, 1, 2};
	int64_t st[3];

	(void)state;
	world_open(&w);
	raw_queue2(&w);
	st[0] = w.staff[0];
	st[1] = w.staff[2];
	st[2] = w.staff[1];
	a = campaign(&w, "invoice", 100, 200, st, q, 3);
	b = campaign(&w, "parcel", 150, 160, st, q, 1);
	assert_true(b > a);
	assert_int_equal(w.c->ops->drills.campaign_count(w.c, 99, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(w.c->ops->drills.campaign_count(w.c, 100, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(w.c->ops->drills.campaign_count(w.c, 150, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(w.c->ops->drills.campaign_list(w.c, &l), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].id, b);
	assert_int_equal(l.v[0].targets, 1);
	assert_int_equal(l.v[1].id, a);
	assert_string_equal(l.v[1].template_id, "invoice");
	assert_int_equal(l.v[1].created_by, w.staff[1]);
	assert_string_equal(l.v[1].created_by_name, "Agent B");
	assert_int_equal(l.v[1].created_at, 100);
	assert_int_equal(l.v[1].send_at, 200);
	assert_int_equal(l.v[1].targets, 3);
	assert_int_equal(l.v[1].delivered + l.v[1].clicked + l.v[1].reported,
			 0);
	drill_campaign_list_clear(&l);
	assert_int_equal(w.c->ops->drills.campaign_get(w.c, b, &d), 0);
	assert_string_equal(d.template_id, "parcel");
	assert_int_equal(d.send_at, 160);
	assert_int_equal(w.c->ops->drills.campaign_get(w.c, b + 10, &d),
			 -GH_NOT_FOUND);

	/* the same staff member twice: refused, nothing kept */
	st[1] = st[0];
	{
		struct drill_campaign_new dn = {"dup", w.staff[1], 10, 300, st,
						q, 2};
		int64_t id = 0;

		assert_int_equal(w.c->ops->begin(w.c), 0);
		assert_int_equal(w.c->ops->drills.campaign_insert(w.c, &dn,
								  &id),
				 -GH_EXISTS);
		assert_int_equal(w.c->ops->rollback(w.c), 0);
	}
	assert_int_equal(w.c->ops->drills.campaign_count(w.c, 0, &n), 0);
	assert_int_equal(n, 2);
	world_close(&w);
}

/* Targets: listed by id (one campaign or all), due (undelivered,
 * send_at <= now, one staff member or all, oldest first, at most max),
 * delivered once (the ticket marked, assigned, queued), found by ticket,
 * each event set once. */
static void
test_drill_targets(void **state)
{
	struct world w;
	struct drill_target_list l = {0};
	struct drill_target t, u;
	struct drill_campaign d;
	int64_t a, b, q[3] = {1, 2, 1}, st[3];
	char sql[160];

	(void)state;
	world_open(&w);
	raw_queue2(&w);
	st[0] = w.staff[0];
	st[1] = w.staff[1];
	st[2] = w.staff[2];
	a = campaign(&w, "invoice", 100, 200, st, q, 3);
	b = campaign(&w, "parcel", 100, 150, st + 1, q + 1, 1);
	assert_int_equal(w.c->ops->drills.target_list(w.c, a, &l), 0);
	assert_int_equal(l.n, 3);
	assert_true(l.v[0].id < l.v[1].id && l.v[1].id < l.v[2].id);
	assert_int_equal(l.v[1].campaign_id, a);
	assert_string_equal(l.v[1].template_id, "invoice");
	assert_int_equal(l.v[1].staff_id, w.staff[1]);
	assert_string_equal(l.v[1].staff_name, "Agent B");
	assert_int_equal(l.v[1].queue_id, 2);
	assert_int_equal(l.v[1].send_at, 200);
	assert_int_equal(l.v[1].ticket_id + l.v[1].message_id +
			 l.v[1].delivered_at + l.v[1].ev[0] + l.v[1].ev[3], 0);
	drill_target_list_clear(&l);
	assert_int_equal(w.c->ops->drills.target_list(w.c, 0, &l), 0);
	assert_int_equal(l.n, 4);
	assert_int_equal(l.v[3].campaign_id, b);
	drill_target_list_clear(&l);

	assert_int_equal(w.c->ops->drills.target_due(w.c, 149, 0, 10, &l), 0);
	assert_int_equal(l.n, 0);
	drill_target_list_clear(&l);
	assert_int_equal(w.c->ops->drills.target_due(w.c, 200, 0, 10, &l), 0);
	assert_int_equal(l.n, 4);
	assert_int_equal(l.v[0].campaign_id, b); /* send_at 150 first */
	assert_int_equal(l.v[1].staff_id, w.staff[0]);
	assert_int_equal(l.v[3].staff_id, w.staff[2]);
	drill_target_list_clear(&l);
	assert_int_equal(w.c->ops->drills.target_due(w.c, 200, 0, 2, &l), 0);
	assert_int_equal(l.n, 2);
	drill_target_list_clear(&l);
	assert_int_equal(w.c->ops->drills.target_due(w.c, 200, w.staff[1], 10,
						     &l), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].campaign_id, b);
	assert_int_equal(l.v[1].campaign_id, a);
	t = l.v[1];
	drill_target_list_clear(&l);

	raw_message(&w, 10, 2);
	assert_int_equal(w.c->ops->drills.target_by_ticket(w.c, 2, &u),
			 -GH_NOT_FOUND);
	assert_int_equal(w.c->ops->drills.target_delivered(w.c, &t, 2, 10,
							   210), 0);
	assert_int_equal(w.c->ops->drills.target_delivered(w.c, &t, 2, 10,
							   220), -GH_CONFLICT);
	snprintf(sql, sizeof(sql),
		 "SELECT drill_id * 1000000 + assignee_id * 1000 + queue_id "
		 "FROM tickets WHERE id = 2");
	assert_int_equal(sc_raw_i64(sql),
			 t.id * 1000000 + w.staff[1] * 1000 + 2);
	memset(&t, 0, sizeof(t));
	assert_int_equal(w.c->ops->drills.target_by_ticket(w.c, 2, &t), 0);
	assert_int_equal(t.campaign_id, a);
	assert_int_equal(t.staff_id, w.staff[1]);
	assert_int_equal(t.ticket_id, 2);
	assert_int_equal(t.message_id, 10);
	assert_int_equal(t.delivered_at, 210);
	assert_int_equal(w.c->ops->drills.target_due(w.c, 200, w.staff[1], 10,
						     &l), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].campaign_id, b);
	drill_target_list_clear(&l);

	assert_int_equal(w.c->ops->drills.target_event(w.c, t.id,
						       DRILL_CLICKED, 230), 0);
	assert_int_equal(w.c->ops->drills.target_event(w.c, t.id,
						       DRILL_CLICKED, 240),
			 -GH_CONFLICT);
	assert_int_equal(w.c->ops->drills.target_event(w.c, t.id,
						       DRILL_REPORTED, 250), 0);
	assert_int_equal(w.c->ops->drills.target_event(w.c, t.id,
						       DRILL_OPENED, 225), 0);
	assert_int_equal(w.c->ops->drills.target_event(w.c, t.id + 100,
						       DRILL_OPENED, 225),
			 -GH_CONFLICT);
	assert_int_equal(w.c->ops->drills.target_event(w.c, t.id,
						       DRILL_N_EVENTS, 225),
			 -GH_INTERNAL);
	assert_int_equal(w.c->ops->drills.target_by_ticket(w.c, 2, &t), 0);
	assert_int_equal(t.ev[DRILL_OPENED], 225);
	assert_int_equal(t.ev[DRILL_CLICKED], 230);
	assert_int_equal(t.ev[DRILL_ATTACHMENT_OPENED], 0);
	assert_int_equal(t.ev[DRILL_REPORTED], 250);
	assert_int_equal(w.c->ops->drills.campaign_get(w.c, a, &d), 0);
	assert_int_equal(d.targets, 3);
	assert_int_equal(d.delivered, 1);
	assert_int_equal(d.clicked, 1);
	assert_int_equal(d.reported, 1);
	world_close(&w);
}

/* Queue staff (not disabled, by id, at most max); messages reported once
 * (not found in another ticket); customers' attachments quarantined. */
static void
test_drill_queue_report(void **state)
{
	struct world w;
	int64_t ids[4], at = -1, n = -1;
	size_t k = 99;
	char sql[300];
	int i;

	(void)state;
	world_open(&w);
	raw_queue2(&w);
	assert_int_equal(w.c->ops->drills.queue_staff(w.c, 1, ids, 4, &k), 0);
	assert_int_equal(k, 3);
	assert_int_equal(ids[0], w.staff[0]);
	assert_int_equal(ids[2], w.staff[2]);
	assert_int_equal(w.c->ops->drills.queue_staff(w.c, 1, ids, 2, &k), 0);
	assert_int_equal(k, 2);
	assert_int_equal(ids[1], w.staff[1]);
	assert_int_equal(w.c->ops->drills.queue_staff(w.c, 2, ids, 4, &k), 0);
	assert_int_equal(k, 1);
	assert_int_equal(ids[0], w.staff[1]);
	assert_int_equal(w.c->ops->drills.queue_staff(w.c, 9, ids, 4, &k), 0);
	assert_int_equal(k, 0);

	raw_message(&w, 5, 1);
	assert_int_equal(w.c->ops->drills.message_reported(w.c, 1, 5, &at), 0);
	assert_int_equal(at, 0);
	assert_int_equal(w.c->ops->drills.message_reported(w.c, 2, 5, &at),
			 -GH_NOT_FOUND);
	assert_int_equal(w.c->ops->drills.message_report(w.c, 5, w.staff[0],
							 300), 0);
	assert_int_equal(w.c->ops->drills.message_report(w.c, 5, w.staff[1],
							 310), -GH_CONFLICT);
	assert_int_equal(w.c->ops->drills.message_report(w.c, 6, w.staff[1],
							 310), -GH_CONFLICT);
	assert_int_equal(w.c->ops->drills.message_reported(w.c, 1, 5, &at), 0);
	assert_int_equal(at, 300);

	for (i = 0; i < 5; i++) {
		snprintf(sql, sizeof(sql),
			 "INSERT INTO attachments (ticket_id, uploader_realm, "
			 "uploader_id, filename, size, sha256, sniffed_type, "
			 "verdict, quarantined, content, created_at) VALUES "
			 "(%d, '%s', 1, 'f', 0, 'h', 'text/plain', 'clean', %d, "
			 "'', 1)",
			 i == 4 ? 2 : 1, i == 3 ? "staff" : "customer",
			 i == 2 ? 1 : 0);
		sc_raw(sql);
	}
	assert_int_equal(w.c->ops->drills.attachments_quarantine(w.c, 1, &n),
			 0);
	assert_int_equal(n, 2);
	assert_int_equal(w.c->ops->drills.attachments_quarantine(w.c, 1, &n),
			 0);
	assert_int_equal(n, 0);
	assert_int_equal(sc_raw_i64("SELECT COUNT(*) * 10 + SUM(quarantined) "
				    "FROM attachments"), 53);
	world_close(&w);
}

/* --- super.c --------------------------------------------------------- */

/* The staff list: by id, all or one queue's members, the newest
 * successful login, queue names by queue id, cut at STAFF_LIST_MAX. */
static void
test_super_staff_list(void **state)
{
	struct world w;
	struct staff_info_list l = {0};
	struct account acc;
	char sql[400];

	(void)state;
	world_open(&w);
	raw_queue2(&w);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO logins (realm, principal_id, at, ip, network, "
		 "method, ok) VALUES ('staff', %lld, 100, 'i', 'n', 'pw', 1), "
		 "('staff', %lld, 300, 'i', 'n', 'pw', 1), "
		 "('staff', %lld, 500, 'i', 'n', 'pw', 0), "
		 "('customer', %lld, 900, 'i', 'n', 'pw', 1)",
		 (long long)w.staff[0], (long long)w.staff[0],
		 (long long)w.staff[0], (long long)w.staff[0]);
	sc_raw(sql);
	snprintf(sql, sizeof(sql),
		 "DELETE FROM staff_queues WHERE staff_id = %lld",
		 (long long)w.staff[2]);
	sc_raw(sql);
	assert_int_equal(w.c->ops->account_by_id(w.c, REALM_STAFF, w.staff[0],
						 &acc), 0);
	assert_int_equal(w.c->ops->super.staff_list(w.c, 0, &l), 0);
	assert_int_equal(l.n, 4);
	assert_int_equal(l.truncated, 0);
	assert_int_equal(l.v[0].id, w.staff[0]);
	assert_string_equal(l.v[0].email, "s0@example.com");
	assert_string_equal(l.v[0].name, "Agent A");
	assert_string_equal(l.v[0].role, "agent");
	assert_int_equal(l.v[0].disabled, 0);
	assert_int_equal(l.v[0].totp_enrolled, acc.totp_enrolled != 0);
	assert_true(l.v[0].created_at > 1000000000);
	assert_int_equal(l.v[0].last_login, 300);
	assert_string_equal(l.v[0].queues, "general");
	assert_int_equal(l.v[1].last_login, 0);
	assert_string_equal(l.v[1].queues, "general vip");
	assert_string_equal(l.v[2].queues, "");
	assert_string_equal(l.v[2].role, "admin");
	assert_int_equal(l.v[3].disabled, 1);
	assert_string_equal(l.v[3].queues, "general vip");
	staff_info_list_clear(&l);
	account_clear(&acc);
	assert_int_equal(w.c->ops->super.staff_list(w.c, 2, &l), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].id, w.staff[1]);
	assert_int_equal(l.v[1].id, w.staff[3]);
	staff_info_list_clear(&l);
	assert_int_equal(w.c->ops->super.staff_list(w.c, 9, &l), 0);
	assert_int_equal(l.n, 0);
	staff_info_list_clear(&l);

	sc_raw("INSERT INTO staff (email, name, role, pw_hash, totp_seed, "
	       "created_at) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL "
	       "SELECT i + 1 FROM n WHERE i < 1000) SELECT 'bulk' || i || "
	       "'@example.com', 'Bulk', 'agent', 'h', '', 1 FROM n");
	assert_int_equal(w.c->ops->super.staff_list(w.c, 0, &l), 0);
	assert_int_equal(l.n, STAFF_LIST_MAX);
	assert_int_equal(l.truncated, 1);
	assert_int_equal(l.v[0].id, w.staff[0]);
	assert_true(l.v[STAFF_LIST_MAX - 1].id > l.v[STAFF_LIST_MAX - 2].id);
	staff_info_list_clear(&l);
	assert_int_equal(w.c->ops->super.staff_list(w.c, 2, &l), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.truncated, 0);
	staff_info_list_clear(&l);
	world_close(&w);
}

/* Active admins; queues by id with active members and ticket counts. */
static void
test_super_queues(void **state)
{
	struct world w;
	struct queue_stat_list l = {0};
	int64_t n = -1;
	char sql[300];

	(void)state;
	world_open(&w);
	raw_queue2(&w);
	assert_int_equal(w.c->ops->super.active_admins(w.c, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(w.c->ops->account_set_disabled(w.c, REALM_STAFF,
							w.staff[2], 1), 0);
	assert_int_equal(w.c->ops->super.active_admins(w.c, &n), 0);
	assert_int_equal(n, 0);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO tickets (id, customer_id, subject, status, "
		 "assignee_id, queue_id, created_at, updated_at) VALUES "
		 "(4, %lld, 's', 'pending', %lld, 2, 1, 1), "
		 "(5, %lld, 's', 'solved', NULL, 2, 1, 1), "
		 "(6, %lld, 's', 'open', NULL, 2, 1, 1), "
		 "(7, %lld, 's', 'open', %lld, 2, 1, 1)",
		 (long long)w.cust[0], (long long)w.staff[1],
		 (long long)w.cust[0], (long long)w.cust[1],
		 (long long)w.cust[1], (long long)w.staff[1]);
	sc_raw(sql);
	assert_int_equal(w.c->ops->super.queue_stats(w.c, &l), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].id, 1);
	assert_string_equal(l.v[0].name, "general");
	assert_int_equal(l.v[0].members, 2);
	assert_int_equal(l.v[0].open, 3);
	assert_int_equal(l.v[0].pending, 0);
	assert_int_equal(l.v[0].unassigned, 3);
	assert_int_equal(l.v[1].id, 2);
	assert_string_equal(l.v[1].name, "vip");
	assert_int_equal(l.v[1].members, 1);
	assert_int_equal(l.v[1].open, 2);
	assert_int_equal(l.v[1].pending, 1);
	assert_int_equal(l.v[1].unassigned, 1);
	queue_stat_list_clear(&l);
	world_close(&w);
}

/* --- self.c ---------------------------------------------------------- */

/* Recovery codes: replaced as a set, live ones by id, each used once and
 * only by its customer, counted. */
static void
test_self_codes(void **state)
{
	struct world w;
	struct recovery_code_rec v[3] = {
		{0, "salt0", "hash0"}, {0, "salt1", "hash1"},
		{0, "salt2", "hash2"}};
	struct recovery_code_list l = {0};
	int64_t n = -1, first;

	(void)state;
	world_open(&w);
	assert_int_equal(w.c->ops->self.codes_live(w.c, w.cust[0], &l), 0);
	assert_int_equal(l.n, 0);
	recovery_code_list_clear(&l);
	assert_int_equal(w.c->ops->self.codes_replace(w.c, w.cust[0], v, 3,
						      100), 0);
	assert_int_equal(w.c->ops->self.codes_replace(w.c, w.cust[1], v, 1,
						      100), 0);
	assert_int_equal(w.c->ops->self.codes_live(w.c, w.cust[0], &l), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0].salt, "salt0");
	assert_string_equal(l.v[2].hash, "hash2");
	assert_true(l.v[0].id < l.v[1].id && l.v[1].id < l.v[2].id);
	first = l.v[0].id;
	assert_int_equal(w.c->ops->self.code_use(w.c, w.cust[1], l.v[1].id,
						 110), -GH_CONFLICT);
	assert_int_equal(w.c->ops->self.code_use(w.c, w.cust[0], l.v[1].id,
						 110), 0);
	assert_int_equal(w.c->ops->self.code_use(w.c, w.cust[0], l.v[1].id,
						 120), -GH_CONFLICT);
	recovery_code_list_clear(&l);
	assert_int_equal(w.c->ops->self.codes_count(w.c, w.cust[0], &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(w.c->ops->self.codes_live(w.c, w.cust[0], &l), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].salt, "salt0");
	assert_string_equal(l.v[1].salt, "salt2");
	recovery_code_list_clear(&l);
	assert_int_equal(w.c->ops->self.codes_replace(w.c, w.cust[0], v + 1,
						      2, 200), 0);
	assert_int_equal(w.c->ops->self.codes_count(w.c, w.cust[0], &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(w.c->ops->self.code_use(w.c, w.cust[0], first, 210),
			 -GH_CONFLICT);
	assert_int_equal(w.c->ops->self.codes_count(w.c, w.cust[1], &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(w.c->ops->self.codes_replace(w.c, w.cust[1], v, 0,
						      300), 0);
	assert_int_equal(w.c->ops->self.codes_count(w.c, w.cust[1], &n), 0);
	assert_int_equal(n, 0);
	world_close(&w);
}

/* The pending authenticator: put, replaced, read, deleted (twice). */
static void
test_self_reenrol(void **state)
{
	struct world w;
	struct reenrol_rec r = {0}, g;

	(void)state;
	world_open(&w);
	assert_int_equal(w.c->ops->self.reenrol_get(w.c, w.cust[0], &g),
			 -GH_NOT_FOUND);
	r.customer_id = w.cust[0];
	snprintf(r.token_hash, sizeof(r.token_hash), "tok1");
	r.created_at = 100;
	assert_int_equal(w.c->ops->self.reenrol_put(w.c, &r), 0);
	assert_int_equal(w.c->ops->self.reenrol_get(w.c, w.cust[0], &g), 0);
	assert_int_equal(g.customer_id, w.cust[0]);
	assert_string_equal(g.token_hash, "tok1");
	assert_int_equal(g.started, 0);
	assert_int_equal(g.created_at, 100);
	snprintf(r.token_hash, sizeof(r.token_hash), "tok2");
	r.started = 1;
	r.created_at = 200;
	assert_int_equal(w.c->ops->self.reenrol_put(w.c, &r), 0);
	assert_int_equal(w.c->ops->self.reenrol_get(w.c, w.cust[0], &g), 0);
	assert_string_equal(g.token_hash, "tok2");
	assert_int_equal(g.started, 1);
	assert_int_equal(g.created_at, 200);
	assert_int_equal(w.c->ops->self.reenrol_get(w.c, w.cust[1], &g),
			 -GH_NOT_FOUND);
	assert_int_equal(w.c->ops->self.reenrol_delete(w.c, w.cust[0]), 0);
	assert_int_equal(w.c->ops->self.reenrol_delete(w.c, w.cust[0]), 0);
	assert_int_equal(w.c->ops->self.reenrol_get(w.c, w.cust[0], &g),
			 -GH_NOT_FOUND);
	world_close(&w);
}

/* Tokens: unique hashes, found only by kind while unused and unexpired,
 * used once, counted by customer or by address index after a time. */
static void
test_self_tokens(void **state)
{
	struct world w;
	struct portal_token_rec t;
	struct portal_token_new a = {"ha", "reset", 0, NULL, 100, 200};
	struct portal_token_new b = {"hb", "signup", 0, "idx-new", 110, 200};
	struct portal_token_new d = {"hd", "reset", 0, NULL, 120, 130};
	int64_t n = -1;

	(void)state;
	world_open(&w);
	a.customer_id = w.cust[0];
	d.customer_id = w.cust[0];
	assert_int_equal(w.c->ops->self.token_insert(w.c, &a), 0);
	assert_int_equal(w.c->ops->self.token_insert(w.c, &b), 0);
	assert_int_equal(w.c->ops->self.token_insert(w.c, &d), 0);
	assert_int_equal(w.c->ops->self.token_insert(w.c, &a), -GH_EXISTS);
	assert_int_equal(w.c->ops->self.token_get(w.c, "ha", "reset", 150, &t),
			 0);
	assert_string_equal(t.kind, "reset");
	assert_int_equal(t.customer_id, w.cust[0]);
	assert_string_equal(t.email_idx, "");
	assert_int_equal(t.created_at, 100);
	assert_int_equal(t.expires_at, 200);
	assert_int_equal(w.c->ops->self.token_get(w.c, "ha", "signup", 150,
						  &t), -GH_NOT_FOUND);
	assert_int_equal(w.c->ops->self.token_get(w.c, "ha", "reset", 200, &t),
			 -GH_NOT_FOUND);
	assert_int_equal(w.c->ops->self.token_get(w.c, "hb", "signup", 150,
						  &t), 0);
	assert_int_equal(t.customer_id, 0);
	assert_string_equal(t.email_idx, "idx-new");
	assert_int_equal(w.c->ops->self.token_get(w.c, "nope", "reset", 150,
						  &t), -GH_NOT_FOUND);

	assert_int_equal(w.c->ops->self.token_use(w.c, "hd", 130),
			 -GH_CONFLICT);
	assert_int_equal(w.c->ops->self.token_use(w.c, "ha", 150), 0);
	assert_int_equal(w.c->ops->self.token_use(w.c, "ha", 160),
			 -GH_CONFLICT);
	assert_int_equal(w.c->ops->self.token_use(w.c, "nope", 160),
			 -GH_CONFLICT);
	assert_int_equal(w.c->ops->self.token_get(w.c, "ha", "reset", 150, &t),
			 -GH_NOT_FOUND);

	assert_int_equal(w.c->ops->self.tokens_since(w.c, "reset", w.cust[0],
						     NULL, 99, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(w.c->ops->self.tokens_since(w.c, "reset", w.cust[0],
						     NULL, 100, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(w.c->ops->self.tokens_since(w.c, "signup", w.cust[0],
						     NULL, 0, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(w.c->ops->self.tokens_since(w.c, "reset", w.cust[1],
						     NULL, 0, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(w.c->ops->self.tokens_since(w.c, "signup", 0,
						     "idx-new", 0, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(w.c->ops->self.tokens_since(w.c, "signup", 0,
						     "idx-new", 110, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(w.c->ops->self.tokens_since(w.c, "signup", 0,
						     "idx-other", 0, &n), 0);
	assert_int_equal(n, 0);
	world_close(&w);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verification_get),
		cmocka_unit_test(test_verification_end),
		cmocka_unit_test(test_portal_list),
		cmocka_unit_test(test_verification_recent),
		cmocka_unit_test(test_verification_lock),
		cmocka_unit_test(test_staff_alert_list),
		cmocka_unit_test(test_change_get),
		cmocka_unit_test(test_change_states),
		cmocka_unit_test(test_change_due),
		cmocka_unit_test(test_change_list),
		cmocka_unit_test(test_customer_reseal),
		cmocka_unit_test(test_drill_campaigns),
		cmocka_unit_test(test_drill_targets),
		cmocka_unit_test(test_drill_queue_report),
		cmocka_unit_test(test_super_staff_list),
		cmocka_unit_test(test_super_queues),
		cmocka_unit_test(test_self_codes),
		cmocka_unit_test(test_self_reenrol),
		cmocka_unit_test(test_self_tokens),
	};

	return sc_main(argc, argv, "store_gate", tests,
		       sizeof(tests) / sizeof(tests[0]));
}
