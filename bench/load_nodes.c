/*
 * load_nodes: the staff ticket view on 1 and 2 nodes, SQLite against
 * PostgreSQL, in one run (issue 16). Each set-up seeds a desk through
 * core and the store (500 customers made as `customer add` makes them;
 * TICKETS tickets, default 10,000, with 1 to 5 messages each, customer
 * and staff turns: 30,000 messages), logs in CLIENTS agents (default
 * 16) through the API, and then every agent's thread opens random
 * tickets as the console does (GET /api/v1/tickets/{id}, then GET
 * /api/v1/tickets/{id}/attachments) over its own keep-alive HTTPS
 * connection, for SECONDS (default 10) after a warm-up. Set-ups, in
 * this order:
 *
 *   sqlite, 1 node        the baseline of the run
 *   sqlite, 1 node, 2x thr   the same node restarted with [server]
 *                         threads = 2 x cores (two nodes' worth of
 *                         event-loop threads in one process)
 *   postgresql, 1 node    a fresh database on the cluster of
 *                         GH_BENCH_PG_URL (libpq's PG* environment with
 *                         the default "postgresql://")
 *   postgresql, 2 nodes   a second `gatehouse serve` (a copy of the first
 *                         node's data directory: its keys and config) on
 *                         the same database; the agents' threads split
 *                         between the nodes, each keeping the session it
 *                         made on the first node
 *   postgresql, 1 node, 2x thr   the first node alone again, restarted
 *                         with [server] threads = 2 x cores
 *
 * SQLite on 2 nodes is not measured: the design shares one database
 * between nodes only on PostgreSQL (docs/scaling.md says why).
 * Prints a ROW per set-up with requests/s, the median and p99 of a
 * request, the CPU a request of the nodes and of the database's backends,
 * beside the SQLite 1-node figures of the same run, and the machine's
 * load average before and after (the cores are shared). Loopback only
 * (127.0.0.1); bounded: at most 64 clients, 60 s a set-up, 100,000
 * tickets; each data directory and the PostgreSQL database are removed
 * at the end. Usage:
 *   load_nodes [CLIENTS [SECONDS [TICKETS]]]
 * Without GH_BENCH_PG_URL and PGHOST/PGPORT it measures SQLite only and
 * says so (exit 1). `make bench-load` runs it under pg_virtualenv.
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
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "loadlib.h"
#include "nodelib.h"
#include "core/accounts.h"
#include "core/app.h"
#include "crypto/crypto.h"
#include "store/store.h"

#define MAX_CLIENTS 64
#define CUSTOMERS 500
#define WARM_S 1.0
#define PER_THREAD_SAMPLES 200000
#define RETRIES "gatehouse_store_tx_retries_total"

struct figures {
	double rps, median_ms, p99_ms, cpu_us, db_cpu_us, views;
	double retries; /* transactions run again, per 1,000 requests */
	size_t n, failed;
	int measured;
	int audited;
};

struct bench {
	int clients, secs, tickets;
	char pg_base[200], pg_db[64], pg_url[300];
	struct gh_server node[2];
	int nodes;
	struct gh_user agent[MAX_CLIENTS], sup[MAX_CLIENTS];
	char cookie[MAX_CLIENTS][320], sup_cookie[MAX_CLIENTS][320];
	int audited; /* the supervisors' threads (each view audited) */
	int64_t first_ticket, last_ticket;
};

/* The run, for cleanup() when a step fails and the process exits. */
static struct bench *running;

static void
die(const char *what)
{
	fprintf(stderr, "load_nodes: %s\n", what);
	exit(1);
}

/* --- the desk ------------------------------------------------------------- */

static const char *const turn_text[2] = {
	"Hello, my order 48213 placed on the 3rd has not arrived. The "
	"tracking page has said 'in transit' for nine days. Could you look "
	"into it and tell me when I can expect it?",
	"Thank you for your patience. I have asked the carrier for an "
	"update; the parcel left our warehouse on the 4th. I will write "
	"again as soon as they answer, at the latest tomorrow.",
};

/* The customers, created as `customer add` does (accounts_create: the
 * personal fields sealed, the blind indexes, the fingerprint index, the
 * audit record), with one argon2id hash made once for all. */
static void
seed_customers(struct app *app, struct store_conn *c, int64_t *ids)
{
	static const char pw[] = "marmalade Tuesday kite 3";
	char email[64], hash[CRYPTO_PWHASH_BYTES];
	const char *field, *reason;

	if (crypto_pw_hash(pw, strlen(pw), &app->pw_params, hash) < 0)
		die("crypto_pw_hash");
	for (int i = 0; i < CUSTOMERS; i++) {
		struct account_created out;
		struct account_new n = {.realm = REALM_CUSTOMER,
					.email = email,
					.name = "Bench Customer",
					.phone = "+44 20 7946 0123",
					.address = "1 Test Street, London",
					.pw_hash = hash,
					.actor = "cli"};

		memset(&out, 0, sizeof(out));
		snprintf(email, sizeof(email), "bench-customer-%d@example.org",
			 i);
		if (accounts_create(app, c, &n, &out, &field, &reason) < 0)
			die("accounts_create");
		ids[i] = out.id;
		free(out.otpauth_uri);
	}
}

/* The tickets (open, unassigned, in `general`: every agent's pool), each
 * with 1..5 messages turn about, through the store in one transaction.
 * Returns the seconds it took (the customers included). */
static double
seed_desk(struct bench *b, const char *dir)
{
	static int64_t customers[CUSTOMERS];
	int64_t now = (int64_t)time(NULL), id, mid;
	double t0 = load_now_s();
	struct app app;
	struct store_conn *c;
	char err[256];

	if (app_open(&app, dir, err, sizeof(err)) < 0)
		die(err);
	c = store_acquire(app.store);
	if (c == NULL)
		die("store_acquire");
	seed_customers(&app, c, customers);
	if (c->ops->begin(c) < 0)
		die("begin");
	for (int i = 0; i < b->tickets; i++) {
		int64_t at = now - (int64_t)(b->tickets - i) * 60;
		char subject[64];

		snprintf(subject, sizeof(subject), "Order %d has not arrived",
			 40000 + i);
		if (c->ops->ticket_insert(c, customers[i % CUSTOMERS], subject,
					  at, &id) < 0)
			die("ticket_insert");
		for (int m = 0; m <= i % 5; m++) {
			int staff = m % 2;

			if (c->ops->message_insert(
				    c, id, staff ? REALM_STAFF : REALM_CUSTOMER,
				    staff ? b->agent[m % b->clients].id
					  : customers[i % CUSTOMERS],
				    turn_text[staff], at + m * 30, &mid) < 0)
				die("message_insert");
		}
		if (i == 0)
			b->first_ticket = id;
		b->last_ticket = id;
	}
	if (c->ops->commit(c) < 0)
		die("commit");
	store_release(app.store, c);
	app_close(&app);
	return load_now_s() - t0;
}

/* The agents and the supervisors (staff add through the CLI). */
static void
seed_agents(struct bench *b)
{
	char email[64];

	for (int i = 0; i < b->clients; i++) {
		snprintf(email, sizeof(email), "bench-agent-%d@example.com", i);
		gh_add_staff(&b->node[0], email, "agent", &b->agent[i]);
		snprintf(email, sizeof(email), "bench-sup-%d@example.com", i);
		gh_add_staff(&b->node[0], email, "supervisor", &b->sup[i]);
	}
}

/* The sessions of users (a login through the API of node 0): the cookie
 * header of each. */
static void
login_all(struct bench *b, struct gh_user *users, char cookies[][320])
{
	char token[256];

	for (int i = 0; i < b->clients; i++) {
		struct gh_client c;

		gh_client_init(&c, 1);
		if (gh_login(&b->node[0], &c, &users[i]) != 201 ||
		    gh_cookie_token(&c, token, sizeof(token)) < 0)
			die("staff login");
		snprintf(cookies[i], 320, "Cookie: __Host-gh_staff=%s", token);
		gh_client_free(&c);
	}
}

/* 0 when ticket first + k holds its k % 5 + 1 messages in the view of
 * agent 0 on node s: the seeded desk is what the console would see. */
static int
check_view(struct bench *b, struct gh_server *s, int k)
{
	char path[96];
	const char *hdr[] = {b->cookie[0], NULL};
	struct gh_client c;
	struct gh_resp r;
	size_t n;
	long st;

	gh_client_init(&c, 1);
	snprintf(path, sizeof(path), "/api/v1/tickets/%lld",
		 (long long)(b->first_ticket + k));
	st = gh_req(s, &c, "GET", path, NULL, hdr, &r);
	n = json_array_size(json_object_get(r.json, "messages"));
	gh_resp_free(&r);
	gh_client_free(&c);
	if (st != 200 || n != (size_t)(k % 5 + 1)) {
		fprintf(stderr, "load_nodes: view of ticket %lld: %ld, %zu "
			"messages (want 200, %d)\n",
			(long long)(b->first_ticket + k), st, n, k % 5 + 1);
		return -1;
	}
	return 0;
}

/* --- the load ------------------------------------------------------------- */

struct worker {
	struct bench *b;
	const struct gh_server *s;
	const char *cookie;
	pthread_barrier_t *go;
	unsigned seed;
	double *ms;
	size_t n, failed;
};

static size_t
discard(char *p, size_t sz, size_t n, void *u)
{
	(void)p;
	(void)u;
	return sz * n;
}

static CURL *
worker_handle(const struct worker *w, struct curl_slist **h)
{
	char ca[400];
	CURL *c = curl_easy_init();

	if (c == NULL)
		die("curl_easy_init");
	snprintf(ca, sizeof(ca), "%s/tls.crt", w->s->dir);
	*h = curl_slist_append(NULL, w->cookie);
	/* Only the node's own certificate (not the system CA directory). */
	curl_easy_setopt(c, CURLOPT_CAINFO, ca);
	curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, *h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	return c;
}

/* One GET of path on the worker's node: its time into *ms; 1 on 200. */
static int
get_one(struct worker *w, CURL *c, const char path[96], double *ms)
{
	char url[256];
	double t0 = load_now_s();
	long code = 0;
	CURLcode rc;

	snprintf(url, sizeof(url), "https://127.0.0.1:%d%s", w->s->staff_port,
		 path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	*ms = (load_now_s() - t0) * 1000.0;
	return rc == CURLE_OK && code == 200;
}

/* The console's opening of a random ticket: the ticket with its
 * messages, then its attachments. Records both times when rec. */
static void
view_one(struct worker *w, CURL *c, int rec)
{
	int64_t span = w->b->last_ticket - w->b->first_ticket + 1;
	int64_t id = w->b->first_ticket + (int64_t)(rand_r(&w->seed) % span);
	char path[2][96];
	double ms;

	snprintf(path[0], sizeof(path[0]), "/api/v1/tickets/%lld",
		 (long long)id);
	snprintf(path[1], sizeof(path[1]), "/api/v1/tickets/%lld/attachments",
		 (long long)id);
	for (int i = 0; i < 2; i++) {
		int ok = get_one(w, c, path[i], &ms);

		if (!rec)
			continue;
		w->failed += !ok;
		w->ms[w->n++] = ms;
	}
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct curl_slist *h;
	CURL *c = worker_handle(w, &h);
	double end = load_now_s() + WARM_S;

	while (load_now_s() < end)
		view_one(w, c, 0);
	pthread_barrier_wait(w->go);
	end = load_now_s() + w->b->secs;
	while (load_now_s() < end && w->n + 2 <= PER_THREAD_SAMPLES)
		view_one(w, c, 1);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	return NULL;
}

static double
nodes_cpu_s(const struct bench *b)
{
	double s = 0;

	for (int i = 0; i < b->nodes; i++)
		s += node_cpu_s(b->node[i].pid);
	return s;
}

/* The sum over the nodes of the counter name (their /metrics). */
static double
nodes_metric(const struct bench *b, const char *name)
{
	double s = 0;

	for (int i = 0; i < b->nodes; i++) {
		double v = node_metric(&b->node[i], name);

		if (v < 0)
			die("GET /metrics");
		s += v;
	}
	return s;
}

/* The database's backends' CPU seconds now (0 on SQLite). */
static double
db_cpu_s(const struct bench *b)
{
	return b->pg_db[0] != '\0' ? pg_backends_cpu_s(b->pg_base, b->pg_db)
				    : 0;
}

/* The merged samples of the workers into *f. */
static void
merge(struct worker *w, int nw, double secs, struct figures *f)
{
	size_t total = 0, k = 0;
	double *all;

	for (int i = 0; i < nw; i++)
		total += w[i].n;
	all = malloc((total + 1) * sizeof(*all));
	if (all == NULL)
		die("memory");
	for (int i = 0; i < nw; i++) {
		memcpy(all + k, w[i].ms, w[i].n * sizeof(*all));
		k += w[i].n;
		f->failed += w[i].failed;
	}
	qsort(all, total, sizeof(*all), load_cmp_double);
	f->n = total;
	if (total > 0) {
		f->median_ms = all[total / 2];
		f->p99_ms = all[total * 99 / 100];
		f->rps = (double)total / secs;
		f->views = f->rps / 2;
	}
	f->measured = 1;
	free(all);
}

/* The clients' threads over b->nodes nodes (client i on node i % nodes)
 * for b->secs after the warm-up, into *f. */
static void
measure(struct bench *b, struct figures *f)
{
	static struct worker w[MAX_CLIENTS];
	pthread_t th[MAX_CLIENTS];
	pthread_barrier_t go;
	double t0, cpu0, db0, r0;

	memset(f, 0, sizeof(*f));
	f->audited = b->audited;
	pthread_barrier_init(&go, NULL, (unsigned)b->clients + 1);
	for (int i = 0; i < b->clients; i++) {
		w[i] = (struct worker){b, &b->node[i % b->nodes],
				       b->audited ? b->sup_cookie[i]
						  : b->cookie[i],
				       &go, 7919u * (unsigned)(i + 1), NULL, 0,
				       0};
		w[i].ms = malloc(PER_THREAD_SAMPLES * sizeof(double));
		if (w[i].ms == NULL ||
		    pthread_create(&th[i], NULL, worker_main, &w[i]) != 0)
			die("worker");
	}
	pthread_barrier_wait(&go);
	t0 = load_now_s();
	cpu0 = nodes_cpu_s(b);
	db0 = db_cpu_s(b);
	r0 = nodes_metric(b, RETRIES);
	for (int i = 0; i < b->clients; i++)
		pthread_join(th[i], NULL);
	t0 = load_now_s() - t0;
	merge(w, b->clients, t0, f);
	if (f->n > 0) {
		f->cpu_us = (nodes_cpu_s(b) - cpu0) * 1e6 / (double)f->n;
		f->db_cpu_us = (db_cpu_s(b) - db0) * 1e6 / (double)f->n;
		f->retries = (nodes_metric(b, RETRIES) - r0) * 1e3 /
			     (double)f->n;
	}
	for (int i = 0; i < b->clients; i++)
		free(w[i].ms);
	pthread_barrier_destroy(&go);
}

/* --- the set-ups ---------------------------------------------------------- */

static void
print_setup(const char *name, const struct figures *f)
{
	printf("  %-27s %7.0f req/s (%6.0f views/s), median %6.2f ms, "
	       "p99 %7.2f ms, %zu requests, %zu not 200, CPU a request: "
	       "gatehouse %.0f us, PostgreSQL %.0f us; %.1f transactions "
	       "retried a 1,000 requests\n",
	       name, f->rps, f->views, f->median_ms, f->p99_ms, f->n,
	       f->failed, f->cpu_us, f->db_cpu_us, f->retries);
	fflush(stdout);
}

/* The agents' view on b->nodes nodes into *f, then the supervisors'
 * (audited) into *audited. */
static void
both_views(struct bench *b, const char *name, struct figures *f,
	   struct figures *audited)
{
	char aname[64];

	b->audited = 0;
	measure(b, f);
	print_setup(name, f);
	snprintf(aname, sizeof(aname), "%s, audited", name);
	b->audited = 1;
	measure(b, audited);
	b->audited = 0;
	print_setup(aname, audited);
}

/* Seeds the desk on node 0 (through its data directory), logs the staff
 * in, checks a view, and measures 1 node into *f and *audited. */
static void
desk_and_one_node(struct bench *b, const char *name, struct figures *f,
		  struct figures *audited)
{
	double secs;

	seed_agents(b);
	secs = seed_desk(b, b->node[0].dir);
	printf("  %-27s seeded %d tickets, %d customers, %d agents (%.1f s "
	       "through the store)\n",
	       name, b->tickets, CUSTOMERS, b->clients, secs);
	login_all(b, b->agent, b->cookie);
	login_all(b, b->sup, b->sup_cookie);
	if (check_view(b, &b->node[0], 3) < 0 ||
	    check_view(b, &b->node[0], b->tickets - 1) < 0)
		die("the seeded view is not what the console would see");
	b->nodes = 1;
	both_views(b, name, f, audited);
}

/* The same node restarted with twice as many event-loop threads as
 * cores (two nodes' worth), measured into *f. */
static void
more_threads(struct bench *b, const char *name, struct figures *f)
{
	node_threads(&b->node[0], 2 * (int)sysconf(_SC_NPROCESSORS_ONLN));
	b->nodes = 1;
	measure(b, f);
	print_setup(name, f);
}

/* The audit log of node s is one tree that verifies (`gatehouse audit
 * verify`), with the audited views of the run in it; prints how long the
 * walk of the whole log took (what each minute's checkpoint does). */
static void
audit_verify(struct gh_server *s)
{
	const char *args[] = {"audit", "verify", NULL};
	double t0 = load_now_s(), secs;
	char *out = NULL;
	json_t *j;
	json_int_t n;

	if (gh_cli(s, NULL, &out, args) != 0)
		die("gatehouse audit verify failed after the audited views");
	secs = load_now_s() - t0;
	j = out != NULL ? json_loads(out, 0, NULL) : NULL;
	n = json_integer_value(json_object_get(j, "records"));
	printf("  audit verify: ok, %lld records in %.2f s (%.0f records/s, "
	       "the CLI's start included)\n",
	       (long long)n, secs, secs > 0 ? (double)n / secs : 0);
	json_decref(j);
	free(out);
}

static void
run_sqlite(struct bench *b, struct figures *f, struct figures *a)
{
	node_init(&b->node[0], NULL);
	desk_and_one_node(b, "sqlite, 1 node", &f[0], &a[0]);
	audit_verify(&b->node[0]);
	more_threads(b, "sqlite, 1 node, 2x thr", &f[1]);
	node_remove(&b->node[0]);
}

/* The cluster's version and durability settings, for the record. */
static void
pg_describe(const struct bench *b)
{
	char v[160] = "", fs[16] = "", sc[16] = "", sb[16] = "";

	pg_admin(b->pg_base, "SHOW server_version", v, sizeof(v));
	pg_admin(b->pg_base, "SHOW fsync", fs, sizeof(fs));
	pg_admin(b->pg_base, "SHOW synchronous_commit", sc, sizeof(sc));
	pg_admin(b->pg_base, "SHOW shared_buffers", sb, sizeof(sb));
	printf("PostgreSQL %s on the same machine (Unix socket or loopback), "
	       "fsync %s, synchronous_commit %s, shared_buffers %s\n",
	       v, fs, sc, sb);
}

static void
run_pg(struct bench *b, struct figures *f, struct figures *a)
{
	char sql[128];

	/* The name is ours (letters, digits, the pid): an identifier that
	 * needs no quoting, in DDL, which takes no parameters. */
	snprintf(b->pg_db, sizeof(b->pg_db), "gh_bench_nodes_%d", (int)getpid());
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", b->pg_db);
	if (pg_admin(b->pg_base, sql, NULL, 0) < 0)
		die("cannot create the benchmark's database");
	snprintf(b->pg_url, sizeof(b->pg_url), "%s/%s", b->pg_base, b->pg_db);
	pg_describe(b);
	node_init(&b->node[0], b->pg_url);
	desk_and_one_node(b, "postgresql, 1 node", &f[0], &a[0]);
	node_copy(&b->node[0], &b->node[1]);
	if (check_view(b, &b->node[1], 4) < 0)
		die("the second node does not see the desk");
	b->nodes = 2;
	both_views(b, "postgresql, 2 nodes", &f[1], &a[1]);
	audit_verify(&b->node[0]);
	node_remove(&b->node[1]);
	more_threads(b, "postgresql, 1 node, 2x thr", &f[2]);
	node_remove(&b->node[0]);
	snprintf(sql, sizeof(sql), "DROP DATABASE %s WITH (FORCE)", b->pg_db);
	pg_admin(b->pg_base, sql, NULL, 0);
	b->pg_db[0] = '\0';
}

/* At exit (after a failed step too): the nodes stopped, their
 * directories and the benchmark's database removed. */
static void
cleanup(void)
{
	char sql[128];

	if (running == NULL)
		return;
	for (int i = 0; i < 2; i++)
		if (running->node[i].dir[0] != '\0')
			node_remove(&running->node[i]);
	if (running->pg_db[0] != '\0') {
		snprintf(sql, sizeof(sql), "DROP DATABASE %s WITH (FORCE)",
			 running->pg_db);
		pg_admin(running->pg_base, sql, NULL, 0);
		running->pg_db[0] = '\0';
	}
}

static void
row(const char *name, const struct figures *f, const struct figures *base)
{
	const char *what = base->audited ? "audited ticket view (supervisor)"
					 : "ticket view";

	if (!f->measured) {
		printf("ROW %s, %s: not measured (no PostgreSQL: "
		       "set GH_BENCH_PG_URL or PGHOST) | baseline sqlite, 1 "
		       "node %.0f req/s\n",
		       what, name, base->rps);
		return;
	}
	printf("ROW %s, %s: %.0f req/s, median %.2f ms, p99 %.2f ms, "
	       "CPU %.0f us gatehouse + %.0f us PostgreSQL a request, %.1f "
	       "retries a 1,000 requests%s | "
	       "baseline sqlite, 1 node %.0f req/s, median %.2f ms, p99 "
	       "%.2f ms, CPU %.0f us a request   (aim: none, a comparison; "
	       "x%.2f of the baseline's req/s)\n",
	       what, name, f->rps, f->median_ms, f->p99_ms, f->cpu_us,
	       f->db_cpu_us, f->retries,
	       f->failed != 0 ? " (NON-200 REPLIES)" : "", base->rps,
	       base->median_ms, base->p99_ms, base->cpu_us,
	       base->rps > 0 ? f->rps / base->rps : 0);
}

/* The cluster named by GH_BENCH_PG_URL, else libpq's environment when
 * PGHOST or PGPORT is set; 0 when there is none. */
static int
pg_configured(struct bench *b)
{
	const char *u = getenv("GH_BENCH_PG_URL");

	if (u == NULL && getenv("PGHOST") == NULL && getenv("PGPORT") == NULL)
		return 0;
	if (u == NULL)
		u = "postgresql://";
	if (strncmp(u, "postgresql://", 13) != 0 || strchr(u + 13, '/') ||
	    strchr(u, '?') != NULL || strlen(u) >= sizeof(b->pg_base))
		die("GH_BENCH_PG_URL: postgresql://[USER@HOST:PORT], no database "
		    "name or options (libpq's PG* environment gives the rest)");
	snprintf(b->pg_base, sizeof(b->pg_base), "%s", u);
	return 1;
}

/* The machine's load average now: the figures are only as good as the
 * share of the cores the run had. */
static void
print_load(const char *when)
{
	char buf[128] = "";
	FILE *f = fopen("/proc/loadavg", "r");

	if (f != NULL) {
		if (fgets(buf, sizeof(buf), f) == NULL)
			buf[0] = '\0';
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = '\0';
	printf("load average %s: %s\n", when, buf);
	fflush(stdout);
}

static int
arg(int argc, char **argv, int i, int def, int lo, int hi)
{
	int v = argc > i ? (int)strtol(argv[i], NULL, 10) : def;

	if (v < lo || v > hi) {
		fprintf(stderr, "usage: load_nodes [CLIENTS (1..%d) [SECONDS "
			"(1..60) [TICKETS (100..100000)]]]\n", MAX_CLIENTS);
		exit(2);
	}
	return v;
}

int
main(int argc, char **argv)
{
	static struct bench b;
	struct figures f[5], a[3];
	int pg;

	b.clients = arg(argc, argv, 1, 16, 1, MAX_CLIENTS);
	b.secs = arg(argc, argv, 2, 10, 1, 60);
	b.tickets = arg(argc, argv, 3, 10000, 100, 100000);
	memset(f, 0, sizeof(f));
	memset(a, 0, sizeof(a));
	a[0].audited = a[1].audited = a[2].audited = 1;
	if (getenv("GH_BIN") == NULL)
		setenv("GH_BIN", GH_BUILD_ROOT "/gatehouse", 1);
	pg = pg_configured(&b);
	running = &b;
	atexit(cleanup);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	printf("server: %s, %ld cores (clients, nodes and the database share "
	       "them), %d clients, %d s a set-up after %.0f s warm-up; \"2x "
	       "thr\": [server] threads = 2 x cores\n",
	       getenv("GH_BIN"), sysconf(_SC_NPROCESSORS_ONLN), b.clients,
	       b.secs, WARM_S);
	printf("sqlite, 2 nodes: not run (the design shares one database "
	       "between nodes only on PostgreSQL; docs/scaling.md)\n");
	print_load("before");
	run_sqlite(&b, &f[0], &a[0]);
	if (pg)
		run_pg(&b, &f[2], &a[1]);
	print_load("after");
	row("sqlite, 1 node, [server] threads 2 x cores", &f[1], &f[0]);
	row("postgresql, 1 node", &f[2], &f[0]);
	row("postgresql, 2 nodes", &f[3], &f[0]);
	row("postgresql, 1 node, [server] threads 2 x cores", &f[4], &f[0]);
	row("postgresql, 1 node", &a[1], &a[0]);
	row("postgresql, 2 nodes", &a[2], &a[0]);
	curl_global_cleanup();
	for (int i = 0; i < 5; i++)
		if (f[i].failed != 0 || (i < 3 && a[i].failed != 0))
			return 1;
	return pg ? 0 : 1;
}
