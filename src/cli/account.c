/*
 * The account commands' shared part (see account.h). A password is read
 * from stdin into secret memory, handed to core and wiped; it is never
 * echoed, logged or put in an error message. The TOTP secret of a new
 * account is printed once, then wiped.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/account.h"
#include "cli/cli.h"
#include "core/password.h"
#include "crypto/crypto.h"
#include "util/errors.h"

/* Records one --queue value (staff.c reads them). */
static void
add_queue_opt(struct account_args *a, const char *value)
{
	if (a->n_queue_opts == ACCOUNT_QUEUE_OPTS_MAX)
		a->too_many_queue_opts = 1;
	else
		a->queue_opts[a->n_queue_opts++] = value;
}

/* Applies one option c (its value in optarg) to a. 0, or -1 for an
 * option that is not ours. */
static int
apply_option(struct account_args *a, int c, char *value)
{
	switch (c) {
	case 'd': a->dir = value; break;
	case 'e': a->in.email = value; break;
	case 'N': a->in.name = value; break;
	case 'r': a->in.role = value; break;
	case 'p': a->in.phone = value; break;
	case 'b': a->in.dob = value; break;
	case 'a': a->in.address = value; break;
	case 'P': a->pw_stdin = 1; break;
	case 'E': a->in.enroll_in_portal = 1; break;
	case 'q': add_queue_opt(a, value); break;
	case 'A': a->q_add = value; break;
	case 'R': a->q_remove = value; break;
	case 'n': a->in.account_number = value; break;
	case 'f': a->field = value; break;
	case 'V': a->value_stdin = 1; break;
	default: return -1;
	}
	return 0;
}

int
account_parse(enum realm realm, const char *command, int argc, char **argv,
	      struct account_args *a)
{
	static const struct option lo[] = {
		{"dir", required_argument, 0, 'd'},
		{"email", required_argument, 0, 'e'},
		{"name", required_argument, 0, 'N'},
		{"role", required_argument, 0, 'r'},
		{"phone", required_argument, 0, 'p'},
		{"dob", required_argument, 0, 'b'},
		{"address", required_argument, 0, 'a'},
		{"password-stdin", no_argument, 0, 'P'},
		{"enroll-in-portal", no_argument, 0, 'E'},
		{"queue", required_argument, 0, 'q'},
		{"add", required_argument, 0, 'A'},
		{"remove", required_argument, 0, 'R'},
		{"account-number", required_argument, 0, 'n'},
		{"field", required_argument, 0, 'f'},
		{"value-stdin", no_argument, 0, 'V'},
		{0, 0, 0, 0}};
	int c;

	memset(a, 0, sizeof(*a));
	a->command = command;
	a->dir = CLI_DEFAULT_DIR;
	a->in.realm = realm;
	a->in.actor = "cli";
	if (argc < 2)
		return cli_usage_error(command);
	a->verb = argv[1];
	argc--;
	argv++;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1)
		if (apply_option(a, c, optarg) < 0)
			return cli_usage_error(command);
	if (optind != argc || a->in.email == NULL)
		return cli_usage_error(command);
	return 0;
}

int
account_is_state_verb(const char *verb)
{
	return strcmp(verb, "unlock") == 0 || strcmp(verb, "disable") == 0 ||
	       strcmp(verb, "enable") == 0;
}

/* Reads a password from stdin: at most PASSWORD_MAX_BYTES, one trailing
 * newline removed. The buffer is a crypto secret (crypto_secret_free). */
static char *
read_password(size_t *len)
{
	char *buf = crypto_secret_alloc(PASSWORD_MAX_BYTES + 2);
	size_t n;

	if (buf == NULL)
		return NULL;
	n = fread(buf, 1, PASSWORD_MAX_BYTES + 1, stdin);
	if (n > PASSWORD_MAX_BYTES) {
		crypto_secret_free(buf);
		return NULL;
	}
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* What to print about a new account: how to set up its authenticator. */
static json_t *
created_json(const struct account_args *a, const struct account_created *out)
{
	if (a->in.enroll_in_portal)
		return json_pack("{s:I, s:s}", "id", (json_int_t)out->id, "totp",
				 "enrol at first portal login");
	return json_pack("{s:I, s:s, s:s}", "id", (json_int_t)out->id,
			 "totp_secret", out->totp_secret, "otpauth_uri",
			 out->otpauth_uri);
}

int
account_create(struct app *app, struct store_conn *conn,
	       struct account_args *a, json_t **out, int64_t *id)
{
	struct account_created made;
	const char *field = NULL, *reason = NULL;
	char *pw;
	int rc;

	memset(&made, 0, sizeof(made));
	pw = read_password(&a->in.password_len);
	if (pw == NULL)
		return cli_fail("the password on stdin is too long");
	a->in.password = pw;
	rc = accounts_create(app, conn, &a->in, &made, &field, &reason);
	crypto_secret_free(pw);
	a->in.password = NULL;
	if (rc < 0)
		return cli_print_error(rc, reason, field);
	*out = created_json(a, &made);
	*id = made.id;
	crypto_wipe(made.totp_secret, sizeof(made.totp_secret));
	free(made.otpauth_uri);
	return 0;
}

int
account_set_state(struct app *app, struct store_conn *conn,
		  struct account_args *a)
{
	enum realm realm = a->in.realm;
	int rc;

	if (strcmp(a->verb, "unlock") == 0)
		rc = accounts_unlock(app, conn, realm, a->in.email, "cli");
	else
		rc = accounts_set_disabled(app, conn, realm, a->in.email,
					   strcmp(a->verb, "disable") == 0,
					   "cli");
	if (rc < 0) {
		fprintf(stderr, "gatehouse: %s: %s\n", a->verb,
			rc == -GH_NOT_FOUND ? "no such account"
					    : err_message(rc));
		return 1;
	}
	printf("{\"%s\": true}\n", a->verb);
	return 0;
}

int
account_run(struct account_args *a,
	    int (*verb)(struct app *app, struct store_conn *conn,
			struct account_args *a))
{
	struct store_conn *conn;
	struct app app;
	int rc;

	if (cli_open_app(&app, a->dir) != 0)
		return 1;
	conn = store_acquire(app.store);
	rc = verb(&app, conn, a);
	store_release(app.store, conn);
	app_close(&app);
	return rc;
}
