/*
 * API test harness: starts the real `gatehouse` binary ($GH_BIN) on free
 * loopback ports in a fresh temporary data directory, creates accounts
 * through its CLI, and talks HTTPS to it with libcurl (trusting the
 * instance's own self-signed certificate). No part of the server is
 * mocked.
 */
#ifndef GH_TESTS_API_HARNESS_H
#define GH_TESTS_API_HARNESS_H

#include <curl/curl.h>
#include <jansson.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

struct gh_server {
	char dir[256];
	char bin[512];
	char log[300];
	int pub_port;
	int staff_port;
	pid_t pid;
	int manage_port; /* the management listener (plain HTTP) */
	/* With GH_TEST_PG_URL (issue 16): the PostgreSQL database the
	 * server runs on, made for it by gh_start; "" on SQLite. */
	char pg_db[64];
};

struct gh_user {
	int64_t id;
	char email[128];
	char password[128];
	unsigned char secret[20];
	char b32[40];
	int64_t last_step; /* last TOTP step used, to avoid replays */
	/* Issue 17: the member's passkey (struct softauth, harness_pk.c),
	 * made by gh_login when the role must use one; NULL: none. */
	void *passkey;
};

struct gh_client {
	CURL *curl;
	char csrf[64];
	int staff; /* which listener */
};

struct gh_resp {
	long status;
	char *body;
	size_t len;
	char *headers;
	size_t hlen;
	json_t *json;
};

/* Init, write extra_conf (INI text appended to gatehouse.conf; may be
 * NULL), serve, wait until both ports accept. Aborts the test on failure. */
void gh_start(struct gh_server *s, const char *extra_conf);
/* SIGTERM and wait; returns the exit status (0 on a clean stop). */
int gh_stop(struct gh_server *s);
/* Sends sig (SIGTERM, SIGINT) and waits; the exit status as gh_stop. */
int gh_stop_signal(struct gh_server *s, int sig);
/* Stops the server, appends extra_conf (may be NULL) to its config and
 * serves the same data directory again on new free ports. Returns the
 * exit status of the stopped server. */
int gh_restart(struct gh_server *s, const char *extra_conf);
/* Runs `gatehouse ARGS --dir DIR` with stdin_text; captures stdout. Returns
 * exit status; *out (malloc'd) gets stdout when out != NULL. */
int gh_cli(struct gh_server *s, const char *stdin_text, char **out,
	   const char *const *args);

void gh_add_staff(struct gh_server *s, const char *email, const char *role,
		  struct gh_user *u);
void gh_add_customer(struct gh_server *s, const char *email,
		     struct gh_user *u);
/* Records every training module as completed today for the staff member
 * with e-mail email (`gatehouse training complete --email E --all`), so
 * the training gate lets them verify customers and reveal data. */
void gh_train(struct gh_server *s, const char *email);
/* A code for the user that has not been used yet (waits if needed). */
void gh_totp_next(struct gh_user *u, char out[7]);

void gh_client_init(struct gh_client *c, int staff);
void gh_client_free(struct gh_client *c);

/*
 * Sends a request. body may be NULL. headers is a NULL-terminated list of
 * "Name: value" lines added to the defaults (JSON content type, the
 * client's X-CSRF-Token once it has one). Fills *r (free with
 * gh_resp_free). Returns the HTTP status, or -1 when no HTTP reply came.
 */
long gh_req(struct gh_server *s, struct gh_client *c, const char *method,
	    const char *path, const char *body, const char *const *headers,
	    struct gh_resp *r);
void gh_resp_free(struct gh_resp *r);
/* gh_req with obj (stolen) encoded as the JSON body. */
long gh_send_json(struct gh_server *s, struct gh_client *c, const char *method,
		  const char *path, json_t *obj, struct gh_resp *r);
/* The value of a response header (case-insensitive), malloc'd, or NULL. */
char *gh_header(const struct gh_resp *r, const char *name);
/* The "error" code of a JSON error body, or "". */
const char *gh_error(const struct gh_resp *r);

/* The value of the client's session cookie (__Host-gh_*) into out.
 * 0, or -1 when it holds none. */
int gh_cookie_token(struct gh_client *c, char *out, size_t outsz);

/* Logs in with the user's password and a fresh code. Returns the status;
 * on 201 the client holds the cookie and CSRF token. A staff member who
 * must use a passkey (issue 17) logs in with theirs, made and registered
 * at their first login (gh_pk_enrol). */
long gh_login(struct gh_server *s, struct gh_client *c, struct gh_user *u);
/* harness_pk.c: the passkey login of u (u->passkey set) on c; and the
 * enrolment from the enrol-only session c holds: a new passkey,
 * registered, that session ended, then gh_pk_login. The status. */
long gh_pk_login(struct gh_server *s, struct gh_client *c, struct gh_user *u);
long gh_pk_enrol(struct gh_server *s, struct gh_client *c, struct gh_user *u);

/* Counts rows of the instance's database matching sql (SELECT COUNT):
 * the first column of the first row (NULL counts 0, a boolean 0 or 1),
 * or -1 without a row. On SQLite or PostgreSQL (see gh_db_init). */
int64_t gh_db_count(struct gh_server *s, const char *sql);
/* gh_db_count with the SQL built printf-style (test-controlled values
 * only). */
int64_t gh_db_countf(struct gh_server *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The number of audit records of action (and, unless NULL, outcome). */
int64_t gh_audit_count(struct gh_server *s, const char *action,
		       const char *outcome);
/* Runs SQL statements (';'-separated) on the instance's database. */
void gh_db_exec(struct gh_server *s, const char *sql);
/* Waits up to wait_s seconds for an .eml file in the outbox addressed to
 * `to` (its "To:" line) and containing needle; its text goes to *text
 * (malloc'd; caller frees) and the file is renamed so it is read once.
 * 0, or -1 when none came. */
int gh_take_mail(struct gh_server *s, const char *to, const char *needle,
		 int wait_s, char **text);
/* 1 when the server log contains needle. */
int gh_log_contains(struct gh_server *s, const char *needle);
/* 1 when the server log contains needle within wait_ms: for lines a
 * server thread writes after the client saw its effect (the slow-client
 * sweep logs after it has shut the connection down). */
int gh_log_wait(struct gh_server *s, const char *needle, int wait_ms);

/* Pages through list (a ticket list path ending in '?' or '&') with
 * limit=2: pages of 2, 2, 1 and 0 tickets, echoing limit and offset, whose
 * ids are made[4], ..., made[0]: newest first, no gap, no duplicate, none
 * foreign. */
void gh_assert_pages_of_five(struct gh_server *s, struct gh_client *c,
			     const char *list, const int64_t made[5]);
/* Each of the n page arguments bad[] ("limit=0", "offset=x", ...) on
 * list answers 400 bad_query naming its field. */
void gh_assert_bad_page_args(struct gh_server *s, struct gh_client *c,
			     const char *list, const char *const *bad,
			     size_t n);

#endif

/* Issue 16 UNITS: serve with a chosen environment, as systemd starts it. */

/*
 * As gh_start (init, extra_conf, serve on free ports) but serve runs with
 * env changed: each "NAME=VALUE" is set and each bare "NAME" unset; a
 * VALUE of "%pid" becomes the server's own pid (as systemd sets
 * WATCHDOG_PID). Returns at once, without waiting for the ports (a test
 * of readiness waits itself): gh_ports_open says when they answer.
 */
void gh_start_env(struct gh_server *s, const char *extra_conf,
		  const char *const *env);
/* A TCP port on 127.0.0.1 free now (bound and released); 1 when a
 * listener accepts on 127.0.0.1:port, else 0. */
int gh_free_port(void);
int gh_port_open(int port);
/* 1 when both listeners of s accept a TCP connection now, else 0. */
int gh_ports_open(struct gh_server *s);

/* Issue 16 NODES: several nodes on one desk. */

/*
 * Serves the initialised data directory dir as one more node: s gets
 * GH_BIN, dir and its own log file log, and `serve` runs on new free
 * ports (public, staff, management) until they accept, as gh_start's.
 * Several servers may share one dir (its config, keys and database, as
 * the nodes of a deployment share them); gh_stop and gh_restart work on
 * each.
 */
void gh_serve_dir(struct gh_server *s, const char *dir, const char *log);
/* Issue 16: the API tests on PostgreSQL (tests/api/harness_db.c). */

/*
 * Runs `gatehouse init` on s->dir. By default the store is the SQLite
 * file DIR/gatehouse.db. With GH_TEST_API_PG=1 (the suite api_pg sets it)
 * a FRESH database gh_api_PID_N is created on the cluster GH_TEST_PG_URL
 * reaches (a libpq URL, e.g. "postgresql://" and the PG* environment) and
 * init gets `--store` with its URL, so the server runs on PostgreSQL; the
 * database outlives gh_stop (tests read the store and run the CLI on a
 * stopped server) and is dropped when the test program exits.
 */
void gh_db_init(struct gh_server *s);
/* 1 when the API tests run on PostgreSQL (GH_TEST_API_PG=1); fails the
 * test when that is asked for without GH_TEST_PG_URL. */
int gh_db_pg(void);
/* On PostgreSQL: prints why the calling test case does not run there and
 * skips it (cmocka's skip(): it returns no more). On SQLite: nothing. For
 * the few cases that are SQLite's by nature (its file, its lock). */
void gh_db_sqlite_only(const char *why);
/* The first column of the first row of sql as text (malloc'd; NULL
 * without a row or for NULL). A bytea/BLOB comes back as lowercase hex. */
char *gh_db_text(struct gh_server *s, const char *sql);
/*
 * Runs one statement with parameters $1, $2, ... (in order of first use)
 * and returns the number of rows it changed. types has one letter per
 * parameter: 't' a const char * (text), 'b' a const unsigned char * and
 * a size_t (a BLOB / bytea), 'i' an int64_t.
 */
int64_t gh_db_run(struct gh_server *s, const char *sql, const char *types,
		  ...);
/* Drops the triggers that keep the audit tables append-only (and on
 * PostgreSQL the CHECK that keeps seq positive), as an attacker with
 * write access to the store would. */
void gh_db_drop_audit_guards(struct gh_server *s);
/* Saves a copy of the stopped server's store (its file, or a database
 * made from it as a template), and puts it back over the store. */
void gh_db_save(struct gh_server *s);
void gh_db_restore(struct gh_server *s);
/* Copies the stopped server from's data directory to to->dir (set by the
 * caller, with to->log) and its store with it: on PostgreSQL a new
 * database made from from's as a template, named in to's config. */
void gh_db_clone(const struct gh_server *from, struct gh_server *to);
/* Takes the store away from the running server (away = 1) and gives it
 * back (0): the SQLite file renamed; on PostgreSQL the database closed to
 * new connections and the server's ones ended. */
void gh_db_take_away(struct gh_server *s, int away);
/* SQLite only: opens a transaction that holds the store's write lock
 * (BEGIN IMMEDIATE) until gh_db_unlock. */
void *gh_db_lock(struct gh_server *s);
void gh_db_unlock(void *lock);
/* PostgreSQL only: `pg_dump --data-only` of the server's database into
 * path (what lies at rest there, bytea as hex). */
void gh_db_pg_dump(struct gh_server *s, const char *path);
/* The SQL expression for the current Unix time (seconds) on the store of
 * s: SQLite's strftime('%s','now'), PostgreSQL's extract(epoch ...). */
const char *gh_db_now(const struct gh_server *s);
/* 1 while a process holds the store open: SQLite's -wal or -shm file is
 * there; on PostgreSQL a session is connected to the database (waits up
 * to 3 s for sessions of a stopped process to go). */
int gh_db_in_use(struct gh_server *s);
