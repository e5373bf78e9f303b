/*
 * test_model_rules.c - the work rules (model/rules.c) against a real temporary database:
 * the parameters' validation, each parameter of the catalogue enforced by the code that
 * owns it and changing with the version in force (requirements and min_participants by
 * session scheduling and closing, reply_days by assignment, cosign_days by drafting,
 * duty_points by the duty record, max_proposal_chars by submission), a session keeping the
 * version it was scheduled under, versions listed, copied (copied_from, names, audit) and
 * compared, who may read and write, and the line diff of base/linediff.c.
 *
 * Each test makes its own bodies below the fixture's province, so the versions one adds
 * are in force for it alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "session_fixture.h"
#include "base/linediff.h"
#include "base/util.h"
#include "db/db.h"
#include "model/output.h"
#include "model/rules.h"

static int group_setup(void **state)
{
	return mfix_setup(state);
}

static int group_teardown(void **state)
{
	return mfix_teardown(state);
}

/* body makes a city below the province named slug. */
static struct org body(struct mfix *f, const char *slug)
{
	struct org o;

	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, mfix_org(f, &f->province, slug, slug, "city", &o)), 0);
	return o;
}

/* add adds version to org with params (JSON text) effective at the time given. */
static void add(struct mfix *f, const struct org *org, const char *version, const char *params,
		int64_t from)
{
	json_t *p = json_loads(params, 0, NULL);
	struct verr e = {0};
	int rc;

	assert_non_null(p);
	rc = mfix_begin(f);
	if (!rc)
		rc = rules_add(f->db, &f->sys, org, version, version, "正文", p, from, &e);
	json_decref(p);
	if (rc)
		fprintf(stderr, "add %s: %s\n", version, e.en);
	assert_int_equal(mfix_commit(f, rc), ERR_OK);
}

static int64_t q_int(struct mfix *f, const char *sql, int64_t id)
{
	int64_t v = -1;

	assert_int_equal(db_get_int(f->db, sql, &v, "i", id), ERR_OK);
	return v;
}

static int move_session(struct mfix *f, int64_t id, const char *to, struct verr *e)
{
	int rc = mfix_begin(f);

	if (!rc)
		rc = session_transition(f->db, &f->sys, id, to, e);
	return mfix_commit(f, rc);
}

/* expert_session makes a draft expert session of org with n experts invited. */
static int64_t expert_session(struct mfix *f, const struct org *org, int n, int64_t *people)
{
	int64_t topic = sfix_topic(f, org, "规则测试议题");
	int64_t s = sfix_session(f, &f->sys, org, topic, "规则测试会", "public", FORMAT_EXPERT);
	int i;

	for (i = 0; i < n; i++) {
		struct verr e = {0};
		int64_t inv = 0;
		int64_t p = sfix_person(f, org, "专家", "expert", NULL);

		if (people)
			people[i] = p;
		assert_int_equal(mfix_begin(f), ERR_OK);
		assert_int_equal(
		    mfix_commit(f, invitation_add(f->db, &f->sys, s, p, "expert", &inv, &e)),
		    ERR_OK);
	}
	return s;
}

static void test_params_validation(void **state)
{
	static const char *const bad[][2] = {
	    {"{\"reply_days\":\"ninety\"}", "params.reply_days"},
	    {"{\"reply_days\":0}", "params.reply_days"},
	    {"{\"cosign_days\":366}", "params.cosign_days"},
	    {"{\"min_participants\":-1}", "params.min_participants"},
	    {"{\"max_proposal_chars\":1.5}", "params.max_proposal_chars"},
	    {"{\"duty_points\":{\"attended\":\"5\"}}", "params.duty_points"},
	    {"{\"duty_points\":{\"sleeping\":5}}", "params.duty_points"},
	    {"{\"duty_points\":[5]}", "params.duty_points"},
	    {"{\"requirements\":{\"dance\":[{\"what\":\"expert\",\"min\":1}]}}",
	     "params.requirements"},
	    {"{\"requirements\":{\"expert\":[{\"what\":\"expert\",\"min\":0}]}}",
	     "params.requirements"},
	    {"{\"requirements\":{\"expert\":[{\"what\":\"expert\"}]}}", "params.requirements"},
	    {"{\"requirements\":{\"expert\":{\"what\":\"expert\",\"min\":1}}}",
	     "params.requirements"},
	};
	struct verr e = {0};
	json_t *p;
	size_t i, n;

	(void)state;
	/* not an object */
	p = json_array();
	assert_int_equal(rules_check_params(p, &e), ERR_INVALID);
	assert_string_equal(e.field, "params");
	json_decref(p);
	/* unknown: named */
	p = json_pack("{si}", "colour", 1);
	assert_int_equal(rules_check_params(p, &e), ERR_INVALID);
	assert_string_equal(e.code, "unknown_param");
	assert_non_null(strstr(e.en, "colour"));
	assert_non_null(strstr(e.zh, "colour"));
	json_decref(p);
	/* the wrong type or range: the parameter named */
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		memset(&e, 0, sizeof(e));
		p = json_loads(bad[i][0], 0, NULL);
		assert_non_null(p);
		assert_int_equal(rules_check_params(p, &e), ERR_INVALID);
		assert_string_equal(e.code, "invalid_type");
		assert_string_equal(e.field, bad[i][1]);
		assert_non_null(strstr(e.en, bad[i][1] + 7));
		json_decref(p);
	}
	/* every default of the catalogue is itself valid */
	const struct rules_param *cat = rules_params(&n);

	assert_true(n >= 6);
	for (i = 0; i < n; i++) {
		json_t *d = json_loads(cat[i].default_json, JSON_DECODE_ANY, NULL);

		p = json_object();
		json_object_set_new(p, cat[i].name, d);
		assert_int_equal(rules_check_params(p, &e), ERR_OK);
		json_decref(p);
	}
}

static void test_requirements_by_version(void **state)
{
	struct mfix *f = *state;
	struct org o = body(f, "r-req");
	int64_t now = time_now(), s = expert_session(f, &o, 1, NULL);
	struct verr e = {0};

	add(f, &o, "v1", "{\"requirements\":{\"expert\":[{\"what\":\"expert\",\"min\":2}]}}",
	    now - 1000);
	assert_int_equal(move_session(f, s, "scheduled", &e), ERR_INVALID);
	assert_string_equal(e.code, "requirements_unmet");
	add(f, &o, "v2", "{\"requirements\":{\"expert\":[{\"what\":\"expert\",\"min\":1}]}}",
	    now - 10);
	assert_int_equal(move_session(f, s, "scheduled", &e), ERR_OK);
}

static void test_min_participants_keeps_version(void **state)
{
	struct mfix *f = *state;
	struct org o = body(f, "r-min");
	int64_t now = time_now(), people[2];
	int64_t early = expert_session(f, &o, 1, NULL), late;
	struct session_head h;
	struct verr e = {0};

	add(f, &o, "v1", "{}", now - 1000);
	assert_int_equal(move_session(f, early, "scheduled", &e), ERR_OK);
	/* a new version in force: two must attend before closing */
	add(f, &o, "v2", "{\"min_participants\":2}", now - 10);
	late = expert_session(f, &o, 2, people);
	assert_int_equal(move_session(f, late, "scheduled", &e), ERR_OK);
	assert_int_equal(session_head(f->db, early, &h), ERR_OK);
	assert_int_equal(move_session(f, early, "live", &e), ERR_OK);
	assert_int_equal(move_session(f, late, "live", &e), ERR_OK);
	/* the early one keeps v1 (no minimum) */
	assert_int_equal(move_session(f, early, "closed", &e), ERR_OK);
	/* the late one was scheduled under v2 */
	assert_int_equal(move_session(f, late, "closed", &e), ERR_INVALID);
	assert_string_equal(e.code, "requirements_unmet");
	assert_string_equal(e.field, "attendance");
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, invitation_attend(f->db, &f->sys, late, people[0], true, &e)), ERR_OK);
	assert_int_equal(move_session(f, late, "closed", &e), ERR_INVALID);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, invitation_attend(f->db, &f->sys, late, people[1], true, &e)), ERR_OK);
	/* and a third version loosening it does not change the late session's either way */
	add(f, &o, "v3", "{\"min_participants\":5}", now - 5);
	assert_int_equal(move_session(f, late, "closed", &e), ERR_OK);
}

static void test_session_reads_its_own_version(void **state)
{
	struct mfix *f = *state;
	struct org o = body(f, "r-own");
	struct rules r;
	int64_t now = time_now(), s = expert_session(f, &o, 1, NULL);
	struct verr e = {0};

	add(f, &o, "a", "{\"reply_days\":11,\"min_participants\":1}", now - 1000);
	assert_int_equal(move_session(f, s, "scheduled", &e), ERR_OK);
	add(f, &o, "b", "{\"reply_days\":22,\"min_participants\":3}", now - 10);
	assert_int_equal(rules_for_session(f->db, s, &r), ERR_OK);
	assert_string_equal(r.version, "a");
	assert_int_equal(rules_min_participants(&r), 1);
	assert_int_equal(rules_reply_days(&r), 11);
	rules_release(&r);
	assert_int_equal(rules_in_force(f->db, &o, &r), ERR_OK);
	assert_string_equal(r.version, "b");
	assert_int_equal(rules_min_participants(&r), 3);
	rules_release(&r);
	/* a version of the body above, as the body had none of its own when scheduled */
	assert_int_equal(rules_of_session(f->db, &f->district, "default", &r), ERR_OK);
	assert_int_equal(rules_reply_days(&r), 90);
	rules_release(&r);
}

/* proposal drafts a proposal of org with body text (a lead author of org). */
static int64_t proposal(struct mfix *f, const struct org *org, const char *text)
{
	struct output_author_in author = {sfix_person(f, org, "领衔人", "member", NULL), "lead"};
	struct output_in in;
	struct verr e = {0};
	int64_t id = 0;
	int rc;

	output_in_init(&in);
	in.kind = "proposal";
	in.title = "规则测试提案";
	in.body = text;
	in.authors = &author;
	in.nauthors = 1;
	rc = mfix_begin(f);
	if (!rc)
		rc = output_create(f->db, &f->sys, org->id, &in, &id, &e);
	if (rc)
		fprintf(stderr, "proposal: %s\n", e.en);
	assert_int_equal(mfix_commit(f, rc), ERR_OK);
	return id;
}

static int output_move_to(struct mfix *f, int64_t id, const char *to, const int64_t *lead,
			  struct verr *e)
{
	struct output_move m;
	int rc;

	memset(&m, 0, sizeof(m));
	m.to = to;
	m.lead_handlers = lead;
	m.nlead = lead ? 1 : 0;
	rc = mfix_begin(f);
	if (!rc)
		rc = output_transition(f->db, &f->sys, id, &m, e);
	return mfix_commit(f, rc);
}

static void test_cosign_days_by_version(void **state)
{
	struct mfix *f = *state;
	struct org o = body(f, "r-cosign");
	int64_t now = time_now(), a, b, due;
	static const char sql[] = "SELECT cosign_deadline FROM output WHERE id = ?";

	a = proposal(f, &o, "正文"); /* the defaults: 7 days */
	due = q_int(f, sql, a) - now;
	assert_true(due >= 7 * 86400 - 5 && due <= 7 * 86400 + 5);
	add(f, &o, "v1", "{\"cosign_days\":3}", now - 10);
	b = proposal(f, &o, "正文");
	due = q_int(f, sql, b) - now;
	assert_true(due >= 3 * 86400 - 5 && due <= 3 * 86400 + 5);
}

static void test_reply_days_by_version(void **state)
{
	struct mfix *f = *state;
	struct org o = body(f, "r-reply");
	int64_t now = time_now(), id, handler = 0, due;
	static const char sql[] = "SELECT reply_due FROM output WHERE id = ?";
	struct verr e = {0};
	const char *const path[] = {"submitted", "accepted"};
	size_t i;

	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, handler_create(f->db, &f->sys, o.id, "规则测试局", &handler, &e)),
	    ERR_OK);
	add(f, &o, "v1", "{\"reply_days\":15}", now - 1000);
	id = proposal(f, &o, "正文");
	for (i = 0; i < ARRAY_LEN(path); i++)
		assert_int_equal(output_move_to(f, id, path[i], NULL, &e), ERR_OK);
	add(f, &o, "v2", "{\"reply_days\":45}", now - 10); /* in force when it is assigned */
	assert_int_equal(output_move_to(f, id, "assigned", &handler, &e), ERR_OK);
	due = q_int(f, sql, id) - now;
	assert_true(due >= 45 * 86400 - 5 && due <= 45 * 86400 + 5);
}

static void test_max_proposal_chars_by_version(void **state)
{
	struct mfix *f = *state;
	struct org o = body(f, "r-chars");
	int64_t now = time_now(), a, b;
	struct verr e = {0};

	add(f, &o, "v1", "{\"max_proposal_chars\":5}", now - 1000);
	a = proposal(f, &o, "六个字的正文"); /* 6 characters */
	assert_int_equal(output_move_to(f, a, "submitted", NULL, &e), ERR_INVALID);
	assert_string_equal(e.code, "too_long");
	assert_string_equal(e.field, "body");
	assert_non_null(strstr(e.en, "max_proposal_chars"));
	add(f, &o, "v2", "{\"max_proposal_chars\":6}", now - 10);
	assert_int_equal(output_move_to(f, a, "submitted", NULL, &e), ERR_OK);
	/* 0 is no limit */
	add(f, &o, "v3", "{\"max_proposal_chars\":0}", now - 5);
	b = proposal(f, &o, "这是一段比较长的提案正文，超过六个字。");
	assert_int_equal(output_move_to(f, b, "submitted", NULL, &e), ERR_OK);
}

static void test_duty_points_by_version(void **state)
{
	struct mfix *f = *state;
	struct org o = body(f, "r-duty");
	int64_t now = time_now(), people[1], s, p;
	static const char sql[] = "SELECT points FROM duty_record WHERE person_id = ? AND kind ="
				  " 'attended'";
	static const char sql_adopted[] = "SELECT points FROM duty_record WHERE person_id = ? AND"
					  " kind = 'adopted'";
	struct verr e = {0};

	add(f, &o, "v1", "{\"duty_points\":{\"attended\":7}}", now - 1000);
	s = expert_session(f, &o, 1, people);
	assert_int_equal(move_session(f, s, "scheduled", &e), ERR_OK);
	/* a later version: the session keeps v1's points */
	add(f, &o, "v2", "{\"duty_points\":{\"attended\":9,\"adopted\":4}}", now - 10);
	assert_int_equal(move_session(f, s, "live", &e), ERR_OK);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, invitation_attend(f->db, &f->sys, s, people[0], true, &e)),
			 ERR_OK);
	assert_int_equal(q_int(f, sql, people[0]), 7);
	/* a credit outside a session: the version in force */
	p = sfix_person(f, &o, "被采纳的人", "member", NULL);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, duty_credit(f->db, o.id, p, "adopted", 0, 4242, now)),
			 ERR_OK);
	assert_int_equal(q_int(f, sql_adopted, p), 4);
	assert_int_equal(duty_points_of(f->db, o.id, "attended"), 9);
	assert_int_equal(duty_points_of(f->db, o.id, "remark"), 2); /* not stated: default */
	/* the body's own setting (duty page) comes first */
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, duty_set_points(f->db, &f->sys, o.id, "attended", 1, &e)),
			 ERR_OK);
	assert_int_equal(duty_points_of(f->db, o.id, "attended"), 1);
}

static void test_versions_copy_diff(void **state)
{
	struct mfix *f = *state;
	struct org src = body(f, "r-src"), dst = body(f, "r-dst");
	struct rules_versions l;
	struct rules_diff d;
	struct rules_in in;
	struct verr e = {0};
	char made[96];
	json_t *p;
	int rc;

	memset(&in, 0, sizeof(in));
	in.version = "1.0";
	in.title = "规则 1.0";
	in.body = "第一条\n第二条\n第三条\n";
	in.effective_from = "2025-01-01";
	p = json_pack("{si}", "reply_days", 60);
	in.params = p;
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, rules_create(f->db, &f->city_admin, &src, &in, &e)),
			 ERR_OK);
	/* the same version again: conflict; a date that is not YYYY-MM-DD: invalid */
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, rules_create(f->db, &f->sys, &src, &in, &e)), ERR_CONFLICT);
	assert_string_equal(e.field, "version");
	json_decref(p);
	in.params = NULL;
	in.version = "1.1";
	in.effective_from = "2025-01-01 10:00";
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, rules_create(f->db, &f->sys, &src, &in, &e)), ERR_INVALID);
	assert_string_equal(e.field, "effective_from");
	in.effective_from = "2025-02-01";
	in.body = "第一条\n第二条（改）\n第三条\n第四条\n";
	p = json_pack("{si si}", "reply_days", 30, "cosign_days", 7);
	in.params = p;
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, rules_create(f->db, &f->sys, &src, &in, &e)), ERR_OK);
	json_decref(p);
	/* newest effective first */
	assert_int_equal(rules_list(f->db, src.id, &l), ERR_OK);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].version, "1.1");
	assert_string_equal(l.v[1].version, "1.0");
	assert_int_equal(l.v[1].copied_from_org_id, 0);
	rules_versions_release(&l);
	/* the diff: reply_days changed, cosign_days stated but equal to its default: no change */
	assert_int_equal(rules_diff_make(f->db, src.id, "1.0", "1.1", &d), ERR_OK);
	assert_int_equal(d.nchanges, 1);
	assert_string_equal(d.changes[0].name, "reply_days");
	assert_int_equal(json_integer_value(d.changes[0].old_value), 60);
	assert_int_equal(json_integer_value(d.changes[0].new_value), 30);
	assert_int_equal(d.nlines, 5);
	assert_int_equal(d.lines[1].op, LINEDIFF_DEL);
	assert_int_equal(d.lines[2].op, LINEDIFF_ADD);
	assert_int_equal(d.lines[4].op, LINEDIFF_ADD);
	assert_int_equal(d.lines[4].new_no, 4);
	rules_diff_release(&d);
	assert_int_equal(rules_diff_make(f->db, src.id, "1.0", "9.9", &d), ERR_NOT_FOUND);
	rules_diff_release(&d);
	/* copies: the same name when free, then -copy, -copy2; copied_from kept; audited */
	for (rc = 0; rc < 3; rc++) {
		assert_int_equal(mfix_begin(f), ERR_OK);
		assert_int_equal(mfix_commit(f, rules_copy(f->db, &f->sys, &dst, src.id, "1.0",
							   NULL, made, sizeof(made), &e)),
				 ERR_OK);
		assert_string_equal(made, rc == 0 ? "1.0" : rc == 1 ? "1.0-copy" : "1.0-copy2");
	}
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, rules_copy(f->db, &f->sys, &dst, src.id, "1.1", "own", made,
						   sizeof(made), &e)),
			 ERR_OK);
	assert_int_equal(rules_list(f->db, dst.id, &l), ERR_OK);
	assert_int_equal(l.n, 4);
	for (size_t i = 0; i < l.n; i++) {
		assert_int_equal(l.v[i].copied_from_org_id, src.id);
		assert_string_equal(l.v[i].copied_from_org_slug, "r-src");
	}
	rules_versions_release(&l);
	assert_int_equal(q_int(f,
			       "SELECT COUNT(*) FROM audit WHERE action = 'rules.copy'"
			       " AND org_id = ?",
			       dst.id),
			 4);
	assert_int_equal(q_int(f,
			       "SELECT COUNT(*) FROM audit WHERE action = 'rules.create'"
			       " AND org_id = ?",
			       src.id),
			 2);
	/* a source version that does not exist, a source out of sight, the target itself */
	assert_int_equal(
	    rules_copy(f->db, &f->sys, &dst, src.id, "nope", NULL, made, sizeof(made), &e),
	    ERR_NOT_FOUND);
	assert_string_equal(e.field, "version");
	assert_int_equal(rules_copy(f->db, &f->city_admin, &f->city, f->other.id, "1.0", NULL, made,
				    sizeof(made), &e),
			 ERR_NOT_FOUND);
	assert_string_equal(e.field, "from_org_id");
	assert_int_equal(
	    rules_copy(f->db, &f->sys, &src, src.id, "1.0", NULL, made, sizeof(made), &e),
	    ERR_INVALID);
}

static void test_authorize(void **state)
{
	struct mfix *f = *state;

	/* read: the body, those below it (the district of the city), those above */
	assert_int_equal(rules_authorize(f->db, &f->city_member, f->city.id, AUTHZ_READ, NULL),
			 ERR_OK);
	assert_int_equal(rules_authorize(f->db, &f->district_org, f->city.id, AUTHZ_READ, NULL),
			 ERR_OK);
	assert_int_equal(rules_authorize(f->db, &f->province_org, f->city.id, AUTHZ_READ, NULL),
			 ERR_OK);
	assert_int_equal(rules_authorize(f->db, &f->other_org, f->city.id, AUTHZ_READ, NULL),
			 ERR_NOT_FOUND);
	assert_int_equal(rules_authorize(f->db, &f->anon, f->city.id, AUTHZ_READ, NULL), ERR_AUTH);
	/* write: admins of the body (or above) */
	assert_int_equal(rules_authorize(f->db, &f->city_admin, f->city.id, AUTHZ_MANAGE, NULL),
			 ERR_OK);
	assert_int_equal(rules_authorize(f->db, &f->city_admin, f->district.id, AUTHZ_MANAGE, NULL),
			 ERR_OK);
	assert_int_equal(rules_authorize(f->db, &f->city_org, f->city.id, AUTHZ_MANAGE, NULL),
			 ERR_FORBIDDEN);
	assert_int_equal(rules_authorize(f->db, &f->city_admin, f->province.id, AUTHZ_MANAGE, NULL),
			 ERR_FORBIDDEN);
	assert_int_equal(rules_authorize(f->db, &f->city_admin, f->other.id, AUTHZ_MANAGE, NULL),
			 ERR_NOT_FOUND);
}

static void diff_ops(const char *a, const char *b, const char *want)
{
	struct linediff d;
	char got[64];
	size_t i;

	assert_int_equal(linediff_make(a, strlen(a), b, strlen(b), &d), ERR_OK);
	for (i = 0; i < d.n && i + 1 < sizeof(got); i++)
		got[i] = d.v[i].op == LINEDIFF_SAME ? '=' : d.v[i].op == LINEDIFF_DEL ? '-' : '+';
	got[i] = 0;
	assert_string_equal(got, want);
	linediff_release(&d);
}

static void test_linediff(void **state)
{
	struct linediff d;

	(void)state;
	diff_ops("", "", "");
	diff_ops("a\n", "a", "=");		    /* a final newline makes no line */
	diff_ops("a\r\nb\n", "a\nb\n", "==");	    /* CRLF is LF */
	diff_ops("a\nb\nc\n", "a\nc\n", "=-=");	    /* one removed */
	diff_ops("a\nc\n", "a\nb\nc\n", "=+=");	    /* one added */
	diff_ops("a\nb\nc\n", "a\nx\nc\n", "=-+="); /* one changed */
	diff_ops("x\na\nb\n", "a\nb\ny\n", "-==+"); /* the LCS keeps a, b */
	diff_ops("a\nb\n", "", "--");
	diff_ops("", "a\nb\n", "++");
	/* line numbers of both sides */
	assert_int_equal(linediff_make("a\nb\nc", 5, "a\nc\nd", 5, &d), ERR_OK);
	assert_int_equal(d.n, 4);
	assert_int_equal(d.v[1].old_no, 2);
	assert_int_equal(d.v[1].new_no, 0);
	assert_int_equal(d.v[2].old_no, 3);
	assert_int_equal(d.v[2].new_no, 2);
	assert_int_equal(d.v[3].new_no, 3);
	assert_int_equal(d.v[3].n, 1);
	assert_memory_equal(d.v[3].p, "d", 1);
	linediff_release(&d);
}

/* past the bounded table the middle is all removed, then all added: still a diff */
static void test_linediff_large(void **state)
{
	size_t n = LINEDIFF_MAX_LINES + 10, i, del = 0, add = 0, same = 0;
	char *a = malloc(n * 2 + 1), *b = malloc(n * 2 + 1);
	struct linediff d;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	for (i = 0; i < n; i++) {
		a[2 * i] = (char)('a' + i % 7);
		b[2 * i] = (char)('a' + i % 5);
		a[2 * i + 1] = b[2 * i + 1] = '\n';
	}
	a[2 * n] = b[2 * n] = 0;
	b[0] = 'z';
	assert_int_equal(linediff_make(a, 2 * n, b, 2 * n, &d), ERR_OK);
	for (i = 0; i < d.n; i++) {
		del += d.v[i].op == LINEDIFF_DEL;
		add += d.v[i].op == LINEDIFF_ADD;
		same += d.v[i].op == LINEDIFF_SAME;
	}
	assert_int_equal(del + same, n);
	assert_int_equal(add + same, n);
	linediff_release(&d);
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_params_validation),
	    cmocka_unit_test(test_requirements_by_version),
	    cmocka_unit_test(test_min_participants_keeps_version),
	    cmocka_unit_test(test_session_reads_its_own_version),
	    cmocka_unit_test(test_cosign_days_by_version),
	    cmocka_unit_test(test_reply_days_by_version),
	    cmocka_unit_test(test_max_proposal_chars_by_version),
	    cmocka_unit_test(test_duty_points_by_version),
	    cmocka_unit_test(test_versions_copy_diff),
	    cmocka_unit_test(test_authorize),
	    cmocka_unit_test(test_linediff),
	    cmocka_unit_test(test_linediff_large),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
