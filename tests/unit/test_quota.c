/*
 * Unit tests of core/quota.c with an injected clock, on a real SQLite
 * store (tests/unit/ticket_fixture.h): the window arithmetic (audit
 * windows, Retry-After); each limit counted from the rows that name the
 * writer (tickets per hour, messages per minute, attachment bytes per
 * day, the stored total, staff replies and notes) refusing exactly at its
 * value and freeing when the oldest row leaves; per-address counts shared
 * by two customers; a refusal that records nothing; the audit of
 * refusals summarised per window (ASVS 2.4.1, 5.2.1).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <time.h>

#include "core/app.h"
#include "core/audit.h"
#include "core/config.h"
#include "core/quota.h"
#include "core/tickets.h"
#include "crypto/crypto.h"
#include "store/store.h"
#include "util/errors.h"

#include "ticket_fixture.h"

/* A fixed hour boundary plus 30 minutes: windows are easy to reason on. */
#define T0 ((int64_t)1800000000 + 1800)

static int
setup(void **state)
{
	return fx_setup(state, "/tmp/gh-test-quota-XXXXXX");
}

static int64_t
ticket_at(struct fx *f, int64_t cust, int64_t at)
{
	int64_t id = 0;

	assert_int_equal(f->c->ops->ticket_insert(f->c, cust, "Help", at, &id),
			 0);
	return id;
}

static void
message_at(struct fx *f, int64_t ticket, enum realm realm, int64_t author,
	   const char *body, int64_t at)
{
	assert_int_equal(f->c->ops->message_insert(f->c, ticket, realm, author,
						   body, at, NULL),
			 0);
}

static void
attachment_at(struct fx *f, int64_t ticket, int64_t cust, int64_t size,
	      int64_t at)
{
	unsigned char byte = 'x';
	struct attachment_new n = {
		.ticket_id = ticket,
		.uploader_realm = REALM_CUSTOMER,
		.uploader_id = cust,
		.filename = "a.txt",
		.size = size,
		.sha256 = "00",
		.sniffed_type = "text",
		.verdict = "clean",
		.reasons = "[]",
		.redactions = "[]",
		.flagged = "[]",
		.content = {&byte, 1},
		.created_at = at,
	};

	assert_int_equal(f->c->ops->attachment_insert(f->c, &n, NULL), 0);
}

static int
check(struct fx *f, const struct tk_actor *a, enum quota_act act,
      int64_t bytes, int64_t now, struct quota_refusal *q)
{
	return quota_check(&f->app, f->c, a, act, bytes, now, q);
}

struct count {
	const char *needle;
	int n;
};

static int
count_row(void *ctx, int64_t seq, const char *record,
	  const unsigned char leaf[32])
{
	struct count *k = ctx;

	(void)seq;
	(void)leaf;
	if (strstr(record, k->needle) != NULL)
		k->n++;
	return 0;
}

/* Audit records containing needle. */
static int
audited(struct fx *f, const char *needle)
{
	struct count k = {needle, 0};

	assert_int_equal(audit_export(f->c, 0, INT64_MAX, count_row, &k), 0);
	return k.n;
}

static void
test_window_arithmetic(void **state)
{
	int64_t s, e;

	(void)state;
	/* Minute limits are audited per clock hour, hourly ones too; daily
	 * limits and the stored total per calendar day. */
	quota_audit_window(60, T0, &s, &e);
	assert_int_equal(s, T0 - 1800);
	assert_int_equal(e, T0 + 1800);
	quota_audit_window(3600, T0 + 1799, &s, &e);
	assert_int_equal(s, T0 - 1800);
	quota_audit_window(3600, T0 + 1800, &s, &e);
	assert_int_equal(s, T0 + 1800);
	quota_audit_window(86400, T0, &s, &e);
	assert_int_equal(s, T0 - T0 % 86400);
	assert_int_equal(e - s, 86400);
	quota_audit_window(0, T0, &s, &e);
	assert_int_equal(e - s, 86400);
	/* A row at t leaves a window of w at t + w. */
	assert_int_equal(quota_retry(3600, T0 - 3000, T0), 600);
	assert_int_equal(quota_retry(60, T0, T0), 60);
	assert_int_equal(quota_retry(60, T0 - 60, T0), 1);
	assert_int_equal(quota_retry(60, T0 + 10, T0), 60);
}

/* ASVS 2.4.1: tickets per hour, counted from the customer's tickets. */
static void
test_tickets_per_hour(void **state)
{
	struct fx *f = *state;
	struct quota_refusal q;

	f->app.cfg.quota_tickets_per_hour = 3;
	ticket_at(f, f->cust_a, T0 - 3000);
	ticket_at(f, f->cust_a, T0 - 2000);
	ticket_at(f, f->cust_a, T0 - 3600); /* left the window at T0 */
	assert_int_equal(check(f, &f->a_cust, QUOTA_TICKET, 10, T0, &q), 0);
	ticket_at(f, f->cust_a, T0 - 1000);
	assert_int_equal(check(f, &f->a_cust, QUOTA_TICKET, 10, T0, &q),
			 -GH_RATE_LIMITED);
	assert_string_equal(q.limit, "tickets_per_hour");
	assert_string_equal(q.scope, "account");
	assert_int_equal(q.max, 3);
	assert_int_equal(q.retry_after, 600);
	/* Other customers and other writes are not touched. */
	assert_int_equal(check(f, &f->b_cust, QUOTA_TICKET, 10, T0, &q), 0);
	assert_int_equal(check(f, &f->a_cust, QUOTA_MESSAGE, 10, T0, &q), 0);
	/* One second before the oldest leaves, still refused; then free. */
	assert_int_equal(check(f, &f->a_cust, QUOTA_TICKET, 10, T0 + 599, &q),
			 -GH_RATE_LIMITED);
	assert_int_equal(q.retry_after, 1);
	assert_int_equal(check(f, &f->a_cust, QUOTA_TICKET, 10, T0 + 600, &q),
			 0);
}

/* Messages per minute; staff replies and notes have their own limit. */
static void
test_messages_per_minute(void **state)
{
	struct fx *f = *state;
	struct quota_refusal q;
	int64_t t = ticket_at(f, f->cust_a, T0 - 100);

	f->app.cfg.quota_messages_per_minute = 5;
	f->app.cfg.quota_staff_messages_per_minute = 10;
	for (int i = 0; i < 5; i++)
		message_at(f, t, REALM_CUSTOMER, f->cust_a, "hi", T0 - 50 + i);
	assert_int_equal(check(f, &f->a_cust, QUOTA_MESSAGE, 2, T0, &q),
			 -GH_RATE_LIMITED);
	assert_string_equal(q.limit, "messages_per_minute");
	assert_int_equal(q.retry_after, 10); /* T0 - 50 leaves at T0 + 10 */
	for (int i = 0; i < 6; i++)
		message_at(f, t, REALM_STAFF, f->agent1, "reply", T0 - 30);
	for (int i = 0; i < 3; i++)
		assert_int_equal(f->c->ops->note_insert(f->c, t, f->agent1,
							"note", T0 - 20 + i,
							NULL),
				 0);
	assert_int_equal(check(f, &f->a1, QUOTA_MESSAGE, 2, T0, &q), 0);
	assert_int_equal(f->c->ops->note_insert(f->c, t, f->agent1, "note",
						T0 - 10, NULL),
			 0);
	assert_int_equal(check(f, &f->a1, QUOTA_MESSAGE, 2, T0, &q),
			 -GH_RATE_LIMITED);
	assert_string_equal(q.limit, "staff_messages_per_minute");
	assert_int_equal(q.retry_after, 30);
	assert_int_equal(check(f, &f->a2, QUOTA_MESSAGE, 2, T0, &q), 0);
	/* Staff tickets and files have no quota. */
	assert_int_equal(check(f, &f->a1, QUOTA_ATTACHMENT, 1 << 30, T0, &q),
			 0);
}

/* ASVS 5.2.1: bytes per day, freed when enough old bytes have left. */
static void
test_attachment_bytes_per_day(void **state)
{
	struct fx *f = *state;
	struct quota_refusal q;
	int64_t t = ticket_at(f, f->cust_a, T0 - 90000);

	f->app.cfg.quota_attachment_bytes_per_day = 10000;
	attachment_at(f, t, f->cust_a, 4000, T0 - 80000);
	attachment_at(f, t, f->cust_a, 3000, T0 - 70000);
	attachment_at(f, t, f->cust_a, 2000, T0 - 60000);
	attachment_at(f, t, f->cust_a, 9000, T0 - 90000); /* out of the day */
	assert_int_equal(check(f, &f->a_cust, QUOTA_ATTACHMENT, 1000, T0, &q),
			 0);
	/* 9000 + 5000 = 14000: 4000 must leave, the first row does. */
	assert_int_equal(check(f, &f->a_cust, QUOTA_ATTACHMENT, 5000, T0, &q),
			 -GH_RATE_LIMITED);
	assert_string_equal(q.limit, "attachment_bytes_per_day");
	assert_int_equal(q.retry_after, 86400 - 80000);
	/* 4001 must leave: the first two rows. */
	assert_int_equal(check(f, &f->a_cust, QUOTA_ATTACHMENT, 5001, T0, &q),
			 -GH_RATE_LIMITED);
	assert_int_equal(q.retry_after, 86400 - 70000);
	/* A file larger than the limit never fits: the whole window. */
	assert_int_equal(check(f, &f->a_cust, QUOTA_ATTACHMENT, 10001, T0,
			       &q),
			 -GH_RATE_LIMITED);
	assert_int_equal(q.retry_after, 86400);
	assert_int_equal(check(f, &f->b_cust, QUOTA_ATTACHMENT, 5000, T0, &q),
			 0);
}

/* The stored total: messages (bytes as stored) and files, all time. */
static void
test_stored_bytes(void **state)
{
	struct fx *f = *state;
	struct quota_refusal q;
	int64_t t = ticket_at(f, f->cust_a, 1000);

	f->app.cfg.quota_stored_bytes = 1000;
	message_at(f, t, REALM_CUSTOMER, f->cust_a, "\xc3\xa9t\xc3\xa9", 1000);
	message_at(f, t, REALM_STAFF, f->agent1, "not the customer's", 1000);
	attachment_at(f, t, f->cust_a, 900, 2000);
	/* 900 + 5 bytes ("été" is 5 bytes, 3 characters) + 95 = 1000. */
	assert_int_equal(check(f, &f->a_cust, QUOTA_MESSAGE, 95, T0, &q), 0);
	assert_int_equal(check(f, &f->a_cust, QUOTA_MESSAGE, 96, T0, &q),
			 -GH_RATE_LIMITED);
	assert_string_equal(q.limit, "stored_bytes");
	assert_int_equal(q.retry_after, QUOTA_STORED_RETRY);
	assert_int_equal(check(f, &f->a_cust, QUOTA_TICKET, 96, T0, &q),
			 -GH_RATE_LIMITED);
	assert_int_equal(check(f, &f->a_cust, QUOTA_ATTACHMENT, 96, T0, &q),
			 -GH_RATE_LIMITED);
	assert_int_equal(check(f, &f->b_cust, QUOTA_MESSAGE, 96, T0, &q), 0);
}

static int64_t
address_events(struct fx *f, const char *key, const char *what)
{
	struct quota_scope s = {QSRC_EVENTS, 0, key, what};
	struct quota_sum sum;

	assert_int_equal(f->c->ops->quota.sum(f->c, &s, -1, &sum), 0);
	return sum.n;
}

/* One address, two customers: the address's count is shared; another
 * address is not touched; a refusal counts nothing. */
static void
test_address(void **state)
{
	struct fx *f = *state;
	struct quota_refusal q;
	struct tk_actor a = f->a_cust, b = f->b_cust, other = f->b_cust;

	f->app.cfg.quota_address_messages_per_minute = 5;
	a.ip = "203.0.113.9";
	b.ip = "203.0.113.9";
	other.ip = "198.51.100.1";
	for (int i = 0; i < 3; i++)
		assert_int_equal(check(f, &a, QUOTA_MESSAGE, 2, T0 + i, &q), 0);
	for (int i = 3; i < 5; i++)
		assert_int_equal(check(f, &b, QUOTA_MESSAGE, 2, T0 + i, &q), 0);
	assert_int_equal(check(f, &b, QUOTA_MESSAGE, 2, T0 + 10, &q),
			 -GH_RATE_LIMITED);
	assert_string_equal(q.limit, "address_messages_per_minute");
	assert_string_equal(q.scope, "address");
	assert_int_equal(q.retry_after, 50); /* T0 leaves at T0 + 60 */
	assert_int_equal(check(f, &a, QUOTA_MESSAGE, 2, T0 + 10, &q),
			 -GH_RATE_LIMITED);
	assert_int_equal(address_events(f, "ip:203.0.113.9",
					"address_messages_per_minute"),
			 5);
	assert_int_equal(check(f, &other, QUOTA_MESSAGE, 2, T0 + 10, &q), 0);
	assert_int_equal(check(f, &a, QUOTA_MESSAGE, 2, T0 + 60, &q), 0);
	/* IPv6: one /64 is one address. */
	a.ip = "2001:db8:1:2::1";
	b.ip = "2001:db8:1:2:ffff::9";
	for (int i = 0; i < 5; i++)
		assert_int_equal(check(f, i < 3 ? &a : &b, QUOTA_MESSAGE, 2,
				       T0, &q),
				 0);
	assert_int_equal(check(f, &b, QUOTA_MESSAGE, 2, T0, &q),
			 -GH_RATE_LIMITED);
}

/* One record for the first refusal of a window, the count in a summary
 * once the window has closed; the sweep forgets old address counts. */
static void
test_audit_summarised(void **state)
{
	struct fx *f = *state;
	struct quota_refusal q;
	struct tk_actor a = f->a_cust;

	a.ip = "203.0.113.7";
	f->app.cfg.quota_tickets_per_hour = 3;
	for (int i = 0; i < 3; i++)
		ticket_at(f, f->cust_a, T0 - 10);
	for (int i = 0; i < 4; i++)
		assert_int_equal(check(f, &a, QUOTA_TICKET, 1, T0 + i, &q),
				 -GH_RATE_LIMITED);
	assert_int_equal(audited(f, "\"quota.exceeded\""), 1);
	assert_int_equal(audited(f, "\"count\":1,"), 1);
	assert_int_equal(audited(f, "\"target\":\"customer:"), 1);
	/* The window [T0 - 1800, T0 + 1800) is still open: no summary. */
	assert_int_equal(quota_sweep(&f->app, f->c, T0 + 1799), 0);
	assert_int_equal(audited(f, "\"summary\":true"), 0);
	assert_int_equal(quota_sweep(&f->app, f->c, T0 + 1800), 0);
	assert_int_equal(audited(f, "\"summary\":true"), 1);
	assert_int_equal(audited(f, "\"count\":4,"), 1);
	assert_int_equal(quota_sweep(&f->app, f->c, T0 + 1900), 0);
	assert_int_equal(audited(f, "\"quota.exceeded\""), 2);
	/* A later window starts again with one record. */
	assert_int_equal(check(f, &a, QUOTA_TICKET, 1, T0 + 1800, &q),
			 -GH_RATE_LIMITED);
	assert_int_equal(audited(f, "\"quota.exceeded\""), 3);
	/* A window with a single refusal needs no summary. */
	assert_int_equal(quota_sweep(&f->app, f->c, T0 + 5400), 0);
	assert_int_equal(audited(f, "\"quota.exceeded\""), 3);
	/* Address counts are forgotten after a day. */
	f->app.cfg.quota_tickets_per_hour = 30;
	assert_int_equal(check(f, &a, QUOTA_TICKET, 1, T0, &q), 0);
	assert_int_equal(address_events(f, "ip:203.0.113.7",
					"address_tickets_per_hour"),
			 1);
	assert_int_equal(quota_sweep(&f->app, f->c, T0 + 86400), 0);
	assert_int_equal(address_events(f, "ip:203.0.113.7",
					"address_tickets_per_hour"),
			 0);
}

/* Loads text as a config file in f's directory: config_load's result. */
static int
load_conf(struct fx *f, const char *text, struct config *cfg, char *err,
	  size_t errsz)
{
	char path[128];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/q.conf", f->dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	config_defaults(cfg, f->dir);
	return config_load(cfg, path, err, errsz);
}

/* [quotas]: the defaults, values within the compiled floors and
 * ceilings, and values outside them stopping start-up. */
static void
test_config_bounds(void **state)
{
	struct fx *f = *state;
	struct config *cfg = malloc(sizeof(*cfg));
	char err[256];

	assert_non_null(cfg);
	config_defaults(cfg, f->dir);
	assert_int_equal(cfg->quota_tickets_per_hour, 30);
	assert_int_equal(cfg->quota_messages_per_minute, 30);
	assert_int_equal(cfg->quota_attachment_bytes_per_day, 200 << 20);
	assert_int_equal(cfg->quota_stored_bytes, (int64_t)2 << 30);
	assert_int_equal(cfg->quota_staff_messages_per_minute, 60);
	assert_int_equal(load_conf(f, "[quotas]\ntickets_per_hour = 3\n"
				      "stored_bytes = 1099511627776\n",
				   cfg, err, sizeof(err)),
			 0);
	assert_int_equal(cfg->quota_tickets_per_hour, 3);
	assert_int_equal(cfg->quota_stored_bytes, (int64_t)1 << 40);
	assert_int_equal(load_conf(f, "[quotas]\ntickets_per_hour = 2\n", cfg,
				   err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "tickets_per_hour"));
	assert_int_equal(load_conf(f, "[quotas]\nmessages_per_minute = 601\n",
				   cfg, err, sizeof(err)),
			 -1);
	assert_int_equal(load_conf(f,
				   "[quotas]\nattachment_bytes_per_day = "
				   "1048576\n",
				   cfg, err, sizeof(err)),
			 -1);
	assert_int_equal(load_conf(f,
				   "[quotas]\nstaff_messages_per_minute = 9\n",
				   cfg, err, sizeof(err)),
			 -1);
	free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window_arithmetic),
		cmocka_unit_test_setup_teardown(test_tickets_per_hour, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_messages_per_minute, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_attachment_bytes_per_day,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_stored_bytes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_address, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_summarised, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_config_bounds, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
