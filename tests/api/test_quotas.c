/*
 * API tests of the quotas (issue 14, part QUOTAS) against the real
 * server, each with small limits in [quotas]: tickets per hour, messages
 * per minute, attachment bytes per day and the stored total per customer,
 * replies and notes per staff member, tickets per client address across
 * two customers. Each limit answers 429 rate_limited with Retry-After
 * (the seconds until the window frees room, also "retry_after" in the
 * body) and names the limit and its scope; the refused request writes
 * nothing (tickets, messages, notes, attachments and address counts are
 * counted before and after); the refusal is audited once per window with
 * a count (quota_hits holds the count of the repeats); another customer
 * is not touched (ASVS 2.4.1 anti-automation, 5.2.1 size limits).
 *
 * Time: the server has no clock override. Usage that would take long to
 * produce through the API (megabytes of files) is seeded as rows of the
 * database, exactly as the server would have written them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

struct world {
	struct gh_server s;
	struct gh_user sup, cust_a, cust_b;
	struct gh_client c_sup, c_a, c_b;
};

static struct world *W;

static void
start_world(void **state, const char *quotas)
{
	struct world *w = calloc(1, sizeof(*w));
	char conf[512];

	assert_non_null(w);
	snprintf(conf, sizeof(conf), "\n[quotas]\n%s", quotas);
	gh_start(&w->s, conf);
	gh_add_staff(&w->s, "sup@example.com", "supervisor", &w->sup);
	gh_add_customer(&w->s, "cust.a@example.org", &w->cust_a);
	gh_add_customer(&w->s, "cust.b@example.org", &w->cust_b);
	gh_client_init(&w->c_sup, 1);
	gh_client_init(&w->c_a, 0);
	gh_client_init(&w->c_b, 0);
	assert_int_equal(gh_login(&w->s, &w->c_sup, &w->sup), 201);
	assert_int_equal(gh_login(&w->s, &w->c_a, &w->cust_a), 201);
	assert_int_equal(gh_login(&w->s, &w->c_b, &w->cust_b), 201);
	W = w;
	*state = w;
}

static int
teardown(void **state)
{
	struct world *w = *state;

	gh_client_free(&w->c_sup);
	gh_client_free(&w->c_a);
	gh_client_free(&w->c_b);
	assert_int_equal(gh_stop(&w->s), 0);
	free(w);
	return 0;
}

/* Creates a ticket; its status, and its id into *id (may be NULL). */
static long
new_ticket(struct gh_client *c, int64_t *id, struct gh_resp *r)
{
	long st = gh_send_json(&W->s, c, "POST", "/api/v1/portal/tickets",
			       json_pack("{s:s, s:s}", "subject",
					 "My order did not arrive", "body",
					 "Could you check where it is?"),
			       r);

	if (st == 201 && id != NULL)
		*id = json_integer_value(json_object_get(r->json, "id"));
	return st;
}

static int64_t
ticket_ok(struct gh_client *c)
{
	struct gh_resp r;
	int64_t id = 0;

	assert_int_equal(new_ticket(c, &id, &r), 201);
	gh_resp_free(&r);
	return id;
}

/* POSTs {"body": text} to /api/v1/<base>/<ticket>/<what>. */
static long
post_text(struct gh_client *c, const char *what, int64_t ticket,
	  struct gh_resp *r)
{
	char path[128];

	snprintf(path, sizeof(path), "/api/v1/%s/%lld/%s",
		 strcmp(what, "messages") == 0 ? "portal/tickets" : "tickets",
		 (long long)ticket, what);
	return gh_send_json(&W->s, c, "POST", path,
			    json_pack("{s:s}", "body",
				      "Thank you, we are looking into it."),
			    r);
}

/* Uploads a file of size bytes ('a's) to the customer's ticket. */
static long
upload(struct gh_client *c, int64_t ticket, size_t size, struct gh_resp *r)
{
	char path[128];
	size_t b64len = (size + 2) / 3 * 4;
	char *b64 = malloc(b64len + 1);
	long st;

	assert_non_null(b64);
	/* "YWFh" is base64 of "aaa". */
	for (size_t i = 0; i < b64len; i += 4)
		memcpy(b64 + i, "YWFh", 4);
	b64[b64len] = '\0';
	if (size % 3 != 0)
		memcpy(b64 + b64len - 4, size % 3 == 1 ? "YQ==" : "YWE=", 4);
	snprintf(path, sizeof(path), "/api/v1/portal/tickets/%lld/attachments",
		 (long long)ticket);
	st = gh_send_json(&W->s, c, "POST", path,
			  json_pack("{s:s, s:s}", "filename", "order.txt",
				    "content_base64", b64),
			  r);
	free(b64);
	return st;
}

/* r is the 429 of limit (scope) with a Retry-After in 1..max equal to
 * the body's retry_after; frees r. */
static void
assert_limited(struct gh_resp *r, const char *limit, const char *scope,
	       int64_t max_retry, int64_t min_retry)
{
	char *ra = gh_header(r, "Retry-After");
	int64_t retry;

	assert_int_equal(r->status, 429);
	assert_string_equal(gh_error(r), "rate_limited");
	assert_string_equal(
		json_string_value(json_object_get(r->json, "limit")), limit);
	assert_string_equal(
		json_string_value(json_object_get(r->json, "scope")), scope);
	assert_true(json_integer_value(json_object_get(r->json, "max")) > 0);
	assert_non_null(ra);
	retry = strtoll(ra, NULL, 10);
	assert_true(retry >= min_retry && retry <= max_retry);
	assert_int_equal(
		json_integer_value(json_object_get(r->json, "retry_after")),
		retry);
	free(ra);
	gh_resp_free(r);
}

/* Rows of everything a create can write. */
static int64_t
written(void)
{
	return gh_db_count(&W->s, "SELECT (SELECT COUNT(*) FROM tickets) + "
				  "(SELECT COUNT(*) FROM messages) + "
				  "(SELECT COUNT(*) FROM notes) + "
				  "(SELECT COUNT(*) FROM attachments) + "
				  "(SELECT COUNT(*) FROM quota_events)");
}

/* Audit records of quota.exceeded for limit with "count":1, and the
 * count of refusals held for it. */
static void
assert_audited_once(const char *limit, const char *target, int64_t hits)
{
	assert_int_equal(gh_audit_count(&W->s, "quota.exceeded", "denied"),
			 1);
	assert_int_equal(gh_db_countf(&W->s,
				      "SELECT COUNT(*) FROM audit WHERE "
				      "record LIKE '%%\"quota.exceeded\"%%' "
				      "AND record LIKE '%%\"limit\":\"%s\"%%' "
				      "AND record LIKE '%%\"count\":1,%%' "
				      "AND record LIKE '%%\"target\":\"%s%%'",
				      limit, target),
			 1);
	assert_int_equal(gh_db_countf(&W->s,
				      "SELECT SUM(count) FROM quota_hits "
				      "WHERE limit_name = '%s'",
				      limit),
			 hits);
}

static int
setup_tickets(void **state)
{
	start_world(state, "tickets_per_hour = 3\n");
	return 0;
}

/* Three tickets an hour: the fourth and fifth are refused, write
 * nothing, are audited once with the count kept; B is not touched. */
static void
test_tickets_per_hour(void **state)
{
	struct gh_resp r;
	int64_t before;

	(void)state;
	for (int i = 0; i < 3; i++)
		ticket_ok(&W->c_a);
	before = written();
	assert_int_equal(new_ticket(&W->c_a, NULL, &r), 429);
	assert_limited(&r, "tickets_per_hour", "account", 3600, 3500);
	assert_int_equal(new_ticket(&W->c_a, NULL, &r), 429);
	assert_limited(&r, "tickets_per_hour", "account", 3600, 3500);
	assert_int_equal(written(), before);
	assert_int_equal(gh_db_countf(&W->s,
				      "SELECT COUNT(*) FROM tickets WHERE "
				      "customer_id = %lld",
				      (long long)W->cust_a.id),
			 3);
	assert_audited_once("tickets_per_hour", "customer:", 2);
	/* Another customer is not touched. */
	ticket_ok(&W->c_b);
}

static int
setup_messages(void **state)
{
	start_world(state, "messages_per_minute = 5\n"
			   "staff_messages_per_minute = 10\n");
	return 0;
}

/* Five messages a minute (the ticket's first counts); ten replies and
 * notes a minute for a staff member. */
static void
test_messages_per_minute(void **state)
{
	const char *msg = "messages";
	struct gh_resp r;
	int64_t ta, tb, before;

	(void)state;
	ta = ticket_ok(&W->c_a);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(post_text(&W->c_a, msg, ta, &r), 201);
		gh_resp_free(&r);
	}
	before = written();
	assert_int_equal(post_text(&W->c_a, msg, ta, &r), 429);
	assert_limited(&r, "messages_per_minute", "account", 60, 1);
	assert_int_equal(written(), before);
	assert_audited_once("messages_per_minute", "customer:", 1);
	tb = ticket_ok(&W->c_b);
	assert_int_equal(post_text(&W->c_b, msg, tb, &r), 201);
	gh_resp_free(&r);
	/* Staff: replies and notes count together. */
	for (int i = 0; i < 10; i++) {
		assert_int_equal(post_text(&W->c_sup,
					   i % 2 ? "notes" : "replies",
					   tb, &r),
				 201);
		gh_resp_free(&r);
	}
	before = written();
	assert_int_equal(post_text(&W->c_sup, "notes", tb, &r),
			 429);
	assert_limited(&r, "staff_messages_per_minute", "account", 60, 1);
	assert_int_equal(post_text(&W->c_sup, "replies", tb, &r),
			 429);
	assert_limited(&r, "staff_messages_per_minute", "account", 60, 1);
	assert_int_equal(written(), before);
}

/* Seeds a file of size bytes uploaded by customer cust at time at. */
static void
seed_file(int64_t ticket, int64_t cust, int64_t size, int64_t at)
{
	char sql[512];

	snprintf(sql, sizeof(sql),
		 "INSERT INTO attachments (ticket_id, uploader_realm, "
		 "uploader_id, filename, size, sha256, sniffed_type, verdict, "
		 "quarantined, content, created_at) VALUES (%lld, 'customer', "
		 "%lld, 'big.bin', %lld, '00', 'application/octet-stream', "
		 "'clean', 0, %s, %lld)",
		 (long long)ticket, (long long)cust, (long long)size,
		 gh_db_pg() ? "'\\x00'::bytea" : "X'00'", (long long)at);
	gh_db_exec(&W->s, sql);
}

static int
setup_files(void **state)
{
	start_world(state, "attachment_bytes_per_day = 10485760\n");
	return 0;
}

/* 10 MiB a day: a real upload counts; one that does not fit is refused
 * before it is decoded, with the time until the oldest bytes leave. */
static void
test_attachment_bytes_per_day(void **state)
{
	int64_t ta = ticket_ok(&W->c_a), tb = ticket_ok(&W->c_b);
	int64_t now = (int64_t)time(NULL), before;
	struct gh_resp r;

	(void)state;
	assert_int_equal(upload(&W->c_a, ta, 3000, &r), 201);
	gh_resp_free(&r);
	/* 10 MiB - 4000 bytes an hour ago: 3000 + 4000 - 4000 does not fit
	 * with the envelope; it leaves the day 23 hours from now. */
	seed_file(ta, W->cust_a.id, 10485760 - 4000, now - 3600);
	before = written();
	assert_int_equal(upload(&W->c_a, ta, 3000, &r), 429);
	assert_limited(&r, "attachment_bytes_per_day", "account", 82800 + 5,
		       82800 - 60);
	assert_int_equal(written(), before);
	assert_audited_once("attachment_bytes_per_day", "customer:", 1);
	assert_int_equal(upload(&W->c_b, tb, 3000, &r), 201);
	gh_resp_free(&r);
}

static int
setup_stored(void **state)
{
	start_world(state, "stored_bytes = 67108864\n");
	return 0;
}

/* 64 MiB stored in all (a file from long ago counts): no window frees it,
 * Retry-After is a day. */
static void
test_stored_bytes(void **state)
{
	const char *msg = "messages";
	int64_t ta = ticket_ok(&W->c_a), tb = ticket_ok(&W->c_b), before;
	struct gh_resp r;

	(void)state;
	seed_file(ta, W->cust_a.id, 67108864 - 10, 1000);
	before = written();
	assert_int_equal(post_text(&W->c_a, msg, ta, &r), 429);
	assert_limited(&r, "stored_bytes", "account", 86400, 86400);
	assert_int_equal(new_ticket(&W->c_a, NULL, &r), 429);
	assert_limited(&r, "stored_bytes", "account", 86400, 86400);
	assert_int_equal(upload(&W->c_a, ta, 10, &r), 429);
	assert_limited(&r, "stored_bytes", "account", 86400, 86400);
	assert_int_equal(written(), before);
	assert_audited_once("stored_bytes", "customer:", 3);
	assert_int_equal(post_text(&W->c_b, msg, tb, &r), 201);
	gh_resp_free(&r);
}

static int
setup_address(void **state)
{
	start_world(state, "address_tickets_per_hour = 3\n");
	return 0;
}

/* Three tickets an hour from one address, whichever customer writes. */
static void
test_address_across_customers(void **state)
{
	struct gh_resp r;
	int64_t before;

	(void)state;
	ticket_ok(&W->c_a);
	ticket_ok(&W->c_a);
	ticket_ok(&W->c_b);
	assert_int_equal(gh_db_count(&W->s, "SELECT COUNT(*) FROM "
					    "quota_events WHERE subject = "
					    "'ip:127.0.0.1'"),
			 3);
	before = written();
	assert_int_equal(new_ticket(&W->c_b, NULL, &r), 429);
	assert_limited(&r, "address_tickets_per_hour", "address", 3600, 3500);
	assert_int_equal(new_ticket(&W->c_a, NULL, &r), 429);
	assert_limited(&r, "address_tickets_per_hour", "address", 3600, 3500);
	assert_int_equal(written(), before);
	assert_audited_once("address_tickets_per_hour", "ip:127.0.0.1", 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tickets_per_hour,
						setup_tickets, teardown),
		cmocka_unit_test_setup_teardown(test_messages_per_minute,
						setup_messages, teardown),
		cmocka_unit_test_setup_teardown(test_attachment_bytes_per_day,
						setup_files, teardown),
		cmocka_unit_test_setup_teardown(test_stored_bytes,
						setup_stored, teardown),
		cmocka_unit_test_setup_teardown(test_address_across_customers,
						setup_address, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
