/*
 * Other customers' values in a reply: candidates (account numbers as
 * digit-bearing groups, dates of birth, address word 3-grams holding a
 * digit) are normalised and looked up through the caller's fingerprint
 * callback, which knows whose they are; e-mail addresses and phones are
 * looked up by their extractors (contacts.c). dlp_fingerprint() is the
 * same normalisation for the side that builds the index. It stores and
 * logs nothing.
 */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "core/dlp/dlp_int.h"
#include "core/dlp/pii_int.h"
#include "util/errors.h"

/* A 64-bit hash of kind and v[0, n), eight bytes at a step. */
static uint64_t
value_hash(const char *kind, const char *v, size_t n)
{
	const uint64_t k = 0x9e3779b97f4a7c15ull;
	uint64_t h = (uint64_t)(unsigned char)kind[0] << 8 |
		     (unsigned char)kind[1];
	size_t i = 0;

	h = (h ^ n) * k;
	for (; i + 8 <= n; i += 8) {
		uint64_t x;

		memcpy(&x, v + i, 8);
		h = (h ^ x) * k;
		h ^= h >> 29;
	}
	for (; i < n; i++)
		h = (h ^ (unsigned char)v[i]) * k;
	h ^= h >> 32;
	return h * 0xff51afd7ed558ccdull;
}

/* The slot of (h, n) in this scan's cache, or the empty slot where it
 * goes; NULL when there is no cache. */
static struct fcache_slot *
fcache_slot(struct fcache *fc, uint64_t h, size_t n, char kind)
{
	size_t i = (size_t)h & (FCACHE_SLOTS - 1);

	if (fc == NULL)
		return NULL;
	while (fc->v[i].gen == fc->gen) {
		if (fc->v[i].h == h && fc->v[i].len == n &&
		    fc->v[i].kind == kind)
			return &fc->v[i];
		i = (i + 1) & (FCACHE_SLOTS - 1);
	}
	return &fc->v[i];
}

/*
 * A reply names the same order, date, phone or address again and again
 * (the quoted mail below repeats it): each value is looked up once per
 * scan, and its answer kept (by kind, value hash and length) in the
 * worker's cache, whose entries from earlier scans are stale by their
 * generation.
 */
int
foreign_check(struct scan *s, const char *kind, const char *v, size_t n)
{
	char buf[512];
	struct fcache_slot *sl;
	uint64_t h;
	int res;

	if (s->ctx == NULL || s->ctx->foreign_value == NULL || n == 0 ||
	    n >= sizeof(buf))
		return 0;
	h = value_hash(kind, v, n);
	sl = fcache_slot(s->fc, h, n, kind[0]);
	if (sl != NULL && sl->gen == s->fc->gen)
		return sl->res;
	memcpy(buf, v, n);
	buf[n] = '\0';
	res = s->ctx->foreign_value(s->ctx->cls, kind, buf, n) == 1;
	if (sl != NULL && s->fc->used < FCACHE_SLOTS / 2) {
		sl->gen = s->fc->gen;
		sl->h = h;
		sl->len = (uint32_t)n;
		sl->kind = kind[0];
		sl->res = res;
		s->fc->used++;
	}
	return res;
}

static int
valid_date(int y, int m, int d)
{
	return y >= 1900 && y <= 2100 && m >= 1 && m <= 12 && d >= 1 &&
	       d <= 31;
}

static size_t
fmt_date(char *out, int y, int m, int d)
{
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	return 10;
}

static int
num_at(const char *t, size_t n, size_t k)
{
	int v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (t[k + i] - '0');
	return v;
}

/* Reads a date at t[i]; fills up to two normalised forms. Returns the
 * length read, 0 when there is none. */
static size_t
date_at(const char *t, size_t len, size_t i, char out[2][10], int *nout)
{
	*nout = 0;
	if (i + 10 <= len && digits_at(t, len, i, 5) == 4 && t[i + 4] == '-' &&
	    digits_at(t, len, i + 5, 3) == 2 && t[i + 7] == '-' &&
	    digits_at(t, len, i + 8, 3) == 2) {
		int y = num_at(t, 4, i), m = num_at(t, 2, i + 5),
		    d = num_at(t, 2, i + 8);

		if (valid_date(y, m, d))
			fmt_date(out[(*nout)++], y, m, d);
		return *nout ? 10 : 0;
	}
	if (i + 10 <= len && digits_at(t, len, i, 3) == 2 &&
	    (t[i + 2] == '.' || t[i + 2] == '/') && t[i + 5] == t[i + 2] &&
	    digits_at(t, len, i + 3, 3) == 2 &&
	    digits_at(t, len, i + 6, 5) == 4) {
		int a = num_at(t, 2, i), b = num_at(t, 2, i + 3),
		    y = num_at(t, 4, i + 6);

		if (valid_date(y, b, a))
			fmt_date(out[(*nout)++], y, b, a);
		if (t[i + 2] == '/' && a != b && valid_date(y, a, b))
			fmt_date(out[(*nout)++], y, a, b);
		return *nout ? 10 : 0;
	}
	return 0;
}

#define CLS(c) (byte_class[(unsigned char)(c)])

/* The 3-gram of words ws/we as the index knows it: lower-cased, one space
 * between words, at most 254 bytes; *digit says whether the bytes taken
 * hold a digit. */
static size_t
shingle_text(const char *t, const size_t *ws, const size_t *we, char *buf,
	     size_t cap, int *digit)
{
	size_t n = 0;

	*digit = 0;
	for (size_t w = 0; w < 3; w++) {
		for (size_t k = ws[w]; k < we[w]; k++) {
			if (n + 2 >= cap)
				break;
			if (DIGIT(t[k]))
				*digit = 1;
			buf[n++] = ascii_lower(t[k]);
		}
		if (w < 2 && n + 1 < cap)
			buf[n++] = ' ';
	}
	return n;
}

/* The start of the second word before the word that holds t[d], or lo
 * when there are fewer words in t[lo, d) (no word straddles lo). */
static size_t
words_back(const char *t, size_t lo, size_t d)
{
	size_t p = d;

	for (int k = 0; k < 3; k++) {
		while (p > lo && k > 0 && !(CLS(t[p - 1]) & CL_WORD))
			p--;
		while (p > lo && (CLS(t[p - 1]) & CL_WORD))
			p--;
	}
	return p;
}

/*
 * Calls fn for each run of 3 consecutive lower-cased words of t[0, len)
 * where one word holds a digit, with the span it covers. Most 3-grams of
 * a reply hold no digit at all: whether a word has one is noted as it is
 * read, and only a 3-gram with such a word is copied and lower-cased.
 * Once the last three words read hold no digit, the walk jumps to the
 * next digit (eight bytes at a time) and reads on from two words before
 * its word: the words skipped are in no 3-gram with a digit.
 */
static int
address_shingles(const char *t, size_t len,
		 int (*fn)(void *cls, const char *norm, size_t n, size_t a,
			   size_t b),
		 void *cls)
{
	size_t ws[3], we[3], nw = 0, count = 0;
	unsigned wd = 0;	/* bit k: word k of the last three has a digit */
	size_t i = 0;

	while (i < len) {
		size_t a, n;
		char buf[256];
		unsigned cl = 0;
		int digit;

		if (nw == 3 && wd == 0) {
			/* No 3-gram pending: on to the two words before the
			 * next word with a digit. */
			a = next_digit(t, len, i);
			if (a >= len)
				break;
			i = words_back(t, i, a);
		}
		while (i < len && !(CLS(t[i]) & CL_WORD))
			i++;
		if (i >= len)
			break;
		a = i;
		while (i < len && (CLS(t[i]) & CL_WORD)) {
			cl |= CLS(t[i]);
			i++;
		}
		ws[0] = ws[1];
		we[0] = we[1];
		ws[1] = ws[2];
		we[1] = we[2];
		ws[2] = a;
		we[2] = i;
		wd = (wd >> 1) | ((cl & CL_DIGIT) ? 4u : 0u);
		if (nw < 3)
			nw++;
		if (nw < 3 || wd == 0)
			continue;
		n = shingle_text(t, ws, we, buf, sizeof(buf), &digit);
		if (!digit)
			continue;
		count++;
		if (fn(cls, buf, n, ws[0], we[2]) < 0)
			return -1;
	}
	return (int)count;
}

static int
addr_cb(void *cls, const char *norm, size_t n, size_t a, size_t b)
{
	struct scan *s = cls;

	if (foreign_check(s, "address", norm, n))
		return finding_add(s, "other_customer_data", "address", a, b);
	return 0;
}

/* Numbers: digit-bearing alphanumeric groups joined by single separators,
 * normalised to upper-case letters and digits. */
static size_t
number_at(const char *t, size_t len, size_t i, char *out, size_t *nout)
{
	size_t j = i, n = 0, digits = 0, end = i;

	while (j < len) {
		size_t g = j, gd = 0;

		while (j < len && ALNUM(t[j]))
			j++;
		if (j == g)
			break;
		for (size_t k = g; k < j; k++)
			gd += DIGIT(t[k]);
		if (gd == 0)
			break;
		for (size_t k = g; k < j && n < 34; k++)
			out[n++] = ascii_upper(t[k]);
		digits += gd;
		end = j;
		if (j + 1 < len && (t[j] == ' ' || t[j] == '-' || t[j] == '.' ||
				    t[j] == '/') && ALNUM(t[j + 1]))
			j++;
		else
			break;
	}
	*nout = n;
	return digits >= 6 && n <= 34 ? end : i;
}

/* The date or number starting at token t[i] (its first group holds a
 * digit), looked up; returns where the token's reading ends, or 0 after
 * an error. */
static size_t
foreign_token(struct scan *s, size_t i)
{
	const char *t = s->text;
	char dates[2][10], num[34];
	int nd;
	size_t dl, end, nn;

	dl = DIGIT(t[i]) ? date_at(t, s->len, i, dates, &nd) : 0;
	if (dl > 0) {
		for (int k = 0; k < nd; k++) {
			if (foreign_check(s, "dob", dates[k], 10)) {
				if (finding_add(s, "other_customer_data", "dob",
						i, i + dl) < 0)
					return 0;
				break;
			}
		}
		return i + dl;
	}
	end = number_at(t, s->len, i, num, &nn);
	if (end > i) {
		if (foreign_check(s, "number", num, nn) &&
		    finding_add(s, "other_customer_data", "number", i, end) < 0)
			return 0;
		return end;
	}
	return i + 1;
}

/*
 * Dates and numbers are read at the start of a token (a letter or digit
 * after anything else) whose first run of letters and digits holds a
 * digit: a word without one can start neither, so the walk jumps to the
 * next digit (eight bytes at a time) and back to the start of its run,
 * and steps over the rest of a run once a token was read.
 */
void
foreign_scan(struct scan *s)
{
	const char *t = s->text;
	size_t i = 0;

	if (s->ctx == NULL || s->ctx->foreign_value == NULL)
		return;
	while (i < s->len) {
		size_t d = next_digit(t, s->len, i);

		if (d >= s->len)
			break;
		/* The run of letters and digits that holds t[d]: runs
		 * before it, from i on, hold no digit. */
		while (d > i && (CLS(t[d - 1]) & CL_ALNUM))
			d--;
		i = foreign_token(s, d);
		if (i == 0)
			return;
		while (i < s->len && (CLS(t[i]) & CL_ALNUM))
			i++;
	}
	(void)address_shingles(t, s->len, addr_cb, s);
}

/* ------------------------------------------------------------------ */
/* The index's side */

struct fp_cb {
	void (*cb)(void *, const char *, const char *, size_t);
	void *cls;
};

static int
fp_addr(void *cls, const char *norm, size_t n, size_t a, size_t b)
{
	struct fp_cb *f = cls;
	char buf[256];

	(void)a;
	(void)b;
	memcpy(buf, norm, n);
	buf[n] = '\0';
	f->cb(f->cls, "address", buf, n);
	return 0;
}

int
dlp_fingerprint(const char *kind, const char *v, size_t len,
		void (*cb)(void *cls, const char *kind, const char *normalised,
			   size_t nlen),
		void *cls)
{
	char buf[512];
	size_t n = 0;

	if (strcmp(kind, "email") == 0) {
		while (len > 0 && isspace((unsigned char)*v)) {
			v++;
			len--;
		}
		while (len > 0 && isspace((unsigned char)v[len - 1]))
			len--;
		if (len == 0 || len >= sizeof(buf))
			return 0;
		for (size_t i = 0; i < len; i++)
			buf[n++] = (char)tolower((unsigned char)v[i]);
	} else if (strcmp(kind, "phone") == 0) {
		n = phone_norm(v, len, buf);
		if (n < 7)
			return 0;
	} else if (strcmp(kind, "dob") == 0) {
		char d[2][10];
		int nd;

		if (date_at(v, len, 0, d, &nd) == 0)
			return 0;
		memcpy(buf, d[0], 10);
		n = 10;
	} else if (strcmp(kind, "number") == 0) {
		for (size_t i = 0; i < len && n < sizeof(buf) - 1; i++)
			if (ALNUM(v[i]))
				buf[n++] = (char)toupper((unsigned char)v[i]);
		if (n < 6 || n > 34)
			return 0;
	} else if (strcmp(kind, "address") == 0) {
		struct fp_cb f = {cb, cls};

		return address_shingles(v, len, fp_addr, &f);
	} else {
		return -GH_BAD_FIELD;
	}
	buf[n] = '\0';
	cb(cls, kind, buf, n);
	return 1;
}
