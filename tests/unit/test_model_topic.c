/*
 * test_model_topic.c - topics, domains and work rules through the model alone (no HTTP),
 * against a real temporary SQLite file: the pipeline, validation naming the field, the one
 * authorization rule (foreign body, anonymous, member), domains a body adds for those below
 * it, and rules inherited from the body above.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/util.h"
#include "model_fixture.h"
#include "model/topic.h"

static int group_setup(void **state)
{
	return mfix_setup(state);
}

/* make_topic creates a topic in org as who (committed) and returns its id. */
static int64_t make_topic(struct mfix *f, const struct actor *who, const struct org *org,
			  const char *title)
{
	struct topic_in in;
	struct verr e;
	int64_t id = 0;

	topic_in_init(&in);
	in.title = title;
	in.domain = "society";
	in.origin = "member";
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, topic_create(f->db, who, org->id, &in, &id, &e)), ERR_OK);
	assert_true(id > 0);
	return id;
}

static bool listed(const struct topics *l, int64_t id)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].id == id)
			return true;
	return false;
}

static void test_create_get_list_update(void **state)
{
	struct mfix *f = *state;
	struct topic_filter all = {0, NULL, NULL}, culture = {2025, "culture", "proposed"};
	struct topics l = {0};
	struct topic_in in;
	struct topic t;
	struct verr e;
	int64_t id;

	topic_in_init(&in);
	in.title = "城市更新中的历史街区保护";
	in.description = "**保护**与发展";
	in.domain = "culture";
	in.origin = "assigned";
	in.plan_year = 2025;
	in.plan_month = 3;
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, topic_create(f->db, &f->city_org, f->city.id, &in, &id, &e)), ERR_OK);

	assert_int_equal(topic_get(f->db, id, &t), ERR_OK);
	assert_string_equal(t.title, "城市更新中的历史街区保护");
	assert_string_equal(t.description, "**保护**与发展");
	assert_string_equal(t.domain, "culture");
	assert_string_equal(t.origin, "assigned");
	assert_string_equal(t.status, "proposed");
	assert_string_equal(t.proposer, "");
	assert_int_equal(t.proposer_id, 0);
	assert_int_equal(t.plan_year, 2025);
	assert_int_equal(t.plan_month, 3);
	assert_int_equal(t.org_id, f->city.id);
	assert_string_equal(t.org_path, f->city.path);
	assert_int_equal(t.sessions, 0);
	assert_true(t.created_at > 0);
	topic_release(&t);
	assert_null(t.title);
	assert_int_equal(topic_get(f->db, 999999, &t), ERR_NOT_FOUND);
	topic_release(&t); /* empty: nothing to free */

	/* the filter, the scope (the province's organizer sees the city's; another city not) */
	assert_int_equal(topic_list(f->db, &f->city_org, &culture, 0, 500, &l), ERR_OK);
	assert_true(listed(&l, id));
	topics_release(&l);
	assert_int_equal(topic_list(f->db, &f->province_org, &all, 0, 500, &l), ERR_OK);
	assert_true(listed(&l, id));
	topics_release(&l);
	assert_int_equal(topic_list(f->db, &f->other_org, &all, 0, 500, &l), ERR_OK);
	assert_false(listed(&l, id));
	topics_release(&l);
	assert_int_equal(topic_list(f->db, &f->district_org, &all, 0, 500, &l), ERR_OK);
	assert_false(listed(&l, id));
	topics_release(&l);
	assert_int_equal(topic_list(f->db, &f->anon, &all, 0, 500, &l), ERR_OK);
	assert_int_equal(l.n, 0);
	topics_release(&l);
	/* after and limit page through in id order */
	assert_int_equal(topic_list(f->db, &f->city_org, &all, id - 1, 1, &l), ERR_OK);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].id, id);
	topics_release(&l);

	/* an update changes only what it gives */
	topic_in_init(&in);
	in.title = "历史街区保护与活化";
	in.plan_month = 0;
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, topic_update(f->db, &f->city_org, id, &in, &e)), ERR_OK);
	assert_int_equal(topic_get(f->db, id, &t), ERR_OK);
	assert_string_equal(t.title, "历史街区保护与活化");
	assert_string_equal(t.domain, "culture");
	assert_string_equal(t.description, "**保护**与发展");
	assert_int_equal(t.plan_year, 2025);
	assert_int_equal(t.plan_month, 0);
	topic_release(&t);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, topic_update(f->db, &f->city_org, 999999, &in, &e)),
			 ERR_NOT_FOUND);
}

static void test_pipeline(void **state)
{
	struct mfix *f = *state;
	int64_t id = make_topic(f, &f->city_org, &f->city, "流程测试");
	const char *to[8];
	struct topic t;
	struct verr e;
	size_t n;

	/* proposed -> concluded is not a move of the pipeline */
	memset(&e, 0, sizeof(e));
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, topic_transition(f->db, &f->city_org, id, "concluded", &e)),
			 ERR_CONFLICT);
	assert_string_equal(e.code, "illegal_transition");
	assert_string_equal(e.field, "to");
	assert_int_equal(topic_check_move("proposed", "bogus", &e), ERR_CONFLICT);
	assert_int_equal(topic_check_move("proposed", "approved", &e), ERR_OK);

	n = topic_moves_from("proposed", to, ARRAY_LEN(to));
	assert_int_equal(n, 2);
	assert_string_equal(to[0], "approved");
	assert_string_equal(to[1], "rejected");
	assert_int_equal(topic_moves_from("concluded", to, ARRAY_LEN(to)), 0);

	/* proposed -> rejected -> proposed -> approved -> scheduled -> concluded */
	static const char *const path[] = {"rejected", "proposed", "approved", "scheduled",
					   "concluded"};
	for (n = 0; n < ARRAY_LEN(path); n++) {
		assert_int_equal(mfix_begin(f), ERR_OK);
		assert_int_equal(
		    mfix_commit(f, topic_transition(f->db, &f->city_org, id, path[n], &e)), ERR_OK);
		assert_int_equal(topic_get(f->db, id, &t), ERR_OK);
		assert_string_equal(t.status, path[n]);
		topic_release(&t);
	}
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, topic_transition(f->db, &f->city_org, id, "approved", &e)),
			 ERR_CONFLICT);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, topic_transition(f->db, &f->city_org, 999999, "approved", &e)),
	    ERR_NOT_FOUND);
}

static void test_validation(void **state)
{
	struct mfix *f = *state;
	struct topic_filter all = {0, NULL, NULL};
	struct topics before = {0}, after = {0};
	char long_title[202];
	struct topic_in in;
	struct topic t;
	struct verr e;
	int64_t id = 0;

	assert_int_equal(topic_list(f->db, &f->sys, &all, 0, 2000, &before), ERR_OK);

	/* missing title: ERR_INVALID naming it, from the check and from the writer alike */
	topic_in_init(&in);
	in.domain = "society";
	in.origin = "member";
	memset(&e, 0, sizeof(e));
	assert_int_equal(topic_check(f->db, f->city.id, NULL, &in, &e), ERR_INVALID);
	assert_string_equal(e.field, "title");
	assert_string_equal(e.code, "required");
	memset(&e, 0, sizeof(e));
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, topic_create(f->db, &f->city_org, f->city.id, &in, &id, &e)),
	    ERR_INVALID);
	assert_string_equal(e.field, "title");

	/* an empty title, one too long */
	in.title = "";
	assert_int_equal(topic_check(f->db, f->city.id, NULL, &in, &e), ERR_INVALID);
	assert_string_equal(e.field, "title");
	memset(long_title, 'x', 201);
	long_title[201] = '\0';
	in.title = long_title;
	assert_int_equal(topic_check(f->db, f->city.id, NULL, &in, &e), ERR_INVALID);
	assert_string_equal(e.field, "title");
	long_title[200] = '\0';
	assert_int_equal(topic_check(f->db, f->city.id, NULL, &in, &e), ERR_OK);

	/* unknown domain, origin, plan */
	in.title = "x";
	in.domain = "sports";
	memset(&e, 0, sizeof(e));
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, topic_create(f->db, &f->city_org, f->city.id, &in, &id, &e)),
	    ERR_INVALID);
	assert_string_equal(e.field, "domain");
	in.domain = "society";
	in.origin = "mayor";
	assert_int_equal(topic_check(f->db, f->city.id, NULL, &in, &e), ERR_INVALID);
	assert_string_equal(e.field, "origin");
	in.origin = "member";
	in.plan_month = 13;
	assert_int_equal(topic_check(f->db, f->city.id, NULL, &in, &e), ERR_INVALID);
	assert_string_equal(e.field, "plan_month");
	in.plan_month = 0;
	in.plan_year = 1900;
	assert_int_equal(topic_check(f->db, f->city.id, NULL, &in, &e), ERR_INVALID);
	assert_string_equal(e.field, "plan_year");
	in.plan_year = 0;
	in.proposer_id = 999999;
	assert_int_equal(topic_check(f->db, f->city.id, NULL, &in, &e), ERR_INVALID);
	assert_string_equal(e.field, "proposer_id");
	in.proposer_id = 0;
	assert_int_equal(topic_check(f->db, f->city.id, NULL, &in, &e), ERR_OK);

	/* nothing was created */
	assert_int_equal(topic_list(f->db, &f->sys, &all, 0, 2000, &after), ERR_OK);
	assert_int_equal(after.n, before.n);
	topics_release(&before);
	topics_release(&after);

	/* an update is checked with the stored values under the given ones */
	id = make_topic(f, &f->city_org, &f->city, "校验更新");
	assert_int_equal(topic_get(f->db, id, &t), ERR_OK);
	topic_in_init(&in);
	assert_int_equal(topic_check(f->db, t.org_id, &t, &in, &e), ERR_OK);
	in.domain = "sports";
	assert_int_equal(topic_check(f->db, t.org_id, &t, &in, &e), ERR_INVALID);
	assert_string_equal(e.field, "domain");
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, topic_update(f->db, &f->city_org, id, &in, &e)),
			 ERR_INVALID);
	topic_release(&t);
	assert_int_equal(topic_get(f->db, id, &t), ERR_OK);
	assert_string_equal(t.domain, "society");
	topic_release(&t);
}

static void test_authorize(void **state)
{
	struct mfix *f = *state;
	int64_t id = make_topic(f, &f->city_org, &f->city, "授权测试");
	int64_t low = make_topic(f, &f->district_org, &f->district, "区里的议题");
	struct topic t;

	/* the body's own organizer and admin may read and change it */
	assert_int_equal(topic_authorize(f->db, &f->city_org, id, AUTHZ_WRITE, &t), ERR_OK);
	assert_int_equal(t.id, id);
	assert_string_equal(t.title, "授权测试");
	assert_int_equal(topic_decide(&f->city_org, &t, AUTHZ_WRITE), ERR_OK);
	assert_int_equal(topic_decide(&f->city_member, &t, AUTHZ_WRITE), ERR_FORBIDDEN);
	topic_release(&t);
	assert_int_equal(topic_authorize(f->db, &f->city_admin, id, AUTHZ_WRITE, NULL), ERR_OK);
	assert_int_equal(topic_authorize(f->db, &f->sys, id, AUTHZ_WRITE, NULL), ERR_OK);

	/* a member and a guest of the body may read it but not change it */
	assert_int_equal(topic_authorize(f->db, &f->city_member, id, AUTHZ_READ, NULL), ERR_OK);
	assert_int_equal(topic_authorize(f->db, &f->city_guest, id, AUTHZ_READ, NULL), ERR_OK);
	assert_int_equal(topic_authorize(f->db, &f->city_member, id, AUTHZ_WRITE, &t),
			 ERR_FORBIDDEN);
	assert_null(t.title); /* left empty */

	/* a body above sees it; a body below or beside does not know it exists */
	assert_int_equal(topic_authorize(f->db, &f->province_org, id, AUTHZ_WRITE, NULL), ERR_OK);
	assert_int_equal(topic_authorize(f->db, &f->other_org, id, AUTHZ_READ, &t), ERR_NOT_FOUND);
	assert_null(t.title);
	assert_int_equal(topic_authorize(f->db, &f->other_org, id, AUTHZ_WRITE, NULL),
			 ERR_NOT_FOUND);
	assert_int_equal(topic_authorize(f->db, &f->district_org, id, AUTHZ_READ, NULL),
			 ERR_NOT_FOUND);
	assert_int_equal(topic_authorize(f->db, &f->city_org, low, AUTHZ_WRITE, NULL), ERR_OK);

	/* absent is the same answer as invisible */
	assert_int_equal(topic_authorize(f->db, &f->city_org, 999999, AUTHZ_READ, NULL),
			 ERR_NOT_FOUND);
	assert_int_equal(topic_authorize(f->db, &f->city_org, 0, AUTHZ_READ, NULL), ERR_NOT_FOUND);

	/* anonymous callers sign in first, whatever the topic */
	assert_int_equal(topic_authorize(f->db, &f->anon, id, AUTHZ_READ, NULL), ERR_AUTH);
	assert_int_equal(topic_authorize(f->db, &f->anon, 999999, AUTHZ_READ, NULL), ERR_AUTH);

	/* where a new topic may go */
	assert_int_equal(topic_authorize_create(&f->city_org, &f->city), ERR_OK);
	assert_int_equal(topic_authorize_create(&f->city_org, &f->district), ERR_OK);
	/* a member proposes (issue 11: as their person, topic_as_proposer); a guest does not */
	assert_int_equal(topic_authorize_create(&f->city_member, &f->city), ERR_OK);
	assert_int_equal(topic_authorize_create(&f->city_guest, &f->city), ERR_FORBIDDEN);
	assert_int_equal(topic_authorize_create(&f->district_org, &f->city), ERR_FORBIDDEN);
	assert_int_equal(topic_authorize_create(&f->other_org, &f->city), ERR_NOT_FOUND);
	assert_int_equal(topic_authorize_create(&f->anon, &f->city), ERR_AUTH);
}

static bool has_domain(const struct domains *l, const char *code)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].code, code) == 0)
			return true;
	return false;
}

static void test_domains(void **state)
{
	struct mfix *f = *state;
	struct domains l = {0};
	struct topic_in in;
	struct verr e;
	int64_t id;

	assert_int_equal(domain_list(f->db, &f->city, &l), ERR_OK);
	assert_int_equal(l.n, 5); /* the built-in ones */
	assert_string_equal(l.v[0].code, "economy");
	assert_string_equal(l.v[0].name_zh, "经济");
	assert_int_equal(l.v[0].org_id, 0);
	domains_release(&l);

	/* only the body's admins add domains */
	assert_int_equal(domain_authorize_add(&f->city_admin, &f->city), ERR_OK);
	assert_int_equal(domain_authorize_add(&f->city_org, &f->city), ERR_FORBIDDEN);
	assert_int_equal(domain_authorize_add(&f->other_org, &f->city), ERR_NOT_FOUND);
	assert_int_equal(domain_authorize_add(&f->anon, &f->city), ERR_AUTH);

	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, domain_add(f->db, &f->city_admin, &f->city, "party_building", "党的建设",
				      "Party building", &e)),
	    ERR_OK);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, domain_add(f->db, &f->city_admin, &f->city,
						   "party_building", "重复", NULL, &e)),
			 ERR_CONFLICT);
	assert_string_equal(e.field, "code");
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, domain_add(f->db, &f->city_admin, &f->city, "Bad Code", "x", NULL, &e)),
	    ERR_INVALID);
	assert_string_equal(e.field, "code");
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, domain_add(f->db, &f->city_admin, &f->city, "no_name", NULL, NULL, &e)),
	    ERR_INVALID);
	assert_string_equal(e.field, "name_zh");

	/* the body and those below it have it; the body beside does not */
	assert_true(domain_valid(f->db, &f->city, "party_building"));
	assert_true(domain_valid(f->db, &f->district, "party_building"));
	assert_false(domain_valid(f->db, &f->other, "party_building"));
	assert_false(domain_valid(f->db, &f->province, "party_building"));
	assert_int_equal(domain_list(f->db, &f->district, &l), ERR_OK);
	assert_int_equal(l.n, 6);
	assert_true(has_domain(&l, "party_building"));
	assert_string_equal(l.v[5].name_en, "Party building");
	assert_int_equal(l.v[5].org_id, f->city.id);
	domains_release(&l);
	assert_int_equal(domain_list(f->db, &f->other, &l), ERR_OK);
	assert_false(has_domain(&l, "party_building"));
	domains_release(&l);

	/* a topic of the district may use it; one of the other city may not */
	topic_in_init(&in);
	in.title = "基层党建与协商";
	in.domain = "party_building";
	in.origin = "assigned";
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, topic_create(f->db, &f->district_org, f->district.id, &in, &id, &e)),
	    ERR_OK);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, topic_create(f->db, &f->other_org, f->other.id, &in, &id, &e)),
	    ERR_INVALID);
	assert_string_equal(e.field, "domain");
}

static void test_rules_inherited(void **state)
{
	struct mfix *f = *state;
	json_t *p;
	struct rules r;
	struct rules_req q[4];
	struct verr e;
	int64_t now = time_now();

	/* nobody has rules yet: the built-in defaults */
	assert_int_equal(rules_in_force(f->db, &f->district, &r), ERR_OK);
	assert_string_equal(r.version, "default");
	assert_true(json_is_object(r.params));
	assert_int_equal(rules_reply_days(&r), 90);
	assert_int_equal(rules_min_of(&r, "expert", "expert"), 1);
	assert_int_equal(rules_min_of(&r, "joint", "linked_org"), 1);
	assert_int_equal(rules_min_of(&r, "expert", "member"), 0);
	assert_int_equal(rules_requirements(&r, "counterpart", q, ARRAY_LEN(q)), 1);
	assert_string_equal(q[0].what, "department_official");
	assert_int_equal(q[0].min, 1);
	assert_int_equal(rules_requirements(&r, "dance", q, ARRAY_LEN(q)), 0);
	rules_release(&r);

	/* the province's rules hold for the bodies below it */
	p = json_pack("{s{s[{sssi}{sssi}]} si}", "requirements", "expert", "what", "expert", "min",
		      2, "what", "member", "min", 3, "reply_days", 60);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, rules_add(f->db, &f->sys, &f->province, "2025-1", "省规则",
						  "正文", p, now - 10, &e)),
			 ERR_OK);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, rules_add(f->db, &f->sys, &f->province, "2025-1", "重复",
						  "", p, now - 10, &e)),
			 ERR_CONFLICT);
	assert_string_equal(e.field, "version");
	json_decref(p);
	assert_int_equal(rules_in_force(f->db, &f->district, &r), ERR_OK);
	assert_string_equal(r.version, "2025-1");
	assert_string_equal(r.title, "省规则");
	assert_int_equal(rules_reply_days(&r), 60);
	assert_int_equal(rules_min_of(&r, "expert", "expert"), 2);
	assert_int_equal(rules_min_of(&r, "expert", "member"), 3);
	assert_int_equal(rules_min_of(&r, "sector", "member"), 0);   /* not in these rules */
	assert_int_equal(rules_requirements(&r, "expert", q, 1), 2); /* more than max */
	assert_string_equal(q[0].what, "expert");
	rules_release(&r);
	assert_null(r.params);

	/* the city's own version wins for it and the district; the other city keeps the
	 * province's; a version not yet in force does not count */
	p = json_pack("{si}", "reply_days", 30);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, rules_add(f->db, &f->sys, &f->city, "city-1", "市规则", "",
						  p, now - 5, &e)),
			 ERR_OK);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, rules_add(f->db, &f->sys, &f->city, "city-2", "明年", "", p,
						  now + 86400, &e)),
			 ERR_OK);
	json_decref(p);
	assert_int_equal(rules_in_force(f->db, &f->district, &r), ERR_OK);
	assert_string_equal(r.version, "city-1");
	assert_int_equal(rules_reply_days(&r), 30);
	/* what city-1 does not state is the default (rules.c), not the province's */
	assert_int_equal(rules_min_of(&r, "expert", "expert"), 1);
	assert_int_equal(rules_min_of(&r, "expert", "member"), 0);
	rules_release(&r);
	assert_int_equal(rules_in_force(f->db, &f->other, &r), ERR_OK);
	assert_string_equal(r.version, "2025-1");
	rules_release(&r);

	/* params must be an object */
	p = json_array();
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, rules_add(f->db, &f->sys, &f->city, "bad", "坏", "", p, now, &e)),
	    ERR_INVALID);
	assert_string_equal(e.field, "params");
	json_decref(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_create_get_list_update),
	    cmocka_unit_test(test_pipeline),
	    cmocka_unit_test(test_validation),
	    cmocka_unit_test(test_authorize),
	    cmocka_unit_test(test_domains),
	    cmocka_unit_test(test_rules_inherited),
	};

	return cmocka_run_group_tests_name("model_topic", tests, group_setup, mfix_teardown);
}
