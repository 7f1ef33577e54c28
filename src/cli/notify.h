/*
 * Talking to systemd (Type=notify): readiness, status lines, the
 * watchdog and the announcement of a stop, through libsystemd's
 * sd_notify(). Every call is a no-op when NOTIFY_SOCKET is unset, so
 * `serve` runs the same by hand, in tests and under systemd.
 *
 * The watchdog is not a timer that pings blindly: a thread checks every
 * WATCHDOG_USEC/2 that the store still answers (it takes a pooled
 * connection and opens and rolls back a write transaction, which needs the
 * database's write lock) and sends WATCHDOG=1 only when that took less
 * than the interval. A server whose pool is exhausted or whose database
 * is stuck stops pinging, and systemd restarts it (Restart=on-failure).
 */
#ifndef GH_CLI_NOTIFY_H
#define GH_CLI_NOTIFY_H

#include "core/app.h"

/* STATUS=status (a sentence without personal data). */
void notify_status(const char *status);

/* READY=1 with STATUS=status: call once every listener is bound and the
 * store migrated. */
void notify_ready(const char *status);

/* STOPPING=1 with a status line: call when a stop begins. */
void notify_stopping(void);

/* Starts the watchdog thread when systemd asked for one (WATCHDOG_USEC,
 * and WATCHDOG_PID unset or this process). app is borrowed until
 * notify_watchdog_stop(). 0, or -1 when the thread cannot start. */
int notify_watchdog_start(struct app *app);

/* Stops and joins the watchdog thread (if one runs). */
void notify_watchdog_stop(void);

#endif
