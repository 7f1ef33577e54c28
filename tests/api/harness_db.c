/* API test harness: the instance's store on SQLite or PostgreSQL (see
 * harness.h, issue 16). */
#include "harness.h"

#include <libpq-fe.h>
#include <setjmp.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* The databases this program made, dropped when it exits. */
static char made[256][80];
static size_t n_made;
static unsigned serial;

int
gh_db_pg(void)
{
	const char *on = getenv("GH_TEST_API_PG");
	const char *u = getenv("GH_TEST_PG_URL");

	if (on == NULL || strcmp(on, "1") != 0)
		return 0;
	if (u == NULL || u[0] == '\0')
		fail_msg("GH_TEST_API_PG=1 (suite api_pg) but GH_TEST_PG_URL "
			 "is not set: no PostgreSQL to run on");
	return 1;
}

/* GH_TEST_PG_URL with its database (the path) replaced by db. */
static void
pg_url(const char *db, char *out, size_t outsz)
{
	const char *u = getenv("GH_TEST_PG_URL");
	const char *auth = strstr(u, "://");
	size_t keep;

	assert_non_null(auth);
	auth += 3;
	keep = (size_t)(auth - u) + strcspn(auth, "/?");
	assert_true((size_t)snprintf(out, outsz, "%.*s/%s", (int)keep, u, db) <
		    outsz);
}

/* Drops the server's notices ("does not exist, skipping"). */
static void
quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* Runs sql on the cluster's maintenance database once: 0, -1 on an
 * error, 1 when the connection was lost or never made. */
static int
admin_once(const char *sql)
{
	char url[600];
	PGconn *db;
	PGresult *r = NULL;
	int rc = -1;

	pg_url("postgres", url, sizeof(url));
	db = PQconnectdb(url);
	if (PQstatus(db) == CONNECTION_OK) {
		PQsetNoticeProcessor(db, quiet, NULL);
		r = PQexec(db, sql);
		if (PQresultStatus(r) == PGRES_COMMAND_OK)
			rc = 0;
		else if (PQstatus(db) != CONNECTION_OK)
			rc = 1;
		else
			print_error("harness: %s: %s", sql,
				    PQresultErrorMessage(r));
	} else {
		rc = 1;
	}
	PQclear(r);
	PQfinish(db);
	return rc;
}

/* admin_once, again while the connection is lost (the store suite's
 * reconnect test ends every session on the maintenance database). */
static void
admin(const char *sql)
{
	int rc = 1;

	for (int i = 0; i < 10 && rc == 1; i++) {
		if (i > 0)
			usleep(200000);
		rc = admin_once(sql);
	}
	if (rc != 0)
		fail_msg("harness: cannot run \"%s\" on the cluster of "
			 "GH_TEST_PG_URL",
			 sql);
}

static void
drop_made(void)
{
	char sql[160];

	for (size_t i = 0; i < n_made; i++) {
		snprintf(sql, sizeof(sql),
			 "DROP DATABASE IF EXISTS %.79s WITH (FORCE)", made[i]);
		(void)admin_once(sql);
	}
	n_made = 0;
}

/* A new, empty database called name (dropped at exit). */
static void
create_db(const char *name, const char *template_db)
{
	static int registered;
	char sql[200];
	size_t i = 0;

	while (i < n_made && strcmp(made[i], name) != 0)
		i++;
	if (i == n_made) {
		assert_true(n_made < sizeof(made) / sizeof(made[0]));
		snprintf(made[n_made++], sizeof(made[0]), "%s", name);
	}
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)",
		 name);
	admin(sql);
	/* Registered after libpq's first connection: handlers run last
	 * registered first, so the drops run before OpenSSL's own exit
	 * handler (registered at that connection when it used TLS, as
	 * pg_virtualenv's TCP cluster does) frees what they need. */
	if (!registered)
		atexit(drop_made);
	registered = 1;
	if (template_db != NULL)
		snprintf(sql, sizeof(sql), "CREATE DATABASE %s TEMPLATE %s",
			 name, template_db);
	else
		snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
	admin(sql);
}

void
gh_db_init(struct gh_server *s)
{
	const char *init_args[] = {"init", NULL};
	const char *pg_args[] = {"init", "--store", NULL, NULL};
	char url[600];

	s->pg_db[0] = '\0';
	if (!gh_db_pg()) {
		assert_int_equal(gh_cli(s, NULL, NULL, init_args), 0);
		return;
	}
	snprintf(s->pg_db, sizeof(s->pg_db), "gh_api_%ld_%u", (long)getpid(),
		 ++serial);
	create_db(s->pg_db, NULL);
	pg_url(s->pg_db, url, sizeof(url));
	pg_args[2] = url;
	assert_int_equal(gh_cli(s, NULL, NULL, pg_args), 0);
}

void
gh_db_sqlite_only(const char *why)
{
	if (!gh_db_pg())
		return;
	print_message("[  SKIPPED ] on PostgreSQL: %s\n", why);
	skip();
}

static void pg_fail(PGconn *db, PGresult *r, const char *sql);

static PGconn *
pg_open(struct gh_server *s)
{
	char url[600];
	PGconn *db;

	pg_url(s->pg_db, url, sizeof(url));
	db = PQconnectdb(url);
	if (PQstatus(db) != CONNECTION_OK)
		pg_fail(db, NULL, s->pg_db);
	return db;
}

static sqlite3 *
sq_open(struct gh_server *s)
{
	char path[400];
	sqlite3 *db = NULL;

	snprintf(path, sizeof(path), "%s/gatehouse.db", s->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	return db;
}

/* Fails the test with r's error, after closing db (no leak). */
static void
pg_fail(PGconn *db, PGresult *r, const char *sql)
{
	static char msg[600];

	snprintf(msg, sizeof(msg), "%s", r != NULL ? PQresultErrorMessage(r)
						   : PQerrorMessage(db));
	PQclear(r);
	PQfinish(db);
	fail_msg("harness: %s: %s", sql, msg);
}

/* A query's result as PostgreSQL's text: fails the test on an error. */
static PGresult *
pg_query(PGconn *db, const char *sql)
{
	PGresult *r = PQexec(db, sql);
	ExecStatusType st = PQresultStatus(r);

	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
		pg_fail(db, r, sql);
	return r;
}

static char *
hex(const unsigned char *p, size_t n)
{
	char *out = malloc(2 * n + 1);

	assert_non_null(out);
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
	out[2 * n] = '\0';
	return out;
}

char *
gh_db_text(struct gh_server *s, const char *sql)
{
	char *v = NULL;

	if (s->pg_db[0] != '\0') {
		PGconn *db = pg_open(s);
		PGresult *r = pg_query(db, sql);

		if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0)) {
			const char *t = PQgetvalue(r, 0, 0);

			/* bytea's text form is \x and hex. */
			v = strdup(PQftype(r, 0) == 17 && strncmp(t, "\\x", 2) == 0
					   ? t + 2
					   : t);
		}
		PQclear(r);
		PQfinish(db);
		return v;
	}
	sqlite3 *db = sq_open(s);
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("harness: %s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL) {
		if (sqlite3_column_type(st, 0) == SQLITE_BLOB)
			v = hex(sqlite3_column_blob(st, 0),
				(size_t)sqlite3_column_bytes(st, 0));
		else
			v = strdup((const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

int64_t
gh_db_count(struct gh_server *s, const char *sql)
{
	int64_t n = -1;

	if (s->pg_db[0] != '\0') {
		PGconn *db = pg_open(s);
		PGresult *r = pg_query(db, sql);

		if (PQntuples(r) > 0) {
			const char *t = PQgetvalue(r, 0, 0);

			n = PQgetisnull(r, 0, 0) || strcmp(t, "f") == 0 ? 0
			    : strcmp(t, "t") == 0			 ? 1
								 : strtoll(t, NULL, 10);
		}
		PQclear(r);
		PQfinish(db);
		return n;
	}
	sqlite3 *db = sq_open(s);
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("harness: %s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

int64_t
gh_db_countf(struct gh_server *s, const char *fmt, ...)
{
	char sql[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	assert_true(n > 0 && (size_t)n < sizeof(sql));
	return gh_db_count(s, sql);
}

int64_t
gh_audit_count(struct gh_server *s, const char *action, const char *outcome)
{
	if (outcome == NULL)
		return gh_db_countf(s,
				    "SELECT COUNT(*) FROM audit WHERE record "
				    "LIKE '%%\"action\":\"%s\"%%'",
				    action);
	return gh_db_countf(s,
			    "SELECT COUNT(*) FROM audit WHERE record LIKE "
			    "'%%\"action\":\"%s\"%%' AND record LIKE "
			    "'%%\"outcome\":\"%s\"%%'",
			    action, outcome);
}

void
gh_db_exec(struct gh_server *s, const char *sql)
{
	if (s->pg_db[0] != '\0') {
		PGconn *db = pg_open(s);

		PQclear(pg_query(db, sql));
		PQfinish(db);
		return;
	}
	sqlite3 *db = sq_open(s);
	char *err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("harness: %s: %s", sql, err);
	sqlite3_close(db);
}

/* gh_db_run's parameters, read from ap by types. */
struct param {
	char *text; /* text, or a number's digits */
	const unsigned char *blob;
	size_t len;
	char kind;
};

static void
read_params(const char *types, va_list ap, struct param *p)
{
	for (size_t i = 0; types[i] != '\0'; i++) {
		p[i].kind = types[i];
		p[i].text = NULL;
		if (types[i] == 't') {
			p[i].text = strdup(va_arg(ap, const char *));
		} else if (types[i] == 'b') {
			p[i].blob = va_arg(ap, const unsigned char *);
			p[i].len = va_arg(ap, size_t);
		} else {
			assert_int_equal(types[i], 'i');
			assert_true(asprintf(&p[i].text, "%lld",
					     (long long)va_arg(ap, int64_t)) > 0);
		}
	}
}

static int64_t
pg_run(struct gh_server *s, const char *sql, const struct param *p, int n)
{
	const char *vals[8];
	int lens[8], fmts[8];
	PGconn *db = pg_open(s);
	PGresult *r;
	int64_t changed;

	for (int i = 0; i < n; i++) {
		vals[i] = p[i].kind == 'b' ? (const char *)p[i].blob : p[i].text;
		lens[i] = p[i].kind == 'b' ? (int)p[i].len : 0;
		fmts[i] = p[i].kind == 'b';
	}
	r = PQexecParams(db, sql, n, NULL, vals, lens, fmts, 0);
	if (PQresultStatus(r) != PGRES_COMMAND_OK &&
	    PQresultStatus(r) != PGRES_TUPLES_OK)
		pg_fail(db, r, sql);
	changed = strtoll(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	PQfinish(db);
	return changed;
}

static int64_t
sq_run(struct gh_server *s, const char *sql, const struct param *p, int n)
{
	sqlite3 *db = sq_open(s);
	sqlite3_stmt *st = NULL;
	int64_t changed;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("harness: %s: %s", sql, sqlite3_errmsg(db));
	for (int i = 0; i < n; i++) {
		char name[16];
		int at;

		snprintf(name, sizeof(name), "$%d", i + 1);
		at = sqlite3_bind_parameter_index(st, name);
		assert_true(at > 0);
		if (p[i].kind == 'b')
			sqlite3_bind_blob(st, at, p[i].blob, (int)p[i].len,
					  SQLITE_TRANSIENT);
		else if (p[i].kind == 'i')
			sqlite3_bind_int64(st, at, strtoll(p[i].text, NULL, 10));
		else
			sqlite3_bind_text(st, at, p[i].text, -1,
					  SQLITE_TRANSIENT);
	}
	if (sqlite3_step(st) == SQLITE_ERROR)
		fail_msg("harness: %s: %s", sql, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	changed = sqlite3_changes(db);
	sqlite3_close(db);
	return changed;
}

int64_t
gh_db_run(struct gh_server *s, const char *sql, const char *types, ...)
{
	struct param p[8];
	int n = (int)strlen(types);
	int64_t changed;
	va_list ap;

	assert_true(n <= 8);
	va_start(ap, types);
	read_params(types, ap, p);
	va_end(ap);
	changed = s->pg_db[0] != '\0' ? pg_run(s, sql, p, n)
				      : sq_run(s, sql, p, n);
	for (int i = 0; i < n; i++)
		free(p[i].text);
	return changed;
}

void
gh_db_drop_audit_guards(struct gh_server *s)
{
	gh_db_exec(s, s->pg_db[0] != '\0'
			      ? "DROP TRIGGER IF EXISTS audit_no_update ON audit; "
				"DROP TRIGGER IF EXISTS audit_no_delete ON audit; "
				"ALTER TABLE audit DROP CONSTRAINT IF EXISTS "
				"audit_seq_check"
			      : "DROP TRIGGER IF EXISTS audit_no_update; "
				"DROP TRIGGER IF EXISTS audit_no_delete");
}

/* Copies a file or directory with cp -a. */
static void
copy_path(const char *from, const char *to)
{
	char cmd[1000];

	assert_true((size_t)snprintf(cmd, sizeof(cmd),
				     "rm -rf '%s' && cp -a '%s' '%s'", to, from,
				     to) < sizeof(cmd));
	assert_int_equal(system(cmd), 0);
}

void
gh_db_save(struct gh_server *s)
{
	char a[400], b[400];

	if (s->pg_db[0] != '\0') {
		snprintf(a, sizeof(a), "%s_saved", s->pg_db);
		create_db(a, s->pg_db);
		return;
	}
	snprintf(a, sizeof(a), "%s/gatehouse.db", s->dir);
	snprintf(b, sizeof(b), "%s/gatehouse.db.saved", s->dir);
	copy_path(a, b);
}

void
gh_db_restore(struct gh_server *s)
{
	char a[400], b[400];

	if (s->pg_db[0] != '\0') {
		snprintf(a, sizeof(a), "%s_saved", s->pg_db);
		create_db(s->pg_db, a);
		return;
	}
	snprintf(a, sizeof(a), "%s/gatehouse.db.saved", s->dir);
	snprintf(b, sizeof(b), "%s/gatehouse.db", s->dir);
	copy_path(a, b);
}

void
gh_db_clone(const struct gh_server *from, struct gh_server *to)
{
	char url[600], path[400];
	FILE *f;

	copy_path(from->dir, to->dir);
	snprintf(to->pg_db, sizeof(to->pg_db), "%s", from->pg_db);
	if (from->pg_db[0] == '\0')
		return;
	snprintf(to->pg_db, sizeof(to->pg_db), "gh_api_%ld_%u",
		 (long)getpid(), ++serial);
	create_db(to->pg_db, from->pg_db);
	pg_url(to->pg_db, url, sizeof(url));
	snprintf(path, sizeof(path), "%s/gatehouse.conf", to->dir);
	f = fopen(path, "a");
	assert_non_null(f);
	fprintf(f, "\n[database]\nurl = %s\n", url);
	fclose(f);
}

void
gh_db_take_away(struct gh_server *s, int away)
{
	char a[400], b[420], sql[300];

	if (s->pg_db[0] == '\0') {
		snprintf(a, sizeof(a), "%s/gatehouse.db", s->dir);
		snprintf(b, sizeof(b), "%s.away", a);
		assert_int_equal(away ? rename(a, b) : rename(b, a), 0);
		return;
	}
	snprintf(sql, sizeof(sql), "ALTER DATABASE %s ALLOW_CONNECTIONS %s",
		 s->pg_db, away ? "false" : "true");
	admin(sql);
	if (!away)
		return;
	snprintf(sql, sizeof(sql),
		 "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
		 "WHERE datname = '%s'",
		 s->pg_db);
	{
		char url[600];
		PGconn *db;

		pg_url("postgres", url, sizeof(url));
		db = PQconnectdb(url);
		assert_int_equal(PQstatus(db), CONNECTION_OK);
		PQclear(pg_query(db, sql));
		PQfinish(db);
	}
}

/* gh_db_lock's handle. */
struct db_lock {
	sqlite3 *sq;
};

void *
gh_db_lock(struct gh_server *s)
{
	struct db_lock *l = calloc(1, sizeof(*l));

	assert_non_null(l);
	assert_true(s->pg_db[0] == '\0');
	l->sq = sq_open(s);
	sqlite3_busy_timeout(l->sq, 10000);
	assert_int_equal(sqlite3_exec(l->sq, "BEGIN IMMEDIATE", NULL, NULL,
				      NULL),
			 SQLITE_OK);
	return l;
}

void
gh_db_unlock(void *lock)
{
	struct db_lock *l = lock;

	assert_int_equal(sqlite3_exec(l->sq, "ROLLBACK", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(l->sq);
	free(l);
}

void
gh_db_pg_dump(struct gh_server *s, const char *path)
{
	char url[600], cmd[1200];

	assert_true(s->pg_db[0] != '\0');
	pg_url(s->pg_db, url, sizeof(url));
	assert_true((size_t)snprintf(cmd, sizeof(cmd),
				     "pg_dump --data-only --dbname='%s' > '%s'",
				     url, path) < sizeof(cmd));
	assert_int_equal(system(cmd), 0);
}

const char *
gh_db_now(const struct gh_server *s)
{
	return s->pg_db[0] != '\0' ? "CAST(floor(extract(epoch FROM now())) AS "
				      "bigint)"
				   : "strftime('%s','now')";
}

/* Sessions connected to database name, counted from the maintenance
 * database. */
static int64_t
pg_sessions(const char *name)
{
	char url[600], sql[200];
	PGconn *db;
	PGresult *r;
	int64_t n;

	pg_url("postgres", url, sizeof(url));
	db = PQconnectdb(url);
	if (PQstatus(db) != CONNECTION_OK)
		pg_fail(db, NULL, "postgres");
	snprintf(sql, sizeof(sql),
		 "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = '%s'",
		 name);
	r = pg_query(db, sql);
	n = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	PQfinish(db);
	return n;
}

int
gh_db_in_use(struct gh_server *s)
{
	char a[400], b[400];

	if (s->pg_db[0] == '\0') {
		snprintf(a, sizeof(a), "%s/gatehouse.db-wal", s->dir);
		snprintf(b, sizeof(b), "%s/gatehouse.db-shm", s->dir);
		return access(a, F_OK) == 0 || access(b, F_OK) == 0;
	}
	for (int i = 0; i < 30; i++) {
		if (pg_sessions(s->pg_db) == 0)
			return 0;
		usleep(100000);
	}
	return 1;
}
