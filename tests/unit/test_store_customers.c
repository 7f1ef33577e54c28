/*
 * Conformance of the customers family (issue 16) on both backends: the
 * same tests of the store contract run on SQLite and on PostgreSQL
 * (tests/unit/store_conf.h). Rows of other groups' tables (tickets,
 * queues) are inserted with raw SQL through sc_sql, on the backend of the
 * last sc_open.
 */
#include <sqlite3.h>

#include "store_conf.h"

/* Runs one constant statement on the store sc_last names; 0 or -1. */
static int
sc_sql(const char *sql)
{
	int ok;

	if (sc_pg) {
		PGconn *db = PQconnectdb(sc_last);
		PGresult *r = PQexec(db, sql);

		ok = PQresultStatus(r) == PGRES_COMMAND_OK;
		if (!ok)
			print_error("sc_sql: %s", PQresultErrorMessage(r));
		PQclear(r);
		PQfinish(db);
	} else {
		sqlite3 *db = NULL;
		char *err = NULL;

		ok = sqlite3_open(sc_last + strlen("sqlite:"), &db) == SQLITE_OK &&
		     sqlite3_busy_timeout(db, 5000) == SQLITE_OK &&
		     sqlite3_exec(db, sql, NULL, NULL, &err) == SQLITE_OK;
		if (!ok)
			print_error("sc_sql: %s", err ? err : sqlite3_errmsg(db));
		sqlite3_free(err);
		sqlite3_close(db);
	}
	return ok ? 0 : -1;
}

/* sc_sql with the statement formatted (test values only). */
static int
sc_sqlf(const char *fmt, ...)
{
	char sql[1000];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	return sc_sql(sql);
}

/* A store with its connection. */
struct sc {
	struct store *s;
	struct store_conn *c;
};

static struct sc
sc_new(void)
{
	struct sc t;

	t.s = sc_open();
	t.c = store_acquire(t.s);
	return t;
}

static void
sc_end(struct sc *t)
{
	store_release(t->s, t->c);
	store_close(t->s);
}

static int64_t
add_customer(struct store_conn *c, const char *idx, const char *name,
	     const char *phone, const char *dob)
{
	static unsigned char seed[4] = {9, 8, 7, 6};
	struct customer_new n = {0};
	int64_t id = 0;

	n.email_idx = idx;
	n.email.data = (unsigned char *)(uintptr_t)idx;
	n.email.len = strlen(idx);
	n.name = name;
	if (phone != NULL) {
		n.phone.data = (unsigned char *)(uintptr_t)phone;
		n.phone.len = strlen(phone);
	}
	if (dob != NULL) {
		n.dob.data = (unsigned char *)(uintptr_t)dob;
		n.dob.len = strlen(dob);
	}
	n.pw_hash = "h";
	n.totp_seed.data = seed;
	n.totp_seed.len = sizeof(seed);
	assert_int_equal(c->ops->customer_insert(c, &n, &id), 0);
	assert_true(id > 0);
	return id;
}

static int64_t
add_staff(struct store_conn *c, const char *email)
{
	unsigned char seed[4] = {1, 2, 3, 4};
	struct staff_new n = {email, "Agent", "agent", "h",
			      {seed, sizeof(seed)}};
	int64_t id = 0;

	assert_int_equal(c->ops->staff_insert(c, &n, &id), 0);
	return id;
}

static void
assert_blob(const struct blob *b, const char *want)
{
	if (want == NULL) {
		assert_int_equal(b->len, 0);
		return;
	}
	assert_int_equal(b->len, strlen(want));
	assert_memory_equal(b->data, want, b->len);
}

/* --- customers.c -------------------------------------------------------- */

static void
test_customer_contact_and_phrase(void **state)
{
	struct sc t = sc_new();
	struct customer_contact cc;
	unsigned char ph[3] = {0, 0xff, 7};
	struct blob phrase = {ph, sizeof(ph)}, none = {NULL, 0};
	int64_t a, b;

	(void)state;
	a = add_customer(t.c, "idx-a", "Ann Ö", "+441", NULL);
	b = add_customer(t.c, "idx-b", "Bob", NULL, NULL);
	assert_int_equal(t.c->ops->customer_contact(t.c, a, &cc), 0);
	assert_int_equal(cc.id, a);
	assert_string_equal(cc.email_idx, "idx-a");
	assert_string_equal(cc.name, "Ann Ö");
	assert_blob(&cc.email, "idx-a");
	assert_blob(&cc.phone, "+441");
	assert_blob(&cc.phrase, NULL);
	customer_contact_clear(&cc);
	/* the phrase is set on that customer only, bytes kept */
	assert_int_equal(t.c->ops->customer_set_phrase(t.c, a, &phrase), 0);
	assert_int_equal(t.c->ops->customer_contact(t.c, a, &cc), 0);
	assert_int_equal(cc.phrase.len, 3);
	assert_memory_equal(cc.phrase.data, ph, 3);
	customer_contact_clear(&cc);
	assert_int_equal(t.c->ops->customer_contact(t.c, b, &cc), 0);
	assert_blob(&cc.phone, NULL);
	assert_blob(&cc.phrase, NULL);
	customer_contact_clear(&cc);
	/* an empty blob clears it */
	assert_int_equal(t.c->ops->customer_set_phrase(t.c, a, &none), 0);
	assert_int_equal(t.c->ops->customer_contact(t.c, a, &cc), 0);
	assert_blob(&cc.phrase, NULL);
	customer_contact_clear(&cc);
	/* no such customer */
	assert_int_equal(t.c->ops->customer_contact(t.c, b + 100, &cc),
			 -GH_NOT_FOUND);
	assert_int_equal(cc.id, 0);
	assert_null(cc.email.data);
	assert_int_equal(t.c->ops->customer_set_phrase(t.c, b + 100, &phrase),
			 -GH_NOT_FOUND);
	sc_end(&t);
}

static void
test_customer_sealed_next(void **state)
{
	struct sc t = sc_new();
	struct customer_sealed cs;
	int64_t a, b;

	(void)state;
	assert_int_equal(t.c->ops->customer_sealed_next(t.c, 0, &cs),
			 -GH_NOT_FOUND);
	a = add_customer(t.c, "idx-a", "Ann", "p-a", NULL);
	b = add_customer(t.c, "idx-b", "Bob", NULL, "d-b");
	assert_true(b > a);
	assert_int_equal(t.c->ops->customer_sealed_next(t.c, 0, &cs), 0);
	assert_int_equal(cs.id, a);
	assert_string_equal(cs.email_idx, "idx-a");
	assert_blob(&cs.email, "idx-a");
	assert_blob(&cs.phone, "p-a");
	assert_blob(&cs.dob, NULL);
	assert_blob(&cs.address, NULL);
	customer_sealed_clear(&cs);
	assert_int_equal(t.c->ops->customer_sealed_next(t.c, a, &cs), 0);
	assert_int_equal(cs.id, b);
	assert_blob(&cs.phone, NULL);
	assert_blob(&cs.dob, "d-b");
	customer_sealed_clear(&cs);
	assert_int_equal(t.c->ops->customer_sealed_next(t.c, b, &cs),
			 -GH_NOT_FOUND);
	assert_int_equal(cs.id, 0);
	/* a gap in the ids is skipped */
	assert_int_equal(t.c->ops->customer_sealed_next(t.c, a - 1000, &cs),
			 0);
	assert_int_equal(cs.id, a);
	customer_sealed_clear(&cs);
	sc_end(&t);
}

static void
test_customer_name(void **state)
{
	struct sc t = sc_new();
	char name[8], big[64];
	int64_t a;

	(void)state;
	a = add_customer(t.c, "idx-a", "Annabelle Long", NULL, NULL);
	assert_int_equal(t.c->ops->disclosure.customer_name(t.c, a, big,
							    sizeof(big)),
			 0);
	assert_string_equal(big, "Annabelle Long");
	/* truncated to the buffer, terminated */
	assert_int_equal(t.c->ops->disclosure.customer_name(t.c, a, name,
							    sizeof(name)),
			 0);
	assert_string_equal(name, "Annabel");
	assert_int_equal(t.c->ops->disclosure.customer_name(t.c, a + 1, big,
							    sizeof(big)),
			 -GH_NOT_FOUND);
	assert_string_equal(big, "");
	assert_int_equal(t.c->ops->disclosure.customer_name(t.c, a, big, 0),
			 -GH_INTERNAL);
	sc_end(&t);
}

static void
test_customer_visible(void **state)
{
	struct sc t = sc_new();
	struct ticket_query q = {0};
	int64_t cu, other, s1, s2;
	char sql[400];

	(void)state;
	cu = add_customer(t.c, "idx-a", "Ann", NULL, NULL);
	other = add_customer(t.c, "idx-b", "Bob", NULL, NULL);
	s1 = add_staff(t.c, "s1@example.com"); /* in queue 1 (general) */
	s2 = add_staff(t.c, "s2@example.com");
	q.viewer_id = s1;
	/* supervisors see every existing customer, no one else */
	q.see_all = 1;
	assert_int_equal(t.c->ops->disclosure.customer_visible(t.c, &q, other),
			 0);
	assert_int_equal(t.c->ops->disclosure.customer_visible(t.c, &q,
							       other + 5),
			 -GH_NOT_FOUND);
	q.see_all = 0;
	/* no tickets: not visible */
	assert_int_equal(t.c->ops->disclosure.customer_visible(t.c, &q, cu),
			 -GH_NOT_FOUND);
	/* a ticket assigned to someone else, in a queue s1 is not in */
	assert_int_equal(sc_sql("INSERT INTO queues (id, name) "
				"VALUES (50, 'other')"), 0);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO tickets (customer_id, subject, assignee_id, "
		 "queue_id, created_at, updated_at) VALUES (%lld, 's', %lld, "
		 "1, 1, 1)", (long long)cu, (long long)s2);
	assert_int_equal(sc_sql(sql), 0);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO tickets (customer_id, subject, queue_id, "
		 "created_at, updated_at) VALUES (%lld, 's', 50, 1, 1)",
		 (long long)cu);
	assert_int_equal(sc_sql(sql), 0);
	assert_int_equal(t.c->ops->disclosure.customer_visible(t.c, &q, cu),
			 -GH_NOT_FOUND);
	/* s2 sees cu through the assignment, not other */
	q.viewer_id = s2;
	assert_int_equal(t.c->ops->disclosure.customer_visible(t.c, &q, cu),
			 0);
	assert_int_equal(t.c->ops->disclosure.customer_visible(t.c, &q, other),
			 -GH_NOT_FOUND);
	/* an unassigned ticket in s1's queue */
	snprintf(sql, sizeof(sql),
		 "INSERT INTO tickets (customer_id, subject, queue_id, "
		 "created_at, updated_at) VALUES (%lld, 's', 1, 1, 1)",
		 (long long)other);
	assert_int_equal(sc_sql(sql), 0);
	q.viewer_id = s1;
	assert_int_equal(t.c->ops->disclosure.customer_visible(t.c, &q, other),
			 0);
	assert_int_equal(t.c->ops->disclosure.customer_visible(t.c, &q, cu),
			 -GH_NOT_FOUND);
	/* membership of queue 50 makes cu's unassigned ticket visible */
	snprintf(sql, sizeof(sql),
		 "INSERT INTO staff_queues (staff_id, queue_id) "
		 "VALUES (%lld, 50)", (long long)s1);
	assert_int_equal(sc_sql(sql), 0);
	assert_int_equal(t.c->ops->disclosure.customer_visible(t.c, &q, cu),
			 0);
	sc_end(&t);
}

/* --- contact.c ----------------------------------------------------------- */

/* Ticket 1 of customer cu in queue 1 and verification 1 of staff st on it
 * (raw rows: tickets and verifications are other groups' operations). */
static void
add_ticket_verification(int64_t cu, int64_t st)
{
	assert_int_equal(sc_sqlf("INSERT INTO tickets (id, customer_id, "
				 "subject, queue_id, created_at, updated_at) "
				 "VALUES (1, %lld, 's', 1, 1, 1)",
				 (long long)cu), 0);
	assert_int_equal(sc_sqlf("INSERT INTO verifications (id, staff_id, "
				 "session_hash, ticket_id, customer_id, "
				 "queue_id, created_at, expires_at) VALUES "
				 "(1, %lld, 'h', 1, %lld, 1, 1, 2)",
				 (long long)st, (long long)cu), 0);
}

static void
test_contact_codes(void **state)
{
	struct sc t = sc_new();
	const struct store_contact_ops *o = &t.c->ops->contact;
	struct contact_code_new n = {0};
	struct contact_code_rec r;
	struct contact_window w;
	int64_t cu, s1, s2, id1 = 0, id2 = 0;

	(void)state;
	cu = add_customer(t.c, "idx-a", "Ann", NULL, NULL);
	s1 = add_staff(t.c, "s1@example.com");
	s2 = add_staff(t.c, "s2@example.com");
	add_ticket_verification(cu, s1);
	n.code_hash = "aa11";
	n.ticket_id = 1;
	n.customer_id = cu;
	n.staff_id = s1;
	n.now = 100;
	n.expires_at = 200;
	assert_int_equal(o->code_insert(t.c, &n, &id1), 0);
	assert_true(id1 > 0);
	assert_int_equal(o->code_live(t.c, "aa11", 150), 0);
	assert_int_equal(o->code_live(t.c, "aa11", 200), -GH_NOT_FOUND);
	assert_int_equal(o->code_live(t.c, "AA11", 150), -GH_NOT_FOUND);
	assert_int_equal(o->code_live(t.c, "bb22", 150), -GH_NOT_FOUND);
	assert_int_equal(o->code_find(t.c, "aa11", &r), 0);
	assert_int_equal(r.id, id1);
	assert_int_equal(r.ticket_id, 1);
	assert_int_equal(r.customer_id, cu);
	assert_int_equal(r.staff_id, s1);
	assert_string_equal(r.staff_name, "Agent");
	assert_int_equal(r.created_at, 100);
	assert_int_equal(r.expires_at, 200);
	assert_int_equal(r.used_at, 0);
	assert_int_equal(o->code_find(t.c, "bb22", &r), -GH_NOT_FOUND);
	/* the same hash again: find gives the newest */
	n.now = 150;
	n.expires_at = 3000000000LL; /* past 2038: 64-bit times */
	assert_int_equal(o->code_insert(t.c, &n, &id2), 0);
	assert_true(id2 > id1);
	assert_int_equal(o->code_find(t.c, "aa11", &r), 0);
	assert_int_equal(r.id, id2);
	assert_int_equal(r.expires_at, 3000000000LL);
	/* used once */
	assert_int_equal(o->code_use(t.c, id1, 160), 0);
	assert_int_equal(o->code_use(t.c, id1, 170), -GH_CONFLICT);
	assert_int_equal(o->code_use(t.c, id2 + 10, 170), -GH_CONFLICT);
	assert_int_equal(o->code_live(t.c, "aa11", 2999999999LL), 0);
	assert_int_equal(o->code_use(t.c, id2, 3000000001LL), 0);
	assert_int_equal(o->code_live(t.c, "aa11", 150), -GH_NOT_FOUND);
	assert_int_equal(o->code_find(t.c, "aa11", &r), 0);
	assert_int_equal(r.used_at, 3000000001LL);
	/* the window of a staff member's codes */
	assert_int_equal(o->codes_since(t.c, s1, 99, &w), 0);
	assert_int_equal(w.n, 2);
	assert_int_equal(w.oldest, 100);
	assert_int_equal(o->codes_since(t.c, s1, 100, &w), 0);
	assert_int_equal(w.n, 1);
	assert_int_equal(w.oldest, 150);
	assert_int_equal(o->codes_since(t.c, s1, 150, &w), 0);
	assert_int_equal(w.n, 0);
	assert_int_equal(w.oldest, 0);
	assert_int_equal(o->codes_since(t.c, s2, 0, &w), 0);
	assert_int_equal(w.n, 0);
	sc_end(&t);
}

static void
test_contact_checks(void **state)
{
	struct sc t = sc_new();
	const struct store_contact_ops *o = &t.c->ops->contact;
	struct contact_window w;
	int64_t a, b;

	(void)state;
	a = add_customer(t.c, "idx-a", "Ann", NULL, NULL);
	b = add_customer(t.c, "idx-b", "Bob", NULL, NULL);
	assert_int_equal(o->checks_since(t.c, a, 0, &w), 0);
	assert_int_equal(w.n, 0);
	assert_int_equal(w.oldest, 0);
	assert_int_equal(o->check_insert(t.c, a, 1, 20), 0);
	assert_int_equal(o->check_insert(t.c, a, 0, 10), 0);
	assert_int_equal(o->check_insert(t.c, b, 1, 5), 0);
	assert_int_equal(o->checks_since(t.c, a, 5, &w), 0);
	assert_int_equal(w.n, 2);
	assert_int_equal(w.oldest, 10);
	assert_int_equal(o->checks_since(t.c, a, 10, &w), 0);
	assert_int_equal(w.n, 1);
	assert_int_equal(w.oldest, 20);
	assert_int_equal(o->checks_since(t.c, b, 0, &w), 0);
	assert_int_equal(w.n, 1);
	assert_int_equal(w.oldest, 5);
	/* a customer that does not exist is refused */
	assert_int_equal(o->check_insert(t.c, b + 100, 1, 5), -GH_EXISTS);
	sc_end(&t);
}

static void
test_contact_reveals(void **state)
{
	struct sc t = sc_new();
	const struct store_contact_ops *o = &t.c->ops->contact;
	struct contact_reveal_list l;
	int64_t cu, other, s1;
	int i;

	(void)state;
	cu = add_customer(t.c, "idx-a", "Ann", NULL, NULL);
	other = add_customer(t.c, "idx-b", "Bob", NULL, NULL);
	s1 = add_staff(t.c, "s1@example.com");
	add_ticket_verification(cu, s1);
	assert_int_equal(o->reveals(t.c, cu, 10, &l), 0);
	assert_int_equal(l.n, 0);
	contact_reveal_list_clear(&l);
	/* ids 1..3: times 10, 30, 30 (the tie: the larger id first) */
	for (i = 1; i <= 3; i++)
		assert_int_equal(sc_sqlf("INSERT INTO reveals (id, staff_id, "
					 "customer_id, ticket_id, "
					 "verification_id, field, reason, "
					 "created_at) VALUES (%d, %lld, %lld, "
					 "1, 1, 'f%d', 'r%d', %d)", i,
					 (long long)s1, (long long)cu, i, i,
					 i == 1 ? 10 : 30), 0);
	assert_int_equal(o->reveals(t.c, cu, 2, &l), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].at, 30);
	assert_string_equal(l.v[0].field, "f3");
	assert_string_equal(l.v[0].reason, "r3");
	assert_string_equal(l.v[0].agent, "Agent");
	assert_string_equal(l.v[1].field, "f2");
	contact_reveal_list_clear(&l);
	assert_int_equal(o->reveals(t.c, cu, -1, &l), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[2].field, "f1");
	assert_int_equal(l.v[2].at, 10);
	contact_reveal_list_clear(&l);
	assert_int_equal(o->reveals(t.c, cu, 0, &l), 0);
	assert_int_equal(l.n, 0);
	contact_reveal_list_clear(&l);
	assert_int_equal(o->reveals(t.c, other, 10, &l), 0);
	assert_int_equal(l.n, 0);
	contact_reveal_list_clear(&l);
	sc_end(&t);
}

static void
audit(struct store_conn *c, const char *record)
{
	unsigned char leaf[32] = {0};

	assert_int_equal(c->ops->audit_append(c, record, leaf, NULL), 0);
}

static void
test_contact_mfa(void **state)
{
	struct sc t = sc_new();
	const struct store_contact_ops *o = &t.c->ops->contact;
	unsigned char s[2] = {1, 2};
	struct blob seed = {s, sizeof(s)};
	struct contact_mfa m;
	char rec[300];
	int64_t cu, other;

	(void)state;
	cu = add_customer(t.c, "idx-a", "Ann", NULL, NULL);
	other = add_customer(t.c, "idx-b", "Bob", NULL, NULL);
	assert_int_equal(sc_sqlf("UPDATE customers SET created_at = 12345"), 0);
	assert_int_equal(o->mfa(t.c, cu, &m), 0);
	assert_int_equal(m.enrolled, 0);
	assert_int_equal(m.since, 12345);
	assert_int_equal(t.c->ops->account_set_totp(t.c, REALM_CUSTOMER, cu,
						     &seed, 1), 0);
	/* records of another action or customer do not count */
	snprintf(rec, sizeof(rec),
		 "{\"action\":\"auth.login\",\"actor\":\"customer:%lld\","
		 "\"time\":\"2025-01-02T03:04:05.000Z\",\"v\":1}",
		 (long long)cu);
	audit(t.c, rec);
	snprintf(rec, sizeof(rec),
		 "{\"action\":\"auth.totp_enrolled\",\"actor\":"
		 "\"customer:%lld\",\"time\":\"2025-01-02T03:04:05.000Z\","
		 "\"v\":1}", (long long)other);
	audit(t.c, rec);
	assert_int_equal(o->mfa(t.c, cu, &m), 0);
	assert_int_equal(m.enrolled, 1);
	assert_int_equal(m.since, 12345);
	/* the last enrolment of this customer, its time in UTC */
	snprintf(rec, sizeof(rec),
		 "{\"action\":\"auth.totp_enrolled\",\"actor\":"
		 "\"customer:%lld\",\"time\":\"2026-01-02T03:04:05.678Z\","
		 "\"v\":1}", (long long)cu);
	audit(t.c, rec);
	assert_int_equal(o->mfa(t.c, cu, &m), 0);
	assert_int_equal(m.since, 1767323045LL);
	snprintf(rec, sizeof(rec),
		 "{\"action\":\"auth.totp_enrolled\",\"actor\":"
		 "\"customer:%lld\",\"time\":\"2026-03-01T00:00:59.000Z\","
		 "\"v\":1}", (long long)cu);
	audit(t.c, rec);
	assert_int_equal(o->mfa(t.c, cu, &m), 0);
	assert_int_equal(m.since, 1772323259LL);
	assert_int_equal(o->mfa(t.c, other, &m), 0);
	assert_int_equal(m.enrolled, 0);
	assert_int_equal(m.since, 1767323045LL - 31536000LL);
	assert_int_equal(o->mfa(t.c, other + 10, &m), -GH_NOT_FOUND);
	sc_end(&t);
}

/* --- sealed.c ------------------------------------------------------------ */

static void
test_sealed_heads(void **state)
{
	struct sc t = sc_new();
	struct sealed_head h[4];
	size_t n = 99;
	int64_t a, b, cc, s1;

	(void)state;
	a = add_customer(t.c, "idx-a", "Ann", "0123456789ab", NULL);
	b = add_customer(t.c, "idx-b", "Bob", NULL, NULL);
	cc = add_customer(t.c, "idx-c", "Cy", "xyz", NULL);
	s1 = add_staff(t.c, "s1@example.com");
	assert_int_equal(t.c->ops->sealed_heads(t.c, SEALED_CUSTOMER_PHONE, 0,
						 4, h, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(h[0].id, a);
	assert_int_equal(h[0].len, 8);
	assert_memory_equal(h[0].head, "01234567", 8);
	assert_int_equal(h[1].id, cc);
	assert_int_equal(h[1].len, 3);
	assert_memory_equal(h[1].head, "xyz", 3);
	/* paging: max and after_id */
	assert_int_equal(t.c->ops->sealed_heads(t.c, SEALED_CUSTOMER_PHONE, 0,
						 1, h, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(h[0].id, a);
	assert_int_equal(t.c->ops->sealed_heads(t.c, SEALED_CUSTOMER_PHONE, a,
						 4, h, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(h[0].id, cc);
	assert_int_equal(t.c->ops->sealed_heads(t.c, SEALED_CUSTOMER_PHONE, cc,
						 4, h, &n), 0);
	assert_int_equal(n, 0);
	/* every customer has an e-mail; none a phrase; staff seeds */
	assert_int_equal(t.c->ops->sealed_heads(t.c, SEALED_CUSTOMER_EMAIL, 0,
						 4, h, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(h[1].id, b);
	assert_memory_equal(h[1].head, "idx-b", 5);
	assert_int_equal(t.c->ops->sealed_heads(t.c, SEALED_CUSTOMER_PHRASE, 0,
						 4, h, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(t.c->ops->sealed_heads(t.c, SEALED_STAFF_TOTP, 0, 4,
						 h, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(h[0].id, s1);
	assert_int_equal(h[0].len, 4);
	assert_memory_equal(h[0].head, "\1\2\3\4", 4);
	n = 99;
	assert_int_equal(t.c->ops->sealed_heads(t.c, SEALED_COLS, 0, 4, h, &n),
			 -GH_INTERNAL);
	assert_int_equal(n, 0);
	sc_end(&t);
}

static void
test_sealed_get_replace(void **state)
{
	struct sc t = sc_new();
	struct sealed_value v;
	unsigned char o[] = "idx-a", nv[] = "new-sealed", zz[] = "zz";
	struct blob old = {o, 5}, val = {nv, 10}, stale = {zz, 2};
	struct blob none = {NULL, 0};
	int64_t a, s1;

	(void)state;
	a = add_customer(t.c, "idx-a", "Ann", NULL, NULL);
	s1 = add_staff(t.c, "s1@example.com");
	assert_int_equal(t.c->ops->sealed_get(t.c, SEALED_CUSTOMER_EMAIL, a,
					       &v), 0);
	assert_int_equal(v.id, a);
	assert_blob(&v.value, "idx-a");
	assert_string_equal(v.ctx, "idx-a");
	assert_int_equal(v.num, 0);
	sealed_value_clear(&v);
	assert_int_equal(t.c->ops->sealed_get(t.c, SEALED_STAFF_TOTP, s1, &v),
			 0);
	assert_string_equal(v.ctx, "s1@example.com");
	assert_int_equal(v.value.len, 4);
	sealed_value_clear(&v);
	/* no row, no value, no column */
	assert_int_equal(t.c->ops->sealed_get(t.c, SEALED_CUSTOMER_EMAIL, a + 1,
					       &v), -GH_NOT_FOUND);
	assert_int_equal(t.c->ops->sealed_get(t.c, SEALED_CUSTOMER_PHONE, a,
					       &v), -GH_NOT_FOUND);
	assert_null(v.value.data);
	assert_int_equal(t.c->ops->sealed_get(t.c, SEALED_COLS, a, &v),
			 -GH_INTERNAL);
	/* compare and set */
	assert_int_equal(t.c->ops->sealed_replace(t.c, SEALED_CUSTOMER_EMAIL,
						   a, &stale, &val),
			 -GH_CONFLICT);
	assert_int_equal(t.c->ops->sealed_replace(t.c, SEALED_CUSTOMER_EMAIL,
						   a, &old, &val), 0);
	assert_int_equal(t.c->ops->sealed_replace(t.c, SEALED_CUSTOMER_EMAIL,
						   a, &old, &val),
			 -GH_CONFLICT);
	assert_int_equal(t.c->ops->sealed_replace(t.c, SEALED_CUSTOMER_EMAIL,
						   a + 1, &val, &old),
			 -GH_CONFLICT);
	assert_int_equal(t.c->ops->sealed_replace(t.c, SEALED_CUSTOMER_EMAIL,
						   a, &none, &old),
			 -GH_INTERNAL);
	assert_int_equal(t.c->ops->sealed_get(t.c, SEALED_CUSTOMER_EMAIL, a,
					       &v), 0);
	assert_blob(&v.value, "new-sealed");
	sealed_value_clear(&v);
	/* a change request's value: kind:customer:ref */
	add_ticket_verification(a, s1);
	assert_int_equal(sc_sqlf("INSERT INTO change_requests (id, ref, "
				 "customer_id, kind, value, requested_by, "
				 "verification_id, ticket_id, reason, "
				 "created_at) VALUES (7, 'cr-1', %lld, "
				 "'phone', %s, %lld, 1, 1, 'r', 1)",
				 (long long)a, sc_pg ? "'\\x0102'::bytea"
						     : "x'0102'",
				 (long long)s1), 0);
	assert_int_equal(t.c->ops->sealed_get(t.c, SEALED_CHANGE_VALUE, 7, &v),
			 0);
	assert_int_equal(v.value.len, 2);
	assert_memory_equal(v.value.data, "\1\2", 2);
	snprintf(v.ctx + 200, 40, "phone:%lld:cr-1", (long long)a);
	assert_string_equal(v.ctx, v.ctx + 200);
	sealed_value_clear(&v);
	sc_end(&t);
}

/* --- fields.c ------------------------------------------------------------ */

static int64_t
add_def(struct store_conn *c, const char *name, const char *cls, int want)
{
	struct field_def d = {0};
	int64_t id = 0;

	snprintf(d.name, sizeof(d.name), "%s", name);
	snprintf(d.cls, sizeof(d.cls), "%s", cls);
	snprintf(d.created_by, sizeof(d.created_by), "staff:1");
	d.created_at = 3000000000LL;
	assert_int_equal(c->ops->field_def_insert(c, &d, &id), want);
	return id;
}

static void
test_field_defs(void **state)
{
	struct sc t = sc_new();
	struct field_def d;
	struct field_def_list l;
	int64_t z, a;

	(void)state;
	assert_int_equal(t.c->ops->field_def_list(t.c, &l), 0);
	assert_int_equal(l.n, 0);
	field_def_list_clear(&l);
	z = add_def(t.c, "zeta", "C1", 0);
	a = add_def(t.c, "alpha_2", "C2", 0);
	assert_true(a > z);
	/* the name is unique; the schema's checks refuse as a conflict */
	add_def(t.c, "zeta", "C2", -GH_EXISTS);
	add_def(t.c, "Zeta", "C1", -GH_EXISTS);
	add_def(t.c, "2x", "C1", -GH_EXISTS);
	add_def(t.c, "ok", "C3", -GH_EXISTS);
	assert_int_equal(t.c->ops->field_def_by_name(t.c, "alpha_2", &d), 0);
	assert_int_equal(d.id, a);
	assert_string_equal(d.name, "alpha_2");
	assert_string_equal(d.cls, "C2");
	assert_string_equal(d.created_by, "staff:1");
	assert_int_equal(d.created_at, 3000000000LL);
	assert_int_equal(t.c->ops->field_def_by_name(t.c, "ALPHA_2", &d),
			 -GH_NOT_FOUND);
	assert_int_equal(t.c->ops->field_def_list(t.c, &l), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].name, "zeta");
	assert_string_equal(l.v[1].name, "alpha_2");
	field_def_list_clear(&l);
	sc_end(&t);
}

static void
test_field_values(void **state)
{
	struct sc t = sc_new();
	struct field_value_list l;
	struct sealed_value sv;
	unsigned char b1[] = "v1", b2[] = "v22";
	struct blob v1 = {b1, 2}, v2 = {b2, 3};
	int64_t ca, cb, z, a;

	(void)state;
	ca = add_customer(t.c, "idx-a", "Ann", NULL, NULL);
	cb = add_customer(t.c, "idx-b", "Bob", NULL, NULL);
	z = add_def(t.c, "zeta", "C1", 0);
	a = add_def(t.c, "alpha", "C2", 0);
	assert_int_equal(t.c->ops->customer_field_values(t.c, ca, &l), 0);
	assert_int_equal(l.n, 2);
	assert_blob(&l.v[0].value, NULL);
	assert_blob(&l.v[1].value, NULL);
	field_value_list_clear(&l);
	assert_int_equal(t.c->ops->customer_field_put(t.c, ca, z, &v1, 5), 0);
	assert_int_equal(t.c->ops->customer_field_put(t.c, cb, a, &v1, 5), 0);
	assert_int_equal(t.c->ops->customer_field_values(t.c, ca, &l), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].def.id, z);
	assert_string_equal(l.v[0].def.cls, "C1");
	assert_blob(&l.v[0].value, "v1");
	assert_int_equal(l.v[1].def.id, a);
	assert_blob(&l.v[1].value, NULL);
	field_value_list_clear(&l);
	/* a second put replaces the value */
	assert_int_equal(t.c->ops->customer_field_put(t.c, ca, z, &v2, 6), 0);
	assert_int_equal(t.c->ops->customer_field_values(t.c, ca, &l), 0);
	assert_blob(&l.v[0].value, "v22");
	field_value_list_clear(&l);
	assert_int_equal(t.c->ops->customer_field_values(t.c, cb, &l), 0);
	assert_blob(&l.v[0].value, NULL);
	assert_blob(&l.v[1].value, "v1");
	field_value_list_clear(&l);
	/* no such customer or field: refused */
	assert_int_equal(t.c->ops->customer_field_put(t.c, cb + 9, z, &v1, 5),
			 -GH_EXISTS);
	assert_int_equal(t.c->ops->customer_field_put(t.c, ca, a + 9, &v1, 5),
			 -GH_EXISTS);
	/* key rotation sees the values: ctx the e-mail index, num the field */
	assert_int_equal(t.c->ops->sealed_get(t.c, SEALED_FIELD_VALUE, 1, &sv),
			 0);
	assert_blob(&sv.value, "v22");
	assert_string_equal(sv.ctx, "idx-a");
	assert_int_equal(sv.num, z);
	sealed_value_clear(&sv);
	sc_end(&t);
}

static void
test_customer_personal(void **state)
{
	struct sc t = sc_new();
	struct customer_personal p;
	unsigned char an[] = "acct";
	struct blob acct = {an, 4}, none = {NULL, 0};
	int64_t a;

	(void)state;
	a = add_customer(t.c, "idx-a", "Ann", "ph", "dob");
	assert_int_equal(t.c->ops->customer_personal(t.c, a, &p), 0);
	assert_int_equal(p.id, a);
	assert_string_equal(p.email_idx, "idx-a");
	assert_string_equal(p.name, "Ann");
	assert_blob(&p.email, "idx-a");
	assert_blob(&p.phone, "ph");
	assert_blob(&p.dob, "dob");
	assert_blob(&p.address, NULL);
	assert_blob(&p.account_number, NULL);
	customer_personal_clear(&p);
	assert_int_equal(t.c->ops->customer_set_account_number(t.c, a, &acct),
			 0);
	assert_int_equal(t.c->ops->customer_personal(t.c, a, &p), 0);
	assert_blob(&p.account_number, "acct");
	customer_personal_clear(&p);
	assert_int_equal(t.c->ops->customer_set_account_number(t.c, a, &none),
			 0);
	assert_int_equal(t.c->ops->customer_personal(t.c, a, &p), 0);
	assert_blob(&p.account_number, NULL);
	customer_personal_clear(&p);
	assert_int_equal(t.c->ops->customer_set_account_number(t.c, a + 1,
								&acct),
			 -GH_NOT_FOUND);
	assert_int_equal(t.c->ops->customer_personal(t.c, a + 1, &p),
			 -GH_NOT_FOUND);
	assert_null(p.email.data);
	sc_end(&t);
}

static void
test_phone_idx(void **state)
{
	struct sc t = sc_new();
	int64_t c1, c2, c3, c4, ids[5], id = 0;
	size_t n = 99;

	(void)state;
	c1 = add_customer(t.c, "idx-1", "A", "p", NULL);
	c2 = add_customer(t.c, "idx-2", "B", "p", NULL);
	c3 = add_customer(t.c, "idx-3", "C", "p", NULL);
	c4 = add_customer(t.c, "idx-4", "D", NULL, NULL);
	assert_int_equal(t.c->ops->customer_phone_unindexed(t.c, 0, &id), 0);
	assert_int_equal(id, c1);
	assert_int_equal(t.c->ops->customer_set_phone_idx(t.c, c3, "P1"), 0);
	assert_int_equal(t.c->ops->customer_set_phone_idx(t.c, c1, "P1"), 0);
	assert_int_equal(t.c->ops->customer_set_phone_idx(t.c, c4 + 1, "P1"),
			 -GH_NOT_FOUND);
	assert_int_equal(t.c->ops->customer_by_phone_idx(t.c, "P1", ids, 5,
							  &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(ids[0], c1);
	assert_int_equal(ids[1], c3);
	assert_int_equal(t.c->ops->customer_by_phone_idx(t.c, "P1", ids, 1,
							  &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], c1);
	assert_int_equal(t.c->ops->customer_by_phone_idx(t.c, "p1", ids, 5,
							  &n), 0);
	assert_int_equal(n, 0);
	/* only c2 has a phone and no index; c4 has no phone */
	assert_int_equal(t.c->ops->customer_phone_unindexed(t.c, 0, &id), 0);
	assert_int_equal(id, c2);
	assert_int_equal(t.c->ops->customer_phone_unindexed(t.c, c2, &id),
			 -GH_NOT_FOUND);
	/* NULL clears the index */
	assert_int_equal(t.c->ops->customer_set_phone_idx(t.c, c1, NULL), 0);
	assert_int_equal(t.c->ops->customer_by_phone_idx(t.c, "P1", ids, 5,
							  &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], c3);
	assert_int_equal(t.c->ops->customer_phone_unindexed(t.c, 0, &id), 0);
	assert_int_equal(id, c1);
	sc_end(&t);
}

/* --- reveals.c ----------------------------------------------------------- */

static void
reveal(struct store_conn *c, int64_t staff, int64_t cu, int64_t now)
{
	struct reveal_new r = {staff, cu, 1, 1, "dob", "asked", now};
	int64_t id = 0;

	assert_int_equal(c->ops->disclosure.reveal_insert(c, &r, &id), 0);
	assert_true(id > 0);
}

static void
test_reveal_insert_count(void **state)
{
	struct sc t = sc_new();
	struct contact_reveal_list l;
	struct reveal_new bad;
	int64_t cu, s1, s2, n = -1, id = 0;

	(void)state;
	cu = add_customer(t.c, "idx-a", "Ann", NULL, NULL);
	s1 = add_staff(t.c, "s1@example.com");
	s2 = add_staff(t.c, "s2@example.com");
	add_ticket_verification(cu, s1);
	assert_int_equal(t.c->ops->disclosure.reveal_count(t.c, s1, 0, &n), 0);
	assert_int_equal(n, 0);
	reveal(t.c, s1, cu, 10);
	reveal(t.c, s1, cu, 20);
	reveal(t.c, s2, cu, 3000000000LL);
	assert_int_equal(t.c->ops->disclosure.reveal_count(t.c, s1, 9, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(t.c->ops->disclosure.reveal_count(t.c, s1, 10, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(t.c->ops->disclosure.reveal_count(t.c, s2,
							   2999999999LL, &n),
			 0);
	assert_int_equal(n, 1);
	/* the customer sees them, with the field and reason */
	assert_int_equal(t.c->ops->contact.reveals(t.c, cu, 10, &l), 0);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.v[0].at, 3000000000LL);
	assert_string_equal(l.v[0].field, "dob");
	assert_string_equal(l.v[0].reason, "asked");
	contact_reveal_list_clear(&l);
	/* a reveal on a ticket that does not exist is refused */
	bad = (struct reveal_new){s1, cu, 99, 1, "dob", "x", 5};
	assert_int_equal(t.c->ops->disclosure.reveal_insert(t.c, &bad, &id),
			 -GH_EXISTS);
	sc_end(&t);
}

static void
test_reveal_locks(void **state)
{
	struct sc t = sc_new();
	struct reveal_lock k;
	int64_t s1, s2;

	(void)state;
	s1 = add_staff(t.c, "s1@example.com");
	s2 = add_staff(t.c, "s2@example.com");
	assert_int_equal(t.c->ops->disclosure.reveal_lock_get(t.c, s1, &k),
			 -GH_NOT_FOUND);
	assert_int_equal(t.c->ops->disclosure.reveal_lock_clear(t.c, s1, s2,
								 5),
			 -GH_CONFLICT);
	assert_int_equal(t.c->ops->disclosure.reveal_lock_set(t.c, s1, "rate",
							       100), 0);
	assert_int_equal(t.c->ops->disclosure.reveal_lock_get(t.c, s1, &k), 0);
	assert_int_equal(k.staff_id, s1);
	assert_int_equal(k.locked_at, 100);
	assert_string_equal(k.reason, "rate");
	assert_int_equal(k.cleared_by, 0);
	assert_int_equal(k.cleared_at, 0);
	assert_int_equal(t.c->ops->disclosure.reveal_lock_clear(t.c, s1, s2,
								 150), 0);
	assert_int_equal(t.c->ops->disclosure.reveal_lock_clear(t.c, s1, s2,
								 160),
			 -GH_CONFLICT);
	assert_int_equal(t.c->ops->disclosure.reveal_lock_get(t.c, s1, &k), 0);
	assert_int_equal(k.cleared_by, s2);
	assert_int_equal(k.cleared_at, 150);
	/* locking again overwrites the clearance */
	assert_int_equal(t.c->ops->disclosure.reveal_lock_set(t.c, s1, "again",
							       200), 0);
	assert_int_equal(t.c->ops->disclosure.reveal_lock_get(t.c, s1, &k), 0);
	assert_int_equal(k.locked_at, 200);
	assert_string_equal(k.reason, "again");
	assert_int_equal(k.cleared_by, 0);
	assert_int_equal(k.cleared_at, 0);
	assert_int_equal(t.c->ops->disclosure.reveal_lock_get(t.c, s2, &k),
			 -GH_NOT_FOUND);
	sc_end(&t);
}

static void
test_reveal_agents(void **state)
{
	struct sc t = sc_new();
	struct reveal_agent_list l;
	int64_t cu, s[6];
	int i;

	(void)state;
	cu = add_customer(t.c, "idx-a", "Ann", NULL, NULL);
	for (i = 0; i < 6; i++) {
		char e[40];

		snprintf(e, sizeof(e), "s%d@example.com", i);
		s[i] = add_staff(t.c, e);
	}
	add_ticket_verification(cu, s[0]);
	assert_int_equal(t.c->ops->disclosure.reveal_agents(t.c, 0, &l), 0);
	assert_int_equal(l.n, 0);
	reveal_agent_list_clear(&l);
	/* s0: none but locked; s1: one, lock cleared; s2: two; s3: one;
	 * s4: locked and cleared, none; s5: one before the window */
	reveal(t.c, s[1], cu, 50);
	reveal(t.c, s[2], cu, 60);
	reveal(t.c, s[2], cu, 70);
	reveal(t.c, s[3], cu, 55);
	reveal(t.c, s[5], cu, 5);
	assert_int_equal(t.c->ops->disclosure.reveal_lock_set(t.c, s[0], "r",
							       40), 0);
	assert_int_equal(t.c->ops->disclosure.reveal_lock_set(t.c, s[1], "r",
							       41), 0);
	assert_int_equal(t.c->ops->disclosure.reveal_lock_clear(t.c, s[1], s[0],
								 42), 0);
	assert_int_equal(t.c->ops->disclosure.reveal_lock_set(t.c, s[4], "r",
							       43), 0);
	assert_int_equal(t.c->ops->disclosure.reveal_lock_clear(t.c, s[4], s[0],
								 44), 0);
	assert_int_equal(t.c->ops->disclosure.reveal_agents(t.c, 10, &l), 0);
	assert_int_equal(l.n, 4);
	assert_int_equal(l.v[0].staff_id, s[2]);
	assert_int_equal(l.v[0].count, 2);
	assert_int_equal(l.v[0].last_at, 70);
	assert_int_equal(l.v[0].locked, 0);
	assert_int_equal(l.v[0].locked_at, 0);
	assert_string_equal(l.v[0].name, "Agent");
	assert_string_equal(l.v[0].role, "agent");
	/* ties on the count: by id */
	assert_int_equal(l.v[1].staff_id, s[1]);
	assert_int_equal(l.v[1].count, 1);
	assert_int_equal(l.v[1].locked, 0);
	assert_int_equal(l.v[1].locked_at, 41);
	assert_int_equal(l.v[2].staff_id, s[3]);
	assert_int_equal(l.v[2].last_at, 55);
	assert_int_equal(l.v[3].staff_id, s[0]);
	assert_int_equal(l.v[3].count, 0);
	assert_int_equal(l.v[3].last_at, 0);
	assert_int_equal(l.v[3].locked, 1);
	assert_int_equal(l.v[3].locked_at, 40);
	reveal_agent_list_clear(&l);
	/* a wider window takes s5 in */
	assert_int_equal(t.c->ops->disclosure.reveal_agents(t.c, 0, &l), 0);
	assert_int_equal(l.n, 5);
	assert_int_equal(l.v[3].staff_id, s[5]);
	reveal_agent_list_clear(&l);
	sc_end(&t);
}

/* --- queues.c ------------------------------------------------------------ */

static void
test_queues(void **state)
{
	struct sc t = sc_new();
	struct queue_rec r;
	struct queue_list l;
	int64_t z = 0, a = 0, z2 = 0, s1, s2;

	(void)state;
	s1 = add_staff(t.c, "s1@example.com");
	s2 = add_staff(t.c, "s2@example.com");
	assert_int_equal(t.c->ops->queue_by_name(t.c, "general", &r), 0);
	assert_int_equal(r.id, STORE_QUEUE_GENERAL);
	assert_int_equal(r.members, 0);
	assert_int_equal(t.c->ops->queue_insert(t.c, "zeta", &z), 0);
	assert_true(z > STORE_QUEUE_GENERAL);
	assert_int_equal(t.c->ops->queue_insert(t.c, "alpha", &a), 0);
	assert_true(a > z);
	assert_int_equal(t.c->ops->queue_insert(t.c, "zeta", &z2),
			 -GH_EXISTS);
	assert_int_equal(t.c->ops->queue_by_name(t.c, "zeta", &r), 0);
	assert_int_equal(r.id, z);
	assert_string_equal(r.name, "zeta");
	assert_int_equal(t.c->ops->queue_by_name(t.c, "ZETA", &r),
			 -GH_NOT_FOUND);
	/* memberships: once each, of existing staff and queues */
	assert_int_equal(t.c->ops->staff_queue_add(t.c, s1, a), 0);
	assert_int_equal(t.c->ops->staff_queue_add(t.c, s1, z), 0);
	assert_int_equal(t.c->ops->staff_queue_add(t.c, s1, z), -GH_EXISTS);
	assert_int_equal(t.c->ops->staff_queue_add(t.c, s1, a + 9),
			 -GH_EXISTS);
	assert_int_equal(t.c->ops->staff_queue_add(t.c, s2 + 9, z),
			 -GH_EXISTS);
	assert_int_equal(t.c->ops->staff_in_queue(t.c, s1, z), 0);
	assert_int_equal(t.c->ops->staff_in_queue(t.c, s2, z), -GH_NOT_FOUND);
	assert_int_equal(t.c->ops->staff_in_queue(t.c, s2,
						   STORE_QUEUE_GENERAL), 0);
	assert_int_equal(t.c->ops->queue_list(t.c, &l), 0);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.v[0].id, STORE_QUEUE_GENERAL);
	assert_string_equal(l.v[0].name, "general");
	assert_int_equal(l.v[0].members, 2);
	assert_int_equal(l.v[1].id, z);
	assert_int_equal(l.v[1].members, 1);
	assert_int_equal(l.v[2].id, a);
	assert_string_equal(l.v[2].name, "alpha");
	queue_list_clear(&l);
	assert_int_equal(t.c->ops->staff_queue_list(t.c, s1, &l), 0);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.v[0].id, STORE_QUEUE_GENERAL);
	assert_int_equal(l.v[1].id, z);
	assert_int_equal(l.v[1].members, 0);
	assert_int_equal(l.v[2].id, a);
	queue_list_clear(&l);
	/* removal: once */
	assert_int_equal(t.c->ops->staff_queue_remove(t.c, s1, z), 0);
	assert_int_equal(t.c->ops->staff_queue_remove(t.c, s1, z),
			 -GH_NOT_FOUND);
	assert_int_equal(t.c->ops->staff_queue_remove(t.c, s2, a),
			 -GH_NOT_FOUND);
	assert_int_equal(t.c->ops->staff_in_queue(t.c, s1, z), -GH_NOT_FOUND);
	assert_int_equal(t.c->ops->staff_queue_list(t.c, s2, &l), 0);
	assert_int_equal(l.n, 1);
	queue_list_clear(&l);
	assert_int_equal(t.c->ops->staff_queue_list(t.c, s2 + 9, &l), 0);
	assert_int_equal(l.n, 0);
	queue_list_clear(&l);
	sc_end(&t);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_customer_contact_and_phrase),
		cmocka_unit_test(test_customer_sealed_next),
		cmocka_unit_test(test_customer_name),
		cmocka_unit_test(test_customer_visible),
		cmocka_unit_test(test_contact_codes),
		cmocka_unit_test(test_contact_checks),
		cmocka_unit_test(test_contact_reveals),
		cmocka_unit_test(test_contact_mfa),
		cmocka_unit_test(test_sealed_heads),
		cmocka_unit_test(test_sealed_get_replace),
		cmocka_unit_test(test_field_defs),
		cmocka_unit_test(test_field_values),
		cmocka_unit_test(test_customer_personal),
		cmocka_unit_test(test_phone_idx),
		cmocka_unit_test(test_reveal_insert_count),
		cmocka_unit_test(test_reveal_locks),
		cmocka_unit_test(test_reveal_agents),
		cmocka_unit_test(test_queues),
	};

	return sc_main(argc, argv, "store_customers", tests,
		       sizeof(tests) / sizeof(tests[0]));
}
