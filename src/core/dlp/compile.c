/*
 * Builds the outbound filter's Hyperscan databases from the loaded rules
 * and the built-in triggers (pii_trigger()). The main database holds, by
 * id: the rules that are neither gated nor left to PCRE2 (or their
 * cheaper triggers), the keywords of the gated rules as caseless
 * literals, then one trigger per built-in detector; e->det says what each
 * id stands for. The phone expression has its own small database, and
 * each gated rule one of its own (ids after the main ones), run only near
 * its keywords. A rule Hyperscan cannot analyse or compile is left to
 * PCRE2 (RULE_PCRE); nothing is dropped silently. Compiling goes through
 * hscache.h, so a database made at build time is loaded instead.
 */
#include <stdlib.h>
#include <string.h>

#include "core/dlp/engine_int.h"
#include "core/dlp/hscache.h"
#include "util/errors.h"

/* The expressions, flags and ids handed to Hyperscan for the main
 * database, and the gated rules' keywords as expressions. */
struct hs_tables {
	const char **expr;
	unsigned *flags;
	unsigned *ids;
	char **kwx;		/* NULL-ended */
	size_t n_kw;
};

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

static void
tables_free(struct hs_tables *t)
{
	for (size_t k = 0; t->kwx != NULL && t->kwx[k] != NULL; k++)
		free(t->kwx[k]);
	free(t->kwx);
	free(t->expr);
	free(t->flags);
	free(t->ids);
}

/* Room for every rule, keyword and built-in, in the tables and in the
 * engine's detector arrays. */
static int
tables_alloc(struct dlp_engine *e, struct hs_tables *t)
{
	size_t max = e->rs.n + B_COUNT;

	t->n_kw = 0;
	for (size_t i = 0; i < e->rs.n; i++)
		t->n_kw += e->rs.v[i].n_kw;
	max += t->n_kw;
	t->expr = calloc(max, sizeof(*t->expr));
	t->flags = calloc(max, sizeof(*t->flags));
	t->ids = calloc(max, sizeof(*t->ids));
	t->kwx = calloc(t->n_kw + 1, sizeof(*t->kwx));
	e->det = calloc(max + e->rs.n, sizeof(*e->det));
	e->gdb = calloc(e->rs.n, sizeof(*e->gdb));
	e->gdet = calloc(e->rs.n, sizeof(*e->gdet));
	if (t->expr == NULL || t->flags == NULL || t->ids == NULL ||
	    t->kwx == NULL || e->det == NULL || e->gdb == NULL ||
	    e->gdet == NULL)
		return -GH_INTERNAL;
	return 0;
}

/* The window of each rule from Hyperscan's width; a rule Hyperscan cannot
 * analyse goes to PCRE2. */
static void
measure_rules(struct dlp_engine *e)
{
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
}

/* The gated rules' keywords as expressions, numbered once (also those of
 * rules later left to PCRE2, whose hits are then ignored). */
static int
keyword_exprs(const struct dlp_engine *e, struct hs_tables *t)
{
	size_t n = 0;

	for (size_t i = 0; i < e->rs.n; i++) {
		const struct dlp_rule *r = &e->rs.v[i];

		for (size_t k = 0; r->gated && k < r->n_kw; k++) {
			t->kwx[n] = keyword_expr(r->kw[k]);
			if (t->kwx[n] == NULL)
				return -GH_INTERNAL;
			n++;
		}
	}
	return 0;
}

/* Ids from n on: the rules run from the main database. */
static size_t
add_rules(struct dlp_engine *e, struct hs_tables *t, size_t n)
{
	for (size_t i = 0; i < e->rs.n; i++) {
		const struct dlp_rule *r = &e->rs.v[i];
		struct det *d = &e->det[n];

		if (r->mode != RULE_HS || r->gated)
			continue;
		t->expr[n] = r->hs_trigger != NULL ? r->hs_trigger : r->hs_expr;
		t->flags[n] = 0;
		t->ids[n] = (unsigned)n;
		d->kind = r->hs_trigger != NULL ? DET_TRIGGER : DET_RULE;
		d->is_rule = 1;
		d->index = i;
		d->window = r->hs_trigger != NULL ? DLP_TRIGGER_BACK : r->window;
		n++;
	}
	return n;
}

/* Ids from n on: the gated rules' keywords. */
static size_t
add_keywords(struct dlp_engine *e, struct hs_tables *t, size_t n)
{
	size_t kx = 0;

	for (size_t i = 0; i < e->rs.n; i++) {
		const struct dlp_rule *r = &e->rs.v[i];

		for (size_t k = 0; r->gated && k < r->n_kw; k++) {
			struct det *d = &e->det[n];

			t->expr[n] = t->kwx[kx++];
			t->flags[n] = HS_FLAG_CASELESS;
			t->ids[n] = (unsigned)n;
			d->kind = DET_KEYWORD;
			d->is_rule = 0;
			d->index = i;
			d->window = 0;
			d->kwlen = strlen(r->kw[k]);
			n++;
		}
	}
	return n;
}

/* Ids from n on: one trigger per built-in detector. */
static size_t
add_builtins(struct dlp_engine *e, struct hs_tables *t, size_t n)
{
	for (size_t b = 0; b < B_COUNT; b++) {
		t->expr[n] = pii_trigger((enum builtin)b, &t->flags[n],
					 &e->det[n].window);
		t->ids[n] = (unsigned)n;
		e->det[n].kind = b == B_PHONE ? DET_PHONE : DET_BUILTIN;
		if (b == B_PHONE)
			e->phone_det = n;
		e->det[n].is_rule = 0;
		e->det[n].index = b;
		e->bdet[b] = n;
		n++;
	}
	return n;
}

/* Leaves out of the tables the built-ins whose triggers digits.c finds
 * (their ids stay theirs); the rules, first, keep their places. Returns
 * how many expressions remain. */
static size_t
drop_digit_builtins(const struct dlp_engine *e, struct hs_tables *t,
		    size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		const struct det *d = &e->det[i];

		if (d->kind != DET_RULE && d->kind != DET_TRIGGER &&
		    d->kind != DET_KEYWORD &&
		    digit_builtin((enum builtin)d->index))
			continue;
		t->expr[k] = t->expr[i];
		t->flags[k] = t->flags[i];
		t->ids[k] = t->ids[i];
		k++;
	}
	return k;
}

/* The main database. A rule whose expression Hyperscan refuses is left to
 * PCRE2 and the tables are laid out again without it. */
static int
compile_main(struct dlp_engine *e, struct hs_tables *t)
{
	for (;;) {
		hs_compile_error_t *err = NULL;
		size_t n = add_rules(e, t, 0);

		n = add_keywords(e, t, n);
		n = add_builtins(e, t, n);
		e->n_main = n;
		n = drop_digit_builtins(e, t, n);
		if (hsc_compile(t->expr, t->flags, t->ids, (unsigned)n, &e->db,
				&err) == HS_SUCCESS)
			return 0;
		if (err == NULL || err->expression < 0 ||
		    !e->det[err->expression].is_rule) {
			hs_free_compile_error(err);
			return -GH_INTERNAL;
		}
		e->rs.v[e->det[err->expression].index].mode = RULE_PCRE;
		hs_free_compile_error(err);
	}
}

static int
compile_phone(struct dlp_engine *e)
{
	const char *pe = pii_phone_expr();
	unsigned pf = 0, pid = (unsigned)e->phone_det;
	hs_compile_error_t *err = NULL;

	if (hsc_compile(&pe, &pf, &pid, 1, &e->pdb, &err) != HS_SUCCESS) {
		hs_free_compile_error(err);
		return -GH_INTERNAL;
	}
	return 0;
}

/* The database of one gated rule, whose hits carry id; a rule Hyperscan
 * refuses goes to PCRE2. */
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

/* Each gated rule: its own database, ids after the main ones. */
static void
compile_gated_all(struct dlp_engine *e)
{
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
}

int
engine_compile(struct dlp_engine *e)
{
	struct hs_tables t;
	int rc;

	memset(&t, 0, sizeof(t));
	rc = tables_alloc(e, &t);
	if (rc == 0) {
		measure_rules(e);
		rc = keyword_exprs(e, &t);
	}
	if (rc == 0)
		rc = compile_main(e, &t);
	if (rc == 0)
		rc = compile_phone(e);
	if (rc == 0)
		compile_gated_all(e);
	tables_free(&t);
	return rc;
}
