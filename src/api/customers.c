/*
 * Customer data for staff (staff listener): the masked view of one
 * customer (GET /customers/{id}), the reveal of one field
 * (POST /customers/{id}/reveal), and for supervisors and admins the
 * reveals per staff member (GET /supervisor/reveals) and the clearance of
 * a staff member's reveal lock (POST /staff/{id}/reveal-lock/clear). The
 * rules are core/disclosure.h's; a customer the caller may not see
 * answers 404. There is no list or search of customers.
 *
 * A revealed value goes out in a reply body this file writes itself into
 * memory the connection wipes after sending (never through a JSON
 * object, whose strings are freed unwiped), with Cache-Control: no-store
 * like every API reply; it is never logged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/common.h"
#include "core/disclosure.h"
#include "crypto/crypto.h"
#include "util/errors.h"

static json_t *
view_item(const struct disclosure_item *it)
{
	return json_pack("{s:s, s:s, s:i, s:b, s:o}", "name", it->name,
			 "class", it->cls, "level", it->level, "custom",
			 it->custom,
			 "masked",
			 it->set ? json_string(it->masked) : json_null());
}

int
api_customers_get(struct request *r)
{
	struct disclosure_view v;
	struct tk_actor a;
	json_t *arr;
	int rc;

	api_actor(r, &a);
	rc = disclosure_view(r->app, request_db(r), &a, r->params[0], &v);
	if (rc < 0)
		return rc;
	arr = json_array();
	for (size_t i = 0; i < v.n; i++)
		json_array_append_new(arr, view_item(&v.items[i]));
	rc = api_ok(r, json_pack("{s:I, s:s, s:o}", "id", (json_int_t)v.id,
				 "name", v.name, "fields", arr));
	disclosure_view_clear(&v);
	return rc;
}

/* Appends s (NUL-ended UTF-8) JSON-escaped to out (room checked by the
 * caller: 6 bytes per input byte); the new length. */
static size_t
escape_into(char *out, size_t n, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\') {
			out[n++] = '\\';
			out[n++] = (char)*p;
		} else if (*p < 0x20 || *p == 0x7f) {
			memcpy(out + n, "\\u00", 4);
			out[n + 4] = hex[*p >> 4];
			out[n + 5] = hex[*p & 0xf];
			n += 6;
		} else {
			out[n++] = (char)*p;
		}
	}
	return n;
}

/* The reveal's reply: {"field", "value", "revealed_by", "hide_after"},
 * the value escaped straight into the wiped body. */
static int
reply_reveal(struct request *r, const struct disclosure_reveal *rv)
{
	json_t *tail = json_pack("{s:{s:I, s:s}, s:I}", "revealed_by", "id",
				 (json_int_t)rv->staff_id, "name",
				 rv->staff_name, "hide_after",
				 (json_int_t)rv->hide_after);
	char *t = tail != NULL ? json_dumps(tail, JSON_COMPACT |
						      JSON_PRESERVE_ORDER)
			       : NULL;
	size_t cap, n;
	char *body;

	json_decref(tail);
	if (t == NULL)
		return -GH_INTERNAL;
	cap = 64 + strlen(rv->field) + 6 * strlen(rv->value) + strlen(t);
	body = malloc(cap);
	if (body != NULL) {
		n = (size_t)snprintf(body, cap, "{\"field\":\"%s\",\"value\":\"",
				     rv->field);
		n = escape_into(body, n, rv->value);
		/* t is "{...}": its members follow the value. */
		n += (size_t)snprintf(body + n, cap - n, "\",%s", t + 1);
	}
	free(t);
	if (body == NULL)
		return -GH_INTERNAL;
	json_decref(r->reply);
	r->reply = NULL;
	r->status = 200;
	r->raw_owned = (unsigned char *)body;
	r->raw = r->raw_owned;
	r->raw_len = n;
	r->content_type = "application/json; charset=utf-8";
	return 0;
}

/* 403 verification_required names the level needed and held. */
static int
not_verified(struct request *r, const struct disclosure_reveal *rv)
{
	json_decref(r->error_extra);
	r->error_extra = json_pack("{s:s, s:i, s:i}", "field",
				   rv->field, "level_needed",
				   rv->level_needed, "level_held",
				   rv->level_held);
	return -GH_VERIFICATION_REQUIRED;
}

int
api_customers_reveal(struct request *r)
{
	const char *field = NULL, *reason = NULL;
	int64_t verification = 0;
	const struct jspec spec[] = {
		JSPEC_STR("field", &field, 1, DISCLOSURE_FIELD_MAX,
			  JS_REQUIRED),
		JSPEC_STR("reason", &reason, DISCLOSURE_REASON_MIN,
			  DISCLOSURE_REASON_MAX, JS_REQUIRED),
		JSPEC_INT("verification", &verification, 1, INT64_MAX,
			  JS_REQUIRED),
		JSPEC_END,
	};
	struct disclosure_ask q;
	struct disclosure_reveal rv;
	struct tk_actor a;
	int rc;

	rc = api_parse(r, spec);
	if (rc < 0)
		return rc;
	api_actor(r, &a);
	q = (struct disclosure_ask){r->params[0], field, reason, verification,
				    r->actor.token_hash, r->actor.mfa,
				    (int64_t)time(NULL)};
	rc = disclosure_reveal(r->app, request_db(r), &a, &q, &rv);
	if (rc == -GH_BAD_FIELD || rc == -GH_BAD_UTF8)
		return api_field_error(r, rc,
				       rv.field[0] == '\0' ? "field" : "reason");
	if (rc == -GH_VERIFICATION_REQUIRED)
		return not_verified(r, &rv);
	if (rc == 0)
		rc = reply_reveal(r, &rv);
	else
		rc = api_training_refused(r, rc);
	disclosure_reveal_clear(&rv);
	return rc;
}

int
api_staff_reveal_lock_clear(struct request *r)
{
	const char *reason = NULL;
	const struct jspec spec[] = {
		JSPEC_STR("reason", &reason, DISCLOSURE_REASON_MIN,
			  DISCLOSURE_REASON_MAX, JS_REQUIRED),
		JSPEC_END,
	};
	struct tk_actor a;
	int rc;

	rc = api_parse(r, spec);
	if (rc < 0)
		return rc;
	api_actor(r, &a);
	rc = disclosure_lock_clear(r->app, request_db(r), &a, r->params[0],
				   reason, (int64_t)time(NULL));
	if (rc < 0)
		return api_field_error(r, rc, "reason");
	return api_ok(r, json_pack("{s:I, s:b}", "staff_id",
				   (json_int_t)r->params[0], "locked", 0));
}

static json_t *
agent_item(const struct reveal_agent *g)
{
	return json_pack("{s:I, s:s, s:s, s:I, s:o, s:b, s:o}", "id",
			 (json_int_t)g->staff_id, "name", g->name, "role",
			 g->role, "reveals", (json_int_t)g->count,
			 "last_reveal_at",
			 g->last_at > 0 ? json_integer(g->last_at)
					: json_null(),
			 "locked", g->locked, "locked_at",
			 g->locked ? json_integer(g->locked_at) : json_null());
}

int
api_supervisor_reveals(struct request *r)
{
	static const char *const known[] = {"hours", NULL};
	struct reveal_agent_list l = {NULL, 0};
	struct tk_actor a;
	int64_t hours;
	json_t *arr;
	int rc;

	rc = request_query_only(r, known);
	if (rc == 0)
		rc = api_query_int(r, "hours", 24, 1,
				   DISCLOSURE_VIEW_HOURS_MAX, &hours);
	if (rc < 0)
		return rc;
	api_actor(r, &a);
	rc = disclosure_agents(r->app, request_db(r), &a, hours,
			       (int64_t)time(NULL), &l);
	if (rc < 0)
		return rc;
	arr = json_array();
	for (size_t i = 0; i < l.n; i++)
		json_array_append_new(arr, agent_item(&l.v[i]));
	reveal_agent_list_clear(&l);
	return api_ok(r, json_pack("{s:I, s:I, s:o}", "hours",
				   (json_int_t)hours, "per_hour",
				   (json_int_t)r->app->cfg.reveals_per_hour,
				   "agents", arr));
}
