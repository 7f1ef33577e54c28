/*
 * gatehouse: the command-line entry point. It only finds the command in
 * the table (src/cli/commands.c) and runs it; each command lives in its
 * own file under src/cli/. `gatehouse help` lists the commands and
 * `gatehouse help COMMAND` (or `gatehouse COMMAND --help`) shows one;
 * `gatehouse --version` prints the version. Both on stdout, exit 0.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "util/log.h"

/* 1 when one of the command's arguments asks for its usage. */
static int
wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	return 0;
}

int
main(int argc, char **argv)
{
	const struct cli_command *cmd;

	if (argc < 2) {
		cli_print_commands(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		cli_print_commands(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("gatehouse %s\n", GH_VERSION);
		return 0;
	}
	cmd = cli_command_find(argv[1]);
	if (cmd == NULL)
		return cli_unknown_command(argv[1]);
	if (wants_help(argc - 1, argv + 1)) {
		char *help[] = {"help", argv[1], NULL};

		return cli_help(2, help);
	}
	/* Keys, database and outbox are for the owner only. */
	umask(077);
	log_init(stderr, LOG_INFO);
	return cmd->run(argc - 1, argv + 1);
}
