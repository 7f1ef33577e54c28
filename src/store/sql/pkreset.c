/*
 * The store, both backends: staff passkey resets under dual control
 * (store/store_pkreset.h, migration 031). The rules are
 * core/passkey_resets.c's; this file only reads and writes rows, and
 * reads the names of the people involved with them.
 *
 * Invariant: decide changes a row only while it is pending, so two
 * administrators deciding at once cannot both succeed.
 */
#include <stdlib.h>
#include <string.h>

#include "store/sql/db.h"
#include "util/errors.h"

void
pkreset_list_clear(struct pkreset_list *l)
{
	STORE_LIST_FREE(l);
}

#define PKRESET_COLUMNS                                                       \
	"SELECT r.id, r.staff_id, COALESCE(t.name, ''), "                   \
	"COALESCE(t.email, ''), COALESCE(t.role, ''), r.requested_by, "     \
	"COALESCE(q.name, ''), r.reason, r.state, r.created_at, "           \
	"r.expires_at, COALESCE(r.decided_by, 0), COALESCE(d.name, ''), "   \
	"COALESCE(r.decided_at, 0), COALESCE(r.decision, ''), "             \
	"r.passkeys_deleted FROM passkey_resets r "                         \
	"LEFT JOIN staff t ON t.id = r.staff_id "                           \
	"LEFT JOIN staff q ON q.id = r.requested_by "                       \
	"LEFT JOIN staff d ON d.id = r.decided_by "

static int
pkreset_read(const struct db_row *st, void *ctx)
{
	struct pkreset_rec *r = ctx;

	memset(r, 0, sizeof(*r));
	r->id = db_i64(st, 0);
	r->staff_id = db_i64(st, 1);
	db_text(st, 2, r->staff_name, sizeof(r->staff_name));
	db_text(st, 3, r->staff_email, sizeof(r->staff_email));
	db_text(st, 4, r->staff_role, sizeof(r->staff_role));
	r->requested_by = db_i64(st, 5);
	db_text(st, 6, r->requested_by_name, sizeof(r->requested_by_name));
	db_text(st, 7, r->reason, sizeof(r->reason));
	db_text(st, 8, r->state, sizeof(r->state));
	r->created_at = db_i64(st, 9);
	r->expires_at = db_i64(st, 10);
	r->decided_by = db_i64(st, 11);
	db_text(st, 12, r->decided_by_name, sizeof(r->decided_by_name));
	r->decided_at = db_i64(st, 13);
	db_text(st, 14, r->decision, sizeof(r->decision));
	r->passkeys_deleted = db_i64(st, 15);
	return 0;
}

static int
pkreset_push(const struct db_row *st, void *ctx)
{
	struct pkreset_list *l = ctx;
	struct pkreset_rec *v = db_append(l->v, l->n, sizeof(*v));

	if (v == NULL)
		return -GH_INTERNAL;
	l->v = v;
	return pkreset_read(st, &l->v[l->n++]);
}

int
db_pkreset_insert(struct store_conn *c, int64_t staff_id,
		  int64_t requested_by, const char *reason, int64_t now,
		  int64_t expires_at, int64_t *id_out)
{
	return db_insert(c, id_out,
			 "INSERT INTO passkey_resets (staff_id, requested_by, "
			 "reason, created_at, expires_at) "
			 "VALUES (?1, ?2, ?3, ?4, ?5)",
			 "iitii", staff_id, requested_by, reason, now,
			 expires_at);
}

int
db_pkreset_expire(struct store_conn *c, int64_t now, int64_t *n_out)
{
	int rc = db_exec(c,
			 "UPDATE passkey_resets SET state = 'expired', "
			 "decided_at = ?1 WHERE state = 'pending' "
			 "AND expires_at <= ?1",
			 "i", now);

	if (n_out != NULL)
		*n_out = rc == 0 ? db_changes(c) : 0;
	return rc;
}

int
db_pkreset_get(struct store_conn *c, int64_t id, struct pkreset_rec *out)
{
	memset(out, 0, sizeof(*out));
	return db_row(c, pkreset_read, out,
		      PKRESET_COLUMNS "WHERE r.id = ?1", "i", id);
}

int
db_pkreset_decide(struct store_conn *c, int64_t id, const char *state,
		  int64_t decided_by, const char *decision,
		  int64_t passkeys_deleted, int64_t now)
{
	return db_change(c, -GH_CONFLICT,
			 "UPDATE passkey_resets SET state = ?1, "
			 "decided_by = ?2, decision = ?3, decided_at = ?4, "
			 "passkeys_deleted = ?5 WHERE id = ?6 "
			 "AND state = 'pending'",
			 "tItiii", state, decided_by, decision, now,
			 passkeys_deleted, id);
}

int
db_pkreset_list(struct store_conn *c, const char *state,
		struct pkreset_list *out)
{
	int rc;

	out->v = NULL;
	out->n = 0;
	rc = db_rows(c, pkreset_push, out,
		     PKRESET_COLUMNS "WHERE CAST(?1 AS TEXT) IS NULL "
		     "OR r.state = ?1 ORDER BY r.id DESC LIMIT ?2",
		     "ti", state, (int64_t)PKRESET_LIST_MAX);
	if (rc < 0)
		pkreset_list_clear(out);
	return rc;
}
