/*
 * main.c - `shenliao <command> [options]`: wires the commands together.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
    {"init", cmd_init, "create a new database with its root org and first admin"},
    {"serve", cmd_serve, "serve the web pages and the JSON API"},
    {"demo", cmd_demo, "load the demo bodies, people and sessions"},
    {"user", cmd_user, "user add: add an account"},
    {"token", cmd_token, "token create: make an API bearer token"},
    {"backup", cmd_backup, "copy the database consistently, even while serving"},
    {"opinion", cmd_opinion, "opinion groups and consensus of a Pol.is conversation export"},
    {"import", cmd_import, "import polis DIR: load a Pol.is conversation into a session"},
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"shenliao %s - 深聊会 deep-talk sessions from plan to proof\n\n"
		"usage: shenliao <command> [options]   (each command has --help)\n\n"
		"commands:\n",
		SHENLIAO_VERSION);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
}

int main(int argc, char **argv)
{
	size_t i;

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
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("shenliao %s\n", SHENLIAO_VERSION);
		return EXIT_OK;
	}
	if (cli_init_runtime())
		return EXIT_FAIL;
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "shenliao: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
