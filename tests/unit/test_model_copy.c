/*
 * test_model_copy.c - store_copy (`shenliao copy`): every table's rows and ids from the
 * fixture's database (SQLite, or PostgreSQL under SHENLIAO_TEST_PG) into a new SQLite file,
 * and, with SHENLIAO_TEST_PG, into a new PostgreSQL database and back; a target holding data
 * refused without replace and emptied with it; the copy usable afterwards (new ids follow
 * the copied ones); the same database on both sides refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "model_fixture.h"
#include "model/store.h"

static int group_setup(void **state)
{
	return mfix_setup(state);
}

static int group_teardown(void **state)
{
	return mfix_teardown(state);
}

struct tally {
	size_t tables;
	int64_t rows;
	bool all_match, saw_org, saw_audit;
};

static void on_table(void *ud, const char *name, int64_t from, int64_t to)
{
	struct tally *t = ud;

	t->tables++;
	t->rows += to;
	if (from != to)
		t->all_match = false;
	if (strcmp(name, "org") == 0)
		t->saw_org = from == 4 && to == 4;
	if (strcmp(name, "audit") == 0)
		t->saw_audit = from > 0;
}

static int64_t count(struct db *db, const char *sql)
{
	int64_t n = -1;

	assert_int_equal(db_get_int(db, sql, &n, NULL), ERR_OK);
	return n;
}

/* check_copy opens path and checks the fixture's rows are there with their ids, then makes
 * a new body in it (its id must follow the copied ones). */
static void check_copy(struct mfix *f, const char *path)
{
	struct db *db;
	struct actor sys;
	struct org o;
	struct verr e;

	assert_int_equal(store_open(path, 0, &db, NULL, NULL), ERR_OK);
	assert_int_equal(count(db, "SELECT count(*) FROM org"), 4);
	assert_int_equal(count(db, "SELECT count(*) FROM users"), 7);
	assert_int_equal(db_get_int(db, "SELECT id FROM org WHERE slug = 'district'", &o.id, NULL),
			 ERR_OK);
	assert_int_equal(o.id, f->district.id);
	actor_system(&sys);
	memset(&o, 0, sizeof(o));
	snprintf(o.slug, sizeof(o.slug), "after-copy");
	snprintf(o.name, sizeof(o.name), "复制后新建");
	snprintf(o.level, sizeof(o.level), "city");
	o.parent_id = f->province.id;
	{
		struct mfix g = *f; /* the fixture's helpers, on this connection */

		g.db = db;
		assert_int_equal(mfix_begin(&g), ERR_OK);
		assert_int_equal(mfix_commit(&g, org_create(db, &sys, &o, &e)), ERR_OK);
	}
	assert_true(o.id > f->other.id);
	store_close(db);
}

static void test_copy_to_sqlite(void **state)
{
	struct mfix *f = *state;
	struct tally t = {0, 0, true, false, false};
	enum store_copy_stage stage;
	char to[160];

	snprintf(to, sizeof(to), "%s/copy.db", f->dir);
	assert_int_equal(store_copy(f->path, to, false, NULL, on_table, &t, &stage), ERR_OK);
	assert_true(t.tables > 20);
	assert_true(t.all_match);
	assert_true(t.saw_org);
	assert_true(t.saw_audit);
	check_copy(f, to);
	/* now it holds data: refused, then emptied and filled again with replace */
	assert_int_equal(store_copy(f->path, to, false, NULL, NULL, NULL, &stage), ERR_EXISTS);
	assert_int_equal(stage, STORE_COPY_TO);
	memset(&t, 0, sizeof(t));
	t.all_match = true;
	assert_int_equal(store_copy(f->path, to, true, NULL, on_table, &t, &stage), ERR_OK);
	assert_true(t.saw_org && t.all_match);
	check_copy(f, to);
	assert_int_equal(store_copy(f->path, f->path, true, NULL, NULL, NULL, &stage), ERR_INVALID);
}

static void test_copy_through_postgres(void **state)
{
	struct mfix *f = *state;
	struct tally t = {0, 0, true, false, false};
	enum store_copy_stage stage;
	const char *pg = getenv("SHENLIAO_TEST_PG");
	char uri[512], back[160];

	snprintf(uri, sizeof(uri), "%s%st_copy_%ld", pg, pg[strlen(pg) - 1] == '/' ? "" : "/",
		 (long)getpid());
	snprintf(back, sizeof(back), "%s/back.db", f->dir);
	assert_int_equal(store_copy(f->path, uri, false, NULL, on_table, &t, &stage), ERR_OK);
	assert_true(t.all_match && t.saw_org && t.saw_audit);
	check_copy(f, uri);
	assert_int_equal(store_copy(f->path, uri, false, NULL, NULL, NULL, &stage), ERR_EXISTS);
	memset(&t, 0, sizeof(t));
	t.all_match = true;
	assert_int_equal(store_copy(f->path, uri, true, NULL, on_table, &t, &stage), ERR_OK);
	assert_true(t.all_match && t.saw_org);
	memset(&t, 0, sizeof(t));
	t.all_match = true;
	assert_int_equal(store_copy(uri, back, false, NULL, on_table, &t, &stage), ERR_OK);
	assert_true(t.all_match && t.saw_org);
	check_copy(f, back);
	/* and from that SQLite file into a new PostgreSQL database: SQLite -> PostgreSQL */
	snprintf(uri, sizeof(uri), "%s%st_copy2_%ld", pg, pg[strlen(pg) - 1] == '/' ? "" : "/",
		 (long)getpid());
	memset(&t, 0, sizeof(t));
	t.all_match = true;
	assert_int_equal(store_copy(back, uri, false, NULL, on_table, &t, &stage), ERR_OK);
	assert_true(t.all_match);
	assert_true(t.rows > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_copy_to_sqlite),
	    cmocka_unit_test(test_copy_through_postgres),
	};
	const char *pg = getenv("SHENLIAO_TEST_PG");

	/* the PostgreSQL one only with a server to run on (not counted otherwise) */
	return _cmocka_run_group_tests("model_copy", tests, pg && *pg ? 2 : 1, group_setup,
				       group_teardown);
}
