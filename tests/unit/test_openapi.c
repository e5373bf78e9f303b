/*
 * test_openapi.c - the OpenAPI document made from the route table: every /api/v1 route of
 * the product is in it with each of its methods, the document has the shape of OpenAPI 3.1
 * (openapi, info, paths; every operation has responses, request bodies closed to undeclared
 * members), and the route check refuses an API route that takes a body without declaring
 * its fields, so a new route cannot be left out of the document or of the validation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/router.h"
#include "web/openapi.h"
#include "web/web.h"

static int h_dummy(struct web_ctx *c)
{
	(void)c;
	return 0;
}

static const char *const method_names[] = {"get", "post", "put", "patch", "delete"};
static const unsigned method_bits[] = {HTTP_GET, HTTP_POST, HTTP_PUT, HTTP_PATCH, HTTP_DELETE};

static json_t *product_document(void)
{
	json_t *doc = openapi_document(web_routes, web_nroutes);

	assert_non_null(doc);
	return doc;
}

/* Every /api/v1 route that src/web serves is in the document, with each of its methods. */
static void test_every_api_route_listed(void **state)
{
	json_t *doc = product_document(), *paths = json_object_get(doc, "paths");
	size_t i, k, nops = 0, napi = 0;
	(void)state;

	assert_true(json_is_object(paths));
	for (i = 0; i < web_nroutes; i++) {
		const struct route *r = &web_routes[i];
		json_t *item;

		if (strncmp(r->pattern, "/api/v1/", 8) != 0)
			continue;
		napi++;
		item = json_object_get(paths, r->pattern);
		if (!item)
			fail_msg("route %s is not in the document", r->pattern);
		for (k = 0; k < sizeof(method_bits) / sizeof(method_bits[0]); k++)
			if ((r->methods & method_bits[k]) &&
			    !json_object_get(item, method_names[k]))
				fail_msg("%s %s is not in the document", method_names[k],
					 r->pattern);
	}
	assert_true(napi > 50);
	assert_non_null(json_object_get(paths, "/api/v1/openapi.json"));
	/* and nothing else: no page route, no path that is not served */
	{
		const char *path;
		json_t *item;

		json_object_foreach(paths, path, item)
		{
			bool found = false;

			assert_int_equal(strncmp(path, "/api/v1/", 8), 0);
			for (i = 0; i < web_nroutes && !found; i++)
				found = strcmp(web_routes[i].pattern, path) == 0;
			if (!found)
				fail_msg("%s is in the document but not served", path);
			nops += json_object_size(item);
		}
	}
	assert_true(nops >= napi);
	json_decref(doc);
}

/* check_operation checks the OpenAPI 3.1 shape of one operation. */
static void check_operation(const char *path, const char *method, json_t *op)
{
	json_t *responses = json_object_get(op, "responses"), *v, *sec;
	const char *code, *access = json_string_value(json_object_get(op, "x-access"));
	bool success = false;
	size_t i;

	if (!json_is_object(responses) || json_object_size(responses) == 0)
		fail_msg("%s %s has no responses", method, path);
	json_object_foreach(responses, code, v)
	{
		if (strlen(code) != 3 || code[0] < '1' || code[0] > '5')
			fail_msg("%s %s: response %s is not a status code", method, path, code);
		if (!json_is_string(json_object_get(v, "description")))
			fail_msg("%s %s: response %s has no description", method, path, code);
		if (code[0] == '2')
			success = true;
		if (code[0] == '4')
			assert_string_equal(
			    json_string_value(json_object_get(
				json_object_get(json_object_get(json_object_get(v, "content"),
								"application/json"),
						"schema"),
				"$ref")),
			    "#/components/schemas/Error");
	}
	if (!success)
		fail_msg("%s %s has no success response", method, path);
	if (!json_is_string(json_object_get(op, "summary")) ||
	    !json_is_string(json_object_get(op, "operationId")))
		fail_msg("%s %s has no summary or operationId", method, path);
	if (!access || (strcmp(access, "public") != 0 && strcmp(access, "signed_in") != 0 &&
			strcmp(access, "organizer") != 0 && strcmp(access, "admin") != 0))
		fail_msg("%s %s has no x-access", method, path);
	sec = json_object_get(op, "security");
	assert_true(json_is_array(sec) && json_array_size(sec) >= 2);
	/* public operations may be called without credentials: an empty requirement */
	assert_int_equal(json_object_size(json_array_get(sec, 0)) == 0,
			 strcmp(access, "public") == 0);
	if (strcmp(access, "public") != 0 && !json_object_get(responses, "401"))
		fail_msg("%s %s needs a sign-in but has no 401", method, path);
	if (strchr(path, '{') && !json_object_get(responses, "404"))
		fail_msg("%s %s has a path parameter but no 404", method, path);
	json_array_foreach(json_object_get(op, "parameters"), i, v)
	{
		const char *in = json_string_value(json_object_get(v, "in"));

		assert_non_null(json_string_value(json_object_get(v, "name")));
		assert_true(in && (strcmp(in, "path") == 0 || strcmp(in, "query") == 0));
		assert_true(json_is_object(json_object_get(v, "schema")));
	}
	v = json_object_get(op, "requestBody");
	if (strcmp(method, "post") == 0 || strcmp(method, "put") == 0 ||
	    strcmp(method, "patch") == 0) {
		json_t *content;

		if (!v)
			fail_msg("%s %s takes a body but has no requestBody", method, path);
		content = json_object_get(v, "content");
		/* one media type; a raw body (a file) may be of two (CSV or XLSX) */
		assert_true(json_is_object(content) &&
			    (json_object_size(content) == 1 ||
			     (json_object_size(content) == 2 &&
			      !json_object_get(content, "application/json"))));
		v = json_object_get(json_object_get(content, "application/json"), "schema");
		if (v) {
			/* a JSON body: only the declared members */
			assert_string_equal(json_string_value(json_object_get(v, "type")),
					    "object");
			assert_true(json_is_false(json_object_get(v, "additionalProperties")));
			assert_true(json_is_object(json_object_get(v, "properties")));
			if (!json_object_get(responses, "422"))
				fail_msg("%s %s takes JSON but has no 422", method, path);
		}
	} else if (v) {
		fail_msg("%s %s has a requestBody", method, path);
	}
}

/* The document has the shape of OpenAPI 3.1. */
static void test_openapi_shape(void **state)
{
	json_t *doc = product_document(), *item, *op;
	const char *path, *method;
	char *text;
	(void)state;

	assert_string_equal(json_string_value(json_object_get(doc, "openapi")), "3.1.0");
	assert_non_null(json_string_value(json_object_get(json_object_get(doc, "info"), "title")));
	assert_non_null(
	    json_string_value(json_object_get(json_object_get(doc, "info"), "version")));
	assert_non_null(json_object_get(
	    json_object_get(json_object_get(doc, "components"), "securitySchemes"), "bearer"));
	assert_non_null(json_object_get(
	    json_object_get(json_object_get(doc, "components"), "securitySchemes"), "cookie"));
	assert_non_null(json_object_get(
	    json_object_get(json_object_get(doc, "components"), "schemas"), "Error"));
	json_object_foreach(json_object_get(doc, "paths"), path, item)
	{
		assert_int_equal(path[0], '/');
		json_object_foreach(item, method, op) check_operation(path, method, op);
	}
	/* every $ref points at a schema that exists */
	text = json_dumps(doc, JSON_COMPACT);
	assert_non_null(text);
	{
		const char *p = text;
		json_t *schemas = json_object_get(json_object_get(doc, "components"), "schemas");

		while ((p = strstr(p, "\"$ref\":\"#/components/schemas/")) != NULL) {
			char name[64];
			size_t n = 0;

			p += strlen("\"$ref\":\"#/components/schemas/");
			while (p[n] && p[n] != '"' && n + 1 < sizeof(name)) {
				name[n] = p[n];
				n++;
			}
			name[n] = '\0';
			if (!json_object_get(schemas, name))
				fail_msg("$ref to missing schema %s", name);
		}
	}
	free(text);
	json_decref(doc);
}

/* A route's declared body members and query parameters reach the document. */
static void test_declared_fields_documented(void **state)
{
	json_t *doc = product_document();
	json_t *op = json_object_get(
	    json_object_get(json_object_get(doc, "paths"), "/api/v1/topics"), "post");
	json_t *schema = json_object_get(
	    json_object_get(json_object_get(json_object_get(op, "requestBody"), "content"),
			    "application/json"),
	    "schema");
	json_t *props = json_object_get(schema, "properties"), *params;
	bool limit = false;
	size_t i;
	json_t *p;
	(void)state;

	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(props, "title"), "type")), "string");
	/* plan_year: an integer (null clears it) of its range */
	assert_string_equal(json_string_value(json_array_get(
				json_object_get(json_object_get(props, "plan_year"), "type"), 0)),
			    "integer");
	/* the limits the dispatcher enforces (issue 10, item 11) */
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(props, "plan_year"), "minimum")),
	    2000);
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(props, "plan_year"), "maximum")),
	    2100);
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(props, "title"), "maxLength")), 200);
	assert_true(json_is_true(json_object_get(json_object_get(props, "title"), "x-nonblank")));
	assert_null(json_object_get(json_object_get(props, "description"), "x-nonblank"));
	/* members propose topics too (issue 11); the model decides who may */
	assert_string_equal(json_string_value(json_object_get(op, "x-access")), "signed_in");
	/* the list's query parameters */
	params = json_object_get(
	    json_object_get(json_object_get(json_object_get(doc, "paths"), "/api/v1/topics"),
			    "get"),
	    "parameters");
	json_array_foreach(params, i, p)
	{
		if (strcmp(json_string_value(json_object_get(p, "name")), "limit") == 0) {
			limit = true;
			assert_string_equal(json_string_value(json_object_get(p, "in")), "query");
		}
	}
	assert_true(limit);
	/* a path parameter */
	params = json_object_get(
	    json_object_get(json_object_get(json_object_get(doc, "paths"), "/api/v1/sessions/{id}"),
			    "patch"),
	    "parameters");
	p = json_array_get(params, 0);
	assert_string_equal(json_string_value(json_object_get(p, "name")), "id");
	assert_string_equal(json_string_value(json_object_get(p, "in")), "path");
	assert_true(json_is_true(json_object_get(p, "required")));
	/* the raw CSV import */
	op = json_object_get(
	    json_object_get(json_object_get(doc, "paths"), "/api/v1/people/import"), "post");
	assert_non_null(json_object_get(
	    json_object_get(json_object_get(op, "requestBody"), "content"), "text/csv"));
	json_decref(doc);
}

static const struct field_decl some_fields[] = {
    {"title", FIELD_STRING, FIELD_REQUIRED, "a title", NULL, 200, 0, 0},
    {"limit", FIELD_INTEGER, FIELD_QUERY, "page size", NULL, 0, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0, 0},
};
static const struct route_doc doc_with_fields = {.summary = "make one",
						 .fields = some_fields,
						 .status = 201,
						 .reply = REPLY_OBJECT,
						 .entity = "thing"};
static const struct route_doc doc_without_fields = {
    .summary = "make one", .status = 201, .reply = REPLY_OBJECT, .entity = "thing"};
static const struct route_doc doc_no_summary = {
    .fields = some_fields, .status = 200, .reply = REPLY_OBJECT, .entity = "thing"};
static const struct route_doc doc_raw = {.summary = "import",
					 .raw_media = "text/csv",
					 .status = 200,
					 .reply = REPLY_OBJECT,
					 .entity = "result"};

/* An API route that takes a body must declare its fields; so a new route cannot be left
 * undeclared (web_start refuses such a table, the server does not start). */
static void test_check_refuses_undeclared_body(void **state)
{
	const struct route good[] = {
	    {HTTP_GET, "/api/v1/things", 1, h_dummy, 0, &doc_without_fields},
	    {HTTP_POST, "/api/v1/things", 3, h_dummy, 0, &doc_with_fields},
	    {HTTP_POST | ROUTE_RAW_BODY, "/api/v1/things/import", 3, h_dummy, 0, &doc_raw},
	    {HTTP_POST, "/things", 3, h_dummy, 0, NULL}, /* a page: no declaration needed */
	};
	const struct route post_undeclared[] = {
	    {HTTP_GET, "/api/v1/things", 1, h_dummy, 0, &doc_without_fields},
	    {HTTP_POST, "/api/v1/things", 3, h_dummy, 0, &doc_without_fields},
	};
	const struct route patch_undeclared[] = {
	    {HTTP_PATCH, "/api/v1/things/{id}", 3, h_dummy, 0, &doc_without_fields}};
	const struct route put_no_doc[] = {{HTTP_PUT, "/api/v1/things/{id}", 3, h_dummy, 0, NULL}};
	const struct route get_no_doc[] = {{HTTP_GET, "/api/v1/things", 1, h_dummy, 0, NULL}};
	const struct route no_summary[] = {
	    {HTTP_POST, "/api/v1/things", 3, h_dummy, 0, &doc_no_summary}};
	const struct route raw_no_media[] = {
	    {HTTP_POST | ROUTE_RAW_BODY, "/api/v1/things", 3, h_dummy, 0, &doc_without_fields}};
	(void)state;

	assert_int_equal(router_check(good, 4, "/api/"), -1);
	assert_int_equal(router_check(post_undeclared, 2, "/api/"), 1);
	assert_int_equal(router_check(patch_undeclared, 1, "/api/"), 0);
	assert_int_equal(router_check(put_no_doc, 1, "/api/"), 0);
	assert_int_equal(router_check(get_no_doc, 1, "/api/"), 0);
	assert_int_equal(router_check(no_summary, 1, "/api/"), 0);
	assert_int_equal(router_check(raw_no_media, 1, "/api/"), 0);
	/* the product's own table passes */
	assert_int_equal(router_check(web_routes, web_nroutes, "/api/"), -1);
}

/* router_field finds body members and query parameters apart. */
static void test_router_field(void **state)
{
	const struct route r = {HTTP_POST, "/api/v1/things", 3, h_dummy, 0, &doc_with_fields};
	const struct route none = {HTTP_POST, "/things", 3, h_dummy, 0, NULL};
	(void)state;

	assert_ptr_equal(router_field(&r, "title", 0), &some_fields[0]);
	assert_null(router_field(&r, "title", 1));
	assert_ptr_equal(router_field(&r, "limit", 1), &some_fields[1]);
	assert_null(router_field(&r, "limit", 0));
	assert_null(router_field(&r, "nope", 0));
	assert_null(router_field(&none, "title", 0));
	assert_true(router_takes_body(&r));
	{
		const struct route get = {HTTP_GET, "/api/v1/things", 1, h_dummy, 0, NULL};
		const struct route raw = {HTTP_POST | ROUTE_RAW_BODY, "/x", 3, h_dummy, 0, NULL};

		assert_false(router_takes_body(&get));
		assert_false(router_takes_body(&raw));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_api_route_listed),
	    cmocka_unit_test(test_openapi_shape),
	    cmocka_unit_test(test_declared_fields_documented),
	    cmocka_unit_test(test_check_refuses_undeclared_body),
	    cmocka_unit_test(test_router_field),
	};

	return cmocka_run_group_tests_name("openapi", tests, NULL, NULL);
}
