/*
 * Unit tests of the IDN spoof check (core/phish idn.c and hosts.c), one
 * test per step of Chromium's IDNSpoofChecker, in its order. Every case
 * is built here from the rule's definition (not taken from Chromium's
 * test table), with a host the rule refuses and one it lets through.
 * Hosts are given in Unicode; phish_host_safe() converts them to
 * punycode as a browser would. The engine matches against a small top
 * list of our own (example.org, tesla.com, blogspot.com).
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

#include "core/phish/phish.h"

static struct phish_engine *eng, *builtin;
static char top_path[] = "/tmp/gh_test_idn_XXXXXX";

static int
setup(void **state)
{
	int fd = mkstemp(top_path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	struct phish_options o = {NULL, 0, top_path};

	(void)state;
	if (f == NULL)
		return -1;
	fputs("# ours\nexample.org\ntesla.com\nblogspot.com\n", f);
	if (fclose(f) != 0)
		return -1;
	if (phish_engine_new(&o, &eng) != 0)
		return -1;
	return phish_engine_new(NULL, &builtin);
}

static int
teardown(void **state)
{
	(void)state;
	phish_engine_free(eng);
	phish_engine_free(builtin);
	unlink(top_path);
	return 0;
}

static int
safe(const char *host)
{
	unsigned r;

	return phish_host_safe(eng, host, &r);
}

/* Step 1, ICU uspoof (highly restrictive, allowed set): Latin mixed with
 * Cyrillic; characters Chromium drops from the allowed set (ʻ, a
 * quote look-alike, and Latin kra); Latin with Han is one allowed mix. */
static void
test_icu_checks(void **state)
{
	(void)state;
	assert_int_equal(safe("b\xd0\xb0nk.net"), 0);	/* Cyrillic а */
	assert_int_equal(safe("o\xca\xbb" "ahu.net"), 0);	/* oʻahu */
	assert_int_equal(safe("\xc4\xb8ite.net"), 0);	/* ĸ */
	assert_int_equal(safe("shop\xe6\x9d\xb1\xe4\xba\xac.jp"), 1);
}

/* Step 2, deviation characters: refused only under transitional
 * processing; Gatehouse is non-transitional, so ß passes. */
static void
test_deviation(void **state)
{
	(void)state;
	assert_int_equal(safe("ma\xc3\x9f" "e.org"), 1);
}

/* Step 3, TLD-specific letters: þ and ð only under .is and .fo, ə only
 * under .az. */
static void
test_tld_letters(void **state)
{
	(void)state;
	assert_int_equal(safe("\xc3\xbeing.is"), 1);
	assert_int_equal(safe("\xc3\xbeing.fo"), 1);
	assert_int_equal(safe("\xc3\xbeing.net"), 0);
	assert_int_equal(safe("vo\xc3\xb0ur.no"), 0);
	assert_int_equal(safe("b\xc9\x99y.az"), 1);
	assert_int_equal(safe("b\xc9\x99y.com"), 0);
}

/* Step 4, the middle dot: only as l·l and only under .cat. */
static void
test_middle_dot(void **state)
{
	(void)state;
	assert_int_equal(safe("pol\xc2\xb7len.cat"), 1);
	assert_int_equal(safe("pol\xc2\xb7len.com"), 0);
	assert_int_equal(safe("pa\xc2\xb7ra.cat"), 0);
}

/* Step 5, whole-script confusables: a label whose Cyrillic (or Greek)
 * letters all read as Latin is refused outside the script's ccTLDs and
 * TLDs written in the script; other Cyrillic letters, and Chromium's
 * allowed words, pass. */
static void
test_whole_script(void **state)
{
	(void)state;
	/* сосо (с о с о) */
	assert_int_equal(safe("\xd1\x81\xd0\xbe\xd1\x81\xd0\xbe.com"), 0);
	assert_int_equal(safe("\xd1\x81\xd0\xbe\xd1\x81\xd0\xbe.ru"), 1);
	assert_int_equal(safe("\xd1\x81\xd0\xbe\xd1\x81\xd0\xbe."
			      "\xd1\x80\xd1\x84"), 1);	/* .рф */
	/* жук: ж reads as nothing Latin. */
	assert_int_equal(safe("\xd0\xb6\xd1\x83\xd0\xba.com"), 1);
	/* курс is on Chromium's allowed-words list. */
	assert_int_equal(safe("\xd0\xba\xd1\x83\xd1\x80\xd1\x81.com"), 1);
	/* Greek ικο outside .gr. */
	assert_int_equal(safe("\xce\xb9\xce\xba\xce\xbf.com"), 0);
	assert_int_equal(safe("\xce\xb9\xce\xba\xce\xbf.gr"), 1);
}

/* Step 6, digit lookalikes: a label only of digits and characters that
 * look like digits (Bengali ৪ reads as 8). */
static void
test_digit_lookalikes(void **state)
{
	(void)state;
	assert_int_equal(safe("\xe0\xa7\xaa\xe0\xa7\xaa.net"), 0);
	/* The same with a Bengali letter is a word, not a number. */
	assert_int_equal(safe("\xe0\xa7\xaa\xe0\xa6\x95.net"), 1);
}

/* Step 7, non-ASCII Latin mixed with another script (here Han). */
static void
test_non_ascii_latin_mixed(void **state)
{
	(void)state;
	assert_int_equal(safe("caf\xc3\xa9\xe6\x9d\xb1\xe4\xba\xac.jp"), 0);
	assert_int_equal(safe("cafe\xe6\x9d\xb1\xe4\xba\xac.jp"), 1);
}

/* Step 8, dangerous patterns: the prolonged sound mark after Latin, the
 * katakana middle dot next to Latin, the CJK "one" stroke next to Latin;
 * the same characters among kana or Han pass. */
static void
test_dangerous_patterns(void **state)
{
	(void)state;
	assert_int_equal(safe("abc\xe3\x83\xbc.jp"), 0);	/* abcー */
	assert_int_equal(safe("\xe3\x82\xab\xe3\x83\xbc.jp"), 1);	/* カー */
	assert_int_equal(safe("a\xe3\x83\xbb" "b\xe6\x9d\xb1.jp"), 0);
	assert_int_equal(safe("\xe3\x82\xab\xe3\x83\xbb\xe3\x82\xab.jp"), 1);
	assert_int_equal(safe("a\xe4\xb8\x80" "b.cn"), 0);	/* a一b */
	assert_int_equal(safe("\xe4\xb8\x80\xe4\xba\x8c.cn"), 1);	/* 一二 */
}

/* The top-domain step: the whole host's skeleton (diacritics removed,
 * ł read as l or t), its last two to four labels, against the top list
 * the engine was given; the domain's own subdomains pass. */
static void
test_top_domains(void **state)
{
	unsigned r;

	(void)state;
	assert_int_equal(safe("ex\xc3\xa1mple.org"), 0);	/* exámple */
	assert_int_equal(safe("www.ex\xc3\xa1mple.org"), 0);
	assert_int_equal(safe("\xc5\x82" "esla.com"), 0);	/* łesla */
	assert_int_equal(safe("\xc3\xa9xample.blogspot.com"), 1);
	assert_int_equal(safe("ex\xc3\xa1mple.net"), 1);
	/* Over 32 characters Chromium makes no variants; the host itself is
	 * still compared. */
	assert_int_equal(safe("login.account.verification.ex\xc3\xa1mple.org"),
			 0);
	/* The built-in list does not have example.org. */
	assert_int_equal(phish_host_safe(builtin, "ex\xc3\xa1mple.org", &r),
			 1);
	assert_int_equal(phish_host_safe(eng, "ex\xc3\xa1mple.org", &r), 0);
	assert_true(r & PR_CONFUSABLE_TOP);
}

/* An unreadable top-domains file refuses to build the engine. */
static void
test_top_file_missing(void **state)
{
	struct phish_options o = {NULL, 0, "/nonexistent/top.txt"};
	struct phish_engine *e = NULL;

	(void)state;
	assert_true(phish_engine_new(&o, &e) < 0);
	assert_null(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_icu_checks),
		cmocka_unit_test(test_deviation),
		cmocka_unit_test(test_tld_letters),
		cmocka_unit_test(test_middle_dot),
		cmocka_unit_test(test_whole_script),
		cmocka_unit_test(test_digit_lookalikes),
		cmocka_unit_test(test_non_ascii_latin_mixed),
		cmocka_unit_test(test_dangerous_patterns),
		cmocka_unit_test(test_top_domains),
		cmocka_unit_test(test_top_file_missing),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
