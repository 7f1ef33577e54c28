/*
 * The outbound filter's engine: builds one Hyperscan database from the
 * gitleaks rules and the built-in triggers, scans a text once, merges the
 * hits of each pattern into windows, hands each window to its validator
 * (rules.c, pii.c), adds the notes, other-customer and HAR checks, and
 * returns sorted, de-duplicated findings with byte and character offsets.
 * Also redaction and the JSON form of findings.
 *
 * Hyperscan is used without start-of-match: it only says where a pattern
 * ends, which keeps it fast; the window before that end is then searched
 * by PCRE2 (JIT) or a hand-written extractor. Rules with distinctive
 * keywords (rules.c: gated) are not in the main database: it holds their
 * keywords as literals instead, and each such rule has its own database,
 * run only over the stretches of text near one of its keywords (the only
 * places where rules_confirm() can accept a match). Scratch space, PCRE2 match
 * data and JIT stacks live in a small pool of workers, so one engine serves
 * many threads. It does not log, and keeps no scanned text.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <hs/hs.h>

#include "core/dlp/dlp_int.h"
#include "core/dlp/hscache.h"
#include "util/errors.h"

enum det_kind { DET_RULE, DET_BUILTIN, DET_KEYWORD, DET_TRIGGER, DET_PHONE };

struct det {
	enum det_kind kind;
	int is_rule;		/* DET_RULE or DET_TRIGGER: regions to confirm */
	size_t index;		/* rule index or enum builtin */
	size_t window;
	size_t kwlen;		/* DET_KEYWORD: the keyword's length */
};

/* A stretch of text where a gated rule is run. */
struct gate {
	size_t rule, from, to;
};

struct region {
	size_t det, from, to;
};

struct wstate {
	size_t from, to;
	int active;
};

struct worker {
	hs_scratch_t *scratch;
	hs_scratch_t *pscratch;	/* for pdb, run from a main-database hit */
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	pcre2_jit_stack *js;
	struct wstate *st;
	struct region *rg;
	size_t n_rg, cap_rg;
	size_t *cnt;		/* per detector + 1: for sort_regions */
	struct wstate *gs;	/* per rule: the gate being grown */
	struct gate *gt;
	size_t n_gt, cap_gt;
	struct worker *next;
};

struct dlp_engine {
	struct rule_set rs;
	hs_database_t *db;	/* ids [0, n_main) */
	hs_database_t **gdb;	/* per rule: a gated rule's own database */
	hs_database_t *pdb;	/* the phone expression, id phone_det */
	size_t phone_det;
	size_t *gdet;		/* per rule: its det id when gated */
	struct det *det;	/* indexed by Hyperscan id */
	size_t n_det, n_main;
	struct dlp_rule_stats stats;
	pthread_mutex_t lock;
	struct worker *pool;
};

/* ------------------------------------------------------------------ */
/* Findings */

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

/* Sorts v[from, n), drops exact duplicates, findings contained in another
 * of the same type, and phones overlapping any other finding. */
static size_t
normalise(struct dlp_finding *v, size_t n)
{
	size_t k = 0, lo = 0, maxend = 0;

	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_finding);
	/* Every rule below needs y->end >= v[i].start: findings before lo
	 * all end earlier (maxend is the largest end in [0, lo)), and starts
	 * only grow, so lo only moves forward. */
	for (size_t i = 0; i < n; i++) {
		int drop = 0;

		while (lo < n && (v[lo].end > maxend ? v[lo].end : maxend) <
				 v[i].start) {
			maxend = v[lo].end > maxend ? v[lo].end : maxend;
			lo++;
		}
		for (size_t j = lo; j < n && !drop; j++) {
			const struct dlp_finding *y = &v[j];

			if (j == i || y->type == NULL)
				continue;
			if (is_phone(&v[i]) && !is_phone(y) &&
			    y->start < v[i].end && v[i].start < y->end)
				drop = 1;
			else if (strcmp(v[i].type, "secret") == 0)
				drop = secret_shadowed(&v[i], y, j < i);
			else if (strcmp(y->type, v[i].type) == 0 &&
				 y->start <= v[i].start && y->end >= v[i].end &&
				 (y->end - y->start > v[i].end - v[i].start ||
				  j < i))
				drop = 1;
			if (y->start >= v[i].end)
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

/* ------------------------------------------------------------------ */
/* Engine */

static void
worker_free(struct worker *w)
{
	if (w == NULL)
		return;
	hs_free_scratch(w->scratch);
	hs_free_scratch(w->pscratch);
	pcre2_match_data_free(w->md);
	pcre2_match_context_free(w->mctx);
	pcre2_jit_stack_free(w->js);
	free(w->st);
	free(w->rg);
	free(w->cnt);
	free(w->gs);
	free(w->gt);
	free(w);
}

static struct worker *
worker_new(const struct dlp_engine *e)
{
	struct worker *w = calloc(1, sizeof(*w));

	if (w == NULL)
		return NULL;
	if (hs_alloc_scratch(e->db, &w->scratch) != HS_SUCCESS ||
	    hs_alloc_scratch(e->pdb, &w->pscratch) != HS_SUCCESS)
		goto fail;
	for (size_t i = 0; i < e->rs.n; i++)
		if (e->gdb[i] != NULL &&
		    hs_alloc_scratch(e->gdb[i], &w->scratch) != HS_SUCCESS)
			goto fail;
	w->md = pcre2_match_data_create(32, NULL);
	w->mctx = pcre2_match_context_create(NULL);
	w->js = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, NULL);
	w->st = calloc(e->n_det, sizeof(*w->st));
	w->cnt = calloc(e->n_det + 1, sizeof(*w->cnt));
	w->gs = calloc(e->rs.n, sizeof(*w->gs));
	if (w->md == NULL || w->mctx == NULL || w->js == NULL ||
	    w->st == NULL || w->cnt == NULL || w->gs == NULL)
		goto fail;
	pcre2_jit_stack_assign(w->mctx, NULL, w->js);
	return w;
fail:
	worker_free(w);
	return NULL;
}

static struct worker *
worker_get(struct dlp_engine *e)
{
	struct worker *w;

	pthread_mutex_lock(&e->lock);
	w = e->pool;
	if (w != NULL)
		e->pool = w->next;
	pthread_mutex_unlock(&e->lock);
	if (w == NULL)
		w = worker_new(e);
	return w;
}

static void
worker_put(struct dlp_engine *e, struct worker *w)
{
	pthread_mutex_lock(&e->lock);
	w->next = e->pool;
	e->pool = w;
	pthread_mutex_unlock(&e->lock);
}

/* A keyword as a caseless Hyperscan literal: everything but letters and
 * digits escaped. */
static char *
keyword_expr(const char *kw)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = strlen(kw);
	char *o = malloc(4 * n + 1);
	size_t j = 0;

	if (o == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)kw[i];

		if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) {
			o[j++] = (char)ch;
			continue;
		}
		o[j++] = '\\';
		o[j++] = 'x';
		o[j++] = hex[ch >> 4];
		o[j++] = hex[ch & 15];
	}
	o[j] = '\0';
	return o;
}

static int
rule_gated(const struct dlp_rule *r)
{
	return r->mode == RULE_HS && r->gated;
}

/* The database of one gated rule, whose hits carry id. */
static void
compile_gated(struct dlp_engine *e, size_t i, size_t id)
{
	struct dlp_rule *r = &e->rs.v[i];
	const char *expr = r->hs_expr;
	unsigned flags = 0, hid = (unsigned)id;
	hs_compile_error_t *err = NULL;

	if (hsc_compile(&expr, &flags, &hid, 1, &e->gdb[i], &err) !=
	    HS_SUCCESS) {
		hs_free_compile_error(err);
		e->gdb[i] = NULL;
		r->mode = RULE_PCRE;
	}
}

static int
compile_db(struct dlp_engine *e)
{
	size_t max = e->rs.n + B_COUNT, n_kw = 0;
	const char **expr = NULL;
	char **kwx = NULL;
	unsigned *flags = NULL;
	unsigned *ids = NULL;
	int rc = -GH_INTERNAL;

	for (size_t i = 0; i < e->rs.n; i++)
		n_kw += e->rs.v[i].n_kw;
	max += n_kw;
	expr = calloc(max, sizeof(*expr));
	flags = calloc(max, sizeof(*flags));
	ids = calloc(max, sizeof(*ids));
	kwx = calloc(n_kw + 1, sizeof(*kwx));
	e->det = calloc(max + e->rs.n, sizeof(*e->det));
	e->gdb = calloc(e->rs.n, sizeof(*e->gdb));
	e->gdet = calloc(e->rs.n, sizeof(*e->gdet));
	if (expr == NULL || flags == NULL || ids == NULL || kwx == NULL ||
	    e->det == NULL || e->gdb == NULL || e->gdet == NULL)
		goto out;
	/* Width of each rule; a rule Hyperscan cannot analyse goes to PCRE2. */
	for (size_t i = 0; i < e->rs.n; i++) {
		struct dlp_rule *r = &e->rs.v[i];
		hs_expr_info_t *info = NULL;
		hs_compile_error_t *err = NULL;

		if (r->mode != RULE_HS)
			continue;
		if (hs_expression_info(r->hs_expr, 0, &info, &err) !=
		    HS_SUCCESS) {
			hs_free_compile_error(err);
			r->mode = RULE_PCRE;
			r->window = 0;
			continue;
		}
		r->window = rules_window(info->max_width);
		free(info);
	}
	n_kw = 0;
	for (size_t i = 0; i < e->rs.n; i++) {
		const struct dlp_rule *r = &e->rs.v[i];

		for (size_t k = 0; r->gated && k < r->n_kw; k++) {
			kwx[n_kw] = keyword_expr(r->kw[k]);
			if (kwx[n_kw] == NULL)
				goto out;
			n_kw++;
		}
	}
	for (;;) {
		size_t n = 0, kx = 0;
		hs_compile_error_t *err = NULL;
		hs_error_t hr;

		for (size_t i = 0; i < e->rs.n; i++) {
			const struct dlp_rule *r = &e->rs.v[i];
			struct det *d = &e->det[n];

			if (r->mode != RULE_HS || r->gated)
				continue;
			expr[n] = r->hs_trigger != NULL ? r->hs_trigger :
							  r->hs_expr;
			flags[n] = 0;
			ids[n] = (unsigned)n;
			d->kind = r->hs_trigger != NULL ? DET_TRIGGER : DET_RULE;
			d->is_rule = 1;
			d->index = i;
			d->window = r->hs_trigger != NULL ? DLP_TRIGGER_BACK :
							    r->window;
			n++;
		}
		/* The keywords of the gated rules (also those gone to PCRE2,
		 * whose hits are ignored: kwx is numbered once). */
		for (size_t i = 0; i < e->rs.n; i++) {
			const struct dlp_rule *r = &e->rs.v[i];

			for (size_t k = 0; r->gated && k < r->n_kw; k++) {
				struct det *d = &e->det[n];

				expr[n] = kwx[kx++];
				flags[n] = HS_FLAG_CASELESS;
				ids[n] = (unsigned)n;
				d->kind = DET_KEYWORD;
				d->is_rule = 0;
				d->index = i;
				d->window = 0;
				d->kwlen = strlen(r->kw[k]);
				n++;
			}
		}
		for (size_t b = 0; b < B_COUNT; b++) {
			expr[n] = pii_trigger((enum builtin)b, &flags[n],
					      &e->det[n].window);
			ids[n] = (unsigned)n;
			e->det[n].kind = b == B_PHONE ? DET_PHONE : DET_BUILTIN;
			if (b == B_PHONE)
				e->phone_det = n;
			e->det[n].is_rule = 0;
			e->det[n].index = b;
			n++;
		}
		e->n_main = n;
		hr = hsc_compile(expr, flags, ids, (unsigned)n, &e->db, &err);
		if (hr == HS_SUCCESS)
			break;
		if (err == NULL || err->expression < 0 ||
		    !e->det[err->expression].is_rule) {
			hs_free_compile_error(err);
			goto out;
		}
		e->rs.v[e->det[err->expression].index].mode = RULE_PCRE;
		hs_free_compile_error(err);
	}
	{
		const char *pe = pii_phone_expr();
		unsigned pf = 0, pid = (unsigned)e->phone_det;
		hs_compile_error_t *err = NULL;

		if (hsc_compile(&pe, &pf, &pid, 1, &e->pdb, &err) !=
		    HS_SUCCESS) {
			hs_free_compile_error(err);
			goto out;
		}
	}
	/* Each gated rule: its own database, ids after the main ones. */
	e->n_det = e->n_main;
	for (size_t i = 0; i < e->rs.n; i++) {
		struct det *d = &e->det[e->n_det];

		if (!rule_gated(&e->rs.v[i]))
			continue;
		d->kind = DET_RULE;
		d->is_rule = 1;
		d->index = i;
		d->window = e->rs.v[i].window;
		e->gdet[i] = e->n_det;
		compile_gated(e, i, e->n_det);
		if (e->gdb[i] != NULL)
			e->n_det++;
	}
	rc = 0;
out:
	for (size_t k = 0; kwx != NULL && kwx[k] != NULL; k++)
		free(kwx[k]);
	free(kwx);
	free(expr);
	free(flags);
	free(ids);
	return rc;
}

int
dlp_engine_new(struct dlp_engine **out)
{
	const struct embedded_file *f = embed_find(dlp_data,
						   "gitleaks-rules.json");
	struct dlp_engine *e = calloc(1, sizeof(*e));
	struct worker *w;
	int rc = -GH_INTERNAL;

	*out = NULL;
	if (e == NULL || f == NULL)
		goto fail;
	pthread_mutex_init(&e->lock, NULL);
	rc = rules_load(&e->rs, (const char *)f->data, f->len);
	if (rc < 0)
		goto fail;
	rc = compile_db(e);
	if (rc < 0)
		goto fail;
	e->stats.total = e->rs.n;
	for (size_t i = 0; i < e->rs.n; i++) {
		switch (e->rs.v[i].mode) {
		case RULE_HS:
			e->stats.hyperscan++;
			break;
		case RULE_PCRE:
			e->stats.pcre_only++;
			break;
		case RULE_PATH:
			e->stats.path_only++;
			break;
		default:
			e->stats.failed++;
			break;
		}
	}
	w = worker_new(e);
	if (w == NULL) {
		rc = -GH_INTERNAL;
		goto fail;
	}
	e->pool = w;
	*out = e;
	return 0;
fail:
	dlp_engine_free(e);
	return rc;
}

void
dlp_engine_free(struct dlp_engine *e)
{
	if (e == NULL)
		return;
	while (e->pool != NULL) {
		struct worker *w = e->pool;

		e->pool = w->next;
		worker_free(w);
	}
	hs_free_database(e->db);
	hs_free_database(e->pdb);
	for (size_t i = 0; e->gdb != NULL && i < e->rs.n; i++)
		hs_free_database(e->gdb[i]);
	free(e->gdb);
	free(e->gdet);
	rules_free(&e->rs);
	free(e->det);
	pthread_mutex_destroy(&e->lock);
	free(e);
}

void
dlp_engine_stats(const struct dlp_engine *e, struct dlp_rule_stats *st)
{
	*st = e->stats;
}

/* ------------------------------------------------------------------ */
/* Scan */

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

static int
on_match(unsigned int id, unsigned long long from, unsigned long long hto,
	 unsigned int flags, void *cls)
{
	struct hs_ctx *c = cls;
	const struct det *d = &c->e->det[id];
	size_t to = c->base + (size_t)hto;
	size_t start = to > d->window ? to - d->window : 0;
	size_t end = to;

	(void)from;
	(void)flags;
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

	for (size_t r = 0; r < e->rs.n; r++)
		if (w->gs[r].active &&
		    push_gate(w, r, w->gs[r].from, w->gs[r].to) < 0)
			return -GH_INTERNAL;
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

int
dlp_scan(const struct dlp_engine *ce, const struct dlp_context *ctx,
	 const char *text, size_t len, struct dlp_findings *out)
{
	/* The pool is the engine's only mutable part, behind its lock. */
	struct dlp_engine *e = (struct dlp_engine *)(uintptr_t)ce;
	struct worker *w = NULL;
	struct hs_ctx hc = {ce, NULL, text, len, 0, 0, 0};
	struct scan s;
	size_t first = out->n;
	int rc = -GH_INTERNAL;

	if (len > DLP_MAX_TEXT)
		return -GH_BODY_TOO_LARGE;
	w = worker_get(e);
	if (w == NULL)
		return -GH_INTERNAL;
	memset(&s, 0, sizeof(s));
	s.e = ce;
	s.ctx = ctx;
	s.text = text;
	s.len = len;
	s.out = out;
	s.md = w->md;
	s.mctx = w->mctx;
	memset(w->st, 0, ce->n_det * sizeof(*w->st));
	memset(w->gs, 0, ce->rs.n * sizeof(*w->gs));
	w->n_rg = 0;
	w->n_gt = 0;
	hc.w = w;
	if (len > 0 &&
	    hs_scan(ce->db, text, (unsigned)len, 0, w->scratch, on_match,
		    &hc) != HS_SUCCESS && hc.err == 0)
		goto out;
	if (hc.err == 0 && len > 0)
		hc.err = scan_gated(&hc);
	if (hc.err < 0) {
		rc = hc.err;
		goto out;
	}
	for (size_t d = 0; d < ce->n_det; d++)
		if (w->st[d].active &&
		    push_region(w, d, w->st[d].from, w->st[d].to) < 0)
			goto out;
	if (sort_regions(w, ce->n_det) < 0)
		goto out;
	for (size_t i = 0; i < w->n_rg && s.err == 0; i++) {
		const struct det *d = &ce->det[w->rg[i].det];

		if (d->is_rule)
			rules_confirm(&s, &ce->rs, &ce->rs.v[d->index],
				      w->rg[i].from, w->rg[i].to);
		else
			pii_confirm(&s, (enum builtin)d->index, w->rg[i].from,
				    w->rg[i].to);
	}
	for (size_t i = 0; i < ce->rs.n && s.err == 0; i++) {
		const struct dlp_rule *r = &ce->rs.v[i];

		if (r->mode == RULE_PCRE)
			rules_confirm(&s, &ce->rs, r, 0, len);
	}
	if (s.err == 0) {
		int nr = notes_scan(&s);

		if (nr < 0 && s.err == 0)
			s.err = nr;
	}
	if (s.err == 0)
		foreign_scan(&s);
	if (s.err == 0 && looks_like_har(text, len)) {
		int hr = dlp_har_scan(text, len, out);

		if (hr < 0)
			s.err = hr;
	}
	if (s.err < 0 && s.err != -GH_BAD_FIELD) {
		rc = s.err;
		goto out;
	}
	if (out->n > first) {
		out->n = first + normalise(out->v + first, out->n - first);
		dlp_char_offsets(text, len, out->v + first, out->n - first);
	}
	rc = s.err == -GH_BAD_FIELD ? -GH_BAD_FIELD : 0;
out:
	worker_put(e, w);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Output */

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

char *
dlp_redact(const char *text, size_t len, const struct dlp_findings *f)
{
	struct span *sp = NULL;
	size_t n = 0, cap = len + 1, o = 0, pos = 0;
	char *out = NULL;

	if (f->n > 0) {
		sp = malloc(f->n * sizeof(*sp));
		if (sp == NULL)
			return NULL;
	}
	for (size_t i = 0; i < f->n; i++) {
		if (f->v[i].start >= f->v[i].end || f->v[i].end > len)
			continue;
		sp[n].a = f->v[i].start;
		sp[n].b = f->v[i].end;
		sp[n].type = f->v[i].type;
		n++;
		cap += strlen(f->v[i].type) + 16;
	}
	if (n > 0)
		qsort(sp, n, sizeof(*sp), cmp_span);
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

json_t *
dlp_findings_json(const struct dlp_findings *f)
{
	json_t *arr = json_array();

	if (arr == NULL)
		return NULL;
	for (size_t i = 0; i < f->n; i++) {
		const struct dlp_finding *x = &f->v[i];
		json_t *o = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I}",
				      "type", x->type, "rule", x->rule,
				      "start", (json_int_t)x->start,
				      "end", (json_int_t)x->end,
				      "cstart", (json_int_t)x->cstart,
				      "cend", (json_int_t)x->cend);

		if (o == NULL || json_array_append_new(arr, o) < 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

int
dlp_rule_matches(const struct dlp_engine *e, const char *rule_id,
		 const char *text, size_t len)
{
	pcre2_match_data *md;
	int rc = -1;

	for (size_t i = 0; i < e->rs.n; i++) {
		const struct dlp_rule *r = &e->rs.v[i];

		if (strcmp(r->id, rule_id) != 0 || r->re == NULL)
			continue;
		md = pcre2_match_data_create_from_pattern(r->re, NULL);
		if (md == NULL)
			return -1;
		rc = pcre2_match(r->re, (PCRE2_SPTR)text, len, 0, 0, md, NULL) >= 0;
		pcre2_match_data_free(md);
		break;
	}
	return rc;
}
