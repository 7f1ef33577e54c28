/*
 * Verifications, the agent's side (see core/verify.h): liveness and
 * levels, evaluated on every use and never stored; starting one; reading
 * one; the assurance the reveal and change-request modules ask for; and a
 * supervisor clearing the lock a refused verification put on its ticket.
 *
 * Invariant: a verification gives a level only while verify_live() holds
 * for the very agent and session that started it; every check runs
 * inside the transaction that acts on it, so nothing acts on a ticket
 * that changed hands meanwhile.
 */
#include "core/verify.h"

#include <stdio.h>
#include <string.h>

#include "core/training.h"
#include "core/verify_int.h"
#include "util/errors.h"
#include "util/utf8.h"

static const char *const strong_methods[] = {"totp", "portal_approval",
					     "passkey", NULL};
static const char *const weak_methods[] = {"email_otp", "sms_otp", NULL};

static int
in_list(const char *const *list, const char *s)
{
	if (s == NULL)
		return 0;
	for (size_t i = 0; list[i] != NULL; i++)
		if (strcmp(list[i], s) == 0)
			return 1;
	return 0;
}

int
verify_method_known(const char *method)
{
	return in_list(strong_methods, method) ||
	       in_list(weak_methods, method);
}

int
verify_method_strong(const char *method)
{
	return in_list(strong_methods, method);
}

int
verify_level(const struct verification_rec *v, int *possession)
{
	int passed = 0, strong = 0, portal = 0;

	/* One row per method: two passes of one method cannot count twice;
	 * a portal approval and a passkey approval come from the one
	 * portal, so they count once together. */
	for (size_t i = 0; i < v->n_factors; i++) {
		const struct verification_factor *f = &v->f[i];

		if (strcmp(f->state, "passed") != 0 ||
		    !verify_method_known(f->method))
			continue;
		if (strcmp(f->method, "portal_approval") == 0 ||
		    strcmp(f->method, "passkey") == 0) {
			if (portal++ > 0)
				continue;
		}
		passed++;
		strong += verify_method_strong(f->method);
	}
	if (possession != NULL)
		*possession = passed > 0;
	if (strong == 0)
		return 0; /* e-mail and SMS codes never count alone */
	return passed >= 2 ? 2 : 1;
}

struct verification_factor *
verify_factor_of(struct verification_rec *v, const char *method)
{
	for (size_t i = 0; i < v->n_factors; i++)
		if (strcmp(v->f[i].method, method) == 0)
			return &v->f[i];
	return NULL;
}

int
verify_audit(struct app *app, struct store_conn *c, const struct tk_actor *a,
	     const char *action, int64_t vid, const char *outcome,
	     json_t *detail)
{
	return actor_audit(app, c, a, action, "verification", vid, outcome,
			   detail);
}

/* 1 when the session with hash exists in realm for principal, is within
 * its timeouts at now and used MFA. */
static int
session_alive(struct store_conn *c, const char *hash, enum realm realm,
	      int64_t principal, int64_t now)
{
	struct session_rec s;

	if (hash == NULL || strlen(hash) != CRYPTO_HASH_HEX - 1)
		return 0;
	if (c->ops->session_get(c, hash, &s) < 0)
		return 0;
	return s.realm == realm && s.principal_id == principal &&
	       !s.disabled && s.mfa && now < s.abs_expires &&
	       now - s.last_seen < s.idle_secs;
}

/* 1 when the ticket is as it was at the start: same customer and queue,
 * not solved, the same assignee (or, unassigned then, taken by the agent
 * since, e.g. by replying). */
static int
ticket_unchanged(const struct verification_rec *v, const struct ticket_rec *t)
{
	if (t->customer_id != v->customer_id || t->queue_id != v->queue_id ||
	    strcmp(t->status, "solved") == 0)
		return 0;
	return t->assignee_id == v->assignee_id ||
	       (v->assignee_id == 0 && t->assignee_id == v->staff_id);
}

/* 1 when every passed portal approval's customer session still exists. */
static int
approvals_alive(struct store_conn *c, const struct verification_rec *v,
		int64_t now)
{
	for (size_t i = 0; i < v->n_factors; i++) {
		const struct verification_factor *f = &v->f[i];

		if (strcmp(f->method, "portal_approval") == 0 &&
		    strcmp(f->state, "passed") == 0 &&
		    !session_alive(c, f->approver_session, REALM_CUSTOMER,
				   v->customer_id, now))
			return 0;
	}
	return 1;
}

int
verify_live(struct store_conn *c, const struct tk_actor *a,
	    const char *session_hash, const struct verification_rec *v,
	    int64_t now, const char **status)
{
	struct verification_lock k;
	struct ticket_rec t;
	int rc;

	*status = v->state;
	if (strcmp(v->state, "open") != 0)
		return -GH_VERIFICATION_FAILED;
	*status = "expired";
	if (now >= v->expires_at)
		return -GH_VERIFICATION_FAILED;
	*status = "ended";
	if (!actor_is_staff(a) || a->id != v->staff_id ||
	    session_hash == NULL ||
	    strlen(session_hash) != strlen(v->session_hash) ||
	    !crypto_equal(session_hash, v->session_hash,
			  strlen(v->session_hash)) ||
	    !session_alive(c, v->session_hash, REALM_STAFF, v->staff_id, now))
		return -GH_VERIFICATION_FAILED;
	rc = c->ops->verification_lock_get(c, v->ticket_id, &k);
	if (rc == 0)
		return -GH_VERIFICATION_FAILED;
	if (rc != -GH_NOT_FOUND)
		return rc;
	rc = actor_ticket(c, a, v->ticket_id, &t);
	if (rc == -GH_NOT_FOUND)
		return -GH_VERIFICATION_FAILED;
	if (rc < 0)
		return rc;
	if (!ticket_unchanged(v, &t) || !approvals_alive(c, v, now))
		return -GH_VERIFICATION_FAILED;
	*status = "open";
	return 0;
}

int
verify_view_fill(struct store_conn *c, const struct tk_actor *a,
		 const char *session_hash, int64_t now,
		 struct verify_view *view)
{
	int rc = verify_live(c, a, session_hash, &view->rec, now,
			     &view->status);

	view->level = 0;
	if (rc == 0)
		view->level = verify_level(&view->rec, NULL);
	return rc == -GH_VERIFICATION_FAILED ? 0 : rc;
}

int
verify_assurance(struct app *app, struct store_conn *c,
		 const struct tk_actor *a, const char *session_hash,
		 int64_t id, int64_t customer_id, int64_t now,
		 struct verify_assurance *out)
{
	struct verification_rec v;
	const char *status;
	int rc;

	(void)app;
	memset(out, 0, sizeof(*out));
	rc = c->ops->verification_get(c, id, &v);
	if (rc == -GH_NOT_FOUND)
		return -GH_VERIFICATION_REQUIRED;
	if (rc < 0)
		return rc;
	if (v.customer_id != customer_id)
		return -GH_VERIFICATION_REQUIRED;
	rc = verify_live(c, a, session_hash, &v, now, &status);
	if (rc == -GH_VERIFICATION_FAILED)
		return -GH_VERIFICATION_REQUIRED;
	if (rc < 0)
		return rc;
	out->verification_id = v.id;
	out->ticket_id = v.ticket_id;
	out->customer_id = v.customer_id;
	out->staff_id = v.staff_id;
	out->level = verify_level(&v, &out->possession);
	out->expires_at = v.expires_at;
	return 0;
}

/* --- starting and reading ---------------------------------------------- */

struct start_ctx {
	struct app *app;
	const struct tk_actor *a;
	const char *session_hash;
	int64_t ticket_id;
	int64_t now;
	int64_t id;
	int result;
};

/* Audits a refused start and makes it the outcome (committed). */
static int
start_refused(struct store_conn *c, struct start_ctx *x, int err,
	      const char *why)
{
	x->result = err;
	return actor_audit(x->app, c, x->a, "verification.start", "ticket",
			   x->ticket_id, "denied",
			   json_pack("{s:s}", "reason", why));
}

static int
tx_start(struct store_conn *c, void *cls)
{
	struct start_ctx *x = cls;
	struct verification_lock k;
	struct ticket_rec t;
	struct verification_recent recent;
	int64_t open = 0, ended = 0;
	int rc;

	rc = actor_ticket(c, x->a, x->ticket_id, &t);
	if (rc < 0)
		return rc; /* -GH_NOT_FOUND: audited as a refusal by http/ */
	rc = training_gate_check(x->app, c, x->a, "verification.start",
				 x->now);
	if (rc == -GH_TRAINING_REQUIRED) {
		x->result = rc; /* the refusal's record is committed */
		return 0;
	}
	if (rc < 0)
		return rc;
	rc = c->ops->verification_lock_get(c, t.id, &k);
	if (rc == 0)
		return start_refused(c, x, -GH_VERIFICATION_LOCKED, "locked");
	if (rc != -GH_NOT_FOUND)
		return rc;
	if (strcmp(t.status, "solved") == 0)
		return start_refused(c, x, -GH_BAD_STATE, "ticket solved");
	/* One live verification per agent and ticket: a new one ends the
	 * last. */
	rc = c->ops->verification_supersede(c, x->a->id, t.id, x->now,
					    &ended);
	if (rc == 0)
		rc = c->ops->verification_open_count(c, x->a->id, x->now,
						     &open);
	if (rc == 0)
		rc = c->ops->verification_recent(
			c, x->a->id, t.customer_id,
			x->now - VERIFY_WINDOW_SECS, &recent);
	if (rc < 0)
		return rc;
	if (open >= VERIFY_MAX_OPEN)
		return start_refused(c, x, -GH_RATE_LIMITED,
				     "too many open verifications");
	if (recent.starts >= VERIFY_STARTS_PER_HOUR)
		return start_refused(c, x, -GH_RATE_LIMITED,
				     "too many verifications this hour");
	rc = c->ops->verification_insert(
		c,
		&(struct verification_new){
			.staff_id = x->a->id,
			.session_hash = x->session_hash,
			.ticket_id = t.id,
			.customer_id = t.customer_id,
			.assignee_id = t.assignee_id,
			.queue_id = t.queue_id,
			.now = x->now,
			.expires_at = x->now +
				      x->app->cfg.verification_minutes * 60,
		},
		&x->id);
	if (rc < 0)
		return rc;
	return verify_audit(x->app, c, x->a, "verification.start", x->id,
			    "success",
			    json_pack("{s:I, s:I, s:I}", "ticket",
				      (json_int_t)t.id, "customer",
				      (json_int_t)t.customer_id, "ended",
				      (json_int_t)ended));
}

int
verify_start(struct app *app, struct store_conn *c, const struct tk_actor *a,
	     const char *session_hash, int64_t ticket_id, int64_t now,
	     struct verify_view *out)
{
	struct start_ctx x = {app, a, session_hash, ticket_id, now, 0, 0};
	int rc;

	memset(out, 0, sizeof(*out));
	if (!actor_is_staff(a) || session_hash == NULL ||
	    strlen(session_hash) != CRYPTO_HASH_HEX - 1)
		return -GH_FORBIDDEN;
	rc = store_transact(c, tx_start, &x);
	if (rc == 0)
		rc = x.result;
	if (rc < 0)
		return rc;
	return verify_get(app, c, a, session_hash, x.id, now, out);
}

int
verify_get(struct app *app, struct store_conn *c, const struct tk_actor *a,
	   const char *session_hash, int64_t id, int64_t now,
	   struct verify_view *out)
{
	int rc;

	(void)app;
	memset(out, 0, sizeof(*out));
	if (!actor_is_staff(a))
		return -GH_NOT_FOUND;
	rc = c->ops->verification_get(c, id, &out->rec);
	if (rc == 0 && out->rec.staff_id != a->id)
		rc = -GH_NOT_FOUND;
	if (rc == 0)
		rc = verify_view_fill(c, a, session_hash, now, out);
	if (rc < 0)
		memset(out, 0, sizeof(*out));
	return rc;
}

/* --- the lock ----------------------------------------------------------- */

struct clear_ctx {
	struct app *app;
	const struct tk_actor *a;
	int64_t ticket_id;
	const char *reason;
	int64_t now;
};

static int
tx_clear(struct store_conn *c, void *cls)
{
	struct clear_ctx *x = cls;
	struct verification_lock k;
	int rc;

	rc = actor_ticket(c, x->a, x->ticket_id, NULL);
	if (rc < 0)
		return rc;
	rc = c->ops->verification_lock_get(c, x->ticket_id, &k);
	if (rc == -GH_NOT_FOUND)
		return -GH_BAD_STATE;
	if (rc == 0)
		rc = c->ops->verification_lock_clear(c, x->ticket_id, x->a->id,
						     x->reason, x->now);
	if (rc < 0)
		return rc;
	return actor_audit(x->app, c, x->a, "verification.unlock", "ticket",
			   x->ticket_id, "success",
			   json_pack("{s:I, s:s, s:s}", "verification",
				     (json_int_t)k.verification_id,
				     "lock_reason", k.reason, "reason",
				     x->reason));
}

int
verify_lock_clear(struct app *app, struct store_conn *c,
		  const struct tk_actor *a, int64_t ticket_id,
		  const char *reason, int64_t now)
{
	struct clear_ctx x = {app, a, ticket_id, reason, now};
	int64_t n;

	if (!actor_is_supervisor(a))
		return -GH_FORBIDDEN;
	n = reason != NULL ? utf8_check(reason, strlen(reason), 1) : -1;
	if (n < VERIFY_REASON_MIN || n > VERIFY_REASON_MAX)
		return -GH_BAD_FIELD;
	return store_transact(c, tx_clear, &x);
}
