/*
 * core/training: module statuses, the required set, assignments,
 * completions and the gate on disclosure, through the real store with
 * injected times (ASVS 1.14.x / V15 [15.1.x]: documented security
 * training whose lapse is enforced; V16.2.x [7.2.x]: every assignment,
 * completion and refusal audited). The gate refuses a staff member whose
 * required module is missing, expired or assigned, lists exactly those
 * modules, and lets them through once each is passed; an assignment is
 * idempotent while open and is cleared only by a completion at or after
 * it; bad input writes nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/app.h"
#include "core/dlp/dlp.h"
#include "core/training.h"
#include "crypto/crypto.h"
#include "store/store.h"
#include "util/errors.h"

#include "ticket_fixture.h"

/* 2026-03-01 00:00:00 UTC */
#define T0 1772323200

static int
setup(void **state)
{
	return fx_setup(state, "/tmp/gh-test-training-XXXXXX");
}

static void
put_module(struct fx *f, const char *id, const char *title, int required,
	   int64_t months, int64_t pos)
{
	struct training_module m;

	memset(&m, 0, sizeof(m));
	snprintf(m.id, sizeof(m.id), "%s", id);
	snprintf(m.title, sizeof(m.title), "%s", title);
	m.pass_mark = 80;
	m.validity_months = months;
	m.required = required;
	m.position = pos;
	m.markdown = (char *)"# x";
	m.html = (char *)"<h1>x</h1>";
	m.quiz = (char *)"{\"questions\": []}";
	snprintf(m.updated_by, sizeof(m.updated_by), "test");
	m.updated_at = T0;
	assert_int_equal(f->c->ops->training.module_put(f->c, &m), 0);
}

static void
three_modules(struct fx *f)
{
	put_module(f, "no-bending-rules", "No bending", 1, 0, 1);
	put_module(f, "verify-before-disclosure", "Verify first", 1, 6, 2);
	put_module(f, "phishing-remedial", "You clicked", 0, 0, 3);
}

static int
count_audit(struct fx *f, const char *action, const char *outcome)
{
	int64_t n = 0;
	int found = 0;

	assert_int_equal(f->c->ops->audit_count(f->c, &n), 0);
	for (int64_t i = 1; i <= n; i++) {
		char *rec = NULL;
		unsigned char leaf[32];
		json_t *j;

		assert_int_equal(f->c->ops->audit_get(f->c, i, &rec, leaf), 0);
		j = json_loads(rec, 0, NULL);
		assert_non_null(j);
		if (strcmp(json_string_value(json_object_get(j, "action")),
			   action) == 0 &&
		    (outcome == NULL ||
		     strcmp(json_string_value(json_object_get(j, "outcome")),
			    outcome) == 0))
			found++;
		json_decref(j);
		free(rec);
	}
	return found;
}

/* The gate at now for staff id: its result, and the ids and statuses it
 * lists joined as "id=status,..." into out. */
static int
gate(struct fx *f, int64_t id, int64_t now, char *out, size_t outsz)
{
	json_t *missing = NULL, *m;
	size_t i;
	int rc = training_gate(&f->app, f->c, id, now, &missing);

	out[0] = '\0';
	json_array_foreach(missing, i, m) {
		size_t len = strlen(out);

		snprintf(out + len, outsz - len, "%s%s=%s", i > 0 ? "," : "",
			 json_string_value(json_object_get(m, "id")),
			 json_string_value(json_object_get(m, "status")));
		assert_non_null(json_object_get(m, "title"));
	}
	json_decref(missing);
	return rc;
}

static void
test_no_modules_no_gate(void **state)
{
	struct fx *f = *state;
	char got[512];

	/* Nothing imported: nothing is required. */
	assert_int_equal(gate(f, f->agent1, T0, got, sizeof(got)), 0);
	assert_string_equal(got, "");
}

static void
test_missing_then_current(void **state)
{
	struct fx *f = *state;
	char got[512];
	int64_t exp = 0;

	three_modules(f);
	assert_int_equal(gate(f, f->agent1, T0, got, sizeof(got)),
			 -GH_TRAINING_REQUIRED);
	/* The optional module is not listed. */
	assert_string_equal(got, "no-bending-rules=missing,"
				 "verify-before-disclosure=missing");
	assert_int_equal(training_record(&f->app, f->c, "cli:test", f->agent1,
					 "no-bending-rules", "external", T0,
					 T0, &exp),
			 0);
	/* 12 months by default; 2027-03-01. */
	assert_int_equal(exp, 1803859200);
	assert_int_equal(gate(f, f->agent1, T0, got, sizeof(got)),
			 -GH_TRAINING_REQUIRED);
	assert_string_equal(got, "verify-before-disclosure=missing");
	assert_int_equal(training_record(&f->app, f->c, "cli:test", f->agent1,
					 "verify-before-disclosure", "quiz", T0,
					 T0, &exp),
			 0);
	/* The module's own 6 months: 2026-09-01. */
	assert_int_equal(exp, 1788220800);
	assert_int_equal(gate(f, f->agent1, T0 + 1, got, sizeof(got)), 0);
	/* Another agent is still refused. */
	assert_int_equal(gate(f, f->agent2, T0, got, sizeof(got)),
			 -GH_TRAINING_REQUIRED);
	assert_int_equal(count_audit(f, "training.completed", "success"), 2);
}

static void
test_expiry(void **state)
{
	struct fx *f = *state;
	char got[512];
	int64_t exp = 0;

	three_modules(f);
	assert_int_equal(training_record(&f->app, f->c, "cli:test", f->agent1,
					 NULL, "external", T0, T0, &exp),
			 0);
	assert_int_equal(count_audit(f, "training.completed", NULL), 3);
	/* verify-before-disclosure lasts 6 months: current one second
	 * before its expiry, expired at it. */
	assert_int_equal(gate(f, f->agent1, 1788220800 - 1, got, sizeof(got)),
			 0);
	assert_int_equal(gate(f, f->agent1, 1788220800, got, sizeof(got)),
			 -GH_TRAINING_REQUIRED);
	assert_string_equal(got, "verify-before-disclosure=expired");
	/* Two years on, both required modules have expired. */
	assert_int_equal(gate(f, f->agent1, T0 + 2 * 366 * 86400, got,
			      sizeof(got)),
			 -GH_TRAINING_REQUIRED);
	assert_string_equal(got, "no-bending-rules=expired,"
				 "verify-before-disclosure=expired");
	/* A completion recorded two years ago is expired now. */
	assert_int_equal(training_record(&f->app, f->c, "cli:test", f->agent2,
					 NULL, "external",
					 T0 - 2 * 366 * 86400, T0, &exp),
			 0);
	assert_true(exp < T0);
	assert_int_equal(gate(f, f->agent2, T0, got, sizeof(got)),
			 -GH_TRAINING_REQUIRED);
	assert_string_equal(got, "no-bending-rules=expired,"
				 "verify-before-disclosure=expired");
}

static void
test_assign(void **state)
{
	struct fx *f = *state;
	char got[512];

	three_modules(f);
	assert_int_equal(training_record(&f->app, f->c, "cli:test", f->agent1,
					 NULL, "external", T0, T0, NULL),
			 0);
	assert_int_equal(gate(f, f->agent1, T0 + 10, got, sizeof(got)), 0);
	assert_int_equal(training_assign(&f->app, f->c, f->agent1,
					 "phishing-remedial", "drill_click",
					 T0 + 100),
			 0);
	assert_int_equal(gate(f, f->agent1, T0 + 200, got, sizeof(got)),
			 -GH_TRAINING_REQUIRED);
	/* Assigned even though it was passed before the assignment. */
	assert_string_equal(got, "phishing-remedial=assigned");
	/* Idempotent while open: no second record. */
	assert_int_equal(training_assign(&f->app, f->c, f->agent1,
					 "phishing-remedial", "drill_click",
					 T0 + 150),
			 0);
	assert_int_equal(count_audit(f, "training.assigned", "success"), 1);
	/* A completion dated before the assignment does not clear it. */
	assert_int_equal(training_record(&f->app, f->c, "cli:test", f->agent1,
					 "phishing-remedial", "external",
					 T0 + 50, T0 + 300, NULL),
			 0);
	assert_int_equal(gate(f, f->agent1, T0 + 300, got, sizeof(got)),
			 -GH_TRAINING_REQUIRED);
	assert_int_equal(training_record(&f->app, f->c, "staff:1", f->agent1,
					 "phishing-remedial", "quiz", T0 + 400,
					 T0 + 400, NULL),
			 0);
	assert_int_equal(gate(f, f->agent1, T0 + 401, got, sizeof(got)), 0);
	/* Once cleared, a new assignment opens (and is recorded) again. */
	assert_int_equal(training_assign(&f->app, f->c, f->agent1,
					 "phishing-remedial", "drill_click",
					 T0 + 500),
			 0);
	assert_int_equal(count_audit(f, "training.assigned", "success"), 2);
	assert_int_equal(gate(f, f->agent1, T0 + 501, got, sizeof(got)),
			 -GH_TRAINING_REQUIRED);
}

static void
test_configured_set(void **state)
{
	struct fx *f = *state;
	char got[512];

	three_modules(f);
	snprintf(f->app.cfg.training_required,
		 sizeof(f->app.cfg.training_required),
		 "phishing-remedial, no-such-module");
	assert_int_equal(gate(f, f->agent1, T0, got, sizeof(got)),
			 -GH_TRAINING_REQUIRED);
	/* Only the listed ones; an unknown id fails closed. */
	assert_string_equal(got, "phishing-remedial=missing,"
				 "no-such-module=missing");
	snprintf(f->app.cfg.training_required,
		 sizeof(f->app.cfg.training_required), "phishing-remedial");
	assert_int_equal(training_record(&f->app, f->c, "cli:test", f->agent1,
					 "phishing-remedial", "external", T0,
					 T0, NULL),
			 0);
	assert_int_equal(gate(f, f->agent1, T0, got, sizeof(got)), 0);
}

static void
test_bad_input(void **state)
{
	struct fx *f = *state;
	int64_t n0 = 0, n1 = 0;

	three_modules(f);
	assert_int_equal(f->c->ops->audit_count(f->c, &n0), 0);
	assert_int_equal(training_assign(&f->app, f->c, f->agent1,
					 "no-such-module", "drill_click", T0),
			 -GH_UNKNOWN_MODULE);
	assert_int_equal(training_assign(&f->app, f->c, f->agent1,
					 "../etc", "drill_click", T0),
			 -GH_UNKNOWN_MODULE);
	assert_int_equal(training_assign(&f->app, f->c, f->agent1,
					 "phishing-remedial", "Bad Reason", T0),
			 -GH_BAD_FIELD);
	assert_int_equal(training_assign(&f->app, f->c, 9999,
					 "phishing-remedial", "drill_click", T0),
			 -GH_NOT_FOUND);
	assert_int_equal(training_record(&f->app, f->c, "cli:test", f->agent1,
					 "no-bending-rules", "external",
					 T0 + 2 * 86400, T0, NULL),
			 -GH_BAD_FIELD);
	assert_int_equal(training_record(&f->app, f->c, "cli:test", f->agent1,
					 "nope", "external", T0, T0, NULL),
			 -GH_UNKNOWN_MODULE);
	assert_int_equal(training_record(&f->app, f->c, "cli:test", 9999, NULL,
					 "external", T0, T0, NULL),
			 -GH_NOT_FOUND);
	assert_int_equal(f->c->ops->audit_count(f->c, &n1), 0);
	assert_int_equal(n1, n0);
}

static void
test_gate_check_audited(void **state)
{
	struct fx *f = *state;

	three_modules(f);
	assert_int_equal(training_gate_check(&f->app, f->c, &f->a1,
					     "verification.start", T0),
			 -GH_TRAINING_REQUIRED);
	assert_int_equal(count_audit(f, "training.gate", "denied"), 1);
	assert_int_equal(training_record(&f->app, f->c, "cli:test", f->agent1,
					 NULL, "external", T0, T0, NULL),
			 0);
	assert_int_equal(training_gate_check(&f->app, f->c, &f->a1,
					     "verification.start", T0),
			 0);
	assert_int_equal(count_audit(f, "training.gate", NULL), 1);
}

static void
test_add_months(void **state)
{
	(void)state;
	/* 2024-01-31 + 1 month: 2024-02-29 (leap), + 13: 2025-02-28. */
	assert_int_equal(training_add_months(1706659200, 1), 1709164800);
	assert_int_equal(training_add_months(1706659200, 13), 1740700800);
	assert_int_equal(training_add_months(T0, 12), 1803859200);
	assert_true(training_id_valid("phishing-remedial"));
	assert_false(training_id_valid("-x"));
	assert_false(training_id_valid("A"));
	assert_false(training_id_valid(""));
	assert_false(training_id_valid("a/b"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_months),
		cmocka_unit_test_setup_teardown(test_no_modules_no_gate, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_missing_then_current,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_expiry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_assign, setup, teardown),
		cmocka_unit_test_setup_teardown(test_configured_set, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_input, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_gate_check_audited, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
