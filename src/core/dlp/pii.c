/*
 * The personal-data detectors of the outbound filter: payment cards, IBANs,
 * US social security numbers, UK national insurance numbers, ABA routing
 * numbers, e-mail addresses, phone numbers and Authorization / Cookie /
 * Set-Cookie header values. Each has a loose Hyperscan trigger (so one pass
 * over the text finds every candidate) and a strict extractor + validator
 * run only on the few bytes around a trigger: Luhn and issuer prefix ranges
 * for cards, the ISO 13616 registry (length and BBAN format per country)
 * and mod-97 for IBANs, SSA area/group/serial rules, NINO prefix rules,
 * the ABA 3-7-1 checksum. Also the "other customer" candidates (numbers,
 * dates, address shingles) checked against the caller's fingerprint index,
 * and dlp_fingerprint(), the normalisation that index must use.
 *
 * It does not decide what is blocked; it reports spans to dlp.c.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/dlp/dlp_int.h"
#include "util/errors.h"

#define ALNUM(c) (isalnum((unsigned char)(c)) != 0)
#define DIGIT(c) ((c) >= '0' && (c) <= '9')
#define UPPER(c) ((c) >= 'A' && (c) <= 'Z')
/* Bytes of white space between two digit groups of a card number. */
#define CARD_GAP_MAX 3
/* A private key's BEGIN line and this much base64 body is a finding even
 * when the END line was cut off (gitleaks' rule needs the END line). */
#define PKEY_BODY_MIN 64
#define PKEY_END_LOOK 16384

/* ------------------------------------------------------------------ */
/* Triggers */

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
		 * the cost of the whole scan). */
		*back = 10;
		return "\\d{2}[ -]?[A-Za-z0-9]{4}";
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

/* ------------------------------------------------------------------ */
/* Validators */

int
luhn_ok(const char *d, size_t n)
{
	unsigned sum = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned v = (unsigned)(d[n - 1 - i] - '0');

		if (i % 2 == 1) {
			v *= 2;
			if (v > 9)
				v -= 9;
		}
		sum += v;
	}
	return sum % 10 == 0;
}

static unsigned
prefix_num(const char *d, size_t k)
{
	unsigned v = 0;

	for (size_t i = 0; i < k; i++)
		v = v * 10 + (unsigned)(d[i] - '0');
	return v;
}

/* Issuer identification ranges (ISO/IEC 7812 as published by the card
 * networks): a Luhn-valid number outside them is not a payment card. */
int
card_issuer_ok(const char *d, size_t n)
{
	unsigned p1 = prefix_num(d, 1), p2 = prefix_num(d, 2);
	unsigned p3 = prefix_num(d, 3), p4 = prefix_num(d, 4);
	unsigned p6 = prefix_num(d, 6);

	switch (p1) {
	case 1:	/* UATP */
		return n == 15;
	case 2:	/* Mir 2200-2204, Mastercard 2221-2720 */
		if (p4 >= 2200 && p4 <= 2204)
			return n >= 16 && n <= 19;
		return p4 >= 2221 && p4 <= 2720 && n == 16;
	case 3:
		if (p2 == 34 || p2 == 37)	/* American Express */
			return n == 15;
		if ((p3 >= 300 && p3 <= 305) || p4 == 3095 || p2 == 36 ||
		    p2 == 38 || p2 == 39)	/* Diners Club */
			return n >= 14 && n <= 19;
		if (p4 >= 3528 && p4 <= 3589)	/* JCB */
			return n >= 16 && n <= 19;
		return 0;
	case 4:	/* Visa */
		return n == 13 || n == 16 || n == 19;
	case 5:
		if (p2 >= 51 && p2 <= 55)	/* Mastercard */
			return n == 16;
		/* Maestro 50, 56-58; Verve 506099-506198 */
		return (p2 == 50 || (p2 >= 56 && p2 <= 58)) && n >= 13;
	case 6:	/* Discover, UnionPay, Maestro, RuPay, Verve */
		(void)p6;
		return n >= 13;
	case 8:	/* RuPay 81, 82 */
		return (p2 == 81 || p2 == 82) && n == 16;
	case 9:	/* Troy */
		return p4 == 9792 && n == 16;
	default:
		return 0;
	}
}

struct iban_fmt {
	char cc[3];
	unsigned char len;
	const char *bban;	/* SWIFT notation: 4n = four digits, a, c */
};

/* The ISO 13616 IBAN registry (SWIFT, release 2024): length and BBAN
 * structure of every country. */
static const struct iban_fmt iban_reg[] = {
	{"AD", 24, "4n4n12c"}, {"AE", 23, "3n16n"}, {"AL", 28, "8n16c"},
	{"AT", 20, "5n11n"}, {"AZ", 28, "4a20c"}, {"BA", 20, "3n3n8n2n"},
	{"BE", 16, "3n7n2n"}, {"BG", 22, "4a4n2n8c"}, {"BH", 22, "4a14c"},
	{"BI", 27, "5n5n11n2n"}, {"BR", 29, "8n5n10n1a1c"},
	{"BY", 28, "4c4n16c"}, {"CH", 21, "5n12c"}, {"CR", 22, "4n14n"},
	{"CY", 28, "3n5n16c"}, {"CZ", 24, "4n6n10n"}, {"DE", 22, "8n10n"},
	{"DJ", 27, "5n5n11n2n"}, {"DK", 18, "4n9n1n"}, {"DO", 28, "4c20n"},
	{"EE", 20, "2n2n11n1n"}, {"EG", 29, "4n4n17n"},
	{"ES", 24, "4n4n1n1n10n"}, {"FI", 18, "3n11n"}, {"FK", 18, "2a12n"},
	{"FO", 18, "4n9n1n"}, {"FR", 27, "5n5n11c2n"}, {"GB", 22, "4a6n8n"},
	{"GE", 22, "2a16n"}, {"GI", 23, "4a15c"}, {"GL", 18, "4n9n1n"},
	{"GR", 27, "3n4n16c"}, {"GT", 28, "4c20c"}, {"HN", 28, "4a20n"},
	{"HR", 21, "7n10n"}, {"HU", 28, "3n4n1n15n1n"}, {"IE", 22, "4a6n8n"},
	{"IL", 23, "3n3n13n"}, {"IQ", 23, "4a3n12n"}, {"IS", 26, "4n2n6n10n"},
	{"IT", 27, "1a5n5n12c"}, {"JO", 30, "4a4n18c"}, {"KW", 30, "4a22c"},
	{"KZ", 20, "3n13c"}, {"LB", 28, "4n20c"}, {"LC", 32, "4a24c"},
	{"LI", 21, "5n12c"}, {"LT", 20, "5n11n"}, {"LU", 20, "3n13c"},
	{"LV", 21, "4a13c"}, {"LY", 25, "3n3n15n"}, {"MC", 27, "5n5n11c2n"},
	{"MD", 24, "2c18c"}, {"ME", 22, "3n13n2n"}, {"MK", 19, "3n10c2n"},
	{"MN", 20, "4n12n"}, {"MR", 27, "5n5n11n2n"}, {"MT", 31, "4a5n18c"},
	{"MU", 30, "4a2n2n12n3n3a"}, {"NI", 28, "4a20n"},
	{"NL", 18, "4a10n"}, {"NO", 15, "4n6n1n"}, {"OM", 23, "3n16c"},
	{"PK", 24, "4a16c"}, {"PL", 28, "8n16n"}, {"PS", 29, "4a21c"},
	{"PT", 25, "4n4n11n2n"}, {"QA", 29, "4a21c"}, {"RO", 24, "4a16c"},
	{"RS", 22, "3n13n2n"}, {"RU", 33, "9n5n15c"}, {"SA", 24, "2n18c"},
	{"SC", 31, "4a2n2n16n3a"}, {"SD", 18, "2n12n"}, {"SE", 24, "3n16n1n"},
	{"SI", 19, "5n8n2n"}, {"SK", 24, "4n6n10n"}, {"SM", 27, "1a5n5n12c"},
	{"SO", 23, "4n3n12n"}, {"ST", 25, "4n4n11n2n"}, {"SV", 28, "4a20n"},
	{"TL", 23, "3n14n2n"}, {"TN", 24, "2n3n13n2n"}, {"TR", 26, "5n1n16c"},
	{"UA", 29, "6n19c"}, {"VA", 22, "3n15n"}, {"VG", 24, "4a16n"},
	{"XK", 20, "4n10n2n"}, {"YE", 30, "4a4n18c"},
};

static const struct iban_fmt *
iban_country(const char *cc)
{
	for (size_t i = 0; i < sizeof(iban_reg) / sizeof(iban_reg[0]); i++)
		if (iban_reg[i].cc[0] == cc[0] && iban_reg[i].cc[1] == cc[1])
			return &iban_reg[i];
	return NULL;
}

static int
bban_ok(const char *fmt, const char *b, size_t n)
{
	size_t pos = 0;

	while (*fmt != '\0') {
		size_t cnt = 0;
		char kind;

		while (DIGIT(*fmt))
			cnt = cnt * 10 + (size_t)(*fmt++ - '0');
		kind = *fmt++;
		for (size_t i = 0; i < cnt; i++, pos++) {
			char c = pos < n ? b[pos] : '\0';

			if (kind == 'n' && !DIGIT(c))
				return 0;
			if (kind == 'a' && !UPPER(c))
				return 0;
			if (kind == 'c' && !DIGIT(c) && !UPPER(c))
				return 0;
		}
	}
	return pos == n;
}

/* compact: upper-case letters and digits, no separators. */
int
iban_ok(const char *s, size_t n)
{
	const struct iban_fmt *f;
	unsigned rem = 0;

	if (n < 15 || n > 34 || !UPPER(s[0]) || !UPPER(s[1]) ||
	    !DIGIT(s[2]) || !DIGIT(s[3]))
		return 0;
	f = iban_country(s);
	if (f == NULL || f->len != n || !bban_ok(f->bban, s + 4, n - 4))
		return 0;
	for (size_t k = 0; k < n; k++) {
		char c = s[(k + 4) % n];

		if (DIGIT(c))
			rem = (rem * 10 + (unsigned)(c - '0')) % 97;
		else
			rem = (rem * 100 + (unsigned)(c - 'A' + 10)) % 97;
	}
	return rem == 1;
}

static int
all_same(const char *d, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (d[i] != d[0])
			return 0;
	return 1;
}

/* SSA rules: area 000, 666 and 900-999, group 00 and serial 0000 are never
 * issued; a few numbers are known to be public (advertising samples). */
int
ssn_ok(const char *d)
{
	unsigned area = prefix_num(d, 3), group = prefix_num(d + 3, 2);
	unsigned serial = prefix_num(d + 5, 4);

	if (area == 0 || area == 666 || area >= 900 || group == 0 ||
	    serial == 0 || all_same(d, 9))
		return 0;
	if (memcmp(d, "123456789", 9) == 0 || memcmp(d, "078051120", 9) == 0 ||
	    memcmp(d, "219099999", 9) == 0)
		return 0;
	return 1;
}

/* HMRC: first letter not D F I Q U V, second not D F I O Q U V, prefixes
 * BG GB KN NK NT TN ZZ never issued, suffix A-D. Input: 9 upper-case. */
int
nino_ok(const char *s)
{
	static const char *const bad[] = {"BG", "GB", "KN", "NK", "NT", "TN",
					  "ZZ"};

	if (strchr("DFIQUV", s[0]) != NULL || strchr("DFIOQUV", s[1]) != NULL)
		return 0;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (s[0] == bad[i][0] && s[1] == bad[i][1])
			return 0;
	return s[8] >= 'A' && s[8] <= 'D';
}

/* ABA routing number: Federal Reserve prefix and the 3-7-1 checksum. */
int
aba_ok(const char *d)
{
	static const int w[9] = {3, 7, 1, 3, 7, 1, 3, 7, 1};
	unsigned p = prefix_num(d, 2);
	int sum = 0;

	if (!(p <= 12 || (p >= 21 && p <= 32) || (p >= 61 && p <= 72) ||
	      p == 80) || all_same(d, 9))
		return 0;
	for (int i = 0; i < 9; i++)
		sum += w[i] * (d[i] - '0');
	return sum % 10 == 0;
}

/* ------------------------------------------------------------------ */
/* Extractors: each looks for candidate starts in [from, to) and reads the
 * whole candidate, which may run past `to`. */

static int
starts_token(const char *t, size_t i)
{
	return i == 0 || !ALNUM(t[i - 1]);
}

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

static void
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

#define UP(c) ((char)toupper((unsigned char)(c)))
#define ALPHA(c) (UPPER(UP(c)))

/* IBANs in any case ("gb29 nwbk ..." is typed too); the value is upper-
 * cased before the registry and mod-97 checks. A compact IBAN may be glued
 * to a following word where its last character is a digit
 * ("DE89...3000EUR"): the registry length says where it ends. */
static void
iban_extract(struct scan *s, size_t from, size_t to)
{
	const char *t = s->text;

	for (size_t i = from; i < to; i++) {
		const struct iban_fmt *f;
		char c[34];
		size_t n = 0, j, end;
		char sep = 0;

		if (i + 4 > s->len || !ALPHA(t[i]) || !ALPHA(t[i + 1]) ||
		    !DIGIT(t[i + 2]) || !DIGIT(t[i + 3]) || !starts_token(t, i))
			continue;
		c[0] = UP(t[i]);
		c[1] = UP(t[i + 1]);
		c[2] = t[i + 2];
		c[3] = t[i + 3];
		f = iban_country(c);
		if (f == NULL)
			continue;
		n = 4;
		j = i + 4;
		if (j < s->len && (t[j] == ' ' || t[j] == '-'))
			sep = t[j];
		while (n < f->len && j < s->len) {
			if (sep != 0) {
				/* Groups of four, one separator between. */
				if (n % 4 == 0) {
					if (t[j] != sep)
						break;
					j++;
					if (j >= s->len)
						break;
				}
			}
			if (!DIGIT(t[j]) && !ALPHA(t[j]))
				break;
			c[n++] = UP(t[j++]);
		}
		end = j;
		if (n != f->len ||
		    (end < s->len && ALNUM(t[end]) &&
		     !(sep == 0 && DIGIT(t[end - 1]) && !DIGIT(t[end]))))
			continue;
		if (!iban_ok(c, n))
			continue;
		if (finding_add(s, "iban", "iso13616+mod97", i, end) < 0)
			return;
		i = end - 1;
	}
}

/* Reads digits from t[j] on; returns how many (up to max). */
static size_t
digits_at(const char *t, size_t len, size_t j, size_t max)
{
	size_t k = 0;

	while (j + k < len && k < max && DIGIT(t[j + k]))
		k++;
	return k;
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

static void
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

static void
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
		if (spaced) {
			if (j >= s->len || t[j] != ' ')
				continue;
			j++;
		}
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

static void
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

static int
email_local_char(char c)
{
	return ALNUM(c) || strchr("._%+-", c) != NULL;
}

static int
ieq(const char *a, size_t n, const char *b)
{
	return strlen(b) == n && strncasecmp(a, b, n) == 0;
}

int
email_is_own(const struct dlp_context *ctx, const char *a, size_t n)
{
	const char *at = memchr(a, '@', n);

	if (ctx == NULL)
		return 0;
	for (size_t i = 0; i < ctx->n_own_emails; i++)
		if (ctx->own_emails[i] != NULL && ieq(a, n, ctx->own_emails[i]))
			return 1;
	if (at == NULL)
		return 0;
	at++;
	for (size_t i = 0; i < ctx->n_allowed_email_domains; i++) {
		const char *dom = ctx->allowed_email_domains[i];
		size_t dn = n - (size_t)(at - a), m;

		if (dom == NULL)
			continue;
		m = strlen(dom);
		if (ieq(at, dn, dom))
			return 1;
		if (dn > m + 1 && at[dn - m - 1] == '.' &&
		    strncasecmp(at + dn - m, dom, m) == 0)
			return 1;
	}
	return 0;
}

static void
email_extract(struct scan *s, size_t from, size_t to)
{
	const char *t = s->text;

	for (size_t i = from; i < to && i < s->len; i++) {
		size_t a, b, lastdot = 0, tld;
		char norm[320];
		size_t nn;
		int ok = 1;

		if (t[i] != '@')
			continue;
		a = i;
		while (a > 0 && i - a < 64 && email_local_char(t[a - 1]))
			a--;
		while (a < i && t[a] == '.')
			a++;
		b = i + 1;
		while (b < s->len && b - i < 254 &&
		       (ALNUM(t[b]) || t[b] == '.' || t[b] == '-'))
			b++;
		while (b > i + 1 && (t[b - 1] == '.' || t[b - 1] == '-'))
			b--;
		if (a == i || b <= i + 1)
			continue;
		for (size_t k = i + 1; k < b; k++) {
			if (t[k] == '.') {
				if (k == i + 1 || t[k - 1] == '.')
					ok = 0;
				lastdot = k;
			}
		}
		if (!ok || lastdot == 0 || b - lastdot - 1 < 2)
			continue;
		for (tld = lastdot + 1; tld < b; tld++)
			if (!isalpha((unsigned char)t[tld]))
				ok = 0;
		if (!ok)
			continue;
		if (email_is_own(s->ctx, t + a, b - a))
			continue;
		nn = b - a;
		for (size_t k = 0; k < nn; k++)
			norm[k] = (char)tolower((unsigned char)t[a + k]);
		if (foreign_check(s, "email", norm, nn)) {
			if (finding_add(s, "other_customer_data", "email", a,
					b) < 0)
				return;
		} else if (finding_add(s, "email", "email", a, b) < 0) {
			return;
		}
		i = b - 1;
	}
}

/* The last 9 digits of a phone number (all of them when fewer). */
static size_t
phone_norm(const char *p, size_t n, char *out)
{
	char d[64];
	size_t k = 0;

	for (size_t i = 0; i < n && k < sizeof(d); i++)
		if (DIGIT(p[i]))
			d[k++] = p[i];
	if (k > 9) {
		memcpy(out, d + k - 9, 9);
		return 9;
	}
	memcpy(out, d, k);
	return k;
}

int
phone_is_own(const struct dlp_context *ctx, const char *p, size_t n)
{
	char a[16], b[16];
	size_t an = phone_norm(p, n, a);

	if (ctx == NULL || an < 7)
		return 0;
	for (size_t i = 0; i < ctx->n_own_phones; i++) {
		const char *o = ctx->own_phones[i];
		size_t bn;

		if (o == NULL)
			continue;
		bn = phone_norm(o, strlen(o), b);
		if (bn >= 7 && an == bn && memcmp(a, b, an) == 0)
			return 1;
	}
	return 0;
}

/* Decides whether t[i, end) is shaped like a phone number. */
static int
phone_shape_ok(const char *t, size_t i, size_t end)
{
	size_t groups[12], ng = 0, nd = 0, cur = 0;
	int plus = t[i] == '+', paren = 0, seps = 0, dots = 0;

	for (size_t k = i; k < end; k++) {
		if (DIGIT(t[k])) {
			cur++;
			nd++;
			continue;
		}
		if (t[k] == '(')
			paren = 1;
		if (t[k] == '.')
			dots++;
		if (t[k] != '+')
			seps++;
		if (cur > 0) {
			if (ng == 12)
				return 0;
			groups[ng++] = cur;
		}
		cur = 0;
	}
	if (cur > 0) {
		if (ng == 12)
			return 0;
		groups[ng++] = cur;
	}
	if (nd < 7 || nd > 15 || ng == 0)
		return 0;
	/* Seven or more of one digit in a row is a placeholder or an ID
	 * ("00000000560"), not a number anybody answers. */
	for (size_t k = i, run = 0; k < end; k++) {
		run = DIGIT(t[k]) && k > i && t[k] == t[k - 1] ? run + 1 : 1;
		if (run >= 7)
			return 0;
	}
	if (plus)
		return nd >= 8;
	/* A dotted quad is an IPv4 address. */
	if (ng == 4 && dots == 3 && seps == 3 && groups[0] <= 3 &&
	    groups[1] <= 3 && groups[2] <= 3 && groups[3] <= 3)
		return 0;
	if (nd > 12)
		return 0;
	if (ng == 1)	/* bare: national 0XXXXXXXXX(X) or CN mobile */
		return (t[i] == '0' && (nd == 10 || nd == 11)) ||
		       (t[i] == '1' && nd == 11 && t[i + 1] >= '3');
	/* Dates and SSN-shaped numbers are not phones. */
	if (ng == 3 && ((groups[0] == 4 && groups[1] <= 2 && groups[2] <= 2) ||
			(groups[0] <= 2 && groups[1] <= 2 && groups[2] == 4) ||
			(groups[0] == 3 && groups[1] == 2 && groups[2] == 4)))
		return 0;
	if (dots > 0 && ng <= 2)
		return 0;
	if (paren)
		return nd >= 9 && groups[ng - 1] >= 3;
	if (ng == 2)	/* 0X-XXXXXXX, trunk prefix */
		return t[i] == '0' && groups[1] >= 6 && nd >= 9;
	(void)seps;
	return nd >= 9 && groups[0] >= 2 && groups[0] <= 5 &&
	       groups[ng - 1] >= 3;
}

static void
phone_extract(struct scan *s, size_t from, size_t to)
{
	const char *t = s->text;

	for (size_t i = from; i < to; i++) {
		size_t j, end, depth = 0, lastsep = 0;
		char norm[16];
		size_t nn;

		if (!(t[i] == '+' || t[i] == '(' || DIGIT(t[i])) ||
		    !starts_token(t, i))
			continue;
		if (i > 0 && (t[i - 1] == '+' || t[i - 1] == '(' ||
			      t[i - 1] == '-' || t[i - 1] == '.'))
			continue;
		if (t[i] != '+' && t[i] != '(' && i > 0 && t[i - 1] == ')')
			continue;
		if ((t[i] == '+' || t[i] == '(') &&
		    (i + 1 >= s->len || !DIGIT(t[i + 1])))
			continue;
		j = i + 1;
		depth = t[i] == '(';
		end = DIGIT(t[i]) ? i + 1 : i;
		while (j < s->len && j - i < 32) {
			char c = t[j];

			if (DIGIT(c)) {
				end = j + 1;
				lastsep = 0;
			} else if (c == ' ' || c == '-' || c == '.') {
				if (lastsep)
					break;
				lastsep = 1;
			} else if (c == '(' && depth == 0) {
				depth = 1;
			} else if (c == ')' && depth == 1) {
				depth = 0;
				end = j + 1;
				lastsep = 0;
			} else {
				break;
			}
			j++;
		}
		if (end <= i || (end < s->len && ALNUM(t[end])))
			continue;
		/* A longer digit run (card, account) is not a phone. */
		if (end < s->len && (t[end] == '-' || t[end] == '.' ||
				     t[end] == ' ') &&
		    end + 1 < s->len && DIGIT(t[end + 1]))
			continue;
		if (!phone_shape_ok(t, i, end)) {
			i = end - 1;
			continue;
		}
		if (!phone_is_own(s->ctx, t + i, end - i)) {
			nn = phone_norm(t + i, end - i, norm);
			if (foreign_check(s, "phone", norm, nn)) {
				if (finding_add(s, "other_customer_data",
						"phone", i, end) < 0)
					return;
			} else if (finding_add(s, "phone", "phone", i, end) < 0) {
				return;
			}
		}
		i = end - 1;
	}
}

static int
placeholder(const char *v, size_t n)
{
	size_t k;

	if (n == 0 || v[0] == '$' || v[0] == '<' || v[0] == '{' ||
	    v[0] == '%' || v[0] == '[')
		return 1;
	for (k = 0; k + 2 < n; k++)
		if (v[k] == '.' && v[k + 1] == '.' && v[k + 2] == '.')
			return 1;
	for (k = 1; k < n; k++)
		if (v[k] != v[0])
			break;
	if (k == n)
		return 1;
	return (n >= 4 && (strncasecmp(v, "xxxx", 4) == 0 ||
			   strncasecmp(v, "****", 4) == 0)) ||
	       (n >= 8 && strncasecmp(v, "redacted", 8) == 0) ||
	       (n >= 9 && strncasecmp(v, "[redacted", 9) == 0);
}

static int
token_char(char c)
{
	return ALNUM(c) || strchr("+/=._~-", c) != NULL;
}

static void
header_extract(struct scan *s, size_t from, size_t to)
{
	static const struct {
		const char *name;
		const char *type;
	} names[] = {
		{"proxy-authorization", "auth_header"},
		{"authorization", "auth_header"},
		{"set-cookie", "cookie"},
		{"cookie", "cookie"},
	};
	const char *t = s->text;

	for (size_t i = from; i < to; i++) {
		for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
			size_t m = strlen(names[k].name), j, vs, ve, ts, te;

			if (i + m > s->len ||
			    strncasecmp(t + i, names[k].name, m) != 0 ||
			    (i > 0 && (ALNUM(t[i - 1]) || t[i - 1] == '-')))
				continue;
			j = i + m;
			while (j < s->len && (t[j] == ' ' || t[j] == '\t'))
				j++;
			if (j >= s->len || t[j] != ':')
				continue;
			j++;
			while (j < s->len && (t[j] == ' ' || t[j] == '\t'))
				j++;
			vs = j;
			while (j < s->len && t[j] != '\n' && t[j] != '\r' &&
			       t[j] != '"' && t[j] != '\'' && t[j] != '`')
				j++;
			ve = j;
			while (ve > vs && (t[ve - 1] == ' ' || t[ve - 1] == '\t'))
				ve--;
			if (names[k].type[0] == 'a') {
				/* [scheme] token */
				ts = vs;
				while (ts < ve && t[ts] != ' ')
					ts++;
				if (ts < ve)
					ts++;
				else
					ts = vs;
				te = ts;
				while (te < ve && token_char(t[te]))
					te++;
				if (te - ts < 8 || placeholder(t + ts, te - ts))
					break;
			} else {
				const char *eq = memchr(t + vs, '=', ve - vs);
				size_t q;

				if (eq == NULL)
					break;
				ts = (size_t)(eq - t) + 1;
				q = ts;
				while (q < ve && t[q] != ';' && t[q] != ' ')
					q++;
				if (q - ts < 8 || placeholder(t + ts, q - ts))
					break;
			}
			if (finding_add(s, names[k].type, names[k].name, vs,
					ve) < 0)
				return;
			i = ve > i ? ve - 1 : i;
			break;
		}
	}
}

/* A private key's BEGIN line ending at or before `to`, followed by
 * PKEY_BODY_MIN+ base64 characters, with no END line after it: a key cut
 * off (pasted half, or truncated by a mail client). With the END line,
 * gitleaks' private-key rule reports it. */
static void
pkey_extract(struct scan *s, size_t from, size_t to)
{
	const char *t = s->text;
	size_t at = from;

	while (at < to) {
		const char *b = memmem(t + at, s->len - at, "-----BEGIN", 10);
		const char *kw;
		size_t i, nb = 0, look, start;

		if (b == NULL || (size_t)(b - t) >= to)
			return;
		start = (size_t)(b - t);
		at = start + 10;
		kw = memmem(t + at, s->len - at < 64 ? s->len - at : 64,
			    "PRIVATE KEY", 11);
		if (kw == NULL)
			continue;
		i = (size_t)(kw - t) + 11;
		if (i + 6 <= s->len && memcmp(t + i, " BLOCK", 6) == 0)
			i += 6;
		if (i + 5 > s->len || memcmp(t + i, "-----", 5) != 0)
			continue;
		i += 5;
		look = s->len - i < PKEY_END_LOOK ? s->len - i : PKEY_END_LOOK;
		if (memmem(t + i, look, "-----END", 8) != NULL)
			continue;
		for (size_t k = i; k < s->len; k++) {
			char c = t[k];

			if (ALNUM(c) || c == '+' || c == '/' || c == '=')
				nb++;
			else if (c != '\n' && c != '\r' && c != ' ' &&
				 c != '\t')
				break;
			if (nb >= PKEY_BODY_MIN) {
				size_t e = k + 1;

				while (e < s->len &&
				       (ALNUM(t[e]) || t[e] == '+' ||
					t[e] == '/' || t[e] == '=' ||
					t[e] == '\n' || t[e] == '\r'))
					e++;
				while (e > k + 1 &&
				       (t[e - 1] == '\n' || t[e - 1] == '\r'))
					e--;
				if (finding_add(s, "secret",
						"private-key-truncated", start,
						e) < 0)
					return;
				at = e;
				break;
			}
		}
	}
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

/* ------------------------------------------------------------------ */
/* Other customers' values */

int
foreign_check(struct scan *s, const char *kind, const char *v, size_t n)
{
	char buf[512];

	if (s->ctx == NULL || s->ctx->foreign_value == NULL || n == 0 ||
	    n >= sizeof(buf))
		return 0;
	memcpy(buf, v, n);
	buf[n] = '\0';
	return s->ctx->foreign_value(s->ctx->cls, kind, buf, n) == 1;
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

static int
wordc(unsigned char c)
{
	return isalnum(c) || c >= 0x80;
}

/* Calls fn for each run of 3 consecutive lower-cased words of t[0, len)
 * where one word holds a digit, with the span it covers. */
static int
address_shingles(const char *t, size_t len,
		 int (*fn)(void *cls, const char *norm, size_t n, size_t a,
			   size_t b),
		 void *cls)
{
	size_t ws[3], we[3], nw = 0, count = 0;
	size_t i = 0;

	while (i < len) {
		size_t a, b;
		char buf[256];
		size_t n = 0;
		int digit = 0;

		while (i < len && !wordc((unsigned char)t[i]))
			i++;
		if (i >= len)
			break;
		a = i;
		while (i < len && wordc((unsigned char)t[i]))
			i++;
		b = i;
		if (nw == 3) {
			ws[0] = ws[1];
			we[0] = we[1];
			ws[1] = ws[2];
			we[1] = we[2];
			nw = 2;
		}
		ws[nw] = a;
		we[nw] = b;
		nw++;
		if (nw < 3)
			continue;
		for (size_t w = 0; w < 3; w++) {
			for (size_t k = ws[w]; k < we[w]; k++) {
				if (n + 2 >= sizeof(buf))
					break;
				if (DIGIT(t[k]))
					digit = 1;
				buf[n++] = (char)tolower((unsigned char)t[k]);
			}
			if (w < 2 && n + 1 < sizeof(buf))
				buf[n++] = ' ';
		}
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
			out[n++] = (char)toupper((unsigned char)t[k]);
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

void
foreign_scan(struct scan *s)
{
	const char *t = s->text;

	if (s->ctx == NULL || s->ctx->foreign_value == NULL)
		return;
	for (size_t i = 0; i < s->len; i++) {
		char dates[2][10], num[34];
		int nd;
		size_t dl, end, nn;

		if (!ALNUM(t[i]) || !starts_token(t, i))
			continue;
		dl = DIGIT(t[i]) ? date_at(t, s->len, i, dates, &nd) : 0;
		if (dl > 0) {
			for (int k = 0; k < nd; k++) {
				if (foreign_check(s, "dob", dates[k], 10)) {
					if (finding_add(s, "other_customer_data",
							"dob", i, i + dl) < 0)
						return;
					break;
				}
			}
			i += dl - 1;
			continue;
		}
		end = number_at(t, s->len, i, num, &nn);
		if (end > i) {
			if (foreign_check(s, "number", num, nn) &&
			    finding_add(s, "other_customer_data", "number", i,
					end) < 0)
				return;
			i = end - 1;
		}
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
