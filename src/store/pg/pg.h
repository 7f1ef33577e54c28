/*
 * Private header of the PostgreSQL backend (src/store/pg/); only the files
 * of that directory include it. The twin of store/sqlite/sq.h: the
 * connection, its side of the query layer every operation goes through
 * (query.c: store/sql/db.h's db_exec, db_row, ... and column readers run
 * on it), and the operations each file of the
 * directory defines (their contracts are in store/store.h and its
 * store_*.h sub-headers; conn.c puts them in the ops table).
 *
 * A query is one statement: the SQL text (a string literal or a static
 * array: its address keys the per-connection cache of prepared
 * statements, each prepared once per connection with PQprepare), the
 * types of its parameters as a string, one letter per parameter in
 * order ($1, $2, ...), then the values, exactly as sq.h:
 *
 *	i  int64_t                      (sent as text, the column's type
 *	I  int64_t, NULL when 0 or less  is inferred by the server)
 *	b  int, sent as 1/0 (a bigint or a boolean column reads it)
 *	t  const char *, NULL sends NULL
 *	r  enum realm, sent as its name ("staff", "customer")
 *	B  const struct blob *, an empty one sends NULL (bytea, binary)
 *	x  const void *, size_t: bytes of a fixed size (bytea, binary)
 *
 * The number of letters must equal the highest $N of the statement, or
 * the call fails as a bug (checked before sending). Parameters are always
 * sent apart from the text (PQexecPrepared), never formatted into it.
 * Results are asked for in binary format, so the readers below decode
 * int2/int4/int8/bool/float8/text/bytea exactly; a reader asked for a
 * column of another type logs a bug and reads 0 / "".
 *
 * Results: 0; -GH_NOT_FOUND when a one-row read finds none; the value a
 * caller names for "no row changed"; -GH_UNAVAILABLE for serialization
 * failures and deadlocks (SQLSTATE 40001, 40P01), lock timeouts (55P03)
 * and a lost connection (store_transact retries; a lost connection is
 * reset before the retry); -GH_EXISTS for a unique or check violation
 * (23505, 23514, 23503 as sq.h maps SQLite's constraints); -GH_INTERNAL
 * for anything else, logged with the statement's start and the SQLSTATE,
 * never its values and never the connection string's password.
 *
 * A statement whose text starts with "SELECT " is a read: with shared
 * reads on it runs in the request's read-only snapshot, and after a lost
 * connection outside a transaction it is sent again once. Every other
 * statement (INSERT, UPDATE, DELETE, WITH ...) is a write: it ends the
 * snapshot first and is never resent. So a statement that writes never
 * starts with SELECT.
 *
 * Transactions: begin is BEGIN ISOLATION LEVEL SERIALIZABLE, so every
 * check-then-write the core does inside store_transact holds across
 * nodes as it does under SQLite's single writer; a conflict is 40001,
 * retried by store_transact. Reads outside a transaction run in
 * autocommit (shared_reads: one REPEATABLE READ READ ONLY transaction
 * while on).
 */
#ifndef GH_STORE_PG_PG_H
#define GH_STORE_PG_PG_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "store/sql/db.h"
#include "store/store.h"

/* More than the number of distinct statements of this directory. */
#define PG_STMT_CACHE 512

struct pg_conn {
	struct store_conn base;
	PGconn *db;
	struct {
		const char *sql;  /* the key: the text's address */
		char name[16];    /* "s<N>" as prepared on this connection */
	} cache[PG_STMT_CACHE];
	unsigned n_cache;
	int in_tx;        /* inside BEGIN ... COMMIT/ROLLBACK */
	int tx_lost;      /* the session of the open transaction was lost:
			   * every statement and the COMMIT fail until the
			   * rollback (none may run on the new session) */
	int snap_wanted;  /* shared_reads on */
	int snap_open;    /* its read transaction open */
	int64_t changes;  /* rows the last statement changed (PQcmdTuples) */
	int was_reset;    /* the connection was lost and reset since asked */
};

static inline struct pg_conn *
pg_conn_of(struct store_conn *c)
{
	return (struct pg_conn *)c;
}

/* --- conn.c ------------------------------------------------------------ */

/* Transactions (the ops table's begin, commit, rollback). */
int pg_begin(struct store_conn *c);
int pg_commit(struct store_conn *c);
int pg_rollback(struct store_conn *c);
/* A transaction without pg_begin's write lock, for a database that has
 * no schema yet (store copy migrates an empty one in its transaction). */
int pg_begin_empty(struct store_conn *c);

/* ops.c: the operations table. */
extern const struct store_ops pg_ops;

/* Maps a failed result (or a NULL one: the connection) as said above;
 * where names the statement in the log. Clears nothing. */
int pg_err(struct pg_conn *q, const PGresult *res, const char *where);
/* Runs SQL text without parameters (one or more statements; migrations). */
int pg_script(struct pg_conn *q, const char *sql);
/* Runs sql (prepared once on q) with libpq's parameter arrays, results in
 * binary; 0 with *out a successful result (the caller clears it) or
 * pg_err's value. Opens or ends the shared read transaction first. */
int pg_run(struct pg_conn *q, const char *sql, int n,
	   const char *const *values, const int *lengths, const int *formats,
	   PGresult **out);
/* How a statement's text is given to PostgreSQL: as written ($N), or
 * written for the query layer (store/sql/db.h: ? or ?N) and rewritten to
 * $N, with " RETURNING id" appended for db_insert. */
enum pg_text_form { PG_TEXT_AS_IS, PG_TEXT_QMARKS, PG_TEXT_INSERT };
/* pg_run for a text in the given form. */
int pg_run_as(struct pg_conn *q, const char *sql, int form, int n,
	      const char *const *values, const int *lengths,
	      const int *formats, PGresult **out);
/* query.c: sql's ? and ?N made $N (outside quotes), " RETURNING id"
 * appended when returning; malloc'd, NULL when out of memory. */
char *pg_dollar(const char *sql, int returning);
/* 1 once after the connection was found lost and reset since the last
 * call (whatever the failed statement did is unknown). */
int pg_was_reset(struct pg_conn *q);
/* How many operations of ops (and of its sub-tables) are NULL. */
int pg_ops_missing(const struct store_ops *ops);

/* --- the operations, by file (names: pg_ + the sq_ name's rest) -------- */
/* Only what is PostgreSQL's own: every other family is written once for
 * both backends in src/store/sql/ (store/sql/db.h). */

/* tickets_list.c */

/* search.c */
int pg_search_tickets(struct store_conn *c, const struct search_query *q,
		      struct search_result *out);
int pg_search_count(struct store_conn *c, const struct search_query *q,
		    int64_t *n_out);

#endif
