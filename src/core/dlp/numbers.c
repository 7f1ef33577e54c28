/*
 * Extractors of the outbound filter's numbers: payment cards (13-19 digits
 * in groups with one kind of separator), IBANs (any case, compact or in
 * groups of 3+ as Presidio's pattern), US social security numbers, UK
 * national insurance numbers and ABA routing numbers. Each reads the
 * whole candidate around a trigger's window, checks its shape and context
 * (a number glued to letters, part of a longer number, named as an order
 * or ticket number) and hands the compact value to its validator
 * (checksums.c). It reports spans, never values.
 */
#include <ctype.h>
#include <string.h>

#include "core/dlp/dlp_int.h"
#include "core/dlp/pii_int.h"

#define UP(c) ascii_upper((char)(c))
#define ALPHA(c) (UPPER(UP(c)))

/* The separator at t[j] between two digit groups of a card: a dash or a
 * dot (kind '-' / '.'), or white space up to CARD_GAP_MAX bytes (kind
 * ' ': spaces, tabs, one line break, no-break spaces). Returns its length
 * when a digit follows, else 0. */
static size_t
card_gap(const char *t, size_t len, size_t j, char *kind)
{
	size_t k = j;

	if (t[j] == '-' || t[j] == '.') {
		*kind = t[j];
		k = j + 1;
	} else {
		int nl = 0;

		*kind = ' ';
		while (k < len && k - j < CARD_GAP_MAX) {
			if (t[k] == ' ' || t[k] == '\t' || t[k] == '\r') {
				k++;
			} else if (t[k] == '\n' && !nl) {
				nl = 1;
				k++;
			} else if ((unsigned char)t[k] == 0xc2 && k + 1 < len &&
				   (unsigned char)t[k + 1] == 0xa0) {
				k += 2;
			} else {
				break;
			}
		}
	}
	return k > j && k < len && k - j <= CARD_GAP_MAX && DIGIT(t[k]) ?
		       k - j :
		       0;
}

void
card_extract(struct scan *s, size_t from, size_t to)
{
	const char *t = s->text;

	for (size_t i = from; i < to; i++) {
		char d[20];
		size_t n = 0, j = i, end = i, g;
		char sep = 0, kind;

		if (!DIGIT(t[i]) || !starts_token(t, i) ||
		    (i > 0 && (t[i - 1] == '-' || t[i - 1] == '.')))
			continue;
		while (j < s->len) {
			if (DIGIT(t[j])) {
				if (n == sizeof(d))
					break;
				d[n++] = t[j++];
				end = j;
			} else if ((g = card_gap(t, s->len, j, &kind)) > 0 &&
				   (sep == 0 || sep == kind)) {
				/* One kind of separator in one number. */
				sep = kind;
				j += g;
			} else {
				break;
			}
		}
		/* Skip the rest of this run either way. */
		if (n < 13 || n > 19 || (end < s->len && (ALNUM(t[end]))) ||
		    !luhn_ok(d, n) || !card_issuer_ok(d, n) || all_same(d, n)) {
			i = end > i ? end - 1 : i;
			continue;
		}
		if (finding_add(s, "credit_card", "luhn+issuer", i, end) < 0)
			return;
		i = end - 1;
	}
}

/* IBANs in any case ("gb29 nwbk ..." is typed too); the value is upper-
 * cased before the registry and mod-97 checks. Separators as Presidio's
 * pattern allows them: one space or dash after a group of 3+ characters
 * (`GB82 WEST 1234 5698 7654 32`, `DE89 370 400 440 532 013 000`). A
 * compact IBAN may be glued to a following word where its last character
 * is a digit ("DE89...3000EUR"): the registry length says where it ends. */
static size_t
iban_take(const char *t, size_t len, size_t j, char *c, size_t flen,
	  int *spaced)
{
	size_t n = 4, run = 4;

	*spaced = 0;
	while (n < flen && j < len) {
		if ((t[j] == ' ' || t[j] == '-') && run >= 3 && j + 1 < len &&
		    ALNUM(t[j + 1])) {
			*spaced = 1;
			run = 0;
			j++;
			continue;
		}
		if (!ALNUM(t[j]))
			break;
		c[n++] = UP(t[j++]);
		run++;
	}
	return n == flen ? j : 0;
}

void
iban_extract(struct scan *s, size_t from, size_t to)
{
	const char *t = s->text;

	for (size_t i = from; i < to; i++) {
		char c[34];
		size_t end, flen;
		int spaced;

		if (i + 4 > s->len || !ALPHA(t[i]) || !ALPHA(t[i + 1]) ||
		    !DIGIT(t[i + 2]) || !DIGIT(t[i + 3]) || !starts_token(t, i))
			continue;
		c[0] = UP(t[i]);
		c[1] = UP(t[i + 1]);
		c[2] = t[i + 2];
		c[3] = t[i + 3];
		flen = iban_length(c);
		if (flen == 0)
			continue;
		end = iban_take(t, s->len, i + 4, c, flen, &spaced);
		if (end == 0 ||
		    (end < s->len && ALNUM(t[end]) &&
		     !(!spaced && DIGIT(t[end - 1]) && !DIGIT(t[end]))))
			continue;
		if (!iban_ok(c, flen))
			continue;
		if (finding_add(s, "iban", "iso13616+mod97", i, end) < 0)
			return;
		i = end - 1;
	}
}

static int
ends_clean(const struct scan *s, size_t end)
{
	const char *t = s->text;

	if (end >= s->len)
		return 1;
	if (ALNUM(t[end]))
		return 0;
	/* Not part of a longer dotted or dashed number. */
	if ((t[end] == '-' || t[end] == '.') && end + 1 < s->len &&
	    DIGIT(t[end + 1]))
		return 0;
	return 1;
}

static int
context_before(const struct scan *s, size_t at, const char *const *words)
{
	size_t from = at > 48 ? at - 48 : 0;

	for (size_t w = 0; words[w] != NULL; w++) {
		size_t m = strlen(words[w]);

		for (size_t i = from; i + m <= at; i++)
			if (strncasecmp(s->text + i, words[w], m) == 0)
				return 1;
	}
	return 0;
}

void
ssn_extract(struct scan *s, size_t from, size_t to)
{
	static const char *const ctxw[] = {"ssn", "social security", NULL};
	const char *t = s->text;

	for (size_t i = from; i < to; i++) {
		char d[9];
		size_t end = 0;

		if (!DIGIT(t[i]) || !starts_token(t, i) ||
		    (i >= 2 && (t[i - 1] == '-' || t[i - 1] == '.') &&
		     DIGIT(t[i - 2])))
			continue;
		if (digits_at(t, s->len, i, 4) == 3 && i + 11 <= s->len &&
		    (t[i + 3] == ' ' || t[i + 3] == '-' || t[i + 3] == '.') &&
		    t[i + 6] == t[i + 3] && digits_at(t, s->len, i + 4, 3) == 2 &&
		    digits_at(t, s->len, i + 7, 5) == 4) {
			memcpy(d, t + i, 3);
			memcpy(d + 3, t + i + 4, 2);
			memcpy(d + 5, t + i + 7, 4);
			end = i + 11;
		} else if (digits_at(t, s->len, i, 4) == 3 && i + 10 <= s->len &&
			   t[i + 3] == '-' &&
			   digits_at(t, s->len, i + 4, 7) == 6) {
			memcpy(d, t + i, 3);
			memcpy(d + 3, t + i + 4, 6);
			end = i + 10;
		} else if (digits_at(t, s->len, i, 6) == 5 && i + 10 <= s->len &&
			   t[i + 5] == '-' &&
			   digits_at(t, s->len, i + 6, 5) == 4) {
			memcpy(d, t + i, 5);
			memcpy(d + 5, t + i + 6, 4);
			end = i + 10;
		} else if (digits_at(t, s->len, i, 10) == 9 &&
			   context_before(s, i, ctxw)) {
			memcpy(d, t + i, 9);
			end = i + 9;
		}
		if (end == 0 || !ends_clean(s, end) || !ssn_ok(d))
			continue;
		if (finding_add(s, "us_ssn", "ssa-rules", i, end) < 0)
			return;
		i = end - 1;
	}
}

void
nino_extract(struct scan *s, size_t from, size_t to)
{
	const char *t = s->text;

	for (size_t i = from; i < to; i++) {
		char c[9];
		size_t j = i + 2, n = 2;
		int spaced;

		if (i + 9 > s->len || !isalpha((unsigned char)t[i]) ||
		    !isalpha((unsigned char)t[i + 1]) || !starts_token(t, i))
			continue;
		c[0] = (char)toupper((unsigned char)t[i]);
		c[1] = (char)toupper((unsigned char)t[i + 1]);
		spaced = t[j] == ' ';
		for (int g = 0; g < 3; g++) {
			if (spaced) {
				if (j >= s->len || t[j] != ' ')
					break;
				j++;
			}
			if (digits_at(t, s->len, j, 3) < 2)
				break;
			c[n++] = t[j];
			c[n++] = t[j + 1];
			j += 2;
		}
		if (n != 8)
			continue;
		/* Presidio: `(?:\d{6}|\s\d{2}\s\d{2}\s\d{2})\s?[a-d]`, the
		 * space before the suffix optional in either form. */
		if (j < s->len && t[j] == ' ')
			j++;
		if (j >= s->len || !isalpha((unsigned char)t[j]))
			continue;
		c[8] = (char)toupper((unsigned char)t[j]);
		j++;
		if (j < s->len && ALNUM(t[j]))
			continue;
		if (!nino_ok(c))
			continue;
		if (finding_add(s, "uk_nino", "hmrc-rules", i, j) < 0)
			return;
		i = j - 1;
	}
}

/* Words that name a bare nine-digit number as something other than a
 * routing number (4% of random nine-digit numbers pass the checksum and
 * prefix test, so "order 121000358" must not block a reply). */
static int
aba_named_other(const struct scan *s, size_t at)
{
	static const char *const other[] = {
		"order", "invoice", "ticket", "tracking", "reference", "ref",
		"case", "confirmation", "booking", "parcel", "shipment",
		"customer", "member", "phone", "tel", "#", "no.", "id", NULL};
	size_t from = at > 24 ? at - 24 : 0;

	for (size_t w = 0; other[w] != NULL; w++) {
		size_t m = strlen(other[w]);

		for (size_t i = from; i + m <= at; i++)
			if (strncasecmp(s->text + i, other[w], m) == 0 &&
			    (i == 0 || !ALNUM(s->text[i - 1])) &&
			    (!ALNUM(other[w][m - 1]) || i + m >= s->len ||
			     !ALNUM(s->text[i + m])))
				return 1;
	}
	return 0;
}

void
aba_extract(struct scan *s, size_t from, size_t to)
{
	static const char *const ctxw[] = {"routing", "aba", "rtn", "transit",
					   "bank", "wire", "ach", NULL};
	const char *t = s->text;

	for (size_t i = from; i < to; i++) {
		char d[9];
		size_t end = 0;

		if (!DIGIT(t[i]) || !starts_token(t, i) ||
		    (i >= 2 && (t[i - 1] == '-' || t[i - 1] == '.') &&
		     DIGIT(t[i - 2])))
			continue;
		if (digits_at(t, s->len, i, 10) == 9) {
			memcpy(d, t + i, 9);
			end = i + 9;
		} else if (digits_at(t, s->len, i, 5) == 4 && i + 11 <= s->len &&
			   t[i + 4] == '-' &&
			   digits_at(t, s->len, i + 5, 5) == 4 &&
			   t[i + 9] == '-' &&
			   digits_at(t, s->len, i + 10, 2) == 1) {
			memcpy(d, t + i, 4);
			memcpy(d + 4, t + i + 5, 4);
			d[8] = t[i + 10];
			end = i + 11;
		}
		if (end == 0 || !ends_clean(s, end) || !aba_ok(d))
			continue;
		if (end == i + 9 && aba_named_other(s, i) &&
		    !context_before(s, i, ctxw))
			continue;
		if (finding_add(s, "aba_routing", "aba-checksum", i, end) < 0)
			return;
		i = end - 1;
	}
}
