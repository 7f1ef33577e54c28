/*
 * Unit tests of core/sla.c's hook on a real SQLite store: a store error
 * while reading a ticket's calendar fails sla_update (so the caller's
 * transaction rolls back) instead of passing for a calendar that does
 * not compute, which would clear the ticket's due time and commit.
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

#include "core/app.h"
#include "core/sla.h"
#include "core/tickets.h"
#include "util/errors.h"

#include "ticket_fixture.h"

static int
setup(void **state)
{
	return fx_setup(state, "/tmp/gh-test-sla-XXXXXX");
}

/* Queue general under a policy whose calendar has every hour. */
static void
always_policy(struct fx *f)
{
	struct calendar cal;
	struct sla_policy_rec p;
	const char *field = NULL;

	memset(&cal, 0, sizeof(cal));
	snprintf(cal.tz, sizeof(cal.tz), "UTC");
	for (int d = 0; d < 7; d++) {
		assert_int_equal(calendar_parse_span("00:00-24:00",
						     &cal.spans[d][0]),
				 0);
		cal.nspans[d] = 1;
	}
	assert_int_equal(sla_calendar_put(&f->app, f->c, &f->s, NULL,
					  "always", &cal, &field),
			 0);
	memset(&p, 0, sizeof(p));
	for (int i = 0; i < SLA_NPRIO; i++) {
		p.first_response[i] = 480;
		p.resolution[i] = 2400;
	}
	assert_int_equal(sla_policy_put(&f->app, f->c, &f->s, "general",
					"always", &p, &field),
			 0);
}

static int
cal_get_fails(struct store_conn *c, int64_t id, const char *name,
	      struct sla_calendar_rec *out)
{
	(void)c;
	(void)id;
	(void)name;
	memset(out, 0, sizeof(*out));
	return -GH_INTERNAL;
}

/* The store fails reading the calendar: sla_update returns its error
 * and writes nothing; the ticket keeps its due time. */
static void
test_store_error_fails_update(void **state)
{
	struct fx *f = *state;
	const struct store_ops *real = f->c->ops;
	struct store_ops ops = *real;
	struct store_sla_ops sla = *real->sla;
	struct sla_ticket_rec before, after;
	struct ticket_rec t;

	always_policy(f);
	assert_int_equal(tickets_portal_create(&f->app, f->c, &f->a_cust,
					       "Printer on fire", "It smokes",
					       &t),
			 0);
	assert_int_equal(real->sla->ticket_get(f->c, t.id, &before), 0);
	assert_true(before.has_state);
	assert_true(before.st.fr_due > 0);
	sla.cal_get = cal_get_fails;
	ops.sla = &sla;
	f->c->ops = &ops;
	assert_int_equal(sla_update(&f->app, f->c, t.id,
				    sla_clock(time(NULL)) + 60),
			 -GH_INTERNAL);
	f->c->ops = real;
	assert_int_equal(real->sla->ticket_get(f->c, t.id, &after), 0);
	assert_int_equal(after.st.fr_due, before.st.fr_due);
	assert_int_equal(after.st.res_due, before.st.res_due);
	assert_int_equal(after.st.running_since, before.st.running_since);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_store_error_fails_update,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
