/*
 * sd_notify readiness, status and watchdog for `serve` (see notify.h).
 * The watchdog thread holds no lock while it checks the store; it waits
 * between checks on a condition variable, so notify_watchdog_stop() ends
 * it at once unless a check is under way (a check is bounded by the
 * store's busy timeout).
 */
#include "cli/notify.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "util/log.h"

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	int running;
	int stop;
	uint64_t usec; /* WATCHDOG_USEC */
	struct app *app;
} wd = {.lock = PTHREAD_MUTEX_INITIALIZER,
      .cond = PTHREAD_COND_INITIALIZER};

void
notify_status(const char *status)
{
	(void)sd_notifyf(0, "STATUS=%s", status);
}

void
notify_ready(const char *status)
{
	(void)sd_notifyf(0, "READY=1\nSTATUS=%s", status);
}

void
notify_stopping(void)
{
	(void)sd_notify(0, "STOPPING=1\nSTATUS=stopping: finishing the "
			   "requests in flight");
}

static uint64_t
mono_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* The store answers: a pooled connection opens and rolls back a write
 * transaction. 0 or a store error. */
static int
store_alive(struct app *app)
{
	struct store_conn *c = store_acquire(app->store);
	int rc = c->ops->begin(c);

	if (rc == 0)
		rc = c->ops->rollback(c);
	store_release(app->store, c);
	return rc;
}

/* Waits until the next check is due (the monotonic clock of the
 * condition) or a stop. 1 when stopping. */
static int
wait_next(uint64_t interval)
{
	struct timespec until;
	int stop;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += (time_t)(interval / 1000000u);
	until.tv_nsec += (long)(interval % 1000000u) * 1000;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&wd.lock);
	while (!wd.stop &&
	       pthread_cond_timedwait(&wd.cond, &wd.lock, &until) != ETIMEDOUT)
		;
	stop = wd.stop;
	pthread_mutex_unlock(&wd.lock);
	return stop;
}

/* One check; pings when it passed in time. failing says whether the
 * last one failed; returns whether this one did. */
static int
check_once(uint64_t interval, int failing)
{
	uint64_t t0 = mono_usec();
	int rc = store_alive(wd.app);
	uint64_t took = mono_usec() - t0;

	if (rc == 0 && took <= interval) {
		(void)sd_notify(0, "WATCHDOG=1");
		if (failing) {
			log_event(LOG_INFO, "watchdog.recovered", NULL);
			notify_status("serving");
		}
		return 0;
	}
	log_event(LOG_ERROR, "watchdog.store_slow",
		  json_pack("{s:I, s:b}", "ms", (json_int_t)(took / 1000u),
			    "failed", rc != 0));
	notify_status("the store does not answer in time: watchdog "
		      "withheld");
	return 1;
}

static void *
watchdog_main(void *arg)
{
	uint64_t interval = wd.usec / 2;
	int failing = 0;

	(void)arg;
	do
		failing = check_once(interval, failing);
	while (!wait_next(interval));
	return NULL;
}

int
notify_watchdog_start(struct app *app)
{
	pthread_condattr_t ca;
	uint64_t usec = 0;

	if (sd_watchdog_enabled(0, &usec) <= 0 || usec < 2)
		return 0;
	wd.usec = usec;
	wd.app = app;
	wd.stop = 0;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_destroy(&wd.cond);
	pthread_cond_init(&wd.cond, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&wd.thread, NULL, watchdog_main, NULL) != 0)
		return -1;
	wd.running = 1;
	log_event(LOG_INFO, "watchdog.started",
		  json_pack("{s:I}", "interval_ms",
			    (json_int_t)(usec / 2000u)));
	return 0;
}

void
notify_watchdog_stop(void)
{
	if (!wd.running)
		return;
	pthread_mutex_lock(&wd.lock);
	wd.stop = 1;
	pthread_cond_signal(&wd.cond);
	pthread_mutex_unlock(&wd.lock);
	pthread_join(wd.thread, NULL);
	wd.running = 0;
	wd.app = NULL;
}
