/*
 * The conformance harness itself (tests/unit/store_conf.h) on both
 * backends: each sc_open is a new, migrated, empty store, and stores
 * opened one after the other do not share rows; the readiness ping of
 * each backend reads the schema version; the times a store stamps itself
 * are cut to the second as time() cuts them.
 */
#include <time.h>

#include "store_conf.h"

static void
test_fresh_and_apart(void **state)
{
	unsigned char seed[4] = {1, 2, 3, 4};
	struct staff_new n = {"conf@example.com", "Conf", "agent", "h",
			      {seed, sizeof(seed)}};
	struct store *a = sc_open(), *b;
	struct store_conn *c = store_acquire(a);
	struct account acc;
	int64_t id = 0;

	int version = 0;

	(void)state;
	assert_true(store_schema_version(a) >= 27);
	/* Readiness (store_backend.ping, newest_version): a round trip
	 * reads the version the database holds, the newest compiled in. */
	assert_int_equal(store_ping(a, 1000, &version), 0);
	assert_int_equal(version, store_schema_version(a));
	assert_int_equal(c->ops->begin(c), 0);
	assert_int_equal(c->ops->staff_insert(c, &n, &id), 0);
	assert_int_equal(c->ops->commit(c), 0);
	store_release(a, c);
	store_close(a);
	b = sc_open();
	c = store_acquire(b);
	assert_int_equal(c->ops->account_by_login(c, REALM_STAFF,
						  "conf@example.com", &acc),
			 -GH_NOT_FOUND);
	store_release(b, c);
	store_close(b);
}

/* A refusal the caller goes on after (a membership that exists is
 * -GH_EXISTS) leaves the transaction usable on both backends: on
 * PostgreSQL a failed statement would end it (the first `staff add` run
 * on PostgreSQL failed so). */
static void
test_refusal_keeps_transaction(void **state)
{
	unsigned char seed[4] = {5, 6, 7, 8};
	struct staff_new n = {"member@example.com", "Member", "agent", "h",
			      {seed, sizeof(seed)}};
	struct store *s = sc_open();
	struct store_conn *c = store_acquire(s);
	struct account acc;
	int64_t id = 0;

	(void)state;
	assert_int_equal(c->ops->begin(c), 0);
	assert_int_equal(c->ops->staff_insert(c, &n, &id), 0);
	/* staff_insert made them a member of queue 1, general. */
	assert_int_equal(c->ops->staff_queue_add(c, id, 1), -GH_EXISTS);
	assert_int_equal(c->ops->account_by_login(c, REALM_STAFF,
						  "member@example.com", &acc),
			 0);
	account_clear(&acc);
	assert_int_equal(c->ops->commit(c), 0);
	assert_int_equal(c->ops->staff_queue_add(c, id, 1), -GH_EXISTS);
	store_release(s, c);
	store_close(s);
}

/* The same for a breach recorded twice (core/sla.c goes on after
 * -GH_EXISTS in the change's transaction). */
static void
test_breach_twice_keeps_transaction(void **state)
{
	unsigned char b[4] = {1, 2, 3, 4};
	struct customer_new cn = {"idx-breach", {b, 4}, "Name", {NULL, 0},
				  {NULL, 0}, {NULL, 0}, "h", {b, 4}, 1};
	struct store *s = sc_open();
	struct store_conn *c = store_acquire(s);
	int64_t cust = 0, t = 0, n = -1;

	(void)state;
	assert_int_equal(c->ops->begin(c), 0);
	assert_int_equal(c->ops->customer_insert(c, &cn, &cust), 0);
	assert_int_equal(c->ops->ticket_insert(c, cust, "Late", 100, &t), 0);
	{
		struct sla_breach_new br = {t, "resolution", 90, 100, 0, 1,
					    "normal"};

		assert_int_equal(c->ops->sla->breach_insert(c, &br), 0);
		assert_int_equal(c->ops->sla->breach_insert(c, &br),
				 -GH_EXISTS);
	}
	assert_int_equal(c->ops->audit_count(c, &n), 0);
	assert_int_equal(c->ops->commit(c), 0);
	store_release(s, c);
	store_close(s);
}

/* The wall clock's second, read precisely: time() may read the coarse
 * clock, a few milliseconds behind the one the databases read, so at a
 * second's turn it could still say the second before theirs. */
static time_t
now_precise(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec;
}

/* Times the store stamps itself (a checkpoint's created_at) are Unix
 * seconds cut as time() cuts them, never rounded up: PostgreSQL's
 * extract(epoch ...)::bigint rounded to the nearest second, so a
 * checkpoint signed in the second half of a second was a second in the
 * future and /metrics gave its age as -1 (test_manage
 * test_checkpoint_age on PostgreSQL). Ten tries a tenth of a second
 * apart cover every part of a second. */
static void
test_store_time_is_cut(void **state)
{
	unsigned char root[32] = {1}, sig[64] = {2};
	struct store *s = sc_open();
	struct store_conn *c = store_acquire(s);
	struct audit_cp cp;

	(void)state;
	for (int i = 0; i < 10; i++) {
		time_t before = now_precise(), after;

		assert_int_equal(c->ops->audit_checkpoint_insert(c, i + 1, root,
								 sig),
				 0);
		after = now_precise();
		assert_int_equal(c->ops->audit_checkpoint_newest(c, &cp), 0);
		assert_int_equal(cp.size, i + 1);
		if (cp.created < before || cp.created > after)
			fail_msg("created_at %lld outside %lld..%lld",
				 (long long)cp.created, (long long)before,
				 (long long)after);
		usleep(100000);
	}
	store_release(s, c);
	store_close(s);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fresh_and_apart),
		cmocka_unit_test(test_refusal_keeps_transaction),
		cmocka_unit_test(test_breach_twice_keeps_transaction),
		cmocka_unit_test(test_store_time_is_cut),
	};

	return sc_main(argc, argv, "store_base", tests,
		       sizeof(tests) / sizeof(tests[0]));
}
