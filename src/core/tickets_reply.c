/*
 * Replies and notes (see core/tickets.h). Both go through one transaction
 * step, tx_post(), parameterised by the thread the text goes to: a
 * message to the customer, an internal note, or a held reply. The
 * visibility of the ticket is checked again inside it, so nothing is
 * written on a ticket that changed hands meanwhile.
 *
 * A reply is checked before the transaction (the note index of a ticket
 * with long notes takes time to build and must not hold the database
 * lock); the transaction writes it only while the ticket's notes are still
 * those the check saw, else the reply is checked again. The check fails
 * closed: when the note-copy part cannot run (notes past the index's word
 * limit) the reply is held, never sent unchecked.
 */
#include "core/tickets.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/events.h"
#include "core/tickets_int.h"
#include "util/errors.h"
#include "util/log.h"
#include "util/metrics.h"

/* How often a reply is checked again when notes keep being added while
 * it is checked. */
#define REPLY_ATTEMPTS 3

void
tk_reply_init(struct tk_reply *r)
{
	memset(r, 0, sizeof(*r));
	dlp_findings_init(&r->findings);
}

void
tk_reply_clear(struct tk_reply *r)
{
	thread_item_clear(&r->item);
	dlp_findings_free(&r->findings);
	tk_reply_init(r);
}

void
tk_send_clear(struct tk_send *s)
{
	outbound_ctx_clear(&s->ob);
	notify_mail_clear(&s->mail);
}

void
tk_item(struct store_conn *c, struct thread_item *it, int64_t id,
	int64_t ticket_id, int64_t author_id, int64_t now)
{
	memset(it, 0, sizeof(*it));
	it->id = id;
	it->ticket_id = ticket_id;
	it->author_realm = REALM_STAFF;
	it->author_id = author_id;
	it->created_at = now;
	/* The name only labels the item: without it the item still stands. */
	(void)tickets_staff_name(c, author_id, it->author_name,
				 sizeof(it->author_name));
}

int
tk_send_tx(struct store_conn *c, const struct tk_send *s,
	   const struct ticket_rec *t, int64_t author_id, const char *body,
	   int64_t now, int64_t *mid, int64_t *assignee)
{
	int rc;

	rc = outbound_notes_unchanged(c, &s->ob);
	if (rc < 0)
		return rc;
	rc = c->ops->message_insert(c, t->id, REALM_STAFF, author_id, body, now,
				    mid);
	if (rc < 0)
		return rc;
	*assignee = t->assignee_id > 0 ? t->assignee_id : author_id;
	rc = c->ops->ticket_update(c, t->id, t->status, *assignee, now);
	if (rc < 0)
		return rc;
	return notify_queue(c, &s->mail, now);
}

/* --- the one transaction step ------------------------------------------- */

enum post_kind { POST_REPLY, POST_NOTE, POST_HELD };

struct post_ctx {
	struct app *app;
	const struct tk_actor *a;
	int64_t ticket_id;
	const char *body;
	enum post_kind kind;
	const char *reason;   /* POST_HELD: why */
	struct tk_send send;  /* POST_REPLY: the checked context, the mail */
	int64_t now;
	int64_t id;           /* the new row */
	int64_t assignee;
	int notes_changed;    /* POST_REPLY: check again */
};

static int
write_reply(struct store_conn *c, struct post_ctx *x,
	    const struct ticket_rec *t)
{
	int rc = tk_send_tx(c, &x->send, t, x->a->id, x->body, x->now, &x->id,
			    &x->assignee);

	if (rc == 0)
		rc = events_append(c, EV_MESSAGE_STAFF, t->id, x->id,
				   REALM_STAFF, x->a->id);
	if (rc == -GH_CONFLICT)
		x->notes_changed = 1;
	if (rc == 0)
		rc = sla_on_change(x->app, c, t->id, x->now);
	return rc;
}

static int
write_note(struct store_conn *c, struct post_ctx *x,
	   const struct ticket_rec *t)
{
	int rc = c->ops->note_insert(c, t->id, x->a->id, x->body, x->now,
				     &x->id);

	if (rc == 0)
		rc = events_append(c, EV_NOTE_CREATED, t->id, x->id, REALM_STAFF,
				   x->a->id);
	if (rc < 0)
		return rc;
	return c->ops->ticket_update(c, t->id, t->status, t->assignee_id,
				     x->now);
}

/* A held reply changes nothing the customer can see, not even the
 * ticket's time. */
static int
write_held(struct store_conn *c, struct post_ctx *x,
	   const struct ticket_rec *t)
{
	struct held_new h = {t->id, x->a->id, x->body, x->reason, x->now};

	return c->ops->held_insert(c, &h, &x->id);
}

static json_t *
reply_detail(const struct post_ctx *x)
{
	return json_pack("{s:I, s:I}", "message", (json_int_t)x->id,
			 "assignee", (json_int_t)x->assignee);
}

static json_t *
note_detail(const struct post_ctx *x)
{
	return json_pack("{s:I}", "note", (json_int_t)x->id);
}

static json_t *
held_detail(const struct post_ctx *x)
{
	return json_pack("{s:I, s:s}", "held", (json_int_t)x->id, "reason",
			 x->reason);
}

static const struct {
	const char *action;
	int (*write)(struct store_conn *c, struct post_ctx *x,
		     const struct ticket_rec *t);
	json_t *(*detail)(const struct post_ctx *x);
} post_kinds[] = {
	[POST_REPLY] = {"ticket.reply", write_reply, reply_detail},
	[POST_NOTE] = {"ticket.note", write_note, note_detail},
	[POST_HELD] = {"ticket.reply_held", write_held, held_detail},
};

static int
tx_post(struct store_conn *c, void *cls)
{
	struct post_ctx *x = cls;
	struct ticket_rec t;
	int rc;

	x->notes_changed = 0;
	rc = actor_ticket(c, x->a, x->ticket_id, &t);
	if (rc < 0)
		return rc;
	rc = post_kinds[x->kind].write(c, x, &t);
	if (rc < 0)
		return rc;
	return tk_audit(x->app, c, x->a, post_kinds[x->kind].action, t.id,
			"success", post_kinds[x->kind].detail(x));
}

/* --- replies ------------------------------------------------------------ */

/*
 * Checks x->body for the ticket before the transaction and decides how it
 * goes: a reply with its notification prepared, or, when the note-copy
 * check cannot run and nothing else blocks it, a held reply.
 */
static int
reply_check(struct post_ctx *x, struct store_conn *c,
	    struct dlp_findings *f)
{
	struct outbound_ctx *ob = &x->send.ob;
	struct ticket_rec t;
	size_t len = strlen(x->body);
	int rc;

	rc = actor_ticket(c, x->a, x->ticket_id, &t);
	if (rc == 0)
		rc = outbound_prepare(x->app, c, t.id, t.customer_id, ob);
	if (rc == 0)
		rc = outbound_scan(ob, x->body, len, f);
	if (rc == -GH_NOTES_TOO_LARGE) {
		/* Fail closed: held for a supervisor, unless another
		 * detector refuses the text outright. */
		ob->skip_notes = 1;
		rc = outbound_scan(ob, x->body, len, f);
		x->kind = POST_HELD;
		x->reason = err_code(GH_NOTES_TOO_LARGE);
		return rc;
	}
	x->kind = POST_REPLY;
	if (rc == 0)
		rc = notify_prepare(ob, &x->send.mail);
	return rc;
}

/* Checks and writes, again while notes change in between. */
static int
reply_post(struct post_ctx *x, struct store_conn *c, struct dlp_findings *f)
{
	int rc = -GH_UNAVAILABLE;

	for (int i = 0; i < REPLY_ATTEMPTS; i++) {
		rc = reply_check(x, c, f);
		if (rc == 0)
			rc = store_transact(c, tx_post, x);
		tk_send_clear(&x->send);
		if (rc != -GH_CONFLICT || !x->notes_changed)
			return rc;
		rc = -GH_UNAVAILABLE;
	}
	return rc;
}

struct denied_ctx {
	struct app *app;
	const struct tk_actor *a;
	const char *action;
	int64_t ticket_id;
	const struct dlp_findings *f;
};

/* The refusal's audit record: the types found, never the text. */
static int
tx_reply_denied(struct store_conn *c, void *cls)
{
	struct denied_ctx *x = cls;
	json_t *types = json_array();

	if (types == NULL)
		return -GH_INTERNAL;
	for (size_t i = 0; i < x->f->n; i++)
		json_array_append_new(types, json_string(x->f->v[i].type));
	return tk_audit(x->app, c, x->a, x->action, x->ticket_id, "denied",
			json_pack("{s:s, s:o}", "reason", "dlp_blocked",
				  "types", types));
}

/* Counts one block under each kind of finding it had (once per kind). */
static void
count_block(const struct dlp_findings *f)
{
	for (size_t i = 0; i < f->n; i++) {
		size_t j = 0;

		while (j < i && strcmp(f->v[j].type, f->v[i].type) != 0)
			j++;
		if (j == i)
			metrics_dlp_block(f->v[i].type);
	}
}

int
tk_reply_denied(struct app *app, struct store_conn *c,
		const struct tk_actor *a, const char *action,
		int64_t ticket_id, const struct dlp_findings *f)
{
	struct denied_ctx x = {app, a, action, ticket_id, f};
	int rc = store_transact(c, tx_reply_denied, &x);

	count_block(f);
	log_event(LOG_INFO, "ticket.reply_blocked",
		  json_pack("{s:I, s:I, s:s?}", "ticket", (json_int_t)ticket_id,
			    "findings", (json_int_t)f->n, "request_id",
			    a->request_id));
	return rc < 0 ? rc : -GH_DLP_BLOCKED;
}

/* The checks a reply and a note share (staff only, the body's limits),
 * and x set up for tx_post. */
static int
post_start(struct post_ctx *x, struct app *app, const struct tk_actor *a,
	   int64_t ticket_id, const char *body)
{
	int rc;

	if (!actor_is_staff(a))
		return -GH_FORBIDDEN;
	rc = tickets_check_body(body, body != NULL ? strlen(body) : 0);
	if (rc < 0)
		return rc;
	memset(x, 0, sizeof(*x));
	x->app = app;
	x->a = a;
	x->ticket_id = ticket_id;
	x->body = body;
	x->now = (int64_t)time(NULL);
	return 0;
}

int
tickets_reply(struct app *app, struct store_conn *c, const struct tk_actor *a,
	      int64_t ticket_id, const char *body, struct tk_reply *out)
{
	struct post_ctx x;
	int rc;

	thread_item_clear(&out->item);
	memset(&out->item, 0, sizeof(out->item));
	out->held = 0;
	out->reason = NULL;
	out->findings.n = 0;
	rc = post_start(&x, app, a, ticket_id, body);
	if (rc < 0)
		return rc;
	rc = reply_post(&x, c, &out->findings);
	if (rc == -GH_DLP_BLOCKED)
		return tk_reply_denied(app, c, a, "ticket.reply", ticket_id,
				       &out->findings);
	if (rc < 0)
		return rc;
	tk_item(c, &out->item, x.id, ticket_id, a->id, x.now);
	if (x.kind == POST_HELD) {
		out->held = 1;
		out->reason = x.reason;
		log_event(LOG_INFO, "ticket.reply_held",
			  json_pack("{s:I, s:I, s:s, s:s?}", "ticket",
				    (json_int_t)ticket_id, "held",
				    (json_int_t)x.id, "reason", x.reason,
				    "request_id", a->request_id));
	}
	return 0;
}

/* --- notes --------------------------------------------------------------- */

int
tickets_note(struct app *app, struct store_conn *c, const struct tk_actor *a,
	     int64_t ticket_id, const char *body, struct thread_item *out)
{
	struct post_ctx x;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = post_start(&x, app, a, ticket_id, body);
	if (rc < 0)
		return rc;
	x.kind = POST_NOTE;
	rc = store_transact(c, tx_post, &x);
	if (rc < 0)
		return rc;
	tk_item(c, out, x.id, ticket_id, a->id, x.now);
	return 0;
}
