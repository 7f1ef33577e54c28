/*
 * Losing a passkey, staff side (issue 17, part GATE): a staff member who
 * lost their passkeys gets them removed only by two administrators, never
 * by one person (the MGM 2023 help-desk reset is the attack this stops):
 *
 *  1. an admin asks for the reset of another member, with a reason
 *     (pkreset_request): a pending request, audited
 *     passkey.reset_requested; nobody asks for their own reset, a member
 *     without a passkey has nothing to reset, one request is open per
 *     member at a time;
 *  2. a different admin approves it (pkreset_decide): in one transaction
 *     every passkey of the member is deleted, every session of the member
 *     ends, the member is told by a content-free mail (the outbox) and
 *     the step is audited passkey.reset. The requester's own approval is
 *     refused (-GH_SELF_APPROVAL, audited), and the member never decides
 *     about their own passkeys (an admin whose reset was asked). Either
 *     admin may deny it (passkey.reset_denied): a denial weakens nothing;
 *  3. a request not decided within PKRESET_LIFE_SECS expires.
 *
 * Afterwards the member logs in with password and authenticator code and,
 * having no passkey, gets the session that can only enrol one (the
 * policy of core/passkeys.h). Supervisors read the list of a member's
 * passkeys (names and dates, never a key).
 *
 * Time: every function takes now from its caller.
 */
#ifndef GH_CORE_PASSKEY_RESETS_H
#define GH_CORE_PASSKEY_RESETS_H

#include <stdint.h>

#include "core/actor.h"
#include "core/app.h"
#include "store/store.h"

#define PKRESET_LIFE_SECS 86400  /* a request waits at most a day */
#define PKRESET_REASON_MIN 3     /* code points */
#define PKRESET_REASON_MAX 500

/*
 * Admin a asks for the reset of staff member staff_id's passkeys with
 * reason at now; *out gets the request. Errors: -GH_FORBIDDEN (not an
 * admin); -GH_BAD_FIELD / -GH_BAD_UTF8 (reason); -GH_NOT_FOUND (no such
 * staff member); -GH_SELF_RESET (their own: audited);
 * -GH_NO_PASSKEY (the member has none); -GH_RESET_PENDING (one waits
 * already).
 */
int pkreset_request(struct app *app, struct store_conn *c,
		    const struct tk_actor *a, int64_t staff_id,
		    const char *reason, int64_t now, struct pkreset_rec *out);

/*
 * Admin a approves (approve 1) or denies request id, with an optional
 * reason (NULL, or PKRESET_REASON_MIN..MAX code points), at now; *out
 * gets the request after. Errors: -GH_FORBIDDEN (not an admin);
 * -GH_BAD_FIELD / -GH_BAD_UTF8 (reason); -GH_NOT_FOUND;
 * -GH_SELF_APPROVAL (the requester approves, or the member decides about
 * their own passkeys: audited); -GH_RESET_CLOSED
 * (decided or expired already).
 */
int pkreset_decide(struct app *app, struct store_conn *c,
		   const struct tk_actor *a, int64_t id, int approve,
		   const char *reason, int64_t now, struct pkreset_rec *out);

/* The pending requests at now (expired ones closed first), newest first;
 * admins only (-GH_FORBIDDEN). pkreset_list_clear() *out. */
int pkreset_pending(struct app *app, struct store_conn *c,
		    const struct tk_actor *a, int64_t now,
		    struct pkreset_list *out);

/* Staff member staff_id's passkeys (names, dates, flags; the key bytes
 * are public but never leave the server), oldest first, for supervisors
 * and admins (-GH_FORBIDDEN); -GH_NOT_FOUND for no such member.
 * passkey_list_clear() *out. */
int pkreset_staff_passkeys(struct store_conn *c, const struct tk_actor *a,
			   int64_t staff_id, struct passkey_list *out);

#endif
