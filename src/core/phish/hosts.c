/*
 * Host names as browsers judge them before showing them: IP literals in
 * every form browsers accept, and the IDN spoof check (Chromium's
 * idn_spoof_checker: ICU uspoof restriction level and invisible
 * characters, deviation characters, "dangerous patterns", digit
 * lookalikes, whole-script confusables outside their own TLDs, and the
 * skeleton of the registrable domain compared with the company's domains
 * and the top domains, as is, without diacritics and with Chromium's extra
 * confusables). IDNA conversion is libidn2's (non-transitional), decoded
 * and encoded again because decoding alone barely validates. It fetches
 * nothing.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <idn2.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include "core/phish/phish_int.h"

int
is_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

int
is_ip_literal(const char *h)
{
	int dots = 0, digits = 0;

	if (h[0] == '[')
		return 1;
	/* Dotted, decimal and hex forms browsers accept (0x7f.1, 2130706433). */
	for (const char *p = h; *p != '\0'; p++) {
		if (*p == '.')
			dots++;
		else if (isdigit((unsigned char)*p))
			digits++;
		else if (!(p[0] == 'x' && p > h && p[-1] == '0') &&
			 !isxdigit((unsigned char)*p))
			return 0;
	}
	if (digits == 0)
		return 0;
	/* A host like "abc" (hex letters only) is not an address. */
	for (const char *p = h; *p != '\0'; p++)
		if (isalpha((unsigned char)*p) && *p != 'x' &&
		    !(p > h && (p[-1] == 'x' || isxdigit((unsigned char)p[-1]))))
			return 0;
	return dots == 3 || dots == 0 || strstr(h, "0x") != NULL;
}

/* Scripts with letters that read as Latin; a label written only in one of
 * them is a whole-script confusable outside its own TLDs (Chromium's
 * rule, with the script's TLDs below). */
static int
lookalike_script(UScriptCode sc)
{
	switch (sc) {
	case USCRIPT_CYRILLIC: case USCRIPT_GREEK: case USCRIPT_ARMENIAN:
	case USCRIPT_ETHIOPIC: case USCRIPT_GEORGIAN: case USCRIPT_THAI:
	case USCRIPT_LAO: case USCRIPT_MYANMAR: case USCRIPT_GUJARATI:
	case USCRIPT_KANNADA: case USCRIPT_MALAYALAM: case USCRIPT_TAMIL:
	case USCRIPT_TELUGU: case USCRIPT_ORIYA: case USCRIPT_GURMUKHI:
	case USCRIPT_BENGALI: case USCRIPT_DEVANAGARI: case USCRIPT_CHEROKEE:
	case USCRIPT_CANADIAN_ABORIGINAL: case USCRIPT_TIFINAGH:
		return 1;
	default:
		return 0;
	}
}

static int
script_tld(UScriptCode sc, const char *tld)
{
	static const struct {
		UScriptCode sc;
		const char *tlds;
	} t[] = {
		{USCRIPT_CYRILLIC, " bg by kz pyc ru su ua uz mk mn rs tj kg me "
				   "xn--p1ai xn--90ais xn--j1amh xn--d1alf "
				   "xn--80ao21a xn--90a3ac xn--l1acc xn--c1avg "},
		{USCRIPT_GREEK, " gr cy xn--qxam "},
		{USCRIPT_ARMENIAN, " am xn--y9a3aq "},
		{USCRIPT_ETHIOPIC, " et "},
		{USCRIPT_GEORGIAN, " ge xn--node "},
		{USCRIPT_THAI, " th xn--o3cw4h "},
		{USCRIPT_LAO, " la "},
		{USCRIPT_MYANMAR, " mm xn--7idjb0f4ck "},
		{USCRIPT_DEVANAGARI, " in xn--h2brj9c "},
		{USCRIPT_BENGALI, " bd in xn--54b7fta0cc xn--45brj9c "},
		{USCRIPT_GURMUKHI, " in xn--s9brj9c "},
		{USCRIPT_GUJARATI, " in xn--mgbbh1a71e xn--gecrj9c "},
		{USCRIPT_ORIYA, " in "},
		{USCRIPT_TAMIL, " in lk sg xn--xkc2dl3a5ee0h xn--clchc0ea0b2g2a9gcd "},
		{USCRIPT_TELUGU, " in xn--fpcrj9c3d "},
		{USCRIPT_KANNADA, " in "},
		{USCRIPT_MALAYALAM, " in "},
	};
	char needle[72];
	size_t n = strlen(tld);

	if (n + 3 > sizeof(needle))
		return 0;
	needle[0] = ' ';
	memcpy(needle + 1, tld, n);
	needle[n + 1] = ' ';
	needle[n + 2] = '\0';
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].sc == sc && strstr(t[i].tlds, needle) != NULL)
			return 1;
	return 0;
}

static int
is_cjk(UScriptCode sc)
{
	return sc == USCRIPT_HAN || sc == USCRIPT_HIRAGANA ||
	       sc == USCRIPT_KATAKANA || sc == USCRIPT_BOPOMOFO ||
	       sc == USCRIPT_HANGUL;
}

static UScriptCode
script_of(UChar32 c)
{
	UErrorCode st = U_ZERO_ERROR;
	UScriptCode sc = uscript_getScript(c, &st);

	return U_FAILURE(st) ? USCRIPT_INVALID_CODE : sc;
}

/* Chromium's "dangerous patterns": characters that are only safe in some
 * company (kana marks, CJK strokes that look like slashes or dashes,
 * middle dots, combining marks after unrelated scripts). */
static int
dangerous_pattern(const UChar32 *cp, size_t n, const char *tld)
{
	for (size_t i = 0; i < n; i++) {
		UChar32 c = cp[i], p = i > 0 ? cp[i - 1] : 0;
		UChar32 nx = i + 1 < n ? cp[i + 1] : 0;
		UScriptCode ps = p ? script_of(p) : USCRIPT_COMMON;
		UScriptCode ns = nx ? script_of(nx) : USCRIPT_COMMON;

		switch (c) {
		case 0x30a0: case 0x2bb: case 0x2bc: case 0x2019:
			return 1;
		case 0x3099: case 0x309a: case 0x309b: case 0x309c:
			if (ps != USCRIPT_KATAKANA && ps != USCRIPT_HIRAGANA)
				return 1;
			break;
		case 0x5f4:	/* ״ among Hebrew only */
			if ((p && ps != USCRIPT_HEBREW && ps != USCRIPT_COMMON) ||
			    (nx && ns != USCRIPT_HEBREW && ns != USCRIPT_COMMON))
				return 1;
			break;
		case 0x30fc:	/* ー after Kana or Han only */
			if (i == 0 || !(ps == USCRIPT_KATAKANA ||
					ps == USCRIPT_HIRAGANA || ps == USCRIPT_HAN))
				return 1;
			break;
		case 0x30fb:	/* ・ never next to Latin */
			if (ps == USCRIPT_LATIN || ns == USCRIPT_LATIN)
				return 1;
			break;
		case 0x30fd: case 0x30fe:	/* ヽヾ after Katakana only */
			if (ps != USCRIPT_KATAKANA)
				return 1;
			break;
		case 0xb7:	/* l·l in Catalan only */
			if (strcmp(tld, "cat") != 0 || p != 'l' || nx != 'l')
				return 1;
			break;
		case 0xfe: case 0xf0:	/* þ ð: Icelandic and Faroese */
			if (strcmp(tld, "is") != 0 && strcmp(tld, "fo") != 0)
				return 1;
			break;
		case 0x4e00: case 0x3127: case 0x4e36: case 0x4e40: case 0x4e3f: case 0x30ce: case 0x4e5b:
		case 0x4e01: case 0x4e03: case 0x3112: case 0x311a: case 0x3128:
		case 0x3129: case 0x3108: case 0x31ba:
			if ((p && !is_cjk(ps) && ps != USCRIPT_COMMON) ||
			    (nx && !is_cjk(ns) && ns != USCRIPT_COMMON))
				return 1;
			break;
		default:
			break;
		}
		if (u_charType(c) == U_NON_SPACING_MARK && p != 0) {
			UScriptCode ms = script_of(c);

			/* A dot above i/j, anything above dotless i/j. */
			if (((p == 'i' || p == 'j') && c == 0x307) || p == 0x131 ||
			    p == 0x237)
				return 1;
			/* Marks of one script on letters of another. */
			if (ms != USCRIPT_INHERITED && ms != USCRIPT_COMMON &&
			    ms != ps)
				return 1;
			if (ms == USCRIPT_INHERITED && ps != USCRIPT_LATIN &&
			    ps != USCRIPT_GREEK && ps != USCRIPT_CYRILLIC)
				return 1;
			/* Repeated marks. */
			if (u_charType(p) == U_NON_SPACING_MARK && p == c)
				return 1;
		}
	}
	return 0;
}

/* Checks one Unicode label. Returns reason bits, 0 when fine. */
static unsigned
label_check(const struct phish_engine *e, const char *label, const char *tld)
{
	UErrorCode st = U_ZERO_ERROR;
	int32_t r = uspoof_check2UTF8(e->sc, label, -1, NULL, &st);
	int32_t i = 0, n = (int32_t)strlen(label);
	UChar32 cp[256], c;
	size_t ncp = 0;
	UScriptCode script = USCRIPT_COMMON;
	int single_script = 1, all_digits = 1, non_ascii_latin = 0;

	if (U_FAILURE(st))
		return PR_INVALID_HOST;
	if ((r & (USPOOF_RESTRICTION_LEVEL | USPOOF_INVISIBLE |
		  USPOOF_MIXED_NUMBERS | USPOOF_CHAR_LIMIT)) != 0)
		return PR_MIXED_SCRIPT;
	while (i < n && ncp < 256) {
		UScriptCode sc;

		U8_NEXT(label, i, n, c);
		if (c < 0)
			return PR_INVALID_HOST;
		cp[ncp++] = c;
		/* Deviation characters and joiners (final sigma is fine in
		 * Greece). */
		if (c == 0xdf || c == 0x200c || c == 0x200d ||
		    (c == 0x3c2 && strcmp(tld, "gr") != 0))
			return PR_MIXED_SCRIPT;
		if (c >= 0x80 && script_of(c) == USCRIPT_LATIN)
			non_ascii_latin = 1;
		if (!u_isdigit(c))
			all_digits = 0;
		sc = script_of(c);
		if (sc != USCRIPT_COMMON && sc != USCRIPT_INHERITED) {
			if (script == USCRIPT_COMMON)
				script = sc;
			else if (script != sc)
				single_script = 0;
		}
	}
	if (dangerous_pattern(cp, ncp, tld))
		return PR_MIXED_SCRIPT;
	/* Digit lookalikes: a label made of digits of other scripts. */
	if (all_digits && ncp >= 2)
		return PR_MIXED_SCRIPT;
	/* Accented Latin mixed with another script. */
	if (!single_script && non_ascii_latin)
		return PR_MIXED_SCRIPT;
	/* Whole-script confusable: one lookalike-prone script outside its
	 * own TLDs. */
	if (single_script && lookalike_script(script) &&
	    !script_tld(script, tld))
		return PR_MIXED_SCRIPT;
	return 0;
}

/* Skeletons of a Unicode domain as Chromium compares them with the top
 * domains: as is, without diacritics, and with the extra confusables. */
static unsigned
similar_to_known(const struct phish_engine *e, const char *ureg,
		 const char *reg)
{
	char v[3][1024], sk[1024];
	unsigned r = 0;
	int found;

	snprintf(v[0], sizeof(v[0]), "%s", ureg);
	if (trans_apply(e, e->drop_acc, ureg, v[1], sizeof(v[1])) != 0)
		v[1][0] = '\0';
	if (trans_apply(e, e->extra, v[1][0] ? v[1] : ureg, v[2],
			sizeof(v[2])) != 0)
		v[2][0] = '\0';
	for (int k = 0; k < 3; k++) {
		const char *hit;

		if (v[k][0] == '\0' || skeleton(e->sc, v[k], sk, sizeof(sk)) != 0)
			continue;
		hit = sset_get(&e->own_skel, sk, &found);
		if (found && strcmp(hit, reg) != 0)
			r |= PR_CONFUSABLE_OWN;
		hit = sset_get(&e->skel, sk, &found);
		if (found && strcmp(hit, reg) != 0)
			r |= PR_CONFUSABLE_TOP;
	}
	return r;
}

/* host lower-cased and, when not ASCII, in its ASCII (punycode) form, into
 * low[cap]. 0, or -1 when it is empty, too long or not a valid IDN. */
static int
ascii_host(const char *host, char *low, size_t cap)
{
	char *back = NULL;
	size_t n = strlen(host);

	if (n >= cap)
		return -1;
	for (size_t i = 0; i <= n; i++)
		low[i] = (char)tolower((unsigned char)host[i]);
	if (is_ascii(low))
		return 0;
	if (idn2_to_ascii_8z(low, &back, IDN2_NONTRANSITIONAL) != IDN2_OK)
		return -1;
	n = strlen(back);
	if (n < cap)
		memcpy(low, back, n + 1);
	idn2_free(back);
	return n < cap ? 0 : -1;
}

static int
has_idn_label(const char *low)
{
	for (const char *p = low; *p != '\0'; p++)
		if ((p == low || p[-1] == '.') && strncmp(p, "xn--", 4) == 0)
			return 1;
	return 0;
}

/* Checks each non-ASCII label of uni (the Unicode form; its dots are put
 * back). Adds the reasons; returns 1, 0 (unsafe) or -1 (invalid). */
static int
labels_safe(const struct phish_engine *e, char *uni, const char *tld,
	    unsigned *reasons)
{
	int rc = 1;

	for (char *lab = uni; lab != NULL && *lab != '\0';) {
		char *dot = strchr(lab, '.');
		unsigned r;

		if (dot != NULL)
			*dot = '\0';
		if (!is_ascii(lab)) {
			r = label_check(e, lab, tld);
			if (r != 0) {
				*reasons |= r;
				rc = r == PR_INVALID_HOST ? -1 : 0;
			}
		}
		if (dot != NULL)
			*dot = '.';
		lab = dot != NULL ? dot + 1 : NULL;
	}
	return rc;
}

/* The skeleton of the registrable domain of low against known domains. */
static unsigned
registrable_confusable(const struct phish_engine *e, const char *low)
{
	const char *reg = psl_registrable_domain(e->psl, low);
	char *ureg;
	unsigned r = 0;

	if (reg == NULL)
		return 0;
	ureg = to_unicode(reg);
	if (ureg != NULL && !is_ascii(ureg))
		r = similar_to_known(e, ureg, reg);
	if (ureg != NULL)
		idn2_free(ureg);
	return r;
}

int
phish_host_safe(const struct phish_engine *e, const char *host,
		unsigned *reasons)
{
	char low[512], *uni = NULL, *back = NULL;
	const char *tld;
	unsigned r;
	int rc;

	*reasons = 0;
	if (host[0] == '\0')
		return 1;
	if (ascii_host(host, low, sizeof(low)) < 0)
		return -1;
	if (!has_idn_label(low))
		return 1;
	*reasons |= PR_PUNYCODE;
	/* Decode, then re-encode: idn2 barely validates on decoding. */
	if (idn2_to_unicode_8z8z(low, &uni, 0) != IDN2_OK)
		return -1;
	if (idn2_to_ascii_8z(uni, &back, IDN2_NONTRANSITIONAL) != IDN2_OK ||
	    strcmp(back, low) != 0) {
		rc = -1;
		*reasons |= PR_INVALID_HOST;
		goto out;
	}
	tld = strrchr(low, '.');
	tld = tld != NULL ? tld + 1 : low;
	rc = labels_safe(e, uni, tld, reasons);
	r = registrable_confusable(e, low);
	if (r != 0) {
		*reasons |= r;
		rc = 0;
	}
out:
	idn2_free(uni);
	idn2_free(back);
	return rc;
}
