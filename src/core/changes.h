/*
 * Sensitive account changes (data class C3) under dual control: a
 * customer's e-mail address, phone number, authenticator (MFA reset) and
 * account number change only through a request that
 *
 *  1. an agent makes on a ticket of the customer, holding a verification
 *     of level 2 that includes a possession factor (core/verify.h), with
 *     a reason;
 *  2. a different staff member with the supervisor or admin role
 *     approves, with a reason: the cooling-off period starts (apply_after
 *     = approval + [disclosure] cooling_off_hours, never less than the
 *     compiled-in floor of CHANGE_COOLING_OFF_FLOOR_HOURS) and a
 *     content-free notice goes to the contact on file before the change
 *     (the old e-mail address), naming what kind of change, when it takes
 *     effect and that the customer can cancel it in the portal;
 *  3. the customer can cancel, and a supervisor reject, while it is
 *     pending approval or cooling off;
 *  4. once apply_after has passed, the server applies it (the periodic
 *     step of `serve`, and before any read or decision of a change), and
 *     tells the old contact again.
 *
 * There is no override and no urgent path: no function here skips a step,
 * and the store's schema refuses an approval by the requester and an
 * application before the floor. Every step and every refusal of a step
 * is audited in the transaction that takes it (change.request,
 * change.approve, change.reject, change.cancel, change.applied).
 *
 * Time: every function takes `now` from its caller (the API passes
 * time(NULL)); tests pass other times.
 *
 * Values: a new value is validated (an e-mail address as at account
 * creation, a phone number in international form) and sealed in the
 * request; it is never returned, logged or mailed. Applying an e-mail
 * change re-seals every sealed field of the customer under the new
 * address's blind index; applying an MFA reset replaces the customer's
 * authenticator secret with one nobody knows, marks it not enrolled (the
 * next login enrols a new one), deletes every passkey of the customer
 * (issue 17) and ends every session of the customer.
 */
#ifndef GH_CORE_CHANGES_H
#define GH_CORE_CHANGES_H

#include <stdint.h>

#include "core/actor.h"
#include "core/app.h"
#include "store/store.h"

/* The compiled-in policy floor of the cooling-off period and the longest
 * one configuration may set ([disclosure] cooling_off_hours). */
#define CHANGE_COOLING_OFF_FLOOR_HOURS 24
#define CHANGE_COOLING_OFF_MAX_HOURS 168
/* The verification a request needs (core/verify.h levels). */
#define CHANGE_LEVEL_NEEDED 2
/* Reasons (request, approval, rejection): code points. */
#define CHANGE_REASON_MIN 3
#define CHANGE_REASON_MAX 500
/* An account number: 4..34 letters, digits, spaces or hyphens. */
#define CHANGE_ACCOUNT_NUMBER_MAX 34
/* Largest page of a listing. */
#define CHANGE_LIST_MAX 100
/* Due changes applied per round of changes_apply_due. */
#define CHANGE_APPLY_BATCH 16

/* What an agent asks for. value: the new e-mail address, phone number or
 * account number; NULL for mfa_reset. session_hash: the hash of the
 * agent's session token (the verification must have been started in
 * it). */
struct change_request_in {
	int64_t customer_id;
	const char *kind;
	const char *value;
	const char *reason;
	int64_t verification_id;
	const char *session_hash;
};

/* Seconds from approval to application under cfg: its
 * cooling_off_hours, never less than the floor or more than the maximum
 * (so a config struct filled by hand cannot loosen it either). */
int64_t changes_cooling_off_secs(const struct config *cfg);

/* 1 when kind is one of email, phone, mfa_reset, account_number. */
int changes_valid_kind(const char *kind);

/* 1 when a verification of this level, with (possession 1) or without a
 * passed possession factor, allows a C3 change request. */
int changes_assurance_ok(int level, int possession);

/*
 * Creates a change request of staff member a about in->customer_id, at
 * time now; *out gets it (without its value; change_rec_clear). Errors:
 * -GH_FORBIDDEN (not staff); -GH_BAD_FIELD with *field set ("kind",
 * "value", "reason") for a bad or missing input; -GH_EXISTS when the new
 * e-mail address is another customer's; -GH_VERIFICATION_REQUIRED when
 * the verification is not a fresh level-2 one with possession of this
 * agent, session and customer (*level_held gets the level it holds, 0
 * when none; the refusal is audited); -GH_CHANGE_NOT_ALLOWED when the
 * customer has an open request of this kind, or the kind cannot be
 * applied by this version (account_number, see changes.c);
 * -GH_NOT_FOUND for an unknown customer.
 */
int changes_request(struct app *app, struct store_conn *c,
		    const struct tk_actor *a, const struct change_request_in *in,
		    int64_t now, struct change_rec *out, const char **field,
		    int *level_held);

/*
 * Approves change id (a: supervisor or admin, not its requester) with
 * reason, at now: state cooling_off, apply_after = now + the cooling-off,
 * the notice to the old contact queued, all in one transaction. Errors:
 * -GH_FORBIDDEN (role), -GH_BAD_FIELD (reason), -GH_NOT_FOUND,
 * -GH_SELF_APPROVAL (audited), -GH_CHANGE_NOT_ALLOWED when it is not
 * pending approval. *out gets the change after (change_rec_clear).
 */
int changes_approve(struct app *app, struct store_conn *c,
		    const struct tk_actor *a, int64_t id, const char *reason,
		    int64_t now, struct change_rec *out);

/* Rejects change id (a: supervisor or admin) with reason while it is
 * open; errors as changes_approve (no self-approval rule: withdrawing
 * is always allowed). */
int changes_reject(struct app *app, struct store_conn *c,
		   const struct tk_actor *a, int64_t id, const char *reason,
		   int64_t now, struct change_rec *out);

/* Cancels change id of customer a while it is open (state cancelled).
 * -GH_NOT_FOUND when it is not theirs, -GH_CHANGE_NOT_ALLOWED when it is
 * no longer open (a change past its cooling-off is applied first). */
int changes_cancel(struct app *app, struct store_conn *c,
		   const struct tk_actor *a, int64_t id, int64_t now,
		   struct change_rec *out);

/*
 * Lists changes, newest first, after applying those due at now. Staff (a
 * supervisor or admin): every customer's, state NULL (any), "open" or
 * one state name (-GH_BAD_FIELD otherwise); a customer: their own (state
 * as for staff). -GH_FORBIDDEN for agents. *out: change_list_clear.
 */
int changes_list(struct app *app, struct store_conn *c,
		 const struct tk_actor *a, const char *state, int64_t limit,
		 int64_t offset, int64_t now, struct change_list *out);

/*
 * Applies every change in cooling_off whose apply_after <= now, each in
 * its own transaction with its audit record (change.applied) and the
 * notice to the old contact; one that cannot be applied (its new e-mail
 * address taken meanwhile) becomes failed, audited as a failure. *n_out
 * (may be NULL) gets the number applied. 0 or the first error.
 */
int changes_apply_due(struct app *app, struct store_conn *c, int64_t now,
		      int64_t *n_out);

#endif
