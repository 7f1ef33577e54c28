/*
 * Creating staff members and customers: validation of every field, the
 * password policy, a new TOTP secret (sealed at rest), personal fields
 * sealed and the customer's e-mail and phone number findable only through
 * their blind indexes, and the audit record, all in one transaction.
 */
#ifndef GH_CORE_ACCOUNTS_H
#define GH_CORE_ACCOUNTS_H

#include <stddef.h>
#include <stdint.h>

#include "core/app.h"
#include "crypto/totp.h"
#include "store/store.h"

struct account_new {
	enum realm realm;
	const char *email;
	const char *name;
	const char *role;    /* staff: agent|supervisor|admin */
	const char *phone;   /* customer, optional: E.164 "+4930..." */
	const char *dob;     /* customer, optional: YYYY-MM-DD */
	const char *address; /* customer, optional */
	/* customer, optional: class C2, sealed; changed later only through
	 * a change request (core/fields.h states the rule) */
	const char *account_number;
	const char *password;
	size_t password_len;
	/* Or the password already checked against the policy and hashed
	 * (argon2id, encoded) off the server thread by the caller (self
	 * sign-up, core/signup.h): password is then not read. */
	const char *pw_hash;
	const char *actor;   /* who creates it, for the audit log */
	/* Customer enrols an authenticator at first portal login instead of
	 * receiving a secret now (out->totp_secret stays empty). */
	int enroll_in_portal;
	/* Staff: the queues they are a member of, set in the transaction
	 * that creates the account (none: the store's default, general). */
	const char *const *queues;
	size_t n_queues;
	/* Optional: the caller's own writes, run in the transaction that
	 * creates the account once it has its id (self sign-up: the link
	 * used, the first session, the audit record), so that they and the
	 * account are written together or not at all. An error rolls the
	 * account back and is returned. */
	int (*in_tx)(struct store_conn *c, int64_t id, void *cls);
	void *in_tx_cls;
};

struct account_created {
	int64_t id;
	char totp_secret[TOTP_B32_CHARS + 1];
	char *otpauth_uri; /* malloc'd; caller frees */
};

/*
 * Creates the account. On a policy or validation failure returns the error
 * (-GH_WEAK_PASSWORD, -GH_BAD_FIELD, -GH_EXISTS) with *reason and *field
 * set to static text. Wipe out->totp_secret after use.
 */
int accounts_create(struct app *app, struct store_conn *c,
		    const struct account_new *in, struct account_created *out,
		    const char **field, const char **reason);

/* 1 when p is a phone number in international form ("+" and 7 to 15
 * digits, spaces and hyphens allowed), the rule for every stored phone
 * number (account creation, account changes). */
int accounts_valid_phone(const char *p);

/* Clears the throttle lock of an account (`unlock`), audited. */
int accounts_unlock(struct app *app, struct store_conn *c, enum realm realm,
		    const char *email, const char *actor);

/* Disables or enables an account and ends all its sessions, audited.
 * -GH_LAST_ADMIN when it would disable the last active administrator. */
int accounts_set_disabled(struct app *app, struct store_conn *c,
			  enum realm realm, const char *email, int disabled,
			  const char *actor);

#endif
