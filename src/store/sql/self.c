/*
 * The store, both backends: customer self-service (migration 026, issue 15
 * part SELF): recovery codes, the pending authenticator of a recovery
 * login, and the tokens of links sent by mail. Contracts in
 * store/store_self.h.
 *
 * Invariant: a code or a token is used by one UPDATE that also checks it
 * is still unused (and, for a token, unexpired), so two requests racing
 * with the same code or link cannot both succeed.
 */
#include <string.h>

#include "store/sql/db.h"
#include "util/errors.h"

int
db_self_codes_replace(struct store_conn *c, int64_t customer_id,
		      const struct recovery_code_rec *v, size_t n, int64_t now)
{
	int rc = db_exec(c, "DELETE FROM recovery_codes WHERE customer_id = ?1",
			 "i", customer_id);

	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = db_exec(c,
			     "INSERT INTO recovery_codes (customer_id, salt, "
			     "hash, created_at) VALUES (?1, ?2, ?3, ?4)",
			     "itti", customer_id, v[i].salt, v[i].hash, now);
	return rc;
}

static int
code_row(const struct db_row *st, void *ctx)
{
	struct recovery_code_list *l = ctx;
	struct recovery_code_rec *v = db_append(l->v, l->n, sizeof(*v));

	if (v == NULL)
		return -GH_INTERNAL;
	l->v = v;
	v[l->n].id = db_i64(st, 0);
	db_text(st, 1, v[l->n].salt, sizeof(v[l->n].salt));
	db_text(st, 2, v[l->n].hash, sizeof(v[l->n].hash));
	l->n++;
	return 0;
}

int
db_self_codes_live(struct store_conn *c, int64_t customer_id,
		   struct recovery_code_list *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = db_rows(c, code_row, out,
		     "SELECT id, salt, hash FROM recovery_codes "
		     "WHERE customer_id = ?1 AND used_at IS NULL ORDER BY id",
		     "i", customer_id);
	if (rc < 0)
		recovery_code_list_clear(out);
	return rc;
}

int
db_self_code_use(struct store_conn *c, int64_t customer_id, int64_t id,
		 int64_t now)
{
	return db_change(c, -GH_CONFLICT,
			 "UPDATE recovery_codes SET used_at = ?1 WHERE id = ?2 "
			 "AND customer_id = ?3 AND used_at IS NULL",
			 "iii", now, id, customer_id);
}

int
db_self_codes_count(struct store_conn *c, int64_t customer_id,
		    int64_t *n_out)
{
	*n_out = 0;
	return db_row(c, db_int64, n_out,
		      "SELECT COUNT(*) FROM recovery_codes "
		      "WHERE customer_id = ?1 AND used_at IS NULL",
		      "i", customer_id);
}

/* An upsert: the row is updated in place. */
int
db_self_reenrol_put(struct store_conn *c, const struct reenrol_rec *r)
{
	return db_exec(c,
		       "INSERT INTO recovery_enrolments "
		       "(customer_id, token_hash, started, created_at) "
		       "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (customer_id) "
		       "DO UPDATE SET token_hash = excluded.token_hash, "
		       "started = excluded.started, "
		       "created_at = excluded.created_at",
		       "itbi", r->customer_id, r->token_hash, r->started,
		       r->created_at);
}

static int
reenrol_row(const struct db_row *st, void *ctx)
{
	struct reenrol_rec *r = ctx;

	r->customer_id = db_i64(st, 0);
	db_text(st, 1, r->token_hash, sizeof(r->token_hash));
	r->started = db_int(st, 2);
	r->created_at = db_i64(st, 3);
	return 0;
}

int
db_self_reenrol_get(struct store_conn *c, int64_t customer_id,
		    struct reenrol_rec *out)
{
	memset(out, 0, sizeof(*out));
	return db_row(c, reenrol_row, out,
		      "SELECT customer_id, token_hash, started, created_at "
		      "FROM recovery_enrolments WHERE customer_id = ?1",
		      "i", customer_id);
}

int
db_self_reenrol_delete(struct store_conn *c, int64_t customer_id)
{
	return db_exec(c,
		       "DELETE FROM recovery_enrolments WHERE customer_id = ?1",
		       "i", customer_id);
}

int
db_self_token_insert(struct store_conn *c, const struct portal_token_new *t)
{
	return db_exec(c,
		       "INSERT INTO portal_tokens (hash, kind, customer_id, "
		       "email_idx, created_at, expires_at) "
		       "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
		       "ttItii", t->hash, t->kind, t->customer_id,
		       t->email_idx, t->now, t->expires_at);
}

static int
token_row(const struct db_row *st, void *ctx)
{
	struct portal_token_rec *t = ctx;

	db_text(st, 0, t->kind, sizeof(t->kind));
	t->customer_id = db_i64(st, 1);
	db_text(st, 2, t->email_idx, sizeof(t->email_idx));
	t->created_at = db_i64(st, 3);
	t->expires_at = db_i64(st, 4);
	return 0;
}

int
db_self_token_get(struct store_conn *c, const char *hash, const char *kind,
		  int64_t now, struct portal_token_rec *out)
{
	memset(out, 0, sizeof(*out));
	return db_row(c, token_row, out,
		      "SELECT kind, customer_id, email_idx, created_at, "
		      "expires_at FROM portal_tokens WHERE hash = ?1 AND "
		      "kind = ?2 AND used_at IS NULL AND expires_at > ?3",
		      "tti", hash, kind, now);
}

int
db_self_token_use(struct store_conn *c, const char *hash, int64_t now)
{
	return db_change(c, -GH_CONFLICT,
			 "UPDATE portal_tokens SET used_at = ?1 WHERE "
			 "hash = ?2 AND used_at IS NULL AND expires_at > ?1",
			 "it", now, hash);
}

int
db_self_tokens_since(struct store_conn *c, const char *kind,
		     int64_t customer_id, const char *email_idx,
		     int64_t since, int64_t *n_out)
{
	*n_out = 0;
	if (customer_id > 0)
		return db_row(c, db_int64, n_out,
			      "SELECT COUNT(*) FROM portal_tokens WHERE "
			      "customer_id = ?1 AND kind = ?2 AND "
			      "created_at > ?3",
			      "iti", customer_id, kind, since);
	return db_row(c, db_int64, n_out,
		      "SELECT COUNT(*) FROM portal_tokens WHERE "
		      "email_idx = ?1 AND kind = ?2 AND created_at > ?3",
		      "tti", email_idx, kind, since);
}
