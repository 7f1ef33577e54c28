/*
 * The SQLite bodies of the supervisor's console's operations
 * (sqlite/super.c), for the ops table in conn.c; contracts in
 * store/store_super.h. Private to src/store/sqlite/.
 */
#ifndef GH_STORE_SQLITE_SQ_SUPER_H
#define GH_STORE_SQLITE_SQ_SUPER_H

#include "store/store.h"

int sq_super_staff_list(struct store_conn *c, int64_t queue_id,
			struct staff_info_list *out);
int sq_super_active_admins(struct store_conn *c, int64_t *n_out);
int sq_super_queue_stats(struct store_conn *c, struct queue_stat_list *out);

#endif
