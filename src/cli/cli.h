/*
 * cli.h - the command line: option parsing shared by the subcommands, and the commands.
 *
 * Every command: `shenliao CMD [options]`, --help prints its usage; exit 0 on success, 1 on
 * failure with a one-line reason on stderr, 2 on wrong usage. Each --flag can also come
 * from the environment as SHENLIAO_<FLAG> (upper case, '-' as '_'). Secrets never come from
 * argv: files or environment only.
 */
#ifndef SHENLIAO_CLI_CLI_H
#define SHENLIAO_CLI_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

struct cli_opt {
	const char *name; /* "db" for --db */
	bool takes_value;
	const char *value; /* set by cli_parse (or from the environment) */
	bool given;
};

/* cli_parse fills opts from argv[from..argc) (argv[0] is the command name); positional
 * arguments go to pos (up to npos_max, count in *npos). Prints usage and returns
 * EXIT_USAGE (or EXIT_OK for --help, with *help set) on a bad command line; -1 when fine. */
int cli_parse(int argc, char **argv, int from, struct cli_opt *opts, size_t nopts, const char **pos,
	      size_t npos_max, size_t *npos, const char *usage, bool *help);

/* cli_get returns the value of option name, or NULL. */
const char *cli_get(const struct cli_opt *opts, size_t nopts, const char *name);

/* cli_usage_error prints "shenliao: reason" and the usage; returns EXIT_USAGE. */
int cli_usage_error(const char *usage, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* cli_fail prints "shenliao: reason" and returns EXIT_FAIL. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* cli_read_secret reads the first line of file (without the newline) into out[cap]. */
int cli_read_secret(const char *file, char *out, size_t cap);

/* cli_password takes a password from --password-file (opts) or the environment variable
 * env; 0 on success, else prints why and returns EXIT_FAIL. */
int cli_password(const struct cli_opt *opts, size_t nopts, const char *env, char *out, size_t cap);

/* cli_fmt formats into out[cap] like snprintf, but says when the text did not fit:
 * ERR_TOO_BIG (out then holds a truncated copy, never to be used as if complete). */
int cli_fmt(char *out, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4))) WARN_UNUSED;

/* cli_open_db opens path (which must exist) for a command and migrates it (store_open).
 * NULL on failure (printed); close with store_close. struct db stays opaque here: the
 * commands pass it to model functions and never query it themselves. */
struct db;
struct db *cli_open_db(const char *path);

/* cli_init_runtime starts libsodium; call before anything else. */
int cli_init_runtime(void);

int cmd_init(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_opinion(int argc, char **argv);

/* init_database creates path with its schema, root org and admin; refuses to overwrite.
 * Returns an exit code (message printed). *out (may be NULL) gets the open database. */
int init_database(const char *path, const char *org_name, const char *slug, const char *level,
		  const char *admin, const char *password, struct db **out);

/* demo_load adds the demo bodies and users below the root org of db (demo.c). */
int demo_load(struct db *db, bool quiet);

/* The demo logins, printed by `make run`. */
extern const char demo_password[];

#endif
