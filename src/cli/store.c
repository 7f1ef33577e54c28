/*
 * `gatehouse store copy --dir DIR --to URL [--password-file FILE]`: moves
 * the SQLite desk of DIR into an empty PostgreSQL database
 * (store/store_copy.h), from a consistent snapshot while `serve` may run.
 * The audit log is verified on the target with DIR/audit.pub, as `gatehouse
 * audit verify` does (records and signed checkpoints), inside the copy's
 * transaction: a log that does not verify there is never committed.
 *
 * The source desk's own audit log records the copy (store.copy, success
 * or failure, with the target's URL and the counts), after it: the
 * copy holds the log as it was when the copy began.
 *
 * The command does not edit gatehouse.conf: the desk keeps serving from
 * SQLite until the operator switches it, and it prints the line to set.
 * A URL holding a password is refused (the password goes in a file or
 * libpq's environment), so nothing this command prints holds one.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/audit.h"
#include "core/config.h"
#include "store/store_copy.h"
#include "util/errors.h"

struct store_args {
	const char *dir;
	const char *to;
	const char *password_file;
};

/* store copy's options: --dir and --to required. 0, or 2 after the
 * usage. */
static int
parse_args(int argc, char **argv, struct store_args *a)
{
	static const struct option lo[] = {
		{"dir", required_argument, 0, 'd'},
		{"to", required_argument, 0, 't'},
		{"password-file", required_argument, 0, 'p'},
		{0, 0, 0, 0}};
	int c;

	memset(a, 0, sizeof(*a));
	if (argc < 2 || strcmp(argv[1], "copy") != 0)
		return cli_usage_error("store");
	argc--;
	argv++;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (c == 'd')
			a->dir = optarg;
		else if (c == 't')
			a->to = optarg;
		else if (c == 'p')
			a->password_file = optarg;
		else
			return cli_usage_error("store");
	}
	if (optind != argc || a->dir == NULL || a->to == NULL ||
	    a->dir[0] == '\0' ||
	    (a->password_file != NULL && a->password_file[0] == '\0'))
		return cli_usage_error("store");
	return 0;
}

/* What the audit check hands back: the key and the report. */
struct audit_check {
	unsigned char pk[32];
	json_t *report;
};

/* store_copy_check_fn: the audit log verified on the target. */
static int
check_audit(struct store_conn *target, void *cls, char *err, size_t errsz)
{
	struct audit_check *a = cls;
	json_t *r;

	if (audit_verify(target, a->pk, &a->report) == 0)
		return 0;
	r = a->report;
	snprintf(err, errsz, "the audit log does not verify on the target "
		 "(%s; first bad record %lld, first bad checkpoint %lld): "
		 "nothing was committed; run `gatehouse audit verify --dir "
		 "DIR` on the desk",
		 json_string_value(json_object_get(r, "error"))
			 ? json_string_value(json_object_get(r, "error"))
			 : "it is not whole",
		 (long long)json_integer_value(
			 json_object_get(r, "first_bad_record")),
		 (long long)json_integer_value(
			 json_object_get(r, "first_bad_checkpoint")));
	return -1;
}

/* DIR/audit.pub into pk. 0 or -1. */
static int
load_pub(const char *dir, unsigned char pk[32])
{
	char path[CONFIG_STR_MAX + 16];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/audit.pub", dir);
	f = fopen(path, "rb");
	ok = f != NULL && fread(pk, 1, 32, f) == 32;
	if (f != NULL)
		fclose(f);
	return ok ? 0 : -1;
}

/* The SQLite file of the desk (its [database] url, relative to the data
 * directory unless absolute). 0, or 1 after saying why. */
static int
source_path(const struct app *app, char *out, size_t outsz)
{
	const char *u = app->cfg.database_url;

	if (strncmp(u, "sqlite:", 7) != 0)
		return cli_fail("store copy: the desk in --dir does not use "
				"SQLite ([database] url): there is nothing to "
				"copy from");
	if (u[7] == '/')
		snprintf(out, outsz, "%s", u + 7);
	else
		snprintf(out, outsz, "%s/%s", app->cfg.dir, u + 7);
	return 0;
}

/* The result on stdout and what to do next on stderr. */
static void
print_result(const struct store_args *a, const struct app *app,
	     const struct store_copy_result *r, json_t *audit)
{
	json_t *tables = json_object();
	json_int_t rows = 0;

	for (size_t i = 0; i < r->n; i++) {
		json_object_set_new(tables, r->tables[i].name,
				    json_integer(r->tables[i].rows));
		rows += r->tables[i].rows;
	}
	cli_print_json(json_pack(
		"{s:b, s:i, s:o, s:I, s:s, s:O, s:s}", "copied", 1,
		"schema_version", r->version, "tables", tables, "rows", rows,
		"derived", r->derived, "audit", audit, "database_url", a->to));
	fprintf(stderr,
		"gatehouse: store copy: done, and the audit log verifies on "
		"PostgreSQL.\n"
		"The desk in %s still runs on SQLite, and what it wrote after "
		"the copy began\nis not in PostgreSQL. To switch: stop "
		"`gatehouse serve`, copy again into a new,\nempty database if "
		"it served meanwhile, then set in %s/gatehouse.conf\n\n"
		"  [database]\n  url = %s\n\n"
		"(the password in [database] password_file or PGPASSFILE, "
		"never in the url)\nand start `gatehouse serve`.\n",
		app->cfg.dir, app->cfg.dir, a->to);
}

/* What the store.copy record says. */
struct copy_rec {
	struct app *app;
	const char *to;
	const struct store_copy_result *r; /* NULL: the copy failed */
};

/* Appends the store.copy record on the source desk (its own
 * transaction): where to, and what was copied; never a value. */
static int
copy_tx(struct store_conn *c, void *cls)
{
	struct copy_rec *x = cls;
	json_int_t rows = 0;
	struct audit_ev ev = {
		.actor = "cli",
		.action = "store.copy",
		.outcome = x->r != NULL ? "success" : "failure",
	};

	for (size_t i = 0; x->r != NULL && i < x->r->n; i++)
		rows += x->r->tables[i].rows;
	ev.detail = x->r != NULL
			    ? json_pack("{s:s, s:I, s:I, s:i}", "to", x->to,
					"tables", (json_int_t)x->r->n, "rows",
					rows, "schema_version", x->r->version)
			    : json_pack("{s:s}", "to", x->to);
	return audit_log(x->app, c, &ev);
}

static void
audit_copy(struct app *app, const char *to, const struct store_copy_result *r)
{
	struct copy_rec x = {app, to, r};
	struct store_conn *c = store_acquire(app->store);

	if (store_transact(c, copy_tx, &x) < 0)
		fprintf(stderr, "gatehouse: store copy: the audit record "
				"store.copy could not be written\n");
	store_release(app->store, c);
}

/* Opens the desk, copies, reports. The exit status. */
static int
run_copy(const struct store_args *a)
{
	struct audit_check chk = {0};
	struct store_copy_result r;
	char path[PATH_MAX + CONFIG_STR_MAX];
	char err[768];
	struct app app;
	int rc;

	if (cli_open_app(&app, a->dir) != 0)
		return 1;
	rc = source_path(&app, path, sizeof(path));
	if (rc == 0 && load_pub(app.cfg.dir, chk.pk) < 0)
		rc = cli_fail("store copy: audit.pub of the desk is unreadable");
	if (rc != 0) {
		app_close(&app);
		return rc;
	}
	/* After app_open, which set the desk's own (none for SQLite). */
	store_pg_password_file(a->password_file);
	rc = store_copy_to_pg(path, a->to, check_audit, &chk, &r, err,
			      sizeof(err));
	audit_copy(&app, a->to, rc == 0 ? &r : NULL);
	if (rc == 0)
		print_result(a, &app, &r, chk.report);
	else if (rc == -GH_EXISTS)
		cli_print_error(rc, err, "to");
	else
		fprintf(stderr, "gatehouse: store copy: %s\n", err);
	store_copy_result_clear(&r);
	json_decref(chk.report);
	app_close(&app);
	return rc == 0 ? 0 : 1;
}

int
cli_store(int argc, char **argv)
{
	struct store_args a;
	int rc = parse_args(argc, argv, &a);

	if (rc != 0)
		return rc;
	if (strncmp(a.to, "postgresql://", 13) != 0)
		return cli_fail("store copy: --to must be a postgresql:// URL");
	if (config_url_has_password(a.to))
		return cli_fail("store copy: --to holds a password: put it in "
				"a file named by --password-file, or in "
				"PGPASSFILE or ~/.pgpass (it is never printed)");
	return run_copy(&a);
}
