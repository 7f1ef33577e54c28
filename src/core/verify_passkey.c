/*
 * The passkey factor of a verification, the customer's side (issue 17,
 * part GATE; see core/verify.h). The agent asks for it like a portal
 * approval (core/verify_factors.c: number matching, only for a customer
 * with a passkey); the customer, logged in to the portal with MFA, picks
 * the number and confirms with one of their passkeys. The challenge comes
 * from core/passkeys.c with purpose "verify" and is bound to the
 * verification and the customer's portal session, so an assertion made
 * for another verification, another session or a login does not pass.
 *
 * Invariant: the factor passes only after an assertion of one of this
 * customer's own passkeys was accepted; a refused assertion is counted
 * on the factor like a wrong code, and the VERIFY_MAX_FAILURES-th fails
 * it. A wrong number is the portal approval's refusal (the verification
 * ends, its ticket is locked, the supervisors alerted).
 */
#include "core/verify.h"

#include <stdio.h>
#include <string.h>

#include "core/passkeys.h"
#include "core/verify_int.h"
#include "util/errors.h"

/* What the challenge is bound to: the verification and the session. */
static void
bind_of(int64_t id, const char *session_hash, char *out, size_t sz)
{
	snprintf(out, sz, "verify:%lld:%s", (long long)id, session_hash);
}

/* 0 when a passkey request of customer a waits on verification id at
 * now; -GH_NOT_FOUND otherwise (nothing asked of this customer, or it
 * ended: the answer says which). */
static int
request_waits(struct store_conn *c, const struct tk_actor *a, int64_t id,
	      int64_t now)
{
	struct verification_rec v;
	const struct verification_factor *f;
	int rc = c->ops->verification_get(c, id, &v);

	if (rc == 0 && v.customer_id != a->id)
		rc = -GH_NOT_FOUND;
	if (rc < 0)
		return rc;
	f = verify_factor_of(&v, "passkey");
	if (f == NULL || f->number <= 0)
		return -GH_NOT_FOUND;
	if (strcmp(v.state, "open") != 0 || now >= v.expires_at ||
	    strcmp(f->state, "pending") != 0)
		return -GH_VERIFICATION_FAILED;
	return 0;
}

static int
customer_checks(struct store_conn *c, const struct tk_actor *a,
		const char *session_hash, int64_t id, int64_t now)
{
	if (!actor_is_customer(a))
		return -GH_NOT_FOUND;
	if (!verify_customer_session_ok(c, a, session_hash))
		return -GH_FORBIDDEN;
	return request_waits(c, a, id, now);
}

int
verify_passkey_options(struct app *app, struct store_conn *c,
		       const struct tk_actor *a, const char *session_hash,
		       int64_t id, int64_t now, json_t **public_key)
{
	char bind[96];
	int rc;

	*public_key = NULL;
	rc = customer_checks(c, a, session_hash, id, now);
	if (rc < 0)
		return rc;
	bind_of(id, session_hash, bind, sizeof(bind));
	return passkey_assert_options(app, c, REALM_CUSTOMER, a->id, "verify",
				      bind, public_key);
}

struct refused_ctx {
	struct app *app;
	const struct tk_actor *a;
	int64_t id;
	int64_t now;
	const char *why;
	int result;
};

/* A refused assertion counts on the factor like a wrong code. */
static int
tx_refused(struct store_conn *c, void *cls)
{
	struct refused_ctx *x = cls;
	struct verification_rec v;
	struct verification_factor *f;
	int rc;

	x->result = -GH_PASSKEY_REFUSED;
	rc = c->ops->verification_get(c, x->id, &v);
	if (rc < 0)
		return rc;
	f = verify_factor_of(&v, "passkey");
	if (v.customer_id != x->a->id || f == NULL ||
	    strcmp(f->state, "pending") != 0)
		return 0; /* decided meanwhile: nothing to count */
	f->failures++;
	f->updated_at = x->now;
	if (f->failures >= VERIFY_MAX_FAILURES) {
		snprintf(f->state, sizeof(f->state), "failed");
		x->result = -GH_VERIFICATION_FAILED;
	}
	rc = c->ops->verification_factor_put(c, f);
	if (rc < 0)
		return rc;
	return verify_audit(x->app, c, x->a, "verification.factor", x->id,
			    "failure",
			    json_pack("{s:s, s:s, s:I, s:s}", "method",
				      "passkey", "reason", x->why, "failures",
				      (json_int_t)f->failures, "factor",
				      f->state));
}

int
verify_passkey_answer(struct app *app, struct store_conn *c,
		      const struct tk_actor *a, const char *session_hash,
		      int64_t id, int64_t number, const json_t *credential,
		      int64_t now, const char **notice, const char **field,
		      char why[32])
{
	struct refused_ctx x = {.app = app, .a = a, .id = id, .now = now};
	struct wa_why w;
	int64_t principal = 0;
	char bind[96];
	int rc;

	*notice = NULL;
	*field = NULL;
	why[0] = '\0';
	rc = customer_checks(c, a, session_hash, id, now);
	if (rc < 0)
		return rc;
	bind_of(id, session_hash, bind, sizeof(bind));
	memset(&w, 0, sizeof(w));
	rc = passkey_assert_check(app, c, REALM_CUSTOMER, "verify", bind,
				  credential, &principal, field, &w);
	if (rc < 0 && rc != -GH_PASSKEY_REFUSED)
		return rc; /* bad input (-GH_BAD_FIELD), or ours: not counted */
	if (rc == 0 && principal != a->id) {
		rc = -GH_PASSKEY_REFUSED; /* another account's passkey */
		snprintf(w.word, sizeof(w.word), "credential_id");
	}
	if (rc < 0) {
		if (w.word[0] == '\0')
			snprintf(w.word, sizeof(w.word), "malformed");
		snprintf(why, 32, "%s", w.word);
		x.why = why;
		rc = store_transact(c, tx_refused, &x);
		return rc < 0 ? rc : x.result;
	}
	return verify_portal_settle(app, c, a, session_hash, id, "passkey", 1,
				    number, now, notice);
}
