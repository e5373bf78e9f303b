/*
 * cli.c - option parsing and helpers shared by the commands.
 */
#include "cli.h"

#include <ctype.h>
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

int cli_usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "shenliao: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s", usage);
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

int cli_parse(int argc, char **argv, int from, struct cli_opt *opts, size_t nopts, const char **pos,
	      size_t npos_max, size_t *npos, const char *usage, bool *help)
{
	size_t i;
	int a;

	*npos = 0;
	*help = false;
	for (a = from; a < argc; a++) {
		const char *arg = argv[a], *eq;
		size_t nlen;

		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			fputs(usage, stdout);
			*help = true;
			return EXIT_OK;
		}
		if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
			if (*npos == npos_max)
				return cli_usage_error(usage, "unexpected argument '%s'", arg);
			pos[(*npos)++] = arg;
			continue;
		}
		eq = strchr(arg, '=');
		nlen = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
		for (i = 0; i < nopts; i++)
			if (strlen(opts[i].name) == nlen &&
			    strncmp(opts[i].name, arg + 2, nlen) == 0)
				break;
		if (i == nopts)
			return cli_usage_error(usage, "unknown option '%.*s'", (int)nlen + 2, arg);
		opts[i].given = true;
		if (!opts[i].takes_value) {
			if (eq)
				return cli_usage_error(usage, "option --%s takes no value",
						       opts[i].name);
			opts[i].value = "1";
			continue;
		}
		if (eq) {
			opts[i].value = eq + 1;
		} else {
			if (a + 1 >= argc)
				return cli_usage_error(usage, "option --%s needs a value",
						       opts[i].name);
			opts[i].value = argv[++a];
		}
	}
	for (i = 0; i < nopts; i++) {
		char env[64];
		const char *v;

		if (opts[i].given)
			continue;
		if (env_name(opts[i].name, env, sizeof(env)))
			continue;
		v = getenv(env);
		if (v && *v) {
			opts[i].value = v;
			opts[i].given = true;
		}
	}
	return -1;
}

const char *cli_get(const struct cli_opt *opts, size_t nopts, const char *name)
{
	size_t i;

	for (i = 0; i < nopts; i++)
		if (strcmp(opts[i].name, name) == 0)
			return opts[i].given ? opts[i].value : NULL;
	return NULL;
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

int cli_password(const struct cli_opt *opts, size_t nopts, const char *env, char *out, size_t cap)
{
	const char *file = cli_get(opts, nopts, "password-file");
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

struct db *cli_open_db(const char *path)
{
	enum store_stage stage;
	struct db *db;
	int rc;

	rc = store_open(path, 0, &db, NULL, &stage);
	if (rc == ERR_NOT_FOUND && stage == STORE_STAGE_OPEN)
		cli_fail("no database at %s (create one with `shenliao init`)", path);
	else if (rc && stage == STORE_STAGE_MIGRATE)
		cli_fail("cannot migrate the database %s", path);
	else if (rc)
		cli_fail("cannot open the database %s", path);
	return rc ? NULL : db;
}
