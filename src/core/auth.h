/*
 * Login with password and TOTP, for staff and customers alike. Every
 * failure (unknown account, wrong password, wrong or replayed code,
 * disabled account) answers the same -GH_LOGIN_FAILED after the same work
 * (an argon2id verification against a dummy hash when no account exists);
 * the real reason goes only to the audit log. Throttling happens before any
 * work is done, per account and per source address (core/throttle.h).
 */
#ifndef GH_CORE_AUTH_H
#define GH_CORE_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "core/app.h"
#include "store/store.h"

struct login_req {
	enum realm realm;
	const char *email;
	const char *password;
	size_t password_len;
	const char *code;
	const char *ip;
	const char *request_id;
	/* Customers (issue 15 SELF): a recovery code instead of code; the
	 * session then may only enrol a new authenticator
	 * (core/recovery.h). NULL: none. */
	const char *recovery_code;
};

struct login_ok {
	int64_t id;
	/* The account has no active authenticator yet: the session is a
	 * password-only one that may only enrol (auth_enroll_*). */
	int enrollment_required;
	/* Staff who must log in with a passkey and have none (issue 17):
	 * the session (method "password_enrol") may only enrol one. */
	int passkey_enrollment_required;
	char role[16];
	char token[CRYPTO_TOKEN_CHARS + 1];
	char csrf[CRYPTO_TOKEN_CHARS + 1];
};

/*
 * Returns 0 with *out filled (a new session exists), -GH_LOGIN_FAILED,
 * -GH_TOO_MANY_ATTEMPTS with *retry_after in seconds, or a store error.
 * Wipe out->token after use.
 */
int auth_login(struct app *app, struct store_conn *c,
	       const struct login_req *req, struct login_ok *out,
	       int64_t *retry_after);

/*
 * auth_login in three steps, so that the slow one (argon2id) can run on a
 * worker pool with no database connection held:
 *   auth_login_begin   (store) names and reserves the attempt on the
 *                      throttle (before any hash), loads the account: 0
 *                      with *out, or the errors of auth_login;
 *   auth_login_check   (no store, slow) checks password and code;
 *   auth_login_finish  (store) writes the outcome: the results of
 *                      auth_login, *out filled on 0;
 *   auth_login_free    wipes and frees the attempt (NULL is a no-op).
 * The strings of req must outlive the attempt. Each step runs once, in
 * this order; the attempt may move between threads between steps.
 */
struct auth_attempt;
int auth_login_begin(struct app *app, struct store_conn *c,
		     const struct login_req *req, struct auth_attempt **out,
		     int64_t *retry_after);
void auth_login_check(struct auth_attempt *a);
int auth_login_finish(struct store_conn *c, struct auth_attempt *a,
		      struct login_ok *out);
void auth_login_free(struct auth_attempt *a);

/*
 * Authenticator enrolment for an account created without one (customers
 * invited with `customer add --enroll-in-portal`). auth_enroll_begin makes
 * a new secret (replacing any unconfirmed one) and returns its base32 form
 * (secret_out, TOTP_B32_CHARS + 1), the otpauth URI and a QR code SVG
 * (both malloc'd; caller frees). -GH_BAD_STATE when already enrolled.
 * auth_enroll_confirm checks a code from the new secret, activates it,
 * ends the password-only session and opens a full one (out). Wrong codes
 * count as login failures: -GH_BAD_CODE or -GH_TOO_MANY_ATTEMPTS.
 */
int auth_enroll_begin(struct app *app, struct store_conn *c, enum realm realm,
		      int64_t id, const char *ip, const char *request_id,
		      char *secret_out, char **uri_out, char **svg_out);
int auth_enroll_confirm(struct app *app, struct store_conn *c,
			enum realm realm, int64_t id, const char *token_hash,
			const char *code, const char *ip,
			const char *request_id, struct login_ok *out,
			int64_t *retry_after);

/* Ends the session with token_hash, auditing it. */
int auth_logout(struct app *app, struct store_conn *c, enum realm realm,
		int64_t id, const char *token_hash, const char *ip,
		const char *request_id);

/*
 * Canonical form of an e-mail address for look-ups: trimmed, lower-case
 * ASCII, one '@' with text on both sides, 3..254 bytes, no spaces or
 * control characters. 0 or -GH_BAD_FIELD.
 */
int auth_normalize_email(const char *in, char *out, size_t outsz);

#endif
