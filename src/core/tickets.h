/*
 * Tickets: the rules of who may see and act on a ticket, the limits of
 * what a ticket holds, and every state change with its audit record in one
 * transaction. A ticket has two threads stored apart: messages (the
 * conversation with the customer) and notes (internal to staff). The
 * customer side (tickets_portal_*) only ever reaches the store's portal_*
 * operations, which filter by the customer and never read notes.
 *
 * Least privilege: an agent sees and works the tickets assigned to them,
 * and unassigned ones waiting in a queue they are a member of; supervisors
 * and admins see all. A ticket the caller may not see does not exist for
 * them (-GH_NOT_FOUND), so ids of other customers' or colleagues' tickets,
 * or of other queues' tickets, reveal nothing. Every ticket is in one
 * queue (customers' new tickets in `general`); supervisors and admins
 * move tickets between queues, audited. Queues and memberships are
 * managed from the command line (`gatehouse queue`, `gatehouse staff
 * queue`), audited too.
 *
 * Every reply passes the outbound check (core/outbound.h) and queues a
 * content-free notification (core/notify.h) in the same transaction. The
 * check fails closed: when it cannot run in full because the ticket's
 * notes are past the note index's word limit, the reply is held (stored
 * apart from the messages, never shown to the customer) until a
 * supervisor or admin other than its author releases or discards it,
 * audited with their reason.
 * It does not parse HTTP or JSON bodies, and does not render anything.
 *
 * The module is one header over several files: tickets.c (limits, the
 * customer side, the staff view of a ticket), tickets_list.c (the two
 * lists, by cursor), tickets_reply.c (replies and notes),
 * tickets_held.c (held replies), tickets_assign.c (assignment, status,
 * queue moves), tickets_attrs.c (priority and tags) and tickets_queue.c
 * (queues and memberships).
 */
#ifndef GH_CORE_TICKETS_H
#define GH_CORE_TICKETS_H

#include <stddef.h>
#include <stdint.h>

#include "core/actor.h"
#include "core/app.h"
#include "core/dlp/dlp.h"
#include "store/store.h"

#define TICKET_SUBJECT_MAX 200   /* code points */
#define TICKET_BODY_MAX 65536    /* bytes */
#define PHRASE_MIN 3             /* code points */
#define PHRASE_MAX 64
#define TICKET_LIST_MAX 100
/* The deepest offset a list accepts: further pages are read by cursor. */
#define TICKET_OFFSET_MAX 10000
/* A list cursor: 43 characters of base64url, and the NUL. */
#define TICKET_CURSOR_BYTES 44
#define HELD_DECISION_MIN 3      /* code points of a release or discard */
#define HELD_DECISION_MAX 500    /* reason */

/* Who acts: struct tk_actor (core/actor.h). */

/* A page of a ticket list (tickets_list.c). The caller sets limit
 * (1..TICKET_LIST_MAX), offset (0..TICKET_OFFSET_MAX; rows skipped after
 * the cursor) and cursor (NULL: from the start; else a `next` this list
 * handed out to the same caller with the same filters). The list sets
 * next: the cursor of the page after this one, "" when none follows. */
struct tk_page {
	int64_t limit, offset;
	const char *cursor;
	char next[TICKET_CURSOR_BYTES];
};

/* 0 when s (NUL-ended) is a subject: 1..200 code points of valid UTF-8
 * on one line; -GH_BAD_UTF8 for invalid text, -GH_BAD_FIELD otherwise. */
int tickets_check_subject(const char *s);
/* 0 when body[0, len) is 1..65536 bytes of valid UTF-8 (newlines and tabs
 * allowed); -GH_BAD_UTF8 or -GH_BAD_FIELD. */
int tickets_check_body(const char *body, size_t len);
/* 1 when status is open, pending or solved. */
int tickets_valid_status(const char *status);

/* --- customer side (the actor is a customer) -------------------------- */

/* Creates a ticket with its first message. *out gets the new ticket.
 * The message passes the inbound analysis (core/inbound.h) first: what is
 * stored is the redacted text, with the list of what was removed and the
 * analysed links; removals are audited ("message.redacted", types only).
 * The analysis failing stores nothing. */
int tickets_portal_create(struct app *app, struct store_conn *c,
			  const struct tk_actor *a, const char *subject,
			  const char *body, struct ticket_rec *out);
/* The same; first (may be NULL) also gets the first message as for
 * tickets_portal_message(). */
int tickets_portal_create_ex(struct app *app, struct store_conn *c,
			     const struct tk_actor *a, const char *subject,
			     const char *body, struct ticket_rec *out,
			     struct thread_item *first);
/* A page of the customer's tickets, newest last_activity first (shown
 * as updated_at), ties by id. -GH_BAD_QUERY for a limit or offset out of
 * bounds, -GH_BAD_CURSOR for a cursor that is not one this list gave this
 * customer (nothing is read then). One indexed query of limit + 1 rows. */
int tickets_portal_page(struct app *app, struct store_conn *c,
			const struct tk_actor *a, struct tk_page *pg,
			struct ticket_list *out);
/* The same from the start: limit 1..100, offset 0..TICKET_OFFSET_MAX. */
int tickets_portal_list(struct app *app, struct store_conn *c,
			const struct tk_actor *a, int64_t limit,
			int64_t offset, struct ticket_list *out);
/* One of the customer's tickets with its messages (never notes). */
int tickets_portal_get(struct app *app, struct store_conn *c,
		       const struct tk_actor *a, int64_t ticket_id,
		       struct ticket_rec *t, struct thread_list *msgs);
/* Adds a customer message (through the inbound analysis, as for
 * tickets_portal_create); a pending or solved ticket opens again. *out
 * gets id, realm, author, created_at, the body as stored (redacted) and
 * redactions (JSON text, "[]" when nothing was removed); the caller
 * releases them with thread_item_clear(). On error *out holds nothing. */
int tickets_portal_message(struct app *app, struct store_conn *c,
			   const struct tk_actor *a, int64_t ticket_id,
			   const char *body, struct thread_item *out);
/* Sets (3..64 code points, one line; sealed at rest) the customer's
 * anti-phishing phrase. */
int tickets_set_phrase(struct app *app, struct store_conn *c,
		       const struct tk_actor *a, const char *phrase);
/* The phrase in clear (crypto_secret_free it), or NULL when none is set. */
int tickets_get_phrase(struct app *app, struct store_conn *c,
		       int64_t customer_id, char **phrase_out);

/* --- staff side (the actor is staff) ---------------------------------- */

/* The display name (C0, as shown on tickets) of staff member id into out
 * (outsz bytes); -GH_NOT_FOUND when there is none. */
int tickets_staff_name(struct store_conn *c, int64_t id, char *out,
		       size_t outsz);

/* A page of the work list, newest updated_at first, ties by id. status
 * NULL means any; queue NULL any queue (-GH_UNKNOWN_QUEUE when there is
 * no such queue). An agent only ever gets tickets assigned to them, or
 * unassigned in one of their queues (TA_ANY means both). Bounds and
 * cursor as tickets_portal_page: the cursor is bound to the caller and to
 * these filters. One indexed query of limit + 1 rows, whatever the
 * filters. */
int tickets_staff_page(struct app *app, struct store_conn *c,
		       const struct tk_actor *a, const char *status,
		       enum ticket_assigned assigned, const char *queue,
		       struct tk_page *pg, struct ticket_list *out);
/* The first page of the work list from offset (any queue). */
int tickets_staff_list(struct app *app, struct store_conn *c,
		       const struct tk_actor *a, const char *status,
		       enum ticket_assigned assigned, int64_t limit,
		       int64_t offset, struct ticket_list *out);
/* The same, keeping only the tickets of the queue named queue (NULL: any
 * queue); -GH_UNKNOWN_QUEUE when there is no such queue. The visibility
 * rule still applies: an agent filtering on a queue they are not a member
 * of gets only the tickets of it assigned to them (usually none). */
int tickets_staff_list_queue(struct app *app, struct store_conn *c,
			     const struct tk_actor *a, const char *status,
			     enum ticket_assigned assigned, const char *queue,
			     int64_t limit, int64_t offset,
			     struct ticket_list *out);
/* A visible ticket with both threads. */
int tickets_staff_get(struct app *app, struct store_conn *c,
		      const struct tk_actor *a, int64_t ticket_id,
		      struct ticket_rec *t, struct thread_list *msgs,
		      struct thread_list *notes);
/* The staff view of a ticket: tickets_staff_get()'s ticket and threads
 * and the ticket's held replies (tickets_held_list()'s), the visibility
 * rule applied once for all of them (by tickets_staff_get, at the
 * start). On an error every list is left empty. */
int tickets_staff_view(struct app *app, struct store_conn *c,
		       const struct tk_actor *a, int64_t ticket_id,
		       struct ticket_rec *t, struct thread_list *msgs,
		       struct thread_list *notes, struct held_list *held);
/* What became of a reply: tk_reply_init() before use, tk_reply_clear()
 * after (it may be reused in between). */
struct tk_reply {
	/* The message sent, or the held reply (item.id is then the held
	 * reply's id): id, ticket_id, author (with author_name), created_at.
	 * body is left NULL (the caller has the text). */
	struct thread_item item;
	int held;                     /* 1: held back, not sent */
	const char *reason;           /* held: why, e.g. "notes_too_large" */
	struct dlp_findings findings; /* -GH_DLP_BLOCKED: what blocked it */
};
void tk_reply_init(struct tk_reply *r);
void tk_reply_clear(struct tk_reply *r);

/*
 * A reply to the customer. It passes the outbound check, run before the
 * write transaction; the transaction writes only while the ticket's notes
 * are those the check saw (else it checks again, a few times, then
 * -GH_UNAVAILABLE). When blocked, returns -GH_DLP_BLOCKED with
 * out->findings and nothing is stored (the refusal itself is audited).
 * When the note-copy check cannot run (the notes are past the note
 * index's word limit) and nothing else blocks it, the reply is held:
 * stored apart, not sent, out->held = 1 with out->reason
 * "notes_too_large", audited ("ticket.reply_held"); returns 0. Otherwise
 * stores the message, assigns an unassigned ticket to the replier and
 * queues the notification, all in one transaction. Any other failure of
 * the check is an error and stores nothing.
 */
int tickets_reply(struct app *app, struct store_conn *c,
		  const struct tk_actor *a, int64_t ticket_id,
		  const char *body, struct tk_reply *out);
/* An internal note. *out as tk_reply.item (with author_name). */
int tickets_note(struct app *app, struct store_conn *c,
		 const struct tk_actor *a, int64_t ticket_id, const char *body,
		 struct thread_item *out);

/* --- held replies (staff) ----------------------------------------------- */

/* The held replies of a visible ticket, in every state, oldest first
 * (held_list_clear). */
int tickets_held_list(struct app *app, struct store_conn *c,
		      const struct tk_actor *a, int64_t ticket_id,
		      struct held_list *out);
/*
 * Releases held reply held_id of ticket ticket_id. Supervisors and admins
 * only, and never the reply's own author (-GH_FORBIDDEN; the refusal is
 * audited); reason is 3..500 code points on one line (-GH_BAD_FIELD,
 * -GH_BAD_UTF8); -GH_NOT_FOUND when the ticket has no such held reply,
 * -GH_BAD_STATE when it was already released or discarded. The releaser
 * vouches for the note-copy check only: every other detector runs again
 * (-GH_DLP_BLOCKED with *findings, caller-initialised). Then, in one
 * transaction, the reply becomes a message by its author, an unassigned
 * ticket goes to the author, the notification is queued and the release
 * is audited ("ticket.reply_release", with the reason). *held gets the
 * held reply as it is now (held_reply_clear), *msg the message as for
 * tickets_reply.
 */
int tickets_held_release(struct app *app, struct store_conn *c,
			 const struct tk_actor *a, int64_t ticket_id,
			 int64_t held_id, const char *reason,
			 struct held_reply *held, struct thread_item *msg,
			 struct dlp_findings *findings);
/* Discards a held reply: the same rules, nothing is sent; audited
 * ("ticket.reply_discard", with the reason). */
int tickets_held_discard(struct app *app, struct store_conn *c,
			 const struct tk_actor *a, int64_t ticket_id,
			 int64_t held_id, const char *reason,
			 struct held_reply *held);
/* Assigns to staff_id. An agent may only take an unassigned ticket or one
 * already theirs, for themself, and only in one of their queues
 * (-GH_FORBIDDEN otherwise; an unassigned ticket of another queue is
 * -GH_NOT_FOUND, as it is invisible to them); supervisors and
 * admins assign to any active staff member (-GH_UNKNOWN_STAFF when
 * there is no staff member staff_id, -GH_STAFF_DISABLED when it is
 * disabled). *out gets the updated ticket. */
int tickets_assign(struct app *app, struct store_conn *c,
		   const struct tk_actor *a, int64_t ticket_id,
		   int64_t staff_id, struct ticket_rec *out);
/* Sets the status (open, pending, solved; -GH_BAD_FIELD otherwise). An
 * agent must hold the ticket: an unassigned one answers -GH_NOT_ASSIGNED
 * (take it with tickets_assign first); supervisors and admins may change
 * any ticket. */
int tickets_set_status(struct app *app, struct store_conn *c,
		       const struct tk_actor *a, int64_t ticket_id,
		       const char *status, struct ticket_rec *out);
/* Moves a ticket to the queue named queue; assignee and status stay.
 * Supervisors and admins only (-GH_FORBIDDEN for agents);
 * -GH_UNKNOWN_QUEUE when there is no such queue. Audited
 * ("ticket.queue", from and to) in the same transaction; moving to the
 * queue it is in changes nothing. *out gets the ticket. */
int tickets_move(struct app *app, struct store_conn *c,
		 const struct tk_actor *a, int64_t ticket_id, const char *queue,
		 struct ticket_rec *out);

/* 1 when p is a priority: low, normal, high or urgent. */
int tickets_valid_priority(const char *p);
/* 1 when t is a tag: 1..TICKET_TAG_MAX bytes of a-z, 0-9, '-' and '_',
 * starting with a letter or digit (store/store.h). */
int tickets_valid_tag(const char *t);
/* Sets the priority (-GH_BAD_PRIORITY when it is not one). The rule of
 * tickets_set_status: an agent must hold the ticket (-GH_NOT_ASSIGNED),
 * supervisors and admins change any ticket. Audited ("ticket.priority",
 * from and to); setting the priority it has writes nothing. *out gets
 * the ticket (tickets_attrs.c). */
int tickets_set_priority(struct app *app, struct store_conn *c,
			 const struct tk_actor *a, int64_t ticket_id,
			 const char *priority, struct ticket_rec *out);
/* Adds the nadd tags of add and removes the nremove of remove (each at
 * most TICKET_TAGS_MAX; every tag valid and none in both: -GH_BAD_TAG).
 * -GH_TOO_MANY_TAGS when the ticket would have more than
 * TICKET_TAGS_MAX. Adding a tag it has or removing one it has not is no
 * change; when nothing changes nothing is written. Rules as
 * tickets_set_priority; audited ("ticket.tags", the tags added and
 * removed). */
int tickets_set_tags(struct app *app, struct store_conn *c,
		     const struct tk_actor *a, int64_t ticket_id,
		     const char *const *add, size_t nadd,
		     const char *const *remove, size_t nremove,
		     struct ticket_rec *out);

/* --- queues and membership (command line; actor is e.g. "cli") -------- */

/* 1 when name is a queue name: 1..QUEUE_NAME_MAX characters of a-z, 0-9,
 * '-' and '_', starting with a letter or digit. */
int tickets_valid_queue_name(const char *name);
/* Finds a queue by name: -GH_UNKNOWN_QUEUE when there is none (or name
 * is not a queue name). */
int tickets_queue_find(struct store_conn *c, const char *name,
		       struct queue_rec *out);
/* Creates a queue, audited ("queue.create"). -GH_BAD_FIELD for a bad
 * name, -GH_QUEUE_EXISTS when it is taken. *id_out gets the new id. */
int tickets_queue_create(struct app *app, struct store_conn *c,
			 const char *actor, const char *name,
			 int64_t *id_out);
/* Every queue by id, with member counts (queue_list_clear). */
int tickets_queue_list(struct store_conn *c, struct queue_list *out);
/* The queues staff member staff_id is in (queue_list_clear). */
int tickets_staff_queues(struct store_conn *c, int64_t staff_id,
			 struct queue_list *out);
/* Adds (add != 0) or removes the staff member with this e-mail to or
 * from the queue named queue, audited ("staff.queue_add",
 * "staff.queue_remove") when it changes anything; *changed says whether
 * it did and *staff_id gets the member's id. -GH_NOT_FOUND when there is
 * no such staff member, -GH_UNKNOWN_QUEUE when there is no such queue. */
int tickets_staff_queue(struct app *app, struct store_conn *c,
			const char *actor, const char *email,
			const char *queue, int add, int64_t *staff_id,
			int *changed);
/* Makes staff_id a member of exactly the n queues named (n >= 1), in one
 * transaction, auditing each membership added or removed as
 * tickets_staff_queue does. -GH_UNKNOWN_QUEUE (nothing changed) when a
 * name is not a queue. */
int tickets_staff_set_queues(struct app *app, struct store_conn *c,
			     const char *actor, int64_t staff_id,
			     const char *const *names, size_t n);
/* The same inside a transaction the caller runs (account creation), so
 * the account and its queues are written together or not at all. */
int tickets_staff_set_queues_tx(struct app *app, struct store_conn *c,
				const char *actor, int64_t staff_id,
				const char *const *names, size_t n);

#endif
