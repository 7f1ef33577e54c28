/*
 * A clamd-protocol responder for tests and benchmarks (header-only, like
 * zipmini.h): listens on a Unix socket in a fresh directory under /tmp,
 * takes INSTREAM exchanges ("zINSTREAM\0", 4-byte big-endian chunk
 * lengths, a zero length) each on its own thread, and answers "stream:
 * Win.Test.EICAR_HDB-1 FOUND" for a stream holding the EICAR test
 * signature and "stream: OK" otherwise, NUL-ended, as clamd does. It is
 * not a virus scanner: it lets a test decide when a scan ends. Closed
 * (the default), the n-th scan answers only once n scans have been
 * released; open, every scan answers after delay_ms milliseconds.
 * Requires cmocka and pthreads; not for production.
 */
#ifndef GH_TESTS_CLAMDMINI_H
#define GH_TESTS_CLAMDMINI_H

#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define CLAMDMINI_EICAR                                                   \
	"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-"    \
	"FILE!$H+H*"

struct clamd {
	char dir[64];
	char path[100];
	int lfd;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned started;  /* scans whose stream has fully arrived */
	unsigned released; /* scans allowed to answer */
	int open;          /* answer every scan (after delay_ms) */
	unsigned delay_ms; /* an open scan's time */
	unsigned active;   /* connections being served */
	int stop;
};

/* One connection being served. */
struct clamd_conn {
	struct clamd *d;
	int fd;
};

static inline int
clamd_read_full(int fd, void *buf, size_t n)
{
	unsigned char *p = buf;

	while (n > 0) {
		ssize_t k = read(fd, p, n);

		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* Reads one INSTREAM exchange's stream; 1 when it holds the EICAR
 * signature, 0 when not, -1 on a broken exchange. */
static inline int
clamd_read_stream(int fd)
{
	char cmd[10];
	size_t cap = 1 << 20, len = 0;
	char *all = malloc(cap + 1);
	int found = -1;

	if (all == NULL || clamd_read_full(fd, cmd, sizeof(cmd)) < 0 ||
	    memcmp(cmd, "zINSTREAM", 10) != 0)
		goto out;
	for (;;) {
		unsigned char h[4];
		uint32_t n;

		if (clamd_read_full(fd, h, 4) < 0)
			goto out;
		n = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 |
		    (uint32_t)h[2] << 8 | h[3];
		if (n == 0)
			break;
		if (n > cap - len || clamd_read_full(fd, all + len, n) < 0)
			goto out;
		len += n;
	}
	all[len] = '\0';
	found = memmem(all, len, "EICAR-STANDARD-ANTIVIRUS", 24) != NULL;
out:
	free(all);
	return found;
}

/* One scan: the stream, then the answer once the test allows it. */
static inline void
clamd_serve_one(struct clamd *d, int fd)
{
	static const char ok[] = "stream: OK";
	static const char bad[] = "stream: Win.Test.EICAR_HDB-1 FOUND";
	int found = clamd_read_stream(fd);
	struct timespec nap = {(time_t)(d->delay_ms / 1000),
			       (long)(d->delay_ms % 1000) * 1000000L};
	unsigned mine;
	int open;

	pthread_mutex_lock(&d->mu);
	mine = ++d->started;
	pthread_cond_broadcast(&d->cv);
	while (!d->open && !d->stop && d->released < mine)
		pthread_cond_wait(&d->cv, &d->mu);
	open = d->open && !d->stop;
	pthread_mutex_unlock(&d->mu);
	if (open && d->delay_ms > 0)
		nanosleep(&nap, NULL);
	if (found == 1)
		(void)!send(fd, bad, sizeof(bad), MSG_NOSIGNAL);
	else if (found == 0)
		(void)!send(fd, ok, sizeof(ok), MSG_NOSIGNAL);
}

static inline void *
clamd_conn_main(void *arg)
{
	struct clamd_conn *k = arg;
	struct clamd *d = k->d;

	clamd_serve_one(d, k->fd);
	close(k->fd);
	free(k);
	pthread_mutex_lock(&d->mu);
	d->active--;
	pthread_cond_broadcast(&d->cv);
	pthread_mutex_unlock(&d->mu);
	return NULL;
}

/* Serves fd on a thread of its own. */
static inline void
clamd_spawn(struct clamd *d, int fd)
{
	struct clamd_conn *k = malloc(sizeof(*k));
	pthread_t th;

	if (k == NULL) {
		close(fd);
		return;
	}
	*k = (struct clamd_conn){d, fd};
	pthread_mutex_lock(&d->mu);
	d->active++;
	pthread_mutex_unlock(&d->mu);
	if (pthread_create(&th, NULL, clamd_conn_main, k) == 0) {
		pthread_detach(th);
		return;
	}
	clamd_conn_main(k);
}

static inline void *
clamd_main(void *arg)
{
	struct clamd *d = arg;

	for (;;) {
		struct pollfd p = {.fd = d->lfd, .events = POLLIN};
		int stop, fd;

		pthread_mutex_lock(&d->mu);
		stop = d->stop;
		pthread_mutex_unlock(&d->mu);
		if (stop)
			break;
		if (poll(&p, 1, 100) <= 0)
			continue;
		fd = accept(d->lfd, NULL, NULL);
		if (fd < 0)
			continue;
		clamd_spawn(d, fd);
	}
	return NULL;
}

static inline void
clamd_start(struct clamd *d)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};

	memset(d, 0, sizeof(*d));
	snprintf(d->dir, sizeof(d->dir), "/tmp/gh-clamd-XXXXXX");
	assert_non_null(mkdtemp(d->dir));
	snprintf(d->path, sizeof(d->path), "%s/clamd.sock", d->dir);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", d->path);
	d->lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(d->lfd >= 0);
	assert_int_equal(bind(d->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(d->lfd, 16), 0);
	pthread_mutex_init(&d->mu, NULL);
	pthread_cond_init(&d->cv, NULL);
	assert_int_equal(pthread_create(&d->th, NULL, clamd_main, d), 0);
}

static inline void
clamd_stop(struct clamd *d)
{
	pthread_mutex_lock(&d->mu);
	d->stop = 1;
	pthread_cond_broadcast(&d->cv);
	pthread_mutex_unlock(&d->mu);
	pthread_join(d->th, NULL);
	pthread_mutex_lock(&d->mu);
	while (d->active > 0)
		pthread_cond_wait(&d->cv, &d->mu);
	pthread_mutex_unlock(&d->mu);
	close(d->lfd);
	unlink(d->path);
	rmdir(d->dir);
	pthread_cond_destroy(&d->cv);
	pthread_mutex_destroy(&d->mu);
}

/* Open: every scan answers (after delay_ms); closed: each waits for a
 * release. */
static inline void
clamd_set_open(struct clamd *d, int open)
{
	pthread_mutex_lock(&d->mu);
	d->open = open;
	pthread_cond_broadcast(&d->cv);
	pthread_mutex_unlock(&d->mu);
}

static inline void
clamd_release(struct clamd *d, unsigned n)
{
	pthread_mutex_lock(&d->mu);
	d->released += n;
	pthread_cond_broadcast(&d->cv);
	pthread_mutex_unlock(&d->mu);
}

/* Waits until n scans have reached the responder. */
static inline void
clamd_wait_started(struct clamd *d, unsigned n)
{
	pthread_mutex_lock(&d->mu);
	while (d->started < n)
		pthread_cond_wait(&d->cv, &d->mu);
	pthread_mutex_unlock(&d->mu);
}


#endif
