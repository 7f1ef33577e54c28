/*
 * `gatehouse backup --dir DIR --to FILE` and `gatehouse restore --dir
 * NEWDIR --from FILE`: a copy of the database made while the server runs
 * (SQLite's online backup API, store/store_backup.h), and a new data
 * directory made from such a copy.
 *
 * A backup holds the database only: personal fields and TOTP seeds as
 * ciphertexts, the audit log and its signed checkpoints. It holds no key,
 * so it is unreadable without the key files of DIR, and restore never
 * creates or copies a key: the operator copies them from where they are
 * kept, which must not be where the backups are. Both commands refuse to
 * overwrite anything. A PostgreSQL store is backed up with pg_dump
 * (docs/operations.md), not here.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/audit.h"
#include "crypto/crypto.h"
#include "store/store_backup.h"
#include "util/errors.h"

/* The database file name restore writes (the default [database] url). */
#define RESTORE_DB "gatehouse.db"

/* The files besides the field keys that a data directory needs. */
static const char *const other_files[] = {
	"keys/current", "audit.key", "audit.pub", "tls.key", "tls.crt",
	"gatehouse.conf", NULL};

struct bk_args {
	const char *dir;
	const char *file;
};

/* --dir and the file option (--to or --from), both required. 0, or 2
 * after the usage of cmd. */
static int
parse_args(int argc, char **argv, const char *cmd, const char *fileopt,
	   struct bk_args *a)
{
	const struct option lo[] = {{"dir", required_argument, 0, 'd'},
				    {fileopt, required_argument, 0, 'f'},
				    {0, 0, 0, 0}};
	int c;

	a->dir = NULL;
	a->file = NULL;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (c == 'd')
			a->dir = optarg;
		else if (c == 'f')
			a->file = optarg;
		else
			return cli_usage_error(cmd);
	}
	if (optind != argc || a->dir == NULL || a->file == NULL ||
	    a->dir[0] == '\0' || a->file[0] == '\0')
		return cli_usage_error(cmd);
	return 0;
}

/* The key files of the data directory abs (the field key ring, the audit
 * signing key, the TLS key) and the files serve needs besides, as a JSON
 * array of names relative to abs. */
static json_t *
key_files(const char *abs)
{
	struct crypto_ring_entry e[CRYPTO_RING_MAX];
	json_t *a = json_array();
	uint32_t current = 0;
	size_t n = 0;

	if (crypto_ring_list(abs, e, CRYPTO_RING_MAX, &n, &current) < 0) {
		n = 1;
		snprintf(e[0].file, sizeof(e[0].file), "master.key");
	}
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(e[i].file));
	if (n > 0 && e[0].retired)
		json_array_append_new(a, json_string("keys/1.retired"));
	for (size_t i = 0; other_files[i] != NULL; i++) {
		char path[PATH_MAX + 32];
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", abs, other_files[i]);
		if (lstat(path, &st) == 0)
			json_array_append_new(a, json_string(other_files[i]));
	}
	return a;
}

/* "a, b, c" of a JSON array of strings, into out. */
static void
join_names(const json_t *names, char *out, size_t outsz)
{
	size_t i, len = 0;
	json_t *v;

	out[0] = '\0';
	json_array_foreach(names, i, v) {
		int w = snprintf(out + len, outsz - len, "%s%s", i ? ", " : "",
				 json_string_value(v));

		if (w < 0 || (size_t)w >= outsz - len)
			return;
		len += (size_t)w;
	}
}

/* 1 when path (absolute, resolved) is dir or lies inside it. */
static int
path_within(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(path, dir, n) == 0 &&
	       (path[n] == '\0' || path[n] == '/' || strcmp(dir, "/") == 0);
}

/* The resolved directory that will hold file (which need not exist),
 * into out. 0, or 1 after a message. */
static int
parent_of(const char *file, char *out)
{
	char buf[PATH_MAX];
	char *slash;

	if (strlen(file) >= sizeof(buf))
		return cli_fail("the file name is too long");
	memcpy(buf, file, strlen(file) + 1);
	slash = strrchr(buf, '/');
	if (slash == NULL)
		snprintf(buf, sizeof(buf), ".");
	else if (slash == buf)
		buf[1] = '\0';
	else
		*slash = '\0';
	if (realpath(buf, out) == NULL)
		return cli_fail("the directory of the file does not exist");
	return 0;
}

/* The SQLite file of cfg's [database] url into out, or 1 after saying
 * how another store is backed up. */
static int
database_file(const struct config *cfg, char *out, size_t outsz)
{
	const char *url = cfg->database_url;

	if (strncmp(url, "sqlite:", 7) != 0) {
		fprintf(stderr,
			"gatehouse: backup: this data directory's store is not "
			"SQLite; back a PostgreSQL store up with pg_dump "
			"--format=custom and restore it with pg_restore "
			"(docs/operations.md, \"Backup and restore\")\n");
		return 1;
	}
	if (url[7] == '/')
		snprintf(out, outsz, "%s", url + 7);
	else
		snprintf(out, outsz, "%s/%s", cfg->dir, url + 7);
	return 0;
}

/* The configuration of the data directory dir into cfg (malloc'd; the
 * caller frees). 0, or 1 after a message. */
static int
load_config(const char *dir, struct config **cfg)
{
	char abs[PATH_MAX], path[PATH_MAX + 32], err[512];

	*cfg = NULL;
	if (realpath(dir, abs) == NULL)
		return cli_fail("backup: no such data directory");
	*cfg = calloc(1, sizeof(**cfg));
	if (*cfg == NULL)
		return cli_fail("out of memory");
	config_defaults(*cfg, abs);
	snprintf(path, sizeof(path), "%s/gatehouse.conf", abs);
	if (config_load(*cfg, path, err, sizeof(err)) < 0) {
		free(*cfg);
		*cfg = NULL;
		return cli_fail(err);
	}
	return 0;
}

/* What the store.backup record says. */
struct backup_rec {
	struct app *app;
	const char *to;
	int64_t bytes;
	int version;
};

/* Appends the store.backup record (in its own transaction). */
static int
backup_tx(struct store_conn *c, void *cls)
{
	struct backup_rec *r = cls;
	struct audit_ev ev = {
		.actor = "cli",
		.action = "store.backup",
		.outcome = "success",
		.detail = json_pack("{s:s, s:I, s:i}", "to", r->to, "bytes",
				    (json_int_t)r->bytes, "schema_version",
				    r->version),
	};

	return audit_log(r->app, c, &ev);
}

/* The warning every backup prints: what it holds and what it lacks. */
static void
warn_keys(const char *dir, const json_t *keys)
{
	char names[2048];

	join_names(keys, names, sizeof(names));
	fprintf(stderr,
		"gatehouse: backup: WARNING: this backup holds the database "
		"only; personal fields and TOTP seeds are in it as "
		"ciphertexts. It is unreadable without the files of %s that "
		"hold its keys and configuration: "
		"%s. Keep those keys and the backups apart (different media, "
		"different custodians): a backup stored with its keys is "
		"personal data in clear.\n",
		dir, names);
}

/* Copies the database of app to the new file abs_to (its directory
 * checked already) and records it. 0, or 1 after a message. */
static int
run_backup(struct app *app, const char *abs_to)
{
	struct backup_rec r = {.app = app, .to = abs_to};
	char db[PATH_MAX + CONFIG_STR_MAX], err[600];
	struct store_conn *c;
	json_t *keys;
	int rc;

	if (database_file(&app->cfg, db, sizeof(db)) != 0)
		return 1;
	if (store_sqlite_backup(db, abs_to, &r.bytes, &r.version, err,
				sizeof(err)) < 0) {
		fprintf(stderr, "gatehouse: backup: %s\n", err);
		return 1;
	}
	c = store_acquire(app->store);
	rc = store_transact(c, backup_tx, &r);
	store_release(app->store, c);
	if (rc < 0)
		fprintf(stderr, "gatehouse: backup: written, but the audit "
				"record failed (%s)\n", err_code(rc));
	keys = key_files(app->cfg.dir);
	warn_keys(app->cfg.dir, keys);
	cli_print_json(json_pack("{s:s, s:I, s:i, s:s, s:o}", "backup", abs_to,
				 "bytes", (json_int_t)r.bytes,
				 "schema_version", r.version, "integrity",
				 "ok", "files_not_included", keys));
	return rc < 0 ? 1 : 0;
}

int
cli_backup(int argc, char **argv)
{
	char parent[PATH_MAX], abs_to[PATH_MAX + 256];
	const char *base;
	struct config *cfg = NULL;
	struct bk_args a;
	struct stat st;
	struct app app;
	int rc;

	rc = parse_args(argc, argv, "backup", "to", &a);
	if (rc != 0)
		return rc;
	if (load_config(a.dir, &cfg) != 0)
		return 1;
	rc = database_file(cfg, parent, sizeof(parent));
	if (rc == 0 && lstat(a.file, &st) == 0)
		rc = cli_fail("backup: the file exists; a backup never "
			      "overwrites one");
	if (rc == 0)
		rc = parent_of(a.file, parent);
	if (rc == 0 && path_within(parent, cfg->dir))
		rc = cli_fail("backup: the backup must not be inside the data "
			      "directory, where the keys are");
	base = strrchr(a.file, '/');
	if (rc == 0 && (size_t)snprintf(abs_to, sizeof(abs_to), "%s/%s", parent,
					base != NULL ? base + 1 : a.file) >=
			       sizeof(abs_to))
		rc = cli_fail("backup: the file name is too long");
	free(cfg);
	if (rc != 0)
		return rc;
	if (cli_open_app(&app, a.dir) != 0)
		return 1;
	rc = run_backup(&app, abs_to);
	app_close(&app);
	return rc;
}

/* The files a restored directory needs before serve, for the report. */
static const char *const restore_needs[] = {
	"gatehouse.conf", "master.key", "keys/ (every N.key, current, and "
	"1.retired if there)", "audit.key", "audit.pub", "tls.key", "tls.crt",
	NULL};

/* dir absent (then created, mode 0700, *created = 1) or an empty
 * directory. 0, or 1 after a message. */
static int
prepare_dir(const char *dir, int *created)
{
	struct dirent *e;
	DIR *d;

	*created = 0;
	if (mkdir(dir, 0700) == 0) {
		*created = 1;
		return 0;
	}
	if (errno != EEXIST)
		return cli_fail("restore: the new data directory cannot be "
				"created");
	d = opendir(dir);
	if (d == NULL)
		return cli_fail("restore: --dir exists and is not a directory");
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			closedir(d);
			return cli_fail("restore: the new data directory is not "
					"empty; a restore never mixes a backup "
					"into an existing desk");
		}
	}
	closedir(d);
	return 0;
}

/* Tells the operator what the new directory still needs. */
static void
tell_next_steps(const char *abs, int version)
{
	json_t *needs = json_array();

	fprintf(stderr,
		"gatehouse: restore: the database is restored into "
		"%s/" RESTORE_DB " (schema version %d, integrity ok).\n"
		"The backup holds no key. Before `gatehouse serve --dir %s`, "
		"copy into %s, from where the keys of the backed-up desk are "
		"kept (apart from the backups), with mode 0600 and owned by "
		"the server's user: gatehouse.conf (with [database] url = "
		"sqlite:" RESTORE_DB "), master.key, keys/ (every N.key, "
		"current, and 1.retired if there), audit.key, audit.pub, "
		"tls.key and tls.crt. Then run `gatehouse audit verify --dir "
		"%s`. Without those keys the data cannot be read.\n",
		abs, version, abs, abs, abs);
	for (size_t i = 0; restore_needs[i] != NULL; i++)
		json_array_append_new(needs, json_string(restore_needs[i]));
	cli_print_json(json_pack("{s:s, s:s, s:i, s:s, s:o}", "dir", abs,
				 "database", RESTORE_DB, "schema_version",
				 version, "integrity", "ok",
				 "copy_before_serve", needs));
}

int
cli_restore(int argc, char **argv)
{
	char abs[PATH_MAX], db[PATH_MAX + 32], err[600], outbox[PATH_MAX + 32];
	struct bk_args a;
	struct stat st;
	int created = 0;
	int version = 0;
	int rc;

	rc = parse_args(argc, argv, "restore", "from", &a);
	if (rc != 0)
		return rc;
	if (stat(a.file, &st) != 0 || !S_ISREG(st.st_mode))
		return cli_fail("restore: the backup file does not exist or is "
				"not a regular file");
	if (prepare_dir(a.dir, &created) != 0)
		return 1;
	if (realpath(a.dir, abs) == NULL)
		return cli_fail("restore: the new data directory cannot be "
				"resolved");
	snprintf(db, sizeof(db), "%s/" RESTORE_DB, abs);
	snprintf(outbox, sizeof(outbox), "%s/outbox", abs);
	if (store_sqlite_restore(a.file, db, &version, err, sizeof(err)) < 0) {
		fprintf(stderr, "gatehouse: restore: %s\n", err);
		if (created)
			(void)rmdir(abs);
		return 1;
	}
	if (mkdir(outbox, 0700) < 0)
		return cli_fail("restore: the outbox cannot be created");
	tell_next_steps(abs, version);
	return 0;
}
