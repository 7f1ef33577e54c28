/*
 * Sealing and opening customers' fields (see core/sealed.h): the
 * associated data names the column (or custom field) and the customer,
 * nothing else; the associated data of every other sealed column (staff
 * TOTP seeds, outbox rows, attachments) as their modules make it, for key
 * rotation; the phone number's blind index; and the list of a customer's
 * personal fields the disclosure gate masks and reveals.
 *
 * Invariant: sealed_ad() gives, for every enum sealed_col, exactly the
 * associated data the module that seals that column uses, so a value
 * key rotation seals again opens where it did before.
 */
#include "core/sealed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/errors.h"
#include "util/log.h"

static int
field_ad(const char *email_idx, const char *col, char *ad, size_t adsz)
{
	int n = snprintf(ad, adsz, "customer.%s:%s", col, email_idx);

	return n < 0 || (size_t)n >= adsz ? -GH_INTERNAL : 0;
}

int
sealed_field_open(const struct crypto_keys *keys, const char *email_idx,
		  const char *col, const struct blob *b, char **out)
{
	char ad[SEALED_AD_BYTES];
	size_t len = 0;

	*out = NULL;
	if (b->data == NULL)
		return 0;
	if (field_ad(email_idx, col, ad, sizeof(ad)) < 0 ||
	    crypto_open(keys, ad, b->data, b->len, out, &len) < 0) {
		*out = NULL;
		LOG_BUG("sealed customer field does not open");
		return -GH_INTERNAL;
	}
	return 0;
}

int
sealed_field_seal(const struct crypto_keys *keys, const char *email_idx,
		  const char *col, const char *value, struct blob *out)
{
	char ad[SEALED_AD_BYTES];

	out->data = NULL;
	out->len = 0;
	if (value == NULL)
		return 0;
	if (field_ad(email_idx, col, ad, sizeof(ad)) < 0 ||
	    crypto_seal(keys, ad, value, strlen(value), &out->data,
			&out->len) < 0)
		return -GH_INTERNAL;
	return 0;
}

/* The column name in "customer.<col>:<email_idx>" of the customer
 * columns; NULL for the others. */
static const char *
customer_col(enum sealed_col col)
{
	switch (col) {
	case SEALED_CUSTOMER_EMAIL: return "email";
	case SEALED_CUSTOMER_PHONE: return "phone";
	case SEALED_CUSTOMER_DOB: return "dob";
	case SEALED_CUSTOMER_ADDRESS: return "address";
	case SEALED_CUSTOMER_ACCOUNT_NUMBER: return "account_number";
	case SEALED_CUSTOMER_PHRASE: return "phrase";
	case SEALED_CUSTOMER_TOTP: return "totp";
	default: return NULL;
	}
}

int
sealed_ad(enum sealed_col col, const char *ctx, int64_t num, char *ad,
	  size_t adsz)
{
	const char *cc = customer_col(col);
	int n;

	if (cc != NULL)
		return field_ad(ctx, cc, ad, adsz);
	switch (col) {
	case SEALED_STAFF_TOTP: /* core/auth.c, core/accounts.c */
		n = snprintf(ad, adsz, "staff.totp:%s", ctx);
		break;
	case SEALED_FIELD_VALUE:
		n = snprintf(ad, adsz, "customer.field.%lld:%s",
			     (long long)num, ctx);
		break;
	case SEALED_OUTBOX_RECIPIENT: /* core/notify.c, core/mailer.c */
		n = snprintf(ad, adsz, "outbox.recipient:%s", ctx);
		break;
	case SEALED_OUTBOX_PHRASE:
		n = snprintf(ad, adsz, "outbox.phrase:%s", ctx);
		break;
	case SEALED_ATTACHMENT: /* core/attachments_upload.c */
		n = snprintf(ad, adsz, "attachment:%s:%lld", ctx,
			     (long long)num);
		break;
	case SEALED_CHANGE_VALUE: /* core/changes.c chg_value_ad() */
		n = snprintf(ad, adsz, "change.%s", ctx);
		break;
	default:
		return -GH_INTERNAL;
	}
	return n < 0 || (size_t)n >= adsz ? -GH_INTERNAL : 0;
}

int
sealed_phone_index(const struct crypto_keys *keys, const char *phone,
		   char out[CRYPTO_HASH_HEX])
{
	char norm[64];
	size_t n = 0;

	norm[n++] = '+';
	for (const char *p = phone; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			continue;
		if (n == sizeof(norm) - 1)
			return -GH_BAD_FIELD;
		norm[n++] = *p;
	}
	norm[n] = '\0';
	if (n < 2)
		return -GH_BAD_FIELD;
	crypto_index(keys, "customer.phone", norm, n, out);
	crypto_wipe(norm, sizeof(norm));
	return 0;
}

int
sealed_find_by_phone(struct app *app, struct store_conn *c,
		     const char *phone, int64_t *ids, size_t max, size_t *n)
{
	char idx[CRYPTO_HASH_HEX];
	int rc;

	*n = 0;
	rc = sealed_phone_index(app->keys, phone, idx);
	if (rc == 0)
		rc = c->ops->customer_by_phone_idx(c, idx, ids, max, n);
	return rc;
}

struct phone_ctx {
	struct app *app;
	int64_t id;
};

/* Indexes the phone number of customer x->id (a transaction). */
static int
tx_index_phone(struct store_conn *c, void *cls)
{
	struct phone_ctx *x = cls;
	struct customer_personal p;
	char idx[CRYPTO_HASH_HEX];
	char *phone = NULL;
	int rc;

	rc = c->ops->customer_personal(c, x->id, &p);
	if (rc == 0)
		rc = sealed_field_open(x->app->keys, p.email_idx, "phone",
				       &p.phone, &phone);
	if (rc == 0 && phone != NULL)
		rc = sealed_phone_index(x->app->keys, phone, idx);
	crypto_secret_free(phone);
	customer_personal_clear(&p);
	/* A number without digits cannot be indexed; it never was valid. */
	if (rc == -GH_BAD_FIELD)
		return c->ops->customer_set_phone_idx(c, x->id, "");
	if (rc == 0)
		rc = c->ops->customer_set_phone_idx(c, x->id, idx);
	return rc;
}

int
sealed_phone_ensure(struct app *app)
{
	struct store_conn *c = store_acquire(app->store);
	struct phone_ctx x = {app, 0};
	int64_t n = 0, failed = 0;
	int rc;

	for (;;) {
		rc = c->ops->customer_phone_unindexed(c, x.id, &x.id);
		if (rc < 0)
			break;
		/* A number that does not open (logged) stays unindexed. */
		if (store_transact(c, tx_index_phone, &x) == 0)
			n++;
		else
			failed++;
	}
	if (rc == -GH_NOT_FOUND)
		rc = 0;
	if (n > 0 || failed > 0 || rc < 0)
		log_event(rc == 0 && failed == 0 ? LOG_INFO : LOG_ERROR,
			  "phone_index.built",
			  json_pack("{s:I, s:I, s:b}", "customers",
				    (json_int_t)n, "failed", (json_int_t)failed,
				    "ok", rc == 0));
	store_release(app->store, c);
	return rc;
}

/* Appends a field to l (the blob is moved from *sealed). */
static int
pfield_add(struct pfield_list *l, const char *name, const char *cls,
	   int64_t field_id, struct blob *sealed, const char *ad)
{
	struct pfield *v = realloc(l->v, (l->n + 1) * sizeof(*v));

	if (v == NULL)
		return -GH_INTERNAL;
	l->v = v;
	v = &l->v[l->n++];
	memset(v, 0, sizeof(*v));
	snprintf(v->name, sizeof(v->name), "%s", name);
	snprintf(v->cls, sizeof(v->cls), "%s", cls);
	v->field_id = field_id;
	v->sealed = *sealed;
	*sealed = (struct blob){NULL, 0};
	snprintf(v->ad, sizeof(v->ad), "%s", ad);
	return 0;
}

/* The built-in fields of p into l. */
static int
builtin_fields(struct customer_personal *p, struct pfield_list *l)
{
	struct {
		const char *name, *cls;
		enum sealed_col col;
		struct blob *b;
	} f[] = {
		{"email", "C1", SEALED_CUSTOMER_EMAIL, &p->email},
		{"phone", "C1", SEALED_CUSTOMER_PHONE, &p->phone},
		{"dob", "C2", SEALED_CUSTOMER_DOB, &p->dob},
		{"address", "C2", SEALED_CUSTOMER_ADDRESS, &p->address},
		{"account_number", "C2", SEALED_CUSTOMER_ACCOUNT_NUMBER,
		 &p->account_number},
	};
	char ad[SEALED_AD_BYTES];
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < sizeof(f) / sizeof(f[0]); i++) {
		rc = sealed_ad(f[i].col, p->email_idx, 0, ad, sizeof(ad));
		if (rc == 0)
			rc = pfield_add(l, f[i].name, f[i].cls, 0, f[i].b, ad);
	}
	return rc;
}

int
customer_fields(const struct app *app, struct store_conn *c, int64_t customer_id,
		struct pfield_list *out)
{
	struct customer_personal p;
	struct field_value_list vl = {NULL, 0};
	char ad[SEALED_AD_BYTES];
	int rc;

	(void)app;
	memset(out, 0, sizeof(*out));
	rc = c->ops->customer_personal(c, customer_id, &p);
	if (rc < 0)
		return rc;
	rc = builtin_fields(&p, out);
	if (rc == 0)
		rc = c->ops->customer_field_values(c, customer_id, &vl);
	for (size_t i = 0; rc == 0 && i < vl.n; i++) {
		struct field_value *v = &vl.v[i];

		rc = sealed_ad(SEALED_FIELD_VALUE, p.email_idx, v->def.id, ad,
			       sizeof(ad));
		if (rc == 0)
			rc = pfield_add(out, v->def.name, v->def.cls, v->def.id,
					&v->value, ad);
	}
	field_value_list_clear(&vl);
	customer_personal_clear(&p);
	if (rc < 0)
		pfield_list_clear(out);
	return rc;
}

void
pfield_list_clear(struct pfield_list *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		blob_clear(&l->v[i].sealed);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

int
pfield_open(const struct app *app, const struct pfield *f, char **out)
{
	size_t len = 0;

	*out = NULL;
	if (f->sealed.data == NULL)
		return 0;
	if (crypto_open(app->keys, f->ad, f->sealed.data, f->sealed.len, out,
			&len) < 0) {
		*out = NULL;
		LOG_BUG("sealed personal field does not open");
		return -GH_INTERNAL;
	}
	return 0;
}
