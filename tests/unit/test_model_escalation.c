/*
 * test_model_escalation.c - escalation of an output to a higher body (model/escalation.h,
 * issue 15): who may send, the target rules, the states, the answer, the notifications
 * both ways, the audit rows, the lists, what the higher body may read (the escalated
 * output, not the lower body's draft), and the higher body's output made from an accepted
 * escalation with its lineage across bodies. Against a real temporary database
 * (model_fixture.h: province > city > district, and an unrelated city).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "model/escalation.h"
#include "model/output.h"
#include "session_fixture.h"

/* count runs a COUNT(*) query with one integer parameter and one text parameter. */
static int64_t count(struct mfix *f, const char *sql, int64_t a, const char *b)
{
	int64_t n = -1;

	assert_int_equal(db_get_int(f->db, sql, &n, "is", a, b), ERR_OK);
	return n;
}

static const char sql_user_notes[] =
    "SELECT COUNT(*) FROM notification WHERE user_id = ? AND kind = ?";
static const char sql_person_notes[] =
    "SELECT COUNT(*) FROM notification WHERE person_id = ? AND kind = ?";
static const char sql_audits[] = "SELECT COUNT(*) FROM audit WHERE entity_id = ? AND action = ?";
static const char sql_adoptions[] =
    "SELECT COUNT(*) FROM adoption WHERE output_id = ? AND kind = ?";

/* report drafts a research report of org by who (the system actor when NULL) from
 * suggestion sug (0: none), led by person lead (0: none). */
static int64_t report(struct mfix *f, const struct org *org, const char *title, int64_t sug,
		      int64_t lead)
{
	struct output_in in;
	struct output_author_in a = {lead, "lead"};
	struct verr e = {0};
	int64_t id = 0;
	int rc;

	output_in_init(&in);
	in.kind = "research_report";
	in.title = title;
	in.body = "调研正文";
	in.suggestions = sug ? &sug : NULL;
	in.nsuggestions = sug ? 1 : 0;
	in.authors = lead ? &a : NULL;
	in.nauthors = lead ? 1 : 0;
	rc = mfix_begin(f);
	if (!rc)
		rc = output_create(f->db, &f->sys, org->id, &in, &id, &e);
	sfix_check(mfix_commit(f, rc), &e, "output");
	return id;
}

static void submit(struct mfix *f, int64_t id)
{
	struct output_move m = {0};
	struct verr e = {0};
	int rc;

	m.to = "submitted";
	rc = mfix_begin(f);
	if (!rc)
		rc = output_transition(f->db, &f->sys, id, &m, &e);
	sfix_check(mfix_commit(f, rc), &e, "submit");
}

static int send(struct mfix *f, const struct actor *a, int64_t output, int64_t to, const char *note,
		int64_t *id, struct verr *e)
{
	int rc = mfix_begin(f);

	memset(e, 0, sizeof(*e));
	if (!rc)
		rc = escalation_send(f->db, a, output, to, note, id, e);
	return mfix_commit(f, rc);
}

static int answer(struct mfix *f, const struct actor *a, int64_t id, const char *decision,
		  const char *note, struct verr *e)
{
	int rc = mfix_begin(f);

	memset(e, 0, sizeof(*e));
	if (!rc)
		rc = escalation_answer(f->db, a, id, decision, note, e);
	return mfix_commit(f, rc);
}

static void test_escalation(void **state)
{
	struct mfix *f = *state;
	struct escalation x;
	struct escalation_list l;
	struct output_head h;
	struct output_lineage lin;
	struct verr e = {0};
	int64_t topic = sfix_topic(f, &f->district, "港区交通");
	int64_t ses =
	    sfix_session(f, &f->district_org, &f->district, topic, "港区深聊会", "internal", 1);
	int64_t lead = sfix_person(f, &f->district, "陈委员", "member", NULL);
	int64_t sug = 0, out, draft, top, to_city = 0, to_prov = 0, again = 0, made = 0;
	struct person p, before;
	int rc;

	/* the lead author has an e-mail address: the answer reaches them */
	assert_int_equal(person_get(f->db, lead, &before), ERR_OK);
	p = before;
	snprintf(p.email, sizeof(p.email), "%s", "chen@example.cn");
	rc = mfix_begin(f);
	if (!rc)
		rc = person_update(f->db, &f->sys, &before, &p, &e);
	sfix_check(mfix_commit(f, rc), &e, "email");
	rc = mfix_begin(f);
	if (!rc)
		rc = suggestion_add(f->db, &f->district_org, ses, "增开夜班公交", "", NULL, 0, NULL,
				    0, &sug, &e);
	sfix_check(mfix_commit(f, rc), &e, "suggestion");
	out = report(f, &f->district, "港区夜间交通调研", sug, lead);
	draft = report(f, &f->district, "区内草稿", 0, 0);

	/* a draft is not sent */
	assert_int_equal(send(f, &f->district_org, out, 0, "请市里统筹", &to_city, &e),
			 ERR_CONFLICT);
	assert_string_equal(e.code, "not_submitted");
	submit(f, out);

	/* who: the output body's organizers; the city reads it but does not send it; another
	 * city does not see it; anonymous callers sign in first */
	assert_int_equal(send(f, &f->city_org, out, 0, "代报", &to_city, &e), ERR_FORBIDDEN);
	assert_int_equal(send(f, &f->other_org, out, 0, "代报", &to_city, &e), ERR_NOT_FOUND);
	assert_int_equal(send(f, &f->anon, out, 0, "代报", &to_city, &e), ERR_AUTH);
	/* input */
	assert_int_equal(send(f, &f->district_org, out, 0, "  ", &to_city, &e), ERR_INVALID);
	assert_string_equal(e.field, "note");
	assert_int_equal(send(f, &f->district_org, out, 0, NULL, &to_city, &e), ERR_INVALID);
	assert_int_equal(send(f, &f->district_org, out, f->other.id, "上报", &to_city, &e),
			 ERR_INVALID);
	assert_string_equal(e.field, "to_org_id");
	assert_int_equal(send(f, &f->district_org, out, f->district.id, "上报", &to_city, &e),
			 ERR_INVALID);
	assert_int_equal(send(f, &f->district_org, out, 987654, "上报", &to_city, &e), ERR_INVALID);
	assert_int_equal(
	    count(f, "SELECT COUNT(*) FROM escalation WHERE output_id = ? AND ? = ''", out, ""), 0);

	/* the parent by default; once pending, not again; further up, yes */
	assert_int_equal(send(f, &f->district_org, out, 0, "请市里统筹", &to_city, &e), ERR_OK);
	assert_int_equal(escalation_get(f->db, to_city, &x), ERR_OK);
	assert_int_equal(x.from_org_id, f->district.id);
	assert_int_equal(x.to_org_id, f->city.id);
	assert_string_equal(x.state, "pending");
	assert_string_equal(x.note, "请市里统筹");
	escalation_release(&x);
	assert_int_equal(send(f, &f->district_org, out, f->city.id, "再报", &again, &e),
			 ERR_CONFLICT);
	assert_string_equal(e.code, "pending");
	assert_int_equal(
	    send(f, &f->district_org, out, f->province.id, "涉及省管港口", &to_prov, &e), ERR_OK);
	assert_int_equal(count(f, sql_audits, to_city, "escalation.create"), 1);
	assert_int_equal(count(f, sql_audits, to_prov, "escalation.create"), 1);
	/* the root has no parent */
	top = report(f, &f->province, "省级调研", 0, 0);
	submit(f, top);
	assert_int_equal(send(f, &f->sys, top, 0, "无处可报", &again, &e), ERR_CONFLICT);
	assert_string_equal(e.code, "no_parent");

	/* escalation_received: the target's organizers and admins, not its members */
	assert_int_equal(count(f, sql_user_notes, f->city_org.user.id, "escalation_received"), 1);
	assert_int_equal(count(f, sql_user_notes, f->city_admin.user.id, "escalation_received"), 1);
	assert_int_equal(count(f, sql_user_notes, f->city_member.user.id, "escalation_received"),
			 0);
	assert_int_equal(count(f, sql_user_notes, f->province_org.user.id, "escalation_received"),
			 1);

	/* the lists */
	assert_int_equal(escalation_list(f->db, &f->city_org, false, 0, 50, &l), ERR_OK);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.items[0].id, to_city);
	assert_string_equal(l.items[0].from_org_name, f->district.name);
	assert_string_equal(l.items[0].output_title, "港区夜间交通调研");
	escalation_list_release(&l);
	assert_int_equal(escalation_list(f->db, &f->district_org, true, 0, 50, &l), ERR_OK);
	assert_int_equal(l.n, 2);
	escalation_list_release(&l);
	assert_int_equal(escalation_list(f->db, &f->district_org, true, to_city, 50, &l), ERR_OK);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.items[0].id, to_prov);
	escalation_list_release(&l);
	assert_int_equal(escalation_list(f->db, &f->city_member, false, 0, 50, &l), ERR_FORBIDDEN);
	escalation_list_release(&l);
	assert_int_equal(escalation_list(f->db, &f->anon, false, 0, 50, &l), ERR_AUTH);
	escalation_list_release(&l);

	/* who may answer: the target's organizers (and admins above it) */
	assert_int_equal(escalation_authorize(f->db, &f->city_org, to_city, ESC_ANSWER, NULL),
			 ERR_OK);
	assert_int_equal(escalation_authorize(f->db, &f->city_org, to_prov, ESC_ANSWER, NULL),
			 ERR_FORBIDDEN);
	assert_int_equal(escalation_authorize(f->db, &f->district_org, to_city, ESC_ANSWER, NULL),
			 ERR_FORBIDDEN);
	assert_int_equal(escalation_authorize(f->db, &f->district_org, to_city, ESC_READ, NULL),
			 ERR_OK);
	assert_int_equal(escalation_authorize(f->db, &f->city_member, to_city, ESC_READ, NULL),
			 ERR_NOT_FOUND);
	assert_int_equal(escalation_authorize(f->db, &f->other_org, to_city, ESC_READ, NULL),
			 ERR_NOT_FOUND);
	assert_int_equal(escalation_authorize(f->db, &f->province_org, to_prov, ESC_ANSWER, NULL),
			 ERR_OK);
	assert_int_equal(escalation_authorize(f->db, &f->city_org, 987654, ESC_READ, NULL),
			 ERR_NOT_FOUND);

	/* reading: the higher body reads the escalated output, not the lower body's draft */
	assert_int_equal(output_head(f->db, out, &h), ERR_OK);
	assert_true(escalation_reads(f->db, &f->city_member, &h));
	assert_true(escalation_reads(f->db, &f->province_org, &h));
	assert_false(escalation_reads(f->db, &f->other_org, &h));
	assert_false(escalation_reads(f->db, &f->district_org, &h));
	assert_int_equal(output_authorize(f->db, &f->city_member, out, AUTHZ_READ, NULL, NULL),
			 ERR_OK);
	assert_int_equal(output_authorize(f->db, &f->city_member, draft, AUTHZ_READ, NULL, NULL),
			 ERR_NOT_FOUND);
	assert_int_equal(output_authorize(f->db, &f->other_org, out, AUTHZ_READ, NULL, NULL),
			 ERR_NOT_FOUND);
	assert_int_equal(output_head(f->db, draft, &h), ERR_OK);
	assert_false(escalation_reads(f->db, &f->city_member, &h));
	assert_int_equal(output_lineage(f->db, &f->city_member, out, &lin), ERR_OK);
	assert_int_equal(lin.nsuggestions, 1);
	assert_int_equal(lin.suggestions[0].suggestion.id, sug);
	assert_int_equal(lin.suggestions[0].session.id, ses);
	output_lineage_release(&lin);

	/* answering: a decision of the two, once */
	assert_int_equal(escalation_get(f->db, to_city, &x), ERR_OK);
	assert_int_equal(escalation_answer_check(&x, "maybe", NULL, &e), ERR_INVALID);
	assert_string_equal(e.field, "decision");
	assert_int_equal(escalation_answer_check(&x, NULL, NULL, &e), ERR_INVALID);
	escalation_release(&x);
	assert_int_equal(answer(f, &f->city_org, to_city, "accepted", "纳入市级专报", &e), ERR_OK);
	assert_int_equal(answer(f, &f->city_org, to_city, "declined", "", &e), ERR_CONFLICT);
	assert_string_equal(e.code, "answered");
	assert_int_equal(escalation_get(f->db, to_city, &x), ERR_OK);
	assert_string_equal(x.state, "accepted");
	assert_string_equal(x.answer_note, "纳入市级专报");
	assert_int_equal(x.answered_by, f->city_org.user.id);
	assert_true(x.answered_at > 0);
	escalation_release(&x);
	assert_int_equal(count(f, sql_audits, to_city, "escalation.answer"), 1);
	/* escalation_answered: the sending body's staff and the output's authors */
	assert_int_equal(count(f, sql_user_notes, f->district_org.user.id, "escalation_answered"),
			 1);
	assert_int_equal(count(f, sql_person_notes, lead, "escalation_answered"), 1);
	assert_int_equal(count(f, sql_user_notes, f->city_org.user.id, "escalation_answered"), 0);
	/* the sending body sees the answer on its output; a reader who is not staff does not */
	assert_int_equal(escalation_of_output(f->db, &f->district_org, out, &l), ERR_OK);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.items[0].state, "accepted");
	escalation_list_release(&l);
	assert_int_equal(escalation_of_output(f->db, &f->city_member, out, &l), ERR_OK);
	assert_int_equal(l.n, 0);
	escalation_list_release(&l);

	/* adopting: only an accepted one, once; the new output keeps the lineage */
	assert_int_equal(escalation_get(f->db, to_prov, &x), ERR_OK);
	assert_int_equal(escalation_adopt_check(f->db, &f->province_org, &x, NULL, &e),
			 ERR_CONFLICT);
	assert_string_equal(e.code, "not_accepted");
	escalation_release(&x);
	rc = mfix_begin(f);
	if (!rc)
		rc = escalation_adopt(f->db, &f->city_org, to_city, NULL, &made, &e);
	sfix_check(mfix_commit(f, rc), &e, "adopt");
	assert_int_equal(output_head(f->db, made, &h), ERR_OK);
	assert_int_equal(h.org_id, f->city.id);
	assert_string_equal(h.state, "draft");
	assert_string_equal(h.kind, "research_report");
	assert_int_equal(output_lineage(f->db, &f->city_org, made, &lin), ERR_OK);
	assert_int_equal(lin.nsuggestions, 1);
	assert_int_equal(lin.suggestions[0].session.id, ses);
	assert_int_equal(lin.output.nauthors, 1);
	assert_int_equal(lin.output.authors[0].person_id, lead);
	output_lineage_release(&lin);
	assert_int_equal(escalation_origins(f->db, &f->city_org, made, &l), ERR_OK);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.items[0].output_id, out);
	escalation_list_release(&l);
	/* the other city reads nothing of it */
	assert_int_equal(escalation_origins(f->db, &f->other_org, made, &l), ERR_OK);
	assert_int_equal(l.n, 0);
	escalation_list_release(&l);
	assert_int_equal(escalation_get(f->db, to_city, &x), ERR_OK);
	assert_int_equal(x.result_output_id, made);
	assert_int_equal(escalation_adopt_check(f->db, &f->city_org, &x, NULL, &e), ERR_CONFLICT);
	assert_string_equal(e.code, "adopted");
	escalation_release(&x);
	assert_int_equal(count(f, sql_adoptions, out, "escalation"), 1);
	assert_int_equal(count(f, sql_audits, to_city, "escalation.adopt"), 1);
	/* a declined one cannot be adopted either */
	assert_int_equal(answer(f, &f->province_org, to_prov, "declined", "由市级办理", &e),
			 ERR_OK);
	assert_int_equal(escalation_get(f->db, to_prov, &x), ERR_OK);
	assert_int_equal(escalation_adopt_check(f->db, &f->province_org, &x, NULL, &e),
			 ERR_CONFLICT);
	escalation_release(&x);
	assert_int_equal(count(f, sql_user_notes, f->district_org.user.id, "escalation_answered"),
			 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_escalation),
	};

	return cmocka_run_group_tests(tests, mfix_setup, mfix_teardown);
}
