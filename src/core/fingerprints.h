/*
 * The fingerprint index of customers' personal values: for each customer,
 * keyed BLAKE2b hashes (crypto_index with the domain "fp.<kind>") of the
 * normalised forms of their e-mail address, phone number, date of birth
 * and postal address, where the normalisation is exactly the DLP engine's
 * (dlp_fingerprint()), so a value the outbound filter meets in a reply can
 * be looked up without the index ever holding plaintext. The outbound
 * check asks it, through the engine's foreign_value callback, whether a
 * value belongs to a customer other than the ticket's.
 *
 * Fingerprints are written in the transaction that creates the customer;
 * fingerprints_rebuild() computes them for customers created before the
 * index existed (a migration cannot, lacking the key). It does not decide
 * what a match means, and never logs or returns a value. It needs only
 * the master key and the store, never the application context, so the
 * start-up code (core/app.c) may call it without a cycle.
 *
 * The in-memory filter (struct fp_filter) answers "certainly not in the
 * index" for most values without a query: it holds a 64-bit key of every
 * (kind, fingerprint) row it has seen, whoever the customer, and the
 * highest row id among them. fp_filter_sync() catches up with the rows
 * past that id (one indexed query per scan, not per value), so a row
 * another process or connection wrote is seen by the next scan; a
 * deleted row only makes the filter over-inclusive. Only a possible hit
 * goes to the store, whose answer is the only one that makes a finding.
 */
#ifndef GH_CORE_FINGERPRINTS_H
#define GH_CORE_FINGERPRINTS_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "store/store.h"

/* The fingerprint of one normalised form: hex keyed BLAKE2b over
 * normalised[0, len) in the domain "fp.<kind>". out holds
 * CRYPTO_HASH_HEX bytes. */
void fingerprint_of(const struct crypto_keys *keys, const char *kind,
		    const char *normalised, size_t len,
		    char out[CRYPTO_HASH_HEX]);

/* Indexes every normalised form of value (NUL-ended; NULL or empty does
 * nothing) of the given kind for customer_id, through c (inside the
 * caller's transaction). Returns 0, -GH_BAD_FIELD for an unknown kind, or
 * a store error. Idempotent. */
int fingerprints_add(const struct crypto_keys *keys, struct store_conn *c,
		     int64_t customer_id, const char *kind, const char *value);

/* Indexes a new customer's values (each may be NULL). */
int fingerprints_add_customer(const struct crypto_keys *keys,
			      struct store_conn *c,
			      int64_t customer_id, const char *email,
			      const char *phone, const char *dob,
			      const char *address);

/* 1 when the normalised form (as dlp_fingerprint() gives it) belongs to a
 * customer other than customer_id and not to customer_id too (a shared
 * value is the customer's own), 0 when not, a negative error when the
 * store cannot answer. */
int fingerprints_foreign(const struct crypto_keys *keys,
			 struct store_conn *c,
			 int64_t customer_id, const char *kind,
			 const char *normalised, size_t len);

/* The filter of one store's index: created empty, filled by
 * fp_filter_sync(). Safe to share between threads (a read-write lock
 * guards the set; catch-ups are serialised). */
struct fp_filter;

/* 0 and *out, or -GH_INTERNAL when out of memory. */
int fp_filter_new(struct fp_filter **out);
void fp_filter_free(struct fp_filter *f);

/* Catches f up with the index rows of c's store whose row id is at least
 * the highest f has seen (that row is read again: when it is gone or holds
 * another value, ids were reused and f is rebuilt from every row). Call it
 * once before a scan, on the connection the scan's lookups use. 0 or a
 * store error (f is unchanged then). */
int fp_filter_sync(struct fp_filter *f, struct store_conn *c);

/* 0 when (kind, fp) is certainly in no row f has seen, 1 when it may be in
 * the index (a row's value or, rarely, a collision of keys). */
int fp_filter_maybe(struct fp_filter *f, const char *kind, const char *fp);

/* The number of keys in f and the highest row id it has seen (either
 * may be NULL), for the start-up log, the bench and tests. */
void fp_filter_size(struct fp_filter *f, size_t *keys, int64_t *row);

/* fingerprints_foreign() that first asks f (NULL: every value goes to the
 * store): a value f has never seen is 0 without a query. Same answers as
 * fingerprints_foreign() provided f was synced since the rows concerned
 * were committed. */
int fingerprints_foreign_filtered(struct fp_filter *f,
				  const struct crypto_keys *keys,
				  struct store_conn *c, int64_t customer_id,
				  const char *kind, const char *normalised,
				  size_t len);

/* The keyed-hash states of the fingerprint kinds ("fp.<kind>" after the
 * key, crypto_index_begin()), made once per ticket by the outbound check
 * so that each looked-up value costs one BLAKE2b compression, not two.
 * It holds key material and borrows keys (which must outlive it).
 * new: 0 and *out, or -GH_INTERNAL when out of memory. */
struct fp_hasher;
int fp_hasher_new(const struct crypto_keys *keys, struct fp_hasher **out);
void fp_hasher_free(struct fp_hasher *h);

/* fingerprint_of() through h: the same output for every kind (a kind h
 * has no state for is hashed the plain way). */
void fp_hasher_of(const struct fp_hasher *h, const char *kind,
		  const char *normalised, size_t len,
		  char out[CRYPTO_HASH_HEX]);

/* fingerprints_foreign_filtered() with the fingerprint made through h:
 * the same answers. */
int fingerprints_foreign_hashed(struct fp_filter *f,
				const struct fp_hasher *h,
				struct store_conn *c, int64_t customer_id,
				const char *kind, const char *normalised,
				size_t len);

/* Opens every customer's sealed fields and indexes them, one transaction
 * per customer. Idempotent: running it again adds nothing. *n_out (may be
 * NULL) gets the number of customers visited. Returns 0 or an error (a
 * field that does not open is -GH_INTERNAL, logged without the value). */
int fingerprints_rebuild(const struct crypto_keys *keys,
			 struct store_conn *c,
			 int64_t *n_out);

/* At start-up: rebuilds when the index is empty and customers exist,
 * through a connection of store. Returns 0 or an error. */
int fingerprints_ensure(const struct crypto_keys *keys, struct store *store);

#endif
