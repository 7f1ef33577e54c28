/*
 * The management listener (issue 16, Operations), against the real
 * `gatehouse serve`: /healthz, /readyz (ready, then not ready when the
 * database file is taken away under the running server, and ready again
 * when it is back), /metrics parsed line by line against the grammar of
 * the text exposition format 0.0.4, its counters moved by real logins
 * (ok, failed, throttled), a reply the outbound filter blocks and
 * requests, and no label holding an e-mail address, a token or an id;
 * 405 and 404 as registry errors; plain HTTP on the port of the command
 * line or of [server] manage_listen; `--manage-listen off` opens no
 * third socket; a non-loopback address is warned about.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"

static struct gh_server srv;

/* --- plain HTTP to the management port ---------------------------------- */

struct buf {
	char *p;
	size_t n;
};

static size_t
collect(char *data, size_t size, size_t nmemb, void *cls)
{
	struct buf *b = cls;
	size_t n = size * nmemb;
	char *np = realloc(b->p, b->n + n + 1);

	assert_non_null(np);
	memcpy(np + b->n, data, n);
	b->p = np;
	b->n += n;
	b->p[b->n] = '\0';
	return n;
}

/* One request to http://127.0.0.1:port path; the status (-1 when no
 * HTTP reply came); *body and *headers malloc'd (may be NULL args). */
static long
mreq(int port, const char *method, const char *path, char **body,
     char **headers)
{
	struct buf b = {calloc(1, 1), 0}, h = {calloc(1, 1), 0};
	CURL *c = curl_easy_init();
	char url[256];
	long status = -1;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "GET") != 0)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (strcmp(method, "POST") == 0)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "{\"x\":1}");
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	if (body != NULL)
		*body = b.p;
	else
		free(b.p);
	if (headers != NULL)
		*headers = h.p;
	else
		free(h.p);
	return status;
}

/* The "error" of a JSON body, checked to be a registry error. */
static void
assert_registry_error(const char *body, const char *code)
{
	json_t *j = json_loads(body, 0, NULL);

	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "error")),
			    code);
	assert_true(json_is_string(json_object_get(j, "message")));
	json_decref(j);
}

/* --- the exposition format ---------------------------------------------- */

#define NAME "[a-zA-Z_:][a-zA-Z0-9_:]*"
#define LNAME "[a-zA-Z_][a-zA-Z0-9_]*"
#define LVALUE "\"([^\"\\\\\n]|\\\\[\\\\\"n])*\""
#define NUMBER "([-+]?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?|[-+]Inf|NaN)"

static regex_t re_help, re_type, re_sample;

static void
compile_grammar(void)
{
	assert_int_equal(regcomp(&re_help, "^# HELP (" NAME ") [^\n]*$",
				 REG_EXTENDED),
			 0);
	assert_int_equal(
		regcomp(&re_type,
			"^# TYPE (" NAME ") (counter|gauge|histogram|summary|"
			"untyped)$",
			REG_EXTENDED),
		0);
	assert_int_equal(regcomp(&re_sample,
				 "^(" NAME ")(\\{(" LNAME "=" LVALUE "(," LNAME
				 "=" LVALUE ")*)?\\})? " NUMBER "$",
				 REG_EXTENDED),
			 0);
}

/* The family a sample of name belongs to, given the TYPE declared last:
 * a histogram's samples carry _bucket, _sum and _count. */
static int
sample_of(const char *name, const char *family, const char *type)
{
	size_t n = strlen(family);

	if (strcmp(name, family) == 0)
		return strcmp(type, "histogram") != 0;
	if (strcmp(type, "histogram") != 0 || strncmp(name, family, n) != 0)
		return 0;
	return strcmp(name + n, "_bucket") == 0 ||
	       strcmp(name + n, "_sum") == 0 || strcmp(name + n, "_count") == 0;
}

/* Checks every line of text against the grammar: HELP then TYPE for a
 * family, then only its samples; counters end in _total; a family is
 * declared once; a histogram's buckets carry le, rise and end at +Inf,
 * equal to its _count. Returns the number of samples. */
static int
check_exposition(const char *text)
{
	char family[128] = "", type[16] = "", seen[8192] = " ";
	double last_bucket = -1;
	int samples = 0;
	char *copy = strdup(text);
	char *save = NULL;

	assert_true(text[0] != '\0' && text[strlen(text) - 1] == '\n');
	for (char *l = strtok_r(copy, "\n", &save); l != NULL;
	     l = strtok_r(NULL, "\n", &save)) {
		regmatch_t m[4];
		char name[128], key[136];

		if (regexec(&re_help, l, 2, m, 0) == 0)
			continue;
		if (regexec(&re_type, l, 3, m, 0) == 0) {
			snprintf(family, sizeof(family), "%.*s",
				 (int)(m[1].rm_eo - m[1].rm_so), l + m[1].rm_so);
			snprintf(type, sizeof(type), "%.*s",
				 (int)(m[2].rm_eo - m[2].rm_so), l + m[2].rm_so);
			snprintf(key, sizeof(key), " %s ", family);
			assert_null(strstr(seen, key)); /* declared once */
			strncat(seen, key + 1, sizeof(seen) - strlen(seen) - 1);
			if (strcmp(type, "counter") == 0)
				assert_non_null(strstr(family, "_total"));
			last_bucket = -1;
			continue;
		}
		if (regexec(&re_sample, l, 2, m, 0) != 0)
			fail_msg("not exposition format 0.0.4: '%s'", l);
		snprintf(name, sizeof(name), "%.*s",
			 (int)(m[1].rm_eo - m[1].rm_so), l);
		if (!sample_of(name, family, type))
			fail_msg("sample outside its family: '%s'", l);
		samples++;
		if (strstr(name, "_bucket") != NULL) {
			double v = strtod(strrchr(l, ' ') + 1, NULL);

			assert_non_null(strstr(l, "le=\""));
			assert_true(v >= last_bucket);
			last_bucket = strstr(l, "le=\"+Inf\"") ? -1 : v;
		}
	}
	free(copy);
	return samples;
}

/* The value of the sample whose name and labels are exactly series
 * ("name{a=\"x\",...}" or "name"), or -1 when there is none. */
static double
metric(const char *text, const char *series)
{
	size_t n = strlen(series);

	for (const char *l = text; l != NULL && *l != '\0';) {
		const char *nl = strchr(l, '\n');

		if (strncmp(l, series, n) == 0 && l[n] == ' ')
			return strtod(l + n + 1, NULL);
		l = nl != NULL ? nl + 1 : NULL;
	}
	return -1;
}

/* The value of series, 0 when absent (a counter not moved yet). */
static double
count_of(const char *text, const char *series)
{
	double v = metric(text, series);

	return v < 0 ? 0 : v;
}

static char *
scrape(void)
{
	char *body = NULL;
	char *headers = NULL;

	assert_int_equal(mreq(srv.manage_port, "GET", "/metrics", &body,
			      &headers),
			 200);
	assert_non_null(strstr(headers, "text/plain; version=0.0.4"));
	free(headers);
	check_exposition(body);
	return body;
}

/* Each label value of every sample in text: none contains any of
 * needles. */
static void
assert_no_label_holds(const char *text, const char *const *needles)
{
	for (const char *l = text; *l != '\0';) {
		const char *nl = strchr(l, '\n');
		const char *open = strchr(l, '{');
		size_t len = nl != NULL ? (size_t)(nl - l) : strlen(l);

		if (l[0] != '#' && open != NULL && open < l + len) {
			char *labels = strndup(open, (size_t)(l + len - open));

			for (const char *const *n = needles; *n != NULL; n++)
				if (strstr(labels, *n) != NULL)
					fail_msg("a label holds '%s': %s", *n,
						 labels);
			free(labels);
		}
		l += len + (nl != NULL ? 1 : 0);
	}
}

/* --- the main instance --------------------------------------------------- */

static struct gh_user agent, cust, victim;

static int
setup(void **state)
{
	(void)state;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	compile_grammar();
	/* One free failure: the second failure in a row is throttled. */
	gh_start(&srv, "\n[security]\nlogin_free_failures = 1\n");
	gh_add_staff(&srv, "mona.agent@example.com", "agent", &agent);
	gh_add_customer(&srv, "carl.cust@example.org", &cust);
	gh_add_customer(&srv, "vic.locked@example.org", &victim);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	assert_int_equal(gh_stop(&srv), 0);
	regfree(&re_help);
	regfree(&re_type);
	regfree(&re_sample);
	return 0;
}

static void
test_healthz(void **state)
{
	char *body = NULL;
	char *headers = NULL;

	(void)state;
	assert_int_equal(mreq(srv.manage_port, "GET", "/healthz", &body,
			      &headers),
			 200);
	assert_string_equal(body, "{\"status\":\"alive\"}");
	assert_non_null(strstr(headers, "application/json"));
	assert_non_null(strstr(headers, "Cache-Control: no-store"));
	free(body);
	free(headers);
	assert_int_equal(mreq(srv.manage_port, "HEAD", "/healthz", &body,
			      NULL),
			 200);
	assert_string_equal(body, "");
	free(body);
}

static void
test_readyz_ready(void **state)
{
	char *body = NULL;

	(void)state;
	assert_int_equal(mreq(srv.manage_port, "GET", "/readyz", &body, NULL),
			 200);
	assert_string_equal(body, "{\"status\":\"ready\"}");
	free(body);
}

static void
test_methods_and_paths(void **state)
{
	static const char *const methods[] = {"POST", "PUT", "DELETE",
					      "PATCH"};
	static const char *const paths[] = {"/metrics", "/healthz", "/readyz",
					    "/nowhere"};
	static const char *const missing[] = {"/", "/metrics/", "/healthz?x",
					      "/Metrics", "/api/v1/tickets"};
	char *body = NULL;
	char *headers = NULL;

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(mreq(srv.manage_port, methods[i], paths[i],
				      &body, &headers),
				 405);
		assert_registry_error(body, "method_not_allowed");
		assert_non_null(strstr(headers, "Allow: GET, HEAD"));
		free(body);
		free(headers);
	}
	for (size_t i = 0; i < sizeof(missing) / sizeof(missing[0]); i++) {
		long st = mreq(srv.manage_port, "GET", missing[i], &body, NULL);

		/* "/healthz?x": the query is not part of the path. */
		if (strcmp(missing[i], "/healthz?x") == 0) {
			assert_int_equal(st, 200);
		} else {
			assert_int_equal(st, 404);
			assert_registry_error(body, "not_found");
		}
		free(body);
	}
}

/* Logs in with a wrong password; the status. */
static long
bad_login(struct gh_client *c, const char *email)
{
	struct gh_resp r;
	long st = gh_send_json(&srv, c, "POST", "/api/v1/portal/session",
			       json_pack("{s:s, s:s, s:s}", "email", email,
					 "password", "not the password 9",
					 "totp", "123456"),
			       &r);

	gh_resp_free(&r);
	return st;
}

/* The customer's new ticket; its id. */
static int64_t
new_ticket(struct gh_client *c)
{
	struct gh_resp r;
	int64_t id;

	assert_int_equal(gh_send_json(&srv, c, "POST", "/api/v1/portal/tickets",
				      json_pack("{s:s, s:s}", "subject",
						"Parcel", "body",
						"Where is my parcel?"),
				      &r),
			 201);
	id = json_integer_value(json_object_get(r.json, "id"));
	assert_true(id > 0);
	gh_resp_free(&r);
	return id;
}

/* Uploads an ELF executable named as a PDF to ticket id: 201, and
 * quarantined as dangerous. */
static void
upload_executable(struct gh_client *c, int64_t id)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
				  "qrstuvwxyz0123456789+/";
	unsigned char elf[512];
	char enc[700], path[96];
	struct gh_resp r;
	size_t n = 0;

	memset(elf, 0, sizeof(elf));
	memcpy(elf, "\x7f" "ELF\x02\x01\x01", 7);
	elf[16] = 2;
	elf[18] = 62;
	for (size_t i = 0; i < sizeof(elf); i += 3) {
		unsigned v = (unsigned)elf[i] << 16 |
			     (i + 1 < sizeof(elf) ? (unsigned)elf[i + 1] << 8 : 0) |
			     (i + 2 < sizeof(elf) ? elf[i + 2] : 0);

		enc[n++] = b64[v >> 18 & 63];
		enc[n++] = b64[v >> 12 & 63];
		enc[n++] = i + 1 < sizeof(elf) ? b64[v >> 6 & 63] : '=';
		enc[n++] = i + 2 < sizeof(elf) ? b64[v & 63] : '=';
	}
	enc[n] = '\0';
	snprintf(path, sizeof(path), "/api/v1/portal/tickets/%lld/attachments",
		 (long long)id);
	assert_int_equal(gh_send_json(&srv, c, "POST", path,
				      json_pack("{s:s, s:s}", "filename",
						"invoice.pdf", "content_base64",
						enc),
				      &r),
			 201);
	assert_true(json_is_true(json_object_get(r.json, "quarantined")));
	gh_resp_free(&r);
}

#define REQ(l, route, m, st)                                              \
	"gatehouse_http_requests_total{listener=\"" l "\",route=\"" route \
	"\",method=\"" m "\",status=\"" st "\"}"

/* Real logins, a blocked reply and requests move their counters; the
 * labels hold patterns and fixed names only. */
static void
test_metrics_move(void **state)
{
	struct gh_client staff, portal, anon;
	struct gh_resp r;
	char *before, *after, path[96], id_seg[48], tok[128];
	int64_t id;
	long st;

	(void)state;
	gh_client_init(&staff, 1);
	gh_client_init(&portal, 0);
	gh_client_init(&anon, 0);
	before = scrape();
	assert_int_equal(gh_login(&srv, &staff, &agent), 201);
	assert_int_equal(gh_login(&srv, &portal, &cust), 201);
	assert_int_equal(bad_login(&anon, victim.email), 401);
	st = bad_login(&anon, victim.email);
	if (st == 401)
		st = bad_login(&anon, victim.email);
	assert_int_equal(st, 429);
	id = new_ticket(&portal);
	upload_executable(&portal, id);
	snprintf(path, sizeof(path), "/api/v1/tickets/%lld/replies",
		 (long long)id);
	assert_int_equal(gh_send_json(&srv, &staff, "POST", path,
				      json_pack("{s:s}", "body",
						"Your card 4111 1111 1111 1111 "
						"is on file."),
				      &r),
			 422);
	assert_string_equal(gh_error(&r), "dlp_blocked");
	gh_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/tickets/%lld", (long long)id);
	assert_int_equal(gh_req(&srv, &staff, "GET", path, NULL, NULL, &r),
			 200);
	gh_resp_free(&r);
	assert_int_equal(gh_req(&srv, &anon, "GET",
				"/api/v1/nothing/carl.cust@example.org", NULL,
				NULL, &r),
			 404);
	gh_resp_free(&r);
	after = scrape();

#define MOVED(series, by) \
	assert_true(count_of(after, series) - count_of(before, series) == (by))
	MOVED("gatehouse_logins_total{realm=\"staff\",result=\"ok\"}", 1);
	MOVED("gatehouse_logins_total{realm=\"customer\",result=\"ok\"}", 1);
	assert_true(count_of(after, "gatehouse_logins_total{realm=\"customer\","
				    "result=\"failed\"}") -
			    count_of(before, "gatehouse_logins_total{realm="
					     "\"customer\",result=\"failed\"}") >=
		    1);
	MOVED("gatehouse_logins_total{realm=\"customer\",result=\"throttled\"}",
	      1);
	MOVED("gatehouse_dlp_blocks_total{kind=\"credit_card\"}", 1);
	MOVED("gatehouse_attachments_quarantined_total", 1);
	MOVED(REQ("staff", "/api/v1/tickets/{id}/replies", "POST", "422"), 1);
	MOVED(REQ("staff", "/api/v1/tickets/{id}", "GET", "200"), 1);
	MOVED(REQ("public", "/api/v1/portal/tickets", "POST", "201"), 1);
	MOVED(REQ("public", "/api/v1/portal/session", "POST", "429"), 1);
	MOVED(REQ("public", "unmatched", "GET", "404"), 1);
	MOVED("gatehouse_http_request_duration_seconds_count{listener=\"staff\","
	      "route=\"/api/v1/tickets/{id}\"}",
	      1);
	assert_true(metric(after, "gatehouse_http_request_duration_seconds_sum"
				  "{listener=\"staff\",route=\"/api/v1/"
				  "tickets/{id}\"}") > 0);
	assert_true(metric(after, "gatehouse_audit_records") > 0);
	assert_true(metric(after, "gatehouse_ready") == 1);
	assert_true(metric(after, "gatehouse_build_info{version=\"" GH_VERSION
				  "\"}") == 1);
	/* No e-mail address, token, session cookie or id in any label. */
	snprintf(id_seg, sizeof(id_seg), "/%lld", (long long)id);
	assert_int_equal(gh_cookie_token(&staff, tok, sizeof(tok)), 0);
	{
		const char *const needles[] = {
			"@",	     "example.org", id_seg, tok,
			staff.csrf, portal.csrf,   "4111",  "carl", NULL};

		assert_no_label_holds(after, needles);
	}
#undef MOVED
	free(before);
	free(after);
	gh_client_free(&staff);
	gh_client_free(&portal);
	gh_client_free(&anon);
}

/* A signed checkpoint turns the age from +Inf into seconds. */
static void
test_checkpoint_age(void **state)
{
	const char *args[] = {"audit", "checkpoint", NULL};
	char *text;
	double age;

	(void)state;
	assert_int_equal(gh_cli(&srv, NULL, NULL, args), 0);
	text = scrape();
	age = metric(text, "gatehouse_audit_checkpoint_age_seconds");
	if (!(age >= 0 && age < 120))
		fail_msg("checkpoint age %g; ready %g, records %g", age,
			 metric(text, "gatehouse_ready"),
			 metric(text, "gatehouse_audit_records"));
	assert_true(metric(text, "gatehouse_audit_unsigned_records") >= 0);
	free(text);
}

/* The database file taken away under the running server: not ready,
 * saying which check failed and nothing else; back again: ready. */
static void
test_readyz_store_gone(void **state)
{
	char *body = NULL;
	json_t *j;

	(void)state;
	gh_db_take_away(&srv, 1);
	assert_int_equal(mreq(srv.manage_port, "GET", "/readyz", &body, NULL),
			 503);
	j = json_loads(body, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "status")),
			    "not_ready");
	assert_int_equal(json_array_size(json_object_get(j, "failed")), 1);
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(j, "failed"), 0)),
			    "store");
	assert_int_equal(json_object_size(j), 2);
	assert_null(strstr(body, srv.dir));
	json_decref(j);
	free(body);
	body = scrape();
	assert_true(metric(body, "gatehouse_ready") == 0);
	free(body);
	/* Alive all the same. */
	assert_int_equal(mreq(srv.manage_port, "GET", "/healthz", NULL, NULL),
			 200);
	gh_db_take_away(&srv, 0);
	assert_int_equal(mreq(srv.manage_port, "GET", "/readyz", &body, NULL),
			 200);
	free(body);
}

/* A key ring whose current marker names a key it does not hold (a
 * rotation half done by hand): not ready, "keys"; the marker gone again:
 * ready. */
static void
test_readyz_keys(void **state)
{
	char dir[300], cur[320], *body = NULL;
	FILE *f;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/keys", srv.dir);
	snprintf(cur, sizeof(cur), "%s/current", dir);
	assert_true(mkdir(dir, 0700) == 0 || access(dir, F_OK) == 0);
	assert_int_equal(access(cur, F_OK), -1); /* this test's own marker */
	f = fopen(cur, "w");
	assert_non_null(f);
	fputs("7\n", f);
	fclose(f);
	assert_int_equal(mreq(srv.manage_port, "GET", "/readyz", &body, NULL),
			 503);
	assert_string_equal(body,
			    "{\"status\":\"not_ready\",\"failed\":[\"keys\"]}");
	free(body);
	assert_int_equal(unlink(cur), 0);
	assert_int_equal(mreq(srv.manage_port, "GET", "/readyz", &body, NULL),
			 200);
	free(body);
}

/* --- other instances ------------------------------------------------------ */

/* Serves s->dir (stopped before) on new public and staff ports with the
 * extra arguments (NULL-terminated, at most 2), waiting until both
 * listeners accept; the pid. */
static pid_t
serve_with(struct gh_server *s, const char *a1, const char *a2)
{
	char pub[32], staff[32];
	pid_t pid;

	s->pub_port = gh_free_port();
	do
		s->staff_port = gh_free_port();
	while (s->staff_port == s->pub_port);
	snprintf(pub, sizeof(pub), "127.0.0.1:%d", s->pub_port);
	snprintf(staff, sizeof(staff), "127.0.0.1:%d", s->staff_port);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int logfd = open(s->log, O_WRONLY | O_CREAT | O_APPEND, 0600);

		prctl(PR_SET_PDEATHSIG, SIGTERM);
		dup2(logfd, 2);
		execl(s->bin, s->bin, "serve", "--dir", s->dir, "--listen", pub,
		      "--staff-listen", staff, a1, a2, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 200; i++) {
		int status;

		if (gh_port_open(s->pub_port) && gh_port_open(s->staff_port))
			return pid;
		if (waitpid(pid, &status, WNOHANG) == pid)
			fail_msg("serve exited at start; see %s", s->log);
		usleep(50000);
	}
	fail_msg("serve did not start; see %s", s->log);
	return -1;
}

static void
stop_pid(pid_t pid)
{
	int status;

	kill(pid, SIGTERM);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* The listening TCP sockets process pid holds (from /proc). */
static int
listening_sockets(pid_t pid)
{
	static const char *const tables[] = {"/proc/net/tcp", "/proc/net/tcp6"};
	char dir[64], link[340], target[64], line[512];
	unsigned long inodes[256];
	int n_inodes = 0, listening = 0;
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL && n_inodes < 256) {
		ssize_t k;

		snprintf(link, sizeof(link), "%s/%s", dir, e->d_name);
		k = readlink(link, target, sizeof(target) - 1);
		if (k <= 0)
			continue;
		target[k] = '\0';
		if (sscanf(target, "socket:[%lu]", &inodes[n_inodes]) == 1)
			n_inodes++;
	}
	closedir(d);
	for (size_t t = 0; t < 2; t++) {
		FILE *f = fopen(tables[t], "r");

		if (f == NULL)
			continue;
		while (fgets(line, sizeof(line), f) != NULL) {
			unsigned st;
			unsigned long ino;

			if (sscanf(line,
				   "%*d: %*x:%*x %*x:%*x %x %*x:%*x %*x:%*x "
				   "%*x %*u %*u %lu",
				   &st, &ino) != 2 ||
			    st != 0x0A)
				continue;
			for (int i = 0; i < n_inodes; i++)
				if (inodes[i] == ino)
					listening++;
		}
		fclose(f);
	}
	return listening;
}

/* [server] manage_listen names the port; the listener speaks plain HTTP
 * there (a TLS client gets no reply); `--manage-listen off` opens no
 * third socket; an address other than loopback is warned about. */
static void
test_config_port_and_off(void **state)
{
	struct gh_server s;
	char conf[400], line[96], addr[48], *body = NULL;
	int port;
	pid_t pid;
	FILE *f;

	(void)state;
	gh_start(&s, NULL);
	assert_int_equal(gh_stop(&s), 0);
	port = gh_free_port();
	snprintf(conf, sizeof(conf), "%s/gatehouse.conf", s.dir);
	f = fopen(conf, "a");
	assert_non_null(f);
	snprintf(line, sizeof(line), "\n[server]\nmanage_listen = 127.0.0.1:%d\n",
		 port);
	fputs(line, f);
	fclose(f);
	pid = serve_with(&s, NULL, NULL);
	for (int i = 0; i < 100 && !gh_port_open(port); i++)
		usleep(50000);
	assert_int_equal(mreq(port, "GET", "/healthz", &body, NULL), 200);
	assert_string_equal(body, "{\"status\":\"alive\"}");
	free(body);
	{
		CURL *c = curl_easy_init();
		char url[64];

		snprintf(url, sizeof(url), "https://127.0.0.1:%d/healthz", port);
		curl_easy_setopt(c, CURLOPT_URL, url);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
		assert_int_not_equal(curl_easy_perform(c), CURLE_OK);
		curl_easy_cleanup(c);
	}
	assert_int_equal(listening_sockets(pid), 3);
	stop_pid(pid);

	pid = serve_with(&s, "--manage-listen", "off");
	assert_int_equal(listening_sockets(pid), 2);
	assert_false(gh_port_open(port));
	stop_pid(pid);

	snprintf(addr, sizeof(addr), "0.0.0.0:%d", gh_free_port());
	pid = serve_with(&s, "--manage-listen", addr);
	for (int i = 0; i < 100 && !gh_log_contains(&s, "manage.not_loopback");
	     i++)
		usleep(50000);
	assert_true(gh_log_contains(&s, "manage.not_loopback"));
	stop_pid(pid);
	{
		const char *bad[] = {"serve", "--check", "--manage-listen",
				     "nowhere", NULL};
		const char *off[] = {"serve", "--check", "--manage-listen",
				     "off", NULL};

		assert_int_not_equal(gh_cli(&s, NULL, NULL, bad), 0);
		assert_int_equal(gh_cli(&s, NULL, NULL, off), 0);
	}
	{
		/* A management port in use stops start-up (exit 1). */
		struct sockaddr_in a;
		socklen_t alen = sizeof(a);
		int busy = socket(AF_INET, SOCK_STREAM, 0);
		char pub[32], staff[32], mg[32];
		const char *args[] = {"serve", "--listen", pub, "--staff-listen",
				      staff, "--manage-listen", mg, NULL};

		memset(&a, 0, sizeof(a));
		a.sin_family = AF_INET;
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		assert_int_equal(bind(busy, (struct sockaddr *)&a, sizeof(a)), 0);
		assert_int_equal(listen(busy, 1), 0);
		assert_int_equal(getsockname(busy, (struct sockaddr *)&a, &alen),
				 0);
		snprintf(pub, sizeof(pub), "127.0.0.1:%d", gh_free_port());
		snprintf(staff, sizeof(staff), "127.0.0.1:%d", gh_free_port());
		snprintf(mg, sizeof(mg), "127.0.0.1:%d", ntohs(a.sin_port));
		assert_int_equal(gh_cli(&s, NULL, NULL, args), 1);
		close(busy);
	}
}

/* The public listener full ([server] max_connections = 4, four
 * connections held open): it takes nobody more, and the management
 * listener, a daemon of its own, still answers all three endpoints. */
static void
test_answers_when_full(void **state)
{
	struct gh_server s;
	int fds[4];
	char url[64];
	CURL *c;

	(void)state;
	gh_start(&s, "\n[server]\nmax_connections = 4\n");
	for (int i = 0; i < 4; i++) {
		struct sockaddr_in a;

		memset(&a, 0, sizeof(a));
		a.sin_family = AF_INET;
		a.sin_port = htons((uint16_t)s.pub_port);
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		fds[i] = socket(AF_INET, SOCK_STREAM, 0);
		assert_int_equal(connect(fds[i], (struct sockaddr *)&a,
					 sizeof(a)),
				 0);
	}
	usleep(200000); /* the listener has taken all four */
	c = curl_easy_init();
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/", s.pub_port);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 5L);
	assert_int_not_equal(curl_easy_perform(c), CURLE_OK);
	assert_int_equal(mreq(s.manage_port, "GET", "/healthz", NULL, NULL),
			 200);
	assert_int_equal(mreq(s.manage_port, "GET", "/readyz", NULL, NULL),
			 200);
	assert_int_equal(mreq(s.manage_port, "GET", "/metrics", NULL, NULL),
			 200);
	for (int i = 0; i < 4; i++)
		close(fds[i]);
	/* Room again: the public listener answers. */
	for (int i = 0; i < 50 && curl_easy_perform(c) != CURLE_OK; i++)
		usleep(100000);
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	curl_easy_cleanup(c);
	assert_int_equal(gh_stop(&s), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_healthz),
		cmocka_unit_test(test_readyz_ready),
		cmocka_unit_test(test_methods_and_paths),
		cmocka_unit_test(test_metrics_move),
		cmocka_unit_test(test_checkpoint_age),
		cmocka_unit_test(test_readyz_store_gone),
		cmocka_unit_test(test_readyz_keys),
		cmocka_unit_test(test_config_port_and_off),
		cmocka_unit_test(test_answers_when_full),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
