/*
 * output_pages.c - pages for outputs (list, new, detail with its workflow, lineage),
 * a session's outcomes, and the statistics page; the tables of the statistics export.
 */
#include "web.h"

#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "model/output.h"
#include "model/person.h"
#include "json_output.h"
#include "json_stats.h"
#include "model/session.h"
#include "view/view.h"

static const char *label(struct web_ctx *c, const char *prefix, const char *v, char *key, size_t n)
{
	snprintf(key, n, "%s%s", prefix, v ? v : "");
	return view_text(c->lang, key);
}

/* --- pages --- */

#include <stdlib.h>

#include "view/chart.h"
#include "view/pdf.h"

static void label_field(struct web_ctx *c, json_t *o, const char *field, const char *prefix,
			const char *out)
{
	char key[96];
	const char *v = json_string_value(json_object_get(o, field));

	/* no value (a grade not given yet): no label, rather than the bare prefix */
	if (!v || !*v)
		return;
	json_object_set_new(o, out, json_string(label(c, prefix, v, key, sizeof(key))));
}

/* short_date turns "2024-07-25T00:00:00+08:00" into "2024-07-25" in place (copy). */
static void short_date(json_t *o, const char *field, const char *out)
{
	const char *v = json_string_value(json_object_get(o, field));
	char d[16];

	if (!v)
		return;
	snprintf(d, sizeof(d), "%.10s", v);
	json_object_set_new(o, out, json_string(d));
}

int h_outputs_page(struct web_ctx *c)
{
	struct output_filter f = {NULL, NULL, 0, false};
	const char *od = http_query(c->req, "overdue");
	struct output_list list;
	json_t *items, *x;
	size_t i;
	int rc;

	f.kind = http_query(c->req, "kind");
	f.state = http_query(c->req, "state");
	if (f.kind && !*f.kind)
		f.kind = NULL;
	if (f.state && !*f.state)
		f.state = NULL;
	f.overdue = od && *od;
	rc = output_list(c->db, &c->actor, &f, 0, 1000, &list);
	if (rc) {
		output_list_release(&list);
		return web_fail(c, ERR_DB);
	}
	items = output_list_json(&list);
	output_list_release(&list);
	json_array_foreach(items, i, x)
	{
		label_field(c, x, "kind", "kind_", "kind_label");
		label_field(c, x, "state", "ostate_", "state_label");
		short_date(x, "dated_at", "date");
	}
	return web_render(c, 200, "outputs",
			  json_pack("{so sb sb}", "outputs", items, "can_create",
				    c->actor.role >= ROLE_ORGANIZER && !c->actor.user.handler_id,
				    "overdue", f.overdue));
}

static json_t *kind_options(struct web_ctx *c, const char *selected)
{
	static const char *const kinds[] = {"proposal", "opinion_report", "research_report",
					    "speech", "special_report"};
	json_t *a = json_array();
	char key[48];
	size_t i;

	for (i = 0; i < ARRAY_LEN(kinds); i++)
		json_array_append_new(a, json_pack("{ss ss sb}", "value", kinds[i], "label",
						   label(c, "kind_", kinds[i], key, sizeof(key)),
						   "selected",
						   selected && strcmp(selected, kinds[i]) == 0));
	return a;
}

static int output_form(struct web_ctx *c, int status, const char *error)
{
	const char *sid = http_query(c->req, "session_id"),
		   *sg = http_query(c->req, "suggestion_id");
	json_t *sugs = json_array(), *people, *x, *sess = NULL;
	int64_t session = 0, sug = 0;
	size_t i;

	if (sg && num_parse(sg, strlen(sg), 1, INT64_MAX, &sug) == ERR_OK) {
		json_t *s = suggestion_get(c->db, sug);

		if (s)
			session = json_integer_value(json_object_get(s, "session_id"));
		json_decref(s);
	}
	if (!session && sid && num_parse(sid, strlen(sid), 1, INT64_MAX, &session))
		session = 0;
	if (session) {
		struct session_head h;

		if (session_head(c->db, session, &h) == ERR_OK &&
		    session_visible(c->db, &c->actor, &h))
			sess = session_get(c->db, session, true, true);
	}
	json_array_foreach(sess ? json_object_get(sess, "suggestions") : NULL, i, x)
	{
		json_array_append_new(
		    sugs, json_pack("{sO sO sb}", "id", json_object_get(x, "id"), "title",
				    json_object_get(x, "title"), "checked",
				    !sug || json_integer_value(json_object_get(x, "id")) == sug));
	}
	people = people_options(c->db, &c->actor, c->actor.org.id);
	json_array_foreach(people, i, x) label_field(c, x, "category", "cat_", "category_label");
	{
		json_t *ctx =
		    json_pack("{so so so ss? sb}", "kinds",
			      kind_options(c, web_field(c, "kind", NULL)), "suggestions", sugs,
			      "people", people, "error", error, "has_session", sess != NULL);

		if (sess) {
			json_object_set(ctx, "session_title", json_object_get(sess, "title"));
			json_object_set(ctx, "session_id", json_object_get(sess, "id"));
			json_decref(sess);
		}
		return web_render(c, status, "output_new", ctx);
	}
}

int h_output_new(struct web_ctx *c)
{
	return output_form(c, 200, NULL);
}

int h_outputs_post(struct web_ctx *c)
{
	struct verr e;
	char loc[64];
	int64_t id;
	int rc = web_output_create(c, &id, &e);

	if (rc == ERR_INVALID || rc == ERR_CONFLICT)
		return output_form(c, 422, web_verr_text(c, &e));
	if (rc)
		return web_answer(c, rc, &e);
	snprintf(loc, sizeof(loc), "/outputs/%lld", (long long)id);
	return web_redirect(c, loc);
}

/* move_form is the form of one move the caller may make now: what it asks for is what the
 * workflow table's row requires. */
static json_t *move_form(struct web_ctx *c, const struct output_step *s)
{
	char key[64];
	json_t *f = json_pack("{ss ss}", "to", s->to, "label",
			      s->label ? view_text(c->lang, s->label)
				       : label(c, "oto_", s->to, key, sizeof(key)));

	json_object_set_new(f, "need_reason", json_boolean(s->need & OFIELD_REASON));
	json_object_set_new(f, "need_handlers", json_boolean(s->need & OFIELD_HANDLERS));
	json_object_set_new(f, "need_reply", json_boolean(s->need & OFIELD_REPLY_TEXT));
	json_object_set_new(f, "need_satisfaction", json_boolean(s->need & OFIELD_SATISFACTION));
	json_object_set_new(f, "need_issue", json_boolean(s->need & OFIELD_ISSUE));
	json_object_set_new(f, "need_sent_to", json_boolean(s->need & OFIELD_SENT_TO));
	json_object_set_new(f, "need_instruction", json_boolean(s->need & OFIELD_INSTRUCTION_BY));
	return f;
}

static json_t *options(struct web_ctx *c, const char *prefix, const char *const *values, size_t n)
{
	json_t *arr = json_array();
	char key[64];
	size_t k;

	for (k = 0; k < n; k++)
		json_array_append_new(arr,
				      json_pack("{ss ss}", "value", values[k], "label",
						label(c, prefix, values[k], key, sizeof(key))));
	return arr;
}

static int output_page(struct web_ctx *c, int status, int64_t id, const char *error)
{
	static const char *const grades[] = {"A", "B", "C", "D"};
	static const char *const sats[] = {"satisfied", "basically_satisfied", "dissatisfied"};
	static const char *const akinds[] = {"instruction", "department", "policy", "escalation",
					     "media"};
	const struct output_step *steps[32];
	struct output_head h;
	struct output out;
	struct person p;
	json_t *o, *forms = json_array(), *x;
	int64_t me = 0;
	size_t i, n;
	int role;

	if (output_head(c->db, id, &h) || output_get(c->db, id, &out)) {
		output_release(&out);
		json_decref(forms);
		return web_fail(c, ERR_NOT_FOUND);
	}
	role = output_role_of(c->db, &c->actor, &h);
	n = output_moves(c->db, &c->actor, &h, steps, ARRAY_LEN(steps));
	for (i = 0; i < n; i++)
		json_array_append_new(forms, move_form(c, steps[i]));
	if (c->actor.user.id && person_find_by_user(c->db, c->actor.user.id, &p) == ERR_OK)
		me = p.id;
	o = output_to_json(&out);
	label_field(c, o, "kind", "kind_", "kind_label");
	label_field(c, o, "state", "ostate_", "state_label");
	short_date(o, "dated_at", "date");
	short_date(o, "cosign_deadline", "deadline");
	short_date(o, "reply_due", "due");
	label_field(c, o, "reply_grade", "grade_", "grade_label");
	label_field(c, o, "satisfaction", "sat_", "satisfaction_label");
	for (i = 0; i < out.nauthors; i++) {
		x = json_array_get(json_object_get(o, "authors"), i);
		json_object_set_new(x, "is_lead",
				    json_boolean(strcmp(out.authors[i].role, "lead") == 0));
		json_object_set_new(x, "can_confirm",
				    json_boolean(me && out.authors[i].person_id == me &&
						 !out.authors[i].confirmed));
	}
	for (i = 0; i < out.nunits; i++)
		json_object_set_new(json_array_get(json_object_get(o, "handlers"), i), "is_lead",
				    json_boolean(strcmp(out.units[i].role, "lead") == 0));
	for (i = 0; i < out.nevents; i++) {
		x = json_array_get(json_object_get(o, "events"), i);
		label_field(c, x, "to", "ostate_", "to_label");
		const char *at = json_string_value(json_object_get(x, "at"));
		char when[17] = {0};

		/* "2024-08-03T14:30:00+08:00" is shown "2024-08-03 14:30" */
		snprintf(when, sizeof(when), "%.16s", at ? at : "");
		if (when[10] == 'T')
			when[10] = ' ';
		json_object_set_new(x, "when", json_string(when));
	}
	for (i = 0; i < out.nadoptions; i++)
		label_field(c, json_array_get(json_object_get(o, "adoptions"), i), "kind",
			    "adoption_", "kind_label");
	output_release(&out);
	return web_render(
	    c, status, "output",
	    json_pack("{so so so so so so ss? sb sb}", "output", o, "forms", forms, "handlers",
		      handler_list_json(c->db, &c->actor), "grades",
		      options(c, "grade_", grades, ARRAY_LEN(grades)), "satisfactions",
		      options(c, "sat_", sats, ARRAY_LEN(sats)), "adoption_kinds",
		      options(c, "adoption_", akinds, ARRAY_LEN(akinds)), "error", error,
		      "can_adopt", (role & OROLE_STAFF) != 0, "staff", (role & OROLE_STAFF) != 0));
}

int h_output_page(struct web_ctx *c)
{
	struct output_head h;
	int rc = output_authorize(c->db, &c->actor, web_id(c, "id"), AUTHZ_READ, &h, NULL);

	return rc ? web_answer(c, rc, NULL) : output_page(c, 200, h.id, NULL);
}

/* after_action redirects back to the output, or shows it again with the error. */
static int after_action(struct web_ctx *c, int rc, const struct verr *e, const char *anchor)
{
	int64_t id = web_id(c, "id");
	char loc[80];

	if ((rc == ERR_INVALID || rc == ERR_CONFLICT) && id)
		return output_page(c, rc == ERR_CONFLICT ? 409 : 422, id, web_verr_text(c, e));
	if (rc)
		return web_answer(c, rc, e);
	snprintf(loc, sizeof(loc), "/outputs/%lld#%s", (long long)id, anchor);
	return web_redirect(c, loc);
}

int h_output_transition_post(struct web_ctx *c)
{
	struct output_head h;
	struct verr e;

	return after_action(c, web_output_transition(c, &h, &e), &e, "workflow");
}

int h_output_adoption_post(struct web_ctx *c)
{
	struct output_head h;
	struct verr e;

	return after_action(c, web_adoption_add(c, &h, &e), &e, "adoptions");
}

int h_output_confirm_post(struct web_ctx *c)
{
	struct output_head h;
	struct verr e;

	return after_action(c, web_output_confirm(c, &h, &e), &e, "authors");
}

int h_output_lineage_page(struct web_ctx *c)
{
	struct output_head h;
	json_t *l, *x, *y;
	size_t i, k;
	int rc = output_authorize(c->db, &c->actor, web_id(c, "id"), AUTHZ_READ, &h, NULL);

	if (rc)
		return web_answer(c, rc, NULL);
	l = output_lineage_json(c->db, h.id);
	if (!l)
		return web_fail(c, ERR_NOT_FOUND);
	x = json_object_get(l, "output");
	label_field(c, x, "kind", "kind_", "kind_label");
	label_field(c, x, "state", "ostate_", "state_label");
	short_date(x, "dated_at", "date");
	json_array_foreach(json_object_get(l, "sessions"), i, x) short_date(x, "starts_at", "date");
	json_array_foreach(json_object_get(l, "suggestions"), i, x)
	{
		short_date(json_object_get(x, "session"), "starts_at", "date");
		json_array_foreach(json_object_get(x, "sources"), k, y)(void) y;
	}
	json_array_foreach(json_object_get(l, "events"), i, x)
	{
		label_field(c, x, "to", "ostate_", "to_label");
		short_date(x, "at", "date");
	}
	json_array_foreach(json_object_get(l, "adoptions"), i, x)
	    label_field(c, x, "kind", "adoption_", "kind_label");
	return web_render(c, 200, "lineage", l);
}

int h_session_outcomes_page(struct web_ctx *c)
{
	int64_t id = web_id(c, "id");
	json_t *o, *x, *y;
	size_t i, k;
	int rc = session_outcomes_authorize(c->db, &c->actor, id);

	if (rc)
		return web_answer(c, rc, NULL);
	o = session_outcomes_json(c->db, id);
	if (!o)
		return web_fail(c, ERR_NOT_FOUND);
	json_array_foreach(json_object_get(o, "suggestions"), i, x)
	    json_array_foreach(json_object_get(x, "outputs"), k, y)
	{
		label_field(c, y, "kind", "kind_", "kind_label");
		label_field(c, y, "state", "ostate_", "state_label");
	}
	json_array_foreach(json_object_get(o, "outputs"), i, x)
	{
		label_field(c, x, "kind", "kind_", "kind_label");
		label_field(c, x, "state", "ostate_", "state_label");
		short_date(x, "dated_at", "date");
		json_array_foreach(json_object_get(x, "adoptions"), k, y)
		    label_field(c, y, "kind", "adoption_", "kind_label");
	}
	json_object_set_new(o, "signed_in", json_boolean(c->actor.via != AUTH_NONE));
	return web_render(c, 200, "outcomes", o);
}

/* --- statistics page, charts, PDF --- */

/* chart_of draws obj's counts (keys labelled with prefix) as bars into a string. */
static json_t *bars_of(struct web_ctx *c, const char *title, const struct stats_counts *n,
		       const char *prefix)
{
	const char *labels[64];
	double values[64];
	char keys[64][96];
	struct buf b;
	json_t *r;
	size_t i;

	for (i = 0; i < n->n && i < 64; i++) {
		labels[i] = label(c, prefix, n->v[i].key, keys[i], sizeof(keys[i]));
		values[i] = (double)n->v[i].n;
	}
	buf_init(&b, 1 << 20);
	r = chart_bars_svg(title, labels, values, i, &b) == ERR_OK ? json_string(buf_cstr(&b))
								   : json_string("");
	buf_fini(&b);
	return r;
}

static json_t *pct(struct stats_rate r)
{
	char s[16];

	if (!r.present)
		return json_string("—");
	snprintf(s, sizeof(s), "%.1f%%", r.v * 100);
	return json_string(s);
}

static json_t *chart_json(const char *kind, const char *title, const char *const *labels,
			  const double *values, size_t n)
{
	json_t *l = json_array(), *v = json_array();
	size_t i;

	for (i = 0; i < n; i++) {
		json_array_append_new(l, json_string(labels[i]));
		json_array_append_new(v, json_real(values[i]));
	}
	return json_pack("{ss ss so so}", "kind", kind, "title", title, "labels", l, "values", v);
}

/* funnel_and_months fills the funnel and monthly-line inputs from the statistics. */
static void funnel_and_months(struct web_ctx *c, const struct stats *s, const char **fl, double *fv,
			      char fkeys[4][96], const char **ml, double *mv, char mlab[12][16])
{
	static const char *const stages[] = {"sessions", "suggestions", "outputs", "adopted"};
	const int64_t funnel[] = {s->sessions, s->suggestions, s->outputs_total, s->adopted};
	size_t i;

	for (i = 0; i < 4; i++) {
		fl[i] = label(c, "funnel_", stages[i], fkeys[i], 96);
		fv[i] = (double)funnel[i];
	}
	for (i = 0; i < 12; i++) {
		snprintf(mlab[i], 16, strcmp(c->lang, "en") == 0 ? "%zu" : "%zu月", i + 1);
		ml[i] = mlab[i];
		mv[i] = (double)s->by_month[i];
	}
}

int h_stats_page(struct web_ctx *c)
{
	struct stats_query q;
	struct stats s;
	struct org org;
	json_t *tables, *charts, *x, *rates;
	const char *fl[4], *ml[12];
	double fv[4], mv[12];
	char fkeys[4][96], mlab[12][16], qs[160];
	struct buf b;
	const char *y = http_query(c->req, "year"), *sc = http_query(c->req, "scope");
	const char *qt = http_query(c->req, "quarter");
	int64_t year;

	if (web_stats_query(c, &q, &org))
		return 0;
	if (stats_compute(c->db, &q, &s)) {
		stats_release(&s);
		return web_fail(c, ERR_DB);
	}
	charts = json_object();
	funnel_and_months(c, &s, fl, fv, fkeys, ml, mv, mlab);
	buf_init(&b, 1 << 20);
	if (chart_funnel_svg(view_text(c->lang, "stats_funnel"), fl, fv, 4, &b) == ERR_OK)
		json_object_set_new(charts, "funnel", json_string(buf_cstr(&b)));
	buf_reset(&b);
	if (chart_line_svg(view_text(c->lang, "stats_by_month"), ml, mv, 12, &b) == ERR_OK)
		json_object_set_new(charts, "months", json_string(buf_cstr(&b)));
	buf_fini(&b);
	json_object_set_new(
	    charts, "domains",
	    bars_of(c, view_text(c->lang, "stats_by_domain"), &s.by_domain, "domain_"));
	json_object_set_new(
	    charts, "formats",
	    bars_of(c, view_text(c->lang, "stats_by_format"), &s.by_format, "format_"));
	json_object_set_new(
	    charts, "kinds",
	    bars_of(c, view_text(c->lang, "stats_outputs_by_kind"), &s.outputs, "kind_"));
	tables = web_stats_tables(c, &s);
	rates = json_pack("{so so so}", "filing", pct(s.filing_rate), "reply", pct(s.reply_rate),
			  "satisfaction", pct(s.satisfaction_rate));
	if (!y || num_parse(y, strlen(y), 1900, 9998, &year))
		year = time_year(q.from);
	snprintf(qs, sizeof(qs), "year=%lld%s%s%s%s", (long long)year, qt ? "&quarter=" : "",
		 qt ? qt : "", sc && strcmp(sc, "subtree") == 0 ? "&scope=subtree" : "",
		 http_query(c->req, "org") ? "" : "");
	x = json_pack("{so so so so sI sI sI ss sb}", "stats", stats_to_json(&s), "charts", charts,
		      "tables", tables, "rates", rates, "year", (json_int_t)year, "prev",
		      (json_int_t)(year - 1), "next", (json_int_t)(year + 1), "qs", qs, "subtree",
		      q.subtree);
	stats_release(&s);
	return web_render(c, 200, "stats", x);
}

/* stats_doc builds the annual report document for pdf_render. */
static json_t *stats_doc(struct web_ctx *c, const struct stats *s, const struct org *org, int year)
{
	const char *fl[4], *ml[12];
	double fv[4], mv[12];
	char fkeys[4][96], mlab[12][16], title[600], summary[1024];
	json_t *charts = json_array(), *tables = web_stats_tables(c, s), *doc;
	bool en = strcmp(c->lang, "en") == 0;

	funnel_and_months(c, s, fl, fv, fkeys, ml, mv, mlab);
	json_array_append_new(charts,
			      chart_json("funnel", view_text(c->lang, "stats_funnel"), fl, fv, 4));
	json_array_append_new(charts,
			      chart_json("line", view_text(c->lang, "stats_by_month"), ml, mv, 12));
	snprintf(title, sizeof(title),
		 en ? "%s: deep-talk sessions in %d" : "%s %d年深聊会工作报告", org->name, year);
	snprintf(
	    summary, sizeof(summary),
	    en ? "In %d the body held %lld sessions. Their %lld suggestions became %lld outputs, "
		 "of which %lld were adopted."
	       : "%d年共开展深聊会 %lld 场，形成对策建议 %lld "
		 "条，转化为提案、社情民意信息、调研报告等成果 "
		 "%lld 篇，其中 %lld 篇获得采纳。",
	    year, (long long)s->sessions, (long long)s->suggestions, (long long)s->outputs_total,
	    (long long)s->adopted);
	doc = json_pack("{ss ss s[{ss ss}] so so}", "title", title, "subtitle",
			en ? "Annual report" : "年度统计报告", "sections", "heading",
			en ? "Summary" : "一、总体情况", "body", summary, "charts", charts,
			"tables", tables);
	return doc;
}

static int send_pdf(struct web_ctx *c, json_t *doc, const char *filename)
{
	char disp[200];
	int rc = pdf_render(doc, &c->resp->body);

	json_decref(doc);
	if (rc)
		return web_fail(c, rc);
	c->resp->status = 200;
	c->resp->content_type = "application/pdf";
	snprintf(disp, sizeof(disp), "inline; filename=\"%s\"", filename);
	return http_resp_header(c->resp, "Content-Disposition", disp) ? web_fail(c, ERR_TOO_BIG)
								      : 0;
}

int h_stats_pdf(struct web_ctx *c)
{
	struct stats_query q;
	struct stats s;
	struct org org;
	char name[80];
	json_t *doc;
	int year;

	if (web_stats_query(c, &q, &org))
		return 0;
	if (stats_compute(c->db, &q, &s)) {
		stats_release(&s);
		return web_fail(c, ERR_DB);
	}
	year = time_year(q.from);
	snprintf(name, sizeof(name), "report-%s-%d.pdf", org.slug, year);
	doc = stats_doc(c, &s, &org, year);
	stats_release(&s);
	return send_pdf(c, doc, name);
}

/* output_doc lays an output out as a document: title, kind and number, authors, the body
 * in paragraphs, handling and adoption. */
static json_t *output_doc(struct web_ctx *c, const struct output *o)
{
	json_t *meta = json_array(), *sections = json_array();
	struct buf authors;
	char key[64], sub[200], date[16];
	size_t i;
	int rc = ERR_OK;

	buf_init(&authors, 4096);
	for (i = 0; !rc && i < o->nauthors; i++) {
		if (authors.n)
			rc = buf_puts(&authors, "、");
		if (!rc)
			rc = buf_puts(&authors, o->authors[i].name);
	}
	if (authors.n)
		json_array_append_new(meta, json_pack("{ss ss}", "label",
						      view_text(c->lang, "output_authors"), "value",
						      buf_cstr(&authors)));
	buf_fini(&authors);
	if (o->number[0])
		json_array_append_new(meta, json_pack("{ss ss}", "label",
						      view_text(c->lang, "output_number"), "value",
						      o->number));
	time_fmt(o->dated_at, "%Y-%m-%d", date, sizeof(date));
	json_array_append_new(
	    meta, json_pack("{ss ss}", "label", view_text(c->lang, "output_date"), "value", date));
	json_array_append_new(sections, json_pack("{ss ss}", "heading", "", "body", o->body));
	if (o->reply_text[0])
		json_array_append_new(sections, json_pack("{ss ss}", "heading",
							  view_text(c->lang, "output_reply"),
							  "body", o->reply_text));
	snprintf(sub, sizeof(sub), "%s · %s", o->org_name,
		 label(c, "kind_", o->kind, key, sizeof(key)));
	return json_pack("{ss ss so so}", "title", o->title, "subtitle", sub, "meta", meta,
			 "sections", sections);
}

int h_output_pdf(struct web_ctx *c)
{
	struct output_head h;
	struct output o;
	json_t *doc;
	char name[64];
	int rc = output_authorize(c->db, &c->actor, web_id(c, "id"), AUTHZ_READ, &h, NULL);

	if (rc)
		return web_answer(c, rc, NULL);
	rc = output_get(c->db, h.id, &o);
	doc = rc ? NULL : output_doc(c, &o);
	output_release(&o);
	if (rc)
		return web_fail(c, rc);
	snprintf(name, sizeof(name), "output-%lld.pdf", (long long)h.id);
	return send_pdf(c, doc, name);
}
