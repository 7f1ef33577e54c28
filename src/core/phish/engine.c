/*
 * The link analyser's engine (see phish.h): the public suffix list
 * (libpsl, Debian's copy, else the built-in one), the embedded top-domains
 * and URL-shortener lists, the company's own domains, and ICU's spoof
 * checker set up as Chromium uses it (restriction level "highly
 * restrictive", invisible characters, mixed number systems, characters
 * outside UTS 39's recommended set), with the skeleton of every known
 * domain indexed for the confusable check. Read-only once built, but for
 * the two transliterators, which one lock guards. It judges nothing
 * itself (hosts.c, judge.c do).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <idn2.h>
#include <unicode/ustring.h>
#include <unicode/uvernum.h>

#include "core/phish/phish_int.h"
#include "util/embed.h"
#include "util/errors.h"

extern const struct embedded_file phish_data[];

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

const char *
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

/* SkeletonGenerator's supplement to the Unicode confusables
 * (components/url_formatter/spoof_checks/skeleton_generator.cc); þ, œ
 * and ł, which look like two things, are expanded in hosts.c instead. */
static const char extra_rules[] =
	"[æӕ] > ae; [ϼҏ] > p; [ħнћңҥӈӊԋԧԩ] > h;"
	"[ĸκкқҝҟҡӄԟ] > k; [ŋпԥกח] > n;"
	"[ŧтҭԏ七丅丆丁] > t; [ƅьҍвß] > b; [ωшщพฟພຟ] > w;"
	"[мӎ] > m; [єҽҿၔ] > e; ґ > r; [ғӻ] > f;"
	"[ҫင] > c; [ұ丫] > y; [χҳӽӿ乂] > x;"
	"[ԃძ] > d; [ԍဌ] > g; [ടรຣຮ] > s; ၂ > j;"
	"[०০੦૦ଠ୦೦စ] > o; [৭੧૧] > q; [บບ] > u; [θ] > 0;"
	"[२২੨૨೩೭շ] > 2; [зҙӡउওਤ੩૩౩ဒვპੜკ] > 3; [੫丩ㄐ] > 4; [ճ] > 6;"
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
int
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

int
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

char *
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

/* Adds the domains of a list (one a line, # comments) to set and, when
 * skel is not NULL, their skeletons to skel. */
static int
load_lines(struct phish_engine *e, const char *p, const char *end,
	   struct sset *set, struct sset *skel)
{
	size_t lines = 0;
	int rc;

	for (const char *q = p; q < end; q++)
		lines += *q == '\n';
	rc = sset_init(set, lines + 16);
	while (rc == 0 && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		char buf[256];

		if (n > 0 && n < sizeof(buf) && p[0] != '#') {
			for (size_t i = 0; i < n; i++)
				buf[i] = (char)tolower((unsigned char)p[i]);
			while (n > 0 && (buf[n - 1] == '\r' || buf[n - 1] == ' '))
				n--;
			buf[n] = '\0';
			if (n > 0)
				rc = sset_put(set, buf, NULL);
			if (n > 0 && rc == 0 && skel != NULL)
				rc = add_skeletons(e, skel, buf);
		}
		p += n + 1;
		if (nl == NULL)
			break;
	}
	return rc;
}

static int
load_list(struct phish_engine *e, const char *name, struct sset *set,
	  struct sset *skel)
{
	const struct embedded_file *f = embed_find(phish_data, name);
	const char *p;

	if (f == NULL)
		return -GH_INTERNAL;
	p = (const char *)f->data;
	return load_lines(e, p, p + f->len, set, skel);
}

/* The top domains from path (at most 16 MiB) instead of the built-in
 * list. -GH_BAD_FIELD when it cannot be read. */
static int
load_top_file(struct phish_engine *e, const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long len;
	int rc = -GH_BAD_FIELD;

	if (f == NULL)
		return rc;
	if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
	    len > 16L << 20 || fseek(f, 0, SEEK_SET) != 0)
		goto out;
	buf = malloc((size_t)len + 1);
	if (buf == NULL || fread(buf, 1, (size_t)len, f) != (size_t)len)
		goto out;
	rc = load_lines(e, buf, buf + len, &e->top, &e->skel);
out:
	free(buf);
	fclose(f);
	return rc;
}

/* ICU's spoof checker as IDNSpoofChecker sets it up: restriction level
 * highly restrictive, every check plus the restriction level reported
 * (AUX_INFO), and SetAllowedUnicodeSet's characters: UTS 39's recommended
 * and inclusion sets less the characters Chromium drops (NV8 and IDNA
 * 2008 invalid ones, quote and hyphen look-alikes, Latin kra, rarely used
 * LGC blocks). */
static int
setup_spoof(struct phish_engine *e)
{
	static const UChar32 drop[] = {0x338, 0x58a, 0x2010, 0x2019, 0x2027,
				       0x30a0, 0x2bb, 0x2bc, 0x2ec, 0x138};
	static const UChar32 ranges[][2] = {
		{0x1cd, 0x1dc}, {0x1c80, 0x1c8f}, {0x1e00, 0x1e9b},
		{0x1f00, 0x1fff}, {0xa640, 0xa69f}, {0xa720, 0xa7ff}};
	UErrorCode st = U_ZERO_ERROR;

	e->sc = uspoof_open(&st);
	if (U_FAILURE(st))
		return -GH_INTERNAL;
	uspoof_setRestrictionLevel(e->sc, USPOOF_HIGHLY_RESTRICTIVE);
	e->allowed = uset_cloneAsThawed(uspoof_getRecommendedSet(&st));
	if (U_FAILURE(st) || e->allowed == NULL)
		return -GH_INTERNAL;
	uset_addAll(e->allowed, uspoof_getInclusionSet(&st));
	for (size_t i = 0; i < sizeof(drop) / sizeof(drop[0]); i++)
		uset_remove(e->allowed, drop[i]);
	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
		uset_removeRange(e->allowed, ranges[i][0], ranges[i][1]);
#if U_ICU_VERSION_MAJOR_NUM < 72
	/* Unicode 15 restricts ZWNJ and ZWJ; older ICU does not. */
	uset_remove(e->allowed, 0x200c);
	uset_remove(e->allowed, 0x200d);
#endif
	uset_freeze(e->allowed);
	uspoof_setAllowedChars(e->sc, e->allowed, &st);
	uspoof_setChecks(e->sc, uspoof_getChecks(e->sc, &st) | USPOOF_AUX_INFO,
			 &st);
	return U_FAILURE(st) ? -GH_INTERNAL : 0;
}

/* The company's own domains, lower-cased, and their skeletons. */
static int
load_own(struct phish_engine *e, const struct phish_options *o, size_t n_own)
{
	int rc = 0;

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
	return rc;
}

int
phish_engine_new(const struct phish_options *o, struct phish_engine **out)
{
	struct phish_engine *e = calloc(1, sizeof(*e));
	size_t n_own = o != NULL ? o->n_own_domains : 0;
	const char *top = o != NULL ? o->top_domains_file : NULL;
	int rc = -GH_INTERNAL;

	*out = NULL;
	if (e == NULL)
		return rc;
	pthread_mutex_init(&e->tr_lock, NULL);
	e->drop_acc = trans_open("GhDropAcc", drop_rules);
	e->extra = trans_open("GhExtraConf", extra_rules);
	e->psl = psl_latest(NULL);
	if (e->psl == NULL)
		e->psl = (psl_ctx_t *)(uintptr_t)psl_builtin();
	if (e->drop_acc == NULL || e->extra == NULL || e->psl == NULL ||
	    setup_spoof(e) < 0 || idn_rules_new(&e->idn) < 0)
		goto fail;
	if (sset_init(&e->skel, 6000 + n_own) < 0 ||
	    sset_init(&e->own, n_own + 4) < 0 ||
	    sset_init(&e->own_skel, n_own + 4) < 0)
		goto fail;
	rc = top != NULL ? load_top_file(e, top)
			 : load_list(e, "top_domains.txt", &e->top, &e->skel);
	if (rc == 0)
		rc = load_list(e, "url_shorteners.txt", &e->short_, NULL);
	if (rc == 0)
		rc = load_own(e, o, n_own);
	if (rc < 0)
		goto fail;
	*out = e;
	return 0;
fail:
	phish_engine_free(e);
	return rc < 0 && rc != -GH_INTERNAL ? rc : -GH_INTERNAL;
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
	idn_rules_free(e->idn);
	pthread_mutex_destroy(&e->tr_lock);
	free(e);
}
