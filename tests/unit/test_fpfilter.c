/*
 * Unit tests of the in-memory filter of the fingerprint index
 * (core/fingerprints.c: fp_filter_*, fingerprints_foreign_filtered)
 * against a real SQLite file in a temporary directory: a value indexed
 * after the filter was built, by this process or by another connection
 * writing the file directly, is found after the next sync; a removed value
 * is not foreign although the filter may still hold it; a reused row id
 * (the newest row deleted, another written) rebuilds the filter; a value
 * the filter holds but the store says is not foreign (the customer's own,
 * a deleted row) never makes a finding; several threads scanning while
 * rows are added see every committed row. The answers with the filter are
 * compared with the store's own (fingerprints_foreign) each time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/app.h"
#include "core/fingerprints.h"
#include "util/errors.h"

static const unsigned char master[CRYPTO_KEY_BYTES] = {
	7, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31,
	2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 99,
};

struct fx {
	char dir[64];
	char db[96];
	struct crypto_keys *keys;
	struct store *store;
	struct store_conn *c;
	struct fp_filter *f;
	int64_t ada, bob;
};

/* A customer row (sealed fields as accounts.c writes them), not indexed. */
static int64_t
add_customer(struct fx *f, const char *email)
{
	char idx[CRYPTO_HASH_HEX], ad[160];
	struct customer_new n;
	struct blob e = {NULL, 0}, seed = {NULL, 0};
	int64_t id = 0;

	memset(&n, 0, sizeof(n));
	crypto_index(f->keys, "customer.email", email, strlen(email), idx);
	snprintf(ad, sizeof(ad), "customer.email:%s", idx);
	assert_int_equal(crypto_seal(f->keys, ad, email, strlen(email),
				     &e.data, &e.len), 0);
	assert_int_equal(crypto_seal(f->keys, "x", "seed", 4, &seed.data,
				     &seed.len), 0);
	n.email_idx = idx;
	n.email = e;
	n.name = "Test Customer";
	n.pw_hash = "x";
	n.totp_seed = seed;
	n.totp_enrolled = 1;
	assert_int_equal(f->c->ops->customer_insert(f->c, &n, &id), 0);
	blob_clear(&e);
	blob_clear(&seed);
	return id;
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char url[128];

	if (f == NULL || crypto_init() != 0)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/gh-test-fpfilter-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	if (crypto_keys_from_bytes(master, &f->keys) != 0)
		return -1;
	snprintf(f->db, sizeof(f->db), "%s/db", f->dir);
	snprintf(url, sizeof(url), "sqlite:%s", f->db);
	if (store_open(url, 6, &f->store) != 0)
		return -1;
	f->c = store_acquire(f->store);
	if (fp_filter_new(&f->f) != 0)
		return -1;
	f->ada = add_customer(f, "ada@example.org");
	f->bob = add_customer(f, "bob@example.net");
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[160];

	fp_filter_free(f->f);
	store_release(f->store, f->c);
	store_close(f->store);
	crypto_keys_free(f->keys);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	(void)!system(cmd);
	free(f);
	return 0;
}

/* The normalised phone number as the scanner gives it. */
static void
norm_cb(void *cls, const char *kind, const char *norm, size_t len)
{
	char *out = cls;

	(void)kind;
	if (out[0] == '\0' && len < 64) {
		memcpy(out, norm, len);
		out[len] = '\0';
	}
}

/* The filtered answer for a phone number seen by viewer, checked equal to
 * the store's own answer. */
static int
foreign_with(struct fx *f, struct store_conn *c, int64_t viewer,
	     const char *phone)
{
	char norm[64] = "";
	int a, b;

	assert_true(dlp_fingerprint("phone", phone, strlen(phone), norm_cb,
				    norm) > 0);
	a = fingerprints_foreign_filtered(f->f, f->keys, c, viewer, "phone",
					  norm, strlen(norm));
	b = fingerprints_foreign(f->keys, c, viewer, "phone", norm,
				 strlen(norm));
	assert_int_equal(a, b);
	{
		/* The outbound check's way (a hasher per ticket): the same. */
		struct fp_hasher *h = NULL;

		assert_int_equal(fp_hasher_new(f->keys, &h), 0);
		b = fingerprints_foreign_hashed(f->f, h, c, viewer, "phone",
						norm, strlen(norm));
		fp_hasher_free(h);
		assert_int_equal(a, b);
	}
	return a;
}

static int
foreign(struct fx *f, int64_t viewer, const char *phone)
{
	return foreign_with(f, f->c, viewer, phone);
}

/* 1 when the filter may hold the phone number's fingerprint. */
static int
maybe(struct fx *f, const char *phone)
{
	char norm[64] = "", fp[CRYPTO_HASH_HEX];

	assert_true(dlp_fingerprint("phone", phone, strlen(phone), norm_cb,
				    norm) > 0);
	fingerprint_of(f->keys, "phone", norm, strlen(norm), fp);
	return fp_filter_maybe(f->f, "phone", fp);
}

/* Another process: a plain SQLite connection to the same file. */
static void
raw_sql(struct fx *f, const char *sql)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void
raw_add(struct fx *f, int64_t customer, const char *phone)
{
	char norm[64] = "", fp[CRYPTO_HASH_HEX], sql[256];

	assert_true(dlp_fingerprint("phone", phone, strlen(phone), norm_cb,
				    norm) > 0);
	fingerprint_of(f->keys, "phone", norm, strlen(norm), fp);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO customer_fingerprints (kind, fp, customer_id) "
		 "VALUES ('phone', '%s', %lld)", fp, (long long)customer);
	raw_sql(f, sql);
}

static void
test_added_after_build(void **state)
{
	struct fx *f = *state;
	size_t keys = 0;

	assert_int_equal(fingerprints_add(f->keys, f->c, f->bob, "phone",
					  "+1 415 555 0142"), 0);
	assert_int_equal(fp_filter_sync(f->f, f->c), 0);
	assert_int_equal(foreign(f, f->ada, "(415) 555-0142"), 1);
	assert_int_equal(foreign(f, f->ada, "+49 30 1234 5678"), 0);
	assert_int_equal(maybe(f, "+49 30 1234 5678"), 0);
	/* Same process, after the filter was built. */
	assert_int_equal(fingerprints_add(f->keys, f->c, f->bob, "phone",
					  "+44 20 7946 0999"), 0);
	assert_int_equal(fp_filter_sync(f->f, f->c), 0);
	assert_int_equal(foreign(f, f->ada, "020 7946 0999"), 1);
	/* Another process writing the file directly. */
	raw_add(f, f->bob, "+33 1 42 68 53 00");
	assert_int_equal(maybe(f, "+33 1 42 68 53 00"), 0);
	assert_int_equal(fp_filter_sync(f->f, f->c), 0);
	assert_int_equal(maybe(f, "+33 1 42 68 53 00"), 1);
	assert_int_equal(foreign(f, f->ada, "+33 1 42 68 53 00"), 1);
	fp_filter_size(f->f, &keys, NULL);
	assert_true(keys >= 3);
}

static void
test_removed_and_reused(void **state)
{
	struct fx *f = *state;
	int64_t high = 0;

	raw_add(f, f->bob, "+1 415 555 0101");
	raw_add(f, f->bob, "+1 415 555 0102");
	assert_int_equal(fp_filter_sync(f->f, f->c), 0);
	assert_int_equal(foreign(f, f->ada, "+1 415 555 0101"), 1);
	/* An older row removed: the filter still holds it, the store says
	 * no, so there is no finding. */
	raw_sql(f, "DELETE FROM customer_fingerprints WHERE rowid = "
		   "(SELECT MIN(rowid) FROM customer_fingerprints)");
	assert_int_equal(fp_filter_sync(f->f, f->c), 0);
	assert_int_equal(maybe(f, "+1 415 555 0101"), 1);
	assert_int_equal(foreign(f, f->ada, "+1 415 555 0101"), 0);
	/* The newest row removed and its id given to another value. */
	fp_filter_size(f->f, NULL, &high);
	raw_sql(f, "DELETE FROM customer_fingerprints WHERE rowid = "
		   "(SELECT MAX(rowid) FROM customer_fingerprints)");
	raw_add(f, f->bob, "+1 415 555 0103");
	assert_int_equal(fp_filter_sync(f->f, f->c), 0);
	assert_int_equal(foreign(f, f->ada, "+1 415 555 0103"), 1);
	assert_int_equal(foreign(f, f->ada, "+1 415 555 0102"), 0);
	/* Rebuilt: the removed values are gone from the filter too. */
	assert_int_equal(maybe(f, "+1 415 555 0101"), 0);
	assert_int_equal(maybe(f, "+1 415 555 0102"), 0);
	/* Every row removed: an empty filter. */
	raw_sql(f, "DELETE FROM customer_fingerprints");
	assert_int_equal(fp_filter_sync(f->f, f->c), 0);
	assert_int_equal(maybe(f, "+1 415 555 0103"), 0);
	fp_filter_size(f->f, NULL, &high);
	assert_int_equal(high, 0);
}

/* A filter hit the store denies is not a finding: the viewer's own value,
 * and a value two customers share. */
static void
test_false_positive_no_finding(void **state)
{
	struct fx *f = *state;

	assert_int_equal(fingerprints_add(f->keys, f->c, f->ada, "phone",
					  "+44 20 7946 0123"), 0);
	raw_add(f, f->bob, "+1 212 555 0199");
	raw_add(f, f->ada, "+1 212 555 0199");
	assert_int_equal(fp_filter_sync(f->f, f->c), 0);
	assert_int_equal(maybe(f, "+44 20 7946 0123"), 1);
	assert_int_equal(foreign(f, f->ada, "020 7946 0123"), 0);
	assert_int_equal(foreign(f, f->bob, "020 7946 0123"), 1);
	assert_int_equal(maybe(f, "+1 212 555 0199"), 1);
	assert_int_equal(foreign(f, f->ada, "+1 212 555 0199"), 0);
	assert_int_equal(foreign(f, f->bob, "+1 212 555 0199"), 0);
}

/* Scans on their own connections while this thread adds rows. */
#define SCANNERS 3
#define ADDED 40

struct scanner {
	struct fx *f;
	int done;  /* set by the writer when it is done (atomic) */
	int errors;
};

/* foreign_with() without cmocka's asserts (not for threads): the filtered
 * answer, or -1 when it differs from the store's. */
static int
scan_one(struct fx *f, struct store_conn *c, const char *phone)
{
	char norm[64] = "";
	int a, b;

	if (dlp_fingerprint("phone", phone, strlen(phone), norm_cb, norm) <= 0)
		return -1;
	a = fingerprints_foreign_filtered(f->f, f->keys, c, f->ada, "phone",
					  norm, strlen(norm));
	b = fingerprints_foreign(f->keys, c, f->ada, "phone", norm,
				 strlen(norm));
	return a == b ? a : -1;
}

static void *
scan_loop(void *cls)
{
	struct scanner *s = cls;
	struct fx *f = s->f;
	struct store_conn *c = store_acquire(f->store);

	for (int i = 0;
	     i < 400 && !__atomic_load_n(&s->done, __ATOMIC_ACQUIRE); i++) {
		if (fp_filter_sync(f->f, c) != 0 ||
		    scan_one(f, c, "+1 415 555 0142") != 1 ||
		    scan_one(f, c, "+49 30 1234 5678") != 0)
			s->errors++;
	}
	store_release(f->store, c);
	return NULL;
}

static void
test_threads(void **state)
{
	struct fx *f = *state;
	struct scanner s = {f, 0, 0};
	pthread_t t[SCANNERS];
	char phone[32];

	assert_int_equal(fingerprints_add(f->keys, f->c, f->bob, "phone",
					  "+1 415 555 0142"), 0);
	assert_int_equal(fp_filter_sync(f->f, f->c), 0);
	for (int i = 0; i < SCANNERS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, scan_loop, &s), 0);
	for (int i = 0; i < ADDED; i++) {
		snprintf(phone, sizeof(phone), "+1 646 555 %04d", 1000 + i);
		assert_int_equal(fingerprints_add(f->keys, f->c, f->bob,
						  "phone", phone), 0);
	}
	__atomic_store_n(&s.done, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < SCANNERS; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(s.errors, 0);
	assert_int_equal(fp_filter_sync(f->f, f->c), 0);
	for (int i = 0; i < ADDED; i++) {
		snprintf(phone, sizeof(phone), "+1 646 555 %04d", 1000 + i);
		assert_int_equal(foreign(f, f->ada, phone), 1);
	}
}

/* The hasher's fingerprints are fingerprint_of()'s, byte for byte, for
 * every kind (and a kind it has no state for), at lengths on either side
 * of BLAKE2b's 128-byte block (the domain is hashed first, so a value
 * crosses the block at 128 minus the domain's length). */
static void
test_hasher_same_fingerprints(void **state)
{
	static const char *const kinds[] = {"email", "phone", "dob", "number",
					    "address", "other"};
	static const size_t lens[] = {0, 1, 9, 63, 115, 116, 117, 118, 128,
				      129, 200, 300};
	struct fx *f = *state;
	struct fp_hasher *h = NULL;
	char v[301];

	for (size_t i = 0; i < sizeof(v) - 1; i++)
		v[i] = (char)('a' + i * 7 % 26);
	v[sizeof(v) - 1] = '\0';
	assert_int_equal(fp_hasher_new(f->keys, &h), 0);
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
			char a[CRYPTO_HASH_HEX], b[CRYPTO_HASH_HEX];

			fingerprint_of(f->keys, kinds[k], v, lens[l], a);
			fp_hasher_of(h, kinds[k], v, lens[l], b);
			assert_string_equal(a, b);
			/* and the state is reused unchanged */
			fp_hasher_of(h, kinds[k], v, lens[l], b);
			assert_string_equal(a, b);
		}
	}
	fp_hasher_free(h);
	fp_hasher_free(NULL);
}

/* An account number as another node would index it (the server writes
 * none): not there, the filter answers 0 before any hash; written by
 * another process, the next sync makes it a finding. Every answer is
 * checked against the store's own. */
static void
test_kind_without_rows(void **state)
{
	struct fx *f = *state;
	struct fp_hasher *h = NULL;
	char fp[CRYPTO_HASH_HEX], sql[256];
	const char *num = "GB82WEST12345698765432";

	assert_int_equal(fingerprints_add(f->keys, f->c, f->bob, "phone",
					  "+1 415 555 0142"), 0);
	assert_int_equal(fp_filter_sync(f->f, f->c), 0);
	assert_int_equal(fp_hasher_new(f->keys, &h), 0);
	assert_int_equal(fingerprints_foreign_hashed(f->f, h, f->c, f->ada,
						     "number", num,
						     strlen(num)), 0);
	assert_int_equal(fingerprints_foreign(f->keys, f->c, f->ada, "number",
					      num, strlen(num)), 0);
	fingerprint_of(f->keys, "number", num, strlen(num), fp);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO customer_fingerprints (kind, fp, customer_id) "
		 "VALUES ('number', '%s', %lld)", fp, (long long)f->bob);
	raw_sql(f, sql);
	assert_int_equal(fp_filter_sync(f->f, f->c), 0);
	assert_int_equal(fingerprints_foreign_hashed(f->f, h, f->c, f->ada,
						     "number", num,
						     strlen(num)), 1);
	assert_int_equal(fingerprints_foreign(f->keys, f->c, f->ada, "number",
					      num, strlen(num)), 1);
	/* bob's own number is his own */
	assert_int_equal(fingerprints_foreign_hashed(f->f, h, f->c, f->bob,
						     "number", num,
						     strlen(num)), 0);
	fp_hasher_free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_added_after_build, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_removed_and_reused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_false_positive_no_finding,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hasher_same_fingerprints,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_kind_without_rows, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
