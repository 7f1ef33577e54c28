/*
 * `gatehouse queue add|list`: the ticket queues. Creating one is audited
 * by core; listing shows each queue with its number of members.
 */
#include <getopt.h>
#include <string.h>

#include "cli/cli.h"
#include "core/tickets.h"
#include "util/errors.h"

/* `queue add --name Q`. */
static int
queue_add(struct app *app, struct store_conn *conn, const char *name)
{
	int64_t id = 0;
	int rc = tickets_queue_create(app, conn, "cli", name, &id);

	if (rc < 0)
		return cli_print_error(rc, rc == -GH_BAD_FIELD
						   ? CLI_QUEUE_NAME_HELP
						   : NULL,
				       "name");
	cli_print_json(json_pack("{s:I, s:s}", "id", (json_int_t)id, "name",
				 name));
	return 0;
}

/* `queue list`. */
static int
queue_list(struct store_conn *conn)
{
	struct queue_list l = {NULL, 0};
	json_t *a;
	int rc = tickets_queue_list(conn, &l);

	if (rc < 0)
		return cli_print_error(rc, NULL, NULL);
	a = json_array();
	for (size_t i = 0; i < l.n; i++)
		json_array_append_new(
			a, json_pack("{s:I, s:s, s:I}", "id",
				     (json_int_t)l.v[i].id, "name", l.v[i].name,
				     "members", (json_int_t)l.v[i].members));
	queue_list_clear(&l);
	cli_print_json(json_pack("{s:o}", "queues", a));
	return 0;
}

int
cli_queue(int argc, char **argv)
{
	static const struct option lo[] = {{"dir", required_argument, 0, 'd'},
					   {"name", required_argument, 0, 'N'},
					   {0, 0, 0, 0}};
	const char *dir = CLI_DEFAULT_DIR;
	const char *name = NULL;
	const char *verb;
	struct store_conn *conn;
	struct app app;
	int add, rc, c;

	if (argc < 2)
		return cli_usage_error("queue");
	verb = argv[1];
	argc--;
	argv++;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'd': dir = optarg; break;
		case 'N': name = optarg; break;
		default: return cli_usage_error("queue");
		}
	}
	add = strcmp(verb, "add") == 0;
	if (optind != argc || (add && name == NULL) ||
	    (!add && (strcmp(verb, "list") != 0 || name != NULL)))
		return cli_usage_error("queue");
	if (cli_open_app(&app, dir) != 0)
		return 1;
	conn = store_acquire(app.store);
	rc = add ? queue_add(&app, conn, name) : queue_list(conn);
	store_release(app.store, conn);
	app_close(&app);
	return rc;
}
