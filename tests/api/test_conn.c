/*
 * API tests of the connection model (issue 14 part CONN), against the
 * real server: a client that never finishes its headers, or trickles a
 * body, is closed (independent of the idle timeout, which the trickle
 * keeps resetting); static files and early replies (404, 401) keep the
 * connection open; a request that needs a session, or comes from another
 * site, is answered before a byte of its announced body is sent; request
 * lines can be switched off while security events stay; SIGHUP opens a
 * rotated log file again. Raw clients use libcurl's CONNECT_ONLY (TLS,
 * then bytes of our choosing).
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"

/* --- a raw TLS client -------------------------------------------------- */

/* A TLS connection to the listener (staff or public) and nothing sent. */
static CURL *
raw_connect(struct gh_server *s, int staff)
{
	CURL *c = curl_easy_init();
	char url[64], cafile[300];

	snprintf(url, sizeof(url), "https://127.0.0.1:%d/",
		 staff ? s->staff_port : s->pub_port);
	snprintf(cafile, sizeof(cafile), "%s/tls.crt", s->dir);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CAINFO, cafile);
	/* Only the server's certificate: without this libcurl reads the
	 * whole system CA directory for every new connection (~30 ms). */
	curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(c, CURLOPT_CONNECT_ONLY, 1L);
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	return c;
}

/* A TLS connection to the public listener, retried for up to 3 s (a
 * connection the server has not yet seen closed still counts against the
 * per-address limit); NULL when none could be made. */
static CURL *
try_connect(struct gh_server *s, int tries)
{
	char url[64], cafile[300];

	snprintf(url, sizeof(url), "https://127.0.0.1:%d/", s->pub_port);
	snprintf(cafile, sizeof(cafile), "%s/tls.crt", s->dir);
	for (int i = 0; i < tries; i++) {
		CURL *c = curl_easy_init();

		curl_easy_setopt(c, CURLOPT_URL, url);
		curl_easy_setopt(c, CURLOPT_CAINFO, cafile);
		/* Only the server's certificate: without this libcurl reads the
		 * whole system CA directory for every new connection (~30 ms). */
		curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
		curl_easy_setopt(c, CURLOPT_CONNECT_ONLY, 1L);
		curl_easy_setopt(c, CURLOPT_TIMEOUT, 5L);
		if (curl_easy_perform(c) == CURLE_OK)
			return c;
		curl_easy_cleanup(c);
		usleep(100000);
	}
	return NULL;
}

/* Waits up to ms for c's socket to be readable. */
static void
raw_wait(CURL *c, int ms)
{
	curl_socket_t fd;
	struct pollfd p;

	curl_easy_getinfo(c, CURLINFO_ACTIVESOCKET, &fd);
	p.fd = fd;
	p.events = POLLIN;
	(void)poll(&p, 1, ms);
}

/* Sends text; 0, or -1 when the server closed the connection. */
static int
raw_send(CURL *c, const char *text, size_t n)
{
	while (n > 0) {
		size_t sent = 0;
		CURLcode rc = curl_easy_send(c, text, n, &sent);

		if (rc == CURLE_AGAIN) {
			usleep(10000);
			continue;
		}
		if (rc != CURLE_OK)
			return -1;
		text += sent;
		n -= sent;
	}
	return 0;
}

/* 1 when the server has closed the connection (end of stream or error,
 * reading whatever it sent first), 0 when it is open and silent. */
static int
raw_closed(CURL *c)
{
	char buf[4096];

	for (;;) {
		size_t n = 0;
		CURLcode rc = curl_easy_recv(c, buf, sizeof(buf), &n);

		if (rc == CURLE_AGAIN)
			return 0;
		if (rc != CURLE_OK || n == 0)
			return 1;
	}
}

/* Reads a reply's status line and headers (up to ms), into out. The
 * status, or -1 when none came. */
static int
raw_reply(CURL *c, int ms, char *out, size_t outsz)
{
	size_t len = 0;

	out[0] = '\0';
	for (int waited = 0; waited < ms && strstr(out, "\r\n\r\n") == NULL;
	     waited += 50) {
		size_t n = 0;
		CURLcode rc;

		raw_wait(c, 50);
		rc = curl_easy_recv(c, out + len, outsz - len - 1, &n);
		if (rc == CURLE_AGAIN)
			continue;
		if (rc != CURLE_OK || n == 0)
			break;
		len += n;
		out[len] = '\0';
	}
	if (strncmp(out, "HTTP/1.1 ", 9) != 0)
		return -1;
	return (int)strtol(out + 9, NULL, 10);
}

/* --- the header deadline and the body rate ------------------------------ */

/* The idle timeout (5 s) is longer than every pause of the trickles
 * below, so only the header deadline (2 s) or the body rate (64 B/s)
 * can close them. */
static const char slow_conf[] = "[server]\nheader_timeout = 2\n"
				"connection_timeout = 5\nmin_body_rate = 64\n";

/* Sends one byte of text every 400 ms for at most 20 s, and says whether
 * the server closed the connection meanwhile. */
static int
trickle_until_closed(CURL *c, const char *text)
{
	size_t n = strlen(text);

	for (int i = 0; i < 50; i++) {
		if (raw_send(c, text + (size_t)i % n, 1) < 0)
			return 1;
		raw_wait(c, 400);
		if (raw_closed(c))
			return 1;
	}
	return 0;
}

/* ASVS 5.2.1 (limits on what a client may make the server hold; the
 * checklist has no availability item of its own): a client that never
 * completes its headers, however steadily it trickles them, is closed
 * after the header deadline; the server still answers others. Before:
 * the idle timeout, reset by every byte, never fired. */
static void
test_header_deadline(void **state)
{
	struct gh_server s;
	struct gh_client cl;
	struct gh_resp r;
	CURL *c;

	(void)state;
	gh_start(&s, slow_conf);
	c = raw_connect(&s, 0);
	assert_int_equal(raw_send(c, "GET / HTTP/1.1\r\nHost: x\r\n", 25), 0);
	assert_true(trickle_until_closed(c, "X-Slow: aaaaaaaa\r\n"));
	curl_easy_cleanup(c);
	gh_client_init(&cl, 0);
	assert_int_equal(gh_req(&s, &cl, "GET", "/", NULL, NULL, &r), 200);
	gh_resp_free(&r);
	gh_client_free(&cl);
	assert_true(gh_log_wait(&s, "security.slow_client_closed", 3000));
	assert_true(gh_log_wait(&s, "\"headers_late\":1", 3000));
	gh_stop(&s);
}

/* The same for the headers of a second request on a kept-alive
 * connection: the first request is answered (and the connection kept),
 * the second never completes its headers and is closed. */
static void
test_header_deadline_second_request(void **state)
{
	static const char first[] =
		"GET /api/v1/portal/tickets HTTP/1.1\r\nHost: x\r\n\r\n";
	struct gh_server s;
	char reply[8192];
	CURL *c;

	(void)state;
	gh_start(&s, slow_conf);
	c = raw_connect(&s, 0);
	assert_int_equal(raw_send(c, first, strlen(first)), 0);
	assert_int_equal(raw_reply(c, 10000, reply, sizeof(reply)), 401);
	raw_wait(c, 500);
	assert_false(raw_closed(c));
	assert_int_equal(raw_send(c, "GET /x HTTP/1.1\r\n", 17), 0);
	assert_true(trickle_until_closed(c, "X-Slow: aaaaaaaa\r\n"));
	curl_easy_cleanup(c);
	gh_stop(&s);
}

/* ASVS 5.2.1: a body trickled below [server] min_body_rate is closed
 * before it is complete (1,000 bytes announced, 2.5 a second). */
static void
test_body_rate(void **state)
{
	static const char head[] =
		"POST /api/v1/portal/session HTTP/1.1\r\nHost: x\r\n"
		"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n";
	struct gh_server s;
	CURL *c;

	(void)state;
	gh_start(&s, slow_conf);
	c = raw_connect(&s, 0);
	assert_int_equal(raw_send(c, head, strlen(head)), 0);
	assert_true(trickle_until_closed(c, "{\"email\":\"aaaaaaaaaaaaaaaaaaa"));
	curl_easy_cleanup(c);
	assert_true(gh_log_wait(&s, "\"body_too_slow\":1", 3000));
	gh_stop(&s);
}

/* The per-address limit holds across the event-loop threads: with
 * per_ip_connections = 4, four TLS connections from 127.0.0.1 are held
 * and a fifth is refused; once one is closed, a new one is accepted. */
static void
test_per_address_limit(void **state)
{
	struct gh_server s;
	CURL *c[4];
	CURL *extra;

	(void)state;
	gh_start(&s, "[server]\nper_ip_connections = 4\n");
	for (int i = 0; i < 4; i++) {
		c[i] = try_connect(&s, 30);
		assert_non_null(c[i]);
	}
	extra = try_connect(&s, 1);
	assert_null(extra);
	curl_easy_cleanup(c[0]);
	extra = try_connect(&s, 30);
	assert_non_null(extra);
	curl_easy_cleanup(extra);
	for (int i = 1; i < 4; i++)
		curl_easy_cleanup(c[i]);
	gh_stop(&s);
}

/* --- keep-alive --------------------------------------------------------- */

/* New connections libcurl opened for the last request of c. */
static long
new_connections(struct gh_client *c)
{
	long n = -1;

	curl_easy_getinfo(c->curl, CURLINFO_NUM_CONNECTS, &n);
	return n;
}

/* A static file, a 404, a 401, a 405 and a 400 (bad URL) on one
 * connection: none of them closes it. Before: each early reply (static,
 * 404, 405, 400) was queued before the request was complete and
 * libmicrohttpd closed the connection after it. */
static void
test_keepalive_early_replies(void **state)
{
	struct {
		const char *method;
		const char *path;
		long status;
	} steps[] = {
		{"GET", "/", 200},
		{"GET", "/app.js", 200},
		{"GET", "/no-such-file", 404},
		{"GET", "/api/v1/portal/tickets", 401},
		{"PUT", "/api/v1/portal/session", 405},
		{"GET", "/x%00y", 400},
		{"GET", "/app.js", 200},
	};
	struct gh_server s;
	struct gh_client c;
	struct gh_resp r;

	(void)state;
	gh_start(&s, NULL);
	gh_client_init(&c, 0);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		assert_int_equal(gh_req(&s, &c, steps[i].method, steps[i].path,
					NULL, NULL, &r),
				 steps[i].status);
		gh_resp_free(&r);
		if (i > 0 && new_connections(&c) != 0)
			fail_msg("step %zu (%s %s) needed a new connection", i,
				 steps[i].method, steps[i].path);
	}
	gh_client_free(&c);
	gh_stop(&s);
}

/* --- authentication before the body -------------------------------------- */

/* Sends head (announcing a body) and no body; the status that came. */
static int
answer_without_body(struct gh_server *s, const char *head, char *reply,
		    size_t replysz)
{
	CURL *c = raw_connect(s, 0);
	int status;

	assert_int_equal(raw_send(c, head, strlen(head)), 0);
	status = raw_reply(c, 10000, reply, replysz);
	curl_easy_cleanup(c);
	return status;
}

/* ASVS 8.3.1, 3.5.1, 5.2.1: a request to a route that needs a session,
 * without one, is answered 401 as soon as its headers are in: the 8 MiB (or
 * 1,000 bytes) it announces are never sent. Before: 8 MiB got 413 (the
 * length checked first) and 1,000 bytes got nothing until the body
 * came. A cross-site request (foreign Origin) to the login likewise gets
 * 403 at once. */
static void
test_auth_before_body(void **state)
{
	static const char big[] =
		"POST /api/v1/portal/tickets HTTP/1.1\r\nHost: x\r\n"
		"Content-Type: application/json\r\nContent-Length: 8388608\r\n\r\n";
	static const char small[] =
		"POST /api/v1/portal/tickets HTTP/1.1\r\nHost: x\r\n"
		"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n";
	static const char cross[] =
		"POST /api/v1/portal/session HTTP/1.1\r\nHost: x\r\n"
		"Origin: https://evil.example\r\n"
		"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n";
	struct gh_server s;
	char reply[8192];

	(void)state;
	gh_start(&s, NULL);
	assert_int_equal(answer_without_body(&s, big, reply, sizeof(reply)), 401);
	assert_non_null(strstr(reply, "X-Request-Id"));
	assert_int_equal(answer_without_body(&s, small, reply, sizeof(reply)),
			 401);
	assert_int_equal(answer_without_body(&s, cross, reply, sizeof(reply)),
			 403);
	assert_true(gh_log_contains(&s, "security.csrf_refused"));
	gh_stop(&s);
}

static size_t
discard(char *p, size_t size, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return size * n;
}

static size_t
count_read(char *buf, size_t size, size_t n, void *ud)
{
	size_t *sent = ud;
	size_t want = size * n < 4096 ? size * n : 4096;

	memset(buf, 'a', want);
	*sent += want;
	return want;
}

/* The same with Expect: 100-continue through libcurl (100,000 bytes
 * announced: under the 4 MiB refused at once before): the 401 comes
 * instead of "100 Continue" and libcurl never reads a byte of the body.
 * Before: the server said 100 Continue and read the whole body first. */
static void
test_expect_continue_refused(void **state)
{
	struct gh_server s;
	struct gh_client c;
	struct curl_slist *h = NULL;
	char url[128], cafile[300];
	size_t sent = 0;
	long status = 0;

	(void)state;
	gh_start(&s, NULL);
	gh_client_init(&c, 0);
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/api/v1/portal/tickets",
		 s.pub_port);
	snprintf(cafile, sizeof(cafile), "%s/tls.crt", s.dir);
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "Expect: 100-continue");
	curl_easy_setopt(c.curl, CURLOPT_URL, url);
	curl_easy_setopt(c.curl, CURLOPT_CAINFO, cafile);
	/* Only the server's certificate: without this libcurl reads the
	 * whole system CA directory for every new connection (~30 ms). */
	curl_easy_setopt(c.curl, CURLOPT_CAPATH, NULL);
	curl_easy_setopt(c.curl, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(c.curl, CURLOPT_POST, 1L);
	curl_easy_setopt(c.curl, CURLOPT_POSTFIELDSIZE_LARGE,
			 (curl_off_t)100000);
	curl_easy_setopt(c.curl, CURLOPT_READFUNCTION, count_read);
	curl_easy_setopt(c.curl, CURLOPT_READDATA, &sent);
	curl_easy_setopt(c.curl, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c.curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c.curl, CURLOPT_EXPECT_100_TIMEOUT_MS, 20000L);
	curl_easy_setopt(c.curl, CURLOPT_TIMEOUT, 60L);
	assert_int_equal(curl_easy_perform(c.curl), CURLE_OK);
	curl_easy_getinfo(c.curl, CURLINFO_RESPONSE_CODE, &status);
	assert_int_equal(status, 401);
	assert_int_equal(sent, 0);
	curl_slist_free_all(h);
	gh_client_free(&c);
	gh_stop(&s);
}

/* --- logs ----------------------------------------------------------------- */

/* 1 when the file at path holds needle. */
static int
file_contains(const char *path, const char *needle)
{
	FILE *f = fopen(path, "r");
	char line[8192];
	int found = 0;

	if (f == NULL)
		return 0;
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = strstr(line, needle) != NULL;
	fclose(f);
	return found;
}

/* ASVS 16.3.2: [log] requests = off: no request line, but a CSRF
 * refusal (a security event) is still logged. */
static void
test_request_lines_off(void **state)
{
	struct gh_server s;
	struct gh_client c;
	struct gh_resp r;
	const char *evil[] = {"Origin: https://evil.example", NULL};

	(void)state;
	gh_start(&s, "[log]\nrequests = off\n");
	gh_client_init(&c, 0);
	for (int i = 0; i < 5; i++) {
		gh_req(&s, &c, "GET", "/no-such-file", NULL, NULL, &r);
		gh_resp_free(&r);
	}
	assert_int_equal(gh_req(&s, &c, "POST", "/api/v1/portal/session", "{}",
				evil, &r),
			 403);
	gh_resp_free(&r);
	gh_client_free(&c);
	assert_false(gh_log_contains(&s, "\"event\":\"http.request\""));
	assert_true(gh_log_contains(&s, "security.csrf_refused"));
	gh_stop(&s);
}

/* ASVS 16.4.3 (logs shipped and rotated without loss): SIGHUP after the
 * log file was renamed (as logrotate does): a new file
 * of the same name appears and takes the lines that follow; the renamed
 * one gets none of them. */
static void
test_sighup_reopens_log(void **state)
{
	struct gh_server s;
	struct gh_client c;
	struct gh_resp r;
	char path[400], old[420];
	struct stat st;
	int i;

	(void)state;
	gh_start(&s, "[log]\nfile = gatehouse.log\nrequests = all\n");
	snprintf(path, sizeof(path), "%s/gatehouse.log", s.dir);
	snprintf(old, sizeof(old), "%s.1", path);
	/* server.started follows the listeners by a moment. */
	for (i = 0; i < 100 && !file_contains(path, "server.started"); i++)
		usleep(50000);
	assert_true(file_contains(path, "server.started"));
	assert_int_equal(rename(path, old), 0);
	kill(s.pid, SIGHUP);
	for (i = 0; i < 100 && stat(path, &st) != 0; i++)
		usleep(50000);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	gh_client_init(&c, 0);
	assert_int_equal(gh_req(&s, &c, "GET", "/sighup-marker", NULL, NULL, &r),
			 404);
	gh_resp_free(&r);
	gh_client_free(&c);
	assert_true(file_contains(path, "log.reopened"));
	assert_true(file_contains(path, "/sighup-marker") ||
		    file_contains(path, "\"status\":404"));
	assert_false(file_contains(old, "\"status\":404"));
	assert_int_equal(gh_stop(&s), 0);
	assert_true(file_contains(path, "server.stopped"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_deadline),
		cmocka_unit_test(test_header_deadline_second_request),
		cmocka_unit_test(test_body_rate),
		cmocka_unit_test(test_per_address_limit),
		cmocka_unit_test(test_keepalive_early_replies),
		cmocka_unit_test(test_auth_before_body),
		cmocka_unit_test(test_expect_continue_refused),
		cmocka_unit_test(test_request_lines_off),
		cmocka_unit_test(test_sighup_reopens_log),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
