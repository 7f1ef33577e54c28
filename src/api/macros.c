/*
 * Canned replies (staff listener): GET /macros (those the caller may use;
 * ?ticket=ID: those usable on that ticket), POST /macros {name, text,
 * queue?, actions?}, PUT /macros/{id} {name, text, actions?}, DELETE
 * /macros/{id}; GET /tickets/{id}/macros/{mid}/preview (the expanded
 * text, nothing sent) and POST /tickets/{id}/macros/{mid}/apply (sent as
 * a reply, then the actions). actions is {status?, priority?, add_tags?:
 * [..], remove_tags?: [..]}. Rules and refusals are core/macros.h's.
 *
 * A text the outbound check refuses answers 422 dlp_blocked with the
 * findings (types and offsets, never the text), on save as on apply; a
 * placeholder outside the list answers 400 bad_placeholder naming it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/quota.h"
#include "api/tickets_view.h"
#include "core/macros.h"
#include "util/errors.h"

/* --- JSON of a macro --------------------------------------------------------- */

static json_t *
tag_array(const char *tags)
{
	char buf[MACRO_TAGS_BYTES], *save = NULL;
	json_t *a = json_array();

	snprintf(buf, sizeof(buf), "%s", tags);
	for (char *t = strtok_r(buf, " ", &save); t != NULL && a != NULL;
	     t = strtok_r(NULL, " ", &save))
		json_array_append_new(a, json_string(t));
	return a;
}

static json_t *
macro_json(const struct macro_rec *m, const struct tk_actor *a)
{
	int shared = m->owner_id == 0;

	return json_pack(
		"{s:I, s:s, s:s, s:s, s:s?, s:b, s:{s:s?, s:s?, s:o, s:o}, "
		"s:I, s:I}",
		"id", (json_int_t)m->id, "name", m->name, "text",
		m->body != NULL ? m->body : "", "scope",
		shared ? "queue" : "personal", "queue",
		shared ? m->queue_name : NULL, "editable",
		!shared || actor_is_supervisor(a), "actions", "status",
		m->status[0] != '\0' ? m->status : NULL, "priority",
		m->priority[0] != '\0' ? m->priority : NULL, "add_tags",
		tag_array(m->tags_add), "remove_tags",
		tag_array(m->tags_remove), "created_at",
		(json_int_t)m->created_at, "updated_at",
		(json_int_t)m->updated_at);
}

/* --- the body ------------------------------------------------------------------ */

/* Room for the tags of one body, as pointers into its document. */
struct macro_body {
	struct macro_input in;
	const char *add[MACRO_TAGS_MAX], *rem[MACRO_TAGS_MAX];
};

/* A list of tag names: an array of at most MACRO_TAGS_MAX strings. */
static int
tag_list(json_t *v, const char **out, size_t *n)
{
	size_t i;
	json_t *e;

	*n = 0;
	if (!json_is_array(v) || json_array_size(v) > MACRO_TAGS_MAX)
		return -GH_BAD_FIELD;
	json_array_foreach(v, i, e) {
		if (!json_is_string(e))
			return -GH_BAD_FIELD;
		out[(*n)++] = json_string_value(e);
	}
	return 0;
}

/* The members of "actions" into b; each names itself when bad. */
static int
parse_actions(struct request *r, json_t *obj, struct macro_body *b)
{
	const char *key;
	json_t *v;
	int rc = 0;

	json_object_foreach(obj, key, v) {
		if (strcmp(key, "add_tags") == 0)
			rc = tag_list(v, b->add, &b->in.n_add);
		else if (strcmp(key, "remove_tags") == 0)
			rc = tag_list(v, b->rem, &b->in.n_remove);
		else if (strcmp(key, "status") != 0 &&
			 strcmp(key, "priority") != 0)
			return api_error_field(r, -GH_UNKNOWN_FIELD, "actions");
		else if (json_is_string(v) || json_is_null(v))
			*(strcmp(key, "status") == 0 ? &b->in.status
						     : &b->in.priority) =
				json_string_value(v);
		else
			rc = -GH_BAD_FIELD;
		if (rc < 0)
			return api_error_field(r, rc, key);
	}
	return 0;
}

/* Parses {name, text, queue? (create only), actions?} into b. */
static int
parse_macro(struct request *r, struct macro_body *b, int create)
{
	json_t *actions = NULL;
	struct jspec spec[] = {
		JSPEC_STR("name", &b->in.name, 1, MACRO_NAME_MAX, JS_REQUIRED),
		JSPEC_STR("text", &b->in.text, 1, TICKET_BODY_MAX,
			  JS_REQUIRED | JS_MULTILINE | JS_BYTES),
		JSPEC_OBJ("actions", &actions, 0, 4, 0),
		JSPEC_STR("queue", &b->in.queue, 1, QUEUE_NAME_MAX, 0),
		JSPEC_END,
	};
	int rc;

	memset(b, 0, sizeof(*b));
	b->in.tags_add = b->add;
	b->in.tags_remove = b->rem;
	if (!create)
		spec[3] = (struct jspec)JSPEC_END;
	rc = api_parse(r, spec);
	if (rc == 0 && actions != NULL)
		rc = parse_actions(r, actions, b);
	return rc;
}

/* The answer to a refused save or send. */
static int
refusal(struct request *r, int rc, const struct macro_refusal *f)
{
	json_decref(r->error_extra);
	r->error_extra = NULL;
	if (rc == -GH_DLP_BLOCKED)
		r->error_extra = json_pack("{s:s, s:o}", "field", "text",
					   "findings",
					   dlp_findings_json(&f->findings));
	else if (rc == -GH_BAD_PLACEHOLDER)
		r->error_extra = json_pack("{s:s, s:s, s:I}", "field", "text",
					   "placeholder", f->placeholder,
					   "offset", (json_int_t)f->offset);
	else if (rc == -GH_UNKNOWN_QUEUE)
		return api_error_field(r, rc, "queue");
	else if (rc == -GH_MACRO_EXISTS)
		return api_error_field(r, rc, "name");
	else if (f->field != NULL)
		return api_field_error(r, rc, f->field);
	return rc;
}

/* --- handlers --------------------------------------------------------------------- */

/* The queues a may share macros in: every queue for supervisors and
 * admins, none for agents. */
static json_t *
share_queues(struct request *r, const struct tk_actor *a)
{
	struct queue_list q = {NULL, 0};
	json_t *arr = json_array();

	if (actor_is_supervisor(a) &&
	    tickets_queue_list(request_db(r), &q) == 0)
		for (size_t i = 0; i < q.n; i++)
			json_array_append_new(arr, json_string(q.v[i].name));
	queue_list_clear(&q);
	return arr;
}

int
api_macros_list(struct request *r)
{
	static const char *const known[] = {"ticket", NULL};
	struct macro_list l = {NULL, 0};
	struct tk_actor a;
	int64_t ticket = 0;
	json_t *arr;
	int rc;

	rc = request_query_only(r, known);
	if (rc == 0)
		rc = api_query_int(r, "ticket", 0, 1, INT64_MAX, &ticket);
	if (rc < 0)
		return rc;
	api_actor(r, &a);
	rc = macros_list(r->app, request_db(r), &a, ticket, &l);
	if (rc < 0)
		return rc;
	arr = json_array();
	for (size_t i = 0; i < l.n; i++)
		json_array_append_new(arr, macro_json(&l.v[i], &a));
	macro_list_clear(&l);
	return api_ok(r, json_pack("{s:o, s:o}", "macros", arr, "queues",
				   share_queues(r, &a)));
}

/* POST /macros and PUT /macros/{id}. */
static int
save_macro(struct request *r, int create)
{
	struct macro_body b;
	struct macro_refusal f;
	struct macro_rec m;
	struct tk_actor a;
	int rc;

	rc = parse_macro(r, &b, create);
	if (rc < 0)
		return rc;
	api_actor(r, &a);
	macro_refusal_init(&f);
	if (create)
		rc = macros_create(r->app, request_db(r), &a, &b.in, &f, &m);
	else
		rc = macros_update(r->app, request_db(r), &a, r->params[0],
				   &b.in, &f, &m);
	if (rc < 0)
		rc = refusal(r, rc, &f);
	else if (create)
		rc = api_created(r, macro_json(&m, &a));
	else
		rc = api_ok(r, macro_json(&m, &a));
	macro_rec_clear(&m);
	macro_refusal_clear(&f);
	return rc;
}

int
api_macros_create(struct request *r)
{
	return save_macro(r, 1);
}

int
api_macros_update(struct request *r)
{
	return save_macro(r, 0);
}

int
api_macros_delete(struct request *r)
{
	struct tk_actor a;
	int rc;

	api_actor(r, &a);
	rc = macros_delete(r->app, request_db(r), &a, r->params[0]);
	if (rc < 0)
		return rc;
	return api_ok(r, json_pack("{s:I, s:b}", "id",
				   (json_int_t)r->params[0], "deleted", 1));
}

int
api_macros_preview(struct request *r)
{
	struct macro_rec m;
	struct tk_actor a;
	char *text = NULL;
	int rc;

	api_actor(r, &a);
	rc = macros_preview(r->app, request_db(r), &a, r->params[0],
			    r->params[1], &text, &m);
	if (rc < 0)
		return rc;
	rc = api_ok(r, json_pack("{s:s, s:o}", "text", text, "macro",
				 macro_json(&m, &a)));
	free(text);
	macro_rec_clear(&m);
	return rc;
}

/* The answer to an applied macro: 201 with the message sent, or 202
 * with the held reply; the ticket after the actions. */
static int
applied(struct request *r, const struct tk_reply *res, const char *text,
	const struct ticket_rec *t)
{
	if (!res->held)
		return api_created(r, json_pack("{s:o, s:o}", "reply",
						tkv_item(&res->item, text, 0,
							 ""),
						"ticket", tkv_ticket(t)));
	return api_accepted(r, json_pack("{s:s, s:s, s:s, s:{s:I}, s:o}",
					 "status", "held", "reason",
					 res->reason, "notice",
					 err_message(GH_NOTES_TOO_LARGE),
					 "held", "id",
					 (json_int_t)res->item.id, "ticket",
					 tkv_ticket(t)));
}

int
api_macros_apply(struct request *r)
{
	const struct jspec none[] = {JSPEC_END};
	struct tk_reply res;
	struct ticket_rec t;
	struct tk_actor a;
	char *text = NULL;
	int rc;

	rc = api_quota(r, QUOTA_MESSAGE);
	if (rc == 0)
		rc = api_parse(r, none); /* {} or nothing: no field is taken */
	if (rc < 0)
		return rc;
	api_actor(r, &a);
	tk_reply_init(&res);
	rc = macros_apply(r->app, request_db(r), &a, r->params[0],
			  r->params[1], &text, &res, &t);
	if (rc == -GH_DLP_BLOCKED) {
		json_decref(r->error_extra);
		r->error_extra = json_pack("{s:s, s:o}", "field", "text",
					   "findings",
					   dlp_findings_json(&res.findings));
	} else if (rc == -GH_BAD_FIELD) {
		rc = api_error_field(r, rc, "text");
	} else if (rc == 0) {
		rc = applied(r, &res, text, &t);
	}
	free(text);
	tk_reply_clear(&res);
	return rc;
}
