/*
 * The store, both backends: the accounts of both realms, the `staff` and
 * `customers` tables as login sees them (look-up by login name or id, the
 * TOTP replay guard, password hash, authenticator, disabling) and the
 * creation of accounts. The customers' contact data and sealed personal
 * fields are in customers.c.
 *
 * Each operation that works in either realm has its statement twice, in a
 * table indexed by realm (STAFF_CUST below), so the SQL stays constant and
 * the table name is never formatted into it.
 */
#include <string.h>

#include "store/sql/db.h"
#include "util/errors.h"

/* The statement of a realm from a {staff, customers} pair. */
#define STAFF_CUST(pair, r) ((pair)[(r) == REALM_STAFF ? 0 : 1])

/* Columns read by account_row, in its order. */
#define ACCOUNT_COLS(role, login)                                             \
	"id, " role ", pw_hash, totp_seed, totp_last_step, totp_enrolled, "  \
	"disabled, " login " "

static const char *const by_login[2] = {
	"SELECT " ACCOUNT_COLS("role", "email") "FROM staff WHERE email = ?1",
	"SELECT " ACCOUNT_COLS("''", "email_idx")
	"FROM customers WHERE email_idx = ?1",
};

static const char *const by_id[2] = {
	"SELECT " ACCOUNT_COLS("role", "email") "FROM staff WHERE id = ?1",
	"SELECT " ACCOUNT_COLS("''", "email_idx")
	"FROM customers WHERE id = ?1",
};

static const char *const advance_totp[2] = {
	"UPDATE staff SET totp_last_step = ?1 "
	"WHERE id = ?2 AND totp_last_step < ?1",
	"UPDATE customers SET totp_last_step = ?1 "
	"WHERE id = ?2 AND totp_last_step < ?1",
};

static const char *const set_pw_hash[2] = {
	"UPDATE staff SET pw_hash = ?1 WHERE id = ?2",
	"UPDATE customers SET pw_hash = ?1 WHERE id = ?2",
};

static const char *const set_totp[2] = {
	"UPDATE staff SET totp_seed = ?1, totp_enrolled = ?2, "
	"totp_last_step = 0 WHERE id = ?3",
	"UPDATE customers SET totp_seed = ?1, totp_enrolled = ?2, "
	"totp_last_step = 0 WHERE id = ?3",
};

static const char *const set_disabled[2] = {
	"UPDATE staff SET disabled = ?1 WHERE id = ?2",
	"UPDATE customers SET disabled = ?1 WHERE id = ?2",
};

/* The inserts, created_at being the database's time. */
#define STAFF_INSERT(now)                                                     \
	"(email, name, role, pw_hash, totp_seed, created_at) "               \
	"VALUES (?1, ?2, ?3, ?4, ?5, " now ")"
#define CUSTOMER_INSERT(now)                                                  \
	"(email_idx, email, name, phone, dob, address, pw_hash, totp_seed, " \
	"totp_enrolled, created_at) "                                        \
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, " now ")"

static const char *const staff_insert[2] = {
	"INSERT INTO staff " STAFF_INSERT(DB_NOW_SQLITE),
	"INSERT INTO staff " STAFF_INSERT(DB_NOW_PG),
};

static const char *const customer_insert[2] = {
	"INSERT INTO customers " CUSTOMER_INSERT(DB_NOW_SQLITE),
	"INSERT INTO customers " CUSTOMER_INSERT(DB_NOW_PG),
};

static int
account_row(const struct db_row *st, void *ctx)
{
	struct account *a = ctx;

	a->id = db_i64(st, 0);
	db_text(st, 1, a->role, sizeof(a->role));
	db_text(st, 2, a->pw_hash, sizeof(a->pw_hash));
	a->totp_last_step = db_i64(st, 4);
	a->totp_enrolled = db_int(st, 5);
	a->disabled = db_int(st, 6);
	db_text(st, 7, a->login, sizeof(a->login));
	return db_blob(st, 3, &a->totp_seed);
}

int
db_account_by_login(struct store_conn *c, enum realm r, const char *login,
		    struct account *out)
{
	memset(out, 0, sizeof(*out));
	return db_row(c, account_row, out, STAFF_CUST(by_login, r), "t",
		      login);
}

int
db_account_by_id(struct store_conn *c, enum realm r, int64_t id,
		 struct account *out)
{
	memset(out, 0, sizeof(*out));
	return db_row(c, account_row, out, STAFF_CUST(by_id, r), "i", id);
}

int
db_account_advance_totp(struct store_conn *c, enum realm r, int64_t id,
			int64_t step)
{
	return db_change(c, -GH_CONFLICT, STAFF_CUST(advance_totp, r), "ii",
			 step, id);
}

int
db_account_set_pw_hash(struct store_conn *c, enum realm r, int64_t id,
		       const char *pw_hash)
{
	return db_exec(c, STAFF_CUST(set_pw_hash, r), "ti", pw_hash, id);
}

int
db_account_set_totp(struct store_conn *c, enum realm r, int64_t id,
		    const struct blob *seed, int enrolled)
{
	return db_change(c, -GH_NOT_FOUND, STAFF_CUST(set_totp, r), "Bbi",
			 seed, enrolled, id);
}

int
db_account_set_disabled(struct store_conn *c, enum realm r, int64_t id,
			int disabled)
{
	return db_change(c, -GH_NOT_FOUND, STAFF_CUST(set_disabled, r), "bi",
			 disabled, id);
}

int
db_staff_insert(struct store_conn *c, const struct staff_new *s,
		int64_t *id_out)
{
	int rc;

	rc = db_insert(c, id_out, DB_SQL(c, staff_insert), "ttttB", s->email,
		       s->name, s->role, s->pw_hash, &s->totp_seed);
	if (rc < 0)
		return rc;
	return db_exec(c,
		       "INSERT INTO staff_queues (staff_id, queue_id) "
		       "VALUES (?1, ?2)",
		       "ii", *id_out, (int64_t)STORE_QUEUE_GENERAL);
}

/* A caller's text buffer. */
struct text_buf {
	char *out;
	size_t outsz;
};

static int
staff_name_row(const struct db_row *st, void *ctx)
{
	struct text_buf *b = ctx;

	db_text(st, 0, b->out, b->outsz);
	return 0;
}

int
db_staff_name(struct store_conn *c, int64_t id, char *out, size_t outsz)
{
	struct text_buf b = {out, outsz};

	if (outsz == 0)
		return -GH_INTERNAL;
	out[0] = '\0';
	return db_row(c, staff_name_row, &b,
		      "SELECT name FROM staff WHERE id = ?1", "i", id);
}

int
db_customer_insert(struct store_conn *c, const struct customer_new *s,
		   int64_t *id_out)
{
	return db_insert(c, id_out, DB_SQL(c, customer_insert), "tBtBBBtBb",
			 s->email_idx, &s->email, s->name, &s->phone,
			 &s->dob, &s->address, s->pw_hash, &s->totp_seed,
			 s->totp_enrolled);
}
