/*
 * cli.h - the command line: option parsing shared by the subcommands, and the commands.
 *
 * Every command: `shenliao CMD [options]`, --help prints its usage; exit 0 on success, 1 on
 * failure with a one-line reason on stderr (saying what to do), 2 on wrong usage. Each
 * --flag can also come from the environment as SHENLIAO_<FLAG> (upper case, '-' as '_').
 * Secrets never come from argv: files or environment only.
 *
 * --json: a command that prints data prints one JSON document on stdout instead. Errors
 * stay on stderr as text with the same exit status, and stdout is then left empty, so a
 * program tells success from failure by the exit status alone.
 */
#ifndef SHENLIAO_CLI_CLI_H
#define SHENLIAO_CLI_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/err.h"
#include "base/progress.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

enum { CLI_MAX_OPTS = 24, CLI_MAX_POS = 4 };

/* One option of a command. The table of each command (a struct cli_cmd) is the only place
 * an option is described: cli_parse reads it, and `--help` is printed from it, so the help
 * cannot drift from what is parsed. */
struct cli_opt {
	const char *name; /* "db" for --db; its environment variable is SHENLIAO_DB */
	const char *arg;  /* "FILE": the option takes a value; NULL: a flag */
	const char *def;  /* the default, as --help shows it; NULL: none */
	const char *help; /* one line, English */
	bool required;
};

/* A command ("init") or a command with its subcommand ("user add"). */
struct cli_cmd {
	const char *name;
	const char *args; /* positional arguments for the usage line, "" when none */
	size_t npos_min, npos_max;
	const char *summary; /* one line for `shenliao --help` */
	const char *about;   /* what it does, lines ending in '\n' */
	const struct cli_opt *opts;
	size_t nopts;
	int (*run)(int argc, char **argv); /* argv[0] is the command's (last) word */
};

/* What cli_parse found on a command line. */
struct cli_args {
	const struct cli_cmd *cmd;
	const char *value[CLI_MAX_OPTS]; /* per option of cmd: its value, "1" for a flag */
	bool given[CLI_MAX_OPTS];
	const char *pos[CLI_MAX_POS];
	size_t npos;
	bool json; /* the command has --json and it was given */
};

/* The commands, in the order `shenliao --help` lists them. */
extern const struct cli_cmd *const cli_commands[];
extern const size_t cli_ncommands;

/* cli_help prints cmd's usage, its text and one line per option with its environment
 * variable and default. */
void cli_help(FILE *f, const struct cli_cmd *cmd);

/* cli_parse reads argv[from..argc) for cmd into a: --opt VALUE, --opt=VALUE, flags,
 * positional arguments; an option not given comes from SHENLIAO_<OPT> when that is set and
 * not empty. Returns -1 when the command should run; EXIT_OK after printing --help;
 * EXIT_USAGE after printing what is wrong (unknown option, missing value, a required option
 * missing, too few or too many positional arguments). */
int cli_parse(int argc, char **argv, int from, const struct cli_cmd *cmd, struct cli_args *a);

/* cli_arg returns the value of option name in a, or NULL when it was not given. */
const char *cli_arg(const struct cli_args *a, const char *name);

/* cli_usage prints "shenliao: reason" and how to get help for cmd; returns EXIT_USAGE. */
int cli_usage(const struct cli_cmd *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* cli_fail prints "shenliao: reason" and returns EXIT_FAIL. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* cli_read_secret reads the first line of file (without the newline) into out[cap]. */
int cli_read_secret(const char *file, char *out, size_t cap);

/* cli_password takes a password from --password-file (in a) or the environment variable
 * env; 0 on success, else prints why and returns EXIT_FAIL. */
int cli_password(const struct cli_args *a, const char *env, char *out, size_t cap);

/* cli_fmt formats into out[cap] like snprintf, but says when the text did not fit:
 * ERR_TOO_BIG (out then holds a truncated copy, never to be used as if complete). */
int cli_fmt(char *out, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4))) WARN_UNUSED;

/* cli_open_db opens path (which must exist) for a command and migrates it (store_open).
 * NULL on failure (printed); close with store_close. struct db stays opaque here: the
 * commands pass it to model functions and never query it themselves. */
struct db;
struct db *cli_open_db(const char *path);

/* cli_db_name gives path fit for a message: a URI's password masked. The text lives in one
 * of two static buffers (so two names fit in one message); not thread-safe. */
const char *cli_db_name(const char *path);

/* cli_init_runtime starts libsodium; call before anything else. */
int cli_init_runtime(void);

/* the commands' tables (commands.c, serve.c, demo.c, import.c, opinion.c, audit.c,
 * routes.c, copy.c) */
extern const struct cli_cmd cli_cmd_init, cli_cmd_serve, cli_cmd_demo, cli_cmd_user_add,
    cli_cmd_token_create, cli_cmd_backup, cli_cmd_import_polis, cli_cmd_opinion,
    cli_cmd_audit_verify, cli_cmd_routes, cli_cmd_copy;
/* signed session bundles (bundle.c) */
extern const struct cli_cmd cli_cmd_bundle_keygen, cli_cmd_bundle_export, cli_cmd_bundle_import;

/* cli_json_out prints the JSON value v (stolen) as one document on stdout, with a newline;
 * EXIT_OK, or EXIT_FAIL when v is NULL (out of memory) or stdout cannot be written. */
struct json_t;
int cli_json_out(struct json_t *v);

/* init_database creates path with its schema, root org and admin; refuses to overwrite.
 * Returns an exit code (message printed). *out (may be NULL) gets the open database;
 * *org_out and *user_out (may be NULL) what was made. */
struct org;
struct user;
int init_database(const char *path, const char *org_name, const char *slug, const char *level,
		  const char *admin, const char *password, struct db **out, struct org *org_out,
		  struct user *user_out);

/* What demo_load made (for the command's report). */
struct demo_report {
	bool already; /* the demo was loaded before: nothing was made */
	int64_t bodies, users, people, sessions, outputs, room_session;
};

/* demo_load adds the demo bodies and users below the root org of db (demo.c); progress
 * (may be NULL) is told of its steps. */
int demo_load(struct db *db, struct demo_report *out, progress_fn progress, void *ud);

/* The demo logins, printed by `make run`. */
extern const char demo_password[];

#endif
