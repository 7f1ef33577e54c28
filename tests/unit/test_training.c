/*
 * core/training: module statuses, the required set, assignments,
 * completions and the gate on disclosure, through the real store with
 * injected times (ASVS 8.3.1 enforced server-side, 16.5.3 fail closed: a
 * configured module that does not exist counts as missing; 16.3.1,
 * 16.3.2: every assignment, completion and refusal audited). Module
 * files (ASVS 2.2.1 allow-list validation naming file and line or field;
 * 1.3.1 sanitised HTML: cmark's safe mode, links only https:, mailto: or
 * relative, no images from elsewhere); quiz scoring never trusts the
 * answers' shape; attempts limited per hour (ASVS 2.4.1 anti-automation).
 * The gate refuses a staff member whose
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

static const char good_md[] =
	"---\ntitle: T\npass_mark: 50\nrequired: yes\norder: 5\n---\n"
	"# Hi\n\nSee [the guide](https://example.com/g), [us](mailto:a@b.c)"
	" and [more](more.html).\n\n<script>alert(1)</script>\n";
static const char good_quiz[] =
	"{\"questions\": [{\"id\": \"q1\", \"text\": \"?\", \"kind\": "
	"\"single\", \"options\": [\"a\", \"b\"], \"correct\": [1]}, "
	"{\"id\": \"q2\", \"text\": \"?\", \"kind\": \"multiple\", "
	"\"options\": [\"a\", \"b\", \"c\"], \"correct\": [0, 2]}]}";

/* Parses module "m" from md and quiz; the result, err in err. */
static int
parse(const char *md, const char *quiz, char *err, size_t errsz)
{
	struct training_module m;
	int rc = training_module_parse("m", md, strlen(md), quiz,
				       quiz != NULL ? strlen(quiz) : 0, &m,
				       err, errsz);

	training_module_clear(&m);
	return rc;
}

static void
expect_bad(const char *md, const char *quiz, const char *needle)
{
	char err[512] = "";

	assert_int_equal(parse(md, quiz, err, sizeof(err)), -GH_BAD_MODULE);
	if (strstr(err, needle) == NULL)
		fail_msg("\"%s\" does not name \"%s\"", err, needle);
}

static void
test_module_parse(void **state)
{
	struct training_module m;
	char err[512] = "";
	json_t *pub, *ans;
	int64_t score = -1;

	(void)state;
	assert_int_equal(training_module_parse("m", good_md, strlen(good_md),
					       good_quiz, strlen(good_quiz), &m,
					       err, sizeof(err)),
			 0);
	assert_string_equal(m.title, "T");
	assert_int_equal(m.pass_mark, 50);
	assert_int_equal(m.position, 5);
	assert_int_equal(m.required, 1);
	assert_non_null(strstr(m.html, "href=\"https://example.com/g\""));
	assert_non_null(strstr(m.html, "href=\"more.html\""));
	/* Raw HTML is omitted (cmark's safe mode). */
	assert_null(strstr(m.html, "<script"));
	/* The copy staff see has no answers. */
	pub = training_quiz_public(m.quiz);
	assert_int_equal(json_array_size(pub), 2);
	assert_null(json_object_get(json_array_get(pub, 0), "correct"));
	json_decref(pub);
	ans = json_pack("{s:[i], s:[i,i]}", "q1", 1, "q2", 2, 0);
	assert_int_equal(training_quiz_score(m.quiz, ans, &score), 0);
	assert_int_equal(score, 100);
	json_decref(ans);
	ans = json_pack("{s:[i], s:[i]}", "q1", 1, "q2", 0);
	assert_int_equal(training_quiz_score(m.quiz, ans, &score), 0);
	assert_int_equal(score, 50);
	json_decref(ans);
	/* Malformed answers: a missing or unknown question, an index out of
	 * range, twice the same index, not an array. */
	ans = json_pack("{s:[i]}", "q1", 1);
	assert_int_equal(training_quiz_score(m.quiz, ans, &score),
			 -GH_BAD_FIELD);
	json_decref(ans);
	ans = json_pack("{s:[i], s:[i]}", "q1", 1, "zz", 0);
	assert_int_equal(training_quiz_score(m.quiz, ans, &score),
			 -GH_BAD_FIELD);
	json_decref(ans);
	ans = json_pack("{s:[i], s:[i]}", "q1", 5, "q2", 0);
	assert_int_equal(training_quiz_score(m.quiz, ans, &score),
			 -GH_BAD_FIELD);
	json_decref(ans);
	ans = json_pack("{s:[i], s:[i,i]}", "q1", 1, "q2", 0, 0);
	assert_int_equal(training_quiz_score(m.quiz, ans, &score),
			 -GH_BAD_FIELD);
	json_decref(ans);
	ans = json_pack("{s:i, s:[i]}", "q1", 1, "q2", 0);
	assert_int_equal(training_quiz_score(m.quiz, ans, &score),
			 -GH_BAD_FIELD);
	json_decref(ans);
	training_module_clear(&m);
}

static void
test_module_refused(void **state)
{
	(void)state;
	expect_bad("# no front matter\n", good_quiz, "m.md: line 1");
	expect_bad("---\ntitle: T\npass_mark: 101\nrequired: yes\n---\n",
		   good_quiz, "m.md: line 3: pass_mark");
	expect_bad("---\ntitle: T\npass_mark: 80\nrequired: maybe\n---\n",
		   good_quiz, "line 4: required");
	expect_bad("---\ntitle: T\nrequired: yes\n---\n", good_quiz,
		   "pass_mark");
	expect_bad("---\ntitle: T\npass_mark: 80\nrequired: yes\n---\n"
		   "\n\n[x](http://plain.example/)\n",
		   good_quiz, "m.md: line 8: a link");
	expect_bad("---\ntitle: T\npass_mark: 80\nrequired: yes\n---\n"
		   "[x](javascript:alert(1))\n",
		   good_quiz, "a link");
	expect_bad("---\ntitle: T\npass_mark: 80\nrequired: yes\n---\n"
		   "![x](https://tracker.example/p.png)\n",
		   good_quiz, "an image");
	expect_bad("---\ntitle: T\npass_mark: 80\nrequired: yes\n---\n"
		   "![x](//tracker.example/p.png)\n",
		   good_quiz, "an image");
	expect_bad(good_md, NULL, "m.quiz.json: missing");
	expect_bad(good_md, "{\"questions\": [", "m.quiz.json: line");
	expect_bad(good_md, "{\"questions\": []}", "m.quiz.json: questions");
	expect_bad(good_md,
		   "{\"questions\": [{\"id\": \"q1\", \"text\": \"?\", "
		   "\"kind\": \"single\", \"options\": [\"a\", \"b\"], "
		   "\"correct\": [0, 1]}]}",
		   "questions[0].correct");
	expect_bad(good_md,
		   "{\"questions\": [{\"id\": \"q1\", \"text\": \"?\", "
		   "\"kind\": \"single\", \"options\": [\"a\", \"b\"], "
		   "\"correct\": [2]}]}",
		   "questions[0].correct");
	expect_bad(good_md,
		   "{\"questions\": [{\"id\": \"q1\", \"text\": \"?\", "
		   "\"kind\": \"other\", \"options\": [\"a\", \"b\"], "
		   "\"correct\": [0]}]}",
		   "questions[0].kind");
}

static void
test_import(void **state)
{
	struct fx *f = *state;
	struct training_module_list l = {NULL, 0};
	struct training_file bad_set[] = {
		{"a.md", good_md, strlen(good_md)},
		{"a.quiz.json", good_quiz, strlen(good_quiz)},
		{"b.md", good_md, strlen(good_md)},
		{"b.quiz.json", "{}", 2},
	};
	struct training_file lone[] = {
		{"a.md", good_md, strlen(good_md)},
	};
	char err[512];
	size_t n = 0;
	int64_t a0 = 0, a1 = 0;

	assert_int_equal(training_import_starter(&f->app, f->c, "cli:test", T0,
						 err, sizeof(err), &n),
			 0);
	assert_int_equal(n, 7);
	assert_int_equal(f->c->ops->training.module_list(f->c, &l), 0);
	assert_int_equal(l.n, 7);
	assert_string_equal(l.v[0].id, "no-bending-rules");
	assert_string_equal(l.v[6].id, "phishing-remedial");
	assert_false(l.v[6].required);
	training_module_list_clear(&l);
	assert_int_equal(count_audit(f, "training.imported", "success"), 1);
	/* All or nothing: a bad second module stores neither. */
	assert_int_equal(f->c->ops->audit_count(f->c, &a0), 0);
	assert_int_equal(training_import(&f->app, f->c, "cli:test", bad_set, 4,
					 T0, err, sizeof(err), &n),
			 -GH_BAD_MODULE);
	assert_non_null(strstr(err, "b.quiz.json"));
	assert_int_equal(training_import(&f->app, f->c, "cli:test", lone, 1,
					 T0, err, sizeof(err), &n),
			 -GH_BAD_MODULE);
	assert_non_null(strstr(err, "a.quiz.json: missing"));
	assert_int_equal(f->c->ops->training.module_list(f->c, &l), 0);
	assert_int_equal(l.n, 7);
	training_module_list_clear(&l);
	assert_int_equal(f->c->ops->audit_count(f->c, &a1), 0);
	assert_int_equal(a1, a0);
}

static void
test_attempt(void **state)
{
	struct fx *f = *state;
	struct training_file set[] = {
		{"m.md", good_md, strlen(good_md)},
		{"m.quiz.json", good_quiz, strlen(good_quiz)},
	};
	struct training_result r;
	char err[512], got[512];
	size_t n = 0;
	json_t *wrong = json_pack("{s:[i], s:[i]}", "q1", 0, "q2", 0);
	json_t *right = json_pack("{s:[i], s:[i,i]}", "q1", 1, "q2", 2, 0);
	json_t *junk = json_pack("{s:[i]}", "q1", 0);

	assert_int_equal(training_import(&f->app, f->c, "cli:test", set, 2, T0,
					 err, sizeof(err), &n),
			 0);
	assert_int_equal(training_attempt(&f->app, f->c, &f->a1, "m", junk, T0,
					  &r),
			 -GH_BAD_FIELD);
	assert_int_equal(count_audit(f, "training.attempt", NULL), 0);
	assert_int_equal(training_attempt(&f->app, f->c, &f->a1, "nope", right,
					  T0, &r),
			 -GH_UNKNOWN_MODULE);
	assert_int_equal(training_attempt(&f->app, f->c, &f->a1, "m", wrong, T0,
					  &r),
			 0);
	assert_int_equal(r.score, 0);
	assert_false(r.passed);
	assert_int_equal(gate(f, f->agent1, T0, got, sizeof(got)),
			 -GH_TRAINING_REQUIRED);
	assert_int_equal(training_attempt(&f->app, f->c, &f->a1, "m", right,
					  T0 + 1, &r),
			 0);
	assert_true(r.passed);
	assert_int_equal(r.expires_at, training_add_months(T0 + 1, 12));
	assert_int_equal(gate(f, f->agent1, T0 + 2, got, sizeof(got)), 0);
	assert_int_equal(count_audit(f, "training.attempt", "failure"), 1);
	assert_int_equal(count_audit(f, "training.attempt", "success"), 1);
	/* TRAINING_ATTEMPTS_PER_HOUR in an hour, then refused (audited). */
	for (int i = 2; i < TRAINING_ATTEMPTS_PER_HOUR; i++)
		assert_int_equal(training_attempt(&f->app, f->c, &f->a1, "m",
						  wrong, T0 + 10 + i, &r),
				 0);
	assert_int_equal(training_attempt(&f->app, f->c, &f->a1, "m", right,
					  T0 + 100, &r),
			 -GH_RATE_LIMITED);
	assert_int_equal(count_audit(f, "training.attempt", "denied"), 1);
	/* An hour after the first attempts, room again. */
	assert_int_equal(training_attempt(&f->app, f->c, &f->a1, "m", right,
					  T0 + TRAINING_ATTEMPT_WINDOW + 1, &r),
			 0);
	json_decref(wrong);
	json_decref(right);
	json_decref(junk);
}

/* [training] required: "all" or module ids; never empty or malformed
 * (configuration cannot switch the gate off). */
static void
test_config_required(void **state)
{
	static const char *const good[] = {"all", "no-bending-rules",
					   "a, b-2,c"};
	static const char *const bad[] = {"", " , ", "All", "x_y", "-x",
					  "a;b", "none!"};
	struct config cfg;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		config_defaults(&cfg, "/tmp");
		snprintf(cfg.training_required, sizeof(cfg.training_required),
			 "%s", good[i]);
		assert_int_equal(config_validate(&cfg, err, sizeof(err)), 0);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		config_defaults(&cfg, "/tmp");
		snprintf(cfg.training_required, sizeof(cfg.training_required),
			 "%s", bad[i]);
		assert_int_equal(config_validate(&cfg, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "[training] required"));
	}
	config_defaults(&cfg, "/tmp");
	assert_string_equal(cfg.training_required, "all");
	assert_int_equal(cfg.training_validity_months, 12);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_months),
		cmocka_unit_test(test_config_required),
		cmocka_unit_test(test_module_parse),
		cmocka_unit_test(test_module_refused),
		cmocka_unit_test_setup_teardown(test_import, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attempt, setup, teardown),
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
