/*
 * gatehouse: the command-line entry point. Each command parses its own
 * options, opens what it needs (config, keys, store) and calls core/.
 * Output for scripts is JSON on stdout; diagnostics go to stderr.
 *
 *   gatehouse init     [--dir DIR]
 *   gatehouse serve    [--dir DIR] [--listen A:P] [--staff-listen A:P] [--check]
 *   gatehouse staff    add|unlock|disable|enable|queue ...
 *   gatehouse queue    add|list ...
 *   gatehouse customer add|unlock|disable|enable ...
 *   gatehouse scan     [--dlp|--phish] [FILE|-]
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#if __has_include("cli/scan.h")
#include "cli/scan.h"
#define HAVE_SCAN 1
#endif
#include "core/accounts.h"
#include "core/attachments.h"
#include "core/app.h"
#include "core/audit.h"
#include "util/errors.h"
#include "core/mailer.h"
#include "core/password.h"
#include "core/tickets.h"
#include "crypto/crypto.h"
#include "crypto/x509.h"
#include "http/server.h"
#include "util/log.h"

#define DEFAULT_DIR "./var"

static void
usage(void)
{
	fputs("usage:\n"
	      "  gatehouse init [--dir DIR]\n"
	      "  gatehouse serve [--dir DIR] [--listen ADDR:PORT] "
	      "[--staff-listen ADDR:PORT] [--check|-n]\n"
	      "  gatehouse staff add --email E --name N --role "
	      "agent|supervisor|admin --password-stdin\n"
	      "      [--queue Q[,Q...]]... [--dir DIR]\n"
	      "  gatehouse staff queue --email E --add Q|--remove Q "
	      "[--dir DIR]\n"
	      "  gatehouse queue add --name Q [--dir DIR]\n"
	      "  gatehouse queue list [--dir DIR]\n"
	      "  gatehouse customer add --email E --name N [--phone P] "
	      "[--dob YYYY-MM-DD] [--address A] [--enroll-in-portal]\n"
	      "      --password-stdin [--dir DIR]\n"
	      "  gatehouse staff|customer unlock|disable|enable --email E "
	      "[--dir DIR]\n"
	      "  gatehouse audit verify|checkpoint [--dir DIR]\n"
	      "  gatehouse scan [--dlp|--phish] [FILE|-]\n",
	      stderr);
}

static int
fail(const char *what)
{
	fprintf(stderr, "gatehouse: %s\n", what);
	return 1;
}

/* --- init --------------------------------------------------------------- */

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

static int
cmd_init(int argc, char **argv)
{
	static const struct option lo[] = {{"dir", required_argument, 0, 'd'},
					   {0, 0, 0, 0}};
	const char *dir = DEFAULT_DIR;
	char p1[4096], p2[4096];
	json_t *report = json_object();
	struct app app;
	char err[512];
	int c;

	while ((c = getopt_long(argc, argv, "d:", lo, NULL)) != -1) {
		if (c != 'd') {
			usage();
			return 2;
		}
		dir = optarg;
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return fail("init: cannot create the data directory");
	if (crypto_init() < 0)
		return fail("init: libsodium cannot be initialised");
	snprintf(p1, sizeof(p1), "%s/gatehouse.conf", dir);
	if (init_step(report, "gatehouse.conf", config_write_default(p1)) < 0)
		return 1;
	snprintf(p1, sizeof(p1), "%s/master.key", dir);
	if (init_step(report, "master.key", crypto_master_key_create(p1)) < 0)
		return 1;
	snprintf(p1, sizeof(p1), "%s/audit.key", dir);
	snprintf(p2, sizeof(p2), "%s/audit.pub", dir);
	if (init_step(report, "audit.key", crypto_ed25519_keys_create(p1, p2)) < 0)
		return 1;
	snprintf(p1, sizeof(p1), "%s/tls.key", dir);
	snprintf(p2, sizeof(p2), "%s/tls.crt", dir);
	if (init_step(report, "tls.crt", x509_selfsigned_create(p1, p2, 397)) < 0)
		return 1;
	snprintf(p1, sizeof(p1), "%s/outbox", dir);
	if (mkdir(p1, 0700) < 0 && errno != EEXIST)
		return fail("init: cannot create the outbox");
	/* Opening the app creates and migrates the database. */
	if (app_open(&app, dir, err, sizeof(err)) < 0) {
		json_decref(report);
		return fail(err);
	}
	json_object_set_new(report, "schema_version",
			    json_integer(store_schema_version(app.store)));
	json_object_set_new(report, "dir", json_string(app.cfg.dir));
	app_close(&app);
	json_dumpf(report, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	json_decref(report);
	return 0;
}

/* --- serve -------------------------------------------------------------- */

static int checkpoint(struct app *app);

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

static int
cmd_serve(int argc, char **argv)
{
	static const struct option lo[] = {
		{"dir", required_argument, 0, 'd'},
		{"listen", required_argument, 0, 'l'},
		{"staff-listen", required_argument, 0, 's'},
		{"check", no_argument, 0, 'n'},
		{0, 0, 0, 0}};
	const char *dir = DEFAULT_DIR;
	const char *listen = NULL;
	const char *staff = NULL;
	int check = 0;
	struct app app;
	struct server *srv = NULL;
	char err[512];
	sigset_t set;
	int sig = 0;
	int c;

	while ((c = getopt_long(argc, argv, "d:l:s:n", lo, NULL)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case 'l':
			listen = optarg;
			break;
		case 's':
			staff = optarg;
			break;
		case 'n':
			check = 1;
			break;
		default:
			usage();
			return 2;
		}
	}
	if (app_open(&app, dir, err, sizeof(err)) < 0)
		return fail(err);
	if (config_set_listen(&app.cfg, listen, staff, err, sizeof(err)) < 0) {
		app_close(&app);
		return fail(err);
	}
	listen = app.cfg.listen;
	staff = app.cfg.staff_listen;
	{
		struct sockaddr_storage ss;
		unsigned len;

		if (server_parse_addr(listen, &ss, &len) < 0 ||
		    server_parse_addr(staff, &ss, &len) < 0) {
			app_close(&app);
			return fail("a listen address is not ADDRESS:PORT");
		}
	}
	if (check) {
		printf("{\"config\": \"ok\", \"dir\": \"%s\"}\n", app.cfg.dir);
		app_close(&app);
		return 0;
	}
	/* Threads started below inherit this mask; the main thread waits. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (app_start_engines(&app, err, sizeof(err)) < 0) {
		app_close(&app);
		return fail(err);
	}
	if (server_start(&app, listen, staff, &srv, err, sizeof(err)) < 0) {
		app_close(&app);
		return fail(err);
	}
	if (mailer_start(&app) < 0) {
		server_stop(srv);
		app_close(&app);
		return fail("the mail delivery thread cannot start");
	}
	log_event(LOG_INFO, "server.started",
		  json_pack("{s:s, s:s, s:s}", "public", listen, "staff", staff,
			    "dir", app.cfg.dir));
	/* Sign an audit checkpoint every minute while running. */
	for (;;) {
		struct timespec tick = {60, 0};

		sig = sigtimedwait(&set, NULL, &tick);
		if (sig == SIGINT || sig == SIGTERM)
			break;
		purge_attachments(&app);
		checkpoint(&app);
	}
	log_event(LOG_INFO, "server.stopping",
		  json_pack("{s:s}", "signal", sig == SIGINT ? "INT" : "TERM"));
	server_stop(srv);
	mailer_stop();
	checkpoint(&app);
	app_close(&app);
	log_event(LOG_INFO, "server.stopped", NULL);
	return 0;
}

/* --- audit ------------------------------------------------------------- */

/* Signs a checkpoint of the audit log with DIR/audit.key. */
static int
checkpoint(struct app *app)
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

static int
cmd_audit(int argc, char **argv)
{
	static const struct option lo[] = {{"dir", required_argument, 0, 'd'},
					   {0, 0, 0, 0}};
	const char *dir = DEFAULT_DIR;
	const char *verb;
	struct app app;
	char err[512];
	int rc = 1;
	int c;

	if (argc < 2) {
		usage();
		return 2;
	}
	verb = argv[1];
	argc--;
	argv++;
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:", lo, NULL)) != -1) {
		if (c != 'd') {
			usage();
			return 2;
		}
		dir = optarg;
	}
	if (strcmp(verb, "verify") != 0 && strcmp(verb, "checkpoint") != 0) {
		usage();
		return 2;
	}
	if (app_open(&app, dir, err, sizeof(err)) < 0)
		return fail(err);
	if (strcmp(verb, "checkpoint") == 0) {
		rc = checkpoint(&app) == 0 ? 0 : 1;
	} else {
		char path[CONFIG_STR_MAX + 16];
		unsigned char pk[32];
		json_t *report = NULL;
		struct store_conn *conn;
		FILE *f;

		snprintf(path, sizeof(path), "%s/audit.pub", app.cfg.dir);
		f = fopen(path, "rb");
		if (f == NULL || fread(pk, 1, 32, f) != 32) {
			if (f != NULL)
				fclose(f);
			app_close(&app);
			return fail("audit verify: audit.pub is unreadable");
		}
		fclose(f);
		conn = store_acquire(app.store);
		rc = audit_verify(conn, pk, &report) == 0 ? 0 : 1;
		store_release(app.store, conn);
		json_dumpf(report, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		fputc('\n', stdout);
		json_decref(report);
	}
	app_close(&app);
	return rc;
}

/* --- errors and queues ---------------------------------------------------- */

/* Prints {"error", "message", "field"?} on stderr; message NULL means the
 * registry's text. Returns 1, the exit status of a refused command. */
static int
print_error(int rc, const char *message, const char *field)
{
	json_t *j = json_pack("{s:s, s:s, s:s?}", "error", err_code(rc),
			      "message",
			      message != NULL ? message : err_message(rc),
			      "field", field);

	json_dumpf(j, stderr, JSON_COMPACT);
	fputc('\n', stderr);
	json_decref(j);
	return 1;
}

#define QUEUE_NAME_HELP \
	"A queue name is 1 to 32 characters of a-z, 0-9, - and _, " \
	"starting with a letter or digit."

static void
print_json(json_t *j)
{
	json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	json_decref(j);
}

/* The names of l as a JSON array. */
static json_t *
queue_names(const struct queue_list *l)
{
	json_t *a = json_array();

	for (size_t i = 0; i < l->n; i++)
		json_array_append_new(a, json_string(l->v[i].name));
	return a;
}

/* A staff member's queue names, or NULL when they cannot be read. */
static json_t *
member_queues(struct store_conn *conn, int64_t staff_id)
{
	struct queue_list l = {NULL, 0};
	json_t *a;

	if (tickets_staff_queues(conn, staff_id, &l) < 0)
		return NULL;
	a = queue_names(&l);
	queue_list_clear(&l);
	return a;
}

static int
cmd_queue(int argc, char **argv)
{
	static const struct option lo[] = {{"dir", required_argument, 0, 'd'},
					   {"name", required_argument, 0, 'N'},
					   {0, 0, 0, 0}};
	const char *dir = DEFAULT_DIR;
	const char *name = NULL;
	const char *verb;
	struct store_conn *conn;
	struct app app;
	char err[512];
	int rc = 1;
	int c;

	if (argc < 2) {
		usage();
		return 2;
	}
	verb = argv[1];
	argc--;
	argv++;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'd': dir = optarg; break;
		case 'N': name = optarg; break;
		default: usage(); return 2;
		}
	}
	if (optind != argc ||
	    (strcmp(verb, "add") == 0 && name == NULL) ||
	    (strcmp(verb, "list") == 0 && name != NULL) ||
	    (strcmp(verb, "add") != 0 && strcmp(verb, "list") != 0)) {
		usage();
		return 2;
	}
	if (app_open(&app, dir, err, sizeof(err)) < 0)
		return fail(err);
	conn = store_acquire(app.store);
	if (strcmp(verb, "add") == 0) {
		int64_t id = 0;

		rc = tickets_queue_create(&app, conn, "cli", name, &id);
		if (rc < 0) {
			rc = print_error(rc, rc == -GH_BAD_FIELD ? QUEUE_NAME_HELP
								 : NULL,
					 "name");
			goto out;
		}
		print_json(json_pack("{s:I, s:s}", "id", (json_int_t)id, "name",
				     name));
	} else {
		struct queue_list l = {NULL, 0};
		json_t *a;

		rc = tickets_queue_list(conn, &l);
		if (rc < 0) {
			rc = print_error(rc, NULL, NULL);
			goto out;
		}
		a = json_array();
		for (size_t i = 0; i < l.n; i++)
			json_array_append_new(
				a, json_pack("{s:I, s:s, s:I}", "id",
					     (json_int_t)l.v[i].id, "name",
					     l.v[i].name, "members",
					     (json_int_t)l.v[i].members));
		queue_list_clear(&l);
		print_json(json_pack("{s:o}", "queues", a));
	}
	rc = 0;
out:
	store_release(app.store, conn);
	app_close(&app);
	return rc;
}

/* The --queue values of `staff add`: each may list names separated by
 * commas; duplicates count once. */
#define STAFF_QUEUES_MAX 16

struct queue_args {
	char names[STAFF_QUEUES_MAX][QUEUE_NAME_BYTES];
	const char *ptrs[STAFF_QUEUES_MAX];
	size_t n;
};

/* 0, or -GH_UNKNOWN_QUEUE for a value that is not a list of queue names,
 * -GH_BAD_FIELD for more than STAFF_QUEUES_MAX names. */
static int
queue_args_add(struct queue_args *q, const char *arg)
{
	const char *p = arg;

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		char name[QUEUE_NAME_BYTES];
		int dup = 0;

		if (len < 1 || len > QUEUE_NAME_MAX)
			return -GH_UNKNOWN_QUEUE;
		memcpy(name, p, len);
		name[len] = '\0';
		if (!tickets_valid_queue_name(name))
			return -GH_UNKNOWN_QUEUE;
		for (size_t i = 0; i < q->n; i++)
			if (strcmp(q->names[i], name) == 0)
				dup = 1;
		if (!dup) {
			if (q->n == STAFF_QUEUES_MAX)
				return -GH_BAD_FIELD;
			memcpy(q->names[q->n], name, len + 1);
			q->ptrs[q->n] = q->names[q->n];
			q->n++;
		}
		if (comma == NULL)
			return 0;
		p = comma + 1;
	}
}

/* `staff queue --email E --add Q|--remove Q` */
static int
staff_queue(struct app *app, struct store_conn *conn, const char *email,
	    const char *add, const char *remove)
{
	const char *queue = add != NULL ? add : remove;
	int64_t id = 0;
	int changed = 0;
	json_t *qs;
	int rc;

	rc = tickets_staff_queue(app, conn, "cli", email, queue, add != NULL,
				 &id, &changed);
	if (rc == -GH_NOT_FOUND)
		return print_error(rc, "There is no staff member with this "
				       "e-mail.",
				   "email");
	if (rc < 0)
		return print_error(rc, NULL, rc == -GH_UNKNOWN_QUEUE ? "queue"
								   : NULL);
	qs = member_queues(conn, id);
	if (qs == NULL)
		return print_error(-GH_INTERNAL, NULL, NULL);
	print_json(json_pack("{s:I, s:s, s:b, s:b, s:o}", "id", (json_int_t)id,
			     "queue", queue, "member", add != NULL, "changed",
			     changed, "queues", qs));
	return 0;
}

/* --- staff / customer ---------------------------------------------------- */

/* Reads a password from stdin: at most PASSWORD_MAX_BYTES, one trailing
 * newline removed. The buffer is a crypto secret. */
static char *
read_password(size_t *len)
{
	char *buf = crypto_secret_alloc(PASSWORD_MAX_BYTES + 2);
	size_t n;

	if (buf == NULL)
		return NULL;
	n = fread(buf, 1, PASSWORD_MAX_BYTES + 1, stdin);
	if (n > PASSWORD_MAX_BYTES) {
		crypto_secret_free(buf);
		return NULL;
	}
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	*len = n;
	return buf;
}

static int
cmd_account(enum realm realm, int argc, char **argv)
{
	static const struct option lo[] = {
		{"dir", required_argument, 0, 'd'},
		{"email", required_argument, 0, 'e'},
		{"name", required_argument, 0, 'N'},
		{"role", required_argument, 0, 'r'},
		{"phone", required_argument, 0, 'p'},
		{"dob", required_argument, 0, 'b'},
		{"address", required_argument, 0, 'a'},
		{"password-stdin", no_argument, 0, 'P'},
		{"enroll-in-portal", no_argument, 0, 'E'},
		{"queue", required_argument, 0, 'q'},
		{"add", required_argument, 0, 'A'},
		{"remove", required_argument, 0, 'R'},
		{0, 0, 0, 0}};
	const char *dir = DEFAULT_DIR;
	const char *q_add = NULL, *q_remove = NULL;
	struct queue_args queues;
	int queue_opt = 0, queue_err = 0;
	struct account_new in;
	const char *verb;
	int pw_stdin = 0;
	struct app app;
	struct store_conn *conn;
	char err[512];
	int rc = 1;
	int c;

	if (argc < 2) {
		usage();
		return 2;
	}
	verb = argv[1];
	memset(&in, 0, sizeof(in));
	memset(&queues, 0, sizeof(queues));
	in.realm = realm;
	in.actor = "cli";
	argc--;
	argv++;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'd': dir = optarg; break;
		case 'e': in.email = optarg; break;
		case 'N': in.name = optarg; break;
		case 'r': in.role = optarg; break;
		case 'p': in.phone = optarg; break;
		case 'b': in.dob = optarg; break;
		case 'a': in.address = optarg; break;
		case 'P': pw_stdin = 1; break;
		case 'E': in.enroll_in_portal = 1; break;
		case 'q':
			queue_opt = 1;
			if (queue_err == 0)
				queue_err = queue_args_add(&queues, optarg);
			break;
		case 'A': q_add = optarg; break;
		case 'R': q_remove = optarg; break;
		default: usage(); return 2;
		}
	}
	/* Queues are for staff: --queue only with add, --add/--remove (one
	 * of them) only with queue. */
	if ((realm == REALM_CUSTOMER && (queue_opt || q_add || q_remove)) ||
	    (queue_opt && strcmp(verb, "add") != 0) ||
	    ((q_add || q_remove) && strcmp(verb, "queue") != 0) ||
	    (strcmp(verb, "queue") == 0 && (q_add != NULL) == (q_remove != NULL))) {
		usage();
		return 2;
	}
	if (queue_err < 0)
		return print_error(queue_err,
				   queue_err == -GH_BAD_FIELD
					   ? "Too many queues (at most 16)."
					   : QUEUE_NAME_HELP,
				   "queue");
	if (realm == REALM_STAFF && queues.n == 0) {
		memcpy(queues.names[0], "general", sizeof("general"));
		queues.ptrs[0] = queues.names[0];
		queues.n = 1;
	}
	if (optind != argc || in.email == NULL) {
		usage();
		return 2;
	}
	if (realm == REALM_STAFF && (in.phone || in.dob || in.address)) {
		usage();
		return 2;
	}
	if (realm == REALM_STAFF && in.enroll_in_portal) {
		usage();
		return 2;
	}
	if (realm == REALM_CUSTOMER && in.role != NULL) {
		usage();
		return 2;
	}
	if (app_open(&app, dir, err, sizeof(err)) < 0)
		return fail(err);
	conn = store_acquire(app.store);
	if (strcmp(verb, "add") == 0) {
		struct account_created out;
		const char *field = NULL, *reason = NULL;
		char *pw;
		json_t *j;

		if (!pw_stdin || in.name == NULL ||
		    (realm == REALM_STAFF && in.role == NULL)) {
			usage();
			rc = 2;
			goto out;
		}
		/* Every queue must exist before anything is created. */
		for (size_t i = 0; realm == REALM_STAFF && i < queues.n; i++) {
			struct queue_rec qr;

			rc = tickets_queue_find(conn, queues.ptrs[i], &qr);
			if (rc < 0) {
				rc = print_error(rc, NULL, "queue");
				goto out;
			}
		}
		pw = read_password(&in.password_len);
		if (pw == NULL) {
			fail("the password on stdin is too long");
			rc = 1;
			goto out;
		}
		in.password = pw;
		/* The queues are set in the transaction that creates the
		 * account: both or neither. */
		if (realm == REALM_STAFF) {
			in.queues = queues.ptrs;
			in.n_queues = queues.n;
		}
		rc = accounts_create(&app, conn, &in, &out, &field, &reason);
		crypto_secret_free(pw);
		if (rc < 0) {
			j = json_pack("{s:s, s:s, s:s?}", "error", err_code(rc),
				      "message",
				      reason != NULL ? reason : err_message(rc),
				      "field", field);
			json_dumpf(j, stderr, JSON_COMPACT);
			fputc('\n', stderr);
			json_decref(j);
			rc = 1;
			goto out;
		}
		if (in.enroll_in_portal)
			j = json_pack("{s:I, s:s}", "id", (json_int_t)out.id,
				      "totp", "enrol at first portal login");
		else
			j = json_pack("{s:I, s:s, s:s}", "id",
				      (json_int_t)out.id, "totp_secret",
				      out.totp_secret, "otpauth_uri",
				      out.otpauth_uri);
		if (realm == REALM_STAFF)
			json_object_set_new(j, "queues",
					    member_queues(conn, out.id));
		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(j);
		crypto_wipe(out.totp_secret, sizeof(out.totp_secret));
		free(out.otpauth_uri);
		rc = 0;
	} else if (strcmp(verb, "unlock") == 0 || strcmp(verb, "disable") == 0 ||
		   strcmp(verb, "enable") == 0) {
		if (strcmp(verb, "unlock") == 0)
			rc = accounts_unlock(&app, conn, realm, in.email, "cli");
		else
			rc = accounts_set_disabled(&app, conn, realm, in.email,
						   strcmp(verb, "disable") == 0,
						   "cli");
		if (rc < 0) {
			fprintf(stderr, "gatehouse: %s: %s\n", verb,
				rc == -GH_NOT_FOUND ? "no such account"
						    : err_message(rc));
			rc = 1;
			goto out;
		}
		printf("{\"%s\": true}\n", verb);
		rc = 0;
	} else if (realm == REALM_STAFF && strcmp(verb, "queue") == 0) {
		rc = staff_queue(&app, conn, in.email, q_add, q_remove);
	} else {
		usage();
		rc = 2;
	}
out:
	store_release(app.store, conn);
	app_close(&app);
	return rc;
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage();
		return 2;
	}
	/* Keys, database and outbox are for the owner only. */
	umask(077);
	log_init(stderr, LOG_INFO);
	if (strcmp(argv[1], "init") == 0)
		return cmd_init(argc - 1, argv + 1);
	if (strcmp(argv[1], "serve") == 0)
		return cmd_serve(argc - 1, argv + 1);
	if (strcmp(argv[1], "staff") == 0)
		return cmd_account(REALM_STAFF, argc - 1, argv + 1);
	if (strcmp(argv[1], "customer") == 0)
		return cmd_account(REALM_CUSTOMER, argc - 1, argv + 1);
	if (strcmp(argv[1], "queue") == 0)
		return cmd_queue(argc - 1, argv + 1);
#ifdef HAVE_SCAN
	if (strcmp(argv[1], "audit") == 0)
		return cmd_audit(argc - 1, argv + 1);
	if (strcmp(argv[1], "scan") == 0)
		return cli_scan(argc - 1, argv + 1);
#endif
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage();
		return 0;
	}
	usage();
	return 2;
}
