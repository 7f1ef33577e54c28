/*
 * Phishing-drill and report endpoints (core/drills.h). Supervisors and
 * admins: POST /drills {template, staff: [ids] | queue, send_at?},
 * GET /drills, /drills/{id}, /drills/stats, /drills/templates. Staff:
 * POST /tickets/{id}/messages/{mid}/links/{n}/open (every link of a
 * customer message is opened through it) and
 * POST /tickets/{id}/messages/{mid}/report-phishing {note?}, and
 * POST /attachments/{id}/open before a file is downloaded.
 *
 * Invariant: the create body is checked whole (the staff array here, the
 * other fields by their spec) before core is called, so a bad body
 * writes nothing.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/common.h"
#include "core/drills.h"
#include "core/tickets.h"
#include "util/errors.h"

/* The staff array of a create body: at most max + 1 ids (core refuses
 * more than max). -GH_BAD_FIELD when it is not an array of ids. */
static int
staff_ids(json_t *arr, int64_t *ids, size_t max, size_t *n)
{
	size_t i;
	json_t *v;

	*n = 0;
	if (!json_is_array(arr))
		return -GH_BAD_FIELD;
	if (json_array_size(arr) > max)
		return -GH_DRILL_TOO_MANY_TARGETS;
	json_array_foreach(arr, i, v) {
		if (!json_is_integer(v) || json_integer_value(v) < 1)
			return -GH_BAD_FIELD;
		ids[(*n)++] = json_integer_value(v);
	}
	return 0;
}

/* Parses the create body: the staff array by hand, the rest by spec
 * (parsed from the body without the array, so unknown fields, types and
 * bounds are refused as everywhere). */
static int
parse_create(struct request *r, struct drill_request *q, int64_t *ids,
	     size_t max)
{
	const struct jspec spec[] = {
		JSPEC_STR("template", &q->template_id, 1, 64, JS_REQUIRED),
		JSPEC_STR("queue", &q->queue, 1, QUEUE_NAME_MAX, 0),
		JSPEC_INT("send_at", &q->send_at, 1, INT32_MAX * 2LL, 0),
		JSPEC_END,
	};
	json_t *root = json_loadb(r->body != NULL ? r->body : "{}",
				  r->body_len > 0 ? r->body_len : 2,
				  JSON_REJECT_DUPLICATES, NULL);
	char *rest = NULL, *saved_body = r->body;
	size_t saved_len = r->body_len;
	int rc;

	if (!json_is_object(root)) {
		json_decref(root);
		return api_parse(r, spec); /* answers the body's error */
	}
	rc = 0;
	if (json_object_get(root, "staff") != NULL)
		rc = staff_ids(json_object_get(root, "staff"), ids, max + 1,
			       &q->n_staff);
	json_object_del(root, "staff");
	rest = rc == 0 ? json_dumps(root, JSON_COMPACT) : NULL;
	json_decref(root);
	if (rc < 0)
		return api_error_field(r, rc, "staff");
	if (rest == NULL)
		return -GH_INTERNAL;
	r->body = rest;
	r->body_len = strlen(rest);
	rc = api_parse(r, spec);
	r->body = saved_body;
	r->body_len = saved_len;
	free(rest);
	q->staff = ids;
	if (rc == 0 && (q->queue != NULL) == (q->n_staff > 0))
		rc = api_error_field(r, -GH_DRILL_NO_TARGETS, "staff");
	return rc;
}

int
api_drills_create(struct request *r)
{
	size_t max = (size_t)r->app->cfg.drill_max_targets;
	int64_t *ids = calloc(max + 1, sizeof(*ids));
	struct drill_request q = {0};
	const char *field = NULL;
	struct tk_actor a;
	int64_t id = 0;
	int rc;

	if (ids == NULL)
		return -GH_INTERNAL;
	rc = parse_create(r, &q, ids, max);
	if (rc == 0) {
		api_actor(r, &a);
		rc = drills_schedule(r->app, request_db(r), &a, &q,
				     (int64_t)time(NULL), &id, &field);
	}
	free(ids);
	if (rc == -GH_RATE_LIMITED)
		r->retry_after = 3600;
	if (rc < 0 && field != NULL)
		return api_error_field(r, rc, field);
	if (rc < 0)
		return rc;
	return api_created(r, json_pack("{s:I}", "id", (json_int_t)id));
}

static json_t *
time_or_null(int64_t t)
{
	return t > 0 ? json_integer(t) : json_null();
}

static json_t *
campaign_json(const struct drill_campaign *d)
{
	return json_pack("{s:I, s:s, s:{s:I, s:s}, s:I, s:I, s:I, s:I, s:I, "
			 "s:I}",
			 "id", (json_int_t)d->id, "template", d->template_id,
			 "created_by", "id", (json_int_t)d->created_by, "name",
			 d->created_by_name, "created_at",
			 (json_int_t)d->created_at, "send_at",
			 (json_int_t)d->send_at, "targets",
			 (json_int_t)d->targets, "delivered",
			 (json_int_t)d->delivered, "clicked",
			 (json_int_t)d->clicked, "reported",
			 (json_int_t)d->reported);
}

static json_t *
target_json(const struct drill_target *t)
{
	return json_pack("{s:I, s:s, s:o, s:o, s:o, s:o, s:o, s:o}",
			 "staff_id", (json_int_t)t->staff_id, "name",
			 t->staff_name, "ticket", time_or_null(t->ticket_id),
			 "delivered", time_or_null(t->delivered_at), "opened",
			 time_or_null(t->ev[DRILL_OPENED]), "clicked",
			 time_or_null(t->ev[DRILL_CLICKED]),
			 "attachment_opened",
			 time_or_null(t->ev[DRILL_ATTACHMENT_OPENED]),
			 "reported", time_or_null(t->ev[DRILL_REPORTED]));
}

int
api_drills_list(struct request *r)
{
	static const char *const known[] = {NULL};
	struct drill_campaign_list l;
	struct tk_actor a;
	json_t *arr;
	int rc;

	rc = request_query_only(r, known);
	if (rc < 0)
		return rc;
	api_actor(r, &a);
	rc = drills_campaigns(request_db(r), &a, &l);
	if (rc < 0)
		return rc;
	arr = json_array();
	for (size_t i = 0; i < l.n; i++)
		json_array_append_new(arr, campaign_json(&l.v[i]));
	drill_campaign_list_clear(&l);
	return api_ok(r, json_pack("{s:o}", "campaigns", arr));
}

int
api_drills_get(struct request *r)
{
	static const char *const known[] = {NULL};
	struct drill_campaign d;
	struct drill_target_list l;
	struct tk_actor a;
	json_t *body, *arr;
	int rc;

	rc = request_query_only(r, known);
	if (rc < 0)
		return rc;
	api_actor(r, &a);
	rc = drills_campaign(request_db(r), &a, r->params[0], &d, &l);
	if (rc < 0) {
		drill_target_list_clear(&l);
		return rc;
	}
	body = campaign_json(&d);
	arr = json_array();
	for (size_t i = 0; i < l.n; i++)
		json_array_append_new(arr, target_json(&l.v[i]));
	drill_target_list_clear(&l);
	json_object_set_new(body, "targets_detail", arr);
	return api_ok(r, body);
}

int
api_drills_stats(struct request *r)
{
	static const char *const known[] = {NULL};
	struct tk_actor a;
	json_t *out = NULL;
	int rc;

	rc = request_query_only(r, known);
	if (rc < 0)
		return rc;
	api_actor(r, &a);
	rc = drills_stats(request_db(r), &a, &out);
	if (rc < 0)
		return rc;
	return api_ok(r, out);
}

int
api_drills_templates(struct request *r)
{
	static const char *const known[] = {NULL};
	const struct drill_template *t;
	json_t *arr = json_array();
	size_t n;

	if (request_query_only(r, known) < 0) {
		json_decref(arr);
		return -GH_BAD_QUERY;
	}
	t = drills_templates(&n);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(
			arr, json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:o}",
				       "id", t[i].id, "title", t[i].title,
				       "sender", t[i].sender, "subject",
				       t[i].subject, "attachment",
				       t[i].attachment != NULL, "modelled_on",
				       t[i].modelled_on, "lesson",
				       drills_lesson(&t[i])));
	return api_ok(r, json_pack("{s:o}", "templates", arr));
}

int
api_link_open(struct request *r)
{
	const struct jspec spec[] = {JSPEC_END};
	struct tk_actor a;
	json_t *out = NULL;
	int rc;

	rc = api_parse(r, spec);
	if (rc < 0)
		return rc;
	api_actor(r, &a);
	rc = drills_open_link(r->app, request_db(r), &a, r->params[0],
			      r->params[1], r->params[2], (int64_t)time(NULL),
			      &out);
	if (rc < 0)
		return rc;
	return api_ok(r, out);
}

int
api_report_phishing(struct request *r)
{
	const char *note = NULL;
	const struct jspec spec[] = {
		JSPEC_STR("note", &note, 0, DRILL_NOTE_MAX, JS_MULTILINE),
		JSPEC_END,
	};
	struct tk_actor a;
	json_t *out = NULL;
	int rc;

	rc = api_parse(r, spec);
	if (rc < 0)
		return rc;
	api_actor(r, &a);
	rc = drills_report(r->app, request_db(r), &a, r->params[0],
			   r->params[1], note, (int64_t)time(NULL), &out);
	if (rc < 0)
		return api_field_error(r, rc, "note");
	return api_ok(r, out);
}

int
api_attachment_open(struct request *r)
{
	const struct jspec spec[] = {JSPEC_END};
	struct tk_actor a;
	json_t *out = NULL;
	int rc;

	rc = api_parse(r, spec);
	if (rc < 0)
		return rc;
	api_actor(r, &a);
	rc = drills_open_attachment(r->app, request_db(r), &a, r->params[0],
				    (int64_t)time(NULL), &out);
	if (rc < 0)
		return rc;
	return api_ok(r, out);
}
