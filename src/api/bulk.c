/*
 * POST /api/v1/tickets/bulk {ids: [...], assign?, status?, priority?,
 * tags?: {add: [...], remove: [...]}, queue?}: one change applied to many
 * tickets (core/bulk.h). The body is parsed by spec (http/jspec.h), so
 * unknown fields, types and bounds are refused as everywhere; only the
 * arrays' elements and the two keys of tags are checked here. The
 * answer lists each id with ok, or the error code and
 * the change that failed; a ticket the caller cannot see is "not_found",
 * as one that does not exist.
 *
 * Invariant: bad input is refused before core is called, and core
 * refuses a bad request whole, so a 4xx changes nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "core/bulk.h"
#include "core/tickets.h"
#include "util/errors.h"

/* What the body held, with the borrowed strings of its arrays. */
struct bulk_body {
	int64_t *ids;
	size_t n_ids, max_ids;
	const char *add[BULK_TAGS_MAX];
	const char *remove[BULK_TAGS_MAX];
	struct bulk_change ch;
};

/* ids: integers >= 1, at most max_ids (more: -GH_BULK_TOO_MANY). */
static int
read_ids(json_t *arr, struct bulk_body *b)
{
	size_t i;
	json_t *v;

	if (json_array_size(arr) > b->max_ids)
		return -GH_BULK_TOO_MANY;
	json_array_foreach(arr, i, v) {
		if (!json_is_integer(v) || json_integer_value(v) < 1)
			return -GH_BAD_FIELD;
		b->ids[b->n_ids++] = json_integer_value(v);
	}
	return 0;
}

/* One list of tags (NULL: none): strings, at most BULK_TAGS_MAX (more:
 * -GH_TOO_MANY_TAGS, as core says it). */
static int
read_tag_list(json_t *arr, const char **out, size_t *n)
{
	size_t i;
	json_t *v;

	*n = 0;
	if (arr == NULL)
		return 0;
	if (!json_is_array(arr))
		return -GH_BAD_FIELD;
	if (json_array_size(arr) > BULK_TAGS_MAX)
		return -GH_TOO_MANY_TAGS;
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v))
			return -GH_BAD_TAG;
		out[(*n)++] = json_string_value(v);
	}
	return 0;
}

/* tags: {add?: [...], remove?: [...]} and nothing else. */
static int
read_tags(json_t *obj, struct bulk_body *b)
{
	const char *key;
	json_t *v;
	int rc;

	json_object_foreach(obj, key, v) {
		if (strcmp(key, "add") != 0 && strcmp(key, "remove") != 0)
			return -GH_BAD_FIELD;
	}
	rc = read_tag_list(json_object_get(obj, "add"), b->add, &b->ch.n_add);
	if (rc == 0)
		rc = read_tag_list(json_object_get(obj, "remove"), b->remove,
				   &b->ch.n_remove);
	b->ch.tags_add = b->add;
	b->ch.tags_remove = b->remove;
	return rc;
}

/* Parses the body into b by spec; the arrays' elements by hand. The
 * strings stay valid while the request's parsed body (r->json) is. */
static int
parse_bulk(struct request *r, struct bulk_body *b)
{
	json_t *ids = NULL, *tags = NULL;
	const struct jspec spec[] = {
		JSPEC_ARR("ids", &ids, 1, INT32_MAX, JS_REQUIRED),
		JSPEC_INT("assign", &b->ch.assign, 1, INT64_MAX, 0),
		JSPEC_STR("status", &b->ch.status, 1, 16, 0),
		JSPEC_STR("priority", &b->ch.priority, 1, 16, 0),
		JSPEC_OBJ("tags", &tags, 0, 2, 0),
		JSPEC_STR("queue", &b->ch.queue, 1, QUEUE_NAME_MAX, 0),
		JSPEC_END,
	};
	int rc;

	rc = api_parse(r, spec);
	if (rc < 0)
		return rc;
	rc = read_ids(ids, b);
	if (rc < 0)
		return rc == -GH_BULK_TOO_MANY ? rc
					       : api_error_field(r, rc, "ids");
	if (tags != NULL) {
		rc = read_tags(tags, b);
		if (rc < 0)
			return api_error_field(r, rc, "tags");
	}
	return 0;
}

/* One id's outcome. */
static json_t *
result_json(const struct bulk_result *res)
{
	if (res->rc == 0)
		return json_pack("{s:I, s:b}", "id", (json_int_t)res->id, "ok",
				 1);
	return json_pack("{s:I, s:b, s:s, s:s}", "id", (json_int_t)res->id,
			 "ok", 0, "error", err_code(res->rc), "change",
			 res->failed != NULL ? res->failed : "");
}

/* {results: [...], changed, failed} with 200. */
static int
reply_results(struct request *r, const struct bulk_result *res, size_t n)
{
	json_t *items = json_array();
	int64_t changed = 0;

	for (size_t i = 0; i < n; i++) {
		json_array_append_new(items, result_json(&res[i]));
		changed += res[i].rc == 0;
	}
	return api_ok(r, json_pack("{s:o, s:I, s:I}", "results", items,
				   "changed", (json_int_t)changed, "failed",
				   (json_int_t)((int64_t)n - changed)));
}

/* A whole-request refusal from core, naming its field (and the limit
 * for too many ids). */
static int
refused(struct request *r, int rc, const char *field)
{
	if (rc == -GH_BULK_TOO_MANY) {
		json_decref(r->error_extra);
		r->error_extra = json_pack("{s:s, s:I}", "field", "ids", "max",
					   (json_int_t)r->app->cfg.bulk_max);
		return rc;
	}
	return field != NULL ? api_error_field(r, rc, field) : rc;
}

int
api_tickets_bulk(struct request *r)
{
	struct bulk_body b;
	struct bulk_result *res = NULL;
	const char *field = NULL;
	struct tk_actor a;
	int rc;

	memset(&b, 0, sizeof(b));
	b.max_ids = (size_t)r->app->cfg.bulk_max + 1;
	b.ids = calloc(b.max_ids, sizeof(*b.ids));
	res = calloc(b.max_ids, sizeof(*res));
	rc = b.ids != NULL && res != NULL ? 0 : -GH_INTERNAL;
	if (rc == 0)
		rc = parse_bulk(r, &b);
	if (rc == 0) {
		api_actor(r, &a);
		rc = tickets_bulk(r->app, request_db(r), &a, b.ids, b.n_ids,
				  &b.ch, res, &field);
		rc = rc < 0 ? refused(r, rc, field)
			    : reply_results(r, res, b.n_ids);
	} else if (rc == -GH_BULK_TOO_MANY) {
		rc = refused(r, rc, "ids");
	}
	free(b.ids);
	free(res);
	return rc;
}
