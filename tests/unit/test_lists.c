/*
 * The ticket lists of the SQLite store (issue 14, migration 018): every
 * statement of the staff list and the portal list is a range scan of an
 * index in the list's order (EXPLAIN QUERY PLAN: no full scan, no temp
 * B-tree for ORDER BY); paging by keyset gives, for every viewer and every
 * combination of filters, exactly the tickets the visibility rule and the
 * filters allow, in order, each once (checked against a reference computed
 * here from the rows written, with many tickets sharing a timestamp); the
 * migration carries last_activity over and backfills last_from.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/sql/db.h"
#include "store/store.h"
#include "util/embed.h"
#include "util/errors.h"

extern const struct embedded_file store_migrations[];

static char dir[] = "/tmp/gh-lists-XXXXXX";
static int db_seq;

#define N_TICKETS 240
#define PAGE 7

/* A ticket as written, for the reference lists. */
struct ref {
	int64_t id, customer, assignee, queue, updated, activity;
	const char *status;
};

struct world {
	struct store *s;
	struct store_conn *c;
	char url[320], path[300];
	int64_t agent_a, agent_b, sup, cust[2], q2, q3;
	struct ref t[N_TICKETS];
};

/* A new database file for each test. */
static void
new_paths(struct world *w)
{
	db_seq++;
	snprintf(w->path, sizeof(w->path), "%s/lists%d.db", dir, db_seq);
	snprintf(w->url, sizeof(w->url), "sqlite:%s", w->path);
}

static int64_t
add_staff(struct store_conn *c, const char *email, const char *role)
{
	unsigned char seed[4] = {1, 2, 3, 4};
	struct staff_new s = {email, email, role, "x", {seed, sizeof(seed)}};
	int64_t id = 0;

	assert_int_equal(c->ops->staff_insert(c, &s, &id), 0);
	return id;
}

static int64_t
add_customer(struct store_conn *c, const char *idx)
{
	unsigned char b[4] = {5, 6, 7, 8};
	struct customer_new n;
	int64_t id = 0;

	memset(&n, 0, sizeof(n));
	n.email_idx = idx;
	n.email = (struct blob){b, sizeof(b)};
	n.name = idx;
	n.pw_hash = "x";
	n.totp_seed = (struct blob){b, sizeof(b)};
	assert_int_equal(c->ops->customer_insert(c, &n, &id), 0);
	return id;
}

/* A deterministic sequence (the same tickets every run). */
static uint32_t
next_rand(uint32_t *st)
{
	*st = *st * 1103515245u + 12345u;
	return (*st >> 8) & 0xffffff;
}

/* Three staff (agent A in `general` and q2, agent B in q2 only, a
 * supervisor), two customers, and N_TICKETS tickets over 30 seconds of
 * updated_at (so many share one) in every status, queue and assignment. */
static void
seed(struct world *w)
{
	static const char *const st[] = {"open", "pending", "solved"};
	uint32_t r = 7;

	new_paths(w);
	assert_int_equal(store_open(w->url, 2, &w->s), 0);
	w->c = store_acquire(w->s);
	assert_int_equal(w->c->ops->begin(w->c), 0);
	w->agent_a = add_staff(w->c, "a@x", "agent");
	w->agent_b = add_staff(w->c, "b@x", "agent");
	w->sup = add_staff(w->c, "s@x", "supervisor");
	w->cust[0] = add_customer(w->c, "c0");
	w->cust[1] = add_customer(w->c, "c1");
	assert_int_equal(w->c->ops->queue_insert(w->c, "q2", &w->q2), 0);
	assert_int_equal(w->c->ops->queue_insert(w->c, "q3", &w->q3), 0);
	assert_int_equal(w->c->ops->staff_queue_add(w->c, w->agent_a, w->q2),
			 0);
	assert_int_equal(w->c->ops->staff_queue_remove(w->c, w->agent_b,
						       STORE_QUEUE_GENERAL),
			 0);
	assert_int_equal(w->c->ops->staff_queue_add(w->c, w->agent_b, w->q2),
			 0);
	for (int i = 0; i < N_TICKETS; i++) {
		struct ref *t = &w->t[i];
		int64_t who[4] = {0, w->agent_a, w->agent_b, w->sup};
		int64_t qs[3] = {STORE_QUEUE_GENERAL, w->q2, w->q3};
		int64_t mid;

		t->customer = w->cust[next_rand(&r) % 2];
		t->activity = 1000 + (int64_t)(next_rand(&r) % 30);
		assert_int_equal(w->c->ops->ticket_insert(w->c, t->customer,
							  "s", t->activity,
							  &t->id),
				 0);
		assert_int_equal(w->c->ops->message_insert(
					 w->c, t->id, REALM_CUSTOMER,
					 t->customer, "m", t->activity, &mid),
				 0);
		t->queue = qs[next_rand(&r) % 3];
		t->assignee = who[next_rand(&r) % 4];
		t->status = st[next_rand(&r) % 3];
		t->updated = 1000 + (int64_t)(next_rand(&r) % 30);
		assert_int_equal(w->c->ops->ticket_set_queue(w->c, t->id,
							     t->queue, 999),
				 0);
		/* A status change is customer-visible: it moves activity. */
		assert_int_equal(w->c->ops->ticket_update(w->c, t->id,
							  t->status,
							  t->assignee,
							  t->updated),
				 0);
		if (strcmp(t->status, "open") != 0)
			t->activity = t->updated;
	}
	assert_int_equal(w->c->ops->commit(w->c), 0);
}

static void
unseed(struct world *w)
{
	store_release(w->s, w->c);
	store_close(w->s);
	unlink(w->path);
}

/* The query plan of sql, its detail lines joined by '\n'. */
static void
plan_of(sqlite3 *db, const char *sql, char *out, size_t outsz)
{
	char text[8192];
	sqlite3_stmt *st = NULL;
	size_t n = 0;

	snprintf(text, sizeof(text), "EXPLAIN QUERY PLAN %s", sql);
	assert_int_equal(sqlite3_prepare_v2(db, text, -1, &st, NULL),
			 SQLITE_OK);
	out[0] = '\0';
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *d = (const char *)sqlite3_column_text(st, 3);
		int k = snprintf(out + n, outsz - n, "%s\n", d ? d : "");

		assert_true(k > 0 && (size_t)k < outsz - n);
		n += (size_t)k;
	}
	sqlite3_finalize(st);
}

/* No full scan of any table, no sort, and tickets read through one of
 * the list indexes. */
static void
assert_flat_plan(const char *plan, const char *sql)
{
	if (strstr(plan, "TEMP B-TREE") != NULL ||
	    strncmp(plan, "SCAN", 4) == 0 || strstr(plan, "\nSCAN") != NULL ||
	    strstr(plan, "SEARCH t USING") == NULL ||
	    strstr(plan, "SEARCH t USING INTEGER PRIMARY KEY") != NULL)
		fail_msg("plan of %.160s...:\n%s", sql, plan);
}

/* ASVS 11.1.4 (anti-automation: no request costs more as data grows):
 * each of the 20 statements of the staff list and the portal's one use
 * an index range in the list's order, on a table with tickets in it. */
static void
test_query_plans(void **state)
{
	struct world *w = calloc(1, sizeof(*w));
	char plan[4096];
	sqlite3 *db = NULL;

	(void)state;
	seed(w);
	assert_int_equal(sqlite3_open_v2(w->path, &db, SQLITE_OPEN_READONLY,
					 NULL),
			 SQLITE_OK);
	for (int i = 0; i < DB_STAFF_LIST_SHAPES; i++) {
		const char *sql = db_staff_list_sql(i);

		assert_non_null(sql);
		plan_of(db, sql, plan, sizeof(plan));
		assert_flat_plan(plan, sql);
		/* An agent's own view (12 to 15) merges its two ranges. */
		if (i >= 12 && i < 16 &&
		    strstr(plan, "MERGE (UNION ALL)") == NULL)
			fail_msg("not merged:\n%s", plan);
	}
	assert_null(db_staff_list_sql(DB_STAFF_LIST_SHAPES));
	plan_of(db, db_portal_list_sql(), plan, sizeof(plan));
	assert_flat_plan(plan, db_portal_list_sql());
	assert_non_null(strstr(plan, "tickets_by_customer_public"));
	sqlite3_close(db);
	unseed(w);
	free(w);
}

/* 1 when the staff member (sup: sees all) may see t and it passes the
 * filters. */
static int
staff_keeps(const struct world *w, const struct ref *t, int64_t viewer,
	    const char *status, enum ticket_assigned as, int64_t queue)
{
	int member = (viewer == w->agent_a &&
		      (t->queue == STORE_QUEUE_GENERAL || t->queue == w->q2)) ||
		     (viewer == w->agent_b && t->queue == w->q2);
	int sees = viewer == w->sup || t->assignee == viewer ||
		   (t->assignee == 0 && member);

	if (!sees || (status != NULL && strcmp(t->status, status) != 0) ||
	    (queue > 0 && t->queue != queue))
		return 0;
	if (as == TA_ME)
		return t->assignee == viewer;
	if (as == TA_UNASSIGNED)
		return t->assignee == 0;
	return 1;
}

/* Newest first by key, ties by id: the order of both lists. */
static int
before(int64_t ka, int64_t ia, int64_t kb, int64_t ib)
{
	return ka > kb || (ka == kb && ia > ib);
}

/* The expected ids into exp (sorted); their number. */
static size_t
reference(const struct world *w, int64_t viewer, const char *status,
	  enum ticket_assigned as, int64_t queue, int64_t customer,
	  int64_t *exp)
{
	size_t n = 0;

	for (int i = 0; i < N_TICKETS; i++) {
		const struct ref *t = &w->t[i];
		size_t j;

		if (customer > 0 ? t->customer != customer
				 : !staff_keeps(w, t, viewer, status, as,
						queue))
			continue;
		/* Insertion sort by (key, id) descending. */
		for (j = n; j > 0; j--) {
			const struct ref *p = NULL;

			for (int k = 0; k < N_TICKETS; k++)
				if (w->t[k].id == exp[j - 1])
					p = &w->t[k];
			if (customer > 0 ? !before(t->activity, t->id,
						   p->activity, p->id)
					 : !before(t->updated, t->id, p->updated,
						   p->id))
				break;
			exp[j] = exp[j - 1];
		}
		exp[j] = t->id;
		n++;
	}
	return n;
}

/* Pages through the staff list with q (limit PAGE, keyset from each
 * page's last row) into got; their number. */
static size_t
page_staff(struct store_conn *c, struct ticket_query *q, int64_t *got)
{
	size_t n = 0;

	q->limit = PAGE;
	q->after_key = 0;
	q->after_id = 0;
	for (;;) {
		struct ticket_list l = {NULL, 0};
		size_t rows;

		assert_int_equal(c->ops->staff_ticket_list(c, q, &l), 0);
		rows = l.n;
		assert_true(l.n <= PAGE);
		for (size_t i = 0; i < l.n; i++) {
			assert_true(n < N_TICKETS);
			got[n++] = l.v[i].id;
		}
		if (l.n > 0) {
			q->after_key = l.v[l.n - 1].updated_at;
			q->after_id = l.v[l.n - 1].id;
		}
		ticket_list_clear(&l);
		if (rows < PAGE)
			return n;
	}
}

static void
assert_same(const int64_t *exp, size_t ne, const int64_t *got, size_t ng,
	    const char *what)
{
	if (ne != ng)
		fail_msg("%s: %zu tickets expected, %zu listed", what, ne, ng);
	for (size_t i = 0; i < ne; i++)
		if (exp[i] != got[i])
			fail_msg("%s: row %zu is %lld, expected %lld", what, i,
				 (long long)got[i], (long long)exp[i]);
}

/* Every viewer, status, assignment and queue filter: the keyset pages
 * hold exactly the reference list, in order, each ticket once. */
static void
test_staff_pages(void **state)
{
	static const char *const statuses[] = {NULL, "open", "pending",
					       "solved"};
	struct world *w = calloc(1, sizeof(*w));
	int64_t exp[N_TICKETS], got[N_TICKETS];

	(void)state;
	seed(w);
	for (int v = 0; v < 3; v++) {
		int64_t viewer = v == 0 ? w->agent_a
				 : v == 1 ? w->agent_b
					  : w->sup;
		int64_t queues[4] = {0, STORE_QUEUE_GENERAL, w->q2, w->q3};

		for (int s = 0; s < 4; s++)
			for (int a = 0; a < 3; a++)
				for (int qi = 0; qi < 4; qi++) {
					struct ticket_query q;
					char what[96];
					size_t ne, ng;

					memset(&q, 0, sizeof(q));
					q.viewer_id = viewer;
					q.see_all = viewer == w->sup;
					q.status = statuses[s];
					q.assigned = (enum ticket_assigned)a;
					q.queue_id = queues[qi];
					ne = reference(w, viewer, q.status,
						       q.assigned, q.queue_id,
						       0, exp);
					ng = page_staff(w->c, &q, got);
					snprintf(what, sizeof(what),
						 "viewer %d status %d "
						 "assigned %d queue %d",
						 v, s, a, qi);
					assert_same(exp, ne, got, ng, what);
				}
	}
	unseed(w);
	free(w);
}

/* The portal list pages each customer's own tickets by last_activity,
 * and offset skips after the keyset. */
static void
test_portal_pages(void **state)
{
	struct world *w = calloc(1, sizeof(*w));
	int64_t exp[N_TICKETS], got[N_TICKETS];

	(void)state;
	seed(w);
	for (int k = 0; k < 2; k++) {
		struct ticket_page p = {PAGE, 0, 0, 0};
		size_t ne = reference(w, 0, NULL, TA_ANY, 0, w->cust[k], exp);
		size_t ng = 0;
		struct ticket_list l = {NULL, 0};

		assert_true(ne > PAGE * 3);
		do {
			ticket_list_clear(&l);
			assert_int_equal(w->c->ops->portal_ticket_list(
						 w->c, w->cust[k], &p, &l),
					 0);
			for (size_t i = 0; i < l.n; i++)
				got[ng++] = l.v[i].id;
			if (l.n > 0) {
				p.after_key = l.v[l.n - 1].updated_at;
				p.after_id = l.v[l.n - 1].id;
			}
		} while (l.n == PAGE);
		ticket_list_clear(&l);
		assert_same(exp, ne, got, ng, "portal");
		/* After row 4, skipping 2: rows 7.. of the reference. */
		p = (struct ticket_page){3, 2, 0, 0};
		for (int i = 0; i < N_TICKETS; i++)
			if (w->t[i].id == exp[4])
				p = (struct ticket_page){3, 2, w->t[i].activity,
							 w->t[i].id};
		assert_int_equal(w->c->ops->portal_ticket_list(w->c, w->cust[k],
							       &p, &l),
				 0);
		assert_int_equal(l.n, 3);
		assert_same(exp + 7, 3, (int64_t[]){l.v[0].id, l.v[1].id,
						      l.v[2].id},
			    3, "portal offset");
		ticket_list_clear(&l);
	}
	unseed(w);
	free(w);
}

/* Runs migrations 1..17 on a new file with sqlite3 alone and writes a
 * ticket with two messages (the staff's last) and one with none. */
static void
old_schema(const char *path)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
				      "CREATE TABLE schema_migrations ("
				      "version INTEGER PRIMARY KEY, "
				      "applied_at INTEGER NOT NULL)",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	for (int v = 1; v <= 17; v++) {
		char ins[96];

		assert_non_null(store_migrations[v - 1].name);
		assert_int_equal(strtol(store_migrations[v - 1].name, NULL, 10),
				 v);
		assert_int_equal(sqlite3_exec(db,
					      (const char *)store_migrations[v - 1]
						      .data,
					      NULL, NULL, NULL),
				 SQLITE_OK);
		snprintf(ins, sizeof(ins),
			 "INSERT INTO schema_migrations VALUES (%d, 0)", v);
		assert_int_equal(sqlite3_exec(db, ins, NULL, NULL, NULL),
				 SQLITE_OK);
	}
	assert_int_equal(
		sqlite3_exec(
			db,
			"INSERT INTO staff (id, email, name, role, pw_hash, "
			"totp_seed, created_at) VALUES (1, 'a@x', 'A', 'agent', "
			"'x', x'01', 0);"
			"INSERT INTO customers (id, email_idx, email, name, "
			"pw_hash, totp_seed, created_at) VALUES (1, 'i', x'01', "
			"'C', 'x', x'01', 0);"
			"INSERT INTO tickets (id, customer_id, subject, "
			"created_at, updated_at, public_updated_at) VALUES "
			"(1, 1, 's', 10, 50, 40), (2, 1, 't', 20, 20, 20);"
			"INSERT INTO messages (ticket_id, author_realm, "
			"author_id, body, created_at) VALUES "
			"(1, 'customer', 1, 'q', 10), (1, 'staff', 1, 'a', 40);",
			NULL, NULL, NULL),
		SQLITE_OK);
	sqlite3_close(db);
}

static int64_t
one_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t v = -1;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
			 SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Migration 018 on a database of migration 017: last_activity is the old
 * public_updated_at, last_from the realm of the newest message ('' for
 * none), and the portal list reads them. */
static void
test_migration_backfill(void **state)
{
	struct world *w = calloc(1, sizeof(*w));
	struct ticket_page p = {10, 0, 0, 0};
	struct ticket_list l = {NULL, 0};
	sqlite3 *db = NULL;

	(void)state;
	new_paths(w);
	old_schema(w->path);
	assert_int_equal(store_open(w->url, 1, &w->s), 0);
	assert_true(store_schema_version(w->s) >= 18);
	w->c = store_acquire(w->s);
	assert_int_equal(w->c->ops->portal_ticket_list(w->c, 1, &p, &l), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].id, 1);
	assert_int_equal(l.v[0].updated_at, 40);
	assert_string_equal(l.v[0].last_from, "staff");
	assert_int_equal(l.v[1].updated_at, 20);
	assert_string_equal(l.v[1].last_from, "");
	ticket_list_clear(&l);
	assert_int_equal(sqlite3_open(w->path, &db), SQLITE_OK);
	assert_int_equal(one_int(db, "SELECT COUNT(*) FROM pragma_table_info("
				     "'tickets') WHERE name = "
				     "'public_updated_at'"),
			 0);
	assert_int_equal(one_int(db, "SELECT COUNT(*) FROM sqlite_master "
				     "WHERE name IN ('tickets_queue', "
				     "'tickets_by_queue')"),
			 0);
	sqlite3_close(db);
	unseed(w);
	free(w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query_plans),
		cmocka_unit_test(test_staff_pages),
		cmocka_unit_test(test_portal_pages),
		cmocka_unit_test(test_migration_backfill),
	};
	int failed;

	if (mkdtemp(dir) == NULL)
		return 1;
	failed = cmocka_run_group_tests_name("lists", tests, NULL, NULL);
	rmdir(dir);
	return failed;
}
