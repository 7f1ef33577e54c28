/*
 * Finds text copied from the ticket's internal notes into a reply: any run
 * of DLP_NOTE_WORDS (8) or more consecutive words that also appears in a
 * note. Words are runs of letters and digits (Unicode, via ICU), compared
 * case-folded, so changes of case, whitespace, line breaks and punctuation
 * between words do not hide a copy. Notes and reply are compared in their
 * normalised views (normalise.c: NFKC, format characters dropped), so
 * full-width letters and zero-width characters inside words do not hide
 * one either; a note that holds format characters is also indexed with
 * them kept, as separators (scan.c does the same with the reply), so a
 * zero-width space that stands between two words does not join them.
 *
 * Each note's word 8-grams are hashed into a set; the reply's 8-grams are
 * looked up in it as its words go by, and consecutive hits are merged into
 * one finding. It uses no regular expression and keeps no note text.
 * Notes with more words than the limit are not indexed at all, and the
 * caller is told so (-GH_NOTES_TOO_LARGE): a check that did not happen is
 * never reported as a check that found nothing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include "core/dlp/dlp_int.h"
#include "util/errors.h"

struct word {
	size_t start, end;
	uint64_t h;
};

/* The shingle hashes of the notes, and the words counted so far. */
struct note_words {
	uint64_t *v;
	size_t n, cap;
	size_t words, max;
	uint64_t *bits;		/* the index's word bits */
};

static void
word_bit_set(uint64_t *bits, uint64_t h)
{
	size_t b = (size_t)(h % NOTE_WORD_BITS);

	bits[b / 64] |= (uint64_t)1 << (b % 64);
}

static int
word_bit(const uint64_t *bits, uint64_t h)
{
	size_t b = (size_t)(h % NOTE_WORD_BITS);

	return (bits[b / 64] >> (b % 64)) & 1;
}

/* The code point at t[*i] (negative for an invalid sequence), *i moved
 * past it; ASCII without ICU's decoder. */
static inline UChar32
next_cp(const char *t, int32_t n, int32_t *i)
{
	UChar32 c = (unsigned char)t[*i];

	if (c < 0x80) {
		(*i)++;
		return c;
	}
	U8_NEXT(t, *i, n, c);
	return c;
}

/* u_isalnum() and u_foldCase() with their ASCII answers inline (letters
 * and digits; A-Z fold to a-z): most of a reply is ASCII. */
static inline int
word_cp(UChar32 c)
{
	if (c < 0x80)
		return c >= 0 && ((unsigned)((c | 0x20) - 'a') < 26 ||
				  (unsigned)(c - '0') < 10);
	return u_isalnum(c);
}

static inline UChar32
fold_cp(UChar32 c)
{
	if (c < 0x80)
		return c >= 'A' && c <= 'Z' ? c + 32 : c;
	return u_foldCase(c, U_FOLD_CASE_DEFAULT);
}

/* An ASCII byte's folded form when it is a letter or digit, else 0. */
static inline unsigned char
ascii_word_fold(unsigned char b)
{
	if ((unsigned)(b - '0') < 10 || (unsigned)(b - 'a') < 26)
		return b;
	return (unsigned)(b - 'A') < 26 ? (unsigned char)(b + 32) : 0;
}

/* The next word of t[0, n) from *i on, with its case-folded hash; 0 when
 * there is none. ASCII letters and digits are hashed by a tight loop;
 * any other code point goes through the general step, with the same
 * hash. */
static int
next_word(const char *t, int32_t n, int32_t *i, struct word *w)
{
	while (*i < n) {
		int32_t at, end;
		UChar32 c;
		uint64_t h = 1469598103934665603ull;

		while (*i < n && (unsigned char)t[*i] < 0x80 &&
		       ascii_word_fold((unsigned char)t[*i]) == 0)
			(*i)++;
		if (*i >= n)
			break;
		at = *i;
		c = next_cp(t, n, i);
		if (!word_cp(c))
			continue;
		for (;;) {
			unsigned char f8;

			h ^= (uint64_t)(uint32_t)fold_cp(c);
			h *= 1099511628211ull;
			while (*i < n && (f8 = ascii_word_fold(
						  (unsigned char)t[*i])) != 0) {
				h = (h ^ f8) * 1099511628211ull;
				(*i)++;
			}
			end = *i;
			if (*i >= n)
				break;
			c = next_cp(t, n, i);
			if (!word_cp(c))
				break;
		}
		w->start = (size_t)at;
		w->end = (size_t)end;
		w->h = h;
		return 1;
	}
	return 0;
}

/* The hash of the DLP_NOTE_WORDS words in ring, oldest at ring[first]. */
static uint64_t
shingle(const struct word *ring, size_t first)
{
	uint64_t h = 0x9e3779b97f4a7c15ull;

	for (size_t k = 0; k < DLP_NOTE_WORDS; k++) {
		const struct word *w = &ring[(first + k) % DLP_NOTE_WORDS];

		h ^= w->h + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
		h *= 0xff51afd7ed558ccdull;
	}
	return h | 1;	/* 0 marks an empty slot */
}

static int
hash_push(struct note_words *nw, uint64_t h)
{
	if (nw->n == nw->cap) {
		size_t nc = nw->cap ? nw->cap * 2 : 256;
		uint64_t *nv = realloc(nw->v, nc * sizeof(*nv));

		if (nv == NULL)
			return -GH_INTERNAL;
		nw->v = nv;
		nw->cap = nc;
	}
	nw->v[nw->n++] = h;
	return 0;
}

/* Adds the word 8-grams of t[0, len), counting its words. */
static int
add_text(struct note_words *nw, const char *t, size_t len)
{
	struct word ring[DLP_NOTE_WORDS], w;
	int32_t i = 0;
	size_t k = 0;

	if (len > INT32_MAX)
		return -GH_NOTES_TOO_LARGE;
	while (next_word(t, (int32_t)len, &i, &w)) {
		if (++nw->words > nw->max)
			return -GH_NOTES_TOO_LARGE;
		word_bit_set(nw->bits, w.h);
		ring[k % DLP_NOTE_WORDS] = w;
		k++;
		if (k >= DLP_NOTE_WORDS &&
		    hash_push(nw, shingle(ring, k % DLP_NOTE_WORDS)) < 0)
			return -GH_INTERNAL;
	}
	return 0;
}

/* Adds one note: its view, and its view with format characters kept when
 * it holds any. */
static int
add_note(struct note_words *nw, const char *note)
{
	struct norm_view v, k;
	size_t len = strlen(note);
	int rc = norm_view_init(&v, note, len, NORM_DROP_CF);

	if (rc < 0)
		return rc == -GH_BODY_TOO_LARGE ? -GH_NOTES_TOO_LARGE : rc;
	rc = add_text(nw, v.text, v.len);
	if (rc == 0 && v.had_cf) {
		rc = norm_view_init(&k, note, len, NORM_KEEP_CF);
		if (rc == -GH_BODY_TOO_LARGE)
			rc = -GH_NOTES_TOO_LARGE;
		if (rc == 0)
			rc = add_text(nw, k.text, k.len);
		norm_view_free(&k);
	}
	norm_view_free(&v);
	return rc;
}

/* The set of nw's hashes (open addressing, at most half full). */
static int
index_fill(struct note_index *ix, const struct note_words *nw)
{
	size_t cap = 64;

	while (cap < nw->n * 2)
		cap *= 2;
	ix->slot = calloc(cap, sizeof(*ix->slot));
	if (ix->slot == NULL)
		return -GH_INTERNAL;
	ix->mask = cap - 1;
	for (size_t k = 0; k < nw->n; k++) {
		size_t i = (size_t)nw->v[k] & ix->mask;

		while (ix->slot[i] != 0 && ix->slot[i] != nw->v[k])
			i = (i + 1) & ix->mask;
		ix->slot[i] = nw->v[k];
	}
	return 0;
}

static int
index_has(const struct note_index *ix, uint64_t h)
{
	size_t i = (size_t)h & ix->mask;

	while (ix->slot[i] != 0) {
		if (ix->slot[i] == h)
			return 1;
		i = (i + 1) & ix->mask;
	}
	return 0;
}

int
notes_index(const struct dlp_context *ctx, struct note_index *ix)
{
	struct note_words nw;
	int rc = 0;

	memset(ix, 0, sizeof(*ix));
	memset(&nw, 0, sizeof(nw));
	if (ctx == NULL || ctx->n_notes == 0)
		return 0;
	nw.max = ctx->max_note_words != 0 ? ctx->max_note_words
					  : DLP_MAX_NOTE_WORDS;
	nw.bits = ix->words;
	for (size_t i = 0; rc == 0 && i < ctx->n_notes; i++)
		if (ctx->notes[i] != NULL)
			rc = add_note(&nw, ctx->notes[i]);
	if (rc == 0 && nw.n > 0)
		rc = index_fill(ix, &nw);
	free(nw.v);
	return rc;
}

void
notes_index_free(struct note_index *ix)
{
	free(ix->slot);
	memset(ix, 0, sizeof(*ix));
}

/*
 * The reply's words go through a ring of the last DLP_NOTE_WORDS; each
 * full ring is one 8-gram. Consecutive 8-grams found in the notes make one
 * finding, from the first word of the first to the last word of the last;
 * the 8-grams that overlap a finding's last one are not looked at again.
 * An 8-gram is hashed and looked up only when its eight words each have
 * their bit in ix->words (`known` counts the words in a row that do):
 * most of a reply's words are in no note, so most 8-grams cost nothing.
 */
int
notes_find(struct scan *s, const struct note_index *ix)
{
	struct word ring[DLP_NOTE_WORDS], w;
	int32_t i = 0;
	size_t k = 0, resume = 0, from = 0, to = 0, known = 0;
	int in_run = 0;

	if (ix->slot == NULL || s->len > INT32_MAX)
		return 0;
	while (next_word(s->text, (int32_t)s->len, &i, &w)) {
		size_t first = k + 1 >= DLP_NOTE_WORDS ?
				       k + 1 - DLP_NOTE_WORDS : 0;

		ring[k % DLP_NOTE_WORDS] = w;
		k++;
		known = word_bit(ix->words, w.h) ? known + 1 : 0;
		if (k < DLP_NOTE_WORDS || first < resume)
			continue;
		if (known >= DLP_NOTE_WORDS &&
		    index_has(ix, shingle(ring, k % DLP_NOTE_WORDS))) {
			if (!in_run)
				from = ring[k % DLP_NOTE_WORDS].start;
			in_run = 1;
			to = w.end;
		} else if (in_run) {
			if (finding_add(s, "internal_note", "8-word-copy", from,
					to) < 0)
				return s->err;
			in_run = 0;
			resume = first + DLP_NOTE_WORDS - 1;
		}
	}
	if (in_run &&
	    finding_add(s, "internal_note", "8-word-copy", from, to) < 0)
		return s->err;
	return 0;
}
