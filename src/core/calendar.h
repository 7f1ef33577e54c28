/*
 * Business calendars: a time zone (an IANA id, through ICU's ucal), the
 * working hours of each weekday (several spans a day; a span may run past
 * midnight, "22:00-06:00") and holidays (local dates on which no span
 * starts). Two pure computations over them: the instant N business
 * seconds after an instant, and the business seconds between two
 * instants, both exact across DST changes (a span is converted from the
 * zone's wall clock on its own date).
 *
 * Invariant: a calendar that passed calendar_check() has at least one
 * span, its spans of a weekday sorted and apart, an overnight span last of
 * its day and ending no later than the next weekday's first span starts,
 * and a time zone ICU knows as a system zone; the computations assume it.
 * Nothing here reads the clock: every instant is given (seconds since the
 * epoch, UTC).
 */
#ifndef GH_CORE_CALENDAR_H
#define GH_CORE_CALENDAR_H

#include <stddef.h>
#include <stdint.h>

#define CAL_TZ_MAX 64          /* bytes of an IANA id */
#define CAL_SPANS_MAX 4        /* spans a weekday */
#define CAL_HOLIDAYS_MAX 200
/* Text forms (store): "mon=09:00-12:00,13:00-17:00;tue=..." and
 * "2026-12-25,2026-12-26". */
#define CAL_HOURS_TEXT 512
#define CAL_HOLIDAYS_TEXT (CAL_HOLIDAYS_MAX * 11 + 1)

/* Minutes from the local midnight of the day the span starts on:
 * 0 <= start < 1440, start < end <= start + 1440 (end > 1440: the next
 * day). */
struct cal_span {
	int start, end;
};

struct calendar {
	char tz[CAL_TZ_MAX + 1];
	struct cal_span spans[7][CAL_SPANS_MAX]; /* 0 = Monday */
	int nspans[7];
	int32_t holidays[CAL_HOLIDAYS_MAX];      /* days since 1970-01-01 */
	int nholidays;
};

/* The weekday names the text forms and the API use, "mon".."sun". */
extern const char *const calendar_weekdays[7];

/* "HH:MM-HH:MM" (24:00 allowed as an end; an end at or before the start
 * runs into the next day) into *out. 0 or -GH_BAD_FIELD. */
int calendar_parse_span(const char *s, struct cal_span *out);
/* "YYYY-MM-DD" (a real date, years 1970..2999) into *day. 0 or
 * -GH_BAD_FIELD. */
int calendar_parse_date(const char *s, int32_t *day);
/* The span as "HH:MM-HH:MM" (12 bytes) and the day as "YYYY-MM-DD" (11
 * bytes). */
void calendar_span_text(const struct cal_span *sp, char out[12]);
void calendar_date_text(int32_t day, char out[11]);

/* 1 when tz is a system time zone id ICU knows (e.g. "Europe/Berlin",
 * "UTC"). */
int calendar_valid_tz(const char *tz);
/* Checks the invariant above; sorts the spans of each day and the
 * holidays (duplicates removed). -GH_BAD_FIELD with *field set to
 * "time_zone", "hours" or "holidays". */
int calendar_check(struct calendar *cal, const char **field);

/* The text forms of the hours and holidays (buffers of CAL_HOURS_TEXT and
 * CAL_HOLIDAYS_TEXT bytes), and a calendar from them (then checked):
 * 0 or -GH_BAD_FIELD. */
void calendar_hours_text(const struct calendar *cal, char *out, size_t sz);
void calendar_holidays_text(const struct calendar *cal, char *out,
			    size_t sz);
int calendar_from_text(struct calendar *cal, const char *tz,
		       const char *hours, const char *holidays);

/* *out = the earliest instant at which secs (>= 0) business seconds have
 * passed since start (start itself for 0). -GH_BAD_STATE when the
 * calendar has no working time in the next ten years (all holidays),
 * -GH_INTERNAL when ICU fails. */
int calendar_add(const struct calendar *cal, int64_t start, int64_t secs,
		 int64_t *out);
/* *out = the business seconds in [a, b) (0 when b <= a). -GH_BAD_STATE
 * for a range over a hundred years, -GH_INTERNAL when ICU fails. */
int calendar_between(const struct calendar *cal, int64_t a, int64_t b,
		     int64_t *out);

#endif
