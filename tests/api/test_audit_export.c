/*
 * The audit log leaves the server and stays honest (issue 10, "the audit
 * log records all of it"), with the real `gatehouse` binary against the
 * database of a real server run:
 *  - `gatehouse audit export [--since N] [--verify]` writes every record
 *    after N as one JSON line {"seq", "leaf_hash", "record"}, in order,
 *    the record exactly as stored, while the server runs; the logins and
 *    the refusals the server audited are among them with their seq; a bad
 *    --since is a usage error (2); with --verify a log that does not
 *    verify exports nothing (1).
 *  - `gatehouse audit verify` exits 1 and names the first bad record or
 *    checkpoint for each kind of tampering, each in its own copy of the
 *    stopped server's data directory: a changed record, a changed leaf
 *    hash, a record removed in the middle, two records swapped, a record
 *    rewritten with a matching leaf hash, the last records removed after
 *    a signed checkpoint covered them, a forged checkpoint, an old
 *    checkpoint replayed at the end, a row placed before record 1. `gatehouse audit checkpoint` refuses to sign over a
 *    cut log.
 * The audit table has UPDATE and DELETE triggers; a test drops them in its
 * own copy to play an attacker with write access to the file.
 * ASVS 16.4.2 (tamper-evident log), 16.4.3 (logs sent to a separate
 * system), 16.3.1 (authentication events), 16.3.2 (failed authorization).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crypto/merkle.h"
#include "harness.h"

static struct gh_server srv;
/* Records and checkpoints of the stopped server (test_stopped_log_verifies
 * sets them; the tamper tests start from there). */
static int64_t records_at_stop;

/* A wrong password: a 401 and an auth.login failure record. */
static void
failed_login(struct gh_user *u, int staff)
{
	struct gh_client c;
	struct gh_resp r;
	char body[256];

	gh_client_init(&c, staff);
	snprintf(body, sizeof(body),
		 "{\"email\":\"%s\",\"password\":\"not the password 9\","
		 "\"totp\":\"000000\"}",
		 u->email);
	assert_int_equal(gh_req(&srv, &c, "POST",
				staff ? "/api/v1/staff/session"
				      : "/api/v1/portal/session",
				body, NULL, &r),
			 401);
	gh_resp_free(&r);
	gh_client_free(&c);
}

/* A state-changing request without its CSRF token: a security.refused
 * record. */
static void
csrf_refusal(struct gh_user *u)
{
	struct gh_client c;
	struct gh_resp r;

	gh_client_init(&c, 1);
	assert_int_equal(gh_login(&srv, &c, u), 201);
	c.csrf[0] = '\0';
	assert_int_equal(gh_req(&srv, &c, "POST", "/api/v1/tickets/1/notes",
				"{\"body\":\"x\"}", NULL, &r),
			 403);
	gh_resp_free(&r);
	gh_client_free(&c);
}

/* A real run: logins that pass and fail, a refusal, a checkpoint signed
 * while serving, then more of the same. */
static int
setup(void **state)
{
	const char *cp[] = {"audit", "checkpoint", NULL};
	struct gh_user agent, cust;
	struct gh_client c;

	(void)state;
	gh_start(&srv, NULL);
	gh_add_staff(&srv, "export-agent@example.com", "agent", &agent);
	failed_login(&agent, 1);
	csrf_refusal(&agent);
	assert_int_equal(gh_cli(&srv, NULL, NULL, cp), 0);
	gh_add_customer(&srv, "export-cust@example.org", &cust);
	gh_client_init(&c, 0);
	assert_int_equal(gh_login(&srv, &c, &cust), 201);
	gh_client_free(&c);
	failed_login(&cust, 0);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	gh_stop(&srv);
	return 0;
}

/* The number sql (with %lld for arg) selects from s's store. */
static int64_t
db_int(struct gh_server *s, const char *sql, int64_t arg)
{
	char buf[600];
	const char *at = strstr(sql, "?");

	if (at == NULL)
		return gh_db_count(s, sql);
	snprintf(buf, sizeof(buf), "%.*s%lld%s", (int)(at - sql), sql,
		 (long long)arg, at + 1);
	return gh_db_count(s, buf);
}

/* The line `audit export` must write for record seq of the server's
 * store, built from the stored row: the record text spliced in as
 * stored. */
static char *
expected_line(int64_t seq)
{
	unsigned char h[32];
	char hex[65], sql[100], *line, *rec, *leaf;
	size_t n;

	snprintf(sql, sizeof(sql), "SELECT record FROM audit WHERE seq = %lld",
		 (long long)seq);
	rec = gh_db_text(&srv, sql);
	assert_non_null(rec);
	snprintf(sql, sizeof(sql),
		 "SELECT leaf_hash FROM audit WHERE seq = %lld", (long long)seq);
	leaf = gh_db_text(&srv, sql);
	assert_non_null(leaf);
	assert_int_equal(strlen(leaf), 64);
	/* The server's own record: its leaf is its hash. */
	merkle_leaf_hash(rec, strlen(rec), h);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", h[i]);
	assert_string_equal(hex, leaf);
	n = strlen(rec) + 160;
	line = malloc(n);
	assert_non_null(line);
	snprintf(line, n, "{\"seq\":%lld,\"leaf_hash\":\"%s\",\"record\":%s}",
		 (long long)seq, leaf, rec);
	free(rec);
	free(leaf);
	return line;
}

/* out holds exactly the records since+1..last of the server's database,
 * one line each, in order, byte for byte as stored; each line is a JSON
 * object of three members whose "record" is an object. */
static void
check_export(const char *out, int64_t since, int64_t last)
{
	const char *line = out;

	for (int64_t seq = since + 1; seq <= last; seq++) {
		const char *nl = strchr(line, '\n');
		char *want = expected_line(seq);
		json_t *j;

		assert_non_null(nl);
		if ((size_t)(nl - line) != strlen(want) ||
		    strncmp(line, want, strlen(want)) != 0)
			fail_msg("record %lld exported as\n%.*s\nnot\n%s",
				 (long long)seq, (int)(nl - line), line, want);
		j = json_loadb(line, (size_t)(nl - line), 0, NULL);
		assert_non_null(j);
		assert_int_equal(json_object_size(j), 3);
		assert_int_equal(json_integer_value(json_object_get(j, "seq")),
				 seq);
		assert_true(json_is_object(json_object_get(j, "record")));
		json_decref(j);
		free(want);
		line = nl + 1;
	}
	assert_string_equal(line, "");
}

/* Exported lines whose record has this action and outcome. */
static int64_t
exported(const char *out, const char *action, const char *outcome)
{
	char needle[160];
	int64_t n = 0;

	snprintf(needle, sizeof(needle), "\"action\":\"%s\"", action);
	for (const char *l = out; *l != '\0'; l = strchr(l, '\n') + 1) {
		const char *nl = strchr(l, '\n');
		char *one = strndup(l, (size_t)(nl - l));
		char want[64];

		snprintf(want, sizeof(want), "\"outcome\":\"%s\"", outcome);
		n += strstr(one, needle) != NULL && strstr(one, want) != NULL;
		free(one);
	}
	return n;
}

static int64_t
stored(const char *action, const char *outcome)
{
	return gh_audit_count(&srv, action, outcome);
}

static int
export(struct gh_server *s, const char *since, int verify, char **out)
{
	const char *args[6] = {"audit", "export", NULL, NULL, NULL, NULL};
	int n = 2;

	if (since != NULL) {
		args[n++] = "--since";
		args[n++] = since;
	}
	if (verify)
		args[n++] = "--verify";
	return gh_cli(s, NULL, out, args);
}

/* While the server runs: every record, in order, as stored; the logins
 * (passed and failed) and the CSRF refusal are there with their seq;
 * --since gives only what came after. */
static void
test_export_while_serving(void **state)
{
	const char *verify[] = {"audit", "verify", NULL};
	struct gh_user late;
	char since[32];
	char *out = NULL;
	int64_t n, m;

	(void)state;
	n = gh_db_count(&srv, "SELECT MAX(seq) FROM audit");
	assert_true(n >= 6);
	assert_int_equal(export(&srv, NULL, 0, &out), 0);
	check_export(out, 0, n);
	assert_true(stored("auth.login", "success") >= 2);
	assert_true(stored("auth.login", "failure") >= 2);
	assert_true(stored("security.refused", "denied") >= 1);
	assert_int_equal(exported(out, "auth.login", "success"),
			 stored("auth.login", "success"));
	assert_int_equal(exported(out, "auth.login", "failure"),
			 stored("auth.login", "failure"));
	assert_int_equal(exported(out, "security.refused", "denied"),
			 stored("security.refused", "denied"));
	free(out);
	/* verify reads beside the running server too. */
	assert_int_equal(gh_cli(&srv, NULL, NULL, verify), 0);
	/* One more failed login: --since n gives it alone. */
	gh_add_staff(&srv, "export-late@example.com", "agent", &late);
	failed_login(&late, 1);
	m = gh_db_count(&srv, "SELECT MAX(seq) FROM audit");
	assert_true(m >= n + 2);
	snprintf(since, sizeof(since), "%lld", (long long)n);
	assert_int_equal(export(&srv, since, 0, &out), 0);
	check_export(out, n, m);
	assert_int_equal(exported(out, "auth.login", "failure"), 1);
	free(out);
	/* --verify changes nothing for an intact log. */
	assert_int_equal(export(&srv, since, 1, &out), 0);
	check_export(out, n, m);
	free(out);
}

/* A bad --since is a usage error that writes nothing; one past the end
 * exports nothing and succeeds; verify and checkpoint take no --since. */
static void
test_export_usage(void **state)
{
	static const char *const bad[] = {"-1",  "abc", "1x",  "",
					  "+1",  " 1",  "1.5", "0x10",
					  "99999999999999999999"};
	const char *verify_since[] = {"audit", "verify", "--since", "1", NULL};
	const char *cp_verify[] = {"audit", "checkpoint", "--verify", NULL};
	const char *extra[] = {"audit", "export", "extra", NULL};
	char *out = NULL;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		if (export(&srv, bad[i], 0, &out) != 2)
			fail_msg("--since '%s' is not a usage error", bad[i]);
		assert_string_equal(out, "");
		free(out);
	}
	assert_int_equal(export(&srv, "1000000", 0, &out), 0);
	assert_string_equal(out, "");
	free(out);
	assert_int_equal(gh_cli(&srv, NULL, NULL, verify_since), 2);
	assert_int_equal(gh_cli(&srv, NULL, NULL, cp_verify), 2);
	assert_int_equal(gh_cli(&srv, NULL, NULL, extra), 2);
}

/* A copy of the stopped server's data directory to tamper with. */
struct copy {
	struct gh_server s;
};

static void
copy_open(struct copy *c, const char *name)
{
	c->s = srv;
	c->s.pid = 0;
	assert_true(strlen(srv.dir) + strlen(name) + 2 <= sizeof(c->s.dir));
	snprintf(c->s.dir, sizeof(c->s.dir), "%.200s-%.40s", srv.dir, name);
	snprintf(c->s.log, sizeof(c->s.log), "%.250s.log", c->s.dir);
	gh_db_clone(&srv, &c->s);
	/* The attacker with write access to the store drops the triggers
	 * that keep the audit table append-only. */
	gh_db_drop_audit_guards(&c->s);
}

/* Runs sql (with $1 for seq when it has one) on the copy: it changes a
 * row at least. */
static void
tamper(struct copy *c, const char *sql, int64_t seq)
{
	int64_t n = strstr(sql, "$1") != NULL
			    ? gh_db_run(&c->s, sql, "i", seq)
			    : gh_db_run(&c->s, sql, "");

	assert_true(n >= 1);
}

/* Runs verify on the copy: exit 1, the report names what it must (want
 * in the error; the first bad record and checkpoint, 0 for absent), and
 * export --verify refuses with nothing on stdout. Closes the copy and
 * returns the report (caller decrefs). */
static json_t *
expect_caught(struct copy *c, const char *want, int64_t record,
	      int64_t checkpoint)
{
	const char *args[] = {"audit", "verify", NULL};
	const char *err;
	char *out = NULL;
	json_t *j;

	assert_int_equal(gh_cli(&c->s, NULL, &out, args), 1);
	j = json_loads(out, 0, NULL);
	assert_non_null(j);
	free(out);
	assert_true(json_is_false(json_object_get(j, "ok")));
	err = json_string_value(json_object_get(j, "error"));
	assert_non_null(err);
	if (strstr(err, want) == NULL)
		fail_msg("error '%s' does not say '%s'", err, want);
	assert_int_equal(json_integer_value(json_object_get(j,
							    "first_bad_record")),
			 record);
	assert_int_equal(json_integer_value(json_object_get(
				 j, "first_bad_checkpoint")),
			 checkpoint);
	assert_int_equal(export(&c->s, NULL, 1, &out), 1);
	assert_string_equal(out, "");
	free(out);
	return j;
}

/* Position (1-based, oldest first) of the first checkpoint covering
 * record seq, and into *prev the size of the one before it (0). */
static int64_t
first_covering(struct copy *c, int64_t seq, int64_t *prev)
{
	*prev = db_int(&c->s, "SELECT COALESCE(MAX(tree_size), 0) FROM "
			      "audit_checkpoints WHERE tree_size < ?",
		       seq);
	return db_int(&c->s, "SELECT COUNT(*) FROM audit_checkpoints WHERE "
			     "tree_size < ?",
		      seq) +
	       1;
}

/* The stopped server signed a last checkpoint over everything; the log
 * verifies, with checkpoints of growing size (one signed while serving). */
static void
test_stopped_log_verifies(void **state)
{
	const char *args[] = {"audit", "verify", NULL};
	char *out = NULL, *out2 = NULL;
	json_t *j;

	(void)state;
	assert_int_equal(gh_stop(&srv), 0);
	records_at_stop = gh_db_count(&srv, "SELECT MAX(seq) FROM audit");
	assert_int_equal(gh_db_count(&srv, "SELECT COUNT(*) FROM audit_checkpoints a "
					   "JOIN audit_checkpoints b ON b.id > a.id "
					   "WHERE b.tree_size <= a.tree_size"),
			 0);
	assert_int_equal(gh_cli(&srv, NULL, &out, args), 0);
	j = json_loads(out, 0, NULL);
	free(out);
	assert_true(json_is_true(json_object_get(j, "ok")));
	assert_true(json_integer_value(json_object_get(j, "checkpoints")) >= 2);
	assert_int_equal(json_integer_value(json_object_get(j, "verified_up_to")),
			 records_at_stop);
	json_decref(j);
	assert_int_equal(export(&srv, NULL, 0, &out), 0);
	assert_int_equal(export(&srv, NULL, 1, &out2), 0);
	assert_string_equal(out, out2);
	check_export(out, 0, records_at_stop);
	free(out);
	free(out2);
}

/* A record changed, its leaf hash left alone. */
static void
test_verify_changed_record(void **state)
{
	int64_t m = records_at_stop / 2;
	struct copy c;
	char want[64];

	(void)state;
	copy_open(&c, "changed");
	tamper(&c, "UPDATE audit SET record = replace(record, '\"v\":1', "
		   "'\"v\":2') WHERE seq = $1",
	       m);
	snprintf(want, sizeof(want), "record %lld was changed", (long long)m);
	json_decref(expect_caught(&c, want, m, 0));
}

/* A leaf hash changed, its record left alone. */
static void
test_verify_changed_leaf(void **state)
{
	int64_t m = records_at_stop / 2 + 1;
	struct copy c;
	char want[64];

	(void)state;
	copy_open(&c, "leaf");
	tamper(&c, gh_db_pg() ? "UPDATE audit SET leaf_hash = "
				"decode(repeat('00', 32), 'hex') WHERE seq = $1"
			      : "UPDATE audit SET leaf_hash = zeroblob(32) "
				"WHERE seq = $1",
	       m);
	snprintf(want, sizeof(want), "record %lld was changed", (long long)m);
	json_decref(expect_caught(&c, want, m, 0));
}

/* A record removed in the middle: the last one the first checkpoint
 * covers, so the walk up to that checkpoint runs short of it, and must
 * still tell a gap from a cut end. */
static void
test_verify_removed_middle(void **state)
{
	struct copy c;
	char want[64];
	int64_t m;

	(void)state;
	copy_open(&c, "removed");
	m = db_int(&c.s, "SELECT MIN(tree_size) FROM audit_checkpoints WHERE "
			 "tree_size > 1",
		   0);
	assert_true(m > 1 && m < records_at_stop);
	tamper(&c, "DELETE FROM audit WHERE seq = $1", m);
	snprintf(want, sizeof(want), "record %lld is missing", (long long)m);
	json_decref(expect_caught(&c, want, m, 0));
}

/* Records 2 and 3 swapped, each with its own leaf hash: every record
 * matches its leaf, only a signed checkpoint can tell, and the report
 * names it and the records after the last good checkpoint. */
static void
test_verify_swapped(void **state)
{
	struct copy c;
	int64_t k, prev, size;
	char want[80];
	json_t *j, *sr;

	(void)state;
	copy_open(&c, "swapped");
	assert_int_equal(db_int(&c.s, "SELECT COUNT(*) FROM audit a JOIN audit b "
				      "ON b.seq = a.seq + 1 WHERE a.seq = ? AND "
				      "a.record <> b.record",
				2),
			 1);
	k = first_covering(&c, 2, &prev);
	size = db_int(&c.s, "SELECT tree_size FROM audit_checkpoints ORDER BY id "
			    "LIMIT 1 OFFSET ?",
		      k - 1);
	assert_true(size >= 3);
	tamper(&c, "UPDATE audit SET seq = -1 WHERE seq = 2", 0);
	tamper(&c, "UPDATE audit SET seq = 2 WHERE seq = 3", 0);
	tamper(&c, "UPDATE audit SET seq = 3 WHERE seq = -1", 0);
	snprintf(want, sizeof(want), "checkpoint %lld (%lld records) does not "
		 "match", (long long)k, (long long)size);
	j = expect_caught(&c, want, 0, k);
	sr = json_object_get(j, "suspect_records");
	assert_int_equal(json_integer_value(json_array_get(sr, 0)), prev + 1);
	assert_int_equal(json_integer_value(json_array_get(sr, 1)), size);
	json_decref(j);
}

/* A record rewritten together with a matching leaf hash. */
static void
test_verify_rewritten_with_leaf(void **state)
{
	int64_t m = records_at_stop - 1, prev, k;
	struct copy c;
	unsigned char h[32];
	const char *rec = "{\"action\":\"nothing.happened\",\"v\":1}";

	(void)state;
	copy_open(&c, "rewritten");
	k = first_covering(&c, m, &prev);
	merkle_leaf_hash(rec, strlen(rec), h);
	assert_int_equal(gh_db_run(&c.s, "UPDATE audit SET record = $1, "
					 "leaf_hash = $2 WHERE seq = $3",
				   "tbi", rec, h, sizeof(h), m),
			 1);
	json_decref(expect_caught(&c, "does not match the records", 0, k));
}

/* The last three records removed after the last checkpoint covered
 * them: named from the first missing one; and `audit checkpoint` will not
 * sign the cut log (before the fix it signed a checkpoint over it). */
static void
test_verify_truncated(void **state)
{
	const char *cp[] = {"audit", "checkpoint", NULL};
	int64_t cut = records_at_stop - 3, prev, k, n_cp;
	struct copy c;

	(void)state;
	copy_open(&c, "truncated");
	k = first_covering(&c, cut + 1, &prev);
	n_cp = db_int(&c.s, "SELECT COUNT(*) FROM audit_checkpoints", 0);
	tamper(&c, "DELETE FROM audit WHERE seq > $1", cut);
	assert_int_equal(gh_cli(&c.s, NULL, NULL, cp), 1);
	assert_true(gh_log_contains(&c.s, "audit.checkpoint_refused"));
	assert_int_equal(db_int(&c.s, "SELECT COUNT(*) FROM audit_checkpoints",
				0),
			 n_cp);
	json_decref(expect_caught(&c, "records were removed", cut + 1, k));
}

/* A checkpoint added without the key: its signature is bad. */
static void
test_verify_forged_checkpoint(void **state)
{
	struct copy c;
	int64_t n_cp;

	(void)state;
	copy_open(&c, "forged");
	n_cp = db_int(&c.s, "SELECT COUNT(*) FROM audit_checkpoints", 0);
	tamper(&c, gh_db_pg()
			   ? "INSERT INTO audit_checkpoints (tree_size, root, "
			     "signature, created_at) SELECT tree_size, root, "
			     "decode(repeat('00', 64), 'hex'), created_at FROM "
			     "audit_checkpoints WHERE id = (SELECT MAX(id) FROM "
			     "audit_checkpoints)"
			   : "INSERT INTO audit_checkpoints (tree_size, root, "
			     "signature, created_at) SELECT tree_size, root, "
			     "zeroblob(64), created_at FROM audit_checkpoints "
			     "WHERE id = (SELECT MAX(id) FROM audit_checkpoints)",
	       0);
	json_decref(expect_caught(&c, "has a bad signature", 0, n_cp + 1));
}

/* An old, genuinely signed checkpoint copied to the end: the log only
 * grows, so a newer checkpoint over fewer records is refused. */
static void
test_verify_replayed_checkpoint(void **state)
{
	struct copy c;
	int64_t n_cp;

	(void)state;
	copy_open(&c, "replayed");
	n_cp = db_int(&c.s, "SELECT COUNT(*) FROM audit_checkpoints", 0);
	tamper(&c, "INSERT INTO audit_checkpoints (tree_size, root, signature, "
		   "created_at) SELECT tree_size, root, signature, created_at "
		   "FROM audit_checkpoints WHERE tree_size > 1 ORDER BY id "
		   "LIMIT 1",
	       0);
	json_decref(expect_caught(&c, "covers fewer records than the "
				      "checkpoint before it",
				  0, n_cp + 1));
}

/* A row numbered 0 slipped in before record 1. */
static void
test_verify_row_before_first(void **state)
{
	struct copy c;

	(void)state;
	copy_open(&c, "zero");
	tamper(&c, "INSERT INTO audit (seq, record, leaf_hash) SELECT 0, "
		   "record, leaf_hash FROM audit WHERE seq = $1",
	       1);
	json_decref(expect_caught(&c, "record 1 is out of sequence", 1, 0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_export_while_serving),
		cmocka_unit_test(test_export_usage),
		cmocka_unit_test(test_stopped_log_verifies),
		cmocka_unit_test(test_verify_changed_record),
		cmocka_unit_test(test_verify_changed_leaf),
		cmocka_unit_test(test_verify_removed_middle),
		cmocka_unit_test(test_verify_swapped),
		cmocka_unit_test(test_verify_rewritten_with_leaf),
		cmocka_unit_test(test_verify_truncated),
		cmocka_unit_test(test_verify_forged_checkpoint),
		cmocka_unit_test(test_verify_replayed_checkpoint),
		cmocka_unit_test(test_verify_row_before_first),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, setup, teardown);
}
