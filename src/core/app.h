/*
 * The application context: configuration, keys, store and the policies
 * derived from them, built once at start-up by `serve` (or a CLI command)
 * and shared read-only by every request thread.
 */
#ifndef GH_CORE_APP_H
#define GH_CORE_APP_H

#include "core/config.h"
#include "core/password.h"
#include "core/workpool.h"
#include "core/dlp/dlp.h"
#include "core/phish/phish.h"
#include "crypto/crypto.h"
#include "store/store.h"

struct app {
	struct config cfg;
	struct crypto_keys *keys;
	struct store *store;
	struct password_policy pw_policy;
	/* [security] password_blocklist_file, loaded and installed for
	 * password_check (core/password.h); NULL without one. */
	struct password_blocklist *pw_blocklist;
	struct crypto_pw_params pw_params;
	/* argon2id hash of a random password, verified against when a login
	 * names no account, so that case takes as long as a wrong password. */
	char dummy_hash[CRYPTO_PWHASH_BYTES];
	/* The outbound filter, compiled once by app_start_engines() (serve
	 * only: the CLI account commands do not need it). NULL before. */
	struct dlp_engine *dlp;
	/* The link analyser for customers' messages, built by
	 * app_start_engines() with cfg.company_domains as the company's own
	 * domains. NULL before (links are then not analysed). */
	struct phish_engine *phish;
	/* The worker pools of staff and customer logins (argon2id off the
	 * server threads, core/workpool.h), started by app_start_engines();
	 * NULL before. Separate, so customers cannot starve staff. */
	struct workpool *staff_login_pool;
	struct workpool *portal_login_pool;
	/* The pool that analyses uploads (file type, archives, clamd;
	 * [workers] scan_threads, scan_queue), started with the others. */
	struct workpool *scan_pool;
	/* The in-memory filter of the fingerprint index (core/fingerprints.h),
	 * built by app_start_engines(); NULL before (every lookup then goes
	 * to the store). */
	struct fp_filter *fpf;
	/* Outbox directory for mail when no SMTP relay is configured. */
	char outbox[CONFIG_STR_MAX + 16];
};

/*
 * Loads DIR/gatehouse.conf, the key ring (crypto_keys_open_dir) and opens
 * the store. On error writes a one-line reason to err and returns -1.
 * Free with app_close().
 */
int app_open(struct app *app, const char *dir, char *err, size_t errsz);
/* Compiles the detection engines (seconds), starts the login worker
 * pools ([workers]) and, when the fingerprint
 * index of customers' values is empty while customers exist, rebuilds it;
 * gives customers older than migration 013 their phone index. 0 or -1
 * with err set. */
int app_start_engines(struct app *app, char *err, size_t errsz);
void app_close(struct app *app);

#endif
