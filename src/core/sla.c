/*
 * The SLA hook and the sweep's work (see core/sla.h): a ticket's clock
 * read with its policy in one statement, brought up to date by the pure
 * step (sla_calc.c) and written back with the ticket's due_at and
 * breached, the missed targets recorded and audited, all inside the
 * caller's transaction (the sweep runs one transaction a ticket). Also
 * the SLA clock, with the test offset of debug builds.
 *
 * Invariant: a calendar that fails to compute (ICU, or no working time
 * left) never fails the ticket's change: the clock is kept, the ticket
 * gets no due time and no next check, and the failure is logged.
 */
#include "core/sla.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "util/errors.h"
#include "util/log.h"

const char *const sla_priorities[SLA_NPRIO] = {"low", "normal", "high",
					       "urgent"};

int
sla_priority_index(const char *priority)
{
	for (int i = 0; priority != NULL && i < SLA_NPRIO; i++)
		if (strcmp(priority, sla_priorities[i]) == 0)
			return i;
	return -1;
}

/* The test clock exists only in builds without optimisation (see
 * core/sla.h); a release build has no code that reads the variable. */
#if !defined(__OPTIMIZE__) && !defined(GH_NO_TEST_CLOCK)
#define GH_TEST_CLOCK 1
#endif

#ifdef GH_TEST_CLOCK
/* Debug builds: the seconds in the file GH_TEST_CLOCK_FILE names (0
 * without one). */
static int64_t
test_offset(void)
{
	const char *path = getenv("GH_TEST_CLOCK_FILE");
	long long off = 0;
	FILE *f;

	if (path == NULL || path[0] == '\0')
		return 0;
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	if (fscanf(f, "%lld", &off) != 1)
		off = 0;
	fclose(f);
	return (int64_t)off;
}
#endif

int64_t
sla_clock(int64_t now)
{
#ifdef GH_TEST_CLOCK
	now += test_offset();
#endif
	return now;
}

/* A calendar that is stored but does not compute (step_ticket's and
 * load_calendar's result besides 0 and the store's errors). */
#define CAL_FAILED 1

/* Logs that ticket's calendar failed with err; CAL_FAILED. */
static int
calendar_failed(int64_t ticket, int err)
{
	log_event(LOG_ERROR, "sla.calendar_failed",
		  json_pack("{s:I, s:s}", "ticket", (json_int_t)ticket,
			    "error", err_code(err)));
	return CAL_FAILED;
}

/* Calendar id (for ticket's clock) into *cal: 0 when loaded,
 * -GH_NOT_FOUND when it is gone, CAL_FAILED (logged) when its text does
 * not compute, else the store's error. */
static int
load_calendar(struct store_conn *c, int64_t ticket, int64_t id,
	      struct calendar *cal)
{
	struct sla_calendar_rec r;
	int rc;

	rc = c->ops->sla->cal_get(c, id, NULL, &r);
	if (rc < 0)
		return rc;
	rc = calendar_from_text(cal, r.tz, r.hours, r.holidays);
	return rc < 0 ? calendar_failed(ticket, rc) : 0;
}

/* Records and audits one missed target. */
static int
record_breach(struct app *app, struct store_conn *c,
	      const struct sla_ticket_rec *t, const char *kind, int64_t due,
	      int64_t now)
{
	struct sla_breach_new b = {t->id, kind, due, now, t->assignee_id,
				   t->queue_id, t->priority};
	int rc = c->ops->sla->breach_insert(c, &b);

	if (rc == -GH_EXISTS)
		return 0;
	if (rc < 0)
		return rc;
	return actor_audit(app, c, NULL, "ticket.sla_breach", "ticket", t->id,
			   "success",
			   json_pack("{s:s, s:I, s:I, s:I, s:I, s:s}", "kind",
				     kind, "due_at", (json_int_t)due, "at",
				     (json_int_t)now, "queue",
				     (json_int_t)t->queue_id, "assignee",
				     (json_int_t)t->assignee_id, "priority",
				     t->priority));
}

/* The step's input from the ticket and its policy. */
static void
step_input(const struct sla_ticket_rec *t, struct sla_input *in)
{
	int p = sla_priority_index(t->priority);

	memset(in, 0, sizeof(*in));
	in->status = t->status;
	in->staff_replied = t->staff_replied;
	in->fr_recorded = t->fr_recorded;
	in->res_recorded = t->res_recorded;
	if (!t->has_policy)
		return;
	if (p < 0)
		p = 1;
	in->fr_target = t->policy.first_response[p] * 60;
	in->res_target = t->policy.resolution[p] * 60;
}

/* Steps t's clock at now into *out with the calendars it needs: 0,
 * CAL_FAILED (logged) when a calendar does not compute, or the store's
 * error, which fails the caller's transaction. A calendar deleted since
 * is no failure: the clock that ran in it adds nothing, and the other
 * calendar still counts. */
static int
step_ticket(struct store_conn *c, const struct sla_ticket_rec *t,
	    int64_t now, struct sla_result *out)
{
	struct calendar was, cal;
	struct sla_input in;
	int have_was = 0, have_cal = 0;
	int rc = 0;

	if (t->has_state && t->st.running_since > 0 && t->st.calendar_id > 0) {
		rc = load_calendar(c, t->id, t->st.calendar_id, &was);
		have_was = rc == 0;
		if (rc == -GH_NOT_FOUND)
			rc = 0;
	}
	if (rc == 0 && t->has_policy) {
		rc = load_calendar(c, t->id, t->policy.calendar_id, &cal);
		have_cal = rc == 0;
		if (rc == -GH_NOT_FOUND)
			rc = 0;
	}
	if (rc != 0)
		return rc;
	step_input(t, &in);
	rc = sla_step(have_was ? &was : NULL, have_cal ? &cal : NULL, &t->st,
		      &in, now, out);
	if (rc < 0) /* sla_step fails only in the calendar */
		return calendar_failed(t->id, rc);
	out->st.calendar_id = t->has_policy ? t->policy.calendar_id : 0;
	return 0;
}

int
sla_update(struct app *app, struct store_conn *c, int64_t ticket_id,
	   int64_t now)
{
	struct sla_ticket_rec t;
	struct sla_result r;
	struct sla_ticket_put p;
	int rc;

	rc = c->ops->sla->ticket_get(c, ticket_id, &t);
	if (rc < 0 || (!t.has_policy && !t.has_state))
		return rc;
	rc = step_ticket(c, &t, now, &r);
	if (rc == CAL_FAILED) { /* logged; the clock is kept */
		memset(&r, 0, sizeof(r));
		r.st = t.st;
		rc = 0;
	}
	if (rc < 0)
		return rc;
	p = (struct sla_ticket_put){t.id, r.st, r.next_check, r.due_at,
				    t.breached || r.breach_fr || r.breach_res};
	rc = c->ops->sla->ticket_put(c, &p);
	if (rc == 0 && r.breach_fr)
		rc = record_breach(app, c, &t, "first_response",
				   r.fr_breach_due, now);
	if (rc == 0 && r.breach_res)
		rc = record_breach(app, c, &t, "resolution", r.res_breach_due,
				   now);
	return rc;
}

int
sla_on_change(struct app *app, struct store_conn *c, int64_t ticket_id,
	      int64_t now)
{
	return sla_update(app, c, ticket_id, sla_clock(now));
}

struct sweep_one {
	struct app *app;
	int64_t id;
	int64_t now;
};

static int
tx_sweep_one(struct store_conn *c, void *cls)
{
	struct sweep_one *x = cls;

	return sla_update(x->app, c, x->id, x->now);
}

int
sla_sweep(struct app *app, struct store_conn *c, int64_t now, int *n_out)
{
	int64_t ids[SLA_SWEEP_BATCH];
	size_t n = 0;
	int rc, done = 0;

	rc = c->ops->sla->due(c, now, SLA_SWEEP_BATCH, ids, &n);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct sweep_one x = {app, ids[i], now};

		rc = store_transact(c, tx_sweep_one, &x);
		done += rc == 0;
	}
	if (n_out != NULL)
		*n_out = done;
	return rc;
}
