/* Declarative JSON body parsing and UTF-8 validation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/errors.h"
#include "http/jspec.h"

static const char *s1;
static int64_t n1;
static int b1;
static const struct jspec spec[] = {
	JSPEC_STR("name", &s1, 1, 5, JS_REQUIRED),
	JSPEC_INT("n", &n1, 0, 10, 0),
	JSPEC_BOOL("b", &b1, 0),
	JSPEC_END,
};

static int
parse(const char *body)
{
	json_t *root = NULL;
	const char *field = NULL;
	int rc = jspec_parse(body, strlen(body), spec, &root, &field);

	json_decref(root);
	return rc;
}

/* ASVS 2.2.1 15.3.3: allow-list fields, types and bounds. */
static void
test_accepts_and_rejects(void **state)
{
	json_t *root = NULL;
	const char *field = NULL;

	(void)state;
	s1 = NULL;
	assert_int_equal(jspec_parse("{\"name\":\"héllo\",\"n\":3,\"b\":true}",
				     strlen("{\"name\":\"héllo\",\"n\":3,\"b\":true}"),
				     spec, &root, &field),
			 0);
	assert_string_equal(s1, "héllo"); /* 5 code points, 6 bytes */
	assert_int_equal(n1, 3);
	assert_int_equal(b1, 1);
	json_decref(root);
	assert_int_equal(parse("{\"name\":\"abcdef\"}"), -GH_BAD_FIELD);
	assert_int_equal(parse("{\"name\":\"\"}"), -GH_BAD_FIELD);
	assert_int_equal(parse("{\"n\":3}"), -GH_MISSING_FIELD);
	assert_int_equal(parse("{\"name\":\"a\",\"x\":1}"), -GH_UNKNOWN_FIELD);
	assert_int_equal(parse("{\"name\":\"a\",\"n\":11}"), -GH_BAD_FIELD);
	assert_int_equal(parse("{\"name\":\"a\",\"n\":\"3\"}"), -GH_BAD_FIELD);
	assert_int_equal(parse("{\"name\":\"a\",\"n\":1.5}"), -GH_BAD_FIELD);
	assert_int_equal(parse("{\"name\":\"a\",\"b\":1}"), -GH_BAD_FIELD);
	assert_int_equal(parse("{\"name\":1}"), -GH_BAD_FIELD);
	assert_int_equal(parse("{\"name\":\"a\\nb\"}"), -GH_BAD_UTF8);
	assert_int_equal(parse("{\"name\":\"a\",\"name\":\"b\"}"), -GH_BAD_JSON);
	assert_int_equal(parse("[]"), -GH_BAD_JSON);
	assert_int_equal(parse("{"), -GH_BAD_JSON);
	assert_int_equal(parse("{\"name\":\"a\"} x"), -GH_BAD_JSON);
	assert_int_equal(parse("{\"name\":[[[[[[[[[[1]]]]]]]]]]}"), -GH_BAD_JSON);
	/* null counts as absent */
	assert_int_equal(parse("{\"name\":\"a\",\"n\":null}"), 0);
	/* nothing is written on failure */
	s1 = "unchanged";
	assert_int_equal(parse("{\"name\":\"ok\",\"x\":1}"), -GH_UNKNOWN_FIELD);
	assert_string_equal(s1, "unchanged");
}

static void
test_utf8(void **state)
{
	(void)state;
	assert_int_equal(utf8_check("abc", 3, 0), 3);
	assert_int_equal(utf8_check("h\xc3\xa9", 3, 0), 2);
	assert_int_equal(utf8_check("\xf0\x9f\x98\x80", 4, 0), 1);
	assert_int_equal(utf8_check("a\nb", 3, 1), 3);
	assert_int_equal(utf8_check("a\nb", 3, 0), -1);
	assert_int_equal(utf8_check("\xc0\xaf", 2, 0), -1);        /* overlong */
	assert_int_equal(utf8_check("\xed\xa0\x80", 3, 0), -1);    /* surrogate */
	assert_int_equal(utf8_check("\xf4\x90\x80\x80", 4, 0), -1); /* > 10FFFF */
	assert_int_equal(utf8_check("\xe2\x80\xae", 3, 0), -1);    /* RLO */
	assert_int_equal(utf8_check("\xc2\x85", 2, 1), -1);        /* C1 NEL */
	assert_int_equal(utf8_check("a\0b", 3, 1), -1);
	assert_int_equal(utf8_check("\xe2\x82", 2, 0), -1);        /* truncated */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepts_and_rejects),
		cmocka_unit_test(test_utf8),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
