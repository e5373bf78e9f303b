/*
 * rules.c - the work rules of a body (工作制度) on the web: the versions (list, add), the
 * parameters the software knows, the comparison of two versions and the copy of another
 * body's version; the API and the pages (list with the add and copy forms, the diff side
 * by side). Who may is rules_authorize's (model/rules.h); the route table only keeps the
 * non-admins from the changes.
 */
#include "web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "model/rules.h"
#include "view/view.h"

/* day_text writes t as "YYYY-MM-DD" in the body's time zone. */
static void day_text(int64_t t, char out[16])
{
	time_fmt(t, "%Y-%m-%d", out, 16);
}

/* version_to_json is the one JSON of a version:
 * {version,title,body,params,effective_from,created_at,copied_from:null|{org_id,org_slug,
 * org_name,version}}. */
static json_t *version_to_json(const struct rules_version *v)
{
	json_t *from = json_null();
	char day[16];

	if (v->copied_from_org_id)
		from = json_pack("{sI ss ss ss}", "org_id", (json_int_t)v->copied_from_org_id,
				 "org_slug", v->copied_from_org_slug, "org_name",
				 v->copied_from_org_name, "version", v->copied_from_version);
	day_text(v->effective_from, day);
	return json_pack("{ss ss ss sO ss so so}", "version", v->version, "title", v->title, "body",
			 v->body, "params", v->params, "effective_from", day, "created_at",
			 web_time_json(v->created_at), "copied_from", from ? from : json_null());
}

static json_t *versions_json(const struct rules_versions *l)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < l->n; i++)
		json_array_append_new(a, version_to_json(&l->v[i]));
	return a;
}

/* param_json is one entry of the catalogue, with its default as JSON. */
static json_t *param_json(const struct rules_param *p)
{
	json_t *d = json_loads(p->default_json, JSON_DECODE_ANY, NULL);

	return json_pack("{ss ss ss sI sI ss ss ss ss so}", "name", p->name, "type", p->type,
			 "unit", p->unit, "min", (json_int_t)p->min, "max", (json_int_t)p->max,
			 "zh", p->zh, "en", p->en, "enforced_zh", p->enforced_zh, "enforced_en",
			 p->enforced_en, "default", d ? d : json_null());
}

/* --- API --- */

int h_api_rules_params(struct web_ctx *c)
{
	size_t i, n;
	const struct rules_param *p = rules_params(&n);
	json_t *items = json_array();

	for (i = 0; items && i < n; i++)
		json_array_append_new(items, param_json(&p[i]));
	return web_json(c, 200, json_pack("{so so}", "items", items, "next", json_null()));
}

int h_api_rules_list(struct web_ctx *c)
{
	struct rules_versions l;
	struct org o;
	int rc = rules_authorize(c->db, &c->actor, web_id(c, "id"), AUTHZ_READ, &o);

	if (!rc)
		rc = rules_list(c->db, o.id, &l);
	if (rc)
		return web_answer(c, rc, NULL);
	rc =
	    web_json(c, 200, json_pack("{so so}", "items", versions_json(&l), "next", json_null()));
	rules_versions_release(&l);
	return rc;
}

/* answer_version answers status with version name of org (just written). */
static int answer_version(struct web_ctx *c, int status, int64_t org_id, const char *name)
{
	struct rules_version v;
	int rc = rules_version_get(c->db, org_id, name, &v);

	if (rc)
		return web_fail(c, rc);
	rc = web_json(c, status, version_to_json(&v));
	rules_version_release(&v);
	return rc;
}

/* read_texts reads the text fields names[0..n) into v (type errors named in e). */
static int read_texts(struct web_ctx *c, const char *const *names, const char **v, size_t n,
		      struct verr *e)
{
	size_t i;

	for (i = 0; i < n; i++) {
		bool bad = false;

		v[i] = web_field(c, names[i], &bad);
		if (bad)
			return verr_type(e, names[i], "字符串", "a string");
	}
	return ERR_OK;
}

int h_api_rules_create(struct web_ctx *c)
{
	static const char *const names[] = {"version", "title", "body", "effective_from"};
	const char *v[ARRAY_LEN(names)] = {NULL};
	struct rules_in in;
	struct verr e = {0};
	struct org o;
	int rc = rules_authorize(c->db, &c->actor, web_id(c, "id"), AUTHZ_MANAGE, &o);

	if (!rc)
		rc = read_texts(c, names, v, ARRAY_LEN(names), &e);
	if (rc)
		return web_answer(c, rc, &e);
	memset(&in, 0, sizeof(in));
	in.version = v[0];
	in.title = v[1];
	in.body = v[2];
	in.effective_from = v[3];
	in.params = json_object_get(c->json, "params");
	if (json_is_null(in.params))
		in.params = NULL;
	rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, rules_create(c->db, &c->actor, &o, &in, &e));
	if (rc)
		return web_answer(c, rc, &e);
	return answer_version(c, 201, o.id, in.version);
}

int h_api_rules_copy(struct web_ctx *c)
{
	static const char *const names[] = {"version", "new_version"};
	const char *v[ARRAY_LEN(names)] = {NULL};
	struct verr e = {0};
	char made[96];
	int64_t from = 0;
	bool given = false;
	struct org o;
	int rc = rules_authorize(c->db, &c->actor, web_id(c, "id"), AUTHZ_MANAGE, &o);

	if (!rc)
		rc = read_texts(c, names, v, ARRAY_LEN(names), &e);
	if (!rc && web_int_field(c, "from_org_id", &from, &given))
		rc = verr_type(&e, "from_org_id", "整数", "an integer");
	if (rc)
		return web_answer(c, rc, &e);
	rc = web_begin(c);
	if (!rc)
		rc = web_finish(
		    c, rules_copy(c->db, &c->actor, &o, from, v[0], v[1], made, sizeof(made), &e));
	if (rc == ERR_NOT_FOUND && e.code)
		return web_error(c, 404, e.code, e.field, e.zh, e.en);
	if (rc)
		return web_answer(c, rc, &e);
	return answer_version(c, 201, o.id, made);
}

static const char *op_name(enum linediff_op op)
{
	return op == LINEDIFF_SAME ? "same" : op == LINEDIFF_DEL ? "removed" : "added";
}

/* diff_to_json: {from,to,params:[{name,old,new}],lines:[{op,text,old_line,new_line}]} */
static json_t *diff_to_json(const struct rules_diff *d)
{
	json_t *params = json_array(), *lines = json_array();
	size_t i;

	for (i = 0; i < d->nchanges; i++)
		json_array_append_new(params, json_pack("{ss sO sO}", "name", d->changes[i].name,
							"old", d->changes[i].old_value, "new",
							d->changes[i].new_value));
	for (i = 0; i < d->nlines; i++) {
		const struct linediff_line *x = &d->lines[i];

		json_array_append_new(
		    lines,
		    json_pack(
			"{ss ss# so so}", "op", op_name(x->op), "text", x->p, x->n, "old_line",
			x->old_no ? json_integer((json_int_t)x->old_no) : json_null(), "new_line",
			x->new_no ? json_integer((json_int_t)x->new_no) : json_null()));
	}
	return json_pack("{ss ss so so}", "from", d->from.version, "to", d->to.version, "params",
			 params, "lines", lines);
}

/* read_diff reads ?from= and ?to= and compares them for body o (which c may read). */
static int read_diff(struct web_ctx *c, struct org *o, struct rules_diff *d, struct verr *e)
{
	const char *from = http_query(c->req, "from"), *to = http_query(c->req, "to");
	int rc = rules_authorize(c->db, &c->actor, web_id(c, "id"), AUTHZ_READ, o);

	memset(d, 0, sizeof(*d));
	if (rc)
		return rc;
	if (!from || !from[0])
		return verr_set(e, "required", "from", "请指定要比较的版本 from",
				"from (a version) is required");
	if (!to || !to[0])
		return verr_set(e, "required", "to", "请指定要比较的版本 to",
				"to (a version) is required");
	return rules_diff_make(c->db, o->id, from, to, d);
}

int h_api_rules_diff(struct web_ctx *c)
{
	struct rules_diff d;
	struct verr e = {0};
	struct org o;
	int rc = read_diff(c, &o, &d, &e);

	if (rc)
		return web_answer(c, rc, &e);
	rc = web_json(c, 200, diff_to_json(&d));
	rules_diff_release(&d);
	return rc;
}

/* --- pages --- */

/* form_params builds the params of the page form: an input p_<name> per known parameter,
 * an integer as its digits, an object as JSON text; an empty input is not stated. A field
 * that does not read is named in e. New reference in *out. */
static int form_params(struct web_ctx *c, json_t **out, struct verr *e)
{
	size_t i, n;
	const struct rules_param *p = rules_params(&n);
	json_t *params = json_object();

	if (!params)
		return ERR_NOMEM;
	for (i = 0; i < n; i++) {
		bool bad = false;
		char name[64];
		const char *s;
		json_t *v;

		snprintf(name, sizeof(name), "p_%s", p[i].name);
		s = web_field(c, name, &bad);
		if (!s || !s[0] || text_blank(s, strlen(s)))
			continue;
		v = json_loads(s, JSON_DECODE_ANY, NULL);
		if (!v) {
			json_decref(params);
			return verr_set(e, "invalid_type", "params", "规则参数 %s 的值无法识别",
					"the value of parameter %s does not read", p[i].name);
		}
		json_object_set_new(params, p[i].name, v);
	}
	*out = params;
	return ERR_OK;
}

/* rules_page renders the versions of o, with the forms for who may add; status, e and
 * form (the form sent back, may be NULL) for an add that was refused. */
static int rules_page(struct web_ctx *c, int status, const struct org *o, const struct verr *e,
		      json_t *form)
{
	struct rules_versions l;
	size_t i, n;
	const struct rules_param *p = rules_params(&n);
	json_t *params = json_array(), *items;
	bool en = strcmp(c->lang, "en") == 0;
	int rc = rules_list(c->db, o->id, &l);

	if (rc) {
		json_decref(params);
		json_decref(form);
		return web_fail(c, rc);
	}
	items = versions_json(&l);
	for (i = 0; i < l.n && i + 1 < l.n; i++) /* each version offers a diff to the older */
		json_object_set_new(json_array_get(items, i), "older",
				    json_string(l.v[i + 1].version));
	for (i = 0; i < n; i++) {
		json_t *j = param_json(&p[i]);
		const char *sent =
		    form ? json_string_value(json_object_get(form, p[i].name)) : NULL;
		char *dflt =
		    json_dumps(json_object_get(j, "default"), JSON_ENCODE_ANY | JSON_COMPACT);

		json_object_set_new(j, "meaning", json_string(en ? p[i].en : p[i].zh));
		json_object_set_new(j, "enforced",
				    json_string(en ? p[i].enforced_en : p[i].enforced_zh));
		json_object_set_new(j, "default_text", json_string(dflt ? dflt : ""));
		json_object_set_new(j, "value", json_string(sent ? sent : ""));
		json_object_set_new(j, "integer", json_boolean(strcmp(p[i].type, "integer") == 0));
		if (p[i].unit[0]) {
			char key[48];

			snprintf(key, sizeof(key), "rules_unit_%s", p[i].unit);
			json_object_set_new(j, "unit_label", json_string(view_text(c->lang, key)));
		}
		free(dflt);
		json_array_append_new(params, j);
	}
	rc = web_render(c, status, "rules",
			json_pack("{so so so sb ss? so so* sb sb}", "org", org_to_json(o), "items",
				  items, "params", params, "can_manage",
				  actor_can_manage_org(&c->actor, o), "error",
				  e && e->code ? web_verr_text(c, e) : NULL, "field_error",
				  web_field_error(c, e), "form", form, "saved",
				  http_query(c->req, "saved") != NULL, "has_items", l.n > 0));
	rules_versions_release(&l);
	return rc;
}

int h_rules_page(struct web_ctx *c)
{
	struct org o;
	int rc = rules_authorize(c->db, &c->actor, web_id(c, "id"), AUTHZ_READ, &o);

	if (rc)
		return web_answer(c, rc, NULL);
	return rules_page(c, 200, &o, NULL, NULL);
}

/* sent_form is what the add form sent, to show it again after a refusal. */
static json_t *sent_form(struct web_ctx *c)
{
	static const char *const names[] = {"version", "title", "body", "effective_from"};
	size_t i, n;
	const struct rules_param *p = rules_params(&n);
	json_t *f = json_object();

	for (i = 0; f && i < ARRAY_LEN(names) + n; i++) {
		bool bad = false;
		char field[64];
		const char *s, *key;

		if (i < ARRAY_LEN(names)) {
			key = names[i];
			s = web_field(c, key, &bad);
		} else { /* the parameters go back under their own names (the page reads them) */
			key = p[i - ARRAY_LEN(names)].name;
			snprintf(field, sizeof(field), "p_%s", key);
			s = web_field(c, field, &bad);
		}
		json_object_set_new(f, key, json_string(s && !bad ? s : ""));
	}
	return f;
}

int h_rules_post(struct web_ctx *c)
{
	static const char *const names[] = {"version", "title", "body", "effective_from"};
	const char *v[ARRAY_LEN(names)] = {NULL};
	struct rules_in in;
	struct verr e = {0};
	json_t *params = NULL;
	char loc[64];
	struct org o;
	int rc = rules_authorize(c->db, &c->actor, web_id(c, "id"), AUTHZ_MANAGE, &o);

	if (rc)
		return web_answer(c, rc, NULL);
	rc = web_form_check(c, &e);
	if (!rc)
		rc = read_texts(c, names, v, ARRAY_LEN(names), &e);
	if (!rc)
		rc = form_params(c, &params, &e);
	if (!rc) {
		memset(&in, 0, sizeof(in));
		in.version = v[0];
		in.title = v[1];
		in.body = v[2];
		in.effective_from = v[3];
		in.params = params;
		rc = web_begin(c);
		if (!rc)
			rc = web_finish(c, rules_create(c->db, &c->actor, &o, &in, &e));
	}
	json_decref(params);
	if (rc == ERR_INVALID || rc == ERR_CONFLICT)
		return rules_page(c, rc == ERR_CONFLICT ? 409 : 422, &o, &e, sent_form(c));
	if (rc)
		return web_answer(c, rc, &e);
	snprintf(loc, sizeof(loc), "/orgs/%lld/rules?saved=1", (long long)o.id);
	return web_redirect(c, loc);
}

int h_rules_copy_post(struct web_ctx *c)
{
	static const char *const names[] = {"version", "new_version"};
	const char *v[ARRAY_LEN(names)] = {NULL};
	struct verr e = {0};
	char made[96], loc[64];
	int64_t from = 0;
	bool given = false;
	struct org o;
	int rc = rules_authorize(c->db, &c->actor, web_id(c, "id"), AUTHZ_MANAGE, &o);

	if (rc)
		return web_answer(c, rc, NULL);
	rc = web_form_check(c, &e);
	if (!rc)
		rc = read_texts(c, names, v, ARRAY_LEN(names), &e);
	if (!rc && web_int_field(c, "from_org_id", &from, &given))
		rc = verr_type(&e, "from_org_id", "整数", "an integer");
	if (!rc) {
		rc = web_begin(c);
		if (!rc)
			rc = web_finish(c, rules_copy(c->db, &c->actor, &o, from, v[0], v[1], made,
						      sizeof(made), &e));
	}
	if (rc == ERR_INVALID || rc == ERR_CONFLICT || (rc == ERR_NOT_FOUND && e.code))
		return rules_page(c,
				  rc == ERR_CONFLICT	? 409
				  : rc == ERR_NOT_FOUND ? 404
							: 422,
				  &o, &e, NULL);
	if (rc)
		return web_answer(c, rc, &e);
	snprintf(loc, sizeof(loc), "/orgs/%lld/rules?saved=1", (long long)o.id);
	return web_redirect(c, loc);
}

/* diff_rows pairs the diff's lines for two columns: a line on both sides; a run of removed
 * lines and the run of added lines after it side by side (changed); what is left of either
 * run alone on its side. */
static json_t *diff_rows(const struct rules_diff *d)
{
	json_t *rows = json_array();
	size_t i = 0;

	while (rows && i < d->nlines) {
		const struct linediff_line *x = &d->lines[i];
		size_t dels = 0, adds = 0, k;

		if (x->op == LINEDIFF_SAME) {
			json_array_append_new(rows, json_pack("{ss# ss# sI sI sb}", "left", x->p,
							      x->n, "right", x->p, x->n, "left_no",
							      (json_int_t)x->old_no, "right_no",
							      (json_int_t)x->new_no, "same", 1));
			i++;
			continue;
		}
		while (i + dels < d->nlines && d->lines[i + dels].op == LINEDIFF_DEL)
			dels++;
		while (i + dels + adds < d->nlines && d->lines[i + dels + adds].op == LINEDIFF_ADD)
			adds++;
		for (k = 0; k < dels || k < adds; k++) {
			const struct linediff_line *l = k < dels ? &d->lines[i + k] : NULL;
			const struct linediff_line *r = k < adds ? &d->lines[i + dels + k] : NULL;
			json_t *row = json_object();

			if (l) {
				json_object_set_new(row, "left", json_stringn(l->p, l->n));
				json_object_set_new(row, "left_no",
						    json_integer((json_int_t)l->old_no));
			}
			if (r) {
				json_object_set_new(row, "right", json_stringn(r->p, r->n));
				json_object_set_new(row, "right_no",
						    json_integer((json_int_t)r->new_no));
			}
			json_object_set_new(row,
					    l && r ? "changed"
					    : l	   ? "removed"
						   : "added",
					    json_true());
			json_array_append_new(rows, row);
		}
		i += dels + adds;
	}
	return rows;
}

int h_rules_diff_page(struct web_ctx *c)
{
	struct rules_diff d;
	struct verr e = {0};
	struct org o;
	json_t *j, *params;
	size_t i;
	int rc = read_diff(c, &o, &d, &e);

	if (rc)
		return web_answer(c, rc, &e);
	j = diff_to_json(&d);
	params = json_object_get(j, "params");
	for (i = 0; i < json_array_size(params); i++) {
		json_t *x = json_array_get(params, i);
		char *a = json_dumps(json_object_get(x, "old"), JSON_ENCODE_ANY | JSON_COMPACT);
		char *b = json_dumps(json_object_get(x, "new"), JSON_ENCODE_ANY | JSON_COMPACT);

		json_object_set_new(x, "old_text", json_string(a ? a : ""));
		json_object_set_new(x, "new_text", json_string(b ? b : ""));
		free(a);
		free(b);
	}
	json_object_set_new(j, "rows", diff_rows(&d));
	json_object_set_new(j, "org", org_to_json(&o));
	json_object_set_new(j, "from_title", json_string(d.from.title));
	json_object_set_new(j, "to_title", json_string(d.to.title));
	json_object_set_new(j, "has_params", json_boolean(d.nchanges > 0));
	rules_diff_release(&d);
	return web_render(c, 200, "rules_diff", j);
}
