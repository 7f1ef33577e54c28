/*
 * The evaluation of the detection engines on ../shared/eval/dev/, shared
 * by bench_eval (which prints it) and tests/unit/test_eval.c (which holds
 * it to floor thresholds); both include this file. It reads the labelled
 * cases, runs the real engines over them and counts; nothing is looked up
 * on the network and no result is hard-coded.
 *
 *  - Presidio's recognizer cases: per entity we cover, the share of cases
 *    where our findings of that type agree with Presidio's expected spans
 *    (same count, same [start, end) in characters).
 *  - gitleaks' rule examples: recall on true positives (by the named rule,
 *    and by any secret detector), over all of them and over the complete
 *    ones (those the rule's own regex matches: some examples are Go string
 *    fragments cut before the secret; the examples of a rule we do not
 *    have count as complete); false hits on the false positives
 *    (by the named rule, and by any secret detector). Examples that gitleaks
 *    generates with GenerateSampleSecrets are wrapped as it does:
 *    `<id>_api_token = "<secret>"`.
 *  - Chromium's IDN table: agreement of phish_host_safe() (safe vs not)
 *    with Chromium's verdict, with Chromium's test top-domain list as the
 *    top domains (also per half of the file, alternate rows) and with the
 *    built-in list, next to the "every punycode host is unsafe" baseline.
 *  - The phishing URL set: detection rate at a false-positive rate of at
 *    most 1% (threshold chosen on the same set), and per reason how often
 *    it fires on phishing and on legitimate URLs and how much the detection
 *    rate drops without it.
 *  - The summary `make eval` prints (the table of issue 12): the IDN
 *    agreement also through an engine with only the built-in top-domain
 *    list; the URL set at the analyser's own verdict thresholds (no
 *    threshold chosen on the set); Presidio agreement over all covered
 *    cases; gitleaks recall on complete positives and false hits, by any
 *    secret detector.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/dlp/dlp.h"
#include "core/dlp/dlp_int.h"
#include "core/phish/phish.h"

struct eval_entity {
	const char *entity;
	size_t cases, agree;
	/* Spans: found and expected (tp), found not expected (fp), expected
	 * not found (fn), on this entity's own cases; and findings of this
	 * type on the cases of Presidio's other entities (fp_other). */
	size_t tp, fp, fn, fp_other;
};

/* One gitleaks rule: its complete positives found by it (tp) or not
 * (fn), its negatives it fired on (fp); positives cut before the secret
 * (incomplete) are counted apart. */
struct eval_rule {
	char id[64];
	size_t tp, fn, fp, negatives, incomplete;
};

struct eval_result {
	struct eval_entity ent[8];
	size_t n_ent;
	/* gitleaks */
	struct eval_rule rule[300];
	size_t n_rule;
	size_t tp_total, tp_complete, tp_named, tp_any, tp_named_complete,
	    tp_any_complete, fp_total, fp_named, fp_any;
	/* Chromium IDN: idn_agree with Chromium's test top domains,
	 * idn_agree_default with only the built-in list (what `gatehouse scan
	 * --phish` decides). */
	size_t idn_total, idn_agree, idn_puny_agree, idn_agree_default;
	struct { size_t total, agree; } idn_half[2];	/* odd, even rows */
	/* URLs */
	size_t url_phish, url_legit;
	int url_threshold;
	double url_detect, url_fpr;
	unsigned url_reason_phish[PR_COUNT_BITS], url_reason_legit[PR_COUNT_BITS];
	double url_detect_without[PR_COUNT_BITS];
	/* URLs at the analyser's own verdicts: [0] not "clean" (a warning on
	 * the link), [1] "dangerous"; phishing and legitimate URLs flagged. */
	size_t url_alarm_phish[2], url_alarm_legit[2];
};

static char *
eval_path(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);

	if (p != NULL)
		snprintf(p, n, "%s/%s", dir, name);
	return p;
}

static const char *const eval_entities[] = {
	"credit_card", "iban", "us_ssn", "uk_nino", "aba_routing", "email",
	"phone", NULL};

static int
eval_presidio(const char *dir, const struct dlp_engine *e,
	      struct eval_result *r)
{
	char *p = eval_path(dir, "presidio_cases.jsonl");
	FILE *f = p ? fopen(p, "r") : NULL;
	char *line = NULL;
	size_t cap = 0;

	free(p);
	if (f == NULL)
		return -1;
	for (size_t i = 0; eval_entities[i] != NULL; i++) {
		r->ent[i].entity = eval_entities[i];
		r->n_ent = i + 1;
	}
	while (getline(&line, &cap, f) > 0) {
		json_t *j = json_loads(line, 0, NULL);
		const char *ent = json_string_value(json_object_get(j, "entity"));
		const char *t = json_string_value(json_object_get(j, "text"));
		json_t *sp = json_object_get(j, "expected_spans");
		struct eval_entity *x = NULL;
		struct dlp_findings fs;
		size_t got = 0, k = 0;
		int ok = 1;

		for (size_t i = 0; ent != NULL && i < r->n_ent; i++)
			if (strcmp(ent, r->ent[i].entity) == 0)
				x = &r->ent[i];
		if (t == NULL || ent == NULL) {
			json_decref(j);
			continue;
		}
		dlp_findings_init(&fs);
		if (dlp_scan(e, NULL, t, strlen(t), &fs) != 0)
			ok = 0;
		if (x == NULL) {
			/* Another entity's case: our findings on it are false
			 * hits, except phones on Presidio's phone entities. */
			for (size_t i = 0; i < fs.n; i++)
				for (size_t q = 0; q < r->n_ent; q++)
					if (strcmp(fs.v[i].type,
						   r->ent[q].entity) == 0 &&
					    !(strcmp(fs.v[i].type, "phone") == 0 &&
					      (strstr(ent, "phone") ||
					       strstr(ent, "mobile"))))
						r->ent[q].fp_other++;
			dlp_findings_free(&fs);
			json_decref(j);
			continue;
		}
		for (size_t i = 0; i < fs.n; i++)
			got += strcmp(fs.v[i].type, x->entity) == 0;
		if (got != json_array_size(sp))
			ok = 0;
		/* Span by span: exact [start, end) in characters. */
		for (size_t i = 0; i < fs.n; i++) {
			int hit = 0;

			if (strcmp(fs.v[i].type, x->entity) != 0)
				continue;
			for (size_t m = 0; m < json_array_size(sp); m++) {
				json_t *q = json_array_get(sp, m);

				hit |= (size_t)json_integer_value(
					       json_array_get(q, 0)) ==
					       fs.v[i].cstart &&
				       (size_t)json_integer_value(
					       json_array_get(q, 1)) ==
					       fs.v[i].cend;
			}
			if (hit)
				x->tp++;
			else
				x->fp++;
		}
		for (size_t m = 0; m < json_array_size(sp); m++) {
			json_t *q = json_array_get(sp, m);
			int hit = 0;

			for (size_t i = 0; i < fs.n; i++)
				hit |= strcmp(fs.v[i].type, x->entity) == 0 &&
				       (size_t)json_integer_value(
					       json_array_get(q, 0)) ==
					       fs.v[i].cstart &&
				       (size_t)json_integer_value(
					       json_array_get(q, 1)) ==
					       fs.v[i].cend;
			x->fn += !hit;
		}
		for (size_t i = 0; ok && i < fs.n; i++) {
			json_t *sq;

			if (strcmp(fs.v[i].type, x->entity) != 0)
				continue;
			sq = json_array_get(sp, k++);
			if ((size_t)json_integer_value(json_array_get(sq, 0)) !=
			    fs.v[i].cstart ||
			    (size_t)json_integer_value(json_array_get(sq, 1)) !=
			    fs.v[i].cend)
				ok = 0;
		}
		x->cases++;
		x->agree += ok;
		dlp_findings_free(&fs);
		json_decref(j);
	}
	free(line);
	fclose(f);
	return 0;
}

static int
is_secret_type(const char *type)
{
	return strcmp(type, "secret") == 0 || strcmp(type, "auth_header") == 0 ||
	       strcmp(type, "cookie") == 0;
}

/* The counters of rule id, added on first use (NULL when full). */
static struct eval_rule *
eval_rule_of(struct eval_result *r, const char *id)
{
	size_t n = sizeof(r->rule) / sizeof(r->rule[0]);

	for (size_t i = 0; i < r->n_rule; i++)
		if (strcmp(r->rule[i].id, id) == 0)
			return &r->rule[i];
	if (r->n_rule == n || strlen(id) >= sizeof(r->rule[0].id))
		return NULL;
	snprintf(r->rule[r->n_rule].id, sizeof(r->rule[0].id), "%s", id);
	return &r->rule[r->n_rule++];
}

static int
eval_gitleaks(const char *dir, const struct dlp_engine *e,
	      struct eval_result *r, FILE *verbose)
{
	char *p = eval_path(dir, "gitleaks_cases.jsonl");
	FILE *f = p ? fopen(p, "r") : NULL;
	char *line = NULL, *wrap = NULL;
	size_t cap = 0;

	free(p);
	if (f == NULL)
		return -1;
	while (getline(&line, &cap, f) > 0) {
		json_t *j = json_loads(line, 0, NULL);
		const char *id = json_string_value(json_object_get(j, "rule_id"));
		const char *kind = json_string_value(json_object_get(j, "kind"));
		const char *org = json_string_value(json_object_get(j, "origin"));
		const char *t = json_string_value(json_object_get(j, "text"));
		struct dlp_findings fs;
		struct eval_rule *ru;
		int named = 0, any = 0, pos, complete;

		if (id == NULL || kind == NULL || t == NULL || org == NULL) {
			json_decref(j);
			continue;
		}
		pos = strcmp(kind, "true_positive") == 0;
		if (strcmp(org, "literal") != 0) {
			size_t n = strlen(t) + strlen(id) + 32;

			free(wrap);
			wrap = malloc(n);
			if (wrap == NULL)
				break;
			snprintf(wrap, n, "%.*s_api_token = \"%s\"",
				 (int)strcspn(id, "-"), id, t);
			t = wrap;
		}
		dlp_findings_init(&fs);
		(void)dlp_scan(e, NULL, t, strlen(t), &fs);
		for (size_t i = 0; i < fs.n; i++) {
			named |= strcmp(fs.v[i].rule, id) == 0;
			any |= is_secret_type(fs.v[i].type);
		}
		ru = eval_rule_of(r, id);
		if (pos) {
			/* A rule we do not have (-1) cannot say the example
			 * is cut: it counts, and a miss is a miss. */
			complete = dlp_rule_matches(e, id, t, strlen(t)) != 0;
			if (ru != NULL && complete) {
				ru->tp += named;
				ru->fn += !named;
			} else if (ru != NULL) {
				ru->incomplete++;
			}
			r->tp_total++;
			r->tp_named += named;
			r->tp_any += any;
			r->tp_complete += complete;
			r->tp_named_complete += complete && named;
			r->tp_any_complete += complete && any;
			if (verbose != NULL && complete && !named)
				fprintf(verbose, "  missed %s\n", id);
		} else {
			if (ru != NULL) {
				ru->negatives++;
				ru->fp += named;
			}
			r->fp_total++;
			r->fp_named += named;
			r->fp_any += any;
			if (verbose != NULL && any)
				fprintf(verbose, "  false hit on a %s negative\n",
					id);
		}
		dlp_findings_free(&fs);
		json_decref(j);
	}
	free(wrap);
	free(line);
	fclose(f);
	return 0;
}

/* Splits a TSV line in place; returns the number of fields. */
static size_t
eval_tsv(char *line, char **fld, size_t max)
{
	size_t n = 0;

	line[strcspn(line, "\r\n")] = '\0';
	while (n < max) {
		char *tab = strchr(line, '\t');

		fld[n++] = line;
		if (tab == NULL)
			break;
		*tab = '\0';
		line = tab + 1;
	}
	return n;
}

/* Chromium's verdicts against phish_host_safe() with the top domains of
 * top (NULL: the built-in list). agree counts the agreements; with
 * r != NULL the totals, the baseline and the two halves of the file
 * (rows in file order) are counted too. */
static int
eval_idn_with(const char *dir, const char *top, size_t *agree,
	      struct eval_result *r, FILE *verbose)
{
	char *q = eval_path(dir, "chromium_idn_cases.tsv");
	FILE *f = q ? fopen(q, "r") : NULL;
	char *line = NULL;
	size_t cap = 0, row = 0;
	struct phish_options o = {0};
	struct phish_engine *pe = NULL;
	int rc = -1;

	o.top_domains_file = top;
	if (f == NULL || phish_engine_new(&o, &pe) != 0)
		goto out;
	if (getline(&line, &cap, f) <= 0)	/* header */
		goto out;
	while (getline(&line, &cap, f) > 0) {
		char *fld[8];
		unsigned why;
		int ours, exp_safe;

		if (eval_tsv(line, fld, 8) < 2)
			continue;
		exp_safe = strcmp(fld[1], "safe") == 0;
		ours = phish_host_safe(pe, fld[0], &why);
		*agree += (ours == 1) == exp_safe;
		if (r != NULL) {
			r->idn_total++;
			r->idn_puny_agree += (strstr(fld[0], "xn--") == NULL) ==
					     exp_safe;
			r->idn_half[row % 2].total++;
			r->idn_half[row % 2].agree += (ours == 1) == exp_safe;
		}
		row++;
		if (verbose != NULL && (ours == 1) != exp_safe)
			fprintf(verbose, "  idn %s: chromium %s, ours %s\n", fld[0],
				fld[1], ours == 1 ? "safe" :
				ours == 0 ? "unsafe" : "invalid");
	}
	rc = 0;
out:
	if (f != NULL)
		fclose(f);
	free(q);
	free(line);
	phish_engine_free(pe);
	return rc;
}

/* The IDN figure with Chromium's test top-domain list (the one its
 * verdicts were made with; halves and baseline too) and with the built-in
 * 4,989-domain list. */
static int
eval_idn(const char *dir, struct eval_result *r, FILE *verbose)
{
	char *p = eval_path(dir, "chromium_test_top_domains.list");
	int rc = p == NULL ? -1 : eval_idn_with(dir, p, &r->idn_agree, r,
						  verbose);

	free(p);
	if (rc == 0)
		rc = eval_idn_with(dir, NULL, &r->idn_agree_default, NULL,
				   NULL);
	return rc;
}

struct eval_url {
	unsigned reasons;
	int phish;
};

static int
eval_score(unsigned reasons, unsigned without)
{
	int s = 0;

	for (unsigned b = 0; b < PR_COUNT_BITS; b++)
		if ((reasons & ~without & (1u << b)) != 0)
			s += phish_reason_weight(1u << b);
	return s;
}

/* Detection rate at FPR <= 1%: the lowest threshold whose false-positive
 * rate stays within 1%. */
static double
eval_detect(const struct eval_url *u, size_t n, size_t np, size_t nl,
	    unsigned without, int *thr, double *fpr)
{
	double best = 0.0;

	*thr = 1000;
	*fpr = 0.0;
	for (int t = 1; t <= 400; t++) {
		size_t tp = 0, fp = 0;

		for (size_t i = 0; i < n; i++) {
			if (eval_score(u[i].reasons, without) < t)
				continue;
			if (u[i].phish)
				tp++;
			else
				fp++;
		}
		if ((double)fp <= 0.01 * (double)nl) {
			best = np ? (double)tp / (double)np : 0.0;
			*thr = t;
			*fpr = nl ? (double)fp / (double)nl : 0.0;
			break;
		}
	}
	return best;
}

/* A row of the URL file: "url,label", the URL quoted when it holds a
 * comma ("" inside quotes is one quote). Cuts line into the URL (in
 * place) and returns 1 for phishing, 0 for legitimate, -1 to skip. */
static int
eval_url_row(char *line, char **url)
{
	char *comma, *w;
	int phish;

	line[strcspn(line, "\r\n")] = '\0';
	comma = strrchr(line, ',');
	if (comma == NULL)
		return -1;
	*comma = '\0';
	phish = strcmp(comma + 1, "phishing") == 0;
	*url = line;
	if (line[0] != '"' || comma - line < 2 || comma[-1] != '"')
		return phish;
	comma[-1] = '\0';
	*url = w = line;
	for (const char *q = line + 1; *q != '\0'; q++) {
		*w++ = *q;
		if (q[0] == '"' && q[1] == '"')
			q++;
	}
	*w = '\0';
	return phish;
}

typedef int (*eval_url_fn)(void *ctx, const struct phish_link *l,
			   int phish);

/* Judges every URL of DIR's URL file and hands each to fn. Returns 0, or
 * -1 when the file or the engine is missing or fn fails. */
static int
eval_url_each(const char *dir, eval_url_fn fn, void *ctx)
{
	char *p = eval_path(dir, "phishing_urls.csv");
	FILE *f = p ? fopen(p, "r") : NULL;
	char *line = NULL, *url;
	size_t cap = 0;
	struct phish_engine *pe = NULL;
	int rc = -1, phish;

	free(p);
	if (f == NULL || phish_engine_new(NULL, &pe) != 0 ||
	    getline(&line, &cap, f) <= 0)
		goto out;
	while (getline(&line, &cap, f) > 0) {
		struct phish_link l;

		phish = eval_url_row(line, &url);
		if (phish < 0)
			continue;
		memset(&l, 0, sizeof(l));
		l.url = url;
		rc = phish_judge(pe, &l);
		if (rc == 0)
			rc = fn(ctx, &l, phish);
		free(l.host);
		free(l.domain);
		if (rc != 0)
			goto out;
	}
	rc = 0;
out:
	if (f != NULL)
		fclose(f);
	free(line);
	phish_engine_free(pe);
	return rc;
}

struct eval_url_acc {
	struct eval_result *r;
	struct eval_url *u;
	size_t n, cap;
};

/* The reasons of one URL, without the link model's: it was trained on
 * every dev row, so its reason would be scored in-sample here; its
 * cross-validated figure is tools/train_url_model.py's (make model). */
static int
eval_url_add(void *ctx, const struct phish_link *l, int phish)
{
	struct eval_url_acc *a = ctx;
	unsigned reasons = l->reasons & ~(unsigned)PR_MODEL_SCORE;

	if (a->n == a->cap) {
		size_t nc = a->cap ? a->cap * 2 : 1024;
		struct eval_url *nv = realloc(a->u, nc * sizeof(*nv));

		if (nv == NULL)
			return -1;
		a->u = nv;
		a->cap = nc;
	}
	a->u[a->n].reasons = reasons;
	a->u[a->n].phish = phish;
	a->n++;
	for (unsigned b = 0; b < PR_COUNT_BITS; b++) {
		if ((reasons & (1u << b)) == 0)
			continue;
		if (phish)
			a->r->url_reason_phish[b]++;
		else
			a->r->url_reason_legit[b]++;
	}
	a->r->url_phish += (size_t)phish;
	a->r->url_legit += (size_t)!phish;
	return 0;
}

static int
eval_urls(const char *dir, struct eval_result *r)
{
	struct eval_url_acc a = {r, NULL, 0, 0};

	if (eval_url_each(dir, eval_url_add, &a) != 0) {
		free(a.u);
		return -1;
	}
	r->url_detect = eval_detect(a.u, a.n, r->url_phish, r->url_legit, 0,
				    &r->url_threshold, &r->url_fpr);
	for (unsigned b = 0; b < PR_COUNT_BITS; b++) {
		int t;
		double fp;

		r->url_detect_without[b] = eval_detect(a.u, a.n, r->url_phish,
						       r->url_legit, 1u << b,
						       &t, &fp);
	}
	free(a.u);
	return 0;
}

/* One URL at the analyser's own verdicts (a score shown as a warning,
 * and "dangerous"), nothing chosen on the set itself. */
static int
eval_url_alarm(void *ctx, const struct phish_link *l, int phish)
{
	struct eval_result *r = ctx;
	size_t *n = phish ? r->url_alarm_phish : r->url_alarm_legit;

	n[0] += strcmp(phish_verdict(l->score), "clean") != 0;
	n[1] += strcmp(phish_verdict(l->score), "dangerous") == 0;
	return 0;
}

/* Runs everything. Returns 0, or -1 when a file is missing or an engine
 * cannot be built. */
static int
eval_run(const char *dir, struct eval_result *r, FILE *verbose)
{
	struct dlp_engine *e = NULL;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	if (dlp_engine_new(&e) != 0)
		return -1;
	if (eval_presidio(dir, e, r) == 0 && eval_gitleaks(dir, e, r, verbose) == 0 &&
	    eval_idn(dir, r, verbose) == 0 && eval_urls(dir, r) == 0 &&
	    eval_url_each(dir, eval_url_alarm, r) == 0)
		rc = 0;
	dlp_engine_free(e);
	return rc;
}

static double
eval_ratio(size_t a, size_t b)
{
	return b ? (double)a / (double)b : 0.0;
}
