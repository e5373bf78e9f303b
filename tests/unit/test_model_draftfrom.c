/*
 * test_model_draftfrom.c - who may draft from a session's suggestions
 * (output_authorize_draft_from, issue 11): the organizers who may change the session, and
 * a member whose linked person attended it; not a member who was only invited, not one
 * whose account is linked to nobody, not a guest, not an organizer of another body, not
 * an anonymous reader. Against a real temporary database (model_fixture.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "model/output.h"
#include "session_fixture.h"

static void test_draft_from(void **state)
{
	struct mfix *f = *state;
	struct person p;
	struct verr e = {0};
	int64_t topic = sfix_topic(f, &f->city, "社区养老");
	int64_t id =
	    sfix_session(f, &f->city_org, &f->city, topic, "养老深聊会", "internal", FORMAT_EXPERT);
	int64_t inv = 0;
	int rc;

	/* the member's account is not linked yet */
	assert_int_equal(output_authorize_draft_from(f->db, &f->city_member, id), ERR_FORBIDDEN);
	memset(&p, 0, sizeof(p));
	p.org_id = f->city.id;
	p.user_id = f->city_member.user.id;
	snprintf(p.name, sizeof(p.name), "%s", "王委员");
	snprintf(p.category, sizeof(p.category), "%s", "member");
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, person_create(f->db, &f->sys, &p, &e)), ERR_OK);
	/* invited, not yet present: no */
	rc = mfix_begin(f);
	if (!rc)
		rc = invitation_add(f->db, &f->city_org, id, p.id, "member", &inv, &e);
	assert_int_equal(mfix_commit(f, rc), ERR_OK);
	assert_int_equal(output_authorize_draft_from(f->db, &f->city_member, id), ERR_FORBIDDEN);
	/* present: yes */
	rc = mfix_begin(f);
	if (!rc)
		rc = invitation_attend(f->db, &f->city_org, id, p.id, true, &e);
	assert_int_equal(mfix_commit(f, rc), ERR_OK);
	assert_int_equal(output_authorize_draft_from(f->db, &f->city_member, id), ERR_OK);
	/* the staff who may change it; not another body's organizer */
	assert_int_equal(output_authorize_draft_from(f->db, &f->city_org, id), ERR_OK);
	assert_int_equal(output_authorize_draft_from(f->db, &f->province_org, id), ERR_OK);
	assert_int_not_equal(output_authorize_draft_from(f->db, &f->other_org, id), ERR_OK);
	assert_int_not_equal(output_authorize_draft_from(f->db, &f->district_org, id), ERR_OK);
	/* guests and anonymous readers never */
	assert_int_equal(output_authorize_draft_from(f->db, &f->city_guest, id), ERR_FORBIDDEN);
	assert_int_equal(output_authorize_draft_from(f->db, &f->anon, id), ERR_AUTH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_draft_from),
	};

	return cmocka_run_group_tests(tests, mfix_setup, mfix_teardown);
}
