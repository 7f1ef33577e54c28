/*
 * Transport and deployment properties of a real instance: TLS versions
 * and suites, security headers on every response, the staff network
 * allow-list, no plaintext HTTP, `init` never overwriting keys, `serve
 * --check` refusing out-of-bounds configuration.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"

static struct gh_server srv;

static int
setup(void **state)
{
	(void)state;
	gh_start(&srv, NULL);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	assert_int_equal(gh_stop(&srv), 0);
	return 0;
}

/* Performs GET / on the public listener with the given TLS settings;
 * returns the curl result. */
static size_t
sink(char *p, size_t s, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return s * n;
}

static CURLcode
tls_get(long version, const char *priority, char *negotiated, size_t nsz)
{
	CURL *c = curl_easy_init();
	char url[64], ca[300];
	CURLcode rc;

	snprintf(url, sizeof(url), "https://127.0.0.1:%d/api/v1/none",
		 srv.pub_port);
	snprintf(ca, sizeof(ca), "%s/tls.crt", srv.dir);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CAINFO, ca);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(c, CURLOPT_SSLVERSION, version);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	if (priority != NULL)
		curl_easy_setopt(c, CURLOPT_SSL_CIPHER_LIST, priority);
	rc = curl_easy_perform(c);
	(void)negotiated;
	(void)nsz;
	curl_easy_cleanup(c);
	return rc;
}

/* Handshakes with gnutls-cli offering exactly priority; returns 1 when a
 * session was established and its description contains want. */
static int
handshake(const char *priority, const char *want)
{
	char cmd[600];
	char line[512];
	int ok = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd),
		 "gnutls-cli --insecure --priority '%s' -p %d 127.0.0.1 "
		 "</dev/null 2>&1",
		 priority, srv.pub_port);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p) != NULL)
		if (strstr(line, "- Description:") != NULL &&
		    strstr(line, want) != NULL)
			ok = 1;
	pclose(p);
	return ok;
}

/* ASVS 12.1.1, 12.1.2: TLS 1.3 and 1.2 with AEAD suites only; groups
 * X25519, P-256 and P-384. */
static void
test_tls_versions(void **state)
{
	(void)state;
	assert_int_equal(tls_get(CURL_SSLVERSION_TLSv1_3, NULL, NULL, 0),
			 CURLE_OK);
	assert_int_equal(tls_get(CURL_SSLVERSION_TLSv1_2 |
					 CURL_SSLVERSION_MAX_TLSv1_2,
				 NULL, NULL, 0),
			 CURLE_OK);
	/* TLS 1.3 preferred; TLS 1.2 only with AEAD suites and ECDHE. */
	assert_true(handshake("NORMAL", "TLS1.3"));
	assert_true(handshake("NORMAL:-VERS-ALL:+VERS-TLS1.2", "AES-256-GCM"));
	assert_true(handshake("NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:"
			      "+CHACHA20-POLY1305", "CHACHA20-POLY1305"));
	/* The client can offer these (positive control) ... */
	assert_true(handshake("NORMAL:-VERS-ALL:+VERS-TLS1.3:-GROUP-ALL:"
			      "+GROUP-X25519", "X25519"));
	/* The NIST groups P-256 and P-384, in TLS 1.3 and 1.2 (ECDHE). */
	assert_true(handshake("NORMAL:-VERS-ALL:+VERS-TLS1.3:-GROUP-ALL:"
			      "+GROUP-SECP256R1", "ECDHE-SECP256R1"));
	assert_true(handshake("NORMAL:-VERS-ALL:+VERS-TLS1.3:-GROUP-ALL:"
			      "+GROUP-SECP384R1", "ECDHE-SECP384R1"));
	assert_true(handshake("NORMAL:-VERS-ALL:+VERS-TLS1.2:-GROUP-ALL:"
			      "+GROUP-SECP256R1", "ECDHE-SECP256R1"));
	assert_true(handshake("NORMAL:-VERS-ALL:+VERS-TLS1.2:-GROUP-ALL:"
			      "+GROUP-SECP384R1", "ECDHE-SECP384R1"));
	/* ... and the server refuses TLS 1.1 and 1.0, CBC suites, RSA key
	 * exchange and finite-field groups. */
	assert_false(handshake("NORMAL:-VERS-ALL:+VERS-TLS1.1", "TLS"));
	assert_false(handshake("NORMAL:-VERS-ALL:+VERS-TLS1.0", "TLS"));
	assert_false(handshake("NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:"
			       "+AES-128-CBC:+AES-256-CBC:+SHA1:+SHA256",
			       "TLS"));
	assert_false(handshake("NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+RSA",
			       "TLS"));
	assert_false(handshake("NORMAL:-VERS-ALL:+VERS-TLS1.3:-GROUP-ALL:"
			       "+GROUP-FFDHE2048",
			       "TLS"));
}

/* ASVS 12.2.1: plain HTTP on the TLS port gets no HTTP answer. */
static void
test_no_plaintext(void **state)
{
	CURL *c = curl_easy_init();
	char url[64];

	(void)state;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", srv.pub_port);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	assert_int_not_equal(curl_easy_perform(c), CURLE_OK);
	curl_easy_cleanup(c);
}

static void
check_headers(const struct gh_resp *r, int page)
{
	const char *must[][2] = {
		{"Strict-Transport-Security", "max-age=63072000; includeSubDomains"},
		{"X-Content-Type-Options", "nosniff"},
		{"Referrer-Policy", "no-referrer"},
		{"Cache-Control", "no-store"},
		{"Cross-Origin-Opener-Policy", "same-origin"},
	};
	char *v;

	for (size_t i = 0; i < sizeof(must) / sizeof(must[0]); i++) {
		v = gh_header(r, must[i][0]);
		assert_non_null(v);
		assert_string_equal(v, must[i][1]);
		free(v);
	}
	v = gh_header(r, "Content-Security-Policy");
	assert_non_null(v);
	assert_non_null(strstr(v, "frame-ancestors 'none'"));
	assert_non_null(strstr(v, "default-src 'none'"));
	assert_non_null(strstr(v, "base-uri 'none'"));
	assert_null(strstr(v, "unsafe-inline"));
	assert_null(strstr(v, "unsafe-eval"));
	free(v);
	v = gh_header(r, "Content-Type");
	assert_non_null(v);
	assert_non_null(strstr(v, page ? "text/html; charset=utf-8"
				       : "application/json; charset=utf-8"));
	free(v);
	/* No version banner; no CORS grant. */
	v = gh_header(r, "Server");
	assert_null(v);
	v = gh_header(r, "Access-Control-Allow-Origin");
	assert_null(v);
}

/* ASVS 3.4.1 3.4.3 3.4.4 3.4.5 3.4.6 3.4.8 4.1.1 14.3.2 13.4.6 3.4.2:
 * the headers are on every response: pages, API, errors.
 * ASVS 16.5.1 13.4.2: an error body is the generic registry entry plus a
 * request id (also sent as X-Request-Id): no stack, path, SQL or debug
 * detail. */
static void
test_security_headers(void **state)
{
	struct gh_client pub, staff;
	struct gh_resp r;

	(void)state;
	gh_client_init(&pub, 0);
	gh_client_init(&staff, 1);
	assert_int_equal(gh_req(&srv, &pub, "GET", "/", NULL, NULL, &r), 200);
	check_headers(&r, 1);
	gh_resp_free(&r);
	assert_int_equal(gh_req(&srv, &staff, "GET", "/", NULL, NULL, &r), 200);
	check_headers(&r, 1);
	gh_resp_free(&r);
	assert_int_equal(gh_req(&srv, &pub, "GET", "/nope", NULL, NULL, &r),
			 404);
	check_headers(&r, 0);
	{
		const char *k;
		json_t *v;
		char *rid = gh_header(&r, "X-Request-Id");

		assert_non_null(r.json);
		json_object_foreach(r.json, k, v) {
			assert_true(strcmp(k, "error") == 0 ||
				    strcmp(k, "message") == 0 ||
				    strcmp(k, "request_id") == 0);
		}
		assert_string_equal(json_string_value(json_object_get(r.json,
								      "error")),
				    "not_found");
		assert_non_null(rid);
		assert_string_equal(json_string_value(json_object_get(r.json,
								      "request_id")),
				    rid);
		free(rid);
		assert_null(strstr(r.body, "/tmp"));
		assert_null(strstr(r.body, ".c:"));
		assert_null(strstr(r.body, "sqlite"));
	}
	gh_resp_free(&r);
	assert_int_equal(gh_req(&srv, &staff, "GET", "/api/v1/staff/session",
				NULL, NULL, &r),
			 401);
	check_headers(&r, 0);
	assert_non_null(json_object_get(r.json, "request_id"));
	gh_resp_free(&r);
	{
		const char *h[] = {"Origin: https://evil.example", NULL};

		assert_int_equal(gh_req(&srv, &pub, "GET", "/api/v1/portal/session",
					NULL, h, &r),
				 401);
		check_headers(&r, 0);
		gh_resp_free(&r);
	}
	gh_client_free(&pub);
	gh_client_free(&staff);
}

/* ASVS 4.1.4 13.4.4: only the methods we use; TRACE and OPTIONS are not
 * among them. */
static void
test_methods(void **state)
{
	struct gh_client c;
	struct gh_resp r;
	char *allow;

	(void)state;
	gh_client_init(&c, 0);
	assert_int_equal(gh_req(&srv, &c, "TRACE", "/api/v1/portal/session",
				NULL, NULL, &r),
			 405);
	allow = gh_header(&r, "Allow");
	assert_non_null(allow);
	assert_null(strstr(allow, "TRACE"));
	free(allow);
	gh_resp_free(&r);
	assert_int_equal(gh_req(&srv, &c, "OPTIONS", "/api/v1/portal/session",
				NULL, NULL, &r),
			 405);
	gh_resp_free(&r);
	gh_client_free(&c);
}

/* ASVS 8.4.2 (partly: network allow-list; client certificates are not
 * done): the staff listener refuses clients outside staff_networks; the
 * public one does not care. */
static void
test_staff_network(void **state)
{
	struct gh_server other;
	struct gh_client pub, staff;
	struct gh_resp r;

	(void)state;
	gh_start(&other, "\n[server]\nstaff_networks = 10.8.0.0/16, fd00::/8\n");
	gh_client_init(&pub, 0);
	gh_client_init(&staff, 1);
	assert_int_equal(gh_req(&other, &pub, "GET", "/", NULL, NULL, &r), 200);
	gh_resp_free(&r);
	assert_int_equal(gh_req(&other, &staff, "GET", "/", NULL, NULL, &r), -1);
	gh_resp_free(&r);
	gh_client_free(&pub);
	gh_client_free(&staff);
	assert_true(gh_log_contains(&other, "security.staff_network_refused"));
	assert_int_equal(gh_stop(&other), 0);
}

/* ASVS 13.3.1: `init` keeps existing keys; the key files are owner-only
 * and live in the data directory, outside the database. */
static void
test_init_keeps_keys(void **state)
{
	const char *args[] = {"init", NULL};
	char path[400];
	unsigned char before[32], after[32];
	char *out = NULL;
	struct stat st;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/master.key", srv.dir);
	f = fopen(path, "rb");
	assert_int_equal(fread(before, 1, 32, f), 32);
	fclose(f);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(gh_cli(&srv, NULL, &out, args), 0);
	assert_non_null(strstr(out, "\"master.key\": \"kept\""));
	assert_non_null(strstr(out, "\"tls.crt\": \"kept\""));
	assert_non_null(strstr(out, "\"audit.key\": \"kept\""));
	free(out);
	f = fopen(path, "rb");
	assert_int_equal(fread(after, 1, 32, f), 32);
	fclose(f);
	assert_memory_equal(before, after, 32);
	snprintf(path, sizeof(path), "%s/gatehouse.db", srv.dir);
	if (gh_db_pg()) {
		/* The store is the PostgreSQL database: no file made. */
		assert_int_equal(stat(path, &st), -1);
		return;
	}
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0077, 0);
}

/* `serve --check` validates the configuration; values weaker than the
 * floors stop start-up with the key named. */
static void
test_serve_check(void **state)
{
	const char *args[] = {"serve", "--check", NULL};
	const char *short_args[] = {"serve", "-n", NULL};
	char path[400];
	char *out = NULL;
	FILE *f;

	(void)state;
	assert_int_equal(gh_cli(&srv, NULL, &out, args), 0);
	assert_non_null(strstr(out, "\"config\": \"ok\""));
	free(out);
	assert_int_equal(gh_cli(&srv, NULL, &out, short_args), 0);
	assert_non_null(strstr(out, "\"config\": \"ok\""));
	free(out);
	snprintf(path, sizeof(path), "%s/gatehouse.conf", srv.dir);
	f = fopen(path, "a");
	fputs("\n[security]\nargon2_mem_mib = 4\n", f);
	fclose(f);
	assert_int_not_equal(gh_cli(&srv, NULL, NULL, args), 0);
	assert_int_not_equal(gh_cli(&srv, NULL, NULL, short_args), 0);
	assert_true(gh_log_contains(&srv, "argon2_mem_mib = 4 is outside"));
}

/* Logs u in (NULL: an unknown account) on the public or staff listener of
 * s, sending "Origin: origin". Returns the status; on a refusal, checks
 * that it is csrf_failed. */
static long
login_from(struct gh_server *s, int staff, struct gh_user *u,
	   const char *origin)
{
	char header[300], body[512], code[7] = "000000";
	const char *h[] = {header, NULL};
	struct gh_client c;
	struct gh_resp r;
	long st;

	snprintf(header, sizeof(header), "Origin: %s", origin);
	if (u != NULL)
		gh_totp_next(u, code);
	snprintf(body, sizeof(body),
		 "{\"email\":\"%s\",\"password\":\"%s\",\"totp\":\"%s\"}",
		 u != NULL ? u->email : "nobody@example.org",
		 u != NULL ? u->password : "not the password", code);
	gh_client_init(&c, staff);
	st = gh_req(s, &c, "POST",
		    staff ? "/api/v1/staff/session" : "/api/v1/portal/session",
		    body, h, &r);
	if (st == 403)
		assert_string_equal(gh_error(&r), "csrf_failed");
	gh_resp_free(&r);
	gh_client_free(&c);
	return st;
}

/*
 * Issue 9, defect 8: a listener accepts its own literal address as an
 * origin (the portal opened at https://127.0.0.1:PORT can log in), and
 * https://localhost:PORT still; another listener's origin, another scheme
 * or a foreign site is refused. The accepted URLs are logged at start-up,
 * one line per listener.
 */
static void
test_origin_listen_address(void **state)
{
	struct gh_user cust1, cust2, agent;
	char o[128];

	(void)state;
	gh_add_customer(&srv, "origin1@example.org", &cust1);
	gh_add_customer(&srv, "origin2@example.org", &cust2);
	gh_add_staff(&srv, "origin.agent@example.com", "agent", &agent);
	snprintf(o, sizeof(o), "https://127.0.0.1:%d", srv.pub_port);
	assert_int_equal(login_from(&srv, 0, &cust1, o), 201);
	snprintf(o, sizeof(o), "https://localhost:%d", srv.pub_port);
	assert_int_equal(login_from(&srv, 0, &cust2, o), 201);
	snprintf(o, sizeof(o), "https://127.0.0.1:%d", srv.staff_port);
	assert_int_equal(login_from(&srv, 1, &agent, o), 201);
	/* The staff listener's origin is foreign to the public one. */
	assert_int_equal(login_from(&srv, 0, NULL, o), 403);
	snprintf(o, sizeof(o), "http://127.0.0.1:%d", srv.pub_port);
	assert_int_equal(login_from(&srv, 0, NULL, o), 403);
	snprintf(o, sizeof(o), "https://127.0.0.1:%d.evil.example",
		 srv.pub_port);
	assert_int_equal(login_from(&srv, 0, NULL, o), 403);
	assert_int_equal(login_from(&srv, 0, NULL, "https://evil.example"),
			 403);
	assert_int_equal(login_from(&srv, 1, NULL, "https://evil.example"),
			 403);
	assert_int_equal(login_from(&srv, 0, NULL, "null"), 403);
	snprintf(o, sizeof(o), "\"urls\":[\"https://127.0.0.1:%d/\"",
		 srv.pub_port);
	assert_true(gh_log_contains(&srv, o));
	snprintf(o, sizeof(o), "\"urls\":[\"https://127.0.0.1:%d/\"",
		 srv.staff_port);
	assert_true(gh_log_contains(&srv, o));
}

/* [server] origins adds accepted origins (checked at start-up: https,
 * a host, an optional port); an origin that is not one stops start-up
 * with the value named. */
static void
test_origins_configured(void **state)
{
	const char *check[] = {"serve", "--check", NULL};
	struct gh_server s;
	struct gh_user cust1, cust2, agent;

	(void)state;
	gh_start(&s, "\n[server]\norigins = https://desk.example.com, "
		     "https://Support.Example.com:8443/\n");
	gh_add_customer(&s, "o1@example.org", &cust1);
	gh_add_customer(&s, "o2@example.org", &cust2);
	gh_add_staff(&s, "o3@example.com", "agent", &agent);
	assert_int_equal(login_from(&s, 0, &cust1, "https://desk.example.com"),
			 201);
	assert_int_equal(login_from(&s, 0, &cust2,
				    "https://support.example.com:8443"),
			 201);
	assert_int_equal(login_from(&s, 1, &agent, "https://desk.example.com"),
			 201);
	assert_int_equal(login_from(&s, 0, NULL, "https://desk.example.com:444"),
			 403);
	assert_int_equal(login_from(&s, 0, NULL, "https://other.example.com"),
			 403);
	assert_true(gh_log_contains(&s, "https://desk.example.com/"));
	assert_int_equal(gh_stop(&s), 0);
	/* Not origins: each stops start-up, naming the value. */
	{
		static const char *const bad[] = {
			"http://desk.example.com",
			"https://desk.example.com/portal",
			"https://",
			"https://desk.example.com:0",
			"https://desk.example.com:99999",
			"https://user@desk.example.com",
			"desk.example.com",
		};
		char conf[400], path[400];
		char needle[300];

		snprintf(path, sizeof(path), "%s/gatehouse.conf", s.dir);
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			FILE *f = fopen(path, "a");

			assert_non_null(f);
			snprintf(conf, sizeof(conf), "origins = %s\n", bad[i]);
			fputs(conf, f);
			fclose(f);
			assert_int_equal(gh_cli(&s, NULL, NULL, check), 1);
			snprintf(needle, sizeof(needle),
				 "[server] origins: '%s' is not", bad[i]);
			if (!gh_log_contains(&s, needle))
				fail_msg("no message naming %s", bad[i]);
		}
	}
}

/* 1 when DIR/name exists. */
static int
exists_in(const struct gh_server *s, const char *name)
{
	char path[400];

	snprintf(path, sizeof(path), "%s/%s", s->dir, name);
	return access(path, F_OK) == 0;
}

static void
send_all(CURL *c, const char *p, size_t n)
{
	while (n > 0) {
		size_t sent = 0;
		CURLcode rc = curl_easy_send(c, p, n, &sent);

		if (rc == CURLE_AGAIN) {
			usleep(10000);
			continue;
		}
		assert_int_equal(rc, CURLE_OK);
		p += sent;
		n -= sent;
	}
}

/* Reads until the server closes the connection (at most 30 s). */
static size_t
recv_all(CURL *c, char *buf, size_t cap)
{
	size_t len = 0;
	time_t end = time(NULL) + 30;

	while (len + 1 < cap && time(NULL) < end) {
		size_t got = 0;
		CURLcode rc = curl_easy_recv(c, buf + len, cap - 1 - len, &got);

		if (rc == CURLE_AGAIN) {
			usleep(10000);
			continue;
		}
		if (rc != CURLE_OK || got == 0)
			break;
		len += got;
	}
	buf[len] = '\0';
	return len;
}

/* Waits (at most 10 s) until the server log contains needle. */
static int
wait_log(struct gh_server *s, const char *needle)
{
	for (int i = 0; i < 200; i++) {
		if (gh_log_contains(s, needle))
			return 1;
		usleep(50000);
	}
	return 0;
}

/* SIGTERM: a request in flight when the signal arrives (its body half
 * sent) still gets its full response; the server then exits 0 and closes
 * the database (no -wal or -shm file left; on PostgreSQL no session
 * left). SIGINT stops it as cleanly. */
static void
test_signals(void **state)
{
	struct gh_server s;
	const char *body = "{\"email\":\"nobody@example.org\","
			   "\"password\":\"not a real password\","
			   "\"totp\":\"123456\"}";
	size_t half = strlen(body) / 2;
	char url[64], ca[300], head[512], resp[8192];
	CURL *c;

	(void)state;
	gh_start(&s, NULL);
	assert_true(gh_db_in_use(&s));
	c = curl_easy_init();
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/", s.pub_port);
	snprintf(ca, sizeof(ca), "%s/tls.crt", s.dir);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CAINFO, ca);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(c, CURLOPT_CONNECT_ONLY, 1L);
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	snprintf(head, sizeof(head),
		 "POST /api/v1/portal/session HTTP/1.1\r\n"
		 "Host: 127.0.0.1:%d\r\n"
		 "Content-Type: application/json\r\n"
		 "Content-Length: %zu\r\n"
		 "Connection: close\r\n\r\n",
		 s.pub_port, strlen(body));
	send_all(c, head, strlen(head));
	send_all(c, body, half);
	usleep(200000);
	/* The signal arrives while the body is incomplete. */
	kill(s.pid, SIGTERM);
	assert_true(wait_log(&s, "\"event\":\"server.stopping\""));
	usleep(200000);
	/* Still running: it waits for the request in flight. */
	assert_false(gh_log_contains(&s, "\"event\":\"server.stopped\""));
	send_all(c, body + half, strlen(body) - half);
	recv_all(c, resp, sizeof(resp));
	curl_easy_cleanup(c);
	assert_true(strncmp(resp, "HTTP/1.1 401", 12) == 0);
	assert_non_null(strstr(resp, "\"error\":\"login_failed\""));
	assert_int_equal(gh_stop_signal(&s, 0), 0); /* waits; already signalled */
	assert_true(gh_log_contains(&s, "\"event\":\"server.stopped\""));
	/* On PostgreSQL: no session left on its database. */
	assert_true(gh_db_pg() || exists_in(&s, "gatehouse.db"));
	assert_false(gh_db_in_use(&s));

	/* SIGINT (Ctrl-C in a terminal) on the same directory. */
	gh_restart(&s, NULL);
	assert_true(gh_db_in_use(&s));
	assert_int_equal(gh_stop_signal(&s, SIGINT), 0);
	assert_true(gh_log_contains(&s, "\"signal\":\"INT\""));
	assert_false(gh_db_in_use(&s));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tls_versions),
		cmocka_unit_test(test_no_plaintext),
		cmocka_unit_test(test_security_headers),
		cmocka_unit_test(test_methods),
		cmocka_unit_test(test_staff_network),
		cmocka_unit_test(test_origin_listen_address),
		cmocka_unit_test(test_origins_configured),
		cmocka_unit_test(test_init_keeps_keys),
		cmocka_unit_test(test_serve_check),
		cmocka_unit_test(test_signals),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, setup, teardown);
}
