/*
 * Private to the tickets module (core/tickets*.c): what its files share.
 * A reply and a released held reply leave the same way: checked before
 * the write transaction (struct tk_send holds the checked context and the
 * notification composed for it), then written by tk_send_tx() inside it.
 */
#ifndef GH_CORE_TICKETS_INT_H
#define GH_CORE_TICKETS_INT_H

#include "core/notify.h"
#include "core/outbound.h"
#include "core/sla.h"
#include "core/tickets.h"

struct tk_send {
	struct outbound_ctx ob;
	struct notify_mail mail;
};

void tk_send_clear(struct tk_send *s);

/*
 * Inside the caller's write transaction: while the ticket's notes are
 * those s->ob was prepared with (-GH_CONFLICT otherwise: check again),
 * stores body as the message of staff member author_id on ticket t, gives
 * an unassigned t to the author and queues s->mail. *mid gets the
 * message's id, *assignee the ticket's assignee after it.
 */
int tk_send_tx(struct store_conn *c, const struct tk_send *s,
	       const struct ticket_rec *t, int64_t author_id,
	       const char *body, int64_t now, int64_t *mid,
	       int64_t *assignee);

/* Fills *it (body left NULL) for a new item by staff member author_id,
 * with the author's display name. */
void tk_item(struct store_conn *c, struct thread_item *it, int64_t id,
	     int64_t ticket_id, int64_t author_id, int64_t now);

/* Audits a refused send (action "ticket.reply" or a release) with the
 * types of findings f, logs it, and returns -GH_DLP_BLOCKED (or the
 * store's error). */
int tk_reply_denied(struct app *app, struct store_conn *c,
		    const struct tk_actor *a, const char *action,
		    int64_t ticket_id, const struct dlp_findings *f);

/* The audit record of a's action on ticket ticket_id (detail stolen). */
int tk_audit(struct app *app, struct store_conn *c, const struct tk_actor *a,
	     const char *action, int64_t ticket_id, const char *outcome,
	     json_t *detail);

#endif
