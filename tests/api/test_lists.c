/*
 * API tests of the ticket lists read by cursor (issue 14, part LISTS)
 * against the real server: the staff work list and the portal list hand
 * out next_cursor (null at the end); pages read by cursor stay consistent
 * while tickets are added between them (no duplicate, no pre-existing
 * ticket skipped, even among tickets that share a timestamp); the portal
 * list only ever shows the customer's own tickets, across pages; a
 * cursor that is made up, changed, cut, or taken to another list, filter
 * or account answers 400 bad_cursor; offset over 10,000 and limit over
 * 100 answer 400 bad_query; the portal's updated_at (last_activity)
 * moves with a reply and not with an internal note.
 *
 * The tickets that exist before the pages are written into the database
 * directly (many in the same second); those added between pages come
 * through the portal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define SEED_X 30     /* customer X's tickets written before the test */
#define SEED_Y 11
#define MAX_IDS 256

struct world {
	struct gh_server s;
	struct gh_user sup, agent, agent2, cust_x, cust_y;
	struct gh_client c_sup, c_agent, c_agent2, c_x, c_y;
};

/* Writes n open, unassigned tickets of customer cust in `general`,
 * four to a second (updated_at and last_activity from base). */
static void
seed_tickets(struct world *w, int64_t cust, int n, int base)
{
	char sql[600];

	snprintf(sql, sizeof(sql),
		 "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
		 "FROM n WHERE i < %d) INSERT INTO tickets (customer_id, "
		 "subject, status, queue_id, created_at, updated_at, "
		 "last_activity) SELECT %lld, 'seeded ' || i, 'open', 1, "
		 "%d + i / 4, %d + i / 4, %d + i / 4 FROM n",
		 n, (long long)cust, base, base, base);
	gh_db_exec(&w->s, sql);
}

static int
setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));

	gh_start(&w->s, NULL);
	gh_add_staff(&w->s, "sup@example.com", "supervisor", &w->sup);
	gh_add_staff(&w->s, "agent@example.com", "agent", &w->agent);
	gh_add_staff(&w->s, "agent2@example.com", "agent", &w->agent2);
	gh_add_customer(&w->s, "x@example.org", &w->cust_x);
	gh_add_customer(&w->s, "y@example.org", &w->cust_y);
	gh_client_init(&w->c_sup, 1);
	gh_client_init(&w->c_agent, 1);
	gh_client_init(&w->c_agent2, 1);
	gh_client_init(&w->c_x, 0);
	gh_client_init(&w->c_y, 0);
	assert_int_equal(gh_login(&w->s, &w->c_sup, &w->sup), 201);
	assert_int_equal(gh_login(&w->s, &w->c_agent, &w->agent), 201);
	assert_int_equal(gh_login(&w->s, &w->c_agent2, &w->agent2), 201);
	assert_int_equal(gh_login(&w->s, &w->c_x, &w->cust_x), 201);
	assert_int_equal(gh_login(&w->s, &w->c_y, &w->cust_y), 201);
	seed_tickets(w, w->cust_x.id, SEED_X, 1000000);
	seed_tickets(w, w->cust_y.id, SEED_Y, 1000000);
	*state = w;
	return 0;
}

static int
teardown(void **state)
{
	struct world *w = *state;

	gh_client_free(&w->c_sup);
	gh_client_free(&w->c_agent);
	gh_client_free(&w->c_agent2);
	gh_client_free(&w->c_x);
	gh_client_free(&w->c_y);
	assert_int_equal(gh_stop(&w->s), 0);
	free(w);
	return 0;
}

static int64_t
new_ticket(struct world *w, struct gh_client *c, const char *subject)
{
	struct gh_resp r;
	int64_t id;

	assert_int_equal(gh_send_json(&w->s, c, "POST",
				      "/api/v1/portal/tickets",
				      json_pack("{s:s, s:s}", "subject",
						subject, "body", "Hello."),
				      &r),
			 201);
	id = json_integer_value(json_object_get(r.json, "id"));
	gh_resp_free(&r);
	assert_true(id > 0);
	return id;
}

/* What a walk through a list saw. */
struct walk {
	int64_t ids[MAX_IDS];
	int64_t keys[MAX_IDS];
	int64_t customers[MAX_IDS];
	size_t n;
	int pages;
};

/* Called between two pages of a walk. */
typedef void (*between_fn)(struct world *w, int page);

/* Reads list (a path ending in '?' or '&') with limit=limit by cursor
 * until next_cursor is null, calling between (may be NULL) after each
 * page that has one; every page but the last is full. */
static void
walk_list(struct world *w, struct gh_client *c, const char *list, int limit,
	  between_fn between, struct walk *out)
{
	char path[512];
	char cursor[64] = "";

	memset(out, 0, sizeof(*out));
	for (;;) {
		struct gh_resp r;
		json_t *arr, *t, *next;
		size_t i;

		snprintf(path, sizeof(path), "%slimit=%d%s%s", list, limit,
			 cursor[0] ? "&cursor=" : "", cursor);
		assert_int_equal(gh_req(&w->s, c, "GET", path, NULL, NULL, &r),
				 200);
		arr = json_object_get(r.json, "tickets");
		next = json_object_get(r.json, "next_cursor");
		assert_true(json_is_array(arr));
		assert_non_null(next);
		json_array_foreach(arr, i, t) {
			json_t *cu = json_object_get(t, "customer");

			assert_true(out->n < MAX_IDS);
			out->ids[out->n] = json_integer_value(
				json_object_get(t, "id"));
			out->keys[out->n] = json_integer_value(
				json_object_get(t, "updated_at"));
			out->customers[out->n] =
				cu != NULL ? json_integer_value(
						     json_object_get(cu, "id"))
					   : 0;
			out->n++;
		}
		out->pages++;
		if (json_is_null(next)) {
			assert_true(json_array_size(arr) <= (size_t)limit);
			gh_resp_free(&r);
			return;
		}
		assert_int_equal(json_array_size(arr), limit);
		assert_true(json_is_string(next));
		assert_true(strlen(json_string_value(next)) < sizeof(cursor));
		snprintf(cursor, sizeof(cursor), "%s",
			 json_string_value(next));
		gh_resp_free(&r);
		if (between != NULL)
			between(w, out->pages);
	}
}

static int
seen(const struct walk *wk, int64_t id)
{
	int k = 0;

	for (size_t i = 0; i < wk->n; i++)
		k += wk->ids[i] == id;
	return k;
}

/* Newest first, ties by id, each ticket once. */
static void
assert_ordered(const struct walk *wk)
{
	for (size_t i = 1; i < wk->n; i++)
		assert_true(wk->keys[i - 1] > wk->keys[i] ||
			    (wk->keys[i - 1] == wk->keys[i] &&
			     wk->ids[i - 1] > wk->ids[i]));
}

/* The ids of the seeded tickets of customer cust, each seen once. */
static void
assert_all_seeded_once(struct world *w, const struct walk *wk, int64_t cust,
		       int n)
{
	char sql[200];
	int64_t have = 0;

	for (size_t i = 0; i < wk->n; i++)
		if (wk->customers[i] == cust || wk->customers[i] == 0)
			have++;
	snprintf(sql, sizeof(sql),
		 "SELECT COUNT(*) FROM tickets WHERE customer_id = %lld AND "
		 "subject LIKE 'seeded %%'",
		 (long long)cust);
	assert_int_equal(gh_db_count(&w->s, sql), n);
	assert_true(have >= n);
}

static void
add_two(struct world *w, int page)
{
	char subject[32];

	snprintf(subject, sizeof(subject), "between %d", page);
	(void)new_ticket(w, &w->c_x, subject);
	(void)new_ticket(w, &w->c_y, subject);
}

/* The staff list by cursor while customers open tickets between pages
 * (the test): every ticket that existed at the first page comes
 * exactly once, in order; none is skipped where many share a second.
 * Before issue 14 the list took no cursor (400 bad_query) and an offset
 * walk showed a ticket again for each one added. */
static void
test_staff_pages_stay_consistent(void **state)
{
	struct world *w = *state;
	struct walk *wk = calloc(1, sizeof(*wk));
	int64_t before = gh_db_count(&w->s, "SELECT COUNT(*) FROM tickets");

	walk_list(w, &w->c_sup, "/api/v1/tickets?status=open&", 7, add_two,
		  wk);
	assert_true(wk->pages >= 6);
	assert_ordered(wk);
	for (size_t i = 0; i < wk->n; i++)
		assert_int_equal(seen(wk, wk->ids[i]), 1);
	/* The list had `before` tickets at its first page; those added
	 * later are newer, so above the cursor: never shown, never shifting
	 * the pages below it. */
	assert_int_equal((int64_t)wk->n, before);
	assert_true(gh_db_count(&w->s, "SELECT COUNT(*) FROM tickets") >
		    before);
	assert_all_seeded_once(w, wk, w->cust_x.id, SEED_X);
	/* The agent's own view (their tickets and their queues' pool, two
	 * index ranges merged) pages the same way. */
	before = gh_db_count(&w->s, "SELECT COUNT(*) FROM tickets");
	walk_list(w, &w->c_agent, "/api/v1/tickets?", 9, add_two, wk);
	assert_ordered(wk);
	assert_int_equal((int64_t)wk->n, before);
	for (size_t i = 0; i < wk->n; i++)
		assert_int_equal(seen(wk, wk->ids[i]), 1);
	free(wk);
}

/* ASVS 8.2.2, 4.2.1: the portal list pages show only the customer's own
 * tickets, each once, while both customers add tickets between pages;
 * another customer's cursor is refused. */
static void
test_portal_pages_own_tickets(void **state)
{
	struct world *w = *state;
	struct walk *wk = calloc(1, sizeof(*wk));
	char sql[160], path[160];
	struct gh_resp r;
	int64_t mine;

	snprintf(sql, sizeof(sql),
		 "SELECT COUNT(*) FROM tickets WHERE customer_id = %lld",
		 (long long)w->cust_x.id);
	mine = gh_db_count(&w->s, sql);
	walk_list(w, &w->c_x, "/api/v1/portal/tickets?", 4, add_two, wk);
	assert_ordered(wk);
	assert_int_equal((int64_t)wk->n, mine);
	for (size_t i = 0; i < wk->n; i++) {
		assert_int_equal(seen(wk, wk->ids[i]), 1);
		assert_int_equal(gh_db_countf(&w->s,
					      "SELECT COUNT(*) FROM tickets "
					      "WHERE id = %lld AND "
					      "customer_id = %lld",
					      (long long)wk->ids[i],
					      (long long)w->cust_x.id),
				 1);
	}
	/* X's cursor is X's: Y gets 400, and reads nothing of X's. */
	assert_int_equal(gh_req(&w->s, &w->c_x, "GET",
				"/api/v1/portal/tickets?limit=2", NULL, NULL,
				&r),
			 200);
	snprintf(path, sizeof(path), "/api/v1/portal/tickets?cursor=%s",
		 json_string_value(json_object_get(r.json, "next_cursor")));
	gh_resp_free(&r);
	assert_int_equal(gh_req(&w->s, &w->c_y, "GET", path, NULL, NULL, &r),
			 400);
	assert_string_equal(gh_error(&r), "bad_cursor");
	assert_null(json_object_get(r.json, "tickets"));
	gh_resp_free(&r);
	free(wk);
}

/* The first page's cursor of list for client c, into out. */
static void
first_cursor(struct world *w, struct gh_client *c, const char *list,
	     char *out, size_t outsz)
{
	char path[256];
	struct gh_resp r;
	const char *next;

	snprintf(path, sizeof(path), "%slimit=3", list);
	assert_int_equal(gh_req(&w->s, c, "GET", path, NULL, NULL, &r), 200);
	next = json_string_value(json_object_get(r.json, "next_cursor"));
	assert_non_null(next);
	assert_int_equal(strlen(next), 43);
	snprintf(out, outsz, "%s", next);
	gh_resp_free(&r);
}

static void
assert_bad_cursor(struct world *w, struct gh_client *c, const char *list,
		  const char *cursor)
{
	char path[512];
	struct gh_resp r;

	snprintf(path, sizeof(path), "%scursor=%s", list, cursor);
	assert_int_equal(gh_req(&w->s, c, "GET", path, NULL, NULL, &r), 400);
	assert_string_equal(gh_error(&r), "bad_cursor");
	assert_string_equal(json_string_value(json_object_get(r.json,
							      "field")),
			    "cursor");
	gh_resp_free(&r);
}

/* Audit records of refused cursors. */
static int64_t
refused_cursors(struct world *w)
{
	return gh_db_count(&w->s,
			   "SELECT COUNT(*) FROM audit WHERE record LIKE "
			   "'%\"action\":\"security.refused\"%' AND record "
			   "LIKE '%\"code\":\"bad_cursor\"%'");
}

/* ASVS 5.1.3 (input validated against an allow list), 5.1.4 (structured
 * data validated), 7.2.1 (security events logged): a cursor changed in
 * any character, cut, lengthened, made up, padded, empty, or used with
 * other filters, by another staff member, or on the other listener
 * answers 400 bad_cursor, and the refusal is audited. */
static void
test_bad_cursor(void **state)
{
	static const char *const made_up[] = {
		"", "abc", "%3D%3D", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"AQEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	};
	struct world *w = *state;
	const char *list = "/api/v1/tickets?status=open&";
	char good[64], bad[80], other[64];

	first_cursor(w, &w->c_sup, list, good, sizeof(good));
	assert_int_equal(refused_cursors(w), 0);
	assert_bad_cursor(w, &w->c_sup, list, "forged");
	assert_int_equal(refused_cursors(w), 1);
	for (size_t i = 0; i < strlen(good); i++) {
		snprintf(bad, sizeof(bad), "%s", good);
		bad[i] = bad[i] == 'A' ? 'B' : 'A';
		assert_bad_cursor(w, &w->c_sup, list, bad);
	}
	snprintf(bad, sizeof(bad), "%.42s", good);
	assert_bad_cursor(w, &w->c_sup, list, bad);
	snprintf(bad, sizeof(bad), "%sA", good);
	assert_bad_cursor(w, &w->c_sup, list, bad);
	snprintf(bad, sizeof(bad), "%s%%3D", good);
	assert_bad_cursor(w, &w->c_sup, list, bad);
	for (size_t i = 0; i < sizeof(made_up) / sizeof(made_up[0]); i++)
		assert_bad_cursor(w, &w->c_sup, list, made_up[i]);
	/* Bound to its list, filters and holder. */
	assert_bad_cursor(w, &w->c_sup, "/api/v1/tickets?status=solved&", good);
	assert_bad_cursor(w, &w->c_sup, "/api/v1/tickets?", good);
	assert_bad_cursor(w, &w->c_sup,
			  "/api/v1/tickets?status=open&assigned=unassigned&",
			  good);
	assert_bad_cursor(w, &w->c_agent, list, good);
	assert_bad_cursor(w, &w->c_x, "/api/v1/portal/tickets?", good);
	first_cursor(w, &w->c_x, "/api/v1/portal/tickets?", other,
		     sizeof(other));
	assert_bad_cursor(w, &w->c_sup, list, other);
	/* The good one still reads its next page. */
	{
		struct gh_resp r;
		char path[256];

		snprintf(path, sizeof(path), "%scursor=%s", list, good);
		assert_int_equal(gh_req(&w->s, &w->c_sup, "GET", path, NULL,
					NULL, &r),
				 200);
		gh_resp_free(&r);
	}
}

/* offset is still accepted up to 10,000 (deeper pages go by cursor) and
 * limit up to 100, on both lists; past them 400 bad_query names the
 * field. */
static void
test_offset_and_limit_caps(void **state)
{
	static const char *const bad[] = {"offset=10001", "offset=2147483647",
					  "limit=101", "limit=0"};
	struct world *w = *state;
	struct gh_resp r;

	gh_assert_bad_page_args(&w->s, &w->c_sup, "/api/v1/tickets?", bad, 4);
	gh_assert_bad_page_args(&w->s, &w->c_x, "/api/v1/portal/tickets?", bad,
				4);
	assert_int_equal(gh_req(&w->s, &w->c_sup, "GET",
				"/api/v1/tickets?offset=10000&limit=100", NULL,
				NULL, &r),
			 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "tickets")),
			 0);
	assert_true(json_is_null(json_object_get(r.json, "next_cursor")));
	gh_resp_free(&r);
	/* offset after a cursor skips that many more. */
	assert_int_equal(gh_req(&w->s, &w->c_sup, "GET",
				"/api/v1/tickets?offset=2&limit=1", NULL, NULL,
				&r),
			 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "offset")),
			 2);
	assert_int_equal(json_array_size(json_object_get(r.json, "tickets")),
			 1);
	gh_resp_free(&r);
}

/* next_cursor is null exactly at the end: a page that holds the last
 * ticket has none, even when it is full. */
static void
test_cursor_null_at_end(void **state)
{
	struct world *w = *state;
	char path[128];
	struct gh_resp r;
	int64_t n;

	n = gh_db_countf(&w->s,
			 "SELECT COUNT(*) FROM tickets WHERE customer_id = %lld",
			 (long long)w->cust_y.id);
	assert_true(n >= 2 && n <= 100);
	snprintf(path, sizeof(path), "/api/v1/portal/tickets?limit=%lld",
		 (long long)n);
	assert_int_equal(gh_req(&w->s, &w->c_y, "GET", path, NULL, NULL, &r),
			 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "tickets")),
			 n);
	assert_true(json_is_null(json_object_get(r.json, "next_cursor")));
	gh_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/portal/tickets?limit=%lld",
		 (long long)n - 1);
	assert_int_equal(gh_req(&w->s, &w->c_y, "GET", path, NULL, NULL, &r),
			 200);
	assert_true(json_is_string(json_object_get(r.json, "next_cursor")));
	gh_resp_free(&r);
}

/* The portal's updated_at of ticket id as customer X's list shows it,
 * and whether it is first; -1 when absent. */
static int64_t
portal_updated(struct world *w, int64_t id, int *first)
{
	struct gh_resp r;
	json_t *t;
	size_t i;
	int64_t v = -1;

	assert_int_equal(gh_req(&w->s, &w->c_x, "GET",
				"/api/v1/portal/tickets?limit=100", NULL, NULL,
				&r),
			 200);
	json_array_foreach(json_object_get(r.json, "tickets"), i, t) {
		if (json_integer_value(json_object_get(t, "id")) != id)
			continue;
		v = json_integer_value(json_object_get(t, "updated_at"));
		*first = i == 0;
		assert_string_equal(json_string_value(json_object_get(
					    t, "last_from")),
				    v > 1000000 + SEED_X ? "agent" : "customer");
	}
	gh_resp_free(&r);
	return v;
}

static long
staff_post(struct world *w, int64_t id, const char *what)
{
	char path[96];
	struct gh_resp r;
	long st;

	snprintf(path, sizeof(path), "/api/v1/tickets/%lld/%s", (long long)id,
		 what);
	st = gh_send_json(&w->s, &w->c_agent, "POST", path,
			  json_pack("{s:s}", "body", "Thanks, looking."), &r);
	gh_resp_free(&r);
	return st;
}

/* last_activity: an internal note leaves a seeded ticket where it is on
 * the portal; the agent's reply brings it to the top, from the agent. */
static void
test_last_activity(void **state)
{
	struct world *w = *state;
	int64_t id, before, after;
	int first = 0;

	id = gh_db_countf(&w->s,
			  "SELECT MIN(id) FROM tickets WHERE customer_id = "
			  "%lld",
			  (long long)w->cust_x.id);
	before = portal_updated(w, id, &first);
	assert_true(before > 0 && before <= 1000000 + SEED_X);
	assert_false(first);
	assert_int_equal(staff_post(w, id, "notes"), 201);
	assert_int_equal(portal_updated(w, id, &first), before);
	assert_false(first);
	assert_int_equal(staff_post(w, id, "replies"), 201);
	after = portal_updated(w, id, &first);
	assert_true(after > before);
	assert_true(first);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_staff_pages_stay_consistent,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_portal_pages_own_tickets,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_cursor, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_offset_and_limit_caps,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_cursor_null_at_end, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_last_activity, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("api-lists", tests, NULL, NULL);
}
