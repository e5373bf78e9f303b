/*
 * test_model_notify.c - notifications: who gets an inbox row, who an e-mail, and that an
 * unknown kind is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "model/notify.h"
#include "model/output.h"
#include "model/person.h"
#include "model_fixture.h"

static int64_t count(struct mfix *f, const char *sql, int64_t id)
{
	int64_t n = -1;

	assert_int_equal(db_get_int(f->db, sql, &n, "i", id), ERR_OK);
	return n;
}

static int64_t make_person(struct mfix *f, const char *name, const char *email, int64_t user_id)
{
	struct person p;
	struct verr e;

	memset(&p, 0, sizeof(p));
	p.org_id = f->city.id;
	p.user_id = user_id;
	snprintf(p.name, sizeof(p.name), "%s", name);
	snprintf(p.category, sizeof(p.category), "member");
	snprintf(p.email, sizeof(p.email), "%s", email);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, person_create(f->db, &f->city_org, &p, &e)), ERR_OK);
	return p.id;
}

static const char inbox[] = "SELECT COUNT(*) FROM notification WHERE user_id = ?";
static const char mails[] = "SELECT COUNT(*) FROM mail_queue q JOIN notification n"
			    " ON n.id = q.notification_id WHERE n.person_id = ?";

static void test_person_with_account_and_email(void **state)
{
	struct mfix *f = *state;
	int64_t pid = make_person(f, "张委员", "zhang@example.org", f->city_member.user.id);

	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, notify_person(f->db, f->city.id, pid, "invitation", "会议",
						      "/sessions/1")),
			 ERR_OK);
	assert_int_equal(count(f, inbox, f->city_member.user.id), 1);
	assert_int_equal(count(f, mails, pid), 1);
	/* the account side finds the same person and address */
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, notify_user(f->db, f->city.id, f->city_member.user.id,
						    "adoption", "提案", "/outputs/1")),
			 ERR_OK);
	assert_int_equal(count(f, inbox, f->city_member.user.id), 2);
	assert_int_equal(count(f, mails, pid), 2);
}

static void test_person_without_account(void **state)
{
	struct mfix *f = *state;
	int64_t quiet = make_person(f, "李专家", "", 0);
	int64_t mail_only = make_person(f, "王专家", "wang@example.org", 0);

	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, notify_person(f->db, f->city.id, quiet, "invitation", "会",
						      "/sessions/1")),
			 ERR_OK);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM notification WHERE person_id = ?", quiet),
			 0);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, notify_person(f->db, f->city.id, mail_only, "invitation",
						      "会", "/sessions/1")),
			 ERR_OK);
	assert_int_equal(count(f, mails, mail_only), 1);
}

static void test_handler_accounts_and_bad_kind(void **state)
{
	struct mfix *f = *state;
	struct actor h1, h2;
	int64_t hid = 0;
	struct verr e;

	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, handler_create(f->db, &f->city_org, f->city.id, "市交通局", &hid, &e)),
	    ERR_OK);
	assert_int_equal(mfix_actor(f, &f->city, "traffic-1", "member", &h1), 0);
	assert_int_equal(mfix_actor(f, &f->city, "traffic-2", "member", &h2), 0);
	assert_int_equal(db_exec(f->db, "UPDATE users SET handler_id = ? WHERE id IN (?, ?)", "iii",
				 hid, h1.user.id, h2.user.id),
			 ERR_OK);
	assert_int_equal(
	    db_exec(f->db, "UPDATE users SET disabled = TRUE WHERE id = ?", "i", h2.user.id),
	    ERR_OK);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, notify_handler(f->db, f->city.id, hid, "assignment", "提案",
						       "/outputs/1")),
			 ERR_OK);
	assert_int_equal(count(f, inbox, h1.user.id), 1);
	assert_int_equal(count(f, inbox, h2.user.id), 0); /* disabled */
	assert_false(notify_kind_known("nonsense"));
	assert_int_equal(notify_user(f->db, f->city.id, h1.user.id, "nonsense", "", ""),
			 ERR_INVALID);
}

static int group_setup(void **state)
{
	return mfix_setup(state);
}

static int group_teardown(void **state)
{
	return mfix_teardown(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_person_with_account_and_email),
	    cmocka_unit_test(test_person_without_account),
	    cmocka_unit_test(test_handler_accounts_and_bad_kind),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
