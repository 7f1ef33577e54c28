/*
 * Findings of the outbound filter: appending one (kept on UTF-8 character
 * boundaries, at most DLP_MAX_FINDINGS), tidying a scan's findings (sorted
 * by start, duplicates and shadowed findings removed), the character
 * offsets of each span, and redaction. A finding never holds the matched
 * value, only its type, detector and place.
 */
#include <stdlib.h>
#include <string.h>

#include "core/dlp/dlp_int.h"
#include "util/errors.h"

void
dlp_findings_init(struct dlp_findings *f)
{
	memset(f, 0, sizeof(*f));
}

void
dlp_findings_free(struct dlp_findings *f)
{
	free(f->v);
	memset(f, 0, sizeof(*f));
}

int
finding_add(struct scan *s, const char *type, const char *rule, size_t start,
	    size_t end)
{
	struct dlp_findings *o = s->out;
	struct dlp_finding *f;

	if (s->err < 0)
		return -1;
	/* Keep spans on UTF-8 character boundaries. */
	while (start > 0 && ((unsigned char)s->text[start] & 0xc0) == 0x80)
		start--;
	while (end < s->len && ((unsigned char)s->text[end] & 0xc0) == 0x80)
		end++;
	if (o->n >= DLP_MAX_FINDINGS) {
		s->err = -GH_BAD_FIELD;
		return -1;
	}
	if (o->n == o->cap) {
		size_t nc = o->cap ? o->cap * 2 : 16;
		struct dlp_finding *nv = realloc(o->v, nc * sizeof(*nv));

		if (nv == NULL) {
			s->err = -GH_INTERNAL;
			return -1;
		}
		o->v = nv;
		o->cap = nc;
	}
	f = &o->v[o->n++];
	f->type = type;
	f->rule = rule;
	f->start = start;
	f->end = end;
	f->cstart = f->cend = 0;
	return 0;
}

static int
cmp_finding(const void *a, const void *b)
{
	const struct dlp_finding *x = a, *y = b;
	int c;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end > y->end ? -1 : 1;
	c = strcmp(x->type, y->type);
	if (c != 0)
		return c;
	return strcmp(x->rule, y->rule);
}

static int
is_phone(const struct dlp_finding *f)
{
	return strcmp(f->type, "phone") == 0;
}

static int
is_generic(const struct dlp_finding *f)
{
	return strncmp(f->rule, "generic", 7) == 0;
}

/* Between two secrets over the same bytes, the specific rule wins over the
 * generic one; a generic secret inside a larger secret goes; otherwise
 * both stay (gitleaks reports both too). */
static int
secret_shadowed(const struct dlp_finding *x, const struct dlp_finding *y,
		int y_first)
{
	if (strcmp(y->type, "secret") != 0)
		return 0;
	if (y->start == x->start && y->end == x->end) {
		if (is_generic(x) != is_generic(y))
			return is_generic(x);
		return strcmp(x->rule, y->rule) == 0 && y_first;
	}
	return is_generic(x) && y->start <= x->start && y->end >= x->end;
}

/* Whether v[i] goes because of v[j] (see findings_tidy). */
static int
shadowed_by(const struct dlp_finding *v, size_t i, size_t j)
{
	const struct dlp_finding *x = &v[i], *y = &v[j];

	if (is_phone(x) && !is_phone(y) && y->start < x->end &&
	    x->start < y->end)
		return 1;
	if (strcmp(x->type, "secret") == 0)
		return secret_shadowed(x, y, j < i);
	return strcmp(y->type, x->type) == 0 && y->start <= x->start &&
	       y->end >= x->end &&
	       (y->end - y->start > x->end - x->start || j < i);
}

size_t
findings_tidy(struct dlp_finding *v, size_t n)
{
	size_t k = 0, lo = 0, maxend = 0;

	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_finding);
	/* Every rule needs y->end >= v[i].start: findings before lo all end
	 * earlier (maxend is the largest end in [0, lo)), and starts only
	 * grow, so lo only moves forward. */
	for (size_t i = 0; i < n; i++) {
		int drop = 0;

		while (lo < n && (v[lo].end > maxend ? v[lo].end : maxend) <
				 v[i].start) {
			maxend = v[lo].end > maxend ? v[lo].end : maxend;
			lo++;
		}
		for (size_t j = lo; j < n && !drop; j++) {
			if (j == i || v[j].type == NULL)
				continue;
			drop = shadowed_by(v, i, j);
			if (v[j].start >= v[i].end)
				break;
		}
		if (drop)
			v[i].type = NULL;
	}
	for (size_t i = 0; i < n; i++)
		if (v[i].type != NULL)
			v[k++] = v[i];
	return k;
}

/* UTF-8 characters (bytes that are not continuation bytes 10xxxxxx) in
 * t[from, to), eight bytes at a time: each byte lane of acc counts the
 * continuation bytes seen in it, for at most 255 words, then the lanes are
 * summed. */
static size_t
count_chars(const char *t, size_t from, size_t to)
{
	const uint64_t hi = 0x8080808080808080ull;
	const uint64_t lo16 = 0x00ff00ff00ff00ffull;
	const uint64_t ones16 = 0x0001000100010001ull;
	size_t c = 0, p = from;

	while (p + 8 <= to) {
		size_t words = (to - p) / 8;
		uint64_t acc = 0;

		if (words > 255)
			words = 255;
		for (size_t k = 0; k < words; k++, p += 8) {
			uint64_t x;

			memcpy(&x, t + p, 8);
			acc += (x & ~(x << 1) & hi) >> 7;
		}
		/* Lanes to 16 bits (each at most 510), then summed. */
		acc = (acc & lo16) + ((acc >> 8) & lo16);
		c += 8 * words - (size_t)((acc * ones16) >> 48);
	}
	for (; p < to; p++)
		c += ((unsigned char)t[p] & 0xc0) != 0x80;
	return c;
}

void
dlp_char_offsets(const char *t, size_t len, struct dlp_finding *v, size_t n)
{
	size_t pos = 0, chars = 0;

	/* v is sorted by start. */
	for (size_t i = 0; i < n; i++) {
		size_t c;

		if (v[i].start < pos) {
			pos = 0;
			chars = 0;
		}
		if (pos < v[i].start && pos < len) {
			size_t to = v[i].start < len ? v[i].start : len;

			chars += count_chars(t, pos, to);
			pos = to;
		}
		v[i].cstart = chars;
		c = chars;
		for (size_t p = v[i].start; p < v[i].end && p < len; p++)
			c += ((unsigned char)t[p] & 0xc0) != 0x80;
		v[i].cend = c;
	}
}

struct span {
	size_t a, b;
	const char *type;
};

static int
cmp_span(const void *x, const void *y)
{
	const struct span *p = x, *q = y;

	return p->a < q->a ? -1 : (p->a > q->a);
}

/* The findings' spans that lie within the text, sorted by start; *cap
 * grows by what their labels need. NULL (with *n 0) when there are none
 * or memory runs out (*oom set). */
static struct span *
spans_of(const struct dlp_findings *f, size_t len, size_t *n, size_t *cap,
	 int *oom)
{
	struct span *sp;

	*n = 0;
	*oom = 0;
	if (f->n == 0)
		return NULL;
	sp = malloc(f->n * sizeof(*sp));
	if (sp == NULL) {
		*oom = 1;
		return NULL;
	}
	for (size_t i = 0; i < f->n; i++) {
		if (f->v[i].start >= f->v[i].end || f->v[i].end > len)
			continue;
		sp[*n].a = f->v[i].start;
		sp[*n].b = f->v[i].end;
		sp[*n].type = f->v[i].type;
		(*n)++;
		*cap += strlen(f->v[i].type) + 16;
	}
	if (*n > 0)
		qsort(sp, *n, sizeof(*sp), cmp_span);
	return sp;
}

char *
dlp_redact(const char *text, size_t len, const struct dlp_findings *f)
{
	size_t n = 0, cap = len + 1, o = 0, pos = 0;
	int oom;
	struct span *sp = spans_of(f, len, &n, &cap, &oom);
	char *out = NULL;

	if (oom)
		return NULL;
	out = malloc(cap);
	if (out == NULL)
		goto done;
	/* Copy the text, replacing each group of overlapping spans. */
	for (size_t i = 0; i < n;) {
		size_t a = sp[i].a, b = sp[i].b, tl;
		const char *type = sp[i].type;

		i++;
		while (i < n && sp[i].a < b) {
			if (sp[i].b > b)
				b = sp[i].b;
			i++;
		}
		if (a < pos)
			a = pos;
		memcpy(out + o, text + pos, a - pos);
		o += a - pos;
		tl = strlen(type);
		memcpy(out + o, "[redacted: ", 11);
		o += 11;
		memcpy(out + o, type, tl);
		o += tl;
		out[o++] = ']';
		pos = b > pos ? b : pos;
	}
	memcpy(out + o, text + pos, len - pos);
	o += len - pos;
	out[o] = '\0';
done:
	free(sp);
	return out;
}
