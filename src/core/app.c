/*
 * Start-up of the application context shared by `serve` and the CLI
 * commands: configuration, keys, store, policies.
 */
#include "core/app.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fingerprints.h"
#include "core/sealed.h"
#include "util/log.h"

static enum log_level
level_of(const char *s)
{
	if (strcmp(s, "debug") == 0)
		return LOG_DEBUG;
	if (strcmp(s, "warn") == 0)
		return LOG_WARN;
	if (strcmp(s, "error") == 0)
		return LOG_ERROR;
	return LOG_INFO;
}

/* [security] password_blocklist_file (relative to the data directory
 * dir) into the password policy. 0, or -1 with the reason in err. */
static int
load_blocklist(struct app *app, const char *dir, char *err, size_t errsz)
{
	const char *f = app->cfg.password_blocklist_file;
	char path[PATH_MAX + CONFIG_STR_MAX + 2];

	if (f[0] == '\0')
		return 0;
	snprintf(path, sizeof(path), "%s%s%s", f[0] == '/' ? "" : dir,
		 f[0] == '/' ? "" : "/", f);
	if (password_blocklist_load(path, &app->pw_blocklist, err, errsz) < 0)
		return -1;
	password_blocklist_install(app->pw_blocklist);
	return 0;
}

/* [phish] top_domains_file made absolute (relative to the data
 * directory dir). 0, or -1 with the reason in err. */
static int
resolve_top_domains(struct app *app, const char *dir, char *err,
		    size_t errsz)
{
	char *f = app->cfg.phish_top_domains_file;
	char path[PATH_MAX + CONFIG_STR_MAX + 2];

	if (f[0] == '\0' || f[0] == '/')
		return 0;
	snprintf(path, sizeof(path), "%s/%s", dir, f);
	if (strlen(path) >= sizeof(app->cfg.phish_top_domains_file)) {
		snprintf(err, errsz, "[phish] top_domains_file: path too long");
		return -1;
	}
	memcpy(f, path, strlen(path) + 1);
	return 0;
}

int
app_open(struct app *app, const char *dir, char *err, size_t errsz)
{
	char abs[PATH_MAX];
	char path[PATH_MAX + 64];
	char url[PATH_MAX + CONFIG_STR_MAX + 16];
	char pw[CRYPTO_TOKEN_CHARS + 1];

	memset(app, 0, sizeof(*app));
	if (realpath(dir, abs) == NULL || strlen(abs) >= CONFIG_STR_MAX - 32) {
		snprintf(err, errsz, "%.200s: no such data directory (run `gatehouse "
				     "init --dir %.200s` first)", dir, dir);
		return -1;
	}
	config_defaults(&app->cfg, abs);
	snprintf(path, sizeof(path), "%s/gatehouse.conf", abs);
	if (config_load(&app->cfg, path, err, errsz) < 0)
		return -1;
	log_init(stderr, level_of(app->cfg.log_level));
	if (crypto_init() < 0) {
		snprintf(err, errsz, "libsodium cannot be initialised");
		return -1;
	}
	if (crypto_keys_open_dir(abs, &app->keys) < 0) {
		snprintf(err, errsz,
			 "%.300s: cannot load the keys (master.key and "
			 "keys/N.key must exist, be 32 bytes and readable by "
			 "the owner only; keys/current must name one of them)",
			 abs);
		return -1;
	}
	if (config_url_has_password(app->cfg.database_url)) {
		snprintf(err, errsz,
			 "[database] url holds a password: put it in "
			 "[database] password_file (or PGPASSFILE) instead");
		return -1;
	}
	/* A relative password file is relative to the data directory. */
	if (app->cfg.database_password_file[0] == '\0')
		store_pg_password_file(NULL);
	else if (app->cfg.database_password_file[0] == '/')
		store_pg_password_file(app->cfg.database_password_file);
	else {
		snprintf(url, sizeof(url), "%s/%s", abs,
			 app->cfg.database_password_file);
		store_pg_password_file(url);
	}
	/* sqlite:relative/path is relative to the data directory. */
	if (strncmp(app->cfg.database_url, "sqlite:", 7) == 0 &&
	    app->cfg.database_url[7] != '/')
		snprintf(url, sizeof(url), "sqlite:%s/%s", abs,
			 app->cfg.database_url + 7);
	else
		snprintf(url, sizeof(url), "%s", app->cfg.database_url);
	if (store_open(url, (unsigned)app->cfg.db_connections, &app->store) < 0) {
		snprintf(err, errsz, "cannot open the database");
		app_close(app);
		return -1;
	}
	app->pw_policy.min_length = (unsigned)app->cfg.password_min_length;
	app->pw_policy.min_entropy_bits =
		(double)app->cfg.password_min_entropy_bits;
	if (load_blocklist(app, abs, err, errsz) < 0 ||
	    resolve_top_domains(app, abs, err, errsz) < 0) {
		app_close(app);
		return -1;
	}
	app->pw_params.ops = (unsigned long long)app->cfg.argon2_ops;
	app->pw_params.mem = (size_t)app->cfg.argon2_mem_mib * 1024u * 1024u;
	crypto_token_new(pw);
	if (crypto_pw_hash(pw, CRYPTO_TOKEN_CHARS, &app->pw_params, app->dummy_hash) < 0) {
		snprintf(err, errsz, "argon2id failed (out of memory?)");
		app_close(app);
		return -1;
	}
	crypto_wipe(pw, sizeof(pw));
	snprintf(app->outbox, sizeof(app->outbox), "%.*s/outbox",
		 (int)(sizeof(app->outbox) - 8), abs);
	return 0;
}

/* The company's own domains from cfg.company_domains (comma or space
 * separated, lower-cased) for the link analyser. */
static int
start_phish(struct app *app)
{
	char buf[CONFIG_LIST_MAX];
	const char *doms[CONFIG_MAX_DOMAINS];
	struct phish_options o;
	char *save = NULL;
	size_t n = 0;

	snprintf(buf, sizeof(buf), "%s", app->cfg.company_domains);
	for (char *p = buf; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	for (char *tok = strtok_r(buf, ", \t", &save);
	     tok != NULL && n < sizeof(doms) / sizeof(doms[0]);
	     tok = strtok_r(NULL, ", \t", &save))
		doms[n++] = tok;
	o.own_domains = n > 0 ? doms : NULL;
	o.n_own_domains = n;
	o.top_domains_file = app->cfg.phish_top_domains_file[0] != '\0' ?
			     app->cfg.phish_top_domains_file : NULL;
	return phish_engine_new(&o, &app->phish);
}

/* The pools of [workers]: logins and uploads. 0 or -1 with err set. */
static int
start_pools(struct app *app, char *err, size_t errsz)
{
	const struct config *cfg = &app->cfg;

	if ((app->staff_login_pool == NULL &&
	     workpool_create((unsigned)cfg->staff_login_threads,
			     (unsigned)cfg->staff_login_queue, "gh-staff-login",
			     &app->staff_login_pool) < 0) ||
	    (app->portal_login_pool == NULL &&
	     workpool_create((unsigned)cfg->portal_login_threads,
			     (unsigned)cfg->portal_login_queue, "gh-portal-login",
			     &app->portal_login_pool) < 0) ||
	    (app->scan_pool == NULL &&
	     workpool_create((unsigned)cfg->scan_threads,
			     (unsigned)cfg->scan_queue, "gh-scan",
			     &app->scan_pool) < 0)) {
		snprintf(err, errsz, "the worker threads cannot start");
		return -1;
	}
	return 0;
}

/* The fingerprint filter, filled from the index once here so that the
 * first reply does not pay for it. */
static int
start_fp_filter(struct app *app)
{
	struct store_conn *c;
	int rc;

	rc = fp_filter_new(&app->fpf);
	if (rc < 0)
		return rc;
	c = store_acquire(app->store);
	rc = fp_filter_sync(app->fpf, c);
	store_release(app->store, c);
	if (rc < 0) {
		fp_filter_free(app->fpf);
		app->fpf = NULL;
	}
	return rc;
}

int
app_start_engines(struct app *app, char *err, size_t errsz)
{
	if (app->dlp == NULL && dlp_engine_new(&app->dlp) < 0) {
		snprintf(err, errsz, "the outbound filter rules do not compile");
		return -1;
	}
	if (app->phish == NULL && start_phish(app) < 0) {
		snprintf(err, errsz, "the link analyser cannot start (is "
			 "[phish] top_domains_file readable?)");
		return -1;
	}
	if (fingerprints_ensure(app->keys, app->store) < 0) {
		snprintf(err, errsz,
			 "the fingerprint index of customers cannot be built");
		return -1;
	}
	if (app->fpf == NULL && start_fp_filter(app) < 0) {
		snprintf(err, errsz,
			 "the fingerprint filter cannot be built");
		return -1;
	}
	if (sealed_phone_ensure(app) < 0) {
		snprintf(err, errsz,
			 "the phone index of customers cannot be built");
		return -1;
	}
	return start_pools(app, err, errsz);
}

void
app_close(struct app *app)
{
	/* Runs what is queued: before the store closes. */
	workpool_destroy(app->staff_login_pool);
	app->staff_login_pool = NULL;
	workpool_destroy(app->portal_login_pool);
	app->portal_login_pool = NULL;
	workpool_destroy(app->scan_pool);
	app->scan_pool = NULL;
	dlp_engine_free(app->dlp);
	app->dlp = NULL;
	phish_engine_free(app->phish);
	app->phish = NULL;
	fp_filter_free(app->fpf);
	app->fpf = NULL;
	store_close(app->store);
	app->store = NULL;
	crypto_keys_free(app->keys);
	app->keys = NULL;
	if (app->pw_blocklist != NULL)
		password_blocklist_install(NULL);
	password_blocklist_free(app->pw_blocklist);
	app->pw_blocklist = NULL;
}
