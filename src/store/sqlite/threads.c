/*
 * SQLite store: the two threads of a ticket, stored apart. `messages` is
 * the conversation with the customer (with the inbound analysis of the
 * customer's messages: redactions, links); `notes` is internal to staff.
 * A new message moves its ticket's last_activity and last_from (see
 * tickets.c), in the same operation.
 *
 * Invariant: no statement that serves the portal (portal_messages) reads
 * the notes table or the links column, and it is always filtered by the
 * customer who owns the ticket.
 */
#include <stdlib.h>
#include <string.h>

#include "store/sqlite/sq.h"
#include "util/errors.h"

/* Columns read by thread_push: id, ticket_id, realm, author_id, author
 * name, body, created_at, and optionally redactions and links. */
#define MESSAGE_COLS(links)                                                   \
	"m.id, m.ticket_id, m.author_realm, m.author_id, "                   \
	"CASE m.author_realm WHEN 'staff' THEN COALESCE(s.name, '') "        \
	"ELSE '' END, m.body, m.created_at, m.redactions, " links " "        \
	"FROM messages m "

static int
thread_item_row(sqlite3_stmt *st, struct thread_item *it)
{
	const unsigned char *body = sqlite3_column_text(st, 5);
	int blen = sqlite3_column_bytes(st, 5);

	it->id = sqlite3_column_int64(st, 0);
	it->ticket_id = sqlite3_column_int64(st, 1);
	it->author_realm = sq_realm(st, 2);
	it->author_id = sqlite3_column_int64(st, 3);
	sq_text(st, 4, it->author_name, sizeof(it->author_name));
	it->created_at = sqlite3_column_int64(st, 6);
	it->body = malloc((size_t)blen + 1);
	if (it->body == NULL)
		return -GH_INTERNAL;
	if (blen > 0)
		memcpy(it->body, body, (size_t)blen);
	it->body[blen] = '\0';
	it->body_len = (size_t)blen;
	if (sqlite3_column_count(st) > 7 &&
	    (sq_dup(st, 7, &it->redactions) < 0 || sq_dup(st, 8, &it->links) < 0))
		return -GH_INTERNAL;
	if (sqlite3_column_count(st) > 9)
		it->reported = sqlite3_column_int(st, 9);
	return 0;
}

/* Appends the row to the thread_list ctx; an item is counted before it is
 * filled, so thread_list_clear() frees what a failed row allocated. */
static int
thread_push(sqlite3_stmt *st, void *ctx)
{
	struct thread_list *l = ctx;
	struct thread_item *v = sq_append(l->v, l->n, sizeof(*v));

	if (v == NULL)
		return -GH_INTERNAL;
	l->v = v;
	return thread_item_row(st, &l->v[l->n++]);
}

int
sq_message_insert(struct store_conn *c, int64_t ticket_id,
		  enum realm author_realm, int64_t author_id, const char *body,
		  int64_t now, int64_t *id_out)
{
	int rc;

	rc = sq_insert(c, id_out,
		       "INSERT INTO messages (ticket_id, author_realm, "
		       "author_id, body, created_at) VALUES (?, ?, ?, ?, ?)",
		       "iriti", ticket_id, (int)author_realm, author_id, body,
		       now);
	if (rc == 0) /* its search index (migration 021), right after */
		rc = sq_search_index(c, SEARCH_DOC_MESSAGE, body);
	if (rc < 0)
		return rc;
	return sq_change(c, -GH_NOT_FOUND,
			 "UPDATE tickets SET last_activity = ?, last_from = ? "
			 "WHERE id = ?",
			 "iri", now, (int)author_realm, ticket_id);
}

int
sq_note_insert(struct store_conn *c, int64_t ticket_id, int64_t staff_id,
	       const char *body, int64_t now, int64_t *id_out)
{
	int rc = sq_insert(c, id_out,
			   "INSERT INTO notes (ticket_id, staff_id, body, "
			   "created_at) VALUES (?, ?, ?, ?)",
			   "iiti", ticket_id, staff_id, body, now);

	/* Its search index (migration 021), right after. */
	return rc < 0 ? rc : sq_search_index(c, SEARCH_DOC_NOTE, body);
}

int
sq_message_set_analysis(struct store_conn *c, int64_t message_id,
			const char *redactions, const char *links)
{
	return sq_change(c, -GH_NOT_FOUND,
			 "UPDATE messages SET redactions = ?, links = ? "
			 "WHERE id = ?",
			 "tti", redactions, links, message_id);
}

/* Public listener: no links, no notes, always filtered by the customer. */
int
sq_portal_messages(struct store_conn *c, int64_t customer_id,
		   int64_t ticket_id, struct thread_list *out)
{
	int rc;

	*out = (struct thread_list){NULL, 0};
	rc = sq_rows(c, thread_push, out,
		     "SELECT " MESSAGE_COLS("NULL")
		     "JOIN tickets t ON t.id = m.ticket_id "
		     "LEFT JOIN staff s ON m.author_realm = 'staff' "
		     "AND s.id = m.author_id "
		     "WHERE m.ticket_id = ? AND t.customer_id = ? "
		     "AND t.drill_id IS NULL ORDER BY m.id",
		     "ii", ticket_id, customer_id);
	if (rc < 0)
		thread_list_clear(out);
	return rc;
}

int
sq_staff_messages(struct store_conn *c, int64_t ticket_id,
		  struct thread_list *out)
{
	int rc;

	*out = (struct thread_list){NULL, 0};
	rc = sq_rows(c, thread_push, out,
		     "SELECT " MESSAGE_COLS("m.links, "
					    "m.phish_reported_at IS NOT NULL")
		     "LEFT JOIN staff s ON m.author_realm = 'staff' "
		     "AND s.id = m.author_id "
		     "WHERE m.ticket_id = ? ORDER BY m.id",
		     "i", ticket_id);
	if (rc < 0)
		thread_list_clear(out);
	return rc;
}

int
sq_staff_notes(struct store_conn *c, int64_t ticket_id,
	       struct thread_list *out)
{
	int rc;

	*out = (struct thread_list){NULL, 0};
	rc = sq_rows(c, thread_push, out,
		     "SELECT n.id, n.ticket_id, 'staff', n.staff_id, "
		     "COALESCE(s.name, ''), n.body, n.created_at "
		     "FROM notes n LEFT JOIN staff s ON s.id = n.staff_id "
		     "WHERE n.ticket_id = ? ORDER BY n.id",
		     "i", ticket_id);
	if (rc < 0)
		thread_list_clear(out);
	return rc;
}
