/*
 * The actor helpers shared by core (see core/actor.h). Visibility is read
 * through the store's own filters (portal_* for customers, the staff rule
 * in SQL), never re-implemented here, so every module asks the same
 * question the same way.
 */
#include "core/actor.h"

#include <stdio.h>
#include <string.h>

#include "core/audit.h"
#include "util/errors.h"

int
actor_is_staff(const struct tk_actor *a)
{
	return a != NULL && a->realm == REALM_STAFF && a->id > 0;
}

int
actor_is_customer(const struct tk_actor *a)
{
	return a != NULL && a->realm == REALM_CUSTOMER && a->id > 0;
}

int
actor_role_sees_all(const char *role)
{
	return role != NULL &&
	       (strcmp(role, "supervisor") == 0 || strcmp(role, "admin") == 0);
}

int
actor_is_supervisor(const struct tk_actor *a)
{
	return actor_is_staff(a) && actor_role_sees_all(a->role);
}

int
actor_is_admin(const struct tk_actor *a)
{
	return actor_is_staff(a) && a->role != NULL &&
	       strcmp(a->role, "admin") == 0;
}

void
actor_label(const struct tk_actor *a, char *buf, size_t sz)
{
	if (a == NULL)
		snprintf(buf, sz, "system");
	else
		snprintf(buf, sz, "%s:%lld", realm_name(a->realm),
			 (long long)a->id);
}

void
actor_ticket_query(const struct tk_actor *a, struct ticket_query *q)
{
	memset(q, 0, sizeof(*q));
	q->viewer_id = a->id;
	q->see_all = actor_role_sees_all(a->role);
}

int
actor_ticket(struct store_conn *c, const struct tk_actor *a,
	     int64_t ticket_id, struct ticket_rec *t)
{
	struct ticket_rec tmp;
	struct ticket_query q;

	if (t == NULL)
		t = &tmp;
	memset(t, 0, sizeof(*t));
	if (a->id <= 0)
		return -GH_FORBIDDEN;
	if (a->realm == REALM_CUSTOMER)
		return c->ops->portal_ticket_get(c, a->id, ticket_id, t);
	actor_ticket_query(a, &q);
	return c->ops->staff_ticket_get(c, &q, ticket_id, t);
}

int
actor_audit(struct app *app, struct store_conn *c, const struct tk_actor *a,
	    const char *action, const char *kind, int64_t id,
	    const char *outcome, json_t *detail)
{
	char actor[48], target[48];

	actor_label(a, actor, sizeof(actor));
	snprintf(target, sizeof(target), "%s:%lld", kind, (long long)id);
	return audit_log(app, c,
			 &(struct audit_ev){.actor = actor,
					    .action = action,
					    .target = target,
					    .outcome = outcome,
					    .ip = a != NULL ? a->ip : NULL,
					    .request_id =
						    a != NULL ? a->request_id
							      : NULL,
					    .detail = detail});
}
