/*
 * Recovery codes of customers (issue 15, part SELF): ten codes issued
 * when an authenticator is enrolled (and again on request, with password
 * and code), each shown once, single use, stored as a salted keyed hash.
 * A code stands in for the authenticator's code at login, at a password
 * change and at a password reset. Login with one (core/auth.c calls
 * recovery_login_tx) uses it up, opens a session that may only enrol a
 * new authenticator (recovery_enroll_*), and mails a notice to the
 * address on file.
 *
 * Why a keyed hash and not argon2id: a code carries 49 bits from the
 * CSPRNG (10 characters of a 31-letter alphabet), far beyond what an
 * online guesser gets through the login throttle; offline, the hash is
 * keyed with the blind-index key, which lives in the key ring and never
 * in the database, so a stolen database gives nothing to guess against.
 * A slow hash would cost ten argon2id runs per attempt (one per live
 * code) for no gain. The per-code salt keeps two equal codes apart.
 *
 * Invariant: a code in the clear exists only in the reply that shows it
 * once and in the request that uses it; it is never logged or audited.
 */
#ifndef GH_CORE_RECOVERY_H
#define GH_CORE_RECOVERY_H

#include <stddef.h>
#include <stdint.h>

#include "core/app.h"
#include "core/auth.h"
#include "store/store.h"

#define RECOVERY_CODES 10
#define RECOVERY_CODE_LEN 10
/* "ABCDE-FGHJK" and its NUL. */
#define RECOVERY_CODE_TEXT 12
/* No 0/O, 1/I/L: nothing a reader can confuse. */
#define RECOVERY_ALPHABET "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

struct recovery_codes {
	char v[RECOVERY_CODES][RECOVERY_CODE_TEXT];
};

/*
 * The code typed by a customer in canonical form: spaces and hyphens
 * dropped, letters upper-cased, exactly RECOVERY_CODE_LEN characters of
 * RECOVERY_ALPHABET. 0 or -GH_BAD_FIELD.
 */
int recovery_normalize(const char *in, char out[RECOVERY_CODE_LEN + 1]);

/*
 * Makes RECOVERY_CODES new codes for the customer, replacing every code
 * they had, in the caller's transaction. *out gets them for display
 * (wipe after use). 0 or a store error.
 */
int recovery_issue_tx(struct app *app, struct store_conn *c,
		      int64_t customer_id, int64_t now,
		      struct recovery_codes *out);

/* recovery_issue_tx in a transaction of its own, audited
 * "portal.recovery_codes.issued" with the reason (why: "enrolment"...). */
int recovery_issue(struct app *app, struct store_conn *c, int64_t customer_id,
		   const char *why, const char *ip, const char *request_id,
		   struct recovery_codes *out);

/*
 * The id of the live code of l that code (as typed) is, or 0 when none
 * is (a malformed code is none). Every code of l is hashed whatever
 * matches, so the time taken says nothing. No store access.
 */
int64_t recovery_match(const struct crypto_keys *keys,
		       const struct recovery_code_list *l, const char *code);

/* --- recovery login and the new authenticator (core/recovery_enrol.c) - */

/*
 * In the transaction of a login with password and recovery code
 * code_id: uses the code up (-GH_CONFLICT when it was used meanwhile),
 * ties the new session (session_token, as session_create returned it)
 * to the enrolment of a new authenticator, queues the notice to the
 * address on file and audits "auth.recovery_code_used". 0 or an error.
 */
int recovery_login_tx(struct app *app, struct store_conn *c,
		      int64_t customer_id, int64_t code_id,
		      const char *session_token, const char *ip,
		      const char *request_id, int64_t now);

/*
 * auth_enroll_begin and auth_enroll_confirm (core/auth.h) for the
 * session a recovery login opened (token_hash): -GH_BAD_STATE for any
 * other session. begin makes a new secret and puts it in place of the
 * lost one at once (audited "auth.totp_reenrolment_started"; the
 * account stays enrolled); confirm checks a code of it (counted on the
 * enrolment throttle: -GH_BAD_CODE, -GH_TOO_MANY_ATTEMPTS), ends the
 * recovery session and opens a full one (out), audited
 * "auth.totp_reenrolled".
 */
int recovery_enroll_begin(struct app *app, struct store_conn *c, int64_t id,
			  const char *token_hash, const char *ip,
			  const char *request_id, char *secret_out,
			  char **uri_out, char **svg_out);
int recovery_enroll_confirm(struct app *app, struct store_conn *c, int64_t id,
			    const char *token_hash, const char *code,
			    const char *ip, const char *request_id,
			    struct login_ok *out, int64_t *retry_after);

#endif
