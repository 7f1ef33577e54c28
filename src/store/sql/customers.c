/*
 * The store, both backends: what the rest of the system needs of a customer
 * beyond logging in (accounts.c): the sealed contact data and anti-phishing
 * phrase for notifications and the outbound check, the sealed personal
 * fields one customer at a time, for rebuilding the fingerprint index, and
 * for the disclosure gate the display name and whether a staff member sees
 * one of a customer's tickets. Sealing and opening are core's; these blobs
 * pass through unopened.
 *
 * Invariant: a record that fails half-way is cleared (no half-filled
 * blobs are returned).
 */
#include <string.h>

#include "store/sql/db.h"
#include "util/errors.h"

static int
contact_row(const struct db_row *st, void *ctx)
{
	struct customer_contact *cc = ctx;
	int rc;

	cc->id = db_i64(st, 0);
	db_text(st, 1, cc->email_idx, sizeof(cc->email_idx));
	db_text(st, 2, cc->name, sizeof(cc->name));
	rc = db_blob(st, 3, &cc->email);
	if (rc == 0)
		rc = db_blob(st, 4, &cc->phone);
	if (rc == 0)
		rc = db_blob(st, 5, &cc->phrase);
	return rc;
}

int
db_customer_contact(struct store_conn *c, int64_t customer_id,
		    struct customer_contact *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = db_row(c, contact_row, out,
		    "SELECT id, email_idx, name, email, phone, phrase "
		    "FROM customers WHERE id = ?1",
		    "i", customer_id);
	if (rc < 0)
		customer_contact_clear(out);
	return rc;
}

int
db_customer_set_phrase(struct store_conn *c, int64_t customer_id,
		       const struct blob *phrase)
{
	return db_change(c, -GH_NOT_FOUND,
			 "UPDATE customers SET phrase = ?1 WHERE id = ?2", "Bi",
			 phrase, customer_id);
}

static int
sealed_row(const struct db_row *st, void *ctx)
{
	struct customer_sealed *cs = ctx;
	int rc;

	cs->id = db_i64(st, 0);
	db_text(st, 1, cs->email_idx, sizeof(cs->email_idx));
	rc = db_blob(st, 2, &cs->email);
	if (rc == 0)
		rc = db_blob(st, 3, &cs->phone);
	if (rc == 0)
		rc = db_blob(st, 4, &cs->dob);
	if (rc == 0)
		rc = db_blob(st, 5, &cs->address);
	return rc;
}

int
db_customer_sealed_next(struct store_conn *c, int64_t after_id,
			struct customer_sealed *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = db_row(c, sealed_row, out,
		    "SELECT id, email_idx, email, phone, dob, address "
		    "FROM customers WHERE id > ?1 ORDER BY id LIMIT 1",
		    "i", after_id);
	if (rc < 0)
		customer_sealed_clear(out);
	return rc;
}

struct name_buf {
	char *out;
	size_t outsz;
};

static int
name_row(const struct db_row *st, void *ctx)
{
	struct name_buf *b = ctx;

	db_text(st, 0, b->out, b->outsz);
	return 0;
}

int
db_customer_name(struct store_conn *c, int64_t customer_id, char *out,
		 size_t outsz)
{
	struct name_buf b = {out, outsz};

	if (outsz == 0)
		return -GH_INTERNAL;
	out[0] = '\0';
	return db_row(c, name_row, &b,
		      "SELECT name FROM customers WHERE id = ?1", "i",
		      customer_id);
}

int
db_customer_visible(struct store_conn *c, const struct ticket_query *q,
		    int64_t customer_id)
{
	return db_row(c, NULL, NULL,
		      "SELECT 1 FROM customers cu WHERE cu.id = ?1 AND (?2 OR "
		      "EXISTS (SELECT 1 FROM tickets t WHERE "
		      "t.customer_id = cu.id AND "
		      DB_STAFF_SEES("?2", "?3") "))",
		      "ibi", customer_id, q->see_all, q->viewer_id);
}
