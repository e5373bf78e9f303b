/*
 * test_model_authoring.c - members author (issue 11): a member proposes a topic as the
 * person linked to their account and corrects or deletes it while it is proposed; drafts
 * an output as its lead author, with co-signers who must confirm (or decline) before a
 * proposal is submitted; the lead author changes and deletes the draft. Against a real
 * temporary database (model_fixture.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "model_fixture.h"
#include "model/output.h"
#include "model/person.h"
#include "model/topic.h"

static int64_t member_person, cosigner_person;

/* add_person makes a person of the city, linked to account user_id (0: none). */
static int64_t add_person(struct mfix *f, const char *name, int64_t user_id)
{
	struct person p;
	struct verr e;
	int rc;

	memset(&p, 0, sizeof(p));
	p.org_id = f->city.id;
	p.user_id = user_id;
	snprintf(p.name, sizeof(p.name), "%s", name);
	snprintf(p.category, sizeof(p.category), "member");
	rc = mfix_begin(f);
	if (!rc)
		rc = person_create(f->db, &f->sys, &p, &e);
	assert_int_equal(mfix_commit(f, rc), ERR_OK);
	return p.id;
}

static void test_topic_proposal(void **state)
{
	struct mfix *f = *state;
	struct topic_in in;
	struct topic t;
	struct verr e;
	int64_t id, id2;
	int rc;

	topic_in_init(&in);
	in.title = "社区托育";
	in.domain = "society";
	in.origin = "assigned";
	/* not linked to a person: refused, with the reason */
	memset(&e, 0, sizeof(e));
	assert_int_equal(topic_as_proposer(f->db, &f->city_member, &in, &e), ERR_FORBIDDEN);
	assert_string_equal(e.code, "not_linked");
	rc = mfix_begin(f);
	if (!rc)
		rc = topic_create(f->db, &f->city_member, f->city.id, &in, &id, &e);
	assert_int_equal(mfix_commit(f, rc), ERR_FORBIDDEN);
	/* guests, foreign bodies and anonymous callers may not propose */
	assert_int_equal(topic_authorize_create(&f->city_guest, &f->city), ERR_FORBIDDEN);
	assert_int_equal(topic_authorize_create(&f->anon, &f->city), ERR_AUTH);
	assert_int_equal(topic_authorize_create(&f->other_org, &f->city), ERR_NOT_FOUND);
	/* linked: the member's person proposes, origin member, status proposed */
	member_person = add_person(f, "提议委员", f->city_member.user.id);
	assert_int_equal(topic_authorize_create(&f->city_member, &f->city), ERR_OK);
	rc = mfix_begin(f);
	if (!rc)
		rc = topic_create(f->db, &f->city_member, f->city.id, &in, &id, &e);
	assert_int_equal(mfix_commit(f, rc), ERR_OK);
	assert_int_equal(topic_get(f->db, id, &t), ERR_OK);
	assert_string_equal(t.status, "proposed");
	assert_string_equal(t.origin, "member");
	assert_int_equal(t.proposer_id, member_person);
	topic_release(&t);
	/* the proposer may change it, not vet it; others of the body may not change it */
	assert_int_equal(topic_authorize(f->db, &f->city_member, id, AUTHZ_WRITE, NULL), ERR_OK);
	assert_int_equal(topic_authorize(f->db, &f->city_member, id, AUTHZ_MANAGE, NULL),
			 ERR_FORBIDDEN);
	assert_int_equal(topic_authorize(f->db, &f->city_guest, id, AUTHZ_WRITE, NULL),
			 ERR_FORBIDDEN);
	assert_int_equal(topic_authorize(f->db, &f->other_org, id, AUTHZ_WRITE, NULL),
			 ERR_NOT_FOUND);
	assert_int_equal(topic_authorize(f->db, &f->anon, id, AUTHZ_WRITE, NULL), ERR_AUTH);
	/* approved: the proposer may no longer change or delete it, nor may anyone delete it */
	rc = mfix_begin(f);
	if (!rc)
		rc = topic_create(f->db, &f->city_member, f->city.id, &in, &id2, &e);
	if (!rc)
		rc = topic_transition(f->db, &f->city_org, id2, "approved", &e);
	assert_int_equal(mfix_commit(f, rc), ERR_OK);
	in.title = "改";
	rc = mfix_begin(f);
	if (!rc)
		rc = topic_update(f->db, &f->city_member, id2, &in, &e);
	assert_int_equal(mfix_commit(f, rc), ERR_CONFLICT);
	assert_string_equal(e.code, "topic_not_proposed");
	rc = mfix_begin(f);
	if (!rc)
		rc = topic_delete(f->db, &f->city_org, id2, &e);
	assert_int_equal(mfix_commit(f, rc), ERR_CONFLICT);
	/* proposed: the proposer deletes it */
	rc = mfix_begin(f);
	if (!rc)
		rc = topic_delete(f->db, &f->city_member, id, &e);
	assert_int_equal(mfix_commit(f, rc), ERR_OK);
	assert_int_equal(topic_get(f->db, id, &t), ERR_NOT_FOUND);
}

static void test_member_output(void **state)
{
	struct mfix *f = *state;
	struct output_author_in authors[2];
	struct output_move m;
	struct output_in in;
	struct output o;
	struct verr e;
	int64_t id;
	int rc;

	cosigner_person = add_person(f, "联名人", f->city_admin.user.id);
	memset(authors, 0, sizeof(authors));
	authors[0] = (struct output_author_in){cosigner_person, "lead"};
	output_in_init(&in);
	in.kind = "special_report";
	in.title = "专报";
	memset(&e, 0, sizeof(e));
	assert_int_equal(output_create_check(f->db, &f->city_member, f->city.id, &in, &e),
			 ERR_FORBIDDEN);
	assert_string_equal(e.code, "kind_not_allowed");
	/* the member leads whatever authors says; a co-signer named as such co-signs */
	authors[1] = (struct output_author_in){cosigner_person, "cosigner"};
	in.kind = "proposal";
	in.title = "关于托育的提案";
	in.authors = authors;
	in.nauthors = 2;
	rc = mfix_begin(f);
	if (!rc)
		rc = output_create(f->db, &f->city_member, f->city.id, &in, &id, &e);
	assert_int_equal(mfix_commit(f, rc), ERR_OK);
	assert_int_equal(output_get(f->db, id, &o), ERR_OK);
	assert_int_equal(o.nauthors, 2);
	assert_int_equal(o.authors[0].person_id, member_person);
	assert_string_equal(o.authors[0].role, "lead");
	assert_int_equal(o.authors[1].person_id, cosigner_person);
	output_release(&o);
	/* a guest of the body does not see the draft; the author does */
	assert_int_equal(output_authorize(f->db, &f->city_guest, id, AUTHZ_READ, NULL, NULL),
			 ERR_NOT_FOUND);
	assert_int_equal(output_authorize(f->db, &f->city_member, id, AUTHZ_WRITE, NULL, NULL),
			 ERR_OK);
	/* not submitted before the co-signer confirmed */
	memset(&m, 0, sizeof(m));
	m.to = "submitted";
	rc = mfix_begin(f);
	if (!rc)
		rc = output_transition(f->db, &f->city_member, id, &m, &e);
	assert_int_equal(mfix_commit(f, rc), ERR_CONFLICT);
	assert_string_equal(e.code, "cosigners_pending");
	assert_non_null(strstr(e.zh, "联名人"));
	/* the lead cannot decline; the co-signer declines and is no longer an author */
	assert_int_equal(output_decline_check(f->db, &f->city_member, id, &e), ERR_FORBIDDEN);
	assert_int_equal(output_decline_check(f->db, &f->city_guest, id, &e), ERR_FORBIDDEN);
	rc = mfix_begin(f);
	if (!rc)
		rc = output_decline(f->db, &f->city_admin, id, "不熟悉", &e);
	assert_int_equal(mfix_commit(f, rc), ERR_OK);
	assert_int_equal(output_get(f->db, id, &o), ERR_OK);
	assert_int_equal(o.nauthors, 1);
	output_release(&o);
	rc = mfix_begin(f);
	if (!rc)
		rc = output_transition(f->db, &f->city_member, id, &m, &e);
	assert_int_equal(mfix_commit(f, rc), ERR_OK);
	/* submitted: no longer changed or deleted */
	output_in_init(&in);
	in.title = "改";
	rc = mfix_begin(f);
	if (!rc)
		rc = output_update(f->db, &f->city_member, id, &in, &e);
	assert_int_equal(mfix_commit(f, rc), ERR_CONFLICT);
	assert_int_equal(output_delete_check(f->db, id, &e), ERR_CONFLICT);
}

static void test_draft_delete(void **state)
{
	struct mfix *f = *state;
	struct output_in in;
	struct output o;
	struct verr e;
	int64_t id;
	int rc;

	output_in_init(&in);
	in.kind = "speech";
	in.title = "发言稿";
	rc = mfix_begin(f);
	if (!rc)
		rc = output_create(f->db, &f->city_member, f->city.id, &in, &id, &e);
	assert_int_equal(mfix_commit(f, rc), ERR_OK);
	assert_int_equal(output_authorize(f->db, &f->other_org, id, AUTHZ_WRITE, NULL, NULL),
			 ERR_NOT_FOUND);
	assert_int_equal(output_authorize(f->db, &f->anon, id, AUTHZ_WRITE, NULL, NULL), ERR_AUTH);
	rc = mfix_begin(f);
	if (!rc)
		rc = output_delete(f->db, &f->city_member, id, &e);
	assert_int_equal(mfix_commit(f, rc), ERR_OK);
	assert_int_equal(output_get(f->db, id, &o), ERR_NOT_FOUND);
	output_release(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_topic_proposal),
	    cmocka_unit_test(test_member_output),
	    cmocka_unit_test(test_draft_delete),
	};

	return cmocka_run_group_tests(tests, mfix_setup, mfix_teardown);
}
