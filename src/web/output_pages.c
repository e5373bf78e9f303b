/*
 * output_pages.c - pages for outputs (list, new, detail with its workflow, lineage),
 * a session's outcomes, and the statistics page; the tables of the statistics export.
 */
#include "web.h"

#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "model/output.h"
#include "model/session.h"
#include "view/view.h"

static const char *label(struct web_ctx *c, const char *prefix, const char *v, char *key, size_t n)
{
	snprintf(key, n, "%s%s", prefix, v ? v : "");
	return view_text(c->lang, key);
}

/* add_counts appends [label, n] rows for each key of obj (catalog prefix for labels). */
static void add_counts(struct web_ctx *c, json_t *rows, json_t *obj, const char *prefix)
{
	const char *k;
	json_t *v;
	char key[96];

	json_object_foreach(obj, k, v) json_array_append_new(
	    rows, json_pack("[s O]", label(c, prefix, k, key, sizeof(key)), v));
}

static json_t *table(const char *name, json_t *header, json_t *rows)
{
	return json_pack("{ss so so}", "name", name, "header", header, "rows", rows);
}

static json_t *pct(json_t *rate)
{
	char s[16];

	if (!json_is_number(rate))
		return json_string("—");
	snprintf(s, sizeof(s), "%.1f%%", json_number_value(rate) * 100);
	return json_string(s);
}

json_t *web_stats_tables(struct web_ctx *c, json_t *s)
{
	json_t *t = json_array(), *rows, *x;
	const char *k;
	char key[96];
	size_t i;
	bool en = strcmp(c->lang, "en") == 0;

	rows = json_array();
	json_array_append_new(rows, json_pack("[s O]", view_text(c->lang, "stats_sessions"),
					      json_object_get(s, "sessions")));
	json_array_append_new(rows, json_pack("[s O]", view_text(c->lang, "stats_suggestions"),
					      json_object_get(s, "suggestions")));
	json_array_append_new(rows, json_pack("[s O]", view_text(c->lang, "stats_outputs"),
					      json_object_get(s, "outputs_total")));
	json_array_append_new(rows, json_pack("[s O]", view_text(c->lang, "stats_adopted"),
					      json_object_get(s, "adopted")));
	json_array_append_new(rows, json_pack("[s o]", view_text(c->lang, "stats_filing_rate"),
					      pct(json_object_get(s, "filing_rate"))));
	json_array_append_new(rows, json_pack("[s o]", view_text(c->lang, "stats_reply_rate"),
					      pct(json_object_get(s, "reply_rate"))));
	json_array_append_new(rows,
			      json_pack("[s o]", view_text(c->lang, "stats_satisfaction_rate"),
					pct(json_object_get(s, "satisfaction_rate"))));
	json_array_append_new(rows, json_pack("[s O]", view_text(c->lang, "stats_median_output"),
					      json_object_get(s, "median_days_session_to_output")));
	json_array_append_new(rows,
			      json_pack("[s O]", view_text(c->lang, "stats_median_reply"),
					json_object_get(s, "median_days_submission_to_reply")));
	json_array_append_new(
	    t, table(en ? "Summary" : "总览",
		     json_pack("[ss]", en ? "Figure" : "指标", en ? "Value" : "数值"), rows));
	rows = json_array();
	add_counts(c, rows, json_object_get(s, "by_domain"), "domain_");
	json_array_append_new(
	    t, table(en ? "By domain" : "按领域",
		     json_pack("[ss]", en ? "Domain" : "领域", en ? "Sessions" : "场次"), rows));
	rows = json_array();
	add_counts(c, rows, json_object_get(s, "by_format"), "format_");
	json_array_append_new(
	    t, table(en ? "By format" : "按形式",
		     json_pack("[ss]", en ? "Format" : "形式", en ? "Sessions" : "场次"), rows));
	rows = json_array();
	json_array_foreach(json_object_get(s, "by_unit"), i, x) json_array_append_new(
	    rows, json_pack("[O O]", json_object_get(x, "unit"), json_object_get(x, "count")));
	json_array_append_new(
	    t, table(en ? "By organizer unit" : "按承办单位",
		     json_pack("[ss]", en ? "Unit" : "承办单位", en ? "Sessions" : "场次"), rows));
	rows = json_array();
	json_array_foreach(json_object_get(s, "by_month"), i, x)
	{
		char m[16];

		snprintf(m, sizeof(m), en ? "Month %zu" : "%zu月", i + 1);
		json_array_append_new(rows, json_pack("[s O]", m, x));
	}
	json_array_append_new(
	    t, table(en ? "By month" : "按月份",
		     json_pack("[ss]", en ? "Month" : "月份", en ? "Sessions" : "场次"), rows));
	rows = json_array();
	json_array_foreach(json_object_get(s, "participants_by_category"), i, x)
	    json_array_append_new(
		rows, json_pack("[s O]",
				label(c, "cat_", json_string_value(json_object_get(x, "category")),
				      key, sizeof(key)),
				json_object_get(x, "count")));
	json_array_append_new(
	    t, table(en ? "Participants" : "参加人员",
		     json_pack("[ss]", en ? "Category" : "类别", en ? "People" : "人次"), rows));
	rows = json_array();
	add_counts(c, rows, json_object_get(s, "outputs"), "kind_");
	json_array_append_new(
	    t, table(en ? "Outputs by kind" : "成果类型",
		     json_pack("[ss]", en ? "Kind" : "类型", en ? "Outputs" : "篇数"), rows));
	rows = json_array();
	add_counts(c, rows, json_object_get(s, "outputs_by_state"), "ostate_");
	json_array_append_new(
	    t, table(en ? "Outputs by state" : "成果状态",
		     json_pack("[ss]", en ? "State" : "状态", en ? "Outputs" : "篇数"), rows));
	rows = json_array();
	json_object_foreach(json_object_get(s, "funnel"), k, x) json_array_append_new(
	    rows, json_pack("[s O]", label(c, "funnel_", k, key, sizeof(key)), x));
	json_array_append_new(
	    t, table(en ? "Funnel" : "转化漏斗",
		     json_pack("[ss]", en ? "Stage" : "阶段", en ? "Count" : "数量"), rows));
	rows = json_array();
	json_array_foreach(json_object_get(s, "by_org"), i, x) json_array_append_new(
	    rows, json_pack("[O O O O]", json_object_get(x, "name"), json_object_get(x, "sessions"),
			    json_object_get(x, "outputs"), json_object_get(x, "adopted")));
	json_array_append_new(
	    t, table(en ? "By body" : "按组织",
		     json_pack("[ssss]", en ? "Body" : "组织", en ? "Sessions" : "场次",
			       en ? "Outputs" : "成果", en ? "Adopted" : "采纳"),
		     rows));
	return t;
}
