/*
 * util/metrics.c: the text it writes (escaping, fixed method set, bounded
 * status), histogram buckets summed as the format wants, the bound on
 * label sets per family (what passes it is counted as dropped, not
 * kept), and exact counts under threads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/metrics.h"

/* Everything the registry writes now (malloc'd). Not inlined: GCC 12
 * at -O3 then takes the returned buffer for the local that
 * open_memstream filled (-Wdangling-pointer, a false positive). */
__attribute__((noinline)) static char *
dump(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	assert_int_equal(metrics_write(f), 0);
	fclose(f);
	return text;
}

/* The value of the sample line that starts with series followed by a
 * space; -1 when there is none. */
static double
value(const char *text, const char *series)
{
	size_t n = strlen(series);

	for (const char *l = text; l != NULL && *l != '\0';) {
		if (strncmp(l, series, n) == 0 && l[n] == ' ')
			return strtod(l + n + 1, NULL);
		l = strchr(l, '\n');
		if (l != NULL)
			l++;
	}
	return -1;
}

static void
test_escaping_and_fixed_sets(void **state)
{
	char *t;

	(void)state;
	metrics_dlp_block("a\"b\\c\nd");
	metrics_request("public", "/x", "BREW", 999, 10);
	metrics_request("public", "/x", "GET", 200, 10);
	t = dump();
	assert_true(value(t, "gatehouse_dlp_blocks_total{kind=\"a\\\"b\\\\c\\nd\"}") ==
		    1);
	assert_true(value(t, "gatehouse_http_requests_total{listener=\"public\","
			     "route=\"/x\",method=\"other\",status=\"0\"}") == 1);
	assert_true(value(t, "gatehouse_http_requests_total{listener=\"public\","
			     "route=\"/x\",method=\"GET\",status=\"200\"}") == 1);
	assert_null(strstr(t, "BREW"));
	assert_null(strstr(t, "999"));
	assert_non_null(strstr(t, "# TYPE gatehouse_http_request_duration_seconds "
				  "histogram\n"));
	free(t);
}

static void
test_histogram(void **state)
{
	char *t;

	(void)state;
	metrics_request("staff", "/h", "GET", 200, 1500);      /* 1.5 ms */
	metrics_request("staff", "/h", "GET", 200, 7000);      /* 7 ms */
	metrics_request("staff", "/h", "GET", 200, 20000000);  /* 20 s */
	t = dump();
#define B(le) "gatehouse_http_request_duration_seconds_bucket{listener=\"staff\"," \
	      "route=\"/h\",le=\"" le "\"}"
	assert_true(value(t, B("0.005")) == 1);
	assert_true(value(t, B("0.01")) == 2);
	assert_true(value(t, B("1")) == 2);
	assert_true(value(t, B("10")) == 2);
	assert_true(value(t, B("+Inf")) == 3);
#undef B
	assert_true(value(t, "gatehouse_http_request_duration_seconds_count{"
			     "listener=\"staff\",route=\"/h\"}") == 3);
	assert_true(value(t, "gatehouse_http_request_duration_seconds_sum{"
			     "listener=\"staff\",route=\"/h\"}") == 20.0085);
	free(t);
}

static void
test_bounded(void **state)
{
	char kind[32], *t;
	double before, after;
	size_t lines = 0;

	(void)state;
	t = dump();
	before = value(t, "gatehouse_metrics_series_dropped_total");
	free(t);
	for (int i = 0; i < METRICS_MAX_SERIES + 10; i++) {
		snprintf(kind, sizeof(kind), "k%d", i);
		metrics_dlp_block(kind);
	}
	t = dump();
	after = value(t, "gatehouse_metrics_series_dropped_total");
	for (const char *p = strstr(t, "\ngatehouse_dlp_blocks_total{"); p;
	     p = strstr(p + 1, "\ngatehouse_dlp_blocks_total{"))
		lines++;
	assert_int_equal(lines, METRICS_MAX_SERIES);
	/* The family held one set before (test_escaping_and_fixed_sets). */
	assert_true(after - before == 11);
	assert_true(value(t, "gatehouse_dlp_blocks_total{kind=\"k0\"}") == 1);
	assert_true(value(t, "gatehouse_dlp_blocks_total{kind=\"k2046\"}") == 1);
	assert_true(value(t, "gatehouse_dlp_blocks_total{kind=\"k2047\"}") < 0);
	free(t);
}

/* A label set found again by its strings' addresses is the one found by
 * their text: another copy of the same route counts on the same series. */
static void
test_same_text_other_address(void **state)
{
	char *copy = strdup("/same");
	char *t;

	(void)state;
	metrics_request("public", "/same", "POST", 201, 100);
	metrics_request("public", "/same", "POST", 201, 100);
	metrics_request("public", copy, "POST", 201, 100);
	t = dump();
	assert_true(value(t, "gatehouse_http_requests_total{listener=\"public\","
			     "route=\"/same\",method=\"POST\",status=\"201\"}") ==
		    3);
	assert_true(value(t, "gatehouse_http_request_duration_seconds_count{"
			     "listener=\"public\",route=\"/same\"}") == 3);
	free(t);
	free(copy); /* never reused by the registry after this test */
}

static void *
hammer(void *arg)
{
	(void)arg;
	for (int i = 0; i < 20000; i++) {
		metrics_login("staff", "ok");
		metrics_request("staff", "/t", "GET", 200, 1);
		metrics_inc(METRIC_STORE_TX_RETRIES);
	}
	return NULL;
}

static void
test_threads(void **state)
{
	pthread_t th[4];
	char *t;

	(void)state;
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL, hammer, NULL), 0);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	t = dump();
	assert_true(value(t, "gatehouse_logins_total{realm=\"staff\","
			     "result=\"ok\"}") == 80000);
	assert_true(value(t, "gatehouse_store_tx_retries_total") == 80000);
	assert_true(value(t, "gatehouse_http_requests_total{listener=\"staff\","
			     "route=\"/t\",method=\"GET\",status=\"200\"}") ==
		    80000);
	assert_true(value(t, "gatehouse_http_request_duration_seconds_bucket{"
			     "listener=\"staff\",route=\"/t\",le=\"+Inf\"}") ==
		    80000);
	free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escaping_and_fixed_sets),
		cmocka_unit_test(test_histogram),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_same_text_other_address),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
