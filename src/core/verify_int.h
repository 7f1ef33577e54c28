/*
 * Private to the verification module (core/verify*.c): what its files
 * share. verify.c holds liveness, levels, the agent's side and the lock;
 * verify_factors.c adds factors; verify_portal.c is the customer's side;
 * verify_mail.c composes and queues the mails (codes, alerts).
 */
#ifndef GH_CORE_VERIFY_INT_H
#define GH_CORE_VERIFY_INT_H

#include <jansson.h>

#include "core/verify.h"

/*
 * 0 when v is live for staff member a in session session_hash at now
 * (the rules in core/verify.h); otherwise -GH_VERIFICATION_FAILED with
 * *status saying why ("failed", "denied", "expired", "ended"). A store
 * error is returned as such.
 */
int verify_live(struct store_conn *c, const struct tk_actor *a,
		const char *session_hash, const struct verification_rec *v,
		int64_t now, const char **status);

/* Fills view with v's status and the level it gives at now. */
int verify_view_fill(struct store_conn *c, const struct tk_actor *a,
		     const char *session_hash, int64_t now,
		     struct verify_view *view);

/* The factor row of method in v, or NULL. */
struct verification_factor *verify_factor_of(struct verification_rec *v,
					     const char *method);

/* The audit record of a's action on verification vid (detail stolen). */
int verify_audit(struct app *app, struct store_conn *c,
		 const struct tk_actor *a, const char *action, int64_t vid,
		 const char *outcome, json_t *detail);

/*
 * Sends code for method (email_otp, sms_otp) of verification v to the
 * contact on file, in the caller's transaction: one outbox row whose
 * text (the code and the anti-phishing phrase) is sealed. sent_to gets
 * the masked contact. -GH_BAD_STATE when there is no such contact.
 */
int verify_mail_code(struct app *app, struct store_conn *c,
		     const struct verification_rec *v, const char *method,
		     const char *code, int64_t now, char *sent_to,
		     size_t sent_to_sz);

/* Queues a content-free alert about ticket_id (verification refused by
 * the customer) to every supervisor and admin, in the caller's
 * transaction. *n_out gets the number of mails. */
int verify_mail_alert(struct app *app, struct store_conn *c,
		      int64_t ticket_id, int64_t now, int64_t *n_out);

/* The keyed hash of code for method of verification vid into out. */
void verify_code_hash(const struct app *app, int64_t vid, const char *method,
		      const char *code, char out[CRYPTO_HASH_HEX]);

/* 1 when session_hash is a live customer session of a that used MFA
 * (core/verify_portal.c). */
int verify_customer_session_ok(struct store_conn *c, const struct tk_actor *a,
			       const char *session_hash);

/*
 * The customer's answer to the approval request of method (portal_approval
 * or passkey) of verification id, in one transaction: the right number
 * passes the factor; a wrong one or a denial (approve 0) ends the
 * verification, locks its ticket and alerts the supervisors (*notice).
 * The caller has checked the customer and session (and, for passkey, the
 * assertion). Errors as verify_portal_answer.
 */
int verify_portal_settle(struct app *app, struct store_conn *c,
			 const struct tk_actor *a, const char *session_hash,
			 int64_t id, const char *method, int approve,
			 int64_t number, int64_t now, const char **notice);

#endif
