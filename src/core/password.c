/*
 * Password policy (NIST SP 800-63B): NFKC normalisation through ICU so the
 * same typed characters always give the same bytes; length counted in
 * code points (at least the configured minimum, never below 12, at most
 * 256); no composition rules; rejection of passwords that are one
 * character repeated, that are on the embedded John the Ripper list or
 * the operator's optional extra list (core/password_list.c) (as typed
 * lower-cased, with trailing digits and symbols removed, or as one listed
 * word repeated), that contain a context word (e-mail local part, name,
 * product name), that zxcvbn estimates below the entropy floor, that are
 * made only of runs of sequential or repeated characters ("abcd1234",
 * "zyxw9876", "aaaabbbb"), or that are a short pattern repeated at least
 * three times.
 *
 * Reasons are static English sentences; the password is never echoed,
 * logged or kept longer than needed: every copy lives in
 * crypto_secret_alloc'd memory that is wiped when freed.
 */
#include "core/password.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <zxcvbn.h>

#include "util/errors.h"
#include "crypto/crypto.h"
#include "util/embed.h"

/* Generated at build time from /usr/share/john/password.lst. */
extern const struct embedded_file common_passwords[];

/* Context words considered, and the bytes of each one looked at. */
#define CTX_MAX_ENTRIES 16
#define CTX_MAX_BYTES 256
#define CTX_MAX_WORDS 64
#define CTX_MIN_WORD 4

static const char reason_chars[] =
	"This password contains characters that are not allowed.";
static const char reason_short[] =
	"This password is too short. Use a longer phrase, for example several "
	"unrelated words.";
static const char reason_long[] =
	"This password is too long. Use at most 256 characters.";
static const char reason_repeat[] =
	"This password is one character repeated.";
static const char reason_common[] =
	"This password is on a list of common or breached passwords.";
static const char reason_context[] =
	"This password contains your name, your e-mail address or the name of "
	"this service.";
static const char reason_guess[] =
	"This password is too easy to guess. Use a longer phrase, for example "
	"several unrelated words.";
static const char reason_sequence[] =
	"This password is made of runs of sequential or repeated characters "
	"(like abcd, 4321 or aaaa).";
static const char reason_pattern[] =
	"This password is a short pattern repeated.";
static const char reason_internal[] =
	"This password could not be checked. Try again later.";

/*
 * Decodes one strict UTF-8 sequence at s[*i] (no overlong forms, no
 * surrogates, nothing past U+10FFFF). Returns 0 and advances *i, or -1.
 */
static int
utf8_next(const unsigned char *s, size_t len, size_t *i, uint32_t *cp)
{
	size_t p = *i;
	unsigned char c = s[p];
	uint32_t v;
	size_t n;
	uint32_t min;

	if (c < 0x80) {
		*cp = c;
		*i = p + 1;
		return 0;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		v = c & 0x1fu;
		n = 1;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		v = c & 0x0fu;
		n = 2;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		v = c & 0x07u;
		n = 3;
		min = 0x10000;
	} else {
		return -1;
	}
	if (len - p - 1 < n)
		return -1;
	for (size_t k = 1; k <= n; k++) {
		unsigned char cc = s[p + k];

		if ((cc & 0xc0) != 0x80)
			return -1;
		v = (v << 6) | (cc & 0x3fu);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return -1;
	*cp = v;
	*i = p + 1 + n;
	return 0;
}

/* NUL, C0 and C1 controls and DEL. */
static int
is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

/*
 * Validates s and counts its code points into *count and its UTF-16 code
 * units into *units (either may be NULL). Returns 0 or -1.
 */
static int
utf8_scan(const char *s, size_t len, size_t *count, size_t *units)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	size_t c = 0;
	size_t w = 0;
	uint32_t cp;

	while (i < len) {
		if (utf8_next(u, len, &i, &cp) != 0)
			return -1;
		if (is_control(cp))
			return -1;
		c++;
		w += cp > 0xffff ? 2 : 1;
	}
	if (count != NULL)
		*count = c;
	if (units != NULL)
		*units = w;
	return 0;
}

/* pw[0, len) (valid, checked by utf8_scan: units UTF-16 units) as
 * UTF-16 in secret memory; NULL when out of memory. */
static UChar *
to_utf16(const char *pw, size_t len, size_t units)
{
	const unsigned char *u = (const unsigned char *)pw;
	UChar *src = crypto_secret_alloc((units + 1) * sizeof(UChar));
	size_t i = 0, o = 0;

	if (src == NULL)
		return NULL;
	while (i < len) {
		uint32_t cp;

		if (utf8_next(u, len, &i, &cp) != 0) {
			crypto_secret_free(src);
			return NULL;
		}
		if (cp > 0xffff) {
			cp -= 0x10000;
			src[o++] = (UChar)(0xd800 + (cp >> 10));
			src[o++] = (UChar)(0xdc00 + (cp & 0x3ff));
		} else {
			src[o++] = (UChar)cp;
		}
	}
	return src;
}

/* NFKC of src[0, n) into *dst (secret memory), *dlen units. */
static int
nfkc(const UChar *src, int32_t n, UChar **dst, int32_t *dlen)
{
	UErrorCode st = U_ZERO_ERROR;
	const UNormalizer2 *norm = unorm2_getNFKCInstance(&st);
	int32_t len;

	*dst = NULL;
	if (U_FAILURE(st) || norm == NULL)
		return -GH_INTERNAL;
	/* Preflight: NFKC may expand (up to 18 units for one character). */
	len = unorm2_normalize(norm, src, n, NULL, 0, &st);
	if (st == U_BUFFER_OVERFLOW_ERROR)
		st = U_ZERO_ERROR;
	if (U_FAILURE(st) || len < 0)
		return -GH_INTERNAL;
	*dst = crypto_secret_alloc(((size_t)len + 1) * sizeof(UChar));
	if (*dst == NULL)
		return -GH_INTERNAL;
	*dlen = unorm2_normalize(norm, src, n, *dst, len + 1, &st);
	if (U_FAILURE(st) || *dlen < 0) {
		crypto_secret_free(*dst);
		*dst = NULL;
		return -GH_INTERNAL;
	}
	return 0;
}

/* src[0, n) as NUL-ended UTF-8 in secret memory (*out, *outlen bytes). */
static int
to_utf8(const UChar *src, int32_t n, char **out, size_t *outlen)
{
	UErrorCode st = U_ZERO_ERROR;
	int32_t rlen = 0;
	char *res;

	*out = NULL;
	(void)u_strToUTF8(NULL, 0, &rlen, src, n, &st);
	if (st == U_BUFFER_OVERFLOW_ERROR)
		st = U_ZERO_ERROR;
	if (U_FAILURE(st) || rlen < 0)
		return -GH_INTERNAL;
	res = crypto_secret_alloc((size_t)rlen + 1);
	if (res == NULL)
		return -GH_INTERNAL;
	(void)u_strToUTF8(res, rlen + 1, &rlen, src, n, &st);
	if (U_FAILURE(st)) {
		crypto_secret_free(res);
		return -GH_INTERNAL;
	}
	res[rlen] = '\0';
	*out = res;
	*outlen = (size_t)rlen;
	return 0;
}

int
password_normalize(const char *pw, size_t len, char **out, size_t *outlen)
{
	UChar *src = NULL, *dst = NULL;
	size_t units = 0;
	int32_t dlen = 0;
	int ret;

	if (out == NULL || outlen == NULL)
		return -GH_INTERNAL;
	*out = NULL;
	*outlen = 0;
	if (pw == NULL && len != 0)
		return -GH_BAD_UTF8;
	if (len > PASSWORD_MAX_BYTES)
		return -GH_BAD_FIELD;
	if (utf8_scan(pw, len, NULL, &units) != 0)
		return -GH_BAD_UTF8;
	src = to_utf16(pw, len, units);
	ret = src != NULL ? nfkc(src, (int32_t)units, &dst, &dlen)
			  : -GH_INTERNAL;
	if (ret == 0)
		ret = to_utf8(dst, dlen, out, outlen);
	/* Compatibility mappings never yield controls, but make sure. */
	if (ret == 0 && utf8_scan(*out, *outlen, NULL, NULL) != 0) {
		crypto_secret_free(*out);
		*out = NULL;
		*outlen = 0;
		ret = -GH_BAD_UTF8;
	}
	crypto_secret_free(src);
	crypto_secret_free(dst);
	return ret;
}

static unsigned char
ascii_lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + ('a' - 'A')) : c;
}

static int
is_ascii_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

/* Byte-wise comparison of a word with one list line. */
static int
word_cmp(const char *w, size_t wl, const unsigned char *l, size_t ll)
{
	int c = memcmp(w, l, wl < ll ? wl : ll);

	if (c != 0)
		return c;
	if (wl == ll)
		return 0;
	return wl < ll ? -1 : 1;
}

/*
 * Binary search in a sorted newline-separated list. lo is always the start
 * of a line and hi the start of a line or the end of the data.
 */
static int
in_list(const struct embedded_file *list, const char *w, size_t wl)
{
	const unsigned char *d = list->data;
	size_t lo = 0;
	size_t hi = list->len;

	if (wl == 0)
		return 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		size_t start = mid;
		size_t end;
		const unsigned char *nl;
		int c;

		while (start > lo && d[start - 1] != '\n')
			start--;
		nl = memchr(d + start, '\n', list->len - start);
		end = nl == NULL ? list->len : (size_t)(nl - d);
		c = word_cmp(w, wl, d + start, end - start);
		if (c == 0)
			return 1;
		if (c < 0)
			hi = start;
		else
			lo = end + 1 > list->len ? list->len : end + 1;
	}
	return 0;
}

/* Whether s (len bytes) is some listed word repeated at least twice. */
static int
repeated_listed_word(const struct embedded_file *list, const char *s,
		     size_t len)
{
	for (size_t p = 1; p <= len / 2; p++) {
		size_t k;

		if (len % p != 0)
			continue;
		for (k = p; k < len; k += p)
			if (memcmp(s, s + k, p) != 0)
				break;
		if (k >= len && in_list(list, s, p))
			return 1;
	}
	return 0;
}

static int
is_common(const char *lower, size_t len)
{
	const struct password_blocklist *extra = password_blocklist_installed();
	const struct embedded_file *list;
	size_t stem = len;

	list = embed_find(common_passwords, "password.lst");
	if (list == NULL)
		return -1;
	if (in_list(list, lower, len) || repeated_listed_word(list, lower, len) ||
	    password_blocklist_has(extra, lower, len))
		return 1;
	/* "Password1234!" -> "password". */
	while (stem > 0 &&
	       !(ascii_lower((unsigned char)lower[stem - 1]) >= 'a' &&
		 ascii_lower((unsigned char)lower[stem - 1]) <= 'z') &&
	       (unsigned char)lower[stem - 1] < 0x80)
		stem--;
	if (stem > 0 && stem < len &&
	    (in_list(list, lower, stem) ||
	     repeated_listed_word(list, lower, stem) ||
	     password_blocklist_has(extra, lower, stem)))
		return 1;
	return 0;
}

static int
one_char_repeated(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	size_t first;
	uint32_t cp;

	if (len == 0 || utf8_next(u, len, &i, &cp) != 0)
		return 0;
	first = i;
	if (len % first != 0)
		return 0;
	for (size_t k = first; k < len; k += first)
		if (memcmp(s, s + k, first) != 0)
			return 0;
	return 1;
}

static int
ascii_alnum(uint32_t cp)
{
	return cp < 0x80 && is_ascii_alnum((unsigned char)cp);
}

/*
 * Whether every code point of lower (len bytes of valid UTF-8) lies in a
 * run of at least three whose neighbours differ by the same step: 0 (one
 * character repeated) or, between ASCII letters or digits, -1 or +1 (the
 * alphabet and the digits, forwards or backwards). That is sequences and
 * repetitions however they are joined ("abcdefgh", "12345678abcd",
 * "aaaabbbbcccc", "zyxwvu987654"). A real passphrase always has a pair
 * that breaks such runs.
 */
static int
all_simple_runs(const char *lower, size_t len)
{
	const unsigned char *u = (const unsigned char *)lower;
	uint32_t cp[PASSWORD_MAX_CHARS + 1];
	size_t n = 0, i = 0;

	while (i < len && n <= PASSWORD_MAX_CHARS)
		if (utf8_next(u, len, &i, &cp[n++]) != 0)
			return 0;
	if (i < len || n < 3)
		return 0;
	for (size_t a = 0; a < n;) {
		int64_t step = (int64_t)cp[a + 1 < n ? a + 1 : a] - cp[a];
		size_t b = a + 1;

		if (step < -1 || step > 1 || (step != 0 && !ascii_alnum(cp[a])))
			return 0;
		while (b < n && (int64_t)cp[b] - cp[b - 1] == step &&
		       (step == 0 || ascii_alnum(cp[b])))
			b++;
		if (b - a < 3)
			return 0;
		a = b;
	}
	return 1;
}

/* Whether s (len bytes) is a pattern repeated at least three times
 * ("abcabcabcabc", "ab12ab12ab12"). */
static int
short_pattern_repeated(const char *s, size_t len)
{
	for (size_t p = 1; p <= len / 3; p++) {
		size_t k;

		if (len % p != 0)
			continue;
		for (k = p; k < len; k += p)
			if (memcmp(s, s + k, p) != 0)
				break;
		if (k >= len)
			return 1;
	}
	return 0;
}

/*
 * Splits the context entries into lower-cased words in buf: each whole
 * entry and each run of ASCII letters and digits in it. words[] gets a
 * NULL after the last one. buf must hold 3 * (CTX_MAX_BYTES + 1) bytes per
 * entry.
 */
static void
context_words(const char *const *context, char *buf, const char **words)
{
	size_t nw = 0;
	size_t b = 0;

	for (size_t e = 0; context != NULL && context[e] != NULL &&
			   e < CTX_MAX_ENTRIES;
	     e++) {
		const char *c = context[e];
		size_t cl = strnlen(c, CTX_MAX_BYTES);
		size_t i = 0;

		if (cl == 0)
			continue;
		if (nw < CTX_MAX_WORDS) {
			words[nw++] = buf + b;
			for (size_t k = 0; k < cl; k++)
				buf[b++] = (char)ascii_lower((unsigned char)c[k]);
			buf[b++] = '\0';
		}
		while (i < cl) {
			size_t start;

			while (i < cl && !is_ascii_alnum((unsigned char)c[i]))
				i++;
			start = i;
			while (i < cl && is_ascii_alnum((unsigned char)c[i]))
				i++;
			/* The whole entry is already there. */
			if (i == start || (start == 0 && i == cl))
				continue;
			if (nw >= CTX_MAX_WORDS)
				break;
			words[nw++] = buf + b;
			for (size_t k = start; k < i; k++)
				buf[b++] = (char)ascii_lower((unsigned char)c[k]);
			buf[b++] = '\0';
		}
	}
	words[nw] = NULL;
}

static int
contains_context(const char *lower, size_t len, const char *const *words)
{
	for (size_t i = 0; words[i] != NULL; i++) {
		size_t wl = strlen(words[i]);

		if (wl >= CTX_MIN_WORD && wl <= len &&
		    memmem(lower, len, words[i], wl) != NULL)
			return 1;
	}
	return 0;
}

/* Length in code points within [min, PASSWORD_MAX_CHARS]; *len gets
 * the bytes. NULL or the reason. */
static const char *
check_length(const char *norm, unsigned min, size_t *len)
{
	size_t count = 0;

	*len = strnlen(norm, PASSWORD_MAX_BYTES * 18 + 1);
	if (*len > PASSWORD_MAX_BYTES * 18)
		return reason_long;
	if (utf8_scan(norm, *len, &count, NULL) != 0)
		return reason_chars;
	if (count < min)
		return reason_short;
	if (count > PASSWORD_MAX_CHARS)
		return reason_long;
	if (one_char_repeated(norm, *len))
		return reason_repeat;
	return NULL;
}

/* The lists, the context words, zxcvbn, then sequences and patterns, on
 * the ASCII-lower-cased form. NULL or the reason. words[] gets the
 * context words (ctxbuf holds them). */
static const char *
check_content(const struct password_policy *policy, const char *norm,
	      const char *lower, size_t len, const char *const *context,
	      char *ctxbuf, const char **words)
{
	int common = is_common(lower, len);

	if (common != 0)
		return common > 0 ? reason_common : reason_internal;
	if (context != NULL) {
		context_words(context, ctxbuf, words);
		if (contains_context(lower, len, words))
			return reason_context;
	}
	if (policy != NULL && policy->min_entropy_bits > 0) {
		double bits = ZxcvbnMatch(norm, words, NULL);

		if (!(bits >= policy->min_entropy_bits))
			return reason_guess;
	}
	if (all_simple_runs(lower, len))
		return reason_sequence;
	if (short_pattern_repeated(lower, len))
		return reason_pattern;
	return NULL;
}

int
password_check(const struct password_policy *policy, const char *norm,
	       const char *const *context, const char **reason)
{
	const char *why = reason_internal;
	unsigned min = PASSWORD_MIN_FLOOR;
	char *lower = NULL;
	char *ctxbuf = NULL;
	const char *words[CTX_MAX_WORDS + 1];
	size_t len = 0;

	words[0] = NULL;
	if (norm == NULL)
		goto out;
	if (policy != NULL && policy->min_length > min)
		min = policy->min_length;
	why = check_length(norm, min, &len);
	if (why != NULL)
		goto out;
	why = reason_internal;
	lower = crypto_secret_alloc(len + 1);
	ctxbuf = crypto_secret_alloc(CTX_MAX_ENTRIES * 3 * (CTX_MAX_BYTES + 1));
	if (lower == NULL || ctxbuf == NULL)
		goto out;
	for (size_t i = 0; i < len; i++)
		lower[i] = (char)ascii_lower((unsigned char)norm[i]);
	lower[len] = '\0';
	why = check_content(policy, norm, lower, len, context, ctxbuf, words);
out:
	crypto_secret_free(lower);
	crypto_secret_free(ctxbuf);
	if (reason != NULL)
		*reason = why;
	return why == NULL ? 0 : -GH_WEAK_PASSWORD;
}

int
password_check_new(const struct password_policy *policy,
		   const char *cur_hash, const char *next, size_t next_len,
		   int next_bad, const char *email, const char *name,
		   const char *company, const char **reason, const char **why)
{
	const char *context[5];
	char local[256];
	int rc;

	if (next_bad) {
		*reason = "The password must be valid text of at most 256 "
			  "characters.";
		*why = "invalid new password";
		return -GH_WEAK_PASSWORD;
	}
	if (crypto_pw_verify(cur_hash, next, next_len) == 0) {
		*why = "new password equals the current one";
		return -GH_PASSWORD_REUSED;
	}
	snprintf(local, sizeof(local), "%s", email);
	local[strcspn(local, "@")] = '\0';
	context[0] = local;
	context[1] = name;
	context[2] = company;
	context[3] = "gatehouse";
	context[4] = NULL;
	rc = password_check(policy, next, context, reason);
	crypto_wipe(local, sizeof(local));
	if (rc < 0)
		*why = "new password refused by the policy";
	return rc;
}
