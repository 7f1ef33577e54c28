/*
 * Logins on their worker pools (issue 14, part LOGINS) against a real
 * `gatehouse serve`: the password check (argon2id) of each realm runs on
 * its own bounded pool; a full queue answers 503 server_busy with
 * Retry-After at once, without a hash; customers flooding the portal
 * login cannot starve a staff login; the per-address throttle refuses
 * before any hash or queue slot; logins still work. The queues are one
 * job long and the hash is made slower, so a burst overflows them.
 * Nothing here passes or fails on time: answers are counted, and their
 * order of arrival compared.
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

#include "harness.h"

static struct gh_server srv;
static struct gh_user agent, cust;

/* Order in which answers came back, over all threads. */
static unsigned g_arrival;

static int
setup(void **state)
{
	(void)state;
	gh_start(&srv, "\n[security]\nargon2_ops = 4\n"
		       "login_delay_base_seconds = 60\n"
		       "login_ip_free_failures = 3\n"
		       "[workers]\nstaff_login_threads = 1\n"
		       "staff_login_queue = 1\nportal_login_threads = 1\n"
		       "portal_login_queue = 1\n");
	gh_add_staff(&srv, "agent@example.com", "agent", &agent);
	gh_add_customer(&srv, "cust@example.org", &cust);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	assert_int_equal(gh_stop(&srv), 0);
	return 0;
}

/* One login of a burst: the thread connects from its own loopback
 * address (a cheap request opens TLS), waits for the others, sends its
 * login and notes the answer and when it came relative to the rest. */
struct try {
	pthread_barrier_t *go;
	int staff;
	char addr[32];
	char body[512];
	long status;
	char error[32];
	long retry_after;
	unsigned arrival;
};

static void *
try_login(void *arg)
{
	struct try *t = arg;
	struct gh_client c;
	struct gh_resp r;
	char *ra;

	gh_client_init(&c, t->staff);
	curl_easy_setopt(c.curl, CURLOPT_INTERFACE, t->addr);
	gh_req(&srv, &c, "GET", "/", NULL, NULL, &r);
	gh_resp_free(&r);
	pthread_barrier_wait(t->go);
	t->status = gh_req(&srv, &c, "POST",
			   t->staff ? "/api/v1/staff/session"
				    : "/api/v1/portal/session",
			   t->body, NULL, &r);
	t->arrival = __atomic_fetch_add(&g_arrival, 1, __ATOMIC_SEQ_CST);
	snprintf(t->error, sizeof(t->error), "%s", gh_error(&r));
	ra = gh_header(&r, "Retry-After");
	t->retry_after = ra != NULL ? strtol(ra, NULL, 10) : -1;
	free(ra);
	gh_resp_free(&r);
	gh_client_free(&c);
	return NULL;
}

/* Runs the n tries of t at once. */
static void
burst(struct try *t, size_t n)
{
	pthread_t th[64];
	pthread_barrier_t go;

	assert_true(n <= 64);
	assert_int_equal(pthread_barrier_init(&go, NULL, (unsigned)n), 0);
	for (size_t i = 0; i < n; i++) {
		t[i].go = &go;
		assert_int_equal(pthread_create(&th[i], NULL, try_login, &t[i]),
				 0);
	}
	for (size_t i = 0; i < n; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	pthread_barrier_destroy(&go);
}

/* A wrong login for a name nobody has, from addr. */
static void
wrong_try(struct try *t, int staff, const char *addr, const char *name)
{
	memset(t, 0, sizeof(*t));
	t->staff = staff;
	snprintf(t->addr, sizeof(t->addr), "%s", addr);
	snprintf(t->body, sizeof(t->body),
		 "{\"email\":\"%s\",\"password\":\"not the password 1\","
		 "\"totp\":\"123456\"}",
		 name);
}

/* The counts of a burst: 401s, 503s (each checked: server_busy with a
 * Retry-After), and 503s that came back before the first 401. */
struct tally {
	int n401, n503, n429, early503;
};

static struct tally
count(const struct try *t, size_t n)
{
	struct tally k = {0, 0, 0, 0};
	unsigned first401 = ~0u;

	for (size_t i = 0; i < n; i++)
		if (t[i].status == 401 && t[i].arrival < first401)
			first401 = t[i].arrival;
	for (size_t i = 0; i < n; i++) {
		k.n401 += t[i].status == 401;
		k.n429 += t[i].status == 429;
		if (t[i].status != 503)
			continue;
		k.n503++;
		k.early503 += t[i].arrival < first401;
		assert_string_equal(t[i].error, "server_busy");
		assert_true(t[i].retry_after >= 1);
	}
	return k;
}

/* ASVS 2.2.1 (anti-automation), 11.1.4: sixteen wrong staff logins at
 * once from sixteen addresses, on a queue of one: every one is answered;
 * those the queue cannot take get 503 server_busy with Retry-After at
 * once (before the first hash is done), and only the accepted ones are
 * hashed (one failed-login audit record per 401, none per 503); the
 * refusals are audited; the staff member still logs in afterwards. */
static void
test_full_queue_answers_at_once(void **state)
{
	enum { N = 16 };
	struct try t[N];
	struct gh_client c;
	char addr[32], name[64];
	struct tally k;
	int64_t before = gh_audit_count(&srv, "auth.login", "failure");

	(void)state;
	for (int i = 0; i < N; i++) {
		snprintf(addr, sizeof(addr), "127.0.1.%d", i + 1);
		snprintf(name, sizeof(name), "flood%d@example.com", i);
		wrong_try(&t[i], 1, addr, name);
	}
	burst(t, N);
	k = count(t, N);
	assert_int_equal(k.n401 + k.n503, N);
	assert_true(k.n401 >= 1);
	assert_true(k.n503 >= 1);
	/* A refusal never waits behind the hashes. */
	assert_true(k.early503 >= 1);
	assert_int_equal(gh_audit_count(&srv, "auth.login", "failure") - before,
			 k.n401);
	assert_true(gh_db_count(&srv, "SELECT COUNT(*) FROM audit WHERE "
				      "record LIKE '%security.refused%' AND "
				      "record LIKE '%server_busy%'") >= 1);
	gh_client_init(&c, 1);
	assert_int_equal(gh_login(&srv, &c, &agent), 201);
	gh_client_free(&c);
}

/* Customers flooding the portal login (its queue overflowing) while a
 * staff member logs in at the same moment: the staff login has its own
 * pool and succeeds; afterwards a customer logs in too. */
static void
test_customers_cannot_starve_staff(void **state)
{
	enum { N = 13 };
	struct try t[N];
	struct gh_client c;
	char addr[32], name[64], code[7];
	struct tally k;

	(void)state;
	for (int i = 0; i < N - 1; i++) {
		snprintf(addr, sizeof(addr), "127.0.2.%d", i + 1);
		snprintf(name, sizeof(name), "crowd%d@example.org", i);
		wrong_try(&t[i], 0, addr, name);
	}
	memset(&t[N - 1], 0, sizeof(t[N - 1]));
	t[N - 1].staff = 1;
	snprintf(t[N - 1].addr, sizeof(t[N - 1].addr), "127.0.2.200");
	gh_totp_next(&agent, code);
	snprintf(t[N - 1].body, sizeof(t[N - 1].body),
		 "{\"email\":\"%s\",\"password\":\"%s\",\"totp\":\"%s\"}",
		 agent.email, agent.password, code);
	burst(t, N);
	assert_int_equal(t[N - 1].status, 201);
	k = count(t, N - 1);
	assert_int_equal(k.n401 + k.n503, N - 1);
	assert_true(k.n503 >= 1);
	gh_client_init(&c, 0);
	assert_int_equal(gh_login(&srv, &c, &cust), 201);
	gh_client_free(&c);
}

/* ASVS 2.2.1: the per-address throttle is checked before the queue and
 * the hash. After login_ip_free_failures wrong logins from one address,
 * a burst from it is refused 429 too_many_attempts every time (never 503:
 * no attempt reached the queue of one), no further failed login is
 * hashed or audited as one, and the refusals are audited. */
static void
test_throttle_before_hash(void **state)
{
	enum { N = 8 };
	struct try t[N];
	struct tally k;
	int64_t before;

	(void)state;
	for (int i = 0; i < 3; i++) {
		wrong_try(&t[0], 0, "127.0.3.1", "sprayed@example.org");
		burst(t, 1);
		assert_int_equal(t[0].status, 401);
	}
	before = gh_audit_count(&srv, "auth.login", "failure");
	for (int i = 0; i < N; i++)
		wrong_try(&t[i], 0, "127.0.3.1", "sprayed@example.org");
	burst(t, N);
	k = count(t, N);
	assert_int_equal(k.n429, N);
	for (int i = 0; i < N; i++) {
		assert_string_equal(t[i].error, "too_many_attempts");
		assert_true(t[i].retry_after >= 1);
	}
	assert_int_equal(gh_audit_count(&srv, "auth.login", "failure"), before);
	assert_true(gh_db_count(&srv, "SELECT COUNT(*) FROM audit WHERE "
				      "record LIKE '%security.refused%' AND "
				      "record LIKE '%too_many_attempts%' AND "
				      "record LIKE '%127.0.3.1%'") >= 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_queue_answers_at_once),
		cmocka_unit_test(test_customers_cannot_starve_staff),
		cmocka_unit_test(test_throttle_before_hash),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, setup, teardown);
}
