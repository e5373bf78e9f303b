/*
 * test_model_output.c - the output model against a real temporary database: creating
 * outputs, every row of the workflow table (the move allowed, and refused from another
 * state, by a caller without the row's role, and without each required field), the
 * generated docs/WORKFLOW.md, output_authorize for callers of every kind, adoption, and
 * the statistics of a tiny dataset.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "model_fixture.h"
#include "model/output.h"
#include "model/person.h"

#include "base/util.h"

struct ofix {
	struct mfix *f;
	int64_t lead_person, handler;
};

static struct ofix of;

static int group_setup(void **state)
{
	struct person p;
	struct verr e;
	int rc;

	if (mfix_setup(state))
		return -1;
	of.f = *state;
	memset(&p, 0, sizeof(p));
	p.org_id = of.f->city.id;
	snprintf(p.name, sizeof(p.name), "领衔委员");
	snprintf(p.category, sizeof(p.category), "member");
	rc = mfix_begin(of.f);
	if (!rc)
		rc = person_create(of.f->db, &of.f->sys, &p, &e);
	if (!rc)
		rc = handler_create(of.f->db, &of.f->sys, of.f->city.id, "市测试局", &of.handler,
				    &e);
	rc = mfix_commit(of.f, rc);
	of.lead_person = p.id;
	return rc ? -1 : 0;
}

static int group_teardown(void **state)
{
	stats_cache_clear();
	return mfix_teardown(state);
}

static const char *kind_of_class(int k)
{
	return k == OKIND_PROPOSAL  ? "proposal"
	       : k == OKIND_OPINION ? "opinion_report"
				    : "research_report";
}

/* make_output drafts an output of kind in the city (a proposal with its lead author). */
static int64_t make_output(const char *kind, const char *title)
{
	struct output_author_in author = {of.lead_person, "lead"};
	struct output_in in;
	struct verr e;
	int64_t id = 0;
	int rc;

	output_in_init(&in);
	in.kind = kind;
	in.title = title;
	in.body = "情况：夜间公交不足。分析：线路规划滞后。建议：增开夜班线路。";
	in.authors = &author;
	in.nauthors = 1;
	rc = mfix_begin(of.f);
	if (!rc)
		rc = output_create(of.f->db, &of.f->sys, of.f->city.id, &in, &id, &e);
	assert_int_equal(mfix_commit(of.f, rc), ERR_OK);
	return id;
}

/* full_move fills m with every field any move may need (handlers: the fixture's unit). */
static void full_move(struct output_move *m, const char *to, const int64_t *lead)
{
	memset(m, 0, sizeof(*m));
	m->to = to;
	m->reason = "不属于提案范围";
	m->lead_handlers = lead;
	m->nlead = 1;
	m->reply_text = "已研究办理。";
	m->grade = "A";
	m->satisfaction = "dissatisfied"; /* so the reopen row can be walked too */
	m->issue = "2024年第1期";
	m->sent_to = "省政协";
	m->instruction_by = "市领导";
	m->instruction_text = "请研究吸纳。";
}

static int move(const struct actor *a, int64_t id, const struct output_move *m, struct verr *e)
{
	int rc = mfix_begin(of.f);

	if (!rc)
		rc = output_transition(of.f->db, a, id, m, e);
	return mfix_commit(of.f, rc);
}

/* path_to finds the moves from draft to state for kind class k (breadth first over the
 * table); returns their number, -1 when unreachable. */
static int path_to(int k, const char *state, const char **out, int max)
{
	const char *seen[32], *prev[32];
	int n = 1, i, len = 0;
	size_t s;

	seen[0] = "draft";
	prev[0] = NULL;
	for (i = 0; i < n; i++) {
		if (strcmp(seen[i], state) == 0)
			break;
		for (s = 0; s < output_nsteps; s++) {
			int j, known = 0;

			if (!(output_steps[s].kinds & k) ||
			    strcmp(output_steps[s].from, seen[i]) != 0)
				continue;
			for (j = 0; j < n; j++)
				known |= strcmp(seen[j], output_steps[s].to) == 0;
			if (!known && n < 32) {
				seen[n] = output_steps[s].to;
				prev[n++] = seen[i];
			}
		}
	}
	if (i == n)
		return -1;
	/* walk back */
	{
		const char *chain[32];
		const char *cur = seen[i];

		while (cur && strcmp(cur, "draft") != 0) {
			int j;

			chain[len++] = cur;
			for (j = 0; j < n && strcmp(seen[j], cur) != 0; j++)
				;
			cur = prev[j];
		}
		for (i = 0; i < len && i < max; i++)
			out[i] = chain[len - 1 - i];
	}
	return len;
}

static void test_create(void **state)
{
	struct mfix *f = *state;
	struct output_author_in two[2] = {{0, "lead"}, {0, "lead"}};
	struct output_in in;
	struct output_head h;
	struct verr e;
	int64_t id = make_output("proposal", "增开夜班公交");
	char big[2000 * 3 + 1];
	size_t i;

	struct output o;
	struct output_list l;
	struct output_filter flt = {"proposal", "draft", 0, false};

	assert_int_equal(output_head(f->db, id, &h), ERR_OK);
	assert_string_equal(h.state, "draft");
	assert_string_equal(h.kind, "proposal");
	assert_int_equal(h.org_id, f->city.id);
	assert_int_equal(output_get(f->db, id, &o), ERR_OK);
	assert_true(o.full);
	assert_string_equal(o.title, "增开夜班公交");
	assert_string_equal(o.org_name, f->city.name);
	assert_string_equal(o.reply_grade, "");
	assert_int_equal(o.closed_at, 0);
	assert_true(o.created_at > 0);
	assert_int_equal(o.nauthors, 1);
	assert_int_equal(o.authors[0].person_id, of.lead_person);
	assert_string_equal(o.authors[0].role, "lead");
	assert_true(o.authors[0].confirmed); /* the lead signs by leading */
	output_release(&o);
	assert_int_equal(output_get(f->db, 999999, &o), ERR_NOT_FOUND);
	output_release(&o);
	/* lists: what the caller may see, filtered; a draft is its authors' and the staff's */
	assert_int_equal(output_list(f->db, &f->city_org, &flt, 0, 100, &l), ERR_OK);
	assert_true(l.n >= 1);
	assert_int_equal(l.items[l.n - 1].id, id);
	assert_false(l.items[0].full);
	output_list_release(&l);
	assert_int_equal(output_list(f->db, &f->city_member, &flt, 0, 100, &l), ERR_OK);
	assert_true(l.n == 0 || l.items[l.n - 1].id != id);
	output_list_release(&l);
	assert_int_equal(output_list(f->db, &f->other_org, &flt, 0, 100, &l), ERR_OK);
	assert_int_equal(l.n, 0);
	output_list_release(&l);
	output_in_init(&in);
	in.title = "无类型";
	assert_int_equal(output_create(f->db, &f->sys, f->city.id, &in, &id, &e), ERR_INVALID);
	assert_string_equal(e.field, "kind");
	in.kind = "poem";
	assert_int_equal(output_create(f->db, &f->sys, f->city.id, &in, &id, &e), ERR_INVALID);
	assert_string_equal(e.field, "kind");
	in.kind = "proposal";
	in.title = NULL;
	assert_int_equal(output_create(f->db, &f->sys, f->city.id, &in, &id, &e), ERR_INVALID);
	assert_string_equal(e.field, "title");
	in.title = "没有领衔人";
	assert_int_equal(output_create(f->db, &f->sys, f->city.id, &in, &id, &e), ERR_INVALID);
	assert_string_equal(e.field, "authors");
	two[0].person_id = two[1].person_id = of.lead_person;
	in.authors = two;
	in.nauthors = 2;
	assert_int_equal(output_create(f->db, &f->sys, f->city.id, &in, &id, &e), ERR_INVALID);
	assert_string_equal(e.field, "authors");
	/* the read-only checks answer the same as the writes */
	assert_int_equal(output_create_check(f->db, &f->sys, f->city.id, &in, &e), ERR_INVALID);
	assert_string_equal(e.field, "authors");
	in.nauthors = 1; /* the lead alone */
	assert_int_equal(output_create_check(f->db, &f->sys, f->city.id, &in, &e), ERR_OK);
	assert_int_equal(output_head(f->db, id, &h), ERR_OK);
	in.kind = "speech";
	assert_int_equal(output_update_check(f->db, &f->sys, &h, &in, &e), ERR_INVALID);
	assert_string_equal(e.field, "kind");
	in.kind = NULL;
	in.title = "";
	assert_int_equal(output_update_check(f->db, &f->sys, &h, &in, &e), ERR_INVALID);
	assert_string_equal(e.field, "title");
	in.title = "改了标题";
	assert_int_equal(output_update_check(f->db, &f->sys, &h, &in, &e), ERR_OK);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, output_update(f->db, &f->sys, id, &in, &e)), ERR_OK);
	assert_int_equal(output_get(f->db, id, &o), ERR_OK);
	assert_string_equal(o.title, "改了标题");
	output_release(&o);
	/* an opinion report has at most 1500 characters */
	for (i = 0; i < 1600; i++)
		memcpy(big + 3 * i, "字", 3);
	big[3 * 1600] = '\0';
	output_in_init(&in);
	in.kind = "opinion_report";
	in.title = "太长";
	in.body = big;
	assert_int_equal(output_create(f->db, &f->sys, f->city.id, &in, &id, &e), ERR_INVALID);
	assert_string_equal(e.code, "too_long");
	assert_string_equal(e.field, "body");
}

/* walk_row checks one row of the table for kind class k. */
static void walk_row(const struct output_step *s, int k)
{
	struct mfix *f = of.f;
	const char *path[16];
	struct output_move m;
	struct output_head h;
	struct verr e;
	int64_t lead[1] = {of.handler}, id, other;
	unsigned bit;
	int n, i;

	n = path_to(k, s->from, path, 16);
	assert_true(n >= 0);
	id = make_output(kind_of_class(k), s->to);
	for (i = 0; i < n; i++) {
		full_move(&m, path[i], lead);
		assert_int_equal(move(&f->sys, id, &m, &e), ERR_OK);
	}
	assert_int_equal(output_head(f->db, id, &h), ERR_OK);
	assert_string_equal(h.state, s->from);
	full_move(&m, s->to, lead);
	/* from another state: the table has no such move */
	other = make_output(kind_of_class(k), "别的状态");
	if (strcmp(s->from, "draft") == 0) {
		struct output_move sub;

		full_move(&sub, "submitted", lead);
		assert_int_equal(move(&f->sys, other, &sub, &e), ERR_OK);
	}
	assert_int_equal(move(&f->sys, other, &m, &e), ERR_CONFLICT);
	assert_string_equal(e.code, "illegal_transition");
	/* by a reader without the row's role (a draft has no readers but its authors and the
	 * staff: not found); by a foreign body; anonymous */
	assert_int_equal(move(&f->city_guest, id, &m, &e),
			 strcmp(s->from, "draft") == 0 ? ERR_NOT_FOUND : ERR_FORBIDDEN);
	assert_int_equal(move(&f->other_org, id, &m, &e), ERR_NOT_FOUND);
	assert_int_equal(move(&f->anon, id, &m, &e), ERR_AUTH);
	/* without each required field */
	for (bit = 1; bit < OFIELD_END; bit <<= 1) {
		struct output_move miss = m;

		if (!(s->need & bit))
			continue;
		switch (bit) {
		case OFIELD_REASON:
			miss.reason = NULL;
			break;
		case OFIELD_HANDLERS:
			miss.nlead = miss.nco = 0;
			break;
		case OFIELD_REPLY_TEXT:
			miss.reply_text = "";
			break;
		case OFIELD_GRADE:
			miss.grade = NULL;
			break;
		case OFIELD_SATISFACTION:
			miss.satisfaction = NULL;
			break;
		case OFIELD_ISSUE:
			miss.issue = NULL;
			break;
		case OFIELD_SENT_TO:
			miss.sent_to = NULL;
			break;
		case OFIELD_INSTRUCTION_BY:
			miss.instruction_by = NULL;
			break;
		case OFIELD_INSTRUCTION_TEXT:
			miss.instruction_text = NULL;
			break;
		default:
			fail_msg("a field bit without a test: %u", bit);
		}
		assert_int_equal(move(&f->sys, id, &miss, &e), ERR_INVALID);
		assert_string_equal(e.code, "required");
		assert_string_equal(e.field, output_field_name(bit));
	}
	/* allowed: the row's move, offered and made */
	{
		const struct output_step *offered[16];
		size_t j, n_offered = output_moves(f->db, &f->sys, &h, offered, 16);
		bool found = false;

		for (j = 0; j < n_offered; j++)
			found |= offered[j] == s;
		/* a reader is offered nothing */
		assert_int_equal(output_moves(f->db, &f->city_guest, &h, offered, 16), 0);
		assert_true(found);
	}
	assert_int_equal(move(&f->sys, id, &m, &e), ERR_OK);
	assert_int_equal(output_head(f->db, id, &h), ERR_OK);
	assert_string_equal(h.state, s->to);
}

static void test_every_row(void **state)
{
	static const int classes[] = {OKIND_PROPOSAL, OKIND_OPINION, OKIND_OTHER};
	size_t i, c;

	(void)state;
	for (i = 0; i < output_nsteps; i++)
		for (c = 0; c < ARRAY_LEN(classes); c++)
			if (output_steps[i].kinds & classes[c])
				walk_row(&output_steps[i], classes[c]);
}

static void test_workflow_rules(void **state)
{
	struct mfix *f = *state;
	struct output_move m;
	struct verr e;
	int64_t lead[1] = {of.handler}, id = make_output("proposal", "规则");
	static const char *const to_evaluated[] = {"submitted", "accepted", "assigned", "replied",
						   "evaluated"};
	size_t i;

	for (i = 0; i < ARRAY_LEN(to_evaluated); i++) {
		full_move(&m, to_evaluated[i], lead);
		m.satisfaction = "satisfied";
		assert_int_equal(move(&f->sys, id, &m, &e), ERR_OK);
	}
	/* a satisfied evaluation cannot reopen handling */
	full_move(&m, "assigned", lead);
	assert_int_equal(move(&f->sys, id, &m, &e), ERR_CONFLICT);
	/* a bad grade, a bad satisfaction, two lead units */
	id = make_output("proposal", "规则二");
	for (i = 0; i < 3; i++) {
		full_move(&m, to_evaluated[i], lead);
		assert_int_equal(move(&f->sys, id, &m, &e), ERR_OK);
	}
	full_move(&m, "replied", lead);
	m.grade = "E";
	assert_int_equal(move(&f->sys, id, &m, &e), ERR_INVALID);
	assert_string_equal(e.field, "grade");
	m.grade = "B";
	assert_int_equal(move(&f->sys, id, &m, &e), ERR_OK);
	full_move(&m, "evaluated", lead);
	m.satisfaction = "meh";
	assert_int_equal(move(&f->sys, id, &m, &e), ERR_INVALID);
	assert_string_equal(e.field, "satisfaction");
	/* a unit of an unrelated body does not exist for this output */
	{
		int64_t foreign, unit[1];

		assert_int_equal(mfix_begin(f), ERR_OK);
		assert_int_equal(mfix_commit(f, handler_create(f->db, &f->sys, f->other.id,
							       "外市局", &foreign, &e)),
				 ERR_OK);
		id = make_output("proposal", "规则三");
		for (i = 0; i < 2; i++) {
			full_move(&m, to_evaluated[i], lead);
			assert_int_equal(move(&f->sys, id, &m, &e), ERR_OK);
		}
		unit[0] = foreign;
		full_move(&m, "assigned", unit);
		assert_int_equal(move(&f->sys, id, &m, &e), ERR_INVALID);
		assert_string_equal(e.field, "handlers");
	}
	/* an opinion report needs its three parts to be submitted */
	{
		struct output_in in;
		int64_t rid;

		output_in_init(&in);
		in.kind = "opinion_report";
		in.title = "缺部分";
		in.body = "只有情况。";
		assert_int_equal(mfix_begin(f), ERR_OK);
		assert_int_equal(
		    mfix_commit(f, output_create(f->db, &f->sys, f->city.id, &in, &rid, &e)),
		    ERR_OK);
		full_move(&m, "submitted", lead);
		assert_int_equal(move(&f->sys, rid, &m, &e), ERR_INVALID);
		assert_string_equal(e.field, "body");
	}
}

/* test_workflow_doc: docs/WORKFLOW.md is what the table renders (run from the top folder,
 * as make check does; SHENLIAO_WRITE_DOCS=1 rewrites the file). */
static void test_workflow_doc(void **state)
{
	struct buf md, file;
	FILE *fp;
	char chunk[4096];
	size_t n;

	(void)state;
	buf_init(&md, 1 << 20);
	buf_init(&file, 1 << 20);
	assert_int_equal(output_workflow_markdown(&md), ERR_OK);
	if (getenv("SHENLIAO_WRITE_DOCS")) {
		fp = fopen("docs/WORKFLOW.md", "w");
		assert_non_null(fp);
		assert_int_equal(fwrite(md.p, 1, md.n, fp), md.n);
		fclose(fp);
	}
	fp = fopen("docs/WORKFLOW.md", "r");
	assert_non_null(fp);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		assert_int_equal(buf_append(&file, chunk, n), ERR_OK);
	fclose(fp);
	assert_string_equal(buf_cstr(&file), buf_cstr(&md));
	buf_fini(&md);
	buf_fini(&file);
}

static void test_authorize(void **state)
{
	struct mfix *f = *state;
	struct output_head h;
	int64_t id = make_output("speech", "授权"), did;
	struct output_move sub;
	struct verr se;
	int role;

	memset(&sub, 0, sizeof(sub));
	sub.to = "submitted";

	assert_int_equal(output_authorize(f->db, &f->city_org, id, AUTHZ_READ, &h, &role), ERR_OK);
	assert_int_equal(h.id, id);
	assert_true(role & OROLE_STAFF);
	assert_int_equal(output_authorize(f->db, &f->city_org, id, AUTHZ_WRITE, &h, &role), ERR_OK);
	/* a draft is its authors' and the staff's: a member of its body does not see it */
	assert_int_equal(output_authorize(f->db, &f->city_member, id, AUTHZ_READ, &h, &role),
			 ERR_NOT_FOUND);
	assert_int_equal(move(&f->sys, id, &sub, &se), ERR_OK);
	/* a reader of its body: read yes, change no */
	assert_int_equal(output_authorize(f->db, &f->city_member, id, AUTHZ_READ, &h, &role),
			 ERR_OK);
	assert_int_equal(output_authorize(f->db, &f->city_member, id, AUTHZ_WRITE, &h, &role),
			 ERR_FORBIDDEN);
	/* the body above sees and manages it; the body below does not see it */
	assert_int_equal(output_authorize(f->db, &f->province_org, id, AUTHZ_WRITE, &h, &role),
			 ERR_OK);
	assert_int_equal(output_authorize(f->db, &f->district_org, id, AUTHZ_READ, &h, &role),
			 ERR_NOT_FOUND);
	/* an unrelated body: as if it did not exist */
	assert_int_equal(output_authorize(f->db, &f->other_org, id, AUTHZ_READ, &h, &role),
			 ERR_NOT_FOUND);
	assert_int_equal(output_authorize(f->db, &f->other_org, id, AUTHZ_WRITE, NULL, NULL),
			 ERR_NOT_FOUND);
	assert_int_equal(output_authorize(f->db, &f->city_org, 999999, AUTHZ_READ, &h, &role),
			 ERR_NOT_FOUND);
	/* anonymous: sign in first, whether or not it exists */
	assert_int_equal(output_authorize(f->db, &f->anon, id, AUTHZ_READ, &h, &role), ERR_AUTH);
	assert_int_equal(output_authorize(f->db, &f->anon, 999999, AUTHZ_READ, &h, &role),
			 ERR_AUTH);
	/* a district's output is seen from the city above */
	{
		struct output_in in;
		struct verr e;

		output_in_init(&in);
		in.kind = "speech";
		in.title = "区里的发言";
		assert_int_equal(mfix_begin(f), ERR_OK);
		assert_int_equal(
		    mfix_commit(f, output_create(f->db, &f->sys, f->district.id, &in, &did, &e)),
		    ERR_OK);
	}
	assert_int_equal(move(&f->sys, did, &sub, &se), ERR_OK);
	assert_int_equal(output_authorize(f->db, &f->city_member, did, AUTHZ_READ, &h, &role),
			 ERR_OK);
	assert_int_equal(output_authorize(f->db, &f->district_org, did, AUTHZ_WRITE, &h, &role),
			 ERR_OK);
	assert_int_equal(output_authorize(f->db, &f->other_org, did, AUTHZ_READ, &h, &role),
			 ERR_NOT_FOUND);
	/* a session's outcomes: an absent session is not found, or sign in first */
	assert_int_equal(session_outcomes_authorize(f->db, &f->city_org, 999999), ERR_NOT_FOUND);
	assert_int_equal(session_outcomes_authorize(f->db, &f->anon, 999999), ERR_AUTH);
}

static void test_adoption(void **state)
{
	struct mfix *f = *state;
	struct adoption_in in = {"policy",     "出台夜班公交办法",	"市交通局", "交〔2024〕1号",
				 "2024-05-01", "https://example.org/a", ""};
	int64_t id = make_output("research_report", "采纳"), aid;
	struct output o;
	struct verr e;
	int rc;

	rc = mfix_begin(f);
	if (!rc)
		rc = adoption_add(f->db, &f->city_org, id, &in, &aid, &e);
	assert_int_equal(mfix_commit(f, rc), ERR_OK);
	assert_int_equal(output_get(f->db, id, &o), ERR_OK);
	assert_int_equal(o.adoption_count, 1);
	assert_int_equal(o.nadoptions, 1);
	assert_string_equal(o.adoptions[0].issuer, "市交通局");
	assert_string_equal(o.adoptions[0].date, "2024-05-01");
	output_release(&o);
	/* refusals: kind, title, date, link; an absent output */
	in.kind = "rumour";
	assert_int_equal(adoption_add(f->db, &f->city_org, id, &in, &aid, &e), ERR_INVALID);
	assert_string_equal(e.field, "kind");
	in.kind = "media";
	in.title = "";
	assert_int_equal(adoption_add(f->db, &f->city_org, id, &in, &aid, &e), ERR_INVALID);
	assert_string_equal(e.field, "title");
	in.title = "报道";
	in.date = "2024-5-1";
	assert_int_equal(adoption_add(f->db, &f->city_org, id, &in, &aid, &e), ERR_INVALID);
	assert_string_equal(e.field, "date");
	in.date = "";
	in.link = "javascript:alert(1)";
	assert_int_equal(adoption_add(f->db, &f->city_org, id, &in, &aid, &e), ERR_INVALID);
	assert_string_equal(e.field, "link");
	assert_int_equal(adoption_check(&in, &e), ERR_INVALID);
	assert_string_equal(e.field, "link");
	in.link = "";
	assert_int_equal(adoption_check(&in, &e), ERR_OK);
	assert_int_equal(adoption_add(f->db, &f->city_org, 999999, &in, &aid, &e), ERR_NOT_FOUND);
}

static void test_confirm(void **state)
{
	struct mfix *f = *state;
	struct output_author_in authors[2];
	struct output_in in;
	struct person p;
	struct verr e;
	struct output o;
	int64_t id;
	size_t i;
	int rc;

	/* the city member is a co-signer through the person linked to its account */
	memset(&p, 0, sizeof(p));
	p.org_id = f->city.id;
	p.user_id = f->city_member.user.id;
	snprintf(p.name, sizeof(p.name), "联名委员");
	snprintf(p.category, sizeof(p.category), "member");
	rc = mfix_begin(f);
	if (!rc)
		rc = person_create(f->db, &f->sys, &p, &e);
	assert_int_equal(mfix_commit(f, rc), ERR_OK);
	authors[0] = (struct output_author_in){of.lead_person, "lead"};
	authors[1] = (struct output_author_in){p.id, "cosigner"};
	output_in_init(&in);
	in.kind = "proposal";
	in.title = "联名";
	in.authors = authors;
	in.nauthors = 2;
	rc = mfix_begin(f);
	if (!rc)
		rc = output_create(f->db, &f->sys, f->city.id, &in, &id, &e);
	assert_int_equal(mfix_commit(f, rc), ERR_OK);
	/* not an author: refused; the co-signer: confirmed */
	assert_int_equal(output_confirm(f->db, &f->city_org, id, &e), ERR_FORBIDDEN);
	assert_int_equal(output_confirm_check(f->db, &f->city_org, id, &e), ERR_FORBIDDEN);
	assert_int_equal(output_confirm_check(f->db, &f->city_member, id, &e), ERR_OK);
	rc = mfix_begin(f);
	if (!rc)
		rc = output_confirm(f->db, &f->city_member, id, &e);
	assert_int_equal(mfix_commit(f, rc), ERR_OK);
	assert_int_equal(output_get(f->db, id, &o), ERR_OK);
	assert_int_equal(o.nauthors, 2);
	for (i = 0; i < o.nauthors; i++)
		assert_true(o.authors[i].confirmed);
	output_release(&o);
	/* after the deadline it is too late */
	in.cosign_deadline = 1000000000; /* 2001 */
	rc = mfix_begin(f);
	if (!rc)
		rc = output_create(f->db, &f->sys, f->city.id, &in, &id, &e);
	assert_int_equal(mfix_commit(f, rc), ERR_OK);
	assert_int_equal(output_confirm(f->db, &f->city_member, id, &e), ERR_CONFLICT);
	assert_string_equal(e.code, "deadline_passed");
	assert_int_equal(output_confirm_check(f->db, &f->city_member, id, &e), ERR_CONFLICT);
}

static void test_handlers(void **state)
{
	struct mfix *f = *state;
	struct handler h;
	struct verr e;
	int64_t id;

	assert_int_equal(handler_get(f->db, of.handler, &h), ERR_OK);
	assert_string_equal(h.name, "市测试局");
	assert_int_equal(h.org_id, f->city.id);
	assert_string_equal(h.org_path, f->city.path);
	assert_int_equal(handler_get(f->db, 999999, &h), ERR_NOT_FOUND);
	/* lists: the city's units for the city, none of them for the unrelated city */
	{
		struct handler_list l;
		size_t i;
		bool found = false;

		assert_int_equal(handler_list(f->db, &f->city_org, &l), ERR_OK);
		for (i = 0; i < l.n; i++)
			found |= l.items[i].id == of.handler;
		assert_true(found);
		handler_list_release(&l);
		assert_int_equal(handler_list(f->db, &f->other_org, &l), ERR_OK);
		for (i = 0; i < l.n; i++)
			assert_int_not_equal(l.items[i].id, of.handler);
		handler_list_release(&l);
		assert_int_equal(handler_list(f->db, &f->anon, &l), ERR_OK);
		assert_int_equal(l.n, 0);
		handler_list_release(&l);
	}
	/* names resolve among the units the caller may see, read-only */
	assert_int_equal(handler_resolve(f->db, &f->city_org, "市测试局", &id, &e), ERR_OK);
	assert_int_equal(id, of.handler);
	assert_int_equal(handler_resolve(f->db, &f->city_org, "新的局", &id, &e), ERR_OK);
	assert_int_equal(id, 0);
	assert_int_equal(handler_resolve(f->db, &f->other_org, "市测试局", &id, &e), ERR_OK);
	assert_int_equal(id, 0); /* another body's unit is not found by name */
	assert_int_equal(handler_resolve(f->db, &f->city_org, "", &id, &e), ERR_INVALID);
	assert_string_equal(e.field, "handlers");
	/* the same name twice in a body */
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, handler_create(f->db, &f->sys, f->city.id, "市测试局", &id, &e)),
	    ERR_CONFLICT);
	assert_string_equal(e.field, "name");
	assert_int_equal(handler_create(f->db, &f->sys, f->city.id, NULL, &id, &e), ERR_INVALID);
}

static int64_t count_of(const struct stats_counts *c, const char *key)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->v[i].key, key) == 0)
			return c->v[i].n;
	return -1;
}

/* test_stats: a tiny dataset of its own (the unrelated city, the year 2023) */
static void test_stats(void **state)
{
	struct mfix *f = *state;
	struct adoption_in ad = {"department", "部门采纳", "", "", "2023-06-01", "", ""};
	struct stats_query q;
	struct output_in in;
	struct verr e;
	int64_t ids[3], aid, y0, y1;
	static const char *const kinds[] = {"speech", "speech", "research_report"};
	struct stats s;
	size_t i;
	int rc;

	assert_int_equal(time_parse("2023-01-01", &y0), ERR_OK);
	assert_int_equal(time_parse("2024-01-01", &y1), ERR_OK);
	for (i = 0; i < 3; i++) {
		output_in_init(&in);
		in.kind = kinds[i];
		in.title = "统计";
		in.dated_at = y0 + 86400 * 40 * (int64_t)(i + 1);
		rc = mfix_begin(f);
		if (!rc)
			rc = output_create(f->db, &f->sys, f->other.id, &in, &ids[i], &e);
		assert_int_equal(mfix_commit(f, rc), ERR_OK);
	}
	rc = mfix_begin(f);
	if (!rc)
		rc = adoption_add(f->db, &f->sys, ids[2], &ad, &aid, &e);
	assert_int_equal(mfix_commit(f, rc), ERR_OK);
	memset(&q, 0, sizeof(q));
	q.from = y0;
	q.to = y1;
	q.org = &f->other;
	q.lang = "zh";
	assert_int_equal(stats_compute(f->db, &q, &s), ERR_OK);
	assert_int_equal(s.outputs_total, 3);
	assert_int_equal(count_of(&s.outputs, "speech"), 2);
	assert_int_equal(count_of(&s.outputs, "research_report"), 1);
	assert_int_equal(count_of(&s.outputs, "proposal"), 0); /* listed, at zero */
	assert_int_equal(count_of(&s.outputs_by_state, "draft"), 3);
	assert_int_equal(s.adopted, 1);
	assert_int_equal(count_of(&s.adoptions_by_kind, "department"), 1);
	assert_int_equal(s.sessions, 0);
	assert_false(s.filing_rate.present); /* no proposals: no rate */
	assert_int_equal(s.by_month[0], 0);
	assert_int_equal(s.nby_org, 1);
	assert_int_equal(s.by_org[0].id, f->other.id);
	assert_int_equal(s.by_org[0].outputs, 3);
	assert_int_equal(s.by_org[0].adopted, 1);
	stats_release(&s);
	/* the same again: from the cache, the same figures */
	assert_int_equal(stats_compute(f->db, &q, &s), ERR_OK);
	assert_int_equal(s.outputs_total, 3);
	assert_string_equal(s.org_name, f->other.name);
	stats_release(&s);
	/* the year after: nothing */
	q.from = y1;
	q.to = y1 + 365 * 86400;
	assert_int_equal(stats_compute(f->db, &q, &s), ERR_OK);
	assert_int_equal(s.outputs_total, 0);
	stats_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_create),	   cmocka_unit_test(test_every_row),
	    cmocka_unit_test(test_workflow_rules), cmocka_unit_test(test_workflow_doc),
	    cmocka_unit_test(test_authorize),	   cmocka_unit_test(test_adoption),
	    cmocka_unit_test(test_confirm),	   cmocka_unit_test(test_handlers),
	    cmocka_unit_test(test_stats),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
