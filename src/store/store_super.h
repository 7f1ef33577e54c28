/*
 * The supervisor's console's storage operations and their records (issue
 * 15, part SUPER): the staff list as administrators see it (role,
 * queues, last successful login, whether an authenticator is enrolled,
 * disabled), the count of active administrators (so the last one is
 * never disabled), and the queues with their active members and ticket
 * counts. Kept apart from store/store.h, which includes this header
 * before struct store_ops (whose member `super` holds the operations).
 * Include store/store.h, not this file.
 *
 * No record here holds a password hash, a TOTP seed or a session.
 */
#ifndef GH_STORE_STORE_SUPER_H
#define GH_STORE_STORE_SUPER_H

#include <stddef.h>
#include <stdint.h>

/* The most staff members one list returns (the console lists them all
 * on one page; a desk with more is told the list was cut). */
#define STAFF_LIST_MAX 1000
/* Queue names of one staff member, space-separated: at most 64 queues
 * of QUEUE_NAME_MAX bytes and their separators. */
#define STAFF_QUEUES_TEXT (64 * 33)

/* One staff member as the staff page shows them. */
struct staff_info {
	int64_t id;
	char email[256];
	char name[404];
	char role[16];
	int disabled;
	int totp_enrolled;
	int64_t created_at;
	int64_t last_login;      /* newest successful login; 0: never */
	char queues[STAFF_QUEUES_TEXT]; /* names by queue id, space-separated */
	int64_t passkeys;        /* how many passkeys (issue 17) */
};

struct staff_info_list {
	struct staff_info *v;    /* malloc'd; staff_info_list_clear() */
	size_t n;
	int truncated;           /* more than STAFF_LIST_MAX matched */
};

/* A queue with its counts. */
struct queue_stat {
	int64_t id;
	char name[33];
	int64_t members;         /* active (not disabled) staff members */
	int64_t open;            /* tickets open */
	int64_t pending;         /* tickets pending */
	int64_t unassigned;      /* open or pending tickets with no assignee */
};

struct queue_stat_list {
	struct queue_stat *v;    /* malloc'd; queue_stat_list_clear() */
	size_t n;
};

/*
 * The operations, member `super` of struct store_ops.
 *
 * staff_list: staff members by id, every one (queue_id 0) or the members
 * of queue queue_id only; at most STAFF_LIST_MAX (truncated set when more
 * exist). active_admins: *n_out gets the number of staff members with
 * role admin who are not disabled. queue_stats: every queue by id with
 * its counts.
 */
struct store_conn;

struct store_super_ops {
	int (*staff_list)(struct store_conn *c, int64_t queue_id,
			  struct staff_info_list *out);
	int (*active_admins)(struct store_conn *c, int64_t *n_out);
	int (*queue_stats)(struct store_conn *c, struct queue_stat_list *out);
};

/* Release what the operations filled (NULL-safe). */
void staff_info_list_clear(struct staff_info_list *l);
void queue_stat_list_clear(struct queue_stat_list *l);

#endif
