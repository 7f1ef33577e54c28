/*
 * Host names as browsers judge them before showing them: IP literals in
 * every form browsers accept, and the IDN spoof check in Chromium's order
 * (url_formatter's IDNToUnicodeWithAdjustments): each IDN label through
 * SafeToDisplayAsUnicode (idn.c), then the skeletons of the whole host
 * (diacritics removed for LGC hosts, þ and œ read each way, Chromium's
 * extra confusables) against the top domains' and the company's own
 * domains' skeletons, its last 2 to 4 labels, the domain itself and its
 * subdomains excepted. IDNA conversion is libidn2's (non-transitional), decoded
 * and encoded again because decoding alone barely validates. It fetches
 * nothing.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <idn2.h>
#include <unicode/ustring.h>
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

/* What a refused label adds to the link's reasons. */
static unsigned
label_reason(enum idn_result r)
{
	return r == IDN_SAFE ? 0 : PR_MIXED_SCRIPT;
}

/* SafeToDisplayAsUnicode on the UTF-8 label lab under tld (ASCII) whose
 * Unicode form is utld. */
static unsigned
label_check(const struct phish_engine *e, const char *lab, const char *tld,
	    const char *utld)
{
	UChar u[256], t[128];
	int32_t n = 0, tn = 0;
	UErrorCode st = U_ZERO_ERROR;

	u_strFromUTF8(u, 256, &n, lab, -1, &st);
	u_strFromUTF8(t, 128, &tn, utld, -1, &st);
	if (U_FAILURE(st) || st == U_STRING_NOT_TERMINATED_WARNING)
		return PR_INVALID_HOST;
	return label_reason(idn_label_check(e->idn, e->sc, u, n, tld, t, tn));
}

/* Chromium's supplemental hostnames (SkeletonGenerator::
 * GenerateSupplementalHostnames): þ may be read as b or p, œ as ce or oe
 * and ł as l or t, so each is tried each way; only hosts of at most 32
 * characters with at most 5 such characters, at most 128 variants. */
struct variants {
	char v[128][256];
	size_t n;
};

static void
expand(const char *s, char *acc, size_t len, struct variants *out)
{
	static const struct {
		const char *from, *to[3];
	} map[] = {{"þ", {"þ", "b", "p"}}, {"œ", {"œ", "ce", "oe"}},
		   {"ł", {"ł", "l", "t"}}};

	if (out->n >= 128 || len + 3 >= sizeof(out->v[0]))
		return;
	if (*s == '\0') {
		memcpy(out->v[out->n++], acc, len + 1);
		return;
	}
	for (size_t m = 0; m < sizeof(map) / sizeof(map[0]); m++) {
		size_t fl = strlen(map[m].from);

		if (strncmp(s, map[m].from, fl) != 0)
			continue;
		for (size_t k = 0; k < 3; k++) {
			size_t tl = strlen(map[m].to[k]);

			memcpy(acc + len, map[m].to[k], tl + 1);
			expand(s + fl, acc, len + tl, out);
		}
		return;
	}
	acc[len] = *s;
	acc[len + 1] = '\0';
	expand(s + 1, acc, len + 1, out);
}

/* 1 when host (UTF-8) may have its variants computed. */
static int
may_expand(const char *host)
{
	int32_t i = 0, n = (int32_t)strlen(host), chars = 0, special = 0;

	while (i < n) {
		UChar32 c;

		U8_NEXT(host, i, n, c);
		chars++;
		special += c == 0xfe || c == 0x153 || c == 0x142;
	}
	return chars > 0 && chars <= 32 && special <= 5;
}

/* The skeleton of every label suffix of sk (the last 4 labels at most, 2
 * at least) in map; the matching domain or NULL
 * (IDNSpoofChecker::LookupSkeletonInTopDomains). */
static const char *
lookup_suffixes(const struct sset *map, const char *sk)
{
	const char *p = sk + strlen(sk);
	const char *starts[5];
	size_t n = 0;
	int found;

	/* The start of each of the last labels, nearest the end first. */
	while (n < 5) {
		while (p > sk && p[-1] != '.')
			p--;
		starts[n++] = p;
		if (p == sk)
			break;
		p--;
	}
	for (size_t k = n < 4 ? n : 4; k >= 2; k--) {
		const char *hit = sset_get(map, starts[k - 1], &found);

		if (found)
			return hit;
	}
	return NULL;
}

/* 1 when host is dom or one of its subdomains. */
static int
is_or_under(const char *host, const char *dom)
{
	size_t h = strlen(host), d = strlen(dom);

	return strcmp(host, dom) == 0 ||
	       (h > d && host[h - d - 1] == '.' && strcmp(host + h - d, dom) == 0);
}

/* One variant's skeletons (SkeletonGenerator::GetSkeletons: the extra
 * confusables, ICU's skeleton, and ӏ read as l besides i) looked up in
 * map. The domain found, or NULL. */
static const char *
variant_match(const struct phish_engine *e, const struct sset *map,
	      const char *v)
{
	char m[1024], sk[1024], *el;
	const char *hit = NULL;

	if (trans_apply(e, e->extra, v, m, sizeof(m)) != 0)
		return NULL;
	el = strstr(m, "ӏ");
	if (el != NULL) {
		char l[1024];
		size_t j = 0;

		for (const char *q = m; *q != '\0' && j + 1 < sizeof(l);)
			if (strncmp(q, "ӏ", 2) == 0) {
				l[j++] = 'l';
				q += 2;
			} else {
				l[j++] = *q++;
			}
		l[j] = '\0';
		if (skeleton(e->sc, l, sk, sizeof(sk)) == 0)
			hit = lookup_suffixes(map, sk);
	}
	if (hit == NULL && skeleton(e->sc, m, sk, sizeof(sk)) == 0)
		hit = lookup_suffixes(map, sk);
	return hit;
}

/* IDNSpoofChecker::GetSimilarTopDomain on the Unicode host uni (ASCII
 * form low) against map: the domain it imitates, or NULL when none or when
 * it is that domain or under it. */
static const char *
similar_domain(const struct phish_engine *e, const struct sset *map,
	       const char *uni, const char *low)
{
	struct variants *vs = malloc(sizeof(*vs));
	const char *hit = NULL;
	char base[256], acc[256];
	UChar u[256];
	int32_t n = 0;
	UErrorCode st = U_ZERO_ERROR;

	snprintf(base, sizeof(base), "%s", uni);
	u_strFromUTF8(u, 256, &n, uni, -1, &st);
	/* Diacritics are removed when the host is LGC only. */
	if (U_SUCCESS(st) && idn_lgc_only(e->idn, u, n) &&
	    trans_apply(e, e->drop_acc, uni, base, sizeof(base)) != 0)
		snprintf(base, sizeof(base), "%s", uni);
	if (vs == NULL)
		return NULL;
	vs->n = 0;
	/* Past Chromium's limits it computes no variant and so matches
	 * nothing; the host as it is is still compared here. */
	if (may_expand(base))
		expand(base, acc, 0, vs);
	else
		snprintf(vs->v[vs->n++], sizeof(vs->v[0]), "%s", base);
	/* ł looks like t only with its stroke: the host as is too. */
	if (strstr(uni, "ł") != NULL && may_expand(uni))
		expand(uni, acc, 0, vs);
	for (size_t i = 0; hit == NULL && i < vs->n; i++)
		hit = variant_match(e, map, vs->v[i]);
	free(vs);
	return hit != NULL && !is_or_under(low, hit) ? hit : NULL;
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
 * back) under the TLD tld. Adds the reasons; returns 1, 0 (unsafe) or -1
 * (invalid). */
static int
labels_safe(const struct phish_engine *e, char *uni, const char *tld,
	    unsigned *reasons)
{
	const char *ut = strrchr(uni, '.');
	char utld[128];
	int rc = 1;

	snprintf(utld, sizeof(utld), "%s", ut != NULL ? ut + 1 : uni);
	for (char *lab = uni; lab != NULL && *lab != '\0';) {
		char *dot = strchr(lab, '.');
		unsigned r;

		if (dot != NULL)
			*dot = '\0';
		if (!is_ascii(lab)) {
			r = label_check(e, lab, tld, utld);
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

/* The whole host's skeletons against the top domains and the company's
 * own (Chromium's top-domain step, after every label passed). */
static unsigned
host_confusable(const struct phish_engine *e, const char *uni,
		const char *low)
{
	unsigned r = 0;

	if (similar_domain(e, &e->own_skel, uni, low) != NULL)
		r |= PR_CONFUSABLE_OWN;
	if (similar_domain(e, &e->skel, uni, low) != NULL)
		r |= PR_CONFUSABLE_TOP;
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
	/* IDNToUnicodeWithAdjustments: every label first, then the whole
	 * host against the top domains. */
	rc = labels_safe(e, uni, tld, reasons);
	r = host_confusable(e, uni, low);
	if (r != 0) {
		*reasons |= r;
		rc = 0;
	}
out:
	idn2_free(uni);
	idn2_free(back);
	return rc;
}
