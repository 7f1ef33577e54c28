/*
 * The nodes of bench/load_nodes.c (see nodelib.h): `gatehouse serve`
 * processes on loopback ports, started, copied, restarted and removed,
 * and what they and the database spend (CPU, counters).
 */
#include "nodelib.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <ftw.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

static void
die(const char *what)
{
	fprintf(stderr, "load_nodes: %s\n", what);
	exit(1);
}

static int
free_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	if (port <= 0)
		die("no free port");
	return port;
}

static int
port_open(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	int fd = socket(AF_INET, SOCK_STREAM, 0), ok;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)port);
	ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

/* `gatehouse serve` on s->dir (initialised) on three new loopback ports;
 * waits until they accept. */
void
node_serve(struct gh_server *s)
{
	char l[3][64];
	int status;

	s->pub_port = free_port();
	do
		s->staff_port = free_port();
	while (s->staff_port == s->pub_port);
	do
		s->manage_port = free_port();
	while (s->manage_port == s->pub_port ||
	       s->manage_port == s->staff_port);
	snprintf(l[0], sizeof(l[0]), "127.0.0.1:%d", s->pub_port);
	snprintf(l[1], sizeof(l[1]), "127.0.0.1:%d", s->staff_port);
	snprintf(l[2], sizeof(l[2]), "127.0.0.1:%d", s->manage_port);
	s->pid = fork();
	if (s->pid < 0)
		die("fork");
	if (s->pid == 0) {
		int logfd = open(s->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		int null = open("/dev/null", O_RDWR);

		prctl(PR_SET_PDEATHSIG, SIGTERM);
		dup2(null, 0);
		dup2(null, 1);
		dup2(logfd, 2);
		execl(s->bin, s->bin, "serve", "--dir", s->dir, "--listen", l[0],
		      "--staff-listen", l[1], "--manage-listen", l[2],
		      (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 400; i++) {
		if (port_open(s->pub_port) && port_open(s->staff_port) &&
		    port_open(s->manage_port))
			return;
		if (waitpid(s->pid, &status, WNOHANG) == s->pid)
			break;
		usleep(50000);
	}
	fprintf(stderr, "load_nodes: serve did not start; see %s\n", s->log);
	exit(1);
}

/* A new data directory (init, with --store url when url != NULL), and
 * its node serving. */
void
node_init(struct gh_server *s, const char *url)
{
	char tmpl[] = "/tmp/gh-bench-nodes-XXXXXX";
	const char *a_sqlite[] = {"init", NULL};
	const char *a_pg[] = {"init", "--store", url, NULL};

	memset(s, 0, sizeof(*s));
	snprintf(s->bin, sizeof(s->bin), "%s", getenv("GH_BIN"));
	if (mkdtemp(tmpl) == NULL)
		die("mkdtemp");
	snprintf(s->dir, sizeof(s->dir), "%s/var", tmpl);
	snprintf(s->log, sizeof(s->log), "%s/server.log", tmpl);
	if (gh_cli(s, NULL, NULL, url != NULL ? a_pg : a_sqlite) != 0)
		die("gatehouse init failed");
	node_serve(s);
}

/* A second node: a copy of s's data directory (keys, config,
 * certificate: what a second machine is given), serving. */
void
node_copy(const struct gh_server *s, struct gh_server *out)
{
	char tmpl[] = "/tmp/gh-bench-nodes-XXXXXX", cmd[700];

	memset(out, 0, sizeof(*out));
	memcpy(out->bin, s->bin, sizeof(out->bin));
	if (mkdtemp(tmpl) == NULL)
		die("mkdtemp");
	snprintf(out->dir, sizeof(out->dir), "%s/var", tmpl);
	snprintf(out->log, sizeof(out->log), "%s/server.log", tmpl);
	snprintf(cmd, sizeof(cmd), "cp -a '%s' '%s'", s->dir, out->dir);
	if (system(cmd) != 0)
		die("copying the data directory");
	node_serve(out);
}

/* Stops the node, sets [server] threads (the event-loop threads of each
 * listener) to n in its config and serves it again on new ports. */
void
node_threads(struct gh_server *s, int n)
{
	char path[400];
	FILE *f;

	if (gh_stop(s) != 0)
		die("a node stopped uncleanly");
	snprintf(path, sizeof(path), "%s/gatehouse.conf", s->dir);
	f = fopen(path, "a");
	if (f == NULL)
		die("gatehouse.conf");
	fprintf(f, "\n[server]\nthreads = %d\n", n);
	fclose(f);
	node_serve(s);
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Stops the node and removes its directory (the parent of s->dir). */
void
node_remove(struct gh_server *s)
{
	char top[256];

	if (s->pid > 0 && gh_stop(s) != 0)
		fprintf(stderr, "load_nodes: a node stopped uncleanly: %s\n",
			s->log);
	snprintf(top, sizeof(top), "%s", s->dir);
	if (strrchr(top, '/') == NULL)
		return;
	*strrchr(top, '/') = '\0';
	nftw(top, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	s->dir[0] = '\0'; /* removed: a second call does nothing */
}

/* --- what the nodes and the database spent -------------------------------- */

double
node_cpu_s(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut = 0, st = 0;
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
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

struct text {
	char buf[65536];
	size_t len;
};

static size_t
to_text(char *p, size_t sz, size_t n, void *u)
{
	struct text *t = u;
	size_t k = sz * n;

	if (k > sizeof(t->buf) - 1 - t->len)
		k = sizeof(t->buf) - 1 - t->len;
	memcpy(t->buf + t->len, p, k);
	t->len += k;
	t->buf[t->len] = '\0';
	return sz * n;
}

double
node_metric(const struct gh_server *s, const char *name)
{
	struct text *t = calloc(1, sizeof(*t));
	CURL *c = curl_easy_init();
	const char *at;
	char url[64];
	double sum = -1;

	if (t == NULL || c == NULL)
		goto out;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/metrics",
		 s->manage_port);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, to_text);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (curl_easy_perform(c) != CURLE_OK)
		goto out;
	sum = 0;
	for (at = strstr(t->buf, name); at != NULL; at = strstr(at + 1, name))
		if ((at == t->buf || at[-1] == '\n') && at[strlen(name)] == ' ')
			sum += strtod(at + strlen(name) + 1, NULL);
out:
	if (c != NULL)
		curl_easy_cleanup(c);
	free(t);
	return sum;
}

int
pg_admin(const char *conninfo, const char *sql, char *out, size_t outsz)
{
	PGconn *c = PQconnectdb(conninfo);
	PGresult *r;
	int ok;

	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "load_nodes: PostgreSQL: %s", PQerrorMessage(c));
		PQfinish(c);
		return -1;
	}
	r = PQexec(c, sql);
	ok = PQresultStatus(r) == PGRES_COMMAND_OK ||
	     PQresultStatus(r) == PGRES_TUPLES_OK;
	if (ok && out != NULL)
		snprintf(out, outsz, "%s",
			 PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "");
	if (!ok)
		fprintf(stderr, "load_nodes: %s: %s", sql, PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	return ok ? 0 : -1;
}

double
pg_backends_cpu_s(const char *conninfo, const char *db)
{
	const char *const params[1] = {db};
	PGconn *c = PQconnectdb(conninfo);
	PGresult *r;
	double s = 0;

	r = PQstatus(c) == CONNECTION_OK
		    ? PQexecParams(c,
				   "SELECT pid FROM pg_stat_activity "
				   "WHERE datname = $1",
				   1, NULL, params, NULL, NULL, 0)
		    : NULL;
	for (int i = 0; PQresultStatus(r) == PGRES_TUPLES_OK &&
			i < PQntuples(r); i++)
		s += node_cpu_s((pid_t)strtol(PQgetvalue(r, i, 0), NULL, 10));
	PQclear(r);
	PQfinish(c);
	return s;
}
