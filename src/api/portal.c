/*
 * Customer ticket endpoints (public listener): the customer's own tickets
 * and their messages, new tickets and messages, and the anti-phishing
 * phrase. Everything here reaches only the customer-filtered side of
 * core/tickets.c, which never reads internal notes; a ticket of another
 * customer answers 404. Staff authors appear by first name only. A
 * customer's message is stored as the inbound analysis left it: each
 * message carries "redacted" (what was removed), and the reply to a new
 * message that lost something carries a plain-language "notice".
 */
#include <stdio.h>
#include <string.h>

#include "api/common.h"
#include "api/quota.h"
#include "core/inbound.h"
#include "core/tickets.h"
#include "util/errors.h"

static json_t *
portal_ticket(const struct ticket_rec *t, int with_last)
{
	json_t *o = json_pack("{s:I, s:s, s:s, s:I, s:I}", "id",
			      (json_int_t)t->id, "subject", t->subject,
			      "status", t->status, "created_at",
			      (json_int_t)t->created_at, "updated_at",
			      (json_int_t)t->updated_at);

	if (o != NULL && with_last)
		json_object_set_new(o, "last_from",
				    json_string(strcmp(t->last_from, "staff") == 0
							? "agent"
							: "customer"));
	return o;
}

/* Adds "redacted" (what the inbound analysis removed, as stored:
 * [{type, rule}]) and, when anything was removed, the plain-language
 * "notice" to the reply to the customer who just wrote. */
static json_t *
with_notice(json_t *o, const char *stored)
{
	json_t *red = api_stored_array(stored);

	if (o == NULL) {
		json_decref(red);
		return NULL;
	}
	if (json_array_size(red) > 0)
		json_object_set_new(o, "notice",
				    json_string(inbound_notice()));
	json_object_set_new(o, "redacted", red);
	return o;
}

/* "You" for the customer; the first word of a staff member's name. */
static json_t *
portal_item(const struct thread_item *it, const char *body)
{
	char first[sizeof(it->author_name)];
	int staff = it->author_realm == REALM_STAFF;
	json_t *o;

	snprintf(first, sizeof(first), "%s", it->author_name);
	first[strcspn(first, " \t")] = '\0';
	if (first[0] == '\0')
		snprintf(first, sizeof(first), "%s", "Support");
	o = json_pack("{s:I, s:s, s:s, s:s, s:I}", "id", (json_int_t)it->id,
		      "from", staff ? "agent" : "customer", "author",
		      staff ? first : "You", "body", body, "created_at",
		      (json_int_t)it->created_at);
	if (o != NULL)
		json_object_set_new(o, "redacted",
				    api_stored_array(it->redactions));
	return o;
}

int
api_portal_tickets_create(struct request *r)
{
	const char *subject = NULL, *body = NULL;
	const struct jspec spec[] = {
		JSPEC_STR("subject", &subject, 1, TICKET_SUBJECT_MAX,
			  JS_REQUIRED),
		JSPEC_STR("body", &body, 1, TICKET_BODY_MAX,
			  JS_REQUIRED | JS_MULTILINE | JS_BYTES),
		JSPEC_END,
	};
	struct ticket_rec t;
	struct thread_item first;
	struct tk_actor a;
	json_t *o;
	int rc;

	rc = api_quota(r, QUOTA_TICKET);
	if (rc == 0)
		rc = api_parse(r, spec);
	if (rc < 0)
		return rc;
	api_actor(r, &a);
	rc = tickets_check_subject(subject);
	if (rc < 0)
		return api_field_error(r, rc, "subject");
	rc = tickets_check_body(body, strlen(body));
	if (rc < 0)
		return api_field_error(r, rc, "body");
	rc = tickets_portal_create_ex(r->app, request_db(r), &a, subject, body,
				      &t, &first);
	if (rc < 0)
		return api_field_error(r, rc, "body");
	o = with_notice(portal_ticket(&t, 0), first.redactions);
	thread_item_clear(&first);
	return api_created(r, o);
}

int
api_portal_tickets_list(struct request *r)
{
	static const char *const known[] = {"limit", "offset", "cursor", NULL};
	struct ticket_list l = {NULL, 0};
	struct tk_page pg = {0, 0, NULL, ""};
	struct tk_actor a;
	json_t *arr;
	int rc;

	/* A search of the customer's tickets: api/search.c answers. */
	if (request_query(r, "q") != NULL)
		return api_portal_search(r);
	rc = request_query_only(r, known);
	if (rc == 0)
		rc = api_cursor_paging(r, TICKET_LIST_MAX, TICKET_OFFSET_MAX,
				       &pg.limit, &pg.offset, &pg.cursor);
	if (rc < 0)
		return rc;
	api_actor(r, &a);
	rc = tickets_portal_page(r->app, request_db(r), &a, &pg, &l);
	if (rc == -GH_BAD_CURSOR)
		return api_error_field(r, rc, "cursor");
	if (rc < 0)
		return rc;
	arr = json_array();
	for (size_t i = 0; i < l.n; i++)
		json_array_append_new(arr, portal_ticket(&l.v[i], 1));
	ticket_list_clear(&l);
	return api_cursor_page(r, "tickets", arr, pg.limit, pg.offset,
			       pg.next);
}

int
api_portal_tickets_get(struct request *r)
{
	struct ticket_rec t;
	struct thread_list msgs;
	struct tk_actor a;
	json_t *body, *arr;
	int rc;

	api_actor(r, &a);
	rc = tickets_portal_get(r->app, request_db(r), &a, r->params[0], &t,
				&msgs);
	if (rc < 0)
		return rc;
	body = portal_ticket(&t, 0);
	arr = json_array();
	for (size_t i = 0; i < msgs.n; i++)
		json_array_append_new(arr,
				      portal_item(&msgs.v[i], msgs.v[i].body));
	json_object_set_new(body, "messages", arr);
	thread_list_clear(&msgs);
	return api_ok(r, body);
}

int
api_portal_tickets_message(struct request *r)
{
	const char *text = NULL;
	const struct jspec spec[] = {
		JSPEC_STR("body", &text, 1, TICKET_BODY_MAX,
			  JS_REQUIRED | JS_MULTILINE | JS_BYTES),
		JSPEC_END,
	};
	struct thread_item it;
	struct tk_actor a;
	json_t *o;
	int rc;

	rc = api_quota(r, QUOTA_MESSAGE);
	if (rc == 0)
		rc = api_parse(r, spec);
	if (rc < 0)
		return rc;
	api_actor(r, &a);
	rc = tickets_portal_message(r->app, request_db(r), &a, r->params[0],
				    text, &it);
	if (rc < 0)
		return api_field_error(r, rc, "body");
	/* The body as stored: the customer sees what was removed. */
	o = with_notice(portal_item(&it, it.body), it.redactions);
	thread_item_clear(&it);
	return api_created(r, o);
}

int
api_portal_phrase_put(struct request *r)
{
	const char *phrase = NULL;
	const struct jspec spec[] = {
		JSPEC_STR("phrase", &phrase, PHRASE_MIN, PHRASE_MAX,
			  JS_REQUIRED),
		JSPEC_END,
	};
	struct tk_actor a;
	int rc;

	rc = api_parse(r, spec);
	if (rc < 0)
		return rc;
	api_actor(r, &a);
	rc = tickets_set_phrase(r->app, request_db(r), &a, phrase);
	if (rc < 0)
		return api_field_error(r, rc, "phrase");
	return api_ok(r, json_pack("{s:s}", "phrase", phrase));
}

int
api_portal_phrase_get(struct request *r)
{
	char *phrase = NULL;
	json_t *body;
	int rc;

	rc = tickets_get_phrase(r->app, request_db(r), r->actor.id, &phrase);
	if (rc < 0)
		return rc;
	body = json_pack("{s:s?}", "phrase", phrase);
	crypto_secret_free(phrase);
	if (body != NULL && json_object_get(body, "phrase") == NULL)
		json_object_set_new(body, "phrase", json_null());
	return api_ok(r, body);
}
