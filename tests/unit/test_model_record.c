/*
 * test_model_record.c - a session's record in the model, against a real SQLite file:
 * invitations and answers, attendance and the duty record it credits, remarks (the
 * speaker must be within reach; closed is read-only except for admins), commitments of
 * counterpart talks, agreed points, and suggestions with their sources (every source must
 * exist in the same session, remark or statement).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/util.h"
#include "model/output.h"
#include "model/room.h"
#include "session_fixture.h"

static int64_t topic_id, live_id, other_live_id; /* made once per group */
static int64_t speaker, official, outsider;	 /* people of the city, the city, the other */

static int group_setup(void **state)
{
	static const char *const to_live[] = {"scheduled", "live"};
	struct mfix *f;
	struct session_in in;
	struct verr e = {0};
	int64_t inv;
	int rc;

	if (mfix_setup(state))
		return -1;
	f = *state;
	topic_id = sfix_topic(f, &f->city, "老旧小区加装电梯");
	speaker = sfix_person(f, &f->city, "张委员", "member", NULL);
	official = sfix_person(f, &f->city, "住建局李处长", "official", "市住建局");
	outsider = sfix_person(f, &f->other, "外市委员", "member", NULL);
	/* a live counterpart and sector talk of the city, and a live session of the other city */
	session_in_init(&in);
	in.topic_id = topic_id;
	in.title = "加装电梯对口聊";
	in.formats = FORMAT_COUNTERPART | FORMAT_SECTOR;
	in.department = "住建局";
	rc = mfix_begin(f);
	if (!rc)
		rc = session_create(f->db, &f->city_org, f->city.id, &in, &live_id, &e);
	if (!rc)
		rc = invitation_add(f->db, &f->city_org, live_id, speaker, "speaker", &inv, &e);
	if (!rc)
		rc = invitation_add(f->db, &f->city_org, live_id, official, "official", &inv, &e);
	if (mfix_commit(f, rc)) {
		fprintf(stderr, "setup: %s\n", e.en);
		return -1;
	}
	sfix_move(f, live_id, to_live, 2);
	other_live_id =
	    sfix_session(f, &f->other_org, &f->other, sfix_topic(f, &f->other, "外市议题"),
			 "外市界别聊", "public", FORMAT_SECTOR);
	rc = mfix_begin(f);
	if (!rc)
		rc = invitation_add(f->db, &f->sys, other_live_id, outsider, "member", &inv, &e);
	if (mfix_commit(f, rc))
		return -1;
	sfix_move(f, other_live_id, to_live, 2);
	return 0;
}

/* duty_total is person's total of duty points this year. */
static int64_t duty_total(struct mfix *f, int64_t person)
{
	struct duty_record d;
	int64_t total;

	duty_record_init(&d);
	assert_int_equal(duty_record_read(f->db, person, time_year(time_now()), &d), ERR_OK);
	total = d.total;
	duty_record_release(&d);
	return total;
}

static int add_remark(struct mfix *f, const struct actor *who, int64_t session, int64_t person,
		      const char *body, int64_t *id, struct verr *e)
{
	int rc = mfix_begin(f);

	if (!rc)
		rc = remark_add(f->db, who, session, person, "委员", body, id, e);
	return mfix_commit(f, rc);
}

static void test_remarks(void **state)
{
	struct mfix *f = *state;
	struct verr e = {0};
	int64_t id = 0, id2 = 0;
	struct session_record r;

	assert_int_equal(
	    add_remark(f, &f->city_org, live_id, speaker, "建议**分类**推进。", &id, &e), ERR_OK);
	assert_true(id > 0);
	assert_int_equal(add_remark(f, &f->city_org, live_id, official, "我们研究。", &id2, &e),
			 ERR_OK);
	session_record_init(&r);
	assert_int_equal(session_record_read(f->db, live_id, true, &r), ERR_OK);
	assert_int_equal(r.nremarks, 2);
	assert_int_equal(r.remarks[1].position, 2);
	session_record_release(&r);
	/* speaking is credited in the speaker's duty record, once */
	assert_int_equal(duty_total(f, speaker), duty_points_of(f->db, f->city.id, "remark"));

	/* missing body, missing speaker, a speaker of an unrelated body, no such session */
	assert_int_equal(add_remark(f, &f->city_org, live_id, speaker, NULL, &id, &e), ERR_INVALID);
	assert_string_equal(e.field, "body");
	assert_int_equal(add_remark(f, &f->city_org, live_id, 0, "谁说的", &id, &e), ERR_INVALID);
	assert_string_equal(e.field, "person_id");
	assert_int_equal(add_remark(f, &f->city_org, live_id, outsider, "外人", &id, &e),
			 ERR_INVALID);
	assert_string_equal(e.field, "person_id");
	assert_int_equal(add_remark(f, &f->city_org, live_id, 999999, "无此人", &id, &e),
			 ERR_INVALID);
	assert_int_equal(add_remark(f, &f->city_org, 999999, speaker, "无此会", &id, &e),
			 ERR_NOT_FOUND);
}

static void test_closed_record(void **state)
{
	struct mfix *f = *state;
	static const char *const to_closed[] = {"scheduled", "live", "closed"};
	struct verr e = {0};
	int64_t id =
	    sfix_session(f, &f->city_org, &f->city, topic_id, "将结束", "internal", FORMAT_SECTOR);
	int64_t rid = 0, inv = 0;

	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, invitation_add(f->db, &f->city_org, id, speaker, "member", &inv, &e)),
	    ERR_OK);
	/* the record may be written before the session is live (minutes prepared ahead) */
	assert_int_equal(add_remark(f, &f->city_org, id, speaker, "会前书面发言", &rid, &e),
			 ERR_OK);
	sfix_move(f, id, to_closed, 3);
	/* closed: read-only for organizers, open to admins; no more invitations at all */
	assert_int_equal(add_remark(f, &f->city_org, id, speaker, "补充", &rid, &e), ERR_CONFLICT);
	assert_string_equal(e.code, "closed");
	assert_string_equal(e.field, "status");
	assert_int_equal(add_remark(f, &f->city_admin, id, speaker, "补充（管理员）", &rid, &e),
			 ERR_OK);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, point_add(f->db, &f->city_org, id, "agreed", "共识", &rid, &e)),
	    ERR_CONFLICT);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, invitation_add(f->db, &f->city_admin, id, official,
						       "official", &inv, &e)),
			 ERR_CONFLICT);
	assert_string_equal(e.code, "closed");
}

static void test_invitations(void **state)
{
	struct mfix *f = *state;
	struct person p;
	struct verr e = {0};
	int64_t id = sfix_session(f, &f->city_org, &f->city, topic_id, "邀请测试", "internal",
				  FORMAT_EXPERT);
	int64_t member_person, inv = 0, inv2 = 0;
	int rc;

	/* the member's account is linked to a person: they answer their own invitation */
	memset(&p, 0, sizeof(p));
	p.org_id = f->city.id;
	p.user_id = f->city_member.user.id;
	snprintf(p.name, sizeof(p.name), "%s", "账号委员");
	snprintf(p.category, sizeof(p.category), "%s", "member");
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, person_create(f->db, &f->sys, &p, &e)), ERR_OK);
	member_person = p.id;
	assert_true(invitee_linked(f->db, f->city_member.user.id));
	assert_false(invitee_linked(f->db, f->city_guest.user.id));

	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, invitation_add(f->db, &f->city_org, id, member_person,
						       "member", &inv, &e)),
			 ERR_OK);
	/* twice: a conflict; a role that does not exist; nobody; somebody out of reach */
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, invitation_add(f->db, &f->city_org, id, member_person,
						       "member", &inv2, &e)),
			 ERR_CONFLICT);
	assert_string_equal(e.field, "person_id");
	assert_int_equal(invitation_add(f->db, &f->city_org, id, speaker, "king", &inv2, &e),
			 ERR_INVALID);
	assert_string_equal(e.field, "role");
	assert_int_equal(invitation_add(f->db, &f->city_org, id, 0, NULL, &inv2, &e), ERR_INVALID);
	assert_string_equal(e.field, "person_id");
	assert_int_equal(invitation_add(f->db, &f->city_org, id, outsider, NULL, &inv2, &e),
			 ERR_INVALID);
	assert_string_equal(e.field, "person_id");

	/* the invitee answers; someone else cannot (as if it did not exist) */
	assert_int_equal(invitation_answer(f->db, &f->city_member, inv, "maybe", &e), ERR_INVALID);
	assert_string_equal(e.field, "answer");
	assert_int_equal(invitation_answer(f->db, &f->city_org, inv, "accepted", &e),
			 ERR_NOT_FOUND);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, invitation_answer(f->db, &f->city_member, inv, "accepted", &e)), ERR_OK);
	{
		struct my_invitation *list;
		size_t n;

		assert_int_equal(my_invitations_read(f->db, f->city_member.user.id, &list, &n),
				 ERR_OK);
		assert_int_equal(n, 1);
		assert_int_equal(list[0].id, inv);
		assert_int_equal(list[0].session_id, id);
		assert_string_equal(list[0].title, "邀请测试");
		assert_string_equal(list[0].rsvp, "accepted");
		assert_string_equal(list[0].status, "draft");
		my_invitations_release(list, n);
		assert_int_equal(my_invitations_read(f->db, f->city_guest.user.id, &list, &n),
				 ERR_OK);
		assert_int_equal(n, 0);
		my_invitations_release(list, n);
	}

	/* attendance credits the duty record; an uninvited participant is recorded too */
	rc = mfix_begin(f);
	if (!rc)
		rc = invitation_attend(f->db, &f->city_org, id, member_person, true, &e);
	if (!rc)
		rc = invitation_attend(f->db, &f->city_org, id, official, true, &e);
	assert_int_equal(mfix_commit(f, rc), ERR_OK);
	assert_int_equal(duty_total(f, member_person),
			 duty_points_of(f->db, f->city.id, "attended"));
	rc = mfix_begin(f);
	if (!rc)
		rc = invitation_attend(f->db, &f->city_org, id, member_person, false, &e);
	assert_int_equal(mfix_commit(f, rc), ERR_OK);
	assert_int_equal(duty_total(f, member_person), 0);
	/* the duty record is the person's own and their body's to read */
	assert_int_equal(duty_record_authorize(f->db, &f->city_member, member_person, NULL, 0),
			 ERR_OK);
	assert_int_equal(duty_record_authorize(f->db, &f->other_org, member_person, NULL, 0),
			 ERR_NOT_FOUND);
	assert_int_equal(duty_record_authorize(f->db, &f->district_org, speaker, NULL, 0),
			 ERR_NOT_FOUND);
	assert_int_equal(duty_record_authorize(f->db, &f->anon, speaker, NULL, 0), ERR_AUTH);
	assert_int_equal(duty_record_authorize(f->db, &f->city_org, 999999, NULL, 0),
			 ERR_NOT_FOUND);
}

static void test_commitments(void **state)
{
	struct mfix *f = *state;
	struct verr e = {0};
	int64_t id = 0, sid = 0, bad = 0;
	int64_t expert =
	    sfix_session(f, &f->city_org, &f->city, topic_id, "专家聊", "internal", FORMAT_EXPERT);
	struct session_record r;

	/* only counterpart talks record commitments */
	assert_int_equal(
	    commitment_add(f->db, &f->city_org, expert, "某局", 0, "承诺", NULL, &bad, &e),
	    ERR_INVALID);
	assert_string_equal(e.field, "session");
	assert_int_equal(
	    commitment_add(f->db, &f->city_org, live_id, NULL, 0, NULL, NULL, &bad, &e),
	    ERR_INVALID);
	assert_string_equal(e.field, "body");
	assert_int_equal(
	    commitment_add(f->db, &f->city_org, live_id, NULL, 0, "承诺", "30/06/2025", &bad, &e),
	    ERR_INVALID);
	assert_string_equal(e.field, "due_date");
	assert_int_equal(
	    commitment_add(f->db, &f->city_org, live_id, NULL, outsider, "承诺", NULL, &bad, &e),
	    ERR_INVALID);
	assert_string_equal(e.field, "owner_id");
	/* the owner defaults to the matched department */
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, commitment_add(f->db, &f->city_org, live_id, NULL, official,
						       "三个月内出台方案", "2025-06-30", &id, &e)),
			 ERR_OK);
	session_record_init(&r);
	assert_int_equal(session_record_read(f->db, live_id, false, &r), ERR_OK);
	assert_true(r.ncommitments >= 1);
	assert_string_equal(r.commitments[0].owner, "住建局");
	session_record_release(&r);
	assert_int_equal(commitment_session(f->db, id, &sid), ERR_OK);
	assert_int_equal(sid, live_id);
	assert_int_equal(commitment_session(f->db, 999999, &sid), ERR_NOT_FOUND);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, commitment_set_status(f->db, &f->city_org, id, "in_progress", &e)),
	    ERR_OK);
	assert_int_equal(commitment_set_status(f->db, &f->city_org, id, "forgotten", &e),
			 ERR_INVALID);
	assert_string_equal(e.field, "status");
	assert_int_equal(commitment_set_status(f->db, &f->city_org, 999999, "done", &e),
			 ERR_NOT_FOUND);
}

static void test_points(void **state)
{
	struct mfix *f = *state;
	struct verr e = {0};
	int64_t id = 0;

	assert_int_equal(point_add(f->db, &f->city_org, live_id, "maybe", "x", &id, &e),
			 ERR_INVALID);
	assert_string_equal(e.field, "kind");
	assert_int_equal(point_add(f->db, &f->city_org, live_id, "agreed", NULL, &id, &e),
			 ERR_INVALID);
	assert_string_equal(e.field, "body");
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, point_add(f->db, &f->city_org, live_id, "difference", "进度", &id, &e)),
	    ERR_OK);
}

static int add_suggestion(struct mfix *f, const char *title, const int64_t *proposers, size_t np,
			  const struct source_ref *src, size_t ns, int64_t *id, struct verr *e)
{
	int rc = mfix_begin(f);

	if (!rc)
		rc = suggestion_add(f->db, &f->city_org, live_id, title, "正文", proposers, np, src,
				    ns, id, e);
	return mfix_commit(f, rc);
}

static struct source_ref src_of(const char *kind, int64_t id)
{
	struct source_ref s;

	memset(&s, 0, sizeof(s));
	snprintf(s.kind, sizeof(s.kind), "%s", kind);
	s.id = id;
	return s;
}

static void test_suggestions(void **state)
{
	struct mfix *f = *state;
	struct room r, other_room;
	struct verr e = {0};
	int64_t remark = 0, other_remark = 0, part = 0, st = 0, other_st = 0, id = 0;
	int64_t props[1] = {speaker}, bad_props[1] = {outsider};
	struct source_ref src[2];
	struct session_record rec;
	struct suggestion g;
	int rc;

	assert_int_equal(add_remark(f, &f->city_org, live_id, speaker, "来源发言", &remark, &e),
			 ERR_OK);
	rc = mfix_begin(f);
	if (!rc)
		rc = remark_add(f->db, &f->other_org, other_live_id, outsider, "", "外市发言",
				&other_remark, &e);
	assert_int_equal(mfix_commit(f, rc), ERR_OK);
	/* a statement of this session's opinion map, and one of the other session's */
	rc = mfix_begin(f);
	if (!rc)
		rc = room_set(f->db, &f->city_org, live_id, 1, "post", 1, &r, &e);
	if (!rc)
		rc = participant_of_user(f->db, &r, &f->city_org.user, &part);
	if (!rc)
		rc = statement_add(f->db, &r, part, "应当分类推进", &st, &e);
	if (!rc)
		rc = room_set(f->db, &f->other_org, other_live_id, 1, "post", 1, &other_room, &e);
	if (!rc)
		rc = participant_of_user(f->db, &other_room, &f->other_org.user, &part);
	if (!rc)
		rc = statement_add(f->db, &other_room, part, "外市观点", &other_st, &e);
	assert_int_equal(mfix_commit(f, rc), ERR_OK);

	/* missing title; a proposer out of reach */
	assert_int_equal(add_suggestion(f, NULL, NULL, 0, NULL, 0, &id, &e), ERR_INVALID);
	assert_string_equal(e.field, "title");
	assert_int_equal(add_suggestion(f, "建议", bad_props, 1, NULL, 0, &id, &e), ERR_INVALID);
	assert_string_equal(e.field, "proposer_ids");
	/* every bad source is refused naming "sources" and the source's id */
	{
		const struct source_ref bad[] = {
		    src_of("remark", other_remark), src_of("remark", 999999),
		    src_of("statement", other_st),  src_of("statement", 999998),
		    src_of("output", remark),
		};
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			char idtext[32];

			memset(&e, 0, sizeof(e));
			src[0] = src_of("remark", remark);
			src[1] = bad[i];
			assert_int_equal(add_suggestion(f, "建议", props, 1, src, 2, &id, &e),
					 ERR_INVALID);
			assert_string_equal(e.field, "sources");
			snprintf(idtext, sizeof(idtext), "%lld", (long long)bad[i].id);
			if (strcmp(bad[i].kind, "output") != 0)
				assert_non_null(strstr(e.en, idtext));
		}
	}
	session_record_init(&rec);
	assert_int_equal(session_record_read(f->db, live_id, false, &rec), ERR_OK);
	assert_int_equal(rec.nsuggestions, 0);
	session_record_release(&rec);

	/* the good path: a remark and a statement of this session */
	src[0] = src_of("remark", remark);
	src[1] = src_of("statement", st);
	assert_int_equal(add_suggestion(f, "分类推进加装电梯", props, 1, src, 2, &id, &e), ERR_OK);
	suggestion_init(&g);
	assert_int_equal(suggestion_read(f->db, id, &g), ERR_OK);
	assert_int_equal(g.nsources, 2);
	assert_string_equal(g.sources[1].kind, "statement");
	assert_string_equal(g.sources[1].excerpt, "应当分类推进");
	assert_int_equal(g.nproposers, 1);
	suggestion_release(&g);
}

/* who may be invited: the caller's scope and the session body's own, not another city's */
static void test_people_options(void **state)
{
	struct mfix *f = *state;
	struct person_option *list = NULL;
	size_t i, n = 0;
	bool seen_speaker = false, seen_outsider = false;

	assert_int_equal(people_options_read(f->db, &f->city_org, f->city.id, &list, &n), ERR_OK);
	for (i = 0; i < n; i++) {
		seen_speaker |= list[i].id == speaker;
		seen_outsider |= list[i].id == outsider;
		if (list[i].id == official) {
			assert_string_equal(list[i].category, "official");
			assert_string_equal(list[i].affiliation, "市住建局");
		}
	}
	assert_true(seen_speaker);
	assert_false(seen_outsider);
	people_options_release(list, n);
	/* an anonymous caller's scope holds nothing */
	assert_int_equal(people_options_read(f->db, &f->anon, 0, &list, &n), ERR_OK);
	assert_int_equal(n, 0);
	people_options_release(list, n);
}

/* the chain of an output back to its session (output_lineage), and what came of the
 * session (session_outcomes), as structs */
static void test_lineage(void **state)
{
	struct mfix *f = *state;
	struct verr e = {0};
	int64_t remark = 0, sug = 0, out = 0, props[1] = {speaker};
	struct source_ref src[1];
	struct output_in in;
	struct output_lineage l;
	struct session_outcomes x;
	size_t i;
	bool found = false;
	int rc;

	assert_int_equal(add_remark(f, &f->city_org, live_id, speaker, "血缘发言", &remark, &e),
			 ERR_OK);
	src[0] = src_of("remark", remark);
	assert_int_equal(add_suggestion(f, "血缘建议", props, 1, src, 1, &sug, &e), ERR_OK);
	output_in_init(&in);
	in.kind = "speech";
	in.title = "血缘发言稿";
	in.suggestions = &sug;
	in.nsuggestions = 1;
	in.sessions = &live_id;
	in.nsessions = 1;
	rc = mfix_begin(f);
	if (!rc)
		rc = output_create(f->db, &f->sys, f->city.id, &in, &out, &e);
	assert_int_equal(mfix_commit(f, rc), ERR_OK);

	assert_int_equal(output_lineage(f->db, &f->sys, out, &l), ERR_OK);
	assert_int_equal(l.output.id, out);
	assert_int_equal(l.nsuggestions, 1);
	assert_int_equal(l.suggestions[0].suggestion.id, sug);
	assert_int_equal(l.suggestions[0].suggestion.nproposers, 1);
	assert_int_equal(l.suggestions[0].nsources, 1);
	assert_string_equal(l.suggestions[0].sources[0].kind, "remark");
	assert_string_equal(l.suggestions[0].sources[0].text, "血缘发言");
	assert_string_equal(l.suggestions[0].sources[0].speaker, "张委员");
	assert_true(l.suggestions[0].has_session);
	assert_int_equal(l.suggestions[0].session.id, live_id);
	assert_string_equal(l.suggestions[0].session.title, "加装电梯对口聊");
	assert_int_equal(l.nsessions, 1);
	assert_int_equal(l.sessions[0].id, live_id);
	output_lineage_release(&l);
	assert_int_equal(output_lineage(f->db, &f->sys, 999999, &l), ERR_NOT_FOUND);
	output_lineage_release(&l);

	assert_int_equal(session_outcomes(f->db, &f->city_org, live_id, &x), ERR_OK);
	assert_int_equal(x.session.id, live_id);
	for (i = 0; i < x.record.nsuggestions; i++) {
		if (x.record.suggestions[i].id != sug)
			continue;
		found = true;
		assert_int_equal(x.suggestion_outputs[i].n, 1);
		assert_int_equal(x.suggestion_outputs[i].ids[0], out);
	}
	assert_true(found);
	assert_int_equal(x.outputs.n, 1); /* the output cites the session */
	assert_int_equal(x.outputs.ids[0], out);
	session_outcomes_release(&x);
	assert_int_equal(session_outcomes(f->db, &f->city_org, 999999, &x), ERR_NOT_FOUND);
	session_outcomes_release(&x);
}

static void test_record_struct(void **state)
{
	struct mfix *f = *state;
	struct session_record r;
	size_t i;
	bool found_official = false;

	/* the record written by the tests above, read back as structs */
	session_record_init(&r);
	assert_int_equal(session_record_read(f->db, live_id, true, &r), ERR_OK);
	assert_true(r.ninvitations >= 2);
	for (i = 0; i < r.ninvitations; i++)
		if (r.invitations[i].person_id == official) {
			found_official = true;
			assert_string_equal(r.invitations[i].category, "official");
			assert_string_equal(r.invitations[i].affiliation, "市住建局");
			assert_string_equal(r.invitations[i].role, "official");
			assert_string_equal(r.invitations[i].rsvp, "pending");
		}
	assert_true(found_official);
	assert_true(r.nremarks >= 2);
	assert_int_equal(r.remarks[0].position, 1);
	assert_int_equal(r.remarks[0].person_id, speaker);
	assert_string_equal(r.remarks[0].speaker, "张委员");
	for (i = 1; i < r.nremarks; i++)
		assert_true(r.remarks[i].position > r.remarks[i - 1].position);
	assert_int_equal(r.ncommitments, 1);
	assert_string_equal(r.commitments[0].owner, "住建局");
	assert_string_equal(r.commitments[0].due_date, "2025-06-30");
	assert_string_equal(r.commitments[0].status, "in_progress");
	assert_int_equal(r.commitments[0].owner_id, official);
	assert_int_equal(r.nagreed, 0);
	assert_int_equal(r.ndifferences, 1);
	assert_string_equal(r.differences[0].body, "进度");
	assert_int_equal(r.nsuggestions, 1);
	assert_string_equal(r.suggestions[0].title, "分类推进加装电梯");
	assert_int_equal(r.suggestions[0].nproposers, 1);
	assert_int_equal(r.suggestions[0].proposers[0].id, speaker);
	assert_int_equal(r.suggestions[0].nsources, 2);
	/* without the remarks (what outsiders see) */
	assert_int_equal(session_record_read(f->db, live_id, false, &r), ERR_OK);
	assert_int_equal(r.nremarks, 0);
	assert_int_equal(r.nsuggestions, 1);
	session_record_release(&r);
	/* a session with no record: empty lists */
	assert_int_equal(session_record_read(f->db, 999999, true, &r), ERR_OK);
	assert_int_equal(r.ninvitations + r.nremarks + r.nsuggestions, 0);
	session_record_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_remarks),	   cmocka_unit_test(test_closed_record),
	    cmocka_unit_test(test_invitations),	   cmocka_unit_test(test_commitments),
	    cmocka_unit_test(test_points),	   cmocka_unit_test(test_suggestions),
	    cmocka_unit_test(test_people_options), cmocka_unit_test(test_record_struct),
	    cmocka_unit_test(test_lineage), /* adds a suggestion: last */
	};

	return cmocka_run_group_tests_name("model_record", tests, group_setup, mfix_teardown);
}
