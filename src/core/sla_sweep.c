/*
 * The SLA sweep thread (see core/sla.h): every [sla] sweep_seconds it
 * takes a store connection and brings up to date the tickets whose next
 * check is due at the SLA clock (sla_sweep), so a ticket nobody touches
 * still breaches on time. One thread per process; sla_sweep_stop wakes
 * and joins it.
 *
 * Invariant: the thread holds a store connection only during a round,
 * never while it waits.
 */
#include "core/sla.h"

#include <pthread.h>
#include <time.h>

#include "util/errors.h"
#include "util/log.h"

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	int running, stop;
	struct app *app;
} S = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

static void
sweep_round(struct app *app)
{
	struct store_conn *c = store_acquire(app->store);
	int rc, n = 0;

	if (c == NULL)
		return;
	rc = sla_sweep(app, c, sla_clock((int64_t)time(NULL)), &n);
	store_release(app->store, c);
	if (rc < 0)
		log_event(LOG_WARN, "sla.sweep_failed",
			  json_pack("{s:s}", "error", err_code(rc)));
	else if (n > 0)
		log_event(LOG_DEBUG, "sla.swept",
			  json_pack("{s:i}", "tickets", n));
}

static void *
run(void *arg)
{
	struct app *app = arg;

	pthread_mutex_lock(&S.lock);
	while (!S.stop) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += (time_t)app->cfg.sla_sweep_seconds;
		pthread_cond_timedwait(&S.cond, &S.lock, &ts);
		if (S.stop)
			break;
		pthread_mutex_unlock(&S.lock);
		sweep_round(app);
		pthread_mutex_lock(&S.lock);
	}
	pthread_mutex_unlock(&S.lock);
	return NULL;
}

int
sla_sweep_start(struct app *app)
{
	int rc = -1;

	if (sla_clock(0) != 0)
		log_event(LOG_WARN, "sla.test_clock",
			  json_pack("{s:I}", "offset", (json_int_t)sla_clock(0)));
	pthread_mutex_lock(&S.lock);
	if (!S.running) {
		S.app = app;
		S.stop = 0;
		if (pthread_create(&S.thread, NULL, run, app) == 0) {
			S.running = 1;
			rc = 0;
		}
	}
	pthread_mutex_unlock(&S.lock);
	return rc;
}

void
sla_sweep_stop(void)
{
	pthread_mutex_lock(&S.lock);
	if (!S.running) {
		pthread_mutex_unlock(&S.lock);
		return;
	}
	S.stop = 1;
	pthread_cond_signal(&S.cond);
	pthread_mutex_unlock(&S.lock);
	pthread_join(S.thread, NULL);
	pthread_mutex_lock(&S.lock);
	S.running = 0;
	S.app = NULL;
	pthread_mutex_unlock(&S.lock);
}
