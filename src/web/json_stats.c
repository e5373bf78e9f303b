/*
 * json_stats.c - statistics to JSON and to tables (see json_stats.h).
 */
#include "json_stats.h"

#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "view/view.h"

json_t *stats_rate_json(struct stats_rate r)
{
	return r.present ? json_real(r.v) : json_null();
}

static json_t *counts_object(const struct stats_counts *c)
{
	json_t *o = json_object();
	size_t i;

	for (i = 0; i < c->n; i++)
		json_object_set_new(o, c->v[i].key, json_integer((json_int_t)c->v[i].n));
	return o;
}

static json_t *pairs_array(const struct stats_counts *c, const char *name)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < c->n; i++)
		json_array_append_new(
		    a, json_pack("{ss sI}", name, c->v[i].key, "count", (json_int_t)c->v[i].n));
	return a;
}

json_t *stats_to_json(const struct stats *s)
{
	json_t *r = json_object(), *months = json_array(), *orgs = json_array();
	char from[26], to[26];
	size_t i;

	for (i = 0; i < 12; i++)
		json_array_append_new(months, json_integer((json_int_t)s->by_month[i]));
	for (i = 0; i < s->nby_org; i++) {
		const struct stats_org *o = &s->by_org[i];

		json_array_append_new(
		    orgs,
		    json_pack("{sI ss ss so sI sI sI}", "id", (json_int_t)o->id, "name", o->name,
			      "level", o->level, "parent_id",
			      o->parent_id ? json_integer((json_int_t)o->parent_id) : json_null(),
			      "sessions", (json_int_t)o->sessions, "outputs",
			      (json_int_t)o->outputs, "adopted", (json_int_t)o->adopted));
	}
	time_local(s->from, from);
	time_local(s->to, to);
	json_object_set_new(r, "period", json_pack("{ss ss}", "from", from, "to", to));
	json_object_set_new(r, "org",
			    json_pack("{sI ss ss}", "id", (json_int_t)s->org_id, "name",
				      s->org_name, "level", s->org_level));
	json_object_set_new(r, "scope", json_string(s->subtree ? "subtree" : "self"));
	json_object_set_new(r, "sessions", json_integer((json_int_t)s->sessions));
	json_object_set_new(r, "by_domain", counts_object(&s->by_domain));
	json_object_set_new(r, "by_format", counts_object(&s->by_format));
	json_object_set_new(r, "by_unit", pairs_array(&s->by_unit, "unit"));
	json_object_set_new(r, "by_month", months);
	json_object_set_new(r, "participants_by_category",
			    pairs_array(&s->participants_by_category, "category"));
	json_object_set_new(r, "suggestions", json_integer((json_int_t)s->suggestions));
	json_object_set_new(r, "outputs", counts_object(&s->outputs));
	json_object_set_new(r, "outputs_total", json_integer((json_int_t)s->outputs_total));
	json_object_set_new(r, "outputs_by_state", counts_object(&s->outputs_by_state));
	json_object_set_new(r, "adopted", json_integer((json_int_t)s->adopted));
	json_object_set_new(r, "adoptions_by_kind", counts_object(&s->adoptions_by_kind));
	json_object_set_new(r, "funnel",
			    json_pack("{sI sI sI sI}", "sessions", (json_int_t)s->sessions,
				      "suggestions", (json_int_t)s->suggestions, "outputs",
				      (json_int_t)s->outputs_total, "adopted",
				      (json_int_t)s->adopted));
	json_object_set_new(r, "proposals",
			    json_pack("{sI sI sI sI sI sI sI sI}", "submitted",
				      (json_int_t)s->proposals.submitted, "accepted",
				      (json_int_t)s->proposals.accepted, "not_accepted",
				      (json_int_t)s->proposals.not_accepted, "assigned",
				      (json_int_t)s->proposals.assigned, "replied",
				      (json_int_t)s->proposals.replied, "evaluated",
				      (json_int_t)s->proposals.evaluated, "satisfied",
				      (json_int_t)s->proposals.satisfied, "satisfied_or_basically",
				      (json_int_t)s->proposals.satisfied_or_basically));
	json_object_set_new(r, "filing_rate", stats_rate_json(s->filing_rate));
	json_object_set_new(r, "reply_rate", stats_rate_json(s->reply_rate));
	json_object_set_new(r, "satisfaction_rate", stats_rate_json(s->satisfaction_rate));
	json_object_set_new(r, "median_days_session_to_output",
			    stats_rate_json(s->median_days_session_to_output));
	json_object_set_new(r, "median_days_submission_to_reply",
			    stats_rate_json(s->median_days_submission_to_reply));
	json_object_set_new(r, "by_org", orgs);
	/* joint_sessions: hosted or joined, each counted once; the two parts beside it */
	json_object_set_new(r, "joint_sessions", json_integer((json_int_t)s->joint.total));
	json_object_set_new(r, "joint_sessions_hosted", json_integer((json_int_t)s->joint.hosted));
	json_object_set_new(r, "joint_sessions_joined", json_integer((json_int_t)s->joint.joined));
	json_object_set_new(r, "joint_outputs", json_integer((json_int_t)s->joint.outputs));
	return r;
}

/* --- tables --- */

static const char *label(struct web_ctx *c, const char *prefix, const char *v, char *key, size_t n)
{
	snprintf(key, n, "%s%s", prefix, v ? v : "");
	return view_text(c->lang, key);
}

/* add_counts appends [label, n] rows for each figure of c (catalog prefix for labels). */
static void add_counts(struct web_ctx *c, json_t *rows, const struct stats_counts *n,
		       const char *prefix)
{
	char key[96];
	size_t i;

	for (i = 0; i < n->n; i++)
		json_array_append_new(
		    rows, json_pack("[s I]", label(c, prefix, n->v[i].key, key, sizeof(key)),
				    (json_int_t)n->v[i].n));
}

static json_t *table(const char *name, json_t *header, json_t *rows)
{
	return json_pack("{ss so so}", "name", name, "header", header, "rows", rows);
}

/* pct: a rate as a percentage cell (view/sheet.h): a number in XLSX, "86.7%" elsewhere. */
static json_t *pct(struct stats_rate r)
{
	if (!r.present)
		return json_string("—");
	return json_pack("{sf}", "percent", r.v);
}

static json_t *row(struct web_ctx *c, const char *key, json_t *v)
{
	return json_pack("[s o]", view_text(c->lang, key), v);
}

json_t *web_stats_tables(struct web_ctx *c, const struct stats *s)
{
	static const char *const stages[] = {"sessions", "suggestions", "outputs", "adopted"};
	const int64_t funnel[] = {s->sessions, s->suggestions, s->outputs_total, s->adopted};
	json_t *t = json_array(), *rows;
	char key[96];
	size_t i;
	bool en = strcmp(c->lang, "en") == 0;

	rows = json_array();
	json_array_append_new(rows, row(c, "stats_sessions", json_integer(s->sessions)));
	json_array_append_new(rows, row(c, "stats_suggestions", json_integer(s->suggestions)));
	json_array_append_new(rows, row(c, "stats_outputs", json_integer(s->outputs_total)));
	json_array_append_new(rows, row(c, "stats_adopted", json_integer(s->adopted)));
	json_array_append_new(rows, row(c, "stats_filing_rate", pct(s->filing_rate)));
	json_array_append_new(rows, row(c, "stats_reply_rate", pct(s->reply_rate)));
	json_array_append_new(rows, row(c, "stats_satisfaction_rate", pct(s->satisfaction_rate)));
	json_array_append_new(
	    rows, row(c, "stats_median_output", stats_rate_json(s->median_days_session_to_output)));
	json_array_append_new(rows, row(c, "stats_median_reply",
					stats_rate_json(s->median_days_submission_to_reply)));
	json_array_append_new(
	    t, table(en ? "Summary" : "总览",
		     json_pack("[ss]", en ? "Figure" : "指标", en ? "Value" : "数值"), rows));
	rows = json_array();
	add_counts(c, rows, &s->by_domain, "domain_");
	json_array_append_new(
	    t, table(en ? "By domain" : "按领域",
		     json_pack("[ss]", en ? "Domain" : "领域", en ? "Sessions" : "场次"), rows));
	rows = json_array();
	add_counts(c, rows, &s->by_format, "format_");
	json_array_append_new(
	    t, table(en ? "By format" : "按形式",
		     json_pack("[ss]", en ? "Format" : "形式", en ? "Sessions" : "场次"), rows));
	rows = json_array();
	for (i = 0; i < s->by_unit.n; i++)
		json_array_append_new(
		    rows, json_pack("[s I]", s->by_unit.v[i].key, (json_int_t)s->by_unit.v[i].n));
	json_array_append_new(
	    t, table(en ? "By organizer unit" : "按承办单位",
		     json_pack("[ss]", en ? "Unit" : "承办单位", en ? "Sessions" : "场次"), rows));
	rows = json_array();
	for (i = 0; i < 12; i++) {
		char m[16];

		snprintf(m, sizeof(m), en ? "Month %zu" : "%zu月", i + 1);
		json_array_append_new(rows, json_pack("[s I]", m, (json_int_t)s->by_month[i]));
	}
	json_array_append_new(
	    t, table(en ? "By month" : "按月份",
		     json_pack("[ss]", en ? "Month" : "月份", en ? "Sessions" : "场次"), rows));
	rows = json_array();
	add_counts(c, rows, &s->participants_by_category, "cat_");
	json_array_append_new(
	    t, table(en ? "Participants" : "参加人员",
		     json_pack("[ss]", en ? "Category" : "类别", en ? "People" : "人次"), rows));
	rows = json_array();
	add_counts(c, rows, &s->outputs, "kind_");
	json_array_append_new(
	    t, table(en ? "Outputs by kind" : "成果类型",
		     json_pack("[ss]", en ? "Kind" : "类型", en ? "Outputs" : "篇数"), rows));
	rows = json_array();
	add_counts(c, rows, &s->outputs_by_state, "ostate_");
	json_array_append_new(
	    t, table(en ? "Outputs by state" : "成果状态",
		     json_pack("[ss]", en ? "State" : "状态", en ? "Outputs" : "篇数"), rows));
	rows = json_array();
	for (i = 0; i < ARRAY_LEN(stages); i++)
		json_array_append_new(
		    rows, json_pack("[s I]", label(c, "funnel_", stages[i], key, sizeof(key)),
				    (json_int_t)funnel[i]));
	json_array_append_new(
	    t, table(en ? "Funnel" : "转化漏斗",
		     json_pack("[ss]", en ? "Stage" : "阶段", en ? "Count" : "数量"), rows));
	rows = json_array();
	for (i = 0; i < s->nby_org; i++)
		json_array_append_new(rows, json_pack("[s I I I]", s->by_org[i].name,
						      (json_int_t)s->by_org[i].sessions,
						      (json_int_t)s->by_org[i].outputs,
						      (json_int_t)s->by_org[i].adopted));
	json_array_append_new(
	    t, table(en ? "By body" : "按组织",
		     json_pack("[ssss]", en ? "Body" : "组织", en ? "Sessions" : "场次",
			       en ? "Outputs" : "成果", en ? "Adopted" : "采纳"),
		     rows));
	rows = json_array();
	json_array_append_new(rows, row(c, "stats_joint_hosted", json_integer(s->joint.hosted)));
	json_array_append_new(rows, row(c, "stats_joint_joined", json_integer(s->joint.joined)));
	json_array_append_new(rows, row(c, "stats_joint_total", json_integer(s->joint.total)));
	json_array_append_new(rows, row(c, "stats_joint_outputs", json_integer(s->joint.outputs)));
	json_array_append_new(
	    t, table(en ? "Joint sessions" : "联合聊",
		     json_pack("[ss]", en ? "Figure" : "指标", en ? "Value" : "数值"), rows));
	return t;
}
