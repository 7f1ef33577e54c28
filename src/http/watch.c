/*
 * The connection watch: deadlines libmicrohttpd's idle timeout cannot
 * express. The idle timeout restarts with every byte, so a client that
 * trickles one header byte now and then would hold its connection for
 * ever; here every connection of a listener is on a list (added and
 * removed by MHD_OPTION_NOTIFY_CONNECTION) with the phase it is in, and a
 * sweep thread closes
 *   - a connection whose request headers are not complete by their
 *     deadline: [server] header_timeout seconds after the connection was
 *     accepted (TLS handshake included), or after the previous request
 *     ended plus connection_timeout (the keep-alive wait);
 *   - a connection whose request body, once it has lasted header_timeout
 *     seconds, averages less than [server] min_body_rate bytes a second.
 * A request being handled or answered has no deadline here (the idle
 * timeout still applies). Closing is shutdown(2) on the socket: the
 * connection's own event-loop thread then sees the end of the stream and
 * frees it as for any client that went away. Invariant: an entry is on
 * the list, under the lock, from its connection's start notification to
 * its close notification, which libmicrohttpd sends before it closes the
 * socket; the sweep touches a socket only under that lock, so it never
 * shuts down a descriptor that was closed and reused.
 */
#include "http/http_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "core/app.h"
#include "util/log.h"

/* Milliseconds between two sweeps. */
#define SWEEP_MS 250

enum conn_phase { PHASE_HEADERS = 0, PHASE_BODY, PHASE_BUSY };

struct conn_watch {
	struct conn_watch *prev;
	struct conn_watch *next;
	int fd;
	int closing;
	_Atomic int phase;
	_Atomic int64_t deadline_us; /* PHASE_HEADERS: headers by then */
	_Atomic int64_t body_start_us;
	_Atomic int64_t body_bytes;
};

struct watch {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	int running;
	int stop;
	struct conn_watch head; /* circular list; head is no connection */
	int64_t header_us;
	int64_t idle_us;
	int64_t min_rate;
	unsigned long closed_headers; /* since the last log line */
	unsigned long closed_body;
};

static void
watch_link(struct watch *w, struct conn_watch *cw)
{
	pthread_mutex_lock(&w->lock);
	cw->next = w->head.next;
	cw->prev = &w->head;
	w->head.next->prev = cw;
	w->head.next = cw;
	pthread_mutex_unlock(&w->lock);
}

static void
watch_unlink(struct watch *w, struct conn_watch *cw)
{
	pthread_mutex_lock(&w->lock);
	cw->prev->next = cw->next;
	cw->next->prev = cw->prev;
	pthread_mutex_unlock(&w->lock);
}

void
http_on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
		   enum MHD_ConnectionNotificationCode toe)
{
	struct listener *l = cls;
	struct watch *w = l->srv->watch;
	struct conn_watch *cw = *socket_context;
	const union MHD_ConnectionInfo *ci;

	if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		if (cw != NULL) {
			watch_unlink(w, cw);
			free(cw);
		}
		*socket_context = NULL;
		return;
	}
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	cw = calloc(1, sizeof(*cw));
	if (cw == NULL || ci == NULL) {
		free(cw);
		return;
	}
	cw->fd = ci->connect_fd;
	atomic_store(&cw->phase, PHASE_HEADERS);
	atomic_store(&cw->deadline_us, http_now_us() + w->header_us);
	*socket_context = cw;
	watch_link(w, cw);
}

/* The watch entry of connection c, or NULL (no memory at its start). */
static struct conn_watch *
conn_entry(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci != NULL ? ci->socket_context : NULL;
}

void
http_watch_headers_done(struct MHD_Connection *c)
{
	struct conn_watch *cw = conn_entry(c);

	if (cw == NULL)
		return;
	atomic_store(&cw->body_bytes, 0);
	atomic_store(&cw->body_start_us, http_now_us());
	atomic_store(&cw->phase, PHASE_BODY);
}

void
http_watch_body(struct MHD_Connection *c, size_t n)
{
	struct conn_watch *cw = conn_entry(c);

	if (cw != NULL)
		atomic_fetch_add(&cw->body_bytes, (int64_t)n);
}

void
http_watch_busy(struct MHD_Connection *c)
{
	struct conn_watch *cw = conn_entry(c);

	if (cw != NULL)
		atomic_store(&cw->phase, PHASE_BUSY);
}

void
http_watch_request_done(struct server *srv, struct MHD_Connection *c)
{
	struct conn_watch *cw = conn_entry(c);
	struct watch *w = srv->watch;

	if (cw == NULL)
		return;
	atomic_store(&cw->deadline_us,
		     http_now_us() + w->idle_us + w->header_us);
	atomic_store(&cw->phase, PHASE_HEADERS);
}

/* 1 when cw is past its deadline or below the body rate at now. */
static int
overdue(struct watch *w, struct conn_watch *cw, int64_t now)
{
	int phase = atomic_load(&cw->phase);
	int64_t t;

	if (phase == PHASE_HEADERS) {
		if (now <= atomic_load(&cw->deadline_us))
			return 0;
		w->closed_headers++;
		return 1;
	}
	if (phase != PHASE_BODY)
		return 0;
	t = now - atomic_load(&cw->body_start_us);
	if (t <= w->header_us ||
	    atomic_load(&cw->body_bytes) * 1000000 >= w->min_rate * t)
		return 0;
	w->closed_body++;
	return 1;
}

/* One pass over the list (lock held): shuts down the overdue. */
static void
sweep(struct watch *w)
{
	int64_t now = http_now_us();

	for (struct conn_watch *cw = w->head.next; cw != &w->head;
	     cw = cw->next) {
		if (cw->closing || !overdue(w, cw, now))
			continue;
		cw->closing = 1;
		(void)shutdown(cw->fd, SHUT_RDWR);
	}
	if (w->closed_headers + w->closed_body == 0)
		return;
	/* One line per sweep, however many: a slow-client flood must not
	 * flood the log too. */
	log_event(LOG_WARN, "security.slow_client_closed",
		  json_pack("{s:I, s:I}", "headers_late",
			    (json_int_t)w->closed_headers, "body_too_slow",
			    (json_int_t)w->closed_body));
	w->closed_headers = 0;
	w->closed_body = 0;
}

static void *
watch_main(void *arg)
{
	struct watch *w = arg;
	struct timespec ts;

	pthread_mutex_lock(&w->lock);
	while (!w->stop) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += SWEEP_MS * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		(void)pthread_cond_timedwait(&w->wake, &w->lock, &ts);
		if (!w->stop)
			sweep(w);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

int
http_watch_start(struct server *srv)
{
	const struct config *cfg = &srv->app->cfg;
	struct watch *w = calloc(1, sizeof(*w));
	pthread_condattr_t ca;

	if (w == NULL)
		return -1;
	pthread_mutex_init(&w->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->wake, &ca);
	pthread_condattr_destroy(&ca);
	w->head.next = &w->head;
	w->head.prev = &w->head;
	w->header_us = cfg->header_timeout * 1000000;
	w->idle_us = cfg->connection_timeout * 1000000;
	w->min_rate = cfg->min_body_rate;
	srv->watch = w;
	if (pthread_create(&w->thread, NULL, watch_main, w) != 0)
		return -1;
	w->running = 1;
	return 0;
}

void
http_watch_stop(struct server *srv)
{
	struct watch *w = srv->watch;

	if (w == NULL)
		return;
	if (w->running) {
		pthread_mutex_lock(&w->lock);
		w->stop = 1;
		pthread_cond_signal(&w->wake);
		pthread_mutex_unlock(&w->lock);
		pthread_join(w->thread, NULL);
	}
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	free(w);
	srv->watch = NULL;
}
