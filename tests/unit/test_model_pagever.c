/*
 * test_model_pagever.c - the page versions (model/pagever.h) follow the writes that show on
 * the public pages, each bumped in the writing transaction by the triggers of migration
 * 0020: a session's own record bumps its version and no other session's; a body, topic or
 * person changes the shared generation; a session added or changed bumps the list
 * generation; a rolled-back write bumps nothing. Runs on SQLite and on PostgreSQL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "model/pagever.h"
#include "session_fixture.h"

static int group_setup(void **state)
{
	return mfix_setup(state);
}

static int group_teardown(void **state)
{
	return mfix_teardown(state);
}

static struct page_version ver(struct mfix *f, int64_t sid)
{
	struct page_version v;

	assert_int_equal(page_version_read(f->db, sid, &v), ERR_OK);
	return v;
}

static void test_session_record(void **state)
{
	struct mfix *f = *state;
	int64_t topic = sfix_topic(f, &f->city, "版本议题");
	int64_t a =
	    sfix_session(f, &f->city_org, &f->city, topic, "版本会甲", "public", FORMAT_SECTOR);
	int64_t b =
	    sfix_session(f, &f->city_org, &f->city, topic, "版本会乙", "public", FORMAT_SECTOR);
	int64_t p1 = sfix_person(f, &f->city, "版本委员甲", "member", NULL);
	int64_t p2 = sfix_person(f, &f->city, "版本委员乙", "member", NULL);
	struct page_version va, vb, v2;
	struct session_in in;
	struct verr e = {0};
	int64_t id;

	va = ver(f, a);
	vb = ver(f, b);
	assert_true(va.session > 0); /* created: bumped already */
	/* the record (an invitation): the session's version only */
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, invitation_add(f->db, &f->city_org, a, p1, "speaker", &id, &e)), ERR_OK);
	v2 = ver(f, a);
	assert_true(v2.session > va.session);
	assert_int_equal(v2.shared, va.shared);
	assert_int_equal(v2.lists, va.lists); /* no change to the lists */
	assert_int_equal(ver(f, b).session, vb.session);
	/* a write rolled back bumps nothing */
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(invitation_add(f->db, &f->city_org, a, p2, "speaker", &id, &e), ERR_OK);
	db_rollback(f->db);
	assert_int_equal(ver(f, a).session, v2.session);
	/* the session row itself: its page and the lists */
	session_in_init(&in);
	in.title = "版本会甲（改）";
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, session_update(f->db, &f->city_org, a, &in, &e)), ERR_OK);
	va = ver(f, a);
	assert_true(va.session > v2.session);
	assert_true(va.lists > v2.lists);
	assert_int_equal(ver(f, b).session, vb.session);
	/* no such session: 0, and the generations */
	v2 = ver(f, 987654321);
	assert_int_equal(v2.session, 0);
	assert_int_equal(v2.shared, va.shared);
	assert_int_equal(v2.lists, va.lists);
}

static void test_shared(void **state)
{
	struct mfix *f = *state;
	int64_t pid = sfix_person(f, &f->city, "版本人", "member", NULL);
	struct page_version v0 = ver(f, 0), v1;
	struct person before, p;
	struct org o;
	struct verr e = {0};
	int rc;

	assert_int_equal(person_get(f->db, pid, &before), ERR_OK);
	p = before;
	snprintf(p.name, sizeof(p.name), "%s", "版本人改名");
	rc = mfix_begin(f);
	if (!rc)
		rc = person_update(f->db, &f->sys, &before, &p, &e);
	assert_int_equal(mfix_commit(f, rc), ERR_OK);
	v1 = ver(f, 0);
	assert_true(v1.shared > v0.shared);
	assert_int_equal(v1.lists, v0.lists);
	o = f->other;
	snprintf(o.name, sizeof(o.name), "%s", "改名的市政协");
	rc = mfix_begin(f);
	if (!rc)
		rc = org_update(f->db, &f->sys, &f->other, &o, &e);
	assert_int_equal(mfix_commit(f, rc), ERR_OK);
	assert_true(ver(f, 0).shared > v1.shared);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_session_record),
	    cmocka_unit_test(test_shared),
	};

	return cmocka_run_group_tests_name("model_pagever", tests, group_setup, group_teardown);
}
