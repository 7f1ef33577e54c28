/*
 * SLA: business calendars (core/calendar.h), one policy per queue
 * (first-response and resolution targets in business minutes by
 * priority) and the due times of tickets under it.
 *
 * A ticket's clock counts business seconds while the ticket is open; it
 * is paused while pending (that time never counts) and stops when solved
 * (a reopened ticket goes on from what it had). The first-response
 * target is met by the first staff reply, the resolution target by
 * solving. tickets.due_at is the earliest due instant of a target not
 * met (an overdue one too), NULL while paused, solved, without a policy
 * or with every target met; tickets.breached is 1 once a target was
 * missed. A missed target is recorded once (sla_breaches: ticket, kind,
 * due, when, assignee, queue) and audited ("ticket.sla_breach"), at the
 * first change after its due time or by the periodic sweep, whichever
 * comes first.
 *
 * A ticket's clock starts at its first change under a policy (its
 * creation, normally); a policy changed later applies to a ticket from
 * its next change. Writes of calendars and policies are for supervisors
 * and admins, audited ("sla.calendar_create", "sla.calendar_update",
 * "sla.calendar_delete", "sla.policy_put", "sla.policy_delete"); staff
 * read them.
 *
 * The clock (sla_clock): the wall clock, plus, in a build without
 * optimisation only (meson's debug buildtype: build-san, what the tests
 * run; never `make`'s release build, where __OPTIMIZE__ is defined), the
 * number of seconds in the file the environment variable
 * GH_TEST_CLOCK_FILE names, so that API tests can move SLA time forward.
 * Every function here that computes takes `now`.
 */
#ifndef GH_CORE_SLA_H
#define GH_CORE_SLA_H

#include <stdint.h>

#include "core/actor.h"
#include "core/app.h"
#include "core/calendar.h"
#include "store/store.h"

#define SLA_NAME_MAX 64               /* a calendar's name, bytes */
#define SLA_TARGET_MAX 525600         /* minutes: a year */
#define SLA_REPORT_DAYS_MAX 366
#define SLA_RISK_MAX 50
#define SLA_SWEEP_BATCH 100

/* "low", "normal", "high", "urgent": the index of a priority in a
 * policy's targets, or -1. */
int sla_priority_index(const char *priority);
extern const char *const sla_priorities[SLA_NPRIO];

/* now (the wall clock's seconds) as the SLA sees it (see above). */
int64_t sla_clock(int64_t now);

/* --- the pure step (sla_calc.c) ------------------------------------------ */

/* What a change of a ticket means for its clock. */
struct sla_input {
	const char *status;           /* open | pending | solved */
	int staff_replied;            /* a staff message exists */
	int fr_recorded, res_recorded;/* breaches already recorded */
	int64_t fr_target, res_target;/* seconds; 0: none */
};

struct sla_result {
	struct sla_state st;          /* the clock after the change */
	int64_t due_at;               /* 0: none */
	int64_t next_check;           /* 0: none */
	int breach_fr, breach_res;    /* to record now */
	int64_t fr_breach_due, res_breach_due;
};

/*
 * The clock old (ran in calendar was, may be NULL when it never ran) at
 * now, brought up to date in calendar cal (the policy's) for in: the
 * business seconds since old.running_since added, the first response
 * marked met, the targets missed, the new due instants. -GH_BAD_STATE or
 * -GH_INTERNAL from the calendar.
 */
int sla_step(const struct calendar *was, const struct calendar *cal,
	     const struct sla_state *old, const struct sla_input *in,
	     int64_t now, struct sla_result *out);

/* --- the hook and the sweep (sla.c, sla_sweep.c) -------------------------- */

/*
 * Inside the caller's write transaction, after a change of ticket
 * ticket_id (creation, a customer message, a staff reply, a status,
 * priority or queue change): brings its SLA clock, due_at and breached up
 * to date at sla_clock(now), records and audits the targets missed. A
 * ticket without a policy and without a clock is left alone. 0 or a
 * store error (the caller's transaction then fails).
 */
int sla_on_change(struct app *app, struct store_conn *c, int64_t ticket_id,
		  int64_t now);
/* The same at now exactly (no test clock): for the sweep and tests. */
int sla_update(struct app *app, struct store_conn *c, int64_t ticket_id,
	       int64_t now);
/* Brings up to date, each in its own transaction, at most
 * SLA_SWEEP_BATCH tickets whose next check is due at now; *n_out (may
 * be NULL) gets how many. */
int sla_sweep(struct app *app, struct store_conn *c, int64_t now,
	      int *n_out);
/* The sweep thread: every [sla] sweep_seconds. 0 or -1. */
int sla_sweep_start(struct app *app);
void sla_sweep_stop(void);

/* --- calendars and policies (sla_admin.c) --------------------------------- */

/* 1 when name is a calendar name: 1..64 of a-z, 0-9 and '-' (not
 * first), so that it is a path segment of the API as it is. */
int sla_valid_name(const char *name);
/* Every calendar by name; sla_calendar_list_clear after. */
int sla_calendar_list(struct store_conn *c, struct sla_calendar_list *out);
void sla_calendar_list_clear(struct sla_calendar_list *l);
int sla_calendar_get(struct store_conn *c, const char *name,
		     struct sla_calendar_rec *out, struct calendar *cal);
/*
 * Creates (old_name NULL) or replaces (old_name: the calendar to change,
 * -GH_NOT_FOUND when none) the calendar named name with cal, checked
 * (calendar_check: -GH_BAD_FIELD, *field naming it; "name" for a bad
 * name). -GH_CALENDAR_EXISTS when another calendar has the name.
 * Supervisors and admins (-GH_FORBIDDEN). Audited.
 */
int sla_calendar_put(struct app *app, struct store_conn *c,
		     const struct tk_actor *a, const char *old_name,
		     const char *name, struct calendar *cal,
		     const char **field);
/* Deletes a calendar no policy uses (-GH_CALENDAR_IN_USE). Audited. */
int sla_calendar_delete(struct app *app, struct store_conn *c,
			const struct tk_actor *a, const char *name);

/* The policy of queue (-GH_UNKNOWN_QUEUE, -GH_NOT_FOUND when none). */
int sla_policy_get(struct store_conn *c, const char *queue,
		   struct sla_policy_rec *out);
/* Sets queue's policy: calendar by name (-GH_UNKNOWN_CALENDAR), targets
 * in p (0..SLA_TARGET_MAX minutes: -GH_BAD_FIELD with *field). Audited
 * with the targets. Supervisors and admins. */
int sla_policy_put(struct app *app, struct store_conn *c,
		   const struct tk_actor *a, const char *queue,
		   const char *calendar, struct sla_policy_rec *p,
		   const char **field);
int sla_policy_delete(struct app *app, struct store_conn *c,
		      const struct tk_actor *a, const char *queue);

/* --- the supervisors' report (sla_report.c) -------------------------------- */

struct sla_report {
	struct sla_count_list queues, agents;
	struct sla_risk_list at_risk;
};

/* Breaches recorded in [since, until) by queue and by agent, and the open
 * tickets due before now + horizon (overdue ones first), at most
 * SLA_RISK_MAX. Supervisors and admins. sla_report_clear after. */
int sla_report(struct store_conn *c, const struct tk_actor *a, int64_t since,
	       int64_t until, int64_t now, int64_t horizon,
	       struct sla_report *out);
void sla_report_clear(struct sla_report *r);

#endif
