/* Route matching and the route table's invariants. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "http/router.h"

static const struct route table[] = {
	{"GET", "/a/{id}", LISTEN_PUBLIC, AUTH_NONE, 0, NULL, 0},
	{"POST", "/a/{id}", LISTEN_PUBLIC, AUTH_NONE, 10, NULL, 0},
	{"GET", "/a/{id}/b/{id}", LISTEN_STAFF, AUTH_AGENT, 0, NULL, 0},
	{NULL, NULL, 0, AUTH_NONE, 0, NULL, 0},
};

static void
test_match(void **state)
{
	int64_t p[ROUTE_MAX_PARAMS];
	unsigned n;
	char allow[64];

	(void)state;
	assert_ptr_equal(router_match(table, LISTEN_PUBLIC, "GET", "/a/42", p,
				      &n, allow, sizeof(allow)),
			 &table[0]);
	assert_int_equal(n, 1);
	assert_int_equal(p[0], 42);
	assert_ptr_equal(router_match(table, LISTEN_STAFF, "GET", "/a/7/b/9", p,
				      &n, allow, sizeof(allow)),
			 &table[2]);
	assert_int_equal(p[1], 9);
	/* wrong listener: not found, no Allow */
	assert_null(router_match(table, LISTEN_STAFF, "GET", "/a/42", p, &n,
				 allow, sizeof(allow)));
	assert_string_equal(allow, "");
	/* wrong method: Allow lists the others */
	assert_null(router_match(table, LISTEN_PUBLIC, "PUT", "/a/42", p, &n,
				 allow, sizeof(allow)));
	assert_string_equal(allow, "GET, POST");
	/* ids: positive decimal, at most 18 digits, nothing else */
	const char *bad[] = {"/a/0", "/a/-1", "/a/01", "/a/1x", "/a/",
			     "/a/1234567890123456789", "/a/1/", "/a//1",
			     "/A/1", "/a/1?x"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_null(router_match(table, LISTEN_PUBLIC, "GET", bad[i], p,
					 &n, allow, sizeof(allow)));
	assert_non_null(router_match(table, LISTEN_PUBLIC, "GET",
				     "/a/123456789012345678", p, &n, allow,
				     sizeof(allow)));
}

/* The anonymous routes of customer self-service (issue 15 SELF). */
static int
anonymous_self(const char *pattern)
{
	static const char *const self[] = {
		"/api/v1/portal/password/forgot",
		"/api/v1/portal/password/reset",
		"/api/v1/portal/signup",
		"/api/v1/portal/signup/confirm",
		NULL,
	};

	for (size_t i = 0; self[i] != NULL; i++)
		if (strcmp(pattern, self[i]) == 0)
			return 1;
	return 0;
}

/* ASVS 8.2.1: every API route declares who may call it; staff and
 * customer routes live on their own listeners. */
static void
test_api_table(void **state)
{
	(void)state;
	for (const struct route *r = api_routes; r->method != NULL; r++) {
		assert_non_null(r->handler);
		assert_true(r->listeners == LISTEN_PUBLIC ||
			    r->listeners == LISTEN_STAFF);
		if (r->auth == AUTH_CUSTOMER)
			assert_int_equal(r->listeners, LISTEN_PUBLIC);
		if (r->auth >= AUTH_AGENT)
			assert_int_equal(r->listeners, LISTEN_STAFF);
		if (r->listeners == LISTEN_PUBLIC)
			assert_true(strncmp(r->pattern, "/api/v1/portal/", 15) == 0);
		else
			assert_true(strncmp(r->pattern, "/api/v1/portal/", 15) != 0);
		/* anonymous routes are only the logins, the public
		 * contact policy (issue 11: the link in every mail works
		 * before login; GET only, no body) and the customer
		 * self-service of issue 15 (forgotten password, sign-up:
		 * each throttled per client address) */
		if (r->auth == AUTH_NONE &&
		    strcmp(r->pattern, "/api/v1/portal/contact-policy") != 0 &&
		    !anonymous_self(r->pattern))
			assert_non_null(strstr(r->pattern, "/session"));
		if (r->auth == AUTH_NONE && strstr(r->pattern, "/session") == NULL &&
		    !anonymous_self(r->pattern))
			assert_string_equal(r->method, "GET");
		/* no state change through GET */
		if (strcmp(r->method, "GET") == 0)
			assert_int_equal(r->body_max, 0);
	}
}

/* 1 when s ends with suffix. */
static int
ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/*
 * Least privilege (ASVS 8.2.1, the "no endpoint lists or searches
 * all customers for an agent"): no staff route lists or searches
 * customers. A new staff GET route without an id at its end (a
 * collection) must be added to the list below on purpose, so a customer
 * listing or a search cannot slip in unnoticed.
 */
static void
test_no_customer_listing(void **state)
{
	/* Every staff collection that may exist; the queue is bounded by
	 * what the caller may see (core/tickets.c). */
	static const char *const staff_collections[] = {
		"/api/v1/staff/session",
		"/api/v1/tickets",
		"/api/v1/tickets/{id}/attachments",
		/* account change requests, supervisors and admins only
		 * (api/changes.c): no search, no customer data but names */
		"/api/v1/changes",
		/* the definitions of custom fields (admin), never values */
		"/api/v1/admin/fields",
		/* reveals per staff member (supervisors and admins) */
		"/api/v1/supervisor/reveals",
		/* training: the caller's own modules; every staff member's
		 * training statuses (supervisors), no customer data */
		"/api/v1/me/training",
		"/api/v1/supervisor/training",
		/* the caller's own sessions and logins (issue 11 part C) */
		"/api/v1/staff/sessions",
		"/api/v1/staff/logins",
		/* phishing drills (supervisors and admins): campaigns, their
		 * statistics per staff member and the built-in templates; no
		 * customer data */
		"/api/v1/drills",
		"/api/v1/drills/stats",
		"/api/v1/drills/templates",
		/* staff and queues for the supervisor's console (issue 15,
		 * supervisors and admins): roles, queues, last login, MFA
		 * state, counts; no customer data */
		"/api/v1/admin/staff",
		"/api/v1/admin/queues",
		/* canned replies (issue 15): the caller's own and those of
		 * their queues, and one expanded for a visible ticket; no
		 * customer data but the first word of the ticket's name */
		"/api/v1/macros",
		"/api/v1/tickets/{id}/macros/{id}/preview",
		/* saved views (issue 15, SEARCH): names and filters of the
		 * caller's views and their counts, each counted as the
		 * caller's own ticket list; no customer data */
		"/api/v1/views",
		"/api/v1/views/counts",
		/* SLA (issue 15): business calendars and a queue's policy
		 * (staff read), breach counts and open tickets due soon
		 * (supervisors and admins); no customer data but subjects,
		 * as in the queue */
		"/api/v1/calendars",
		"/api/v1/queues/{name}/sla",
		"/api/v1/supervisor/sla",
		/* live updates (issue 15): a stream of event ids and kinds,
		 * filtered by the visibility rule; no customer data */
		"/api/v1/events",
		/* passkeys (issue 17): the caller's own credentials (names,
		 * dates, formats); no customer data */
		"/api/v1/staff/passkeys",
		/* losing a passkey (issue 17 GATE): a staff member's passkeys
		 * (supervisors and admins) and the pending resets (admins):
		 * staff names, dates, reasons; no customer data */
		"/api/v1/admin/staff/{id}/passkeys",
		"/api/v1/admin/passkey-resets",
	};
	/* One customer at a time, staff only: the masked view and the
	 * reveal behind the disclosure gate (core/disclosure.h), an account
	 * change (core/changes.h). */
	static const char *const customer_routes[] = {
		"/api/v1/customers/{id}",
		"/api/v1/customers/{id}/reveal",
		"/api/v1/customers/{id}/changes",
	};
	static const char *const probes[] = {
		"/api/v1/customers",
		"/api/v1/customers/search",
		"/api/v1/customers/all",
		"/api/v1/search",
		"/api/v1/tickets/search",
		"/api/v1/staff/customers",
		"/api/v1/portal/customers",
	};
	int64_t p[ROUTE_MAX_PARAMS];
	unsigned n;
	char allow[64];

	(void)state;
	for (const struct route *r = api_routes; r->method != NULL; r++) {
		/* Nothing about customers as a collection, only the reviewed
		 * routes about one customer (staff listener only), nothing
		 * that searches or looks things up, on any listener. */
		if (strstr(r->pattern, "customer") != NULL) {
			int reviewed = 0;

			for (size_t i = 0; i < sizeof(customer_routes) /
						       sizeof(customer_routes[0]);
			     i++)
				if (strcmp(r->pattern, customer_routes[i]) == 0)
					reviewed = 1;
			if (!reviewed || r->listeners != LISTEN_STAFF)
				fail_msg("customer route %s is not reviewed",
					 r->pattern);
		}
		assert_null(strstr(r->pattern, "search"));
		assert_null(strstr(r->pattern, "lookup"));
		assert_null(strstr(r->pattern, "find"));
		assert_null(strstr(r->pattern, "query"));
		if (r->listeners != LISTEN_STAFF || strcmp(r->method, "GET") != 0 ||
		    ends_with(r->pattern, "}"))
			continue;
		{
			int listed = 0;

			for (size_t i = 0; i < sizeof(staff_collections) /
						       sizeof(staff_collections[0]);
			     i++)
				if (strcmp(r->pattern, staff_collections[i]) == 0)
					listed = 1;
			if (!listed)
				fail_msg("staff collection route %s is not in the "
					 "reviewed list",
					 r->pattern);
		}
	}
	/* One customer exists on the staff listener only. */
	assert_null(router_match(api_routes, LISTEN_PUBLIC, "GET",
				 "/api/v1/customers/1", p, &n, allow,
				 sizeof(allow)));
	assert_string_equal(allow, "");
	/* And none of the obvious shapes matches any method. */
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		for (int l = LISTEN_PUBLIC; l <= LISTEN_STAFF; l++) {
			assert_null(router_match(api_routes,
						 (enum listener_kind)l, "GET",
						 probes[i], p, &n, allow,
						 sizeof(allow)));
			/* No other method either (Allow would list it). */
			assert_string_equal(allow, "");
		}
	}
}

/* A {name} segment: 1 to 64 of a-z, 0-9, - and _ (neither first),
 * nothing else, and never across a "/" (a queue's name may hold _: its
 * SLA policy is /queues/{name}/sla). */
static void
test_name_segment(void **state)
{
	static const struct route t[] = {
		{"GET", "/m/{name}", LISTEN_STAFF, AUTH_AGENT, 0, NULL, 0},
		{"POST", "/m/{name}/go", LISTEN_STAFF, AUTH_AGENT, 8, NULL, 0},
		{NULL, NULL, 0, AUTH_NONE, 0, NULL, 0},
	};
	static const char *const bad[] = {
		"/m/", "/m/-x", "/m/_x", "/m/A", "/m/a.b", "/m/a%2fb",
		"/m/..", "/m/a/", "/m/a/b",
		"/m/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	};
	int64_t p[ROUTE_MAX_PARAMS];
	unsigned n = 9;
	char allow[64];
	const struct route *r;

	(void)state;
	r = router_match(t, LISTEN_STAFF, "GET", "/m/no-bending-rules", p, &n,
			 allow, sizeof(allow));
	assert_ptr_equal(r, &t[0]);
	assert_int_equal(n, 0);
	r = router_match(t, LISTEN_STAFF, "POST", "/m/a1-b/go", p, &n, allow,
			 sizeof(allow));
	assert_ptr_equal(r, &t[1]);
	r = router_match(t, LISTEN_STAFF, "POST", "/m/vip_team/go", p, &n,
			 allow, sizeof(allow));
	assert_ptr_equal(r, &t[1]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (router_match(t, LISTEN_STAFF, "GET", bad[i], p, &n, allow,
				 sizeof(allow)) != NULL)
			fail_msg("%s matched", bad[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_name_segment),
		cmocka_unit_test(test_api_table),
		cmocka_unit_test(test_no_customer_listing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
