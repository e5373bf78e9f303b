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
#include <stddef.h>
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
	     " AND i.rsvp != 'declined' GROUP BY p.category ORDER BY 2 DESC, 1";
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
 * hosted or joined as a linked body (each once), and the outputs that came of them. The
 * few sessions with linked bodies (session_org) drive each query, not the many sessions of
 * the period. */
#define JOINT_HELD                                                                                 \
	" s.id IN (SELECT sl.session_id FROM session_org sl) AND s.status != 'draft'"              \
	" AND s.starts_at >= ?4 AND s.starts_at < ?5"
#define JOINT_JOINED " s.id IN (SELECT so.session_id FROM session_org so WHERE" IN_SCOPE("so") ")"
static const char sql_joint_hosted[] =
    "SELECT COUNT(*) FROM session s WHERE" JOINT_HELD " AND" IN_SCOPE("s");
static const char sql_joint_joined[] =
    "SELECT COUNT(*) FROM session s WHERE" JOINT_HELD " AND" JOINT_JOINED " AND NOT" IN_SCOPE("s");
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
 * The summary (migration 0022). stats_cell holds, per body and month (China time), the
 * body's own figures (subtree 0) and the roll-up of it and every body below (subtree 1);
 * the triggers note in stats_dirty the (body, time) of every change, and stats_refresh
 * makes again only those months' cells from the rows (one body, one month: a few hundred
 * rows), then the roll-ups of that body's ancestors for those months from the bodies' own
 * cells. A period of whole months is then read as a sum over at most a few thousand cells,
 * whatever was changed just before. The full computation above (compute) stays, for
 * periods that are not whole months and as the check the tests compare the summary with.
 */

/* The statements that make a month's own cells: CELLS(session body condition, output body
 * condition) for one body (?1) or for all (?1 = 0); ?2/?3 the month's bounds, ?4 its ym. */
#define CELL_INS "INSERT INTO stats_cell (org_id, subtree, ym, metric, k, v, n) "
#define CELL_S(so)                                                                                 \
	" WHERE " so " AND s.status != 'draft' AND s.starts_at >= ?2 AND s.starts_at < ?3"
#define CELL_O(oo) " WHERE " oo " AND o.dated_at >= ?2 AND o.dated_at < ?3"
#define CELL_FORMAT(so, name, bit)                                                                 \
	CELL_INS "SELECT s.org_id, 0, ?4, 'format', '" name                                        \
		 "', 0, COUNT(*) FROM session s" CELL_S(so) " AND (s.formats & " bit               \
							    ") != 0 GROUP BY s.org_id"
#define CELL_RATE(oo, name, cond)                                                                  \
	CELL_INS "SELECT o.org_id, 0, ?4, 'rate', '" name                                          \
		 "', 0, COUNT(*) FROM output o" CELL_O(oo) " AND o.kind = 'proposal' AND " cond    \
							   " GROUP BY o.org_id"
#define CELLS(so, oo, dsess, dreply)                                                               \
	{                                                                                          \
		CELL_INS                                                                           \
		"SELECT s.org_id, 0, ?4, 'sessions', '', 0, COUNT(*) FROM session s" CELL_S(       \
		    so) " GROUP BY s.org_id",                                                      \
		    CELL_INS                                                                       \
		    "SELECT s.org_id, 0, ?4, 'domain', t.domain, 0, COUNT(*) FROM session s"       \
		    " JOIN topic t ON t.id = s.topic_id" CELL_S(                                   \
			so) " GROUP BY s.org_id, t.domain",                                        \
		    CELL_FORMAT(so, "expert", "1"), CELL_FORMAT(so, "counterpart", "2"),           \
		    CELL_FORMAT(so, "sector", "4"), CELL_FORMAT(so, "joint", "8"),                 \
		    CELL_INS "SELECT s.org_id, 0, ?4, 'unit', s.organizer_unit, 0, COUNT(*) FROM " \
			     "session s" CELL_S(so) " GROUP BY s.org_id, s.organizer_unit",        \
		    CELL_INS "SELECT s.org_id, 0, ?4, 'category', p.category, 0, COUNT(*) FROM "   \
			     "invitation i JOIN person p ON p.id = i.person_id"                    \
			     " JOIN session s ON s.id = i.session_id" CELL_S(                      \
				 so) " AND i.rsvp != 'declined' GROUP BY s.org_id, p.category",    \
		    CELL_INS                                                                       \
		    "SELECT s.org_id, 0, ?4, 'suggestions', '', 0, COUNT(*) FROM suggestion g"     \
		    " JOIN session s ON s.id = g.session_id" CELL_S(so) " GROUP BY s.org_id",      \
		    CELL_INS                                                                       \
		    "SELECT o.org_id, 0, ?4, 'okind', o.kind, 0, COUNT(*) FROM output o" CELL_O(   \
			oo) " GROUP BY o.org_id, o.kind",                                          \
		    CELL_INS                                                                       \
		    "SELECT o.org_id, 0, ?4, 'ostate', o.state, 0, COUNT(*) FROM output o" CELL_O( \
			oo) " GROUP BY o.org_id, o.state",                                         \
		    CELL_INS                                                                       \
		    "SELECT o.org_id, 0, ?4, 'adopted', '', 0, COUNT(*) FROM output o" CELL_O(     \
			oo) " AND EXISTS (SELECT 1 FROM adoption a WHERE a.output_id = o.id)"      \
			    " GROUP BY o.org_id",                                                  \
		    CELL_INS                                                                       \
		    "SELECT o.org_id, 0, ?4, 'akind', a.kind, 0, COUNT(*) FROM adoption a"         \
		    " JOIN output o ON o.id = a.output_id" CELL_O(                                 \
			oo) " GROUP BY o.org_id, a.kind",                                          \
		    CELL_RATE(oo, "submitted", "o.submitted_at IS NOT NULL"),                      \
		    CELL_RATE(oo, "accepted", "o.accepted_at IS NOT NULL"),                        \
		    CELL_RATE(oo, "assigned", "o.assigned_at IS NOT NULL"),                        \
		    CELL_RATE(oo, "replied", "o.replied_at IS NOT NULL"),                          \
		    CELL_RATE(oo, "evaluated", "o.satisfaction IS NOT NULL"),                      \
		    CELL_RATE(oo, "satisfied_or_basically",                                        \
			      "o.satisfaction IN ('satisfied', 'basically_satisfied')"),           \
		    CELL_RATE(oo, "satisfied", "o.satisfaction = 'satisfied'"),                    \
		    CELL_RATE(oo, "not_accepted", "o.state = 'not_accepted'"),                     \
		    CELL_INS "SELECT x.org_id, 0, ?4, 'dsess', '', x.d, COUNT(*) FROM (SELECT "    \
			     "o.org_id, " dsess " AS d FROM output o" CELL_O(                      \
				 oo) ") x WHERE x.d IS NOT NULL GROUP BY x.org_id, x.d",           \
		    CELL_INS "SELECT x.org_id, 0, ?4, 'dreply', '', x.d, COUNT(*) FROM (SELECT "   \
			     "o.org_id, " dreply " AS d"                                           \
			     " FROM output o" CELL_O(oo) " AND o.replied_at IS NOT NULL"           \
							 " AND o.submitted_at IS NOT NULL) x"      \
							 " GROUP BY x.org_id, x.d",                \
	}
/* the days from an output's first session to its date, and from its submission to its
 * reply, in China time: SQLite's times are unix seconds, PostgreSQL's timestamptz */
#define DAYS_SESSION                                                                               \
	"(o.dated_at + 28800) / 86400 - (SELECT MIN(se.starts_at + 28800) / 86400"                 \
	" FROM output_session os JOIN session se ON se.id = os.session_id"                         \
	" WHERE os.output_id = o.id)"
#define DAYS_REPLY "(o.replied_at + 28800) / 86400 - (o.submitted_at + 28800) / 86400"
#define DAYS_SESSION_PG                                                                            \
	"(" CN_DATE_PG("o", "dated_at") " - (SELECT MIN(" CN_DATE_PG(                              \
	    "se", "starts_at") ") FROM output_session os JOIN session se ON se.id = os.session_id" \
			       " WHERE os.output_id = o.id))"
#define DAYS_REPLY_PG "(" CN_DATE_PG("o", "replied_at") " - " CN_DATE_PG("o", "submitted_at") ")"
static const char *const cells_one[] =
    CELLS("s.org_id = ?1", "o.org_id = ?1", DAYS_SESSION, DAYS_REPLY);
static const char *const cells_all[] = CELLS("?1 = 0", "?1 = 0", DAYS_SESSION, DAYS_REPLY);
static const char *const cells_one_pg[] =
    CELLS("s.org_id = ?1", "o.org_id = ?1", DAYS_SESSION_PG, DAYS_REPLY_PG);
static const char *const cells_all_pg[] = CELLS("?1 = 0", "?1 = 0", DAYS_SESSION_PG, DAYS_REPLY_PG);

static const char sql_cell_clear[] =
    "DELETE FROM stats_cell WHERE org_id = ?1 AND subtree = ?2 AND ym = ?3";
static const char sql_cell_rollup[] =
    CELL_INS "SELECT ?1, 1, c.ym, c.metric, c.k, c.v, SUM(c.n) FROM stats_cell c"
	     " WHERE c.subtree = 0 AND c.ym = ?2 AND c.org_id IN (SELECT d.id FROM org d, org a"
	     " WHERE a.id = ?1 AND substr(d.path, 1, length(a.path)) = a.path)"
	     " GROUP BY c.ym, c.metric, c.k, c.v";
static const char sql_cell_rollup_all[] =
    CELL_INS "SELECT a.id, 1, c.ym, c.metric, c.k, c.v, SUM(c.n) FROM org a JOIN org d"
	     " ON substr(d.path, 1, length(a.path)) = a.path JOIN stats_cell c"
	     " ON c.org_id = d.id AND c.subtree = 0 GROUP BY a.id, c.ym, c.metric, c.k, c.v";
static const char sql_ancestors[] =
    "SELECT a.id FROM org a, org d WHERE d.id = ?1 AND substr(d.path, 1, length(a.path)) = a.path";
static const char sql_dirty_any[] = "SELECT org_id FROM stats_dirty LIMIT 1";
static const char sql_dirty_all[] = "SELECT org_id FROM stats_dirty WHERE org_id = 0 LIMIT 1";
static const char sql_dirty_count[] = "SELECT COUNT(*) FROM stats_dirty";
static const char sql_dirty_take[] = "DELETE FROM stats_dirty RETURNING org_id, at";
static const char sql_dirty_clear[] = "DELETE FROM stats_dirty";
static const char sql_cells_clear[] = "DELETE FROM stats_cell";
static const char sql_span[] =
    "SELECT MIN(t), MAX(t) FROM (SELECT MIN(starts_at) AS t FROM session UNION ALL"
    " SELECT MAX(starts_at) FROM session UNION ALL SELECT MIN(dated_at) FROM output"
    " UNION ALL SELECT MAX(dated_at) FROM output) x";
static const char sql_cell_sums[] =
    "SELECT metric, k, v, SUM(n) FROM stats_cell WHERE org_id = ?1 AND subtree = ?2"
    " AND ym >= ?3 AND ym < ?4 GROUP BY metric, k, v ORDER BY metric, k, v";
static const char sql_cell_months[] =
    "SELECT ym, SUM(n) FROM stats_cell WHERE org_id = ?1 AND subtree = ?2 AND ym >= ?3"
    " AND ym < ?4 AND metric = 'sessions' GROUP BY ym";
/* (CROSS JOIN: SQLite reads the bodies first, then each one's cells by the key) */
static const char sql_cell_orgs[] =
    "SELECT c.org_id, c.metric, SUM(c.n) FROM org g CROSS JOIN stats_cell c"
    " WHERE c.org_id = g.id AND c.subtree = 0 AND c.metric IN ('sessions', 'okind', 'adopted')"
    " AND c.ym >= ?4 AND c.ym < ?5"
    " AND CASE WHEN ?2 != 0 THEN substr(g.path, 1, length(?1)) = ?1 ELSE g.id = ?3 END"
    " GROUP BY c.org_id, c.metric";

/* Beyond this many changed cells a refresh makes every cell again (a bulk load). */
enum { STATS_REFRESH_MAX_CELLS = 2000 };

/* ym_of gives the month (YYYYMM, China time) of t. */
static int ym_of(int64_t t)
{
	char b[16];

	time_fmt(t, "%Y%m", b, sizeof(b));
	return atoi(b);
}

/* ym_start gives the first second of month ym (China time). */
static int ym_start(int ym, int64_t *t)
{
	char b[24];

	snprintf(b, sizeof(b), "%04d-%02d-01", ym / 100, ym % 100);
	return time_parse(b, t) ? ERR_INVALID : ERR_OK;
}

static int ym_next(int ym)
{
	return ym % 100 == 12 ? (ym / 100 + 1) * 100 + 1 : ym + 1;
}

struct cell {
	int64_t org;
	int ym;
};

struct cells {
	struct cell *v;
	size_t n, cap;
};

/* cells_add adds (org, ym) once. */
static int cells_add(struct cells *c, int64_t org, int ym)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->v[i].org == org && c->v[i].ym == ym)
			return ERR_OK;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		struct cell *nv = realloc(c->v, cap * sizeof(*nv));

		if (!nv)
			return ERR_NOMEM;
		c->v = nv;
		c->cap = cap;
	}
	c->v[c->n++] = (struct cell){org, ym};
	return ERR_OK;
}

struct dirty_acc {
	struct cells cells;
	bool all;
};

static int dirty_row(struct db_stmt *st, void *ud)
{
	struct dirty_acc *d = ud;
	int64_t org = db_col_int(st, 0);

	if (org == 0 || db_col_null(st, 1)) {
		d->all = d->all || org == 0;
		return ERR_OK;
	}
	if (d->all || d->cells.n >= STATS_REFRESH_MAX_CELLS) {
		d->all = true;
		return ERR_OK;
	}
	return cells_add(&d->cells, org, ym_of(db_col_int(st, 1)));
}

/* month_cells makes the own cells of month ym: of body org, or of every body (org 0). */
static int month_cells(struct db *db, int64_t org, int ym)
{
	bool pg = db_dialect(db) == DB_POSTGRES;
	const char *const *sql =
	    org ? (pg ? cells_one_pg : cells_one) : (pg ? cells_all_pg : cells_all);
	int64_t from, to;
	size_t i;
	int rc = ym_start(ym, &from);

	if (!rc)
		rc = ym_start(ym_next(ym), &to);
	if (!rc && org)
		rc = db_exec(db, sql_cell_clear, "iii", org, (int64_t)0, (int64_t)ym);
	for (i = 0; !rc && i < ARRAY_LEN(cells_one); i++)
		rc = db_exec(db, sql[i], "iiii", org, from, to, (int64_t)ym);
	return rc;
}

/* rebuild makes every cell again. */
static int rebuild(struct db *db)
{
	struct db_stmt *st;
	int64_t lo = 0, hi = 0;
	bool any = false;
	int ym, end, rc;

	rc = db_exec(db, sql_cells_clear, "");
	if (!rc)
		rc = db_get_row(db, sql_span, &st, "");
	if (!rc) {
		any = !db_col_null(st, 0);
		lo = any ? db_col_int(st, 0) : 0;
		hi = any ? db_col_int(st, 1) : 0;
		db_done(st);
	}
	if (rc || !any)
		return rc == ERR_NOT_FOUND ? ERR_OK : rc;
	end = ym_next(ym_of(hi));
	for (ym = ym_of(lo); !rc && ym != end; ym = ym_next(ym))
		rc = month_cells(db, 0, ym);
	return rc ? rc : db_exec(db, sql_cell_rollup_all, "");
}

/* refresh_cells makes the own cells of the changed (body, month)s, then the roll-ups of
 * those months for every body above each (itself included). */
static int refresh_cells(struct db *db, const struct cells *changed)
{
	struct cells up = {NULL, 0, 0};
	struct db_ids ids = {NULL, 0};
	size_t i, k;
	int rc = ERR_OK;

	for (i = 0; !rc && i < changed->n; i++) {
		rc = month_cells(db, changed->v[i].org, changed->v[i].ym);
		ids.n = 0;
		if (!rc)
			rc = db_each(db, sql_ancestors, db_ids_row, &ids, "i", changed->v[i].org);
		for (k = 0; !rc && k < ids.n; k++)
			rc = cells_add(&up, ids.ids[k], changed->v[i].ym);
	}
	for (i = 0; !rc && i < up.n; i++) {
		rc = db_exec(db, sql_cell_clear, "iii", up.v[i].org, (int64_t)1,
			     (int64_t)up.v[i].ym);
		if (!rc)
			rc = db_exec(db, sql_cell_rollup, "ii", up.v[i].org, (int64_t)up.v[i].ym);
	}
	free(ids.ids);
	free(up.v);
	return rc;
}

int stats_refresh(struct db *db)
{
	struct dirty_acc d = {{NULL, 0, 0}, false};
	int64_t one, n = 0;
	int rc = db_get_int(db, sql_dirty_any, &one, "");

	if (rc == ERR_NOT_FOUND)
		return ERR_OK; /* nothing changed: the common case, one indexed read */
	if (rc)
		return rc;
	rc = db_get_int(db, sql_dirty_all, &one, "");
	if (rc == ERR_OK || (rc == ERR_NOT_FOUND && !db_get_int(db, sql_dirty_count, &n, "") &&
			     n > 4 * STATS_REFRESH_MAX_CELLS)) {
		d.all = true;
		rc = db_exec(db, sql_dirty_clear, "");
	} else if (rc == ERR_NOT_FOUND) {
		rc = db_each(db, sql_dirty_take, dirty_row, &d, "");
	}
	if (!rc)
		rc = d.all ? rebuild(db) : refresh_cells(db, &d.cells);
	free(d.cells.v);
	return rc;
}

int stats_refresh_now(struct db *db)
{
	int64_t one;
	int rc = db_get_int(db, sql_dirty_any, &one, "");

	if (rc == ERR_NOT_FOUND)
		return ERR_OK;
	if (rc)
		return rc;
	rc = db_begin_write(db);
	if (rc)
		return rc;
	rc = stats_refresh(db);
	if (!rc)
		rc = db_commit(db);
	if (rc)
		db_rollback(db);
	return rc;
}

struct hist {
	int64_t *v, *n;
	size_t len, cap;
	int64_t total;
};

static int hist_add(struct hist *h, int64_t v, int64_t n)
{
	if (h->len == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 64;
		int64_t *nv = realloc(h->v, cap * sizeof(*nv)), *nn;

		if (!nv)
			return ERR_NOMEM;
		h->v = nv;
		nn = realloc(h->n, cap * sizeof(*nn));
		if (!nn)
			return ERR_NOMEM;
		h->n = nn;
		h->cap = cap;
	}
	h->v[h->len] = v;
	h->n[h->len++] = n;
	h->total += n;
	return ERR_OK;
}

/* hist_at gives the value at position i (0 first) of the sorted values h counts. */
static double hist_at(const struct hist *h, int64_t i)
{
	size_t k;

	for (k = 0; k < h->len; k++) {
		if (i < h->n[k])
			return (double)h->v[k];
		i -= h->n[k];
	}
	return 0;
}

/* hist_median is median() over the values h counts (rows come sorted by value). */
static struct stats_rate hist_median(const struct hist *h)
{
	struct stats_rate r = {false, 0};
	double m;

	if (h->total > 0) {
		m = h->total % 2 ? hist_at(h, h->total / 2)
				 : (hist_at(h, h->total / 2 - 1) + hist_at(h, h->total / 2)) / 2;
		r.present = true;
		r.v = (double)(int64_t)(m * 10 + (m >= 0 ? 0.5 : -0.5)) / 10;
	}
	return r;
}

struct sums {
	struct stats *s;
	int64_t rates[8];
	struct hist dsess, dreply;
};

/* the summary's metrics that are counts by key, and the figure each one adds to */
static const struct {
	const char *metric;
	size_t off;
} cell_counts[] = {
    {"domain", offsetof(struct stats, by_domain)},
    {"format", offsetof(struct stats, by_format)},
    {"unit", offsetof(struct stats, by_unit)},
    {"category", offsetof(struct stats, participants_by_category)},
    {"okind", offsetof(struct stats, outputs)},
    {"ostate", offsetof(struct stats, outputs_by_state)},
    {"akind", offsetof(struct stats, adoptions_by_kind)},
};

static int sum_row(struct db_stmt *st, void *ud)
{
	static const char *const rates[] = {"submitted", "accepted",	"assigned",
					    "replied",	 "evaluated",	"satisfied_or_basically",
					    "satisfied", "not_accepted"};
	struct sums *u = ud;
	struct stats *s = u->s;
	const char *m = db_col_text(st, 0), *k = db_col_text(st, 1);
	int64_t v = db_col_int(st, 2), n = db_col_int(st, 3);
	size_t i;

	for (i = 0; i < ARRAY_LEN(cell_counts); i++)
		if (strcmp(m, cell_counts[i].metric) == 0)
			return counts_add((struct stats_counts *)((char *)s + cell_counts[i].off),
					  k, n, false);
	if (strcmp(m, "sessions") == 0)
		s->sessions += n;
	else if (strcmp(m, "suggestions") == 0)
		s->suggestions += n;
	else if (strcmp(m, "adopted") == 0)
		s->adopted += n;
	else if (strcmp(m, "dsess") == 0)
		return hist_add(&u->dsess, v, n);
	else if (strcmp(m, "dreply") == 0)
		return hist_add(&u->dreply, v, n);
	else if (strcmp(m, "rate") == 0)
		for (i = 0; i < ARRAY_LEN(rates); i++)
			if (strcmp(k, rates[i]) == 0)
				u->rates[i] += n;
	return ERR_OK;
}

static int month_sum_row(struct db_stmt *st, void *ud)
{
	struct stats *s = ud;
	int m = (int)(db_col_int(st, 0) % 100);

	if (m >= 1 && m <= 12)
		s->by_month[m - 1] += db_col_int(st, 1);
	return ERR_OK;
}

static int org_sum_row(struct db_stmt *st, void *ud)
{
	struct stats_org *o = org_by_id(ud, db_col_int(st, 0));
	const char *m = db_col_text(st, 1);

	if (!o)
		return ERR_OK;
	if (strcmp(m, "sessions") == 0)
		o->sessions = db_col_int(st, 2);
	else if (strcmp(m, "okind") == 0)
		o->outputs = db_col_int(st, 2);
	else
		o->adopted = db_col_int(st, 2);
	return ERR_OK;
}

/* by_count_desc orders counts most first, then by key (the full computation's ORDER BY
 * 2 DESC, 1). */
static int by_count_desc(const void *a, const void *b)
{
	const struct stats_count *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* summary_read is compute() for a period of whole months [ym0, ym1), from the cells. */
static int summary_read(struct db *db, const struct stats_query *q, int ym0, int ym1,
			struct stats *s)
{
	static const char *const domains[] = {"economy", "politics", "society", "culture",
					      "ecology"};
	static const char *const fmts[] = {"expert", "counterpart", "sector", "joint"};
	static const char *const okinds[] = {"proposal", "opinion_report", "research_report",
					     "speech", "special_report"};
	static const char *const akinds[] = {"instruction", "department", "policy", "escalation",
					     "media"};
	struct sums u;
	size_t i;
	int rc = ERR_OK;

	memset(s, 0, sizeof(*s));
	memset(&u, 0, sizeof(u));
	u.s = s;
	s->from = q->from;
	s->to = q->to;
	s->org_id = q->org->id;
	s->org_name = strdup(q->org->name);
	s->org_level = strdup(q->org->level);
	s->subtree = q->subtree;
	if (!s->org_name || !s->org_level)
		return ERR_NOMEM;
	for (i = 0; !rc && i < ARRAY_LEN(domains); i++)
		rc = counts_add(&s->by_domain, domains[i], 0, true);
	for (i = 0; !rc && i < ARRAY_LEN(fmts); i++)
		rc = counts_add(&s->by_format, fmts[i], 0, true);
	for (i = 0; !rc && i < ARRAY_LEN(okinds); i++)
		rc = counts_add(&s->outputs, okinds[i], 0, true);
	for (i = 0; !rc && i < ARRAY_LEN(akinds); i++)
		rc = counts_add(&s->adoptions_by_kind, akinds[i], 0, true);
	if (!rc)
		rc = db_each(db, sql_cell_sums, sum_row, &u, "iiii", q->org->id,
			     (int64_t)q->subtree, (int64_t)ym0, (int64_t)ym1);
	if (!rc)
		rc = db_each(db, sql_cell_months, month_sum_row, s, "iiii", q->org->id,
			     (int64_t)q->subtree, (int64_t)ym0, (int64_t)ym1);
	if (!rc)
		rc = scalar(db, sql_joint_hosted, q, &s->joint.hosted);
	if (!rc)
		rc = scalar(db, sql_joint_joined, q, &s->joint.joined);
	if (!rc)
		rc = scalar(db, sql_joint_outputs, q, &s->joint.outputs);
	s->joint.total = s->joint.hosted + s->joint.joined;
	if (s->by_unit.n > 1) /* (qsort wants an array, even of nothing) */
		qsort(s->by_unit.v, s->by_unit.n, sizeof(*s->by_unit.v), by_count_desc);
	if (s->participants_by_category.n > 1)
		qsort(s->participants_by_category.v, s->participants_by_category.n,
		      sizeof(*s->participants_by_category.v), by_count_desc);
	for (i = 0; i < s->outputs.n; i++)
		s->outputs_total += s->outputs.v[i].n;
	s->proposals.submitted = u.rates[0];
	s->proposals.accepted = u.rates[1];
	s->proposals.assigned = u.rates[2];
	s->proposals.replied = u.rates[3];
	s->proposals.evaluated = u.rates[4];
	s->proposals.satisfied_or_basically = u.rates[5];
	s->proposals.satisfied = u.rates[6];
	s->proposals.not_accepted = u.rates[7];
	s->filing_rate = rate(u.rates[1], u.rates[0]);
	s->reply_rate = rate(u.rates[3], u.rates[2]);
	s->satisfaction_rate = rate(u.rates[5], u.rates[4]);
	s->median_days_session_to_output = hist_median(&u.dsess);
	s->median_days_submission_to_reply = hist_median(&u.dreply);
	free(u.dsess.v);
	free(u.dsess.n);
	free(u.dreply.v);
	free(u.dreply.n);
	if (!rc)
		rc = db_each(db, sql_orgs, org_row, s, "sii", q->org->path, (int64_t)q->subtree,
			     q->org->id);
	if (!rc)
		rc = db_each(db, sql_cell_orgs, org_sum_row, s, "siiii", q->org->path,
			     (int64_t)q->subtree, q->org->id, (int64_t)ym0, (int64_t)ym1);
	return rc;
}

/* whole_months tells whether q's period is whole months, giving them as [*ym0, *ym1). */
static bool whole_months(const struct stats_query *q, int *ym0, int *ym1)
{
	int64_t a, b;

	if (q->to <= q->from)
		return false;
	*ym0 = ym_of(q->from);
	*ym1 = ym_of(q->to);
	return !ym_start(*ym0, &a) && a == q->from && !ym_start(*ym1, &b) && b == q->to;
}

static const char sql_cells_all[] = "SELECT org_id, subtree, ym, metric, k, v, n FROM stats_cell";
static const char sql_cell_put[] =
    "INSERT INTO stats_cell (org_id, subtree, ym, metric, k, v, n) VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char sql_dirty_rows[] = "SELECT org_id, at FROM stats_dirty";
static const char sql_dirty_put[] = "INSERT INTO stats_dirty (org_id, at) VALUES (?, ?)";

static int cell_copy_row(struct db_stmt *st, void *ud)
{
	return db_exec(ud, sql_cell_put, "iiissii", db_col_int(st, 0), db_col_int(st, 1),
		       db_col_int(st, 2), db_col_text(st, 3), db_col_text(st, 4), db_col_int(st, 5),
		       db_col_int(st, 6));
}

static int dirty_copy_row(struct db_stmt *st, void *ud)
{
	if (db_col_null(st, 1))
		return db_exec(ud, "INSERT INTO stats_dirty (org_id, at) VALUES (?, NULL)", "i",
			       db_col_int(st, 0));
	return db_exec(ud, sql_dirty_put, "ii", db_col_int(st, 0), db_col_int(st, 1));
}

int stats_copy_summary(struct db *from, struct db *to)
{
	int rc = db_exec(to, sql_dirty_clear, "");

	if (!rc)
		rc = db_exec(to, sql_cells_clear, "");
	if (!rc)
		rc = db_each(from, sql_cells_all, cell_copy_row, to, "");
	if (!rc)
		rc = db_each(from, sql_dirty_rows, dirty_copy_row, to, "");
	return rc;
}

int stats_compute_full(struct db *db, const struct stats_query *q, struct stats *s)
{
	return compute(db, q, s);
}

/*
 * The cache. A statistics answer (from the summary, or from the rows) changes only when a
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

/* answer makes the answer to q: from the summary for whole months, else from the rows. */
static int answer(struct db *db, const struct stats_query *q, struct stats *s)
{
	int ym0, ym1;

	if (whole_months(q, &ym0, &ym1) && stats_refresh_now(db) == ERR_OK) {
		if (summary_read(db, q, ym0, ym1, s) == ERR_OK)
			return ERR_OK;
		stats_release(s);
	}
	/* (another period, or a database that cannot be written here) */
	return compute(db, q, s);
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
		return answer(db, q, s);
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
	rc = answer(db, q, s);
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
