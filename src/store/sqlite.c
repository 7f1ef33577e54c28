/*
 * SQLite backend of the store. One sqlite3 handle per store_conn (opened
 * with SQLITE_OPEN_NOMUTEX: a connection is used by one thread at a time),
 * WAL journal, foreign keys on, a busy timeout, prepared statements cached
 * per connection, parameters always bound. Contention (SQLITE_BUSY or
 * SQLITE_LOCKED) becomes -GH_UNAVAILABLE so store_transact() can retry.
 *
 * It does not decide anything: policies are core's.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "util/errors.h"
#include "store/store.h"
#include "util/embed.h"
#include "util/log.h"

extern const struct embedded_file store_migrations[];

/* More than the number of distinct statements; a test asserts it. */
#define STMT_CACHE 256

struct sq_conn {
	struct store_conn base;
	sqlite3 *db;
	struct {
		const char *sql;
		sqlite3_stmt *st;
	} cache[STMT_CACHE];
	unsigned n_cache;
};

static const struct store_ops sq_ops;

static int
sq_err(struct sq_conn *q, int rc, const char *where)
{
	int prim = rc & 0xff;

	if (prim == SQLITE_BUSY || prim == SQLITE_LOCKED)
		return -GH_UNAVAILABLE;
	if (prim == SQLITE_CONSTRAINT)
		return -GH_EXISTS;
	log_event(LOG_ERROR, "store.sqlite",
		  json_pack("{s:s, s:i, s:s}", "where", where, "code", rc,
			    "msg", sqlite3_errmsg(q->db)));
	return -GH_INTERNAL;
}

/* Returns the cached, reset statement for sql (a string literal). */
static sqlite3_stmt *
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
	if (sqlite3_prepare_v3(q->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
			       NULL) != SQLITE_OK) {
		sq_err(q, sqlite3_errcode(q->db), "prepare");
		return NULL;
	}
	if (q->n_cache == STMT_CACHE) {
		/* Never reached while STMT_CACHE exceeds the statement count;
		 * fail rather than leak a statement per call. */
		LOG_BUG("statement cache full");
		sqlite3_finalize(st);
		return NULL;
	}
	q->cache[q->n_cache].sql = sql;
	q->cache[q->n_cache].st = st;
	q->n_cache++;
	return st;
}

static int
sq_exec(struct sq_conn *q, const char *sql)
{
	int rc = sqlite3_exec(q->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : sq_err(q, rc, "exec");
}

/* Steps a statement that returns no rows. */
static int
sq_done(struct sq_conn *q, sqlite3_stmt *st, const char *where)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 0;
	return sq_err(q, rc, where);
}

static void
bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

static void
bind_blob(sqlite3_stmt *st, int i, const struct blob *b)
{
	if (b->data == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_blob(st, i, b->data, (int)b->len, SQLITE_STATIC);
}

static int
col_blob(sqlite3_stmt *st, int i, struct blob *out)
{
	const void *p = sqlite3_column_blob(st, i);
	int n = sqlite3_column_bytes(st, i);

	out->data = NULL;
	out->len = 0;
	if (p == NULL || n <= 0)
		return 0;
	out->data = malloc((size_t)n);
	if (out->data == NULL)
		return -GH_INTERNAL;
	memcpy(out->data, p, (size_t)n);
	out->len = (size_t)n;
	return 0;
}

static void
col_text(sqlite3_stmt *st, int i, char *out, size_t outsz)
{
	const unsigned char *p = sqlite3_column_text(st, i);

	out[0] = '\0';
	if (p != NULL)
		snprintf(out, outsz, "%s", (const char *)p);
}

static struct sq_conn *
Q(struct store_conn *c)
{
	return (struct sq_conn *)c;
}

/* --- connection ------------------------------------------------------ */

static void
sq_close(struct store_conn *c)
{
	struct sq_conn *q = Q(c);

	if (q == NULL)
		return;
	for (unsigned i = 0; i < q->n_cache; i++)
		sqlite3_finalize(q->cache[i].st);
	sqlite3_close_v2(q->db);
	free(q);
}

static int
sq_open(const char *path, struct store_conn **out)
{
	struct sq_conn *q = calloc(1, sizeof(*q));
	int rc;

	*out = NULL;
	if (q == NULL)
		return -GH_INTERNAL;
	q->base.ops = &sq_ops;
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
	if (sq_exec(q, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;"
		       "PRAGMA synchronous=NORMAL; PRAGMA secure_delete=ON;"
		       "PRAGMA trusted_schema=OFF;") < 0)
		goto fail;
	*out = &q->base;
	return 0;
fail:
	sq_close(&q->base);
	return -GH_INTERNAL;
}

static int
sq_begin(struct store_conn *c)
{
	return sq_exec(Q(c), "BEGIN IMMEDIATE");
}

static int
sq_commit(struct store_conn *c)
{
	return sq_exec(Q(c), "COMMIT");
}

static int
sq_rollback(struct store_conn *c)
{
	if (sqlite3_get_autocommit(Q(c)->db))
		return 0;
	return sq_exec(Q(c), "ROLLBACK");
}

/* 0 when no row breaks a foreign key, -GH_INTERNAL (logged) otherwise. */
static int
sq_fk_check(struct sq_conn *q)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(q->db, "PRAGMA foreign_key_check", -1, &st,
			       NULL) != SQLITE_OK)
		return sq_err(q, sqlite3_errcode(q->db), "fk_check");
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc == SQLITE_ROW)
		LOG_BUG("a migration leaves a broken foreign key");
	else
		sq_err(q, rc, "fk_check");
	return -GH_INTERNAL;
}

static int
sq_migrate(struct store_conn *c, int *version_out)
{
	struct sq_conn *q = Q(c);
	static const char sel[] =
		"SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
	static const char ins[] =
		"INSERT INTO schema_migrations (version, applied_at) "
		"VALUES (?, strftime('%s','now'))";
	sqlite3_stmt *st;
	int current = 0;
	int rc;

	rc = sq_exec(q, "CREATE TABLE IF NOT EXISTS schema_migrations ("
			"version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
	if (rc < 0)
		return rc;
	st = sq_stmt(q, sel);
	if (st == NULL)
		return -GH_INTERNAL;
	if (sqlite3_step(st) == SQLITE_ROW)
		current = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	/* The table is generated in file-name order: 001_, 002_, ... */
	for (const struct embedded_file *m = store_migrations; m->name; m++) {
		char *end = NULL;
		long v = strtol(m->name, &end, 10);

		if (end == m->name || v <= 0) {
			LOG_BUG("migration name without a number");
			return -GH_INTERNAL;
		}
		if (v <= current)
			continue;
		/* SQLite's procedure for schema changes: foreign keys off
		 * (only possible outside a transaction), change, then check
		 * every key before committing. */
		rc = sq_exec(q, "PRAGMA foreign_keys=OFF");
		if (rc == 0)
			rc = sq_exec(q, "BEGIN IMMEDIATE");
		if (rc == 0)
			rc = sq_exec(q, (const char *)m->data);
		if (rc == 0)
			rc = sq_fk_check(q);
		if (rc == 0) {
			st = sq_stmt(q, ins);
			if (st == NULL) {
				rc = -GH_INTERNAL;
			} else {
				sqlite3_bind_int64(st, 1, v);
				rc = sq_done(q, st, "migrate");
			}
		}
		if (rc == 0)
			rc = sq_exec(q, "COMMIT");
		if (rc < 0)
			sq_rollback(c);
		if (sq_exec(q, "PRAGMA foreign_keys=ON") < 0)
			rc = -GH_INTERNAL;
		if (rc < 0) {
			log_event(LOG_ERROR, "store.migrate",
				  json_pack("{s:s}", "migration", m->name));
			return rc;
		}
		current = (int)v;
		log_event(LOG_INFO, "store.migrated",
			  json_pack("{s:s}", "migration", m->name));
	}
	*version_out = current;
	return 0;
}

/* --- accounts --------------------------------------------------------- */

static int
read_account(struct sq_conn *q, sqlite3_stmt *st, enum realm r,
	     struct account *out)
{
	int rc = sqlite3_step(st);

	memset(out, 0, sizeof(*out));
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		return -GH_NOT_FOUND;
	}
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return sq_err(q, rc, "account");
	}
	out->id = sqlite3_column_int64(st, 0);
	col_text(st, 1, out->role, sizeof(out->role));
	col_text(st, 2, out->pw_hash, sizeof(out->pw_hash));
	rc = col_blob(st, 3, &out->totp_seed);
	out->totp_last_step = sqlite3_column_int64(st, 4);
	out->totp_enrolled = sqlite3_column_int(st, 5);
	out->disabled = sqlite3_column_int(st, 6);
	col_text(st, 7, out->login, sizeof(out->login));
	sqlite3_reset(st);
	(void)r;
	return rc;
}

static int
sq_account_by_login(struct store_conn *c, enum realm r, const char *login,
		    struct account *out)
{
	static const char staff_sql[] =
		"SELECT id, role, pw_hash, totp_seed, totp_last_step, "
		"totp_enrolled, disabled, email FROM staff WHERE email = ?";
	static const char cust_sql[] =
		"SELECT id, '', pw_hash, totp_seed, totp_last_step, "
		"totp_enrolled, disabled, email_idx FROM customers WHERE email_idx = ?";
	sqlite3_stmt *st = sq_stmt(Q(c), r == REALM_STAFF ? staff_sql : cust_sql);

	if (st == NULL)
		return -GH_INTERNAL;
	bind_text(st, 1, login);
	return read_account(Q(c), st, r, out);
}

static int
sq_account_by_id(struct store_conn *c, enum realm r, int64_t id,
		 struct account *out)
{
	static const char staff_sql[] =
		"SELECT id, role, pw_hash, totp_seed, totp_last_step, "
		"totp_enrolled, disabled, email FROM staff WHERE id = ?";
	static const char cust_sql[] =
		"SELECT id, '', pw_hash, totp_seed, totp_last_step, "
		"totp_enrolled, disabled, email_idx FROM customers WHERE id = ?";
	sqlite3_stmt *st = sq_stmt(Q(c), r == REALM_STAFF ? staff_sql : cust_sql);

	if (st == NULL)
		return -GH_INTERNAL;
	sqlite3_bind_int64(st, 1, id);
	return read_account(Q(c), st, r, out);
}

static int
sq_staff_name(struct store_conn *c, int64_t id, char *out, size_t outsz)
{
	static const char sql[] = "SELECT name FROM staff WHERE id = ?";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);
	int rc;

	if (outsz > 0)
		out[0] = '\0';
	if (st == NULL)
		return -GH_INTERNAL;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		col_text(st, 0, out, outsz);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return -GH_NOT_FOUND;
	return rc == SQLITE_ROW ? 0 : sq_err(Q(c), rc, "staff_name");
}

static int
sq_account_advance_totp(struct store_conn *c, enum realm r, int64_t id,
			int64_t step)
{
	static const char staff_sql[] =
		"UPDATE staff SET totp_last_step = ?1 "
		"WHERE id = ?2 AND totp_last_step < ?1";
	static const char cust_sql[] =
		"UPDATE customers SET totp_last_step = ?1 "
		"WHERE id = ?2 AND totp_last_step < ?1";
	sqlite3_stmt *st = sq_stmt(Q(c), r == REALM_STAFF ? staff_sql : cust_sql);
	int rc;

	if (st == NULL)
		return -GH_INTERNAL;
	sqlite3_bind_int64(st, 1, step);
	sqlite3_bind_int64(st, 2, id);
	rc = sq_done(Q(c), st, "advance_totp");
	if (rc < 0)
		return rc;
	return sqlite3_changes(Q(c)->db) == 1 ? 0 : -GH_CONFLICT;
}

static int
sq_account_set_pw_hash(struct store_conn *c, enum realm r, int64_t id,
		       const char *pw_hash)
{
	static const char staff_sql[] =
		"UPDATE staff SET pw_hash = ? WHERE id = ?";
	static const char cust_sql[] =
		"UPDATE customers SET pw_hash = ? WHERE id = ?";
	sqlite3_stmt *st = sq_stmt(Q(c), r == REALM_STAFF ? staff_sql : cust_sql);

	if (st == NULL)
		return -GH_INTERNAL;
	bind_text(st, 1, pw_hash);
	sqlite3_bind_int64(st, 2, id);
	return sq_done(Q(c), st, "set_pw_hash");
}

static int
sq_account_set_totp(struct store_conn *c, enum realm r, int64_t id,
		    const struct blob *seed, int enrolled)
{
	static const char staff_sql[] =
		"UPDATE staff SET totp_seed = ?, totp_enrolled = ?, "
		"totp_last_step = 0 WHERE id = ?";
	static const char cust_sql[] =
		"UPDATE customers SET totp_seed = ?, totp_enrolled = ?, "
		"totp_last_step = 0 WHERE id = ?";
	sqlite3_stmt *st = sq_stmt(Q(c), r == REALM_STAFF ? staff_sql : cust_sql);
	int rc;

	if (st == NULL)
		return -GH_INTERNAL;
	bind_blob(st, 1, seed);
	sqlite3_bind_int(st, 2, enrolled ? 1 : 0);
	sqlite3_bind_int64(st, 3, id);
	rc = sq_done(Q(c), st, "set_totp");
	if (rc == 0 && sqlite3_changes(Q(c)->db) != 1)
		rc = -GH_NOT_FOUND;
	return rc;
}

static int
sq_account_set_disabled(struct store_conn *c, enum realm r, int64_t id,
			int disabled)
{
	static const char staff_sql[] =
		"UPDATE staff SET disabled = ? WHERE id = ?";
	static const char cust_sql[] =
		"UPDATE customers SET disabled = ? WHERE id = ?";
	sqlite3_stmt *st = sq_stmt(Q(c), r == REALM_STAFF ? staff_sql : cust_sql);
	int rc;

	if (st == NULL)
		return -GH_INTERNAL;
	sqlite3_bind_int(st, 1, disabled ? 1 : 0);
	sqlite3_bind_int64(st, 2, id);
	rc = sq_done(Q(c), st, "set_disabled");
	if (rc == 0 && sqlite3_changes(Q(c)->db) != 1)
		rc = -GH_NOT_FOUND;
	return rc;
}

static int
sq_staff_insert(struct store_conn *c, const struct staff_new *s,
		int64_t *id_out)
{
	static const char sql[] =
		"INSERT INTO staff (email, name, role, pw_hash, totp_seed, "
		"created_at) VALUES (?, ?, ?, ?, ?, strftime('%s','now'))";
	static const char member_sql[] =
		"INSERT INTO staff_queues (staff_id, queue_id) VALUES (?, ?)";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);
	int rc;

	if (st == NULL)
		return -GH_INTERNAL;
	bind_text(st, 1, s->email);
	bind_text(st, 2, s->name);
	bind_text(st, 3, s->role);
	bind_text(st, 4, s->pw_hash);
	bind_blob(st, 5, &s->totp_seed);
	rc = sq_done(Q(c), st, "staff_insert");
	if (rc < 0)
		return rc;
	*id_out = sqlite3_last_insert_rowid(Q(c)->db);
	st = sq_stmt(Q(c), member_sql);
	if (st == NULL)
		return -GH_INTERNAL;
	sqlite3_bind_int64(st, 1, *id_out);
	sqlite3_bind_int64(st, 2, STORE_QUEUE_GENERAL);
	return sq_done(Q(c), st, "staff_insert");
}

static int
sq_customer_insert(struct store_conn *c, const struct customer_new *s,
		   int64_t *id_out)
{
	static const char sql[] =
		"INSERT INTO customers (email_idx, email, name, phone, dob, "
		"address, pw_hash, totp_seed, totp_enrolled, created_at) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, strftime('%s','now'))";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);
	int rc;

	if (st == NULL)
		return -GH_INTERNAL;
	bind_text(st, 1, s->email_idx);
	bind_blob(st, 2, &s->email);
	bind_text(st, 3, s->name);
	bind_blob(st, 4, &s->phone);
	bind_blob(st, 5, &s->dob);
	bind_blob(st, 6, &s->address);
	bind_text(st, 7, s->pw_hash);
	bind_blob(st, 8, &s->totp_seed);
	sqlite3_bind_int(st, 9, s->totp_enrolled);
	rc = sq_done(Q(c), st, "customer_insert");
	if (rc == 0)
		*id_out = sqlite3_last_insert_rowid(Q(c)->db);
	return rc;
}

/* --- sessions --------------------------------------------------------- */

static int
sq_session_insert(struct store_conn *c, const struct session_rec *s)
{
	static const char sql[] =
		"INSERT INTO sessions (token_hash, realm, principal_id, "
		"created_at, last_seen, idle_secs, abs_expires, mfa, ip) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);

	if (st == NULL)
		return -GH_INTERNAL;
	bind_text(st, 1, s->token_hash);
	bind_text(st, 2, realm_name(s->realm));
	sqlite3_bind_int64(st, 3, s->principal_id);
	sqlite3_bind_int64(st, 4, s->created_at);
	sqlite3_bind_int64(st, 5, s->last_seen);
	sqlite3_bind_int64(st, 6, s->idle_secs);
	sqlite3_bind_int64(st, 7, s->abs_expires);
	sqlite3_bind_int(st, 8, s->mfa);
	bind_text(st, 9, s->ip);
	return sq_done(Q(c), st, "session_insert");
}

static int
sq_session_get(struct store_conn *c, const char *token_hash,
	       struct session_rec *out)
{
	static const char sql[] =
		"SELECT s.realm, s.principal_id, s.created_at, s.last_seen, "
		"s.idle_secs, s.abs_expires, s.mfa, s.ip, "
		"CASE s.realm WHEN 'staff' THEN st.role ELSE '' END, "
		"CASE s.realm WHEN 'staff' THEN st.disabled ELSE cu.disabled END "
		"FROM sessions s "
		"LEFT JOIN staff st ON s.realm = 'staff' AND st.id = s.principal_id "
		"LEFT JOIN customers cu ON s.realm = 'customer' "
		"AND cu.id = s.principal_id WHERE s.token_hash = ?";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);
	char realm[16];
	int rc;

	if (st == NULL)
		return -GH_INTERNAL;
	memset(out, 0, sizeof(*out));
	bind_text(st, 1, token_hash);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		return -GH_NOT_FOUND;
	}
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return sq_err(Q(c), rc, "session_get");
	}
	snprintf(out->token_hash, sizeof(out->token_hash), "%s", token_hash);
	col_text(st, 0, realm, sizeof(realm));
	out->realm = strcmp(realm, "staff") == 0 ? REALM_STAFF : REALM_CUSTOMER;
	out->principal_id = sqlite3_column_int64(st, 1);
	out->created_at = sqlite3_column_int64(st, 2);
	out->last_seen = sqlite3_column_int64(st, 3);
	out->idle_secs = sqlite3_column_int64(st, 4);
	out->abs_expires = sqlite3_column_int64(st, 5);
	out->mfa = sqlite3_column_int(st, 6);
	col_text(st, 7, out->ip, sizeof(out->ip));
	col_text(st, 8, out->role, sizeof(out->role));
	/* A session whose principal is gone counts as disabled. */
	out->disabled = sqlite3_column_type(st, 9) == SQLITE_NULL
				? 1
				: sqlite3_column_int(st, 9);
	sqlite3_reset(st);
	return 0;
}

static int
sq_session_touch(struct store_conn *c, const char *token_hash, int64_t now)
{
	static const char sql[] =
		"UPDATE sessions SET last_seen = ? WHERE token_hash = ?";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);

	if (st == NULL)
		return -GH_INTERNAL;
	sqlite3_bind_int64(st, 1, now);
	bind_text(st, 2, token_hash);
	return sq_done(Q(c), st, "session_touch");
}

static int
sq_session_delete(struct store_conn *c, const char *token_hash)
{
	static const char sql[] = "DELETE FROM sessions WHERE token_hash = ?";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);

	if (st == NULL)
		return -GH_INTERNAL;
	bind_text(st, 1, token_hash);
	return sq_done(Q(c), st, "session_delete");
}

static int
sq_session_delete_principal(struct store_conn *c, enum realm r, int64_t id,
			    int64_t *n_out)
{
	static const char sql[] =
		"DELETE FROM sessions WHERE realm = ? AND principal_id = ?";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);
	int rc;

	if (st == NULL)
		return -GH_INTERNAL;
	bind_text(st, 1, realm_name(r));
	sqlite3_bind_int64(st, 2, id);
	rc = sq_done(Q(c), st, "session_delete_principal");
	if (rc == 0 && n_out != NULL)
		*n_out = sqlite3_changes(Q(c)->db);
	return rc;
}

/* --- throttle ---------------------------------------------------------- */

static int
sq_throttle_get(struct store_conn *c, const char *key,
		struct throttle_rec *out)
{
	static const char sql[] =
		"SELECT failures, last_failure, blocked_until FROM throttle "
		"WHERE key = ?";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);
	int rc;

	if (st == NULL)
		return -GH_INTERNAL;
	memset(out, 0, sizeof(*out));
	snprintf(out->key, sizeof(out->key), "%s", key);
	bind_text(st, 1, key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->failures = sqlite3_column_int64(st, 0);
		out->last_failure = sqlite3_column_int64(st, 1);
		out->blocked_until = sqlite3_column_int64(st, 2);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = -GH_NOT_FOUND;
	} else {
		rc = sq_err(Q(c), rc, "throttle_get");
	}
	sqlite3_reset(st);
	return rc;
}

static int
sq_throttle_put(struct store_conn *c, const struct throttle_rec *t)
{
	static const char sql[] =
		"INSERT INTO throttle (key, failures, last_failure, "
		"blocked_until) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (key) DO "
		"UPDATE SET failures = ?2, last_failure = ?3, blocked_until = ?4";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);

	if (st == NULL)
		return -GH_INTERNAL;
	bind_text(st, 1, t->key);
	sqlite3_bind_int64(st, 2, t->failures);
	sqlite3_bind_int64(st, 3, t->last_failure);
	sqlite3_bind_int64(st, 4, t->blocked_until);
	return sq_done(Q(c), st, "throttle_put");
}

static int
sq_throttle_clear(struct store_conn *c, const char *key)
{
	static const char sql[] = "DELETE FROM throttle WHERE key = ?";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);

	if (st == NULL)
		return -GH_INTERNAL;
	bind_text(st, 1, key);
	return sq_done(Q(c), st, "throttle_clear");
}

/* --- audit ------------------------------------------------------------- */

static int
sq_audit_append(struct store_conn *c, const char *record,
		const unsigned char leaf[32], int64_t *seq_out)
{
	static const char sql[] =
		"INSERT INTO audit (record, leaf_hash) VALUES (?, ?)";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);
	int rc;

	if (st == NULL)
		return -GH_INTERNAL;
	bind_text(st, 1, record);
	sqlite3_bind_blob(st, 2, leaf, 32, SQLITE_STATIC);
	rc = sq_done(Q(c), st, "audit_append");
	if (rc == 0 && seq_out != NULL)
		*seq_out = sqlite3_last_insert_rowid(Q(c)->db);
	return rc;
}

static int
sq_audit_get(struct store_conn *c, int64_t seq, char **record_out,
	     unsigned char leaf_out[32])
{
	static const char sql[] =
		"SELECT record, leaf_hash FROM audit WHERE seq = ?";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);
	int rc;

	*record_out = NULL;
	if (st == NULL)
		return -GH_INTERNAL;
	sqlite3_bind_int64(st, 1, seq);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 0);
		const void *h = sqlite3_column_blob(st, 1);

		rc = 0;
		*record_out = strdup(t != NULL ? (const char *)t : "");
		memset(leaf_out, 0, 32);
		if (h != NULL && sqlite3_column_bytes(st, 1) == 32)
			memcpy(leaf_out, h, 32);
		if (*record_out == NULL)
			rc = -GH_INTERNAL;
	} else if (rc == SQLITE_DONE) {
		rc = -GH_NOT_FOUND;
	} else {
		rc = sq_err(Q(c), rc, "audit_get");
	}
	sqlite3_reset(st);
	return rc;
}

static int
sq_audit_count(struct store_conn *c, int64_t *n_out)
{
	static const char sql[] = "SELECT COUNT(*) FROM audit";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);
	int rc;

	if (st == NULL)
		return -GH_INTERNAL;
	rc = sqlite3_step(st);
	*n_out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : sq_err(Q(c), rc, "audit_count");
}

/* --- tickets ------------------------------------------------------------ */

static void
read_ticket(sqlite3_stmt *st, struct ticket_rec *out)
{
	memset(out, 0, sizeof(*out));
	out->id = sqlite3_column_int64(st, 0);
	out->customer_id = sqlite3_column_int64(st, 1);
	col_text(st, 2, out->customer_name, sizeof(out->customer_name));
	col_text(st, 3, out->subject, sizeof(out->subject));
	col_text(st, 4, out->status, sizeof(out->status));
	out->assignee_id = sqlite3_column_int64(st, 5);
	col_text(st, 6, out->assignee_name, sizeof(out->assignee_name));
	out->created_at = sqlite3_column_int64(st, 7);
	out->updated_at = sqlite3_column_int64(st, 8);
	col_text(st, 9, out->last_from, sizeof(out->last_from));
	out->queue_id = sqlite3_column_int64(st, 10);
	col_text(st, 11, out->queue_name, sizeof(out->queue_name));
}

/* Steps a statement that returns at most one ticket. */
static int
step_ticket(struct sq_conn *q, sqlite3_stmt *st, struct ticket_rec *out,
	    const char *where)
{
	int rc = sqlite3_step(st);

	memset(out, 0, sizeof(*out));
	if (rc == SQLITE_ROW) {
		read_ticket(st, out);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = -GH_NOT_FOUND;
	} else {
		rc = sq_err(q, rc, where);
	}
	sqlite3_reset(st);
	return rc;
}

/* Steps a statement that returns tickets, appending them to out. */
static int
step_tickets(struct sq_conn *q, sqlite3_stmt *st, struct ticket_list *out,
	     const char *where)
{
	size_t cap = 0;
	int rc;

	out->v = NULL;
	out->n = 0;
	for (;;) {
		rc = sqlite3_step(st);
		if (rc != SQLITE_ROW)
			break;
		if (out->n == cap) {
			size_t nc = cap ? cap * 2 : 16;
			struct ticket_rec *nv = realloc(out->v, nc * sizeof(*nv));

			if (nv == NULL) {
				sqlite3_reset(st);
				ticket_list_clear(out);
				return -GH_INTERNAL;
			}
			out->v = nv;
			cap = nc;
		}
		read_ticket(st, &out->v[out->n++]);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		ticket_list_clear(out);
		return sq_err(q, rc, where);
	}
	return 0;
}

/* A malloc'd copy of a text column, NULL for SQL NULL or a column the
 * statement does not have. */
static int
col_dup(sqlite3_stmt *st, int i, char **out)
{
	const unsigned char *p;
	int n;

	*out = NULL;
	if (i >= sqlite3_column_count(st) ||
	    sqlite3_column_type(st, i) == SQLITE_NULL)
		return 0;
	p = sqlite3_column_text(st, i);
	n = sqlite3_column_bytes(st, i);
	if (p == NULL)
		return -GH_INTERNAL;
	*out = malloc((size_t)n + 1);
	if (*out == NULL)
		return -GH_INTERNAL;
	memcpy(*out, p, (size_t)n);
	(*out)[n] = '\0';
	return 0;
}

/* Steps a statement of thread items: id, ticket_id, realm, author_id,
 * author name, body, created_at, and optionally redactions and links. */
static int
step_thread(struct sq_conn *q, sqlite3_stmt *st, struct thread_list *out,
	    const char *where)
{
	size_t cap = 0;
	int rc;

	out->v = NULL;
	out->n = 0;
	for (;;) {
		struct thread_item *it;
		const unsigned char *body;
		int blen;
		char realm[16];

		rc = sqlite3_step(st);
		if (rc != SQLITE_ROW)
			break;
		if (out->n == cap) {
			size_t nc = cap ? cap * 2 : 16;
			struct thread_item *nv = realloc(out->v, nc * sizeof(*nv));

			if (nv == NULL)
				goto oom;
			out->v = nv;
			cap = nc;
		}
		it = &out->v[out->n];
		memset(it, 0, sizeof(*it));
		it->id = sqlite3_column_int64(st, 0);
		it->ticket_id = sqlite3_column_int64(st, 1);
		col_text(st, 2, realm, sizeof(realm));
		it->author_realm = strcmp(realm, "staff") == 0 ? REALM_STAFF
							      : REALM_CUSTOMER;
		it->author_id = sqlite3_column_int64(st, 3);
		col_text(st, 4, it->author_name, sizeof(it->author_name));
		body = sqlite3_column_text(st, 5);
		blen = sqlite3_column_bytes(st, 5);
		it->body = malloc((size_t)blen + 1);
		if (it->body == NULL)
			goto oom;
		if (blen > 0)
			memcpy(it->body, body, (size_t)blen);
		it->body[blen] = '\0';
		it->body_len = (size_t)blen;
		it->created_at = sqlite3_column_int64(st, 6);
		out->n++;
		if (col_dup(st, 7, &it->redactions) < 0 ||
		    col_dup(st, 8, &it->links) < 0)
			goto oom;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		thread_list_clear(out);
		return sq_err(q, rc, where);
	}
	return 0;
oom:
	sqlite3_reset(st);
	thread_list_clear(out);
	return -GH_INTERNAL;
}

static int
sq_ticket_insert(struct store_conn *c, int64_t customer_id,
		 const char *subject, int64_t now, int64_t *id_out)
{
	static const char sql[] =
		"INSERT INTO tickets (customer_id, subject, status, queue_id, "
		"created_at, updated_at) VALUES (?, ?, 'open', ?4, ?3, ?3)";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);
	int rc;

	if (st == NULL)
		return -GH_INTERNAL;
	sqlite3_bind_int64(st, 1, customer_id);
	bind_text(st, 2, subject);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, STORE_QUEUE_GENERAL);
	rc = sq_done(Q(c), st, "ticket_insert");
	if (rc == 0)
		*id_out = sqlite3_last_insert_rowid(Q(c)->db);
	return rc;
}

static int
sq_ticket_update(struct store_conn *c, int64_t id, const char *status,
		 int64_t assignee_id, int64_t now)
{
	static const char sql[] =
		"UPDATE tickets SET status = ?, assignee_id = ?, updated_at = ? "
		"WHERE id = ?";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);
	int rc;

	if (st == NULL)
		return -GH_INTERNAL;
	bind_text(st, 1, status);
	if (assignee_id > 0)
		sqlite3_bind_int64(st, 2, assignee_id);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, id);
	rc = sq_done(Q(c), st, "ticket_update");
	if (rc == 0 && sqlite3_changes(Q(c)->db) != 1)
		rc = -GH_NOT_FOUND;
	return rc;
}

static int
sq_message_insert(struct store_conn *c, int64_t ticket_id,
		  enum realm author_realm, int64_t author_id, const char *body,
		  int64_t now, int64_t *id_out)
{
	static const char sql[] =
		"INSERT INTO messages (ticket_id, author_realm, author_id, body, "
		"created_at) VALUES (?, ?, ?, ?, ?)";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);
	int rc;

	if (st == NULL)
		return -GH_INTERNAL;
	sqlite3_bind_int64(st, 1, ticket_id);
	bind_text(st, 2, realm_name(author_realm));
	sqlite3_bind_int64(st, 3, author_id);
	bind_text(st, 4, body);
	sqlite3_bind_int64(st, 5, now);
	rc = sq_done(Q(c), st, "message_insert");
	if (rc == 0)
		*id_out = sqlite3_last_insert_rowid(Q(c)->db);
	return rc;
}

static int
sq_note_insert(struct store_conn *c, int64_t ticket_id, int64_t staff_id,
	       const char *body, int64_t now, int64_t *id_out)
{
	static const char sql[] =
		"INSERT INTO notes (ticket_id, staff_id, body, created_at) "
		"VALUES (?, ?, ?, ?)";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);
	int rc;

	if (st == NULL)
		return -GH_INTERNAL;
	sqlite3_bind_int64(st, 1, ticket_id);
	sqlite3_bind_int64(st, 2, staff_id);
	bind_text(st, 3, body);
	sqlite3_bind_int64(st, 4, now);
	rc = sq_done(Q(c), st, "note_insert");
	if (rc == 0)
		*id_out = sqlite3_last_insert_rowid(Q(c)->db);
	return rc;
}

/* Public listener: no staff or customer names, no notes, always filtered
 * by the customer. */
static int
sq_portal_ticket_get(struct store_conn *c, int64_t customer_id,
		     int64_t ticket_id, struct ticket_rec *out)
{
	static const char sql[] =
		"SELECT t.id, t.customer_id, '', t.subject, t.status, "
		"COALESCE(t.assignee_id, 0), '', "
		"t.created_at, t.updated_at, "
		"COALESCE((SELECT m.author_realm FROM messages m "
		"WHERE m.ticket_id = t.id ORDER BY m.id DESC LIMIT 1), ''), "
		"t.queue_id, '' "
		"FROM tickets t WHERE t.id = ? AND t.customer_id = ?";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);

	if (st == NULL)
		return -GH_INTERNAL;
	sqlite3_bind_int64(st, 1, ticket_id);
	sqlite3_bind_int64(st, 2, customer_id);
	return step_ticket(Q(c), st, out, "portal_ticket_get");
}

static int
sq_portal_ticket_list(struct store_conn *c, int64_t customer_id,
		      int64_t limit, int64_t offset, struct ticket_list *out)
{
	static const char sql[] =
		"SELECT t.id, t.customer_id, '', t.subject, t.status, "
		"COALESCE(t.assignee_id, 0), '', "
		"t.created_at, t.updated_at, "
		"COALESCE((SELECT m.author_realm FROM messages m "
		"WHERE m.ticket_id = t.id ORDER BY m.id DESC LIMIT 1), ''), "
		"t.queue_id, '' "
		"FROM tickets t WHERE t.customer_id = ? "
		"ORDER BY t.updated_at DESC, t.id DESC LIMIT ? OFFSET ?";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);

	if (st == NULL)
		return -GH_INTERNAL;
	sqlite3_bind_int64(st, 1, customer_id);
	sqlite3_bind_int64(st, 2, limit);
	sqlite3_bind_int64(st, 3, offset);
	return step_tickets(Q(c), st, out, "portal_ticket_list");
}

static int
sq_portal_messages(struct store_conn *c, int64_t customer_id,
		   int64_t ticket_id, struct thread_list *out)
{
	static const char sql[] =
		"SELECT m.id, m.ticket_id, m.author_realm, m.author_id, "
		"CASE m.author_realm WHEN 'staff' THEN COALESCE(s.name, '') "
		"ELSE '' END, m.body, m.created_at, m.redactions, NULL "
		"FROM messages m JOIN tickets t ON t.id = m.ticket_id "
		"LEFT JOIN staff s ON m.author_realm = 'staff' "
		"AND s.id = m.author_id "
		"WHERE m.ticket_id = ? AND t.customer_id = ? ORDER BY m.id";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);

	if (st == NULL)
		return -GH_INTERNAL;
	sqlite3_bind_int64(st, 1, ticket_id);
	sqlite3_bind_int64(st, 2, customer_id);
	return step_thread(Q(c), st, out, "portal_messages");
}

/*
 * The staff visibility rule in SQL, with the parameters for "sees all"
 * and the viewer's id: every ticket for supervisors and admins; for an
 * agent those assigned to them, and unassigned ones in a queue they are a
 * member of. Expanded into string literals, so the SQL stays constant.
 */
#define STAFF_SEES(all, viewer)                                               \
	"(" all " OR t.assignee_id = " viewer " OR (t.assignee_id IS NULL "  \
	"AND EXISTS (SELECT 1 FROM staff_queues sq WHERE sq.staff_id = "     \
	viewer " AND sq.queue_id = t.queue_id)))"

static int
sq_staff_ticket_get(struct store_conn *c, const struct ticket_query *q,
		    int64_t ticket_id, struct ticket_rec *out)
{
	static const char sql[] =
		"SELECT t.id, t.customer_id, cu.name, t.subject, t.status, "
		"COALESCE(t.assignee_id, 0), COALESCE(s.name, ''), "
		"t.created_at, t.updated_at, "
		"COALESCE((SELECT m.author_realm FROM messages m "
		"WHERE m.ticket_id = t.id ORDER BY m.id DESC LIMIT 1), ''), "
		"t.queue_id, qu.name "
		"FROM tickets t JOIN customers cu ON cu.id = t.customer_id "
		"JOIN queues qu ON qu.id = t.queue_id "
		"LEFT JOIN staff s ON s.id = t.assignee_id "
		"WHERE t.id = ?1 AND " STAFF_SEES("?2", "?3");
	sqlite3_stmt *st = sq_stmt(Q(c), sql);

	if (st == NULL)
		return -GH_INTERNAL;
	sqlite3_bind_int64(st, 1, ticket_id);
	sqlite3_bind_int(st, 2, q->see_all ? 1 : 0);
	sqlite3_bind_int64(st, 3, q->viewer_id);
	return step_ticket(Q(c), st, out, "staff_ticket_get");
}

static int
sq_staff_ticket_list(struct store_conn *c, const struct ticket_query *q,
		     struct ticket_list *out)
{
	static const char sql[] =
		"SELECT t.id, t.customer_id, cu.name, t.subject, t.status, "
		"COALESCE(t.assignee_id, 0), COALESCE(s.name, ''), "
		"t.created_at, t.updated_at, "
		"COALESCE((SELECT m.author_realm FROM messages m "
		"WHERE m.ticket_id = t.id ORDER BY m.id DESC LIMIT 1), ''), "
		"t.queue_id, qu.name "
		"FROM tickets t JOIN customers cu ON cu.id = t.customer_id "
		"JOIN queues qu ON qu.id = t.queue_id "
		"LEFT JOIN staff s ON s.id = t.assignee_id "
		"WHERE " STAFF_SEES("?1", "?2") " "
		"AND (?3 IS NULL OR t.status = ?3) "
		"AND (?4 = 0 OR (?4 = 1 AND t.assignee_id = ?2) "
		"OR (?4 = 2 AND t.assignee_id IS NULL)) "
		"AND (?7 = 0 OR t.queue_id = ?7) "
		"ORDER BY t.updated_at DESC, t.id DESC LIMIT ?5 OFFSET ?6";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);

	if (st == NULL)
		return -GH_INTERNAL;
	sqlite3_bind_int(st, 1, q->see_all ? 1 : 0);
	sqlite3_bind_int64(st, 2, q->viewer_id);
	bind_text(st, 3, q->status);
	sqlite3_bind_int(st, 4, (int)q->assigned);
	sqlite3_bind_int64(st, 5, q->limit);
	sqlite3_bind_int64(st, 6, q->offset);
	sqlite3_bind_int64(st, 7, q->queue_id > 0 ? q->queue_id : 0);
	return step_tickets(Q(c), st, out, "staff_ticket_list");
}

static int
sq_staff_messages(struct store_conn *c, int64_t ticket_id,
		  struct thread_list *out)
{
	static const char sql[] =
		"SELECT m.id, m.ticket_id, m.author_realm, m.author_id, "
		"CASE m.author_realm WHEN 'staff' THEN COALESCE(s.name, '') "
		"ELSE '' END, m.body, m.created_at, m.redactions, m.links "
		"FROM messages m LEFT JOIN staff s ON m.author_realm = 'staff' "
		"AND s.id = m.author_id WHERE m.ticket_id = ? ORDER BY m.id";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);

	if (st == NULL)
		return -GH_INTERNAL;
	sqlite3_bind_int64(st, 1, ticket_id);
	return step_thread(Q(c), st, out, "staff_messages");
}

static int
sq_staff_notes(struct store_conn *c, int64_t ticket_id,
	       struct thread_list *out)
{
	static const char sql[] =
		"SELECT n.id, n.ticket_id, 'staff', n.staff_id, "
		"COALESCE(s.name, ''), n.body, n.created_at FROM notes n "
		"LEFT JOIN staff s ON s.id = n.staff_id "
		"WHERE n.ticket_id = ? ORDER BY n.id";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);

	if (st == NULL)
		return -GH_INTERNAL;
	sqlite3_bind_int64(st, 1, ticket_id);
	return step_thread(Q(c), st, out, "staff_notes");
}

/* --- queues --------------------------------------------------------------- */

static int
sq_queue_insert(struct store_conn *c, const char *name, int64_t *id_out)
{
	static const char sql[] = "INSERT INTO queues (name) VALUES (?)";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);
	int rc;

	if (st == NULL)
		return -GH_INTERNAL;
	bind_text(st, 1, name);
	rc = sq_done(Q(c), st, "queue_insert");
	if (rc == 0)
		*id_out = sqlite3_last_insert_rowid(Q(c)->db);
	return rc;
}

static int
sq_queue_by_name(struct store_conn *c, const char *name,
		 struct queue_rec *out)
{
	static const char sql[] = "SELECT id, name FROM queues WHERE name = ?";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);
	int rc;

	memset(out, 0, sizeof(*out));
	if (st == NULL)
		return -GH_INTERNAL;
	bind_text(st, 1, name);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->id = sqlite3_column_int64(st, 0);
		col_text(st, 1, out->name, sizeof(out->name));
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = -GH_NOT_FOUND;
	} else {
		rc = sq_err(Q(c), rc, "queue_by_name");
	}
	sqlite3_reset(st);
	return rc;
}

/* Steps a statement of queues: id, name, members. */
static int
step_queues(struct sq_conn *q, sqlite3_stmt *st, struct queue_list *out,
	    const char *where)
{
	size_t cap = 0;
	int rc;

	out->v = NULL;
	out->n = 0;
	for (;;) {
		struct queue_rec *r;

		rc = sqlite3_step(st);
		if (rc != SQLITE_ROW)
			break;
		if (out->n == cap) {
			size_t nc = cap ? cap * 2 : 8;
			struct queue_rec *nv = realloc(out->v, nc * sizeof(*nv));

			if (nv == NULL) {
				sqlite3_reset(st);
				queue_list_clear(out);
				return -GH_INTERNAL;
			}
			out->v = nv;
			cap = nc;
		}
		r = &out->v[out->n++];
		memset(r, 0, sizeof(*r));
		r->id = sqlite3_column_int64(st, 0);
		col_text(st, 1, r->name, sizeof(r->name));
		r->members = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		queue_list_clear(out);
		return sq_err(q, rc, where);
	}
	return 0;
}

static int
sq_queue_list(struct store_conn *c, struct queue_list *out)
{
	static const char sql[] =
		"SELECT q.id, q.name, (SELECT COUNT(*) FROM staff_queues sq "
		"WHERE sq.queue_id = q.id) FROM queues q ORDER BY q.id";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);

	out->v = NULL;
	out->n = 0;
	if (st == NULL)
		return -GH_INTERNAL;
	return step_queues(Q(c), st, out, "queue_list");
}

static int
sq_staff_queue_list(struct store_conn *c, int64_t staff_id,
		    struct queue_list *out)
{
	static const char sql[] =
		"SELECT q.id, q.name, 0 FROM queues q JOIN staff_queues sq "
		"ON sq.queue_id = q.id WHERE sq.staff_id = ? ORDER BY q.id";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);

	out->v = NULL;
	out->n = 0;
	if (st == NULL)
		return -GH_INTERNAL;
	sqlite3_bind_int64(st, 1, staff_id);
	return step_queues(Q(c), st, out, "staff_queue_list");
}

static int
sq_staff_queue_add(struct store_conn *c, int64_t staff_id, int64_t queue_id)
{
	static const char sql[] =
		"INSERT INTO staff_queues (staff_id, queue_id) VALUES (?, ?)";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);

	if (st == NULL)
		return -GH_INTERNAL;
	sqlite3_bind_int64(st, 1, staff_id);
	sqlite3_bind_int64(st, 2, queue_id);
	return sq_done(Q(c), st, "staff_queue_add");
}

static int
sq_staff_queue_remove(struct store_conn *c, int64_t staff_id,
		      int64_t queue_id)
{
	static const char sql[] =
		"DELETE FROM staff_queues WHERE staff_id = ? AND queue_id = ?";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);
	int rc;

	if (st == NULL)
		return -GH_INTERNAL;
	sqlite3_bind_int64(st, 1, staff_id);
	sqlite3_bind_int64(st, 2, queue_id);
	rc = sq_done(Q(c), st, "staff_queue_remove");
	if (rc == 0 && sqlite3_changes(Q(c)->db) != 1)
		rc = -GH_NOT_FOUND;
	return rc;
}

static int
sq_staff_in_queue(struct store_conn *c, int64_t staff_id, int64_t queue_id)
{
	static const char sql[] =
		"SELECT 1 FROM staff_queues WHERE staff_id = ? AND queue_id = ?";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);
	int rc;

	if (st == NULL)
		return -GH_INTERNAL;
	sqlite3_bind_int64(st, 1, staff_id);
	sqlite3_bind_int64(st, 2, queue_id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return -GH_NOT_FOUND;
	return sq_err(Q(c), rc, "staff_in_queue");
}

static int
sq_ticket_set_queue(struct store_conn *c, int64_t ticket_id, int64_t queue_id,
		    int64_t now)
{
	static const char sql[] =
		"UPDATE tickets SET queue_id = ?, updated_at = ? WHERE id = ?";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);
	int rc;

	if (st == NULL)
		return -GH_INTERNAL;
	sqlite3_bind_int64(st, 1, queue_id);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, ticket_id);
	rc = sq_done(Q(c), st, "ticket_set_queue");
	if (rc == 0 && sqlite3_changes(Q(c)->db) != 1)
		rc = -GH_NOT_FOUND;
	return rc;
}

static int
sq_customer_contact(struct store_conn *c, int64_t customer_id,
		    struct customer_contact *out)
{
	static const char sql[] =
		"SELECT id, email_idx, name, email, phone, phrase "
		"FROM customers WHERE id = ?";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);
	int rc;

	memset(out, 0, sizeof(*out));
	if (st == NULL)
		return -GH_INTERNAL;
	sqlite3_bind_int64(st, 1, customer_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->id = sqlite3_column_int64(st, 0);
		col_text(st, 1, out->email_idx, sizeof(out->email_idx));
		col_text(st, 2, out->name, sizeof(out->name));
		rc = col_blob(st, 3, &out->email);
		if (rc == 0)
			rc = col_blob(st, 4, &out->phone);
		if (rc == 0)
			rc = col_blob(st, 5, &out->phrase);
	} else if (rc == SQLITE_DONE) {
		rc = -GH_NOT_FOUND;
	} else {
		rc = sq_err(Q(c), rc, "customer_contact");
	}
	sqlite3_reset(st);
	if (rc < 0)
		customer_contact_clear(out);
	return rc;
}

static int
sq_customer_set_phrase(struct store_conn *c, int64_t customer_id,
		       const struct blob *phrase)
{
	static const char sql[] = "UPDATE customers SET phrase = ? WHERE id = ?";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);
	int rc;

	if (st == NULL)
		return -GH_INTERNAL;
	bind_blob(st, 1, phrase);
	sqlite3_bind_int64(st, 2, customer_id);
	rc = sq_done(Q(c), st, "customer_set_phrase");
	if (rc == 0 && sqlite3_changes(Q(c)->db) != 1)
		rc = -GH_NOT_FOUND;
	return rc;
}

/* --- fingerprint index and inbound analysis ----------------------------- */

static int
sq_fingerprint_add(struct store_conn *c, const char *kind, const char *fp,
		   int64_t customer_id)
{
	static const char sql[] =
		"INSERT OR IGNORE INTO customer_fingerprints (kind, fp, "
		"customer_id) VALUES (?, ?, ?)";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);

	if (st == NULL)
		return -GH_INTERNAL;
	bind_text(st, 1, kind);
	bind_text(st, 2, fp);
	sqlite3_bind_int64(st, 3, customer_id);
	return sq_done(Q(c), st, "fingerprint_add");
}

static int
sq_fingerprint_foreign(struct store_conn *c, const char *kind, const char *fp,
		       int64_t customer_id)
{
	static const char sql[] =
		"SELECT 1 WHERE EXISTS (SELECT 1 FROM customer_fingerprints "
		"WHERE kind = ?1 AND fp = ?2 AND customer_id <> ?3) "
		"AND NOT EXISTS (SELECT 1 FROM customer_fingerprints "
		"WHERE kind = ?1 AND fp = ?2 AND customer_id = ?3)";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);
	int rc;

	if (st == NULL)
		return -GH_INTERNAL;
	bind_text(st, 1, kind);
	bind_text(st, 2, fp);
	sqlite3_bind_int64(st, 3, customer_id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return -GH_NOT_FOUND;
	return sq_err(Q(c), rc, "fingerprint_foreign");
}

static int
sq_fingerprint_count(struct store_conn *c, int64_t *n_out)
{
	static const char sql[] = "SELECT COUNT(*) FROM customer_fingerprints";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);
	int rc;

	*n_out = 0;
	if (st == NULL)
		return -GH_INTERNAL;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*n_out = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : sq_err(Q(c), rc, "fingerprint_count");
}

static int
sq_customer_sealed_next(struct store_conn *c, int64_t after_id,
			struct customer_sealed *out)
{
	static const char sql[] =
		"SELECT id, email_idx, email, phone, dob, address FROM customers "
		"WHERE id > ? ORDER BY id LIMIT 1";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);
	int rc;

	memset(out, 0, sizeof(*out));
	if (st == NULL)
		return -GH_INTERNAL;
	sqlite3_bind_int64(st, 1, after_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->id = sqlite3_column_int64(st, 0);
		col_text(st, 1, out->email_idx, sizeof(out->email_idx));
		rc = col_blob(st, 2, &out->email);
		if (rc == 0)
			rc = col_blob(st, 3, &out->phone);
		if (rc == 0)
			rc = col_blob(st, 4, &out->dob);
		if (rc == 0)
			rc = col_blob(st, 5, &out->address);
	} else if (rc == SQLITE_DONE) {
		rc = -GH_NOT_FOUND;
	} else {
		rc = sq_err(Q(c), rc, "customer_sealed_next");
	}
	sqlite3_reset(st);
	if (rc < 0)
		customer_sealed_clear(out);
	return rc;
}

static int
sq_message_set_analysis(struct store_conn *c, int64_t message_id,
			const char *redactions, const char *links)
{
	static const char sql[] =
		"UPDATE messages SET redactions = ?, links = ? WHERE id = ?";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);
	int rc;

	if (st == NULL)
		return -GH_INTERNAL;
	bind_text(st, 1, redactions);
	bind_text(st, 2, links);
	sqlite3_bind_int64(st, 3, message_id);
	rc = sq_done(Q(c), st, "message_set_analysis");
	if (rc == 0 && sqlite3_changes(Q(c)->db) != 1)
		rc = -GH_NOT_FOUND;
	return rc;
}

/* --- outbox ------------------------------------------------------------- */

static int
sq_outbox_insert(struct store_conn *c, const struct outbox_new *o,
		 int64_t *id_out)
{
	static const char sql[] =
		"INSERT INTO outbox (ref, kind, recipient, phrase, subject, "
		"body_text, attempts, created_at, next_attempt_at) "
		"VALUES (?, ?, ?, ?, ?, ?, 0, ?7, ?7)";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);
	int rc;

	if (st == NULL)
		return -GH_INTERNAL;
	bind_text(st, 1, o->ref);
	bind_text(st, 2, o->kind);
	bind_blob(st, 3, &o->recipient);
	bind_blob(st, 4, &o->phrase);
	bind_text(st, 5, o->subject);
	bind_text(st, 6, o->body_text);
	sqlite3_bind_int64(st, 7, o->now);
	rc = sq_done(Q(c), st, "outbox_insert");
	if (rc == 0 && id_out != NULL)
		*id_out = sqlite3_last_insert_rowid(Q(c)->db);
	return rc;
}

static char *
col_strdup(sqlite3_stmt *st, int i)
{
	const unsigned char *p = sqlite3_column_text(st, i);

	return strdup(p != NULL ? (const char *)p : "");
}

static int
sq_outbox_due(struct store_conn *c, int64_t now, size_t max,
	      struct outbox_list *out)
{
	static const char sql[] =
		"SELECT id, ref, kind, recipient, phrase, subject, body_text, "
		"attempts, created_at, next_attempt_at FROM outbox "
		"WHERE delivered_at IS NULL AND next_attempt_at <= ? "
		"ORDER BY next_attempt_at, id LIMIT ?";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);
	int rc;

	out->v = NULL;
	out->n = 0;
	if (st == NULL)
		return -GH_INTERNAL;
	if (max == 0)
		return 0;
	out->v = calloc(max, sizeof(*out->v));
	if (out->v == NULL)
		return -GH_INTERNAL;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	for (;;) {
		struct outbox_rec *o;

		rc = sqlite3_step(st);
		if (rc != SQLITE_ROW || out->n == max)
			break;
		o = &out->v[out->n++];
		o->id = sqlite3_column_int64(st, 0);
		col_text(st, 1, o->ref, sizeof(o->ref));
		col_text(st, 2, o->kind, sizeof(o->kind));
		o->subject = col_strdup(st, 5);
		o->body_text = col_strdup(st, 6);
		o->attempts = sqlite3_column_int64(st, 7);
		o->created_at = sqlite3_column_int64(st, 8);
		o->next_attempt_at = sqlite3_column_int64(st, 9);
		if (col_blob(st, 3, &o->recipient) < 0 ||
		    col_blob(st, 4, &o->phrase) < 0 || o->subject == NULL ||
		    o->body_text == NULL) {
			rc = SQLITE_NOMEM;
			break;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		outbox_list_clear(out);
		return rc == SQLITE_NOMEM ? -GH_INTERNAL
					  : sq_err(Q(c), rc, "outbox_due");
	}
	return 0;
}

static int
sq_outbox_claim(struct store_conn *c, int64_t id, int64_t expected,
		int64_t until)
{
	static const char sql[] =
		"UPDATE outbox SET next_attempt_at = ? WHERE id = ? "
		"AND next_attempt_at = ? AND delivered_at IS NULL";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);
	int rc;

	if (st == NULL)
		return -GH_INTERNAL;
	sqlite3_bind_int64(st, 1, until);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_int64(st, 3, expected);
	rc = sq_done(Q(c), st, "outbox_claim");
	if (rc == 0 && sqlite3_changes(Q(c)->db) != 1)
		rc = -GH_CONFLICT;
	return rc;
}

static int
sq_outbox_delivered(struct store_conn *c, int64_t id, int64_t now)
{
	static const char sql[] =
		"UPDATE outbox SET delivered_at = ?, recipient = NULL, "
		"phrase = NULL, attempts = attempts + 1, last_error = NULL "
		"WHERE id = ?";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);

	if (st == NULL)
		return -GH_INTERNAL;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, id);
	return sq_done(Q(c), st, "outbox_delivered");
}

static int
sq_outbox_failed(struct store_conn *c, int64_t id, int64_t next_attempt_at,
		 const char *error)
{
	static const char sql[] =
		"UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, "
		"last_error = ? WHERE id = ? AND delivered_at IS NULL";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);

	if (st == NULL)
		return -GH_INTERNAL;
	sqlite3_bind_int64(st, 1, next_attempt_at);
	bind_text(st, 2, error);
	sqlite3_bind_int64(st, 3, id);
	return sq_done(Q(c), st, "outbox_failed");
}

static int
sq_audit_checkpoint_insert(struct store_conn *c, int64_t size,
			   const unsigned char root[32],
			   const unsigned char sig[64])
{
	static const char sql[] =
		"INSERT INTO audit_checkpoints (tree_size, root, signature, "
		"created_at) VALUES (?, ?, ?, strftime('%s','now'))";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);

	if (st == NULL)
		return -GH_INTERNAL;
	sqlite3_bind_int64(st, 1, size);
	sqlite3_bind_blob(st, 2, root, 32, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, sig, 64, SQLITE_STATIC);
	return sq_done(Q(c), st, "checkpoint_insert");
}

static int
sq_audit_checkpoint_get(struct store_conn *c, int64_t n, int64_t *size_out,
			unsigned char root_out[32], unsigned char sig_out[64],
			int64_t *created_out)
{
	static const char sql[] =
		"SELECT tree_size, root, signature, created_at FROM "
		"audit_checkpoints ORDER BY id LIMIT 1 OFFSET ?";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);
	int rc;

	if (st == NULL)
		return -GH_INTERNAL;
	sqlite3_bind_int64(st, 1, n - 1);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		rc = 0;
		*size_out = sqlite3_column_int64(st, 0);
		*created_out = sqlite3_column_int64(st, 3);
		memset(root_out, 0, 32);
		memset(sig_out, 0, 64);
		if (sqlite3_column_bytes(st, 1) == 32)
			memcpy(root_out, sqlite3_column_blob(st, 1), 32);
		if (sqlite3_column_bytes(st, 2) == 64)
			memcpy(sig_out, sqlite3_column_blob(st, 2), 64);
	} else if (rc == SQLITE_DONE) {
		rc = -GH_NOT_FOUND;
	} else {
		rc = sq_err(Q(c), rc, "checkpoint_get");
	}
	sqlite3_reset(st);
	return rc;
}

/* --- attachments -------------------------------------------------------- */

#define ATT_COLS                                                              \
	"a.id, a.ticket_id, a.uploader_realm, a.uploader_id, a.filename, "   \
	"a.size, a.sha256, a.sniffed_type, a.verdict, a.reasons, "           \
	"a.redactions, a.quarantined, COALESCE(a.released_by, 0), "          \
	"COALESCE(a.released_at, 0), a.created_at, "                         \
	"COALESCE(a.delete_after, 0), a.flagged"

static void
read_attachment(sqlite3_stmt *st, struct attachment_rec *out)
{
	char realm[16];

	memset(out, 0, sizeof(*out));
	out->id = sqlite3_column_int64(st, 0);
	out->ticket_id = sqlite3_column_int64(st, 1);
	col_text(st, 2, realm, sizeof(realm));
	out->uploader_realm =
		strcmp(realm, "staff") == 0 ? REALM_STAFF : REALM_CUSTOMER;
	out->uploader_id = sqlite3_column_int64(st, 3);
	col_text(st, 4, out->filename, sizeof(out->filename));
	out->size = sqlite3_column_int64(st, 5);
	col_text(st, 6, out->sha256, sizeof(out->sha256));
	col_text(st, 7, out->sniffed_type, sizeof(out->sniffed_type));
	col_text(st, 8, out->verdict, sizeof(out->verdict));
	col_text(st, 9, out->reasons, sizeof(out->reasons));
	col_text(st, 10, out->redactions, sizeof(out->redactions));
	out->quarantined = sqlite3_column_int(st, 11) != 0;
	out->released_by = sqlite3_column_int64(st, 12);
	out->released_at = sqlite3_column_int64(st, 13);
	out->created_at = sqlite3_column_int64(st, 14);
	out->delete_after = sqlite3_column_int64(st, 15);
	col_text(st, 16, out->flagged, sizeof(out->flagged));
}

static int
step_attachments(struct sq_conn *q, sqlite3_stmt *st,
		 struct attachment_list *out, const char *where)
{
	size_t cap = 0;
	int rc;

	out->v = NULL;
	out->n = 0;
	for (;;) {
		rc = sqlite3_step(st);
		if (rc != SQLITE_ROW)
			break;
		if (out->n == cap) {
			size_t nc = cap ? cap * 2 : 8;
			struct attachment_rec *nv =
				realloc(out->v, nc * sizeof(*nv));

			if (nv == NULL) {
				sqlite3_reset(st);
				attachment_list_clear(out);
				return -GH_INTERNAL;
			}
			out->v = nv;
			cap = nc;
		}
		read_attachment(st, &out->v[out->n++]);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		attachment_list_clear(out);
		return sq_err(q, rc, where);
	}
	return 0;
}

static int
sq_attachment_insert(struct store_conn *c, const struct attachment_new *a,
		     int64_t *id_out)
{
	static const char sql[] =
		"INSERT INTO attachments (ticket_id, uploader_realm, "
		"uploader_id, filename, size, sha256, sniffed_type, verdict, "
		"reasons, redactions, quarantined, content, created_at, "
		"delete_after, flagged) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);
	int rc;

	if (st == NULL)
		return -GH_INTERNAL;
	sqlite3_bind_int64(st, 1, a->ticket_id);
	bind_text(st, 2, realm_name(a->uploader_realm));
	sqlite3_bind_int64(st, 3, a->uploader_id);
	bind_text(st, 4, a->filename);
	sqlite3_bind_int64(st, 5, a->size);
	bind_text(st, 6, a->sha256);
	bind_text(st, 7, a->sniffed_type);
	bind_text(st, 8, a->verdict);
	bind_text(st, 9, a->reasons);
	bind_text(st, 10, a->redactions);
	sqlite3_bind_int(st, 11, a->quarantined ? 1 : 0);
	bind_blob(st, 12, &a->content);
	sqlite3_bind_int64(st, 13, a->created_at);
	if (a->delete_after > 0)
		sqlite3_bind_int64(st, 14, a->delete_after);
	else
		sqlite3_bind_null(st, 14);
	bind_text(st, 15, a->flagged != NULL ? a->flagged : "[]");
	rc = sq_done(Q(c), st, "attachment_insert");
	if (rc == 0)
		*id_out = sqlite3_last_insert_rowid(Q(c)->db);
	return rc;
}

static int
sq_attachment_get(struct store_conn *c, int64_t id,
		  struct attachment_rec *out)
{
	static const char sql[] =
		"SELECT " ATT_COLS ", a.content FROM attachments a "
		"WHERE a.id = ?";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);
	int rc;

	memset(out, 0, sizeof(*out));
	if (st == NULL)
		return -GH_INTERNAL;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		read_attachment(st, out);
		rc = col_blob(st, 17, &out->content);
	} else if (rc == SQLITE_DONE) {
		rc = -GH_NOT_FOUND;
	} else {
		rc = sq_err(Q(c), rc, "attachment_get");
	}
	sqlite3_reset(st);
	return rc;
}

static int
sq_attachment_list(struct store_conn *c, int64_t ticket_id,
		   struct attachment_list *out)
{
	static const char sql[] =
		"SELECT " ATT_COLS " FROM attachments a WHERE a.ticket_id = ? "
		"ORDER BY a.id";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);

	out->v = NULL;
	out->n = 0;
	if (st == NULL)
		return -GH_INTERNAL;
	sqlite3_bind_int64(st, 1, ticket_id);
	return step_attachments(Q(c), st, out, "attachment_list");
}

/* Public listener: always filtered by the customer, their own uploads. */
static int
sq_portal_attachment_list(struct store_conn *c, int64_t customer_id,
			  int64_t ticket_id, struct attachment_list *out)
{
	static const char sql[] =
		"SELECT " ATT_COLS " FROM attachments a JOIN tickets t "
		"ON t.id = a.ticket_id WHERE a.ticket_id = ?1 AND "
		"t.customer_id = ?2 AND a.uploader_realm = 'customer' AND "
		"a.uploader_id = ?2 ORDER BY a.id";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);

	out->v = NULL;
	out->n = 0;
	if (st == NULL)
		return -GH_INTERNAL;
	sqlite3_bind_int64(st, 1, ticket_id);
	sqlite3_bind_int64(st, 2, customer_id);
	return step_attachments(Q(c), st, out, "portal_attachment_list");
}

static int
sq_attachment_release(struct store_conn *c, int64_t id, int64_t staff_id,
		      int64_t now)
{
	static const char sql[] =
		"UPDATE attachments SET quarantined = 0, released_by = ?, "
		"released_at = ? WHERE id = ? AND quarantined = 1";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);
	int rc;

	if (st == NULL)
		return -GH_INTERNAL;
	sqlite3_bind_int64(st, 1, staff_id);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, id);
	rc = sq_done(Q(c), st, "attachment_release");
	if (rc == 0 && sqlite3_changes(Q(c)->db) != 1)
		rc = -GH_CONFLICT;
	return rc;
}

static int
sq_attachment_expired(struct store_conn *c, int64_t now, size_t max,
		      int64_t *ids, size_t *n_out)
{
	static const char sql[] =
		"SELECT id FROM attachments WHERE delete_after IS NOT NULL "
		"AND delete_after <= ? ORDER BY delete_after, id LIMIT ?";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);
	size_t n = 0;
	int rc;

	*n_out = 0;
	if (st == NULL)
		return -GH_INTERNAL;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	for (;;) {
		rc = sqlite3_step(st);
		if (rc != SQLITE_ROW || n == max)
			break;
		ids[n++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return sq_err(Q(c), rc, "attachment_expired");
	*n_out = n;
	return 0;
}

static int
sq_attachment_delete(struct store_conn *c, int64_t id)
{
	static const char sql[] = "DELETE FROM attachments WHERE id = ?";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);
	int rc;

	if (st == NULL)
		return -GH_INTERNAL;
	sqlite3_bind_int64(st, 1, id);
	rc = sq_done(Q(c), st, "attachment_delete");
	if (rc == 0 && sqlite3_changes(Q(c)->db) != 1)
		rc = -GH_NOT_FOUND;
	return rc;
}

/* --- held replies ----------------------------------------------------------
 * Issue 9, defect 3 (core branch): replies the outbound check could not
 * run on in full, kept apart from messages (migration 009), and the note
 * mark the reply path compares inside its write transaction. Self-
 * contained: it uses only the helpers above (sq_stmt, sq_done, sq_err,
 * bind_text, col_text, col_dup, Q). The two *_clear functions are
 * backend-independent and may move to store.c. */

#define HELD_COLUMNS                                                          \
	"SELECT h.id, h.ticket_id, h.author_id, COALESCE(a.name, ''), "      \
	"h.body, h.reason, h.state, h.created_at, "                         \
	"COALESCE(h.decided_by, 0), COALESCE(d.name, ''), "                 \
	"COALESCE(h.decided_at, 0), COALESCE(h.decision, ''), "             \
	"COALESCE(h.message_id, 0) FROM held_replies h "                    \
	"LEFT JOIN staff a ON a.id = h.author_id "                          \
	"LEFT JOIN staff d ON d.id = h.decided_by "

void
held_reply_clear(struct held_reply *h)
{
	if (h == NULL)
		return;
	free(h->body);
	h->body = NULL;
}

void
held_list_clear(struct held_list *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		held_reply_clear(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int
read_held(sqlite3_stmt *st, struct held_reply *out)
{
	memset(out, 0, sizeof(*out));
	out->id = sqlite3_column_int64(st, 0);
	out->ticket_id = sqlite3_column_int64(st, 1);
	out->author_id = sqlite3_column_int64(st, 2);
	col_text(st, 3, out->author_name, sizeof(out->author_name));
	col_text(st, 5, out->reason, sizeof(out->reason));
	col_text(st, 6, out->state, sizeof(out->state));
	out->created_at = sqlite3_column_int64(st, 7);
	out->decided_by = sqlite3_column_int64(st, 8);
	col_text(st, 9, out->decided_by_name, sizeof(out->decided_by_name));
	out->decided_at = sqlite3_column_int64(st, 10);
	col_text(st, 11, out->decision, sizeof(out->decision));
	out->message_id = sqlite3_column_int64(st, 12);
	if (col_dup(st, 4, &out->body) < 0 || out->body == NULL)
		return -GH_INTERNAL;
	return 0;
}

static int
sq_held_insert(struct store_conn *c, const struct held_new *h,
	       int64_t *id_out)
{
	static const char sql[] =
		"INSERT INTO held_replies (ticket_id, author_id, body, reason, "
		"created_at) VALUES (?, ?, ?, ?, ?)";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);
	int rc;

	if (st == NULL)
		return -GH_INTERNAL;
	sqlite3_bind_int64(st, 1, h->ticket_id);
	sqlite3_bind_int64(st, 2, h->author_id);
	bind_text(st, 3, h->body);
	bind_text(st, 4, h->reason);
	sqlite3_bind_int64(st, 5, h->now);
	rc = sq_done(Q(c), st, "held_insert");
	if (rc == 0)
		*id_out = sqlite3_last_insert_rowid(Q(c)->db);
	return rc;
}

static int
sq_held_get(struct store_conn *c, int64_t ticket_id, int64_t id,
	    struct held_reply *out)
{
	static const char sql[] =
		HELD_COLUMNS "WHERE h.id = ? AND h.ticket_id = ?";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);
	int rc;

	memset(out, 0, sizeof(*out));
	if (st == NULL)
		return -GH_INTERNAL;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, ticket_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = read_held(st, out);
	else if (rc == SQLITE_DONE)
		rc = -GH_NOT_FOUND;
	else
		rc = sq_err(Q(c), rc, "held_get");
	sqlite3_reset(st);
	if (rc < 0)
		held_reply_clear(out);
	return rc;
}

static int
sq_held_list(struct store_conn *c, int64_t ticket_id, struct held_list *out)
{
	static const char sql[] =
		HELD_COLUMNS "WHERE h.ticket_id = ? ORDER BY h.id";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);
	size_t cap = 0;
	int rc;

	out->v = NULL;
	out->n = 0;
	if (st == NULL)
		return -GH_INTERNAL;
	sqlite3_bind_int64(st, 1, ticket_id);
	for (;;) {
		rc = sqlite3_step(st);
		if (rc != SQLITE_ROW)
			break;
		if (out->n == cap) {
			size_t nc = cap ? cap * 2 : 8;
			struct held_reply *nv;

			nv = realloc(out->v, nc * sizeof(*nv));

			if (nv == NULL)
				break;
			out->v = nv;
			cap = nc;
		}
		if (read_held(st, &out->v[out->n++]) < 0)
			break;
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 0;
	held_list_clear(out);
	return rc == SQLITE_ROW ? -GH_INTERNAL : sq_err(Q(c), rc, "held_list");
}

static int
sq_held_decide(struct store_conn *c, const struct held_decision *d)
{
	static const char sql[] =
		"UPDATE held_replies SET state = ?, decided_by = ?, "
		"decided_at = ?, decision = ?, message_id = ? "
		"WHERE id = ? AND state = 'held'";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);
	int rc;

	if (st == NULL)
		return -GH_INTERNAL;
	bind_text(st, 1, d->state);
	sqlite3_bind_int64(st, 2, d->staff_id);
	sqlite3_bind_int64(st, 3, d->now);
	bind_text(st, 4, d->reason);
	if (d->message_id > 0)
		sqlite3_bind_int64(st, 5, d->message_id);
	else
		sqlite3_bind_null(st, 5);
	sqlite3_bind_int64(st, 6, d->id);
	rc = sq_done(Q(c), st, "held_decide");
	if (rc == 0 && sqlite3_changes(Q(c)->db) != 1)
		rc = -GH_CONFLICT;
	return rc;
}

static int
sq_note_mark(struct store_conn *c, int64_t ticket_id, int64_t *count_out,
	     int64_t *last_id_out)
{
	static const char sql[] =
		"SELECT COUNT(*), COALESCE(MAX(id), 0) FROM notes "
		"WHERE ticket_id = ?";
	sqlite3_stmt *st = sq_stmt(Q(c), sql);
	int rc;

	*count_out = 0;
	*last_id_out = 0;
	if (st == NULL)
		return -GH_INTERNAL;
	sqlite3_bind_int64(st, 1, ticket_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*count_out = sqlite3_column_int64(st, 0);
		*last_id_out = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : sq_err(Q(c), rc, "note_mark");
}

/* --- end of held replies ------------------------------------------------ */

static const struct store_ops sq_ops = {
	.name = "sqlite",
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.account_by_login = sq_account_by_login,
	.account_by_id = sq_account_by_id,
	.account_advance_totp = sq_account_advance_totp,
	.account_set_pw_hash = sq_account_set_pw_hash,
	.account_set_totp = sq_account_set_totp,
	.account_set_disabled = sq_account_set_disabled,
	.staff_insert = sq_staff_insert,
	.staff_name = sq_staff_name,
	.customer_insert = sq_customer_insert,
	.session_insert = sq_session_insert,
	.session_get = sq_session_get,
	.session_touch = sq_session_touch,
	.session_delete = sq_session_delete,
	.session_delete_principal = sq_session_delete_principal,
	.throttle_get = sq_throttle_get,
	.throttle_put = sq_throttle_put,
	.throttle_clear = sq_throttle_clear,
	.audit_append = sq_audit_append,
	.audit_get = sq_audit_get,
	.audit_count = sq_audit_count,
	.audit_checkpoint_insert = sq_audit_checkpoint_insert,
	.audit_checkpoint_get = sq_audit_checkpoint_get,
	.ticket_insert = sq_ticket_insert,
	.ticket_update = sq_ticket_update,
	.message_insert = sq_message_insert,
	.note_insert = sq_note_insert,
	.portal_ticket_get = sq_portal_ticket_get,
	.portal_ticket_list = sq_portal_ticket_list,
	.portal_messages = sq_portal_messages,
	.staff_ticket_get = sq_staff_ticket_get,
	.staff_ticket_list = sq_staff_ticket_list,
	.queue_insert = sq_queue_insert,
	.queue_by_name = sq_queue_by_name,
	.queue_list = sq_queue_list,
	.staff_queue_add = sq_staff_queue_add,
	.staff_queue_remove = sq_staff_queue_remove,
	.staff_queue_list = sq_staff_queue_list,
	.staff_in_queue = sq_staff_in_queue,
	.ticket_set_queue = sq_ticket_set_queue,
	.staff_messages = sq_staff_messages,
	.staff_notes = sq_staff_notes,
	.customer_contact = sq_customer_contact,
	.customer_set_phrase = sq_customer_set_phrase,
	.fingerprint_add = sq_fingerprint_add,
	.fingerprint_foreign = sq_fingerprint_foreign,
	.fingerprint_count = sq_fingerprint_count,
	.customer_sealed_next = sq_customer_sealed_next,
	.message_set_analysis = sq_message_set_analysis,
	.outbox_insert = sq_outbox_insert,
	.outbox_due = sq_outbox_due,
	.outbox_claim = sq_outbox_claim,
	.outbox_delivered = sq_outbox_delivered,
	.outbox_failed = sq_outbox_failed,
	.attachment_insert = sq_attachment_insert,
	.attachment_get = sq_attachment_get,
	.attachment_list = sq_attachment_list,
	.portal_attachment_list = sq_portal_attachment_list,
	.attachment_release = sq_attachment_release,
	.attachment_expired = sq_attachment_expired,
	.attachment_delete = sq_attachment_delete,
	/* held replies (the block above this table) */
	.held_insert = sq_held_insert,
	.held_get = sq_held_get,
	.held_list = sq_held_list,
	.held_decide = sq_held_decide,
	.note_mark = sq_note_mark,
};

const struct store_backend store_sqlite_backend = {
	.prefix = "sqlite:",
	.open = sq_open,
	.close = sq_close,
	.migrate = sq_migrate,
};
