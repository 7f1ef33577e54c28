/*
 * libFuzzer harness for training modules, the parser of files an admin
 * imports or PUTs (core/training.h): the front matter, cmark's rendering
 * with the link checks, the quiz JSON, and the scoring of a staff member's
 * answers. The input is split at NUL bytes: ID.md text, then
 * ID.quiz.json text, then an answers object (each part optional).
 *
 * It asserts the contracts too: a refusal is -GH_BAD_MODULE with a
 * message naming the file, a module that parses has safe HTML (no raw
 * "<script" and no link or image source outside the allowed schemes
 * survives), no question of the public quiz holds a "correct" key (a
 * question's text or an option may say "correct": that is no leak), and a
 * score is 0..100.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/training.h"
#include "util/errors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The next part of [*p, end) up to a NUL; *p moves past it. */
static const char *
part(const char **p, const char *end, size_t *len)
{
	const char *s = *p;
	const char *nul = memchr(s, '\0', (size_t)(end - s));

	*len = nul != NULL ? (size_t)(nul - s) : (size_t)(end - s);
	*p = nul != NULL ? nul + 1 : end;
	return s;
}

/* 1 when some question object of the public quiz has a "correct" key or
 * any key besides the four it is built from. */
static int
leaks_answers(const json_t *pub)
{
	size_t i;
	json_t *q;

	if (!json_is_array(pub))
		return 1;
	json_array_foreach(pub, i, q)
		if (json_object_get(q, "correct") != NULL ||
		    json_object_size(q) > 4)
			return 1;
	return 0;
}

static void
check_module(const struct training_module *m, const char *answers,
	     size_t alen)
{
	json_t *pub = training_quiz_public(m->quiz);
	char *txt = json_dumps(pub, 0);
	json_t *ans = json_loadb(answers, alen, 0, NULL);
	int64_t score = -1;

	if (strstr(m->html, "<script") != NULL ||
	    strstr(m->html, "href=\"javascript:") != NULL ||
	    strstr(m->html, "href=\"http:") != NULL ||
	    strstr(m->html, "src=\"http") != NULL)
		abort();
	if (txt == NULL || leaks_answers(pub))
		abort();
	if (ans != NULL && training_quiz_score(m->quiz, ans, &score) == 0 &&
	    (score < 0 || score > 100))
		abort();
	free(txt);
	json_decref(pub);
	json_decref(ans);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	const char *md, *quiz, *answers;
	size_t mlen, qlen, alen;
	struct training_module m;
	char err[512] = "";
	int rc;

	md = part(&p, end, &mlen);
	quiz = part(&p, end, &qlen);
	answers = part(&p, end, &alen);
	rc = training_module_parse("fuzz", md, mlen, quiz, qlen, &m, err,
				   sizeof(err));
	if (rc == 0)
		check_module(&m, answers, alen);
	else if (rc != -GH_BAD_MODULE || strstr(err, "fuzz.") == NULL)
		abort();
	training_module_clear(&m);
	return 0;
}
