/*
 * Reveal locks (see core/disclosure.h): the lock the hourly limit sets,
 * with its audit record and a content-free alert mail to every supervisor
 * and admin, all in the reveal's transaction; the clearance by a
 * supervisor or admin other than the locked staff member; and the
 * supervisors' view of reveals per staff member.
 *
 * The alert says only that a staff member's reveals were locked and where
 * to look; it names no staff member and no customer. Its recipient (a
 * staff login) is sealed in the outbox row like every recipient.
 */
#include "core/disclosure.h"

#include <stdio.h>
#include <string.h>

#include "core/disclosure_int.h"
#include "core/notify.h"
#include "util/errors.h"

#define ALERT_SUBJECT "Reveals of customer data locked: review needed"
#define ALERT_BODY                                                            \
	"A staff member made more reveals of customers' personal data in "   \
	"one hour than policy allows. Their reveals are locked until a "     \
	"supervisor or admin other than them clears the lock.\n"             \
	"Review their reveals in the console (Supervisor: Reveals) before "  \
	"clearing it. This mail names no one on purpose.\n"

int
disclosure_lock_tx(struct app *app, struct store_conn *c,
		   const struct tk_actor *a, int64_t count, int64_t now)
{
	int64_t alerted = 0;
	int rc;

	rc = c->ops->disclosure.reveal_lock_set(c, a->id, DISCLOSURE_LOCK_LIMIT, now);
	if (rc == 0)
		rc = notify_supervisors(app, c, "reveal_alert", ALERT_SUBJECT,
					ALERT_BODY, now, &alerted);
	if (rc == 0)
		rc = actor_audit(app, c, a, "reveal.lock", "staff", a->id,
				 "success",
				 json_pack("{s:s, s:I, s:I, s:I}", "reason",
					   DISCLOSURE_LOCK_LIMIT, "reveals",
					   (json_int_t)count, "per_hour",
					   (json_int_t)app->cfg.reveals_per_hour,
					   "alerted", (json_int_t)alerted));
	return rc;
}

struct clear_ctx {
	struct app *app;
	const struct tk_actor *a;
	int64_t staff_id;
	const char *reason;
	int64_t now;
};

static int
tx_clear(struct store_conn *c, void *cls)
{
	struct clear_ctx *x = cls;
	char name[8];
	int rc;

	rc = c->ops->staff_name(c, x->staff_id, name, sizeof(name));
	if (rc == 0)
		rc = c->ops->disclosure.reveal_lock_clear(c, x->staff_id, x->a->id,
					       x->now);
	if (rc == -GH_CONFLICT)
		rc = -GH_BAD_STATE;
	if (rc == 0)
		rc = actor_audit(x->app, c, x->a, "reveal.unlock", "staff",
				 x->staff_id, "success",
				 json_pack("{s:s}", "reason", x->reason));
	return rc;
}

static int
tx_clear_denied(struct store_conn *c, void *cls)
{
	struct clear_ctx *x = cls;

	return actor_audit(x->app, c, x->a, "reveal.unlock", "staff",
			   x->staff_id, "denied",
			   json_pack("{s:s}", "refusal", "own_lock"));
}

int
disclosure_lock_clear(struct app *app, struct store_conn *c,
		      const struct tk_actor *a, int64_t staff_id,
		      const char *reason, int64_t now)
{
	struct clear_ctx x = {app, a, staff_id, reason, now};
	int rc;

	if (!actor_is_staff(a) || !actor_is_supervisor(a))
		return -GH_FORBIDDEN;
	rc = disclosure_reason_check(reason);
	if (rc < 0)
		return rc;
	if (staff_id == a->id) {
		rc = store_transact(c, tx_clear_denied, &x);
		return rc < 0 ? rc : -GH_FORBIDDEN;
	}
	return store_transact(c, tx_clear, &x);
}

int
disclosure_agents(struct app *app, struct store_conn *c,
		  const struct tk_actor *a, int64_t hours, int64_t now,
		  struct reveal_agent_list *out)
{
	(void)app;
	out->v = NULL;
	out->n = 0;
	if (!actor_is_staff(a) || !actor_is_supervisor(a))
		return -GH_FORBIDDEN;
	if (hours < 1 || hours > DISCLOSURE_VIEW_HOURS_MAX)
		return -GH_BAD_QUERY;
	return c->ops->disclosure.reveal_agents(c, now - hours * 3600, out);
}
