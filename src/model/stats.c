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
#include "session.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "db/db.h"

/* The scope condition on a row's org: ?1 its path prefix, ?2 1 for subtree, ?3 org id. */
#define IN_SCOPE(alias)                                                                            \
	" (CASE WHEN ?2 != 0 THEN " alias ".org_id IN (SELECT id FROM org WHERE"                   \
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
/* the month in China time: strftime is SQLite's, EXTRACT PostgreSQL's */
static const char sql_by_month[] =
    "SELECT CAST(strftime('%m', s.starts_at + 28800, 'unixepoch') AS INTEGER), COUNT(*)" SESSIONS_IN
    " GROUP BY 1";
static const char sql_by_month_pg[] = "SELECT CAST(EXTRACT(MONTH FROM " DB_PG_CHINA(
    "s", "starts_at") ") AS INTEGER), COUNT(*)" SESSIONS_IN " GROUP BY 1";
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
    "SELECT SUM(CASE WHEN o.submitted_at IS NOT NULL THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN o.accepted_at IS NOT NULL THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN o.assigned_at IS NOT NULL THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN o.replied_at IS NOT NULL THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN o.satisfaction IS NOT NULL THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN o.satisfaction IN ('satisfied', 'basically_satisfied') THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN o.satisfaction = 'satisfied' THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN o.state = 'not_accepted' THEN 1 ELSE 0 END)" OUTPUTS_IN
    " AND o.kind = 'proposal'";
/* (the inner SELECT computes each output's first session once; filtering on the alias in
 * the same SELECT ran the correlated subquery twice) */
static const char sql_days_session[] =
    "SELECT d FROM (SELECT (o.dated_at + 28800) / 86400 - (SELECT MIN(se.starts_at + 28800)"
    " / 86400 FROM output_session os JOIN session se ON se.id = os.session_id"
    " WHERE os.output_id = o.id) AS d" OUTPUTS_IN ") x WHERE d IS NOT NULL ORDER BY d";
/* the same on PostgreSQL, where the times are timestamptz: days between dates */
#define CN_DATE_PG(alias, col) "CAST(" DB_PG_CHINA(alias, col) " AS DATE)"
static const char sql_days_session_pg[] =
    "SELECT d FROM (SELECT " CN_DATE_PG("o", "dated_at") " - (SELECT MIN(" CN_DATE_PG(
	"se", "starts_at") ") FROM output_session os JOIN session se ON se.id = os.session_id"
			   " WHERE os.output_id = o.id) AS d" OUTPUTS_IN
			   ") x WHERE d IS NOT NULL ORDER BY d";
static const char sql_days_reply[] =
    "SELECT (o.replied_at + 28800) / 86400"
    " - (o.submitted_at + 28800) / 86400 AS d" OUTPUTS_IN " AND o.replied_at IS NOT NULL"
    " AND o.submitted_at IS NOT NULL ORDER BY d";
static const char sql_days_reply_pg[] = "SELECT " CN_DATE_PG("o", "replied_at") " - " CN_DATE_PG(
    "o", "submitted_at") " AS d" OUTPUTS_IN
			 " AND o.replied_at IS NOT NULL AND o.submitted_at IS NOT NULL ORDER BY d";
static const char sql_orgs[] =
    "SELECT o.id, o.name, o.level, o.parent_id FROM org o WHERE CASE WHEN ?2 != 0 THEN"
    " substr(o.path, 1, length(?1)) = ?1 ELSE o.id = ?3 END ORDER BY o.path";
/* each body's own figures, all bodies in scope at once */
static const char sql_org_sessions[] = "SELECT s.org_id, COUNT(*)" SESSIONS_IN " GROUP BY s.org_id";
static const char sql_org_outputs[] =
    "SELECT o.org_id, COUNT(*), SUM(CASE WHEN EXISTS (SELECT 1 FROM adoption a"
    " WHERE a.output_id = o.id) THEN 1 ELSE 0 END)" OUTPUTS_IN " GROUP BY o.org_id";

/* joint sessions (联合聊): those with linked bodies, held in the period, that the scope
 * hosted or joined as a linked body (each once), and the outputs that came of them */
#define JOINT_HELD                                                                                 \
	" s.status != 'draft' AND s.starts_at >= ?4 AND s.starts_at < ?5"                          \
	" AND EXISTS (SELECT 1 FROM session_org sl WHERE sl.session_id = s.id)"
#define JOINT_JOINED                                                                               \
	" EXISTS (SELECT 1 FROM session_org so WHERE so.session_id = s.id AND" IN_SCOPE("so") ")"
static const char sql_joint_hosted[] =
    "SELECT COUNT(*) FROM session s WHERE" IN_SCOPE("s") " AND" JOINT_HELD;
static const char sql_joint_joined[] =
    "SELECT COUNT(*) FROM session s WHERE NOT" IN_SCOPE("s") " AND" JOINT_HELD " AND" JOINT_JOINED;
static const char sql_joint_outputs[] =
    "SELECT COUNT(DISTINCT os.output_id) FROM output_session os JOIN session s"
    " ON s.id = os.session_id WHERE" JOINT_HELD " AND (" IN_SCOPE("s") " OR" JOINT_JOINED ")";

/* Q binds a query's five parameters (see IN_SCOPE) */
#define Q_TYPES	  "siiii"
#define Q_ARGS(q) (q)->org->path, (int64_t)(q)->subtree, (q)->org->id, (q)->from, (q)->to

static int scalar(struct db *db, const char *sql, const struct stats_query *q, int64_t *v)
{
	*v = 0;
	return db_get_int(db, sql, v, Q_TYPES, Q_ARGS(q));
}

static int counts_append(struct stats_counts *c, const char *key, int64_t n);

/* counts_add adds n to key (appended when new; the key is copied). */
static int counts_add(struct stats_counts *c, const char *key, int64_t n, bool replace)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->v[i].key, key) == 0) {
			c->v[i].n = replace ? n : c->v[i].n + n;
			return ERR_OK;
		}
	return counts_append(c, key, n);
}

static void counts_release(struct stats_counts *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->v[i].key);
	free(c->v);
	memset(c, 0, sizeof(*c));
}

static int count_row(struct db_stmt *st, void *ud)
{
	return counts_add(ud, db_col_text(st, 0), db_col_int(st, 1), true);
}

/* counts fills c with each (text, count) row, over the given zero keys first. */
static int counts(struct db *db, const char *sql, const struct stats_query *q,
		  const char *const *keys, size_t nkeys, struct stats_counts *c)
{
	size_t i;
	int rc = ERR_OK;

	for (i = 0; !rc && i < nkeys; i++)
		rc = counts_add(c, keys[i], 0, true);
	return rc ? rc : db_each(db, sql, count_row, c, Q_TYPES, Q_ARGS(q));
}

/* counts_append appends (key, n) whether or not key is there (the key is copied) */
static int counts_append(struct stats_counts *c, const char *key, int64_t n)
{
	struct stats_count *v = realloc(c->v, (c->n + 1) * sizeof(*v));

	if (!v)
		return ERR_NOMEM;
	c->v = v;
	v[c->n].key = strdup(key);
	if (!v[c->n].key)
		return ERR_NOMEM;
	v[c->n++].n = n;
	return ERR_OK;
}

/* pair_row appends every row, as the query orders them */
static int pair_row(struct db_stmt *st, void *ud)
{
	return counts_append(ud, db_col_text(st, 0), db_col_int(st, 1));
}

struct doubles {
	double *v;
	size_t n, cap;
};

static int double_row(struct db_stmt *st, void *ud)
{
	struct doubles *d = ud;

	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 64;
		double *nv = realloc(d->v, cap * sizeof(*nv));

		if (!nv)
			return ERR_NOMEM;
		d->v = nv;
		d->cap = cap;
	}
	d->v[d->n++] = db_col_double(st, 0);
	return ERR_OK;
}

static int median(struct db *db, const char *sql, const struct stats_query *q, struct stats_rate *r)
{
	struct doubles d = {NULL, 0, 0};
	double m;
	int rc = db_each(db, sql, double_row, &d, Q_TYPES, Q_ARGS(q));

	r->present = false;
	r->v = 0;
	if (!rc && d.n) {
		m = d.n % 2 ? d.v[d.n / 2] : (d.v[d.n / 2 - 1] + d.v[d.n / 2]) / 2;
		r->present = true;
		r->v = (double)(int64_t)(m * 10 + (m >= 0 ? 0.5 : -0.5)) / 10;
	}
	free(d.v);
	return rc;
}

static struct stats_rate rate(int64_t num, int64_t den)
{
	struct stats_rate r = {false, 0};

	if (den > 0) {
		r.present = true;
		r.v = (double)(int64_t)((double)num / (double)den * 10000 + 0.5) / 10000;
	}
	return r;
}

static int format_row(struct db_stmt *st, void *ud)
{
	static const char *const fmts[] = {"expert", "counterpart", "sector", "joint"};
	struct stats *s = ud;
	int f = (int)db_col_int(st, 0);
	size_t i;
	int rc = ERR_OK;

	for (i = 0; !rc && i < ARRAY_LEN(fmts); i++)
		if (f & (1 << i))
			rc = counts_add(&s->by_format, fmts[i], db_col_int(st, 1), false);
	return rc;
}

static int month_row(struct db_stmt *st, void *ud)
{
	struct stats *s = ud;
	int m = (int)db_col_int(st, 0);

	if (m >= 1 && m <= 12)
		s->by_month[m - 1] = db_col_int(st, 1);
	return ERR_OK;
}

static int rates_row(struct db_stmt *st, void *ud)
{
	int64_t *v = ud;
	int i;

	for (i = 0; i < 8; i++)
		v[i] = db_col_int(st, i);
	return ERR_OK;
}

static int org_row(struct db_stmt *st, void *ud)
{
	struct stats *s = ud;
	struct stats_org *o = realloc(s->by_org, (s->nby_org + 1) * sizeof(*o));

	if (!o)
		return ERR_NOMEM;
	s->by_org = o;
	o = &o[s->nby_org++];
	memset(o, 0, sizeof(*o));
	o->id = db_col_int(st, 0);
	o->name = db_col_dup(st, 1);
	o->level = db_col_dup(st, 2);
	o->parent_id = db_col_null(st, 3) ? 0 : db_col_int(st, 3);
	return o->name && o->level ? ERR_OK : ERR_NOMEM;
}

static struct stats_org *org_by_id(struct stats *s, int64_t id)
{
	size_t i;

	for (i = 0; i < s->nby_org; i++)
		if (s->by_org[i].id == id)
			return &s->by_org[i];
	return NULL;
}

static int org_sessions_row(struct db_stmt *st, void *ud)
{
	struct stats_org *o = org_by_id(ud, db_col_int(st, 0));

	if (o)
		o->sessions = db_col_int(st, 1);
	return ERR_OK;
}

static int org_outputs_row(struct db_stmt *st, void *ud)
{
	struct stats_org *o = org_by_id(ud, db_col_int(st, 0));

	if (o) {
		o->outputs = db_col_int(st, 1);
		o->adopted = db_col_int(st, 2);
	}
	return ERR_OK;
}

void stats_release(struct stats *s)
{
	size_t i;

	if (!s)
		return;
	free(s->org_name);
	free(s->org_level);
	counts_release(&s->by_domain);
	counts_release(&s->by_format);
	counts_release(&s->by_unit);
	counts_release(&s->participants_by_category);
	counts_release(&s->outputs);
	counts_release(&s->outputs_by_state);
	counts_release(&s->adoptions_by_kind);
	for (i = 0; i < s->nby_org; i++) {
		free(s->by_org[i].name);
		free(s->by_org[i].level);
	}
	free(s->by_org);
	memset(s, 0, sizeof(*s));
}

static int compute(struct db *db, const struct stats_query *q, struct stats *s)
{
	static const char *const domains[] = {"economy", "politics", "society", "culture",
					      "ecology"};
	static const char *const fmts[] = {"expert", "counterpart", "sector", "joint"};
	static const char *const okinds[] = {"proposal", "opinion_report", "research_report",
					     "speech", "special_report"};
	static const char *const akinds[] = {"instruction", "department", "policy", "escalation",
					     "media"};
	int64_t v[8] = {0};
	bool pg = db_dialect(db) == DB_POSTGRES;
	size_t i;
	int rc = ERR_OK;

	memset(s, 0, sizeof(*s));
	s->from = q->from;
	s->to = q->to;
	s->org_id = q->org->id;
	s->org_name = strdup(q->org->name);
	s->org_level = strdup(q->org->level);
	s->subtree = q->subtree;
	if (!s->org_name || !s->org_level)
		return ERR_NOMEM;
	rc = scalar(db, sql_sessions, q, &s->sessions);
	if (!rc)
		rc = scalar(db, sql_suggestions, q, &s->suggestions);
	if (!rc)
		rc = scalar(db, sql_adopted, q, &s->adopted);
	if (!rc)
		rc = scalar(db, sql_joint_hosted, q, &s->joint.hosted);
	if (!rc)
		rc = scalar(db, sql_joint_joined, q, &s->joint.joined);
	if (!rc)
		rc = scalar(db, sql_joint_outputs, q, &s->joint.outputs);
	s->joint.total = s->joint.hosted + s->joint.joined;
	if (!rc)
		rc = counts(db, sql_by_domain, q, domains, ARRAY_LEN(domains), &s->by_domain);
	for (i = 0; !rc && i < ARRAY_LEN(fmts); i++)
		rc = counts_add(&s->by_format, fmts[i], 0, true);
	if (!rc)
		rc = db_each(db, sql_formats, format_row, s, Q_TYPES, Q_ARGS(q));
	if (!rc)
		rc = db_each(db, sql_by_unit, pair_row, &s->by_unit, Q_TYPES, Q_ARGS(q));
	if (!rc)
		rc = db_each(db, pg ? sql_by_month_pg : sql_by_month, month_row, s, Q_TYPES,
			     Q_ARGS(q));
	if (!rc)
		rc = db_each(db, sql_participants, pair_row, &s->participants_by_category, Q_TYPES,
			     Q_ARGS(q));
	if (!rc)
		rc = counts(db, sql_outputs_kind, q, okinds, ARRAY_LEN(okinds), &s->outputs);
	for (i = 0; !rc && i < s->outputs.n; i++)
		s->outputs_total += s->outputs.v[i].n;
	if (!rc)
		rc = counts(db, sql_outputs_state, q, NULL, 0, &s->outputs_by_state);
	if (!rc)
		rc = counts(db, sql_adoption_kinds, q, akinds, ARRAY_LEN(akinds),
			    &s->adoptions_by_kind);
	if (!rc)
		rc = db_each(db, sql_rates, rates_row, v, Q_TYPES, Q_ARGS(q));
	s->proposals.submitted = v[0];
	s->proposals.accepted = v[1];
	s->proposals.assigned = v[2];
	s->proposals.replied = v[3];
	s->proposals.evaluated = v[4];
	s->proposals.satisfied_or_basically = v[5];
	s->proposals.satisfied = v[6];
	s->proposals.not_accepted = v[7];
	s->filing_rate = rate(v[1], v[0]);
	s->reply_rate = rate(v[3], v[2]);
	s->satisfaction_rate = rate(v[5], v[4]);
	if (!rc)
		rc = median(db, pg ? sql_days_session_pg : sql_days_session, q,
			    &s->median_days_session_to_output);
	if (!rc)
		rc = median(db, pg ? sql_days_reply_pg : sql_days_reply, q,
			    &s->median_days_submission_to_reply);
	/* the bodies in scope, each with its own figures (the roll-up's parts) */
	if (!rc)
		rc = db_each(db, sql_orgs, org_row, s, "sii", q->org->path, (int64_t)q->subtree,
			     q->org->id);
	if (!rc)
		rc = db_each(db, sql_org_sessions, org_sessions_row, s, Q_TYPES, Q_ARGS(q));
	if (!rc)
		rc = db_each(db, sql_org_outputs, org_outputs_row, s, Q_TYPES, Q_ARGS(q));
	return rc;
}

/* stats_copy makes dst a deep copy of src (release dst in every case). */
static int stats_copy(struct stats *dst, const struct stats *src)
{
	const struct stats_counts *from[] = {&src->by_domain,	     &src->by_format,
					     &src->by_unit,	     &src->participants_by_category,
					     &src->outputs,	     &src->outputs_by_state,
					     &src->adoptions_by_kind};
	struct stats_counts *to[] = {&dst->by_domain,	     &dst->by_format,
				     &dst->by_unit,	     &dst->participants_by_category,
				     &dst->outputs,	     &dst->outputs_by_state,
				     &dst->adoptions_by_kind};
	size_t i, k;
	int rc = ERR_OK;

	*dst = *src;
	for (i = 0; i < ARRAY_LEN(to); i++)
		memset(to[i], 0, sizeof(*to[i]));
	dst->by_org = NULL;
	dst->nby_org = 0;
	dst->org_name = strdup(src->org_name);
	dst->org_level = strdup(src->org_level);
	if (!dst->org_name || !dst->org_level)
		return ERR_NOMEM;
	for (i = 0; i < ARRAY_LEN(to); i++)
		for (k = 0; !rc && k < from[i]->n; k++)
			rc = counts_append(to[i], from[i]->v[k].key, from[i]->v[k].n);
	if (!rc && src->nby_org) {
		dst->by_org = calloc(src->nby_org, sizeof(*dst->by_org));
		if (!dst->by_org)
			return ERR_NOMEM;
		for (i = 0; i < src->nby_org; i++) {
			dst->by_org[i] = src->by_org[i];
			dst->by_org[i].name = strdup(src->by_org[i].name);
			dst->by_org[i].level = strdup(src->by_org[i].level);
			dst->nby_org++;
			if (!dst->by_org[i].name || !dst->by_org[i].level)
				return ERR_NOMEM;
		}
	}
	return rc;
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
	bool filled;
	struct stats answer;
};

static struct {
	pthread_mutex_t lock;
	struct stats_slot slot[STATS_CACHE_SLOTS];
	uint64_t clock;
} cache = {.lock = PTHREAD_MUTEX_INITIALIZER};

static const char sql_generation[] = "SELECT n FROM stats_generation WHERE id = 1";

static bool same_query(const struct stats_slot *s, const struct stats_query *q)
{
	return s->filled && s->org_id == q->org->id && s->subtree == q->subtree &&
	       s->from == q->from && s->to == q->to;
}

int stats_compute(struct db *db, const struct stats_query *q, struct stats *s)
{
	int64_t gen = -1;
	size_t i, victim = 0;
	int rc = ERR_NOT_FOUND;

	memset(s, 0, sizeof(*s));
	if (db_get_int(db, sql_generation, &gen, ""))
		gen = -1;
	if (gen < 0)
		return compute(db, q, s);
	pthread_mutex_lock(&cache.lock);
	for (i = 0; i < STATS_CACHE_SLOTS; i++)
		if (same_query(&cache.slot[i], q) && cache.slot[i].generation == gen) {
			cache.slot[i].used = ++cache.clock;
			rc = stats_copy(s, &cache.slot[i].answer);
			break;
		}
	pthread_mutex_unlock(&cache.lock);
	if (rc != ERR_NOT_FOUND)
		return rc;
	rc = compute(db, q, s);
	if (rc)
		return rc;
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
		struct stats_slot *v = &cache.slot[victim];

		stats_release(&v->answer);
		*v = (struct stats_slot){q->org->id, q->from,	    q->to, gen,
					 q->subtree, ++cache.clock, false, {0}};
		if (stats_copy(&v->answer, s) == ERR_OK)
			v->filled = true;
		else
			stats_release(&v->answer);
	}
	pthread_mutex_unlock(&cache.lock);
	return ERR_OK;
}

void stats_cache_clear(void)
{
	size_t i;

	pthread_mutex_lock(&cache.lock);
	for (i = 0; i < STATS_CACHE_SLOTS; i++) {
		stats_release(&cache.slot[i].answer);
		cache.slot[i] = (struct stats_slot){0};
	}
	pthread_mutex_unlock(&cache.lock);
}
