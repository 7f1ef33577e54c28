/*
 * SQLite store: the `sessions` table. A session is found by the hash of
 * its token (the token itself is never stored); reading one also reads
 * its principal's role and disabled flag (and a staff member's password
 * time and forced-change flag, for the password gate), so a request
 * needs one query to know who is calling and whether they may go on. Timeouts are core's (core/session.c). Each
 * session also gets a random public id (migration 016) by which its owner
 * lists and ends it (store/sqlite/hygiene.c); the id is a name, not a
 * secret, and grants nothing.
 *
 * Invariant: a session whose principal no longer exists reads as
 * disabled.
 */
#include <stdio.h>
#include <string.h>

#include "store/sqlite/sq.h"
#include "util/errors.h"

int
sq_session_insert(struct store_conn *c, const struct session_rec *s)
{
	return sq_exec(c,
		       "INSERT INTO sessions (token_hash, realm, "
		       "principal_id, created_at, last_seen, idle_secs, "
		       "abs_expires, mfa, ip, public_id) "
		       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1000000000000000 "
		       "+ abs(random() % 8000000000000000))",
		       "triiiiibt", s->token_hash, (int)s->realm,
		       s->principal_id, s->created_at, s->last_seen,
		       s->idle_secs, s->abs_expires, s->mfa, s->ip);
}

static int
session_row(sqlite3_stmt *st, void *ctx)
{
	struct session_rec *s = ctx;

	s->realm = sq_realm(st, 0);
	s->principal_id = sqlite3_column_int64(st, 1);
	s->created_at = sqlite3_column_int64(st, 2);
	s->last_seen = sqlite3_column_int64(st, 3);
	s->idle_secs = sqlite3_column_int64(st, 4);
	s->abs_expires = sqlite3_column_int64(st, 5);
	s->mfa = sqlite3_column_int(st, 6);
	sq_text(st, 7, s->ip, sizeof(s->ip));
	sq_text(st, 8, s->role, sizeof(s->role));
	s->disabled = sqlite3_column_type(st, 9) == SQLITE_NULL
			      ? 1
			      : sqlite3_column_int(st, 9);
	s->pw_changed_at = sqlite3_column_int64(st, 10);
	s->pw_must_change = sqlite3_column_int(st, 11);
	return 0;
}

int
sq_session_get(struct store_conn *c, const char *token_hash,
	       struct session_rec *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->token_hash, sizeof(out->token_hash), "%s", token_hash);
	return sq_row(c, session_row, out,
		      "SELECT s.realm, s.principal_id, s.created_at, "
		      "s.last_seen, s.idle_secs, s.abs_expires, s.mfa, s.ip, "
		      "CASE s.realm WHEN 'staff' THEN st.role ELSE '' END, "
		      "CASE s.realm WHEN 'staff' THEN st.disabled "
		      "ELSE cu.disabled END, "
		      "CASE s.realm WHEN 'staff' THEN "
		      "COALESCE(st.pw_changed_at, st.created_at) ELSE 0 END, "
		      "CASE s.realm WHEN 'staff' THEN st.pw_must_change "
		      "ELSE 0 END "
		      "FROM sessions s LEFT JOIN staff st ON s.realm = 'staff' "
		      "AND st.id = s.principal_id "
		      "LEFT JOIN customers cu ON s.realm = 'customer' "
		      "AND cu.id = s.principal_id WHERE s.token_hash = ?",
		      "t", token_hash);
}

int
sq_session_touch(struct store_conn *c, const char *token_hash, int64_t now)
{
	return sq_exec(c,
		       "UPDATE sessions SET last_seen = ? WHERE token_hash = ?",
		       "it", now, token_hash);
}

int
sq_session_delete(struct store_conn *c, const char *token_hash)
{
	return sq_exec(c, "DELETE FROM sessions WHERE token_hash = ?", "t",
		       token_hash);
}

int
sq_session_delete_principal(struct store_conn *c, enum realm r, int64_t id,
			    int64_t *n_out)
{
	int rc = sq_exec(c,
			 "DELETE FROM sessions "
			 "WHERE realm = ? AND principal_id = ?",
			 "ri", (int)r, id);

	if (rc == 0 && n_out != NULL)
		*n_out = sq_changes(c);
	return rc;
}
