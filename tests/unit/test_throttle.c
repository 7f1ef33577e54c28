/*
 * Throttling (core/throttle.c) over a real SQLite store: growing delays,
 * then the lock; a refused attempt counts nothing on any key; a success
 * clears the account key and gives the address its attempt back; threads
 * on their own store connections reserving at once get exactly the
 * attempts the rule allows; addresses count per IPv6 /64.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/app.h"
#include "core/throttle.h"
#include "util/errors.h"

#define N_THREADS 8

struct fx {
	char dir[64];
	struct app app;
	struct store_conn *c;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char url[128];

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/gh-test-throttle-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	config_defaults(&f->app.cfg, f->dir);
	f->app.cfg.login_free_failures = 2;
	f->app.cfg.login_max_failures = 5;
	f->app.cfg.login_ip_free_failures = 3;
	f->app.cfg.login_delay_base_seconds = 2;
	f->app.cfg.login_delay_max_seconds = 60;
	snprintf(url, sizeof(url), "sqlite:%s/db", f->dir);
	if (store_open(url, N_THREADS + 1, &f->app.store) != 0)
		return -1;
	f->c = store_acquire(f->app.store);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[160];

	store_release(f->app.store, f->c);
	store_close(f->app.store);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	(void)!system(cmd);
	free(f);
	return 0;
}

/* One attempt on key (of kind) at now: 0 or -GH_TOO_MANY_ATTEMPTS. */
static int
attempt(struct fx *f, const char *key, enum throttle_kind kind, int64_t now,
	int64_t *retry)
{
	struct throttle_claim k = {.key = key, .kind = kind};

	return throttle_reserve(&f->app, f->c, &k, 1, now, retry);
}

static int64_t
failures(struct fx *f, const char *key)
{
	struct throttle_rec t;
	int rc = f->c->ops->throttle_get(f->c, key, &t);

	if (rc == -GH_NOT_FOUND)
		return 0;
	assert_int_equal(rc, 0);
	return t.failures;
}

/* Growing delays (2, 4, 8 s after 2 free failures), then the lock at 5,
 * which holds until the key is cleared. Each attempt is a failure. */
static void
test_delays_then_lock(void **state)
{
	struct fx *f = *state;
	const char *k = "acct:test";
	int64_t retry = 0;

	assert_int_equal(attempt(f, k, THROTTLE_ACCOUNT, 1000, &retry), 0);
	assert_int_equal(attempt(f, k, THROTTLE_ACCOUNT, 1000, &retry), 0);
	assert_int_equal(attempt(f, k, THROTTLE_ACCOUNT, 1001, &retry),
			 -GH_TOO_MANY_ATTEMPTS); /* 2: 2 s */
	assert_int_equal(retry, 1);
	assert_int_equal(attempt(f, k, THROTTLE_ACCOUNT, 1002, &retry), 0);
	assert_int_equal(attempt(f, k, THROTTLE_ACCOUNT, 1005, &retry),
			 -GH_TOO_MANY_ATTEMPTS); /* 3: 4 s */
	assert_int_equal(retry, 1);
	assert_int_equal(attempt(f, k, THROTTLE_ACCOUNT, 1006, &retry), 0);
	assert_int_equal(attempt(f, k, THROTTLE_ACCOUNT, 1013, &retry),
			 -GH_TOO_MANY_ATTEMPTS); /* 4: 8 s */
	assert_int_equal(attempt(f, k, THROTTLE_ACCOUNT, 1020, &retry), 0);
	assert_int_equal(failures(f, k), 5);
	assert_int_equal(attempt(f, k, THROTTLE_ACCOUNT, 999999999, &retry),
			 -GH_TOO_MANY_ATTEMPTS); /* 5: locked */
	assert_int_equal(retry, 3600);
	assert_int_equal(failures(f, k), 5);
	assert_int_equal(throttle_clear(f->c, k), 0);
	assert_int_equal(attempt(f, k, THROTTLE_ACCOUNT, 1020, &retry), 0);
	/* An address is never locked: its delays stop at the maximum. */
	for (int64_t i = 0; i < 12; i++)
		assert_int_equal(attempt(f, "ip:192.0.2.1", THROTTLE_ADDRESS,
					 2000 + 100 * i, &retry),
				 0);
	assert_int_equal(attempt(f, "ip:192.0.2.1", THROTTLE_ADDRESS, 3101,
				 &retry),
			 -GH_TOO_MANY_ATTEMPTS);
	assert_int_equal(retry, 59);
}

/* When one key of an attempt is blocked, no key counts it. */
static void
test_refused_counts_nothing(void **state)
{
	struct fx *f = *state;
	struct throttle_claim both[2] = {
		{.key = "acct:both", .kind = THROTTLE_ACCOUNT},
		{.key = "ip:192.0.2.2", .kind = THROTTLE_ADDRESS},
	};
	int64_t retry = 0;

	for (int i = 0; i < 3; i++)
		assert_int_equal(attempt(f, "ip:192.0.2.2", THROTTLE_ADDRESS,
					 1000, &retry),
				 0);
	assert_int_equal(throttle_reserve(&f->app, f->c, both, 2, 1001, &retry),
			 -GH_TOO_MANY_ATTEMPTS);
	assert_int_equal(retry, 1);
	assert_int_equal(failures(f, "acct:both"), 0);
	assert_int_equal(failures(f, "ip:192.0.2.2"), 3);
}

/* A success clears the account key and refunds the address, lifting the
 * block its own reservation earned. */
static void
test_settle(void **state)
{
	struct fx *f = *state;
	struct throttle_claim both[2] = {
		{.key = "acct:settle", .kind = THROTTLE_ACCOUNT},
		{.key = "ip:192.0.2.3", .kind = THROTTLE_ADDRESS},
	};
	int64_t retry = 0;

	assert_int_equal(attempt(f, "ip:192.0.2.3", THROTTLE_ADDRESS, 1000,
				 &retry),
			 0);
	assert_int_equal(attempt(f, "ip:192.0.2.3", THROTTLE_ADDRESS, 1000,
				 &retry),
			 0);
	assert_int_equal(attempt(f, "acct:settle", THROTTLE_ACCOUNT, 1000,
				 &retry),
			 0);
	/* The third attempt on the address earns it a block ... */
	assert_int_equal(throttle_reserve(&f->app, f->c, both, 2, 1000, &retry),
			 0);
	assert_int_equal(both[1].held.blocked_until, 1002);
	assert_int_equal(attempt(f, "ip:192.0.2.3", THROTTLE_ADDRESS, 1001,
				 &retry),
			 -GH_TOO_MANY_ATTEMPTS);
	/* ... which goes with the attempt when it succeeds. */
	assert_int_equal(throttle_settle(f->c, both, 2), 0);
	assert_int_equal(failures(f, "acct:settle"), 0);
	assert_int_equal(failures(f, "ip:192.0.2.3"), 2);
	assert_int_equal(attempt(f, "ip:192.0.2.3", THROTTLE_ADDRESS, 1001,
				 &retry),
			 0);
}

struct racer {
	struct fx *f;
	pthread_barrier_t *go;
	int rc;
};

static void *
race_one(void *arg)
{
	struct racer *r = arg;
	struct store_conn *c = store_acquire(r->f->app.store);
	struct throttle_claim k = {.key = "acct:race", .kind = THROTTLE_ACCOUNT};
	int64_t retry = 0;

	pthread_barrier_wait(r->go);
	r->rc = throttle_reserve(&r->f->app, c, &k, 1, 5000, &retry);
	store_release(r->f->app.store, c);
	return NULL;
}

/* N_THREADS at the same second on their own connections: exactly the two
 * free failures pass; the second sets the block that refuses the rest. */
static void
test_parallel_reservations(void **state)
{
	struct fx *f = *state;
	struct racer r[N_THREADS];
	pthread_t th[N_THREADS];
	pthread_barrier_t go;
	int passed = 0;

	assert_int_equal(pthread_barrier_init(&go, NULL, N_THREADS), 0);
	for (int i = 0; i < N_THREADS; i++) {
		r[i] = (struct racer){f, &go, 0};
		assert_int_equal(pthread_create(&th[i], NULL, race_one, &r[i]),
				 0);
	}
	for (int i = 0; i < N_THREADS; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	pthread_barrier_destroy(&go);
	for (int i = 0; i < N_THREADS; i++) {
		if (r[i].rc == 0)
			passed++;
		else
			assert_int_equal(r[i].rc, -GH_TOO_MANY_ATTEMPTS);
	}
	assert_int_equal(passed, 2);
	assert_int_equal(failures(f, "acct:race"), 2);
}

/* IPv6 clients count per /64. */
static void
test_ip_keys(void **state)
{
	char a[80], b[80];

	(void)state;
	throttle_ip_key("2001:db8:1:2::5", a, sizeof(a));
	throttle_ip_key("2001:db8:1:2:ffff::9", b, sizeof(b));
	assert_string_equal(a, b);
	throttle_ip_key("2001:db8:1:3::5", b, sizeof(b));
	assert_string_not_equal(a, b);
	throttle_ip_key("192.0.2.9", b, sizeof(b));
	assert_string_equal(b, "ip:192.0.2.9");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_delays_then_lock, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_refused_counts_nothing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_settle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parallel_reservations,
						setup, teardown),
		cmocka_unit_test(test_ip_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
