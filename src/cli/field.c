/*
 * `gatehouse field add|list`: the custom personal fields an admin
 * defines (a name agents see, a data class C1 or C2). Creating one is
 * checked and audited by core/fields; a customer's value of one is set
 * with `gatehouse customer set-field`.
 */
#include <getopt.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "core/fields.h"
#include "util/errors.h"

/* What a refused field name or class is told. */
#define FIELD_HELP                                                          \
	"A field name is 1 to 32 characters of a-z, 0-9 and _, starting "   \
	"with a letter, and not a built-in field; the class is C1 "         \
	"(contact) or C2 (personal)."

static json_t *
def_json(const struct field_def *d)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:I}", "id", (json_int_t)d->id,
			 "name", d->name, "class", d->cls, "created_by",
			 d->created_by, "created_at",
			 (json_int_t)d->created_at);
}

/* `field add --name N --class C`. */
static int
field_add(struct app *app, struct store_conn *conn, const char *name,
	  const char *cls)
{
	struct field_def d;
	const char *field = NULL;
	int rc = fields_create(app, conn, NULL, name, cls,
			       (int64_t)time(NULL), &d, &field);

	if (rc == -GH_BAD_FIELD)
		return cli_print_error(rc, FIELD_HELP, field);
	if (rc == -GH_CONFLICT)
		return cli_print_error(rc, "A field with this name already "
					   "exists.",
				       "name");
	if (rc < 0)
		return cli_print_error(rc, NULL, NULL);
	cli_print_json(def_json(&d));
	return 0;
}

/* `field list`. */
static int
field_list(struct store_conn *conn)
{
	struct field_def_list l = {NULL, 0};
	json_t *a;
	int rc = fields_list(conn, &l);

	if (rc < 0)
		return cli_print_error(rc, NULL, NULL);
	a = json_array();
	for (size_t i = 0; i < l.n; i++)
		json_array_append_new(a, def_json(&l.v[i]));
	field_def_list_clear(&l);
	cli_print_json(json_pack("{s:o}", "fields", a));
	return 0;
}

int
cli_field(int argc, char **argv)
{
	static const struct option lo[] = {{"dir", required_argument, 0, 'd'},
					   {"name", required_argument, 0, 'N'},
					   {"class", required_argument, 0, 'c'},
					   {0, 0, 0, 0}};
	const char *dir = CLI_DEFAULT_DIR;
	const char *name = NULL, *cls = NULL;
	struct store_conn *conn;
	struct app app;
	int add, rc, c;

	if (argc < 2)
		return cli_usage_error("field");
	add = strcmp(argv[1], "add") == 0;
	if (!add && strcmp(argv[1], "list") != 0)
		return cli_usage_error("field");
	optind = 1;
	while ((c = getopt_long(argc - 1, argv + 1, "", lo, NULL)) != -1) {
		switch (c) {
		case 'd': dir = optarg; break;
		case 'N': name = optarg; break;
		case 'c': cls = optarg; break;
		default: return cli_usage_error("field");
		}
	}
	if (optind != argc - 1 || add != (name != NULL) ||
	    add != (cls != NULL))
		return cli_usage_error("field");
	if (cli_open_app(&app, dir) != 0)
		return 1;
	conn = store_acquire(app.store);
	rc = add ? field_add(&app, conn, name, cls) : field_list(conn);
	store_release(app.store, conn);
	app_close(&app);
	return rc;
}
