/*
 * The staff side's JSON for tickets (api/tickets_view.h): the summary, a
 * message or note and a held reply as trees for every handler, and the
 * ticket view (issue 14 VIEW2) twice: as a tree, and written straight
 * into its reply's text by util/jsonenc.h's writer, which costs a view no
 * allocation per value, no tree to free and no encoding pass.
 *
 * Invariant: the writer follows the tree's builders key for key; where
 * the tree would drop or empty something (a text that is not UTF-8) the
 * writer fails instead, so the caller falls back to the tree and the
 * bytes never differ.
 */
#include "api/tickets_view.h"

#include <string.h>

#include "api/common.h"
#include "util/jsonenc.h"

/*
 * The view's objects are built member by member rather than through
 * json_pack (whose format parsing cost a share of every view), with
 * json_pack's outcome: the keys in the same order, and NULL for the whole
 * object when a text is NULL or not UTF-8. Each takes and returns o
 * (NULL in, NULL out), and steals v.
 */
static json_t *
with_val(json_t *o, const char *key, json_t *v)
{
	if (o == NULL || v == NULL ||
	    json_object_set_new_nocheck(o, key, v) < 0) {
		json_decref(o);
		json_decref(v);
		return NULL;
	}
	return o;
}

static json_t *
with_str(json_t *o, const char *key, const char *text)
{
	return with_val(o, key, text != NULL ? json_string(text) : NULL);
}

static json_t *
with_int(json_t *o, const char *key, int64_t v)
{
	return with_val(o, key, json_integer((json_int_t)v));
}

static json_t *
person(int64_t id, const char *name)
{
	if (id <= 0)
		return json_null();
	return with_str(with_int(json_object(), "id", id), "name", name);
}

/* The stored tags (sorted, space-separated) as an array of strings. */
static json_t *
tags_json(const char *text)
{
	json_t *arr = json_array();
	const char *p = text;

	while (arr != NULL && *p != '\0') {
		size_t n = strcspn(p, " ");

		if (n > 0 && n <= TICKET_TAG_MAX)
			json_array_append_new(arr, json_stringn(p, n));
		p += n + (p[n] == ' ');
	}
	return arr;
}

json_t *
tkv_ticket(const struct ticket_rec *t)
{
	json_t *o = with_int(json_object(), "id", t->id);

	o = with_str(o, "subject", t->subject);
	o = with_str(o, "status", t->status);
	o = with_str(o, "queue", t->queue_name);
	o = with_val(o, "customer", person(t->customer_id, t->customer_name));
	o = with_val(o, "assignee", person(t->assignee_id, t->assignee_name));
	o = with_int(o, "created_at", t->created_at);
	o = with_int(o, "updated_at", t->updated_at);
	o = with_str(o, "priority", t->priority);
	o = with_val(o, "tags", tags_json(t->tags));
	o = with_val(o, "due_at", t->due_at > 0
					 ? json_integer((json_int_t)t->due_at)
					 : json_null());
	return with_val(o, "breached", json_boolean(t->breached));
}

/* Supervisors see a phishing drill's ticket marked; its target (an
 * agent) sees it as any other ticket. */
json_t *
tkv_summary(const struct ticket_rec *t, const struct tk_actor *a)
{
	json_t *o = tkv_ticket(t);

	if (o != NULL && t->drill_id > 0 && actor_is_supervisor(a))
		json_object_set_new(o, "drill", json_true());
	return o;
}

/* A staff-side message or note. For messages "author" is the customer's
 * display name or the staff member's name; messages carry "redacted"
 * (what the inbound scan removed) and customers' messages "links" (the
 * analysed links as stored, defanged; core/inbound.h). */
json_t *
tkv_item(const struct thread_item *it, const char *body, int note,
	   const char *customer_name)
{
	json_t *o = with_int(json_object(), "id", it->id);

	o = with_str(o, "kind", note ? "note" : "message");
	o = with_str(o, "author", it->author_realm == REALM_STAFF
					  ? it->author_name
					  : customer_name);
	o = with_str(o, "body", body);
	o = with_int(o, "created_at", it->created_at);
	if (o == NULL || note)
		return o;
	json_object_set_new(o, "from",
			    json_string(it->author_realm == REALM_STAFF
						? "agent"
						: "customer"));
	json_object_set_new(o, "redacted",
			    api_stored_array(it->redactions));
	if (it->author_realm == REALM_CUSTOMER)
		json_object_set_new(o, "links", api_stored_array(it->links));
	return o;
}

/* A held reply: who wrote it and why it waits, and once decided, who
 * decided, when, why, and the message it became. */
json_t *
tkv_held(const struct held_reply *h)
{
	int decided = h->decided_by > 0;
	json_t *o = json_pack(
		"{s:I, s:s, s:o, s:s, s:s, s:s, s:I}", "id", (json_int_t)h->id,
		"kind", "held", "author", person(h->author_id, h->author_name),
		"body", h->body != NULL ? h->body : "", "reason", h->reason,
		"state", h->state, "created_at", (json_int_t)h->created_at);

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "decided_by",
			    decided ? person(h->decided_by, h->decided_by_name)
				    : json_null());
	json_object_set_new(o, "decided_at",
			    decided ? json_integer(h->decided_at)
				    : json_null());
	json_object_set_new(o, "decision",
			    decided ? json_string(h->decision) : json_null());
	json_object_set_new(o, "message_id",
			    h->message_id > 0 ? json_integer(h->message_id)
					      : json_null());
	return o;
}


/* --- the view ----------------------------------------------------------- */

json_t *
tkv_view_json(const struct tkv_view *v)
{
	json_t *body = tkv_summary(v->t, v->a);
	json_t *jm = json_array(), *jn = json_array(), *jh = json_array();
	size_t reported = 0;

	for (size_t i = 0; i < v->msgs->n; i++) {
		const struct thread_item *it = &v->msgs->v[i];
		json_t *m = tkv_item(it, it->body, 0, v->t->customer_name);
		int marked = it->reported &&
			     reported++ < TKV_REPORTED_MARKED;

		if (m != NULL && it->author_realm == REALM_CUSTOMER)
			json_object_set_new(m, "reported",
					    json_boolean(marked));
		json_array_append_new(jm, m);
	}
	for (size_t i = 0; i < v->notes->n; i++)
		json_array_append_new(jn, tkv_item(&v->notes->v[i],
						   v->notes->v[i].body, 1, ""));
	for (size_t i = 0; i < v->held->n; i++)
		json_array_append_new(jh, tkv_held(&v->held->v[i]));
	json_object_set_new(body, "messages", jm);
	json_object_set_new(body, "notes", jn);
	json_object_set_new(body, "held", jh);
	return body;
}

static void
w_person(struct jsonw *w, const char *key, int64_t id, const char *name)
{
	if (id <= 0) {
		jsonw_null(w, key);
		return;
	}
	jsonw_object(w, key);
	jsonw_int(w, "id", id);
	jsonw_string(w, "name", name);
	jsonw_end(w);
}

/* A JSON array stored as text, as api_stored_array() reads it. */
static void
w_stored(struct jsonw *w, const char *key, const char *stored)
{
	json_t *v;

	if (stored == NULL || strcmp(stored, "[]") == 0) {
		jsonw_array(w, key);
		jsonw_end(w);
		return;
	}
	v = api_stored_array(stored);
	jsonw_value(w, key, v);
	json_decref(v);
}

/* tkv_item()'s object, and a customer message's "reported" mark. */
static void
w_item(struct jsonw *w, const struct thread_item *it, int note,
       const char *customer_name, int marked)
{
	int staff = it->author_realm == REALM_STAFF;

	jsonw_object(w, NULL);
	jsonw_int(w, "id", it->id);
	jsonw_string(w, "kind", note ? "note" : "message");
	jsonw_string(w, "author", staff ? it->author_name : customer_name);
	jsonw_string(w, "body", it->body);
	jsonw_int(w, "created_at", it->created_at);
	if (!note) {
		jsonw_string(w, "from", staff ? "agent" : "customer");
		w_stored(w, "redacted", it->redactions);
		if (it->author_realm == REALM_CUSTOMER) {
			w_stored(w, "links", it->links);
			jsonw_bool(w, "reported", marked);
		}
	}
	jsonw_end(w);
}

/* Priority, tags and due time, as tkv_ticket() writes them. */
static void
w_attrs(struct jsonw *w, const struct ticket_rec *t)
{
	const char *p = t->tags;

	jsonw_string(w, "priority", t->priority);
	jsonw_array(w, "tags");
	while (*p != '\0') {
		char tag[TICKET_TAG_MAX + 1];
		size_t n = strcspn(p, " ");

		if (n > 0 && n < sizeof(tag)) {
			memcpy(tag, p, n);
			tag[n] = '\0';
			jsonw_string(w, NULL, tag);
		}
		p += n + (p[n] == ' ');
	}
	jsonw_end(w);
	if (t->due_at > 0)
		jsonw_int(w, "due_at", t->due_at);
	else
		jsonw_null(w, "due_at");
	jsonw_bool(w, "breached", t->breached);
}

/* tkv_summary()'s members, the view's object left open. */
static void
w_summary(struct jsonw *w, const struct ticket_rec *t,
	  const struct tk_actor *a)
{
	jsonw_object(w, NULL);
	jsonw_int(w, "id", t->id);
	jsonw_string(w, "subject", t->subject);
	jsonw_string(w, "status", t->status);
	jsonw_string(w, "queue", t->queue_name);
	w_person(w, "customer", t->customer_id, t->customer_name);
	w_person(w, "assignee", t->assignee_id, t->assignee_name);
	jsonw_int(w, "created_at", t->created_at);
	jsonw_int(w, "updated_at", t->updated_at);
	w_attrs(w, t);
	if (t->drill_id > 0 && actor_is_supervisor(a))
		jsonw_bool(w, "drill", 1);
}

char *
tkv_view_text(const struct tkv_view *v, size_t *len_out)
{
	struct jsonw w;
	size_t reported = 0;

	jsonw_init(&w);
	w_summary(&w, v->t, v->a);
	jsonw_array(&w, "messages");
	for (size_t i = 0; i < v->msgs->n; i++) {
		const struct thread_item *it = &v->msgs->v[i];
		int marked = it->reported &&
			     reported++ < TKV_REPORTED_MARKED;

		w_item(&w, it, 0, v->t->customer_name, marked);
	}
	jsonw_end(&w);
	jsonw_array(&w, "notes");
	for (size_t i = 0; i < v->notes->n; i++)
		w_item(&w, &v->notes->v[i], 1, "", 0);
	jsonw_end(&w);
	jsonw_array(&w, "held");
	for (size_t i = 0; i < v->held->n; i++) {
		/* Rare (replies the outbound check could not run on): the
		 * tree's object, encoded. */
		json_t *h = tkv_held(&v->held->v[i]);

		jsonw_value(&w, NULL, h);
		json_decref(h);
	}
	jsonw_end(&w);
	jsonw_end(&w);
	return jsonw_finish(&w, len_out);
}
