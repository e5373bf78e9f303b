/*
 * votequeue.c - group commit of votes: one writer thread, batches, an answer per vote after
 * its batch committed (room.h "Group commit").
 *
 * Request threads queue a vote as asked (struct vote_ask) with a function to call when it
 * is settled. The writer takes what is queued, waiting at most delay_us after the oldest
 * vote for more (a batch is closed by size or by that timer), and settles the batch in one
 * transaction on its own connection: for each vote the checks a vote in a transaction of
 * its own makes (statement_authorize, room_accepts, the participant found or made, the
 * per-participant limit, vote_put's checks), then the vote's upsert; then one tally upsert
 * per statement of the batch (the per-minute counts the audit log receives). The checks run
 * inside the transaction that writes, so no close or moderation can come between a check
 * and its write; and they read on the writer's connection, whose page cache stays warm
 * (a request thread's read transaction would start each vote on a cold one, the writer
 * having changed the file since). One commit (one fsync at most) for the batch; only then is
 * each vote's function called, and each session with a committed vote marked changed
 * (live_touch). A refused vote does not fail the others: its checks wrote nothing but
 * perhaps its participant (made on first use, as a room's visitor), and a failed statement
 * is undone alone (SQLite goes on after it; the PostgreSQL driver runs each write under a
 * savepoint). When the commit fails every vote of the batch gets the error: nothing of it
 * was acknowledged.
 *
 * The transaction is db_begin_write_shared: on PostgreSQL several processes' batches run at
 * once, while every writer that reads then decides under db_begin_write (closing a session,
 * moderating, the audit log's hash chain, the tally's flush to the audit log) waits for them
 * and they for it. docs/POSTGRESQL.md "The write lock" has the reasoning per read.
 */
#include "room.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"
#include "db/db.h"
#include "store.h"

enum { VQ_MAX_WRITERS = 16 };

struct queued_vote {
	const struct vote_ask *a;
	int64_t at_us; /* when queued */
	vote_done_fn done;
	void *ud;
	/* settled by the writer */
	struct statement_head s;
	int rc, wait;
	struct verr e;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread[VQ_MAX_WRITERS];
	int nwriters;
	bool running, stopping;
	struct queued_vote *q; /* ring: head..head+n */
	size_t cap, head, n;
	int max_batch;
	int delay_us;
	int hold_ms;
	uint64_t batches, votes;
} vq = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

struct tally_sum {
	const struct statement_head *s;
	int agree, disagree, pass;
};

static int cmp_vote_statement(const void *a, const void *b)
{
	const struct queued_vote *x = *(const struct queued_vote *const *)a;
	const struct queued_vote *y = *(const struct queued_vote *const *)b;
	int64_t p = x->rc ? 0 : x->s.id, q = y->rc ? 0 : y->s.id; /* refused: no statement */

	return (p > q) - (p < q);
}

static int cmp_vote_ask(const void *pa, const void *pb)
{
	const struct vote_ask *x = ((const struct queued_vote *)pa)->a;
	const struct vote_ask *y = ((const struct queued_vote *)pb)->a;

	if (x->statement != y->statement)
		return (x->statement > y->statement) - (x->statement < y->statement);
	if (x->actor.user.id != y->actor.user.id)
		return (x->actor.user.id > y->actor.user.id) -
		       (x->actor.user.id < y->actor.user.id);
	return strcmp(x->anon_hash, y->anon_hash);
}

/* An anonymous voter's access to a session's room depends on the session alone, and nothing
 * changes it while the batch's transaction holds the write lock (shared or not): it is read
 * once per session and batch (two statements, on PostgreSQL two round trips, fewer a vote). */
struct anon_access {
	bool valid;
	int64_t session;
	int rc;
	struct room_access ra;
};

/* authorize is statement_authorize, with an anonymous voter's room access from *c. */
static int authorize(struct db *db, const struct vote_ask *a, struct anon_access *c,
		     struct statement_head *s, struct room_access *ra)
{
	int rc;

	if (a->actor.via != AUTH_NONE)
		return statement_authorize(db, &a->actor, a->statement, ROOM_TAKE_PART, s, ra);
	rc = a->statement > 0 ? statement_head(db, a->statement, s) : ERR_NOT_FOUND;
	if (rc)
		return rc;
	if (!c->valid || c->session != s->session_id) {
		c->rc = room_authorize(db, &a->actor, s->session_id, ROOM_TAKE_PART, &c->ra);
		c->session = s->session_id;
		c->valid = c->rc != ERR_DB;
	}
	*ra = c->ra;
	return c->rc;
}

/* settle checks one vote inside the batch's transaction and writes it; v->rc, v->e, v->wait
 * get the outcome. Returns ERR_DB only when the connection failed (the batch fails). */
static int settle(struct db *db, struct queued_vote *v, struct anon_access *c, int64_t now_us)
{
	const struct vote_ask *a = v->a;
	struct room_access ra;
	int64_t pid = 0;
	int rc, tries;

	rc = authorize(db, a, c, &v->s, &ra);
	if (!rc && !room_accepts(&ra)) {
		verr_set(&v->e, "closed", "session", "本场深聊会已停止表态",
			 "this session is not taking votes");
		rc = ERR_CONFLICT;
	}
	/* a participant another process made at the same moment: found on the second try */
	for (tries = 0; !rc && tries < 2; tries++) {
		rc = a->actor.via != AUTH_NONE
			 ? participant_of_user(db, &ra.room, &a->actor.user, &pid)
			 : participant_of_anon(db, &ra.room, a->anon_hash, a->category, &pid);
		if (rc != ERR_CONFLICT)
			break;
		if (tries == 0)
			rc = ERR_OK;
	}
	if (!rc && a->limit)
		rc = a->limit(pid, &v->wait);
	if (!rc)
		rc = vote_check(&v->s, a->value, &v->e);
	if (!rc)
		rc = vote_write(db, &v->s, pid, a->value, now_us);
	v->rc = rc;
	return rc == ERR_DB ? rc : ERR_OK;
}

/* write_batch settles v[0..n) in one transaction; each v[i].rc gets its vote's result. */
static int write_batch(struct db *db, struct queued_vote *v, size_t n, struct queued_vote **by)
{
	int64_t now_us = time_now_us(), minute = time_now() / 60;
	struct anon_access cache = {0};
	size_t i, j;
	int rc = db_begin_write_shared(db);

	if (rc)
		return rc;
	/* in order of statement, then voter: concurrent batches (writers of this process and
	 * of others, under the shared lock) lock vote and tally rows in the same order */
	qsort(v, n, sizeof(*v), cmp_vote_ask);
	for (i = 0; i < n && !rc; i++) {
		rc = settle(db, &v[i], &cache, now_us);
		by[i] = &v[i];
	}
	if (rc) {
		db_rollback(db);
		return rc;
	}
	/* one tally upsert per statement: the votes sorted by statement, summed per run */
	qsort(by, n, sizeof(*by), cmp_vote_statement);
	for (i = 0; i < n && !rc; i = j) {
		struct tally_sum t = {&by[i]->s, 0, 0, 0};

		for (j = i; j < n && (by[j]->rc ? 0 : by[j]->s.id) == (by[i]->rc ? 0 : t.s->id);
		     j++) {
			if (by[j]->rc)
				continue;
			t.agree += by[j]->a->value == 1;
			t.disagree += by[j]->a->value == -1;
			t.pass += by[j]->a->value == 0;
		}
		if (t.agree + t.disagree + t.pass)
			rc = vote_tally_add(db, t.s, minute, t.agree, t.disagree, t.pass);
	}
	if (!rc && vq.hold_ms > 0) /* a crash test's window: written, not yet committed */
		usleep((useconds_t)vq.hold_ms * 1000);
	if (!rc)
		rc = db_commit(db);
	if (rc)
		db_rollback(db);
	return rc;
}

/* batch_take copies up to max queued votes into out; returns how many. Under vq.lock. */
static size_t batch_take(struct queued_vote *out, size_t max)
{
	size_t k = 0;

	while (vq.n && k < max) {
		out[k++] = vq.q[vq.head];
		vq.head = (vq.head + 1) % vq.cap;
		vq.n--;
	}
	return k;
}

static void wait_until_us(int64_t deadline_us)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(deadline_us / 1000000);
	ts.tv_nsec = (long)(deadline_us % 1000000) * 1000;
	pthread_cond_timedwait(&vq.wake, &vq.lock, &ts);
}

static int64_t realtime_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void *writer(void *arg)
{
	size_t max = (size_t)vq.max_batch, n, i, k;
	struct queued_vote *b = calloc(max, sizeof(*b));
	struct queued_vote **by = calloc(max, sizeof(*by));
	int64_t *sessions = calloc(max, sizeof(*sessions));
	struct db *db = store_thread();
	(void)arg;

	pthread_mutex_lock(&vq.lock);
	for (;;) {
		while (!vq.n && !vq.stopping)
			pthread_cond_wait(&vq.wake, &vq.lock);
		if (!vq.n && vq.stopping)
			break;
		/* close the batch by size, or when the oldest vote has waited delay_us */
		if (vq.delay_us > 0 && !vq.stopping) {
			int64_t deadline = vq.q[vq.head].at_us + vq.delay_us;

			while (vq.n < max && !vq.stopping && time_now_us() < deadline)
				wait_until_us(realtime_us() + (deadline - time_now_us()));
		}
		n = batch_take(b, max);
		if (n == 0)
			continue; /* another writer took them */
		pthread_mutex_unlock(&vq.lock);

		{
			int rc = db && b && by && sessions ? write_batch(db, b, n, by) : ERR_NOMEM;

			if (rc)
				log_error("votes: a batch of %zu failed: %s", n,
					  db ? db_errmsg(db) : "no connection");
			for (i = 0, k = 0; i < n; i++) {
				size_t s;
				int r = rc ? rc : b[i].rc;

				if (r == ERR_OK) {
					for (s = 0; s < k && sessions[s] != b[i].s.session_id; s++)
						;
					if (s == k)
						sessions[k++] = b[i].s.session_id;
				}
				b[i].done(b[i].ud, r, rc ? NULL : &b[i].e, b[i].wait);
			}
			for (i = 0; i < k; i++)
				live_touch(sessions[i]);
		}

		pthread_mutex_lock(&vq.lock);
		vq.batches++;
		vq.votes += n;
	}
	pthread_mutex_unlock(&vq.lock);
	free(b);
	free(by);
	free(sessions);
	return NULL;
}

int vote_queue_start(int writers, int max_batch, int delay_us, int hold_ms)
{
	int i;

	pthread_mutex_lock(&vq.lock);
	if (vq.running) {
		pthread_mutex_unlock(&vq.lock);
		return ERR_OK;
	}
	vq.max_batch = max_batch > 0 ? max_batch : 512;
	vq.delay_us = delay_us >= 0 ? delay_us : 0;
	vq.hold_ms = hold_ms > 0 ? hold_ms : 0;
	vq.cap = (size_t)vq.max_batch * 16;
	vq.q = calloc(vq.cap, sizeof(*vq.q));
	vq.head = vq.n = 0;
	vq.stopping = false;
	writers = writers < 1 ? 1 : writers > VQ_MAX_WRITERS ? VQ_MAX_WRITERS : writers;
	for (vq.nwriters = 0; vq.q && vq.nwriters < writers; vq.nwriters++)
		if (pthread_create(&vq.thread[vq.nwriters], NULL, writer, NULL) != 0)
			break;
	if (!vq.q || vq.nwriters < writers) {
		vq.stopping = true;
		pthread_cond_broadcast(&vq.wake);
		pthread_mutex_unlock(&vq.lock);
		for (i = 0; i < vq.nwriters; i++)
			pthread_join(vq.thread[i], NULL);
		free(vq.q);
		vq.q = NULL;
		return ERR_IO;
	}
	vq.running = true;
	pthread_mutex_unlock(&vq.lock);
	return ERR_OK;
}

void vote_queue_stop(void)
{
	pthread_mutex_lock(&vq.lock);
	if (!vq.running) {
		pthread_mutex_unlock(&vq.lock);
		return;
	}
	vq.stopping = true; /* the writers drain what is queued first */
	pthread_cond_broadcast(&vq.wake);
	pthread_mutex_unlock(&vq.lock);
	for (int i = 0; i < vq.nwriters; i++)
		pthread_join(vq.thread[i], NULL);
	pthread_mutex_lock(&vq.lock);
	vq.running = false;
	log_info("votes: %llu votes written in %llu batches", (unsigned long long)vq.votes,
		 (unsigned long long)vq.batches);
	free(vq.q);
	vq.q = NULL;
	pthread_mutex_unlock(&vq.lock);
}

bool vote_queue_running(void)
{
	bool r;

	pthread_mutex_lock(&vq.lock);
	r = vq.running && !vq.stopping;
	pthread_mutex_unlock(&vq.lock);
	return r;
}

int vote_queue_put(const struct vote_ask *a, vote_done_fn done, void *ud)
{
	struct queued_vote *v;

	pthread_mutex_lock(&vq.lock);
	if (!vq.running || vq.stopping) {
		pthread_mutex_unlock(&vq.lock);
		return ERR_UNSUPPORTED;
	}
	if (vq.n == vq.cap) { /* the writer is that far behind: refuse rather than grow */
		pthread_mutex_unlock(&vq.lock);
		return ERR_TOO_BIG;
	}
	v = &vq.q[(vq.head + vq.n) % vq.cap];
	memset(v, 0, sizeof(*v));
	v->a = a;
	v->at_us = time_now_us();
	v->done = done;
	v->ud = ud;
	if (vq.n++ == 0 || vq.n >= (size_t)vq.max_batch)
		pthread_cond_signal(&vq.wake);
	pthread_mutex_unlock(&vq.lock);
	return ERR_OK;
}
