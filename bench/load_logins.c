/*
 * Load benchmark of issue 14, parts LOGINS and FLOOD: does a login flood
 * slow the staff console? Starts the release server on loopback (the API
 * test harness), seeds a staff member, a customer and a ticket, then
 * measures the agent's ticket view (one keep-alive client, requests one
 * after the other) alone, and during floods of wrong logins. Each flood
 * is N_FLOOD connections, each from its own 127.x address, changing
 * address before the per-address throttle would stop it, with a new
 * unknown e-mail every time (the worst case: every attempt is owed a
 * hash). The rows: the staff and the customer flood as they always were
 * (the flood's client is the API tests': Debian's libcurl-gnutls reads
 * the whole system CA directory for each new connection, ~30 ms of this
 * process's CPU), the same with a lean client (trusts only the server's
 * certificate: a stronger flood, the bench's CPU spent on requests),
 * the staff flood with its threads at nice 19 (the attacker's CPU is
 * not the server's), and after restarts with the accept budget engaged
 * and with the flood outside [server] staff_networks. Each flood prints
 * its attempts and new TLS connections a second and the CPU the server
 * and this process used meanwhile. Prints
 *     ROW <name>: <figure> | baseline <figure>   (aim <aim>)
 * `--first N` runs only the first N flood rows. Bounded: about two
 * minutes of load, loopback only, every thread and the server stopped at
 * the end.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "loadlib.h"

#define N_FLOOD 200
#define BASE_SECONDS 4.0
#define RAMP_SECONDS 1.5
#define FLOOD_SECONDS 6.0
/* Below [security] login_ip_free_failures (30): a new address first. */
#define PER_ADDRESS 25
/* The flood's threads in the row that keeps their CPU below the
 * server's. */
#define NICE_FLOOD 19

static struct gh_server srv;

/* --- the flood ------------------------------------------------------------ */

/* What a flood sends to, and how its clients run. */
struct flood_kind {
	int staff; /* the staff login (else the customer login) */
	int nice;  /* the flood threads' nice value (0: as the bench) */
	int lean;  /* the client trusts only the server's certificate */
	int own_process; /* the flood runs in a child, not beside the view */
};

struct flooder {
	struct flood_kind k;
	unsigned idx;
	volatile int *stop;
	unsigned long sent, n401, n429, n503, other, connects, failed;
};

static void
flooder_address(struct flooder *f, unsigned round, struct gh_client *c)
{
	char addr[32];
	unsigned n = f->idx * 4096u + round;

	snprintf(addr, sizeof(addr), "127.%u.%u.%u", 10u + (n >> 16) % 200u,
		 (n >> 8) & 0xffu, 1u + (n & 0xffu) % 254u);
	curl_easy_setopt(c->curl, CURLOPT_INTERFACE, addr);
}

static void *
flood_main(void *arg)
{
	struct flooder *f = arg;
	struct gh_client c;
	struct gh_resp r;
	char body[256];
	unsigned round = 0;
	long st, conns = 0;

	/* On Linux a thread's id names that thread alone. */
	if (f->k.nice != 0)
		(void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid),
				  f->k.nice);
	gh_client_init(&c, f->k.staff);
	while (!*f->stop) {
		if (f->sent % PER_ADDRESS == 0) {
			gh_client_free(&c);
			gh_client_init(&c, f->k.staff);
			flooder_address(f, round++, &c);
			/* Debian's libcurl-gnutls reads every certificate of
			 * /etc/ssl/certs (its CA path) for each new connection,
			 * about 30 ms of the bench's CPU; a lean client does
			 * not (gh_req sets the server's own CA file). */
			if (f->k.lean)
				curl_easy_setopt(c.curl, CURLOPT_CAPATH, NULL);
		}
		snprintf(body, sizeof(body),
			 "{\"email\":\"nobody%u.%lu@example.com\","
			 "\"password\":\"wrong password here\","
			 "\"totp\":\"123456\"}",
			 f->idx, f->sent);
		st = gh_req(&srv, &c, "POST",
			    f->k.staff ? "/api/v1/staff/session"
				     : "/api/v1/portal/session",
			    body, NULL, &r);
		gh_resp_free(&r);
		curl_easy_getinfo(c.curl, CURLINFO_NUM_CONNECTS, &conns);
		f->connects += (unsigned long)conns;
		f->sent++;
		f->n401 += st == 401;
		f->n429 += st == 429;
		f->n503 += st == 503;
		f->failed += st < 0;
		f->other += st > 0 && st != 401 && st != 429 && st != 503;
	}
	gh_client_free(&c);
	return NULL;
}

/* --- the ticket view ------------------------------------------------------ */

struct figure {
	double median_ms, p99_ms, rps;
	size_t n, failed;
	double attempts_s, connects_s; /* the flood's, during it */
};

/* GETs path for secs seconds, one request after the other. */
static struct figure
view(struct gh_client *c, const char *path, double secs)
{
	struct load_gets g;

	load_time_gets(&srv, c, path, secs, 1e300, &g);
	return (struct figure){.median_ms = g.median_ms, .p99_ms = g.p99_ms,
			       .rps = g.rps, .n = g.n, .failed = g.failed};
}

/* CPU seconds (user + system) process pid has used so far, 0 when
 * unreadable. */
static double
cpu_s(pid_t pid)
{
	char path[64], buf[1024];
	unsigned long long ut = 0, st = 0;
	const char *p;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* Fields 14 and 15, counted after the command name's ')'. */
	p = strrchr(buf, ')');
	if (p == NULL ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
		   &ut, &st) != 2)
		return 0;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static void
flood_sum(struct flooder *sum, const struct flooder *f)
{
	sum->sent += f->sent;
	sum->n401 += f->n401;
	sum->n429 += f->n429;
	sum->n503 += f->n503;
	sum->other += f->other;
	sum->connects += f->connects;
	sum->failed += f->failed;
}

/* A running flood: its threads, in this process or in a child. */
struct flood_run {
	struct flood_kind k;
	struct flooder fl[N_FLOOD];
	pthread_t th[N_FLOOD];
	volatile int stop;
	unsigned started;
	pid_t child;	    /* own_process: the child running the threads */
	int stop_fd, out_fd; /* own_process: pipes to and from it */
};

/* What a flood reports when it stops. */
struct flood_result {
	struct flooder sum;
	unsigned started;
	double cpu_s; /* the flooding process's CPU (own_process only) */
};

static void
threads_start(struct flood_run *f)
{
	f->stop = 0;
	f->started = 0;
	for (unsigned i = 0; i < N_FLOOD; i++) {
		f->fl[i] = (struct flooder){.k = f->k, .idx = i, .stop = &f->stop};
		if (pthread_create(&f->th[i], NULL, flood_main, &f->fl[i]) != 0)
			break;
		f->started = i + 1;
	}
}

static struct flood_result
threads_stop(struct flood_run *f)
{
	struct flood_result res = {.started = f->started};

	f->stop = 1;
	for (unsigned i = 0; i < f->started; i++) {
		pthread_join(f->th[i], NULL);
		flood_sum(&res.sum, &f->fl[i]);
	}
	return res;
}

/* The child of an own_process flood: runs the threads until the parent
 * writes (or goes away), then sends its result and its CPU time. */
static void
flood_child(struct flood_run *f)
{
	struct flood_result res;
	char b;
	ssize_t n;

	threads_start(f);
	n = read(f->stop_fd, &b, 1); /* 1, or 0 when the parent went away */
	res = threads_stop(f);
	res.cpu_s = cpu_s(getpid());
	if (n >= 0 && write(f->out_fd, &res, sizeof(res)) != (ssize_t)sizeof(res))
		_exit(1);
	_exit(0);
}

static void
flood_start(struct flood_run *f)
{
	int to[2], from[2];

	f->child = -1;
	if (!f->k.own_process) {
		threads_start(f);
		return;
	}
	if (pipe(to) != 0 || pipe(from) != 0)
		return;
	fflush(stdout);
	f->child = fork();
	if (f->child == 0) {
		close(to[1]);
		close(from[0]);
		f->stop_fd = to[0];
		f->out_fd = from[1];
		flood_child(f);
	}
	close(to[0]);
	close(from[1]);
	f->stop_fd = to[1];
	f->out_fd = from[0];
}

static struct flood_result
flood_stop(struct flood_run *f)
{
	struct flood_result res = {0};

	if (!f->k.own_process)
		return threads_stop(f);
	if (f->child > 0) {
		if (write(f->stop_fd, "x", 1) != 1 ||
		    read(f->out_fd, &res, sizeof(res)) != (ssize_t)sizeof(res))
			memset(&res, 0, sizeof(res));
		waitpid(f->child, NULL, 0);
	}
	close(f->stop_fd);
	close(f->out_fd);
	return res;
}

static void
flood_report(const struct flood_run *f, const struct flood_result *res,
	     double secs, double srv_cpu, double bench_cpu)
{
	const struct flooder *sum = &res->sum;

	printf("  %s flood%s%s%s: %u connections, %lu logins answered in "
	       "%.1f s (%.0f/s, %lu new TLS connections, %.0f/s): %lu 401 "
	       "(hashed), %lu 503 server_busy, %lu 429, %lu other, %lu failed\n"
	       "    CPU in those %.1f s: server %.1f s, bench %.1f s\n",
	       f->k.staff ? "staff" : "customer",
	       f->k.own_process ? ", own process" : "",
	       f->k.lean ? ", lean client" : "",
	       f->k.nice != 0 ? ", threads at nice 19" : "", res->started,
	       sum->sent, secs, (double)sum->sent / secs, sum->connects,
	       (double)sum->connects / secs, sum->n401, sum->n503, sum->n429,
	       sum->other, sum->failed, secs, srv_cpu, bench_cpu);
}

/* The view during a flood of kind k. */
static struct figure
view_during_flood(struct gh_client *c, const char *path,
		  struct flood_kind k)
{
	static struct flood_run run;
	struct flood_result res;
	struct figure fig;
	double t0 = load_now_s(), srv0 = cpu_s(srv.pid), me0 = cpu_s(getpid());
	double secs, me;

	run.k = k;
	flood_start(&run);
	view(c, path, RAMP_SECONDS);
	fig = view(c, path, FLOOD_SECONDS);
	res = flood_stop(&run);
	secs = load_now_s() - t0;
	me = cpu_s(getpid()) - me0 + res.cpu_s;
	fig.attempts_s = (double)res.sum.sent / secs;
	fig.connects_s = (double)res.sum.connects / secs;
	flood_report(&run, &res, secs, cpu_s(srv.pid) - srv0, me);
	return fig;
}

/* --- set-up and report ---------------------------------------------------- */

static int64_t
seed_ticket(void)
{
	struct gh_user cust;

	return load_seed_ticket(&srv, &cust, "bench-customer@example.org");
}

static void
row(const char *name, const struct figure *f, const struct figure *base)
{
	printf("ROW %s: median %.2f ms p99 %.2f ms (%.0f req/s, %zu failed; "
	       "flood %.0f attempts/s, %.0f new connections/s) | "
	       "baseline median %.2f ms p99 %.2f ms (%.0f req/s)   "
	       "(aim median <= 10 ms, p99 <= 50 ms)\n",
	       name, f->median_ms, f->p99_ms, f->rps, f->failed,
	       f->attempts_s, f->connects_s, base->median_ms, base->p99_ms,
	       base->rps);
}

#define ROW_PREFIX "logins: ticket view during a 200-connection "

/* The rows on the first server, in order. The first two are the rows
 * this bench always had (their client as the API tests': it reads the
 * system CA directory for each new connection). */
static const struct {
	const char *name;
	struct flood_kind k;
} rows[] = {
	{"staff login flood", {1, 0, 0, 0}},
	{"customer login flood", {0, 0, 0, 0}},
	{"staff login flood, flood in its own process", {1, 0, 0, 1}},
	{"customer login flood, flood in its own process", {0, 0, 0, 1}},
	{"staff login flood, own process, lean flood client (no CA "
	 "directory read per connection)", {1, 0, 1, 1}},
	{"customer login flood, own process, lean flood client",
	 {0, 0, 1, 1}},
	{"staff login flood, flood threads at nice 19", {1, NICE_FLOOD, 0, 0}},
	{"staff login flood, own process, lean flood client at nice 19 (the "
	 "attacker's CPU off the server's)", {1, NICE_FLOOD, 1, 1}},
};

#define N_ROWS (sizeof(rows) / sizeof(rows[0]))

/*
 * The same staff flood after a restart that appends conf to the
 * server's configuration (so each restart keeps the earlier ones), with
 * a baseline of its own: label says what conf does. The flood runs in
 * its own process, with the lean client (the stronger one), then with
 * the bench's own.
 */
static void
rows_restarted(struct gh_client *c, const char *path, struct gh_user *agent,
	       const char *conf, const char *label)
{
	struct figure base, lean, plain;
	char name[256];
	struct gh_resp r;
	long st;

	gh_restart(&srv, conf);
	st = gh_req(&srv, c, "GET", path, NULL, NULL, &r);
	gh_resp_free(&r);
	if (st != 200 && gh_login(&srv, c, agent) != 201) {
		fprintf(stderr, "load_logins: login after restart failed\n");
		return;
	}
	base = view(c, path, BASE_SECONDS);
	lean = view_during_flood(c, path, (struct flood_kind){1, 0, 1, 1});
	plain = view_during_flood(c, path, (struct flood_kind){1, 0, 0, 1});
	snprintf(name, sizeof(name),
		 ROW_PREFIX "staff login flood, %s, own process, lean flood "
			    "client",
		 label);
	row(name, &lean, &base);
	snprintf(name, sizeof(name),
		 ROW_PREFIX "staff login flood, %s, own process", label);
	row(name, &plain, &base);
}

/* Starts the server, seeds the agent and the ticket and logs in on c;
 * the ticket's path in path, or -1. */
static int
set_up(struct gh_client *c, struct gh_user *agent, char *path, size_t len)
{
	int64_t id;

	if (getenv("GH_BIN") == NULL)
		setenv("GH_BIN", GH_DEFAULT_BIN, 0);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	/* Request lines off the log's disk cost: level warn. */
	gh_start(&srv, "\n[log]\nlevel = warn\n"
		       "[server]\nmax_connections = 1024\n");
	gh_add_staff(&srv, "bench-agent@example.com", "agent", agent);
	id = seed_ticket();
	gh_client_init(c, 1);
	if (id <= 0 || gh_login(&srv, c, agent) != 201) {
		fprintf(stderr, "load_logins: seeding failed (log: %s)\n",
			srv.log);
		gh_stop(&srv);
		return -1;
	}
	snprintf(path, len, "/api/v1/tickets/%lld", (long long)id);
	/* For `perf record -p PID` during a flood. */
	printf("  server pid %d\n", (int)srv.pid);
	fflush(stdout);
	return 0;
}

int
main(int argc, char **argv)
{
	struct gh_user agent;
	struct gh_client c;
	struct figure base, fig[N_ROWS];
	char path[64], name[256];
	/* "--first N": only the first N rows (and no staff_networks rows). */
	size_t n = argc == 3 && strcmp(argv[1], "--first") == 0
			   ? strtoul(argv[2], NULL, 10)
			   : N_ROWS + 1;

	if (set_up(&c, &agent, path, sizeof(path)) < 0)
		return 1;
	base = view(&c, path, BASE_SECONDS);
	for (size_t i = 0; i < N_ROWS && i < n; i++)
		fig[i] = view_during_flood(&c, path, rows[i].k);
	for (size_t i = 0; i < N_ROWS && i < n; i++) {
		snprintf(name, sizeof(name), ROW_PREFIX "%s", rows[i].name);
		row(name, &fig[i], &base);
	}
	if (n > N_ROWS) {
		/* Past the budget, each fresh address is closed at accept. */
		rows_restarted(&c, path, &agent,
			       "\n[server]\nnew_connections_per_second = 50\n",
			       "[server] new_connections_per_second = 50");
		/* A real deployment: the flood's addresses are outside
		 * staff_networks, each connection closed at accept. */
		rows_restarted(&c, path, &agent,
			       "\n[server]\nnew_connections_per_second = 1000\n"
			       "staff_networks = 127.0.0.1/32\n",
			       "from outside [server] staff_networks");
	}
	gh_client_free(&c);
	return gh_stop(&srv) == 0 ? 0 : 1;
}
