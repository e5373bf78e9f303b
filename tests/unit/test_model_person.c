/*
 * test_model_person.c - the people registry against a real database: creating (a missing
 * name, an account linked twice), updating, person_authorize across bodies and roles (and
 * org_authorize, user_authorize beside it), and the CSV import that writes all rows or none
 * and names the line and field of each problem.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "model/person.h"
#include "model_fixture.h"

/* make writes person name of category in org o through person_create; returns its id. */
static int64_t make(struct mfix *f, const struct org *o, const char *name, int64_t user_id)
{
	struct person p;
	struct verr e;

	memset(&p, 0, sizeof(p));
	p.org_id = o->id;
	p.user_id = user_id;
	snprintf(p.name, sizeof(p.name), "%s", name);
	snprintf(p.category, sizeof(p.category), "member");
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, person_create(f->db, &f->city_org, &p, &e)), ERR_OK);
	assert_true(p.id > 0);
	return p.id;
}

/* count_fn counts the persons person_list reports. */
static int count_fn(const struct person *p, void *ud)
{
	(void)p;
	(*(int *)ud)++;
	return 0;
}

static int count_people(struct mfix *f, const struct org *scope)
{
	int n = 0;

	assert_int_equal(person_list(f->db, scope, NULL, 0, -1, count_fn, &n), ERR_OK);
	return n;
}

static void test_create_missing_name(void **state)
{
	struct mfix *f = *state;
	struct person p;
	struct verr e;

	memset(&p, 0, sizeof(p));
	memset(&e, 0, sizeof(e));
	p.org_id = f->city.id;
	snprintf(p.category, sizeof(p.category), "member");
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, person_create(f->db, &f->city_org, &p, &e)), ERR_INVALID);
	assert_string_equal(e.field, "name");
	assert_string_equal(e.code, "required");
	/* a category that is not a code is refused, naming the field */
	assert_int_equal(person_set_text(&p, PERSON_CATEGORY, "king", 4, &e), ERR_OK);
	assert_int_equal(person_check(&p, PERSON_CATEGORY, &e), ERR_INVALID);
	assert_string_equal(e.field, "category");
	snprintf(p.category, sizeof(p.category), "member");
	/* a body that does not exist */
	snprintf(p.name, sizeof(p.name), "某人");
	p.org_id = 999999;
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, person_create(f->db, &f->city_org, &p, &e)), ERR_INVALID);
	assert_string_equal(e.field, "org_id");
}

static void test_create_duplicate_link(void **state)
{
	struct mfix *f = *state;
	struct person p;
	struct verr e;

	make(f, &f->city, "关联甲", f->city_guest.user.id);
	memset(&p, 0, sizeof(p));
	p.org_id = f->city.id;
	p.user_id = f->city_guest.user.id; /* already linked to 关联甲 */
	snprintf(p.name, sizeof(p.name), "关联乙");
	snprintf(p.category, sizeof(p.category), "member");
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, person_create(f->db, &f->city_org, &p, &e)), ERR_CONFLICT);
	assert_string_equal(e.field, "user_id");
	assert_int_equal(person_find_by_user(f->db, f->city_guest.user.id, &p), ERR_OK);
	assert_string_equal(p.name, "关联甲");
}

static void test_update(void **state)
{
	struct mfix *f = *state;
	int64_t id = make(f, &f->city, "改前", 0);
	struct person before, p;
	struct verr e;

	assert_int_equal(person_get(f->db, id, &before), ERR_OK);
	p = before;
	assert_int_equal(person_set_text(&p, PERSON_TITLE, "  主任  ", 8, &e), ERR_OK);
	assert_string_equal(p.title, "主任"); /* trimmed */
	p.org_id = f->district.id;
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, person_update(f->db, &f->city_org, &before, &p, &e)),
			 ERR_OK);
	assert_int_equal(person_get(f->db, id, &p), ERR_OK);
	assert_string_equal(p.title, "主任");
	assert_int_equal(p.org_id, f->district.id);
	/* refused: nothing changes */
	before = p;
	p.name[0] = '\0';
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, person_update(f->db, &f->city_org, &before, &p, &e)),
			 ERR_INVALID);
	assert_int_equal(person_get(f->db, id, &p), ERR_OK);
	assert_string_equal(p.name, "改前");
	assert_int_equal(person_get(f->db, 999999, &p), ERR_NOT_FOUND);
}

static void test_person_authorize(void **state)
{
	struct mfix *f = *state;
	int64_t city_p = make(f, &f->city, "市里的人", 0);
	int64_t dist_p = make(f, &f->district, "区里的人", 0);
	int64_t self_p = make(f, &f->city, "组织者本人", f->other_org.user.id);
	struct person p;
	struct org o;

	/* the body's organizer reads and writes its persons and those below */
	assert_int_equal(person_authorize(f->db, &f->city_org, city_p, AUTHZ_WRITE, &p, &o),
			 ERR_OK);
	assert_string_equal(p.name, "市里的人");
	assert_int_equal(o.id, f->city.id);
	assert_int_equal(person_authorize(f->db, &f->city_org, dist_p, AUTHZ_WRITE, NULL, NULL),
			 ERR_OK);
	assert_int_equal(person_authorize(f->db, &f->province_org, dist_p, AUTHZ_WRITE, NULL, NULL),
			 ERR_OK);
	/* a member sees them, may not change them: 403 */
	assert_int_equal(person_authorize(f->db, &f->city_member, city_p, AUTHZ_READ, NULL, NULL),
			 ERR_OK);
	assert_int_equal(person_authorize(f->db, &f->city_member, city_p, AUTHZ_WRITE, NULL, NULL),
			 ERR_FORBIDDEN);
	/* a body below, an unrelated body: out of sight, 404 */
	assert_int_equal(person_authorize(f->db, &f->district_org, city_p, AUTHZ_READ, NULL, NULL),
			 ERR_NOT_FOUND);
	assert_int_equal(person_authorize(f->db, &f->other_org, city_p, AUTHZ_READ, NULL, NULL),
			 ERR_NOT_FOUND);
	assert_int_equal(person_authorize(f->db, &f->other_org, dist_p, AUTHZ_WRITE, NULL, NULL),
			 ERR_NOT_FOUND);
	/* one's own person is in sight, but not one's to change outside one's body */
	assert_int_equal(person_authorize(f->db, &f->other_org, self_p, AUTHZ_READ, NULL, NULL),
			 ERR_OK);
	assert_int_equal(person_authorize(f->db, &f->other_org, self_p, AUTHZ_WRITE, NULL, NULL),
			 ERR_FORBIDDEN);
	/* anonymous: sign in first */
	assert_int_equal(person_authorize(f->db, &f->anon, city_p, AUTHZ_READ, NULL, NULL),
			 ERR_AUTH);
	/* missing */
	assert_int_equal(person_authorize(f->db, &f->city_org, 999999, AUTHZ_READ, NULL, NULL),
			 ERR_NOT_FOUND);
	assert_int_equal(person_authorize(f->db, &f->city_org, 0, AUTHZ_READ, NULL, NULL),
			 ERR_NOT_FOUND);
	/* the persons of a body as a whole: list (READ), add or import (WRITE) */
	assert_int_equal(
	    person_authorize_org(f->db, &f->city_member, f->district.id, AUTHZ_READ, &o), ERR_OK);
	assert_int_equal(o.id, f->district.id);
	assert_int_equal(
	    person_authorize_org(f->db, &f->city_org, f->province.id, AUTHZ_READ, NULL),
	    ERR_FORBIDDEN); /* seen, for its name; its persons are not the city's */
	assert_int_equal(person_authorize_org(f->db, &f->city_org, f->other.id, AUTHZ_READ, NULL),
			 ERR_NOT_FOUND);
	assert_int_equal(person_authorize_org(f->db, &f->city_org, f->city.id, AUTHZ_WRITE, NULL),
			 ERR_OK);
	assert_int_equal(
	    person_authorize_org(f->db, &f->city_member, f->city.id, AUTHZ_WRITE, NULL),
	    ERR_FORBIDDEN);
	assert_int_equal(person_authorize_org(f->db, &f->anon, f->city.id, AUTHZ_READ, NULL),
			 ERR_AUTH);
	assert_int_equal(person_authorize_org(f->db, &f->city_org, 999999, AUTHZ_READ, NULL),
			 ERR_NOT_FOUND);
	assert_true(person_sees_contact(&f->city_org));
	assert_false(person_sees_contact(&f->city_member));
}

static void test_org_and_user_authorize(void **state)
{
	struct mfix *f = *state;
	struct user u;
	struct org o;

	assert_int_equal(org_authorize(f->db, &f->city_member, f->province.id, AUTHZ_READ, &o),
			 ERR_OK); /* the bodies above, for names */
	assert_int_equal(org_authorize(f->db, &f->city_member, f->city.id, AUTHZ_WRITE, NULL),
			 ERR_FORBIDDEN);
	assert_int_equal(org_authorize(f->db, &f->city_admin, f->district.id, AUTHZ_MANAGE, NULL),
			 ERR_OK);
	assert_int_equal(org_authorize(f->db, &f->city_admin, f->other.id, AUTHZ_READ, NULL),
			 ERR_NOT_FOUND);
	assert_int_equal(org_authorize(f->db, &f->anon, f->city.id, AUTHZ_READ, NULL), ERR_AUTH);
	assert_int_equal(org_authorize(f->db, &f->city_admin, 999999, AUTHZ_READ, NULL),
			 ERR_NOT_FOUND);

	/* one's own account: read and write, not manage */
	assert_int_equal(
	    user_authorize(f->db, &f->city_member, f->city_member.user.id, AUTHZ_WRITE, &u, &o),
	    ERR_OK);
	assert_string_equal(u.username, "city-member");
	assert_int_equal(o.id, f->city.id);
	assert_int_equal(user_authorize(f->db, &f->city_member, f->city_member.user.id,
					AUTHZ_MANAGE, NULL, NULL),
			 ERR_FORBIDDEN);
	/* another account of one's body: seen, not one's own */
	assert_int_equal(
	    user_authorize(f->db, &f->city_member, f->city_org.user.id, AUTHZ_READ, NULL, NULL),
	    ERR_FORBIDDEN);
	/* the admin manages the accounts of the body and those below */
	assert_int_equal(user_authorize(f->db, &f->city_admin, f->district_org.user.id,
					AUTHZ_MANAGE, NULL, NULL),
			 ERR_OK);
	/* an unrelated body's account: 404 */
	assert_int_equal(
	    user_authorize(f->db, &f->city_admin, f->other_org.user.id, AUTHZ_READ, NULL, NULL),
	    ERR_NOT_FOUND);
	assert_int_equal(
	    user_authorize(f->db, &f->anon, f->city_admin.user.id, AUTHZ_READ, NULL, NULL),
	    ERR_AUTH);
}

static void test_import_all_or_nothing(void **state)
{
	struct mfix *f = *state;
	static const char bad[] = "姓名,类别,邮箱\n"
				  "导入甲,member,a@example.cn\n"
				  "导入乙,member,not-an-email\n"
				  "导入丙,,c@example.cn\n";
	static const char good[] = "name,category,org\n"
				   "导入丁,expert,district\n"
				   "导入戊,政协委员,\n";
	struct person_import imp;
	int before = count_people(f, &f->city), rc;

	memset(&imp, 0, sizeof(imp));
	imp.scope = &f->city;
	imp.default_org = f->city.id;
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, person_import_csv(f->db, &f->city_org, bad, sizeof(bad) - 1, &imp)),
	    ERR_INVALID);
	assert_int_equal(imp.rows, 3);
	assert_int_equal(imp.imported, 0);
	assert_int_equal(imp.bad_rows, 2);
	assert_int_equal(imp.nproblems, 2);
	assert_int_equal(imp.problems[0].line, 3);
	assert_string_equal(imp.problems[0].field, "email");
	assert_string_equal(imp.problems[0].column, "邮箱");
	assert_int_equal(imp.problems[1].line, 4);
	assert_string_equal(imp.problems[1].field, "category");
	person_import_release(&imp);
	assert_int_equal(count_people(f, &f->city), before); /* nothing written */

	/* a whole-file problem: the required column is missing */
	memset(&imp, 0, sizeof(imp));
	imp.scope = &f->city;
	imp.default_org = f->city.id;
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, person_import_csv(f->db, &f->city_org, "姓名\n某人\n",
							  strlen("姓名\n某人\n"), &imp)),
			 ERR_INVALID);
	assert_non_null(imp.file_err.code);
	person_import_release(&imp);

	memset(&imp, 0, sizeof(imp));
	imp.scope = &f->city;
	imp.default_org = f->city.id;
	assert_int_equal(mfix_begin(f), ERR_OK);
	rc = mfix_commit(f, person_import_csv(f->db, &f->city_org, good, sizeof(good) - 1, &imp));
	if (rc)
		print_message("import: %s %s\n", imp.file_err.code ? imp.file_err.en : "",
			      imp.nproblems ? imp.problems[0].en : "");
	assert_int_equal(rc, ERR_OK);
	assert_int_equal(imp.imported, 2);
	assert_int_equal(imp.nproblems, 0);
	person_import_release(&imp);
	assert_int_equal(count_people(f, &f->city), before + 2);
	assert_int_equal(count_people(f, &f->district) >= 1, 1);
}

/* A file with bytes that are not text is refused whole, naming the physical line. */
static void test_import_not_text(void **state)
{
	struct mfix *f = *state;
	static const char bad[] = "姓名,类别,工作单位\n"
				  "导入甲,member,\"两行\n的单位\"\n"
				  "导入乙\xed\xa0\x80,member,\n"
				  "导入丙,member,\n";
	struct person_import imp;
	int before = count_people(f, &f->city);

	memset(&imp, 0, sizeof(imp));
	imp.scope = &f->city;
	imp.default_org = f->city.id;
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, person_import_csv(f->db, &f->city_org, bad, sizeof(bad) - 1, &imp)),
	    ERR_INVALID);
	assert_string_equal(imp.file_err.code, "invalid_encoding");
	assert_int_equal(imp.file_line, 4);
	assert_non_null(strstr(imp.file_err.zh, "第 4 行：无效的 UTF-8"));
	assert_non_null(strstr(imp.file_err.en, "line 4: invalid UTF-8"));
	assert_int_equal(imp.imported, 0);
	person_import_release(&imp);
	assert_int_equal(count_people(f, &f->city), before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_create_missing_name),
	    cmocka_unit_test(test_create_duplicate_link),
	    cmocka_unit_test(test_update),
	    cmocka_unit_test(test_person_authorize),
	    cmocka_unit_test(test_org_and_user_authorize),
	    cmocka_unit_test(test_import_all_or_nothing),
	    cmocka_unit_test(test_import_not_text),
	};

	return cmocka_run_group_tests_name("model_person", tests, mfix_setup, mfix_teardown);
}
