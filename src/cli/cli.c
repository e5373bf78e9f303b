/*
 * cli.c - option parsing and helpers shared by the commands.
 */
#include "cli.h"

#include <ctype.h>
#include <jansson.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "model/store.h"

int cli_init_runtime(void)
{
	if (sodium_init() < 0) {
		fprintf(stderr, "shenliao: libsodium failed to start\n");
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/* usage_line prints "usage: shenliao NAME --required ARG... [options] ARGS". */
static void usage_line(FILE *f, const struct cli_cmd *cmd)
{
	size_t i;

	fprintf(f, "usage: shenliao %s", cmd->name);
	for (i = 0; i < cmd->nopts; i++)
		if (cmd->opts[i].required)
			fprintf(f, " --%s%s%s", cmd->opts[i].name, cmd->opts[i].arg ? " " : "",
				cmd->opts[i].arg ? cmd->opts[i].arg : "");
	fprintf(f, " [options]%s%s\n", *cmd->args ? " " : "", cmd->args);
}

int cli_usage(const struct cli_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "shenliao: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (cmd) {
		usage_line(stderr, cmd);
		fprintf(stderr, "(`shenliao %s --help` lists the options)\n", cmd->name);
	} else {
		fprintf(stderr, "(`shenliao --help` lists the commands)\n");
	}
	return EXIT_USAGE;
}

int cli_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "shenliao: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	return EXIT_FAIL;
}

int cli_fmt(char *out, size_t cap, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, cap, fmt, ap);
	va_end(ap);
	return n >= 0 && (size_t)n < cap ? ERR_OK : ERR_TOO_BIG;
}

/* env_name writes SHENLIAO_<OPT> into out[cap]; ERR_TOO_BIG when it does not fit (the
 * option then has no environment variable). */
static int env_name(const char *opt, char *out, size_t cap)
{
	static const char prefix[] = "SHENLIAO_";
	size_t i, o = sizeof(prefix) - 1;

	if (o + strlen(opt) >= cap)
		return ERR_TOO_BIG;
	memcpy(out, prefix, o);
	for (i = 0; opt[i]; i++)
		out[o++] = opt[i] == '-' ? '_' : (char)toupper((unsigned char)opt[i]);
	out[o] = '\0';
	return ERR_OK;
}

const struct cli_cmd *const cli_commands[] = {
    &cli_cmd_init,	    &cli_cmd_serve,	    &cli_cmd_demo,	   &cli_cmd_user_add,
    &cli_cmd_token_create,  &cli_cmd_backup,	    &cli_cmd_import_polis, &cli_cmd_opinion,
    &cli_cmd_audit_verify,  &cli_cmd_routes,	    &cli_cmd_copy,	   &cli_cmd_bundle_keygen,
    &cli_cmd_bundle_export, &cli_cmd_bundle_import,
};
const size_t cli_ncommands = sizeof(cli_commands) / sizeof(cli_commands[0]);

void cli_help(FILE *f, const struct cli_cmd *cmd)
{
	size_t i;

	usage_line(f, cmd);
	fprintf(f, "%s\n", cmd->summary);
	fputs(cmd->about, f);
	fputs("\noptions (each can also be set in the environment variable shown; the command\n"
	      "line wins):\n",
	      f);
	for (i = 0; i < cmd->nopts; i++) {
		const struct cli_opt *o = &cmd->opts[i];
		char left[64], env[64];

		snprintf(left, sizeof(left), "--%s%s%s", o->name, o->arg ? " " : "",
			 o->arg ? o->arg : "");
		if (env_name(o->name, env, sizeof(env)))
			env[0] = '\0';
		fprintf(f, "  %-24s %s%s\n", left, o->help, o->required ? " (required)" : "");
		fprintf(f, "  %-24s [%s%s%s]\n", "", env, o->def ? "; default: " : "",
			o->def ? o->def : "");
	}
	fputs("  --help                   print this help\n", f);
}

int cli_parse(int argc, char **argv, int from, const struct cli_cmd *cmd, struct cli_args *out)
{
	size_t i;
	int a;

	memset(out, 0, sizeof(*out));
	out->cmd = cmd;
	if (cmd->nopts > CLI_MAX_OPTS)
		return cli_usage(cmd, "internal error: too many options");
	for (a = from; a < argc; a++) {
		const char *arg = argv[a], *eq;
		size_t nlen;

		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			cli_help(stdout, cmd);
			return EXIT_OK;
		}
		if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
			if (out->npos == cmd->npos_max || out->npos == CLI_MAX_POS)
				return cli_usage(cmd, "unexpected argument '%s'", arg);
			out->pos[out->npos++] = arg;
			continue;
		}
		eq = strchr(arg, '=');
		nlen = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
		for (i = 0; i < cmd->nopts; i++)
			if (strlen(cmd->opts[i].name) == nlen &&
			    strncmp(cmd->opts[i].name, arg + 2, nlen) == 0)
				break;
		if (i == cmd->nopts)
			return cli_usage(cmd, "unknown option '%.*s'", (int)nlen + 2, arg);
		out->given[i] = true;
		if (!cmd->opts[i].arg) {
			if (eq)
				return cli_usage(cmd, "option --%s takes no value",
						 cmd->opts[i].name);
			out->value[i] = "1";
			continue;
		}
		if (eq) {
			out->value[i] = eq + 1;
		} else {
			if (a + 1 >= argc)
				return cli_usage(cmd, "option --%s needs a value (--%s %s)",
						 cmd->opts[i].name, cmd->opts[i].name,
						 cmd->opts[i].arg);
			out->value[i] = argv[++a];
		}
	}
	for (i = 0; i < cmd->nopts; i++) {
		char env[64];
		const char *v;

		if (out->given[i] || env_name(cmd->opts[i].name, env, sizeof(env)))
			continue;
		v = getenv(env);
		if (v && *v) {
			out->value[i] = v;
			out->given[i] = true;
		}
	}
	for (i = 0; i < cmd->nopts; i++) {
		char env[64];

		if (!cmd->opts[i].required || out->given[i])
			continue;
		if (env_name(cmd->opts[i].name, env, sizeof(env)))
			env[0] = '\0';
		return cli_usage(cmd, "%s needs --%s %s (or %s)", cmd->name, cmd->opts[i].name,
				 cmd->opts[i].arg ? cmd->opts[i].arg : "", env);
	}
	if (out->npos < cmd->npos_min)
		return cli_usage(cmd, "%s needs %s", cmd->name, cmd->args);
	out->json = cli_arg(out, "json") != NULL;
	return -1;
}

const char *cli_arg(const struct cli_args *a, const char *name)
{
	size_t i;

	for (i = 0; i < a->cmd->nopts; i++)
		if (strcmp(a->cmd->opts[i].name, name) == 0)
			return a->given[i] ? a->value[i] : NULL;
	return NULL;
}

int cli_json_out(json_t *v)
{
	int rc;

	if (!v)
		return cli_fail("out of memory");
	rc = json_dumpf(v, stdout, JSON_COMPACT);
	json_decref(v);
	if (rc == 0)
		rc = fputc('\n', stdout) == EOF;
	if (rc || fflush(stdout) != 0)
		return cli_fail("cannot write the output");
	return EXIT_OK;
}

int cli_read_secret(const char *file, char *out, size_t cap)
{
	FILE *f = fopen(file, "r");
	size_t n;

	if (!f)
		return -1;
	if (!fgets(out, (int)cap, f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	n = strcspn(out, "\r\n");
	out[n] = '\0';
	return 0;
}

int cli_password(const struct cli_args *a, const char *env, char *out, size_t cap)
{
	const char *file = cli_arg(a, "password-file");
	const char *v;

	if (file) {
		if (cli_read_secret(file, out, cap))
			return cli_fail("cannot read a password from %s", file);
		return 0;
	}
	v = getenv(env);
	if (!v || !*v)
		return cli_fail("no password: set %s or give --password-file FILE", env);
	if (strlen(v) >= cap)
		return cli_fail("the password in %s is too long", env);
	memcpy(out, v, strlen(v) + 1);
	return 0;
}

const char *cli_db_name(const char *path)
{
	static char buf[2][1024];
	static int next;

	next = !next;
	return store_safe_name(path, buf[next], sizeof(buf[next]));
}

struct db *cli_open_db(const char *path)
{
	enum store_stage stage;
	struct db *db;
	int rc;

	rc = store_open(path, 0, &db, NULL, &stage);
	if (rc == ERR_NOT_FOUND && stage == STORE_STAGE_OPEN)
		cli_fail("no database at %s (create one with `shenliao init`)", cli_db_name(path));
	else if (rc && stage == STORE_STAGE_MIGRATE)
		cli_fail("cannot migrate the database %s (is it from a newer shenliao? see the log "
			 "above)",
			 cli_db_name(path));
	else if (rc)
		cli_fail("cannot open the database %s", cli_db_name(path));
	return rc ? NULL : db;
}
