/*
 * respond.c - how handlers answer: JSON, pages, errors, redirects, cookies; and the small
 * readers of input every handler shares.
 */
#include "web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/util.h"
#include "model/notify.h"
#include "view/view.h"

static const char json_ctype[] = "application/json; charset=utf-8";
static const char html_type[] = "text/html; charset=utf-8";

int web_json(struct web_ctx *c, int status, json_t *obj)
{
	char *s;

	c->resp->status = status;
	c->resp->content_type = json_ctype;
	s = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
	json_decref(obj);
	if (!s || buf_puts(&c->resp->body, s)) {
		c->resp->status = 500;
		buf_reset(&c->resp->body);
	}
	free(s);
	if (http_resp_header(c->resp, "Cache-Control", "no-store"))
		log_warn("web: too many headers");
	return 0;
}

static void security_headers(struct web_ctx *c)
{
	if (http_resp_header(c->resp, "Content-Security-Policy",
			     "default-src 'self'; img-src 'self' data:; style-src 'self';"
			     " script-src 'self'; frame-ancestors 'none'; base-uri 'none';"
			     " form-action 'self'") ||
	    http_resp_header(c->resp, "X-Frame-Options", "DENY") ||
	    http_resp_header(c->resp, "Referrer-Policy", "same-origin") ||
	    http_resp_header(c->resp, "Cache-Control", "no-store"))
		log_warn("web: too many headers");
}

int web_error(struct web_ctx *c, int status, const char *code, const char *field, const char *zh,
	      const char *en)
{
	const char *msg = strcmp(c->lang, "en") == 0 ? en : zh;

	if (c->api) {
		json_t *err = json_pack("{ss ss}", "code", code, "message", msg);

		if (field)
			json_object_set_new(err, "field", json_string(field));
		return web_json(c, status, json_pack("{so}", "error", err));
	}
	return web_render(c, status, "error",
			  json_pack("{si ss ss ss?}", "status", status, "code", code, "message",
				    msg, "field", field));
}

int web_error_key(struct web_ctx *c, int status, const char *code)
{
	char key[64];

	snprintf(key, sizeof(key), "err_%s", code);
	return web_error(c, status, code, NULL, view_text("zh", key), view_text("en", key));
}

int web_verr(struct web_ctx *c, const struct verr *e)
{
	int status = strcmp(e->code, "conflict") == 0 ? 409 : 422;

	return web_error(c, status, e->code, e->field, e->zh, e->en);
}

const char *web_verr_text(const struct web_ctx *c, const struct verr *e)
{
	return strcmp(c->lang, "en") == 0 ? e->en : e->zh;
}

json_t *web_field_error(const struct web_ctx *c, const struct verr *e)
{
	json_t *o = json_object();

	if (e && e->field && *e->field)
		json_object_set_new(o, e->field, json_string(web_verr_text(c, e)));
	return o;
}

int web_answer(struct web_ctx *c, int rc, const struct verr *e)
{
	if (rc == ERR_CONFLICT && e && e->code)
		return web_error(c, 409, e->code, e->field, e->zh, e->en);
	if (rc == ERR_INVALID && e && e->code)
		return web_verr(c, e);
	return web_fail(c, rc);
}

int web_answer_why(struct web_ctx *c, int rc, const struct verr *e)
{
	if (rc == ERR_FORBIDDEN && e && e->code)
		return web_error(c, 403, e->code, e->field, e->zh, e->en);
	return web_answer(c, rc, e);
}

int web_need_signin(struct web_ctx *c)
{
	char loc[600];

	if (c->api)
		return web_error_key(c, 401, "unauthorized");
	snprintf(loc, sizeof(loc), "/login?next=%s",
		 c->req->method == HTTP_GET && strlen(c->req->path) < 500 ? c->req->path : "/");
	return web_redirect(c, loc);
}

int web_fail(struct web_ctx *c, int rc)
{
	switch (rc) {
	case ERR_AUTH:
		/* the caller is signed in (the credentials expired or changed under them):
		 * the same answer as for anyone else without a valid sign-in */
		return web_need_signin(c);
	case ERR_NOT_FOUND:
		return web_error_key(c, 404, "not_found");
	case ERR_FORBIDDEN:
		return web_error_key(c, 403, "forbidden");
	case ERR_CONFLICT:
		return web_error_key(c, 409, "conflict");
	case ERR_TOO_BIG:
		return web_error_key(c, 413, "payload_too_large");
	default:
		log_error("web: %s %s failed: %s", c->req->method_name, c->req->path, err_name(rc));
		return web_error_key(c, 500, "internal");
	}
}

json_t *web_time_json(int64_t t)
{
	char iso[26];

	if (!t)
		return json_null();
	time_local(t, iso);
	return json_string(iso);
}

json_t *web_me_json(const struct web_ctx *c)
{
	const struct actor *a = &c->actor;

	return json_pack("{so so ss}", "user", user_to_json(&a->user), "org", org_to_json(&a->org),
			 "role", a->user.role);
}

int web_render(struct web_ctx *c, int status, const char *name, json_t *data)
{
	json_t *ctx = data ? data : json_object();
	bool en = strcmp(c->lang, "en") == 0;
	int rc;

	json_object_set(ctx, "t", (json_t *)view_catalog(c->lang));
	json_object_set_new(ctx, "lang", json_string(en ? "en" : "zh-CN"));
	json_object_set_new(ctx, "lang_en", json_boolean(en));
	json_object_set_new(ctx, "other_lang", json_string(en ? "zh" : "en"));
	json_object_set_new(ctx, "path", json_string(c->req->path));
	if (c->actor.via != AUTH_NONE) {
		json_t *me = web_me_json(c);
		int64_t unread = 0;

		json_object_set_new(me, "is_admin", json_boolean(c->actor.role == ROLE_ADMIN));
		json_object_set_new(me, "is_organizer",
				    json_boolean(c->actor.role >= ROLE_ORGANIZER));
		/* the unread count of the header: one indexed COUNT (notification_unread) */
		if (c->db && notify_unread(c->db, &c->actor, &unread) == ERR_OK) {
			json_object_set_new(me, "unread", json_integer((json_int_t)unread));
			json_object_set_new(me, "has_unread", json_boolean(unread > 0));
		}
		json_object_set_new(me, "is_leader", json_boolean(c->actor.role == ROLE_LEADER));
		json_object_set_new(ctx, "me", me);
		json_object_set_new(ctx, "csrf", json_string(c->actor.csrf));
	} else if (c->anon_csrf[0]) {
		json_object_set_new(ctx, "csrf", json_string(c->anon_csrf));
	}
	c->resp->status = status;
	c->resp->content_type = html_type;
	rc = view_render(name, ctx, &c->resp->body);
	json_decref(ctx);
	if (rc) {
		buf_reset(&c->resp->body);
		c->resp->status = 500;
		c->resp->content_type = "text/plain; charset=utf-8";
		if (buf_puts(&c->resp->body, "500 服务器内部错误 / Internal Server Error\n"))
			return 0;
	}
	security_headers(c);
	return 0;
}

int web_redirect(struct web_ctx *c, const char *location)
{
	/* only local paths: "/x" but never "//host" or "/\host" */
	if (location[0] != '/' || location[1] == '/' || location[1] == '\\')
		location = "/";
	c->resp->status = 303;
	if (http_resp_header(c->resp, "Location", location))
		log_warn("web: too many headers");
	return 0;
}

int web_set_cookie(struct web_ctx *c, const char *name, const char *value, long max_age,
		   bool http_only)
{
	char h[512];

	snprintf(h, sizeof(h), "%s=%s; Path=/; Max-Age=%ld; SameSite=Lax%s%s", name, value, max_age,
		 http_only ? "; HttpOnly" : "", web_options.secure_cookies ? "; Secure" : "");
	return http_resp_header(c->resp, "Set-Cookie", h);
}

int web_no_content(struct web_ctx *c)
{
	c->resp->status = 204;
	return 0;
}

int64_t web_id(struct web_ctx *c, const char *name)
{
	const char *s = http_param(c->req, name);
	int64_t v;

	if (!s || num_parse(s, strlen(s), 1, INT64_MAX, &v))
		return 0;
	return v;
}

const char *web_field(struct web_ctx *c, const char *name, bool *bad)
{
	const struct http_param *f;
	json_t *v;

	if (c->json) {
		v = json_object_get(c->json, name);
		if (!v || json_is_null(v))
			return NULL;
		if (!json_is_string(v)) {
			if (bad)
				*bad = true;
			return NULL;
		}
		return json_string_value(v);
	}
	f = form_get(&c->form, name);
	return f ? f->value : NULL;
}

int web_page(struct web_ctx *c, int *limit, int64_t *after)
{
	const char *l = http_query(c->req, "limit");
	const char *cur = http_query(c->req, "cursor");
	int64_t v;

	*limit = 50;
	*after = 0;
	if (l) {
		if (num_parse(l, strlen(l), 1, 500, &v))
			return web_error(c, 400, "invalid", "limit", "limit 须为 1 到 500 的整数",
					 "limit must be an integer from 1 to 500"),
			       ERR_INVALID;
		*limit = (int)v;
	}
	if (cur && *cur) {
		if (num_parse(cur, strlen(cur), 0, INT64_MAX, &v))
			return web_error(c, 400, "invalid", "cursor", "cursor 无效",
					 "cursor is not valid"),
			       ERR_INVALID;
		*after = v;
	}
	return ERR_OK;
}

int web_list(struct web_ctx *c, json_t *items, int limit)
{
	json_t *next = json_null();
	char cur[24];

	if ((int)json_array_size(items) > limit) {
		json_t *last = json_array_get(items, (size_t)limit - 1);

		snprintf(cur, sizeof(cur), "%lld",
			 (long long)json_integer_value(json_object_get(last, "id")));
		next = json_string(cur);
		while ((int)json_array_size(items) > limit)
			json_array_remove(items, json_array_size(items) - 1);
	}
	return web_json(c, 200, json_pack("{so so}", "items", items, "next", next));
}

struct web_ctx *web_defer(struct web_ctx *c)
{
	struct web_ctx *later = calloc(1, sizeof(*later));
	struct http_deferred *d;

	if (!later)
		return NULL;
	d = http_defer(c->req, c->resp);
	if (!d) {
		free(later);
		return NULL;
	}
	later->req = c->req;
	later->resp = http_deferred_resp(d);
	later->route = c->route;
	later->actor = c->actor;
	later->lang = c->lang;
	later->api = c->api;
	memcpy(later->anon_csrf, c->anon_csrf, sizeof(later->anon_csrf));
	later->deferred = d;
	c->deferred = d;
	return later;
}

void web_deferred_send(struct web_ctx *later)
{
	http_deferred_answer(later->deferred);
	free(later);
}

int web_begin(struct web_ctx *c)
{
	return store_begin(c->db);
}

int web_finish(struct web_ctx *c, int rc)
{
	if (rc == ERR_OK)
		rc = store_commit(c->db);
	if (rc)
		store_rollback(c->db);
	return rc;
}

int web_int_field(struct web_ctx *c, const char *name, int64_t *out, bool *present)
{
	const char *s;
	json_t *v;

	*present = false;
	if (c->json) {
		v = json_object_get(c->json, name);
		if (!v || json_is_null(v))
			return ERR_OK;
		*present = true;
		if (json_is_integer(v)) {
			*out = json_integer_value(v);
			return ERR_OK;
		}
		if (!json_is_string(v))
			return ERR_INVALID;
		s = json_string_value(v);
	} else {
		const struct http_param *f = form_get(&c->form, name);

		if (!f || !f->value_len)
			return ERR_OK;
		*present = true;
		s = f->value;
	}
	return num_parse(s, strlen(s), INT64_MIN, INT64_MAX, out);
}

int web_bool_field(struct web_ctx *c, const char *name, bool *out, bool *present)
{
	const struct http_param *f;
	json_t *v;

	*present = false;
	if (c->json) {
		v = json_object_get(c->json, name);
		if (!v || json_is_null(v))
			return ERR_OK;
		*present = true;
		if (!json_is_boolean(v))
			return ERR_INVALID;
		*out = json_is_true(v);
		return ERR_OK;
	}
	f = form_get(&c->form, name);
	*present = true; /* an unchecked box sends nothing: absent means false */
	*out = f && (strcmp(f->value, "1") == 0 || strcmp(f->value, "on") == 0);
	return ERR_OK;
}

int web_list_field(struct web_ctx *c, const char *name, const char **out, size_t max, size_t *n,
		   bool *present)
{
	json_t *v, *x;
	size_t i;

	*n = 0;
	*present = false;
	if (c->json) {
		v = json_object_get(c->json, name);
		if (!v || json_is_null(v))
			return ERR_OK;
		*present = true;
		if (!json_is_array(v))
			return ERR_INVALID;
		json_array_foreach(v, i, x)
		{
			if (!json_is_string(x))
				return ERR_INVALID;
			if (*n == max)
				return ERR_TOO_BIG;
			out[(*n)++] = json_string_value(x);
		}
		return ERR_OK;
	}
	for (i = 0; i < c->form.n; i++) {
		if (strcmp(c->form.items[i].name, name) != 0)
			continue;
		*present = true;
		if (!c->form.items[i].value_len)
			continue;
		if (*n == max)
			return ERR_TOO_BIG;
		out[(*n)++] = c->form.items[i].value;
	}
	/* a form says "the list is empty" with a hidden marker field name + "_present" */
	if (!*present) {
		char marker[64];

		snprintf(marker, sizeof(marker), "%s_present", name);
		*present = form_get(&c->form, marker) != NULL;
	}
	return ERR_OK;
}

int web_id_list_field(struct web_ctx *c, const char *name, int64_t *out, size_t max, size_t *n,
		      bool *present)
{
	json_t *v, *x;
	size_t i;

	*n = 0;
	*present = false;
	if (c->json) {
		v = json_object_get(c->json, name);
		if (!v || json_is_null(v))
			return ERR_OK;
		*present = true;
		if (!json_is_array(v))
			return ERR_INVALID;
		json_array_foreach(v, i, x)
		{
			if (!json_is_integer(x) || json_integer_value(x) <= 0)
				return ERR_INVALID;
			if (*n == max)
				return ERR_TOO_BIG;
			out[(*n)++] = json_integer_value(x);
		}
		return ERR_OK;
	}
	{
		const char *vals[256];
		size_t k, m;
		int rc = web_list_field(c, name, vals, max < 256 ? max : 256, &m, present);

		if (rc)
			return rc;
		for (k = 0; k < m; k++) {
			int64_t id;

			if (num_parse(vals[k], strlen(vals[k]), 1, INT64_MAX, &id))
				return ERR_INVALID;
			out[(*n)++] = id;
		}
	}
	return ERR_OK;
}

/* The form fields that carry a list (checkboxes, multiple selects): the only fields a page
 * form may send more than once. */
static const char *const form_lists[] = {
    "formats",	      "linked_org_ids", "proposer_ids",	  "sources",
    "suggestion_ids", "session_ids",	"co_handler_ids", "cosigners",
};

int web_form_check(struct web_ctx *c, struct verr *e)
{
	size_t i, j, k;

	if (c->json)
		return ERR_OK; /* a JSON body with a member twice never reaches a handler */
	for (i = 1; i < c->form.n; i++) {
		const char *name = c->form.items[i].name;

		for (k = 0; k < ARRAY_LEN(form_lists) && strcmp(form_lists[k], name) != 0; k++)
			;
		if (k < ARRAY_LEN(form_lists))
			continue;
		for (j = 0; j < i; j++)
			if (strcmp(c->form.items[j].name, name) == 0)
				return verr_set(e, "duplicate_field", name, "%s：%s", "%s: %s",
						view_text("zh", "err_duplicate_form_field"), name,
						view_text("en", "err_duplicate_form_field"), name);
	}
	return ERR_OK;
}

int web_anon_csrf(struct web_ctx *c)
{
	const char *cookie = http_cookie(c->req, "sl_csrf");

	if (c->actor.via != AUTH_NONE)
		return ERR_OK;
	if (cookie && strlen(cookie) == 64) {
		snprintf(c->anon_csrf, sizeof(c->anon_csrf), "%s", cookie);
		return ERR_OK;
	}
	rand_token(32, c->anon_csrf);
	return web_set_cookie(c, "sl_csrf", c->anon_csrf, 86400, true);
}
