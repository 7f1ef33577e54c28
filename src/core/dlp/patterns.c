/*
 * The built-in detectors of the outbound filter as Hyperscan sees them:
 * one loose trigger per detector (so one pass over the text finds every
 * candidate of every kind), how far before a hit's end its candidates may
 * start, and the dispatch of each raised window to the detector's strict
 * extractor (numbers.c, contacts.c, credentials.c). Phone numbers take two
 * steps: a cheap trigger finds a run of phone characters, and the phone
 * expression runs only over that run.
 */
#include <string.h>

#include "core/dlp/dlp_int.h"
#include "core/dlp/pii_int.h"

const char *
pii_trigger(enum builtin b, unsigned *flags, size_t *back)
{
	*flags = 0;
	switch (b) {
	case B_CARD:
		/* Groups separated by a dash, a dot or a short run of white
		 * space (a line break, two spaces, a no-break space): a card
		 * number wrapped or pasted from a PDF is still a card. */
		*back = 13 + 12 * CARD_GAP_MAX;
		return "\\d(?:(?:[ \\t\\r\\n.-]|\\xc2\\xa0){0,3}\\d){12}";
	case B_IBAN:
		/* From the check digits on: the country code is found by the
		 * extractor, in either case. A trigger that starts with two
		 * letters, caseless, would wake up on every word (it doubled
		 * the cost of the whole scan). The second separator lets
		 * groups of three in (`DE89 370 400 ...`). */
		*back = 11;
		return "\\d{2}[ -]?[A-Za-z0-9]{3}[ -]?[A-Za-z0-9]";
	case B_SSN:
		*back = 12;
		return "\\d{3}[ .-]?\\d{2}[ .-]?\\d{4}|\\d{3}-\\d{6}|"
		       "\\d{5}-\\d{4}";
	case B_NINO:
		*back = 14;
		/* The letters are found by the extractor: a trigger that
		 * starts with two letters would wake up on every word. */
		return "\\d{2} ?\\d{2} ?\\d{2} ?[A-Da-d]\\b";
	case B_ABA:
		*back = 12;
		return "\\d{9}|\\d{4}-\\d{4}-\\d";
	case B_EMAIL:
		*back = 72;
		return "@[A-Za-z0-9-]+\\.[A-Za-z]{2}";
	case B_PHONE:
		/* Not the phone expression (pii_phone_expr): in the main
		 * database that costs a fifth of the scan. Each of its matches
		 * contains "(" or "+" before a digit or a digit followed by a
		 * non-word character, so this cheap expression finds the run
		 * of phone characters (pii_phone_run) the real one is run on. */
		*back = 40;
		return "[(+]\\d|\\d\\b";
	case B_HEADER:
		*back = 48;
		return "(?i)(?:\\b(?:proxy-)?authorization|\\b(?:set-)?cookie)"
		       "[ \\t]{0,8}:[ \\t]{0,8}\\S";
	default:
		return NULL;
	case B_PKEY:
		*back = 80;
		return "-----BEGIN[ A-Z0-9_-]{0,40}PRIVATE KEY(?: BLOCK)?-----";
	}
}

const char *
pii_phone_expr(void)
{
	return "\\+\\d[\\d ().-]{6,}\\d|\\(\\d{2,5}\\) ?\\d{3}|"
	       "\\d{2,5}[.-]\\d{3,4}[ .-]\\d{3,5}|\\b0\\d{9,10}\\b|"
	       "\\b1[3-9]\\d{9}\\b|\\b0\\d-\\d{7}\\b|"
	       "\\d{2,5} \\d{3,4} \\d{3,5}";
}

static int
phone_char(char c)
{
	return DIGIT(c) || c == ' ' || c == '(' || c == ')' || c == '+' ||
	       c == '-' || c == '.';
}

/*
 * The phone trigger ends at `to` (t[to - 1] is a digit). Sets [*ra, *rb)
 * to the run of phone characters around it: every match of the phone
 * expression is made of them, so it lies within one run. Returns whether
 * the run can hold a match (two digits and a "+", or five digits).
 */
int
pii_phone_run(const char *t, size_t len, size_t to, size_t *ra, size_t *rb)
{
	size_t a = to - 1, b = to, nd = 0;
	int plus = 0;

	while (a > 0 && phone_char(t[a - 1]))
		a--;
	while (b < len && phone_char(t[b]))
		b++;
	*ra = a;
	*rb = b;
	for (size_t k = a; k < b && nd < 5; k++) {
		nd += DIGIT(t[k]);
		plus |= t[k] == '+';
	}
	return nd >= 5 || (nd >= 2 && plus);
}

void
pii_confirm(struct scan *s, enum builtin b, size_t from, size_t to)
{
	switch (b) {
	case B_CARD:
		card_extract(s, from, to);
		break;
	case B_IBAN:
		iban_extract(s, from, to);
		break;
	case B_SSN:
		ssn_extract(s, from, to);
		break;
	case B_NINO:
		nino_extract(s, from, to);
		break;
	case B_ABA:
		aba_extract(s, from, to);
		break;
	case B_EMAIL:
		email_extract(s, from, to);
		break;
	case B_PHONE:
		phone_extract(s, from, to);
		break;
	case B_HEADER:
		header_extract(s, from, to);
		break;
	case B_PKEY:
		pkey_extract(s, from, to);
		break;
	default:
		break;
	}
}
