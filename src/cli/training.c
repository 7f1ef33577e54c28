/*
 * `gatehouse training import|list|status|complete`: staff training from
 * the command line. import reads a directory of module files (ID.md and
 * ID.quiz.json) and stores them all or none; complete records training
 * done in another learning platform, audited with the Unix user who
 * recorded it ("cli:USER").
 */
#include <dirent.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/training.h"
#include "util/errors.h"

/* Files one import reads at most. */
#define IMPORT_FILES_MAX (2 * TRAINING_MODULES_MAX + 8)

struct training_args {
	const char *verb;
	const char *dir;
	const char *email;
	const char *module;
	const char *date;
	const char *path;       /* import's DIR */
	int all;
};

/* "cli:USER" for the effective Unix user into by. */
static void
recorder(char *by, size_t sz)
{
	struct passwd *pw = getpwuid(geteuid());
	const char *u = pw != NULL ? pw->pw_name : NULL;
	char name[33];
	size_t n = 0;

	for (; u != NULL && u[n] != '\0' && n < sizeof(name) - 1; n++)
		name[n] = (u[n] >= 'a' && u[n] <= 'z') ||
					  (u[n] >= 'A' && u[n] <= 'Z') ||
					  (u[n] >= '0' && u[n] <= '9') ||
					  u[n] == '-' || u[n] == '_' || u[n] == '.'
				  ? u[n]
				  : '_';
	name[n] = '\0';
	if (n == 0)
		snprintf(name, sizeof(name), "uid%u", (unsigned)geteuid());
	snprintf(by, sz, "cli:%s", name);
}

/* The file dir/name into *data (malloc'd, NUL-ended), at most max + 1
 * bytes (so a longer one is still seen as too long). 0 or -1. */
static int
read_small(const char *dir, const char *name, size_t max, char **data,
	   size_t *len)
{
	char path[4096];
	FILE *f;
	char *buf;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (f == NULL)
		return -1;
	buf = malloc(max + 2);
	n = buf != NULL ? fread(buf, 1, max + 1, f) : 0;
	fclose(f);
	if (buf == NULL)
		return -1;
	buf[n] = '\0';
	*data = buf;
	*len = n;
	return 0;
}

static void
files_free(struct training_file *files, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free((char *)(uintptr_t)files[i].name);
		free((char *)(uintptr_t)files[i].data);
	}
}

/* The regular files of dir into files (sorted by readdir order; the
 * import does not depend on it). 0, or 1 after the error. */
static int
read_dir(const char *dir, struct training_file *files, size_t *n)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	char *data;
	size_t len;
	int rc = 0;

	*n = 0;
	if (d == NULL)
		return cli_fail("training import: cannot read the directory");
	while (rc == 0 && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (*n == IMPORT_FILES_MAX) {
			rc = cli_print_error(-GH_BAD_MODULE,
					     "Too many files in the directory.",
					     NULL);
			break;
		}
		if (read_small(dir, e->d_name, TRAINING_MD_MAX, &data, &len) <
		    0) {
			rc = cli_fail("training import: cannot read a file");
			break;
		}
		files[*n] = (struct training_file){strdup(e->d_name), data,
						   len};
		(*n)++;
	}
	closedir(d);
	return rc;
}

/* `training import DIR`. */
static int
do_import(struct app *app, struct store_conn *c, const char *path)
{
	struct training_file files[IMPORT_FILES_MAX];
	char by[48], err[512];
	size_t n = 0, imported = 0;
	int rc;

	rc = read_dir(path, files, &n);
	if (rc == 0) {
		recorder(by, sizeof(by));
		rc = training_import(app, c, by, files, n, (int64_t)time(NULL),
				     err, sizeof(err), &imported);
		if (rc < 0)
			rc = cli_print_error(rc, err[0] != '\0' ? err : NULL,
					     NULL);
		else
			cli_print_json(json_pack("{s:I}", "imported",
						 (json_int_t)imported));
	}
	files_free(files, n);
	return rc;
}

/* "YYYY-MM-DD" of t (UTC) into buf. */
static void
day_of(int64_t t, char *buf, size_t sz)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0 || gmtime_r(&tt, &tm) == NULL) {
		snprintf(buf, sz, "%s", "");
		return;
	}
	strftime(buf, sz, "%Y-%m-%d", &tm);
}

/* `training list`. */
static int
do_list(struct app *app, struct store_conn *c)
{
	struct training_module_list l = {NULL, 0};
	json_t *a;
	int rc = training_modules(c, &l);

	if (rc < 0)
		return cli_print_error(rc, NULL, NULL);
	a = json_array();
	for (size_t i = 0; i < l.n; i++) {
		const struct training_module *m = &l.v[i];
		struct training_state s = {.required = m->required};

		snprintf(s.module_id, sizeof(s.module_id), "%s", m->id);
		json_array_append_new(
			a, json_pack("{s:s, s:s, s:I, s:I, s:b}", "id", m->id,
				     "title", m->title, "pass_mark",
				     (json_int_t)m->pass_mark,
				     "validity_months",
				     (json_int_t)(m->validity_months > 0
							  ? m->validity_months
							  : app->cfg
								.training_validity_months),
				     "required",
				     training_is_required(app, &s)));
	}
	training_module_list_clear(&l);
	cli_print_json(json_pack("{s:o}", "modules", a));
	return 0;
}

/* `training status --email E`. */
static int
do_status(struct app *app, struct store_conn *c, const char *email)
{
	struct training_state_list l = {NULL, 0};
	int64_t id = 0, now = (int64_t)time(NULL);
	char day[16];
	json_t *a;
	int rc = training_staff_id(c, email, &id);

	if (rc == 0)
		rc = training_states(c, id, &l);
	if (rc < 0)
		return cli_print_error(rc, rc == -GH_NOT_FOUND
						   ? "No staff member has this "
						     "e-mail address."
						   : NULL,
				       "email");
	a = json_array();
	for (size_t i = 0; i < l.n; i++) {
		day_of(l.v[i].expires_at, day, sizeof(day));
		json_array_append_new(
			a, json_pack("{s:s, s:s, s:b, s:s, s:s?}", "id",
				     l.v[i].module_id, "status",
				     training_status(&l.v[i], now), "required",
				     training_is_required(app, &l.v[i]),
				     "expires", day,
				     "assigned_reason",
				     l.v[i].reason[0] != '\0' ? l.v[i].reason
							      : NULL));
	}
	training_state_list_clear(&l);
	rc = training_gate(app, c, id, now, NULL);
	cli_print_json(json_pack("{s:s, s:b, s:o}", "email", email,
				 "gate_open", rc == 0, "modules", a));
	return 0;
}

/* "YYYY-MM-DD" as midnight UTC; -1 when it is not a date. */
static int64_t
parse_day(const char *s)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	if (s == NULL || strlen(s) != 10)
		return -1;
	end = strptime(s, "%Y-%m-%d", &tm);
	if (end == NULL || *end != '\0')
		return -1;
	return (int64_t)timegm(&tm);
}

/* `training complete --email E --module M|--all [--date D]`. */
static int
do_complete(struct app *app, struct store_conn *c,
	    const struct training_args *a)
{
	int64_t now = (int64_t)time(NULL), at = now, id = 0, exp = 0;
	char by[48], day[16];
	int rc;

	if (a->date != NULL) {
		at = parse_day(a->date);
		if (at < 0)
			return cli_print_error(-GH_BAD_FIELD,
					       "The date must be YYYY-MM-DD.",
					       "date");
	}
	rc = training_staff_id(c, a->email, &id);
	if (rc < 0)
		return cli_print_error(rc, "No staff member has this e-mail "
					   "address.", "email");
	recorder(by, sizeof(by));
	rc = training_record(app, c, by, id, a->all ? NULL : a->module,
			     "external", at, now, &exp);
	if (rc < 0)
		return cli_print_error(rc, rc == -GH_BAD_FIELD
						   ? "The date may not be in the "
						     "future."
						   : NULL,
				       rc == -GH_BAD_FIELD ? "date" : "module");
	day_of(exp, day, sizeof(day));
	cli_print_json(json_pack("{s:s, s:s, s:s, s:s}", "email", a->email,
				 "module", a->all ? "all" : a->module,
				 "recorded_by", by, "expires", day));
	return 0;
}

/* Which options go with which verb: 0, or 2 after the usage. */
static int
check_args(const struct training_args *a)
{
	const char *v = a->verb;
	int other = a->email || a->module || a->date || a->all;

	if (strcmp(v, "import") == 0 && a->path != NULL && !other)
		return 0;
	if (strcmp(v, "list") == 0 && a->path == NULL && !other)
		return 0;
	if (strcmp(v, "status") == 0 && a->path == NULL && a->email &&
	    !a->module && !a->date && !a->all)
		return 0;
	if (strcmp(v, "complete") == 0 && a->path == NULL && a->email &&
	    (a->module != NULL) != (a->all != 0))
		return 0;
	return cli_usage_error("training");
}

static int
parse_args(int argc, char **argv, struct training_args *a)
{
	static const struct option lo[] = {
		{"dir", required_argument, 0, 'd'},
		{"email", required_argument, 0, 'e'},
		{"module", required_argument, 0, 'm'},
		{"date", required_argument, 0, 't'},
		{"all", no_argument, 0, 'a'},
		{0, 0, 0, 0}};
	int c;

	memset(a, 0, sizeof(*a));
	a->dir = CLI_DEFAULT_DIR;
	if (argc < 2)
		return cli_usage_error("training");
	a->verb = argv[1];
	optind = 1;
	while ((c = getopt_long(argc - 1, argv + 1, "", lo, NULL)) != -1) {
		switch (c) {
		case 'd': a->dir = optarg; break;
		case 'e': a->email = optarg; break;
		case 'm': a->module = optarg; break;
		case 't': a->date = optarg; break;
		case 'a': a->all = 1; break;
		default: return cli_usage_error("training");
		}
	}
	if (optind < argc - 1)
		a->path = argv[1 + optind++];
	if (optind != argc - 1)
		return cli_usage_error("training");
	return check_args(a);
}

int
cli_training(int argc, char **argv)
{
	struct training_args a;
	struct store_conn *conn;
	struct app app;
	int rc = parse_args(argc, argv, &a);

	if (rc != 0)
		return rc;
	if (cli_open_app(&app, a.dir) != 0)
		return 1;
	conn = store_acquire(app.store);
	if (strcmp(a.verb, "import") == 0)
		rc = do_import(&app, conn, a.path);
	else if (strcmp(a.verb, "list") == 0)
		rc = do_list(&app, conn);
	else if (strcmp(a.verb, "status") == 0)
		rc = do_status(&app, conn, a.email);
	else
		rc = do_complete(&app, conn, &a);
	store_release(app.store, conn);
	app_close(&app);
	return rc;
}
