/*
 * test_model_room.c - the live room's model against a real temporary database: room_set
 * and room_get (defaults, changes, the join code, bad moderation), statements (too long,
 * empty, missing, duplicate, in a closed room; pre-moderation), votes (the latest wins,
 * a bad value, a statement not accepted), moderation (audited, bad status), and
 * room_authorize across bodies (own, above, below, unrelated), roles and anonymous callers.
 *
 * A session reaches "live" or "closed" here through a direct UPDATE: the transitions would
 * need invitations and rules that are another module's tests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "model/store.h"
#include "model_fixture.h"
#include "model/room.h"
#include "model/session.h"

static int group_setup(void **state)
{
	return mfix_setup(state);
}

static int group_teardown(void **state)
{
	return mfix_teardown(state);
}

/* make_session: a session of the city, its topic approved; visibility "internal" or
 * "public"; status set directly when not "draft". */
static int64_t make_session(struct mfix *f, const char *visibility, const char *status)
{
	struct topic_in t;
	struct session_in s;
	struct verr e = {0};
	int64_t topic, id;

	topic_in_init(&t);
	t.title = "城市更新中的老旧小区改造";
	t.domain = "society";
	t.origin = "member";
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, topic_create(f->db, &f->city_org, f->city.id, &t, &topic, &e)), ERR_OK);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, topic_transition(f->db, &f->city_org, topic, "approved", &e)), ERR_OK);
	session_in_init(&s);
	s.title = "老旧小区改造深聊会";
	s.topic_id = topic;
	s.visibility = visibility;
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, session_create(f->db, &f->city_org, f->city.id, &s, &id, &e)), ERR_OK);
	if (strcmp(status, "draft") != 0)
		assert_int_equal(
		    db_exec(f->db, "UPDATE session SET status = ? WHERE id = ?", "si", status, id),
		    ERR_OK);
	return id;
}

static struct room make_room(struct mfix *f, int64_t session, int anonymous, const char *mod)
{
	struct room r;
	struct verr e = {0};

	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, room_set(f->db, &f->city_org, session, anonymous, mod, 1, &r, &e)),
	    ERR_OK);
	return r;
}

static int add_statement(struct mfix *f, const struct room *r, const char *text, int64_t *id,
			 struct verr *e)
{
	assert_int_equal(mfix_begin(f), ERR_OK);
	return mfix_commit(f, statement_add(f->db, r, 0, text, id, e));
}

static void test_room_set_get(void **state)
{
	struct mfix *f = *state;
	int64_t s = make_session(f, "internal", "live");
	struct room r, g, by;
	struct verr e = {0};

	assert_int_equal(room_get(f->db, s, &g), ERR_NOT_FOUND);
	r = make_room(f, s, -1, NULL);
	assert_int_equal(r.session_id, s);
	assert_int_equal(r.org_id, f->city.id);
	assert_int_equal(strlen(r.code), 6);
	assert_true(r.open);
	assert_false(r.anonymous);
	assert_string_equal(r.moderation, "post");
	assert_int_equal(room_get(f->db, s, &g), ERR_OK);
	assert_string_equal(g.code, r.code);
	assert_int_equal(room_by_code(f->db, r.code, &by), ERR_OK);
	assert_int_equal(by.session_id, s);
	assert_int_equal(room_by_code(f->db, "NOPE42", &by), ERR_NOT_FOUND);

	/* a change keeps the code and what it does not name */
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, room_set(f->db, &f->city_org, s, 1, "pre", -1, &g, &e)),
			 ERR_OK);
	assert_string_equal(g.code, r.code);
	assert_true(g.anonymous);
	assert_true(g.open);
	assert_string_equal(g.moderation, "pre");
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, room_set(f->db, &f->city_org, s, -1, NULL, 0, &g, &e)),
			 ERR_OK);
	assert_false(g.open);
	assert_true(g.anonymous);

	/* bad moderation; a session that does not exist */
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, room_set(f->db, &f->city_org, s, -1, "later", -1, &g, &e)),
			 ERR_INVALID);
	assert_string_equal(e.field, "moderation");
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, room_set(f->db, &f->city_org, 999999, -1, NULL, -1, &g, &e)),
	    ERR_NOT_FOUND);
}

static void test_statement_create(void **state)
{
	struct mfix *f = *state;
	int64_t s = make_session(f, "internal", "live"), id, id2;
	struct room r = make_room(f, s, 0, "post"), pre, closed;
	struct statement st;
	struct statement_list l;
	struct verr e = {0};
	char longtext[300 * 3 + 1];

	assert_int_equal(add_statement(f, &r, "加装电梯的费用应由谁分担", &id, &e), ERR_OK);
	assert_int_equal(statement_get(f->db, id, &st), ERR_OK);
	assert_int_equal(st.session_id, s);
	assert_int_equal(st.org_id, f->city.id);
	assert_string_equal(st.text, "加装电梯的费用应由谁分担");
	assert_string_equal(st.status, "accepted"); /* post-moderation */
	assert_int_equal(st.author, STATEMENT_BY_NONE);
	assert_int_equal(st.agree + st.disagree + st.pass, 0);
	assert_true(st.created_at > 0);
	statement_release(&st);
	assert_null(st.text);
	assert_int_equal(statement_get(f->db, 999999, &st), ERR_NOT_FOUND);

	/* empty, missing, too long (281 characters of three bytes), the same again */
	assert_int_equal(add_statement(f, &r, "", &id2, &e), ERR_INVALID);
	assert_string_equal(e.field, "text");
	assert_int_equal(add_statement(f, &r, NULL, &id2, &e), ERR_INVALID);
	assert_string_equal(e.code, "required");
	longtext[0] = '\0';
	for (int i = 0; i < 281; i++)
		strcat(longtext, "观");
	assert_int_equal(add_statement(f, &r, longtext, &id2, &e), ERR_INVALID);
	assert_string_equal(e.field, "text");
	longtext[280 * 3] = '\0'; /* 280 characters: fits */
	assert_int_equal(add_statement(f, &r, longtext, &id2, &e), ERR_OK);
	assert_int_equal(add_statement(f, &r, "加装电梯的费用应由谁分担", &id2, &e), ERR_CONFLICT);
	assert_string_equal(e.code, "conflict");

	/* pre-moderation: pending, not in the participants' list, in the moderators' */
	pre = make_room(f, make_session(f, "internal", "live"), 0, "pre");
	assert_int_equal(add_statement(f, &pre, "停车位应优先给老人", &id2, &e), ERR_OK);
	assert_int_equal(statement_get(f->db, id2, &st), ERR_OK);
	assert_string_equal(st.status, "pending");
	statement_release(&st);
	assert_int_equal(statement_list(f->db, pre.session_id, false, 0, &l), ERR_OK);
	assert_int_equal(l.n, 0);
	statement_list_release(&l);
	assert_int_equal(statement_list(f->db, pre.session_id, true, 0, &l), ERR_OK);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.items[0].id, id2);
	statement_list_release(&l);

	/* a closed room takes nothing */
	closed = make_room(f, make_session(f, "internal", "live"), 0, "post");
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, room_set(f->db, &f->city_org, closed.session_id, -1, NULL,
						 0, &closed, &e)),
			 ERR_OK);
	assert_int_equal(add_statement(f, &closed, "太晚了", &id2, &e), ERR_CONFLICT);
	assert_string_equal(e.code, "closed");
}

static int put_vote(struct mfix *f, const struct statement_head *h, int64_t pid, int v,
		    struct verr *e)
{
	assert_int_equal(mfix_begin(f), ERR_OK);
	return mfix_commit(f, vote_put(f->db, h, pid, v, e));
}

static void test_votes(void **state)
{
	struct mfix *f = *state;
	int64_t s = make_session(f, "public", "live"), id, pending, p1, p2, again;
	struct room r = make_room(f, s, 1, "post");
	struct statement_head h, hp;
	struct statement_list l;
	struct statement st;
	struct verr e = {0};

	assert_int_equal(add_statement(f, &r, "小区应设议事会", &id, &e), ERR_OK);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(participant_of_user(f->db, &r, &f->city_member.user, &p1), ERR_OK);
	assert_int_equal(participant_of_anon(f->db, &r, "hash-of-a-cookie", "expert", &p2), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, participant_of_user(f->db, &r, &f->city_member.user, &again)), ERR_OK);
	assert_int_equal(again, p1); /* made once */
	assert_int_not_equal(p1, p2);
	assert_int_equal(statement_head(f->db, id, &h), ERR_OK);

	assert_int_equal(put_vote(f, &h, p1, 1, &e), ERR_OK);
	assert_int_equal(put_vote(f, &h, p2, 1, &e), ERR_OK);
	assert_int_equal(put_vote(f, &h, p1, -1, &e), ERR_OK); /* the latest wins */
	assert_int_equal(put_vote(f, &h, p1, 2, &e), ERR_INVALID);
	assert_string_equal(e.field, "vote");
	assert_int_equal(put_vote(f, &h, p1, -2, &e), ERR_INVALID);
	assert_int_equal(statement_get(f->db, id, &st), ERR_OK);
	assert_int_equal(st.agree, 1);
	assert_int_equal(st.disagree, 1);
	assert_int_equal(st.pass, 0);
	statement_release(&st);
	assert_int_equal(statement_list(f->db, s, false, p1, &l), ERR_OK);
	assert_int_equal(l.n, 1);
	assert_true(l.items[0].voted);
	assert_int_equal(l.items[0].my_vote, -1);
	statement_list_release(&l);
	assert_int_equal(statement_list(f->db, s, false, 0, &l), ERR_OK);
	assert_false(l.items[0].voted);
	statement_list_release(&l);

	/* a statement waiting for moderation takes no votes */
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, room_set(f->db, &f->city_org, s, -1, "pre", -1, &r, &e)),
			 ERR_OK);
	assert_int_equal(add_statement(f, &r, "先审后发的观点", &pending, &e), ERR_OK);
	assert_int_equal(statement_head(f->db, pending, &hp), ERR_OK);
	assert_int_equal(put_vote(f, &hp, p1, 1, &e), ERR_CONFLICT);
	assert_string_equal(e.code, "not_votable");
}

/* what the vote writer answered (vote_queue_put's done), one slot per vote */
struct answer {
	int rc;
	char code[16];
};

static struct {
	pthread_mutex_t lock;
	int n;
} answers = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void on_vote_done(void *ud, int rc, const struct verr *e, int wait)
{
	struct answer *a = ud;

	(void)wait;
	pthread_mutex_lock(&answers.lock);
	snprintf(a->code, sizeof(a->code), "%s", e && e->code ? e->code : "");
	a->rc = rc;
	answers.n++;
	pthread_mutex_unlock(&answers.lock);
}

static int answered_n(void)
{
	int n;

	pthread_mutex_lock(&answers.lock);
	n = answers.n;
	pthread_mutex_unlock(&answers.lock);
	return n;
}

static int64_t count_votes(struct mfix *f, int64_t statement)
{
	int64_t n = -1;

	assert_int_equal(db_get_int(f->db, "SELECT COUNT(*) FROM vote WHERE statement_id = ?", &n,
				    "i", statement),
			 ERR_OK);
	return n;
}

static int limit_third(int64_t participant, int *wait)
{
	static int seen;

	(void)participant;
	if (++seen == 3) {
		*wait = 7;
		return ERR_LIMIT;
	}
	return ERR_OK;
}

static struct vote_ask anon_vote(struct mfix *f, int64_t statement, int value, const char *hash)
{
	struct vote_ask a;

	memset(&a, 0, sizeof(a));
	a.actor = f->anon;
	a.statement = statement;
	a.value = value;
	snprintf(a.anon_hash, sizeof(a.anon_hash), "%s", hash);
	return a;
}

/* Group commit: votes queued from several callers are checked and written in one batch and
 * answered after its commit, each a row with its tally, new participants made on the way; a
 * vote refused by a check (its room closed after it was queued, a bad value, a statement
 * not visible, the participant's limit) is answered with its error without failing the
 * others; stopping writes what is queued. */
static void test_vote_queue(void **state)
{
	struct mfix *f = *state;
	int64_t s = make_session(f, "public", "live"), s2 = make_session(f, "public", "live");
	int64_t s3 = make_session(f, "internal", "live");
	struct room r = make_room(f, s, 1, "post"), r2 = make_room(f, s2, 1, "post");
	struct room r3 = make_room(f, s3, 1, "post");
	struct answer a[8];
	struct vote_ask v[8];
	int64_t id, id2, id3, agree = -1;
	struct statement st;
	struct verr e = {0};
	int i;

	assert_int_equal(add_statement(f, &r, "社区食堂要办好", &id, &e), ERR_OK);
	assert_int_equal(add_statement(f, &r2, "晚上也要开门", &id2, &e), ERR_OK);
	assert_int_equal(add_statement(f, &r3, "内部讨论的观点", &id3, &e), ERR_OK);

	/* not running: the caller votes the other way */
	v[0] = anon_vote(f, id, 1, "hash-q1");
	assert_false(vote_queue_running());
	assert_int_equal(vote_queue_put(&v[0], on_vote_done, &a[0]), ERR_UNSUPPORTED);

	/* the writer waits up to 300 ms for a batch to fill: all go in one */
	assert_int_equal(store_pool_init(f->path, 0), ERR_OK);
	assert_int_equal(vote_queue_start(1, 16, 300000, 0), ERR_OK);
	assert_true(vote_queue_running());
	v[1] = anon_vote(f, id2, -1, "hash-q3"); /* its room closes before the batch */
	v[2] = anon_vote(f, id, 1, "hash-q2");
	v[3] = anon_vote(f, id, 3, "hash-q4");	/* a bad value */
	v[4] = anon_vote(f, id3, 1, "hash-q5"); /* an internal session: not for anonymous */
	v[5] = anon_vote(f, id, -1, "hash-q6"); /* its participant is over the limit */
	v[5].limit = limit_third;
	v[0].limit = v[2].limit = limit_third;
	for (i = 0; i <= 5; i++) {
		assert_int_equal(vote_queue_put(&v[i], on_vote_done, &a[i]), ERR_OK);
		if (i == 1) {
			assert_int_equal(mfix_begin(f), ERR_OK);
			assert_int_equal(
			    mfix_commit(f, room_set(f->db, &f->city_org, s2, -1, NULL, 0, &r2, &e)),
			    ERR_OK);
		}
	}
	assert_int_equal(answered_n(), 0);
	for (i = 0; i < 300 && answered_n() < 6; i++)
		usleep(10000);
	assert_int_equal(answered_n(), 6);
	assert_int_equal(a[0].rc, ERR_OK);
	assert_int_equal(a[1].rc, ERR_CONFLICT);
	assert_string_equal(a[1].code, "closed");
	assert_int_equal(a[2].rc, ERR_OK);
	assert_int_equal(a[3].rc, ERR_INVALID);
	assert_string_equal(a[3].code, "invalid");
	assert_true(a[4].rc == ERR_NOT_FOUND || a[4].rc == ERR_AUTH);
	assert_int_equal(a[5].rc, ERR_LIMIT);
	assert_int_equal(count_votes(f, id), 2);
	assert_int_equal(count_votes(f, id2), 0);
	assert_int_equal(count_votes(f, id3), 0);
	assert_int_equal(statement_get(f->db, id, &st), ERR_OK);
	assert_int_equal(st.agree, 2);
	assert_int_equal(st.disagree, 0);
	statement_release(&st);
	/* the tally of the minute counts the batch's votes once each, in one row */
	assert_int_equal(db_get_int(f->db,
				    "SELECT SUM(agree) FROM vote_tally WHERE statement_id = ?",
				    &agree, "i", id),
			 ERR_OK);
	assert_int_equal(agree, 2);

	/* the latest vote wins; stopping writes and answers what is queued */
	v[6] = anon_vote(f, id, 0, "hash-q1");
	assert_int_equal(vote_queue_put(&v[6], on_vote_done, &a[6]), ERR_OK);
	vote_queue_stop();
	assert_false(vote_queue_running());
	assert_int_equal(answered_n(), 7);
	assert_int_equal(a[6].rc, ERR_OK);
	assert_int_equal(statement_get(f->db, id, &st), ERR_OK);
	assert_int_equal(st.agree, 1);
	assert_int_equal(st.pass, 1);
	statement_release(&st);
	store_pool_fini();
}

/* what live_start's notify function heard */
static struct {
	pthread_mutex_t lock;
	int n;
	int64_t session, version;
} heard = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void on_snapshot(int64_t session, int64_t version, void *ud)
{
	(void)ud;
	pthread_mutex_lock(&heard.lock);
	heard.n++;
	heard.session = session;
	heard.version = version;
	pthread_mutex_unlock(&heard.lock);
}

/* wait_heard waits up to ms for a notice of version (any when 0); true when it came. */
static bool wait_heard(int64_t session, int64_t version, int ms)
{
	for (int i = 0; i < ms / 20; i++) {
		bool ok;

		pthread_mutex_lock(&heard.lock);
		ok = heard.n > 0 && heard.session == session &&
		     (!version || heard.version == version);
		pthread_mutex_unlock(&heard.lock);
		if (ok)
			return true;
		usleep(20000);
	}
	return false;
}

/* The live worker: a touched session gets a snapshot and the notify function hears of it.
 * On PostgreSQL a session whose lock another process holds is not computed until the lock
 * is free, and a snapshot another process announces (NOTIFY shenliao_live) is heard too. */
static void test_live_worker(void **state)
{
	struct mfix *f = *state;
	int64_t s = make_session(f, "public", "live"), id, p1, v;
	struct room r = make_room(f, s, 1, "post");
	struct statement_head h;
	struct verr e = {0};
	struct db *other = NULL;
	bool got = false, pg = db_dialect(f->db) == DB_POSTGRES;

	assert_int_equal(add_statement(f, &r, "应当多开几场", &id, &e), ERR_OK);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, participant_of_anon(f->db, &r, "hash-live", "expert", &p1)),
			 ERR_OK);
	assert_int_equal(statement_head(f->db, id, &h), ERR_OK);
	assert_int_equal(put_vote(f, &h, p1, 1, &e), ERR_OK);
	heard.n = 0;
	if (pg) {
		/* another process computes this session: the worker must wait for it */
		assert_int_equal(db_open(f->path, 0, &other), ERR_OK);
		assert_int_equal(db_try_lock(other, live_lock_key(s), &got), ERR_OK);
		assert_true(got);
	}
	assert_int_equal(live_start(f->path, 10, on_snapshot, NULL), ERR_OK);
	usleep(300000); /* the listener is subscribed */
	live_touch(s);
	if (pg) {
		assert_false(wait_heard(s, 0, 800));
		assert_int_equal(snapshot_version(f->db, s), 0);
		db_unlock(other, live_lock_key(s));
	}
	assert_true(wait_heard(s, 0, 5000));
	v = snapshot_version(f->db, s);
	assert_true(v > 0);
	assert_true(wait_heard(s, v, 1000));
	if (pg) {
		/* a snapshot stored by another process is heard through LISTEN */
		char note[48];

		snprintf(note, sizeof(note), "%lld %lld", (long long)s, (long long)(v + 41));
		assert_int_equal(db_notify(other, "shenliao_live", note), ERR_OK);
		assert_true(wait_heard(s, v + 41, 2000));
		db_close(other);
	}
	live_stop();
}

static void test_moderation(void **state)
{
	struct mfix *f = *state;
	int64_t s = make_session(f, "internal", "live"), id, n;
	struct room r = make_room(f, s, 0, "pre");
	struct statement st;
	struct verr e = {0};

	assert_int_equal(add_statement(f, &r, "应公开改造资金的使用", &id, &e), ERR_OK);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, statement_moderate(f->db, &f->city_org, id, "accepted", &e)), ERR_OK);
	assert_int_equal(statement_get(f->db, id, &st), ERR_OK);
	assert_string_equal(st.status, "accepted");
	assert_true(st.moderated_at > 0);
	statement_release(&st);
	assert_int_equal(db_get_int(f->db,
				    "SELECT COUNT(*) FROM audit WHERE action = 'statement.moderate'"
				    " AND entity_id = ?",
				    &n, "i", id),
			 ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, statement_moderate(f->db, &f->city_org, id, "rejected", &e)), ERR_OK);
	assert_int_equal(statement_get(f->db, id, &st), ERR_OK);
	assert_string_equal(st.status, "rejected");
	statement_release(&st);

	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, statement_moderate(f->db, &f->city_org, id, "maybe", &e)),
			 ERR_INVALID);
	assert_string_equal(e.field, "status");
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, statement_moderate(f->db, &f->city_org, id, NULL, &e)),
			 ERR_INVALID);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(
	    mfix_commit(f, statement_moderate(f->db, &f->city_org, 999999, "accepted", &e)),
	    ERR_NOT_FOUND);
}

static int count_vote(const struct room_vote *v, void *ud)
{
	int *n = ud;

	assert_true(v->value >= -1 && v->value <= 1);
	assert_true(v->at > 0);
	(*n)++;
	return ERR_OK;
}

static int stop_at_first(const struct room_vote *v, void *ud)
{
	(void)v;
	(void)ud;
	return ERR_CONFLICT;
}

/* Who wrote it, declared categories, the export's votes, and a list longer than its first
 * allocation. */
static void test_authors_categories_exports(void **state)
{
	struct mfix *f = *state;
	int64_t s = make_session(f, "public", "live"), pu, pa, id_u, id_a, id_n, id;
	struct room r = make_room(f, s, 1, "post");
	struct statement_head h;
	struct statement_list l;
	struct statement st;
	struct verr e = {0};
	char text[32];
	int n = 0;

	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(participant_of_user(f->db, &r, &f->city_guest.user, &pu), ERR_OK);
	assert_int_equal(participant_of_anon(f->db, &r, "another-cookie-hash", NULL, &pa), ERR_OK);
	assert_int_equal(statement_add(f->db, &r, pu, "由登录用户提出", &id_u, &e), ERR_OK);
	assert_int_equal(statement_add(f->db, &r, pa, "由匿名用户提出", &id_a, &e), ERR_OK);
	assert_int_equal(mfix_commit(f, statement_add(f->db, &r, 0, "由组织者提出", &id_n, &e)),
			 ERR_OK);
	assert_int_equal(statement_get(f->db, id_u, &st), ERR_OK);
	assert_int_equal(st.author, STATEMENT_BY_USER);
	assert_int_equal(st.participant_id, pu);
	statement_release(&st);
	assert_int_equal(statement_get(f->db, id_a, &st), ERR_OK);
	assert_int_equal(st.author, STATEMENT_BY_ANON);
	statement_release(&st);
	assert_int_equal(statement_get(f->db, id_n, &st), ERR_OK);
	assert_int_equal(st.author, STATEMENT_BY_NONE);
	assert_int_equal(st.participant_id, 0);
	statement_release(&st);

	/* categories: a known one, an unknown one */
	assert_int_equal(participant_category(f->db, pa, "expert", &e), ERR_OK);
	assert_int_equal(participant_category(f->db, pa, "astronaut", &e), ERR_INVALID);
	assert_string_equal(e.field, "category");

	/* the export's votes, and a callback that stops the walk */
	assert_int_equal(statement_head(f->db, id_u, &h), ERR_OK);
	assert_int_equal(put_vote(f, &h, pu, 1, &e), ERR_OK);
	assert_int_equal(put_vote(f, &h, pa, 0, &e), ERR_OK);
	assert_int_equal(room_votes_each(f->db, s, count_vote, &n), ERR_OK);
	assert_int_equal(n, 2);
	assert_int_equal(room_votes_each(f->db, s, stop_at_first, NULL), ERR_CONFLICT);

	/* forty more statements: the list grows past its first allocation, in order */
	assert_int_equal(mfix_begin(f), ERR_OK);
	for (int i = 0; i < 40; i++) {
		snprintf(text, sizeof(text), "第%d条观点", i);
		assert_int_equal(statement_add(f->db, &r, 0, text, &id, &e), ERR_OK);
	}
	assert_int_equal(mfix_commit(f, ERR_OK), ERR_OK);
	assert_int_equal(statement_list(f->db, s, false, pu, &l), ERR_OK);
	assert_int_equal(l.n, 43);
	for (size_t i = 1; i < l.n; i++)
		assert_true(l.items[i].id > l.items[i - 1].id);
	assert_true(l.items[0].voted);
	assert_int_equal(l.items[0].my_vote, 1);
	assert_false(l.items[1].voted);
	statement_list_release(&l);
	assert_int_equal(l.n, 0);
	assert_null(l.items);
}

static int authz(struct mfix *f, const struct actor *a, int64_t s, enum room_op op)
{
	struct room_access ra;

	return room_authorize(f->db, a, s, op, &ra);
}

/* An internal session of the city: its body and those above see it, below and beside do
 * not; organizers of the city and above manage it; anonymous callers sign in first. */
static void test_authorize_internal(void **state)
{
	struct mfix *f = *state;
	int64_t s = make_session(f, "internal", "live");
	struct room_access ra;

	(void)make_room(f, s, 1, "post"); /* anonymous on, but the session is not public */
	assert_int_equal(authz(f, &f->city_member, s, ROOM_READ), ERR_OK);
	assert_int_equal(authz(f, &f->city_guest, s, ROOM_TAKE_PART), ERR_OK);
	assert_int_equal(authz(f, &f->city_member, s, ROOM_MANAGE), ERR_FORBIDDEN);
	assert_int_equal(authz(f, &f->city_guest, s, ROOM_MANAGE), ERR_FORBIDDEN);
	assert_int_equal(authz(f, &f->city_org, s, ROOM_MANAGE), ERR_OK);
	assert_int_equal(authz(f, &f->city_admin, s, ROOM_MANAGE), ERR_OK);
	assert_int_equal(authz(f, &f->province_org, s, ROOM_MANAGE), ERR_OK);
	assert_int_equal(authz(f, &f->district_org, s, ROOM_READ), ERR_NOT_FOUND);
	assert_int_equal(authz(f, &f->other_org, s, ROOM_READ), ERR_NOT_FOUND);
	assert_int_equal(authz(f, &f->other_org, s, ROOM_TAKE_PART), ERR_NOT_FOUND);
	assert_int_equal(authz(f, &f->other_org, s, ROOM_MANAGE), ERR_NOT_FOUND);
	assert_int_equal(authz(f, &f->anon, s, ROOM_READ), ERR_AUTH);
	assert_int_equal(authz(f, &f->anon, s, ROOM_TAKE_PART), ERR_AUTH);
	assert_int_equal(authz(f, &f->anon, s, ROOM_MANAGE), ERR_AUTH);
	assert_int_equal(authz(f, &f->sys, s, ROOM_MANAGE), ERR_OK);
	assert_int_equal(authz(f, &f->city_org, 999999, ROOM_READ), ERR_NOT_FOUND);
	assert_int_equal(authz(f, &f->city_org, 0, ROOM_READ), ERR_NOT_FOUND);

	/* what the caller gets */
	assert_int_equal(room_authorize(f->db, &f->city_org, s, ROOM_READ, &ra), ERR_OK);
	assert_int_equal(ra.session.id, s);
	assert_true(ra.has_room);
	assert_true(ra.editable);
	assert_true(room_accepts(&ra));
	assert_int_equal(room_authorize(f->db, &f->city_member, s, ROOM_READ, &ra), ERR_OK);
	assert_false(ra.editable);
}

/* A public session: everyone sees its map; anonymous callers take part only where the room
 * lets them; a public draft is seen by outsiders only through an anonymous room. */
static void test_authorize_public_and_anonymous(void **state)
{
	struct mfix *f = *state;
	int64_t pub = make_session(f, "public", "live"), draft = make_session(f, "public", "draft");
	int64_t bare = make_session(f, "public", "live");
	struct room r = make_room(f, pub, 0, "post"), rd;
	struct room_access ra;
	struct statement_head h;
	struct verr e = {0};
	int64_t id;

	assert_int_equal(authz(f, &f->anon, pub, ROOM_READ), ERR_OK);
	assert_int_equal(authz(f, &f->other_org, pub, ROOM_READ), ERR_OK);
	assert_int_equal(authz(f, &f->other_org, pub, ROOM_TAKE_PART), ERR_OK);
	assert_int_equal(authz(f, &f->other_org, pub, ROOM_MANAGE), ERR_FORBIDDEN);
	assert_int_equal(authz(f, &f->anon, pub, ROOM_TAKE_PART), ERR_AUTH); /* not anonymous */
	assert_int_equal(room_authorize_code(f->db, &f->anon, r.code, ROOM_TAKE_PART, &ra),
			 ERR_AUTH);
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, room_set(f->db, &f->city_org, pub, 1, NULL, -1, &r, &e)),
			 ERR_OK);
	assert_int_equal(authz(f, &f->anon, pub, ROOM_TAKE_PART), ERR_OK);
	assert_int_equal(room_authorize_code(f->db, &f->anon, r.code, ROOM_TAKE_PART, &ra), ERR_OK);
	assert_int_equal(ra.session.id, pub);
	assert_int_equal(room_authorize_code(f->db, &f->anon, "NOPE42", ROOM_TAKE_PART, &ra),
			 ERR_NOT_FOUND);
	assert_int_equal(room_authorize_code(f->db, &f->anon, NULL, ROOM_TAKE_PART, &ra),
			 ERR_NOT_FOUND);
	assert_int_equal(authz(f, &f->anon, pub, ROOM_MANAGE), ERR_AUTH);

	/* no room yet: signed-in callers may take part (the first statement makes it) */
	assert_int_equal(room_authorize(f->db, &f->other_org, bare, ROOM_TAKE_PART, &ra), ERR_OK);
	assert_false(ra.has_room);
	assert_false(room_accepts(&ra));
	assert_int_equal(authz(f, &f->anon, bare, ROOM_TAKE_PART), ERR_AUTH);

	/* a public draft: out of sight, unless its room is open to anonymous browsers */
	assert_int_equal(authz(f, &f->other_org, draft, ROOM_READ), ERR_NOT_FOUND);
	assert_int_equal(authz(f, &f->anon, draft, ROOM_READ), ERR_AUTH);
	rd = make_room(f, draft, 1, "post");
	assert_int_equal(authz(f, &f->anon, draft, ROOM_TAKE_PART), ERR_OK);
	assert_int_equal(authz(f, &f->other_org, draft, ROOM_TAKE_PART), ERR_OK);
	assert_int_equal(authz(f, &f->other_org, draft, ROOM_MANAGE), ERR_FORBIDDEN);

	/* by statement: as its room */
	assert_int_equal(add_statement(f, &rd, "草稿阶段的公开征集", &id, &e), ERR_OK);
	assert_int_equal(statement_authorize(f->db, &f->anon, id, ROOM_TAKE_PART, &h, &ra), ERR_OK);
	assert_int_equal(h.session_id, draft);
	assert_int_equal(statement_authorize(f->db, &f->anon, id, ROOM_MANAGE, &h, &ra), ERR_AUTH);
	assert_int_equal(statement_authorize(f->db, &f->city_member, id, ROOM_MANAGE, &h, &ra),
			 ERR_FORBIDDEN);
	assert_int_equal(statement_authorize(f->db, &f->city_org, id, ROOM_MANAGE, &h, &ra),
			 ERR_OK);
	assert_int_equal(statement_authorize(f->db, &f->city_org, 999999, ROOM_READ, &h, &ra),
			 ERR_NOT_FOUND);
}

/* room_accepts: a closed room, or a closed or archived session, takes nothing. */
static void test_accepts(void **state)
{
	struct mfix *f = *state;
	int64_t s = make_session(f, "internal", "live");
	struct room_access ra;
	struct room r = make_room(f, s, 0, "post");
	struct verr e = {0};

	assert_int_equal(room_authorize(f->db, &f->city_member, s, ROOM_TAKE_PART, &ra), ERR_OK);
	assert_true(room_accepts(&ra));
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, room_set(f->db, &f->city_org, s, -1, NULL, 0, &r, &e)),
			 ERR_OK);
	assert_int_equal(room_authorize(f->db, &f->city_member, s, ROOM_TAKE_PART, &ra), ERR_OK);
	assert_false(room_accepts(&ra));
	assert_int_equal(mfix_begin(f), ERR_OK);
	assert_int_equal(mfix_commit(f, room_set(f->db, &f->city_org, s, -1, NULL, 1, &r, &e)),
			 ERR_OK);
	assert_int_equal(
	    db_exec(f->db, "UPDATE session SET status = 'closed' WHERE id = ?", "i", s), ERR_OK);
	assert_int_equal(room_authorize(f->db, &f->city_member, s, ROOM_TAKE_PART, &ra), ERR_OK);
	assert_false(room_accepts(&ra));
	assert_int_equal(
	    db_exec(f->db, "UPDATE session SET status = 'archived' WHERE id = ?", "i", s), ERR_OK);
	assert_int_equal(room_authorize(f->db, &f->city_member, s, ROOM_TAKE_PART, &ra), ERR_OK);
	assert_false(room_accepts(&ra));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_room_set_get),
	    cmocka_unit_test(test_statement_create),
	    cmocka_unit_test(test_votes),
	    cmocka_unit_test(test_vote_queue),
	    cmocka_unit_test(test_live_worker),
	    cmocka_unit_test(test_moderation),
	    cmocka_unit_test(test_authors_categories_exports),
	    cmocka_unit_test(test_authorize_internal),
	    cmocka_unit_test(test_authorize_public_and_anonymous),
	    cmocka_unit_test(test_accepts),
	};

	return cmocka_run_group_tests_name("model_room", tests, group_setup, group_teardown);
}
