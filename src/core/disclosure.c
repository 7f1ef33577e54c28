/*
 * The disclosure gate's rules and the masked view (see core/disclosure.h):
 * the table of built-in personal fields with their classes and masks, the
 * reveal rule, the hourly window and limit, and the view, which opens
 * each sealed field (customer_fields(), core/sealed.h) only to mask it and
 * wipes the clear value at once.
 *
 * Invariant: no clear value leaves this file; the view holds masks only.
 */
#include "core/disclosure.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/disclosure_int.h"
#include "core/sealed.h"
#include "util/errors.h"
#include "util/utf8.h"

/* The built-in fields, in the order of customer_fields() (core/sealed.h). */
static const struct disclosure_field fields[] = {
	{"email", "C1", MASK_EMAIL},
	{"phone", "C1", MASK_PHONE},
	{"dob", "C2", MASK_DATE},
	{"address", "C2", MASK_ADDRESS},
	{"account_number", "C2", MASK_ACCOUNT},
};

#define N_FIELDS (sizeof(fields) / sizeof(fields[0]))

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

enum mask_kind
disclosure_mask_of(const char *name)
{
	const struct disclosure_field *f = disclosure_field_find(name);

	return f != NULL ? f->mask : MASK_OTHER;
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

/* Opens, masks and wipes field f into it. */
static int
mask_one(struct app *app, const struct pfield *f, struct disclosure_item *it)
{
	char *clear = NULL;
	int rc;

	snprintf(it->name, sizeof(it->name), "%s", f->name);
	snprintf(it->cls, sizeof(it->cls), "%s", f->cls);
	it->level = disclosure_class_level(f->cls);
	it->custom = f->field_id > 0;
	rc = pfield_open(app, f, &clear);
	if (rc == 0 && clear != NULL) {
		it->set = 1;
		if (mask_value(disclosure_mask_of(f->name), clear, it->masked,
			       sizeof(it->masked)) < 0)
			rc = -GH_INTERNAL;
	}
	crypto_secret_free(clear);
	return rc;
}

/* The masked items of every field of l into out. */
static int
mask_all(struct app *app, const struct pfield_list *l,
	 struct disclosure_view *out)
{
	int rc = 0;

	out->items = l->n > 0 ? calloc(l->n, sizeof(*out->items)) : NULL;
	if (l->n > 0 && out->items == NULL)
		return -GH_INTERNAL;
	for (size_t i = 0; i < l->n && rc == 0; i++)
		rc = mask_one(app, &l->v[i], &out->items[out->n++]);
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
	return c->ops->disclosure.customer_visible(c, &q, customer_id);
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
	struct pfield_list l = {NULL, 0};
	struct view_audit x = {app, a, customer_id};
	int rc;

	memset(out, 0, sizeof(*out));
	rc = disclosure_may_view(c, a, customer_id);
	if (rc == 0)
		rc = c->ops->disclosure.customer_name(c, customer_id, out->name,
					   sizeof(out->name));
	if (rc == 0)
		rc = customer_fields(app, c, customer_id, &l);
	if (rc == 0)
		rc = mask_all(app, &l, out);
	pfield_list_clear(&l);
	if (rc == 0 && actor_is_supervisor(a))
		rc = store_transact(c, tx_view_audit, &x);
	if (rc < 0) {
		disclosure_view_clear(out);
		return rc;
	}
	out->id = customer_id;
	return 0;
}

void
disclosure_view_clear(struct disclosure_view *v)
{
	if (v == NULL)
		return;
	free(v->items);
	memset(v, 0, sizeof(*v));
}
