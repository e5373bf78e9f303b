/*
 * stats.c - the statistics that prove the work: for a period and a scope (one body, or a
 * body and all below it rolled up), sessions by domain, format, organizer unit and month;
 * participants by category; suggestions; outputs by kind and state; the funnel sessions ->
 * suggestions -> outputs -> adopted; filing, reply and satisfaction rates; median days from
 * session to output and from submission to reply.
 *
 * Sessions count by their start (drafts are plans, not sessions held); outputs by their
 * document date. Days are calendar days in the body's time zone. Every figure is one aggregate
 * query over indexed columns.
 */
#include "output.h"
#include "rowjson.h"
#include "session.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

/* The scope condition on a row's org: ?1 its path prefix, ?2 1 for subtree, ?3 org id. */
#define IN_SCOPE(alias)                                                                            \
	" (CASE WHEN ?2 THEN " alias ".org_id IN (SELECT id FROM org WHERE"                        \
	" substr(path, 1, length(?1)) = ?1) ELSE " alias ".org_id = ?3 END)"
#define SESSIONS_IN                                                                                \
	" FROM session s WHERE" IN_SCOPE("s") " AND s.status != 'draft' AND s.starts_at >= ?4"     \
					      " AND s.starts_at < ?5"
#define OUTPUTS_IN " FROM output o WHERE" IN_SCOPE("o") " AND o.dated_at >= ?4 AND o.dated_at < ?5"

static const char sql_sessions[] = "SELECT COUNT(*)" SESSIONS_IN;
static const char sql_by_domain[] =
    "SELECT t.domain, COUNT(*) FROM session s JOIN topic t"
    " ON t.id = s.topic_id WHERE" IN_SCOPE("s") " AND s.status != 'draft' AND s.starts_at >= ?4"
						" AND s.starts_at < ?5 GROUP BY t.domain";
static const char sql_formats[] = "SELECT s.formats, COUNT(*)" SESSIONS_IN " GROUP BY s.formats";
static const char sql_by_unit[] =
    "SELECT s.organizer_unit, COUNT(*)" SESSIONS_IN " GROUP BY s.organizer_unit ORDER BY 2 DESC, 1";
static const char sql_by_month[] =
    "SELECT CAST(strftime('%m', s.starts_at + 28800, 'unixepoch') AS INTEGER), COUNT(*)" SESSIONS_IN
    " GROUP BY 1";
static const char sql_participants[] =
    "SELECT p.category, COUNT(*) FROM invitation i JOIN person p ON p.id = i.person_id"
    " JOIN session s ON s.id = i.session_id WHERE" IN_SCOPE(
	"s") " AND s.status != 'draft' AND s.starts_at >= ?4 AND s.starts_at < ?5"
	     " AND i.rsvp != 'declined' GROUP BY p.category ORDER BY 2 DESC";
static const char sql_suggestions[] =
    "SELECT COUNT(*) FROM suggestion g JOIN session s ON s.id = g.session_id WHERE" IN_SCOPE(
	"s") " AND s.status != 'draft' AND s.starts_at >= ?4 AND s.starts_at < ?5";
static const char sql_outputs_kind[] = "SELECT o.kind, COUNT(*)" OUTPUTS_IN " GROUP BY o.kind";
static const char sql_outputs_state[] = "SELECT o.state, COUNT(*)" OUTPUTS_IN " GROUP BY o.state";
static const char sql_adopted[] =
    "SELECT COUNT(*)" OUTPUTS_IN " AND EXISTS (SELECT 1 FROM adoption a WHERE a.output_id = o.id)";
static const char sql_adoption_kinds[] =
    "SELECT a.kind, COUNT(*) FROM adoption a JOIN output o ON o.id = a.output_id WHERE" IN_SCOPE(
	"o") " AND o.dated_at >= ?4 AND o.dated_at < ?5 GROUP BY a.kind";
static const char sql_rates[] =
    "SELECT SUM(o.submitted_at IS NOT NULL), SUM(o.accepted_at IS NOT NULL),"
    " SUM(o.assigned_at IS NOT NULL), SUM(o.replied_at IS NOT NULL),"
    " SUM(o.satisfaction IS NOT NULL),"
    " SUM(o.satisfaction IN ('satisfied', 'basically_satisfied')),"
    " SUM(o.satisfaction = 'satisfied'), SUM(o.state = 'not_accepted')" OUTPUTS_IN
    " AND o.kind = 'proposal'";
/* (the inner SELECT computes each output's first session once; filtering on the alias in
 * the same SELECT ran the correlated subquery twice) */
static const char sql_days_session[] =
    "SELECT d FROM (SELECT (o.dated_at + 28800) / 86400 - (SELECT MIN(se.starts_at + 28800)"
    " / 86400 FROM output_session os JOIN session se ON se.id = os.session_id"
    " WHERE os.output_id = o.id) AS d" OUTPUTS_IN ") WHERE d IS NOT NULL ORDER BY d";
static const char sql_days_reply[] =
    "SELECT (o.replied_at + 28800) / 86400"
    " - (o.submitted_at + 28800) / 86400 AS d" OUTPUTS_IN " AND o.replied_at IS NOT NULL"
    " AND o.submitted_at IS NOT NULL ORDER BY d";
static const char sql_orgs[] =
    "SELECT o.id, o.name, o.level, o.parent_id FROM org o WHERE CASE WHEN ?2 THEN"
    " substr(o.path, 1, length(?1)) = ?1 ELSE o.id = ?3 END ORDER BY o.path";
/* each body's own figures, all bodies in scope at once */
static const char sql_org_sessions[] = "SELECT s.org_id, COUNT(*)" SESSIONS_IN " GROUP BY s.org_id";
static const char sql_org_outputs[] =
    "SELECT o.org_id, COUNT(*), SUM(EXISTS (SELECT 1 FROM adoption a WHERE a.output_id = "
    "o.id))" OUTPUTS_IN " GROUP BY o.org_id";

static int bind_q(struct db_stmt *st, const struct stats_query *q)
{
	int rc = db_bind_str(st, 1, q->org->path);

	if (!rc)
		rc = db_bind_int(st, 2, q->subtree);
	if (!rc)
		rc = db_bind_int(st, 3, q->org->id);
	if (!rc)
		rc = db_bind_int(st, 4, q->from);
	if (!rc)
		rc = db_bind_int(st, 5, q->to);
	return rc;
}

static int64_t scalar(struct db *db, const char *sql, const struct stats_query *q)
{
	struct db_stmt *st;
	int64_t v = 0;

	if (db_prepare(db, sql, &st))
		return 0;
	if (bind_q(st, q) == ERR_OK && db_step(st) == DB_ROW)
		v = db_col_int(st, 0);
	db_done(st);
	return v;
}

/* counts fills obj[key] = n for each (text, count) row, over the given zero keys. */
static json_t *counts(struct db *db, const char *sql, const struct stats_query *q,
		      const char *const *keys, size_t nkeys)
{
	struct db_stmt *st;
	json_t *o = json_object();
	size_t i;

	for (i = 0; i < nkeys; i++)
		json_object_set_new(o, keys[i], json_integer(0));
	if (db_prepare(db, sql, &st))
		return o;
	if (bind_q(st, q) == ERR_OK)
		while (db_step(st) == DB_ROW)
			json_object_set_new(o, db_col_text(st, 0), json_integer(db_col_int(st, 1)));
	db_done(st);
	return o;
}

static json_t *pairs(struct db *db, const char *sql, const struct stats_query *q, const char *name)
{
	struct db_stmt *st;
	json_t *a = json_array();

	if (db_prepare(db, sql, &st))
		return a;
	if (bind_q(st, q) == ERR_OK)
		while (db_step(st) == DB_ROW)
			json_array_append_new(a, json_pack("{ss sI}", name, db_col_text(st, 0),
							   "count", (json_int_t)db_col_int(st, 1)));
	db_done(st);
	return a;
}

static json_t *median(struct db *db, const char *sql, const struct stats_query *q)
{
	struct db_stmt *st;
	double *v = NULL, m;
	size_t n = 0, cap = 0;
	json_t *r = json_null();

	if (db_prepare(db, sql, &st))
		return r;
	if (bind_q(st, q) == ERR_OK) {
		while (db_step(st) == DB_ROW) {
			if (n == cap) {
				double *nv = realloc(v, (cap = cap ? cap * 2 : 64) * sizeof(*v));

				if (!nv)
					break;
				v = nv;
			}
			v[n++] = db_col_double(st, 0);
		}
	}
	db_done(st);
	if (n) {
		m = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
		r = json_real((double)(int64_t)(m * 10 + (m >= 0 ? 0.5 : -0.5)) / 10);
	}
	free(v);
	return r;
}

static json_t *rate(int64_t num, int64_t den)
{
	if (den <= 0)
		return json_null();
	return json_real((double)(int64_t)((double)num / (double)den * 10000 + 0.5) / 10000);
}

static json_t *compute(struct db *db, const struct stats_query *q)
{
	static const char *const domains[] = {"economy", "politics", "society", "culture",
					      "ecology"};
	static const char *const fmts[] = {"expert", "counterpart", "sector", "joint"};
	static const char *const okinds[] = {"proposal", "opinion_report", "research_report",
					     "speech", "special_report"};
	static const char *const akinds[] = {"instruction", "department", "policy", "escalation",
					     "media"};
	json_t *r = json_object(), *by_format = json_object(), *months = json_array(), *outputs;
	json_t *by_org = json_array();
	struct db_stmt *st;
	int64_t sessions, suggestions, adopted, total = 0, v[8] = {0};
	int64_t month[12] = {0};
	char from[26], to[26];
	const char *key;
	json_t *x;
	size_t i;

	sessions = scalar(db, sql_sessions, q);
	suggestions = scalar(db, sql_suggestions, q);
	adopted = scalar(db, sql_adopted, q);
	for (i = 0; i < ARRAY_LEN(fmts); i++)
		json_object_set_new(by_format, fmts[i], json_integer(0));
	if (db_prepare(db, sql_formats, &st) == ERR_OK) {
		if (bind_q(st, q) == ERR_OK)
			while (db_step(st) == DB_ROW) {
				int f = (int)db_col_int(st, 0);

				for (i = 0; i < ARRAY_LEN(fmts); i++)
					if (f & (1 << i))
						json_object_set_new(
						    by_format, fmts[i],
						    json_integer(json_integer_value(json_object_get(
								     by_format, fmts[i])) +
								 db_col_int(st, 1)));
			}
		db_done(st);
	}
	if (db_prepare(db, sql_by_month, &st) == ERR_OK) {
		if (bind_q(st, q) == ERR_OK)
			while (db_step(st) == DB_ROW) {
				int m = (int)db_col_int(st, 0);

				if (m >= 1 && m <= 12)
					month[m - 1] = db_col_int(st, 1);
			}
		db_done(st);
	}
	for (i = 0; i < 12; i++)
		json_array_append_new(months, json_integer(month[i]));
	outputs = counts(db, sql_outputs_kind, q, okinds, ARRAY_LEN(okinds));
	json_object_foreach(outputs, key, x) total += json_integer_value(x);
	if (db_prepare(db, sql_rates, &st) == ERR_OK) {
		if (bind_q(st, q) == ERR_OK && db_step(st) == DB_ROW)
			for (i = 0; i < 8; i++)
				v[i] = db_col_int(st, (int)i);
		db_done(st);
	}
	/* the bodies in scope, each with its own figures (the roll-up's parts) */
	if (db_prepare(db, sql_orgs, &st) == ERR_OK) {
		if (db_bind_str(st, 1, q->org->path) == ERR_OK &&
		    db_bind_int(st, 2, q->subtree) == ERR_OK &&
		    db_bind_int(st, 3, q->org->id) == ERR_OK)
			(void)rows_json(st, "i:id s:name s:level n:parent_id", by_org);
		else
			db_done(st);
	}
	/* each body's own figures: zero, then what the grouped queries found */
	{
		json_t *by_id = json_object(); /* "org id" -> its by_org entry (borrowed) */
		char k[24];

		json_array_foreach(by_org, i, x)
		{
			snprintf(k, sizeof(k), "%" PRId64,
				 (int64_t)json_integer_value(json_object_get(x, "id")));
			json_object_set(by_id, k, x);
			json_object_set_new(x, "sessions", json_integer(0));
			json_object_set_new(x, "outputs", json_integer(0));
			json_object_set_new(x, "adopted", json_integer(0));
		}
		if (db_prepare(db, sql_org_sessions, &st) == ERR_OK) {
			if (bind_q(st, q) == ERR_OK)
				while (db_step(st) == DB_ROW) {
					snprintf(k, sizeof(k), "%" PRId64, db_col_int(st, 0));
					x = json_object_get(by_id, k);
					if (x)
						json_object_set_new(
						    x, "sessions", json_integer(db_col_int(st, 1)));
				}
			db_done(st);
		}
		if (db_prepare(db, sql_org_outputs, &st) == ERR_OK) {
			if (bind_q(st, q) == ERR_OK)
				while (db_step(st) == DB_ROW) {
					snprintf(k, sizeof(k), "%" PRId64, db_col_int(st, 0));
					x = json_object_get(by_id, k);
					if (!x)
						continue;
					json_object_set_new(x, "outputs",
							    json_integer(db_col_int(st, 1)));
					json_object_set_new(x, "adopted",
							    json_integer(db_col_int(st, 2)));
				}
			db_done(st);
		}
		json_decref(by_id);
	}
	time_local(q->from, from);
	time_local(q->to, to);
	json_object_set_new(r, "period", json_pack("{ss ss}", "from", from, "to", to));
	json_object_set_new(r, "org",
			    json_pack("{sI ss ss}", "id", (json_int_t)q->org->id, "name",
				      q->org->name, "level", q->org->level));
	json_object_set_new(r, "scope", json_string(q->subtree ? "subtree" : "self"));
	json_object_set_new(r, "sessions", json_integer(sessions));
	json_object_set_new(r, "by_domain",
			    counts(db, sql_by_domain, q, domains, ARRAY_LEN(domains)));
	json_object_set_new(r, "by_format", by_format);
	json_object_set_new(r, "by_unit", pairs(db, sql_by_unit, q, "unit"));
	json_object_set_new(r, "by_month", months);
	json_object_set_new(r, "participants_by_category",
			    pairs(db, sql_participants, q, "category"));
	json_object_set_new(r, "suggestions", json_integer(suggestions));
	json_object_set_new(r, "outputs", outputs);
	json_object_set_new(r, "outputs_total", json_integer(total));
	json_object_set_new(r, "outputs_by_state", counts(db, sql_outputs_state, q, NULL, 0));
	json_object_set_new(r, "adopted", json_integer(adopted));
	json_object_set_new(r, "adoptions_by_kind",
			    counts(db, sql_adoption_kinds, q, akinds, ARRAY_LEN(akinds)));
	json_object_set_new(r, "funnel",
			    json_pack("{sI sI sI sI}", "sessions", (json_int_t)sessions,
				      "suggestions", (json_int_t)suggestions, "outputs",
				      (json_int_t)total, "adopted", (json_int_t)adopted));
	json_object_set_new(
	    r, "proposals",
	    json_pack("{sI sI sI sI sI sI sI sI}", "submitted", (json_int_t)v[0], "accepted",
		      (json_int_t)v[1], "not_accepted", (json_int_t)v[7], "assigned",
		      (json_int_t)v[2], "replied", (json_int_t)v[3], "evaluated", (json_int_t)v[4],
		      "satisfied", (json_int_t)v[6], "satisfied_or_basically", (json_int_t)v[5]));
	json_object_set_new(r, "filing_rate", rate(v[1], v[0]));
	json_object_set_new(r, "reply_rate", rate(v[3], v[2]));
	json_object_set_new(r, "satisfaction_rate", rate(v[5], v[4]));
	json_object_set_new(r, "median_days_session_to_output", median(db, sql_days_session, q));
	json_object_set_new(r, "median_days_submission_to_reply", median(db, sql_days_reply, q));
	json_object_set_new(r, "by_org", by_org);
	return r;
}

/*
 * The cache. A statistics answer reads tens of thousands of rows and changes only when a
 * session, output, adoption... changes, which bumps stats_generation (a trigger, in whatever
 * process writes). An answer is kept with the generation it was made at and given again,
 * as a copy, while the generation is the same. A write that lands during a computation
 * leaves an answer labelled with the older generation, which the next reader sees as
 * stale: never an answer older than its label.
 */
enum { STATS_CACHE_SLOTS = 32 };

struct stats_slot {
	int64_t org_id, from, to, generation;
	bool subtree;
	uint64_t used; /* for replacing the least recently used */
	json_t *answer;
};

static struct {
	pthread_mutex_t lock;
	struct stats_slot slot[STATS_CACHE_SLOTS];
	uint64_t clock;
} cache = {.lock = PTHREAD_MUTEX_INITIALIZER};

static const char sql_generation[] = "SELECT n FROM stats_generation WHERE id = 1";

static bool same_query(const struct stats_slot *s, const struct stats_query *q)
{
	return s->answer && s->org_id == q->org->id && s->subtree == q->subtree &&
	       s->from == q->from && s->to == q->to;
}

json_t *stats_compute(struct db *db, const struct stats_query *q)
{
	struct db_stmt *st;
	int64_t gen = -1;
	json_t *answer = NULL;
	size_t i, victim = 0;

	if (db_prepare(db, sql_generation, &st) == ERR_OK) {
		if (db_step(st) == DB_ROW)
			gen = db_col_int(st, 0);
		db_done(st);
	}
	if (gen < 0)
		return compute(db, q);
	pthread_mutex_lock(&cache.lock);
	for (i = 0; i < STATS_CACHE_SLOTS; i++)
		if (same_query(&cache.slot[i], q) && cache.slot[i].generation == gen) {
			cache.slot[i].used = ++cache.clock;
			answer = json_deep_copy(cache.slot[i].answer);
			break;
		}
	pthread_mutex_unlock(&cache.lock);
	if (answer)
		return answer;
	answer = compute(db, q);
	if (!answer)
		return NULL;
	pthread_mutex_lock(&cache.lock);
	for (i = 0; i < STATS_CACHE_SLOTS; i++) {
		if (same_query(&cache.slot[i], q)) {
			victim = i;
			break;
		}
		if (cache.slot[i].used < cache.slot[victim].used)
			victim = i;
	}
	if (!same_query(&cache.slot[victim], q) || cache.slot[victim].generation <= gen) {
		json_decref(cache.slot[victim].answer);
		cache.slot[victim] = (struct stats_slot){q->org->id,
							 q->from,
							 q->to,
							 gen,
							 q->subtree,
							 ++cache.clock,
							 json_deep_copy(answer)};
	}
	pthread_mutex_unlock(&cache.lock);
	return answer;
}

void stats_cache_clear(void)
{
	size_t i;

	pthread_mutex_lock(&cache.lock);
	for (i = 0; i < STATS_CACHE_SLOTS; i++) {
		json_decref(cache.slot[i].answer);
		cache.slot[i] = (struct stats_slot){0};
	}
	pthread_mutex_unlock(&cache.lock);
}
