/*
 * Load benchmark of the ticket lists (issue 14, part LISTS): starts the
 * release server on loopback (the API test harness), seeds customers and
 * agents through the store (store ops on the server's database) and the
 * tickets with one prepared INSERT ... SELECT per step in one transaction
 * (through the store's ops, two statements a ticket, 1,000,000 took
 * minutes: the bench seeds by SQL and says so), and times the
 * staff list request alone at 1, 10,000, 100,000 and 1,000,000 tickets in
 * the same run: an agent's console view (open tickets, theirs and their
 * queue's pool; first page), a supervisor's whole list (first page, and a
 * page deep by cursor: the cursor after offset 10,000), and for contrast
 * the deepest offset the API still accepts (10,000). Each figure is the
 * median (and p99) of sequential requests on one keep-alive TLS
 * connection, beside the same request at 1 ticket.
 *
 *   ninja -C build bench/load_lists gatehouse && build/bench/load_lists
 *
 * Bounded: at most 1,000,000 tickets (LISTS_MAX=N lowers it), 200
 * requests per figure, 127.0.0.1 only; the data directory is removed at
 * the end. Prints ROW lines as the spec says.
 */
#include <ftw.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "loadlib.h"
#include "store/store.h"

#define LEVELS 4
#define AGENTS 10        /* the bench agent is one of them */
#define CUSTOMERS 200
#define RUNS 200
#define WARM 20

enum { F_AGENT, F_SUP_FIRST, F_SUP_DEEP, F_SUP_OFFSET, FIGURES };

static const char *const figure_name[FIGURES] = {
	"agent view (open, theirs + pool), first page",
	"supervisor list, first page",
	"supervisor list, page deep by cursor",
	"supervisor list, offset 10000 (the cap)",
};

struct bench {
	struct gh_server s;
	struct gh_user agent, sup;
	struct gh_client c_agent, c_sup;
	struct store *st;
	struct store_conn *c;
	sqlite3 *db;                  /* the bench's own, for seed_sql */
	int64_t agents[AGENTS];
	int64_t customers[CUSTOMERS];
	int64_t n;                    /* tickets seeded */
	double med[LEVELS][FIGURES], p99[LEVELS][FIGURES];
};

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
die(const char *what)
{
	fprintf(stderr, "load_lists: %s\n", what);
	exit(1);
}

/* A temporary table (k, id) of the n ids, k from 0. */
static void
keys_table(struct bench *b, const char *name, const int64_t *ids, int n)
{
	char sql[160];

	snprintf(sql, sizeof(sql),
		 "CREATE TEMP TABLE %s (k INTEGER PRIMARY KEY, id INTEGER)",
		 name);
	if (sqlite3_exec(b->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		die(sqlite3_errmsg(b->db));
	for (int i = 0; i < n; i++) {
		snprintf(sql, sizeof(sql), "INSERT INTO temp.%s VALUES (%d, %lld)",
			 name, i, (long long)ids[i]);
		if (sqlite3_exec(b->db, sql, NULL, NULL, NULL) != SQLITE_OK)
			die(sqlite3_errmsg(b->db));
	}
}

/* Customers and the other agents, written through the store. */
static void
seed_people(struct bench *b)
{
	unsigned char blob[4] = {1, 2, 3, 4};
	char idx[32], email[48];

	if (b->c->ops->begin(b->c) < 0)
		die("begin");
	for (int i = 0; i < CUSTOMERS; i++) {
		struct customer_new n;

		memset(&n, 0, sizeof(n));
		snprintf(idx, sizeof(idx), "bench-customer-%d", i);
		n.email_idx = idx;
		n.email = (struct blob){blob, sizeof(blob)};
		n.name = "Bench Customer";
		n.pw_hash = "x";
		n.totp_seed = (struct blob){blob, sizeof(blob)};
		if (b->c->ops->customer_insert(b->c, &n, &b->customers[i]) < 0)
			die("customer_insert");
	}
	b->agents[0] = b->agent.id;
	for (int i = 1; i < AGENTS; i++) {
		struct staff_new s = {email, "Bench Agent", "agent", "x",
				      {blob, sizeof(blob)}};

		snprintf(email, sizeof(email), "bench-agent-%d@example.com", i);
		if (b->c->ops->staff_insert(b->c, &s, &b->agents[i]) < 0)
			die("staff_insert");
	}
	if (b->c->ops->commit(b->c) < 0)
		die("commit");
	keys_table(b, "bench_customers", b->customers, CUSTOMERS);
	keys_table(b, "bench_agents", b->agents, AGENTS);
}

/* The ticket rows: up to ?2 from ?1, one a second from ?3, customers and
 * assignees from the temporary tables of seed_people(); the status and
 * assignee from a hash of the row number. */
static const char seed_sql[] =
	"WITH RECURSIVE n(i) AS (SELECT ?1 UNION ALL SELECT i + 1 FROM n "
	"WHERE i < ?2), r(i, h) AS (SELECT i, (i * 2654435761) % 1000003 "
	"FROM n) INSERT INTO tickets (customer_id, subject, status, "
	"assignee_id, queue_id, created_at, updated_at, last_activity) "
	"SELECT (SELECT id FROM temp.bench_customers WHERE k = i % "
	"(SELECT COUNT(*) FROM temp.bench_customers)), 'Bench ticket', "
	"CASE WHEN h % 10 < 8 THEN 'solved' WHEN h % 10 = 8 THEN 'pending' "
	"ELSE 'open' END, CASE WHEN (h / 10) % 10 = 0 THEN NULL ELSE "
	"(SELECT id FROM temp.bench_agents WHERE k = (h / 100) % 10) END, "
	"1, ?3 + i, ?3 + i, ?3 + i FROM r";

/* Tickets up to `to` in one transaction, one statement (seed_sql), in
 * time order: 80% solved, 10% pending, 10% open; 90% assigned over the
 * agents, the rest unassigned in `general`. Returns the seconds it took. */
static double
seed_tickets(struct bench *b, int64_t to)
{
	double t0 = now_ms();
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_exec(b->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
		    SQLITE_OK ||
	    sqlite3_prepare_v2(b->db, seed_sql, -1, &st, NULL) != SQLITE_OK)
		die(sqlite3_errmsg(b->db));
	sqlite3_bind_int64(st, 1, b->n + 1);
	sqlite3_bind_int64(st, 2, to);
	sqlite3_bind_int64(st, 3, (int64_t)time(NULL) - 2000000);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE ||
	    sqlite3_exec(b->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		die(sqlite3_errmsg(b->db));
	b->n = to;
	return (now_ms() - t0) / 1e3;
}

/* Times RUNS requests of path (after WARM untimed ones). */
static void
time_path(struct bench *b, struct gh_client *c, const char *path,
	  double *med, double *p99)
{
	double t[RUNS];
	struct gh_resp r;

	for (int i = 0; i < WARM + RUNS; i++) {
		double t0 = now_ms();

		if (gh_req(&b->s, c, "GET", path, NULL, NULL, &r) != 200)
			die(path);
		if (i >= WARM)
			t[i - WARM] = now_ms() - t0;
		gh_resp_free(&r);
	}
	qsort(t, RUNS, sizeof(t[0]), load_cmp_double);
	*med = t[RUNS / 2];
	*p99 = t[RUNS * 99 / 100];
}

/* The supervisor's cursor after offset (10,000, or half the list when
 * shorter) into path: the page deep by cursor; the first page when the
 * list has no page after it. */
static void
deep_path(struct bench *b, char *path, size_t pathsz)
{
	char first[96];
	struct gh_resp r;
	const char *next;
	int64_t off = b->n > 20000 ? 10000 : b->n / 2;

	snprintf(first, sizeof(first), "/api/v1/tickets?limit=50&offset=%lld",
		 (long long)off);
	if (gh_req(&b->s, &b->c_sup, "GET", first, NULL, NULL, &r) != 200)
		die("deep page");
	next = json_string_value(json_object_get(r.json, "next_cursor"));
	if (next != NULL)
		snprintf(path, pathsz, "/api/v1/tickets?limit=50&cursor=%s",
			 next);
	else
		snprintf(path, pathsz, "/api/v1/tickets?limit=50");
	gh_resp_free(&r);
}

static void
measure(struct bench *b, int level)
{
	char deep[160];

	time_path(b, &b->c_agent,
		  "/api/v1/tickets?status=open&assigned=any&limit=50",
		  &b->med[level][F_AGENT], &b->p99[level][F_AGENT]);
	time_path(b, &b->c_sup, "/api/v1/tickets?limit=50",
		  &b->med[level][F_SUP_FIRST], &b->p99[level][F_SUP_FIRST]);
	deep_path(b, deep, sizeof(deep));
	time_path(b, &b->c_sup, deep, &b->med[level][F_SUP_DEEP],
		  &b->p99[level][F_SUP_DEEP]);
	time_path(b, &b->c_sup, "/api/v1/tickets?limit=50&offset=10000",
		  &b->med[level][F_SUP_OFFSET], &b->p99[level][F_SUP_OFFSET]);
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
start(struct bench *b)
{
	char url[400];

	if (getenv("GH_BIN") == NULL)
		setenv("GH_BIN", GH_BUILD_ROOT "/gatehouse", 1);
	gh_start(&b->s, NULL);
	gh_add_staff(&b->s, "bench-agent@example.com", "agent", &b->agent);
	gh_add_staff(&b->s, "bench-sup@example.com", "supervisor", &b->sup);
	gh_client_init(&b->c_agent, 1);
	gh_client_init(&b->c_sup, 1);
	if (gh_login(&b->s, &b->c_agent, &b->agent) != 201 ||
	    gh_login(&b->s, &b->c_sup, &b->sup) != 201)
		die("login");
	snprintf(url, sizeof(url), "sqlite:%s/gatehouse.db", b->s.dir);
	if (store_open(url, 1, &b->st) < 0)
		die("store_open");
	b->c = store_acquire(b->st);
	snprintf(url, sizeof(url), "%s/gatehouse.db", b->s.dir);
	if (sqlite3_open(url, &b->db) != SQLITE_OK)
		die("sqlite3_open");
	sqlite3_busy_timeout(b->db, 10000);
	/* A page cache that holds the indexes being appended to. */
	sqlite3_exec(b->db, "PRAGMA cache_size = -131072", NULL, NULL, NULL);
	seed_people(b);
}

static void
stop(struct bench *b)
{
	char top[256];

	sqlite3_close(b->db);
	store_release(b->st, b->c);
	store_close(b->st);
	gh_client_free(&b->c_agent);
	gh_client_free(&b->c_sup);
	gh_stop(&b->s);
	/* The harness's data directory is DIR/var: remove DIR. */
	snprintf(top, sizeof(top), "%s", b->s.dir);
	*strrchr(top, '/') = '\0';
	nftw(top, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void
report(const struct bench *b, const int64_t *levels, int nl)
{
	for (int f = 0; f < FIGURES; f++)
		for (int l = 1; l < nl; l++)
			printf("ROW list %s at %lld tickets: %.2f ms median, "
			       "%.2f ms p99 | baseline %.2f ms median, %.2f ms "
			       "p99 at %lld ticket   (aim %s)\n",
			       figure_name[f], (long long)levels[l],
			       b->med[l][f], b->p99[l][f], b->med[0][f],
			       b->p99[0][f], (long long)levels[0],
			       f == F_SUP_OFFSET ? "none: offset costs O(offset)"
						 : "<= 5 ms");
}

int
main(void)
{
	int64_t levels[LEVELS] = {1, 10000, 100000, 1000000};
	const char *max = getenv("LISTS_MAX");
	int64_t cap = max != NULL ? strtoll(max, NULL, 10) : levels[3];
	struct bench *b = calloc(1, sizeof(*b));
	int nl = 0;

	if (b == NULL)
		die("memory");
	start(b);
	for (int l = 0; l < LEVELS && levels[l] <= cap; l++) {
		double secs = seed_tickets(b, levels[l]);

		printf("seeded %lld tickets (%.1f s, one SQL statement)\n",
		       (long long)levels[l], secs);
		fflush(stdout);
		measure(b, l);
		nl = l + 1;
	}
	report(b, levels, nl);
	stop(b);
	free(b);
	return 0;
}
