/*
 * The disclosure gate's storage operations and their records (reveals of
 * customers' personal values and the per-agent reveal locks), kept apart
 * from store/store.h, which includes this header before struct store_ops
 * (whose member `disclosure` holds the operations), so that header stays
 * under its size limit. Include store/store.h, not this file.
 */
#ifndef GH_STORE_STORE_REVEALS_H
#define GH_STORE_STORE_REVEALS_H

#include <stddef.h>
#include <stdint.h>

/* Reveals of customers' personal values (migration 011). A reveal is
 * recorded in the same transaction as its audit record; reveal_locks
 * holds one row per staff member whose reveals were locked (locked while
 * cleared_at is 0). */
#define REVEAL_LOCK_REASON_BYTES 32

struct reveal_new {
	int64_t staff_id;
	int64_t customer_id;
	int64_t ticket_id;
	int64_t verification_id;
	const char *field;
	const char *reason;
	int64_t now;
};

struct reveal_lock {
	int64_t staff_id;
	int64_t locked_at;
	char reason[REVEAL_LOCK_REASON_BYTES];
	int64_t cleared_by;       /* 0 while locked */
	int64_t cleared_at;       /* 0 while locked */
};

/* One staff member's reveals in a window, for the supervisors' view. */
struct reveal_agent {
	int64_t staff_id;
	char name[404];
	char role[16];
	int64_t count;
	int64_t last_at;          /* 0: none in the window */
	int locked;
	int64_t locked_at;        /* 0: no lock row */
};

struct reveal_agent_list {
	struct reveal_agent *v;   /* malloc'd; reveal_agent_list_clear() */
	size_t n;
};

/*
 * The disclosure gate's operations, the member `disclosure` of struct
 * store_ops (c->ops->disclosure.reveal_insert(c, ...)); contracts as in
 * store/store.h.
 *
 * customer_visible: 0 when customer customer_id exists and q->see_all,
 * or one of its tickets is visible to q->viewer_id by the staff rule of
 * staff_ticket_get; -GH_NOT_FOUND otherwise. customer_name: the display
 * name (C0), cut at outsz - 1; -GH_NOT_FOUND when there is no such
 * customer.
 *
 * Reveals (migration 011). reveal_count: the reveals of staff_id with
 * created_at > since. reveal_lock_get: -GH_NOT_FOUND when the staff
 * member was never locked. reveal_lock_set locks (again) with reason at
 * now, clearing an earlier clearance. reveal_lock_clear records who
 * cleared a lock and when; -GH_CONFLICT when the staff member is not
 * locked. reveal_agents: every staff member with a reveal after since or
 * a lock not cleared, most reveals first. The staff to alert about a lock
 * come from store_ops' staff_alert_list.
 */
struct store_conn;
struct ticket_query;

struct store_disclosure_ops {
	int (*customer_visible)(struct store_conn *c,
				const struct ticket_query *q,
				int64_t customer_id);
	int (*customer_name)(struct store_conn *c, int64_t customer_id,
			     char *out, size_t outsz);
	int (*reveal_insert)(struct store_conn *c, const struct reveal_new *r,
			     int64_t *id_out);
	int (*reveal_count)(struct store_conn *c, int64_t staff_id,
			    int64_t since, int64_t *n_out);
	int (*reveal_lock_get)(struct store_conn *c, int64_t staff_id,
			       struct reveal_lock *out);
	int (*reveal_lock_set)(struct store_conn *c, int64_t staff_id,
			       const char *reason, int64_t now);
	int (*reveal_lock_clear)(struct store_conn *c, int64_t staff_id,
				 int64_t cleared_by, int64_t now);
	int (*reveal_agents)(struct store_conn *c, int64_t since,
			     struct reveal_agent_list *out);
};

/* Releases what reveal_agents filled (NULL-safe). */
void reveal_agent_list_clear(struct reveal_agent_list *l);

#endif
