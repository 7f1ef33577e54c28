/*
 * API tests of staff and queue administration against the real server
 * (issue 15, part SUPER): the role guards of every route (an agent gets
 * 403 on each; supervisors read, admins change; ASVS 8.2.1, 4.1.3); the
 * staff list (role, queues, last login, MFA state, disabled; no secret);
 * disabling a staff member ends their sessions at once and is audited
 * (ASVS 7.4.2, 7.1.3), enabling lets them in again; nobody disables
 * themself and the last active admin is never disabled, from the API or
 * the command line, each refusal audited; queue membership replaced in
 * one audited change; queues with their counts, and new queues; bad
 * input a 4xx that changes nothing (ASVS 5.1.3).
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

struct world {
	struct gh_server s;
	struct gh_user admin, sup, agent, cust;
	struct gh_client c_admin, c_sup, c_agent, c_cust;
};

static int
setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));
	const char *add_q[] = {"queue", "add", "--name", "billing", NULL};

	gh_start(&w->s, NULL);
	gh_add_staff(&w->s, "admin@example.com", "admin", &w->admin);
	gh_add_staff(&w->s, "sup@example.com", "supervisor", &w->sup);
	gh_add_staff(&w->s, "agent@example.com", "agent", &w->agent);
	gh_add_customer(&w->s, "cust@example.org", &w->cust);
	assert_int_equal(gh_cli(&w->s, NULL, NULL, add_q), 0);
	gh_client_init(&w->c_admin, 1);
	gh_client_init(&w->c_sup, 1);
	gh_client_init(&w->c_agent, 1);
	gh_client_init(&w->c_cust, 0);
	assert_int_equal(gh_login(&w->s, &w->c_admin, &w->admin), 201);
	assert_int_equal(gh_login(&w->s, &w->c_sup, &w->sup), 201);
	assert_int_equal(gh_login(&w->s, &w->c_agent, &w->agent), 201);
	assert_int_equal(gh_login(&w->s, &w->c_cust, &w->cust), 201);
	*state = w;
	return 0;
}

static int
teardown(void **state)
{
	struct world *w = *state;

	gh_client_free(&w->c_admin);
	gh_client_free(&w->c_sup);
	gh_client_free(&w->c_agent);
	gh_client_free(&w->c_cust);
	assert_int_equal(gh_stop(&w->s), 0);
	free(w);
	return 0;
}

static long
req(struct world *w, struct gh_client *c, const char *method,
    const char *path, const char *body, struct gh_resp *r)
{
	return gh_req(&w->s, c, method, path, body, NULL, r);
}

/* POST /admin/staff/{id}/verb by c. */
static long
staff_post(struct world *w, struct gh_client *c, int64_t id, const char *verb,
	   struct gh_resp *r)
{
	char path[96];

	snprintf(path, sizeof(path), "/api/v1/admin/staff/%lld/%s",
		 (long long)id, verb);
	return req(w, c, "POST", path, NULL, r);
}

static long
put_queues(struct world *w, struct gh_client *c, int64_t id, const char *body,
	   struct gh_resp *r)
{
	char path[96];

	snprintf(path, sizeof(path), "/api/v1/admin/staff/%lld/queues",
		 (long long)id);
	return req(w, c, "PUT", path, body, r);
}

/* The staff member id of a staff list answer. */
static json_t *
staff_of(const struct gh_resp *r, int64_t id)
{
	size_t i;
	json_t *v;

	json_array_foreach(json_object_get(r->json, "staff"), i, v)
		if (json_integer_value(json_object_get(v, "id")) == id)
			return v;
	return NULL;
}

static int64_t
audit_on(struct world *w, const char *action, const char *outcome, int64_t id)
{
	return gh_db_countf(&w->s,
			    "SELECT COUNT(*) FROM audit WHERE record LIKE "
			    "'%%\"action\":\"%s\"%%' AND record LIKE "
			    "'%%\"outcome\":\"%s\"%%' AND record LIKE "
			    "'%%\"target\":\"staff:%lld\"%%'",
			    action, outcome, (long long)id);
}

/* ---------------------------------------------------------------------- */

/* Every route refuses agents (403, audited as a refusal), the changes
 * refuse supervisors; nothing changes (ASVS 8.2.1, 4.1.3). */
static void
test_role_guards(void **state)
{
	struct world *w = *state;
	char p_dis[80], p_en[80], p_q[80];
	const struct {
		const char *method, *path, *body;
		int sup_ok;
	} routes[] = {
		{"GET", "/api/v1/admin/staff", NULL, 1},
		{"GET", "/api/v1/admin/queues", NULL, 1},
		{"POST", p_dis, NULL, 0},
		{"POST", p_en, NULL, 0},
		{"PUT", p_q, "{\"queues\": [\"billing\"]}", 0},
		{"POST", "/api/v1/admin/queues", "{\"name\": \"guarded\"}", 0},
	};
	int64_t rows = gh_db_count(&w->s, "SELECT COUNT(*) FROM audit");
	struct gh_resp r;

	snprintf(p_dis, sizeof(p_dis), "/api/v1/admin/staff/%lld/disable",
		 (long long)w->sup.id);
	snprintf(p_en, sizeof(p_en), "/api/v1/admin/staff/%lld/enable",
		 (long long)w->sup.id);
	snprintf(p_q, sizeof(p_q), "/api/v1/admin/staff/%lld/queues",
		 (long long)w->agent.id);
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		assert_int_equal(req(w, &w->c_agent, routes[i].method,
				     routes[i].path, routes[i].body, &r),
				 403);
		assert_string_equal(gh_error(&r), "forbidden");
		gh_resp_free(&r);
		assert_int_equal(req(w, &w->c_sup, routes[i].method,
				     routes[i].path, routes[i].body, &r),
				 routes[i].sup_ok ? 200 : 403);
		gh_resp_free(&r);
		/* The customer's listener has none of them. */
		assert_int_equal(req(w, &w->c_cust, routes[i].method,
				     routes[i].path, routes[i].body, &r),
				 404);
		gh_resp_free(&r);
	}
	/* The refusals were recorded; nothing was changed. */
	assert_true(gh_db_count(&w->s, "SELECT COUNT(*) FROM audit") > rows);
	assert_int_equal(gh_db_count(&w->s, "SELECT COUNT(*) FROM queues "
					    "WHERE name = 'guarded'"),
			 0);
	assert_int_equal(gh_db_count(&w->s, "SELECT COUNT(*) FROM staff "
					    "WHERE disabled = 1"),
			 0);
	assert_int_equal(gh_audit_count(&w->s, "staff.queue_add", NULL), 0);
}

/* The staff list: role, queues, last login, MFA state, disabled; never
 * a password hash or seed; filtered by queue (the assignment picker). */
static void
test_staff_list(void **state)
{
	struct world *w = *state;
	struct gh_user never;
	struct gh_resp r;
	json_t *a, *n;

	gh_add_staff(&w->s, "never@example.com", "agent", &never);
	assert_int_equal(req(w, &w->c_sup, "GET", "/api/v1/admin/staff", NULL,
			     &r),
			 200);
	a = staff_of(&r, w->agent.id);
	n = staff_of(&r, never.id);
	assert_non_null(a);
	assert_non_null(n);
	assert_string_equal(json_string_value(json_object_get(a, "role")),
			    "agent");
	assert_string_equal(json_string_value(json_object_get(a, "email")),
			    "agent@example.com");
	assert_true(json_is_true(json_object_get(a, "mfa_enrolled")));
	assert_true(json_is_false(json_object_get(a, "disabled")));
	assert_true(json_integer_value(json_object_get(a, "last_login")) > 0);
	assert_true(json_is_null(json_object_get(n, "last_login")));
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(a, "queues"), 0)),
			    "general");
	assert_null(strstr(r.body, "pw_hash"));
	assert_null(strstr(r.body, "$argon2"));
	assert_null(strstr(r.body, "totp_seed"));
	assert_true(json_is_false(json_object_get(r.json, "truncated")));
	gh_resp_free(&r);
	/* Members of one queue: billing has none yet. */
	assert_int_equal(req(w, &w->c_sup, "GET",
			     "/api/v1/admin/staff?queue=billing", NULL, &r),
			 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "staff")), 0);
	gh_resp_free(&r);
	assert_int_equal(req(w, &w->c_sup, "GET",
			     "/api/v1/admin/staff?queue=nope", NULL, &r),
			 400);
	assert_string_equal(gh_error(&r), "unknown_queue");
	gh_resp_free(&r);
	assert_int_equal(req(w, &w->c_sup, "GET",
			     "/api/v1/admin/staff?role=agent", NULL, &r),
			 400);
	assert_string_equal(gh_error(&r), "bad_query");
	gh_resp_free(&r);
}

/* Disabling ends every session of the staff member in the same change,
 * audited with the count; they cannot log in until enabled; the same
 * state again changes and records nothing (ASVS 7.4.2, 7.1.3). */
static void
test_disable_ends_sessions(void **state)
{
	struct world *w = *state;
	struct gh_user v;
	struct gh_client c1, c2;
	struct gh_resp r;

	gh_add_staff(&w->s, "victim@example.com", "agent", &v);
	gh_client_init(&c1, 1);
	gh_client_init(&c2, 1);
	assert_int_equal(gh_login(&w->s, &c1, &v), 201);
	assert_int_equal(gh_login(&w->s, &c2, &v), 201);
	assert_int_equal(staff_post(w, &w->c_admin, v.id, "disable", &r), 200);
	assert_true(json_is_true(json_object_get(r.json, "changed")));
	assert_int_equal(json_integer_value(json_object_get(r.json,
							    "sessions_ended")),
			 2);
	gh_resp_free(&r);
	assert_int_equal(gh_db_countf(&w->s,
				      "SELECT COUNT(*) FROM sessions WHERE "
				      "realm = 'staff' AND principal_id = %lld",
				      (long long)v.id),
			 0);
	assert_int_equal(req(w, &c1, "GET", "/api/v1/staff/session", NULL, &r),
			 401);
	gh_resp_free(&r);
	assert_int_equal(gh_login(&w->s, &c1, &v), 401);
	assert_int_equal(audit_on(w, "account.disable", "success", v.id), 1);
	assert_true(gh_db_countf(&w->s,
				 "SELECT COUNT(*) FROM audit WHERE record LIKE "
				 "'%%\"target\":\"staff:%lld\"%%' AND record "
				 "LIKE '%%\"sessions_ended\":2%%' AND record "
				 "LIKE '%%\"actor\":\"staff:%lld\"%%'",
				 (long long)v.id, (long long)w->admin.id) == 1);
	/* Shown as disabled; disabling again changes nothing. */
	assert_int_equal(req(w, &w->c_admin, "GET", "/api/v1/admin/staff", NULL,
			     &r),
			 200);
	assert_true(json_is_true(json_object_get(staff_of(&r, v.id),
						 "disabled")));
	gh_resp_free(&r);
	assert_int_equal(staff_post(w, &w->c_admin, v.id, "disable", &r), 200);
	assert_true(json_is_false(json_object_get(r.json, "changed")));
	gh_resp_free(&r);
	assert_int_equal(audit_on(w, "account.disable", "success", v.id), 1);
	/* Enabled again, they log in. */
	assert_int_equal(staff_post(w, &w->c_admin, v.id, "enable", &r), 200);
	gh_resp_free(&r);
	assert_int_equal(audit_on(w, "account.enable", "success", v.id), 1);
	assert_int_equal(gh_login(&w->s, &c1, &v), 201);
	/* No such staff member; a body with a field. */
	assert_int_equal(staff_post(w, &w->c_admin, 99999, "disable", &r), 404);
	gh_resp_free(&r);
	assert_int_equal(req(w, &w->c_admin, "POST",
			     "/api/v1/admin/staff/3/disable", "{\"why\": 1}",
			     &r),
			 400);
	assert_string_equal(gh_error(&r), "unknown_field");
	gh_resp_free(&r);
	gh_client_free(&c1);
	gh_client_free(&c2);
}

/* Nobody disables themself; the last active admin is never disabled,
 * from the API or the command line; each API refusal is audited. */
static void
test_self_and_last_admin(void **state)
{
	struct world *w = *state;
	struct gh_user admin2;
	struct gh_client c2;
	struct gh_resp r;
	const char *cli_dis[] = {"staff", "disable", "--email",
				 "admin@example.com", NULL};

	assert_int_equal(staff_post(w, &w->c_admin, w->admin.id, "disable", &r),
			 409);
	assert_string_equal(gh_error(&r), "self_disable");
	gh_resp_free(&r);
	assert_int_equal(audit_on(w, "account.disable", "denied", w->admin.id),
			 1);
	/* The only admin, from the command line: refused, still enabled. */
	assert_int_not_equal(gh_cli(&w->s, NULL, NULL, cli_dis), 0);
	assert_int_equal(gh_db_countf(&w->s,
				      "SELECT COUNT(*) FROM staff WHERE id = "
				      "%lld AND disabled = 0",
				      (long long)w->admin.id),
			 1);
	assert_int_equal(req(w, &w->c_admin, "GET", "/api/v1/staff/session",
			     NULL, &r),
			 200);
	gh_resp_free(&r);
	/* With a second admin, one may disable the other; then the one
	 * left is the last, and the command line cannot disable it. */
	gh_add_staff(&w->s, "admin2@example.com", "admin", &admin2);
	gh_client_init(&c2, 1);
	assert_int_equal(gh_login(&w->s, &c2, &admin2), 201);
	assert_int_equal(staff_post(w, &c2, w->admin.id, "disable", &r), 200);
	gh_resp_free(&r);
	{
		const char *cli_dis2[] = {"staff", "disable", "--email",
					  "admin2@example.com", NULL};
		const char *cli_en[] = {"staff", "enable", "--email",
					"admin@example.com", NULL};

		assert_int_not_equal(gh_cli(&w->s, NULL, NULL, cli_dis2), 0);
		assert_int_equal(gh_db_countf(&w->s,
					      "SELECT COUNT(*) FROM staff "
					      "WHERE role = 'admin' AND "
					      "disabled = 0"),
				 1);
		assert_int_equal(gh_cli(&w->s, NULL, NULL, cli_en), 0);
	}
	assert_int_equal(gh_login(&w->s, &w->c_admin, &w->admin), 201);
	gh_client_free(&c2);
}

/* Membership replaced in one change, each membership audited; bad
 * input changes nothing. */
static void
test_queue_membership(void **state)
{
	struct world *w = *state;
	int64_t adds = gh_audit_count(&w->s, "staff.queue_add", NULL);
	int64_t removes = gh_audit_count(&w->s, "staff.queue_remove", NULL);
	static const struct {
		const char *body, *error;
	} bad[] = {
		{"{\"queues\": [\"nope\"]}", "unknown_queue"},
		{"{\"queues\": [\"billing\", \"nope\"]}", "unknown_queue"},
		{"{\"queues\": []}", "bad_field"},
		{"{\"queues\": [\"billing\", \"billing\"]}", "bad_field"},
		{"{\"queues\": \"billing\"}", "bad_field"},
		{"{\"queues\": [1]}", "bad_field"},
		{"{}", "missing_field"},
		{"{\"queues\": [\"billing\"], \"x\": 1}", "unknown_field"},
		{"{\"queues\": [\"billing\"]", "bad_json"},
	};
	struct gh_resp r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(put_queues(w, &w->c_admin, w->agent.id,
					    bad[i].body, &r),
				 400);
		assert_string_equal(gh_error(&r), bad[i].error);
		gh_resp_free(&r);
	}
	assert_int_equal(gh_audit_count(&w->s, "staff.queue_add", NULL), adds);
	assert_int_equal(gh_db_countf(&w->s,
				      "SELECT COUNT(*) FROM staff_queues WHERE "
				      "staff_id = %lld",
				      (long long)w->agent.id),
			 1);
	assert_int_equal(put_queues(w, &w->c_admin, 99999,
				    "{\"queues\": [\"billing\"]}", &r),
			 404);
	gh_resp_free(&r);
	assert_int_equal(put_queues(w, &w->c_admin, w->agent.id,
				    "{\"queues\": [\"billing\"]}", &r),
			 200);
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(r.json, "queues"), 0)),
			    "billing");
	assert_int_equal(json_array_size(json_object_get(r.json, "queues")), 1);
	gh_resp_free(&r);
	assert_int_equal(gh_audit_count(&w->s, "staff.queue_add", NULL),
			 adds + 1);
	assert_int_equal(gh_audit_count(&w->s, "staff.queue_remove", NULL),
			 removes + 1);
	/* The picker's list now has them under billing. */
	assert_int_equal(req(w, &w->c_sup, "GET",
			     "/api/v1/admin/staff?queue=billing", NULL, &r),
			 200);
	assert_non_null(staff_of(&r, w->agent.id));
	gh_resp_free(&r);
	assert_int_equal(put_queues(w, &w->c_admin, w->agent.id,
				    "{\"queues\": [\"general\"]}", &r),
			 200);
	gh_resp_free(&r);
}

/* Queues with their counts; creating one (admins), audited. */
static void
test_queues(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	size_t i;
	json_t *q, *general = NULL;

	assert_int_equal(gh_send_json(&w->s, &w->c_cust, "POST",
				      "/api/v1/portal/tickets",
				      json_pack("{s:s, s:s}", "subject",
						"Count me", "body",
						"Counting tickets."),
				      &r),
			 201);
	gh_resp_free(&r);
	assert_int_equal(req(w, &w->c_sup, "GET", "/api/v1/admin/queues", NULL,
			     &r),
			 200);
	json_array_foreach(json_object_get(r.json, "queues"), i, q)
		if (strcmp(json_string_value(json_object_get(q, "name")),
			   "general") == 0)
			general = q;
	assert_non_null(general);
	assert_int_equal(json_integer_value(json_object_get(general, "open")),
			 gh_db_count(&w->s, "SELECT COUNT(*) FROM tickets WHERE "
					    "queue_id = 1 AND status = "
					    "'open'"));
	assert_true(json_integer_value(json_object_get(general, "open")) >= 1);
	assert_int_equal(json_integer_value(json_object_get(general,
							    "members")),
			 gh_db_count(&w->s,
				     "SELECT COUNT(*) FROM staff_queues m JOIN "
				     "staff s ON s.id = m.staff_id WHERE "
				     "m.queue_id = 1 AND s.disabled = 0"));
	gh_resp_free(&r);
	assert_int_equal(req(w, &w->c_admin, "POST", "/api/v1/admin/queues",
			     "{\"name\": \"vip\"}", &r),
			 201);
	assert_true(json_integer_value(json_object_get(r.json, "id")) > 1);
	gh_resp_free(&r);
	assert_int_equal(gh_audit_count(&w->s, "queue.create", "success"), 2);
	assert_int_equal(req(w, &w->c_admin, "POST", "/api/v1/admin/queues",
			     "{\"name\": \"vip\"}", &r),
			 409);
	assert_string_equal(gh_error(&r), "queue_exists");
	gh_resp_free(&r);
	assert_int_equal(req(w, &w->c_admin, "POST", "/api/v1/admin/queues",
			     "{\"name\": \"Bad Name\"}", &r),
			 400);
	assert_string_equal(gh_error(&r), "bad_field");
	assert_string_equal(json_string_value(json_object_get(r.json, "field")),
			    "name");
	gh_resp_free(&r);
	assert_int_equal(gh_db_count(&w->s, "SELECT COUNT(*) FROM queues"), 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_role_guards),
		cmocka_unit_test(test_staff_list),
		cmocka_unit_test(test_disable_ends_sessions),
		cmocka_unit_test(test_self_and_last_admin),
		cmocka_unit_test(test_queue_membership),
		cmocka_unit_test(test_queues),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
