/*
 * test_model_reminder.c - the events that notify (an invitation, an assignment, a reply,
 * an adoption), the caller's inbox (list, unread count, read, someone else's id), erasure,
 * and the reminder job at a fixed "now": reply_due and commitment_due seven days before and
 * on the day, each once, not for a commitment that is done.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/util.h"
#include "model/notify.h"
#include "model/output.h"
#include "model/person.h"
#include "model/privacy.h"
#include "model/scheduler.h"
#include "session_fixture.h"

static int64_t member_person; /* linked to the fixture's city_member account */
static int64_t handler_id;
static struct actor handler_acct; /* an account of the handling unit */

static int64_t count(struct mfix *f, const char *sql, int64_t id)
{
	int64_t n = -1;

	assert_int_equal(db_get_int(f->db, sql, &n, "i", id), ERR_OK);
	return n;
}

static const char inbox[] = "SELECT COUNT(*) FROM notification WHERE user_id = ?";

/* kinds counts the inbox rows of user of kind. */
static int64_t kinds(struct mfix *f, int64_t user, const char *kind)
{
	int64_t n = -1;

	assert_int_equal(
	    db_get_int(f->db, "SELECT COUNT(*) FROM notification WHERE user_id = ? AND kind = ?",
		       &n, "is", user, kind),
	    ERR_OK);
	return n;
}

static int group_setup(void **state)
{
	struct mfix *f;
	struct person p;
	struct verr e;
	int rc;

	if (mfix_setup(state))
		return -1;
	f = *state;
	memset(&p, 0, sizeof(p));
	p.org_id = f->city.id;
	p.user_id = f->city_member.user.id;
	snprintf(p.name, sizeof(p.name), "张委员");
	snprintf(p.category, sizeof(p.category), "member");
	snprintf(p.email, sizeof(p.email), "zhang@example.org");
	rc = mfix_begin(f);
	if (!rc)
		rc = person_create(f->db, &f->sys, &p, &e);
	if (!rc)
		rc = handler_create(f->db, &f->sys, f->city.id, "市交通局", &handler_id, &e);
	if (mfix_commit(f, rc))
		return -1;
	member_person = p.id;
	if (mfix_actor(f, &f->city, "traffic", "member", &handler_acct))
		return -1;
	return db_exec(f->db, "UPDATE users SET handler_id = ? WHERE id = ?", "ii", handler_id,
		       handler_acct.user.id)
		   ? -1
		   : 0;
}

static int group_teardown(void **state)
{
	return mfix_teardown(state);
}

static void test_invitation_notifies(void **state)
{
	struct mfix *f = *state;
	int64_t s = sfix_session(f, &f->city_org, &f->city, sfix_topic(f, &f->city, "夜间公交"),
				 "夜间公交深聊会", "public", FORMAT_SECTOR);
	int64_t inv, before = kinds(f, f->city_member.user.id, "invitation");
	struct notification_list l;
	struct verr e;

	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, invitation_add(f->db, &f->city_org, s, member_person,
						       "member", &inv, &e)),
			 ERR_OK);
	assert_int_equal(kinds(f, f->city_member.user.id, "invitation"), before + 1);
	assert_int_equal(notify_list(f->db, &f->city_member, 0, 1, &l), ERR_OK);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.items[0].kind, "invitation");
	assert_string_equal(l.items[0].subject, "夜间公交深聊会");
	assert_string_equal(l.items[0].link, "/invitations");
	assert_false(l.items[0].read);
	notification_list_release(&l);
}

static int64_t make_output(struct mfix *f, const char *title)
{
	struct output_author_in author = {member_person, "lead"};
	struct output_in in;
	struct verr e;
	int64_t id = 0;

	output_in_init(&in);
	in.kind = "proposal";
	in.title = title;
	in.body = "建议增开夜班公交线路。";
	in.authors = &author;
	in.nauthors = 1;
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, output_create(f->db, &f->sys, f->city.id, &in, &id, &e)),
			 ERR_OK);
	return id;
}

static void move(struct mfix *f, int64_t id, const char *to, int64_t reply_due)
{
	struct output_move m;
	struct verr e = {0};
	int rc;

	memset(&m, 0, sizeof(m));
	m.to = to;
	m.lead_handlers = &handler_id;
	m.nlead = 1;
	m.reply_due = reply_due;
	m.reply_text = "已研究办理。";
	m.grade = "A";
	rc = mfix_begin(f);
	if (!rc)
		rc = output_transition(f->db, &f->sys, id, &m, &e);
	if (mfix_commit(f, rc))
		fail_msg("move to %s: %s", to, e.en);
}

static void test_workflow_notifies(void **state)
{
	struct mfix *f = *state;
	int64_t id = make_output(f, "关于增开夜班公交的提案"), aid;
	int64_t member = f->city_member.user.id, unit = handler_acct.user.id;
	struct adoption_in ad = {"department", "市交通局采纳", "市交通局", "", NULL, NULL, NULL};
	struct verr e;

	move(f, id, "submitted", 0);
	move(f, id, "accepted", 0);
	assert_int_equal(kinds(f, unit, "assignment"), 0);
	move(f, id, "assigned", 0);
	assert_int_equal(kinds(f, unit, "assignment"), 1);
	assert_int_equal(kinds(f, member, "reply_received"), 0);
	move(f, id, "replied", 0);
	assert_int_equal(kinds(f, member, "reply_received"), 1);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, adoption_add(f->db, &f->city_org, id, &ad, &aid, &e)),
			 ERR_OK);
	assert_int_equal(kinds(f, member, "adoption"), 1);
}

static void test_inbox_read(void **state)
{
	struct mfix *f = *state;
	struct notification_list l, page2;
	int64_t unread = -1, first, other_id;
	int n = -1;

	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, notify_user(f->db, f->city.id, f->city_org.user.id,
						    "topic_decision", "议题", "/topics/1")),
			 ERR_OK);
	other_id = db_last_id(f->db);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, notify_user(f->db, f->city.id, f->city_member.user.id,
						    "cosign_request", "提案", "/outputs/9")),
			 ERR_OK);
	assert_int_equal(notify_unread(f->db, &f->city_member, &unread), ERR_OK);
	assert_true(unread >= 2);
	/* newest first, paged by id */
	assert_int_equal(notify_list(f->db, &f->city_member, 0, 1, &l), ERR_OK);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.items[0].kind, "cosign_request");
	first = l.items[0].id;
	assert_int_equal(notify_list(f->db, &f->city_member, first, 100, &page2), ERR_OK);
	assert_int_equal(page2.n, (size_t)unread - 1);
	assert_true(page2.items[0].id < first);
	notification_list_release(&page2);
	notification_list_release(&l);
	/* read one's own: ERR_OK; someone else's is as if absent; anonymous is not signed in */
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, notify_mark_read(f->db, &f->city_member, first, 100)),
			 ERR_OK);
	assert_int_equal(notify_unread(f->db, &f->city_member, &unread), ERR_OK);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, notify_mark_read(f->db, &f->city_member, other_id, 100)),
			 ERR_NOT_FOUND);
	assert_int_equal(notify_mark_read(f->db, &f->anon, first, 100), ERR_AUTH);
	assert_int_equal(notify_list(f->db, &f->anon, 0, 10, &l), ERR_AUTH);
	assert_int_equal(count(f,
			       "SELECT COUNT(*) FROM notification WHERE id = ? AND read_at"
			       " IS NULL",
			       other_id),
			 1);
	/* all read */
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, notify_mark_all_read(f->db, &f->city_member, 200, &n)),
			 ERR_OK);
	assert_int_equal(n, (int)unread);
	assert_int_equal(notify_unread(f->db, &f->city_member, &unread), ERR_OK);
	assert_int_equal(unread, 0);
	assert_int_equal(notify_unread(f->db, &f->city_org, &unread), ERR_OK);
	assert_int_equal(unread, 1);
}

/* reminders runs the job at now in a transaction and returns how many it sent. */
static int reminders(struct mfix *f, int64_t now)
{
	int sent = -1;

	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, notify_reminders(f->db, now, &sent)), ERR_OK);
	return sent;
}

static void test_reply_due(void **state)
{
	struct mfix *f = *state;
	int64_t now, due, id = make_output(f, "关于公交站台遮雨棚的提案");
	int64_t unit = handler_acct.user.id;

	/* the job of today sends whatever the earlier tests left due; start from there */
	assert_int_equal(time_parse("2031-05-01T09:00", &now), ERR_OK);
	(void)reminders(f, now);
	assert_int_equal(time_parse("2031-05-11T17:00", &due), ERR_OK);
	move(f, id, "submitted", 0);
	move(f, id, "accepted", 0);
	move(f, id, "assigned", due);
	/* eleven days before, nothing; ten to eight, nothing */
	assert_int_equal(reminders(f, now), 0);
	assert_int_equal(time_parse("2031-05-03T23:59", &now), ERR_OK);
	assert_int_equal(reminders(f, now), 0);
	/* seven days before (China's day, 2031-05-04 00:10 +08:00): once */
	assert_int_equal(time_parse("2031-05-04T00:10", &now), ERR_OK);
	assert_int_equal(reminders(f, now), 1);
	assert_int_equal(kinds(f, unit, "reply_due"), 1);
	assert_int_equal(reminders(f, now + 60), 0);
	assert_int_equal(time_parse("2031-05-09T12:00", &now), ERR_OK);
	assert_int_equal(reminders(f, now), 0);
	/* on the day: once more */
	assert_int_equal(time_parse("2031-05-11T08:00", &now), ERR_OK);
	assert_int_equal(reminders(f, now), 1);
	assert_int_equal(reminders(f, now + 3600), 0);
	assert_int_equal(kinds(f, unit, "reply_due"), 2);
	/* the day after: not again; and not once replied */
	assert_int_equal(reminders(f, now + 86400), 0);
	move(f, id, "replied", 0);
	assert_int_equal(reminders(f, now), 0);
}

static void test_commitment_due(void **state)
{
	struct mfix *f = *state;
	static const char *const to_live[] = {"scheduled", "live"};
	int64_t s = 0, official, now, c1, c2, member = f->city_member.user.id;
	struct session_in in;
	struct verr e;

	session_in_init(&in);
	in.topic_id = sfix_topic(f, &f->city, "电梯");
	in.title = "加装电梯对口聊";
	in.formats = FORMAT_COUNTERPART;
	in.department = "住建局";
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, session_create(f->db, &f->city_org, f->city.id, &in, &s, &e)), ERR_OK);
	official = sfix_person(f, &f->city, "李处长", "official", "住建局");
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, invitation_add(f->db, &f->city_org, s, official, "official", &c1, &e)),
	    ERR_OK);
	sfix_move(f, s, to_live, 2);
	assert_int_equal(time_parse("2032-03-01T09:00", &now), ERR_OK);
	(void)reminders(f, now);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, commitment_add(f->db, &f->city_org, s, "住建局", member_person,
					  "三个月内完成试点", "2032-03-08", &c1, &e)),
	    ERR_OK);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, commitment_add(f->db, &f->city_org, s, "住建局", member_person,
					  "已完成的事", "2032-03-08", &c2, &e)),
	    ERR_OK);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, commitment_set_status(f->db, &f->city_org, c2, "done", &e)),
			 ERR_OK);
	/* due in seven days: the open one, once */
	assert_int_equal(reminders(f, now), 1);
	assert_int_equal(reminders(f, now), 0);
	assert_int_equal(kinds(f, member, "commitment_due"), 1);
	assert_int_equal(count(f,
			       "SELECT COUNT(*) FROM reminder_sent WHERE kind = 'commitment_due'"
			       " AND entity_id = ?",
			       c1),
			 1);
	/* in progress and due today */
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, commitment_set_status(f->db, &f->city_org, c1, "in_progress", &e)),
	    ERR_OK);
	assert_int_equal(reminders(f, now + 7 * 86400), 1);
	assert_int_equal(reminders(f, now + 7 * 86400 + 60), 0);
	assert_int_equal(kinds(f, member, "commitment_due"), 2);
}

static void test_erase(void **state)
{
	struct mfix *f = *state;
	int64_t pid = sfix_person(f, &f->city, "待删委员", "member", NULL), pmails;
	struct person_erasure out;
	struct actor acct;
	struct verr e;

	assert_int_equal(mfix_actor(f, &f->city, "to-erase", "member", &acct), 0);
	assert_int_equal(db_exec(f->db,
				 "UPDATE person SET user_id = ?, email = 'x@example.org'"
				 " WHERE id = ?",
				 "ii", acct.user.id, pid),
			 ERR_OK);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, notify_person(f->db, f->city.id, pid, "invitation", "会",
						      "/invitations")),
			 ERR_OK);
	assert_int_equal(count(f, inbox, acct.user.id), 1);
	pmails = count(f,
		       "SELECT COUNT(*) FROM mail_queue WHERE notification_id IN (SELECT id FROM"
		       " notification WHERE person_id = ?)",
		       pid);
	assert_int_equal(pmails, 1);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, person_erase(f->db, &f->city_admin, pid, &out, &e)),
			 ERR_OK);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM notification WHERE person_id = ?", pid), 0);
	assert_int_equal(count(f, inbox, acct.user.id), 0);
	assert_int_equal(
	    count(f, "SELECT COUNT(*) FROM mail_queue WHERE to_addr = 'x@example.org' AND ? > 0",
		  1),
	    0);
}

/* two processes: the one holding the lease runs the tick, the other waits its turn */
static void test_scheduler_tick(void **state)
{
	struct mfix *f = *state;
	struct db *other = NULL;
	int64_t now, id = make_output(f, "关于学校门口交通的提案"), due;
	bool ran = false;
	int sent = -1;

	assert_int_equal(time_parse("2033-01-01T09:00", &now), ERR_OK);
	assert_int_equal(scheduler_tick(f->db, "proc-a", now, 125, &ran, &sent), ERR_OK);
	assert_true(ran);
	assert_int_equal(time_parse("2033-01-05T12:00", &due), ERR_OK);
	move(f, id, "submitted", 0);
	move(f, id, "accepted", 0);
	move(f, id, "assigned", due);
	assert_int_equal(db_open(f->path, 0, &other), ERR_OK);
	assert_int_equal(scheduler_tick(other, "proc-b", now + 60, 125, &ran, &sent), ERR_OK);
	assert_false(ran);
	assert_int_equal(sent, 0);
	assert_int_equal(scheduler_tick(f->db, "proc-a", now + 60, 125, &ran, &sent), ERR_OK);
	assert_true(ran);
	assert_int_equal(sent, 1);
	/* proc-a stopped renewing: after its lease ran out proc-b takes over, nothing twice */
	assert_int_equal(scheduler_tick(other, "proc-b", now + 300, 125, &ran, &sent), ERR_OK);
	assert_true(ran);
	assert_int_equal(sent, 0);
	db_close(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_invitation_notifies), cmocka_unit_test(test_workflow_notifies),
	    cmocka_unit_test(test_inbox_read),		cmocka_unit_test(test_reply_due),
	    cmocka_unit_test(test_commitment_due),	cmocka_unit_test(test_erase),
	    cmocka_unit_test(test_scheduler_tick),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
