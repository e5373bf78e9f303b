/*
 * openapi.c - the OpenAPI 3.1 document, made from the route table (see openapi.h).
 *
 * Nothing here is written by hand per route: an operation's method and path come from the
 * route, who may call it from its access, its parameters and request body from its declared
 * fields (the same list the dispatcher validates bodies against, hence additionalProperties
 * false), its success answer from the declared reply shape, and its error answers from what
 * the dispatcher and the handlers' shared mapping (web_answer) can answer for such a route.
 */
#include "web/openapi.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "web.h"

#ifndef SHENLIAO_VERSION
#define SHENLIAO_VERSION "0.0.0"
#endif

#define SCHEMA_REF "#/components/schemas/"

static const char *access_name(int access)
{
	switch (access) {
	case ACCESS_PUBLIC:
		return "public";
	case ACCESS_SIGNED_IN:
		return "signed_in";
	case ACCESS_ORGANIZER:
		return "organizer";
	case ACCESS_ADMIN:
		return "admin";
	default:
		return "undeclared";
	}
}

/* ref returns {"$ref": "#/components/schemas/<name>"}. */
static json_t *ref(const char *name)
{
	char buf[128];

	snprintf(buf, sizeof(buf), SCHEMA_REF "%s", name);
	return json_pack("{ss}", "$ref", buf);
}

static json_t *type_of(const char *type, bool nullable)
{
	return nullable ? json_pack("[ss]", type, "null") : json_string(type);
}

static json_t *object_schema(const struct field_decl *fields, bool closed);

/* field_schema is the JSON Schema of one declared field. */
static json_t *field_schema(const struct field_decl *f)
{
	bool nul = (f->flags & FIELD_NULLABLE) != 0;
	json_t *s;

	switch (f->type) {
	case FIELD_INTEGER:
		s = json_pack("{so}", "type", type_of("integer", nul));
		break;
	case FIELD_BOOLEAN:
		s = json_pack("{so}", "type", type_of("boolean", nul));
		break;
	case FIELD_STRINGS:
		s = json_pack("{so s{ss}}", "type", type_of("array", nul), "items", "type",
			      "string");
		break;
	case FIELD_IDS:
		s = json_pack("{so s{ss si}}", "type", type_of("array", nul), "items", "type",
			      "integer", "minimum", 1);
		break;
	case FIELD_OBJECTS:
		s = json_pack("{so so}", "type", type_of("array", nul), "items",
			      object_schema(f->members, false));
		break;
	case FIELD_OBJECT:
		s = json_pack("{so sb}", "type", type_of("object", nul), "additionalProperties", 1);
		break;
	case FIELD_TIME:
		/* a date, a time, or "" (clears it); the dispatcher refuses one that does not
		 * exist (2026-02-30) */
		s = json_pack("{so s[{ss}{ss}{si}]}", "type", type_of("string", nul), "anyOf",
			      "format", "date", "format", "date-time", "maxLength", 0);
		break;
	case FIELD_STRING:
	default:
		s = json_pack("{so}", "type", type_of("string", nul));
		break;
	}
	if (s && f->max_chars)
		json_object_set_new(s, "maxLength", json_integer((json_int_t)f->max_chars));
	if (s && (f->flags & FIELD_NONBLANK)) {
		/* more than white space: JSON Schema cannot say it, the extension does */
		json_object_set_new(s, "minLength", json_integer(1));
		json_object_set_new(s, "x-nonblank", json_true());
	}
	if (s && (f->flags & FIELD_RANGE)) {
		json_object_set_new(s, "minimum", json_integer((json_int_t)f->min));
		json_object_set_new(s, "maximum", json_integer((json_int_t)f->max));
	}
	if (s && (f->flags & FIELD_NONEMPTY))
		json_object_set_new(s, "minItems", json_integer(1));
	if (s && f->desc)
		json_object_set_new(s, "description", json_string(f->desc));
	return s;
}

/* object_schema is the schema of an object with the body members of fields; closed: no
 * other member is accepted (what the dispatcher enforces on top-level bodies). */
static json_t *object_schema(const struct field_decl *fields, bool closed)
{
	json_t *props = json_object(), *req = json_array();
	json_t *s = json_pack("{ss}", "type", "object");
	const struct field_decl *f;

	for (f = fields; f && f->name; f++) {
		if (f->flags & FIELD_QUERY)
			continue;
		json_object_set_new(props, f->name, field_schema(f));
		if (f->flags & FIELD_REQUIRED)
			json_array_append_new(req, json_string(f->name));
	}
	json_object_set_new(s, "properties", props);
	if (json_array_size(req))
		json_object_set_new(s, "required", req);
	else
		json_decref(req);
	if (closed)
		json_object_set_new(s, "additionalProperties", json_false());
	return s;
}

/* any_required reports whether fields declare a required body member. */
static bool any_required(const struct field_decl *fields)
{
	const struct field_decl *f;

	for (f = fields; f && f->name; f++)
		if (!(f->flags & FIELD_QUERY) && (f->flags & FIELD_REQUIRED))
			return true;
	return false;
}

/* parameters lists the path parameters of r ("{id}" and the like) and its declared query
 * parameters. */
static json_t *parameters(const struct route *r)
{
	json_t *a = json_array();
	const struct field_decl *f;
	const char *p = r->pattern;

	while ((p = strchr(p, '{')) != NULL) {
		const char *close = strchr(p, '}');
		char name[64];
		size_t n;

		if (!close)
			break;
		n = (size_t)(close - p - 1) < sizeof(name) ? (size_t)(close - p - 1)
							   : sizeof(name) - 1;
		memcpy(name, p + 1, n);
		name[n] = '\0';
		json_array_append_new(
		    a,
		    json_pack("{ss ss sb so}", "name", name, "in", "path", "required", 1, "schema",
			      strcmp(name, "id") == 0
				  ? json_pack("{ss si}", "type", "integer", "minimum", 1)
				  : json_pack("{ss}", "type", "string")));
		p = close + 1;
	}
	for (f = r->doc->fields; f && f->name; f++) {
		json_t *s;

		if (!(f->flags & FIELD_QUERY))
			continue;
		s = field_schema(f);
		json_object_del(s, "description");
		json_array_append_new(a,
				      json_pack("{ss ss sb ss so}", "name", f->name, "in", "query",
						"required", (f->flags & FIELD_REQUIRED) != 0,
						"description", f->desc, "schema", s));
	}
	return a;
}

static json_t *error_response(const char *description)
{
	return json_pack("{ss s{s{so}}}", "description", description, "content", "application/json",
			 "schema", ref("Error"));
}

/* success_response is the declared answer of r. */
static json_t *success_response(const struct route_doc *d)
{
	json_t *schema;

	switch (d->reply) {
	case REPLY_NONE:
		return json_pack("{ss}", "description", "done; no body");
	case REPLY_FILE:
		return json_pack("{ss s{s{s{ss}}}}", "description", "the file", "content",
				 d->entity, "schema", "type", "string");
	case REPLY_EVENTS:
		return json_pack("{ss s{s{s{ss}}}}", "description", "server-sent events", "content",
				 "text/event-stream", "schema", "type", "string");
	case REPLY_LIST:
	case REPLY_LIST_TOTAL:
		schema = json_pack("{ss s{s{ss so} s{so ss}} s[s]}", "type", "object", "properties",
				   "items", "type", "array", "items", ref(d->entity), "next",
				   "type", type_of("string", true), "description",
				   "the cursor of the next page, or null on the last", "required",
				   "items");
		if (schema && d->reply == REPLY_LIST_TOTAL)
			json_object_set_new(
			    json_object_get(schema, "properties"), "total",
			    json_pack("{ss ss}", "type", "integer", "description",
				      "how many the whole list holds (kept by the database, not "
				      "counted per request); only where such a count is kept"));
		break;
	case REPLY_OBJECT:
	default:
		schema = ref(d->entity);
		break;
	}
	return json_pack("{ss s{s{so}}}", "description", d->summary, "content", "application/json",
			 "schema", schema);
}

static bool has_path_params(const struct route *r)
{
	return strchr(r->pattern, '{') != NULL;
}

static bool has_query(const struct route *r)
{
	const struct field_decl *f;

	for (f = r->doc->fields; f && f->name; f++)
		if (f->flags & FIELD_QUERY)
			return true;
	return false;
}

/* responses: the declared success, and the errors that apply to r. */
static json_t *responses(const struct route *r, bool change)
{
	const struct route_doc *d = r->doc;
	json_t *o = json_object();
	char st[8];

	snprintf(st, sizeof(st), "%d", d->status);
	json_object_set_new(o, st, success_response(d));
	if (router_takes_body(r) || has_query(r))
		json_object_set_new(o, "400",
				    error_response(router_takes_body(r)
						       ? "malformed JSON, or text that is not UTF-8"
						       : "a query parameter that is not valid"));
	if (r->access != ACCESS_PUBLIC || has_path_params(r))
		json_object_set_new(o, "401", error_response("not signed in"));
	if (r->access != ACCESS_PUBLIC || change)
		json_object_set_new(
		    o, "403",
		    error_response(change ? "signed in, but not allowed to do this (role, body, "
					    "or a missing CSRF token of a cookie sign-in)"
					  : "signed in, but not allowed to see this"));
	if (has_path_params(r))
		json_object_set_new(o, "404",
				    error_response("no such object, or not visible to the caller"));
	if (change)
		json_object_set_new(o, "409", error_response("not allowed in the current state"));
	if (router_takes_body(r) || (r->methods & ROUTE_RAW_BODY)) {
		json_object_set_new(o, "413", error_response("the body is too large"));
		json_object_set_new(o, "415",
				    error_response("the body is not of the media type "
						   "this route reads"));
	}
	if (router_takes_body(r) || (r->methods & ROUTE_RAW_BODY))
		json_object_set_new(
		    o, "422",
		    error_response(router_takes_body(r)
				       ? "a field is not valid: of the wrong type "
					 "(invalid_type), blank (blank), over its maxLength "
					 "(too_long), outside its minimum/maximum (out_of_range), "
					 "an empty list (empty), a date that does not exist "
					 "(invalid_date); or the body has a member the route does "
					 "not declare (unknown_field) or one twice "
					 "(duplicate_field); error.field names it"
				       : "the file is not valid; the problems are listed"));
	return o;
}

static json_t *security(int access)
{
	if (access == ACCESS_PUBLIC)
		return json_pack("[{} {s[]} {s[]}]", "bearer", "cookie");
	return json_pack("[{s[]} {s[]}]", "bearer", "cookie");
}

/* operation_id makes "post_api_v1_sessions_id_remarks" of a method and pattern. */
static void operation_id(const char *method, const char *pattern, char *out, size_t cap)
{
	size_t n = 0;
	const char *p;

	n = (size_t)snprintf(out, cap, "%s", method);
	for (p = pattern; *p && n + 1 < cap; p++) {
		if (isalnum((unsigned char)*p))
			out[n++] = (char)tolower((unsigned char)*p);
		else if (n && out[n - 1] != '_')
			out[n++] = '_';
	}
	while (n && out[n - 1] == '_')
		n--;
	out[n] = '\0';
}

/* tag_of is the resource of a path: "/api/v1/sessions/{id}/room" -> "sessions". */
static void tag_of(const char *pattern, char *out, size_t cap)
{
	const char *p = pattern + strlen("/api/v1/");
	size_t n = 0;

	if (strncmp(pattern, "/api/v1/", 8) != 0)
		p = pattern;
	while (p[n] && p[n] != '/' && p[n] != '.' && n + 1 < cap)
		n++;
	memcpy(out, p, n);
	out[n] = '\0';
}

static const char *method_name(enum http_method m)
{
	switch (m) {
	case HTTP_POST:
		return "post";
	case HTTP_PUT:
		return "put";
	case HTTP_PATCH:
		return "patch";
	case HTTP_DELETE:
		return "delete";
	default:
		return "get";
	}
}

static json_t *operation(const struct route *r, enum http_method m)
{
	const struct route_doc *d = r->doc;
	bool change = m == HTTP_POST || m == HTTP_PUT || m == HTTP_PATCH || m == HTTP_DELETE;
	const char *mname = method_name(m);
	char id[160], tag[64];
	json_t *op, *params;

	operation_id(mname, r->pattern, id, sizeof(id));
	tag_of(r->pattern, tag, sizeof(tag));
	op = json_pack("{ss ss s[s] ss so}", "operationId", id, "summary", d->summary, "tags", tag,
		       "x-access", access_name(r->access), "security", security(r->access));
	if (d->summary_zh)
		json_object_set_new(op, "x-summary-zh", json_string(d->summary_zh));
	params = parameters(r);
	if (json_array_size(params))
		json_object_set_new(op, "parameters", params);
	else
		json_decref(params);
	if (r->methods & ROUTE_RAW_BODY) {
		json_t *body = json_pack("{sb s{s{s{ss}}}}", "required", 1, "content", d->raw_media,
					 "schema", "type", "string");

		if (d->raw_media_alt)
			json_object_set_new(json_object_get(body, "content"), d->raw_media_alt,
					    json_pack("{s{ss ss}}", "schema", "type", "string",
						      "format", "binary"));
		json_object_set_new(op, "requestBody", body);
	} else if (router_takes_body(r))
		json_object_set_new(op, "requestBody",
				    json_pack("{sb s{s{so}}}", "required", any_required(d->fields),
					      "content", "application/json", "schema",
					      object_schema(d->fields, true)));
	json_object_set_new(op, "responses", responses(r, change));
	return op;
}

/* entity_schemas adds a schema for each entity a route answers with. */
static void entity_schemas(json_t *schemas, const struct route *table, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct route_doc *d = table[i].doc;

		if (!d ||
		    (d->reply != REPLY_OBJECT && d->reply != REPLY_LIST &&
		     d->reply != REPLY_LIST_TOTAL) ||
		    !d->entity || json_object_get(schemas, d->entity))
			continue;
		json_object_set_new(schemas, d->entity,
				    json_pack("{ss ss}", "type", "object", "title", d->entity));
	}
}

json_t *openapi_document(const struct route *table, size_t n)
{
	static const enum http_method methods[] = {HTTP_GET, HTTP_POST, HTTP_PUT, HTTP_PATCH,
						   HTTP_DELETE};
	json_t *doc, *paths = json_object(), *schemas;
	size_t i, k;

	schemas = json_pack("{s{ss s[s] s{s{ss s[ss] s{s{ss} s{ss} s{s[ss]}}}}}}", "Error", "type",
			    "object", "required", "error", "properties", "error", "type", "object",
			    "required", "code", "message", "properties", "code", "type", "string",
			    "message", "type", "string", "field", "type", "string", "null");
	if (!paths || !schemas)
		goto fail;
	entity_schemas(schemas, table, n);
	for (i = 0; i < n; i++) {
		const struct route *r = &table[i];
		json_t *item;

		if (strncmp(r->pattern, "/api/", 5) != 0 || !r->doc)
			continue;
		item = json_object_get(paths, r->pattern);
		if (!item) {
			item = json_object();
			json_object_set_new(paths, r->pattern, item);
		}
		for (k = 0; k < sizeof(methods) / sizeof(methods[0]); k++) {
			if (r->methods & (unsigned)methods[k])
				json_object_set_new(item, method_name(methods[k]),
						    operation(r, methods[k]));
		}
	}
	doc = json_pack(
	    "{ss s{ss ss ss} s[{ss}] so s{s{s{ss ss ss} s{ss ss ss ss}} so}}", "openapi", "3.1.0",
	    "info", "title", "shenliao API", "version", SHENLIAO_VERSION, "description",
	    "深聊会 platform API. Bodies are JSON objects, checked against the declared fields "
	    "before anything is done: a member the route does not declare is refused with 422 "
	    "unknown_field, a member given twice with 422 duplicate_field, a member of the wrong "
	    "type (a number is never taken for text, nor text for a number), blank where "
	    "x-nonblank, over maxLength, outside minimum/maximum, or a date that does not exist "
	    "with 422 (error.field names it). x-access says who may call an operation.",
	    "servers", "url", "/", "paths", paths, "components", "securitySchemes", "bearer",
	    "type", "http", "scheme", "bearer", "description",
	    "an API token (Authorization: Bearer ...)", "cookie", "type", "apiKey", "in", "cookie",
	    "name", "sl_session", "description",
	    "the session cookie of POST /api/v1/login; changes then carry the session's CSRF "
	    "token in the X-CSRF-Token header",
	    "schemas", schemas);
	return doc;
fail:
	json_decref(paths);
	json_decref(schemas);
	return NULL;
}

/* The document never changes while the server runs: made once, sent as it is. */
static char *openapi_text;
static size_t openapi_len;

int web_openapi_init(void)
{
	json_t *doc = openapi_document(web_routes, web_nroutes);

	web_openapi_fini();
	if (!doc)
		return ERR_NOMEM;
	openapi_text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	if (!openapi_text)
		return ERR_NOMEM;
	openapi_len = strlen(openapi_text);
	return ERR_OK;
}

void web_openapi_fini(void)
{
	free(openapi_text);
	openapi_text = NULL;
	openapi_len = 0;
}

int h_api_openapi(struct web_ctx *c)
{
	if (!openapi_text)
		return web_fail(c, ERR_NOMEM);
	c->resp->status = 200;
	c->resp->content_type = "application/json; charset=utf-8";
	c->resp->static_body = openapi_text;
	c->resp->static_len = openapi_len;
	return 0;
}
