/*
 * Sessions: an opaque 256-bit token in a cookie; the store keeps only its
 * keyed hash. Idle and absolute timeouts per realm come from the config.
 * Staff and customer sessions are separate realms: a token is only ever
 * looked up in the realm of the listener it arrived on.
 */
#ifndef GH_CORE_SESSION_H
#define GH_CORE_SESSION_H

#include <stdint.h>

#include "core/app.h"
#include "store/store.h"

/*
 * Creates a session for principal id of realm inside the caller's
 * transaction. token_out gets the cookie value, csrf_out the CSRF token.
 */
int session_create(struct app *app, struct store_conn *c, enum realm realm,
		   int64_t id, int mfa, const char *ip,
		   char token_out[CRYPTO_TOKEN_CHARS + 1],
		   char csrf_out[CRYPTO_TOKEN_CHARS + 1]);

/* session_create with how the session was opened (issue 17; store.h
 * struct session_rec: "password", "passkey", "password_enrol");
 * session_create writes "password". */
int session_create_as(struct app *app, struct store_conn *c,
		      enum realm realm, int64_t id, int mfa,
		      const char *method, const char *ip,
		      char token_out[CRYPTO_TOKEN_CHARS + 1],
		      char csrf_out[CRYPTO_TOKEN_CHARS + 1]);

/*
 * Looks up token in realm at time now. Expired sessions (idle or
 * absolute) and sessions of disabled accounts are deleted and refused.
 * Refreshes last_seen (at most every few seconds). Returns 0 with *out
 * filled, or -GH_SESSION_REQUIRED.
 */
int session_authenticate(struct app *app, struct store_conn *c,
			 enum realm realm, const char *token, int64_t now,
			 struct session_rec *out);

/* Deletes the session with this token hash. */
int session_destroy(struct app *app, struct store_conn *c,
		    const char *token_hash);

/* The Set-Cookie value that sets (token != NULL) or clears the cookie of
 * realm; max_age in seconds. Writes into out. */
void session_cookie(enum realm realm, const char *token, int64_t max_age,
		    char *out, size_t outsz);

#endif
