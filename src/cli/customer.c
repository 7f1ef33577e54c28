/*
 * `gatehouse customer add|unlock|disable|enable`: customer accounts. The
 * personal fields (phone, date of birth, address) are checked and sealed
 * by core/accounts; a customer has no role and no queues.
 */
#include <string.h>

#include "cli/account.h"
#include "cli/cli.h"

/* Which options go with which verb. 0, or 2 after the usage. */
static int
check_options(const struct account_args *a)
{
	if (strcmp(a->verb, "add") != 0 && !account_is_state_verb(a->verb))
		return cli_usage_error("customer");
	if (a->n_queue_opts > 0 || a->too_many_queue_opts || a->q_add ||
	    a->q_remove || a->in.role != NULL)
		return cli_usage_error("customer");
	if (strcmp(a->verb, "add") == 0 &&
	    (!a->pw_stdin || a->in.name == NULL))
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
	return account_run(&a, account_set_state);
}
