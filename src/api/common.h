/*
 * What every API handler shares, in one copy: the actor of the request as
 * core sees it, query arguments and paging, the parsing of declared JSON
 * fields with errors that name the field and its bound, the JSON arrays
 * core stores as text, and the replies (200, 201, 202). A handler file
 * includes this header, api/api.h for its own declarations, and core
 * headers; never another handler file's internals, never store/.
 */
#ifndef GH_API_COMMON_H
#define GH_API_COMMON_H

#include <jansson.h>
#include <stdint.h>

#include "api/api.h"
#include "core/actor.h"
#include "http/jspec.h"
#include "http/request.h"

#define API_PAGE_DEFAULT 25

/* The core actor of r's authenticated caller (ip and request id too). */
void api_actor(struct request *r, struct tk_actor *a);

/* Reads query argument name as an integer in [lo, hi] (dflt when absent);
 * -GH_BAD_QUERY naming the field and its bounds otherwise. */
int api_query_int(struct request *r, const char *name, int64_t dflt,
		  int64_t lo, int64_t hi, int64_t *out);
/* The paging arguments limit (1..max, default API_PAGE_DEFAULT) and
 * offset (0..INT32_MAX, default 0). 0 or -GH_BAD_QUERY. */
int api_paging(struct request *r, int64_t max, int64_t *limit,
	       int64_t *offset);

/* The paging arguments of a list read by cursor: limit (1..max_limit,
 * default API_PAGE_DEFAULT), offset (0..max_offset, default 0) and
 * *cursor (the raw "cursor" argument, NULL when absent; the list
 * validates it). 0 or -GH_BAD_QUERY naming the field and its bounds. */
int api_cursor_paging(struct request *r, int64_t max_limit,
		      int64_t max_offset, int64_t *limit, int64_t *offset,
		      const char **cursor);
/* {key: items, limit, offset, next_cursor: next, or null when next is
 * NULL or ""} with 200; items stolen. */
int api_cursor_page(struct request *r, const char *key, json_t *items,
		    int64_t limit, int64_t offset, const char *next);

/* Parses r's body against spec; on failure sets error_extra with the
 * field name and returns the error. A broken bound (a string too long or
 * too short, an integer out of range) also names the limit: "max" or
 * "min", "unit" (characters or bytes) for strings, and a "message" that
 * states it ("subject is longer than 200 characters."). */
int api_parse(struct request *r, const struct jspec *spec);
/* Sets error_extra for the bound f broke, as api_parse does, and returns
 * -GH_BAD_FIELD. The message is built from the spec only, never from
 * input. */
int api_bound_error(struct request *r, const struct jspec_fail *f);

/* Returns rc; when it is an error, the error body names field ("field":
 * field), replacing any earlier extra. */
int api_error_field(struct request *r, int rc, const char *field);
/* The same, only for errors about a field's value (-GH_BAD_FIELD,
 * -GH_BAD_UTF8, and -GH_TOO_MANY_LINKS, which also names the limit:
 * "max", "unit": "links" and a "message" stating it); other errors pass
 * unchanged. */
int api_field_error(struct request *r, int rc, const char *field);

/* A JSON array core stored as text (NULL, or not an array in older rows:
 * an empty array). New reference. */
json_t *api_stored_array(const char *stored);

/* JSON helpers of the records that name people and times that may be
 * unset: {"id", "name"} of a staff member or customer (null for id <= 0),
 * an integer (null for <= 0), a text (null for ""). */
json_t *api_person_json(int64_t id, const char *name);
json_t *api_int_or_null(int64_t v);
json_t *api_text_or_null(const char *s);

/* {key: items, limit, offset} with 200; items stolen. */
int api_page(struct request *r, const char *key, json_t *items,
	     int64_t limit, int64_t offset);

/* Replies with body (stolen): 200, 201 (created) or 202 (accepted, not
 * done: e.g. a reply held for review). Each returns 0. */
int api_ok(struct request *r, json_t *body);
int api_created(struct request *r, json_t *body);
int api_accepted(struct request *r, json_t *body);

/* A login that succeeded (password or passkey, issue 17): sets the
 * session cookie and replies 201 with the CSRF token and who logged in
 * (staff: role, name, the password's state). ok->token is the caller's
 * to wipe. */
struct login_ok;
int api_login_open(struct request *r, enum realm realm, struct login_ok *ok);

#endif
