/*
 * main.c - `shenliao <command> [options]`: finds the command in cli_commands and runs it.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"shenliao %s - 深聊会 deep-talk sessions from plan to proof\n\n"
		"usage: shenliao <command> [options]   (each command has --help)\n"
		"       shenliao --version [--json]\n\n"
		"commands:\n",
		SHENLIAO_VERSION);
	for (i = 0; i < cli_ncommands; i++)
		fprintf(f, "  %-14s %s\n", cli_commands[i]->name, cli_commands[i]->summary);
	fputs("\nEvery option --NAME can also be set as SHENLIAO_NAME in the environment ('-' as\n"
	      "'_'). --json: commands that print data print one JSON document on stdout; errors\n"
	      "are text on stderr. Exit status: 0 done, 1 failed (the message says what to do),\n"
	      "2 wrong usage. A progress bar is drawn on stderr when it is a terminal\n"
	      "(SHENLIAO_NO_PROGRESS=1 turns it off).\n",
	      f);
}

/* words counts the words of a command's name ("user add": 2). */
static size_t words(const char *name)
{
	return strchr(name, ' ') ? 2 : 1;
}

/* matches: does argv[1] (and argv[2] for a two-word name) name cmd? */
static bool matches(const struct cli_cmd *cmd, int argc, char **argv, bool first_only)
{
	const char *sp = strchr(cmd->name, ' ');
	size_t n = sp ? (size_t)(sp - cmd->name) : strlen(cmd->name);

	if (strlen(argv[1]) != n || strncmp(argv[1], cmd->name, n) != 0)
		return false;
	if (!sp || first_only)
		return true;
	return argc > 2 && strcmp(argv[2], sp + 1) == 0;
}

static int version(int argc, char **argv)
{
	if (argc > 2 && strcmp(argv[2], "--json") == 0) {
		printf("{\"name\":\"shenliao\",\"version\":\"%s\"}\n", SHENLIAO_VERSION);
		return EXIT_OK;
	}
	if (argc > 2) {
		fprintf(stderr, "shenliao: --version takes only --json\n");
		return EXIT_USAGE;
	}
	printf("shenliao %s\n", SHENLIAO_VERSION);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	size_t i;
	bool group = false;

	if (argc < 2) {
		fprintf(stderr, "shenliao: missing command\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0)
		return version(argc, argv);
	if (cli_init_runtime())
		return EXIT_FAIL;
	for (i = 0; i < cli_ncommands; i++)
		if (matches(cli_commands[i], argc, argv, false)) {
			size_t k = words(cli_commands[i]->name);

			return cli_commands[i]->run(argc - (int)k, argv + k);
		}
	/* "user" without "add", or with --help: the subcommands of the group */
	for (i = 0; i < cli_ncommands; i++)
		if (words(cli_commands[i]->name) == 2 && matches(cli_commands[i], argc, argv, true))
			group = true;
	if (group) {
		bool help =
		    argc > 2 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0);

		if (!help)
			fprintf(stderr, "shenliao: '%s' needs a subcommand:", argv[1]);
		for (i = 0; i < cli_ncommands; i++)
			if (words(cli_commands[i]->name) == 2 &&
			    matches(cli_commands[i], argc, argv, true)) {
				if (help)
					cli_help(stdout, cli_commands[i]);
				else
					fprintf(stderr, " %s",
						strchr(cli_commands[i]->name, ' ') + 1);
			}
		if (!help)
			fprintf(stderr, "\n(`shenliao %s --help` says more)\n", argv[1]);
		return help ? EXIT_OK : EXIT_USAGE;
	}
	fprintf(stderr, "shenliao: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
