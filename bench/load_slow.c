/*
 * Load benchmark of issue 14, part SLOW: does slow work of uploads hold
 * up other requests? Starts the release server on loopback (the API test
 * harness; one event-loop thread per listener, so that every upload
 * shares the viewer's thread) with a clamd-protocol responder
 * (tests/api/clamdmini.h) that takes SCAN_MS for every scan, as a real
 * clamd does for a large file,
 * seeds two customers with a ticket each, then measures customer B's
 * ticket view on the public listener (one keep-alive client, requests
 * one after the other) alone, and while N_UP clients of customer A upload
 * files to the same listener without pause. Were a scan run on a server
 * thread, every request landing on that thread would wait for it (up to
 * SCAN_MS; a client sending one request after the other sends few
 * while it waits, so the figure is the longest wait and the requests that
 * waited SCAN_MS / 2 or more, beside the median); on the scan pool, only
 * uploads wait. Prints
 *     ROW <name>: <figure> | baseline <figure>   (aim <aim>)
 * and a line with what the uploads got (201 stored, 503 server_busy once
 * the scan queue is full). Bounded: about 15 s of load, loopback only,
 * every thread, the responder and the server stopped at the end.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "clamdmini.h"
#include "harness.h"
#include "loadlib.h"

#define N_UP 8
#define SCAN_MS 250
#define FILE_BYTES (96 * 1024)
#define BASE_SECONDS 4.0
#define RAMP_SECONDS 1.5
#define LOAD_SECONDS 8.0

static struct gh_server srv;
static struct gh_user cust_a, cust_b;

/* --- the uploaders ------------------------------------------------------- */

struct uploader {
	int64_t ticket;
	const char *b64; /* the file, base64 */
	volatile int *stop;
	unsigned long sent, n201, n503, other;
};

static void *
upload_main(void *arg)
{
	struct uploader *u = arg;
	struct gh_client c;
	struct gh_resp r;
	char path[96];
	long st;

	gh_client_init(&c, 0);
	if (gh_login(&srv, &c, &cust_a) != 201) {
		gh_client_free(&c);
		return NULL;
	}
	snprintf(path, sizeof(path), "/api/v1/portal/tickets/%lld/attachments",
		 (long long)u->ticket);
	while (!*u->stop) {
		st = gh_send_json(&srv, &c, "POST", path,
				  json_pack("{s:s, s:s}", "filename",
					    "capture.bin", "content_base64",
					    u->b64),
				  &r);
		gh_resp_free(&r);
		u->sent++;
		u->n201 += st == 201;
		u->n503 += st == 503;
		u->other += st != 201 && st != 503;
	}
	gh_client_free(&c);
	return NULL;
}

/* A file of FILE_BYTES bytes that is no known type, base64. */
static char *
file_b64(void)
{
	static const char t[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = FILE_BYTES / 3 * 4;
	char *o = malloc(n + 1);
	uint32_t x = 2463534242u;

	if (o == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		o[i] = t[x & 63];
	}
	o[n] = '\0';
	return o;
}

/* --- the ticket view ------------------------------------------------------ */

struct figure {
	double median_ms, p99_ms, max_ms, rps;
	size_t n, failed;
	size_t waited; /* requests that took SCAN_MS / 2 or more */
};

/* GETs path for secs seconds, one request after the other. */
static struct figure
view(struct gh_client *c, const char *path, double secs)
{
	struct load_gets g;

	load_time_gets(&srv, c, path, secs, SCAN_MS / 2.0, &g);
	return (struct figure){.median_ms = g.median_ms, .p99_ms = g.p99_ms,
			       .max_ms = g.max_ms, .rps = g.rps, .n = g.n,
			       .failed = g.failed, .waited = g.over};
}

/* The view while N_UP clients upload to ticket. */
static struct figure
view_during_uploads(struct gh_client *c, const char *path, int64_t ticket)
{
	static struct uploader up[N_UP];
	pthread_t th[N_UP];
	volatile int stop = 0;
	struct uploader sum = {0};
	struct figure fig;
	unsigned started = 0;
	char *b64 = file_b64();

	for (unsigned i = 0; b64 != NULL && i < N_UP; i++) {
		up[i] = (struct uploader){.ticket = ticket, .b64 = b64,
					  .stop = &stop};
		if (pthread_create(&th[i], NULL, upload_main, &up[i]) != 0)
			break;
		started = i + 1;
	}
	view(c, path, RAMP_SECONDS);
	fig = view(c, path, LOAD_SECONDS);
	stop = 1;
	for (unsigned i = 0; i < started; i++) {
		pthread_join(th[i], NULL);
		sum.sent += up[i].sent;
		sum.n201 += up[i].n201;
		sum.n503 += up[i].n503;
		sum.other += up[i].other;
	}
	free(b64);
	printf("  uploads: %u clients, %lu answered in %.1f s: %lu 201 "
	       "stored, %lu 503 server_busy, %lu other (at most %.1f scans "
	       "a second fit: 2 scan threads / %d ms)\n",
	       started, sum.sent, RAMP_SECONDS + LOAD_SECONDS, sum.n201,
	       sum.n503, sum.other, 2000.0 / SCAN_MS, SCAN_MS);
	return fig;
}

/* --- set-up and report ---------------------------------------------------- */

int
main(void)
{
	struct clamd av;
	struct gh_client c;
	struct figure base, load;
	char conf[512], path[64];
	int64_t mine, theirs;
	int rc;

	if (getenv("GH_BIN") == NULL)
		setenv("GH_BIN", GH_DEFAULT_BIN, 0);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	clamd_start(&av);
	clamd_set_open(&av, 1);
	av.delay_ms = SCAN_MS;
	snprintf(conf, sizeof(conf),
		 "\n[log]\nlevel = warn\n[server]\nthreads = 1\n"
		 "[attachments]\nclamd_socket = %s\n",
		 av.path);
	gh_start(&srv, conf);
	theirs = load_seed_ticket(&srv, &cust_a, "uploader@example.org");
	mine = load_seed_ticket(&srv, &cust_b, "viewer@example.org");
	gh_client_init(&c, 0);
	if (theirs <= 0 || mine <= 0 || gh_login(&srv, &c, &cust_b) != 201) {
		fprintf(stderr, "load_slow: seeding failed (log: %s)\n",
			srv.log);
		gh_stop(&srv);
		clamd_stop(&av);
		return 1;
	}
	snprintf(path, sizeof(path), "/api/v1/portal/tickets/%lld",
		 (long long)mine);
	base = view(&c, path, BASE_SECONDS);
	load = view_during_uploads(&c, path, theirs);
	printf("ROW slow: portal ticket view while %d clients upload "
	       "(clamd %d ms a scan): max %.1f ms, %zu of %zu requests >= "
	       "%d ms, median %.2f ms, p99 %.2f ms, %.0f req/s, %zu failed | "
	       "baseline alone max %.1f ms, %zu of %zu >= %d ms, median "
	       "%.2f ms, p99 %.2f ms, %.0f req/s   (aim: no request waits "
	       "for a scan, max < %d ms)\n",
	       N_UP, SCAN_MS, load.max_ms, load.waited, load.n, SCAN_MS / 2,
	       load.median_ms, load.p99_ms, load.rps, load.failed,
	       base.max_ms, base.waited, base.n, SCAN_MS / 2,
	       base.median_ms, base.p99_ms, base.rps, SCAN_MS);
	gh_client_free(&c);
	rc = gh_stop(&srv) == 0 ? 0 : 1;
	clamd_stop(&av);
	return rc;
}
