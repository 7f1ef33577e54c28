/*
 * Staff and queue administration from the console (issue 15, part
 * SUPER): the staff list (role, queues, last login, authenticator
 * enrolled, disabled), disabling and enabling a staff member, replacing
 * their queue memberships, and the queues with their counts and members.
 *
 * Who may: supervisors and admins read (the lists); admins change
 * (disable, enable, memberships, new queues); agents nothing
 * (-GH_FORBIDDEN). Nobody disables their own account (-GH_SELF_DISABLE)
 * and the last active administrator is never disabled
 * (-GH_LAST_ADMIN), whoever asks (the command line's `staff disable`
 * keeps the same rule through staffadmin_check_last_admin()).
 *
 * Invariant: every change, and every refusal of a disable, is audited in
 * the transaction that decides it; disabling ends every session of the
 * staff member in that same transaction, so a disabled account has no
 * session left the moment the change commits. Creating staff stays on
 * the command line (`gatehouse staff add`): it hands out the new
 * member's authenticator secret, which the console never shows.
 */
#ifndef GH_CORE_STAFFADMIN_H
#define GH_CORE_STAFFADMIN_H

#include <stddef.h>
#include <stdint.h>

#include "core/actor.h"
#include "core/app.h"
#include "store/store.h"

/* The most queues one membership change names. */
#define STAFFADMIN_QUEUES_MAX 64

/* Staff members by id (queue NULL: everyone; else the members of the
 * queue named queue, -GH_UNKNOWN_QUEUE when there is none). Supervisors
 * and admins. *out as the store's staff_list (staff_info_list_clear). */
int staffadmin_list(struct store_conn *c, const struct tk_actor *a,
		    const char *queue, struct staff_info_list *out);

/* Every queue with its counts (queue_stat_list_clear). Supervisors and
 * admins. */
int staffadmin_queues(struct store_conn *c, const struct tk_actor *a,
		      struct queue_stat_list *out);

/*
 * Disables (disabled 1) or enables staff member staff_id. Admins only;
 * -GH_NOT_FOUND when there is no such staff member, -GH_SELF_DISABLE for
 * the caller's own account, -GH_LAST_ADMIN for the last active admin
 * (both refusals audited, outcome "denied"). Disabling ends all their
 * sessions; audited "account.disable" / "account.enable" with
 * sessions_ended, as the command line does. Setting the state it already
 * has changes and records nothing. *changed (may be NULL) says whether
 * it changed, *sessions_ended (may be NULL) how many sessions ended.
 */
int staffadmin_set_disabled(struct app *app, struct store_conn *c,
			    const struct tk_actor *a, int64_t staff_id,
			    int disabled, int *changed,
			    int64_t *sessions_ended);

/*
 * Makes staff member staff_id a member of exactly the n (1..
 * STAFFADMIN_QUEUES_MAX) queues named, in one transaction, each
 * membership added or removed audited ("staff.queue_add",
 * "staff.queue_remove"). Admins only; -GH_NOT_FOUND for no such staff
 * member, -GH_BAD_FIELD for no names, too many or one named twice,
 * -GH_UNKNOWN_QUEUE (nothing changed) for a name that is not a queue.
 */
int staffadmin_set_queues(struct app *app, struct store_conn *c,
			  const struct tk_actor *a, int64_t staff_id,
			  const char *const *names, size_t n);

/* Creates a queue (admins only), audited "queue.create" as
 * tickets_queue_create() does; its errors. */
int staffadmin_queue_create(struct app *app, struct store_conn *c,
			    const struct tk_actor *a, const char *name,
			    int64_t *id_out);

/* Inside the caller's transaction: -GH_LAST_ADMIN when disabling target
 * would leave no active administrator, else 0 (or a store error). */
int staffadmin_check_last_admin(struct store_conn *c,
				const struct account *target);

#endif
