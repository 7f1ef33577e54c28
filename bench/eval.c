/*
 * bench_eval: runs the detection engines over the labelled cases in
 * ../shared/eval/dev/ (or the directory given as an argument, with the
 * same layout) and prints precision/recall-style figures per entity and
 * rule family, the IDN agreement with Chromium, and the phishing-URL
 * detection rate at a 1% false-positive rate with the signals that carry
 * it, then the four figures of issue 12's table. See evallib.c for exactly
 * what is counted. `-v` also lists the misses; `--summary` prints only the
 * four figures (what `make eval` shows). Nothing printed depends on
 * anything but the files read and the engines as built.
 */
#include <stdio.h>
#include <string.h>

#include "evallib.c"

static void
print_presidio(const struct eval_result *r)
{
	printf("== Presidio recognizer cases (agreement: a case's findings have "
	       "the same count and character spans;\n   precision and recall "
	       "by span; 'other' = findings of the type on the cases "
	       "of Presidio's other entities)\n");
	printf("  %-12s %6s %9s %9s %9s %6s %9s\n", "entity", "cases",
	       "agree", "precision", "recall", "other", "prec.all");
	for (size_t i = 0; i < r->n_ent; i++) {
		const struct eval_entity *x = &r->ent[i];

		printf("  %-12s %6zu %8.2f%% %8.2f%% %8.2f%% %6zu %8.2f%%\n",
		       x->entity, x->cases,
		       100.0 * eval_ratio(x->agree, x->cases),
		       100.0 * eval_ratio(x->tp, x->tp + x->fp),
		       100.0 * eval_ratio(x->tp, x->tp + x->fn), x->fp_other,
		       100.0 * eval_ratio(x->tp, x->tp + x->fp + x->fp_other));
	}
}

static void
print_gitleaks(const struct eval_result *r, int verbose)
{
	printf("== gitleaks rule examples\n");
	printf("  true positives: %zu (%zu complete: the rule's own regex "
	       "matches)\n", r->tp_total, r->tp_complete);
	printf("  recall, named rule:   %6.2f%% of all, %6.2f%% of complete\n",
	       100.0 * eval_ratio(r->tp_named, r->tp_total),
	       100.0 * eval_ratio(r->tp_named_complete, r->tp_complete));
	printf("  recall, any secret:   %6.2f%% of all, %6.2f%% of complete\n",
	       100.0 * eval_ratio(r->tp_any, r->tp_total),
	       100.0 * eval_ratio(r->tp_any_complete, r->tp_complete));
	printf("  false positives: %zu; false hits by the named rule %6.2f%%, "
	       "by any secret detector %6.2f%%\n", r->fp_total,
	       100.0 * eval_ratio(r->fp_named, r->fp_total),
	       100.0 * eval_ratio(r->fp_any, r->fp_total));
	printf("  precision (named rule, complete positives vs negatives): "
	       "%6.2f%%\n",
	       100.0 * eval_ratio(r->tp_named_complete,
				  r->tp_named_complete + r->fp_named));
	{
		size_t n_tp = 0, perfect = 0;

		for (size_t i = 0; i < r->n_rule; i++) {
			const struct eval_rule *u = &r->rule[i];

			n_tp += u->tp + u->fn > 0;
			perfect += u->tp + u->fn > 0 && u->fn == 0 && u->fp == 0;
		}
		printf("  per rule: %zu rules have examples, %zu with complete "
		       "positives; %zu of those at 100%% precision and recall; "
		       "the others%s:\n", r->n_rule, n_tp, perfect,
		       verbose ? " (and with -v every rule)" : "");
		printf("  %-40s %4s %4s %4s %9s %9s %5s\n", "rule", "tp", "fn",
		       "fp", "precision", "recall", "cut");
		for (size_t i = 0; i < r->n_rule; i++) {
			const struct eval_rule *u = &r->rule[i];

			if (!verbose && u->fn == 0 && u->fp == 0)
				continue;
			printf("  %-40s %4zu %4zu %4zu %8.2f%% %8.2f%% %5zu\n",
			       u->id, u->tp, u->fn, u->fp,
			       100.0 * eval_ratio(u->tp, u->tp + u->fp),
			       100.0 * eval_ratio(u->tp, u->tp + u->fn),
			       u->incomplete);
		}
	}
}

static void
print_idn_urls(const struct eval_result *r)
{
	printf("== Chromium IDN spoof verdicts (safe vs not safe)\n");
	printf("  %zu hosts: agreement %6.2f%% with Chromium's test top "
	       "domains (halves %6.2f%%, %6.2f%%), %6.2f%% with the built-in "
	       "list (baseline 'every punycode host is unsafe': %6.2f%%)\n",
	       r->idn_total, 100.0 * eval_ratio(r->idn_agree, r->idn_total),
	       100.0 * eval_ratio(r->idn_half[0].agree, r->idn_half[0].total),
	       100.0 * eval_ratio(r->idn_half[1].agree, r->idn_half[1].total),
	       100.0 * eval_ratio(r->idn_agree_default, r->idn_total),
	       100.0 * eval_ratio(r->idn_puny_agree, r->idn_total));
	printf("== Phishing URLs (lexical only, no network)\n");
	printf("  %zu phishing, %zu legitimate: detection %6.2f%% at FPR "
	       "%.2f%% (score >= %d)\n", r->url_phish, r->url_legit,
	       100.0 * r->url_detect, 100.0 * r->url_fpr, r->url_threshold);
	printf("  %-28s %9s %9s %14s\n", "signal", "phishing", "legit",
	       "detect without");
	for (unsigned b = 0; b < PR_COUNT_BITS; b++) {
		if (r->url_reason_phish[b] + r->url_reason_legit[b] == 0)
			continue;
		printf("  %-28s %8.2f%% %8.2f%% %13.2f%%\n",
		       phish_reason_name(1u << b),
		       100.0 * eval_ratio(r->url_reason_phish[b], r->url_phish),
		       100.0 * eval_ratio(r->url_reason_legit[b], r->url_legit),
		       100.0 * r->url_detect_without[b]);
	}
}

/* The four figures the way issue 12's table gives them. */
static void
print_summary(const char *dir, const struct eval_result *r)
{
	printf("== Summary (%s)\n", dir);
	printf("  %-28s %s\n", "engine", "figure");
	printf("  %-28s %6.2f%% agreement with the built-in top-domain list, "
	       "%6.2f%% with the test list (%zu hosts)\n",
	       "IDN homographs, Chromium",
	       100.0 * eval_ratio(r->idn_agree_default, r->idn_total),
	       100.0 * eval_ratio(r->idn_agree, r->idn_total), r->idn_total);
	printf("  %-28s %6.2f%% detected at %.2f%% false alarms (warning or "
	       "worse), %.2f%% at %.2f%% (dangerous)\n", "phishing URLs",
	       100.0 * eval_ratio(r->url_alarm_phish[0], r->url_phish),
	       100.0 * eval_ratio(r->url_alarm_legit[0], r->url_legit),
	       100.0 * eval_ratio(r->url_alarm_phish[1], r->url_phish),
	       100.0 * eval_ratio(r->url_alarm_legit[1], r->url_legit));
	printf("  %-28s (the analyser with its link model, which was trained "
	       "on the dev rows: on dev\n  %-28s this is in-sample; the "
	       "cross-validated figure follows the table)\n", "", "");
	{
		size_t agree = 0, cases = 0;

		for (size_t i = 0; i < r->n_ent; i++) {
			agree += r->ent[i].agree;
			cases += r->ent[i].cases;
		}
		printf("  %-28s %6.2f%% agreement (%zu cases)\n",
		       "Presidio recognizer cases",
		       100.0 * eval_ratio(agree, cases), cases);
	}
	printf("  %-28s %6.2f%% recall, %.2f%% false hits (%zu complete "
	       "positives, %zu negatives)\n", "gitleaks positives (complete)",
	       100.0 * eval_ratio(r->tp_any_complete, r->tp_complete),
	       100.0 * eval_ratio(r->fp_any, r->fp_total), r->tp_complete,
	       r->fp_total);
}

int
main(int argc, char **argv)
{
	const char *dir = "../shared/eval/dev";
	FILE *verbose = NULL;
	struct eval_result r;
	int summary_only = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-v") == 0)
			verbose = stdout;
		else if (strcmp(argv[i], "--summary") == 0)
			summary_only = 1;
		else
			dir = argv[i];
	}
	if (eval_run(dir, &r, verbose) != 0) {
		fprintf(stderr, "bench_eval: cannot read the cases in %s\n", dir);
		return 2;
	}
	if (!summary_only) {
		print_presidio(&r);
		print_gitleaks(&r, verbose != NULL);
		print_idn_urls(&r);
	}
	print_summary(dir, &r);
	return 0;
}
