/*
 * test_model_leaks.c - issue 10, items 1 and 2, in the model against a real SQLite file:
 * an id given inside a write (the sessions and suggestions of an output, the topic and
 * linked bodies of a session) must name something the writer may read, else ERR_INVALID
 * naming the field and nothing is written; the lineage of an output leaves out what its
 * reader may not read even when old data links it; person_nameable decides who sees the
 * name of a person who did not agree to be named.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/util.h"
#include "model/output.h"
#include "session_fixture.h"

static int64_t city_topic, district_topic;
static int64_t city_internal, city_public, district_session; /* sessions */
static int64_t city_suggestion;				     /* a suggestion of city_internal */

static int group_setup(void **state)
{
	static const char *const to_scheduled[] = {"scheduled"};
	struct mfix *f;
	struct verr e = {0};
	int64_t expert, inv;
	int rc;

	if (mfix_setup(state))
		return -1;
	f = *state;
	city_topic = sfix_topic(f, &f->city, "城市更新");
	district_topic = sfix_topic(f, &f->district, "街道议事");
	city_internal = sfix_session(f, &f->city_org, &f->city, city_topic, "市里的内部聊",
				     "internal", FORMAT_EXPERT);
	city_public = sfix_session(f, &f->city_org, &f->city, city_topic, "市里的公开聊", "public",
				   FORMAT_EXPERT);
	expert = sfix_person(f, &f->city, "刘专家", "expert", NULL);
	rc = mfix_begin(f);
	if (!rc)
		rc = invitation_add(f->db, &f->city_org, city_public, expert, "expert", &inv, &e);
	if (mfix_commit(f, rc)) {
		fprintf(stderr, "setup: %s\n", e.en);
		return -1;
	}
	sfix_move(f, city_public, to_scheduled, 1);
	district_session = sfix_session(f, &f->district_org, &f->district, district_topic,
					"区里的聊", "internal", FORMAT_EXPERT);
	rc = mfix_begin(f);
	if (!rc)
		rc = suggestion_add(f->db, &f->city_org, city_internal, "市里的内部建议", "内容",
				    NULL, 0, NULL, 0, &city_suggestion, &e);
	if (mfix_commit(f, rc)) {
		fprintf(stderr, "setup: %s\n", e.en);
		return -1;
	}
	return 0;
}

static int64_t count_outputs(struct mfix *f)
{
	int64_t n = -1;

	assert_int_equal(db_get_int(f->db, "SELECT COUNT(*) FROM output", &n, ""), ERR_OK);
	return n;
}

/* create drafts an opinion report of org by who with the given links. */
static int create(struct mfix *f, const struct actor *who, const struct org *org,
		  const int64_t *sessions, size_t nsessions, const int64_t *sugs, size_t nsugs,
		  int64_t *id, struct verr *e)
{
	struct output_in in;

	output_in_init(&in);
	in.kind = "opinion_report";
	in.title = "社情民意";
	in.body = "正文";
	in.sessions = sessions;
	in.nsessions = nsessions;
	in.suggestions = sugs;
	in.nsuggestions = nsugs;
	assert_int_equal(mfix_begin(f), ERR_OK);
	return mfix_commit(f, output_create(f->db, who, org->id, &in, id, e));
}

static void test_output_links(void **state)
{
	struct mfix *f = *state;
	struct verr e = {0};
	int64_t id = 0, n = count_outputs(f);
	int64_t ses[2] = {district_session, city_internal}, sug[1] = {city_suggestion};

	/* the district may not read the city's internal session: as if it did not exist */
	assert_int_equal(create(f, &f->district_org, &f->district, ses, 2, NULL, 0, &id, &e),
			 ERR_INVALID);
	assert_string_equal(e.field, "session_ids");
	assert_non_null(strstr(e.en, "does not exist"));
	assert_int_equal(create(f, &f->district_org, &f->district, NULL, 0, sug, 1, &id, &e),
			 ERR_INVALID);
	assert_string_equal(e.field, "suggestion_ids");
	assert_int_equal(count_outputs(f), n);
	/* its own session and the city's public one it may read and link */
	ses[1] = city_public;
	assert_int_equal(create(f, &f->district_org, &f->district, ses, 2, NULL, 0, &id, &e),
			 ERR_OK);
	assert_int_equal(count_outputs(f), n + 1);
	/* the city may link its own internal session and suggestion */
	ses[0] = city_internal;
	assert_int_equal(create(f, &f->city_org, &f->city, ses, 1, sug, 1, &id, &e), ERR_OK);
	/* an unrelated body may not, nor a public session outside its branch */
	assert_int_equal(create(f, &f->other_org, &f->other, ses, 1, NULL, 0, &id, &e),
			 ERR_INVALID);
	ses[0] = city_public;
	assert_int_equal(create(f, &f->other_org, &f->other, ses, 1, NULL, 0, &id, &e),
			 ERR_INVALID);
	assert_string_equal(e.field, "session_ids");
}

static void test_session_ids(void **state)
{
	struct mfix *f = *state;
	struct session_in in;
	struct verr e = {0};
	int64_t id = 0, linked[1];

	/* a session of the district on the city's topic, which the district may not read */
	session_in_init(&in);
	in.topic_id = city_topic;
	in.title = "区里聊市里的议题";
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, session_create(f->db, &f->district_org, f->district.id, &in, &id, &e)),
	    ERR_INVALID);
	assert_string_equal(e.field, "topic_id");
	/* a body out of the district's sight cannot be linked; the one above it can */
	in.topic_id = district_topic;
	in.linked_orgs = linked;
	in.nlinked = 1;
	linked[0] = f->other.id;
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, session_create(f->db, &f->district_org, f->district.id, &in, &id, &e)),
	    ERR_INVALID);
	assert_string_equal(e.field, "linked_org_ids");
	linked[0] = f->city.id;
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, session_create(f->db, &f->district_org, f->district.id, &in, &id, &e)),
	    ERR_OK);
}

static void test_record_people(void **state)
{
	struct mfix *f = *state;
	struct session_in in;
	struct verr e = {0};
	int64_t id = 0, inv = 0, linked[1] = {f->city.id};
	int64_t city_person = sfix_person(f, &f->city, "市里的委员", "member", NULL);

	/* a joint talk of the district with the city: the city's people are still not the
	 * district's to name */
	session_in_init(&in);
	in.topic_id = district_topic;
	in.title = "区市联动聊";
	in.formats = FORMAT_JOINT;
	in.linked_orgs = linked;
	in.nlinked = 1;
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, session_create(f->db, &f->district_org, f->district.id, &in, &id, &e)),
	    ERR_OK);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, invitation_add(f->db, &f->district_org, id, city_person,
						       "member", &inv, &e)),
			 ERR_INVALID);
	assert_string_equal(e.field, "person_id");
	/* the city, which may read the person, may */
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, invitation_add(f->db, &f->city_org, id, city_person,
						       "member", &inv, &e)),
			 ERR_OK);
}

static void test_lineage_hides(void **state)
{
	struct mfix *f = *state;
	struct output_lineage l;
	struct verr e = {0};
	int64_t id = 0, ses[1] = {city_internal}, sug[1] = {city_suggestion};

	/* old data: a district output that links the city's internal record (made by the
	 * system, as an import would) */
	assert_int_equal(create(f, &f->sys, &f->district, ses, 1, sug, 1, &id, &e), ERR_OK);
	assert_int_equal(output_lineage(f->db, &f->district_org, id, &l), ERR_OK);
	assert_int_equal(l.nsuggestions, 0);
	assert_int_equal(l.nsessions, 0);
	assert_int_equal(l.output.nsuggestions, 0);
	assert_int_equal(l.output.nsessions, 0);
	output_lineage_release(&l);
	/* the output itself, read by the district, names neither */
	{
		struct output o;

		assert_int_equal(output_read(f->db, &f->district_org, id, &o), ERR_OK);
		assert_int_equal(o.nsuggestions + o.nsessions, 0);
		output_release(&o);
		assert_int_equal(output_read(f->db, &f->city_org, id, &o), ERR_OK);
		assert_int_equal(o.nsuggestions, 1);
		assert_int_equal(o.nsessions, 1);
		output_release(&o);
	}
	/* the city reads the whole chain */
	assert_int_equal(output_lineage(f->db, &f->city_org, id, &l), ERR_OK);
	assert_int_equal(l.nsuggestions, 1);
	assert_int_equal(l.nsessions, 1);
	assert_string_equal(l.suggestions[0].suggestion.title, "市里的内部建议");
	output_lineage_release(&l);
}

static bool listed(const struct outcome_ids *ids, int64_t id)
{
	size_t i;

	for (i = 0; i < ids->n; i++)
		if (ids->ids[i] == id)
			return true;
	return false;
}

static void test_outcomes_hide(void **state)
{
	struct mfix *f = *state;
	struct session_outcomes x;
	struct verr e = {0};
	int64_t id = 0, ses[1] = {city_public};

	assert_int_equal(create(f, &f->city_org, &f->city, ses, 1, NULL, 0, &id, &e), ERR_OK);
	assert_int_equal(session_outcomes(f->db, &f->city_org, city_public, &x), ERR_OK);
	assert_true(listed(&x.outputs, id));
	session_outcomes_release(&x);
	/* the district and the public read the session, not the city's output */
	assert_int_equal(session_outcomes(f->db, &f->district_org, city_public, &x), ERR_OK);
	assert_false(listed(&x.outputs, id));
	session_outcomes_release(&x);
	assert_int_equal(session_outcomes(f->db, &f->anon, city_public, &x), ERR_OK);
	assert_int_equal(x.outputs.n, 0);
	session_outcomes_release(&x);
}

static void test_authors(void **state)
{
	struct mfix *f = *state;
	struct output_author_in au[1];
	struct output_in in;
	struct verr e = {0};
	int64_t id = 0;

	au[0].person_id = sfix_person(f, &f->city, "市里的领衔人", "member", NULL);
	snprintf(au[0].role, sizeof(au[0].role), "lead");
	output_in_init(&in);
	in.kind = "proposal";
	in.title = "区里的提案";
	in.authors = au;
	in.nauthors = 1;
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, output_create(f->db, &f->district_org, f->district.id, &in, &id, &e)),
	    ERR_INVALID);
	assert_string_equal(e.field, "authors");
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, output_create(f->db, &f->city_org, f->district.id, &in, &id, &e)),
	    ERR_OK);
}

static void test_nameable(void **state)
{
	struct mfix *f = *state;

	assert_true(person_nameable(&f->anon, f->city.path, true));
	assert_false(person_nameable(&f->anon, f->city.path, false));
	assert_false(person_nameable(&f->district_org, f->city.path, false));
	assert_false(person_nameable(&f->other_org, f->city.path, false));
	assert_true(person_nameable(&f->city_member, f->city.path, false));
	assert_true(person_nameable(&f->city_org, f->district.path, false));
	assert_true(person_nameable(&f->province_org, f->district.path, false));
	assert_true(person_nameable(&f->sys, f->district.path, false));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_output_links),  cmocka_unit_test(test_session_ids),
	    cmocka_unit_test(test_record_people), cmocka_unit_test(test_lineage_hides),
	    cmocka_unit_test(test_outcomes_hide), cmocka_unit_test(test_authors),
	    cmocka_unit_test(test_nameable),
	};

	return cmocka_run_group_tests_name("model_leaks", tests, group_setup, mfix_teardown);
}
