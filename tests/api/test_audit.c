/*
 * Issue 9, defect 6: security-relevant refusals leave a trace. A
 * throttled login (429), a CSRF failure (403), a wrong code at
 * authenticator enrolment (422) and a ticket outside the agent's queues
 * (404) each add a "security.refused" audit record naming the code, the
 * route, the id, the actor and the address, never the body; a flood from
 * one source adds REFUSAL_BURST records and one summary at shutdown.
 * ASVS 16.3.1 (authentication events), 16.3.2 (failed authorization).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/refusal.h"
#include "harness.h"

static struct gh_server srv;

static int
setup(void **state)
{
	(void)state;
	gh_start(&srv, "\n[security]\nlogin_free_failures = 1\n"
		       "login_max_failures = 5\n");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	gh_stop(&srv);
	return 0;
}

/* Records of refusals with this error code (and route fragment). */
static int64_t
refused(const char *code, const char *route)
{
	return gh_db_countf(&srv,
			    "SELECT COUNT(*) FROM audit WHERE record LIKE "
			    "'%%\"action\":\"security.refused\"%%' AND record "
			    "LIKE '%%\"code\":\"%s\"%%' AND record LIKE "
			    "'%%%s%%'",
			    code, route);
}

static long
login(struct gh_client *c, const char *email, const char *pw,
      const char *code, struct gh_resp *r)
{
	char body[512];

	snprintf(body, sizeof(body),
		 "{\"email\":\"%s\",\"password\":\"%s\",\"totp\":\"%s\"}",
		 email, pw, code);
	return gh_req(&srv, c, "POST",
		      c->staff ? "/api/v1/staff/session"
			       : "/api/v1/portal/session",
		      body, NULL, r);
}

/* A wrong password, then the throttled attempt: the 401 is the login's
 * own failure record, the 429 a refusal record. */
static void
test_throttled_login_recorded(void **state)
{
	struct gh_client c;
	struct gh_resp r;
	struct gh_user u;

	(void)state;
	gh_add_customer(&srv, "throttled@example.org", &u);
	gh_client_init(&c, 0);
	assert_int_equal(refused("too_many_attempts", "/portal/session"), 0);
	assert_int_equal(login(&c, u.email, "a wrong password 1", "000000", &r),
			 401);
	gh_resp_free(&r);
	assert_int_equal(login(&c, u.email, "a wrong password 2", "000000", &r),
			 429);
	gh_resp_free(&r);
	assert_int_equal(refused("too_many_attempts",
				 "POST /api/v1/portal/session"),
			 1);
	/* The refusal names neither the e-mail nor the password. */
	assert_int_equal(gh_db_count(&srv, "SELECT COUNT(*) FROM audit WHERE "
					   "record LIKE '%security.refused%' "
					   "AND (record LIKE '%throttled@%' OR "
					   "record LIKE '%wrong password%')"),
			 0);
	gh_client_free(&c);
}

/* A state-changing request without its CSRF token: 403 and a record with
 * the staff member as actor. */
static void
test_csrf_failure_recorded(void **state)
{
	struct gh_client c;
	struct gh_resp r;
	struct gh_user u;

	(void)state;
	gh_add_staff(&srv, "csrf-agent@example.com", "agent", &u);
	gh_client_init(&c, 1);
	assert_int_equal(gh_login(&srv, &c, &u), 201);
	c.csrf[0] = '\0'; /* the client sends no token */
	assert_int_equal(gh_req(&srv, &c, "POST", "/api/v1/tickets/1/notes",
				"{\"body\":\"secret note text\"}", NULL, &r),
			 403);
	assert_string_equal(gh_error(&r), "csrf_failed");
	gh_resp_free(&r);
	assert_int_equal(gh_db_countf(&srv,
				      "SELECT COUNT(*) FROM audit WHERE record "
				      "LIKE '%%security.refused%%' AND record "
				      "LIKE '%%csrf_failed%%' AND record LIKE "
				      "'%%\"actor\":\"staff:%lld\"%%' AND record "
				      "LIKE '%%\"id\":1%%'",
				      (long long)u.id),
			 1);
	assert_int_equal(gh_db_count(&srv, "SELECT COUNT(*) FROM audit WHERE "
					   "record LIKE '%secret note text%'"),
			 0);
	gh_client_free(&c);
}

/* A wrong code while enrolling an authenticator in the portal. */
static void
test_failed_enrolment_recorded(void **state)
{
	const char *args[] = {"customer", "add", "--email", "enrol@example.org",
			      "--name", "Enrolling Customer",
			      "--enroll-in-portal", "--password-stdin", NULL};
	const char *pw = "purple Lantern orchard 88";
	struct gh_client c;
	struct gh_resp r;
	char *out = NULL;

	(void)state;
	assert_int_equal(gh_cli(&srv, pw, &out, args), 0);
	free(out);
	gh_client_init(&c, 0);
	assert_int_equal(login(&c, "enrol@example.org", pw, "", &r), 201);
	snprintf(c.csrf, sizeof(c.csrf), "%s",
		 json_string_value(json_object_get(r.json, "csrf_token")));
	gh_resp_free(&r);
	assert_int_equal(gh_req(&srv, &c, "POST", "/api/v1/portal/enrollment",
				NULL, NULL, &r),
			 201);
	gh_resp_free(&r);
	assert_int_equal(gh_req(&srv, &c, "POST",
				"/api/v1/portal/enrollment/confirm",
				"{\"totp\":\"000000\"}", NULL, &r),
			 422);
	gh_resp_free(&r);
	assert_int_equal(refused("bad_code",
				 "POST /api/v1/portal/enrollment/confirm"),
			 1);
	gh_client_free(&c);
}

/* An agent asks for a ticket waiting in a queue they are not in: 404,
 * and a record naming the ticket. */
static void
test_ticket_outside_queues_recorded(void **state)
{
	const char *add_q[] = {"queue", "add", "--name", "vip", NULL};
	const char *join[] = {"staff", "queue", "--email", "q-agent@example.com",
			      "--add", "vip", NULL};
	const char *leave[] = {"staff", "queue", "--email",
			       "q-agent@example.com", "--remove", "general",
			       NULL};
	struct gh_client cust, agent;
	struct gh_resp r;
	struct gh_user cu, au;
	char path[64];
	int64_t id;

	(void)state;
	gh_add_customer(&srv, "queue-cust@example.org", &cu);
	gh_add_staff(&srv, "q-agent@example.com", "agent", &au);
	assert_int_equal(gh_cli(&srv, NULL, NULL, add_q), 0);
	assert_int_equal(gh_cli(&srv, NULL, NULL, join), 0);
	assert_int_equal(gh_cli(&srv, NULL, NULL, leave), 0);
	gh_client_init(&cust, 0);
	assert_int_equal(gh_login(&srv, &cust, &cu), 201);
	assert_int_equal(gh_req(&srv, &cust, "POST", "/api/v1/portal/tickets",
				"{\"subject\":\"Help\",\"body\":\"Hello\"}",
				NULL, &r),
			 201);
	id = json_integer_value(json_object_get(r.json, "id"));
	gh_resp_free(&r);
	gh_client_init(&agent, 1);
	assert_int_equal(gh_login(&srv, &agent, &au), 201);
	snprintf(path, sizeof(path), "/api/v1/tickets/%lld", (long long)id);
	assert_int_equal(gh_req(&srv, &agent, "GET", path, NULL, NULL, &r), 404);
	gh_resp_free(&r);
	assert_int_equal(gh_db_countf(&srv,
				      "SELECT COUNT(*) FROM audit WHERE record "
				      "LIKE '%%security.refused%%' AND record "
				      "LIKE '%%not_found%%' AND record LIKE "
				      "'%%\"actor\":\"staff:%lld\"%%' AND record "
				      "LIKE '%%\"id\":%lld%%'",
				      (long long)au.id, (long long)id),
			 1);
	gh_client_free(&cust);
	gh_client_free(&agent);
}

/* Forty CSRF failures from one source: REFUSAL_BURST records, and at
 * shutdown one summary counting the rest. */
static void
test_flood_summarised(void **state)
{
	struct gh_client c;
	struct gh_resp r;
	struct gh_user u;
	int64_t before;

	(void)state;
	gh_add_staff(&srv, "flood-agent@example.com", "agent", &u);
	gh_client_init(&c, 1);
	assert_int_equal(gh_login(&srv, &c, &u), 201);
	snprintf(c.csrf, sizeof(c.csrf), "not-the-token");
	before = refused("csrf_failed", "/replies");
	for (int i = 0; i < 40; i++) {
		assert_int_equal(gh_req(&srv, &c, "POST",
					"/api/v1/tickets/7/replies",
					"{\"body\":\"x\"}", NULL, &r),
				 403);
		gh_resp_free(&r);
	}
	assert_int_equal(refused("csrf_failed", "/replies") - before,
			 REFUSAL_BURST);
	gh_client_free(&c);
	assert_int_equal(gh_restart(&srv, NULL), 0);
	assert_int_equal(gh_db_countf(&srv,
				      "SELECT COUNT(*) FROM audit WHERE record "
				      "LIKE '%%security.refusals_suppressed%%' "
				      "AND record LIKE '%%csrf_failed%%' AND "
				      "record LIKE '%%\"count\":%d%%'",
				      40 - REFUSAL_BURST),
			 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_throttled_login_recorded),
		cmocka_unit_test(test_csrf_failure_recorded),
		cmocka_unit_test(test_failed_enrolment_recorded),
		cmocka_unit_test(test_ticket_outside_queues_recorded),
		cmocka_unit_test(test_flood_summarised),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
