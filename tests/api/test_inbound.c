/*
 * API tests of the inbound analysis and the fingerprint index against the
 * real server: a customer's message with an AWS access key, a GitHub token
 * or a JWT is stored redacted (the database never holds the secret), the
 * customer is told why, the agent sees "[redacted: ...]"; an agent reply
 * holding another customer's phone number (written differently) or e-mail
 * address is refused as other_customer_data while the ticket customer's
 * own number passes; links in customers' messages reach the staff side
 * defanged, with their reason codes, and never as a clickable URL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "core/phish/phish.h"

/* Secrets the tests plant; none may reach the database or the log. */
#define AWS_KEY "AKIAZ3MSJV4WWNKWW5FG"
#define GH_TOKEN "ghp_R2d7kQ9xW4mZ1pL8vN3bT6yH0cJ5sF2aG7eK"
#define JWT                                                                   \
	"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MjQyNDIiLCJuYW1lIjoi" \
	"QWRhIEN1c3RvbWVyIiwiaWF0IjoxNzAwMDAwMDAwfQ.Xq3vWm9Lr2Tk8Jp5Hs1Nd7Fb4" \
	"Gc6Yz0Ae2Ui9Ko3Pw"

struct world {
	struct gh_server s;
	struct gh_user agent, cust_a;
	struct gh_client c_agent, c_a;
	int64_t cust_b;
};

static int
setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));
	const char *args[] = {"customer", "add", "--email",
			      "Bob.Other@example.net", "--name", "Bob Other",
			      "--phone", "+1 415 555 0142", "--dob",
			      "1975-07-14", "--address",
			      "12 Elm Road, Springfield", "--password-stdin",
			      NULL};
	char *out = NULL;
	json_t *j;

	/* The company's own domains: ASCII lookalikes are judged against
	 * these (well-known domains only for IDN homographs, as browsers). */
	gh_start(&w->s, "\n[company]\ndomains = example.com, paypal.com\n");
	gh_add_staff(&w->s, "agent@example.com", "agent", &w->agent);
	gh_add_customer(&w->s, "cust.a@example.org", &w->cust_a);
	/* Customer B: other contact data than A (never logs in). */
	assert_int_equal(gh_cli(&w->s, "marmalade Tuesday kite 3", &out, args),
			 0);
	j = json_loads(out, 0, NULL);
	assert_non_null(j);
	w->cust_b = json_integer_value(json_object_get(j, "id"));
	assert_true(w->cust_b > 0);
	json_decref(j);
	free(out);
	gh_client_init(&w->c_agent, 1);
	gh_client_init(&w->c_a, 0);
	assert_int_equal(gh_login(&w->s, &w->c_agent, &w->agent), 201);
	assert_int_equal(gh_login(&w->s, &w->c_a, &w->cust_a), 201);
	*state = w;
	return 0;
}

static int
teardown(void **state)
{
	struct world *w = *state;

	gh_client_free(&w->c_agent);
	gh_client_free(&w->c_a);
	assert_int_equal(gh_stop(&w->s), 0);
	free(w);
	return 0;
}

static int64_t
new_ticket(struct world *w, const char *body, struct gh_resp *r)
{
	int64_t id;

	assert_int_equal(gh_send_json(&w->s, &w->c_a, "POST", "/api/v1/portal/tickets",
				   json_pack("{s:s, s:s}", "subject", "Help",
					     "body", body),
				   r),
			 201);
	id = json_integer_value(json_object_get(r->json, "id"));
	assert_true(id > 0);
	return id;
}

static long
portal_message(struct world *w, int64_t id, const char *body,
	       struct gh_resp *r)
{
	char path[96];

	snprintf(path, sizeof(path), "/api/v1/portal/tickets/%lld/messages",
		 (long long)id);
	return gh_send_json(&w->s, &w->c_a, "POST", path,
			 json_pack("{s:s}", "body", body), r);
}

static long
reply(struct world *w, int64_t id, const char *body, struct gh_resp *r)
{
	char path[96];

	snprintf(path, sizeof(path), "/api/v1/tickets/%lld/replies",
		 (long long)id);
	return gh_send_json(&w->s, &w->c_agent, "POST", path,
			 json_pack("{s:s}", "body", body), r);
}

/* The staff view of a ticket's messages (r holds it; free r). */
static json_t *
staff_messages(struct world *w, int64_t id, struct gh_resp *r)
{
	char path[64];

	snprintf(path, sizeof(path), "/api/v1/tickets/%lld", (long long)id);
	assert_int_equal(gh_req(&w->s, &w->c_agent, "GET", path, NULL, NULL, r),
			 200);
	return json_object_get(r->json, "messages");
}

static int64_t
db_like(struct world *w, const char *table, const char *col,
	const char *needle)
{
	char sql[400];

	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM %s WHERE %s LIKE '%%%s%%'",
		 table, col, needle);
	return gh_db_count(&w->s, sql);
}

/* The customer's 201 names what was removed and why, in plain words. */
static void
assert_redacted_reply(const struct gh_resp *r, const char *rule)
{
	json_t *red = json_object_get(r->json, "redacted");
	const char *notice =
		json_string_value(json_object_get(r->json, "notice"));

	assert_true(json_is_array(red));
	assert_int_equal(json_array_size(red), 1);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(red, 0), "type")),
			    "secret");
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(red, 0), "rule")),
			    rule);
	assert_non_null(notice);
	assert_non_null(strstr(notice, "password"));
	assert_non_null(strstr(notice, "never"));
}

/* ASVS 14.2.6, 8.3.4: secrets sent in by a customer never reach storage
 * or staff; the customer is told. */
static void
test_secrets_redacted(void **state)
{
	struct world *w = *state;
	static const struct {
		const char *secret, *rule;
	} cases[] = {
		{AWS_KEY, "aws-access-token"},
		{GH_TOKEN, "github-pat"},
		{JWT, "jwt"},
	};
	struct gh_resp r;
	char body[512], path[64];
	json_t *msgs, *m;
	int64_t id;

	snprintf(body, sizeof(body), "My key is %s, is it safe?", AWS_KEY);
	id = new_ticket(w, body, &r);
	assert_redacted_reply(&r, cases[0].rule);
	gh_resp_free(&r);
	for (size_t i = 1; i < 3; i++) {
		snprintf(body, sizeof(body), "Here it is:\n%s\nthanks",
			 cases[i].secret);
		assert_int_equal(portal_message(w, id, body, &r), 201);
		assert_redacted_reply(&r, cases[i].rule);
		/* The echoed body is the stored one. */
		assert_null(strstr(r.body, cases[i].secret));
		assert_non_null(strstr(json_string_value(json_object_get(
					       r.json, "body")),
				       "[redacted: secret]"));
		gh_resp_free(&r);
	}
	/* A message without secrets: empty list, no notice. */
	assert_int_equal(portal_message(w, id, "just a question", &r), 201);
	assert_int_equal(json_array_size(json_object_get(r.json, "redacted")),
			 0);
	assert_null(json_object_get(r.json, "notice"));
	gh_resp_free(&r);

	for (size_t i = 0; i < 3; i++) {
		char needle[64];

		/* A distinctive middle part of each secret. */
		snprintf(needle, sizeof(needle), "%.12s", cases[i].secret + 4);
		assert_int_equal(db_like(w, "messages", "body", needle), 0);
		assert_int_equal(db_like(w, "audit", "record", needle), 0);
		assert_false(gh_log_contains(&w->s, needle));
	}
	assert_int_equal(db_like(w, "messages", "body", "[redacted: secret]"),
			 3);
	assert_int_equal(db_like(w, "audit", "record", "message.redacted"), 3);

	/* The agent sees the markers and the list. */
	msgs = staff_messages(w, id, &r);
	assert_int_equal(json_array_size(msgs), 4);
	for (size_t i = 0; i < 3; i++) {
		m = json_array_get(msgs, i);
		assert_non_null(strstr(json_string_value(json_object_get(m,
									 "body")),
				       "[redacted: secret]"));
		assert_int_equal(json_array_size(json_object_get(m, "redacted")),
				 1);
	}
	assert_int_equal(json_array_size(json_object_get(json_array_get(msgs, 3),
							 "redacted")),
			 0);
	for (size_t i = 0; i < 3; i++)
		assert_null(strstr(r.body, cases[i].secret));
	gh_resp_free(&r);

	/* So does the customer, in their own history. */
	snprintf(path, sizeof(path), "/api/v1/portal/tickets/%lld",
		 (long long)id);
	assert_int_equal(gh_req(&w->s, &w->c_a, "GET", path, NULL, NULL, &r),
			 200);
	m = json_array_get(json_object_get(r.json, "messages"), 0);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(m, "redacted"),
						   0),
				    "type")),
			    "secret");
	assert_null(json_object_get(m, "links"));
	gh_resp_free(&r);
}

/* 1 when the reply's JSON, without its random request id (32 hex digits
 * that hold any four digits now and then), contains needle. */
static int
body_has(const struct gh_resp *r, const char *needle)
{
	json_t *c = json_deep_copy(r->json);
	char *s;
	int found;

	assert_non_null(c);
	json_object_del(c, "request_id");
	s = json_dumps(c, 0);
	assert_non_null(s);
	found = strstr(s, needle) != NULL;
	free(s);
	json_decref(c);
	return found;
}

/* ASVS 8.2.2: another customer's personal data never leaves in a reply. */
/* ASVS 8.2.3: data of another customer is refused in a reply. */
static void
test_other_customer_data(void **state)
{
	struct world *w = *state;
	static const char *const bad[] = {
		"You can reach him on 415 555 0142.",
		"Try +1-415-555-0142 instead.",
		"He wrote from BOB.OTHER@EXAMPLE.NET last week.",
		"His date of birth is 14.07.1975.",
	};
	struct gh_resp r;
	int64_t id, msgs;
	json_t *f;

	id = new_ticket(w, "where is my parcel", &r);
	gh_resp_free(&r);
	msgs = gh_db_count(&w->s, "SELECT COUNT(*) FROM messages");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(reply(w, id, bad[i], &r), 422);
		assert_string_equal(gh_error(&r), "dlp_blocked");
		f = json_array_get(json_object_get(r.json, "findings"), 0);
		assert_string_equal(json_string_value(json_object_get(f, "type")),
				    "other_customer_data");
		assert_false(body_has(&r, "0142"));
		assert_false(body_has(&r, "1975"));
		gh_resp_free(&r);
	}
	assert_int_equal(gh_db_count(&w->s, "SELECT COUNT(*) FROM messages"),
			 msgs);
	assert_true(db_like(w, "audit", "record", "other_customer_data") >= 4);
	/* The ticket customer's own number, written differently, passes. */
	assert_int_equal(reply(w, id, "We will call you on 020 7946 0123.", &r),
			 201);
	gh_resp_free(&r);
	assert_int_equal(reply(w, id, "We will call you on +44 20 7946 0123.",
			       &r),
			 201);
	gh_resp_free(&r);
}

static json_t *
link_by_url(json_t *links, const char *defanged)
{
	size_t i;
	json_t *l;

	json_array_foreach(links, i, l)
		if (strcmp(json_string_value(json_object_get(l, "url_defanged")),
			   defanged) == 0)
			return l;
	return NULL;
}

static int
has_reason(json_t *l, const char *code)
{
	size_t i;
	json_t *v;

	json_array_foreach(json_object_get(l, "reasons"), i, v)
		if (strcmp(json_string_value(v), code) == 0)
			return 1;
	return 0;
}

/* No string of a link description is a URL a browser would follow. */
static void
assert_not_clickable(json_t *l)
{
	const char *k;
	json_t *v;

	json_object_foreach(l, k, v) {
		const char *s = json_string_value(v);
		char low[600];
		size_t n;

		if (s == NULL)
			continue;
		n = strlen(s) < sizeof(low) - 1 ? strlen(s) : sizeof(low) - 1;
		for (size_t i = 0; i < n; i++)
			low[i] = (char)tolower((unsigned char)s[i]);
		low[n] = '\0';
		assert_null(strstr(low, "http://"));
		assert_null(strstr(low, "https://"));
		assert_null(strstr(low, "javascript:"));
	}
	assert_null(json_object_get(l, "url"));
	assert_null(json_object_get(l, "href"));
}

/* The link model's score reaches the staff side on every link; over the
 * alarm threshold it is the reason model_score, under it only a score.
 * ASVS 14.2.6. */
static void
test_links_model_score(void **state)
{
	struct world *w = *state;
	const char *body = "Hello https://www.example.com/ and "
			   "http://secure-update-account-8472.com/signin/"
			   "verify.php?id=12345&session=abcdef";
	struct gh_resp r;
	json_t *links, *plain, *phish;
	int64_t id;

	id = new_ticket(w, body, &r);
	gh_resp_free(&r);
	links = json_object_get(json_array_get(staff_messages(w, id, &r), 0),
				"links");
	assert_int_equal(json_array_size(links), 2);
	plain = link_by_url(links, "hxxps://www[.]example[.]com/");
	phish = link_by_url(links, "hxxp://secure-update-account-8472[.]com/"
				   "signin/verify.php?id=12345&session=abcdef");
	assert_non_null(plain);
	assert_non_null(phish);
	assert_true(json_is_real(json_object_get(plain, "model_score")));
	assert_true(json_real_value(json_object_get(plain, "model_score")) <
		    phish_url_threshold);
	assert_false(has_reason(plain, "model_score"));
	assert_string_equal(json_string_value(json_object_get(plain, "verdict")),
			    "ok");
	assert_true(json_real_value(json_object_get(phish, "model_score")) >=
		    phish_url_threshold);
	assert_true(has_reason(phish, "model_score"));
	assert_string_not_equal(json_string_value(json_object_get(phish,
								  "verdict")),
				"ok");
	gh_resp_free(&r);
}

/* ASVS 14.2.6 (links judged), 5.2.6 (no navigation before review). */
static void
test_links_defanged(void **state)
{
	struct world *w = *state;
	const char *body =
		"Please check https://paypa1.com/login and "
		"https://\xd0\xb0pple.com/ and "
		"http://192.168.10.5:8080/x or https://bit.ly/abc, also "
		"https://www.google.com@evil.example/ and "
		"<a href=\"https://evil.example\">https://bank.example</a>";
	static const struct {
		const char *defanged, *reason, *plain;
		int risky; /* suspicious or dangerous on its own */
	} want[] = {
		{"hxxps://paypa1[.]com/login", "confusable_own_domain",
		 "https://paypa1.com/login", 1},
		/* Cyrillic "a": a homograph of a well-known domain. */
		{"hxxps://\xd0\xb0pple[.]com/", "confusable_top_domain",
		 "https://\xd0\xb0pple.com/", 1},
		{"hxxp://192[.]168[.]10[.]5:8080/x", "ip_host",
		 "http://192.168.10.5:8080/x", 1},
		/* A shortener alone is a reason, not yet a risk. */
		{"hxxps://bit[.]ly/abc", "url_shortener", "https://bit.ly/abc",
		 0},
		{"hxxps://www[.]google[.]com[@]evil[.]example/",
		 "userinfo_in_url", "https://www.google.com@evil.example/", 1},
		{"hxxps://evil[.]example", "text_shows_other_domain",
		 "https://evil.example", 1},
	};
	struct gh_resp r;
	json_t *msgs, *m, *links, *l;
	const char *stored;
	int64_t id;

	id = new_ticket(w, body, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "redacted")),
			 0);
	gh_resp_free(&r);
	msgs = staff_messages(w, id, &r);
	m = json_array_get(msgs, 0);
	stored = json_string_value(json_object_get(m, "body"));
	assert_string_equal(stored, body);
	links = json_object_get(m, "links");
	assert_int_equal(json_array_size(links), 6);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		size_t s, e;

		l = link_by_url(links, want[i].defanged);
		assert_non_null(l);
		assert_true(has_reason(l, want[i].reason));
		if (want[i].risky) {
			assert_string_not_equal(json_string_value(
						json_object_get(l, "verdict")),
						"ok");
			assert_true(json_integer_value(
					    json_object_get(l, "score")) >= 30);
		}
		assert_not_clickable(l);
		/* The span is the URL in the stored body. */
		s = (size_t)json_integer_value(json_object_get(l, "start"));
		e = (size_t)json_integer_value(json_object_get(l, "end"));
		assert_true(s < e && e <= strlen(stored));
		assert_int_equal(e - s, strlen(want[i].plain));
		assert_memory_equal(stored + s, want[i].plain, e - s);
	}
	l = link_by_url(links, "hxxp://192[.]168[.]10[.]5:8080/x");
	assert_true(has_reason(l, "unusual_port"));
	assert_true(has_reason(l, "not_https"));
	l = link_by_url(links, "hxxps://evil[.]example");
	assert_string_equal(json_string_value(json_object_get(l,
							       "text_defanged")),
			    "hxxps://bank[.]example");
	assert_string_equal(json_string_value(json_object_get(l, "registrable")),
			    "evil.example");
	gh_resp_free(&r);

	/* Agent replies are not link-analysed. */
	assert_int_equal(reply(w, id, "Our site is https://www.example.com/help",
			       &r),
			 201);
	gh_resp_free(&r);
	msgs = staff_messages(w, id, &r);
	assert_null(json_object_get(json_array_get(msgs, 1), "links"));
	gh_resp_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_secrets_redacted),
		cmocka_unit_test(test_other_customer_data),
		cmocka_unit_test(test_links_defanged),
		cmocka_unit_test(test_links_model_score),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
