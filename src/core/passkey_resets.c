/*
 * Staff passkey resets under dual control (see core/passkey_resets.h).
 * Every rule about the request and its target (the member exists, has a
 * passkey, is not the requester; the request is pending; the approver is
 * not the requester) is checked inside the transaction that acts on it,
 * so two admins deciding at once cannot both succeed; a refusal rolls that
 * transaction back and is recorded in one of its own.
 *
 * Invariant: the passkeys go, the sessions end, the mail is queued and
 * the audit record written in the very transaction that marks the
 * request approved: all of it commits or none.
 */
#include "core/passkey_resets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/notify.h"
#include "util/errors.h"
#include "util/utf8.h"

static int
valid_reason(const char *reason, int required)
{
	int64_t n;

	if (reason == NULL)
		return required ? -GH_BAD_FIELD : 0;
	n = utf8_check(reason, strlen(reason), 0);
	if (n < 0)
		return -GH_BAD_UTF8;
	if (n < PKRESET_REASON_MIN || n > PKRESET_REASON_MAX)
		return -GH_BAD_FIELD;
	return 0;
}

/* --- a request ------------------------------------------------------- */

struct req_ctx {
	struct app *app;
	const struct tk_actor *a;
	int64_t staff_id;
	const char *reason;
	int64_t now;
	int64_t id;
	const char *why;          /* a refusal's word for the audit */
};

static int
tx_request(struct store_conn *c, void *cls)
{
	struct req_ctx *x = cls;
	struct pkreset_list l = {NULL, 0};
	struct account acc;
	int64_t n = 0;
	int rc;

	rc = c->ops->account_by_id(c, REALM_STAFF, x->staff_id, &acc);
	if (rc < 0)
		return rc;
	account_clear(&acc);
	rc = c->ops->pkreset.expire(c, x->now, NULL);
	if (rc == 0)
		rc = c->ops->passkeys->count(c, REALM_STAFF, x->staff_id,
					       &n);
	if (rc < 0)
		return rc;
	if (n == 0) {
		x->why = "no_passkey";
		return -GH_NO_PASSKEY;
	}
	rc = c->ops->pkreset.list(c, "pending", &l);
	for (size_t i = 0; rc == 0 && i < l.n; i++)
		if (l.v[i].staff_id == x->staff_id)
			rc = -GH_RESET_PENDING;
	pkreset_list_clear(&l);
	if (rc == -GH_RESET_PENDING)
		x->why = "reset_pending";
	if (rc == 0)
		rc = c->ops->pkreset.insert(c, x->staff_id, x->a->id,
					    x->reason, x->now,
					    x->now + PKRESET_LIFE_SECS,
					    &x->id);
	if (rc == -GH_EXISTS)
		rc = -GH_RESET_PENDING; /* made meanwhile */
	if (rc < 0)
		return rc;
	return actor_audit(x->app, c, x->a, "passkey.reset_requested",
			   "staff", x->staff_id, "success",
			   json_pack("{s:I, s:s, s:I, s:I}", "request",
				     (json_int_t)x->id, "reason", x->reason,
				     "passkeys", (json_int_t)n, "expires_at",
				     (json_int_t)(x->now +
						  PKRESET_LIFE_SECS)));
}

/* The record of a refused request, in its own transaction. */
static int
tx_request_denied(struct store_conn *c, void *cls)
{
	struct req_ctx *x = cls;

	return actor_audit(x->app, c, x->a, "passkey.reset_requested",
			   "staff", x->staff_id, "denied",
			   json_pack("{s:s}", "reason", x->why));
}

int
pkreset_request(struct app *app, struct store_conn *c,
		const struct tk_actor *a, int64_t staff_id, const char *reason,
		int64_t now, struct pkreset_rec *out)
{
	struct req_ctx x = {.app = app, .a = a, .staff_id = staff_id,
			    .reason = reason, .now = now};
	int rc;

	memset(out, 0, sizeof(*out));
	if (!actor_is_admin(a))
		return -GH_FORBIDDEN;
	rc = valid_reason(reason, 1);
	if (rc < 0)
		return rc;
	if (staff_id == a->id) {
		x.why = "self_reset";
		rc = store_transact(c, tx_request_denied, &x);
		return rc < 0 ? rc : -GH_SELF_RESET;
	}
	rc = store_transact(c, tx_request, &x);
	if (rc < 0 && x.why != NULL) {
		int arc = store_transact(c, tx_request_denied, &x);

		rc = arc < 0 ? arc : rc;
	}
	if (rc == 0)
		rc = c->ops->pkreset.get(c, x.id, out);
	return rc;
}

/* --- a decision ------------------------------------------------------ */

struct decide_ctx {
	struct app *app;
	const struct tk_actor *a;
	int64_t id;
	int approve;
	const char *reason;
	int64_t now;
	int64_t staff_id;
	int64_t deleted;
	int64_t ended;
};

static const char reset_text[] =
	"Hello,\n\n"
	"Two administrators of %s removed every passkey of your staff "
	"account on %s, and every session of your account was ended.\n\n"
	"To work again, log in to the console with your password and the "
	"code of your authenticator app: you will be asked to register a "
	"new passkey.\n\n"
	"If you did not ask for this, tell your security team at once.\n";

/* The content-free notice to the member, queued in the transaction. */
static int
reset_notice(struct app *app, struct store_conn *c,
	     const struct pkreset_rec *r, int64_t now)
{
	char when[40];

	notify_when(now, when, sizeof(when));
	return notify_staff_event(app, c, r->staff_email,
				  "The passkeys of your account were removed",
				  "passkey_reset", now, reset_text,
				  app->cfg.company_name, when);
}

/* Approval: the passkeys go and the sessions end, with the notice. */
static int
approve_write(struct store_conn *c, struct decide_ctx *x,
	      const struct pkreset_rec *r)
{
	int rc = c->ops->passkeys->remove_all(c, REALM_STAFF, r->staff_id,
					      &x->deleted);

	if (rc == 0)
		rc = c->ops->session_delete_principal(c, REALM_STAFF,
						      r->staff_id, &x->ended);
	if (rc == 0)
		rc = c->ops->pkreset.decide(c, x->id, "approved", x->a->id,
					    x->reason, x->deleted, x->now);
	if (rc == 0)
		rc = reset_notice(x->app, c, r, x->now);
	return rc;
}

static int
tx_decide(struct store_conn *c, void *cls)
{
	struct decide_ctx *x = cls;
	struct pkreset_rec r;
	json_t *d;
	int rc;

	rc = c->ops->pkreset.expire(c, x->now, NULL);
	if (rc == 0)
		rc = c->ops->pkreset.get(c, x->id, &r);
	if (rc < 0)
		return rc;
	x->staff_id = r.staff_id;
	if (strcmp(r.state, "pending") != 0)
		return -GH_RESET_CLOSED;
	/* Neither the requester approves nor the member decides about their
	 * own passkeys: two people other than the member. */
	if ((x->approve && r.requested_by == x->a->id) ||
	    r.staff_id == x->a->id)
		return -GH_SELF_APPROVAL;
	if (x->approve)
		rc = approve_write(c, x, &r);
	else
		rc = c->ops->pkreset.decide(c, x->id, "denied", x->a->id,
					    x->reason, 0, x->now);
	if (rc == -GH_CONFLICT)
		rc = -GH_RESET_CLOSED;
	if (rc < 0)
		return rc;
	d = json_pack("{s:I, s:I}", "request", (json_int_t)x->id,
		      "requested_by", (json_int_t)r.requested_by);
	if (d != NULL && x->reason != NULL)
		json_object_set_new(d, "reason", json_string(x->reason));
	if (d != NULL && x->approve) {
		json_object_set_new(d, "passkeys_deleted",
				    json_integer(x->deleted));
		json_object_set_new(d, "sessions_ended",
				    json_integer(x->ended));
	}
	return actor_audit(x->app, c, x->a,
			   x->approve ? "passkey.reset" : "passkey.reset_denied",
			   "staff", r.staff_id, "success", d);
}

static int
tx_self_approval(struct store_conn *c, void *cls)
{
	struct decide_ctx *x = cls;

	return actor_audit(x->app, c, x->a,
			   x->approve ? "passkey.reset" : "passkey.reset_denied",
			   "staff", x->staff_id, "denied",
			   json_pack("{s:I, s:s}", "request", (json_int_t)x->id,
				     "reason", "self_approval"));
}

int
pkreset_decide(struct app *app, struct store_conn *c,
	       const struct tk_actor *a, int64_t id, int approve,
	       const char *reason, int64_t now, struct pkreset_rec *out)
{
	struct decide_ctx x = {.app = app, .a = a, .id = id,
			       .approve = approve, .reason = reason,
			       .now = now};
	int rc;

	memset(out, 0, sizeof(*out));
	if (!actor_is_admin(a))
		return -GH_FORBIDDEN;
	rc = valid_reason(reason, 0);
	if (rc < 0)
		return rc;
	rc = store_transact(c, tx_decide, &x);
	if (rc == -GH_SELF_APPROVAL) {
		int arc = store_transact(c, tx_self_approval, &x);

		rc = arc < 0 ? arc : rc;
	}
	if (rc == 0)
		rc = c->ops->pkreset.get(c, id, out);
	return rc;
}

static int
tx_expire(struct store_conn *c, void *cls)
{
	return c->ops->pkreset.expire(c, *(const int64_t *)cls, NULL);
}

int
pkreset_pending(struct app *app, struct store_conn *c,
		const struct tk_actor *a, int64_t now,
		struct pkreset_list *out)
{
	int rc;

	(void)app;
	out->v = NULL;
	out->n = 0;
	if (!actor_is_admin(a))
		return -GH_FORBIDDEN;
	rc = store_transact(c, tx_expire, &now);
	if (rc < 0)
		return rc;
	return c->ops->pkreset.list(c, "pending", out);
}

int
pkreset_staff_passkeys(struct store_conn *c, const struct tk_actor *a,
		       int64_t staff_id, struct passkey_list *out)
{
	struct account acc;
	int rc;

	out->v = NULL;
	out->n = 0;
	if (!actor_is_supervisor(a))
		return -GH_FORBIDDEN;
	rc = c->ops->account_by_id(c, REALM_STAFF, staff_id, &acc);
	if (rc < 0)
		return rc;
	account_clear(&acc);
	return c->ops->passkeys->list(c, REALM_STAFF, staff_id, out);
}
