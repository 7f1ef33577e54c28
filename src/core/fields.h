/*
 * Custom personal fields: an admin defines a field (a name agents see
 * and greet with, a lowercase identifier; a data class, C1 contact or C2
 * personal, which says how strongly a caller must be verified before its
 * value is revealed), and operators set a customer's value of it, sealed
 * as core/sealed.h says. Defining a field and setting a value are each
 * audited in the transaction that does it; values never reach the log.
 *
 * It does not reveal values: the disclosure gate does, through
 * customer_fields() in core/sealed.h.
 */
#ifndef GH_CORE_FIELDS_H
#define GH_CORE_FIELDS_H

#include <stdint.h>

#include "core/actor.h"
#include "core/app.h"
#include "store/store.h"

/* Bounds of a custom field's value, in code points of UTF-8 text. */
#define FIELD_VALUE_MIN 1
#define FIELD_VALUE_MAX 500

/* 1 when name can name a custom field: 1 to FIELD_NAME_MAX characters of
 * a-z, 0-9 and _, starting with a letter, and not the name of a built-in
 * field (email, phone, dob, address, account_number, name, ...). */
int fields_valid_name(const char *name);

/*
 * Defines the custom field name of class cls ("C1" or "C2"), audited
 * "field.create" by a (an admin; NULL: the command line, actor "cli").
 * *out gets the definition. -GH_FORBIDDEN when a is not an admin,
 * -GH_BAD_FIELD with *field naming the bad one ("name", "class"),
 * -GH_CONFLICT when a field has this name, or a store error.
 */
int fields_create(struct app *app, struct store_conn *c,
		  const struct tk_actor *a, const char *name, const char *cls,
		  int64_t now, struct field_def *out, const char **field);

/* Every custom field by id (field_def_list_clear). */
int fields_list(struct store_conn *c, struct field_def_list *out);

/*
 * Sets the value of custom field `field` of the customer with e-mail
 * address email to value (sealed), audited "customer.field_set" (the
 * field's name, never the value). -GH_NOT_FOUND with *what "customer" or
 * "field" when there is no such one, -GH_BAD_FIELD with *what "value"
 * when value is not 1 to FIELD_VALUE_MAX code points of text on one line,
 * or an error.
 */
int fields_set_value(struct app *app, struct store_conn *c, const char *actor,
		     const char *email, const char *field, const char *value,
		     int64_t now, const char **what);

/*
 * The account number rule (class C2; changes after creation go through a
 * change request): 4 to 34 characters of A-Z, a-z, 0-9, space and
 * hyphen, with at least 4 digits. 1 when acct follows it.
 */
int fields_valid_account_number(const char *acct);

#endif
