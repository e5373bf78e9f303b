/*
 * bench/pgconv.c - what PostgreSQL's native types cost through the driver (docs/PERFORMANCE.md,
 * "PostgreSQL's native types"; not a make bench target: no HTTP). Two loops on one database:
 *   pgconv URI conv   1,000 rows of (time, flag) inserted and read 20 times, as bigint +
 *                     smallint and as timestamptz + boolean, interleaved: the conversion in
 *                     src/db/db_pg.c against none
 *   pgconv URI sp     5,000 primary-key reads inside db_begin_write, as SELECT and as
 *                     WITH ... SELECT (which the driver runs under a savepoint): the price of
 *                     guarding reads
 * Build and run (a server from scripts/pg.sh start):
 *   make && cc -O2 -Isrc -Ibuild/gen -isystem /usr/include/postgresql bench/pgconv.c \
 *     build/libshenliao.a $(pkg-config --libs libmicrohttpd sqlite3 libpq jansson libsodium \
 *     md4c-html xlsxwriter pangocairo cairo-pdf libqrencode libcurl libzip libxml-2.0) -lm \
 *     -lpthread -o build/pgconv
 *   build/pgconv postgresql://postgres@127.0.0.1:55610/pgconv conv
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/db.h"

static double cpu(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double wall(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int conv(struct db *db)
{
	struct db_stmt *st;
	int r, i, k;
	const char *tab[2] = {"ci", "ct"};
	const char *sel[2] = {"SELECT at, f FROM ci", "SELECT at, f FROM ct"};
	const char *ins[2] = {"INSERT INTO ci (id, at, f) VALUES (?, ?, ?)",
			      "INSERT INTO ct (id, at, f) VALUES (?, ?, ?)"};
	if (db_exec_script(db,
			   "DROP TABLE IF EXISTS ci; DROP TABLE IF EXISTS ct;"
			   " CREATE TABLE ci (id bigint PRIMARY KEY, at bigint, f smallint);"
			   " CREATE TABLE ct (id bigint PRIMARY KEY, at timestamptz, f boolean)"))
		return 1;
	for (r = 0; r < 6; r++) {
		k = r % 2;
		double c0 = cpu(), w0 = wall();
		int64_t sum = 0;
		if (db_exec_script(db, k ? "TRUNCATE ct" : "TRUNCATE ci"))
			return 1;
		if (db_begin_write(db))
			return 1;
		for (i = 0; i < 1000; i++)
			if (db_exec(db, ins[k], "iin", (int64_t)i, (int64_t)1700000000 + i, i & 1))
				return 1;
		if (db_commit(db))
			return 1;
		double c1 = cpu(), w1 = wall();
		for (i = 0; i < 20; i++) {
			if (db_prepare(db, sel[k], &st))
				return 1;
			while (db_step(st) == DB_ROW)
				sum += db_col_int(st, 0) + db_col_int(st, 1) +
				       (int64_t)db_col_len(st, 0) + db_col_text(st, 0)[0];
			db_done(st);
		}
		double c2 = cpu(), w2 = wall();
		printf("%s: insert %.2f us/row (client cpu %.2f), read %.3f us/row (client cpu "
		       "%.3f) [%lld]\n",
		       tab[k][1] == 'i' ? "bigint+smallint " : "timestamptz+bool",
		       (w1 - w0) / 1000 * 1e6, (c1 - c0) / 1000 * 1e6, (w2 - w1) / 20000 * 1e6,
		       (c2 - c1) / 20000 * 1e6, (long long)sum);
	}
	return 0;
}

static int sp(struct db *db)
{
	int n = 5000, r, i;
	const char *sqls[2] = {"SELECT n FROM sp WHERE id = ?",
			       "WITH q AS (SELECT n FROM sp WHERE id = ?) SELECT n FROM q"};
	if (db_exec_script(db,
			   "DROP TABLE IF EXISTS sp; CREATE TABLE sp (id bigint PRIMARY KEY, n "
			   "bigint); INSERT INTO sp SELECT g, g FROM generate_series(1, 1000) g"))
		return 1;
	for (r = 0; r < 6; r++) {
		int k = r % 2;
		double t0 = wall(), c0 = cpu();
		int64_t v, sum = 0;
		if (db_begin_write(db))
			return 1;
		for (i = 0; i < n; i++) {
			if (db_get_int(db, sqls[k], &v, "i", (int64_t)(i % 1000 + 1)))
				return 1;
			sum += v;
		}
		if (db_commit(db))
			return 1;
		printf("%s: %.1f us per read (client cpu %.1f us) sum %lld\n",
		       k ? "WITH (savepoint)" : "SELECT (none)   ", (wall() - t0) / n * 1e6,
		       (cpu() - c0) / n * 1e6, (long long)sum);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct db *db;
	int rc;

	if (argc != 3 || (strcmp(argv[2], "conv") != 0 && strcmp(argv[2], "sp") != 0)) {
		fprintf(stderr, "usage: pgconv URI conv|sp\n");
		return 2;
	}
	if (db_open(argv[1], DB_OPEN_CREATE, &db))
		return 1;
	rc = strcmp(argv[2], "conv") == 0 ? conv(db) : sp(db);
	db_close(db);
	return rc;
}
