/*
 * The fingerprint index of customers' personal values (see
 * core/fingerprints.h): normalisation by dlp_fingerprint(), keyed hashes by
 * crypto_index(), rows through the store. Values pass through here in
 * clear only on their way to the hash; nothing is logged but counts.
 */
#include "core/fingerprints.h"

#include <stdio.h>
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
	char fp[CRYPTO_HASH_HEX];
	int rc;

	fingerprint_of(keys, kind, normalised, len, fp);
	rc = c->ops->fingerprint_foreign(c, kind, fp, customer_id);
	if (rc == 0)
		return 1;
	if (rc == -GH_NOT_FOUND)
		return 0;
	return rc;
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
