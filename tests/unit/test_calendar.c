/*
 * Unit tests of core/calendar.c (business calendars) and of the pure SLA
 * step of core/sla_calc.c, with fixed instants: business time across the
 * DST changes of Europe/Berlin (spring 2026-03-29, autumn 2026-10-25),
 * weekends, holidays and spans past midnight; the checks that refuse a
 * bad calendar; and a ticket's clock paused while pending, breaching once
 * and stopping when solved.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/calendar.h"
#include "core/sla.h"
#include "util/errors.h"

#define H 3600

/* Instants (seconds, UTC) of Berlin wall times, computed with Python's
 * zoneinfo. */
#define FRI_0327_1600 1774623600 /* CET, before the spring change */
#define MON_0330_1000 1774857600 /* CEST, after it */
#define SAT_0328_2200 1774731600 /* CET */
#define SUN_0329_0600 1774756800 /* CEST: the night had 7 hours */
#define SAT_1024_2200 1792872000 /* CEST */
#define SUN_1025_0600 1792904400 /* CET: the night had 9 hours */
#define THU_1224_1600 1798124400
#define MON_1228_1000 1798448400
#define WED_0325_1200 1774436400
#define WED_0325_1300 1774440000
#define UTC_0110_0100 1768006800
#define UTC_0111_0300 1768100400

static void
office(struct calendar *cal, const char *tz)
{
	const char *f;

	memset(cal, 0, sizeof(*cal));
	snprintf(cal->tz, sizeof(cal->tz), "%s", tz);
	for (int w = 0; w < 5; w++) {
		cal->spans[w][0] = (struct cal_span){9 * 60, 17 * 60};
		cal->nspans[w] = 1;
	}
	assert_int_equal(calendar_check(cal, &f), 0);
}

static void
nights(struct calendar *cal, const char *tz)
{
	const char *f;

	memset(cal, 0, sizeof(*cal));
	snprintf(cal->tz, sizeof(cal->tz), "%s", tz);
	for (int w = 0; w < 7; w++) {
		assert_int_equal(calendar_parse_span("22:00-06:00",
						     &cal->spans[w][0]), 0);
		cal->nspans[w] = 1;
	}
	assert_int_equal(calendar_check(cal, &f), 0);
}

/* Office hours over the weekend of the spring change: Friday's last hour
 * and Monday's first; 2 hours on from Friday 16:00 is Monday 10:00. */
static void
test_weekend_across_dst(void **state)
{
	struct calendar cal;
	int64_t v;

	(void)state;
	office(&cal, "Europe/Berlin");
	assert_int_equal(calendar_between(&cal, FRI_0327_1600, MON_0330_1000,
					  &v), 0);
	assert_int_equal(v, 2 * H);
	assert_int_equal(calendar_add(&cal, FRI_0327_1600, 2 * H, &v), 0);
	assert_int_equal(v, MON_0330_1000);
	/* Inside a window: an hour later. Zero: the start itself. */
	assert_int_equal(calendar_add(&cal, WED_0325_1200, H, &v), 0);
	assert_int_equal(v, WED_0325_1300);
	assert_int_equal(calendar_add(&cal, WED_0325_1200, 0, &v), 0);
	assert_int_equal(v, WED_0325_1200);
	/* Exactly a window's end: the end, not the next morning. */
	assert_int_equal(calendar_add(&cal, FRI_0327_1600, H, &v), 0);
	assert_int_equal(v, FRI_0327_1600 + H);
	assert_int_equal(calendar_between(&cal, MON_0330_1000, FRI_0327_1600,
					  &v), 0);
	assert_int_equal(v, 0);
}

/* A night shift 22:00-06:00 lasts 7 hours in the spring night and 9 in
 * the autumn night: business time is real time, not wall time. */
static void
test_night_shift_dst(void **state)
{
	struct calendar cal;
	int64_t v;

	(void)state;
	nights(&cal, "Europe/Berlin");
	assert_int_equal(calendar_between(&cal, SAT_0328_2200, SUN_0329_0600,
					  &v), 0);
	assert_int_equal(v, 7 * H);
	assert_int_equal(calendar_between(&cal, SAT_1024_2200, SUN_1025_0600,
					  &v), 0);
	assert_int_equal(v, 9 * H);
	assert_int_equal(calendar_add(&cal, SAT_0328_2200, 7 * H, &v), 0);
	assert_int_equal(v, SUN_0329_0600);
}

/* Starting inside the span that began the day before (01:00 is in
 * Friday's 22:00-06:00): 5 hours to 06:00, the other 5 from 22:00. */
static void
test_span_past_midnight(void **state)
{
	struct calendar cal;
	int64_t v;

	(void)state;
	nights(&cal, "UTC");
	assert_int_equal(calendar_add(&cal, UTC_0110_0100, 10 * H, &v), 0);
	assert_int_equal(v, UTC_0111_0300);
	assert_int_equal(calendar_between(&cal, UTC_0110_0100, UTC_0111_0300,
					  &v), 0);
	assert_int_equal(v, 10 * H);
}

/* Christmas Day is a holiday: Thursday's last hour, then Monday. */
static void
test_holiday(void **state)
{
	struct calendar cal;
	int64_t v;
	const char *f;

	(void)state;
	office(&cal, "Europe/Berlin");
	assert_int_equal(calendar_parse_date("2026-12-25", &cal.holidays[0]),
			 0);
	cal.nholidays = 1;
	assert_int_equal(calendar_check(&cal, &f), 0);
	assert_int_equal(calendar_add(&cal, THU_1224_1600, 2 * H, &v), 0);
	assert_int_equal(v, MON_1228_1000);
	assert_int_equal(calendar_between(&cal, THU_1224_1600, MON_1228_1000,
					  &v), 0);
	assert_int_equal(v, 2 * H);
}

/* The text forms round-trip; what they cannot hold is refused. */
static void
test_text_forms(void **state)
{
	struct calendar cal, back;
	char hours[CAL_HOURS_TEXT], hol[CAL_HOLIDAYS_TEXT];

	(void)state;
	assert_int_equal(calendar_from_text(&cal, "Europe/Berlin",
					    "mon=13:00-17:00,09:00-12:00;"
					    "sat=22:00-24:00",
					    "2026-12-26,2026-12-25,2026-12-25"),
			 0);
	calendar_hours_text(&cal, hours, sizeof(hours));
	calendar_holidays_text(&cal, hol, sizeof(hol));
	assert_string_equal(hours,
			    "mon=09:00-12:00,13:00-17:00;sat=22:00-24:00");
	assert_string_equal(hol, "2026-12-25,2026-12-26");
	assert_int_equal(calendar_from_text(&back, cal.tz, hours, hol), 0);
	assert_memory_equal(&back, &cal, sizeof(cal));
	assert_int_equal(calendar_from_text(&cal, "UTC", "xyz=09:00-10:00", ""),
			 -GH_BAD_FIELD);
	assert_int_equal(calendar_from_text(&cal, "UTC", "mon=09:00-10:00",
					    "2026-13-01"),
			 -GH_BAD_FIELD);
}

/* Refusals: spans, dates, zones, overlaps, an empty week. */
static void
test_refusals(void **state)
{
	static const char *const bad_spans[] = {
		"25:00-26:00", "09:00-09:00", "9:00-17:00", "09:00-17:60",
		"09:00_17:00", "", "24:00-01:00", "09:00-17:00x"};
	static const char *const bad_dates[] = {"2026-02-30", "2026-1-01",
						"1969-12-31", "2026-00-10",
						"20261225", "2023-02-29"};
	struct cal_span sp;
	struct calendar cal;
	int32_t d;
	const char *f;

	(void)state;
	for (size_t i = 0; i < sizeof(bad_spans) / sizeof(bad_spans[0]); i++)
		assert_int_equal(calendar_parse_span(bad_spans[i], &sp),
				 -GH_BAD_FIELD);
	for (size_t i = 0; i < sizeof(bad_dates) / sizeof(bad_dates[0]); i++)
		assert_int_equal(calendar_parse_date(bad_dates[i], &d),
				 -GH_BAD_FIELD);
	assert_int_equal(calendar_parse_date("2024-02-29", &d), 0);
	assert_int_equal(calendar_parse_span("00:00-24:00", &sp), 0);
	assert_int_equal(sp.end, 1440);
	assert_false(calendar_valid_tz("Mars/Olympus_Mons"));
	assert_false(calendar_valid_tz("GMT+05:00"));
	assert_false(calendar_valid_tz("Europe/Berlin "));
	assert_true(calendar_valid_tz("America/New_York"));
	office(&cal, "Europe/Berlin");
	snprintf(cal.tz, sizeof(cal.tz), "%s", "Nowhere/City");
	assert_int_equal(calendar_check(&cal, &f), -GH_BAD_FIELD);
	assert_string_equal(f, "time_zone");
	office(&cal, "UTC");
	cal.spans[0][1] = (struct cal_span){16 * 60, 18 * 60}; /* overlaps */
	cal.nspans[0] = 2;
	assert_int_equal(calendar_check(&cal, &f), -GH_BAD_FIELD);
	assert_string_equal(f, "hours");
	office(&cal, "UTC");
	cal.spans[0][0] = (struct cal_span){22 * 60, 34 * 60}; /* to 10:00 */
	assert_int_equal(calendar_check(&cal, &f), -GH_BAD_FIELD);
	memset(&cal, 0, sizeof(cal));
	snprintf(cal.tz, sizeof(cal.tz), "%s", "UTC");
	assert_int_equal(calendar_check(&cal, &f), -GH_BAD_FIELD);
	assert_string_equal(f, "hours");
}

/* --- the SLA step ------------------------------------------------------------ */

#define T0 1780000000

static void
always(struct calendar *cal)
{
	const char *f;

	memset(cal, 0, sizeof(*cal));
	snprintf(cal->tz, sizeof(cal->tz), "%s", "UTC");
	for (int w = 0; w < 7; w++) {
		cal->spans[w][0] = (struct cal_span){0, 1440};
		cal->nspans[w] = 1;
	}
	assert_int_equal(calendar_check(cal, &f), 0);
}

static struct sla_state
fresh(void)
{
	struct sla_state s = {0, 0, 0, -1, 0, 0};

	return s;
}

/* Due at creation; pending pauses (no due time, the clock keeps what it
 * had); reopened, the due time has moved by the time spent pending. */
static void
test_step_paused_while_pending(void **state)
{
	struct calendar cal;
	struct sla_input in = {"open", 0, 0, 0, H, 4 * H};
	struct sla_result r;
	struct sla_state s;

	(void)state;
	always(&cal);
	s = fresh();
	assert_int_equal(sla_step(NULL, &cal, &s, &in, T0, &r), 0);
	assert_int_equal(r.due_at, T0 + H);
	assert_int_equal(r.next_check, T0 + H);
	assert_int_equal(r.st.running_since, T0);
	in.status = "pending";
	assert_int_equal(sla_step(&cal, &cal, &r.st, &in, T0 + 600, &r), 0);
	assert_int_equal(r.st.accrued, 600);
	assert_int_equal(r.st.running_since, 0);
	assert_int_equal(r.due_at, 0);
	assert_int_equal(r.next_check, 0);
	in.status = "open";
	assert_int_equal(sla_step(&cal, &cal, &r.st, &in, T0 + 600 + 5000, &r),
			 0);
	assert_int_equal(r.st.accrued, 600);
	assert_int_equal(r.due_at, T0 + H + 5000);
	assert_false(r.breach_fr || r.breach_res);
}

/* Missed once: the step that passes the due time reports the breach
 * with the due instant; the due time stays shown (overdue) until met;
 * recorded, it is not reported again. */
static void
test_step_breach_once(void **state)
{
	struct calendar cal;
	struct sla_input in = {"open", 0, 0, 0, H, 4 * H};
	struct sla_result r;
	struct sla_state s = fresh();

	(void)state;
	always(&cal);
	assert_int_equal(sla_step(NULL, &cal, &s, &in, T0, &r), 0);
	assert_int_equal(sla_step(&cal, &cal, &r.st, &in, T0 + H + 30, &r), 0);
	assert_true(r.breach_fr);
	assert_false(r.breach_res);
	assert_int_equal(r.fr_breach_due, T0 + H);
	assert_int_equal(r.due_at, T0 + H);
	assert_int_equal(r.next_check, T0 + 4 * H);
	in.fr_recorded = 1;
	assert_int_equal(sla_step(&cal, &cal, &r.st, &in, T0 + 2 * H, &r), 0);
	assert_false(r.breach_fr);
	/* Answered late: met, no due time of its own; resolution next. */
	in.staff_replied = 1;
	assert_int_equal(sla_step(&cal, &cal, &r.st, &in, T0 + 3 * H, &r), 0);
	assert_int_equal(r.st.fr_elapsed, 3 * H);
	assert_false(r.breach_fr);
	assert_int_equal(r.due_at, T0 + 4 * H);
}

/* Answered in time, then solved: no breach, no due time, no check. */
static void
test_step_met_and_solved(void **state)
{
	struct calendar cal;
	struct sla_input in = {"open", 1, 0, 0, H, 4 * H};
	struct sla_result r;
	struct sla_state s = fresh();

	(void)state;
	always(&cal);
	assert_int_equal(sla_step(NULL, &cal, &s, &in, T0, &r), 0);
	assert_int_equal(r.st.fr_elapsed, 0);
	assert_int_equal(r.due_at, T0 + 4 * H);
	in.status = "solved";
	assert_int_equal(sla_step(&cal, &cal, &r.st, &in, T0 + H, &r), 0);
	assert_false(r.breach_fr || r.breach_res);
	assert_int_equal(r.due_at, 0);
	assert_int_equal(r.next_check, 0);
	/* Reopened after the resolution target's time: the clock goes on
	 * from an hour; past four it is missed. */
	in.status = "open";
	assert_int_equal(sla_step(&cal, &cal, &r.st, &in, T0 + 10 * H, &r), 0);
	assert_int_equal(r.due_at, T0 + 13 * H);
	assert_int_equal(sla_step(&cal, &cal, &r.st, &in, T0 + 13 * H, &r), 0);
	assert_true(r.breach_res);
	assert_int_equal(r.res_breach_due, T0 + 13 * H);
}

/* Business hours: the first-response target of 2 hours set on Friday at
 * 16:00 is due on Monday at 10:00 (after the DST change). */
static void
test_step_business_hours(void **state)
{
	struct calendar cal;
	struct sla_input in = {"open", 0, 0, 0, 2 * H, 0};
	struct sla_result r;
	struct sla_state s = fresh();

	(void)state;
	office(&cal, "Europe/Berlin");
	assert_int_equal(sla_step(NULL, &cal, &s, &in, FRI_0327_1600, &r), 0);
	assert_int_equal(r.due_at, MON_0330_1000);
	assert_int_equal(sla_priority_index("urgent"), 3);
	assert_int_equal(sla_priority_index("critical"), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_weekend_across_dst),
		cmocka_unit_test(test_night_shift_dst),
		cmocka_unit_test(test_span_past_midnight),
		cmocka_unit_test(test_holiday),
		cmocka_unit_test(test_text_forms),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_step_paused_while_pending),
		cmocka_unit_test(test_step_breach_once),
		cmocka_unit_test(test_step_met_and_solved),
		cmocka_unit_test(test_step_business_hours),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
