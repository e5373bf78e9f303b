/*
 * copy.c - `shenliao copy --from DB --to DB [--replace]`: a whole database from one backend
 * to another (SQLite file <-> PostgreSQL URI), every row and id, in one transaction on the
 * target, with a progress bar; the row counts of every table are compared at the end and
 * printed (store_copy).
 */
#include "cli.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "cli/progress.h"
#include "model/store.h"

static const struct cli_opt copy_opts[] = {
    {"from", "DB", NULL, "the database to copy: a file or a postgresql:// URI", true},
    {"to", "DB", NULL, "the database to fill: a file or URI (created when missing)", true},
    {"replace", NULL, NULL, "empty the target first when it holds data", false},
    {"json", NULL, NULL, "print the tables and their row counts as one JSON object", false},
};

static int cmd_copy(int argc, char **argv);

const struct cli_cmd cli_cmd_copy = {
    "copy",
    "",
    0,
    0,
    "copy a whole database between SQLite and PostgreSQL",
    "Copies every table, row and id of --from into --to (SQLite file or postgresql:// URI,\n"
    "either way) in one transaction on the target, and checks the row count of every table.\n"
    "A target that holds data is refused unless --replace is given. Stop `shenliao serve`\n"
    "on the target first; the source may be in use (it is read in one snapshot).\n",
    copy_opts,
    ARRAY_LEN(copy_opts),
    cmd_copy,
};

struct copy_ui {
	struct progress bar;
	json_t *tables; /* --json: the rows per table */
	int64_t rows;
	size_t ntables;
	bool quiet;
};

static void copy_progress(void *ud, uint64_t done, uint64_t total)
{
	struct copy_ui *ui = ud;

	progress_cb(&ui->bar, done, total);
}

static void copy_table(void *ud, const char *name, int64_t from, int64_t to)
{
	struct copy_ui *ui = ud;

	ui->rows += to;
	ui->ntables++;
	if (ui->tables)
		json_array_append_new(ui->tables,
				      json_pack("{s:s,s:I,s:I}", "table", name, "from",
						(json_int_t)from, "to", (json_int_t)to));
	else
		printf("  %-28s %8lld -> %8lld %s\n", name, (long long)from, (long long)to,
		       from == to ? "ok" : "DIFFERS");
}

static int cmd_copy(int argc, char **argv)
{
	enum store_copy_stage stage;
	struct copy_ui ui;
	struct cli_args a;
	const char *from, *to;
	int rc;

	rc = cli_parse(argc, argv, 1, &cli_cmd_copy, &a);
	if (rc >= 0)
		return rc;
	from = cli_arg(&a, "from");
	to = cli_arg(&a, "to");
	memset(&ui, 0, sizeof(ui));
	if (a.json) {
		ui.tables = json_array();
		if (!ui.tables)
			return cli_fail("out of memory");
	}
	progress_begin(&ui.bar, "copy", " rows", 0);
	rc = store_copy(from, to, cli_arg(&a, "replace") != NULL, copy_progress, copy_table, &ui,
			&stage);
	progress_end(&ui.bar);
	if (rc) {
		json_decref(ui.tables);
		if (rc == ERR_INVALID)
			return cli_fail("--from and --to are the same database");
		if (rc == ERR_EXISTS)
			return cli_fail(
			    "%s holds data; refusing to overwrite it (give --replace to "
			    "empty it first)",
			    cli_db_name(to));
		if (stage == STORE_COPY_FROM)
			return cli_fail("cannot open the database %s (see the log above)",
					cli_db_name(from));
		if (stage == STORE_COPY_TO)
			return cli_fail("cannot open or create the database %s (see the log above)",
					cli_db_name(to));
		return cli_fail("the copy from %s to %s failed, nothing was written: %s (see the "
				"log above)",
				cli_db_name(from), cli_db_name(to),
				rc == ERR_CONFLICT ? "the rows do not match" : err_name(rc));
	}
	if (a.json)
		return cli_json_out(json_pack("{s:s,s:s,s:o,s:I,s:b}", "from", cli_db_name(from),
					      "to", cli_db_name(to), "tables", ui.tables, "rows",
					      (json_int_t)ui.rows, "counts_match", 1));
	printf("copied %lld rows in %zu tables from %s to %s; the row count of every table "
	       "matches\n",
	       (long long)ui.rows, ui.ntables, cli_db_name(from), cli_db_name(to));
	return EXIT_OK;
}
