/*
 * The worker pool (core/workpool.c): a full queue is refused at once
 * while a job runs; every accepted job runs its work and its completion
 * exactly once; shutdown runs every queued job before it returns and
 * refuses new ones meanwhile. A gate (a job that waits until the test
 * opens it) holds the workers, so no test depends on timing.
 */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "core/workpool.h"
#include "util/errors.h"

struct gate {
	pthread_mutex_t lock;
	pthread_cond_t cv;
	int open;
	int entered; /* gate jobs running */
};

static struct gate g_gate = {PTHREAD_MUTEX_INITIALIZER,
			     PTHREAD_COND_INITIALIZER, 0, 0};

struct counts {
	pthread_mutex_t lock;
	int work;
	int done;
	int order_ok; /* every done ran after its own work */
};

struct jobarg {
	struct counts *c;
	int worked;
	struct workpool *pool; /* for a job that submits during shutdown */
	int submit_rc;
};

static void
gate_reset(void)
{
	pthread_mutex_lock(&g_gate.lock);
	g_gate.open = 0;
	g_gate.entered = 0;
	pthread_mutex_unlock(&g_gate.lock);
}

static void
gate_work(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&g_gate.lock);
	g_gate.entered++;
	pthread_cond_broadcast(&g_gate.cv);
	while (!g_gate.open)
		pthread_cond_wait(&g_gate.cv, &g_gate.lock);
	pthread_mutex_unlock(&g_gate.lock);
}

/* Waits until n gate jobs run (the workers are all held). */
static void
gate_wait_entered(int n)
{
	pthread_mutex_lock(&g_gate.lock);
	while (g_gate.entered < n)
		pthread_cond_wait(&g_gate.cv, &g_gate.lock);
	pthread_mutex_unlock(&g_gate.lock);
}

static void
gate_open(void)
{
	pthread_mutex_lock(&g_gate.lock);
	g_gate.open = 1;
	pthread_cond_broadcast(&g_gate.cv);
	pthread_mutex_unlock(&g_gate.lock);
}

static void
count_work(void *arg)
{
	struct jobarg *j = arg;

	pthread_mutex_lock(&j->c->lock);
	j->c->work++;
	j->worked = 1;
	pthread_mutex_unlock(&j->c->lock);
	if (j->pool != NULL)
		j->submit_rc = workpool_submit(j->pool, count_work, NULL, j);
}

static void
count_done(void *arg)
{
	struct jobarg *j = arg;

	pthread_mutex_lock(&j->c->lock);
	j->c->done++;
	if (!j->worked)
		j->c->order_ok = 0;
	pthread_mutex_unlock(&j->c->lock);
}

/* Sizes out of range are refused. */
static void
test_bad_sizes(void **state)
{
	struct workpool *p = NULL;

	(void)state;
	assert_int_equal(workpool_create(0, 4, "t", &p), -GH_BAD_FIELD);
	assert_int_equal(workpool_create(1, 0, "t", &p), -GH_BAD_FIELD);
	assert_int_equal(workpool_create(65, 4, "t", &p), -GH_BAD_FIELD);
	assert_null(p);
}

/* One worker held by the gate, a queue of 2: two more jobs wait, the
 * third is refused at once with -GH_SERVER_BUSY and never runs (and
 * workpool_has_room said so first); once the gate opens the two queued
 * ones run. */
static void
test_full_queue_refused_at_once(void **state)
{
	struct counts c = {PTHREAD_MUTEX_INITIALIZER, 0, 0, 1};
	struct jobarg a[3] = {{.c = &c}, {.c = &c}, {.c = &c}};
	struct workpool *p = NULL;

	(void)state;
	gate_reset();
	assert_int_equal(workpool_create(1, 2, "t", &p), 0);
	assert_int_equal(workpool_submit(p, gate_work, NULL, NULL), 0);
	gate_wait_entered(1);
	assert_int_equal(workpool_submit(p, count_work, count_done, &a[0]), 0);
	assert_true(workpool_has_room(p));
	assert_int_equal(workpool_submit(p, count_work, count_done, &a[1]), 0);
	assert_int_equal(workpool_load(p), 3);
	assert_false(workpool_has_room(p));
	assert_int_equal(workpool_submit(p, count_work, count_done, &a[2]),
			 -GH_SERVER_BUSY);
	gate_open();
	workpool_destroy(p);
	assert_int_equal(c.work, 2);
	assert_int_equal(c.done, 2);
	assert_int_equal(a[2].worked, 0);
	assert_true(c.order_ok);
}

/* Many jobs over four workers: each work and each completion exactly
 * once, the completion after its work. */
static void
test_all_jobs_complete(void **state)
{
	enum { N = 2000 };
	struct counts c = {PTHREAD_MUTEX_INITIALIZER, 0, 0, 1};
	struct jobarg *a = calloc(N, sizeof(*a));
	struct workpool *p = NULL;
	int accepted = 0;

	(void)state;
	assert_non_null(a);
	assert_int_equal(workpool_create(4, N, "t", &p), 0);
	for (int i = 0; i < N; i++) {
		a[i].c = &c;
		if (workpool_submit(p, count_work, count_done, &a[i]) == 0)
			accepted++;
	}
	assert_int_equal(accepted, N);
	workpool_destroy(p);
	assert_int_equal(c.work, N);
	assert_int_equal(c.done, N);
	assert_true(c.order_ok);
	for (int i = 0; i < N; i++)
		assert_int_equal(a[i].worked, 1);
	free(a);
}

static void *
destroy_thread(void *cls)
{
	workpool_destroy(cls);
	return NULL;
}

/* Shutdown while a job runs and others wait: new submissions are refused
 * (-GH_UNAVAILABLE, even from a job), and every job accepted before runs
 * to its completion before workpool_destroy returns. */
static void
test_shutdown_drains(void **state)
{
	struct counts c = {PTHREAD_MUTEX_INITIALIZER, 0, 0, 1};
	struct jobarg a[80];
	struct workpool *p = NULL;
	pthread_t t;
	int accepted = 0;
	int rc = 0;

	(void)state;
	gate_reset();
	assert_int_equal(workpool_create(1, 64, "t", &p), 0);
	assert_int_equal(workpool_submit(p, gate_work, NULL, NULL), 0);
	gate_wait_entered(1);
	a[0] = (struct jobarg){.c = &c, .pool = p, .submit_rc = 1};
	assert_int_equal(workpool_submit(p, count_work, count_done, &a[0]), 0);
	accepted = 1;
	assert_int_equal(pthread_create(&t, NULL, destroy_thread, p), 0);
	/* Until the shutdown starts, jobs are still taken (at most 63
	 * more: then the queue is full and the slot is tried again). */
	for (int i = 1; rc != -GH_UNAVAILABLE; i++) {
		assert_true(i < 80);
		a[i] = (struct jobarg){.c = &c};
		rc = workpool_submit(p, count_work, count_done, &a[i]);
		if (rc == 0)
			accepted++;
		else if (rc == -GH_SERVER_BUSY)
			i--;
		if (rc != -GH_UNAVAILABLE)
			sched_yield();
	}
	gate_open();
	pthread_join(t, NULL);
	assert_int_equal(c.work, accepted);
	assert_int_equal(c.done, accepted);
	assert_int_equal(a[0].submit_rc, -GH_UNAVAILABLE);
	assert_true(c.order_ok);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_sizes),
		cmocka_unit_test(test_full_queue_refused_at_once),
		cmocka_unit_test(test_all_jobs_complete),
		cmocka_unit_test(test_shutdown_drains),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
