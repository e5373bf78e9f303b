/*
 * test_model_org.c - the fixture of the model tests itself, and authz_decide: the one
 * answer every per-resource authorization gives.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "model_fixture.h"

static void test_fixture_bodies(void **state)
{
	struct mfix *f = *state;
	struct org o;

	assert_true(org_is_within(&f->district, &f->city));
	assert_true(org_is_within(&f->city, &f->province));
	assert_false(org_is_within(&f->other, &f->city));
	assert_int_equal(org_get(f->db, f->district.id, &o), ERR_OK);
	assert_string_equal(o.path, f->district.path);
	assert_int_equal(org_get(f->db, 999999, &o), ERR_NOT_FOUND);
	assert_true(actor_can_see_org(&f->city_org, &f->district));
	assert_true(actor_can_see_org(&f->city_org, &f->province)); /* ancestors, for names */
	assert_false(actor_can_see_org(&f->city_org, &f->other));
	assert_true(actor_can_manage_org(&f->city_admin, &f->district));
	assert_false(actor_can_manage_org(&f->city_org, &f->city));
}

static void test_authz_decide(void **state)
{
	struct mfix *f = *state;

	assert_int_equal(authz_decide(&f->city_org, true, true), ERR_OK);
	assert_int_equal(authz_decide(&f->anon, true, true), ERR_OK);
	assert_int_equal(authz_decide(&f->anon, false, false), ERR_AUTH);
	assert_int_equal(authz_decide(&f->anon, true, false), ERR_AUTH);
	assert_int_equal(authz_decide(&f->city_member, true, false), ERR_FORBIDDEN);
	assert_int_equal(authz_decide(&f->other_org, false, false), ERR_NOT_FOUND);
}

static void test_org_create_errors(void **state)
{
	struct mfix *f = *state;
	struct org o;
	struct verr e;

	memset(&o, 0, sizeof(o));
	snprintf(o.slug, sizeof(o.slug), "city"); /* taken */
	snprintf(o.name, sizeof(o.name), "重复");
	snprintf(o.level, sizeof(o.level), "district");
	o.parent_id = f->city.id;
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, org_create(f->db, &f->sys, &o, &e)), ERR_CONFLICT);
	memset(&o, 0, sizeof(o));
	snprintf(o.level, sizeof(o.level), "district");
	o.parent_id = f->city.id;
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, org_create(f->db, &f->sys, &o, &e)), ERR_INVALID);
	assert_non_null(e.field);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fixture_bodies),
	    cmocka_unit_test(test_authz_decide),
	    cmocka_unit_test(test_org_create_errors),
	};

	return cmocka_run_group_tests_name("model_org", tests, mfix_setup, mfix_teardown);
}
