/*
 * The SQLite lists of tickets (sqlite/tickets_list.c), for the query-plan
 * tests; the views and the row reader they use are the store's
 * (store/sql/db.h: DB_STAFF_VIEW, DB_PORTAL_VIEW, db_ticket_push).
 * Private to src/store/sqlite/.
 *
 * Invariant: every view reads what it shows from the ticket row and the
 * rows it names (customer, queue, assignee) by primary key; nothing is
 * computed per row from the threads (last_activity and last_from are kept
 * on the row, migration 018).
 */
#ifndef GH_STORE_SQLITE_SQ_TICKETS_H
#define GH_STORE_SQLITE_SQ_TICKETS_H

#include "store/sqlite/sq.h"

/* The statements of the staff list (tickets_list.c), for the query-plan
 * tests: the number of them, and the text of statement i (NULL past the
 * end). They take the parameters sq_staff_ticket_list binds. */
#define SQ_STAFF_LIST_SHAPES 16
const char *sq_staff_list_sql(int i);
/* The portal list's statement. */
const char *sq_portal_list_sql(void);

#endif
