/*
 * Unit tests of core/contact.c with an injected clock, on a real SQLite
 * store (tests/unit/ticket_fixture.h): contact codes genuine once, for
 * their ticket's customer only, until exactly their expiry; the hourly
 * windows of checks per customer and codes per staff member (the
 * Retry-After they give, and that the window frees); who may issue and
 * check; the policy lists and address; the anti-phishing phrase taken out
 * of a customer's own text (ASVS 6.5.1, 6.5.5, 6.6.3, 2.4.1, 8.2.3).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <time.h>

#include "core/app.h"
#include "core/config.h"
#include "core/contact.h"
#include "core/tickets.h"
#include "crypto/crypto.h"
#include "store/store.h"
#include "util/errors.h"

#include "ticket_fixture.h"

struct cx {
	struct fx f;
	int64_t now;
	int64_t ticket;
};

static int
setup(void **state)
{
	struct cx *x;

	if (fx_setup(state, "/tmp/gh-test-contact-XXXXXX") != 0)
		return -1;
	x = realloc(*state, sizeof(*x));
	if (x == NULL)
		return -1;
	x->now = (int64_t)time(NULL);
	assert_int_equal(x->f.c->ops->ticket_insert(x->f.c, x->f.cust_a,
						    "Help", x->now, &x->ticket),
			 0);
	assert_int_equal(x->f.c->ops->ticket_update(x->f.c, x->ticket, "open",
						    x->f.agent1, x->now),
			 0);
	*state = x;
	return 0;
}

/* A code given by agent1 at now; its text into code. */
static void
issue(struct cx *x, int64_t now, char code[CONTACT_CODE_TEXT])
{
	struct contact_issued out;
	int64_t retry = -1;

	assert_int_equal(contact_code_issue(&x->f.app, x->f.c, &x->f.a1,
					    x->ticket, now, &out, &retry),
			 0);
	assert_int_equal(retry, 0);
	assert_int_equal(out.ticket_id, x->ticket);
	assert_int_equal(out.expires_at, now + 600);
	snprintf(code, CONTACT_CODE_TEXT, "%s", out.code);
}

/* Customer a checks code at now: 1 genuine, 0 not (asserts success). */
static int
check(struct cx *x, const struct tk_actor *a, const char *code, int64_t now,
      struct contact_check *out)
{
	int64_t retry = -1;

	assert_int_equal(contact_code_check(&x->f.app, x->f.c, a, code, now,
					    out, &retry),
			 0);
	assert_int_equal(retry, 0);
	return out->genuine;
}

/* ASVS 6.5.1: genuine once, with the first name and ticket. */
static void
test_genuine_once(void **state)
{
	struct cx *x = *state;
	struct contact_check out;
	char code[CONTACT_CODE_TEXT];

	issue(x, x->now, code);
	assert_int_equal(strlen(code), 9);
	assert_int_equal(code[4], '-');
	assert_true(check(x, &x->f.a_cust, code, x->now + 1, &out));
	assert_string_equal(out.agent, "Alice");
	assert_int_equal(out.ticket_id, x->ticket);
	assert_int_equal(out.issued_at, x->now);
	assert_false(check(x, &x->f.a_cust, code, x->now + 2, &out));
	assert_string_equal(out.agent, "");
	assert_int_equal(out.ticket_id, 0);
}

/* ASVS 6.5.5: valid until 1 s before expires_at (code_minutes 10). */
static void
test_expiry_boundary(void **state)
{
	struct cx *x = *state;
	struct contact_check out;
	char c1[CONTACT_CODE_TEXT], c2[CONTACT_CODE_TEXT];

	issue(x, x->now, c1);
	issue(x, x->now, c2);
	assert_false(check(x, &x->f.a_cust, c1, x->now + 600, &out));
	/* The other one is genuine one second before its expiry. */
	assert_true(check(x, &x->f.a_cust, c2, x->now + 599, &out));
}

/* ASVS 8.2.3: another customer's check is not genuine and leaves the
 * code to its customer. */
static void
test_other_customer(void **state)
{
	struct cx *x = *state;
	struct contact_check out;
	char code[CONTACT_CODE_TEXT];

	issue(x, x->now, code);
	assert_false(check(x, &x->f.b_cust, code, x->now, &out));
	assert_true(check(x, &x->f.a_cust, code, x->now, &out));
}

/* Not a code, too long, unknown: not genuine or 400; all counted. */
static void
test_input(void **state)
{
	struct cx *x = *state;
	struct contact_check out;
	char code[CONTACT_CODE_TEXT], typed[16];
	int64_t retry;

	issue(x, x->now, code);
	assert_false(check(x, &x->f.a_cust, "12345678x", x->now, &out));
	assert_false(check(x, &x->f.a_cust, "1234567", x->now, &out));
	assert_false(check(x, &x->f.a_cust, "123456789", x->now, &out));
	assert_int_equal(contact_code_check(&x->f.app, x->f.c, &x->f.a_cust,
					    "1111 1111 1111 1111 1111 1111 1111",
					    x->now, &out, &retry),
			 -GH_BAD_FIELD);
	/* Spaces and dashes anywhere are the same code. */
	snprintf(typed, sizeof(typed), "%c-%.3s %.4s", code[0], code + 1,
		 code + 5);
	assert_true(check(x, &x->f.a_cust, typed, x->now, &out));
}

/* ASVS 6.6.3: checks_per_hour in any hour; the next one is refused with
 * the seconds until the oldest leaves the window, then allowed. */
static void
test_check_window(void **state)
{
	struct cx *x = *state;
	struct contact_check out;
	int64_t retry = 0;

	x->f.app.cfg.contact_checks_per_hour = 2;
	assert_false(check(x, &x->f.a_cust, "0000-0000", x->now, &out));
	assert_false(check(x, &x->f.a_cust, "0000-0001", x->now + 10, &out));
	assert_int_equal(contact_code_check(&x->f.app, x->f.c, &x->f.a_cust,
					    "0000-0002", x->now + 20, &out,
					    &retry),
			 -GH_RATE_LIMITED);
	assert_int_equal(retry, 3580);
	/* Customer B has their own window. */
	assert_false(check(x, &x->f.b_cust, "0000-0002", x->now + 20, &out));
	/* One hour after the first check one place is free again. */
	assert_false(check(x, &x->f.a_cust, "0000-0002", x->now + 3600,
			   &out));
}

/* ASVS 2.4.1: codes_per_hour per staff member, then refused. */
static void
test_issue_window(void **state)
{
	struct cx *x = *state;
	struct contact_issued out;
	char code[CONTACT_CODE_TEXT];
	int64_t retry = 0;

	x->f.app.cfg.contact_codes_per_hour = 1;
	issue(x, x->now, code);
	assert_int_equal(contact_code_issue(&x->f.app, x->f.c, &x->f.a1,
					    x->ticket, x->now + 60, &out,
					    &retry),
			 -GH_RATE_LIMITED);
	assert_int_equal(retry, 3540);
	assert_string_equal(out.code, "");
	issue(x, x->now + 3600, code);
}

/* Who may: staff who see the ticket issue, customers check. */
static void
test_who(void **state)
{
	struct cx *x = *state;
	struct contact_issued out;
	struct contact_check chk;
	int64_t retry;

	assert_int_equal(contact_code_issue(&x->f.app, x->f.c, &x->f.a2,
					    x->ticket, x->now, &out, &retry),
			 -GH_NOT_FOUND);
	assert_int_equal(contact_code_issue(&x->f.app, x->f.c, &x->f.a1,
					    x->ticket + 100, x->now, &out,
					    &retry),
			 -GH_NOT_FOUND);
	assert_int_equal(contact_code_issue(&x->f.app, x->f.c, &x->f.a_cust,
					    x->ticket, x->now, &out, &retry),
			 -GH_FORBIDDEN);
	assert_int_equal(contact_code_check(&x->f.app, x->f.c, &x->f.a1,
					    "1234-5678", x->now, &chk, &retry),
			 -GH_FORBIDDEN);
	/* A supervisor sees every ticket. */
	assert_int_equal(contact_code_issue(&x->f.app, x->f.c, &x->f.s,
					    x->ticket, x->now, &out, &retry),
			 0);
}

static void
test_policy_text(void **state)
{
	struct cx *x = *state;
	const char *p = " first |second||  | third ";
	char item[16], url[CONFIG_STR_MAX + 16];

	assert_true(contact_list_next(&p, item, sizeof(item)));
	assert_string_equal(item, "first");
	assert_true(contact_list_next(&p, item, sizeof(item)));
	assert_string_equal(item, "second");
	assert_true(contact_list_next(&p, item, sizeof(item)));
	assert_string_equal(item, "third");
	assert_false(contact_list_next(&p, item, sizeof(item)));
	snprintf(x->f.app.cfg.portal_url, sizeof(x->f.app.cfg.portal_url),
		 "https://p.example/");
	contact_policy_url(&x->f.app.cfg, url, sizeof(url));
	assert_string_equal(url, "https://p.example/#/contact");
	snprintf(x->f.app.cfg.portal_url, sizeof(x->f.app.cfg.portal_url),
		 "https://p.example/portal");
	contact_policy_url(&x->f.app.cfg, url, sizeof(url));
	assert_string_equal(url, "https://p.example/portal/#/contact");
	contact_first_name("Dana Whitfield", item, sizeof(item));
	assert_string_equal(item, "Dana");
	contact_first_name("", item, sizeof(item));
	assert_string_equal(item, "Support");
}

/* ASVS 8.2.3: the phrase is taken out of the customer's own text. */
static void
test_phrase_scrub(void **state)
{
	struct cx *x = *state;
	char *out = NULL, *red;

	assert_int_equal(contact_phrase_scrub(&x->f.app, x->f.c, x->f.cust_a,
					      "no phrase yet", &out),
			 0);
	assert_null(out);
	assert_int_equal(tickets_set_phrase(&x->f.app, x->f.c, &x->f.a_cust,
					    "purple otter"),
			 0);
	assert_int_equal(contact_phrase_scrub(&x->f.app, x->f.c, x->f.cust_a,
					      "a PURPLE Otter and purple "
					      "otter!",
					      &out),
			 0);
	assert_string_equal(out, "a " CONTACT_PHRASE_MARK " and "
				 CONTACT_PHRASE_MARK "!");
	free(out);
	assert_int_equal(contact_phrase_scrub(&x->f.app, x->f.c, x->f.cust_a,
					      "a purple cat", &out),
			 0);
	assert_null(out);
	/* Bob's phrase is his own: Ada's text about it is left alone. */
	assert_int_equal(contact_phrase_scrub(&x->f.app, x->f.c, x->f.cust_b,
					      "purple otter", &out),
			 0);
	assert_null(out);
	red = strdup("[{\"type\":\"card\",\"rule\":\"luhn\"}]");
	assert_int_equal(contact_phrase_note(&red), 0);
	assert_string_equal(red, "[{\"type\":\"card\",\"rule\":\"luhn\"},"
				 "{\"type\":\"anti_phishing_phrase\","
				 "\"rule\":\"customer_phrase\"}]");
	free(red);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_genuine_once, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_expiry_boundary, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_other_customer, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_window, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_issue_window, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_who, setup, teardown),
		cmocka_unit_test_setup_teardown(test_policy_text, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_phrase_scrub, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
