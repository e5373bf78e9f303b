/*
 * test_model_mailq.c - the mail queue (model/mailq.h): the backoff, the claim that lets one
 * process of several send a row, a claim that expires when its process died, a failure
 * that moves the row by the backoff, a failure reported on a lost claim, and a sent row
 * that is never sent again. On a real migrated database, rows written by notify_person.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/util.h"
#include "model/mailq.h"
#include "model/notify.h"
#include "model/person.h"

#include "model_fixture.h"

/* queue_mail makes a person with address email in the city and notifies them: one row. */
static void queue_mail(struct mfix *f, const char *name, const char *email)
{
	struct person p;
	struct verr e;

	memset(&p, 0, sizeof(p));
	p.org_id = f->city.id;
	snprintf(p.name, sizeof(p.name), "%s", name);
	snprintf(p.category, sizeof(p.category), "expert");
	snprintf(p.email, sizeof(p.email), "%s", email);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, person_create(f->db, &f->city_org, &p, &e)), ERR_OK);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, notify_person(f->db, f->city.id, p.id, "invitation",
						      "社区养老服务深聊会", "/sessions/7")),
			 ERR_OK);
}

/* drain marks every row due before the far future sent, so each test starts empty. */
static void drain(struct mfix *f)
{
	struct mailq_item it;
	int64_t far = time_now() + 10 * 365 * 86400;

	while (mailq_claim(f->db, far, 60, &it) == ERR_OK) {
		assert_int_equal(mailq_sent(f->db, &it, far), ERR_OK);
		mailq_item_fini(&it);
	}
}

static int64_t row_int(struct mfix *f, const char *sql, int64_t id)
{
	int64_t v = -1;

	assert_int_equal(db_get_int(f->db, sql, &v, "i", id), ERR_OK);
	return v;
}

static void test_backoff(void **state)
{
	(void)state;
	assert_int_equal(mailq_backoff(0), 1);
	assert_int_equal(mailq_backoff(1), 1);
	assert_int_equal(mailq_backoff(2), 2);
	assert_int_equal(mailq_backoff(3), 4);
	assert_int_equal(mailq_backoff(4), 8);
	assert_int_equal(mailq_backoff(12), 2048);
	assert_int_equal(mailq_backoff(13), MAILQ_BACKOFF_MAX_S);
	assert_int_equal(mailq_backoff(1000000), MAILQ_BACKOFF_MAX_S);
	assert_int_equal(MAILQ_BACKOFF_MAX_S, 3600);
}

static void test_claim_and_sent(void **state)
{
	struct mfix *f = *state;
	struct mailq_item it, again;
	int64_t now = time_now() + 5;

	drain(f);
	assert_int_equal(mailq_claim(f->db, now, 120, &it), ERR_NOT_FOUND);
	queue_mail(f, "邮件甲", "jia@example.cn");
	/* a row is not due before its next_at */
	assert_int_equal(mailq_claim(f->db, now - 3600, 120, &it), ERR_NOT_FOUND);
	assert_int_equal(mailq_claim(f->db, now, 120, &it), ERR_OK);
	assert_string_equal(it.to, "jia@example.cn");
	assert_string_equal(it.kind, "invitation");
	assert_string_equal(it.subject, "社区养老服务深聊会");
	assert_string_equal(it.link, "/sessions/7");
	assert_int_equal(it.attempts, 0);
	assert_int_equal(it.claim_at, now + 120);
	assert_true(it.notification_id > 0);
	/* held by the claim: nobody else gets it while it lasts */
	assert_int_equal(mailq_claim(f->db, now, 120, &again), ERR_NOT_FOUND);
	assert_int_equal(mailq_claim(f->db, now + 119, 120, &again), ERR_NOT_FOUND);
	assert_int_equal(mailq_sent(f->db, &it, now + 1), ERR_OK);
	assert_int_equal(row_int(f, "SELECT sent_at FROM mail_queue WHERE id = ?", it.id), now + 1);
	/* sent: never due again, even when the claim has long expired */
	assert_int_equal(mailq_claim(f->db, now + 100000, 120, &again), ERR_NOT_FOUND);
	mailq_item_fini(&it);
}

static void test_claim_expires(void **state)
{
	struct mfix *f = *state;
	struct mailq_item it, again;
	int64_t now = time_now() + 5;

	drain(f);
	queue_mail(f, "邮件乙", "yi@example.cn");
	assert_int_equal(mailq_claim(f->db, now, 120, &it), ERR_OK);
	/* the process that claimed it died: at the claim's expiry the row is due again */
	assert_int_equal(mailq_claim(f->db, now + 120, 120, &again), ERR_OK);
	assert_int_equal(again.id, it.id);
	assert_int_equal(again.claim_at, now + 240);
	/* the dead process's failure, were it to come late, does not disturb the new claim */
	assert_int_equal(mailq_failed(f->db, &it, now + 121, "late"), ERR_OK);
	assert_int_equal(row_int(f, "SELECT attempts FROM mail_queue WHERE id = ?", it.id), 0);
	assert_int_equal(row_int(f, "SELECT next_at FROM mail_queue WHERE id = ?", it.id),
			 now + 240);
	assert_int_equal(mailq_sent(f->db, &again, now + 130), ERR_OK);
	mailq_item_fini(&it);
	mailq_item_fini(&again);
}

static void test_failure_backs_off(void **state)
{
	struct mfix *f = *state;
	struct mailq_item it;
	struct db_stmt *st;
	int64_t now = time_now() + 5, id;

	drain(f);
	queue_mail(f, "邮件丙", "bing@example.cn");
	assert_int_equal(mailq_claim(f->db, now, 120, &it), ERR_OK);
	id = it.id;
	assert_int_equal(mailq_failed(f->db, &it, now, "Couldn't connect to server"), ERR_OK);
	mailq_item_fini(&it);
	assert_int_equal(db_get_row(f->db,
				    "SELECT attempts, next_at, sent_at IS NULL, last_error FROM"
				    " mail_queue WHERE id = ?",
				    &st, "i", id),
			 ERR_OK);
	assert_int_equal(db_col_int(st, 0), 1);
	assert_int_equal(db_col_int(st, 1), now + 1);
	assert_int_equal(db_col_int(st, 2), 1);
	assert_string_equal(db_col_text(st, 3), "Couldn't connect to server");
	db_done(st);
	/* waits its backoff, then comes again with the attempts counted */
	assert_int_equal(mailq_claim(f->db, now, 120, &it), ERR_NOT_FOUND);
	assert_int_equal(mailq_claim(f->db, now + 1, 120, &it), ERR_OK);
	assert_int_equal(it.attempts, 1);
	assert_int_equal(mailq_failed(f->db, &it, now + 1, "again"), ERR_OK);
	mailq_item_fini(&it);
	assert_int_equal(row_int(f, "SELECT next_at FROM mail_queue WHERE id = ?", id), now + 3);
	assert_int_equal(mailq_claim(f->db, now + 3, 120, &it), ERR_OK);
	assert_int_equal(it.attempts, 2);
	assert_int_equal(mailq_failed(f->db, &it, now + 3, ""), ERR_OK);
	mailq_item_fini(&it);
	assert_int_equal(row_int(f, "SELECT next_at FROM mail_queue WHERE id = ?", id), now + 7);
	/* a long reason is cut, and not inside a character */
	assert_int_equal(mailq_claim(f->db, now + 7, 120, &it), ERR_OK);
	{
		char lng[2000];
		size_t i;

		for (i = 0; i < 600; i++)
			memcpy(lng + 3 * i, "错", 3);
		lng[3 * 600] = '\0';
		assert_int_equal(mailq_failed(f->db, &it, now + 7, lng), ERR_OK);
	}
	mailq_item_fini(&it);
	assert_int_equal(
	    db_get_row(f->db, "SELECT last_error FROM mail_queue WHERE id = ?", &st, "i", id),
	    ERR_OK);
	assert_true(db_col_len(st, 0) <= 500 && db_col_len(st, 0) >= 495);
	assert_int_equal(db_col_len(st, 0) % 3, 0);
	db_done(st);
	assert_int_equal(row_int(f, "SELECT attempts FROM mail_queue WHERE id = ?", id), 4);
}

static void test_oldest_first(void **state)
{
	struct mfix *f = *state;
	struct mailq_item a, b;
	int64_t now = time_now() + 5;

	drain(f);
	queue_mail(f, "邮件丁", "ding@example.cn");
	queue_mail(f, "邮件戊", "wu@example.cn");
	assert_int_equal(mailq_claim(f->db, now, 120, &a), ERR_OK);
	assert_int_equal(mailq_claim(f->db, now, 120, &b), ERR_OK);
	assert_string_equal(a.to, "ding@example.cn");
	assert_string_equal(b.to, "wu@example.cn");
	assert_int_equal(mailq_sent(f->db, &a, now), ERR_OK);
	assert_int_equal(mailq_sent(f->db, &b, now), ERR_OK);
	mailq_item_fini(&a);
	mailq_item_fini(&b);
}

/* Two connections to one file, as two processes would have: each row goes to one. */
static void test_two_processes(void **state)
{
	struct mfix *f = *state;
	struct mailq_item a, b, c;
	int64_t now = time_now() + 5;
	struct db *other;

	drain(f);
	queue_mail(f, "邮件己", "ji@example.cn");
	assert_int_equal(db_open(f->path, 0, &other), ERR_OK);
	assert_int_equal(mailq_claim(other, now, 120, &a), ERR_OK);
	assert_int_equal(mailq_claim(f->db, now, 120, &b), ERR_NOT_FOUND);
	queue_mail(f, "邮件庚", "geng@example.cn");
	assert_int_equal(mailq_claim(f->db, now, 120, &b), ERR_OK);
	assert_int_equal(mailq_claim(other, now, 120, &c), ERR_NOT_FOUND);
	assert_string_equal(a.to, "ji@example.cn");
	assert_string_equal(b.to, "geng@example.cn");
	assert_int_equal(mailq_sent(other, &a, now), ERR_OK);
	assert_int_equal(mailq_sent(f->db, &b, now), ERR_OK);
	mailq_item_fini(&a);
	mailq_item_fini(&b);
	db_close(other);
}

/* A person without an address gets no mail row; an erased one nothing at all. */
static void test_no_address_no_row(void **state)
{
	struct mfix *f = *state;
	struct mailq_item it;

	drain(f);
	queue_mail(f, "无邮箱", "");
	assert_int_equal(mailq_claim(f->db, time_now() + 5, 120, &it), ERR_NOT_FOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_backoff),	      cmocka_unit_test(test_claim_and_sent),
	    cmocka_unit_test(test_claim_expires),     cmocka_unit_test(test_failure_backs_off),
	    cmocka_unit_test(test_oldest_first),      cmocka_unit_test(test_two_processes),
	    cmocka_unit_test(test_no_address_no_row),
	};

	return cmocka_run_group_tests_name("model_mailq", tests, mfix_setup, mfix_teardown);
}
