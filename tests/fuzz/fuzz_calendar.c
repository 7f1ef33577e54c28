/*
 * libFuzzer harness for business calendars (core/calendar.h), the parser
 * of what supervisors send as a calendar (time zone, spans "HH:MM-HH:MM",
 * dates) in its stored text form. The input is split at NUL bytes: the
 * time zone, the hours text, the holidays text, then 8 bytes of an
 * instant and 4 of a duration.
 *
 * It asserts the contracts too: a calendar that parses writes out the
 * same text it reads back; N business seconds added to an instant are N
 * business seconds between the two; nothing is ever negative.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "util/errors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The next part of [*p, end) up to a NUL, copied into out (cut). */
static void
part(const char **p, const char *end, char *out, size_t sz)
{
	const char *s = *p;
	const char *nul = memchr(s, '\0', (size_t)(end - s));
	size_t n = nul != NULL ? (size_t)(nul - s) : (size_t)(end - s);

	*p = nul != NULL ? nul + 1 : end;
	if (n >= sz)
		n = sz - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

static void
check_round_trip(const struct calendar *cal)
{
	char hours[CAL_HOURS_TEXT], hol[CAL_HOLIDAYS_TEXT];
	struct calendar back;

	calendar_hours_text(cal, hours, sizeof(hours));
	calendar_holidays_text(cal, hol, sizeof(hol));
	if (calendar_from_text(&back, cal->tz, hours, hol) != 0 ||
	    memcmp(&back, cal, sizeof(back)) != 0)
		abort();
}

static void
check_sums(const struct calendar *cal, int64_t t, int64_t n)
{
	int64_t end = 0, got = -1;

	if (calendar_add(cal, t, n, &end) != 0)
		return;
	if (end < t || calendar_between(cal, t, end, &got) != 0 || got != n)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	char tz[CAL_TZ_MAX + 2], hours[CAL_HOURS_TEXT],
		hol[CAL_HOLIDAYS_TEXT];
	struct calendar cal;
	struct cal_span sp;
	uint32_t t = 0, n = 0;
	int32_t day;

	part(&p, end, tz, sizeof(tz));
	part(&p, end, hours, sizeof(hours));
	part(&p, end, hol, sizeof(hol));
	(void)calendar_parse_span(hours, &sp);
	(void)calendar_parse_date(hol, &day);
	if (calendar_from_text(&cal, tz, hours, hol) != 0)
		return 0;
	check_round_trip(&cal);
	if (end - p >= 8) {
		memcpy(&t, p, 4);
		memcpy(&n, p + 4, 4);
	}
	/* 2001..2137, and under a day of business time. */
	check_sums(&cal, 1000000000 + (int64_t)t, (int64_t)(n % 86400));
	return 0;
}
