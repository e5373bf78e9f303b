/*
 * live.c - the opinion map, recomputed off the request path.
 *
 * Requests only record votes and call live_touch. One worker thread, with its own database
 * connection, waits for changed sessions, lets a short debounce interval gather more votes,
 * then for each changed session loads the votes, runs the opinion engine (warm-started from
 * that session's previous result, kept in memory), adds the agreement by declared category,
 * stores the snapshot with a new version and tells the web layer (which wakes the pages
 * listening on server-sent events). One worker means never more than one computation per
 * session at a time; nothing in memory is the only copy: the snapshot is in the database.
 *
 * Many processes on one PostgreSQL database (docs/POSTGRESQL.md "Many processes"): a
 * session is computed under a session-level advisory lock on its id (a process that finds
 * it taken leaves the session dirty and tries again next round, so one process computes a
 * session at a time); the transaction that stores a snapshot also sends
 * NOTIFY shenliao_live '<session> <version>' (delivered at the commit), and a listener
 * thread per process, on a connection of its own, hands every such notice to the same
 * notify function the local worker calls, so viewers on every process hear of it. On
 * SQLite both are no-ops: one process, today's behaviour.
 */
#include "room.h"
#include "rowjson.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"
#include "opinion/category.h"
#include "opinion/opinion.h"
#include "db/db.h"

static const char *const categories[] = {"member",	 "leader",     "expert",
					 "entrepreneur", "sector_rep", "social_org",
					 "official",	 "think_tank", "citizen"};
#define NCAT (sizeof(categories) / sizeof(categories[0]))

/* the channel of new snapshots, and the advisory lock space of computations (+ session id) */
static const char live_channel[] = "shenliao_live";
#define LIVE_LOCK_BASE (0x4f50494eLL << 32) /* "OPIN" */

static const char sql_st[] = "SELECT id, text, status FROM statement WHERE session_id = ?"
			     " ORDER BY id";
static const char sql_parts[] = "SELECT id, category FROM participant WHERE session_id = ?"
				" ORDER BY id";
static const char sql_votes[] = "SELECT participant_id, statement_id, value, at FROM vote"
				" WHERE session_id = ?";
static const char sql_store[] =
    "INSERT INTO opinion_snapshot (session_id, org_id, version, computed_at, n_votes, snapshot)"
    " VALUES (?1, (SELECT org_id FROM session WHERE id = ?1), 1, ?2, ?3, ?4)"
    " ON CONFLICT (session_id) DO UPDATE SET version = opinion_snapshot.version + 1,"
    " computed_at = excluded.computed_at, n_votes = excluded.n_votes,"
    " snapshot = excluded.snapshot"
    /* votes are never taken back, only changed: a map made from fewer votes than the
     * stored one was computed from older data (another process, e.g. an import, stored a
     * newer one meanwhile) and must not replace it */
    " WHERE excluded.n_votes >= opinion_snapshot.n_votes";

struct loaded {
	int64_t *st_ids, *p_ids;
	uint8_t *moderated;
	int32_t *p_cat;
	json_t *texts; /* [{id,text,status}] */
	struct opinion_vote *votes;
	size_t n_st, n_p, n_votes, cap;
};

static void loaded_free(struct loaded *l)
{
	free(l->st_ids);
	free(l->p_ids);
	free(l->moderated);
	free(l->p_cat);
	free(l->votes);
	json_decref(l->texts);
}

static int cat_index(const char *c)
{
	size_t i;

	for (i = 0; i < NCAT; i++)
		if (strcmp(c, categories[i]) == 0)
			return (int)i;
	return CATEGORY_NONE;
}

static ptrdiff_t find_id(const int64_t *ids, size_t n, int64_t id)
{
	return vote_matrix_find(ids, n, id);
}

/* next_cap: the capacity after cap when it is full (64 first, then twice as many). */
static size_t next_cap(size_t cap)
{
	return cap ? cap * 2 : 64;
}

static int statement_row(struct db_stmt *st, void *ud)
{
	struct loaded *l = ud;

	if (l->n_st == l->cap) {
		size_t c = next_cap(l->cap);
		int64_t *a = realloc(l->st_ids, c * sizeof(*a));
		uint8_t *b;

		if (!a)
			return ERR_NOMEM;
		l->st_ids = a;
		b = realloc(l->moderated, c);
		if (!b)
			return ERR_NOMEM;
		l->moderated = b;
		l->cap = c;
	}
	l->st_ids[l->n_st] = db_col_int(st, 0);
	l->moderated[l->n_st] = strcmp(db_col_text(st, 2), "rejected") == 0;
	json_array_append_new(l->texts,
			      json_pack("{sI ss ss}", "id", (json_int_t)db_col_int(st, 0), "text",
					db_col_text(st, 1), "status", db_col_text(st, 2)));
	l->n_st++;
	return ERR_OK;
}

static int participant_row(struct db_stmt *st, void *ud)
{
	struct loaded *l = ud;

	if (l->n_p == l->cap) {
		size_t c = next_cap(l->cap);
		int64_t *a = realloc(l->p_ids, c * sizeof(*a));
		int32_t *b;

		if (!a)
			return ERR_NOMEM;
		l->p_ids = a;
		b = realloc(l->p_cat, c * sizeof(*b));
		if (!b)
			return ERR_NOMEM;
		l->p_cat = b;
		l->cap = c;
	}
	l->p_ids[l->n_p] = db_col_int(st, 0);
	l->p_cat[l->n_p] = cat_index(db_col_text(st, 1));
	l->n_p++;
	return ERR_OK;
}

static int vote_row(struct db_stmt *st, void *ud)
{
	struct loaded *l = ud;
	ptrdiff_t pi = find_id(l->p_ids, l->n_p, db_col_int(st, 0));
	ptrdiff_t si = find_id(l->st_ids, l->n_st, db_col_int(st, 1));

	if (pi < 0 || si < 0)
		return ERR_OK;
	if (l->n_votes == l->cap) {
		size_t c = next_cap(l->cap);
		struct opinion_vote *v = realloc(l->votes, c * sizeof(*v));

		if (!v)
			return ERR_NOMEM;
		l->votes = v;
		l->cap = c;
	}
	l->votes[l->n_votes].participant = (uint32_t)pi;
	l->votes[l->n_votes].statement = (uint32_t)si;
	l->votes[l->n_votes].value = (int8_t)db_col_int(st, 2);
	l->votes[l->n_votes].time = db_col_int(st, 3);
	l->n_votes++;
	return ERR_OK;
}

/* load reads a session's statements, participants (both by id) and votes into l (which the
 * caller frees with loaded_free in every case). */
static int load(struct db *db, int64_t session_id, struct loaded *l)
{
	int rc;

	memset(l, 0, sizeof(*l));
	l->texts = json_array();
	if (!l->texts)
		return ERR_NOMEM;
	rc = db_each(db, sql_st, statement_row, l, "i", session_id);
	l->cap = 0;
	if (!rc)
		rc = db_each(db, sql_parts, participant_row, l, "i", session_id);
	l->cap = 0;
	if (!rc)
		rc = db_each(db, sql_votes, vote_row, l, "i", session_id);
	return rc;
}

static json_t *num(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

static json_t *sid(int64_t id)
{
	char s[24];

	snprintf(s, sizeof(s), "%lld", (long long)id);
	return json_string(s);
}

/* snapshot_json builds the snapshot: the engine's result in the same shape as `shenliao
 * opinion --json`, plus the statements' texts, the category view and counts. */
static json_t *snapshot_json(const struct loaded *l, const struct opinion_result *r,
			     const struct category_result *cr)
{
	json_t *parts = json_array(), *groups = json_array(), *agree = json_array(),
	       *disagree = json_array(), *gic = json_object(), *cats, *cstats, *snap;
	size_t i, g, k;

	for (i = 0; r && i < r->n_participants; i++) {
		const struct opinion_participant *p = &r->participants[i];
		ptrdiff_t li = find_id(l->p_ids, l->n_p, p->id);
		int c = li >= 0 ? l->p_cat[li] : CATEGORY_NONE;

		json_array_append_new(
		    parts,
		    json_pack("{so so so so ss}", "id", sid(p->id), "group",
			      p->group >= 0 ? json_integer(p->group) : json_null(), "x", num(p->x),
			      "y", num(p->y), "category", c >= 0 ? categories[c] : "citizen"));
	}
	for (g = 0; r && g < r->n_groups; g++) {
		const struct opinion_group *gr = &r->groups[g];
		json_t *rep = json_array();

		for (k = 0; k < gr->n_repness; k++) {
			const struct opinion_repness *e = &gr->repness[k];

			json_array_append_new(
			    rep, json_pack("{so ss so so so si si}", "statement", sid(e->statement),
					   "direction", e->agree ? "agree" : "disagree", "p",
					   num(e->p), "z", num(e->rz), "pz", num(e->pz), "n",
					   (int)e->n, "ns", (int)e->ns));
		}
		json_array_append_new(groups, json_pack("{sI si so}", "id", (json_int_t)g, "size",
							(int)gr->size, "repness", rep));
	}
	for (k = 0; r && k < r->n_agree; k++)
		json_array_append_new(
		    agree, json_pack("{so so so si si}", "statement", sid(r->agree[k].statement),
				     "p", num(r->agree[k].p), "z", num(r->agree[k].pz), "n",
				     (int)r->agree[k].n, "ns", (int)r->agree[k].ns));
	for (k = 0; r && k < r->n_disagree; k++)
		json_array_append_new(
		    disagree,
		    json_pack("{so so so si si}", "statement", sid(r->disagree[k].statement), "p",
			      num(r->disagree[k].p), "z", num(r->disagree[k].pz), "n",
			      (int)r->disagree[k].n, "ns", (int)r->disagree[k].ns));
	for (i = 0; r && i < r->n_statements; i++) {
		char key[24];

		snprintf(key, sizeof(key), "%lld", (long long)r->statement_ids[i]);
		json_object_set_new(gic, key, num(r->gic[i]));
	}
	cats = json_array();
	cstats = json_array();
	if (cr) {
		for (k = 0; k < cr->n_categories; k++)
			if (cr->members[k])
				json_array_append_new(cats, json_pack("{ss si}", "category",
								      categories[k], "members",
								      (int)cr->members[k]));
		for (i = 0; i < cr->n_statements; i++) {
			json_t *by = json_object();

			for (k = 0; k < cr->n_categories; k++) {
				const struct category_stat *s =
				    &cr->stats[i * cr->n_categories + k];

				if (!cr->members[k])
					continue;
				json_object_set_new(
				    by, categories[k],
				    json_pack("{si si si so}", "agree", (int)s->agree, "disagree",
					      (int)s->disagree, "votes", (int)s->votes, "share",
					      num(s->share)));
			}
			json_array_append_new(cstats,
					      json_pack("{so sb so so}", "statement",
							sid(cr->statement_ids[i]), "moderated",
							cr->moderated[i] != 0, "consensus",
							num(cr->consensus[i]), "by_category", by));
		}
	}
	snap = json_pack("{so so s{so so} so s{so so} so sb si si si}", "participants", parts,
			 "groups", groups, "consensus", "agree", agree, "disagree", disagree, "gic",
			 gic, "categories", "present", cats, "statements", cstats, "statements",
			 json_deep_copy(l->texts), "too_few_voters", r ? r->too_few_voters : true,
			 "n_participants", (int)l->n_p, "n_votes", (int)l->n_votes,
			 "n_in_conversation", r ? (int)r->n_in_conv : 0);
	return snap;
}

/* compute runs the engine for one session and stores the snapshot. */
static int compute(struct db *db, int64_t session_id, struct opinion_result **warm,
		   int64_t *version)
{
	struct opinion_input in;
	struct opinion_params p;
	struct vote_matrix *m = NULL;
	struct opinion_result *r = NULL;
	struct category_result *cr = NULL;
	struct loaded l = {0};
	json_t *snap = NULL;
	char *text = NULL;
	int rc;

	/* one read transaction: statements, participants and votes of the same moment */
	rc = db_begin_read(db);
	if (rc)
		goto out;
	rc = load(db, session_id, &l);
	if (rc) {
		db_rollback(db);
		goto out;
	}
	db_rollback(db); /* (a read: nothing to keep) */
	memset(&in, 0, sizeof(in));
	in.participant_ids = l.p_ids;
	in.n_participants = l.n_p;
	in.statement_ids = l.st_ids;
	in.n_statements = l.n_st;
	in.moderated_out = l.moderated;
	in.votes = l.votes;
	in.n_votes = l.n_votes;
	rc = vote_matrix_build(&in, 1, &m);
	if (rc)
		goto out;
	opinion_params_default(&p);
	/* Warm-start the components only: base k-means started from the previous centres can
	 * stay with too few clusters when the room began with everyone voting alike. */
	p.warm_kmeans = false;
	if (m->n_rows > 0 && m->n_cols > 0) {
		rc = opinion_compute(m, warm ? *warm : NULL, &p, &r);
		if (rc)
			goto out;
		rc = category_agreement(m, l.p_ids, l.p_cat, l.n_p, NCAT, &cr);
		if (rc)
			goto out;
	}
	snap = snapshot_json(&l, r, cr);
	text = json_dumps(snap, JSON_COMPACT);
	rc = text ? db_begin_write(db) : ERR_NOMEM;
	if (rc)
		goto out;
	rc = db_exec(db, sql_store, "iiis", session_id, time_now(), (int64_t)l.n_votes, text);
	if (!rc) {
		/* every process hears of the new version when it is committed */
		char note[48];
		int64_t v = snapshot_version(db, session_id);

		snprintf(note, sizeof(note), "%lld %lld", (long long)session_id, (long long)v);
		rc = db_notify(db, live_channel, note);
		if (version)
			*version = v;
	}
	if (!rc)
		rc = db_commit(db);
	if (rc)
		db_rollback(db);
	if (!rc && warm && r) {
		opinion_result_free(*warm);
		*warm = r;
		r = NULL;
	}
out:
	free(text);
	json_decref(snap);
	category_result_free(cr);
	opinion_result_free(r);
	vote_matrix_free(m);
	loaded_free(&l);
	return rc;
}

int live_compute(struct db *db, int64_t session_id, int64_t *version)
{
	return compute(db, session_id, NULL, version);
}

/* --- the worker --- */

#define LIVE_MAX_DIRTY 1024
#define LIVE_MAX_WARM  64

static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	bool running, stopping;
	int64_t dirty[LIVE_MAX_DIRTY];
	size_t ndirty;
	int debounce_ms;
	char *path;
	live_notify_fn notify;
	void *ud;
	pthread_t listener;
	bool listening;
	struct {
		int64_t session;
		struct opinion_result *r;
	} warm[LIVE_MAX_WARM];
	size_t nwarm;
} live = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

int64_t live_lock_key(int64_t session_id)
{
	return LIVE_LOCK_BASE + session_id;
}

void live_touch(int64_t session_id)
{
	size_t i;

	pthread_mutex_lock(&live.lock);
	for (i = 0; i < live.ndirty; i++)
		if (live.dirty[i] == session_id)
			break;
	if (i == live.ndirty && live.ndirty < LIVE_MAX_DIRTY)
		live.dirty[live.ndirty++] = session_id;
	pthread_cond_signal(&live.wake);
	pthread_mutex_unlock(&live.lock);
}

/* warm_slot returns the warm-start slot of a session (the oldest one is reused). */
static struct opinion_result **warm_slot(int64_t session)
{
	size_t i;

	for (i = 0; i < live.nwarm; i++)
		if (live.warm[i].session == session)
			return &live.warm[i].r;
	if (live.nwarm < LIVE_MAX_WARM) {
		live.warm[live.nwarm].session = session;
		live.warm[live.nwarm].r = NULL;
		return &live.warm[live.nwarm++].r;
	}
	opinion_result_free(live.warm[0].r);
	memmove(&live.warm[0], &live.warm[1], (LIVE_MAX_WARM - 1) * sizeof(live.warm[0]));
	live.warm[LIVE_MAX_WARM - 1].session = session;
	live.warm[LIVE_MAX_WARM - 1].r = NULL;
	return &live.warm[LIVE_MAX_WARM - 1].r;
}

static const char sql_tally_due[] = "SELECT 1 FROM vote_tally WHERE audited = FALSE AND minute < ?"
				    " LIMIT 1";

/* tally_flush writes the audit rows of the vote counts of minutes that are over (see
 * vote_tally_flush), taking the write lock only when there are some. */
static void tally_flush(struct db *db)
{
	int64_t now = time_now(), n = 0, due;
	int rc = db_get_int(db, sql_tally_due, &due, "i", now / 60);

	if (rc == ERR_NOT_FOUND)
		return;
	if (!rc)
		rc = db_begin_write(db);
	if (!rc)
		rc = vote_tally_flush(db, now, &n);
	if (!rc)
		rc = db_commit(db);
	if (rc) {
		db_rollback(db);
		log_error("live: the vote counts could not be audited: %s", err_name(rc));
		return;
	}
	if (n)
		log_info("live: audited the vote counts of %lld statement-minutes", (long long)n);
}

static void *worker(void *arg)
{
	struct db *db = NULL;
	int64_t todo[LIVE_MAX_DIRTY], busy_us = 0, pause_us;
	struct timespec until;
	bool idle;
	size_t n, i;
	(void)arg;

	if (db_open(live.path, 0, &db)) {
		log_error("live: cannot open the database");
		return NULL;
	}
	for (;;) {
		/* the vote counts of a minute are audited soon after it ends, even when no
		 * vote comes after it: wake a second into the next minute */
		tally_flush(db);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 61 - until.tv_sec % 60;
		until.tv_nsec = 0;
		pthread_mutex_lock(&live.lock);
		while (!live.stopping && live.ndirty == 0)
			if (pthread_cond_timedwait(&live.wake, &live.lock, &until) == ETIMEDOUT)
				break;
		if (live.stopping) {
			pthread_mutex_unlock(&live.lock);
			break;
		}
		idle = live.ndirty == 0;
		pthread_mutex_unlock(&live.lock);
		if (idle)
			continue;
		/* let the votes of the next moments arrive, then compute once for all; under
		 * a steady stream of votes, rest four times as long as the last round took, so
		 * the map costs at most a fifth of a core however large the room grows */
		pause_us = (int64_t)live.debounce_ms * 1000;
		if (pause_us < 4 * busy_us)
			pause_us = 4 * busy_us < 5000000 ? 4 * busy_us : 5000000;
		usleep((useconds_t)pause_us);
		pthread_mutex_lock(&live.lock);
		n = live.ndirty;
		memcpy(todo, live.dirty, n * sizeof(todo[0]));
		live.ndirty = 0;
		pthread_mutex_unlock(&live.lock);
		busy_us = time_now_us();
		for (i = 0; i < n; i++) {
			int64_t version = 0, t0 = time_now_us();
			bool got = false;
			int rc = db_try_lock(db, live_lock_key(todo[i]), &got);

			if (!rc && !got) {
				/* another process computes it now: again next round, so the
				 * votes that came meanwhile are counted */
				log_info("live: session %lld is being computed by another process",
					 (long long)todo[i]);
				live_touch(todo[i]);
				continue;
			}
			if (!rc)
				rc = compute(db, todo[i], warm_slot(todo[i]), &version);
			if (got)
				db_unlock(db, live_lock_key(todo[i]));
			if (rc) {
				log_error("live: session %lld: %s", (long long)todo[i],
					  err_name(rc));
				continue;
			}
			log_info("live: session %lld snapshot %lld in %lldus", (long long)todo[i],
				 (long long)version, (long long)(time_now_us() - t0));
			if (live.notify)
				live.notify(todo[i], version, live.ud);
		}
		busy_us = time_now_us() - busy_us;
	}
	db_close(db);
	return NULL;
}

/* listen_loop (the listener thread, PostgreSQL only) passes the snapshots other processes
 * (and this one) store to live.notify; it reconnects after a lost connection. */
static void *listen_loop(void *arg)
{
	struct db *db = NULL;
	char note[64];
	(void)arg;

	for (;;) {
		long long session, version;
		int rc;

		pthread_mutex_lock(&live.lock);
		if (live.stopping) {
			pthread_mutex_unlock(&live.lock);
			break;
		}
		pthread_mutex_unlock(&live.lock);
		if (!db) {
			if (db_open(live.path, 0, &db) || db_listen(db, live_channel)) {
				log_error("live: cannot listen for other processes' snapshots");
				db_close(db);
				db = NULL;
				sleep(1);
				continue;
			}
		}
		rc = db_wait_notify(db, 250, note, sizeof(note));
		if (rc == ERR_NOT_FOUND)
			continue;
		if (rc) {
			log_error("live: the listening connection failed: %s", db_errmsg(db));
			db_close(db);
			db = NULL;
			continue;
		}
		if (sscanf(note, "%lld %lld", &session, &version) == 2 && live.notify)
			live.notify(session, version, live.ud);
	}
	db_close(db);
	return NULL;
}

int live_start(const char *db_path, int debounce_ms, live_notify_fn fn, void *ud)
{
	live.path = strdup(db_path);
	if (!live.path)
		return ERR_NOMEM;
	live.debounce_ms = debounce_ms;
	live.notify = fn;
	live.ud = ud;
	live.stopping = false;
	if (pthread_create(&live.thread, NULL, worker, NULL) != 0) {
		free(live.path);
		live.path = NULL;
		return ERR_IO;
	}
	live.running = true;
	live.listening =
	    db_is_uri(db_path) && pthread_create(&live.listener, NULL, listen_loop, NULL) == 0;
	if (db_is_uri(db_path) && !live.listening)
		log_error("live: cannot start the listener: other processes' maps go unheard");
	return ERR_OK;
}

void live_stop(void)
{
	size_t i;

	if (!live.running)
		return;
	pthread_mutex_lock(&live.lock);
	live.stopping = true;
	pthread_cond_signal(&live.wake);
	pthread_mutex_unlock(&live.lock);
	pthread_join(live.thread, NULL);
	if (live.listening)
		pthread_join(live.listener, NULL);
	live.listening = false;
	live.running = false;
	for (i = 0; i < live.nwarm; i++)
		opinion_result_free(live.warm[i].r);
	live.nwarm = 0;
	free(live.path);
	live.path = NULL;
}
