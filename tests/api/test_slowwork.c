/*
 * Slow work off the server threads (issue 14, part SLOW) against a real
 * `gatehouse serve` with one event-loop thread per listener, so any
 * slow step left on a server thread would hold every other request of
 * that listener. The virus scanner is a clamd-protocol responder on a
 * Unix socket run by this test (INSTREAM, then "stream: OK" or "stream:
 * <name> FOUND"), which answers only when the test lets it: a scan is
 * slow for exactly as long as the test wants, and nothing here passes or
 * fails on time, only on the order in which answers come back.
 *
 * Uploads still work end to end through the scan pool (a clean file
 * scanned; the EICAR file, an archive holding a program and a macro
 * document quarantined);
 * while a scan hangs, another request on the same listener is answered
 * before the upload; with scan_threads = 1 and scan_queue = 1 and two
 * uploads in flight, a third is 503 server_busy with Retry-After and
 * nothing of it is stored. A staff password change (its argon2id work on
 * the staff login pool, made slow here) works, refuses a wrong current
 * password, and leaves the staff listener answering while it hashes;
 * with that pool's one thread busy and its queue of one full, a third
 * change is 503 server_busy and changes nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>
#include <unistd.h>

#include "../zipmini.h"
#include "clamdmini.h"
#include "harness.h"

#define EICAR CLAMDMINI_EICAR
#define NEW_PW "Quiet lantern over 47 hills"

/* --- uploads ----------------------------------------------------------- */

struct world {
	struct clamd av;
	struct gh_server s;
	struct gh_user cust_a, cust_b;
	struct gh_client c_a, c_b;
	int64_t ticket;
};

static char *
b64(const unsigned char *d, size_t n)
{
	static const char t[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *o = malloc((n + 2) / 3 * 4 + 1), *p = o;

	assert_non_null(o);
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)d[i] << 16;

		if (i + 1 < n)
			v |= (unsigned)d[i + 1] << 8;
		if (i + 2 < n)
			v |= d[i + 2];
		*p++ = t[(v >> 18) & 63];
		*p++ = t[(v >> 12) & 63];
		*p++ = i + 1 < n ? t[(v >> 6) & 63] : '=';
		*p++ = i + 2 < n ? t[v & 63] : '=';
	}
	*p = '\0';
	return o;
}

static long
upload(struct world *w, struct gh_client *c, const char *name,
       const void *data, size_t len, struct gh_resp *r)
{
	char path[128];
	char *e = b64(data, len);
	long st;

	snprintf(path, sizeof(path), "/api/v1/portal/tickets/%lld/attachments",
		 (long long)w->ticket);
	st = gh_send_json(&w->s, c, "POST", path,
			  json_pack("{s:s, s:s}", "filename", name,
				    "content_base64", e),
			  r);
	free(e);
	return st;
}

/* A world: the responder, a server scanning with it (extra: more
 * configuration), customer A with a ticket, customer B. */
static void
world_start(struct world *w, const char *extra)
{
	char conf[1024];
	struct gh_resp r;

	clamd_start(&w->av);
	snprintf(conf, sizeof(conf),
		 "\n[server]\nthreads = 1\n[attachments]\nmax_bytes = 262144\n"
		 "clamd_socket = %s\n%s",
		 w->av.path, extra);
	gh_start(&w->s, conf);
	gh_add_customer(&w->s, "cust.a@example.org", &w->cust_a);
	gh_add_customer(&w->s, "cust.b@example.org", &w->cust_b);
	gh_client_init(&w->c_a, 0);
	gh_client_init(&w->c_b, 0);
	assert_int_equal(gh_login(&w->s, &w->c_a, &w->cust_a), 201);
	assert_int_equal(gh_login(&w->s, &w->c_b, &w->cust_b), 201);
	assert_int_equal(gh_send_json(&w->s, &w->c_a, "POST",
				      "/api/v1/portal/tickets",
				      json_pack("{s:s, s:s}", "subject",
						"Files", "body",
						"Files attached."),
				      &r),
			 201);
	w->ticket = json_integer_value(json_object_get(r.json, "id"));
	gh_resp_free(&r);
}

static void
world_stop(struct world *w)
{
	gh_client_free(&w->c_a);
	gh_client_free(&w->c_b);
	clamd_set_open(&w->av, 1);
	assert_int_equal(gh_stop(&w->s), 0);
	clamd_stop(&w->av);
}

static int
has_reason(const struct gh_resp *r, const char *reason)
{
	json_t *a = json_object_get(r->json, "reasons");

	for (size_t i = 0; i < json_array_size(a); i++)
		if (strcmp(json_string_value(json_array_get(a, i)), reason) ==
		    0)
			return 1;
	return 0;
}

/* ASVS 5.4.3 [12.4.2] (AV scan), 5.3.1: uploads still work through the
 * scan pool: a clean file is scanned and stored; the EICAR file, a ZIP
 * holding a program and a macro document are quarantined; each has its
 * audit record. */
static void
test_upload_end_to_end(void **state)
{
	struct world *w = *state;
	static const unsigned char mz[] = "MZ\x90\0\3\0\0\0\4\0\0\0\xff\xff";
	struct zipmini_entry e[] = {{"tools/setup.exe", mz, sizeof(mz)}};
	unsigned char *zip;
	struct gh_resp r;
	size_t zlen;

	clamd_set_open(&w->av, 1);
	assert_int_equal(upload(w, &w->c_a, "notes.txt", "plain words\n", 12,
				&r),
			 201);
	assert_string_equal(json_string_value(json_object_get(r.json,
							      "verdict")),
			    "clean");
	assert_false(has_reason(&r, "virus_scan_unavailable"));
	gh_resp_free(&r);

	assert_int_equal(upload(w, &w->c_a, "eicar.txt", EICAR,
				strlen(EICAR), &r),
			 201);
	assert_true(json_is_true(json_object_get(r.json, "quarantined")));
	assert_true(has_reason(&r, "malware"));
	gh_resp_free(&r);

	zip = zipmini_build(e, 1, &zlen);
	assert_int_equal(upload(w, &w->c_a, "tools.zip", zip, zlen, &r), 201);
	free(zip);
	assert_true(json_is_true(json_object_get(r.json, "quarantined")));
	assert_true(has_reason(&r, "archive_holds_dangerous_file"));
	gh_resp_free(&r);

	zip = zipmini_docm(&zlen);
	assert_int_equal(upload(w, &w->c_a, "Q3.docm", zip, zlen, &r), 201);
	free(zip);
	assert_true(json_is_true(json_object_get(r.json, "quarantined")));
	assert_true(has_reason(&r, "ooxml_macros"));
	gh_resp_free(&r);
	assert_int_equal(gh_db_count(&w->s, "SELECT COUNT(*) FROM attachments "
					    "WHERE quarantined = 1"),
			 3);
	assert_int_equal(gh_audit_count(&w->s, "attachment.upload", "success"),
			 4);
}

/* An upload sent from its own thread and client. */
struct sender {
	struct world *w;
	struct gh_client *c;
	const char *name;
	long status;
	int done;
};

static void *
send_upload(void *arg)
{
	struct sender *s = arg;
	struct gh_resp r;

	s->status = upload(s->w, s->c, s->name, "scan me slowly\n", 15, &r);
	gh_resp_free(&r);
	__atomic_store_n(&s->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* ASVS 5.4.3: while an upload's scan hangs, customer B's request on the
 * same listener (one server thread) is answered before the upload is;
 * with the scan on a server thread it would wait for it. */
static void
test_listener_free_during_scan(void **state)
{
	struct world *w = *state;
	struct sender up = {w, &w->c_a, "slow.txt", 0, 0};
	struct gh_resp r;
	pthread_t th;
	unsigned before;

	clamd_set_open(&w->av, 0);
	pthread_mutex_lock(&w->av.mu);
	before = w->av.started;
	w->av.released = before;
	pthread_mutex_unlock(&w->av.mu);
	assert_int_equal(pthread_create(&th, NULL, send_upload, &up), 0);
	clamd_wait_started(&w->av, before + 1);
	assert_int_equal(gh_req(&w->s, &w->c_b, "GET", "/api/v1/portal/tickets",
				NULL, NULL, &r),
			 200);
	gh_resp_free(&r);
	/* Answered while the upload waits: not answered, nothing stored. */
	assert_int_equal(__atomic_load_n(&up.done, __ATOMIC_SEQ_CST), 0);
	assert_int_equal(gh_db_count(&w->s, "SELECT COUNT(*) FROM attachments "
					    "WHERE filename = 'slow.txt'"),
			 0);
	clamd_release(&w->av, 1);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(up.status, 201);
	assert_int_equal(gh_db_count(&w->s, "SELECT COUNT(*) FROM attachments "
					    "WHERE filename = 'slow.txt'"),
			 1);
}

/* How many times the server has logged needle so far. */
static int
log_count(struct world *w, const char *needle)
{
	FILE *f = fopen(w->s.log, "r");
	char *line = NULL;
	size_t cap = 0;
	int n = 0;

	if (f == NULL)
		return 0;
	while (getline(&line, &cap, f) > 0)
		n += strstr(line, needle) != NULL;
	free(line);
	fclose(f);
	return n;
}

/* Waits until the server has queued n scans (its debug log says so). */
static void
wait_queued(struct world *w, int n)
{
	for (int i = 0; i < 3000; i++) {
		if (log_count(w, "\"attachment.scan_queued\"") >= n)
			return;
		usleep(10000);
	}
	fail_msg("the server did not queue %d scans", n);
}

/* ASVS 5.4.3, 2.2.1 (anti-automation): one scan thread, a queue of one:
 * with one upload scanning and one waiting, a third is refused at once
 * with 503 server_busy and Retry-After, and nothing of it is stored or
 * audited; the two in flight are then stored. */
static void
test_full_scan_queue(void **state)
{
	struct world q;
	struct sender up[2] = {{&q, &q.c_a, "first.txt", 0, 0},
			       {&q, &q.c_a, "second.txt", 0, 0}};
	struct gh_client c2, c3;
	struct gh_resp r;
	pthread_t th[2];
	char *ra;

	(void)state;
	world_start(&q, "[workers]\nscan_threads = 1\nscan_queue = 1\n"
			"[log]\nlevel = debug\n");
	gh_client_init(&c2, 0);
	gh_client_init(&c3, 0);
	assert_int_equal(gh_login(&q.s, &c2, &q.cust_a), 201);
	assert_int_equal(gh_login(&q.s, &c3, &q.cust_a), 201);
	up[1].c = &c2;
	assert_int_equal(pthread_create(&th[0], NULL, send_upload, &up[0]), 0);
	clamd_wait_started(&q.av, 1);
	assert_int_equal(pthread_create(&th[1], NULL, send_upload, &up[1]), 0);
	wait_queued(&q, 2);

	assert_int_equal(upload(&q, &c3, "third.txt", "x\n", 2, &r), 503);
	assert_string_equal(gh_error(&r), "server_busy");
	ra = gh_header(&r, "Retry-After");
	assert_non_null(ra);
	assert_true(strtol(ra, NULL, 10) > 0);
	free(ra);
	gh_resp_free(&r);
	assert_int_equal(gh_db_count(&q.s, "SELECT COUNT(*) FROM attachments"),
			 0);
	assert_int_equal(gh_audit_count(&q.s, "attachment.upload", NULL), 0);

	clamd_release(&q.av, 2);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(up[i].status, 201);
	}
	assert_int_equal(gh_db_count(&q.s, "SELECT COUNT(*) FROM attachments"),
			 2);
	assert_int_equal(gh_db_count(&q.s, "SELECT COUNT(*) FROM attachments "
					   "WHERE filename = 'third.txt'"),
			 0);
	assert_int_equal(gh_audit_count(&q.s, "attachment.upload", NULL), 2);
	gh_client_free(&c2);
	gh_client_free(&c3);
	world_stop(&q);
}

/* --- staff password change ---------------------------------------------- */

struct changer {
	struct gh_server *s;
	struct gh_client *c;
	const char *current;
	long status;
	int done;
};

static long
change_pw(struct gh_server *s, struct gh_client *c, const char *current,
	  const char *next, struct gh_resp *r)
{
	return gh_send_json(s, c, "POST", "/api/v1/staff/password",
			    json_pack("{s:s, s:s}", "current", current, "new",
				      next),
			    r);
}

static void *
send_change(void *arg)
{
	struct changer *x = arg;
	struct gh_resp r;

	x->status = change_pw(x->s, x->c, x->current, NEW_PW, &r);
	gh_resp_free(&r);
	__atomic_store_n(&x->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* Waits until the change has counted its attempt on the throttle (the
 * step before its hashing is handed to the pool). */
static void
wait_attempt(struct gh_server *s)
{
	for (int i = 0; i < 3000; i++) {
		if (gh_db_count(s, "SELECT COUNT(*) FROM throttle "
				   "WHERE failures > 0") > 0)
			return;
		usleep(10000);
	}
	fail_msg("the password change never counted its attempt");
}

/* ASVS 6.2.2 [2.1.5], 2.2.1: with argon2id made slow and one staff
 * server thread, a wrong current password is refused (403, field
 * current, audited) and a right change is made (the new password logs
 * in); while its hashing runs on the staff login pool, another staff
 * request on the listener is answered before the change is. */
static void
test_password_change(void **state)
{
	struct gh_server s;
	struct gh_user u, other;
	struct gh_client c, c2;
	struct changer x = {&s, &c, NULL, 0, 0};
	struct gh_resp r;
	pthread_t th;

	(void)state;
	gh_start(&s, "\n[server]\nthreads = 1\n[security]\nargon2_ops = 10\n"
		     "argon2_mem_mib = 256\n");
	gh_add_staff(&s, "agent@example.com", "agent", &u);
	gh_add_staff(&s, "other@example.com", "agent", &other);
	gh_client_init(&c, 1);
	gh_client_init(&c2, 1);
	assert_int_equal(gh_login(&s, &c, &u), 201);
	assert_int_equal(gh_login(&s, &c2, &other), 201);

	assert_int_equal(change_pw(&s, &c, "not the password 1", NEW_PW, &r),
			 403);
	assert_string_equal(json_string_value(json_object_get(r.json,
							      "field")),
			    "current");
	gh_resp_free(&r);
	assert_int_equal(gh_audit_count(&s, "staff.password.change",
					"failure"),
			 1);
	gh_db_exec(&s, "DELETE FROM throttle");

	x.current = u.password;
	assert_int_equal(pthread_create(&th, NULL, send_change, &x), 0);
	wait_attempt(&s);
	assert_int_equal(gh_req(&s, &c2, "GET", "/api/v1/tickets", NULL, NULL,
				&r),
			 200);
	gh_resp_free(&r);
	/* Answered while the change hashes: not answered, nothing stored. */
	assert_int_equal(__atomic_load_n(&x.done, __ATOMIC_SEQ_CST), 0);
	assert_int_equal(gh_audit_count(&s, "staff.password.changed", NULL),
			 0);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(x.status, 200);
	assert_int_equal(gh_audit_count(&s, "staff.password.changed",
					"success"),
			 1);
	snprintf(u.password, sizeof(u.password), "%s", NEW_PW);
	gh_client_free(&c);
	gh_client_init(&c, 1);
	assert_int_equal(gh_login(&s, &c, &u), 201);
	gh_client_free(&c);
	gh_client_free(&c2);
	assert_int_equal(gh_stop(&s), 0);
}

/* Waits until n staff members' changes have counted their attempts:
 * with one server thread, each has then been handed to the pool. */
static void
wait_accounts(struct gh_server *s, int64_t n)
{
	for (int i = 0; i < 3000; i++) {
		if (gh_db_count(s, "SELECT COUNT(*) FROM throttle WHERE "
				   "failures > 0 AND key LIKE 'acct:%'") >= n)
			return;
		usleep(10000);
	}
	fail_msg("%lld password changes never counted their attempts",
		 (long long)n);
}

/* ASVS 2.2.1: one staff hashing thread and a queue of one: with one
 * member's change hashing and another's waiting, a third member's change
 * is refused at once with 503 server_busy and Retry-After, before any
 * database work (no attempt counted, nothing audited, the password
 * unchanged); the two in flight are made. */
static void
test_password_queue_full(void **state)
{
	struct gh_server s;
	struct gh_user u[3];
	struct gh_client c[3];
	struct changer x[2];
	struct gh_resp r;
	pthread_t th[2];
	char email[64], *ra;

	(void)state;
	gh_start(&s, "\n[server]\nthreads = 1\n[security]\nargon2_ops = 10\n"
		     "argon2_mem_mib = 256\n[workers]\nstaff_login_threads = 1\n"
		     "staff_login_queue = 1\n");
	for (int i = 0; i < 3; i++) {
		snprintf(email, sizeof(email), "agent%d@example.com", i);
		gh_add_staff(&s, email, "agent", &u[i]);
		gh_client_init(&c[i], 1);
		assert_int_equal(gh_login(&s, &c[i], &u[i]), 201);
	}
	for (int i = 0; i < 2; i++) {
		x[i] = (struct changer){&s, &c[i], u[i].password, 0, 0};
		assert_int_equal(pthread_create(&th[i], NULL, send_change,
						&x[i]),
				 0);
		wait_accounts(&s, i + 1);
	}
	assert_int_equal(change_pw(&s, &c[2], u[2].password, NEW_PW, &r), 503);
	assert_string_equal(gh_error(&r), "server_busy");
	ra = gh_header(&r, "Retry-After");
	assert_non_null(ra);
	assert_true(strtol(ra, NULL, 10) > 0);
	free(ra);
	gh_resp_free(&r);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(x[i].status, 200);
	}
	assert_int_equal(gh_audit_count(&s, "staff.password.changed", NULL),
			 2);
	assert_int_equal(gh_audit_count(&s, "staff.password.change", NULL), 0);
	/* A settled attempt clears its account's row; the refused change
	 * left none (it never counted one). */
	assert_int_equal(gh_db_count(&s, "SELECT COUNT(*) FROM throttle WHERE "
					 "key LIKE 'acct:%'"),
			 0);
	/* The third member's password is still the old one. */
	gh_client_free(&c[2]);
	gh_client_init(&c[2], 1);
	assert_int_equal(gh_login(&s, &c[2], &u[2]), 201);
	for (int i = 0; i < 3; i++)
		gh_client_free(&c[i]);
	assert_int_equal(gh_stop(&s), 0);
}

static int
setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));

	assert_non_null(w);
	world_start(w, "");
	*state = w;
	return 0;
}

static int
teardown(void **state)
{
	struct world *w = *state;

	world_stop(w);
	free(w);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest uploads[] = {
		cmocka_unit_test(test_upload_end_to_end),
		cmocka_unit_test(test_listener_free_during_scan),
	};
	const struct CMUnitTest alone[] = {
		cmocka_unit_test(test_full_scan_queue),
		cmocka_unit_test(test_password_change),
		cmocka_unit_test(test_password_queue_full),
	};
	int rc = cmocka_run_group_tests(uploads, setup, teardown);

	return rc | cmocka_run_group_tests(alone, NULL, NULL);
}
