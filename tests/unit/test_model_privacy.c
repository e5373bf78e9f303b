/*
 * test_model_privacy.c - a person's export and erasure in the model (model/privacy.h),
 * against a real SQLite file: who may (the admins of the person's body or above, the
 * person themself for the export only; another branch does not see the person; anonymous
 * callers must sign in), what the export holds, what erasure removes and what it keeps
 * (rows and counts), its audit row (ids and counts only), the lead author of an output
 * still being handled (ERR_CONFLICT lead_author_active), erasing twice (ERR_NOT_FOUND).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/util.h"
#include "model/output.h"
#include "model/privacy.h"
#include "model/room.h"
#include "model/search.h"
#include "session_fixture.h"

#define NAME	  "欧阳测试"
#define WORDS	  "骐骥驰骋的发言内容"
#define STATEMENT "鸿鹄之志的观点"

static int group_setup(void **state)
{
	return mfix_setup(state);
}

static int group_teardown(void **state)
{
	return mfix_teardown(state);
}

/* subject makes an account (member of org) and a person linked to it; *a gets the actor
 * that signs in with the account. */
static int64_t subject(struct mfix *f, const struct org *org, const char *username, struct actor *a)
{
	struct person p;
	struct verr e = {0};

	assert_int_equal(mfix_actor(f, org, username, "member", a), 0);
	memset(&p, 0, sizeof(p));
	p.org_id = org->id;
	p.user_id = a->user.id;
	snprintf(p.name, sizeof(p.name), "%s", NAME);
	snprintf(p.category, sizeof(p.category), "member");
	snprintf(p.sector, sizeof(p.sector), "经济界");
	snprintf(p.affiliation, sizeof(p.affiliation), "某测试公司");
	snprintf(p.phone, sizeof(p.phone), "13800138000");
	snprintf(p.email, sizeof(p.email), "ouyang@example.cn");
	p.public_name = true;
	assert_int_equal(mfix_begin(f), 0);
	assert_int_equal(mfix_commit(f, person_create(f->db, &f->sys, &p, &e)), 0);
	return p.id;
}

static int64_t count(struct mfix *f, const char *sql, int64_t id)
{
	int64_t n = -1;

	assert_int_equal(db_get_int(f->db, sql, &n, "i", id), 0);
	return n;
}

static void test_who_may(void **state)
{
	struct mfix *f = *state;
	struct actor self, district_admin;
	int64_t p = subject(f, &f->city, "pv-who", &self);
	int64_t dp = sfix_person(f, &f->district, "区里的人", "member", NULL);

	assert_int_equal(mfix_actor(f, &f->district, "district-admin", "admin", &district_admin),
			 0);
	/* the export: admins of the body or above, the person themself, the command line */
	assert_int_equal(person_export_authorize(f->db, &f->city_admin, p, NULL, NULL), ERR_OK);
	assert_int_equal(person_export_authorize(f->db, &f->city_admin, dp, NULL, NULL), ERR_OK);
	assert_int_equal(person_export_authorize(f->db, &self, p, NULL, NULL), ERR_OK);
	assert_int_equal(person_export_authorize(f->db, &f->sys, p, NULL, NULL), ERR_OK);
	/* seen, not allowed */
	assert_int_equal(person_export_authorize(f->db, &f->city_org, p, NULL, NULL),
			 ERR_FORBIDDEN);
	assert_int_equal(person_export_authorize(f->db, &f->city_member, p, NULL, NULL),
			 ERR_FORBIDDEN);
	assert_int_equal(person_export_authorize(f->db, &f->city_guest, p, NULL, NULL),
			 ERR_FORBIDDEN);
	/* not seen: another branch, a body below */
	assert_int_equal(person_export_authorize(f->db, &f->other_org, p, NULL, NULL),
			 ERR_NOT_FOUND);
	assert_int_equal(person_export_authorize(f->db, &district_admin, p, NULL, NULL),
			 ERR_NOT_FOUND);
	assert_int_equal(person_export_authorize(f->db, &f->anon, p, NULL, NULL), ERR_AUTH);
	assert_int_equal(person_export_authorize(f->db, &f->city_admin, 0, NULL, NULL),
			 ERR_NOT_FOUND);
	assert_int_equal(person_export_authorize(f->db, &f->city_admin, 999999, NULL, NULL),
			 ERR_NOT_FOUND);
	/* erasure: admins only, not the person themself */
	assert_int_equal(person_erase_authorize(f->db, &f->city_admin, p, NULL, NULL), ERR_OK);
	assert_int_equal(person_erase_authorize(f->db, &district_admin, dp, NULL, NULL), ERR_OK);
	assert_int_equal(person_erase_authorize(f->db, &self, p, NULL, NULL), ERR_FORBIDDEN);
	assert_int_equal(person_erase_authorize(f->db, &f->city_org, p, NULL, NULL), ERR_FORBIDDEN);
	assert_int_equal(person_erase_authorize(f->db, &f->other_org, p, NULL, NULL),
			 ERR_NOT_FOUND);
	assert_int_equal(person_erase_authorize(f->db, &f->anon, p, NULL, NULL), ERR_AUTH);
}

static void test_export_then_erase(void **state)
{
	struct mfix *f = *state;
	struct actor self;
	struct person_export x;
	struct person_erasure r;
	struct person p;
	struct room room;
	struct user u;
	struct statement_head sh;
	struct search_hits hits = {0};
	struct verr e = {0};
	struct db_stmt *st;
	char token[65], csrf[65], api[65];
	int64_t pid = subject(f, &f->city, "pv-subject", &self);
	int64_t topic = sfix_topic(f, &f->city, "隐私议题");
	int64_t ses =
	    sfix_session(f, &f->city_org, &f->city, topic, "隐私深聊会", "public", FORMAT_SECTOR);
	int64_t inv, remark, seed, mine, part, remarks_before;
	int rc;

	rc = mfix_begin(f);
	if (!rc)
		rc = invitation_add(f->db, &f->city_org, ses, pid, "speaker", &inv, &e);
	if (!rc)
		rc = remark_add(f->db, &f->city_org, ses, pid, "企业代表", WORDS, &remark, &e);
	if (!rc)
		rc = room_set(f->db, &f->city_org, ses, 0, "post", 1, &room, &e);
	if (!rc)
		rc = statement_add(f->db, &room, 0, "组织者的观点", &seed, &e);
	if (!rc)
		rc = participant_of_user(f->db, &room, &self.user, &part);
	if (!rc)
		rc = statement_add(f->db, &room, part, STATEMENT, &mine, &e);
	if (!rc)
		rc = statement_head(f->db, seed, &sh);
	if (!rc)
		rc = vote_put(f->db, &sh, part, -1, &e);
	if (!rc)
		rc = auth_session_create(f->db, self.user.id, token, csrf);
	if (!rc)
		rc = auth_token_create(f->db, self.user.id, api);
	sfix_check(mfix_commit(f, rc), &e, "record");

	/* the export holds all of it, and is audited */
	person_export_init(&x);
	assert_int_equal(mfix_begin(f), 0);
	assert_int_equal(mfix_commit(f, person_export_read(f->db, &self, pid, &x)), 0);
	assert_string_equal(x.person.name, NAME);
	assert_string_equal(x.person.phone, "13800138000");
	assert_true(x.has_account);
	assert_string_equal(x.account.username, "pv-subject");
	assert_int_equal(x.nsignins, 1);
	assert_int_equal(x.ntokens, 1);
	assert_int_equal(x.ninvitations, 1);
	assert_int_equal(x.invitations[0].id, inv);
	assert_int_equal(x.nremarks, 1);
	assert_string_equal(x.remarks[0].body, WORDS);
	assert_int_equal(x.nparticipations, 1);
	assert_int_equal(x.nvotes, 1);
	assert_int_equal(x.votes[0].statement_id, seed);
	assert_int_equal(x.votes[0].value, -1);
	assert_string_equal(x.votes[0].statement_text, "组织者的观点");
	assert_int_equal(x.nstatements, 1);
	assert_string_equal(x.statements[0].text, STATEMENT);
	assert_true(x.nduty >= 1); /* the remark's credit */
	assert_int_equal(x.erased_at, 0);
	person_export_release(&x);
	assert_int_equal(count(f,
			       "SELECT COUNT(*) FROM audit WHERE action = 'person.export'"
			       " AND entity_id = ?",
			       pid),
			 1);

	/* erasure */
	remarks_before = count(f, "SELECT COUNT(*) FROM remark WHERE session_id = ?", ses);
	assert_int_equal(mfix_begin(f), 0);
	assert_int_equal(mfix_commit(f, person_erase(f->db, &f->city_admin, pid, &r, &e)), 0);
	assert_int_equal(r.remarks, 1);
	assert_int_equal(r.statements, 1);
	assert_int_equal(r.signins, 1);
	assert_int_equal(r.tokens, 1);
	assert_int_equal(r.user_id, self.user.id);
	assert_true(person_erased(f->db, pid));

	assert_int_equal(person_get(f->db, pid, &p), 0);
	assert_int_equal(person_erased_name_id(p.name), pid);
	assert_string_equal(p.phone, "");
	assert_string_equal(p.email, "");
	assert_string_equal(p.sector, "");
	assert_string_equal(p.affiliation, "");
	assert_string_equal(p.category, "member");
	assert_false(p.public_name);
	/* the rows stay, their words do not */
	assert_int_equal(count(f, "SELECT COUNT(*) FROM remark WHERE session_id = ?", ses),
			 remarks_before);
	assert_int_equal(count(f,
			       "SELECT COUNT(*) FROM remark WHERE id = ? AND body = ''"
			       " AND role = '' AND erased = TRUE",
			       remark),
			 1);
	assert_int_equal(count(f,
			       "SELECT COUNT(*) FROM statement WHERE id = ? AND text = ''"
			       " AND erased = TRUE",
			       mine),
			 1);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM vote WHERE participant_id = ?", part), 1);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM invitation WHERE person_id = ?", pid), 1);
	assert_int_equal(search_query(f->db, &f->city_admin, "骐骥驰骋", NULL, 10, &hits), 0);
	assert_int_equal(hits.n, 0);
	search_hits_release(&hits);
	/* the account: disabled, renamed, signed out everywhere */
	assert_int_equal(user_get(f->db, self.user.id, &u), 0);
	assert_true(u.disabled);
	assert_null(strstr(u.display_name, NAME));
	assert_string_not_equal(u.username, "pv-subject");
	assert_int_equal(auth_session_find(f->db, token, &self), ERR_AUTH);
	assert_int_equal(auth_token_find(f->db, api, &self), ERR_AUTH);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM auth_session WHERE user_id = ?", u.id), 0);
	/* the audit row: no before, ids and counts after, no name */
	assert_int_equal(
	    db_get_row(f->db,
		       "SELECT COALESCE(CAST(before_json AS TEXT), ''), after_json FROM audit"
		       " WHERE action = 'person.erase' AND entity_id = ?",
		       &st, "i", pid),
	    0);
	assert_string_equal(db_col_text(st, 0), "");
	assert_null(strstr(db_col_text(st, 1), NAME));
	assert_null(strstr(db_col_text(st, 1), "pv-subject"));
	assert_non_null(strstr(db_col_text(st, 1), "\"remarks\":1"));
	db_done(st);

	/* the export now shows the erased record */
	person_export_init(&x);
	assert_int_equal(mfix_begin(f), 0);
	assert_int_equal(mfix_commit(f, person_export_read(f->db, &f->city_admin, pid, &x)), 0);
	assert_true(x.erased_at > 0);
	assert_true(x.remarks[0].erased);
	assert_string_equal(x.remarks[0].body, "");
	assert_string_equal(x.statements[0].text, "");
	assert_true(x.account.disabled);
	person_export_release(&x);

	/* twice: nothing left to erase, nothing written */
	assert_int_equal(mfix_begin(f), 0);
	assert_int_equal(mfix_commit(f, person_erase(f->db, &f->city_admin, pid, NULL, &e)),
			 ERR_NOT_FOUND);
	assert_int_equal(count(f,
			       "SELECT COUNT(*) FROM audit WHERE action = 'person.erase'"
			       " AND entity_id = ?",
			       pid),
			 1);
}

static void move(struct mfix *f, int64_t id, const char *to)
{
	struct output_move m;
	struct verr e = {0};
	int rc;

	memset(&m, 0, sizeof(m));
	m.to = to;
	rc = mfix_begin(f);
	if (!rc)
		rc = output_transition(f->db, &f->sys, id, &m, &e);
	sfix_check(mfix_commit(f, rc), &e, to);
}

static void test_lead_author(void **state)
{
	struct mfix *f = *state;
	struct output_author_in au;
	struct output_in in;
	struct person p;
	struct verr e = {0};
	int64_t pid = sfix_person(f, &f->city, "第一作者", "member", NULL), out;
	int rc;

	memset(&au, 0, sizeof(au));
	au.person_id = pid;
	snprintf(au.role, sizeof(au.role), "lead");
	output_in_init(&in);
	in.kind = "speech";
	in.title = "大会发言稿";
	in.body = "正文";
	in.authors = &au;
	in.nauthors = 1;
	rc = mfix_begin(f);
	if (!rc)
		rc = output_create(f->db, &f->city_org, f->city.id, &in, &out, &e);
	sfix_check(mfix_commit(f, rc), &e, "output");
	/* a draft is still being handled: refused, nothing changed */
	assert_int_equal(mfix_begin(f), 0);
	assert_int_equal(mfix_commit(f, person_erase(f->db, &f->city_admin, pid, NULL, &e)),
			 ERR_CONFLICT);
	assert_string_equal(e.code, "lead_author_active");
	assert_int_equal(person_get(f->db, pid, &p), 0);
	assert_string_equal(p.name, "第一作者");
	assert_false(person_erased(f->db, pid));
	move(f, out, "submitted");
	move(f, out, "delivered");
	assert_int_equal(mfix_begin(f), 0);
	assert_int_equal(mfix_commit(f, person_erase(f->db, &f->city_admin, pid, NULL, &e)),
			 ERR_CONFLICT);
	/* closed: the workflow has ended, the person may be erased; the output keeps them */
	move(f, out, "closed");
	assert_int_equal(mfix_begin(f), 0);
	assert_int_equal(mfix_commit(f, person_erase(f->db, &f->city_admin, pid, NULL, &e)), 0);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM output_author WHERE person_id = ?", pid),
			 1);
}

static void test_final_states(void **state)
{
	(void)state;
	assert_true(output_state_final("proposal", "closed"));
	assert_true(output_state_final("opinion_report", "closed"));
	assert_true(output_state_final("speech", "closed"));
	assert_false(output_state_final("proposal", "draft"));
	assert_false(output_state_final("proposal", "not_accepted"));
	assert_false(output_state_final("proposal", "evaluated"));
	assert_false(output_state_final("opinion_report", "instructed"));
	assert_false(output_state_final("speech", "delivered"));
}

static void test_missing_and_names(void **state)
{
	struct mfix *f = *state;
	struct person_export x;
	struct verr e = {0};

	person_export_init(&x);
	assert_int_equal(mfix_begin(f), 0);
	assert_int_equal(mfix_commit(f, person_export_read(f->db, &f->sys, 999999, &x)),
			 ERR_NOT_FOUND);
	person_export_release(&x);
	assert_int_equal(mfix_begin(f), 0);
	assert_int_equal(mfix_commit(f, person_erase(f->db, &f->sys, 999999, NULL, &e)),
			 ERR_NOT_FOUND);
	assert_false(person_erased(f->db, 999999));
	assert_int_equal(person_erased_name_id("已删除的参与者 #42"), 42);
	assert_int_equal(person_erased_name_id("已删除的参与者 #"), 0);
	assert_int_equal(person_erased_name_id("已删除的参与者 #4x"), 0);
	assert_int_equal(person_erased_name_id("张三"), 0);
	assert_int_equal(person_erased_name_id(NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_who_may),	      cmocka_unit_test(test_export_then_erase),
	    cmocka_unit_test(test_lead_author),	      cmocka_unit_test(test_final_states),
	    cmocka_unit_test(test_missing_and_names),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
