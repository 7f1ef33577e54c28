/*
 * `gatehouse staff force-password-change --email E [--reason R]`: on
 * evidence that a staff member's password is compromised, requires them
 * to change it at their next login and ends every session of theirs at
 * once (core/hygiene.h), audited with "cli" as who forced it. Prints
 * {"id", "password_change_required", "sessions_ended"}.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/auth.h"
#include "core/hygiene.h"
#include "util/errors.h"
#include "util/utf8.h"

#define DEFAULT_REASON "forced from the command line"

struct force_args {
	const char *dir;
	const char *email;
	const char *reason;
};

static int
parse(int argc, char **argv, struct force_args *a)
{
	static const struct option lo[] = {
		{"dir", required_argument, 0, 'd'},
		{"email", required_argument, 0, 'e'},
		{"reason", required_argument, 0, 'r'},
		{0, 0, 0, 0}};
	int64_t n;
	int c;

	*a = (struct force_args){CLI_DEFAULT_DIR, NULL, DEFAULT_REASON};
	optind = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (c == 'd')
			a->dir = optarg;
		else if (c == 'e')
			a->email = optarg;
		else if (c == 'r')
			a->reason = optarg;
		else
			return cli_usage_error("staff");
	}
	if (optind != argc || a->email == NULL)
		return cli_usage_error("staff");
	n = utf8_check(a->reason, strlen(a->reason), 0);
	if (n < 3 || n > 500)
		return cli_print_error(-GH_BAD_FIELD,
				       "The reason must be 3 to 500 characters "
				       "of text on one line.",
				       "reason");
	return 0;
}

static int
force(struct app *app, struct store_conn *conn, const struct force_args *a)
{
	char email[256];
	int64_t id = 0, ended = 0;
	int rc;

	if (auth_normalize_email(a->email, email, sizeof(email)) < 0)
		return cli_print_error(-GH_BAD_FIELD, NULL, "email");
	rc = hygiene_password_force(
		app, conn,
		&(struct hyg_force){.email = email,
				    .reason = a->reason,
				    .actor = "cli"},
		&id, &ended);
	if (rc == -GH_NOT_FOUND)
		return cli_print_error(rc, "There is no staff member with this "
					   "e-mail.",
				       "email");
	if (rc < 0)
		return cli_print_error(rc, NULL, NULL);
	cli_print_json(json_pack("{s:I, s:b, s:I}", "id", (json_int_t)id,
				 "password_change_required", 1,
				 "sessions_ended", (json_int_t)ended));
	return 0;
}

int
cli_staff_force_password_change(int argc, char **argv)
{
	struct force_args a;
	struct store_conn *conn;
	struct app app;
	int rc;

	/* argv[0] is the verb. */
	rc = parse(argc, argv, &a);
	if (rc != 0)
		return rc;
	if (cli_open_app(&app, a.dir) != 0)
		return 1;
	conn = store_acquire(app.store);
	rc = force(&app, conn, &a);
	store_release(app.store, conn);
	app_close(&app);
	return rc;
}
