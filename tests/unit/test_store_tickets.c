/*
 * Store conformance, group "tickets" (issue 16): tickets.c, threads.c,
 * tickets_list.c, held.c, outbox.c and attachments.c of both backends
 * (tests/unit/store_conf.h runs every test on SQLite and on PostgreSQL).
 * Prerequisite rows are made through accounts' operations; a second queue
 * (another group's operation) with raw SQL through sc_sql.
 */
#include <sqlite3.h>

#include "store_conf.h"

/* One store, one connection, and the accounts every test uses. */
struct fx {
	struct store *s;
	struct store_conn *c;
	int64_t cust, cust2;    /* two customers */
	int64_t agent, agent2;  /* two agents, both in queue general */
};

/* Runs sql (no result rows) on the store sc_last names; 0 or -1. */
static int
sc_sql(const char *sql)
{
	if (sc_pg) {
		PGconn *db = PQconnectdb(sc_last);
		PGresult *r = PQexec(db, sql);
		int ok = PQresultStatus(r) == PGRES_COMMAND_OK ||
			 PQresultStatus(r) == PGRES_TUPLES_OK;

		if (!ok)
			print_error("sc_sql: %s", PQerrorMessage(db));
		PQclear(r);
		PQfinish(db);
		return ok ? 0 : -1;
	} else {
		sqlite3 *db = NULL;
		int rc = sqlite3_open(sc_last + strlen("sqlite:"), &db);

		if (rc == SQLITE_OK)
			rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			print_error("sc_sql: %s", sqlite3_errmsg(db));
		sqlite3_close(db);
		return rc == SQLITE_OK ? 0 : -1;
	}
}

/* The first column of the first row of sql as an integer (-1: error). */
static int64_t
sc_int(const char *sql)
{
	int64_t v = -1;

	if (sc_pg) {
		PGconn *db = PQconnectdb(sc_last);
		PGresult *r = PQexec(db, sql);

		if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0)
			v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		PQclear(r);
		PQfinish(db);
	} else {
		sqlite3 *db = NULL;
		sqlite3_stmt *st = NULL;

		if (sqlite3_open(sc_last + strlen("sqlite:"), &db) == SQLITE_OK &&
		    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
		    sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		sqlite3_close(db);
	}
	return v;
}

static int64_t
mk_staff(struct store_conn *c, const char *email, const char *name)
{
	unsigned char seed[4] = {1, 2, 3, 4};
	struct staff_new n = {email, name, "agent", "h", {seed, sizeof(seed)}};
	int64_t id = 0;

	assert_int_equal(c->ops->staff_insert(c, &n, &id), 0);
	return id;
}

static int64_t
mk_customer(struct store_conn *c, const char *idx, const char *name)
{
	unsigned char e[3] = {9, 9, 9};
	struct customer_new n = {idx, {e, sizeof(e)}, name, {NULL, 0},
				 {NULL, 0}, {NULL, 0}, "h", {e, sizeof(e)}, 0};
	int64_t id = 0;

	assert_int_equal(c->ops->customer_insert(c, &n, &id), 0);
	return id;
}

static void
fx_open(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	f->s = sc_open();
	f->c = store_acquire(f->s);
	f->cust = mk_customer(f->c, "idx-ann", "Ann");
	f->cust2 = mk_customer(f->c, "idx-bob", "Bob");
	f->agent = mk_staff(f->c, "a1@example.com", "Agent One");
	f->agent2 = mk_staff(f->c, "a2@example.com", "Agent Two");
}

static void
fx_close(struct fx *f)
{
	store_release(f->s, f->c);
	store_close(f->s);
}

static int64_t
mk_ticket(struct fx *f, int64_t cust, const char *subject, int64_t now)
{
	int64_t id = 0;

	assert_int_equal(f->c->ops->ticket_insert(f->c, cust, subject, now, &id),
			 0);
	assert_true(id > 0);
	return id;
}

/* --- tickets.c ----------------------------------------------------- */

static void
test_ticket_insert_get(void **state)
{
	struct fx f;
	struct ticket_query q = {0};
	struct ticket_rec t;
	int64_t id;

	(void)state;
	fx_open(&f);
	id = mk_ticket(&f, f.cust, "Printer on fire", 1000);
	assert_int_equal(f.c->ops->portal_ticket_get(f.c, f.cust, id, &t), 0);
	assert_int_equal(t.id, id);
	assert_int_equal(t.customer_id, f.cust);
	assert_string_equal(t.subject, "Printer on fire");
	assert_string_equal(t.status, "open");
	assert_int_equal(t.assignee_id, 0);
	assert_string_equal(t.customer_name, "");
	assert_string_equal(t.queue_name, "");
	assert_int_equal(t.created_at, 1000);
	assert_int_equal(t.updated_at, 1000);
	assert_string_equal(t.last_from, "");
	assert_int_equal(t.queue_id, STORE_QUEUE_GENERAL);
	assert_string_equal(t.priority, "");
	/* another customer's ticket, and no ticket */
	assert_int_equal(f.c->ops->portal_ticket_get(f.c, f.cust2, id, &t),
			 -GH_NOT_FOUND);
	assert_int_equal(f.c->ops->portal_ticket_get(f.c, f.cust, id + 99, &t),
			 -GH_NOT_FOUND);
	q.see_all = 1;
	q.viewer_id = f.agent;
	assert_int_equal(f.c->ops->staff_ticket_get(f.c, &q, id, &t), 0);
	assert_string_equal(t.customer_name, "Ann");
	assert_string_equal(t.queue_name, "general");
	assert_string_equal(t.assignee_name, "");
	assert_string_equal(t.priority, "normal");
	assert_string_equal(t.tags, "");
	assert_int_equal(t.due_at, 0);
	assert_int_equal(t.breached, 0);
	assert_int_equal(t.drill_id, 0);
	assert_int_equal(f.c->ops->staff_ticket_get(f.c, &q, id + 99, &t),
			 -GH_NOT_FOUND);
	fx_close(&f);
}

static void
test_ticket_update(void **state)
{
	struct fx f;
	struct ticket_query q = {0};
	struct ticket_rec t;
	int64_t id;

	(void)state;
	fx_open(&f);
	q.see_all = 1;
	id = mk_ticket(&f, f.cust, "s", 1000);
	/* assignment only: staff's updated_at moves, the portal's does not */
	assert_int_equal(f.c->ops->ticket_update(f.c, id, "open", f.agent, 1100),
			 0);
	assert_int_equal(f.c->ops->staff_ticket_get(f.c, &q, id, &t), 0);
	assert_int_equal(t.assignee_id, f.agent);
	assert_string_equal(t.assignee_name, "Agent One");
	assert_int_equal(t.updated_at, 1100);
	assert_int_equal(f.c->ops->portal_ticket_get(f.c, f.cust, id, &t), 0);
	assert_int_equal(t.updated_at, 1000);
	assert_int_equal(t.assignee_id, f.agent);
	/* a change of status moves both; unassigning reads 0 */
	assert_int_equal(f.c->ops->ticket_update(f.c, id, "pending", 0, 1200),
			 0);
	assert_int_equal(f.c->ops->portal_ticket_get(f.c, f.cust, id, &t), 0);
	assert_int_equal(t.updated_at, 1200);
	assert_string_equal(t.status, "pending");
	assert_int_equal(t.assignee_id, 0);
	assert_int_equal(sc_int("SELECT COUNT(*) FROM tickets "
				"WHERE assignee_id IS NULL"), 1);
	assert_int_equal(f.c->ops->ticket_update(f.c, id + 99, "open", 0, 1),
			 -GH_NOT_FOUND);
	/* a status the schema refuses */
	assert_int_equal(f.c->ops->ticket_update(f.c, id, "bogus", 0, 1),
			 -GH_EXISTS);
	fx_close(&f);
}

static void
test_ticket_queue_priority_tags(void **state)
{
	struct fx f;
	struct ticket_query q = {0};
	struct ticket_rec t;
	int64_t id, qid;

	(void)state;
	fx_open(&f);
	q.see_all = 1;
	id = mk_ticket(&f, f.cust, "s", 1000);
	assert_int_equal(sc_sql("INSERT INTO queues (name) VALUES ('billing')"),
			 0);
	qid = sc_int("SELECT id FROM queues WHERE name = 'billing'");
	assert_true(qid > 1);
	assert_int_equal(f.c->ops->ticket_set_queue(f.c, id, qid, 1100), 0);
	assert_int_equal(f.c->ops->ticket_set_priority(f.c, id, "urgent", 1200),
			 0);
	assert_int_equal(f.c->ops->ticket_set_tags(f.c, id, "alpha beta vip",
						   1300), 0);
	assert_int_equal(f.c->ops->staff_ticket_get(f.c, &q, id, &t), 0);
	assert_int_equal(t.queue_id, qid);
	assert_string_equal(t.queue_name, "billing");
	assert_string_equal(t.priority, "urgent");
	assert_string_equal(t.tags, "alpha beta vip");
	assert_int_equal(t.updated_at, 1300);
	assert_int_equal(sc_int("SELECT COUNT(*) FROM ticket_tags"), 3);
	assert_int_equal(sc_int("SELECT COUNT(*) FROM ticket_tags WHERE "
				"tag IN ('alpha', 'beta', 'vip')"), 3);
	/* the portal's view moved with none of them */
	assert_int_equal(f.c->ops->portal_ticket_get(f.c, f.cust, id, &t), 0);
	assert_int_equal(t.updated_at, 1000);
	assert_int_equal(f.c->ops->ticket_set_tags(f.c, id, "beta", 1400), 0);
	assert_int_equal(sc_int("SELECT COUNT(*) FROM ticket_tags"), 1);
	assert_int_equal(f.c->ops->ticket_set_tags(f.c, id, "", 1500), 0);
	assert_int_equal(sc_int("SELECT COUNT(*) FROM ticket_tags"), 0);
	assert_int_equal(f.c->ops->ticket_set_queue(f.c, id + 99, qid, 1),
			 -GH_NOT_FOUND);
	assert_int_equal(f.c->ops->ticket_set_priority(f.c, id + 99, "low", 1),
			 -GH_NOT_FOUND);
	assert_int_equal(f.c->ops->ticket_set_tags(f.c, id + 99, "x", 1),
			 -GH_NOT_FOUND);
	assert_int_equal(f.c->ops->ticket_set_priority(f.c, id, "bogus", 1),
			 -GH_EXISTS);
	fx_close(&f);
}

static void
test_ticket_visibility(void **state)
{
	struct fx f;
	struct ticket_query q1 = {0}, q2 = {0};
	struct ticket_rec t;
	int64_t id, qid;

	(void)state;
	fx_open(&f);
	q1.viewer_id = f.agent;
	q2.viewer_id = f.agent2;
	id = mk_ticket(&f, f.cust, "s", 1000);
	/* unassigned in a queue both are in */
	assert_int_equal(f.c->ops->staff_ticket_get(f.c, &q1, id, &t), 0);
	assert_int_equal(f.c->ops->staff_ticket_get(f.c, &q2, id, &t), 0);
	/* assigned: the assignee only */
	assert_int_equal(f.c->ops->ticket_update(f.c, id, "open", f.agent, 1100),
			 0);
	assert_int_equal(f.c->ops->staff_ticket_get(f.c, &q1, id, &t), 0);
	assert_int_equal(f.c->ops->staff_ticket_get(f.c, &q2, id, &t),
			 -GH_NOT_FOUND);
	/* unassigned in a queue neither is in: nobody but see_all */
	assert_int_equal(sc_sql("INSERT INTO queues (name) VALUES ('legal')"), 0);
	qid = sc_int("SELECT id FROM queues WHERE name = 'legal'");
	assert_int_equal(f.c->ops->ticket_update(f.c, id, "open", 0, 1200), 0);
	assert_int_equal(f.c->ops->ticket_set_queue(f.c, id, qid, 1300), 0);
	assert_int_equal(f.c->ops->staff_ticket_get(f.c, &q1, id, &t),
			 -GH_NOT_FOUND);
	q2.see_all = 1;
	assert_int_equal(f.c->ops->staff_ticket_get(f.c, &q2, id, &t), 0);
	fx_close(&f);
}

/* --- threads.c ----------------------------------------------------- */

static void
test_threads(void **state)
{
	struct fx f;
	struct thread_list l;
	struct ticket_rec t;
	int64_t id, m1 = 0, m2 = 0, n1 = 0, x = 0;

	(void)state;
	fx_open(&f);
	id = mk_ticket(&f, f.cust, "s", 1000);
	assert_int_equal(f.c->ops->message_insert(f.c, id, REALM_CUSTOMER, f.cust,
						  "hello", 1100, &m1), 0);
	assert_int_equal(f.c->ops->portal_ticket_get(f.c, f.cust, id, &t), 0);
	assert_string_equal(t.last_from, "customer");
	assert_int_equal(t.updated_at, 1100);
	assert_int_equal(f.c->ops->message_insert(f.c, id, REALM_STAFF, f.agent,
						  "hi back", 1200, &m2), 0);
	assert_true(m2 > m1);
	assert_int_equal(f.c->ops->note_insert(f.c, id, f.agent, "internal only",
					       1300, &n1), 0);
	assert_true(n1 > 0);
	assert_int_equal(f.c->ops->portal_ticket_get(f.c, f.cust, id, &t), 0);
	assert_string_equal(t.last_from, "staff");
	assert_int_equal(t.updated_at, 1200); /* the note moved nothing */
	assert_int_equal(f.c->ops->message_set_analysis(f.c, m1, "[{\"a\":1}]",
							"[\"l\"]"), 0);
	assert_int_equal(f.c->ops->message_set_analysis(f.c, m2 + 99, "[]", "[]"),
			 -GH_NOT_FOUND);
	assert_int_equal(f.c->ops->portal_messages(f.c, f.cust, id, &l), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].id, m1);
	assert_int_equal(l.v[0].author_realm, REALM_CUSTOMER);
	assert_string_equal(l.v[0].author_name, "");
	assert_string_equal(l.v[0].body, "hello");
	assert_int_equal(l.v[0].body_len, 5);
	assert_int_equal(l.v[0].created_at, 1100);
	assert_string_equal(l.v[0].redactions, "[{\"a\":1}]");
	assert_null(l.v[0].links);
	assert_int_equal(l.v[1].id, m2);
	assert_string_equal(l.v[1].author_name, "Agent One");
	thread_list_clear(&l);
	/* another customer's ticket: nothing */
	assert_int_equal(f.c->ops->portal_messages(f.c, f.cust2, id, &l), 0);
	assert_int_equal(l.n, 0);
	thread_list_clear(&l);
	assert_int_equal(f.c->ops->staff_messages(f.c, id, &l), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].links, "[\"l\"]");
	assert_int_equal(l.v[0].reported, 0);
	assert_null(l.v[1].redactions);
	thread_list_clear(&l);
	assert_int_equal(f.c->ops->staff_notes(f.c, id, &l), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].id, n1);
	assert_int_equal(l.v[0].author_realm, REALM_STAFF);
	assert_int_equal(l.v[0].author_id, f.agent);
	assert_string_equal(l.v[0].author_name, "Agent One");
	assert_string_equal(l.v[0].body, "internal only");
	thread_list_clear(&l);
	/* a message to no ticket */
	assert_int_equal(f.c->ops->message_insert(f.c, id + 99, REALM_STAFF,
						  f.agent, "x", 1, &x),
			 -GH_EXISTS);
	fx_close(&f);
}

/* --- tickets_list.c ------------------------------------------------ */

/* The ids of a list, in order, into ids; the count. */
static size_t
list_ids(struct ticket_list *l, int64_t *ids)
{
	size_t i, n = l->n;

	for (i = 0; i < n; i++)
		ids[i] = l->v[i].id;
	ticket_list_clear(l);
	return n;
}

static void
test_staff_list(void **state)
{
	struct fx f;
	struct ticket_query q = {0};
	struct ticket_list l;
	int64_t t[5], ids[8];
	int i;

	(void)state;
	fx_open(&f);
	/* updated_at 100, 300, 300, 200, 400: ties newest id first */
	for (i = 0; i < 5; i++)
		t[i] = mk_ticket(&f, f.cust, "s", 50);
	assert_int_equal(f.c->ops->ticket_set_priority(f.c, t[0], "low", 100), 0);
	assert_int_equal(f.c->ops->ticket_set_priority(f.c, t[1], "low", 300), 0);
	assert_int_equal(f.c->ops->ticket_set_priority(f.c, t[2], "low", 300), 0);
	assert_int_equal(f.c->ops->ticket_update(f.c, t[3], "pending", f.agent,
						 200), 0);
	assert_int_equal(f.c->ops->ticket_update(f.c, t[4], "open", f.agent2,
						 400), 0);
	q.viewer_id = f.agent;
	q.see_all = 1;
	q.limit = 10;
	assert_int_equal(f.c->ops->staff_ticket_list(f.c, &q, &l), 0);
	assert_int_equal(list_ids(&l, ids), 5);
	assert_int_equal(ids[0], t[4]);
	assert_int_equal(ids[1], t[2]);
	assert_int_equal(ids[2], t[1]);
	assert_int_equal(ids[3], t[3]);
	assert_int_equal(ids[4], t[0]);
	/* pages of two by keyset, and offset */
	q.limit = 2;
	assert_int_equal(f.c->ops->staff_ticket_list(f.c, &q, &l), 0);
	assert_int_equal(list_ids(&l, ids), 2);
	q.after_key = 300;
	q.after_id = t[2];
	assert_int_equal(f.c->ops->staff_ticket_list(f.c, &q, &l), 0);
	assert_int_equal(list_ids(&l, ids), 2);
	assert_int_equal(ids[0], t[1]);
	assert_int_equal(ids[1], t[3]);
	q.offset = 2;
	assert_int_equal(f.c->ops->staff_ticket_list(f.c, &q, &l), 0);
	assert_int_equal(list_ids(&l, ids), 1);
	assert_int_equal(ids[0], t[0]);
	q.offset = 0;
	q.after_id = 0;
	q.after_key = 0;
	q.limit = 10;
	/* status filter; queue filter */
	q.status = "pending";
	assert_int_equal(f.c->ops->staff_ticket_list(f.c, &q, &l), 0);
	assert_int_equal(list_ids(&l, ids), 1);
	assert_int_equal(ids[0], t[3]);
	q.status = NULL;
	q.queue_id = STORE_QUEUE_GENERAL;
	assert_int_equal(f.c->ops->staff_ticket_list(f.c, &q, &l), 0);
	assert_int_equal(list_ids(&l, ids), 5);
	q.queue_id = 999;
	assert_int_equal(f.c->ops->staff_ticket_list(f.c, &q, &l), 0);
	assert_int_equal(list_ids(&l, ids), 0);
	q.queue_id = 0;
	/* mine; the unassigned ones */
	q.assigned = TA_ME;
	assert_int_equal(f.c->ops->staff_ticket_list(f.c, &q, &l), 0);
	assert_int_equal(list_ids(&l, ids), 1);
	assert_int_equal(ids[0], t[3]);
	q.assigned = TA_UNASSIGNED;
	assert_int_equal(f.c->ops->staff_ticket_list(f.c, &q, &l), 0);
	assert_int_equal(list_ids(&l, ids), 3);
	assert_int_equal(ids[0], t[2]);
	/* an agent: pool, and own view (theirs merged with the pool, not
	 * agent2's), with a status and a queue */
	q.see_all = 0;
	assert_int_equal(f.c->ops->staff_ticket_list(f.c, &q, &l), 0);
	assert_int_equal(list_ids(&l, ids), 3);
	q.assigned = TA_ANY;
	assert_int_equal(f.c->ops->staff_ticket_list(f.c, &q, &l), 0);
	assert_int_equal(list_ids(&l, ids), 4);
	assert_int_equal(ids[0], t[2]);
	assert_int_equal(ids[1], t[1]);
	assert_int_equal(ids[2], t[3]);
	assert_int_equal(ids[3], t[0]);
	q.limit = 1;
	q.offset = 2;
	assert_int_equal(f.c->ops->staff_ticket_list(f.c, &q, &l), 0);
	assert_int_equal(list_ids(&l, ids), 1);
	assert_int_equal(ids[0], t[3]);
	q.limit = 10;
	q.offset = 0;
	q.status = "open";
	q.queue_id = STORE_QUEUE_GENERAL;
	assert_int_equal(f.c->ops->staff_ticket_list(f.c, &q, &l), 0);
	assert_int_equal(list_ids(&l, ids), 3);
	q.status = "solved";
	assert_int_equal(f.c->ops->staff_ticket_list(f.c, &q, &l), 0);
	assert_int_equal(list_ids(&l, ids), 0);
	fx_close(&f);
}

/* Every statement of the staff list runs (each combination of whose,
 * status and queue, for an agent and a supervisor) and keeps its rules:
 * no row of another agent's, only the status and queue asked for. */
static void
test_staff_list_shapes(void **state)
{
	struct fx f;
	struct ticket_query q = {0};
	struct ticket_list l;
	int64_t t1, t2;
	int all, who, st, qu;
	size_t i;

	(void)state;
	fx_open(&f);
	t1 = mk_ticket(&f, f.cust, "s", 100);
	t2 = mk_ticket(&f, f.cust, "s", 100);
	assert_int_equal(f.c->ops->ticket_update(f.c, t1, "pending", f.agent2,
						 200), 0);
	(void)t2;
	q.viewer_id = f.agent;
	q.limit = 10;
	for (all = 0; all < 2; all++)
		for (who = TA_ANY; who <= TA_UNASSIGNED; who++)
			for (st = 0; st < 2; st++)
				for (qu = 0; qu < 2; qu++) {
					q.see_all = all;
					q.assigned = (enum ticket_assigned)who;
					q.status = st ? "pending" : NULL;
					q.queue_id = qu ? STORE_QUEUE_GENERAL : 0;
					assert_int_equal(f.c->ops->staff_ticket_list(
							 f.c, &q, &l), 0);
					for (i = 0; i < l.n; i++) {
						assert_true(all ||
							    l.v[i].assignee_id !=
								    f.agent2);
						assert_true(!st ||
							    strcmp(l.v[i].status,
								   "pending") == 0);
					}
					ticket_list_clear(&l);
				}
	fx_close(&f);
}

static void
test_portal_list(void **state)
{
	struct fx f;
	struct ticket_page p = {10, 0, 0, 0};
	struct ticket_list l;
	int64_t a, b, c, o, ids[8];

	(void)state;
	fx_open(&f);
	a = mk_ticket(&f, f.cust, "a", 100);
	b = mk_ticket(&f, f.cust, "b", 100);
	c = mk_ticket(&f, f.cust, "c", 50);
	o = mk_ticket(&f, f.cust2, "other", 500);
	/* internal changes do not reorder the portal's list */
	assert_int_equal(f.c->ops->ticket_set_priority(f.c, c, "high", 900), 0);
	assert_int_equal(f.c->ops->portal_ticket_list(f.c, f.cust, &p, &l), 0);
	assert_int_equal(list_ids(&l, ids), 3);
	assert_int_equal(ids[0], b);
	assert_int_equal(ids[1], a);
	assert_int_equal(ids[2], c);
	/* a customer message moves c first */
	assert_int_equal(f.c->ops->message_insert(f.c, c, REALM_CUSTOMER, f.cust,
						  "m", 200, &o), 0);
	assert_int_equal(f.c->ops->portal_ticket_list(f.c, f.cust, &p, &l), 0);
	assert_int_equal(list_ids(&l, ids), 3);
	assert_int_equal(ids[0], c);
	p.after_key = 100;
	p.after_id = b;
	p.limit = 5;
	assert_int_equal(f.c->ops->portal_ticket_list(f.c, f.cust, &p, &l), 0);
	assert_int_equal(list_ids(&l, ids), 1);
	assert_int_equal(ids[0], a);
	p.after_id = 0;
	p.offset = 1;
	p.limit = 1;
	assert_int_equal(f.c->ops->portal_ticket_list(f.c, f.cust, &p, &l), 0);
	assert_int_equal(list_ids(&l, ids), 1);
	assert_int_equal(ids[0], b);
	fx_close(&f);
}

/* --- held.c -------------------------------------------------------- */

static void
test_held(void **state)
{
	struct fx f;
	struct held_new hn;
	struct held_decision d = {0};
	struct held_reply h;
	struct held_list l;
	int64_t id, h1 = 0, h2 = 0, n = 0, last = 0, nid = 0;

	(void)state;
	fx_open(&f);
	id = mk_ticket(&f, f.cust, "s", 1000);
	hn = (struct held_new){id, f.agent, "draft one", "notes_limit", 1100};
	assert_int_equal(f.c->ops->held_insert(f.c, &hn, &h1), 0);
	hn.body = "draft two";
	hn.now = 1200;
	assert_int_equal(f.c->ops->held_insert(f.c, &hn, &h2), 0);
	assert_true(h2 > h1);
	assert_int_equal(f.c->ops->held_get(f.c, id, h1, &h), 0);
	assert_string_equal(h.body, "draft one");
	assert_string_equal(h.author_name, "Agent One");
	assert_string_equal(h.reason, "notes_limit");
	assert_string_equal(h.state, "held");
	assert_int_equal(h.created_at, 1100);
	assert_int_equal(h.decided_by, 0);
	assert_string_equal(h.decision, "");
	held_reply_clear(&h);
	assert_int_equal(f.c->ops->held_get(f.c, id + 99, h1, &h), -GH_NOT_FOUND);
	held_reply_clear(&h);
	d = (struct held_decision){h1, "released", f.agent2, "ok", 0, 1300};
	assert_int_equal(f.c->ops->message_insert(f.c, id, REALM_STAFF, f.agent,
						  "draft one", 1300, &d.message_id), 0);
	assert_int_equal(f.c->ops->held_decide(f.c, &d), 0);
	assert_int_equal(f.c->ops->held_decide(f.c, &d), -GH_CONFLICT);
	d = (struct held_decision){h2, "discarded", f.agent2, "no", 0, 1400};
	assert_int_equal(f.c->ops->held_decide(f.c, &d), 0);
	assert_int_equal(f.c->ops->held_list(f.c, id, &l), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].id, h1);
	assert_string_equal(l.v[0].state, "released");
	assert_string_equal(l.v[0].decided_by_name, "Agent Two");
	assert_int_equal(l.v[0].decided_at, 1300);
	assert_true(l.v[0].message_id > 0);
	assert_string_equal(l.v[1].state, "discarded");
	assert_string_equal(l.v[1].decision, "no");
	assert_int_equal(l.v[1].message_id, 0);
	held_list_clear(&l);
	assert_int_equal(f.c->ops->held_list(f.c, id + 99, &l), 0);
	assert_int_equal(l.n, 0);
	held_list_clear(&l);
	/* the note mark */
	assert_int_equal(f.c->ops->note_mark(f.c, id, &n, &last), 0);
	assert_int_equal(n, 0);
	assert_int_equal(last, 0);
	assert_int_equal(f.c->ops->note_insert(f.c, id, f.agent, "a", 1, &nid),
			 0);
	assert_int_equal(f.c->ops->note_insert(f.c, id, f.agent, "b", 2, &nid),
			 0);
	assert_int_equal(f.c->ops->note_mark(f.c, id, &n, &last), 0);
	assert_int_equal(n, 2);
	assert_int_equal(last, nid);
	fx_close(&f);
}

/* --- outbox.c ------------------------------------------------------ */

static void
test_outbox(void **state)
{
	struct fx f;
	unsigned char rcpt[5] = {1, 2, 3, 4, 5};
	struct outbox_new o = {"ref-a", "reply", {rcpt, sizeof(rcpt)},
			       {NULL, 0}, "Subj", "Body", 100};
	struct outbox_list l;
	int64_t a = 0, b = 0, c = 0;

	(void)state;
	fx_open(&f);
	assert_int_equal(f.c->ops->outbox_insert(f.c, &o, &a), 0);
	o.ref = "ref-b";
	o.now = 50;
	assert_int_equal(f.c->ops->outbox_insert(f.c, &o, &b), 0);
	o.ref = "ref-c";
	o.now = 300;
	assert_int_equal(f.c->ops->outbox_insert(f.c, &o, &c), 0);
	o.ref = "ref-a"; /* ref is unique */
	assert_int_equal(f.c->ops->outbox_insert(f.c, &o, &c), -GH_EXISTS);
	assert_int_equal(f.c->ops->outbox_due(f.c, 200, 10, &l), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].id, b);
	assert_int_equal(l.v[1].id, a);
	assert_string_equal(l.v[1].ref, "ref-a");
	assert_string_equal(l.v[1].kind, "reply");
	assert_int_equal(l.v[1].recipient.len, 5);
	assert_memory_equal(l.v[1].recipient.data, rcpt, 5);
	assert_int_equal(l.v[1].phrase.len, 0);
	assert_string_equal(l.v[1].subject, "Subj");
	assert_string_equal(l.v[1].body_text, "Body");
	assert_int_equal(l.v[1].created_at, 100);
	assert_int_equal(l.v[1].next_attempt_at, 100);
	outbox_list_clear(&l);
	assert_int_equal(f.c->ops->outbox_due(f.c, 200, 1, &l), 0);
	assert_int_equal(l.n, 1);
	outbox_list_clear(&l);
	assert_int_equal(f.c->ops->outbox_due(f.c, 200, 0, &l), 0);
	assert_int_equal(l.n, 0);
	outbox_list_clear(&l);
	assert_int_equal(f.c->ops->outbox_due(f.c, 200, SIZE_MAX, &l), 0);
	assert_int_equal(l.n, 2);
	outbox_list_clear(&l);
	/* a claim on a stale value loses; a claim moves it out of due */
	assert_int_equal(f.c->ops->outbox_claim(f.c, b, 49, 1000), -GH_CONFLICT);
	assert_int_equal(f.c->ops->outbox_claim(f.c, b, 50, 1000), 0);
	assert_int_equal(f.c->ops->outbox_claim(f.c, b, 50, 1000), -GH_CONFLICT);
	assert_int_equal(f.c->ops->outbox_due(f.c, 200, 10, &l), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].id, a);
	outbox_list_clear(&l);
	assert_int_equal(f.c->ops->outbox_failed(f.c, a, 150, "timeout"), 0);
	assert_int_equal(f.c->ops->outbox_due(f.c, 200, 10, &l), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].attempts, 1);
	assert_int_equal(l.v[0].next_attempt_at, 150);
	outbox_list_clear(&l);
	assert_int_equal(f.c->ops->outbox_delivered(f.c, a, 160), 0);
	assert_int_equal(f.c->ops->outbox_due(f.c, 10000, 10, &l), 0);
	assert_int_equal(l.n, 2); /* b and c, not the delivered a */
	assert_int_equal(l.v[0].id, c);
	assert_int_equal(l.v[1].id, b);
	outbox_list_clear(&l);
	assert_int_equal(sc_int("SELECT COUNT(*) FROM outbox WHERE "
				"recipient IS NULL AND phrase IS NULL AND "
				"attempts = 2 AND delivered_at = 160"), 1);
	/* a delivered row is not claimed, nor failed again */
	assert_int_equal(f.c->ops->outbox_claim(f.c, a, 150, 2000), -GH_CONFLICT);
	assert_int_equal(f.c->ops->outbox_failed(f.c, a, 1, "x"), 0);
	assert_int_equal(sc_int("SELECT attempts FROM outbox WHERE "
				"ref = 'ref-a'"), 2);
	fx_close(&f);
}

/* --- attachments.c ------------------------------------------------- */

static void
att_new(struct attachment_new *a, int64_t ticket, enum realm r, int64_t who,
	int64_t created, int64_t delete_after)
{
	static unsigned char content[6] = {0, 1, 2, 0, 4, 5};

	*a = (struct attachment_new){ticket, r, who, "f.txt", 6,
		"aa", "text/plain", "clean", "[]", "[]", NULL, 0,
		{content, sizeof(content)}, created, delete_after};
}

static void
test_attachments(void **state)
{
	struct fx f;
	struct attachment_new an;
	struct attachment_rec r;
	struct attachment_list l;
	int64_t t, a1 = 0, a2 = 0, a3 = 0, ids[4];
	size_t n = 9;

	(void)state;
	fx_open(&f);
	t = mk_ticket(&f, f.cust, "s", 1000);
	att_new(&an, t, REALM_CUSTOMER, f.cust, 1100, 0);
	an.quarantined = 1;
	an.flagged = "[\"x.exe\"]";
	assert_int_equal(f.c->ops->attachment_insert(f.c, &an, &a1), 0);
	att_new(&an, t, REALM_STAFF, f.agent, 1200, 5000);
	assert_int_equal(f.c->ops->attachment_insert(f.c, &an, &a2), 0);
	att_new(&an, t, REALM_CUSTOMER, f.cust, 1300, 4000);
	assert_int_equal(f.c->ops->attachment_insert(f.c, &an, &a3), 0);
	assert_int_equal(f.c->ops->attachment_get(f.c, a1, &r), 0);
	assert_int_equal(r.ticket_id, t);
	assert_int_equal(r.uploader_realm, REALM_CUSTOMER);
	assert_int_equal(r.uploader_id, f.cust);
	assert_string_equal(r.filename, "f.txt");
	assert_int_equal(r.size, 6);
	assert_string_equal(r.sniffed_type, "text/plain");
	assert_int_equal(r.quarantined, 1);
	assert_string_equal(r.flagged, "[\"x.exe\"]");
	assert_int_equal(r.delete_after, 0);
	assert_int_equal(r.content.len, 6);
	assert_memory_equal(r.content.data, an.content.data, 6);
	free(r.content.data);
	assert_int_equal(f.c->ops->attachment_get(f.c, a3 + 99, &r),
			 -GH_NOT_FOUND);
	assert_int_equal(f.c->ops->attachment_list(f.c, t, &l), 0);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.v[0].id, a1);
	assert_int_equal(l.v[2].id, a3);
	assert_null(l.v[0].content.data);
	assert_string_equal(l.v[1].flagged, "[]");
	attachment_list_clear(&l);
	/* the portal: the customer's own uploads, their own ticket only */
	assert_int_equal(f.c->ops->portal_attachment_list(f.c, f.cust, t, &l), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].id, a1);
	assert_int_equal(l.v[1].id, a3);
	attachment_list_clear(&l);
	assert_int_equal(f.c->ops->portal_attachment_list(f.c, f.cust2, t, &l),
			 0);
	assert_int_equal(l.n, 0);
	attachment_list_clear(&l);
	/* release once */
	assert_int_equal(f.c->ops->attachment_release(f.c, a1, f.agent, 1500), 0);
	assert_int_equal(f.c->ops->attachment_release(f.c, a1, f.agent, 1600),
			 -GH_CONFLICT);
	assert_int_equal(f.c->ops->attachment_release(f.c, a2, f.agent, 1600),
			 -GH_CONFLICT);
	assert_int_equal(f.c->ops->attachment_get(f.c, a1, &r), 0);
	assert_int_equal(r.quarantined, 0);
	assert_int_equal(r.released_by, f.agent);
	assert_int_equal(r.released_at, 1500);
	free(r.content.data);
	/* expiry: by delete_after, bounded by max */
	assert_int_equal(f.c->ops->attachment_expired(f.c, 3999, 4, ids, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(f.c->ops->attachment_expired(f.c, 6000, 4, ids, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(ids[0], a3);
	assert_int_equal(ids[1], a2);
	assert_int_equal(f.c->ops->attachment_expired(f.c, 6000, 1, ids, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], a3);
	assert_int_equal(f.c->ops->attachment_delete(f.c, a3), 0);
	assert_int_equal(f.c->ops->attachment_delete(f.c, a3), -GH_NOT_FOUND);
	assert_int_equal(f.c->ops->attachment_get(f.c, a3, &r), -GH_NOT_FOUND);
	fx_close(&f);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ticket_insert_get),
		cmocka_unit_test(test_ticket_update),
		cmocka_unit_test(test_ticket_queue_priority_tags),
		cmocka_unit_test(test_ticket_visibility),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_staff_list),
		cmocka_unit_test(test_staff_list_shapes),
		cmocka_unit_test(test_portal_list),
		cmocka_unit_test(test_held),
		cmocka_unit_test(test_outbox),
		cmocka_unit_test(test_attachments),
	};

	return sc_main(argc, argv, "store_tickets", tests,
		       sizeof(tests) / sizeof(tests[0]));
}
