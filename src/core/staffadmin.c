/*
 * Staff and queue administration from the console (see
 * core/staffadmin.h). The rules about the target (it exists, it is not
 * the caller, it is not the last active admin) are checked inside the
 * transaction that changes it, so two admins disabling each other at
 * once cannot leave the desk without one; a refusal rolls that
 * transaction back and is then recorded in one of its own.
 */
#include "core/staffadmin.h"

#include <string.h>

#include "core/tickets.h"
#include "util/errors.h"

int
staffadmin_list(struct store_conn *c, const struct tk_actor *a,
		const char *queue, struct staff_info_list *out)
{
	struct queue_rec qr;
	int rc;

	*out = (struct staff_info_list){NULL, 0, 0};
	if (!actor_is_supervisor(a))
		return -GH_FORBIDDEN;
	memset(&qr, 0, sizeof(qr));
	if (queue != NULL) {
		rc = tickets_queue_find(c, queue, &qr);
		if (rc < 0)
			return rc;
	}
	return c->ops->super.staff_list(c, qr.id, out);
}

int
staffadmin_queues(struct store_conn *c, const struct tk_actor *a,
		  struct queue_stat_list *out)
{
	*out = (struct queue_stat_list){NULL, 0};
	if (!actor_is_supervisor(a))
		return -GH_FORBIDDEN;
	return c->ops->super.queue_stats(c, out);
}

int
staffadmin_check_last_admin(struct store_conn *c, const struct account *target)
{
	int64_t n = 0;
	int rc;

	if (target->disabled || strcmp(target->role, "admin") != 0)
		return 0;
	rc = c->ops->super.active_admins(c, &n);
	if (rc < 0)
		return rc;
	return n <= 1 ? -GH_LAST_ADMIN : 0;
}

struct disable_ctx {
	struct app *app;
	const struct tk_actor *a;
	int64_t staff_id;
	int disabled;
	int changed;
	int64_t ended;
};

/* The target's checks: it exists, and disabling it is allowed. */
static int
check_target(struct store_conn *c, struct disable_ctx *x, int *was)
{
	struct account acc;
	int rc;

	rc = c->ops->account_by_id(c, REALM_STAFF, x->staff_id, &acc);
	if (rc < 0)
		return rc;
	*was = acc.disabled;
	rc = 0;
	if (x->disabled && x->staff_id == x->a->id)
		rc = -GH_SELF_DISABLE;
	else if (x->disabled)
		rc = staffadmin_check_last_admin(c, &acc);
	account_clear(&acc);
	return rc;
}

static int
tx_disable(struct store_conn *c, void *cls)
{
	struct disable_ctx *x = cls;
	int was = 0;
	int rc;

	x->changed = 0;
	x->ended = 0;
	rc = check_target(c, x, &was);
	if (rc < 0 || was == x->disabled)
		return rc;
	rc = c->ops->account_set_disabled(c, REALM_STAFF, x->staff_id,
					  x->disabled);
	if (rc == 0 && x->disabled)
		rc = c->ops->session_delete_principal(c, REALM_STAFF,
						      x->staff_id, &x->ended);
	if (rc < 0)
		return rc;
	x->changed = 1;
	return actor_audit(x->app, c, x->a,
			   x->disabled ? "account.disable" : "account.enable",
			   "staff", x->staff_id, "success",
			   json_pack("{s:I}", "sessions_ended",
				     (json_int_t)x->ended));
}

/* The record of a refused disable, in its own transaction. */
static int
tx_disable_denied(struct store_conn *c, void *cls)
{
	struct disable_ctx *x = cls;

	return actor_audit(x->app, c, x->a, "account.disable", "staff",
			   x->staff_id, "denied",
			   json_pack("{s:s}", "reason",
				     x->changed == -GH_SELF_DISABLE
					     ? "self"
					     : "last_admin"));
}

int
staffadmin_set_disabled(struct app *app, struct store_conn *c,
			const struct tk_actor *a, int64_t staff_id,
			int disabled, int *changed, int64_t *sessions_ended)
{
	struct disable_ctx x = {app, a, staff_id, disabled != 0, 0, 0};
	int rc;

	if (changed != NULL)
		*changed = 0;
	if (sessions_ended != NULL)
		*sessions_ended = 0;
	if (!actor_is_admin(a))
		return -GH_FORBIDDEN;
	if (staff_id < 1)
		return -GH_NOT_FOUND;
	rc = store_transact(c, tx_disable, &x);
	if (rc == -GH_SELF_DISABLE || rc == -GH_LAST_ADMIN) {
		x.changed = rc;
		if (store_transact(c, tx_disable_denied, &x) < 0)
			return -GH_INTERNAL;
		return rc;
	}
	if (rc < 0)
		return rc;
	if (changed != NULL)
		*changed = x.changed;
	if (sessions_ended != NULL)
		*sessions_ended = x.ended;
	return 0;
}

/* 0 when names[0, n) are 1..STAFFADMIN_QUEUES_MAX distinct names. */
static int
check_names(const char *const *names, size_t n)
{
	if (names == NULL || n < 1 || n > STAFFADMIN_QUEUES_MAX)
		return -GH_BAD_FIELD;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(names[i], names[j]) == 0)
				return -GH_BAD_FIELD;
	return 0;
}

int
staffadmin_set_queues(struct app *app, struct store_conn *c,
		      const struct tk_actor *a, int64_t staff_id,
		      const char *const *names, size_t n)
{
	struct account acc;
	char actor[48];
	int rc;

	if (!actor_is_admin(a))
		return -GH_FORBIDDEN;
	rc = check_names(names, n);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n; i++)
		if (!tickets_valid_queue_name(names[i]))
			return -GH_UNKNOWN_QUEUE;
	if (staff_id < 1)
		return -GH_NOT_FOUND;
	rc = c->ops->account_by_id(c, REALM_STAFF, staff_id, &acc);
	if (rc < 0)
		return rc;
	account_clear(&acc);
	actor_label(a, actor, sizeof(actor));
	return tickets_staff_set_queues(app, c, actor, staff_id, names, n);
}

int
staffadmin_queue_create(struct app *app, struct store_conn *c,
			const struct tk_actor *a, const char *name,
			int64_t *id_out)
{
	char actor[48];

	*id_out = 0;
	if (!actor_is_admin(a))
		return -GH_FORBIDDEN;
	actor_label(a, actor, sizeof(actor));
	return tickets_queue_create(app, c, actor, name, id_out);
}
