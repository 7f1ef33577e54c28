/*
 * bench_dlp's server-path rows: the realistic corpus scanned reply by reply
 * with the other-customer lookup the server makes (core/fingerprints.c's
 * keyed hash and the store's index query on a real SQLite file), in the
 * same run: without the in-memory filter; with it (fp_filter_sync() once
 * per reply, as core/outbound.c does) the way this bench measured before
 * (crypto_index() per value, a read transaction per query); with it and a
 * request's read snapshot per reply (store_acquire_request(), as the
 * server's reply handlers have); and as the server does now (that, and
 * the fingerprint kinds' keyed-hash states made per reply, fp_hasher, as
 * outbound_prepare() does). The store holds the
 * corpus's 64 customers and GH_BENCH_CUSTOMERS (default 100,000) more,
 * each with an e-mail address, phone number, date of birth and address
 * indexed through the store ops (fingerprints_add_customer). The rest of
 * the context (own values, note, domain) is the corpus's. The file lives
 * in a temporary directory removed at the end. Nothing here is part of the
 * server; the filter is switched off here only (a NULL filter).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dlp_store.h"
#include "core/fingerprints.h"
#include "crypto/crypto.h"
#include "store/store.h"

static const unsigned char bench_master[CRYPTO_KEY_BYTES] = {
	9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 11, 12, 13, 14, 15, 16,
	17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
};

struct srv {
	char dir[64];
	struct crypto_keys *keys;
	struct store *store;
	struct store_conn *c;
	int64_t id[CORPUS_CUSTOMERS]; /* the corpus's customers' rows */
};

static double
cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A customer row; the sealed e-mail is a placeholder (only the index is
 * read here), the e-mail index is unique. */
static int
srv_customer(struct srv *s, const char *email, const struct blob *sealed,
	     int64_t *id)
{
	char idx[CRYPTO_HASH_HEX];
	struct customer_new n;

	memset(&n, 0, sizeof(n));
	crypto_index(s->keys, "customer.email", email, strlen(email), idx);
	n.email_idx = idx;
	n.email = *sealed;
	n.name = "Bench Customer";
	n.pw_hash = "x";
	n.totp_seed = *sealed;
	return s->c->ops->customer_insert(s->c, &n, id);
}

/* Synthetic customer k's values, all different but the dates of birth
 * (75 years of them), and never the corpus's. */
static int
srv_synthetic(struct srv *s, const struct blob *sealed, long k)
{
	char email[64], phone[32], dob[16], addr[64], street[8];
	int64_t id = 0;
	long w = k / 300;
	int rc;

	for (int i = 0; i < 4; i++, w /= 26)
		street[i] = (char)('a' + w % 26);
	street[4] = '\0';
	snprintf(email, sizeof(email), "cust%ld@mail%ld.example", k, k % 97);
	snprintf(phone, sizeof(phone), "+1 %03ld %03ld %04ld", 200 + k % 800,
		 200 + k / 800 % 800, k % 9973);
	snprintf(dob, sizeof(dob), "%04ld-%02ld-%02ld", 1930 + k % 75,
		 1 + k / 75 % 12, 1 + k / 900 % 28);
	snprintf(addr, sizeof(addr), "%ld %s Road, Unit %ld", 1 + k % 300,
		 street, 1 + k % 7);
	rc = srv_customer(s, email, sealed, &id);
	if (rc == 0)
		rc = fingerprints_add_customer(s->keys, s->c, id, email, phone,
					       dob, addr);
	return rc;
}

static int
srv_seed(struct srv *s, const struct corpus *c, long n)
{
	struct blob sealed = {NULL, 0};
	int rc;

	if (crypto_seal(s->keys, "x", "bench", 5, &sealed.data,
			&sealed.len) != 0)
		return -1;
	rc = s->c->ops->begin(s->c);
	for (int i = 0; rc == 0 && i < CORPUS_CUSTOMERS; i++) {
		const struct corpus_customer *cu = &c->c[i];

		rc = srv_customer(s, cu->email, &sealed, &s->id[i]);
		if (rc == 0)
			rc = fingerprints_add_customer(s->keys, s->c, s->id[i],
						       cu->email, cu->phone,
						       cu->dob, cu->address);
	}
	for (long k = 0; rc == 0 && k < n; k++)
		rc = srv_synthetic(s, &sealed, k);
	if (rc == 0)
		rc = s->c->ops->commit(s->c);
	else
		(void)s->c->ops->rollback(s->c);
	blob_clear(&sealed);
	return rc;
}

static int
srv_open(struct srv *s)
{
	char url[128];

	memset(s, 0, sizeof(*s));
	snprintf(s->dir, sizeof(s->dir), "/tmp/gh-bench-dlp-XXXXXX");
	if (crypto_init() != 0 || mkdtemp(s->dir) == NULL)
		return -1;
	if (crypto_keys_from_bytes(bench_master, &s->keys) != 0)
		return -1;
	snprintf(url, sizeof(url), "sqlite:%s/db", s->dir);
	if (store_open(url, 2, &s->store) != 0)
		return -1;
	s->c = store_acquire(s->store);
	return 0;
}

static void
srv_close(struct srv *s)
{
	char cmd[160];

	if (s->c != NULL)
		store_release(s->store, s->c);
	store_close(s->store);
	crypto_keys_free(s->keys);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s->dir);
	(void)!system(cmd);
}

/* The lookup behind dlp_context.foreign_value, as core/outbound.c's (with
 * h, made per reply as outbound_prepare() does; NULL: crypto_index() per
 * value, as before issue 14's second round). */
struct srv_lookup {
	struct srv *s;
	struct fp_filter *f;
	int64_t customer;
	size_t lookups;
	int err;
	struct fp_hasher *h;
};

static int
srv_foreign(void *cls, const char *kind, const char *norm, size_t n)
{
	struct srv_lookup *l = cls;
	int rc;

	l->lookups++;
	rc = l->h != NULL ?
		     fingerprints_foreign_hashed(l->f, l->h, l->s->c,
						 l->customer, kind, norm, n) :
		     fingerprints_foreign_filtered(l->f, l->s->keys, l->s->c,
						   l->customer, kind, norm, n);
	if (rc < 0) {
		l->err = rc;
		return 0;
	}
	return rc;
}

/* Every message through dlp_scan() with the store's lookup; seconds. */
/* How a run looks values up: with fp_hasher or crypto_index() per value;
 * with one read snapshot per reply (a request's connection,
 * store_acquire_request(), as the server's reply handlers have) or a read
 * transaction per query (a plain connection, as this bench had before). */
enum { RUN_HASHER = 1, RUN_SNAPSHOT = 2 };

static double
srv_run(const struct dlp_engine *e, const struct corpus *c, struct srv *s,
	struct fp_filter *f, int how, size_t *found, int *err)
{
	double t0 = cpu_now();

	*found = 0;
	store_release(s->store, s->c);
	s->c = NULL;
	for (size_t i = 0; i < c->n_msg; i++) {
		struct corpus_ctx_store st;
		struct srv_lookup l = {s, f, s->id[c->cust[i]], 0, 0, NULL};
		struct dlp_context ctx;
		struct dlp_findings fd;

		s->c = (how & RUN_SNAPSHOT) ? store_acquire_request(s->store)
					    : store_acquire(s->store);
		if ((how & RUN_HASHER) && fp_hasher_new(s->keys, &l.h) != 0)
			*err = 1;
		corpus_ctx(c, i, &st, &ctx);
		ctx.foreign_value = srv_foreign;
		ctx.cls = &l;
		if (f != NULL && fp_filter_sync(f, s->c) != 0)
			*err = 1;
		dlp_findings_init(&fd);
		(void)dlp_scan(e, &ctx, c->text + c->off[i],
			       c->off[i + 1] - c->off[i], &fd);
		*found += fd.n;
		*err |= l.err != 0;
		dlp_findings_free(&fd);
		fp_hasher_free(l.h);
		store_release(s->store, s->c);
		s->c = NULL;
	}
	s->c = store_acquire(s->store);
	return cpu_now() - t0;
}

static void
srv_print(const struct corpus *c, const double t[4], const size_t found[4],
	  int err)
{
	static const char *const what[4] = {
		"no filter, per-query tx, crypto_index",
		"filter, per-query tx, crypto_index",
		"filter, snapshot, crypto_index",
		"filter, snapshot, hasher (server)",
	};

	for (int k = 0; k < 4; k++)
		printf("  %-34s %8.1f MB/s  (%zu MB, %zu findings)%s\n", what[k],
		       (double)c->len / t[k] / 1e6, c->len >> 20, found[k],
		       k == 3 && err ? "  STORE ERRORS" : "");
}

static void
srv_rows(const struct dlp_engine *e, const struct corpus *c, struct srv *s,
	 long n)
{
	struct fp_filter *f = NULL;
	size_t found[4] = {0, 0, 0, 0}, keys = 0;
	int64_t rows = 0;
	double t[4], tb = cpu_now();
	int err = 0;

	if (fp_filter_new(&f) != 0 || fp_filter_sync(f, s->c) != 0) {
		printf("  (filter: cannot build)\n");
		fp_filter_free(f);
		return;
	}
	tb = cpu_now() - tb;
	fp_filter_size(f, &keys, NULL);
	(void)s->c->ops->fingerprint_count(s->c, &rows);
	t[0] = srv_run(e, c, s, NULL, 0, &found[0], &err);
	t[1] = srv_run(e, c, s, f, 0, &found[1], &err);
	t[2] = srv_run(e, c, s, f, RUN_SNAPSHOT, &found[2], &err);
	t[3] = srv_run(e, c, s, f, RUN_HASHER | RUN_SNAPSHOT, &found[3], &err);
	printf("== server path: SQLite store, %ld + %d customers, %lld index "
	       "rows, %zu keys in the filter (built in %.2f s)\n", n,
	       CORPUS_CUSTOMERS, (long long)rows, keys, tb);
	srv_print(c, t, found, err);
	printf("ROW outbound, SQLite store of %ld customers, filter: %.1f MB/s "
	       "| as measured before %.1f MB/s (no filter %.1f MB/s)\n",
	       n + CORPUS_CUSTOMERS, (double)c->len / t[3] / 1e6,
	       (double)c->len / t[1] / 1e6, (double)c->len / t[0] / 1e6);
	fp_filter_free(f);
}

void
dlp_store_rows(const struct dlp_engine *e, size_t len)
{
	const char *env = getenv("GH_BENCH_CUSTOMERS");
	long n = env != NULL ? strtol(env, NULL, 10) : 100000;
	struct corpus c;
	struct srv s;
	double ts;

	if (corpus_new(&c, CORPUS_SEED, len) != 0) {
		printf("  (corpus: out of memory)\n");
		return;
	}
	ts = cpu_now();
	if (srv_open(&s) != 0 || srv_seed(&s, &c, n < 0 ? 0 : n) != 0) {
		printf("  (server path: the store cannot be seeded)\n");
		goto out;
	}
	ts = cpu_now() - ts;
	printf("== (store seeded in %.1f s of CPU)\n", ts);
	srv_rows(e, &c, &s, n < 0 ? 0 : n);
out:
	srv_close(&s);
	corpus_free(&c);
}
