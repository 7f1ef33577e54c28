/*
 * Account hygiene (issue 11 part C) against a real `gatehouse serve`:
 * the caller's own sessions in both realms (list, end one: its cookie is
 * refused at once; end the current one: a logout; another principal's
 * session is not found), the login history (successes and failures of a
 * known account, with address, network and method, newest first, bounded
 * per principal, never the password or code) and the notice of a login
 * from a new network (a second loopback address as the new network).
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

#include "harness.h"

static struct gh_server srv;
static struct gh_user agent, agent2, watcher, cust, cust2;

static int
setup(void **state)
{
	(void)state;
	gh_start(&srv, NULL);
	gh_add_staff(&srv, "hyg-agent@example.com", "agent", &agent);
	gh_add_staff(&srv, "hyg-agent2@example.com", "agent", &agent2);
	gh_add_staff(&srv, "hyg-watch@example.com", "agent", &watcher);
	gh_add_customer(&srv, "hyg-cust@example.org", &cust);
	gh_add_customer(&srv, "hyg-cust2@example.org", &cust2);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	assert_int_equal(gh_stop(&srv), 0);
	return 0;
}

static const char *
sessions_path(const struct gh_client *c)
{
	return c->staff ? "/api/v1/staff/sessions" : "/api/v1/portal/sessions";
}

static const char *
session_path(const struct gh_client *c)
{
	return c->staff ? "/api/v1/staff/session" : "/api/v1/portal/session";
}

/* The caller's session list (r holds it; caller frees r). */
static json_t *
list_sessions(struct gh_client *c, struct gh_resp *r)
{
	json_t *v;

	assert_int_equal(gh_req(&srv, c, "GET", sessions_path(c), NULL, NULL,
				r),
			 200);
	v = json_object_get(r->json, "sessions");
	assert_true(json_is_array(v));
	return v;
}

/* The public id of c's own session (the one marked current). */
static int64_t
own_session_id(struct gh_client *c)
{
	struct gh_resp r;
	json_t *l = list_sessions(c, &r);
	int64_t id = 0;
	size_t i;
	json_t *s;

	json_array_foreach(l, i, s) {
		if (json_is_true(json_object_get(s, "current"))) {
			assert_int_equal(id, 0);
			id = json_integer_value(json_object_get(s, "id"));
		}
	}
	gh_resp_free(&r);
	assert_true(id > 0);
	return id;
}

static long
end_session(struct gh_client *c, int64_t id, struct gh_resp *r)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%lld", sessions_path(c),
		 (long long)id);
	return gh_req(&srv, c, "DELETE", path, NULL, NULL, r);
}

static long
whoami(struct gh_client *c)
{
	struct gh_resp r;
	long st = gh_req(&srv, c, "GET", session_path(c), NULL, NULL, &r);

	gh_resp_free(&r);
	return st;
}

/* One session's entry has the contract's fields and nothing secret. */
static void
assert_session_shape(json_t *s, const char *cookie_token)
{
	char *text = json_dumps(s, JSON_COMPACT);

	assert_true(json_integer_value(json_object_get(s, "id")) >
		    999999999999999LL);
	assert_true(json_integer_value(json_object_get(s, "id")) <
		    (1LL << 53));
	assert_true(json_is_integer(json_object_get(s, "created_at")));
	assert_true(json_is_integer(json_object_get(s, "last_seen")));
	assert_string_equal(json_string_value(json_object_get(s, "ip")),
			    "127.0.0.1");
	assert_string_equal(json_string_value(json_object_get(s, "network")),
			    "127.0.0.0/24");
	assert_true(json_is_boolean(json_object_get(s, "current")));
	assert_true(json_is_true(json_object_get(s, "mfa")));
	assert_int_equal(json_object_size(s), 7);
	assert_null(strstr(text, cookie_token));
	free(text);
}

/* Both realms: two sessions listed, one current; ending the other one
 * makes its cookie answer 401 on the next request while the caller's
 * own session goes on. ASVS V3.3.4 (the user can see and end their
 * other sessions), V3.3.1 (ended sessions are invalid at once). */
static void
sessions_list_and_end_other(struct gh_user *u, int staff)
{
	struct gh_client a, b;
	struct gh_resp r;
	char tok[80];
	json_t *l;
	int64_t id_b;

	gh_client_init(&a, staff);
	gh_client_init(&b, staff);
	assert_int_equal(gh_login(&srv, &a, u), 201);
	assert_int_equal(gh_login(&srv, &b, u), 201);
	assert_int_equal(gh_cookie_token(&a, tok, sizeof(tok)), 0);
	id_b = own_session_id(&b);
	l = list_sessions(&a, &r);
	assert_true(json_array_size(l) >= 2);
	for (size_t i = 0; i < json_array_size(l); i++)
		assert_session_shape(json_array_get(l, i), tok);
	assert_null(strstr(r.body, tok));
	assert_null(strstr(r.body, "token"));
	gh_resp_free(&r);
	assert_true(id_b != own_session_id(&a));
	assert_int_equal(end_session(&a, id_b, &r), 204);
	assert_int_equal(r.len, 0);
	gh_resp_free(&r);
	assert_int_equal(whoami(&b), 401);
	assert_int_equal(whoami(&a), 200);
	/* Gone from the list and from the table; ending it again: 404. */
	l = list_sessions(&a, &r);
	for (size_t i = 0; i < json_array_size(l); i++)
		assert_true(json_integer_value(json_object_get(
				    json_array_get(l, i), "id")) != id_b);
	gh_resp_free(&r);
	assert_int_equal(gh_db_countf(&srv,
				      "SELECT COUNT(*) FROM sessions WHERE "
				      "public_id = %lld",
				      (long long)id_b),
			 0);
	assert_int_equal(end_session(&a, id_b, &r), 404);
	gh_resp_free(&r);
	gh_client_free(&a);
	gh_client_free(&b);
}

static void
test_staff_sessions(void **state)
{
	(void)state;
	sessions_list_and_end_other(&agent, 1);
	assert_true(gh_db_count(&srv, "SELECT COUNT(*) FROM audit WHERE "
				      "record LIKE '%\"session.ended\"%'") >=
		    1);
}

static void
test_portal_sessions(void **state)
{
	(void)state;
	sessions_list_and_end_other(&cust, 0);
}

/* Ending the current session is a logout: the cookie is cleared and the
 * session refused. ASVS V3.3.1. */
static void
test_end_current_logs_out(void **state)
{
	struct gh_client c;
	struct gh_resp r;
	char *cookie;

	(void)state;
	for (int staff = 0; staff <= 1; staff++) {
		gh_client_init(&c, staff);
		assert_int_equal(gh_login(&srv, &c, staff ? &agent2 : &cust2),
				 201);
		assert_int_equal(end_session(&c, own_session_id(&c), &r), 204);
		cookie = gh_header(&r, "Set-Cookie");
		assert_non_null(cookie);
		assert_non_null(strstr(cookie, "Max-Age=0"));
		free(cookie);
		gh_resp_free(&r);
		assert_int_equal(whoami(&c), 401);
		gh_client_free(&c);
	}
}

/* Only one's own sessions: another principal's session id (same realm
 * or the other realm) and an unknown id are 404 and end nothing; the
 * routes need a session. ASVS V4.2.1 (no IDOR on session ids). */
static void
test_foreign_session_not_found(void **state)
{
	struct gh_client a, b, p;
	struct gh_resp r;
	int64_t id_b, id_p;

	(void)state;
	gh_client_init(&a, 1);
	gh_client_init(&b, 1);
	gh_client_init(&p, 0);
	assert_int_equal(gh_login(&srv, &a, &watcher), 201);
	assert_int_equal(gh_login(&srv, &b, &agent2), 201);
	assert_int_equal(gh_login(&srv, &p, &cust2), 201);
	id_b = own_session_id(&b);
	id_p = own_session_id(&p);
	assert_int_equal(end_session(&a, id_b, &r), 404);
	assert_string_equal(gh_error(&r), "not_found");
	gh_resp_free(&r);
	assert_int_equal(end_session(&a, id_p, &r), 404);
	gh_resp_free(&r);
	assert_int_equal(end_session(&a, 1000000000000001LL, &r), 404);
	gh_resp_free(&r);
	assert_int_equal(whoami(&b), 200);
	assert_int_equal(whoami(&p), 200);
	/* A's list holds none of them. */
	{
		json_t *l = list_sessions(&a, &r);

		for (size_t i = 0; i < json_array_size(l); i++) {
			int64_t id = json_integer_value(json_object_get(
				json_array_get(l, i), "id"));

			assert_true(id != id_b && id != id_p);
		}
		gh_resp_free(&r);
	}
	gh_client_free(&a);
	gh_client_free(&b);
	gh_client_free(&p);
	/* No session: 401. */
	gh_client_init(&a, 1);
	assert_int_equal(gh_req(&srv, &a, "GET", "/api/v1/staff/sessions",
				NULL, NULL, &r),
			 401);
	gh_resp_free(&r);
	assert_int_equal(gh_req(&srv, &a, "GET", "/api/v1/staff/logins", NULL,
				NULL, &r),
			 401);
	gh_resp_free(&r);
	gh_client_free(&a);
}

static long
login_with(struct gh_client *c, const char *email, const char *pw)
{
	char body[512];
	struct gh_resp r;
	long st;

	snprintf(body, sizeof(body),
		 "{\"email\":\"%s\",\"password\":\"%s\",\"totp\":\"000000\"}",
		 email, pw);
	st = gh_req(&srv, c, "POST", session_path(c), body, NULL, &r);
	gh_resp_free(&r);
	return st;
}

/* Login history: a failure (wrong password) and a success of a known
 * account, newest first, with address, network and method; never the
 * password or code; an unknown account records nothing. ASVS V2.2.x
 * (the user sees their authentication history), V7.1.1. */
static void
logins_history(struct gh_user *u, int staff)
{
	struct gh_client c;
	struct gh_resp r;
	json_t *l, *e;
	int64_t before;

	gh_client_init(&c, staff);
	before = gh_db_count(&srv, "SELECT COUNT(*) FROM logins");
	assert_int_equal(login_with(&c, "nobody-hyg@example.com",
				    "Unknown-Account-Pass-1"),
			 401);
	assert_int_equal(gh_db_count(&srv, "SELECT COUNT(*) FROM logins"),
			 before);
	assert_int_equal(login_with(&c, u->email, "Wrong-Password-Marker-77"),
			 401);
	assert_int_equal(gh_login(&srv, &c, u), 201);
	assert_int_equal(gh_req(&srv, &c, "GET",
				staff ? "/api/v1/staff/logins"
				      : "/api/v1/portal/logins",
				NULL, NULL, &r),
			 200);
	l = json_object_get(r.json, "logins");
	assert_true(json_array_size(l) >= 2);
	e = json_array_get(l, 0);
	assert_true(json_is_true(json_object_get(e, "ok")));
	assert_string_equal(json_string_value(json_object_get(e, "method")),
			    "password+totp");
	assert_string_equal(json_string_value(json_object_get(e, "ip")),
			    "127.0.0.1");
	assert_string_equal(json_string_value(json_object_get(e, "network")),
			    "127.0.0.0/24");
	assert_true(json_integer_value(json_object_get(e, "at")) >
		    (json_int_t)time(NULL) - 120);
	assert_int_equal(json_object_size(e), 5);
	e = json_array_get(l, 1);
	assert_true(json_is_false(json_object_get(e, "ok")));
	assert_null(strstr(r.body, "Wrong-Password-Marker-77"));
	assert_null(strstr(r.body, u->password));
	assert_null(strstr(r.body, "000000"));
	gh_resp_free(&r);
	assert_int_equal(gh_db_count(&srv,
				     "SELECT COUNT(*) FROM logins WHERE "
				     "method LIKE '%Marker%' OR ip LIKE "
				     "'%Marker%' OR network LIKE '%Marker%'"),
			 0);
	gh_client_free(&c);
}

static void
test_staff_logins(void **state)
{
	(void)state;
	logins_history(&agent, 1);
}

static void
test_portal_logins(void **state)
{
	(void)state;
	logins_history(&cust, 0);
}

/* The history is bounded per principal: the newest 200 are kept, a list
 * shows 50, newest first. ASVS V7.1.x (logs bounded, no flood). */
static void
test_logins_bounded(void **state)
{
	struct gh_client c;
	struct gh_resp r;
	json_t *l;
	char sql[512];

	(void)state;
	snprintf(sql, sizeof(sql),
		 "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
		 "FROM n WHERE i < 250) INSERT INTO logins (realm, "
		 "principal_id, at, ip, network, method, ok) SELECT 'staff', "
		 "%lld, 1000 + i, '192.0.2.1', '192.0.2.0/24', 'password', 0 "
		 "FROM n",
		 (long long)watcher.id);
	gh_db_exec(&srv, sql);
	gh_client_init(&c, 1);
	assert_int_equal(gh_login(&srv, &c, &watcher), 201);
	assert_int_equal(gh_db_countf(&srv,
				      "SELECT COUNT(*) FROM logins WHERE "
				      "realm = 'staff' AND principal_id = "
				      "%lld",
				      (long long)watcher.id),
			 200);
	assert_int_equal(gh_req(&srv, &c, "GET", "/api/v1/staff/logins", NULL,
				NULL, &r),
			 200);
	l = json_object_get(r.json, "logins");
	assert_int_equal(json_array_size(l), 50);
	assert_true(json_is_true(json_object_get(json_array_get(l, 0), "ok")));
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(l, 1), "at")),
			 1250);
	gh_resp_free(&r);
	gh_client_free(&c);
}

/* A login from a network none of the account's earlier successful
 * logins came from mails the account a notice (time and network, what
 * to do), audited login.new_network; the first login ever and a second
 * login from the same network do not. The new network is 127.0.1.1, a
 * second loopback source address. ASVS V2.5.x / V3.x (notify users of
 * new-device logins). */
static void
new_network(struct gh_user *u, int staff)
{
	struct gh_client c;
	char *mail = NULL;
	int64_t audits;

	gh_client_init(&c, staff);
	curl_easy_setopt(c.curl, CURLOPT_INTERFACE, "host!127.0.1.1");
	audits = gh_db_count(&srv, "SELECT COUNT(*) FROM audit WHERE record "
				   "LIKE '%\"login.new_network\"%'");
	assert_int_equal(gh_login(&srv, &c, u), 201);
	assert_int_equal(gh_take_mail(&srv, u->email, "127.0.1.0/24", 10,
				      &mail),
			 0);
	assert_non_null(strstr(mail, "new network"));
	assert_non_null(strstr(mail, "If it was not you"));
	assert_null(strstr(mail, u->password));
	if (!staff)
		assert_non_null(strstr(mail, "Otter under the bridge"));
	free(mail);
	assert_int_equal(gh_db_count(&srv, "SELECT COUNT(*) FROM audit WHERE "
					   "record LIKE "
					   "'%\"login.new_network\"%'"),
			 audits + 1);
	/* Again from there: not new any more. */
	assert_int_equal(gh_login(&srv, &c, u), 201);
	assert_int_equal(gh_db_count(&srv, "SELECT COUNT(*) FROM audit WHERE "
					   "record LIKE "
					   "'%\"login.new_network\"%'"),
			 audits + 1);
	gh_client_free(&c);
}

static void
test_new_network_staff(void **state)
{
	struct gh_user fresh;
	struct gh_client c;
	char *mail = NULL;

	(void)state;
	/* A first login ever: nothing to compare with, no notice. */
	gh_add_staff(&srv, "hyg-fresh@example.com", "agent", &fresh);
	gh_client_init(&c, 1);
	curl_easy_setopt(c.curl, CURLOPT_INTERFACE, "host!127.0.1.1");
	assert_int_equal(gh_login(&srv, &c, &fresh), 201);
	gh_client_free(&c);
	assert_int_equal(gh_take_mail(&srv, fresh.email, "new network", 3,
				      &mail),
			 -1);
	/* agent logged in from 127.0.0.1 before. */
	new_network(&agent, 1);
}

static void
test_new_network_customer(void **state)
{
	struct gh_client c;
	struct gh_resp r;

	(void)state;
	gh_client_init(&c, 0);
	assert_int_equal(gh_login(&srv, &c, &cust), 201);
	assert_int_equal(gh_send_json(&srv, &c, "PUT", "/api/v1/portal/phrase",
				      json_pack("{s:s}", "phrase",
						"Otter under the bridge"),
				      &r),
			 200);
	gh_resp_free(&r);
	gh_client_free(&c);
	new_network(&cust, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_staff_sessions),
		cmocka_unit_test(test_portal_sessions),
		cmocka_unit_test(test_end_current_logs_out),
		cmocka_unit_test(test_foreign_session_not_found),
		cmocka_unit_test(test_staff_logins),
		cmocka_unit_test(test_portal_logins),
		cmocka_unit_test(test_logins_bounded),
		cmocka_unit_test(test_new_network_staff),
		cmocka_unit_test(test_new_network_customer),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, setup, teardown);
}
