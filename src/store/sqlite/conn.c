/*
 * SQLite backend of the store: the connection. One sqlite3 handle per
 * store_conn (opened with SQLITE_OPEN_NOMUTEX: a connection is used by one
 * thread at a time), WAL journal, foreign keys on, a busy timeout; the
 * migrations applied in order; transactions; the per-connection cache of
 * prepared statements; the mapping of SQLite's result codes to ours; and
 * the table of operations, whose SQL lives in one file per table family
 * beside this one (accounts.c, sessions.c, tickets.c...).
 *
 * Invariant: every statement is prepared once per connection and kept
 * (SQLITE_PREPARE_PERSISTENT) under the address of its text; contention
 * (SQLITE_BUSY, SQLITE_LOCKED) always becomes -GH_UNAVAILABLE so that
 * store_transact() retries. It decides nothing: policies are core's.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite/sq.h"
#include "store/sql/db_ops.h"
#include "util/embed.h"
#include "util/errors.h"
#include "util/log.h"

extern const struct embedded_file store_migrations[];

static const struct store_ops sq_ops;

int
sq_err(struct sq_conn *q, int rc, const char *where)
{
	int prim = rc & 0xff;

	if (prim == SQLITE_BUSY || prim == SQLITE_LOCKED)
		return -GH_UNAVAILABLE;
	if (prim == SQLITE_CONSTRAINT)
		return -GH_EXISTS;
	log_event(LOG_ERROR, "store.sqlite",
		  json_pack("{s:s%, s:i, s:s}", "where", where,
			    strnlen(where, 60), "code", rc, "msg",
			    sqlite3_errmsg(q->db)));
	return -GH_INTERNAL;
}

sqlite3_stmt *
sq_stmt(struct sq_conn *q, const char *sql)
{
	sqlite3_stmt *st = NULL;

	for (unsigned i = 0; i < q->n_cache; i++) {
		if (q->cache[i].sql == sql) {
			st = q->cache[i].st;
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return st;
		}
	}
	if (q->n_cache == SQ_STMT_CACHE) {
		/* Never reached while SQ_STMT_CACHE exceeds the statement
		 * count; fail rather than leak a statement per call. */
		LOG_BUG("statement cache full");
		return NULL;
	}
	if (sqlite3_prepare_v3(q->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
			       NULL) != SQLITE_OK) {
		sq_err(q, sqlite3_errcode(q->db), sql);
		return NULL;
	}
	q->cache[q->n_cache].sql = sql;
	q->cache[q->n_cache].st = st;
	q->n_cache++;
	return st;
}

int
sq_script(struct sq_conn *q, const char *sql)
{
	int rc;

	sq_snapshot_end(q);
	rc = sqlite3_exec(q->db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : sq_err(q, rc, sql);
}

/* --- shared reads ------------------------------------------------------ */

/* A read statement outside a transaction would take and drop SQLite's
 * WAL read lock (a mutex and fcntl() calls) by itself; the reads of one
 * request share one deferred read transaction instead. It never holds a
 * write: a writing statement, BEGIN IMMEDIATE or any script ends it
 * first, so the write starts from the newest data as before. */
void
sq_snapshot_before(struct sq_conn *q, sqlite3_stmt *st)
{
	if (!sqlite3_stmt_readonly(st)) {
		sq_snapshot_end(q);
		return;
	}
	if (!q->snap_wanted || q->snap_open || !sqlite3_get_autocommit(q->db))
		return;
	/* A failed BEGIN leaves autocommit: the read runs alone. */
	if (sqlite3_step(q->snap_begin) == SQLITE_DONE)
		q->snap_open = 1;
	sqlite3_reset(q->snap_begin);
}

void
sq_snapshot_end(struct sq_conn *q)
{
	int rc;

	if (!q->snap_open)
		return;
	q->snap_open = 0;
	/* An error may have rolled the transaction back already. */
	if (sqlite3_get_autocommit(q->db))
		return;
	rc = sqlite3_step(q->snap_commit);
	sqlite3_reset(q->snap_commit);
	if (rc != SQLITE_DONE) {
		sq_err(q, rc, "COMMIT (shared reads)");
		(void)sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
	}
}

static void
sq_shared_reads(struct store_conn *c, int on)
{
	struct sq_conn *q = sq_conn_of(c);

	q->snap_wanted = on;
	if (!on)
		sq_snapshot_end(q);
}

/* --- connection ------------------------------------------------------ */

static void
sq_close(struct store_conn *c)
{
	struct sq_conn *q = sq_conn_of(c);

	if (q == NULL)
		return;
	for (unsigned i = 0; i < q->n_cache; i++)
		sqlite3_finalize(q->cache[i].st);
	sqlite3_finalize(q->snap_begin);
	sqlite3_finalize(q->snap_commit);
	sqlite3_close_v2(q->db);
	free(q);
}

/* SQLite's memory statistics (nothing here reads them) would take one
 * process-wide mutex around every allocation of every connection; off
 * before the first open (issue 14 VIEW2). */
static void
sq_library_once(void)
{
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static int
sq_open(const char *path, struct store_conn **out)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct sq_conn *q = calloc(1, sizeof(*q));
	int rc;

	*out = NULL;
	pthread_once(&once, sq_library_once);
	if (q == NULL)
		return -GH_INTERNAL;
	q->base.ops = &sq_ops;
	q->base.db = &sq_db_vt;
	rc = sqlite3_open_v2(path, &q->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				     SQLITE_OPEN_NOMUTEX,
			     NULL);
	if (rc != SQLITE_OK) {
		log_event(LOG_ERROR, "store.sqlite",
			  json_pack("{s:s, s:i}", "where", "open", "code", rc));
		goto fail;
	}
	sqlite3_extended_result_codes(q->db, 1);
	sqlite3_busy_timeout(q->db, 5000);
	if (sq_script(q, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;"
			 "PRAGMA synchronous=NORMAL; PRAGMA secure_delete=ON;"
			 "PRAGMA trusted_schema=OFF;") < 0 ||
	    sq_search_register(q->db) < 0)
		goto fail;
	if (sqlite3_prepare_v3(q->db, "BEGIN DEFERRED", -1,
			       SQLITE_PREPARE_PERSISTENT, &q->snap_begin,
			       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v3(q->db, "COMMIT", -1, SQLITE_PREPARE_PERSISTENT,
			       &q->snap_commit, NULL) != SQLITE_OK) {
		sq_err(q, sqlite3_errcode(q->db), "prepare shared reads");
		goto fail;
	}
	*out = &q->base;
	return 0;
fail:
	sq_close(&q->base);
	return -GH_INTERNAL;
}

static int
sq_begin(struct store_conn *c)
{
	return sq_script(sq_conn_of(c), "BEGIN IMMEDIATE");
}

static int
sq_commit(struct store_conn *c)
{
	return sq_script(sq_conn_of(c), "COMMIT");
}

static int
sq_rollback(struct store_conn *c)
{
	sq_snapshot_end(sq_conn_of(c));
	if (sqlite3_get_autocommit(sq_conn_of(c)->db))
		return 0;
	return sq_script(sq_conn_of(c), "ROLLBACK");
}

/* --- migrations ------------------------------------------------------- */

/* 0 when no row breaks a foreign key, -GH_INTERNAL (logged) otherwise. */
static int
sq_fk_check(struct store_conn *c)
{
	int rc = db_row(c, NULL, NULL, "PRAGMA foreign_key_check", "");

	if (rc == -GH_NOT_FOUND)
		return 0;
	if (rc == 0)
		LOG_BUG("a migration leaves a broken foreign key");
	return -GH_INTERNAL;
}

/* Applies migration m (number v) in one transaction. SQLite's procedure
 * for schema changes: foreign keys off (only possible outside a
 * transaction), change, then check every key before committing. */
static int
apply_migration(struct store_conn *c, const struct embedded_file *m,
		int64_t v)
{
	struct sq_conn *q = sq_conn_of(c);
	int rc = sq_script(q, "PRAGMA foreign_keys=OFF");

	if (rc == 0)
		rc = sq_script(q, "BEGIN IMMEDIATE");
	if (rc == 0)
		rc = sq_script(q, (const char *)m->data);
	if (rc == 0)
		rc = sq_fk_check(c);
	if (rc == 0)
		rc = db_exec(c,
			     "INSERT INTO schema_migrations (version, "
			     "applied_at) VALUES (?, strftime('%s','now'))",
			     "i", v);
	if (rc == 0)
		rc = sq_script(q, "COMMIT");
	if (rc < 0)
		sq_rollback(c);
	if (sq_script(q, "PRAGMA foreign_keys=ON") < 0)
		rc = -GH_INTERNAL;
	return rc;
}

static int
sq_migrate(struct store_conn *c, int *version_out)
{
	int64_t current = 0;
	long prev = 0;
	int rc;

	rc = sq_script(sq_conn_of(c),
		       "CREATE TABLE IF NOT EXISTS schema_migrations ("
		       "version INTEGER PRIMARY KEY, "
		       "applied_at INTEGER NOT NULL)");
	if (rc == 0)
		rc = db_row(c, db_int64, &current,
			    "SELECT COALESCE(MAX(version), 0) "
			    "FROM schema_migrations",
			    "");
	if (rc < 0)
		return rc;
	/* The table is generated in file-name order: 001_, 002_, ... */
	for (const struct embedded_file *m = store_migrations; m->name; m++) {
		char *end = NULL;
		long v = strtol(m->name, &end, 10);

		if (end == m->name || v <= 0) {
			LOG_BUG("migration name without a number");
			return -GH_INTERNAL;
		}
		/* A list out of order would skip a migration for good. */
		if (v <= prev) {
			LOG_BUG("migrations out of order in the build list");
			return -GH_INTERNAL;
		}
		prev = v;
		if (v <= current)
			continue;
		rc = apply_migration(c, m, v);
		if (rc < 0) {
			log_event(LOG_ERROR, "store.migrate",
				  json_pack("{s:s}", "migration", m->name));
			return rc;
		}
		current = v;
		log_event(LOG_INFO, "store.migrated",
			  json_pack("{s:s}", "migration", m->name));
	}
	*version_out = (int)current;
	return 0;
}

/* --- readiness (issue 16 MANAGE) ------------------------------------- */

/* The database file was removed or replaced since the connection opened
 * it (SQLITE_FCNTL_HAS_MOVED): what this process writes then goes to a
 * file nobody will open again, so the store is not ready. Otherwise one
 * read, with the busy timeout cut to timeout_ms. */
static int
sq_ping(struct store_conn *c, int timeout_ms, int *version_out)
{
	struct sq_conn *q = sq_conn_of(c);
	int64_t v = 0;
	int moved = 0;
	int rc;

	if (sqlite3_file_control(q->db, "main", SQLITE_FCNTL_HAS_MOVED,
				 &moved) != SQLITE_OK ||
	    moved)
		return -GH_UNAVAILABLE;
	sqlite3_busy_timeout(q->db, timeout_ms);
	rc = db_row(c, db_int64, &v,
		    "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
		    "");
	sqlite3_busy_timeout(q->db, 5000);
	if (rc < 0)
		return -GH_UNAVAILABLE;
	*version_out = (int)v;
	return 0;
}

/* The number of the last migration compiled in. */
static int
sq_newest_version(void)
{
	long newest = 0;

	for (const struct embedded_file *m = store_migrations; m->name; m++)
		newest = strtol(m->name, NULL, 10);
	return (int)newest;
}

/* --- the operations ------------------------------------------------- */

static const struct store_ops sq_ops = {
	.name = "sqlite",
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	/* the operations of src/store/sql/ */
	DB_OPS
	/* search.c: full-text search (issue 15) */
	.search.tickets = sq_search_tickets,
	.search.count = sq_search_count,
};

const struct store_backend store_sqlite_backend = {
	.prefix = "sqlite:",
	.open = sq_open,
	.close = sq_close,
	.migrate = sq_migrate,
	.shared_reads = sq_shared_reads,
	.ping = sq_ping,
	.newest_version = sq_newest_version,
};
