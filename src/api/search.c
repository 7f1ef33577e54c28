/*
 * Search and saved views (issue 15, part SEARCH; core/search.h,
 * core/views.h). GET /api/v1/tickets answers through here when it has
 * free text or a filter the plain work list does not take (api/
 * tickets.c asks api_search_requested); the portal's list likewise with
 * q. Results carry the total, limit and offset, and for each ticket the
 * snippet of its best match with its marks as the characters U+0002
 * (start) and U+0003 (end): text, never HTML, for the client to render
 * as text nodes. GET/POST/PUT/DELETE /api/v1/views and GET
 * /api/v1/views/counts keep the saved views and count each as the
 * caller's list would.
 *
 * Every argument is checked by core; a bad one answers 400 bad_query
 * naming it, and nothing is read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/common.h"
#include "api/tickets_view.h"
#include "core/search.h"
#include "core/tickets.h"
#include "core/views.h"
#include "util/errors.h"

/* The staff search's arguments, those of the plain list first. */
static const char *const staff_keys[] = {
	"status", "assigned", "queue", "q", "customer", "customer_email",
	"priority", "tag", "created_after", "created_before", "due_before",
	"due_within", "breached", "sort", NULL};
static const char *const staff_known[] = {
	"status", "assigned", "queue", "q", "customer", "customer_email",
	"priority", "tag", "created_after", "created_before", "due_before",
	"due_within", "breached", "sort", "limit", "offset", NULL};
static const char *const portal_known[] = {"q", "sort", "limit", "offset",
					   NULL};

int
api_search_requested(struct request *r)
{
	for (size_t i = 0; staff_keys[i] != NULL; i++)
		if (search_key_is_new(staff_keys[i]) &&
		    request_query(r, staff_keys[i]) != NULL)
			return 1;
	return 0;
}

/* The filters named in keys from r's query into f; 400 naming the first
 * bad one. */
static int
read_filters(struct request *r, const char *const *keys,
	     struct search_filters *f)
{
	search_filters_init(f);
	for (size_t i = 0; keys[i] != NULL; i++) {
		const char *v = request_query(r, keys[i]);

		if (v != NULL && search_filter_set(r->app, f, keys[i], v) != 0)
			return api_error_field(r, -GH_BAD_QUERY, keys[i]);
	}
	return 0;
}

/* The paging of a search: limit and offset (no cursor). */
static int
read_paging(struct request *r, const char *const *known, int64_t *limit,
	    int64_t *offset)
{
	int rc = request_query_only(r, known);

	if (rc == 0)
		rc = api_query_int(r, "limit", API_PAGE_DEFAULT, 1,
				   TICKET_LIST_MAX, limit);
	if (rc == 0)
		rc = api_query_int(r, "offset", 0, 0, TICKET_OFFSET_MAX,
				   offset);
	return rc;
}

/* "match": {"in": subject|message|note, "snippet"} onto o, when h has
 * a snippet. */
static json_t *
with_match(json_t *o, const struct search_hit *h)
{
	const char *in = search_doc_name(h->doc);

	if (o != NULL && in != NULL)
		json_object_set_new(o, "match",
				    json_pack("{s:s, s:s}", "in", in,
					      "snippet", h->snippet));
	return o;
}

/* {tickets, total, total_exact, limit, offset, sort, next_cursor:
 * null}. */
static int
result_reply(struct request *r, json_t *items, const struct search_result *s,
	     int64_t limit, int64_t offset, int sort)
{
	return api_ok(r, json_pack("{s:o, s:I, s:b, s:I, s:I, s:s, s:n}",
				   "tickets", items, "total",
				   (json_int_t)s->total, "total_exact",
				   !s->capped, "limit", (json_int_t)limit,
				   "offset", (json_int_t)offset, "sort",
				   search_sort_name(sort), "next_cursor"));
}

/* The order a result was given in, as core chose it. */
static int
sort_of(const struct search_filters *f)
{
	if (f->sort >= 0)
		return f->sort;
	return f->match[0] != '\0' ? SEARCH_SORT_RELEVANCE
				   : SEARCH_SORT_UPDATED;
}

/* The paging and the filters of a search request. */
static int
read_request(struct request *r, const char *const *known,
	     const char *const *keys, int64_t *limit, int64_t *offset,
	     struct search_filters *f)
{
	int rc = read_paging(r, known, limit, offset);

	return rc == 0 ? read_filters(r, keys, f) : rc;
}

/* A ticket as the console's list shows it, with its match. */
static json_t *
staff_hit(const struct search_hit *h, const struct tk_actor *a)
{
	return with_match(tkv_summary(&h->t, a), h);
}

/* Replies with the page of s, each hit as row makes it, and frees s.
 * Staff's tickets carry "unread" as the work list's do. */
static int
hits_reply(struct request *r, struct search_result *s,
	   const struct tk_actor *a, const struct search_filters *f,
	   int64_t limit, int64_t offset,
	   json_t *(*row)(const struct search_hit *, const struct tk_actor *))
{
	json_t *arr = json_array();
	int rc;

	for (size_t i = 0; i < s->n; i++)
		json_array_append_new(arr, row(&s->v[i], a));
	if (actor_is_staff(a))
		api_events_unread(r, a, arr); /* issue 15 LIVE: "unread" */
	rc = result_reply(r, arr, s, limit, offset, sort_of(f));
	search_result_clear(s);
	return rc;
}

int
api_tickets_search(struct request *r)
{
	struct search_filters f;
	struct search_result s;
	struct tk_actor a;
	int64_t limit = 0, offset = 0;
	int rc;

	rc = read_request(r, staff_known, staff_keys, &limit, &offset, &f);
	if (rc < 0)
		return rc;
	api_actor(r, &a);
	rc = search_staff(r->app, request_db(r), &a, &f, limit, offset,
			  (int64_t)time(NULL), &s);
	if (rc == -GH_UNKNOWN_QUEUE)
		return api_error_field(r, rc, "queue");
	if (rc < 0)
		return rc;
	return hits_reply(r, &s, &a, &f, limit, offset, staff_hit);
}

/* A ticket as the portal's list shows it (api/portal.c's fields). */
static json_t *
portal_hit(const struct search_hit *h, const struct tk_actor *a)
{
	const struct ticket_rec *t = &h->t;

	(void)a;
	return with_match(
		json_pack("{s:I, s:s, s:s, s:I, s:I, s:s}", "id",
			  (json_int_t)t->id, "subject", t->subject, "status",
			  t->status, "created_at", (json_int_t)t->created_at,
			  "updated_at", (json_int_t)t->updated_at, "last_from",
			  strcmp(t->last_from, "staff") == 0 ? "agent"
							     : "customer"),
		h);
}

int
api_portal_search(struct request *r)
{
	static const char *const keys[] = {"q", "sort", NULL};
	const char *sort = request_query(r, "sort");
	struct search_filters f;
	struct search_result s;
	struct tk_actor a;
	int64_t limit = 0, offset = 0;
	int rc;

	rc = read_request(r, portal_known, keys, &limit, &offset, &f);
	if (rc < 0)
		return rc;
	/* The portal orders by relevance or time only. */
	if (sort != NULL && f.sort > SEARCH_SORT_CREATED)
		return api_error_field(r, -GH_BAD_QUERY, "sort");
	api_actor(r, &a);
	rc = search_portal(r->app, request_db(r), &a, &f, limit, offset, &s);
	if (rc < 0)
		return rc;
	return hits_reply(r, &s, &a, &f, limit, offset, portal_hit);
}

/* --- saved views ------------------------------------------------------------ */

static json_t *
view_json(const struct view_rec *v, const struct tk_actor *a)
{
	char key[24];
	int mine = v->owner_id > 0 && v->owner_id == a->id;

	snprintf(key, sizeof(key), "%lld", (long long)v->id);
	return json_pack("{s:I, s:s, s:s, s:b, s:b, s:o, s:o, s:b, s:I}", "id",
			 (json_int_t)v->id, "key", key, "name", v->name,
			 "builtin", 0, "shared", v->queue_id > 0, "queue",
			 v->queue_id > 0 ? json_string(v->queue_name)
					 : json_null(),
			 "filters", json_loads(v->filters, 0, NULL),
			 "editable",
			 mine || (v->queue_id > 0 && actor_is_supervisor(a)),
			 "updated_at", (json_int_t)v->updated_at);
}

static json_t *
builtin_json(const struct view_builtin *b)
{
	return json_pack("{s:n, s:s, s:s, s:b, s:b, s:n, s:o, s:b}", "id",
			 "key", b->key, "name", b->name, "builtin", 1,
			 "shared", 0, "queue", "filters",
			 json_loads(b->filters, 0, NULL), "editable", 0);
}

int
api_views_list(struct request *r)
{
	const struct view_builtin *b;
	struct view_list l;
	struct tk_actor a;
	size_t nb;
	json_t *arr;
	int rc;

	api_actor(r, &a);
	rc = views_list(request_db(r), &a, &l);
	if (rc < 0)
		return rc;
	arr = json_array();
	b = views_builtins(&nb);
	for (size_t i = 0; i < nb; i++)
		json_array_append_new(arr, builtin_json(&b[i]));
	for (size_t i = 0; i < l.n; i++)
		json_array_append_new(arr, view_json(&l.v[i], &a));
	view_list_clear(&l);
	return api_ok(r, json_pack("{s:o}", "views", arr));
}

/* The reply to a failed change: the field core named, if any. */
static int
view_error(struct request *r, int rc, const struct view_input *in)
{
	if (rc == -GH_UNKNOWN_QUEUE)
		return api_error_field(r, rc, "queue");
	if (in->bad_field != NULL &&
	    (rc == -GH_BAD_FIELD || rc == -GH_MISSING_FIELD))
		return api_error_field(r, rc, in->bad_field);
	return rc;
}

int
api_views_create(struct request *r)
{
	struct view_input in = {NULL, NULL, NULL, NULL, ""};
	json_t *filters = NULL;
	const struct jspec spec[] = {
		JSPEC_STR("name", &in.name, 1, VIEW_NAME_MAX, JS_REQUIRED),
		JSPEC_OBJ("filters", &filters, 0, VIEW_FILTERS_MAX,
			  JS_REQUIRED),
		JSPEC_STR("queue", &in.queue, 1, QUEUE_NAME_MAX, 0),
		JSPEC_END,
	};
	struct view_rec v;
	struct tk_actor a;
	int rc = api_parse(r, spec);

	if (rc < 0)
		return rc;
	in.filters = filters;
	api_actor(r, &a);
	rc = views_create(r->app, request_db(r), &a, &in, (int64_t)time(NULL),
			  &v);
	if (rc < 0)
		return view_error(r, rc, &in);
	return api_created(r, view_json(&v, &a));
}

int
api_views_update(struct request *r)
{
	struct view_input in = {NULL, NULL, NULL, NULL, ""};
	json_t *filters = NULL;
	const struct jspec spec[] = {
		JSPEC_STR("name", &in.name, 1, VIEW_NAME_MAX, 0),
		JSPEC_OBJ("filters", &filters, 0, VIEW_FILTERS_MAX, 0),
		JSPEC_END,
	};
	struct view_rec v;
	struct tk_actor a;
	int rc = api_parse(r, spec);

	if (rc < 0)
		return rc;
	in.filters = filters;
	api_actor(r, &a);
	rc = views_update(r->app, request_db(r), &a, r->params[0], &in,
			  (int64_t)time(NULL), &v);
	if (rc < 0)
		return view_error(r, rc, &in);
	return api_ok(r, view_json(&v, &a));
}

int
api_views_delete(struct request *r)
{
	struct tk_actor a;
	int rc;

	api_actor(r, &a);
	rc = views_delete(r->app, request_db(r), &a, r->params[0]);
	if (rc < 0)
		return rc;
	return api_ok(r, json_pack("{s:I, s:b}", "id",
				   (json_int_t)r->params[0], "deleted", 1));
}

/* {key, count} of one view. */
static int
count_one(struct request *r, const struct tk_actor *a, const char *key,
	  const char *filters, int64_t now, json_t *arr)
{
	int64_t n = 0;
	int rc = views_count(r->app, request_db(r), a, filters, now, &n);

	if (rc == 0)
		json_array_append_new(arr, json_pack("{s:s, s:I}", "key", key,
						     "count", (json_int_t)n));
	return rc;
}

int
api_views_counts(struct request *r)
{
	int64_t now = (int64_t)time(NULL);
	const struct view_builtin *b;
	struct view_list l;
	struct tk_actor a;
	char key[24];
	size_t nb;
	json_t *arr;
	int rc;

	api_actor(r, &a);
	rc = views_list(request_db(r), &a, &l);
	if (rc < 0)
		return rc;
	arr = json_array();
	b = views_builtins(&nb);
	for (size_t i = 0; rc == 0 && i < nb; i++)
		rc = count_one(r, &a, b[i].key, b[i].filters, now, arr);
	for (size_t i = 0; rc == 0 && i < l.n; i++) {
		snprintf(key, sizeof(key), "%lld", (long long)l.v[i].id);
		rc = count_one(r, &a, key, l.v[i].filters, now, arr);
	}
	view_list_clear(&l);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	return api_ok(r, json_pack("{s:o}", "counts", arr));
}
