/*
 * Verifications, the customer's side (see core/verify.h): the approval
 * requests waiting for the customer in the portal, and their answer. The
 * right number passes the factor and records the portal session it was
 * given in (the approval dies with that session). A wrong number or a
 * denial ("This isn't me") ends the verification, locks verification on
 * its ticket until a supervisor clears it and alerts every supervisor and
 * admin, all in one transaction with its audit records.
 *
 * Invariant: a customer only ever reads or answers their own requests
 * (the store filters by the customer's id); the number to pick is never
 * shown to the customer apart from among the choices.
 */
#include "core/verify.h"

#include <stdio.h>
#include <string.h>

#include "core/verify_int.h"
#include "util/errors.h"

const char verify_scam_notice[] =
	"Thank you: we have stopped this request. Someone may be trying to "
	"impersonate you to our support team. We have alerted our "
	"supervisors, and no one can verify your identity on this ticket "
	"until one of them has reviewed it. We will never ask you for your "
	"password or for the codes from your authenticator app, e-mail or "
	"text messages, so do not give them to anyone, even to someone who "
	"says they work for us.";

int
verify_portal_list(struct app *app, struct store_conn *c,
		   const struct tk_actor *a, int64_t now,
		   struct verification_list *out)
{
	(void)app;
	out->v = NULL;
	out->n = 0;
	if (!actor_is_customer(a))
		return -GH_FORBIDDEN;
	return c->ops->portal_verification_list(c, a->id, now,
						VERIFY_PORTAL_MAX, out);
}

struct answer_ctx {
	struct app *app;
	const struct tk_actor *a;
	const char *session_hash;
	int64_t id;
	const char *method;       /* portal_approval or passkey */
	int approve;
	int64_t number;
	int64_t now;
	struct verification_rec v;
	int result;
	int refused;
};

/* The verification is refused: it ends, its ticket is locked (unless a
 * lock holds already) and the supervisors are alerted. */
static int
refused(struct store_conn *c, struct answer_ctx *x,
	struct verification_factor *f)
{
	const char *why = x->approve ? "wrong_number" : "denied";
	int64_t alerts = 0;
	int rc;

	snprintf(f->state, sizeof(f->state), "failed");
	f->updated_at = x->now;
	x->refused = 1;
	x->result = x->approve ? -GH_VERIFICATION_FAILED : 0;
	rc = c->ops->verification_factor_put(c, f);
	if (rc == 0)
		rc = c->ops->verification_end(c, x->id,
					      x->approve ? "failed" : "denied",
					      x->now);
	if (rc == 0)
		rc = verify_audit(x->app, c, x->a,
				  x->approve ? "verification.factor"
					     : "verification.denied",
				  x->id, x->approve ? "failure" : "denied",
				  json_pack("{s:s, s:s}", "method", x->method,
					    "reason", why));
	if (rc == 0)
		rc = c->ops->verification_lock_set(c, x->v.ticket_id, x->id,
						   why, x->now);
	if (rc == -GH_EXISTS)
		return 0; /* locked already: alerted then */
	if (rc == 0)
		rc = verify_mail_alert(x->app, c, x->v.ticket_id, x->now,
				       &alerts);
	if (rc < 0)
		return rc;
	return actor_audit(x->app, c, x->a, "verification.lock", "ticket",
			   x->v.ticket_id, "success",
			   json_pack("{s:I, s:s, s:I}", "verification",
				     (json_int_t)x->id, "reason", why,
				     "alerted", (json_int_t)alerts));
}

static int
tx_answer(struct store_conn *c, void *cls)
{
	struct answer_ctx *x = cls;
	struct verification_factor *f;
	int rc;

	x->result = 0;
	x->refused = 0;
	rc = c->ops->verification_get(c, x->id, &x->v);
	if (rc == 0 && x->v.customer_id != x->a->id)
		rc = -GH_NOT_FOUND;
	if (rc < 0)
		return rc;
	f = verify_factor_of(&x->v, x->method);
	if (f == NULL || f->number <= 0)
		return -GH_NOT_FOUND; /* nothing asked of this customer */
	if (strcmp(x->v.state, "open") != 0 || x->now >= x->v.expires_at ||
	    strcmp(f->state, "pending") != 0) {
		x->result = -GH_VERIFICATION_FAILED;
		return verify_audit(x->app, c, x->a, "verification.factor",
				    x->id, "denied",
				    json_pack("{s:s, s:s}", "method",
					      x->method, "reason", "ended"));
	}
	if (!x->approve || x->number != f->number)
		return refused(c, x, f);
	snprintf(f->state, sizeof(f->state), "passed");
	snprintf(f->approver_session, sizeof(f->approver_session), "%s",
		 x->session_hash);
	f->updated_at = x->now;
	rc = c->ops->verification_factor_put(c, f);
	if (rc < 0)
		return rc;
	return verify_audit(x->app, c, x->a, "verification.factor", x->id,
			    "success",
			    json_pack("{s:s}", "method", x->method));
}

/* 1 when session_hash is a live customer session of a that used MFA. */
int
verify_customer_session_ok(struct store_conn *c, const struct tk_actor *a,
		    const char *session_hash)
{
	struct session_rec s;

	if (session_hash == NULL ||
	    strlen(session_hash) != CRYPTO_HASH_HEX - 1 ||
	    c->ops->session_get(c, session_hash, &s) < 0)
		return 0;
	return s.realm == REALM_CUSTOMER && s.principal_id == a->id && s.mfa;
}

int
verify_portal_settle(struct app *app, struct store_conn *c,
		     const struct tk_actor *a, const char *session_hash,
		     int64_t id, const char *method, int approve,
		     int64_t number, int64_t now, const char **notice)
{
	struct answer_ctx x;
	int rc;

	memset(&x, 0, sizeof(x));
	x = (struct answer_ctx){.app = app, .a = a,
				.session_hash = session_hash, .id = id,
				.method = method, .approve = approve,
				.number = number, .now = now};
	rc = store_transact(c, tx_answer, &x);
	if (rc == 0)
		rc = x.result;
	if (x.refused && notice != NULL)
		*notice = verify_scam_notice;
	return rc;
}

/* 1 when a passkey approval of customer a waits on verification id. */
static int
passkey_waits(struct store_conn *c, const struct tk_actor *a, int64_t id)
{
	struct verification_rec v;
	const struct verification_factor *f;

	if (c->ops->verification_get(c, id, &v) < 0 || v.customer_id != a->id)
		return 0;
	f = verify_factor_of(&v, "passkey");
	return f != NULL && f->number > 0 && strcmp(f->state, "pending") == 0;
}

int
verify_portal_answer(struct app *app, struct store_conn *c,
		     const struct tk_actor *a, const char *session_hash,
		     int64_t id, int approve, int64_t number, int64_t now,
		     const char **notice)
{
	int rc;

	if (notice != NULL)
		*notice = NULL;
	if (!actor_is_customer(a))
		return -GH_NOT_FOUND;
	if (!verify_customer_session_ok(c, a, session_hash))
		return -GH_FORBIDDEN;
	rc = verify_portal_settle(app, c, a, session_hash, id,
				  "portal_approval", approve, number, now,
				  notice);
	if (rc != -GH_NOT_FOUND)
		return rc;
	/* A passkey request: denied like any, approved only with an
	 * assertion (verify_passkey_answer). */
	if (approve)
		return passkey_waits(c, a, id) ? -GH_MISSING_FIELD : rc;
	return verify_portal_settle(app, c, a, session_hash, id, "passkey", 0,
				    0, now, notice);
}
