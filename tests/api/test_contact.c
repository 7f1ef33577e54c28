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
 * audit record, log line or table holds the code (ASVS 6.5.1 single use,
 * 6.5.5 valid at most 10 minutes, 6.6.3 checks rate-limited, 2.4.1
 * issuing rate-limited, 16.2.5 no code in logs, 16.3.2 both sides
 * audited).
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
 * it (ASVS 8.2.3 field level access).
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
	/* The training gate guards the verifications and the reveal below. */
	gh_train(&w->s, "agent1@example.com");
	gh_train(&w->s, "agent2@example.com");
	gh_train(&w->s, "sup1@example.com");
	gh_train(&w->s, "sup2@example.com");
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
	return gh_audit_count(&W->s, action, outcome);
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

/* ASVS 6.5.1, 16.2.5, 16.3.2: genuine once, with the agent's first name,
 * the ticket and when; the same code again is not genuine (single use).
 * Both sides audited, never the code. */
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

/* ASVS 6.5.5: past [contact] code_minutes (10) a code is not genuine,
 * and not used. */
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

/* ASVS 8.2.2: a code for customer A's ticket is not genuine for customer
 * B, and B's check does not use it up: A still finds it genuine. */
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

/* ASVS 6.6.3: 3 checks an hour per customer (configured), then 429 with
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
	assert_true(strtol(ra, NULL, 10) > 3500);
	assert_true(strtol(ra, NULL, 10) <= 3600);
	free(ra);
	gh_resp_free(&r);
	assert_int_equal(gh_db_count(&W->s, "SELECT COUNT(*) FROM contact_codes "
					    "WHERE used_at IS NOT NULL"),
			 0);
	assert_int_equal(audits("contact_code.check", "denied"), 1);
	/* Customer B is not limited by A's checks. */
	assert_false(check_once(&w->c_b, code));
}

/* ASVS 2.4.1: 2 codes an hour per agent (configured), then 429 with
 * Retry-After. */
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
	assert_true(strtol(ra, NULL, 10) > 0);
	assert_true(strtol(ra, NULL, 10) <= 3600);
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

/* --- verification, reveals, changes (to make every notification) --------- */

/* A verification by agent1 on A's ticket: portal number matching (level
 * 1) and, with level 2, an e-mail code; returns its id. *mail (may be
 * NULL) gets the code mail. */
static int64_t
verified(int level, char **mail)
{
	char path[128], code[7];
	struct gh_resp r;
	char *m = NULL;
	const char *p;
	int64_t v, n;

	snprintf(path, sizeof(path), "/api/v1/tickets/%lld/verifications",
		 (long long)W->ticket_a);
	assert_int_equal(post(&W->c_agent1, path, json_object(), &r), 201);
	v = json_integer_value(json_object_get(r.json, "id"));
	gh_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/verifications/%lld/factors",
		 (long long)v);
	assert_int_equal(post(&W->c_agent1, path,
			      json_pack("{s:s}", "method", "portal_approval"),
			      &r),
			 202);
	n = json_integer_value(json_object_get(r.json, "number"));
	gh_resp_free(&r);
	snprintf(path, sizeof(path),
		 "/api/v1/portal/verifications/%lld/approve", (long long)v);
	assert_int_equal(post(&W->c_a, path,
			      json_pack("{s:I}", "number", (json_int_t)n), &r),
			 200);
	gh_resp_free(&r);
	if (level < 2)
		return v;
	snprintf(path, sizeof(path), "/api/v1/verifications/%lld/factors",
		 (long long)v);
	assert_int_equal(post(&W->c_agent1, path,
			      json_pack("{s:s}", "method", "email_otp"), &r),
			 202);
	gh_resp_free(&r);
	assert_int_equal(gh_take_mail(&W->s, W->cust_a.email,
				      "Your verification code: ", 10, &m),
			 0);
	p = strstr(m, "Your verification code: ");
	memcpy(code, p + strlen("Your verification code: "), 6);
	code[6] = '\0';
	assert_int_equal(post(&W->c_agent1, path,
			      json_pack("{s:s, s:s}", "method", "email_otp",
					"code", code),
			      &r),
			 200);
	gh_resp_free(&r);
	if (mail != NULL)
		*mail = m;
	else
		free(m);
	return v;
}

/* Waits for a text message file to PHONE in the outbox; its text. */
static char *
take_sms(void)
{
	char dir[400], p[800], done[820];

	snprintf(dir, sizeof(dir), "%s/outbox", W->s.dir);
	for (int i = 0; i < 100; i++) {
		DIR *d = opendir(dir);
		struct dirent *e;

		while (d != NULL && (e = readdir(d)) != NULL) {
			size_t l = strlen(e->d_name);
			struct stat st;
			char *text;
			FILE *f;

			if (l < 5 || strcmp(e->d_name + l - 4, ".sms") != 0)
				continue;
			snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
			assert_int_equal(stat(p, &st), 0);
			text = calloc(1, (size_t)st.st_size + 1);
			f = fopen(p, "r");
			assert_non_null(f);
			assert_int_equal(fread(text, 1, (size_t)st.st_size, f),
					 (size_t)st.st_size);
			fclose(f);
			snprintf(done, sizeof(done), "%s.read", p);
			assert_int_equal(rename(p, done), 0);
			closedir(d);
			return text;
		}
		if (d != NULL)
			closedir(d);
		usleep(100000);
	}
	fail_msg("no text message came");
	return NULL;
}

/* A genuine notification: the phrase and the contact policy's address. */
static void
assert_genuine(char *text, const char *what)
{
	assert_non_null(text);
	if (strstr(text, "\"" PHRASE "\"") == NULL)
		fail_msg("%s: no anti-phishing phrase", what);
	if (strstr(text, POLICY_URL) == NULL)
		fail_msg("%s: no link to the contact policy", what);
	free(text);
}

static char *
mail_with(const char *needle)
{
	char *text = NULL;

	if (gh_take_mail(&W->s, W->cust_a.email, needle, 10, &text) < 0)
		fail_msg("no mail with \"%s\"", needle);
	return text;
}

/* The kinds of notification that need no account change. */
static int64_t
message_and_codes(void)
{
	struct gh_resp r;
	char path[128], *mail = NULL;
	int64_t v;

	snprintf(path, sizeof(path), "/api/v1/tickets/%lld/replies",
		 (long long)W->ticket_a);
	assert_int_equal(post(&W->c_agent1, path,
			      json_pack("{s:s}", "body",
					"We are looking into it."),
			      &r),
			 201);
	gh_resp_free(&r);
	assert_genuine(mail_with("New secure message"), "new message");
	v = verified(2, &mail);
	assert_genuine(mail, "e-mail code");
	snprintf(path, sizeof(path), "/api/v1/verifications/%lld/factors",
		 (long long)v);
	assert_int_equal(post(&W->c_agent1, path,
			      json_pack("{s:s}", "method", "sms_otp"), &r),
			 202);
	gh_resp_free(&r);
	assert_genuine(take_sms(), "text message code");
	return v;
}

/* A phone change requested (level 2), approved, then applied a day
 * later: both notices. Returns the change's id. */
static int64_t
change_notices(int64_t v)
{
	struct gh_resp r;
	char path[128], sql[200];
	int64_t id;

	snprintf(path, sizeof(path), "/api/v1/customers/%lld/changes",
		 (long long)W->cust_a.id);
	assert_int_equal(post(&W->c_agent1, path,
			      json_pack("{s:s, s:s, s:s, s:I}", "kind", "phone",
					"value", "+44 20 7946 0555", "reason",
					"caller has a new number",
					"verification", (json_int_t)v),
			      &r),
			 201);
	id = json_integer_value(json_object_get(r.json, "id"));
	gh_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/changes/%lld/approve",
		 (long long)id);
	assert_int_equal(post(&W->c_sup2, path,
			      json_pack("{s:s}", "reason", "called them back"),
			      &r),
			 200);
	gh_resp_free(&r);
	assert_genuine(mail_with("A change to your account was requested"),
		       "change notice");
	/* Test setup: the approval as it looks a day later. */
	snprintf(sql, sizeof(sql),
		 "UPDATE change_requests SET approved_at = approved_at - "
		 "90000, apply_after = apply_after - 90000 WHERE id = %lld",
		 (long long)id);
	gh_db_exec(&W->s, sql);
	assert_int_equal(get(&W->c_a, "/api/v1/portal/changes", &r), 200);
	gh_resp_free(&r);
	assert_genuine(mail_with("A change to your account was made"),
		       "change applied");
	return id;
}

/* --- the anti-phishing phrase ------------------------------------------- */

/* GET path with c: 200 and the phrase (or its first word) not in it. */
static void
staff_reads(struct gh_client *c, const char *path)
{
	struct gh_resp r;

	assert_int_equal(get(c, path, &r), 200);
	if (strcasestr(r.body, PHRASE) != NULL ||
	    strcasestr(r.body, "Quokka") != NULL)
		fail_msg("the phrase is in %s", path);
	gh_resp_free(&r);
}

/* Every staff read that touches customer A: no phrase. */
static void
assert_staff_never_read(int64_t v, int64_t change)
{
	char path[128];

	(void)change;
	staff_reads(&W->c_agent1, "/api/v1/tickets");
	snprintf(path, sizeof(path), "/api/v1/tickets/%lld",
		 (long long)W->ticket_a);
	staff_reads(&W->c_agent1, path);
	staff_reads(&W->c_sup1, path);
	snprintf(path, sizeof(path), "/api/v1/tickets/%lld/attachments",
		 (long long)W->ticket_a);
	staff_reads(&W->c_agent1, path);
	snprintf(path, sizeof(path), "/api/v1/customers/%lld",
		 (long long)W->cust_a.id);
	staff_reads(&W->c_agent1, path);
	staff_reads(&W->c_sup1, path);
	snprintf(path, sizeof(path), "/api/v1/verifications/%lld",
		 (long long)v);
	staff_reads(&W->c_agent1, path);
	staff_reads(&W->c_sup1, "/api/v1/changes?limit=100");
	staff_reads(&W->c_sup1, "/api/v1/supervisor/reveals");
	staff_reads(&W->c_agent1, "/api/v1/staff/session");
}

/* The customer, talked into it, writes the phrase into a message: it is
 * replaced before storage (the redaction says so), so no agent reads it. */
static void
customer_writes_phrase(void)
{
	struct gh_resp r;
	char path[128];
	json_t *red;

	snprintf(path, sizeof(path), "/api/v1/portal/tickets/%lld/messages",
		 (long long)W->ticket_a);
	assert_int_equal(post(&W->c_a, path,
			      json_pack("{s:s}", "body",
					"The caller asked for my phrase: "
					"quokka LANTERN 7731 zephyr. OK?"),
			      &r),
			 201);
	assert_null(strcasestr(r.body, PHRASE));
	assert_non_null(strstr(r.body, "[redacted: anti-phishing phrase]"));
	red = json_array_get(json_object_get(r.json, "redacted"), 0);
	assert_string_equal(json_string_value(json_object_get(red, "type")),
			    "anti_phishing_phrase");
	assert_non_null(json_object_get(r.json, "notice"));
	gh_resp_free(&r);
	assert_int_equal(gh_db_count(&W->s, "SELECT COUNT(*) FROM messages "
					    "WHERE body LIKE '%quokka%'"),
			 0);
}

/* No staff route sets or reveals the phrase. */
static void
assert_staff_never_write(int64_t v)
{
	struct gh_client other;
	struct gh_resp r;
	char path[128];

	/* The portal's phrase routes do not exist on the staff listener. */
	assert_int_equal(gh_send_json(&W->s, &W->c_agent1, "PUT",
				      "/api/v1/portal/phrase",
				      json_pack("{s:s}", "phrase", "evil"), &r),
			 404);
	gh_resp_free(&r);
	/* A staff session on the public listener is no customer's. */
	other = W->c_sup2;
	other.staff = 0;
	assert_int_equal(gh_send_json(&W->s, &other, "PUT",
				      "/api/v1/portal/phrase",
				      json_pack("{s:s}", "phrase", "evil"), &r),
			 401);
	gh_resp_free(&r);
	assert_int_equal(get(&other, "/api/v1/portal/phrase", &r), 401);
	assert_null(strstr(r.body, PHRASE));
	gh_resp_free(&r);
	/* Not a field to reveal, not a change kind, not a custom field. */
	snprintf(path, sizeof(path), "/api/v1/customers/%lld/reveal",
		 (long long)W->cust_a.id);
	assert_int_equal(post(&W->c_agent1, path,
			      json_pack("{s:s, s:s, s:I}", "field", "phrase",
					"reason", "Caller asked for it",
					"verification", (json_int_t)v),
			      &r),
			 400);
	assert_null(strstr(r.body, PHRASE));
	gh_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/customers/%lld/changes",
		 (long long)W->cust_a.id);
	assert_int_equal(post(&W->c_agent1, path,
			      json_pack("{s:s, s:s, s:s, s:I}", "kind", "phrase",
					"value", "evil", "reason",
					"caller wants it changed",
					"verification", (json_int_t)v),
			      &r),
			 400);
	gh_resp_free(&r);
	assert_true(post(&W->c_sup2, "/api/v1/admin/fields",
			 json_pack("{s:s, s:s}", "name", "phrase", "class",
				   "C1"),
			 &r) / 100 == 4);
	gh_resp_free(&r);
}

/* ASVS 8.2.3: the phrase is in every kind of customer notification and
 * in the portal's header data; in nothing staff read, and no staff route
 * sets it; not in the audit log or the server log. */
static void
test_phrase_everywhere_genuine_nowhere_staff(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	int64_t v, change;

	assert_int_equal(gh_send_json(&w->s, &w->c_a, "PUT",
				      "/api/v1/portal/phrase",
				      json_pack("{s:s}", "phrase", PHRASE), &r),
			 200);
	gh_resp_free(&r);
	customer_writes_phrase();
	v = message_and_codes();
	change = change_notices(verified(2, NULL));
	assert_staff_never_read(v, change);
	assert_staff_never_write(v);
	/* The portal header's data, for the customer only. */
	assert_int_equal(get(&w->c_a, "/api/v1/portal/phrase", &r), 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "phrase")),
			    PHRASE);
	gh_resp_free(&r);
	assert_int_equal(get(&w->c_a, "/api/v1/portal/security", &r), 200);
	assert_true(json_is_true(json_object_get(r.json, "phrase_set")));
	assert_null(strstr(r.body, PHRASE));
	gh_resp_free(&r);
	assert_int_equal(gh_db_count(&w->s, "SELECT COUNT(*) FROM audit WHERE "
					    "record LIKE '%Quokka%'"),
			 0);
	assert_false(gh_log_contains(&w->s, "Quokka"));
	/* The phrase was not changed by any staff route. */
	assert_int_equal(get(&w->c_a, "/api/v1/portal/phrase", &r), 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "phrase")),
			    PHRASE);
	gh_resp_free(&r);
}

/* --- the security centre ------------------------------------------------- */

/* A reveal by agent1 (Dana) shows in A's security centre with the first
 * name, field and reason; B sees none of it; the pending change shows
 * and can be cancelled; staff have no such route. */
static void
test_security_centre(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	json_t *rev, *auth;
	char path[128];
	int64_t v = verified(1, NULL);

	snprintf(path, sizeof(path), "/api/v1/customers/%lld/reveal",
		 (long long)w->cust_a.id);
	assert_int_equal(post(&w->c_agent1, path,
			      json_pack("{s:s, s:s, s:I}", "field", "email",
					"reason", "Caller asked to confirm it",
					"verification", (json_int_t)v),
			      &r),
			 200);
	gh_resp_free(&r);
	assert_int_equal(get(&w->c_a, "/api/v1/portal/security", &r), 200);
	rev = json_array_get(json_object_get(r.json, "reveals"), 0);
	assert_non_null(rev);
	assert_string_equal(json_string_value(json_object_get(rev, "agent")),
			    "Dana");
	assert_null(strstr(r.body, "Whitfield"));
	assert_string_equal(json_string_value(json_object_get(rev, "field")),
			    "email");
	assert_string_equal(json_string_value(json_object_get(rev, "reason")),
			    "Caller asked to confirm it");
	assert_true(json_integer_value(json_object_get(rev, "at")) > 0);
	auth = json_array_get(json_object_get(r.json, "authenticators"), 0);
	assert_string_equal(json_string_value(json_object_get(auth, "kind")),
			    "totp");
	assert_true(json_is_true(json_object_get(auth, "enrolled")));
	assert_true(json_integer_value(json_object_get(auth, "since")) > 0);
	assert_true(json_is_false(json_object_get(r.json, "phrase_set")));
	assert_int_equal(json_array_size(json_object_get(r.json, "changes")), 0);
	gh_resp_free(&r);
	assert_int_equal(get(&w->c_b, "/api/v1/portal/security", &r), 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "reveals")), 0);
	gh_resp_free(&r);
	assert_int_equal(get(&w->c_agent1, "/api/v1/portal/security", &r), 404);
	gh_resp_free(&r);
}

/* A pending change is in the security centre until cancelled. */
static void
test_security_changes(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	char path[128];
	int64_t id;
	json_t *c;

	snprintf(path, sizeof(path), "/api/v1/customers/%lld/changes",
		 (long long)w->cust_a.id);
	assert_int_equal(post(&w->c_agent1, path,
			      json_pack("{s:s, s:s, s:I}", "kind", "mfa_reset",
					"reason", "caller lost their phone",
					"verification",
					(json_int_t)verified(2, NULL)),
			      &r),
			 201);
	id = json_integer_value(json_object_get(r.json, "id"));
	gh_resp_free(&r);
	assert_int_equal(get(&w->c_a, "/api/v1/portal/security", &r), 200);
	c = json_array_get(json_object_get(r.json, "changes"), 0);
	assert_int_equal(json_integer_value(json_object_get(c, "id")), id);
	assert_string_equal(json_string_value(json_object_get(c, "kind")),
			    "mfa_reset");
	assert_true(json_is_true(json_object_get(c, "can_cancel")));
	gh_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/portal/changes/%lld/cancel",
		 (long long)id);
	assert_int_equal(post(&w->c_a, path, json_object(), &r), 200);
	gh_resp_free(&r);
	assert_int_equal(get(&w->c_a, "/api/v1/portal/security", &r), 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "changes")), 0);
	gh_resp_free(&r);
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
		cmocka_unit_test_setup_teardown(
			test_phrase_everywhere_genuine_nowhere_staff, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_security_centre, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_security_changes, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
