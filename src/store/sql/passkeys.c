/*
 * The store, both backends: passkeys (migration 030, issue 17): the
 * credentials, the accounts' user handles and the challenges' keyed
 * hashes. Contracts in store/store_passkeys.h.
 *
 * Invariant: every statement that names a passkey by its id also names
 * the account (realm, principal_id), except by_cred, used and flag, whose
 * callers have just found the credential by its own id. A challenge is
 * taken by a DELETE that must remove its row, so two requests racing
 * with the same challenge cannot both have it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sql/db.h"
#include "util/errors.h"

/* The columns passkey_row reads, in its order. */
#define PK_COLS                                                              \
	"id, realm, principal_id, cred_id, public_key, alg, sign_count, "   \
	"name, fmt, att_type, aaguid, transports, uv, backup_eligible, "    \
	"backup_state, counter_flagged, created_at, "                       \
	"COALESCE(last_used_at, 0) "

static int
handle_row(const struct db_row *st, void *ctx)
{
	db_bytes(st, 0, ctx, PASSKEY_HANDLE_LEN);
	return 0;
}

static int
pk_handle_read(struct store_conn *c, enum realm r, int64_t pid,
	       unsigned char out[PASSKEY_HANDLE_LEN])
{
	memset(out, 0, PASSKEY_HANDLE_LEN);
	return db_row(c, handle_row, out,
		      "SELECT handle FROM passkey_users WHERE realm = ?1 AND "
		      "principal_id = ?2",
		      "ri", (int)r, pid);
}

static int
pk_handle_put(struct store_conn *c, enum realm r, int64_t pid,
	      const unsigned char h[PASSKEY_HANDLE_LEN], int64_t now)
{
	return db_exec(c,
		       "INSERT INTO passkey_users (realm, principal_id, handle, "
		       "created_at) VALUES (?1, ?2, ?3, ?4)",
		       "rixi", (int)r, pid, (const void *)h,
		       (size_t)PASSKEY_HANDLE_LEN, now);
}

static int
pk_handle_owner(struct store_conn *c, enum realm r,
		const unsigned char h[PASSKEY_HANDLE_LEN], int64_t *pid_out)
{
	*pid_out = 0;
	return db_row(c, db_int64, pid_out,
		      "SELECT principal_id FROM passkey_users "
		      "WHERE realm = ?1 AND handle = ?2",
		      "rx", (int)r, (const void *)h,
		      (size_t)PASSKEY_HANDLE_LEN);
}

static int
pk_insert(struct store_conn *c, const struct passkey_rec *p, int64_t *id_out)
{
	return db_insert(c, id_out,
			 "INSERT INTO passkeys (realm, principal_id, cred_id, "
			 "public_key, alg, sign_count, name, fmt, att_type, "
			 "aaguid, transports, uv, backup_eligible, "
			 "backup_state, created_at) VALUES (?1, ?2, ?3, ?4, "
			 "?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
			 "rixxiitttttbbbi", (int)p->realm, p->principal_id,
			 (const void *)p->cred_id, p->cred_id_len,
			 (const void *)p->public_key, p->public_key_len,
			 (int64_t)p->alg, p->sign_count, p->name, p->fmt,
			 p->att_type, p->aaguid, p->transports, p->uv,
			 p->backup_eligible, p->backup_state, p->created_at);
}

/* Copies a BLOB column of at most max bytes into out; a longer one (which
 * the table's checks do not allow) reads as empty. */
static int
blob_into(const struct db_row *st, int i, unsigned char *out, size_t max,
	  size_t *len_out)
{
	struct blob b = {0};

	*len_out = 0;
	if (db_blob(st, i, &b) < 0)
		return -GH_INTERNAL;
	if (b.data != NULL && b.len <= max) {
		memcpy(out, b.data, b.len);
		*len_out = b.len;
	}
	free(b.data);
	return 0;
}

static int
passkey_row(const struct db_row *st, void *ctx)
{
	struct passkey_rec *p = ctx;

	p->id = db_i64(st, 0);
	p->realm = db_realm(st, 1);
	p->principal_id = db_i64(st, 2);
	if (blob_into(st, 3, p->cred_id, sizeof(p->cred_id),
		      &p->cred_id_len) < 0 ||
	    blob_into(st, 4, p->public_key, sizeof(p->public_key),
		      &p->public_key_len) < 0)
		return -GH_INTERNAL;
	p->alg = db_int(st, 5);
	p->sign_count = db_i64(st, 6);
	db_text(st, 7, p->name, sizeof(p->name));
	db_text(st, 8, p->fmt, sizeof(p->fmt));
	db_text(st, 9, p->att_type, sizeof(p->att_type));
	db_text(st, 10, p->aaguid, sizeof(p->aaguid));
	db_text(st, 11, p->transports, sizeof(p->transports));
	p->uv = db_int(st, 12);
	p->backup_eligible = db_int(st, 13);
	p->backup_state = db_int(st, 14);
	p->counter_flagged = db_int(st, 15);
	p->created_at = db_i64(st, 16);
	p->last_used_at = db_i64(st, 17);
	return 0;
}

static int
pk_by_cred(struct store_conn *c, const unsigned char *cred_id, size_t len,
	   struct passkey_rec *out)
{
	memset(out, 0, sizeof(*out));
	return db_row(c, passkey_row, out,
		      "SELECT " PK_COLS "FROM passkeys WHERE cred_id = ?1", "x",
		      (const void *)cred_id, len);
}

static int
pk_get(struct store_conn *c, enum realm r, int64_t pid, int64_t id,
       struct passkey_rec *out)
{
	memset(out, 0, sizeof(*out));
	return db_row(c, passkey_row, out,
		      "SELECT " PK_COLS "FROM passkeys WHERE id = ?1 AND "
		      "realm = ?2 AND principal_id = ?3",
		      "iri", id, (int)r, pid);
}

static int
passkey_push(const struct db_row *st, void *ctx)
{
	struct passkey_list *l = ctx;
	struct passkey_rec *v = db_append(l->v, l->n, sizeof(*v));

	if (v == NULL)
		return -GH_INTERNAL;
	l->v = v;
	if (passkey_row(st, &v[l->n]) < 0)
		return -GH_INTERNAL;
	l->n++;
	return 0;
}

static int
pk_list(struct store_conn *c, enum realm r, int64_t pid,
	struct passkey_list *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = db_rows(c, passkey_push, out,
		     "SELECT " PK_COLS "FROM passkeys WHERE realm = ?1 AND "
		     "principal_id = ?2 ORDER BY id",
		     "ri", (int)r, pid);
	if (rc < 0)
		passkey_list_clear(out);
	return rc;
}

static int
pk_count(struct store_conn *c, enum realm r, int64_t pid, int64_t *n_out)
{
	*n_out = 0;
	return db_row(c, db_int64, n_out,
		      "SELECT COUNT(*) FROM passkeys WHERE realm = ?1 AND "
		      "principal_id = ?2",
		      "ri", (int)r, pid);
}

static int
pk_rename(struct store_conn *c, enum realm r, int64_t pid, int64_t id,
	  const char *name)
{
	return db_change(c, -GH_NOT_FOUND,
			 "UPDATE passkeys SET name = ?1 WHERE id = ?2 AND "
			 "realm = ?3 AND principal_id = ?4",
			 "tiri", name, id, (int)r, pid);
}

static int
pk_remove(struct store_conn *c, enum realm r, int64_t pid, int64_t id)
{
	return db_change(c, -GH_NOT_FOUND,
			 "DELETE FROM passkeys WHERE id = ?1 AND realm = ?2 "
			 "AND principal_id = ?3",
			 "iri", id, (int)r, pid);
}

static int
pk_remove_all(struct store_conn *c, enum realm r, int64_t pid,
	      int64_t *n_out)
{
	int rc = db_exec(c,
			 "DELETE FROM passkeys WHERE realm = ?1 AND "
			 "principal_id = ?2",
			 "ri", (int)r, pid);

	if (rc == 0 && n_out != NULL)
		*n_out = db_changes(c);
	return rc;
}

static int
pk_used(struct store_conn *c, int64_t id, int64_t sign_count,
	int backup_state, int64_t now)
{
	return db_change(c, -GH_NOT_FOUND,
			 "UPDATE passkeys SET sign_count = ?1, "
			 "backup_state = ?2, last_used_at = ?3 WHERE id = ?4",
			 "ibii", sign_count, backup_state, now, id);
}

static int
pk_flag(struct store_conn *c, int64_t id)
{
	return db_change(c, -GH_NOT_FOUND,
			 "UPDATE passkeys SET counter_flagged = 1 WHERE id = ?1",
			 "i", id);
}

static int
pk_challenge_put(struct store_conn *c, const struct passkey_challenge *ch,
		 int keep)
{
	int rc = db_exec(c,
			 "DELETE FROM passkey_challenges WHERE expires_at <= ?1",
			 "i", ch->created_at);

	if (rc == 0 && keep > 0 && ch->bind[0] != '\0')
		rc = db_exec(c,
			     "DELETE FROM passkey_challenges WHERE bind = ?1 "
			     "AND challenge_hash NOT IN (SELECT challenge_hash "
			     "FROM passkey_challenges WHERE bind = ?1 ORDER BY "
			     "created_at DESC, challenge_hash LIMIT ?2)",
			     "ti", ch->bind, (int64_t)(keep - 1));
	if (rc == 0)
		rc = db_exec(c,
			     "INSERT INTO passkey_challenges (challenge_hash, "
			     "realm, purpose, principal_id, bind, created_at, "
			     "expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
			     "trtitii", ch->hash, (int)ch->realm, ch->purpose,
			     ch->principal_id, ch->bind, ch->created_at,
			     ch->expires_at);
	return rc;
}

static int
challenge_row(const struct db_row *st, void *ctx)
{
	struct passkey_challenge *ch = ctx;

	ch->realm = db_realm(st, 0);
	db_text(st, 1, ch->purpose, sizeof(ch->purpose));
	ch->principal_id = db_i64(st, 2);
	db_text(st, 3, ch->bind, sizeof(ch->bind));
	ch->created_at = db_i64(st, 4);
	ch->expires_at = db_i64(st, 5);
	return 0;
}

static int
pk_challenge_take(struct store_conn *c, const char *hash,
		  struct passkey_challenge *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	snprintf(out->hash, sizeof(out->hash), "%s", hash);
	rc = db_row(c, challenge_row, out,
		    "SELECT realm, purpose, principal_id, bind, created_at, "
		    "expires_at FROM passkey_challenges "
		    "WHERE challenge_hash = ?1",
		    "t", hash);
	if (rc == 0)
		rc = db_change(c, -GH_NOT_FOUND,
			       "DELETE FROM passkey_challenges "
			       "WHERE challenge_hash = ?1",
			       "t", hash);
	return rc;
}

const struct store_passkeys_ops db_passkeys_ops = {
	.handle_get = pk_handle_read,
	.handle_put = pk_handle_put,
	.handle_owner = pk_handle_owner,
	.insert = pk_insert,
	.by_cred = pk_by_cred,
	.get = pk_get,
	.list = pk_list,
	.count = pk_count,
	.rename = pk_rename,
	.remove = pk_remove,
	.remove_all = pk_remove_all,
	.used = pk_used,
	.flag = pk_flag,
	.challenge_put = pk_challenge_put,
	.challenge_take = pk_challenge_take,
};
