/*
 * The PostgreSQL backend's operations table (store/store.h's struct
 * store_ops): the operations both backends share (DB_OPS,
 * store/sql/db_ops.h) and those of src/store/pg/ alone. An operation
 * missing stays NULL: pg_open refuses while any is, and says how many.
 */
#include "store/pg/pg.h"
#include "store/sql/db_ops.h"

const struct store_ops pg_ops = {
	.name = "postgresql",
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	/* the operations of src/store/sql/ */
	DB_OPS
	/* search.c: full-text search */
	.search.tickets = pg_search_tickets,
	.search.count = pg_search_count,
};
