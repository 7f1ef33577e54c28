/*
 * The store, both backends: customers' sealed personal fields beyond login
 * (migration 013): the custom field definitions an admin makes, customers'
 * sealed values of them, the built-in sealed fields of one customer, the
 * account number and the blind index of the phone number. Sealing and
 * opening are core's; these blobs pass through unopened.
 *
 * Invariant: a record or list that fails half-way is cleared (no
 * half-filled blobs are returned).
 */
#include <string.h>

#include "store/sql/db.h"
#include "util/errors.h"

#define DEF_COLS "d.id, d.name, d.class, d.created_by, d.created_at"

static void
def_read(const struct db_row *st, int i, struct field_def *d)
{
	d->id = db_i64(st, i);
	db_text(st, i + 1, d->name, sizeof(d->name));
	db_text(st, i + 2, d->cls, sizeof(d->cls));
	db_text(st, i + 3, d->created_by, sizeof(d->created_by));
	d->created_at = db_i64(st, i + 4);
}

int
db_field_def_insert(struct store_conn *c, const struct field_def *d,
		    int64_t *id_out)
{
	return db_insert(c, id_out,
			 "INSERT INTO customer_field_defs (name, class, "
			 "created_by, created_at) VALUES (?1, ?2, ?3, ?4) ",
			 "ttti", d->name, d->cls, d->created_by, d->created_at);
}

static int
def_row(const struct db_row *st, void *ctx)
{
	def_read(st, 0, ctx);
	return 0;
}

int
db_field_def_by_name(struct store_conn *c, const char *name,
		     struct field_def *out)
{
	memset(out, 0, sizeof(*out));
	return db_row(c, def_row, out,
		      "SELECT " DEF_COLS " FROM customer_field_defs d "
		      "WHERE d.name = ?1",
		      "t", name);
}

static int
def_list_row(const struct db_row *st, void *ctx)
{
	struct field_def_list *l = ctx;
	struct field_def *v = db_append(l->v, l->n, sizeof(*v));

	if (v == NULL)
		return -GH_INTERNAL;
	l->v = v;
	def_read(st, 0, &l->v[l->n++]);
	return 0;
}

int
db_field_def_list(struct store_conn *c, struct field_def_list *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = db_rows(c, def_list_row, out,
		     "SELECT " DEF_COLS " FROM customer_field_defs d "
		     "ORDER BY d.id",
		     "");
	if (rc < 0)
		field_def_list_clear(out);
	return rc;
}

int
db_customer_field_put(struct store_conn *c, int64_t customer_id,
		      int64_t field_id, const struct blob *value, int64_t now)
{
	return db_exec(c,
		       "INSERT INTO customer_field_values (customer_id, "
		       "field_id, value, updated_at) VALUES (?1, ?2, ?3, ?4) "
		       "ON CONFLICT (customer_id, field_id) DO UPDATE SET "
		       "value = excluded.value, updated_at = "
		       "excluded.updated_at",
		       "iiBi", customer_id, field_id, value, now);
}

static int
value_row(const struct db_row *st, void *ctx)
{
	struct field_value_list *l = ctx;
	struct field_value *v = db_append(l->v, l->n, sizeof(*v));

	if (v == NULL)
		return -GH_INTERNAL;
	l->v = v;
	v = &l->v[l->n++];
	def_read(st, 0, &v->def);
	return db_blob(st, 5, &v->value);
}

int
db_customer_field_values(struct store_conn *c, int64_t customer_id,
			 struct field_value_list *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = db_rows(c, value_row, out,
		     "SELECT " DEF_COLS ", v.value FROM customer_field_defs d "
		     "LEFT JOIN customer_field_values v ON v.field_id = d.id "
		     "AND v.customer_id = ?1 ORDER BY d.id",
		     "i", customer_id);
	if (rc < 0)
		field_value_list_clear(out);
	return rc;
}

static int
personal_row(const struct db_row *st, void *ctx)
{
	struct customer_personal *p = ctx;
	int rc;

	p->id = db_i64(st, 0);
	db_text(st, 1, p->email_idx, sizeof(p->email_idx));
	db_text(st, 2, p->name, sizeof(p->name));
	rc = db_blob(st, 3, &p->email);
	if (rc == 0)
		rc = db_blob(st, 4, &p->phone);
	if (rc == 0)
		rc = db_blob(st, 5, &p->dob);
	if (rc == 0)
		rc = db_blob(st, 6, &p->address);
	if (rc == 0)
		rc = db_blob(st, 7, &p->account_number);
	return rc;
}

int
db_customer_personal(struct store_conn *c, int64_t customer_id,
		     struct customer_personal *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = db_row(c, personal_row, out,
		    "SELECT id, email_idx, name, email, phone, dob, address, "
		    "account_number FROM customers WHERE id = ?1",
		    "i", customer_id);
	if (rc < 0)
		customer_personal_clear(out);
	return rc;
}

int
db_customer_set_account_number(struct store_conn *c, int64_t customer_id,
			       const struct blob *value)
{
	return db_change(c, -GH_NOT_FOUND,
			 "UPDATE customers SET account_number = ?1 WHERE id = "
			 "?2",
			 "Bi", value, customer_id);
}

int
db_customer_set_phone_idx(struct store_conn *c, int64_t customer_id,
			  const char *phone_idx)
{
	return db_change(c, -GH_NOT_FOUND,
			 "UPDATE customers SET phone_idx = ?1 WHERE id = ?2",
			 "ti", phone_idx, customer_id);
}

struct id_list {
	int64_t *ids;
	size_t max, n;
};

static int
id_row(const struct db_row *st, void *ctx)
{
	struct id_list *l = ctx;

	if (l->n == l->max)
		return 1;
	l->ids[l->n++] = db_i64(st, 0);
	return 0;
}

int
db_customer_by_phone_idx(struct store_conn *c, const char *phone_idx,
			 int64_t *ids, size_t max, size_t *n_out)
{
	struct id_list l = {ids, max, 0};
	int rc;

	rc = db_rows(c, id_row, &l,
		     "SELECT id FROM customers WHERE phone_idx = ?1 ORDER BY "
		     "id",
		     "t", phone_idx);
	*n_out = rc == 0 ? l.n : 0;
	return rc;
}

int
db_customer_phone_unindexed(struct store_conn *c, int64_t after_id,
			    int64_t *id_out)
{
	*id_out = 0;
	return db_row(c, db_int64, id_out,
		      "SELECT id FROM customers WHERE id > ?1 AND phone IS NOT "
		      "NULL AND phone_idx IS NULL ORDER BY id LIMIT 1",
		      "i", after_id);
}
