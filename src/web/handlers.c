/*
 * handlers.c - the handling units' side of the outputs: a unit's queue (what is assigned
 * to it, lead or co; overdue first), the reply and the co-handlers' opinions (协办意见)
 * from there; the units managed by the organizers of a body by id (rename, disable,
 * merge); and the organizers' list of commitments across their sessions.
 */
#include "web.h"
#include "sessions.h"

#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "json_handlers.h"
#include "json_output.h"
#include "model/output.h"
#include "model/session.h"
#include "view/view.h"

/* --- the queue --- */

/* read_queue_key reads ?cursor= ("overdue.due.id", the "next" of the page before) and
 * ?limit= (1..500, default 50). Answers 400 itself and returns non-zero on bad input. */
static int read_queue_key(struct web_ctx *c, struct assignment_key *k, int *limit)
{
	const char *l = http_query(c->req, "limit"), *cur = http_query(c->req, "cursor");
	const char *d1, *d2;
	int64_t v;

	memset(k, 0, sizeof(*k));
	*limit = 50;
	if (l) {
		if (num_parse(l, strlen(l), 1, 500, &v))
			return web_error(c, 400, "invalid", "limit", "limit 须为 1 到 500 的整数",
					 "limit must be an integer from 1 to 500"),
			       1;
		*limit = (int)v;
	}
	if (!cur || !*cur)
		return 0;
	d1 = strchr(cur, '.');
	d2 = d1 ? strchr(d1 + 1, '.') : NULL;
	if (!d2 || num_parse(cur, (size_t)(d1 - cur), 0, 1, &v))
		goto bad;
	k->overdue = (int)v;
	if (num_parse(d1 + 1, (size_t)(d2 - d1 - 1), 0, INT64_MAX, &k->due) ||
	    num_parse(d2 + 1, strlen(d2 + 1), 0, INT64_MAX, &k->id))
		goto bad;
	k->set = true;
	return 0;
bad:
	return web_error(c, 400, "invalid", "cursor", "cursor 无效", "cursor is not valid"), 1;
}

/* queue_json reads a page of a's queue: {"items", "next"} (new reference) or NULL. */
static json_t *queue_json(struct web_ctx *c, const struct assignment_key *k, int limit)
{
	struct assignment_list l;
	json_t *items = NULL, *next = json_null();
	char cur[80];
	int rc = assignment_list(c->db, &c->actor, k, limit + 1, &l);

	if (!rc && l.n > (size_t)limit) { /* a row past the page: there is a next one */
		const struct assignment *x = &l.items[limit - 1];

		snprintf(cur, sizeof(cur), "%d.%lld.%lld", x->overdue ? 1 : 0,
			 (long long)x->reply_due, (long long)x->output_id);
		next = json_string(cur);
	}
	if (!rc)
		items = assignment_list_json(&l);
	assignment_list_release(&l);
	if (!items)
		return NULL;
	while (json_array_size(items) > (size_t)limit)
		json_array_remove(items, json_array_size(items) - 1);
	return json_pack("{so so}", "items", items, "next", next);
}

int h_api_my_assignments(struct web_ctx *c)
{
	struct assignment_key k;
	json_t *page;
	int limit;

	if (read_queue_key(c, &k, &limit))
		return 0;
	page = queue_json(c, &k, limit);
	return page ? web_json(c, 200, page) : web_fail(c, ERR_NOMEM);
}

/* web_co_opinion: parse -> authorize (the output visible) -> check -> one transaction. */
static int web_co_opinion(struct web_ctx *c, struct output_head *h, struct verr *e)
{
	bool bad = false;
	const char *text = web_field(c, "text", &bad);
	int parsed = bad ? verr_type(e, "text", "字符串", "a string") : ERR_OK;
	int rc = output_authorize(c->db, &c->actor, web_id(c, "id"), AUTHZ_READ, h, NULL);

	if (!rc)
		rc = output_co_opinion_check(c->db, &c->actor, h, text, e);
	if (!rc)
		rc = parsed;
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, output_co_opinion(c->db, &c->actor, h, text, e));
	return rc;
}

int h_api_output_co_opinion(struct web_ctx *c)
{
	struct output_head h;
	struct verr e;
	json_t *o;
	int rc = web_co_opinion(c, &h, &e);

	if (rc)
		return web_answer(c, rc, &e);
	o = output_get_json(c->db, &c->actor, h.id);
	return o ? web_json(c, 200, o) : web_fail(c, ERR_NOT_FOUND);
}

/* the queue's page */

static const char *const grades[] = {"A", "B", "C", "D"};

static int assignments_page(struct web_ctx *c, int status, const char *error)
{
	struct assignment_key k;
	json_t *page, *items, *x, *gr = json_array();
	char key[32];
	size_t i;
	int limit;

	if (read_queue_key(c, &k, &limit))
		return 0;
	page = queue_json(c, &k, limit);
	if (!page)
		return web_fail(c, ERR_NOMEM);
	for (i = 0; i < ARRAY_LEN(grades); i++) {
		snprintf(key, sizeof(key), "grade_%s", grades[i]);
		json_array_append_new(
		    gr, json_pack("{ss ss}", "value", grades[i], "label", view_text(c->lang, key)));
	}
	items = json_object_get(page, "items");
	json_array_foreach(items, i, x)
	{
		const char *st = json_string_value(json_object_get(x, "state"));
		const char *role = json_string_value(json_object_get(x, "role"));
		const char *due = json_string_value(json_object_get(x, "reply_due"));
		bool open = st && strcmp(st, "assigned") == 0, lead = role && !strcmp(role, "lead");
		json_t *op, *mine = NULL;
		size_t j;

		sess_label(c, x, "kind", "kind_", "kind_label");
		sess_label(c, x, "state", "ostate_", "state_label");
		json_object_set_new(x, "is_lead", json_boolean(lead));
		json_object_set_new(x, "can_reply", json_boolean(open && lead));
		json_object_set_new(x, "can_opine", json_boolean(open && !lead));
		if (due && strlen(due) >= 10)
			json_object_set_new(x, "due_date", json_stringn(due, 10));
		json_array_foreach(json_object_get(x, "opinions"), j, op)
		{
			if (json_integer_value(json_object_get(op, "handler_id")) ==
			    (json_int_t)c->actor.user.handler_id)
				mine = json_object_get(op, "text");
		}
		if (mine)
			json_object_set(x, "my_opinion", mine);
		json_object_set(x, "grades", gr);
		json_object_set_new(x, "csrf", json_string(c->actor.csrf));
	}
	json_decref(gr);
	json_object_set_new(page, "unit", json_boolean(c->actor.user.handler_id != 0));
	json_object_set_new(page, "error", error ? json_string(error) : json_null());
	return web_render(c, status, "assignments", page);
}

int h_assignments_page(struct web_ctx *c)
{
	return assignments_page(c, 200, NULL);
}

/* after_queue_action answers a form of the queue: the page again with the message on a
 * refused one, back to the item when done. */
static int after_queue_action(struct web_ctx *c, int rc, const struct verr *e)
{
	char loc[64];

	if (rc == ERR_INVALID || rc == ERR_CONFLICT)
		return assignments_page(c, rc == ERR_CONFLICT ? 409 : 422, web_verr_text(c, e));
	if (rc)
		return web_answer(c, rc, e);
	snprintf(loc, sizeof(loc), "/assignments#assignment-%lld", (long long)web_id(c, "id"));
	return web_redirect(c, loc);
}

int h_assignment_reply_post(struct web_ctx *c)
{
	struct output_head h;
	struct verr e;
	int rc = web_form_check(c, &e);

	if (!rc)
		rc = web_output_transition(c, &h, &e);
	return after_queue_action(c, rc, &e);
}

int h_assignment_opinion_post(struct web_ctx *c)
{
	struct output_head h;
	struct verr e;
	int rc = web_form_check(c, &e);

	if (!rc)
		rc = web_co_opinion(c, &h, &e);
	return after_queue_action(c, rc, &e);
}

/* --- units managed by id --- */

/* web_handler_change: rename and/or disable unit {id} (name, disabled). */
static int web_handler_change(struct web_ctx *c, struct handler *h, struct verr *e)
{
	bool bad = false, off = false, present = false;
	const char *name = web_field(c, "name", &bad);
	int parsed = bad ? verr_type(e, "name", "字符串", "a string") : ERR_OK;
	int rc;

	const char *op = c->json ? NULL : web_field(c, "op", NULL);

	/* a page form sends no "disabled" when unchecked: only its disable form carries it */
	if (!parsed && (c->json || (op && strcmp(op, "disable") == 0)) &&
	    web_bool_field(c, "disabled", &off, &present))
		parsed = verr_type(e, "disabled", "布尔值", "a boolean");
	rc = handler_authorize(c->db, &c->actor, web_id(c, "id"), AUTHZ_WRITE, h);
	if (!rc)
		rc = parsed;
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(
		    c, handler_update(c->db, &c->actor, h, name, present ? (int)off : -1, e));
	return rc;
}

static int web_handler_merge(struct web_ctx *c, struct handler *h, struct verr *e)
{
	int64_t into = 0;
	bool present = false;
	int parsed = web_int_field(c, "into_id", &into, &present)
			 ? verr_type(e, "into_id", "整数", "an integer")
			 : ERR_OK;
	int rc;

	if (!parsed && !present)
		parsed = verr_set(e, "required", "into_id", "请选择合并到的承办单位",
				  "into_id is required");
	rc = handler_authorize(c->db, &c->actor, web_id(c, "id"), AUTHZ_WRITE, h);
	if (!rc)
		rc = parsed;
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, handler_merge(c->db, &c->actor, h, into, e));
	return rc;
}

static int answer_handler(struct web_ctx *c, int64_t id)
{
	struct handler u;
	int rc = handler_get(c->db, id, &u);

	return rc ? web_fail(c, rc) : web_json(c, 200, handler_to_json(&u));
}

int h_api_handler_patch(struct web_ctx *c)
{
	struct handler h;
	struct verr e;
	int rc = web_handler_change(c, &h, &e);

	return rc ? web_answer(c, rc, &e) : answer_handler(c, h.id);
}

int h_api_handler_merge(struct web_ctx *c)
{
	struct handler h;
	struct verr e;
	int rc = web_handler_merge(c, &h, &e);

	return rc ? web_answer(c, rc, &e) : answer_handler(c, h.id);
}

static int handlers_page(struct web_ctx *c, int status, const char *error)
{
	struct handler_list l;
	json_t *items = json_array(), *into = json_array();
	size_t i;
	int rc = handler_list(c->db, &c->actor, &l);

	for (i = 0; !rc && i < l.n; i++) {
		const struct handler *h = &l.items[i];
		json_t *x = handler_to_json(h);
		bool mine = org_path_within(h->org_path, c->actor.org.path);

		json_object_set_new(x, "manage", json_boolean(mine && !c->actor.user.handler_id));
		json_object_set_new(x, "csrf", json_string(c->actor.csrf));
		json_array_append_new(items, x);
		if (mine && !h->disabled)
			json_array_append_new(into, handler_to_json(h));
	}
	handler_list_release(&l);
	if (rc) {
		json_decref(items);
		json_decref(into);
		return web_fail(c, rc);
	}
	/* every unit offers the others it may be merged into */
	for (i = 0; i < json_array_size(items); i++) {
		json_t *x = json_array_get(items, i), *opts = json_array(), *y;
		size_t k;

		json_array_foreach(into, k, y)
		{
			if (json_integer_value(json_object_get(y, "id")) !=
			    json_integer_value(json_object_get(x, "id")))
				json_array_append(opts, y);
		}
		json_object_set_new(x, "into", opts);
	}
	json_decref(into);
	return web_render(c, status, "handlers",
			  json_pack("{so ss?}", "items", items, "error", error));
}

int h_handlers_page(struct web_ctx *c)
{
	return handlers_page(c, 200, NULL);
}

int h_handlers_post(struct web_ctx *c)
{
	struct verr e;
	const char *name = web_field(c, "name", NULL);
	int64_t id;
	int rc = web_form_check(c, &e);

	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc =
		    web_finish(c, handler_create(c->db, &c->actor, c->actor.org.id, name, &id, &e));
	if (rc == ERR_INVALID || rc == ERR_CONFLICT)
		return handlers_page(c, rc == ERR_CONFLICT ? 409 : 422, web_verr_text(c, &e));
	return rc ? web_answer(c, rc, &e) : web_redirect(c, "/handlers");
}

int h_handler_post(struct web_ctx *c)
{
	struct handler h;
	struct verr e;
	const char *op = web_field(c, "op", NULL);
	char loc[48];
	int rc = web_form_check(c, &e);

	if (!rc && op && strcmp(op, "merge") == 0)
		rc = web_handler_merge(c, &h, &e);
	else if (!rc)
		rc = web_handler_change(c, &h, &e);
	if (rc == ERR_INVALID || rc == ERR_CONFLICT)
		return handlers_page(c, rc == ERR_CONFLICT ? 409 : 422, web_verr_text(c, &e));
	if (rc)
		return web_answer(c, rc, &e);
	snprintf(loc, sizeof(loc), "/handlers#handler-%lld", (long long)h.id);
	return web_redirect(c, loc);
}

/* --- the organizers' commitments --- */

static int read_commitments(struct web_ctx *c, bool *overdue, int *limit, int64_t *after,
			    json_t **items)
{
	struct commitment_list l;
	const char *od = http_query(c->req, "overdue");
	int rc;

	*overdue = od && (strcmp(od, "1") == 0 || strcmp(od, "true") == 0);
	if (web_page(c, limit, after))
		return ERR_INVALID; /* answered */
	rc = commitment_list(c->db, &c->actor, *overdue, *after, *limit + 1, &l);
	*items = rc ? NULL : commitment_list_json(&l);
	commitment_list_release(&l);
	return rc ? web_fail(c, rc), rc : ERR_OK;
}

int h_api_commitments_list(struct web_ctx *c)
{
	bool overdue;
	int limit;
	int64_t after;
	json_t *items;

	if (read_commitments(c, &overdue, &limit, &after, &items))
		return 0;
	return web_list(c, items, limit);
}

int h_commitments_page(struct web_ctx *c)
{
	bool overdue;
	int limit;
	int64_t after;
	json_t *items, *x, *next = json_null();
	size_t i;
	char cur[24];

	if (read_commitments(c, &overdue, &limit, &after, &items))
		return 0;
	if (json_array_size(items) > (size_t)limit) {
		snprintf(cur, sizeof(cur), "%lld",
			 (long long)json_integer_value(
			     json_object_get(json_array_get(items, (size_t)limit - 1), "id")));
		next = json_string(cur);
		json_array_remove(items, (size_t)limit);
	}
	json_array_foreach(items, i, x)
	    sess_label(c, x, "status", "commitment_status_", "status_label");
	return web_render(
	    c, 200, "commitments",
	    json_pack("{so so sb}", "items", items, "next", next, "overdue", overdue));
}
