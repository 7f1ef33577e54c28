/*
 * `gatehouse keys rotate|reseal|retire|list|add|use`: the key ring of the
 * field encryption (crypto.h). rotate makes a new key current and seals
 * every value again under it while the server runs; reseal finishes a
 * rotation that was interrupted; retire removes a key no value is sealed
 * under any more; list shows the keys and how many values each one
 * seals. add and use split rotate for several nodes: add writes a new
 * key that is not yet current, use makes a key (copied to this node)
 * current, then one reseal. Core
 * (core/keys.c) decides and audits; this prints. No key material and no
 * value is ever printed.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/keys.h"
#include "util/errors.h"

/* The tally of r as [{"key", "values"}], keys in r's order. */
static json_t *
tally_json(const struct keys_report *r)
{
	json_t *a = json_array();

	for (size_t i = 0; i < r->n; i++)
		json_array_append_new(
			a, json_pack("{s:I, s:I}", "key",
				     (json_int_t)r->by_key[i].id, "values",
				     (json_int_t)r->by_key[i].values));
	return a;
}

/* `keys rotate` and `keys reseal`: the report on stdout, and on failure
 * the reason on stderr. */
static int
keys_reseal_cmd(struct app *app, struct store_conn *conn, int rotate)
{
	struct keys_report r;
	const char *why = NULL;
	int rc = rotate ? keys_rotate(app, conn, "cli", &r, &why)
			: keys_reseal(app, conn, "cli", &r, &why);

	if (r.current != 0)
		cli_print_json(json_pack(
			"{s:I, s:o?, s:I, s:I, s:I, s:s?, s:o}", "key",
			(json_int_t)r.current, "previous",
			rotate ? json_integer(r.previous) : NULL, "resealed",
			(json_int_t)r.resealed, "changed",
			(json_int_t)r.changed, "failed", (json_int_t)r.failed,
			"first_failed", r.failed_column, "values",
			tally_json(&r)));
	if (rc < 0)
		return cli_print_error(rc, why, NULL);
	return 0;
}

/* The key id of --id N, or 0 when arg is not one. */
static uint32_t
key_id_arg(const char *arg)
{
	char *end = NULL;
	unsigned long id = strtoul(arg, &end, 10);

	if (end == arg || *end != '\0' || arg[0] == '-' || id < 1 ||
	    id > CRYPTO_KEY_ID_MAX)
		return 0;
	return (uint32_t)id;
}

/* `keys add` and `keys use --id N` (arg NULL for add). */
static int
keys_stage_cmd(struct app *app, struct store_conn *conn, const char *arg)
{
	const char *why = NULL;
	uint32_t id = arg != NULL ? key_id_arg(arg) : 0, previous = 0;
	int rc;

	if (arg != NULL && id == 0)
		return cli_usage_error("keys");
	rc = arg == NULL ? keys_add(app, conn, "cli", &id, &why)
			 : keys_use(app, conn, "cli", id, &previous, &why);
	if (rc < 0)
		return cli_print_error(rc, why, arg != NULL ? "id" : NULL);
	if (arg == NULL) {
		char file[32];

		snprintf(file, sizeof(file), "keys/%u.key", (unsigned)id);
		cli_print_json(json_pack("{s:I, s:b, s:s}", "key",
					 (json_int_t)id, "current", 0, "file",
					 file));
	} else {
		cli_print_json(json_pack("{s:I, s:I, s:b}", "key",
					 (json_int_t)id, "previous",
					 (json_int_t)previous, "current", 1));
	}
	return 0;
}

/* `keys retire --id N`. */
static int
keys_retire_cmd(struct app *app, struct store_conn *conn, const char *arg)
{
	const char *why = NULL;
	unsigned long id = key_id_arg(arg);
	int64_t left = 0;
	int rc;

	if (id == 0)
		return cli_usage_error("keys");
	rc = keys_retire(app, conn, "cli", (uint32_t)id, &left, &why);
	if (rc == -GH_CONFLICT) {
		fprintf(stderr, "gatehouse: keys retire: %lld values are "
				"still sealed under key %lu\n",
			(long long)left, id);
		return cli_print_error(rc, why, "id");
	}
	if (rc < 0)
		return cli_print_error(rc, why, "id");
	cli_print_json(json_pack("{s:I, s:b}", "retired", (json_int_t)id,
				 "ok", 1));
	return 0;
}

/* `keys list`: the ring's keys with their values, and values under a
 * key the ring does not hold (they no longer open). */
static int
keys_list_cmd(struct app *app, struct store_conn *conn)
{
	struct crypto_ring_entry e[CRYPTO_RING_MAX];
	struct keys_report r;
	json_t *keys = json_array(), *lost = json_array();
	uint32_t current = 0;
	size_t n = 0;
	int rc;

	memset(&r, 0, sizeof(r));
	rc = crypto_ring_list(app->cfg.dir, e, CRYPTO_RING_MAX, &n, &current);
	if (rc == 0)
		rc = keys_tally(app, conn, &r);
	for (size_t k = 0; rc == 0 && k < r.n; k++) {
		struct keys_tally *t = &r.by_key[k];
		size_t i = 0;

		while (i < n && (e[i].id != t->id || e[i].retired))
			i++;
		if (i == n)
			json_array_append_new(
				lost, json_pack("{s:I, s:I}", "key",
						(json_int_t)t->id, "values",
						(json_int_t)t->values));
	}
	for (size_t i = 0; rc == 0 && i < n; i++) {
		int64_t v = 0;

		for (size_t k = 0; k < r.n; k++)
			if (r.by_key[k].id == e[i].id && !e[i].retired)
				v = r.by_key[k].values;
		json_array_append_new(
			keys, json_pack("{s:I, s:s, s:b, s:b, s:I}", "id",
					(json_int_t)e[i].id, "file", e[i].file,
					"current", e[i].current, "retired",
					e[i].retired, "values", (json_int_t)v));
	}
	if (rc < 0) {
		json_decref(keys);
		json_decref(lost);
		return cli_fail("keys list: the key ring cannot be read");
	}
	cli_print_json(json_pack("{s:I, s:o, s:o}", "current",
				 (json_int_t)current, "keys", keys,
				 "unreadable", lost));
	return 0;
}

int
cli_keys(int argc, char **argv)
{
	static const struct option lo[] = {{"dir", required_argument, 0, 'd'},
					   {"id", required_argument, 0, 'i'},
					   {0, 0, 0, 0}};
	const char *dir = CLI_DEFAULT_DIR;
	const char *verb, *id = NULL;
	struct store_conn *conn;
	struct app app;
	int rc, c;

	if (argc < 2)
		return cli_usage_error("keys");
	verb = argv[1];
	optind = 1;
	while ((c = getopt_long(argc - 1, argv + 1, "", lo, NULL)) != -1) {
		switch (c) {
		case 'd': dir = optarg; break;
		case 'i': id = optarg; break;
		default: return cli_usage_error("keys");
		}
	}
	if (optind != argc - 1 ||
	    (strcmp(verb, "retire") == 0 || strcmp(verb, "use") == 0) !=
		    (id != NULL) ||
	    (strcmp(verb, "rotate") != 0 && strcmp(verb, "reseal") != 0 &&
	     strcmp(verb, "retire") != 0 && strcmp(verb, "list") != 0 &&
	     strcmp(verb, "add") != 0 && strcmp(verb, "use") != 0))
		return cli_usage_error("keys");
	if (cli_open_app(&app, dir) != 0)
		return 1;
	conn = store_acquire(app.store);
	if (strcmp(verb, "retire") == 0)
		rc = keys_retire_cmd(&app, conn, id);
	else if (strcmp(verb, "list") == 0)
		rc = keys_list_cmd(&app, conn);
	else if (strcmp(verb, "add") == 0 || strcmp(verb, "use") == 0)
		rc = keys_stage_cmd(&app, conn, id);
	else
		rc = keys_reseal_cmd(&app, conn, strcmp(verb, "rotate") == 0);
	store_release(app.store, conn);
	app_close(&app);
	return rc;
}
