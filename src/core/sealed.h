/*
 * Customers' personal fields sealed at rest. The e-mail address, phone
 * number, date of birth, postal address and anti-phishing phrase of a
 * customer are each sealed with the master key under the associated data
 * "customer.<col>:<email_idx>" (email_idx: the blind index of the
 * customer's e-mail address), so a sealed value copied to another customer
 * or another column does not open. This is the one place that states the
 * rule; account creation, the outbound check, notifications, the
 * fingerprint rebuild and the phrase all seal and open through it.
 *
 * It never logs or returns a value other than to its caller.
 */
#ifndef GH_CORE_SEALED_H
#define GH_CORE_SEALED_H

#include "crypto/crypto.h"
#include "store/store.h"

/*
 * Opens the sealed field col of the customer with blind index email_idx.
 * *out gets the NUL-ended plaintext (crypto_secret_free it), or NULL when
 * b is empty (the field is not set). -GH_INTERNAL when it does not open
 * (logged as a bug, without the value).
 */
int sealed_field_open(const struct crypto_keys *keys, const char *email_idx,
		      const char *col, const struct blob *b, char **out);

/*
 * Seals value (NUL-ended; NULL leaves *out empty) as field col of the
 * customer with blind index email_idx. *out owns the sealed bytes
 * (blob_clear). 0 or -GH_INTERNAL.
 */
int sealed_field_seal(const struct crypto_keys *keys, const char *email_idx,
		      const char *col, const char *value, struct blob *out);

#endif
