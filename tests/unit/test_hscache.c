/*
 * Unit tests of the build-time Hyperscan cache (core/dlp/hscache): the
 * outbound filter's engine loads every database from the table the build
 * made (no compile at start-up), and an expression set the table does not
 * hold is compiled and matches as usual.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/dlp/dlp.h"
#include "core/dlp/hscache.h"

static void
test_engine_from_cache(void **state)
{
	struct dlp_engine *e = NULL;
	struct dlp_findings f;
	unsigned h0, m0, h1, m1;
	const char *t = "card 4111 1111 1111 1111 and key "
			"AKIAZ3MSJV4WWNKWW5FG here";

	(void)state;
	assert_non_null(dlp_hs_cache[0].name);
	hsc_stats(&h0, &m0);
	assert_int_equal(dlp_engine_new(&e), 0);
	hsc_stats(&h1, &m1);
	assert_true(h1 - h0 > 100); /* main, phone and each gated rule */
	assert_int_equal(m1 - m0, 0);
	dlp_findings_init(&f);
	assert_int_equal(dlp_scan(e, NULL, t, strlen(t), &f), 0);
	assert_true(f.n >= 2);
	dlp_findings_free(&f);
	dlp_engine_free(e);
}

static int
on_hit(unsigned int id, unsigned long long from, unsigned long long to,
       unsigned int flags, void *ctx)
{
	unsigned long long *end = ctx;

	(void)id;
	(void)from;
	(void)flags;
	*end = to;
	return 0;
}

static void
test_miss_compiles(void **state)
{
	const char *expr[] = {"gatehouse-[0-9]{4}-unlikely"};
	unsigned flags[] = {0}, ids[] = {7}, h0, m0, h1, m1;
	hs_database_t *db = NULL;
	hs_compile_error_t *err = NULL;
	hs_scratch_t *s = NULL;
	unsigned long long end = 0;
	const char *t = "xx gatehouse-2026-unlikely yy";

	(void)state;
	hsc_stats(&h0, &m0);
	assert_int_equal(hsc_compile(expr, flags, ids, 1, &db, &err),
			 HS_SUCCESS);
	hsc_stats(&h1, &m1);
	assert_int_equal(h1, h0);
	assert_int_equal(m1, m0 + 1);
	assert_int_equal(hs_alloc_scratch(db, &s), HS_SUCCESS);
	assert_int_equal(hs_scan(db, t, (unsigned)strlen(t), 0, s, on_hit,
				 &end), HS_SUCCESS);
	assert_int_equal(end, 26);
	hs_free_scratch(s);
	hs_free_database(db);
	/* A bad expression fails as hs_compile_multi() does, with its error. */
	expr[0] = "(unclosed";
	assert_int_not_equal(hsc_compile(expr, flags, ids, 1, &db, &err),
			     HS_SUCCESS);
	assert_non_null(err);
	assert_int_equal(err->expression, 0);
	hs_free_compile_error(err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_engine_from_cache),
		cmocka_unit_test(test_miss_compiles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
