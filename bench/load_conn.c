/*
 * load_conn: the connection model under load (issue 14 part CONN), each
 * row beside a baseline measured in the same run, on loopback only and
 * bounded in time (about a minute):
 *   - slow clients: the latency of a normal request (new TLS connection,
 *     HEAD /) while N clients (default 4,000) from 127.0.0.2-9 hold
 *     connections by trickling a TLS record a byte a second, and 512
 *     more from 127.0.0.30-37 complete TLS and trickle a request's
 *     headers a byte a second, all reconnecting (a second later) whenever
 *     they are closed; baseline: the same probe alone;
 *   - body flood: 200 cookie-less POSTs announcing 8 MiB each, from four
 *     addresses, the body trickled; the server's RSS during the flood
 *     beside its RSS before;
 *   - keep-alive: wrk -t2 -c32 on the login page, a static file and a
 *     404; baseline: the same with "Connection: close" (a handshake per
 *     request, what every early reply cost before);
 * (The ticket view under wrk is load_view's row.)
 * Every row is printed as "ROW <name>: <figure> | baseline <figure>
 * (aim <aim>)". It starts the server it measures (GH_BIN, default
 * build/gatehouse) through the API test harness. Usage:
 *   load_conn [SLOW_CLIENTS]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "../tests/api/harness.h"
#include "loadlib.h"

#define SLOW_ADDRS 8
#define SLOW_SECONDS 20
#define FLOOD_CONNS 200
#define FLOOD_SECONDS 10

/* --- the latency probe ---------------------------------------------------- */

struct lat {
	double v[4096];
	int n;
	int failed;
};

/* HEAD / on a new connection every 100 ms for seconds; the latencies. */
static void
probe(struct gh_server *s, double seconds, struct lat *l)
{
	char url[64], cafile[300];
	double end = load_now_s() + seconds;

	memset(l, 0, sizeof(*l));
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/", s->pub_port);
	snprintf(cafile, sizeof(cafile), "%s/tls.crt", s->dir);
	while (load_now_s() < end && l->n < 4096) {
		CURL *c = curl_easy_init();
		long status = 0;
		double t = load_now_s();

		curl_easy_setopt(c, CURLOPT_URL, url);
		curl_easy_setopt(c, CURLOPT_CAINFO, cafile);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
		curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
		if (curl_easy_perform(c) == CURLE_OK)
			curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		if (status == 200)
			l->v[l->n++] = (load_now_s() - t) * 1000.0;
		else
			l->failed++;
		curl_easy_cleanup(c);
		usleep(100000);
	}
	qsort(l->v, (size_t)l->n, sizeof(double), load_cmp_double);
}

static void
lat_text(const struct lat *l, char *out, size_t outsz)
{
	if (l->n == 0) {
		snprintf(out, outsz, "no answer (%d failed)", l->failed);
		return;
	}
	snprintf(out, outsz, "median %.1f ms, p99 %.1f ms, max %.1f ms, %d failed",
		 l->v[l->n / 2], l->v[(l->n * 99) / 100], l->v[l->n - 1],
		 l->failed);
}

/* --- slow clients ----------------------------------------------------------- */

struct slow {
	int port;
	int n;
	volatile int stop;
	long connects;
	long closed;
	int held; /* open at the end */
};

/* A non-blocking TCP connection from 127.0.0.(2 + i % SLOW_ADDRS) to the
 * listener, or -1. */
static int
slow_connect(const struct slow *sl, int i)
{
	struct sockaddr_in from = {0}, to = {0};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return -1;
	from.sin_family = AF_INET;
	from.sin_addr.s_addr = htonl(0x7f000002u + (unsigned)(i % SLOW_ADDRS));
	to.sin_family = AF_INET;
	to.sin_port = htons((uint16_t)sl->port);
	to.sin_addr.s_addr = htonl(0x7f000001u);
	if (bind(fd, (struct sockaddr *)&from, sizeof(from)) < 0 ||
	    (connect(fd, (struct sockaddr *)&to, sizeof(to)) < 0 &&
	     errno != EINPROGRESS)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The bytes a slow client trickles: a TLS handshake record announcing 512
 * bytes, then zeros; the server waits for the whole record. */
static char
slow_byte(int sent)
{
	static const unsigned char head[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01};

	return sent < (int)sizeof(head) ? (char)head[sent] : 0;
}

/* One round: reads (a closed client reconnects a second later) and sends
 * a byte on the connections due. */
static void
slow_round(struct slow *sl, struct pollfd *p, int *sent, double *due)
{
	double t = load_now_s();
	char buf[512];

	for (int i = 0; i < sl->n; i++) {
		if (p[i].fd >= 0 && (p[i].revents & (POLLIN | POLLHUP | POLLERR)) &&
		    read(p[i].fd, buf, sizeof(buf)) <= 0 && errno != EAGAIN) {
			close(p[i].fd);
			p[i].fd = -1;
			sl->closed++;
			due[i] = t + 1.0; /* reconnects a second later */
		}
		if (p[i].fd < 0) {
			if (t < due[i])
				continue;
			p[i].fd = slow_connect(sl, i);
			sent[i] = 0;
			due[i] = t + 0.2;
			sl->connects += p[i].fd >= 0;
			continue;
		}
		if (t < due[i])
			continue;
		char b = slow_byte(sent[i]);

		if (write(p[i].fd, &b, 1) == 1)
			sent[i]++;
		due[i] = t + 1.0;
	}
}

static void *
slow_main(void *arg)
{
	struct slow *sl = arg;
	struct pollfd *p = calloc((size_t)sl->n, sizeof(*p));
	int *sent = calloc((size_t)sl->n, sizeof(int));
	double *due = calloc((size_t)sl->n, sizeof(double));

	for (int i = 0; i < sl->n; i++) {
		p[i].fd = -1;
		p[i].events = POLLIN;
	}
	while (!sl->stop) {
		(void)poll(p, (nfds_t)sl->n, 50);
		slow_round(sl, p, sent, due);
	}
	for (int i = 0; i < sl->n; i++) {
		sl->held += p[i].fd >= 0 && sent[i] > 0;
		if (p[i].fd >= 0)
			close(p[i].fd);
	}
	free(p);
	free(sent);
	free(due);
	return NULL;
}

/* --- the body flood ------------------------------------------------------ */

/* A TLS connection (nothing sent) from 127.0.0.<octet>, or NULL. */
static CURL *
connect_from(struct gh_server *s, int octet)
{
	CURL *c = curl_easy_init();
	char url[64], cafile[300], from[32];

	snprintf(url, sizeof(url), "https://127.0.0.1:%d/", s->pub_port);
	snprintf(cafile, sizeof(cafile), "%s/tls.crt", s->dir);
	snprintf(from, sizeof(from), "127.0.0.%d", octet);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CAINFO, cafile);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(c, CURLOPT_INTERFACE, from);
	curl_easy_setopt(c, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 5L);
	if (curl_easy_perform(c) != CURLE_OK) {
		curl_easy_cleanup(c);
		return NULL;
	}
	return c;
}

/* Sends what it can of n bytes; -1 once the connection is gone. */
static int
flood_send(CURL *c, const char *p, size_t n)
{
	size_t sent = 0;
	CURLcode rc = curl_easy_send(c, p, n, &sent);

	return rc == CURLE_OK || rc == CURLE_AGAIN ? 0 : -1;
}

/* 1 when a 401 came on c. */
static int
flood_got_401(CURL *c)
{
	char buf[4096];
	size_t n = 0;

	if (curl_easy_recv(c, buf, sizeof(buf) - 1, &n) != CURLE_OK || n == 0)
		return 0;
	buf[n] = '\0';
	return strncmp(buf, "HTTP/1.1 401", 12) == 0;
}

static void
row_body_flood(struct gh_server *s)
{
	static const char head[] =
		"POST /api/v1/portal/tickets HTTP/1.1\r\nHost: x\r\n"
		"Content-Type: application/json\r\nContent-Length: 8388608\r\n\r\n";
	static char chunk[16384];
	CURL *c[FLOOD_CONNS];
	double before = load_rss_mib(s->pid), peak = before;
	int n401 = 0, open = 0;

	memset(chunk, 'a', sizeof(chunk));
	for (int i = 0; i < FLOOD_CONNS; i++) {
		c[i] = connect_from(s, 20 + i % 4);
		if (c[i] != NULL && flood_send(c[i], head, strlen(head)) < 0) {
			curl_easy_cleanup(c[i]);
			c[i] = NULL;
		}
	}
	for (double end = load_now_s() + FLOOD_SECONDS; load_now_s() < end;) {
		for (int i = 0; i < FLOOD_CONNS; i++) {
			if (c[i] == NULL)
				continue;
			n401 += flood_got_401(c[i]);
			if (flood_send(c[i], chunk, sizeof(chunk)) < 0) {
				curl_easy_cleanup(c[i]);
				c[i] = NULL;
			}
		}
		double rss = load_rss_mib(s->pid);

		peak = rss > peak ? rss : peak;
		usleep(100000);
	}
	for (int i = 0; i < FLOOD_CONNS; i++) {
		open += c[i] != NULL;
		if (c[i] != NULL)
			curl_easy_cleanup(c[i]);
	}
	printf("ROW body flood (%d POSTs announcing 8 MiB, %d answered 401 "
	       "before the body, %d still open): RSS peak %.1f MiB | baseline "
	       "RSS before %.1f MiB   (aim: no body read, RSS flat)\n",
	       FLOOD_CONNS, n401, open, peak, before);
	fflush(stdout);
}

/* --- slow TLS clients: a header byte now and then ------------------------ */

#define TLS_SLOW 512

struct tls_slow {
	struct gh_server *s;
	volatile int stop;
	long connects;
};

/* 1 when the server closed c. */
static int
tls_gone(CURL *c)
{
	char buf[4096];
	size_t n = 0;
	CURLcode rc = curl_easy_recv(c, buf, sizeof(buf), &n);

	return rc != CURLE_AGAIN && (rc != CURLE_OK || n == 0);
}

/* TLS_SLOW clients, 64 from each of 127.0.0.30-37, each sends a request
 * line and then a header byte a second; a closed one reconnects. */
static void *
tls_slow_main(void *arg)
{
	struct tls_slow *ts = arg;
	static CURL *c[TLS_SLOW];

	while (!ts->stop) {
		for (int i = 0; i < TLS_SLOW && !ts->stop; i++) {
			if (c[i] != NULL &&
			    (tls_gone(c[i]) || flood_send(c[i], "X", 1) < 0)) {
				curl_easy_cleanup(c[i]);
				c[i] = NULL;
			}
			if (c[i] != NULL)
				continue;
			c[i] = connect_from(ts->s, 30 + i % SLOW_ADDRS);
			if (c[i] != NULL &&
			    flood_send(c[i], "GET / HTTP/1.1\r\n", 16) < 0) {
				curl_easy_cleanup(c[i]);
				c[i] = NULL;
			}
			ts->connects += c[i] != NULL;
		}
		usleep(1000000);
	}
	for (int i = 0; i < TLS_SLOW; i++)
		if (c[i] != NULL)
			curl_easy_cleanup(c[i]);
	return NULL;
}

static void
row_slow_clients(struct gh_server *s, int n)
{
	struct slow sl = {.port = s->pub_port, .n = n};
	struct tls_slow ts = {.s = s};
	struct lat base, during;
	char a[160], b[160];
	pthread_t t, t2;

	probe(s, 5, &base);
	pthread_create(&t, NULL, slow_main, &sl);
	pthread_create(&t2, NULL, tls_slow_main, &ts);
	sleep(2);
	probe(s, SLOW_SECONDS, &during);
	sl.stop = 1;
	ts.stop = 1;
	pthread_join(t, NULL);
	pthread_join(t2, NULL);
	lat_text(&during, a, sizeof(a));
	lat_text(&base, b, sizeof(b));
	printf("ROW slow clients (%d trickling a TLS record from %d addresses: "
	       "%ld connects, %ld closed by the server; %d trickling headers "
	       "over TLS from %d more: %ld connects): %s | baseline %s   (aim "
	       "<= 1000 ms)\n",
	       n, SLOW_ADDRS, sl.connects, sl.closed, TLS_SLOW, SLOW_ADDRS,
	       ts.connects, a, b);
	fflush(stdout);
}

/* --- wrk --------------------------------------------------------------------- */

/* Runs wrk -t2 -c32 -d5s on url with an extra header (may be NULL);
 * requests a second, or -1. */
static double
wrk_rps(const char *url, const char *header)
{
	char cmd[1024], line[512];
	double rps = -1;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "wrk -t2 -c32 -d5s %s%s%s '%s' 2>&1",
		 header != NULL ? "-H '" : "", header != NULL ? header : "",
		 header != NULL ? "'" : "", url);
	p = popen(cmd, "r");
	if (p == NULL)
		return -1;
	while (fgets(line, sizeof(line), p) != NULL)
		if (strncmp(line, "Requests/sec:", 13) == 0)
			rps = strtod(line + 13, NULL);
	pclose(p);
	return rps;
}

static void
row_keepalive(struct gh_server *s)
{
	static const struct {
		const char *name;
		const char *path;
	} pages[] = {
		{"login page", "/"},
		{"static file", "/app.js"},
		{"404", "/no-such-file"},
	};
	char url[128];

	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		double ka, close_rps;

		snprintf(url, sizeof(url), "https://127.0.0.1:%d%s", s->pub_port,
			 pages[i].path);
		ka = wrk_rps(url, NULL);
		close_rps = wrk_rps(url, "Connection: close");
		printf("ROW keep-alive %s (wrk -t2 -c32): %.0f req/s | baseline "
		       "%.0f req/s with Connection: close   (aim >= 20000)\n",
		       pages[i].name, ka, close_rps);
		fflush(stdout);
	}
}

int
main(int argc, char **argv)
{
	struct gh_server s;
	struct rlimit rl;
	int slow = argc > 1 ? (int)strtol(argv[1], NULL, 10) : 4000;

	if (slow < 1 || slow > 10000) {
		fprintf(stderr, "usage: load_conn [SLOW_CLIENTS (1..10000)]\n");
		return 2;
	}
	/* The slow clients need a descriptor each. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 16384) {
		rl.rlim_cur = rl.rlim_max < 16384 ? rl.rlim_max : 16384;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	setenv("GH_BIN", "build/gatehouse", 0);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	gh_start(&s, "[log]\nrequests = sample\n");
	printf("server: %s, %ld cores\n", getenv("GH_BIN"),
	       sysconf(_SC_NPROCESSORS_ONLN));
	row_keepalive(&s);
	row_body_flood(&s);
	row_slow_clients(&s, slow);
	gh_stop(&s);
	return 0;
}
