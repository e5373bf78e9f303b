/*
 * test_model_store.c - the store module: opening a database for a command (new or existing,
 * migrated, refused when missing or already there), the unit of work (store_tx commits on
 * success and rolls back on failure), backups, discarding a half-made file, and the root
 * body lookup the demo loader uses (org_get_root).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db/db.h"
#include "model/model.h"
#include "model/store.h"

struct dir {
	char path[64];
	char db[128];
	char copy[128];
};

static int setup(void **state)
{
	struct dir *d = calloc(1, sizeof(*d));

	if (!d)
		return -1;
	snprintf(d->path, sizeof(d->path), "/tmp/shenliao-storetest-XXXXXX");
	if (!mkdtemp(d->path))
		return -1;
	snprintf(d->db, sizeof(d->db), "%s/a.db", d->path);
	snprintf(d->copy, sizeof(d->copy), "%s/copy.db", d->path);
	*state = d;
	return 0;
}

static int teardown(void **state)
{
	struct dir *d = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d->path);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", d->path);
	free(d);
	return 0;
}

static bool exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}

/* make_root is a unit of work: the root body. */
static int make_root(struct db *db, void *ud)
{
	struct actor sys;
	struct org *o = ud;
	struct verr e;

	actor_system(&sys);
	memset(o, 0, sizeof(*o));
	memcpy(o->slug, "root", sizeof("root"));
	memcpy(o->name, "测试政协", sizeof("测试政协"));
	memcpy(o->level, "province", sizeof("province"));
	return org_create(db, &sys, o, &e);
}

/* make_and_fail makes a body, then fails: nothing of it may stay. */
static int make_and_fail(struct db *db, void *ud)
{
	struct actor sys;
	struct org o;
	struct verr e;
	int rc;

	(void)ud;
	actor_system(&sys);
	memset(&o, 0, sizeof(o));
	memcpy(o.slug, "gone", sizeof("gone"));
	memcpy(o.name, "不留", sizeof("不留"));
	memcpy(o.level, "city", sizeof("city"));
	o.parent_id = 1;
	rc = org_create(db, &sys, &o, &e);
	return rc ? rc : ERR_INVALID;
}

static void test_open_missing_and_existing(void **state)
{
	struct dir *d = *state;
	enum store_stage stage;
	struct db *db = NULL;
	int version = -1;

	assert_int_equal(store_open(d->db, 0, &db, &version, &stage), ERR_NOT_FOUND);
	assert_null(db);
	assert_int_equal(stage, STORE_STAGE_OPEN);
	assert_false(exists(d->db));

	assert_int_equal(store_open(d->db, STORE_CREATE, &db, &version, &stage), ERR_OK);
	assert_non_null(db);
	assert_int_equal(stage, STORE_STAGE_NONE);
	assert_int_equal(version, db_latest_version());
	store_close(db);

	assert_int_equal(store_open(d->db, STORE_CREATE, &db, NULL, NULL), ERR_EXISTS);
	assert_null(db);
	version = -1;
	assert_int_equal(store_open(d->db, 0, &db, &version, NULL), ERR_OK);
	assert_int_equal(version, db_latest_version());
	store_close(db);
	store_close(NULL);
}

/* runs after test_open_missing_and_existing, on the database it made */
static void test_tx_root_and_backup(void **state)
{
	struct dir *d = *state;
	struct org root, o;
	struct db *db, *copy;

	assert_int_equal(store_open(d->db, 0, &db, NULL, NULL), ERR_OK);
	assert_int_equal(org_get_root(db, &o), ERR_NOT_FOUND);
	assert_int_equal(store_tx(db, make_root, &root), ERR_OK);
	assert_int_equal(org_get_root(db, &o), ERR_OK);
	assert_int_equal(o.id, root.id);
	assert_string_equal(o.slug, "root");
	assert_int_equal(o.parent_id, 0);

	/* a failed unit of work leaves nothing behind */
	assert_int_equal(store_tx(db, make_and_fail, NULL), ERR_INVALID);
	assert_int_equal(org_get_by_slug(db, "gone", &o), ERR_NOT_FOUND);

	/* the explicit form: a rollback undoes, a commit keeps */
	assert_int_equal(store_begin(db), ERR_OK);
	assert_int_equal(make_and_fail(db, NULL), ERR_INVALID);
	store_rollback(db);
	assert_int_equal(org_get_by_slug(db, "gone", &o), ERR_NOT_FOUND);
	store_rollback(db); /* none open: harmless */

	assert_int_equal(store_backup(db, d->copy), ERR_OK);
	assert_int_equal(store_backup(db, d->copy), ERR_EXISTS);
	store_close(db);
	assert_int_equal(store_open(d->copy, 0, &copy, NULL, NULL), ERR_OK);
	assert_int_equal(org_get_root(copy, &o), ERR_OK);
	assert_string_equal(o.name, "测试政协");
	store_close(copy);
}

static void test_discard(void **state)
{
	struct dir *d = *state;
	char path[160];
	struct db *db;

	snprintf(path, sizeof(path), "%s/half.db", d->path);
	assert_int_equal(store_open(path, STORE_CREATE, &db, NULL, NULL), ERR_OK);
	assert_true(exists(path));
	store_discard(db, path);
	assert_false(exists(path));
}

static void test_pool(void **state)
{
	struct dir *d = *state;

	struct db *db;
	struct org o;

	assert_int_equal(store_pool_init(d->db, STORE_SYNC_FULL), ERR_OK);
	db = store_thread();
	assert_non_null(db);
	assert_ptr_equal(store_thread(), db); /* the same connection for the same thread */
	assert_int_equal(org_get_root(db, &o), ERR_OK);
	store_pool_fini();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_open_missing_and_existing),
	    cmocka_unit_test(test_tx_root_and_backup),
	    cmocka_unit_test(test_discard),
	    cmocka_unit_test(test_pool),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
