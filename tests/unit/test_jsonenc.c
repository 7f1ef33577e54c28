/*
 * The reply encoder (util/jsonenc.h, issue 14 VIEW2): its bytes are
 * json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER)'s for every tree a
 * reply can hold: the ticket view's shape, every escape, every UTF-8
 * length, the integer extremes, reals, empty containers, keys with
 * escapes, insertion order, random trees; and it refuses what json_dumps
 * refuses (a scalar, a string that is not UTF-8: NULL).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/jsonenc.h"

/* v encodes to exactly json_dumps's bytes and length. */
static void
same_as_jansson(json_t *v)
{
	char *want = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
	size_t len = 0;
	char *got = jsonenc_dumps(v, &len);

	assert_non_null(want);
	assert_non_null(got);
	assert_string_equal(got, want);
	assert_int_equal(len, strlen(want));
	free(want);
	free(got);
}

/* The shape of GET /api/v1/tickets/{id}, as api/tickets.c builds it. */
static void
test_ticket_view_shape(void **state)
{
	json_t *v = json_pack(
		"{s:I, s:s, s:s, s:s, s:{s:I, s:s}, s:n, s:I, s:I}", "id",
		(json_int_t)48213, "subject", "Order \"48213\" late\n",
		"status", "open", "queue", "general", "customer", "id",
		(json_int_t)1, "name", "Zo\xc3\xab \xe2\x82\xac", "assignee",
		"created_at", (json_int_t)1796596553, "updated_at",
		(json_int_t)1796596554);
	json_t *m = json_pack("[{s:I, s:s, s:s, s:s, s:I, s:s, s:[], s:[{s:s, "
			      "s:s}], s:b}]",
			      "id", (json_int_t)1, "kind", "message", "author",
			      "C", "body", "a\tb\\c</script>\x01\x1f\x7f",
			      "created_at", (json_int_t)5, "from", "customer",
			      "redacted", "links", "url", "hxxps://x[.]y/",
			      "verdict", "bad", "reported", 0);

	(void)state;
	json_object_set_new(v, "messages", m);
	json_object_set_new(v, "notes", json_array());
	json_object_set_new(v, "held", json_array());
	same_as_jansson(v);
	json_decref(v);
}

static void
test_every_control_byte_and_escape(void **state)
{
	char s[160];
	size_t n = 0;
	json_t *v;

	(void)state;
	for (int c = 1; c < 0x80; c++)
		s[n++] = (char)c;
	v = json_pack("[s%, s%]", s, n, "a\0b", (size_t)3);
	same_as_jansson(v);
	json_decref(v);
	/* An escape in a key, and a key with a NUL. */
	v = json_object();
	json_object_set_new(v, "k\"\\\n\x02", json_true());
	json_object_setn_new(v, "x\0y", 3, json_false());
	json_object_set_new(v, "", json_null());
	same_as_jansson(v);
	json_decref(v);
}

static void
test_utf8_lengths(void **state)
{
	/* 2, 3 and 4 bytes, the edges of each range, U+FFFF, U+10FFFF. */
	json_t *v = json_pack("[s, s, s, s, s, s]", "\xc2\x80\xdf\xbf",
			      "\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xef\xbf\xbf",
			      "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf",
			      "caf\xc3\xa9 \xf0\x9f\x98\x80!", "\xe2\x80\xa8",
			      "\xef\xbb\xbf");

	(void)state;
	same_as_jansson(v);
	json_decref(v);
}

static void
test_numbers_and_empties(void **state)
{
	json_t *v = json_pack("[I, I, I, I, I, f, f, f, f, {}, [], [[]], {s:{}}]",
			      (json_int_t)0, (json_int_t)-1,
			      (json_int_t)INT64_MAX, (json_int_t)INT64_MIN,
			      (json_int_t)1000000007, 0.5, -1e300, 3.0,
			      1.0 / 3.0, "e");

	(void)state;
	same_as_jansson(v);
	json_decref(v);
}

/* Keys come out in the order they were set, also after one is replaced
 * or deleted. */
static void
test_insertion_order(void **state)
{
	json_t *v = json_object();

	(void)state;
	json_object_set_new(v, "zeta", json_integer(1));
	json_object_set_new(v, "alpha", json_integer(2));
	json_object_set_new(v, "mid", json_integer(3));
	json_object_set_new(v, "alpha", json_string("again"));
	json_object_del(v, "zeta");
	json_object_set_new(v, "zeta", json_integer(4));
	same_as_jansson(v);
	json_decref(v);
}

/* A random string of up to 12 characters from a set with escapes and
 * multi-byte characters. */
static json_t *
random_string(unsigned *seed)
{
	static const char *const parts[] = {"a", "Z", " ", "\"", "\\", "\n",
					    "\x01", "/", "\xc3\xa9", "\xe2\x82\xac",
					    "\xf0\x9f\x98\x80", "<", "0"};
	char buf[64];
	size_t len = 0;
	int n = rand_r(seed) % 12;

	for (int i = 0; i < n; i++) {
		const char *p = parts[rand_r(seed) % 13];

		memcpy(buf + len, p, strlen(p));
		len += strlen(p);
	}
	return json_stringn(buf, len);
}

static json_t *
random_tree(unsigned *seed, int depth)
{
	int kind = depth > 4 ? rand_r(seed) % 5 : rand_r(seed) % 7;
	json_t *v;

	switch (kind) {
	case 0:
		return random_string(seed);
	case 1:
		return json_integer((json_int_t)rand_r(seed) - RAND_MAX / 2);
	case 2:
		return rand_r(seed) % 2 ? json_true() : json_null();
	case 3:
		return json_false();
	case 4:
		return json_real((double)rand_r(seed) / 7.0);
	case 5:
		v = json_array();
		for (int i = rand_r(seed) % 5; i > 0; i--)
			json_array_append_new(v, random_tree(seed, depth + 1));
		return v;
	default:
		v = json_object();
		for (int i = rand_r(seed) % 5; i > 0; i--) {
			json_t *k = random_string(seed);

			json_object_set_new(v, json_string_value(k),
					    random_tree(seed, depth + 1));
			json_decref(k);
		}
		return v;
	}
}

static void
test_random_trees(void **state)
{
	unsigned seed = 14;

	(void)state;
	for (int i = 0; i < 2000; i++) {
		json_t *v = json_array();

		json_array_append_new(v, random_tree(&seed, 0));
		same_as_jansson(v);
		json_decref(v);
	}
}

/* A tree deeper than the fast path follows still gets jansson's bytes. */
static void
test_deep_tree(void **state)
{
	json_t *v = json_array();
	json_t *inner = v;

	(void)state;
	for (int i = 0; i < JSONENC_MAX_DEPTH * 2; i++) {
		json_t *a = json_array();

		json_array_append_new(inner, a);
		inner = a;
	}
	json_array_append_new(inner, json_string("deep"));
	same_as_jansson(v);
	json_decref(v);
}

/* What json_dumps refuses is refused: a scalar, a string that is not
 * UTF-8 (json_string_nocheck lets one in), a surrogate, an overlong
 * form. */
static void
test_refuses_what_jansson_refuses(void **state)
{
	static const char *const bad[] = {"\xff", "\xc0\x80", "\xed\xa0\x80",
					  "\xf4\x90\x80\x80", "ab\xe2\x82",
					  "\x80"};
	json_t *s = json_string("x");

	(void)state;
	assert_null(jsonenc_dumps(s, NULL));
	assert_null(jsonenc_dumps(NULL, NULL));
	json_decref(s);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *v = json_pack("{s:o}", "k", json_string_nocheck(bad[i]));

		assert_null(json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER));
		assert_null(jsonenc_dumps(v, NULL));
		json_decref(v);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ticket_view_shape),
		cmocka_unit_test(test_every_control_byte_and_escape),
		cmocka_unit_test(test_utf8_lengths),
		cmocka_unit_test(test_numbers_and_empties),
		cmocka_unit_test(test_insertion_order),
		cmocka_unit_test(test_random_trees),
		cmocka_unit_test(test_deep_tree),
		cmocka_unit_test(test_refuses_what_jansson_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
