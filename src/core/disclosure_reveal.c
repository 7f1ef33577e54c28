/*
 * The reveal (see core/disclosure.h): one write transaction checks, in
 * this order, the staff member's reveal lock, that they see the
 * customer, the verification's assurance (core/verify.h) against the
 * field's class, and the hourly limit; then opens the value and records
 * the reveal with its audit record. A refusal that is part of the gate
 * (locked, verification not enough, the limit reached) is committed with
 * its own audit record, and the limit's lock and alerts with it, before
 * the error is returned.
 *
 * Invariant: the clear value exists only in secure memory owned by the
 * outcome, and only when the reveal and its audit record were committed.
 */
#include "core/disclosure.h"

#include <stdio.h>
#include <string.h>

#include "core/disclosure_int.h"
#include "core/sealed.h"
#include "core/training.h"
#include "core/verify.h"
#include "util/errors.h"

struct reveal_ctx {
	struct app *app;
	const struct tk_actor *a;
	const struct disclosure_ask *q;
	const char *field;      /* the field's name (out->field) */
	int level;              /* the level its class needs */
	struct disclosure_reveal *out;
	int refused;            /* a refusal committed with its record */
};

/* Audits a refused reveal (why: "locked", "verification", "staff_mfa",
 * "limit") and makes err the outcome once committed. */
static int
refuse(struct store_conn *c, struct reveal_ctx *x, int err, const char *why)
{
	json_t *d = json_pack("{s:s, s:s, s:I, s:i, s:i}", "field",
			      x->field, "refusal", why, "verification",
			      (json_int_t)x->q->verification_id,
			      "level_needed", x->out->level_needed,
			      "level_held", x->out->level_held);

	x->refused = err;
	return actor_audit(x->app, c, x->a, "customer.reveal", "customer",
			   x->q->customer_id, "denied", d);
}

int
disclosure_limit(struct app *app, struct store_conn *c, int64_t staff_id,
		 int64_t now, struct disclosure_limit *out)
{
	struct reveal_lock l;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = c->ops->disclosure.reveal_lock_get(c, staff_id, &l);
	if (rc == -GH_NOT_FOUND) {
		memset(&l, 0, sizeof(l));
		rc = 0;
	} else if (rc == 0) {
		out->locked = l.cleared_at == 0;
	}
	if (rc < 0)
		return rc;
	out->since = disclosure_window_start(now, l.cleared_at);
	rc = c->ops->disclosure.reveal_count(c, staff_id, out->since, &out->count);
	if (rc == 0)
		out->over = disclosure_quota(out->count,
					     app->cfg.reveals_per_hour) < 0;
	return rc;
}

/* The assurance the verification gives: *as filled, out->level_held set;
 * a verification that gives none is level 0, not an error. */
static int
assurance(struct store_conn *c, struct reveal_ctx *x,
	  struct verify_assurance *as)
{
	int rc = verify_assurance(x->app, c, x->a, x->q->session_hash,
				  x->q->verification_id, x->q->customer_id,
				  x->q->now, as);

	if (rc == -GH_VERIFICATION_REQUIRED) {
		memset(as, 0, sizeof(*as));
		rc = 0;
	}
	x->out->level_held = as->level;
	return rc;
}

/* Opens the field's value into out->value; -GH_NOT_FOUND when the
 * customer has none. */
static int
open_value(struct store_conn *c, struct reveal_ctx *x)
{
	struct pfield_list l = {NULL, 0};
	int rc;

	rc = customer_fields(x->app, c, x->q->customer_id, &l);
	for (size_t i = 0; rc == 0 && i < l.n; i++)
		if (strcmp(l.v[i].name, x->field) == 0)
			rc = pfield_open(x->app, &l.v[i], &x->out->value);
	pfield_list_clear(&l);
	if (rc == 0 && x->out->value == NULL)
		rc = -GH_NOT_FOUND;
	return rc;
}

/* Records the reveal and its audit record. */
static int
record(struct store_conn *c, struct reveal_ctx *x,
       const struct verify_assurance *as)
{
	struct reveal_new n = {x->a->id, x->q->customer_id, as->ticket_id,
			       as->verification_id, x->field, x->q->reason,
			       x->q->now};
	int rc = c->ops->disclosure.reveal_insert(c, &n, &x->out->reveal_id);

	if (rc == 0)
		rc = actor_audit(
			x->app, c, x->a, "customer.reveal", "customer",
			x->q->customer_id, "success",
			json_pack("{s:s, s:s, s:I, s:I, s:i}", "field",
				  x->field, "reason", x->q->reason,
				  "verification", (json_int_t)as->verification_id,
				  "ticket", (json_int_t)as->ticket_id, "level",
				  as->level));
	return rc;
}

/* The checks after the lock: the verification, then the limit. */
static int
gate(struct store_conn *c, struct reveal_ctx *x,
     const struct disclosure_limit *lim, struct verify_assurance *as)
{
	int rc;

	rc = assurance(c, x, as);
	if (rc < 0)
		return rc;
	if (!x->q->staff_mfa)
		return refuse(c, x, -GH_VERIFICATION_REQUIRED, "staff_mfa");
	if (disclosure_rule(x->level, as->level, x->q->staff_mfa) < 0)
		return refuse(c, x, -GH_VERIFICATION_REQUIRED, "verification");
	if (!lim->over)
		return 0;
	rc = disclosure_lock_tx(x->app, c, x->a, lim->count, x->q->now);
	if (rc == 0)
		rc = refuse(c, x, -GH_REVEALS_LOCKED, "limit");
	return rc;
}

static int
tx_reveal(struct store_conn *c, void *cls)
{
	struct reveal_ctx *x = cls;
	struct verify_assurance as;
	struct disclosure_limit lim;
	int rc;

	/* A retried transaction starts again from nothing. */
	crypto_secret_free(x->out->value);
	x->out->value = NULL;
	x->out->level_held = 0;
	x->refused = 0;
	rc = disclosure_limit(x->app, c, x->a->id, x->q->now, &lim);
	if (rc == 0 && lim.locked)
		return refuse(c, x, -GH_REVEALS_LOCKED, "locked");
	if (rc == 0)
		rc = disclosure_may_view(c, x->a, x->q->customer_id);
	if (rc == 0)
		rc = training_gate_check(x->app, c, x->a, "customer.reveal",
					 x->q->now);
	if (rc == -GH_TRAINING_REQUIRED) {
		x->refused = rc; /* the refusal's record is committed */
		return 0;
	}
	if (rc == 0)
		rc = gate(c, x, &lim, &as);
	if (rc < 0 || x->refused)
		return rc;
	rc = open_value(c, x);
	if (rc == 0)
		rc = record(c, x, &as);
	return rc;
}

/* The class of the field called name: a built-in's, or a custom field's
 * definition. -GH_BAD_FIELD when there is neither. */
static int
field_class(struct store_conn *c, const char *name, char cls[4])
{
	const struct disclosure_field *f = disclosure_field_find(name);
	struct field_def d;
	int rc;

	if (f != NULL) {
		snprintf(cls, 4, "%s", f->cls);
		return 0;
	}
	if (name == NULL || strlen(name) > DISCLOSURE_FIELD_MAX)
		return -GH_BAD_FIELD;
	rc = c->ops->field_def_by_name(c, name, &d);
	if (rc == -GH_NOT_FOUND)
		return -GH_BAD_FIELD;
	if (rc == 0)
		snprintf(cls, 4, "%s", d.cls);
	return rc;
}

/* The request's own checks, before the transaction: the actor, the
 * field and its level, the reason. */
static int
ask_check(struct store_conn *c, struct reveal_ctx *x)
{
	char cls[4] = "";
	int rc;

	if (!actor_is_staff(x->a))
		return -GH_FORBIDDEN;
	rc = field_class(c, x->q->field, cls);
	if (rc < 0)
		return rc;
	x->field = x->q->field;
	x->level = disclosure_class_level(cls);
	snprintf(x->out->field, sizeof(x->out->field), "%s", x->field);
	x->out->level_needed = x->level;
	rc = disclosure_reason_check(x->q->reason);
	if (rc == 0 && x->q->verification_id <= 0)
		rc = -GH_BAD_FIELD;
	return rc;
}

int
disclosure_reveal(struct app *app, struct store_conn *c,
		  const struct tk_actor *a, const struct disclosure_ask *q,
		  struct disclosure_reveal *out)
{
	struct reveal_ctx x = {app, a, q, NULL, 0, out, 0};
	int rc;

	memset(out, 0, sizeof(*out));
	rc = ask_check(c, &x);
	if (rc < 0)
		return rc;
	out->staff_id = a->id;
	out->hide_after = app->cfg.reveal_hide_seconds;
	rc = store_transact(c, tx_reveal, &x);
	if (rc == 0 && x.refused)
		rc = x.refused;
	if (rc == 0)
		rc = c->ops->staff_name(c, a->id, out->staff_name,
					sizeof(out->staff_name));
	if (rc < 0) {
		crypto_secret_free(out->value);
		out->value = NULL;
	}
	return rc;
}

void
disclosure_reveal_clear(struct disclosure_reveal *r)
{
	if (r == NULL)
		return;
	crypto_secret_free(r->value);
	r->value = NULL;
}
