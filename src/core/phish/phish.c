/*
 * The link analyser (see phish.h): extraction from text and HTML, the
 * per-link judgement and the browser-style IDN spoof check. URLs are
 * parsed by libcurl's URL API, registrable domains come from libpsl
 * (Debian's public suffix list), IDNA conversion from libidn2 and the
 * homograph checks from ICU's uspoof (restriction level "highly
 * restrictive", invisible characters, mixed number systems, characters
 * outside UTS 39's recommended set, and skeletons compared with the
 * company's domains and the embedded top-domains list). Nothing here does
 * network I/O, and no verdict depends on fetching a URL.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <idn2.h>
#include <libpsl.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/uset.h>
#include <unicode/uspoof.h>
#include <unicode/ustring.h>
#include <unicode/utrans.h>
#include <pthread.h>
#include <unicode/utf8.h>

#include "util/errors.h"
#include "core/phish/phish.h"
#include "util/embed.h"

extern const struct embedded_file phish_data[];

/* ------------------------------------------------------------------ */
/* A string set with optional values (open addressing). */

struct sset {
	char **key;
	char **val;
	size_t mask, n;
};

static uint64_t
strhash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	while (*s != '\0') {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ull;
	}
	return h;
}

static int
sset_init(struct sset *s, size_t n)
{
	size_t cap = 64;

	while (cap < n * 2)
		cap *= 2;
	s->key = calloc(cap, sizeof(*s->key));
	s->val = calloc(cap, sizeof(*s->val));
	s->mask = cap - 1;
	s->n = 0;
	return s->key == NULL || s->val == NULL ? -GH_INTERNAL : 0;
}

static void
sset_free(struct sset *s)
{
	for (size_t i = 0; s->key != NULL && i <= s->mask; i++) {
		free(s->key[i]);
		free(s->val[i]);
	}
	free(s->key);
	free(s->val);
	memset(s, 0, sizeof(*s));
}

static const char *
sset_get(const struct sset *s, const char *k, int *found)
{
	size_t i = (size_t)strhash(k) & s->mask;

	*found = 0;
	while (s->key[i] != NULL) {
		if (strcmp(s->key[i], k) == 0) {
			*found = 1;
			return s->val[i];
		}
		i = (i + 1) & s->mask;
	}
	return NULL;
}

static int
sset_put(struct sset *s, const char *k, const char *v)
{
	size_t i = (size_t)strhash(k) & s->mask;

	if (s->n * 2 >= s->mask)
		return 0;	/* full: sized at init, never happens */
	while (s->key[i] != NULL) {
		if (strcmp(s->key[i], k) == 0)
			return 0;
		i = (i + 1) & s->mask;
	}
	s->key[i] = strdup(k);
	s->val[i] = v != NULL ? strdup(v) : NULL;
	if (s->key[i] == NULL || (v != NULL && s->val[i] == NULL))
		return -GH_INTERNAL;
	s->n++;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Engine */

struct phish_engine {
	psl_ctx_t *psl;
	USpoofChecker *sc;
	USet *allowed;
	struct sset top;	/* ascii domain -> NULL */
	struct sset own;	/* ascii domain -> NULL */
	struct sset skel;	/* skeleton -> domain (top and own) */
	struct sset own_skel;	/* skeleton -> own domain */
	struct sset short_;	/* shortener domains */
	UTransliterator *drop_acc;	/* diacritics removed */
	UTransliterator *extra;		/* Chromium's extra confusables */
	pthread_mutex_t tr_lock;	/* transliterators are not shared */
};

/* Chromium's supplement to the Unicode confusables
 * (components/url_formatter/spoof_checks/idn_spoof_checker.cc). */
static const char extra_rules[] =
	"[æӕ] > ae; [þϼҏ] > p; [ħнћңҥӈӊԋԧԩ] > h;"
	"[ĸκкқҝҟҡӄԟ] > k; [ŋпԥกח] > n; œ > ce;"
	"[ŧтҭԏ] > t; [ƅьҍв] > b;  [ωшщพฟພຟ] > w;"
	"[мӎ] > m; [єҽҿၔ] > e; ґ > r; [ғӻ] > f;"
	"[ҫင] > c; ұ > y; [χҳӽӿ] > x;"
	"ԃ  > d; [ԍဌ] > g; [ടรຣຮ] > s; ၂ > j;"
	"[०০੦૦ଠ୦೦] > o; [৭੧૧] > q; [บບ] > u; [θ] > 0;"
	"[२২੨૨๒] > 2; [зҙӡउওਤ੩૩౩ဒვპ] > 3; [੫] > 4;"
	"[৪੪୫] > 8; [૭୨౨] > 9; [—一―⸺⸻] > \\-;";
static const char drop_rules[] =
	"::NFD; ::[:Nonspacing Mark:] Remove; ::NFC; ł > l; ø > o; đ > d;";

static UTransliterator *
trans_open(const char *id, const char *rules)
{
	UChar uid[32], ur[1024];
	int32_t n = 0;
	UErrorCode st = U_ZERO_ERROR;
	UParseError pe;
	UTransliterator *t;

	u_strFromUTF8(uid, 32, NULL, id, -1, &st);
	u_strFromUTF8(ur, 1024, &n, rules, -1, &st);
	if (U_FAILURE(st))
		return NULL;
	t = utrans_openU(uid, -1, UTRANS_FORWARD, ur, n, &pe, &st);
	return U_FAILURE(st) ? NULL : t;
}

/* Applies t to the UTF-8 string s; NUL-ended result in out. */
static int
trans_apply(const struct phish_engine *ce, UTransliterator *t, const char *s,
	    char *out, size_t cap)
{
	struct phish_engine *e = (struct phish_engine *)(uintptr_t)ce;
	UChar buf[512];
	int32_t len = 0, limit;
	UErrorCode st = U_ZERO_ERROR;

	u_strFromUTF8(buf, 512, &len, s, -1, &st);
	if (U_FAILURE(st) || len >= 256)
		return -1;
	limit = len;
	pthread_mutex_lock(&e->tr_lock);
	utrans_transUChars(t, buf, &len, 512, 0, &limit, &st);
	pthread_mutex_unlock(&e->tr_lock);
	if (U_FAILURE(st))
		return -1;
	u_strToUTF8(out, (int32_t)cap, NULL, buf, len, &st);
	return U_FAILURE(st) || st == U_STRING_NOT_TERMINATED_WARNING ? -1 : 0;
}

static int
skeleton(const USpoofChecker *sc, const char *s, char *out, size_t cap)
{
	UErrorCode st = U_ZERO_ERROR;
	int32_t n = uspoof_getSkeletonUTF8(sc, 0, s, -1, out, (int32_t)cap,
					   &st);

	if (U_FAILURE(st) || n < 0 || (size_t)n >= cap)
		return -1;
	out[n] = '\0';
	return 0;
}

static char *
to_unicode(const char *ascii)
{
	char *u = NULL;

	if (idn2_to_unicode_8z8z(ascii, &u, 0) != IDN2_OK)
		return NULL;
	return u;
}

/* Adds a domain's skeletons (of the Unicode form, whole and without its
 * public suffix) to map. */
static int
add_skeletons(struct phish_engine *e, struct sset *map, const char *dom)
{
	char sk[512], *u = to_unicode(dom);
	int rc = 0;

	if (u == NULL)
		return 0;
	if (skeleton(e->sc, u, sk, sizeof(sk)) == 0)
		rc = sset_put(map, sk, dom);
	idn2_free(u);
	return rc;
}

static int
load_list(struct phish_engine *e, const char *name, struct sset *set,
	  struct sset *skel)
{
	const struct embedded_file *f = embed_find(phish_data, name);
	const char *p, *end;
	size_t lines = 0;
	int rc;

	if (f == NULL)
		return -GH_INTERNAL;
	p = (const char *)f->data;
	end = p + f->len;
	for (const char *q = p; q < end; q++)
		lines += *q == '\n';
	rc = sset_init(set, lines + 16);
	if (rc < 0)
		return rc;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		char buf[256];

		if (n > 0 && n < sizeof(buf) && p[0] != '#') {
			for (size_t i = 0; i < n; i++)
				buf[i] = (char)tolower((unsigned char)p[i]);
			while (n > 0 && (buf[n - 1] == '\r' || buf[n - 1] == ' '))
				n--;
			buf[n] = '\0';
			if (n > 0) {
				rc = sset_put(set, buf, NULL);
				if (rc == 0 && skel != NULL)
					rc = add_skeletons(e, skel, buf);
				if (rc < 0)
					return rc;
			}
		}
		p += n + 1;
		if (nl == NULL)
			break;
	}
	return 0;
}

int
phish_engine_new(const struct phish_options *o, struct phish_engine **out)
{
	struct phish_engine *e = calloc(1, sizeof(*e));
	UErrorCode st = U_ZERO_ERROR;
	size_t n_own = o != NULL ? o->n_own_domains : 0;
	int rc = -GH_INTERNAL;

	*out = NULL;
	if (e == NULL)
		return rc;
	pthread_mutex_init(&e->tr_lock, NULL);
	e->drop_acc = trans_open("GhDropAcc", drop_rules);
	e->extra = trans_open("GhExtraConf", extra_rules);
	if (e->drop_acc == NULL || e->extra == NULL)
		goto fail;
	e->psl = psl_latest(NULL);
	if (e->psl == NULL)
		e->psl = (psl_ctx_t *)(uintptr_t)psl_builtin();
	e->sc = uspoof_open(&st);
	uspoof_setChecks(e->sc, USPOOF_CONFUSABLE | USPOOF_RESTRICTION_LEVEL |
			 USPOOF_INVISIBLE | USPOOF_MIXED_NUMBERS |
			 USPOOF_CHAR_LIMIT, &st);
	uspoof_setRestrictionLevel(e->sc, USPOOF_HIGHLY_RESTRICTIVE);
	e->allowed = uset_cloneAsThawed(uspoof_getRecommendedSet(&st));
	if (U_FAILURE(st) || e->allowed == NULL || e->psl == NULL)
		goto fail;
	uset_addAll(e->allowed, uspoof_getInclusionSet(&st));
	uset_freeze(e->allowed);
	uspoof_setAllowedChars(e->sc, e->allowed, &st);
	if (U_FAILURE(st))
		goto fail;
	if (sset_init(&e->skel, 6000 + n_own) < 0 ||
	    sset_init(&e->own, n_own + 4) < 0 ||
	    sset_init(&e->own_skel, n_own + 4) < 0)
		goto fail;
	rc = load_list(e, "top_domains.txt", &e->top, &e->skel);
	if (rc == 0)
		rc = load_list(e, "url_shorteners.txt", &e->short_, NULL);
	for (size_t i = 0; rc == 0 && i < n_own; i++) {
		char buf[256];
		size_t n = strlen(o->own_domains[i]);

		if (n == 0 || n >= sizeof(buf))
			continue;
		for (size_t k = 0; k <= n; k++)
			buf[k] = (char)tolower((unsigned char)
					       o->own_domains[i][k]);
		rc = sset_put(&e->own, buf, NULL);
		if (rc == 0)
			rc = add_skeletons(e, &e->own_skel, buf);
	}
	if (rc < 0)
		goto fail;
	*out = e;
	return 0;
fail:
	phish_engine_free(e);
	return -GH_INTERNAL;
}

void
phish_engine_free(struct phish_engine *e)
{
	if (e == NULL)
		return;
	if (e->psl != NULL && e->psl != psl_builtin())
		psl_free(e->psl);
	if (e->sc != NULL)
		uspoof_close(e->sc);
	if (e->allowed != NULL)
		uset_close(e->allowed);
	sset_free(&e->top);
	sset_free(&e->own);
	sset_free(&e->skel);
	sset_free(&e->own_skel);
	sset_free(&e->short_);
	if (e->drop_acc != NULL)
		utrans_close(e->drop_acc);
	if (e->extra != NULL)
		utrans_close(e->extra);
	pthread_mutex_destroy(&e->tr_lock);
	free(e);
}

/* ------------------------------------------------------------------ */
/* Host checks */

static int
is_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

static int
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

int
phish_host_safe(const struct phish_engine *e, const char *host,
		unsigned *reasons)
{
	char low[512], *uni = NULL, *back = NULL;
	const char *tld, *reg;
	size_t n = strlen(host);
	int rc = 1, any_idn = 0;

	*reasons = 0;
	if (n == 0 || n >= sizeof(low))
		return n == 0 ? 1 : -1;
	for (size_t i = 0; i <= n; i++)
		low[i] = (char)tolower((unsigned char)host[i]);
	if (!is_ascii(low)) {
		if (idn2_to_ascii_8z(low, &back, IDN2_NONTRANSITIONAL) !=
		    IDN2_OK)
			return -1;
		if (strlen(back) >= sizeof(low)) {
			idn2_free(back);
			return -1;
		}
		memcpy(low, back, strlen(back) + 1);
		idn2_free(back);
		back = NULL;
	}
	for (const char *p = low; *p != '\0'; p++)
		if ((p == low || p[-1] == '.') && strncmp(p, "xn--", 4) == 0)
			any_idn = 1;
	if (!any_idn)
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
	/* Each non-ASCII label on its own. */
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
	/* Skeleton of the registrable domain against known domains. */
	reg = psl_registrable_domain(e->psl, low);
	if (reg != NULL) {
		char *ureg = to_unicode(reg);

		if (ureg != NULL && !is_ascii(ureg)) {
			unsigned r = similar_to_known(e, ureg, reg);

			if (r != 0) {
				*reasons |= r;
				rc = 0;
			}
		}
		if (ureg != NULL)
			idn2_free(ureg);
	}
out:
	idn2_free(uni);
	idn2_free(back);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Links */

void
phish_links_init(struct phish_links *l)
{
	memset(l, 0, sizeof(*l));
}

void
phish_links_free(struct phish_links *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].url);
		free(l->v[i].text);
		free(l->v[i].host);
		free(l->v[i].domain);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int
link_add(struct phish_links *l, char *url, char *text, size_t a, size_t b)
{
	struct phish_link *k;

	if (l->n >= PHISH_MAX_LINKS) {
		free(url);
		free(text);
		return -GH_BAD_FIELD;
	}
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 8;
		struct phish_link *nv = realloc(l->v, nc * sizeof(*nv));

		if (nv == NULL) {
			free(url);
			free(text);
			return -GH_INTERNAL;
		}
		l->v = nv;
		l->cap = nc;
	}
	k = &l->v[l->n++];
	memset(k, 0, sizeof(*k));
	k->url = url;
	k->text = text;
	k->start = a;
	k->end = b;
	return 0;
}

static char *
dupn(const char *s, size_t n)
{
	char *o = malloc(n + 1);

	if (o != NULL) {
		memcpy(o, s, n);
		o[n] = '\0';
	}
	return o;
}

static int
url_char(unsigned char c)
{
	return c > 0x20 && c != '<' && c != '>' && c != '"' && c != '`' &&
	       c != 0x7f;
}

static size_t
url_start_at(const char *t, size_t len, size_t i)
{
	static const char *const schemes[] = {"https://", "http://", "ftp://",
					      "data:", "javascript:", "www.",
					      NULL};

	if (i > 0 && (isalnum((unsigned char)t[i - 1]) || t[i - 1] == '.'))
		return 0;
	for (size_t k = 0; schemes[k] != NULL; k++) {
		size_t m = strlen(schemes[k]);

		if (i + m < len && strncasecmp(t + i, schemes[k], m) == 0)
			return m;
	}
	return 0;
}

static int
extract_text_at(const char *t, size_t len, size_t base,
		struct phish_links *out)
{
	for (size_t i = 0; i < len; i++) {
		size_t m = url_start_at(t, len, i), j, depth = 0;
		char *u;
		int rc;

		if (m == 0)
			continue;
		j = i + m;
		while (j < len && j - i < PHISH_MAX_URL &&
		       url_char((unsigned char)t[j]) && t[j] != '\'') {
			if (t[j] == '(')
				depth++;
			if (t[j] == ')') {
				if (depth == 0)
					break;
				depth--;
			}
			j++;
		}
		while (j > i + m && strchr(".,;:!?", t[j - 1]) != NULL)
			j--;
		if (j == i + m)
			continue;
		u = dupn(t + i, j - i);
		if (u == NULL)
			return -GH_INTERNAL;
		rc = link_add(out, u, NULL, base + i, base + j);
		if (rc < 0)
			return rc;
		i = j - 1;
	}
	return 0;
}

int
phish_extract_text(const char *text, size_t len, struct phish_links *out)
{
	return extract_text_at(text, len, 0, out);
}

/* Decodes the HTML entities links use (&amp; &lt; &gt; &quot; &#..;). */
static char *
html_decode(const char *s, size_t n, int collapse)
{
	char *o = malloc(n * 4 + 1);
	size_t k = 0;
	int space = 0;

	if (o == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '&') {
			const char *semi = memchr(s + i, ';', n - i < 12 ? n - i : 12);
			uint32_t cp = 0;

			if (semi != NULL) {
				size_t el = (size_t)(semi - (s + i));

				if (el == 4 && strncmp(s + i, "&amp", 4) == 0)
					cp = '&';
				else if (el == 3 && strncmp(s + i, "&lt", 3) == 0)
					cp = '<';
				else if (el == 3 && strncmp(s + i, "&gt", 3) == 0)
					cp = '>';
				else if (el == 5 && strncmp(s + i, "&quot", 5) == 0)
					cp = '"';
				else if (el == 5 && strncmp(s + i, "&nbsp", 5) == 0)
					cp = ' ';
				else if (el > 2 && s[i + 1] == '#')
					cp = (uint32_t)strtoul(s + i + 2 +
						(s[i + 2] == 'x' || s[i + 2] == 'X'),
						NULL,
						(s[i + 2] == 'x' || s[i + 2] == 'X') ?
						16 : 10);
				if (cp > 0 && cp <= 0x10ffff) {
					UBool err = 0;

					if (cp == ' ' && collapse) {
						space = 1;
					} else {
						if (space && k > 0)
							o[k++] = ' ';
						space = 0;
						U8_APPEND((uint8_t *)o, k, n * 4,
							  (UChar32)cp, err);
					}
					(void)err;
					i += el;
					continue;
				}
			}
		}
		if (collapse && isspace((unsigned char)s[i])) {
			space = 1;
			continue;
		}
		if (space && k > 0)
			o[k++] = ' ';
		space = 0;
		o[k++] = s[i];
	}
	o[k] = '\0';
	return o;
}

/* Reads attribute name's value in a tag body [p, end). */
static int
attr_value(const char *p, const char *end, const char *name, size_t *vs,
	   size_t *ve, const char *base)
{
	size_t m = strlen(name);

	while (p < end) {
		const char *q;

		while (p < end && (isspace((unsigned char)*p) || *p == '/'))
			p++;
		q = p;
		while (p < end && !isspace((unsigned char)*p) && *p != '=' &&
		       *p != '>')
			p++;
		if (p < end && *p == '=') {
			const char *v = p + 1, *w;
			char quote = 0;

			if (v < end && (*v == '"' || *v == '\'')) {
				quote = *v++;
				w = v;
				while (w < end && *w != quote)
					w++;
			} else {
				w = v;
				while (w < end && !isspace((unsigned char)*w) &&
				       *w != '>')
					w++;
			}
			if ((size_t)(p - q) == m && strncasecmp(q, name, m) == 0) {
				*vs = (size_t)(v - base);
				*ve = (size_t)(w - base);
				return 1;
			}
			p = w + (quote != 0 && w < end);
		} else if (p == q) {
			p++;
		}
	}
	return 0;
}

/* Visible text of [p, end): tags removed, entities decoded. */
static char *
visible_text(const char *p, size_t n)
{
	char *raw = malloc(n + 1), *out;
	size_t k = 0;
	int in_tag = 0;

	if (raw == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '<')
			in_tag = 1;
		else if (p[i] == '>')
			in_tag = 0;
		else if (!in_tag)
			raw[k++] = p[i];
	}
	out = html_decode(raw, k, 1);
	free(raw);
	return out;
}

static const char *
find_ci(const char *p, const char *end, const char *needle)
{
	size_t m = strlen(needle);

	for (; p + m <= end; p++)
		if (strncasecmp(p, needle, m) == 0)
			return p;
	return NULL;
}

int
phish_extract_html(const char *html, size_t len, struct phish_links *out)
{
	const char *end = html + len, *p = html, *text_from = html;
	int rc = 0;

	while (p < end) {
		const char *lt = memchr(p, '<', (size_t)(end - p)), *gt, *name;
		size_t nl, vs, ve;
		int is_a;

		if (lt == NULL)
			break;
		gt = memchr(lt, '>', (size_t)(end - lt));
		if (gt == NULL)
			break;
		name = lt + 1;
		nl = 0;
		while (name + nl < gt && isalnum((unsigned char)name[nl]))
			nl++;
		is_a = (nl == 1 && tolower((unsigned char)name[0]) == 'a') ||
		       (nl == 4 && strncasecmp(name, "area", 4) == 0) ||
		       (nl == 4 && strncasecmp(name, "form", 4) == 0);
		if (!is_a) {
			p = gt + 1;
			continue;
		}
		/* Plain-text links before this tag. */
		rc = extract_text_at(text_from, (size_t)(lt - text_from),
				     (size_t)(text_from - html), out);
		if (rc < 0)
			return rc;
		if (attr_value(name + nl, gt, nl == 4 && tolower(
				       (unsigned char)name[0]) == 'f' ?
				       "action" : "href", &vs, &ve, html)) {
			char *url = html_decode(html + vs, ve - vs, 0), *txt = NULL;
			const char *close = NULL;

			if (url == NULL)
				return -GH_INTERNAL;
			if (nl == 1) {
				close = find_ci(gt + 1, end, "</a");
				if (close == NULL)
					close = end;
				txt = visible_text(gt + 1, (size_t)(close - gt - 1));
			}
			rc = link_add(out, url, txt, vs, ve);
			if (rc < 0)
				return rc;
			if (close != NULL) {
				gt = memchr(close, '>', (size_t)(end - close));
				if (gt == NULL)
					gt = end - 1;
			}
		}
		p = gt + 1;
		text_from = p;
	}
	if (text_from < end)
		rc = extract_text_at(text_from, (size_t)(end - text_from),
				     (size_t)(text_from - html), out);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Judgement */

static const struct {
	unsigned bit;
	const char *name;
	int weight;
} reasons[] = {
	{PR_IP_HOST, "ip_host", 45},
	{PR_PUNYCODE, "punycode", 15},
	{PR_MIXED_SCRIPT, "mixed_script", 45},
	{PR_CONFUSABLE_OWN, "confusable_own_domain", 70},
	{PR_CONFUSABLE_TOP, "confusable_top_domain", 55},
	{PR_TEXT_MISMATCH, "text_shows_other_domain", 55},
	{PR_SHORTENER, "url_shortener", 25},
	{PR_USERINFO, "userinfo_in_url", 45},
	{PR_NOT_HTTPS, "not_https", 10},
	{PR_UNUSUAL_PORT, "unusual_port", 20},
	{PR_DATA_URL, "data_url", 70},
	{PR_JAVASCRIPT_URL, "javascript_url", 80},
	{PR_INVALID_HOST, "invalid_host", 50},
	{PR_BRAND_IN_SUBDOMAIN, "known_domain_in_subdomain", 45},
	{PR_MANY_SUBDOMAINS, "many_subdomains", 10},
	{PR_SUSPICIOUS_WORDS, "credential_words", 15},
	{PR_LONG_URL, "long_url", 5},
	{PR_HYPHENATED_DOMAIN, "hyphenated_domain", 10},
	{PR_NO_PUBLIC_SUFFIX, "no_public_suffix", 15},
	{PR_OWN_DOMAIN, "own_domain", 0},
};

const char *
phish_reason_name(unsigned bit)
{
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].bit == bit)
			return reasons[i].name;
	return NULL;
}

int
phish_reason_weight(unsigned bit)
{
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].bit == bit)
			return reasons[i].weight;
	return 0;
}

const char *
phish_verdict(int score)
{
	if (score >= 60)
		return "dangerous";
	if (score >= 30)
		return "suspicious";
	return "clean";
}

static int
score_of(unsigned r)
{
	int s = 0;

	if ((r & PR_OWN_DOMAIN) != 0)
		r &= PR_USERINFO | PR_UNUSUAL_PORT | PR_NOT_HTTPS |
		     PR_TEXT_MISMATCH | PR_OWN_DOMAIN;
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if ((r & reasons[i].bit) != 0)
			s += reasons[i].weight;
	return s > 100 ? 100 : s;
}

/* Registrable domain of a display text like "www.paypal.com/login" or
 * "https://paypal.com", or NULL when the text names no domain. */
static char *
text_domain(const struct phish_engine *e, const char *text)
{
	char buf[256];
	size_t k = 0;
	const char *p = text, *reg;

	while (*p == ' ')
		p++;
	if (strncasecmp(p, "http://", 7) == 0)
		p += 7;
	else if (strncasecmp(p, "https://", 8) == 0)
		p += 8;
	while (*p != '\0' && k + 1 < sizeof(buf) &&
	       (isalnum((unsigned char)*p) || *p == '.' || *p == '-' ||
		(unsigned char)*p >= 0x80))
		buf[k++] = (char)tolower((unsigned char)*p++);
	buf[k] = '\0';
	if (*p != '\0' && *p != '/' && *p != ' ' && *p != ':')
		return NULL;
	if (strchr(buf, '.') == NULL || !is_ascii(buf))
		return NULL;
	reg = psl_registrable_domain(e->psl, buf);
	return reg != NULL ? strdup(reg) : NULL;
}

static int
has_words(const char *url)
{
	static const char *const w[] = {
		"login", "log-in", "signin", "sign-in", "verify", "verif",
		"account", "update", "secure", "banking", "confirm",
		"password", "webscr", "wallet", "suspend", "unlock",
		"billing", "recover", "authenticate", NULL};
	char low[PHISH_MAX_URL + 1];
	size_t n = strlen(url);

	if (n > PHISH_MAX_URL)
		n = PHISH_MAX_URL;
	for (size_t i = 0; i < n; i++)
		low[i] = (char)tolower((unsigned char)url[i]);
	low[n] = '\0';
	for (size_t i = 0; w[i] != NULL; i++)
		if (strstr(low, w[i]) != NULL)
			return 1;
	return 0;
}

int
phish_judge(const struct phish_engine *e, struct phish_link *l)
{
	CURLU *h = NULL;
	char *scheme = NULL, *host = NULL, *port = NULL, *user = NULL;
	char *fixed = NULL, ascii[512];
	const char *url = l->url, *reg;
	unsigned r = 0, hr = 0;
	int rc = -GH_INTERNAL, found;
	size_t hl;

	if (strncasecmp(url, "javascript:", 11) == 0) {
		r |= PR_JAVASCRIPT_URL;
		goto done;
	}
	if (strncasecmp(url, "data:", 5) == 0) {
		r |= PR_DATA_URL;
		goto done;
	}
	if (strncasecmp(url, "www.", 4) == 0) {
		size_t n = strlen(url) + 8;

		fixed = malloc(n + 1);
		if (fixed == NULL)
			goto out;
		memcpy(fixed, "https://", 8);
		memcpy(fixed + 8, url, strlen(url) + 1);
		url = fixed;
	}
	if (strlen(l->url) > 100)
		r |= PR_LONG_URL;
	if (has_words(l->url))
		r |= PR_SUSPICIOUS_WORDS;
	h = curl_url();
	if (h == NULL)
		goto out;
	if (curl_url_set(h, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) !=
	    CURLUE_OK ||
	    curl_url_get(h, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		r |= PR_INVALID_HOST;
		goto done;
	}
	(void)curl_url_get(h, CURLUPART_SCHEME, &scheme, 0);
	if (scheme != NULL && strcasecmp(scheme, "https") != 0)
		r |= PR_NOT_HTTPS;
	if (curl_url_get(h, CURLUPART_PORT, &port, 0) == CURLUE_OK &&
	    port != NULL && strcmp(port, "80") != 0 && strcmp(port, "443") != 0)
		r |= PR_UNUSUAL_PORT;
	if (curl_url_get(h, CURLUPART_USER, &user, 0) == CURLUE_OK &&
	    user != NULL)
		r |= PR_USERINFO;
	hl = strlen(host);
	if (hl == 0 || hl >= sizeof(ascii)) {
		r |= PR_INVALID_HOST;
		goto done;
	}
	for (size_t i = 0; i <= hl; i++)
		ascii[i] = (char)tolower((unsigned char)host[i]);
	while (hl > 0 && ascii[hl - 1] == '.')
		ascii[--hl] = '\0';
	l->host = strdup(ascii);
	if (l->host == NULL)
		goto out;
	if (is_ip_literal(ascii)) {
		r |= PR_IP_HOST;
		goto done;
	}
	if (phish_host_safe(e, ascii, &hr) < 0)
		r |= PR_INVALID_HOST;
	r |= hr;
	if (!is_ascii(ascii)) {
		char *a = NULL;

		if (idn2_to_ascii_8z(ascii, &a, IDN2_NONTRANSITIONAL) !=
		    IDN2_OK) {
			r |= PR_INVALID_HOST;
			goto done;
		}
		if (strlen(a) < sizeof(ascii))
			memcpy(ascii, a, strlen(a) + 1);
		idn2_free(a);
	}
	reg = psl_registrable_domain(e->psl, ascii);
	if (reg == NULL) {
		r |= PR_NO_PUBLIC_SUFFIX;
	} else {
		size_t hy = 0;
		const char *sub_end = reg;

		l->domain = strdup(reg);
		if (l->domain == NULL)
			goto out;
		(void)sset_get(&e->own, reg, &found);
		if (found)
			r |= PR_OWN_DOMAIN;
		if (!found && is_ascii(reg)) {
			/* ASCII lookalikes of the company's own domains
			 * ("paypa1.com", "rn" for "m"): browsers show them as
			 * they are, so only we can warn. Top domains are not
			 * compared this way: too many honest near-collisions. */
			char sk[1024];
			const char *hit;

			if (skeleton(e->sc, reg, sk, sizeof(sk)) == 0) {
				/* "0" maps to "O": compare case-blind. */
				for (char *q = sk; *q != '\0'; q++)
					*q = (char)tolower((unsigned char)*q);
				hit = sset_get(&e->own_skel, sk, &found);
				if (found && strcmp(hit, reg) != 0)
					r |= PR_CONFUSABLE_OWN;
			}
		}
		(void)sset_get(&e->short_, reg, &found);
		if (!found)
			(void)sset_get(&e->short_, ascii, &found);
		if (found)
			r |= PR_SHORTENER;
		/* Hyphens people typed, not those of "xn--". */
		for (const char *p = reg; *p != '\0'; p++) {
			if ((p == reg || p[-1] == '.') &&
			    strncmp(p, "xn--", 4) == 0) {
				p += 3;
				continue;
			}
			hy += *p == '-';
		}
		if (hy >= 2)
			r |= PR_HYPHENATED_DOMAIN;
		/* Known domains spelled out in the subdomain part. */
		if (sub_end > ascii) {
			char sub[512];
			size_t sn = (size_t)(sub_end - ascii) - 1, labels = 1;

			memcpy(sub, ascii, sn);
			sub[sn] = '\0';
			for (size_t i = 0; i < sn; i++)
				labels += sub[i] == '.';
			if (labels >= 4)
				r |= PR_MANY_SUBDOMAINS;
			/* Any run of labels that spells a known domain. */
			for (size_t a = 0; a < sn && !(r & PR_BRAND_IN_SUBDOMAIN);
			     a++) {
				if (a > 0 && sub[a - 1] != '.')
					continue;
				for (size_t b = a + 1; b <= sn; b++) {
					char save;

					if (b < sn && sub[b] != '.')
						continue;
					save = sub[b];
					sub[b] = '\0';
					(void)sset_get(&e->top, sub + a, &found);
					if (!found)
						(void)sset_get(&e->own, sub + a,
							       &found);
					if (found && strchr(sub + a, '.') != NULL)
						r |= PR_BRAND_IN_SUBDOMAIN;
					sub[b] = save;
				}
			}
		}
	}
	if (l->text != NULL && l->domain != NULL) {
		char *td = text_domain(e, l->text);

		if (td != NULL && strcmp(td, l->domain) != 0)
			r |= PR_TEXT_MISMATCH;
		free(td);
	}
done:
	l->reasons = r;
	l->score = score_of(r);
	rc = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(user);
	curl_url_cleanup(h);
	free(fixed);
	return rc;
}

int
phish_analyse(const struct phish_engine *e, const char *msg, size_t len,
	      int is_html, struct phish_links *out)
{
	size_t first = out->n;
	int rc = is_html ? phish_extract_html(msg, len, out)
			 : phish_extract_text(msg, len, out);

	for (size_t i = first; rc == 0 && i < out->n; i++)
		rc = phish_judge(e, &out->v[i]);
	return rc;
}

char *
phish_defang(const char *url)
{
	size_t n = strlen(url), k = 0, i = 0;
	char *o = malloc(n * 3 + 8);
	const char *host_end;

	if (o == NULL)
		return NULL;
	if (strncasecmp(url, "http", 4) == 0) {
		memcpy(o, "hxxp", 4);
		k = 4;
		i = 4;
	} else {
		/* Script and data URLs: "javascript[:]..." is no longer one. */
		static const char *const inert[] = {"javascript:", "vbscript:",
						    "data:"};

		for (size_t s = 0; s < sizeof(inert) / sizeof(inert[0]); s++) {
			size_t m = strlen(inert[s]);

			if (strncasecmp(url, inert[s], m) == 0) {
				memcpy(o, url, m - 1);
				memcpy(o + m - 1, "[:]", 3);
				k = m + 2;
				i = m;
				break;
			}
		}
	}
	/* Host part: up to the first '/', '?' or '#' after "//". */
	{
		const char *hs = strstr(url, "//");

		hs = hs != NULL ? hs + 2 : url + i;
		host_end = hs + strcspn(hs, "/?#");
		for (; url + i < hs; i++)
			o[k++] = url[i];
	}
	for (; url[i] != '\0'; i++) {
		if (url + i < host_end && url[i] == '.') {
			memcpy(o + k, "[.]", 3);
			k += 3;
		} else if (url + i < host_end && url[i] == '@') {
			memcpy(o + k, "[@]", 3);
			k += 3;
		} else {
			o[k++] = url[i];
		}
	}
	o[k] = '\0';
	return o;
}

json_t *
phish_links_json(const struct phish_links *l)
{
	json_t *arr = json_array();

	if (arr == NULL)
		return NULL;
	for (size_t i = 0; i < l->n; i++) {
		const struct phish_link *k = &l->v[i];
		char *d = phish_defang(k->url);
		json_t *rs = json_array(), *o;

		for (unsigned b = 0; rs != NULL && b < PR_COUNT_BITS; b++)
			if ((k->reasons & (1u << b)) != 0)
				json_array_append_new(
					rs, json_string(phish_reason_name(1u << b)));
		o = json_pack("{s:s?, s:s?, s:s?, s:s?, s:i, s:s, s:o, s:I, s:I}",
			      "url", d, "text", k->text, "host", k->host,
			      "domain", k->domain, "score", k->score,
			      "verdict", phish_verdict(k->score), "reasons", rs,
			      "start", (json_int_t)k->start,
			      "end", (json_int_t)k->end);
		free(d);
		if (o == NULL || json_array_append_new(arr, o) < 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}
