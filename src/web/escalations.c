/*
 * escalations.c - escalation of outputs to a higher body (model/escalation.h): the JSON
 * API (escalate, the lists, answer, adopt), the /escalations page with its answer forms, and
 * the output page's escalation form. Every action is one function shared by the API and the
 * page (parse -> authorize -> validate -> one transaction), answered in the way of each.
 */
#include "web.h"
#include "escalations.h"

#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "model/escalation.h"
#include "model/output.h"
#include "view/view.h"

/* --- JSON --- */

static json_t *org_ref(int64_t id, const char *name)
{
	return json_pack("{sI ss}", "id", (json_int_t)id, "name", name);
}

json_t *escalation_to_json(const struct escalation *x)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", json_integer((json_int_t)x->id));
	json_object_set_new(o, "output_id", json_integer((json_int_t)x->output_id));
	json_object_set_new(o, "output_title", json_string(x->output_title));
	json_object_set_new(o, "output_kind", json_string(x->output_kind));
	json_object_set_new(o, "output_state", json_string(x->output_state));
	json_object_set_new(o, "from_org", org_ref(x->from_org_id, x->from_org_name));
	json_object_set_new(o, "to_org", org_ref(x->to_org_id, x->to_org_name));
	json_object_set_new(o, "note", json_string(x->note));
	json_object_set_new(o, "state", json_string(x->state));
	json_object_set_new(o, "created_at", web_time_json(x->created_at));
	json_object_set_new(o, "answer_note", json_string(x->answer_note));
	json_object_set_new(o, "answered_at", web_time_json(x->answered_at));
	json_object_set_new(o, "answered_by",
			    x->answered_by ? json_string(x->answered_by_name) : json_null());
	json_object_set_new(o, "result_output_id",
			    x->result_output_id ? json_integer((json_int_t)x->result_output_id)
						: json_null());
	return o;
}

static json_t *list_json(const struct escalation_list *l)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < l->n; i++)
		json_array_append_new(a, escalation_to_json(&l->items[i]));
	return a;
}

/* listed_json is the JSON array of what list gave (an empty one when it failed). */
static json_t *listed_json(struct db *db, const struct actor *a, int64_t id,
			   int (*list)(struct db *, const struct actor *, int64_t,
				       struct escalation_list *))
{
	struct escalation_list l;
	json_t *x;

	x = list(db, a, id, &l) == ERR_OK ? list_json(&l) : json_array();
	escalation_list_release(&l);
	return x;
}

json_t *escalations_of_output_json(struct db *db, const struct actor *a, int64_t id)
{
	return listed_json(db, a, id, escalation_of_output);
}

json_t *escalation_origins_json(struct db *db, const struct actor *a, int64_t id)
{
	return listed_json(db, a, id, escalation_origins);
}

/* answer_escalation answers escalation id as the caller may read it. */
static int answer_escalation(struct web_ctx *c, int status, int64_t id)
{
	struct escalation x;
	json_t *o = NULL;

	if (escalation_get(c->db, id, &x) == ERR_OK)
		o = escalation_to_json(&x);
	escalation_release(&x);
	return o ? web_json(c, status, o) : web_fail(c, ERR_NOT_FOUND);
}

/* --- the actions, shared by the API and the pages --- */

/* web_escalate: POST .../outputs/{id}/escalate {note, to_org_id?} -> *id. */
static int web_escalate(struct web_ctx *c, int64_t *id, struct verr *e)
{
	bool bad = false, present = false;
	const char *note = web_field(c, "note", &bad);
	const char *to_text = c->json ? NULL : web_field(c, "to_org_id", NULL);
	int64_t output_id = web_id(c, "id"), to = 0;
	int parsed = ERR_OK, rc;

	if (bad)
		parsed = verr_type(e, "note", "字符串", "a string");
	/* a form's empty choice is the default target */
	if (!parsed && !(to_text && !*to_text) && web_int_field(c, "to_org_id", &to, &present))
		parsed = verr_type(e, "to_org_id", "整数", "an integer");
	/* a malformed field is answered only to a caller who may read the output */
	rc = output_authorize(c->db, &c->actor, output_id, AUTHZ_READ, NULL, NULL);
	if (!rc)
		rc = parsed;
	if (!rc && present && to <= 0)
		rc = verr_set(e, "not_ancestor", "to_org_id", "上报对象须为上级组织",
			      "to_org_id must be a body above the output's");
	if (!rc)
		rc = escalation_send_check(c->db, &c->actor, output_id, to, note, NULL, e);
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, escalation_send(c->db, &c->actor, output_id, to, note, id, e));
	return rc;
}

/* web_answer_escalation: POST .../escalations/{id}/answer {decision, note}. */
static int web_answer_escalation(struct web_ctx *c, int64_t *id, struct verr *e)
{
	bool bad1 = false, bad2 = false;
	const char *decision = web_field(c, "decision", &bad1);
	const char *note = web_field(c, "note", &bad2);
	struct escalation x;
	int rc;

	*id = web_id(c, "id");
	rc = escalation_authorize(c->db, &c->actor, *id, ESC_ANSWER, &x);
	if (!rc && (bad1 || bad2))
		rc = verr_type(e, bad1 ? "decision" : "note", "字符串", "a string");
	if (!rc)
		rc = escalation_answer_check(&x, decision, note, e);
	escalation_release(&x);
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, escalation_answer(c->db, &c->actor, *id, decision, note, e));
	return rc;
}

/* web_adopt_escalation: POST .../escalations/{id}/adopt {kind?, title?, body?} ->
 * *output_id. */
static int web_adopt_escalation(struct web_ctx *c, int64_t *output_id, struct verr *e)
{
	static const char *const names[] = {"kind", "title", "body"};
	struct escalation_adopt_in in = {NULL, NULL, NULL};
	const char **dst[] = {&in.kind, &in.title, &in.body};
	struct escalation x;
	int64_t id = web_id(c, "id");
	size_t i;
	int parsed = ERR_OK, rc;

	for (i = 0; i < ARRAY_LEN(names); i++) {
		bool bad = false;

		*dst[i] = web_field(c, names[i], &bad);
		if (bad && !parsed)
			parsed = verr_type(e, names[i], "字符串", "a string");
		if (*dst[i] && !**dst[i] && !c->json) /* a form's empty field: the default */
			*dst[i] = NULL;
	}
	rc = escalation_authorize(c->db, &c->actor, id, ESC_ANSWER, &x);
	if (!rc)
		rc = parsed;
	if (!rc)
		rc = escalation_adopt_check(c->db, &c->actor, &x, &in, e);
	escalation_release(&x);
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, escalation_adopt(c->db, &c->actor, id, &in, output_id, e));
	return rc;
}

/* --- the API --- */

int h_api_output_escalate(struct web_ctx *c)
{
	struct verr e;
	int64_t id = 0;
	int rc;

	memset(&e, 0, sizeof(e));
	rc = web_escalate(c, &id, &e);
	return rc ? web_answer_why(c, rc, &e) : answer_escalation(c, 201, id);
}

int h_api_escalations_list(struct web_ctx *c)
{
	struct escalation_list l;
	const char *dir = http_query(c->req, "direction");
	json_t *items;
	int64_t after;
	int limit, rc;

	if (web_page(c, &limit, &after))
		return 0;
	if (dir && strcmp(dir, "incoming") != 0 && strcmp(dir, "outgoing") != 0)
		return web_error(c, 400, "invalid", "direction",
				 "direction 须为 incoming（收到的）或 outgoing（报出的）",
				 "direction must be incoming or outgoing");
	rc = escalation_list(c->db, &c->actor, dir && strcmp(dir, "outgoing") == 0, after,
			     limit + 1, &l);
	items = rc ? NULL : list_json(&l);
	escalation_list_release(&l);
	if (rc)
		return web_answer(c, rc, NULL);
	return web_list(c, items, limit);
}

int h_api_escalation_answer(struct web_ctx *c)
{
	struct verr e;
	int64_t id;
	int rc;

	memset(&e, 0, sizeof(e));
	rc = web_answer_escalation(c, &id, &e);
	return rc ? web_answer(c, rc, &e) : answer_escalation(c, 200, id);
}

/* POST /api/v1/escalations/{id}/adopt -> 201 {"escalation", "output_id"}. */
int h_api_escalation_adopt(struct web_ctx *c)
{
	struct escalation x;
	struct verr e;
	int64_t out = 0;
	json_t *o = NULL;
	int rc;

	memset(&e, 0, sizeof(e));
	rc = web_adopt_escalation(c, &out, &e);
	if (rc)
		return web_answer_why(c, rc, &e);
	if (escalation_get(c->db, web_id(c, "id"), &x) == ERR_OK)
		o = json_pack("{so sI}", "escalation", escalation_to_json(&x), "output_id",
			      (json_int_t)out);
	escalation_release(&x);
	return o ? web_json(c, 201, o) : web_fail(c, ERR_NOT_FOUND);
}

/* --- pages --- */

static void label_into(struct web_ctx *c, json_t *o, const char *field, const char *prefix,
		       const char *out)
{
	const char *v = json_string_value(json_object_get(o, field));
	char key[96];

	if (!v || !*v)
		return;
	snprintf(key, sizeof(key), "%s%s", prefix, v);
	json_object_set_new(o, out, json_string(view_text(c->lang, key)));
}

/* decorate adds to each item of arr what the pages show: labels, a short date, and (can)
 * whether the caller may answer it. */
static void decorate(struct web_ctx *c, json_t *arr, bool answer_forms)
{
	json_t *x;
	size_t i;

	json_array_foreach(arr, i, x)
	{
		const char *at = json_string_value(json_object_get(x, "created_at"));
		const char *state = json_string_value(json_object_get(x, "state"));
		int64_t id = json_integer_value(json_object_get(x, "id"));
		bool can = answer_forms &&
			   escalation_authorize(c->db, &c->actor, id, ESC_ANSWER, NULL) == ERR_OK;
		char d[16];

		snprintf(d, sizeof(d), "%.10s", at ? at : "");
		json_object_set_new(x, "date", json_string(d));
		label_into(c, x, "state", "esc_state_", "state_label");
		json_object_set_new(x, "is_pending",
				    json_boolean(state && !strcmp(state, "pending")));
		json_object_set_new(x, "can_answer",
				    json_boolean(can && state && !strcmp(state, "pending")));
		json_object_set_new(
		    x, "can_adopt",
		    json_boolean(can && state && !strcmp(state, "accepted") &&
				 json_is_null(json_object_get(x, "result_output_id"))));
	}
}

static json_t *page_list(struct web_ctx *c, bool outgoing)
{
	struct escalation_list l;
	json_t *items;

	if (escalation_list(c->db, &c->actor, outgoing, 0, 200, &l) != ERR_OK) {
		escalation_list_release(&l);
		return json_array();
	}
	items = list_json(&l);
	escalation_list_release(&l);
	decorate(c, items, !outgoing);
	return items;
}

static int escalations_page(struct web_ctx *c, int status, const char *error, int64_t error_id)
{
	json_t *page;
	int rc = escalation_list_authorize(&c->actor);

	if (rc)
		return web_answer(c, rc, NULL);
	page = json_pack("{so so ss? sI}", "incoming", page_list(c, false), "outgoing",
			 page_list(c, true), "error", error, "error_id", (json_int_t)error_id);
	return web_render(c, status, "escalations", page);
}

int h_escalations_page(struct web_ctx *c)
{
	return escalations_page(c, 200, NULL, 0);
}

/* back_to_list redirects to the list, or shows it again with the error. */
static int back_to_list(struct web_ctx *c, int rc, const struct verr *e, const char *to)
{
	if (rc == ERR_INVALID || rc == ERR_CONFLICT)
		return escalations_page(c, rc == ERR_CONFLICT ? 409 : 422, web_verr_text(c, e),
					web_id(c, "id"));
	if (rc)
		return web_answer(c, rc, e);
	return web_redirect(c, to);
}

/* list_form_post runs a form of the list page: act on the escalation of the path, then to
 * the page fmt names with the id act gave (a %lld), or the list again with the error. */
static int list_form_post(struct web_ctx *c, int (*act)(struct web_ctx *, int64_t *, struct verr *),
			  const char *fmt)
{
	struct verr e;
	int64_t id = 0;
	char loc[64];
	int rc;

	memset(&e, 0, sizeof(e));
	rc = web_form_check(c, &e);
	if (!rc)
		rc = act(c, &id, &e);
	snprintf(loc, sizeof(loc), fmt, (long long)id);
	return back_to_list(c, rc, &e, loc);
}

int h_escalation_answer_post(struct web_ctx *c)
{
	return list_form_post(c, web_answer_escalation, "/escalations#escalation-%lld");
}

int h_escalation_adopt_post(struct web_ctx *c)
{
	return list_form_post(c, web_adopt_escalation, "/outputs/%lld");
}

/* the output page's form posts here; errors are shown on the output page (output_pages.c
 * renders it through web_output_page_again) */
int h_output_escalate_post(struct web_ctx *c)
{
	struct verr e;
	int64_t id = 0;
	char loc[64];
	int rc;

	memset(&e, 0, sizeof(e));
	rc = web_form_check(c, &e);
	if (!rc)
		rc = web_escalate(c, &id, &e);
	if (rc == ERR_INVALID || rc == ERR_CONFLICT)
		return web_output_page_again(c, rc == ERR_CONFLICT ? 409 : 422,
					     web_verr_text(c, &e), "escalate");
	if (rc)
		return web_answer(c, rc, &e);
	snprintf(loc, sizeof(loc), "/outputs/%lld#escalation", (long long)web_id(c, "id"));
	return web_redirect(c, loc);
}

/* targets: the bodies above the output's, the parent first (selected). */
static json_t *targets(struct db *db, int64_t org_id)
{
	json_t *arr = json_array();
	struct org o;
	int64_t id = org_id;
	int guard = 0;

	while (id && guard++ < 16 && org_get(db, id, &o) == ERR_OK) {
		if (o.id != org_id)
			json_array_append_new(arr, json_pack("{sI ss sb}", "id", (json_int_t)o.id,
							     "name", o.name, "selected",
							     json_array_size(arr) == 0));
		id = o.parent_id;
	}
	return arr;
}

void web_escalation_page(struct web_ctx *c, json_t *page, const struct output_head *h, int role,
			 const char *error, const char *again)
{
	json_t *items = escalations_of_output_json(c->db, &c->actor, h->id);
	json_t *x = json_object(), *tg = NULL;
	bool may = (role & OROLE_STAFF) && escalation_may_send(&c->actor, h) &&
		   strcmp(h->state, "draft") != 0;

	decorate(c, items, false);
	json_object_set_new(x, "items", items);
	if (may) {
		tg = targets(c->db, h->org_id);
		may = json_array_size(tg) > 0;
	}
	if (!may && json_array_size(items) == 0) { /* nothing to show this reader */
		json_decref(tg);
		json_decref(x);
		return;
	}
	json_object_set_new(x, "can_escalate", json_boolean(may));
	json_object_set_new(x, "targets", tg ? tg : json_array());
	if (again && strcmp(again, "escalate") == 0 && error) {
		json_object_set_new(x, "error", json_string(error));
		json_object_set_new(
		    x, "typed_note",
		    json_string(web_field(c, "note", NULL) ? web_field(c, "note", NULL) : ""));
	}
	json_object_set_new(page, "escalation", x);
}
