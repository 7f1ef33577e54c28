/*
 * Deferred requests (defer.h). A job's state lives beside the request
 * (r->defer) under its own mutex, which orders the two threads that meet
 * there: the server thread that parks the connection (suspends it only
 * while the job is not done) and the worker that marks the job done
 * (resumes the connection only if it was suspended). So a job that ends
 * before the handler returns never resumes a connection that was not
 * suspended, and one that ends later always wakes it. In the
 * thread-per-connection mode the connection's own thread waits on the
 * job's condition variable instead of suspending.
 *
 * Invariant: in_flight counts jobs submitted and not yet completed; once
 * shutting_down is set no job is submitted, and defer_shutdown returns
 * only when in_flight is 0. A job whose request ended first (orphaned)
 * frees its own state when it completes.
 */
#include "http/defer.h"

#include <pthread.h>
#include <stdlib.h>

#include "core/workpool.h"
#include "http/http_int.h"
#include "util/errors.h"
#include "util/log.h"

/* Seconds a client is told to wait when a pool's queue is full. */
#define BUSY_RETRY_AFTER 2

struct defer {
	pthread_mutex_t lock;
	pthread_cond_t cv;  /* done, for a connection's own thread */
	struct MHD_Connection *conn;
	int own_thread;     /* thread per connection: wait, do not suspend */
	defer_work_fn work;
	defer_finish_fn finish;
	defer_release_fn release;
	void *arg;
	int done;      /* work has run */
	int suspended; /* the connection waits for done */
	int orphaned;  /* the request ended while the job ran */
	int finished;  /* finish has run */
};

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_idle = PTHREAD_COND_INITIALIZER;
static unsigned g_in_flight;
static int g_shutting_down;

static void
defer_destroy(struct defer *d)
{
	d->release(d->arg);
	pthread_cond_destroy(&d->cv);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

static void
in_flight_end(void)
{
	pthread_mutex_lock(&g_lock);
	if (--g_in_flight == 0)
		pthread_cond_broadcast(&g_idle);
	pthread_mutex_unlock(&g_lock);
}

static void
job_work(void *cls)
{
	struct defer *d = cls;

	d->work(d->arg);
}

/* On the worker, after the work: wakes the parked connection. Nothing of
 * d is touched after the unlock (the server thread may free it). */
static void
job_done(void *cls)
{
	struct defer *d = cls;
	int orphaned;

	pthread_mutex_lock(&d->lock);
	d->done = 1;
	pthread_cond_signal(&d->cv);
	orphaned = d->orphaned;
	if (d->suspended && !orphaned) {
		d->suspended = 0;
		MHD_resume_connection(d->conn);
	}
	pthread_mutex_unlock(&d->lock);
	if (orphaned)
		defer_destroy(d);
	in_flight_end();
}

/* 1 when c's daemon runs a thread per connection. There the thread
 * waits for the job itself (it serves no other connection), since
 * libmicrohttpd 0.9.75 does not reliably wake a suspended connection in
 * that mode; with a polling thread pool the connection is suspended. */
static int
thread_per_connection(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_DAEMON);
	const union MHD_DaemonInfo *di =
		ci != NULL ? MHD_get_daemon_info(ci->daemon,
						 MHD_DAEMON_INFO_FLAGS)
			   : NULL;

	return di != NULL &&
	       (di->flags & MHD_USE_THREAD_PER_CONNECTION) != 0;
}

/* Counts a job in, unless shutting down: 0 or -GH_UNAVAILABLE. */
static int
in_flight_begin(void)
{
	int rc = 0;

	pthread_mutex_lock(&g_lock);
	if (g_shutting_down)
		rc = -GH_UNAVAILABLE;
	else
		g_in_flight++;
	pthread_mutex_unlock(&g_lock);
	return rc;
}

/* r's refusal for a full queue (or a shutdown): Retry-After, a log. */
static int
refuse(struct request *r, int rc)
{
	r->retry_after = BUSY_RETRY_AFTER;
	log_event(LOG_DEBUG, "http.deferral_refused",
		  json_pack("{s:s, s:s}", "request_id", r->request_id, "code",
			    err_code(rc)));
	return rc;
}

int
request_defer_room(struct request *r, struct workpool *pool)
{
	if (pool == NULL) {
		LOG_BUG("request deferred without a pool");
		return -GH_INTERNAL;
	}
	return workpool_has_room(pool) ? 0 : refuse(r, -GH_SERVER_BUSY);
}

int
request_defer(struct request *r, struct workpool *pool, defer_work_fn work,
	      defer_finish_fn finish, defer_release_fn release, void *arg)
{
	struct defer *d;
	int rc;

	if (r->defer != NULL || pool == NULL) {
		LOG_BUG("request deferred twice, or without a pool");
		return -GH_INTERNAL;
	}
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return -GH_INTERNAL;
	pthread_mutex_init(&d->lock, NULL);
	pthread_cond_init(&d->cv, NULL);
	d->own_thread = thread_per_connection(r->conn);
	d->conn = r->conn;
	d->work = work;
	d->finish = finish;
	d->release = release;
	d->arg = arg;
	rc = in_flight_begin();
	if (rc == 0) {
		rc = workpool_submit(pool, job_work, job_done, d);
		if (rc < 0)
			in_flight_end();
	}
	if (rc < 0) {
		pthread_cond_destroy(&d->cv);
		pthread_mutex_destroy(&d->lock);
		free(d);
		return refuse(r, rc);
	}
	/* No database connection is held while the job runs. */
	if (r->db != NULL) {
		store_release(r->app->store, r->db);
		r->db = NULL;
	}
	r->defer = d;
	return 0;
}

int
defer_continue(struct request *r, int *rc)
{
	struct defer *d = r->defer;

	if (d == NULL)
		return 0;
	pthread_mutex_lock(&d->lock);
	while (d->own_thread && !d->done)
		pthread_cond_wait(&d->cv, &d->lock);
	if (!d->done) {
		if (!d->suspended) {
			d->suspended = 1;
			MHD_suspend_connection(r->conn);
		}
		pthread_mutex_unlock(&d->lock);
		return 1;
	}
	pthread_mutex_unlock(&d->lock);
	if (!d->finished) {
		d->finished = 1;
		*rc = d->finish(r, d->arg);
	}
	return 0;
}

void
defer_free(struct request *r)
{
	struct defer *d = r->defer;
	int running;

	if (d == NULL)
		return;
	r->defer = NULL;
	pthread_mutex_lock(&d->lock);
	running = !d->done;
	if (running)
		d->orphaned = 1;
	pthread_mutex_unlock(&d->lock);
	if (!running)
		defer_destroy(d);
}

void
defer_shutdown(void)
{
	pthread_mutex_lock(&g_lock);
	g_shutting_down = 1;
	while (g_in_flight > 0)
		pthread_cond_wait(&g_idle, &g_lock);
	pthread_mutex_unlock(&g_lock);
}
