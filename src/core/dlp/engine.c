/*
 * The outbound filter's engine object (see dlp.h): dlp_engine_new() loads
 * the embedded gitleaks rules (rules.c), has compile.c build the Hyperscan
 * databases and counts what happened to each rule; the scratch space,
 * PCRE2 match data and JIT stacks a scan needs live in a small pool of
 * workers behind one lock, so one read-only engine serves many threads.
 * It scans nothing itself (scan.c does) and logs nothing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/dlp/engine_int.h"
#include "util/errors.h"

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
	free(w->tdet);
	free(w->tgate);
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
	w->tdet = calloc(e->n_det, sizeof(*w->tdet));
	w->tgate = calloc(e->rs.n + 1, sizeof(*w->tgate));
	if (w->md == NULL || w->mctx == NULL || w->js == NULL ||
	    w->st == NULL || w->cnt == NULL || w->gs == NULL ||
	    w->tdet == NULL || w->tgate == NULL)
		goto fail;
	pcre2_jit_stack_assign(w->mctx, NULL, w->js);
	return w;
fail:
	worker_free(w);
	return NULL;
}

struct worker *
worker_get(const struct dlp_engine *ce)
{
	struct dlp_engine *e = (struct dlp_engine *)(uintptr_t)ce;
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

void
worker_put(const struct dlp_engine *ce, struct worker *w)
{
	struct dlp_engine *e = (struct dlp_engine *)(uintptr_t)ce;

	pthread_mutex_lock(&e->lock);
	w->next = e->pool;
	e->pool = w;
	pthread_mutex_unlock(&e->lock);
}

/* How each rule ended up being run, for dlp_engine_stats(). */
static void
count_modes(struct dlp_engine *e)
{
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
	rc = engine_compile(e);
	if (rc < 0)
		goto fail;
	count_modes(e);
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
