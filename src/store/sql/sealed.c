/*
 * The store, both backends: the sealed columns as key rotation sees them
 * (enum sealed_col in store/store.h): for each, which rows hold a value and
 * what its first bytes are, one row's value with the parts of its
 * associated data, and the replacement of a value that is still what was
 * read (compare and set), so a rotation running beside the server never
 * overwrites a value the server changed meanwhile.
 *
 * Invariant: one row of the table per sealed column of the schema; every
 * statement is a literal of this table.
 */
#include <stdlib.h>
#include <string.h>

#include "store/sql/db.h"
#include "util/errors.h"

/* The three statements of one sealed column. heads binds (after_id,
 * max) and reads (id, first bytes); get binds (id) and reads (id, value,
 * ctx, num); put binds (value, id, old value). */
struct col_sql {
	const char *heads;
	const char *get;
	const char *put;
};

static const struct col_sql cols[SEALED_COLS] = {
	[SEALED_STAFF_TOTP] =
		{"SELECT id, substr(totp_seed, 1, 8) FROM staff WHERE id > ?1 "
		 "ORDER BY id LIMIT ?2",
		 "SELECT id, totp_seed, email, 0 FROM staff WHERE id = ?1",
		 "UPDATE staff SET totp_seed = ?1 WHERE id = ?2 AND "
		 "totp_seed = ?3"},
	[SEALED_CUSTOMER_EMAIL] =
		{"SELECT id, substr(email, 1, 8) FROM customers WHERE id > ?1 "
		 "AND email IS NOT NULL ORDER BY id LIMIT ?2",
		 "SELECT id, email, email_idx, 0 FROM customers WHERE id = ?1",
		 "UPDATE customers SET email = ?1 WHERE id = ?2 AND email = "
		 "?3"},
	[SEALED_CUSTOMER_PHONE] =
		{"SELECT id, substr(phone, 1, 8) FROM customers WHERE id > ?1 "
		 "AND phone IS NOT NULL ORDER BY id LIMIT ?2",
		 "SELECT id, phone, email_idx, 0 FROM customers WHERE id = ?1",
		 "UPDATE customers SET phone = ?1 WHERE id = ?2 AND phone = "
		 "?3"},
	[SEALED_CUSTOMER_DOB] =
		{"SELECT id, substr(dob, 1, 8) FROM customers WHERE id > ?1 "
		 "AND dob IS NOT NULL ORDER BY id LIMIT ?2",
		 "SELECT id, dob, email_idx, 0 FROM customers WHERE id = ?1",
		 "UPDATE customers SET dob = ?1 WHERE id = ?2 AND dob = ?3"},
	[SEALED_CUSTOMER_ADDRESS] =
		{"SELECT id, substr(address, 1, 8) FROM customers WHERE id > "
		 "?1 "
		 "AND address IS NOT NULL ORDER BY id LIMIT ?2",
		 "SELECT id, address, email_idx, 0 FROM customers WHERE id = "
		 "?1",
		 "UPDATE customers SET address = ?1 WHERE id = ?2 AND address "
		 "= ?3"},
	[SEALED_CUSTOMER_ACCOUNT_NUMBER] =
		{"SELECT id, substr(account_number, 1, 8) FROM customers WHERE "
		 "id > ?1 "
		 "AND account_number IS NOT NULL ORDER BY id LIMIT ?2",
		 "SELECT id, account_number, email_idx, 0 FROM customers WHERE "
		 "id = ?1",
		 "UPDATE customers SET account_number = ?1 WHERE id = ?2 AND "
		 "account_number = ?3"},
	[SEALED_CUSTOMER_PHRASE] =
		{"SELECT id, substr(phrase, 1, 8) FROM customers WHERE id > ?1 "
		 "AND phrase IS NOT NULL ORDER BY id LIMIT ?2",
		 "SELECT id, phrase, email_idx, 0 FROM customers WHERE id = ?1",
		 "UPDATE customers SET phrase = ?1 WHERE id = ?2 AND phrase = "
		 "?3"},
	[SEALED_CUSTOMER_TOTP] =
		{"SELECT id, substr(totp_seed, 1, 8) FROM customers WHERE id > "
		 "?1 "
		 "AND totp_seed IS NOT NULL ORDER BY id LIMIT ?2",
		 "SELECT id, totp_seed, email_idx, 0 FROM customers WHERE id = "
		 "?1",
		 "UPDATE customers SET totp_seed = ?1 WHERE id = ?2 AND "
		 "totp_seed = ?3"},
	[SEALED_FIELD_VALUE] =
		{"SELECT id, substr(value, 1, 8) FROM customer_field_values "
		 "WHERE id > ?1 ORDER BY id LIMIT ?2",
		 "SELECT v.id, v.value, c.email_idx, v.field_id FROM "
		 "customer_field_values v JOIN customers c ON "
		 "c.id = v.customer_id WHERE v.id = ?1",
		 "UPDATE customer_field_values SET value = ?1 WHERE id = ?2 "
		 "AND "
		 "value = ?3"},
	[SEALED_OUTBOX_RECIPIENT] =
		{"SELECT id, substr(recipient, 1, 8) FROM outbox WHERE id > ?1 "
		 "AND recipient IS NOT NULL ORDER BY id LIMIT ?2",
		 "SELECT id, recipient, ref, 0 FROM outbox WHERE id = ?1 AND "
		 "recipient IS NOT NULL",
		 "UPDATE outbox SET recipient = ?1 WHERE id = ?2 AND "
		 "recipient = ?3"},
	[SEALED_OUTBOX_PHRASE] =
		{"SELECT id, substr(phrase, 1, 8) FROM outbox WHERE id > ?1 "
		 "AND phrase IS NOT NULL ORDER BY id LIMIT ?2",
		 "SELECT id, phrase, ref, 0 FROM outbox WHERE id = ?1 AND "
		 "phrase IS NOT NULL",
		 "UPDATE outbox SET phrase = ?1 WHERE id = ?2 AND phrase = ?3"},
	[SEALED_ATTACHMENT] =
		{"SELECT id, substr(content, 1, 8) FROM attachments WHERE "
		 "id > ?1 ORDER BY id LIMIT ?2",
		 "SELECT id, content, sha256, ticket_id FROM attachments "
		 "WHERE id = ?1",
		 "UPDATE attachments SET content = ?1 WHERE id = ?2 AND "
		 "content = ?3"},
	[SEALED_CHANGE_VALUE] =
		{"SELECT id, substr(value, 1, 8) FROM change_requests WHERE "
		 "id > ?1 AND value IS NOT NULL ORDER BY id LIMIT ?2",
		 "SELECT id, value, kind || ':' || customer_id || ':' || ref, "
		 "0 "
		 "FROM change_requests WHERE id = ?1 AND value IS NOT NULL",
		 "UPDATE change_requests SET value = ?1 WHERE id = ?2 AND "
		 "value = ?3"},
};

_Static_assert(SEALED_HEAD_BYTES == 8, "the statements read 8 bytes");

struct heads {
	struct sealed_head *v;
	size_t max, n;
};

static int
head_row(const struct db_row *st, void *ctx)
{
	struct heads *h = ctx;
	struct sealed_head *e;
	struct blob b;
	int rc;

	if (h->n == h->max)
		return 1;
	e = &h->v[h->n++];
	memset(e, 0, sizeof(*e));
	e->id = db_i64(st, 0);
	rc = db_blob(st, 1, &b);
	if (rc < 0)
		return rc;
	if (b.data != NULL && b.len > 0) {
		e->len = b.len < sizeof(e->head) ? b.len : sizeof(e->head);
		memcpy(e->head, b.data, e->len);
	}
	free(b.data);
	return 0;
}

/* 0 when col names a column of the table. */
static int
col_ok(enum sealed_col col)
{
	return (int)col >= 0 && col < SEALED_COLS ? 0 : -GH_INTERNAL;
}

int
db_sealed_heads(struct store_conn *c, enum sealed_col col, int64_t after_id,
		size_t max, struct sealed_head *out, size_t *n_out)
{
	struct heads h = {out, max, 0};
	int rc = col_ok(col);

	*n_out = 0;
	if (rc == 0)
		rc = db_rows(c, head_row, &h, cols[col].heads, "ii", after_id,
			     (int64_t)max);
	if (rc == 0)
		*n_out = h.n;
	return rc;
}

static int
value_row(const struct db_row *st, void *ctx)
{
	struct sealed_value *v = ctx;

	v->id = db_i64(st, 0);
	db_text(st, 2, v->ctx, sizeof(v->ctx));
	v->num = db_i64(st, 3);
	return db_blob(st, 1, &v->value);
}

int
db_sealed_get(struct store_conn *c, enum sealed_col col, int64_t id,
	      struct sealed_value *out)
{
	int rc = col_ok(col);

	memset(out, 0, sizeof(*out));
	if (rc == 0)
		rc = db_row(c, value_row, out, cols[col].get, "i", id);
	if (rc == 0 && out->value.data == NULL)
		rc = -GH_NOT_FOUND;
	if (rc < 0)
		sealed_value_clear(out);
	return rc;
}

int
db_sealed_replace(struct store_conn *c, enum sealed_col col, int64_t id,
		  const struct blob *old, const struct blob *val)
{
	int rc = col_ok(col);

	if (rc == 0 && (old->data == NULL || val->data == NULL))
		rc = -GH_INTERNAL;
	if (rc == 0)
		rc = db_change(c, -GH_CONFLICT, cols[col].put, "BiB", val, id,
			       old);
	return rc;
}

/* --- key check values (migration 029) ----------------------------------- */

int
db_key_check_put(struct store_conn *c, int64_t id,
		 const unsigned char check[16], int64_t now)
{
	return db_change(c, -GH_EXISTS,
			 "INSERT INTO key_checks (key_id, check_value, "
			 "created_at) VALUES (?, ?, ?) "
			 "ON CONFLICT (key_id) DO NOTHING",
			 "ixi", id, (const void *)check, (size_t)16, now);
}

static int
check_row(const struct db_row *r, void *ctx)
{
	db_bytes(r, 0, ctx, 16);
	return 0;
}

int
db_key_check_get(struct store_conn *c, int64_t id, unsigned char check[16])
{
	return db_row(c, check_row, check,
		      "SELECT check_value FROM key_checks WHERE key_id = ?",
		      "i", id);
}
