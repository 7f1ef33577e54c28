/*
 * The agent's ticket view after issue 14 VIEW2 against a real `gatehouse
 * serve`: the reply is encoded by util/jsonenc.c, whose bytes must be
 * jansson's (the body equals json_dumps of itself parsed, escapes and
 * multi-byte text included, for the view and for an error), and the
 * password gate is read with the session (no statement, no cache of its
 * own): a forced change or a password past its maximum age set while a
 * session lives holds the very next request to the change, and lifting
 * it frees the very next one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "harness.h"

static struct gh_server srv;
static struct gh_user agent, cust;
static struct gh_client ca;
static char view[64];

/* A ticket whose texts need escaping, with a staff reply. */
static int
setup(void **state)
{
	struct gh_client cc;
	struct gh_resp r;
	char path[80];
	int64_t id;

	(void)state;
	gh_start(&srv, "\n[security]\npassword_max_age_days = 90\n");
	gh_add_staff(&srv, "view-agent@example.com", "agent", &agent);
	gh_add_customer(&srv, "view-cust@example.org", &cust);
	gh_client_init(&ca, 1);
	gh_client_init(&cc, 0);
	assert_int_equal(gh_login(&srv, &ca, &agent), 201);
	assert_int_equal(gh_login(&srv, &cc, &cust), 201);
	assert_int_equal(
		gh_send_json(&srv, &cc, "POST", "/api/v1/portal/tickets",
			     json_pack("{s:s, s:s}", "subject",
				       "Caf\xc3\xa9 \"order\" \\ 48213",
				       "body",
				       "Line one\nline\ttwo </b> \xe2\x82\xac 12 "
				       "\xf0\x9f\x98\x80 done"),
			     &r),
		201);
	id = json_integer_value(json_object_get(r.json, "id"));
	gh_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/tickets/%lld/replies",
		 (long long)id);
	assert_int_equal(gh_send_json(&srv, &ca, "POST", path,
				      json_pack("{s:s}", "body",
						"Sorry \"for\" the wait\n"),
				      &r),
			 201);
	gh_resp_free(&r);
	snprintf(view, sizeof(view), "/api/v1/tickets/%lld", (long long)id);
	gh_client_free(&cc);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	gh_client_free(&ca);
	assert_int_equal(gh_stop(&srv), 0);
	return 0;
}

/* The body is exactly json_dumps(COMPACT | PRESERVE_ORDER) of what it
 * says (parsing keeps the order of keys). */
static void
assert_jansson_bytes(const struct gh_resp *r)
{
	json_t *v = json_loadb(r->body, r->len, 0, NULL);
	char *want;

	assert_non_null(v);
	want = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_non_null(want);
	assert_int_equal(strlen(want), r->len);
	assert_memory_equal(want, r->body, r->len);
	free(want);
	json_decref(v);
}

static void
test_view_reply_bytes(void **state)
{
	struct gh_resp r;
	json_t *m;

	(void)state;
	assert_int_equal(gh_req(&srv, &ca, "GET", view, NULL, NULL, &r), 200);
	assert_jansson_bytes(&r);
	assert_string_equal(json_string_value(json_object_get(r.json,
							      "subject")),
			    "Caf\xc3\xa9 \"order\" \\ 48213");
	/* "reported" (read with the messages): customers' messages only. */
	m = json_array_get(json_object_get(r.json, "messages"), 0);
	assert_true(json_is_false(json_object_get(m, "reported")));
	m = json_array_get(json_object_get(r.json, "messages"), 1);
	assert_string_equal(json_string_value(json_object_get(m, "body")),
			    "Sorry \"for\" the wait\n");
	assert_null(json_object_get(m, "reported"));
	/* The escapes are jansson's: \" \\ \n \t, UTF-8 left as it is. */
	assert_non_null(strstr(r.body, "Line one\\nline\\ttwo </b> \xe2\x82\xac"));
	assert_non_null(strstr(r.body, "\\\"order\\\" \\\\ 48213"));
	gh_resp_free(&r);
	/* An error reply is encoded the same way. */
	assert_int_equal(gh_req(&srv, &ca, "GET", "/api/v1/tickets/999999",
				NULL, NULL, &r),
			 404);
	assert_jansson_bytes(&r);
	gh_resp_free(&r);
}

static long
get_view(struct gh_resp *r)
{
	return gh_req(&srv, &ca, "GET", view, NULL, NULL, r);
}

static void
assert_held(void)
{
	struct gh_resp r;

	assert_int_equal(get_view(&r), 403);
	assert_string_equal(gh_error(&r), "password_change_required");
	gh_resp_free(&r);
}

static void
assert_free(void)
{
	struct gh_resp r;

	assert_int_equal(get_view(&r), 200);
	gh_resp_free(&r);
}

/* The gate on a live session, the flags changed in the database behind
 * the server's back (as another process, the CLI, would): each change
 * applies to the very next request, without a new login and without
 * waiting for the session's last_seen write (10 s). ASVS [2.1.10]. */
static void
test_gate_applies_at_once(void **state)
{
	char sql[256];

	(void)state;
	assert_free();
	snprintf(sql, sizeof(sql),
		 "UPDATE staff SET pw_must_change = 1 WHERE id = %lld",
		 (long long)agent.id);
	gh_db_exec(&srv, sql);
	assert_held();
	snprintf(sql, sizeof(sql),
		 "UPDATE staff SET pw_must_change = 0 WHERE id = %lld",
		 (long long)agent.id);
	gh_db_exec(&srv, sql);
	assert_free();
	snprintf(sql, sizeof(sql),
		 "UPDATE staff SET pw_changed_at = %s - "
		 "91 * 86400 WHERE id = %lld",
		 gh_db_now(&srv), (long long)agent.id);
	gh_db_exec(&srv, sql);
	assert_held();
	snprintf(sql, sizeof(sql),
		 "UPDATE staff SET pw_changed_at = %s - "
		 "89 * 86400 WHERE id = %lld",
		 gh_db_now(&srv), (long long)agent.id);
	gh_db_exec(&srv, sql);
	assert_free();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_view_reply_bytes),
		cmocka_unit_test(test_gate_applies_at_once),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, setup, teardown);
}
