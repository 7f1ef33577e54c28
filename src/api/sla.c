/*
 * SLA over HTTP (core/sla.h). Staff read: GET /calendars,
 * /calendars/{name}, /queues/{name}/sla. Supervisors and admins write:
 * POST /calendars, PUT and DELETE /calendars/{name}, PUT and DELETE
 * /queues/{name}/sla; and read GET /supervisor/sla (breaches by queue
 * and agent over a window, open tickets due soon).
 *
 * A calendar body is {name, time_zone, hours: {mon: ["09:00-17:00",
 * ...], ...}, holidays: ["2026-12-25", ...]}; a policy body is
 * {calendar, targets: {urgent: {first_response, resolution}, ...}} in
 * business minutes (0: no target).
 *
 * Invariant: a body is checked whole (here and by core) before anything
 * is written; a refusal names its field.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/common.h"
#include "core/sla.h"
#include "util/errors.h"

/* The {name} segment of r's path after prefix into out ("" when it is
 * not there or too long). */
static void
path_name(const struct request *r, const char *prefix, char *out, size_t sz)
{
	const char *p = r->path + strlen(prefix);
	size_t n = strcspn(p, "/?");

	if (strncmp(r->path, prefix, strlen(prefix)) != 0 || n >= sz)
		n = 0;
	memcpy(out, p, n);
	out[n] = '\0';
}

/* --- calendars ---------------------------------------------------------------- */

static json_t *
calendar_json(const struct sla_calendar_rec *rec, const struct calendar *cal)
{
	json_t *hours = json_object(), *hol = json_array();

	for (int w = 0; w < 7; w++) {
		json_t *spans = json_array();

		for (int i = 0; i < cal->nspans[w]; i++) {
			char t[12];

			calendar_span_text(&cal->spans[w][i], t);
			json_array_append_new(spans, json_string(t));
		}
		json_object_set_new(hours, calendar_weekdays[w], spans);
	}
	for (int i = 0; i < cal->nholidays; i++) {
		char t[11];

		calendar_date_text(cal->holidays[i], t);
		json_array_append_new(hol, json_string(t));
	}
	return json_pack("{s:s, s:s, s:o, s:o, s:I}", "name", rec->name,
			 "time_zone", rec->tz, "hours", hours, "holidays", hol,
			 "updated_at", (json_int_t)rec->updated_at);
}

/* hours {day: [spans]} into cal. */
static int
parse_hours(json_t *hours, struct calendar *cal)
{
	const char *day;
	json_t *spans, *v;
	size_t i;

	json_object_foreach(hours, day, spans) {
		int w = -1;

		for (int k = 0; k < 7; k++)
			if (strcmp(day, calendar_weekdays[k]) == 0)
				w = k;
		if (w < 0 || !json_is_array(spans) ||
		    json_array_size(spans) > CAL_SPANS_MAX)
			return -GH_BAD_FIELD;
		json_array_foreach(spans, i, v) {
			if (calendar_parse_span(json_string_value(v),
						&cal->spans[w][i]) < 0)
				return -GH_BAD_FIELD;
		}
		cal->nspans[w] = (int)json_array_size(spans);
	}
	return 0;
}

static int
parse_holidays(json_t *arr, struct calendar *cal)
{
	json_t *v;
	size_t i;

	if (arr == NULL)
		return 0;
	if (!json_is_array(arr) || json_array_size(arr) > CAL_HOLIDAYS_MAX)
		return -GH_BAD_FIELD;
	json_array_foreach(arr, i, v) {
		if (calendar_parse_date(json_string_value(v),
					&cal->holidays[i]) < 0)
			return -GH_BAD_FIELD;
	}
	cal->nholidays = (int)json_array_size(arr);
	return 0;
}

/* The holidays array of r's body, taken out (new reference, NULL when
 * absent), and the rest parsed by spec. */
static int
parse_without_holidays(struct request *r, const struct jspec *spec,
		       json_t **holidays)
{
	json_t *root = json_loadb(r->body != NULL ? r->body : "{}",
				  r->body_len > 0 ? r->body_len : 2,
				  JSON_REJECT_DUPLICATES, NULL);
	char *rest, *saved_body = r->body;
	size_t saved_len = r->body_len;
	int rc;

	*holidays = NULL;
	if (!json_is_object(root)) {
		json_decref(root);
		return api_parse(r, spec); /* answers the body's error */
	}
	*holidays = json_incref(json_object_get(root, "holidays"));
	json_object_del(root, "holidays");
	rest = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	if (rest == NULL)
		return -GH_INTERNAL;
	r->body = rest;
	r->body_len = strlen(rest);
	rc = api_parse(r, spec);
	r->body = saved_body;
	r->body_len = saved_len;
	free(rest);
	return rc;
}

/* A calendar body into *name and *cal; errors name their field. */
static int
parse_calendar(struct request *r, const char **name, struct calendar *cal)
{
	const char *tz = NULL;
	json_t *hours = NULL, *holidays = NULL;
	const struct jspec spec[] = {
		JSPEC_STR("name", name, 1, SLA_NAME_MAX, JS_REQUIRED),
		JSPEC_STR("time_zone", &tz, 1, CAL_TZ_MAX, JS_REQUIRED),
		JSPEC_OBJ("hours", &hours, 1, 7, JS_REQUIRED),
		JSPEC_END,
	};
	int rc;

	memset(cal, 0, sizeof(*cal));
	rc = parse_without_holidays(r, spec, &holidays);
	if (rc < 0) {
		json_decref(holidays);
		return rc;
	}
	snprintf(cal->tz, sizeof(cal->tz), "%s", tz);
	rc = parse_hours(hours, cal);
	if (rc < 0) {
		json_decref(holidays);
		return api_error_field(r, rc, "hours");
	}
	rc = parse_holidays(holidays, cal);
	json_decref(holidays);
	return rc < 0 ? api_error_field(r, rc, "holidays") : 0;
}

/* GET /api/v1/calendars */
int
api_sla_calendars_list(struct request *r)
{
	struct sla_calendar_list l = {NULL, 0};
	json_t *arr;
	int rc;

	rc = sla_calendar_list(request_db(r), &l);
	if (rc < 0)
		return rc;
	arr = json_array();
	for (size_t i = 0; i < l.n; i++) {
		struct calendar cal;

		if (calendar_from_text(&cal, l.v[i].tz, l.v[i].hours,
				       l.v[i].holidays) == 0)
			json_array_append_new(arr,
					      calendar_json(&l.v[i], &cal));
	}
	sla_calendar_list_clear(&l);
	return api_ok(r, json_pack("{s:o}", "calendars", arr));
}

/* GET /api/v1/calendars/{name} */
int
api_sla_calendar_get(struct request *r)
{
	struct sla_calendar_rec rec;
	struct calendar cal;
	char name[SLA_NAME_MAX + 1];
	int rc;

	path_name(r, "/api/v1/calendars/", name, sizeof(name));
	rc = sla_calendar_get(request_db(r), name, &rec, &cal);
	if (rc < 0)
		return rc;
	return api_ok(r, calendar_json(&rec, &cal));
}

/* POST /api/v1/calendars, PUT /api/v1/calendars/{name} */
static int
calendar_write(struct request *r, const char *old_name)
{
	struct sla_calendar_rec rec;
	struct calendar cal, stored;
	const char *name = NULL, *field = NULL;
	struct tk_actor a;
	int rc;

	rc = parse_calendar(r, &name, &cal);
	if (rc < 0)
		return rc;
	api_actor(r, &a);
	rc = sla_calendar_put(r->app, request_db(r), &a, old_name, name, &cal,
			      &field);
	if (rc == -GH_BAD_FIELD && field != NULL)
		return api_error_field(r, rc, field);
	if (rc == -GH_CALENDAR_EXISTS)
		return api_error_field(r, rc, "name");
	if (rc == 0)
		rc = sla_calendar_get(request_db(r), name, &rec, &stored);
	if (rc < 0)
		return rc;
	if (old_name == NULL)
		return api_created(r, calendar_json(&rec, &stored));
	return api_ok(r, calendar_json(&rec, &stored));
}

int
api_sla_calendar_create(struct request *r)
{
	return calendar_write(r, NULL);
}

int
api_sla_calendar_put(struct request *r)
{
	char name[SLA_NAME_MAX + 1];

	path_name(r, "/api/v1/calendars/", name, sizeof(name));
	return calendar_write(r, name);
}

/* DELETE /api/v1/calendars/{name} */
int
api_sla_calendar_delete(struct request *r)
{
	char name[SLA_NAME_MAX + 1];
	struct tk_actor a;
	int rc;

	path_name(r, "/api/v1/calendars/", name, sizeof(name));
	api_actor(r, &a);
	rc = sla_calendar_delete(r->app, request_db(r), &a, name);
	if (rc < 0)
		return rc;
	return api_ok(r, json_pack("{s:s}", "deleted", name));
}

/* --- policies ----------------------------------------------------------------- */

static json_t *
policy_json(const char *queue, const struct sla_policy_rec *p)
{
	json_t *t = json_object();

	for (int i = 0; i < SLA_NPRIO; i++)
		json_object_set_new(
			t, sla_priorities[i],
			json_pack("{s:I, s:I}", "first_response",
				  (json_int_t)p->first_response[i],
				  "resolution", (json_int_t)p->resolution[i]));
	return json_pack("{s:s, s:s, s:o, s:I}", "queue", queue, "calendar",
			 p->calendar_name, "targets", t, "updated_at",
			 (json_int_t)p->updated_at);
}

/* One priority's {first_response, resolution} into p at index i. */
static int
parse_target(json_t *o, struct sla_policy_rec *p, int i)
{
	const char *k;
	json_t *v;

	if (!json_is_object(o))
		return -GH_BAD_FIELD;
	json_object_foreach(o, k, v) {
		json_int_t n = json_integer_value(v);

		if (!json_is_integer(v) || n < 0 || n > SLA_TARGET_MAX)
			return -GH_BAD_FIELD;
		if (strcmp(k, "first_response") == 0)
			p->first_response[i] = n;
		else if (strcmp(k, "resolution") == 0)
			p->resolution[i] = n;
		else
			return -GH_BAD_FIELD;
	}
	return 0;
}

static int
parse_targets(json_t *targets, struct sla_policy_rec *p)
{
	const char *k;
	json_t *v;

	json_object_foreach(targets, k, v) {
		int i = sla_priority_index(k);

		if (i < 0 || parse_target(v, p, i) < 0)
			return -GH_BAD_FIELD;
	}
	return 0;
}

static void
queue_name(const struct request *r, char *out, size_t sz)
{
	path_name(r, "/api/v1/queues/", out, sz);
}

/* GET /api/v1/queues/{name}/sla: a queue without a policy answers 200
 * with calendar and targets null. */
int
api_sla_policy_get(struct request *r)
{
	struct sla_policy_rec p;
	char q[SLA_NAME_MAX + 1];
	int rc;

	queue_name(r, q, sizeof(q));
	rc = sla_policy_get(request_db(r), q, &p);
	if (rc == -GH_NO_SLA_POLICY)
		return api_ok(r, json_pack("{s:s, s:n, s:n, s:n}", "queue", q,
					   "calendar", "targets",
					   "updated_at"));
	if (rc < 0)
		return rc;
	return api_ok(r, policy_json(q, &p));
}

/* PUT /api/v1/queues/{name}/sla */
int
api_sla_policy_put(struct request *r)
{
	struct sla_policy_rec p;
	const char *calendar = NULL, *field = NULL;
	json_t *targets = NULL;
	const struct jspec spec[] = {
		JSPEC_STR("calendar", &calendar, 1, SLA_NAME_MAX, JS_REQUIRED),
		JSPEC_OBJ("targets", &targets, 1, SLA_NPRIO, JS_REQUIRED),
		JSPEC_END,
	};
	char q[SLA_NAME_MAX + 1];
	struct tk_actor a;
	int rc;

	memset(&p, 0, sizeof(p));
	queue_name(r, q, sizeof(q));
	rc = api_parse(r, spec);
	if (rc < 0)
		return rc;
	if (parse_targets(targets, &p) < 0)
		return api_error_field(r, -GH_BAD_FIELD, "targets");
	api_actor(r, &a);
	rc = sla_policy_put(r->app, request_db(r), &a, q, calendar, &p,
			    &field);
	if (rc == -GH_BAD_FIELD || rc == -GH_UNKNOWN_CALENDAR)
		return api_error_field(r, rc, field != NULL ? field
							    : "calendar");
	if (rc == 0)
		rc = sla_policy_get(request_db(r), q, &p);
	if (rc < 0)
		return rc;
	return api_ok(r, policy_json(q, &p));
}

/* DELETE /api/v1/queues/{name}/sla */
int
api_sla_policy_delete(struct request *r)
{
	char q[SLA_NAME_MAX + 1];
	struct tk_actor a;
	int rc;

	queue_name(r, q, sizeof(q));
	api_actor(r, &a);
	rc = sla_policy_delete(r->app, request_db(r), &a, q);
	if (rc < 0)
		return rc;
	return api_ok(r, json_pack("{s:s}", "deleted", q));
}

/* --- the supervisors' report ------------------------------------------------- */

static json_t *
counts_json(const struct sla_count_list *l, const char *key)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < l->n; i++) {
		const struct sla_count_rec *c = &l->v[i];
		json_t *o = json_pack("{s:I, s:I, s:I}", "breaches",
				      (json_int_t)c->total, "first_response",
				      (json_int_t)c->first_response,
				      "resolution", (json_int_t)c->resolution);

		json_object_set_new(o, key, json_string(c->name));
		json_object_set_new(o, "id", c->id > 0 ? json_integer(c->id)
						       : json_null());
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *
risk_json(const struct sla_risk_list *l)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < l->n; i++) {
		const struct sla_risk_rec *k = &l->v[i];
		json_t *o = json_pack(
			"{s:I, s:s, s:s, s:s, s:I, s:b}", "id",
			(json_int_t)k->ticket_id, "subject", k->subject, "queue",
			k->queue, "priority", k->priority, "due_at",
			(json_int_t)k->due_at, "breached", k->breached);

		json_object_set_new(o, "assignee",
				    k->assignee_id > 0
					    ? json_pack("{s:I, s:s}", "id",
							(json_int_t)k->assignee_id,
							"name", k->assignee_name)
					    : json_null());
		json_array_append_new(arr, o);
	}
	return arr;
}

/* GET /api/v1/supervisor/sla?since=&until=&horizon= */
int
api_sla_report(struct request *r)
{
	int64_t now = sla_clock((int64_t)time(NULL));
	int64_t since, until, horizon;
	static const char *const known[] = {"since", "until", "horizon", NULL};
	struct sla_report rep;
	struct tk_actor a;
	int rc;

	rc = request_query_only(r, known);
	if (rc == 0)
		rc = api_query_int(r, "until", now + 1, 1, INT64_C(1) << 40,
				   &until);
	if (rc == 0)
		rc = api_query_int(r, "since", until - 7 * 86400, 0,
				   INT64_C(1) << 40, &since);
	if (rc == 0)
		rc = api_query_int(r, "horizon", 3600, 0, 7 * 86400, &horizon);
	if (rc < 0)
		return rc;
	api_actor(r, &a);
	rc = sla_report(request_db(r), &a, since, until, now, horizon, &rep);
	if (rc == -GH_BAD_QUERY)
		return api_error_field(r, rc, "since");
	if (rc < 0)
		return rc;
	rc = api_ok(r, json_pack("{s:I, s:I, s:I, s:I, s:o, s:o, s:o}", "since",
				 (json_int_t)since, "until", (json_int_t)until,
				 "now", (json_int_t)now, "horizon",
				 (json_int_t)horizon, "queues",
				 counts_json(&rep.queues, "queue"), "agents",
				 counts_json(&rep.agents, "name"), "at_risk",
				 risk_json(&rep.at_risk)));
	sla_report_clear(&rep);
	return rc;
}
