/*
 * Business calendars and queue SLA policies (see core/sla.h): checked,
 * written and audited in one transaction each; supervisors and admins
 * write, any staff member reads. A calendar is stored in the text forms
 * of core/calendar.c, checked again whenever it is read.
 *
 * Invariant: a calendar a policy uses is never deleted; a bad calendar or
 * policy is refused before any write, naming the field.
 */
#include "core/sla.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/tickets.h"
#include "util/errors.h"

int
sla_valid_name(const char *name)
{
	size_t n = name != NULL ? strlen(name) : 0;

	if (n == 0 || n > SLA_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		      (ch == '-' && i > 0)))
			return 0;
	}
	return 1;
}

int
sla_calendar_list(struct store_conn *c, struct sla_calendar_list *out)
{
	return c->ops->sla->cal_list(c, out);
}

void
sla_calendar_list_clear(struct sla_calendar_list *l)
{
	STORE_LIST_FREE(l);
}

int
sla_calendar_get(struct store_conn *c, const char *name,
		 struct sla_calendar_rec *out, struct calendar *cal)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if (!sla_valid_name(name))
		return -GH_NOT_FOUND;
	rc = c->ops->sla->cal_get(c, 0, name, out);
	if (rc == 0 && cal != NULL)
		rc = calendar_from_text(cal, out->tz, out->hours,
					out->holidays);
	return rc;
}

struct cal_ctx {
	struct app *app;
	const struct tk_actor *a;
	const char *old_name;
	struct sla_calendar_rec rec;
};

/* Another calendar than id has the name: -GH_CALENDAR_EXISTS. */
static int
name_free(struct store_conn *c, const char *name, int64_t id)
{
	struct sla_calendar_rec other;
	int rc = c->ops->sla->cal_get(c, 0, name, &other);

	if (rc == -GH_NOT_FOUND)
		return 0;
	if (rc < 0)
		return rc;
	return other.id == id ? 0 : -GH_CALENDAR_EXISTS;
}

static int
tx_cal_put(struct store_conn *c, void *cls)
{
	struct cal_ctx *x = cls;
	struct sla_calendar_rec old;
	int rc;

	if (x->old_name != NULL) {
		rc = c->ops->sla->cal_get(c, 0, x->old_name, &old);
		if (rc == 0)
			rc = name_free(c, x->rec.name, old.id);
		x->rec.id = old.id;
		if (rc == 0)
			rc = c->ops->sla->cal_update(c, &x->rec);
	} else {
		rc = name_free(c, x->rec.name, 0);
		if (rc == 0)
			rc = c->ops->sla->cal_insert(c, &x->rec, &x->rec.id);
	}
	if (rc == -GH_EXISTS)
		rc = -GH_CALENDAR_EXISTS;
	if (rc < 0)
		return rc;
	return actor_audit(x->app, c, x->a,
			   x->old_name != NULL ? "sla.calendar_update"
					       : "sla.calendar_create",
			   "calendar", x->rec.id, "success",
			   json_pack("{s:s, s:s, s:s, s:s}", "name", x->rec.name,
				     "time_zone", x->rec.tz, "hours",
				     x->rec.hours, "holidays",
				     x->rec.holidays));
}

int
sla_calendar_put(struct app *app, struct store_conn *c,
		 const struct tk_actor *a, const char *old_name,
		 const char *name, struct calendar *cal, const char **field)
{
	struct cal_ctx x;
	int rc;

	*field = NULL;
	if (!actor_is_supervisor(a))
		return -GH_FORBIDDEN;
	if (old_name != NULL && !sla_valid_name(old_name))
		return -GH_NOT_FOUND;
	*field = "name";
	if (!sla_valid_name(name))
		return -GH_BAD_FIELD;
	rc = calendar_check(cal, field);
	if (rc < 0)
		return rc;
	memset(&x, 0, sizeof(x));
	x.app = app;
	x.a = a;
	x.old_name = old_name;
	snprintf(x.rec.name, sizeof(x.rec.name), "%s", name);
	snprintf(x.rec.tz, sizeof(x.rec.tz), "%s", cal->tz);
	calendar_hours_text(cal, x.rec.hours, sizeof(x.rec.hours));
	calendar_holidays_text(cal, x.rec.holidays, sizeof(x.rec.holidays));
	x.rec.updated_at = (int64_t)time(NULL);
	return store_transact(c, tx_cal_put, &x);
}

static int
tx_cal_delete(struct store_conn *c, void *cls)
{
	struct cal_ctx *x = cls;
	struct sla_calendar_rec r;
	int rc;

	rc = c->ops->sla->cal_get(c, 0, x->old_name, &r);
	if (rc < 0)
		return rc;
	rc = c->ops->sla->cal_in_use(c, r.id);
	if (rc == 0)
		return -GH_CALENDAR_IN_USE;
	if (rc != -GH_NOT_FOUND)
		return rc;
	rc = c->ops->sla->cal_delete(c, r.id);
	if (rc < 0)
		return rc;
	return actor_audit(x->app, c, x->a, "sla.calendar_delete", "calendar",
			   r.id, "success",
			   json_pack("{s:s}", "name", r.name));
}

int
sla_calendar_delete(struct app *app, struct store_conn *c,
		    const struct tk_actor *a, const char *name)
{
	struct cal_ctx x;

	if (!actor_is_supervisor(a))
		return -GH_FORBIDDEN;
	if (!sla_valid_name(name))
		return -GH_NOT_FOUND;
	memset(&x, 0, sizeof(x));
	x.app = app;
	x.a = a;
	x.old_name = name;
	return store_transact(c, tx_cal_delete, &x);
}

/* --- policies ---------------------------------------------------------------- */

int
sla_policy_get(struct store_conn *c, const char *queue,
	       struct sla_policy_rec *out)
{
	struct queue_rec q;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = tickets_queue_find(c, queue, &q);
	if (rc < 0)
		return rc;
	rc = c->ops->sla->policy_get(c, q.id, out);
	return rc == -GH_NOT_FOUND ? -GH_NO_SLA_POLICY : rc;
}

struct policy_ctx {
	struct app *app;
	const struct tk_actor *a;
	const char *queue;
	const char *calendar;
	struct sla_policy_rec *p;
	int remove;
};

/* {low: n, normal: n, ...} of targets v. */
static json_t *
targets_json(const int64_t *v)
{
	json_t *o = json_object();

	for (int i = 0; i < SLA_NPRIO; i++)
		json_object_set_new(o, sla_priorities[i], json_integer(v[i]));
	return o;
}

static int
tx_policy(struct store_conn *c, void *cls)
{
	struct policy_ctx *x = cls;
	struct sla_calendar_rec k;
	struct queue_rec q;
	int rc;

	rc = tickets_queue_find(c, x->queue, &q);
	if (rc < 0)
		return rc;
	if (x->remove) {
		rc = c->ops->sla->policy_delete(c, q.id);
		if (rc < 0)
			return rc == -GH_NOT_FOUND ? -GH_NO_SLA_POLICY : rc;
		return actor_audit(x->app, c, x->a, "sla.policy_delete",
				   "queue", q.id, "success",
				   json_pack("{s:s}", "queue", q.name));
	}
	rc = sla_valid_name(x->calendar)
		     ? c->ops->sla->cal_get(c, 0, x->calendar, &k)
		     : -GH_NOT_FOUND;
	if (rc < 0)
		return rc == -GH_NOT_FOUND ? -GH_UNKNOWN_CALENDAR : rc;
	x->p->queue_id = q.id;
	x->p->calendar_id = k.id;
	x->p->updated_at = (int64_t)time(NULL);
	rc = c->ops->sla->policy_put(c, x->p);
	if (rc < 0)
		return rc;
	return actor_audit(x->app, c, x->a, "sla.policy_put", "queue", q.id,
			   "success",
			   json_pack("{s:s, s:s, s:o, s:o}", "queue", q.name,
				     "calendar", k.name, "first_response",
				     targets_json(x->p->first_response),
				     "resolution",
				     targets_json(x->p->resolution)));
}

int
sla_policy_put(struct app *app, struct store_conn *c, const struct tk_actor *a,
	       const char *queue, const char *calendar,
	       struct sla_policy_rec *p, const char **field)
{
	struct policy_ctx x = {app, a, queue, calendar, p, 0};

	*field = NULL;
	if (!actor_is_supervisor(a))
		return -GH_FORBIDDEN;
	for (int i = 0; i < SLA_NPRIO; i++) {
		*field = "first_response";
		if (p->first_response[i] < 0 ||
		    p->first_response[i] > SLA_TARGET_MAX)
			return -GH_BAD_FIELD;
		*field = "resolution";
		if (p->resolution[i] < 0 || p->resolution[i] > SLA_TARGET_MAX)
			return -GH_BAD_FIELD;
	}
	*field = NULL;
	return store_transact(c, tx_policy, &x);
}

int
sla_policy_delete(struct app *app, struct store_conn *c,
		  const struct tk_actor *a, const char *queue)
{
	struct policy_ctx x = {app, a, queue, NULL, NULL, 1};

	if (!actor_is_supervisor(a))
		return -GH_FORBIDDEN;
	return store_transact(c, tx_policy, &x);
}
