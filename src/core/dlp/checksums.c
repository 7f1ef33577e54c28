/*
 * The validators of the outbound filter's numbers, each on the compact
 * value (digits, or upper-case letters and digits): the Luhn checksum and
 * the issuer identification ranges of payment cards, the ISO 13616 IBAN
 * registry (country, length, BBAN format) with mod-97, the SSA rules of
 * US social security numbers, HMRC's rules of UK national insurance
 * numbers and the ABA routing number's 3-7-1 checksum. Pure functions: no
 * text, no state.
 */
#include <string.h>

#include "core/dlp/dlp_int.h"
#include "core/dlp/pii_int.h"

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

size_t
iban_length(const char *cc)
{
	const struct iban_fmt *f = iban_country(cc);

	return f != NULL ? f->len : 0;
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

int
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
