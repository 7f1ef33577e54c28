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
#include "util/errors.h"
#include "util/log.h"

void
fingerprint_of(const struct app *app, const char *kind,
	       const char *normalised, size_t len, char out[CRYPTO_HASH_HEX])
{
	char domain[32];

	snprintf(domain, sizeof(domain), "fp.%s", kind);
	crypto_index(app->keys, domain, normalised, len, out);
}

struct add_ctx {
	struct app *app;
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
	fingerprint_of(x->app, kind, normalised, len, fp);
	rc = x->c->ops->fingerprint_add(x->c, kind, fp, x->customer_id);
	if (rc < 0)
		x->rc = rc;
}

int
fingerprints_add(struct app *app, struct store_conn *c, int64_t customer_id,
		 const char *kind, const char *value)
{
	struct add_ctx x = {app, c, customer_id, 0};
	int n;

	if (value == NULL || value[0] == '\0')
		return 0;
	n = dlp_fingerprint(kind, value, strlen(value), add_cb, &x);
	if (n < 0)
		return n;
	return x.rc;
}

int
fingerprints_add_customer(struct app *app, struct store_conn *c,
			  int64_t customer_id, const char *email,
			  const char *phone, const char *dob,
			  const char *address)
{
	int rc;

	rc = fingerprints_add(app, c, customer_id, "email", email);
	if (rc == 0)
		rc = fingerprints_add(app, c, customer_id, "phone", phone);
	if (rc == 0)
		rc = fingerprints_add(app, c, customer_id, "dob", dob);
	if (rc == 0)
		rc = fingerprints_add(app, c, customer_id, "address", address);
	return rc;
}

int
fingerprints_foreign(struct app *app, struct store_conn *c,
		     int64_t customer_id, const char *kind,
		     const char *normalised, size_t len)
{
	char fp[CRYPTO_HASH_HEX];
	int rc;

	fingerprint_of(app, kind, normalised, len, fp);
	rc = c->ops->fingerprint_foreign(c, kind, fp, customer_id);
	if (rc == 0)
		return 1;
	if (rc == -GH_NOT_FOUND)
		return 0;
	return rc;
}

/* Opens one sealed field of cs (AD "customer.<col>:<email_idx>"). */
static int
open_field(struct app *app, const struct customer_sealed *cs,
	   const char *col, const struct blob *b, char **out)
{
	char ad[160];
	size_t len = 0;

	*out = NULL;
	if (b->data == NULL)
		return 0;
	snprintf(ad, sizeof(ad), "customer.%s:%s", col, cs->email_idx);
	if (crypto_open(app->keys, ad, b->data, b->len, out, &len) < 0) {
		LOG_BUG("sealed customer field does not open");
		return -GH_INTERNAL;
	}
	return 0;
}

struct rebuild_ctx {
	struct app *app;
	const struct customer_sealed *cs;
};

static int
tx_rebuild_one(struct store_conn *c, void *cls)
{
	struct rebuild_ctx *x = cls;
	char *email = NULL, *phone = NULL, *dob = NULL, *address = NULL;
	int rc;

	rc = open_field(x->app, x->cs, "email", &x->cs->email, &email);
	if (rc == 0)
		rc = open_field(x->app, x->cs, "phone", &x->cs->phone, &phone);
	if (rc == 0)
		rc = open_field(x->app, x->cs, "dob", &x->cs->dob, &dob);
	if (rc == 0)
		rc = open_field(x->app, x->cs, "address", &x->cs->address,
				&address);
	if (rc < 0)
		goto out;
	rc = fingerprints_add_customer(x->app, c, x->cs->id, email, phone, dob,
				       address);
out:
	crypto_secret_free(email);
	crypto_secret_free(phone);
	crypto_secret_free(dob);
	crypto_secret_free(address);
	return rc;
}

int
fingerprints_rebuild(struct app *app, struct store_conn *c, int64_t *n_out)
{
	struct customer_sealed cs;
	int64_t after = 0, n = 0;
	int rc;

	if (n_out != NULL)
		*n_out = 0;
	for (;;) {
		struct rebuild_ctx x = {app, &cs};

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
fingerprints_ensure(struct app *app)
{
	struct store_conn *c = store_acquire(app->store);
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
	rc = fingerprints_rebuild(app, c, &n);
	log_event(rc == 0 ? LOG_INFO : LOG_ERROR, "fingerprints.rebuilt",
		  json_pack("{s:I, s:b}", "customers", (json_int_t)n, "ok",
			    rc == 0));
out:
	store_release(app->store, c);
	return rc;
}
