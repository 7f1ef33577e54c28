/*
 * Store conformance suite: every backend must pass it. It runs here
 * against SQLite on a real file; a PostgreSQL backend runs the same
 * functions with its own URL (GH_TEST_STORE_URLS adds URLs, space
 * separated). Also covers the session rules over a store, the counting
 * and blocking of throttle_take, and that the SQLite backend's statement
 * cache has room for all its statements.
 */
#include <dirent.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include "core/app.h"
#include "util/errors.h"
#include "core/session.h"
#include "store/sql/db.h"
#include "store/store.h"

static char url[256];

static struct store *
open_store(void)
{
	struct store *s = NULL;

	assert_int_equal(store_open(url, 4, &s), 0);
	return s;
}

static void
new_staff(struct store_conn *c, const char *email, int64_t *id)
{
	unsigned char seed[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	struct staff_new s = {email, "Name", "agent", "$argon2id$x",
			      {seed, sizeof(seed)}};

	assert_int_equal(c->ops->begin(c), 0);
	assert_int_equal(c->ops->staff_insert(c, &s, id), 0);
	assert_int_equal(c->ops->commit(c), 0);
}

static void
test_migrations_idempotent(void **state)
{
	struct store *s = open_store();
	int v = store_schema_version(s);

	(void)state;
	assert_true(v >= 1);
	store_close(s);
	s = open_store();
	assert_int_equal(store_schema_version(s), v);
	store_close(s);
}

static void
test_accounts(void **state)
{
	struct store *s = open_store();
	struct store_conn *c = store_acquire(s);
	struct account a;
	int64_t id = 0, id2 = 0;
	unsigned char seed[8] = {9};
	struct staff_new dup = {"a1@example.com", "X", "agent", "h",
				{seed, 1}};

	(void)state;
	new_staff(c, "a1@example.com", &id);
	assert_int_equal(c->ops->account_by_login(c, REALM_STAFF,
						  "a1@example.com", &a),
			 0);
	assert_int_equal(a.id, id);
	assert_string_equal(a.role, "agent");
	assert_string_equal(a.login, "a1@example.com");
	assert_int_equal(a.totp_seed.len, 8);
	assert_int_equal(a.totp_seed.data[7], 8);
	account_clear(&a);
	assert_int_equal(c->ops->account_by_login(c, REALM_STAFF, "zz@x.y", &a),
			 -GH_NOT_FOUND);
	assert_int_equal(c->ops->account_by_login(c, REALM_CUSTOMER,
						  "a1@example.com", &a),
			 -GH_NOT_FOUND);
	/* duplicate e-mail */
	assert_int_equal(c->ops->begin(c), 0);
	assert_int_equal(c->ops->staff_insert(c, &dup, &id2), -GH_EXISTS);
	c->ops->rollback(c);
	/* TOTP steps only move forward (replay protection). */
	assert_int_equal(c->ops->account_advance_totp(c, REALM_STAFF, id, 100), 0);
	assert_int_equal(c->ops->account_advance_totp(c, REALM_STAFF, id, 100),
			 -GH_CONFLICT);
	assert_int_equal(c->ops->account_advance_totp(c, REALM_STAFF, id, 99),
			 -GH_CONFLICT);
	assert_int_equal(c->ops->account_advance_totp(c, REALM_STAFF, id, 101), 0);
	assert_int_equal(c->ops->account_set_disabled(c, REALM_STAFF, id, 1), 0);
	assert_int_equal(c->ops->account_by_id(c, REALM_STAFF, id, &a), 0);
	assert_int_equal(a.disabled, 1);
	assert_int_equal(a.totp_last_step, 101);
	account_clear(&a);
	assert_int_equal(c->ops->account_set_disabled(c, REALM_STAFF, 9999, 1),
			 -GH_NOT_FOUND);
	store_release(s, c);
	store_close(s);
}

struct tx_arg {
	int64_t id;
	int fail;
};

static int
tx_body(struct store_conn *c, void *cls)
{
	struct tx_arg *t = cls;
	int rc = c->ops->account_set_pw_hash(c, REALM_STAFF, t->id, "changed");

	return rc < 0 ? rc : (t->fail ? -GH_BAD_STATE : 0);
}

/* No half-written state: a failing transaction leaves nothing behind. */
static void
test_transaction_rollback(void **state)
{
	struct store *s = open_store();
	struct store_conn *c = store_acquire(s);
	struct tx_arg t = {0, 1};
	struct account a;

	(void)state;
	new_staff(c, "tx@example.com", &t.id);
	assert_int_equal(store_transact(c, tx_body, &t), -GH_BAD_STATE);
	assert_int_equal(c->ops->account_by_id(c, REALM_STAFF, t.id, &a), 0);
	assert_string_equal(a.pw_hash, "$argon2id$x");
	account_clear(&a);
	t.fail = 0;
	assert_int_equal(store_transact(c, tx_body, &t), 0);
	assert_int_equal(c->ops->account_by_id(c, REALM_STAFF, t.id, &a), 0);
	assert_string_equal(a.pw_hash, "changed");
	account_clear(&a);
	store_release(s, c);
	store_close(s);
}

static void
test_sessions_and_throttle(void **state)
{
	struct store *s = open_store();
	struct store_conn *c = store_acquire(s);
	struct session_rec r, got;
	struct throttle_rec t, tg;
	int64_t id, n = 0;

	(void)state;
	new_staff(c, "sess@example.com", &id);
	memset(&r, 0, sizeof(r));
	memset(r.token_hash, 'a', 64);
	r.realm = REALM_STAFF;
	r.principal_id = id;
	r.created_at = r.last_seen = 1000;
	r.idle_secs = 900;
	r.abs_expires = 5000;
	r.mfa = 1;
	snprintf(r.ip, sizeof(r.ip), "127.0.0.1");
	assert_int_equal(c->ops->session_insert(c, &r), 0);
	assert_int_equal(c->ops->session_get(c, r.token_hash, &got), 0);
	assert_int_equal(got.principal_id, id);
	assert_string_equal(got.role, "agent");
	assert_int_equal(got.disabled, 0);
	assert_int_equal(c->ops->session_touch(c, r.token_hash, 2000), 0);
	assert_int_equal(c->ops->session_get(c, r.token_hash, &got), 0);
	assert_int_equal(got.last_seen, 2000);
	memset(r.token_hash, 'b', 64);
	assert_int_equal(c->ops->session_insert(c, &r), 0);
	assert_int_equal(c->ops->session_delete_principal(c, REALM_STAFF, id, &n),
			 0);
	assert_int_equal(n, 2);
	assert_int_equal(c->ops->session_get(c, r.token_hash, &got),
			 -GH_NOT_FOUND);

	memset(&t, 0, sizeof(t));
	snprintf(t.key, sizeof(t.key), "ip:1.2.3.4");
	assert_int_equal(c->ops->throttle_get(c, t.key, &tg), -GH_NOT_FOUND);
	t.failures = 3;
	t.blocked_until = 77;
	assert_int_equal(c->ops->throttle_put(c, &t), 0);
	t.failures = 4;
	assert_int_equal(c->ops->throttle_put(c, &t), 0);
	assert_int_equal(c->ops->throttle_get(c, t.key, &tg), 0);
	assert_int_equal(tg.failures, 4);
	assert_int_equal(tg.blocked_until, 77);
	assert_int_equal(c->ops->throttle_clear(c, t.key), 0);
	assert_int_equal(c->ops->throttle_get(c, t.key, &tg), -GH_NOT_FOUND);
	store_release(s, c);
	store_close(s);
}

/* The audit table is append-only at the database level too. */
static void
test_audit_append_only(void **state)
{
	struct store *s = open_store();
	struct store_conn *c = store_acquire(s);
	unsigned char leaf[32] = {1}, got[32];
	int64_t seq = 0, n = 0;
	char *rec = NULL;

	(void)state;
	assert_int_equal(c->ops->audit_append(c, "{\"a\":1}", leaf, &seq), 0);
	assert_int_equal(c->ops->audit_get(c, seq, &rec, got), 0);
	assert_string_equal(rec, "{\"a\":1}");
	assert_memory_equal(leaf, got, 32);
	free(rec);
	assert_int_equal(c->ops->audit_count(c, &n), 0);
	assert_true(n >= 1);
	store_release(s, c);
	store_close(s);
}

/* throttle_take counts and blocks in one statement, refuses a blocked key
 * without counting, and throttle_refund gives an attempt back, lifting
 * only the block that attempt earned. */
static void
test_throttle_take(void **state)
{
	struct store *s = open_store();
	struct store_conn *c = store_acquire(s);
	struct throttle_rule rule = {2, 4, 2, 60};
	struct throttle_rule addr = {1, 0, 2, 60};
	struct throttle_rec t, held;
	const char *k = "acct:take";

	(void)state;
	assert_int_equal(c->ops->throttle_take(c, k, 1000, &rule, &t), 0);
	assert_int_equal(t.failures, 1);
	assert_int_equal(t.last_failure, 1000);
	assert_int_equal(t.blocked_until, 0);
	assert_int_equal(c->ops->throttle_take(c, k, 1000, &rule, &t), 0);
	assert_int_equal(t.failures, 2);
	assert_int_equal(t.blocked_until, 1002);
	/* Blocked: refused, nothing counted, the row tells until when. */
	assert_int_equal(c->ops->throttle_take(c, k, 1001, &rule, &t),
			 -GH_CONFLICT);
	assert_int_equal(t.failures, 2);
	assert_int_equal(t.blocked_until, 1002);
	assert_int_equal(c->ops->throttle_get(c, k, &t), 0);
	assert_int_equal(t.failures, 2);
	assert_int_equal(c->ops->throttle_take(c, k, 1002, &rule, &held), 0);
	assert_int_equal(held.failures, 3);
	assert_int_equal(held.blocked_until, 1006);
	/* The attempt succeeded: its count and its block go. */
	assert_int_equal(c->ops->throttle_refund(c, &held), 0);
	assert_int_equal(c->ops->throttle_get(c, k, &t), 0);
	assert_int_equal(t.failures, 2);
	assert_true(t.blocked_until <= 1003);
	/* A block another attempt set meanwhile stays. */
	assert_int_equal(c->ops->throttle_take(c, k, 1003, &rule, &held), 0);
	assert_int_equal(held.blocked_until, 1007);
	t = held;
	t.blocked_until = 2000;
	assert_int_equal(c->ops->throttle_put(c, &t), 0);
	assert_int_equal(c->ops->throttle_refund(c, &held), 0);
	assert_int_equal(c->ops->throttle_get(c, k, &t), 0);
	assert_int_equal(t.failures, 2);
	assert_int_equal(t.blocked_until, 2000);
	/* The lock, at the fourth failure. */
	assert_int_equal(c->ops->throttle_take(c, k, 3000, &rule, &t), 0);
	assert_int_equal(t.blocked_until, 3004);
	assert_int_equal(c->ops->throttle_take(c, k, 3004, &rule, &t), 0);
	assert_int_equal(t.failures, 4);
	assert_true(t.blocked_until == THROTTLE_LOCKED);
	assert_int_equal(c->ops->throttle_take(c, k, INT64_MAX - 1, &rule, &t),
			 -GH_CONFLICT);
	/* Without a lock the delay stops growing at its maximum. */
	for (int64_t i = 0; i < 40; i++)
		assert_int_equal(c->ops->throttle_take(c, "ip:take", 10000 * i,
						       &addr, &t),
				 0);
	assert_int_equal(t.failures, 40);
	assert_int_equal(t.blocked_until, 390000 + 60);
	assert_int_equal(c->ops->throttle_clear(c, k), 0);
	assert_int_equal(c->ops->throttle_clear(c, "ip:take"), 0);
	store_release(s, c);
	store_close(s);
}

/* The whole text of a file under the source root, malloc'd. */
static char *
source_text(const char *rel)
{
	const char *root = getenv("GH_SOURCE_ROOT");
	char path[1024];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", root != NULL ? root : ".", rel);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

/* Statements of a backend file: string literals that start with a SQL
 * verb (sq.h: every statement's text starts so; a #define never does). */
static int
count_statements(const char *text)
{
	static const char *const verbs[] = {"SELECT ", "INSERT ", "UPDATE ",
					    "DELETE ", "WITH ", "PRAGMA "};
	int n = 0;

	for (const char *p = strchr(text, '"'); p != NULL;
	     p = strchr(p + 1, '"')) {
		const char *line = p;

		while (line > text && line[-1] != '\n')
			line--;
		for (size_t v = 0; v < sizeof(verbs) / sizeof(verbs[0]); v++) {
			if (strncmp(p + 1, verbs[v], strlen(verbs[v])) != 0)
				continue;
			if (strncmp(line, "#define", 7) == 0)
				fail_msg("a macro starts a statement: %.60s", p);
			n++;
		}
	}
	return n;
}

/* Statements in the .c files of the source directory rel; *files counts
 * the files. */
static int
count_dir(const char *rel_dir, int *files)
{
	const char *root = getenv("GH_SOURCE_ROOT");
	char dir[1024], rel[1200];
	struct dirent *e;
	char *text;
	DIR *d;
	int n = 0;

	snprintf(dir, sizeof(dir), "%s/%s", root != NULL ? root : ".",
		 rel_dir);
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);

		if (l < 3 || strcmp(e->d_name + l - 2, ".c") != 0)
			continue;
		snprintf(rel, sizeof(rel), "%s/%s", rel_dir, e->d_name);
		text = source_text(rel);
		n += count_statements(text);
		free(text);
		(*files)++;
	}
	closedir(d);
	return n;
}

/* The statement cache of the SQLite backend has room for every
 * statement: fewer statements than SQ_STMT_CACHE in the .c files of
 * src/store/sqlite/ and of src/store/sql/ (the operations both backends
 * share; every file, so a new file cannot be missed). */
static void
test_statement_cache_bound(void **state)
{
	char *text = source_text("src/store/sqlite/sq.h");
	const char *def = strstr(text, "#define SQ_STMT_CACHE ");
	long cache;
	int n = 0, files = 0;

	(void)state;
	assert_non_null(def);
	cache = strtol(def + strlen("#define SQ_STMT_CACHE "), NULL, 10);
	free(text);
	n += count_dir("src/store/sqlite", &files);
	n += count_dir("src/store/sql", &files);
	assert_true(files >= 12);
	/* About a hundred today: a count far below means the count broke. */
	assert_true(n >= 60);
	if (n >= cache)
		fail_msg("%d statements, a cache of %ld", n, cache);
	print_message("%d statements in %d files, a cache of %ld\n", n, files,
		      cache);
}

/* The same bound for the PostgreSQL backend: fewer statements in the .c
 * files of src/store/pg/ and src/store/sql/ than PG_STMT_CACHE (pg.h), so
 * each is prepared once per connection (a full cache runs the rest
 * unprepared and logs a bug). */
static void
test_pg_statement_cache_bound(void **state)
{
	char *text = source_text("src/store/pg/pg.h");
	const char *def = strstr(text, "#define PG_STMT_CACHE ");
	long cache;
	int n = 0, files = 0;

	(void)state;
	assert_non_null(def);
	cache = strtol(def + strlen("#define PG_STMT_CACHE "), NULL, 10);
	free(text);
	n += count_dir("src/store/pg", &files);
	n += count_dir("src/store/sql", &files);
	assert_true(files >= 6);
	/* About forty in the first round's six files. */
	assert_true(n >= 30);
	if (n >= cache)
		fail_msg("%d statements, a cache of %ld", n, cache);
	print_message("%d statements in %d files, a cache of %ld\n", n, files,
		      cache);
}

/* Column 0 as text into the char[16] ctx. */
static int
layer_name(const struct db_row *r, void *ctx)
{
	db_text(r, 0, ctx, 16);
	return 0;
}
/* One row of test_query_layer's statement. */
struct layer_row {
	int64_t twice, n;
	char quoted[8], text[8];
	int text_null;
};

static int
layer_row(const struct db_row *r, void *ctx)
{
	struct layer_row *x = ctx;

	x->twice = db_i64(r, 0);
	db_text(r, 1, x->quoted, sizeof(x->quoted));
	db_text(r, 2, x->text, sizeof(x->text));
	x->text_null = db_null(r, 3);
	x->n = db_ncols(r);
	return 0;
}

/* The shared query layer (store/sql/db.h) on this backend: ? and ?N
 * (PostgreSQL rewrites them to $N, not inside quotes), a parameter used
 * twice, NULL, db_insert's new id (RETURNING id on PostgreSQL), db_change
 * touching none, a negative limit as none, and the dialect's text. */
static void
test_query_layer(void **state)
{
	struct store *s = open_store();
	struct store_conn *c = store_acquire(s);
	static const char *const dialect[2] = {"SELECT 'sqlite'",
					       "SELECT 'postgresql'"};
	struct layer_row x;
	struct queue_rec q;
	struct db_ids ids;
	int64_t id = 0, v[8];
	char name[16] = "";

	(void)state;
	memset(&x, 0, sizeof(x));
	assert_int_equal(db_row(c, layer_row, &x,
				"SELECT CAST(?1 AS BIGINT) + CAST(?1 AS BIGINT), "
				"'a?b', CAST(?2 AS TEXT), CAST(?3 AS TEXT)",
				"itt", (int64_t)21, "xy", (const char *)NULL),
			 0);
	assert_int_equal(x.twice, 42);
	assert_string_equal(x.quoted, "a?b");
	assert_string_equal(x.text, "xy");
	assert_true(x.text_null);
	assert_int_equal(x.n, 4);

	assert_int_equal(db_insert(c, &id,
				   "INSERT INTO queues (name) VALUES (?)", "t",
				   "layer-q"),
			 0);
	assert_int_equal(c->ops->queue_by_name(c, "layer-q", &q), 0);
	assert_int_equal(q.id, id);
	assert_int_equal(db_change(c, -GH_CONFLICT,
				   "UPDATE queues SET name = ? WHERE id = ?",
				   "ti", "layer-none", (int64_t)-1),
			 -GH_CONFLICT);
	assert_int_equal(db_row(c, NULL, NULL,
				"SELECT id FROM queues WHERE name = ?", "t",
				"layer-none"),
			 -GH_NOT_FOUND);

	ids = (struct db_ids){v, 0, 8};
	assert_int_equal(db_rows(c, db_id_push, &ids,
				 "SELECT id FROM queues WHERE id <= ?1 "
				 "ORDER BY id LIMIT ?2",
				 "ii", id, db_limit(-1)),
			 0);
	assert_true(ids.n >= 2);
	assert_int_equal(ids.ids[ids.n - 1], id);

	assert_int_equal(db_row(c, layer_name, name, DB_SQL(c, dialect), ""),
			 0);
	assert_string_equal(name, strncmp(url, "sqlite:", 7) == 0
					  ? "sqlite"
					  : "postgresql");
	store_release(s, c);
	store_close(s);
}

/* Customers: insert with sealed fields, look up by blind index, replace
 * the TOTP seed (account_set_totp restarts the replay guard), and the
 * blind index is unique. */
static void
test_customers_and_totp(void **state)
{
	struct store *s = open_store();
	struct store_conn *c = store_acquire(s);
	unsigned char em[4] = {0xe1, 0xe2, 0xe3, 0xe4};
	unsigned char ph[3] = {0x70, 0x71, 0x72};
	unsigned char seed[6] = {1, 1, 2, 3, 5, 8};
	unsigned char seed2[10] = {0xaa, 0xbb, 0xcc, 0xdd, 0xee,
				   0xff, 0x00, 0x11, 0x22, 0x33};
	struct customer_new cn = {
		.email_idx = "idx-cust-1",
		.email = {em, sizeof(em)},
		.name = "Carla Customer",
		.phone = {ph, sizeof(ph)},
		.pw_hash = "$argon2id$c",
		.totp_seed = {seed, sizeof(seed)},
		.totp_enrolled = 0,
	};
	struct blob nb = {seed2, sizeof(seed2)};
	struct account a;
	int64_t id = 0, id2 = 0;

	(void)state;
	assert_int_equal(c->ops->customer_insert(c, &cn, &id), 0);
	assert_true(id > 0);
	assert_int_equal(c->ops->account_by_login(c, REALM_CUSTOMER,
						  "idx-cust-1", &a),
			 0);
	assert_int_equal(a.id, id);
	assert_string_equal(a.pw_hash, "$argon2id$c");
	assert_int_equal(a.totp_enrolled, 0);
	assert_int_equal(a.totp_seed.len, sizeof(seed));
	assert_memory_equal(a.totp_seed.data, seed, sizeof(seed));
	account_clear(&a);
	/* A customer is not a staff member with the same id. */
	assert_int_equal(c->ops->account_by_login(c, REALM_STAFF, "idx-cust-1",
						  &a),
			 -GH_NOT_FOUND);
	/* The blind index is unique. */
	assert_int_equal(c->ops->customer_insert(c, &cn, &id2), -GH_EXISTS);
	/* Enrol: a new seed, enrolled, last step back to 0. */
	assert_int_equal(c->ops->account_advance_totp(c, REALM_CUSTOMER, id, 50),
			 0);
	assert_int_equal(c->ops->account_set_totp(c, REALM_CUSTOMER, id, &nb, 1),
			 0);
	assert_int_equal(c->ops->account_by_id(c, REALM_CUSTOMER, id, &a), 0);
	assert_int_equal(a.totp_enrolled, 1);
	assert_int_equal(a.totp_last_step, 0);
	assert_int_equal(a.totp_seed.len, sizeof(seed2));
	assert_memory_equal(a.totp_seed.data, seed2, sizeof(seed2));
	account_clear(&a);
	assert_int_equal(c->ops->account_advance_totp(c, REALM_CUSTOMER, id, 1),
			 0);
	assert_int_equal(c->ops->account_set_totp(c, REALM_CUSTOMER, 999999,
						  &nb, 1),
			 -GH_NOT_FOUND);
	store_release(s, c);
	store_close(s);
}

/* session_delete removes exactly the one session. */
static void
test_session_delete(void **state)
{
	struct store *s = open_store();
	struct store_conn *c = store_acquire(s);
	struct session_rec r, got;
	char keep[65];
	int64_t id;

	(void)state;
	new_staff(c, "del@example.com", &id);
	memset(&r, 0, sizeof(r));
	r.realm = REALM_STAFF;
	r.principal_id = id;
	r.created_at = r.last_seen = 1000;
	r.idle_secs = 900;
	r.abs_expires = 5000;
	r.mfa = 1;
	memset(r.token_hash, 'c', 64);
	assert_int_equal(c->ops->session_insert(c, &r), 0);
	snprintf(keep, sizeof(keep), "%s", r.token_hash);
	memset(r.token_hash, 'd', 64);
	assert_int_equal(c->ops->session_insert(c, &r), 0);
	/* The same hash twice is a conflict, never a second row. */
	assert_int_equal(c->ops->session_insert(c, &r), -GH_EXISTS);
	assert_int_equal(c->ops->session_delete(c, r.token_hash), 0);
	assert_int_equal(c->ops->session_get(c, r.token_hash, &got),
			 -GH_NOT_FOUND);
	assert_int_equal(c->ops->session_get(c, keep, &got), 0);
	assert_int_equal(got.principal_id, id);
	assert_int_equal(c->ops->session_delete(c, keep), 0);
	assert_int_equal(c->ops->session_get(c, keep, &got), -GH_NOT_FOUND);
	store_release(s, c);
	store_close(s);
}

/* Foreign keys are enforced: a ticket for a customer that does not exist,
 * or a message on a ticket that does not exist, is refused and leaves no
 * row. */
static void
test_foreign_keys(void **state)
{
	struct store *s = open_store();
	struct store_conn *c = store_acquire(s);
	struct ticket_list l;
	struct ticket_query q;
	int64_t tid = 0, mid = 0;
	int64_t before, after;

	(void)state;
	memset(&q, 0, sizeof(q));
	q.see_all = 1;
	q.limit = 1000;
	memset(&l, 0, sizeof(l));
	assert_int_equal(c->ops->staff_ticket_list(c, &q, &l), 0);
	before = (int64_t)l.n;
	ticket_list_clear(&l);
	assert_true(c->ops->ticket_insert(c, 987654321, "no such customer",
					  1000, &tid) < 0);
	assert_true(c->ops->message_insert(c, 987654321, REALM_STAFF, 1, "x",
					   1000, &mid) < 0);
	memset(&l, 0, sizeof(l));
	assert_int_equal(c->ops->staff_ticket_list(c, &q, &l), 0);
	after = (int64_t)l.n;
	ticket_list_clear(&l);
	assert_int_equal(after, before);
	store_release(s, c);
	store_close(s);
}

/* Queues (migration 006): `general` exists as queue 1, names are unique,
 * new staff start in `general`, memberships are added and removed once,
 * tickets start in `general` and move, and the agent visibility rule:
 * assigned to the agent, or unassigned in one of the agent's queues. */
static int
has_ticket(struct store_conn *c, const struct ticket_query *q, int64_t id)
{
	struct ticket_list l = {NULL, 0};
	int found = 0;

	assert_int_equal(c->ops->staff_ticket_list(c, q, &l), 0);
	for (size_t i = 0; i < l.n; i++)
		if (l.v[i].id == id)
			found = 1;
	ticket_list_clear(&l);
	return found;
}

static void
test_queues(void **state)
{
	struct store *s = open_store();
	struct store_conn *c = store_acquire(s);
	unsigned char em[4] = {1, 2, 3, 4}, seed[4] = {4, 3, 2, 1};
	struct customer_new cn = {
		.email_idx = "idx-queue-cust",
		.email = {em, sizeof(em)},
		.name = "Quinn Customer",
		.pw_hash = "$argon2id$q",
		.totp_seed = {seed, sizeof(seed)},
		.totp_enrolled = 1,
	};
	struct queue_rec qr, billing;
	struct queue_list l = {NULL, 0};
	struct ticket_query q;
	struct ticket_rec t;
	int64_t agent = 0, other = 0, cust = 0, tid = 0, qid = 0;
	int found = 0;

	(void)state;
	assert_int_equal(c->ops->queue_by_name(c, "general", &qr), 0);
	assert_int_equal(qr.id, STORE_QUEUE_GENERAL);
	assert_int_equal(c->ops->queue_by_name(c, "no-such-queue", &qr),
			 -GH_NOT_FOUND);
	assert_int_equal(c->ops->queue_insert(c, "billing-st", &qid), 0);
	assert_true(qid > STORE_QUEUE_GENERAL);
	assert_int_equal(c->ops->queue_insert(c, "billing-st", &qid),
			 -GH_EXISTS);
	assert_int_equal(c->ops->queue_by_name(c, "billing-st", &billing), 0);
	assert_int_equal(billing.id, qid);

	new_staff(c, "queue-agent@example.com", &agent);
	new_staff(c, "queue-other@example.com", &other);
	assert_int_equal(c->ops->staff_in_queue(c, agent, STORE_QUEUE_GENERAL),
			 0);
	assert_int_equal(c->ops->staff_in_queue(c, agent, billing.id),
			 -GH_NOT_FOUND);
	assert_int_equal(c->ops->staff_queue_list(c, agent, &l), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].name, "general");
	queue_list_clear(&l);
	assert_int_equal(c->ops->staff_queue_add(c, agent, billing.id), 0);
	assert_int_equal(c->ops->staff_queue_add(c, agent, billing.id),
			 -GH_EXISTS);
	assert_int_equal(c->ops->queue_list(c, &l), 0);
	for (size_t i = 0; i < l.n; i++)
		if (l.v[i].id == billing.id) {
			assert_string_equal(l.v[i].name, "billing-st");
			assert_int_equal(l.v[i].members, 1);
			found = 1;
		}
	assert_true(found);
	queue_list_clear(&l);
	assert_int_equal(c->ops->staff_queue_remove(c, agent, billing.id), 0);
	assert_int_equal(c->ops->staff_queue_remove(c, agent, billing.id),
			 -GH_NOT_FOUND);

	/* A new ticket is in `general`; both agents see it there. */
	assert_int_equal(c->ops->customer_insert(c, &cn, &cust), 0);
	assert_int_equal(c->ops->ticket_insert(c, cust, "Queued", 1000, &tid),
			 0);
	memset(&q, 0, sizeof(q));
	q.viewer_id = agent;
	q.limit = 1000;
	assert_int_equal(c->ops->staff_ticket_get(c, &q, tid, &t), 0);
	assert_int_equal(t.queue_id, STORE_QUEUE_GENERAL);
	assert_string_equal(t.queue_name, "general");
	q.queue_id = STORE_QUEUE_GENERAL;
	assert_true(has_ticket(c, &q, tid));
	q.queue_id = billing.id;
	assert_false(has_ticket(c, &q, tid));

	/* Moved to a queue the agent is not in: gone for them, not for a
	 * supervisor. */
	assert_int_equal(c->ops->ticket_set_queue(c, tid, billing.id, 1001), 0);
	q.queue_id = 0;
	assert_int_equal(c->ops->staff_ticket_get(c, &q, tid, &t),
			 -GH_NOT_FOUND);
	assert_false(has_ticket(c, &q, tid));
	q.see_all = 1;
	assert_int_equal(c->ops->staff_ticket_get(c, &q, tid, &t), 0);
	assert_string_equal(t.queue_name, "billing-st");
	assert_int_equal(t.updated_at, 1001);
	q.queue_id = billing.id;
	assert_true(has_ticket(c, &q, tid));
	q.queue_id = 0;
	q.see_all = 0;
	/* A member of the queue sees it; assigned, it is the assignee's
	 * only, wherever it is. */
	assert_int_equal(c->ops->staff_queue_add(c, agent, billing.id), 0);
	assert_int_equal(c->ops->staff_ticket_get(c, &q, tid, &t), 0);
	assert_true(has_ticket(c, &q, tid));
	assert_int_equal(c->ops->ticket_update(c, tid, "open", other, 1002), 0);
	assert_int_equal(c->ops->staff_ticket_get(c, &q, tid, &t),
			 -GH_NOT_FOUND);
	q.viewer_id = other;
	assert_int_equal(c->ops->staff_ticket_get(c, &q, tid, &t), 0);
	assert_true(has_ticket(c, &q, tid));

	/* Moving needs a ticket and a queue that exist. */
	assert_int_equal(c->ops->ticket_set_queue(c, 987654321, billing.id, 1),
			 -GH_NOT_FOUND);
	assert_true(c->ops->ticket_set_queue(c, tid, 987654321, 1) < 0);
	q.see_all = 1;
	assert_int_equal(c->ops->staff_ticket_get(c, &q, tid, &t), 0);
	assert_int_equal(t.queue_id, billing.id);
	store_release(s, c);
	store_close(s);
}

/* Portal timestamp for a ticket: what the customer is shown. */
static int64_t
portal_updated(struct store_conn *c, int64_t cust, int64_t tid)
{
	struct ticket_rec t;

	assert_int_equal(c->ops->portal_ticket_get(c, cust, tid, &t), 0);
	return t.updated_at;
}

static int64_t
staff_updated(struct store_conn *c, int64_t tid)
{
	struct ticket_query q = {.see_all = 1, .limit = 10};
	struct ticket_rec t;

	assert_int_equal(c->ops->staff_ticket_get(c, &q, tid, &t), 0);
	return t.updated_at;
}

/* Issue 9, defect 5: the customer's updated_at moves only with what the
 * customer can see (a message from either side, a status change), never
 * with an internal note, an assignment or a queue move; staff see every
 * change. The calls are those core/tickets.c makes for each action. The
 * portal list is ordered by the customer's timestamp too. */
static void
test_portal_updated_at(void **state)
{
	struct store *s = open_store();
	struct store_conn *c = store_acquire(s);
	unsigned char em[4] = {5, 6, 7, 8}, seed[4] = {8, 7, 6, 5};
	struct customer_new cn = {
		.email_idx = "idx-portal-time",
		.email = {em, sizeof(em)},
		.name = "Tess Timestamp",
		.pw_hash = "$argon2id$t",
		.totp_seed = {seed, sizeof(seed)},
		.totp_enrolled = 1,
	};
	struct ticket_list l = {NULL, 0};
	int64_t cust = 0, agent = 0, old = 0, tid = 0, id = 0, qid = 0;

	(void)state;
	new_staff(c, "time-agent@example.com", &agent);
	assert_int_equal(c->ops->customer_insert(c, &cn, &cust), 0);
	assert_int_equal(c->ops->queue_insert(c, "time-queue", &qid), 0);
	assert_int_equal(c->ops->ticket_insert(c, cust, "Older", 900, &old), 0);
	assert_int_equal(c->ops->message_insert(c, old, REALM_CUSTOMER, cust,
						"first", 900, &id), 0);
	assert_int_equal(c->ops->ticket_insert(c, cust, "Newer", 1000, &tid),
			 0);
	assert_int_equal(c->ops->message_insert(c, tid, REALM_CUSTOMER, cust,
						"hello", 1000, &id), 0);
	assert_int_equal(portal_updated(c, cust, tid), 1000);
	/* A note (core: note_insert, then ticket_update with the same
	 * status and assignee): staff see it, the customer does not. */
	assert_int_equal(c->ops->note_insert(c, tid, agent, "internal", 2000,
					     &id), 0);
	assert_int_equal(c->ops->ticket_update(c, tid, "open", 0, 2000), 0);
	assert_int_equal(staff_updated(c, tid), 2000);
	assert_int_equal(portal_updated(c, cust, tid), 1000);
	/* Assignment and a queue move are internal too. */
	assert_int_equal(c->ops->ticket_update(c, tid, "open", agent, 2100), 0);
	assert_int_equal(c->ops->ticket_set_queue(c, tid, qid, 2200), 0);
	assert_int_equal(staff_updated(c, tid), 2200);
	assert_int_equal(portal_updated(c, cust, tid), 1000);
	/* A note on the older ticket does not move it up the portal list. */
	assert_int_equal(c->ops->note_insert(c, old, agent, "internal", 2300,
					     &id), 0);
	assert_int_equal(c->ops->ticket_update(c, old, "open", 0, 2300), 0);
	assert_int_equal(c->ops->portal_ticket_list(
			 c, cust, &(struct ticket_page){10, 0, 0, 0}, &l), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].id, tid);
	assert_int_equal(l.v[0].updated_at, 1000);
	assert_int_equal(l.v[1].updated_at, 900);
	ticket_list_clear(&l);
	/* A reply (message_insert, then ticket_update) moves it. */
	assert_int_equal(c->ops->message_insert(c, tid, REALM_STAFF, agent,
						"reply", 3000, &id), 0);
	assert_int_equal(c->ops->ticket_update(c, tid, "open", agent, 3000), 0);
	assert_int_equal(portal_updated(c, cust, tid), 3000);
	/* So does a status change, and only a change. */
	assert_int_equal(c->ops->ticket_update(c, tid, "solved", agent, 4000),
			 0);
	assert_int_equal(portal_updated(c, cust, tid), 4000);
	assert_int_equal(c->ops->ticket_update(c, tid, "solved", agent, 4100),
			 0);
	assert_int_equal(portal_updated(c, cust, tid), 4000);
	assert_int_equal(staff_updated(c, tid), 4100);
	store_release(s, c);
	store_close(s);
}

/* The SLA "at risk" list (store/sql/sla.c, SQLite's text). */
extern const char sq_sla_at_risk_sql[];

/* SQLite only: the at-risk list reads the partial index tickets_due in
 * its order, neither the status index nor a sort of every open ticket. */
static void
test_sla_at_risk_plan(void **state)
{
	struct store *s;
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	char sql[1024], plan[2048];
	size_t n = 0;

	(void)state;
	if (strncmp(url, "sqlite:", 7) != 0)
		skip();
	s = open_store(); /* migrated */
	store_close(s);
	assert_int_equal(sqlite3_open_v2(url + 7, &db, SQLITE_OPEN_READONLY,
					 NULL),
			 SQLITE_OK);
	snprintf(sql, sizeof(sql), "EXPLAIN QUERY PLAN %s",
		 sq_sla_at_risk_sql);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
			 SQLITE_OK);
	plan[0] = '\0';
	while (sqlite3_step(st) == SQLITE_ROW && n < sizeof(plan) - 1) {
		const char *d = (const char *)sqlite3_column_text(st, 3);

		n += (size_t)snprintf(plan + n, sizeof(plan) - n, "%s\n",
				      d != NULL ? d : "");
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	if (strstr(plan, "USING INDEX tickets_due") == NULL ||
	    strstr(plan, "TEMP B-TREE") != NULL)
		fail_msg("at-risk plan:\n%s", plan);
}

/* Runs sql on the store's SQLite file (SQLite only; the store closed). */
static void
raw_sql(const char *sql)
{
	sqlite3 *db = NULL;
	char *err = NULL;

	assert_int_equal(sqlite3_open(url + 7, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", sql, err != NULL ? err : "?");
	sqlite3_close(db);
}

/* Migration 027: a view saved before views refused customer_email loses
 * it (and keeps its other filters); the migration is run again by
 * forgetting it was applied. */
static void
test_views_email_migration(void **state)
{
	struct store *s;
	struct store_conn *c;
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int64_t staff = 0;
	char filters[256] = "";

	(void)state;
	if (strncmp(url, "sqlite:", 7) != 0)
		skip();
	s = open_store();
	c = store_acquire(s);
	new_staff(c, "views27@example.com", &staff);
	store_release(s, c);
	store_close(s);
	raw_sql("INSERT INTO saved_views (owner_id, name, filters, "
		"created_by, created_at, updated_at) SELECT id, 'old', "
		"'{\"q\":\"refund\",\"customer_email\":\"ann@example.com\"}'"
		", id, 1, 1 FROM staff WHERE email = 'views27@example.com';"
		"DELETE FROM schema_migrations WHERE version >= 27;"
		"DROP TABLE key_checks;"
		/* 030 (passkeys) runs again too */
		"DROP TABLE passkeys; DROP TABLE passkey_users;"
		"DROP TABLE passkey_challenges; DROP TABLE passkey_resets;"
		"ALTER TABLE sessions DROP COLUMN method;");
	s = open_store();
	store_close(s);
	assert_int_equal(sqlite3_open(url + 7, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT filters FROM "
					    "saved_views WHERE name = 'old'",
					    -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(filters, sizeof(filters), "%s",
		 (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
	assert_string_equal(filters, "{\"q\":\"refund\"}");
}

/* --- PostgreSQL only (issue 16, part PG-F) --------------------------- */

/* Every operation is translated (search.c was the last family): the
 * backend opens without the debug builds' partial flag, which only
 * lets a backend with operations missing open (pg/conn.c refuses one
 * otherwise). */
static void
test_pg_opens_complete(void **state)
{
	struct store *s = NULL;

	(void)state;
	unsetenv("GH_TEST_PG_PARTIAL");
	assert_int_equal(store_open(url, 2, &s), 0);
	assert_non_null(s);
	store_close(s);
	setenv("GH_TEST_PG_PARTIAL", "1", 1);
	s = open_store();
	store_close(s);
}

/*
 * A write of the row a transaction read, committed by another session
 * between the transaction's read and its write. Transactions of the
 * store run one at a time (pg/conn.c, pg_begin), so the other writer is
 * a statement outside them, in autocommit, as an operator's or another
 * program's would be.
 */
struct race {
	int attempts;
};

/* The other session's write: one more failure on the key. */
static void
race_interfere(void)
{
	PGconn *db = PQconnectdb(url);
	PGresult *res = NULL;

	assert_int_equal(PQstatus(db), CONNECTION_OK);
	res = PQexec(db, "UPDATE throttle SET failures = failures + 1 "
			 "WHERE key = 'race:key'");
	assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
	PQclear(res);
	PQfinish(db);
}

static int
race_body(struct store_conn *c, void *cls)
{
	struct race *r = cls;
	struct throttle_rec t;
	int rc = c->ops->throttle_get(c, "race:key", &t);

	if (rc < 0)
		return rc;
	/* The first attempt read the count; the other write lands before
	 * this one: it cannot serialize and is run again. */
	if (r->attempts++ == 0)
		race_interfere();
	t.failures++;
	return c->ops->throttle_put(c, &t);
}

/* A serialization conflict (40001): store_transact runs the loser again
 * and both increments land exactly once. */
static void
test_pg_serialization_retry(void **state)
{
	struct store *s = open_store();
	struct store_conn *c = store_acquire(s);
	struct throttle_rec t = {"race:key", 10, 0, 0};
	struct race r = {0};

	(void)state;
	assert_int_equal(c->ops->throttle_put(c, &t), 0);
	assert_int_equal(store_transact(c, race_body, &r), 0);
	/* Run twice: the first attempt failed at its write. */
	assert_int_equal(r.attempts, 2);
	assert_int_equal(c->ops->throttle_get(c, "race:key", &t), 0);
	assert_int_equal(t.failures, 12);
	assert_int_equal(c->ops->throttle_clear(c, "race:key"), 0);
	store_release(s, c);
	store_close(s);
}

/* Store transactions on two connections of two nodes go one at a time:
 * the second BEGIN waits for the first to end (pg_begin's lock), so the
 * second reads what the first wrote, and neither has to run again. */
struct serial {
	struct store *s;
	pthread_barrier_t *started;
	int attempts;
	int rc;
};

static int
serial_body(struct store_conn *c, void *cls)
{
	struct serial *x = cls;
	struct throttle_rec t;
	int rc = c->ops->throttle_get(c, "serial:key", &t);

	if (rc < 0)
		return rc;
	if (x->attempts++ == 0 && x->started != NULL) {
		/* The other thread begins now and must wait for this one. */
		pthread_barrier_wait(x->started);
		usleep(200000);
	}
	t.failures++;
	return c->ops->throttle_put(c, &t);
}

static void *
serial_thread(void *arg)
{
	struct serial *x = arg;
	struct store_conn *c = store_acquire(x->s);

	x->rc = store_transact(c, serial_body, x);
	store_release(x->s, c);
	return NULL;
}

static void
test_pg_transactions_one_at_a_time(void **state)
{
	struct store *s1 = open_store(), *s2 = open_store();
	struct store_conn *c = store_acquire(s1);
	struct throttle_rec t = {"serial:key", 10, 0, 0};
	pthread_barrier_t b;
	struct serial first = {s1, &b, 0, 1}, second = {s2, NULL, 0, 1};
	pthread_t t1;

	(void)state;
	assert_int_equal(c->ops->throttle_put(c, &t), 0);
	store_release(s1, c);
	pthread_barrier_init(&b, NULL, 2);
	assert_int_equal(pthread_create(&t1, NULL, serial_thread, &first), 0);
	pthread_barrier_wait(&b);
	serial_thread(&second);
	pthread_join(t1, NULL);
	pthread_barrier_destroy(&b);
	assert_int_equal(first.rc, 0);
	assert_int_equal(second.rc, 0);
	assert_int_equal(first.attempts, 1);
	assert_int_equal(second.attempts, 1);
	c = store_acquire(s1);
	assert_int_equal(c->ops->throttle_get(c, "serial:key", &t), 0);
	assert_int_equal(t.failures, 12);
	assert_int_equal(c->ops->throttle_clear(c, "serial:key"), 0);
	store_release(s1, c);
	store_close(s2);
	store_close(s1);
}

/* Ends every other session of the test database from a connection of
 * its own (as a failover or an administrator would). */
static int
terminate_others(void)
{
	PGconn *db = PQconnectdb(url);
	PGresult *res;
	int n = -1;

	if (PQstatus(db) == CONNECTION_OK) {
		res = PQexec(db, "SELECT count(pg_terminate_backend(pid)) "
				 "FROM pg_stat_activity WHERE datname = "
				 "current_database() AND pid <> "
				 "pg_backend_pid()");
		if (PQresultStatus(res) == PGRES_TUPLES_OK)
			n = (int)strtol(PQgetvalue(res, 0, 0), NULL, 10);
		PQclear(res);
	}
	PQfinish(db);
	return n;
}

/* A lost connection is reset: a transaction after it is retried on the
 * new session, and a read outside one is sent again. */
static void
test_pg_reconnect(void **state)
{
	struct store *s = open_store();
	struct store_conn *c = store_acquire(s);
	struct tx_arg t = {0, 0};
	struct account a;

	(void)state;
	new_staff(c, "reconnect@example.com", &t.id);
	assert_true(terminate_others() >= 1);
	/* The first statement finds the connection gone. */
	assert_int_equal(store_transact(c, tx_body, &t), 0);
	assert_int_equal(c->ops->account_by_id(c, REALM_STAFF, t.id, &a), 0);
	assert_string_equal(a.pw_hash, "changed");
	account_clear(&a);
	assert_true(terminate_others() >= 1);
	assert_int_equal(c->ops->account_by_id(c, REALM_STAFF, t.id, &a), 0);
	assert_string_equal(a.pw_hash, "changed");
	account_clear(&a);
	/* Statements prepared before are prepared again on the new
	 * session (the cache was cleared). */
	assert_int_equal(c->ops->account_by_id(c, REALM_STAFF, t.id, &a), 0);
	account_clear(&a);
	store_release(s, c);
	store_close(s);
}

/* A transaction whose session is lost midway commits nothing: the read
 * that finds it lost, every later statement and the COMMIT fail (none
 * runs on the new session, where it would commit alone), and the
 * rollback lets the connection work again. */
static void
test_pg_lost_midway(void **state)
{
	struct store *s = open_store();
	struct store_conn *c = store_acquire(s);
	struct queue_rec qr;
	int64_t id = 0;

	(void)state;
	assert_int_equal(c->ops->begin(c), 0);
	assert_int_equal(c->ops->queue_insert(c, "lost-1", &id), 0);
	assert_true(terminate_others() >= 1);
	assert_int_equal(c->ops->queue_by_name(c, "general", &qr),
			 -GH_UNAVAILABLE);
	assert_int_equal(c->ops->queue_insert(c, "kept-2", &id),
			 -GH_UNAVAILABLE);
	assert_int_equal(c->ops->commit(c), -GH_UNAVAILABLE);
	c->ops->rollback(c);
	assert_int_equal(c->ops->queue_by_name(c, "lost-1", &qr),
			 -GH_NOT_FOUND);
	assert_int_equal(c->ops->queue_by_name(c, "kept-2", &qr),
			 -GH_NOT_FOUND);
	assert_int_equal(c->ops->queue_by_name(c, "general", &qr), 0);
	store_release(s, c);
	store_close(s);
}

/* The password comes from the password file named before opening: a
 * wrong one fails to connect, the right one (from the environment the
 * test cluster gives) connects. Skipped without PGPASSWORD. */
static void
test_pg_password_file(void **state)
{
	const char *pw = getenv("PGPASSWORD");
	char path[] = "/tmp/gh-pgpw-XXXXXX";
	struct store *s = NULL;
	char *saved;
	FILE *f;
	int fd;

	(void)state;
	if (pw == NULL || pw[0] == '\0') {
		print_message("skipped: PGPASSWORD not set\n");
		return;
	}
	saved = strdup(pw);
	assert_non_null(saved);
	unsetenv("PGPASSWORD");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fprintf(f, "not-the-password\n");
	fclose(f);
	store_pg_password_file(path);
	assert_true(store_open(url, 2, &s) < 0);
	f = fopen(path, "w");
	fprintf(f, "%s\n", saved);
	fclose(f);
	s = open_store();
	store_close(s);
	store_pg_password_file(NULL);
	unlink(path);
	setenv("PGPASSWORD", saved, 1);
	free(saved);
}

/* Shared reads (store_acquire_request): the reads of a request see one
 * snapshot, a write of the request ends it first (and is not refused as
 * a write in a read-only transaction), and a read after it sees the
 * newest data. */
static void
test_pg_shared_reads(void **state)
{
	struct store *s = open_store();
	struct store_conn *w = store_acquire(s);
	struct store_conn *r;
	struct account a;
	int64_t id = 0;

	(void)state;
	new_staff(w, "snap@example.com", &id);
	r = store_acquire_request(s);
	assert_int_equal(r->ops->account_by_id(r, REALM_STAFF, id, &a), 0);
	assert_string_equal(a.pw_hash, "$argon2id$x");
	account_clear(&a);
	assert_int_equal(w->ops->account_set_pw_hash(w, REALM_STAFF, id, "v2"),
			 0);
	/* Same snapshot: the other connection's change is not seen yet. */
	assert_int_equal(r->ops->account_by_id(r, REALM_STAFF, id, &a), 0);
	assert_string_equal(a.pw_hash, "$argon2id$x");
	account_clear(&a);
	/* A write ends the snapshot; the next read starts a new one. */
	assert_int_equal(r->ops->session_touch(r, "no-such-session", 1), 0);
	assert_int_equal(r->ops->account_by_id(r, REALM_STAFF, id, &a), 0);
	assert_string_equal(a.pw_hash, "v2");
	account_clear(&a);
	store_release(s, r);
	store_release(s, w);
	store_close(s);
}

/* Audit appends from two connections at once (as from two nodes). */
struct appender {
	struct store *s;
	int n;
	int failed;
};

static int
append_one(struct store_conn *c, void *cls)
{
	unsigned char leaf[32] = {7};

	(void)cls;
	return c->ops->audit_append(c, "{\"by\":\"race\"}", leaf, NULL);
}

static void *
append_thread(void *arg)
{
	struct appender *a = arg;
	struct store_conn *c = store_acquire(a->s);

	for (int i = 0; i < a->n; i++)
		if (store_transact(c, append_one, NULL) != 0)
			a->failed++;
	store_release(a->s, c);
	return NULL;
}

static int
seq_dense(void *ctx, int64_t seq, const char *record, const unsigned char *leaf)
{
	int64_t *next = ctx;

	(void)record;
	(void)leaf;
	if (seq != *next)
		return -GH_INTERNAL;
	(*next)++;
	return 0;
}

/* Appends racing on two connections all land (a conflict is retried by
 * store_transact), numbered 1..n without a gap or a repeat. */
static void
test_pg_audit_concurrent(void **state)
{
	struct store *s = open_store();
	struct appender a = {s, 25, 0}, b = {s, 25, 0};
	struct store_conn *c;
	int64_t before = 0, after = 0, next = 1;
	pthread_t ta, tb;

	(void)state;
	c = store_acquire(s);
	assert_int_equal(c->ops->audit_count(c, &before), 0);
	store_release(s, c);
	assert_int_equal(pthread_create(&ta, NULL, append_thread, &a), 0);
	assert_int_equal(pthread_create(&tb, NULL, append_thread, &b), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	assert_int_equal(a.failed + b.failed, 0);
	c = store_acquire(s);
	assert_int_equal(c->ops->audit_count(c, &after), 0);
	assert_int_equal(after, before + 50);
	assert_int_equal(c->ops->audit_page(c, 0, after, 1000, seq_dense,
					    &next),
			 0);
	assert_int_equal(next, after + 1);
	store_release(s, c);
	store_close(s);
}

/* Runs one statement on the test database from a connection of its own;
 * 0 when it succeeds. */
static int admin_exec_on(const char *conn, const char *sql);

static int
admin_exec(const char *sql)
{
	return admin_exec_on(url, sql);
}

struct opener {
	const char *url;
	pthread_barrier_t *go;
	int rc;
	int version;
};

static void *
open_thread(void *arg)
{
	struct opener *o = arg;
	struct store *s = NULL;

	pthread_barrier_wait(o->go);
	o->rc = store_open(o->url, 2, &s);
	if (o->rc == 0) {
		o->version = store_schema_version(s);
		store_close(s);
	}
	return NULL;
}

/* Two nodes starting at once on an empty database: the advisory lock
 * makes one migrate and the other wait, then find every migration
 * recorded (without it both would create the same tables and one would
 * fail). */
static void
test_pg_migrate_race(void **state)
{
	char fresh[300];
	pthread_barrier_t go;
	struct opener a = {fresh, &go, -1, 0}, b = {fresh, &go, -1, 0};
	pthread_t ta, tb;

	(void)state;
	(void)admin_exec("DROP DATABASE IF EXISTS gh_migrate_race");
	assert_int_equal(admin_exec("CREATE DATABASE gh_migrate_race"), 0);
	/* The test URL with the new database's name (PGHOST etc. give the
	 * rest, as for the URL of the suite). */
	snprintf(fresh, sizeof(fresh), "postgresql:///gh_migrate_race");
	pthread_barrier_init(&go, NULL, 2);
	assert_int_equal(pthread_create(&ta, NULL, open_thread, &a), 0);
	assert_int_equal(pthread_create(&tb, NULL, open_thread, &b), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	pthread_barrier_destroy(&go);
	assert_int_equal(a.rc, 0);
	assert_int_equal(b.rc, 0);
	assert_true(a.version >= 27);
	assert_int_equal(a.version, b.version);
	assert_int_equal(admin_exec("DROP DATABASE gh_migrate_race"), 0);
}

/* Readiness after an outage: while the database refuses connections a
 * ping is -GH_UNAVAILABLE; once it takes them again the ping reconnects
 * and answers. Before the fix a connection whose reset had failed stayed
 * failed for the ping, and /readyz said "not ready" for good (found by
 * tests/api/test_manage.c test_readyz_store_gone on PostgreSQL). */
static void
test_pg_ping_after_outage(void **state)
{
	const char *kill = "SELECT pg_terminate_backend(pid) FROM "
			   "pg_stat_activity WHERE datname = 'gh_ping_outage'";
	struct store *s = NULL;
	struct store_conn *c;
	char setting[16] = "";
	PGconn *db;
	PGresult *res;
	int version = 0;

	(void)state;
	(void)admin_exec("DROP DATABASE IF EXISTS gh_ping_outage");
	assert_int_equal(admin_exec("CREATE DATABASE gh_ping_outage"), 0);
	/* The database's own statement_timeout outlives a ping (it used to
	 * be set to 0 for the rest of the session). */
	assert_int_equal(admin_exec("ALTER DATABASE gh_ping_outage SET "
				    "statement_timeout = '5s'"),
			 0);
	assert_int_equal(store_open("postgresql:///gh_ping_outage", 1, &s), 0);
	assert_int_equal(store_ping(s, 1000, &version), 0);
	c = store_acquire(s);
	assert_int_equal(db_row(c, layer_name, setting,
				"SELECT current_setting('statement_timeout')",
				""),
			 0);
	assert_string_equal(setting, "5s");
	store_release(s, c);
	assert_int_equal(admin_exec("ALTER DATABASE gh_ping_outage "
				    "ALLOW_CONNECTIONS false"),
			 0);
	db = PQconnectdb(url);
	res = PQexec(db, kill);
	assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
	assert_int_equal(PQntuples(res), 1);
	PQclear(res);
	PQfinish(db);
	assert_int_equal(store_ping(s, 1000, &version), -GH_UNAVAILABLE);
	assert_int_equal(store_ping(s, 1000, &version), -GH_UNAVAILABLE);
	assert_int_equal(admin_exec("ALTER DATABASE gh_ping_outage "
				    "ALLOW_CONNECTIONS true"),
			 0);
	version = 0;
	assert_int_equal(store_ping(s, 1000, &version), 0);
	assert_int_equal(version, store_schema_version(s));
	store_close(s);
	assert_int_equal(admin_exec("DROP DATABASE gh_ping_outage"), 0);
}

/* The URL of GH_TEST_PG_URL: the cluster's database that the PostgreSQL
 * tests make and drop their own databases from (never one they write). */
static char pg_admin_url[256];
static unsigned pg_serial;
static char pg_name[64];

/* Runs sql on the database conn names, from a connection of its own. */
static int
admin_exec_on(const char *conn, const char *sql)
{
	PGconn *db = PQconnectdb(conn);
	PGresult *res = PQstatus(db) == CONNECTION_OK ? PQexec(db, sql) : NULL;
	int ok = res != NULL && PQresultStatus(res) == PGRES_COMMAND_OK;

	if (!ok)
		print_error("test_store: %s", res != NULL
						      ? PQresultErrorMessage(res)
						      : PQerrorMessage(db));
	PQclear(res);
	PQfinish(db);
	return ok ? 0 : -1;
}

/* Before each PostgreSQL test: a new, empty database of its own, named
 * by url (as store_conf.h's sc_open), so a cluster used before, or the
 * database PGDATABASE names, holds nothing a test sees. */
static int
pg_fresh(void **state)
{
	char sql[128];

	(void)state;
	snprintf(pg_name, sizeof(pg_name), "gh_st_%ld_%u", (long)getpid(),
		 ++pg_serial);
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)",
		 pg_name);
	if (admin_exec_on(pg_admin_url, sql) < 0)
		return -1;
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", pg_name);
	if (admin_exec_on(pg_admin_url, sql) < 0)
		return -1;
	snprintf(url, sizeof(url), "postgresql:///%s", pg_name);
	return 0;
}

/* After each PostgreSQL test: its database dropped (sessions a failed
 * test left open are ended). */
static int
pg_drop(void **state)
{
	char sql[128];

	(void)state;
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)",
		 pg_name);
	return admin_exec_on(pg_admin_url, sql);
}

#define PG_TEST(f) cmocka_unit_test_setup_teardown(f, pg_fresh, pg_drop)

/* The store suite on PostgreSQL (meson test store_pg): on the cluster
 * GH_TEST_PG_URL reaches, each test on a new database of its own
 * (pg_fresh); the families the backend has are run, every other one is
 * named as skipped. 77 (skipped) without a URL. */
static int
run_pg(void)
{
	const struct CMUnitTest tests[] = {
		PG_TEST(test_pg_opens_complete),
		PG_TEST(test_migrations_idempotent),
		PG_TEST(test_accounts),
		PG_TEST(test_transaction_rollback),
		PG_TEST(test_sessions_and_throttle),
		PG_TEST(test_throttle_take),
		PG_TEST(test_audit_append_only),
		PG_TEST(test_customers_and_totp),
		PG_TEST(test_session_delete),
		PG_TEST(test_pg_serialization_retry),
		PG_TEST(test_pg_transactions_one_at_a_time),
		PG_TEST(test_pg_reconnect),
		PG_TEST(test_pg_password_file),
		PG_TEST(test_pg_migrate_race),
		PG_TEST(test_pg_shared_reads),
		PG_TEST(test_pg_audit_concurrent),
		PG_TEST(test_pg_ping_after_outage),
		PG_TEST(test_pg_lost_midway),
		/* Families shared with SQLite since store/sql/. */
		PG_TEST(test_foreign_keys),
		PG_TEST(test_queues),
		PG_TEST(test_portal_updated_at),
		PG_TEST(test_query_layer),
	};
	static const char *const skipped[] = {
		"test_statement_cache_bound (counts the SQLite files)",
		"test_sla_at_risk_plan (SQLite's query plan)",
		"test_views_email_migration (SQLite only)",
	};
	const char *u = getenv("GH_TEST_PG_URL");

	if (u == NULL || u[0] == '\0') {
		printf("store_pg: GH_TEST_PG_URL is not set: skipped\n");
		return 77;
	}
	snprintf(pg_admin_url, sizeof(pg_admin_url), "%s", u);
	for (size_t i = 0; i < sizeof(skipped) / sizeof(skipped[0]); i++)
		printf("store_pg: SKIPPED %s\n", skipped[i]);
	return cmocka_run_group_tests_name("store-postgresql", tests, NULL,
					   NULL);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migrations_idempotent),
		cmocka_unit_test(test_accounts),
		cmocka_unit_test(test_transaction_rollback),
		cmocka_unit_test(test_sessions_and_throttle),
		cmocka_unit_test(test_throttle_take),
		cmocka_unit_test(test_statement_cache_bound),
		cmocka_unit_test(test_query_layer),
		cmocka_unit_test(test_audit_append_only),
		cmocka_unit_test(test_customers_and_totp),
		cmocka_unit_test(test_session_delete),
		cmocka_unit_test(test_foreign_keys),
		cmocka_unit_test(test_queues),
		cmocka_unit_test(test_portal_updated_at),
		cmocka_unit_test(test_sla_at_risk_plan),
		cmocka_unit_test(test_views_email_migration),
		cmocka_unit_test(test_pg_statement_cache_bound),
	};
	char dir[] = "/tmp/gh-store-XXXXXX";
	const char *extra = getenv("GH_TEST_STORE_URLS");
	int failed;

	if (argc > 1 && strcmp(argv[1], "pg") == 0)
		return run_pg();
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(url, sizeof(url), "sqlite:%s/test.db", dir);
	failed = cmocka_run_group_tests_name("store-sqlite", tests, NULL, NULL);
	if (extra != NULL && extra[0] != '\0') {
		char *copy = strdup(extra);
		char *save = NULL;

		for (char *u = strtok_r(copy, " ", &save); u != NULL;
		     u = strtok_r(NULL, " ", &save)) {
			snprintf(url, sizeof(url), "%s", u);
			failed += cmocka_run_group_tests_name(u, tests, NULL, NULL);
		}
		free(copy);
	}
	return failed;
}
