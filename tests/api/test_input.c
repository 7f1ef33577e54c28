/*
 * Bad input against a real instance: each gets its own 4xx JSON error from
 * the registry, and none changes anything (no session, no audit record, no
 * throttle row appears).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "http/request.h"

extern const struct route api_routes[];

static struct gh_server srv;

static int
setup(void **state)
{
	(void)state;
	gh_start(&srv, NULL);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	assert_int_equal(gh_stop(&srv), 0);
	return 0;
}

static int64_t
changes(void)
{
	return gh_db_count(&srv, "SELECT (SELECT COUNT(*) FROM audit) + "
				 "(SELECT COUNT(*) FROM sessions) + "
				 "(SELECT COUNT(*) FROM throttle)");
}

static void
expect(const char *method, const char *path, const char *body,
       const char *const *headers, long status, const char *code)
{
	struct gh_client c;
	struct gh_resp r;
	int64_t before = changes();

	gh_client_init(&c, 0);
	assert_int_equal(gh_req(&srv, &c, method, path, body, headers, &r),
			 status);
	if (code != NULL) {
		assert_string_equal(gh_error(&r), code);
		assert_non_null(json_object_get(r.json, "message"));
	}
	gh_resp_free(&r);
	gh_client_free(&c);
	assert_int_equal(changes(), before);
}

#define LOGIN "/api/v1/portal/session"

/* ASVS 2.2.1, 15.3.3: deny by default; every malformed body is refused
 * with its own error and changes nothing. */
static void
test_json_errors(void **state)
{
	(void)state;
	expect("POST", LOGIN, "{", NULL, 400, "bad_json");
	expect("POST", LOGIN, "[1,2]", NULL, 400, "bad_json");
	expect("POST", LOGIN, "\"str\"", NULL, 400, "bad_json");
	/* ASVS 8.2.3: no mass assignment: a field the handler does not
	 * declare ("role") is refused, not ignored. */
	expect("POST", LOGIN,
	       "{\"email\":\"a@b.c\",\"password\":\"x\",\"totp\":\"1\","
	       "\"role\":\"admin\"}",
	       NULL, 400, "unknown_field");
	expect("POST", LOGIN, "{\"email\":\"a@b.c\",\"totp\":\"1\"}", NULL, 400,
	       "missing_field");
	expect("POST", LOGIN,
	       "{\"email\":7,\"password\":\"x\",\"totp\":\"1\"}", NULL, 400,
	       "bad_field");
	expect("POST", LOGIN,
	       "{\"email\":\"a@b.c\",\"email\":\"d@e.f\",\"password\":\"x\","
	       "\"totp\":\"1\"}",
	       NULL, 400, "bad_json");
	expect("POST", LOGIN,
	       "{\"email\":\"a\\u0000@b.c\",\"password\":\"x\",\"totp\":\"1\"}",
	       NULL, 400, NULL);
	expect("POST", LOGIN,
	       "{\"email\":\"a\xff@b.c\",\"password\":\"x\",\"totp\":\"1\"}",
	       NULL, 400, "bad_json");
	expect("POST", LOGIN,
	       "{\"email\":\"a\\u202e@b.c\",\"password\":\"x\",\"totp\":\"1\"}",
	       NULL, 400, "bad_utf8");
	{
		/* Deep nesting is refused before parsing. */
		char deep[4096];
		size_t n = 0;

		deep[n++] = '{';
		memcpy(deep + n, "\"email\":", 8);
		n += 8;
		for (int i = 0; i < 1000; i++)
			deep[n++] = '[';
		for (int i = 0; i < 1000; i++)
			deep[n++] = ']';
		deep[n++] = '}';
		deep[n] = '\0';
		expect("POST", LOGIN, deep, NULL, 400, "bad_json");
	}
	/* Over-long field. */
	{
		char body[2000];

		snprintf(body, sizeof(body),
			 "{\"email\":\"%0300d@b.c\",\"password\":\"x\","
			 "\"totp\":\"1\"}",
			 0);
		expect("POST", LOGIN, body, NULL, 400, "bad_field");
		{
			struct gh_client c;
			struct gh_resp r;

			gh_client_init(&c, 0);
			assert_int_equal(gh_req(&srv, &c, "POST", LOGIN, body,
						NULL, &r),
					 400);
			assert_string_equal(json_string_value(json_object_get(
						    r.json, "field")),
					    "email");
			assert_int_equal(json_integer_value(json_object_get(
						 r.json, "max")),
					 254);
			assert_string_equal(json_string_value(json_object_get(
						    r.json, "message")),
					    "email is longer than 254 "
					    "characters.");
			gh_resp_free(&r);
			gh_client_free(&c);
		}
	}
}

/* ASVS 5.2.1 (size limits), 4.1.4 (methods), 13.4.4. */
static void
test_http_errors(void **state)
{
	const char *text[] = {"Content-Type: text/plain", NULL};
	const char *chunked[] = {"Transfer-Encoding: chunked", NULL};
	char *big = malloc(300000);
	char *url = malloc(4000);

	(void)state;
	memset(big, 'a', 299999);
	big[0] = '"';
	big[299998] = '"';
	big[299999] = '\0';
	/* Content-Length over the route's limit: 413 before reading. */
	expect("POST", LOGIN, big, NULL, 413, "body_too_large");
	/* Chunked, no Content-Length: counted and refused at the end. */
	expect("POST", LOGIN, big, chunked, 413, "body_too_large");
	expect("POST", LOGIN, "{}", text, 415, "unsupported_media_type");
	expect("GET", "/api/v1/portal/nothing", NULL, NULL, 404, "not_found");
	expect("GET", "/api/v1/portal/session/", NULL, NULL, 404,
	       NULL);
	expect("PATCH", LOGIN, NULL, NULL, 405, "method_not_allowed");
	memcpy(url, "/api/v1/", 8);
	memset(url + 8, 'x', 3000);
	url[3008] = '\0';
	expect("GET", url, NULL, NULL, 414, "uri_too_long");
	free(big);
	free(url);
}

/* An attachment upload of the small file "hello" whose JSON is padded
 * with pad spaces between its two fields (still valid JSON). */
static char *
padded_upload(size_t pad)
{
	static const char a[] = "{\"filename\":\"hello.txt\",";
	static const char b[] = "\"content_base64\":\"aGVsbG8=\"}";
	char *body = malloc(sizeof(a) + pad + sizeof(b));

	assert_non_null(body);
	memcpy(body, a, sizeof(a) - 1);
	memset(body + sizeof(a) - 1, ' ', pad);
	memcpy(body + sizeof(a) - 1 + pad, b, sizeof(b));
	return body;
}

/*
 * Issue 9, defect 7: [server] max_body_bytes caps every body, whatever
 * its framing. The upload route allows 14 MiB; with max_body_bytes at
 * its floor (397312), a 500 KB body is refused 413 body_too_large when
 * sent chunked exactly as with a Content-Length, and nothing is stored.
 * The same upload padded to 300 KB goes through both ways, so the 413
 * is the cap's doing.
 */
static void
test_body_cap_any_framing(void **state)
{
	static const char *const chunked[] = {"Transfer-Encoding: chunked",
					      NULL};
	const char *const *framings[2] = {NULL, chunked};
	struct gh_server s;
	struct gh_user u;
	struct gh_client c;
	struct gh_resp r;
	char path[96];
	int64_t ticket;

	(void)state;
	gh_start(&s, "\n[server]\nmax_body_bytes = 397312\n"
		     "[attachments]\nmax_bytes = 262144\n");
	gh_add_customer(&s, "cap@example.org", &u);
	gh_client_init(&c, 0);
	assert_int_equal(gh_login(&s, &c, &u), 201);
	assert_int_equal(gh_send_json(&s, &c, "POST", "/api/v1/portal/tickets",
				      json_pack("{s:s, s:s}", "subject", "Cap",
						"body", "A file follows."),
				      &r),
			 201);
	ticket = json_integer_value(json_object_get(r.json, "id"));
	gh_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/portal/tickets/%lld/attachments",
		 (long long)ticket);
	for (int i = 0; i < 2; i++) {
		char *big = padded_upload(500000);
		char *fits = padded_upload(300000);
		int64_t before = gh_db_count(&s, "SELECT COUNT(*) FROM "
						 "attachments");
		long st = gh_req(&s, &c, "POST", path, big, framings[i], &r);

		if (st != 413)
			fail_msg("%s body over max_body_bytes: %ld %s",
				 i ? "chunked" : "sized", st, r.body);
		assert_string_equal(gh_error(&r), "body_too_large");
		gh_resp_free(&r);
		assert_int_equal(gh_db_count(&s, "SELECT COUNT(*) FROM "
						 "attachments"),
				 before);
		assert_int_equal(gh_req(&s, &c, "POST", path, fits,
					framings[i], &r),
				 201);
		gh_resp_free(&r);
		assert_int_equal(gh_db_count(&s, "SELECT COUNT(*) FROM "
						 "attachments"),
				 before + 1);
		free(big);
		free(fits);
	}
	gh_client_free(&c);
	assert_int_equal(gh_stop(&s), 0);
}

/* Oversized headers are refused by the server (431), not truncated. */
static void
test_huge_headers(void **state)
{
	struct gh_client c;
	struct gh_resp r;
	char *h = malloc(40000);
	const char *hs[] = {h, NULL};

	(void)state;
	memcpy(h, "X-Big: ", 7);
	memset(h + 7, 'b', 39990);
	h[39997] = '\0';
	gh_client_init(&c, 0);
	assert_int_equal(gh_req(&srv, &c, "GET", "/", NULL, hs, &r), 431);
	gh_resp_free(&r);
	gh_client_free(&c);
	free(h);
}

/* Sends method path on the given listener (staff = 1) with no session and
 * checks status and error code; nothing may change. */
static void
expect_on(int staff, const char *method, const char *path, long status,
	  const char *code)
{
	struct gh_client c;
	struct gh_resp r;
	int64_t before = changes();

	gh_client_init(&c, staff);
	assert_int_equal(gh_req(&srv, &c, method, path, NULL, NULL, &r),
			 status);
	if (code != NULL) {
		assert_string_equal(gh_error(&r), code);
		assert_non_null(json_object_get(r.json, "message"));
		assert_non_null(json_object_get(r.json, "request_id"));
	}
	gh_resp_free(&r);
	gh_client_free(&c);
	assert_int_equal(changes(), before);
}

/*
 * ASVS 5.1.3, 5.2.1: a decoded NUL would cut "/app.js%00xyz" to "/app.js"
 * and beat exact path matching. Any URL with a control character,
 * percent-encoded or raw, in its path or query is refused with 400
 * bad_url before routing, on both listeners, for static files and API
 * routes alike.
 */
static void
test_control_chars_in_url(void **state)
{
	static const char *const bad[] = {
		"/app.js%00xyz",
		"/app.js%00",
		"/%00",
		"/style.css%0a",
		"/lib.js%0D%0Ax",
		"/index.html%1f",
		"/app.js%7F",
		"/api/v1/portal/session%00x",
		"/api/v1/staff/session%00x",
		"/api/v1/portal/tickets%00/1",
		"/api/v1/tickets?limit=2%00x",
		"/api/v1/portal/tickets?offset=0%09",
	};
	(void)state;
	/* The plain paths work, so the 400s below are the control
	 * characters' doing. */
	for (int staff = 0; staff <= 1; staff++) {
		expect_on(staff, "GET", "/app.js", 200, NULL);
		expect_on(staff, "GET", "/app.js%41", 404, "not_found");
		expect_on(staff, "GET", "/app.js%", 404, "not_found");
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			expect_on(staff, "GET", bad[i], 400, "bad_url");
		expect_on(staff, "POST", "/api/v1/portal/session%00x", 400,
			  "bad_url");
		expect_on(staff, "POST", "/api/v1/staff/session%00", 400,
			  "bad_url");
	}
	/* Without the NUL the same session paths are ordinary routes. */
	expect_on(0, "GET", "/api/v1/portal/session", 401, "session_required");
	expect_on(1, "GET", "/api/v1/staff/session", 401, "session_required");
}

/* The server survived all of the above. */
/* Every row a handler could write, outside the audit log (a refusal may
 * be audited) and the sessions and throttle counters logins keep. */
static int64_t
state_rows(struct gh_server *s)
{
	return gh_db_count(s, "SELECT (SELECT COUNT(*) FROM tickets) + "
			      "(SELECT COUNT(*) FROM messages) + "
			      "(SELECT COUNT(*) FROM notes) + "
			      "(SELECT COUNT(*) FROM attachments) + "
			      "(SELECT COUNT(*) FROM outbox) + "
			      "(SELECT COUNT(*) FROM held_replies) + "
			      "(SELECT COUNT(*) FROM verifications) + "
			      "(SELECT COUNT(*) FROM reveals) + "
			      "(SELECT COUNT(*) FROM change_requests) + "
			      "(SELECT COUNT(*) FROM customer_field_defs) + "
			      "(SELECT COUNT(*) FROM queues) + "
			      "(SELECT COUNT(*) FROM training_attempts) + "
			      "(SELECT COUNT(*) FROM training_completions) + "
			      "(SELECT SUM(updated_at) FROM training_modules) + "
			      "(SELECT COUNT(*) FROM drill_campaigns) + "
			      "(SELECT COUNT(*) FROM drill_targets) + "
			      "(SELECT COUNT(phish_reported_at) FROM messages) + "
			      "(SELECT COUNT(*) FROM contact_codes) + "
			      "(SELECT COUNT(*) FROM contact_checks) + "
			      "(SELECT COALESCE(SUM(pw_changed_at), 0) + "
			      "SUM(pw_must_change) FROM staff)");
}

/* The route's pattern with each {id} as 1 and each {name} as a module
 * of the starter course. */
static void
route_path(const struct route *rt, char *out, size_t sz)
{
	static const char module[] = "no-bending-rules";
	size_t n = 0;

	for (const char *p = rt->pattern; *p != '\0' && n + 2 < sz; p++) {
		if (strncmp(p, "{id}", 4) == 0) {
			out[n++] = '1';
			p += 3;
		} else if (strncmp(p, "{name}", 6) == 0 &&
			   n + sizeof(module) < sz) {
			memcpy(out + n, module, sizeof(module) - 1);
			n += sizeof(module) - 1;
			p += 5;
		} else {
			out[n++] = *p;
		}
	}
	out[n] = '\0';
}

/* One bad body to one route: a 4xx with a registry code, nothing written. */
static void
bad_body(struct gh_server *s, struct gh_client *c, const struct route *rt,
	 const char *body, const char *what)
{
	struct gh_resp r;
	char path[256];
	int64_t before = state_rows(s);
	long st;

	route_path(rt, path, sizeof(path));
	st = gh_req(s, c, rt->method, path, body, NULL, &r);
	if (st < 400 || st > 499 || gh_error(&r)[0] == '\0')
		fail_msg("%s %s, %s body: %ld %s", rt->method, rt->pattern, what,
			 st, r.body != NULL ? r.body : "");
	gh_resp_free(&r);
	if (state_rows(s) != before)
		fail_msg("%s %s, %s body: something was written", rt->method,
			 rt->pattern, what);
}

/* ASVS 2.2.1, 15.3.3: every route that takes a body, on its listener and
 * with a session of the kind it needs (an admin for staff routes), answers
 * a malformed body, a body one byte over its limit and a hostile one
 * (nesting 300 deep) with a 4xx error from the registry and writes
 * nothing. Routes added later are covered without editing this test. */
static void
test_every_route_bad_bodies(void **state)
{
	struct gh_server s;
	struct gh_user admin, cust;
	struct gh_client staff, portal;
	char hostile[1024];
	int routes = 0;

	(void)state;
	gh_start(&s, NULL);
	gh_add_staff(&s, "walk-admin@example.com", "admin", &admin);
	gh_add_customer(&s, "walk@example.org", &cust);
	gh_client_init(&staff, 1);
	gh_client_init(&portal, 0);
	assert_int_equal(gh_login(&s, &staff, &admin), 201);
	assert_int_equal(gh_login(&s, &portal, &cust), 201);
	for (int i = 0; i < 300; i++)
		hostile[i] = '[';
	hostile[300] = '\0';
	for (const struct route *rt = api_routes; rt->method != NULL; rt++) {
		struct gh_client *c = (rt->listeners & LISTEN_STAFF) ? &staff
								     : &portal;
		char *big;

		if (rt->body_max == 0 || rt->auth == AUTH_NONE ||
		    strcmp(rt->method, "DELETE") == 0)
			continue;
		bad_body(&s, c, rt, "{\"subject\": ", "malformed");
		bad_body(&s, c, rt, hostile, "hostile");
		if (rt->body_max < (2u << 20)) {
			big = malloc(rt->body_max + 2);
			assert_non_null(big);
			memset(big, 'a', rt->body_max + 1);
			big[rt->body_max + 1] = '\0';
			bad_body(&s, c, rt, big, "oversized");
			free(big);
		}
		routes++;
	}
	assert_true(routes >= 20);
	gh_client_free(&staff);
	gh_client_free(&portal);
	assert_int_equal(gh_stop(&s), 0);
}

static void
test_still_alive(void **state)
{
	(void)state;
	expect("GET", "/api/v1/portal/session", NULL, NULL, 401,
	       "session_required");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_errors),
		cmocka_unit_test(test_http_errors),
		cmocka_unit_test(test_body_cap_any_framing),
		cmocka_unit_test(test_huge_headers),
		cmocka_unit_test(test_every_route_bad_bodies),
		cmocka_unit_test(test_control_chars_in_url),
		cmocka_unit_test(test_still_alive),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, setup, teardown);
}
