/*
 * The triggers of the digit detectors (cards, IBANs, US SSNs, UK NINOs,
 * ABA routing numbers, phone numbers) without Hyperscan. In support text
 * (order and tracking numbers, dates, amounts, times, phone numbers) their
 * expressions (pii_trigger()) matched at almost every run of digits: in
 * the main database they cost six times the rest of the scan together,
 * nearly all of it in reporting and dispatching those ends. Here one walk
 * over the runs of digits finds the same ends: every run is found by a
 * word-at-a-time skip over the bytes without a digit, and each trigger is
 * tried only at the few offsets around a run where one of its matches can
 * end, backwards from there.
 *
 * The invariant: for each detector, digit_triggers() reports exactly the
 * end offsets at which Hyperscan reports a match of that detector's
 * expression (no start of match, block mode, ASCII \b and \d), each once,
 * in increasing order; tests/unit/test_dlp.c compares both on random and
 * realistic text.
 */
#include <stdint.h>
#include <string.h>

#include "core/dlp/dlp_int.h"
#include "core/dlp/pii_int.h"

/* One step of a pattern read backwards: `n` bytes of class `cls`, or
 * (opt) zero or one. */
enum bcls { BC_DIGIT, BC_ALNUM, BC_SPACE, BC_SEP3, BC_SEP2, BC_DASH };

struct bstep {
	enum bcls cls;
	unsigned char n;
	unsigned char opt;
};

static int
in_cls(enum bcls cls, unsigned char c)
{
	switch (cls) {
	case BC_DIGIT:
		return DIGIT(c);
	case BC_ALNUM:
		return ascii_alnum(c);
	case BC_SPACE:
		return c == ' ';
	case BC_SEP3:
		return c == ' ' || c == '.' || c == '-';
	case BC_SEP2:
		return c == ' ' || c == '-';
	default:
		return c == '-';
	}
}

/* Whether steps[0, n) (the pattern from its end) match t ending at `to`. */
static int
back_match(const char *t, size_t to, const struct bstep *steps, size_t n)
{
	const struct bstep *s = steps;

	if (n == 0)
		return 1;
	if (s->opt && to > 0 && in_cls(s->cls, (unsigned char)t[to - 1]) &&
	    back_match(t, to - 1, steps + 1, n - 1))
		return 1;
	if (s->opt)
		return back_match(t, to, steps + 1, n - 1);
	if (to < s->n)
		return 0;
	for (size_t k = 1; k <= s->n; k++)
		if (!in_cls(s->cls, (unsigned char)t[to - k]))
			return 0;
	return back_match(t, to - s->n, steps + 1, n - 1);
}

#define STEPS(a) (a), sizeof(a) / sizeof((a)[0])

/* \d{3}[ .-]?\d{2}[ .-]?\d{4} | \d{3}-\d{6} | \d{5}-\d{4}, backwards. */
static const struct bstep ssn1[] = {{BC_DIGIT, 4, 0}, {BC_SEP3, 1, 1},
				    {BC_DIGIT, 2, 0}, {BC_SEP3, 1, 1},
				    {BC_DIGIT, 3, 0}};
static const struct bstep ssn2[] = {{BC_DIGIT, 6, 0}, {BC_DASH, 1, 0},
				    {BC_DIGIT, 3, 0}};
static const struct bstep ssn3[] = {{BC_DIGIT, 4, 0}, {BC_DASH, 1, 0},
				    {BC_DIGIT, 5, 0}};
/* \d{4}-\d{4}-\d (the ABA's second form), backwards. */
static const struct bstep aba2[] = {{BC_DIGIT, 1, 0}, {BC_DASH, 1, 0},
				    {BC_DIGIT, 4, 0}, {BC_DASH, 1, 0},
				    {BC_DIGIT, 4, 0}};
/* \d{2} ?\d{2} ?\d{2} ? before the NINO's suffix letter, backwards. */
static const struct bstep nino[] = {{BC_SPACE, 1, 1}, {BC_DIGIT, 2, 0},
				    {BC_SPACE, 1, 1}, {BC_DIGIT, 2, 0},
				    {BC_SPACE, 1, 1}, {BC_DIGIT, 2, 0}};

/* Hyperscan's \w without UCP. */
static int
hs_word(unsigned char c)
{
	return ascii_alnum(c) || c == '_';
}

/* Eight bytes at a time: a byte between '0' and '9' is found by the
 * "has a byte between" bit trick. */
size_t
next_digit(const char *t, size_t len, size_t i)
{
	const uint64_t ones = 0x0101010101010101ull;
	const uint64_t hi = 0x8080808080808080ull;

	for (; i + 8 <= len; i += 8) {
		uint64_t x, low;

		memcpy(&x, t + i, 8);
		low = x & (ones * 127);
		if ((((ones * (127 + '9' + 1) - low) & ~x &
		      (low + ones * (127 - ('0' - 1)))) & hi) != 0)
			break;
	}
	while (i < len && !DIGIT(t[i]))
		i++;
	return i;
}

/* Separator units ([ \t\r\n.-] or a no-break space) filling t[a, b)
 * exactly, or 4 (more than a card's gap allows) when they do not. */
static size_t
gap_units(const char *t, size_t a, size_t b)
{
	size_t u = 0;

	while (a < b && u <= 3) {
		unsigned char c = (unsigned char)t[a];

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
		    c == '.' || c == '-') {
			a++;
		} else if (c == 0xc2 && a + 1 < b &&
			   (unsigned char)t[a + 1] == 0xa0) {
			a += 2;
		} else {
			return 4;
		}
		u++;
	}
	return a == b ? u : 4;
}

struct walk {
	const char *t;
	size_t len;
	int (*hit)(void *cls, enum builtin b, size_t first, size_t last);
	void *cls;
	size_t chain;		/* card: digits chained up to the last run */
	size_t prev_end;	/* end of the last run */
};

/* \d(?:(?:[ \t\r\n.-]|\xc2\xa0){0,3}\d){12}: a match ends at every digit
 * with 12 or more digits before it, each joined to the next by at most
 * three separator units. */
static int
card_ends(struct walk *w, size_t r0, size_t r1)
{
	size_t first;

	if (w->chain > 0 && gap_units(w->t, w->prev_end, r0) <= 3)
		w->chain += r1 - r0;
	else
		w->chain = r1 - r0;
	if (w->chain < 13)
		return 0;
	first = r1 - (w->chain - 13);
	return w->hit(w->cls, B_CARD, first > r0 + 1 ? first : r0 + 1, r1);
}

/* [(+]\d | \d\b: after the first digit of a run behind "(" or "+", and
 * after the run when no word character follows. */
static int
phone_ends(struct walk *w, size_t r0, size_t r1)
{
	const char *t = w->t;
	int open = r0 > 0 && (t[r0 - 1] == '(' || t[r0 - 1] == '+');

	if (open && r0 + 1 < r1 && w->hit(w->cls, B_PHONE, r0 + 1, r0 + 1))
		return 1;
	if ((r1 == w->len || !hs_word((unsigned char)t[r1])) ||
	    (open && r0 + 1 == r1))
		return w->hit(w->cls, B_PHONE, r1, r1);
	return 0;
}

/*
 * SSN and ABA ends: inside the run (every form ends with digits). Nine
 * digits in a row match \d{9} and the SSN's first form at once; a match
 * with fewer digits of this run has a separator just before the run and a
 * digit before that, so only then is it looked for backwards.
 */
static int
ssn_aba_ends(struct walk *w, size_t r0, size_t r1)
{
	const char *t = w->t;
	int sep = r0 >= 2 && DIGIT(t[r0 - 2]) &&
		  (t[r0 - 1] == ' ' || t[r0 - 1] == '.' || t[r0 - 1] == '-');

	if (sep && t[r0 - 1] == '-' && back_match(t, r0 + 1, STEPS(aba2)) &&
	    w->hit(w->cls, B_ABA, r0 + 1, r0 + 1))
		return 1;
	if (r1 >= r0 + 9 && w->hit(w->cls, B_ABA, r0 + 9, r1))
		return 1;
	for (size_t to = r0 + 4; sep && to <= r1 && to < r0 + 9; to++)
		if ((back_match(t, to, STEPS(ssn1)) ||
		     back_match(t, to, STEPS(ssn2)) ||
		     back_match(t, to, STEPS(ssn3))) &&
		    w->hit(w->cls, B_SSN, to, to))
			return 1;
	return r1 >= r0 + 9 && w->hit(w->cls, B_SSN, r0 + 9, r1);
}

static int
sep2(char c)
{
	return c == ' ' || c == '-';
}

/*
 * The IBAN trigger's ends past the run t[r0, r1) (two or more digits):
 * bit j set for an end at r1 + 1 + j. Its two digits are in the run, so
 * from each place they may end, the rest ([ -]?, three letters or digits,
 * [ -]?, one more) is read forwards.
 */
static unsigned
iban_past(const char *t, size_t len, size_t r0, size_t r1)
{
	unsigned m = 0;

	if (r1 >= len || !(ascii_alnum((unsigned char)t[r1]) || sep2(t[r1])))
		return 0;
	for (size_t e = r1 >= r0 + 7 ? r1 - 5 : r0 + 2; e <= r1; e++) {
		for (size_t s1 = 0; s1 < 2; s1++) {
			size_t q = e + s1, r = q + 3;

			if ((s1 && !sep2(t[e])) || r > len ||
			    !ascii_alnum((unsigned char)t[q]) ||
			    !ascii_alnum((unsigned char)t[q + 1]) ||
			    !ascii_alnum((unsigned char)t[q + 2]))
				continue;
			for (size_t s2 = 0; s2 < 2; s2++) {
				size_t u = r + s2;

				if ((s2 && (r >= len || !sep2(t[r]))) ||
				    u >= len || !ascii_alnum((unsigned char)t[u]))
					continue;
				if (u + 1 > r1)
					m |= 1u << (u - r1);
			}
		}
	}
	return m;
}

/* NINO ends just after the run (its suffix letter, maybe after a space);
 * IBAN ends up to six bytes after the run (its first two digits are two
 * digits of this run). */
static int
after_run_ends(struct walk *w, size_t r0, size_t r1)
{
	const char *t = w->t;
	size_t l = r1 < w->len && t[r1] == ' ' ? r1 + 1 : r1;

	if (l < w->len && ((t[l] >= 'A' && t[l] <= 'D') ||
			   (t[l] >= 'a' && t[l] <= 'd')) &&
	    (l + 1 == w->len || !hs_word((unsigned char)t[l + 1])) &&
	    back_match(t, l, STEPS(nino)) &&
	    w->hit(w->cls, B_NINO, l + 1, l + 1))
		return 1;
	if (r1 - r0 < 2)
		return 0;
	/* Six digits in a row are a match; past the run, look back. */
	if (r1 >= r0 + 6 && w->hit(w->cls, B_IBAN, r0 + 6, r1))
		return 1;
	for (unsigned m = iban_past(t, w->len, r0, r1), j = 0; m != 0;
	     m >>= 1, j++)
		if ((m & 1) != 0 && w->hit(w->cls, B_IBAN, r1 + 1 + j,
					   r1 + 1 + j))
			return 1;
	return 0;
}

int
digit_builtin(enum builtin b)
{
	return b == B_CARD || b == B_IBAN || b == B_SSN || b == B_NINO ||
	       b == B_ABA || b == B_PHONE;
}

int
digit_triggers(const char *t, size_t len,
	       int (*hit)(void *cls, enum builtin b, size_t first,
			  size_t last),
	       void *cls)
{
	struct walk w = {t, len, hit, cls, 0, 0};
	size_t i = 0;

	for (;;) {
		size_t r0 = next_digit(t, len, i), r1 = r0;

		if (r0 >= len)
			return 0;
		while (r1 < len && DIGIT(t[r1]))
			r1++;
		if (card_ends(&w, r0, r1) || phone_ends(&w, r0, r1) ||
		    ssn_aba_ends(&w, r0, r1) || after_run_ends(&w, r0, r1))
			return 1;
		w.prev_end = r1;
		i = r1;
	}
}
