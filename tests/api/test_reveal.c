/*
 * API tests of the disclosure gate against the real server: the masked
 * customer view (GET /customers/{id}) for staff with one of the
 * customer's tickets in view, 404 for everyone else, and no raw personal
 * value anywhere in a reply (ASVS 8.2.2 object level, 8.2.3 field level,
 * 14.2.6 masked, last 4 only; 16.3.2 the supervisors' view audited).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

/* The personal values gh_add_customer gives every customer. */
#define PHONE "+44 20 7946 0123"
#define DOB "1980-02-29"
#define ADDRESS "1 Test Street, London"

struct world {
	struct gh_server s;
	struct gh_user agent1, agent2, sup, cust_a, cust_b;
	struct gh_client c_agent1, c_agent2, c_sup, c_a;
};

static int
setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));

	gh_start(&w->s, NULL);
	gh_add_staff(&w->s, "agent1@example.com", "agent", &w->agent1);
	gh_add_staff(&w->s, "agent2@example.com", "agent", &w->agent2);
	gh_add_staff(&w->s, "sup@example.com", "supervisor", &w->sup);
	gh_add_customer(&w->s, "cust.a@example.org", &w->cust_a);
	gh_add_customer(&w->s, "cust.b@example.org", &w->cust_b);
	gh_client_init(&w->c_agent1, 1);
	gh_client_init(&w->c_agent2, 1);
	gh_client_init(&w->c_sup, 1);
	gh_client_init(&w->c_a, 0);
	assert_int_equal(gh_login(&w->s, &w->c_agent1, &w->agent1), 201);
	assert_int_equal(gh_login(&w->s, &w->c_agent2, &w->agent2), 201);
	assert_int_equal(gh_login(&w->s, &w->c_sup, &w->sup), 201);
	assert_int_equal(gh_login(&w->s, &w->c_a, &w->cust_a), 201);
	*state = w;
	return 0;
}

static int
teardown(void **state)
{
	struct world *w = *state;

	gh_client_free(&w->c_agent1);
	gh_client_free(&w->c_agent2);
	gh_client_free(&w->c_sup);
	gh_client_free(&w->c_a);
	assert_int_equal(gh_stop(&w->s), 0);
	free(w);
	return 0;
}

static int64_t
count(struct world *w, const char *sql)
{
	return gh_db_count(&w->s, sql);
}

static int64_t
audit_count(struct world *w, const char *action)
{
	return gh_db_countf(&w->s,
			    "SELECT COUNT(*) FROM audit WHERE record LIKE "
			    "'%%\"action\":\"%s\"%%'",
			    action);
}

/* A ticket of the customer logged in on c. */
static int64_t
customer_ticket(struct world *w, struct gh_client *c)
{
	struct gh_resp r;
	int64_t id;

	assert_int_equal(gh_send_json(&w->s, c, "POST", "/api/v1/portal/tickets",
				      json_pack("{s:s, s:s}", "subject",
						"Help", "body", "Please call"),
				      &r),
			 201);
	id = json_integer_value(json_object_get(r.json, "id"));
	assert_true(id > 0);
	gh_resp_free(&r);
	return id;
}

static void
assign(struct world *w, struct gh_client *c, int64_t ticket, int64_t staff)
{
	struct gh_resp r;
	char path[96];

	snprintf(path, sizeof(path), "/api/v1/tickets/%lld/assign",
		 (long long)ticket);
	assert_int_equal(gh_send_json(&w->s, c, "POST", path,
				      json_pack("{s:I}", "staff_id",
						(json_int_t)staff),
				      &r),
			 200);
	gh_resp_free(&r);
}

static long
get_customer(struct world *w, struct gh_client *c, int64_t id,
	     struct gh_resp *r)
{
	char path[96];

	snprintf(path, sizeof(path), "/api/v1/customers/%lld", (long long)id);
	return gh_req(&w->s, c, "GET", path, NULL, NULL, r);
}

/* No personal value of the test customers, whole, in the reply. */
static void
assert_no_raw(const struct gh_resp *r, const struct gh_user *u)
{
	const char *raw[] = {u->email, PHONE, "7946", DOB, "1980", ADDRESS,
			     "Test Street", "London"};

	for (size_t i = 0; i < sizeof(raw) / sizeof(raw[0]); i++)
		if (r->body != NULL && strstr(r->body, raw[i]) != NULL)
			fail_msg("a raw value is in the reply: %s", raw[i]);
}

static json_t *
field_of(const struct gh_resp *r, const char *name)
{
	size_t i;
	json_t *f;

	json_array_foreach(json_object_get(r->json, "fields"), i, f)
		if (strcmp(json_string_value(json_object_get(f, "name")),
			   name) == 0)
			return f;
	return NULL;
}

static void
assert_field(const struct gh_resp *r, const char *name, const char *cls,
	     const char *masked)
{
	json_t *f = field_of(r, name);

	assert_non_null(f);
	assert_string_equal(json_string_value(json_object_get(f, "class")),
			    cls);
	assert_string_equal(json_string_value(json_object_get(f, "masked")),
			    masked);
}

/* ---------------------------------------------------------------------- */

/* An agent on a ticket of the customer sees every personal field masked
 * with its class, the name in clear, and no raw value. ASVS 8.2.3,
 * 14.2.6. */
static void
test_view_masked(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	int64_t t = customer_ticket(w, &w->c_a);
	char *cc;

	/* Unassigned in the agent's queue: visible. */
	assert_int_equal(get_customer(w, &w->c_agent1, w->cust_a.id, &r), 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "id")),
			 w->cust_a.id);
	assert_string_equal(json_string_value(json_object_get(r.json, "name")),
			    "Test Customer");
	assert_field(&r, "email", "C1", "c***@e***.org");
	assert_field(&r, "phone", "C1", "*** *** 0123");
	assert_field(&r, "dob", "C2", "****-**-**");
	assert_field(&r, "address", "C2", "***");
	assert_int_equal(json_integer_value(json_object_get(
				 field_of(&r, "dob"), "level")),
			 2);
	assert_no_raw(&r, &w->cust_a);
	cc = gh_header(&r, "Cache-Control");
	assert_non_null(cc);
	assert_non_null(strstr(cc, "no-store"));
	free(cc);
	gh_resp_free(&r);
	/* An agent's view is not a reveal: nothing recorded as one. */
	assert_int_equal(audit_count(w, "customer.reveal"), 0);
	/* Assigned to the agent: still visible to them. */
	assign(w, &w->c_agent1, t, w->agent1.id);
	assert_int_equal(get_customer(w, &w->c_agent1, w->cust_a.id, &r), 200);
	assert_no_raw(&r, &w->cust_a);
	gh_resp_free(&r);
}

/* Staff without a ticket of the customer in view get 404, as for a
 * customer that does not exist; customers have no such route. ASVS
 * 8.2.1, 8.2.2. */
static void
test_view_not_visible(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	int64_t t = customer_ticket(w, &w->c_a);

	/* Customer B has no ticket at all. */
	assert_int_equal(get_customer(w, &w->c_agent1, w->cust_b.id, &r), 404);
	assert_string_equal(gh_error(&r), "not_found");
	assert_no_raw(&r, &w->cust_b);
	gh_resp_free(&r);
	/* Unassigned in their queue, agent 2 sees A; once A's only ticket
	 * is assigned to agent 1, agent 2 no longer does. */
	assert_int_equal(get_customer(w, &w->c_agent2, w->cust_a.id, &r), 200);
	gh_resp_free(&r);
	assign(w, &w->c_agent1, t, w->agent1.id);
	assert_int_equal(get_customer(w, &w->c_agent2, w->cust_a.id, &r), 404);
	assert_no_raw(&r, &w->cust_a);
	gh_resp_free(&r);
	assert_int_equal(get_customer(w, &w->c_agent1, 999999, &r), 404);
	gh_resp_free(&r);
	/* The public listener has no customer route: 404 for a customer
	 * asking about themselves too. */
	assert_int_equal(get_customer(w, &w->c_a, w->cust_a.id, &r), 404);
	gh_resp_free(&r);
	/* There is no list or search of customers. */
	assert_int_equal(gh_req(&w->s, &w->c_agent1, "GET",
				"/api/v1/customers", NULL, NULL, &r),
			 404);
	gh_resp_free(&r);
	assert_int_equal(gh_req(&w->s, &w->c_agent1, "GET",
				"/api/v1/customers?email=cust.a%40example.org",
				NULL, NULL, &r),
			 404);
	gh_resp_free(&r);
}

/* Supervisors see any customer, masked too, and each view is audited
 * (customer.view, without values). ASVS 16.3.2. */
static void
test_view_supervisor(void **state)
{
	struct world *w = *state;
	struct gh_resp r;

	assert_int_equal(audit_count(w, "customer.view"), 0);
	assert_int_equal(get_customer(w, &w->c_sup, w->cust_b.id, &r), 200);
	assert_field(&r, "email", "C1", "c***@e***.org");
	assert_field(&r, "phone", "C1", "*** *** 0123");
	assert_no_raw(&r, &w->cust_b);
	gh_resp_free(&r);
	assert_int_equal(audit_count(w, "customer.view"), 1);
	assert_int_equal(count(w, "SELECT COUNT(*) FROM audit WHERE record "
				  "LIKE '%7946 0123%' OR record LIKE "
				  "'%1980-02-29%' OR record LIKE '%cust.b@%'"),
			 0);
	assert_int_equal(get_customer(w, &w->c_sup, 999999, &r), 404);
	gh_resp_free(&r);
	assert_int_equal(audit_count(w, "customer.view"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_view_masked, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_view_not_visible, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_view_supervisor, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
