/*
 * The command line: one table of commands (name, one-line summary, usage
 * text, handler) in commands.c, one file per command, and the helpers the
 * commands share. main.c only looks a command up and runs it.
 *
 * Every command follows the same rules: output for scripts is JSON on
 * stdout, diagnostics go to stderr; exit status 0 is success, 1 a refusal
 * or failure (with a message), 2 a usage error (with the command's usage).
 */
#ifndef GH_CLI_CLI_H
#define GH_CLI_CLI_H

#include <jansson.h>
#include <stdio.h>

#include "core/app.h"

/* The data directory when --dir is not given. */
#define CLI_DEFAULT_DIR "./var"

/* What a refused queue name is told. */
#define CLI_QUEUE_NAME_HELP                                                 \
	"A queue name is 1 to 32 characters of a-z, 0-9, - and _, "         \
	"starting with a letter or digit."

struct cli_command {
	const char *name;
	const char *summary; /* one line, for `gatehouse help` */
	const char *usage;   /* synopsis lines, for `gatehouse help NAME` */
	/* argv[0] is the command's name. Returns the exit status. */
	int (*run)(int argc, char **argv);
};

/* The table, in the order `gatehouse help` lists it; ended by an entry
 * with a NULL name. */
extern const struct cli_command cli_commands[];

/* The command called name, or NULL. */
const struct cli_command *cli_command_find(const char *name);

/* `gatehouse help [COMMAND]`: the list of commands, or one command's
 * summary and usage, on stdout. 0, or 2 for an unknown command. */
int cli_help(int argc, char **argv);

/* Says on stderr that there is no command called name; returns 2. */
int cli_unknown_command(const char *name);

/* Prints the list of commands (and how to get more) on f. */
void cli_print_commands(FILE *f);

/* Prints the usage of the command called name on stderr and returns 2,
 * the exit status of a usage error. */
int cli_usage_error(const char *name);

/* Prints "gatehouse: what" on stderr and returns 1. */
int cli_fail(const char *what);

/* Prints {"error", "message", "field"?} on stderr; message NULL means the
 * registry's text for rc. Returns 1, the exit status of a refusal. */
int cli_print_error(int rc, const char *message, const char *field);

/* Prints j indented, in insertion order, on stdout, then releases it. */
void cli_print_json(json_t *j);

/* Opens the application in dir (config, keys, store). 0, or 1 after
 * printing the reason. */
int cli_open_app(struct app *app, const char *dir);

/* Signs a checkpoint of the audit log with DIR/audit.key (audit.c; also
 * run by serve every minute and at shutdown). 0 or negative, logged. */
int cli_audit_checkpoint(struct app *app);

/* The handlers of the table, one file each. */
int cli_init(int argc, char **argv);
int cli_serve(int argc, char **argv);
int cli_staff(int argc, char **argv);
int cli_customer(int argc, char **argv);
int cli_queue(int argc, char **argv);
int cli_audit(int argc, char **argv);
int cli_keys(int argc, char **argv);
int cli_field(int argc, char **argv);
int cli_training(int argc, char **argv);
/* `backup` and `restore` (backup.c, issue 16 UNITS). */
int cli_backup(int argc, char **argv);
int cli_restore(int argc, char **argv);
/* `staff force-password-change` (staff_password.c); argv[0] is the verb. */
int cli_staff_force_password_change(int argc, char **argv);
/* `store copy` (store.c, issue 16): SQLite desk to PostgreSQL. */
int cli_store(int argc, char **argv);

#endif
