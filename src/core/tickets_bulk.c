/*
 * Bulk changes of tickets (see core/bulk.h). The request is checked whole
 * first, with nothing written; then each ticket goes through the single
 * change functions of core/tickets.h, one transaction and one audit
 * record per change, and a "ticket.bulk" record sums the request up.
 * Nothing here decides what a caller may do to one ticket: the single
 * change functions do, so a bulk change can never do more than the same
 * changes made one by one.
 */
#include "core/bulk.h"

#include <string.h>

#include "core/audit.h"
#include "core/tickets.h"
#include "util/errors.h"

/* 0 when ids[0, n) are n (1..max) distinct ids >= 1. */
static int
check_ids(const int64_t *ids, size_t n, int64_t max)
{
	if (n < 1)
		return -GH_BAD_FIELD;
	if ((int64_t)n > max)
		return -GH_BULK_TOO_MANY;
	for (size_t i = 0; i < n; i++) {
		if (ids[i] < 1)
			return -GH_BAD_FIELD;
		for (size_t j = 0; j < i; j++)
			if (ids[j] == ids[i])
				return -GH_BAD_FIELD;
	}
	return 0;
}

static int
has_change(const struct bulk_change *ch)
{
	return ch->assign != 0 || ch->status != NULL || ch->priority != NULL ||
	       ch->queue != NULL || ch->n_add > 0 || ch->n_remove > 0;
}

/* The tags to add and remove, checked as tickets_set_tags checks them:
 * at most TICKET_TAGS_MAX each (-GH_TOO_MANY_TAGS), every one a tag and
 * none both added and removed (-GH_BAD_TAG). */
static int
check_tags(const struct bulk_change *ch)
{
	if (ch->n_add > TICKET_TAGS_MAX || ch->n_remove > TICKET_TAGS_MAX)
		return -GH_TOO_MANY_TAGS;
	for (size_t i = 0; i < ch->n_add; i++) {
		if (!tickets_valid_tag(ch->tags_add[i]))
			return -GH_BAD_TAG;
		for (size_t j = 0; j < ch->n_remove; j++)
			if (strcmp(ch->tags_add[i], ch->tags_remove[j]) == 0)
				return -GH_BAD_TAG;
	}
	for (size_t j = 0; j < ch->n_remove; j++)
		if (!tickets_valid_tag(ch->tags_remove[j]))
			return -GH_BAD_TAG;
	return 0;
}

/* The assignee: a staff member who exists and is active. */
static int
check_assignee(struct store_conn *c, int64_t staff_id)
{
	struct account acc;
	int rc;

	if (staff_id < 0)
		return -GH_BAD_FIELD;
	rc = c->ops->account_by_id(c, REALM_STAFF, staff_id, &acc);
	if (rc == -GH_NOT_FOUND)
		return -GH_UNKNOWN_STAFF;
	if (rc < 0)
		return rc;
	rc = acc.disabled ? -GH_STAFF_DISABLED : 0;
	account_clear(&acc);
	return rc;
}

/* The values of ch, each the way its single change would check it. */
static int
check_values(struct store_conn *c, const struct bulk_change *ch,
	     const char **field)
{
	struct queue_rec qr;
	int rc = 0;

	*field = "status";
	if (ch->status != NULL && !tickets_valid_status(ch->status))
		return -GH_BAD_FIELD;
	*field = "priority";
	if (ch->priority != NULL && !tickets_valid_priority(ch->priority))
		return -GH_BAD_PRIORITY;
	*field = "tags";
	rc = check_tags(ch);
	if (rc < 0)
		return rc;
	*field = "queue";
	if (ch->queue != NULL) {
		rc = tickets_queue_find(c, ch->queue, &qr);
		if (rc < 0)
			return rc;
	}
	*field = "assign";
	if (ch->assign != 0) {
		rc = check_assignee(c, ch->assign);
		if (rc < 0)
			return rc;
	}
	*field = NULL;
	return 0;
}

/* The whole request: bounds, the caller's rights, the values. */
static int
check_request(struct app *app, struct store_conn *c,
	      const struct tk_actor *a, const int64_t *ids, size_t n,
	      const struct bulk_change *ch, const char **field)
{
	int rc;

	*field = NULL;
	if (!actor_is_staff(a))
		return -GH_FORBIDDEN;
	*field = "ids";
	rc = check_ids(ids, n, app->cfg.bulk_max);
	if (rc < 0)
		return rc;
	*field = NULL;
	if (!has_change(ch))
		return -GH_BULK_NOTHING;
	/* Agents: what they may do to a ticket of their own, and taking
	 * tickets for themself; never moves or handing work to others. */
	if (!actor_is_supervisor(a) &&
	    (ch->queue != NULL || (ch->assign != 0 && ch->assign != a->id)))
		return -GH_FORBIDDEN;
	return check_values(c, ch, field);
}

/* Applies ch to ticket id; the first change that fails stops it. */
static void
apply_one(struct app *app, struct store_conn *c, const struct tk_actor *a,
	  const struct bulk_change *ch, struct bulk_result *res)
{
	struct ticket_rec t;
	int64_t id = res->id;
	int rc = 0;

	res->failed = "queue";
	if (ch->queue != NULL)
		rc = tickets_move(app, c, a, id, ch->queue, &t);
	if (rc == 0 && ch->assign != 0) {
		res->failed = "assign";
		rc = tickets_assign(app, c, a, id, ch->assign, &t);
	}
	if (rc == 0 && ch->status != NULL) {
		res->failed = "status";
		rc = tickets_set_status(app, c, a, id, ch->status, &t);
	}
	if (rc == 0 && ch->priority != NULL) {
		res->failed = "priority";
		rc = tickets_set_priority(app, c, a, id, ch->priority, &t);
	}
	if (rc == 0 && (ch->n_add > 0 || ch->n_remove > 0)) {
		res->failed = "tags";
		rc = tickets_set_tags(app, c, a, id, ch->tags_add, ch->n_add,
				      ch->tags_remove, ch->n_remove, &t);
	}
	res->rc = rc;
	if (rc == 0)
		res->failed = NULL;
}

/* The kinds of change ch names, as a JSON array. */
static json_t *
change_kinds(const struct bulk_change *ch)
{
	json_t *k = json_array();

	if (ch->queue != NULL)
		json_array_append_new(k, json_string("queue"));
	if (ch->assign != 0)
		json_array_append_new(k, json_string("assign"));
	if (ch->status != NULL)
		json_array_append_new(k, json_string("status"));
	if (ch->priority != NULL)
		json_array_append_new(k, json_string("priority"));
	if (ch->n_add > 0 || ch->n_remove > 0)
		json_array_append_new(k, json_string("tags"));
	return k;
}

struct summary_ctx {
	struct app *app;
	const struct tk_actor *a;
	const struct bulk_change *ch;
	int64_t requested, changed;
};

/* The summary record: who, how many tickets, how many changed, which
 * kinds of change; no target (each ticket has its own records). */
static int
tx_summary(struct store_conn *c, void *cls)
{
	struct summary_ctx *x = cls;
	char actor[48];

	actor_label(x->a, actor, sizeof(actor));
	return audit_log(
		x->app, c,
		&(struct audit_ev){
			.actor = actor,
			.action = "ticket.bulk",
			.outcome = "success",
			.ip = x->a->ip,
			.request_id = x->a->request_id,
			.detail = json_pack(
				"{s:I, s:I, s:I, s:o}", "requested",
				(json_int_t)x->requested, "changed",
				(json_int_t)x->changed, "failed",
				(json_int_t)(x->requested - x->changed),
				"changes", change_kinds(x->ch)),
		});
}

int
tickets_bulk(struct app *app, struct store_conn *c, const struct tk_actor *a,
	     const int64_t *ids, size_t n, const struct bulk_change *ch,
	     struct bulk_result *out, const char **field)
{
	struct summary_ctx x = {app, a, ch, (int64_t)n, 0};
	int rc;

	rc = check_request(app, c, a, ids, n, ch, field);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		out[i].id = ids[i];
		apply_one(app, c, a, ch, &out[i]);
		if (out[i].rc == 0)
			x.changed++;
	}
	return store_transact(c, tx_summary, &x);
}
