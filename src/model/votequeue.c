/*
 * votequeue.c - group commit of votes: one writer thread, batches, an answer per vote after
 * its batch committed (room.h "Group commit").
 *
 * Request threads check a vote (vote_queue_put: the value, the statement accepted) and queue
 * it with a function to call when it is durable. The writer takes what is queued, waiting at
 * most delay_us after the oldest vote for more (a batch is closed by size or by that timer),
 * and writes the batch in one transaction on its own connection: one upsert per vote, whose
 * WHERE re-checks inside the transaction that the statement is accepted and its room and
 * session still take votes (a vote checked by its request before the session closed but
 * written after is refused, ERR_CONFLICT, as it would have been in one transaction), then one
 * tally upsert per statement of the batch (the per-minute counts the audit log receives).
 * One commit (one fsync at most) for the batch; only then is each vote's function called,
 * with ERR_OK, and each session it touched marked changed (live_touch). A vote whose upsert
 * fails does not fail the others: the statement is undone alone (SQLite goes on after a
 * failed statement; the PostgreSQL driver runs each write under a savepoint). When the
 * commit fails, every vote of the batch gets the error: nothing of it was acknowledged.
 *
 * The transaction is db_begin_write_shared: on PostgreSQL several processes' batches run at
 * once (they only upsert and add to counters), while every writer that reads then decides
 * (db_begin_write: closing a session, moderating, the audit log's hash chain, the tally's
 * flush to the audit log) waits for them and they for it. docs/POSTGRESQL.md "The write
 * lock" has the reasoning per read.
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

struct queued_vote {
	struct statement_head s;
	int64_t participant;
	int value;
	int64_t at_us; /* when queued */
	vote_done_fn done;
	void *ud;
	int rc;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake, idle;
	pthread_t thread;
	bool running, stopping, busy;
	struct queued_vote *q; /* ring: head..head+n */
	size_t cap, head, n;
	int max_batch;
	int delay_us;
	int hold_ms;
	uint64_t batches, votes;
} vq = {.lock = PTHREAD_MUTEX_INITIALIZER,
	.wake = PTHREAD_COND_INITIALIZER,
	.idle = PTHREAD_COND_INITIALIZER};

/* the upsert re-checks what the request checked before queueing, inside the transaction */
static const char sql_vq_vote[] =
    "INSERT INTO vote (statement_id, participant_id, session_id, value, at)"
    " SELECT CAST(?1 AS BIGINT), CAST(?2 AS BIGINT), CAST(?3 AS BIGINT), CAST(?4 AS INTEGER),"
    " CAST(?5 AS BIGINT) WHERE EXISTS (SELECT 1 FROM statement st"
    " JOIN room r ON r.session_id = st.session_id JOIN session se ON se.id = st.session_id"
    " WHERE st.id = ?1 AND st.status = 'accepted' AND r.open = ?6"
    " AND se.status NOT IN ('closed', 'archived'))"
    " ON CONFLICT (statement_id, participant_id)"
    " DO UPDATE SET value = excluded.value, at = excluded.at";

static const char sql_vq_tally[] =
    "INSERT INTO vote_tally (statement_id, minute, session_id, org_id, agree, disagree, pass)"
    " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (statement_id, minute) DO UPDATE SET"
    " agree = vote_tally.agree + excluded.agree,"
    " disagree = vote_tally.disagree + excluded.disagree, pass = vote_tally.pass + excluded.pass";

struct tally_sum {
	int64_t statement, session, org;
	int agree, disagree, pass;
};

static int cmp_vote_statement(const void *a, const void *b)
{
	const struct queued_vote *x = *(const struct queued_vote *const *)a;
	const struct queued_vote *y = *(const struct queued_vote *const *)b;

	return (x->s.id > y->s.id) - (x->s.id < y->s.id);
}

/* write_batch writes v[0..n) in one transaction; each v[i].rc gets its vote's result. */
static int write_batch(struct db *db, struct queued_vote *v, size_t n, struct queued_vote **by)
{
	int64_t now_us = time_now_us(), minute = time_now() / 60;
	size_t i, j;
	int rc = db_begin_write_shared(db);

	if (rc)
		return rc;
	for (i = 0; i < n; i++) {
		v[i].rc = db_exec(db, sql_vq_vote, "iiinin", v[i].s.id, v[i].participant,
				  v[i].s.session_id, v[i].value, now_us, 1);
		if (v[i].rc == ERR_OK && db_changes(db) == 0)
			v[i].rc = ERR_CONFLICT; /* closed or moderated away meanwhile */
		else if (v[i].rc != ERR_OK && v[i].rc != ERR_CONFLICT)
			break; /* the connection failed: the batch fails */
		by[i] = &v[i];
	}
	if (i < n) {
		rc = v[i].rc;
		db_rollback(db);
		return rc;
	}
	/* one tally upsert per statement: the votes sorted by statement, summed per run */
	qsort(by, n, sizeof(*by), cmp_vote_statement);
	for (i = 0; i < n && !rc; i = j) {
		struct tally_sum t = {by[i]->s.id, by[i]->s.session_id, by[i]->s.org_id, 0, 0, 0};

		for (j = i; j < n && by[j]->s.id == t.statement; j++) {
			if (by[j]->rc)
				continue;
			t.agree += by[j]->value == 1;
			t.disagree += by[j]->value == -1;
			t.pass += by[j]->value == 0;
		}
		if (t.agree + t.disagree + t.pass)
			rc = db_exec(db, sql_vq_tally, "iiiinnn", t.statement, minute, t.session,
				     t.org, t.agree, t.disagree, t.pass);
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
		vq.busy = true;
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
				b[i].done(b[i].ud, r);
			}
			for (i = 0; i < k; i++)
				live_touch(sessions[i]);
		}

		pthread_mutex_lock(&vq.lock);
		vq.busy = false;
		vq.batches++;
		vq.votes += n;
		pthread_cond_broadcast(&vq.idle);
	}
	pthread_mutex_unlock(&vq.lock);
	free(b);
	free(by);
	free(sessions);
	return NULL;
}

int vote_queue_start(int max_batch, int delay_us, int hold_ms)
{
	pthread_mutex_lock(&vq.lock);
	if (vq.running) {
		pthread_mutex_unlock(&vq.lock);
		return ERR_OK;
	}
	vq.max_batch = max_batch > 0 ? max_batch : 512;
	vq.delay_us = delay_us >= 0 ? delay_us : 0;
	vq.hold_ms = hold_ms > 0 ? hold_ms : 0;
	vq.cap = (size_t)vq.max_batch * 64;
	vq.q = calloc(vq.cap, sizeof(*vq.q));
	vq.head = vq.n = 0;
	vq.stopping = false;
	if (!vq.q || pthread_create(&vq.thread, NULL, writer, NULL) != 0) {
		free(vq.q);
		vq.q = NULL;
		pthread_mutex_unlock(&vq.lock);
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
	vq.stopping = true; /* the writer drains what is queued first */
	pthread_cond_signal(&vq.wake);
	pthread_mutex_unlock(&vq.lock);
	pthread_join(vq.thread, NULL);
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

int vote_queue_put(const struct statement_head *s, int64_t participant, int value,
		   vote_done_fn done, void *ud, struct verr *e)
{
	struct queued_vote *v;

	if (value < -1 || value > 1)
		return verr_set(e, "invalid", "vote", "表态须为 1（赞成）、-1（反对）或 0（跳过）",
				"vote must be 1 (agree), -1 (disagree) or 0 (pass)");
	if (strcmp(s->status, "accepted") != 0)
		return verr_set(e, "not_votable", "statement", "该观点尚未通过审核或已被移除",
				"this statement is not open for votes"),
		       ERR_CONFLICT;
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
	v->s = *s;
	v->participant = participant;
	v->value = value;
	v->at_us = time_now_us();
	v->done = done;
	v->ud = ud;
	v->rc = ERR_OK;
	if (vq.n++ == 0 || vq.n >= (size_t)vq.max_batch)
		pthread_cond_signal(&vq.wake);
	pthread_mutex_unlock(&vq.lock);
	return ERR_OK;
}

void vote_queue_stats(uint64_t *batches, uint64_t *votes)
{
	pthread_mutex_lock(&vq.lock);
	*batches = vq.batches;
	*votes = vq.votes;
	pthread_mutex_unlock(&vq.lock);
}
