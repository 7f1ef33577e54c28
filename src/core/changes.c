/*
 * Account changes under dual control (see core/changes.h): the policy
 * (kinds, the level a request needs, the cooling-off with its floor), a
 * request once its verification is known (changes_request.c looks it
 * up), the approval, rejection and cancellation, and the listings. Each
 * step re-reads the request inside its write transaction and writes the
 * new state, the notice (approval) and the audit record there, so a
 * request changes state once and never without its record. Changes past
 * their cooling-off are applied (changes_apply.c) before any step or
 * listing, so nothing can be cancelled, rejected or shown as pending
 * after the moment it took effect.
 */
#include "core/changes_int.h"

#include <stdio.h>
#include <string.h>

#include "core/accounts.h"
#include "core/auth.h"
#include "core/sealed.h"
#include "util/errors.h"
#include "util/utf8.h"

static const char *const kinds[] = {"email", "phone", "mfa_reset",
				    "account_number", NULL};

static const char *const states[] = {"pending_approval", "cooling_off",
				     "applied", "cancelled", "rejected",
				     "failed", "open", NULL};

int64_t
changes_cooling_off_secs(const struct config *cfg)
{
	int64_t h = cfg->cooling_off_hours;

	if (h < CHANGE_COOLING_OFF_FLOOR_HOURS)
		h = CHANGE_COOLING_OFF_FLOOR_HOURS;
	if (h > CHANGE_COOLING_OFF_MAX_HOURS)
		h = CHANGE_COOLING_OFF_MAX_HOURS;
	return h * 3600;
}

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
changes_valid_kind(const char *kind)
{
	return in_list(kinds, kind);
}

int
changes_assurance_ok(int level, int possession)
{
	return level >= CHANGE_LEVEL_NEEDED && possession;
}

void
chg_value_ad(const char *kind, int64_t customer_id, const char *ref,
	     char *ad, size_t adsz)
{
	snprintf(ad, adsz, "change.%s:%lld:%s", kind, (long long)customer_id,
		 ref);
}

int
chg_audit(struct app *app, struct store_conn *c, const struct tk_actor *a,
	  const char *action, int64_t id, const char *outcome, json_t *detail)
{
	return actor_audit(app, c, a, action, "change", id, outcome, detail);
}

static int
valid_reason(const char *reason)
{
	int64_t n;

	if (reason == NULL)
		return -GH_BAD_FIELD;
	n = utf8_check(reason, strlen(reason), 0);
	if (n < 0)
		return -GH_BAD_UTF8;
	if (n < CHANGE_REASON_MIN || n > CHANGE_REASON_MAX)
		return -GH_BAD_FIELD;
	return 0;
}

/* --- a request ------------------------------------------------------- */

struct request_ctx {
	struct app *app;
	const struct tk_actor *a;
	const struct change_request_in *in;
	const struct chg_proof *p;
	int64_t now;
	char value[256];          /* the new value, normalised */
	char ref[40];
	struct blob sealed;
	int64_t id;
};

/* The kind and the form of its value: an e-mail address or phone
 * number, none for mfa_reset. account_number is refused as a whole:
 * this version stores no account number a change could be applied to,
 * and a request that could be approved but never take effect would be a
 * lie. */
static int
check_value(struct request_ctx *x, const char **field)
{
	const char *kind = x->in->kind;
	const char *v = x->in->value;

	*field = "kind";
	if (!changes_valid_kind(kind))
		return -GH_BAD_FIELD;
	if (strcmp(kind, "account_number") == 0)
		return -GH_CHANGE_NOT_ALLOWED;
	*field = "value";
	if (strcmp(kind, "mfa_reset") == 0)
		return v == NULL ? 0 : -GH_BAD_FIELD;
	if (v == NULL)
		return -GH_MISSING_FIELD;
	if (strcmp(kind, "email") == 0)
		return auth_normalize_email(v, x->value, sizeof(x->value)) < 0
			       ? -GH_BAD_FIELD
			       : 0;
	if (!accounts_valid_phone(v) || strlen(v) >= sizeof(x->value))
		return -GH_BAD_FIELD;
	snprintf(x->value, sizeof(x->value), "%s", v);
	return 0;
}

/* The customer exists and, for an e-mail change, the new address is
 * neither their current one (-GH_BAD_FIELD) nor another customer's
 * (-GH_EXISTS). */
static int
check_customer(struct store_conn *c, struct request_ctx *x)
{
	char idx[CRYPTO_HASH_HEX];
	struct customer_contact cc;
	struct account other;
	int rc;

	rc = c->ops->customer_contact(c, x->in->customer_id, &cc);
	if (rc < 0 || strcmp(x->in->kind, "email") != 0) {
		customer_contact_clear(&cc);
		return rc;
	}
	crypto_index(x->app->keys, "customer.email", x->value,
		     strlen(x->value), idx);
	if (strcmp(cc.email_idx, idx) == 0)
		rc = -GH_BAD_FIELD;
	customer_contact_clear(&cc);
	if (rc < 0)
		return rc;
	rc = c->ops->account_by_login(c, REALM_CUSTOMER, idx, &other);
	account_clear(&other);
	if (rc == 0)
		return -GH_EXISTS;
	return rc == -GH_NOT_FOUND ? 0 : rc;
}

/* A random reference and the value sealed under it. */
static int
seal_value(struct request_ctx *x)
{
	unsigned char rnd[16];
	char ad[200];

	crypto_random_bytes(rnd, sizeof(rnd));
	if (crypto_hex_encode(rnd, sizeof(rnd), x->ref, sizeof(x->ref)) < 0)
		return -GH_INTERNAL;
	if (strcmp(x->in->kind, "mfa_reset") == 0)
		return 0;
	chg_value_ad(x->in->kind, x->in->customer_id, x->ref, ad, sizeof(ad));
	if (crypto_seal(x->app->keys, ad, x->value, strlen(x->value),
			&x->sealed.data, &x->sealed.len) < 0)
		return -GH_INTERNAL;
	return 0;
}

static int
tx_request(struct store_conn *c, void *cls)
{
	struct request_ctx *x = cls;
	const struct change_request_in *in = x->in;
	int rc;

	rc = c->ops->change_insert(
		c,
		&(struct change_new){.ref = x->ref,
				     .customer_id = in->customer_id,
				     .kind = in->kind,
				     .value = x->sealed,
				     .requested_by = x->a->id,
				     .verification_id = x->p->verification_id,
				     .ticket_id = x->p->ticket_id,
				     .reason = in->reason,
				     .now = x->now},
		&x->id);
	if (rc == -GH_EXISTS)
		return -GH_CHANGE_NOT_ALLOWED;
	if (rc < 0)
		return rc;
	return chg_audit(x->app, c, x->a, "change.request", x->id, "success",
			 json_pack("{s:s, s:I, s:I, s:I, s:s}", "kind",
				   in->kind, "customer",
				   (json_int_t)in->customer_id, "ticket",
				   (json_int_t)x->p->ticket_id, "verification",
				   (json_int_t)x->p->verification_id, "reason",
				   in->reason));
}

/* The refusal of a request for want of verification, audited on the
 * customer (no request exists). */
static int
tx_request_denied(struct store_conn *c, void *cls)
{
	struct request_ctx *x = cls;

	return actor_audit(x->app, c, x->a, "change.request", "customer",
			   x->in->customer_id, "denied",
			   json_pack("{s:s, s:s, s:I, s:i, s:i}", "kind",
				     x->in->kind, "reason",
				     "verification_required", "verification",
				     (json_int_t)x->in->verification_id,
				     "level_needed", CHANGE_LEVEL_NEEDED,
				     "level_held", x->p->level));
}

/* The form of the input, then the proof, then what depends on the
 * customer: bad input is the caller's mistake and answered first; a
 * missing proof is a security refusal, audited, and says nothing about
 * the customer (not even whether they exist). */
static int
request_check(struct store_conn *c, struct request_ctx *x,
	      const char **field)
{
	int rc;

	*field = "reason";
	rc = valid_reason(x->in->reason);
	if (rc == 0)
		rc = check_value(x, field);
	if (rc < 0)
		return rc;
	*field = NULL;
	if (!changes_assurance_ok(x->p->level, x->p->possession)) {
		rc = store_transact(c, tx_request_denied, x);
		return rc < 0 ? rc : -GH_VERIFICATION_REQUIRED;
	}
	rc = check_customer(c, x);
	if (rc == -GH_BAD_FIELD || rc == -GH_EXISTS)
		*field = "value";
	return rc;
}

int
chg_request(struct app *app, struct store_conn *c, const struct tk_actor *a,
	    const struct change_request_in *in, const struct chg_proof *p,
	    int64_t now, struct change_rec *out, const char **field,
	    int *level_held)
{
	struct request_ctx x;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&x, 0, sizeof(x));
	x = (struct request_ctx){.app = app, .a = a, .in = in, .p = p,
				 .now = now};
	*field = NULL;
	*level_held = p->level;
	if (!actor_is_staff(a))
		return -GH_FORBIDDEN;
	/* Due changes first (errors are logged there; a change that did not
	 * apply is past every step anyway). */
	(void)changes_apply_due(app, c, now, NULL);
	rc = request_check(c, &x, field);
	if (rc == 0)
		rc = seal_value(&x);
	if (rc == 0)
		rc = store_transact(c, tx_request, &x);
	if (rc == 0)
		rc = c->ops->change_get(c, x.id, out);
	change_rec_clear(out);
	crypto_wipe(x.value, sizeof(x.value));
	blob_clear(&x.sealed);
	return rc;
}

/* --- decisions ------------------------------------------------------- */

enum chg_op { OP_APPROVE, OP_REJECT, OP_CANCEL };

struct decide_ctx {
	struct app *app;
	const struct tk_actor *a;
	int64_t id;
	const char *reason;
	int64_t now;
	enum chg_op op;
};

static const char *const op_action[] = {"change.approve", "change.reject",
					"change.cancel"};

/* Whether x's actor may take x's step on r now. A change whose
 * cooling-off is over is past every step, applied or not yet. */
static int
may_decide(const struct decide_ctx *x, const struct change_rec *r)
{
	int open = strcmp(r->state, "pending_approval") == 0 ||
		   (strcmp(r->state, "cooling_off") == 0 &&
		    r->apply_after > x->now);

	if (x->op == OP_CANCEL && r->customer_id != x->a->id)
		return -GH_NOT_FOUND;
	if (x->op != OP_APPROVE)
		return open ? 0 : -GH_CHANGE_NOT_ALLOWED;
	if (strcmp(r->state, "pending_approval") != 0)
		return -GH_CHANGE_NOT_ALLOWED;
	return r->requested_by == x->a->id ? -GH_SELF_APPROVAL : 0;
}

static json_t *
decide_detail(const struct decide_ctx *x, const struct change_rec *r)
{
	json_t *d = json_pack("{s:s, s:I}", "kind", r->kind, "customer",
			      (json_int_t)r->customer_id);

	if (d != NULL && x->reason != NULL)
		json_object_set_new(d, "reason", json_string(x->reason));
	if (d != NULL && x->op == OP_APPROVE)
		json_object_set_new(d, "apply_after",
				    json_integer(r->apply_after));
	return d;
}

/* The step itself on r, read in this transaction. */
static int
decide_write(struct store_conn *c, struct decide_ctx *x,
	     struct change_rec *r)
{
	char who[48];

	actor_label(x->a, who, sizeof(who));
	if (x->op == OP_CANCEL)
		return c->ops->change_close(c, x->id, "cancelled", who,
					    "cancelled by the customer",
					    x->now);
	if (x->op == OP_REJECT)
		return c->ops->change_close(c, x->id, "rejected", who,
					    x->reason, x->now);
	r->apply_after = x->now + changes_cooling_off_secs(&x->app->cfg);
	return c->ops->change_approve(c, x->id, x->a->id, x->reason,
				      r->apply_after, x->now);
}

static int
tx_decide(struct store_conn *c, void *cls)
{
	struct decide_ctx *x = cls;
	struct change_rec r;
	int rc;

	rc = c->ops->change_get(c, x->id, &r);
	if (rc == 0)
		rc = may_decide(x, &r);
	if (rc == 0)
		rc = decide_write(c, x, &r);
	if (rc == -GH_CONFLICT)
		rc = -GH_CHANGE_NOT_ALLOWED;
	if (rc == 0 && x->op == OP_APPROVE)
		rc = chg_notice(x->app, c, &r, 0, x->now);
	if (rc == 0)
		rc = chg_audit(x->app, c, x->a, op_action[x->op], x->id,
			       "success", decide_detail(x, &r));
	change_rec_clear(&r);
	return rc;
}

static int
tx_self_approval(struct store_conn *c, void *cls)
{
	struct decide_ctx *x = cls;

	return chg_audit(x->app, c, x->a, "change.approve", x->id, "denied",
			 json_pack("{s:s}", "reason", "self_approval"));
}

/* Who may take the step at all, and the reason it needs. */
static int
decide_precheck(const struct decide_ctx *x)
{
	if (x->op == OP_CANCEL)
		return actor_is_customer(x->a) ? 0 : -GH_FORBIDDEN;
	if (!actor_is_supervisor(x->a))
		return -GH_FORBIDDEN;
	return valid_reason(x->reason);
}

static int
decide(struct app *app, struct store_conn *c, struct decide_ctx *x,
       struct change_rec *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	x->app = app;
	rc = decide_precheck(x);
	if (rc < 0)
		return rc;
	(void)changes_apply_due(app, c, x->now, NULL);
	rc = store_transact(c, tx_decide, x);
	if (rc == -GH_SELF_APPROVAL) {
		int arc = store_transact(c, tx_self_approval, x);

		rc = arc < 0 ? arc : rc;
	}
	if (rc == 0)
		rc = c->ops->change_get(c, x->id, out);
	change_rec_clear(out);
	return rc;
}

int
changes_approve(struct app *app, struct store_conn *c,
		const struct tk_actor *a, int64_t id, const char *reason,
		int64_t now, struct change_rec *out)
{
	struct decide_ctx x = {.a = a, .id = id, .reason = reason, .now = now,
			       .op = OP_APPROVE};

	return decide(app, c, &x, out);
}

int
changes_reject(struct app *app, struct store_conn *c,
	       const struct tk_actor *a, int64_t id, const char *reason,
	       int64_t now, struct change_rec *out)
{
	struct decide_ctx x = {.a = a, .id = id, .reason = reason, .now = now,
			       .op = OP_REJECT};

	return decide(app, c, &x, out);
}

int
changes_cancel(struct app *app, struct store_conn *c,
	       const struct tk_actor *a, int64_t id, int64_t now,
	       struct change_rec *out)
{
	struct decide_ctx x = {.a = a, .id = id, .now = now, .op = OP_CANCEL};

	return decide(app, c, &x, out);
}

/* --- listings -------------------------------------------------------- */

int
changes_list(struct app *app, struct store_conn *c, const struct tk_actor *a,
	     const char *state, int64_t limit, int64_t offset, int64_t now,
	     struct change_list *out)
{
	struct change_query q = {0, state, limit, offset};

	out->v = NULL;
	out->n = 0;
	if (actor_is_customer(a))
		q.customer_id = a->id;
	else if (!actor_is_supervisor(a))
		return -GH_FORBIDDEN;
	if (state != NULL && !in_list(states, state))
		return -GH_BAD_FIELD;
	if (limit < 1 || limit > CHANGE_LIST_MAX || offset < 0)
		return -GH_BAD_FIELD;
	(void)changes_apply_due(app, c, now, NULL);
	return c->ops->change_list(c, &q, out);
}
