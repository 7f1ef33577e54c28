/*
 * core/drills: scheduling, delivery, events and statistics of phishing
 * drills through the real store with injected times. A campaign scheduled
 * for later is delivered at its send time and not before, once, as a
 * ticket assigned to the target, from a disabled pseudo-customer, that
 * the portal cannot list; the campaign limits hold over a sliding hour
 * and bad input writes nothing; only the target's first read counts as
 * "opened"; a reply on a drill ticket makes no mail (ASVS 14.2.3); the
 * statistics give the rates and the median time to report per agent,
 * campaign and week (Monday, UTC).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/app.h"
#include "core/dlp/dlp.h"
#include "core/drills.h"
#include "core/tickets.h"
#include "crypto/crypto.h"
#include "store/store.h"
#include "util/errors.h"

#include "ticket_fixture.h"

/* 2026-03-01 00:00:00 UTC, a Sunday: its week starts on 2026-02-23. */
#define T0 1772323200
#define WEEK_OF_T0 1771804800
#define WEEK_AFTER 1772409600

static int
setup(void **state)
{
	return fx_setup(state, "/tmp/gh-test-drills-XXXXXX");
}

/* Schedules template for the n staff ids at now (send_at 0: now). */
static int
schedule(struct fx *f, const char *tpl, const int64_t *ids, size_t n,
	 int64_t send_at, int64_t now, int64_t *id)
{
	struct drill_request q = {tpl, ids, n, NULL, send_at};
	const char *field = NULL;

	return drills_schedule(&f->app, f->c, &f->s, &q, now, id, &field);
}

static void
target(struct fx *f, int64_t camp, int64_t staff, struct drill_target *out)
{
	struct drill_target_list l;
	int found = 0;

	assert_int_equal(f->c->ops->drills.target_list(f->c, camp, &l), 0);
	for (size_t i = 0; i < l.n; i++)
		if (l.v[i].staff_id == staff) {
			*out = l.v[i];
			found = 1;
		}
	drill_target_list_clear(&l);
	assert_true(found);
}

static int64_t
campaigns(struct fx *f)
{
	int64_t n = -1;

	assert_int_equal(f->c->ops->drills.campaign_count(f->c, 0, &n), 0);
	return n;
}

static void
test_delivered_at_send_time_once(void **state)
{
	struct fx *f = *state;
	int64_t ids[] = {f->agent1}, camp = 0;
	struct drill_target t;
	struct ticket_rec rec;
	struct ticket_list pl;
	struct account acc;
	struct ticket_query q = {f->agent2, 0, NULL, TA_ANY, 0, 100, 0, 0, 0};

	assert_int_equal(schedule(f, "phone-change", ids, 1, T0 + 3600, T0,
				  &camp),
			 0);
	assert_int_equal(drills_deliver_due(&f->app, f->c, 0, T0 + 3599), 0);
	target(f, camp, f->agent1, &t);
	assert_int_equal(t.ticket_id, 0);
	/* Another agent's due drills are not delivered for this one. */
	assert_int_equal(drills_deliver_due(&f->app, f->c, f->agent2,
					    T0 + 3600),
			 0);
	target(f, camp, f->agent1, &t);
	assert_int_equal(t.ticket_id, 0);
	assert_int_equal(drills_deliver_due(&f->app, f->c, f->agent1,
					    T0 + 3600),
			 0);
	assert_int_equal(drills_deliver_due(&f->app, f->c, 0, T0 + 4000), 0);
	target(f, camp, f->agent1, &t);
	assert_true(t.ticket_id > 0);
	assert_int_equal(t.delivered_at, T0 + 3600);
	assert_int_equal(f->c->ops->drills.target_by_ticket(f->c, t.ticket_id,
							    &t),
			 0);
	/* Assigned to the target, marked; no other agent sees it. */
	q.viewer_id = f->agent1;
	assert_int_equal(f->c->ops->staff_ticket_get(f->c, &q, t.ticket_id,
						     &rec),
			 0);
	assert_int_equal(rec.assignee_id, f->agent1);
	assert_int_equal(rec.drill_id, t.id);
	q.viewer_id = f->agent2;
	assert_int_equal(f->c->ops->staff_ticket_get(f->c, &q, t.ticket_id,
						     &rec),
			 -GH_NOT_FOUND);
	/* From a disabled pseudo-customer the portal never shows it to. */
	assert_int_equal(f->c->ops->account_by_login(f->c, REALM_CUSTOMER,
						     "drill-sender:phone-change",
						     &acc),
			 0);
	assert_true(acc.disabled);
	assert_int_equal(f->c->ops->portal_ticket_list(
				 f->c, acc.id, &(struct ticket_page){10, 0, 0, 0},
				 &pl),
			 0);
	assert_int_equal(pl.n, 0);
	ticket_list_clear(&pl);
	assert_int_equal(f->c->ops->portal_ticket_get(f->c, acc.id,
						      t.ticket_id, &rec),
			 -GH_NOT_FOUND);
	account_clear(&acc);
}

static void
test_limits(void **state)
{
	struct fx *f = *state;
	int64_t ids[] = {f->agent1}, two[] = {f->agent1, f->agent1};
	int64_t none[] = {9999}, id = 0;
	struct drill_request q = {"fake-invoice", NULL, 0, "nosuchqueue", 0};
	const char *field = NULL;

	f->app.cfg.drill_campaigns_per_hour = 1;
	assert_int_equal(schedule(f, "nope", ids, 1, 0, T0, &id),
			 -GH_UNKNOWN_TEMPLATE);
	assert_int_equal(schedule(f, "fake-invoice", ids, 1, T0 - 61, T0, &id),
			 -GH_BAD_FIELD);
	assert_int_equal(schedule(f, "fake-invoice", ids, 1,
				  T0 + 90 * 86400 + 1, T0, &id),
			 -GH_BAD_FIELD);
	assert_int_equal(schedule(f, "fake-invoice", two, 2, 0, T0, &id),
			 -GH_DRILL_NO_TARGETS);
	assert_int_equal(schedule(f, "fake-invoice", none, 1, 0, T0, &id),
			 -GH_DRILL_NO_TARGETS);
	assert_int_equal(drills_schedule(&f->app, f->c, &f->s, &q, T0, &id,
					 &field),
			 -GH_UNKNOWN_QUEUE);
	assert_string_equal(field, "queue");
	/* Agents may not schedule. */
	q = (struct drill_request){"fake-invoice", ids, 1, NULL, 0};
	assert_int_equal(drills_schedule(&f->app, f->c, &f->a1, &q, T0, &id,
					 &field),
			 -GH_FORBIDDEN);
	assert_int_equal(campaigns(f), 0);
	f->app.cfg.drill_max_targets = 1;
	two[1] = f->agent2;
	assert_int_equal(schedule(f, "fake-invoice", two, 2, 0, T0, &id),
			 -GH_DRILL_TOO_MANY_TARGETS);
	assert_int_equal(schedule(f, "fake-invoice", ids, 1, T0 - 60, T0, &id),
			 0);
	/* One an hour: refused within the hour, allowed after it. */
	assert_int_equal(schedule(f, "fake-invoice", ids, 1, 0, T0 + 3599,
				  &id),
			 -GH_RATE_LIMITED);
	assert_int_equal(schedule(f, "fake-invoice", ids, 1, 0, T0 + 3601,
				  &id),
			 0);
	assert_int_equal(campaigns(f), 2);
}

static void
test_opened_by_target_once(void **state)
{
	struct fx *f = *state;
	int64_t ids[] = {f->agent1}, camp = 0;
	struct drill_target t;
	struct ticket_rec rec = {0};

	assert_int_equal(schedule(f, "urgent-mfa-reset", ids, 1, 0, T0, &camp),
			 0);
	target(f, camp, f->agent1, &t);
	rec.id = t.ticket_id;
	rec.drill_id = t.id;
	assert_int_equal(drills_on_view(&f->app, f->c, &f->s, &rec, T0 + 5), 0);
	target(f, camp, f->agent1, &t);
	assert_int_equal(t.ev[DRILL_OPENED], 0);
	assert_int_equal(drills_on_view(&f->app, f->c, &f->a1, &rec, T0 + 9),
			 0);
	assert_int_equal(drills_on_view(&f->app, f->c, &f->a1, &rec, T0 + 20),
			 0);
	target(f, camp, f->agent1, &t);
	assert_int_equal(t.ev[DRILL_OPENED], T0 + 9);
}

/* A reply on a drill ticket is stored; nothing is queued for mail. */
static void
test_reply_makes_no_mail(void **state)
{
	struct fx *f = *state;
	int64_t ids[] = {f->agent1}, camp = 0;
	struct drill_target t;
	struct outbox_list l;
	struct tk_reply res;

	assert_int_equal(schedule(f, "phone-change", ids, 1, 0, T0, &camp), 0);
	target(f, camp, f->agent1, &t);
	tk_reply_init(&res);
	assert_int_equal(tickets_reply(&f->app, f->c, &f->a1, t.ticket_id,
				       "Thanks, we will look into it.", &res),
			 0);
	assert_true(res.item.id > 0);
	assert_false(res.held);
	tk_reply_clear(&res);
	assert_int_equal(f->c->ops->outbox_due(f->c, INT64_MAX / 2, 10, &l),
			 0);
	assert_int_equal(l.n, 0);
	outbox_list_clear(&l);
}

static json_t *
find(json_t *arr, const char *key, int64_t value)
{
	size_t i;
	json_t *o;

	json_array_foreach(arr, i, o)
		if (json_integer_value(json_object_get(o, key)) == value)
			return o;
	fail_msg("no item with %s = %lld", key, (long long)value);
	return NULL;
}

static void
test_stats(void **state)
{
	struct fx *f = *state;
	int64_t both[] = {f->agent1, f->agent2}, one[] = {f->agent1};
	int64_t c1 = 0, c2 = 0;
	struct drill_target t;
	json_t *s = NULL, *o;

	assert_int_equal(schedule(f, "fake-invoice", both, 2, 0, T0, &c1), 0);
	assert_int_equal(schedule(f, "phone-change", one, 1, 0, T0 + 7 * 86400,
				  &c2),
			 0);
	target(f, c1, f->agent1, &t);
	assert_int_equal(f->c->ops->drills.target_event(f->c, t.id,
							DRILL_REPORTED, T0 + 100),
			 0);
	assert_int_equal(f->c->ops->drills.target_event(f->c, t.id,
							DRILL_REPORTED, T0 + 999),
			 -GH_CONFLICT);
	target(f, c1, f->agent2, &t);
	assert_int_equal(f->c->ops->drills.target_event(f->c, t.id,
							DRILL_CLICKED, T0 + 30),
			 0);
	target(f, c2, f->agent1, &t);
	assert_int_equal(f->c->ops->drills.target_event(
				 f->c, t.id, DRILL_REPORTED, T0 + 7 * 86400 + 50),
			 0);
	assert_int_equal(drills_stats(f->c, &f->a1, &s), -GH_FORBIDDEN);
	assert_int_equal(drills_stats(f->c, &f->s, &s), 0);
	o = find(json_object_get(s, "agents"), "staff_id", f->agent1);
	assert_int_equal(json_integer_value(json_object_get(o, "delivered")), 2);
	assert_true(json_real_value(json_object_get(o, "report_rate")) == 1.0);
	assert_true(json_real_value(json_object_get(o, "click_rate")) == 0.0);
	assert_int_equal(json_integer_value(json_object_get(
				 o, "median_report_seconds")),
			 75);
	o = find(json_object_get(s, "agents"), "staff_id", f->agent2);
	assert_true(json_real_value(json_object_get(o, "click_rate")) == 1.0);
	assert_true(json_is_null(json_object_get(o, "median_report_seconds")));
	o = find(json_object_get(s, "campaigns"), "campaign", c1);
	assert_true(json_real_value(json_object_get(o, "report_rate")) == 0.5);
	assert_int_equal(json_integer_value(json_object_get(
				 o, "median_report_seconds")),
			 100);
	assert_int_equal(json_array_size(json_object_get(s, "weeks")), 2);
	o = json_array_get(json_object_get(s, "weeks"), 0);
	assert_int_equal(json_integer_value(json_object_get(o, "week_start")),
			 WEEK_OF_T0);
	assert_int_equal(json_integer_value(json_object_get(o, "delivered")), 2);
	o = json_array_get(json_object_get(s, "weeks"), 1);
	assert_int_equal(json_integer_value(json_object_get(o, "week_start")),
			 WEEK_AFTER);
	json_decref(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_delivered_at_send_time_once,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_opened_by_target_once,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_reply_makes_no_mail, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stats, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
