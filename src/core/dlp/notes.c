/*
 * Finds text copied from the ticket's internal notes into a reply: any run
 * of DLP_NOTE_WORDS (8) or more consecutive words that also appears in a
 * note. Words are runs of letters and digits (Unicode, via ICU), compared
 * case-folded, so changes of case, whitespace, line breaks and punctuation
 * between words do not hide a copy. Each note's word 8-grams are hashed
 * into a set; the reply's 8-grams are looked up in it and consecutive hits
 * are merged into one finding. It uses no regular expression and keeps no
 * note text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include "core/dlp/dlp_int.h"
#include "util/errors.h"

#define MAX_NOTE_WORDS (1u << 22)

struct word {
	size_t start, end;
	uint64_t h;
};

struct words {
	struct word *v;
	size_t n, cap;
};

/* Splits t[0, len) into case-folded word hashes. */
static int
split_words(const char *t, size_t len, struct words *w)
{
	int32_t i = 0, n = (int32_t)len;

	w->n = 0;
	while (i < n) {
		int32_t at = i;
		UChar32 c;
		uint64_t h = 1469598103934665603ull;
		size_t start;
		int any = 0;

		U8_NEXT(t, i, n, c);
		if (c < 0 || !u_isalnum(c))
			continue;
		start = (size_t)at;
		for (;;) {
			UChar32 f = u_foldCase(c, U_FOLD_CASE_DEFAULT);

			h ^= (uint64_t)(uint32_t)f;
			h *= 1099511628211ull;
			any = 1;
			at = i;
			if (i >= n)
				break;
			U8_NEXT(t, i, n, c);
			if (c < 0 || !u_isalnum(c)) {
				break;
			}
		}
		if (!any)
			continue;
		if (w->n == w->cap) {
			size_t nc = w->cap ? w->cap * 2 : 256;
			struct word *nv;

			if (nc > MAX_NOTE_WORDS)
				return -GH_BAD_FIELD;
			nv = realloc(w->v, nc * sizeof(*nv));
			if (nv == NULL)
				return -GH_INTERNAL;
			w->v = nv;
			w->cap = nc;
		}
		w->v[w->n].start = start;
		w->v[w->n].end = (size_t)at;
		w->v[w->n].h = h;
		w->n++;
	}
	return 0;
}

static uint64_t
shingle(const struct word *v)
{
	uint64_t h = 0x9e3779b97f4a7c15ull;

	for (int k = 0; k < DLP_NOTE_WORDS; k++) {
		h ^= v[k].h + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
		h *= 0xff51afd7ed558ccdull;
	}
	return h | 1;	/* 0 marks an empty slot */
}

struct hset {
	uint64_t *slot;
	size_t mask;
};

static int
hset_init(struct hset *s, size_t n)
{
	size_t cap = 64;

	while (cap < n * 2)
		cap *= 2;
	s->slot = calloc(cap, sizeof(*s->slot));
	s->mask = cap - 1;
	return s->slot == NULL ? -GH_INTERNAL : 0;
}

static void
hset_put(struct hset *s, uint64_t h)
{
	size_t i = (size_t)h & s->mask;

	while (s->slot[i] != 0 && s->slot[i] != h)
		i = (i + 1) & s->mask;
	s->slot[i] = h;
}

static int
hset_has(const struct hset *s, uint64_t h)
{
	size_t i = (size_t)h & s->mask;

	while (s->slot[i] != 0) {
		if (s->slot[i] == h)
			return 1;
		i = (i + 1) & s->mask;
	}
	return 0;
}

int
notes_scan(struct scan *s)
{
	const struct dlp_context *ctx = s->ctx;
	struct words nw = {0}, rw = {0};
	struct hset set = {0};
	size_t total = 0;
	int rc = 0;

	if (ctx == NULL || ctx->n_notes == 0)
		return 0;
	/* Count the notes' words first to size the set. */
	for (size_t i = 0; i < ctx->n_notes; i++) {
		if (ctx->notes[i] == NULL)
			continue;
		rc = split_words(ctx->notes[i], strlen(ctx->notes[i]), &nw);
		if (rc < 0)
			goto out;
		total += nw.n;
		if (total > MAX_NOTE_WORDS) {
			/* The check cannot run: the caller must fail closed. */
			rc = -GH_NOTES_TOO_LARGE;
			goto out;
		}
	}
	if (total < DLP_NOTE_WORDS)
		goto out;
	rc = hset_init(&set, total);
	if (rc < 0)
		goto out;
	for (size_t i = 0; i < ctx->n_notes; i++) {
		if (ctx->notes[i] == NULL)
			continue;
		rc = split_words(ctx->notes[i], strlen(ctx->notes[i]), &nw);
		if (rc < 0)
			goto out;
		for (size_t k = 0; k + DLP_NOTE_WORDS <= nw.n; k++)
			hset_put(&set, shingle(nw.v + k));
	}
	rc = split_words(s->text, s->len, &rw);
	if (rc < 0)
		goto out;
	for (size_t k = 0; k + DLP_NOTE_WORDS <= rw.n; k++) {
		size_t last;

		if (!hset_has(&set, shingle(rw.v + k)))
			continue;
		/* Extend over consecutive matching shingles. */
		last = k;
		while (last + 1 + DLP_NOTE_WORDS <= rw.n &&
		       hset_has(&set, shingle(rw.v + last + 1)))
			last++;
		if (finding_add(s, "internal_note", "8-word-copy",
				rw.v[k].start,
				rw.v[last + DLP_NOTE_WORDS - 1].end) < 0) {
			rc = s->err;
			goto out;
		}
		k = last + DLP_NOTE_WORDS - 1;
	}
out:
	free(nw.v);
	free(rw.v);
	free(set.slot);
	return rc;
}
