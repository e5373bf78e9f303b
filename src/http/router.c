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

int router_check(const struct route *table, size_t n)
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
	}
	return -1;
}
