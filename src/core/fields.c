/*
 * Custom personal fields (see core/fields.h): names and classes checked,
 * the definition or the sealed value written with its audit record in one
 * transaction. A value is sealed inside the transaction, after the field
 * and the customer are found there, so its associated data names the very
 * rows it is stored with.
 */
#include "core/fields.h"

#include <stdio.h>
#include <string.h>

#include "core/audit.h"
#include "core/auth.h"
#include "core/sealed.h"
#include "util/errors.h"
#include "util/utf8.h"

/* Names a custom field may not take: the built-in fields and the other
 * names the disclosure gate and the API use for a customer. */
static const char *const reserved[] = {
	"email", "phone", "dob", "address", "account_number", "name",
	"phrase", "totp", "password", "id", NULL,
};

int
fields_valid_name(const char *name)
{
	size_t n;

	if (name == NULL)
		return 0;
	n = strlen(name);
	if (n < 1 || n > FIELD_NAME_MAX || name[0] < 'a' || name[0] > 'z')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		      ch == '_'))
			return 0;
	}
	for (size_t i = 0; reserved[i] != NULL; i++)
		if (strcmp(name, reserved[i]) == 0)
			return 0;
	return 1;
}

int
fields_valid_account_number(const char *acct)
{
	size_t n, digits = 0;

	if (acct == NULL)
		return 0;
	n = strlen(acct);
	if (n < 4 || n > 34)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = acct[i];

		if (ch >= '0' && ch <= '9')
			digits++;
		else if (!((ch >= 'A' && ch <= 'Z') ||
			   (ch >= 'a' && ch <= 'z') || ch == ' ' || ch == '-'))
			return 0;
	}
	return digits >= 4;
}

struct create_ctx {
	struct app *app;
	const struct tk_actor *a;
	struct field_def *d;
};

static int
tx_create(struct store_conn *c, void *cls)
{
	struct create_ctx *x = cls;
	char target[48];
	int rc;

	rc = c->ops->field_def_insert(c, x->d, &x->d->id);
	if (rc == -GH_EXISTS)
		return -GH_CONFLICT;
	if (rc < 0)
		return rc;
	snprintf(target, sizeof(target), "field:%lld", (long long)x->d->id);
	return audit_log(x->app, c,
			 &(struct audit_ev){
				 .actor = x->d->created_by,
				 .action = "field.create",
				 .target = target,
				 .outcome = "success",
				 .ip = x->a != NULL ? x->a->ip : NULL,
				 .request_id = x->a != NULL ? x->a->request_id
							    : NULL,
				 .detail = json_pack("{s:s, s:s}", "name",
						     x->d->name, "class",
						     x->d->cls),
			 });
}

int
fields_create(struct app *app, struct store_conn *c,
	      const struct tk_actor *a, const char *name, const char *cls,
	      int64_t now, struct field_def *out, const char **field)
{
	struct create_ctx x = {app, a, out};

	memset(out, 0, sizeof(*out));
	*field = NULL;
	if (a != NULL && !actor_is_admin(a))
		return -GH_FORBIDDEN;
	*field = "name";
	if (!fields_valid_name(name))
		return -GH_BAD_FIELD;
	*field = "class";
	if (cls == NULL || (strcmp(cls, "C1") != 0 && strcmp(cls, "C2") != 0))
		return -GH_BAD_FIELD;
	*field = "name";
	snprintf(out->name, sizeof(out->name), "%s", name);
	snprintf(out->cls, sizeof(out->cls), "%s", cls);
	if (a != NULL)
		actor_label(a, out->created_by, sizeof(out->created_by));
	else
		snprintf(out->created_by, sizeof(out->created_by), "cli");
	out->created_at = now;
	return store_transact(c, tx_create, &x);
}

int
fields_list(struct store_conn *c, struct field_def_list *out)
{
	return c->ops->field_def_list(c, out);
}

struct set_ctx {
	struct app *app;
	const char *actor;
	const char *email_idx;
	const char *field;
	const char *value;
	int64_t now;
	const char **what;
};

/* Finds the customer and the field, seals the value for them, stores it
 * and its audit record. */
static int
tx_set(struct store_conn *c, void *cls)
{
	struct set_ctx *x = cls;
	struct account a;
	struct field_def d;
	struct blob b = {NULL, 0};
	char ad[SEALED_AD_BYTES], target[48];
	int rc;

	*x->what = "customer";
	rc = c->ops->account_by_login(c, REALM_CUSTOMER, x->email_idx, &a);
	account_clear(&a);
	if (rc == 0) {
		*x->what = "field";
		rc = c->ops->field_def_by_name(c, x->field, &d);
	}
	if (rc < 0)
		return rc;
	*x->what = NULL;
	rc = sealed_ad(SEALED_FIELD_VALUE, x->email_idx, d.id, ad, sizeof(ad));
	if (rc == 0 && crypto_seal(x->app->keys, ad, x->value,
				   strlen(x->value), &b.data, &b.len) < 0)
		rc = -GH_INTERNAL;
	if (rc == 0)
		rc = c->ops->customer_field_put(c, a.id, d.id, &b, x->now);
	blob_clear(&b);
	if (rc < 0)
		return rc;
	snprintf(target, sizeof(target), "customer:%lld", (long long)a.id);
	return audit_log(x->app, c,
			 &(struct audit_ev){
				 .actor = x->actor,
				 .action = "customer.field_set",
				 .target = target,
				 .outcome = "success",
				 .detail = json_pack("{s:s, s:s}", "field",
						     d.name, "class", d.cls),
			 });
}

int
fields_set_value(struct app *app, struct store_conn *c, const char *actor,
		 const char *email, const char *field, const char *value,
		 int64_t now, const char **what)
{
	char norm[256], idx[CRYPTO_HASH_HEX];
	struct set_ctx x = {app, actor, idx, field, value, now, what};
	int64_t n;

	*what = "customer";
	if (auth_normalize_email(email, norm, sizeof(norm)) < 0)
		return -GH_NOT_FOUND;
	*what = "field";
	if (!fields_valid_name(field))
		return -GH_NOT_FOUND;
	*what = "value";
	n = value != NULL ? utf8_check(value, strlen(value), 0) : -1;
	if (n < FIELD_VALUE_MIN || n > FIELD_VALUE_MAX)
		return -GH_BAD_FIELD;
	crypto_index(app->keys, "customer.email", norm, strlen(norm), idx);
	return store_transact(c, tx_set, &x);
}
