/*
 * Store conformance of the "desk" families (issue 16, round 2) on both
 * backends (tests/unit/store_conf.h): account hygiene (store/sql/hygiene.c,
 * one for both), quotas, ... The same tests run on SQLite (suite
 * unit) and PostgreSQL (suite store_pg).
 */
#include <sqlite3.h>

#include "store_conf.h"

/* Runs sql (constant text, the same on both backends) on the store of the
 * last sc_open, beside the store's own connections: for rows whose
 * operations belong to another group (tickets, messages, ...). */
static void
raw(const char *sql)
{
	if (sc_pg) {
		PGconn *db = PQconnectdb(sc_last);
		PGresult *r = PQexec(db, sql);

		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			print_error("raw: %s", PQerrorMessage(db));
		assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
		PQclear(r);
		PQfinish(db);
	} else {
		sqlite3 *db = NULL;

		assert_int_equal(sqlite3_open(sc_last + strlen("sqlite:"), &db),
				 SQLITE_OK);
		sqlite3_busy_timeout(db, 5000);
		if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
			print_error("raw: %s", sqlite3_errmsg(db));
		assert_int_equal(sqlite3_errcode(db), SQLITE_OK);
		sqlite3_close(db);
	}
}

/* A staff member named by email; its id. */
static int64_t
staff(struct store_conn *c, const char *email)
{
	unsigned char seed[4] = {1, 2, 3, 4};
	struct staff_new n = {email, "Desk", "agent", "h",
			      {seed, sizeof(seed)}};
	int64_t id = 0;

	assert_int_equal(c->ops->staff_insert(c, &n, &id), 0);
	assert_true(id > 0);
	return id;
}

static void
session(struct store_conn *c, const char *hash, enum realm r, int64_t who,
	int64_t created)
{
	struct session_rec s;

	memset(&s, 0, sizeof(s));
	snprintf(s.token_hash, sizeof(s.token_hash), "%s", hash);
	s.realm = r;
	s.principal_id = who;
	s.created_at = created;
	s.last_seen = created + 1;
	s.idle_secs = 900;
	s.abs_expires = created + 3600;
	s.mfa = 1;
	snprintf(s.ip, sizeof(s.ip), "192.0.2.7");
	assert_int_equal(c->ops->session_insert(c, &s), 0);
}

/* --- hygiene ------------------------------------------------------------ */

static void
test_hyg_sessions(void **state)
{
	struct store *s = sc_open();
	struct store_conn *c = store_acquire(s);
	struct session_info_list l;
	char hash[65];
	int64_t a, b, n = -1;

	(void)state;
	a = staff(c, "a@example.com");
	b = staff(c, "b@example.com");
	session(c, "h1", REALM_STAFF, a, 100);
	session(c, "h2", REALM_STAFF, a, 300);
	session(c, "h3", REALM_STAFF, a, 200);
	session(c, "h4", REALM_STAFF, b, 400);
	session(c, "h5", REALM_CUSTOMER, a, 500); /* another realm, same id */
	assert_int_equal(c->ops->hygiene.session_list(c, REALM_STAFF, a, "h3",
						      &l), 0);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.v[0].created_at, 300);
	assert_int_equal(l.v[1].created_at, 200);
	assert_int_equal(l.v[2].created_at, 100);
	assert_int_equal(l.v[0].current, 0);
	assert_int_equal(l.v[1].current, 1);
	assert_int_equal(l.v[1].last_seen, 201);
	assert_int_equal(l.v[1].idle_secs, 900);
	assert_int_equal(l.v[1].abs_expires, 3800);
	assert_int_equal(l.v[1].mfa, 1);
	assert_string_equal(l.v[1].ip, "192.0.2.7");
	assert_true(l.v[1].id >= 1000000000000000LL);
	/* the public id names the session; another principal's is unknown */
	assert_int_equal(c->ops->hygiene.session_hash_of(c, REALM_STAFF, a,
							 l.v[0].id, hash), 0);
	assert_string_equal(hash, "h2");
	assert_int_equal(c->ops->hygiene.session_hash_of(c, REALM_STAFF, b,
							 l.v[0].id, hash),
			 -GH_NOT_FOUND);
	assert_int_equal(c->ops->hygiene.session_hash_of(c, REALM_CUSTOMER, a,
							 l.v[0].id, hash),
			 -GH_NOT_FOUND);
	session_info_list_clear(&l);
	/* NULL current: none is current */
	assert_int_equal(c->ops->hygiene.session_list(c, REALM_STAFF, a, NULL,
						      &l), 0);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.v[0].current + l.v[1].current + l.v[2].current, 0);
	session_info_list_clear(&l);
	/* delete the others, keep h3 */
	assert_int_equal(c->ops->hygiene.session_delete_others(c, REALM_STAFF,
							       a, "h3", &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(c->ops->hygiene.session_list(c, REALM_STAFF, a, "h3",
						      &l), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].current, 1);
	session_info_list_clear(&l);
	/* b's and the customer's are untouched; NULL keeps none */
	assert_int_equal(c->ops->hygiene.session_delete_others(c, REALM_STAFF,
							       b, NULL, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(c->ops->hygiene.session_delete_others(c, REALM_STAFF,
							       b, NULL, NULL), 0);
	assert_int_equal(c->ops->hygiene.session_list(c, REALM_CUSTOMER, a,
						      NULL, &l), 0);
	assert_int_equal(l.n, 1);
	session_info_list_clear(&l);
	assert_int_equal(c->ops->hygiene.session_list(c, REALM_STAFF, 9999,
						      NULL, &l), 0);
	assert_int_equal(l.n, 0);
	session_info_list_clear(&l);
	store_release(s, c);
	store_close(s);
}

static void
login(struct store_conn *c, enum realm r, int64_t who, int64_t at,
      const char *net, int ok, int64_t keep)
{
	struct login_new l = {r, who, at, "192.0.2.9", net, "password", ok};

	assert_int_equal(c->ops->hygiene.login_insert(c, &l, keep), 0);
}

static void
test_hyg_logins(void **state)
{
	struct store *s = sc_open();
	struct store_conn *c = store_acquire(s);
	struct login_list l;
	int64_t seen = -1, earlier = -1, i;

	(void)state;
	for (i = 1; i <= 7; i++)
		login(c, REALM_STAFF, 5, 1000 + i,
		      i % 2 ? "192.0.2.0/24" : "198.51.100.0/24", i != 4, 5);
	login(c, REALM_CUSTOMER, 5, 2000, "203.0.113.0/24", 1, 5);
	/* bounded to the newest 5 per principal */
	assert_int_equal(c->ops->hygiene.login_list(c, REALM_STAFF, 5, 100,
						    &l), 0);
	assert_int_equal(l.n, 5);
	assert_int_equal(l.v[0].at, 1007);
	assert_int_equal(l.v[4].at, 1003);
	assert_int_equal(l.v[3].ok, 0); /* 1004 failed */
	assert_int_equal(l.v[0].ok, 1);
	assert_string_equal(l.v[0].network, "192.0.2.0/24");
	assert_string_equal(l.v[0].method, "password");
	assert_string_equal(l.v[0].ip, "192.0.2.9");
	login_list_clear(&l);
	assert_int_equal(c->ops->hygiene.login_list(c, REALM_STAFF, 5, 2, &l),
			 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[1].at, 1006);
	login_list_clear(&l);
	assert_int_equal(c->ops->hygiene.login_list(c, REALM_CUSTOMER, 5, 10,
						    &l), 0);
	assert_int_equal(l.n, 1);
	login_list_clear(&l);
	/* ok rows among 1003..1007: 1003, 1005, 1006, 1007 */
	assert_int_equal(c->ops->hygiene.login_network_seen(
				 c, REALM_STAFF, 5, "192.0.2.0/24", &seen,
				 &earlier), 0);
	assert_int_equal(seen, 3);
	assert_int_equal(earlier, 4);
	assert_int_equal(c->ops->hygiene.login_network_seen(
				 c, REALM_STAFF, 5, "10.0.0.0/8", &seen,
				 &earlier), 0);
	assert_int_equal(seen, 0);
	assert_int_equal(earlier, 4);
	assert_int_equal(c->ops->hygiene.login_network_seen(
				 c, REALM_STAFF, 6, "10.0.0.0/8", &seen,
				 &earlier), 0);
	assert_int_equal(seen, 0);
	assert_int_equal(earlier, 0);
	store_release(s, c);
	store_close(s);
}

static void
test_hyg_staff_pw(void **state)
{
	struct store *s = sc_open();
	struct store_conn *c = store_acquire(s);
	struct staff_pw_state p;
	int64_t a;

	(void)state;
	a = staff(c, "pw@example.com");
	assert_int_equal(c->ops->hygiene.staff_pw_get(c, a, &p), 0);
	assert_true(p.changed_at > 1600000000); /* its creation time */
	assert_int_equal(p.must_change, 0);
	assert_string_equal(p.reason, "");
	assert_string_equal(p.forced_by, "");
	assert_int_equal(p.disabled, 0);
	assert_int_equal(c->ops->hygiene.staff_pw_force(c, a, "leaked",
							"staff:1"), 0);
	assert_int_equal(c->ops->hygiene.staff_pw_get(c, a, &p), 0);
	assert_int_equal(p.must_change, 1);
	assert_string_equal(p.reason, "leaked");
	assert_string_equal(p.forced_by, "staff:1");
	assert_int_equal(c->ops->account_set_disabled(c, REALM_STAFF, a, 1), 0);
	assert_int_equal(c->ops->hygiene.staff_pw_set(c, a, "h2", 4102444800LL),
			 0);
	assert_int_equal(c->ops->hygiene.staff_pw_get(c, a, &p), 0);
	assert_int_equal(p.changed_at, 4102444800LL); /* after 2038 */
	assert_int_equal(p.must_change, 0);
	assert_string_equal(p.reason, "");
	assert_string_equal(p.forced_by, "");
	assert_int_equal(p.disabled, 1);
	assert_int_equal(c->ops->hygiene.staff_pw_get(c, a + 100, &p),
			 -GH_NOT_FOUND);
	assert_int_equal(c->ops->hygiene.staff_pw_set(c, a + 100, "h", 1),
			 -GH_NOT_FOUND);
	assert_int_equal(c->ops->hygiene.staff_pw_force(c, a + 100, "r", "cli"),
			 -GH_NOT_FOUND);
	store_release(s, c);
	store_close(s);
}

/* --- quota -------------------------------------------------------------- */

struct walked {
	int64_t at[16], amount[16];
	int n, stop_at;
};

static int
walk_fn(void *ctx, int64_t at, int64_t amount)
{
	struct walked *w = ctx;

	w->at[w->n] = at;
	w->amount[w->n] = amount;
	w->n++;
	return w->n == w->stop_at ? 1 : 0;
}

static void
test_quota_events(void **state)
{
	struct store *s = sc_open();
	struct store_conn *c = store_acquire(s);
	struct quota_scope q = {QSRC_EVENTS, 0, "ip:192.0.2.1", "upload"};
	struct quota_sum sum;
	struct walked w;

	(void)state;
	assert_int_equal(c->ops->quota.sum(c, &q, 0, &sum), 0);
	assert_int_equal(sum.n, 0);
	assert_int_equal(sum.total, 0);
	assert_int_equal(c->ops->quota.event_add(c, "ip:192.0.2.1", "upload",
						 300, 7), 0);
	assert_int_equal(c->ops->quota.event_add(c, "ip:192.0.2.1", "upload",
						 100, 5000000000LL), 0);
	assert_int_equal(c->ops->quota.event_add(c, "ip:192.0.2.1", "upload",
						 200, 3), 0);
	assert_int_equal(c->ops->quota.event_add(c, "ip:192.0.2.1", "login",
						 250, 1), 0);
	assert_int_equal(c->ops->quota.event_add(c, "ip:192.0.2.2", "upload",
						 250, 1), 0);
	assert_int_equal(c->ops->quota.sum(c, &q, 0, &sum), 0);
	assert_int_equal(sum.n, 3);
	assert_int_equal(sum.total, 5000000010LL);
	assert_int_equal(c->ops->quota.sum(c, &q, 100, &sum), 0); /* > since */
	assert_int_equal(sum.n, 2);
	assert_int_equal(sum.total, 10);
	memset(&w, 0, sizeof(w));
	assert_int_equal(c->ops->quota.walk(c, &q, 0, walk_fn, &w), 0);
	assert_int_equal(w.n, 3);
	assert_int_equal(w.at[0], 100);
	assert_int_equal(w.amount[0], 5000000000LL);
	assert_int_equal(w.at[1], 200);
	assert_int_equal(w.at[2], 300);
	memset(&w, 0, sizeof(w));
	w.stop_at = 1;
	assert_int_equal(c->ops->quota.walk(c, &q, 150, walk_fn, &w), 0);
	assert_int_equal(w.n, 1);
	assert_int_equal(w.at[0], 200);
	/* prune: events at or before */
	assert_int_equal(c->ops->quota.prune(c, 200, 0), 0);
	assert_int_equal(c->ops->quota.sum(c, &q, 0, &sum), 0);
	assert_int_equal(sum.n, 1);
	assert_int_equal(sum.total, 7);
	store_release(s, c);
	store_close(s);
}

static void
test_quota_hits(void **state)
{
	struct store *s = sc_open();
	struct store_conn *c = store_acquire(s);
	struct quota_hit_list l;
	int64_t n = 0;

	(void)state;
	assert_int_equal(c->ops->quota.hit(c, "customer:9", "tickets", 100,
					   200, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(c->ops->quota.hit(c, "customer:9", "tickets", 100,
					   200, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(c->ops->quota.hit(c, "customer:9", "tickets", 200,
					   300, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(c->ops->quota.hit(c, "customer:9", "messages", 100,
					   150, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(c->ops->quota.hit(c, "staff:3", "tickets", 100, 200,
					   &n), 0);
	assert_int_equal(n, 1);
	/* closed at 200: windows ending at or before, oldest first, id ties */
	assert_int_equal(c->ops->quota.closed(c, 200, 10, &l), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0].limit, "messages");
	assert_int_equal(l.v[0].window_end, 150);
	assert_string_equal(l.v[1].subject, "customer:9");
	assert_string_equal(l.v[1].limit, "tickets");
	assert_int_equal(l.v[1].count, 2);
	assert_int_equal(l.v[1].window_start, 100);
	assert_string_equal(l.v[2].subject, "staff:3");
	assert_true(l.v[1].id < l.v[2].id);
	quota_hit_list_clear(&l);
	assert_int_equal(c->ops->quota.closed(c, 200, 1, &l), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(c->ops->quota.summarised(c, l.v[0].id), 0);
	assert_int_equal(c->ops->quota.summarised(c, l.v[0].id + 1000),
			 -GH_NOT_FOUND);
	quota_hit_list_clear(&l);
	assert_int_equal(c->ops->quota.closed(c, 200, (size_t)-1, &l), 0);
	assert_int_equal(l.n, 2);
	quota_hit_list_clear(&l);
	assert_int_equal(c->ops->quota.closed(c, 99, 10, &l), 0);
	assert_int_equal(l.n, 0);
	quota_hit_list_clear(&l);
	/* prune forgets summarised hits only */
	assert_int_equal(c->ops->quota.prune(c, 0, 1000), 0);
	assert_int_equal(c->ops->quota.closed(c, 1000, 10, &l), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0].limit, "tickets");
	assert_int_equal(l.v[2].window_end, 300);
	quota_hit_list_clear(&l);
	/* a window after prune starts again at 1 */
	assert_int_equal(c->ops->quota.hit(c, "customer:9", "messages", 100,
					   150, &n), 0);
	assert_int_equal(n, 1);
	store_release(s, c);
	store_close(s);
}

static void
test_quota_rows(void **state)
{
	struct store *s = sc_open();
	struct store_conn *c = store_acquire(s);
	struct quota_scope q = {QSRC_CUSTOMER_TICKETS, 0, NULL, NULL};
	struct quota_sum sum;
	struct walked w;
	struct customer_new cn;
	int64_t cust = 0, st;

	(void)state;
	memset(&cn, 0, sizeof(cn));
	cn.email_idx = "idx1";
	cn.email.data = (unsigned char *)"sealed";
	cn.email.len = 6;
	cn.totp_seed = cn.email;
	cn.name = "Cust";
	cn.pw_hash = "h";
	assert_int_equal(c->ops->customer_insert(c, &cn, &cust), 0);
	assert_int_equal(cust, 1);
	st = staff(c, "q@example.com");
	assert_int_equal(st, 1);
	q.id = cust;
	raw("INSERT INTO tickets (id, customer_id, subject, created_at, "
	    "updated_at) VALUES (1, 1, 's', 100, 100), "
	    "(2, 1, 's', 300, 300), (3, 1, 's', 200, 200)");
	raw("INSERT INTO messages (ticket_id, author_realm, author_id, body, "
	    "created_at) VALUES (1, 'customer', 1, 'héllo', 100), "
	    "(2, 'customer', 1, 'abc', 300), (1, 'staff', 1, 'x', 150), "
	    "(1, 'staff', 2, 'y', 150), (1, 'customer', 2, 'zz', 150)");
	raw("INSERT INTO notes (ticket_id, staff_id, body, created_at) "
	    "VALUES (1, 1, 'n', 120), (2, 1, 'n', 400)");
	raw("INSERT INTO attachments (ticket_id, uploader_realm, uploader_id, "
	    "filename, size, sha256, sniffed_type, verdict, quarantined, "
	    "content, created_at) VALUES "
	    "(1, 'customer', 1, 'a', 1000, 'h', 't', 'clean', 0, 'x', 110), "
	    "(2, 'customer', 1, 'b', 3000000000, 'h', 't', 'clean', 0, 'x', "
	    "310), (2, 'staff', 1, 'c', 5, 'h', 't', 'clean', 0, 'x', 310)");
	assert_int_equal(c->ops->quota.sum(c, &q, 0, &sum), 0);
	assert_int_equal(sum.n, 3);
	assert_int_equal(sum.total, 3);
	assert_int_equal(c->ops->quota.sum(c, &q, 150, &sum), 0);
	assert_int_equal(sum.n, 2);
	memset(&w, 0, sizeof(w));
	assert_int_equal(c->ops->quota.walk(c, &q, 0, walk_fn, &w), 0);
	assert_int_equal(w.n, 3);
	assert_int_equal(w.at[0], 100);
	assert_int_equal(w.at[1], 200);
	assert_int_equal(w.at[2], 300);
	assert_int_equal(w.amount[2], 1);
	q.src = QSRC_CUSTOMER_MESSAGES;
	assert_int_equal(c->ops->quota.sum(c, &q, 0, &sum), 0);
	assert_int_equal(sum.n, 2);
	memset(&w, 0, sizeof(w));
	assert_int_equal(c->ops->quota.walk(c, &q, 100, walk_fn, &w), 0);
	assert_int_equal(w.n, 1);
	assert_int_equal(w.at[0], 300);
	q.src = QSRC_CUSTOMER_ATTACH;
	assert_int_equal(c->ops->quota.sum(c, &q, 0, &sum), 0);
	assert_int_equal(sum.n, 2);
	assert_int_equal(sum.total, 3000001000LL);
	memset(&w, 0, sizeof(w));
	assert_int_equal(c->ops->quota.walk(c, &q, 0, walk_fn, &w), 0);
	assert_int_equal(w.n, 2);
	assert_int_equal(w.amount[0], 1000);
	assert_int_equal(w.amount[1], 3000000000LL);
	q.src = QSRC_CUSTOMER_STORED; /* bytes as stored: é is 2 */
	assert_int_equal(c->ops->quota.sum(c, &q, 0, &sum), 0);
	assert_int_equal(sum.n, 4);
	assert_int_equal(sum.total, 6 + 3 + 3000001000LL);
	assert_int_equal(c->ops->quota.walk(c, &q, 0, walk_fn, &w),
			 -GH_INTERNAL);
	q.src = QSRC_STAFF_MESSAGES;
	q.id = st;
	assert_int_equal(c->ops->quota.sum(c, &q, 0, &sum), 0);
	assert_int_equal(sum.n, 3);
	assert_int_equal(sum.total, 3);
	memset(&w, 0, sizeof(w));
	assert_int_equal(c->ops->quota.walk(c, &q, 0, walk_fn, &w), 0);
	assert_int_equal(w.n, 3);
	assert_int_equal(w.at[0], 120);
	assert_int_equal(w.at[1], 150);
	assert_int_equal(w.at[2], 400);
	q.id = 77;
	assert_int_equal(c->ops->quota.sum(c, &q, 0, &sum), 0);
	assert_int_equal(sum.n, 0);
	store_release(s, c);
	store_close(s);
}

/* --- training ----------------------------------------------------------- */

static void
module(struct store_conn *c, const char *id, int64_t pos, int required,
       const char *title, int want)
{
	struct training_module m;

	memset(&m, 0, sizeof(m));
	snprintf(m.id, sizeof(m.id), "%s", id);
	snprintf(m.title, sizeof(m.title), "%s", title);
	m.pass_mark = 80;
	m.validity_months = 12;
	m.required = required;
	m.position = pos;
	m.markdown = "# md";
	m.html = "<h1>md</h1>";
	m.quiz = "{\"q\": []}";
	snprintf(m.updated_by, sizeof(m.updated_by), "cli:alice");
	m.updated_at = 4102444800LL;
	assert_int_equal(c->ops->training.module_put(c, &m), want);
}

static void
test_training_modules(void **state)
{
	struct store *s = sc_open();
	struct store_conn *c = store_acquire(s);
	struct training_module m;
	struct training_module_list l;

	(void)state;
	module(c, "phishing", 2, 1, "Phishing", 0);
	module(c, "b-module", 1, 0, "B", 0);
	module(c, "a-module", 2, 0, "A", 0);
	module(c, "Bad", 1, 0, "x", -GH_EXISTS);   /* the id's check */
	module(c, "-bad", 1, 0, "x", -GH_EXISTS);
	assert_int_equal(c->ops->training.module_get(c, "phishing", &m), 0);
	assert_string_equal(m.title, "Phishing");
	assert_int_equal(m.pass_mark, 80);
	assert_int_equal(m.validity_months, 12);
	assert_int_equal(m.required, 1);
	assert_int_equal(m.position, 2);
	assert_string_equal(m.markdown, "# md");
	assert_string_equal(m.html, "<h1>md</h1>");
	assert_string_equal(m.quiz, "{\"q\": []}");
	assert_string_equal(m.updated_by, "cli:alice");
	assert_int_equal(m.updated_at, 4102444800LL);
	training_module_clear(&m);
	/* put replaces every field */
	module(c, "phishing", 0, 0, "Phishing 2", 0);
	assert_int_equal(c->ops->training.module_get(c, "phishing", &m), 0);
	assert_string_equal(m.title, "Phishing 2");
	assert_int_equal(m.required, 0);
	assert_int_equal(m.position, 0);
	training_module_clear(&m);
	assert_int_equal(c->ops->training.module_get(c, "nope", &m),
			 -GH_NOT_FOUND);
	training_module_clear(&m);
	assert_int_equal(c->ops->training.module_list(c, &l), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0].id, "phishing");
	assert_string_equal(l.v[1].id, "b-module");
	assert_string_equal(l.v[2].id, "a-module"); /* position 2 */
	assert_null(l.v[0].markdown);
	assert_string_equal(l.v[2].title, "A");
	training_module_list_clear(&l);
	store_release(s, c);
	store_close(s);
}

static void
test_training_progress(void **state)
{
	struct store *s = sc_open();
	struct store_conn *c = store_acquire(s);
	struct training_completion_new k = {0, "phishing", 500, 1000, "quiz",
					    "staff:1"};
	struct training_state_list l;
	int64_t a, b, d, id = 0, id2 = 0, n = -1;

	(void)state;
	a = staff(c, "a@example.com");
	b = staff(c, "b@example.com");
	d = staff(c, "d@example.com");
	assert_int_equal(c->ops->account_set_disabled(c, REALM_STAFF, d, 1), 0);
	module(c, "phishing", 2, 1, "Phishing", 0);
	module(c, "privacy", 1, 0, "Privacy", 0);
	/* attempts */
	assert_int_equal(c->ops->training.attempt_insert(c, a, "phishing", 50,
							 0, 100, &id), 0);
	assert_int_equal(c->ops->training.attempt_insert(c, a, "phishing", 90,
							 1, 200, &id2), 0);
	assert_true(id2 > id);
	assert_int_equal(c->ops->training.attempt_insert(c, b, "phishing", 90,
							 1, 200, NULL), 0);
	assert_int_equal(c->ops->training.attempt_insert(c, a, "nope", 90, 1,
							 200, NULL), -GH_EXISTS);
	assert_int_equal(c->ops->training.attempt_count(c, a, "phishing", 0,
							&n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(c->ops->training.attempt_count(c, a, "phishing", 100,
							&n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(c->ops->training.attempt_count(c, a, "privacy", 0,
							&n), 0);
	assert_int_equal(n, 0);
	/* assignments: one open per (staff, module) */
	assert_int_equal(c->ops->training.assignment_open(c, a, "phishing",
							  "incident", 400), 0);
	assert_int_equal(c->ops->training.assignment_open(c, a, "phishing",
							  "manual", 450),
			 -GH_EXISTS);
	assert_int_equal(c->ops->training.assignment_open(c, b, "phishing",
							  "new-hire", 600), 0);
	/* a completion clears an assignment made at or before it */
	k.staff_id = a;
	id = 0;
	assert_int_equal(c->ops->training.completion_insert(c, &k, &id), 0);
	assert_true(id > 0);
	k.staff_id = b;
	assert_int_equal(c->ops->training.completion_insert(c, &k, NULL), 0);
	k.staff_id = a;
	k.completed_at = 300;
	k.expires_at = 2000;
	k.source = "external";
	assert_int_equal(c->ops->training.completion_insert(c, &k, NULL), 0);
	k.source = "other";
	assert_int_equal(c->ops->training.completion_insert(c, &k, NULL),
			 -GH_EXISTS);
	assert_int_equal(c->ops->training.assignment_open(c, a, "phishing",
							  "manual", 700), 0);
	assert_int_equal(c->ops->training.states(c, 0, &l), 0);
	assert_int_equal(l.n, 4); /* 2 staff not disabled x 2 modules */
	assert_int_equal(l.v[0].staff_id, a);
	assert_string_equal(l.v[0].module_id, "privacy");
	assert_int_equal(l.v[0].completed_at, 0);
	assert_int_equal(l.v[0].assigned_at, 0);
	assert_string_equal(l.v[0].reason, "");
	assert_string_equal(l.v[1].module_id, "phishing");
	assert_string_equal(l.v[1].title, "Phishing");
	assert_int_equal(l.v[1].required, 1);
	assert_string_equal(l.v[1].staff_name, "Desk");
	assert_string_equal(l.v[1].role, "agent");
	assert_int_equal(l.v[1].completed_at, 300); /* latest expiring */
	assert_int_equal(l.v[1].expires_at, 2000);
	assert_int_equal(l.v[1].assigned_at, 700);
	assert_string_equal(l.v[1].reason, "manual");
	assert_int_equal(l.v[3].staff_id, b);
	assert_int_equal(l.v[3].completed_at, 500);
	assert_int_equal(l.v[3].expires_at, 1000);
	assert_int_equal(l.v[3].assigned_at, 600); /* after the completion */
	assert_string_equal(l.v[3].reason, "new-hire");
	training_state_list_clear(&l);
	assert_int_equal(c->ops->training.states(c, b, &l), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].staff_id, b);
	training_state_list_clear(&l);
	assert_int_equal(c->ops->training.states(c, d, &l), 0);
	assert_int_equal(l.n, 0);
	training_state_list_clear(&l);
	store_release(s, c);
	store_close(s);
}

/* --- macros ------------------------------------------------------------- */

static int64_t
macro(struct store_conn *c, int64_t owner, int64_t queue, const char *name,
      int64_t by, int want)
{
	struct macro_rec m;
	int64_t id = 0;

	memset(&m, 0, sizeof(m));
	m.owner_id = owner;
	m.queue_id = queue;
	snprintf(m.name, sizeof(m.name), "%s", name);
	m.body = "Hello {{customer}}";
	snprintf(m.status, sizeof(m.status), "pending");
	snprintf(m.tags_add, sizeof(m.tags_add), "a b");
	m.created_by = by;
	m.updated_at = 1000;
	assert_int_equal(c->ops->macros->insert(c, &m, &id), want);
	return id;
}

static void
test_macros(void **state)
{
	struct store *s = sc_open();
	struct store_conn *c = store_acquire(s);
	struct macro_rec m;
	struct macro_list l;
	int64_t a, b, pa, pz, g, bill, n = -1;

	(void)state;
	a = staff(c, "a@example.com"); /* member of queue 1 (general) */
	b = staff(c, "b@example.com");
	raw("INSERT INTO queues (id, name) VALUES (5, 'billing')");
	pz = macro(c, a, 0, "zeta", a, 0);
	pa = macro(c, a, 0, "Alpha", a, 0);
	macro(c, b, 0, "alpha", b, 0);
	g = macro(c, 0, 1, "General", b, 0);
	bill = macro(c, 0, 5, "Bill", b, 0);
	assert_true(pz > 0 && pa > pz && bill > g);
	/* a name is unique in its scope only */
	macro(c, a, 0, "zeta", a, -GH_EXISTS);
	macro(c, 0, 1, "General", a, -GH_EXISTS);
	macro(c, 0, 5, "General", a, 0);
	macro(c, a, 0, "General", a, 0);
	macro(c, a, 1, "both", a, -GH_EXISTS); /* exactly one scope */
	assert_int_equal(c->ops->macros->get(c, g, &m), 0);
	assert_int_equal(m.id, g);
	assert_int_equal(m.owner_id, 0);
	assert_int_equal(m.queue_id, 1);
	assert_string_equal(m.queue_name, "general");
	assert_string_equal(m.name, "General");
	assert_string_equal(m.body, "Hello {{customer}}");
	assert_string_equal(m.status, "pending");
	assert_string_equal(m.priority, "");
	assert_string_equal(m.tags_add, "a b");
	assert_string_equal(m.tags_remove, "");
	assert_int_equal(m.created_by, b);
	assert_int_equal(m.created_at, 1000);
	assert_int_equal(m.updated_at, 1000);
	macro_rec_clear(&m);
	assert_int_equal(c->ops->macros->get(c, pa, &m), 0);
	assert_int_equal(m.owner_id, a);
	assert_int_equal(m.queue_id, 0);
	assert_string_equal(m.queue_name, "");
	macro_rec_clear(&m);
	assert_int_equal(c->ops->macros->get(c, 9999, &m), -GH_NOT_FOUND);
	macro_rec_clear(&m);
	/* list: personal first, by name (bytewise), then id */
	assert_int_equal(c->ops->macros->list(c, a, 0, 0, &l), 0);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.v[0].name, "Alpha");
	assert_string_equal(l.v[1].name, "General");
	assert_int_equal(l.v[1].owner_id, a);
	assert_string_equal(l.v[2].name, "zeta");
	assert_int_equal(l.v[3].id, g);
	macro_list_clear(&l);
	assert_int_equal(c->ops->macros->list(c, a, 1, 0, &l), 0);
	assert_int_equal(l.n, 6);
	assert_string_equal(l.v[3].name, "Bill");
	assert_string_equal(l.v[4].name, "General");
	assert_string_equal(l.v[5].name, "General");
	assert_true(l.v[4].id < l.v[5].id);
	assert_int_equal(l.v[4].queue_id, 1);
	assert_string_equal(l.v[5].queue_name, "billing");
	macro_list_clear(&l);
	assert_int_equal(c->ops->macros->list(c, a, 1, 5, &l), 0);
	assert_int_equal(l.n, 5);
	assert_int_equal(l.v[3].queue_id, 5);
	assert_int_equal(l.v[4].queue_id, 5);
	macro_list_clear(&l);
	assert_int_equal(c->ops->macros->list(c, a, 0, 5, &l), 0);
	assert_int_equal(l.n, 3); /* not a member of billing */
	macro_list_clear(&l);
	raw("INSERT INTO staff_queues (staff_id, queue_id) VALUES (1, 5)");
	assert_int_equal(c->ops->macros->list(c, a, 0, 5, &l), 0);
	assert_int_equal(l.n, 5);
	macro_list_clear(&l);
	/* update */
	memset(&m, 0, sizeof(m));
	m.id = pa;
	snprintf(m.name, sizeof(m.name), "Beta");
	m.body = "new";
	snprintf(m.priority, sizeof(m.priority), "urgent");
	snprintf(m.tags_remove, sizeof(m.tags_remove), "x");
	m.updated_at = 4102444800LL;
	assert_int_equal(c->ops->macros->update(c, &m), 0);
	snprintf(m.name, sizeof(m.name), "zeta");
	assert_int_equal(c->ops->macros->update(c, &m), -GH_EXISTS);
	m.id = 9999;
	assert_int_equal(c->ops->macros->update(c, &m), -GH_NOT_FOUND);
	assert_int_equal(c->ops->macros->get(c, pa, &m), 0);
	assert_string_equal(m.name, "Beta");
	assert_string_equal(m.body, "new");
	assert_string_equal(m.status, "");
	assert_string_equal(m.priority, "urgent");
	assert_string_equal(m.tags_add, "");
	assert_string_equal(m.tags_remove, "x");
	assert_int_equal(m.created_at, 1000);
	assert_int_equal(m.updated_at, 4102444800LL);
	macro_rec_clear(&m);
	/* count and remove */
	assert_int_equal(c->ops->macros->count(c, a, 0, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(c->ops->macros->count(c, a, 5, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(c->ops->macros->count(c, 77, 0, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(c->ops->macros->remove(c, pa), 0);
	assert_int_equal(c->ops->macros->remove(c, pa), -GH_NOT_FOUND);
	assert_int_equal(c->ops->macros->count(c, a, 0, &n), 0);
	assert_int_equal(n, 2);
	store_release(s, c);
	store_close(s);
}

/* --- events ------------------------------------------------------------- */

/* A customer (id 1) and a staff member (id 1, "Desk"). */
static void
desk_people(struct store_conn *c)
{
	struct customer_new cn;
	int64_t cust = 0;

	memset(&cn, 0, sizeof(cn));
	cn.email_idx = "idx1";
	cn.email.data = (unsigned char *)"sealed";
	cn.email.len = 6;
	cn.totp_seed = cn.email;
	cn.name = "Cust";
	cn.pw_hash = "h";
	assert_int_equal(c->ops->customer_insert(c, &cn, &cust), 0);
	assert_int_equal(cust, 1);
	assert_int_equal(staff(c, "desk@example.com"), 1);
}

static int64_t
event(struct store_conn *c, const char *kind, int64_t ticket, int64_t msg,
      int64_t at, int want)
{
	struct event_new e = {kind, ticket, msg, 0, 0, REALM_STAFF, 1, at};
	int64_t id = -1;

	if (strcmp(kind, "message.customer") == 0)
		e.actor_realm = REALM_CUSTOMER;
	if (strcmp(kind, "ticket.queue") == 0)
		e.prev_queue_id = 7;
	assert_int_equal(c->ops->events->append(c, &e, &id), want);
	return id;
}

static void
test_events_stream(void **state)
{
	struct store *s = sc_open();
	struct store_conn *c = store_acquire(s);
	struct event_list l;
	int64_t e1, e2, e3, e4, last = -1;

	(void)state;
	desk_people(c);
	raw("INSERT INTO tickets (id, customer_id, subject, created_at, "
	    "updated_at, assignee_id) VALUES (1, 1, 's', 1, 1, 1), "
	    "(2, 1, 's', 1, 1, NULL)");
	assert_int_equal(c->ops->events->last_id(c, &last), 0);
	assert_int_equal(last, 0);
	event(c, "ticket.created", 99, 0, 10, -GH_NOT_FOUND);
	e1 = event(c, "ticket.created", 1, 0, 10, 0);
	e2 = event(c, "message.customer", 2, 4102444800LL, 20, 0);
	e3 = event(c, "typing", 1, 0, 30, 0);
	e4 = event(c, "ticket.queue", 2, 0, 40, 0);
	assert_true(e1 > 0 && e2 > e1 && e3 > e2 && e4 > e3);
	event(c, "bogus", 1, 0, 10, -GH_EXISTS);
	assert_int_equal(c->ops->events->last_id(c, &last), 0);
	assert_int_equal(last, e4);
	assert_int_equal(c->ops->events->since(c, 0, 100, &l), 0);
	assert_int_equal(l.n, 4);
	assert_int_equal(l.v[0].id, e1);
	assert_string_equal(l.v[0].kind, "ticket.created");
	assert_int_equal(l.v[0].ticket_id, 1);
	assert_int_equal(l.v[0].queue_id, 1);
	assert_int_equal(l.v[0].assignee_id, 1);
	assert_int_equal(l.v[0].customer_id, 1);
	assert_int_equal(l.v[0].message_id, 0);
	assert_int_equal(l.v[0].actor_realm, REALM_STAFF);
	assert_int_equal(l.v[0].actor_id, 1);
	assert_int_equal(l.v[0].at, 10);
	assert_string_equal(l.v[0].actor_name, "");
	assert_int_equal(l.v[1].assignee_id, 0);
	assert_int_equal(l.v[1].message_id, 4102444800LL);
	assert_int_equal(l.v[1].actor_realm, REALM_CUSTOMER);
	assert_string_equal(l.v[2].kind, "typing");
	assert_string_equal(l.v[2].actor_name, "Desk");
	assert_int_equal(l.v[3].prev_queue_id, 7);
	assert_int_equal(l.v[3].prev_assignee_id, 0);
	event_list_clear(&l);
	/* paging by id */
	assert_int_equal(c->ops->events->since(c, e1, 2, &l), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].id, e2);
	assert_int_equal(l.v[1].id, e3);
	event_list_clear(&l);
	assert_int_equal(c->ops->events->since(c, e3, (size_t)-1, &l), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].id, e4);
	event_list_clear(&l);
	assert_int_equal(c->ops->events->since(c, e4, 10, &l), 0);
	assert_int_equal(l.n, 0);
	event_list_clear(&l);
	/* typing */
	assert_int_equal(c->ops->events->typing_since(c, 1, 1, 29), 0);
	assert_int_equal(c->ops->events->typing_since(c, 1, 1, 30),
			 -GH_NOT_FOUND);
	assert_int_equal(c->ops->events->typing_since(c, 2, 1, 0),
			 -GH_NOT_FOUND);
	assert_int_equal(c->ops->events->typing_since(c, 1, 2, 0),
			 -GH_NOT_FOUND);
	/* prune: at or before 10, then all but the newest 2 */
	assert_int_equal(c->ops->events->prune(c, 10, 100), 0);
	assert_int_equal(c->ops->events->since(c, 0, 100, &l), 0);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.v[0].id, e2);
	event_list_clear(&l);
	assert_int_equal(c->ops->events->prune(c, 0, 2), 0);
	assert_int_equal(c->ops->events->since(c, 0, 100, &l), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].id, e3);
	event_list_clear(&l);
	assert_int_equal(c->ops->events->last_id(c, &last), 0);
	assert_int_equal(last, e4);
	store_release(s, c);
	store_close(s);
}

static void
test_events_unread(void **state)
{
	struct store *s = sc_open();
	struct store_conn *c = store_acquire(s);
	int64_t ids[8];
	size_t n = 99;

	(void)state;
	desk_people(c);
	assert_int_equal(staff(c, "other@example.com"), 2);
	raw("INSERT INTO tickets (id, customer_id, subject, created_at, "
	    "updated_at) VALUES (1, 1, 's', 1, 1), (2, 1, 's', 1, 1), "
	    "(3, 1, 's', 1, 1)");
	raw("INSERT INTO messages (id, ticket_id, author_realm, author_id, "
	    "body, created_at) VALUES (1, 1, 'customer', 1, 'a', 1), "
	    "(2, 2, 'customer', 1, 'b', 1), (3, 3, 'staff', 1, 'c', 1)");
	assert_int_equal(c->ops->events->unread(c, 1, "[3, 2, 1, 42]", ids, 8,
						&n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(ids[0], 2);
	assert_int_equal(ids[1], 1);
	assert_int_equal(c->ops->events->unread(c, 1, "[2, 1]", ids, 1, &n),
			 0);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], 2);
	assert_int_equal(c->ops->events->seen(c, 1, 1, 100), 0);
	assert_int_equal(c->ops->events->seen(c, 1, 3, 100), 0);
	assert_int_equal(c->ops->events->unread(c, 1, "[1, 2, 3]", ids, 8,
						&n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], 2);
	assert_int_equal(c->ops->events->unread(c, 2, "[1, 2, 3]", ids, 8,
						&n), 0);
	assert_int_equal(n, 2); /* another staff member's markers */
	assert_int_equal(c->ops->events->unread(c, 1, "[]", ids, 8, &n), 0);
	assert_int_equal(n, 0);
	/* a newer customer message makes it unread again; seen again
	 * catches up */
	raw("INSERT INTO messages (id, ticket_id, author_realm, author_id, "
	    "body, created_at) VALUES (4, 1, 'customer', 1, 'd', 2)");
	assert_int_equal(c->ops->events->unread(c, 1, "[1]", ids, 8, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(c->ops->events->seen(c, 1, 1, 200), 0);
	assert_int_equal(c->ops->events->unread(c, 1, "[1]", ids, 8, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(c->ops->events->seen(c, 1, 99, 200), -GH_EXISTS);
	store_release(s, c);
	store_close(s);
}

/* PostgreSQL only: event ids are given in commit order (docs/pg-schema.md,
 * "events"). Transaction A has an older transaction id than B; B appends
 * an event and stays open; A appends one too (as the store does: the
 * advisory lock, then the insert). A must wait for B: if it could commit
 * first, a stream would return A's event and later B's, below it, and
 * skip B's for good (what the txid horizon of migration 025 let happen).
 * SQLite has one writer, so ids are committed in order there. */
static void
test_events_commit_order(void **state)
{
	struct store *s;
	struct store_conn *c, *b;
	struct event_list l;
	PGconn *a;
	PGresult *r;
	int64_t e1, eb = 0, last = -1;

	(void)state;
	if (!sc_pg)
		skip();
	s = sc_open();
	c = store_acquire(s);
	b = store_acquire(s);
	desk_people(c);
	raw("INSERT INTO tickets (id, customer_id, subject, created_at, "
	    "updated_at) VALUES (1, 1, 's', 1, 1)");
	e1 = event(c, "ticket.created", 1, 0, 10, 0);
	a = PQconnectdb(sc_last);
	assert_int_equal(PQstatus(a), CONNECTION_OK);
	r = PQexec(a, "BEGIN; SELECT pg_current_xact_id()");
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	PQclear(r);
	assert_int_equal(b->ops->begin(b), 0);
	eb = event(b, "ticket.status", 1, 0, 20, 0);
	assert_int_equal(PQsendQuery(a, "SELECT pg_advisory_xact_lock(1195917653); "
				     "INSERT INTO events (kind, ticket_id, queue_id, "
				     "customer_id, actor_realm, actor_id, at) VALUES "
				     "('typing', 1, 1, 1, 'staff', 1, 30); COMMIT"), 1);
	usleep(300 * 1000);
	assert_int_equal(PQconsumeInput(a), 1);
	assert_int_equal(PQisBusy(a), 1); /* A waits for B */
	assert_int_equal(c->ops->events->since(c, 0, 10, &l), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].id, e1);
	event_list_clear(&l);
	assert_int_equal(c->ops->events->last_id(c, &last), 0);
	assert_int_equal(last, e1);
	assert_int_equal(b->ops->commit(b), 0);
	while ((r = PQgetResult(a)) != NULL) {
		assert_true(PQresultStatus(r) == PGRES_TUPLES_OK ||
			    PQresultStatus(r) == PGRES_COMMAND_OK);
		PQclear(r);
	}
	PQfinish(a);
	assert_int_equal(c->ops->events->since(c, e1, 10, &l), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].id, eb);
	assert_string_equal(l.v[1].kind, "typing");
	assert_true(l.v[1].id > eb);
	event_list_clear(&l);
	store_release(s, b);
	store_release(s, c);
	store_close(s);
}

/* --- sla ---------------------------------------------------------------- */

static int64_t
calendar(struct store_conn *c, const char *name, int want)
{
	struct sla_calendar_rec r;
	int64_t id = 0;

	memset(&r, 0, sizeof(r));
	snprintf(r.name, sizeof(r.name), "%s", name);
	snprintf(r.tz, sizeof(r.tz), "Europe/Berlin");
	snprintf(r.hours, sizeof(r.hours), "mon-fri 09:00-17:00");
	r.updated_at = 100;
	assert_int_equal(c->ops->sla->cal_insert(c, &r, &id), want);
	return id;
}

static void
test_sla_calendars_policies(void **state)
{
	struct store *s = sc_open();
	struct store_conn *c = store_acquire(s);
	struct sla_calendar_rec r;
	struct sla_calendar_list l;
	struct sla_policy_rec p;
	int64_t k1, k2;

	(void)state;
	k1 = calendar(c, "office", 0);
	k2 = calendar(c, "Always", 0);
	calendar(c, "office", -GH_EXISTS);
	assert_int_equal(c->ops->sla->cal_list(c, &l), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].name, "Always"); /* bytewise */
	assert_string_equal(l.v[1].name, "office");
	assert_string_equal(l.v[1].tz, "Europe/Berlin");
	assert_string_equal(l.v[1].hours, "mon-fri 09:00-17:00");
	assert_string_equal(l.v[1].holidays, "");
	assert_int_equal(l.v[1].updated_at, 100);
	STORE_LIST_FREE(&l);
	assert_int_equal(c->ops->sla->cal_get(c, 0, "office", &r), 0);
	assert_int_equal(r.id, k1);
	assert_int_equal(c->ops->sla->cal_get(c, k2, NULL, &r), 0);
	assert_string_equal(r.name, "Always");
	assert_int_equal(c->ops->sla->cal_get(c, 0, "nope", &r),
			 -GH_NOT_FOUND);
	assert_int_equal(c->ops->sla->cal_get(c, 999, NULL, &r),
			 -GH_NOT_FOUND);
	r.id = k2;
	snprintf(r.name, sizeof(r.name), "always");
	snprintf(r.holidays, sizeof(r.holidays), "2026-12-25");
	r.updated_at = 4102444800LL;
	assert_int_equal(c->ops->sla->cal_update(c, &r), 0);
	assert_int_equal(c->ops->sla->cal_get(c, 0, "always", &r), 0);
	assert_string_equal(r.holidays, "2026-12-25");
	assert_int_equal(r.updated_at, 4102444800LL);
	snprintf(r.name, sizeof(r.name), "office");
	assert_int_equal(c->ops->sla->cal_update(c, &r), -GH_EXISTS);
	r.id = 999;
	assert_int_equal(c->ops->sla->cal_update(c, &r), -GH_NOT_FOUND);
	/* policies */
	assert_int_equal(c->ops->sla->policy_get(c, 1, &p), -GH_NOT_FOUND);
	memset(&p, 0, sizeof(p));
	p.queue_id = 1;
	p.calendar_id = k1;
	for (int i = 0; i < SLA_NPRIO; i++) {
		p.first_response[i] = 60 * (i + 1);
		p.resolution[i] = 600 * (i + 1);
	}
	p.updated_at = 200;
	assert_int_equal(c->ops->sla->policy_put(c, &p), 0);
	assert_int_equal(c->ops->sla->cal_in_use(c, k1), 0);
	assert_int_equal(c->ops->sla->cal_in_use(c, k2), -GH_NOT_FOUND);
	assert_int_equal(c->ops->sla->cal_delete(c, k1), -GH_EXISTS);
	p.calendar_id = k2;
	p.first_response[3] = 5;
	p.updated_at = 300;
	assert_int_equal(c->ops->sla->policy_put(c, &p), 0); /* replaces */
	memset(&p, 0, sizeof(p));
	assert_int_equal(c->ops->sla->policy_get(c, 1, &p), 0);
	assert_int_equal(p.queue_id, 1);
	assert_int_equal(p.calendar_id, k2);
	assert_string_equal(p.calendar_name, "always");
	assert_int_equal(p.first_response[0], 60);
	assert_int_equal(p.first_response[3], 5);
	assert_int_equal(p.resolution[3], 2400);
	assert_int_equal(p.updated_at, 300);
	p.queue_id = 42;
	assert_int_equal(c->ops->sla->policy_put(c, &p), -GH_EXISTS);
	assert_int_equal(c->ops->sla->cal_delete(c, k1), 0);
	assert_int_equal(c->ops->sla->cal_delete(c, k1), -GH_NOT_FOUND);
	assert_int_equal(c->ops->sla->policy_delete(c, 1), 0);
	assert_int_equal(c->ops->sla->policy_delete(c, 1), -GH_NOT_FOUND);
	assert_int_equal(c->ops->sla->cal_delete(c, k2), 0);
	store_release(s, c);
	store_close(s);
}

static void
breach(struct store_conn *c, int64_t ticket, const char *kind, int64_t at,
       int64_t assignee, int64_t queue, int want)
{
	struct sla_breach_new b = {ticket, kind, at - 1, at, assignee, queue,
				   "high"};

	assert_int_equal(c->ops->sla->breach_insert(c, &b), want);
}

static void
test_sla_tickets(void **state)
{
	struct store *s = sc_open();
	struct store_conn *c = store_acquire(s);
	struct sla_ticket_rec t;
	struct sla_ticket_put put;
	struct sla_policy_rec p;
	struct sla_count_list l;
	struct sla_risk_list r;
	int64_t ids[8], k;
	size_t n = 99;

	(void)state;
	desk_people(c);
	assert_int_equal(staff(c, "amy@example.com"), 2);
	raw("INSERT INTO queues (id, name) VALUES (5, 'billing')");
	raw("INSERT INTO tickets (id, customer_id, subject, created_at, "
	    "updated_at, assignee_id, queue_id, priority, status) VALUES "
	    "(1, 1, 'one', 1, 1, 1, 1, 'high', 'open'), "
	    "(2, 1, 'two', 1, 1, NULL, 5, 'low', 'open'), "
	    "(3, 1, 'three', 1, 1, 2, 1, 'normal', 'open'), "
	    "(4, 1, 'four', 1, 1, 2, 1, 'normal', 'solved')");
	raw("INSERT INTO messages (ticket_id, author_realm, author_id, body, "
	    "created_at) VALUES (1, 'staff', 1, 'hi', 2), "
	    "(2, 'customer', 1, 'hi', 2)");
	k = calendar(c, "office", 0);
	memset(&p, 0, sizeof(p));
	p.queue_id = 1;
	p.calendar_id = k;
	p.first_response[2] = 30;
	p.resolution[2] = 300;
	assert_int_equal(c->ops->sla->policy_put(c, &p), 0);
	/* a ticket without a clock */
	assert_int_equal(c->ops->sla->ticket_get(c, 2, &t), 0);
	assert_int_equal(t.id, 2);
	assert_string_equal(t.status, "open");
	assert_string_equal(t.priority, "low");
	assert_int_equal(t.queue_id, 5);
	assert_int_equal(t.assignee_id, 0);
	assert_int_equal(t.staff_replied, 0);
	assert_int_equal(t.has_state, 0);
	assert_int_equal(t.st.fr_elapsed, -1);
	assert_int_equal(t.has_policy, 0);
	assert_int_equal(c->ops->sla->ticket_get(c, 99, &t), -GH_NOT_FOUND);
	/* the clock written with the ticket's due_at and breached */
	memset(&put, 0, sizeof(put));
	put.id = 1;
	put.st.calendar_id = k;
	put.st.running_since = 10;
	put.st.accrued = 20;
	put.st.fr_elapsed = 5;
	put.st.fr_due = 4102444800LL;
	put.st.res_due = 4102444900LL;
	put.next_check = 500;
	put.due_at = 400;
	put.breached = 1;
	assert_int_equal(c->ops->sla->ticket_put(c, &put), 0);
	breach(c, 1, "first_response", 1000, 1, 1, 0);
	breach(c, 1, "first_response", 1001, 1, 1, -GH_EXISTS);
	breach(c, 1, "bogus", 1001, 1, 1, -GH_EXISTS);
	assert_int_equal(c->ops->sla->ticket_get(c, 1, &t), 0);
	assert_int_equal(t.assignee_id, 1);
	assert_int_equal(t.breached, 1);
	assert_int_equal(t.staff_replied, 1);
	assert_int_equal(t.has_state, 1);
	assert_int_equal(t.st.calendar_id, k);
	assert_int_equal(t.st.running_since, 10);
	assert_int_equal(t.st.accrued, 20);
	assert_int_equal(t.st.fr_elapsed, 5);
	assert_int_equal(t.st.fr_due, 4102444800LL);
	assert_int_equal(t.st.res_due, 4102444900LL);
	assert_int_equal(t.fr_recorded, 1);
	assert_int_equal(t.res_recorded, 0);
	assert_int_equal(t.has_policy, 1);
	assert_int_equal(t.policy.queue_id, 1);
	assert_int_equal(t.policy.calendar_id, k);
	assert_int_equal(t.policy.first_response[2], 30);
	assert_int_equal(t.policy.resolution[2], 300);
	/* put again replaces; no next check, no due */
	put.next_check = 0;
	put.due_at = 0;
	put.breached = 0;
	put.st.accrued = 99;
	assert_int_equal(c->ops->sla->ticket_put(c, &put), 0);
	assert_int_equal(c->ops->sla->ticket_get(c, 1, &t), 0);
	assert_int_equal(t.st.accrued, 99);
	assert_int_equal(t.breached, 0);
	put.id = 99;
	assert_int_equal(c->ops->sla->ticket_put(c, &put), -GH_EXISTS);
	/* due: next_check <= now, earliest first, ties by ticket */
	memset(&put, 0, sizeof(put));
	put.st.fr_elapsed = -1;
	put.id = 3;
	put.next_check = 700;
	put.due_at = 300;
	assert_int_equal(c->ops->sla->ticket_put(c, &put), 0);
	put.id = 2;
	put.next_check = 700;
	put.due_at = 500;
	assert_int_equal(c->ops->sla->ticket_put(c, &put), 0);
	put.id = 4;
	put.next_check = 600;
	put.due_at = 100;
	assert_int_equal(c->ops->sla->ticket_put(c, &put), 0);
	assert_int_equal(c->ops->sla->due(c, 700, 8, ids, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(ids[0], 4);
	assert_int_equal(ids[1], 2);
	assert_int_equal(ids[2], 3);
	assert_int_equal(c->ops->sla->due(c, 699, 8, ids, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(c->ops->sla->due(c, 700, 2, ids, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(c->ops->sla->due(c, 10, 8, ids, &n), 0);
	assert_int_equal(n, 0);
	/* at risk: open tickets with a due_at before until */
	assert_int_equal(c->ops->sla->at_risk(c, 1000, 10, &r), 0);
	assert_int_equal(r.n, 2); /* 4 is solved, 1 has no due_at */
	assert_int_equal(r.v[0].ticket_id, 3);
	assert_string_equal(r.v[0].subject, "three");
	assert_string_equal(r.v[0].queue, "general");
	assert_int_equal(r.v[0].assignee_id, 2);
	assert_string_equal(r.v[0].assignee_name, "Desk");
	assert_string_equal(r.v[0].priority, "normal");
	assert_int_equal(r.v[0].due_at, 300);
	assert_int_equal(r.v[1].ticket_id, 2);
	assert_int_equal(r.v[1].assignee_id, 0);
	assert_string_equal(r.v[1].assignee_name, "");
	assert_string_equal(r.v[1].queue, "billing");
	STORE_LIST_FREE(&r);
	assert_int_equal(c->ops->sla->at_risk(c, 1000, 1, &r), 0);
	assert_int_equal(r.n, 1);
	STORE_LIST_FREE(&r);
	assert_int_equal(c->ops->sla->at_risk(c, 300, (size_t)-1, &r), 0);
	assert_int_equal(r.n, 0);
	STORE_LIST_FREE(&r);
	/* the supervisors' counts over [since, until) */
	breach(c, 1, "resolution", 1100, 1, 1, 0);
	breach(c, 2, "first_response", 1200, 0, 5, 0);
	breach(c, 3, "first_response", 1300, 2, 1, 0);
	breach(c, 4, "resolution", 5000, 2, 1, 0);
	assert_int_equal(c->ops->sla->by_queue(c, 1000, 5000, &l), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].id, 1);
	assert_string_equal(l.v[0].name, "general");
	assert_int_equal(l.v[0].total, 3);
	assert_int_equal(l.v[0].first_response, 2);
	assert_int_equal(l.v[0].resolution, 1);
	assert_int_equal(l.v[1].id, 5);
	assert_int_equal(l.v[1].total, 1);
	STORE_LIST_FREE(&l);
	assert_int_equal(c->ops->sla->by_agent(c, 1000, 5001, &l), 0);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.v[0].total, 2); /* staff 1 and 2 tie on 2 */
	assert_int_equal(l.v[1].total, 2);
	assert_int_equal(l.v[2].id, 0);
	assert_string_equal(l.v[2].name, "");
	assert_int_equal(l.v[2].first_response, 1);
	assert_int_equal(l.v[2].resolution, 0);
	STORE_LIST_FREE(&l);
	assert_int_equal(c->ops->sla->by_agent(c, 0, 1000, &l), 0);
	assert_int_equal(l.n, 0);
	STORE_LIST_FREE(&l);
	store_release(s, c);
	store_close(s);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hyg_sessions),
		cmocka_unit_test(test_hyg_logins),
		cmocka_unit_test(test_hyg_staff_pw),
		cmocka_unit_test(test_quota_events),
		cmocka_unit_test(test_quota_hits),
		cmocka_unit_test(test_quota_rows),
		cmocka_unit_test(test_training_modules),
		cmocka_unit_test(test_training_progress),
		cmocka_unit_test(test_macros),
		cmocka_unit_test(test_events_stream),
		cmocka_unit_test(test_events_unread),
		cmocka_unit_test(test_events_commit_order),
		cmocka_unit_test(test_sla_calendars_policies),
		cmocka_unit_test(test_sla_tickets),
	};

	return sc_main(argc, argv, "store_desk", tests,
		       sizeof(tests) / sizeof(tests[0]));
}
