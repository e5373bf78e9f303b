/*
 * topics.c - topics (议题): JSON API and pages (list, new, detail with its pipeline, and the
 * annual plan by domain and month).
 */
#include "web.h"

#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "model/session.h"
#include "view/markdown.h"
#include "view/view.h"

/* read_topic fills in from the request: text fields and the optional integers. */
static int read_topic(struct web_ctx *c, struct topic_in *in, struct verr *e)
{
	static const char *const names[] = {"title", "description", "domain", "origin", "proposer"};
	const char **dst[] = {&in->title, &in->description, &in->domain, &in->origin,
			      &in->proposer};
	int64_t v;
	bool present;
	size_t i;

	topic_in_init(in);
	for (i = 0; i < ARRAY_LEN(names); i++) {
		bool bad = false;

		*dst[i] = web_field(c, names[i], &bad);
		if (bad)
			return verr_type(e, names[i], "字符串", "a string");
	}
	if (web_int_field(c, "proposer_id", &v, &present))
		return verr_type(e, "proposer_id", "整数", "an integer");
	if (present)
		in->proposer_id = v > 0 ? v : 0;
	if (web_int_field(c, "plan_year", &v, &present))
		return verr_type(e, "plan_year", "整数", "an integer");
	if (present)
		in->plan_year = (int)(v > 0 && v < 10000 ? v : (v <= 0 ? 0 : 1));
	if (web_int_field(c, "plan_month", &v, &present))
		return verr_type(e, "plan_month", "整数", "an integer");
	if (present)
		in->plan_month = (int)(v >= 0 && v <= 12 ? v : 13);
	return ERR_OK;
}

/* target_org_id: the org a new object goes to: "org_id" when given and within the
 * caller's scope, else the caller's own org. */
static int target_org_id(struct web_ctx *c, int64_t *org_id, struct verr *e)
{
	struct org o;
	bool present;
	int64_t id;
	int rc;

	*org_id = c->actor.org.id;
	if (web_int_field(c, "org_id", &id, &present))
		return verr_type(e, "org_id", "整数", "an integer");
	if (!present)
		return ERR_OK;
	rc = org_get(c->db, id, &o);
	if (rc == ERR_NOT_FOUND)
		return verr_set(e, "invalid", "org_id", "组织不存在", "no such org");
	if (rc)
		return rc;
	if (!org_is_within(&o, &c->actor.org))
		return ERR_FORBIDDEN;
	*org_id = id;
	return ERR_OK;
}

/* load_topic loads topic {id} that the caller may see (and, with edit, change). */
static int load_topic(struct web_ctx *c, bool edit, struct topic_head *h)
{
	int64_t id = web_id(c, "id");
	int rc;

	if (!id)
		return ERR_NOT_FOUND;
	rc = topic_head(c->db, id, h);
	if (rc)
		return rc;
	if (strncmp(h->org_path, scope_path(&c->actor), strlen(scope_path(&c->actor))) != 0)
		return ERR_FORBIDDEN;
	if (edit && c->actor.role < ROLE_ORGANIZER)
		return ERR_FORBIDDEN;
	return ERR_OK;
}

static int create_topic(struct web_ctx *c, int64_t *id, struct verr *e)
{
	struct topic_in in;
	int64_t org_id;
	int rc;

	rc = read_topic(c, &in, e);
	if (!rc)
		rc = target_org_id(c, &org_id, e);
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, topic_create(c->db, &c->actor, org_id, &in, id, e));
	return rc;
}

static int answer_topic(struct web_ctx *c, int status, int64_t id)
{
	json_t *t = topic_get(c->db, id);

	return t ? web_json(c, status, t) : web_fail(c, ERR_NOT_FOUND);
}

int h_api_topics_list(struct web_ctx *c)
{
	struct topic_filter f = {0, NULL, NULL};
	const char *y = http_query(c->req, "year");
	json_t *items;
	int64_t after, v;
	int limit, rc;

	if (web_page(c, &limit, &after))
		return 0;
	if (y && num_parse(y, strlen(y), 1900, 9999, &v))
		return web_error(c, 400, "invalid", "year", "年份无效", "year is not valid");
	f.year = y ? (int)v : 0;
	f.domain = http_query(c->req, "domain");
	f.status = http_query(c->req, "status");
	items = json_array();
	rc = topic_list(c->db, &c->actor, &f, after, limit + 1, items);
	if (rc) {
		json_decref(items);
		return web_fail(c, rc);
	}
	return web_list(c, items, limit);
}

int h_api_topics_create(struct web_ctx *c)
{
	struct verr e;
	int64_t id;
	int rc = create_topic(c, &id, &e);

	return rc ? web_answer(c, rc, &e) : answer_topic(c, 201, id);
}

int h_api_topic_get(struct web_ctx *c)
{
	struct topic_head h;
	int rc = load_topic(c, false, &h);

	return rc ? web_answer(c, rc, NULL) : answer_topic(c, 200, h.id);
}

int h_api_topic_patch(struct web_ctx *c)
{
	struct topic_head h;
	struct topic_in in;
	struct verr e;
	int rc = load_topic(c, true, &h);

	if (!rc)
		rc = read_topic(c, &in, &e);
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, topic_update(c->db, &c->actor, h.id, &in, &e));
	return rc ? web_answer(c, rc, &e) : answer_topic(c, 200, h.id);
}

/* transition_target reads "to" (required). */
static int transition_target(struct web_ctx *c, const char **to, struct verr *e)
{
	bool bad = false;

	*to = web_field(c, "to", &bad);
	if (bad)
		return verr_type(e, "to", "字符串", "a string");
	if (!*to || !**to)
		return verr_set(e, "required", "to", "请指明目标状态（to）",
				"the target status (to) is required");
	return ERR_OK;
}

int h_api_topic_transition(struct web_ctx *c)
{
	struct topic_head h;
	struct verr e;
	const char *to;
	int rc = load_topic(c, true, &h);

	if (!rc)
		rc = transition_target(c, &to, &e);
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, topic_transition(c->db, &c->actor, h.id, to, &e));
	return rc ? web_answer(c, rc, &e) : answer_topic(c, 200, h.id);
}

int h_api_domains(struct web_ctx *c)
{
	return web_json(c, 200, json_pack("{so}", "items", domain_list(c->db, &c->actor.org)));
}

int h_api_domains_create(struct web_ctx *c)
{
	struct verr e;
	bool bad = false;
	const char *code = web_field(c, "code", &bad), *zh = web_field(c, "name_zh", &bad);
	const char *en = web_field(c, "name_en", &bad);
	int rc = bad ? verr_type(&e, "code", "字符串", "a string") : web_begin(c);

	if (!rc)
		rc = web_finish(c, domain_add(c->db, &c->actor, &c->actor.org, code, zh, en, &e));
	if (rc)
		return web_answer(c, rc, &e);
	return web_json(
	    c, 201, json_pack("{ss ss ss}", "code", code, "name_zh", zh, "name_en", en ? en : zh));
}

/* --- pages --- */

/* label_of adds key "<field>_label" to each object of arr from the catalog entry
 * prefix + value. */
void web_labels(struct web_ctx *c, json_t *arr, const char *field, const char *prefix)
{
	size_t i;
	json_t *o;
	char key[96];

	json_array_foreach(arr, i, o)
	{
		const char *v = json_string_value(json_object_get(o, field));
		char out[64];

		if (!v)
			continue;
		snprintf(key, sizeof(key), "%s%s", prefix, v);
		snprintf(out, sizeof(out), "%s_label", field);
		json_object_set_new(o, out, json_string(view_text(c->lang, key)));
	}
}

static json_t *domain_options(struct web_ctx *c, const char *selected)
{
	json_t *a = domain_list(c->db, &c->actor.org), *d;
	bool en = strcmp(c->lang, "en") == 0;
	size_t i;

	json_array_foreach(a, i, d)
	{
		const char *code = json_string_value(json_object_get(d, "code"));

		json_object_set(d, "label", json_object_get(d, en ? "name_en" : "name_zh"));
		json_object_set_new(d, "selected",
				    json_boolean(selected && code && strcmp(code, selected) == 0));
	}
	return a;
}

static json_t *origin_options(struct web_ctx *c, const char *selected)
{
	static const char *const origins[] = {"assigned", "member", "sector", "public"};
	json_t *a = json_array();
	char key[32];
	size_t i;

	for (i = 0; i < ARRAY_LEN(origins); i++) {
		snprintf(key, sizeof(key), "origin_%s", origins[i]);
		json_array_append_new(a, json_pack("{ss ss sb}", "value", origins[i], "label",
						   view_text(c->lang, key), "selected",
						   selected && strcmp(selected, origins[i]) == 0));
	}
	return a;
}

static int topics_page(struct web_ctx *c, int status, const char *error)
{
	struct topic_filter f = {0, NULL, NULL};
	json_t *items = json_array(), *form;
	const char *v;
	int rc;

	f.status = http_query(c->req, "status");
	f.domain = http_query(c->req, "domain");
	rc = topic_list(c->db, &c->actor, &f, 0, 500, items);
	if (rc) {
		json_decref(items);
		return web_fail(c, rc);
	}
	web_labels(c, items, "status", "topic_status_");
	web_labels(c, items, "domain", "domain_");
	web_labels(c, items, "origin", "origin_");
	form = json_object();
	v = error ? web_field(c, "title", NULL) : NULL;
	json_object_set_new(form, "title", json_string(v ? v : ""));
	v = error ? web_field(c, "description", NULL) : NULL;
	json_object_set_new(form, "description", json_string(v ? v : ""));
	v = error ? web_field(c, "proposer", NULL) : NULL;
	json_object_set_new(form, "proposer", json_string(v ? v : ""));
	return web_render(
	    c, status, "topics",
	    json_pack("{so so so so ss? sb}", "topics", items, "form", form, "domains",
		      domain_options(c, error ? web_field(c, "domain", NULL) : NULL), "origins",
		      origin_options(c, error ? web_field(c, "origin", NULL) : NULL), "error",
		      error, "can_edit", c->actor.role >= ROLE_ORGANIZER));
}

int h_topics_page(struct web_ctx *c)
{
	return topics_page(c, 200, NULL);
}

int h_topics_post(struct web_ctx *c)
{
	struct verr e;
	char loc[64];
	int64_t id;
	int rc = create_topic(c, &id, &e);

	if (rc == ERR_INVALID || rc == ERR_CONFLICT)
		return topics_page(c, 422, web_verr_text(c, &e));
	if (rc)
		return web_answer(c, rc, &e);
	snprintf(loc, sizeof(loc), "/topics/%lld", (long long)id);
	return web_redirect(c, loc);
}

static const char *const topic_next[][3] = {
    {"proposed", "approved", "rejected"},
    {"approved", "scheduled", "rejected"},
    {"scheduled", "concluded", "approved"},
    {"rejected", "proposed", NULL},
};

static int topic_page(struct web_ctx *c, int status, int64_t id, const char *error)
{
	json_t *t = topic_get(c->db, id), *moves = json_array(), *sessions = json_array();
	struct session_filter f = {0};
	const char *st;
	struct buf md;
	size_t i, k;
	json_t *s;
	char key[48];

	if (!t)
		return web_fail(c, ERR_NOT_FOUND);
	st = json_string_value(json_object_get(t, "status"));
	for (i = 0; i < ARRAY_LEN(topic_next); i++) {
		if (strcmp(topic_next[i][0], st) != 0)
			continue;
		for (k = 1; k < 3 && topic_next[i][k]; k++) {
			snprintf(key, sizeof(key), "topic_to_%s", topic_next[i][k]);
			json_array_append_new(moves, json_pack("{ss ss}", "to", topic_next[i][k],
							       "label", view_text(c->lang, key)));
		}
	}
	snprintf(key, sizeof(key), "topic_status_%s", st);
	json_object_set_new(t, "status_label", json_string(view_text(c->lang, key)));
	snprintf(key, sizeof(key), "domain_%s", json_string_value(json_object_get(t, "domain")));
	json_object_set_new(t, "domain_label", json_string(view_text(c->lang, key)));
	snprintf(key, sizeof(key), "origin_%s", json_string_value(json_object_get(t, "origin")));
	json_object_set_new(t, "origin_label", json_string(view_text(c->lang, key)));
	buf_init(&md, 1 << 20);
	if (markdown_html(json_string_value(json_object_get(t, "description")),
			  strlen(json_string_value(json_object_get(t, "description"))), &md) == 0)
		json_object_set_new(t, "description_html", json_string(buf_cstr(&md)));
	buf_fini(&md);
	if (session_list(c->db, &c->actor, &f, 0, 500, sessions) == ERR_OK) {
		json_t *mine = json_array();

		json_array_foreach(sessions, i,
				   s) if (json_integer_value(json_object_get(s, "topic_id")) == id)
		    json_array_append(mine, s);
		json_decref(sessions);
		sessions = mine;
	}
	return web_render(
	    c, status, "topic",
	    json_pack("{so so so so so ss? sb sb}", "topic", t, "moves", moves, "sessions",
		      sessions, "domains",
		      domain_options(c, json_string_value(json_object_get(t, "domain"))), "origins",
		      origin_options(c, json_string_value(json_object_get(t, "origin"))), "error",
		      error, "can_edit", c->actor.role >= ROLE_ORGANIZER, "can_schedule",
		      c->actor.role >= ROLE_ORGANIZER &&
			  (strcmp(st, "approved") == 0 || strcmp(st, "scheduled") == 0)));
}

int h_topic_page(struct web_ctx *c)
{
	struct topic_head h;
	int rc = load_topic(c, false, &h);

	return rc ? web_answer(c, rc, NULL) : topic_page(c, 200, h.id, NULL);
}

int h_topic_post(struct web_ctx *c)
{
	struct topic_head h;
	struct topic_in in;
	struct verr e;
	const char *to = web_field(c, "to", NULL);
	char loc[64];
	int rc = load_topic(c, true, &h);

	if (rc)
		return web_answer(c, rc, NULL);
	rc = to ? ERR_OK : read_topic(c, &in, &e);
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, to ? topic_transition(c->db, &c->actor, h.id, to, &e)
				      : topic_update(c->db, &c->actor, h.id, &in, &e));
	if (rc == ERR_INVALID || rc == ERR_CONFLICT)
		return topic_page(c, rc == ERR_CONFLICT ? 409 : 422, h.id, web_verr_text(c, &e));
	if (rc)
		return web_answer(c, rc, &e);
	snprintf(loc, sizeof(loc), "/topics/%lld", (long long)h.id);
	return web_redirect(c, loc);
}

/* The annual plan: topics of a year by domain (rows) and month (columns). */
int h_topics_plan(struct web_ctx *c)
{
	struct topic_filter f = {0, NULL, NULL};
	const char *y = http_query(c->req, "year");
	json_t *items = json_array(), *rows = json_array(), *domains, *d, *t;
	int64_t year;
	size_t i, k;
	int m;

	if (!y || num_parse(y, strlen(y), 2000, 2100, &year))
		year = time_year(time_now());
	f.year = (int)year;
	if (topic_list(c->db, &c->actor, &f, 0, 2000, items)) {
		json_decref(items);
		json_decref(rows);
		return web_fail(c, ERR_DB);
	}
	domains = domain_options(c, NULL);
	json_array_foreach(domains, i, d)
	{
		const char *code = json_string_value(json_object_get(d, "code"));
		json_t *months = json_array(), *unplanned = json_array();

		for (m = 1; m <= 12; m++)
			json_array_append_new(
			    months, json_pack("{si so}", "month", m, "topics", json_array()));
		json_array_foreach(items, k, t)
		{
			int pm = (int)json_integer_value(json_object_get(t, "plan_month"));

			if (strcmp(json_string_value(json_object_get(t, "domain")), code) != 0)
				continue;
			if (pm >= 1 && pm <= 12)
				json_array_append(
				    json_object_get(json_array_get(months, (size_t)pm - 1),
						    "topics"),
				    t);
			else
				json_array_append(unplanned, t);
		}
		json_array_append_new(rows, json_pack("{sO so so}", "domain", d, "months", months,
						      "unplanned", unplanned));
	}
	json_decref(domains);
	json_decref(items);
	return web_render(c, 200, "plan",
			  json_pack("{so sI sI sI}", "rows", rows, "year", (json_int_t)year, "prev",
				    (json_int_t)(year - 1), "next", (json_int_t)(year + 1)));
}
