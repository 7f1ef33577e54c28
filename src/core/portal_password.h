/*
 * A customer's own security changes that need their second factor
 * (issue 15, part SELF): changing the password (current password and
 * the authenticator's code or a recovery code), making new recovery
 * codes (password and the authenticator's code), and resetting a
 * forgotten password from a mailed link (the link's token and the
 * authenticator's code or a recovery code: mail alone never opens an
 * account). Also asking for that link (portal_password_forgot), whose
 * answer never says whether the address has an account.
 *
 * Each change runs in three steps so that its argon2id work runs on the
 * portal's login pool with no database connection held (api/portal_self.c
 * defers it, http/defer.h): begin (store: the token, the account, the
 * throttle, the live recovery codes), check (no store: password, code,
 * the new password's policy and hash), finish (store: the outcome in one
 * transaction, audited; refusals audited too).
 *
 * Invariant: nothing changes unless every factor the change needs was
 * right; a TOTP step, a recovery code and a link are each accepted once.
 */
#ifndef GH_CORE_PORTAL_PASSWORD_H
#define GH_CORE_PORTAL_PASSWORD_H

#include <stddef.h>
#include <stdint.h>

#include "core/app.h"
#include "core/recovery.h"
#include "store/store.h"

enum self_op {
	SELF_CHANGE,  /* current + factor + next */
	SELF_CODES,   /* current + totp: new recovery codes */
	SELF_RESET,   /* token + factor + next */
};

struct self_req {
	enum self_op op;
	int64_t customer_id;      /* CHANGE, CODES: the session's customer */
	const char *token_hash;   /* CHANGE, CODES: the caller's session */
	const char *link_token;   /* RESET: the token of the mailed link */
	const char *current;      /* CHANGE, CODES */
	size_t current_len;
	const char *totp;         /* one of totp and recovery_code */
	const char *recovery_code; /* (CODES: totp only) */
	const char *next;         /* CHANGE, RESET */
	size_t next_len;
	const char *ip;
	const char *request_id;
};

/* What a finished change gives. */
struct self_result {
	enum self_op op;          /* the job's */
	const char *reason;       /* -GH_WEAK_PASSWORD: the policy's words */
	const char *field;        /* a refusal's field: current, totp... */
	int64_t sessions_ended;
	struct recovery_codes codes; /* CODES: shown once; wiped by free */
};

struct self_job;

/*
 * begin, on a server thread with c: RESET looks the link up
 * (-GH_LINK_INVALID when it is unknown, used or expired); the account is
 * loaded (-GH_SESSION_REQUIRED when gone); the attempt is counted on the
 * throttle of the account's self-service key and the address
 * (-GH_TOO_MANY_ATTEMPTS with *retry_after); the passwords are
 * normalised into the job *out. q's strings are borrowed until finish.
 */
int self_begin(struct app *app, struct store_conn *c, const struct self_req *q,
	       int64_t now, struct self_job **out, int64_t *retry_after);

/* On a worker, touching only x: every factor, then the new password. */
void self_check(struct self_job *x);

/*
 * On a server thread with c, after check: -GH_FORBIDDEN (wrong current
 * password, res->field "current"), -GH_BAD_CODE (wrong or replayed code,
 * field "totp" or "recovery_code"), -GH_LINK_INVALID (the link was used
 * meanwhile), -GH_PASSWORD_REUSED, -GH_WEAK_PASSWORD (res->reason), or
 * 0: CHANGE stored the hash and ended every other session; RESET
 * stored it and ended every session; CODES made res->codes. Success
 * queues a notice to the address on file and is audited
 * ("portal.password.changed", "portal.password.reset",
 * "portal.recovery_codes.issued"); a refusal is audited with the
 * op's action and outcome "failure".
 */
int self_finish(struct store_conn *c, struct self_job *x,
		struct self_result *res);

/* Wipes and frees x (NULL is a no-op). */
void self_free(struct self_job *x);

/*
 * "Forgot password" for the address email, as typed: always 0 for a
 * well-formed address whatever exists (the answer must not tell),
 * -GH_BAD_FIELD for a malformed one, -GH_TOO_MANY_ATTEMPTS (with
 * *retry_after) when the client address asked too often. When the
 * address is a customer's that is not disabled and fewer than
 * [portal] reset_mails_per_hour links went to it in the last hour, a
 * link valid [portal] reset_minutes is mailed to it. Audited
 * "portal.password.forgot" either way (the target "customer:unknown"
 * when there is no such account).
 */
int portal_password_forgot(struct app *app, struct store_conn *c,
			   const char *email, const char *ip,
			   const char *request_id, int64_t now,
			   int64_t *retry_after);

/* The number of the customer's unused recovery codes. */
int portal_recovery_remaining(struct store_conn *c, int64_t customer_id,
			      int64_t *n_out);

/*
 * Ends every session of the customer but token_hash's, audited
 * "session.others_ended" with the count (*ended_out).
 */
int portal_sessions_end_others(struct app *app, struct store_conn *c,
			       int64_t customer_id, const char *token_hash,
			       const char *ip, const char *request_id,
			       int64_t *ended_out);

/*
 * The customer marks their own ticket solved: -GH_NOT_FOUND when it is
 * not theirs; a ticket already solved is left as it is (0, *changed 0).
 * Audited "ticket.solved_by_customer". A later message of theirs opens
 * it again (core/tickets.c).
 */
int portal_ticket_solve(struct app *app, struct store_conn *c,
			int64_t customer_id, int64_t ticket_id,
			const char *ip, const char *request_id, int64_t now,
			struct ticket_rec *out, int *changed);

#endif
