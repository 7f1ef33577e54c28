/*
 * The text the outbound filter's detectors see: Unicode NFKC (full-width
 * and other compatibility forms folded: "＠" is "@", "４" is "4") with
 * the format characters (general category Cf: zero-width space and
 * joiners, soft hyphen, word joiner, bidi controls, BOM, tags) dropped,
 * or, for the second look the note check takes, kept (they then separate
 * words). Invalid UTF-8 bytes are kept as they are.
 *
 * The invariant: every byte offset in the view maps back to the original
 * text, so findings are reported where they are in the text as written.
 * The text is cut into chunks at NFKC boundaries (a chunk is a starter
 * and the characters that may combine with it) and normalised chunk by
 * chunk; a chunk that changed is recorded as an edit (its place in the
 * view and in the original), and between edits the two differ by a fixed
 * shift. A span that begins or ends inside an edit grows to the whole
 * edit, so it always covers what was written. Format characters between
 * chunks are edits of their own with nothing in the view, and stay out of
 * a span that only borders them.
 *
 * Speed: ASCII needs nothing (no ASCII character is Cf, ASCII is NFKC and
 * combines with nothing before it), so ASCII text is neither copied nor
 * mapped, and in other text only the runs of non-ASCII bytes are looked at
 * with ICU's quick check; only a text that would change is copied and
 * mapped, and its runs of ASCII are copied whole.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#include "core/dlp/dlp_int.h"
#include "util/errors.h"

/* Most bytes of text per quick-check block. */
#define NORM_BLOCK 4096
/* Most UTF-16 units in one chunk before it is cut anyway (the stream-safe
 * format allows 30 non-starters in a row). */
#define NORM_CHUNK 32
/* NFKC makes at most 18 UTF-16 units of one (U+FDFA). */
#define NORM_CHUNK_OUT (18 * (NORM_CHUNK + 2))

/* A chunk being gathered and the view being written. */
struct walk {
	const UNormalizer2 *nfkc;
	const char *t;
	int32_t len;
	enum norm_cf cf;
	struct norm_view *v;
	size_t cap;		/* of v->buf */
	int32_t cs, ce;		/* the chunk: t[cs, ce) */
	UChar u[NORM_CHUNK + 2];	/* its characters, format ones left out */
	int32_t nu;
	int changed;		/* format characters dropped inside it */
	int dropped;		/* format characters dropped after ce */
	int err;
};

/* The first non-ASCII byte of t[from, len), or len. */
static size_t
skip_ascii(const char *t, size_t len, size_t from)
{
	const uint64_t hi = 0x8080808080808080ull;
	size_t i = from;

	for (; i + 8 <= len; i += 8) {
		uint64_t x;

		memcpy(&x, t + i, 8);
		if ((x & hi) != 0)
			break;
	}
	while (i < len && (unsigned char)t[i] < 0x80)
		i++;
	return i;
}

/* The start of the UTF-8 character before t[at] (at > 0). */
static size_t
char_before(const char *t, size_t at)
{
	size_t p = at - 1;

	while (p > 0 && at - p < 4 && ((unsigned char)t[p] & 0xc0) == 0x80)
		p--;
	return p;
}

/* Whether the UTF-16 u[0, nu) holds something NFKC would change, or a
 * format character to drop. */
static int
block_changes(const UNormalizer2 *nfkc, const UChar *u, int32_t nu,
	      enum norm_cf cf)
{
	UErrorCode st = U_ZERO_ERROR;

	if (unorm2_spanQuickCheckYes(nfkc, u, nu, &st) < nu || U_FAILURE(st))
		return 1;
	for (int32_t i = 0; i < nu;) {
		UChar32 c;

		U16_NEXT(u, i, nu, c);
		if (cf == NORM_DROP_CF && c >= 0x80 &&
		    u_charType(c) == U_FORMAT_CHAR)
			return 1;
	}
	return 0;
}

/*
 * Whether the view of t[0, len) differs from it. ASCII needs no look (it
 * is NFKC, has no format character and combines with nothing before it),
 * so only each run of non-ASCII bytes is quick-checked, as UTF-16, with
 * the character before it (which a combining mark may belong to); a run
 * longer than a block is cut, each block beginning with the last
 * character of the one before, so no pair across a cut goes unseen. A
 * "maybe" counts as a change: the walk then decides.
 */
static int
view_differs(const UNormalizer2 *nfkc, const char *t, size_t len,
	     enum norm_cf cf)
{
	UChar u[NORM_BLOCK + 4];
	size_t i = 0;

	for (;;) {
		size_t a, b;
		int32_t nu = 0;
		UErrorCode st = U_ZERO_ERROR;

		i = skip_ascii(t, len, i);
		if (i == len)
			return 0;
		a = i > 0 ? char_before(t, i) : 0;
		b = i;
		while (b < len && b - a < NORM_BLOCK &&
		       (unsigned char)t[b] >= 0x80)
			b++;
		/* Not inside a character (but never back to i: a run of
		 * stray continuation bytes is cut anywhere). */
		for (int k = 0; k < 3 && b < len && b > i + 1 &&
				((unsigned char)t[b] & 0xc0) == 0x80; k++)
			b--;
		u_strFromUTF8WithSub(u, NORM_BLOCK + 4, &nu, t + a,
				     (int32_t)(b - a), 0xfffd, NULL, &st);
		if (U_FAILURE(st) || block_changes(nfkc, u, nu, cf))
			return 1;
		i = b;
	}
}

static int
view_put(struct walk *w, const char *p, size_t n)
{
	struct norm_view *v = w->v;

	if (n > DLP_MAX_TEXT - v->len) {
		w->err = -GH_BODY_TOO_LARGE;
		return -1;
	}
	if (v->len + n > w->cap) {
		size_t nc = w->cap * 2 > v->len + n ? w->cap * 2 : v->len + n;
		char *nb = realloc(v->buf, nc + 1);

		if (nb == NULL) {
			w->err = -GH_INTERNAL;
			return -1;
		}
		v->buf = nb;
		w->cap = nc;
	}
	memcpy(v->buf + v->len, p, n);
	v->len += n;
	return 0;
}

/* Records that view bytes [v->len - nlen, v->len) stand for t[o, o + olen). */
static int
edit_add(struct walk *w, size_t o, size_t olen, size_t nlen)
{
	struct norm_view *v = w->v;

	if (v->n_ed == v->cap_ed) {
		size_t nc = v->cap_ed ? v->cap_ed * 2 : 16;
		struct norm_edit *ne = realloc(v->ed, nc * sizeof(*ne));

		if (ne == NULL) {
			w->err = -GH_INTERNAL;
			return -1;
		}
		v->ed = ne;
		v->cap_ed = nc;
	}
	v->ed[v->n_ed].n = (uint32_t)(v->len - nlen);
	v->ed[v->n_ed].o = (uint32_t)o;
	v->ed[v->n_ed].nlen = (uint32_t)nlen;
	v->ed[v->n_ed].olen = (uint32_t)olen;
	v->n_ed++;
	return 0;
}

/* Writes the chunk gathered in w to the view, normalised, with an edit
 * when it changed. */
static int
chunk_flush(struct walk *w)
{
	UChar out[NORM_CHUNK_OUT];
	char u8[3 * NORM_CHUNK_OUT];
	int32_t nu = w->nu, no, n8 = 0;
	size_t olen = (size_t)(w->ce - w->cs);
	int changed = w->changed;
	UErrorCode st = U_ZERO_ERROR;

	w->nu = 0;
	w->changed = 0;
	if (nu == 0)
		return 0;
	if (!changed && olen == 1)
		return view_put(w, w->t + w->cs, 1);
	no = unorm2_normalize(w->nfkc, w->u, nu, out, NORM_CHUNK_OUT, &st);
	u_strToUTF8(u8, (int32_t)sizeof(u8), &n8, out, no, &st);
	if (U_FAILURE(st) || st == U_STRING_NOT_TERMINATED_WARNING) {
		w->err = -GH_INTERNAL;
		return -1;
	}
	if (view_put(w, u8, (size_t)n8) < 0)
		return -1;
	if (!changed && (size_t)n8 == olen &&
	    memcmp(u8, w->t + w->cs, olen) == 0)
		return 0;
	return edit_add(w, (size_t)w->cs, olen, (size_t)n8);
}

/* Format characters dropped after the chunk, up to t[at]: an edit with
 * nothing in the view. */
static int
drops_flush(struct walk *w, int32_t at)
{
	if (!w->dropped)
		return 0;
	w->dropped = 0;
	return edit_add(w, (size_t)w->ce, (size_t)(at - w->ce), 0);
}

/* Ends the chunk and any dropped characters before t[at]. */
static int
cut(struct walk *w, int32_t at)
{
	if (chunk_flush(w) < 0 || drops_flush(w, at) < 0)
		return -1;
	w->cs = w->ce = at;
	return 0;
}

/* Copies the run of ASCII from t[i] on (but its last byte when a non-ASCII
 * character follows, which may combine with it). Returns the bytes
 * copied, 0 when there is nothing to do so, -1 on error. */
static int32_t
ascii_run(struct walk *w, int32_t i)
{
	int32_t r = (int32_t)skip_ascii(w->t, (size_t)w->len, (size_t)i);

	if (r < w->len)
		r--;
	if (r <= i)
		return 0;
	if (cut(w, i) < 0 || view_put(w, w->t + i, (size_t)(r - i)) < 0)
		return -1;
	w->cs = w->ce = r;
	return r - i;
}

/* Adds c (t[at, i)) to the chunk, or starts a new one with it. */
static int
take(struct walk *w, UChar32 c, int32_t at, int32_t i)
{
	if (w->nu == 0 || w->nu >= NORM_CHUNK ||
	    unorm2_hasBoundaryBefore(w->nfkc, c)) {
		if (cut(w, at) < 0)
			return -1;
	} else if (w->dropped) {
		/* Dropped between a character and its mark: inside. */
		w->changed = 1;
		w->dropped = 0;
	}
	U16_APPEND_UNSAFE(w->u, w->nu, c);
	w->ce = i;
	return 0;
}

static int
walk_text(struct walk *w)
{
	int32_t i = 0;

	while (i < w->len && w->err == 0) {
		int32_t at = i, k;
		UChar32 c;

		k = ascii_run(w, i);
		if (k < 0)
			break;
		if (k > 0) {
			i += k;
			continue;
		}
		U8_NEXT(w->t, i, w->len, c);
		if (c < 0) {
			/* Invalid bytes stay as they are. */
			if (cut(w, at) == 0)
				(void)view_put(w, w->t + at, (size_t)(i - at));
			w->cs = w->ce = i;
		} else if (u_charType(c) == U_FORMAT_CHAR &&
			   w->cf == NORM_DROP_CF) {
			w->v->had_cf = 1;
			w->dropped = 1;
		} else {
			(void)take(w, c, at, i);
		}
	}
	if (w->err == 0)
		(void)cut(w, w->len);
	return w->err;
}

int
norm_view_init(struct norm_view *v, const char *t, size_t len,
	       enum norm_cf cf)
{
	struct walk w;
	UErrorCode st = U_ZERO_ERROR;

	memset(v, 0, sizeof(*v));
	v->text = t;
	v->len = len;
	if (skip_ascii(t, len, 0) == len)
		return 0;
	memset(&w, 0, sizeof(w));
	w.nfkc = unorm2_getNFKCInstance(&st);
	if (U_FAILURE(st))
		return -GH_INTERNAL;
	if (len > DLP_MAX_TEXT)
		return -GH_BODY_TOO_LARGE;
	if (!view_differs(w.nfkc, t, len, cf))
		return 0;
	w.t = t;
	w.len = (int32_t)len;
	w.cf = cf;
	w.v = v;
	w.cap = len + len / 8 + 16;
	v->len = 0;
	v->buf = malloc(w.cap + 1);
	if (v->buf == NULL)
		return -GH_INTERNAL;
	if (walk_text(&w) < 0) {
		norm_view_free(v);
		return w.err;
	}
	v->buf[v->len] = '\0';
	v->text = v->buf;
	return 0;
}

void
norm_view_free(struct norm_view *v)
{
	free(v->buf);
	free(v->ed);
	memset(v, 0, sizeof(*v));
}

/* The index of the last edit that begins at p or before (strictly before
 * when strict), or -1. */
static ptrdiff_t
edit_before(const struct norm_view *v, size_t p, int strict)
{
	size_t lo = 0, hi = v->n_ed;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strict ? v->ed[mid].n < p : v->ed[mid].n <= p)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (ptrdiff_t)lo - 1;
}

size_t
norm_orig_start(const struct norm_view *v, size_t p)
{
	ptrdiff_t k = edit_before(v, p, 0);
	const struct norm_edit *e;

	if (k < 0)
		return p;
	e = &v->ed[k];
	if (p < (size_t)e->n + e->nlen)
		return e->o;
	return (size_t)e->o + e->olen + (p - e->n - e->nlen);
}

size_t
norm_orig_end(const struct norm_view *v, size_t p)
{
	ptrdiff_t k = edit_before(v, p, 1);
	const struct norm_edit *e;

	if (k < 0)
		return p;
	e = &v->ed[k];
	if (p <= (size_t)e->n + e->nlen)
		return (size_t)e->o + e->olen;
	return (size_t)e->o + e->olen + (p - e->n - e->nlen);
}
