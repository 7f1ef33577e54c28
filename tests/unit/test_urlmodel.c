/*
 * Unit tests of the link model (core/phish/urlmodel.c): each feature on
 * hand-made URLs, the score rising in obvious cases, a phishing-looking
 * URL over the alarm threshold and a plain one under it, and the model's
 * place in the judgement of a link (model_score on the link and in its
 * JSON; the reason model_score only over the threshold). That the shipped
 * weights are what the training script makes is `make model-check`.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <zlib.h>

#include "core/phish/phish.h"

static struct phish_engine *eng;

static int
setup(void **state)
{
	(void)state;
	return phish_engine_new(NULL, &eng);
}

static int
teardown(void **state)
{
	(void)state;
	phish_engine_free(eng);
	return 0;
}

/* Feature `name` of url (the URL must have features). */
static double
feat(const char *url, const char *name)
{
	double f[PHISH_URL_NFEAT];

	assert_int_equal(phish_url_features(eng, url, f), 0);
	for (size_t i = 0; i < PHISH_URL_NFEAT; i++)
		if (strcmp(phish_url_feature_name(i), name) == 0)
			return f[i];
	fail_msg("no feature %s", name);
	return 0;
}

static void
test_feature_names(void **state)
{
	(void)state;
	for (size_t i = 0; i < PHISH_URL_NFEAT; i++)
		assert_non_null(phish_url_feature_name(i));
	assert_null(phish_url_feature_name(PHISH_URL_NFEAT));
}

static void
test_host_features(void **state)
{
	const char *u = "http://a1-b2.c3d.example.com/";

	(void)state;
	assert_true(feat(u, "host_digits") == 3);
	assert_true(feat(u, "host_hyphens") == 1);
	assert_true(feat(u, "subdomains") == 2);
	assert_true(feat("https://example.com/", "subdomains") == 0);
	assert_true(feat("https://aaaa.com/", "host_entropy") <
		    feat("https://q7xk2zpv.com/", "host_entropy"));
	assert_true(feat("http://203.0.113.7/", "ip_literal") == 1);
	assert_true(feat("http://[2001:db8::1]/", "ip_literal") == 1);
	assert_true(feat("https://example.com/", "ip_literal") == 0);
	assert_true(feat("https://xn--pypal-4ve.com/", "punycode") == 1);
	assert_true(feat("https://paypal.com/", "punycode") == 0);
	assert_true(feat("https://bit.ly/x", "shortener") == 1);
	assert_true(feat("https://example.com/x", "shortener") == 0);
	assert_true(feat("https://example.tk/", "risky_tld") == 1);
	assert_true(feat("https://example.de/", "risky_tld") == 0);
	assert_true(feat("https://www.example.com/", "www_prefix") == 1);
	assert_true(feat("https://google.com/", "top_domain") == 1);
	assert_true(feat("https://qzv-unknown-shop.com/", "top_domain") == 0);
	assert_true(feat("https://x.weebly.com/", "user_content_host") == 1);
	assert_true(feat("https://notweebly.com/", "user_content_host") == 0);
	assert_true(feat("https://bcdfgh.com/", "consonant_run") == 6);
	assert_true(feat("https://ab.com/", "tld_com") == 1);
	assert_true(feat("https://abcdef.org/", "domain_label_len") == 6);
	assert_true(feat("https://co.uk/", "no_public_suffix") == 1);
}

static void
test_brand_and_words(void **state)
{
	(void)state;
	/* A brand in the subdomain or path, not in the registrable domain. */
	assert_true(feat("https://paypal.com.evil.example/", "brand_outside") == 1);
	assert_true(feat("https://evil.example/paypal/", "brand_outside") == 1);
	assert_true(feat("https://www.paypal.com/", "brand_outside") == 0);
	assert_true(feat("https://login.secure.evil.example/",
			 "subdomain_words") == 2);
	assert_true(feat("https://login.example.com/", "path_words") == 0);
	assert_true(feat("https://e.com/account/verify?x=password",
			 "path_words") == 3);
}

static void
test_path_features(void **state)
{
	const char *u = "http://u:p@e.com:8080/a-b/c-d/e1.php//x?q=1&r=2";

	(void)state;
	assert_true(feat(u, "path_depth") == 5);
	assert_true(feat(u, "path_hyphens") == 2);
	assert_true(feat(u, "path_digits") == 1);
	assert_true(feat(u, "php_page") == 1);
	assert_true(feat(u, "double_slash") == 1);
	assert_true(feat(u, "at_sign") == 1);
	assert_true(feat(u, "unusual_port") == 1);
	assert_true(feat(u, "not_https") == 1);
	assert_true(feat(u, "url_specials") == 3);
	assert_true(feat("https://e.com/", "not_https") == 0);
	assert_true(feat("https://e.com/", "unusual_port") == 0);
	assert_true(feat("https://e.com/", "log_query_len") == 0);
	assert_true(feat("https://e.com/?abc", "log_query_len") > 0);
	assert_true(feat("https://e.com/r.pdf", "document_path") == 1);
	assert_true(feat("https://e.com/a", "log_url_len") <
		    feat("https://e.com/aaaaaaaaaa", "log_url_len"));
	assert_true(feat("https://e.com/", "url_dots") == 1);
	assert_true(feat("https://e.com/12", "url_digit_ratio") > 0);
	/* "www." alone is https, as the analyser reads it. */
	assert_true(feat("www.example.com/x", "not_https") == 0);
}

static void
test_no_features(void **state)
{
	double f[PHISH_URL_NFEAT];

	(void)state;
	assert_int_equal(phish_url_features(eng, "ftp://example.com/", f), -1);
	assert_int_equal(phish_url_features(eng, "javascript:alert(1)", f), -1);
	assert_int_equal(phish_url_features(eng, "http://", f), -1);
	assert_true(phish_url_score(eng, "data:text/html,x") < 0);
}

static void
test_score_monotonic(void **state)
{
	double plain, words, worse;

	(void)state;
	plain = phish_url_score(eng, "https://www.example.com/");
	words = phish_url_score(eng, "https://www.example.com/login/verify/"
				     "account.php");
	worse = phish_url_score(eng, "http://203.0.113.7/login/verify/"
				     "account.php?session=8472910");
	assert_true(plain < words);
	assert_true(words < worse);
	assert_true(phish_url_score(eng, "https://e-x.com/?q=1") <
		    phish_url_score(eng, "https://e-x.com/?q=1&s=secure"
					 "-update-login-confirm"));
}

static void
test_threshold(void **state)
{
	(void)state;
	assert_true(phish_url_threshold > 0 && phish_url_threshold < 1);
	assert_true(phish_url_score(eng, "https://www.example.com/") <
		    phish_url_threshold);
	assert_true(phish_url_score(eng, "https://www.google.com/") <
		    phish_url_threshold);
	assert_true(phish_url_score(
			    eng, "http://paypal.com.secure-login.tk/webscr/"
				 "login.php?cmd=_login-submit&dispatch="
				 "5885d80a13c0db1f8e263663d3faee8d") >=
		    phish_url_threshold);
}

/* The n-grams as phish.h documents them: 3-5 bytes of "^" + the URL
 * without its scheme, ASCII lower-cased, + "$", CRC-32 into 2^16
 * buckets, each once, ascending; computed here independently. */
static void
test_ngrams(void **state)
{
	const char *text = "^ex.co/ab$";
	uint32_t got[64], again[64], want[64];
	size_t n, m, k = 0;

	(void)state;
	for (size_t g = 3; g <= 5; g++)
		for (size_t i = 0; i + g <= strlen(text); i++) {
			uint32_t h = (uint32_t)crc32(0L,
				(const unsigned char *)text + i, (uInt)g) &
				(PHISH_URL_NGRAMS - 1);
			size_t j = 0;

			while (j < k && want[j] != h)
				j++;
			if (j == k)
				want[k++] = h;
		}
	n = phish_url_ngrams("HTTPS://Ex.CO/ab", got, 64);
	assert_int_equal(n, k);
	for (size_t i = 0; i < n; i++) {
		size_t j = 0;

		while (j < k && want[j] != got[i])
			j++;
		assert_true(j < k);
		if (i > 0)
			assert_true(got[i - 1] < got[i]);
	}
	m = phish_url_ngrams("http://ex.co/ab", again, 64);
	assert_int_equal(m, n);
	assert_memory_equal(got, again, n * sizeof(got[0]));
	/* more than max: the count, and only max written */
	assert_int_equal(phish_url_ngrams("HTTPS://Ex.CO/ab", got, 2), n);
	assert_int_equal(phish_url_ngrams("", got, 64), 0);
}

/* The same features with other text score differently: the n-grams are
 * in the score. */
static void
test_ngrams_scored(void **state)
{
	double f[PHISH_URL_NFEAT];

	(void)state;
	assert_int_equal(phish_url_features(eng, "https://www.wiki.com/", f),
			 0);
	assert_true(phish_url_model_score(f, "https://www.wiki.com/") !=
		    phish_url_model_score(f, "https://www.bet9.com/"));
}

/* The judgement: the score stays on the link; over the threshold the
 * reason model_score makes the link at least suspicious. */
static void
test_judge_and_json(void **state)
{
	struct phish_links l;
	const char *msg = "see https://www.example.com/ and "
			  "http://secure-update-account-8472.com/signin/"
			  "verify.php?id=12345&session=abcdef";
	json_t *arr, *a, *b;

	(void)state;
	phish_links_init(&l);
	assert_int_equal(phish_analyse(eng, msg, strlen(msg), 0, &l), 0);
	assert_int_equal(l.n, 2);
	assert_true(l.v[0].model_score >= 0 &&
		    l.v[0].model_score < phish_url_threshold);
	assert_int_equal(l.v[0].reasons & PR_MODEL_SCORE, 0);
	assert_true(l.v[1].model_score >= phish_url_threshold);
	assert_int_not_equal(l.v[1].reasons & PR_MODEL_SCORE, 0);
	assert_string_not_equal(phish_verdict(l.v[1].score), "clean");
	assert_string_equal(phish_reason_name(PR_MODEL_SCORE), "model_score");
	arr = phish_links_json(&l);
	a = json_array_get(arr, 0);
	b = json_array_get(arr, 1);
	assert_true(json_is_real(json_object_get(a, "model_score")));
	assert_true(json_real_value(json_object_get(b, "model_score")) >=
		    phish_url_threshold);
	json_decref(arr);
	phish_links_free(&l);
}

static void
test_judge_unscored(void **state)
{
	struct phish_links l;
	const char *msg = "javascript:alert(1)";
	json_t *arr;

	(void)state;
	phish_links_init(&l);
	assert_int_equal(phish_analyse(eng, msg, strlen(msg), 0, &l), 0);
	assert_int_equal(l.n, 1);
	assert_true(l.v[0].model_score < 0);
	arr = phish_links_json(&l);
	assert_true(json_is_null(
		json_object_get(json_array_get(arr, 0), "model_score")));
	json_decref(arr);
	phish_links_free(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_feature_names),
		cmocka_unit_test(test_host_features),
		cmocka_unit_test(test_brand_and_words),
		cmocka_unit_test(test_path_features),
		cmocka_unit_test(test_no_features),
		cmocka_unit_test(test_score_monotonic),
		cmocka_unit_test(test_threshold),
		cmocka_unit_test(test_ngrams),
		cmocka_unit_test(test_ngrams_scored),
		cmocka_unit_test(test_judge_and_json),
		cmocka_unit_test(test_judge_unscored),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
