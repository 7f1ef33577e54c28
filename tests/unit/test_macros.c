/*
 * Unit tests of core/macros.h: the placeholder whitelist (names reported
 * printable and cut, offsets), the expansion to non-personal values only
 * (first words of the clear display names, the ticket id, the company
 * name), the outbound check of a text bound to no ticket (the company's
 * domains allowed, anything else blocked as in a reply), and the rules of
 * who creates, changes and uses which macro (ASVS 8.2.1), on a real
 * SQLite store (tests/unit/ticket_fixture.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/app.h"
#include "core/macros.h"
#include "core/outbound.h"
#include "core/tickets.h"
#include "util/errors.h"

#include "ticket_fixture.h"

static int
setup(void **state)
{
	return fx_setup(state, "/tmp/gh-test-macros-XXXXXX");
}

static int
check(const char *text, struct macro_refusal *f)
{
	macro_refusal_init(f);
	return macros_check_placeholders(text, strlen(text), f);
}

static void
test_placeholders(void **state)
{
	struct macro_refusal f;

	(void)state;
	assert_int_equal(check("Hi {{customer.first_name}}, {{agent.first_name}}"
			       " of {{company.name}}: #{{ticket.id}}{{ticket.id}}"
			       " }} {single}", &f), 0);
	assert_int_equal(check("no placeholders at all", &f), 0);
	assert_int_equal(check("Dear {{customer.email}}", &f),
			 -GH_BAD_PLACEHOLDER);
	assert_string_equal(f.placeholder, "customer.email");
	assert_int_equal(f.offset, 5);
	/* The first bad one is named; spaces are not trimmed. */
	assert_int_equal(check("{{ticket.id}} {{ ticket.id }} {{x}}", &f),
			 -GH_BAD_PLACEHOLDER);
	assert_string_equal(f.placeholder, " ticket.id ");
	assert_int_equal(f.offset, 14);
	assert_int_equal(check("{{{ticket.id}}}", &f), -GH_BAD_PLACEHOLDER);
	assert_string_equal(f.placeholder, "{ticket.id");
	/* Unclosed: named "". */
	assert_int_equal(check("Open {{ticket.id", &f), -GH_BAD_PLACEHOLDER);
	assert_string_equal(f.placeholder, "");
	assert_int_equal(f.offset, 5);
	/* Only printable ASCII comes back, cut to MACRO_PLACEHOLDER_MAX. */
	assert_int_equal(check("{{caf\xc3\xa9\"\\}}", &f), -GH_BAD_PLACEHOLDER);
	assert_string_equal(f.placeholder, "caf????");
	assert_int_equal(check("{{aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}}",
			       &f), -GH_BAD_PLACEHOLDER);
	assert_int_equal(strlen(f.placeholder), MACRO_PLACEHOLDER_MAX);
	assert_int_equal(macros_check_placeholders("{{x}}", 5, NULL),
			 -GH_BAD_PLACEHOLDER);
}

static void
test_expand(void **state)
{
	struct macro_vars v = {"  Ada \tLovelace", "Alice Agent", 42,
			       "Acme & Co"};
	char *out = NULL;

	(void)state;
	assert_int_equal(macros_expand("Hi {{customer.first_name}}, "
				       "{{agent.first_name}} of "
				       "{{company.name}} on #{{ticket.id}}.",
				       &v, &out), 0);
	assert_string_equal(out, "Hi Ada, Alice of Acme & Co on #42.");
	free(out);
	assert_int_equal(macros_expand("plain }} text", &v, &out), 0);
	assert_string_equal(out, "plain }} text");
	free(out);
	v = (struct macro_vars){"", NULL, 7, NULL};
	assert_int_equal(macros_expand("[{{customer.first_name}}]"
				       "[{{agent.first_name}}][{{company.name}}]"
				       "{{ticket.id}}",
				       &v, &out), 0);
	assert_string_equal(out, "[][][]7");
	free(out);
	assert_int_equal(macros_expand("{{customer.phone}}", &v, &out),
			 -GH_BAD_PLACEHOLDER);
	assert_null(out);
}

static struct macro_input
input(const char *name, const char *text, const char *queue)
{
	return (struct macro_input){name, text, queue, NULL, NULL, NULL, 0,
				    NULL, 0};
}

static int
create(struct fx *f, const struct tk_actor *a, struct macro_input in,
       int64_t *id, struct macro_refusal *r)
{
	struct macro_rec m;
	int rc;

	macro_refusal_clear(r);
	rc = macros_create(&f->app, f->c, a, &in, r, &m);
	if (id != NULL)
		*id = rc == 0 ? m.id : 0;
	macro_rec_clear(&m);
	return rc;
}

/* Bound to no ticket: the company's own domain is allowed, another
 * address and a card number are blocked, as they would be in a reply. */
static void
test_unbound_check(void **state)
{
	struct fx *f = *state;
	struct macro_refusal r;
	int64_t id;

	macro_refusal_init(&r);
	assert_int_equal(create(f, &f->a1, input("Mail us", "Write to "
				"help@example.com.", NULL), &id, &r), 0);
	assert_int_equal(create(f, &f->a1, input("Other", "Write to "
				"someone@elsewhere.org.", NULL), NULL, &r),
			 -GH_DLP_BLOCKED);
	assert_true(r.findings.n >= 1);
	assert_string_equal(r.field, "text");
	assert_int_equal(create(f, &f->a1, input("Card", "4111 1111 1111 "
				"1111", NULL), NULL, &r), -GH_DLP_BLOCKED);
	assert_string_equal(r.findings.v[0].type, "credit_card");
	macro_refusal_clear(&r);
}

/* Who creates, changes and uses which macro. */
static void
test_rules(void **state)
{
	struct fx *f = *state;
	struct macro_refusal r;
	struct macro_list l;
	struct macro_input in = input("Shared", "Hello.", "general");
	struct ticket_rec t;
	struct tk_reply rep;
	int64_t mine, shared, tid;
	char *text = NULL;

	macro_refusal_init(&r);
	assert_int_equal(create(f, &f->a1, in, NULL, &r), -GH_FORBIDDEN);
	assert_int_equal(create(f, &f->a_cust, input("C", "x", NULL), NULL,
				&r), -GH_FORBIDDEN);
	assert_int_equal(create(f, &f->s, in, &shared, &r), 0);
	assert_int_equal(create(f, &f->s, in, NULL, &r), -GH_MACRO_EXISTS);
	assert_int_equal(create(f, &f->a1, input("Mine", "Hi {{ticket.id}}.",
				NULL), &mine, &r), 0);
	assert_int_equal(macros_update(&f->app, f->c, &f->a2, mine, &in, &r,
				       &(struct macro_rec){0}), -GH_NOT_FOUND);
	assert_int_equal(macros_delete(&f->app, f->c, &f->a1, shared),
			 -GH_FORBIDDEN);
	assert_int_equal(macros_delete(&f->app, f->c, &f->s, mine),
			 -GH_NOT_FOUND);
	assert_int_equal(macros_list(&f->app, f->c, &f->a2, 0, &l), 0);
	assert_int_equal(l.n, 1); /* the shared one of general only */
	assert_int_equal(l.v[0].id, shared);
	macro_list_clear(&l);
	assert_int_equal(tickets_portal_create(&f->app, f->c, &f->a_cust,
					       "Subject", "Body", &t), 0);
	tid = t.id;
	assert_int_equal(macros_preview(&f->app, f->c, &f->a2, tid, mine,
					&text, NULL), -GH_NOT_FOUND);
	assert_int_equal(macros_preview(&f->app, f->c, &f->a1, tid, mine,
					&text, NULL), 0);
	assert_non_null(strstr(text, "Hi "));
	free(text);
	tk_reply_init(&rep);
	assert_int_equal(macros_apply(&f->app, f->c, &f->a1, tid, shared,
				      &text, &rep, &t), 0);
	assert_string_equal(text, "Hello.");
	assert_int_equal(t.assignee_id, f->agent1);
	free(text);
	tk_reply_clear(&rep);
	macro_refusal_clear(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_placeholders),
		cmocka_unit_test(test_expand),
		cmocka_unit_test_setup_teardown(test_unbound_check, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rules, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
