/*
 * Issue 16: `gatehouse store copy --dir DIR --to URL`. A SQLite desk made
 * through the API (staff, a customer with sealed fields, a ticket with
 * messages, a note and an attachment, the audit log with a signed
 * checkpoint) is copied into an empty PostgreSQL database while it serves
 * and a customer keeps writing. The ciphertexts arrive byte for byte;
 * then `gatehouse serve` on the PostgreSQL URL, with the desk's keys,
 * serves it: the staff member logs in, reads the ticket and its note,
 * downloads the attachment, finds the ticket by a word of a message,
 * reveals the customer's phone number (decrypted with the same keys);
 * the customer logs in and opens a new ticket (the identities were moved
 * past the copied ids); `gatehouse audit verify` on it passes.
 *
 * Refusals, each leaving the target as it was: a second copy into the
 * same database, a database holding any table, a source whose audit log
 * was tampered with (the verification on the target fails), a table or a
 * column on one side only; bad command lines (exit 2), a URL holding a
 * password (never echoed), an unreachable server, a desk already on
 * PostgreSQL, an unreadable --password-file. After them all, the spare
 * database takes a copy (with --password-file): it was left as it was.
 *
 * Needs PostgreSQL: GH_TEST_PG_URL (the maintenance database) and libpq's
 * environment (PGHOST, PGPORT, PGUSER), which `serve` inherits; it is in
 * the suite store_pg, which scripts/run-tests runs on a throwaway
 * cluster. Without GH_TEST_PG_URL it is skipped (exit 77).
 */
#include <libpq-fe.h>
#include <pthread.h>
#include <setjmp.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"

#define PHONE "+44 20 7946 0123"
/* A word only one message holds, to search for. */
#define WORD "zanzibarite"
/* Bytes COPY's text format escapes, and a NUL: they must arrive whole. */
static const unsigned char receipt[] = "Receipt\tno. 7\r\nback\\slash \\N\0end";

static struct gh_server srv;          /* the SQLite desk, serving */
static struct gh_user agent, cust;
static struct gh_client c_agent, c_cust;
static int64_t ticket_id, attachment_id;
static char db_main[64], db_other[64], db_spare[64];

/* --- PostgreSQL helpers ------------------------------------------------ */

/* Runs sql on the maintenance database (GH_TEST_PG_URL). */
static void
admin(const char *sql)
{
	PGconn *db = PQconnectdb(getenv("GH_TEST_PG_URL"));
	PGresult *res;

	assert_int_equal(PQstatus(db), CONNECTION_OK);
	res = PQexec(db, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(db));
	PQclear(res);
	PQfinish(db);
}

static void
url_of(const char *db, char *out, size_t outsz)
{
	snprintf(out, outsz, "postgresql:///%s", db);
}

/* The first column of the first row of sql on database db, as text
 * (malloc'd). */
static char *
pg_text(const char *db, const char *sql)
{
	char url[128];
	PGconn *c;
	PGresult *res;
	char *v;

	url_of(db, url, sizeof(url));
	c = PQconnectdb(url);
	assert_int_equal(PQstatus(c), CONNECTION_OK);
	res = PQexec(c, sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
		fail_msg("%s: %s", sql, PQerrorMessage(c));
	v = strdup(PQgetisnull(res, 0, 0) ? "" : PQgetvalue(res, 0, 0));
	PQclear(res);
	PQfinish(c);
	return v;
}

static int64_t
pg_count(const char *db, const char *sql)
{
	char *v = pg_text(db, sql);
	int64_t n = strtoll(v, NULL, 10);

	free(v);
	return n;
}

/* Relations in the public schema of db: 0 for a target left as it was. */
static int64_t
pg_relations(const char *db)
{
	return pg_count(db, "SELECT count(*) FROM pg_class c JOIN pg_namespace "
			    "n ON n.oid = c.relnamespace WHERE n.nspname = "
			    "'public'");
}

/* The first column of the first row of sql on the desk's SQLite file. */
static char *
sq_text(const struct gh_server *s, const char *sql)
{
	char path[400];
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	char *v;

	snprintf(path, sizeof(path), "%s/gatehouse.db", s->dir);
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL),
			 SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = strdup(sqlite3_column_text(st, 0)
			   ? (const char *)sqlite3_column_text(st, 0)
			   : "");
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

/* --- the desk ---------------------------------------------------------- */

static char *
b64(const unsigned char *p, size_t n)
{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrst"
				"uvwxyz0123456789+/";
	char *o = malloc(4 * ((n + 2) / 3) + 1);
	size_t j = 0;

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16;

		v |= i + 1 < n ? (unsigned)p[i + 1] << 8 : 0;
		v |= i + 2 < n ? p[i + 2] : 0;
		o[j++] = t[(v >> 18) & 63];
		o[j++] = t[(v >> 12) & 63];
		o[j++] = i + 1 < n ? t[(v >> 6) & 63] : '=';
		o[j++] = i + 2 < n ? t[v & 63] : '=';
	}
	o[j] = '\0';
	return o;
}

/* Staff, a customer, a ticket with a note and an attachment, a signed
 * checkpoint. */
static void
make_desk(void)
{
	const char *cp[] = {"audit", "checkpoint", NULL};
	char path[96], *e;
	struct gh_resp r;

	gh_add_staff(&srv, "agent@example.com", "agent", &agent);
	gh_train(&srv, "agent@example.com");
	gh_add_customer(&srv, "copy-cust@example.org", &cust);
	gh_client_init(&c_agent, 1);
	gh_client_init(&c_cust, 0);
	assert_int_equal(gh_login(&srv, &c_agent, &agent), 201);
	assert_int_equal(gh_login(&srv, &c_cust, &cust), 201);
	assert_int_equal(gh_send_json(&srv, &c_cust, "POST",
				      "/api/v1/portal/tickets",
				      json_pack("{s:s, s:s}", "subject",
						"Broken kettle", "body",
						"The kettle sparks like "
						WORD " on a stormy day"),
				      &r),
			 201);
	ticket_id = json_integer_value(json_object_get(r.json, "id"));
	gh_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/portal/tickets/%lld/attachments",
		 (long long)ticket_id);
	e = b64(receipt, sizeof(receipt) - 1);
	assert_int_equal(gh_send_json(&srv, &c_cust, "POST", path,
				      json_pack("{s:s, s:s}", "filename",
						"receipt.txt", "content_base64",
						e),
				      &r),
			 201);
	free(e);
	attachment_id = json_integer_value(json_object_get(r.json, "id"));
	gh_resp_free(&r);
	assert_true(attachment_id > 0);
	snprintf(path, sizeof(path), "/api/v1/tickets/%lld/notes",
		 (long long)ticket_id);
	assert_int_equal(gh_send_json(&srv, &c_agent, "POST", path,
				      json_pack("{s:s}", "body",
						"Warranty checked, "
						"model KX-9"),
				      &r),
			 201);
	gh_resp_free(&r);
	assert_int_equal(gh_cli(&srv, NULL, NULL, cp), 0);
}

static int
setup(void **state)
{
	char sql[160];

	(void)state;
	snprintf(db_main, sizeof(db_main), "gh_copy_%ld_main", (long)getpid());
	snprintf(db_other, sizeof(db_other), "gh_copy_%ld_other",
		 (long)getpid());
	snprintf(db_spare, sizeof(db_spare), "gh_copy_%ld_spare",
		 (long)getpid());
	for (int i = 0; i < 3; i++) {
		const char *n = i == 0 ? db_main : i == 1 ? db_other : db_spare;

		snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", n);
		admin(sql);
		snprintf(sql, sizeof(sql), "CREATE DATABASE %s", n);
		admin(sql);
	}
	gh_start(&srv, NULL);
	make_desk();
	return 0;
}

static int
teardown(void **state)
{
	char sql[160];

	(void)state;
	gh_client_free(&c_agent);
	gh_client_free(&c_cust);
	gh_stop(&srv);
	for (int i = 0; i < 3; i++) {
		snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH "
			 "(FORCE)", i == 0 ? db_main : i == 1 ? db_other
							    : db_spare);
		admin(sql);
	}
	return 0;
}

/* `store copy --to postgresql:///db` on the desk; *out gets stdout. */
static int
copy_to(const char *db, char **out)
{
	char url[128];
	const char *args[] = {"store", "copy", "--to", url, NULL};

	url_of(db, url, sizeof(url));
	return gh_cli(&srv, NULL, out, args);
}

/* --- copying a serving desk -------------------------------------------- */

struct writer {
	volatile int stop;
	int ok;
};

/* The customer writes to the ticket while the copy runs (the main
 * thread leaves c_cust alone meanwhile). */
static void *
write_loop(void *arg)
{
	struct writer *w = arg;
	char path[80];

	snprintf(path, sizeof(path), "/api/v1/portal/tickets/%lld/messages",
		 (long long)ticket_id);
	while (!w->stop) {
		struct gh_resp r;

		if (gh_req(&srv, &c_cust, "POST", path,
			   "{\"body\":\"Still sparking, one more detail\"}",
			   NULL, &r) == 201)
			w->ok++;
		gh_resp_free(&r);
	}
	return NULL;
}

/* The copy's report: every table named, the audit verified. */
static void
check_report(const char *out)
{
	json_t *j = json_loads(out, 0, NULL);
	json_t *t, *a;

	assert_non_null(j);
	assert_true(json_is_true(json_object_get(j, "copied")));
	t = json_object_get(j, "tables");
	assert_int_equal(json_integer_value(json_object_get(t, "tickets")), 1);
	assert_int_equal(json_integer_value(json_object_get(t, "attachments")),
			 1);
	assert_int_equal(json_integer_value(json_object_get(t, "notes")), 1);
	assert_int_equal(json_integer_value(json_object_get(t, "customers")), 1);
	assert_true(json_integer_value(json_object_get(t, "messages")) >= 1);
	assert_null(json_object_get(t, "schema_migrations"));
	assert_null(json_object_get(t, "search_messages"));
	assert_string_equal(json_string_value(json_object_get(j, "derived")),
			    "search_messages, search_notes, search_subjects");
	a = json_object_get(j, "audit");
	assert_true(json_is_true(json_object_get(a, "ok")));
	assert_true(json_integer_value(json_object_get(a, "checkpoints")) >= 1);
	assert_int_equal(json_integer_value(json_object_get(a, "records")),
			 json_integer_value(json_object_get(t, "audit")));
	json_decref(j);
}

/* Ciphertexts and ids byte for byte: the sealed fields and seeds of the
 * customers, the attachment's content. */
static void
check_bytes(void)
{
	static const char sq_c[] =
		"SELECT group_concat(id || ':' || hex(email) || hex(coalesce("
		"phone, x'')) || hex(coalesce(dob, x'')) || hex(totp_seed), ','"
		") FROM (SELECT * FROM customers ORDER BY id)";
	static const char pg_c[] =
		"SELECT string_agg(id || ':' || upper(encode(email, 'hex') || "
		"encode(coalesce(phone, ''), 'hex') || encode(coalesce(dob, ''), "
		"'hex') || encode(totp_seed, 'hex')), ',' ORDER BY id) FROM "
		"customers";
	char *a = sq_text(&srv, sq_c), *b = pg_text(db_main, pg_c);

	assert_true(strlen(a) > 100);
	assert_string_equal(a, b);
	free(a);
	free(b);
	a = sq_text(&srv, "SELECT hex(content) FROM attachments");
	b = pg_text(db_main, "SELECT upper(encode(content, 'hex')) FROM "
			     "attachments");
	assert_string_equal(a, b);
	free(a);
	free(b);
}

static void
test_copy_while_serving(void **state)
{
	struct writer w = {0};
	pthread_t t;
	char *out = NULL;

	(void)state;
	assert_int_equal(pthread_create(&t, NULL, write_loop, &w), 0);
	usleep(300000);
	assert_int_equal(copy_to(db_main, &out), 0);
	usleep(300000);
	w.stop = 1;
	pthread_join(t, NULL);
	assert_true(w.ok > 0);
	check_report(out);
	free(out);
	assert_true(gh_log_contains(&srv, "url = postgresql:///"));
	/* The desk's own log records the copy, after it. */
	assert_int_equal(gh_audit_count(&srv, "store.copy", "success"), 1);
	assert_int_equal(pg_count(db_main, "SELECT count(*) FROM audit WHERE "
					   "record LIKE '%store.copy%'"),
			 0);
	check_bytes();
	/* A consistent snapshot: the messages copied are a prefix of the
	 * desk's, and the audit log verified on the target as a whole. */
	assert_true(pg_count(db_main, "SELECT count(*) FROM messages") <=
		    gh_db_count(&srv, "SELECT COUNT(*) FROM messages"));
	assert_int_equal(pg_count(db_main, "SELECT count(*) FROM audit"),
			 pg_count(db_main, "SELECT max(seq) FROM audit"));
}

/* --- serving the copy -------------------------------------------------- */

static struct gh_server pgd; /* the desk's keys and config on PostgreSQL */

/* A data directory beside the desk's, holding its keys and configuration
 * (cp -a) but no database file; with snapshot, the desk's database as
 * one consistent copy (SQLite's backup API). */
static void
clone_desk(struct gh_server *o, const char *suffix, int snapshot)
{
	char cmd[1400], path[400], from[400];
	sqlite3 *a = NULL, *b = NULL;
	sqlite3_backup *bk;

	memset(o, 0, sizeof(*o));
	snprintf(o->bin, sizeof(o->bin), "%s", srv.bin);
	snprintf(o->dir, sizeof(o->dir), "%.200s-%.20s", srv.dir, suffix);
	snprintf(o->log, sizeof(o->log), "%.200s-%.20s.log", srv.dir, suffix);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && cp -a '%s' '%s' && rm -f "
		 "'%s'/gatehouse.db*", o->dir, srv.dir, o->dir, o->dir);
	assert_int_equal(system(cmd), 0);
	if (!snapshot)
		return;
	snprintf(from, sizeof(from), "%s/gatehouse.db", srv.dir);
	snprintf(path, sizeof(path), "%s/gatehouse.db", o->dir);
	assert_int_equal(sqlite3_open(from, &a), SQLITE_OK);
	assert_int_equal(sqlite3_open(path, &b), SQLITE_OK);
	sqlite3_busy_timeout(a, 5000);
	bk = sqlite3_backup_init(b, "main", a, "main");
	assert_non_null(bk);
	assert_int_equal(sqlite3_backup_step(bk, -1), SQLITE_DONE);
	sqlite3_backup_finish(bk);
	sqlite3_close(a);
	assert_int_equal(sqlite3_close(b), SQLITE_OK);
}

/* Sets o's [database] url to the PostgreSQL database db. */
static void
point_at(struct gh_server *o, const char *db)
{
	static const char line[] = "\nurl = sqlite:gatehouse.db\n";
	char path[400], url[128], *text, *at;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/gatehouse.conf", o->dir);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)n + 1);
	assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	at = strstr(text, line);
	assert_non_null(at);
	url_of(db, url, sizeof(url));
	f = fopen(path, "wb");
	assert_non_null(f);
	fprintf(f, "%.*s\nurl = %s\n%s", (int)(at - text), text, url,
		at + strlen(line));
	assert_int_equal(fclose(f), 0);
	free(text);
}

/* The ticket, its note, and a search for a word of its first message. */
static void
read_ticket(struct gh_client *c)
{
	struct gh_resp r;
	char path[96];
	json_t *t;

	snprintf(path, sizeof(path), "/api/v1/tickets/%lld",
		 (long long)ticket_id);
	assert_int_equal(gh_req(&pgd, c, "GET", path, NULL, NULL, &r), 200);
	assert_non_null(strstr(r.body, "Broken kettle"));
	assert_non_null(strstr(r.body, "The kettle sparks like " WORD));
	assert_non_null(strstr(r.body, "Warranty checked, model KX-9"));
	gh_resp_free(&r);
	assert_int_equal(gh_req(&pgd, c, "GET", "/api/v1/tickets?q=" WORD,
				NULL, NULL, &r),
			 200);
	t = json_object_get(r.json, "tickets");
	assert_int_equal(json_array_size(t), 1);
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(t, 0), "id")),
			 ticket_id);
	gh_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/attachments/%lld",
		 (long long)attachment_id);
	assert_int_equal(gh_req(&pgd, c, "GET", path, NULL, NULL, &r), 200);
	assert_int_equal(r.len, sizeof(receipt) - 1);
	assert_memory_equal(r.body, receipt, sizeof(receipt) - 1);
	gh_resp_free(&r);
}

/* A verification with the customer's TOTP code, then the phone number
 * revealed: the ciphertext decrypts with the desk's keys. */
static void
reveal_phone(struct gh_client *c)
{
	struct gh_resp r;
	char path[96], code[7];
	int64_t v;

	snprintf(path, sizeof(path), "/api/v1/tickets/%lld/verifications",
		 (long long)ticket_id);
	assert_int_equal(gh_send_json(&pgd, c, "POST", path, json_object(), &r),
			 201);
	v = json_integer_value(json_object_get(r.json, "id"));
	gh_resp_free(&r);
	gh_totp_next(&cust, code);
	snprintf(path, sizeof(path), "/api/v1/verifications/%lld/factors",
		 (long long)v);
	assert_int_equal(gh_send_json(&pgd, c, "POST", path,
				      json_pack("{s:s, s:s}", "method", "totp",
						"code", code),
				      &r),
			 200);
	gh_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/customers/%lld/reveal",
		 (long long)cust.id);
	assert_int_equal(gh_send_json(&pgd, c, "POST", path,
				      json_pack("{s:s, s:s, s:I}", "field",
						"phone", "reason",
						"Caller asked to confirm it",
						"verification", (json_int_t)v),
				      &r),
			 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "value")),
			    PHONE);
	gh_resp_free(&r);
}

/* The customer logs in on PostgreSQL and opens a ticket: its id comes
 * after the copied ones (the identity was moved past them). */
static void
customer_writes(void)
{
	struct gh_client c;
	struct gh_resp r;

	gh_client_init(&c, 0);
	assert_int_equal(gh_login(&pgd, &c, &cust), 201);
	assert_int_equal(gh_send_json(&pgd, &c, "POST", "/api/v1/portal/tickets",
				      json_pack("{s:s, s:s}", "subject",
						"Second kettle", "body",
						"This one hums."),
				      &r),
			 201);
	assert_true(json_integer_value(json_object_get(r.json, "id")) >
		    ticket_id);
	gh_resp_free(&r);
	gh_client_free(&c);
}

static void
test_serve_on_postgresql(void **state)
{
	const char *verify[] = {"audit", "verify", NULL};
	struct gh_client c;
	char *out = NULL;
	json_t *j;

	(void)state;
	clone_desk(&pgd, "pg", 0);
	point_at(&pgd, db_main);
	gh_restart(&pgd, NULL);
	gh_client_init(&c, 1);
	assert_int_equal(gh_login(&pgd, &c, &agent), 201);
	read_ticket(&c);
	customer_writes();
	reveal_phone(&c);
	gh_client_free(&c);
	assert_int_equal(gh_stop(&pgd), 0);
	/* No SQLite file appeared: it served from PostgreSQL. */
	{
		char path[400];

		snprintf(path, sizeof(path), "%s/gatehouse.db", pgd.dir);
		assert_int_not_equal(access(path, F_OK), 0);
	}
	assert_int_equal(gh_cli(&pgd, NULL, &out, verify), 0);
	j = json_loads(out, 0, NULL);
	assert_non_null(j);
	assert_true(json_is_true(json_object_get(j, "ok")));
	assert_true(json_integer_value(json_object_get(j, "checkpoints")) >= 1);
	assert_int_equal(json_integer_value(json_object_get(j, "records")),
			 pg_count(db_main, "SELECT count(*) FROM audit"));
	json_decref(j);
	free(out);
	/* The reveal was audited on PostgreSQL, after the copied records. */
	assert_int_equal(pg_count(db_main, "SELECT count(*) FROM reveals"), 1);
}

/* --- refusals ---------------------------------------------------------- */

/* Runs sql on database db. */
static void
pg_exec(const char *db, const char *sql)
{
	char url[128];
	PGconn *c;
	PGresult *res;

	url_of(db, url, sizeof(url));
	c = PQconnectdb(url);
	assert_int_equal(PQstatus(c), CONNECTION_OK);
	res = PQexec(c, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(c));
	PQclear(res);
	PQfinish(c);
}

/* A second copy into the desk's database, and a copy into a database
 * holding anything: refused, nothing changed. */
static void
test_second_copy_refused(void **state)
{
	int64_t tickets = pg_count(db_main, "SELECT count(*) FROM tickets");
	int64_t rel = pg_relations(db_main);
	char *out = NULL, latin1[80], sql[200];

	(void)state;
	assert_int_equal(copy_to(db_main, &out), 1);
	assert_string_equal(out, "");
	free(out);
	assert_true(gh_log_contains(&srv, "\"error\":\"already_exists\""));
	assert_true(gh_log_contains(&srv, "already holds a Gatehouse desk"));
	assert_int_equal(pg_count(db_main, "SELECT count(*) FROM tickets"),
			 tickets);
	assert_int_equal(pg_relations(db_main), rel);
	pg_exec(db_other, "CREATE TABLE unrelated (x int); "
			  "INSERT INTO unrelated VALUES (7)");
	assert_int_equal(copy_to(db_other, NULL), 1);
	assert_true(gh_log_contains(&srv, "the target database is not empty"));
	assert_int_equal(pg_count(db_other, "SELECT count(*) FROM unrelated"),
			 1);
	assert_int_equal(pg_relations(db_other), 1);
	assert_int_equal(gh_audit_count(&srv, "store.copy", "failure"), 2);
	/* A database that is not UTF8: refused before anything is made. */
	snprintf(latin1, sizeof(latin1), "%s_latin1", db_spare);
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", latin1);
	admin(sql);
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s ENCODING 'LATIN1' "
				   "LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0",
		 latin1);
	admin(sql);
	assert_int_equal(copy_to(latin1, NULL), 1);
	assert_true(gh_log_contains(&srv, "the target database is not UTF8"));
	assert_int_equal(pg_relations(latin1), 0);
	snprintf(sql, sizeof(sql), "DROP DATABASE %s", latin1);
	admin(sql);
}

/* A record of the source's audit log changed: the verification on the
 * target fails, the copy is rolled back. */
static void
test_tampered_audit_refused(void **state)
{
	char *trigger = sq_text(&srv, "SELECT sql FROM sqlite_schema WHERE "
				      "name = 'audit_no_update'");

	(void)state;
	gh_db_exec(&srv, "DROP TRIGGER audit_no_update");
	gh_db_exec(&srv, "UPDATE audit SET record = record || ' ' WHERE "
			 "seq = 2");
	assert_int_equal(copy_to(db_spare, NULL), 1);
	assert_true(gh_log_contains(&srv, "the audit log does not verify on "
					  "the target"));
	assert_true(gh_log_contains(&srv, "first bad record 2"));
	assert_int_equal(pg_relations(db_spare), 0);
	gh_db_exec(&srv, "UPDATE audit SET record = substr(record, 1, "
			 "length(record) - 1) WHERE seq = 2");
	gh_db_exec(&srv, trigger);
	free(trigger);
}

/* A table or a column on one side only stops the copy, naming it. */
static void
test_table_on_one_side(void **state)
{
	struct gh_server o;
	char path[400];
	sqlite3 *db = NULL;

	(void)state;
	gh_db_exec(&srv, "CREATE TABLE gh_unknown (x INTEGER)");
	assert_int_equal(copy_to(db_spare, NULL), 1);
	assert_true(gh_log_contains(&srv, "table gh_unknown is in the SQLite "
					  "desk but not in the PostgreSQL "
					  "schema"));
	gh_db_exec(&srv, "DROP TABLE gh_unknown");
	gh_db_exec(&srv, "ALTER TABLE tickets ADD COLUMN mood TEXT");
	assert_int_equal(copy_to(db_spare, NULL), 1);
	assert_true(gh_log_contains(&srv, "column tickets.mood is in the "
					  "SQLite desk but not in the "
					  "PostgreSQL schema"));
	gh_db_exec(&srv, "ALTER TABLE tickets DROP COLUMN mood");
	assert_int_equal(pg_relations(db_spare), 0);
	/* A desk that lost a table the schema has (on a snapshot). */
	clone_desk(&o, "lost", 1);
	snprintf(path, sizeof(path), "%s/gatehouse.db", o.dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "DROP TABLE ticket_seen", NULL, NULL,
				      NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	{
		char url[128];
		const char *args[] = {"store", "copy", "--to", url, NULL};

		url_of(db_spare, url, sizeof(url));
		assert_int_equal(gh_cli(&o, NULL, NULL, args), 1);
	}
	assert_true(gh_log_contains(&o, "table ticket_seen is in the "
					"PostgreSQL schema but not in the "
					"SQLite desk"));
	assert_int_equal(pg_relations(db_spare), 0);
}

/* Exit 2 and the usage for a bad command line; a URL that is not
 * postgresql:// or that holds a password is refused, never echoed. */
static void
test_bad_arguments(void **state)
{
	const char *none[] = {"store", NULL};
	const char *no_to[] = {"store", "copy", NULL};
	const char *verb[] = {"store", "move", "--to", "postgresql:///x", NULL};
	const char *extra[] = {"store", "copy", "--to", "postgresql:///x",
			       "more", NULL};
	const char *mysql[] = {"store", "copy", "--to", "mysql://h/x", NULL};
	const char *pw[] = {"store", "copy", "--to",
			    "postgresql://gh:hunter2secret@127.0.0.1/x", NULL};
	const char *pw2[] = {"store", "copy", "--to",
			     "postgresql://127.0.0.1/x?password=hunter3secret",
			     NULL};
	const char *down[] = {"store", "copy", "--to",
			      "postgresql://127.0.0.1:1/x?connect_timeout=5",
			      NULL};

	(void)state;
	assert_int_equal(gh_cli(&srv, NULL, NULL, none), 2);
	assert_int_equal(gh_cli(&srv, NULL, NULL, no_to), 2);
	assert_int_equal(gh_cli(&srv, NULL, NULL, verb), 2);
	assert_int_equal(gh_cli(&srv, NULL, NULL, extra), 2);
	assert_true(gh_log_contains(&srv, "gatehouse store copy --dir DIR "
					  "--to postgresql://"));
	assert_int_equal(gh_cli(&srv, NULL, NULL, mysql), 1);
	assert_int_equal(gh_cli(&srv, NULL, NULL, pw), 1);
	assert_int_equal(gh_cli(&srv, NULL, NULL, pw2), 1);
	assert_true(gh_log_contains(&srv, "--to holds a password"));
	assert_false(gh_log_contains(&srv, "hunter2secret"));
	assert_false(gh_log_contains(&srv, "hunter3secret"));
	/* Nobody listens on port 1. */
	assert_int_equal(gh_cli(&srv, NULL, NULL, down), 1);
	assert_true(gh_log_contains(&srv, "the PostgreSQL database cannot be "
					  "reached"));
	/* A desk on PostgreSQL already has nothing to copy from. */
	assert_int_equal(gh_cli(&pgd, NULL, NULL, down), 1);
	assert_true(gh_log_contains(&pgd, "does not use SQLite"));
}

/* Writes text and a newline to path. */
static void
write_line(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fprintf(f, "%s\n", text);
	assert_int_equal(fclose(f), 0);
}

/* gh_cli with libpq's PGPASSWORD taken out of the environment, so only
 * --password-file can give the password. */
static int
cli_without_pgpassword(const char **args, char **out)
{
	const char *pw = getenv("PGPASSWORD");
	char saved[128];
	int rc;

	snprintf(saved, sizeof(saved), "%s", pw != NULL ? pw : "");
	unsetenv("PGPASSWORD");
	rc = gh_cli(&srv, NULL, out, args);
	if (saved[0] != '\0')
		setenv("PGPASSWORD", saved, 1);
	return rc;
}

/* After every refusal the spare database is still empty and usable: a
 * copy into it succeeds with the password from --password-file alone
 * (PGPASSWORD taken away; under pg_virtualenv, whose cluster asks for
 * the password, a wrong file fails first; the private test clusters
 * trust), and no output shows it. An unreadable password file stops the
 * copy before it connects. */
static void
test_copy_after_refusals(void **state)
{
	const char *pw = getenv("PGPASSWORD");
	int asks = pw != NULL && strlen(pw) >= 8;
	char file[400], url[128], secret[128], *out = NULL;
	const char *args[] = {"store", "copy", "--to", url, "--password-file",
			      file, NULL};

	(void)state;
	url_of(db_spare, url, sizeof(url));
	snprintf(file, sizeof(file), "%s-nopw", srv.dir);
	assert_int_equal(gh_cli(&srv, NULL, NULL, args), 1);
	assert_true(gh_log_contains(&srv, "password file cannot be read"));
	snprintf(secret, sizeof(secret), "%s", asks ? pw : "unused-Zq9-pass");
	snprintf(file, sizeof(file), "%s-db.password", srv.dir);
	if (asks) {
		write_line(file, "wrong-Zq9-pass");
		assert_int_equal(cli_without_pgpassword(args, NULL), 1);
		assert_false(gh_log_contains(&srv, "wrong-Zq9-pass"));
	}
	write_line(file, secret);
	assert_int_equal(cli_without_pgpassword(args, &out), 0);
	assert_null(strstr(out, secret));
	free(out);
	assert_false(gh_log_contains(&srv, secret));
	assert_int_equal(pg_count(db_spare, "SELECT count(*) FROM tickets"),
			 gh_db_count(&srv, "SELECT COUNT(*) FROM tickets"));
	assert_int_equal(gh_audit_count(&srv, "store.copy", "success"), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy_while_serving),
		cmocka_unit_test(test_serve_on_postgresql),
		cmocka_unit_test(test_second_copy_refused),
		cmocka_unit_test(test_tampered_audit_refused),
		cmocka_unit_test(test_table_on_one_side),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_copy_after_refusals),
	};
	const char *u = getenv("GH_TEST_PG_URL");

	if (u == NULL || u[0] == '\0') {
		printf("storecopy: GH_TEST_PG_URL is not set: skipped\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, setup, teardown);
}
