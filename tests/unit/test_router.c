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
		/* anonymous routes are only the logins */
		if (r->auth == AUTH_NONE)
			assert_non_null(strstr(r->pattern, "/session"));
		/* no state change through GET */
		if (strcmp(r->method, "GET") == 0)
			assert_int_equal(r->body_max, 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_api_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
