/*
 * API tests of staff training and the gate against the real server
 * (issue 11, part A; ASVS 8.3.1 the gate enforced server-side; 16.3.1,
 * 16.3.2 refusals, attempts and completions audited; 8.2.1 function
 * level access; 2.2.1 allow-list validation of answers and modules; 1.3.1
 * module HTML sanitised; 2.4.1 anti-automation of quiz attempts).
 *
 * The gate: a completion recorded by the CLI two years ago has expired,
 * so starting a verification and revealing a value are refused with 403
 * training_required listing the modules (the refusals audited); reading
 * and answering tickets still work. A failed quiz changes nothing; passing
 * every listed module's quiz in the API opens the gate again. A module
 * added later by an admin is required at once and refuses adding a
 * factor to a verification already started. The quiz as staff get it
 * never holds the answers; attempts are recorded and audited, limited per
 * hour (429 rate_limited with Retry-After, ASVS 2.4.1 [11.1.4]
 * anti-automation), and bad answers or ids are 4xx with nothing written.
 * Imports (CLI and admin API) with a bad file change nothing; `training
 * complete` is audited with the Unix user who recorded it. The supervisor
 * view shows each agent's statuses; agents cannot use the admin or
 * supervisor routes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

struct world {
	struct gh_server s;
	struct gh_user old, fresh, ok, limit, sup, admin, cust;
	struct gh_client c_old, c_fresh, c_ok, c_limit, c_sup, c_admin, c_cust;
	int64_t t_old, t_ok;    /* tickets assigned to old and ok */
};

static struct world *W;

static int64_t
audit_count(const char *action)
{
	return gh_db_countf(&W->s,
			    "SELECT COUNT(*) FROM audit WHERE record LIKE "
			    "'%%\"action\":\"%s\"%%'",
			    action);
}

/* A ticket of the customer, assigned by the supervisor to staff. */
static int64_t
ticket_for(int64_t staff)
{
	struct gh_resp r;
	char path[96];
	int64_t id;

	assert_int_equal(gh_send_json(&W->s, &W->c_cust, "POST",
				      "/api/v1/portal/tickets",
				      json_pack("{s:s, s:s}", "subject",
						"Help", "body", "Please call"),
				      &r),
			 201);
	id = json_integer_value(json_object_get(r.json, "id"));
	gh_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/tickets/%lld/assign",
		 (long long)id);
	assert_int_equal(gh_send_json(&W->s, &W->c_sup, "POST", path,
				      json_pack("{s:I}", "staff_id",
						(json_int_t)staff),
				      &r),
			 200);
	gh_resp_free(&r);
	return id;
}

/* `training complete --email E --all --date D` (D NULL: today). */
static void
complete_all(const char *email, const char *date)
{
	const char *args[] = {"training", "complete", "--email", email,
			      "--all", date != NULL ? "--date" : NULL, date,
			      NULL};

	assert_int_equal(gh_cli(&W->s, NULL, NULL, args), 0);
}

static void
login(struct gh_client *c, struct gh_user *u)
{
	gh_client_init(c, 1);
	assert_int_equal(gh_login(&W->s, c, u), 201);
}

static int
group_setup(void **state)
{
	char day[16];
	time_t two_years_ago = time(NULL) - 2 * 366 * 86400;
	struct tm tm;

	W = calloc(1, sizeof(*W));
	gh_start(&W->s, NULL);
	gh_add_staff(&W->s, "old@example.com", "agent", &W->old);
	gh_add_staff(&W->s, "fresh@example.com", "agent", &W->fresh);
	gh_add_staff(&W->s, "ok@example.com", "agent", &W->ok);
	gh_add_staff(&W->s, "limit@example.com", "agent", &W->limit);
	gh_add_staff(&W->s, "sup@example.com", "supervisor", &W->sup);
	gh_add_staff(&W->s, "admin@example.com", "admin", &W->admin);
	gh_add_customer(&W->s, "ada@example.org", &W->cust);
	gmtime_r(&two_years_ago, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	complete_all("old@example.com", day);
	gh_train(&W->s, "ok@example.com");
	gh_train(&W->s, "sup@example.com");
	login(&W->c_old, &W->old);
	login(&W->c_fresh, &W->fresh);
	login(&W->c_ok, &W->ok);
	login(&W->c_limit, &W->limit);
	login(&W->c_sup, &W->sup);
	login(&W->c_admin, &W->admin);
	gh_client_init(&W->c_cust, 0);
	assert_int_equal(gh_login(&W->s, &W->c_cust, &W->cust), 201);
	W->t_old = ticket_for(W->old.id);
	W->t_ok = ticket_for(W->ok.id);
	*state = W;
	return 0;
}

static int
group_teardown(void **state)
{
	struct gh_client *cs[] = {&W->c_old, &W->c_fresh, &W->c_ok,
				  &W->c_limit, &W->c_sup, &W->c_admin,
				  &W->c_cust};

	(void)state;
	for (size_t i = 0; i < sizeof(cs) / sizeof(cs[0]); i++)
		gh_client_free(cs[i]);
	assert_int_equal(gh_stop(&W->s), 0);
	free(W);
	return 0;
}

static long
post(struct gh_client *c, const char *path, json_t *body, struct gh_resp *r)
{
	return gh_send_json(&W->s, c, "POST", path, body, r);
}

static long
start_verification(struct gh_client *c, int64_t ticket, struct gh_resp *r)
{
	char path[96];

	snprintf(path, sizeof(path), "/api/v1/tickets/%lld/verifications",
		 (long long)ticket);
	return post(c, path, json_object(), r);
}

/* The status r's "modules" list gives module id, or NULL. */
static const char *
listed(const struct gh_resp *r, const char *id)
{
	size_t i;
	json_t *m;

	json_array_foreach(json_object_get(r->json, "modules"), i, m)
		if (strcmp(json_string_value(json_object_get(m, "id")), id) ==
		    0) {
			assert_non_null(json_object_get(m, "title"));
			return json_string_value(json_object_get(m, "status"));
		}
	return NULL;
}

/* The correct answers of module id, as the admin editor shows them. */
static json_t *
answers_of(const char *id, int right)
{
	struct gh_resp r;
	char path[128];
	json_t *out = json_object(), *q;
	size_t i;

	snprintf(path, sizeof(path), "/api/v1/admin/training/%s", id);
	assert_int_equal(gh_req(&W->s, &W->c_admin, "GET", path, NULL, NULL,
				&r),
			 200);
	json_array_foreach(json_object_get(json_object_get(r.json, "quiz"),
					   "questions"),
			   i, q) {
		json_t *c = json_object_get(q, "correct");
		size_t nopt = json_array_size(json_object_get(q, "options"));
		int64_t first = json_integer_value(json_array_get(c, 0));

		/* Wrong: one option that is not the first right one. */
		json_object_set_new(
			out, json_string_value(json_object_get(q, "id")),
			right ? json_deep_copy(c)
			      : json_pack("[I]", (json_int_t)((first + 1) %
							      (int64_t)nopt)));
	}
	gh_resp_free(&r);
	return out;
}

static long
attempt(struct gh_client *c, const char *id, json_t *answers,
	struct gh_resp *r)
{
	char path[128];

	snprintf(path, sizeof(path), "/api/v1/training/%s/attempts", id);
	return post(c, path, json_pack("{s:o}", "answers", answers), r);
}

/* ASVS 8.3.1, 16.3.2: the expired agent: verification and reveal refused
 * with the modules listed and audited; tickets still readable and
 * answerable. */
static void
test_expired_blocks(void **state)
{
	struct gh_resp r;
	char path[96];
	int64_t gate0 = audit_count("training.gate");

	(void)state;
	assert_int_equal(start_verification(&W->c_old, W->t_old, &r), 403);
	assert_string_equal(gh_error(&r), "training_required");
	assert_string_equal(listed(&r, "no-bending-rules"), "expired");
	assert_string_equal(listed(&r, "verify-before-disclosure"), "expired");
	/* Not required by default, so not listed. */
	assert_null(listed(&r, "phishing-remedial"));
	gh_resp_free(&r);
	assert_int_equal(gh_db_count(&W->s, "SELECT COUNT(*) FROM "
					    "verifications"),
			 0);
	snprintf(path, sizeof(path), "/api/v1/customers/%lld/reveal",
		 (long long)W->cust.id);
	assert_int_equal(post(&W->c_old, path,
			      json_pack("{s:s, s:s, s:i}", "field", "email",
					"reason", "Caller asked", "verification",
					1),
			      &r),
			 403);
	assert_string_equal(gh_error(&r), "training_required");
	assert_string_equal(listed(&r, "how-we-contact-customers"), "expired");
	gh_resp_free(&r);
	assert_int_equal(gh_db_count(&W->s, "SELECT COUNT(*) FROM reveals"),
			 0);
	assert_int_equal(audit_count("training.gate"), gate0 + 2);
	/* Reading and answering tickets are not gated. */
	snprintf(path, sizeof(path), "/api/v1/tickets/%lld",
		 (long long)W->t_old);
	assert_int_equal(gh_req(&W->s, &W->c_old, "GET", path, NULL, NULL, &r),
			 200);
	gh_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/tickets/%lld/replies",
		 (long long)W->t_old);
	assert_int_equal(post(&W->c_old, path,
			      json_pack("{s:s}", "body",
					"We are looking into it."),
			      &r),
			 201);
	gh_resp_free(&r);
}

/* A failed quiz does not open the gate; passing every listed module
 * does. */
static void
test_quiz_restores(void **state)
{
	static const char *const req[] = {
		"no-bending-rules", "verify-before-disclosure",
		"internal-vs-external", "phishing-links-attachments",
		"password-device-hygiene", "how-we-contact-customers",
	};
	struct gh_resp r;

	(void)state;
	assert_int_equal(attempt(&W->c_old, req[0], answers_of(req[0], 0), &r),
			 201);
	assert_false(json_is_true(json_object_get(r.json, "passed")));
	assert_int_equal(json_integer_value(json_object_get(r.json, "score")),
			 0);
	assert_true(json_is_null(json_object_get(r.json, "expires_at")));
	gh_resp_free(&r);
	assert_int_equal(start_verification(&W->c_old, W->t_old, &r), 403);
	assert_string_equal(listed(&r, req[0]), "expired");
	gh_resp_free(&r);
	for (size_t i = 0; i < sizeof(req) / sizeof(req[0]); i++) {
		assert_int_equal(attempt(&W->c_old, req[i],
					 answers_of(req[i], 1), &r),
				 201);
		assert_true(json_is_true(json_object_get(r.json, "passed")));
		assert_int_equal(
			json_integer_value(json_object_get(r.json, "score")),
			100);
		assert_int_equal(json_integer_value(
					 json_object_get(r.json, "pass_mark")),
				 80);
		assert_true(json_integer_value(json_object_get(
				    r.json, "expires_at")) >
			    (json_int_t)time(NULL) + 300 * 86400);
		gh_resp_free(&r);
	}
	assert_int_equal(gh_req(&W->s, &W->c_old, "GET", "/api/v1/me/training",
				NULL, NULL, &r),
			 200);
	assert_true(json_is_true(json_object_get(r.json, "gate_open")));
	assert_string_equal(listed(&r, req[0]), "current");
	gh_resp_free(&r);
	assert_int_equal(start_verification(&W->c_old, W->t_old, &r), 201);
	gh_resp_free(&r);
	assert_int_equal(gh_db_countf(&W->s,
				      "SELECT COUNT(*) FROM training_attempts "
				      "WHERE staff_id = %lld",
				      (long long)W->old.id),
			 7);
}

/* ASVS 1.3.1: GET never gives the answers; the content is rendered,
 * without raw HTML. */
static void
test_get_hides_answers(void **state)
{
	struct gh_resp r;
	json_t *q;
	size_t i;

	(void)state;
	assert_int_equal(gh_req(&W->s, &W->c_fresh, "GET",
				"/api/v1/training/verify-before-disclosure",
				NULL, NULL, &r),
			 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "status")),
			    "missing");
	assert_non_null(strstr(json_string_value(json_object_get(r.json,
								 "html")),
			       "<h1>Verifying identity"));
	assert_true(json_array_size(json_object_get(r.json, "questions")) >= 4);
	json_array_foreach(json_object_get(r.json, "questions"), i, q) {
		assert_non_null(json_object_get(q, "options"));
		assert_null(json_object_get(q, "correct"));
	}
	assert_null(strstr(r.body, "\"correct\""));
	gh_resp_free(&r);
	assert_int_equal(gh_req(&W->s, &W->c_fresh, "GET",
				"/api/v1/training/no-such-module", NULL, NULL,
				&r),
			 404);
	assert_string_equal(gh_error(&r), "unknown_module");
	gh_resp_free(&r);
}

/* ASVS 2.2.1, 2.4.1, 16.3.1: bad answers and ids: 4xx, nothing written;
 * a good attempt is audited; the hourly limit. */
static void
test_attempts_checked(void **state)
{
	static const char id[] = "password-device-hygiene";
	json_t *bad[] = {
		json_pack("{s:[i]}", "strong", 2),           /* not all */
		json_pack("{s:[i], s:[i], s:[i], s:[i], s:[i], s:[i]}",
			  "strong", 2, "where", 1, "code-call", 1,
			  "change-when", 0, "new-network", 1, "zz", 0),
		json_pack("{s:[i], s:[i], s:[i], s:[i], s:[i]}", "strong", 9,
			  "where", 1, "code-call", 1, "change-when", 0,
			  "new-network", 1),                 /* index */
		json_pack("{s:i, s:[i], s:[i], s:[i], s:[i]}", "strong", 2,
			  "where", 1, "code-call", 1, "change-when", 0,
			  "new-network", 1),                 /* not a set */
		json_pack("{s:[i,i], s:[i], s:[i], s:[i], s:[i]}", "strong",
			  2, 2, "where", 1, "code-call", 1, "change-when", 0,
			  "new-network", 1),                 /* twice */
	};
	int64_t a0 = audit_count("training.attempt");
	int64_t n0 = gh_db_count(&W->s,
				 "SELECT COUNT(*) FROM training_attempts");
	struct gh_resp r;
	long st;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		st = attempt(&W->c_limit, id, bad[i], &r);
		if (st != 400 || strcmp(gh_error(&r), "bad_field") != 0)
			fail_msg("bad answers %zu: %ld %s", i, st, r.body);
		gh_resp_free(&r);
	}
	/* Not an object; an unknown field; an unknown module. */
	assert_int_equal(post(&W->c_limit,
			      "/api/v1/training/password-device-hygiene/"
			      "attempts",
			      json_pack("{s:[i]}", "answers", 1), &r),
			 400);
	gh_resp_free(&r);
	assert_int_equal(post(&W->c_limit,
			      "/api/v1/training/password-device-hygiene/"
			      "attempts",
			      json_pack("{s:{s:[i]}, s:b}", "answers", "strong",
					2, "passed", 1),
			      &r),
			 400);
	gh_resp_free(&r);
	assert_int_equal(attempt(&W->c_limit, "no-such-module",
				 answers_of(id, 1), &r),
			 404);
	assert_string_equal(gh_error(&r), "unknown_module");
	gh_resp_free(&r);
	assert_int_equal(post(&W->c_limit, "/api/v1/training/Bad_Id/attempts",
			      json_object(), &r),
			 404);
	gh_resp_free(&r);
	assert_int_equal(gh_db_count(&W->s, "SELECT COUNT(*) FROM "
					    "training_attempts"),
			 n0);
	assert_int_equal(audit_count("training.attempt"), a0);
	/* Ten attempts in an hour, then 429 (audited). */
	for (int i = 0; i < 10; i++) {
		assert_int_equal(attempt(&W->c_limit, id, answers_of(id, 0),
					 &r),
				 201);
		gh_resp_free(&r);
	}
	assert_int_equal(audit_count("training.attempt"), a0 + 10);
	assert_int_equal(attempt(&W->c_limit, id, answers_of(id, 1), &r), 429);
	assert_string_equal(gh_error(&r), "rate_limited");
	{
		char *ra = gh_header(&r, "Retry-After");

		assert_non_null(ra);
		assert_int_equal(strtol(ra, NULL, 10), 3600);
		free(ra);
	}
	gh_resp_free(&r);
	assert_int_equal(audit_count("training.attempt"), a0 + 11);
	assert_int_equal(gh_db_countf(&W->s,
				      "SELECT COUNT(*) FROM training_completions "
				      "WHERE staff_id = %lld",
				      (long long)W->limit.id),
			 0);
}

/* Writes text to dir/name. */
static void
put_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static const char good_md[] =
	"---\ntitle: Extra policy\npass_mark: 100\nrequired: yes\n"
	"order: 70\n---\n# Extra\n\nRead [this](https://example.com/p).\n";
static const char good_quiz[] =
	"{\"questions\": [{\"id\": \"q1\", \"text\": \"Pick b\", \"kind\": "
	"\"single\", \"options\": [\"a\", \"b\"], \"correct\": [1]}]}";

/* ASVS 2.2.1, 1.3.1: a CLI import with one bad file and an admin PUT of a
 * bad module change nothing, and name the file and line. */
static void
test_bad_import_changes_nothing(void **state)
{
	char dir[] = "/tmp/gh-train-import-XXXXXX";
	const char *args[] = {"training", "import", dir, NULL};
	int64_t m0 = gh_db_count(&W->s, "SELECT SUM(updated_at) + COUNT(*) "
					"FROM training_modules");
	struct gh_resp r;
	json_t *quiz;

	(void)state;
	assert_non_null(mkdtemp(dir));
	put_file(dir, "extra-a.md", good_md);
	put_file(dir, "extra-a.quiz.json", good_quiz);
	put_file(dir, "extra-b.md",
		 "---\ntitle: B\npass_mark: 80\nrequired: yes\n---\n\n"
		 "![p](https://tracker.example/p.png)\n");
	put_file(dir, "extra-b.quiz.json", good_quiz);
	assert_int_equal(gh_cli(&W->s, NULL, NULL, args), 1);
	assert_true(gh_log_contains(&W->s, "extra-b.md: line 7"));
	assert_int_equal(gh_db_count(&W->s, "SELECT SUM(updated_at) + "
					    "COUNT(*) FROM training_modules"),
			 m0);
	assert_int_equal(gh_db_count(&W->s, "SELECT COUNT(*) FROM "
					    "training_modules WHERE id LIKE "
					    "'extra-%'"),
			 0);
	/* The admin editor, same checks: a link to http: is refused. */
	quiz = json_loads(good_quiz, 0, NULL);
	assert_int_equal(gh_send_json(&W->s, &W->c_admin, "PUT",
				      "/api/v1/admin/training/extra-c",
				      json_pack("{s:s, s:o}", "markdown",
						"---\ntitle: C\npass_mark: 80\n"
						"required: yes\n---\n"
						"[x](http://evil.example/)\n",
						"quiz", quiz),
				      &r),
			 400);
	assert_string_equal(gh_error(&r), "bad_module");
	assert_non_null(strstr(json_string_value(json_object_get(r.json,
								 "message")),
			       "extra-c.md: line 6"));
	gh_resp_free(&r);
	assert_int_equal(gh_db_count(&W->s, "SELECT SUM(updated_at) + "
					    "COUNT(*) FROM training_modules"),
			 m0);
	(void)!system("rm -rf /tmp/gh-train-import-*");
}

/* ASVS 16.3.1: `training complete` is audited with source external and
 * the Unix user who recorded it. */
static void
test_cli_complete_audited(void **state)
{
	struct passwd *pw = getpwuid(geteuid());
	char by[96];

	(void)state;
	assert_non_null(pw);
	snprintf(by, sizeof(by), "\"recorded_by\":\"cli:%s\"", pw->pw_name);
	assert_true(gh_db_countf(&W->s,
				 "SELECT COUNT(*) FROM audit WHERE record LIKE "
				 "'%%\"action\":\"training.completed\"%%' AND "
				 "record LIKE '%%\"source\":\"external\"%%' "
				 "AND record LIKE '%%%s%%' AND record LIKE "
				 "'%%\"target\":\"staff:%lld\"%%'",
				 by, (long long)W->ok.id) >= 7);
	assert_int_equal(gh_db_countf(&W->s,
				      "SELECT COUNT(*) FROM training_completions "
				      "WHERE staff_id = %lld AND source = "
				      "'external'",
				      (long long)W->ok.id),
			 7);
}

/* Supervisors see every staff member's statuses and expiry dates. */
static void
test_supervisor_view(void **state)
{
	struct gh_resp r;
	json_t *s, *m;
	size_t i, j;
	int seen = 0;

	(void)state;
	assert_int_equal(gh_req(&W->s, &W->c_sup, "GET",
				"/api/v1/supervisor/training", NULL, NULL, &r),
			 200);
	json_array_foreach(json_object_get(r.json, "staff"), i, s) {
		int64_t id = json_integer_value(json_object_get(s, "id"));
		int open = json_is_true(json_object_get(s, "gate_open"));

		json_array_foreach(json_object_get(s, "modules"), j, m) {
			const char *mid = json_string_value(
				json_object_get(m, "id"));
			const char *st = json_string_value(
				json_object_get(m, "status"));

			if (strcmp(mid, "no-bending-rules") != 0)
				continue;
			if (id == W->ok.id) {
				assert_string_equal(st, "current");
				assert_true(open);
				assert_true(json_integer_value(json_object_get(
						    m, "expires_at")) >
					    (json_int_t)time(NULL));
				seen++;
			} else if (id == W->fresh.id) {
				assert_string_equal(st, "missing");
				assert_false(open);
				assert_true(json_is_null(
					json_object_get(m, "expires_at")));
				seen++;
			}
		}
	}
	assert_int_equal(seen, 2);
	gh_resp_free(&r);
}

/* ASVS 8.2.1: agents cannot use the supervisor or admin routes, and
 * supervisors not the admin ones. */
static void
test_roles(void **state)
{
	struct gh_resp r;
	json_t *quiz = json_loads(good_quiz, 0, NULL);

	(void)state;
	assert_int_equal(gh_req(&W->s, &W->c_ok, "GET",
				"/api/v1/supervisor/training", NULL, NULL, &r),
			 403);
	gh_resp_free(&r);
	assert_int_equal(gh_req(&W->s, &W->c_ok, "GET",
				"/api/v1/admin/training/no-bending-rules", NULL,
				NULL, &r),
			 403);
	gh_resp_free(&r);
	assert_int_equal(gh_req(&W->s, &W->c_sup, "GET",
				"/api/v1/admin/training/no-bending-rules", NULL,
				NULL, &r),
			 403);
	gh_resp_free(&r);
	assert_int_equal(gh_send_json(&W->s, &W->c_ok, "PUT",
				      "/api/v1/admin/training/extra-d",
				      json_pack("{s:s, s:O}", "markdown",
						good_md, "quiz", quiz),
				      &r),
			 403);
	gh_resp_free(&r);
	json_decref(quiz);
	assert_int_equal(gh_db_count(&W->s, "SELECT COUNT(*) FROM "
					    "training_modules WHERE id = "
					    "'extra-d'"),
			 0);
}

/* Runs last: an admin adds a required module; it is required at once,
 * also of an agent in the middle of a verification (adding a factor is
 * refused), and passing it opens the gate again. */
static void
test_new_module_gates_factor(void **state)
{
	struct gh_resp r;
	char path[96];
	int64_t v;
	json_t *quiz = json_loads(good_quiz, 0, NULL);
	int64_t out0;

	(void)state;
	assert_int_equal(start_verification(&W->c_ok, W->t_ok, &r), 201);
	v = json_integer_value(json_object_get(r.json, "id"));
	gh_resp_free(&r);
	assert_int_equal(gh_send_json(&W->s, &W->c_admin, "PUT",
				      "/api/v1/admin/training/extra-policy",
				      json_pack("{s:s, s:o}", "markdown",
						good_md, "quiz", quiz),
				      &r),
			 200);
	gh_resp_free(&r);
	assert_int_equal(audit_count("training.imported"), 2);
	out0 = gh_db_count(&W->s, "SELECT COUNT(*) FROM outbox");
	snprintf(path, sizeof(path), "/api/v1/verifications/%lld/factors",
		 (long long)v);
	assert_int_equal(post(&W->c_ok, path,
			      json_pack("{s:s}", "method", "email_otp"), &r),
			 403);
	assert_string_equal(gh_error(&r), "training_required");
	assert_string_equal(listed(&r, "extra-policy"), "missing");
	assert_null(listed(&r, "no-bending-rules"));
	gh_resp_free(&r);
	/* Nothing was sent or recorded for the refused factor. */
	assert_int_equal(gh_db_count(&W->s, "SELECT COUNT(*) FROM outbox"),
			 out0);
	assert_int_equal(gh_db_countf(&W->s,
				      "SELECT COUNT(*) FROM "
				      "verification_factors WHERE "
				      "verification_id = %lld",
				      (long long)v),
			 0);
	assert_int_equal(attempt(&W->c_ok, "extra-policy",
				 json_pack("{s:[i]}", "q1", 1), &r),
			 201);
	assert_true(json_is_true(json_object_get(r.json, "passed")));
	gh_resp_free(&r);
	assert_int_equal(post(&W->c_ok, path,
			      json_pack("{s:s}", "method", "email_otp"), &r),
			 202);
	gh_resp_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expired_blocks),
		cmocka_unit_test(test_quiz_restores),
		cmocka_unit_test(test_get_hides_answers),
		cmocka_unit_test(test_attempts_checked),
		cmocka_unit_test(test_bad_import_changes_nothing),
		cmocka_unit_test(test_cli_complete_audited),
		cmocka_unit_test(test_supervisor_view),
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_new_module_gates_factor),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
