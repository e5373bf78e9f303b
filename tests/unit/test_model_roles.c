/*
 * test_model_roles.c - issue 11's roles in the model: an account linked to a registry person
 * (user_link_person through user_create/user_update), a member's "my work" (my_work_read),
 * the read-only leader role and its instruction (批示) on an output.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "model_fixture.h"
#include "base/util.h"
#include "model/output.h"
#include "model/person.h"
#include "model/roles.h"
#include "model/session.h"
#include "model/topic.h"

/* make_person registers name in body o (as the system); returns its id. */
static int64_t make_person(struct mfix *f, const struct org *o, const char *name)
{
	struct person p;
	struct verr e;

	memset(&p, 0, sizeof(p));
	p.org_id = o->id;
	snprintf(p.name, sizeof(p.name), "%s", name);
	snprintf(p.category, sizeof(p.category), "member");
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, person_create(f->db, &f->sys, &p, &e)), ERR_OK);
	return p.id;
}

/* make_user creates an account of role in o linked to person_id (0: none) by who. */
static int make_user(struct mfix *f, const struct actor *who, const struct org *o,
		     const char *username, const char *role, int64_t person_id, struct user *u,
		     struct verr *e)
{
	int rc;

	memset(u, 0, sizeof(*u));
	u->org_id = o->id;
	u->person_id = person_id;
	snprintf(u->username, sizeof(u->username), "%s", username);
	snprintf(u->role, sizeof(u->role), "%s", role);
	rc = mfix_begin(f);
	if (!rc)
		rc = mfix_commit(f, user_create(f->db, who, u, "roles-password", e));
	return rc;
}

/* as_actor makes the actor that signs in with account u of body o. */
static void as_actor(const struct user *u, const struct org *o, struct actor *a)
{
	memset(a, 0, sizeof(*a));
	a->via = AUTH_BEARER;
	a->user = *u;
	a->org = *o;
	a->role = role_parse(u->role);
	a->address = "127.0.0.1";
}

/* make_output drafts an output of kind in body o with the given authors (as the system). */
static int64_t make_output(struct mfix *f, const struct org *o, const char *kind,
			   const struct output_author_in *authors, size_t n)
{
	struct output_in in;
	struct verr e;
	int64_t id = 0;

	output_in_init(&in);
	in.kind = kind;
	in.title = "角色测试成果";
	in.body = "正文";
	in.authors = authors;
	in.nauthors = n;
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, output_create(f->db, &f->sys, o->id, &in, &id, &e)),
			 ERR_OK);
	return id;
}

static void submit(struct mfix *f, int64_t id)
{
	struct output_move m;
	struct verr e;

	memset(&m, 0, sizeof(m));
	m.to = "submitted";
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, output_transition(f->db, &f->sys, id, &m, &e)), ERR_OK);
}

static void test_leader_role_parses_and_is_stored(void **state)
{
	struct mfix *f = *state;
	struct user u, got;
	struct verr e;

	assert_int_equal(role_parse("leader"), ROLE_LEADER);
	assert_true(ROLE_LEADER < ROLE_MEMBER); /* every write test of ">= member" refuses it */
	assert_int_equal(make_user(f, &f->city_admin, &f->city, "roles-lead0", "leader", 0, &u, &e),
			 ERR_OK);
	assert_int_equal(user_get(f->db, u.id, &got), ERR_OK);
	assert_string_equal(got.role, "leader");
	assert_int_equal(make_user(f, &f->city_admin, &f->city, "roles-bad", "boss", 0, &u, &e),
			 ERR_INVALID);
	assert_string_equal(e.field, "role");
}

static void test_link_person(void **state)
{
	struct mfix *f = *state;
	int64_t p1 = make_person(f, &f->city, "关联甲"), p2 = make_person(f, &f->city, "关联乙");
	int64_t far = make_person(f, &f->other, "别处的人");
	struct user u, v, before;
	struct person p;
	struct verr e;

	/* the good path: linked at creation, both ways */
	assert_int_equal(
	    make_user(f, &f->city_admin, &f->city, "roles-link1", "member", p1, &u, &e), ERR_OK);
	assert_int_equal(person_get(f->db, p1, &p), ERR_OK);
	assert_int_equal(p.user_id, u.id);
	assert_int_equal(user_get(f->db, u.id, &v), ERR_OK);
	assert_int_equal(v.person_id, p1);
	/* a person already linked: conflict, and nothing made */
	assert_int_equal(
	    make_user(f, &f->city_admin, &f->city, "roles-link2", "member", p1, &v, &e),
	    ERR_CONFLICT);
	assert_string_equal(e.code, "person_linked");
	assert_string_equal(e.field, "person_id");
	assert_int_equal(user_get_by_name(f->db, "roles-link2", &v), ERR_NOT_FOUND);
	/* unknown, and out of the caller's sight: invalid, naming person_id */
	assert_int_equal(
	    make_user(f, &f->city_admin, &f->city, "roles-link3", "member", 999999, &v, &e),
	    ERR_INVALID);
	assert_string_equal(e.field, "person_id");
	assert_int_equal(
	    make_user(f, &f->city_admin, &f->city, "roles-link3", "member", far, &v, &e),
	    ERR_INVALID);
	assert_string_equal(e.field, "person_id");
	/* moved to another person, then unlinked */
	before = u;
	u.person_id = p2;
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, user_update(f->db, &f->city_admin, &before, &u, NULL, &e)),
			 ERR_OK);
	assert_int_equal(person_get(f->db, p1, &p), ERR_OK);
	assert_int_equal(p.user_id, 0);
	assert_int_equal(person_get(f->db, p2, &p), ERR_OK);
	assert_int_equal(p.user_id, u.id);
	before = u;
	u.person_id = 0;
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, user_update(f->db, &f->city_admin, &before, &u, NULL, &e)),
			 ERR_OK);
	assert_int_equal(person_get(f->db, p2, &p), ERR_OK);
	assert_int_equal(p.user_id, 0);
	assert_int_equal(user_get(f->db, u.id, &v), ERR_OK);
	assert_int_equal(v.person_id, 0);
}

static void test_my_work(void **state)
{
	struct mfix *f = *state;
	int64_t me = make_person(f, &f->city, "我的工作委员"),
		lead = make_person(f, &f->city, "领衔");
	struct output_author_in au[2] = {{lead, "lead"}, {me, "cosigner"}};
	struct output_author_in mine[1] = {{me, "lead"}};
	int64_t o1, o2;
	struct my_work w;
	struct actor a;
	struct user u;
	struct verr e;
	size_t i;
	int seen = 0, year = time_year(time_now());

	assert_int_equal(make_user(f, &f->city_admin, &f->city, "roles-work", "member", me, &u, &e),
			 ERR_OK);
	as_actor(&u, &f->city, &a);
	o1 = make_output(f, &f->city, "proposal", au, 2);
	o2 = make_output(f, &f->city, "speech", mine, 1);
	assert_int_equal(my_work_read(f->db, &a, year, &w), ERR_OK);
	assert_int_equal(w.person_id, me);
	assert_int_equal(w.noutputs, 2);
	assert_int_equal(w.npending, 1);
	for (i = 0; i < w.noutputs; i++) {
		if (w.outputs[i].id == o1) {
			assert_string_equal(w.outputs[i].role, "cosigner");
			assert_true(w.outputs[i].pending);
			seen++;
		}
		if (w.outputs[i].id == o2) {
			assert_string_equal(w.outputs[i].role, "lead");
			assert_string_equal(w.outputs[i].state, "draft");
			assert_false(w.outputs[i].pending);
			seen++;
		}
	}
	assert_int_equal(seen, 2);
	assert_int_equal(w.duty.year, year);
	my_work_release(&w);
	/* confirmed: no longer a pending request */
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, output_confirm(f->db, &a, o1, &e)), ERR_OK);
	assert_int_equal(my_work_read(f->db, &a, year, &w), ERR_OK);
	assert_int_equal(w.npending, 0);
	my_work_release(&w);
	/* an account without a person: empty; anonymous: sign in first */
	assert_int_equal(my_work_read(f->db, &f->city_guest, year, &w), ERR_OK);
	assert_int_equal(w.person_id, 0);
	assert_int_equal(w.noutputs, 0);
	my_work_release(&w);
	assert_int_equal(my_work_read(f->db, &f->anon, year, &w), ERR_AUTH);
	my_work_release(&w);
}

static void test_leader_reads_but_does_not_write(void **state)
{
	struct mfix *f = *state;
	int64_t lead = make_person(f, &f->city, "领导读");
	struct output_author_in au[1] = {{lead, "lead"}};
	int64_t out = make_output(f, &f->district, "proposal", au, 1);
	struct output_head h;
	struct actor a;
	struct user u;
	struct verr e;

	assert_int_equal(make_user(f, &f->city_admin, &f->city, "roles-lead1", "leader", 0, &u, &e),
			 ERR_OK);
	as_actor(&u, &f->city, &a);
	assert_true(actor_reads_as_staff(&a));
	assert_false(actor_reads_as_staff(&f->city_member));
	assert_false(actor_reads_as_staff(&f->anon));
	/* an output of the district below: read, not changed */
	assert_int_equal(output_authorize(f->db, &a, out, AUTHZ_READ, &h, NULL), ERR_OK);
	assert_int_equal(output_authorize(f->db, &a, out, AUTHZ_WRITE, &h, NULL), ERR_FORBIDDEN);
	/* topics, persons: not created or managed */
	assert_int_equal(topic_authorize_create(&a, &f->city), ERR_FORBIDDEN);
	assert_false(person_can_manage(&a, &f->city));
	/* an unrelated body's output is out of sight */
	{
		int64_t far = make_output(f, &f->other, "speech", NULL, 0);

		assert_int_equal(output_authorize(f->db, &a, far, AUTHZ_READ, &h, NULL),
				 ERR_NOT_FOUND);
	}
}

static void test_instruction(void **state)
{
	struct mfix *f = *state;
	int64_t lead = make_person(f, &f->city, "被批示的委员");
	struct output_author_in au[1] = {{lead, "lead"}};
	int64_t out = make_output(f, &f->district, "proposal", au, 1);
	int64_t draft = make_output(f, &f->city, "speech", NULL, 0);
	int64_t far = make_output(f, &f->other, "speech", NULL, 0);
	struct instruction_in in = {"请认真研究办理。", NULL, NULL};
	struct output_head h;
	struct output o;
	struct actor a, da;
	struct user u, du;
	struct verr e;
	int64_t aid = 0;
	size_t i;
	bool found = false;

	submit(f, out);
	submit(f, far);
	assert_int_equal(make_user(f, &f->city_admin, &f->city, "roles-lead2", "leader", 0, &u, &e),
			 ERR_OK);
	snprintf(u.display_name, sizeof(u.display_name), "李主席");
	as_actor(&u, &f->city, &a);
	assert_int_equal(
	    make_user(f, &f->city_admin, &f->district, "roles-lead3", "leader", 0, &du, &e),
	    ERR_OK);
	as_actor(&du, &f->district, &da);
	/* who may: a leader or an admin of the body or above; others 403, outsiders 404 */
	assert_int_equal(instruction_authorize(f->db, &a, out, &h), ERR_OK);
	assert_int_equal(instruction_authorize(f->db, &f->city_admin, out, &h), ERR_OK);
	assert_int_equal(instruction_authorize(f->db, &f->city_org, out, &h), ERR_FORBIDDEN);
	assert_int_equal(instruction_authorize(f->db, &f->city_member, out, &h), ERR_FORBIDDEN);
	assert_int_equal(instruction_authorize(f->db, &f->anon, out, &h), ERR_AUTH);
	assert_int_equal(instruction_authorize(f->db, &f->other_org, out, &h), ERR_NOT_FOUND);
	assert_int_equal(instruction_authorize(f->db, &a, far, &h), ERR_NOT_FOUND);
	assert_int_equal(instruction_authorize(f->db, &a, 999999, &h), ERR_NOT_FOUND);
	/* a district's leader sees the city's draft? no: above it */
	assert_int_equal(instruction_authorize(f->db, &da, draft, &h), ERR_NOT_FOUND);
	/* missing text, bad date */
	{
		struct instruction_in bad = {"", NULL, NULL};

		assert_int_equal(instruction_check(&bad, &e), ERR_INVALID);
		assert_string_equal(e.field, "text");
		bad.text = "好";
		bad.date = "2024-02-30";
		assert_int_equal(instruction_check(&bad, &e), ERR_INVALID);
		assert_string_equal(e.field, "date");
	}
	/* a draft: wrong state */
	assert_int_equal(instruction_authorize(f->db, &a, draft, &h), ERR_OK);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, instruction_record(f->db, &a, &h, &in, &aid, &e)),
			 ERR_CONFLICT);
	assert_string_equal(e.code, "state");
	/* the good path: stored on the output and as an adoption of kind instruction */
	assert_int_equal(instruction_authorize(f->db, &a, out, &h), ERR_OK);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, instruction_record(f->db, &a, &h, &in, &aid, &e)), ERR_OK);
	assert_true(aid > 0);
	assert_int_equal(output_get(f->db, out, &o), ERR_OK);
	assert_string_equal(o.instruction_text, "请认真研究办理。");
	assert_string_equal(o.instruction_by, "李主席");
	for (i = 0; i < o.nadoptions; i++)
		if (o.adoptions[i].id == aid) {
			assert_string_equal(o.adoptions[i].kind, "instruction");
			assert_string_equal(o.adoptions[i].issuer, "李主席");
			found = true;
		}
	assert_true(found);
	output_release(&o);
}

/* Migration 0011 rebuilt the accounts table with foreign keys off: they are on again, nothing
 * dangles, the audit log's guards (0009) are still there, and accounts are still referenced
 * by name (a sign-in row points to the new table). */
static void test_migration_left_the_schema_whole(void **state)
{
	struct mfix *f = *state;
	struct db_stmt *st;
	int64_t v = 0;

	if (db_dialect(f->db) == DB_POSTGRES) {
		/* no rebuild there (migrations/pg/0013_roles.sql): the guards are there, the
		 * widened CHECK takes a leader, foreign keys were never off */
		assert_int_equal(
		    db_get_int(f->db,
			       "SELECT COUNT(*) FROM information_schema.triggers"
			       " WHERE event_object_table = 'audit'"
			       " AND trigger_name IN ('audit_no_update', 'audit_no_delete')",
			       &v, NULL),
		    ERR_OK);
		assert_int_equal(v, 2);
		goto enforced;
	}
	assert_int_equal(db_get_int(f->db, "PRAGMA foreign_keys", &v, NULL), ERR_OK);
	assert_int_equal(v, 1);
	assert_int_equal(db_get_row(f->db, "PRAGMA foreign_key_check", &st, NULL), ERR_NOT_FOUND);
	assert_int_equal(db_get_int(f->db,
				    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger'"
				    " AND tbl_name = 'audit'",
				    &v, NULL),
			 ERR_OK);
	assert_int_equal(v, 2);
	assert_int_equal(
	    db_get_int(f->db, "SELECT COUNT(*) FROM sqlite_master WHERE sql LIKE '%users_new%'", &v,
		       NULL),
	    ERR_OK);
	assert_int_equal(v, 0);
enforced:
	/* enforced again: an account of a body that does not exist is refused */
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_not_equal(
	    mfix_commit(f, db_exec(f->db,
				   "INSERT INTO users (org_id, username, display_name, role,"
				   " password_hash, created_at, updated_at) VALUES (999999, 'x-fk',"
				   " 'x', 'leader', '!', ?, ?)",
				   "ii", (int64_t)0, (int64_t)0)),
	    ERR_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_leader_role_parses_and_is_stored),
	    cmocka_unit_test(test_link_person),
	    cmocka_unit_test(test_my_work),
	    cmocka_unit_test(test_leader_reads_but_does_not_write),
	    cmocka_unit_test(test_instruction),
	    cmocka_unit_test(test_migration_left_the_schema_whole),
	};

	return cmocka_run_group_tests_name("model_roles", tests, mfix_setup, mfix_teardown);
}
