/*
 * The helpers every handler shares (see api/common.h). Error bodies
 * name the field and the bound from the declaration only, never from the
 * input.
 */
#include "api/common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/phish/phish.h"
#include "util/errors.h"

void
api_actor(struct request *r, struct tk_actor *a)
{
	a->realm = r->actor.realm;
	a->id = r->actor.id;
	a->role = r->actor.role;
	a->ip = r->ip;
	a->request_id = r->request_id;
}

int
api_query_int(struct request *r, const char *name, int64_t dflt, int64_t lo,
	      int64_t hi, int64_t *out)
{
	const char *v = request_query(r, name);
	char *end = NULL;
	long long n;

	*out = dflt;
	if (v == NULL)
		return 0;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || v[0] == '+' ||
	    v[0] == ' ' || n < lo || n > hi) {
		struct jspec_fail f = {name, JS_INT, JSB_MAX, lo, hi, 0, ""};

		api_bound_error(r, &f);
		return -GH_BAD_QUERY;
	}
	*out = n;
	return 0;
}

int
api_paging(struct request *r, int64_t max, int64_t *limit, int64_t *offset)
{
	int rc;

	*offset = 0;
	rc = api_query_int(r, "limit", API_PAGE_DEFAULT, 1, max, limit);
	if (rc == 0)
		rc = api_query_int(r, "offset", 0, 0, INT32_MAX, offset);
	return rc;
}

int
api_cursor_paging(struct request *r, int64_t max_limit, int64_t max_offset,
		  int64_t *limit, int64_t *offset, const char **cursor)
{
	int rc;

	*offset = 0;
	*cursor = request_query(r, "cursor");
	rc = api_query_int(r, "limit", API_PAGE_DEFAULT, 1, max_limit, limit);
	if (rc == 0)
		rc = api_query_int(r, "offset", 0, 0, max_offset, offset);
	return rc;
}

int
api_cursor_page(struct request *r, const char *key, json_t *items,
		int64_t limit, int64_t offset, const char *next)
{
	return api_ok(r, json_pack("{s:o, s:I, s:I, s:o}", key, items, "limit",
				   (json_int_t)limit, "offset",
				   (json_int_t)offset, "next_cursor",
				   next != NULL && next[0] != '\0'
					   ? json_string(next)
					   : json_null()));
}

/* The message and extra of a string's broken bound. */
static json_t *
string_bound(const struct jspec_fail *f, char *msg, size_t msgsz)
{
	const char *unit = f->bytes ? "bytes" : "characters";

	if (f->bound == JSB_MAX) {
		if (f->bytes && f->max >= 1024 && f->max % 1024 == 0)
			snprintf(msg, msgsz,
				 "%s is longer than %lld bytes (%lld KiB).",
				 f->field, (long long)f->max,
				 (long long)(f->max / 1024));
		else
			snprintf(msg, msgsz, "%s is longer than %lld %s.",
				 f->field, (long long)f->max, unit);
		return json_pack("{s:s, s:I, s:s, s:s}", "field", f->field,
				 "max", (json_int_t)f->max, "unit", unit,
				 "message", msg);
	}
	if (f->min <= 1)
		snprintf(msg, msgsz, "%s must not be empty.", f->field);
	else
		snprintf(msg, msgsz, "%s is shorter than %lld %s.", f->field,
			 (long long)f->min, unit);
	return json_pack("{s:s, s:I, s:s, s:s}", "field", f->field, "min",
			 (json_int_t)f->min, "unit", unit, "message", msg);
}

int
api_bound_error(struct request *r, const struct jspec_fail *f)
{
	char msg[160];
	json_t *extra;

	if (f->type == JS_STRING) {
		extra = string_bound(f, msg, sizeof(msg));
	} else if (f->type == JS_ARRAY) {
		snprintf(msg, sizeof(msg),
			 "%s must be a list of %lld to %lld items.", f->field,
			 (long long)f->min, (long long)f->max);
		extra = json_pack("{s:s, s:I, s:I, s:s, s:s}", "field",
				  f->field, "min", (json_int_t)f->min, "max",
				  (json_int_t)f->max, "unit", "items",
				  "message", msg);
	} else {
		if (f->max == INT64_MAX)
			snprintf(msg, sizeof(msg),
				 "%s must be a whole number of at least %lld.",
				 f->field, (long long)f->min);
		else
			snprintf(msg, sizeof(msg),
				 "%s must be a whole number from %lld to %lld.",
				 f->field, (long long)f->min,
				 (long long)f->max);
		extra = json_pack("{s:s, s:I, s:I, s:s}", "field", f->field,
				  "min", (json_int_t)f->min, "max",
				  (json_int_t)f->max, "message", msg);
	}
	json_decref(r->error_extra);
	r->error_extra = extra;
	return -GH_BAD_FIELD;
}

int
api_parse(struct request *r, const struct jspec *spec)
{
	struct jspec_fail fail;
	int rc = jspec_parse_ex(r->body != NULL ? r->body : "", r->body_len,
				spec, &r->json, &fail);

	if (rc == -GH_BAD_FIELD && fail.bound != JSB_NONE &&
	    fail.field != NULL)
		return api_bound_error(r, &fail);
	if (rc == -GH_UNKNOWN_FIELD && fail.field != NULL) {
		char msg[128];

		snprintf(msg, sizeof(msg), "This endpoint does not accept the "
					   "field %s.", fail.field);
		json_decref(r->error_extra);
		r->error_extra = json_pack("{s:s, s:s}", "field", fail.field,
					   "message", msg);
		return rc;
	}
	if (rc < 0 && fail.field != NULL)
		api_error_field(r, rc, fail.field);
	return rc;
}

int
api_error_field(struct request *r, int rc, const char *field)
{
	if (rc >= 0)
		return rc;
	json_decref(r->error_extra);
	r->error_extra = json_pack("{s:s}", "field", field);
	return rc;
}

int
api_field_error(struct request *r, int rc, const char *field)
{
	if (rc == -GH_TOO_MANY_LINKS) {
		char msg[128];

		snprintf(msg, sizeof(msg), "%s has more than %d links; at most "
					   "%d can be checked.",
			 field, PHISH_MAX_LINKS, PHISH_MAX_LINKS);
		json_decref(r->error_extra);
		r->error_extra = json_pack("{s:s, s:i, s:s, s:s}", "field",
					   field, "max", PHISH_MAX_LINKS,
					   "unit", "links", "message", msg);
		return rc;
	}
	if (rc == -GH_BAD_FIELD || rc == -GH_BAD_UTF8)
		return api_error_field(r, rc, field);
	return rc;
}

json_t *
api_stored_array(const char *stored)
{
	json_t *v = stored != NULL ? json_loads(stored, 0, NULL) : NULL;

	if (!json_is_array(v)) {
		json_decref(v);
		v = json_array();
	}
	return v;
}

int
api_page(struct request *r, const char *key, json_t *items, int64_t limit,
	 int64_t offset)
{
	return api_ok(r, json_pack("{s:o, s:I, s:I}", key, items, "limit",
				   (json_int_t)limit, "offset",
				   (json_int_t)offset));
}

int
api_ok(struct request *r, json_t *body)
{
	return reply_json(r, 200, body);
}

int
api_created(struct request *r, json_t *body)
{
	return reply_json(r, 201, body);
}

int
api_accepted(struct request *r, json_t *body)
{
	return reply_json(r, 202, body);
}

json_t *
api_person_json(int64_t id, const char *name)
{
	if (id <= 0)
		return json_null();
	return json_pack("{s:I, s:s}", "id", (json_int_t)id, "name", name);
}

json_t *
api_int_or_null(int64_t v)
{
	return v > 0 ? json_integer(v) : json_null();
}

json_t *
api_text_or_null(const char *s)
{
	return s[0] != '\0' ? json_string(s) : json_null();
}
