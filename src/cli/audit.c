/*
 * `gatehouse audit verify|checkpoint`: checks the audit log's hash chain
 * and signed checkpoints against DIR/audit.pub, or signs a new checkpoint
 * with DIR/audit.key. The signing key is read only for the signature and
 * wiped after it.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/audit.h"
#include "crypto/crypto.h"
#include "util/errors.h"
#include "util/log.h"

int
cli_audit_checkpoint(struct app *app)
{
	char path[CONFIG_STR_MAX + 16];
	unsigned char *sk = NULL;
	struct store_conn *c;
	int64_t size = 0;
	int rc;

	snprintf(path, sizeof(path), "%s/audit.key", app->cfg.dir);
	if (crypto_ed25519_load(path, &sk) < 0) {
		log_event(LOG_ERROR, "audit.checkpoint",
			  json_pack("{s:s}", "error", "audit.key unreadable"));
		return -1;
	}
	c = store_acquire(app->store);
	rc = audit_checkpoint(app, c, sk, &size);
	store_release(app->store, c);
	crypto_secret_free(sk);
	if (rc < 0)
		log_event(LOG_ERROR, "audit.checkpoint",
			  json_pack("{s:s}", "error", err_code(rc)));
	return rc;
}

/* `audit verify`: prints the report; 0 when the log is intact, 1 when
 * not (or audit.pub is unreadable). */
static int
audit_verify_cmd(struct app *app)
{
	char path[CONFIG_STR_MAX + 16];
	unsigned char pk[32];
	json_t *report = NULL;
	struct store_conn *conn;
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/audit.pub", app->cfg.dir);
	f = fopen(path, "rb");
	if (f == NULL || fread(pk, 1, sizeof(pk), f) != sizeof(pk)) {
		if (f != NULL)
			fclose(f);
		return cli_fail("audit verify: audit.pub is unreadable");
	}
	fclose(f);
	conn = store_acquire(app->store);
	rc = audit_verify(conn, pk, &report) == 0 ? 0 : 1;
	store_release(app->store, conn);
	json_dumpf(report, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
	fputc('\n', stdout);
	json_decref(report);
	return rc;
}

int
cli_audit(int argc, char **argv)
{
	static const struct option lo[] = {{"dir", required_argument, 0, 'd'},
					   {0, 0, 0, 0}};
	const char *dir = CLI_DEFAULT_DIR;
	const char *verb;
	struct app app;
	int rc;
	int c;

	if (argc < 2)
		return cli_usage_error("audit");
	verb = argv[1];
	argc--;
	argv++;
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:", lo, NULL)) != -1) {
		if (c != 'd')
			return cli_usage_error("audit");
		dir = optarg;
	}
	if (strcmp(verb, "verify") != 0 && strcmp(verb, "checkpoint") != 0)
		return cli_usage_error("audit");
	if (cli_open_app(&app, dir) != 0)
		return 1;
	if (strcmp(verb, "checkpoint") == 0)
		rc = cli_audit_checkpoint(&app) == 0 ? 0 : 1;
	else
		rc = audit_verify_cmd(&app);
	app_close(&app);
	return rc;
}
