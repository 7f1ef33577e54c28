/*
 * Several nodes on one database (issue 16): two `gatehouse serve`
 * processes on one data directory (one config, one key ring, one
 * audit.key, as the nodes of a deployment share them) whose store is one
 * new PostgreSQL database, each on its own ports, and a client that
 * talks to either at any moment as a load balancer without sticky
 * sessions would send it. Each test proves one rule of docs/operations.md
 * ("Several nodes behind a load balancer"):
 *
 * - a session made on one node works on the other (cookie and CSRF
 *   token), and logging out on either ends it on both;
 * - failed logins count across nodes: the limit split over the two nodes
 *   throttles, one failure less does not;
 * - a TOTP code accepted on one node is refused on the other;
 * - a change made on one node reaches event streams open on the other;
 * - a customer's hourly ticket quota counts across nodes (a desk of its
 *   own with tickets_per_hour = 3);
 * - audit records appended by both nodes at once (and checkpoints signed
 *   by `gatehouse audit checkpoint` runs at the same moment, and by both
 *   nodes stopping at once) form one log `gatehouse audit verify`
 *   accepts, with never two checkpoints of one tree size;
 * - `kill -9` of a node under write load loses no ticket it acknowledged
 *   (row and audit record), the other node goes on answering, and the
 *   killed node's sessions and data are served by the other.
 *
 * Needs GH_TEST_PG_URL (scripts/run-tests sets it inside pg_virtualenv;
 * the cluster is the one libpq's environment, PGHOST, PGPORT, PGUSER,
 * reaches); without it the program exits 77, meson's skip.
 */
#include <fcntl.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"

/* Accounts: 4 failures free (the 4th blocks for a minute, longer than
 * the test), quotas above what the load makes. */
#define NODES_CONF                                                           \
	"\n[security]\nlogin_free_failures = 4\nlogin_max_failures = 100\n"  \
	"login_ip_free_failures = 1000\nlogin_delay_base_seconds = 60\n"     \
	"[quotas]\ntickets_per_hour = 1000\n"                                \
	"address_tickets_per_hour = 10000\n"

static char db_name[64];     /* the desk's database */
static char base[128];       /* the temporary directory */
static char desk[256];       /* the data directory both nodes serve */
static struct gh_server node[2];
static PGconn *pg;           /* the desk's database, for checks */
static unsigned serial;      /* accounts made by this program */

/* ---- the database ------------------------------------------------ */

/* Runs sql on the cluster's maintenance database (GH_TEST_PG_URL). */
static void
admin_exec(const char *sql)
{
	PGconn *db = PQconnectdb(getenv("GH_TEST_PG_URL"));
	PGresult *r;

	if (PQstatus(db) != CONNECTION_OK)
		fail_msg("maintenance connection: %s", PQerrorMessage(db));
	r = PQexec(db, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		fail_msg("%s: %s", sql, PQresultErrorMessage(r));
	PQclear(r);
	PQfinish(db);
}

/* One number from the desk's database (SELECT of one bigint). */
static int64_t
pg_num(const char *fmt, ...)
{
	char sql[1024];
	va_list ap;
	PGresult *r;
	int64_t n;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	r = PQexec(pg, sql);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
		fail_msg("%s: %s", sql, PQresultErrorMessage(r));
	n = PQgetisnull(r, 0, 0) ? 0 : strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return n;
}

/* Records of action on target ("ticket:12"), outcome (may be NULL). */
static int64_t
audit_of(const char *action, const char *target, const char *outcome)
{
	return pg_num("SELECT COUNT(*) FROM audit WHERE record LIKE "
		      "'%%\"action\":\"%s\"%%' AND record LIKE "
		      "'%%\"target\":\"%s\"%%' AND record LIKE "
		      "'%%\"outcome\":\"%s\"%%'",
		      action, target, outcome != NULL ? outcome : "");
}

/* ---- the nodes --------------------------------------------------- */

static void
start_node(int i)
{
	char log[300];

	snprintf(log, sizeof(log), "%s/node%d.log", base, i + 1);
	gh_serve_dir(&node[i], desk, log);
}

/* A new database and data directory with extra (appended to the
 * config), served by two nodes. */
static int
desk_setup(const char *extra)
{
	static unsigned desks;
	const char *init[] = {"init", "--store", NULL, NULL};
	char url[128], sql[160], conf[400];
	struct gh_server cli;
	FILE *f;

	snprintf(db_name, sizeof(db_name), "gh_nodes_%ld_%u", (long)getpid(),
		 ++desks);
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", db_name);
	admin_exec(sql);
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", db_name);
	admin_exec(sql);
	snprintf(url, sizeof(url), "postgresql:///%s", db_name);
	snprintf(base, sizeof(base), "/tmp/gh-nodes-XXXXXX");
	assert_non_null(mkdtemp(base));
	snprintf(desk, sizeof(desk), "%s/var", base);
	/* `init --store URL` once, as an operator sets up the first node. */
	memset(&cli, 0, sizeof(cli));
	snprintf(cli.bin, sizeof(cli.bin), "%s", getenv("GH_BIN"));
	snprintf(cli.dir, sizeof(cli.dir), "%s", desk);
	snprintf(cli.log, sizeof(cli.log), "%s/init.log", base);
	init[2] = url;
	assert_int_equal(gh_cli(&cli, NULL, NULL, init), 0);
	snprintf(conf, sizeof(conf), "%s/gatehouse.conf", desk);
	f = fopen(conf, "a");
	assert_non_null(f);
	fputs(extra, f);
	fclose(f);
	pg = PQconnectdb(url);
	assert_int_equal(PQstatus(pg), CONNECTION_OK);
	start_node(0);
	start_node(1);
	return 0;
}

static int
setup(void **state)
{
	(void)state;
	return desk_setup(NODES_CONF);
}

/* A customer may open 3 tickets an hour. */
static int
setup_quota(void **state)
{
	(void)state;
	return desk_setup("\n[quotas]\ntickets_per_hour = 3\n");
}

static int
teardown(void **state)
{
	char sql[160];

	(void)state;
	gh_stop(&node[0]);
	gh_stop(&node[1]);
	PQfinish(pg);
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)",
		 db_name);
	admin_exec(sql);
	return 0;
}

/* A new staff member or customer (CLI, on node 0's log). */
static void
new_user(int staff, struct gh_user *u)
{
	char email[64];

	snprintf(email, sizeof(email), "%s%u@example.com",
		 staff ? "agent" : "cust", ++serial);
	if (staff)
		gh_add_staff(&node[0], email, "agent", u);
	else
		gh_add_customer(&node[0], email, u);
}

/* POST of a session with these factors; the status. */
static long
login_with(struct gh_server *s, struct gh_client *c, const struct gh_user *u,
	   const char *password, const char *code, struct gh_resp *r)
{
	char body[512];

	snprintf(body, sizeof(body),
		 "{\"email\":\"%s\",\"password\":\"%s\",\"totp\":\"%s\"}",
		 u->email, password, code);
	c->csrf[0] = '\0';
	return gh_req(s, c, "POST",
		      c->staff ? "/api/v1/staff/session"
			       : "/api/v1/portal/session",
		      body, NULL, r);
}

static long
get_status(struct gh_server *s, struct gh_client *c, const char *path)
{
	struct gh_resp r;
	long st = gh_req(s, c, "GET", path, NULL, NULL, &r);

	gh_resp_free(&r);
	return st;
}

/* A ticket of c's customer made on s; its id, or -status. */
static int64_t
new_ticket(struct gh_server *s, struct gh_client *c, const char *subject)
{
	char body[256];
	struct gh_resp r;
	long st;
	int64_t id;

	snprintf(body, sizeof(body),
		 "{\"subject\":\"%s\",\"body\":\"My card payment did not "
		 "arrive, please look into it.\"}",
		 subject);
	st = gh_req(s, c, "POST", "/api/v1/portal/tickets", body, NULL, &r);
	id = st == 201 ? json_integer_value(json_object_get(r.json, "id"))
		       : -(st < 0 ? 1 : st);
	gh_resp_free(&r);
	return id;
}

/* ---- sessions ---------------------------------------------------- */

/* A staff session made on node 1 works on node 2 and ends there; then
 * it is refused on both. */
static void
test_staff_session_both_nodes(void **state)
{
	struct gh_client c;
	struct gh_user u;
	struct gh_resp r;

	(void)state;
	new_user(1, &u);
	gh_client_init(&c, 1);
	assert_int_equal(gh_login(&node[0], &c, &u), 201);
	assert_int_equal(gh_req(&node[1], &c, "GET", "/api/v1/staff/session",
				NULL, NULL, &r),
			 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "id")),
			 u.id);
	gh_resp_free(&r);
	assert_int_equal(get_status(&node[0], &c, "/api/v1/staff/session"),
			 200);
	/* Logged out on node 2 (its CSRF token came from node 1). */
	assert_int_equal(gh_req(&node[1], &c, "DELETE",
				"/api/v1/staff/session", NULL, NULL, &r),
			 200);
	gh_resp_free(&r);
	assert_int_equal(gh_req(&node[0], &c, "GET", "/api/v1/staff/session",
				NULL, NULL, &r),
			 401);
	assert_string_equal(gh_error(&r), "session_required");
	gh_resp_free(&r);
	assert_int_equal(get_status(&node[1], &c, "/api/v1/staff/session"),
			 401);
	gh_client_free(&c);
}

/* A customer session made on node 2 writes on node 1 (cookie and CSRF
 * token from node 2); logged out on node 1, it is refused on node 2,
 * also when the old cookie is sent by hand. */
static void
test_customer_session_both_nodes(void **state)
{
	struct gh_client c, x;
	struct gh_user u;
	char tok[128], hdr[200];
	const char *h[] = {hdr, NULL};
	struct gh_resp r;
	int64_t id;
	char target[64];

	(void)state;
	new_user(0, &u);
	gh_client_init(&c, 0);
	assert_int_equal(gh_login(&node[1], &c, &u), 201);
	id = new_ticket(&node[0], &c, "Written on the other node");
	assert_true(id > 0);
	snprintf(target, sizeof(target), "ticket:%lld", (long long)id);
	assert_int_equal(audit_of("ticket.create", target, "success"), 1);
	assert_int_equal(gh_cookie_token(&c, tok, sizeof(tok)), 0);
	assert_int_equal(gh_req(&node[0], &c, "DELETE",
				"/api/v1/portal/session", NULL, NULL, &r),
			 200);
	gh_resp_free(&r);
	assert_int_equal(get_status(&node[1], &c, "/api/v1/portal/session"),
			 401);
	/* The old cookie, replayed by hand on the node that made it. */
	snprintf(hdr, sizeof(hdr), "Cookie: __Host-gh_portal=%s", tok);
	gh_client_init(&x, 0);
	assert_int_equal(gh_req(&node[1], &x, "GET", "/api/v1/portal/session",
				NULL, h, &r),
			 401);
	assert_string_equal(gh_error(&r), "session_required");
	gh_resp_free(&r);
	assert_int_equal(pg_num("SELECT COUNT(*) FROM sessions WHERE realm = "
				"'customer' AND principal_id = %lld",
				(long long)u.id),
			 0);
	gh_client_free(&x);
	gh_client_free(&c);
}

/* ---- throttling -------------------------------------------------- */

/* n failed logins (wrong password) of u on node i, each a 401. */
static void
fail_logins(int i, struct gh_user *u, int n)
{
	struct gh_client c;
	struct gh_resp r;

	gh_client_init(&c, 1);
	for (int k = 0; k < n; k++) {
		assert_int_equal(login_with(&node[i], &c, u,
					    "not the password at all", "000000",
					    &r),
				 401);
		assert_string_equal(gh_error(&r), "login_failed");
		gh_resp_free(&r);
	}
	gh_client_free(&c);
}

/* login_free_failures = 4: two failures on each node block the account
 * on both (one node alone has seen only two), even for the right
 * password and code. */
static void
test_throttle_counts_across_nodes(void **state)
{
	struct gh_client c;
	struct gh_user u;
	struct gh_resp r;
	char code[7];
	char *retry;

	(void)state;
	new_user(1, &u);
	fail_logins(0, &u, 2);
	fail_logins(1, &u, 2);
	gh_client_init(&c, 1);
	gh_totp_next(&u, code);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(login_with(&node[i], &c, &u, u.password, code,
					    &r),
				 429);
		assert_string_equal(gh_error(&r), "too_many_attempts");
		retry = gh_header(&r, "Retry-After");
		assert_non_null(retry);
		assert_true(strtol(retry, NULL, 10) > 30);
		free(retry);
		gh_resp_free(&r);
	}
	assert_int_equal(pg_num("SELECT COUNT(*) FROM sessions WHERE realm = "
				"'staff' AND principal_id = %lld",
				(long long)u.id),
			 0);
	gh_client_free(&c);
}

/* The control: one failure less (two on node 1, one on node 2) does not
 * block; the right factors on node 2 log in. */
static void
test_throttle_below_limit(void **state)
{
	struct gh_client c;
	struct gh_user u;

	(void)state;
	new_user(1, &u);
	fail_logins(0, &u, 2);
	fail_logins(1, &u, 1);
	gh_client_init(&c, 1);
	assert_int_equal(gh_login(&node[1], &c, &u), 201);
	gh_client_free(&c);
}

/* ---- TOTP -------------------------------------------------------- */

/* A code accepted on node 1 is refused on node 2, and the other way
 * round with the next code. */
static void
test_totp_single_use_across_nodes(void **state)
{
	struct gh_client a, b;
	struct gh_user u;
	struct gh_resp r;
	char code[7], target[64];

	(void)state;
	new_user(0, &u);
	snprintf(target, sizeof(target), "customer:%lld", (long long)u.id);
	gh_client_init(&a, 0);
	gh_client_init(&b, 0);
	for (int first = 0; first < 2; first++) {
		gh_totp_next(&u, code);
		assert_int_equal(login_with(&node[first], &a, &u, u.password,
					    code, &r),
				 201);
		gh_resp_free(&r);
		assert_int_equal(login_with(&node[!first], &b, &u, u.password,
					    code, &r),
				 401);
		assert_string_equal(gh_error(&r), "login_failed");
		gh_resp_free(&r);
	}
	/* Each node refused the code the other accepted, and accepted a
	 * fresh one: the refusals were the codes'. */
	assert_int_equal(pg_num("SELECT COUNT(*) FROM audit WHERE record "
				"LIKE '%%replayed code%%' AND record LIKE "
				"'%%\"%s\"%%'",
				target),
			 2);
	gh_client_free(&a);
	gh_client_free(&b);
}

/* ---- live updates ------------------------------------------------ */

/* One event stream (Server-Sent Events) read through a multi handle, as
 * tests/api/test_events.c reads them. */
struct stream {
	CURLM *m;
	CURL *e;
	struct curl_slist *h;
	char *buf;
	size_t len;
	long status;
};

static size_t
on_bytes(char *p, size_t size, size_t n, void *ctx)
{
	struct stream *st = ctx;
	size_t add = size * n;
	char *nb = realloc(st->buf, st->len + add + 1);

	if (nb == NULL)
		return 0;
	memcpy(nb + st->len, p, add);
	st->len += add;
	nb[st->len] = '\0';
	st->buf = nb;
	return add;
}

/* Reads for up to wait_ms or until needle is in what was read; 1 when
 * it is. */
static int
pump(struct stream *st, const char *needle, int wait_ms)
{
	time_t until = time(NULL) + (wait_ms + 999) / 1000;
	int running = 1;

	do {
		curl_multi_perform(st->m, &running);
		curl_easy_getinfo(st->e, CURLINFO_RESPONSE_CODE, &st->status);
		if (st->buf != NULL && strstr(st->buf, needle) != NULL)
			return 1;
		if (!running)
			break;
		curl_multi_poll(st->m, NULL, 0, 50, NULL);
	} while (time(NULL) < until);
	return st->buf != NULL && strstr(st->buf, needle) != NULL;
}

/* Opens the event stream path on node s with c's session cookie. */
static void
stream_open(struct gh_server *s, struct gh_client *c, const char *path,
	    struct stream *st)
{
	char url[256], cafile[300], cookie[300], token[128];

	memset(st, 0, sizeof(*st));
	assert_int_equal(gh_cookie_token(c, token, sizeof(token)), 0);
	snprintf(url, sizeof(url), "https://127.0.0.1:%d%s",
		 c->staff ? s->staff_port : s->pub_port, path);
	snprintf(cafile, sizeof(cafile), "%s/tls.crt", s->dir);
	snprintf(cookie, sizeof(cookie), "%s=%s",
		 c->staff ? "__Host-gh_staff" : "__Host-gh_portal", token);
	st->e = curl_easy_init();
	curl_easy_setopt(st->e, CURLOPT_URL, url);
	curl_easy_setopt(st->e, CURLOPT_CAINFO, cafile);
	curl_easy_setopt(st->e, CURLOPT_CAPATH, NULL);
	curl_easy_setopt(st->e, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(st->e, CURLOPT_COOKIE, cookie);
	curl_easy_setopt(st->e, CURLOPT_WRITEFUNCTION, on_bytes);
	curl_easy_setopt(st->e, CURLOPT_WRITEDATA, st);
	st->h = curl_slist_append(NULL, "Accept: text/event-stream");
	curl_easy_setopt(st->e, CURLOPT_HTTPHEADER, st->h);
	st->m = curl_multi_init();
	curl_multi_add_handle(st->m, st->e);
	(void)pump(st, "retry:", 5000);
	assert_int_equal(st->status, 200);
}

static void
stream_close(struct stream *st)
{
	curl_multi_remove_handle(st->m, st->e);
	curl_easy_cleanup(st->e);
	curl_multi_cleanup(st->m);
	curl_slist_free_all(st->h);
	free(st->buf);
	memset(st, 0, sizeof(*st));
}

/* A ticket a customer opens on node 1 reaches an agent's event stream
 * on node 2 (the nodes share the events table, not memory). */
static void
test_live_update_across_nodes(void **state)
{
	struct gh_client agent, cust;
	struct gh_user a, u;
	struct stream st;
	char want[96];
	int64_t t;

	(void)state;
	new_user(1, &a);
	new_user(0, &u);
	gh_client_init(&agent, 1);
	gh_client_init(&cust, 0);
	assert_int_equal(gh_login(&node[1], &agent, &a), 201);
	assert_int_equal(gh_login(&node[0], &cust, &u), 201);
	stream_open(&node[1], &agent, "/api/v1/events", &st);
	t = new_ticket(&node[0], &cust, "Seen on the other node");
	assert_true(t > 0);
	snprintf(want, sizeof(want),
		 "event: ticket.created\ndata: {\"ticket\":%lld",
		 (long long)t);
	assert_true(pump(&st, want, 10000));
	stream_close(&st);
	gh_client_free(&agent);
	gh_client_free(&cust);
}

/* ---- load -------------------------------------------------------- */

#define LOAD_MAX 400

/* One customer making tickets on one node in a thread of its own. */
struct loader {
	struct gh_server *node;
	struct gh_client c;
	struct gh_user u;
	int limit;              /* tickets to make, at most */
	const int *stop;        /* set by the test: stop now */
	const int *killed;      /* set by the test: the node was killed */
	int64_t acked[LOAD_MAX];
	int nacked;
	int after_kill;         /* acknowledged, sent after *killed */
	int lost;               /* no reply */
	int refused;            /* a reply other than 201 */
	long refused_status;
	pthread_t th;
};

static void *
load_run(void *arg)
{
	struct loader *l = arg;
	char subject[64];

	while (l->nacked < l->limit &&
	       !__atomic_load_n(l->stop, __ATOMIC_ACQUIRE)) {
		int killed = __atomic_load_n(l->killed, __ATOMIC_ACQUIRE);
		int64_t id;

		snprintf(subject, sizeof(subject), "Load %d", l->nacked);
		id = new_ticket(l->node, &l->c, subject);
		if (id > 0) {
			l->acked[l->nacked] = id;
			__atomic_store_n(&l->nacked, l->nacked + 1,
					 __ATOMIC_RELEASE);
			__atomic_store_n(&l->after_kill,
					 l->after_kill + killed,
					 __ATOMIC_RELEASE);
		} else if (id == -1) {
			l->lost++;
			if (killed)
				break;  /* its node is gone */
			usleep(1000);
		} else {
			l->refused_status = -id;
			__atomic_store_n(&l->refused, l->refused + 1,
					 __ATOMIC_RELEASE);
		}
	}
	return NULL;
}

/* n loaders, half on each node (even: node 1, odd: node 2), each logged
 * in as a new customer on its node. */
static void
load_prepare(struct loader *l, int n, int limit, const int *stop,
	     const int *killed)
{
	for (int i = 0; i < n; i++) {
		memset(&l[i], 0, sizeof(l[i]));
		l[i].node = &node[i % 2];
		l[i].limit = limit;
		l[i].stop = stop;
		l[i].killed = killed;
		new_user(0, &l[i].u);
		gh_client_init(&l[i].c, 0);
		assert_int_equal(gh_login(l[i].node, &l[i].c, &l[i].u), 201);
	}
}

static void
load_start(struct loader *l, int n)
{
	for (int i = 0; i < n; i++)
		assert_int_equal(pthread_create(&l[i].th, NULL, load_run,
						&l[i]),
				 0);
}

static void
load_join(struct loader *l, int n)
{
	for (int i = 0; i < n; i++)
		pthread_join(l[i].th, NULL);
}

/* Every ticket l acknowledged is stored, its customer's, with its one
 * ticket.create record; and every reply l had was a 201. */
static void
assert_acked_kept(const struct loader *l)
{
	char target[64];

	if (l->refused != 0)
		fail_msg("%d replies were not 201 (the last: %ld)", l->refused,
			 l->refused_status);

	for (int k = 0; k < l->nacked; k++) {
		assert_int_equal(pg_num("SELECT COUNT(*) FROM tickets WHERE "
					"id = %lld AND customer_id = %lld",
					(long long)l->acked[k],
					(long long)l->u.id),
				 1);
		snprintf(target, sizeof(target), "ticket:%lld",
			 (long long)l->acked[k]);
		assert_int_equal(audit_of("ticket.create", target, "success"),
				 1);
	}
}

/* ---- the audit log ----------------------------------------------- */

/* `gatehouse audit checkpoint` n times at once; each exits 0. */
static void
checkpoints_at_once(int n)
{
	pid_t pids[8];

	for (int i = 0; i < n; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			int null = open("/dev/null", O_RDWR);

			dup2(null, 1);
			dup2(null, 2);
			execl(node[0].bin, node[0].bin, "audit", "checkpoint",
			      "--dir", desk, (char *)NULL);
			_exit(127);
		}
	}
	for (int i = 0; i < n; i++) {
		int status = 0;

		waitpid(pids[i], &status, 0);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
}

/* No two checkpoints of one tree size, and none smaller than one
 * signed before it. */
static void
assert_checkpoints_one_at_a_time(void)
{
	assert_int_equal(pg_num("SELECT COUNT(*) FROM (SELECT tree_size FROM "
				"audit_checkpoints GROUP BY tree_size "
				"HAVING COUNT(*) > 1) d"),
			 0);
	assert_int_equal(pg_num("SELECT COUNT(*) FROM audit_checkpoints a "
				"JOIN audit_checkpoints b ON b.id > a.id AND "
				"b.tree_size < a.tree_size"),
			 0);
}

/* `gatehouse audit checkpoint` signs the log as it is now (when no
 * checkpoint covers it yet), and `gatehouse audit verify` accepts it:
 * exit 0, every record there was, all of them under a checkpoint (a
 * node still serving may append after, never before). */
static void
assert_verify_ok(void)
{
	const char *args[] = {"audit", "verify", NULL};
	int64_t n = pg_num("SELECT COUNT(*) FROM audit");
	char *out = NULL;
	json_t *j;

	checkpoints_at_once(1);
	assert_int_equal(gh_cli(&node[0], NULL, &out, args), 0);
	j = json_loads(out, 0, NULL);
	assert_non_null(j);
	assert_true(json_is_true(json_object_get(j, "ok")));
	assert_true(json_integer_value(json_object_get(j, "records")) >= n);
	assert_true(json_integer_value(json_object_get(j, "verified_up_to")) >=
		    n);
	json_decref(j);
	free(out);
	/* Numbered 1..n: no gap from either node's appends. */
	assert_int_equal(pg_num("SELECT COALESCE(MAX(seq), 0) FROM audit"),
			 pg_num("SELECT COUNT(*) FROM audit"));
}

#define AUDIT_LOADERS 6
#define AUDIT_TICKETS 15

/*
 * Six customers make 15 tickets each, three on each node, at once; while
 * they do, rounds of four `gatehouse audit checkpoint` runs sign at the
 * same moment. Then both nodes stop at once, each signing its last
 * checkpoint over the same log. One log: every ticket with its record,
 * numbered without a gap, verified, and one checkpoint per tree size.
 */
static void
test_audit_one_tree(void **state)
{
	static struct loader l[AUDIT_LOADERS];
	int stop = 0, killed = 0, done;
	int64_t before, n, rounds = 0;

	(void)state;
	load_prepare(l, AUDIT_LOADERS, AUDIT_TICKETS, &stop, &killed);
	before = pg_num("SELECT COUNT(*) FROM audit_checkpoints");
	load_start(l, AUDIT_LOADERS);
	do {
		checkpoints_at_once(4);
		rounds++;
		done = 1;
		for (int i = 0; i < AUDIT_LOADERS; i++)
			done &= __atomic_load_n(&l[i].nacked, __ATOMIC_ACQUIRE) +
					__atomic_load_n(&l[i].refused,
							__ATOMIC_ACQUIRE) >=
				AUDIT_TICKETS;
	} while (!done && rounds < 200);
	load_join(l, AUDIT_LOADERS);
	for (int i = 0; i < AUDIT_LOADERS; i++) {
		assert_acked_kept(&l[i]);
		assert_int_equal(l[i].lost, 0);
		assert_int_equal(l[i].nacked, AUDIT_TICKETS);
		gh_client_free(&l[i].c);
	}
	/* The rounds signed while records were appended. */
	assert_true(pg_num("SELECT COUNT(*) FROM audit_checkpoints") > before);
	assert_checkpoints_one_at_a_time();
	/* Both nodes stop at the same moment; each signs at its stop. */
	kill(node[0].pid, SIGTERM);
	kill(node[1].pid, SIGTERM);
	for (int i = 0; i < 2; i++) {
		int status = 0;

		waitpid(node[i].pid, &status, 0);
		node[i].pid = 0;
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	n = pg_num("SELECT COUNT(*) FROM audit");
	assert_int_equal(pg_num("SELECT COUNT(*) FROM audit_checkpoints "
				"WHERE tree_size = %lld",
				(long long)n),
			 1);
	assert_checkpoints_one_at_a_time();
	assert_verify_ok();
	/* No node gave up on a transaction, or failed to sign. */
	for (int i = 0; i < 2; i++) {
		assert_false(gh_log_contains(&node[i], "store.contention"));
		assert_false(gh_log_contains(&node[i],
					     "\"event\":\"audit.checkpoint\""));
		assert_false(gh_log_contains(&node[i],
					     "audit.checkpoint_refused"));
	}
	start_node(0);
	start_node(1);
}

/* ---- kill -9 ----------------------------------------------------- */

#define KILL_LOADERS 6

/*
 * Six customers make tickets, three on each node, until node 1 is
 * killed with SIGKILL in the middle of it. Every ticket either node
 * acknowledged is stored with its audit record; node 2's customers go
 * on with no request lost and make more after the kill; a customer of
 * the killed node reads their ticket on node 2 with the session node 1
 * made; the log verifies; node 1 started again serves it too.
 */
static void
test_kill_loses_nothing_acknowledged(void **state)
{
	static struct loader l[KILL_LOADERS];
	int stop = 0, killed = 0, busy;
	char path[128];

	(void)state;
	load_prepare(l, KILL_LOADERS, LOAD_MAX, &stop, &killed);
	load_start(l, KILL_LOADERS);
	/* Load on both: each customer has a few tickets acknowledged. */
	for (int w = 0; w < 600; w++) {
		busy = 1;
		for (int i = 0; i < KILL_LOADERS; i++)
			busy &= __atomic_load_n(&l[i].nacked,
						__ATOMIC_ACQUIRE) >= 3;
		if (busy)
			break;
		usleep(50000);
	}
	assert_true(busy);
	assert_int_equal(gh_stop_signal(&node[0], SIGKILL), 128 + SIGKILL);
	__atomic_store_n(&killed, 1, __ATOMIC_RELEASE);
	/* Node 2 goes on: each of its customers gets 3 more tickets. */
	for (int w = 0; w < 600; w++) {
		busy = 1;
		for (int i = 1; i < KILL_LOADERS; i += 2)
			busy &= __atomic_load_n(&l[i].after_kill,
						__ATOMIC_ACQUIRE) >= 3;
		if (busy)
			break;
		usleep(50000);
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	load_join(l, KILL_LOADERS);
	for (int i = 0; i < KILL_LOADERS; i++) {
		assert_acked_kept(&l[i]);
		if (i % 2 == 1) {
			assert_int_equal(l[i].lost, 0);
			assert_true(l[i].after_kill >= 3);
		}
	}
	assert_false(gh_log_contains(&node[1], "store.contention"));
	for (int i = 0; i < KILL_LOADERS; i++)
		printf("nodes: customer %d on node %d: %d acknowledged (%d "
		       "after the kill), %d without a reply\n",
		       i + 1, i % 2 + 1, l[i].nacked, l[i].after_kill,
		       l[i].lost);
	/* The killed node's customer, on node 2, with node 1's session. */
	snprintf(path, sizeof(path), "/api/v1/portal/tickets/%lld",
		 (long long)l[0].acked[l[0].nacked - 1]);
	assert_int_equal(get_status(&node[1], &l[0].c, path), 200);
	assert_int_equal(get_status(&node[1], &l[0].c,
				    "/api/v1/portal/session"),
			 200);
	assert_verify_ok();
	/* Node 1 again, on new ports: it serves what both made. */
	gh_restart(&node[0], NULL);
	assert_int_equal(get_status(&node[0], &l[0].c, path), 200);
	snprintf(path, sizeof(path), "/api/v1/portal/tickets/%lld",
		 (long long)l[1].acked[l[1].nacked - 1]);
	assert_int_equal(get_status(&node[0], &l[1].c, path), 200);
	for (int i = 0; i < KILL_LOADERS; i++)
		gh_client_free(&l[i].c);
}

/* ---- quotas ------------------------------------------------------ */

/* tickets_per_hour = 3: two tickets on node 1 and one on node 2 use the
 * hour's allowance on both; the fourth is refused on either node (one
 * node alone has counted only two or one). */
static void
test_quota_counts_across_nodes(void **state)
{
	struct gh_client c;
	struct gh_user u;

	(void)state;
	new_user(0, &u);
	gh_client_init(&c, 0);
	assert_int_equal(gh_login(&node[0], &c, &u), 201);
	assert_true(new_ticket(&node[0], &c, "First") > 0);
	assert_true(new_ticket(&node[0], &c, "Second") > 0);
	assert_true(new_ticket(&node[1], &c, "Third") > 0);
	assert_int_equal(new_ticket(&node[0], &c, "Fourth"), -429);
	assert_int_equal(new_ticket(&node[1], &c, "Fourth again"), -429);
	assert_int_equal(pg_num("SELECT COUNT(*) FROM tickets WHERE "
				"customer_id = %lld",
				(long long)u.id),
			 3);
	gh_client_free(&c);
}

int
main(void)
{
	const char *u = getenv("GH_TEST_PG_URL");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_staff_session_both_nodes),
		cmocka_unit_test(test_customer_session_both_nodes),
		cmocka_unit_test(test_throttle_counts_across_nodes),
		cmocka_unit_test(test_throttle_below_limit),
		cmocka_unit_test(test_totp_single_use_across_nodes),
		cmocka_unit_test(test_live_update_across_nodes),
		cmocka_unit_test(test_audit_one_tree),
		cmocka_unit_test(test_kill_loses_nothing_acknowledged),
	};
	const struct CMUnitTest quota[] = {
		cmocka_unit_test(test_quota_counts_across_nodes),
	};
	int rc;

	if (u == NULL || u[0] == '\0') {
		printf("nodes: GH_TEST_PG_URL is not set: skipped\n");
		return 77;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests_name("nodes", tests, setup, teardown);
	return rc | cmocka_run_group_tests_name("nodes-quota", quota,
						 setup_quota, teardown);
}
