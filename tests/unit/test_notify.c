/*
 * Unit tests of the content-free notification (core/notify.c) as it
 * leaves: against a real SQLite store in a temporary directory, an agent's
 * reply queues the notice, the mailer writes it to the outbox directory,
 * and the test reads the real .eml. When the customer's anti-phishing
 * phrase holds what the outbound filter refuses (a card number, another
 * customer's e-mail address), the mail goes out without the phrase: no
 * phrase line, no phrase sealed in the outbox row, the fixed text and
 * the advice intact.
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

#include "core/app.h"
#include "util/errors.h"
#include "core/mailer.h"
#include "core/notify.h"
#include "core/outbound.h"
#include "core/tickets.h"

#include "ticket_fixture.h"

static int
setup(void **state)
{
	return fx_setup(state, "/tmp/gh-test-notify-XXXXXX");
}

/* Queues a notice by an agent's reply on a new ticket of customer A,
 * checks the outbox row (phrase sealed or not), delivers it and returns
 * the .eml text (caller frees) and the ticket number. */
static char *
notify_and_read(struct fx *f, int expect_phrase, int64_t *ticket)
{
	struct ticket_rec t;
	struct tk_reply r;
	struct outbox_list l;
	char *text = NULL;

	assert_int_equal(tickets_portal_create(&f->app, f->c, &f->a_cust,
					       "Card", "where is my card", &t),
			 0);
	*ticket = t.id;
	tk_reply_init(&r);
	assert_int_equal(tickets_reply(&f->app, f->c, &f->a1, t.id,
				       "Your replacement ships on Monday", &r),
			 0);
	assert_false(r.held);
	assert_int_equal(r.findings.n, 0);
	tk_reply_clear(&r);
	assert_int_equal(f->c->ops->outbox_due(f->c, INT64_MAX / 2, 10, &l), 0);
	assert_int_equal(l.n, 1);
	if (expect_phrase)
		assert_non_null(l.v[0].phrase.data);
	else
		assert_null(l.v[0].phrase.data);
	outbox_list_clear(&l);
	assert_int_equal(mailer_run_once(&f->app, (int64_t)time(NULL)), 1);
	assert_int_equal(eml_files(f, &text), 1);
	assert_non_null(text);
	return text;
}

/* What every notice says, with or without the phrase. */
static void
assert_fixed_text(const struct fx *f, const char *text, int64_t ticket)
{
	char num[48];

	snprintf(num, sizeof(num), "new secure message about ticket #%lld",
		 (long long)ticket);
	assert_non_null(strstr(text, "To: ada@example.org\r\n"));
	assert_non_null(strstr(text, num));
	assert_non_null(strstr(text, f->app.cfg.portal_url));
	assert_non_null(strstr(text, "We will never ask for your password"));
	/* The advice about the phrase stays, whatever its wording. */
	assert_non_null(strstr(text, "anti-phishing phrase"));
	assert_null(strstr(text, "replacement"));
	assert_null(strstr(text, "where is my card"));
	assert_null(strstr(text, "Ada Customer"));
}

static void
test_phrase_kept(void **state)
{
	struct fx *f = *state;
	int64_t tk;
	char *text;

	assert_int_equal(tickets_set_phrase(&f->app, f->c, &f->a_cust,
					    "purple otter"), 0);
	text = notify_and_read(f, 1, &tk);
	assert_fixed_text(f, text, tk);
	assert_non_null(strstr(text, "Your anti-phishing phrase: \"purple "
				     "otter\""));
	free(text);
}

/* A card number in the phrase: the notice goes, the phrase does not. */
static void
test_phrase_with_card(void **state)
{
	struct fx *f = *state;
	int64_t tk;
	char *text;

	assert_int_equal(tickets_set_phrase(&f->app, f->c, &f->a_cust,
					    "otter 4111 1111 1111 1111"), 0);
	text = notify_and_read(f, 0, &tk);
	assert_fixed_text(f, text, tk);
	assert_null(strstr(text, "Your anti-phishing phrase:"));
	assert_null(strstr(text, "4111"));
	assert_null(strstr(text, "otter"));
	free(text);
	/* The customer's phrase itself is kept for the portal. */
	{
		char *p = NULL;

		assert_int_equal(tickets_get_phrase(&f->app, f->c, f->cust_a,
						    &p), 0);
		assert_string_equal(p, "otter 4111 1111 1111 1111");
		crypto_secret_free(p);
	}
}

/* Another customer's e-mail address in the phrase. */
static void
test_phrase_with_other_customer(void **state)
{
	struct fx *f = *state;
	int64_t tk;
	char *text;

	assert_int_equal(tickets_set_phrase(&f->app, f->c, &f->a_cust,
					    "ask bob@example.org"), 0);
	text = notify_and_read(f, 0, &tk);
	assert_fixed_text(f, text, tk);
	assert_null(strstr(text, "Your anti-phishing phrase:"));
	assert_null(strstr(text, "bob@example.org"));
	assert_null(strstr(text, "bob"));
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_phrase_kept, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_phrase_with_card, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_phrase_with_other_customer,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
