/*
 * The dev-set evaluation (bench/evallib.c) as a test with floor
 * thresholds, a little under what the engines reach (see
 * docs/detection.md). The cases live outside the repository, in
 * $GH_SOURCE_ROOT/../shared/eval/dev/; when that directory is absent the
 * test says so and is skipped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "../../bench/evallib.c"

static char dir[4096];

static double
entity(const struct eval_result *r, const char *name)
{
	for (size_t i = 0; i < r->n_ent; i++)
		if (strcmp(r->ent[i].entity, name) == 0)
			return eval_ratio(r->ent[i].agree, r->ent[i].cases);
	return 0.0;
}

/* Span precision (what == 'p') or recall ('r') of an entity. */
static double
span(const struct eval_result *r, const char *name, char what)
{
	for (size_t i = 0; i < r->n_ent; i++) {
		const struct eval_entity *x = &r->ent[i];

		if (strcmp(x->entity, name) != 0)
			continue;
		return what == 'p' ? eval_ratio(x->tp, x->tp + x->fp) :
				     eval_ratio(x->tp, x->tp + x->fn);
	}
	return 0.0;
}

static void
test_floors(void **state)
{
	struct eval_result r;
	struct stat st;

	(void)state;
	if (stat(dir, &st) != 0) {
		printf("note: %s is absent; the evaluation is skipped\n", dir);
		skip();
	}
	assert_int_equal(eval_run(dir, &r, NULL), 0);
	/* Presidio: cards and IBANs at 99%+, the others close. */
	assert_true(entity(&r, "credit_card") >= 0.99);
	assert_true(entity(&r, "iban") >= 0.99);
	assert_true(entity(&r, "us_ssn") >= 0.95);
	assert_true(entity(&r, "uk_nino") >= 0.95);
	assert_true(entity(&r, "aba_routing") >= 0.95);
	assert_true(entity(&r, "email") >= 0.95);
	assert_true(entity(&r, "phone") >= 0.80);
	/* Span precision and recall; no card, IBAN or NINO found on the
	 * cases of Presidio's other entities. */
	for (size_t i = 0; i < r.n_ent; i++) {
		const char *n = r.ent[i].entity;
		double floor = strcmp(n, "phone") == 0 ? 0.90 : 0.99;

		assert_true(span(&r, n, 'p') >= floor);
		assert_true(span(&r, n, 'r') >= floor);
		if (strcmp(n, "credit_card") == 0 || strcmp(n, "iban") == 0 ||
		    strcmp(n, "uk_nino") == 0)
			assert_int_equal(r.ent[i].fp_other, 0);
	}
	/* gitleaks: recall on complete examples, false hits on negatives. */
	assert_true(r.tp_complete >= 120);
	assert_true(eval_ratio(r.tp_named_complete, r.tp_complete) >= 0.97);
	assert_true(eval_ratio(r.tp_any_complete, r.tp_complete) >= 0.97);
	assert_true(eval_ratio(r.fp_named, r.fp_total) <= 0.02);
	assert_true(eval_ratio(r.fp_any, r.fp_total) < 0.05);
	/* Per rule: no rule fires on its own negatives. */
	assert_true(r.n_rule >= 70);
	for (size_t i = 0; i < r.n_rule; i++)
		assert_int_equal(r.rule[i].fp, 0);
	/* Chromium's IDN table, well above "every punycode host". */
	assert_true(r.idn_total >= 200);
	assert_true(eval_ratio(r.idn_agree, r.idn_total) >= 0.97);
	assert_true(eval_ratio(r.idn_agree, r.idn_total) >
		    eval_ratio(r.idn_puny_agree, r.idn_total));
	/* Phishing URLs at <= 1% false positives. */
	assert_true(r.url_fpr <= 0.01);
	assert_true(r.url_detect >= 0.18);
	/* The summary of `make eval`: the same IDN cases through the built-in
	 * top-domain list, every URL judged at the analyser's own verdicts
	 * ("dangerous" is a subset of "warning or worse"). */
	assert_true(r.idn_agree_default <= r.idn_total);
	assert_true(r.url_alarm_phish[1] <= r.url_alarm_phish[0]);
	assert_true(r.url_alarm_legit[1] <= r.url_alarm_legit[0]);
	/* With the link model (trained on these very rows, so in-sample;
	 * 0.06% when written) the analyser's warnings stay within the 2%
	 * its threshold was chosen for on the cross-validated whole
	 * verdict (tools/train_url_model.py, make model-check). */
	assert_true(r.url_alarm_legit[0] * 1000 <= r.url_legit * 20);
	/* And the model raises detection well above the rules' 20%. */
	assert_true(r.url_alarm_phish[0] * 2 >= r.url_phish);
}

int
main(void)
{
	const char *root = getenv("GH_SOURCE_ROOT");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_floors),
	};

	snprintf(dir, sizeof(dir), "%s/../shared/eval/dev",
		 root != NULL ? root : ".");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
