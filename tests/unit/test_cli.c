/*
 * test_cli.c - the command line's own pieces: the progress bar's line (percent, rate, time
 * left, width) and the help generated from each command's option table (every option with
 * its SHENLIAO_ variable and default).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/progress.h"

static void test_human(void **state)
{
	char b[32];

	(void)state;
	progress_human(b, sizeof(b), 0);
	assert_string_equal(b, "0");
	progress_human(b, sizeof(b), 999);
	assert_string_equal(b, "999");
	progress_human(b, sizeof(b), 1000);
	assert_string_equal(b, "1.00k");
	progress_human(b, sizeof(b), 12345);
	assert_string_equal(b, "12.3k");
	progress_human(b, sizeof(b), 456789);
	assert_string_equal(b, "457k");
	progress_human(b, sizeof(b), 2.5e6);
	assert_string_equal(b, "2.50M");
	progress_human(b, sizeof(b), 7.25e9);
	assert_string_equal(b, "7.25G");
}

static void test_format_rate_and_eta(void **state)
{
	char line[256];
	size_t n;

	(void)state;
	/* half of 1,000,000 bytes in 10 s: 50 kB/s, 10 s left */
	n = progress_format(line, sizeof(line), "read polis", "B", 500000, 1000000, 10.0, 80);
	assert_int_equal(n, strlen(line));
	assert_non_null(strstr(line, "read polis ["));
	assert_non_null(strstr(line, " 50%"));
	assert_non_null(strstr(line, "50.0kB/s"));
	assert_non_null(strstr(line, "ETA 0:10"));
	/* the bar is half full */
	{
		const char *open = strchr(line, '['), *close = strchr(line, ']');
		size_t hashes = 0, dots = 0;
		const char *p;

		assert_non_null(open);
		assert_non_null(close);
		for (p = open + 1; p < close; p++) {
			hashes += *p == '#';
			dots += *p == '.';
		}
		assert_int_equal(hashes + dots, (size_t)(close - open - 1));
		assert_int_equal(hashes, dots);
	}
	/* hours */
	progress_format(line, sizeof(line), "import polis", "", 1, 10001, 1.0, 80);
	assert_non_null(strstr(line, "  0%"));
	assert_non_null(strstr(line, "1/s"));
	assert_non_null(strstr(line, "ETA 2:46:40"));
	/* done */
	progress_format(line, sizeof(line), "backup", " pages", 300, 300, 2.0, 80);
	assert_non_null(strstr(line, "100%"));
	assert_non_null(strstr(line, "150 pages/s"));
	assert_non_null(strstr(line, "ETA 0:00"));
	assert_null(strchr(line, '.'));
	/* too early for a rate: none is guessed */
	progress_format(line, sizeof(line), "demo", " steps", 1, 5, 0.05, 80);
	assert_non_null(strstr(line, " 20%"));
	assert_non_null(strstr(line, " -  ETA --:--"));
	/* unknown total: 0% and no time left */
	progress_format(line, sizeof(line), "backup", "", 0, 0, 3.0, 80);
	assert_non_null(strstr(line, "  0%"));
	assert_non_null(strstr(line, "ETA --:--"));
}

static void test_format_width(void **state)
{
	char line[256];
	int w;

	(void)state;
	for (w = 1; w <= 200; w++) {
		size_t n = progress_format(line, sizeof(line), "import polis", "B", 123456, 1000000,
					   3.5, w);

		assert_int_equal(n, strlen(line));
		assert_true(n <= (size_t)(w > 1 ? w - 1 : 0));
		if (w >= 60)
			assert_non_null(strchr(line, '['));
	}
	/* the bar is at most 40 wide on a wide terminal */
	progress_format(line, sizeof(line), "x", "", 5, 10, 1.0, 200);
	assert_true(strlen(line) < 80);
	/* a small buffer is never overrun */
	assert_true(progress_format(line, 10, "import polis", "B", 1, 2, 1.0, 80) <= 9);
	assert_int_equal(strlen(line), progress_format(line, 10, "import", "", 1, 2, 1.0, 80));
}

/* env_of writes SHENLIAO_<NAME> for an option name. */
static void env_of(const char *name, char *out)
{
	size_t i, o = strlen("SHENLIAO_");

	memcpy(out, "SHENLIAO_", o);
	for (i = 0; name[i]; i++)
		out[o++] = name[i] == '-' ? '_' : (char)toupper((unsigned char)name[i]);
	out[o] = '\0';
}

static void test_help_lists_every_option(void **state)
{
	size_t c, i;

	(void)state;
	assert_true(cli_ncommands >= 8);
	for (c = 0; c < cli_ncommands; c++) {
		const struct cli_cmd *cmd = cli_commands[c];
		char *text = NULL, usage[128], env[96], flag[96];
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);

		assert_non_null(f);
		cli_help(f, cmd);
		fclose(f);
		snprintf(usage, sizeof(usage), "usage: shenliao %s", cmd->name);
		assert_non_null(strstr(text, usage));
		assert_true(cmd->nopts <= CLI_MAX_OPTS);
		for (i = 0; i < cmd->nopts; i++) {
			const struct cli_opt *o = &cmd->opts[i];
			const char *at;

			snprintf(flag, sizeof(flag), "--%s ", o->name);
			at = strstr(text, flag);
			if (!at) {
				snprintf(flag, sizeof(flag), "--%s\n", o->name);
				at = strstr(text, flag);
			}
			assert_non_null(at);
			env_of(o->name, env);
			assert_non_null(strstr(at, env));
			if (o->def) {
				char d[160];

				snprintf(d, sizeof(d), "[%s; default: %s]", env, o->def);
				assert_non_null(strstr(at, d));
			}
			assert_non_null(o->help);
		}
		free(text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_human),
	    cmocka_unit_test(test_format_rate_and_eta),
	    cmocka_unit_test(test_format_width),
	    cmocka_unit_test(test_help_lists_every_option),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
