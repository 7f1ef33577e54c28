/*
 * Login (core/auth.c) over a real SQLite store in a temporary directory:
 * the throttle counts parallel attempts like serial ones (issue 9, defect
 * 4: many threads, each on its own store connection, try wrong passwords
 * for one account at once), a success clears the account's counter and
 * leaves the address's as it was, and failures of every kind count.
 */
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

#include "core/app.h"
#include "core/auth.h"
#include "core/throttle.h"
#include "crypto/totp.h"
#include "util/errors.h"

#define PASSWORD "marmalade Tuesday kite 3"
#define N_THREADS 12
#define LOCK_AT 3

static const unsigned char master[CRYPTO_KEY_BYTES] = {
	3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3,
	2, 3, 8, 4, 6, 2, 6, 4, 3, 3, 8, 3, 2, 7, 9, 5,
};

struct fx {
	char dir[64];
	struct app app;
	unsigned char secret[TOTP_SECRET_BYTES];
	int64_t last_step;
};

/* A staff member with PASSWORD and an enrolled authenticator. */
static int64_t
add_staff(struct fx *f, const char *email)
{
	struct store_conn *c = store_acquire(f->app.store);
	struct staff_new n = {email, "Rita Race", "agent", NULL, {NULL, 0}};
	char hash[CRYPTO_PWHASH_BYTES];
	char ad[300];
	int64_t id = 0;

	assert_int_equal(crypto_pw_hash(PASSWORD, strlen(PASSWORD),
					&f->app.pw_params, hash),
			 0);
	n.pw_hash = hash;
	snprintf(ad, sizeof(ad), "staff.totp:%s", email);
	assert_int_equal(crypto_seal(f->app.keys, ad, f->secret,
				     sizeof(f->secret), &n.totp_seed.data,
				     &n.totp_seed.len),
			 0);
	assert_int_equal(c->ops->staff_insert(c, &n, &id), 0);
	blob_clear(&n.totp_seed);
	store_release(f->app.store, c);
	return id;
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char url[128], err[256];

	if (f == NULL || crypto_init() != 0)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/gh-test-auth-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	config_defaults(&f->app.cfg, f->dir);
	/* Delays would start after more failures than the lock needs: the
	 * lock is the limit, and the address limit is out of the way. */
	f->app.cfg.login_free_failures = 10;
	f->app.cfg.login_max_failures = LOCK_AT;
	f->app.cfg.login_ip_free_failures = 1000;
	if (config_validate(&f->app.cfg, err, sizeof(err)) != 0)
		return -1;
	if (crypto_keys_from_bytes(master, &f->app.keys) != 0)
		return -1;
	snprintf(url, sizeof(url), "sqlite:%s/db", f->dir);
	if (store_open(url, N_THREADS + 2, &f->app.store) != 0)
		return -1;
	f->app.pw_params.ops = (unsigned long long)f->app.cfg.argon2_ops;
	f->app.pw_params.mem = (size_t)f->app.cfg.argon2_mem_mib << 20;
	if (crypto_pw_hash("dummy password 0", 16, &f->app.pw_params,
			   f->app.dummy_hash) != 0)
		return -1;
	totp_secret_new(f->secret);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[160];

	store_close(f->app.store);
	crypto_keys_free(f->app.keys);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	(void)!system(cmd);
	free(f);
	return 0;
}

/* One login on a connection of its own; the result and the session
 * token (wiped) are dropped but for the return value. */
static int
login(struct fx *f, const char *email, const char *pw, const char *code,
      const char *ip)
{
	struct store_conn *c = store_acquire(f->app.store);
	struct login_req req = {REALM_STAFF, email, pw, strlen(pw), code, ip,
				"test", NULL};
	struct login_ok ok;
	int64_t retry = 0;
	int rc = auth_login(&f->app, c, &req, &ok, &retry);

	crypto_wipe(&ok, sizeof(ok));
	store_release(f->app.store, c);
	return rc;
}

/* A code for the fixture's authenticator that was not used yet. */
static void
next_code(struct fx *f, char out[TOTP_DIGITS + 1])
{
	int64_t step = (int64_t)time(NULL) / TOTP_STEP;

	if (step <= f->last_step)
		step = f->last_step + 1;
	f->last_step = step;
	assert_int_equal(totp_generate(f->secret, sizeof(f->secret),
				       (time_t)(step * TOTP_STEP), out),
			 0);
}

/* The throttle row of key; failures -1 when there is none. */
static struct throttle_rec
row(struct fx *f, const char *key)
{
	struct store_conn *c = store_acquire(f->app.store);
	struct throttle_rec t;
	int rc = c->ops->throttle_get(c, key, &t);

	if (rc == -GH_NOT_FOUND)
		t.failures = -1;
	else
		assert_int_equal(rc, 0);
	store_release(f->app.store, c);
	return t;
}

struct racer {
	struct fx *f;
	pthread_barrier_t *go;
	int rc;
};

static void *
race_one(void *arg)
{
	struct racer *r = arg;
	struct store_conn *c = store_acquire(r->f->app.store);
	struct login_req req = {REALM_STAFF, "race@example.com",
				"not the password 5", 18, "123456",
				"192.0.2.7", "race", NULL};
	struct login_ok ok;
	int64_t retry = 0;

	pthread_barrier_wait(r->go);
	r->rc = auth_login(&r->f->app, c, &req, &ok, &retry);
	store_release(r->f->app.store, c);
	return NULL;
}

/* Issue 9, defect 4: N_THREADS wrong passwords at once, each thread on
 * its own store connection, get exactly LOCK_AT password checks (the
 * -GH_LOGIN_FAILED answers; a refused attempt is -GH_TOO_MANY_ATTEMPTS
 * before any work), as many audit records, and the lock. */
static void
test_parallel_wrong_passwords(void **state)
{
	struct fx *f = *state;
	struct racer r[N_THREADS];
	pthread_t th[N_THREADS];
	pthread_barrier_t go;
	struct store_conn *c;
	char key[80];
	char code[TOTP_DIGITS + 1];
	int failed = 0, refused = 0;
	int64_t n_audit = 0;

	add_staff(f, "race@example.com");
	assert_int_equal(pthread_barrier_init(&go, NULL, N_THREADS), 0);
	for (int i = 0; i < N_THREADS; i++) {
		r[i] = (struct racer){f, &go, 0};
		assert_int_equal(pthread_create(&th[i], NULL, race_one, &r[i]),
				 0);
	}
	for (int i = 0; i < N_THREADS; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	pthread_barrier_destroy(&go);
	for (int i = 0; i < N_THREADS; i++) {
		failed += r[i].rc == -GH_LOGIN_FAILED;
		refused += r[i].rc == -GH_TOO_MANY_ATTEMPTS;
	}
	if (failed != LOCK_AT)
		fail_msg("%d of %d parallel wrong passwords were checked; the "
			 "lock allows %d",
			 failed, N_THREADS, LOCK_AT);
	assert_int_equal(refused, N_THREADS - LOCK_AT);
	c = store_acquire(f->app.store);
	assert_int_equal(c->ops->audit_count(c, &n_audit), 0);
	store_release(f->app.store, c);
	assert_int_equal(n_audit, LOCK_AT);
	throttle_account_key(&f->app, REALM_STAFF, "race@example.com", key,
			     sizeof(key));
	assert_int_equal(row(f, key).failures, LOCK_AT);
	assert_true(row(f, key).blocked_until == THROTTLE_LOCKED);
	/* Locked: the right password and code are refused unchecked. */
	next_code(f, code);
	assert_int_equal(login(f, "race@example.com", PASSWORD, code,
			       "192.0.2.8"),
			 -GH_TOO_MANY_ATTEMPTS);
}

/* Serially: failures count on the account and the address; a success
 * clears the account's counter and does not count against the address;
 * unknown names count like real ones. */
static void
test_counters_settle(void **state)
{
	struct fx *f = *state;
	char acct[80], ghost[80], ip[80];
	char code[TOTP_DIGITS + 1];

	add_staff(f, "serial@example.com");
	throttle_account_key(&f->app, REALM_STAFF, "serial@example.com", acct,
			     sizeof(acct));
	throttle_account_key(&f->app, REALM_STAFF, "ghost@example.com", ghost,
			     sizeof(ghost));
	throttle_ip_key("198.51.100.4", ip, sizeof(ip));
	assert_int_equal(login(f, "serial@example.com", "wrong password 1",
			       "123456", "198.51.100.4"),
			 -GH_LOGIN_FAILED);
	assert_int_equal(login(f, "ghost@example.com", PASSWORD, "123456",
			       "198.51.100.4"),
			 -GH_LOGIN_FAILED);
	assert_int_equal(row(f, acct).failures, 1);
	assert_int_equal(row(f, ghost).failures, 1);
	assert_int_equal(row(f, ip).failures, 2);
	/* A wrong code after the right password is a failure too. */
	assert_int_equal(login(f, "serial@example.com", PASSWORD, "000000",
			       "198.51.100.4"),
			 -GH_LOGIN_FAILED);
	assert_int_equal(row(f, acct).failures, 2);
	assert_int_equal(row(f, ip).failures, 3);
	next_code(f, code);
	assert_int_equal(login(f, "serial@example.com", PASSWORD, code,
			       "198.51.100.4"),
			 0);
	assert_int_equal(row(f, acct).failures, -1);
	assert_int_equal(row(f, ip).failures, 3);
	assert_true(row(f, ip).blocked_until <= (int64_t)time(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_parallel_wrong_passwords,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_counters_settle, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
