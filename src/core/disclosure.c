/*
 * The disclosure gate's rules and the masked view (see core/disclosure.h):
 * the table of personal fields with their classes, the reveal rule, the
 * hourly window and limit, and the view, which opens each sealed field
 * only to mask it and wipes the clear value at once.
 *
 * Invariant: no clear value leaves this file; the view holds masks only.
 */
#include "core/disclosure.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/disclosure_int.h"
#include "core/sealed.h"
#include "util/errors.h"
#include "util/utf8.h"

#define SEALED(f) offsetof(struct customer_sealed, f)

/* The sealed column of each field is its name (core/sealed.h). */
static const struct disclosure_field fields[] = {
	{"email", "C1", 1, MASK_EMAIL, SEALED(email)},
	{"phone", "C1", 1, MASK_PHONE, SEALED(phone)},
	{"dob", "C2", 2, MASK_DATE, SEALED(dob)},
	{"address", "C2", 2, MASK_ADDRESS, SEALED(address)},
};

#define N_FIELDS (sizeof(fields) / sizeof(fields[0]))

_Static_assert(N_FIELDS <= DISCLOSURE_FIELDS_MAX, "view too small");

const struct disclosure_field *
disclosure_field_find(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < N_FIELDS; i++)
		if (strcmp(fields[i].name, name) == 0)
			return &fields[i];
	return NULL;
}

const struct disclosure_field *
disclosure_fields(size_t *n)
{
	*n = N_FIELDS;
	return fields;
}

int
disclosure_class_level(const char *cls)
{
	if (cls != NULL && strcmp(cls, "C1") == 0)
		return 1;
	if (cls != NULL && strcmp(cls, "C2") == 0)
		return 2;
	return 0;
}

int
disclosure_rule(int needed, int held, int staff_mfa)
{
	if (!staff_mfa || needed < 1 || held < needed)
		return -GH_VERIFICATION_REQUIRED;
	return 0;
}

int64_t
disclosure_window_start(int64_t now, int64_t cleared_at)
{
	int64_t start = now - DISCLOSURE_WINDOW_SECONDS;

	return cleared_at > start ? cleared_at : start;
}

int
disclosure_quota(int64_t count, int64_t per_hour)
{
	return count < per_hour ? 0 : -GH_REVEALS_LOCKED;
}

int
disclosure_reason_check(const char *reason)
{
	int64_t n;

	if (reason == NULL)
		return -GH_BAD_FIELD;
	n = utf8_check(reason, strlen(reason), 0);
	if (n < 0)
		return -GH_BAD_UTF8;
	if (n < DISCLOSURE_REASON_MIN || n > DISCLOSURE_REASON_MAX)
		return -GH_BAD_FIELD;
	return 0;
}

/* The sealed blob of field f in cs. */
static const struct blob *
sealed_blob(const struct customer_sealed *cs, const struct disclosure_field *f)
{
	return (const struct blob *)((const char *)cs + f->offset);
}

/* Opens, masks and wipes each field of cs into out. */
static int
mask_all(struct app *app, const struct customer_sealed *cs,
	 struct disclosure_view *out)
{
	int rc = 0;

	for (size_t i = 0; i < N_FIELDS && rc == 0; i++) {
		struct disclosure_item *it = &out->items[out->n++];
		char *clear = NULL;

		it->field = &fields[i];
		rc = sealed_field_open(app->keys, cs->email_idx,
				       fields[i].name,
				       sealed_blob(cs, &fields[i]), &clear);
		if (rc == 0 && clear != NULL) {
			it->set = 1;
			if (mask_value(fields[i].mask, clear, it->masked,
				       sizeof(it->masked)) < 0)
				rc = -GH_INTERNAL;
		}
		crypto_secret_free(clear);
	}
	return rc;
}

int
disclosure_may_view(struct store_conn *c, const struct tk_actor *a,
		    int64_t customer_id)
{
	struct ticket_query q;

	if (!actor_is_staff(a))
		return -GH_FORBIDDEN;
	actor_ticket_query(a, &q);
	return c->ops->customer_visible(c, &q, customer_id);
}

struct view_audit {
	struct app *app;
	const struct tk_actor *a;
	int64_t customer_id;
};

static int
tx_view_audit(struct store_conn *c, void *cls)
{
	struct view_audit *x = cls;

	return actor_audit(x->app, c, x->a, "customer.view", "customer",
			   x->customer_id, "success", NULL);
}

int
disclosure_view(struct app *app, struct store_conn *c,
		const struct tk_actor *a, int64_t customer_id,
		struct disclosure_view *out)
{
	struct customer_sealed cs;
	struct view_audit x = {app, a, customer_id};
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&cs, 0, sizeof(cs));
	rc = disclosure_may_view(c, a, customer_id);
	if (rc == 0)
		rc = c->ops->customer_name(c, customer_id, out->name,
					   sizeof(out->name));
	if (rc == 0)
		rc = c->ops->customer_sealed_get(c, customer_id, &cs);
	if (rc == 0)
		rc = mask_all(app, &cs, out);
	customer_sealed_clear(&cs);
	if (rc == 0 && actor_is_supervisor(a))
		rc = store_transact(c, tx_view_audit, &x);
	if (rc < 0) {
		memset(out, 0, sizeof(*out));
		return rc;
	}
	out->id = customer_id;
	return 0;
}
