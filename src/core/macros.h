/*
 * Canned replies (macros): a name, a text with placeholders and optional
 * actions (the status, priority and tags a ticket gets when the macro is
 * applied). A macro is personal (its owner alone sees, uses, edits and
 * deletes it) or shared in one queue (staff who see the queue use it:
 * agents of its members, supervisors and admins in every queue; only
 * supervisors and admins create, edit and delete it).
 *
 * Placeholders are limited to values that are not personal data:
 * {{customer.first_name}} (the first word of the customer's display name,
 * the clear C0 name the ticket already shows staff: the desk keeps no
 * separate first name, and never a sealed field), {{agent.first_name}}
 * (the first word of the sending staff member's name), {{ticket.id}} and
 * {{company.name}} ([company] name). Any other {{...}} is refused when
 * saved (-GH_BAD_PLACEHOLDER, naming it).
 *
 * The text passes the outbound check when saved (core/outbound.h, with
 * no ticket: every customer's value is another customer's, no notes): a
 * macro that would be blocked is refused with the findings and nothing is
 * stored. Applied, the expanded text is sent through tickets_reply()
 * and nothing else, so every reply rule holds (the check again on the
 * expanded text, held replies, the notification); the actions follow a
 * reply that was sent (not a held one) through tickets_set_status(),
 * tickets_set_priority() and tickets_set_tags(), each with its rules and
 * audit record.
 *
 * Rules of who sees what answer as for tickets: a macro the caller may
 * not see does not exist for them (-GH_NOT_FOUND); a shared macro they
 * see but may not change is -GH_FORBIDDEN. A macro of another queue
 * applied to a ticket is -GH_NOT_FOUND. Creation, change, deletion,
 * application and refusals are audited with ids and names, never the
 * text. Limits: [macros] per_agent personal macros per staff member,
 * per_queue shared macros per queue (-GH_TOO_MANY_MACROS).
 *
 * It does not parse HTTP or JSON.
 */
#ifndef GH_CORE_MACROS_H
#define GH_CORE_MACROS_H

#include <stddef.h>
#include <stdint.h>

#include "core/actor.h"
#include "core/app.h"
#include "core/dlp/dlp.h"
#include "core/tickets.h"
#include "store/store.h"

#define MACRO_NAME_MAX 80          /* code points */
#define MACRO_TAGS_MAX TICKET_TAGS_MAX /* tags added, and removed */
#define MACRO_PLACEHOLDER_MAX 40   /* bytes of a name reported back */

/* What a macro is saved with. text is 1..TICKET_BODY_MAX bytes of UTF-8
 * (newlines and tabs allowed); name 1..MACRO_NAME_MAX code points on one
 * line. queue: on creation, NULL for a personal macro, else the name of
 * the queue it is shared in (ignored on update). status, priority: NULL
 * or "" sets nothing. Tags: valid tag names (at most MACRO_TAGS_MAX
 * each, none in both lists). */
struct macro_input {
	const char *name;
	const char *text;
	const char *queue;
	const char *status;
	const char *priority;
	const char *const *tags_add;
	size_t n_add;
	const char *const *tags_remove;
	size_t n_remove;
};

/* Why a save was refused (macro_refusal_init / _clear). field names the
 * bad input field ("name", "text", "queue", "status", "priority",
 * "add_tags", "remove_tags") for -GH_BAD_FIELD, -GH_BAD_UTF8 and
 * -GH_BAD_PLACEHOLDER; placeholder is the name between the braces
 * (printable ASCII, cut to MACRO_PLACEHOLDER_MAX bytes; '?' for others)
 * at byte offset; findings what blocked the text (-GH_DLP_BLOCKED). */
struct macro_refusal {
	const char *field;
	char placeholder[MACRO_PLACEHOLDER_MAX + 1];
	size_t offset;
	struct dlp_findings findings;
};
void macro_refusal_init(struct macro_refusal *f);
void macro_refusal_clear(struct macro_refusal *f);

/* 0 when every {{...}} of text[0, len) is an allowed placeholder;
 * -GH_BAD_PLACEHOLDER with f->placeholder and f->offset for the first
 * that is not (an unclosed "{{" too, named ""). f may be NULL. */
int macros_check_placeholders(const char *text, size_t len,
			      struct macro_refusal *f);

/* The values placeholders expand to. */
struct macro_vars {
	const char *customer_name; /* the display name; its first word */
	const char *agent_name;    /* the staff member's; its first word */
	int64_t ticket_id;
	const char *company;
};
/* The text with its placeholders replaced (malloc'd into *out, NUL-ended;
 * free it). -GH_BAD_PLACEHOLDER for a text that does not pass
 * macros_check_placeholders, -GH_INTERNAL without memory. */
int macros_expand(const char *text, const struct macro_vars *v, char **out);

/* Creates a macro (staff only). *out gets it (macro_rec_clear). Agents
 * may not create shared macros (-GH_FORBIDDEN, audited);
 * -GH_UNKNOWN_QUEUE for no such queue; -GH_MACRO_EXISTS for a name taken
 * in its scope; -GH_TOO_MANY_MACROS past the limit; -GH_DLP_BLOCKED
 * (f->findings; the refusal audited) when the text would be blocked. */
int macros_create(struct app *app, struct store_conn *c,
		  const struct tk_actor *a, const struct macro_input *in,
		  struct macro_refusal *f, struct macro_rec *out);
/* Replaces the name, text and actions of macro id, with the same checks
 * and refusals; the scope stays. */
int macros_update(struct app *app, struct store_conn *c,
		  const struct tk_actor *a, int64_t id,
		  const struct macro_input *in, struct macro_refusal *f,
		  struct macro_rec *out);
/* Deletes macro id. */
int macros_delete(struct app *app, struct store_conn *c,
		  const struct tk_actor *a, int64_t id);
/* The macros a may use, by name, personal first (macro_list_clear).
 * ticket_id > 0 keeps the personal ones and the shared ones of that
 * ticket's queue (-GH_NOT_FOUND when a may not see the ticket). */
int macros_list(struct app *app, struct store_conn *c,
		const struct tk_actor *a, int64_t ticket_id,
		struct macro_list *out);

/* Macro macro_id expanded for ticket ticket_id (*text malloc'd; free it),
 * nothing sent; *m (may be NULL) gets the macro (macro_rec_clear). */
int macros_preview(struct app *app, struct store_conn *c,
		   const struct tk_actor *a, int64_t ticket_id,
		   int64_t macro_id, char **text, struct macro_rec *m);
/*
 * Applies macro macro_id to ticket ticket_id: the expanded text (*text,
 * malloc'd, free it; NULL on an early error) is sent by tickets_reply()
 * into *reply (tk_reply_init'd by the caller), then, when it was sent
 * and not held, the actions are applied. *t gets the ticket as it is
 * after. Errors are tickets_reply's (-GH_DLP_BLOCKED with
 * reply->findings) or the actions' (the reply stays sent). Audited
 * ("macro.apply": macro id and name, ticket, message).
 */
int macros_apply(struct app *app, struct store_conn *c,
		 const struct tk_actor *a, int64_t ticket_id,
		 int64_t macro_id, char **text, struct tk_reply *reply,
		 struct ticket_rec *t);

#endif
