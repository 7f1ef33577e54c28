/*
 * What the two files of the `tickets` table share (sqlite/tickets.c: one
 * ticket, its changes; sqlite/tickets_list.c: the lists): the columns of
 * each view and the row reader. Private to src/store/sqlite/.
 *
 * Invariant: every view reads what it shows from the ticket row and the
 * rows it names (customer, queue, assignee) by primary key; nothing is
 * computed per row from the threads (last_activity and last_from are kept
 * on the row, migration 018).
 */
#ifndef GH_STORE_SQLITE_SQ_TICKETS_H
#define GH_STORE_SQLITE_SQ_TICKETS_H

#include "store/sqlite/sq.h"

/* The portal's columns for sq_ticket_row and their table: no names, the
 * customer's own updated_at (last_activity). */
#define PORTAL_VIEW                                                           \
	"t.id, t.customer_id, '', t.subject, t.status, "                     \
	"COALESCE(t.assignee_id, 0), '', t.created_at, "                     \
	"t.last_activity, t.last_from, t.queue_id, '', 0, '', '', 0, 0 "    \
	"FROM tickets t "

/* The staff's columns for sq_ticket_row and their tables; updated_at is
 * column 9 (counting from 1), id column 1. */
#define STAFF_VIEW                                                            \
	"t.id, t.customer_id, cu.name, t.subject, t.status, "                \
	"COALESCE(t.assignee_id, 0), COALESCE(s.name, ''), t.created_at, "   \
	"t.updated_at, t.last_from, t.queue_id, qu.name, "                   \
	"COALESCE(t.drill_id, 0), t.priority, t.tags, "                      \
	"COALESCE(t.due_at, 0), t.breached "                                 \
	"FROM tickets t JOIN customers cu ON cu.id = t.customer_id "         \
	"JOIN queues qu ON qu.id = t.queue_id "                              \
	"LEFT JOIN staff s ON s.id = t.assignee_id "

/* A row callback reading a row of either view into the struct
 * ticket_rec ctx points to. */
int sq_ticket_row(sqlite3_stmt *st, void *ctx);
/* A row callback appending a row of either view to the struct
 * ticket_list ctx points to. */
int sq_ticket_push(sqlite3_stmt *st, void *ctx);

/* The statements of the staff list (tickets_list.c), for the query-plan
 * tests: the number of them, and the text of statement i (NULL past the
 * end). They take the parameters sq_staff_ticket_list binds. */
#define SQ_STAFF_LIST_SHAPES 16
const char *sq_staff_list_sql(int i);
/* The portal list's statement. */
const char *sq_portal_list_sql(void);

#endif
