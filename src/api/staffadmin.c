/*
 * Staff and queue administration (core/staffadmin.h):
 *   GET  /api/v1/admin/staff[?queue=NAME]     supervisors, admins
 *   POST /api/v1/admin/staff/{id}/disable      admins
 *   POST /api/v1/admin/staff/{id}/enable       admins
 *   PUT  /api/v1/admin/staff/{id}/queues {queues: [...]}   admins
 *   GET  /api/v1/admin/queues                  supervisors, admins
 *   POST /api/v1/admin/queues {name}           admins
 * The route table guards the roles; core checks them again. The staff
 * list carries no secret: role, queues, last successful login, whether
 * an authenticator is enrolled, disabled.
 */
#include <string.h>

#include "api/common.h"
#include "core/staffadmin.h"
#include "core/tickets.h"
#include "util/errors.h"

/* A space-separated list of queue names as a JSON array. */
static json_t *
names_json(const char *text)
{
	json_t *a = json_array();
	const char *p = text;

	while (*p != '\0') {
		size_t len = strcspn(p, " ");

		if (len > 0)
			json_array_append_new(a, json_stringn(p, len));
		p += len;
		p += *p == ' ';
	}
	return a;
}

static json_t *
staff_json(const struct staff_info *s)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:b, s:b, s:I, s:o, s:o, s:I}",
			 "id", (json_int_t)s->id, "email", s->email, "name",
			 s->name, "role", s->role, "disabled", s->disabled,
			 "mfa_enrolled", s->totp_enrolled, "created_at",
			 (json_int_t)s->created_at, "last_login",
			 s->last_login > 0 ? json_integer(s->last_login)
					   : json_null(),
			 "queues", names_json(s->queues), "passkeys",
			 (json_int_t)s->passkeys);
}

int
api_admin_staff_list(struct request *r)
{
	static const char *const known[] = {"queue", NULL};
	struct staff_info_list l = {NULL, 0, 0};
	const char *queue = request_query(r, "queue");
	struct tk_actor a;
	json_t *items;
	int rc;

	rc = request_query_only(r, known);
	if (rc < 0)
		return rc;
	api_actor(r, &a);
	rc = staffadmin_list(request_db(r), &a, queue, &l);
	if (rc == -GH_UNKNOWN_QUEUE)
		return api_error_field(r, rc, "queue");
	if (rc < 0)
		return rc;
	items = json_array();
	for (size_t i = 0; i < l.n; i++)
		json_array_append_new(items, staff_json(&l.v[i]));
	rc = api_ok(r, json_pack("{s:o, s:b}", "staff", items, "truncated",
				 l.truncated));
	staff_info_list_clear(&l);
	return rc;
}

/* POST .../disable or .../enable: no body fields. */
static int
set_disabled(struct request *r, int disabled)
{
	const struct jspec spec[] = {JSPEC_END};
	struct tk_actor a;
	int64_t ended = 0;
	int changed = 0;
	int rc;

	rc = api_parse(r, spec);
	if (rc < 0)
		return rc;
	api_actor(r, &a);
	rc = staffadmin_set_disabled(r->app, request_db(r), &a, r->params[0],
				     disabled, &changed, &ended);
	if (rc < 0)
		return rc;
	return api_ok(r, json_pack("{s:I, s:b, s:b, s:I}", "id",
				   (json_int_t)r->params[0], "disabled",
				   disabled, "changed", changed,
				   "sessions_ended", (json_int_t)ended));
}

int
api_admin_staff_disable(struct request *r)
{
	return set_disabled(r, 1);
}

int
api_admin_staff_enable(struct request *r)
{
	return set_disabled(r, 0);
}

/* The body {queues: [names]} by spec; names get the strings (borrowed
 * from the request's parsed body). */
static int
parse_queues(struct request *r, const char **names, size_t *n)
{
	json_t *q = NULL, *v;
	const struct jspec spec[] = {
		JSPEC_ARR("queues", &q, 1, STAFFADMIN_QUEUES_MAX, JS_REQUIRED),
		JSPEC_END,
	};
	size_t i;
	int rc;

	*n = 0;
	rc = api_parse(r, spec);
	if (rc < 0)
		return rc;
	json_array_foreach(q, i, v) {
		if (!json_is_string(v))
			return api_error_field(r, -GH_BAD_FIELD, "queues");
		names[(*n)++] = json_string_value(v);
	}
	return 0;
}

int
api_admin_staff_queues(struct request *r)
{
	const char *names[STAFFADMIN_QUEUES_MAX];
	struct queue_list l = {NULL, 0};
	struct tk_actor a;
	json_t *out;
	size_t n = 0;
	int rc;

	rc = parse_queues(r, names, &n);
	if (rc < 0)
		return rc;
	api_actor(r, &a);
	rc = staffadmin_set_queues(r->app, request_db(r), &a, r->params[0],
				   names, n);
	if (rc == -GH_BAD_FIELD || rc == -GH_UNKNOWN_QUEUE)
		return api_error_field(r, rc, "queues");
	if (rc == 0)
		rc = tickets_staff_queues(request_db(r), r->params[0], &l);
	if (rc < 0)
		return rc;
	out = json_array();
	for (size_t i = 0; i < l.n; i++)
		json_array_append_new(out, json_string(l.v[i].name));
	queue_list_clear(&l);
	return api_ok(r, json_pack("{s:I, s:o}", "id",
				   (json_int_t)r->params[0], "queues", out));
}

int
api_admin_queues_list(struct request *r)
{
	static const char *const known[] = {NULL};
	struct queue_stat_list l = {NULL, 0};
	struct tk_actor a;
	json_t *items;
	int rc;

	rc = request_query_only(r, known);
	if (rc < 0)
		return rc;
	api_actor(r, &a);
	rc = staffadmin_queues(request_db(r), &a, &l);
	if (rc < 0)
		return rc;
	items = json_array();
	for (size_t i = 0; i < l.n; i++)
		json_array_append_new(
			items,
			json_pack("{s:I, s:s, s:I, s:I, s:I, s:I}", "id",
				  (json_int_t)l.v[i].id, "name", l.v[i].name,
				  "members", (json_int_t)l.v[i].members,
				  "open", (json_int_t)l.v[i].open, "pending",
				  (json_int_t)l.v[i].pending, "unassigned",
				  (json_int_t)l.v[i].unassigned));
	queue_stat_list_clear(&l);
	return api_ok(r, json_pack("{s:o}", "queues", items));
}

int
api_admin_queues_create(struct request *r)
{
	const char *name = NULL;
	const struct jspec spec[] = {
		JSPEC_STR("name", &name, 1, QUEUE_NAME_MAX, JS_REQUIRED),
		JSPEC_END,
	};
	struct tk_actor a;
	int64_t id = 0;
	int rc;

	rc = api_parse(r, spec);
	if (rc < 0)
		return rc;
	api_actor(r, &a);
	rc = staffadmin_queue_create(r->app, request_db(r), &a, name, &id);
	if (rc == -GH_BAD_FIELD || rc == -GH_QUEUE_EXISTS)
		return api_error_field(r, rc, "name");
	if (rc < 0)
		return rc;
	return api_created(r, json_pack("{s:I, s:s}", "id", (json_int_t)id,
					"name", name));
}
