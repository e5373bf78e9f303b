/*
 * router.h - the route table and its matching.
 *
 * Each route declares its methods, its path pattern, who may call it (access, defined by
 * the web layer; 0 means "not declared" and is refused by router_check), its body limit, its
 * handler and, for an API route, its declaration (struct route_doc): a one-line summary, the
 * input fields it reads (body members and query parameters, with their types) and the shape
 * of its answer. The one declaration serves three readers: the dispatcher refuses a JSON
 * body with a member the route does not declare, the OpenAPI document is made from it, and
 * router_check refuses an API route that takes a body without declaring its fields, so a
 * new route cannot be left out of either.
 *
 * Patterns are literal segments and "{name}" segments, a parameter segment may end in a
 * literal suffix ("{id}.pdf"). The http layer never looks inside struct web_ctx: handlers
 * are only stored and returned.
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

/* The type of a declared input field, as the handler reads it. */
enum field_type {
	FIELD_STRING = 1, /* text */
	FIELD_INTEGER,	  /* an integer (JSON integer, or its decimal text) */
	FIELD_BOOLEAN,	  /* true/false */
	FIELD_TIME,	  /* text: a date YYYY-MM-DD or an ISO 8601 time */
	FIELD_STRINGS,	  /* an array of strings */
	FIELD_IDS,	  /* an array of positive integer ids */
	FIELD_OBJECTS,	  /* an array of objects whose members field_decl.members declares */
	FIELD_OBJECT,	  /* one JSON object whose members the handler (the model) checks */
};

/* Flags of a declared field. */
#define FIELD_REQUIRED 1u  /* the handler refuses a request without it */
#define FIELD_NULLABLE 2u  /* JSON null is accepted (it clears the value) */
#define FIELD_QUERY    4u  /* a query parameter (?name=), not a member of the body */
#define FIELD_NONBLANK 8u  /* text: when given, holds more than white space (a title, a name) */
#define FIELD_NONEMPTY 16u /* a list: when given, holds at least one item */
#define FIELD_RANGE    32u /* an integer: from field_decl.min to field_decl.max */

/* One input field of a route. A list of them ends with an entry whose name is NULL. The
 * dispatcher checks every body member against its declaration before the handler runs (the
 * type, FIELD_NONBLANK, max_chars, FIELD_RANGE, FIELD_NONEMPTY, a FIELD_TIME that exists)
 * and the OpenAPI document shows the same limits (maxLength, minimum/maximum, minItems). */
struct field_decl {
	const char *name;
	enum field_type type;
	unsigned flags;			  /* FIELD_* */
	const char *desc;		  /* one line, English */
	const struct field_decl *members; /* FIELD_OBJECTS: the members of each object */
	size_t max_chars;		  /* FIELD_STRING: at most this many characters; 0: none */
	long long min, max;		  /* FIELD_INTEGER with FIELD_RANGE: the range */
};

/* The shape of a route's successful answer. */
enum reply_kind {
	REPLY_OBJECT = 1, /* one JSON object: the entity named by route_doc.entity */
	REPLY_LIST,	  /* {"items": [entity…], "next": cursor or null} */
	REPLY_NONE,	  /* no body (204) */
	REPLY_FILE,	  /* a file; route_doc.entity is its media type */
	REPLY_EVENTS,	  /* a stream of server-sent events (text/event-stream) */
	REPLY_LIST_TOTAL, /* REPLY_LIST with "total": how many the whole list holds, when kept */
};

/* route_doc declares an API route: what it does, what it reads, what it answers. */
struct route_doc {
	const char *summary;		 /* one line, English */
	const char *summary_zh;		 /* the same in Chinese, or NULL */
	const struct field_decl *fields; /* ends with {NULL}; NULL: reads no input at all */
	int status;			 /* the success status: 200, 201, 204 */
	enum reply_kind reply;
	const char *entity;	   /* REPLY_OBJECT/LIST: the entity ("topic"); FILE: media type */
	const char *raw_media;	   /* ROUTE_RAW_BODY routes: the media type of the body sent */
	const char *raw_media_alt; /* ... and another one it may be instead, or NULL */
};

struct route {
	unsigned methods;    /* mask of enum http_method, and ROUTE_RAW_BODY */
	const char *pattern; /* "/api/v1/orgs/{id}" */
	int access;	     /* who may call it; 0 = undeclared (refused) */
	int (*handler)(struct web_ctx *c);
	size_t max_body;	     /* 0 = HTTP_BODY_LIMIT */
	const struct route_doc *doc; /* the declaration; NULL for pages (not an API) */
};

/* router_match finds the route for method and path in table[0..n). On a match it fills
 * req->params and returns the route. Otherwise returns NULL and sets *allowed to the mask
 * of methods that would match the path (0: no such path -> 404; else -> 405). */
const struct route *router_match(const struct route *table, size_t n, enum http_method method,
				 const char *path, struct http_req *req, unsigned *allowed);

/* router_takes_body reports whether route r reads a parsed request body: a POST, PUT or
 * PATCH route that is not ROUTE_RAW_BODY. */
int router_takes_body(const struct route *r);

/* router_field finds the declared field name of route r: a body member (query false) or a
 * query parameter (query true). NULL when r declares no such field. */
const struct field_decl *router_field(const struct route *r, const char *name, int query);

/* router_check returns the index of the first route without a declared access or with a
 * malformed pattern, or -1 if all are well formed. Routes whose pattern starts with
 * doc_prefix (e.g. "/api/"; NULL: none) must also carry a declaration with a summary and a
 * reply shape, and, when they take a body (router_takes_body), their field list; a
 * ROUTE_RAW_BODY route declares the media type of its body instead. */
int router_check(const struct route *table, size_t n, const char *doc_prefix);

#endif
