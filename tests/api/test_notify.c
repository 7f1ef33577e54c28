/*
 * Issue 16 UNITS: `serve` under systemd. The test plays systemd: it binds
 * an AF_UNIX datagram socket, starts the real server with NOTIFY_SOCKET,
 * WATCHDOG_USEC (2 s) and WATCHDOG_PID (the server's own pid, as systemd
 * sets it) and reads what the server says: READY=1 only once the HTTPS
 * listeners answer, WATCHDOG=1 every second while the store answers, none
 * while the database's write lock is held elsewhere (a hung store), and
 * STOPPING=1 on SIGTERM. Also: the unit file passes `systemd-analyze
 * verify`, and the server and the outbound filter work under
 * MemoryDenyWriteExecute (W^X, no PCRE2 JIT) as the unit's comment says.
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"

#ifndef PR_SET_MDWE
#define PR_SET_MDWE 65
#endif
#ifndef PR_MDWE_REFUSE_EXEC_GAIN
#define PR_MDWE_REFUSE_EXEC_GAIN 1
#endif

#define WITHHELD "STATUS=the store does not answer in time: watchdog withheld"

/* The datagram in which read_for last saw its stop line. */
static char last_stop[4096];

/* The notification socket, bound in a fresh directory; path gets its
 * name. */
static int
notify_socket(char *path, size_t pathsz)
{
	char tmpl[] = "/tmp/gh-notify-XXXXXX";
	struct sockaddr_un a;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_non_null(mkdtemp(tmpl));
	snprintf(path, pathsz, "%s/notify", tmpl);
	memset(&a, 0, sizeof(a));
	a.sun_family = AF_UNIX;
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 1 when the datagram msg has the line line. */
static int
has_line(const char *msg, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = msg; p != NULL && *p != '\0';) {
		const char *nl = strchr(p, '\n');
		size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);

		if (len == n && strncmp(p, line, n) == 0)
			return 1;
		p = nl != NULL ? nl + 1 : NULL;
	}
	return 0;
}

/* Reads datagrams for up to ms milliseconds, until one has the line
 * stop (NULL: read for the whole time). *watchdogs (may be NULL) counts
 * the WATCHDOG=1 seen, *statuses the lines equal to status (may be
 * NULL). Returns 1 when stop was seen. */
static int
read_for(int fd, int ms, const char *stop, int *watchdogs,
	 const char *status, int *statuses)
{
	int64_t until = now_ms() + ms;

	for (;;) {
		int64_t left = until - now_ms();
		struct pollfd p = {.fd = fd, .events = POLLIN};
		char buf[4096];
		ssize_t n;

		if (left <= 0)
			return 0;
		if (poll(&p, 1, (int)left) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		if (watchdogs != NULL && has_line(buf, "WATCHDOG=1"))
			(*watchdogs)++;
		if (status != NULL && statuses != NULL && has_line(buf, status))
			(*statuses)++;
		if (stop != NULL && has_line(buf, stop)) {
			memcpy(last_stop, buf, (size_t)n + 1);
			return 1;
		}
	}
}

/* Waits for READY=1 (the detection engines take seconds to compile under
 * the sanitizers); the starting status came first, and at READY=1 both
 * listeners answer and HTTPS works. */
static void
expect_ready(struct gh_server *s, int fd)
{
	struct gh_client c;
	struct gh_resp r;
	char want[160];
	int starting = 0;

	assert_true(read_for(fd, 120000, "READY=1", NULL,
			     "STATUS=starting: compiling the detection engines",
			     &starting));
	assert_int_equal(starting, 1);
	assert_true(gh_ports_open(s));
	snprintf(want, sizeof(want),
		 "STATUS=serving: portal on 127.0.0.1:%d, console on "
		 "127.0.0.1:%d",
		 s->pub_port, s->staff_port);
	if (!has_line(last_stop, want))
		fail_msg("READY=1 came as \"%s\"", last_stop);
	gh_client_init(&c, 0);
	assert_int_equal(gh_req(s, &c, "GET", "/api/v1/portal/tickets", NULL,
				NULL, &r),
			 401);
	gh_resp_free(&r);
	gh_client_free(&c);
}

/* Holds the database's write lock for hold_ms: no WATCHDOG=1 may come
 * while the check waits for it; after it, the withheld status, then
 * pings again. On PostgreSQL the check (BEGIN, ROLLBACK) takes no lock
 * a client could hold, so the store is taken away instead: the check
 * fails rather than waits, and the same must follow. */
static void
expect_withheld_while_locked(struct gh_server *s, int fd, int hold_ms)
{
	int pings = 0, withheld = 0, serving = 0;
	void *lock = NULL;

	if (gh_db_pg())
		gh_db_take_away(s, 1);
	else
		lock = gh_db_lock(s);

	/* A check under way when the lock was taken may still ping. */
	read_for(fd, 1500, NULL, NULL, NULL, NULL);
	read_for(fd, hold_ms - 1500, NULL, &pings, WITHHELD, &withheld);
	assert_int_equal(pings, 0);
	if (gh_db_pg())
		gh_db_take_away(s, 0);
	else
		gh_db_unlock(lock);
	if (withheld == 0)
		assert_true(read_for(fd, 8000, WITHHELD, NULL, NULL, NULL));
	pings = 0;
	assert_true(read_for(fd, 8000, "STATUS=serving", &pings, NULL, NULL));
	assert_true(pings >= 1 || read_for(fd, 3000, "WATCHDOG=1", NULL, NULL,
					   NULL));
	assert_true(gh_log_contains(s, "watchdog.store_slow"));
	assert_true(gh_log_contains(s, "watchdog.recovered"));
	(void)serving;
}

static void
test_ready_watchdog_stopping(void **state)
{
	char sock[300], env_sock[320];
	const char *env[] = {env_sock, "WATCHDOG_USEC=2000000",
			     "WATCHDOG_PID=%pid", NULL};
	struct gh_server s;
	int fd, pings = 0;

	(void)state;
	fd = notify_socket(sock, sizeof(sock));
	snprintf(env_sock, sizeof(env_sock), "NOTIFY_SOCKET=%s", sock);
	gh_start_env(&s, NULL, env);
	expect_ready(&s, fd);
	/* Every WATCHDOG_USEC/2 = 1 s: at least twice in 4 s. */
	read_for(fd, 4000, NULL, &pings, NULL, NULL);
	assert_true(pings >= 2);
	assert_true(pings <= 6);
	expect_withheld_while_locked(&s, fd, 4500);
	assert_int_equal(gh_stop(&s), 0);
	/* Said before the stop began; the datagram waits in the socket. */
	assert_true(read_for(fd, 5000, "STOPPING=1", NULL, NULL, NULL));
	close(fd);
}

/* WATCHDOG_PID names another process: the watchdog is not this
 * server's, so it never pings; readiness still comes. */
static void
test_watchdog_for_other_pid(void **state)
{
	char sock[300], env_sock[320];
	const char *env[] = {env_sock, "WATCHDOG_USEC=2000000",
			     "WATCHDOG_PID=1", NULL};
	struct gh_server s;
	int fd, pings = 0;

	(void)state;
	fd = notify_socket(sock, sizeof(sock));
	snprintf(env_sock, sizeof(env_sock), "NOTIFY_SOCKET=%s", sock);
	gh_start_env(&s, NULL, env);
	expect_ready(&s, fd);
	read_for(fd, 3000, NULL, &pings, NULL, NULL);
	assert_int_equal(pings, 0);
	assert_false(gh_log_contains(&s, "watchdog.started"));
	assert_int_equal(gh_stop(&s), 0);
	close(fd);
}

/* The unit's text, read from the source tree (malloc'd). */
static char *
read_unit(void)
{
	const char *root = getenv("GH_SOURCE_ROOT");
	char path[600];
	char *text;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/packaging/systemd/gatehouse.service",
		 root != NULL ? root : ".");
	f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)n + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return text;
}

/* The hardening the issue asks for is in the unit, each as a line. */
static void
test_unit_hardening(void **state)
{
	static const char *const lines[] = {
		"Type=notify", "NotifyAccess=main", "WatchdogSec=30",
		"Restart=on-failure", "User=gatehouse", "DynamicUser=no",
		"NoNewPrivileges=yes", "ProtectSystem=strict",
		"ReadWritePaths=/var/lib/gatehouse", "PrivateTmp=yes",
		"ProtectHome=yes", "PrivateDevices=yes", "CapabilityBoundingSet=",
		"RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
		"SystemCallFilter=@system-service", "SystemCallArchitectures=native",
		"MemoryDenyWriteExecute=yes", "LockPersonality=yes",
		"RestrictRealtime=yes", "ProtectKernelTunables=yes",
		"ProtectKernelModules=yes", "ProtectControlGroups=yes",
		"UMask=0077", "LimitNOFILE=40960", NULL};
	char *text = read_unit();

	(void)state;
	for (size_t i = 0; lines[i] != NULL; i++)
		if (!has_line(text, lines[i]))
			fail_msg("the unit lacks the line %s", lines[i]);
	free(text);
}

/* `systemd-analyze verify` accepts the unit without a word (an unknown
 * or misspelt directive is only a warning, so any output fails). The
 * binary's path is the build's, since verify checks that it exists. */
static void
test_unit_verifies(void **state)
{
	char tmpl[] = "/tmp/gh-unit-XXXXXX";
	char path[300], cmd[700], out[4096];
	char *text = read_unit();
	const char *at = strstr(text, "/usr/local/bin/gatehouse");
	size_t n;
	FILE *f;

	(void)state;
	if (system("command -v systemd-analyze >/dev/null 2>&1") != 0) {
		free(text);
		print_message("systemd-analyze is not installed (package "
			      "systemd): the unit is not verified\n");
		skip();
	}
	assert_non_null(at);
	assert_non_null(mkdtemp(tmpl));
	snprintf(path, sizeof(path), "%s/gatehouse.service", tmpl);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%.*s%s%s", (int)(at - text), text, getenv("GH_BIN"),
		at + strlen("/usr/local/bin/gatehouse"));
	fclose(f);
	free(text);
	snprintf(cmd, sizeof(cmd), "systemd-analyze verify --man=no %s 2>&1",
		 path);
	f = popen(cmd, "r");
	assert_non_null(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	if (pclose(f) != 0 || n != 0)
		fail_msg("systemd-analyze verify: %s", out);
}

/* The unit sets MemoryDenyWriteExecute=yes and says PCRE2 then runs
 * without JIT, with the same results: under the same kernel rule
 * (PR_SET_MDWE, inherited by every process started after it) the server
 * starts and gets ready, and the outbound filter finds what it finds
 * without it. Runs last: the rule cannot be lifted. */
static void
test_wx_denied_same_findings(void **state)
{
	char sock[300], env_sock[320], file[] = "/tmp/gh-wx-XXXXXX";
	const char *env[] = {env_sock, NULL};
	const char *scan[] = {"scan", "--dlp", file, NULL};
	char *before = NULL, *after = NULL;
	struct gh_server s;
	int fd = mkstemp(file), rc_before, rc_after;

	(void)state;
	assert_true(fd >= 0);
	dprintf(fd, "card 4111 1111 1111 1111, key AKIAQYLPMN5HHHFPZAM2\n");
	close(fd);
	fd = notify_socket(sock, sizeof(sock));
	snprintf(env_sock, sizeof(env_sock), "NOTIFY_SOCKET=%s", sock);
	gh_start_env(&s, NULL, env);
	expect_ready(&s, fd);
	rc_before = gh_cli(&s, NULL, &before, scan);
	assert_int_equal(gh_stop(&s), 0);
	if (prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0L, 0L, 0L) != 0) {
		print_message("this kernel has no PR_SET_MDWE (Linux < 6.3): "
			      "not tested\n");
		skip();
	}
	/* The rule holds in a new program: no memory both W and X. */
	assert_int_not_equal(system("python3 -c 'import mmap; mmap.mmap(-1, "
				    "4096, prot=7)' 2>/dev/null"),
			     0);
	gh_start_env(&s, NULL, env);
	expect_ready(&s, fd);
	rc_after = gh_cli(&s, NULL, &after, scan);
	assert_int_equal(gh_stop(&s), 0);
	assert_int_equal(rc_before, 1);
	assert_int_equal(rc_after, rc_before);
	assert_non_null(strstr(before, "credit_card"));
	assert_non_null(strstr(before, "aws-access-token"));
	assert_string_equal(after, before);
	free(before);
	free(after);
	close(fd);
	unlink(file);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unit_hardening),
		cmocka_unit_test(test_unit_verifies),
		cmocka_unit_test(test_ready_watchdog_stopping),
		cmocka_unit_test(test_watchdog_for_other_pid),
		cmocka_unit_test(test_wx_denied_same_findings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
