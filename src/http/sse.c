/*
 * Server-Sent Events streams (http/sse.h). Every stream is on one list
 * under g.lock with the bytes queued for it; its response's content
 * callback (reader) hands them out, and when none are queued suspends the
 * connection. The hub thread is the only one that queues bytes and
 * resumes connections, and the only one that moves g.last, the id of
 * the newest event dispatched: a new stream first gets its backlog (the
 * events after its Last-Event-ID up to g.last, read by the hub) and only
 * then the events after g.last, so none is lost or sent twice.
 *
 * Invariants: a connection is resumed only when its reader suspended it
 * (s->suspended, both under g.lock), as in defer.c. A stream is freed by
 * its response's free callback (the connection is done with it) unless
 * the hub holds it outside the lock (s->hub_refs), in which case the hub
 * frees it when it lets go. Nothing here holds a database connection while
 * a stream waits: the hub takes one for each read and gives it back.
 */
#include "http/sse.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/app.h"
#include "http/http_int.h"
#include "util/errors.h"
#include "util/log.h"

/* Bytes one response callback hands out at most. */
#define SSE_BLOCK 4096
/* A stream whose client does not read is ended past this much queued. */
#define SSE_QUEUE_MAX (256 * 1024)
/* Events read per batch, and at most for one stream's backlog. */
#define SSE_BATCH 256
#define SSE_BACKLOG_MAX 2048
/* Microseconds between two checks of a stream's session. */
#define SSE_CHECK_US 2000000
/* Seconds between two prunings of old events. */
#define SSE_PRUNE_EVERY 600
/* A stream's first bytes: how long a client waits before reconnecting. */
static const char sse_hello[] = "retry: 3000\n\n";

struct sse_stream {
	struct sse_stream *prev, *next;
	struct MHD_Connection *conn;
	enum listener_kind listener;
	struct ev_viewer v;
	int64_t cursor;	   /* the last event id it was given (or skipped) */
	int catchup;	   /* its backlog is still to be read by the hub */
	char *buf;
	size_t len, off, cap;
	int suspended;	   /* its reader suspended the connection */
	int closing;	   /* end once buf is drained */
	int dead;	   /* the connection let go; the hub still holds it */
	unsigned hub_refs;
	int64_t sent_us;   /* last bytes queued (heartbeats) */
	int64_t checked_us; /* last session check */
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t gone; /* a stream was freed */
	struct sse_stream head;
	unsigned n[3];       /* streams per listener (LISTEN_PUBLIC, _STAFF) */
	int running, stopping;
	pthread_t thread;
	struct app *app;
	int64_t last;	     /* hub: the newest event dispatched */
} g = {.lock = PTHREAD_MUTEX_INITIALIZER, .gone = PTHREAD_COND_INITIALIZER};

/* --- the stream list (g.lock held) ------------------------------------------ */

static void
stream_free(struct sse_stream *s)
{
	free(s->buf);
	free(s);
	pthread_cond_broadcast(&g.gone);
}

static void
stream_unlink(struct sse_stream *s)
{
	s->prev->next = s->next;
	s->next->prev = s->prev;
	s->prev = s->next = s;
	g.n[s->listener]--;
}

/* The hub lets go of s: freed if its connection already did. */
static void
stream_put(struct sse_stream *s)
{
	if (--s->hub_refs == 0 && s->dead)
		stream_free(s);
}

/* Wakes s's connection when its reader is waiting. */
static void
stream_wake(struct sse_stream *s)
{
	if (s->suspended && !s->dead) {
		s->suspended = 0;
		MHD_resume_connection(s->conn);
	}
}

/* Queues n bytes for s; past SSE_QUEUE_MAX the stream ends instead. */
static void
stream_queue(struct sse_stream *s, const char *p, size_t n, int64_t now_us)
{
	size_t cap;
	char *nb;

	if (s->closing || s->dead)
		return;
	if (s->len + n > SSE_QUEUE_MAX) {
		s->closing = 1;
		return;
	}
	if (s->len + n > s->cap) {
		cap = s->cap ? s->cap : 1024;
		while (cap < s->len + n)
			cap *= 2;
		nb = realloc(s->buf, cap);
		if (nb == NULL) {
			s->closing = 1;
			return;
		}
		s->buf = nb;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	s->sent_us = now_us;
}

/* Ends s (logout, shutdown): drained, then the end of the stream. */
static void
stream_end(struct sse_stream *s)
{
	s->closing = 1;
	stream_wake(s);
}

/* --- the connection's side ---------------------------------------------------- */

static ssize_t
reader(void *cls, uint64_t pos, char *out, size_t max)
{
	struct sse_stream *s = cls;
	ssize_t n = 0;

	(void)pos;
	pthread_mutex_lock(&g.lock);
	if (s->len > s->off) {
		size_t k = s->len - s->off < max ? s->len - s->off : max;

		memcpy(out, s->buf + s->off, k);
		s->off += k;
		if (s->off == s->len)
			s->off = s->len = 0;
		n = (ssize_t)k;
	} else if (s->closing) {
		n = MHD_CONTENT_READER_END_OF_STREAM;
	} else {
		/* Nothing to send: the connection waits off the event loop
		 * until the hub queues something and resumes it. */
		s->suspended = 1;
		MHD_suspend_connection(s->conn);
	}
	pthread_mutex_unlock(&g.lock);
	return n;
}

/* The response is gone: so is the connection's use of s. */
static void
reader_done(void *cls)
{
	struct sse_stream *s = cls;

	pthread_mutex_lock(&g.lock);
	stream_unlink(s);
	s->dead = 1;
	s->suspended = 0;
	if (s->hub_refs == 0)
		stream_free(s);
	pthread_mutex_unlock(&g.lock);
}

/* Wakes the streams of session token_hash with a comment: a stream whose
 * client went away (a closed tab, a reload) is then noticed and ends,
 * instead of holding its place until its next heartbeat. */
static void
probe_session(const char *token_hash, int64_t now_us)
{
	static const char probe[] = ": probe\n\n";

	for (struct sse_stream *s = g.head.next; s != &g.head; s = s->next) {
		if (strcmp(s->v.token_hash, token_hash) != 0 || s->catchup)
			continue;
		stream_queue(s, probe, sizeof(probe) - 1, now_us);
		stream_wake(s);
	}
}

/* 0, or the error refusing one more stream of v on listener. */
static int
stream_room(const struct ev_viewer *v, enum listener_kind listener)
{
	const struct config *cfg = &g.app->cfg;
	int64_t same = 0;

	if (!g.running || g.stopping)
		return -GH_UNAVAILABLE;
	for (struct sse_stream *s = g.head.next; s != &g.head; s = s->next)
		if (strcmp(s->v.token_hash, v->token_hash) == 0 && !s->closing)
			same++;
	if (same >= cfg->live_streams_per_session) {
		probe_session(v->token_hash, http_now_us());
		return -GH_TOO_MANY_STREAMS;
	}
	if ((int64_t)g.n[listener] >= cfg->live_streams_per_listener)
		return -GH_STREAMS_FULL;
	return 0;
}

int
sse_open(struct request *r, const struct ev_viewer *v, int64_t after)
{
	struct sse_stream *s = calloc(1, sizeof(*s));
	int rc;

	if (s == NULL)
		return -GH_INTERNAL;
	s->conn = r->conn;
	s->listener = r->listener;
	s->v = *v;
	s->cursor = after;
	s->catchup = 1;
	s->checked_us = http_now_us();
	pthread_mutex_lock(&g.lock);
	rc = stream_room(v, r->listener);
	if (rc == 0) {
		stream_queue(s, sse_hello, sizeof(sse_hello) - 1, s->checked_us);
		s->next = g.head.next;
		s->prev = &g.head;
		g.head.next->prev = s;
		g.head.next = s;
		g.n[s->listener]++;
		r->stream = s;
	}
	pthread_mutex_unlock(&g.lock);
	if (rc < 0) {
		free(s->buf);
		free(s);
		/* A stream of a tab that went away may free its place soon;
		 * a full server or one shutting down (503) a little later.
		 * Either way the refusal is chosen, not our bug. */
		r->retry_after = rc == -GH_TOO_MANY_STREAMS ? 3 : 5;
		return rc;
	}
	events_kick(); /* the hub reads its backlog */
	return 0;
}

int
sse_send(struct request *r)
{
	struct sse_stream *s = r->stream;
	struct MHD_Response *resp;
	enum MHD_Result ret;

	r->stream = NULL;
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, SSE_BLOCK,
						 reader, s, reader_done);
	if (resp == NULL) {
		/* No response will free s: let go of it as its free
		 * callback would (the hub may hold it for its backlog). */
		reader_done(s);
		return MHD_NO;
	}
	http_security_headers(resp, 0, 0);
	MHD_add_response_header(resp, "Content-Type", "text/event-stream");
	MHD_add_response_header(resp, "X-Request-Id", r->request_id);
	/* A stream that ends ends its connection too (shutdown, logout). */
	MHD_add_response_header(resp, "Connection", "close");
	r->status = 200;
	ret = MHD_queue_response(r->conn, 200, resp);
	MHD_destroy_response(resp);
	if (r->db != NULL) {
		store_release(r->app->store, r->db);
		r->db = NULL;
	}
	log_event(LOG_DEBUG, "http.stream",
		  json_pack("{s:s, s:s, s:I}", "request_id", r->request_id,
			    "realm", realm_name(r->actor.realm), "actor",
			    (json_int_t)r->actor.id));
	return ret;
}

/* --- the hub ------------------------------------------------------------------ */

/* Queues the frames of l's events after each stream's cursor to every
 * stream past its backlog, and moves g.last. */
static void
hub_dispatch(const struct event_list *l, int64_t now_us)
{
	char frame[EVENTS_FRAME_MAX];

	pthread_mutex_lock(&g.lock);
	for (struct sse_stream *s = g.head.next; s != &g.head; s = s->next) {
		if (s->catchup)
			continue;
		for (size_t i = 0; i < l->n; i++) {
			size_t n;

			if (l->v[i].id <= s->cursor)
				continue;
			s->cursor = l->v[i].id;
			n = events_frame(&s->v, &l->v[i], frame, sizeof(frame));
			if (n > 0)
				stream_queue(s, frame, n, now_us);
		}
		if (s->len > 0 || s->closing)
			stream_wake(s);
	}
	if (l->n > 0)
		g.last = l->v[l->n - 1].id;
	pthread_mutex_unlock(&g.lock);
}

/* Reads and dispatches every event after g.last. */
static void
hub_fetch(void)
{
	struct event_list l;
	size_t n;

	do {
		if (events_read(g.app, g.last, SSE_BATCH, &l) < 0)
			return;
		hub_dispatch(&l, http_now_us());
		n = l.n;
		event_list_clear(&l);
	} while (n == SSE_BATCH);
}

/* The frames of s's backlog (events after its cursor up to g.last) into
 * buf; 1 when there were more than SSE_BACKLOG_MAX (the client must
 * reload instead). */
static int
backlog_frames(const struct ev_viewer *v, int64_t cursor, char **buf,
	       size_t *len)
{
	char frame[EVENTS_FRAME_MAX];
	struct event_list l;
	size_t seen = 0;

	while (cursor < g.last && seen < SSE_BACKLOG_MAX) {
		if (events_read(g.app, cursor, SSE_BATCH, &l) < 0 || l.n == 0)
			break;
		for (size_t i = 0; i < l.n && l.v[i].id <= g.last; i++) {
			size_t n = events_frame(v, &l.v[i], frame, sizeof(frame));
			char *nb = n > 0 ? realloc(*buf, *len + n) : *buf;

			if (nb == NULL)
				break;
			*buf = nb;
			memcpy(*buf + *len, frame, n);
			*len += n;
		}
		seen += l.n;
		cursor = l.v[l.n - 1].id;
		event_list_clear(&l);
	}
	return cursor < g.last;
}

/* The first stream still waiting for its backlog, held; NULL if none. */
static struct sse_stream *
hub_next_catchup(void)
{
	struct sse_stream *s;

	pthread_mutex_lock(&g.lock);
	for (s = g.head.next; s != &g.head; s = s->next)
		if (s->catchup && !s->closing)
			break;
	if (s == &g.head)
		s = NULL;
	else
		s->hub_refs++;
	pthread_mutex_unlock(&g.lock);
	return s;
}

/* Gives each new stream its backlog, then the events as they come. */
static void
hub_catchup(void)
{
	static const char resync[] = "event: resync\ndata: {}\n\n";
	struct sse_stream *s;

	while ((s = hub_next_catchup()) != NULL) {
		char *buf = NULL;
		size_t len = 0;
		int more = 0;

		/* s->v and s->cursor change only on this thread. */
		if (s->cursor >= 0 && s->cursor < g.last)
			more = backlog_frames(&s->v, s->cursor, &buf, &len);
		pthread_mutex_lock(&g.lock);
		if (len > 0)
			stream_queue(s, buf, len, http_now_us());
		if (more)
			stream_queue(s, resync, sizeof(resync) - 1,
				     http_now_us());
		if (s->cursor < g.last)
			s->cursor = g.last;
		s->catchup = 0;
		stream_wake(s);
		stream_put(s);
		pthread_mutex_unlock(&g.lock);
		free(buf);
	}
}

/* Heartbeat comments for streams idle for [live] heartbeat_seconds
 * (kept under [server] connection_timeout), so proxies and clients keep
 * them and a client that went away is noticed. */
static void
hub_heartbeat(int64_t now_us)
{
	static const char beat[] = ": hb\n\n";
	const struct config *cfg = &g.app->cfg;
	int64_t every = cfg->live_heartbeat_seconds;

	if (every > cfg->connection_timeout / 2)
		every = cfg->connection_timeout / 2;
	every = (every > 1 ? every : 1) * 1000000;
	pthread_mutex_lock(&g.lock);
	for (struct sse_stream *s = g.head.next; s != &g.head; s = s->next) {
		if (now_us - s->sent_us < every || s->catchup)
			continue;
		stream_queue(s, beat, sizeof(beat) - 1, now_us);
		stream_wake(s);
	}
	pthread_mutex_unlock(&g.lock);
}

/* Up to max streams due for a session check, held, with their
 * viewers copied into v. */
static size_t
hub_due(struct sse_stream **held, struct ev_viewer *v, size_t max,
	int64_t now_us)
{
	size_t n = 0;

	pthread_mutex_lock(&g.lock);
	for (struct sse_stream *s = g.head.next; s != &g.head && n < max;
	     s = s->next) {
		if (s->closing || now_us - s->checked_us < SSE_CHECK_US)
			continue;
		s->checked_us = now_us;
		s->hub_refs++;
		held[n] = s;
		v[n++] = s->v;
	}
	pthread_mutex_unlock(&g.lock);
	return n;
}

/* Ends the streams whose session ended (logout, expiry, a disabled
 * account) and refreshes the others' roles and queues. */
static void
hub_check_sessions(int64_t now_us)
{
	enum { CHECK_BATCH = 64 };
	struct sse_stream *held[CHECK_BATCH];
	struct ev_viewer v[CHECK_BATCH];
	int alive[CHECK_BATCH];
	size_t n;

	do {
		n = hub_due(held, v, CHECK_BATCH, now_us);
		if (n == 0)
			return;
		events_viewers_check(g.app, v, n, alive, (int64_t)time(NULL));
		pthread_mutex_lock(&g.lock);
		for (size_t i = 0; i < n; i++) {
			if (alive[i])
				held[i]->v = v[i];
			else
				stream_end(held[i]);
			stream_put(held[i]);
		}
		pthread_mutex_unlock(&g.lock);
	} while (n == CHECK_BATCH);
}

/* How long the hub waits for news: not long while an event appended on
 * this node is not yet readable (its transaction has not committed),
 * for at most a second; the poll interval otherwise. */
static int
hub_timeout(int64_t newest, int64_t *pending_since_us, int64_t now_us)
{
	if (newest <= g.last) {
		*pending_since_us = 0;
		return (int)g.app->cfg.live_poll_ms;
	}
	if (*pending_since_us == 0)
		*pending_since_us = now_us;
	if (now_us - *pending_since_us > 1000000)
		return (int)g.app->cfg.live_poll_ms; /* rolled back */
	return 15;
}

static void *
hub_main(void *arg)
{
	uint64_t gen = 0;
	int64_t newest = 0, pending_since = 0, pruned = 0;
	int stopping = 0;

	(void)arg;
	while (!stopping) {
		int64_t now_us = http_now_us();
		int64_t now = (int64_t)time(NULL);

		newest = events_wait(&gen, hub_timeout(newest, &pending_since,
						       now_us));
		pthread_mutex_lock(&g.lock);
		stopping = g.stopping;
		pthread_mutex_unlock(&g.lock);
		if (stopping)
			break;
		hub_fetch();
		hub_catchup();
		now_us = http_now_us();
		hub_heartbeat(now_us);
		hub_check_sessions(now_us);
		if (now - pruned >= SSE_PRUNE_EVERY) {
			pruned = now;
			if (events_prune(g.app, now) < 0)
				log_event(LOG_WARN, "live.prune_failed", NULL);
		}
	}
	return NULL;
}

int
sse_start(struct server *srv)
{
	struct store_conn *c;
	int rc;

	g.app = srv->app;
	g.head.next = g.head.prev = &g.head;
	g.stopping = 0;
	c = store_acquire(g.app->store);
	rc = events_last_id(c, &g.last);
	store_release(g.app->store, c);
	if (rc < 0)
		return -1;
	if (pthread_create(&g.thread, NULL, hub_main, NULL) != 0)
		return -1;
	g.running = 1;
	return 0;
}

void
sse_stop(struct server *srv)
{
	struct timespec until;

	(void)srv;
	pthread_mutex_lock(&g.lock);
	if (!g.running) {
		pthread_mutex_unlock(&g.lock);
		return;
	}
	g.stopping = 1;
	for (struct sse_stream *s = g.head.next; s != &g.head; s = s->next)
		stream_end(s);
	pthread_mutex_unlock(&g.lock);
	events_kick();
	pthread_join(g.thread, NULL);
	/* The connections end their streams themselves: wait a little. */
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 3;
	pthread_mutex_lock(&g.lock);
	while (g.head.next != &g.head)
		if (pthread_cond_timedwait(&g.gone, &g.lock, &until) != 0)
			break;
	g.running = 0;
	pthread_mutex_unlock(&g.lock);
}
