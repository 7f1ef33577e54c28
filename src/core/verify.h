/*
 * Verification of a caller's identity: the proof an agent must hold
 * before personal data is revealed or an account is changed. An agent on
 * a ticket starts a verification; it is bound to that agent and the
 * agent's very session, to the ticket and its customer, and lasts
 * [disclosure] verification_minutes. Factors are added one method at a
 * time:
 *
 *   totp             the code of the customer's own authenticator, read
 *                    out to the agent (replay-protected with the same
 *                    last accepted step as logins);
 *   email_otp        a 6-digit code sent to the e-mail address on file;
 *   sms_otp          the same to the phone number on file (written to
 *                    DIR/outbox/ as a .sms file: there is no gateway);
 *   portal_approval  number matching: the customer, logged in to the
 *                    portal with MFA, picks among three numbers the one
 *                    the agent reads out;
 *   passkey          the same number matching, confirmed with an
 *                    assertion of one of the customer's passkeys
 *                    (issue 17; core/verify_passkey.c): the challenge is
 *                    bound to the verification and the portal session.
 *
 * Levels follow NIST SP 800-63B: strong factors are totp,
 * portal_approval and passkey, weak ones email_otp and sms_otp. Level 1
 * is one strong factor passed; level 2 two passed factors of different
 * methods, one of them strong. portal_approval and passkey come through
 * the same channel (the customer's portal, often logged in with that very
 * passkey): together they count as one factor. Knowledge (date of birth, address) is never a
 * factor. A one-time code is kept only as a keyed hash, lasts
 * VERIFY_CODE_SECS, is used once; VERIFY_MAX_FAILURES wrong tries per
 * verification and method fail that factor, and a resend keeps the count.
 *
 * Assurance is evaluated when it is used, never cached: a verification
 * counts only while it is open and unexpired, its agent's session still
 * exists, its ticket is still visible to the agent, in the same queue,
 * with the same assignee (or, if it was unassigned, taken by the agent)
 * and not solved, and each portal approval's customer session still
 * exists. A wrong number or a denial ("This isn't me") ends it, locks
 * verification on its ticket until a supervisor clears it and alerts the
 * supervisors. Every event is audited in the transaction that makes it.
 * Codes are never logged, audited or returned.
 *
 * Time: every function takes now (Unix seconds) from its caller.
 */
#ifndef GH_CORE_VERIFY_H
#define GH_CORE_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/actor.h"
#include "core/app.h"
#include "store/store.h"

#define VERIFY_MAX_OPEN 10     /* open verifications per agent */
#define VERIFY_CODE_SECS 600   /* a one-time code's life */
#define VERIFY_CODE_DIGITS 6
#define VERIFY_MAX_FAILURES 5  /* wrong tries per verification and method */
#define VERIFY_MAX_SENDS 5     /* codes sent per verification and method */
#define VERIFY_PORTAL_MAX 20   /* pending requests listed to a customer */
/* Limits over an hour, whatever the verification or agent: they stop a
 * caller (or an agent) from trying codes, sending codes or pushing
 * approval requests without end by starting new verifications. */
#define VERIFY_WINDOW_SECS 3600
#define VERIFY_STARTS_PER_HOUR 30    /* verifications one agent starts */
#define VERIFY_FAILURES_PER_HOUR 10  /* wrong codes about one customer */
#define VERIFY_CODES_PER_HOUR 10     /* codes sent to one customer */
#define VERIFY_APPROVALS_PER_HOUR 5  /* approval requests to one customer */
#define VERIFY_REASON_MIN 3    /* a supervisor's reason, code points */
#define VERIFY_REASON_MAX 500

/* What the customer is told when they deny a request or pick a wrong
 * number. */
extern const char verify_scam_notice[];

struct verify_assurance {
	int64_t verification_id;
	int64_t ticket_id, customer_id, staff_id;
	int level;          /* 0, 1 or 2 (see levels) */
	int possession;     /* 1 when a passed factor proves possession of
	                     * something already on file (totp, email_otp,
	                     * sms_otp, portal_approval, passkey) */
	int64_t expires_at;
};

/*
 * The assurance verification `id` gives actor a (staff) about customer
 * customer_id at time now: 0 with *out filled when it is open, fresh
 * (now < expires_at), started by this staff member in this very session
 * (session token hash), its ticket is still assigned to/visible to a in
 * the same queue and not solved, and the ticket's customer is
 * customer_id. Otherwise -GH_VERIFICATION_REQUIRED (out->level 0).
 */
int verify_assurance(struct app *app, struct store_conn *c,
		     const struct tk_actor *a, const char *session_hash,
		     int64_t id, int64_t customer_id, int64_t now,
		     struct verify_assurance *out);

/* 1 for a method name this module knows (totp, email_otp, sms_otp,
 * portal_approval, passkey), 0 otherwise; 1 for a strong one. */
int verify_method_known(const char *method);
int verify_method_strong(const char *method);

/* The level (0..2) the passed factors of v give, by the rules above;
 * *possession (may be NULL) 1 when any factor passed. Liveness is not
 * checked here (verify_assurance does). */
int verify_level(const struct verification_rec *v, int *possession);

/* A verification as its agent sees it: the record, the level it gives
 * now (0 unless live) and its status: "open", "failed", "denied",
 * "expired" or "ended" (its ticket, session or approval changed). */
struct verify_view {
	struct verification_rec rec;
	int level;
	const char *status;
};

/*
 * Starts a verification by staff member a (session session_hash) on
 * ticket ticket_id at now. 0 with *out filled; -GH_NOT_FOUND when the
 * ticket is not visible to a; -GH_VERIFICATION_LOCKED while verification
 * on the ticket is locked; -GH_BAD_STATE for a solved ticket;
 * -GH_RATE_LIMITED when a has VERIFY_MAX_OPEN open already or started
 * VERIFY_STARTS_PER_HOUR in the last hour. A new
 * verification ends a's open one on the same ticket (status "ended").
 * Refusals are audited too.
 */
int verify_start(struct app *app, struct store_conn *c,
		 const struct tk_actor *a, const char *session_hash,
		 int64_t ticket_id, int64_t now, struct verify_view *out);

/* Verification id as its agent a sees it at now (-GH_NOT_FOUND for
 * anyone else). */
int verify_get(struct app *app, struct store_conn *c,
	       const struct tk_actor *a, const char *session_hash, int64_t id,
	       int64_t now, struct verify_view *out);

/* The outcome of verify_factor. accepted: the factor waits for the
 * customer (a code was sent: sent_to is the masked contact; or an
 * approval was requested: number is the one to read out). */
struct verify_factor_out {
	int accepted;
	char sent_to[160];
	int64_t number;
	struct verify_view view;
};

/*
 * Adds a factor of method (code: NULL when none was given) to
 * verification id of agent a (session session_hash) at now.
 * totp needs a code. email_otp and sms_otp without a code send one to the
 * contact on file, with one check it. portal_approval and passkey take
 * no code; passkey needs a customer with a passkey (-GH_NO_PASSKEY,
 * audited), and neither starts while the other waits (-GH_BAD_STATE).
 * 0 with *out filled; -GH_NOT_FOUND (not a's); -GH_BAD_FIELD (unknown
 * method, or a code for portal_approval or passkey); -GH_MISSING_FIELD (totp without
 * code); -GH_BAD_CODE (wrong, expired or replayed code: counted);
 * -GH_VERIFICATION_FAILED (the verification or this factor has ended);
 * -GH_BAD_STATE (factor already passed, no code sent, nothing on file);
 * -GH_RATE_LIMITED (VERIFY_MAX_SENDS codes sent already, or an hourly
 * limit about this customer reached: wrong codes, codes sent, approval
 * requests; then nothing is checked, sent or requested).
 */
int verify_factor(struct app *app, struct store_conn *c,
		  const struct tk_actor *a, const char *session_hash,
		  int64_t id, const char *method, const char *code,
		  int64_t now, struct verify_factor_out *out);

/*
 * The customer a's open verifications waiting for their approval at now
 * (newest first, at most VERIFY_PORTAL_MAX); each item's f[0] is the
 * portal_approval or passkey factor (choices, never the number itself).
 * verification_list_clear() *out.
 */
int verify_portal_list(struct app *app, struct store_conn *c,
		       const struct tk_actor *a, int64_t now,
		       struct verification_list *out);

/*
 * The customer a (in session session_hash, which used MFA) answers the
 * approval request of verification id at now: approve with number, or
 * deny (approve 0). The right number passes the factor: 0. A wrong
 * number (-GH_VERIFICATION_FAILED) or a denial (0) ends the verification,
 * locks verification on its ticket, alerts every supervisor and admin
 * (an audit record and a content-free mail each); *notice (may be NULL)
 * then points to verify_scam_notice. -GH_NOT_FOUND when no request of
 * a's waits under id; -GH_VERIFICATION_FAILED when it has ended. This
 * answers a portal_approval request; a passkey request is answered with
 * verify_passkey_answer.
 */
int verify_portal_answer(struct app *app, struct store_conn *c,
			 const struct tk_actor *a, const char *session_hash,
			 int64_t id, int approve, int64_t number, int64_t now,
			 const char **notice);

/*
 * Clears the lock on verification for ticket ticket_id: supervisors and
 * admins only (-GH_FORBIDDEN), with a reason of VERIFY_REASON_MIN..MAX
 * code points (-GH_BAD_FIELD). -GH_NOT_FOUND when the ticket does not
 * exist; -GH_BAD_STATE when it is not locked. Audited.
 */
int verify_lock_clear(struct app *app, struct store_conn *c,
		      const struct tk_actor *a, int64_t ticket_id,
		      const char *reason, int64_t now);


/*
 * The passkey factor, the customer's side (core/verify_passkey.c). The
 * customer a, in session session_hash (which used MFA), asks for the
 * options of an assertion answering the passkey request of verification
 * id at now: *public_key (the caller decrefs) gets the request options,
 * allowCredentials the customer's passkeys, the challenge bound to the
 * verification and this session. -GH_NOT_FOUND when no passkey request
 * of a's waits under id; -GH_FORBIDDEN for a session without MFA.
 */
int verify_passkey_options(struct app *app, struct store_conn *c,
			   const struct tk_actor *a, const char *session_hash,
			   int64_t id, int64_t now, json_t **public_key);

/*
 * The customer a answers the passkey request of verification id with
 * number and credential (an AuthenticationResponseJSON) at now. The
 * assertion is checked first (its challenge must be the one drawn for
 * this verification and session, its credential one of a's passkeys):
 * a refused one counts as a wrong code (-GH_PASSKEY_REFUSED, *why gets
 * the verifier's word; the VERIFY_MAX_FAILURES-th fails the factor:
 * -GH_VERIFICATION_FAILED); a malformed credential is -GH_BAD_FIELD with
 * *field naming the member, not counted. Then as verify_portal_answer: the right number
 * passes the factor (method passkey), a wrong one ends the verification,
 * locks its ticket and alerts the supervisors (*notice).
 */
int verify_passkey_answer(struct app *app, struct store_conn *c,
			  const struct tk_actor *a, const char *session_hash,
			  int64_t id, int64_t number, const json_t *credential,
			  int64_t now, const char **notice, const char **field,
			  char why[32]);

#endif
