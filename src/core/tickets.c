/*
 * Tickets: limits, visibility and every state change with its audit record
 * (see core/tickets.h). Reads outside transactions, writes through
 * store_transact(); checks of visibility are repeated inside the write
 * transaction so nothing acts on a ticket that changed hands meanwhile.
 */
#include "core/tickets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/audit.h"
#include "core/auth.h"
#include "util/errors.h"
#include "core/inbound.h"
#include "core/notify.h"
#include "core/outbound.h"
#include "util/log.h"
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
tickets_sees_all(const char *role)
{
	return role != NULL &&
	       (strcmp(role, "supervisor") == 0 || strcmp(role, "admin") == 0);
}

int
tickets_valid_status(const char *status)
{
	return status != NULL &&
	       (strcmp(status, "open") == 0 || strcmp(status, "pending") == 0 ||
		strcmp(status, "solved") == 0);
}

static int
check_limit(int64_t limit, int64_t offset)
{
	if (limit < 1 || limit > TICKET_LIST_MAX || offset < 0 ||
	    offset > INT32_MAX)
		return -GH_BAD_QUERY;
	return 0;
}

static void
who(const struct tk_actor *a, char *buf, size_t sz)
{
	snprintf(buf, sz, "%s:%lld", realm_name(a->realm), (long long)a->id);
}

static void
ticket_target(int64_t id, char *buf, size_t sz)
{
	snprintf(buf, sz, "ticket:%lld", (long long)id);
}

static int
audit(struct app *app, struct store_conn *c, const struct tk_actor *a,
      const char *action, int64_t ticket_id, const char *outcome,
      json_t *detail)
{
	char actor[48], target[48];

	who(a, actor, sizeof(actor));
	ticket_target(ticket_id, target, sizeof(target));
	return audit_log(app, c,
			 &(struct audit_ev){.actor = actor,
					    .action = action,
					    .target = target,
					    .outcome = outcome,
					    .ip = a->ip,
					    .request_id = a->request_id,
					    .detail = detail});
}

static void
staff_query(const struct tk_actor *a, struct ticket_query *q)
{
	memset(q, 0, sizeof(*q));
	q->viewer_id = a->id;
	q->see_all = tickets_sees_all(a->role);
}

static int
is_staff(const struct tk_actor *a)
{
	return a->realm == REALM_STAFF && a->id > 0;
}

static int
is_customer(const struct tk_actor *a)
{
	return a->realm == REALM_CUSTOMER && a->id > 0;
}

/* --- customer side ------------------------------------------------------ */

/* Stores the inbound analysis with message mid and audits what was
 * removed (types and rules, never values), in the caller's transaction. */
static int
store_inbound(struct app *app, struct store_conn *c, const struct tk_actor *a,
	      int64_t ticket_id, int64_t mid, const struct inbound_result *in)
{
	char *red = json_dumps(in->redacted, JSON_COMPACT);
	char *links = json_dumps(in->links, JSON_COMPACT);
	json_t *types = NULL, *f;
	size_t i;
	int rc = -GH_INTERNAL;

	if (red == NULL || links == NULL)
		goto out;
	rc = c->ops->message_set_analysis(c, mid, red, links);
	if (rc < 0 || json_array_size(in->redacted) == 0)
		goto out;
	rc = -GH_INTERNAL;
	types = json_array();
	if (types == NULL)
		goto out;
	json_array_foreach(in->redacted, i, f)
		json_array_append(types, json_object_get(f, "type"));
	rc = audit(app, c, a, "message.redacted", ticket_id, "success",
		   json_pack("{s:I, s:O}", "message", (json_int_t)mid, "types",
			     types));
out:
	json_decref(types);
	free(red);
	free(links);
	return rc;
}

/* Fills a customer's new message item with what was stored. */
static int
inbound_item(const struct inbound_result *in, struct thread_item *it)
{
	it->body = malloc(in->len + 1);
	it->redactions = json_dumps(in->redacted, JSON_COMPACT);
	if (it->body == NULL || it->redactions == NULL) {
		thread_item_clear(it);
		return -GH_INTERNAL;
	}
	memcpy(it->body, in->text, in->len + 1);
	it->body_len = in->len;
	return 0;
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
	if (rc < 0)
		return rc;
	return audit(x->app, c, x->a, "ticket.create", x->id, "success",
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
	if (!is_customer(a))
		return -GH_FORBIDDEN;
	rc = tickets_check_subject(subject);
	if (rc < 0)
		return rc;
	rc = tickets_check_body(body, body != NULL ? strlen(body) : 0);
	if (rc < 0)
		return rc;
	rc = inbound_analyse(app, body, strlen(body), &in);
	if (rc < 0)
		return rc;
	x = (struct create_ctx){app, a, subject, &in, (int64_t)time(NULL), 0,
				0};
	rc = store_transact(c, tx_create, &x);
	if (rc < 0)
		goto out;
	rc = c->ops->portal_ticket_get(c, a->id, x.id, out);
	if (rc < 0 || first == NULL)
		goto out;
	rc = inbound_item(&in, first);
	if (rc < 0)
		goto out;
	first->id = x.mid;
	first->ticket_id = x.id;
	first->author_realm = REALM_CUSTOMER;
	first->author_id = a->id;
	first->created_at = x.now;
out:
	inbound_result_clear(&in);
	return rc;
}

int
tickets_portal_list(struct app *app, struct store_conn *c,
		    const struct tk_actor *a, int64_t limit, int64_t offset,
		    struct ticket_list *out)
{
	int rc;

	(void)app;
	out->v = NULL;
	out->n = 0;
	if (!is_customer(a))
		return -GH_FORBIDDEN;
	rc = check_limit(limit, offset);
	if (rc < 0)
		return rc;
	return c->ops->portal_ticket_list(c, a->id, limit, offset, out);
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
	if (!is_customer(a))
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
	const char *body;
	int64_t now;
	struct thread_item *out;
	json_t *findings;
	const struct inbound_result *in; /* customer messages */
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
				    x->in->text, x->now, &x->out->id);
	if (rc < 0)
		return rc;
	rc = store_inbound(x->app, c, x->a, x->ticket_id, x->out->id, x->in);
	if (rc < 0)
		return rc;
	/* A customer writing again means the ticket needs staff again. */
	status = "open";
	rc = c->ops->ticket_update(c, x->ticket_id, status, t.assignee_id,
				   x->now);
	if (rc < 0)
		return rc;
	return audit(x->app, c, x->a, "ticket.message", x->ticket_id,
		     "success",
		     json_pack("{s:I, s:s, s:s}", "message",
			       (json_int_t)x->out->id, "status_before",
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
	memset(&in, 0, sizeof(in));
	if (!is_customer(a))
		return -GH_FORBIDDEN;
	rc = tickets_check_body(body, body != NULL ? strlen(body) : 0);
	if (rc < 0)
		return rc;
	rc = inbound_analyse(app, body, strlen(body), &in);
	if (rc < 0)
		return rc;
	x = (struct msg_ctx){app, a, ticket_id, body, (int64_t)time(NULL), out,
			     NULL, &in};
	rc = store_transact(c, tx_portal_message, &x);
	if (rc == 0)
		rc = inbound_item(&in, out);
	if (rc < 0) {
		memset(out, 0, sizeof(*out));
		goto out;
	}
	out->ticket_id = ticket_id;
	out->author_realm = REALM_CUSTOMER;
	out->author_id = a->id;
	out->created_at = x.now;
out:
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
	char ad[160];
	char actor[48];
	int rc;

	rc = c->ops->customer_contact(c, x->a->id, &cc);
	if (rc < 0)
		return rc;
	snprintf(ad, sizeof(ad), "customer.phrase:%s", cc.email_idx);
	rc = -GH_INTERNAL;
	if (crypto_seal(x->app->keys, ad, x->phrase, strlen(x->phrase),
			&sealed.data, &sealed.len) < 0)
		goto out;
	rc = c->ops->customer_set_phrase(c, x->a->id, &sealed);
	if (rc < 0)
		goto out;
	who(x->a, actor, sizeof(actor));
	rc = audit_log(x->app, c,
		       &(struct audit_ev){.actor = actor,
					  .action = "customer.phrase_set",
					  .target = actor,
					  .outcome = "success",
					  .ip = x->a->ip,
					  .request_id = x->a->request_id});
out:
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

	if (!is_customer(a))
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
	char ad[160];
	size_t len = 0;
	int rc;

	*phrase_out = NULL;
	rc = c->ops->customer_contact(c, customer_id, &cc);
	if (rc < 0)
		return rc;
	if (cc.phrase.data != NULL) {
		snprintf(ad, sizeof(ad), "customer.phrase:%s", cc.email_idx);
		if (crypto_open(app->keys, ad, cc.phrase.data, cc.phrase.len,
				phrase_out, &len) < 0) {
			LOG_BUG("anti-phishing phrase does not open");
			rc = -GH_INTERNAL;
		}
	}
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

int
tickets_staff_list(struct app *app, struct store_conn *c,
		   const struct tk_actor *a, const char *status,
		   enum ticket_assigned assigned, int64_t limit, int64_t offset,
		   struct ticket_list *out)
{
	return tickets_staff_list_queue(app, c, a, status, assigned, NULL,
					limit, offset, out);
}

int
tickets_staff_list_queue(struct app *app, struct store_conn *c,
			 const struct tk_actor *a, const char *status,
			 enum ticket_assigned assigned, const char *queue,
			 int64_t limit, int64_t offset, struct ticket_list *out)
{
	struct ticket_query q;
	struct queue_rec qr;
	int rc;

	(void)app;
	out->v = NULL;
	out->n = 0;
	if (!is_staff(a))
		return -GH_FORBIDDEN;
	rc = check_limit(limit, offset);
	if (rc < 0)
		return rc;
	if (status != NULL && !tickets_valid_status(status))
		return -GH_BAD_QUERY;
	if (assigned != TA_ANY && assigned != TA_ME &&
	    assigned != TA_UNASSIGNED)
		return -GH_BAD_QUERY;
	memset(&qr, 0, sizeof(qr));
	if (queue != NULL) {
		rc = tickets_queue_find(c, queue, &qr);
		if (rc < 0)
			return rc;
	}
	staff_query(a, &q);
	q.status = status;
	q.assigned = assigned;
	q.queue_id = qr.id;
	q.limit = limit;
	q.offset = offset;
	return c->ops->staff_ticket_list(c, &q, out);
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

	return audit(v->app, c, v->a, "ticket.view", v->ticket_id, "success",
		     NULL);
}

int
tickets_staff_get(struct app *app, struct store_conn *c,
		  const struct tk_actor *a, int64_t ticket_id,
		  struct ticket_rec *t, struct thread_list *msgs,
		  struct thread_list *notes)
{
	struct ticket_query q;
	int rc;

	msgs->v = NULL;
	msgs->n = 0;
	notes->v = NULL;
	notes->n = 0;
	if (!is_staff(a))
		return -GH_FORBIDDEN;
	staff_query(a, &q);
	rc = c->ops->staff_ticket_get(c, &q, ticket_id, t);
	if (rc < 0)
		return rc;
	if (q.see_all && t->assignee_id != a->id) {
		/* Supervisors see beyond their own work: that is audited. */
		struct view_ctx v = {app, a, ticket_id};

		rc = store_transact(c, tx_view, &v);
		if (rc < 0)
			return rc;
	}
	rc = c->ops->staff_messages(c, ticket_id, msgs);
	if (rc == 0)
		rc = c->ops->staff_notes(c, ticket_id, notes);
	if (rc < 0) {
		thread_list_clear(msgs);
		thread_list_clear(notes);
	}
	return rc;
}

static int
tx_reply(struct store_conn *c, void *cls)
{
	struct msg_ctx *x = cls;
	struct ticket_query q;
	struct ticket_rec t;
	int64_t assignee;
	int rc;

	json_decref(x->findings);
	x->findings = NULL;
	staff_query(x->a, &q);
	rc = c->ops->staff_ticket_get(c, &q, x->ticket_id, &t);
	if (rc < 0)
		return rc;
	rc = outbound_check(x->app, c, t.id, t.customer_id, x->body,
			    strlen(x->body), &x->findings);
	if (rc < 0)
		return rc;
	rc = c->ops->message_insert(c, t.id, REALM_STAFF, x->a->id, x->body,
				    x->now, &x->out->id);
	if (rc < 0)
		return rc;
	assignee = t.assignee_id > 0 ? t.assignee_id : x->a->id;
	rc = c->ops->ticket_update(c, t.id, t.status, assignee, x->now);
	if (rc < 0)
		return rc;
	rc = notify_new_message(x->app, c, t.id, t.customer_id, x->now);
	if (rc < 0)
		return rc;
	return audit(x->app, c, x->a, "ticket.reply", t.id, "success",
		     json_pack("{s:I, s:I}", "message", (json_int_t)x->out->id,
			       "assignee", (json_int_t)assignee));
}

static int
tx_reply_denied(struct store_conn *c, void *cls)
{
	struct msg_ctx *x = cls;
	json_t *types = json_array();
	size_t i;
	json_t *f;

	json_array_foreach(x->findings, i, f)
		json_array_append(types, json_object_get(f, "type"));
	return audit(x->app, c, x->a, "ticket.reply", x->ticket_id, "denied",
		     json_pack("{s:s, s:o}", "reason", "dlp_blocked", "types",
			       types));
}

int
tickets_reply(struct app *app, struct store_conn *c, const struct tk_actor *a,
	      int64_t ticket_id, const char *body, struct thread_item *out,
	      json_t **findings)
{
	struct msg_ctx x;
	int rc;

	memset(out, 0, sizeof(*out));
	*findings = NULL;
	if (!is_staff(a))
		return -GH_FORBIDDEN;
	rc = tickets_check_body(body, body != NULL ? strlen(body) : 0);
	if (rc < 0)
		return rc;
	x = (struct msg_ctx){app, a, ticket_id, body, (int64_t)time(NULL), out,
			     NULL, NULL};
	rc = store_transact(c, tx_reply, &x);
	if (rc == -GH_DLP_BLOCKED) {
		int arc = store_transact(c, tx_reply_denied, &x);

		log_event(LOG_INFO, "ticket.reply_blocked",
			  json_pack("{s:I, s:I, s:s?}", "ticket",
				    (json_int_t)ticket_id, "findings",
				    (json_int_t)json_array_size(x.findings),
				    "request_id", a->request_id));
		if (arc < 0) {
			json_decref(x.findings);
			memset(out, 0, sizeof(*out));
			return arc;
		}
		*findings = x.findings;
		memset(out, 0, sizeof(*out));
		return rc;
	}
	json_decref(x.findings);
	if (rc < 0) {
		memset(out, 0, sizeof(*out));
		return rc;
	}
	out->ticket_id = ticket_id;
	out->author_realm = REALM_STAFF;
	out->author_id = a->id;
	out->created_at = x.now;
	return 0;
}

static int
tx_note(struct store_conn *c, void *cls)
{
	struct msg_ctx *x = cls;
	struct ticket_query q;
	struct ticket_rec t;
	int rc;

	staff_query(x->a, &q);
	rc = c->ops->staff_ticket_get(c, &q, x->ticket_id, &t);
	if (rc < 0)
		return rc;
	rc = c->ops->note_insert(c, t.id, x->a->id, x->body, x->now,
				 &x->out->id);
	if (rc < 0)
		return rc;
	rc = c->ops->ticket_update(c, t.id, t.status, t.assignee_id, x->now);
	if (rc < 0)
		return rc;
	return audit(x->app, c, x->a, "ticket.note", t.id, "success",
		     json_pack("{s:I}", "note", (json_int_t)x->out->id));
}

int
tickets_note(struct app *app, struct store_conn *c, const struct tk_actor *a,
	     int64_t ticket_id, const char *body, struct thread_item *out)
{
	struct msg_ctx x;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!is_staff(a))
		return -GH_FORBIDDEN;
	rc = tickets_check_body(body, body != NULL ? strlen(body) : 0);
	if (rc < 0)
		return rc;
	x = (struct msg_ctx){app, a, ticket_id, body, (int64_t)time(NULL), out,
			     NULL, NULL};
	rc = store_transact(c, tx_note, &x);
	if (rc < 0) {
		memset(out, 0, sizeof(*out));
		return rc;
	}
	out->ticket_id = ticket_id;
	out->author_realm = REALM_STAFF;
	out->author_id = a->id;
	out->created_at = x.now;
	return 0;
}

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

	staff_query(x->a, &q);
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
		return -GH_BAD_FIELD;
	if (rc < 0)
		return rc;
	rc = target.disabled ? -GH_BAD_FIELD : 0;
	account_clear(&target);
	if (rc < 0)
		return rc;
	if (t.assignee_id == x->staff_id)
		return 0;
	rc = c->ops->ticket_update(c, t.id, t.status, x->staff_id, x->now);
	if (rc < 0)
		return rc;
	return audit(x->app, c, x->a, "ticket.assign", t.id, "success",
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

	staff_query(x->a, &q);
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
	if (rc < 0)
		return rc;
	return audit(x->app, c, x->a, "ticket.status", t.id, "success",
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

	staff_query(x->a, &q);
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
	if (rc < 0)
		return rc;
	return audit(x->app, c, x->a, "ticket.queue", t.id, "success",
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
	if (!is_staff(x->a))
		return -GH_FORBIDDEN;
	(void)app;
	x->now = (int64_t)time(NULL);
	rc = store_transact(c, fn, x);
	if (rc < 0)
		return rc;
	/* Read back with see-all: after handing a ticket to a colleague the
	 * agent still gets the outcome of their own action. */
	staff_query(x->a, &q);
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
	if (!is_staff(a) || !tickets_sees_all(a->role))
		return -GH_FORBIDDEN;
	if (!tickets_valid_queue_name(queue))
		return -GH_UNKNOWN_QUEUE;
	return change(app, c, &x, tx_move, out);
}

/* --- queues and membership ---------------------------------------------- */

int
tickets_valid_queue_name(const char *name)
{
	size_t n;

	if (name == NULL)
		return 0;
	n = strlen(name);
	if (n < 1 || n > QUEUE_NAME_MAX || name[0] == '-' || name[0] == '_')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		      ch == '-' || ch == '_'))
			return 0;
	}
	return 1;
}

int
tickets_queue_find(struct store_conn *c, const char *name,
		   struct queue_rec *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if (!tickets_valid_queue_name(name))
		return -GH_UNKNOWN_QUEUE;
	rc = c->ops->queue_by_name(c, name, out);
	return rc == -GH_NOT_FOUND ? -GH_UNKNOWN_QUEUE : rc;
}

static int
audit_queue(struct app *app, struct store_conn *c, const char *actor,
	    const char *action, const char *target_kind, int64_t target_id,
	    json_t *detail)
{
	char target[48];

	snprintf(target, sizeof(target), "%s:%lld", target_kind,
		 (long long)target_id);
	return audit_log(app, c,
			 &(struct audit_ev){.actor = actor,
					    .action = action,
					    .target = target,
					    .outcome = "success",
					    .detail = detail});
}

struct queue_ctx {
	struct app *app;
	const char *actor;
	const char *name;
	int64_t id;
};

static int
tx_queue_create(struct store_conn *c, void *cls)
{
	struct queue_ctx *x = cls;
	struct queue_rec qr;
	int rc;

	rc = c->ops->queue_by_name(c, x->name, &qr);
	if (rc == 0)
		return -GH_QUEUE_EXISTS;
	if (rc != -GH_NOT_FOUND)
		return rc;
	rc = c->ops->queue_insert(c, x->name, &x->id);
	if (rc == -GH_EXISTS)
		return -GH_QUEUE_EXISTS;
	if (rc < 0)
		return rc;
	return audit_queue(x->app, c, x->actor, "queue.create", "queue", x->id,
			   json_pack("{s:s}", "name", x->name));
}

int
tickets_queue_create(struct app *app, struct store_conn *c, const char *actor,
		     const char *name, int64_t *id_out)
{
	struct queue_ctx x = {app, actor, name, 0};
	int rc;

	*id_out = 0;
	if (!tickets_valid_queue_name(name))
		return -GH_BAD_FIELD;
	rc = store_transact(c, tx_queue_create, &x);
	if (rc == 0)
		*id_out = x.id;
	return rc;
}

int
tickets_queue_list(struct store_conn *c, struct queue_list *out)
{
	return c->ops->queue_list(c, out);
}

int
tickets_staff_queues(struct store_conn *c, int64_t staff_id,
		     struct queue_list *out)
{
	return c->ops->staff_queue_list(c, staff_id, out);
}

/* Adds or removes one membership in the caller's transaction, audited
 * when it changes; *changed (may be NULL) says whether it did. */
static int
set_member(struct app *app, struct store_conn *c, const char *actor,
	   int64_t staff_id, const struct queue_rec *qr, int add, int *changed)
{
	int rc;

	if (changed != NULL)
		*changed = 0;
	rc = add ? c->ops->staff_queue_add(c, staff_id, qr->id)
		 : c->ops->staff_queue_remove(c, staff_id, qr->id);
	if ((add && rc == -GH_EXISTS) || (!add && rc == -GH_NOT_FOUND))
		return 0;
	if (rc < 0)
		return rc;
	if (changed != NULL)
		*changed = 1;
	return audit_queue(app, c, actor,
			   add ? "staff.queue_add" : "staff.queue_remove",
			   "staff", staff_id,
			   json_pack("{s:s, s:I}", "queue", qr->name, "queue_id",
				     (json_int_t)qr->id));
}

struct member_ctx {
	struct app *app;
	const char *actor;
	const char *email;
	const char *queue;
	int add;
	int64_t staff_id;
	int changed;
	const char *const *names;
	size_t n;
};

static int
tx_staff_queue(struct store_conn *c, void *cls)
{
	struct member_ctx *x = cls;
	struct account acc;
	struct queue_rec qr;
	int rc;

	rc = c->ops->account_by_login(c, REALM_STAFF, x->email, &acc);
	if (rc < 0)
		return rc;
	x->staff_id = acc.id;
	account_clear(&acc);
	rc = tickets_queue_find(c, x->queue, &qr);
	if (rc < 0)
		return rc;
	return set_member(x->app, c, x->actor, x->staff_id, &qr, x->add,
			  &x->changed);
}

int
tickets_staff_queue(struct app *app, struct store_conn *c, const char *actor,
		    const char *email, const char *queue, int add,
		    int64_t *staff_id, int *changed)
{
	char norm[256];
	struct member_ctx x;
	int rc;

	*staff_id = 0;
	*changed = 0;
	if (email == NULL ||
	    auth_normalize_email(email, norm, sizeof(norm)) < 0)
		return -GH_NOT_FOUND;
	if (!tickets_valid_queue_name(queue))
		return -GH_UNKNOWN_QUEUE;
	memset(&x, 0, sizeof(x));
	x.app = app;
	x.actor = actor;
	x.email = norm;
	x.queue = queue;
	x.add = add;
	rc = store_transact(c, tx_staff_queue, &x);
	if (rc < 0)
		return rc;
	*staff_id = x.staff_id;
	*changed = x.changed;
	return 0;
}

static int
tx_set_queues(struct store_conn *c, void *cls)
{
	struct member_ctx *x = cls;
	struct queue_list have = {NULL, 0};
	struct queue_rec qr;
	int rc;

	for (size_t i = 0; i < x->n; i++) {
		rc = tickets_queue_find(c, x->names[i], &qr);
		if (rc == 0)
			rc = set_member(x->app, c, x->actor, x->staff_id, &qr,
					1, NULL);
		if (rc < 0)
			return rc;
	}
	rc = c->ops->staff_queue_list(c, x->staff_id, &have);
	for (size_t i = 0; rc == 0 && i < have.n; i++) {
		int wanted = 0;

		for (size_t j = 0; j < x->n; j++)
			if (strcmp(have.v[i].name, x->names[j]) == 0)
				wanted = 1;
		if (!wanted)
			rc = set_member(x->app, c, x->actor, x->staff_id,
					&have.v[i], 0, NULL);
	}
	queue_list_clear(&have);
	return rc;
}

/* The context of tx_set_queues, or -GH_BAD_FIELD for no queue names. */
static int
set_queues_ctx(struct member_ctx *x, struct app *app, const char *actor,
	       int64_t staff_id, const char *const *names, size_t n)
{
	if (n < 1 || names == NULL || staff_id <= 0)
		return -GH_BAD_FIELD;
	memset(x, 0, sizeof(*x));
	x->app = app;
	x->actor = actor;
	x->staff_id = staff_id;
	x->names = names;
	x->n = n;
	return 0;
}

int
tickets_staff_set_queues_tx(struct app *app, struct store_conn *c,
			    const char *actor, int64_t staff_id,
			    const char *const *names, size_t n)
{
	struct member_ctx x;
	int rc = set_queues_ctx(&x, app, actor, staff_id, names, n);

	return rc < 0 ? rc : tx_set_queues(c, &x);
}

int
tickets_staff_set_queues(struct app *app, struct store_conn *c,
			 const char *actor, int64_t staff_id,
			 const char *const *names, size_t n)
{
	struct member_ctx x;
	int rc = set_queues_ctx(&x, app, actor, staff_id, names, n);

	return rc < 0 ? rc : store_transact(c, tx_set_queues, &x);
}
