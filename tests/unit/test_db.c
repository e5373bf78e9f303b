/*
 * test_db.c - the database layer on a real SQLite file: migrations (numbered, recorded,
 * idempotent), WAL and foreign keys, statement cache, constraint errors, online backup.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/db.h"

struct fixture {
	char dir[64];
	char path[128];
	struct db *db;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/shenliao-dbtest-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/t.db", f->dir);
	if (db_open(f->path, DB_OPEN_CREATE, &f->db))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[160];

	db_close(f->db);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static int64_t scalar(struct db *db, const char *sql)
{
	struct db_stmt *st;
	int64_t v = -1;

	assert_int_equal(db_prepare(db, sql, &st), ERR_OK);
	if (db_step(st) == DB_ROW)
		v = db_col_int(st, 0);
	db_done(st);
	return v;
}

static void test_migrate(void **state)
{
	struct fixture *f = *state;
	int v = -1, v2 = -1;

	assert_true(db_latest_version() >= 1);
	assert_int_equal(db_schema_version(f->db, &v), ERR_OK);
	assert_int_equal(v, 0);
	assert_int_equal(db_migrate(f->db, &v), ERR_OK);
	assert_int_equal(v, db_latest_version());
	/* again: nothing to do, same version */
	assert_int_equal(db_migrate(f->db, &v2), ERR_OK);
	assert_int_equal(v2, v);
	assert_int_equal(scalar(f->db, "SELECT COUNT(*) FROM schema_migrations"),
			 db_latest_version());
}

static void test_pragmas(void **state)
{
	struct fixture *f = *state;
	struct db_stmt *st;

	assert_int_equal(db_prepare(f->db, "PRAGMA journal_mode", &st), ERR_OK);
	assert_int_equal(db_step(st), DB_ROW);
	assert_string_equal(db_col_text(st, 0), "wal");
	db_done(st);
	assert_int_equal(scalar(f->db, "PRAGMA foreign_keys"), 1);
}

static const char sql_ins_org[] =
    "INSERT INTO org (slug, name, level, path, created_at, updated_at)"
    " VALUES (?, ?, 'city', '/', 0, 0)";
static const char sql_ins_user[] = "INSERT INTO users (org_id, username, display_name, role,"
				   " password_hash, created_at, updated_at)"
				   " VALUES (?, 'u1', 'u', 'member', 'x', 0, 0)";

static void test_constraints_and_cache(void **state)
{
	struct fixture *f = *state;
	struct db_stmt *st, *st2;

	assert_int_equal(db_migrate(f->db, NULL), ERR_OK);
	assert_int_equal(db_prepare(f->db, sql_ins_org, &st), ERR_OK);
	assert_int_equal(db_bind_str(st, 1, "a"), ERR_OK);
	assert_int_equal(db_bind_str(st, 2, "深圳市政协"), ERR_OK);
	assert_int_equal(db_run(st), DB_DONE);
	assert_true(db_last_id(f->db) > 0);
	/* the same SQL text gives the same cached statement, reset */
	assert_int_equal(db_prepare(f->db, sql_ins_org, &st2), ERR_OK);
	assert_ptr_equal(st, st2);
	assert_int_equal(db_bind_str(st2, 1, "a"), ERR_OK);
	assert_int_equal(db_bind_str(st2, 2, "dup"), ERR_OK);
	assert_int_equal(db_run(st2), ERR_CONFLICT); /* unique slug */
	/* foreign keys are enforced */
	assert_int_equal(db_prepare(f->db, sql_ins_user, &st), ERR_OK);
	assert_int_equal(db_bind_int(st, 1, 999), ERR_OK);
	assert_int_equal(db_run(st), ERR_CONFLICT);
	/* a rolled-back transaction leaves nothing */
	assert_int_equal(db_begin_write(f->db), ERR_OK);
	assert_int_equal(db_prepare(f->db, sql_ins_org, &st), ERR_OK);
	assert_int_equal(db_bind_str(st, 1, "b"), ERR_OK);
	assert_int_equal(db_bind_str(st, 2, "b"), ERR_OK);
	assert_int_equal(db_run(st), DB_DONE);
	db_rollback(f->db);
	assert_int_equal(scalar(f->db, "SELECT COUNT(*) FROM org"), 1);
	db_rollback(f->db); /* harmless without a transaction */
}

/* the shared readers: db_col_dup copies a column's text, db_ids_row collects ids */
static void test_col_dup_and_ids(void **state)
{
	struct fixture *f = *state;
	struct db_ids ids = {NULL, 0};
	struct db_stmt *st;
	char *t;

	assert_int_equal(db_get_row(f->db, "SELECT '深聊', NULL", &st, ""), ERR_OK);
	t = db_col_dup(st, 0);
	assert_string_equal(t, "深聊");
	free(t);
	t = db_col_dup(st, 1); /* NULL reads as "" */
	assert_string_equal(t, "");
	free(t);
	db_done(st);
	assert_int_equal(db_each(f->db, "SELECT 3 UNION ALL SELECT 1 UNION ALL SELECT ?",
				 db_ids_row, &ids, "i", (int64_t)7),
			 ERR_OK);
	assert_int_equal(ids.n, 3);
	assert_int_equal(ids.ids[0], 3);
	assert_int_equal(ids.ids[2], 7);
	free(ids.ids);
}

static void test_backup(void **state)
{
	struct fixture *f = *state;
	char out[160];
	struct db *copy;

	assert_int_equal(db_migrate(f->db, NULL), ERR_OK);
	snprintf(out, sizeof(out), "%s/copy.db", f->dir);
	assert_int_equal(db_backup(f->db, out), ERR_OK);
	assert_int_equal(db_backup(f->db, out), ERR_EXISTS);
	assert_int_equal(db_open(out, 0, &copy), ERR_OK);
	assert_int_equal(scalar(copy, "SELECT COUNT(*) FROM schema_migrations"),
			 db_latest_version());
	db_close(copy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_migrate, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pragmas, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_constraints_and_cache, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_col_dup_and_ids, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_backup, setup, teardown),
	};

	return cmocka_run_group_tests_name("db", tests, NULL, NULL);
}
