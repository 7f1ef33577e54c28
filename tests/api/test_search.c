/*
 * API tests of search and saved views (issue 15, part SEARCH) against
 * the real server. The world: queues `general` and `billing`; agent1
 * works `general`, agent2 `billing` only; a supervisor; customers Ann
 * and Bob, each with a ticket through the portal (Ann's in general with
 * an internal note, Bob's moved to billing).
 *
 * Proved here: an agent never sees a ticket of another queue in results
 * or totals, nor in a view's count (ASVS 8.2.1, 8.2.2); notes are found
 * by staff and never through the portal's q; the portal searches the
 * customer's own tickets only; diacritics are ignored ("muller" finds
 * "Müller") and the snippet marks the match; FTS5 syntax in the text is
 * text (never a 5xx; ASVS 1.2.4: the text is bound and quoted, never
 * syntax); a customer is found by e-mail through the blind index, exact
 * match only, and the address is not in the text index; every bad
 * argument answers 400 bad_query naming it (ASVS 2.2.1);
 * saved views: CRUD, the limits, the rules of shared views, the audit
 * of changes and refusals (ASVS 16.3.2), and counts scoped as the list.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

struct world {
	struct gh_server s;
	struct gh_user sup, agent1, agent2, ann, bob;
	struct gh_client c_sup, c_agent1, c_agent2, c_ann, c_bob;
	int64_t t_ann, t_bob;
};

static void
cli_ok(struct world *w, const char *const *args)
{
	char *out = NULL;

	assert_int_equal(gh_cli(&w->s, NULL, &out, args), 0);
	free(out);
}

static int64_t
portal_ticket(struct world *w, struct gh_client *c, const char *subject,
	      const char *body)
{
	struct gh_resp r;
	int64_t id;

	assert_int_equal(gh_send_json(&w->s, c, "POST", "/api/v1/portal/tickets",
				      json_pack("{s:s, s:s}", "subject",
						subject, "body", body),
				      &r),
			 201);
	id = json_integer_value(json_object_get(r.json, "id"));
	gh_resp_free(&r);
	assert_true(id > 0);
	return id;
}

static void
post_ok(struct world *w, struct gh_client *c, int64_t id, const char *what,
	json_t *body, long want)
{
	char path[96];
	struct gh_resp r;

	snprintf(path, sizeof(path), "/api/v1/tickets/%lld/%s", (long long)id,
		 what);
	assert_int_equal(gh_send_json(&w->s, c, "POST", path, body, &r), want);
	gh_resp_free(&r);
}

static void
setup_world(struct world *w)
{
	const char *add_q[] = {"queue", "add", "--name", "billing", NULL};
	const char *join[] = {"staff", "queue", "--email",
			      "agent2@example.com", "--add", "billing", NULL};
	const char *leave[] = {"staff", "queue", "--email",
			       "agent2@example.com", "--remove", "general",
			       NULL};

	gh_add_staff(&w->s, "sup@example.com", "supervisor", &w->sup);
	gh_add_staff(&w->s, "agent1@example.com", "agent", &w->agent1);
	gh_add_staff(&w->s, "agent2@example.com", "agent", &w->agent2);
	gh_add_customer(&w->s, "ann@example.com", &w->ann);
	gh_add_customer(&w->s, "bob@example.org", &w->bob);
	cli_ok(w, add_q);
	cli_ok(w, join);
	cli_ok(w, leave);
}

static int
setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));

	gh_start(&w->s, "[search]\nviews_per_agent = 2\nmax_terms = 4\n"
		 "candidates = 100\n");
	setup_world(w);
	gh_client_init(&w->c_sup, 1);
	gh_client_init(&w->c_agent1, 1);
	gh_client_init(&w->c_agent2, 1);
	gh_client_init(&w->c_ann, 0);
	gh_client_init(&w->c_bob, 0);
	assert_int_equal(gh_login(&w->s, &w->c_sup, &w->sup), 201);
	assert_int_equal(gh_login(&w->s, &w->c_agent1, &w->agent1), 201);
	assert_int_equal(gh_login(&w->s, &w->c_agent2, &w->agent2), 201);
	assert_int_equal(gh_login(&w->s, &w->c_ann, &w->ann), 201);
	assert_int_equal(gh_login(&w->s, &w->c_bob, &w->bob), 201);
	w->t_ann = portal_ticket(w, &w->c_ann, "Refund for Müller order",
				 "Please refund my order from last week.");
	w->t_bob = portal_ticket(w, &w->c_bob, "Invoice question",
				 "The refund on my invoice is missing.");
	post_ok(w, &w->c_sup, w->t_bob, "queue",
		json_pack("{s:s}", "queue", "billing"), 200);
	post_ok(w, &w->c_agent1, w->t_ann, "notes",
		json_pack("{s:s}", "body", "Escalated: zebracrossing case."),
		201);
	*state = w;
	return 0;
}

static int
teardown(void **state)
{
	struct world *w = *state;

	gh_client_free(&w->c_sup);
	gh_client_free(&w->c_agent1);
	gh_client_free(&w->c_agent2);
	gh_client_free(&w->c_ann);
	gh_client_free(&w->c_bob);
	assert_int_equal(gh_stop(&w->s), 0);
	free(w);
	return 0;
}

/* GET base + "?" + args (already encoded), status want; r filled. */
static void
get(struct world *w, struct gh_client *c, const char *base, const char *args,
    long want, struct gh_resp *r)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s%s%s", base, args[0] ? "?" : "", args);
	assert_int_equal(gh_req(&w->s, c, "GET", path, NULL, NULL, r), want);
}

/* The staff search with args: the ids found (at most 8) and the total. */
static int64_t
search_ids(struct world *w, struct gh_client *c, const char *base,
	   const char *args, int64_t ids[8], size_t *n)
{
	struct gh_resp r;
	json_t *arr, *t;
	size_t i;
	int64_t total;

	get(w, c, base, args, 200, &r);
	arr = json_object_get(r.json, "tickets");
	assert_true(json_is_array(arr));
	*n = 0;
	json_array_foreach(arr, i, t) {
		if (*n < 8)
			ids[(*n)++] = json_integer_value(json_object_get(t, "id"));
	}
	total = json_integer_value(json_object_get(r.json, "total"));
	gh_resp_free(&r);
	return total;
}

#define STAFF "/api/v1/tickets"
#define PORTAL "/api/v1/portal/tickets"

/* Searches args as c and expects exactly the one ticket want (0: none),
 * with a total that matches. */
static void
expect_only(struct world *w, struct gh_client *c, const char *base,
	    const char *args, int64_t want)
{
	int64_t ids[8];
	size_t n;
	int64_t total = search_ids(w, c, base, args, ids, &n);

	assert_int_equal(total, want > 0 ? 1 : 0);
	assert_int_equal(n, want > 0 ? 1 : 0);
	if (want > 0)
		assert_int_equal(ids[0], want);
}

/* An agent's results and totals hold only tickets they may see. */
static void
test_scoped_to_queues(void **state)
{
	struct world *w = *state;
	int64_t ids[8];
	size_t n;

	expect_only(w, &w->c_agent1, STAFF, "q=refund", w->t_ann);
	expect_only(w, &w->c_agent2, STAFF, "q=refund", w->t_bob);
	assert_int_equal(search_ids(w, &w->c_sup, STAFF, "q=refund", ids, &n),
			 2);
	assert_int_equal(n, 2);
	/* Filters without text are scoped the same. */
	expect_only(w, &w->c_agent1, STAFF, "sort=created", w->t_ann);
	expect_only(w, &w->c_agent2, STAFF, "customer_email=ann%40example.com",
		    0);
	expect_only(w, &w->c_agent1, STAFF, "q=invoice", 0);
	/* Naming the other queue does not widen anything. */
	expect_only(w, &w->c_agent1, STAFF, "q=refund&queue=billing", 0);
	expect_only(w, &w->c_sup, STAFF, "q=refund&queue=billing", w->t_bob);
	/* Paging: the total is of every match, the page is limit rows. */
	assert_int_equal(search_ids(w, &w->c_sup, STAFF,
				    "q=refund&limit=1&offset=1", ids, &n),
			 2);
	assert_int_equal(n, 1);
	assert_int_equal(search_ids(w, &w->c_sup, STAFF,
				    "q=refund&limit=1&offset=9", ids, &n),
			 2);
	assert_int_equal(n, 0);
	/* The plain list still answers without search arguments. */
	{
		struct gh_resp r;

		get(w, &w->c_agent1, STAFF, "status=open", 200, &r);
		assert_null(json_object_get(r.json, "total"));
		gh_resp_free(&r);
	}
}

/* Notes are found by staff, never through the portal. */
static void
test_notes_staff_only(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	json_t *m;

	get(w, &w->c_agent1, STAFF, "q=zebracrossing", 200, &r);
	assert_int_equal(json_integer_value(json_object_get(r.json, "total")),
			 1);
	m = json_object_get(json_array_get(json_object_get(r.json, "tickets"),
					   0),
			    "match");
	assert_string_equal(json_string_value(json_object_get(m, "in")),
			    "note");
	assert_non_null(strstr(json_string_value(json_object_get(m, "snippet")),
			       "\x02zebracrossing\x03"));
	gh_resp_free(&r);
	/* The note's ticket is Ann's own: still nothing for her. */
	expect_only(w, &w->c_ann, PORTAL, "q=zebracrossing", 0);
	expect_only(w, &w->c_ann, PORTAL, "q=escalated", 0);
	/* Her own words and subject are found; Bob's never. */
	expect_only(w, &w->c_ann, PORTAL, "q=refund", w->t_ann);
	expect_only(w, &w->c_bob, PORTAL, "q=refund", w->t_bob);
	expect_only(w, &w->c_ann, PORTAL, "q=invoice", 0);
	/* The portal takes no staff filter. */
	get(w, &w->c_ann, PORTAL, "q=refund&status=open", 400, &r);
	assert_string_equal(gh_error(&r), "bad_query");
	gh_resp_free(&r);
	get(w, &w->c_ann, PORTAL, "q=refund&sort=priority", 400, &r);
	assert_string_equal(json_string_value(json_object_get(r.json, "field")),
			    "sort");
	gh_resp_free(&r);
}

/* Case and diacritics are ignored; the snippet marks the match. */
static void
test_diacritics(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	json_t *m;

	expect_only(w, &w->c_agent1, STAFF, "q=muller", w->t_ann);
	expect_only(w, &w->c_agent1, STAFF, "q=M%C3%9CLLER", w->t_ann);
	expect_only(w, &w->c_ann, PORTAL, "q=muller", w->t_ann);
	get(w, &w->c_agent1, STAFF, "q=muller", 200, &r);
	m = json_object_get(json_array_get(json_object_get(r.json, "tickets"),
					   0),
			    "match");
	assert_string_equal(json_string_value(json_object_get(m, "in")),
			    "subject");
	assert_non_null(strstr(json_string_value(json_object_get(m, "snippet")),
			       "\x02M\xc3\xbcller\x03"));
	gh_resp_free(&r);
	/* Phrases and prefixes. */
	expect_only(w, &w->c_agent1, STAFF, "q=%22my+order%22", w->t_ann);
	expect_only(w, &w->c_agent1, STAFF, "q=%22order+my%22", 0);
	expect_only(w, &w->c_agent1, STAFF, "q=refu*", w->t_ann);
}

/* FTS5 syntax is text: never an error, never a 5xx. */
static void
test_fts_syntax_safe(void **state)
{
	static const char *const hostile[] = {
		"q=%22", "q=%22%22%22", "q=NEAR(refund+order)", "q=refund+OR+x",
		"q=subject%3Arefund", "q=*", "q=refund+NOT+order", "q=%5E",
		"q=(((", "q=-refund", "q=%22unterminated", "q=AND",
		"q=NEAR%2F2", "q=refund%22+OR+%22x", "q=%7B+%7D", "q=a%27b",
		"q=%2B%2B", "q=body%3A*",
	};
	struct world *w = *state;
	struct gh_resp r;

	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		get(w, &w->c_sup, STAFF, hostile[i], 200, &r);
		gh_resp_free(&r);
		get(w, &w->c_ann, PORTAL, hostile[i], 200, &r);
		gh_resp_free(&r);
	}
	/* The operators are words: "OR" is not a disjunction here. */
	expect_only(w, &w->c_sup, STAFF, "q=refund+OR+nothingatall", 0);
	/* A quote ends a word and opens a phrase (here: empty, dropped). */
	{
		int64_t ids[8];
		size_t n;

		assert_int_equal(search_ids(w, &w->c_sup, STAFF, "q=refund%22",
					    ids, &n),
				 2);
	}
}

/* A customer by e-mail: exact, through the blind index only. */
static void
test_customer_email(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	char args[64];

	expect_only(w, &w->c_sup, STAFF, "customer_email=ann%40example.com",
		    w->t_ann);
	/* The normalisation of logins (case, spaces). */
	expect_only(w, &w->c_sup, STAFF, "customer_email=ANN%40Example.COM",
		    w->t_ann);
	/* Exact only: no prefix, no other address. */
	expect_only(w, &w->c_sup, STAFF, "customer_email=ann%40example.co", 0);
	expect_only(w, &w->c_sup, STAFF, "customer_email=nobody%40example.com",
		    0);
	/* The address is sealed, never indexed as text. */
	expect_only(w, &w->c_sup, STAFF, "q=%22ann%40example.com%22", 0);
	expect_only(w, &w->c_sup, STAFF, "q=ann", 0);
	/* Both filters: only when they name the same customer. */
	snprintf(args, sizeof(args), "customer=%lld&customer_email=ann%%40"
		 "example.com", (long long)w->ann.id);
	expect_only(w, &w->c_sup, STAFF, args, w->t_ann);
	snprintf(args, sizeof(args), "customer=%lld&customer_email=ann%%40"
		 "example.com", (long long)w->bob.id);
	expect_only(w, &w->c_sup, STAFF, args, 0);
	get(w, &w->c_sup, STAFF, "customer_email=ann", 400, &r);
	assert_string_equal(json_string_value(json_object_get(r.json, "field")),
			    "customer_email");
	gh_resp_free(&r);
}

/* Every bad argument: 400 bad_query naming it. */
static void
test_bad_params(void **state)
{
	static const struct {
		const char *args, *field, *error;
	} bad[] = {
		{"q=", "q", "bad_query"},
		{"q=a+b+c+d+e", "q", "bad_query"},
		{"q=%FFx", "q", "bad_query"},
		{"status=closed&q=x", "status", "bad_query"},
		{"assigned=them&q=x", "assigned", "bad_query"},
		{"priority=extreme", "priority", "bad_query"},
		{"tag=Bad+Tag", "tag", "bad_query"},
		{"tag=-x", "tag", "bad_query"},
		{"customer=0", "customer", "bad_query"},
		{"customer=abc", "customer", "bad_query"},
		{"created_after=2026-13-01", "created_after", "bad_query"},
		{"created_after=2026-02-31", "created_after", "bad_query"},
		{"created_before=12", "created_before", "bad_query"},
		{"due_before=tomorrow", "due_before", "bad_query"},
		{"due_within=0", "due_within", "bad_query"},
		{"due_within=99999999", "due_within", "bad_query"},
		{"breached=maybe", "breached", "bad_query"},
		{"sort=random", "sort", "bad_query"},
		{"q=x&limit=0", "limit", "bad_query"},
		{"q=x&limit=101", "limit", "bad_query"},
		{"q=x&offset=10001", "offset", "bad_query"},
		{"q=x&cursor=abc", "cursor", "bad_query"},
		{"q=x&color=red", "color", "bad_query"},
		{"q=x&queue=nope", "queue", "unknown_queue"},
		{"queue=Bad%20Name&q=x", "queue", "bad_query"},
	};
	struct world *w = *state;
	char q201[260];
	struct gh_resp r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		get(w, &w->c_sup, STAFF, bad[i].args, 400, &r);
		assert_string_equal(gh_error(&r), bad[i].error);
		assert_string_equal(
			json_string_value(json_object_get(r.json, "field")),
			bad[i].field);
		gh_resp_free(&r);
	}
	/* 200 code points is the most; 201 is refused. */
	memset(q201, 'x', 200);
	snprintf(q201 + 200, sizeof(q201) - 200, "%s", "");
	{
		char args[300];

		snprintf(args, sizeof(args), "q=%s", q201);
		get(w, &w->c_sup, STAFF, args, 200, &r);
		gh_resp_free(&r);
		snprintf(args, sizeof(args), "q=%sx", q201);
		get(w, &w->c_sup, STAFF, args, 400, &r);
		gh_resp_free(&r);
	}
	get(w, &w->c_ann, PORTAL, "q=", 400, &r);
	gh_resp_free(&r);
	/* Dates as days or seconds. */
	expect_only(w, &w->c_agent1, STAFF, "created_after=2000-01-01",
		    w->t_ann);
	expect_only(w, &w->c_agent1, STAFF, "created_before=2000-01-01", 0);
}

static long
view_send(struct world *w, struct gh_client *c, const char *method,
	  int64_t id, json_t *body, struct gh_resp *r)
{
	char path[64];

	if (id > 0)
		snprintf(path, sizeof(path), "/api/v1/views/%lld",
			 (long long)id);
	else
		snprintf(path, sizeof(path), "/api/v1/views");
	if (body == NULL)
		return gh_req(&w->s, c, method, path, NULL, NULL, r);
	return gh_send_json(&w->s, c, method, path, body, r);
}

static int64_t
view_create(struct world *w, struct gh_client *c, json_t *body, long want)
{
	struct gh_resp r;
	int64_t id;

	assert_int_equal(view_send(w, c, "POST", 0, body, &r), want);
	id = json_integer_value(json_object_get(r.json, "id"));
	gh_resp_free(&r);
	return id;
}

/* The count of view key in c's counts, or -1 when absent. */
static int64_t
view_count(struct world *w, struct gh_client *c, const char *key)
{
	struct gh_resp r;
	json_t *e;
	size_t i;
	int64_t n = -1;

	get(w, c, "/api/v1/views/counts", "", 200, &r);
	json_array_foreach(json_object_get(r.json, "counts"), i, e) {
		if (strcmp(json_string_value(json_object_get(e, "key")), key) ==
		    0)
			n = json_integer_value(json_object_get(e, "count"));
	}
	gh_resp_free(&r);
	return n;
}

/* Priority, tags, due times and breaches (migration 020; due_at and
 * breached are the SLA module's, written here directly), the orders. */
static void
test_attr_filters(void **state)
{
	struct world *w = *state;
	char sql[200], args[80];
	int64_t ids[8];
	size_t n;

	post_ok(w, &w->c_sup, w->t_bob, "priority",
		json_pack("{s:s}", "priority", "urgent"), 200);
	post_ok(w, &w->c_sup, w->t_ann, "tags",
		json_pack("{s:[s], s:[]}", "add", "vip", "remove"), 200);
	snprintf(sql, sizeof(sql),
		 "UPDATE tickets SET due_at = %s + 1800 "
		 "WHERE id = %lld",
		 gh_db_now(&w->s), (long long)w->t_ann);
	gh_db_exec(&w->s, sql);
	snprintf(sql, sizeof(sql),
		 "UPDATE tickets SET due_at = %s - 60, "
		 "breached = 1 WHERE id = %lld",
		 gh_db_now(&w->s), (long long)w->t_bob);
	gh_db_exec(&w->s, sql);
	expect_only(w, &w->c_sup, STAFF, "priority=urgent", w->t_bob);
	expect_only(w, &w->c_agent1, STAFF, "priority=urgent", 0);
	expect_only(w, &w->c_sup, STAFF, "tag=vip", w->t_ann);
	expect_only(w, &w->c_sup, STAFF, "tag=vip&q=invoice", 0);
	expect_only(w, &w->c_sup, STAFF, "breached=true", w->t_bob);
	expect_only(w, &w->c_agent1, STAFF, "breached=1", 0);
	expect_only(w, &w->c_sup, STAFF, "breached=false&q=refund", w->t_ann);
	snprintf(args, sizeof(args), "due_before=%lld",
		 (long long)time(NULL) + 600);
	expect_only(w, &w->c_sup, STAFF, args, w->t_bob);
	/* Orders: the most urgent first; the soonest due first. */
	assert_int_equal(search_ids(w, &w->c_sup, STAFF, "q=refund&sort=priority",
				    ids, &n),
			 2);
	assert_int_equal(ids[0], w->t_bob);
	assert_int_equal(search_ids(w, &w->c_sup, STAFF, "sort=due&due_within=3600",
				    ids, &n),
			 2);
	assert_int_equal(ids[0], w->t_bob);
	assert_int_equal(ids[1], w->t_ann);
	/* The built-in views count what each reader sees. */
	assert_int_equal(view_count(w, &w->c_sup, "due-1h"), 2);
	assert_int_equal(view_count(w, &w->c_agent1, "due-1h"), 1);
	assert_int_equal(view_count(w, &w->c_sup, "breached"), 1);
	assert_int_equal(view_count(w, &w->c_agent1, "breached"), 0);
	assert_int_equal(view_count(w, &w->c_agent2, "breached"), 1);
	/* Put back: no due time, no breach, normal. */
	gh_db_exec(&w->s, "UPDATE tickets SET due_at = NULL, breached = 0");
	post_ok(w, &w->c_sup, w->t_bob, "priority",
		json_pack("{s:s}", "priority", "normal"), 200);
}

/* Personal views: CRUD, owner only, limits, audit. */
static void
test_views_personal(void **state)
{
	struct world *w = *state;
	int64_t id, creates = gh_audit_count(&w->s, "view.create", "ok");
	int64_t updates = gh_audit_count(&w->s, "view.update", "ok");
	int64_t deletes = gh_audit_count(&w->s, "view.delete", "ok");
	struct gh_resp r;
	char key[24];

	id = view_create(w, &w->c_agent1,
			 json_pack("{s:s, s:{s:s}}", "name", "Refunds",
				   "filters", "q", "refund"),
			 201);
	assert_true(id > 0);
	assert_int_equal(gh_audit_count(&w->s, "view.create", "ok"),
			 creates + 1);
	snprintf(key, sizeof(key), "%lld", (long long)id);
	assert_int_equal(view_count(w, &w->c_agent1, key), 1);
	assert_int_equal(view_count(w, &w->c_agent1, "unassigned"), 1);
	assert_int_equal(view_count(w, &w->c_agent2, "unassigned"), 1);
	assert_int_equal(view_count(w, &w->c_sup, "unassigned"), 2);
	assert_int_equal(view_count(w, &w->c_agent1, "my-open"), 0);
	/* Someone else's personal view does not exist for them. */
	assert_int_equal(view_count(w, &w->c_agent2, key), -1);
	assert_int_equal(view_send(w, &w->c_agent2, "PUT", id,
				   json_pack("{s:s}", "name", "Mine"), &r),
			 404);
	gh_resp_free(&r);
	assert_int_equal(view_send(w, &w->c_sup, "DELETE", id, NULL, &r), 404);
	gh_resp_free(&r);
	/* Changed by its owner. */
	assert_int_equal(view_send(w, &w->c_agent1, "PUT", id,
				   json_pack("{s:s, s:{s:s}}", "name",
					     "Muller", "filters", "q", "muller"),
				   &r),
			 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "name")),
			    "Muller");
	gh_resp_free(&r);
	assert_int_equal(gh_audit_count(&w->s, "view.update", "ok"),
			 updates + 1);
	/* The limit (views_per_agent = 2 here). */
	assert_true(view_create(w, &w->c_agent1,
				json_pack("{s:s, s:{}}", "name", "All",
					  "filters"),
				201) > 0);
	view_create(w, &w->c_agent1,
		    json_pack("{s:s, s:{}}", "name", "Third", "filters"), 409);
	/* Deleted by its owner, once. */
	assert_int_equal(view_send(w, &w->c_agent1, "DELETE", id, NULL, &r),
			 200);
	gh_resp_free(&r);
	assert_int_equal(view_send(w, &w->c_agent1, "DELETE", id, NULL, &r),
			 404);
	gh_resp_free(&r);
	assert_int_equal(gh_audit_count(&w->s, "view.delete", "ok"),
			 deletes + 1);
}

/* A refused view body: 400 naming the part, nothing stored. */
static void
expect_bad_view(struct world *w, json_t *body, long want, const char *field)
{
	int64_t before = gh_db_count(&w->s, "SELECT COUNT(*) FROM saved_views");
	struct gh_resp r;

	assert_int_equal(view_send(w, &w->c_sup, "POST", 0, body, &r), want);
	assert_string_equal(json_string_value(json_object_get(r.json, "field")),
			    field);
	gh_resp_free(&r);
	assert_int_equal(gh_db_count(&w->s, "SELECT COUNT(*) FROM saved_views"),
			 before);
}

static void
test_views_bad_input(void **state)
{
	struct world *w = *state;
	char name61[64];

	memset(name61, 'n', 61);
	name61[61] = '\0';
	expect_bad_view(w, json_pack("{s:s, s:{s:s}}", "name", "x", "filters",
				     "color", "red"),
			400, "filters.color");
	expect_bad_view(w, json_pack("{s:s, s:{s:i}}", "name", "x", "filters",
				     "status", 1),
			400, "filters.status");
	expect_bad_view(w, json_pack("{s:s, s:{s:s}}", "name", "x", "filters",
				     "status", "closed"),
			400, "filters.status");
	expect_bad_view(w, json_pack("{s:s, s:{s:s}}", "name", "x", "filters",
				     "limit", "5"),
			400, "filters.limit");
	expect_bad_view(w, json_pack("{s:s, s:{}}", "name", name61, "filters"),
			400, "name");
	expect_bad_view(w, json_pack("{s:s, s:{}}", "name", "", "filters"), 400,
			"name");
	expect_bad_view(w, json_pack("{s:{}}", "filters"), 400, "name");
	expect_bad_view(w, json_pack("{s:s, s:s}", "name", "x", "filters", "q"),
			400, "filters");
	expect_bad_view(w, json_pack("{s:s, s:{}, s:s}", "name", "x",
				     "filters", "queue", "nope"),
			400, "queue");
	/* A sealed field is never kept in a view's filters (shown in
	 * clear to every reader of a shared view). */
	expect_bad_view(w, json_pack("{s:s, s:{s:s}}", "name", "x", "filters",
				     "customer_email", "ann@example.com"),
			400, "filters.customer_email");
	expect_bad_view(w, json_pack("{s:s, s:{s:s, s:s}, s:s}", "name", "x",
				     "filters", "customer_email",
				     "ann@example.com", "status", "open",
				     "queue", "general"),
			400, "filters.customer_email");
}

/* Shared views: supervisors make them, the queue's members see them
 * and count them as their own list; agents may not change them. */
static void
test_views_shared(void **state)
{
	struct world *w = *state;
	int64_t id, denied = gh_audit_count(&w->s, "view.create", "denied");
	struct gh_resp r;
	char key[24];

	view_create(w, &w->c_agent1,
		    json_pack("{s:s, s:{}, s:s}", "name", "Team", "filters",
			      "queue", "general"),
		    403);
	assert_int_equal(gh_audit_count(&w->s, "view.create", "denied"),
			 denied + 1);
	id = view_create(w, &w->c_sup,
			 json_pack("{s:s, s:{s:s}, s:s}", "name", "Refunds",
				   "filters", "q", "refund", "queue",
				   "general"),
			 201);
	snprintf(key, sizeof(key), "%lld", (long long)id);
	/* Counted as each reader's list. */
	assert_int_equal(view_count(w, &w->c_agent1, key), 1);
	assert_int_equal(view_count(w, &w->c_sup, key), 2);
	/* Not a member of general: not there at all. */
	assert_int_equal(view_count(w, &w->c_agent2, key), -1);
	assert_int_equal(view_send(w, &w->c_agent2, "DELETE", id, NULL, &r),
			 404);
	gh_resp_free(&r);
	/* A member sees it and may not change it: 403, audited. */
	get(w, &w->c_agent1, "/api/v1/views", "", 200, &r);
	{
		json_t *v;
		size_t i;
		int seen = 0;

		json_array_foreach(json_object_get(r.json, "views"), i, v) {
			if (json_integer_value(json_object_get(v, "id")) != id)
				continue;
			seen = 1;
			assert_true(json_is_false(json_object_get(v, "editable")));
			assert_string_equal(json_string_value(json_object_get(
						    v, "queue")),
					    "general");
		}
		assert_true(seen);
	}
	gh_resp_free(&r);
	assert_int_equal(view_send(w, &w->c_agent1, "PUT", id,
				   json_pack("{s:s}", "name", "Mine"), &r),
			 403);
	gh_resp_free(&r);
	assert_int_equal(view_send(w, &w->c_agent1, "DELETE", id, NULL, &r),
			 403);
	gh_resp_free(&r);
	assert_int_equal(gh_audit_count(&w->s, "view.update", "denied"), 1);
	assert_int_equal(gh_audit_count(&w->s, "view.delete", "denied"), 1);
	assert_int_equal(gh_db_countf(&w->s,
				      "SELECT COUNT(*) FROM saved_views WHERE "
				      "id = %lld AND name = 'Refunds'",
				      (long long)id),
			 1);
	assert_int_equal(view_send(w, &w->c_sup, "DELETE", id, NULL, &r), 200);
	gh_resp_free(&r);
}

/* The bound on candidates ([search] candidates = 100 here): a word in
 * more documents than that is ranked and counted among the newest 100
 * the caller may see, and the answer says the total is not exact. Runs
 * last: it adds 150 tickets to `general`. */
static void
test_candidates_cap(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	char sql[400];

	snprintf(sql, sizeof(sql),
		 "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
		 "FROM n WHERE i < 150) INSERT INTO tickets (customer_id, "
		 "subject, status, queue_id, created_at, updated_at, "
		 "last_activity) SELECT %lld, 'capword ' || i, 'open', 1, "
		 "1000000 + i, 1000000 + i, 1000000 + i FROM n",
		 (long long)w->ann.id);
	gh_db_exec(&w->s, sql);
	/* SQLite's FTS5 index is rebuilt after rows written straight into
	 * the table; PostgreSQL's is a generated column (pg-schema.md). */
	if (!gh_db_pg())
		gh_db_exec(&w->s, "INSERT INTO search_subjects "
				  "(search_subjects) VALUES ('rebuild')");
	get(w, &w->c_sup, STAFF, "q=capword&limit=5", 200, &r);
	assert_int_equal(json_integer_value(json_object_get(r.json, "total")),
			 100);
	assert_true(json_is_false(json_object_get(r.json, "total_exact")));
	/* The newest first among equals: the last seeded ticket leads. */
	assert_string_equal(
		json_string_value(json_object_get(
			json_array_get(json_object_get(r.json, "tickets"), 0),
			"subject")),
		"capword 150");
	gh_resp_free(&r);
	get(w, &w->c_sup, STAFF, "q=refund", 200, &r);
	assert_true(json_is_true(json_object_get(r.json, "total_exact")));
	gh_resp_free(&r);
	/* Scoped before the bound: agent2 (billing) sees none of them. */
	get(w, &w->c_agent2, STAFF, "q=capword", 200, &r);
	assert_int_equal(json_integer_value(json_object_get(r.json, "total")),
			 0);
	assert_true(json_is_true(json_object_get(r.json, "total_exact")));
	gh_resp_free(&r);
}

/* A view saved as customer_email is refused on update too, and the
 * stored filters are unchanged. */
static void
test_views_no_email(void **state)
{
	struct world *w = *state;
	int64_t id = view_create(w, &w->c_agent2,
				 json_pack("{s:s, s:{s:s}}", "name", "Mine",
					   "filters", "status", "open"),
				 201);
	struct gh_resp r;

	assert_int_equal(view_send(w, &w->c_agent2, "PUT", id,
				   json_pack("{s:{s:s}}", "filters",
					     "customer_email",
					     "bob@example.org"),
				   &r),
			 400);
	assert_string_equal(json_string_value(json_object_get(r.json, "field")),
			    "filters.customer_email");
	gh_resp_free(&r);
	assert_int_equal(gh_db_countf(&w->s,
				      "SELECT COUNT(*) FROM saved_views WHERE "
				      "id = %lld AND filters LIKE '%%example%%'",
				      (long long)id),
			 0);
	assert_int_equal(view_send(w, &w->c_agent2, "DELETE", id, NULL, &r),
			 200);
	gh_resp_free(&r);
}

/* A stored view whose filters no longer pass (an operator lowered
 * max_terms since it was saved) counts 0; the counts still answer. */
static void
test_views_stale_filters(void **state)
{
	struct world *w = *state;
	char key[24], sql[160];
	int64_t id = view_create(w, &w->c_agent2,
				 json_pack("{s:s, s:{s:s}}", "name", "Stale",
					   "filters", "q", "invoice refund"),
				 201);

	assert_true(id > 0);
	snprintf(key, sizeof(key), "%lld", (long long)id);
	assert_int_equal(view_count(w, &w->c_agent2, key), 1);
	/* Five terms: more than max_terms (4). */
	snprintf(sql, sizeof(sql),
		 "UPDATE saved_views SET filters = '{\"q\":\"a b c d "
		 "e\"}' WHERE id = %lld",
		 (long long)id);
	gh_db_exec(&w->s, sql);
	assert_int_equal(view_count(w, &w->c_agent2, key), 0);
	assert_true(view_count(w, &w->c_agent2, "my-open") >= 0);
	/* A view that is not a JSON object any more likewise. */
	snprintf(sql, sizeof(sql),
		 "UPDATE saved_views SET filters = 'nonsense' WHERE id = %lld",
		 (long long)id);
	gh_db_exec(&w->s, sql);
	assert_int_equal(view_count(w, &w->c_agent2, key), 0);
	snprintf(sql, sizeof(sql), "DELETE FROM saved_views WHERE id = %lld",
		 (long long)id);
	gh_db_exec(&w->s, sql);
}

/* "unread" of the first ticket of c's search args (-1: none there). */
static int
first_unread(struct world *w, struct gh_client *c, const char *base,
	     const char *args)
{
	struct gh_resp r;
	json_t *u;
	int v;

	get(w, c, base, args, 200, &r);
	u = json_object_get(json_array_get(json_object_get(r.json, "tickets"),
					   0),
			    "unread");
	v = u == NULL ? -1 : json_is_true(u);
	gh_resp_free(&r);
	return v;
}

/* Search results carry "unread" for staff, as the work list does. */
static void
test_search_unread(void **state)
{
	struct world *w = *state;
	char path[96];
	struct gh_resp r;

	snprintf(path, sizeof(path), "/api/v1/portal/tickets/%lld/messages",
		 (long long)w->t_ann);
	assert_int_equal(gh_send_json(&w->s, &w->c_ann, "POST", path,
				      json_pack("{s:s}", "body",
						"Any news on the gannet?"),
				      &r),
			 201);
	gh_resp_free(&r);
	assert_int_equal(first_unread(w, &w->c_agent1, STAFF, "q=gannet"), 1);
	assert_int_equal(first_unread(w, &w->c_agent1, STAFF,
				      "q=gannet&status=any&sort=created"),
			 1);
	snprintf(path, sizeof(path), "/api/v1/tickets/%lld",
		 (long long)w->t_ann);
	assert_int_equal(gh_req(&w->s, &w->c_agent1, "GET", path, NULL, NULL,
				&r),
			 200);
	gh_resp_free(&r);
	assert_int_equal(first_unread(w, &w->c_agent1, STAFF, "q=gannet"), 0);
	/* The supervisor has not opened it. */
	assert_int_equal(first_unread(w, &w->c_sup, STAFF, "q=gannet"), 1);
	/* Not a customer's field. */
	assert_int_equal(first_unread(w, &w->c_ann, PORTAL, "q=gannet"), -1);
}

/* n tickets of customer cust in queue 1 with subject word || ' ' || i,
 * created from at, and the subject index rebuilt. */
static void
seed_tickets(struct world *w, int64_t cust, const char *word, int n,
	     long long at)
{
	char sql[512];

	snprintf(sql, sizeof(sql),
		 "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
		 "FROM n WHERE i < %d) INSERT INTO tickets (customer_id, "
		 "subject, status, queue_id, created_at, updated_at, "
		 "last_activity) SELECT %lld, '%s ' || i, 'open', 1, "
		 "%lld + i, %lld + i, %lld + i FROM n",
		 n, (long long)cust, word, at, at, at);
	gh_db_exec(&w->s, sql);
	/* SQLite's FTS5 index is rebuilt after rows written straight into
	 * the table; PostgreSQL's is a generated column (pg-schema.md). */
	if (!gh_db_pg())
		gh_db_exec(&w->s, "INSERT INTO search_subjects "
				  "(search_subjects) VALUES ('rebuild')");
}

/* total and total_exact of c's search args. */
static int64_t
total_of(struct world *w, struct gh_client *c, const char *base,
	 const char *args, int *exact)
{
	struct gh_resp r;
	int64_t total;

	get(w, c, base, args, 200, &r);
	total = json_integer_value(json_object_get(r.json, "total"));
	*exact = json_is_true(json_object_get(r.json, "total_exact"));
	assert_true(json_is_boolean(json_object_get(r.json, "total_exact")));
	gh_resp_free(&r);
	return total;
}

/* A reached bound says so even when no candidate passed: agent2
 * (billing) sees none of 1000 matching general tickets, out of the
 * 1000 (10 x candidates) examined. */
static void
test_bound_without_rows(void **state)
{
	struct world *w = *state;
	int exact = -1;

	seed_tickets(w, w->ann.id, "boundword", 1000, 2000000);
	assert_int_equal(total_of(w, &w->c_agent2, STAFF, "q=boundword",
				  &exact),
			 0);
	assert_false(exact);
	assert_int_equal(total_of(w, &w->c_agent2, STAFF,
				  "q=boundword&offset=30", &exact),
			 0);
	assert_false(exact);
	assert_int_equal(total_of(w, &w->c_sup, STAFF,
				  "q=boundword&offset=500", &exact),
			 100);
	assert_false(exact);
	/* Below the bound, nothing found is exact. */
	assert_int_equal(total_of(w, &w->c_agent2, STAFF, "q=nosuchword",
				  &exact),
			 0);
	assert_true(exact);
}

/* The portal's search depends on the customer's own tickets only: Bob's
 * one old match is found after Ann wrote 1000 newer ones, exactly. */
static void
test_portal_own_rows(void **state)
{
	struct world *w = *state;
	char sql[640];
	int64_t ids[8], bob_t;
	size_t n;
	int exact = -1;

	seed_tickets(w, w->bob.id, "pelican", 1, 100);
	bob_t = gh_db_countf(&w->s, "SELECT max(id) FROM tickets WHERE "
				    "customer_id = %lld",
			     (long long)w->bob.id);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO messages (ticket_id, author_realm, author_id, "
		 "body, created_at) VALUES (%lld, 'customer', %lld, "
		 "'walrus spotted', 101)",
		 (long long)bob_t, (long long)w->bob.id);
	gh_db_exec(&w->s, sql);
	seed_tickets(w, w->ann.id, "pelican", 1000, 3000000);
	snprintf(sql, sizeof(sql),
		 "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
		 "FROM n WHERE i < 1000) INSERT INTO messages (ticket_id, "
		 "author_realm, author_id, body, created_at) SELECT %lld, "
		 "'customer', %lld, 'walrus ' || i, 3000000 + i FROM n",
		 (long long)w->t_ann, (long long)w->ann.id);
	gh_db_exec(&w->s, sql);
	/* As in test_candidates_cap: SQLite's FTS5 index by hand. */
	if (!gh_db_pg())
		gh_db_exec(&w->s, "INSERT INTO search_messages "
				  "(search_messages) VALUES ('rebuild')");
	assert_int_equal(search_ids(w, &w->c_bob, PORTAL, "q=pelican", ids,
				    &n),
			 1);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], bob_t);
	assert_int_equal(total_of(w, &w->c_bob, PORTAL, "q=pelican", &exact),
			 1);
	assert_true(exact);
	assert_int_equal(total_of(w, &w->c_bob, PORTAL, "q=walrus", &exact),
			 1);
	assert_true(exact);
	assert_int_equal(search_ids(w, &w->c_bob, PORTAL, "q=walrus", ids, &n),
			 1);
	assert_int_equal(ids[0], bob_t);
	/* Ann's own matches are hers to count: capped at candidates. */
	assert_int_equal(total_of(w, &w->c_ann, PORTAL, "q=pelican", &exact),
			 100);
	assert_false(exact);
	assert_int_equal(total_of(w, &w->c_ann, PORTAL, "q=walrus", &exact),
			 1);
	assert_false(exact);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scoped_to_queues),
		cmocka_unit_test(test_notes_staff_only),
		cmocka_unit_test(test_diacritics),
		cmocka_unit_test(test_fts_syntax_safe),
		cmocka_unit_test(test_customer_email),
		cmocka_unit_test(test_bad_params),
		cmocka_unit_test(test_attr_filters),
		cmocka_unit_test(test_views_bad_input),
		cmocka_unit_test(test_views_shared),
		cmocka_unit_test(test_views_personal),
		cmocka_unit_test(test_views_no_email),
		cmocka_unit_test(test_views_stale_filters),
		cmocka_unit_test(test_search_unread),
		cmocka_unit_test(test_candidates_cap),
		cmocka_unit_test(test_bound_without_rows),
		cmocka_unit_test(test_portal_own_rows),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
