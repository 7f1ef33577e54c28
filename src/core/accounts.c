/* Account creation and operator actions on accounts. */
#include "core/accounts.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/audit.h"
#include "core/auth.h"
#include "util/errors.h"
#include "core/fingerprints.h"
#include "core/password.h"
#include "core/throttle.h"
#include "core/tickets.h"
#include "util/utf8.h"

static int
valid_text(const char *s, int64_t lo, int64_t hi)
{
	int64_t n = utf8_check(s, strlen(s), 0);

	return n >= lo && n <= hi;
}

static int
valid_phone(const char *p)
{
	size_t digits = 0;

	if (p[0] != '+')
		return 0;
	for (const char *q = p + 1; *q; q++) {
		if (isdigit((unsigned char)*q))
			digits++;
		else if (*q != ' ' && *q != '-')
			return 0;
	}
	return digits >= 7 && digits <= 15;
}

static int
valid_date(const char *d)
{
	struct tm tm;
	char *end;
	time_t now = time(NULL);

	memset(&tm, 0, sizeof(tm));
	if (strlen(d) != 10)
		return 0;
	end = strptime(d, "%Y-%m-%d", &tm);
	if (end == NULL || *end != '\0')
		return 0;
	/* Round-trip rejects 2023-02-30. */
	{
		struct tm copy = tm;
		char back[11];

		copy.tm_isdst = -1;
		if (timegm(&copy) == (time_t)-1)
			return 0;
		strftime(back, sizeof(back), "%Y-%m-%d", &copy);
		if (strcmp(back, d) != 0)
			return 0;
		if (timegm(&copy) > now || tm.tm_year < 0)
			return 0;
	}
	return 1;
}

struct create_ctx {
	struct app *app;
	const struct account_new *in;
	const char *email;
	const char *email_idx;
	const char *pw_hash;
	struct blob seed, email_sealed, phone, dob, address;
	int64_t id;
};

static int
seal_field(struct app *app, const char *email_idx, const char *col,
	   const char *value, struct blob *out)
{
	char ad[160];

	out->data = NULL;
	out->len = 0;
	if (value == NULL)
		return 0;
	snprintf(ad, sizeof(ad), "customer.%s:%s", col, email_idx);
	return crypto_seal(app->keys, ad, value, strlen(value), &out->data,
			   &out->len) == 0
		       ? 0
		       : -GH_INTERNAL;
}

static int
tx_create(struct store_conn *c, void *cls)
{
	struct create_ctx *x = cls;
	char target[48];
	int rc;

	if (x->in->realm == REALM_STAFF) {
		struct staff_new s = {x->email, x->in->name, x->in->role,
				      x->pw_hash, x->seed};
		rc = c->ops->staff_insert(c, &s, &x->id);
		if (rc == 0 && x->in->n_queues > 0)
			rc = tickets_staff_set_queues_tx(x->app, c,
							 x->in->actor, x->id,
							 x->in->queues,
							 x->in->n_queues);
	} else {
		struct customer_new s = {
			.email_idx = x->email_idx,
			.email = x->email_sealed,
			.name = x->in->name,
			.phone = x->phone,
			.dob = x->dob,
			.address = x->address,
			.pw_hash = x->pw_hash,
			.totp_seed = x->seed,
			.totp_enrolled = !x->in->enroll_in_portal,
		};
		rc = c->ops->customer_insert(c, &s, &x->id);
		/* The fingerprint index of this customer's values, for the
		 * outbound filter of other customers' replies. */
		if (rc == 0)
			rc = fingerprints_add_customer(x->app, c, x->id,
						       x->email, x->in->phone,
						       x->in->dob,
						       x->in->address);
	}
	if (rc < 0)
		return rc;
	snprintf(target, sizeof(target), "%s:%lld", realm_name(x->in->realm),
		 (long long)x->id);
	return audit_log(x->app, c,
			 &(struct audit_ev){
				 .actor = x->in->actor,
				 .action = x->in->realm == REALM_STAFF
						   ? "staff.create"
						   : "customer.create",
				 .target = target,
				 .outcome = "success",
				 .detail = x->in->realm == REALM_STAFF
						   ? json_pack("{s:s}", "role",
							       x->in->role)
						   : NULL,
			 });
}

int
accounts_create(struct app *app, struct store_conn *c,
		const struct account_new *in, struct account_created *out,
		const char **field, const char **reason)
{
	char email[256];
	char idx[CRYPTO_HASH_HEX] = "";
	char local[256];
	char pw_hash[CRYPTO_PWHASH_BYTES];
	unsigned char secret[TOTP_SECRET_BYTES];
	const char *context[8];
	size_t n_ctx = 0;
	char *norm = NULL;
	size_t norm_len = 0;
	struct create_ctx x;
	char ad[300];
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&x, 0, sizeof(x));
	*field = NULL;
	*reason = NULL;

	*field = "email";
	if (auth_normalize_email(in->email, email, sizeof(email)) < 0) {
		*reason = "This is not a valid e-mail address.";
		return -GH_BAD_FIELD;
	}
	*field = "name";
	if (in->name == NULL || !valid_text(in->name, 1, 100)) {
		*reason = "A name of 1 to 100 characters is required.";
		return -GH_BAD_FIELD;
	}
	if (in->realm == REALM_STAFF) {
		*field = "role";
		if (in->role == NULL || (strcmp(in->role, "agent") != 0 &&
					 strcmp(in->role, "supervisor") != 0 &&
					 strcmp(in->role, "admin") != 0)) {
			*reason = "The role must be agent, supervisor or admin.";
			return -GH_BAD_FIELD;
		}
	} else {
		*field = "phone";
		if (in->phone != NULL && !valid_phone(in->phone)) {
			*reason = "The phone number must be in international "
				  "form, e.g. +44 20 7946 0000.";
			return -GH_BAD_FIELD;
		}
		*field = "dob";
		if (in->dob != NULL && !valid_date(in->dob)) {
			*reason = "The date of birth must be a past date "
				  "written YYYY-MM-DD.";
			return -GH_BAD_FIELD;
		}
		*field = "address";
		if (in->address != NULL && !valid_text(in->address, 1, 300)) {
			*reason = "The address must be 1 to 300 characters.";
			return -GH_BAD_FIELD;
		}
	}

	*field = "password";
	rc = password_normalize(in->password, in->password_len, &norm,
				&norm_len);
	if (rc < 0) {
		*reason = "The password must be valid text of at most 256 "
			  "characters.";
		return -GH_WEAK_PASSWORD;
	}
	snprintf(local, sizeof(local), "%s", email);
	local[strcspn(local, "@")] = '\0';
	context[n_ctx++] = local;
	context[n_ctx++] = in->name;
	context[n_ctx++] = app->cfg.company_name;
	context[n_ctx++] = "gatehouse";
	context[n_ctx] = NULL;
	rc = password_check(&app->pw_policy, norm, context, reason);
	if (rc < 0)
		goto out;
	rc = -GH_INTERNAL;
	if (crypto_pw_hash(norm, norm_len, &app->pw_params, pw_hash) < 0)
		goto out;
	*field = NULL;

	x.app = app;
	x.in = in;
	x.email = email;
	x.pw_hash = pw_hash;
	if (in->realm == REALM_CUSTOMER) {
		crypto_index(app->keys, "customer.email", email, strlen(email),
			     idx);
		x.email_idx = idx;
		if (seal_field(app, idx, "email", email, &x.email_sealed) < 0 ||
		    seal_field(app, idx, "phone", in->phone, &x.phone) < 0 ||
		    seal_field(app, idx, "dob", in->dob, &x.dob) < 0 ||
		    seal_field(app, idx, "address", in->address, &x.address) < 0)
			goto out;
	}
	totp_secret_new(secret);
	snprintf(ad, sizeof(ad), "%s.totp:%s", realm_name(in->realm),
		 in->realm == REALM_STAFF ? email : idx);
	if (crypto_seal(app->keys, ad, secret, sizeof(secret), &x.seed.data,
			&x.seed.len) < 0)
		goto out;
	rc = store_transact(c, tx_create, &x);
	if (rc == -GH_EXISTS) {
		*field = "email";
		*reason = "An account with this e-mail already exists.";
		goto out;
	}
	if (rc < 0)
		goto out;
	out->id = x.id;
	if (in->enroll_in_portal) {
		rc = 0;
		goto out;
	}
	rc = -GH_INTERNAL;
	if (totp_secret_base32(secret, sizeof(secret), out->totp_secret,
			       sizeof(out->totp_secret)) < 0)
		goto out;
	{
		char account[300];

		snprintf(account, sizeof(account), "%s", email);
		out->otpauth_uri = totp_uri(app->cfg.company_name, account,
					    out->totp_secret);
	}
	if (out->otpauth_uri == NULL)
		goto out;
	rc = 0;
out:
	crypto_secret_free(norm);
	crypto_wipe(secret, sizeof(secret));
	crypto_wipe(pw_hash, sizeof(pw_hash));
	blob_clear(&x.seed);
	blob_clear(&x.email_sealed);
	blob_clear(&x.phone);
	blob_clear(&x.dob);
	blob_clear(&x.address);
	return rc;
}

struct op_ctx {
	struct app *app;
	enum realm realm;
	const char *email;
	const char *login;
	int disabled;
	const char *actor;
	int unlock;
};

static int
tx_op(struct store_conn *c, void *cls)
{
	struct op_ctx *o = cls;
	struct account a;
	char key[80];
	char target[48];
	int64_t n = 0;
	int rc;

	rc = c->ops->account_by_login(c, o->realm, o->login, &a);
	if (rc < 0)
		return rc;
	snprintf(target, sizeof(target), "%s:%lld", realm_name(o->realm),
		 (long long)a.id);
	account_clear(&a);
	if (o->unlock) {
		throttle_account_key(o->app, o->realm, o->email, key,
				     sizeof(key));
		rc = throttle_clear(c, key);
	} else {
		rc = c->ops->account_set_disabled(c, o->realm, a.id,
						  o->disabled);
		if (rc == 0 && o->disabled)
			rc = c->ops->session_delete_principal(c, o->realm, a.id,
							      &n);
	}
	if (rc < 0)
		return rc;
	return audit_log(o->app, c,
			 &(struct audit_ev){
				 .actor = o->actor,
				 .action = o->unlock ? "account.unlock"
					   : o->disabled ? "account.disable"
							 : "account.enable",
				 .target = target,
				 .outcome = "success",
				 .detail = o->unlock ? NULL
						     : json_pack("{s:I}",
								 "sessions_ended",
								 (json_int_t)n),
			 });
}

static int
account_op(struct app *app, struct store_conn *c, enum realm realm,
	   const char *email_in, int unlock, int disabled, const char *actor)
{
	char email[256];
	char login[CRYPTO_HASH_HEX > 256 ? CRYPTO_HASH_HEX : 256];
	struct op_ctx o;

	if (auth_normalize_email(email_in, email, sizeof(email)) < 0)
		return -GH_BAD_FIELD;
	if (realm == REALM_CUSTOMER)
		crypto_index(app->keys, "customer.email", email, strlen(email),
			     login);
	else
		snprintf(login, sizeof(login), "%s", email);
	o = (struct op_ctx){app, realm, email, login, disabled, actor, unlock};
	return store_transact(c, tx_op, &o);
}

int
accounts_unlock(struct app *app, struct store_conn *c, enum realm realm,
		const char *email, const char *actor)
{
	return account_op(app, c, realm, email, 1, 0, actor);
}

int
accounts_set_disabled(struct app *app, struct store_conn *c, enum realm realm,
		      const char *email, int disabled, const char *actor)
{
	return account_op(app, c, realm, email, 0, disabled, actor);
}
