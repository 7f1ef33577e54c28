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

#include "crypto/totp.h"
#include "harness.h"

static struct gh_server srv;
static struct gh_user agent, cust, cust2;

static int
setup(void **state)
{
	(void)state;
	/* Small limits so throttling shows within a test. */
	gh_start(&srv, "\n[security]\nlogin_free_failures = 3\n"
		       "login_max_failures = 6\nlogin_delay_base_seconds = 2\n");
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

/* ASVS 6.3.3, 3.3.1, 3.3.3, 3.3.4, 3.3.2, 7.2.3 */
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

		assert_int_equal(strcspn(v, ";"), 43);
	}
	free(cookie);
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

/* ASVS 6.5.1 6.5.5: a TOTP code (time step) is accepted once. */
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
	/* Timing: both paths run argon2id. Medians of 3, generous bounds:
	 * without the dummy hash the ratio would be ~100. */
	for (int i = 0; i < 3; i++) {
		struct timespec a, b;
		double d;

		clock_gettime(CLOCK_MONOTONIC, &a);
		login_body(&c, "ghost@example.org", "whatever password", "1", &r1);
		clock_gettime(CLOCK_MONOTONIC, &b);
		gh_resp_free(&r1);
		d = (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
		t_unknown += d;
		clock_gettime(CLOCK_MONOTONIC, &a);
		login_body(&c, cust2.email, "whatever password", "1", &r1);
		clock_gettime(CLOCK_MONOTONIC, &b);
		gh_resp_free(&r1);
		d = (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
		t_wrong += d;
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

/* ASVS 6.3.1: repeated failures are throttled with Retry-After; the
 * lock at login_max_failures holds until an operator unlocks. */
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
	free(ra);
	gh_resp_free(&r);
	/* The same answer for an unknown account under attack: it is
	 * throttled by name too, so 429 reveals nothing. */
	for (int i = 0; i < 4; i++) {
		login_body(&c, "ghost2@example.org", "x-not-it-123", "1", &r);
		st = r.status;
		gh_resp_free(&r);
	}
	assert_int_equal(st, 429);
	/* After the delay a success clears the account counter. */
	sleep(3);
	gh_totp_next(&u, code);
	assert_int_equal(login_body(&c, u.email, u.password, code, &r), 201);
	gh_resp_free(&r);
	assert_int_equal(gh_db_count(&srv, "SELECT COUNT(*) FROM throttle "
					   "WHERE key LIKE 'acct:%' AND "
					   "failures > 0 AND blocked_until > "
					   "strftime('%s','now') + 100000"),
			 0);
	/* Lock: 6 consecutive failures (config) lock until unlock. */
	for (int i = 0; i < 6; i++) {
		sleep(i >= 3 ? (unsigned)(2 << (i - 3)) : 0);
		login_body(&c, u.email, "not the password 2", "123456", &r);
		gh_resp_free(&r);
	}
	gh_totp_next(&u, code);
	assert_int_equal(login_body(&c, u.email, u.password, code, &r), 429);
	gh_resp_free(&r);
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
	assert_int_equal(gh_login(&srv, &cu, &cust), 201);
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
 * Origin is sent, our own origin. */
static void
test_csrf(void **state)
{
	struct gh_client c;
	struct gh_resp r;
	char saved[64];
	char origin[128];

	(void)state;
	gh_client_init(&c, 0);
	assert_int_equal(gh_login(&srv, &c, &cust2), 201);
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

	(void)state;
	gh_client_init(&c, 1);
	assert_int_equal(gh_login(&srv, &c, &agent), 201);
	curl_easy_getinfo(c.curl, CURLINFO_COOKIELIST, &list);
	snprintf(first, sizeof(first), "%s", strrchr(list->data, '\t') + 1);
	curl_slist_free_all(list);
	/* Log in again on the same client: a different token. */
	assert_int_equal(gh_login(&srv, &c, &agent), 201);
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

	(void)state;
	gh_client_init(&c, 1);
	assert_int_equal(gh_login(&srv, &c, &agent), 201);
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
	assert_int_equal(gh_login(&srv, &c, &agent), 201);
	gh_db_exec(&srv, "UPDATE sessions SET abs_expires = "
			 "strftime('%s','now') - 1 WHERE realm = 'staff'");
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

/* ASVS 7.4.2: disabling an account ends all its sessions. */
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
	assert_int_equal(gh_login(&srv, &c, &u), 201);
	assert_int_equal(gh_cli(&srv, NULL, NULL, dis), 0);
	assert_int_equal(gh_req(&srv, &c, "GET", "/api/v1/staff/session", NULL,
				NULL, &r),
			 401);
	gh_resp_free(&r);
	/* And a disabled account cannot log in. */
	assert_int_equal(gh_login(&srv, &c, &u), 401);
	assert_int_equal(gh_cli(&srv, NULL, NULL, en), 0);
	assert_int_equal(gh_login(&srv, &c, &u), 201);
	gh_client_free(&c);
}

/* Invited customer: password alone opens an enrolment-only session; a
 * code from the new secret activates it and rotates the session. */
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
	/* A wrong code is refused. */
	assert_int_equal(gh_req(&srv, &c, "POST",
				"/api/v1/portal/enrollment/confirm",
				"{\"totp\":\"000000\"}", NULL, &r),
			 422);
	gh_resp_free(&r);
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
	assert_int_equal(gh_login(&srv, &c, &u), 201);
	gh_client_free(&c);
}

/* ASVS 16.2.5: no password, code or token in the log. */
static void
test_no_secrets_in_log(void **state)
{
	(void)state;
	assert_false(gh_log_contains(&srv, agent.password));
	assert_false(gh_log_contains(&srv, cust.password));
	assert_false(gh_log_contains(&srv, agent.b32));
	assert_false(gh_log_contains(&srv, "__Host-gh_"));
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
		cmocka_unit_test(test_no_secrets_in_log),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, setup, teardown);
}
