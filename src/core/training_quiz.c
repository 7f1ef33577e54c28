/*
 * Training quizzes (see core/training.h): checking a quiz file, the copy
 * staff see (without the answers), scoring an attempt, and the attempt
 * itself: limited per staff member and module, recorded with its score,
 * audited, and a pass recorded as a completion, all in one transaction.
 *
 * Invariant: the correct answers leave this file only as a score; a
 * malformed answer set is refused before anything is written.
 */
#include "core/training.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "util/errors.h"
#include "util/utf8.h"

static int bad(char *err, size_t errsz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
bad(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
	return -GH_BAD_MODULE;
}

static int
text_ok(json_t *v, size_t max)
{
	const char *s = json_string_value(v);

	return s != NULL && s[0] != '\0' && strlen(s) <= max &&
	       utf8_check(s, strlen(s), 0) >= 0;
}

static int
qid_ok(const char *s)
{
	size_t n = s == NULL ? 0 : strlen(s);

	if (n < 1 || n > TRAINING_QID_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		      s[i] == '_'))
			return 0;
	return 1;
}

/* 0 when set is an array of distinct option indexes below nopt (at least
 * one); -1 otherwise. */
static int
index_set(json_t *set, size_t nopt)
{
	unsigned seen = 0;
	size_t i;
	json_t *v;

	if (!json_is_array(set) || json_array_size(set) < 1 ||
	    json_array_size(set) > nopt)
		return -1;
	json_array_foreach(set, i, v) {
		json_int_t k = json_integer_value(v);

		if (!json_is_integer(v) || k < 0 || (size_t)k >= nopt ||
		    (seen & (1u << k)) != 0)
			return -1;
		seen |= 1u << k;
	}
	return 0;
}

/* One question q (index i) of file. */
static int
question_check(json_t *q, size_t i, const char *file, char *err,
	       size_t errsz)
{
	json_t *opts = json_object_get(q, "options");
	json_t *corr = json_object_get(q, "correct");
	const char *kind = json_string_value(json_object_get(q, "kind"));
	size_t j;
	json_t *o;

	if (!json_is_object(q) || json_object_size(q) != 5)
		return bad(err, errsz, "%s: questions[%zu]: must have exactly "
			   "id, text, kind, options, correct", file, i);
	if (!qid_ok(json_string_value(json_object_get(q, "id"))))
		return bad(err, errsz, "%s: questions[%zu].id: 1 to %d of "
			   "a-z, 0-9, - and _", file, i, TRAINING_QID_MAX);
	if (!text_ok(json_object_get(q, "text"), TRAINING_TEXT_MAX))
		return bad(err, errsz, "%s: questions[%zu].text: 1 to %d bytes",
			   file, i, TRAINING_TEXT_MAX);
	if (kind == NULL ||
	    (strcmp(kind, "single") != 0 && strcmp(kind, "multiple") != 0))
		return bad(err, errsz, "%s: questions[%zu].kind: single or "
			   "multiple", file, i);
	if (!json_is_array(opts) || json_array_size(opts) < 2 ||
	    json_array_size(opts) > TRAINING_OPTIONS_MAX)
		return bad(err, errsz, "%s: questions[%zu].options: 2 to %d",
			   file, i, TRAINING_OPTIONS_MAX);
	json_array_foreach(opts, j, o)
		if (!text_ok(o, TRAINING_TEXT_MAX))
			return bad(err, errsz, "%s: questions[%zu].options[%zu]:"
				   " 1 to %d bytes", file, i, j,
				   TRAINING_TEXT_MAX);
	if (index_set(corr, json_array_size(opts)) < 0 ||
	    (strcmp(kind, "single") == 0 && json_array_size(corr) != 1))
		return bad(err, errsz, "%s: questions[%zu].correct: distinct "
			   "option indexes (exactly one for single)", file, i);
	return 0;
}

/* The questions of root, with unique ids. */
static int
questions_check(json_t *root, const char *file, char *err, size_t errsz)
{
	json_t *qs = json_object_get(root, "questions");
	size_t i;
	json_t *q;
	int rc;

	if (!json_is_object(root) || json_object_size(root) != 1 ||
	    !json_is_array(qs) || json_array_size(qs) < 1 ||
	    json_array_size(qs) > TRAINING_QUESTIONS_MAX)
		return bad(err, errsz, "%s: questions: an object with only "
			   "\"questions\", 1 to %d of them", file,
			   TRAINING_QUESTIONS_MAX);
	json_array_foreach(qs, i, q) {
		rc = question_check(q, i, file, err, errsz);
		if (rc < 0)
			return rc;
		for (size_t k = 0; k < i; k++)
			if (json_equal(json_object_get(q, "id"),
				       json_object_get(json_array_get(qs, k),
						       "id")))
				return bad(err, errsz, "%s: questions[%zu].id: "
					   "used twice", file, i);
	}
	return 0;
}

int
training_quiz_parse(const char *id, const char *text, size_t len,
		    char **out, char *err, size_t errsz)
{
	char file[TRAINING_ID_MAX + 16];
	json_error_t je;
	json_t *root;
	int rc;

	*out = NULL;
	snprintf(file, sizeof(file), "%s.quiz.json", id);
	if (text == NULL)
		return bad(err, errsz, "%s: missing", file);
	if (len > TRAINING_QUIZ_MAX)
		return bad(err, errsz, "%s: larger than %d bytes", file,
			   TRAINING_QUIZ_MAX);
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL)
		return bad(err, errsz, "%s: line %d: %s", file, je.line,
			   je.text);
	rc = questions_check(root, file, err, errsz);
	if (rc == 0) {
		*out = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
		if (*out == NULL)
			rc = -GH_INTERNAL;
	}
	json_decref(root);
	return rc;
}

json_t *
training_quiz_public(const char *quiz)
{
	json_t *root = json_loads(quiz, 0, NULL);
	json_t *qs = json_object_get(root, "questions");
	json_t *out = json_array();
	size_t i;
	json_t *q;

	json_array_foreach(qs, i, q)
		json_array_append_new(
			out, json_pack("{s:O, s:O, s:O, s:O}", "id",
				       json_object_get(q, "id"), "text",
				       json_object_get(q, "text"), "kind",
				       json_object_get(q, "kind"), "options",
				       json_object_get(q, "options")));
	json_decref(root);
	return out;
}

/* 1 when the answer set a (indexes, any order) equals the set want. */
static int
same_set(json_t *a, json_t *want)
{
	size_t i;
	json_t *v;
	unsigned got = 0, need = 0;

	json_array_foreach(a, i, v)
		got |= 1u << json_integer_value(v);
	json_array_foreach(want, i, v)
		need |= 1u << json_integer_value(v);
	return got == need;
}

int
training_quiz_score(const char *quiz, json_t *answers, int64_t *score)
{
	json_t *root = json_loads(quiz, 0, NULL);
	json_t *qs = json_object_get(root, "questions");
	size_t i, right = 0, n = json_array_size(qs);
	const char *k;
	json_t *q, *v;
	int rc = 0;

	*score = 0;
	if (root == NULL || n == 0)
		rc = -GH_INTERNAL;
	/* Every key names a question, every question is answered. */
	if (rc == 0 && (!json_is_object(answers) ||
			json_object_size(answers) != n))
		rc = -GH_BAD_FIELD;
	json_array_foreach(qs, i, q) {
		size_t nopt = json_array_size(json_object_get(q, "options"));

		if (rc < 0)
			break;
		v = json_object_get(answers,
				    json_string_value(json_object_get(q, "id")));
		if (v == NULL || index_set(v, nopt) < 0)
			rc = -GH_BAD_FIELD;
		else if (same_set(v, json_object_get(q, "correct")))
			right++;
	}
	json_object_foreach(answers, k, v)
		if (rc == 0 && !qid_ok(k))
			rc = -GH_BAD_FIELD;
	if (rc == 0)
		*score = (int64_t)(right * 100 / n);
	json_decref(root);
	return rc;
}

/* --- attempts ------------------------------------------------------------ */

struct attempt_ctx {
	struct app *app;
	const struct tk_actor *a;
	const char *module_id;
	json_t *answers;
	int64_t now;
	struct training_result *out;
	int refused;
};

/* Records the attempt and its audit record; a pass becomes a
 * completion. */
static int
attempt_write(struct store_conn *c, struct attempt_ctx *x,
	      const struct training_module *m)
{
	struct training_result *r = x->out;
	char by[48];
	int rc;

	rc = c->ops->training.attempt_insert(c, x->a->id, m->id, r->score,
					     r->passed, x->now, NULL);
	if (rc == 0)
		rc = actor_audit(x->app, c, x->a, "training.attempt", "staff",
				 x->a->id, r->passed ? "success" : "failure",
				 json_pack("{s:s, s:I, s:I, s:b}", "module",
					   m->id, "score", (json_int_t)r->score,
					   "pass_mark",
					   (json_int_t)m->pass_mark, "passed",
					   r->passed));
	if (rc < 0 || !r->passed)
		return rc;
	actor_label(x->a, by, sizeof(by));
	return training_record_tx(x->app, c, by, x->a->id, m, "quiz", x->now,
				  &r->expires_at);
}

static int
tx_attempt(struct store_conn *c, void *cls)
{
	struct attempt_ctx *x = cls;
	struct training_module m;
	int64_t n = 0;
	int rc;

	x->refused = 0;
	memset(x->out, 0, sizeof(*x->out));
	rc = c->ops->training.module_get(c, x->module_id, &m);
	if (rc == -GH_NOT_FOUND)
		return -GH_UNKNOWN_MODULE;
	if (rc == 0)
		rc = c->ops->training.attempt_count(
			c, x->a->id, m.id, x->now - TRAINING_ATTEMPT_WINDOW, &n);
	if (rc == 0 && n >= TRAINING_ATTEMPTS_PER_HOUR) {
		x->refused = -GH_RATE_LIMITED;
		rc = actor_audit(x->app, c, x->a, "training.attempt", "staff",
				 x->a->id, "denied",
				 json_pack("{s:s, s:s}", "module", m.id,
					   "reason", "rate_limited"));
		goto out;
	}
	if (rc == 0)
		rc = training_quiz_score(m.quiz, x->answers, &x->out->score);
	if (rc < 0)
		goto out;
	x->out->pass_mark = m.pass_mark;
	x->out->passed = x->out->score >= m.pass_mark;
	rc = attempt_write(c, x, &m);
out:
	training_module_clear(&m);
	return rc;
}

int
training_attempt(struct app *app, struct store_conn *c,
		 const struct tk_actor *a, const char *module_id,
		 json_t *answers, int64_t now, struct training_result *out)
{
	struct attempt_ctx x = {app, a, module_id, answers, now, out, 0};
	int rc;

	memset(out, 0, sizeof(*out));
	if (!actor_is_staff(a))
		return -GH_FORBIDDEN;
	if (!training_id_valid(module_id))
		return -GH_UNKNOWN_MODULE;
	rc = store_transact(c, tx_attempt, &x);
	if (rc == 0 && x.refused)
		rc = x.refused;
	return rc;
}
