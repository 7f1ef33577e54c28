/*
 * Unit tests of the search's argument parser (core/search.c): the FTS5
 * expression a text becomes (every term quoted, inner quotes doubled,
 * phrases kept, a trailing * a prefix, words without a letter or digit
 * dropped, the term limit), and the other filters' checks (dates as
 * seconds or days with their range, statuses, sorts, booleans,
 * addresses). ASVS 1.2.4 (the text never reaches FTS5 as syntax), 2.2.1
 * (allow-list validation).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/search.h"
#include "util/errors.h"

static struct app app;

/* The expression of text q, or NULL when q is refused. */
static const char *
match_of(const char *q, struct search_filters *f)
{
	search_filters_init(f);
	if (search_filter_set(&app, f, "q", q) != 0)
		return NULL;
	return f->match;
}

static void
test_match_quoting(void **state)
{
	struct search_filters f;

	(void)state;
	app.cfg.search_max_terms = 8;
	assert_string_equal(match_of("refund order", &f),
			    "\"refund\" \"order\"");
	assert_string_equal(match_of("  \"my order\"  refu* ", &f),
			    "\"my order\" \"refu\"*");
	assert_string_equal(match_of("NEAR(a b) OR c:d", &f),
			    "\"NEAR(a\" \"b)\" \"OR\" \"c:d\"");
	assert_string_equal(match_of("it\"s", &f), "\"it\" \"s\"");
	assert_string_equal(match_of("\"unterminated phrase", &f),
			    "\"unterminated phrase\"");
	assert_string_equal(match_of("M\xc3\xbcller", &f),
			    "\"M\xc3\xbcller\"");
	/* A lone * is a word of no letter: dropped; so is punctuation. */
	assert_string_equal(match_of("* ^ -- refund", &f), "\"refund\"");
	assert_string_equal(match_of("*** ^", &f), "\"\"");
	assert_string_equal(match_of("a*", &f), "\"a\"*");
}

static void
test_match_bounds(void **state)
{
	struct search_filters f;
	char long_q[260];

	(void)state;
	app.cfg.search_max_terms = 3;
	assert_non_null(match_of("a b c", &f));
	assert_null(match_of("a b c d", &f));
	assert_non_null(match_of("\"a b c d\" e f", &f));
	app.cfg.search_max_terms = 8;
	assert_null(match_of("", &f));
	assert_null(match_of("a\x01", &f));
	assert_null(match_of("\xff", &f));
	memset(long_q, 'x', 200);
	long_q[200] = '\0';
	assert_non_null(match_of(long_q, &f));
	long_q[200] = 'x';
	long_q[201] = '\0';
	assert_null(match_of(long_q, &f));
}

static void
test_filters(void **state)
{
	struct search_filters f;

	(void)state;
	search_filters_init(&f);
	assert_int_equal(search_filter_set(&app, &f, "created_after",
					   "2026-02-28"),
			 0);
	assert_int_equal(f.created_after, 1772236800);
	assert_int_equal(search_filter_set(&app, &f, "created_before",
					   "1772236800"),
			 0);
	assert_int_equal(f.created_before, 1772236800);
	assert_int_equal(search_filter_set(&app, &f, "due_before", "2026-02-31"),
			 -GH_BAD_QUERY);
	assert_int_equal(search_filter_set(&app, &f, "due_before", "12"),
			 -GH_BAD_QUERY);
	assert_int_equal(search_filter_set(&app, &f, "due_before", "2026-1-1"),
			 -GH_BAD_QUERY);
	assert_int_equal(search_filter_set(&app, &f, "status", "unsolved"), 0);
	assert_string_equal(f.status, "unsolved");
	assert_int_equal(search_filter_set(&app, &f, "status", "any"), 0);
	assert_string_equal(f.status, "");
	assert_int_equal(search_filter_set(&app, &f, "status", "closed"),
			 -GH_BAD_QUERY);
	assert_int_equal(search_filter_set(&app, &f, "sort", "due"), 0);
	assert_int_equal(f.sort, SEARCH_SORT_DUE);
	assert_int_equal(search_filter_set(&app, &f, "breached", "true"), 0);
	assert_int_equal(f.breached, 1);
	assert_int_equal(search_filter_set(&app, &f, "breached", "yes"),
			 -GH_BAD_QUERY);
	assert_int_equal(search_filter_set(&app, &f, "customer_email",
					   " Ann@Example.COM "),
			 0);
	assert_string_equal(f.customer_email, "ann@example.com");
	assert_int_equal(search_filter_set(&app, &f, "due_within", "3600"), 0);
	assert_int_equal(search_filter_set(&app, &f, "due_within", "0"),
			 -GH_BAD_QUERY);
	assert_int_equal(search_filter_set(&app, &f, "tag", "vip"), 0);
	assert_int_equal(search_filter_set(&app, &f, "tag", "VIP"),
			 -GH_BAD_QUERY);
	assert_int_equal(search_filter_set(&app, &f, "color", "red"), 1);
	assert_int_equal(search_key_is_new("q"), 1);
	assert_int_equal(search_key_is_new("status"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match_quoting),
		cmocka_unit_test(test_match_bounds),
		cmocka_unit_test(test_filters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
