/*
 * `gatehouse customer add|set-field|unlock|disable|enable`: customer
 * accounts. The personal fields (phone, date of birth, address, account
 * number) are checked and sealed by core/accounts; the value of a custom
 * field (`set-field`) by core/fields, read from stdin into secret memory
 * and wiped after use, never echoed. A customer has no role and no queues.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/account.h"
#include "cli/cli.h"
#include "core/fields.h"
#include "crypto/crypto.h"
#include "util/errors.h"

/* The most bytes of a custom field's value on stdin (FIELD_VALUE_MAX
 * code points of up to 4 bytes, and a newline). */
#define VALUE_STDIN_MAX (FIELD_VALUE_MAX * 4 + 2)

/* Which options go with which verb. 0, or 2 after the usage. */
static int
check_options(const struct account_args *a)
{
	int add = strcmp(a->verb, "add") == 0;
	int set = strcmp(a->verb, "set-field") == 0;

	if (!add && !set && !account_is_state_verb(a->verb))
		return cli_usage_error("customer");
	if (a->n_queue_opts > 0 || a->too_many_queue_opts || a->q_add ||
	    a->q_remove || a->in.role != NULL)
		return cli_usage_error("customer");
	if (add && (!a->pw_stdin || a->in.name == NULL))
		return cli_usage_error("customer");
	if (!add && a->in.account_number != NULL)
		return cli_usage_error("customer");
	if (set && (a->in.phone || a->in.dob || a->in.address ||
		    a->in.name || a->pw_stdin || a->in.enroll_in_portal))
		return cli_usage_error("customer");
	if (set != (a->field != NULL) || set != a->value_stdin)
		return cli_usage_error("customer");
	return 0;
}

/* `customer add`. */
static int
customer_add(struct app *app, struct store_conn *conn,
	     struct account_args *a)
{
	json_t *out = NULL;
	int64_t id = 0;
	int rc = account_create(app, conn, a, &out, &id);

	if (rc != 0)
		return rc;
	cli_print_json(out);
	return 0;
}

/* Reads a value from stdin into secret memory (crypto_secret_free): at
 * most VALUE_STDIN_MAX bytes, one trailing newline removed. */
static char *
read_value(void)
{
	char *buf = crypto_secret_alloc(VALUE_STDIN_MAX + 1);
	size_t n;

	if (buf == NULL)
		return NULL;
	n = fread(buf, 1, VALUE_STDIN_MAX + 1, stdin);
	if (n > VALUE_STDIN_MAX) {
		crypto_secret_free(buf);
		return NULL;
	}
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	return buf;
}

/* `customer set-field --email E --field N --value-stdin`. */
static int
customer_set_field(struct app *app, struct store_conn *conn,
		   struct account_args *a)
{
	const char *what = NULL;
	char *value = read_value();
	int rc;

	if (value == NULL)
		return cli_fail("the value on stdin is too long");
	rc = fields_set_value(app, conn, "cli", a->in.email, a->field, value,
			      (int64_t)time(NULL), &what);
	crypto_secret_free(value);
	if (rc == -GH_NOT_FOUND)
		return cli_print_error(rc,
				       strcmp(what, "field") == 0
					       ? "There is no custom field with "
						 "this name (`gatehouse field "
						 "list`)."
					       : "There is no customer with "
						 "this e-mail address.",
				       what);
	if (rc == -GH_BAD_FIELD)
		return cli_print_error(rc,
				       "The value must be 1 to 500 characters "
				       "of text on one line.",
				       what);
	if (rc < 0)
		return cli_print_error(rc, NULL, NULL);
	cli_print_json(json_pack("{s:s, s:b}", "field", a->field, "set", 1));
	return 0;
}

int
cli_customer(int argc, char **argv)
{
	struct account_args a;
	int rc;

	rc = account_parse(REALM_CUSTOMER, "customer", argc, argv, &a);
	if (rc == 0)
		rc = check_options(&a);
	if (rc != 0)
		return rc;
	if (strcmp(a.verb, "add") == 0)
		return account_run(&a, customer_add);
	if (strcmp(a.verb, "set-field") == 0)
		return account_run(&a, customer_set_field);
	return account_run(&a, account_set_state);
}
