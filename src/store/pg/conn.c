/*
 * PostgreSQL store: the connection (libpq), its cache of prepared
 * statements, errors, transactions, shared reads, the migrations runner
 * and the operations table. The URL is libpq's own connection URI
 * ("postgresql://user@host:port/db?sslmode=verify-full"); the password
 * comes from the file store_pg_password_file() names, or from libpq's
 * environment (PGPASSWORD, PGPASSFILE, ~/.pgpass). Logs name the host and
 * database only, never the URI (it may hold a password) nor a value.
 *
 * Invariant: the backend refuses to open (pg_open) while any operation of
 * its table is NULL, so a server never calls an operation it does not
 * have yet; only a debug build's tests may open it partial.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "store/pg/pg.h"
#include "util/embed.h"
#include "util/errors.h"
#include "util/log.h"

extern const struct embedded_file store_pg_migrations[];


/* Any constant, the same on every node (and in tests/pg/): the key of
 * the advisory lock each migration transaction holds. */
#define PG_MIGRATE_LOCK 1163607368

/* The file holding the database password ("" none); set before opening. */
static char password_file[4096];
static pthread_mutex_t password_lock = PTHREAD_MUTEX_INITIALIZER;

void
store_pg_password_file(const char *path)
{
	pthread_mutex_lock(&password_lock);
	snprintf(password_file, sizeof(password_file), "%s",
		 path != NULL ? path : "");
	pthread_mutex_unlock(&password_lock);
}

/* The password in the file (its first line), into out; 0 without a file,
 * 1 with one, -1 when it cannot be read. */
static int
read_password(char *out, size_t outsz)
{
	char path[sizeof(password_file)];
	ssize_t n;
	int fd;

	pthread_mutex_lock(&password_lock);
	memcpy(path, password_file, sizeof(path));
	pthread_mutex_unlock(&password_lock);
	out[0] = '\0';
	if (path[0] == '\0')
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, out, outsz - 1);
	close(fd);
	if (n < 0)
		return -1;
	out[n] = '\0';
	out[strcspn(out, "\r\n")] = '\0';
	return 1;
}

/* --- errors -------------------------------------------------------- */

/* Where the connection goes (host, port, database), never who or how. */
static json_t *
pg_where(const struct pg_conn *q, const char *where)
{
	const char *host = q->db != NULL ? PQhost(q->db) : NULL;
	const char *port = q->db != NULL ? PQport(q->db) : NULL;
	const char *db = q->db != NULL ? PQdb(q->db) : NULL;

	return json_pack("{s:s%, s:s, s:s, s:s}", "where", where,
			 strnlen(where, 60), "host", host ? host : "",
			 "port", port ? port : "", "database", db ? db : "");
}

/* The statement cache and transaction state of a new session. */
static void
pg_forget(struct pg_conn *q)
{
	q->n_cache = 0;
	q->in_tx = 0;
	q->snap_open = 0;
}

/* A lost connection: reset (a new session: nothing prepared). */
static int
pg_lost(struct pg_conn *q, const char *where)
{
	log_event(LOG_WARN, "store.pg.reconnect", pg_where(q, where));
	if (q->in_tx)
		q->tx_lost = 1;
	pg_forget(q);
	PQreset(q->db);
	if (PQstatus(q->db) == CONNECTION_OK)
		q->was_reset = 1;
	return -GH_UNAVAILABLE;
}

static int
lost_state(const char *st)
{
	/* 08: connection exception; 57P01..3: the server ended it. */
	return st != NULL && (strncmp(st, "08", 2) == 0 ||
			      strncmp(st, "57P0", 4) == 0);
}

int
pg_err(struct pg_conn *q, const PGresult *res, const char *where)
{
	const char *st = res != NULL
				 ? PQresultErrorField(res, PG_DIAG_SQLSTATE)
				 : NULL;
	json_t *f;

	if (PQstatus(q->db) == CONNECTION_BAD || lost_state(st))
		return pg_lost(q, where);
	/* Outside BEGIN a failed read aborts the shared read transaction. */
	if (q->snap_open && !q->in_tx) {
		q->snap_open = 0;
		PQclear(PQexec(q->db, "ROLLBACK"));
	}
	if (st == NULL)
		st = "";
	if (strcmp(st, "40001") == 0 || strcmp(st, "40P01") == 0 ||
	    strcmp(st, "55P03") == 0)
		return -GH_UNAVAILABLE;
	if (strcmp(st, "23505") == 0 || strcmp(st, "23514") == 0 ||
	    strcmp(st, "23503") == 0)
		return -GH_EXISTS;
	f = pg_where(q, where);
	json_object_set_new(f, "sqlstate", json_string(st));
	log_event(LOG_ERROR, "store.pg", f);
	return -GH_INTERNAL;
}

int
pg_was_reset(struct pg_conn *q)
{
	int r = q->was_reset;

	q->was_reset = 0;
	return r;
}

/* Runs text that returns no rows; 0 or pg_err's value. */
static int
pg_command(struct pg_conn *q, const char *sql, const char *where)
{
	PGresult *res = PQexec(q->db, sql);
	ExecStatusType s = res != NULL ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	int rc = 0;

	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
		rc = pg_err(q, res, where);
	PQclear(res);
	return rc;
}

int
pg_script(struct pg_conn *q, const char *sql)
{
	return pg_command(q, sql, sql);
}

/* --- statements and shared reads ------------------------------------ */

/* Shared reads: outside a transaction, a read opens the shared read
 * transaction when wanted; anything else ends it first. */
static void
snapshot_end(struct pg_conn *q)
{
	if (!q->snap_open)
		return;
	q->snap_open = 0;
	if (PQtransactionStatus(q->db) != PQTRANS_IDLE)
		(void)pg_command(q, "COMMIT", "COMMIT (shared reads)");
}

static void
snapshot_before(struct pg_conn *q, const char *sql)
{
	int read = strncmp(sql, "SELECT ", 7) == 0;

	if (q->in_tx)
		return;
	if (!read) {
		snapshot_end(q);
		return;
	}
	if (!q->snap_wanted || q->snap_open)
		return;
	/* A failed BEGIN leaves autocommit: the read runs alone. */
	if (pg_command(q, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
		       "BEGIN (shared reads)") == 0)
		q->snap_open = 1;
}

/* The text PostgreSQL is given for sql (malloc'd, NULL when out of
 * memory): a copy, or (the query layer's forms, store/sql/db.h) with ?
 * made $N and " RETURNING id" appended. Made when a statement is
 * prepared, once per connection. */
static char *
text_for(const char *sql, int form)
{
	return form == PG_TEXT_AS_IS ? strdup(sql)
				     : pg_dollar(sql, form == PG_TEXT_INSERT);
}

/* The name sql is prepared under on q, preparing it the first time;
 * NULL when the cache is full (the statement then runs unprepared). */
static const char *
pg_prepared(struct pg_conn *q, const char *sql, int form, int nparams,
	    int *rc)
{
	PGresult *res;
	char *text;
	unsigned i;

	*rc = 0;
	for (i = 0; i < q->n_cache; i++)
		if (q->cache[i].sql == sql)
			return q->cache[i].name;
	if (q->n_cache >= PG_STMT_CACHE) {
		LOG_BUG("the PostgreSQL statement cache is full");
		return NULL;
	}
	text = text_for(sql, form);
	if (text == NULL) {
		*rc = -GH_INTERNAL;
		return NULL;
	}
	snprintf(q->cache[i].name, sizeof(q->cache[i].name), "s%u", i);
	res = PQprepare(q->db, q->cache[i].name, text, nparams, NULL);
	free(text);
	if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK) {
		*rc = pg_err(q, res, sql);
		PQclear(res);
		return NULL;
	}
	PQclear(res);
	q->cache[i].sql = sql;
	q->n_cache++;
	return q->cache[i].name;
}

/* sql run unprepared (a full cache). */
static PGresult *
pg_unprepared(struct pg_conn *q, const char *sql, int form, int n,
	      const char *const *values, const int *lengths,
	      const int *formats)
{
	char *text = text_for(sql, form);
	PGresult *res;

	if (text == NULL)
		return NULL;
	res = PQexecParams(q->db, text, n, NULL, values, lengths, formats, 1);
	free(text);
	return res;
}

int
pg_run(struct pg_conn *q, const char *sql, int n, const char *const *values,
       const int *lengths, const int *formats, PGresult **out)
{
	return pg_run_as(q, sql, PG_TEXT_AS_IS, n, values, lengths, formats,
			 out);
}

int
pg_run_as(struct pg_conn *q, const char *sql, int form, int n,
	  const char *const *values, const int *lengths, const int *formats,
	  PGresult **out)
{
	const char *name;
	PGresult *res;
	ExecStatusType s;
	int rc;

	*out = NULL;
	snapshot_before(q, sql);
	name = pg_prepared(q, sql, form, n, &rc);
	if (rc < 0)
		return rc;
	if (name == NULL)
		res = pg_unprepared(q, sql, form, n, values, lengths, formats);
	else
		res = PQexecPrepared(q->db, name, n, values, lengths, formats,
				     1);
	s = res != NULL ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
		rc = pg_err(q, res, sql);
		PQclear(res);
		return rc;
	}
	*out = res;
	return 0;
}

static void
pg_shared_reads(struct store_conn *c, int on)
{
	struct pg_conn *q = pg_conn_of(c);

	q->snap_wanted = on;
	if (!on)
		snapshot_end(q);
}

/* --- connection ------------------------------------------------------ */

static void
pg_close(struct store_conn *c)
{
	struct pg_conn *q = pg_conn_of(c);

	if (q == NULL)
		return;
	PQfinish(q->db);
	free(q);
}

int
store_pg_url_has_password(const char *url)
{
	PQconninfoOption *opts = PQconninfoParse(url, NULL);
	int has = 0;

	for (PQconninfoOption *o = opts; o != NULL && o->keyword != NULL; o++)
		if (strcmp(o->keyword, "password") == 0 && o->val != NULL &&
		    o->val[0] != '\0')
			has = 1;
	PQconninfoFree(opts);
	return has;
}

/* Connects to the URI with the password file's password if there is one
 * (expand_dbname: the URI gives every other parameter). connect_timeout
 * comes first, so the URI may set its own: without one, a host that
 * drops packets would hold a connection (and a readiness probe's reset)
 * for the kernel's two minutes of retries. */
static PGconn *
pg_connect(const char *uri)
{
	const char *keys[] = {"connect_timeout", "dbname", "password",
			      "fallback_application_name", NULL};
	const char *vals[] = {"2", uri, NULL, "gatehouse", NULL};
	char pw[1024];
	PGconn *db;
	int have = read_password(pw, sizeof(pw));

	if (have < 0) {
		log_event(LOG_ERROR, "store.pg",
			  json_pack("{s:s}", "reason",
				    "the database password file cannot be "
				    "read"));
		return NULL;
	}
	if (have > 0) {
		vals[2] = pw;
	} else {
		keys[2] = "fallback_application_name";
		vals[2] = "gatehouse";
		keys[3] = NULL;
	}
	db = PQconnectdbParams(keys, vals, 1);
	crypto_wipe(pw, sizeof(pw));
	return db;
}

/* Opens a connection whatever its ops table holds. */
static int
pg_open_with(const char *path, const struct store_ops *ops,
	     struct store_conn **out)
{
	struct pg_conn *q = calloc(1, sizeof(*q));
	char uri[4096];

	*out = NULL;
	if (q == NULL)
		return -GH_INTERNAL;
	q->base.ops = ops;
	q->base.db = &pg_db_vt;
	/* The prefix is part of libpq's URI: put it back. */
	snprintf(uri, sizeof(uri), "postgresql:%s", path);
	q->db = pg_connect(uri);
	crypto_wipe(uri, sizeof(uri));
	if (q->db == NULL || PQstatus(q->db) != CONNECTION_OK) {
		json_t *f = pg_where(q, "connect");

		if (q->db != NULL)
			json_object_set_new(f, "error",
					    json_string(PQerrorMessage(q->db)));
		log_event(LOG_ERROR, "store.pg", f);
		pg_close(&q->base);
		return -GH_INTERNAL;
	}
	if (pg_script(q, "SET client_min_messages = warning") < 0) {
		pg_close(&q->base);
		return -GH_INTERNAL;
	}
	*out = &q->base;
	return 0;
}

/* How many operations of the table are NULL. Every member of struct
 * store_ops and of its sub-tables is a pointer (the asserts below hold
 * that), so the table is read as an array of pointers. */
_Static_assert(sizeof(struct store_ops) % sizeof(void *) == 0,
	       "store_ops holds pointers only");
_Static_assert(sizeof(struct store_sla_ops) % sizeof(void *) == 0,
	       "store_sla_ops holds pointers only");
_Static_assert(sizeof(struct store_macros_ops) % sizeof(void *) == 0,
	       "store_macros_ops holds pointers only");
_Static_assert(sizeof(struct store_events_ops) % sizeof(void *) == 0,
	       "store_events_ops holds pointers only");

static int
null_words(const void *table, size_t size)
{
	int n = 0;

	for (size_t off = 0; off < size; off += sizeof(void *)) {
		void *p;

		memcpy(&p, (const char *)table + off, sizeof(p));
		n += p == NULL;
	}
	return n;
}

int
pg_ops_missing(const struct store_ops *ops)
{
	int n = null_words(ops, sizeof(*ops));

	if (ops->sla != NULL)
		n += null_words(ops->sla, sizeof(*ops->sla));
	if (ops->macros != NULL)
		n += null_words(ops->macros, sizeof(*ops->macros));
	if (ops->events != NULL)
		n += null_words(ops->events, sizeof(*ops->events));
	return n;
}

/* Debug builds only: GH_TEST_PG_PARTIAL=1 opens the backend with
 * operations missing, so the conformance suite can test the translated
 * ones (tests/unit/test_store.c). A release build has no such code. */
static int
partial_allowed(void)
{
#if !defined(__OPTIMIZE__)
	const char *v = getenv("GH_TEST_PG_PARTIAL");

	return v != NULL && strcmp(v, "1") == 0;
#else
	return 0;
#endif
}

static int
pg_open(const char *path, struct store_conn **out)
{
	int missing = pg_ops_missing(&pg_ops);

	*out = NULL;
	if (missing > 0 && !partial_allowed()) {
		log_event(LOG_ERROR, "store.pg",
			  json_pack("{s:s, s:i}", "reason",
				    "the PostgreSQL backend is not complete "
				    "yet: operations are missing; use sqlite:",
				    "missing_operations", missing));
		return -GH_INTERNAL;
	}
	return pg_open_with(path, &pg_ops, out);
}

/*
 * A write transaction: SERIALIZABLE, and one at a time on the whole
 * database, as SQLite's BEGIN IMMEDIATE. Nearly every transaction appends
 * to the audit log, whose rows are numbered in commit order under the
 * trigger's lock (migration 001); a transaction whose snapshot predates
 * the last append's commit fails there (40001). With several nodes
 * writing, such transactions failed more often than the retry runner
 * tries (store.contention, 503: test_nodes.c, test_audit_one_tree). So
 * the lock is taken first, by LOCK TABLE, which takes no snapshot: the
 * snapshot is taken after the previous writer committed. SHARE ROW
 * EXCLUSIVE conflicts with itself, not with reads. The table locked is
 * audit_checkpoints: small, written only in these transactions, so
 * (unlike audit, which grows with every request) autovacuum seldom holds
 * it. A lock not had within 10 s is 55P03, retried like contention.
 */
#define PG_BEGIN_WRITE                                                       \
	"BEGIN ISOLATION LEVEL SERIALIZABLE; "                               \
	"SET LOCAL lock_timeout = '10s'; "                                   \
	"LOCK TABLE audit_checkpoints IN SHARE ROW EXCLUSIVE MODE"

/* A transaction begun with sql (PG_BEGIN_WRITE, or a plain BEGIN). */
static int
begin_with(struct store_conn *c, const char *sql)
{
	struct pg_conn *q = pg_conn_of(c);
	int rc;

	snapshot_end(q);
	q->tx_lost = 0;
	rc = pg_script(q, sql);
	if (rc == 0)
		q->in_tx = 1;
	else if (PQtransactionStatus(q->db) == PQTRANS_INERROR)
		PQclear(PQexec(q->db, "ROLLBACK"));
	return rc;
}

int
pg_begin(struct store_conn *c)
{
	return begin_with(c, PG_BEGIN_WRITE);
}

int
pg_begin_empty(struct store_conn *c)
{
	return begin_with(c, "BEGIN ISOLATION LEVEL SERIALIZABLE");
}

int
pg_commit(struct store_conn *c)
{
	struct pg_conn *q = pg_conn_of(c);
	int rc;

	/* A transaction whose session was lost committed nothing: never
	 * COMMIT on the new session (it would answer success). */
	if (q->tx_lost || PQtransactionStatus(q->db) != PQTRANS_INTRANS) {
		q->in_tx = 0;
		return -GH_UNAVAILABLE;
	}
	rc = pg_script(q, "COMMIT");
	/* A failed COMMIT has ended the transaction too. */
	q->in_tx = 0;
	return rc;
}

int
pg_rollback(struct store_conn *c)
{
	struct pg_conn *q = pg_conn_of(c);

	q->in_tx = 0;
	q->tx_lost = 0;
	if (PQtransactionStatus(q->db) == PQTRANS_IDLE ||
	    PQtransactionStatus(q->db) == PQTRANS_UNKNOWN)
		return 0;
	q->snap_open = 0;
	return pg_script(q, "ROLLBACK");
}

/* --- migrations ------------------------------------------------------- */

/* The first migration above current (NULL: none is); -GH_INTERNAL when
 * the build's list is out of order. */
static int
next_migration(int64_t current, const struct embedded_file **out)
{
	long prev = 0;

	*out = NULL;
	/* The table is generated in file-name order: 001_, 002_, ... */
	for (const struct embedded_file *m = store_pg_migrations; m->name;
	     m++) {
		char *end = NULL;
		long v = strtol(m->name, &end, 10);

		if (end == m->name || v <= prev) {
			LOG_BUG("PostgreSQL migration without a number or "
				"out of order");
			return -GH_INTERNAL;
		}
		prev = v;
		if (v > current && *out == NULL)
			*out = m;
	}
	return 0;
}

/* One transaction: the advisory lock, then the version recorded by now
 * (read after the lock, so what another node committed meanwhile counts)
 * and the next migration with its row. *m_out: the one applied, or NULL
 * when none was pending. */
static int
migrate_step(struct store_conn *c, int64_t *current,
	     const struct embedded_file **m_out)
{
	struct pg_conn *q = pg_conn_of(c);
	const struct embedded_file *m = NULL;
	int rc = pg_script(q, "BEGIN");

	q->in_tx = rc == 0;
	if (rc == 0)
		rc = db_row(c, NULL, NULL,
			    "SELECT pg_advisory_xact_lock($1::bigint)", "i",
			    (int64_t)PG_MIGRATE_LOCK);
	if (rc == 0)
		rc = pg_script(q, "CREATE TABLE IF NOT EXISTS "
				  "schema_migrations (version bigint "
				  "PRIMARY KEY, applied_at bigint NOT NULL)");
	if (rc == 0)
		rc = db_row(c, db_int64, current,
			    "SELECT COALESCE(MAX(version), 0)::bigint "
			    "FROM schema_migrations",
			    "");
	if (rc == 0)
		rc = next_migration(*current, &m);
	if (rc == 0 && m != NULL)
		rc = pg_script(q, (const char *)m->data);
	if (rc == 0 && m != NULL)
		rc = db_exec(c,
			     "INSERT INTO schema_migrations (version, "
			     "applied_at) VALUES ($1, "
			     "floor(extract(epoch FROM now()))::bigint)",
			     "i", (int64_t)strtol(m->name, NULL, 10));
	if (rc == 0)
		rc = pg_commit(c);
	else
		(void)pg_rollback(c);
	q->in_tx = 0;
	if (rc < 0 && m != NULL)
		log_event(LOG_ERROR, "store.migrate",
			  json_pack("{s:s}", "migration", m->name));
	*m_out = m;
	return rc;
}

/* Each migration in its own transaction under an advisory lock: two
 * nodes starting at once migrate once (the second waits, then finds the
 * migration recorded). */
static int
pg_migrate(struct store_conn *c, int *version_out)
{
	const struct embedded_file *m = NULL;
	int64_t current = 0;
	int rc;

	do {
		rc = migrate_step(c, &current, &m);
		if (rc < 0)
			return rc;
		if (m != NULL) {
			current = strtol(m->name, NULL, 10);
			log_event(LOG_INFO, "store.migrated",
				  json_pack("{s:s}", "migration", m->name));
		}
	} while (m != NULL);
	*version_out = (int)current;
	return 0;
}

/* Readiness (store_backend.ping): one round trip reading the schema
 * version, under a statement timeout of timeout_ms; a lost connection or
 * a database that does not answer in time is -GH_UNAVAILABLE. A
 * connection whose reset failed (the database was away) is reset again
 * first: without that a ping never reconnected, and /readyz stayed "not
 * ready" after the database came back. */
static int
pg_ping(struct store_conn *c, int timeout_ms, int *version_out)
{
	struct pg_conn *q = pg_conn_of(c);
	char set[64];
	int64_t v = 0;
	int rc;

	snprintf(set, sizeof(set), "SET statement_timeout = %d",
		 timeout_ms > 0 ? timeout_ms : 1000);
	if (PQstatus(q->db) != CONNECTION_OK)
		(void)pg_lost(q, "ping");
	if (PQstatus(q->db) != CONNECTION_OK || pg_script(q, set) < 0)
		return -GH_UNAVAILABLE;
	rc = db_row(c, db_int64, &v,
		    "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
		    "");
	(void)pg_script(q, "RESET statement_timeout");
	if (rc < 0)
		return -GH_UNAVAILABLE;
	*version_out = (int)v;
	return 0;
}

/* The number of the last migration compiled in. */
static int
pg_newest_version(void)
{
	long newest = 0;

	for (const struct embedded_file *m = store_pg_migrations; m->name;
	     m++)
		newest = strtol(m->name, NULL, 10);
	return (int)newest;
}

const struct store_backend store_pg_backend = {
	.prefix = "postgresql:",
	.open = pg_open,
	.close = pg_close,
	.migrate = pg_migrate,
	.shared_reads = pg_shared_reads,
	.ping = pg_ping,
	.newest_version = pg_newest_version,
};
