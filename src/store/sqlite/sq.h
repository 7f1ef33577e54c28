/*
 * Private header of the SQLite backend (src/store/sqlite/); only the files
 * of that directory include it. It holds the connection, its side of the
 * query layer every operation goes through (query.c: store/sql/db.h's
 * db_exec, db_row, ... and column readers run on it), and the operations
 * each file of the directory defines (their
 * contracts are in store/store.h; conn.c puts them in the ops table).
 *
 * The query layer makes a query one statement: the SQL text (a string literal
 * or a static array: its address keys the statement cache), the types of
 * its parameters as a string, one letter per parameter in order, then the
 * values:
 *
 *	i  int64_t
 *	I  int64_t, bound as NULL when 0 or less (an optional reference)
 *	b  int, bound as 0 or 1
 *	t  const char *, NULL binds NULL
 *	r  enum realm, bound as its name ("staff", "customer")
 *	B  const struct blob *, an empty one binds NULL
 *	x  const void *, size_t: bytes of a fixed size (hashes, signatures)
 *
 * for example
 *
 *	db_change(c, -GH_NOT_FOUND,
 *		  "UPDATE customers SET phrase = ? WHERE id = ?", "Bi",
 *		  phrase, customer_id);
 *
 * Integers are passed as int64_t: cast a constant ((int64_t)1). The number
 * of letters must match the statement's parameters (?N counts once), or
 * the call fails as a bug. Parameters are always bound, never formatted
 * into the text.
 *
 * Results: 0, -GH_NOT_FOUND when a one-row read finds none, the value a
 * caller names for "no row changed", -GH_UNAVAILABLE for SQLITE_BUSY and
 * SQLITE_LOCKED (store_transact retries), -GH_EXISTS for a constraint,
 * -GH_INTERNAL for anything else (logged with the statement's start, never
 * its values).
 */
#ifndef GH_STORE_SQLITE_SQ_H
#define GH_STORE_SQLITE_SQ_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "store/sql/db.h"
#include "store/store.h"

/* More than the number of distinct statements of this directory;
 * tests/unit/test_store.c counts them and asserts it. So that they can be
 * counted, the text of every statement starts with a string literal that
 * starts with its SQL verb ("SELECT " COLS ...): macros hold fragments
 * only, never a statement's start. 512 since issue 15 (each part adds
 * its own statements). */
#define SQ_STMT_CACHE 512

struct sq_conn {
	struct store_conn base;
	sqlite3 *db;
	struct {
		const char *sql;
		sqlite3_stmt *st;
	} cache[SQ_STMT_CACHE];
	unsigned n_cache;
	/* Shared reads (store_backend.shared_reads): wanted, whether the
	 * read transaction that holds them is open, and its BEGIN and
	 * COMMIT prepared once (parsing them took a tenth of a view). */
	int snap_wanted;
	int snap_open;
	sqlite3_stmt *snap_begin;
	sqlite3_stmt *snap_commit;
};

/* Before statement st runs outside a transaction: a read opens the
 * shared read transaction when wanted, a write ends it. */
void sq_snapshot_before(struct sq_conn *q, sqlite3_stmt *st);
/* Ends the shared read transaction if open. */
void sq_snapshot_end(struct sq_conn *q);

static inline struct sq_conn *
sq_conn_of(struct store_conn *c)
{
	return (struct sq_conn *)c;
}

/* --- conn.c: statements and errors ------------------------------------ */

/* The cached statement for sql, reset with no bindings; NULL (logged)
 * when it does not prepare. */
sqlite3_stmt *sq_stmt(struct sq_conn *q, const char *sql);
/* Maps a SQLite result code as the header comment says; where names the
 * statement in the log. */
int sq_err(struct sq_conn *q, int rc, const char *where);
/* Runs SQL text without parameters (one or more statements). */
int sq_script(struct sq_conn *q, const char *sql);

/* --- the operations, by file ------------------------------------------ */
/* Only what is SQLite's own: every other family is written once for both
 * backends in src/store/sql/ (store/sql/db.h). */

/* tickets_list.c */

/* search.c: full-text search (issue 15, SEARCH; its saved views are
 * store/sql/views.c) */
/* Registers search's FTS5 ranking function (gh_rank) on db; at open. */
int sq_search_register(sqlite3 *db);
int sq_search_tickets(struct store_conn *c, const struct search_query *q,
		      struct search_result *out);
int sq_search_count(struct store_conn *c, const struct search_query *q,
		    int64_t *n_out);
/* Indexes text as the document doc of the row the connection inserted
 * last (called right after that INSERT, in the same transaction). */
int sq_search_index(struct store_conn *c, enum search_doc doc,
		    const char *text);

#endif
