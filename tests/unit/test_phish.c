/*
 * Unit tests of the link analyser (core/phish): extraction from text and
 * HTML (real target vs visible text), each reason code with a positive and
 * a negative, the IDN spoof check on hosts from Chromium's notes (Cyrillic
 * homographs, digit lookalikes, allowed CJK and accented Latin), defanging
 * and the JSON form.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/phish/phish.h"

static struct phish_engine *eng;

static int
setup(void **state)
{
	static const char *const own[] = {"gatehouse-bank.com"};
	struct phish_options o = {own, 1, NULL};

	(void)state;
	return phish_engine_new(&o, &eng);
}

static int
teardown(void **state)
{
	(void)state;
	phish_engine_free(eng);
	return 0;
}

static unsigned
judge(const char *url, int *score)
{
	struct phish_link l;
	unsigned r;

	memset(&l, 0, sizeof(l));
	l.url = (char *)(uintptr_t)url;
	assert_int_equal(phish_judge(eng, &l), 0);
	r = l.reasons;
	if (score != NULL)
		*score = l.score;
	free(l.host);
	free(l.domain);
	return r;
}

static void
test_extract_text(void **state)
{
	struct phish_links l;
	const char *t = "See https://example.com/a?b=1, or (www.test.org) "
			"and javascript:alert(1). Also http://x.io.";

	(void)state;
	phish_links_init(&l);
	assert_int_equal(phish_extract_text(t, strlen(t), &l), 0);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.v[0].url, "https://example.com/a?b=1");
	assert_string_equal(l.v[1].url, "www.test.org");
	assert_string_equal(l.v[2].url, "javascript:alert(1)");
	assert_string_equal(l.v[3].url, "http://x.io");
	assert_memory_equal(t + l.v[0].start, "https://", 8);
	phish_links_free(&l);
}

static void
test_extract_html(void **state)
{
	struct phish_links l;
	const char *h = "<p>Dear customer, <a class=x href=\"https://evil.example"
			"/login?a=1&amp;b=2\">https://www.paypal.com/</a> or "
			"<A HREF='https://gatehouse-bank.com/help'>help</A> "
			"visit http://plain.example.net/x</p>";

	(void)state;
	phish_links_init(&l);
	assert_int_equal(phish_analyse(eng, h, strlen(h), 1, &l), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0].url, "https://evil.example/login?a=1&b=2");
	assert_string_equal(l.v[0].text, "https://www.paypal.com/");
	assert_true(l.v[0].reasons & PR_TEXT_MISMATCH);
	assert_string_equal(phish_verdict(l.v[0].score), "dangerous");
	assert_string_equal(l.v[1].text, "help");
	assert_true(l.v[1].reasons & PR_OWN_DOMAIN);
	assert_false(l.v[1].reasons & PR_TEXT_MISMATCH);
	assert_int_equal(l.v[1].score, 0);
	assert_string_equal(l.v[2].url, "http://plain.example.net/x");
	assert_null(l.v[2].text);
	phish_links_free(&l);
}

static void
test_reasons(void **state)
{
	int s;

	(void)state;
	assert_true(judge("http://192.168.10.5/login", NULL) & PR_IP_HOST);
	assert_true(judge("http://[::1]/", NULL) & PR_IP_HOST);
	assert_false(judge("https://example.com/", NULL) & PR_IP_HOST);
	assert_true(judge("https://www.paypal.com@evil.example/", NULL) &
		    PR_USERINFO);
	assert_false(judge("https://www.paypal.com/", NULL) & PR_USERINFO);
	assert_true(judge("http://example.com/", NULL) & PR_NOT_HTTPS);
	assert_false(judge("https://example.com/", NULL) & PR_NOT_HTTPS);
	assert_true(judge("https://example.com:8081/", NULL) & PR_UNUSUAL_PORT);
	assert_false(judge("https://example.com:443/", NULL) & PR_UNUSUAL_PORT);
	assert_true(judge("https://bit.ly/3abc", NULL) & PR_SHORTENER);
	assert_false(judge("https://bitbucket.org/", NULL) & PR_SHORTENER);
	assert_true(judge("data:text/html;base64,PHNjcmlwdD4=", &s) &
		    PR_DATA_URL);
	assert_true(s >= 60);
	assert_true(judge("javascript:alert(1)", NULL) & PR_JAVASCRIPT_URL);
	assert_true(judge("https://paypal.com.secure-login.example.net/", NULL) &
		    PR_BRAND_IN_SUBDOMAIN);
	assert_false(judge("https://www.paypal.com/", NULL) &
		     PR_BRAND_IN_SUBDOMAIN);
	/* Punycode homograph of the company's domain and of a top domain. */
	assert_true(judge("https://xn--gatehuse-bank-ftd.com/", &s) &
		    (PR_CONFUSABLE_OWN | PR_MIXED_SCRIPT));
	assert_true(judge("https://xn--pypal-4ve.com/", NULL) & PR_PUNYCODE);
	assert_true(judge("https://xn--pypal-4ve.com/", &s) &
		    (PR_CONFUSABLE_TOP | PR_MIXED_SCRIPT));
	assert_true(s >= 60);
	/* ASCII lookalikes of the company's own domain (digit zero for o,
	 * digit one for l) are flagged; the real domain and unrelated ones
	 * are not. */
	assert_true(judge("https://gateh0use-bank.com/login", &s) &
		    PR_CONFUSABLE_OWN);
	assert_true(s >= 60);
	assert_true(judge("https://gatehouse-bank.com/", NULL) & PR_OWN_DOMAIN);
	assert_false(judge("https://gatehouse-bank.com/", NULL) &
		     PR_CONFUSABLE_OWN);
	assert_false(judge("https://www.example.com/", NULL) &
		     PR_CONFUSABLE_OWN);
	/* A plain, known site over https is clean. */
	judge("https://www.wikipedia.org/wiki/Phishing", &s);
	assert_string_equal(phish_verdict(s), "clean");
}

static void
test_idn(void **state)
{
	unsigned r;

	(void)state;
	assert_int_equal(phish_host_safe(eng, "www.google.com", &r), 1);
	/* 北京大學.cn, café.fr, президент.рф are fine. */
	assert_int_equal(phish_host_safe(eng, "xn--1lq90ic7f1rc.cn", &r), 1);
	assert_int_equal(phish_host_safe(eng, "xn--caf-dma.fr", &r), 1);
	assert_int_equal(phish_host_safe(eng, "xn--d1abbgf6aiiy.xn--p1ai", &r),
			 1);
	/* gооglе.ru with Cyrillic o, ск.com, ੨੨੨.com, рaypal (mixed). */
	assert_int_equal(phish_host_safe(eng, "xn--ggl-tdd6ba.ru", &r), 0);
	assert_int_equal(phish_host_safe(eng, "xn--j1an.com", &r), 0);
	assert_int_equal(phish_host_safe(eng, "xn--qccaa.com", &r), 0);
	assert_int_equal(phish_host_safe(eng, "xn--pypal-4ve.com", &r), 0);
	assert_true(r & PR_PUNYCODE);
	/* Undecodable punycode. */
	assert_int_equal(phish_host_safe(eng, "xn--a-xbba.com", &r), -1);
}

static void
test_defang_json(void **state)
{
	struct phish_links l;
	char *d = phish_defang("https://evil.example.com/a.b?c=d.e");
	json_t *j;
	char *s;

	(void)state;
	assert_string_equal(d, "hxxps://evil[.]example[.]com/a.b?c=d.e");
	free(d);
	d = phish_defang("JavaScript:alert(document.cookie)");
	assert_string_equal(d, "JavaScript[:]alert(document[.]cookie)");
	free(d);
	d = phish_defang("data:text/html;base64,PHNjcmlwdD4=");
	assert_string_equal(d, "data[:]text/html;base64,PHNjcmlwdD4=");
	free(d);
	phish_links_init(&l);
	assert_int_equal(phish_analyse(eng, "go http://1.2.3.4/x now", 23, 0,
				       &l), 0);
	j = phish_links_json(&l);
	s = json_dumps(j, 0);
	assert_non_null(strstr(s, "hxxp://1[.]2[.]3[.]4/x"));
	assert_non_null(strstr(s, "\"ip_host\""));
	assert_null(strstr(s, "http://1.2.3.4"));
	free(s);
	json_decref(j);
	phish_links_free(&l);
}

/* The registrable domain comes from the public suffix list (libpsl), so
 * multi-label suffixes and private suffixes are right. */
static char *
domain_of(const char *url)
{
	struct phish_link l;

	memset(&l, 0, sizeof(l));
	l.url = (char *)(uintptr_t)url;
	assert_int_equal(phish_judge(eng, &l), 0);
	free(l.host);
	return l.domain;
}

static void
test_registrable_domain(void **state)
{
	static const char *const cases[][2] = {
		{"https://www.bbc.co.uk/news", "bbc.co.uk"},
		{"https://a.b.example.com.au/x", "example.com.au"},
		{"https://login.secure.paypal.com.evil.co.jp/", "evil.co.jp"},
		{"https://someone.github.io/page", "someone.github.io"},
		{"https://shop.example.de", "example.de"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *d = domain_of(cases[i][0]);

		assert_non_null(d);
		assert_string_equal(d, cases[i][1]);
		free(d);
	}
	/* A public suffix itself has no registrable domain. */
	assert_null(domain_of("https://co.uk/"));
	assert_true(judge("https://co.uk/", NULL) & PR_NO_PUBLIC_SUFFIX);
	assert_false(judge("https://www.bbc.co.uk/", NULL) &
		     PR_NO_PUBLIC_SUFFIX);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registrable_domain),
		cmocka_unit_test(test_extract_text),
		cmocka_unit_test(test_extract_html),
		cmocka_unit_test(test_reasons),
		cmocka_unit_test(test_idn),
		cmocka_unit_test(test_defang_json),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
