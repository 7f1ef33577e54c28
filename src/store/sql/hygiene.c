/*
 * The store, both backends: account hygiene (migration 016). The sessions
 * of one principal by their public ids (sessions.public_id), the login
 * history of both realms (`logins`, bounded per principal on every insert),
 * and the staff password's age and forced-change flag (columns of `staff`).
 *
 * Invariant: every session read or ended here is filtered by realm and
 * principal in SQL, so no caller can name another principal's session;
 * no statement reads or returns a token hash except session_hash_of,
 * whose caller already owns the session.
 */
#include <string.h>

#include "store/sql/db.h"
#include "util/errors.h"

static int
session_push(const struct db_row *st, void *ctx)
{
	struct session_info_list *l = ctx;
	struct session_info *v = db_append(l->v, l->n, sizeof(*v));
	struct session_info *s;

	if (v == NULL)
		return -GH_INTERNAL;
	l->v = v;
	s = &l->v[l->n++];
	memset(s, 0, sizeof(*s));
	s->id = db_i64(st, 0);
	s->created_at = db_i64(st, 1);
	s->last_seen = db_i64(st, 2);
	s->idle_secs = db_i64(st, 3);
	s->abs_expires = db_i64(st, 4);
	db_text(st, 5, s->ip, sizeof(s->ip));
	s->mfa = db_int(st, 6);
	s->current = db_int(st, 7);
	return 0;
}

int
db_hyg_session_list(struct store_conn *c, enum realm realm, int64_t id,
		    const char *current_hash, struct session_info_list *out)
{
	int rc;

	out->v = NULL;
	out->n = 0;
	rc = db_rows(c, session_push, out,
		     "SELECT public_id, created_at, last_seen, idle_secs, "
		     "abs_expires, ip, mfa, "
		     "token_hash IS NOT DISTINCT FROM CAST(?3 AS TEXT) FROM "
		     "sessions "
		     "WHERE realm = ?1 AND principal_id = ?2 "
		     "ORDER BY created_at DESC, public_id",
		     "rit", realm, id, current_hash);
	if (rc < 0)
		session_info_list_clear(out);
	return rc;
}

static int
hash_row(const struct db_row *st, void *ctx)
{
	db_text(st, 0, ctx, 65);
	return 0;
}

int
db_hyg_session_hash_of(struct store_conn *c, enum realm realm, int64_t id,
		       int64_t public_id, char hash_out[65])
{
	hash_out[0] = '\0';
	return db_row(c, hash_row, hash_out,
		      "SELECT token_hash FROM sessions WHERE realm = ?1 AND "
		      "principal_id = ?2 AND public_id = ?3",
		      "rii", realm, id, public_id);
}

int
db_hyg_session_delete_others(struct store_conn *c, enum realm realm,
			     int64_t id, const char *keep_hash, int64_t *n_out)
{
	int rc = db_exec(c,
			 "DELETE FROM sessions WHERE realm = ?1 AND "
			 "principal_id = ?2 AND "
			 "token_hash IS DISTINCT FROM CAST(?3 AS TEXT)",
			 "rit", realm, id, keep_hash);

	if (rc == 0 && n_out != NULL)
		*n_out = db_changes(c);
	return rc;
}

int
db_hyg_login_insert(struct store_conn *c, const struct login_new *l,
		    int64_t keep)
{
	int rc = db_exec(c,
			 "INSERT INTO logins (realm, principal_id, at, ip, "
			 "network, method, ok) "
			 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
			 "riitttb", l->realm, l->principal_id, l->at,
			 l->ip, l->network, l->method, l->ok);

	if (rc < 0)
		return rc;
	return db_exec(c,
		       "DELETE FROM logins WHERE realm = ?1 AND "
		       "principal_id = ?2 AND id <= (SELECT id FROM logins "
		       "WHERE realm = ?1 AND principal_id = ?2 "
		       "ORDER BY id DESC LIMIT 1 OFFSET ?3)",
		       "rii", l->realm, l->principal_id, db_offset(keep));
}

static int
login_push(const struct db_row *st, void *ctx)
{
	struct login_list *l = ctx;
	struct login_entry *v = db_append(l->v, l->n, sizeof(*v));
	struct login_entry *e;

	if (v == NULL)
		return -GH_INTERNAL;
	l->v = v;
	e = &l->v[l->n++];
	memset(e, 0, sizeof(*e));
	e->at = db_i64(st, 0);
	db_text(st, 1, e->ip, sizeof(e->ip));
	db_text(st, 2, e->network, sizeof(e->network));
	db_text(st, 3, e->method, sizeof(e->method));
	e->ok = db_int(st, 4);
	return 0;
}

int
db_hyg_login_list(struct store_conn *c, enum realm realm, int64_t id,
		  int64_t max, struct login_list *out)
{
	int rc;

	out->v = NULL;
	out->n = 0;
	/* A negative max is no limit. */
	rc = db_rows(c, login_push, out,
		     "SELECT at, ip, network, method, ok FROM logins "
		     "WHERE realm = ?1 AND principal_id = ?2 "
		     "ORDER BY id DESC LIMIT ?3",
		     "rii", realm, id, db_limit(max));
	if (rc < 0)
		login_list_clear(out);
	return rc;
}

static int
seen_row(const struct db_row *st, void *ctx)
{
	int64_t *v = ctx;

	v[0] = db_i64(st, 0);
	v[1] = db_i64(st, 1);
	return 0;
}

int
db_hyg_login_network_seen(struct store_conn *c, enum realm realm, int64_t id,
			  const char *network, int64_t *seen_out,
			  int64_t *earlier_out)
{
	int64_t v[2] = {0, 0};
	int rc = db_row(c, seen_row, v,
			"SELECT COUNT(*) FILTER (WHERE network = CAST(?3 AS "
			"TEXT)), "
			"COUNT(*) FROM logins WHERE realm = ?1 AND "
			"principal_id = ?2 AND ok = 1",
			"rit", realm, id, network);

	*seen_out = v[0];
	*earlier_out = v[1];
	return rc;
}

static int
pw_row(const struct db_row *st, void *ctx)
{
	struct staff_pw_state *s = ctx;

	s->changed_at = db_i64(st, 0);
	s->must_change = db_int(st, 1);
	db_text(st, 2, s->reason, sizeof(s->reason));
	db_text(st, 3, s->forced_by, sizeof(s->forced_by));
	s->disabled = db_int(st, 4);
	return 0;
}

int
db_hyg_staff_pw_get(struct store_conn *c, int64_t id,
		    struct staff_pw_state *out)
{
	memset(out, 0, sizeof(*out));
	return db_row(c, pw_row, out,
		      "SELECT COALESCE(pw_changed_at, created_at), "
		      "pw_must_change, pw_must_change_reason, "
		      "pw_must_change_by, disabled FROM staff WHERE id = ?1",
		      "i", id);
}

int
db_hyg_staff_pw_set(struct store_conn *c, int64_t id, const char *pw_hash,
		    int64_t now)
{
	return db_change(c, -GH_NOT_FOUND,
			 "UPDATE staff SET pw_hash = ?1, pw_changed_at = ?2, "
			 "pw_must_change = 0, pw_must_change_reason = NULL, "
			 "pw_must_change_by = NULL WHERE id = ?3",
			 "tii", pw_hash, now, id);
}

int
db_hyg_staff_pw_force(struct store_conn *c, int64_t id, const char *reason,
		      const char *forced_by)
{
	return db_change(c, -GH_NOT_FOUND,
			 "UPDATE staff SET pw_must_change = 1, "
			 "pw_must_change_reason = ?1, pw_must_change_by = ?2 "
			 "WHERE id = ?3",
			 "tti", reason, forced_by, id);
}
