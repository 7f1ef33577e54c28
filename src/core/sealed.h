/*
 * Customers' personal fields sealed at rest, and the associated data of
 * every sealed column. The e-mail address, phone number, date of birth,
 * postal address, account number and anti-phishing phrase of a customer
 * are each sealed under the associated data "customer.<col>:<email_idx>"
 * (email_idx: the blind index of the customer's e-mail address), a value
 * of a custom field under "customer.field.<field id>:<email_idx>", so a
 * sealed value copied to another customer, column or field does not open.
 * This is the one place that states the rule; account creation, custom
 * fields, the outbound check, notifications, the fingerprint rebuild, the
 * phrase and key rotation all seal and open through it.
 *
 * Blind indexes (the e-mail's, the phone number's) are keyed with the
 * index subkey of key 1 (crypto.h), which key rotation does not change.
 *
 * It never logs or returns a value other than to its caller.
 */
#ifndef GH_CORE_SEALED_H
#define GH_CORE_SEALED_H

#include "core/app.h"
#include "crypto/crypto.h"
#include "store/store.h"

/* Room for any associated data this module makes. */
#define SEALED_AD_BYTES 320

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

/*
 * The associated data of a value of sealed column col whose parts are ctx
 * and num (see struct sealed_value in store/store.h) into ad (adsz bytes).
 * 0, or -GH_INTERNAL for an unknown column or parts that do not fit.
 */
int sealed_ad(enum sealed_col col, const char *ctx, int64_t num, char *ad,
	      size_t adsz);

/*
 * The blind index of a phone number: keyed BLAKE2b (domain
 * "customer.phone") over "+" and its digits, whatever spaces or hyphens
 * it was written with. -GH_BAD_FIELD when it has no digit.
 */
int sealed_phone_index(const struct crypto_keys *keys, const char *phone,
		       char out[CRYPTO_HASH_HEX]);

/*
 * The ids of at most max customers whose phone number is phone (as
 * sealed_phone_index compares them), by id, into ids (*n: how many).
 * 0, -GH_BAD_FIELD (no digit) or a store error.
 */
int sealed_find_by_phone(struct app *app, struct store_conn *c,
			 const char *phone, int64_t *ids, size_t max,
			 size_t *n);

/*
 * Gives every customer with a phone number and no phone index (rows older
 * than migration 013) their index, one transaction each. 0 or an error
 * (logged). Run at start-up by app_start_engines.
 */
int sealed_phone_ensure(struct app *app);

/* One personal field of a customer, for display (masked) or reveal. */
struct pfield {
	char name[FIELD_NAME_MAX + 1]; /* "email", ..., or a custom name */
	char cls[4];                   /* "C1" or "C2" */
	int64_t field_id;              /* custom fields; 0 for built-ins */
	struct blob sealed;            /* empty: not set */
	char ad[SEALED_AD_BYTES];      /* what opens it (pfield_open) */
};

struct pfield_list {
	struct pfield *v; /* malloc'd; pfield_list_clear() */
	size_t n;
};

/*
 * The personal fields of customer customer_id: the built-ins email (C1),
 * phone (C1), dob (C2), address (C2), account_number (C2), then every
 * custom field by id with its class, each with the customer's sealed
 * value (empty when not set) and its associated data. Opens nothing.
 * 0, -GH_NOT_FOUND (no such customer) or a store error. The caller checks
 * that its actor may see this customer at all.
 */
int customer_fields(const struct app *app, struct store_conn *c,
		    int64_t customer_id, struct pfield_list *out);
void pfield_list_clear(struct pfield_list *l);

/*
 * Opens f: *out gets the NUL-ended plaintext (crypto_secret_free it), or
 * NULL when the field is not set. -GH_INTERNAL when it does not open (a
 * value moved from another customer or field; logged without the value).
 */
int pfield_open(const struct app *app, const struct pfield *f, char **out);

#endif
