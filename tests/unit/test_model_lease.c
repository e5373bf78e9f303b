/*
 * test_model_lease.c - a lease is held by one holder at a time, renewed by its holder, free
 * again when its time is up or it is given up; two connections to one file (two processes)
 * cannot both hold it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "model/lease.h"
#include "model_fixture.h"

static void test_take_renew_expire(void **state)
{
	struct mfix *f = *state;
	int64_t now = 1800000000, exp = 0;

	assert_int_equal(lease_take(f->db, "tick", "a", now, 60), ERR_OK);
	/* another holder while it runs: refused, and the row is unchanged */
	assert_int_equal(lease_take(f->db, "tick", "b", now + 30, 60), ERR_CONFLICT);
	assert_int_equal(
	    db_get_int(f->db, "SELECT expires_at FROM lease WHERE name = ?", &exp, "s", "tick"),
	    ERR_OK);
	assert_int_equal(exp, now + 60);
	/* the holder renews */
	assert_int_equal(lease_take(f->db, "tick", "a", now + 30, 60), ERR_OK);
	assert_int_equal(lease_take(f->db, "tick", "b", now + 60, 60), ERR_CONFLICT);
	/* its time is up: anyone may take it */
	assert_int_equal(lease_take(f->db, "tick", "b", now + 90, 60), ERR_OK);
	assert_int_equal(lease_take(f->db, "tick", "a", now + 100, 60), ERR_CONFLICT);
	/* another name is another lease */
	assert_int_equal(lease_take(f->db, "mail", "a", now + 100, 60), ERR_OK);
}

static void test_release(void **state)
{
	struct mfix *f = *state;
	int64_t now = 1800001000;

	assert_int_equal(lease_take(f->db, "rel", "a", now, 600), ERR_OK);
	/* only the holder gives it up */
	assert_int_equal(lease_release(f->db, "rel", "b"), ERR_OK);
	assert_int_equal(lease_take(f->db, "rel", "b", now + 1, 600), ERR_CONFLICT);
	assert_int_equal(lease_release(f->db, "rel", "a"), ERR_OK);
	assert_int_equal(lease_take(f->db, "rel", "b", now + 1, 600), ERR_OK);
}

static void test_invalid(void **state)
{
	struct mfix *f = *state;

	assert_int_equal(lease_take(f->db, "", "a", 1, 60), ERR_INVALID);
	assert_int_equal(lease_take(f->db, "x", "", 1, 60), ERR_INVALID);
	assert_int_equal(lease_take(f->db, "x", "a", 1, 0), ERR_INVALID);
}

static void test_two_connections(void **state)
{
	struct mfix *f = *state;
	struct db *other = NULL;
	int64_t now = 1800002000;
	char h1[64], h2[64];

	lease_holder_make(h1, sizeof(h1));
	lease_holder_make(h2, sizeof(h2));
	assert_string_not_equal(h1, h2);
	assert_int_equal(db_open(f->path, 0, &other), ERR_OK);
	/* each in its own write transaction, as a scheduler tick takes it */
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, lease_take(f->db, "two", h1, now, 60)), ERR_OK);
	assert_int_equal(db_begin_write(other), ERR_OK);
	assert_int_equal(lease_take(other, "two", h2, now + 1, 60), ERR_CONFLICT);
	db_rollback(other);
	assert_int_equal(lease_take(other, "two", h2, now + 61, 60), ERR_OK);
	assert_int_equal(lease_take(f->db, "two", h1, now + 62, 60), ERR_CONFLICT);
	db_close(other);
}

static int group_setup(void **state)
{
	return mfix_setup(state);
}

static int group_teardown(void **state)
{
	return mfix_teardown(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_take_renew_expire),
	    cmocka_unit_test(test_release),
	    cmocka_unit_test(test_invalid),
	    cmocka_unit_test(test_two_connections),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
