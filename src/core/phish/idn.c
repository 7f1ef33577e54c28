/*
 * One IDN label judged as Chromium judges it before showing it in Unicode
 * (components/url_formatter/spoof_checks/idn_spoof_checker.cc,
 * IDNSpoofChecker::SafeToDisplayAsUnicode), its steps in Chromium's order:
 * ICU uspoof checks, (deviation characters), TLD-specific letters, the
 * middle dot, then for single-script labels the whole-script confusables
 * and digit lookalikes, and for mixed labels digit lookalikes, non-ASCII
 * Latin mixed with another script and the dangerous patterns. The rule
 * sets are built once (idn_rules_new) and only read afterwards, so any
 * thread may judge; the pattern matcher is cloned per call.
 */
#include <stdlib.h>
#include <string.h>

#include <unicode/uregex.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

#include "core/phish/idn.h"
#include "util/errors.h"

/* IDNSpoofChecker's kWholeScriptConfusables: a script, its letters that
 * read as Latin, and the TLDs where a label made only of them is fine
 * (also fine under a TLD written in that script). The Thai set is the
 * Linux one, as Gatehouse's readers are shown Linux-like fonts. */
static const struct {
	const char *script, *lookalikes, *tlds;
} wsc_data[IDN_WSC_N] = {
	{"[[:Armn:]]", "[ագզէլհյոսւօՙ]", " am "},
	{"[[:Cyrl:]]", "[аысԁеԍһіюкјӏорԗԛѕԝхуъьҽпгѵѡ]",
	 " bg by kz pyc ru su ua uz "},
	{"[[:Ethi:]]", "[ሀሠሰስበነተከዐዕዘጠፐꬅ]", " er et "},
	{"[[:Geor:]]", "[იოყძხჽჿ]", " ge "},
	{"[[:Grek:]]", "[αικνρυωηοτ]", " gr "},
	{"[[:Hebr:]]", "[דוחיןסװײ׳ﬦ]", " il "},
	{"[[:Beng:]]", "[০৭]", ""},
	{"[[:Deva:]]", "[ऽ०ॱ]", ""},
	{"[[:Gujr:]]", "[ડટ૦૧]", ""},
	{"[[:Guru:]]", "[੦੧]", ""},
	{"[[:Knda:]]", "[ಽ೦೧]", ""},
	{"[[:Mlym:]]", "[ടഠധനറ൦]", ""},
	{"[[:Orya:]]", "[ଠ୦୮]", ""},
	{"[[:Taml:]]", "[டப௦]", ""},
	{"[[:Telu:]]", "[౦౧]", ""},
	{"[[:Mymr:]]", "[ခဂငထပဝ၀၂ၔၜ\\u1090\\u1091\\u1095\\u1096\\u1097]",
	 " mm "},
	{"[[:Thai:]]", "[ทนบพรหเแ๐ดลปฟม]", " th "},
};

/* kAllowedWholeScriptConfusableWords: common Cyrillic words that are whole
 * script confusables but spell no Latin word. */
static const char *const wsc_words[] = {
	"секс", "как", "коса", "курс", "парк", "такий", "укроп", "сахарок",
	"покраска"};

#define NJ "[^\\p{scx=kana}\\p{scx=hira}\\p{scx=hani}]"
#define NCJK "[^\\p{scx=kana}\\p{scx=hira}\\p{scx=hani}\\p{scx=bopo}]"
#define CJK_LOOK "[\\u4e00\\u3127\\u4e28\\u4e5b\\u4e03\\u4e05\\u5341" \
	"\\u3007\\u3112\\u311a\\u311f\\u3128\\u3129\\u3108\\u31ba\\u31b3" \
	"\\u5de5\\u31b2\\u8ba0\\u4e01]"
/* The dangerous patterns of SafeToDisplayAsUnicode, one alternative each:
 * kana and CJK strokes that read as slashes between non-Japanese
 * letters; iteration marks not after Katakana; the look-alike he/be/pe
 * of the other kana inside an all-kana label; the prolonged sound mark
 * and the katakana middle dot out of context; CJK ideographs that read
 * as Latin or punctuation next to non-CJK; combining diacritics after
 * non-LGC letters or after a dotless i; combining voiced sound marks; a
 * dot above after i, j or l. */
static const char danger_pattern[] =
	NJ "[\\u30ce\\u30f3\\u30bd\\u30be\\u4e36\\u4e40\\u4e41\\u4e3f]"
	NJ "|"
	"[^\\p{scx=kana}][\\u30fd\\u30fe]|^[\\u30fd\\u30fe]|"
	"^[\\p{scx=kana}]+[\\u3078-\\u307a][\\p{scx=kana}]+$|"
	"^[\\p{scx=hira}]+[\\u30d8-\\u30da][\\p{scx=hira}]+$|"
	"[^\\p{scx=kana}\\p{scx=hira}]\\u30fc|^\\u30fc|"
	"[a-z]\\u30fb|\\u30fb[a-z]|"
	NCJK CJK_LOOK "|" CJK_LOOK NCJK "|"
	"[^\\p{scx=latn}\\p{scx=grek}\\p{scx=cyrl}][\\u0300-\\u0339]|"
	"\\u0131[\\u0300-\\u0339]|"
	"\\u3099|\\u309a|"
	"[ijl]\\u0307";

static USet *
set_of(const char *pattern)
{
	UChar buf[256];
	int32_t n = 0;
	UErrorCode st = U_ZERO_ERROR;
	USet *s;

	u_strFromUTF8(buf, 256, &n, pattern, -1, &st);
	if (U_FAILURE(st))
		return NULL;
	s = uset_openPattern(buf, n, &st);
	if (U_FAILURE(st))
		return NULL;
	uset_freeze(s);
	return s;
}

void
idn_rules_free(struct idn_rules *r)
{
	USet **sets[] = {&r->non_ascii_latin, &r->kana_exc,
			 &r->diacritics, &r->digits, &r->digit_look,
			 &r->icelandic, &r->lgc};

	if (r == NULL)
		return;
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
		if (*sets[i] != NULL)
			uset_close(*sets[i]);
	for (size_t i = 0; i < IDN_WSC_N; i++) {
		if (r->wsc_all[i] != NULL)
			uset_close(r->wsc_all[i]);
		if (r->wsc_look[i] != NULL)
			uset_close(r->wsc_look[i]);
	}
	if (r->danger != NULL)
		uregex_close(r->danger);
	free(r);
}

int
idn_rules_new(struct idn_rules **out)
{
	struct idn_rules *r = calloc(1, sizeof(*r));
	UErrorCode st = U_ZERO_ERROR;
	UParseError pe;
	int ok;

	*out = NULL;
	if (r == NULL)
		return -GH_INTERNAL;
	/* IDNSpoofChecker(): the sets its steps test against. */
	r->non_ascii_latin = set_of("[[:Latin:] - [a-zA-Z]]");
	r->kana_exc = set_of("[\\u3078-\\u307a\\u30d8-\\u30da\\u30fb-\\u30fe]");
	r->diacritics = set_of("[\\u0300-\\u0339]");
	r->digits = set_of("[0-9]");
	r->digit_look = set_of("[θ२২੨੨૨೩೭շзҙӡउওਤ੩૩౩ဒვპੜკ੫丩ㄐճ৪੪୫૭୨౨]");
	r->icelandic = set_of("[\\u00fe\\u00f0]");
	/* SkeletonGenerator's lgc_letters_n_ascii_. */
	r->lgc = set_of("[[:Latin:][:Greek:][:Cyrillic:][0-9\\u002e_\\u002d]"
			"[\\u0300-\\u0339]]");
	ok = r->non_ascii_latin && r->kana_exc &&
	     r->diacritics && r->digits && r->digit_look && r->icelandic &&
	     r->lgc;
	for (size_t i = 0; i < IDN_WSC_N; i++) {
		r->wsc_all[i] = set_of(wsc_data[i].script);
		r->wsc_look[i] = set_of(wsc_data[i].lookalikes);
		ok = ok && r->wsc_all[i] != NULL && r->wsc_look[i] != NULL;
	}
	r->danger = uregex_openC(danger_pattern, 0, &pe, &st);
	if (!ok || U_FAILURE(st)) {
		idn_rules_free(r);
		return -GH_INTERNAL;
	}
	*out = r;
	return 0;
}

/* 1 when some code point of u[n] is in s. */
static int
contains_some(const USet *s, const UChar *u, int32_t n)
{
	for (int32_t i = 0; i < n;) {
		UChar32 c;

		U16_NEXT(u, i, n, c);
		if (uset_contains(s, c))
			return 1;
	}
	return 0;
}

int
idn_lgc_only(const struct idn_rules *r, const UChar *u, int32_t n)
{
	return uset_containsAllCodePoints(r->lgc, u, n);
}

/* HasUnsafeMiddleDot: U+00B7 only inside l·l, and only under .cat. */
static int
unsafe_middle_dot(const UChar *u, int32_t n, const char *tld)
{
	for (int32_t i = 0; i < n; i++) {
		if (u[i] != 0xb7)
			continue;
		if (strcmp(tld, "cat") != 0 || i == 0 || i == n - 1 ||
		    u[i - 1] != 'l' || u[i + 1] != 'l')
			return 1;
	}
	return 0;
}

/* IsDigitLookalike: only digits and digit lookalikes, one of the latter
 * at least. */
static int
digit_lookalike(const struct idn_rules *r, const UChar *u, int32_t n)
{
	int look = 0;

	for (int32_t i = 0; i < n;) {
		UChar32 c;

		U16_NEXT(u, i, n, c);
		if (uset_contains(r->digits, c))
			continue;
		if (!uset_contains(r->digit_look, c))
			return 0;
		look = 1;
	}
	return look;
}

/* IsLabelWholeScriptConfusableForScript and
 * IsWholeScriptConfusableAllowedForTLD for script k. */
static int
whole_script_confusable(const struct idn_rules *r, size_t k, const UChar *u,
			int32_t n, const char *tld, const UChar *tld_u,
			int32_t tld_n)
{
	char needle[72];
	int any = 0;
	size_t tn = strlen(tld);

	for (int32_t i = 0; i < n;) {
		UChar32 c;

		U16_NEXT(u, i, n, c);
		if (!uset_contains(r->wsc_all[k], c))
			continue;
		if (!uset_contains(r->wsc_look[k], c))
			return 0;
		any = 1;
	}
	if (!any || contains_some(r->wsc_all[k], tld_u, tld_n))
		return 0;
	for (size_t w = 0; w < sizeof(wsc_words) / sizeof(wsc_words[0]); w++) {
		UChar ww[32];
		int32_t wn = 0;
		UErrorCode st = U_ZERO_ERROR;

		u_strFromUTF8(ww, 32, &wn, wsc_words[w], -1, &st);
		if (U_SUCCESS(st) && wn == n && u_strncmp(ww, u, n) == 0)
			return 0;
	}
	if (tn + 3 > sizeof(needle))
		return 1;
	needle[0] = ' ';
	memcpy(needle + 1, tld, tn);
	memcpy(needle + 1 + tn, " ", 2);
	return strstr(wsc_data[k].tlds, needle) == NULL;
}

static int
dangerous_pattern(const struct idn_rules *r, const UChar *u, int32_t n)
{
	UErrorCode st = U_ZERO_ERROR;
	URegularExpression *re = uregex_clone(r->danger, &st);
	int hit;

	if (U_FAILURE(st))
		return 1;
	uregex_setText(re, u, n, &st);
	hit = uregex_find(re, 0, &st) ? 1 : 0;
	uregex_close(re);
	return U_FAILURE(st) ? 1 : hit;
}

/* The steps after uspoof_check, given its restriction level. */
static enum idn_result
after_uspoof(const struct idn_rules *r, int32_t level, const UChar *u,
	     int32_t n, const char *tld, const UChar *tld_u, int32_t tld_n)
{
	if (level == USPOOF_ASCII)
		return IDN_SAFE;
	if (level == USPOOF_SINGLE_SCRIPT_RESTRICTIVE &&
	    !contains_some(r->kana_exc, u, n) &&
	    !contains_some(r->diacritics, u, n)) {
		for (size_t k = 0; k < IDN_WSC_N; k++)
			if (whole_script_confusable(r, k, u, n, tld, tld_u,
						    tld_n))
				return IDN_WHOLE_SCRIPT_CONFUSABLE;
		return digit_lookalike(r, u, n) ? IDN_DIGIT_LOOKALIKES
						: IDN_SAFE;
	}
	if (digit_lookalike(r, u, n))
		return IDN_DIGIT_LOOKALIKES;
	if (contains_some(r->non_ascii_latin, u, n) && !idn_lgc_only(r, u, n))
		return IDN_NON_ASCII_LATIN_MIXED;
	if (dangerous_pattern(r, u, n))
		return IDN_DANGEROUS_PATTERN;
	return IDN_SAFE;
}

enum idn_result
idn_label_check(const struct idn_rules *r, const USpoofChecker *sc,
		const UChar *u, int32_t n, const char *tld, const UChar *tld_u,
		int32_t tld_n)
{
	UErrorCode st = U_ZERO_ERROR;
	int32_t res = uspoof_check(sc, u, n, NULL, &st);

	/* Step 1: ICU's checks (restriction level highly restrictive,
	 * invisible characters, mixed numbers, the allowed set). */
	if (U_FAILURE(st) || (res & USPOOF_ALL_CHECKS) != 0)
		return IDN_ICU_SPOOF_CHECKS;
	/* Step 2: deviation characters (UTS 46) are refused only under
	 * transitional processing; Gatehouse, like Chromium with
	 * IDNA2008NonTransitional, processes non-transitionally, so ß and ς
	 * pass here (ZWJ and ZWNJ are outside the allowed set). */
	/* Step 3: TLD-specific letters: þ ð only under .is and .fo, ə only
	 * under .az. */
	if (n > 1 && strcmp(tld, "is") != 0 && strcmp(tld, "fo") != 0 &&
	    contains_some(r->icelandic, u, n))
		return IDN_TLD_SPECIFIC_CHARACTERS;
	if (n > 1 && strcmp(tld, "az") != 0) {
		for (int32_t i = 0; i < n; i++)
			if (u[i] == 0x259)
				return IDN_TLD_SPECIFIC_CHARACTERS;
	}
	/* Step 4: the middle dot. */
	if (unsafe_middle_dot(u, n, tld))
		return IDN_UNSAFE_MIDDLE_DOT;
	/* Steps 5-9, by restriction level. */
	return after_uspoof(r, res & USPOOF_RESTRICTION_LEVEL_MASK, u, n, tld,
			    tld_u, tld_n);
}
