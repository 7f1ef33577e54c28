/*
 * The command line against a real data directory: account creation
 * output and validation, queues and queue membership, `audit verify`
 * catching every kind of tampering with the audit log (a changed record,
 * a record rewritten together with its leaf hash, records removed at the
 * end), and help: the list of commands, each command's usage, unknown
 * commands.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "crypto/merkle.h"
#include "harness.h"

static struct gh_server srv;

static int
setup(void **state)
{
	(void)state;
	gh_start(&srv, NULL);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	gh_stop(&srv);
	return 0;
}

/* ASVS 6.2.1 6.3.2: accounts are created only with a policy-conforming
 * password; no default accounts exist. */
static void
test_account_commands(void **state)
{
	const char *add[] = {"staff", "add", "--email", "boss@example.com",
			     "--name", "Bo Boss", "--role", "admin",
			     "--password-stdin", NULL};
	const char *bad_role[] = {"staff", "add", "--email", "x@example.com",
				  "--name", "X", "--role", "root",
				  "--password-stdin", NULL};
	const char *cust[] = {"customer", "add", "--email", "c@example.org",
			      "--name", "C", "--dob", "2023-02-30",
			      "--password-stdin", NULL};
	char *out = NULL;
	json_t *j;

	(void)state;
	assert_int_equal(gh_db_count(&srv, "SELECT COUNT(*) FROM staff"), 0);
	assert_int_equal(gh_cli(&srv, "short", NULL, add), 1);
	assert_int_equal(gh_cli(&srv, "password1234", NULL, add), 1);
	assert_true(gh_log_contains(&srv, "weak_password"));
	assert_int_equal(gh_cli(&srv, "a very fine passphrase 7", &out, add), 0);
	j = json_loads(out, 0, NULL);
	assert_non_null(j);
	assert_true(json_integer_value(json_object_get(j, "id")) > 0);
	assert_int_equal(strlen(json_string_value(json_object_get(j, "totp_secret"))),
			 32);
	assert_non_null(strstr(json_string_value(json_object_get(j, "otpauth_uri")),
			       "otpauth://totp/"));
	json_decref(j);
	free(out);
	/* the same e-mail again */
	assert_int_equal(gh_cli(&srv, "a very fine passphrase 7", NULL, add), 1);
	assert_int_equal(gh_cli(&srv, "a very fine passphrase 7", NULL, bad_role),
			 1);
	assert_int_equal(gh_cli(&srv, "a very fine passphrase 7", NULL, cust), 1);
	/* Personal fields are sealed at rest: no plain e-mail in customers. */
	{
		const char *ok[] = {"customer", "add", "--email",
				    "sealed@example.org", "--name", "S",
				    "--phone", "+44 20 7946 0999",
				    "--password-stdin", NULL};

		assert_int_equal(gh_cli(&srv, "a very fine passphrase 7", NULL, ok),
				 0);
		assert_int_equal(gh_db_count(&srv, gh_db_pg()
					     ? "SELECT COUNT(*) FROM customers WHERE "
					       "position(convert_to('sealed', 'UTF8') "
					       "IN email) > 0 OR position(convert_to("
					       "'7946', 'UTF8') IN phone) > 0"
					     : "SELECT COUNT(*) FROM customers WHERE "
					       "CAST(email AS TEXT) LIKE '%sealed%' "
					       "OR CAST(phone AS TEXT) LIKE '%7946%'"),
				 0);
	}
	assert_int_equal(gh_db_count(&srv, "SELECT COUNT(*) FROM staff"), 1);
}

static int
verify(char **out)
{
	const char *args[] = {"audit", "verify", NULL};

	return gh_cli(&srv, NULL, out, args);
}

/* Rewrites record seq with text, and (when leaf) its leaf hash to match. */
static void
rewrite(int64_t seq, const char *from, const char *to, int leaf)
{
	char sql[100], *rec, *p, *nrec;
	unsigned char h[32];
	size_t n;

	gh_db_drop_audit_guards(&srv);
	snprintf(sql, sizeof(sql), "SELECT record FROM audit WHERE seq = %lld",
		 (long long)seq);
	rec = gh_db_text(&srv, sql);
	assert_non_null(rec);
	p = strstr(rec, from);
	assert_non_null(p);
	n = strlen(rec) - strlen(from) + strlen(to) + 1;
	nrec = malloc(n);
	assert_non_null(nrec);
	snprintf(nrec, n, "%.*s%s%s", (int)(p - rec), rec, to, p + strlen(from));
	free(rec);
	merkle_leaf_hash(nrec, strlen(nrec), h);
	if (leaf)
		assert_int_equal(gh_db_run(&srv, "UPDATE audit SET record = $1, "
						 "leaf_hash = $2 WHERE seq = $3",
					   "tbi", nrec, h, sizeof(h), seq),
				 1);
	else
		assert_int_equal(gh_db_run(&srv, "UPDATE audit SET record = $1 "
						 "WHERE seq = $2",
					   "ti", nrec, seq),
				 1);
	free(nrec);
}

static json_t *
cli_json(const char *stdin_text, const char *const *args)
{
	char *out = NULL;
	json_t *j;

	assert_int_equal(gh_cli(&srv, stdin_text, &out, args), 0);
	j = json_loads(out, 0, NULL);
	free(out);
	assert_non_null(j);
	return j;
}

/* The "queues" names of j joined with commas into buf. */
static const char *
names(json_t *j, char *buf, size_t sz)
{
	size_t i, used = 0;
	json_t *v;

	buf[0] = '\0';
	json_array_foreach(json_object_get(j, "queues"), i, v) {
		const char *n = json_is_string(v) ? json_string_value(v)
			: json_string_value(json_object_get(v, "name"));
		int k = snprintf(buf + used, sz - used, "%s%s",
				 i > 0 ? "," : "", n);

		assert_true(k > 0 && (size_t)k < sz - used);
		used += (size_t)k;
	}
	return buf;
}

static int64_t
audits(const char *action)
{
	return gh_audit_count(&srv, action, NULL);
}

/* `gatehouse queue add|list` and queue membership: `staff add --queue`
 * (default general; repeatable and comma-separated) and `staff queue
 * --add|--remove`; errors exit 1 and change nothing, usage errors 2;
 * every change is audited. */
static void
test_queue_commands(void **state)
{
	const char *pw = "a very fine passphrase 7";
	const char *list[] = {"queue", "list", NULL};
	const char *add[] = {"queue", "add", "--name", "billing", NULL};
	const char *add_bad[] = {"queue", "add", "--name", "Bad Name", NULL};
	const char *add_none[] = {"queue", "add", NULL};
	const char *q1[] = {"staff", "add", "--email", "q1@example.com",
			    "--name", "Q One", "--role", "agent", "--queue",
			    "billing,general", "--password-stdin", NULL};
	const char *q2[] = {"staff", "add", "--email", "q2@example.com",
			    "--name", "Q Two", "--role", "agent", "--queue",
			    "billing", "--queue", "billing", "--password-stdin",
			    NULL};
	const char *q3[] = {"staff", "add", "--email", "q3@example.com",
			    "--name", "Q Three", "--role", "agent",
			    "--password-stdin", NULL};
	const char *q4[] = {"staff", "add", "--email", "q4@example.com",
			    "--name", "Q Four", "--role", "agent", "--queue",
			    "nope", "--password-stdin", NULL};
	const char *join[] = {"staff", "queue", "--email", "Q2@example.com",
			      "--add", "general", NULL};
	const char *leave[] = {"staff", "queue", "--email", "q2@example.com",
			       "--remove", "billing", NULL};
	const char *nobody[] = {"staff", "queue", "--email",
				"nobody@example.com", "--add", "general", NULL};
	const char *unknown[] = {"staff", "queue", "--email", "q2@example.com",
				 "--add", "nope", NULL};
	const char *neither[] = {"staff", "queue", "--email", "q2@example.com",
				 NULL};
	const char *both[] = {"staff", "queue", "--email", "q2@example.com",
			      "--add", "general", "--remove", "billing", NULL};
	const char *cust[] = {"customer", "add", "--email", "qc@example.org",
			      "--name", "QC", "--queue", "general",
			      "--password-stdin", NULL};
	char buf[256];
	int64_t staff, adds, removes;
	json_t *j, *g;

	(void)state;
	staff = gh_db_count(&srv, "SELECT COUNT(*) FROM staff");
	j = cli_json(NULL, list);
	assert_string_equal(names(j, buf, sizeof(buf)), "general");
	g = json_array_get(json_object_get(j, "queues"), 0);
	assert_int_equal(json_integer_value(json_object_get(g, "id")), 1);
	assert_int_equal(json_integer_value(json_object_get(g, "members")),
			 staff);
	json_decref(j);

	j = cli_json(NULL, add);
	assert_true(json_integer_value(json_object_get(j, "id")) > 1);
	assert_string_equal(json_string_value(json_object_get(j, "name")),
			    "billing");
	json_decref(j);
	assert_int_equal(audits("queue.create"), 1);
	assert_int_equal(gh_cli(&srv, NULL, NULL, add), 1);
	assert_true(gh_log_contains(&srv, "queue_exists"));
	assert_int_equal(gh_cli(&srv, NULL, NULL, add_bad), 1);
	assert_int_equal(gh_cli(&srv, NULL, NULL, add_none), 2);
	assert_int_equal(gh_db_count(&srv, "SELECT COUNT(*) FROM queues"), 2);
	assert_int_equal(audits("queue.create"), 1);
	j = cli_json(NULL, list);
	assert_string_equal(names(j, buf, sizeof(buf)), "general,billing");
	json_decref(j);

	/* staff add --queue */
	adds = audits("staff.queue_add");
	removes = audits("staff.queue_remove");
	j = cli_json(pw, q1);
	assert_string_equal(names(j, buf, sizeof(buf)), "general,billing");
	json_decref(j);
	j = cli_json(pw, q2);
	assert_string_equal(names(j, buf, sizeof(buf)), "billing");
	json_decref(j);
	j = cli_json(pw, q3);
	assert_string_equal(names(j, buf, sizeof(buf)), "general");
	json_decref(j);
	assert_int_equal(audits("staff.queue_add"), adds + 2);
	assert_int_equal(audits("staff.queue_remove"), removes + 1);
	assert_int_equal(gh_db_count(&srv, "SELECT COUNT(*) FROM staff_queues "
					   "sq JOIN staff s ON s.id = "
					   "sq.staff_id WHERE s.email = "
					   "'q2@example.com'"),
			 1);
	/* An unknown queue: nothing is created. */
	assert_int_equal(gh_cli(&srv, pw, NULL, q4), 1);
	assert_true(gh_log_contains(&srv, "unknown_queue"));
	assert_int_equal(gh_db_count(&srv, "SELECT COUNT(*) FROM staff WHERE "
					   "email = 'q4@example.com'"),
			 0);

	/* staff queue --add|--remove */
	j = cli_json(NULL, join);
	assert_true(json_is_true(json_object_get(j, "changed")));
	assert_true(json_is_true(json_object_get(j, "member")));
	assert_string_equal(names(j, buf, sizeof(buf)), "general,billing");
	json_decref(j);
	j = cli_json(NULL, join);
	assert_true(json_is_false(json_object_get(j, "changed")));
	json_decref(j);
	assert_int_equal(audits("staff.queue_add"), adds + 3);
	j = cli_json(NULL, leave);
	assert_true(json_is_true(json_object_get(j, "changed")));
	assert_true(json_is_false(json_object_get(j, "member")));
	assert_string_equal(names(j, buf, sizeof(buf)), "general");
	json_decref(j);
	assert_int_equal(audits("staff.queue_remove"), removes + 2);
	assert_int_equal(gh_cli(&srv, NULL, NULL, nobody), 1);
	assert_int_equal(gh_cli(&srv, NULL, NULL, unknown), 1);
	assert_int_equal(gh_cli(&srv, NULL, NULL, neither), 2);
	assert_int_equal(gh_cli(&srv, NULL, NULL, both), 2);
	assert_int_equal(gh_cli(&srv, pw, NULL, cust), 2);
	assert_int_equal(audits("staff.queue_add"), adds + 3);
	assert_int_equal(audits("staff.queue_remove"), removes + 2);
	j = cli_json(NULL, list);
	g = json_array_get(json_object_get(j, "queues"), 1);
	assert_int_equal(json_integer_value(json_object_get(g, "members")), 1);
	json_decref(j);
}

/* ASVS 16.4.2: the audit log is tamper-evident. */
static void
test_audit_verify(void **state)
{
	const char *cp[] = {"audit", "checkpoint", NULL};
	char *out = NULL;

	(void)state;
	/* Stopped, so the database file holds everything (no WAL) and can be
	 * copied; the server signs a last checkpoint when it stops. */
	assert_int_equal(gh_stop(&srv), 0);
	assert_int_equal(gh_cli(&srv, NULL, NULL, cp), 0);
	assert_int_equal(verify(&out), 0);
	assert_non_null(strstr(out, "\"ok\": true"));
	free(out);
	gh_db_save(&srv);

	/* 1. A record changed, its leaf left alone. */
	rewrite(2, "\"success\"", "\"failure\"", 0);
	assert_int_equal(verify(&out), 1);
	assert_non_null(strstr(out, "record 2 was changed"));
	free(out);
	gh_db_restore(&srv);

	/* 2. A record and its leaf rewritten consistently: only the signed
	 * checkpoint can tell. */
	rewrite(1, "\"success\"", "\"failure\"", 1);
	assert_int_equal(verify(&out), 1);
	assert_non_null(strstr(out, "checkpoint 1"));
	assert_non_null(strstr(out, "does not match"));
	free(out);
	gh_db_restore(&srv);

	/* 3. The newest record removed. */
	gh_db_drop_audit_guards(&srv);
	gh_db_exec(&srv, "DELETE FROM audit WHERE seq = (SELECT MAX(seq) FROM audit)");
	assert_int_equal(verify(&out), 1);
	assert_non_null(strstr(out, "records were removed"));
	free(out);
	gh_db_restore(&srv);
	assert_int_equal(verify(NULL), 0);
}

/* `gatehouse scan`: exit 1 and one JSON line per finding (type and place,
 * never the value), exit 0 and silence for clean text, exit 2 for a usage
 * error. */
static void
test_scan(void **state)
{
	const char *dlp[] = {"scan", "--dlp", "-", NULL};
	const char *phish[] = {"scan", "--phish", "-", NULL};
	const char *both[] = {"scan", "-", NULL};
	const char *bad[] = {"scan", "--bogus", NULL};
	char *out = NULL;
	json_t *j;

	(void)state;
	assert_int_equal(gh_cli(&srv, "Please charge my card "
				      "4111 1111 1111 1111, thanks.\n",
				&out, dlp),
			 1);
	j = json_loads(out, JSON_DISABLE_EOF_CHECK, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "engine")),
			    "dlp");
	assert_string_equal(json_string_value(json_object_get(j, "type")),
			    "credit_card");
	assert_int_equal(json_integer_value(json_object_get(j, "start")), 22);
	json_decref(j);
	/* Where and what kind only: the number itself is not printed. */
	assert_null(strstr(out, "4111"));
	free(out);
	assert_int_equal(gh_cli(&srv, "<p>Your invoice: <a href=\""
				      "javascript:alert(document.cookie)\">"
				      "open</a></p>\n",
				&out, phish),
			 1);
	/* The page itself is active HTML (issue 15 defect 5): the
	 * attachment analyser's line comes first, then the link's. */
	j = json_loads(out, JSON_DISABLE_EOF_CHECK, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "engine")),
			    "attachment");
	assert_string_equal(json_string_value(json_object_get(j, "verdict")),
			    "suspicious");
	assert_non_null(strstr(out, "active_html"));
	json_decref(j);
	assert_non_null(strchr(out, '\n'));
	j = json_loads(strchr(out, '\n') + 1, JSON_DISABLE_EOF_CHECK, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "engine")),
			    "phish");
	assert_string_equal(json_string_value(json_object_get(j, "verdict")),
			    "dangerous");
	json_decref(j);
	assert_non_null(strstr(out, "javascript_url"));
	free(out);
	/* The same link without --phish (--dlp only) is not looked at. */
	assert_int_equal(gh_cli(&srv, "<a href=\"javascript:alert(1)\">x</a>\n",
				&out, dlp),
			 0);
	free(out);
	assert_int_equal(gh_cli(&srv, "Hello, thanks for your help with my "
				      "order last week.\n",
				&out, both),
			 0);
	assert_string_equal(out, "");
	free(out);
	assert_int_equal(gh_cli(&srv, "x\n", &out, bad), 2);
	assert_string_equal(out, "");
	free(out);
}

/* Reads fd to its end into a malloc'd string. */
static char *
slurp(int fd)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	ssize_t n;

	assert_non_null(buf);
	for (;;) {
		if (len + 1 == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return buf;
}

/* Runs the binary with exactly args (no --dir) and no stdin; *out and
 * *err (malloc'd) get stdout and stderr. Returns the exit status. */
static int
run_bare(const char *const *args, char **out, char **err)
{
	const char *argv[16];
	int po[2], pe[2], status;
	size_t n = 0;
	pid_t pid;

	argv[n++] = srv.bin;
	for (; *args != NULL && n < 15; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	assert_int_equal(pipe(po), 0);
	assert_int_equal(pipe(pe), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(po[1], 1);
		dup2(pe[1], 2);
		close(0);
		close(po[0]);
		close(pe[0]);
		execv(srv.bin, (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	/* Help texts are far below a pipe's buffer: reading one pipe to its
	 * end before the other cannot block the child. */
	*out = slurp(po[0]);
	*err = slurp(pe[0]);
	close(po[0]);
	close(pe[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static const char *const commands[] = {"init",  "serve", "staff", "customer",
				       "field", "keys",  "queue", "audit",
				       "scan",  "help"};

/* `gatehouse help` lists every command on stdout; `gatehouse help NAME`
 * and `gatehouse NAME --help` print the same usage of that command; an
 * unknown command is named and exits 2; a usage error shows the usage of
 * its own command only. Help never touches a data directory. */
static void
test_help(void **state)
{
	char *out, *err, *out2, *err2;
	char want[64];

	(void)state;
	{
		const char *args[] = {"help", NULL};

		assert_int_equal(run_bare(args, &out, &err), 0);
		for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++) {
			snprintf(want, sizeof(want), "\n  %s ", commands[i]);
			if (strstr(out, want) == NULL)
				fail_msg("help does not list %s:\n%s",
					 commands[i], out);
		}
		assert_string_equal(err, "");
		free(out);
		free(err);
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++) {
		const char *help[] = {"help", commands[i], NULL};
		const char *flag[] = {commands[i], "--help", NULL};

		assert_int_equal(run_bare(help, &out, &err), 0);
		assert_string_equal(err, "");
		snprintf(want, sizeof(want), "usage:\n  gatehouse %s",
			 commands[i]);
		if (strstr(out, want) == NULL)
			fail_msg("help %s:\n%s", commands[i], out);
		assert_int_equal(run_bare(flag, &out2, &err2), 0);
		assert_string_equal(out2, out);
		assert_string_equal(err2, "");
		free(out);
		free(err);
		free(out2);
		free(err2);
	}
	{
		const char *args[] = {"help", "staff", NULL};

		assert_int_equal(run_bare(args, &out, &err), 0);
		assert_non_null(strstr(out, "--password-stdin"));
		assert_non_null(strstr(out, "staff queue --email E --add Q"));
		free(out);
		free(err);
	}
	{
		const char *args[] = {"staff", "add", "--email", "h@example.com",
				      "--help", NULL};

		assert_int_equal(run_bare(args, &out, &err), 0);
		assert_non_null(strstr(out, "usage:\n  gatehouse staff add"));
		free(out);
		free(err);
	}
	/* Unknown commands, with and without help. */
	{
		const char *bogus[] = {"bogus", NULL};
		const char *help_bogus[] = {"help", "bogus", NULL};
		const char *none[] = {NULL};

		assert_int_equal(run_bare(bogus, &out, &err), 2);
		assert_string_equal(out, "");
		assert_non_null(strstr(err, "unknown command 'bogus'"));
		free(out);
		free(err);
		assert_int_equal(run_bare(help_bogus, &out, &err), 2);
		assert_string_equal(out, "");
		assert_non_null(strstr(err, "unknown command 'bogus'"));
		free(out);
		free(err);
		assert_int_equal(run_bare(none, &out, &err), 2);
		assert_string_equal(out, "");
		assert_non_null(strstr(err, "\n  customer "));
		free(out);
		free(err);
	}
	/* A usage error shows its own command's usage, on stderr. */
	{
		const char *args[] = {"queue", "bogus", NULL};

		assert_int_equal(run_bare(args, &out, &err), 2);
		assert_string_equal(out, "");
		assert_non_null(strstr(err, "usage:\n  gatehouse queue add"));
		assert_null(strstr(err, "gatehouse staff"));
		free(out);
		free(err);
	}
}

/* Issue 15, defect 8: `gatehouse --help` and `gatehouse help` print the
 * list on stdout and exit 0, `--version` prints the version, and `serve
 * --check` (what `make run` prints before serving) names the portal's and
 * the console's URLs. */
static void
test_help_version(void **state)
{
	const char *const *cases[] = {
		(const char *const[]){"--help", NULL},
		(const char *const[]){"help", NULL},
		(const char *const[]){"--version", NULL},
		(const char *const[]){"help", "help", NULL},
	};
	const char *check[] = {"serve", "--check", "--listen",
			       "127.0.0.1:18443", "--staff-listen",
			       "127.0.0.1:19443", NULL};
	char *out, *err;
	json_t *j;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		assert_int_equal(run_bare(cases[i], &out, &err), 0);
		assert_string_equal(err, "");
		assert_non_null(strstr(out, i == 2 ? "gatehouse 0." : "gatehouse "
							      "--version"));
		free(out);
		free(err);
	}
	j = cli_json(NULL, check);
	assert_string_equal(json_string_value(json_object_get(j, "portal")),
			    "https://localhost:18443/");
	assert_string_equal(json_string_value(json_object_get(j, "console")),
			    "https://localhost:19443/");
	json_decref(j);
}

/* `gatehouse scan --dlp FILE` sees a card with a zero-width space in it
 * and an address written with a full-width at sign, and reports them at
 * their place in the file as written (issue 9, defect 2). */
static void
test_scan_invisible(void **state)
{
	static const char text[] = "Card: 4111 1111\xe2\x80\x8b" "1111 1111\n"
				   "Mail: bob\xef\xbc\xa0other.net\n";
	const char *args[] = {"scan", "--dlp", NULL, NULL};
	const long want[2][5] = {{6, 27, 6, 25, 0}, {34, 49, 32, 45, 0}};
	const char *types[2] = {"credit_card", "email"};
	char path[400], *out = NULL, *line;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/hidden.txt", srv.dir);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, sizeof(text) - 1, f),
			 sizeof(text) - 1);
	assert_int_equal(fclose(f), 0);
	args[2] = path;
	assert_int_equal(gh_cli(&srv, NULL, &out, args), 1);
	line = out;
	for (int i = 0; i < 2; i++) {
		json_t *j = json_loads(line, JSON_DISABLE_EOF_CHECK, NULL);

		assert_non_null(j);
		assert_string_equal(json_string_value(json_object_get(j, "type")),
				    types[i]);
		assert_int_equal(json_integer_value(json_object_get(j, "start")),
				 want[i][0]);
		assert_int_equal(json_integer_value(json_object_get(j, "end")),
				 want[i][1]);
		assert_int_equal(json_integer_value(json_object_get(j, "cstart")),
				 want[i][2]);
		assert_int_equal(json_integer_value(json_object_get(j, "cend")),
				 want[i][3]);
		json_decref(j);
		line = strchr(line, '\n');
		assert_non_null(line);
		line++;
	}
	assert_string_equal(line, "");
	assert_null(strstr(out, "4111"));
	free(out);
}

/* `gatehouse scan --phish --top-domains FILE` matches hosts against the
 * domains of FILE instead of the built-in list: exámple.org is clean
 * against the built-in list (example.org is not in it) and a lookalike
 * of a listed example.org; an unreadable list is exit 2; with --dir the
 * list comes from [phish] top_domains_file (issue 12). */
static void
test_scan_top_domains(void **state)
{
	const char *plain[] = {"scan", "--phish", "-", NULL};
	const char *listed[] = {"scan", "--phish", "--top-domains", NULL, "-",
				NULL};
	const char *missing[] = {"scan", "--phish", "--top-domains",
				 "/nonexistent/top.txt", "-", NULL};
	const char *bydir[] = {"scan", "--phish", "--dir", NULL, "-", NULL};
	const char *msg = "see https://xn--exmple-cua.org/ now\n";
	char path[400], dir[400], conf[440], *out = NULL;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/top.txt", srv.dir);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_true(fputs("# test list\nexample.org\n", f) >= 0);
	assert_int_equal(fclose(f), 0);
	listed[3] = path;
	assert_int_equal(gh_cli(&srv, msg, &out, plain), 0);
	assert_null(strstr(out, "confusable_top_domain"));
	free(out);
	assert_int_equal(gh_cli(&srv, msg, &out, listed), 1);
	assert_non_null(strstr(out, "confusable_top_domain"));
	free(out);
	assert_int_equal(gh_cli(&srv, msg, &out, missing), 2);
	free(out);
	/* [phish] top_domains_file, relative to the --dir given. */
	snprintf(dir, sizeof(dir), "%s/topconf", srv.dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(conf, sizeof(conf), "%s/gatehouse.conf", dir);
	f = fopen(conf, "wb");
	assert_non_null(f);
	assert_true(fputs("[phish]\ntop_domains_file = ../top.txt\n", f) >= 0);
	assert_int_equal(fclose(f), 0);
	bydir[3] = dir;
	assert_int_equal(gh_cli(&srv, msg, &out, bydir), 1);
	assert_non_null(strstr(out, "confusable_top_domain"));
	free(out);
}

/* The whole of a small file, malloc'd; NULL when it does not exist. */
static char *
file_text(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;

	if (f == NULL)
		return NULL;
	buf = calloc(1, 65536);
	assert_non_null(buf);
	n = fread(buf, 1, 65535, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* `init --store URL` (issue 16) writes the URL as [database] url; a URL
 * holding a password is refused before anything is written, without
 * echoing it; a scheme this build has no store for is refused. */
static void
test_init_store(void **state)
{
	char dir[] = "/tmp/gh-init-store-XXXXXX";
	char sub[256], conf[300];
	char *out, *err, *text;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/pw", dir);
	snprintf(conf, sizeof(conf), "%s/gatehouse.conf", sub);
	{
		const char *args[] = {"init", "--dir", sub, "--store",
				      "postgresql://gh:hunter2secret@127.0.0.1:1/gh",
				      NULL};

		assert_int_equal(run_bare(args, &out, &err), 1);
		assert_non_null(strstr(err, "password_file"));
		assert_null(strstr(err, "hunter2secret"));
		assert_null(strstr(out, "hunter2secret"));
		assert_null(file_text(conf));
		free(out);
		free(err);
	}
	{
		const char *args[] = {"init", "--dir", sub, "--store",
				      "mysql://gh@127.0.0.1/gh", NULL};

		assert_int_equal(run_bare(args, &out, &err), 1);
		assert_null(file_text(conf));
		free(out);
		free(err);
	}
	snprintf(sub, sizeof(sub), "%s/pg", dir);
	snprintf(conf, sizeof(conf), "%s/gatehouse.conf", sub);
	{
		/* Nothing listens on port 1: init writes the configuration,
		 * then cannot open the store and says so. */
		const char *args[] = {"init", "--dir", sub, "--store",
				      "postgresql://gh@127.0.0.1:1/gh?"
				      "sslmode=verify-full",
				      NULL};

		assert_int_not_equal(run_bare(args, &out, &err), 0);
		text = file_text(conf);
		assert_non_null(text);
		assert_non_null(strstr(text, "\nurl = postgresql://gh@127.0.0.1:"
					     "1/gh?sslmode=verify-full\n"));
		assert_non_null(strstr(text, "\npassword_file = \n"));
		free(text);
		free(out);
		free(err);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_help_version),
		cmocka_unit_test(test_account_commands),
		cmocka_unit_test(test_scan),
		cmocka_unit_test(test_scan_invisible),
		cmocka_unit_test(test_scan_top_domains),
		cmocka_unit_test(test_queue_commands),
		cmocka_unit_test(test_audit_verify),
		cmocka_unit_test(test_init_store),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, setup, teardown);
}
