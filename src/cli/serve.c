/*
 * `gatehouse serve`: runs the two HTTPS listeners, the mail delivery
 * thread and, every minute, the retention purge, the application of
 * account changes past their cooling-off and a signed audit checkpoint,
 * until SIGTERM or SIGINT; then lets requests in flight finish, signs a
 * last checkpoint and closes the store. With --check it only validates
 * the configuration and the listen addresses.
 *
 * Signals are blocked before any thread starts, so every thread inherits
 * the mask and only the main thread, waiting in sigtimedwait, sees them.
 * SIGHUP opens the log file ([log] file) again, for log rotation.
 * Under systemd (Type=notify, cli/notify.h) it says READY=1 once both
 * listeners are bound (the store was migrated when the app opened),
 * pings the watchdog while the store answers, and says STOPPING=1 when a
 * stop begins.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/notify.h"
#include "core/attachments.h"
#include "core/changes.h"
#include "core/drills.h"
#include "core/mailer.h"
#include "core/refusal.h"
#include "core/sla.h"
#include "http/manage.h"
#include "http/server.h"
#include "util/errors.h"
#include "util/log.h"

/* Seconds between two rounds of the periodic work. */
#define SERVE_TICK 60

struct serve_args {
	const char *dir;
	const char *listen; /* NULL: from the configuration */
	const char *staff;  /* NULL: from the configuration */
	const char *manage; /* NULL: from the configuration */
	int check;
};

/* Parses the options into a. 0, or 2 after printing the usage. */
static int
parse_args(int argc, char **argv, struct serve_args *a)
{
	static const struct option lo[] = {
		{"dir", required_argument, 0, 'd'},
		{"listen", required_argument, 0, 'l'},
		{"staff-listen", required_argument, 0, 's'},
		{"check", no_argument, 0, 'n'},
		{"manage-listen", required_argument, 0, 'm'},
		{0, 0, 0, 0}};
	int c;

	a->dir = CLI_DEFAULT_DIR;
	a->listen = NULL;
	a->staff = NULL;
	a->manage = NULL;
	a->check = 0;
	while ((c = getopt_long(argc, argv, "d:l:s:nm:", lo, NULL)) != -1) {
		switch (c) {
		case 'd': a->dir = optarg; break;
		case 'l': a->listen = optarg; break;
		case 's': a->staff = optarg; break;
		case 'n': a->check = 1; break;
		case 'm': a->manage = optarg; break;
		default: return cli_usage_error("serve");
		}
	}
	return 0;
}

/* Applies the command line's listen addresses over the configuration and
 * checks both. 0, or 1 after a message. */
static int
apply_listen(struct app *app, const struct serve_args *a)
{
	struct sockaddr_storage ss;
	unsigned len;
	char err[512];

	if (config_set_listen(&app->cfg, a->listen, a->staff, err,
			      sizeof(err)) < 0)
		return cli_fail(err);
	if (server_parse_addr(app->cfg.listen, &ss, &len) < 0 ||
	    server_parse_addr(app->cfg.staff_listen, &ss, &len) < 0)
		return cli_fail("a listen address is not ADDRESS:PORT");
	if (a->manage != NULL)
		snprintf(app->cfg.manage_listen, sizeof(app->cfg.manage_listen),
			 "%s", a->manage);
	if (strcmp(app->cfg.manage_listen, "off") != 0 &&
	    server_parse_addr(app->cfg.manage_listen, &ss, &len) < 0)
		return cli_fail("the management address is not ADDRESS:PORT "
				"or off");
	return 0;
}

/* Blocks SIGINT, SIGTERM and SIGHUP (into set) for every thread to come, ignores
 * SIGPIPE, and gives up what the process never needs: gaining
 * privileges, and core dumps (which would hold keys). */
static void
lock_down(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, set, NULL);
	signal(SIGPIPE, SIG_IGN);
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

/* The management listener (http/manage.h), NULL when off: started with
 * the others, stopped first. */
static struct manage *manage_listener;

/* Starts the engines, the listeners and the mailer. 0, or 1 after a
 * message (whatever started is stopped again). */
static int
start_services(struct app *app, struct server **srv)
{
	char err[512];

	if (app_start_engines(app, err, sizeof(err)) < 0)
		return cli_fail(err);
	if (server_start(app, app->cfg.listen, app->cfg.staff_listen, srv, err,
			 sizeof(err)) < 0)
		return cli_fail(err);
	if (manage_start(app, app->cfg.manage_listen, &manage_listener, err,
			 sizeof(err)) < 0) {
		server_stop(*srv);
		*srv = NULL;
		return cli_fail(err);
	}
	if (mailer_start(app) < 0 || sla_sweep_start(app) < 0) {
		mailer_stop();
		manage_stop(manage_listener);
		server_stop(*srv);
		*srv = NULL;
		return cli_fail("the mail or SLA sweep thread cannot start");
	}
	return 0;
}

/* Deletes attachments past their retention (HAR files), audited. */
static void
purge_attachments(struct app *app)
{
	struct store_conn *c = store_acquire(app->store);
	int rc = attachments_purge(app, c, (int64_t)time(NULL), NULL);

	store_release(app->store, c);
	if (rc < 0)
		log_event(LOG_ERROR, "attachment.purge",
			  json_pack("{s:s}", "error", err_code(rc)));
}

/* Applies the account changes whose cooling-off is over, audited (each
 * change's error is logged by core). */
static void
apply_changes(struct app *app)
{
	struct store_conn *c = store_acquire(app->store);

	(void)changes_apply_due(app, c, (int64_t)time(NULL), NULL);
	store_release(app->store, c);
}

/* Delivers the phishing drills whose send time has come (core/drills.h;
 * a failure is logged there and leaves them due). */
static void
deliver_drills(struct app *app)
{
	struct store_conn *c = store_acquire(app->store);

	(void)drills_deliver_due(app, c, 0, (int64_t)time(NULL));
	store_release(app->store, c);
}

/* SIGHUP: the log file, renamed by a rotation, is opened again by its
 * name. */
static void
reopen_log(void)
{
	if (log_reopen() < 0)
		log_event(LOG_ERROR, "log.reopen_failed", NULL);
	else
		log_event(LOG_INFO, "log.reopened", NULL);
}

/* Opens [log] file, when one is set, as the log. 0, or 1 after a
 * message. */
static int
open_log_file(const struct app *app)
{
	char path[CONFIG_STR_MAX + 64];

	if (app->cfg.log_file[0] == '\0')
		return 0;
	if (config_path(&app->cfg, app->cfg.log_file, path, sizeof(path)) < 0 ||
	    log_open(path) < 0)
		return cli_fail("[log] file cannot be opened for appending");
	return 0;
}

/* Does the periodic work every SERVE_TICK seconds until a signal of set
 * arrives; returns it. */
static int
run_until_signal(struct app *app, const sigset_t *set)
{
	for (;;) {
		struct timespec tick = {SERVE_TICK, 0};
		int sig = sigtimedwait(set, NULL, &tick);

		if (sig == SIGINT || sig == SIGTERM)
			return sig;
		if (sig == SIGHUP) {
			reopen_log();
			continue;
		}
		purge_attachments(app);
		apply_changes(app);
		deliver_drills(app);
		cli_audit_checkpoint(app);
	}
}

/* `serve --check`: the configuration is valid; where the portal and the
 * console are. */
static void
print_check(const struct app *app)
{
	json_t *j = json_pack("{s:s, s:s, s:s+, s:s+}", "config", "ok",
			      "dir", app->cfg.dir, "portal",
			      app->cfg.public_origin, "/", "console",
			      app->cfg.staff_origin, "/");

	json_dumpf(j, stdout, JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	json_decref(j);
}

/* READY=1, with where the listeners are as the status systemctl shows. */
static void
tell_ready(const struct app *app)
{
	char status[2 * CONFIG_STR_MAX + 64];

	snprintf(status, sizeof(status), "serving: portal on %s, console on %s",
		 app->cfg.listen, app->cfg.staff_listen);
	notify_ready(status);
}

/* The refusals counted and not yet recorded are summarised before the
 * last checkpoint. */
static void
flush_refusals(struct app *app)
{
	struct store_conn *c = store_acquire(app->store);

	if (c == NULL)
		return;
	if (refusal_flush(app, c, (int64_t)time(NULL)) < 0)
		log_event(LOG_ERROR, "audit.refusal_flush_failed", NULL);
	store_release(app->store, c);
}

int
cli_serve(int argc, char **argv)
{
	struct serve_args a;
	struct server *srv = NULL;
	struct app app;
	sigset_t set;
	int sig;
	int rc;

	rc = parse_args(argc, argv, &a);
	if (rc != 0)
		return rc;
	if (cli_open_app(&app, a.dir) != 0)
		return 1;
	rc = apply_listen(&app, &a);
	if (rc != 0 || a.check) {
		if (rc == 0)
			print_check(&app);
		app_close(&app);
		return rc;
	}
	lock_down(&set);
	notify_status("starting: compiling the detection engines");
	if (open_log_file(&app) != 0 || start_services(&app, &srv) != 0) {
		app_close(&app);
		return 1;
	}
	if (notify_watchdog_start(&app) < 0)
		log_event(LOG_ERROR, "watchdog.start_failed", NULL);
	tell_ready(&app);
	log_event(LOG_INFO, "server.started",
		  json_pack("{s:s, s:s, s:s}", "public", app.cfg.listen,
			    "staff", app.cfg.staff_listen, "dir", app.cfg.dir));
	sig = run_until_signal(&app, &set);
	log_event(LOG_INFO, "server.stopping",
		  json_pack("{s:s}", "signal", sig == SIGINT ? "INT" : "TERM"));
	notify_stopping();
	manage_stop(manage_listener);
	server_stop(srv);
	notify_watchdog_stop();
	sla_sweep_stop();
	mailer_stop();
	flush_refusals(&app);
	cli_audit_checkpoint(&app);
	app_close(&app);
	log_event(LOG_INFO, "server.stopped", NULL);
	return 0;
}
