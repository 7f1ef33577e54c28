/*
 * Private to the disclosure gate (core/disclosure*.c): what its files
 * share. disclosure.c holds the rules and the masked view,
 * disclosure_reveal.c the reveal, disclosure_locks.c the locks, their
 * alerts and the supervisors' view.
 */
#ifndef GH_CORE_DISCLOSURE_INT_H
#define GH_CORE_DISCLOSURE_INT_H

#include "core/disclosure.h"

/* The reason a lock row gets when the hourly limit locks a staff member. */
#define DISCLOSURE_LOCK_LIMIT "hourly_limit"

/* 0 when staff member a may see customer customer_id (one of its tickets
 * in view; any customer for supervisors and admins); -GH_NOT_FOUND
 * otherwise, -GH_FORBIDDEN for a customer actor. */
int disclosure_may_view(struct store_conn *c, const struct tk_actor *a,
			int64_t customer_id);

/*
 * In the caller's transaction: locks the reveals of staff member a at
 * now, after count reveals in the window, audits reveal.lock and queues a
 * content-free alert to every supervisor and admin. 0 or a store error.
 */
int disclosure_lock_tx(struct app *app, struct store_conn *c,
		       const struct tk_actor *a, int64_t count, int64_t now);

#endif
