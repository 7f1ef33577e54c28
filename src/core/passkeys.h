/*
 * Passkeys (WebAuthn, issue 17) for staff and customers: the ceremonies'
 * options and outcomes around the verifier (crypto/webauthn.h), the
 * credentials an account holds, the login with one, and the staff policy
 * (supervisors and admins, and agents under [auth] staff_passkeys =
 * required, must log in with a passkey).
 *
 * What is here and not in the verifier: the challenge's draw (crypto
 * random, 32 bytes), single use, binding (a session's token hash for a
 * registration, a verification for GATE's approval) and 2-minute life;
 * finding the stored credential and its account; the credential id's
 * uniqueness; the sign count and its regression; the audit records.
 *
 * Challenges are stored only as a keyed hash (crypto_index, domain
 * "passkey.challenge", over the base64url text): a copy of the database
 * gives none. Nothing here logs a challenge, a token or a whole
 * credential id or public key.
 *
 * Credentials in: the WebAuthn L3 JSON forms (RegistrationResponseJSON,
 * AuthenticationResponseJSON) as jansson objects, checked strictly here
 * (types, base64url, bounds; unknown members of `response` and
 * `clientExtensionResults` ignored, others refused): -GH_BAD_FIELD with
 * *field naming the member ("credential.response.signature").
 */
#ifndef GH_CORE_PASSKEYS_H
#define GH_CORE_PASSKEYS_H

#include <jansson.h>
#include <stdint.h>

#include "core/app.h"
#include "core/auth.h"
#include "crypto/webauthn.h"
#include "store/store.h"

/* A ceremony's life (seconds) and the options' timeout (ms). */
#define PASSKEY_CHALLENGE_SECS 120
#define PASSKEY_TIMEOUT_MS 120000
/* Passkeys an account may hold; open registration challenges a session. */
#define PASSKEY_MAX_PER_ACCOUNT 10
#define PASSKEY_OPEN_CHALLENGES 5

/* Who acts on their own passkeys: the session's account. token_hash is
 * the session's (registration challenges are bound to it). */
struct pk_who {
	enum realm realm;
	int64_t id;
	const char *role;       /* staff role; "" or NULL for customers */
	const char *token_hash;
	const char *ip;
	const char *request_id;
};

/* 1 when a staff member of role must log in with a passkey: supervisors
 * and admins always, agents when [auth] staff_passkeys = required; 0 for
 * customers (role "" or NULL) and other roles. */
int passkey_role_required(const struct app *app, const char *role);

/* How many of the account's passkeys can log in (not flagged for a
 * counter regression): the last-passkey rule and the staff policy count
 * only these. 0 or a store error. */
int passkey_usable_count(struct store_conn *c, enum realm realm,
			 int64_t principal_id, int64_t *n_out);

/* What the passkey gate holds a staff session to (http/security.c; GET
 * /staff/session tells the console): PK_HOLD_ENROL, only the routes that
 * enrol a passkey (an enrol-only session, or a password session of a
 * member who must use a passkey and has none usable); PK_HOLD_PASSKEY,
 * only its own session, the member must log in with the passkey they
 * have (a password session of theirs, or an enrol-only one once a
 * passkey exists); PK_HOLD_NONE otherwise. passkeys: the member's
 * usable (unflagged) passkeys. */
enum pk_hold { PK_HOLD_NONE, PK_HOLD_ENROL, PK_HOLD_PASSKEY };
enum pk_hold passkey_session_hold(const struct app *app, const char *method,
				  int mfa, const char *role, int64_t passkeys);

/* The relying party of realm's listener (built by config_validate). */
const struct wa_rp *passkey_rp(const struct app *app, enum realm realm);

/*
 * Registration options for the caller's account (api.md): *public_key_out
 * (caller decrefs) is the PublicKeyCredentialCreationOptionsJSON. Draws
 * and stores a challenge bound to the session (at most
 * PASSKEY_OPEN_CHALLENGES open: older ones dropped), makes the account's
 * user handle on first need. 0, -GH_PASSKEYS_UNAVAILABLE or a store error.
 */
int passkey_register_options(struct app *app, struct store_conn *c,
			     const struct pk_who *who,
			     json_t **public_key_out);

/*
 * Verifies and stores a new credential for the caller's account. name:
 * NULL for "Passkey N". 0 with *passkey_out (caller decrefs) the PASSKEY
 * object; -GH_BAD_FIELD (*field set); -GH_PASSKEY_REFUSED with why->word
 * (the challenge's own faults are "challenge"); -GH_PASSKEY_EXISTS;
 * -GH_PASSKEY_LIMIT; or a store error. Refusals are audited
 * (passkey.register_refused).
 */
int passkey_register(struct app *app, struct store_conn *c,
		     const struct pk_who *who, const char *name,
		     const json_t *credential, json_t **passkey_out,
		     const char **field, struct wa_why *why);

/* The PASSKEY object (api.md) of p; NULL when out of memory. */
json_t *passkey_json(const struct passkey_rec *p);

/* The account's passkeys as an array of PASSKEY (caller decrefs), oldest
 * first, into *out. 0 or a store error. For GATE's admin staff page too
 * (realm REALM_STAFF, any member). */
int passkey_list(struct app *app, struct store_conn *c, enum realm realm,
		 int64_t principal_id, json_t **out);

/* Renames passkey id of the caller's account (name 1..64 code points,
 * checked by the caller); *passkey_out the PASSKEY. -GH_NOT_FOUND for
 * another account's. Audited (passkey.rename). */
int passkey_rename(struct app *app, struct store_conn *c,
		   const struct pk_who *who, int64_t id, const char *name,
		   json_t **passkey_out);

/* Deletes passkey id of the caller's account: -GH_NOT_FOUND for another
 * account's, -GH_PASSKEY_LAST for the last one of a staff member who must
 * use one (audited passkey.delete_refused). Audited (passkey.delete). */
int passkey_delete(struct app *app, struct store_conn *c,
		   const struct pk_who *who, int64_t id);

/* Deletes every passkey of an account in the CALLER's transaction (GATE:
 * the dual-controlled reset; a customer's mfa_reset). No audit record of
 * its own (the caller writes one); *n_out (may be NULL) how many. */
int passkey_delete_all(struct store_conn *c, enum realm realm,
		       int64_t principal_id, int64_t *n_out);

/*
 * Login options (api.md): allowCredentials always empty (every passkey
 * is discoverable), so the answer does not tell whether an account
 * exists; email, when given, binds the challenge to its account (an
 * unknown one to no account: every passkey is refused). Refused while the address (ip) is throttled:
 * -GH_TOO_MANY_ATTEMPTS with *retry_after. -GH_BAD_FIELD for a malformed
 * e-mail.
 */
int passkey_login_options(struct app *app, struct store_conn *c,
			  enum realm realm, const char *email, const char *ip,
			  json_t **public_key_out, int64_t *retry_after);

/*
 * Login with an assertion: 0 with *out as auth_login's (a session of
 * method "passkey", mfa 1); -GH_BAD_FIELD (*field); -GH_LOGIN_FAILED for
 * every refusal (unknown credential, challenge, signature, counter
 * regression: flagged and audited passkey.counter_regression; disabled
 * account); -GH_TOO_MANY_ATTEMPTS (*retry_after). Counts in the login
 * throttle per address and, once the credential names its account, per
 * account (the password login's key, so `unlock` clears both). Audited
 * as session.login {method: passkey} / passkey.login_refused {reason}.
 */
int passkey_login(struct app *app, struct store_conn *c, enum realm realm,
		  const json_t *credential, const char *ip,
		  const char *request_id, struct login_ok *out,
		  const char **field, int64_t *retry_after);

/*
 * An assertion for another purpose (GATE: a customer approves a
 * verification with a passkey). passkey_assert_options draws a challenge
 * of purpose ("login" or "verify") bound to bind ("" or e.g.
 * "verification:12") for principal_id (0: any account of realm) and
 * writes RequestOptionsJSON (allowCredentials: that account's passkeys)
 * into *public_key_out. passkey_assert_check takes that challenge (single
 * use, unexpired, same realm, purpose and bind, and the credential of
 * the challenge's principal when it named one), verifies the assertion
 * and records the use: 0 with *principal_out the credential's account;
 * -GH_BAD_FIELD (*field); -GH_PASSKEY_REFUSED with why->word ("challenge",
 * "credential_id", "user_handle", "counter", or the verifier's). A counter
 * regression flags the credential and writes passkey.counter_regression.
 * Neither opens a transaction of its own nor audits the outcome (the
 * caller does); call them outside a transaction so that a flag is kept.
 */
int passkey_assert_options(struct app *app, struct store_conn *c,
			   enum realm realm, int64_t principal_id,
			   const char *purpose, const char *bind,
			   json_t **public_key_out);
int passkey_assert_check(struct app *app, struct store_conn *c,
			 enum realm realm, const char *purpose,
			 const char *bind, const json_t *credential,
			 int64_t *principal_out, const char **field,
			 struct wa_why *why);

#endif
