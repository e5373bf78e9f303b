/*
 * router.c - segment-wise matching of paths against route patterns (see router.h).
 */
#include "router.h"

#include <string.h>

/* seg_next returns the end of the segment starting at p (the next '/' or NUL). */
static const char *seg_end(const char *p)
{
	while (*p && *p != '/')
		p++;
	return p;
}

/* match_one matches path against pattern, filling params (not req) on success. */
static int match_one(const char *pattern, const char *path, struct http_param *params, int *nparams)
{
	const char *pp = pattern, *sp = path;
	int np = 0;

	while (*pp && *sp) {
		const char *pe, *se;

		if (*pp != '/' || *sp != '/')
			return 0;
		pp++;
		sp++;
		pe = seg_end(pp);
		se = seg_end(sp);
		if (*pp == '{') {
			const char *close = memchr(pp, '}', (size_t)(pe - pp));
			size_t suffix_len, seg_len = (size_t)(se - sp);

			if (!close)
				return 0;
			suffix_len = (size_t)(pe - close - 1);
			if (seg_len <= suffix_len ||
			    memcmp(se - suffix_len, close + 1, suffix_len) != 0)
				return 0;
			if (np == HTTP_MAX_PARAMS)
				return 0;
			/* names are stored without braces by the caller; see below */
			params[np].name = pp + 1;
			params[np].value = sp;
			params[np].value_len = seg_len - suffix_len;
			np++;
		} else {
			if ((size_t)(pe - pp) != (size_t)(se - sp) ||
			    memcmp(pp, sp, (size_t)(pe - pp)) != 0)
				return 0;
		}
		pp = pe;
		sp = se;
	}
	if (*pp || *sp)
		return 0;
	*nparams = np;
	return 1;
}

const struct route *router_match(const struct route *table, size_t n, enum http_method method,
				 const char *path, struct http_req *req, unsigned *allowed)
{
	struct http_param params[HTTP_MAX_PARAMS];
	unsigned want = method == HTTP_HEAD ? (HTTP_HEAD | HTTP_GET) : (unsigned)method;
	size_t i;
	int np;

	*allowed = 0;
	for (i = 0; i < n; i++) {
		if (!match_one(table[i].pattern, path, params, &np))
			continue;
		if (!(table[i].methods & want)) {
			*allowed |= table[i].methods;
			continue;
		}
		memcpy(req->params, params, sizeof(params[0]) * (size_t)np);
		req->nparams = np;
		return &table[i];
	}
	return NULL;
}

int router_takes_body(const struct route *r)
{
	return (r->methods & (HTTP_POST | HTTP_PUT | HTTP_PATCH)) && !(r->methods & ROUTE_RAW_BODY);
}

const struct field_decl *router_field(const struct route *r, const char *name, int query)
{
	const struct field_decl *f;

	if (!r->doc || !r->doc->fields || !name)
		return NULL;
	for (f = r->doc->fields; f->name; f++)
		if (!(f->flags & FIELD_QUERY) == !query && strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

/* fields_ok checks a field list: named, typed, objects with their members, no name twice
 * in one place (body or query). */
static int fields_ok(const struct field_decl *list)
{
	const struct field_decl *f, *g;

	for (f = list; f->name; f++) {
		if (!f->name[0] || f->type < FIELD_STRING || f->type > FIELD_OBJECT || !f->desc)
			return 0;
		if ((f->type == FIELD_OBJECTS) != (f->members != NULL))
			return 0;
		if (f->members && !fields_ok(f->members))
			return 0;
		for (g = list; g != f; g++)
			if (strcmp(g->name, f->name) == 0 &&
			    !(g->flags & FIELD_QUERY) == !(f->flags & FIELD_QUERY))
				return 0;
	}
	return 1;
}

/* doc_ok checks the declaration an API route must carry (see router_check). */
static int doc_ok(const struct route *r)
{
	const struct route_doc *d = r->doc;

	if (!d || !d->summary || !d->summary[0] || d->reply < REPLY_OBJECT ||
	    d->reply > REPLY_LIST_TOTAL || d->status < 200 || d->status > 299)
		return 0;
	if ((d->reply == REPLY_OBJECT || d->reply == REPLY_LIST || d->reply == REPLY_LIST_TOTAL ||
	     d->reply == REPLY_FILE) &&
	    !d->entity)
		return 0;
	if (router_takes_body(r) && !d->fields)
		return 0; /* a body nobody declared: neither validated nor documented */
	if ((r->methods & ROUTE_RAW_BODY) && !d->raw_media)
		return 0;
	return !d->fields || fields_ok(d->fields);
}

int router_check(const struct route *table, size_t n, const char *doc_prefix)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const char *p = table[i].pattern;
		int depth = 0;

		if (table[i].access == 0 || !table[i].handler || !table[i].methods || !p ||
		    p[0] != '/')
			return (int)i;
		for (; *p; p++) {
			if (*p == '{')
				depth++;
			else if (*p == '}')
				depth--;
			if (depth < 0 || depth > 1)
				return (int)i;
		}
		if (depth)
			return (int)i;
		if (doc_prefix && strncmp(table[i].pattern, doc_prefix, strlen(doc_prefix)) == 0 &&
		    !doc_ok(&table[i]))
			return (int)i;
	}
	return -1;
}
