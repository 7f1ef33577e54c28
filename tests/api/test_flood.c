/*
 * Admission at accept (issue 14, part FLOOD) against a real `gatehouse
 * serve`: past [server] new_connections_per_second, a burst of new
 * connections from fresh addresses is closed at accept (before TLS),
 * while the console's established connection keeps being served and a
 * second connection from its address is still taken; each listener has
 * its own budget; the refusals are logged a few one by one and the rest
 * in one summary, never a line per connection. Without the limit the
 * same burst is served (the control). The only time here is the
 * budget's own: a slow burst may be served a token a second.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"

#define BURST 20
/* Refusals logged one by one in a minute (http/admit.h ADMIT_BURST). */
#define ADMIT_BURST_LOGGED 5

/* One GET of path on a new connection from 127.77.0.(n+1) to the staff
 * listener: the status, or -1 when the connection was refused. */
static long
fresh_get(struct gh_server *s, unsigned n, const char *path)
{
	struct gh_client c;
	struct gh_resp r;
	char iface[48];
	long st;

	gh_client_init(&c, 1);
	snprintf(iface, sizeof(iface), "host!127.77.0.%u", n + 1);
	curl_easy_setopt(c.curl, CURLOPT_INTERFACE, iface);
	/* Not the system CA directory (read for each connection: slow). */
	curl_easy_setopt(c.curl, CURLOPT_CAPATH, NULL);
	curl_easy_setopt(c.curl, CURLOPT_TIMEOUT, 10L);
	st = gh_req(s, &c, "GET", path, NULL, NULL, &r);
	gh_resp_free(&r);
	gh_client_free(&c);
	return st;
}

/* A GET on c; *connects gets how many new connections it took. */
static long
get_counting(struct gh_server *s, struct gh_client *c, const char *path,
	     long *connects)
{
	struct gh_resp r;
	long st = gh_req(s, c, "GET", path, NULL, NULL, &r);

	gh_resp_free(&r);
	curl_easy_getinfo(c->curl, CURLINFO_NUM_CONNECTS, connects);
	return st;
}

/* The "count" of the log's security.connections_refused line for
 * listener, 0 when there is none. */
static long long
summary_count(struct gh_server *s, const char *listener)
{
	FILE *f = fopen(s->log, "r");
	char *line = NULL;
	size_t cap = 0;
	long long n = 0;

	assert_non_null(f);
	while (getline(&line, &cap, f) > 0) {
		json_t *j;

		if (strstr(line, "\"security.connections_refused\"") == NULL)
			continue;
		j = json_loads(line, 0, NULL);
		assert_non_null(j);
		if (strcmp(json_string_value(json_object_get(j, "listener")),
			   listener) == 0)
			n += json_integer_value(json_object_get(j, "count"));
		json_decref(j);
	}
	free(line);
	fclose(f);
	return n;
}

/* ASVS 6.3.1 [2.2.1] (anti-automation; no lockout of the console): one new
 * connection a second from fresh addresses; the rest of a burst is
 * closed at accept while the console goes on. */
static void
test_burst_refused_console_served(void **state)
{
	struct gh_server s;
	struct gh_user agent;
	struct gh_client console, second, portal;
	long refused = 0, connects = -1;
	struct timespec t0, t1;

	(void)state;
	gh_start(&s, "\n[server]\nnew_connections_per_second = 1\n");
	gh_add_staff(&s, "flood-agent@example.com", "agent", &agent);
	gh_client_init(&console, 1);
	sleep(1); /* the bucket holds its token */
	assert_int_equal(gh_login(&s, &console, &agent), 201);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned i = 0; i < BURST; i++)
		refused += fresh_get(&s, i, "/") == -1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* Served: at most the token left after the login and one a second
	 * of the burst (a loaded machine makes the burst longer). */
	assert_true(BURST - refused <= 2 + (long)(t1.tv_sec - t0.tv_sec));
	assert_true(refused > ADMIT_BURST_LOGGED);
	/* The console's connection is served, without a new connection. */
	assert_int_equal(get_counting(&s, &console, "/api/v1/staff/session",
				      &connects),
			 200);
	assert_int_equal(connects, 0);
	/* A second connection from the console's address is taken too. */
	gh_client_init(&second, 1);
	assert_int_equal(get_counting(&s, &second, "/", &connects), 200);
	assert_int_equal(connects, 1);
	/* The portal listener has a budget of its own. */
	gh_client_init(&portal, 0);
	assert_int_equal(get_counting(&s, &portal, "/", &connects), 200);
	assert_int_equal(connects, 1);
	gh_client_free(&second);
	gh_client_free(&portal);
	gh_client_free(&console);
	assert_int_equal(gh_stop(&s), 0);
	/* A few one by one, the rest in the summary written at the stop. */
	assert_true(gh_log_contains(&s, "\"security.connection_refused\""));
	assert_int_equal(summary_count(&s, "staff"),
			 refused - ADMIT_BURST_LOGGED);
	assert_int_equal(summary_count(&s, "public"), 0);
}

/* The control: with the default budget the same burst is served. */
static void
test_burst_served_by_default(void **state)
{
	struct gh_server s;
	long served = 0;

	(void)state;
	gh_start(&s, NULL);
	for (unsigned i = 0; i < BURST; i++)
		served += fresh_get(&s, i, "/") == 200;
	assert_int_equal(served, BURST);
	assert_int_equal(gh_stop(&s), 0);
	assert_false(gh_log_contains(&s, "connection_refused"));
	assert_false(gh_log_contains(&s, "connections_refused"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_refused_console_served),
		cmocka_unit_test(test_burst_served_by_default),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
