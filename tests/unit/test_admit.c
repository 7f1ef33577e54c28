/* Admission at accept (http/admit.c, issue 14 FLOOD): the budget of new
 * connections a second (token bucket, injected clock), the exemption of
 * addresses that hold a connection, the staff network allow-list, the
 * table of connected addresses under many opens and closes, and the
 * bounds of [server] new_connections_per_second. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/config.h"
#include "crypto/crypto.h"
#include "http/admit.h"
#include "util/log.h"

#define SEC 1000000

static struct sockaddr_in
v4(const char *text)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, text, &a.sin_addr), 1);
	return a;
}

/* The i-th address of 10.0.0.0/8. */
static struct sockaddr_in
nth(unsigned i)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(0x0a000000u + i);
	return a;
}

static enum admit_verdict
check(struct admit *a, const struct sockaddr_in *s, int64_t now_us)
{
	return admit_check(a, (const struct sockaddr *)s, sizeof(*s), now_us);
}

/* ASVS 6.3.1 [2.2.1] (anti-automation): past the budget, fresh addresses are
 * refused; the bucket refills at the rate and holds one second's worth. */
static void
test_budget(void **state)
{
	struct admit *a;
	struct sockaddr_in s;
	int64_t t = 100 * (int64_t)SEC;

	(void)state;
	assert_int_equal(admit_new("t", NULL, 0, 3, 64, &a), 0);
	for (unsigned i = 0; i < 3; i++) {
		s = nth(i);
		assert_int_equal(check(a, &s, t), ADMIT_YES);
	}
	s = nth(3);
	assert_int_equal(check(a, &s, t), ADMIT_OVER_BUDGET);
	/* A third of a second gives one token back. */
	assert_int_equal(check(a, &s, t + SEC / 3 + 1), ADMIT_YES);
	assert_int_equal(check(a, &s, t + SEC / 3 + 2), ADMIT_OVER_BUDGET);
	/* A long pause refills the bucket to one second's worth, no more. */
	t += 3600 * (int64_t)SEC;
	for (unsigned i = 0; i < 3; i++) {
		s = nth(10 + i);
		assert_int_equal(check(a, &s, t), ADMIT_YES);
	}
	s = nth(20);
	assert_int_equal(check(a, &s, t), ADMIT_OVER_BUDGET);
	admit_free(a);
}

/* An address that holds a connection is served past the budget and takes
 * no token; once its last connection closes it is fresh again. */
static void
test_connected_exempt(void **state)
{
	struct admit *a;
	struct sockaddr_in console = v4("127.0.0.1"), other = v4("127.9.9.9");
	int64_t t = 5 * (int64_t)SEC;

	(void)state;
	assert_int_equal(admit_new("t", NULL, 0, 1, 64, &a), 0);
	assert_int_equal(check(a, &console, t), ADMIT_YES);
	admit_opened(a, (struct sockaddr *)&console);
	assert_int_equal(check(a, &other, t), ADMIT_OVER_BUDGET);
	for (int i = 0; i < 50; i++)
		assert_int_equal(check(a, &console, t), ADMIT_YES);
	admit_opened(a, (struct sockaddr *)&console);
	assert_int_equal(admit_open_addresses(a), 1);
	admit_closed(a, (struct sockaddr *)&console);
	assert_int_equal(check(a, &console, t), ADMIT_YES);
	admit_closed(a, (struct sockaddr *)&console);
	assert_int_equal(admit_open_addresses(a), 0);
	assert_int_equal(check(a, &console, t), ADMIT_OVER_BUDGET);
	/* A second later a fresh address gets the token back. */
	assert_int_equal(check(a, &other, t + SEC), ADMIT_YES);
	admit_free(a);
}

/* ASVS 8.4.2 [4.3.1] (the admin interface's network layer): the staff
 * listener serves only its networks, before the budget is looked at. */
static void
test_networks(void **state)
{
	struct cidr nets[2];
	struct admit *a;
	struct sockaddr_in in = v4("10.8.1.2"), out = v4("127.0.0.1");
	struct sockaddr_in6 six;

	(void)state;
	assert_int_equal(cidr_parse("10.8.0.0/16", &nets[0]), 0);
	assert_int_equal(cidr_parse("fd00::/8", &nets[1]), 0);
	assert_int_equal(admit_new("staff", nets, 2, 1000, 64, &a), 0);
	assert_int_equal(check(a, &in, SEC), ADMIT_YES);
	assert_int_equal(check(a, &out, SEC), ADMIT_OUTSIDE_NETWORK);
	memset(&six, 0, sizeof(six));
	six.sin6_family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, "fd00::7", &six.sin6_addr), 1);
	assert_int_equal(admit_check(a, (struct sockaddr *)&six, sizeof(six),
				     SEC),
			 ADMIT_YES);
	assert_int_equal(inet_pton(AF_INET6, "::1", &six.sin6_addr), 1);
	assert_int_equal(admit_check(a, (struct sockaddr *)&six, sizeof(six),
				     SEC),
			 ADMIT_OUTSIDE_NETWORK);
	/* A connected address outside the networks is still refused. */
	admit_opened(a, (struct sockaddr *)&out);
	assert_int_equal(check(a, &out, SEC), ADMIT_OUTSIDE_NETWORK);
	admit_closed(a, (struct sockaddr *)&out);
	admit_free(a);
}

/* The table stays exact while many addresses open and close in a mixed
 * order (deletion shifts entries back; none may be lost). */
static void
test_table(void **state)
{
	enum { N = 1500 };
	static unsigned char open[N];
	struct admit *a;
	struct sockaddr_in s;
	unsigned live = 0;
	uint32_t x = 7; /* xorshift: a fixed mixed order */

	(void)state;
	assert_int_equal(admit_new("t", NULL, 0, 1, N, &a), 0);
	s = nth(999999);
	assert_int_equal(check(a, &s, SEC), ADMIT_YES); /* the one token */
	for (unsigned i = 0; i < N; i++) {
		s = nth(i * 7919u);
		admit_opened(a, (struct sockaddr *)&s);
		open[i] = 1;
	}
	live = N;
	for (unsigned round = 0; round < 4 * N; round++) {
		unsigned i;

		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		i = x % N;

		s = nth(i * 7919u);
		if (open[i])
			admit_closed(a, (struct sockaddr *)&s);
		else
			admit_opened(a, (struct sockaddr *)&s);
		live += open[i] ? -1u : 1u;
		open[i] ^= 1;
	}
	assert_int_equal(admit_open_addresses(a), live);
	for (unsigned i = 0; i < N; i++) {
		s = nth(i * 7919u);
		assert_int_equal(check(a, &s, SEC),
				 open[i] ? ADMIT_YES : ADMIT_OVER_BUDGET);
	}
	admit_free(a);
}

/* Lines of f holding needle, and the sum of their "count" fields. */
static unsigned
lines_with(FILE *f, const char *needle, long long *count)
{
	char line[1024];
	unsigned n = 0;

	*count = 0;
	rewind(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		const char *c;

		if (strstr(line, needle) == NULL)
			continue;
		n++;
		c = strstr(line, "\"count\":");
		if (c != NULL)
			*count += strtoll(c + 8, NULL, 10);
	}
	return n;
}

/* ASVS 16.3.2 [7.2.2] (refusals logged): a flood of refusals writes
 * ADMIT_BURST lines a window and one summary with the count of the rest,
 * never a line each; the summary comes at the first refusal after the
 * window, or when the listener stops. */
static void
test_refusal_log(void **state)
{
	FILE *f = tmpfile();
	struct admit *a;
	struct sockaddr_in s;
	int64_t t = 1000 * (int64_t)SEC;
	long long count;

	(void)state;
	assert_non_null(f);
	log_init(f, LOG_INFO);
	assert_int_equal(admit_new("public", NULL, 0, 1, 64, &a), 0);
	s = nth(0);
	assert_int_equal(check(a, &s, t), ADMIT_YES);
	for (unsigned i = 1; i <= 100; i++) {
		s = nth(i);
		assert_int_equal(check(a, &s, t), ADMIT_OVER_BUDGET);
	}
	fflush(f);
	assert_int_equal(lines_with(f, "\"security.connection_refused\"",
				    &count),
			 ADMIT_BURST);
	assert_int_equal(lines_with(f, "connections_refused", &count), 0);
	/* The first refusal of the next window brings the summary. */
	t += (ADMIT_WINDOW + 1) * (int64_t)SEC;
	assert_int_equal(check(a, &s, t), ADMIT_YES);
	assert_int_equal(check(a, &s, t), ADMIT_OVER_BUDGET);
	fflush(f);
	assert_int_equal(lines_with(f, "connections_refused", &count), 1);
	assert_int_equal(count, 100 - ADMIT_BURST);
	assert_int_equal(lines_with(f, "\"security.connection_refused\"",
				    &count),
			 ADMIT_BURST + 1);
	for (unsigned i = 0; i < 10; i++)
		assert_int_equal(check(a, &s, t), ADMIT_OVER_BUDGET);
	admit_free(a); /* the 6 of this window past its first 5 */
	fflush(f);
	assert_int_equal(lines_with(f, "connections_refused", &count), 2);
	assert_int_equal(count, 100 - ADMIT_BURST + 6);
	log_init(stderr, LOG_INFO);
	fclose(f);
}

/* [server] new_connections_per_second: default 1000, 1 to 100,000. */
static void
test_config_bounds(void **state)
{
	char dir[] = "/tmp/gh-admit-XXXXXX";
	char path[64], err[256];
	const char *bad[] = {"0", "-5", "100001", "many"};
	struct config cfg;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/c.conf", dir);
	config_defaults(&cfg, dir);
	assert_int_equal(cfg.new_connections_per_second, 1000);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		f = fopen(path, "w");
		assert_non_null(f);
		fprintf(f, "[server]\nnew_connections_per_second = %s\n", bad[i]);
		fclose(f);
		config_defaults(&cfg, dir);
		assert_int_equal(config_load(&cfg, path, err, sizeof(err)), -1);
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("[server]\nnew_connections_per_second = 1\n", f);
	fclose(f);
	config_defaults(&cfg, dir);
	assert_int_equal(config_load(&cfg, path, err, sizeof(err)), 0);
	assert_int_equal(cfg.new_connections_per_second, 1);
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_budget),
		cmocka_unit_test(test_connected_exempt),
		cmocka_unit_test(test_networks),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_refusal_log),
		cmocka_unit_test(test_config_bounds),
	};

	if (crypto_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
