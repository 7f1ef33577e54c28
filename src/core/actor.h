/*
 * Who acts, and the rules every core module applies to the actor in the
 * same way: staff or customer with an id, the staff roles that see every
 * ticket (supervisor, admin), the visibility of a ticket to the actor
 * (the rule is stated in core/tickets.h; the store applies it in SQL), and
 * the audit record that names the actor. One copy here, used by tickets,
 * attachments and held replies alike.
 *
 * It does not decide what an actor may change; each module does that.
 */
#ifndef GH_CORE_ACTOR_H
#define GH_CORE_ACTOR_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/app.h"
#include "store/store.h"

/* Who acts. role is the staff role ("agent", "supervisor", "admin"); ""
 * for customers. ip and request_id go to the audit log; may be NULL. */
struct tk_actor {
	enum realm realm;
	int64_t id;
	const char *role;
	const char *ip;
	const char *request_id;
};

/* 1 for a staff member (customer) with an id. */
int actor_is_staff(const struct tk_actor *a);
int actor_is_customer(const struct tk_actor *a);
/* 1 when a staff role sees every ticket (supervisor, admin). */
int actor_role_sees_all(const char *role);
/* 1 for a staff member whose role sees every ticket. */
int actor_is_supervisor(const struct tk_actor *a);
/* 1 for a staff member with the admin role. */
int actor_is_admin(const struct tk_actor *a);

/* "staff:3" or "customer:9" into buf (sz bytes); "system" when a is
 * NULL (work the server does by itself, e.g. the retention purge). */
void actor_label(const struct tk_actor *a, char *buf, size_t sz);

/* The store's staff visibility query for a, without filters. */
void actor_ticket_query(const struct tk_actor *a, struct ticket_query *q);

/*
 * The ticket ticket_id into *t (may be NULL) when a may see it: a
 * customer their own tickets (through the store's portal_* side), staff
 * as the visibility rule says. -GH_NOT_FOUND when it is not visible (or
 * does not exist), -GH_FORBIDDEN for an actor without an id.
 */
int actor_ticket(struct store_conn *c, const struct tk_actor *a,
		 int64_t ticket_id, struct ticket_rec *t);

/*
 * Appends the audit record of a's action (a NULL: "system") on the target
 * "<kind>:<id>", with a's ip and request id, in the caller's transaction.
 * detail is stolen (may be NULL). 0 or a store error.
 */
int actor_audit(struct app *app, struct store_conn *c,
		const struct tk_actor *a, const char *action,
		const char *kind, int64_t id, const char *outcome,
		json_t *detail);

#endif
