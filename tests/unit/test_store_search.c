/*
 * Store conformance, group "search" (issue 16): search.c of both backends
 * (tests/unit/store_conf.h runs every test on SQLite and on PostgreSQL):
 * matching (diacritics, phrases, prefixes, no word), notes for staff
 * only, the portal's own tickets only, the staff visibility rule, totals
 * and the capped flag with small bounds, sort orders, paging, and the
 * saved views. Prerequisite rows through the operations of both backends;
 * priority, tags, due times and breaches with raw SQL through sc_sql.
 */
#include <sqlite3.h>

#include "store_conf.h"

/* Runs sql (no result rows) on the store sc_last names; 0 or -1. */
static int
sc_sql(const char *sql)
{
	if (sc_pg) {
		PGconn *db = PQconnectdb(sc_last);
		PGresult *r = PQexec(db, sql);
		int ok = PQresultStatus(r) == PGRES_COMMAND_OK;

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

struct fx {
	struct store *s;
	struct store_conn *c;
	int64_t cust, cust2;  /* two customers */
	int64_t agent;        /* in queue general */
	int64_t outsider;     /* in no queue */
};

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
	f->outsider = mk_staff(f->c, "a2@example.com", "Agent Two");
	/* A new staff member is in queue general: the outsider leaves. */
	assert_int_equal(f->c->ops->staff_queue_remove(f->c, f->outsider,
						       STORE_QUEUE_GENERAL), 0);
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
	return id;
}

static int64_t
mk_message(struct fx *f, int64_t tid, const char *body, int64_t now)
{
	int64_t id = 0;

	assert_int_equal(f->c->ops->message_insert(f->c, tid, REALM_CUSTOMER,
						   f->cust, body, now, &id), 0);
	return id;
}

static int64_t
mk_note(struct fx *f, int64_t tid, const char *body, int64_t now)
{
	int64_t id = 0;

	assert_int_equal(f->c->ops->note_insert(f->c, tid, f->agent, body, now,
						&id), 0);
	return id;
}

/* A staff query of the admin kind (sees all), no filter. */
static struct search_query
staff_q(struct fx *f, const char *match)
{
	struct search_query q;

	memset(&q, 0, sizeof(q));
	q.viewer_id = f->agent;
	q.see_all = 1;
	q.match = match;
	q.breached = -1;
	q.limit = 50;
	q.candidates = 100;
	return q;
}

static struct search_result
run(struct fx *f, const struct search_query *q)
{
	struct search_result r;
	int64_t n = -1;

	assert_int_equal(f->c->ops->search.tickets(f->c, q, &r), 0);
	assert_int_equal(f->c->ops->search.count(f->c, q, &n), 0);
	assert_int_equal(n, r.total);
	return r;
}

/* Whether ticket id is among r's hits. */
static int
has(const struct search_result *r, int64_t id)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].t.id == id)
			return 1;
	return 0;
}

static void
test_match_diacritics_snippet(void **state)
{
	struct fx f;
	struct search_query q;
	struct search_result r;
	int64_t a, b;

	(void)state;
	fx_open(&f);
	a = mk_ticket(&f, f.cust, "Crème brûlée recipe", 100);
	b = mk_ticket(&f, f.cust, "Printer jam", 101);
	mk_message(&f, b, "Mr Müller called about the printer", 102);
	q = staff_q(&f, "\"creme\" \"brulee\"");
	r = run(&f, &q);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.total, 1);
	assert_int_equal(r.capped, 0);
	assert_int_equal(r.v[0].t.id, a);
	assert_int_equal(r.v[0].doc, SEARCH_DOC_SUBJECT);
	assert_true(r.v[0].score < 0);
	assert_non_null(strstr(r.v[0].snippet, SEARCH_MARK_START "Crème"
					       SEARCH_MARK_END));
	assert_null(strchr(r.v[0].snippet, '<'));
	assert_string_equal(r.v[0].t.subject, "Crème brûlée recipe");
	search_result_clear(&r);
	q = staff_q(&f, "\"MULLER\"");
	r = run(&f, &q);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.v[0].t.id, b);
	assert_int_equal(r.v[0].doc, SEARCH_DOC_MESSAGE);
	assert_non_null(strstr(r.v[0].snippet, SEARCH_MARK_START "Müller"
					       SEARCH_MARK_END));
	search_result_clear(&r);
	/* A short document whole, its punctuation kept; a long one cut
	 * around the match, with an ellipsis where it was cut. */
	mk_message(&f, b, "Hello,   walrus!  bye.", 103);
	mk_message(&f, b, "one two three four five six seven eight nine ten "
		   "eleven twelve thirteen fourteen fifteen sixteen seventeen "
		   "eighteen nineteen twenty narwhal twentytwo twentythree "
		   "twentyfour twentyfive twentysix twentyseven twentyeight "
		   "twentynine thirty thirtyone thirtytwo thirtythree", 104);
	q = staff_q(&f, "\"walrus\"");
	r = run(&f, &q);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.v[0].snippet, "Hello,   " SEARCH_MARK_START
			    "walrus" SEARCH_MARK_END "!  bye.");
	search_result_clear(&r);
	q = staff_q(&f, "\"narwhal\"");
	r = run(&f, &q);
	assert_int_equal(r.n, 1);
	assert_non_null(strstr(r.v[0].snippet, " " SEARCH_MARK_START "narwhal"
					       SEARCH_MARK_END " "));
	assert_memory_equal(r.v[0].snippet, "…", strlen("…"));
	assert_string_equal(r.v[0].snippet + strlen(r.v[0].snippet) -
			    strlen("…"), "…");
	assert_null(strstr(r.v[0].snippet, "one two"));
	assert_null(strstr(r.v[0].snippet, "thirtythree"));
	search_result_clear(&r);
	/* Every term must match. */
	q = staff_q(&f, "\"creme\" \"printer\"");
	r = run(&f, &q);
	assert_int_equal(r.n, 0);
	assert_int_equal(r.total, 0);
	search_result_clear(&r);
	fx_close(&f);
}

static void
test_phrase_prefix_empty(void **state)
{
	struct fx f;
	struct search_query q;
	struct search_result r;
	int64_t a, b;

	(void)state;
	fx_open(&f);
	a = mk_ticket(&f, f.cust, "the invoice overdue notice", 100);
	b = mk_ticket(&f, f.cust, "overdue: the invoice", 101);
	q = staff_q(&f, "\"invoice overdue\"");
	r = run(&f, &q);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.v[0].t.id, a);
	search_result_clear(&r);
	q = staff_q(&f, "\"invoice\" \"overdue\"");
	r = run(&f, &q);
	assert_int_equal(r.total, 2);
	assert_true(has(&r, a) && has(&r, b));
	search_result_clear(&r);
	/* A prefix: on the phrase's last word. */
	q = staff_q(&f, "\"invo\"*");
	r = run(&f, &q);
	assert_int_equal(r.total, 2);
	search_result_clear(&r);
	q = staff_q(&f, "\"invoice over\"*");
	r = run(&f, &q);
	assert_int_equal(r.total, 1);
	assert_int_equal(r.v[0].t.id, a);
	search_result_clear(&r);
	q = staff_q(&f, "\"invo\"");
	r = run(&f, &q);
	assert_int_equal(r.total, 0);
	search_result_clear(&r);
	/* A quote inside a phrase is a quote, not syntax. */
	q = staff_q(&f, "\"in\"\"voice\"");
	r = run(&f, &q);
	assert_int_equal(r.total, 0);
	search_result_clear(&r);
	/* A phrase without a word is dropped from the AND, as by FTS5. */
	q = staff_q(&f, "\"\xe2\x80\x94\" \"invoice overdue\"");
	r = run(&f, &q);
	assert_int_equal(r.total, 1);
	assert_int_equal(r.v[0].t.id, a);
	search_result_clear(&r);
	q = staff_q(&f, "\"\xe2\x80\x94\"");
	r = run(&f, &q);
	assert_int_equal(r.total, 0);
	assert_int_equal(r.capped, 0);
	search_result_clear(&r);
	/* No word: matches nothing, not capped. */
	q = staff_q(&f, "\"\"");
	r = run(&f, &q);
	assert_int_equal(r.n, 0);
	assert_int_equal(r.total, 0);
	assert_int_equal(r.capped, 0);
	search_result_clear(&r);
	fx_close(&f);
}

static void
test_notes_staff_only(void **state)
{
	struct fx f;
	struct search_query q;
	struct search_result r;
	int64_t a;

	(void)state;
	fx_open(&f);
	a = mk_ticket(&f, f.cust, "Login trouble", 100);
	mk_message(&f, a, "I cannot log in", 101);
	mk_note(&f, a, "suspect phishing kiwifruit", 102);
	q = staff_q(&f, "\"kiwifruit\"");
	r = run(&f, &q);
	assert_int_equal(r.total, 0); /* notes off */
	search_result_clear(&r);
	q.notes = 1;
	r = run(&f, &q);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.v[0].t.id, a);
	assert_int_equal(r.v[0].doc, SEARCH_DOC_NOTE);
	assert_non_null(strstr(r.v[0].snippet, SEARCH_MARK_START "kiwifruit"
					       SEARCH_MARK_END));
	search_result_clear(&r);
	/* The portal never, even when asking for notes. */
	memset(&q, 0, sizeof(q));
	q.portal_customer = f.cust;
	q.notes = 1;
	q.match = "\"kiwifruit\"";
	q.breached = -1;
	q.limit = 10;
	q.candidates = 100;
	r = run(&f, &q);
	assert_int_equal(r.n, 0);
	assert_int_equal(r.total, 0);
	search_result_clear(&r);
	q.match = "\"log\"";
	r = run(&f, &q);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.v[0].doc, SEARCH_DOC_MESSAGE);
	search_result_clear(&r);
	fx_close(&f);
}

static void
test_portal_own_only(void **state)
{
	struct fx f;
	struct search_query q;
	struct search_result r;
	int64_t a, b;

	(void)state;
	fx_open(&f);
	a = mk_ticket(&f, f.cust, "Parcel missing", 100);
	b = mk_ticket(&f, f.cust2, "Parcel damaged", 101);
	mk_message(&f, b, "my parcel is wet", 102);
	memset(&q, 0, sizeof(q));
	q.portal_customer = f.cust;
	q.match = "\"parcel\"";
	q.breached = -1;
	q.limit = 10;
	q.candidates = 100;
	r = run(&f, &q);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.total, 1);
	assert_int_equal(r.v[0].t.id, a);
	assert_string_equal(r.v[0].t.customer_name, "");
	search_result_clear(&r);
	q.match = NULL;
	r = run(&f, &q);
	assert_int_equal(r.total, 1);
	assert_int_equal(r.v[0].t.id, a);
	assert_string_equal(r.v[0].snippet, "");
	search_result_clear(&r);
	q.portal_customer = f.cust2;
	q.match = "\"wet\"";
	r = run(&f, &q);
	assert_int_equal(r.total, 1);
	assert_int_equal(r.v[0].t.id, b);
	search_result_clear(&r);
	fx_close(&f);
}

static void
test_staff_visibility_filters(void **state)
{
	struct fx f;
	struct search_query q;
	struct search_result r;
	int64_t a, b;

	(void)state;
	fx_open(&f);
	a = mk_ticket(&f, f.cust, "Refund request", 100);
	b = mk_ticket(&f, f.cust2, "Refund again", 101);
	assert_int_equal(f.c->ops->ticket_update(f.c, b, "solved", f.agent,
						 110), 0);
	q = staff_q(&f, "\"refund\"");
	q.viewer_id = f.outsider;
	q.see_all = 0;
	r = run(&f, &q);
	assert_int_equal(r.total, 0); /* in no queue, assigned nothing */
	search_result_clear(&r);
	q.viewer_id = f.agent;
	r = run(&f, &q);
	assert_int_equal(r.total, 2); /* the pool's and their own */
	search_result_clear(&r);
	q.status = "unsolved";
	r = run(&f, &q);
	assert_int_equal(r.total, 1);
	assert_int_equal(r.v[0].t.id, a);
	search_result_clear(&r);
	q.status = NULL;
	q.assigned = TA_ME;
	r = run(&f, &q);
	assert_int_equal(r.total, 1);
	assert_int_equal(r.v[0].t.id, b);
	assert_string_equal(r.v[0].t.assignee_name, "Agent One");
	search_result_clear(&r);
	q.assigned = TA_UNASSIGNED;
	q.customer_id = f.cust;
	r = run(&f, &q);
	assert_int_equal(r.total, 1);
	assert_int_equal(r.v[0].t.id, a);
	search_result_clear(&r);
	q.customer_id = 0;
	q.assigned = TA_ANY;
	q.created_after = 101;
	r = run(&f, &q);
	assert_int_equal(r.total, 1);
	assert_int_equal(r.v[0].t.id, b);
	q.created_after = 0;
	q.created_before = 101;
	search_result_clear(&r);
	r = run(&f, &q);
	assert_int_equal(r.total, 1);
	assert_int_equal(r.v[0].t.id, a);
	search_result_clear(&r);
	/* Without a text the same rules. */
	q = staff_q(&f, NULL);
	q.viewer_id = f.outsider;
	q.see_all = 0;
	r = run(&f, &q);
	assert_int_equal(r.total, 0);
	search_result_clear(&r);
	q.see_all = 1;
	r = run(&f, &q);
	assert_int_equal(r.total, 2);
	assert_int_equal(r.v[0].score, 0);
	search_result_clear(&r);
	fx_close(&f);
}

static void
test_attr_filters_sorts(void **state)
{
	struct fx f;
	struct search_query q;
	struct search_result r;
	int64_t a, b, c;
	char sql[400];

	(void)state;
	fx_open(&f);
	a = mk_ticket(&f, f.cust, "gizmo one", 100);
	b = mk_ticket(&f, f.cust, "gizmo two", 101);
	c = mk_ticket(&f, f.cust, "gizmo three", 102);
	snprintf(sql, sizeof(sql),
		 "UPDATE tickets SET priority = 'urgent', due_at = 500, "
		 "breached = 1 WHERE id = %lld; UPDATE tickets SET priority = "
		 "'high', due_at = 400 WHERE id = %lld; INSERT INTO ticket_tags "
		 "(ticket_id, tag) VALUES (%lld, 'vip'), (%lld, 'vip')",
		 (long long)a, (long long)b, (long long)a, (long long)c);
	assert_int_equal(sc_sql(sql), 0);
	q = staff_q(&f, "\"gizmo\"");
	q.priority = "urgent";
	r = run(&f, &q);
	assert_int_equal(r.total, 1);
	assert_int_equal(r.v[0].t.id, a);
	assert_string_equal(r.v[0].t.priority, "urgent");
	search_result_clear(&r);
	q.priority = NULL;
	q.tag = "vip";
	r = run(&f, &q);
	assert_int_equal(r.total, 2);
	assert_true(has(&r, a) && has(&r, c));
	search_result_clear(&r);
	q.tag = NULL;
	q.due_before = 500;
	r = run(&f, &q);
	assert_int_equal(r.total, 1);
	assert_int_equal(r.v[0].t.id, b);
	search_result_clear(&r);
	q.due_before = 0;
	q.breached = 1;
	r = run(&f, &q);
	assert_int_equal(r.total, 1);
	assert_int_equal(r.v[0].t.id, a);
	search_result_clear(&r);
	q.breached = 0;
	r = run(&f, &q);
	assert_int_equal(r.total, 2);
	search_result_clear(&r);
	/* Highest priority first; soonest due first, none last. */
	q.breached = -1;
	q.sort = SEARCH_SORT_PRIORITY;
	r = run(&f, &q);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.v[0].t.id, a);
	assert_int_equal(r.v[1].t.id, b);
	assert_int_equal(r.v[2].t.id, c);
	search_result_clear(&r);
	q.sort = SEARCH_SORT_DUE;
	r = run(&f, &q);
	assert_int_equal(r.v[0].t.id, b);
	assert_int_equal(r.v[1].t.id, a);
	assert_int_equal(r.v[2].t.id, c);
	search_result_clear(&r);
	/* The portal: its order is last activity, the filters the same. */
	memset(&q, 0, sizeof(q));
	q.portal_customer = f.cust;
	q.match = "\"gizmo\"";
	q.breached = -1;
	q.tag = "vip";
	q.limit = 10;
	q.candidates = 100;
	r = run(&f, &q);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.v[0].t.id, c);
	assert_int_equal(r.v[1].t.id, a);
	search_result_clear(&r);
	fx_close(&f);
}

static void
test_totals_capped(void **state)
{
	struct fx f;
	struct search_query q;
	struct search_result r;
	char s[32];

	(void)state;
	fx_open(&f);
	for (int i = 0; i < 12; i++) {
		snprintf(s, sizeof(s), "alpha number %d", i);
		mk_ticket(&f, f.cust, s, 100 + i);
	}
	q = staff_q(&f, "\"alpha\"");
	r = run(&f, &q);
	assert_int_equal(r.total, 12);
	assert_int_equal(r.capped, 0);
	search_result_clear(&r);
	q.candidates = 3;
	q.limit = 2;
	r = run(&f, &q);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.total, 3);
	assert_int_equal(r.capped, 1);
	search_result_clear(&r);
	/* Past the last page: the total and the flag still. */
	q.offset = 10;
	r = run(&f, &q);
	assert_int_equal(r.n, 0);
	assert_int_equal(r.total, 3);
	assert_int_equal(r.capped, 1);
	search_result_clear(&r);
	/* Nothing passes, but the newest examined (10) were all there:
	 * the bounds say capped. */
	q.offset = 0;
	q.candidates = 1;
	q.viewer_id = f.outsider;
	q.see_all = 0;
	r = run(&f, &q);
	assert_int_equal(r.n, 0);
	assert_int_equal(r.total, 0);
	assert_int_equal(r.capped, 1);
	search_result_clear(&r);
	q.candidates = 2; /* 20 examined: more than there are */
	r = run(&f, &q);
	assert_int_equal(r.total, 0);
	assert_int_equal(r.capped, 0);
	search_result_clear(&r);
	/* The portal: its own documents only. */
	memset(&q, 0, sizeof(q));
	q.portal_customer = f.cust;
	q.match = "\"alpha\"";
	q.breached = -1;
	q.limit = 50;
	q.candidates = 5;
	r = run(&f, &q);
	assert_int_equal(r.total, 5);
	assert_int_equal(r.capped, 1);
	search_result_clear(&r);
	q.portal_customer = f.cust2;
	r = run(&f, &q);
	assert_int_equal(r.total, 0);
	assert_int_equal(r.capped, 0);
	search_result_clear(&r);
	fx_close(&f);
}

static void
test_sort_paging(void **state)
{
	struct fx f;
	struct search_query q;
	struct search_result r;
	int64_t id[5], sub, msg;

	(void)state;
	fx_open(&f);
	/* created 100..104; updated in the reverse order. */
	for (int i = 0; i < 5; i++)
		id[i] = mk_ticket(&f, f.cust, "plain", 100 + i);
	for (int i = 0; i < 5; i++)
		assert_int_equal(f.c->ops->ticket_update(f.c, id[i], "open", 0,
							 300 - i), 0);
	q = staff_q(&f, NULL);
	q.sort = SEARCH_SORT_CREATED;
	r = run(&f, &q);
	assert_int_equal(r.n, 5);
	for (int i = 0; i < 5; i++)
		assert_int_equal(r.v[i].t.id, id[4 - i]);
	search_result_clear(&r);
	q.sort = SEARCH_SORT_UPDATED;
	r = run(&f, &q);
	for (int i = 0; i < 5; i++)
		assert_int_equal(r.v[i].t.id, id[i]);
	search_result_clear(&r);
	/* Pages of two. */
	q.limit = 2;
	q.offset = 2;
	r = run(&f, &q);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.total, 5);
	assert_int_equal(r.v[0].t.id, id[2]);
	assert_int_equal(r.v[1].t.id, id[3]);
	search_result_clear(&r);
	q.offset = 4;
	r = run(&f, &q);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.v[0].t.id, id[4]);
	search_result_clear(&r);
	q.offset = 5;
	r = run(&f, &q);
	assert_int_equal(r.n, 0);
	assert_int_equal(r.total, 5);
	search_result_clear(&r);
	/* Relevance: a subject counts twice; the older ticket first. */
	sub = mk_ticket(&f, f.cust, "walrus", 400);
	msg = mk_ticket(&f, f.cust, "other", 401);
	mk_message(&f, msg, "a walrus here", 402);
	q = staff_q(&f, "\"walrus\"");
	q.sort = SEARCH_SORT_RELEVANCE;
	r = run(&f, &q);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.v[0].t.id, sub);
	assert_int_equal(r.v[1].t.id, msg);
	assert_true(r.v[0].score < r.v[1].score);
	search_result_clear(&r);
	q.sort = SEARCH_SORT_UPDATED;
	r = run(&f, &q);
	assert_int_equal(r.v[0].t.id, msg);
	search_result_clear(&r);
	fx_close(&f);
}

static void
test_views(void **state)
{
	struct fx f;
	struct view_rec v, got;
	struct view_list l;
	int64_t mine, shared, other, q2 = 0, n = -1;

	(void)state;
	fx_open(&f);
	assert_int_equal(f.c->ops->queue_insert(f.c, "billing", &q2), 0);
	memset(&v, 0, sizeof(v));
	v.owner_id = f.agent;
	v.created_by = f.agent;
	v.created_at = 50;
	snprintf(v.name, sizeof(v.name), "Mine");
	snprintf(v.filters, sizeof(v.filters), "{\"q\":\"x\"}");
	assert_int_equal(f.c->ops->search.view_insert(f.c, &v, &mine), 0);
	v.owner_id = 0;
	v.queue_id = STORE_QUEUE_GENERAL;
	snprintf(v.name, sizeof(v.name), "Shared");
	assert_int_equal(f.c->ops->search.view_insert(f.c, &v, &shared), 0);
	v.queue_id = q2;
	snprintf(v.name, sizeof(v.name), "Billing");
	assert_int_equal(f.c->ops->search.view_insert(f.c, &v, &other), 0);
	assert_true(mine < shared && shared < other);
	/* Exactly one of owner and queue. */
	v.owner_id = f.agent;
	assert_int_equal(f.c->ops->search.view_insert(f.c, &v, &n), -GH_EXISTS);
	v.owner_id = 0;
	v.queue_id = 0;
	assert_int_equal(f.c->ops->search.view_insert(f.c, &v, &n), -GH_EXISTS);

	assert_int_equal(f.c->ops->search.view_get(f.c, shared, &got), 0);
	assert_int_equal(got.owner_id, 0);
	assert_int_equal(got.queue_id, STORE_QUEUE_GENERAL);
	assert_string_equal(got.queue_name, "general");
	assert_string_equal(got.name, "Shared");
	assert_string_equal(got.filters, "{\"q\":\"x\"}");
	assert_int_equal(got.created_by, f.agent);
	assert_int_equal(got.created_at, 50);
	assert_int_equal(got.updated_at, 50);
	assert_int_equal(f.c->ops->search.view_get(f.c, other + 99, &got),
			 -GH_NOT_FOUND);

	assert_int_equal(f.c->ops->search.view_list(f.c, f.agent, 0, &l), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].id, mine);
	assert_int_equal(l.v[1].id, shared);
	view_list_clear(&l);
	assert_int_equal(f.c->ops->search.view_list(f.c, f.agent, 1, &l), 0);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.v[2].id, other);
	view_list_clear(&l);
	assert_int_equal(f.c->ops->search.view_list(f.c, f.outsider, 0, &l),
			 0);
	assert_int_equal(l.n, 0);
	view_list_clear(&l);

	got.id = mine;
	snprintf(got.name, sizeof(got.name), "Renamed");
	snprintf(got.filters, sizeof(got.filters), "{}");
	got.updated_at = 70;
	assert_int_equal(f.c->ops->search.view_update(f.c, &got), 0);
	assert_int_equal(f.c->ops->search.view_get(f.c, mine, &v), 0);
	assert_string_equal(v.name, "Renamed");
	assert_string_equal(v.filters, "{}");
	assert_int_equal(v.owner_id, f.agent);
	assert_string_equal(v.queue_name, "");
	assert_int_equal(v.created_at, 50);
	assert_int_equal(v.updated_at, 70);
	got.id = other + 99;
	assert_int_equal(f.c->ops->search.view_update(f.c, &got),
			 -GH_NOT_FOUND);

	assert_int_equal(f.c->ops->search.view_count(f.c, f.agent, 0, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(f.c->ops->search.view_count(f.c, 0, q2, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(f.c->ops->search.view_count(f.c, f.outsider, 0, &n),
			 0);
	assert_int_equal(n, 0);

	assert_int_equal(f.c->ops->search.view_delete(f.c, mine), 0);
	assert_int_equal(f.c->ops->search.view_delete(f.c, mine),
			 -GH_NOT_FOUND);
	assert_int_equal(f.c->ops->search.view_get(f.c, mine, &v),
			 -GH_NOT_FOUND);
	assert_int_equal(f.c->ops->search.view_count(f.c, f.agent, 0, &n), 0);
	assert_int_equal(n, 0);
	fx_close(&f);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match_diacritics_snippet),
		cmocka_unit_test(test_phrase_prefix_empty),
		cmocka_unit_test(test_notes_staff_only),
		cmocka_unit_test(test_portal_own_only),
		cmocka_unit_test(test_staff_visibility_filters),
		cmocka_unit_test(test_attr_filters_sorts),
		cmocka_unit_test(test_totals_capped),
		cmocka_unit_test(test_sort_paging),
		cmocka_unit_test(test_views),
	};

	return sc_main(argc, argv, "store_search", tests,
		       sizeof(tests) / sizeof(tests[0]));
}
