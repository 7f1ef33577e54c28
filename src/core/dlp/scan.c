/*
 * dlp_scan(): the outbound filter's scan of one text. The text is first
 * normalised (normalise.c: NFKC, format characters dropped) so that a
 * zero-width space inside a card number or a full-width "＠" hides
 * nothing; every detector then runs over that view, and every finding is
 * mapped back to the text as written before it is returned.
 *
 * Over the view: one Hyperscan pass (main database, no start-of-match, so
 * it only says where a pattern ends) raises candidates for every pattern
 * at once but the digit built-ins', whose ends one walk over the runs of
 * digits finds (digits.c); the hits of each detector are merged into regions ending at
 * the hit, and each region goes to its validator (rules.c for gitleaks'
 * rules, patterns.c for the built-ins). Gated rules run from their own
 * databases only over the stretches near one of their keywords, the
 * phone expression only over runs of phone characters, the rules only
 * PCRE2 could compile over the whole text. Then the notes check (notes.c;
 * a second time over the view with format characters kept as separators,
 * when the text had any) and other customers' values (foreign.c). HAR
 * files are parsed as written. It does not log, and keeps no text.
 */
#include <stdlib.h>
#include <string.h>

#include "core/dlp/engine_int.h"
#include "util/errors.h"

struct hs_ctx {
	const struct dlp_engine *e;
	struct worker *w;
	const char *text;
	size_t len;
	size_t base;		/* offset of the scanned stretch in text */
	size_t ph_end;		/* end of the last run of phone characters */
	int err;
};

/* Context a gated rule's stretch has on either side of what it needs. */
#define GATE_MARGIN 64

static int
push_region(struct worker *w, size_t det, size_t from, size_t to)
{
	if (w->n_rg == w->cap_rg) {
		size_t nc = w->cap_rg ? w->cap_rg * 2 : 64;
		struct region *nv = realloc(w->rg, nc * sizeof(*nv));

		if (nv == NULL)
			return -1;
		w->rg = nv;
		w->cap_rg = nc;
	}
	w->rg[w->n_rg].det = det;
	w->rg[w->n_rg].from = from;
	w->rg[w->n_rg].to = to;
	w->n_rg++;
	return 0;
}

static int
push_gate(struct worker *w, size_t rule, size_t from, size_t to)
{
	if (w->n_gt == w->cap_gt) {
		size_t nc = w->cap_gt ? w->cap_gt * 2 : 32;
		struct gate *nv = realloc(w->gt, nc * sizeof(*nv));

		if (nv == NULL)
			return -1;
		w->gt = nv;
		w->cap_gt = nc;
	}
	w->gt[w->n_gt].rule = rule;
	w->gt[w->n_gt].from = from;
	w->gt[w->n_gt].to = to;
	w->n_gt++;
	return 0;
}

/* A keyword of a gated rule ends at `to`: the rule may match within
 * DLP_KW_REACH of it (plus the rule's window and some context). */
static int
on_keyword(struct hs_ctx *c, const struct det *d, size_t to)
{
	const struct dlp_engine *e = c->e;
	struct wstate *g = &c->w->gs[d->index];
	size_t reach = DLP_KW_REACH + e->rs.v[d->index].window + GATE_MARGIN;
	size_t ks = to >= d->kwlen ? to - d->kwlen : 0;
	size_t a = ks > reach ? ks - reach : 0;
	size_t b = to + reach < c->len ? to + reach : c->len;

	if (e->gdb[d->index] == NULL)
		return 0;
	if (g->active && a <= g->to && b >= g->from) {
		g->from = a < g->from ? a : g->from;
		g->to = b > g->to ? b : g->to;
		return 0;
	}
	if (g->active && push_gate(c->w, d->index, g->from, g->to) < 0) {
		c->err = -GH_INTERNAL;
		return 1;
	}
	if (!g->active)
		c->w->tgate[c->w->n_tgate++] = d->index;
	g->from = a;
	g->to = b;
	g->active = 1;
	return 0;
}

/* Detector id has a candidate from `start` to `end`: grows its region. */
static int
grow(struct hs_ctx *c, unsigned int id, size_t start, size_t end)
{
	struct wstate *st = &c->w->st[id];

	if (st->active && start <= st->to) {
		st->to = end > st->to ? end : st->to;
		return 0;
	}
	if (st->active && push_region(c->w, id, st->from, st->to) < 0) {
		c->err = -GH_INTERNAL;
		return 1;
	}
	if (!st->active)
		c->w->tdet[c->w->n_tdet++] = id;
	st->from = start;
	st->to = end;
	st->active = 1;
	return 0;
}

static int
on_phone_hit(unsigned int id, unsigned long long from,
	     unsigned long long hto, unsigned int flags, void *cls)
{
	struct hs_ctx *c = cls;
	size_t to = c->base + (size_t)hto;
	size_t win = c->e->det[id].window;

	(void)from;
	(void)flags;
	return grow(c, id, to > win ? to - win : 0, to);
}

/* The phone trigger ends at `to`: runs the phone expression over the run
 * of phone characters around it (once per run), with a byte of context on
 * either side for its \b. */
static int
on_phone(struct hs_ctx *c, size_t to)
{
	size_t ra, rb, a, b, base = c->base;
	int scan;

	if (to <= c->ph_end)
		return 0;
	scan = pii_phone_run(c->text, c->len, to, &ra, &rb);
	c->ph_end = rb;
	if (!scan)
		return 0;
	a = ra > 0 ? ra - 1 : 0;
	b = rb < c->len ? rb + 1 : c->len;
	c->base = a;
	if (hs_scan(c->e->pdb, c->text + a, (unsigned)(b - a), 0,
		    c->w->pscratch, on_phone_hit, c) != HS_SUCCESS &&
	    c->err == 0)
		c->err = -GH_INTERNAL;
	c->base = base;
	return c->err < 0;
}

/* Detector id's expression matched, ending at `to`. */
static int
on_hit(struct hs_ctx *c, unsigned int id, size_t to)
{
	const struct det *d = &c->e->det[id];
	size_t start = to > d->window ? to - d->window : 0;
	size_t end = to;

	if (d->kind == DET_KEYWORD)
		return on_keyword(c, d, to);
	if (d->kind == DET_PHONE)
		return on_phone(c, to);
	if (d->kind == DET_TRIGGER) {
		if (!rules_trigger_ok(&c->e->rs.v[d->index], c->text, to))
			return 0;
		end = rules_trigger_end(c->text, c->len, to);
	}
	return grow(c, id, start, end);
}

static int
on_match(unsigned int id, unsigned long long from, unsigned long long hto,
	 unsigned int flags, void *cls)
{
	struct hs_ctx *c = cls;

	(void)from;
	(void)flags;
	return on_hit(c, id, c->base + (size_t)hto);
}

/* A digit built-in's trigger matched (digits.c), ending at each of
 * [first, last]. Those ends' windows overlap: one region grows by all of
 * them at once, as it would one by one. A phone run is looked at once. */
static int
on_digit(void *cls, enum builtin b, size_t first, size_t last)
{
	struct hs_ctx *c = cls;
	unsigned int id = (unsigned int)c->e->bdet[b];
	size_t win = c->e->det[id].window;

	if (b == B_PHONE || first == last)
		return on_hit(c, id, first);
	return grow(c, id, first > win ? first - win : 0, last);
}

static int
cmp_gate(const void *a, const void *b)
{
	const struct gate *x = a, *y = b;

	if (x->rule != y->rule)
		return x->rule < y->rule ? -1 : 1;
	return x->from < y->from ? -1 : (x->from > y->from);
}

/* Runs each gated rule over the merged stretches near its keywords. */
static int
scan_gated(struct hs_ctx *c)
{
	const struct dlp_engine *e = c->e;
	struct worker *w = c->w;

	for (size_t k = 0; k < w->n_tgate; k++) {
		size_t r = w->tgate[k];

		if (push_gate(w, r, w->gs[r].from, w->gs[r].to) < 0)
			return -GH_INTERNAL;
	}
	if (w->n_gt > 1)
		qsort(w->gt, w->n_gt, sizeof(*w->gt), cmp_gate);
	for (size_t i = 0; i < w->n_gt;) {
		size_t r = w->gt[i].rule, a = w->gt[i].from, b = w->gt[i].to;

		for (i++; i < w->n_gt && w->gt[i].rule == r &&
			  w->gt[i].from <= b; i++)
			b = w->gt[i].to > b ? w->gt[i].to : b;
		c->base = a;
		if (hs_scan(e->gdb[r], c->text + a, (unsigned)(b - a), 0,
			    w->scratch, on_match, c) != HS_SUCCESS &&
		    c->err == 0)
			return -GH_INTERNAL;
		if (c->err < 0)
			return c->err;
	}
	c->base = 0;
	return 0;
}

static int
cmp_region(const void *a, const void *b)
{
	const struct region *x = a, *y = b;

	if (x->det != y->det)
		return x->det < y->det ? -1 : 1;
	return x->from < y->from ? -1 : (x->from > y->from);
}

/* Regions of one detector never share a start, so any sort by (detector,
 * start) gives one order; a short list is sorted in place. */
#define SMALL_SORT 32

static void
insertion_sort(struct region *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct region x = v[i];
		size_t j = i;

		while (j > 0 && cmp_region(&v[j - 1], &x) > 0) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = x;
	}
}

/*
 * Orders the regions by detector, then start, as cmp_region does. They
 * were pushed in the order of their hits' ends, so each detector's are
 * almost always in order already: a stable counting sort by detector,
 * then a check per detector (qsort only where one is out of order), is
 * linear where qsort of thousands of regions cost a sixth of the scan.
 */
static int
sort_regions(struct worker *w, size_t n_det)
{
	struct region *tmp;
	size_t *cnt = w->cnt, sum = 0;

	if (w->n_rg < 2)
		return 0;
	if (w->n_rg <= SMALL_SORT) {
		insertion_sort(w->rg, w->n_rg);
		return 0;
	}
	tmp = malloc(w->n_rg * sizeof(*tmp));
	if (tmp == NULL)
		return -1;
	memset(cnt, 0, (n_det + 1) * sizeof(*cnt));
	for (size_t i = 0; i < w->n_rg; i++)
		cnt[w->rg[i].det]++;
	for (size_t d = 0; d <= n_det; d++) {
		size_t c = cnt[d];

		cnt[d] = sum;
		sum += c;
	}
	for (size_t i = 0; i < w->n_rg; i++)
		tmp[cnt[w->rg[i].det]++] = w->rg[i];
	memcpy(w->rg, tmp, w->n_rg * sizeof(*tmp));
	free(tmp);
	for (size_t a = 0; a < w->n_rg;) {
		size_t b = a + 1;
		int sorted = 1;

		while (b < w->n_rg && w->rg[b].det == w->rg[a].det) {
			sorted &= w->rg[b - 1].from <= w->rg[b].from;
			b++;
		}
		if (!sorted)
			qsort(w->rg + a, b - a, sizeof(*w->rg), cmp_region);
		a = b;
	}
	return 0;
}

static int
looks_like_har(const char *t, size_t len)
{
	size_t i = 0;

	while (i < len && (t[i] == ' ' || t[i] == '\n' || t[i] == '\r' ||
			   t[i] == '\t'))
		i++;
	return i < len && t[i] == '{' && memmem(t, len, "\"entries\"", 9) &&
	       memmem(t, len, "\"log\"", 5);
}

/* One Hyperscan pass over t[0, len): the main database, then the gated
 * rules near their keywords. Leaves every detector's regions in w, sorted
 * by detector and start. */
static int
raise_regions(const struct dlp_engine *e, struct worker *w, const char *t,
	      size_t len)
{
	struct hs_ctx hc = {e, w, t, len, 0, 0, 0};

	for (size_t k = 0; k < w->n_tdet; k++)
		w->st[w->tdet[k]].active = 0;
	for (size_t k = 0; k < w->n_tgate; k++)
		w->gs[w->tgate[k]].active = 0;
	w->n_tdet = 0;
	w->n_tgate = 0;
	w->n_rg = 0;
	w->n_gt = 0;
	if (len > 0 &&
	    hs_scan(e->db, t, (unsigned)len, 0, w->scratch, on_match, &hc) !=
		    HS_SUCCESS && hc.err == 0)
		return -GH_INTERNAL;
	if (hc.err == 0 && digit_triggers(t, len, on_digit, &hc) != 0 &&
	    hc.err == 0)
		return -GH_INTERNAL;
	if (hc.err == 0 && len > 0)
		hc.err = scan_gated(&hc);
	if (hc.err < 0)
		return hc.err;
	for (size_t k = 0; k < w->n_tdet; k++) {
		size_t d = w->tdet[k];

		if (push_region(w, d, w->st[d].from, w->st[d].to) < 0)
			return -GH_INTERNAL;
	}
	return sort_regions(w, e->n_det) < 0 ? -GH_INTERNAL : 0;
}

/* Hands each region to its validator, then runs the rules only PCRE2
 * could compile over the whole text. */
static void
confirm_regions(struct scan *s, const struct worker *w)
{
	const struct dlp_engine *e = s->e;

	for (size_t i = 0; i < w->n_rg && s->err == 0; i++) {
		const struct det *d = &e->det[w->rg[i].det];

		if (d->is_rule)
			rules_confirm(s, &e->rs, &e->rs.v[d->index],
				      w->rg[i].from, w->rg[i].to);
		else
			pii_confirm(s, (enum builtin)d->index, w->rg[i].from,
				    w->rg[i].to);
	}
	for (size_t i = 0; e->stats.pcre_only > 0 && i < e->rs.n && s->err == 0;
	     i++) {
		const struct dlp_rule *r = &e->rs.v[i];

		if (r->mode == RULE_PCRE)
			rules_confirm(s, &e->rs, r, 0, s->len);
	}
}

/* Moves out->v[first, out->n) from the view's offsets to the original's. */
static void
map_back(const struct norm_view *v, struct dlp_findings *out, size_t first)
{
	if (v->n_ed == 0)
		return;
	for (size_t i = first; i < out->n; i++) {
		out->v[i].start = norm_orig_start(v, out->v[i].start);
		out->v[i].end = norm_orig_end(v, out->v[i].end);
	}
}

/* Every detector but HAR over the view v; the findings, mapped back, go to
 * out. 0, -GH_BAD_FIELD past DLP_MAX_FINDINGS, or -GH_INTERNAL. */
static int
scan_view(const struct dlp_engine *e, struct worker *w,
	  const struct dlp_context *ctx, const struct note_index *ix,
	  const struct norm_view *v, struct dlp_findings *out)
{
	struct scan s;
	size_t first = out->n;
	int rc;

	memset(&s, 0, sizeof(s));
	s.e = e;
	s.ctx = ctx;
	s.text = v->text;
	s.len = v->len;
	s.out = out;
	s.md = w->md;
	s.mctx = w->mctx;
	s.fc = &w->fc;
	if (++w->fc.gen == 0) {
		memset(w->fc.v, 0, sizeof(w->fc.v));
		w->fc.gen = 1;
	}
	w->fc.used = 0;
	rc = raise_regions(e, w, v->text, v->len);
	if (rc < 0)
		return rc;
	confirm_regions(&s, w);
	if (s.err == 0)
		(void)notes_find(&s, ix);
	if (s.err == 0)
		foreign_scan(&s);
	map_back(v, out, first);
	return s.err;
}

/* The note check once more, over the text with its format characters
 * kept: there they separate words, so "word<ZWSP>word" is two words, as it
 * reads. */
static int
notes_separated(const struct dlp_context *ctx, const struct note_index *ix,
		const char *text, size_t len, struct dlp_findings *out)
{
	struct norm_view v;
	struct scan s;
	size_t first = out->n;
	int rc = norm_view_init(&v, text, len, NORM_KEEP_CF);

	if (rc < 0)
		return rc;
	memset(&s, 0, sizeof(s));
	s.ctx = ctx;
	s.text = v.text;
	s.len = v.len;
	s.out = out;
	(void)notes_find(&s, ix);
	map_back(&v, out, first);
	norm_view_free(&v);
	return s.err;
}

int
dlp_scan(const struct dlp_engine *e, const struct dlp_context *ctx,
	 const char *text, size_t len, struct dlp_findings *out)
{
	struct note_index ix;
	struct norm_view v;
	struct worker *w = NULL;
	size_t first = out->n;
	int rc, unchecked = 0;

	if (len > DLP_MAX_TEXT)
		return -GH_BODY_TOO_LARGE;
	memset(&v, 0, sizeof(v));
	rc = notes_index(ctx, &ix);
	if (rc == -GH_NOTES_TOO_LARGE) {
		unchecked = 1;	/* scanned all the same; failed below */
		rc = 0;
	}
	if (rc == 0)
		rc = norm_view_init(&v, text, len, NORM_DROP_CF);
	if (rc == 0) {
		w = worker_get(e);
		rc = w != NULL ? scan_view(e, w, ctx, &ix, &v, out)
			       : -GH_INTERNAL;
	}
	if (rc == 0 && v.had_cf && ix.slot != NULL)
		rc = notes_separated(ctx, &ix, text, len, out);
	if (rc == 0 && looks_like_har(text, len)) {
		int hr = dlp_har_scan(text, len, out);

		rc = hr < 0 ? hr : 0;
	}
	if ((rc == 0 || rc == -GH_BAD_FIELD) && out->n > first) {
		out->n = first + findings_tidy(out->v + first, out->n - first);
		dlp_char_offsets(text, len, out->v + first, out->n - first);
	}
	if (rc == 0 && unchecked)
		rc = -GH_NOTES_TOO_LARGE;
	if (w != NULL)
		worker_put(e, w);
	norm_view_free(&v);
	notes_index_free(&ix);
	return rc;
}
