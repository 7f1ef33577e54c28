/* API test harness (see harness.h). */
#include "harness.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "crypto/totp.h"

int
gh_free_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int port;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

int
gh_port_open(int port)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int ok;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

int
gh_cli(struct gh_server *s, const char *stdin_text, char **out,
       const char *const *args)
{
	int in_pipe[2], out_pipe[2];
	const char *argv[32];
	size_t n = 0;
	pid_t pid;
	int status;
	char *buf = NULL;
	size_t len = 0, cap = 0;

	argv[n++] = s->bin;
	for (; *args != NULL && n < 28; args++)
		argv[n++] = *args;
	argv[n++] = "--dir";
	argv[n++] = s->dir;
	argv[n] = NULL;
	assert_int_equal(pipe(in_pipe), 0);
	assert_int_equal(pipe(out_pipe), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int logfd = open(s->log, O_WRONLY | O_CREAT | O_APPEND, 0600);

		dup2(in_pipe[0], 0);
		dup2(out_pipe[1], 1);
		if (logfd >= 0)
			dup2(logfd, 2);
		close(in_pipe[1]);
		close(out_pipe[0]);
		execv(s->bin, (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	close(in_pipe[0]);
	close(out_pipe[1]);
	if (stdin_text != NULL)
		(void)!write(in_pipe[1], stdin_text, strlen(stdin_text));
	close(in_pipe[1]);
	for (;;) {
		ssize_t r;

		if (len + 4096 > cap) {
			cap = cap ? cap * 2 : 8192;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		r = read(out_pipe[0], buf + len, cap - len - 1);
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	buf[len] = '\0';
	close(out_pipe[0]);
	waitpid(pid, &status, 0);
	if (out != NULL)
		*out = buf;
	else
		free(buf);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* The number of lines of the server log that hold needle. */
static int
log_count(struct gh_server *s, const char *needle)
{
	FILE *f = fopen(s->log, "r");
	char *line = NULL;
	size_t cap = 0;
	int n = 0;

	if (f == NULL)
		return 0;
	while (getline(&line, &cap, f) > 0)
		n += strstr(line, needle) != NULL;
	free(line);
	fclose(f);
	return n;
}

/* Starts `serve` on the initialised s->dir on two new free ports (and
 * the management listener on a third, so that instances side by side
 * never meet on its default port) and waits until all accept: 0, or 1
 * when it exited because a port was taken between gh_free_port and its
 * bind (another test's client can get it as its own local port). */
static int
serve_once(struct gh_server *s)
{
	char listen[64], staff[64], manage[64];
	int refused = log_count(s, "cannot listen on");

	s->pub_port = gh_free_port();
	do
		s->staff_port = gh_free_port();
	while (s->staff_port == s->pub_port);
	do
		s->manage_port = gh_free_port();
	while (s->manage_port == s->pub_port ||
	       s->manage_port == s->staff_port);
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", s->pub_port);
	snprintf(staff, sizeof(staff), "127.0.0.1:%d", s->staff_port);
	snprintf(manage, sizeof(manage), "127.0.0.1:%d", s->manage_port);
	s->pid = fork();
	assert_true(s->pid >= 0);
	if (s->pid == 0) {
		int logfd = open(s->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		int null = open("/dev/null", O_RDWR);

		/* The server never outlives its test, and never holds the
		 * test runner's pipes. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		dup2(null, 0);
		dup2(null, 1);
		dup2(logfd, 2);
		execl(s->bin, s->bin, "serve", "--dir", s->dir, "--listen",
		      listen, "--staff-listen", staff, "--manage-listen",
		      manage, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 200; i++) {
		int status;

		if (gh_port_open(s->pub_port) && gh_port_open(s->staff_port) &&
		    gh_port_open(s->manage_port))
			return 0;
		if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
			if (log_count(s, "cannot listen on") > refused)
				return 1;
			fail_msg("gatehouse serve exited at start; see %s", s->log);
		}
		usleep(50000);
	}
	fail_msg("gatehouse serve did not start; see %s", s->log);
	return -1;
}

/* serve_once, on other ports when one was taken (three tries). */
static void
serve(struct gh_server *s)
{
	for (int i = 0; i < 3; i++)
		if (serve_once(s) == 0)
			return;
	fail_msg("gatehouse serve found its ports taken three times; see %s",
		 s->log);
}

static void
append_conf(struct gh_server *s, const char *extra_conf)
{
	char path[400];
	FILE *f;

	if (extra_conf == NULL)
		return;
	snprintf(path, sizeof(path), "%s/gatehouse.conf", s->dir);
	f = fopen(path, "a");
	assert_non_null(f);
	fputs(extra_conf, f);
	fclose(f);
}

void
gh_start(struct gh_server *s, const char *extra_conf)
{
	char tmpl[] = "/tmp/gh-api-XXXXXX";
	const char *bin = getenv("GH_BIN");

	memset(s, 0, sizeof(s[0]));
	assert_non_null(bin);
	snprintf(s->bin, sizeof(s->bin), "%s", bin);
	assert_non_null(mkdtemp(tmpl));
	snprintf(s->dir, sizeof(s->dir), "%s/var", tmpl);
	snprintf(s->log, sizeof(s->log), "%s/server.log", tmpl);
	gh_db_init(s);
	append_conf(s, extra_conf);
	serve(s);
}

int
gh_restart(struct gh_server *s, const char *extra_conf)
{
	int rc = gh_stop(s);

	append_conf(s, extra_conf);
	serve(s);
	return rc;
}

int
gh_stop_signal(struct gh_server *s, int sig)
{
	int status = 0;

	if (s->pid <= 0)
		return -1;
	kill(s->pid, sig);
	waitpid(s->pid, &status, 0);
	s->pid = 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int
gh_stop(struct gh_server *s)
{
	return gh_stop_signal(s, SIGTERM);
}

static void
parse_user(const char *out, struct gh_user *u)
{
	json_error_t e;
	json_t *j = json_loads(out, 0, &e);
	const char *b32;
	size_t n = 0;
	int bits = 0, acc = 0;

	assert_non_null(j);
	u->id = json_integer_value(json_object_get(j, "id"));
	b32 = json_string_value(json_object_get(j, "totp_secret"));
	assert_non_null(b32);
	snprintf(u->b32, sizeof(u->b32), "%s", b32);
	for (const char *p = b32; *p && n < sizeof(u->secret); p++) {
		int v = *p >= 'A' && *p <= 'Z' ? *p - 'A' : *p - '2' + 26;

		acc = ((acc << 5) | v) & 0xffff;
		bits += 5;
		if (bits >= 8) {
			u->secret[n++] = (unsigned char)(acc >> (bits - 8));
			bits -= 8;
		}
	}
	json_decref(j);
}

void
gh_add_staff(struct gh_server *s, const char *email, const char *role,
	     struct gh_user *u)
{
	const char *args[] = {"staff", "add", "--email", email, "--name",
			      "Test Staff", "--role", role, "--password-stdin",
			      NULL};
	char *out = NULL;

	memset(u, 0, sizeof(*u));
	snprintf(u->email, sizeof(u->email), "%s", email);
	snprintf(u->password, sizeof(u->password), "tangerine Orbit quill 47");
	assert_int_equal(gh_cli(s, u->password, &out, args), 0);
	parse_user(out, u);
	free(out);
}

void
gh_train(struct gh_server *s, const char *email)
{
	const char *args[] = {"training", "complete", "--email", email,
			      "--all", NULL};

	assert_int_equal(gh_cli(s, NULL, NULL, args), 0);
}

void
gh_add_customer(struct gh_server *s, const char *email, struct gh_user *u)
{
	const char *args[] = {"customer", "add", "--email", email, "--name",
			      "Test Customer", "--phone", "+44 20 7946 0123",
			      "--dob", "1980-02-29", "--address",
			      "1 Test Street, London", "--password-stdin", NULL};
	char *out = NULL;

	memset(u, 0, sizeof(*u));
	snprintf(u->email, sizeof(u->email), "%s", email);
	snprintf(u->password, sizeof(u->password), "marmalade Tuesday kite 3");
	assert_int_equal(gh_cli(s, u->password, &out, args), 0);
	parse_user(out, u);
	free(out);
}

void
gh_totp_next(struct gh_user *u, char out[7])
{
	int64_t now_step = (int64_t)time(NULL) / 30;
	int64_t step = u->last_step + 1;

	if (step < now_step)
		step = now_step;
	/* The server accepts one step ahead; beyond that, wait. */
	while (step > (int64_t)time(NULL) / 30 + 1)
		sleep(1);
	assert_int_equal(totp_generate(u->secret, sizeof(u->secret),
				       (time_t)(step * 30), out),
			 0);
	u->last_step = step;
}

void
gh_client_init(struct gh_client *c, int staff)
{
	memset(c, 0, sizeof(*c));
	c->curl = curl_easy_init();
	c->staff = staff;
	curl_easy_setopt(c->curl, CURLOPT_COOKIEFILE, "");
}

void
gh_client_free(struct gh_client *c)
{
	curl_easy_cleanup(c->curl);
	c->curl = NULL;
}

static size_t
on_data(char *p, size_t size, size_t n, void *ud)
{
	char **buf = ud;
	size_t *len = (size_t *)(buf + 1);
	size_t add = size * n;
	char *nb = realloc(*buf, *len + add + 1);

	if (nb == NULL)
		return 0;
	memcpy(nb + *len, p, add);
	*len += add;
	nb[*len] = '\0';
	*buf = nb;
	return add;
}

long
gh_req(struct gh_server *s, struct gh_client *c, const char *method,
       const char *path, const char *body, const char *const *headers,
       struct gh_resp *r)
{
	char url[2300];
	char cafile[300];
	char csrf[128];
	struct curl_slist *h = NULL;
	struct {
		char *buf;
		size_t len;
	} data = {NULL, 0}, hdr = {NULL, 0};
	CURLcode rc;

	memset(r, 0, sizeof(*r));
	snprintf(url, sizeof(url), "https://127.0.0.1:%d%s",
		 c->staff ? s->staff_port : s->pub_port, path);
	snprintf(cafile, sizeof(cafile), "%s/tls.crt", s->dir);
	curl_easy_setopt(c->curl, CURLOPT_URL, url);
	curl_easy_setopt(c->curl, CURLOPT_CAINFO, cafile);
	/* Only the server's certificate: without this libcurl reads the
	 * whole system CA directory for every new connection (~30 ms). */
	curl_easy_setopt(c->curl, CURLOPT_CAPATH, NULL);
	curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c->curl, CURLOPT_NOBODY,
			 strcmp(method, "HEAD") == 0 ? 1L : 0L);
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT, 60L);
	if (body != NULL) {
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE,
				 (long)strlen(body));
		int custom = 0;

		for (const char *const *x = headers; x != NULL && *x != NULL;
		     x++)
			if (strncasecmp(*x, "Content-Type:", 13) == 0)
				custom = 1;
		if (!custom)
			h = curl_slist_append(h,
					      "Content-Type: application/json");
	} else {
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, NULL);
		curl_easy_setopt(c->curl, CURLOPT_HTTPGET, 1L);
		curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, method);
	}
	if (c->csrf[0] != '\0') {
		snprintf(csrf, sizeof(csrf), "X-CSRF-Token: %s", c->csrf);
		h = curl_slist_append(h, csrf);
	}
	for (; headers != NULL && *headers != NULL; headers++)
		h = curl_slist_append(h, *headers);
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, &data);
	curl_easy_setopt(c->curl, CURLOPT_HEADERFUNCTION, on_data);
	curl_easy_setopt(c->curl, CURLOPT_HEADERDATA, &hdr);
	rc = curl_easy_perform(c->curl);
	curl_slist_free_all(h);
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, NULL);
	r->body = data.buf != NULL ? data.buf : strdup("");
	r->len = data.len;
	r->headers = hdr.buf != NULL ? hdr.buf : strdup("");
	r->hlen = hdr.len;
	if (rc != CURLE_OK) {
		r->status = -1;
		return -1;
	}
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &r->status);
	r->json = json_loadb(r->body, r->len, 0, NULL);
	return r->status;
}

long
gh_send_json(struct gh_server *s, struct gh_client *c, const char *method,
	     const char *path, json_t *obj, struct gh_resp *r)
{
	char *body = json_dumps(obj, JSON_COMPACT);
	long st;

	json_decref(obj);
	assert_non_null(body);
	st = gh_req(s, c, method, path, body, NULL, r);
	free(body);
	return st;
}

void
gh_resp_free(struct gh_resp *r)
{
	free(r->body);
	free(r->headers);
	json_decref(r->json);
	memset(r, 0, sizeof(*r));
}

char *
gh_header(const struct gh_resp *r, const char *name)
{
	size_t nl = strlen(name);
	const char *p = r->headers;

	while (p != NULL && *p) {
		const char *eol = strstr(p, "\r\n");
		size_t ll = eol ? (size_t)(eol - p) : strlen(p);

		if (ll > nl && strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			const char *v = p + nl + 1;

			while (*v == ' ')
				v++;
			return strndup(v, ll - (size_t)(v - p));
		}
		p = eol ? eol + 2 : NULL;
	}
	return NULL;
}

const char *
gh_error(const struct gh_resp *r)
{
	const char *e = json_string_value(json_object_get(r->json, "error"));

	return e != NULL ? e : "";
}

long
gh_login(struct gh_server *s, struct gh_client *c, struct gh_user *u)
{
	char code[7];
	char body[512];
	struct gh_resp r;
	long st;
	int enrol = 0;

	if (c->staff && u->passkey != NULL)
		return gh_pk_login(s, c, u);
	gh_totp_next(u, code);
	snprintf(body, sizeof(body),
		 "{\"email\":\"%s\",\"password\":\"%s\",\"totp\":\"%s\"}",
		 u->email, u->password, code);
	c->csrf[0] = '\0';
	st = gh_req(s, c, "POST",
		    c->staff ? "/api/v1/staff/session" : "/api/v1/portal/session",
		    body, NULL, &r);
	if (st == 201) {
		const char *t = json_string_value(
			json_object_get(r.json, "csrf_token"));

		assert_non_null(t);
		snprintf(c->csrf, sizeof(c->csrf), "%s", t);
		enrol = c->staff && json_is_true(json_object_get(
				r.json, "passkey_enrollment_required"));
	}
	gh_resp_free(&r);
	return enrol ? gh_pk_enrol(s, c, u) : st;
}

int
gh_log_contains(struct gh_server *s, const char *needle)
{
	FILE *f = fopen(s->log, "r");
	char *line = NULL;
	size_t cap = 0;
	int found = 0;

	if (f == NULL)
		return 0;
	while (!found && getline(&line, &cap, f) > 0)
		found = strstr(line, needle) != NULL;
	free(line);
	fclose(f);
	return found;
}

int
gh_log_wait(struct gh_server *s, const char *needle, int wait_ms)
{
	for (int waited = 0;; waited += 20) {
		if (gh_log_contains(s, needle))
			return 1;
		if (waited >= wait_ms)
			return 0;
		usleep(20 * 1000);
	}
}

int
gh_cookie_token(struct gh_client *c, char *out, size_t outsz)
{
	struct curl_slist *list = NULL;
	int rc = -1;

	out[0] = '\0';
	if (curl_easy_getinfo(c->curl, CURLINFO_COOKIELIST, &list) != CURLE_OK)
		return -1;
	for (struct curl_slist *l = list; l != NULL; l = l->next) {
		const char *v = strrchr(l->data, '\t');

		if (strstr(l->data, "__Host-gh_") != NULL && v != NULL &&
		    v[1] != '\0') {
			snprintf(out, outsz, "%s", v + 1);
			rc = 0;
		}
	}
	curl_slist_free_all(list);
	return rc;
}

/* Appends the ids of a list reply's "tickets" to ids[*n]; returns how
 * many. */
static size_t
page_ids(const struct gh_resp *r, int64_t *ids, size_t *n, size_t cap)
{
	json_t *arr = json_object_get(r->json, "tickets");
	size_t i;
	json_t *t;

	assert_true(json_is_array(arr));
	json_array_foreach(arr, i, t) {
		assert_true(*n < cap);
		ids[(*n)++] = json_integer_value(json_object_get(t, "id"));
	}
	return json_array_size(arr);
}

void
gh_assert_pages_of_five(struct gh_server *s, struct gh_client *c,
			const char *list, const int64_t made[5])
{
	int64_t got[8];
	size_t n = 0;
	char path[256];
	struct gh_resp r;

	for (int page = 0; page < 4; page++) {
		snprintf(path, sizeof(path), "%slimit=2&offset=%d", list,
			 page * 2);
		assert_int_equal(gh_req(s, c, "GET", path, NULL, NULL, &r),
				 200);
		assert_int_equal(json_integer_value(json_object_get(r.json,
								    "limit")),
				 2);
		assert_int_equal(json_integer_value(json_object_get(r.json,
								    "offset")),
				 page * 2);
		assert_int_equal(page_ids(&r, got, &n, 8),
				 page < 2 ? 2 : page == 2 ? 1 : 0);
		gh_resp_free(&r);
	}
	assert_int_equal(n, 5);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(got[i], made[4 - i]);
}

void
gh_assert_bad_page_args(struct gh_server *s, struct gh_client *c,
			const char *list, const char *const *bad, size_t n)
{
	char path[256];
	struct gh_resp r;

	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s%s", list, bad[i]);
		assert_int_equal(gh_req(s, c, "GET", path, NULL, NULL, &r),
				 400);
		assert_string_equal(gh_error(&r), "bad_query");
		assert_string_equal(json_string_value(json_object_get(r.json,
								      "field")),
				    bad[i][0] == 'l' ? "limit" : "offset");
		gh_resp_free(&r);
	}
}

int
gh_take_mail(struct gh_server *s, const char *to, const char *needle,
	     int wait_s, char **text)
{
	char dir[400], hdr[300];

	snprintf(dir, sizeof(dir), "%s/outbox", s->dir);
	snprintf(hdr, sizeof(hdr), "To: %s\r\n", to);
	for (int i = 0; i < wait_s * 10; i++) {
		DIR *d = opendir(dir);
		struct dirent *e;

		while (d != NULL && (e = readdir(d)) != NULL) {
			size_t l = strlen(e->d_name);
			char p[800], done[820];
			struct stat st;
			FILE *f;

			if (l < 5 || strcmp(e->d_name + l - 4, ".eml") != 0)
				continue;
			snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
			assert_int_equal(stat(p, &st), 0);
			*text = calloc(1, (size_t)st.st_size + 1);
			f = fopen(p, "r");
			assert_non_null(f);
			assert_int_equal(fread(*text, 1, (size_t)st.st_size, f),
					 (size_t)st.st_size);
			fclose(f);
			if (strstr(*text, hdr) == NULL ||
			    strstr(*text, needle) == NULL) {
				free(*text);
				*text = NULL;
				continue;
			}
			snprintf(done, sizeof(done), "%s.read", p);
			assert_int_equal(rename(p, done), 0);
			closedir(d);
			return 0;
		}
		if (d != NULL)
			closedir(d);
		usleep(100000);
	}
	return -1;
}

/* Issue 16 UNITS: serve with a chosen environment (see harness.h). */

/* In the child: applies env (see gh_start_env). */
static void
apply_env(const char *const *env)
{
	for (; env != NULL && *env != NULL; env++) {
		char name[128];
		const char *eq = strchr(*env, '=');
		char pid[32];

		if (eq == NULL) {
			unsetenv(*env);
			continue;
		}
		snprintf(name, sizeof(name), "%.*s", (int)(eq - *env), *env);
		snprintf(pid, sizeof(pid), "%ld", (long)getpid());
		setenv(name, strcmp(eq + 1, "%pid") == 0 ? pid : eq + 1, 1);
	}
}

void
gh_start_env(struct gh_server *s, const char *extra_conf,
	     const char *const *env)
{
	char tmpl[] = "/tmp/gh-api-XXXXXX";
	const char *bin = getenv("GH_BIN");
	char listen[64], staff[64];

	memset(s, 0, sizeof(s[0]));
	assert_non_null(bin);
	snprintf(s->bin, sizeof(s->bin), "%s", bin);
	assert_non_null(mkdtemp(tmpl));
	snprintf(s->dir, sizeof(s->dir), "%s/var", tmpl);
	snprintf(s->log, sizeof(s->log), "%s/server.log", tmpl);
	gh_db_init(s);
	append_conf(s, extra_conf);
	s->pub_port = gh_free_port();
	do
		s->staff_port = gh_free_port();
	while (s->staff_port == s->pub_port);
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", s->pub_port);
	snprintf(staff, sizeof(staff), "127.0.0.1:%d", s->staff_port);
	s->pid = fork();
	assert_true(s->pid >= 0);
	if (s->pid == 0) {
		int logfd = open(s->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		int null = open("/dev/null", O_RDWR);

		prctl(PR_SET_PDEATHSIG, SIGTERM);
		dup2(null, 0);
		dup2(null, 1);
		dup2(logfd, 2);
		apply_env(env);
		execl(s->bin, s->bin, "serve", "--dir", s->dir, "--listen",
		      listen, "--staff-listen", staff, (char *)NULL);
		_exit(127);
	}
}

int
gh_ports_open(struct gh_server *s)
{
	return gh_port_open(s->pub_port) && gh_port_open(s->staff_port);
}

/* Issue 16 NODES: several nodes on one desk (see harness.h). */

void
gh_serve_dir(struct gh_server *s, const char *dir, const char *log)
{
	const char *bin = getenv("GH_BIN");

	memset(s, 0, sizeof(s[0]));
	assert_non_null(bin);
	snprintf(s->bin, sizeof(s->bin), "%s", bin);
	snprintf(s->dir, sizeof(s->dir), "%s", dir);
	snprintf(s->log, sizeof(s->log), "%s", log);
	serve(s);
}
