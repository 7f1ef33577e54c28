/*
 * Account creation and operator actions on accounts (see
 * core/accounts.h). Every field is checked and the password is hashed
 * before the transaction; the account, its sealed fields, its queues or
 * fingerprints and its audit record are written in one transaction, so
 * an account never exists half made. Secrets are wiped as soon as they
 * are no longer needed, whatever the outcome.
 */
#include "core/accounts.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/audit.h"
#include "core/auth.h"
#include "util/errors.h"
#include "core/fields.h"
#include "core/fingerprints.h"
#include "core/password.h"
#include "core/sealed.h"
#include "core/staffadmin.h"
#include "core/throttle.h"
#include "core/tickets.h"
#include "util/utf8.h"

static int
valid_text(const char *s, int64_t lo, int64_t hi)
{
	int64_t n = utf8_check(s, strlen(s), 0);

	return n >= lo && n <= hi;
}

int
accounts_valid_phone(const char *p)
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
	char email[256];             /* normalised */
	char email_idx[CRYPTO_HASH_HEX];
	char pw_hash[CRYPTO_PWHASH_BYTES];
	char phone_idx[CRYPTO_HASH_HEX];
	unsigned char secret[TOTP_SECRET_BYTES];
	struct blob seed, email_sealed, phone, dob, address, account_number;
	int64_t id;
};

/* Every field but the password, with the reason in plain words. */
static int
check_fields(const struct account_new *in, char *email, size_t emailsz,
	     const char **field, const char **reason)
{
	*field = "email";
	if (auth_normalize_email(in->email, email, emailsz) < 0) {
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
			*reason = "The role must be agent, supervisor or "
				  "admin.";
			return -GH_BAD_FIELD;
		}
		return 0;
	}
	*field = "phone";
	if (in->phone != NULL && !accounts_valid_phone(in->phone)) {
		*reason = "The phone number must be in international form, "
			  "e.g. +44 20 7946 0000.";
		return -GH_BAD_FIELD;
	}
	*field = "dob";
	if (in->dob != NULL && !valid_date(in->dob)) {
		*reason = "The date of birth must be a past date written "
			  "YYYY-MM-DD.";
		return -GH_BAD_FIELD;
	}
	*field = "address";
	if (in->address != NULL && !valid_text(in->address, 1, 300)) {
		*reason = "The address must be 1 to 300 characters.";
		return -GH_BAD_FIELD;
	}
	*field = "account_number";
	if (in->account_number != NULL &&
	    !fields_valid_account_number(in->account_number)) {
		*reason = "The account number must be 4 to 34 letters, digits, "
			  "spaces or hyphens, with at least 4 digits.";
		return -GH_BAD_FIELD;
	}
	return 0;
}

/* The password: normalised, checked against the policy with the
 * account's own words as context, hashed into x->pw_hash. */
static int
hash_password(struct create_ctx *x, const char **reason)
{
	const struct account_new *in = x->in;
	const char *context[5];
	char local[256];
	char *norm = NULL;
	size_t norm_len = 0;
	int rc;

	rc = password_normalize(in->password, in->password_len, &norm,
				&norm_len);
	if (rc < 0) {
		*reason = "The password must be valid text of at most 256 "
			  "characters.";
		return -GH_WEAK_PASSWORD;
	}
	snprintf(local, sizeof(local), "%s", x->email);
	local[strcspn(local, "@")] = '\0';
	context[0] = local;
	context[1] = in->name;
	context[2] = x->app->cfg.company_name;
	context[3] = "gatehouse";
	context[4] = NULL;
	rc = password_check(&x->app->pw_policy, norm, context, reason);
	if (rc == 0 && crypto_pw_hash(norm, norm_len, &x->app->pw_params,
				      x->pw_hash) < 0)
		rc = -GH_INTERNAL;
	crypto_secret_free(norm);
	return rc;
}

/* A customer's e-mail blind index and sealed personal fields, and a new
 * TOTP secret sealed for either realm. */
static int
seal_secrets(struct create_ctx *x)
{
	const struct crypto_keys *keys = x->app->keys;
	const struct account_new *in = x->in;
	char ad[300];

	if (in->realm == REALM_CUSTOMER) {
		const char *idx = x->email_idx;

		crypto_index(keys, "customer.email", x->email,
			     strlen(x->email), x->email_idx);
		if (sealed_field_seal(keys, idx, "email", x->email,
				      &x->email_sealed) < 0 ||
		    sealed_field_seal(keys, idx, "phone", in->phone,
				      &x->phone) < 0 ||
		    sealed_field_seal(keys, idx, "dob", in->dob, &x->dob) < 0 ||
		    sealed_field_seal(keys, idx, "address", in->address,
				      &x->address) < 0 ||
		    sealed_field_seal(keys, idx, "account_number",
				      in->account_number,
				      &x->account_number) < 0)
			return -GH_INTERNAL;
		if (in->phone != NULL &&
		    sealed_phone_index(keys, in->phone, x->phone_idx) < 0)
			return -GH_INTERNAL;
	}
	totp_secret_new(x->secret);
	snprintf(ad, sizeof(ad), "%s.totp:%s", realm_name(in->realm),
		 in->realm == REALM_STAFF ? x->email : x->email_idx);
	if (crypto_seal(keys, ad, x->secret, sizeof(x->secret), &x->seed.data,
			&x->seed.len) < 0)
		return -GH_INTERNAL;
	return 0;
}

static int
insert_account(struct store_conn *c, struct create_ctx *x)
{
	const struct account_new *in = x->in;
	int rc;

	if (in->realm == REALM_STAFF) {
		struct staff_new s = {x->email, in->name, in->role, x->pw_hash,
				      x->seed};

		rc = c->ops->staff_insert(c, &s, &x->id);
		if (rc == 0 && in->n_queues > 0)
			rc = tickets_staff_set_queues_tx(x->app, c, in->actor,
							 x->id, in->queues,
							 in->n_queues);
		return rc;
	}
	rc = c->ops->customer_insert(c,
				     &(struct customer_new){
					     .email_idx = x->email_idx,
					     .email = x->email_sealed,
					     .name = in->name,
					     .phone = x->phone,
					     .dob = x->dob,
					     .address = x->address,
					     .pw_hash = x->pw_hash,
					     .totp_seed = x->seed,
					     .totp_enrolled =
						     !in->enroll_in_portal,
				     },
				     &x->id);
	if (rc == 0 && x->account_number.data != NULL)
		rc = c->ops->customer_set_account_number(c, x->id,
							 &x->account_number);
	if (rc == 0 && in->phone != NULL)
		rc = c->ops->customer_set_phone_idx(c, x->id, x->phone_idx);
	/* The fingerprint index of this customer's values, for the outbound
	 * filter of other customers' replies. */
	if (rc == 0)
		rc = fingerprints_add_customer(x->app->keys, c, x->id,
					       x->email, in->phone, in->dob,
					       in->address);
	return rc;
}

static int
tx_create(struct store_conn *c, void *cls)
{
	struct create_ctx *x = cls;
	char target[48];
	int staff = x->in->realm == REALM_STAFF;
	int rc;

	rc = insert_account(c, x);
	if (rc == 0 && x->in->in_tx != NULL)
		rc = x->in->in_tx(c, x->id, x->in->in_tx_cls);
	if (rc < 0)
		return rc;
	snprintf(target, sizeof(target), "%s:%lld", realm_name(x->in->realm),
		 (long long)x->id);
	return audit_log(x->app, c,
			 &(struct audit_ev){
				 .actor = x->in->actor,
				 .action = staff ? "staff.create"
						 : "customer.create",
				 .target = target,
				 .outcome = "success",
				 .detail = staff ? json_pack("{s:s}", "role",
							     x->in->role)
						 : NULL,
			 });
}

/* The new account's authenticator secret for the operator: base32 and an
 * otpauth:// URI. */
static int
totp_out(const struct create_ctx *x, struct account_created *out)
{
	if (totp_secret_base32(x->secret, sizeof(x->secret), out->totp_secret,
			       sizeof(out->totp_secret)) < 0)
		return -GH_INTERNAL;
	out->otpauth_uri = totp_uri(x->app->cfg.company_name, x->email,
				    out->totp_secret);
	return out->otpauth_uri != NULL ? 0 : -GH_INTERNAL;
}

static void
create_clear(struct create_ctx *x)
{
	crypto_wipe(x->secret, sizeof(x->secret));
	crypto_wipe(x->pw_hash, sizeof(x->pw_hash));
	blob_clear(&x->seed);
	blob_clear(&x->email_sealed);
	blob_clear(&x->phone);
	blob_clear(&x->dob);
	blob_clear(&x->address);
	blob_clear(&x->account_number);
}

int
accounts_create(struct app *app, struct store_conn *c,
		const struct account_new *in, struct account_created *out,
		const char **field, const char **reason)
{
	struct create_ctx x;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&x, 0, sizeof(x));
	x.app = app;
	x.in = in;
	*field = NULL;
	*reason = NULL;
	rc = check_fields(in, x.email, sizeof(x.email), field, reason);
	if (rc < 0)
		return rc;
	*field = "password";
	if (in->pw_hash != NULL)
		snprintf(x.pw_hash, sizeof(x.pw_hash), "%s", in->pw_hash);
	else
		rc = hash_password(&x, reason);
	if (rc == 0) {
		*field = NULL;
		rc = seal_secrets(&x);
	}
	if (rc == 0)
		rc = store_transact(c, tx_create, &x);
	if (rc == -GH_EXISTS) {
		*field = "email";
		*reason = "An account with this e-mail already exists.";
	}
	if (rc == 0)
		out->id = x.id;
	if (rc == 0 && !in->enroll_in_portal)
		rc = totp_out(&x, out);
	create_clear(&x);
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
	/* Never the last active administrator (core/staffadmin.h). */
	rc = !o->unlock && o->disabled && o->realm == REALM_STAFF
		     ? staffadmin_check_last_admin(c, &a)
		     : 0;
	account_clear(&a);
	if (rc < 0)
		return rc;
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
