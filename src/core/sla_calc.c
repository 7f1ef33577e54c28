/*
 * The pure step of a ticket's SLA clock (see core/sla.h, sla_step): no
 * store, no clock, only the old clock, the ticket's state and now.
 *
 * Invariant: a target is missed exactly when its elapsed business
 * seconds reach it (elapsed >= target), which is when now reaches the due
 * instant calendar_add gives (the earliest instant with that much
 * business time); the first response's elapsed time is frozen when it is
 * met, the resolution's when the ticket is solved (the clock stops).
 */
#include "core/sla.h"

#include <string.h>

#include "util/errors.h"

/* Adds the business seconds since st->running_since (in calendar was)
 * up to now. */
static int
settle(const struct calendar *was, struct sla_state *st, int64_t now)
{
	int64_t d = 0;
	int rc = 0;

	if (st->running_since > 0 && was != NULL && now > st->running_since)
		rc = calendar_between(was, st->running_since, now, &d);
	if (rc == 0)
		st->accrued += d;
	return rc;
}

struct target {
	int64_t secs;       /* 0: none */
	int64_t elapsed;
	int met;
	int recorded;
	int64_t *due;       /* in: the old due instant; out: the new one */
	int *breach;
	int64_t *breach_due;
};

/* The instant an overdue target was due: the old due instant when it is
 * known and passed, else now. */
static int64_t
overdue_at(int64_t old, int64_t now)
{
	return old > 0 && old <= now ? old : now;
}

static int
step_target(const struct calendar *cal, struct target *t, int running,
	    int64_t now)
{
	int64_t old = *t->due;

	*t->breach = 0;
	*t->due = 0;
	if (t->secs <= 0)
		return 0;
	if (t->elapsed >= t->secs) {
		if (!t->recorded) {
			*t->breach = 1;
			*t->breach_due = overdue_at(old, now);
		}
		if (!t->met)
			*t->due = overdue_at(old, now);
		return 0;
	}
	if (t->met || !running || cal == NULL)
		return 0;
	return calendar_add(cal, now, t->secs - t->elapsed, t->due);
}

/* The smallest of a and b that is > 0 (and > after when after > 0). */
static int64_t
earliest(int64_t a, int64_t b, int64_t after)
{
	if (a <= 0 || (after > 0 && a <= after))
		a = 0;
	if (b <= 0 || (after > 0 && b <= after))
		b = 0;
	if (a == 0 || (b > 0 && b < a))
		return b;
	return a;
}

int
sla_step(const struct calendar *was, const struct calendar *cal,
	 const struct sla_state *old, const struct sla_input *in,
	 int64_t now, struct sla_result *out)
{
	int running = strcmp(in->status, "open") == 0;
	int solved = strcmp(in->status, "solved") == 0;
	struct sla_state prev = *old; /* old may be &out->st */
	struct sla_state *st = &out->st;
	struct target fr, res;
	int rc;

	memset(out, 0, sizeof(*out));
	*st = prev;
	rc = settle(was, st, now);
	if (rc < 0)
		return rc;
	if (st->fr_elapsed < 0 && in->staff_replied)
		st->fr_elapsed = st->accrued;
	fr = (struct target){in->fr_target,
			     st->fr_elapsed >= 0 ? st->fr_elapsed : st->accrued,
			     st->fr_elapsed >= 0, in->fr_recorded, &st->fr_due,
			     &out->breach_fr, &out->fr_breach_due};
	res = (struct target){in->res_target, st->accrued, solved,
			      in->res_recorded, &st->res_due, &out->breach_res,
			      &out->res_breach_due};
	rc = step_target(cal, &fr, running, now);
	if (rc == 0)
		rc = step_target(cal, &res, running, now);
	if (rc < 0)
		return rc;
	st->running_since = running ? now : 0;
	if (running) {
		out->due_at = earliest(st->fr_due, st->res_due, 0);
		out->next_check = earliest(st->fr_due, st->res_due, now);
	}
	return 0;
}
