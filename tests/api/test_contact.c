/*
 * API tests of customer protection (issue 11 part D) against the real
 * server.
 *
 * Contact codes ("is this really you?"): an agent who sees a ticket gives
 * its customer a code (POST /tickets/{id}/contact-codes); the customer
 * checks it in the portal (POST /portal/contact-codes/check). Genuine
 * once, with the agent's first name, the ticket and the time; unknown,
 * malformed, expired, reused and another customer's codes answer
 * {genuine: false}; an agent who does not see the ticket is refused;
 * checks per customer and codes per agent are rate-limited (429
 * rate_limited with Retry-After); only a keyed hash is stored and no
 * audit record, log line or table holds the code (ASVS 2.4.1 anti-
 * automation, 6.5.x one-time codes: single use, expiry, 16.2.5 no secret
 * in logs, 16.3.2 audited).
 *
 * The contact policy: public (no session), from [contact], linked from
 * every kind of customer notification (read from DIR/outbox): a new
 * message, the verification codes by e-mail and text message, the
 * notices of an approved and an applied account change.
 *
 * The anti-phishing phrase: in every one of those notifications and in
 * the portal's header data, and in nothing staff can read (tickets,
 * customer view, changes, verifications, reveals, staff session; the
 * audit table and the server log), and no staff route can set or reveal
 * it (ASVS 8.2.3 field level access, 14.2.x sensitive data).
 *
 * The security centre (GET /portal/security): authenticators, whether a
 * phrase is set, the customer's own view of reveals (agent's first name,
 * field, reason, when) and open changes.
 *
 * Time: the server has no clock override. To outlive a code the test
 * moves its own database row's times back (as setup), exactly as a code
 * looks 11 minutes later.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define PORTAL_URL "https://portal.example.test/"
#define POLICY_URL PORTAL_URL "#/contact"
#define PHONE "+44 20 7946 0123"
/* A phrase no fixture or text of ours contains. */
#define PHRASE "Quokka lantern 7731 zephyr"

struct world {
	struct gh_server s;
	struct gh_user agent1, agent2, sup1, sup2, cust_a, cust_b;
	struct gh_client c_agent1, c_agent2, c_sup1, c_sup2, c_a, c_b;
	int64_t ticket_a, ticket_b;
};

static struct world *W;

static long
post(struct gh_client *c, const char *path, json_t *body, struct gh_resp *r)
{
	return gh_send_json(&W->s, c, "POST", path, body, r);
}

static long
get(struct gh_client *c, const char *path, struct gh_resp *r)
{
	return gh_req(&W->s, c, "GET", path, NULL, NULL, r);
}

static int64_t
new_ticket(struct gh_client *c)
{
	struct gh_resp r;
	int64_t id;

	assert_int_equal(post(c, "/api/v1/portal/tickets",
			      json_pack("{s:s, s:s}", "subject",
					"A call about my account", "body",
					"Someone called me"),
			      &r),
			 201);
	id = json_integer_value(json_object_get(r.json, "id"));
	gh_resp_free(&r);
	return id;
}

static void
assign(int64_t ticket, int64_t staff)
{
	struct gh_resp r;
	char path[96];

	snprintf(path, sizeof(path), "/api/v1/tickets/%lld/assign",
		 (long long)ticket);
	assert_int_equal(post(&W->c_sup1, path,
			      json_pack("{s:I}", "staff_id", (json_int_t)staff),
			      &r),
			 200);
	gh_resp_free(&r);
}

static void
start_world(void **state, const char *extra)
{
	struct world *w = calloc(1, sizeof(*w));
	char conf[512];

	snprintf(conf, sizeof(conf), "\n[company]\nportal_url = %s\n%s",
		 PORTAL_URL, extra != NULL ? extra : "");
	gh_start(&w->s, conf);
	gh_add_staff(&w->s, "agent1@example.com", "agent", &w->agent1);
	gh_add_staff(&w->s, "agent2@example.com", "agent", &w->agent2);
	gh_add_staff(&w->s, "sup1@example.com", "supervisor", &w->sup1);
	gh_add_staff(&w->s, "sup2@example.com", "admin", &w->sup2);
	gh_add_customer(&w->s, "cust.a@example.org", &w->cust_a);
	gh_add_customer(&w->s, "cust.b@example.org", &w->cust_b);
	/* A first name to find in the answers. */
	snprintf(conf, sizeof(conf),
		 "UPDATE staff SET name = 'Dana Whitfield' WHERE id = %lld",
		 (long long)w->agent1.id);
	gh_db_exec(&w->s, conf);
	gh_client_init(&w->c_agent1, 1);
	gh_client_init(&w->c_agent2, 1);
	gh_client_init(&w->c_sup1, 1);
	gh_client_init(&w->c_sup2, 1);
	gh_client_init(&w->c_a, 0);
	gh_client_init(&w->c_b, 0);
	assert_int_equal(gh_login(&w->s, &w->c_agent1, &w->agent1), 201);
	assert_int_equal(gh_login(&w->s, &w->c_agent2, &w->agent2), 201);
	assert_int_equal(gh_login(&w->s, &w->c_sup1, &w->sup1), 201);
	assert_int_equal(gh_login(&w->s, &w->c_sup2, &w->sup2), 201);
	assert_int_equal(gh_login(&w->s, &w->c_a, &w->cust_a), 201);
	assert_int_equal(gh_login(&w->s, &w->c_b, &w->cust_b), 201);
	W = w;
	w->ticket_a = new_ticket(&w->c_a);
	w->ticket_b = new_ticket(&w->c_b);
	assign(w->ticket_a, w->agent1.id);
	assign(w->ticket_b, w->agent1.id);
	*state = w;
}

static int
setup(void **state)
{
	start_world(state, NULL);
	return 0;
}

static int
setup_limits(void **state)
{
	start_world(state, "[contact]\nchecks_per_hour = 3\ncodes_per_hour = 2\n"
			   "phone = +44 20 7946 0999\n");
	return 0;
}

static int
teardown(void **state)
{
	struct world *w = *state;

	gh_client_free(&w->c_agent1);
	gh_client_free(&w->c_agent2);
	gh_client_free(&w->c_sup1);
	gh_client_free(&w->c_sup2);
	gh_client_free(&w->c_a);
	gh_client_free(&w->c_b);
	assert_int_equal(gh_stop(&w->s), 0);
	free(w);
	return 0;
}

static int64_t
audits(const char *action, const char *outcome)
{
	return gh_db_countf(&W->s,
			    "SELECT COUNT(*) FROM audit WHERE record LIKE "
			    "'%%\"action\":\"%s\"%%' AND record LIKE "
			    "'%%\"outcome\":\"%s\"%%'",
			    action, outcome);
}

/* --- contact codes ---------------------------------------------------- */

/* POST /tickets/{ticket}/contact-codes by c. */
static long
issue(struct gh_client *c, int64_t ticket, struct gh_resp *r)
{
	char path[96];

	snprintf(path, sizeof(path), "/api/v1/tickets/%lld/contact-codes",
		 (long long)ticket);
	return post(c, path, json_object(), r);
}

/* A code agent1 gives on ticket, into code (10 bytes). */
static void
issued(int64_t ticket, char code[10])
{
	struct gh_resp r;
	const char *s;
	int64_t now = (int64_t)time(NULL), exp;

	assert_int_equal(issue(&W->c_agent1, ticket, &r), 201);
	s = json_string_value(json_object_get(r.json, "code"));
	assert_non_null(s);
	assert_int_equal(strlen(s), 9);
	for (int i = 0; i < 9; i++)
		assert_true(i == 4 ? s[i] == '-' : (s[i] >= '0' && s[i] <= '9'));
	exp = json_integer_value(json_object_get(r.json, "expires_at"));
	assert_true(exp >= now + 600 && exp <= now + 605);
	snprintf(code, 10, "%s", s);
	gh_resp_free(&r);
}

/* The customer on c checks code: 1 genuine, 0 not (asserts 200). */
static int
check(struct gh_client *c, const char *code, struct gh_resp *r)
{
	json_t *g;

	assert_int_equal(post(c, "/api/v1/portal/contact-codes/check",
			      json_pack("{s:s}", "code", code), r),
			 200);
	g = json_object_get(r->json, "genuine");
	assert_true(json_is_boolean(g));
	if (!json_is_true(g))
		assert_int_equal(json_object_size(r->json), 1);
	return json_is_true(g);
}

static int
check_once(struct gh_client *c, const char *code)
{
	struct gh_resp r;
	int g = check(c, code, &r);

	gh_resp_free(&r);
	return g;
}

/* Neither the code nor its digits are in any table or the log. */
static void
assert_code_nowhere(const char *code)
{
	char digits[9];

	snprintf(digits, sizeof(digits), "%.4s%.4s", code, code + 5);
	assert_int_equal(gh_db_countf(&W->s,
				      "SELECT COUNT(*) FROM audit WHERE record "
				      "LIKE '%%%s%%' OR record LIKE '%%%s%%'",
				      code, digits),
			 0);
	assert_int_equal(gh_db_countf(&W->s,
				      "SELECT COUNT(*) FROM contact_codes WHERE "
				      "code_hash LIKE '%%%s%%'",
				      digits),
			 0);
	assert_false(gh_log_contains(&W->s, code));
	assert_false(gh_log_contains(&W->s, digits));
}

/* Genuine once: the agent's first name, the ticket, when; the same code
 * again is not genuine (single use). Both sides audited, never the code. */
static void
test_code_genuine(void **state)
{
	struct world *w = *state;
	int64_t now = (int64_t)time(NULL);
	struct gh_resp r;
	char code[10];

	issued(w->ticket_a, code);
	assert_true(check(&w->c_a, code, &r));
	assert_string_equal(json_string_value(json_object_get(r.json, "agent")),
			    "Dana");
	assert_int_equal(json_integer_value(json_object_get(r.json, "ticket")),
			 w->ticket_a);
	assert_true(json_integer_value(json_object_get(r.json, "issued_at")) >=
		    now - 5);
	gh_resp_free(&r);
	/* Reused: not genuine, and the answer says nothing more. */
	assert_false(check_once(&w->c_a, code));
	assert_int_equal(audits("contact_code.issue", "success"), 1);
	assert_int_equal(audits("contact_code.check", "success"), 1);
	assert_int_equal(audits("contact_code.check", "failure"), 1);
	assert_code_nowhere(code);
	/* Typed with a space instead of the dash: the same code. */
	issued(w->ticket_a, code);
	code[4] = ' ';
	assert_true(check_once(&w->c_a, code));
	code[4] = '-';
	assert_int_equal(gh_db_count(&W->s, "SELECT COUNT(*) FROM contact_codes "
					    "WHERE used_at IS NOT NULL"),
			 2);
	assert_code_nowhere(code);
}

/* Unknown and malformed codes: not genuine; bad input: 400 naming code. */
static void
test_code_unknown(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	char code[10];

	issued(w->ticket_a, code);
	/* A code that differs from the real one in its last digit. */
	code[8] = code[8] == '9' ? '0' : (char)(code[8] + 1);
	assert_false(check_once(&w->c_a, code));
	assert_false(check_once(&w->c_a, "not a code"));
	assert_false(check_once(&w->c_a, "1234-567"));
	assert_int_equal(post(&w->c_a, "/api/v1/portal/contact-codes/check",
			      json_pack("{s:s}", "code",
					"123456789012345678901234567890123"),
			      &r),
			 400);
	assert_string_equal(gh_error(&r), "bad_field");
	gh_resp_free(&r);
	assert_int_equal(post(&w->c_a, "/api/v1/portal/contact-codes/check",
			      json_pack("{s:i}", "code", 12345678), &r),
			 400);
	gh_resp_free(&r);
	assert_int_equal(post(&w->c_a, "/api/v1/portal/contact-codes/check",
			      json_object(), &r),
			 400);
	gh_resp_free(&r);
	/* The real code stays unused. */
	assert_int_equal(gh_db_count(&W->s, "SELECT COUNT(*) FROM contact_codes "
					    "WHERE used_at IS NOT NULL"),
			 0);
}

/* Past [contact] code_minutes (10) a code is not genuine, and not used. */
static void
test_code_expired(void **state)
{
	struct world *w = *state;
	char code[10];

	issued(w->ticket_a, code);
	/* Test setup: the code as it is 11 minutes after it was given. */
	gh_db_exec(&w->s, "UPDATE contact_codes SET created_at = created_at - "
			  "660, expires_at = expires_at - 660");
	assert_false(check_once(&w->c_a, code));
	assert_int_equal(gh_db_count(&W->s, "SELECT COUNT(*) FROM contact_codes "
					    "WHERE used_at IS NOT NULL"),
			 0);
	assert_int_equal(gh_db_countf(&w->s,
				      "SELECT COUNT(*) FROM audit WHERE record "
				      "LIKE '%%\"result\":\"expired\"%%'"),
			 1);
}

/* A code for customer A's ticket is not genuine for customer B, and B's
 * check does not use it up: A still finds it genuine. */
static void
test_code_other_customer(void **state)
{
	struct world *w = *state;
	char code[10];

	issued(w->ticket_a, code);
	assert_false(check_once(&w->c_b, code));
	assert_int_equal(gh_db_countf(&w->s,
				      "SELECT COUNT(*) FROM audit WHERE record "
				      "LIKE '%%\"result\":\"other_customer\"%%'"),
			 1);
	assert_true(check_once(&w->c_a, code));
}

/* ASVS 8.2.2: an agent who does not see the ticket gets 404 (no code
 * made); a ticket that does not exist 404; a customer cannot reach the
 * staff route; staff cannot check codes. */
static void
test_code_refused(void **state)
{
	struct world *w = *state;
	struct gh_client as_public;
	struct gh_resp r;

	assert_int_equal(issue(&w->c_agent2, w->ticket_a, &r), 404);
	assert_string_equal(gh_error(&r), "not_found");
	gh_resp_free(&r);
	assert_int_equal(issue(&w->c_agent1, 999999, &r), 404);
	gh_resp_free(&r);
	assert_int_equal(gh_db_count(&W->s,
				     "SELECT COUNT(*) FROM contact_codes"),
			 0);
	/* The customer's session on the staff listener: not a staff
	 * session. */
	as_public = w->c_a;
	as_public.staff = 1;
	assert_int_equal(issue(&as_public, w->ticket_a, &r), 401);
	gh_resp_free(&r);
	/* Staff on the public listener: not a customer session. */
	as_public = w->c_agent1;
	as_public.staff = 0;
	assert_int_equal(post(&as_public, "/api/v1/portal/contact-codes/check",
			      json_pack("{s:s}", "code", "1234-5678"), &r),
			 401);
	gh_resp_free(&r);
	/* A supervisor sees every ticket and may give one. */
	assert_int_equal(issue(&w->c_sup1, w->ticket_a, &r), 201);
	gh_resp_free(&r);
}

/* ASVS 2.4.1: 3 checks an hour per customer (configured), then 429 with
 * Retry-After; even a genuine code is not checked (nor used) then. Each
 * customer has their own count. */
static void
test_check_limit(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	char code[10], *ra;

	issued(w->ticket_a, code);
	for (int i = 0; i < 3; i++)
		assert_false(check_once(&w->c_a, "0000-0000"));
	assert_int_equal(post(&w->c_a, "/api/v1/portal/contact-codes/check",
			      json_pack("{s:s}", "code", code), &r),
			 429);
	assert_string_equal(gh_error(&r), "rate_limited");
	ra = gh_header(&r, "Retry-After");
	assert_non_null(ra);
	assert_true(atoi(ra) > 3500 && atoi(ra) <= 3600);
	free(ra);
	gh_resp_free(&r);
	assert_int_equal(gh_db_count(&W->s, "SELECT COUNT(*) FROM contact_codes "
					    "WHERE used_at IS NOT NULL"),
			 0);
	assert_int_equal(audits("contact_code.check", "denied"), 1);
	/* Customer B is not limited by A's checks. */
	assert_false(check_once(&w->c_b, code));
}

/* 2 codes an hour per agent (configured), then 429 with Retry-After. */
static void
test_issue_limit(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	char code[10], *ra;

	issued(w->ticket_a, code);
	issued(w->ticket_b, code);
	assert_int_equal(issue(&w->c_agent1, w->ticket_a, &r), 429);
	assert_string_equal(gh_error(&r), "rate_limited");
	assert_null(json_object_get(r.json, "code"));
	ra = gh_header(&r, "Retry-After");
	assert_non_null(ra);
	assert_true(atoi(ra) > 0 && atoi(ra) <= 3600);
	free(ra);
	gh_resp_free(&r);
	assert_int_equal(audits("contact_code.issue", "denied"), 1);
	assert_int_equal(gh_db_count(&W->s,
				     "SELECT COUNT(*) FROM contact_codes"),
			 2);
	/* Another agent's own count. */
	assert_int_equal(issue(&w->c_sup1, w->ticket_a, &r), 201);
	gh_resp_free(&r);
}

/* --- the contact policy -------------------------------------------------- */

static int
has_item(json_t *arr, const char *needle)
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v)
		if (strstr(json_string_value(v), needle) != NULL)
			return 1;
	return 0;
}

/* Public, without a session, from [contact] (a configured phone here). */
static void
test_policy_public(void **state)
{
	struct world *w = *state;
	struct gh_client anon;
	struct gh_resp r;

	gh_client_init(&anon, 0);
	assert_int_equal(get(&anon, "/api/v1/portal/contact-policy", &r), 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "phone")),
			    "+44 20 7946 0999");
	assert_string_equal(
		json_string_value(json_object_get(r.json, "policy_url")),
		POLICY_URL);
	assert_true(json_array_size(json_object_get(r.json, "channels")) >= 3);
	assert_true(has_item(json_object_get(r.json, "never_ask"),
			     "your password"));
	assert_true(has_item(json_object_get(r.json, "in_doubt"), "Hang up"));
	gh_resp_free(&r);
	assert_int_equal(get(&anon, "/api/v1/portal/contact-policy?x=1", &r),
			 400);
	gh_resp_free(&r);
	gh_client_free(&anon);
	/* The portal page itself is reachable before login. */
	gh_client_init(&anon, 0);
	assert_int_equal(get(&anon, "/", &r), 200);
	gh_resp_free(&r);
	gh_client_free(&anon);
	(void)w;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_code_genuine, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_code_unknown, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_code_expired, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_code_other_customer, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_code_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_check_limit, setup_limits,
						teardown),
		cmocka_unit_test_setup_teardown(test_issue_limit, setup_limits,
						teardown),
		cmocka_unit_test_setup_teardown(test_policy_public,
						setup_limits, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
