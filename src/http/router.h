/*
 * router.h - the route table and its matching.
 *
 * Each route declares its methods, its path pattern, who may call it (access, defined by
 * the web layer; 0 means "not declared" and is refused by router_check), its body limit and
 * its handler. Patterns are literal segments and "{name}" segments, a parameter segment
 * may end in a literal suffix ("{id}.pdf"). The http layer never looks inside struct
 * web_ctx: handlers are only stored and returned.
 */
#ifndef SHENLIAO_HTTP_ROUTER_H
#define SHENLIAO_HTTP_ROUTER_H

#include <stddef.h>

#include "http/http.h"

struct web_ctx;

/* ROUTE_RAW_BODY, or'ed into a route's methods, says the route takes its request body as
 * sent (a CSV file, say): the dispatcher neither parses it (JSON, form) nor checks its media
 * type, and the handler reads req->body and answers 415 itself. A cookie sign-in then sends
 * its CSRF token in the X-CSRF-Token header. It is no method, so router_match never matches
 * a request by it. */
#define ROUTE_RAW_BODY 0x10000u

struct route {
	unsigned methods;    /* mask of enum http_method, and ROUTE_RAW_BODY */
	const char *pattern; /* "/api/v1/orgs/{id}" */
	int access;	     /* who may call it; 0 = undeclared (refused) */
	int (*handler)(struct web_ctx *c);
	size_t max_body; /* 0 = HTTP_BODY_LIMIT */
};

/* router_match finds the route for method and path in table[0..n). On a match it fills
 * req->params and returns the route. Otherwise returns NULL and sets *allowed to the mask
 * of methods that would match the path (0: no such path -> 404; else -> 405). */
const struct route *router_match(const struct route *table, size_t n, enum http_method method,
				 const char *path, struct http_req *req, unsigned *allowed);

/* router_check returns the index of the first route without a declared access or with a
 * malformed pattern, or -1 if all are well formed. */
int router_check(const struct route *table, size_t n);

#endif
