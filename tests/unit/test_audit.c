/*
 * core/audit against a real SQLite store: the checkpoints signed while
 * walking the log in pages have the roots that crypto/merkle's reference
 * merkle_root computes over the same leaves (every tree size from 0 past
 * several page boundaries, and more checkpoints than one page holds), the
 * log they make verifies, and audit_export hands over every record after
 * `since`, in order, as stored, across page boundaries, stopping where
 * its callback asks. ASVS 16.4.2 (the log is tamper-evident), 16.4.3
 * (records go to a separate system: the export).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/app.h"
#include "core/audit.h"
#include "crypto/crypto.h"
#include "crypto/merkle.h"
#include "store/store.h"
#include "util/errors.h"

/* More than two pages of records (256 a page) and of checkpoints (64). */
#define RECORDS 600

static const unsigned char master[CRYPTO_KEY_BYTES] = {4, 5, 6};

struct fx {
	char dir[64];
	struct app app;
	struct store_conn *c;
	unsigned char *sk;
	unsigned char pk[32];
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char url[128], sk[96], pk[96];
	FILE *fp;

	if (f == NULL || crypto_init() != 0)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/gh-test-audit-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	config_defaults(&f->app.cfg, f->dir);
	if (crypto_keys_from_bytes(master, &f->app.keys) != 0)
		return -1;
	snprintf(url, sizeof(url), "sqlite:%s/db", f->dir);
	if (store_open(url, 2, &f->app.store) != 0)
		return -1;
	f->c = store_acquire(f->app.store);
	snprintf(sk, sizeof(sk), "%s/audit.key", f->dir);
	snprintf(pk, sizeof(pk), "%s/audit.pub", f->dir);
	if (crypto_ed25519_keys_create(sk, pk) != 0 ||
	    crypto_ed25519_load(sk, &f->sk) != 0)
		return -1;
	fp = fopen(pk, "rb");
	if (fp == NULL || fread(f->pk, 1, 32, fp) != 32)
		return -1;
	fclose(fp);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[160];

	crypto_secret_free(f->sk);
	store_release(f->app.store, f->c);
	store_close(f->app.store);
	crypto_keys_free(f->app.keys);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	(void)!system(cmd);
	free(f);
	return 0;
}

/* Appends record number i (its detail says i, so every leaf differs). */
static void
append(struct fx *f, int i)
{
	struct audit_ev ev = {.actor = "cli",
			      .action = "test.event",
			      .target = NULL,
			      .outcome = "success",
			      .detail = json_pack("{s:i}", "i", i)};

	assert_int_equal(audit_log(&f->app, f->c, &ev), 0);
}

/* The stored leaves of records 1..n, as merkle_root takes them. */
static unsigned char (*leaves_of(struct fx *f, int64_t n))[32]
{
	unsigned char(*v)[32] = calloc((size_t)n + 1, 32);

	assert_non_null(v);
	for (int64_t i = 1; i <= n; i++) {
		char *rec = NULL;

		assert_int_equal(f->c->ops->audit_get(f->c, i, &rec, v[i - 1]),
				 0);
		free(rec);
	}
	return v;
}

/* A checkpoint after every record (and one over the empty log): each
 * stored root is the reference MTH over the first size leaves, and the
 * whole log, walked in pages, verifies. */
static void
test_checkpoint_roots_match_reference(void **state)
{
	struct fx *f = *state;
	unsigned char(*leaves)[32];
	unsigned char want[32], root[32], sig[64];
	int64_t size = -1, created, k;
	json_t *report = NULL;

	assert_int_equal(audit_checkpoint(&f->app, f->c, f->sk, &size), 0);
	assert_int_equal(size, 0);
	for (int i = 1; i <= RECORDS; i++) {
		append(f, i);
		assert_int_equal(audit_checkpoint(&f->app, f->c, f->sk, &size),
				 0);
		assert_int_equal(size, i);
	}
	/* Nothing new: no second checkpoint of the same size. */
	assert_int_equal(audit_checkpoint(&f->app, f->c, f->sk, &size), 0);
	leaves = leaves_of(f, RECORDS);
	for (k = 1; f->c->ops->audit_checkpoint_get(f->c, k, &size, root, sig,
						    &created) == 0;
	     k++) {
		assert_int_equal(size, k - 1);
		assert_int_equal(merkle_root((const unsigned char(*)[32])leaves,
					     (size_t)size, want),
				 0);
		assert_memory_equal(root, want, 32);
	}
	assert_int_equal(k - 1, RECORDS + 1);
	free(leaves);
	assert_int_equal(audit_verify(f->c, f->pk, &report), 0);
	assert_true(json_is_true(json_object_get(report, "ok")));
	assert_int_equal(json_integer_value(json_object_get(report, "records")),
			 RECORDS);
	assert_int_equal(json_integer_value(json_object_get(report,
							    "checkpoints")),
			 RECORDS + 1);
	assert_int_equal(json_integer_value(json_object_get(report,
							    "verified_up_to")),
			 RECORDS);
	json_decref(report);
	/* A key that did not sign them: the first checkpoint is named. */
	{
		unsigned char other[32];

		memcpy(other, f->pk, 32);
		other[0] ^= 1;
		assert_int_equal(audit_verify(f->c, other, &report), -1);
		assert_int_equal(json_integer_value(json_object_get(
					 report, "first_bad_checkpoint")),
				 1);
		assert_non_null(strstr(json_string_value(json_object_get(
					       report, "error")),
				       "bad signature"));
		json_decref(report);
	}
}

/* What an export callback saw. */
struct seen {
	int64_t seqs[RECORDS + 1];
	int n;
	int stop_at; /* return 1 at this many rows (0: never) */
	struct fx *f;
};

static int
collect(void *ctx, int64_t seq, const char *record,
	const unsigned char leaf[32])
{
	struct seen *s = ctx;
	unsigned char stored[32], h[32];
	char *rec = NULL;

	/* As stored: the very text and leaf of that row. */
	assert_int_equal(s->f->c->ops->audit_get(s->f->c, seq, &rec, stored), 0);
	assert_string_equal(record, rec);
	free(rec);
	assert_memory_equal(leaf, stored, 32);
	merkle_leaf_hash(record, strlen(record), h);
	assert_memory_equal(leaf, h, 32);
	assert_true(s->n <= RECORDS);
	s->seqs[s->n++] = seq;
	return s->stop_at != 0 && s->n == s->stop_at ? 1 : 0;
}

/* Exports since..upto and checks the rows are exactly since+1..last. */
static void
expect_export(struct fx *f, int64_t since, int64_t upto, int64_t last)
{
	struct seen *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	s->f = f;
	assert_int_equal(audit_export(f->c, since, upto, collect, s), 0);
	assert_int_equal(s->n, last > since ? last - since : 0);
	for (int i = 0; i < s->n; i++)
		assert_int_equal(s->seqs[i], since + 1 + i);
	free(s);
}

static int
fail_at_300(void *ctx, int64_t seq, const char *record,
	    const unsigned char leaf[32])
{
	(void)ctx;
	(void)record;
	(void)leaf;
	return seq == 300 ? -GH_INTERNAL : 0;
}

/* Every record after since, in order, as stored, across the page
 * boundaries at 256 and 512; upto bounds it; a callback stops it. */
static void
test_export_pages(void **state)
{
	struct fx *f = *state;
	struct seen *s = calloc(1, sizeof(*s));
	int64_t n = 0;

	assert_int_equal(f->c->ops->audit_count(f->c, &n), 0);
	assert_int_equal(n, RECORDS);
	expect_export(f, 0, INT64_MAX, RECORDS);
	expect_export(f, 255, INT64_MAX, RECORDS);
	expect_export(f, 256, INT64_MAX, RECORDS);
	expect_export(f, 257, INT64_MAX, RECORDS);
	expect_export(f, RECORDS - 1, INT64_MAX, RECORDS);
	expect_export(f, RECORDS, INT64_MAX, RECORDS);
	expect_export(f, RECORDS + 100, INT64_MAX, RECORDS);
	expect_export(f, 0, 512, 512);
	expect_export(f, 10, 11, 11);
	/* A callback that asks to stop after 300 rows (a second page). */
	assert_non_null(s);
	s->f = f;
	s->stop_at = 300;
	assert_int_equal(audit_export(f->c, 0, INT64_MAX, collect, s), 0);
	assert_int_equal(s->n, 300);
	assert_int_equal(s->seqs[299], 300);
	free(s);
	/* A callback's error ends the export with that error. */
	assert_int_equal(audit_export(f->c, 0, INT64_MAX, fail_at_300, NULL),
			 -GH_INTERNAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checkpoint_roots_match_reference),
		cmocka_unit_test(test_export_pages),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
