/*
 * The staff side's JSON for tickets (api/tickets.c's handlers): a ticket's
 * summary, a message or note, a held reply, and the whole view of one
 * ticket (GET /api/v1/tickets/{id}), which is written straight into its
 * reply (tkv_view_text) rather than through a tree.
 *
 * Invariant: tkv_view_text gives exactly the bytes of
 * jsonenc_dumps(tkv_view_json(v)) (tests/unit/test_ticketview.c), or NULL
 * when it cannot (a text that is not UTF-8...), and then the caller
 * replies with the tree.
 */
#ifndef GH_API_TICKETS_VIEW_H
#define GH_API_TICKETS_VIEW_H

#include <jansson.h>
#include <stddef.h>

#include "core/actor.h"
#include "core/tickets.h"

/* The most reported messages of one ticket marked "reported": true (the
 * first, by id). */
#define TKV_REPORTED_MARKED 64

/* A ticket: id, subject, status, queue, customer, assignee, times. */
json_t *tkv_ticket(const struct ticket_rec *t);
/* The same, and "drill": true on a drill's ticket for supervisors (its
 * target, an agent, sees it as any other ticket). */
json_t *tkv_summary(const struct ticket_rec *t, const struct tk_actor *a);
/* A staff-side message or note (note 1). For messages "author" is the
 * customer's display name or the staff member's name; messages carry
 * "redacted" (what the inbound scan removed) and customers' messages
 * "links" (the analysed links as stored, defanged; core/inbound.h). */
json_t *tkv_item(const struct thread_item *it, const char *body, int note,
		 const char *customer_name);
/* A held reply: who wrote it and why it waits, and once decided, who
 * decided, when, why, and the message it became. */
json_t *tkv_held(const struct held_reply *h);

/* What the view of one ticket shows, as core read it. */
struct tkv_view {
	const struct ticket_rec *t;
	const struct tk_actor *a;
	const struct thread_list *msgs;
	const struct thread_list *notes;
	const struct held_list *held;
};

/* The view as a tree: the summary with "messages" (customers' ones
 * with "reported"), "notes" and "held". NULL only without memory. */
json_t *tkv_view_json(const struct tkv_view *v);
/* The same as text (malloc'd; length in *len_out), or NULL. */
char *tkv_view_text(const struct tkv_view *v, size_t *len_out);

#endif
