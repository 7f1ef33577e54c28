/*
 * Held replies (see core/tickets.h): a reply the outbound check could not
 * run on in full waits, stored apart from the messages, for a supervisor
 * or admin other than its author. Releasing runs every detector again but
 * the note copy (the releaser vouches for that part) and then sends the
 * reply as its author wrote it, with its notification, in one
 * transaction; discarding closes it. Both are audited with the decider's
 * reason, and so is a refusal to let an author decide on their own reply.
 * The state is checked again inside each write transaction, so a reply is
 * released or discarded once.
 */
#include "core/tickets.h"

#include <string.h>
#include <time.h>

#include "core/events.h"
#include "core/tickets_int.h"
#include "util/errors.h"
#include "util/utf8.h"

int
tickets_held_list(struct app *app, struct store_conn *c,
		  const struct tk_actor *a, int64_t ticket_id,
		  struct held_list *out)
{
	int rc;

	(void)app;
	out->v = NULL;
	out->n = 0;
	if (!actor_is_staff(a))
		return -GH_FORBIDDEN;
	rc = actor_ticket(c, a, ticket_id, NULL);
	if (rc < 0)
		return rc;
	return c->ops->held_list(c, ticket_id, out);
}

int
tickets_staff_view(struct app *app, struct store_conn *c,
		   const struct tk_actor *a, int64_t ticket_id,
		   struct ticket_rec *t, struct thread_list *msgs,
		   struct thread_list *notes, struct held_list *held)
{
	int rc;

	held->v = NULL;
	held->n = 0;
	rc = tickets_staff_get(app, c, a, ticket_id, t, msgs, notes);
	if (rc < 0)
		return rc;
	/* Visible: tickets_staff_get checked it for this actor just now. */
	rc = c->ops->held_list(c, ticket_id, held);
	if (rc < 0) {
		thread_list_clear(msgs);
		thread_list_clear(notes);
	}
	return rc;
}

struct decide_ctx {
	struct app *app;
	const struct tk_actor *a;
	int64_t ticket_id;
	int64_t held_id;
	const char *reason;
	const char *action;   /* ticket.reply_release | ticket.reply_discard */
	int release;          /* 1: release, 0: discard */
	struct tk_send send;  /* release: the checked reply, its mail */
	int64_t now;
	int64_t mid;          /* release: the message it became */
};

/* Who may decide on h, and whether it still waits: supervisors and
 * admins, never its author; only while it is held. */
static int
may_decide(const struct tk_actor *a, const struct held_reply *h)
{
	if (!actor_is_supervisor(a) || h->author_id == a->id)
		return -GH_FORBIDDEN;
	return strcmp(h->state, "held") == 0 ? 0 : -GH_BAD_STATE;
}

/* The reply held_id of the ticket as a may see it, and may decide on. */
static int
decidable(struct store_conn *c, const struct decide_ctx *x,
	  struct ticket_rec *t, struct held_reply *h)
{
	int rc;

	memset(h, 0, sizeof(*h));
	rc = actor_ticket(c, x->a, x->ticket_id, t);
	if (rc == 0)
		rc = c->ops->held_get(c, x->ticket_id, x->held_id, h);
	if (rc == 0)
		rc = may_decide(x->a, h);
	return rc;
}

static json_t *
decide_detail(const struct decide_ctx *x, int64_t author_id)
{
	json_t *d = json_pack("{s:I, s:I, s:s}", "held",
			      (json_int_t)x->held_id, "author",
			      (json_int_t)author_id, "reason", x->reason);

	if (d != NULL && x->release)
		json_object_set_new(d, "message", json_integer(x->mid));
	return d;
}

static int
tx_decide(struct store_conn *c, void *cls)
{
	struct decide_ctx *x = cls;
	struct held_decision d = {x->held_id, "discarded", x->a->id,
				  x->reason, 0, x->now};
	struct ticket_rec t;
	struct held_reply h;
	int64_t assignee = 0;
	int rc;

	rc = decidable(c, x, &t, &h);
	if (rc == 0 && x->release) {
		d.state = "released";
		rc = tk_send_tx(c, &x->send, &t, h.author_id, h.body, x->now,
				&x->mid, &assignee);
		d.message_id = x->mid;
		if (rc == 0) /* issue 15 LIVE: the releaser made it go out */
			rc = events_append(c, EV_MESSAGE_STAFF, t.id, x->mid,
					   REALM_STAFF, x->a->id);
	}
	if (rc == 0)
		rc = c->ops->held_decide(c, &d);
	if (rc == 0 && x->release)
		rc = sla_on_change(x->app, c, t.id, x->now);
	if (rc == -GH_CONFLICT)
		rc = -GH_BAD_STATE;
	if (rc == 0)
		rc = tk_audit(x->app, c, x->a, x->action, t.id, "success",
			      decide_detail(x, h.author_id));
	held_reply_clear(&h);
	return rc;
}

static int
tx_decide_denied(struct store_conn *c, void *cls)
{
	struct decide_ctx *x = cls;

	return tk_audit(x->app, c, x->a, x->action, x->ticket_id, "denied",
			json_pack("{s:I, s:s}", "held", (json_int_t)x->held_id,
				  "reason", "own_reply"));
}

/* Checks the decision before any work: the actor, the reason, and that
 * the reply exists and may be decided on by them (a refusal because it
 * is their own is audited). */
static int
decide_check(struct store_conn *c, struct decide_ctx *x,
	     struct ticket_rec *t, struct held_reply *h)
{
	int64_t n;
	int rc;

	if (!actor_is_supervisor(x->a))
		return -GH_FORBIDDEN;
	if (x->reason == NULL)
		return -GH_BAD_FIELD;
	n = utf8_check(x->reason, strlen(x->reason), 0);
	if (n < 0)
		return -GH_BAD_UTF8;
	if (n < HELD_DECISION_MIN || n > HELD_DECISION_MAX)
		return -GH_BAD_FIELD;
	rc = decidable(c, x, t, h);
	if (rc == -GH_FORBIDDEN) {
		int arc = store_transact(c, tx_decide_denied, x);

		rc = arc < 0 ? arc : rc;
	}
	return rc;
}

/* The release's check: every detector but the note copy, and the
 * notification, before the transaction. A refusal is audited. */
static int
release_check(struct store_conn *c, struct decide_ctx *x,
	      const struct ticket_rec *t, const struct held_reply *h,
	      struct dlp_findings *findings)
{
	struct outbound_ctx *ob = &x->send.ob;
	int rc;

	rc = outbound_prepare(x->app, c, t->id, t->customer_id, ob);
	ob->skip_notes = 1;
	if (rc == 0)
		rc = outbound_scan(ob, h->body, strlen(h->body), findings);
	if (rc == 0)
		rc = notify_prepare(ob, &x->send.mail);
	if (rc == -GH_DLP_BLOCKED)
		rc = tk_reply_denied(x->app, c, x->a, x->action, t->id,
				     findings);
	return rc;
}

/* Runs the decision x describes; *held gets the reply as it is after. */
static int
decide(struct store_conn *c, struct decide_ctx *x, struct held_reply *held,
       struct dlp_findings *findings)
{
	struct ticket_rec t;
	int rc;

	x->now = (int64_t)time(NULL);
	rc = decide_check(c, x, &t, held);
	if (rc == 0 && x->release)
		rc = release_check(c, x, &t, held, findings);
	held_reply_clear(held);
	if (rc == 0)
		rc = store_transact(c, tx_decide, x);
	tk_send_clear(&x->send);
	if (rc == 0)
		rc = c->ops->held_get(c, x->ticket_id, x->held_id, held);
	if (rc < 0)
		memset(held, 0, sizeof(*held));
	return rc;
}

int
tickets_held_release(struct app *app, struct store_conn *c,
		     const struct tk_actor *a, int64_t ticket_id,
		     int64_t held_id, const char *reason,
		     struct held_reply *held, struct thread_item *msg,
		     struct dlp_findings *findings)
{
	struct decide_ctx x;
	int rc;

	memset(msg, 0, sizeof(*msg));
	memset(held, 0, sizeof(*held));
	findings->n = 0;
	x = (struct decide_ctx){.app = app, .a = a, .ticket_id = ticket_id,
				.held_id = held_id, .reason = reason,
				.action = "ticket.reply_release", .release = 1};
	rc = decide(c, &x, held, findings);
	if (rc < 0)
		return rc;
	tk_item(c, msg, x.mid, ticket_id, held->author_id, x.now);
	return 0;
}

int
tickets_held_discard(struct app *app, struct store_conn *c,
		     const struct tk_actor *a, int64_t ticket_id,
		     int64_t held_id, const char *reason,
		     struct held_reply *held)
{
	struct decide_ctx x = {.app = app, .a = a, .ticket_id = ticket_id,
			       .held_id = held_id, .reason = reason,
			       .action = "ticket.reply_discard"};

	memset(held, 0, sizeof(*held));
	return decide(c, &x, held, NULL);
}
