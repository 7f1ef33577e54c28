/*
 * `gatehouse init`: creates a data directory with everything serve needs
 * (configuration, master key, audit signing keys, a self-signed TLS
 * certificate, the outbox, the migrated database and the starter
 * training course). It never replaces
 * a file that exists: each step reports "created" or "kept", so running
 * it again is harmless.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli/cli.h"
#include "core/training.h"
#include "crypto/crypto.h"
#include "crypto/x509.h"

/* Validity of the self-signed certificate, in days. */
#define INIT_CERT_DAYS 397

/* Records the result of creating one file in report: "created", "kept"
 * (it existed), or -1 after a message. */
static int
init_step(json_t *report, const char *name, int rc)
{
	if (rc == -EEXIST) {
		json_object_set_new(report, name, json_string("kept"));
		return 0;
	}
	if (rc < 0) {
		fprintf(stderr, "gatehouse: init: cannot create %s\n", name);
		return -1;
	}
	json_object_set_new(report, name, json_string("created"));
	return 0;
}

/* The configuration and the key files in dir. 0 or -1. */
static int
create_files(json_t *report, const char *dir, const char *store_url)
{
	char p1[4096], p2[4096];

	snprintf(p1, sizeof(p1), "%s/gatehouse.conf", dir);
	if (init_step(report, "gatehouse.conf",
		      config_write_init(p1, store_url)) < 0)
		return -1;
	snprintf(p1, sizeof(p1), "%s/master.key", dir);
	if (init_step(report, "master.key", crypto_master_key_create(p1)) < 0)
		return -1;
	snprintf(p1, sizeof(p1), "%s/audit.key", dir);
	snprintf(p2, sizeof(p2), "%s/audit.pub", dir);
	if (init_step(report, "audit.key", crypto_ed25519_keys_create(p1, p2)) <
	    0)
		return -1;
	snprintf(p1, sizeof(p1), "%s/tls.key", dir);
	snprintf(p2, sizeof(p2), "%s/tls.crt", dir);
	if (init_step(report, "tls.crt",
		      x509_selfsigned_create(p1, p2, INIT_CERT_DAYS)) < 0)
		return -1;
	snprintf(p1, sizeof(p1), "%s/outbox", dir);
	if (mkdir(p1, 0700) < 0 && errno != EEXIST) {
		fprintf(stderr, "gatehouse: init: cannot create the outbox\n");
		return -1;
	}
	return 0;
}

/* The starter training course, when the database has no module yet. 0
 * or -1 after a message. */
static int
init_training(struct app *app, json_t *report)
{
	struct store_conn *c = store_acquire(app->store);
	int imported = 0;
	int rc = training_init(app, c, "cli", (int64_t)time(NULL), &imported);

	store_release(app->store, c);
	if (rc < 0) {
		fprintf(stderr, "gatehouse: init: cannot import the starter "
				"training course\n");
		return -1;
	}
	json_object_set_new(report, "training",
			    json_string(imported ? "created" : "kept"));
	return 0;
}

/* 1 (after a message) when --store names no store this build has or
 * holds a password (never written to the configuration). */
static int
init_store_refused(const char *url)
{
	if (strncmp(url, "sqlite:", 7) != 0 &&
	    strncmp(url, "postgresql://", 13) != 0) {
		fprintf(stderr, "gatehouse: init: --store must be sqlite:PATH "
				"or postgresql://USER@HOST:PORT/DB\n");
		return 1;
	}
	if (strlen(url) >= CONFIG_STR_MAX || strpbrk(url, "\r\n;") != NULL) {
		fprintf(stderr, "gatehouse: init: --store is too long or "
				"holds a line break or ';'\n");
		return 1;
	}
	if (config_url_has_password(url)) {
		fprintf(stderr, "gatehouse: init: --store holds a password: "
				"put it in [database] password_file (or "
				"PGPASSFILE), never in the URL\n");
		return 1;
	}
	return 0;
}

int
cli_init(int argc, char **argv)
{
	static const struct option lo[] = {{"dir", required_argument, 0, 'd'},
					   {"store", required_argument, 0, 's'},
					   {0, 0, 0, 0}};
	const char *dir = CLI_DEFAULT_DIR;
	const char *store_url = NULL;
	json_t *report = NULL;
	struct app app;
	int rc = 1;
	int c;

	while ((c = getopt_long(argc, argv, "d:s:", lo, NULL)) != -1) {
		if (c == 'd')
			dir = optarg;
		else if (c == 's')
			store_url = optarg;
		else
			return cli_usage_error("init");
	}
	/* --store URL: written as [database] url (issue 16). */
	if (store_url != NULL && init_store_refused(store_url))
		return 1;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return cli_fail("init: cannot create the data directory");
	if (crypto_init() < 0)
		return cli_fail("init: libsodium cannot be initialised");
	report = json_object();
	if (create_files(report, dir, store_url) < 0)
		goto out;
	/* Opening the app creates and migrates the database. */
	if (cli_open_app(&app, dir) != 0)
		goto out;
	json_object_set_new(report, "schema_version",
			    json_integer(store_schema_version(app.store)));
	json_object_set_new(report, "dir", json_string(app.cfg.dir));
	if (init_training(&app, report) < 0) {
		app_close(&app);
		goto out;
	}
	app_close(&app);
	cli_print_json(report);
	report = NULL;
	rc = 0;
out:
	json_decref(report);
	return rc;
}
