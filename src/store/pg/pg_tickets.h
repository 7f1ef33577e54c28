/*
 * What the two files of the `tickets` table share on PostgreSQL (pg/
 * tickets.c: one ticket, its changes; pg/tickets_list.c: the lists), the
 * twin of store/sqlite/sq_tickets.h: the columns of each view and the row
 * reader. Private to src/store/pg/.
 *
 * Invariant: every view reads what it shows from the ticket row and the
 * rows it names (customer, queue, assignee) by primary key; nothing is
 * computed per row from the threads (last_activity and last_from are kept
 * on the row, migration 018).
 */
#ifndef GH_STORE_PG_PG_TICKETS_H
#define GH_STORE_PG_PG_TICKETS_H

#include "store/pg/pg.h"

/* The portal's columns for pg_ticket_row and their table: no names, the
 * customer's own updated_at (last_activity). */
#define PG_PORTAL_VIEW                                                        \
	"t.id, t.customer_id, '', t.subject, t.status, "                     \
	"COALESCE(t.assignee_id, 0), '', t.created_at, "                     \
	"t.last_activity, t.last_from, t.queue_id, '', 0, '', '', 0, 0 "    \
	"FROM tickets t "

/* The staff's columns for pg_ticket_row and their tables; updated_at is
 * column 9 (counting from 1), id column 1. */
#define PG_STAFF_VIEW                                                         \
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
int pg_ticket_row(const struct pg_row *r, void *ctx);
/* A row callback appending a row of either view to the struct
 * ticket_list ctx points to. */
int pg_ticket_push(const struct pg_row *r, void *ctx);

#endif
