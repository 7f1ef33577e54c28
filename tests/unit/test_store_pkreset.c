/*
 * Store conformance of issue 17 part GATE on both backends
 * (tests/unit/store_conf.h): staff passkey resets (store/sql/pkreset.c,
 * migration 031): one pending request per member, never about or
 * approved by its requester (the schema refuses both), decided once,
 * expired after its time, listed newest first with the names; the
 * verification factor method "passkey" (the schema accepts it, the
 * portal's list shows it, the hourly approval count counts it); the
 * staff list's passkey count.
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

/* staff[0] an admin "Ada", staff[1] an admin "Bob", staff[2] a
 * supervisor "Cy"; cust a customer; ticket 1 of cust. */
struct world {
	struct store *s;
	struct store_conn *c;
	int64_t staff[3], cust;
};

static void
world_open(struct world *w)
{
	static const char *const role[3] = {"admin", "admin", "supervisor"};
	static const char *const names[3] = {"Ada", "Bob", "Cy"};
	unsigned char seed[4] = {1, 2, 3, 4};
	struct customer_new n = {0};
	char email[64], sql[160];

	memset(w, 0, sizeof(*w));
	w->s = sc_open();
	w->c = store_acquire(w->s);
	for (int i = 0; i < 3; i++) {
		struct staff_new s = {email, names[i], role[i], "h",
				      {seed, sizeof(seed)}};

		snprintf(email, sizeof(email), "s%d@example.com", i);
		assert_int_equal(w->c->ops->staff_insert(w->c, &s,
							 &w->staff[i]), 0);
	}
	n.email_idx = "idx0";
	n.email.data = seed;
	n.email.len = sizeof(seed);
	n.totp_seed = n.email;
	n.name = "Cust";
	n.pw_hash = "h";
	assert_int_equal(w->c->ops->customer_insert(w->c, &n, &w->cust), 0);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO tickets (id, customer_id, subject, created_at, "
		 "updated_at) VALUES (1, %lld, 's', 1, 1)",
		 (long long)w->cust);
	sc_raw(sql);
}

static void
world_close(struct world *w)
{
	store_release(w->s, w->c);
	store_close(w->s);
}

/* Insert, get with names, one pending per member, decided once. */
static void
test_reset_lifecycle(void **state)
{
	struct world w;
	struct pkreset_rec r;
	int64_t id = 0, id2 = 0;

	(void)state;
	world_open(&w);
	assert_int_equal(w.c->ops->pkreset.insert(w.c, w.staff[2], w.staff[0],
						  "Lost it", 100, 200, &id),
			 0);
	assert_true(id > 0);
	assert_int_equal(w.c->ops->pkreset.get(w.c, id, &r), 0);
	assert_int_equal(r.staff_id, w.staff[2]);
	assert_string_equal(r.staff_name, "Cy");
	assert_string_equal(r.staff_email, "s2@example.com");
	assert_string_equal(r.staff_role, "supervisor");
	assert_string_equal(r.requested_by_name, "Ada");
	assert_string_equal(r.reason, "Lost it");
	assert_string_equal(r.state, "pending");
	assert_int_equal(r.created_at, 100);
	assert_int_equal(r.expires_at, 200);
	assert_int_equal(r.decided_by, 0);
	assert_int_equal(r.decided_at, 0);
	assert_string_equal(r.decision, "");
	assert_int_equal(w.c->ops->pkreset.get(w.c, id + 99, &r),
			 -GH_NOT_FOUND);
	/* The requester never approves: the schema refuses it. */
	assert_int_equal(w.c->ops->pkreset.decide(w.c, id, "approved",
						  w.staff[0], NULL, 1, 150),
			 -GH_EXISTS);
	assert_int_equal(w.c->ops->pkreset.decide(w.c, id, "approved",
						  w.staff[1], "Called back", 2,
						  150),
			 0);
	assert_int_equal(w.c->ops->pkreset.get(w.c, id, &r), 0);
	assert_string_equal(r.state, "approved");
	assert_int_equal(r.decided_by, w.staff[1]);
	assert_string_equal(r.decided_by_name, "Bob");
	assert_int_equal(r.decided_at, 150);
	assert_string_equal(r.decision, "Called back");
	assert_int_equal(r.passkeys_deleted, 2);
	/* Decided once. */
	assert_int_equal(w.c->ops->pkreset.decide(w.c, id, "denied",
						  w.staff[1], NULL, 0, 160),
			 -GH_CONFLICT);
	/* A new request after the decision; a second pending one refused. */
	assert_int_equal(w.c->ops->pkreset.insert(w.c, w.staff[2], w.staff[1],
						  "Again", 170, 270, &id2),
			 0);
	assert_int_equal(w.c->ops->pkreset.insert(w.c, w.staff[2], w.staff[0],
						  "Twice", 171, 271, NULL),
			 -GH_EXISTS);
	world_close(&w);
}

/* Nobody asks about themself (schema); expiry closes due requests only;
 * the list: newest first, by state. */
static void
test_reset_expire_and_list(void **state)
{
	struct world w;
	struct pkreset_list l = {NULL, 0};
	struct pkreset_rec r;
	int64_t a = 0, b = 0, n = -1;

	(void)state;
	world_open(&w);
	assert_int_equal(w.c->ops->pkreset.insert(w.c, w.staff[0], w.staff[0],
						  "Mine", 100, 200, NULL),
			 -GH_EXISTS);
	assert_int_equal(w.c->ops->pkreset.insert(w.c, w.staff[2], w.staff[0],
						  "One", 100, 200, &a),
			 0);
	assert_int_equal(w.c->ops->pkreset.insert(w.c, w.staff[1], w.staff[0],
						  "Two", 150, 300, &b),
			 0);
	assert_int_equal(w.c->ops->pkreset.list(w.c, "pending", &l), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].id, b);
	assert_int_equal(l.v[1].id, a);
	pkreset_list_clear(&l);
	assert_null(l.v);
	assert_int_equal(w.c->ops->pkreset.expire(w.c, 199, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(w.c->ops->pkreset.expire(w.c, 200, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(w.c->ops->pkreset.get(w.c, a, &r), 0);
	assert_string_equal(r.state, "expired");
	assert_int_equal(r.decided_at, 200);
	assert_int_equal(r.decided_by, 0);
	assert_int_equal(w.c->ops->pkreset.list(w.c, "pending", &l), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].id, b);
	pkreset_list_clear(&l);
	assert_int_equal(w.c->ops->pkreset.list(w.c, NULL, &l), 0);
	assert_int_equal(l.n, 2);
	pkreset_list_clear(&l);
	/* An expired request cannot be decided. */
	assert_int_equal(w.c->ops->pkreset.decide(w.c, a, "approved",
						  w.staff[1], NULL, 0, 210),
			 -GH_CONFLICT);
	world_close(&w);
}

/* The factor method "passkey": stored, listed to its customer as an
 * approval request, counted among the hour's approval requests. */
static void
test_passkey_factor(void **state)
{
	struct world w;
	struct verification_new vn;
	struct verification_factor f;
	struct verification_list l = {NULL, 0};
	struct verification_recent rec;
	struct verification_rec v;
	int64_t id = 0;

	(void)state;
	world_open(&w);
	vn = (struct verification_new){w.staff[2], "sesshash", 1, w.cust, 0, 1,
				       100, 1000};
	assert_int_equal(w.c->ops->verification_insert(w.c, &vn, &id), 0);
	memset(&f, 0, sizeof(f));
	f.verification_id = id;
	snprintf(f.method, sizeof(f.method), "passkey");
	snprintf(f.state, sizeof(f.state), "pending");
	f.number = 47;
	snprintf(f.choices, sizeof(f.choices), "12,47,83");
	f.updated_at = 100;
	assert_int_equal(w.c->ops->verification_factor_put(w.c, &f), 0);
	assert_int_equal(w.c->ops->verification_get(w.c, id, &v), 0);
	assert_int_equal(v.n_factors, 1);
	assert_string_equal(v.f[0].method, "passkey");
	assert_int_equal(w.c->ops->portal_verification_list(w.c, w.cust, 200,
							    10, &l),
			 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].f[0].method, "passkey");
	assert_string_equal(l.v[0].f[0].choices, "12,47,83");
	verification_list_clear(&l);
	assert_int_equal(w.c->ops->verification_recent(w.c, w.staff[2],
						       w.cust, 50, &rec),
			 0);
	assert_int_equal(rec.approvals, 1);
	/* Every method of the schema fits one verification. */
	for (const char *m = "totp"; m != NULL;) {
		snprintf(f.method, sizeof(f.method), "%s", m);
		assert_int_equal(w.c->ops->verification_factor_put(w.c, &f), 0);
		m = strcmp(m, "totp") == 0	  ? "email_otp"
		    : strcmp(m, "email_otp") == 0 ? "sms_otp"
		    : strcmp(m, "sms_otp") == 0	  ? "portal_approval"
						  : NULL;
	}
	assert_int_equal(w.c->ops->verification_get(w.c, id, &v), 0);
	assert_int_equal(v.n_factors, 5);
	world_close(&w);
}

/* The staff list counts each member's passkeys. */
static void
test_staff_list_passkeys(void **state)
{
	struct world w;
	struct staff_info_list l = {NULL, 0, 0};
	char sql[400];

	(void)state;
	world_open(&w);
	for (int i = 0; i < 2; i++) {
		snprintf(sql, sizeof(sql),
			 "INSERT INTO passkeys (realm, principal_id, cred_id, "
			 "public_key, alg, name, fmt, att_type, aaguid, uv, "
			 "backup_eligible, backup_state, created_at) VALUES "
			 "('staff', %lld, %s, %s, -7, 'k', 'none', 'none', "
			 "'00', 1, 0, 0, 1)",
			 (long long)w.staff[2],
			 sc_pg ? (i ? "'\\x02'" : "'\\x01'")
			       : (i ? "x'02'" : "x'01'"),
			 sc_pg ? "'\\x01'" : "x'01'");
		sc_raw(sql);
	}
	assert_int_equal(w.c->ops->super.staff_list(w.c, 0, &l), 0);
	assert_int_equal(l.n, 3);
	for (size_t i = 0; i < l.n; i++)
		assert_int_equal(l.v[i].passkeys,
				 l.v[i].id == w.staff[2] ? 2 : 0);
	staff_info_list_clear(&l);
	world_close(&w);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reset_lifecycle),
		cmocka_unit_test(test_reset_expire_and_list),
		cmocka_unit_test(test_passkey_factor),
		cmocka_unit_test(test_staff_list_passkeys),
	};

	return sc_main(argc, argv, "store_pkreset", tests,
		       sizeof(tests) / sizeof(tests[0]));
}
