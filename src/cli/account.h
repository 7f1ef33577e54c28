/*
 * What `gatehouse staff` and `gatehouse customer` share (account.c): one
 * option table, reading the password from stdin, creating an account,
 * unlock/disable/enable, and running a verb with the application open.
 * Which options a realm accepts is decided in staff.c and customer.c.
 */
#ifndef GH_CLI_ACCOUNT_H
#define GH_CLI_ACCOUNT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/accounts.h"
#include "core/app.h"

/* The most --queue options one command line may hold. */
#define ACCOUNT_QUEUE_OPTS_MAX 64

struct account_args {
	const char *command; /* "staff" or "customer", for its usage */
	const char *verb;
	const char *dir;
	struct account_new in; /* realm, actor and the identity options */
	int pw_stdin;
	/* Staff: the --queue values as given, and --add / --remove. */
	const char *queue_opts[ACCOUNT_QUEUE_OPTS_MAX];
	size_t n_queue_opts;
	int too_many_queue_opts;
	const char *q_add;
	const char *q_remove;
	/* Customer set-field: --field and --value-stdin. */
	const char *field;
	int value_stdin;
};

/*
 * Parses `COMMAND VERB [OPTIONS]` (argv[0] is the command) into a for
 * realm: every option of both realms is recognised here. Requires a verb,
 * --email and no stray argument. 0, or 2 after printing the usage.
 */
int account_parse(enum realm realm, const char *command, int argc,
		  char **argv, struct account_args *a);

/* 1 when verb is unlock, disable or enable. */
int account_is_state_verb(const char *verb);

/*
 * `add`: requires --password-stdin and --name, reads the password from
 * stdin (wiped after use) and creates the account from a->in. On success
 * *out is the JSON to print (the TOTP secret and URI, or the enrolment
 * note) and *id the new account, and 0 is returned; otherwise the exit
 * status, after a message.
 */
int account_create(struct app *app, struct store_conn *conn,
		   struct account_args *a, json_t **out, int64_t *id);

/* `unlock|disable|enable`: prints {"VERB": true}. The exit status. */
int account_set_state(struct app *app, struct store_conn *conn,
		      struct account_args *a);

/* Opens the application in a->dir, runs verb with a connection, closes
 * everything. Returns verb's exit status (1 when the application does
 * not open). */
int account_run(struct account_args *a,
		int (*verb)(struct app *app, struct store_conn *conn,
			    struct account_args *a));

#endif
