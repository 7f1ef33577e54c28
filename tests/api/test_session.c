/*
 * Login, sessions and CSRF against a real `gatehouse serve`: MFA login for
 * both realms, replayed codes, uniform failures, throttling and locking,
 * realm separation, cookie attributes, logout and timeouts, disabling,
 * portal enrolment of an authenticator.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <pthread.h>
#include <sodium.h>

#include "crypto/crypto.h"
#include "crypto/totp.h"
#include "harness.h"

static struct gh_server srv;
static struct gh_user agent, cust, cust2;

/* Secrets the tests sent or received (session tokens, CSRF tokens, TOTP
 * codes, request-body markers): test_no_secrets_in_log greps the server
 * log for every one of them. */
static char seen[64][80];
static size_t n_seen;

static void
remember(const char *secret)
{
	if (secret[0] != '\0' && n_seen < sizeof(seen) / sizeof(seen[0]))
		snprintf(seen[n_seen++], sizeof(seen[0]), "%s", secret);
}

/* gh_login, remembering the code it used, the cookie and the CSRF token. */
static long
login_rec(struct gh_client *c, struct gh_user *u)
{
	char code[TOTP_DIGITS + 3];
	char tok[80];
	long st = gh_login(&srv, c, u);

	code[0] = '"';
	assert_int_equal(totp_generate(u->secret, sizeof(u->secret),
				       (time_t)(u->last_step * 30), code + 1),
			 0);
	snprintf(code + 1 + TOTP_DIGITS, 2, "\"");
	remember(code); /* quoted: as it would appear in a JSON log line */
	if (st == 201) {
		assert_int_equal(gh_cookie_token(c, tok, sizeof(tok)), 0);
		remember(tok);
		remember(c->csrf);
	}
	return st;
}

static int
setup(void **state)
{
	(void)state;
	/* Small limits so throttling shows within a test. */
	gh_start(&srv, "\n[security]\nlogin_free_failures = 3\n"
		       "login_max_failures = 6\nlogin_delay_base_seconds = 2\n"
		       /* Per-address throttling has its own instance
			* (test_ip_throttle); here all tests share 127.0.0.1. */
		       "login_ip_free_failures = 500\n"
		       /* Every request line, for the log tests below (the
			* default samples them). */
		       "[log]\nrequests = all\n");
	gh_add_staff(&srv, "agent@example.com", "agent", &agent);
	gh_add_customer(&srv, "cust@example.org", &cust);
	gh_add_customer(&srv, "cust2@example.org", &cust2);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	/* A clean stop (SIGTERM) exits 0. */
	assert_int_equal(gh_stop(&srv), 0);
	return 0;
}

static long
login_body(struct gh_client *c, const char *email, const char *pw,
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

/* ASVS 6.3.3, 3.3.1, 3.3.3, 3.3.4, 3.3.2, 7.2.3, 7.2.1: the cookie, and
 * the session it names is verified by the server (GET .../session). */
static void
test_staff_login_and_cookie(void **state)
{
	struct gh_client c;
	struct gh_resp r;
	char code[7];
	char *cookie;

	(void)state;
	gh_client_init(&c, 1);
	gh_totp_next(&agent, code);
	assert_int_equal(login_body(&c, agent.email, agent.password, code, &r),
			 201);
	cookie = gh_header(&r, "Set-Cookie");
	assert_non_null(cookie);
	assert_non_null(strstr(cookie, "__Host-gh_staff="));
	assert_non_null(strstr(cookie, "Secure"));
	assert_non_null(strstr(cookie, "HttpOnly"));
	assert_non_null(strstr(cookie, "SameSite=Strict"));
	assert_non_null(strstr(cookie, "Path=/"));
	assert_null(strstr(cookie, "Domain"));
	/* 256-bit token: 43 base64url characters. */
	{
		const char *v = strchr(cookie, '=') + 1;

		char tok[44];

		assert_int_equal(strcspn(v, ";"), 43);
		snprintf(tok, sizeof(tok), "%.43s", v);
		remember(tok);
	}
	free(cookie);
	remember(json_string_value(json_object_get(r.json, "csrf_token")));
	assert_string_equal(json_string_value(json_object_get(r.json, "role")),
			    "agent");
	gh_resp_free(&r);
	/* The session works, and returns the same CSRF token. */
	snprintf(c.csrf, sizeof(c.csrf), "%s", "");
	assert_int_equal(gh_req(&srv, &c, "GET", "/api/v1/staff/session", NULL,
				NULL, &r),
			 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "id")),
			 agent.id);
	gh_resp_free(&r);
	/* The token is stored only hashed: the cookie value is not in the
	 * database. */
	assert_int_equal(gh_db_count(&srv, "SELECT COUNT(*) FROM sessions "
					   "WHERE length(token_hash) = 64"),
			 gh_db_count(&srv, "SELECT COUNT(*) FROM sessions"));
	gh_client_free(&c);
}

/* ASVS 6.5.1 6.5.5: a TOTP code (time step) is accepted once.
 * ASVS 16.3.1: the successful and the refused login are audited. */
static void
test_replayed_code_refused(void **state)
{
	struct gh_client a, b;
	struct gh_resp r;
	char code[7];

	(void)state;
	gh_client_init(&a, 0);
	gh_client_init(&b, 0);
	gh_totp_next(&cust, code);
	assert_int_equal(login_body(&a, cust.email, cust.password, code, &r),
			 201);
	gh_resp_free(&r);
	assert_int_equal(login_body(&b, cust.email, cust.password, code, &r),
			 401);
	assert_string_equal(gh_error(&r), "login_failed");
	gh_resp_free(&r);
	assert_true(gh_log_contains(&srv, "replayed code") == 0);
	assert_true(gh_db_count(&srv, "SELECT COUNT(*) FROM audit WHERE "
				      "record LIKE '%replayed code%'") == 1);
	assert_true(gh_db_countf(&srv, "SELECT COUNT(*) FROM audit WHERE "
				       "record LIKE '%%\"auth.login\"%%' AND "
				       "record LIKE '%%\"success\"%%' AND "
				       "record LIKE '%%customer:%lld%%'",
				 (long long)cust.id) >= 1);
	gh_client_free(&a);
	gh_client_free(&b);
}

/* ASVS 6.3.8: unknown account, wrong password and wrong code all answer
 * the same 401 body, and an unknown account costs a password hash too. */
static void
test_uniform_failures(void **state)
{
	struct gh_client c;
	struct gh_resp r1, r2, r3;
	char code[7];
	double t_unknown = 0, t_wrong = 0;

	(void)state;
	gh_client_init(&c, 0);
	gh_totp_next(&cust2, code);
	assert_int_equal(login_body(&c, "nobody@example.org", cust2.password,
				    code, &r1),
			 401);
	assert_int_equal(login_body(&c, cust2.email, "wrong password here!",
				    code, &r2),
			 401);
	assert_int_equal(login_body(&c, cust2.email, cust2.password, "000000",
				    &r3),
			 401);
	assert_string_equal(gh_error(&r1), "login_failed");
	assert_string_equal(json_string_value(json_object_get(r1.json, "message")),
			    json_string_value(json_object_get(r2.json, "message")));
	assert_string_equal(json_string_value(json_object_get(r2.json, "message")),
			    json_string_value(json_object_get(r3.json, "message")));
	assert_int_equal(r1.len - strlen(json_string_value(json_object_get(r1.json, "request_id"))),
			 r2.len - strlen(json_string_value(json_object_get(r2.json, "request_id"))));
	gh_resp_free(&r1);
	gh_resp_free(&r2);
	gh_resp_free(&r3);
	/* Timing: both paths run argon2id. The fastest of 5 interleaved tries
	 * of each (a load spike on the machine only ever adds time, so the
	 * minimum is what the code costs), generous bounds: without the dummy
	 * hash the ratio would be ~100. */
	t_unknown = t_wrong = 1e9;
	for (int i = 0; i < 5; i++) {
		struct timespec a, b;
		double d;

		clock_gettime(CLOCK_MONOTONIC, &a);
		login_body(&c, "ghost@example.org", "whatever password", "1", &r1);
		clock_gettime(CLOCK_MONOTONIC, &b);
		gh_resp_free(&r1);
		d = (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
		t_unknown = d < t_unknown ? d : t_unknown;
		clock_gettime(CLOCK_MONOTONIC, &a);
		login_body(&c, cust2.email, "whatever password", "1", &r1);
		clock_gettime(CLOCK_MONOTONIC, &b);
		gh_resp_free(&r1);
		d = (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
		t_wrong = d < t_wrong ? d : t_wrong;
	}
	assert_true(t_unknown > t_wrong / 4);
	assert_true(t_unknown < t_wrong * 4);
	gh_client_free(&c);
	/* Clear the throttle these failures caused for later tests. */
	{
		const char *args[] = {"customer", "unlock", "--email",
				      cust2.email, NULL};
		assert_int_equal(gh_cli(&srv, NULL, NULL, args), 0);
	}
}

/* Counts the throttle rows of an account key whose current block is
 * exactly secs long (blocked_until - last_failure). */
static int64_t
blocks_of(int64_t secs)
{
	return gh_db_countf(&srv, "SELECT COUNT(*) FROM throttle WHERE key "
				  "LIKE 'acct:%%' AND blocked_until - "
				  "last_failure = %lld",
			    (long long)secs);
}

/* Ends every account's (and enrolment's) current delay (not a lock), as
 * if the time had
 * passed: the test ages the rows instead of sleeping. */
static void
age_delays(void)
{
	char sql[400];

	snprintf(sql, sizeof(sql),
		 "UPDATE throttle SET blocked_until = %s - 1, last_failure = "
		 "%s - 100000 WHERE (key LIKE 'acct:%%' OR key LIKE "
		 "'enroll:%%') AND blocked_until != 9223372036854775807 AND "
		 "blocked_until > 0",
		 gh_db_now(&srv), gh_db_now(&srv));
	gh_db_exec(&srv, sql);
}

/* ASVS 6.3.1: repeated failures are throttled with Retry-After and
 * growing delays (2, 4, 8 s with the test's base of 2 s); the lock at
 * login_max_failures holds until an operator unlocks. */
static void
test_throttle_and_lock(void **state)
{
	struct gh_client c;
	struct gh_resp r;
	struct gh_user u;
	char code[7];
	char *ra;
	long st;

	(void)state;
	/* Earlier tests' delays are over: only this test's blocks count. */
	age_delays();
	gh_add_customer(&srv, "throttled@example.org", &u);
	gh_client_init(&c, 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(login_body(&c, u.email, "not the password 1",
					    "123456", &r),
				 401);
		gh_resp_free(&r);
	}
	/* Within the delay: 429, even with the right password and code. */
	gh_totp_next(&u, code);
	assert_int_equal(login_body(&c, u.email, u.password, code, &r), 429);
	assert_string_equal(gh_error(&r), "too_many_attempts");
	ra = gh_header(&r, "Retry-After");
	assert_non_null(ra);
	assert_true(strtol(ra, NULL, 10) >= 1);
	assert_true(strtol(ra, NULL, 10) <= 2);
	free(ra);
	gh_resp_free(&r);
	/* The refused attempt did not use the code's step. */
	u.last_step--;
	/* The same answer for an unknown account under attack: it is
	 * throttled by name too, so 429 reveals nothing. */
	for (int i = 0; i < 4; i++) {
		login_body(&c, "ghost2@example.org", "x-not-it-123", "1", &r);
		st = r.status;
		gh_resp_free(&r);
	}
	assert_int_equal(st, 429);
	/* The first delay is the base: 2 s (both names). */
	assert_int_equal(blocks_of(2), 2);
	/* After the delay a success clears the account counter. */
	age_delays();
	gh_totp_next(&u, code);
	assert_int_equal(login_body(&c, u.email, u.password, code, &r), 201);
	gh_resp_free(&r);
	assert_int_equal(gh_db_countf(&srv, "SELECT COUNT(*) FROM throttle "
					    "WHERE key LIKE 'acct:%%' AND "
					    "failures > 0 AND blocked_until > "
					    "%s + 100000",
				      gh_db_now(&srv)),
			 0);
	/* Lock: 6 consecutive failures (config) lock until unlock; the
	 * delays before it double: 2, 4, 8 s. */
	for (int i = 0; i < 6; i++) {
		if (i >= 3) {
			/* Still blocked for the current delay ... */
			assert_int_equal(login_body(&c, u.email,
						    "not the password 3",
						    "123456", &r),
					 429);
			gh_resp_free(&r);
			assert_int_equal(blocks_of(2 << (i - 3)), 1);
			/* ... which then passes. */
			age_delays();
		}
		assert_int_equal(login_body(&c, u.email, "not the password 2",
					    "123456", &r),
				 401);
		gh_resp_free(&r);
	}
	assert_int_equal(gh_db_count(&srv, "SELECT COUNT(*) FROM throttle WHERE "
					   "failures = 6 AND blocked_until = "
					   "9223372036854775807"),
			 1);
	gh_totp_next(&u, code);
	assert_int_equal(login_body(&c, u.email, u.password, code, &r), 429);
	gh_resp_free(&r);
	u.last_step--;
	{
		const char *args[] = {"customer", "unlock", "--email", u.email,
				      NULL};
		assert_int_equal(gh_cli(&srv, NULL, NULL, args), 0);
	}
	gh_totp_next(&u, code);
	assert_int_equal(login_body(&c, u.email, u.password, code, &r), 201);
	gh_resp_free(&r);
	gh_client_free(&c);
}

/* ASVS 8.2.1: a customer cookie never authenticates on the staff listener,
 * and a staff token is no customer token. */
static void
test_realms_separate(void **state)
{
	struct gh_client cu, st, x;
	struct gh_resp r;
	char hdr[200];
	struct curl_slist *list;
	char *token;

	(void)state;
	gh_client_init(&cu, 0);
	assert_int_equal(login_rec(&cu, &cust), 201);
	/* The customer's token, presented under the staff cookie name on the
	 * staff listener. */
	assert_int_equal(curl_easy_getinfo(cu.curl, CURLINFO_COOKIELIST, &list),
			 CURLE_OK);
	assert_non_null(list);
	token = strrchr(list->data, '\t') + 1;
	snprintf(hdr, sizeof(hdr), "Cookie: __Host-gh_staff=%s", token);
	curl_slist_free_all(list);
	gh_client_init(&x, 1);
	{
		const char *h[] = {hdr, NULL};

		assert_int_equal(gh_req(&srv, &x, "GET", "/api/v1/staff/session",
					NULL, h, &r),
				 401);
		gh_resp_free(&r);
	}
	/* Staff routes do not exist on the public listener. */
	assert_int_equal(gh_req(&srv, &cu, "POST", "/api/v1/staff/session",
				"{}", NULL, &r),
			 404);
	gh_resp_free(&r);
	/* Customer login does not exist on the staff listener. */
	gh_client_init(&st, 1);
	assert_int_equal(gh_req(&srv, &st, "POST", "/api/v1/portal/session",
				"{}", NULL, &r),
			 404);
	gh_resp_free(&r);
	/* Staff credentials do not log in as a customer. */
	assert_int_equal(login_body(&cu, agent.email, agent.password, "123456",
				    &r),
			 401);
	gh_resp_free(&r);
	gh_client_free(&cu);
	gh_client_free(&st);
	gh_client_free(&x);
}

/* ASVS 3.5.1: state-changing requests need the CSRF token and, when an
 * Origin is sent, our own origin. ASVS 3.5.3: a GET never changes state:
 * logout cannot be reached through GET with a method override. */
static void
test_csrf(void **state)
{
	struct gh_client c;
	struct gh_resp r;
	char saved[64];
	char origin[128];

	(void)state;
	gh_client_init(&c, 0);
	assert_int_equal(login_rec(&c, &cust2), 201);
	snprintf(saved, sizeof(saved), "%s", c.csrf);
	/* No token. */
	c.csrf[0] = '\0';
	assert_int_equal(gh_req(&srv, &c, "DELETE", "/api/v1/portal/session",
				NULL, NULL, &r),
			 403);
	assert_string_equal(gh_error(&r), "csrf_failed");
	gh_resp_free(&r);
	/* Wrong token. */
	snprintf(c.csrf, sizeof(c.csrf), "%s", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	assert_int_equal(gh_req(&srv, &c, "DELETE", "/api/v1/portal/session",
				NULL, NULL, &r),
			 403);
	gh_resp_free(&r);
	/* Right token, foreign Origin. */
	snprintf(c.csrf, sizeof(c.csrf), "%s", saved);
	{
		const char *h[] = {"Origin: https://evil.example", NULL};

		assert_int_equal(gh_req(&srv, &c, "DELETE",
					"/api/v1/portal/session", NULL, h, &r),
				 403);
		gh_resp_free(&r);
	}
	/* Cross-site fetch metadata. */
	{
		const char *h[] = {"Sec-Fetch-Site: cross-site", NULL};

		assert_int_equal(gh_req(&srv, &c, "DELETE",
					"/api/v1/portal/session", NULL, h, &r),
				 403);
		gh_resp_free(&r);
	}
	/* GET with method-override hints is a read, not a logout. */
	{
		const char *h[] = {"X-HTTP-Method-Override: DELETE",
				   "X-Method-Override: DELETE", NULL};

		long st = gh_req(&srv, &c, "GET",
				 "/api/v1/portal/session?_method=DELETE", NULL, h,
				 &r);

		/* Either read (200) or refused (400 for the query): never a
		 * logout, checked next. */
		assert_true(st == 200 || st == 400);
		gh_resp_free(&r);
		assert_int_equal(gh_req(&srv, &c, "GET", "/api/v1/portal/session",
					NULL, NULL, &r),
				 200);
		gh_resp_free(&r);
		/* A state-changing route answers GET with 405. */
		assert_int_equal(gh_req(&srv, &c, "GET",
					"/api/v1/portal/enrollment/confirm",
					NULL, NULL, &r),
				 405);
		gh_resp_free(&r);
	}
	/* The session survived all of that; right token and origin: ok. */
	snprintf(origin, sizeof(origin), "Origin: https://localhost:%d",
		 srv.pub_port);
	{
		const char *h[] = {origin, "Sec-Fetch-Site: same-origin", NULL};

		assert_int_equal(gh_req(&srv, &c, "DELETE",
					"/api/v1/portal/session", NULL, h, &r),
				 200);
		gh_resp_free(&r);
	}
	/* A login from a foreign origin is refused too (login CSRF). */
	{
		const char *h[] = {"Origin: https://evil.example", NULL};

		assert_int_equal(gh_req(&srv, &c, "POST",
					"/api/v1/portal/session",
					"{\"email\":\"a@b.c\",\"password\":\"x\","
					"\"totp\":\"1\"}",
					h, &r),
				 403);
		gh_resp_free(&r);
	}
	gh_client_free(&c);
}

/* ASVS 7.4.1, 7.2.4: logout kills the token server-side; every login
 * gets a new token. */
static void
test_logout_and_fixation(void **state)
{
	struct gh_client c;
	struct gh_resp r;
	char hdr[200];
	struct curl_slist *list;
	char first[64];
	struct gh_user a;

	(void)state;
	/* A user of its own: two logins in a row need two time steps. */
	gh_add_staff(&srv, "fixation@example.com", "agent", &a);
	gh_client_init(&c, 1);
	assert_int_equal(login_rec(&c, &a), 201);
	curl_easy_getinfo(c.curl, CURLINFO_COOKIELIST, &list);
	snprintf(first, sizeof(first), "%s", strrchr(list->data, '\t') + 1);
	curl_slist_free_all(list);
	/* Log in again on the same client: a different token. */
	assert_int_equal(login_rec(&c, &a), 201);
	curl_easy_getinfo(c.curl, CURLINFO_COOKIELIST, &list);
	assert_string_not_equal(first, strrchr(list->data, '\t') + 1);
	snprintf(hdr, sizeof(hdr), "Cookie: __Host-gh_staff=%s",
		 strrchr(list->data, '\t') + 1);
	curl_slist_free_all(list);
	assert_int_equal(gh_req(&srv, &c, "DELETE", "/api/v1/staff/session",
				NULL, NULL, &r),
			 200);
	gh_resp_free(&r);
	/* Replay the old cookie by hand. */
	{
		struct gh_client x;
		const char *h[] = {hdr, NULL};

		gh_client_init(&x, 1);
		assert_int_equal(gh_req(&srv, &x, "GET", "/api/v1/staff/session",
					NULL, h, &r),
				 401);
		assert_string_equal(gh_error(&r), "session_required");
		gh_resp_free(&r);
		gh_client_free(&x);
	}
	gh_client_free(&c);
}

/* ASVS 7.3.1, 7.3.2: idle and absolute timeouts are enforced from the
 * store (simulated by ageing the rows). */
static void
test_timeouts(void **state)
{
	struct gh_client c;
	struct gh_resp r;
	struct gh_user a;

	(void)state;
	gh_add_staff(&srv, "stafftimeouts@example.com", "agent", &a);
	gh_client_init(&c, 1);
	assert_int_equal(login_rec(&c, &a), 201);
	assert_int_equal(gh_req(&srv, &c, "GET", "/api/v1/staff/session", NULL,
				NULL, &r),
			 200);
	gh_resp_free(&r);
	/* Staff idle timeout is 15 minutes: 16 minutes of silence. */
	gh_db_exec(&srv, "UPDATE sessions SET last_seen = last_seen - 960 "
			 "WHERE realm = 'staff'");
	assert_int_equal(gh_req(&srv, &c, "GET", "/api/v1/staff/session", NULL,
				NULL, &r),
			 401);
	gh_resp_free(&r);
	/* Absolute timeout: an active session past 8 hours. */
	assert_int_equal(login_rec(&c, &a), 201);
	{
		char sql[200];

		snprintf(sql, sizeof(sql),
			 "UPDATE sessions SET abs_expires = %s - 1 WHERE "
			 "realm = 'staff'",
			 gh_db_now(&srv));
		gh_db_exec(&srv, sql);
	}
	assert_int_equal(gh_req(&srv, &c, "GET", "/api/v1/staff/session", NULL,
				NULL, &r),
			 401);
	gh_resp_free(&r);
	/* The configured values are the stated ones. */
	assert_int_equal(gh_db_count(&srv, "SELECT COUNT(*) FROM sessions "
					   "WHERE realm = 'staff' AND "
					   "idle_secs != 900"),
			 0);
	gh_client_free(&c);
}

/* ASVS 7.4.2, 7.4.5 (one user, by an operator): disabling an account
 * ends all its sessions, staff and customer alike. */
static void
test_disable_kills_sessions(void **state)
{
	struct gh_client c;
	struct gh_resp r;
	struct gh_user u;
	const char *dis[] = {"staff", "disable", "--email", "temp@example.com",
			     NULL};
	const char *en[] = {"staff", "enable", "--email", "temp@example.com",
			    NULL};

	(void)state;
	gh_add_staff(&srv, "temp@example.com", "supervisor", &u);
	gh_client_init(&c, 1);
	assert_int_equal(login_rec(&c, &u), 201);
	assert_int_equal(gh_cli(&srv, NULL, NULL, dis), 0);
	assert_int_equal(gh_req(&srv, &c, "GET", "/api/v1/staff/session", NULL,
				NULL, &r),
			 401);
	gh_resp_free(&r);
	/* And a disabled account cannot log in. */
	assert_int_equal(login_rec(&c, &u), 401);
	assert_int_equal(gh_cli(&srv, NULL, NULL, en), 0);
	assert_int_equal(login_rec(&c, &u), 201);
	gh_client_free(&c);
	{
		struct gh_user cu;
		const char *cdis[] = {"customer", "disable", "--email",
				      "tempcust@example.org", NULL};

		gh_add_customer(&srv, "tempcust@example.org", &cu);
		gh_client_init(&c, 0);
		assert_int_equal(login_rec(&c, &cu), 201);
		assert_int_equal(gh_cli(&srv, NULL, NULL, cdis), 0);
		assert_int_equal(gh_req(&srv, &c, "GET", "/api/v1/portal/session",
					NULL, NULL, &r),
				 401);
		gh_resp_free(&r);
		assert_int_equal(gh_db_countf(&srv, "SELECT COUNT(*) FROM sessions "
						    "WHERE realm = 'customer' "
						    "AND principal_id = %lld",
					      (long long)cu.id),
				 0);
		gh_client_free(&c);
	}
}

/* ASVS 7.2.4 6.6.3: invited customer: password alone opens an
 * enrolment-only session; a code from the new secret activates it and
 * rotates the session; wrong codes are throttled. */
static void
test_portal_enrollment(void **state)
{
	const char *args[] = {"customer", "add", "--email", "new@example.org",
			      "--name", "New Customer", "--enroll-in-portal",
			      "--password-stdin", NULL};
	struct gh_client c;
	struct gh_resp r;
	struct gh_user u;
	char *out = NULL;
	char code[7];
	const char *b32;

	(void)state;
	memset(&u, 0, sizeof(u));
	snprintf(u.email, sizeof(u.email), "new@example.org");
	snprintf(u.password, sizeof(u.password), "purple Lantern orchard 88");
	assert_int_equal(gh_cli(&srv, u.password, &out, args), 0);
	assert_null(strstr(out, "totp_secret"));
	free(out);
	gh_client_init(&c, 0);
	assert_int_equal(login_body(&c, u.email, u.password, "", &r), 201);
	assert_true(json_is_true(json_object_get(r.json, "enrollment_required")));
	snprintf(c.csrf, sizeof(c.csrf), "%s",
		 json_string_value(json_object_get(r.json, "csrf_token")));
	gh_resp_free(&r);
	/* Nothing but enrolment is open to this session. */
	assert_int_equal(gh_req(&srv, &c, "POST", "/api/v1/portal/tickets",
				"{\"subject\":\"x\",\"body\":\"y\"}", NULL, &r),
			 403);
	gh_resp_free(&r);
	assert_int_equal(gh_req(&srv, &c, "POST", "/api/v1/portal/enrollment",
				NULL, NULL, &r),
			 201);
	b32 = json_string_value(json_object_get(r.json, "secret"));
	assert_non_null(b32);
	assert_non_null(strstr(json_string_value(json_object_get(r.json, "qr_svg")),
			       "<svg"));
	assert_non_null(strstr(json_string_value(json_object_get(r.json, "otpauth_uri")),
			       "otpauth://totp/"));
	{
		/* Decode the secret like an authenticator app would. */
		int bits = 0, acc = 0;
		size_t n = 0;

		for (const char *p = b32; *p && n < 20; p++) {
			acc = ((acc << 5) |
			       (*p >= 'A' && *p <= 'Z' ? *p - 'A' : *p - '2' + 26)) &
			      0xffff;
			bits += 5;
			if (bits >= 8) {
				u.secret[n++] = (unsigned char)(acc >> (bits - 8));
				bits -= 8;
			}
		}
	}
	gh_resp_free(&r);
	/* A wrong code is refused; guessing is throttled like a login
	 * (ASVS 6.6.3): after login_free_failures (3) wrong codes, 429. */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(gh_req(&srv, &c, "POST",
					"/api/v1/portal/enrollment/confirm",
					"{\"totp\":\"000000\"}", NULL, &r),
				 422);
		gh_resp_free(&r);
	}
	gh_totp_next(&u, code);
	{
		char body[64];
		char *ra;

		snprintf(body, sizeof(body), "{\"totp\":\"%s\"}", code);
		assert_int_equal(gh_req(&srv, &c, "POST",
					"/api/v1/portal/enrollment/confirm",
					body, NULL, &r),
				 429);
		ra = gh_header(&r, "Retry-After");
		assert_non_null(ra);
		free(ra);
		gh_resp_free(&r);
	}
	u.last_step--; /* refused: the step was not used */
	age_delays();
	gh_totp_next(&u, code);
	{
		char body[64];

		snprintf(body, sizeof(body), "{\"totp\":\"%s\"}", code);
		assert_int_equal(gh_req(&srv, &c, "POST",
					"/api/v1/portal/enrollment/confirm",
					body, NULL, &r),
				 200);
		snprintf(c.csrf, sizeof(c.csrf), "%s",
			 json_string_value(json_object_get(r.json, "csrf_token")));
		gh_resp_free(&r);
	}
	assert_int_equal(gh_req(&srv, &c, "GET", "/api/v1/portal/session", NULL,
				NULL, &r),
			 200);
	assert_true(json_is_false(json_object_get(r.json, "enrollment_required")));
	gh_resp_free(&r);
	/* From now on the password alone is not enough. */
	assert_int_equal(login_body(&c, u.email, u.password, "", &r), 401);
	gh_resp_free(&r);
	assert_int_equal(login_rec(&c, &u), 201);
	gh_client_free(&c);
}

/* ASVS 11.4.2: when the configured argon2id cost rises, the next
 * successful login rehashes the stored password with the new cost. */
static void
test_rehash_on_login(void **state)
{
	struct gh_server aux;
	struct gh_client c;
	struct gh_user u;

	(void)state;
	gh_start(&aux, NULL);
	gh_add_customer(&aux, "rehash@example.org", &u);
	assert_int_equal(gh_db_count(&aux, "SELECT COUNT(*) FROM customers "
					   "WHERE pw_hash LIKE '$argon2id$%,t=2,%'"),
			 1);
	/* Raise the cost (the later line of the same key wins) and serve the
	 * same directory again. */
	assert_int_equal(gh_restart(&aux, "\n[security]\nargon2_ops = 3\n"), 0);
	/* The stored hash is untouched until the customer logs in. */
	assert_int_equal(gh_db_count(&aux, "SELECT COUNT(*) FROM customers "
					   "WHERE pw_hash LIKE '%,t=3,%'"),
			 0);
	gh_client_init(&c, 0);
	assert_int_equal(gh_login(&aux, &c, &u), 201);
	assert_int_equal(gh_db_count(&aux, "SELECT COUNT(*) FROM customers "
					   "WHERE pw_hash LIKE '$argon2id$%,t=3,%'"),
			 1);
	assert_int_equal(gh_db_count(&aux, "SELECT COUNT(*) FROM audit WHERE "
					   "record LIKE '%\"rehashed\":true%'"),
			 1);
	/* The new hash verifies the same password. */
	assert_int_equal(gh_login(&aux, &c, &u), 201);
	gh_client_free(&c);
	assert_int_equal(gh_stop(&aux), 0);
}

/* ASVS 6.3.1: failures are also counted per source address, so spraying
 * one password over many names from one address is throttled although no
 * single account reaches its limit. */
static void
test_ip_throttle(void **state)
{
	struct gh_server aux;
	struct gh_client c;
	struct gh_resp r;
	struct gh_user u;
	char email[64];
	char code[7];
	char body[512];
	char *ra;
	int n401 = 0;
	long st = 0;

	(void)state;
	gh_start(&aux, "\n[security]\nlogin_ip_free_failures = 3\n"
		       "login_free_failures = 10\n"
		       "login_delay_base_seconds = 20\n");
	gh_add_customer(&aux, "sprayed@example.org", &u);
	gh_client_init(&c, 0);
	for (int i = 0; i < 6 && st != 429; i++) {
		snprintf(email, sizeof(email), "spray%d@example.org", i);
		snprintf(body, sizeof(body),
			 "{\"email\":\"%s\",\"password\":\"Winter2024!!x\","
			 "\"totp\":\"123456\"}",
			 email);
		st = gh_req(&aux, &c, "POST", "/api/v1/portal/session", body,
			    NULL, &r);
		if (st == 401)
			n401++;
		if (st == 429) {
			assert_string_equal(gh_error(&r), "too_many_attempts");
			ra = gh_header(&r, "Retry-After");
			assert_non_null(ra);
			assert_true(strtol(ra, NULL, 10) >= 1);
			assert_true(strtol(ra, NULL, 10) <= 20);
			free(ra);
		}
		gh_resp_free(&r);
	}
	/* Exactly login_ip_free_failures failures pass, the next is 429. */
	assert_int_equal(n401, 3);
	assert_int_equal(st, 429);
	/* No account counter is anywhere near its limit: it is the address. */
	assert_int_equal(gh_db_count(&aux, "SELECT COUNT(*) FROM throttle WHERE "
					   "key LIKE 'acct:%' AND "
					   "(failures > 1 OR blocked_until > 0)"),
			 0);
	assert_int_equal(gh_db_countf(&aux, "SELECT COUNT(*) FROM throttle WHERE "
					    "key = 'ip:127.0.0.1' AND failures = 3 "
					    "AND blocked_until > %s",
				      gh_db_now(&aux)),
			 1);
	/* Even the right credentials for a real account wait from there. */
	gh_totp_next(&u, code);
	snprintf(body, sizeof(body),
		 "{\"email\":\"%s\",\"password\":\"%s\",\"totp\":\"%s\"}",
		 u.email, u.password, code);
	assert_int_equal(gh_req(&aux, &c, "POST", "/api/v1/portal/session",
				body, NULL, &r),
			 429);
	gh_resp_free(&r);
	gh_client_free(&c);
	assert_int_equal(gh_stop(&aux), 0);
}

/* One wrong-password login of the flood below: the thread opens its TLS
 * connection first (a cheap request on it), then waits until every
 * thread is ready, so the logins reach the server together. */
struct flood_try {
	struct gh_server *srv;
	pthread_barrier_t *go;
	const char *body;
	long status;
};

static void *
flood_one(void *arg)
{
	struct flood_try *t = arg;
	struct gh_client c;
	struct gh_resp r;

	gh_client_init(&c, 0);
	gh_req(t->srv, &c, "GET", "/api/v1/portal/session", NULL, NULL, &r);
	gh_resp_free(&r);
	pthread_barrier_wait(t->go);
	t->status = gh_req(t->srv, &c, "POST", "/api/v1/portal/session",
			   t->body, NULL, &r);
	gh_resp_free(&r);
	gh_client_free(&c);
	return NULL;
}

/* Issue 9, defect 4 (ASVS 6.3.1): forty wrong passwords sent in parallel
 * to one account count like forty sent one after the other. Each attempt
 * reserves its failure before the password is checked, so exactly
 * login_max_failures of them reach a password check (a 401 only comes
 * after one; a throttled attempt is a 429 without one), the audit log
 * holds that many wrong-password records, and the account is locked. */
static void
test_parallel_logins_counted(void **state)
{
	enum { N_FLOOD = 40, LOCK_AT = 3 };
	struct gh_server aux;
	struct flood_try tries[N_FLOOD];
	pthread_t th[N_FLOOD];
	pthread_barrier_t go;
	struct gh_client c;
	struct gh_resp r;
	struct gh_user u;
	char body[512];
	char code[7];
	int n401 = 0, n429 = 0;

	(void)state;
	/* Delays start after more failures than the lock needs: the lock is
	 * the only limit, and the address limit is out of the way. */
	gh_start(&aux, "\n[security]\nlogin_free_failures = 10\n"
		       "login_max_failures = 3\n"
		       "login_ip_free_failures = 1000\n");
	gh_add_customer(&aux, "flooded@example.org", &u);
	snprintf(body, sizeof(body),
		 "{\"email\":\"%s\",\"password\":\"not the password 4\","
		 "\"totp\":\"123456\"}",
		 u.email);
	assert_int_equal(pthread_barrier_init(&go, NULL, N_FLOOD), 0);
	for (int i = 0; i < N_FLOOD; i++) {
		tries[i] = (struct flood_try){&aux, &go, body, 0};
		assert_int_equal(pthread_create(&th[i], NULL, flood_one,
						&tries[i]),
				 0);
	}
	for (int i = 0; i < N_FLOOD; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	pthread_barrier_destroy(&go);
	for (int i = 0; i < N_FLOOD; i++) {
		n401 += tries[i].status == 401;
		n429 += tries[i].status == 429;
	}
	if (n401 != LOCK_AT)
		fail_msg("%d of %d parallel wrong passwords were checked "
			 "(401); the lock allows %d",
			 n401, N_FLOOD, LOCK_AT);
	if (n429 != N_FLOOD - LOCK_AT)
		for (int i = 0; i < N_FLOOD; i++)
			if (tries[i].status != 401 && tries[i].status != 429)
				print_message("attempt %d: status %ld\n", i,
					      tries[i].status);
	assert_int_equal(n429, N_FLOOD - LOCK_AT);
	assert_int_equal(gh_db_count(&aux, "SELECT COUNT(*) FROM audit WHERE "
					   "record LIKE '%\"auth.login\"%' AND "
					   "record LIKE '%wrong password%'"),
			 LOCK_AT);
	assert_int_equal(gh_db_count(&aux, "SELECT COUNT(*) FROM throttle WHERE "
					   "key LIKE 'acct:%' AND failures = 3 "
					   "AND blocked_until = "
					   "9223372036854775807"),
			 1);
	/* Locked: the right password and code wait for an operator. */
	gh_client_init(&c, 0);
	gh_totp_next(&u, code);
	snprintf(body, sizeof(body),
		 "{\"email\":\"%s\",\"password\":\"%s\",\"totp\":\"%s\"}",
		 u.email, u.password, code);
	assert_int_equal(gh_req(&aux, &c, "POST", "/api/v1/portal/session",
				body, NULL, &r),
			 429);
	gh_resp_free(&r);
	gh_client_free(&c);
	assert_int_equal(gh_stop(&aux), 0);
}

/* Hex of n bytes into out (2n + 1). */
static void
hex(const unsigned char *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
}

/* ASVS 11.3.2: TOTP seeds are sealed at rest: neither the seed
 * bytes, nor their hex, nor the base32 text handed to the user appear in
 * the stored column, which is longer than the seed by a nonce and tag. */
static void
test_totp_seed_sealed(void **state)
{
	const struct {
		const char *table;
		const struct gh_user *u;
	} v[] = {{"staff", &agent}, {"customers", &cust}, {"customers", &cust2}};
	char hx[2 * 20 + 1];

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		hex(v[i].u->secret, sizeof(v[i].u->secret), hx);
		/* Positive control: the row exists, and the seed is what its
		 * code generator uses (the secret decodes to 20 bytes). */
		assert_int_equal(gh_db_countf(&srv, "SELECT COUNT(*) FROM %s "
						    "WHERE id = %lld AND "
						    "length(totp_seed) >= 60",
					      v[i].table, (long long)v[i].u->id),
				 1);
		if (gh_db_pg())
			assert_int_equal(
				gh_db_countf(&srv,
					     "SELECT COUNT(*) FROM %s WHERE "
					     "position('\\x%s'::bytea IN totp_seed) > 0 OR "
					     "strpos(encode(totp_seed, 'hex'), '%s') > 0 OR "
					     "position(convert_to('%s', 'UTF8') IN totp_seed) > 0 OR "
					     "position(convert_to(lower('%s'), 'UTF8') IN totp_seed) > 0",
					     v[i].table, hx, hx, v[i].u->b32,
					     v[i].u->b32),
				0);
		else
			assert_int_equal(
				gh_db_countf(&srv,
					     "SELECT COUNT(*) FROM %s WHERE "
					     "instr(totp_seed, X'%s') > 0 OR "
					     "instr(lower(hex(totp_seed)), '%s') > 0 OR "
					     "instr(CAST(totp_seed AS TEXT), '%s') > 0 OR "
					     "instr(upper(CAST(totp_seed AS TEXT)), '%s') > 0",
					     v[i].table, hx, hx, v[i].u->b32,
					     v[i].u->b32),
				0);
		/* ... and no other column holds them either. */
		assert_int_equal(gh_db_countf(&srv,
					      "SELECT COUNT(*) FROM %s WHERE "
					      "%s(pw_hash, '%s') > 0",
					      v[i].table,
					      gh_db_pg() ? "strpos" : "instr",
					      v[i].u->b32),
				 0);
	}
	/* Self-test of the query: it finds a seed stored in the clear. */
	hex(agent.secret, sizeof(agent.secret), hx);
	assert_int_equal(gh_db_countf(&srv, gh_db_pg()
			 ? "SELECT position('\\x%s'::bytea IN "
			   "'\\x0001%s02'::bytea) > 0"
			 : "SELECT instr(X'0001%s02', X'%s') > 0",
				      hx, hx),
			 1);
}

/* ASVS 7.2.3: only a keyed hash of the session token is stored: the row
 * holds neither the token, nor any plain encoding of its 32 bytes, nor an
 * unkeyed SHA-256 or BLAKE2b of it; it is the hash keyed with the
 * instance's token subkey. */
static void
test_token_keyed_hash(void **state)
{
	struct gh_client c;
	struct gh_user u;
	struct crypto_keys *keys = NULL;
	char tok[80], path[400];
	unsigned char raw[64];
	size_t raw_len = 0;
	char h_raw[129], h_tok[2 * 43 + 1], h_sha[65], h_sha_raw[65];
	char h_b2[65], h_b2_raw[65], keyed[CRYPTO_HASH_HEX];
	unsigned char d[32];
	char b64[64];
	const char *instr = gh_db_pg() ? "strpos" : "instr";

	(void)state;
	gh_add_customer(&srv, "tokenhash@example.org", &u);
	gh_client_init(&c, 0);
	assert_int_equal(login_rec(&c, &u), 201);
	assert_int_equal(gh_cookie_token(&c, tok, sizeof(tok)), 0);
	assert_int_equal(strlen(tok), 43);
	assert_int_equal(sodium_init() >= 0, 1);
	assert_int_equal(sodium_base642bin(raw, sizeof(raw), tok, strlen(tok),
					   NULL, &raw_len, NULL,
					   sodium_base64_VARIANT_URLSAFE_NO_PADDING),
			 0);
	assert_int_equal(raw_len, 32);
	hex(raw, raw_len, h_raw);
	hex((const unsigned char *)tok, 43, h_tok);
	crypto_hash_sha256(d, (const unsigned char *)tok, 43);
	hex(d, 32, h_sha);
	crypto_hash_sha256(d, raw, 32);
	hex(d, 32, h_sha_raw);
	crypto_generichash(d, 32, (const unsigned char *)tok, 43, NULL, 0);
	hex(d, 32, h_b2);
	crypto_generichash(d, 32, raw, 32, NULL, 0);
	hex(d, 32, h_b2_raw);
	sodium_bin2base64(b64, sizeof(b64), raw, 32,
			  sodium_base64_VARIANT_ORIGINAL);
	/* The session row exists for this customer ... */
	assert_int_equal(gh_db_countf(&srv, "SELECT COUNT(*) FROM sessions "
					    "WHERE realm = 'customer' AND "
					    "principal_id = %lld",
				      (long long)u.id),
			 1);
	/* ... and no row of any session holds the token in any plain form. */
	assert_int_equal(
		gh_db_countf(&srv,
			     "SELECT COUNT(*) FROM sessions WHERE "
			     "%s(token_hash, '%s') > 0 OR "
			     "%s(lower(token_hash), '%s') > 0 OR "
			     "%s(lower(token_hash), '%s') > 0 OR "
			     "%s(token_hash, '%s') > 0 OR "
			     "lower(token_hash) IN ('%s', '%s', '%s', '%s')",
			     instr, tok, instr, h_raw, instr, h_tok, instr, b64,
			     h_sha, h_sha_raw, h_b2, h_b2_raw),
		0);
	/* It is the keyed hash: recomputed with the instance's master key. */
	snprintf(path, sizeof(path), "%s/master.key", srv.dir);
	assert_int_equal(crypto_keys_load(path, &keys), 0);
	crypto_token_hash(keys, tok, keyed);
	crypto_keys_free(keys);
	assert_int_equal(gh_db_countf(&srv, "SELECT COUNT(*) FROM sessions "
					    "WHERE token_hash = '%s' AND "
					    "principal_id = %lld",
				      keyed, (long long)u.id),
			 1);
	gh_client_free(&c);
}

/* ASVS 7.3.1, 7.3.2: the customer realm's idle (30 min) and absolute
 * (24 h) timeouts, and the staff absolute timeout (8 h), as stored; an
 * idle or aged customer session is refused. */
static void
test_customer_timeouts(void **state)
{
	struct gh_client c, s;
	struct gh_resp r;
	struct gh_user u, a;

	(void)state;
	gh_add_customer(&srv, "timeouts@example.org", &u);
	gh_add_staff(&srv, "timeouts@example.com", "agent", &a);
	gh_client_init(&c, 0);
	gh_client_init(&s, 1);
	assert_int_equal(login_rec(&c, &u), 201);
	assert_int_equal(login_rec(&s, &a), 201);
	assert_int_equal(gh_db_countf(&srv, "SELECT COUNT(*) FROM sessions "
					    "WHERE realm = 'customer' AND "
					    "principal_id = %lld AND "
					    "idle_secs = 1800 AND "
					    "abs_expires - created_at = 86400",
				      (long long)u.id),
			 1);
	assert_int_equal(gh_db_countf(&srv, "SELECT COUNT(*) FROM sessions "
					    "WHERE realm = 'staff' AND "
					    "principal_id = %lld AND "
					    "idle_secs = 900 AND "
					    "abs_expires - created_at = 28800",
				      (long long)a.id),
			 1);
	/* 28 minutes of silence: still inside the idle window. */
	{
		char sql[256];

		snprintf(sql, sizeof(sql),
			 "UPDATE sessions SET last_seen = last_seen - 1680 "
			 "WHERE realm = 'customer' AND principal_id = %lld",
			 (long long)u.id);
		gh_db_exec(&srv, sql);
		assert_int_equal(gh_req(&srv, &c, "GET", "/api/v1/portal/session",
					NULL, NULL, &r),
				 200);
		gh_resp_free(&r);
		/* 31 minutes: refused, and the row is gone. */
		snprintf(sql, sizeof(sql),
			 "UPDATE sessions SET last_seen = last_seen - 1860 "
			 "WHERE realm = 'customer' AND principal_id = %lld",
			 (long long)u.id);
		gh_db_exec(&srv, sql);
		assert_int_equal(gh_req(&srv, &c, "GET", "/api/v1/portal/session",
					NULL, NULL, &r),
				 401);
		assert_string_equal(gh_error(&r), "session_required");
		gh_resp_free(&r);
		assert_int_equal(gh_db_countf(&srv, "SELECT COUNT(*) FROM sessions "
						    "WHERE realm = 'customer' AND "
						    "principal_id = %lld",
					      (long long)u.id),
				 0);
		/* Absolute: an active session created 24 h ago. */
		assert_int_equal(login_rec(&c, &u), 201);
		snprintf(sql, sizeof(sql),
			 "UPDATE sessions SET created_at = created_at - 86400, "
			 "abs_expires = abs_expires - 86400 "
			 "WHERE realm = 'customer' AND principal_id = %lld",
			 (long long)u.id);
		gh_db_exec(&srv, sql);
		assert_int_equal(gh_req(&srv, &c, "GET", "/api/v1/portal/session",
					NULL, NULL, &r),
				 401);
		gh_resp_free(&r);
	}
	gh_client_free(&c);
	gh_client_free(&s);
}

/* ASVS 7.4.1 3.5.1: customer logout ends the session server-side (the old
 * cookie replayed is 401); creating a ticket, a state-changing portal
 * route, is refused without the CSRF token or from a foreign Origin. */
static void
test_customer_logout_and_csrf(void **state)
{
	struct gh_client c, x;
	struct gh_resp r;
	struct gh_user u;
	char tok[80], hdr[200], saved[64];
	const char *ticket = "{\"subject\":\"csrf-probe-subject-7f3a\","
			     "\"body\":\"csrf-probe-body-91c2e\"}";

	(void)state;
	gh_add_customer(&srv, "logout@example.org", &u);
	gh_client_init(&c, 0);
	assert_int_equal(login_rec(&c, &u), 201);
	snprintf(saved, sizeof(saved), "%s", c.csrf);
	/* No token: 403, nothing created. */
	c.csrf[0] = '\0';
	assert_int_equal(gh_req(&srv, &c, "POST", "/api/v1/portal/tickets",
				ticket, NULL, &r),
			 403);
	assert_string_equal(gh_error(&r), "csrf_failed");
	gh_resp_free(&r);
	/* The right token from a foreign origin: 403. */
	snprintf(c.csrf, sizeof(c.csrf), "%s", saved);
	{
		const char *h[] = {"Origin: https://evil.example", NULL};

		assert_int_equal(gh_req(&srv, &c, "POST",
					"/api/v1/portal/tickets", ticket, h, &r),
				 403);
		assert_string_equal(gh_error(&r), "csrf_failed");
		gh_resp_free(&r);
	}
	assert_int_equal(gh_db_countf(&srv, "SELECT COUNT(*) FROM tickets "
					    "WHERE customer_id = %lld",
				      (long long)u.id),
			 0);
	/* Positive control: with the token the same request succeeds. */
	assert_int_equal(gh_req(&srv, &c, "POST", "/api/v1/portal/tickets",
				ticket, NULL, &r),
			 201);
	gh_resp_free(&r);
	remember("csrf-probe-subject-7f3a");
	remember("csrf-probe-body-91c2e");
	assert_int_equal(gh_db_countf(&srv, "SELECT COUNT(*) FROM tickets "
					    "WHERE customer_id = %lld",
				      (long long)u.id),
			 1);
	/* Logout, then replay the old cookie by hand. */
	assert_int_equal(gh_cookie_token(&c, tok, sizeof(tok)), 0);
	assert_int_equal(gh_req(&srv, &c, "DELETE", "/api/v1/portal/session",
				NULL, NULL, &r),
			 200);
	gh_resp_free(&r);
	assert_int_equal(gh_db_countf(&srv, "SELECT COUNT(*) FROM sessions "
					    "WHERE realm = 'customer' AND "
					    "principal_id = %lld",
				      (long long)u.id),
			 0);
	snprintf(hdr, sizeof(hdr), "Cookie: __Host-gh_portal=%s", tok);
	gh_client_init(&x, 0);
	{
		const char *h[] = {hdr, NULL};

		assert_int_equal(gh_req(&srv, &x, "GET", "/api/v1/portal/session",
					NULL, h, &r),
				 401);
		assert_string_equal(gh_error(&r), "session_required");
		gh_resp_free(&r);
		snprintf(x.csrf, sizeof(x.csrf), "%s", saved);
		assert_int_equal(gh_req(&srv, &x, "POST", "/api/v1/portal/tickets",
					ticket, h, &r),
				 401);
		gh_resp_free(&r);
	}
	gh_client_free(&x);
	gh_client_free(&c);
}

/* Flips one bit in the middle of the stored TOTP seed of customer id. */
static void
flip_seed_bit(int64_t id)
{
	char sql[100], *hx;
	unsigned char buf[256];
	size_t n;

	snprintf(sql, sizeof(sql),
		 "SELECT totp_seed FROM customers WHERE id = %lld",
		 (long long)id);
	hx = gh_db_text(&srv, sql);
	assert_non_null(hx);
	n = strlen(hx) / 2;
	assert_true(n > 0 && n <= sizeof(buf));
	for (size_t i = 0; i < n; i++) {
		unsigned v = 0;

		assert_int_equal(sscanf(hx + 2 * i, "%2x", &v), 1);
		buf[i] = (unsigned char)v;
	}
	free(hx);
	buf[n / 2] ^= 0x01;
	assert_int_equal(gh_db_run(&srv, "UPDATE customers SET totp_seed = $1 "
					 "WHERE id = $2",
				   "bi", buf, n, id),
			 1);
}

/* ASVS 11.3.3: the seed is authenticated encryption bound to its account:
 * one flipped bit, or another account's sealed seed copied into the row,
 * does not open, and the login fails (with the right password and a code
 * valid for the copied seed). */
static void
test_seed_tamper_refused(void **state)
{
	struct gh_client c;
	struct gh_user a, b;
	char sql[256];

	(void)state;
	gh_add_customer(&srv, "tamper-a@example.org", &a);
	gh_add_customer(&srv, "tamper-b@example.org", &b);
	gh_client_init(&c, 0);
	/* Positive control: both log in before the change. */
	assert_int_equal(login_rec(&c, &a), 201);
	assert_int_equal(login_rec(&c, &b), 201);
	/* A moved seed: b's row gets a's sealed seed; a code from a's
	 * secret, b's password. */
	snprintf(sql, sizeof(sql),
		 "UPDATE customers SET totp_seed = (SELECT totp_seed FROM "
		 "customers WHERE id = %lld) WHERE id = %lld",
		 (long long)a.id, (long long)b.id);
	gh_db_exec(&srv, sql);
	memcpy(b.secret, a.secret, sizeof(b.secret));
	b.last_step = a.last_step;
	assert_int_equal(login_rec(&c, &b), 401);
	/* A changed bit in a's own sealed seed. */
	flip_seed_bit(a.id);
	assert_int_equal(login_rec(&c, &a), 401);
	assert_true(gh_db_count(&srv, "SELECT COUNT(*) FROM audit WHERE "
				      "record LIKE '%seed unreadable%'") >= 2);
	gh_client_free(&c);
}

/* ASVS 2.2.2: the server itself validates the login body (allow-list of
 * fields and types): what a client skipped is still refused, 400. */
static void
test_login_input_validated(void **state)
{
	static const char *const bad[] = {
		"{\"email\":\"a@example.org\",\"password\":\"x\","
		"\"totp\":\"1\",\"admin\":true}",
		"{\"email\":[\"a@example.org\"],\"password\":\"x\","
		"\"totp\":\"1\"}",
		"{\"email\":\"a@example.org\",\"password\":12345678901234,"
		"\"totp\":\"1\"}",
		"{\"email\":\"a@example.org\"",
	};
	struct gh_client c;
	struct gh_resp r;
	int64_t before = gh_db_count(&srv, "SELECT COALESCE(SUM(failures), 0) "
					   "FROM throttle");

	(void)state;
	gh_client_init(&c, 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(gh_req(&srv, &c, "POST", "/api/v1/portal/session",
					bad[i], NULL, &r),
				 400);
		assert_true(strcmp(gh_error(&r), "unknown_field") == 0 ||
			    strcmp(gh_error(&r), "bad_field") == 0 ||
			    strcmp(gh_error(&r), "bad_json") == 0);
		gh_resp_free(&r);
	}
	/* Refused before any login logic ran: no counter moved. */
	assert_int_equal(gh_db_count(&srv, "SELECT COALESCE(SUM(failures), 0) "
					   "FROM throttle"),
			 before);
	gh_client_free(&c);
}

/* Finds the log line of request_id and parses it, or NULL. */
static json_t *
log_line(const char *request_id)
{
	FILE *f = fopen(srv.log, "r");
	char *line = NULL;
	size_t cap = 0;
	json_t *j = NULL;
	char needle[96];

	assert_non_null(f);
	snprintf(needle, sizeof(needle), "\"request_id\":\"%s\"", request_id);
	while (j == NULL && getline(&line, &cap, f) > 0)
		if (strstr(line, "\"event\":\"http.request\"") != NULL &&
		    strstr(line, needle) != NULL)
			j = json_loads(line, 0, NULL);
	free(line);
	fclose(f);
	return j;
}

/* ASVS 16.2.1, 16.2.2: each request leaves one JSON line with the time
 * (UTC), request id, route, status and actor. ASVS 16.3.2: a refused
 * (unauthenticated) request is logged with its error. ASVS 16.5.1: the
 * error body carries the request id that the log line has. ASVS 15.3.1
 * (session endpoint only): no personal field comes back. */
static void
test_log_line_fields(void **state)
{
	struct gh_client c;
	struct gh_resp r;
	struct gh_user u;
	char *rid;
	char actor[48];
	json_t *j;
	const char *t;

	(void)state;
	gh_add_customer(&srv, "logline@example.org", &u);
	gh_client_init(&c, 0);
	assert_int_equal(login_rec(&c, &u), 201);
	assert_int_equal(gh_req(&srv, &c, "GET", "/api/v1/portal/session", NULL,
				NULL, &r),
			 200);
	rid = gh_header(&r, "X-Request-Id");
	assert_non_null(rid);
	assert_int_equal(json_integer_value(json_object_get(r.json, "id")), u.id);
	{
		static const char *const pii[] = {"email", "phone", "dob",
						  "address", "name", "pw_hash",
						  "totp_seed"};

		for (size_t i = 0; i < sizeof(pii) / sizeof(pii[0]); i++)
			assert_null(json_object_get(r.json, pii[i]));
		assert_null(strstr(r.body, "7946"));
		assert_null(strstr(r.body, "logline@"));
	}
	gh_resp_free(&r);
	j = log_line(rid);
	assert_non_null(j);
	t = json_string_value(json_object_get(j, "time"));
	assert_non_null(t);
	/* 2026-01-02T03:04:05.678Z */
	assert_int_equal(strlen(t), 24);
	assert_true(t[4] == '-' && t[10] == 'T' && t[19] == '.' && t[23] == 'Z');
	assert_string_equal(json_string_value(json_object_get(j, "request_id")),
			    rid);
	assert_string_equal(json_string_value(json_object_get(j, "route")),
			    "/api/v1/portal/session");
	assert_string_equal(json_string_value(json_object_get(j, "method")),
			    "GET");
	assert_int_equal(json_integer_value(json_object_get(j, "status")), 200);
	snprintf(actor, sizeof(actor), "customer:%lld", (long long)u.id);
	assert_string_equal(json_string_value(json_object_get(j, "actor")),
			    actor);
	json_decref(j);
	free(rid);
	/* A denial is logged too, with its error and no actor. */
	{
		struct gh_client anon;

		gh_client_init(&anon, 0);
		assert_int_equal(gh_req(&srv, &anon, "GET",
					"/api/v1/portal/session", NULL, NULL, &r),
				 401);
		rid = gh_header(&r, "X-Request-Id");
		assert_non_null(rid);
		assert_string_equal(json_string_value(json_object_get(r.json,
								      "request_id")),
				    rid);
		gh_resp_free(&r);
		j = log_line(rid);
		assert_non_null(j);
		assert_int_equal(json_integer_value(json_object_get(j, "status")),
				 401);
		assert_string_equal(json_string_value(json_object_get(j, "error")),
				    "session_required");
		assert_string_equal(json_string_value(json_object_get(j, "actor")),
				    "-");
		json_decref(j);
		free(rid);
		gh_client_free(&anon);
	}
	gh_client_free(&c);
}

/* ASVS 16.2.5: no password, code, token or request body in the log.
 * ASVS 16.4.1: input with CR/LF cannot forge a line: every line of the
 * log is one JSON object with time, level and event. */
static void
test_no_secrets_in_log(void **state)
{
	struct gh_client c;
	struct gh_resp r;
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	int lines = 0;

	(void)state;
	gh_client_init(&c, 0);
	gh_req(&srv, &c, "POST", "/api/v1/portal/session",
	       "{\"email\":\"x\\r\\n{\\\"event\\\":\\\"forged\\\"}@e.org\","
	       "\"password\":\"p\\nq\",\"totp\":\"1\"}",
	       NULL, &r);
	gh_resp_free(&r);
	gh_req(&srv, &c, "GET", "/api/v1/x%0d%0a%7b%22event%22:%22forged%22%7d",
	       NULL, NULL, &r);
	gh_resp_free(&r);
	gh_client_free(&c);
	f = fopen(srv.log, "r");
	assert_non_null(f);
	while (getline(&line, &cap, f) > 0) {
		json_t *j = json_loads(line, JSON_REJECT_DUPLICATES, NULL);

		if (j == NULL)
			fail_msg("log line %d is not one JSON object", lines + 1);
		assert_non_null(json_object_get(j, "time"));
		assert_non_null(json_object_get(j, "event"));
		assert_string_not_equal(json_string_value(json_object_get(j, "event")),
					"forged");
		json_decref(j);
		lines++;
	}
	free(line);
	fclose(f);
	assert_true(lines > 50);
	assert_false(gh_log_contains(&srv, agent.password));
	assert_false(gh_log_contains(&srv, cust.password));
	assert_false(gh_log_contains(&srv, agent.b32));
	assert_false(gh_log_contains(&srv, cust.b32));
	assert_false(gh_log_contains(&srv, "__Host-gh_"));
	/* Session tokens, CSRF tokens, quoted TOTP codes and body markers
	 * the tests used: enough of them to mean something. */
	assert_true(n_seen >= 10);
	for (size_t i = 0; i < n_seen; i++)
		if (gh_log_contains(&srv, seen[i]))
			fail_msg("the server log contains a secret (#%zu)", i);
	assert_true(gh_log_contains(&srv, "\"event\":\"http.request\""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_staff_login_and_cookie),
		cmocka_unit_test(test_replayed_code_refused),
		cmocka_unit_test(test_uniform_failures),
		cmocka_unit_test(test_throttle_and_lock),
		cmocka_unit_test(test_realms_separate),
		cmocka_unit_test(test_csrf),
		cmocka_unit_test(test_logout_and_fixation),
		cmocka_unit_test(test_timeouts),
		cmocka_unit_test(test_disable_kills_sessions),
		cmocka_unit_test(test_portal_enrollment),
		cmocka_unit_test(test_rehash_on_login),
		cmocka_unit_test(test_ip_throttle),
		cmocka_unit_test(test_parallel_logins_counted),
		cmocka_unit_test(test_totp_seed_sealed),
		cmocka_unit_test(test_token_keyed_hash),
		cmocka_unit_test(test_customer_timeouts),
		cmocka_unit_test(test_customer_logout_and_csrf),
		cmocka_unit_test(test_seed_tamper_refused),
		cmocka_unit_test(test_login_input_validated),
		cmocka_unit_test(test_log_line_fields),
		cmocka_unit_test(test_no_secrets_in_log),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, setup, teardown);
}
