/*
 * test_model_session.c - deep-talk sessions in the model, against a real SQLite file:
 * create and update with their validation errors, the status machine (wrong moves are
 * conflicts; scheduling checks the rules' participant requirements), and session_authorize
 * for each kind of caller (the one answer the API and the pages give).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "session_fixture.h"

static int64_t topic_id; /* an approved topic of the city, made once */

static int group_setup(void **state)
{
	struct mfix *f;

	if (mfix_setup(state))
		return -1;
	f = *state;
	topic_id = sfix_topic(f, &f->city, "城市停车难");
	return 0;
}

static void test_create_update(void **state)
{
	struct mfix *f = *state;
	struct session_in in;
	struct verr e = {0};
	struct session s;
	int64_t id =
	    sfix_session(f, &f->city_org, &f->city, topic_id, "停车专家聊", NULL, FORMAT_EXPERT);

	session_init(&s);
	assert_int_equal(session_read(f->db, id, &s), ERR_OK);
	assert_string_equal(s.title, "停车专家聊");
	assert_string_equal(s.status, "draft");
	assert_string_equal(s.visibility, "internal");
	assert_int_equal(s.org_id, f->city.id);

	session_in_init(&in);
	in.title = "停车难专家聊";
	in.venue = "市政协三楼";
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, session_update(f->db, &f->city_org, id, &in, &e)), ERR_OK);
	assert_int_equal(session_read(f->db, id, &s), ERR_OK);
	assert_string_equal(s.title, "停车难专家聊");
	assert_string_equal(s.venue, "市政协三楼");
	/* what was not given is kept */
	assert_string_equal(s.visibility, "internal");
	session_release(&s);

	assert_int_equal(session_update(f->db, &f->city_org, 999999, &in, &e), ERR_NOT_FOUND);
}

/* expect_invalid runs session_create with in and checks it is refused naming field. */
static void expect_invalid(struct mfix *f, const struct session_in *in, const struct org *org,
			   const char *field)
{
	struct verr e = {0};
	int64_t id = 0;

	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, session_create(f->db, &f->city_org, org->id, in, &id, &e)),
			 ERR_INVALID);
	assert_non_null(e.field);
	assert_string_equal(e.field, field);
	assert_true(e.zh[0] && e.en[0]);
}

static void test_create_invalid(void **state)
{
	struct mfix *f = *state;
	struct session_in in;
	int64_t other_topic = sfix_topic(f, &f->other, "别处的议题");
	struct verr e = {0};
	int64_t proposed = 0;
	struct topic_in ti;

	session_in_init(&in);
	in.topic_id = topic_id;
	expect_invalid(f, &in, &f->city, "title"); /* missing title */
	in.title = "";
	expect_invalid(f, &in, &f->city, "title"); /* empty title */
	in.title = "有名称";
	in.topic_id = 0;
	expect_invalid(f, &in, &f->city, "topic_id"); /* missing topic */
	in.topic_id = 999999;
	expect_invalid(f, &in, &f->city, "topic_id"); /* no such topic */
	in.topic_id = other_topic;
	expect_invalid(f, &in, &f->city, "topic_id"); /* a topic of an unrelated body */
	in.topic_id = topic_id;
	in.starts_at = 1720600000;
	in.ends_at = 1720500000;
	expect_invalid(f, &in, &f->city, "ends_at"); /* the end before the start */
	in.starts_at = in.ends_at = -1;
	in.visibility = "secret";
	expect_invalid(f, &in, &f->city, "visibility");
	in.visibility = NULL;
	/* a topic not yet approved */
	topic_in_init(&ti);
	ti.title = "尚未通过";
	ti.domain = "society";
	ti.origin = "member";
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, topic_create(f->db, &f->sys, f->city.id, &ti, &proposed, &e)), ERR_OK);
	in.topic_id = proposed;
	expect_invalid(f, &in, &f->city, "topic_id");
}

static void test_transitions(void **state)
{
	struct mfix *f = *state;
	static const char *const to_archived[] = {"live", "closed", "archived"};
	struct session_head h;
	struct verr e = {0};
	int64_t person = sfix_person(f, &f->city, "李委员", "member", NULL), inv = 0;
	int64_t id = sfix_session(f, &f->city_org, &f->city, topic_id, "界别聊", "public", 0);
	struct session_in in;

	/* draft -> live skips scheduling: a conflict naming "to" */
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, session_transition(f->db, &f->city_org, id, "live", &e)),
			 ERR_CONFLICT);
	assert_string_equal(e.code, "illegal_transition");
	assert_string_equal(e.field, "to");
	/* scheduling needs a format, then the rules' requirements (sector: a CPPCC member) */
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, session_transition(f->db, &f->city_org, id, "scheduled", &e)),
	    ERR_INVALID);
	assert_string_equal(e.field, "formats");
	session_in_init(&in);
	in.formats = FORMAT_SECTOR;
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, session_update(f->db, &f->city_org, id, &in, &e)), ERR_OK);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, session_transition(f->db, &f->city_org, id, "scheduled", &e)),
	    ERR_INVALID);
	assert_string_equal(e.code, "requirements_unmet");
	assert_string_equal(e.field, "invitations");
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, invitation_add(f->db, &f->city_org, id, person, "member", &inv, &e)),
	    ERR_OK);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, session_transition(f->db, &f->city_org, id, "scheduled", &e)), ERR_OK);
	assert_int_equal(session_head(f->db, id, &h), ERR_OK);
	assert_string_equal(h.status, "scheduled");
	/* back to draft and forward again are allowed; then on to the end */
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, session_transition(f->db, &f->city_org, id, "draft", &e)),
			 ERR_OK);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, session_transition(f->db, &f->city_org, id, "scheduled", &e)), ERR_OK);
	sfix_move(f, id, to_archived, 3);
	assert_int_equal(session_head(f->db, id, &h), ERR_OK);
	assert_string_equal(h.status, "archived");
	/* archived is the end */
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, session_transition(f->db, &f->city_org, id, "live", &e)),
			 ERR_CONFLICT);
	assert_int_equal(session_transition(f->db, &f->city_org, 999999, "live", &e),
			 ERR_NOT_FOUND);
}

static void expect_authz(struct mfix *f, const struct actor *a, int64_t id, int read, int write)
{
	struct session_head h;

	assert_int_equal(session_authorize(f->db, a, id, AUTHZ_READ, &h), read);
	assert_int_equal(session_authorize(f->db, a, id, AUTHZ_WRITE, &h), write);
}

static void test_authorize(void **state)
{
	struct mfix *f = *state;
	static const char *const to_live[] = {"scheduled", "live"};
	int64_t member = sfix_person(f, &f->city, "王委员", "member", NULL);
	int64_t internal = sfix_session(f, &f->city_org, &f->city, topic_id, "内部", "internal", 0);
	int64_t pub =
	    sfix_session(f, &f->city_org, &f->city, topic_id, "公开", "public", FORMAT_SECTOR);
	struct session_head h;
	struct verr e = {0};
	int64_t inv;

	/* an internal session: the body's people read it, its organizers (and those above)
	 * change it; members may not; an unrelated body and the district below do not see it;
	 * anonymous callers must sign in */
	expect_authz(f, &f->city_org, internal, ERR_OK, ERR_OK);
	expect_authz(f, &f->city_admin, internal, ERR_OK, ERR_OK);
	expect_authz(f, &f->province_org, internal, ERR_OK, ERR_OK);
	expect_authz(f, &f->city_member, internal, ERR_OK, ERR_FORBIDDEN);
	expect_authz(f, &f->city_guest, internal, ERR_OK, ERR_FORBIDDEN);
	expect_authz(f, &f->other_org, internal, ERR_NOT_FOUND, ERR_NOT_FOUND);
	expect_authz(f, &f->district_org, internal, ERR_NOT_FOUND, ERR_NOT_FOUND);
	expect_authz(f, &f->anon, internal, ERR_AUTH, ERR_AUTH);
	expect_authz(f, &f->sys, internal, ERR_OK, ERR_OK);
	/* the head is given even when refused, so a caller can still name the session */
	memset(&h, 0, sizeof(h));
	assert_int_equal(session_authorize(f->db, &f->other_org, internal, AUTHZ_READ, &h),
			 ERR_NOT_FOUND);
	assert_int_equal(h.id, internal);
	/* absent */
	expect_authz(f, &f->city_org, 999999, ERR_NOT_FOUND, ERR_NOT_FOUND);
	expect_authz(f, &f->anon, 0, ERR_NOT_FOUND, ERR_NOT_FOUND);
	assert_int_equal(session_authorize(f->db, &f->city_org, internal, AUTHZ_READ, NULL),
			 ERR_OK);

	/* a public session is hidden while a draft... */
	expect_authz(f, &f->anon, pub, ERR_AUTH, ERR_AUTH);
	expect_authz(f, &f->other_org, pub, ERR_NOT_FOUND, ERR_NOT_FOUND);
	/* ...then anyone reads it; only its body's organizers change it */
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, invitation_add(f->db, &f->sys, pub, member, "member", &inv, &e)),
	    ERR_OK);
	sfix_move(f, pub, to_live, 2);
	expect_authz(f, &f->anon, pub, ERR_OK, ERR_AUTH);
	expect_authz(f, &f->other_org, pub, ERR_OK, ERR_FORBIDDEN);
	expect_authz(f, &f->district_org, pub, ERR_OK, ERR_FORBIDDEN);
	expect_authz(f, &f->city_org, pub, ERR_OK, ERR_OK);
}

static void test_authorize_linked(void **state)
{
	struct mfix *f = *state;
	struct session_in in;
	struct verr e = {0};
	int64_t linked[1], id = 0;

	linked[0] = f->other.id;
	session_in_init(&in);
	in.topic_id = topic_id;
	in.title = "联动聊";
	in.formats = FORMAT_JOINT;
	in.linked_orgs = linked;
	in.nlinked = 1;
	/* the city cannot see the unrelated body: for it, that body does not exist (issue 10) */
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, session_create(f->db, &f->city_org, f->city.id, &in, &id, &e)),
	    ERR_INVALID);
	assert_string_equal(e.field, "linked_org_ids");
	/* the province, above both, links them */
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, session_create(f->db, &f->province_org, f->city.id, &in, &id, &e)),
	    ERR_OK);
	/* a linked body reads the internal session but does not change it */
	expect_authz(f, &f->other_org, id, ERR_OK, ERR_FORBIDDEN);
	expect_authz(f, &f->district_org, id, ERR_NOT_FOUND, ERR_NOT_FOUND);
	/* the session's own body cannot be linked, nor a body that does not exist */
	linked[0] = f->city.id;
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, session_update(f->db, &f->city_org, id, &in, &e)),
			 ERR_INVALID);
	assert_string_equal(e.field, "linked_org_ids");
	linked[0] = 999999;
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, session_update(f->db, &f->city_org, id, &in, &e)),
			 ERR_INVALID);
	assert_string_equal(e.field, "linked_org_ids");
}

static void test_record_check(void **state)
{
	struct mfix *f = *state;
	static const char *const to_closed[] = {"scheduled", "live", "closed"};
	int64_t member = sfix_person(f, &f->city, "赵委员", "member", NULL), inv;
	int64_t id =
	    sfix_session(f, &f->city_org, &f->city, topic_id, "已结束", "internal", FORMAT_SECTOR);
	struct session_head h;
	struct verr e = {0};

	assert_int_equal(session_head(f->db, id, &h), ERR_OK);
	assert_int_equal(session_record_check(&f->city_org, &h, &e), ERR_OK);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, invitation_add(f->db, &f->sys, id, member, "member", &inv, &e)), ERR_OK);
	sfix_move(f, id, to_closed, 3);
	assert_int_equal(session_head(f->db, id, &h), ERR_OK);
	assert_int_equal(session_record_check(&f->city_org, &h, &e), ERR_CONFLICT);
	assert_string_equal(e.code, "closed");
	assert_int_equal(session_record_check(&f->city_admin, &h, &e), ERR_OK);
	/* a member may not change the record at all */
	assert_false(session_record_open(&f->city_member, &h));
}

static void test_list(void **state)
{
	struct mfix *f = *state;
	struct session_filter flt = {0};
	struct session *list = NULL;
	size_t i, n = 0;
	bool seen_internal = false;

	assert_int_equal(session_list_read(f->db, &f->other_org, &flt, 0, 500, &list, &n), ERR_OK);
	for (i = 0; i < n; i++) {
		/* an unrelated body sees public sessions (not drafts) and the one it is linked to
		 */
		if (strcmp(list[i].visibility, "internal") == 0)
			seen_internal |= strcmp(list[i].title, "联动聊") != 0;
		else
			assert_string_not_equal(list[i].status, "draft");
	}
	assert_false(seen_internal);
	session_list_release(list, n);
	flt.public_only = true;
	assert_int_equal(session_list_read(f->db, &f->anon, &flt, 0, 500, &list, &n), ERR_OK);
	for (i = 0; i < n; i++)
		assert_string_equal(list[i].visibility, "public");
	session_list_release(list, n);
}

static void test_read_struct(void **state)
{
	struct mfix *f = *state;
	struct session_in in;
	struct session s;
	struct verr e = {0};
	int64_t linked[1], id = 0, inv = 0;
	int64_t expert = sfix_person(f, &f->city, "钱教授", "expert", NULL);
	struct session *list = NULL;
	struct session_filter flt = {0};
	size_t n = 0, i;
	bool found = false;

	linked[0] = f->district.id;
	session_in_init(&in);
	in.topic_id = topic_id;
	in.title = "结构体读取";
	in.summary = "**摘要**";
	in.venue = "会议室";
	in.formats = FORMAT_EXPERT | FORMAT_JOINT;
	in.starts_at = 1720593000; /* 2024-07-10 14:30 Beijing */
	in.linked_orgs = linked;
	in.nlinked = 1;
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, session_create(f->db, &f->city_org, f->city.id, &in, &id, &e)), ERR_OK);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, invitation_add(f->db, &f->city_org, id, expert, "expert", &inv, &e)),
	    ERR_OK);

	session_init(&s);
	assert_int_equal(session_read(f->db, id, &s), ERR_OK);
	assert_int_equal(s.id, id);
	assert_int_equal(s.org_id, f->city.id);
	assert_string_equal(s.org_path, f->city.path);
	assert_string_equal(s.title, "结构体读取");
	assert_string_equal(s.summary, "**摘要**");
	assert_string_equal(s.topic_title, "城市停车难");
	assert_string_equal(s.department, ""); /* empty, never NULL */
	assert_string_equal(s.status, "draft");
	assert_int_equal(s.formats, FORMAT_EXPERT | FORMAT_JOINT);
	assert_int_equal(s.starts_at, 1720593000);
	assert_int_equal(s.ends_at, 0);
	assert_int_equal(s.closed_at, 0);
	assert_int_equal(s.nlinked, 1);
	assert_int_equal(s.linked[0].id, f->district.id);
	assert_int_equal(s.ncategories, 1);
	assert_string_equal(s.by_category[0].category, "expert");
	assert_int_equal(s.by_category[0].count, 1);
	/* reading again into the same struct releases what it held */
	assert_int_equal(session_read(f->db, id, &s), ERR_OK);
	assert_int_equal(session_read(f->db, 999999, &s), ERR_NOT_FOUND);
	session_release(&s);
	assert_null(s.title);
	session_release(&s); /* twice is harmless */

	/* the list gives the same sessions as the JSON list, as structs */
	assert_int_equal(session_list_read(f->db, &f->city_org, &flt, 0, 500, &list, &n), ERR_OK);
	for (i = 0; i < n; i++)
		if (list[i].id == id) {
			found = true;
			assert_string_equal(list[i].venue, "会议室");
			assert_string_equal(list[i].org_path, f->city.path);
		}
	assert_true(found);
	session_list_release(list, n);
	flt.public_only = true;
	assert_int_equal(session_list_read(f->db, &f->anon, &flt, 0, 500, &list, &n), ERR_OK);
	for (i = 0; i < n; i++)
		assert_string_equal(list[i].visibility, "public");
	session_list_release(list, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_create_update),
	    cmocka_unit_test(test_create_invalid),
	    cmocka_unit_test(test_transitions),
	    cmocka_unit_test(test_authorize),
	    cmocka_unit_test(test_authorize_linked),
	    cmocka_unit_test(test_record_check),
	    cmocka_unit_test(test_list),
	    cmocka_unit_test(test_read_struct),
	};

	return cmocka_run_group_tests_name("model_session", tests, group_setup, mfix_teardown);
}
