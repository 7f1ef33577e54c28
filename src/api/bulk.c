/*
 * POST /api/v1/tickets/bulk {ids: [...], assign?, status?, priority?,
 * tags?: {add: [...], remove: [...]}, queue?}: one change applied to many
 * tickets (core/bulk.h). The two array-valued fields are read by hand
 * (ids, and the arrays inside tags); everything else by spec from the
 * body without them, so unknown fields, types and bounds are refused as
 * everywhere. The answer lists each id with ok, or the error code and
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
	const char *add[BULK_TAGS_MAX + 1];
	const char *remove[BULK_TAGS_MAX + 1];
	struct bulk_change ch;
};

/* ids: an array of integers >= 1, at most max_ids read (core refuses
 * more than bulk_max: max_ids is one more). */
static int
read_ids(json_t *arr, struct bulk_body *b)
{
	size_t i;
	json_t *v;

	if (!json_is_array(arr))
		return -GH_BAD_FIELD;
	if (json_array_size(arr) > b->max_ids)
		return -GH_BULK_TOO_MANY;
	json_array_foreach(arr, i, v) {
		if (!json_is_integer(v) || json_integer_value(v) < 1)
			return -GH_BAD_FIELD;
		b->ids[b->n_ids++] = json_integer_value(v);
	}
	return 0;
}

/* One list of tags: strings, at most BULK_TAGS_MAX (more:
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
			return -GH_BAD_FIELD;
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

	if (!json_is_object(obj))
		return -GH_BAD_FIELD;
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

/* The arrays of root into b, then removed from root. */
static int
read_arrays(struct request *r, json_t *root, struct bulk_body *b)
{
	json_t *ids = json_object_get(root, "ids");
	json_t *tags = json_object_get(root, "tags");
	int rc;

	if (ids == NULL)
		return api_error_field(r, -GH_MISSING_FIELD, "ids");
	rc = read_ids(ids, b);
	if (rc < 0)
		return api_error_field(r, rc, "ids");
	if (tags != NULL) {
		rc = read_tags(tags, b);
		if (rc < 0)
			return api_error_field(r, rc, "tags");
	}
	return 0;
}

/* Parses the body into b; root keeps the borrowed strings alive. */
static int
parse_bulk(struct request *r, struct bulk_body *b, json_t **root)
{
	const struct jspec spec[] = {
		JSPEC_INT("assign", &b->ch.assign, 1, INT64_MAX, 0),
		JSPEC_STR("status", &b->ch.status, 1, 16, 0),
		JSPEC_STR("priority", &b->ch.priority, 1, 16, 0),
		JSPEC_STR("queue", &b->ch.queue, 1, QUEUE_NAME_MAX, 0),
		JSPEC_END,
	};
	char *rest, *saved_body = r->body;
	size_t saved_len = r->body_len;
	json_t *others;
	int rc;

	*root = json_loadb(r->body != NULL ? r->body : "{}",
			   r->body_len > 0 ? r->body_len : 2,
			   JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(*root))
		return api_parse(r, spec); /* answers the body's error */
	rc = read_arrays(r, *root, b);
	if (rc < 0)
		return rc;
	/* The rest from a shallow copy: root keeps the arrays (and the tag
	 * strings b borrows) alive. */
	others = json_copy(*root);
	json_object_del(others, "ids");
	json_object_del(others, "tags");
	rest = json_dumps(others, JSON_COMPACT);
	json_decref(others);
	if (rest == NULL)
		return -GH_INTERNAL;
	r->body = rest;
	r->body_len = strlen(rest);
	rc = api_parse(r, spec);
	/* The strings api_parse hands out live in its document (r->json,
	 * kept with the request); the arrays' strings in root (ours). */
	r->body = saved_body;
	r->body_len = saved_len;
	free(rest);
	return rc;
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
	json_t *root = NULL;
	struct tk_actor a;
	int rc;

	memset(&b, 0, sizeof(b));
	b.max_ids = (size_t)r->app->cfg.bulk_max + 1;
	b.ids = calloc(b.max_ids, sizeof(*b.ids));
	res = calloc(b.max_ids, sizeof(*res));
	rc = b.ids != NULL && res != NULL ? 0 : -GH_INTERNAL;
	if (rc == 0)
		rc = parse_bulk(r, &b, &root);
	if (rc == 0) {
		api_actor(r, &a);
		rc = tickets_bulk(r->app, request_db(r), &a, b.ids, b.n_ids,
				  &b.ch, res, &field);
		rc = rc < 0 ? refused(r, rc, field)
			    : reply_results(r, res, b.n_ids);
	} else if (rc == -GH_BULK_TOO_MANY) {
		rc = refused(r, rc, "ids");
	}
	json_decref(root);
	free(b.ids);
	free(res);
	return rc;
}
