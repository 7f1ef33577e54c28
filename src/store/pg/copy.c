/*
 * `store copy`: a SQLite desk into an empty PostgreSQL database
 * (store/store_copy.h). The order, each step inside the two transactions:
 *
 *   SQLite: BEGIN and a first read (the snapshot: a serving desk goes on
 *           writing, the copy sees the desk as it was then);
 *   PostgreSQL: BEGIN, the migrations' advisory lock (a `serve` starting
 *           on the target meanwhile waits, then finds the desk), refuse
 *           a database that holds any table, the migrations as the
 *           runner applies them (conn.c), SET CONSTRAINTS ALL DEFERRED
 *           (tickets and drill_targets refer to each other), the plan
 *           (copy_schema.c), the rows migrations seeded deleted (the
 *           source has them), each table by COPY FROM STDIN, identities
 *           set past the highest id, the caller's check (the audit log
 *           verified), the rows of every table counted on both sides,
 *           the schema versions compared, COMMIT.
 *
 * Statements that name a table or column are built from names that
 * passed copy_name_ok, in double quotes; values never enter SQL text
 * (they travel in COPY's data stream or as parameters). These statements
 * use libpq directly, not pg_run's cache, which keys statements by the
 * address of constant text.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg/copy_int.h"
#include "store/pg/pg.h"
#include "store/store_backup.h"
#include "util/embed.h"
#include "util/errors.h"

extern const struct embedded_file store_pg_migrations[];

/* The key of the migrations' advisory lock (conn.c's PG_MIGRATE_LOCK). */
#define COPY_MIGRATE_LOCK "1163607368"
/* Bytes of COPY data sent at once. */
#define COPY_CHUNK 65536

/* A growable byte buffer. */
struct buf {
	char *p;
	size_t n, max;
	int bad; /* out of memory */
};

static void
buf_add(struct buf *b, const void *s, size_t n)
{
	if (b->bad)
		return;
	if (b->n + n + 1 > b->max) {
		size_t max = b->max ? b->max : 4096;
		char *p;

		while (b->n + n + 1 > max)
			max *= 2;
		p = realloc(b->p, max);
		if (p == NULL) {
			b->bad = 1;
			return;
		}
		b->p = p;
		b->max = max;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void
buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* "name" (a name that passed copy_name_ok: nothing to escape). */
static void
buf_ident(struct buf *b, const char *name)
{
	buf_add(b, "\"", 1);
	buf_str(b, name);
	buf_add(b, "\"", 1);
}

int
copy_pg_fail(struct copy_ctx *x, const PGresult *res, const char *what)
{
	const char *st = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)
			      : NULL;
	const char *tab = res ? PQresultErrorField(res, PG_DIAG_TABLE_NAME) : NULL;
	const char *col = res ? PQresultErrorField(res, PG_DIAG_COLUMN_NAME)
			      : NULL;
	const char *con = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME)
			      : NULL;

	/* A data exception's message can quote the value (class 22). */
	if (msg == NULL || st == NULL || strncmp(st, "22", 2) == 0)
		msg = "";
	snprintf(x->err, x->errsz,
		 "%s: PostgreSQL refused it (SQLSTATE %s%s%s%s%s%s%s)%s%.200s",
		 what, st ? st : "none: the connection failed",
		 tab ? ", table " : "", tab ? tab : "", col ? ", column " : "",
		 col ? col : "", con ? ", constraint " : "", con ? con : "",
		 msg[0] ? ": " : "", msg);
	return -GH_INTERNAL;
}

/* Runs sql (no rows wanted) on the target. 0 or copy_pg_fail's value. */
static int
pg_do(struct copy_ctx *x, const char *sql, const char *what)
{
	PGresult *res = PQexec(x->pq, sql);
	int rc = 0;

	if (PQresultStatus(res) != PGRES_COMMAND_OK &&
	    PQresultStatus(res) != PGRES_TUPLES_OK)
		rc = copy_pg_fail(x, res, what);
	PQclear(res);
	return rc;
}

/* The integer in row 0, column 0 of sql's result on the target. */
static int
pg_int(struct copy_ctx *x, const char *sql, int n, const char *const *p,
       int64_t *out, const char *what)
{
	PGresult *res = PQexecParams(x->pq, sql, n, NULL, p, NULL, NULL, 0);
	int rc = 0;

	*out = 0;
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
		rc = copy_pg_fail(x, res, what);
	else if (!PQgetisnull(res, 0, 0))
		*out = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return rc;
}

/* The lock, then: no table at all in the target's schema. */
static int
target_empty(struct copy_ctx *x)
{
	int64_t desk = 0, n = 0, utf8 = 0;
	int rc = pg_do(x, "SELECT pg_advisory_xact_lock(" COPY_MIGRATE_LOCK ")",
		       "locking the target");

	if (rc == 0)
		rc = pg_int(x, "SELECT (to_regclass('schema_migrations') IS NOT "
			       "NULL)::int",
			    0, NULL, &desk, "reading the target");
	if (rc == 0)
		rc = pg_int(x, "SELECT count(*) FROM pg_class c JOIN "
			       "pg_namespace n ON n.oid = c.relnamespace WHERE "
			       "n.nspname = current_schema() AND c.relkind IN "
			       "('r', 'p', 'v', 'm', 'S', 'f')",
			    0, NULL, &n, "reading the target");
	if (rc == 0)
		rc = pg_int(x, "SELECT (pg_encoding_to_char(encoding) = 'UTF8')"
			       "::int FROM pg_database WHERE datname = "
			       "current_database()",
			    0, NULL, &utf8, "reading the target");
	if (rc < 0)
		return rc;
	if (!utf8) {
		snprintf(x->err, x->errsz,
			 "the target database is not UTF8 (docs/pg-schema.md): "
			 "nothing was changed; create it with ENCODING 'UTF8'");
		return -GH_BAD_STATE;
	}
	if (desk || n > 0) {
		snprintf(x->err, x->errsz,
			 desk ? "the target database already holds a Gatehouse "
				"desk (schema_migrations): nothing was changed; "
				"copy into a new, empty database"
			      : "the target database is not empty (%" PRId64
				" tables, views or sequences in its schema): "
				"nothing was changed; copy into a new, empty "
				"database",
			 n);
		return -GH_EXISTS;
	}
	return 0;
}

/* Every PostgreSQL migration and its schema_migrations row, as conn.c's
 * runner applies them, but all inside the copy's transaction. */
static int
migrate(struct copy_ctx *x, int64_t *version)
{
	int rc = pg_do(x, "CREATE TABLE schema_migrations (version bigint "
			  "PRIMARY KEY, applied_at bigint NOT NULL)",
		       "creating schema_migrations");

	for (const struct embedded_file *m = store_pg_migrations;
	     rc == 0 && m->name; m++) {
		char v[24], what[128];
		const char *p[1] = {v};
		PGresult *res;

		snprintf(what, sizeof(what), "migration %.64s", m->name);
		rc = pg_do(x, (const char *)m->data, what);
		if (rc < 0)
			break;
		*version = strtol(m->name, NULL, 10);
		snprintf(v, sizeof(v), "%" PRId64, *version);
		res = PQexecParams(x->pq, "INSERT INTO schema_migrations "
				   "(version, applied_at) VALUES ($1, "
				   "floor(extract(epoch FROM now()))::bigint)",
				   1, NULL, p, NULL, NULL, 0);
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			rc = copy_pg_fail(x, res, what);
		PQclear(res);
	}
	return rc;
}

/* Appends one SQLite value in COPY's text format: \N for NULL, an
 * integer in decimal, a bytea column's bytes as \\x<hex>, a text with
 * backslash, newline, carriage return and tab escaped. */
static void
put_value(struct buf *b, sqlite3_stmt *st, int i, int bytea)
{
	static const char hex[] = "0123456789abcdef";
	int type = sqlite3_column_type(st, i);
	const unsigned char *v;
	char num[40];
	int n;

	if (type == SQLITE_NULL) {
		buf_str(b, "\\N");
		return;
	}
	if (type == SQLITE_INTEGER || type == SQLITE_FLOAT) {
		if (type == SQLITE_INTEGER)
			snprintf(num, sizeof(num), "%lld",
				 (long long)sqlite3_column_int64(st, i));
		else
			snprintf(num, sizeof(num), "%.17g",
				 sqlite3_column_double(st, i));
		buf_str(b, num);
		return;
	}
	v = type == SQLITE_BLOB ? sqlite3_column_blob(st, i)
				: sqlite3_column_text(st, i);
	n = sqlite3_column_bytes(st, i);
	if (bytea)
		buf_str(b, "\\\\x");
	for (int k = 0; k < n; k++) {
		unsigned char ch = v[k];
		char e[2] = {'\\', 0};

		if (bytea) {
			e[0] = hex[ch >> 4];
			e[1] = hex[ch & 15];
			buf_add(b, e, 2);
			continue;
		}
		e[1] = ch == '\\' ? '\\' : ch == '\n' ? 'n' : ch == '\r' ? 'r'
			 : ch == '\t'			 ? 't'
							 : 0;
		if (e[1])
			buf_add(b, e, 2);
		else
			buf_add(b, &ch, 1);
	}
}

/* The SELECT on SQLite and the COPY on PostgreSQL for t. */
static void
table_statements(const struct copy_table *t, struct buf *sel, struct buf *cp)
{
	buf_str(sel, "SELECT ");
	buf_str(cp, "COPY ");
	buf_ident(cp, t->name);
	buf_str(cp, " (");
	for (size_t i = 0; i < t->ncols; i++) {
		if (i > 0) {
			buf_str(sel, ", ");
			buf_str(cp, ", ");
		}
		buf_ident(sel, t->cols[i].name);
		buf_ident(cp, t->cols[i].name);
	}
	buf_str(sel, " FROM ");
	buf_ident(sel, t->name);
	if (t->by_rowid)
		buf_str(sel, " ORDER BY rowid");
	buf_str(cp, ") FROM STDIN");
}

/* Streams t's rows from st into the open COPY. 0, or -1 with err set
 * (the caller ends the COPY with an error). */
static int
stream_rows(struct copy_ctx *x, struct copy_table *t, sqlite3_stmt *st)
{
	struct buf b = {0};
	int rc = SQLITE_DONE, out = 0;

	while (out == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (size_t i = 0; i < t->ncols; i++) {
			if (i > 0)
				buf_add(&b, "\t", 1);
			put_value(&b, st, (int)i, t->cols[i].bytea);
		}
		buf_add(&b, "\n", 1);
		t->rows++;
		if (b.bad)
			out = -1;
		else if (b.n >= COPY_CHUNK) {
			out = PQputCopyData(x->pq, b.p, (int)b.n) == 1 ? 0 : -1;
			b.n = 0;
		}
	}
	if (out == 0 && rc != SQLITE_DONE && rc != SQLITE_ROW)
		out = -1;
	if (out == 0 && b.n > 0)
		out = PQputCopyData(x->pq, b.p, (int)b.n) == 1 ? 0 : -1;
	free(b.p);
	if (out < 0)
		snprintf(x->err, x->errsz, "table %s: its rows could not be "
					   "read from SQLite or sent", t->name);
	return out;
}

/* Copies table t; t->rows gets the number copied. */
static int
copy_table(struct copy_ctx *x, struct copy_table *t)
{
	struct buf sel = {0}, cp = {0};
	sqlite3_stmt *st = NULL;
	PGresult *res = NULL;
	char what[128];
	int rc = -GH_INTERNAL;

	snprintf(what, sizeof(what), "copying table %s", t->name);
	table_statements(t, &sel, &cp);
	if (sel.bad || cp.bad ||
	    sqlite3_prepare_v2(x->src, sel.p, -1, &st, NULL) != SQLITE_OK) {
		snprintf(x->err, x->errsz, "table %s cannot be read from SQLite",
			 t->name);
		goto out;
	}
	res = PQexec(x->pq, cp.p);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		rc = copy_pg_fail(x, res, what);
		goto out;
	}
	PQclear(res);
	rc = stream_rows(x, t, st) == 0 ? 0 : -GH_INTERNAL;
	if (PQputCopyEnd(x->pq, rc == 0 ? NULL : "the source failed") != 1)
		rc = -GH_INTERNAL;
	res = PQgetResult(x->pq);
	if (rc == 0 && PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = copy_pg_fail(x, res, what);
	else if (rc == 0 && strtoll(PQcmdTuples(res), NULL, 10) != t->rows) {
		snprintf(x->err, x->errsz, "table %s: PostgreSQL took %s rows "
			 "of %" PRId64, t->name, PQcmdTuples(res), t->rows);
		rc = -GH_INTERNAL;
	}
	/* COPY's last result is followed by NULL. */
	while (res != NULL) {
		PQclear(res);
		res = PQgetResult(x->pq);
	}
out:
	PQclear(res);
	sqlite3_finalize(st);
	free(sel.p);
	free(cp.p);
	return rc;
}

/* Empties t on the target: rows a migration seeded (queue 1, "general",
 * by 006) are in the source too, as the desk has them now. */
static int
clear_seeded(struct copy_ctx *x, const struct copy_table *t)
{
	struct buf q = {0};
	int rc;

	buf_str(&q, "DELETE FROM ");
	buf_ident(&q, t->name);
	rc = q.bad ? -GH_INTERNAL : pg_do(x, q.p, "clearing seeded rows");
	free(q.p);
	return rc;
}

/* Each identity of t set past its highest id and SQLite's high-water
 * mark (AUTOINCREMENT never gives an id twice, even a deleted one's). */
static int
set_identities(struct copy_ctx *x, const struct copy_table *t)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < t->ncols; i++) {
		struct buf q = {0};
		int64_t max = 0, ignored;
		char v[24];
		const char *p[3] = {t->name, t->cols[i].name, v};

		if (!t->cols[i].identity)
			continue;
		buf_str(&q, "SELECT max(");
		buf_ident(&q, t->cols[i].name);
		buf_str(&q, ") FROM ");
		buf_ident(&q, t->name);
		rc = q.bad ? -GH_INTERNAL
			   : pg_int(x, q.p, 0, NULL, &max, "reading an id");
		free(q.p);
		if (t->sqlite_seq > max)
			max = t->sqlite_seq;
		if (rc < 0 || max <= 0)
			continue;
		snprintf(v, sizeof(v), "%" PRId64, max);
		rc = pg_int(x, "SELECT setval(pg_get_serial_sequence($1, $2), "
			       "$3::bigint)",
			    3, p, &ignored, "setting an identity");
	}
	return rc;
}

/* The rows of every table counted on both sides: equal, and equal to
 * what was copied. */
static int
count_rows(struct copy_ctx *x)
{
	for (size_t i = 0; i < x->nt; i++) {
		struct copy_table *t = &x->t[i];
		struct buf q = {0};
		sqlite3_stmt *st = NULL;
		int64_t pg = -1, sq = -2;
		int rc;

		buf_str(&q, "SELECT count(*) FROM ");
		buf_ident(&q, t->name);
		if (q.bad)
			return -GH_INTERNAL;
		rc = pg_int(x, q.p, 0, NULL, &pg, "counting rows");
		if (sqlite3_prepare_v2(x->src, q.p, -1, &st, NULL) == SQLITE_OK &&
		    sqlite3_step(st) == SQLITE_ROW)
			sq = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		free(q.p);
		if (rc < 0)
			return rc;
		if (pg != sq || sq != t->rows) {
			snprintf(x->err, x->errsz, "table %s: %" PRId64 " rows in "
				 "SQLite, %" PRId64 " in PostgreSQL",
				 t->name, sq, pg);
			return -GH_INTERNAL;
		}
	}
	return 0;
}

/* The source's snapshot: one read transaction, started by a first read
 * (the schema version, which must be this gatehouse's). */
static int
source_open(struct copy_ctx *x, const char *path, int64_t *version)
{
	sqlite3_stmt *st = NULL;
	int ok;

	/* Read-write only for WAL's shared-memory index (as backup.c);
	 * query_only makes any write an error. */
	if (sqlite3_open_v2(path, &x->src, SQLITE_OPEN_READWRITE, NULL) !=
		    SQLITE_OK ||
	    sqlite3_busy_timeout(x->src, 10000) != SQLITE_OK ||
	    sqlite3_exec(x->src, "PRAGMA query_only = 1; BEGIN", NULL, NULL,
			 NULL) != SQLITE_OK) {
		snprintf(x->err, x->errsz, "the SQLite database %.300s cannot "
					   "be opened", path);
		return -GH_INTERNAL;
	}
	ok = sqlite3_prepare_v2(x->src, "SELECT max(version) FROM "
					"schema_migrations",
				-1, &st, NULL) == SQLITE_OK &&
	     sqlite3_step(st) == SQLITE_ROW;
	*version = ok ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	if (!ok || *version <= 0) {
		snprintf(x->err, x->errsz, "%.300s holds no Gatehouse desk "
					   "(no schema_migrations)", path);
		return -GH_INTERNAL;
	}
	if (*version != store_sqlite_latest_version()) {
		snprintf(x->err, x->errsz, "the desk's schema is version %" PRId64
			 ", this gatehouse's is %d: start this release's "
			 "`gatehouse serve` on the desk once, then copy",
			 *version, store_sqlite_latest_version());
		return -GH_INTERNAL;
	}
	return 0;
}

/* The target: a connection of the PostgreSQL backend (so the caller's
 * check reads through the store's own operations), in a transaction. */
static int
target_open(struct copy_ctx *x, const char *url)
{
	if (strncmp(url, "postgresql:", 11) != 0 ||
	    store_pg_backend.open(url + 11, &x->dst) < 0) {
		snprintf(x->err, x->errsz, "the PostgreSQL database cannot be "
					   "reached (the log says why)");
		return -GH_INTERNAL;
	}
	x->pq = pg_conn_of(x->dst)->db;
	if (pg_begin_empty(x->dst) < 0) {
		snprintf(x->err, x->errsz, "no transaction can start on the "
					   "PostgreSQL database");
		return -GH_INTERNAL;
	}
	return 0;
}

/* Every step after both transactions are open (the file's header). */
static int
copy_steps(struct copy_ctx *x, int64_t sq_version, store_copy_check_fn check,
	   void *cls)
{
	int64_t pg_version = 0;
	int rc = target_empty(x);

	if (rc == 0)
		rc = migrate(x, &pg_version);
	if (rc == 0 && pg_version != sq_version) {
		snprintf(x->err, x->errsz, "the PostgreSQL schema is version "
			 "%" PRId64 ", the desk's %" PRId64,
			 pg_version, sq_version);
		rc = -GH_INTERNAL;
	}
	if (rc == 0)
		rc = pg_do(x, "SET CONSTRAINTS ALL DEFERRED", "deferring keys");
	if (rc == 0)
		rc = copy_plan(x);
	for (size_t i = 0; rc == 0 && i < x->nt; i++)
		rc = clear_seeded(x, &x->t[i]);
	for (size_t i = 0; rc == 0 && i < x->nt; i++)
		rc = copy_table(x, &x->t[i]);
	for (size_t i = 0; rc == 0 && i < x->nt; i++)
		rc = set_identities(x, &x->t[i]);
	/* Deferred keys are checked here, before the reads that follow. */
	if (rc == 0)
		rc = pg_do(x, "SET CONSTRAINTS ALL IMMEDIATE", "checking keys");
	if (rc == 0 && check != NULL && check(x->dst, cls, x->err, x->errsz) != 0)
		rc = -GH_INTERNAL;
	if (rc == 0)
		rc = count_rows(x);
	return rc;
}

/* COMMIT, which PostgreSQL may answer with ROLLBACK (a failed
 * transaction) or refuse (a serialization failure). */
static int
commit(struct copy_ctx *x)
{
	PGresult *res;
	int rc = 0;

	/* A connection lost and reset on the way (pg_err) has a new session
	 * outside the copy's transaction: nothing of it is left to commit. */
	if (PQtransactionStatus(x->pq) != PQTRANS_INTRANS ||
	    pg_was_reset(pg_conn_of(x->dst))) {
		snprintf(x->err, x->errsz, "the connection to PostgreSQL was "
					   "lost during the copy: nothing was "
					   "committed");
		return -GH_INTERNAL;
	}
	res = PQexec(x->pq, "COMMIT");
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = copy_pg_fail(x, res, "committing");
	else if (strcmp(PQcmdStatus(res), "COMMIT") != 0) {
		snprintf(x->err, x->errsz, "the transaction was rolled back "
					   "at commit");
		rc = -GH_INTERNAL;
	}
	PQclear(res);
	pg_conn_of(x->dst)->in_tx = 0;
	return rc;
}

/* Hands the plan over to out. */
static void
fill_result(struct copy_ctx *x, int64_t version,
	    struct store_copy_result *out)
{
	out->tables = calloc(x->nt ? x->nt : 1, sizeof(*out->tables));
	if (out->tables != NULL) {
		out->n = x->nt;
		for (size_t i = 0; i < x->nt; i++) {
			snprintf(out->tables[i].name,
				 sizeof(out->tables[i].name), "%s",
				 x->t[i].name);
			out->tables[i].rows = x->t[i].rows;
		}
	}
	out->version = (int)version;
	snprintf(out->derived, sizeof(out->derived), "%s", x->derived);
}

int
store_copy_to_pg(const char *sqlite_path, const char *pg_url,
		 store_copy_check_fn check, void *cls,
		 struct store_copy_result *out, char *err, size_t errsz)
{
	struct copy_ctx x = {0};
	int64_t version = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	err[0] = '\0';
	x.err = err;
	x.errsz = errsz;
	rc = source_open(&x, sqlite_path, &version);
	if (rc == 0)
		rc = target_open(&x, pg_url);
	if (rc == 0)
		rc = copy_steps(&x, version, check, cls);
	if (rc == 0)
		rc = commit(&x);
	if (rc == 0)
		fill_result(&x, version, out);
	if (x.dst != NULL) {
		(void)pg_rollback(x.dst);
		store_pg_backend.close(x.dst);
	}
	if (x.src != NULL) {
		sqlite3_exec(x.src, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_close(x.src);
	}
	free(x.t);
	return rc;
}

void
store_copy_result_clear(struct store_copy_result *r)
{
	if (r == NULL)
		return;
	free(r->tables);
	r->tables = NULL;
	r->n = 0;
}
