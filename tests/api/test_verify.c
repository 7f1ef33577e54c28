/*
 * API tests of caller verification against the real server: a
 * verification on a ticket outside the agent's queues (404); the
 * customer's TOTP computed here from the enrolled secret (right: level 1,
 * wrong: 422, replayed: 422); e-mail and SMS codes sent only to the
 * contact on file and read back from the delivered DIR/outbox files
 * (five tries, a resend keeps the count, e-mail alone is level 0, e-mail
 * and SMS together still 0, plus TOTP level 2); knowledge refused as a
 * method; number matching in the portal (right number: level 1; wrong
 * number and "This isn't me": the verification fails, the ticket is
 * locked, the supervisors get a content-free mail, the customer is told
 * it may be a scam); the lock cleared only by a supervisor; a
 * verification dying on reassignment, queue move, solve, the agent's
 * logout and the customer's portal logout; another agent cannot read or
 * use it; the open limit (429).
 * ASVS 6.5.1 (single-use codes), 6.5.5 (OOB codes <= 10 min), 6.6.3 and
 * 6.6.4 (code tries and number matching limited), 6.4.2 (no knowledge
 * questions), 8.2.1 and 8.2.2 (function and object level: the agent's
 * queues, the verification's own agent, the customer's own requests).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/totp.h"
#include "harness.h"

struct world {
	struct gh_server s;
	struct gh_user agent1, agent2, agent3, sup;
	struct gh_user cust[8];
	struct gh_client c_agent1, c_agent2, c_sup;
};

static struct world *W;

static const char *const cust_mail[8] = {
	"totp.t@example.org",  "email.e@example.org", "level.l@example.org",
	"portal.p@example.org", "wrong.w@example.org", "deny.d@example.org",
	"live.x@example.org",  "spare.s@example.org",
};

static int
group_setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));

	gh_start(&w->s, NULL);
	gh_add_staff(&w->s, "agent1@example.com", "agent", &w->agent1);
	gh_add_staff(&w->s, "agent2@example.com", "agent", &w->agent2);
	gh_add_staff(&w->s, "agent3@example.com", "agent", &w->agent3);
	gh_add_staff(&w->s, "sup@example.com", "supervisor", &w->sup);
	/* The training gate (issue 11) needs them trained to verify and
	 * reveal. */
	gh_train(&w->s, "agent1@example.com");
	gh_train(&w->s, "agent2@example.com");
	gh_train(&w->s, "agent3@example.com");
	gh_train(&w->s, "sup@example.com");
	for (int i = 0; i < 8; i++)
		gh_add_customer(&w->s, cust_mail[i], &w->cust[i]);
	gh_client_init(&w->c_agent1, 1);
	gh_client_init(&w->c_agent2, 1);
	gh_client_init(&w->c_sup, 1);
	assert_int_equal(gh_login(&w->s, &w->c_agent1, &w->agent1), 201);
	assert_int_equal(gh_login(&w->s, &w->c_agent2, &w->agent2), 201);
	assert_int_equal(gh_login(&w->s, &w->c_sup, &w->sup), 201);
	W = w;
	*state = w;
	return 0;
}

static int
group_teardown(void **state)
{
	struct world *w = *state;

	gh_client_free(&w->c_agent1);
	gh_client_free(&w->c_agent2);
	gh_client_free(&w->c_sup);
	assert_int_equal(gh_stop(&w->s), 0);
	free(w);
	return 0;
}

/* A new open, unassigned ticket of customer i in queue general. */
static int64_t
new_ticket(struct world *w, int i)
{
	char sql[300];

	snprintf(sql, sizeof(sql),
		 "INSERT INTO tickets (customer_id, subject, created_at, "
		 "updated_at) VALUES (%lld, 'Card lost', %s, %s)",
		 (long long)w->cust[i].id, gh_db_now(&w->s), gh_db_now(&w->s));
	gh_db_exec(&w->s, sql);
	return gh_db_count(&w->s, "SELECT MAX(id) FROM tickets");
}

static long
post(struct gh_client *c, const char *path, json_t *body, struct gh_resp *r)
{
	return gh_send_json(&W->s, c, "POST", path, body, r);
}

/* Starts a verification on ticket t: its id (201 expected). */
static int64_t
start(struct gh_client *c, int64_t t)
{
	char path[128];
	struct gh_resp r;
	int64_t id;

	snprintf(path, sizeof(path), "/api/v1/tickets/%lld/verifications",
		 (long long)t);
	assert_int_equal(post(c, path, json_object(), &r), 201);
	id = json_integer_value(json_object_get(r.json, "id"));
	assert_true(id > 0);
	assert_int_equal(json_integer_value(json_object_get(r.json, "ticket")),
			 t);
	assert_int_equal(json_integer_value(json_object_get(r.json, "level")),
			 0);
	assert_true(json_integer_value(json_object_get(r.json, "expires_at")) >
		    time(NULL) + 14 * 60);
	gh_resp_free(&r);
	return id;
}

static long
start_status(struct gh_client *c, int64_t t, struct gh_resp *r)
{
	char path[128];

	snprintf(path, sizeof(path), "/api/v1/tickets/%lld/verifications",
		 (long long)t);
	return post(c, path, json_object(), r);
}

static long
add_factor(struct gh_client *c, int64_t v, const char *method,
	   const char *code, struct gh_resp *r)
{
	char path[128];
	json_t *b = json_pack("{s:s}", "method", method);

	if (code != NULL)
		json_object_set_new(b, "code", json_string(code));
	snprintf(path, sizeof(path), "/api/v1/verifications/%lld/factors",
		 (long long)v);
	return post(c, path, b, r);
}

/* The level agent client c sees for verification v; *status (may be
 * NULL) its status. */
static int
level_of(struct gh_client *c, int64_t v, char *status, size_t sz)
{
	char path[128];
	struct gh_resp r;
	int level;

	snprintf(path, sizeof(path), "/api/v1/verifications/%lld", (long long)v);
	assert_int_equal(gh_req(&W->s, c, "GET", path, NULL, NULL, &r), 200);
	level = (int)json_integer_value(json_object_get(r.json, "level"));
	if (status != NULL)
		snprintf(status, sz, "%s",
			 json_string_value(json_object_get(r.json, "status")));
	gh_resp_free(&r);
	return level;
}

/* Waits for a delivered file ending in ext whose text holds "To: <to>",
 * reads it into *text (caller frees) and renames it so it is read once. */
static void
wait_file(struct world *w, const char *ext, const char *to, char **text)
{
	char dir[400], needle[300];

	snprintf(dir, sizeof(dir), "%s/outbox", w->s.dir);
	snprintf(needle, sizeof(needle), "To: %s\r\n", to);
	if (strcmp(ext, ".sms") == 0)
		snprintf(needle, sizeof(needle), "To: %s\n", to);
	for (int i = 0; i < 100; i++) {
		DIR *d = opendir(dir);
		struct dirent *e;

		while (d != NULL && (e = readdir(d)) != NULL) {
			size_t l = strlen(e->d_name);
			char p[800], done[820];
			struct stat st;
			FILE *f;

			if (l < 5 || strcmp(e->d_name + l - 4, ext) != 0)
				continue;
			snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
			assert_int_equal(stat(p, &st), 0);
			assert_int_equal(st.st_mode & 0777, 0600);
			*text = calloc(1, (size_t)st.st_size + 1);
			f = fopen(p, "r");
			assert_non_null(f);
			assert_int_equal(fread(*text, 1, (size_t)st.st_size, f),
					 (size_t)st.st_size);
			fclose(f);
			if (strstr(*text, needle) == NULL) {
				free(*text);
				*text = NULL;
				continue;
			}
			snprintf(done, sizeof(done), "%s.read", p);
			assert_int_equal(rename(p, done), 0);
			closedir(d);
			return;
		}
		if (d != NULL)
			closedir(d);
		usleep(100000);
	}
	fail_msg("no %s file to %s", ext, to);
}

/* The code of the newest code message to `to`. */
static void
read_code(struct world *w, const char *ext, const char *to, char code[7])
{
	char *text = NULL;
	const char *p;

	wait_file(w, ext, to, &text);
	p = strstr(text, "Your verification code: ");
	assert_non_null(p);
	memcpy(code, p + strlen("Your verification code: "), 6);
	code[6] = '\0';
	/* The code and its validity, nothing about the ticket. */
	assert_null(strstr(text, "Card lost"));
	free(text);
}

static void
wrong_of(const char *code, char out[7])
{
	memcpy(out, code, 7);
	out[5] = (char)('0' + (out[5] - '0' + 1) % 10);
}

/* --- refusals ----------------------------------------------------------- */

static void
test_not_visible_and_not_yours(void **state)
{
	struct world *w = *state;
	const char *add_q[] = {"queue", "add", "--name", "billing", NULL};
	struct gh_resp r;
	char path[128];
	int64_t t = new_ticket(w, 7), t2 = new_ticket(w, 7), v;

	/* A ticket moved to a queue the agent is not in: 404 (ASVS 4.2.1). */
	assert_int_equal(gh_cli(&w->s, NULL, NULL, add_q), 0);
	snprintf(path, sizeof(path), "/api/v1/tickets/%lld/queue", (long long)t);
	assert_int_equal(post(&w->c_sup, path,
			      json_pack("{s:s}", "queue", "billing"), &r),
			 200);
	gh_resp_free(&r);
	assert_int_equal(start_status(&w->c_agent1, t, &r), 404);
	assert_string_equal(gh_error(&r), "not_found");
	gh_resp_free(&r);
	assert_int_equal(gh_db_count(&w->s, "SELECT COUNT(*) FROM verifications"),
			 0);
	/* Another agent cannot read or use a verification. */
	v = start(&w->c_agent1, t2);
	snprintf(path, sizeof(path), "/api/v1/verifications/%lld", (long long)v);
	assert_int_equal(gh_req(&w->s, &w->c_agent2, "GET", path, NULL, NULL,
				&r),
			 404);
	gh_resp_free(&r);
	assert_int_equal(add_factor(&w->c_agent2, v, "email_otp", NULL, &r),
			 404);
	gh_resp_free(&r);
	/* Knowledge is not a factor; fields are declared. */
	assert_int_equal(add_factor(&w->c_agent1, v, "dob", "1980-02-29", &r),
			 400);
	assert_string_equal(gh_error(&r), "bad_field");
	assert_string_equal(json_string_value(json_object_get(r.json, "field")),
			    "method");
	gh_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/verifications/%lld/factors",
		 (long long)v);
	assert_int_equal(post(&w->c_agent1, path,
			      json_pack("{s:s, s:s}", "method", "totp",
					"answer", "x"),
			      &r),
			 400);
	assert_string_equal(gh_error(&r), "unknown_field");
	gh_resp_free(&r);
	assert_int_equal(add_factor(&w->c_agent1, v, "totp", NULL, &r), 400);
	assert_string_equal(gh_error(&r), "missing_field");
	gh_resp_free(&r);
	/* Nothing was sent by any of it. */
	assert_int_equal(gh_db_count(&w->s, "SELECT COUNT(*) FROM outbox"), 0);
}

/* --- TOTP --------------------------------------------------------------- */

static void
test_totp(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	char code[7], wrong[7];
	int64_t t = new_ticket(w, 0), v = start(&w->c_agent1, t), v2;

	gh_totp_next(&w->cust[0], code);
	wrong_of(code, wrong);
	assert_int_equal(add_factor(&w->c_agent1, v, "totp", wrong, &r), 422);
	assert_string_equal(gh_error(&r), "bad_code");
	gh_resp_free(&r);
	assert_int_equal(add_factor(&w->c_agent1, v, "totp", code, &r), 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "level")),
			 1);
	assert_null(strstr(r.body, code));
	gh_resp_free(&r);
	assert_int_equal(level_of(&w->c_agent1, v, NULL, 0), 1);
	/* The same code again, on a new verification: a replay. */
	v2 = start(&w->c_agent1, t);
	assert_int_equal(add_factor(&w->c_agent1, v2, "totp", code, &r), 422);
	assert_string_equal(gh_error(&r), "bad_code");
	gh_resp_free(&r);
	assert_int_equal(level_of(&w->c_agent1, v2, NULL, 0), 0);
	assert_int_equal(gh_db_countf(&w->s,
				      "SELECT COUNT(*) FROM audit WHERE record "
				      "LIKE '%%verification.factor%%' AND "
				      "record LIKE '%%replayed code%%'"),
			 1);
	assert_int_equal(gh_db_countf(&w->s,
				      "SELECT COUNT(*) FROM audit WHERE record "
				      "LIKE '%%%s%%'", code),
			 0);
}

/* --- one-time codes ----------------------------------------------------- */

static void
test_email_code(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	char code[7], wrong[7];
	int64_t t = new_ticket(w, 1), v = start(&w->c_agent1, t);

	assert_int_equal(add_factor(&w->c_agent1, v, "email_otp", NULL, &r),
			 202);
	assert_string_equal(
		json_string_value(json_object_get(r.json, "sent_to")),
		"e***@e***.org");
	gh_resp_free(&r);
	read_code(w, ".eml", cust_mail[1], code);
	wrong_of(code, wrong);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(add_factor(&w->c_agent1, v, "email_otp",
					    wrong, &r),
				 422);
		assert_string_equal(gh_error(&r), "bad_code");
		gh_resp_free(&r);
	}
	/* A resend does not reset the count: three more and it fails. */
	assert_int_equal(add_factor(&w->c_agent1, v, "email_otp", NULL, &r),
			 202);
	gh_resp_free(&r);
	read_code(w, ".eml", cust_mail[1], code);
	wrong_of(code, wrong);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(add_factor(&w->c_agent1, v, "email_otp",
					    wrong, &r),
				 422);
		gh_resp_free(&r);
	}
	assert_int_equal(add_factor(&w->c_agent1, v, "email_otp", wrong, &r),
			 409);
	assert_string_equal(gh_error(&r), "verification_failed");
	gh_resp_free(&r);
	assert_int_equal(add_factor(&w->c_agent1, v, "email_otp", code, &r),
			 409);
	gh_resp_free(&r);
	/* A new verification: the right code passes once; e-mail alone is
	 * level 0. */
	v = start(&w->c_agent1, t);
	assert_int_equal(add_factor(&w->c_agent1, v, "email_otp", NULL, &r),
			 202);
	gh_resp_free(&r);
	read_code(w, ".eml", cust_mail[1], code);
	assert_int_equal(add_factor(&w->c_agent1, v, "email_otp", code, &r),
			 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "level")),
			 0);
	gh_resp_free(&r);
	assert_int_equal(add_factor(&w->c_agent1, v, "email_otp", code, &r),
			 409);
	gh_resp_free(&r);
	/* The codes are nowhere in the database in clear. */
	assert_int_equal(gh_db_countf(&w->s,
				      "SELECT COUNT(*) FROM outbox WHERE "
				      "body_text LIKE '%%%s%%'", code),
			 0);
}

static void
test_level_two(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	char code[7];
	int64_t t = new_ticket(w, 2), v = start(&w->c_agent1, t);

	assert_int_equal(add_factor(&w->c_agent1, v, "sms_otp", NULL, &r), 202);
	assert_string_equal(
		json_string_value(json_object_get(r.json, "sent_to")),
		"*** *** 0123");
	gh_resp_free(&r);
	read_code(w, ".sms", "+44 20 7946 0123", code);
	assert_int_equal(add_factor(&w->c_agent1, v, "sms_otp", code, &r), 200);
	gh_resp_free(&r);
	assert_int_equal(add_factor(&w->c_agent1, v, "email_otp", NULL, &r),
			 202);
	gh_resp_free(&r);
	read_code(w, ".eml", cust_mail[2], code);
	assert_int_equal(add_factor(&w->c_agent1, v, "email_otp", code, &r),
			 200);
	gh_resp_free(&r);
	/* E-mail and SMS together: still no level. */
	assert_int_equal(level_of(&w->c_agent1, v, NULL, 0), 0);
	gh_totp_next(&w->cust[2], code);
	assert_int_equal(add_factor(&w->c_agent1, v, "totp", code, &r), 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "level")),
			 2);
	gh_resp_free(&r);
}

/* --- portal approval ---------------------------------------------------- */

/* Requests the approval on v; returns the number, and checks the
 * customer's client sees it among three choices. */
static int64_t
request(struct world *w, struct gh_client *cust, int64_t v, int64_t *other)
{
	struct gh_resp r;
	json_t *items, *it, *ch;
	int64_t n;
	int seen = 0;

	assert_int_equal(add_factor(&w->c_agent1, v, "portal_approval", NULL,
				    &r),
			 202);
	n = json_integer_value(json_object_get(r.json, "number"));
	assert_true(n >= 10 && n <= 99);
	gh_resp_free(&r);
	assert_int_equal(gh_req(&w->s, cust, "GET", "/api/v1/portal/verifications",
				NULL, NULL, &r),
			 200);
	items = json_object_get(r.json, "items");
	assert_int_equal(json_array_size(items), 1);
	it = json_array_get(items, 0);
	assert_int_equal(json_integer_value(json_object_get(it, "id")), v);
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(it, "agent"), "name")),
			    "Test Staff");
	ch = json_object_get(it, "choices");
	assert_int_equal(json_array_size(ch), 3);
	for (size_t i = 0; i < 3; i++) {
		int64_t c = json_integer_value(json_array_get(ch, i));

		if (c == n)
			seen++;
		else if (other != NULL)
			*other = c;
	}
	assert_int_equal(seen, 1);
	assert_null(json_object_get(it, "number"));
	gh_resp_free(&r);
	return n;
}

static long
approve(struct world *w, struct gh_client *cust, int64_t v, int64_t n,
	struct gh_resp *r)
{
	char path[128];

	snprintf(path, sizeof(path), "/api/v1/portal/verifications/%lld/approve",
		 (long long)v);
	return gh_send_json(&w->s, cust, "POST", path,
			    json_pack("{s:I}", "number", (json_int_t)n), r);
}

static void
test_portal_approval(void **state)
{
	struct world *w = *state;
	struct gh_client cust, other;
	struct gh_resp r;
	char status[32];
	int64_t t = new_ticket(w, 3), v = start(&w->c_agent1, t), n;

	gh_client_init(&cust, 0);
	gh_client_init(&other, 0);
	assert_int_equal(gh_login(&w->s, &cust, &w->cust[3]), 201);
	assert_int_equal(gh_login(&w->s, &other, &w->cust[7]), 201);
	n = request(w, &cust, v, NULL);
	/* Another customer cannot answer it. */
	assert_int_equal(approve(w, &other, v, n, &r), 404);
	gh_resp_free(&r);
	assert_int_equal(approve(w, &cust, v, n, &r), 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "status")),
			    "approved");
	gh_resp_free(&r);
	assert_int_equal(level_of(&w->c_agent1, v, status, sizeof(status)), 1);
	/* The customer ends the portal session it was approved in. */
	assert_int_equal(gh_req(&w->s, &cust, "DELETE", "/api/v1/portal/session",
				NULL, NULL, &r),
			 200);
	gh_resp_free(&r);
	assert_int_equal(level_of(&w->c_agent1, v, status, sizeof(status)), 0);
	assert_string_equal(status, "ended");
	gh_client_free(&cust);
	gh_client_free(&other);
}

/* After a refusal: the customer was warned, the ticket is locked, every
 * supervisor was mailed without content, and only a supervisor clears
 * the lock. */
static void
assert_locked_then_cleared(struct world *w, int64_t t, int64_t v,
			   const char *state_name)
{
	struct gh_resp r;
	char path[128], status[32], subject[96];
	char *text = NULL;

	assert_int_equal(level_of(&w->c_agent1, v, status, sizeof(status)), 0);
	assert_string_equal(status, state_name);
	snprintf(path, sizeof(path), "/api/v1/verifications/%lld", (long long)v);
	assert_int_equal(gh_req(&w->s, &w->c_agent1, "GET", path, NULL, NULL,
				&r),
			 200);
	assert_null(strstr(r.body, "\"number\""));
	gh_resp_free(&r);
	assert_int_equal(start_status(&w->c_agent1, t, &r), 423);
	assert_string_equal(gh_error(&r), "verification_locked");
	gh_resp_free(&r);
	wait_file(w, ".eml", "sup@example.com", &text);
	snprintf(subject, sizeof(subject),
		 "Verification refused on ticket #%lld", (long long)t);
	assert_non_null(strstr(text, subject));
	assert_null(strstr(text, "example.org"));
	assert_null(strstr(text, "Card lost"));
	free(text);
	assert_int_equal(gh_db_countf(&w->s,
				      "SELECT COUNT(*) FROM audit WHERE record "
				      "LIKE '%%verification.lock%%' AND record "
				      "LIKE '%%ticket:%lld%%'",
				      (long long)t),
			 1);
	snprintf(path, sizeof(path),
		 "/api/v1/tickets/%lld/verification-lock/clear", (long long)t);
	assert_int_equal(post(&w->c_agent1, path,
			      json_pack("{s:s}", "reason", "I checked"), &r),
			 403);
	gh_resp_free(&r);
	assert_int_equal(post(&w->c_sup, path, json_pack("{s:s}", "reason", "x"),
			      &r),
			 400);
	gh_resp_free(&r);
	assert_int_equal(post(&w->c_sup, path,
			      json_pack("{s:s}", "reason",
					"Called the customer back"),
			      &r),
			 200);
	gh_resp_free(&r);
	assert_int_equal(post(&w->c_sup, path,
			      json_pack("{s:s}", "reason",
					"Called the customer back"),
			      &r),
			 409);
	gh_resp_free(&r);
	start(&w->c_agent1, t);
}

static void
test_portal_wrong_number(void **state)
{
	struct world *w = *state;
	struct gh_client cust;
	struct gh_resp r;
	const char *notice;
	int64_t t = new_ticket(w, 4), v = start(&w->c_agent1, t), n, other = 0;

	gh_client_init(&cust, 0);
	assert_int_equal(gh_login(&w->s, &cust, &w->cust[4]), 201);
	n = request(w, &cust, v, &other);
	assert_true(other != n && other >= 10);
	assert_int_equal(approve(w, &cust, v, other, &r), 409);
	assert_string_equal(gh_error(&r), "verification_failed");
	notice = json_string_value(json_object_get(r.json, "notice"));
	assert_non_null(notice);
	assert_non_null(strstr(notice, "impersonate"));
	assert_non_null(strstr(notice, "never ask you for your password"));
	gh_resp_free(&r);
	/* The right number afterwards changes nothing. */
	assert_int_equal(approve(w, &cust, v, n, &r), 409);
	gh_resp_free(&r);
	assert_locked_then_cleared(w, t, v, "failed");
	gh_client_free(&cust);
}

static void
test_portal_deny(void **state)
{
	struct world *w = *state;
	struct gh_client cust;
	struct gh_resp r;
	char path[128];
	int64_t t = new_ticket(w, 5), v = start(&w->c_agent1, t);

	gh_client_init(&cust, 0);
	assert_int_equal(gh_login(&w->s, &cust, &w->cust[5]), 201);
	request(w, &cust, v, NULL);
	snprintf(path, sizeof(path), "/api/v1/portal/verifications/%lld/deny",
		 (long long)v);
	assert_int_equal(gh_send_json(&w->s, &cust, "POST", path, json_object(),
				      &r),
			 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "status")),
			    "denied");
	assert_non_null(strstr(json_string_value(json_object_get(r.json,
								  "notice")),
			       "impersonate"));
	gh_resp_free(&r);
	assert_int_equal(gh_db_countf(&w->s,
				      "SELECT COUNT(*) FROM audit WHERE record "
				      "LIKE '%%verification.denied%%'"),
			 1);
	assert_locked_then_cleared(w, t, v, "denied");
	gh_client_free(&cust);
}

/* --- liveness ----------------------------------------------------------- */

/* A level-1 verification of agent client c on ticket t, approved by the
 * logged-in customer client cust. */
static int64_t
verified(struct world *w, struct gh_client *c, struct gh_client *cust,
	 int64_t t)
{
	struct gh_resp r;
	int64_t v = start(c, t), n;
	char path[128];

	assert_int_equal(add_factor(c, v, "portal_approval", NULL, &r), 202);
	n = json_integer_value(json_object_get(r.json, "number"));
	gh_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/portal/verifications/%lld/approve",
		 (long long)v);
	assert_int_equal(gh_send_json(&w->s, cust, "POST", path,
				      json_pack("{s:I}", "number",
						(json_int_t)n),
				      &r),
			 200);
	gh_resp_free(&r);
	assert_int_equal(level_of(c, v, NULL, 0), 1);
	return v;
}

static long
ticket_post(struct gh_client *c, int64_t t, const char *what, json_t *body)
{
	char path[128];
	struct gh_resp r;
	long st;

	snprintf(path, sizeof(path), "/api/v1/tickets/%lld/%s", (long long)t,
		 what);
	st = post(c, path, body, &r);
	gh_resp_free(&r);
	return st;
}

static void
test_dies(void **state)
{
	struct world *w = *state;
	struct gh_client cust, a3;
	struct gh_resp r;
	char status[32];
	int64_t t, v;

	gh_client_init(&cust, 0);
	gh_client_init(&a3, 1);
	assert_int_equal(gh_login(&w->s, &cust, &w->cust[6]), 201);
	/* Reassigned by a supervisor. */
	t = new_ticket(w, 6);
	v = verified(w, &w->c_agent1, &cust, t);
	assert_int_equal(ticket_post(&w->c_sup, t, "assign",
				     json_pack("{s:I}", "staff_id",
					       (json_int_t)w->agent2.id)),
			 200);
	assert_int_equal(level_of(&w->c_agent1, v, status, sizeof(status)), 0);
	assert_string_equal(status, "ended");
	/* Moved to another queue. */
	t = new_ticket(w, 6);
	v = verified(w, &w->c_agent1, &cust, t);
	assert_int_equal(ticket_post(&w->c_sup, t, "queue",
				     json_pack("{s:s}", "queue", "billing")),
			 200);
	assert_int_equal(level_of(&w->c_agent1, v, NULL, 0), 0);
	/* Taken by the agent itself: kept; solved: dead. */
	t = new_ticket(w, 6);
	v = verified(w, &w->c_agent1, &cust, t);
	assert_int_equal(ticket_post(&w->c_agent1, t, "assign",
				     json_pack("{s:I}", "staff_id",
					       (json_int_t)w->agent1.id)),
			 200);
	assert_int_equal(level_of(&w->c_agent1, v, NULL, 0), 1);
	assert_int_equal(ticket_post(&w->c_agent1, t, "status",
				     json_pack("{s:s}", "status", "solved")),
			 200);
	assert_int_equal(level_of(&w->c_agent1, v, NULL, 0), 0);
	/* The agent logs out: a new session does not inherit it. */
	t = new_ticket(w, 6);
	assert_int_equal(gh_login(&w->s, &a3, &w->agent3), 201);
	v = verified(w, &a3, &cust, t);
	assert_int_equal(gh_req(&w->s, &a3, "DELETE", "/api/v1/staff/session",
				NULL, NULL, &r),
			 200);
	gh_resp_free(&r);
	assert_int_equal(gh_login(&w->s, &a3, &w->agent3), 201);
	assert_int_equal(level_of(&a3, v, status, sizeof(status)), 0);
	assert_string_equal(status, "ended");
	gh_client_free(&cust);
	gh_client_free(&a3);
}

static void
test_open_limit(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	int64_t t = 0;

	for (int i = 0; i < 10; i++) {
		t = new_ticket(w, 7);
		start(&w->c_agent2, t);
	}
	/* Again on the last ticket: it replaces the one there. */
	start(&w->c_agent2, t);
	t = new_ticket(w, 7);
	assert_int_equal(start_status(&w->c_agent2, t, &r), 429);
	assert_string_equal(gh_error(&r), "rate_limited");
	gh_resp_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_visible_and_not_yours),
		cmocka_unit_test(test_totp),
		cmocka_unit_test(test_email_code),
		cmocka_unit_test(test_level_two),
		cmocka_unit_test(test_portal_approval),
		cmocka_unit_test(test_portal_wrong_number),
		cmocka_unit_test(test_portal_deny),
		cmocka_unit_test(test_dies),
		cmocka_unit_test(test_open_limit),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
