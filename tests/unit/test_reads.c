/*
 * Shared reads (issue 14 VIEW, store_backend.shared_reads): on a
 * connection taken with store_acquire_request(), the reads that follow one another
 * outside a transaction see one snapshot (one read transaction, not one
 * per statement, so a request's reads cost one WAL read lock); a write, a
 * transaction or store_release() ends it, so a write never runs on a
 * stale snapshot (it would fail as SQLITE_BUSY_SNAPSHOT) and a read after
 * a write sees the newest data. A connection taken with store_acquire()
 * (background jobs, tests) reads the newest data at each statement, as
 * before. Runs on a real SQLite file with two connections of one pool,
 * as two requests would hold them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/errors.h"
#include "store/store.h"

static char url[256];

static struct store *
open_store(void)
{
	struct store *s = NULL;

	assert_int_equal(store_open(url, 4, &s), 0);
	return s;
}

static int64_t
new_staff(struct store_conn *c, const char *email)
{
	unsigned char seed[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	struct staff_new n = {email, "Name", "agent", "$argon2id$x",
			      {seed, sizeof(seed)}};
	int64_t id = 0;

	assert_int_equal(c->ops->begin(c), 0);
	assert_int_equal(c->ops->staff_insert(c, &n, &id), 0);
	assert_int_equal(c->ops->commit(c), 0);
	return id;
}

static void
session(struct session_rec *r, char fill, int64_t staff_id)
{
	memset(r, 0, sizeof(*r));
	memset(r->token_hash, fill, 64);
	r->realm = REALM_STAFF;
	r->principal_id = staff_id;
	r->created_at = r->last_seen = 1000;
	r->idle_secs = 900;
	r->abs_expires = 5000;
	snprintf(r->ip, sizeof(r->ip), "127.0.0.1");
}

/* Reads share a snapshot until a write; the write on the old snapshot
 * succeeds (it ends the snapshot first) and the reads after it see what
 * the other connection committed. */
static void
test_reads_share_until_write(void **state)
{
	struct store *s = open_store();
	struct store_conn *a = store_acquire_request(s);
	struct store_conn *b = store_acquire(s);
	struct session_rec r, other, got;
	int64_t id;

	(void)state;
	id = new_staff(b, "reads@example.com");
	session(&r, 'a', id);
	session(&other, 'b', id);
	assert_int_equal(b->ops->session_insert(b, &r), 0);
	/* a's first read opens its snapshot... */
	assert_int_equal(a->ops->session_get(a, r.token_hash, &got), 0);
	assert_int_equal(got.last_seen, 1000);
	/* ...so b's commit is not seen by a's next read... */
	assert_int_equal(b->ops->session_insert(b, &other), 0);
	assert_int_equal(b->ops->session_touch(b, r.token_hash, 1500), 0);
	assert_int_equal(a->ops->session_get(a, other.token_hash, &got),
			 -GH_NOT_FOUND);
	assert_int_equal(a->ops->session_get(a, r.token_hash, &got), 0);
	assert_int_equal(got.last_seen, 1000);
	/* ...a write ends it: it is not refused as a stale snapshot... */
	assert_int_equal(a->ops->session_touch(a, r.token_hash, 2000), 0);
	/* ...and the reads after it see everything committed. */
	assert_int_equal(a->ops->session_get(a, other.token_hash, &got), 0);
	assert_int_equal(a->ops->session_get(a, r.token_hash, &got), 0);
	assert_int_equal(got.last_seen, 2000);
	store_release(s, a);
	store_release(s, b);
	store_close(s);
}

/* A transaction after reads on an old snapshot starts from the newest
 * data, and store_release() ends the snapshot: the next holder of the
 * connection sees what was committed meanwhile. */
static void
test_transaction_and_release_end_snapshot(void **state)
{
	struct store *s = open_store();
	struct store_conn *a = store_acquire_request(s);
	struct store_conn *b = store_acquire(s);
	struct session_rec r, got;
	int64_t id;

	(void)state;
	id = new_staff(b, "release@example.com");
	session(&r, 'c', id);
	assert_int_equal(a->ops->session_get(a, r.token_hash, &got),
			 -GH_NOT_FOUND);
	assert_int_equal(b->ops->session_insert(b, &r), 0);
	assert_int_equal(a->ops->session_get(a, r.token_hash, &got),
			 -GH_NOT_FOUND);
	assert_int_equal(a->ops->begin(a), 0);
	assert_int_equal(a->ops->session_get(a, r.token_hash, &got), 0);
	assert_int_equal(a->ops->session_touch(a, r.token_hash, 3000), 0);
	assert_int_equal(a->ops->commit(a), 0);

	session(&r, 'd', id);
	assert_int_equal(a->ops->session_get(a, r.token_hash, &got),
			 -GH_NOT_FOUND);
	assert_int_equal(b->ops->session_insert(b, &r), 0);
	store_release(s, a);
	a = store_acquire_request(s);
	assert_int_equal(a->ops->session_get(a, r.token_hash, &got), 0);
	store_release(s, a);
	store_release(s, b);
	store_close(s);
}

/* Without store_acquire_request, each read sees the newest data. */
static void
test_plain_acquire_reads_fresh(void **state)
{
	struct store *s = open_store();
	struct store_conn *a = store_acquire(s), *b = store_acquire(s);
	struct session_rec r, got;

	(void)state;
	session(&r, 'e', new_staff(b, "plain@example.com"));
	assert_int_equal(a->ops->session_get(a, r.token_hash, &got),
			 -GH_NOT_FOUND);
	assert_int_equal(b->ops->session_insert(b, &r), 0);
	assert_int_equal(a->ops->session_get(a, r.token_hash, &got), 0);
	store_release(s, a);
	store_release(s, b);
	store_close(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_share_until_write),
		cmocka_unit_test(test_transaction_and_release_end_snapshot),
		cmocka_unit_test(test_plain_acquire_reads_fresh),
	};
	char dir[] = "/tmp/gh-reads-XXXXXX";

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(url, sizeof(url), "sqlite:%s/test.db", dir);
	return cmocka_run_group_tests_name("reads", tests, NULL, NULL);
}
