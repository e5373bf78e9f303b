/*
 * test_model_corrections.c - issue 11, corrections and deletes of a session's record, in the
 * model against a real SQLite file: who may (record_item_authorize), the reason a closed
 * session's record asks for, the audit row's before and after, and what a deleted remark
 * takes with it (the search index, the suggestion sources citing it, its duty credit).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/util.h"
#include "model/correction.h"
#include "model/search.h"
#include "session_fixture.h"

static int64_t topic, speaker, expert;

static int group_setup(void **state)
{
	struct mfix *f;

	if (mfix_setup(state))
		return -1;
	f = *state;
	topic = sfix_topic(f, &f->city, "更正测试");
	speaker = sfix_person(f, &f->city, "张委员", "member", NULL);
	expert = sfix_person(f, &f->city, "李专家", "expert", NULL);
	return 0;
}

/* struct rec: a live session of the city with one item of each kind of its record */
struct rec {
	int64_t session, invitation, remark, point, suggestion, commitment;
};

static void make_rec(struct mfix *f, struct rec *r, const char *word)
{
	struct source_ref src = {"remark", 0};
	struct verr e = {0};
	int64_t inv2;
	char body[128];

	memset(r, 0, sizeof(*r));
	r->session = sfix_session(f, &f->city_org, &f->city, topic, "更正测试会", "internal",
				  FORMAT_EXPERT | FORMAT_COUNTERPART);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, invitation_add(f->db, &f->city_org, r->session, expert,
						       "expert", &inv2, &e)),
			 ERR_OK);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, invitation_add(f->db, &f->city_org, r->session, speaker,
						       "speaker", &r->invitation, &e)),
			 ERR_OK);
	/* the record is open before the session closes: a draft's is enough here */
	snprintf(body, sizeof(body), "关于%s的发言", word);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, remark_add(f->db, &f->city_org, r->session, speaker, "委员",
						   body, &r->remark, &e)),
			 ERR_OK);
	src.id = r->remark;
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, point_add(f->db, &f->city_org, r->session, "agreed",
						  "一点共识", &r->point, &e)),
			 ERR_OK);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, suggestion_add(f->db, &f->city_org, r->session, "一条建议", "正文",
					  &speaker, 1, &src, 1, &r->suggestion, &e)),
	    ERR_OK);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, commitment_add(f->db, &f->city_org, r->session, "市某局", 0,
					  "三个月内答复", "2026-06-30", &r->commitment, &e)),
	    ERR_OK);
}

/* close_rec closes the session as its end would (the work rules' participant checks of the
 * moves before are session.c's tests) */
static void close_rec(struct mfix *f, const struct rec *r)
{
	assert_int_equal(db_exec(f->db,
				 "UPDATE session SET status = 'closed', closed_at = ? WHERE id = ?",
				 "ii", (int64_t)1, r->session),
			 ERR_OK);
}

static int64_t count(struct mfix *f, const char *what, int64_t id)
{
	int64_t n = -1;
	int rc = ERR_DB;

	if (strcmp(what, "sources") == 0)
		rc = db_get_int(f->db,
				"SELECT COUNT(*) FROM suggestion_source WHERE kind = 'remark'"
				" AND source_id = ?",
				&n, "i", id);
	else if (strcmp(what, "remark_credit") == 0)
		rc = db_get_int(
		    f->db, "SELECT COUNT(*) FROM duty_record WHERE kind = 'remark' AND ref_id = ?",
		    &n, "i", id);
	else if (strcmp(what, "attended_credit") == 0)
		rc = db_get_int(f->db,
				"SELECT COUNT(*) FROM duty_record WHERE kind = 'attended'"
				" AND ref_id = ?",
				&n, "i", id);
	assert_int_equal(rc, ERR_OK);
	return n;
}

/* last_audit gives the before and after of the newest audit row of entity #id (owned). */
static void last_audit(struct mfix *f, const char *entity, int64_t id, char *action, size_t n,
		       json_t **before, json_t **after)
{
	struct db_stmt *st;

	assert_int_equal(db_get_row(f->db,
				    "SELECT action, COALESCE(before_json, 'null'),"
				    " COALESCE(after_json, 'null') FROM audit WHERE entity = ?"
				    " AND entity_id = ? ORDER BY id DESC LIMIT 1",
				    &st, "si", entity, id),
			 ERR_OK);
	snprintf(action, n, "%s", db_col_text(st, 0));
	*before = json_loads(db_col_text(st, 1), JSON_DECODE_ANY, NULL);
	*after = json_loads(db_col_text(st, 2), JSON_DECODE_ANY, NULL);
	db_done(st);
}

static bool found(struct mfix *f, const char *q, const char *kind, int64_t id)
{
	struct search_hits h;
	bool yes = false;
	size_t i;

	search_hits_init(&h);
	assert_int_equal(search_query(f->db, &f->city_org, q, NULL, 50, &h), ERR_OK);
	for (i = 0; i < h.n; i++)
		if (strcmp(h.v[i].kind, kind) == 0 && h.v[i].id == id)
			yes = true;
	search_hits_release(&h);
	return yes;
}

static void test_who_may(void **state)
{
	struct mfix *f = *state;
	struct session_head h;
	struct rec r;

	make_rec(f, &r, "权限");
	assert_int_equal(
	    record_item_authorize(f->db, &f->city_org, RECORD_REMARK, r.remark, AUTHZ_WRITE, &h),
	    ERR_OK);
	assert_int_equal(h.id, r.session);
	assert_int_equal(
	    record_item_authorize(f->db, &f->province_org, RECORD_POINT, r.point, AUTHZ_WRITE, &h),
	    ERR_OK);
	assert_int_equal(record_item_authorize(f->db, &f->other_org, RECORD_SUGGESTION,
					       r.suggestion, AUTHZ_WRITE, &h),
			 ERR_NOT_FOUND);
	assert_int_equal(record_item_authorize(f->db, &f->district_org, RECORD_COMMITMENT,
					       r.commitment, AUTHZ_WRITE, &h),
			 ERR_NOT_FOUND);
	assert_int_equal(record_item_authorize(f->db, &f->anon, RECORD_INVITATION, r.invitation,
					       AUTHZ_WRITE, &h),
			 ERR_AUTH);
	assert_int_equal(
	    record_item_authorize(f->db, &f->city_member, RECORD_REMARK, r.remark, AUTHZ_WRITE, &h),
	    ERR_FORBIDDEN);
	assert_int_equal(
	    record_item_authorize(f->db, &f->city_guest, RECORD_REMARK, r.remark, AUTHZ_WRITE, &h),
	    ERR_FORBIDDEN);
	assert_int_equal(
	    record_item_authorize(f->db, &f->city_org, RECORD_REMARK, 999999, AUTHZ_WRITE, &h),
	    ERR_NOT_FOUND);
}

static void test_remark_update(void **state)
{
	struct mfix *f = *state;
	struct remark_change ch = {0};
	struct verr e = {0};
	char action[64];
	json_t *b, *a;
	struct rec r;

	make_rec(f, &r, "潮汐车道");
	assert_true(found(f, "潮汐车道", "remark", r.remark));
	/* validated as on create */
	ch.body = " \xe3\x80\x80 ";
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, remark_update(f->db, &f->city_org, r.remark, &ch, &e)),
			 ERR_INVALID);
	assert_string_equal(e.field, "body");
	ch.body = "关于错峰停车的发言";
	ch.person_id = 999999;
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, remark_update(f->db, &f->city_org, r.remark, &ch, &e)),
			 ERR_INVALID);
	assert_string_equal(e.field, "person_id");
	/* the good path: the index follows, the audit row holds both */
	ch.person_id = 0;
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, remark_update(f->db, &f->city_org, r.remark, &ch, &e)),
			 ERR_OK);
	assert_false(found(f, "潮汐车道", "remark", r.remark));
	assert_true(found(f, "错峰停车", "remark", r.remark));
	last_audit(f, "remark", r.remark, action, sizeof(action), &b, &a);
	assert_string_equal(action, "remark.update");
	assert_string_equal(json_string_value(json_object_get(b, "body")), "关于潮汐车道的发言");
	assert_string_equal(json_string_value(json_object_get(a, "body")), ch.body);
	assert_null(json_object_get(a, "reason"));
	json_decref(b);
	json_decref(a);
}

static void test_remark_delete(void **state)
{
	struct mfix *f = *state;
	struct suggestion g;
	struct verr e = {0};
	char action[64];
	json_t *b, *a;
	struct rec r;

	make_rec(f, &r, "共享单车");
	assert_int_equal(count(f, "sources", r.remark), 1);
	assert_int_equal(count(f, "remark_credit", r.remark), 1);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, remark_delete(f->db, &f->city_org, r.remark, NULL, &e)),
			 ERR_OK);
	assert_int_equal(count(f, "sources", r.remark), 0);
	assert_int_equal(count(f, "remark_credit", r.remark), 0);
	assert_false(found(f, "共享单车", "remark", r.remark));
	suggestion_init(&g);
	assert_int_equal(suggestion_read(f->db, r.suggestion, &g), ERR_OK);
	assert_int_equal(g.nsources, 0);
	suggestion_release(&g);
	last_audit(f, "remark", r.remark, action, sizeof(action), &b, &a);
	assert_string_equal(action, "remark.delete");
	assert_string_equal(json_string_value(json_object_get(b, "body")), "关于共享单车的发言");
	assert_true(json_is_null(a));
	json_decref(b);
	json_decref(a);
	/* twice: it does not exist */
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, remark_delete(f->db, &f->city_org, r.remark, NULL, &e)),
			 ERR_NOT_FOUND);
}

static void test_closed_needs_reason(void **state)
{
	struct mfix *f = *state;
	struct remark_change rc = {0};
	struct point_change pc = {0};
	struct commitment_change cc = {0};
	struct invitation_change ic = {NULL, NULL, 1};
	struct verr e = {0};
	char action[64], longer[600];
	json_t *b, *a;
	struct rec r;

	make_rec(f, &r, "更正理由");
	close_rec(f, &r);
	rc.body = "会后更正的发言";
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, remark_update(f->db, &f->city_org, r.remark, &rc, &e)),
			 ERR_INVALID);
	assert_string_equal(e.code, "reason_required");
	assert_string_equal(e.field, "reason");
	memset(longer, 'x', 501);
	longer[501] = '\0';
	rc.reason = longer;
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, remark_update(f->db, &f->city_org, r.remark, &rc, &e)),
			 ERR_INVALID);
	assert_string_equal(e.field, "reason");
	rc.reason = "核对录音";
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, remark_update(f->db, &f->city_org, r.remark, &rc, &e)),
			 ERR_OK);
	last_audit(f, "remark", r.remark, action, sizeof(action), &b, &a);
	assert_string_equal(json_string_value(json_object_get(a, "reason")), "核对录音");
	json_decref(b);
	json_decref(a);
	/* points, invitations, deletes: the same rule */
	pc.body = "更正的共识";
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, point_update(f->db, &f->city_org, r.point, &pc, &e)),
			 ERR_INVALID);
	assert_string_equal(e.code, "reason_required");
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, invitation_update(f->db, &f->city_org, r.invitation, &ic, &e)),
	    ERR_INVALID);
	assert_string_equal(e.code, "reason_required");
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, suggestion_delete(f->db, &f->city_org, r.suggestion, "  ", &e)),
	    ERR_INVALID);
	assert_string_equal(e.code, "reason_required");
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, suggestion_delete(f->db, &f->city_org, r.suggestion, "重复", &e)),
	    ERR_OK);
	last_audit(f, "suggestion", r.suggestion, action, sizeof(action), &b, &a);
	assert_string_equal(action, "suggestion.delete");
	assert_string_equal(json_string_value(json_object_get(b, "title")), "一条建议");
	assert_string_equal(json_string_value(json_object_get(a, "reason")), "重复");
	json_decref(b);
	json_decref(a);
	/* the follow-up of a commitment goes on without one; its text does not */
	cc.owner_id = -1;
	cc.status = "done";
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, commitment_update(f->db, &f->city_org, r.commitment, &cc, &e)), ERR_OK);
	cc.body = "改过的承诺";
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, commitment_update(f->db, &f->city_org, r.commitment, &cc, &e)),
	    ERR_INVALID);
	assert_string_equal(e.code, "reason_required");
}

static void test_fields_and_credits(void **state)
{
	struct mfix *f = *state;
	struct point_change pc = {"maybe", NULL, NULL};
	struct commitment_change cc = {0};
	struct invitation_change ic = {NULL, NULL, 1};
	struct verr e = {0};
	struct rec r;

	make_rec(f, &r, "字段");
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, point_update(f->db, &f->city_org, r.point, &pc, &e)),
			 ERR_INVALID);
	assert_string_equal(e.field, "kind");
	cc.owner_id = -1;
	cc.due_date = "2026-02-30";
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, commitment_update(f->db, &f->city_org, r.commitment, &cc, &e)),
	    ERR_INVALID);
	assert_string_equal(e.field, "due_date");
	ic.role = "dj";
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, invitation_update(f->db, &f->city_org, r.invitation, &ic, &e)),
	    ERR_INVALID);
	assert_string_equal(e.field, "role");
	/* attendance credits the duty record; the delete takes the credit back */
	ic.role = "expert";
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, invitation_update(f->db, &f->city_org, r.invitation, &ic, &e)), ERR_OK);
	assert_int_equal(count(f, "attended_credit", r.invitation), 1);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, invitation_delete(f->db, &f->city_org, r.invitation, NULL, &e)), ERR_OK);
	assert_int_equal(count(f, "attended_credit", r.invitation), 0);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, point_delete(f->db, &f->city_org, r.point, NULL, &e)),
			 ERR_OK);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, commitment_delete(f->db, &f->city_org, r.commitment, NULL, &e)), ERR_OK);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, point_delete(f->db, &f->city_org, r.point, NULL, &e)),
			 ERR_NOT_FOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_who_may),
	    cmocka_unit_test(test_remark_update),
	    cmocka_unit_test(test_remark_delete),
	    cmocka_unit_test(test_closed_needs_reason),
	    cmocka_unit_test(test_fields_and_credits),
	};

	return cmocka_run_group_tests_name("model_corrections", tests, group_setup, mfix_teardown);
}
