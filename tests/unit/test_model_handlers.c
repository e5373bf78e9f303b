/*
 * test_model_handlers.c - handling units by id (handler_authorize, rename, disable, merge),
 * a unit's queue (assignment_list: overdue first, keyset pages), co-handlers' opinions and
 * the organizers' commitments list, against a real temporary database.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "model/output.h"
#include "session_fixture.h"

#include "base/util.h"

static int64_t lead_person;
static int64_t unit_a, unit_b, unit_province; /* city, city, province */
static struct actor acc_a, acc_b;	      /* the accounts of unit_a and unit_b */

/* unit_account makes an account of org for handling unit id and its actor. */
static int unit_account(struct mfix *f, const char *username, int64_t unit, struct actor *a)
{
	struct user before, u;
	struct verr e;
	int rc;

	if (mfix_actor(f, &f->city, username, "guest", a))
		return -1;
	before = a->user;
	u = before;
	u.handler_id = unit;
	rc = mfix_begin(f);
	if (!rc)
		rc = user_update(f->db, &f->sys, &before, &u, NULL, &e);
	if (mfix_commit(f, rc))
		return -1;
	a->user.handler_id = unit;
	return 0;
}

static int group_setup(void **state)
{
	struct mfix *f;
	struct verr e;
	int rc;

	if (mfix_setup(state))
		return -1;
	f = *state;
	lead_person = sfix_person(f, &f->city, "领衔委员", "member", NULL);
	rc = mfix_begin(f);
	if (!rc)
		rc = handler_create(f->db, &f->sys, f->city.id, "市甲局", &unit_a, &e);
	if (!rc)
		rc = handler_create(f->db, &f->sys, f->city.id, "市乙局", &unit_b, &e);
	if (!rc)
		rc = handler_create(f->db, &f->sys, f->province.id, "省丙厅", &unit_province, &e);
	if (mfix_commit(f, rc))
		return -1;
	if (unit_account(f, "unit-a", unit_a, &acc_a) || unit_account(f, "unit-b", unit_b, &acc_b))
		return -1;
	return 0;
}

/* assigned makes a proposal of the city and moves it to assigned: lead, co (0: none), due. */
static int64_t assigned(struct mfix *f, const char *title, int64_t lead, int64_t co, int64_t due)
{
	static const char *const path[] = {"submitted", "accepted", "assigned"};
	struct output_author_in author = {lead_person, "lead"};
	struct output_move m;
	struct output_in in;
	struct verr e = {0};
	int64_t id = 0;
	size_t i;
	int rc;

	output_in_init(&in);
	in.kind = "proposal";
	in.title = title;
	in.body = "提案正文";
	in.authors = &author;
	in.nauthors = 1;
	rc = mfix_begin(f);
	if (!rc)
		rc = output_create(f->db, &f->sys, f->city.id, &in, &id, &e);
	for (i = 0; !rc && i < ARRAY_LEN(path); i++) {
		memset(&m, 0, sizeof(m));
		m.to = path[i];
		m.lead_handlers = &lead;
		m.nlead = 1;
		m.co_handlers = &co;
		m.nco = co ? 1 : 0;
		m.reply_due = due;
		rc = output_transition(f->db, &f->sys, id, &m, &e);
	}
	sfix_check(mfix_commit(f, rc), &e, "assigned output");
	return id;
}

static int reply(struct mfix *f, const struct actor *a, int64_t id, struct verr *e)
{
	struct output_move m;
	int rc;

	memset(&m, 0, sizeof(m));
	m.to = "replied";
	m.reply_text = "已办理。";
	m.grade = "A";
	rc = mfix_begin(f);
	if (!rc)
		rc = output_transition(f->db, a, id, &m, e);
	return mfix_commit(f, rc);
}

static int opine(struct mfix *f, const struct actor *a, int64_t id, const char *text,
		 struct verr *e)
{
	struct output_head h;
	int rc = output_head(f->db, id, &h);

	if (!rc)
		rc = mfix_begin(f);
	if (!rc)
		rc = mfix_commit(f, output_co_opinion(f->db, a, &h, text, e));
	return rc;
}

static void test_authorize(void **state)
{
	struct mfix *f = *state;
	struct handler h;

	assert_int_equal(handler_authorize(f->db, &f->city_org, unit_a, AUTHZ_WRITE, &h), ERR_OK);
	assert_string_equal(h.name, "市甲局");
	assert_false(h.disabled);
	assert_int_equal(handler_authorize(f->db, &f->city_admin, unit_a, AUTHZ_WRITE, NULL),
			 ERR_OK);
	assert_int_equal(handler_authorize(f->db, &f->province_org, unit_a, AUTHZ_WRITE, NULL),
			 ERR_OK); /* a body above */
	assert_int_equal(handler_authorize(f->db, &f->city_member, unit_a, AUTHZ_READ, NULL),
			 ERR_OK);
	assert_int_equal(handler_authorize(f->db, &f->city_member, unit_a, AUTHZ_WRITE, NULL),
			 ERR_FORBIDDEN);
	assert_int_equal(handler_authorize(f->db, &f->district_org, unit_a, AUTHZ_WRITE, NULL),
			 ERR_FORBIDDEN); /* sees the city's units, may not change them */
	assert_int_equal(handler_authorize(f->db, &f->city_org, unit_province, AUTHZ_WRITE, NULL),
			 ERR_FORBIDDEN);
	assert_int_equal(handler_authorize(f->db, &f->other_org, unit_a, AUTHZ_READ, NULL),
			 ERR_NOT_FOUND);
	assert_int_equal(handler_authorize(f->db, &f->anon, unit_a, AUTHZ_READ, NULL), ERR_AUTH);
	assert_int_equal(handler_authorize(f->db, &acc_a, unit_a, AUTHZ_READ, NULL), ERR_OK);
	assert_int_equal(handler_authorize(f->db, &acc_a, unit_a, AUTHZ_WRITE, NULL),
			 ERR_FORBIDDEN);
	assert_int_equal(handler_authorize(f->db, &acc_a, unit_b, AUTHZ_READ, NULL),
			 ERR_NOT_FOUND); /* a unit's account sees its own unit only */
	assert_int_equal(handler_authorize(f->db, &f->city_org, 999999, AUTHZ_READ, NULL),
			 ERR_NOT_FOUND);
}

static void test_rename_disable(void **state)
{
	struct mfix *f = *state;
	struct handler h, now;
	struct output_move m;
	struct verr e = {0};
	int64_t id = 0;
	int rc;

	rc = mfix_begin(f);
	if (!rc)
		rc = handler_create(f->db, &f->sys, f->city.id, "市丁局", &id, &e);
	assert_int_equal(mfix_commit(f, rc), ERR_OK);
	assert_int_equal(handler_get(f->db, id, &h), ERR_OK);
	/* a taken name, an empty one */
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, handler_update(f->db, &f->city_org, &h, "市甲局", -1, &e)),
			 ERR_CONFLICT);
	assert_string_equal(e.code, "conflict");
	assert_string_equal(e.field, "name");
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, handler_update(f->db, &f->city_org, &h, "", -1, &e)),
			 ERR_INVALID);
	assert_string_equal(e.field, "name");
	/* rename */
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, handler_update(f->db, &f->city_org, &h, "市丁局（新）", -1, &e)),
	    ERR_OK);
	assert_int_equal(handler_get(f->db, id, &now), ERR_OK);
	assert_string_equal(now.name, "市丁局（新）");
	assert_false(now.disabled);
	/* disable: refused for a new assignment */
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, handler_update(f->db, &f->city_org, &now, NULL, 1, &e)),
			 ERR_OK);
	assert_int_equal(handler_get(f->db, id, &now), ERR_OK);
	assert_true(now.disabled);
	assert_string_equal(now.name, "市丁局（新）");
	{
		static const char *const path[] = {"submitted", "accepted"};
		struct output_author_in author = {lead_person, "lead"};
		struct output_in in;
		int64_t p = 0;
		size_t i;

		output_in_init(&in);
		in.kind = "proposal";
		in.title = "停用后交办";
		in.authors = &author;
		in.nauthors = 1;
		rc = mfix_begin(f);
		if (!rc)
			rc = output_create(f->db, &f->sys, f->city.id, &in, &p, &e);
		for (i = 0; !rc && i < ARRAY_LEN(path); i++) {
			memset(&m, 0, sizeof(m));
			m.to = path[i];
			rc = output_transition(f->db, &f->sys, p, &m, &e);
		}
		assert_int_equal(mfix_commit(f, rc), ERR_OK);
		memset(&m, 0, sizeof(m));
		m.to = "assigned";
		m.lead_handlers = &id;
		m.nlead = 1;
		assert_int_equal(mfix_begin(f), ERR_OK);
		assert_int_equal(mfix_commit(f, output_transition(f->db, &f->city_org, p, &m, &e)),
				 ERR_INVALID);
		assert_string_equal(e.code, "disabled");
		assert_string_equal(e.field, "handlers");
	}
	/* enabled again */
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, handler_update(f->db, &f->city_org, &now, NULL, 0, &e)),
			 ERR_OK);
	assert_int_equal(handler_get(f->db, id, &now), ERR_OK);
	assert_false(now.disabled);
}

static bool queue_has(const struct assignment_list *l, int64_t id, const char *role)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->items[i].output_id == id && strcmp(l->items[i].role, role) == 0)
			return true;
	return false;
}

static void test_queue(void **state)
{
	struct mfix *f = *state;
	struct assignment_key k = {0};
	struct assignment_list l, p;
	int64_t late = assigned(f, "逾期件", unit_a, unit_b, time_now() - 86400);
	int64_t soon = assigned(f, "近期件", unit_a, 0, time_now() + 10 * 86400);
	int64_t later = assigned(f, "远期件", unit_b, unit_a, time_now() + 40 * 86400);
	int64_t seen[64];
	size_t i, n = 0, pos_late = 99, pos_soon = 99, pos_later = 99;

	assert_int_equal(assignment_list(f->db, &acc_a, &k, 500, &l), ERR_OK);
	for (i = 0; i < l.n; i++) {
		if (l.items[i].output_id == late)
			pos_late = i;
		if (l.items[i].output_id == soon)
			pos_soon = i;
		if (l.items[i].output_id == later)
			pos_later = i;
		if (i > 0) /* overdue first, then by due date */
			assert_true(l.items[i - 1].overdue > l.items[i].overdue ||
				    (l.items[i - 1].overdue == l.items[i].overdue &&
				     l.items[i - 1].reply_due <= l.items[i].reply_due));
	}
	assert_true(pos_late < pos_soon && pos_soon < pos_later);
	assert_true(l.items[pos_late].overdue);
	assert_string_equal(l.items[pos_late].role, "lead");
	assert_string_equal(l.items[pos_later].role, "co");
	assert_string_equal(l.items[pos_later].lead_name, "市乙局");
	assert_int_equal(l.items[pos_later].lead_id, unit_b);
	assert_false(l.items[pos_soon].overdue);
	assert_false(l.items[pos_late].replied);
	/* keyset pages of two give the same items in the same order */
	memset(&k, 0, sizeof(k));
	for (;;) {
		assert_int_equal(assignment_list(f->db, &acc_a, &k, 2, &p), ERR_OK);
		for (i = 0; i < p.n && n < ARRAY_LEN(seen); i++)
			seen[n++] = p.items[i].output_id;
		if (p.n < 2) {
			assignment_list_release(&p);
			break;
		}
		k.set = true;
		k.overdue = p.items[p.n - 1].overdue;
		k.due = p.items[p.n - 1].reply_due;
		k.id = p.items[p.n - 1].output_id;
		assignment_list_release(&p);
	}
	assert_int_equal(n, l.n);
	for (i = 0; i < n; i++)
		assert_int_equal(seen[i], l.items[i].output_id);
	assignment_list_release(&l);
	/* the co unit sees it as co; an account of no unit, and anonymous, none */
	memset(&k, 0, sizeof(k));
	assert_int_equal(assignment_list(f->db, &acc_b, &k, 500, &l), ERR_OK);
	assert_true(queue_has(&l, late, "co"));
	assert_true(queue_has(&l, later, "lead"));
	assert_false(queue_has(&l, soon, "co") || queue_has(&l, soon, "lead"));
	assignment_list_release(&l);
	assert_int_equal(assignment_list(f->db, &f->city_org, &k, 500, &l), ERR_OK);
	assert_int_equal(l.n, 0);
	assignment_list_release(&l);
	assert_int_equal(assignment_list(f->db, &f->anon, &k, 500, &l), ERR_OK);
	assert_int_equal(l.n, 0);
	assignment_list_release(&l);
}

static void test_co_opinion(void **state)
{
	struct mfix *f = *state;
	struct assignment_key k = {0};
	struct assignment_list l;
	struct output o;
	struct verr e = {0};
	int64_t id = assigned(f, "有协办意见", unit_a, unit_b, time_now() + 86400);
	size_t i;
	bool found = false;

	assert_int_equal(opine(f, &acc_a, id, "主办", &e), ERR_FORBIDDEN); /* the lead */
	assert_int_equal(opine(f, &f->city_org, id, "组织者", &e), ERR_FORBIDDEN);
	assert_int_equal(opine(f, &f->other_org, id, "外市", &e), ERR_NOT_FOUND);
	assert_int_equal(opine(f, &f->anon, id, "匿名", &e), ERR_AUTH);
	assert_int_equal(opine(f, &acc_b, id, "", &e), ERR_INVALID);
	assert_string_equal(e.field, "text");
	assert_int_equal(opine(f, &acc_b, id, NULL, &e), ERR_INVALID);
	assert_int_equal(opine(f, &acc_b, id, "第一稿意见", &e), ERR_OK);
	assert_int_equal(opine(f, &acc_b, id, "建议加强部门协同。", &e), ERR_OK); /* replaced */
	/* the lead and the organizer read it on the output; an unrelated author would not */
	assert_int_equal(output_read(f->db, &acc_a, id, &o), ERR_OK);
	for (i = 0; i < o.nunits; i++)
		if (o.units[i].id == unit_b) {
			assert_string_equal(o.units[i].opinion, "建议加强部门协同。");
			assert_true(o.units[i].opinion_at > 0);
			found = true;
		}
	assert_true(found);
	output_release(&o);
	assert_int_equal(output_read(f->db, &f->city_guest, id, &o), ERR_OK);
	for (i = 0; i < o.nunits; i++)
		assert_string_equal(o.units[i].opinion, "");
	output_release(&o);
	/* in the lead's queue, once */
	assert_int_equal(assignment_list(f->db, &acc_a, &k, 500, &l), ERR_OK);
	for (i = 0; i < l.n; i++)
		if (l.items[i].output_id == id) {
			assert_int_equal(l.items[i].nopinions, 1);
			assert_string_equal(l.items[i].opinions[0].text, "建议加强部门协同。");
			assert_string_equal(l.items[i].opinions[0].name, "市乙局");
		}
	assignment_list_release(&l);
	/* after the lead's reply: too late */
	assert_int_equal(reply(f, &acc_a, id, &e), ERR_OK);
	assert_int_equal(opine(f, &acc_b, id, "晚了", &e), ERR_CONFLICT);
	assert_string_equal(e.code, "not_assigned");
}

static void test_merge(void **state)
{
	struct mfix *f = *state;
	struct handler from, into, now, off;
	struct actor acc_from;
	struct assignment_key k = {0};
	struct assignment_list l;
	struct output o;
	struct user u;
	struct verr e = {0};
	int64_t from_id = 0, off_id = 0, only, both;
	int rc;

	rc = mfix_begin(f);
	if (!rc)
		rc = handler_create(f->db, &f->sys, f->city.id, "市旧局", &from_id, &e);
	if (!rc)
		rc = handler_create(f->db, &f->sys, f->city.id, "市停局", &off_id, &e);
	assert_int_equal(mfix_commit(f, rc), ERR_OK);
	assert_int_equal(unit_account(f, "unit-old", from_id, &acc_from), 0);
	only = assigned(f, "只给旧局", from_id, 0, 0);
	both = assigned(f, "两局都在", from_id, unit_b, 0);
	assert_int_equal(opine(f, &acc_b, both, "乙局意见", &e), ERR_OK);
	assert_int_equal(handler_get(f->db, from_id, &from), ERR_OK);
	assert_int_equal(handler_get(f->db, off_id, &off), ERR_OK);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, handler_update(f->db, &f->city_org, &off, NULL, 1, &e)),
			 ERR_OK);
	/* refused: into itself, into a missing or foreign unit, into a disabled one */
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, handler_merge(f->db, &f->city_org, &from, from_id, &e)),
			 ERR_INVALID);
	assert_string_equal(e.field, "into_id");
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, handler_merge(f->db, &f->city_org, &from, 999999, &e)),
			 ERR_INVALID);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, handler_merge(f->db, &f->city_org, &from, unit_province, &e)),
	    ERR_INVALID); /* above: the city's organizer may not change it */
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, handler_merge(f->db, &f->city_org, &from, off_id, &e)),
			 ERR_CONFLICT);
	assert_string_equal(e.code, "disabled");
	/* merged into unit_b: assignments and the account move, the old unit is disabled */
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, handler_merge(f->db, &f->city_org, &from, unit_b, &e)),
			 ERR_OK);
	assert_int_equal(handler_get(f->db, from_id, &now), ERR_OK);
	assert_true(now.disabled);
	assert_int_equal(now.merged_into, unit_b);
	assert_int_equal(output_get(f->db, only, &o), ERR_OK);
	assert_int_equal(o.nunits, 1);
	assert_int_equal(o.units[0].id, unit_b);
	assert_string_equal(o.units[0].role, "lead");
	output_release(&o);
	assert_int_equal(output_get(f->db, both, &o), ERR_OK);
	assert_int_equal(o.nunits, 1); /* one row: the lead role kept, the opinion too */
	assert_int_equal(o.units[0].id, unit_b);
	assert_string_equal(o.units[0].role, "lead");
	output_release(&o);
	assert_int_equal(user_get(f->db, acc_from.user.id, &u), ERR_OK);
	assert_int_equal(u.handler_id, unit_b);
	acc_from.user.handler_id = u.handler_id; /* as its next sign-in reads it */
	assert_int_equal(assignment_list(f->db, &acc_from, &k, 500, &l), ERR_OK);
	assert_true(queue_has(&l, only, "lead"));
	assert_true(queue_has(&l, both, "lead"));
	assignment_list_release(&l);
	/* merged once: not again, not enabled again */
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, handler_merge(f->db, &f->city_org, &now, unit_a, &e)),
			 ERR_CONFLICT);
	assert_string_equal(e.code, "merged");
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, handler_update(f->db, &f->city_org, &now, NULL, 0, &e)),
			 ERR_CONFLICT);
	assert_int_equal(handler_get(f->db, unit_b, &into), ERR_OK);
	assert_false(into.disabled);
}

static bool listed(const struct commitment_list *l, int64_t id)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->items[i].c.id == id)
			return true;
	return false;
}

static void test_commitments(void **state)
{
	struct mfix *f = *state;
	struct commitment_list l;
	struct verr e = {0};
	int64_t topic = sfix_topic(f, &f->city, "承诺跟踪议题");
	int64_t s = sfix_session(f, &f->city_org, &f->city, topic, "对口聊", "internal",
				 FORMAT_COUNTERPART);
	int64_t ds =
	    sfix_session(f, &f->district_org, &f->district, sfix_topic(f, &f->district, "区议题"),
			 "区对口聊", "internal", FORMAT_COUNTERPART);
	int64_t late = 0, open = 0, done = 0, dist = 0, after = 0;
	int rc;

	rc = mfix_begin(f);
	if (!rc)
		rc = commitment_add(f->db, &f->sys, s, "市甲局", 0, "逾期承诺", "2020-01-31", &late,
				    &e);
	if (!rc)
		rc = commitment_add(f->db, &f->sys, s, "市甲局", 0, "未到期承诺", "2099-01-31",
				    &open, &e);
	if (!rc)
		rc = commitment_add(f->db, &f->sys, s, "市甲局", 0, "已办承诺", "2020-02-01", &done,
				    &e);
	if (!rc)
		rc = commitment_set_status(f->db, &f->sys, done, "done", &e);
	if (!rc)
		rc = commitment_add(f->db, &f->sys, ds, "区乙局", 0, "区里的承诺", "2020-03-01",
				    &dist, &e);
	sfix_check(mfix_commit(f, rc), &e, "commitments");
	/* the city's organizer: the city's and the district's; overdue: open and past due */
	assert_int_equal(commitment_list(f->db, &f->city_org, false, 0, 500, &l), ERR_OK);
	assert_true(listed(&l, late) && listed(&l, open) && listed(&l, done) && listed(&l, dist));
	for (size_t i = 0; i < l.n; i++)
		if (l.items[i].c.id == late) {
			assert_int_equal(l.items[i].session_id, s);
			assert_string_equal(l.items[i].session_title, "对口聊");
			assert_string_equal(l.items[i].c.due_date, "2020-01-31");
			assert_string_equal(l.items[i].c.status, "open");
			assert_true(l.items[i].overdue);
		}
	commitment_list_release(&l);
	assert_int_equal(commitment_list(f->db, &f->city_org, true, 0, 500, &l), ERR_OK);
	assert_true(listed(&l, late) && listed(&l, dist));
	assert_false(listed(&l, open) || listed(&l, done));
	commitment_list_release(&l);
	/* pages by id */
	assert_int_equal(commitment_list(f->db, &f->city_org, false, 0, 1, &l), ERR_OK);
	assert_int_equal(l.n, 1);
	after = l.items[0].c.id;
	commitment_list_release(&l);
	assert_int_equal(commitment_list(f->db, &f->city_org, false, after, 500, &l), ERR_OK);
	assert_true(l.n >= 3);
	assert_true(l.items[0].c.id > after);
	commitment_list_release(&l);
	/* the district sees only its own; another city and anonymous callers nothing */
	assert_int_equal(commitment_list(f->db, &f->district_org, false, 0, 500, &l), ERR_OK);
	assert_true(listed(&l, dist));
	assert_false(listed(&l, late));
	commitment_list_release(&l);
	assert_int_equal(commitment_list(f->db, &f->other_org, false, 0, 500, &l), ERR_OK);
	assert_int_equal(l.n, 0);
	commitment_list_release(&l);
	/* anonymous callers must sign in, members may not read the staff's list */
	assert_int_equal(commitment_list(f->db, &f->anon, false, 0, 500, &l), ERR_AUTH);
	assert_int_equal(l.n, 0);
	commitment_list_release(&l);
	assert_int_equal(commitment_list(f->db, &f->city_member, false, 0, 500, &l), ERR_FORBIDDEN);
	commitment_list_release(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_authorize), cmocka_unit_test(test_rename_disable),
	    cmocka_unit_test(test_queue),     cmocka_unit_test(test_co_opinion),
	    cmocka_unit_test(test_merge),     cmocka_unit_test(test_commitments),
	};

	return cmocka_run_group_tests_name("model_handlers", tests, group_setup, mfix_teardown);
}
