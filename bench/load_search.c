/*
 * Load benchmark of search (issue 15, part SEARCH): starts the release
 * server on loopback (the API test harness), seeds SEARCH_TICKETS
 * tickets (100,000) with SEARCH_PER_TICKET messages each (1,000,000) in
 * one transaction straight into the server's database, then builds the
 * three full-text indexes with FTS5's 'rebuild' (the store indexes a row
 * as it writes it; seeding a million rows one by one through the API
 * would take hours, so the bench seeds by SQL and says so). The text is
 * a realistic mix: words of a support vocabulary drawn with a skew (the
 * commonest, "order", is in about half the messages), a phrase ("credit
 * card") in about 2 % and a rare word ("quixotic") in about 1 in
 * 20,000. Tickets spread over four queues; the bench agent is a member
 * of two.
 *
 * Then it times, one request after the other on a keep-alive TLS
 * connection, median and p99: searches for the common word (as the
 * agent, and as a supervisor who sees everything), the rare word, the
 * phrase, the common word with filters, a filter-only search; and in the
 * same run, as the baseline, the plain work list at the same size.
 *
 *   ninja -C build bench/load_search gatehouse && build/bench/load_search
 *
 * Bounded: SEARCH_TICKETS=N lowers the size (at most 100,000), 40 timed
 * requests a figure, 127.0.0.1 only; the data directory is removed at
 * the end. Prints ROW lines as scripts/run-bench-load says.
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

#define TICKETS_MAX 100000
#define PER_TICKET 10
#define CUSTOMERS 500
#define QUEUES 4
#define RUNS 40
#define WARM 4

/* A support vocabulary; the words early in the list are drawn most. */
static const char *const words[] = {
	"order", "please", "help", "account", "refund", "payment", "thanks",
	"delivery", "invoice", "problem", "package", "update", "question",
	"login", "password", "shipping", "return", "received", "missing",
	"charged", "twice", "subscription", "cancel", "address", "change",
	"email", "phone", "number", "waiting", "since", "monday", "tuesday",
	"friday", "week", "month", "urgent", "broken", "damaged", "replace",
	"warranty", "product", "item", "size", "colour", "wrong", "late",
	"tracking", "courier", "store", "discount", "code", "voucher", "gift",
	"balance", "statement", "transfer", "bank", "fee", "error", "screen",
	"app", "crash", "install", "version", "android", "iphone", "laptop",
	"settings", "profile", "photo", "upload", "download", "file", "pdf",
	"receipt", "tax", "vat", "company", "contract", "renewal", "price",
	"increase", "plan", "upgrade", "downgrade", "trial", "expired",
	"reset", "locked", "verify", "identity", "document", "passport",
	"license", "appointment", "schedule", "callback", "manager",
	"complaint", "feedback", "survey", "delay", "weather", "holiday",
	"abroad", "currency", "exchange", "rate", "limit", "overdraft",
	"loan", "interest", "mortgage", "insurance", "claim", "accident",
	"repair", "technician", "visit", "router", "internet", "slow",
	"outage", "network", "signal", "roaming", "sim", "porting", "bill",
	"direct", "debit", "standing", "mandate", "dispute", "merchant",
	"fraud", "suspicious", "blocked", "unblock", "pin", "atm", "cash",
	"withdrawal", "deposit", "cheque", "statement", "paperless",
	"notification", "reminder", "deadline", "penalty", "waiver",
	"goodwill", "compensation", "voucher", "loyalty", "points", "tier",
};
#define NWORDS (sizeof(words) / sizeof(words[0]))

enum { F_LIST_AGENT, F_LIST_SUP, F_COMMON_AGENT, F_COMMON_SUP, F_RARE,
       F_PHRASE, F_FILTERED, F_FILTER_ONLY, FIGURES };

static const struct {
	const char *name, *path;
	int sup;
} figures[FIGURES] = {
	{"plain list, agent view (open, theirs + pool), first page",
	 "/api/v1/tickets?status=open&limit=25", 0},
	{"plain list, supervisor, first page", "/api/v1/tickets?limit=25", 1},
	{"search common word 'order', agent with 2 queues",
	 "/api/v1/tickets?q=order&limit=25", 0},
	{"search common word 'order', supervisor (all queues)",
	 "/api/v1/tickets?q=order&limit=25", 1},
	{"search rare word 'quixotic', agent",
	 "/api/v1/tickets?q=quixotic&limit=25", 0},
	{"search phrase \"credit card\", agent",
	 "/api/v1/tickets?q=%22credit+card%22&limit=25", 0},
	{"search 'refund' status=open priority=high, agent",
	 "/api/v1/tickets?q=refund&status=open&priority=high&limit=25", 0},
	{"filters only: priority=urgent sort=created, agent",
	 "/api/v1/tickets?priority=urgent&sort=created&limit=25", 0},
};

struct bench {
	struct gh_server s;
	struct gh_user agent, sup;
	struct gh_client c_agent, c_sup;
	sqlite3 *db;
	int64_t n;
	uint64_t rng;
	double med[FIGURES], p99[FIGURES];
	int64_t total[FIGURES];
};

static void
die(const char *what)
{
	fprintf(stderr, "load_search: %s\n", what);
	exit(1);
}

static uint64_t
next_rand(struct bench *b)
{
	b->rng ^= b->rng << 13;
	b->rng ^= b->rng >> 7;
	b->rng ^= b->rng << 17;
	return b->rng;
}

/* A word drawn with a skew towards the start of the list: the first is
 * in about half the messages of 25 words. */
static const char *
draw_word(struct bench *b)
{
	double u = (double)(next_rand(b) % 1000000) / 1e6;

	return words[(size_t)(u * u * u * u * (double)NWORDS)];
}

/* A message of 12..40 words into out. */
static void
make_text(struct bench *b, char *out, size_t outsz)
{
	int n = 12 + (int)(next_rand(b) % 29);
	size_t len = 0;

	out[0] = '\0';
	for (int i = 0; i < n && len + 40 < outsz; i++) {
		const char *w = draw_word(b);

		if (next_rand(b) % 500 == 0)
			w = "credit card";
		if (next_rand(b) % (20000 * 26) == 0)
			w = "quixotic";
		len += (size_t)snprintf(out + len, outsz - len, "%s%s",
					i > 0 ? " " : "", w);
	}
}

static void
exec(struct bench *b, const char *sql)
{
	if (sqlite3_exec(b->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		die(sqlite3_errmsg(b->db));
}

static sqlite3_stmt *
prep(struct bench *b, const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(b->db, sql, -1, &st, NULL) != SQLITE_OK)
		die(sqlite3_errmsg(b->db));
	return st;
}

static void
step(struct bench *b, sqlite3_stmt *st)
{
	if (sqlite3_step(st) != SQLITE_DONE)
		die(sqlite3_errmsg(b->db));
	sqlite3_reset(st);
}

/* Queues 2..QUEUES and the customers (their e-mail and seeds are dummy
 * bytes: nothing here logs them in). */
static void
seed_people(struct bench *b)
{
	sqlite3_stmt *st;

	for (int q = 2; q <= QUEUES; q++) {
		char sql[96];

		snprintf(sql, sizeof(sql),
			 "INSERT INTO queues (name) VALUES ('bench-%d')", q);
		exec(b, sql);
	}
	exec(b, "INSERT INTO staff_queues (staff_id, queue_id) SELECT id, 2 "
		"FROM staff WHERE email = 'bench-agent@example.com'");
	st = prep(b, "INSERT INTO customers (email_idx, email, name, pw_hash, "
		     "totp_seed, created_at) VALUES (?, x'01', 'Bench "
		     "Customer', 'x', x'01', 0)");
	for (int i = 0; i < CUSTOMERS; i++) {
		char idx[40];

		snprintf(idx, sizeof(idx), "bench-customer-%d", i);
		sqlite3_bind_text(st, 1, idx, -1, SQLITE_TRANSIENT);
		step(b, st);
	}
	sqlite3_finalize(st);
}

/* One ticket row: customer, subject, status, priority, assignee (the
 * agent's id or NULL), queue, times. */
static void
seed_ticket(struct bench *b, sqlite3_stmt *t, sqlite3_stmt *m, int64_t i,
	    int64_t base)
{
	static const char *const status[] = {"solved", "solved", "solved",
					     "pending", "open"};
	static const char *const prio[] = {"normal", "normal", "normal",
					   "normal", "low", "high", "normal",
					   "high", "normal", "urgent"};
	char text[400], subject[120];
	int64_t id;

	snprintf(subject, sizeof(subject), "Question about %s %s",
		 draw_word(b), draw_word(b));
	sqlite3_bind_int64(t, 1, 1 + (int64_t)(next_rand(b) % CUSTOMERS));
	sqlite3_bind_text(t, 2, subject, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(t, 3, status[next_rand(b) % 5], -1, SQLITE_STATIC);
	sqlite3_bind_text(t, 4, prio[next_rand(b) % 10], -1, SQLITE_STATIC);
	if (next_rand(b) % 20 == 0)
		sqlite3_bind_int64(t, 5, b->agent.id);
	else
		sqlite3_bind_null(t, 5);
	sqlite3_bind_int64(t, 6, 1 + (int64_t)(next_rand(b) % QUEUES));
	sqlite3_bind_int64(t, 7, base + i);
	step(b, t);
	id = sqlite3_last_insert_rowid(b->db);
	for (int k = 0; k < PER_TICKET; k++) {
		make_text(b, text, sizeof(text));
		sqlite3_bind_int64(m, 1, id);
		sqlite3_bind_text(m, 2, k % 2 == 0 ? "customer" : "staff", -1,
				  SQLITE_STATIC);
		sqlite3_bind_text(m, 3, text, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(m, 4, base + i);
		step(b, m);
	}
}

/* Every ticket and message in one transaction, then the indexes.
 * Returns the seconds of each part. */
static void
seed(struct bench *b, double *rows_s, double *index_s)
{
	int64_t base = (int64_t)time(NULL) - 30000000;
	sqlite3_stmt *t, *m;
	double t0 = load_now_s();

	exec(b, "BEGIN IMMEDIATE");
	seed_people(b);
	t = prep(b, "INSERT INTO tickets (customer_id, subject, status, "
		    "priority, assignee_id, queue_id, created_at, updated_at, "
		    "last_activity) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?7)");
	m = prep(b, "INSERT INTO messages (ticket_id, author_realm, author_id, "
		    "body, created_at) VALUES (?1, ?2, 1, ?3, ?4)");
	for (int64_t i = 1; i <= b->n; i++)
		seed_ticket(b, t, m, i, base);
	sqlite3_finalize(t);
	sqlite3_finalize(m);
	exec(b, "COMMIT");
	*rows_s = load_now_s() - t0;
	t0 = load_now_s();
	exec(b, "BEGIN IMMEDIATE");
	exec(b, "INSERT INTO search_subjects (search_subjects) "
		"VALUES ('rebuild')");
	exec(b, "INSERT INTO search_messages (search_messages) "
		"VALUES ('rebuild')");
	exec(b, "INSERT INTO search_notes (search_notes) VALUES ('rebuild')");
	exec(b, "COMMIT");
	exec(b, "INSERT INTO search_messages (search_messages) "
		"VALUES ('optimize')");
	exec(b, "INSERT INTO search_subjects (search_subjects) "
		"VALUES ('optimize')");
	exec(b, "ANALYZE");
	*index_s = load_now_s() - t0;
}

/* Times RUNS requests of figure f (after WARM untimed ones). */
static void
measure(struct bench *b, int f)
{
	struct gh_client *c = figures[f].sup ? &b->c_sup : &b->c_agent;
	double t[RUNS];
	struct gh_resp r;

	for (int i = 0; i < WARM + RUNS; i++) {
		double t0 = load_now_s();

		if (gh_req(&b->s, c, "GET", figures[f].path, NULL, NULL, &r) !=
		    200)
			die(figures[f].path);
		if (i >= WARM)
			t[i - WARM] = (load_now_s() - t0) * 1e3;
		b->total[f] = json_integer_value(json_object_get(r.json,
								 "total"));
		gh_resp_free(&r);
	}
	qsort(t, RUNS, sizeof(t[0]), load_cmp_double);
	b->med[f] = t[RUNS / 2];
	b->p99[f] = t[RUNS - 1];
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
	char path[400];

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
	snprintf(path, sizeof(path), "%s/gatehouse.db", b->s.dir);
	if (sqlite3_open(path, &b->db) != SQLITE_OK)
		die("sqlite3_open");
	sqlite3_busy_timeout(b->db, 10000);
	exec(b, "PRAGMA cache_size = -262144");
}

static void
stop(struct bench *b)
{
	char top[256];

	sqlite3_close(b->db);
	gh_client_free(&b->c_agent);
	gh_client_free(&b->c_sup);
	gh_stop(&b->s);
	/* The harness's data directory is DIR/var: remove DIR. */
	snprintf(top, sizeof(top), "%s", b->s.dir);
	*strrchr(top, '/') = '\0';
	nftw(top, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void
report(const struct bench *b)
{
	for (int f = 0; f < FIGURES; f++)
		printf("ROW search %s at %lld tickets / %lld messages "
		       "(%lld found): %.2f ms median, %.2f ms p99 | baseline "
		       "%.2f ms median, %.2f ms p99, plain list, same size, "
		       "same run   (aim %s)\n",
		       figures[f].name, (long long)b->n,
		       (long long)(b->n * PER_TICKET), (long long)b->total[f],
		       b->med[f], b->p99[f], b->med[F_LIST_AGENT],
		       b->p99[F_LIST_AGENT],
		       f <= F_LIST_SUP ? "baseline" : "<= 50 ms");
}

int
main(void)
{
	const char *max = getenv("SEARCH_TICKETS");
	struct bench *b = calloc(1, sizeof(*b));
	double rows_s, index_s;

	if (b == NULL)
		die("memory");
	b->rng = 0x9e3779b97f4a7c15ULL;
	b->n = max != NULL ? strtoll(max, NULL, 10) : TICKETS_MAX;
	if (b->n < 1 || b->n > TICKETS_MAX)
		b->n = TICKETS_MAX;
	start(b);
	seed(b, &rows_s, &index_s);
	printf("seeded %lld tickets and %lld messages in %.1f s (one "
	       "transaction, by SQL); indexed in %.1f s (FTS5 rebuild)\n",
	       (long long)b->n, (long long)(b->n * PER_TICKET), rows_s,
	       index_s);
	fflush(stdout);
	for (int f = 0; f < FIGURES; f++)
		measure(b, f);
	report(b);
	stop(b);
	free(b);
	return 0;
}
