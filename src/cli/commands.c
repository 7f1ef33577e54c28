/*
 * The one command table: every command of the binary, its one-line
 * summary, its usage and its handler, as data a reviewer reads in a
 * minute (like api/routes.c for the HTTP surface). A new command adds a
 * row and a file; nothing else lists commands. Also `gatehouse help`,
 * which prints from this table only.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/scan.h"

const struct cli_command cli_commands[] = {
	{"init", "create a data directory: configuration, keys, certificate, "
		 "database",
	 "  gatehouse init [--dir DIR] [--store URL]\n"
	 "\n"
	 "Keeps every file that exists already; prints what it created and\n"
	 "what it kept. --store writes [database] url into a new\n"
	 "gatehouse.conf: sqlite:PATH (the default) or\n"
	 "postgresql://USER@HOST:PORT/DB?sslmode=verify-full; the password\n"
	 "goes in [database] password_file or PGPASSFILE, never in the URL.\n",
	 cli_init},
	{"serve", "run the portal and console listeners until SIGTERM or SIGINT",
	 "  gatehouse serve [--dir DIR] [--listen ADDR:PORT] "
	 "[--staff-listen ADDR:PORT] [--check|-n]\n"
	 "                [--manage-listen ADDR:PORT|off]\n"
	 "\n"
	 "--listen and --staff-listen override [server] listen and\n"
	 "staff_listen; --check validates the configuration and exits.\n"
	 "--manage-listen overrides [server] manage_listen: the plain HTTP\n"
	 "listener of /healthz, /readyz and /metrics (default\n"
	 "127.0.0.1:9180; off opens none).\n",
	 cli_serve},
	{"staff", "add staff accounts, set their queues, unlock, disable, "
		  "enable",
	 "  gatehouse staff add --email E --name N --role "
	 "agent|supervisor|admin --password-stdin\n"
	 "      [--queue Q[,Q...]]... [--dir DIR]\n"
	 "  gatehouse staff queue --email E --add Q|--remove Q [--dir DIR]\n"
	 "  gatehouse staff unlock|disable|enable --email E [--dir DIR]\n"
	 "  gatehouse staff force-password-change --email E [--reason R] "
	 "[--dir DIR]\n"
	 "\n"
	 "add reads the password from stdin and prints the new account's\n"
	 "TOTP secret; without --queue the account joins \"general\".\n"
	 "force-password-change (on evidence of compromise) ends every\n"
	 "session of the member; they must change their password at their\n"
	 "next login.\n",
	 cli_staff},
	{"customer", "add customer accounts, set custom fields, unlock, "
		     "disable, enable",
	 "  gatehouse customer add --email E --name N [--phone P] "
	 "[--dob YYYY-MM-DD] [--address A]\n"
	 "      [--account-number N] [--enroll-in-portal] --password-stdin "
	 "[--dir DIR]\n"
	 "  gatehouse customer set-field --email E --field NAME --value-stdin "
	 "[--dir DIR]\n"
	 "  gatehouse customer unlock|disable|enable --email E [--dir DIR]\n"
	 "\n"
	 "add reads the password from stdin; with --enroll-in-portal the\n"
	 "customer sets up an authenticator at the first portal login.\n"
	 "set-field reads the value of a custom field (`gatehouse field`)\n"
	 "from stdin. Every personal field is sealed at rest.\n",
	 cli_customer},
	{"field", "define and list custom personal fields of customers",
	 "  gatehouse field add --name NAME --class C1|C2 [--dir DIR]\n"
	 "  gatehouse field list [--dir DIR]\n"
	 "\n"
	 "NAME is 1 to 32 characters of a-z, 0-9 and _, starting with a\n"
	 "letter; C1 is contact data, C2 personal data (the verification\n"
	 "level a reveal needs).\n",
	 cli_field},
	{"keys", "rotate, retire and list the keys that seal personal data",
	 "  gatehouse keys rotate|reseal|list [--dir DIR]\n"
	 "  gatehouse keys retire --id N [--dir DIR]\n"
	 "  gatehouse keys add [--dir DIR]\n"
	 "  gatehouse keys use --id N [--dir DIR]\n"
	 "\n"
	 "rotate makes a new key current and seals every value again under\n"
	 "it, while the server runs; reseal finishes an interrupted\n"
	 "rotation; retire refuses (exit 1) while any value is sealed under\n"
	 "key N or N is current. Several nodes: add writes key N (not\n"
	 "current); copy keys/N.key to every node; use --id N on each; then\n"
	 "reseal once.\n",
	 cli_keys},
	{"queue", "add and list ticket queues",
	 "  gatehouse queue add --name Q [--dir DIR]\n"
	 "  gatehouse queue list [--dir DIR]\n"
	 "\n"
	 "A queue name is 1 to 32 characters of a-z, 0-9, - and _.\n",
	 cli_queue},
	{"audit", "verify the audit log, sign a checkpoint, export it as JSON "
		  "lines",
	 "  gatehouse audit verify|checkpoint [--dir DIR]\n"
	 "  gatehouse audit export [--since N] [--verify] [--dir DIR]\n"
	 "\n"
	 "verify exits 1 and names the first bad record or checkpoint when\n"
	 "a record was changed, removed, reordered or cut off. export writes\n"
	 "the records after N (default 0) to stdout, one JSON object a line:\n"
	 "{\"seq\", \"leaf_hash\", \"record\"}; with --verify it exports\n"
	 "nothing and exits 1 unless the log verifies.\n",
	 cli_audit},
	{"training", "import training modules, list them, show and record "
		     "staff members' training",
	 "  gatehouse training import DIR [--dir DIR]\n"
	 "  gatehouse training list [--dir DIR]\n"
	 "  gatehouse training status --email E [--dir DIR]\n"
	 "  gatehouse training complete --email E --module M|--all "
	 "[--date YYYY-MM-DD] [--dir DIR]\n"
	 "\n"
	 "import reads ID.md and ID.quiz.json for each module in DIR\n"
	 "(docs/training.md) and stores them all or none. complete records\n"
	 "training done elsewhere (default today), audited with the Unix\n"
	 "user who recorded it; the module stays current for its validity\n"
	 "from that date.\n",
	 cli_training},
	{"scan", "run the outbound filter and the link analyser over a file",
	 "  gatehouse scan [--dlp|--phish] [--dir DIR] [--top-domains FILE]\n"
	 "                 [FILE|-]\n"
	 "\n"
	 "Prints one JSON line per finding (where and what kind, never the\n"
	 "value); exits 0 when clean, 1 when something was found.\n",
	 cli_scan},
	{"backup", "copy the database of a running desk to a file (no keys "
		   "in it)",
	 "  gatehouse backup --dir DIR --to FILE\n"
	 "\n"
	 "SQLite's online backup while serve runs; FILE is new (never\n"
	 "overwritten), mode 0600, outside DIR. The backup holds ciphertexts\n"
	 "only: keep DIR's key files apart from it. A PostgreSQL store is\n"
	 "backed up with pg_dump (docs/operations.md).\n",
	 cli_backup},
	{"restore", "make a new data directory from a backup",
	 "  gatehouse restore --dir NEWDIR --from FILE\n"
	 "\n"
	 "NEWDIR must not exist or be empty. Writes and checks the database\n"
	 "(integrity, schema version) and names the key files to copy into\n"
	 "NEWDIR before serve; it never creates or copies a key.\n",
	 cli_restore},
	{"store", "copy a SQLite desk into an empty PostgreSQL database",
	 "  gatehouse store copy --dir DIR --to postgresql://USER@HOST:PORT/DB\n"
	 "                       [--password-file FILE]\n"
	 "\n"
	 "Copies every table of DIR's SQLite database (a consistent snapshot,\n"
	 "while serve may run) into an empty PostgreSQL database, in one\n"
	 "transaction: ids, ciphertexts and texts as they are. Commits only\n"
	 "after the audit log verifies there (records and signed\n"
	 "checkpoints, with DIR/audit.pub) and every table has as many rows\n"
	 "as in SQLite; otherwise exits 1 and leaves the target as it was.\n"
	 "A database that holds any table is refused (exit 1). Prints the\n"
	 "[database] url to set; it does not edit gatehouse.conf. The\n"
	 "password comes from FILE or libpq's environment, never the URL.\n",
	 cli_store},
	{"help", "list the commands, or show one command's usage",
	 "  gatehouse help [COMMAND]\n"
	 "  gatehouse COMMAND --help\n"
	 "  gatehouse --version\n",
	 cli_help},
	{NULL, NULL, NULL, NULL},
};

const struct cli_command *
cli_command_find(const char *name)
{
	for (const struct cli_command *c = cli_commands; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

void
cli_print_commands(FILE *f)
{
	fputs("usage: gatehouse COMMAND [ARGS]\n\ncommands:\n", f);
	for (const struct cli_command *c = cli_commands; c->name != NULL; c++)
		fprintf(f, "  %-9s %s\n", c->name, c->summary);
	fputs("\nRun 'gatehouse help COMMAND' for the usage of one, "
	      "'gatehouse --version'\nfor the version.\n", f);
}

int
cli_usage_error(const char *name)
{
	const struct cli_command *c = cli_command_find(name);

	if (c == NULL) {
		cli_print_commands(stderr);
		return 2;
	}
	fprintf(stderr, "usage:\n%s", c->usage);
	return 2;
}

int
cli_unknown_command(const char *name)
{
	fprintf(stderr, "gatehouse: unknown command '%.64s'; run 'gatehouse "
			"help' for the list\n",
		name);
	return 2;
}

int
cli_help(int argc, char **argv)
{
	const struct cli_command *c;

	if (argc < 2) {
		cli_print_commands(stdout);
		return 0;
	}
	if (argc > 2)
		return cli_usage_error("help");
	c = cli_command_find(argv[1]);
	if (c == NULL)
		return cli_unknown_command(argv[1]);
	printf("gatehouse %s: %s\n\nusage:\n%s", c->name, c->summary,
	       c->usage);
	return 0;
}
