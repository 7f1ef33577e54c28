/*
 * Internal to the outbound filter's engine (engine.c, compile.c, scan.c):
 * the detectors behind the Hyperscan ids, the per-thread workers and the
 * engine itself. Nothing here is part of the module's contract.
 */
#ifndef GH_CORE_DLP_ENGINE_INT_H
#define GH_CORE_DLP_ENGINE_INT_H

#include <pthread.h>
#include <stddef.h>

#include <hs/hs.h>

#include "core/dlp/dlp_int.h"

/* What a Hyperscan id stands for. */
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

/* A stretch of text a detector's hits raised, for its validator. */
struct region {
	size_t det, from, to;
};

/* The region (or gate) being grown for one detector (or rule). */
struct wstate {
	size_t from, to;
	int active;
};

/* Everything one scan needs besides the engine; pooled, one per thread
 * at a time. */
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
	/* The detectors and rules whose st / gs the last scan made active:
	 * only those are cleared before the next (the rest stay zero). */
	size_t *tdet, n_tdet;
	size_t *tgate, n_tgate;
	struct fcache fc;
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
	size_t bdet[B_COUNT];	/* each built-in's det id */
	size_t *gdet;		/* per rule: its det id when gated */
	struct det *det;	/* indexed by Hyperscan id */
	size_t n_det, n_main;
	struct dlp_rule_stats stats;
	pthread_mutex_t lock;
	struct worker *pool;
};

/* compile.c: builds e->db, e->pdb, e->gdb and e->det from e->rs. 0 or
 * -GH_INTERNAL. */
int engine_compile(struct dlp_engine *e);

/* engine.c: a worker from e's pool (a new one when the pool is empty),
 * NULL when out of memory; worker_put() gives it back. The pool is the
 * engine's only mutable part, behind e->lock. */
struct worker *worker_get(const struct dlp_engine *e);
void worker_put(const struct dlp_engine *e, struct worker *w);

#endif
