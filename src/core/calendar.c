/*
 * Business calendars (see core/calendar.h): the text forms, the checks,
 * and the two computations. Local dates are counted as days since
 * 1970-01-01 with the civil-date arithmetic below (no time zone needed);
 * only turning a local date and minute into an instant asks ICU, with a
 * UCalendar of the calendar's zone opened for the one computation (a
 * UCalendar is not shared between threads).
 *
 * Invariant: a working window is [the span's start, its end) on the wall
 * clock of the date it starts on, converted by ICU (a wall time skipped by
 * DST moves forward, a repeated one is read as its first occurrence);
 * windows come in time order, one date after the other.
 */
#include "core/calendar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ucal.h>
#include <unicode/ustring.h>

#include "util/errors.h"

const char *const calendar_weekdays[7] = {"mon", "tue", "wed", "thu",
					  "fri", "sat", "sun"};

/* Searching further than this for working time is a calendar without
 * any (every day a holiday). */
#define ADD_MAX_DAYS 3660
#define BETWEEN_MAX_DAYS 36600

/* --- civil dates -------------------------------------------------------- */

/* Days since 1970-01-01 of y-m-d (proleptic Gregorian). */
static int32_t
days_from_civil(int y, int m, int d)
{
	int era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int32_t z, int *y, int *m, int *d)
{
	int era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yoe + era * 400 + (*m <= 2);
}

/* 0 = Monday (1970-01-01 was a Thursday). */
static int
weekday_of(int32_t day)
{
	int w = (int)((day + 3) % 7);

	return w < 0 ? w + 7 : w;
}

/* --- text forms ---------------------------------------------------------- */

/* "HH:MM" at s (exactly 5 characters) into minutes; 24:00 only when
 * allow24. -1 when it is not one. */
static int
parse_hhmm(const char *s, int allow24)
{
	int h, m;

	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' ||
	    s[2] != ':' || s[3] < '0' || s[3] > '5' || s[4] < '0' ||
	    s[4] > '9')
		return -1;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	if (h < 24)
		return h * 60 + m;
	return allow24 && h == 24 && m == 0 ? 1440 : -1;
}

int
calendar_parse_span(const char *s, struct cal_span *out)
{
	int a, b;

	if (s == NULL || strlen(s) != 11 || s[5] != '-')
		return -GH_BAD_FIELD;
	a = parse_hhmm(s, 0);
	b = parse_hhmm(s + 6, 1);
	if (a < 0 || b < 0 || a == b)
		return -GH_BAD_FIELD;
	out->start = a;
	out->end = b > a ? b : b + 1440;
	return 0;
}

int
calendar_parse_date(const char *s, int32_t *day)
{
	int y, m, d, yy, mm, dd;

	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -GH_BAD_FIELD;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -GH_BAD_FIELD;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1970 || y > 2999 || m < 1 || m > 12 || d < 1 || d > 31)
		return -GH_BAD_FIELD;
	*day = days_from_civil(y, m, d);
	civil_from_days(*day, &yy, &mm, &dd);
	return yy == y && mm == m && dd == d ? 0 : -GH_BAD_FIELD;
}

void
calendar_span_text(const struct cal_span *sp, char out[12])
{
	int e = sp->end > 1440 ? sp->end - 1440 : sp->end;
	unsigned a = (unsigned)sp->start, b = (unsigned)e;

	snprintf(out, 12, "%02u:%02u-%02u:%02u", (a / 60) % 100u, a % 60u,
		 (b / 60) % 100u, b % 60u);
}

void
calendar_date_text(int32_t day, char out[11])
{
	int y, m, d;

	civil_from_days(day, &y, &m, &d);
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u,
		 (unsigned)m % 100u, (unsigned)d % 100u);
}

void
calendar_hours_text(const struct calendar *cal, char *out, size_t sz)
{
	size_t n = 0;

	out[0] = '\0';
	for (int w = 0; w < 7; w++) {
		if (cal->nspans[w] == 0)
			continue;
		n += (size_t)snprintf(out + n, n < sz ? sz - n : 0, "%s%s=",
				      n > 0 ? ";" : "", calendar_weekdays[w]);
		for (int i = 0; i < cal->nspans[w]; i++) {
			char t[12];

			calendar_span_text(&cal->spans[w][i], t);
			n += (size_t)snprintf(out + n, n < sz ? sz - n : 0,
					      "%s%s", i > 0 ? "," : "", t);
		}
	}
}

void
calendar_holidays_text(const struct calendar *cal, char *out, size_t sz)
{
	size_t n = 0;

	out[0] = '\0';
	for (int i = 0; i < cal->nholidays; i++) {
		char t[11];

		calendar_date_text(cal->holidays[i], t);
		n += (size_t)snprintf(out + n, n < sz ? sz - n : 0, "%s%s",
				      i > 0 ? "," : "", t);
	}
}

/* One "day=span,span" item of the hours text into cal. */
static int
parse_day_item(struct calendar *cal, char *item)
{
	char *eq = strchr(item, '=');
	char *save = NULL;
	int w = -1;

	if (eq == NULL)
		return -GH_BAD_FIELD;
	*eq = '\0';
	for (int i = 0; i < 7; i++)
		if (strcmp(item, calendar_weekdays[i]) == 0)
			w = i;
	if (w < 0 || cal->nspans[w] > 0)
		return -GH_BAD_FIELD;
	for (char *t = strtok_r(eq + 1, ",", &save); t != NULL;
	     t = strtok_r(NULL, ",", &save)) {
		if (cal->nspans[w] >= CAL_SPANS_MAX ||
		    calendar_parse_span(t, &cal->spans[w][cal->nspans[w]]) < 0)
			return -GH_BAD_FIELD;
		cal->nspans[w]++;
	}
	return 0;
}

int
calendar_from_text(struct calendar *cal, const char *tz, const char *hours,
		   const char *holidays)
{
	char buf[CAL_HOLIDAYS_TEXT];
	char *save = NULL;
	const char *field;
	int rc = 0;

	memset(cal, 0, sizeof(*cal));
	if (strlen(tz) > CAL_TZ_MAX || strlen(hours) >= sizeof(buf) ||
	    strlen(holidays) >= sizeof(buf))
		return -GH_BAD_FIELD;
	snprintf(cal->tz, sizeof(cal->tz), "%s", tz);
	snprintf(buf, sizeof(buf), "%s", hours);
	for (char *t = strtok_r(buf, ";", &save); rc == 0 && t != NULL;
	     t = strtok_r(NULL, ";", &save))
		rc = parse_day_item(cal, t);
	snprintf(buf, sizeof(buf), "%s", holidays);
	save = NULL;
	for (char *t = strtok_r(buf, ",", &save); rc == 0 && t != NULL;
	     t = strtok_r(NULL, ",", &save)) {
		if (cal->nholidays >= CAL_HOLIDAYS_MAX)
			return -GH_BAD_FIELD;
		rc = calendar_parse_date(t, &cal->holidays[cal->nholidays++]);
	}
	return rc < 0 ? rc : calendar_check(cal, &field);
}

/* --- checks --------------------------------------------------------------- */

int
calendar_valid_tz(const char *tz)
{
	UChar id[CAL_TZ_MAX + 1], canon[128];
	UErrorCode st = U_ZERO_ERROR;
	UBool sys = 0;
	size_t n = tz != NULL ? strlen(tz) : 0;

	if (n == 0 || n > CAL_TZ_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (tz[i] <= ' ' || tz[i] > '~')
			return 0;
	u_uastrncpy(id, tz, CAL_TZ_MAX + 1);
	ucal_getCanonicalTimeZoneID(id, (int32_t)n, canon, 128, &sys, &st);
	return U_SUCCESS(st) && sys;
}

static int
cmp_span(const void *a, const void *b)
{
	const struct cal_span *x = a, *y = b;

	return x->start - y->start;
}

static int
cmp_day(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

/* The spans of each day sorted, apart, an overnight one last and ending
 * before the next day's first start; at least one span in the week. */
static int
check_hours(struct calendar *cal)
{
	int total = 0;

	for (int w = 0; w < 7; w++) {
		struct cal_span *s = cal->spans[w];
		int n = cal->nspans[w];

		if (n < 0 || n > CAL_SPANS_MAX)
			return -GH_BAD_FIELD;
		qsort(s, (size_t)n, sizeof(*s), cmp_span);
		for (int i = 0; i < n; i++)
			if (s[i].start < 0 || s[i].start >= 1440 ||
			    s[i].end <= s[i].start ||
			    s[i].end > s[i].start + 1440 ||
			    (i > 0 && s[i].start < s[i - 1].end))
				return -GH_BAD_FIELD;
		total += n;
	}
	for (int w = 0; w < 7; w++) {
		int n = cal->nspans[w], next = (w + 1) % 7;

		if (n == 0 || cal->spans[w][n - 1].end <= 1440)
			continue;
		if (cal->nspans[next] > 0 &&
		    cal->spans[w][n - 1].end - 1440 >
			    cal->spans[next][0].start)
			return -GH_BAD_FIELD;
	}
	return total > 0 ? 0 : -GH_BAD_FIELD;
}

int
calendar_check(struct calendar *cal, const char **field)
{
	int n = 0;

	*field = "time_zone";
	if (!calendar_valid_tz(cal->tz))
		return -GH_BAD_FIELD;
	*field = "hours";
	if (check_hours(cal) < 0)
		return -GH_BAD_FIELD;
	*field = "holidays";
	if (cal->nholidays < 0 || cal->nholidays > CAL_HOLIDAYS_MAX)
		return -GH_BAD_FIELD;
	qsort(cal->holidays, (size_t)cal->nholidays, sizeof(int32_t), cmp_day);
	for (int i = 0; i < cal->nholidays; i++)
		if (n == 0 || cal->holidays[n - 1] != cal->holidays[i])
			cal->holidays[n++] = cal->holidays[i];
	for (int i = n; i < cal->nholidays; i++)
		cal->holidays[i] = 0;
	cal->nholidays = n;
	*field = NULL;
	return 0;
}

/* --- the computations ----------------------------------------------------- */

static int
is_holiday(const struct calendar *cal, int32_t day)
{
	return bsearch(&day, cal->holidays, (size_t)cal->nholidays,
		       sizeof(int32_t), cmp_day) != NULL;
}

static UCalendar *
zone_open(const struct calendar *cal)
{
	UChar id[CAL_TZ_MAX + 1];
	UErrorCode st = U_ZERO_ERROR;
	UCalendar *u;

	u_uastrncpy(id, cal->tz, CAL_TZ_MAX + 1);
	u = ucal_open(id, (int32_t)strlen(cal->tz), "en_US_POSIX",
		      UCAL_GREGORIAN, &st);
	if (U_FAILURE(st)) {
		if (u != NULL)
			ucal_close(u);
		return NULL;
	}
	return u;
}

/* The local date of instant t. */
static int
local_day(UCalendar *u, int64_t t, int32_t *day)
{
	UErrorCode st = U_ZERO_ERROR;
	int y, m, d;

	ucal_setMillis(u, (UDate)t * 1000.0, &st);
	y = ucal_get(u, UCAL_YEAR, &st);
	m = ucal_get(u, UCAL_MONTH, &st) + 1;
	d = ucal_get(u, UCAL_DATE, &st);
	if (U_FAILURE(st))
		return -GH_INTERNAL;
	*day = days_from_civil(y, m, d);
	return 0;
}

/* The instant of minute min (0..2880) of local date day. */
static int
local_instant(UCalendar *u, int32_t day, int min, int64_t *out)
{
	UErrorCode st = U_ZERO_ERROR;
	int y, m, d;
	UDate ms;

	civil_from_days(day + min / 1440, &y, &m, &d);
	min %= 1440;
	ucal_clear(u);
	ucal_setDateTime(u, y, m - 1, d, min / 60, min % 60, 0, &st);
	ms = ucal_getMillis(u, &st);
	if (U_FAILURE(st))
		return -GH_INTERNAL;
	*out = (int64_t)(ms / 1000.0);
	return 0;
}

/* The working windows of local date day, in order: *n of them into
 * w[CAL_SPANS_MAX][2]. */
static int
day_windows(const struct calendar *cal, UCalendar *u, int32_t day,
	    int64_t w[][2], int *n)
{
	int wd = weekday_of(day);

	*n = 0;
	if (is_holiday(cal, day))
		return 0;
	for (int i = 0; i < cal->nspans[wd]; i++) {
		const struct cal_span *s = &cal->spans[wd][i];

		if (local_instant(u, day, s->start, &w[*n][0]) < 0 ||
		    local_instant(u, day, s->end, &w[*n][1]) < 0)
			return -GH_INTERNAL;
		if (w[*n][1] > w[*n][0])
			(*n)++;
	}
	return 0;
}

/* Walks the windows from the date before start's: consumes secs. */
static int
add_walk(const struct calendar *cal, UCalendar *u, int64_t start,
	 int64_t secs, int64_t *out)
{
	int64_t w[CAL_SPANS_MAX][2];
	int32_t day;
	int n;

	if (local_day(u, start, &day) < 0)
		return -GH_INTERNAL;
	for (int32_t d = day - 1; d <= day + ADD_MAX_DAYS; d++) {
		if (day_windows(cal, u, d, w, &n) < 0)
			return -GH_INTERNAL;
		for (int i = 0; i < n; i++) {
			int64_t from = w[i][0] > start ? w[i][0] : start;

			if (w[i][1] <= from)
				continue;
			if (secs <= w[i][1] - from) {
				*out = from + secs;
				return 0;
			}
			secs -= w[i][1] - from;
		}
	}
	return -GH_BAD_STATE;
}

int
calendar_add(const struct calendar *cal, int64_t start, int64_t secs,
	     int64_t *out)
{
	UCalendar *u;
	int rc;

	*out = start;
	if (secs <= 0)
		return 0;
	u = zone_open(cal);
	if (u == NULL)
		return -GH_INTERNAL;
	rc = add_walk(cal, u, start, secs, out);
	ucal_close(u);
	return rc;
}

/* Sums the overlap of [a, b) with the windows of the dates it touches. */
static int
between_walk(const struct calendar *cal, UCalendar *u, int64_t a, int64_t b,
	     int64_t *out)
{
	int64_t w[CAL_SPANS_MAX][2];
	int32_t da, db;
	int n;

	if (local_day(u, a, &da) < 0 || local_day(u, b, &db) < 0)
		return -GH_INTERNAL;
	if (db - da > BETWEEN_MAX_DAYS)
		return -GH_BAD_STATE;
	for (int32_t d = da - 1; d <= db; d++) {
		if (day_windows(cal, u, d, w, &n) < 0)
			return -GH_INTERNAL;
		for (int i = 0; i < n; i++) {
			int64_t from = w[i][0] > a ? w[i][0] : a;
			int64_t to = w[i][1] < b ? w[i][1] : b;

			if (to > from)
				*out += to - from;
		}
	}
	return 0;
}

int
calendar_between(const struct calendar *cal, int64_t a, int64_t b,
		 int64_t *out)
{
	UCalendar *u;
	int rc;

	*out = 0;
	if (b <= a)
		return 0;
	u = zone_open(cal);
	if (u == NULL)
		return -GH_INTERNAL;
	rc = between_walk(cal, u, a, b, out);
	ucal_close(u);
	return rc;
}
