/*
 * The records of the disclosure gate's storage operations (reveals of
 * customers' personal values and the per-agent reveal locks), kept apart
 * from store/store.h, which includes this header before struct store_ops.
 * Include store/store.h, not this file.
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

/* Releases what reveal_agents filled (NULL-safe). */
void reveal_agent_list_clear(struct reveal_agent_list *l);

#endif
