/*
 * load_view: the agent's ticket view under load (issue 14 part VIEW), on
 * loopback only and bounded in time (about 30 s): wrk -t2 -c32 on
 * GET /api/v1/tickets/{id} with the agent's session cookie, the server's
 * RSS after it, beside a baseline measured in the same run: wrk -t2 -c32
 * on a 404 of the same listener (the connection layer's ceiling) and the
 * server's idle RSS. The ticket holds a customer message and a staff
 * reply, so the view reads messages of both kinds. Printed as
 *   ROW ticket view: N req/s, RSS M MiB | baseline 404 on the same
 *   listener N req/s, RSS idle M MiB   (aim ...)
 * It starts the server it measures (GH_BIN, default build/gatehouse)
 * through the API test harness. Usage:
 *   load_view [SECONDS (1..20, default 5)]
 * With GH_VIEW_HOLD set it prints the server's pid and the view's cookie
 * and URL and waits for a line on stdin before measuring (to attach a
 * profiler).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../tests/api/harness.h"
#include "loadlib.h"

/* The server's CPU time (user + system) in seconds. */
static double
server_cpu_s(const struct gh_server *s)
{
	char path[64], buf[1024], *p;
	unsigned long ut = 0, st = 0;
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)s->pid);
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	n = fgets(buf, sizeof(buf), f) != NULL;
	fclose(f);
	/* Fields 14 and 15, counted after the ")" that ends the name. */
	p = n ? strrchr(buf, ')') : NULL;
	if (p == NULL || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u "
			       "%*u %*u %lu %lu", &ut, &st) != 2)
		return 0;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

struct run {
	double rps;    /* requests a second */
	double cpu_us; /* server CPU time a request, microseconds */
	long non2xx;
};

/* Runs wrk -t2 -c32 for seconds on url with an extra header (may be
 * NULL) into *out (rps -1 when wrk gave no figure). */
static void
wrk_run(const struct gh_server *s, const char *url, const char *header,
	int seconds, struct run *out)
{
	char cmd[1024], line[512];
	double cpu0 = server_cpu_s(s);
	long n = 0;
	FILE *p;

	out->rps = -1;
	out->cpu_us = 0;
	out->non2xx = 0;

	snprintf(cmd, sizeof(cmd), "wrk -t2 -c32 -d%ds %s%s%s '%s' 2>&1",
		 seconds, header != NULL ? "-H '" : "",
		 header != NULL ? header : "", header != NULL ? "'" : "", url);
	p = popen(cmd, "r");
	if (p == NULL)
		return;
	while (fgets(line, sizeof(line), p) != NULL) {
		if (strncmp(line, "Requests/sec:", 13) == 0)
			out->rps = strtod(line + 13, NULL);
		if (strstr(line, " requests in ") != NULL)
			n = strtol(line, NULL, 10);
		if (strstr(line, "Non-2xx or 3xx responses:") != NULL)
			out->non2xx = strtol(strchr(line, ':') + 1, NULL, 10);
	}
	pclose(p);
	if (n > 0)
		out->cpu_us = (server_cpu_s(s) - cpu0) * 1e6 / (double)n;
}

/* A ticket from a customer with a staff reply; the agent's session
 * cookie ("Cookie: ...") and the ticket's view URL. */
static void
ticket_setup(struct gh_server *s, char *cookie, size_t csz, char *url,
	     size_t usz)
{
	struct gh_user agent, cust;
	struct gh_client ca, cc;
	struct gh_resp r;
	char token[256], path[64];
	int64_t id;

	gh_add_staff(s, "bench.agent@example.com", "agent", &agent);
	gh_add_customer(s, "bench.cust@example.org", &cust);
	gh_client_init(&ca, 1);
	gh_client_init(&cc, 0);
	if (gh_login(s, &ca, &agent) != 201 || gh_login(s, &cc, &cust) != 201)
		fail_msg("login failed");
	gh_send_json(s, &cc, "POST", "/api/v1/portal/tickets",
		     json_pack("{s:s, s:s}", "subject", "Order 48213 late",
			       "body", "My order 48213 of 12/03 has not come."),
		     &r);
	id = json_integer_value(json_object_get(r.json, "id"));
	gh_resp_free(&r);
	if (id <= 0 || gh_cookie_token(&ca, token, sizeof(token)) < 0)
		fail_msg("no ticket or no cookie");
	snprintf(path, sizeof(path), "/api/v1/tickets/%lld/replies",
		 (long long)id);
	if (gh_send_json(s, &ca, "POST", path,
			 json_pack("{s:s}", "body",
				   "Sorry for the wait, it ships today."),
			 &r) != 201)
		fail_msg("reply failed");
	gh_resp_free(&r);
	snprintf(cookie, csz, "Cookie: __Host-gh_staff=%s", token);
	snprintf(url, usz, "https://127.0.0.1:%d/api/v1/tickets/%lld",
		 s->staff_port, (long long)id);
	gh_client_free(&ca);
	gh_client_free(&cc);
}

static void
hold(const struct gh_server *s, const char *cookie, const char *url)
{
	char line[16];

	if (getenv("GH_VIEW_HOLD") == NULL)
		return;
	printf("pid %d\n%s\n%s\nenter to go on\n", (int)s->pid, cookie, url);
	fflush(stdout);
	if (fgets(line, sizeof(line), stdin) == NULL)
		return;
}

int
main(int argc, char **argv)
{
	char cookie[320], url[160], ceiling_url[128];
	struct run view, ceiling;
	double idle, rss;
	int secs = argc > 1 ? (int)strtol(argv[1], NULL, 10) : 5;
	struct gh_server s;

	if (secs < 1 || secs > 20) {
		fprintf(stderr, "usage: load_view [SECONDS (1..20)]\n");
		return 2;
	}
	setenv("GH_BIN", "build/gatehouse", 0);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	gh_start(&s, NULL);
	printf("server: %s, %ld cores\n", getenv("GH_BIN"),
	       sysconf(_SC_NPROCESSORS_ONLN));
	ticket_setup(&s, cookie, sizeof(cookie), url, sizeof(url));
	snprintf(ceiling_url, sizeof(ceiling_url),
		 "https://127.0.0.1:%d/no-such-file", s.staff_port);
	hold(&s, cookie, url);
	idle = load_rss_mib(s.pid);
	wrk_run(&s, ceiling_url, NULL, secs, &ceiling);
	wrk_run(&s, url, cookie, secs, &view);
	rss = load_rss_mib(s.pid);
	printf("ROW ticket view (wrk -t2 -c32): %.0f req/s, RSS %.1f MiB, "
	       "server CPU %.0f us/request%s | baseline 404 on the same "
	       "listener %.0f req/s, %.0f us/request, RSS idle %.1f MiB   "
	       "(aim >= 25000 req/s, <= 48 MiB)\n",
	       view.rps, rss, view.cpu_us,
	       view.non2xx != 0 ? " (NON-2xx REPLIES)" : "", ceiling.rps,
	       ceiling.cpu_us, idle);
	fflush(stdout);
	gh_stop(&s);
	return view.non2xx != 0 ? 1 : 0;
}
