/*
 * `gatehouse audit verify|checkpoint|export`: checks the audit log's hash
 * chain and signed checkpoints against DIR/audit.pub, signs a new
 * checkpoint with DIR/audit.key, or writes the records as JSON lines for
 * a SIEM. The signing key is read only for the signature and wiped after
 * it. verify and export only read, so they run beside a serving server.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
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

/* DIR/audit.pub into pk. 0, or 1 after saying why. */
static int
load_pub(struct app *app, const char *what, unsigned char pk[32])
{
	char path[CONFIG_STR_MAX + 16];
	char msg[64];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/audit.pub", app->cfg.dir);
	f = fopen(path, "rb");
	ok = f != NULL && fread(pk, 1, 32, f) == 32;
	if (f != NULL)
		fclose(f);
	if (ok)
		return 0;
	snprintf(msg, sizeof(msg), "%s: audit.pub is unreadable", what);
	return cli_fail(msg);
}

/* Verifies the log; *report as audit_verify. 0 intact, 1 not (or
 * audit.pub is unreadable: *report NULL). */
static int
run_verify(struct app *app, const char *what, json_t **report)
{
	unsigned char pk[32];
	struct store_conn *conn;
	int rc;

	*report = NULL;
	if (load_pub(app, what, pk) != 0)
		return 1;
	conn = store_acquire(app->store);
	rc = audit_verify(conn, pk, report) == 0 ? 0 : 1;
	store_release(app->store, conn);
	return rc;
}

/* `audit verify`: prints the report; 0 when the log is intact, 1 when
 * not (or audit.pub is unreadable). */
static int
audit_verify_cmd(struct app *app)
{
	json_t *report = NULL;
	int rc = run_verify(app, "audit verify", &report);

	if (report == NULL)
		return rc;
	json_dumpf(report, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
	fputc('\n', stdout);
	json_decref(report);
	return rc;
}

/* What `audit export` needs per record: the first one it could not
 * write, if any. */
struct export_out {
	int64_t bad;
};

/*
 * Writes one record as {"seq", "leaf_hash", "record"} on one line. The
 * record is spliced in as stored (canonical JSON), so a SIEM can
 * recompute the leaf hash from the exported text. A record that is not a
 * JSON object on one line (only a tampered database has one) stops the
 * export rather than break the stream.
 */
static int
export_row(void *ctx, int64_t seq, const char *record,
	   const unsigned char leaf[32])
{
	struct export_out *o = ctx;
	json_t *j = json_loads(record, JSON_REJECT_DUPLICATES, NULL);
	char hex[65];
	int ok = json_is_object(j) && strpbrk(record, "\r\n") == NULL;

	json_decref(j);
	if (!ok) {
		o->bad = seq;
		return -GH_INTERNAL;
	}
	crypto_hex_encode(leaf, 32, hex, sizeof(hex));
	if (printf("{\"seq\":%" PRId64 ",\"leaf_hash\":\"%s\",\"record\":%s}\n",
		   seq, hex, record) < 0)
		return -GH_INTERNAL;
	return 0;
}

/* --since N: a whole number 0..INT64_MAX, nothing else. 0 or -1. */
static int
parse_since(const char *s, int64_t *out)
{
	char *end = NULL;
	long long v;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = (int64_t)v;
	return 0;
}

/* `audit export`: the records after since as JSON lines on stdout; with
 * verify, only after the whole log verified, and only the records it
 * verified (the report goes to stderr when it fails). */
static int
audit_export_cmd(struct app *app, int64_t since, int verify)
{
	struct export_out o = {0};
	struct store_conn *conn;
	int64_t upto = INT64_MAX;
	char msg[160];
	int rc;

	if (verify) {
		json_t *report = NULL;

		rc = run_verify(app, "audit export", &report);
		if (report == NULL)
			return rc;
		if (rc != 0) {
			json_dumpf(report, stderr, JSON_COMPACT | JSON_SORT_KEYS);
			fputc('\n', stderr);
		}
		upto = json_integer_value(json_object_get(report, "records"));
		json_decref(report);
		if (rc != 0)
			return cli_fail("audit export: the audit log does not "
					"verify; nothing exported");
	}
	conn = store_acquire(app->store);
	rc = audit_export(conn, since, upto, export_row, &o);
	store_release(app->store, conn);
	if (fflush(stdout) != 0 || ferror(stdout))
		return cli_fail("audit export: cannot write to stdout");
	if (o.bad != 0) {
		snprintf(msg, sizeof(msg),
			 "audit export: record %" PRId64 " is not a JSON "
			 "object: run gatehouse audit verify",
			 o.bad);
		return cli_fail(msg);
	}
	return rc == 0 ? 0 : cli_fail("audit export: the audit log cannot be "
				      "read");
}

/* The options of `audit VERB`. */
struct audit_args {
	const char *verb;
	const char *dir;
	int64_t since;
	int since_given;
	int verify;
};

/* 0, or 2 after printing the usage. */
static int
parse_args(int argc, char **argv, struct audit_args *a)
{
	static const struct option lo[] = {{"dir", required_argument, 0, 'd'},
					   {"since", required_argument, 0, 's'},
					   {"verify", no_argument, 0, 'v'},
					   {0, 0, 0, 0}};
	int c;

	memset(a, 0, sizeof(*a));
	a->dir = CLI_DEFAULT_DIR;
	if (argc < 2)
		return cli_usage_error("audit");
	a->verb = argv[1];
	argc--;
	argv++;
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:", lo, NULL)) != -1) {
		if (c == 'd')
			a->dir = optarg;
		else if (c == 's' && parse_since(optarg, &a->since) == 0)
			a->since_given = 1;
		else if (c == 'v')
			a->verify = 1;
		else
			return cli_usage_error("audit");
	}
	if (optind != argc)
		return cli_usage_error("audit");
	if (strcmp(a->verb, "export") == 0)
		return 0;
	if ((strcmp(a->verb, "verify") != 0 &&
	     strcmp(a->verb, "checkpoint") != 0) ||
	    a->since_given || a->verify)
		return cli_usage_error("audit");
	return 0;
}

int
cli_audit(int argc, char **argv)
{
	struct audit_args a;
	struct app app;
	int rc;

	rc = parse_args(argc, argv, &a);
	if (rc != 0)
		return rc;
	if (cli_open_app(&app, a.dir) != 0)
		return 1;
	if (strcmp(a.verb, "checkpoint") == 0)
		rc = cli_audit_checkpoint(&app) == 0 ? 0 : 1;
	else if (strcmp(a.verb, "export") == 0)
		rc = audit_export_cmd(&app, a.since, a.verify);
	else
		rc = audit_verify_cmd(&app);
	app_close(&app);
	return rc;
}
