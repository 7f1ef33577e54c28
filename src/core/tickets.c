/*
 * Tickets: limits, visibility and every state change with its audit record
 * (see core/tickets.h). Reads outside transactions, writes through
 * store_transact(); checks of visibility are repeated inside the write
 * transaction so nothing acts on a ticket that changed hands meanwhile.
 *
 * This file holds the limits, the customer side (new tickets and
 * messages through the inbound analysis, the anti-phishing phrase) and
 * the staff view of one ticket; the lists are in tickets_list.c, replies
 * and notes in tickets_reply.c, held replies in tickets_held.c,
 * assignment in tickets_assign.c, queues in tickets_queue.c.
 */
#include "core/tickets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/drills.h"
#include "core/contact.h"
#include "core/events.h"
#include "core/inbound.h"
#include "core/sealed.h"
#include "core/tickets_int.h"
#include "util/errors.h"
#include "util/utf8.h"

/* --- limits ------------------------------------------------------------- */

int
tickets_check_subject(const char *s)
{
	int64_t n;

	if (s == NULL)
		return -GH_BAD_FIELD;
	n = utf8_check(s, strlen(s), 0);
	if (n < 0)
		return -GH_BAD_UTF8;
	if (n < 1 || n > TICKET_SUBJECT_MAX)
		return -GH_BAD_FIELD;
	return 0;
}

int
tickets_check_body(const char *body, size_t len)
{
	if (body == NULL || len < 1 || len > TICKET_BODY_MAX)
		return -GH_BAD_FIELD;
	/* An embedded NUL is refused by utf8_check (it counts len bytes). */
	if (utf8_check(body, len, 1) < 0)
		return -GH_BAD_UTF8;
	return 0;
}

int
tickets_valid_status(const char *status)
{
	return status != NULL &&
	       (strcmp(status, "open") == 0 || strcmp(status, "pending") == 0 ||
		strcmp(status, "solved") == 0);
}

int
tk_audit(struct app *app, struct store_conn *c, const struct tk_actor *a,
	 const char *action, int64_t ticket_id, const char *outcome,
	 json_t *detail)
{
	return actor_audit(app, c, a, action, "ticket", ticket_id, outcome,
			   detail);
}

/* --- customer side ------------------------------------------------------ */

/* Stores the inbound analysis with message mid and audits what was
 * removed (types, never values), in the caller's transaction. */
static int
store_inbound(struct app *app, struct store_conn *c, const struct tk_actor *a,
	      int64_t ticket_id, int64_t mid, const struct inbound_result *in)
{
	json_t *types;
	int rc;

	rc = c->ops->message_set_analysis(c, mid, in->redactions, in->links);
	if (rc < 0 || in->removed.n == 0)
		return rc;
	types = json_array();
	if (types == NULL)
		return -GH_INTERNAL;
	for (size_t i = 0; i < in->removed.n; i++)
		json_array_append_new(types,
				      json_string(in->removed.v[i].type));
	return tk_audit(app, c, a, "message.redacted", ticket_id, "success",
			json_pack("{s:I, s:o}", "message", (json_int_t)mid,
				  "types", types));
}

/* Fills a customer's new message item with what was stored. */
static int
inbound_item(const struct inbound_result *in, const struct tk_actor *a,
	     int64_t ticket_id, int64_t mid, int64_t now,
	     struct thread_item *it)
{
	memset(it, 0, sizeof(*it));
	it->body = malloc(in->len + 1);
	it->redactions = strdup(in->redactions);
	if (it->body == NULL || it->redactions == NULL) {
		thread_item_clear(it);
		memset(it, 0, sizeof(*it));
		return -GH_INTERNAL;
	}
	memcpy(it->body, in->text, in->len + 1);
	it->body_len = in->len;
	it->id = mid;
	it->ticket_id = ticket_id;
	it->author_realm = REALM_CUSTOMER;
	it->author_id = a->id;
	it->created_at = now;
	return 0;
}

/* A customer's text checked and through the inbound analysis, without
 * their anti-phishing phrase (core/contact.h). */
static int
customer_text(struct app *app, struct store_conn *c, const struct tk_actor *a,
	      const char *body, struct inbound_result *in)
{
	char *clean = NULL;
	int rc;

	memset(in, 0, sizeof(*in));
	if (!actor_is_customer(a))
		return -GH_FORBIDDEN;
	rc = tickets_check_body(body, body != NULL ? strlen(body) : 0);
	if (rc == 0)
		rc = contact_phrase_scrub(app, c, a->id, body, &clean);
	if (rc < 0)
		return rc;
	if (clean != NULL)
		body = clean;
	rc = inbound_analyse(app, body, strlen(body), in);
	if (rc == 0 && clean != NULL)
		rc = contact_phrase_note(&in->redactions);
	if (clean != NULL) {
		crypto_wipe(clean, strlen(clean));
		free(clean);
	}
	return rc;
}

struct create_ctx {
	struct app *app;
	const struct tk_actor *a;
	const char *subject;
	const struct inbound_result *in;
	int64_t now;
	int64_t id;
	int64_t mid;
};

static int
tx_create(struct store_conn *c, void *cls)
{
	struct create_ctx *x = cls;
	int rc;

	rc = c->ops->ticket_insert(c, x->a->id, x->subject, x->now, &x->id);
	if (rc < 0)
		return rc;
	rc = c->ops->message_insert(c, x->id, REALM_CUSTOMER, x->a->id,
				    x->in->text, x->now, &x->mid);
	if (rc < 0)
		return rc;
	rc = store_inbound(x->app, c, x->a, x->id, x->mid, x->in);
	if (rc == 0)
		rc = sla_on_change(x->app, c, x->id, x->now);
	if (rc == 0)
		rc = events_append(c, EV_TICKET_CREATED, x->id, x->mid,
				   REALM_CUSTOMER, x->a->id);
	if (rc < 0)
		return rc;
	return tk_audit(x->app, c, x->a, "ticket.create", x->id, "success",
			json_pack("{s:I}", "message", (json_int_t)x->mid));
}

int
tickets_portal_create(struct app *app, struct store_conn *c,
		      const struct tk_actor *a, const char *subject,
		      const char *body, struct ticket_rec *out)
{
	return tickets_portal_create_ex(app, c, a, subject, body, out, NULL);
}

int
tickets_portal_create_ex(struct app *app, struct store_conn *c,
			 const struct tk_actor *a, const char *subject,
			 const char *body, struct ticket_rec *out,
			 struct thread_item *first)
{
	struct inbound_result in;
	struct create_ctx x;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&in, 0, sizeof(in));
	if (first != NULL)
		memset(first, 0, sizeof(*first));
	rc = actor_is_customer(a) ? tickets_check_subject(subject)
				  : -GH_FORBIDDEN;
	if (rc == 0)
		rc = customer_text(app, c, a, body, &in);
	if (rc < 0)
		return rc;
	x = (struct create_ctx){app, a, subject, &in, (int64_t)time(NULL), 0,
				0};
	rc = store_transact(c, tx_create, &x);
	if (rc == 0)
		rc = c->ops->portal_ticket_get(c, a->id, x.id, out);
	if (rc == 0 && first != NULL)
		rc = inbound_item(&in, a, x.id, x.mid, x.now, first);
	inbound_result_clear(&in);
	return rc;
}

int
tickets_portal_get(struct app *app, struct store_conn *c,
		   const struct tk_actor *a, int64_t ticket_id,
		   struct ticket_rec *t, struct thread_list *msgs)
{
	int rc;

	(void)app;
	msgs->v = NULL;
	msgs->n = 0;
	memset(t, 0, sizeof(*t));
	if (!actor_is_customer(a))
		return -GH_FORBIDDEN;
	rc = c->ops->portal_ticket_get(c, a->id, ticket_id, t);
	if (rc < 0)
		return rc;
	return c->ops->portal_messages(c, a->id, ticket_id, msgs);
}

struct msg_ctx {
	struct app *app;
	const struct tk_actor *a;
	int64_t ticket_id;
	const struct inbound_result *in;
	int64_t now;
	int64_t mid;
};

static int
tx_portal_message(struct store_conn *c, void *cls)
{
	struct msg_ctx *x = cls;
	struct ticket_rec t;
	const char *status;
	int rc;

	rc = c->ops->portal_ticket_get(c, x->a->id, x->ticket_id, &t);
	if (rc < 0)
		return rc;
	rc = c->ops->message_insert(c, x->ticket_id, REALM_CUSTOMER, x->a->id,
				    x->in->text, x->now, &x->mid);
	if (rc < 0)
		return rc;
	rc = store_inbound(x->app, c, x->a, x->ticket_id, x->mid, x->in);
	if (rc < 0)
		return rc;
	/* A customer writing again means the ticket needs staff again. */
	status = "open";
	rc = c->ops->ticket_update(c, x->ticket_id, status, t.assignee_id,
				   x->now);
	if (rc == 0)
		rc = sla_on_change(x->app, c, x->ticket_id, x->now);
	if (rc == 0)
		rc = events_append(c, EV_MESSAGE_CUSTOMER, x->ticket_id, x->mid,
				   REALM_CUSTOMER, x->a->id);
	if (rc < 0)
		return rc;
	return tk_audit(x->app, c, x->a, "ticket.message", x->ticket_id,
			"success",
			json_pack("{s:I, s:s, s:s}", "message",
				  (json_int_t)x->mid, "status_before",
				  t.status, "status", status));
}

int
tickets_portal_message(struct app *app, struct store_conn *c,
		       const struct tk_actor *a, int64_t ticket_id,
		       const char *body, struct thread_item *out)
{
	struct inbound_result in;
	struct msg_ctx x;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = customer_text(app, c, a, body, &in);
	if (rc < 0)
		return rc;
	x = (struct msg_ctx){app, a, ticket_id, &in, (int64_t)time(NULL), 0};
	rc = store_transact(c, tx_portal_message, &x);
	if (rc == 0)
		rc = inbound_item(&in, a, ticket_id, x.mid, x.now, out);
	inbound_result_clear(&in);
	return rc;
}

/* --- anti-phishing phrase ------------------------------------------------ */

struct phrase_ctx {
	struct app *app;
	const struct tk_actor *a;
	const char *phrase;
};

static int
tx_phrase(struct store_conn *c, void *cls)
{
	struct phrase_ctx *x = cls;
	struct customer_contact cc;
	struct blob sealed = {NULL, 0};
	int rc;

	rc = c->ops->customer_contact(c, x->a->id, &cc);
	if (rc < 0)
		return rc;
	rc = sealed_field_seal(x->app->keys, cc.email_idx, "phrase",
			       x->phrase, &sealed);
	if (rc == 0)
		rc = c->ops->customer_set_phrase(c, x->a->id, &sealed);
	/* The target is the customer themself. */
	if (rc == 0)
		rc = actor_audit(x->app, c, x->a, "customer.phrase_set",
				 realm_name(x->a->realm), x->a->id, "success",
				 NULL);
	blob_clear(&sealed);
	customer_contact_clear(&cc);
	return rc;
}

int
tickets_set_phrase(struct app *app, struct store_conn *c,
		   const struct tk_actor *a, const char *phrase)
{
	struct phrase_ctx x = {app, a, phrase};
	int64_t n;

	if (!actor_is_customer(a))
		return -GH_FORBIDDEN;
	if (phrase == NULL)
		return -GH_BAD_FIELD;
	n = utf8_check(phrase, strlen(phrase), 0);
	if (n < 0)
		return -GH_BAD_UTF8;
	if (n < PHRASE_MIN || n > PHRASE_MAX)
		return -GH_BAD_FIELD;
	return store_transact(c, tx_phrase, &x);
}

int
tickets_get_phrase(struct app *app, struct store_conn *c, int64_t customer_id,
		   char **phrase_out)
{
	struct customer_contact cc;
	int rc;

	*phrase_out = NULL;
	rc = c->ops->customer_contact(c, customer_id, &cc);
	if (rc < 0)
		return rc;
	rc = sealed_field_open(app->keys, cc.email_idx, "phrase", &cc.phrase,
			       phrase_out);
	customer_contact_clear(&cc);
	return rc;
}

/* --- staff side ---------------------------------------------------------- */

int
tickets_staff_name(struct store_conn *c, int64_t id, char *out, size_t outsz)
{
	if (outsz > 0)
		out[0] = '\0';
	if (id <= 0)
		return -GH_NOT_FOUND;
	return c->ops->staff_name(c, id, out, outsz);
}

struct view_ctx {
	struct app *app;
	const struct tk_actor *a;
	int64_t ticket_id;
};

static int
tx_view(struct store_conn *c, void *cls)
{
	struct view_ctx *v = cls;

	return tk_audit(v->app, c, v->a, "ticket.view", v->ticket_id,
			"success", NULL);
}

int
tickets_staff_get(struct app *app, struct store_conn *c,
		  const struct tk_actor *a, int64_t ticket_id,
		  struct ticket_rec *t, struct thread_list *msgs,
		  struct thread_list *notes)
{
	int rc;

	msgs->v = NULL;
	msgs->n = 0;
	notes->v = NULL;
	notes->n = 0;
	if (!actor_is_staff(a))
		return -GH_FORBIDDEN;
	rc = actor_ticket(c, a, ticket_id, t);
	if (rc < 0)
		return rc;
	if (actor_is_supervisor(a) && t->assignee_id != a->id) {
		/* Supervisors see beyond their own work: that is audited. */
		struct view_ctx v = {app, a, ticket_id};

		rc = store_transact(c, tx_view, &v);
		if (rc < 0)
			return rc;
	}
	rc = drills_on_view(app, c, a, t, (int64_t)time(NULL));
	if (rc == 0)
		rc = c->ops->staff_messages(c, ticket_id, msgs);
	if (rc == 0)
		rc = c->ops->staff_notes(c, ticket_id, notes);
	if (rc < 0) {
		thread_list_clear(msgs);
		thread_list_clear(notes);
	}
	return rc;
}
