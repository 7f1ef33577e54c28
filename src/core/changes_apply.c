/*
 * Applying account changes whose cooling-off is over (see
 * core/changes.h). Each change is applied in a transaction of its own
 * that re-reads it (still cooling off, apply_after <= now), queues the
 * notice to the contact on file before the change, changes the
 * customer, marks the change applied and writes its audit record: a
 * change is applied once, completely, with its record and notice, or
 * not at all.
 *
 *  - email: every sealed field of the customer is bound to the blind
 *    index of their e-mail address (core/sealed.h), so all of them (and
 *    the authenticator secret) are opened under the old index and sealed
 *    again under the new one, with the index, in one statement; the new
 *    address joins the fingerprint index. An address another customer
 *    took meanwhile fails the change (state failed, audited).
 *  - phone: sealed in place; joins the fingerprint index.
 *  - mfa_reset: the authenticator secret becomes a random one nobody
 *    sees, not enrolled, so the next login enrols a new one; every
 *    passkey of the customer is deleted (issue 17: a lost passkey is
 *    lost with the authenticator) and every session of the customer
 *    ends.
 *
 * Opened values live in libsodium's guarded memory and are freed (wiped)
 * before the function returns; nothing here logs a value.
 */
#include "core/changes_int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/fingerprints.h"
#include "core/sealed.h"
#include "crypto/totp.h"
#include "util/errors.h"
#include "util/log.h"

struct apply_ctx {
	struct app *app;
	int64_t id;
	int64_t now;
	int applied;              /* 1 when this call applied it */
	int64_t sessions_ended;   /* mfa_reset */
	int64_t passkeys_deleted; /* mfa_reset */
};

/* The opened new value of r (NULL for mfa_reset), guarded memory. */
static int
open_value(const struct app *app, const struct change_rec *r, char **out)
{
	char ad[200];
	size_t len = 0;

	*out = NULL;
	if (r->value.data == NULL)
		return strcmp(r->kind, "mfa_reset") == 0 ? 0 : -GH_INTERNAL;
	chg_value_ad(r->kind, r->customer_id, r->ref, ad, sizeof(ad));
	if (crypto_open(app->keys, ad, r->value.data, r->value.len, out,
			&len) < 0) {
		*out = NULL;
		LOG_BUG("the value of a change request does not open");
		return -GH_INTERNAL;
	}
	return 0;
}

/* The customer's authenticator secret sealed anew: under the new index
 * (raw: the bytes of a secret) or, raw NULL, a fresh random one. */
static int
seal_totp(const struct app *app, const char *idx, const unsigned char *raw,
	  size_t len, struct blob *out)
{
	unsigned char fresh[TOTP_SECRET_BYTES];
	char ad[300]; /* "customer.totp:" and an index of up to 255 bytes */
	int rc = 0;

	if (raw == NULL) {
		totp_secret_new(fresh);
		raw = fresh;
		len = sizeof(fresh);
	}
	snprintf(ad, sizeof(ad), "customer.totp:%s", idx);
	if (crypto_seal(app->keys, ad, raw, len, &out->data, &out->len) < 0)
		rc = -GH_INTERNAL;
	crypto_wipe(fresh, sizeof(fresh));
	return rc;
}

/* One sealed field of the customer re-sealed from old_idx to new_idx
 * (value given: sealed instead of the field's own). */
static int
reseal_field(const struct app *app, const char *old_idx, const char *new_idx,
	     const char *col, const struct blob *in, const char *value,
	     struct blob *out)
{
	char *plain = NULL;
	int rc = 0;

	if (value == NULL)
		rc = sealed_field_open(app->keys, old_idx, col, in, &plain);
	if (rc == 0)
		rc = sealed_field_seal(app->keys, new_idx, col,
				       value != NULL ? value : plain, out);
	crypto_secret_free(plain);
	return rc;
}

/* The authenticator secret from old_idx to new_idx. */
static int
reseal_totp(const struct app *app, const char *old_idx, const char *new_idx,
	    const struct blob *in, struct blob *out)
{
	char ad[160];
	char *raw = NULL;
	size_t len = 0;
	int rc;

	snprintf(ad, sizeof(ad), "customer.totp:%s", old_idx);
	if (crypto_open(app->keys, ad, in->data, in->len, &raw, &len) < 0) {
		LOG_BUG("a customer's authenticator secret does not open");
		return -GH_INTERNAL;
	}
	rc = seal_totp(app, new_idx, (const unsigned char *)raw, len, out);
	crypto_secret_free(raw);
	return rc;
}

/* Fills rs with every sealed field of the customer cs under new_idx. */
static int
reseal_all(struct store_conn *c, const struct app *app,
	   const struct customer_sealed *cs, const char *new_idx,
	   const char *email, struct customer_reseal *rs)
{
	const char *old = cs->email_idx;
	struct customer_contact cc;
	struct account acct;
	int rc;

	rc = c->ops->customer_contact(c, cs->id, &cc);
	if (rc < 0)
		return rc;
	rc = c->ops->account_by_id(c, REALM_CUSTOMER, cs->id, &acct);
	if (rc == 0)
		rc = reseal_field(app, old, new_idx, "email", &cs->email, email,
				  &rs->email);
	if (rc == 0)
		rc = reseal_field(app, old, new_idx, "phone", &cs->phone, NULL,
				  &rs->phone);
	if (rc == 0)
		rc = reseal_field(app, old, new_idx, "dob", &cs->dob, NULL,
				  &rs->dob);
	if (rc == 0)
		rc = reseal_field(app, old, new_idx, "address", &cs->address,
				  NULL, &rs->address);
	if (rc == 0)
		rc = reseal_field(app, old, new_idx, "phrase", &cc.phrase, NULL,
				  &rs->phrase);
	if (rc == 0)
		rc = reseal_totp(app, old, new_idx, &acct.totp_seed,
				 &rs->totp_seed);
	customer_contact_clear(&cc);
	account_clear(&acct);
	return rc;
}

/* The sealed values whose associated data names the e-mail blind index
 * and that customer_reseal does not carry (account number, custom field
 * values: migration 013), re-sealed from the customer's current index
 * old_idx to new_idx and written back in the caller's transaction. */
static int
reseal_extra(struct store_conn *c, const struct app *app, int64_t customer_id,
	     const char *new_idx)
{
	struct pfield_list l = {NULL, 0};
	int rc = customer_fields(app, c, customer_id, &l);

	for (size_t i = 0; rc == 0 && i < l.n; i++) {
		const struct pfield *f = &l.v[i];
		int custom = f->field_id > 0;
		char ad[SEALED_AD_BYTES];
		struct blob b = {NULL, 0};
		char *plain = NULL;

		if (f->sealed.data == NULL ||
		    (!custom && strcmp(f->name, "account_number") != 0))
			continue;
		rc = pfield_open(app, f, &plain);
		if (rc == 0)
			rc = sealed_ad(custom ? SEALED_FIELD_VALUE
					      : SEALED_CUSTOMER_ACCOUNT_NUMBER,
				       new_idx, f->field_id, ad, sizeof(ad));
		if (rc == 0 && crypto_seal(app->keys, ad, plain, strlen(plain),
					   &b.data, &b.len) < 0)
			rc = -GH_INTERNAL;
		if (rc == 0)
			rc = custom ? c->ops->customer_field_put(
					      c, customer_id, f->field_id, &b,
					      (int64_t)time(NULL))
				    : c->ops->customer_set_account_number(
					      c, customer_id, &b);
		crypto_secret_free(plain);
		blob_clear(&b);
	}
	pfield_list_clear(&l);
	return rc;
}

/* The e-mail address of customer_id becomes email (blind index idx). */
static int
apply_email(struct store_conn *c, const struct app *app, int64_t customer_id,
	    const char *email, const char *idx)
{
	struct customer_sealed cs;
	struct customer_reseal rs;
	int rc;

	memset(&rs, 0, sizeof(rs));
	rc = c->ops->customer_sealed_next(c, customer_id - 1, &cs);
	if (rc == 0 && cs.id != customer_id)
		rc = -GH_NOT_FOUND;
	if (rc == 0)
		rc = reseal_all(c, app, &cs, idx, email, &rs);
	if (rc == 0)
		rc = reseal_extra(c, app, customer_id, idx);
	rs.id = customer_id;
	rs.old_idx = cs.email_idx;
	rs.new_idx = idx;
	if (rc == 0)
		rc = c->ops->customer_reseal(c, &rs);
	if (rc == 0)
		rc = fingerprints_add(app->keys, c, customer_id, "email", email);
	customer_reseal_clear(&rs);
	customer_sealed_clear(&cs);
	return rc;
}

static int
apply_phone(struct store_conn *c, const struct app *app, int64_t customer_id,
	    const char *phone)
{
	struct customer_contact cc;
	struct blob b = {NULL, 0};
	int rc;

	char pidx[CRYPTO_HASH_HEX];

	rc = c->ops->customer_contact(c, customer_id, &cc);
	if (rc == 0)
		rc = sealed_field_seal(app->keys, cc.email_idx, "phone", phone,
				       &b);
	if (rc == 0)
		rc = c->ops->customer_set_phone(c, customer_id, &b);
	if (rc == 0)
		rc = sealed_phone_index(app->keys, phone, pidx);
	if (rc == 0)
		rc = c->ops->customer_set_phone_idx(c, customer_id, pidx);
	if (rc == 0)
		rc = fingerprints_add(app->keys, c, customer_id, "phone", phone);
	blob_clear(&b);
	customer_contact_clear(&cc);
	return rc;
}

/* The account number (C2, sealed under the customer's e-mail index). */
static int
apply_account_number(struct store_conn *c, const struct app *app,
		     int64_t customer_id, const char *number)
{
	struct customer_contact cc;
	struct blob b = {NULL, 0};
	int rc;

	rc = c->ops->customer_contact(c, customer_id, &cc);
	if (rc == 0)
		rc = sealed_field_seal(app->keys, cc.email_idx,
				       "account_number", number, &b);
	if (rc == 0)
		rc = c->ops->customer_set_account_number(c, customer_id, &b);
	blob_clear(&b);
	customer_contact_clear(&cc);
	return rc;
}

static int
apply_mfa_reset(struct store_conn *c, const struct app *app,
		int64_t customer_id, int64_t *sessions_ended,
		int64_t *passkeys_deleted)
{
	struct account acct;
	struct blob seed = {NULL, 0};
	int rc;

	rc = c->ops->account_by_id(c, REALM_CUSTOMER, customer_id, &acct);
	if (rc == 0)
		rc = seal_totp(app, acct.login, NULL, 0, &seed);
	if (rc == 0)
		rc = c->ops->account_set_totp(c, REALM_CUSTOMER, customer_id,
					      &seed, 0);
	if (rc == 0)
		rc = c->ops->passkeys->remove_all(c, REALM_CUSTOMER,
						  customer_id,
						  passkeys_deleted);
	if (rc == 0)
		rc = c->ops->session_delete_principal(c, REALM_CUSTOMER,
						      customer_id,
						      sessions_ended);
	blob_clear(&seed);
	account_clear(&acct);
	return rc;
}

/* The change r closes as failed (why: a stable code), audited. */
static int
fail_change(struct store_conn *c, struct apply_ctx *x,
	    const struct change_rec *r, const char *why)
{
	int rc = c->ops->change_close(c, r->id, "failed", "system", why,
				      x->now);

	if (rc == 0)
		rc = chg_audit(x->app, c, NULL, "change.applied", r->id,
			       "failure",
			       json_pack("{s:s, s:I, s:s}", "kind", r->kind,
					 "customer",
					 (json_int_t)r->customer_id, "reason",
					 why));
	return rc;
}

/* The customer change r brings, value its opened new value. */
static int
apply_kind(struct store_conn *c, struct apply_ctx *x,
	   const struct change_rec *r, const char *value)
{
	char idx[CRYPTO_HASH_HEX];
	struct account other;
	int rc;

	if (strcmp(r->kind, "phone") == 0)
		return apply_phone(c, x->app, r->customer_id, value);
	if (strcmp(r->kind, "account_number") == 0)
		return apply_account_number(c, x->app, r->customer_id, value);
	if (strcmp(r->kind, "mfa_reset") == 0)
		return apply_mfa_reset(c, x->app, r->customer_id,
				       &x->sessions_ended,
				       &x->passkeys_deleted);
	if (strcmp(r->kind, "email") != 0) {
		LOG_BUG("a change of a kind this version cannot apply");
		return -GH_INTERNAL;
	}
	crypto_index(x->app->keys, "customer.email", value, strlen(value),
		     idx);
	rc = c->ops->account_by_login(c, REALM_CUSTOMER, idx, &other);
	account_clear(&other);
	if (rc == 0)
		return -GH_EXISTS;
	if (rc != -GH_NOT_FOUND)
		return rc;
	return apply_email(c, x->app, r->customer_id, value, idx);
}

static int
tx_apply(struct store_conn *c, void *cls)
{
	struct apply_ctx *x = cls;
	struct change_rec r;
	char *value = NULL;
	int rc;

	x->applied = 0;
	x->sessions_ended = 0;
	x->passkeys_deleted = 0;
	rc = c->ops->change_get(c, x->id, &r);
	if (rc < 0)
		return rc;
	if (strcmp(r.state, "cooling_off") != 0 || r.apply_after > x->now)
		goto out; /* decided or applied meanwhile: nothing to do */
	rc = open_value(x->app, &r, &value);
	/* The notice reads the contact on file, before the change. */
	if (rc == 0)
		rc = chg_notice(x->app, c, &r, 1, x->now);
	if (rc == 0)
		rc = apply_kind(c, x, &r, value);
	if (rc == 0)
		rc = c->ops->change_applied(c, r.id, x->now);
	if (rc == 0)
		rc = chg_audit(x->app, c, NULL, "change.applied", r.id,
			       "success",
			       json_pack("{s:s, s:I, s:I, s:I}", "kind",
					 r.kind, "customer",
					 (json_int_t)r.customer_id,
					 "sessions_ended",
					 (json_int_t)x->sessions_ended,
					 "passkeys_deleted",
					 (json_int_t)x->passkeys_deleted));
	x->applied = rc == 0;
out:
	crypto_secret_free(value);
	change_rec_clear(&r);
	return rc;
}

/* A change whose e-mail address was taken: failed, in a transaction of
 * its own (the one that tried was rolled back). */
static int
tx_fail_taken(struct store_conn *c, void *cls)
{
	struct apply_ctx *x = cls;
	struct change_rec r;
	int rc;

	rc = c->ops->change_get(c, x->id, &r);
	if (rc == 0 && strcmp(r.state, "cooling_off") == 0)
		rc = fail_change(c, x, &r, "email_taken");
	change_rec_clear(&r);
	return rc;
}

/* Applies change id; 1 in *applied when this call did. */
static int
apply_one(struct app *app, struct store_conn *c, int64_t id, int64_t now,
	  int *applied)
{
	struct apply_ctx x = {app, id, now, 0, 0, 0};
	int rc = store_transact(c, tx_apply, &x);

	if (rc == -GH_EXISTS)
		rc = store_transact(c, tx_fail_taken, &x);
	if (rc < 0)
		log_event(LOG_ERROR, "change.apply_failed",
			  json_pack("{s:I, s:s}", "change", (json_int_t)id,
				    "error", err_code(rc)));
	*applied = x.applied;
	return rc;
}

int
changes_apply_due(struct app *app, struct store_conn *c, int64_t now,
		  int64_t *n_out)
{
	int64_t ids[CHANGE_APPLY_BATCH];
	int64_t total = 0;
	size_t n = 0;
	int first = 0;
	int rc;

	if (n_out != NULL)
		*n_out = 0;
	do {
		rc = c->ops->change_due(c, now, CHANGE_APPLY_BATCH, ids, &n);
		if (rc < 0)
			return rc;
		for (size_t i = 0; i < n; i++) {
			int applied = 0;

			rc = apply_one(app, c, ids[i], now, &applied);
			if (rc < 0 && first == 0)
				first = rc;
			total += applied;
		}
		/* After an error the same rows would come again: stop. */
	} while (n == CHANGE_APPLY_BATCH && first == 0);
	if (total > 0)
		log_event(LOG_INFO, "change.applied",
			  json_pack("{s:I}", "count", (json_int_t)total));
	if (n_out != NULL)
		*n_out = total;
	return first;
}
