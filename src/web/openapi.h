/*
 * openapi.h - the API described in OpenAPI 3.1, made from the route table (routes.c).
 *
 * Every route under /api/v1 carries a declaration (struct route_doc in http/router.h):
 * summary, input fields, reply shape. openapi_document turns the table into the document;
 * the server makes it once at start and serves the same text at GET /api/v1/openapi.json.
 */
#ifndef SHENLIAO_WEB_OPENAPI_H
#define SHENLIAO_WEB_OPENAPI_H

#include <jansson.h>
#include <stddef.h>

#include "base/err.h"
#include "http/router.h"

struct web_ctx;

/* openapi_document returns the OpenAPI 3.1 document of the routes of table[0..n) whose
 * pattern starts with "/api/" (new reference; NULL when out of memory). Each such route
 * must carry its declaration (router_check with "/api/" says so). Pure, thread-safe. */
json_t *openapi_document(const struct route *table, size_t n);

/* web_openapi_init makes the document of web_routes and keeps its text for h_api_openapi;
 * web_openapi_fini frees it. Called by web_start/web_stop (one thread, before/after the
 * server runs). */
int web_openapi_init(void) WARN_UNUSED;
void web_openapi_fini(void);

/* h_api_openapi answers GET /api/v1/openapi.json with the text web_openapi_init made. */
int h_api_openapi(struct web_ctx *c);

#endif
