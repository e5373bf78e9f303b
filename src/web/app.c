/*
 * app.c - the dispatcher: from a request to a handler.
 *
 * Order of checks, each answering at once when it fails:
 *   1. route (404 unknown path, 405 known path with another method);
 *   2. who is calling: "Authorization: Bearer" token, else the session cookie;
 *   3. signed-in routes without a sign-in: 401 (API) or a redirect to /login (pages);
 *   4. the route's declared role (403), before anything of the body is looked at;
 *   5. body: /api/ changes must be JSON (415), well-formed (400 invalid_json), valid UTF-8
 *      (400 naming the field), each member once (422 duplicate_field naming it); page
 *      forms are urlencoded, valid UTF-8, and read leniently (helper fields such as csrf_token and
 *      *_present); routes marked ROUTE_RAW_BODY get the body as sent, for their handler to
 *      check and read;
 *   6. CSRF: a change authenticated by cookie carries the session's token (X-CSRF-Token
 *      header or csrf_token field); an anonymous form carries the double-submit cookie's
 *      token; bearer requests need none (403 csrf);
 *   7. the JSON body's members against the route's declared fields: declared (422
 *      unknown_field), of the declared type, not blank, within their limits, dates that
 *      exist (422 naming the field; check_declared);
 *   8. the handler, which authorizes what it touches before it validates the rest.
 */
#include "web.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"
#include "base/utf8.h"
#include "base/util.h"
#include "view/view.h"
#include "web/openapi.h"
#include "web/pagecache.h"

struct web_options web_options;

int web_start(void)
{
	int bad = router_check(web_routes, web_nroutes, "/api/");
	int rc;

	if (bad >= 0) {
		log_error("web: route %s has no declared access, a malformed pattern, or (an API "
			  "route) no declaration of its summary, reply or body fields",
			  web_routes[bad].pattern ? web_routes[bad].pattern : "(null)");
		return ERR_INVALID;
	}
	web_health_init();
	rc = web_openapi_init();
	if (!rc)
		rc = view_init();
	if (!rc)
		rc = web_login_start();
	if (!rc)
		rc = pagecache_init((size_t)web_options.page_cache_mb << 20);
	return rc;
}

void web_stop(void)
{
	struct pagecache_stats st;

	pagecache_stats(&st);
	if (st.max_bytes)
		log_info("pagecache: %llu hits, %llu misses, %llu not modified, %llu evicted; %zu "
			 "pages in %zu of %zu bytes",
			 (unsigned long long)st.hits, (unsigned long long)st.misses,
			 (unsigned long long)st.not_modified, (unsigned long long)st.evictions,
			 st.entries, st.bytes, st.max_bytes);
	pagecache_fini();
	web_login_stop();
	view_fini();
	web_openapi_fini();
}

size_t web_body_limit(struct http_req *req, void *ud)
{
	const struct route *r;
	unsigned allowed;
	(void)ud;

	r = router_match(web_routes, web_nroutes, req->method, req->path, req, &allowed);
	req->route = r;
	if (!r)
		return HTTP_BODY_LIMIT;
	return r->max_body ? r->max_body : HTTP_BODY_LIMIT;
}

static const char *pick_lang(struct http_req *req)
{
	const char *l = http_cookie(req, "sl_lang");
	const char *al;

	if (l && (strcmp(l, "en") == 0 || strcmp(l, "zh") == 0))
		return strcmp(l, "en") == 0 ? "en" : "zh";
	al = http_header(req, "Accept-Language");
	if (al && strncasecmp(al, "en", 2) == 0)
		return "en";
	return "zh";
}

static bool is_change(enum http_method m)
{
	return m == HTTP_POST || m == HTTP_PUT || m == HTTP_PATCH || m == HTTP_DELETE;
}

/* media_is reports whether Content-Type ct names type (parameters ignored). */
static bool media_is(const char *ct, const char *type)
{
	size_t n = strlen(type);

	return ct && strncasecmp(ct, type, n) == 0 &&
	       (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* invalid_utf8_field finds the member name whose string holds byte offset bad in the JSON
 * text p[0..n): a small scanner that tracks the last object key. */
static void invalid_utf8_field(const char *p, size_t n, size_t bad, char *out, size_t cap)
{
	size_t i = 0, start, klen;
	char last_key[64] = "";

	while (i < n && i <= bad) {
		if (p[i] != '"') {
			i++;
			continue;
		}
		start = ++i;
		while (i < n && p[i] != '"') {
			if (p[i] == '\\')
				i++;
			i++;
		}
		if (bad >= start && bad < i) {
			/* inside this string: a key names itself, a value its key */
			size_t j = i + 1;

			while (j < n &&
			       (p[j] == ' ' || p[j] == '\n' || p[j] == '\t' || p[j] == '\r'))
				j++;
			if (j < n && p[j] == ':') {
				klen = i - start < cap - 1 ? i - start : cap - 1;
				memcpy(out, p + start, klen);
				out[klen] = '\0';
				/* the key itself is not printable text; say so */
				if (!utf8_valid(out, klen))
					snprintf(out, cap, "(key)");
				return;
			}
			snprintf(out, cap, "%s", last_key);
			return;
		}
		{
			size_t j = i + 1;

			while (j < n &&
			       (p[j] == ' ' || p[j] == '\n' || p[j] == '\t' || p[j] == '\r'))
				j++;
			if (j < n && p[j] == ':') {
				klen = i - start < sizeof(last_key) - 1 ? i - start
									: sizeof(last_key) - 1;
				/* cut a long key before a character, not inside one: the name
				 * goes into the (UTF-8) error answer */
				while (klen < i - start && klen > 0 &&
				       ((unsigned char)p[start + klen] & 0xC0) == 0x80)
					klen--;
				memcpy(last_key, p + start, klen);
				last_key[klen] = '\0';
			}
		}
		i++;
	}
	snprintf(out, cap, "%s", last_key);
}

/* utf8_cut cuts s before a UTF-8 sequence that truncation left incomplete: a long member
 * name cut to fit a buffer must still be text the answer's JSON can carry. */
static void utf8_cut(char *s)
{
	size_t n = strlen(s);

	while (n && !utf8_valid(s, n))
		s[--n] = '\0';
}

/* field_error answers 422 code ("unknown_field", "duplicate_field") naming field, with the
 * catalog's message "err_<code>" followed by the name. */
static int field_error(struct web_ctx *c, const char *code, const char *field)
{
	char key[64], zh[256], en[256];

	snprintf(key, sizeof(key), "err_%s", code);
	snprintf(zh, sizeof(zh), "%s：%s", view_text("zh", key), field);
	snprintf(en, sizeof(en), "%s: %s", view_text("en", key), field);
	utf8_cut(zh);
	utf8_cut(en);
	return web_error(c, 422, code, field, zh, en);
}

/* duplicate_key finds the member name jansson refused as a duplicate: its error position is
 * just past the key's closing quote (whitespace allowed before it). Writes the key, decoded,
 * into out; "" when it cannot be found. */
static void duplicate_key(const char *p, size_t n, size_t pos, char *out, size_t cap)
{
	size_t end = pos < n ? pos : n, start;
	json_t *k;

	out[0] = '\0';
	while (end > 0 && (p[end - 1] == ' ' || p[end - 1] == '\t' || p[end - 1] == '\n' ||
			   p[end - 1] == '\r'))
		end--;
	if (end < 2 || p[end - 1] != '"')
		return;
	/* the opening quote is the first one before that is not escaped: preceded by an even
	 * number of backslashes */
	for (start = end - 1; start > 0;) {
		size_t bs = 0;

		start--;
		if (p[start] != '"')
			continue;
		while (bs < start && p[start - 1 - bs] == '\\')
			bs++;
		if (bs % 2 == 0)
			break;
	}
	if (p[start] != '"' || start == end - 1)
		return;
	k = json_loadb(p + start, end - start, JSON_DECODE_ANY, NULL);
	if (json_is_string(k))
		snprintf(out, cap, "%s", json_string_value(k));
	json_decref(k);
}

/* A fault of one body member found by check_value: the code, the catalog key of its
 * message, the member's path ("title", "authors[0].role") and, for limits, two numbers. */
struct fault {
	const char *code;
	const char *key;
	char path[128];
	long long a, b; /* too_long: limit and length; out_of_range: min and max */
};

/* member_decl finds name among the body members of list (NULL: not declared). */
static const struct field_decl *member_decl(const struct field_decl *list, const char *name)
{
	const struct field_decl *f;

	for (f = list; f && f->name; f++)
		if (!(f->flags & FIELD_QUERY) && strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

static int fault_at(struct fault *x, const char *code, const char *key)
{
	x->code = code;
	x->key = key;
	return ERR_INVALID;
}

static int check_members(const struct field_decl *list, json_t *obj, const char *prefix,
			 struct fault *x);

/* check_value checks member v of the body against its declaration f (x->path names it):
 * the JSON type the handler reads (a number is never taken for text nor text for a number),
 * text not blank where FIELD_NONBLANK and within max_chars, an integer within its
 * FIELD_RANGE, a time that exists, a list not empty where FIELD_NONEMPTY, the members of
 * objects. null is "not given" (FIELD_NULLABLE says it clears), as the readers take it. */
static int check_value(const struct field_decl *f, json_t *v, struct fault *x)
{
	char at[sizeof(x->path)];
	size_t i, n;
	json_t *it;
	int64_t t;

	if (json_is_null(v))
		return ERR_OK;
	switch (f->type) {
	case FIELD_STRING:
	case FIELD_TIME:
		if (!json_is_string(v))
			return fault_at(x, "invalid_type",
					f->type == FIELD_TIME ? "err_want_time" : "err_want_text");
		n = json_string_length(v);
		if ((f->flags & FIELD_NONBLANK) && text_blank(json_string_value(v), n))
			return fault_at(x, "required", "err_blank");
		if (f->max_chars && utf8_count(json_string_value(v), n) > f->max_chars) {
			x->a = (long long)f->max_chars;
			x->b = (long long)utf8_count(json_string_value(v), n);
			return fault_at(x, "too_long", "err_too_long");
		}
		if (f->type == FIELD_TIME && n && time_parse(json_string_value(v), &t))
			return fault_at(x, "invalid_date", "err_invalid_date");
		return ERR_OK;
	case FIELD_INTEGER:
		if (!json_is_integer(v))
			return fault_at(x, "invalid_type", "err_want_integer");
		if ((f->flags & FIELD_RANGE) &&
		    (json_integer_value(v) < f->min || json_integer_value(v) > f->max)) {
			x->a = f->min;
			x->b = f->max;
			return fault_at(x, "out_of_range", "err_out_of_range");
		}
		return ERR_OK;
	case FIELD_BOOLEAN:
		return json_is_boolean(v) ? ERR_OK
					  : fault_at(x, "invalid_type", "err_want_boolean");
	case FIELD_OBJECT:
		return json_is_object(v) ? ERR_OK : fault_at(x, "invalid_type", "err_want_object");
	case FIELD_STRINGS:
	case FIELD_IDS:
	case FIELD_OBJECTS:
		break;
	}
	if (!json_is_array(v))
		return fault_at(x, "invalid_type",
				f->type == FIELD_STRINGS ? "err_want_texts"
				: f->type == FIELD_IDS	 ? "err_want_ids"
							 : "err_want_objects");
	if ((f->flags & FIELD_NONEMPTY) && json_array_size(v) == 0)
		return fault_at(x, "empty", "err_empty_list");
	snprintf(at, sizeof(at), "%s", x->path); /* the members below overwrite x->path */
	json_array_foreach(v, i, it)
	{
		if (f->type == FIELD_STRINGS && !json_is_string(it))
			return fault_at(x, "invalid_type", "err_want_texts");
		if (f->type == FIELD_IDS && (!json_is_integer(it) || json_integer_value(it) < 1))
			return fault_at(x, "invalid_type", "err_want_ids");
		if (f->type == FIELD_OBJECTS) {
			char prefix[128];

			if (!json_is_object(it))
				return fault_at(x, "invalid_type", "err_want_objects");
			if (snprintf(prefix, sizeof(prefix), "%s[%zu].", at, i) < 0 ||
			    check_members(f->members, it, prefix, x))
				return ERR_INVALID;
		}
	}
	return ERR_OK;
}

/* check_members checks every member of obj against list: declared (else unknown_field),
 * then its value; x->path becomes prefix + the member's name. */
static int check_members(const struct field_decl *list, json_t *obj, const char *prefix,
			 struct fault *x)
{
	const struct field_decl *f;
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v)
	{
		snprintf(x->path, sizeof(x->path), "%s%s", prefix, key);
		utf8_cut(x->path);
		f = member_decl(list, key);
		if (!f)
			return fault_at(x, "unknown_field", "err_unknown_field");
		if (check_value(f, v, x))
			return ERR_INVALID;
	}
	return ERR_OK;
}

/* check_declared checks the JSON body against the route's declared fields (check_members)
 * before the handler runs, so a refused body changes nothing; answers 422 naming the
 * field. */
static int check_declared(struct web_ctx *c)
{
	struct fault x;
	char zh[400], en[400];

	if (!c->route->doc || !c->route->doc->fields)
		return ERR_OK; /* router_check makes every /api/ route that takes a body declare */
	memset(&x, 0, sizeof(x));
	if (check_members(c->route->doc->fields, c->json, "", &x) == ERR_OK)
		return ERR_OK;
	if (strcmp(x.code, "too_long") == 0) {
		snprintf(zh, sizeof(zh), "%s：%s（最多 %lld 个字符，现在 %lld 个）", x.path,
			 view_text("zh", x.key), x.a, x.b);
		snprintf(en, sizeof(en), "%s: %s (at most %lld characters, it has %lld)", x.path,
			 view_text("en", x.key), x.a, x.b);
	} else if (strcmp(x.code, "out_of_range") == 0) {
		snprintf(zh, sizeof(zh), "%s：%s（须为 %lld 到 %lld）", x.path,
			 view_text("zh", x.key), x.a, x.b);
		snprintf(en, sizeof(en), "%s: %s (must be %lld to %lld)", x.path,
			 view_text("en", x.key), x.a, x.b);
	} else if (strcmp(x.code, "unknown_field") == 0) {
		return field_error(c, "unknown_field", x.path), ERR_INVALID;
	} else {
		snprintf(zh, sizeof(zh), "%s：%s", x.path, view_text("zh", x.key));
		snprintf(en, sizeof(en), "%s: %s", x.path, view_text("en", x.key));
	}
	utf8_cut(zh);
	utf8_cut(en);
	return web_error(c, 422, x.code, x.path, zh, en), ERR_INVALID;
}

static int parse_json_body(struct web_ctx *c)
{
	struct http_req *req = c->req;
	const char *ct = http_header(req, "Content-Type");
	json_error_t jerr;
	size_t bad;

	if (req->body.n == 0 && !ct)
		return ERR_OK; /* a change with no body at all (logout, transitions without data) */
	if (!media_is(ct, "application/json"))
		return web_error(c, 415, "unsupported_media_type", NULL,
				 "请求须为 JSON（Content-Type: application/json）",
				 "the request body must be JSON (Content-Type: application/json)"),
		       ERR_INVALID;
	if (req->body.n == 0)
		return web_error(c, 400, "invalid_json", NULL, "请求体为空", "the body is empty"),
		       ERR_INVALID;
	bad = utf8_first_invalid(req->body.p, req->body.n);
	if (bad < req->body.n) {
		char field[64], zh[160], en[160];

		invalid_utf8_field(req->body.p, req->body.n, bad, field, sizeof(field));
		snprintf(zh, sizeof(zh), "字段 %s 不是有效的 UTF-8 文本", field);
		snprintf(en, sizeof(en), "field %s is not valid UTF-8", field);
		return web_error(c, 400, "invalid_utf8", field, zh, en), ERR_INVALID;
	}
	c->json = json_loadb(req->body.p, req->body.n, JSON_REJECT_DUPLICATES, &jerr);
	if (!c->json && json_error_code(&jerr) == json_error_duplicate_key) {
		char key[128];

		duplicate_key(req->body.p, req->body.n, (size_t)jerr.position, key, sizeof(key));
		return field_error(c, "duplicate_field", key[0] ? key : "?"), ERR_INVALID;
	}
	if (!c->json) {
		char zh[256], en[256];

		snprintf(zh, sizeof(zh), "JSON 格式错误（第 %d 行第 %d 列）：%s", jerr.line,
			 jerr.column, jerr.text);
		snprintf(en, sizeof(en), "malformed JSON at line %d column %d: %s", jerr.line,
			 jerr.column, jerr.text);
		return web_error(c, 400, "invalid_json", NULL, zh, en), ERR_INVALID;
	}
	if (!json_is_object(c->json))
		return web_error(c, 400, "invalid_json", NULL, "请求体须为 JSON 对象",
				 "the body must be a JSON object"),
		       ERR_INVALID;
	return ERR_OK;
}

static int parse_form_body(struct web_ctx *c)
{
	struct http_req *req = c->req;
	const char *ct = http_header(req, "Content-Type");
	size_t i;
	int rc;

	if (req->body.n == 0)
		return ERR_OK;
	if (!media_is(ct, "application/x-www-form-urlencoded"))
		return web_error_key(c, 415, "unsupported_media_type"), ERR_INVALID;
	rc = form_parse(req->body.p, req->body.n, 256, &c->form);
	if (rc)
		return web_error_key(c, 400, "bad_form"), ERR_INVALID;
	for (i = 0; i < c->form.n; i++) {
		const struct http_param *f = &c->form.items[i];

		if (!utf8_valid(f->name, strlen(f->name)) || !utf8_valid(f->value, f->value_len)) {
			char zh[160], en[160];
			const char *name = utf8_valid(f->name, strlen(f->name)) ? f->name : "?";

			snprintf(zh, sizeof(zh), "字段 %s 不是有效的 UTF-8 文本", name);
			snprintf(en, sizeof(en), "field %s is not valid UTF-8", name);
			return web_error(c, 400, "invalid_utf8", name, zh, en), ERR_INVALID;
		}
	}
	return ERR_OK;
}

static void identify(struct web_ctx *c)
{
	const char *auth = http_header(c->req, "Authorization");
	const char *cookie;

	memset(&c->actor, 0, sizeof(c->actor));
	c->actor.address = c->req->addr;
	if (auth && strncasecmp(auth, "Bearer ", 7) == 0) {
		if (auth_token_find(c->db, auth + 7, &c->actor) != ERR_OK) {
			memset(&c->actor, 0, sizeof(c->actor));
			c->actor.address = c->req->addr;
			c->actor.via = AUTH_NONE;
		}
		return;
	}
	cookie = http_cookie(c->req, "sl_session");
	if (cookie && auth_session_find(c->db, cookie, &c->actor) != ERR_OK) {
		memset(&c->actor, 0, sizeof(c->actor));
		c->actor.via = AUTH_NONE;
	}
	c->actor.address = c->req->addr;
}

bool csrf_valid(enum auth_via via, bool api, const char *token, const char *session_csrf,
		const char *cookie_token)
{
	if (via == AUTH_BEARER || via == AUTH_SYSTEM)
		return true;
	if (via == AUTH_COOKIE)
		return token && session_csrf && str_eq_ct(token, session_csrf);
	/* anonymous: JSON cannot be sent cross-site without a CORS preflight, forms can */
	if (api)
		return true;
	return token && cookie_token && str_eq_ct(token, cookie_token);
}

static bool csrf_ok(struct web_ctx *c)
{
	const char *tok = http_header(c->req, "X-CSRF-Token");
	const struct http_param *f;

	if (!tok) {
		f = form_get(&c->form, "csrf_token");
		tok = f ? f->value : NULL;
	}
	return csrf_valid(c->actor.via, c->api, tok, c->actor.csrf, http_cookie(c->req, "sl_csrf"));
}

static void run(struct web_ctx *c)
{
	struct http_req *req = c->req;
	const struct route *r;
	unsigned allowed = 0;
	char allow[64];
	const char *bad = http_query_invalid_utf8(req);

	/* every text is UTF-8 (STYLE.md), the path and the query too: pages and answers carry
	 * them, and JSON cannot */
	if (bad || !utf8_valid(req->path, strlen(req->path))) {
		char zh[160], en[160];

		if (!bad)
			bad = "path";
		snprintf(zh, sizeof(zh), "参数 %s 不是有效的 UTF-8 文本", bad);
		snprintf(en, sizeof(en), "parameter %s is not valid UTF-8", bad);
		web_error(c, 400, "invalid_utf8", bad, zh, en);
		return;
	}
	r = router_match(web_routes, web_nroutes, req->method, req->path, req, &allowed);
	if (!r) {
		if (!allowed) {
			web_error_key(c, 404, "not_found");
			return;
		}
		snprintf(
		    allow, sizeof(allow), "%s%s%s%s%s", allowed & HTTP_GET ? "GET, HEAD, " : "",
		    allowed & HTTP_POST ? "POST, " : "", allowed & HTTP_PUT ? "PUT, " : "",
		    allowed & HTTP_PATCH ? "PATCH, " : "", allowed & HTTP_DELETE ? "DELETE, " : "");
		allow[strlen(allow) > 2 ? strlen(allow) - 2 : 0] = '\0';
		if (http_resp_header(c->resp, "Allow", allow))
			log_warn("web: too many headers");
		web_error_key(c, 405, "method_not_allowed");
		return;
	}
	c->route = r;
	c->db = store_thread();
	if (!c->db) {
		web_error_key(c, 503, "unavailable");
		return;
	}
	identify(c);
	if (r->access != ACCESS_PUBLIC && c->actor.via == AUTH_NONE) {
		web_need_signin(c);
		return;
	}
	/* the declared role before the body: who may not call the route learns nothing from
	 * how its body would be refused */
	if ((r->access == ACCESS_ADMIN && c->actor.role < ROLE_ADMIN) ||
	    (r->access == ACCESS_ORGANIZER && c->actor.role < ROLE_ORGANIZER)) {
		web_error_key(c, 403, "forbidden");
		return;
	}
	if (is_change(req->method)) {
		if (!(r->methods & ROUTE_RAW_BODY) &&
		    (c->api ? parse_json_body(c) : parse_form_body(c)) != ERR_OK)
			return;
		if (!csrf_ok(c)) {
			web_error_key(c, 403, "csrf");
			return;
		}
	}
	if (c->json && check_declared(c) != ERR_OK)
		return;
	pagecache_handle(c); /* the handler, or a signed-out visitor's page kept from it */
}

void web_dispatch(struct http_req *req, struct http_resp *resp, void *ud)
{
	struct web_ctx c;
	(void)ud;

	memset(&c, 0, sizeof(c));
	c.req = req;
	c.resp = resp;
	c.lang = pick_lang(req);
	c.api = strncmp(req->path, "/api/", 5) == 0;
	run(&c);
	if (c.db)
		store_rollback(c.db); /* a handler that left a transaction open changed nothing */
	json_decref(c.json);
	form_fini(&c.form);
}
