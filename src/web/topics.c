/*
 * topics.c - topics (议题): JSON API and pages (list, new, detail with its pipeline, and the
 * annual plan by domain and month).
 *
 * Every handler reads the same way: parse the request into a typed struct (no database),
 * authorize (topic_authorize / topic_authorize_create, the same rule for the API and the
 * pages), validate (topic_check, topic_check_move), act in one short transaction, and
 * render after it commits from the model's structs through json_topic.c.
 */
#include "web.h"
#include "json_topic.h"

#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/util.h"
#include "view/markdown.h"
#include "view/view.h"

/* --- parsing (no database) --- */

/* A request to create or change a topic. */
struct topic_req {
	struct topic_in in;
	bool org_given; /* create: "org_id" was given (else the caller's own body) */
	int64_t org_id;
	const char *to; /* transition target; pages post either a move or an edit */
};

/* parse_fields fills in from the request: text fields and the optional integers. */
static int parse_fields(struct web_ctx *c, struct topic_in *in, struct verr *e)
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
		in->plan_year = (int)(v >= 0 && v < 10000 ? v : 1); /* 0: none; 1: refused */
	else if (c->json && json_is_null(json_object_get(c->json, "plan_year")))
		in->plan_year = 0; /* null clears the planned year */
	if (web_int_field(c, "plan_month", &v, &present))
		return verr_type(e, "plan_month", "整数", "an integer");
	if (present)
		in->plan_month = (int)(v >= 0 && v <= 12 ? v : 13);
	return ERR_OK;
}

/* parse_new reads a new topic and the body it goes to ("org_id", optional). */
static int parse_new(struct web_ctx *c, struct topic_req *r, struct verr *e)
{
	int rc;

	memset(r, 0, sizeof(*r));
	rc = web_form_check(c, e);
	if (!rc)
		rc = parse_fields(c, &r->in, e);
	if (!rc && web_int_field(c, "org_id", &r->org_id, &r->org_given))
		rc = verr_type(e, "org_id", "整数", "an integer");
	return rc;
}

/* parse_to reads "to" (required) into r->to. */
static int parse_to(struct web_ctx *c, struct topic_req *r, struct verr *e)
{
	bool bad = false;

	r->to = web_field(c, "to", &bad);
	if (bad)
		return verr_type(e, "to", "字符串", "a string");
	if (!r->to || !*r->to)
		return verr_set(e, "required", "to", "请指明目标状态（to）",
				"the target status (to) is required");
	return ERR_OK;
}

/* --- acting --- */

/* create_topic: parse -> authorize (the target body) -> validate -> one transaction. */
static int create_topic(struct web_ctx *c, int64_t *id, struct verr *e)
{
	struct topic_req r;
	struct org org;
	int rc;

	rc = parse_new(c, &r, e);
	if (rc)
		return rc;
	org = c->actor.org;
	if (r.org_given) {
		rc = org_get(c->db, r.org_id, &org);
		/* a body out of sight is as unknown as a missing one */
		if (rc == ERR_NOT_FOUND || (!rc && !actor_can_see_org(&c->actor, &org)))
			return verr_set(e, "invalid", "org_id", "组织 %lld 不存在",
					"org %lld does not exist", (long long)r.org_id);
		if (rc)
			return rc;
	}
	rc = topic_authorize_create(&c->actor, &org);
	/* a member proposes: their person, origin member (the model does it again inside) */
	if (!rc)
		rc = topic_as_proposer(c->db, &c->actor, &r.in, e);
	if (!rc)
		rc = topic_check(c->db, org.id, NULL, &r.in, e);
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, topic_create(c->db, &c->actor, org.id, &r.in, id, e));
	return rc;
}

/* change_topic applies r (a move when r->to is set, else an edit) to t, which the caller
 * authorized for writing: validate -> one transaction. */
static int change_topic(struct web_ctx *c, const struct topic *t, const struct topic_req *r,
			struct verr *e)
{
	struct topic_in in = r->in;
	int rc =
	    r->to ? topic_check_move(t->status, r->to, e) : topic_edit_check(&c->actor, t, &in, e);

	if (!rc && !r->to)
		rc = topic_check(c->db, t->org_id, t, &in, e);

	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, r->to ? topic_transition(c->db, &c->actor, t->id, r->to, e)
					 : topic_update(c->db, &c->actor, t->id, &r->in, e));
	return rc;
}

/* --- the API --- */

/* answer_topic renders topic id as it is now (after the action committed). */
static int answer_topic(struct web_ctx *c, int status, int64_t id)
{
	struct topic t;
	int rc = topic_get(c->db, id, &t);
	json_t *j = rc ? NULL : topic_to_json(&t);

	topic_release(&t);
	if (rc)
		return web_fail(c, rc);
	return j ? web_json(c, status, j) : web_fail(c, ERR_NOMEM);
}

int h_api_topics_list(struct web_ctx *c)
{
	struct topic_filter f = {0, NULL, NULL};
	struct topics l = {0};
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
	rc = topic_list(c->db, &c->actor, &f, after, limit + 1, &l);
	items = rc ? NULL : topics_to_json(&l);
	topics_release(&l);
	if (rc)
		return web_fail(c, rc);
	return items ? web_list(c, items, limit) : web_fail(c, ERR_NOMEM);
}

int h_api_topics_create(struct web_ctx *c)
{
	struct verr e;
	int64_t id;
	int rc;

	memset(&e, 0, sizeof(e));
	rc = create_topic(c, &id, &e);
	return rc ? web_answer_why(c, rc, &e) : answer_topic(c, 201, id);
}

int h_api_topic_get(struct web_ctx *c)
{
	struct topic t;
	json_t *j;
	int rc = topic_authorize(c->db, &c->actor, web_id(c, "id"), AUTHZ_READ, &t);

	if (rc)
		return web_answer(c, rc, NULL);
	j = topic_to_json(&t);
	topic_release(&t);
	return j ? web_json(c, 200, j) : web_fail(c, ERR_NOMEM);
}

/* api_change: parse (with parse) -> authorize for op -> change_topic -> render. */
static int api_change(struct web_ctx *c, enum authz_op op,
		      int (*parse)(struct web_ctx *, struct topic_req *, struct verr *))
{
	struct topic_req r;
	struct topic t;
	struct verr e;
	int prc, rc;

	memset(&r, 0, sizeof(r));
	prc = parse(c, &r, &e);
	rc = topic_authorize(c->db, &c->actor, web_id(c, "id"), op, &t);
	if (!rc)
		rc = prc ? prc : change_topic(c, &t, &r, &e);
	topic_release(&t);
	return rc ? web_answer(c, rc, &e) : answer_topic(c, 200, web_id(c, "id"));
}

static int parse_edit(struct web_ctx *c, struct topic_req *r, struct verr *e)
{
	return parse_fields(c, &r->in, e);
}

int h_api_topic_patch(struct web_ctx *c)
{
	return api_change(c, AUTHZ_WRITE, parse_edit);
}

/* Moves are the vetting of topics: organizers only, the proposer not (AUTHZ_MANAGE). */
int h_api_topic_transition(struct web_ctx *c)
{
	return api_change(c, AUTHZ_MANAGE, parse_to);
}

/* DELETE /api/v1/topics/{id}: authorize (the proposer or an organizer) -> the check of
 * topic_edit_check (a proposed topic without sessions) -> one transaction -> 204. */
int h_api_topic_delete(struct web_ctx *c)
{
	struct topic t;
	struct verr e;
	int rc = topic_authorize(c->db, &c->actor, web_id(c, "id"), AUTHZ_WRITE, &t);

	memset(&e, 0, sizeof(e));
	if (!rc)
		rc = topic_edit_check(&c->actor, &t, NULL, &e);
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, topic_delete(c->db, &c->actor, t.id, &e));
	topic_release(&t);
	if (rc)
		return web_answer(c, rc, &e);
	return web_no_content(c);
}

int h_api_domains(struct web_ctx *c)
{
	struct domains l = {0};
	int rc = domain_list(c->db, &c->actor.org, &l);
	json_t *items = rc ? NULL : domains_to_json(&l);

	domains_release(&l);
	if (rc || !items)
		return web_fail(c, rc ? rc : ERR_NOMEM);
	return web_json(c, 200, json_pack("{so}", "items", items));
}

int h_api_domains_create(struct web_ctx *c)
{
	static const char *const names[] = {"code", "name_zh", "name_en"};
	const char *v[ARRAY_LEN(names)];
	struct domain d;
	struct verr e;
	size_t i;
	int rc = ERR_OK;

	for (i = 0; i < ARRAY_LEN(names) && !rc; i++) {
		bool bad = false;

		v[i] = web_field(c, names[i], &bad);
		if (bad)
			rc = verr_type(&e, names[i], "字符串", "a string");
	}
	if (!rc)
		rc = domain_authorize_add(&c->actor, &c->actor.org);
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(c,
				domain_add(c->db, &c->actor, &c->actor.org, v[0], v[1], v[2], &e));
	if (rc)
		return web_answer(c, rc, &e);
	/* domain_add validated the texts: they fit */
	memset(&d, 0, sizeof(d));
	d.org_id = c->actor.org.id;
	snprintf(d.code, sizeof(d.code), "%s", v[0]);
	snprintf(d.name_zh, sizeof(d.name_zh), "%s", v[1]);
	snprintf(d.name_en, sizeof(d.name_en), "%s", v[2] ? v[2] : v[1]);
	return web_json(c, 201, domain_to_json(&d));
}

/* --- pages --- */

/* label is the catalog text of prefix + value (value itself when the key would not fit). */
static const char *label(const struct web_ctx *c, const char *prefix, const char *value)
{
	char key[96];
	int n = snprintf(key, sizeof(key), "%s%s", prefix, value);

	if (n < 0 || (size_t)n >= sizeof(key))
		return value;
	return view_text(c->lang, key);
}

/* topic_page_json is topic_to_json of t with the labels the pages show. */
static json_t *topic_page_json(const struct web_ctx *c, const struct topic *t)
{
	json_t *j = topic_to_json(t);

	if (!j)
		return NULL;
	json_object_set_new(j, "status_label", json_string(label(c, "topic_status_", t->status)));
	json_object_set_new(j, "domain_label", json_string(label(c, "domain_", t->domain)));
	json_object_set_new(j, "origin_label", json_string(label(c, "origin_", t->origin)));
	return j;
}

/* domain_options lists the domains of the caller's body for a select (selected may be
 * NULL). */
static json_t *domain_options(struct web_ctx *c, const struct domains *l, const char *selected)
{
	bool en = strcmp(c->lang, "en") == 0;
	json_t *a = json_array(), *d;
	size_t i;

	for (i = 0; i < l->n; i++) {
		d = domain_to_json(&l->v[i]);
		json_object_set_new(d, "label",
				    json_string(en ? l->v[i].name_en : l->v[i].name_zh));
		json_object_set_new(d, "selected",
				    json_boolean(selected && strcmp(l->v[i].code, selected) == 0));
		json_array_append_new(a, d);
	}
	return a;
}

static json_t *origin_options(struct web_ctx *c, const char *selected)
{
	static const char *const origins[] = {"assigned", "member", "sector", "public"};
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < ARRAY_LEN(origins); i++)
		json_array_append_new(a, json_pack("{ss ss sb}", "value", origins[i], "label",
						   label(c, "origin_", origins[i]), "selected",
						   selected && strcmp(selected, origins[i]) == 0));
	return a;
}

/* topics_page lists the topics (with ?status= and ?domain=) and the form for a new one,
 * re-filled from the request when error is set. */
static int topics_page(struct web_ctx *c, int status, const struct verr *e)
{
	const char *error = e ? web_verr_text(c, e) : NULL;
	struct topic_filter f = {0, NULL, NULL};
	struct topics l = {0};
	struct domains dl = {0};
	json_t *items, *form;
	const char *v;
	size_t i;
	int rc;

	f.status = http_query(c->req, "status");
	f.domain = http_query(c->req, "domain");
	rc = topic_list(c->db, &c->actor, &f, 0, 500, &l);
	if (!rc)
		rc = domain_list(c->db, &c->actor.org, &dl);
	if (rc) {
		topics_release(&l);
		domains_release(&dl);
		return web_fail(c, rc);
	}
	items = json_array();
	for (i = 0; i < l.n; i++)
		json_array_append_new(items, topic_page_json(c, &l.v[i]));
	topics_release(&l);
	form = json_object();
	v = error ? web_field(c, "title", NULL) : NULL;
	json_object_set_new(form, "title", json_string(v ? v : ""));
	v = error ? web_field(c, "description", NULL) : NULL;
	json_object_set_new(form, "description", json_string(v ? v : ""));
	v = error ? web_field(c, "proposer", NULL) : NULL;
	json_object_set_new(form, "proposer", json_string(v ? v : ""));
	v = error ? web_field(c, "plan_month", NULL) : NULL;
	json_object_set_new(form, "plan_month", json_string(v ? v : ""));
	v = error ? web_field(c, "plan_year", NULL) : NULL;
	json_object_set_new(form, "plan_year", json_string(v ? v : ""));
	json_object_set_new(form, "field_error", web_field_error(c, e));
	rc = web_render(
	    c, status, "topics",
	    json_pack("{so so so so ss? sb sb}", "topics", items, "form", form, "domains",
		      domain_options(c, &dl, error ? web_field(c, "domain", NULL) : NULL),
		      "origins", origin_options(c, error ? web_field(c, "origin", NULL) : NULL),
		      "error", error, "can_edit", c->actor.role >= ROLE_ORGANIZER, "can_propose",
		      topic_authorize_create(&c->actor, &c->actor.org) == ERR_OK));
	domains_release(&dl);
	return rc;
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
	int rc;

	memset(&e, 0, sizeof(e));
	rc = create_topic(c, &id, &e);
	if (rc == ERR_INVALID || rc == ERR_CONFLICT)
		return topics_page(c, 422, &e);
	if (rc)
		return web_answer_why(c, rc, &e);
	snprintf(loc, sizeof(loc), "/topics/%lld", (long long)id);
	return web_redirect(c, loc);
}

/* topic_page shows t (authorized for reading by the caller) with its pipeline moves, its
 * sessions and, for those who may change it, the edit form. */
static int topic_page(struct web_ctx *c, int status, const struct topic *t, const struct verr *e)
{
	const char *error = e ? web_verr_text(c, e) : NULL;
	static const char *const fields[] = {"title", "proposer", "description"};
	json_t *tj = topic_page_json(c, t), *moves = json_array(), *sessions = json_array(), *form;
	const char *dom, *org;
	bool can_manage = topic_decide(&c->actor, t, AUTHZ_MANAGE) == ERR_OK;
	/* its proposer edits or withdraws it while it is proposed (topic_edit_check) */
	bool can_edit = topic_decide(&c->actor, t, AUTHZ_WRITE) == ERR_OK &&
			topic_edit_check(&c->actor, t, NULL, NULL) == ERR_OK;
	struct topic_sessions ts = {0};
	struct domains dl = {0};
	const char *to[8];
	struct buf md;
	size_t i, n;
	int rc;

	if (!tj) {
		json_decref(moves);
		json_decref(sessions);
		return web_fail(c, ERR_NOMEM);
	}
	n = topic_moves_from(t->status, to, ARRAY_LEN(to));
	for (i = 0; i < n && i < ARRAY_LEN(to); i++)
		json_array_append_new(moves, json_pack("{ss ss}", "to", to[i], "label",
						       label(c, "topic_to_", to[i])));
	buf_init(&md, 1 << 20);
	if (markdown_html(t->description, strlen(t->description), &md) == 0)
		json_object_set_new(tj, "description_html", json_string(buf_cstr(&md)));
	buf_fini(&md);
	rc = topic_sessions(c->db, &c->actor, t->id, &ts);
	for (i = 0; !rc && i < ts.n; i++)
		json_array_append_new(
		    sessions, json_pack("{sI ss ss ss}", "id", (json_int_t)ts.v[i].id, "title",
					ts.v[i].title, "status", ts.v[i].status, "status_label",
					label(c, "status_", ts.v[i].status)));
	topic_sessions_release(&ts);
	if (!rc)
		rc = domain_list(c->db, &c->actor.org, &dl);
	if (rc) {
		json_decref(tj);
		json_decref(moves);
		json_decref(sessions);
		domains_release(&dl);
		return web_fail(c, rc);
	}
	/* refused: the edit form shows what was sent, not what is stored */
	form = json_object();
	for (i = 0; i < ARRAY_LEN(fields); i++) {
		const char *v = error ? web_field(c, fields[i], NULL) : NULL;

		if (v)
			json_object_set_new(form, fields[i], json_string(v));
		else if (json_object_get(tj, fields[i]))
			json_object_set(form, fields[i], json_object_get(tj, fields[i]));
	}
	json_object_set_new(form, "field_error", web_field_error(c, e));
	dom = error && web_field(c, "domain", NULL) ? web_field(c, "domain", NULL) : t->domain;
	org = error && web_field(c, "origin", NULL) ? web_field(c, "origin", NULL) : t->origin;
	rc = web_render(c, status, "topic",
			json_pack("{so so so so so so ss? sb sb sb sb}", "topic", tj, "form", form,
				  "moves", moves, "sessions", sessions, "domains",
				  domain_options(c, &dl, dom), "origins", origin_options(c, org),
				  "error", error, "can_manage", can_manage, "can_edit",
				  can_manage || can_edit, "can_withdraw", can_edit, "can_schedule",
				  can_manage && (strcmp(t->status, "approved") == 0 ||
						 strcmp(t->status, "scheduled") == 0)));
	domains_release(&dl);
	return rc;
}

int h_topic_page(struct web_ctx *c)
{
	struct topic t;
	int rc = topic_authorize(c->db, &c->actor, web_id(c, "id"), AUTHZ_READ, &t);

	if (rc)
		return web_answer(c, rc, NULL);
	rc = topic_page(c, 200, &t, NULL);
	topic_release(&t);
	return rc;
}

/* topic_withdraw: the proposer (or the staff) takes back a topic still proposed: the same
 * rule and transaction as DELETE /api/v1/topics/{id}, then the list of topics. */
static int topic_withdraw(struct web_ctx *c)
{
	struct topic t;
	struct verr e;
	int rc = web_form_check(c, &e);

	memset(&t, 0, sizeof(t));
	if (!rc)
		rc = topic_authorize(c->db, &c->actor, web_id(c, "id"), AUTHZ_WRITE, &t);
	if (rc) {
		topic_release(&t);
		return web_answer(c, rc, &e);
	}
	rc = topic_edit_check(&c->actor, &t, NULL, &e);
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, topic_delete(c->db, &c->actor, t.id, &e));
	if (rc == ERR_INVALID || rc == ERR_CONFLICT) {
		rc = topic_page(c, rc == ERR_CONFLICT ? 409 : 422, &t, &e);
		topic_release(&t);
		return rc;
	}
	topic_release(&t);
	return rc ? web_answer(c, rc, &e) : web_redirect(c, "/topics");
}

/* The topic page posts a move ("to"), a withdrawal (op=withdraw) or an edit of its
 * fields. */
int h_topic_post(struct web_ctx *c)
{
	struct topic_req r;
	struct topic t;
	struct verr e;
	const char *op;
	char loc[64];
	int prc, rc;

	memset(&r, 0, sizeof(r));
	r.to = web_field(c, "to", NULL);
	op = web_field(c, "op", NULL);
	if (!r.to && op && strcmp(op, "withdraw") == 0)
		return topic_withdraw(c);
	prc = web_form_check(c, &e);
	if (!prc && !r.to)
		prc = parse_fields(c, &r.in, &e);
	rc = topic_authorize(c->db, &c->actor, web_id(c, "id"), r.to ? AUTHZ_MANAGE : AUTHZ_WRITE,
			     &t);
	if (rc)
		return web_answer(c, rc, NULL);
	rc = prc ? prc : change_topic(c, &t, &r, &e);
	if (rc == ERR_INVALID || rc == ERR_CONFLICT) {
		rc = topic_page(c, rc == ERR_CONFLICT ? 409 : 422, &t, &e);
		topic_release(&t);
		return rc;
	}
	snprintf(loc, sizeof(loc), "/topics/%lld", (long long)t.id);
	topic_release(&t);
	return rc ? web_answer(c, rc, &e) : web_redirect(c, loc);
}

/* The annual plan: topics of a year by domain (rows) and month (columns). */
int h_topics_plan(struct web_ctx *c)
{
	struct topic_filter f = {0, NULL, NULL};
	struct topics l = {0};
	struct domains dl = {0};
	const char *y = http_query(c->req, "year");
	json_t *items, *rows;
	int64_t year;
	size_t i, k;
	int m, rc;

	if (!y || num_parse(y, strlen(y), 2000, 2100, &year))
		year = time_year(time_now());
	f.year = (int)year;
	rc = topic_list(c->db, &c->actor, &f, 0, 2000, &l);
	if (!rc)
		rc = domain_list(c->db, &c->actor.org, &dl);
	items = rc ? NULL : topics_to_json(&l);
	if (!items) {
		topics_release(&l);
		domains_release(&dl);
		return web_fail(c, rc ? rc : ERR_NOMEM);
	}
	rows = json_array();
	for (i = 0; i < dl.n; i++) {
		json_t *month[12], *months = json_array(), *unplanned = json_array();
		json_t *d = domain_to_json(&dl.v[i]);

		json_object_set_new(
		    d, "label",
		    json_string(strcmp(c->lang, "en") == 0 ? dl.v[i].name_en : dl.v[i].name_zh));
		for (m = 0; m < 12; m++) {
			month[m] = json_array();
			json_array_append_new(
			    months, json_pack("{si sO}", "month", m + 1, "topics", month[m]));
		}
		for (k = 0; k < l.n; k++) {
			const struct topic *t = &l.v[k];

			if (strcmp(t->domain, dl.v[i].code) != 0)
				continue;
			json_array_append(t->plan_month >= 1 && t->plan_month <= 12
					      ? month[t->plan_month - 1]
					      : unplanned,
					  json_array_get(items, k));
		}
		for (m = 0; m < 12; m++)
			json_decref(month[m]);
		json_array_append_new(rows, json_pack("{so so so}", "domain", d, "months", months,
						      "unplanned", unplanned));
	}
	json_decref(items);
	topics_release(&l);
	domains_release(&dl);
	return web_render(c, 200, "plan",
			  json_pack("{so sI sI sI}", "rows", rows, "year", (json_int_t)year, "prev",
				    (json_int_t)(year - 1), "next", (json_int_t)(year + 1)));
}
