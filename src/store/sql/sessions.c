/*
 * The store, both backends: the `sessions` table. A session is found by the
 * hash of its token (the token itself is never stored); reading one also
 * reads its principal's role and disabled flag (and a staff member's
 * password time and forced-change flag, for the password gate, and how
 * many usable (unflagged) passkeys the member has, for the passkey
 * gate), so a request
 * needs one query to know who is calling. Each session gets a random
 * public id (a name, not a secret) and keeps how it was opened (method:
 * password, passkey or password_enrol).
 *
 * Invariant: a session whose principal no longer exists reads as
 * disabled.
 */
#include <stdio.h>
#include <string.h>

#include "store/sql/db.h"
#include "util/errors.h"

/* The session's columns, the public id last: a random 16-digit number,
 * drawn by the dialect's random(). */
#define SESSION_INSERT(draw)                                                  \
	"(token_hash, realm, principal_id, created_at, last_seen, "          \
	"idle_secs, abs_expires, mfa, ip, method, public_id) "               \
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "                  \
	"1000000000000000 + " draw ")"

static const char *const session_insert[2] = {
	"INSERT INTO sessions "
	SESSION_INSERT("abs(random() % 8000000000000000)"),
	"INSERT INTO sessions "
	SESSION_INSERT("floor(random() * 8000000000000000)::bigint"),
};

int
db_session_insert(struct store_conn *c, const struct session_rec *s)
{
	return db_exec(c, DB_SQL(c, session_insert), "triiiiibtt",
		       s->token_hash, (int)s->realm, s->principal_id,
		       s->created_at, s->last_seen, s->idle_secs,
		       s->abs_expires, s->mfa, s->ip,
		       s->method[0] != '\0' ? s->method : "password");
}

static int
session_row(const struct db_row *st, void *ctx)
{
	struct session_rec *s = ctx;

	s->realm = db_realm(st, 0);
	s->principal_id = db_i64(st, 1);
	s->created_at = db_i64(st, 2);
	s->last_seen = db_i64(st, 3);
	s->idle_secs = db_i64(st, 4);
	s->abs_expires = db_i64(st, 5);
	s->mfa = db_int(st, 6);
	db_text(st, 7, s->ip, sizeof(s->ip));
	db_text(st, 8, s->role, sizeof(s->role));
	s->disabled = db_null(st, 9) ? 1 : db_int(st, 9);
	s->pw_changed_at = db_i64(st, 10);
	s->pw_must_change = db_int(st, 11);
	db_text(st, 12, s->method, sizeof(s->method));
	s->passkeys = db_i64(st, 13);
	return 0;
}

int
db_session_get(struct store_conn *c, const char *token_hash,
	       struct session_rec *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->token_hash, sizeof(out->token_hash), "%s", token_hash);
	return db_row(c, session_row, out,
		      "SELECT s.realm, s.principal_id, s.created_at, "
		      "s.last_seen, s.idle_secs, s.abs_expires, s.mfa, s.ip, "
		      "CASE s.realm WHEN 'staff' THEN st.role ELSE '' END, "
		      "CASE s.realm WHEN 'staff' THEN st.disabled "
		      "ELSE cu.disabled END, "
		      "CASE s.realm WHEN 'staff' THEN "
		      "COALESCE(st.pw_changed_at, st.created_at) "
		      "ELSE CAST(0 AS BIGINT) END, "
		      "CASE s.realm WHEN 'staff' THEN st.pw_must_change "
		      "ELSE 0 END, s.method, "
		      "CASE s.realm WHEN 'staff' THEN (SELECT COUNT(*) FROM "
		      "passkeys p WHERE p.realm = 'staff' AND "
		      "p.principal_id = s.principal_id AND "
		      "p.counter_flagged = 0) ELSE 0 END "
		      "FROM sessions s LEFT JOIN staff st ON s.realm = 'staff' "
		      "AND st.id = s.principal_id "
		      "LEFT JOIN customers cu ON s.realm = 'customer' "
		      "AND cu.id = s.principal_id WHERE s.token_hash = ?1",
		      "t", token_hash);
}

int
db_session_touch(struct store_conn *c, const char *token_hash, int64_t now)
{
	return db_exec(c,
		       "UPDATE sessions SET last_seen = ?1 "
		       "WHERE token_hash = ?2",
		       "it", now, token_hash);
}

int
db_session_delete(struct store_conn *c, const char *token_hash)
{
	return db_exec(c, "DELETE FROM sessions WHERE token_hash = ?1", "t",
		       token_hash);
}

int
db_session_delete_principal(struct store_conn *c, enum realm r, int64_t id,
			    int64_t *n_out)
{
	int rc = db_exec(c,
			 "DELETE FROM sessions "
			 "WHERE realm = ?1 AND principal_id = ?2",
			 "ri", (int)r, id);

	if (rc == 0 && n_out != NULL)
		*n_out = db_changes(c);
	return rc;
}
