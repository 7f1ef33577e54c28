/*
 * API tests of the customer ticket endpoints (public listener) against the
 * real server: creating, listing and reading tickets and writing messages;
 * a customer only ever reaching their own tickets (ASVS 8.2.2: another
 * customer's id answers 404); limits and bad input changing nothing; the
 * internal notes never appearing in any portal response (a unique marker
 * is planted in notes and searched for in every response); stored XSS
 * payloads coming back byte-identical inside JSON (ASVS 1.2.1); the
 * anti-phishing phrase, sealed at rest and shown in notification mail.
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

struct world {
	struct gh_server s;
	struct gh_user agent, cust_a, cust_b;
	struct gh_client c_agent, c_a, c_b;
};

static int
setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));

	gh_start(&w->s, NULL);
	gh_add_staff(&w->s, "agent@example.com", "agent", &w->agent);
	gh_add_customer(&w->s, "pa@example.org", &w->cust_a);
	gh_add_customer(&w->s, "pb@example.org", &w->cust_b);
	gh_client_init(&w->c_agent, 1);
	gh_client_init(&w->c_a, 0);
	gh_client_init(&w->c_b, 0);
	assert_int_equal(gh_login(&w->s, &w->c_agent, &w->agent), 201);
	assert_int_equal(gh_login(&w->s, &w->c_a, &w->cust_a), 201);
	assert_int_equal(gh_login(&w->s, &w->c_b, &w->cust_b), 201);
	*state = w;
	return 0;
}

static int
teardown(void **state)
{
	struct world *w = *state;

	gh_client_free(&w->c_agent);
	gh_client_free(&w->c_a);
	gh_client_free(&w->c_b);
	assert_int_equal(gh_stop(&w->s), 0);
	free(w);
	return 0;
}

static int64_t
new_ticket(struct world *w, struct gh_client *c, const char *subject,
	   const char *body)
{
	struct gh_resp r;
	int64_t id;

	assert_int_equal(gh_send_json(&w->s, c, "POST", "/api/v1/portal/tickets",
				   json_pack("{s:s, s:s}", "subject", subject,
					     "body", body),
				   &r),
			 201);
	id = json_integer_value(json_object_get(r.json, "id"));
	assert_true(id > 0);
	assert_string_equal(json_string_value(json_object_get(r.json, "subject")),
			    subject);
	assert_string_equal(json_string_value(json_object_get(r.json, "status")),
			    "open");
	assert_true(json_is_integer(json_object_get(r.json, "created_at")));
	assert_true(json_is_integer(json_object_get(r.json, "updated_at")));
	gh_resp_free(&r);
	return id;
}

static long
staff_post(struct world *w, int64_t id, const char *what, const char *text)
{
	struct gh_resp r;
	char path[128];
	long st;

	snprintf(path, sizeof(path), "/api/v1/tickets/%lld/%s", (long long)id,
		 what);
	st = gh_send_json(&w->s, &w->c_agent, "POST", path,
		       json_pack("{s:s}", "body", text), &r);
	gh_resp_free(&r);
	return st;
}

static int64_t
rows(struct world *w, const char *table)
{
	char sql[96];

	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM %s", table);
	return gh_db_count(&w->s, sql);
}

static int
is_json(const struct gh_resp *r)
{
	char *ct = gh_header(r, "Content-Type");
	int ok = ct != NULL && strncmp(ct, "application/json", 16) == 0;

	free(ct);
	return ok;
}

/* ---------------------------------------------------------------------- */

static void
test_happy_path(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	char path[128];
	json_t *m;
	int64_t id = new_ticket(w, &w->c_a, "Cannot log in", "Since Tuesday.");
	int64_t id2 = new_ticket(w, &w->c_a, "Second", "Newer one.");

	assert_int_equal(gh_req(&w->s, &w->c_a, "GET",
				"/api/v1/portal/tickets?limit=10&offset=0",
				NULL, NULL, &r),
			 200);
	assert_true(is_json(&r));
	assert_int_equal(json_array_size(json_object_get(r.json, "tickets")), 2);
	/* Newest first. */
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(json_object_get(r.json, "tickets"),
						0),
				 "id")),
			 id2);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(r.json,
								   "tickets"),
						   1),
				    "last_from")),
			    "customer");
	assert_null(json_object_get(json_array_get(json_object_get(r.json,
								   "tickets"),
						   0),
				    "assignee"));
	gh_resp_free(&r);

	assert_int_equal(staff_post(w, id, "replies", "Try resetting it."), 201);
	snprintf(path, sizeof(path), "/api/v1/portal/tickets/%lld/messages",
		 (long long)id);
	assert_int_equal(gh_send_json(&w->s, &w->c_a, "POST", path,
				   json_pack("{s:s}", "body", "Done, thanks."),
				   &r),
			 201);
	assert_string_equal(json_string_value(json_object_get(r.json, "from")),
			    "customer");
	assert_string_equal(json_string_value(json_object_get(r.json, "author")),
			    "You");
	gh_resp_free(&r);

	snprintf(path, sizeof(path), "/api/v1/portal/tickets/%lld",
		 (long long)id);
	assert_int_equal(gh_req(&w->s, &w->c_a, "GET", path, NULL, NULL, &r),
			 200);
	m = json_object_get(r.json, "messages");
	assert_int_equal(json_array_size(m), 3);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(m, 1), "from")),
			    "agent");
	/* Staff appear by first name only ("Test Staff"). */
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(m, 1), "author")),
			    "Test");
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(m, 1), "body")),
			    "Try resetting it.");
	assert_null(json_object_get(r.json, "notes"));
	gh_resp_free(&r);

	/* A customer message reopens a solved ticket. */
	snprintf(path, sizeof(path), "/api/v1/tickets/%lld/status",
		 (long long)id);
	assert_int_equal(gh_send_json(&w->s, &w->c_agent, "POST", path,
				   json_pack("{s:s}", "status", "solved"), &r),
			 200);
	gh_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/portal/tickets/%lld/messages",
		 (long long)id);
	assert_int_equal(gh_send_json(&w->s, &w->c_a, "POST", path,
				   json_pack("{s:s}", "body", "Broken again."),
				   &r),
			 201);
	gh_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/portal/tickets/%lld",
		 (long long)id);
	assert_int_equal(gh_req(&w->s, &w->c_a, "GET", path, NULL, NULL, &r),
			 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "status")),
			    "open");
	gh_resp_free(&r);
}

/* ASVS 8.2.2: another customer's ticket does not exist for you. */
static void
test_idor(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	char path[128];
	int64_t id = new_ticket(w, &w->c_a, "A's secret", "only for A");
	int64_t msgs = rows(w, "messages");

	snprintf(path, sizeof(path), "/api/v1/portal/tickets/%lld",
		 (long long)id);
	assert_int_equal(gh_req(&w->s, &w->c_b, "GET", path, NULL, NULL, &r),
			 404);
	assert_string_equal(gh_error(&r), "not_found");
	assert_null(strstr(r.body, "secret"));
	gh_resp_free(&r);
	/* The same answer as for an id that does not exist at all. */
	assert_int_equal(gh_req(&w->s, &w->c_b, "GET",
				"/api/v1/portal/tickets/999999", NULL, NULL, &r),
			 404);
	gh_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/portal/tickets/%lld/messages",
		 (long long)id);
	assert_int_equal(gh_send_json(&w->s, &w->c_b, "POST", path,
				   json_pack("{s:s}", "body", "hijack"), &r),
			 404);
	gh_resp_free(&r);
	assert_int_equal(rows(w, "messages"), msgs);
	assert_int_equal(gh_req(&w->s, &w->c_b, "GET", "/api/v1/portal/tickets",
				NULL, NULL, &r),
			 200);
	assert_null(strstr(r.body, "secret"));
	gh_resp_free(&r);
	/* A staff cookie means nothing on the public listener. */
	w->c_agent.staff = 0;
	assert_int_equal(gh_req(&w->s, &w->c_agent, "GET", path + 0, NULL, NULL,
				&r),
			 405);
	gh_resp_free(&r);
	assert_int_equal(gh_req(&w->s, &w->c_agent, "GET",
				"/api/v1/portal/tickets", NULL, NULL, &r),
			 401);
	gh_resp_free(&r);
	w->c_agent.staff = 1;
}

static void
test_bad_input(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	char subject[202];
	char *big = malloc(90 * 1024);
	int64_t tickets = rows(w, "tickets");
	int64_t msgs = rows(w, "messages");
	const char *const bad_csrf[] = {"X-CSRF-Token: nope", NULL};
	char saved[64];

	assert_non_null(big);
	memset(subject, 's', 201);
	subject[201] = '\0';
	assert_int_equal(gh_send_json(&w->s, &w->c_a, "POST", "/api/v1/portal/tickets",
				   json_pack("{s:s, s:s}", "subject", subject,
					     "body", "b"),
				   &r),
			 400);
	assert_string_equal(json_string_value(json_object_get(r.json, "field")),
			    "subject");
	assert_string_equal(gh_error(&r), "bad_field");
	assert_int_equal(json_integer_value(json_object_get(r.json, "max")),
			 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "message")),
			    "subject is longer than 200 characters.");
	gh_resp_free(&r);
	assert_int_equal(gh_send_json(&w->s, &w->c_a, "POST", "/api/v1/portal/tickets",
				   json_pack("{s:s, s:s}", "subject",
					     "two\nlines", "body", "b"),
				   &r),
			 400);
	gh_resp_free(&r);
	memset(big, 'b', 65537);
	big[65537] = '\0';
	assert_int_equal(gh_send_json(&w->s, &w->c_a, "POST", "/api/v1/portal/tickets",
				   json_pack("{s:s, s:s}", "subject", "s",
					     "body", big),
				   &r),
			 400);
	assert_string_equal(json_string_value(json_object_get(r.json, "field")),
			    "body");
	assert_int_equal(json_integer_value(json_object_get(r.json, "max")),
			 65536);
	gh_resp_free(&r);
	/* Over the route's body limit (6 x 64 KiB + 4 KiB): 413. */
	big = realloc(big, 400 * 1024);
	assert_non_null(big);
	memset(big, 'b', 395 * 1024);
	big[395 * 1024] = '\0';
	assert_int_equal(gh_send_json(&w->s, &w->c_a, "POST", "/api/v1/portal/tickets",
				   json_pack("{s:s, s:s}", "subject", "s",
					     "body", big),
				   &r),
			 413);
	assert_string_equal(gh_error(&r), "body_too_large");
	gh_resp_free(&r);
	free(big);
	assert_int_equal(gh_req(&w->s, &w->c_a, "POST", "/api/v1/portal/tickets",
				"{\"subject\":\"s\",\"body\":\"x\xff\xfe y\"}",
				NULL, &r),
			 400);
	gh_resp_free(&r);
	assert_int_equal(gh_req(&w->s, &w->c_a, "POST", "/api/v1/portal/tickets",
				"{\"subject\":\"s\",\"body\":\"\\ud800\"}",
				NULL, &r),
			 400);
	gh_resp_free(&r);
	assert_int_equal(gh_req(&w->s, &w->c_a, "POST", "/api/v1/portal/tickets",
				"{\"subject\":\"s\",\"body\":\"b\","
				"\"customer_id\":1}",
				NULL, &r),
			 400);
	assert_string_equal(gh_error(&r), "unknown_field");
	gh_resp_free(&r);
	assert_int_equal(gh_req(&w->s, &w->c_a, "POST", "/api/v1/portal/tickets",
				"{\"subject\":\"s\"}", NULL, &r),
			 400);
	gh_resp_free(&r);
	/* ASVS 3.5.1: CSRF token missing or wrong. */
	memcpy(saved, w->c_a.csrf, sizeof(saved));
	w->c_a.csrf[0] = '\0';
	assert_int_equal(gh_req(&w->s, &w->c_a, "POST", "/api/v1/portal/tickets",
				"{\"subject\":\"s\",\"body\":\"b\"}", NULL, &r),
			 403);
	gh_resp_free(&r);
	assert_int_equal(gh_req(&w->s, &w->c_a, "POST", "/api/v1/portal/tickets",
				"{\"subject\":\"s\",\"body\":\"b\"}", bad_csrf,
				&r),
			 403);
	gh_resp_free(&r);
	memcpy(w->c_a.csrf, saved, sizeof(saved));
	assert_int_equal(gh_req(&w->s, &w->c_a, "GET",
				"/api/v1/portal/tickets?limit=0", NULL, NULL,
				&r),
			 400);
	gh_resp_free(&r);
	assert_int_equal(gh_req(&w->s, &w->c_a, "GET",
				"/api/v1/portal/tickets?offset=-1", NULL, NULL,
				&r),
			 400);
	gh_resp_free(&r);
	assert_int_equal(rows(w, "tickets"), tickets);
	assert_int_equal(rows(w, "messages"), msgs);
}

/* ASVS 8.2.2, 13.1.1: a customer's list pages through their own tickets,
 * newest first, without gaps or duplicates; bad page arguments are 400. */
static void
test_pagination(void **state)
{
	struct world *w = *state;
	struct gh_user u;
	struct gh_client c;
	struct gh_resp r;
	int64_t made[5];
	static const char *const bad[] = {
		"limit=0", "limit=101", "limit=-1", "limit=abc", "limit=2x",
		"limit=", "offset=-1", "offset=x",
	};

	gh_add_customer(&w->s, "pages@example.org", &u);
	gh_client_init(&c, 0);
	assert_int_equal(gh_login(&w->s, &c, &u), 201);
	for (int i = 0; i < 5; i++) {
		char subj[32];

		snprintf(subj, sizeof(subj), "Page test %d", i + 1);
		made[i] = new_ticket(w, &c, subj, "pagination");
	}
	/* limit=2: pages of 2, 2 and 1, then an empty one; newest first,
	 * each exactly once, none missing, none foreign. */
	gh_assert_pages_of_five(&w->s, &c, "/api/v1/portal/tickets?", made);
	gh_assert_bad_page_args(&w->s, &c, "/api/v1/portal/tickets?", bad,
				sizeof(bad) / sizeof(bad[0]));
	assert_int_equal(gh_req(&w->s, &c, "GET",
				"/api/v1/portal/tickets?limit=101", NULL, NULL,
				&r),
			 400);
	assert_int_equal(json_integer_value(json_object_get(r.json, "max")),
			 100);
	assert_string_equal(json_string_value(json_object_get(r.json, "message")),
			    "limit must be a whole number from 1 to 100.");
	gh_resp_free(&r);
	gh_client_free(&c);
}

/* Appends the JSON escape of code point cp (BMP) to buf at *n. */
static void
put_escape(char *buf, size_t *n, unsigned cp)
{
	*n += (size_t)snprintf(buf + *n, 7, "\\u%04x", cp);
}

/*
 * ASVS 5.2.1: the text limit is 64 KiB of UTF-8 however it is written in
 * JSON. 64 KiB of CJK text sent as \uXXXX escapes (and 64 KiB of ASCII
 * sent escaped, the worst case of 6 bytes on the wire per byte) is
 * accepted; one byte more is refused 400 naming the field and the limit.
 */
static void
test_text_limit_escaped(void **state)
{
	struct world *w = *state;
	size_t cap = 6 * 65536 + 4096;
	char *body = malloc(cap);
	char path[96];
	struct gh_resp r;
	size_t n;
	int64_t id, msgs;
	json_t *m;

	assert_non_null(body);
	/* 21845 x U+6F22 (3 bytes each) + "a" = 65536 bytes of UTF-8. */
	n = (size_t)snprintf(body, cap, "{\"subject\":\"CJK\",\"body\":\"");
	for (int i = 0; i < 21845; i++)
		put_escape(body, &n, i % 2 ? 0x5b57 : 0x6f22);
	put_escape(body, &n, 'a');
	n += (size_t)snprintf(body + n, cap - n, "\"}");
	assert_true(n > 80 * 1024);
	assert_int_equal(gh_req(&w->s, &w->c_a, "POST", "/api/v1/portal/tickets",
				body, NULL, &r),
			 201);
	id = json_integer_value(json_object_get(r.json, "id"));
	gh_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/portal/tickets/%lld",
		 (long long)id);
	assert_int_equal(gh_req(&w->s, &w->c_a, "GET", path, NULL, NULL, &r),
			 200);
	m = json_array_get(json_object_get(r.json, "messages"), 0);
	assert_int_equal(strlen(json_string_value(json_object_get(m, "body"))),
			 65536);
	gh_resp_free(&r);

	/* The worst case: 65536 ASCII bytes, each as \u0062 (384 KiB). */
	snprintf(path, sizeof(path), "/api/v1/portal/tickets/%lld/messages",
		 (long long)id);
	n = (size_t)snprintf(body, cap, "{\"body\":\"");
	for (int i = 0; i < 65536; i++)
		put_escape(body, &n, 'b');
	n += (size_t)snprintf(body + n, cap - n, "\"}");
	assert_int_equal(gh_req(&w->s, &w->c_a, "POST", path, body, NULL, &r),
			 201);
	gh_resp_free(&r);

	/* One byte more (a second "a"): 400, the limit named. */
	msgs = rows(w, "messages");
	n = (size_t)snprintf(body, cap, "{\"body\":\"");
	for (int i = 0; i < 21845; i++)
		put_escape(body, &n, 0x6f22);
	put_escape(body, &n, 'a');
	put_escape(body, &n, 'a');
	n += (size_t)snprintf(body + n, cap - n, "\"}");
	assert_int_equal(gh_req(&w->s, &w->c_a, "POST", path, body, NULL, &r),
			 400);
	assert_string_equal(gh_error(&r), "bad_field");
	assert_string_equal(json_string_value(json_object_get(r.json, "field")),
			    "body");
	assert_int_equal(json_integer_value(json_object_get(r.json, "max")),
			 65536);
	assert_string_equal(json_string_value(json_object_get(r.json, "unit")),
			    "bytes");
	assert_string_equal(json_string_value(json_object_get(r.json, "message")),
			    "body is longer than 65536 bytes (64 KiB).");
	gh_resp_free(&r);
	assert_int_equal(rows(w, "messages"), msgs);
	free(body);
}

/* Internal notes never reach a customer. */
static void
test_note_marker(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	char marker[64];
	char path[160];
	unsigned char rnd[8];
	FILE *f = fopen("/dev/urandom", "r");
	int64_t id = new_ticket(w, &w->c_a, "Marker", "check the marker");
	const char *paths[6];
	char p_get[96], p_list[96];

	assert_non_null(f);
	assert_int_equal(fread(rnd, 1, sizeof(rnd), f), sizeof(rnd));
	fclose(f);
	snprintf(marker, sizeof(marker),
		 "NOTE-MARKER-%02x%02x%02x%02x%02x%02x%02x%02x", rnd[0], rnd[1],
		 rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
	snprintf(path, sizeof(path), "Internal: %s do not share", marker);
	assert_int_equal(staff_post(w, id, "notes", path), 201);
	assert_int_equal(staff_post(w, id, "replies", "We are on it."), 201);
	assert_int_equal(gh_db_count(&w->s,
				     "SELECT COUNT(*) FROM notes WHERE body "
				     "LIKE '%NOTE-MARKER-%'"),
			 1);

	snprintf(p_get, sizeof(p_get), "/api/v1/portal/tickets/%lld",
		 (long long)id);
	snprintf(p_list, sizeof(p_list), "/api/v1/portal/tickets?limit=100");
	paths[0] = p_get;
	paths[1] = p_list;
	paths[2] = "/api/v1/portal/tickets";
	paths[3] = "/api/v1/portal/phrase";
	paths[4] = "/api/v1/portal/session";
	paths[5] = NULL;
	for (int i = 0; paths[i] != NULL; i++) {
		assert_int_equal(gh_req(&w->s, &w->c_a, "GET", paths[i], NULL,
					NULL, &r),
				 200);
		assert_null(strstr(r.body, marker));
		assert_null(strstr(r.body, "NOTE-MARKER"));
		assert_null(strstr(r.headers, "NOTE-MARKER"));
		gh_resp_free(&r);
	}
	/* The customer's write endpoints answer without notes too. */
	snprintf(path, sizeof(path), "/api/v1/portal/tickets/%lld/messages",
		 (long long)id);
	assert_int_equal(gh_send_json(&w->s, &w->c_a, "POST", path,
				   json_pack("{s:s}", "body", "ok"), &r),
			 201);
	assert_null(strstr(r.body, "NOTE-MARKER"));
	gh_resp_free(&r);
	assert_int_equal(gh_send_json(&w->s, &w->c_a, "POST", "/api/v1/portal/tickets",
				   json_pack("{s:s, s:s}", "subject", "x",
					     "body", "y"),
				   &r),
			 201);
	assert_null(strstr(r.body, "NOTE-MARKER"));
	gh_resp_free(&r);
	/* Error answers on the ticket carry nothing either. */
	assert_int_equal(gh_req(&w->s, &w->c_b, "GET", p_get, NULL, NULL, &r),
			 404);
	assert_null(strstr(r.body, "NOTE-MARKER"));
	gh_resp_free(&r);
	/* The staff side does have it, so the search above could succeed. */
	w->c_agent.staff = 1;
	snprintf(path, sizeof(path), "/api/v1/tickets/%lld", (long long)id);
	assert_int_equal(gh_req(&w->s, &w->c_agent, "GET", path, NULL, NULL,
				&r),
			 200);
	assert_non_null(strstr(r.body, marker));
	gh_resp_free(&r);
}

/* ASVS 1.2.1: stored text comes back byte-identical inside JSON. */
static void
test_stored_xss(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	char path[128];
	const char *s1 = "<script>alert(1)</script>";
	const char *s2 = "\"><img src=x onerror=alert(1)>";
	json_t *m;
	int64_t id = new_ticket(w, &w->c_a, s1, s2);

	assert_int_equal(staff_post(w, id, "notes", s1), 201);
	snprintf(path, sizeof(path), "/api/v1/portal/tickets/%lld",
		 (long long)id);
	assert_int_equal(gh_req(&w->s, &w->c_a, "GET", path, NULL, NULL, &r),
			 200);
	assert_true(is_json(&r));
	assert_string_equal(json_string_value(json_object_get(r.json, "subject")),
			    s1);
	m = json_array_get(json_object_get(r.json, "messages"), 0);
	assert_string_equal(json_string_value(json_object_get(m, "body")), s2);
	/* The quote that would close an attribute is escaped by the JSON
	 * encoding, so the payload stays inside its string. */
	assert_non_null(strstr(r.body, "\\\"><img src=x"));
	gh_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/tickets/%lld", (long long)id);
	assert_int_equal(gh_req(&w->s, &w->c_agent, "GET", path, NULL, NULL,
				&r),
			 200);
	assert_true(is_json(&r));
	assert_string_equal(json_string_value(json_object_get(r.json, "subject")),
			    s1);
	assert_string_equal(
		json_string_value(json_object_get(
			json_array_get(json_object_get(r.json, "messages"), 0),
			"body")),
		s2);
	assert_string_equal(
		json_string_value(json_object_get(
			json_array_get(json_object_get(r.json, "notes"), 0),
			"body")),
		s1);
	gh_resp_free(&r);
	assert_int_equal(gh_db_count(&w->s,
				     "SELECT COUNT(*) FROM tickets WHERE subject "
				     "= '<script>alert(1)</script>'"),
			 1);
}

static char *
find_mail(struct world *w, int64_t ticket)
{
	char dir[400], num[64];
	char *mail = NULL;

	snprintf(dir, sizeof(dir), "%s/outbox", w->s.dir);
	snprintf(num, sizeof(num), "ticket #%lld \xe2", (long long)ticket);
	for (int i = 0; i < 100 && mail == NULL; i++) {
		DIR *d = opendir(dir);
		struct dirent *e;

		while (d != NULL && (e = readdir(d)) != NULL && mail == NULL) {
			char p[800];
			struct stat st;
			FILE *f;
			char *buf;

			if (strstr(e->d_name, ".eml") == NULL)
				continue;
			snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
			if (stat(p, &st) != 0)
				continue;
			buf = calloc(1, (size_t)st.st_size + 1);
			f = fopen(p, "r");
			assert_non_null(f);
			assert_int_equal(fread(buf, 1, (size_t)st.st_size, f),
					 (size_t)st.st_size);
			fclose(f);
			if (strstr(buf, num) != NULL)
				mail = buf;
			else
				free(buf);
		}
		if (d != NULL)
			closedir(d);
		if (mail == NULL)
			usleep(100000);
	}
	return mail;
}

static void
test_phrase(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	char *mail;
	int64_t id;

	assert_int_equal(gh_req(&w->s, &w->c_b, "GET", "/api/v1/portal/phrase",
				NULL, NULL, &r),
			 200);
	assert_true(json_is_null(json_object_get(r.json, "phrase")));
	gh_resp_free(&r);
	assert_int_equal(gh_send_json(&w->s, &w->c_b, "PUT", "/api/v1/portal/phrase",
				   json_pack("{s:s}", "phrase", "ab"), &r),
			 400);
	gh_resp_free(&r);
	assert_int_equal(gh_send_json(&w->s, &w->c_b, "PUT", "/api/v1/portal/phrase",
				   json_pack("{s:s}", "phrase",
					     "Blue heron at dawn"),
				   &r),
			 200);
	gh_resp_free(&r);
	assert_int_equal(gh_req(&w->s, &w->c_b, "GET", "/api/v1/portal/phrase",
				NULL, NULL, &r),
			 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "phrase")),
			    "Blue heron at dawn");
	gh_resp_free(&r);
	/* Sealed at rest. */
	assert_int_equal(gh_db_count(&w->s, gh_db_pg()
				     ? "SELECT COUNT(*) FROM customers WHERE "
				       "position(convert_to('heron', 'UTF8') IN "
				       "phrase) > 0"
				     : "SELECT COUNT(*) FROM customers WHERE "
				       "CAST(phrase AS TEXT) LIKE '%heron%'"),
			 0);
	assert_int_equal(gh_db_count(&w->s, "SELECT COUNT(*) FROM customers "
					    "WHERE phrase IS NOT NULL"),
			 1);
	/* Shown in the notification mail. */
	id = new_ticket(w, &w->c_b, "Phrase", "mail me");
	assert_int_equal(staff_post(w, id, "replies", "See the portal."), 201);
	mail = find_mail(w, id);
	assert_non_null(mail);
	assert_non_null(strstr(mail, "Blue heron at dawn"));
	assert_non_null(strstr(mail, "To: pb@example.org\r\n"));
	assert_null(strstr(mail, "See the portal."));
	free(mail);
	assert_false(gh_log_contains(&w->s, "heron"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_happy_path),
		cmocka_unit_test(test_idor),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_note_marker),
		cmocka_unit_test(test_stored_xss),
		cmocka_unit_test(test_phrase),
		cmocka_unit_test(test_pagination),
		cmocka_unit_test(test_text_limit_escaped),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
