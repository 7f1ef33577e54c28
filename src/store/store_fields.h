/*
 * The records of the store's sealed-field operations (migration 013:
 * account numbers, custom fields, phone index) and of key rotation's walk
 * over every sealed column, kept apart from store/store.h, which includes
 * this header after struct blob, so that header stays readable. The
 * operations are in struct store_ops; the rules in core/sealed.h and
 * core/keys.h.
 */
#ifndef GH_STORE_STORE_FIELDS_H
#define GH_STORE_STORE_FIELDS_H

#include <stddef.h>
#include <stdint.h>

/* Sealed personal fields (migration 013). Custom fields an admin defines:
 * a name (a lowercase identifier of at most FIELD_NAME_MAX characters,
 * which core checks) and a data class, "C1" (contact) or "C2"
 * (personal). created_by is the audit actor ("staff:3", "cli"). */
#define FIELD_NAME_MAX 32

struct field_def {
	int64_t id;
	char name[FIELD_NAME_MAX + 1];
	char cls[4];
	char created_by[48];
	int64_t created_at;
};

struct field_def_list {
	struct field_def *v;      /* malloc'd; field_def_list_clear() */
	size_t n;
};

/* A custom field and one customer's sealed value of it (empty blob: not
 * set for this customer). */
struct field_value {
	struct field_def def;
	struct blob value;
};

struct field_value_list {
	struct field_value *v;    /* malloc'd; field_value_list_clear() */
	size_t n;
};

/* A customer's built-in personal fields, sealed (AD
 * "customer.<col>:<email_idx>", core/sealed.h); empty blobs are not set.
 * Release with customer_personal_clear(). */
struct customer_personal {
	int64_t id;
	char email_idx[80];
	char name[404];
	struct blob email, phone, dob, address, account_number;
};

/* Every sealed column of the schema, which key rotation walks
 * (core/keys.c). A migration that adds a sealed column adds it here, to
 * the backend's table (sqlite/sealed.c) and to core's associated data
 * (core/sealed.c); tests/unit/test_fields.c fails on a BLOB column that is
 * in none of them. */
enum sealed_col {
	SEALED_STAFF_TOTP = 0,
	SEALED_CUSTOMER_EMAIL,
	SEALED_CUSTOMER_PHONE,
	SEALED_CUSTOMER_DOB,
	SEALED_CUSTOMER_ADDRESS,
	SEALED_CUSTOMER_ACCOUNT_NUMBER,
	SEALED_CUSTOMER_PHRASE,
	SEALED_CUSTOMER_TOTP,
	SEALED_FIELD_VALUE,
	SEALED_OUTBOX_RECIPIENT,
	SEALED_OUTBOX_PHRASE,
	SEALED_ATTACHMENT,
	SEALED_CHANGE_VALUE,
	SEALED_COLS
};

/* The first bytes of a sealed value (enough for crypto_sealed_key_id). */
#define SEALED_HEAD_BYTES 8

struct sealed_head {
	int64_t id;               /* the row */
	unsigned char head[SEALED_HEAD_BYTES];
	size_t len;               /* bytes of head filled */
};

/* A sealed value and what its associated data is made of: ctx is the
 * staff e-mail (staff TOTP), the customer's e-mail blind index (customer
 * columns, custom field values), the outbox reference, the attachment's
 * sha256 or "<kind>:<customer id>:<ref>" (a change request's new value); num is the field id (custom field values) or the ticket id
 * (attachments), 0 otherwise. */
struct sealed_value {
	int64_t id;
	struct blob value;
	char ctx[256];
	int64_t num;
};

void field_def_list_clear(struct field_def_list *l);
void field_value_list_clear(struct field_value_list *l);
void customer_personal_clear(struct customer_personal *p);

#endif
