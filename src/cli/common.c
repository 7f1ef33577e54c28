/*
 * What the commands share: messages on stderr (plain for a failure, the
 * registry's JSON for a refusal), JSON on stdout, and opening the
 * application. None of these ever prints a secret: callers pass codes,
 * registry messages and field names, never values.
 */
#include <stdio.h>

#include "cli/cli.h"
#include "util/errors.h"

int
cli_fail(const char *what)
{
	fprintf(stderr, "gatehouse: %s\n", what);
	return 1;
}

int
cli_print_error(int rc, const char *message, const char *field)
{
	json_t *j = json_pack("{s:s, s:s, s:s?}", "error", err_code(rc),
			      "message",
			      message != NULL ? message : err_message(rc),
			      "field", field);

	json_dumpf(j, stderr, JSON_COMPACT);
	fputc('\n', stderr);
	json_decref(j);
	return 1;
}

void
cli_print_json(json_t *j)
{
	json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	json_decref(j);
}

int
cli_open_app(struct app *app, const char *dir)
{
	char err[512];

	if (app_open(app, dir, err, sizeof(err)) < 0)
		return cli_fail(err);
	return 0;
}
