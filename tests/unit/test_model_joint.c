/*
 * test_model_joint.c - joint sessions (联合聊) in the model, against a real SQLite file: a
 * session of the city linked to its district (as the demo's city session with 盐田区). The linked
 * body's organizer may add to the record (session_authorize_record) but not change the session
 * (session_authorize_change: ERR_FORBIDDEN, code joint_host_only); it invites its own people and
 * not the host's; what it adds carries its body (by_org_id); it corrects only what its body added;
 * its member's attendance is credited in its own duty record; the statistics count the session for
 * both bodies. A body that is not linked sees nothing; a linked body's member writes nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/util.h"
#include "model/correction.h"
#include "model/output.h"
#include "session_fixture.h"

static struct actor district_member; /* a member of the linked body */
static int64_t joint_id;	     /* the session of the city linked to the district */
static int64_t host_person;	     /* of the city */
static int64_t own_person;	     /* of the district */
static int64_t third_person;	     /* of the other city: not linked */

static int group_setup(void **state)
{
	struct mfix *f;
	struct session_in in;
	struct verr e = {0};
	int64_t linked[1], topic;
	int rc;

	if (mfix_setup(state))
		return -1;
	f = *state;
	if (mfix_actor(f, &f->district, "district-member", "member", &district_member))
		return -1;
	topic = sfix_topic(f, &f->city, "跨市通勤");
	host_person = sfix_person(f, &f->city, "市里的委员", "member", NULL);
	own_person = sfix_person(f, &f->district, "区里的委员", "member", NULL);
	third_person = sfix_person(f, &f->other, "外市的委员", "member", NULL);
	session_in_init(&in);
	in.topic_id = topic;
	in.title = "市区联合聊";
	in.formats = FORMAT_JOINT;
	in.starts_at = time_now();
	linked[0] = f->district.id;
	in.linked_orgs = linked;
	in.nlinked = 1;
	rc = mfix_begin(f);
	if (!rc)
		rc = session_create(f->db, &f->city_org, f->city.id, &in, &joint_id, &e);
	if (mfix_commit(f, rc)) {
		fprintf(stderr, "setup: %s\n", e.en);
		return -1;
	}
	return 0;
}

static void test_authorize(void **state)
{
	struct mfix *f = *state;
	struct session_head h;
	struct verr e = {0};
	bool joint = true;

	/* the host's organizer: the record and the session, not as a linked body */
	assert_int_equal(session_authorize_record(f->db, &f->city_org, joint_id, &h, &joint),
			 ERR_OK);
	assert_false(joint);
	assert_int_equal(session_authorize_change(f->db, &f->city_org, joint_id, &h, &e), ERR_OK);
	/* the linked body's organizer: the record, as a linked body; not the session */
	assert_int_equal(session_authorize_record(f->db, &f->district_org, joint_id, &h, &joint),
			 ERR_OK);
	assert_true(joint);
	assert_int_equal(h.org_id, f->city.id);
	assert_true(session_joint_editor(f->db, &f->district_org, &h));
	assert_int_equal(session_authorize(f->db, &f->district_org, joint_id, AUTHZ_WRITE, NULL),
			 ERR_FORBIDDEN);
	assert_int_equal(session_authorize_change(f->db, &f->district_org, joint_id, &h, &e),
			 ERR_FORBIDDEN);
	assert_non_null(e.code);
	assert_string_equal(e.code, "joint_host_only");
	assert_non_null(strstr(e.zh, "主办组织"));
	/* a member of the linked body reads, writes nothing */
	assert_int_equal(session_authorize(f->db, &district_member, joint_id, AUTHZ_READ, NULL),
			 ERR_OK);
	assert_int_equal(session_authorize_record(f->db, &district_member, joint_id, &h, &joint),
			 ERR_FORBIDDEN);
	assert_false(session_joint_editor(f->db, &district_member, &h));
	/* a body not linked: it does not exist for it; anonymous callers sign in first */
	assert_int_equal(session_authorize_record(f->db, &f->other_org, joint_id, &h, &joint),
			 ERR_NOT_FOUND);
	assert_int_equal(session_authorize_change(f->db, &f->other_org, joint_id, &h, &e),
			 ERR_NOT_FOUND);
	assert_false(session_joint_editor(f->db, &f->other_org, &h));
	assert_int_equal(session_authorize_record(f->db, &f->anon, joint_id, &h, &joint), ERR_AUTH);
	assert_int_equal(session_authorize_record(f->db, &f->district_org, 999999, &h, &joint),
			 ERR_NOT_FOUND);
}

/* record_of reads the session's record into r (released by the caller). */
static void record_of(struct mfix *f, struct session_record *r)
{
	session_record_init(r);
	assert_int_equal(session_record_read(f->db, joint_id, true, r), ERR_OK);
}

static void test_invite_own_people(void **state)
{
	struct mfix *f = *state;
	struct session_record r;
	struct verr e = {0};
	int64_t id = 0;
	size_t i;
	bool seen = false;

	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    invitation_add(f->db, &f->district_org, joint_id, own_person, "member", &id, &e),
	    ERR_OK);
	assert_int_equal(mfix_commit(f, ERR_OK), ERR_OK);
	/* the host's people and a third body's are out of reach */
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    invitation_add(f->db, &f->district_org, joint_id, host_person, "member", &id, &e),
	    ERR_INVALID);
	assert_string_equal(e.field, "person_id");
	assert_int_equal(
	    invitation_add(f->db, &f->district_org, joint_id, third_person, "member", &id, &e),
	    ERR_INVALID);
	db_rollback(f->db);
	/* the host invites its own: its body */
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    invitation_add(f->db, &f->city_org, joint_id, host_person, "host", &id, &e), ERR_OK);
	assert_int_equal(mfix_commit(f, ERR_OK), ERR_OK);
	record_of(f, &r);
	assert_int_equal(r.ninvitations, 2);
	for (i = 0; i < r.ninvitations; i++) {
		const struct invitation *v = &r.invitations[i];

		if (v->person_id == own_person) {
			seen = true;
			assert_int_equal(v->by_org_id, f->district.id);
			assert_string_equal(v->by_org_name, "某区政协");
		} else {
			assert_int_equal(v->by_org_id, f->city.id);
		}
	}
	assert_true(seen);
	session_record_release(&r);
}

static void test_remarks_points_suggestions(void **state)
{
	struct mfix *f = *state;
	struct session_record r;
	struct verr e = {0};
	int64_t id = 0, props[1] = {0};

	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(remark_add(f->db, &f->district_org, joint_id, own_person, "委员",
				    "外市的看法", &id, &e),
			 ERR_OK);
	assert_int_equal(
	    point_add(f->db, &f->district_org, joint_id, "agreed", "通勤要便利", &id, &e), ERR_OK);
	props[0] = own_person;
	assert_int_equal(suggestion_add(f->db, &f->district_org, joint_id, "开通跨市公交", "",
					props, 1, NULL, 0, &id, &e),
			 ERR_OK);
	assert_int_equal(mfix_commit(f, ERR_OK), ERR_OK);
	/* not in the host's people's name */
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    remark_add(f->db, &f->district_org, joint_id, host_person, "", "代为发言", &id, &e),
	    ERR_INVALID);
	props[0] = host_person;
	assert_int_equal(suggestion_add(f->db, &f->district_org, joint_id, "代为建议", "", props, 1,
					NULL, 0, &id, &e),
			 ERR_INVALID);
	assert_string_equal(e.field, "proposer_ids");
	db_rollback(f->db);
	record_of(f, &r);
	assert_int_equal(r.nremarks, 1);
	assert_int_equal(r.remarks[0].by_org_id, f->district.id);
	assert_int_equal(r.nagreed, 1);
	assert_int_equal(r.agreed[0].by_org_id, f->district.id);
	assert_string_equal(r.agreed[0].by_org_name, "某区政协");
	assert_int_equal(r.nsuggestions, 1);
	assert_int_equal(r.suggestions[0].by_org_id, f->district.id);
	assert_int_equal(r.suggestions[0].org_id, f->city.id); /* the data stays the host's */
	session_record_release(&r);
}

static void test_corrections(void **state)
{
	struct mfix *f = *state;
	struct session_head h;
	struct verr e = {0};
	int64_t host_remark = 0, own_remark = 0;
	struct session_record r;

	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(remark_add(f->db, &f->city_org, joint_id, host_person, "", "市里的看法",
				    &host_remark, &e),
			 ERR_OK);
	assert_int_equal(mfix_commit(f, ERR_OK), ERR_OK);
	record_of(f, &r);
	for (size_t i = 0; i < r.nremarks; i++)
		if (r.remarks[i].by_org_id == f->district.id)
			own_remark = r.remarks[i].id;
	session_record_release(&r);
	assert_true(own_remark > 0);
	/* the linked body: what it added, not the host's */
	assert_int_equal(record_item_authorize(f->db, &f->district_org, RECORD_REMARK, own_remark,
					       AUTHZ_WRITE, &h),
			 ERR_OK);
	assert_int_equal(record_item_authorize(f->db, &f->district_org, RECORD_REMARK, host_remark,
					       AUTHZ_WRITE, &h),
			 ERR_FORBIDDEN);
	/* the host: everything */
	assert_int_equal(
	    record_item_authorize(f->db, &f->city_org, RECORD_REMARK, own_remark, AUTHZ_WRITE, &h),
	    ERR_OK);
	/* a body not linked: nothing */
	assert_int_equal(
	    record_item_authorize(f->db, &f->other_org, RECORD_REMARK, own_remark, AUTHZ_WRITE, &h),
	    ERR_NOT_FOUND);
	assert_int_equal(record_item_authorize(f->db, &district_member, RECORD_REMARK, own_remark,
					       AUTHZ_WRITE, &h),
			 ERR_FORBIDDEN);
}

static void test_duty_in_own_body(void **state)
{
	struct mfix *f = *state;
	struct duty_record d;
	struct verr e = {0};
	size_t i;
	bool attended = false;

	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(duty_set_points(f->db, &f->sys, f->district.id, "attended", 9, &e),
			 ERR_OK);
	assert_int_equal(invitation_attend(f->db, &f->district_org, joint_id, own_person, true, &e),
			 ERR_OK);
	assert_int_equal(invitation_attend(f->db, &f->city_org, joint_id, host_person, true, &e),
			 ERR_OK);
	assert_int_equal(mfix_commit(f, ERR_OK), ERR_OK);
	duty_record_init(&d);
	assert_int_equal(duty_record_read(f->db, own_person, time_year(time_now()), &d), ERR_OK);
	for (i = 0; i < d.n; i++) {
		if (strcmp(d.items[i].kind, "attended") != 0)
			continue;
		attended = true;
		assert_int_equal(d.items[i].org_id, f->district.id);
		assert_int_equal(d.items[i].points, 9);
		assert_true(d.items[i].joint);
		assert_string_equal(d.items[i].host_name, "某市政协");
	}
	assert_true(attended);
	duty_record_release(&d);
	/* the host's own person: the host's record, the default points */
	duty_record_init(&d);
	assert_int_equal(duty_record_read(f->db, host_person, time_year(time_now()), &d), ERR_OK);
	assert_int_equal(d.n, 2); /* attended, and the remark of test_corrections */
	for (i = 0; i < d.n; i++) {
		assert_int_equal(d.items[i].org_id, f->city.id);
		assert_false(d.items[i].joint);
	}
	duty_record_release(&d);
}

static void stats_of(struct mfix *f, const struct org *org, bool subtree, struct stats *s)
{
	struct stats_query q = {0};
	int64_t now = time_now();

	q.from = now - 86400 * 30;
	q.to = now + 86400 * 30;
	q.org = org;
	q.subtree = subtree;
	assert_int_equal(stats_compute(f->db, &q, s), ERR_OK);
}

static void test_stats(void **state)
{
	static const char *const to[] = {"scheduled"};
	struct mfix *f = *state;
	struct stats s;

	/* a draft is a plan, not a session held */
	stats_of(f, &f->district, false, &s);
	assert_int_equal(s.joint.total, 0);
	stats_release(&s);
	sfix_move(f, joint_id, to, 1);
	stats_of(f, &f->city, false, &s);
	assert_int_equal(s.joint.hosted, 1);
	assert_int_equal(s.joint.joined, 0);
	assert_int_equal(s.joint.total, 1);
	stats_release(&s);
	stats_of(f, &f->district, false, &s);
	assert_int_equal(s.joint.hosted, 0);
	assert_int_equal(s.joint.joined, 1);
	assert_int_equal(s.joint.total, 1);
	assert_int_equal(s.sessions, 0);
	stats_release(&s);
	stats_of(f, &f->other, false, &s);
	assert_int_equal(s.joint.total, 0);
	stats_release(&s);
	/* the province above both: once, hosted within it */
	stats_of(f, &f->province, true, &s);
	assert_int_equal(s.joint.hosted, 1);
	assert_int_equal(s.joint.joined, 0);
	assert_int_equal(s.joint.total, 1);
	stats_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_authorize),
	    cmocka_unit_test(test_invite_own_people),
	    cmocka_unit_test(test_remarks_points_suggestions),
	    cmocka_unit_test(test_corrections),
	    cmocka_unit_test(test_duty_in_own_body),
	    cmocka_unit_test(test_stats),
	};

	return cmocka_run_group_tests_name("model_joint", tests, group_setup, mfix_teardown);
}
