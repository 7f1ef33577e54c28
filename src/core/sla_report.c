/*
 * The supervisors' SLA report (see core/sla.h, sla_report): breaches
 * recorded in a window, counted by queue and by agent, and the open
 * tickets due soon or overdue. Read-only; three statements.
 *
 * Invariant: the window is at most SLA_REPORT_DAYS_MAX days and the list
 * of tickets at most SLA_RISK_MAX long, so a report costs the same
 * whatever the history.
 */
#include "core/sla.h"

#include <string.h>

#include "util/errors.h"

int
sla_report(struct store_conn *c, const struct tk_actor *a, int64_t since,
	   int64_t until, int64_t now, int64_t horizon,
	   struct sla_report *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if (!actor_is_supervisor(a))
		return -GH_FORBIDDEN;
	if (until <= since || until - since > SLA_REPORT_DAYS_MAX * 86400LL ||
	    horizon < 0)
		return -GH_BAD_QUERY;
	rc = c->ops->sla->by_queue(c, since, until, &out->queues);
	if (rc == 0)
		rc = c->ops->sla->by_agent(c, since, until, &out->agents);
	if (rc == 0)
		rc = c->ops->sla->at_risk(c, now + horizon, SLA_RISK_MAX,
					  &out->at_risk);
	if (rc < 0)
		sla_report_clear(out);
	return rc;
}

void
sla_report_clear(struct sla_report *r)
{
	STORE_LIST_FREE(&r->queues);
	STORE_LIST_FREE(&r->agents);
	STORE_LIST_FREE(&r->at_risk);
}
