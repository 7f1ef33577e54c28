/*
 * Queues and memberships (see core/tickets.h), managed from the command
 * line: names checked and unique, every membership change audited in the
 * transaction that makes it. A staff member's set of queues is replaced
 * in one transaction, so they are never left in none by a failed change.
 */
#include "core/tickets.h"

#include <stdio.h>
#include <string.h>

#include "core/audit.h"
#include "core/auth.h"
#include "util/errors.h"

int
tickets_valid_queue_name(const char *name)
{
	size_t n;

	if (name == NULL)
		return 0;
	n = strlen(name);
	if (n < 1 || n > QUEUE_NAME_MAX || name[0] == '-' || name[0] == '_')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		      ch == '-' || ch == '_'))
			return 0;
	}
	return 1;
}

int
tickets_queue_find(struct store_conn *c, const char *name,
		   struct queue_rec *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if (!tickets_valid_queue_name(name))
		return -GH_UNKNOWN_QUEUE;
	rc = c->ops->queue_by_name(c, name, out);
	return rc == -GH_NOT_FOUND ? -GH_UNKNOWN_QUEUE : rc;
}

static int
audit_queue(struct app *app, struct store_conn *c, const char *actor,
	    const char *action, const char *target_kind, int64_t target_id,
	    json_t *detail)
{
	char target[48];

	snprintf(target, sizeof(target), "%s:%lld", target_kind,
		 (long long)target_id);
	return audit_log(app, c,
			 &(struct audit_ev){.actor = actor,
					    .action = action,
					    .target = target,
					    .outcome = "success",
					    .detail = detail});
}

struct queue_ctx {
	struct app *app;
	const char *actor;
	const char *name;
	int64_t id;
};

static int
tx_queue_create(struct store_conn *c, void *cls)
{
	struct queue_ctx *x = cls;
	struct queue_rec qr;
	int rc;

	rc = c->ops->queue_by_name(c, x->name, &qr);
	if (rc == 0)
		return -GH_QUEUE_EXISTS;
	if (rc != -GH_NOT_FOUND)
		return rc;
	rc = c->ops->queue_insert(c, x->name, &x->id);
	if (rc == -GH_EXISTS)
		return -GH_QUEUE_EXISTS;
	if (rc < 0)
		return rc;
	return audit_queue(x->app, c, x->actor, "queue.create", "queue", x->id,
			   json_pack("{s:s}", "name", x->name));
}

int
tickets_queue_create(struct app *app, struct store_conn *c, const char *actor,
		     const char *name, int64_t *id_out)
{
	struct queue_ctx x = {app, actor, name, 0};
	int rc;

	*id_out = 0;
	if (!tickets_valid_queue_name(name))
		return -GH_BAD_FIELD;
	rc = store_transact(c, tx_queue_create, &x);
	if (rc == 0)
		*id_out = x.id;
	return rc;
}

int
tickets_queue_list(struct store_conn *c, struct queue_list *out)
{
	return c->ops->queue_list(c, out);
}

int
tickets_staff_queues(struct store_conn *c, int64_t staff_id,
		     struct queue_list *out)
{
	return c->ops->staff_queue_list(c, staff_id, out);
}

/* Adds or removes one membership in the caller's transaction, audited
 * when it changes; *changed (may be NULL) says whether it did. */
static int
set_member(struct app *app, struct store_conn *c, const char *actor,
	   int64_t staff_id, const struct queue_rec *qr, int add, int *changed)
{
	int rc;

	if (changed != NULL)
		*changed = 0;
	rc = add ? c->ops->staff_queue_add(c, staff_id, qr->id)
		 : c->ops->staff_queue_remove(c, staff_id, qr->id);
	if ((add && rc == -GH_EXISTS) || (!add && rc == -GH_NOT_FOUND))
		return 0;
	if (rc < 0)
		return rc;
	if (changed != NULL)
		*changed = 1;
	return audit_queue(app, c, actor,
			   add ? "staff.queue_add" : "staff.queue_remove",
			   "staff", staff_id,
			   json_pack("{s:s, s:I}", "queue", qr->name, "queue_id",
				     (json_int_t)qr->id));
}

struct member_ctx {
	struct app *app;
	const char *actor;
	const char *email;
	const char *queue;
	int add;
	int64_t staff_id;
	int changed;
	const char *const *names;
	size_t n;
};

static int
tx_staff_queue(struct store_conn *c, void *cls)
{
	struct member_ctx *x = cls;
	struct account acc;
	struct queue_rec qr;
	int rc;

	rc = c->ops->account_by_login(c, REALM_STAFF, x->email, &acc);
	if (rc < 0)
		return rc;
	x->staff_id = acc.id;
	account_clear(&acc);
	rc = tickets_queue_find(c, x->queue, &qr);
	if (rc < 0)
		return rc;
	return set_member(x->app, c, x->actor, x->staff_id, &qr, x->add,
			  &x->changed);
}

int
tickets_staff_queue(struct app *app, struct store_conn *c, const char *actor,
		    const char *email, const char *queue, int add,
		    int64_t *staff_id, int *changed)
{
	char norm[256];
	struct member_ctx x;
	int rc;

	*staff_id = 0;
	*changed = 0;
	if (email == NULL ||
	    auth_normalize_email(email, norm, sizeof(norm)) < 0)
		return -GH_NOT_FOUND;
	if (!tickets_valid_queue_name(queue))
		return -GH_UNKNOWN_QUEUE;
	memset(&x, 0, sizeof(x));
	x.app = app;
	x.actor = actor;
	x.email = norm;
	x.queue = queue;
	x.add = add;
	rc = store_transact(c, tx_staff_queue, &x);
	if (rc < 0)
		return rc;
	*staff_id = x.staff_id;
	*changed = x.changed;
	return 0;
}

static int
tx_set_queues(struct store_conn *c, void *cls)
{
	struct member_ctx *x = cls;
	struct queue_list have = {NULL, 0};
	struct queue_rec qr;
	int rc;

	for (size_t i = 0; i < x->n; i++) {
		rc = tickets_queue_find(c, x->names[i], &qr);
		if (rc == 0)
			rc = set_member(x->app, c, x->actor, x->staff_id, &qr,
					1, NULL);
		if (rc < 0)
			return rc;
	}
	rc = c->ops->staff_queue_list(c, x->staff_id, &have);
	for (size_t i = 0; rc == 0 && i < have.n; i++) {
		int wanted = 0;

		for (size_t j = 0; j < x->n; j++)
			if (strcmp(have.v[i].name, x->names[j]) == 0)
				wanted = 1;
		if (!wanted)
			rc = set_member(x->app, c, x->actor, x->staff_id,
					&have.v[i], 0, NULL);
	}
	queue_list_clear(&have);
	return rc;
}

/* The context of tx_set_queues, or -GH_BAD_FIELD for no queue names. */
static int
set_queues_ctx(struct member_ctx *x, struct app *app, const char *actor,
	       int64_t staff_id, const char *const *names, size_t n)
{
	if (n < 1 || names == NULL || staff_id <= 0)
		return -GH_BAD_FIELD;
	memset(x, 0, sizeof(*x));
	x->app = app;
	x->actor = actor;
	x->staff_id = staff_id;
	x->names = names;
	x->n = n;
	return 0;
}

int
tickets_staff_set_queues_tx(struct app *app, struct store_conn *c,
			    const char *actor, int64_t staff_id,
			    const char *const *names, size_t n)
{
	struct member_ctx x;
	int rc = set_queues_ctx(&x, app, actor, staff_id, names, n);

	return rc < 0 ? rc : tx_set_queues(c, &x);
}

int
tickets_staff_set_queues(struct app *app, struct store_conn *c,
			 const char *actor, int64_t staff_id,
			 const char *const *names, size_t n)
{
	struct member_ctx x;
	int rc = set_queues_ctx(&x, app, actor, staff_id, names, n);

	return rc < 0 ? rc : store_transact(c, tx_set_queues, &x);
}
