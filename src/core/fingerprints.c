/*
 * The fingerprint index of customers' personal values (see
 * core/fingerprints.h): normalisation by dlp_fingerprint(), keyed hashes by
 * crypto_index(), rows through the store. Values pass through here in
 * clear only on their way to the hash; nothing is logged but counts.
 *
 * The filter (struct fp_filter) is an open-addressing set of 64-bit keys,
 * one per (kind, fingerprint) row: the first 16 hex digits of the keyed
 * hash, which are uniform without the key, XORed with a hash of the kind.
 * Invariant: every row whose id is <= f->high has its key in the set (it
 * may hold more: rows deleted since, rows of a rolled-back transaction),
 * and the row f->high held the key f->high_key. The store gives row ids in
 * increasing order and reuses one only after the highest row is deleted;
 * fp_filter_sync() reads from f->high up and, when that row is gone or
 * holds another key, rebuilds the set from every row, so the invariant
 * holds after each sync whichever process wrote the rows. Hence "not in
 * the set" after a sync means "in no row at that moment" and the store is
 * asked only for possible hits; its answer alone makes a finding. Lookups
 * take the read lock, a sync the write lock only to insert or swap; syncs
 * run one at a time (f->sync).
 *
 * The hasher (struct fp_hasher) keeps, per kind, the BLAKE2b state after
 * the key and the domain (crypto_index_begin()), so a lookup hashes only
 * its value; it asks the filter with the key fp_key() would read from the
 * hex (fp_key_raw(): the digest's first eight bytes), and makes the hex
 * only for a possible hit; a kind of which the filter holds no key (the
 * server writes no "number" fingerprints) is answered before any hash.
 * Same fingerprints, same keys, same answers.
 */
#include "core/fingerprints.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dlp/dlp.h"
#include "core/sealed.h"
#include "util/errors.h"
#include "util/log.h"

void
fingerprint_of(const struct crypto_keys *keys, const char *kind,
	       const char *normalised, size_t len, char out[CRYPTO_HASH_HEX])
{
	char domain[32];

	snprintf(domain, sizeof(domain), "fp.%s", kind);
	crypto_index(keys, domain, normalised, len, out);
}

struct add_ctx {
	const struct crypto_keys *keys;
	struct store_conn *c;
	int64_t customer_id;
	int rc;
};

static void
add_cb(void *cls, const char *kind, const char *normalised, size_t len)
{
	struct add_ctx *x = cls;
	char fp[CRYPTO_HASH_HEX];
	int rc;

	if (x->rc < 0)
		return;
	fingerprint_of(x->keys, kind, normalised, len, fp);
	rc = x->c->ops->fingerprint_add(x->c, kind, fp, x->customer_id);
	if (rc < 0)
		x->rc = rc;
}

int
fingerprints_add(const struct crypto_keys *keys, struct store_conn *c,
		 int64_t customer_id, const char *kind, const char *value)
{
	struct add_ctx x = {keys, c, customer_id, 0};
	int n;

	if (value == NULL || value[0] == '\0')
		return 0;
	n = dlp_fingerprint(kind, value, strlen(value), add_cb, &x);
	if (n < 0)
		return n;
	return x.rc;
}

int
fingerprints_add_customer(const struct crypto_keys *keys, struct store_conn *c,
			  int64_t customer_id, const char *email,
			  const char *phone, const char *dob,
			  const char *address)
{
	int rc;

	rc = fingerprints_add(keys, c, customer_id, "email", email);
	if (rc == 0)
		rc = fingerprints_add(keys, c, customer_id, "phone", phone);
	if (rc == 0)
		rc = fingerprints_add(keys, c, customer_id, "dob", dob);
	if (rc == 0)
		rc = fingerprints_add(keys, c, customer_id, "address",
				      address);
	return rc;
}

int
fingerprints_foreign(const struct crypto_keys *keys, struct store_conn *c,
		     int64_t customer_id, const char *kind,
		     const char *normalised, size_t len)
{
	return fingerprints_foreign_filtered(NULL, keys, c, customer_id, kind,
					     normalised, len);
}

static uint64_t fp_key_raw(const char *kind,
			   const unsigned char raw[CRYPTO_INDEX_BYTES]);
static int filter_has_key(struct fp_filter *f, uint64_t key);
static int filter_has_kind(struct fp_filter *f, unsigned bit);

/* The store's answer for fingerprint fp. */
static int
store_answer(struct store_conn *c, int64_t customer_id, const char *kind,
	     const char *fp)
{
	int rc = c->ops->fingerprint_foreign(c, kind, fp, customer_id);

	if (rc == 0)
		return 1;
	if (rc == -GH_NOT_FOUND)
		return 0;
	return rc;
}

/* The answer for fingerprint fp: the filter first, then the store. */
static int
foreign_fp(struct fp_filter *f, struct store_conn *c, int64_t customer_id,
	   const char *kind, const char *fp)
{
	if (f != NULL && !fp_filter_maybe(f, kind, fp))
		return 0;
	return store_answer(c, customer_id, kind, fp);
}

int
fingerprints_foreign_filtered(struct fp_filter *f,
			      const struct crypto_keys *keys,
			      struct store_conn *c, int64_t customer_id,
			      const char *kind, const char *normalised,
			      size_t len)
{
	char fp[CRYPTO_HASH_HEX];

	fingerprint_of(keys, kind, normalised, len, fp);
	return foreign_fp(f, c, customer_id, kind, fp);
}

/* The kinds dlp_fingerprint() knows, in the order of fp_hasher.pre. */
static const char *const hasher_kinds[] = {
	"email", "phone", "dob", "number", "address",
};
#define HASHER_KINDS (sizeof(hasher_kinds) / sizeof(hasher_kinds[0]))

struct fp_hasher {
	const struct crypto_keys *keys;
	struct crypto_index_pre *pre[HASHER_KINDS];
};

int
fp_hasher_new(const struct crypto_keys *keys, struct fp_hasher **out)
{
	struct fp_hasher *h = calloc(1, sizeof(*h));
	char domain[32];

	*out = NULL;
	if (h == NULL)
		return -GH_INTERNAL;
	h->keys = keys;
	for (size_t k = 0; k < HASHER_KINDS; k++) {
		snprintf(domain, sizeof(domain), "fp.%s", hasher_kinds[k]);
		h->pre[k] = crypto_index_begin(keys, domain);
		if (h->pre[k] == NULL) {
			fp_hasher_free(h);
			return -GH_INTERNAL;
		}
	}
	*out = h;
	return 0;
}

void
fp_hasher_free(struct fp_hasher *h)
{
	if (h == NULL)
		return;
	for (size_t k = 0; k < HASHER_KINDS; k++)
		crypto_index_end(h->pre[k]);
	free(h);
}

/* The index of kind in hasher_kinds, or -1. */
static int
hasher_kind(const char *kind)
{
	for (size_t k = 0; k < HASHER_KINDS; k++)
		if (strcmp(kind, hasher_kinds[k]) == 0)
			return (int)k;
	return -1;
}

/* The filter's bit of hasher kind k (-1: any other kind, one bit). */
static unsigned
kind_bit(int k)
{
	return k >= 0 ? 1u << k : 1u << HASHER_KINDS;
}

void
fp_hasher_of(const struct fp_hasher *h, const char *kind,
	     const char *normalised, size_t len, char out[CRYPTO_HASH_HEX])
{
	int k = hasher_kind(kind);

	if (k >= 0)
		crypto_index_of(h->pre[k], normalised, len, out);
	else
		fingerprint_of(h->keys, kind, normalised, len, out);
}

/* The filter is asked with the key made from the digest itself (what
 * fp_key() reads back from its hex), so a miss, nearly every value,
 * costs no hex at all. */
int
fingerprints_foreign_hashed(struct fp_filter *f, const struct fp_hasher *h,
			    struct store_conn *c, int64_t customer_id,
			    const char *kind, const char *normalised,
			    size_t len)
{
	unsigned char raw[CRYPTO_INDEX_BYTES];
	char fp[CRYPTO_HASH_HEX];
	int k = hasher_kind(kind), maybe;

	if (k < 0) {
		fingerprint_of(h->keys, kind, normalised, len, fp);
		return foreign_fp(f, c, customer_id, kind, fp);
	}
	if (f != NULL && !filter_has_kind(f, kind_bit(k)))
		return 0;	/* no row of this kind: no hash either */
	crypto_index_raw(h->pre[k], normalised, len, raw);
	maybe = f == NULL || filter_has_key(f, fp_key_raw(kind, raw));
	if (maybe)
		crypto_index_hex(raw, fp);
	crypto_wipe(raw, sizeof(raw));
	return maybe ? store_answer(c, customer_id, kind, fp) : 0;
}

struct rebuild_ctx {
	const struct crypto_keys *keys;
	const struct customer_sealed *cs;
};

static int
tx_rebuild_one(struct store_conn *c, void *cls)
{
	struct rebuild_ctx *x = cls;
	const char *idx = x->cs->email_idx;
	char *email = NULL, *phone = NULL, *dob = NULL, *address = NULL;
	int rc;

	rc = sealed_field_open(x->keys, idx, "email", &x->cs->email, &email);
	if (rc == 0)
		rc = sealed_field_open(x->keys, idx, "phone", &x->cs->phone,
				       &phone);
	if (rc == 0)
		rc = sealed_field_open(x->keys, idx, "dob", &x->cs->dob, &dob);
	if (rc == 0)
		rc = sealed_field_open(x->keys, idx, "address",
				       &x->cs->address, &address);
	if (rc == 0)
		rc = fingerprints_add_customer(x->keys, c, x->cs->id, email,
					       phone, dob, address);
	crypto_secret_free(email);
	crypto_secret_free(phone);
	crypto_secret_free(dob);
	crypto_secret_free(address);
	return rc;
}

int
fingerprints_rebuild(const struct crypto_keys *keys, struct store_conn *c,
		     int64_t *n_out)
{
	struct customer_sealed cs;
	int64_t after = 0, n = 0;
	int rc;

	if (n_out != NULL)
		*n_out = 0;
	for (;;) {
		struct rebuild_ctx x = {keys, &cs};

		rc = c->ops->customer_sealed_next(c, after, &cs);
		if (rc == -GH_NOT_FOUND) {
			rc = 0;
			break;
		}
		if (rc < 0)
			break;
		after = cs.id;
		rc = store_transact(c, tx_rebuild_one, &x);
		customer_sealed_clear(&cs);
		if (rc < 0)
			break;
		n++;
	}
	if (n_out != NULL)
		*n_out = n;
	return rc;
}

int
fingerprints_ensure(const struct crypto_keys *keys, struct store *store)
{
	struct store_conn *c = store_acquire(store);
	struct customer_sealed cs;
	int64_t rows = 0, n = 0;
	int rc;

	rc = c->ops->fingerprint_count(c, &rows);
	if (rc < 0 || rows > 0)
		goto out;
	rc = c->ops->customer_sealed_next(c, 0, &cs);
	customer_sealed_clear(&cs);
	if (rc == -GH_NOT_FOUND) {
		rc = 0;
		goto out;
	}
	if (rc < 0)
		goto out;
	rc = fingerprints_rebuild(keys, c, &n);
	log_event(rc == 0 ? LOG_INFO : LOG_ERROR, "fingerprints.rebuilt",
		  json_pack("{s:I, s:b}", "customers", (json_int_t)n, "ok",
			    rc == 0));
out:
	store_release(store, c);
	return rc;
}

/* The filter: see the paragraph at the top of the file. */
struct fp_set {
	uint64_t *v;  /* 0 is an empty slot */
	size_t cap;   /* a power of two, or 0 */
	size_t n;
};

struct fp_filter {
	pthread_rwlock_t lock;  /* guards set, high, high_key */
	pthread_mutex_t sync;   /* one fp_filter_sync() at a time */
	struct fp_set set;
	int64_t high;           /* the highest row id seen; 0: none */
	unsigned kinds;         /* a bit per kind with a key in set */
	uint64_t high_key;      /* that row's key */
};

static uint64_t
fp_key(const char *kind, const char *fp)
{
	uint64_t h = 0xcbf29ce484222325ULL, k = 0;
	size_t i;

	for (const char *p = kind; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
	for (i = 0; i < 16 && fp[i] != '\0'; i++) {
		char ch = fp[i];
		unsigned d = ch >= '0' && ch <= '9' ? (unsigned)(ch - '0') :
			     ch >= 'a' && ch <= 'f' ? (unsigned)(ch - 'a' + 10) :
						      16;

		if (d == 16)
			break;
		k = k << 4 | d;
	}
	if (i < 16) /* not a hex hash: hash it whole */
		for (const char *p = fp; *p != '\0'; p++)
			k = (k ^ (unsigned char)*p) * 0x100000001b3ULL;
	k ^= h;
	return k != 0 ? k : 1;
}

static int
set_has(const struct fp_set *s, uint64_t key)
{
	size_t mask = s->cap - 1;

	if (s->cap == 0)
		return 0;
	for (size_t i = (size_t)(key * 0x9e3779b97f4a7c15ULL >> 20) & mask;;
	     i = (i + 1) & mask) {
		if (s->v[i] == key)
			return 1;
		if (s->v[i] == 0)
			return 0;
	}
}

static void
set_put_slot(struct fp_set *s, uint64_t key)
{
	size_t mask = s->cap - 1;
	size_t i = (size_t)(key * 0x9e3779b97f4a7c15ULL >> 20) & mask;

	while (s->v[i] != 0 && s->v[i] != key)
		i = (i + 1) & mask;
	if (s->v[i] == 0) {
		s->v[i] = key;
		s->n++;
	}
}

/* Room for want keys at most half full. */
static int
set_reserve(struct fp_set *s, size_t want)
{
	struct fp_set g = {NULL, s->cap > 0 ? s->cap : 1024, 0};

	if (want * 2 <= s->cap)
		return 0;
	while (want * 2 > g.cap)
		g.cap *= 2;
	g.v = calloc(g.cap, sizeof(*g.v));
	if (g.v == NULL)
		return -GH_INTERNAL;
	for (size_t i = 0; i < s->cap; i++)
		if (s->v[i] != 0)
			set_put_slot(&g, s->v[i]);
	free(s->v);
	*s = g;
	return 0;
}

int
fp_filter_new(struct fp_filter **out)
{
	struct fp_filter *f = calloc(1, sizeof(*f));

	*out = NULL;
	if (f == NULL)
		return -GH_INTERNAL;
	if (pthread_rwlock_init(&f->lock, NULL) != 0) {
		free(f);
		return -GH_INTERNAL;
	}
	if (pthread_mutex_init(&f->sync, NULL) != 0) {
		pthread_rwlock_destroy(&f->lock);
		free(f);
		return -GH_INTERNAL;
	}
	*out = f;
	return 0;
}

void
fp_filter_free(struct fp_filter *f)
{
	if (f == NULL)
		return;
	pthread_rwlock_destroy(&f->lock);
	pthread_mutex_destroy(&f->sync);
	free(f->set.v);
	free(f);
}

/* fp_key() of kind and the hex of raw, from raw: its first 16 hex
 * digits are its first 8 bytes, most significant first. */
static uint64_t
fp_key_raw(const char *kind, const unsigned char raw[CRYPTO_INDEX_BYTES])
{
	uint64_t h = 0xcbf29ce484222325ULL, k = 0;

	for (const char *p = kind; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
	for (int i = 0; i < 8; i++)
		k = k << 8 | raw[i];
	k ^= h;
	return k != 0 ? k : 1;
}

static int
filter_has_key(struct fp_filter *f, uint64_t key)
{
	int r;

	pthread_rwlock_rdlock(&f->lock);
	r = set_has(&f->set, key);
	pthread_rwlock_unlock(&f->lock);
	return r;
}

static int
filter_has_kind(struct fp_filter *f, unsigned bit)
{
	int r;

	pthread_rwlock_rdlock(&f->lock);
	r = (f->kinds & bit) != 0;
	pthread_rwlock_unlock(&f->lock);
	return r;
}

int
fp_filter_maybe(struct fp_filter *f, const char *kind, const char *fp)
{
	return filter_has_key(f, fp_key(kind, fp));
}

void
fp_filter_size(struct fp_filter *f, size_t *keys, int64_t *row)
{
	pthread_rwlock_rdlock(&f->lock);
	if (keys != NULL)
		*keys = f->set.n;
	if (row != NULL)
		*row = f->high;
	pthread_rwlock_unlock(&f->lock);
}

/* The rows read by one catch-up, in row id order. */
struct fp_rows {
	int64_t *row;
	uint64_t *key;
	size_t n, cap;
	unsigned kinds;		/* kind_bit() of every row read */
};

static int
rows_push(void *cls, int64_t row, const char *kind, const char *fp)
{
	struct fp_rows *r = cls;

	if (r->n == r->cap) {
		size_t cap = r->cap > 0 ? r->cap * 2 : 256;
		int64_t *nr = realloc(r->row, cap * sizeof(*nr));
		uint64_t *nk;

		if (nr == NULL)
			return -GH_INTERNAL;
		r->row = nr;
		nk = realloc(r->key, cap * sizeof(*nk));
		if (nk == NULL)
			return -GH_INTERNAL;
		r->key = nk;
		r->cap = cap;
	}
	r->row[r->n] = row;
	r->key[r->n] = fp_key(kind, fp);
	r->kinds |= kind_bit(hasher_kind(kind));
	r->n++;
	return 0;
}

static void
rows_free(struct fp_rows *r)
{
	free(r->row);
	free(r->key);
	memset(r, 0, sizeof(*r));
}

/* Adds rows[from, n) to f's set under the write lock; the last becomes
 * f->high. With fresh, the set is replaced by one of those rows only. */
static int
filter_apply(struct fp_filter *f, const struct fp_rows *r, size_t from,
	     int fresh)
{
	struct fp_set s = {NULL, 0, 0};
	int rc = 0;

	if (fresh && r->n > 0)
		rc = set_reserve(&s, r->n);
	for (size_t i = 0; fresh && rc == 0 && i < r->n; i++)
		set_put_slot(&s, r->key[i]); /* lookups go on meanwhile */
	if (rc < 0)
		return rc;
	pthread_rwlock_wrlock(&f->lock);
	if (!fresh)
		rc = set_reserve(&f->set, f->set.n + (r->n - from));
	for (size_t i = from; !fresh && rc == 0 && i < r->n; i++)
		set_put_slot(&f->set, r->key[i]);
	if (rc == 0)
		f->kinds = fresh ? r->kinds : f->kinds | r->kinds;
	if (rc == 0 && fresh) {
		free(f->set.v);
		f->set = s;
		f->high = 0;
		f->high_key = 0;
	}
	if (rc == 0 && r->n > from) {
		f->high = r->row[r->n - 1];
		f->high_key = r->key[r->n - 1];
	}
	pthread_rwlock_unlock(&f->lock);
	return rc;
}

int
fp_filter_sync(struct fp_filter *f, struct store_conn *c)
{
	struct fp_rows r = {NULL, NULL, 0, 0, 0};
	int64_t high;
	uint64_t high_key;
	int rc;

	pthread_mutex_lock(&f->sync);
	/* Only a sync writes high and high_key, and syncs are serialised. */
	high = f->high;
	high_key = f->high_key;
	rc = c->ops->fingerprint_since(c, high, rows_push, &r);
	if (rc == 0 && high > 0 &&
	    (r.n == 0 || r.row[0] != high || r.key[0] != high_key)) {
		/* The newest row seen is gone or another: read them all. */
		rows_free(&r);
		rc = c->ops->fingerprint_since(c, 0, rows_push, &r);
		if (rc == 0)
			rc = filter_apply(f, &r, 0, 1);
	} else if (rc == 0) {
		rc = filter_apply(f, &r, high > 0 ? 1 : 0, 0);
	}
	pthread_mutex_unlock(&f->sync);
	rows_free(&r);
	return rc;
}
