/*
 * Issue 16 UNITS: `gatehouse backup` and `gatehouse restore`. A desk with
 * tickets, audit records and a rotated key ring is backed up while it
 * serves and a customer keeps writing; the backup is restored into a new directory, the key
 * files are copied in by hand (the backup holds none), and then `audit
 * verify` passes, the restored desk serves, and the customer logs in and
 * reads the ticket. Without the keys, or with another desk's keys, the
 * restored data does not verify. Refusals: overwriting a file, a backup
 * inside the data directory, a non-empty target, a file that is not a
 * database, a schema newer than the binary, a PostgreSQL store, and bad
 * arguments (exit 2 with the usage).
 */
#include <dirent.h>
#include <pthread.h>
#include <setjmp.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"

static struct gh_server srv;
static struct gh_user cust;
static char tmp[128];        /* a directory outside the data directory */
static char backup_file[300]; /* made by the first test */
static int64_t ticket_id;

static int
setup(void **state)
{
	char tmpl[] = "/tmp/gh-backup-XXXXXX";

	(void)state;
	assert_non_null(mkdtemp(tmpl));
	snprintf(tmp, sizeof(tmp), "%s", tmpl);
	gh_start(&srv, NULL);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	gh_stop(&srv);
	return 0;
}

/* A server record for another data directory (not started), with its
 * own log. */
static void
other_dir(struct gh_server *o, const char *name)
{
	memset(o, 0, sizeof(*o));
	snprintf(o->bin, sizeof(o->bin), "%s", srv.bin);
	snprintf(o->dir, sizeof(o->dir), "%s/%s", tmp, name);
	snprintf(o->log, sizeof(o->log), "%s/%s.log", tmp, name);
}

static void
copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb");
	FILE *out = fopen(to, "wb");
	char buf[8192];
	size_t n;

	assert_non_null(in);
	assert_non_null(out);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	assert_int_equal(fclose(out), 0);
	assert_int_equal(chmod(to, 0600), 0);
}

/* Copies the key files (and, with conf, gatehouse.conf) of from into
 * the data directory to: what the operator does after a restore. */
static void
copy_keys(const char *from, const char *to, int conf)
{
	static const char *const files[] = {"master.key", "audit.key",
					    "audit.pub", "tls.key", "tls.crt",
					    NULL};
	char a[600], b[600];
	struct dirent *e;
	DIR *d;

	for (size_t i = 0; files[i] != NULL; i++) {
		snprintf(a, sizeof(a), "%s/%s", from, files[i]);
		snprintf(b, sizeof(b), "%s/%s", to, files[i]);
		copy_file(a, b);
	}
	if (conf) {
		snprintf(a, sizeof(a), "%s/gatehouse.conf", from);
		snprintf(b, sizeof(b), "%s/gatehouse.conf", to);
		copy_file(a, b);
	}
	snprintf(a, sizeof(a), "%s/keys", from);
	d = opendir(a);
	if (d == NULL)
		return;
	snprintf(b, sizeof(b), "%s/keys", to);
	assert_int_equal(mkdir(b, 0700), 0);
	while ((e = readdir(d)) != NULL) {
		char fa[900], fb[900];

		if (e->d_name[0] == '.')
			continue;
		snprintf(fa, sizeof(fa), "%s/%s", a, e->d_name);
		snprintf(fb, sizeof(fb), "%s/%s", b, e->d_name);
		copy_file(fa, fb);
	}
	closedir(d);
}

/* The customer's writes while the backup runs. */
struct writer {
	struct gh_client *c;
	volatile int stop;
	int ok;
};

static void *
write_loop(void *arg)
{
	struct writer *w = arg;
	char path[80];

	snprintf(path, sizeof(path), "/api/v1/portal/tickets/%lld/messages",
		 (long long)ticket_id);
	while (!w->stop) {
		struct gh_resp r;

		if (gh_req(&srv, w->c, "POST", path,
			   "{\"body\":\"One more detail while you back up\"}",
			   NULL, &r) == 201)
			w->ok++;
		gh_resp_free(&r);
	}
	return NULL;
}

/* Logs the customer in and opens a ticket (audited, with a message). */
static void
make_desk(struct gh_client *c)
{
	const char *cp[] = {"audit", "checkpoint", NULL};
	const char *rotate[] = {"keys", "rotate", NULL};
	struct gh_resp r;

	gh_add_customer(&srv, "backup-cust@example.org", &cust);
	gh_client_init(c, 0);
	assert_int_equal(gh_login(&srv, c, &cust), 201);
	assert_int_equal(gh_req(&srv, c, "POST", "/api/v1/portal/tickets",
				"{\"subject\":\"Restore me\",\"body\":\"The "
				"parcel never came\"}",
				NULL, &r),
			 201);
	ticket_id = json_integer_value(json_object_get(r.json, "id"));
	gh_resp_free(&r);
	assert_true(ticket_id > 0);
	/* A rotated ring: the seals are now under keys/2.key. */
	assert_int_equal(gh_cli(&srv, NULL, NULL, rotate), 0);
	assert_int_equal(gh_cli(&srv, NULL, NULL, cp), 0);
}

/* Backs the serving desk up while the customer writes; checks the file
 * and what the command said. */
static void
backup_while_writing(struct gh_client *c)
{
	const char *args[] = {"backup", "--to", backup_file, NULL};
	struct writer w = {.c = c};
	pthread_t t;
	struct stat st;
	char *out = NULL;
	json_t *j;

	snprintf(backup_file, sizeof(backup_file), "%s/desk.backup", tmp);
	assert_int_equal(pthread_create(&t, NULL, write_loop, &w), 0);
	usleep(300000);
	assert_int_equal(gh_cli(&srv, NULL, &out, args), 0);
	usleep(300000);
	w.stop = 1;
	pthread_join(t, NULL);
	assert_true(w.ok > 0);
	assert_int_equal(stat(backup_file, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	j = json_loads(out, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "backup")),
			    backup_file);
	assert_string_equal(json_string_value(json_object_get(j, "integrity")),
			    "ok");
	assert_non_null(strstr(out, "\"master.key\""));
	assert_non_null(strstr(out, "\"audit.key\""));
	assert_non_null(strstr(out, "\"keys/2.key\""));
	assert_non_null(strstr(out, "\"keys/current\""));
	json_decref(j);
	free(out);
	assert_true(gh_log_contains(&srv, "unreadable without the files of"));
	assert_true(gh_log_contains(&srv, "Keep those keys and the backups "
					  "apart"));
	assert_int_equal(gh_audit_count(&srv, "store.backup", "success"), 1);
}

/* `audit verify` on the restored directory: 0 and intact, with every
 * record of the restored database and at least the signed checkpoint. */
static void
expect_verified(struct gh_server *n)
{
	const char *verify[] = {"audit", "verify", NULL};
	char *out = NULL;
	json_t *j;

	assert_int_equal(gh_cli(n, NULL, &out, verify), 0);
	j = json_loads(out, 0, NULL);
	assert_non_null(j);
	assert_true(json_is_true(json_object_get(j, "ok")));
	assert_true(json_integer_value(json_object_get(j, "checkpoints")) >= 1);
	assert_int_equal(json_integer_value(json_object_get(j, "records")),
			 gh_db_count(n, "SELECT COUNT(*) FROM audit"));
	json_decref(j);
	free(out);
}

/* The restored desk serves: the customer logs in (their TOTP seed is
 * sealed under the copied master key) and reads the ticket and the
 * messages written before the backup. */
static void
expect_serving(struct gh_server *n)
{
	struct gh_client c;
	struct gh_resp r;
	char path[64];

	gh_restart(n, NULL);
	gh_client_init(&c, 0);
	assert_int_equal(gh_login(n, &c, &cust), 201);
	snprintf(path, sizeof(path), "/api/v1/portal/tickets/%lld",
		 (long long)ticket_id);
	assert_int_equal(gh_req(n, &c, "GET", path, NULL, NULL, &r), 200);
	assert_non_null(strstr(r.body, "Restore me"));
	assert_non_null(strstr(r.body, "The parcel never came"));
	assert_non_null(strstr(r.body, "One more detail while you back up"));
	gh_resp_free(&r);
	gh_client_free(&c);
	assert_int_equal(gh_stop(n), 0);
}

static void
test_backup_restore_verify(void **state)
{
	const char *restore[] = {"restore", "--from", backup_file, NULL};
	const char *verify[] = {"audit", "verify", NULL};
	struct gh_client c;
	struct gh_server n;
	char path[400], *out = NULL;

	(void)state;
	gh_db_sqlite_only("gatehouse backup and restore copy a SQLite "
			  "database file; a PostgreSQL store is backed up "
			  "with pg_dump (docs/operations.md)");
	make_desk(&c);
	backup_while_writing(&c);
	gh_client_free(&c);
	other_dir(&n, "restored");
	assert_int_equal(gh_cli(&n, NULL, &out, restore), 0);
	assert_non_null(strstr(out, "copy_before_serve"));
	free(out);
	assert_true(gh_log_contains(&n, "The backup holds no key"));
	/* No key came with it. */
	snprintf(path, sizeof(path), "%s/master.key", n.dir);
	assert_int_not_equal(access(path, F_OK), 0);
	assert_int_equal(gh_db_count(&n, "SELECT COUNT(*) FROM tickets WHERE "
					 "subject = 'Restore me'"),
			 1);
	/* The audit log came along; the backup's own record is written
	 * after the copy, so only the live desk has it. */
	assert_true(gh_db_count(&n, "SELECT COUNT(*) FROM audit") > 1);
	assert_int_equal(gh_audit_count(&n, "store.backup", NULL), 0);
	/* Without the keys it does not even open. */
	assert_int_equal(gh_cli(&n, NULL, NULL, verify), 1);
	copy_keys(srv.dir, n.dir, 1);
	expect_verified(&n);
	expect_serving(&n);
}

/* A restore given the configuration but not the keys fails and says
 * which files are missing; another desk's keys do not verify. */
static void
test_restore_without_its_keys(void **state)
{
	const char *restore[] = {"restore", "--from", backup_file, NULL};
	const char *verify[] = {"audit", "verify", NULL};
	const char *init[] = {"init", NULL};
	struct gh_server n, o;
	char a[400], b[400];

	(void)state;
	gh_db_sqlite_only("gatehouse backup and restore copy a SQLite "
			  "database file; a PostgreSQL store is backed up "
			  "with pg_dump (docs/operations.md)");
	assert_true(backup_file[0] != '\0');
	/* An empty directory that exists is as good as none. */
	other_dir(&n, "keyless");
	assert_int_equal(mkdir(n.dir, 0700), 0);
	assert_int_equal(gh_cli(&n, NULL, NULL, restore), 0);
	snprintf(a, sizeof(a), "%s/gatehouse.conf", srv.dir);
	snprintf(b, sizeof(b), "%s/gatehouse.conf", n.dir);
	copy_file(a, b);
	assert_int_equal(gh_cli(&n, NULL, NULL, verify), 1);
	assert_true(gh_log_contains(&n, "cannot load the keys (master.key"));
	/* Keys of another desk: the checkpoints' signatures fail. */
	other_dir(&o, "stranger");
	assert_int_equal(gh_cli(&o, NULL, NULL, init), 0);
	other_dir(&n, "wrongkeys");
	assert_int_equal(gh_cli(&n, NULL, NULL, restore), 0);
	copy_keys(o.dir, n.dir, 1);
	assert_int_equal(gh_cli(&n, NULL, NULL, verify), 1);
}

/* Exit 2 and the usage for each bad command line. */
static void
expect_usage(struct gh_server *s, const char *const *args)
{
	char *out = NULL;

	assert_int_equal(gh_cli(s, NULL, &out, args), 2);
	assert_string_equal(out, "");
	free(out);
}

static void
test_bad_arguments(void **state)
{
	const char *no_to[] = {"backup", NULL};
	const char *extra[] = {"backup", "--to", "/tmp/x.gh", "more", NULL};
	const char *bogus[] = {"backup", "--bogus", NULL};
	const char *empty[] = {"backup", "--to", "", NULL};
	const char *no_from[] = {"restore", NULL};
	const char *to_not_from[] = {"restore", "--to", "/tmp/x.gh", NULL};

	(void)state;
	expect_usage(&srv, no_to);
	expect_usage(&srv, extra);
	expect_usage(&srv, bogus);
	expect_usage(&srv, empty);
	expect_usage(&srv, no_from);
	expect_usage(&srv, to_not_from);
	assert_true(gh_log_contains(&srv, "gatehouse backup --dir DIR --to "
					  "FILE"));
	assert_true(gh_log_contains(&srv, "gatehouse restore --dir NEWDIR "
					  "--from FILE"));
}

/* A file that exists is never overwritten; no backup inside the data
 * directory; a store that is not SQLite is sent to pg_dump. */
static void
test_backup_refusals(void **state)
{
	char exists[300], inside[400], *out = NULL;
	const char *over[] = {"backup", "--to", exists, NULL};
	const char *in[] = {"backup", "--to", inside, NULL};
	struct gh_server pg;
	char conf[400];
	FILE *f;

	(void)state;
	snprintf(exists, sizeof(exists), "%s/taken", tmp);
	f = fopen(exists, "w");
	assert_non_null(f);
	fputs("keep me", f);
	fclose(f);
	assert_int_equal(gh_cli(&srv, NULL, &out, over), 1);
	assert_string_equal(out, "");
	free(out);
	f = fopen(exists, "r");
	assert_non_null(f);
	assert_non_null(fgets(conf, sizeof(conf), f));
	fclose(f);
	assert_string_equal(conf, "keep me");
	/* On PostgreSQL the desk itself is sent to pg_dump first. */
	assert_true(gh_log_contains(&srv, gh_db_pg() ? "pg_dump"
						     : "never overwrites"));
	snprintf(inside, sizeof(inside), "%s/outbox/desk.backup", srv.dir);
	assert_int_equal(gh_cli(&srv, NULL, NULL, in), 1);
	assert_int_not_equal(access(inside, F_OK), 0);
	assert_true(gh_db_pg() ||
		    gh_log_contains(&srv, "must not be inside the data "
					  "directory"));
	other_dir(&pg, "pgdesk");
	assert_int_equal(mkdir(pg.dir, 0700), 0);
	snprintf(conf, sizeof(conf), "%s/gatehouse.conf", pg.dir);
	f = fopen(conf, "w");
	assert_non_null(f);
	fputs("[database]\nurl = postgresql://gatehouse@db.example/gh\n", f);
	fclose(f);
	snprintf(exists, sizeof(exists), "%s/pg.backup", tmp);
	assert_int_equal(gh_cli(&pg, NULL, NULL, over), 1);
	assert_int_not_equal(access(exists, F_OK), 0);
	assert_true(gh_log_contains(&pg, "pg_dump"));
}

/* Restore refuses a non-empty directory, a missing file, a file that is
 * not a database, and a schema newer than the binary; a refused restore
 * leaves no directory it created. */
static void
test_restore_refusals(void **state)
{
	char junk[300], newer[300], marker[400], sql[400];
	const char *from_junk[] = {"restore", "--from", junk, NULL};
	const char *from_newer[] = {"restore", "--from", newer, NULL};
	const char *from_backup[] = {"restore", "--from", backup_file, NULL};
	struct gh_server n;
	sqlite3 *db = NULL;
	FILE *f;

	(void)state;
	gh_db_sqlite_only("gatehouse backup and restore copy a SQLite "
			  "database file; a PostgreSQL store is backed up "
			  "with pg_dump (docs/operations.md)");
	assert_true(backup_file[0] != '\0');
	other_dir(&n, "busy");
	assert_int_equal(mkdir(n.dir, 0700), 0);
	snprintf(marker, sizeof(marker), "%s/something", n.dir);
	f = fopen(marker, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(gh_cli(&n, NULL, NULL, from_backup), 1);
	assert_true(gh_log_contains(&n, "is not empty"));
	snprintf(marker, sizeof(marker), "%s/gatehouse.db", n.dir);
	assert_int_not_equal(access(marker, F_OK), 0);

	snprintf(junk, sizeof(junk), "%s/junk.backup", tmp);
	f = fopen(junk, "w");
	assert_non_null(f);
	fputs("this is not a database, it only looks like a backup\n", f);
	fclose(f);
	other_dir(&n, "fromjunk");
	assert_int_equal(gh_cli(&n, NULL, NULL, from_junk), 1);
	assert_true(gh_log_contains(&n, "not a database"));
	assert_int_not_equal(access(n.dir, F_OK), 0);
	unlink(junk);
	other_dir(&n, "frommissing");
	assert_int_equal(gh_cli(&n, NULL, NULL, from_junk), 1);
	assert_int_not_equal(access(n.dir, F_OK), 0);

	snprintf(newer, sizeof(newer), "%s/newer.backup", tmp);
	copy_file(backup_file, newer);
	assert_int_equal(sqlite3_open(newer, &db), SQLITE_OK);
	snprintf(sql, sizeof(sql), "INSERT INTO schema_migrations (version, "
				   "applied_at) VALUES (9999, 0)");
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	other_dir(&n, "fromnewer");
	assert_int_equal(gh_cli(&n, NULL, NULL, from_newer), 1);
	assert_true(gh_log_contains(&n, "schema version 9999, newer than "
					"this gatehouse"));
	assert_int_not_equal(access(n.dir, F_OK), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backup_restore_verify),
		cmocka_unit_test(test_restore_without_its_keys),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_backup_refusals),
		cmocka_unit_test(test_restore_refusals),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
