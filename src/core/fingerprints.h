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
