/*
 * Phishing-drill campaigns (core/drills.h): scheduling with its limits,
 * delivery of due targets as drill tickets from a template's disabled
 * pseudo-customer, and the supervisors' reads.
 *
 * Invariant: a drill ticket is written in one transaction with its first
 * message, its analysis, its mark (assigned to the target, in the
 * target's queue) and its audit record, and only while the target is
 * undelivered; so a target has at most one drill ticket and no drill
 * ticket is ever unmarked, not even for a moment.
 */
#include "core/drills.h"
#include "core/drills_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/inbound.h"
#include "core/sealed.h"
#include "crypto/crypto.h"
#include "util/errors.h"
#include "util/log.h"

/* Targets delivered per call of drills_deliver_due. */
#define DELIVER_BATCH 16

static int
require_supervisor(const struct tk_actor *a)
{
	return actor_is_supervisor(a) ? 0 : -GH_FORBIDDEN;
}

/* --- the pseudo-customers ---------------------------------------------- */

/* Creates the disabled pseudo-customer with blind index idx: a sealed
 * non-address, a random sealed TOTP seed, a password hash no password
 * matches. */
static int
sender_create(struct app *app, struct store_conn *c, const char *idx,
	      const char *name, int64_t *id_out)
{
	struct blob email = {NULL, 0}, seed = {NULL, 0};
	unsigned char secret[20];
	char ad[128];
	int rc = -GH_INTERNAL;

	crypto_random_bytes(secret, sizeof(secret));
	snprintf(ad, sizeof(ad), "customer.totp:%s", idx);
	if (sealed_field_seal(app->keys, idx, "email", DRILL_SENDER_EMAIL,
			      &email) < 0 ||
	    crypto_seal(app->keys, ad, secret, sizeof(secret), &seed.data,
			&seed.len) < 0)
		goto out;
	rc = c->ops->customer_insert(c,
				     &(struct customer_new){
					     .email_idx = idx,
					     .email = email,
					     .name = name,
					     .pw_hash = "!drill",
					     .totp_seed = seed,
					     .totp_enrolled = 0,
				     },
				     id_out);
	if (rc == 0)
		rc = c->ops->account_set_disabled(c, REALM_CUSTOMER, *id_out,
						  1);
out:
	crypto_wipe(secret, sizeof(secret));
	blob_clear(&email);
	blob_clear(&seed);
	return rc;
}

/* The pseudo-customer of template t, created the first time (in the
 * caller's transaction). */
static int
sender_of(struct app *app, struct store_conn *c,
	  const struct drill_template *t, int64_t *id_out)
{
	struct account acc;
	char idx[80];
	int rc;

	snprintf(idx, sizeof(idx), "%s%s", DRILL_SENDER_PREFIX, t->id);
	rc = c->ops->account_by_login(c, REALM_CUSTOMER, idx, &acc);
	if (rc == 0)
		*id_out = acc.id;
	account_clear(&acc);
	if (rc != -GH_NOT_FOUND)
		return rc;
	return sender_create(app, c, idx, t->sender, id_out);
}

/* --- delivery ------------------------------------------------------------ */

struct deliver_ctx {
	struct app *app;
	const struct drill_target *t;
	const struct drill_template *tpl;
	const struct inbound_result *in;
	const struct drill_file *file;
	int64_t now;
	int64_t ticket_id, mid;
};

static int
tx_deliver(struct store_conn *c, void *cls)
{
	struct deliver_ctx *x = cls;
	int64_t sender = 0;
	int rc;

	rc = sender_of(x->app, c, x->tpl, &sender);
	if (rc == 0)
		rc = c->ops->ticket_insert(c, sender, x->tpl->subject, x->now,
					   &x->ticket_id);
	if (rc == 0)
		rc = c->ops->message_insert(c, x->ticket_id, REALM_CUSTOMER,
					    sender, x->in->text, x->now,
					    &x->mid);
	if (rc == 0)
		rc = c->ops->message_set_analysis(c, x->mid,
						  x->in->redactions,
						  x->in->links);
	if (rc == 0)
		rc = drills_file_insert(x->app, c, x->file, x->ticket_id,
					sender, x->now);
	if (rc == 0)
		rc = c->ops->drills.target_delivered(c, x->t, x->ticket_id,
						     x->mid, x->now);
	if (rc == 0)
		rc = actor_audit(x->app, c, NULL, "drill.delivered", "ticket",
				 x->ticket_id, "success",
				 json_pack("{s:I, s:I, s:s}", "campaign",
					   (json_int_t)x->t->campaign_id,
					   "staff_id",
					   (json_int_t)x->t->staff_id,
					   "template", x->tpl->id));
	return rc;
}

/* One target: its message analysed like a customer's, then written. */
static int
deliver_one(struct app *app, struct store_conn *c,
	    const struct drill_target *t, int64_t now)
{
	const struct drill_template *tpl = drills_template(t->template_id);
	struct inbound_result in;
	struct drill_file file;
	struct deliver_ctx x;
	char *body;
	int rc;

	if (tpl == NULL)
		return -GH_INTERNAL;
	body = drills_template_body(tpl);
	if (body == NULL)
		return -GH_INTERNAL;
	rc = inbound_analyse(app, body, strlen(body), &in);
	free(body);
	if (rc < 0)
		return rc;
	rc = drills_file_prepare(app, tpl, &file);
	x = (struct deliver_ctx){app, t, tpl, &in, &file, now, 0, 0};
	if (rc == 0)
		rc = store_transact(c, tx_deliver, &x);
	drills_file_clear(&file);
	inbound_result_clear(&in);
	/* Another request delivered it meanwhile. */
	return rc == -GH_CONFLICT ? 0 : rc;
}

int
drills_deliver_due(struct app *app, struct store_conn *c, int64_t staff_id,
		   int64_t now)
{
	struct drill_target_list l;
	int rc;

	rc = c->ops->drills.target_due(c, now, staff_id, DELIVER_BATCH, &l);
	for (size_t i = 0; rc == 0 && i < l.n; i++)
		rc = deliver_one(app, c, &l.v[i], now);
	if (rc < 0)
		log_event(LOG_ERROR, "drill.deliver_failed",
			  json_pack("{s:i}", "error", -rc));
	drill_target_list_clear(&l);
	return rc;
}

/* --- scheduling ---------------------------------------------------------- */

struct schedule_ctx {
	struct app *app;
	const struct tk_actor *a;
	const struct drill_request *q;
	struct drill_campaign_new n;
	int64_t *staff, *queue;   /* owned: n.staff and n.queue */
	int64_t id;
};

static int
tx_schedule(struct store_conn *c, void *cls)
{
	struct schedule_ctx *x = cls;
	json_t *ids = json_array();
	int rc;

	if (ids == NULL)
		return -GH_INTERNAL;
	for (size_t i = 0; i < x->n.n; i++)
		json_array_append_new(ids, json_integer(x->n.staff[i]));
	rc = c->ops->drills.campaign_insert(c, &x->n, &x->id);
	if (rc < 0) {
		json_decref(ids);
		return rc;
	}
	return actor_audit(x->app, c, x->a, "drill.schedule", "drill", x->id,
			   "success",
			   json_pack("{s:s, s:I, s:o, s:s?}", "template",
				     x->n.template_id, "send_at",
				     (json_int_t)x->n.send_at, "staff", ids,
				     "queue", x->q->queue));
}

/* The queue a target's ticket goes to: the campaign's queue, else the
 * target's first queue, else general. */
static int64_t
target_queue(struct store_conn *c, int64_t staff_id, int64_t campaign_queue)
{
	struct queue_list l;
	int64_t q = STORE_QUEUE_GENERAL;

	if (campaign_queue > 0)
		return campaign_queue;
	if (c->ops->staff_queue_list(c, staff_id, &l) == 0 && l.n > 0)
		q = l.v[0].id;
	queue_list_clear(&l);
	return q;
}

/* 0 when id is an active staff member (each id once). */
static int
check_target(struct store_conn *c, const int64_t *ids, size_t i)
{
	struct account acc;
	int rc;

	for (size_t k = 0; k < i; k++)
		if (ids[k] == ids[i])
			return -GH_DRILL_NO_TARGETS;
	rc = c->ops->account_by_id(c, REALM_STAFF, ids[i], &acc);
	if (rc == 0 && acc.disabled)
		rc = -GH_NOT_FOUND;
	account_clear(&acc);
	return rc == -GH_NOT_FOUND ? -GH_DRILL_NO_TARGETS : rc;
}

/* The targets into x->n (staff and queue arrays malloc'd). */
static int
resolve_targets(struct app *app, struct store_conn *c,
		struct schedule_ctx *x, const char **bad_field)
{
	const struct drill_request *q = x->q;
	size_t max = (size_t)app->cfg.drill_max_targets, n = q->n_staff;
	int64_t *staff = calloc(max + 1, sizeof(*staff));
	int64_t *queue = calloc(max + 1, sizeof(*queue));
	struct queue_rec qr = {0};
	int rc = staff == NULL || queue == NULL ? -GH_INTERNAL : 0;

	*bad_field = q->queue != NULL ? "queue" : "staff";
	if (rc == 0 && q->queue != NULL)
		rc = c->ops->queue_by_name(c, q->queue, &qr);
	if (rc == -GH_NOT_FOUND)
		rc = -GH_UNKNOWN_QUEUE;
	if (rc == 0 && q->queue != NULL)
		rc = c->ops->drills.queue_staff(c, qr.id, staff, max + 1, &n);
	else if (rc == 0 && n <= max)
		memcpy(staff, q->staff, n * sizeof(*staff));
	if (rc == 0 && n > max)
		rc = -GH_DRILL_TOO_MANY_TARGETS;
	if (rc == 0 && n == 0)
		rc = -GH_DRILL_NO_TARGETS;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		rc = check_target(c, staff, i);
		queue[i] = target_queue(c, staff[i], qr.id);
	}
	x->staff = staff;
	x->queue = queue;
	x->n.staff = staff;
	x->n.queue = queue;
	x->n.n = n;
	return rc;
}

/* The limits that do not need the targets: role, template, time, rate. */
static int
schedule_check(struct app *app, struct store_conn *c,
	       const struct tk_actor *a, const struct drill_request *q,
	       int64_t now, const char **bad_field)
{
	int64_t recent = 0;
	int rc;

	rc = require_supervisor(a);
	if (rc < 0)
		return rc;
	*bad_field = "template";
	if (drills_template(q->template_id) == NULL)
		return -GH_UNKNOWN_TEMPLATE;
	*bad_field = "send_at";
	if (q->send_at != 0 &&
	    (q->send_at < now - 60 ||
	     q->send_at > now + DRILL_AHEAD_DAYS_MAX * 86400))
		return -GH_BAD_FIELD;
	*bad_field = NULL;
	rc = c->ops->drills.campaign_count(c, now - 3600, &recent);
	if (rc == 0 && recent >= app->cfg.drill_campaigns_per_hour)
		rc = -GH_RATE_LIMITED;
	return rc;
}

int
drills_schedule(struct app *app, struct store_conn *c,
		const struct tk_actor *a, const struct drill_request *q,
		int64_t now, int64_t *id_out, const char **bad_field)
{
	struct schedule_ctx x = {app, a, q, {0}, NULL, NULL, 0};
	int rc;

	*id_out = 0;
	*bad_field = NULL;
	rc = schedule_check(app, c, a, q, now, bad_field);
	if (rc == 0)
		rc = resolve_targets(app, c, &x, bad_field);
	if (rc == 0) {
		*bad_field = NULL;
		x.n.template_id = q->template_id;
		x.n.created_by = a->id;
		x.n.send_at = q->send_at > 0 ? q->send_at : now;
		x.n.now = now;
		rc = store_transact(c, tx_schedule, &x);
	}
	free(x.staff);
	free(x.queue);
	if (rc < 0)
		return rc;
	*id_out = x.id;
	/* What is due now goes out at once; a failure here leaves it due. */
	(void)drills_deliver_due(app, c, 0, now);
	return 0;
}

/* --- reads ---------------------------------------------------------------- */

int
drills_campaigns(struct store_conn *c, const struct tk_actor *a,
		 struct drill_campaign_list *out)
{
	*out = (struct drill_campaign_list){NULL, 0};
	if (require_supervisor(a) < 0)
		return -GH_FORBIDDEN;
	return c->ops->drills.campaign_list(c, out);
}

int
drills_campaign(struct store_conn *c, const struct tk_actor *a, int64_t id,
		struct drill_campaign *camp, struct drill_target_list *targets)
{
	int rc;

	*targets = (struct drill_target_list){NULL, 0};
	if (require_supervisor(a) < 0)
		return -GH_FORBIDDEN;
	rc = c->ops->drills.campaign_get(c, id, camp);
	if (rc == 0)
		rc = c->ops->drills.target_list(c, id, targets);
	return rc;
}
