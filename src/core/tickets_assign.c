/*
 * Assignment, status and queue moves (see core/tickets.h): each a change
 * of one ticket in one transaction with its audit record. The rules are
 * checked inside the transaction against the ticket as it is then, so an
 * agent never acts on a ticket that changed hands meanwhile; an agent
 * takes only what is free in their queues or already theirs, and changes
 * the status only of a ticket they hold.
 */
#include "core/tickets.h"

#include <string.h>
#include <time.h>

#include "core/events.h"
#include "core/tickets_int.h"
#include "util/errors.h"

struct change_ctx {
	struct app *app;
	const struct tk_actor *a;
	int64_t ticket_id;
	int64_t staff_id;     /* assign */
	const char *status;   /* status */
	int64_t now;
	const char *queue;    /* move */
};

static int
tx_assign(struct store_conn *c, void *cls)
{
	struct change_ctx *x = cls;
	struct ticket_query q;
	struct ticket_rec t;
	struct account target;
	int rc;

	actor_ticket_query(x->a, &q);
	rc = c->ops->staff_ticket_get(c, &q, x->ticket_id, &t);
	if (rc < 0)
		return rc;
	if (!q.see_all) {
		/* Visible to an agent means theirs already, or unassigned in
		 * one of their queues; taking it needs the queue either way. */
		if (x->staff_id != x->a->id ||
		    (t.assignee_id != 0 && t.assignee_id != x->a->id))
			return -GH_FORBIDDEN;
		rc = c->ops->staff_in_queue(c, x->a->id, t.queue_id);
		if (rc == -GH_NOT_FOUND)
			return -GH_FORBIDDEN;
		if (rc < 0)
			return rc;
	}
	rc = c->ops->account_by_id(c, REALM_STAFF, x->staff_id, &target);
	if (rc == -GH_NOT_FOUND)
		return -GH_UNKNOWN_STAFF;
	if (rc < 0)
		return rc;
	rc = target.disabled ? -GH_STAFF_DISABLED : 0;
	account_clear(&target);
	if (rc < 0)
		return rc;
	if (t.assignee_id == x->staff_id)
		return 0;
	rc = c->ops->ticket_update(c, t.id, t.status, x->staff_id, x->now);
	if (rc == 0)
		rc = events_append(c, EV_TICKET_ASSIGNED, t.id, t.assignee_id,
				   REALM_STAFF, x->a->id);
	if (rc < 0)
		return rc;
	return tk_audit(x->app, c, x->a, "ticket.assign", t.id, "success",
		     json_pack("{s:I, s:I}", "from", (json_int_t)t.assignee_id,
			       "to", (json_int_t)x->staff_id));
}

static int
tx_status(struct store_conn *c, void *cls)
{
	struct change_ctx *x = cls;
	struct ticket_query q;
	struct ticket_rec t;
	int rc;

	actor_ticket_query(x->a, &q);
	rc = c->ops->staff_ticket_get(c, &q, x->ticket_id, &t);
	if (rc < 0)
		return rc;
	/* Least privilege: an agent changes the status only of a ticket they
	 * hold; an unassigned one has to be taken first (supervisors and
	 * admins are exempt). */
	if (!q.see_all && t.assignee_id != x->a->id)
		return -GH_NOT_ASSIGNED;
	if (strcmp(t.status, x->status) == 0)
		return 0;
	rc = c->ops->ticket_update(c, t.id, x->status, t.assignee_id, x->now);
	if (rc == 0)
		rc = sla_on_change(x->app, c, t.id, x->now);
	if (rc == 0)
		rc = events_append(c, EV_TICKET_STATUS, t.id, 0, REALM_STAFF,
				   x->a->id);
	if (rc < 0)
		return rc;
	return tk_audit(x->app, c, x->a, "ticket.status", t.id, "success",
		     json_pack("{s:s, s:s}", "from", t.status, "to",
			       x->status));
}

static int
tx_move(struct store_conn *c, void *cls)
{
	struct change_ctx *x = cls;
	struct ticket_query q;
	struct ticket_rec t;
	struct queue_rec to;
	int rc;

	actor_ticket_query(x->a, &q);
	if (!q.see_all)
		return -GH_FORBIDDEN;
	rc = tickets_queue_find(c, x->queue, &to);
	if (rc < 0)
		return rc;
	rc = c->ops->staff_ticket_get(c, &q, x->ticket_id, &t);
	if (rc < 0)
		return rc;
	if (t.queue_id == to.id)
		return 0;
	rc = c->ops->ticket_set_queue(c, t.id, to.id, x->now);
	if (rc == 0)
		rc = sla_on_change(x->app, c, t.id, x->now);
	if (rc == 0)
		rc = events_append(c, EV_TICKET_QUEUE, t.id, t.queue_id,
				   REALM_STAFF, x->a->id);
	if (rc < 0)
		return rc;
	return tk_audit(x->app, c, x->a, "ticket.queue", t.id, "success",
		     json_pack("{s:s, s:s}", "from", t.queue_name, "to",
			       to.name));
}

static int
change(struct app *app, struct store_conn *c, struct change_ctx *x,
       store_tx_fn fn, struct ticket_rec *out)
{
	struct ticket_query q;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!actor_is_staff(x->a))
		return -GH_FORBIDDEN;
	(void)app;
	x->now = (int64_t)time(NULL);
	rc = store_transact(c, fn, x);
	if (rc < 0)
		return rc;
	/* Read back with see-all: after handing a ticket to a colleague the
	 * agent still gets the outcome of their own action. */
	actor_ticket_query(x->a, &q);
	q.see_all = 1;
	return c->ops->staff_ticket_get(c, &q, x->ticket_id, out);
}

int
tickets_assign(struct app *app, struct store_conn *c, const struct tk_actor *a,
	       int64_t ticket_id, int64_t staff_id, struct ticket_rec *out)
{
	struct change_ctx x = {app, a, ticket_id, staff_id, NULL, 0, NULL};

	if (staff_id <= 0) {
		memset(out, 0, sizeof(*out));
		return -GH_BAD_FIELD;
	}
	return change(app, c, &x, tx_assign, out);
}

int
tickets_set_status(struct app *app, struct store_conn *c,
		   const struct tk_actor *a, int64_t ticket_id,
		   const char *status, struct ticket_rec *out)
{
	struct change_ctx x = {app, a, ticket_id, 0, status, 0, NULL};

	if (!tickets_valid_status(status)) {
		memset(out, 0, sizeof(*out));
		return -GH_BAD_FIELD;
	}
	return change(app, c, &x, tx_status, out);
}

int
tickets_move(struct app *app, struct store_conn *c, const struct tk_actor *a,
	     int64_t ticket_id, const char *queue, struct ticket_rec *out)
{
	struct change_ctx x = {app, a, ticket_id, 0, NULL, 0, queue};

	memset(out, 0, sizeof(*out));
	if (!actor_is_supervisor(a))
		return -GH_FORBIDDEN;
	if (!tickets_valid_queue_name(queue))
		return -GH_UNKNOWN_QUEUE;
	return change(app, c, &x, tx_move, out);
}

