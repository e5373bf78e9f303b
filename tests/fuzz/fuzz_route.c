/*
 * fuzz_route.c - request routing and the request headers our code reads.
 *
 * The input is a request as a client writes it (request line, header lines, a blank line,
 * a body); the seeds in corpus/route/ are real requests of the HTTP tests. libmicrohttpd
 * splits the request and parses the header and cookie syntax; what is ours, and what this
 * target drives, is the rest of the way the dispatcher (web/app.c) goes before a handler:
 *   - web_body_limit -> router_match over the product's route table (web_routes), then
 *     http_param and web_id for each parameter of the matched pattern;
 *   - the Content-Type test (media_is), the Bearer token (auth_token_find) and the
 *     sl_session cookie (auth_session_find) against a real database, the CSRF decision
 *     (csrf_valid) with the X-CSRF-Token header and the sl_csrf cookie.
 * The placeholders @SESSION@, @TOKEN@ and @CSRF@ in the input stand for the secrets of a
 * real sign-in made at start, so fuzzed requests reach the signed-in paths too.
 *
 * Invariants: a matched route allows the method (HEAD matches GET routes); the pattern with
 * the parameter values put back gives the path again; each parameter lies inside the path;
 * a route's body limit is its declared one; an unmatched path reports allowed methods only
 * when some route's pattern matches it; CSRF passes a cookie sign-in only with its token.
 *
 * app.c is compiled into this target (its media_is is file-local); the library's copy of
 * app.o is then not linked.
 */
#include "web/app.c"

#include "fuzz.h"
#include "fuzz_db.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_set_level(LOG_ERROR);
	fuzz_db_open();
	FUZZ_ASSERT(router_check(web_routes, web_nroutes, "/api/") == -1);
	return 0;
}

/* line_end returns the end of the line at p (its '\n', or end), and *next the next line. */
static const char *line_end(const char *p, const char *end, const char **next)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	const char *e = nl ? nl : end;

	*next = nl ? nl + 1 : end;
	if (e > p && e[-1] == '\r')
		e--;
	return e;
}

/* dup_text copies p[0..n) as a C string with the placeholders replaced by the secrets; a NUL
 * byte ends it (the strings libmicrohttpd hands over cannot hold one). Caller frees. */
static char *dup_text(const char *p, size_t n)
{
	return fuzz_db_subst(p, n, NULL);
}

/* check_route checks a matched route against the path and reads its parameters. */
static void check_route(const struct route *r, enum http_method m, struct http_req *req)
{
	struct web_ctx c;
	const char *pp = r->pattern;
	size_t plen = strlen(req->path), o = 0;
	int i = 0;
	char rebuilt[4096];

	FUZZ_ASSERT(r->methods & (m == HTTP_HEAD ? (unsigned)(HTTP_HEAD | HTTP_GET) : (unsigned)m));
	FUZZ_ASSERT(req->nparams >= 0 && req->nparams <= HTTP_MAX_PARAMS);
	memset(&c, 0, sizeof(c));
	c.req = req;
	/* the pattern with the values put back must be the path */
	while (*pp) {
		if (*pp == '{') {
			const char *close = strchr(pp, '}');
			const struct http_param *p = &req->params[i];
			char name[64];

			FUZZ_ASSERT(close && i < req->nparams);
			FUZZ_ASSERT(p->value >= req->path &&
				    p->value + p->value_len <= req->path + plen);
			FUZZ_ASSERT(p->name == pp + 1);
			FUZZ_ASSERT(memchr(p->value, '/', p->value_len) == NULL);
			FUZZ_ASSERT((size_t)(close - pp - 1) < sizeof(name));
			memcpy(name, pp + 1, (size_t)(close - pp - 1));
			name[close - pp - 1] = '\0';
			{
				const char *v = http_param(req, name);
				int64_t id = web_id(&c, name);

				if (p->value_len < 256)
					FUZZ_ASSERT(v && strlen(v) <= p->value_len &&
						    memcmp(v, p->value, strlen(v)) == 0);
				else
					FUZZ_ASSERT(!v);
				FUZZ_ASSERT(id >= 0);
			}
			if (o + p->value_len < sizeof(rebuilt)) {
				memcpy(rebuilt + o, p->value, p->value_len);
				o += p->value_len;
			} else {
				o = sizeof(rebuilt);
			}
			i++;
			pp = close + 1;
			continue;
		}
		if (o < sizeof(rebuilt))
			rebuilt[o++] = *pp;
		pp++;
	}
	FUZZ_ASSERT(i == req->nparams);
	if (o < sizeof(rebuilt))
		FUZZ_ASSERT(o == plen && memcmp(rebuilt, req->path, plen) == 0);
}

/* cookie_get finds name's value in a Cookie header ("a=1; b=2"), copied into out. */
static bool cookie_get(const char *h, const char *name, char *out, size_t cap)
{
	size_t nl = strlen(name);

	while (h && *h) {
		while (*h == ' ' || *h == ';')
			h++;
		if (strncmp(h, name, nl) == 0 && h[nl] == '=') {
			const char *v = h + nl + 1, *e = strchr(v, ';');
			size_t n = e ? (size_t)(e - v) : strlen(v);

			if (n >= cap)
				n = cap - 1;
			memcpy(out, v, n);
			out[n] = '\0';
			return true;
		}
		h = strchr(h, ';');
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *next, *e, *sp;
	char method[16] = "", *target, *path, *q;
	char *ct = NULL, *auth = NULL, *cookie = NULL, *xcsrf = NULL;
	char session[256], csrf_cookie[256];
	struct http_req req;
	struct actor a;
	const struct route *r, *r2;
	unsigned allowed = 0;
	enum http_method m;
	size_t limit, n;
	bool have_session, have_csrf;

	/* request line: METHOD SP TARGET [SP VERSION] */
	e = line_end(p, end, &next);
	sp = memchr(p, ' ', (size_t)(e - p));
	if (!sp)
		return 0;
	n = (size_t)(sp - p) < sizeof(method) - 1 ? (size_t)(sp - p) : sizeof(method) - 1;
	memcpy(method, p, n);
	method[n] = '\0';
	if (strlen(method) != n)
		return 0;
	p = sp + 1;
	sp = memchr(p, ' ', (size_t)(e - p));
	target = dup_text(p, (size_t)((sp ? sp : e) - p));
	q = strchr(target, '?');
	if (q)
		*q = '\0'; /* the query is libmicrohttpd's to parse */
	path = target;
	n = url_decode(path, strlen(path), false);
	if (n != (size_t)-1)
		path[n] = '\0';
	/* headers until a blank line; the body after it is not read here (form and JSON
	 * bodies have their own targets) */
	for (p = next; p < end;) {
		const char *colon;
		char **slot = NULL;

		e = line_end(p, end, &next);
		if (e == p)
			break;
		colon = memchr(p, ':', (size_t)(e - p));
		if (colon) {
			size_t hl = (size_t)(colon - p);

			if (hl == 12 && strncasecmp(p, "Content-Type", 12) == 0)
				slot = &ct;
			else if (hl == 13 && strncasecmp(p, "Authorization", 13) == 0)
				slot = &auth;
			else if (hl == 6 && strncasecmp(p, "Cookie", 6) == 0)
				slot = &cookie;
			else if (hl == 12 && strncasecmp(p, "X-CSRF-Token", 12) == 0)
				slot = &xcsrf;
			if (slot) {
				const char *v = colon + 1;

				while (v < e && (*v == ' ' || *v == '\t'))
					v++;
				free(*slot);
				*slot = dup_text(v, (size_t)(e - v));
			}
		}
		p = next;
	}

	/* routing, as web_body_limit and then the dispatcher do it */
	memset(&req, 0, sizeof(req));
	m = http_method_parse(method);
	req.method = m;
	req.method_name = method;
	req.path = path;
	limit = web_body_limit(&req, NULL);
	r = req.route;
	FUZZ_ASSERT(limit > 0);
	if (r) {
		FUZZ_ASSERT(limit == (r->max_body ? r->max_body : HTTP_BODY_LIMIT));
		check_route(r, m, &req);
	} else {
		FUZZ_ASSERT(limit == HTTP_BODY_LIMIT);
	}
	r2 = router_match(web_routes, web_nroutes, m, path, &req, &allowed);
	FUZZ_ASSERT(r2 == r);
	if (r2)
		check_route(r2, m, &req);
	else if (m != HTTP_OTHER)
		FUZZ_ASSERT(
		    !(allowed & (m == HTTP_HEAD ? (unsigned)(HTTP_HEAD | HTTP_GET) : (unsigned)m)));

	/* the headers the dispatcher reads */
	if (ct) {
		bool json = media_is(ct, "application/json");
		bool form = media_is(ct, "application/x-www-form-urlencoded");

		FUZZ_ASSERT(!(json && form));
		if (json)
			FUZZ_ASSERT(strncasecmp(ct, "application/json", 16) == 0);
	}
	memset(&a, 0, sizeof(a));
	a.address = "127.0.0.1";
	if (auth && strncasecmp(auth, "Bearer ", 7) == 0) {
		if (auth_token_find(fdb.db, auth + 7, &a) != ERR_OK) {
			memset(&a, 0, sizeof(a));
			a.via = AUTH_NONE;
		} else {
			FUZZ_ASSERT(strcmp(auth + 7, fdb.api_token) == 0 && a.via == AUTH_BEARER);
		}
	}
	have_session = cookie && cookie_get(cookie, "sl_session", session, sizeof(session));
	have_csrf = cookie && cookie_get(cookie, "sl_csrf", csrf_cookie, sizeof(csrf_cookie));
	if (a.via == AUTH_NONE && have_session) {
		if (auth_session_find(fdb.db, session, &a) != ERR_OK) {
			memset(&a, 0, sizeof(a));
			a.via = AUTH_NONE;
		} else {
			FUZZ_ASSERT(strcmp(session, fdb.session_token) == 0 &&
				    a.via == AUTH_COOKIE);
			FUZZ_ASSERT(strcmp(a.csrf, fdb.session_csrf) == 0);
		}
	}
	if (csrf_valid(a.via, strncmp(path, "/api/", 5) == 0, xcsrf, a.csrf,
		       have_csrf ? csrf_cookie : NULL) &&
	    a.via == AUTH_COOKIE)
		FUZZ_ASSERT(xcsrf && strcmp(xcsrf, fdb.session_csrf) == 0);
	if (a.via == AUTH_NONE && strncmp(path, "/api/", 5) != 0 && xcsrf &&
	    csrf_valid(a.via, false, xcsrf, NULL, have_csrf ? csrf_cookie : NULL))
		FUZZ_ASSERT(have_csrf && strcmp(xcsrf, csrf_cookie) == 0);
	free(ct);
	free(auth);
	free(cookie);
	free(xcsrf);
	free(target);
	return 0;
}
