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

#include "core/errors.h"
#include "store/store.h"
#include "util/embed.h"
#include "util/log.h"

extern const struct embedded_file store_migrations[];

#define STMT_CACHE 64

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
	if (q->n_cache < STMT_CACHE) {
		q->cache[q->n_cache].sql = sql;
		q->cache[q->n_cache].st = st;
		q->n_cache++;
	} else {
		LOG_BUG("statement cache full");
	}
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
		rc = sq_exec(q, "BEGIN IMMEDIATE");
		if (rc == 0)
			rc = sq_exec(q, (const char *)m->data);
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
		if (rc < 0) {
			sq_rollback(c);
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
		"totp_enrolled, disabled FROM staff WHERE email = ?";
	static const char cust_sql[] =
		"SELECT id, '', pw_hash, totp_seed, totp_last_step, "
		"totp_enrolled, disabled FROM customers WHERE email_idx = ?";
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
		"totp_enrolled, disabled FROM staff WHERE id = ?";
	static const char cust_sql[] =
		"SELECT id, '', pw_hash, totp_seed, totp_last_step, "
		"totp_enrolled, disabled FROM customers WHERE id = ?";
	sqlite3_stmt *st = sq_stmt(Q(c), r == REALM_STAFF ? staff_sql : cust_sql);

	if (st == NULL)
		return -GH_INTERNAL;
	sqlite3_bind_int64(st, 1, id);
	return read_account(Q(c), st, r, out);
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
	if (rc == 0)
		*id_out = sqlite3_last_insert_rowid(Q(c)->db);
	return rc;
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
};

const struct store_backend store_sqlite_backend = {
	.prefix = "sqlite:",
	.open = sq_open,
	.close = sq_close,
	.migrate = sq_migrate,
};
