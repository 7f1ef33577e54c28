/*
 * Optional self sign-up of customers (issue 15, part SELF), off unless
 * `[portal] signup = on`. Two steps: signup_request mails a proof link
 * to the address typed (the same answer whether or not it has an
 * account; nothing is mailed when it has one); the link's page sends the
 * token with the address again, a name and a password (signup_begin,
 * signup_check, signup_finish), which creates the customer without an
 * authenticator and opens a session that may only enrol one, exactly as
 * for a customer invited with `customer add --enroll-in-portal`.
 *
 * The link's store row keeps the token's keyed hash and the address's
 * blind index, never the address; the password's argon2id work runs on
 * the portal's login pool (http/defer.h) as for a login.
 *
 * Invariant: an account is created only for an address whose mail
 * received the link, and only once.
 */
#ifndef GH_CORE_SIGNUP_H
#define GH_CORE_SIGNUP_H

#include <stddef.h>
#include <stdint.h>

#include "core/app.h"
#include "core/auth.h"
#include "store/store.h"

/* 1 when `[portal] signup = on`. */
int signup_enabled(const struct app *app);

/*
 * Step one for the address email: -GH_NOT_FOUND when sign-up is off,
 * -GH_BAD_FIELD for a malformed address, -GH_TOO_MANY_ATTEMPTS (with
 * *retry_after) when the client address asked too often, else 0 whatever
 * exists. Mails a link valid `[portal] reset_minutes` unless the address
 * has an account or got `[portal] reset_mails_per_hour` links in the
 * last hour. Audited "portal.signup.requested" (outcome success, or
 * denied when nothing was mailed).
 */
int signup_request(struct app *app, struct store_conn *c, const char *email,
		   const char *ip, const char *request_id, int64_t now,
		   int64_t *retry_after);

struct signup_req {
	const char *token;
	const char *email;
	const char *name;
	const char *password;
	size_t password_len;
	const char *ip;
	const char *request_id;
};

/* What a finished sign-up gives: the new session (enrolment only), or
 * the field and sentence of a refusal. */
struct signup_result {
	struct login_ok ok;
	const char *field;
	const char *reason;
};

struct signup_job;

/*
 * begin (store): -GH_NOT_FOUND when sign-up is off; the client address's
 * throttle; -GH_LINK_INVALID when the token is unknown, used, expired or
 * was sent to another address. check (no store): the password policy
 * and hash. finish (store): -GH_WEAK_PASSWORD (res->reason),
 * -GH_BAD_FIELD (res->field, res->reason), -GH_EXISTS (the address has
 * an account meanwhile), -GH_LINK_INVALID; or 0: the customer exists, the
 * link is used up, res->ok holds the new enrolment-only session (wipe
 * its token), audited "portal.signup.confirmed".
 */
int signup_begin(struct app *app, struct store_conn *c,
		 const struct signup_req *q, int64_t now,
		 struct signup_job **out, int64_t *retry_after);
void signup_check(struct signup_job *x);
int signup_finish(struct store_conn *c, struct signup_job *x,
		  struct signup_result *res);
void signup_free(struct signup_job *x);

#endif
