/*
 * test_router.c - route matching (literal segments, parameters, suffixes, 404 vs 405) and
 * the check that every route of the product declares who may call it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "http/router.h"
#include "web/web.h"

static int h_dummy(struct web_ctx *c)
{
	(void)c;
	return 0;
}

static const struct route table[] = {
    {HTTP_GET, "/api/v1/health", 1, h_dummy, 0, NULL},
    {HTTP_GET, "/api/v1/orgs", 1, h_dummy, 0, NULL},
    {HTTP_POST, "/api/v1/orgs", 2, h_dummy, 0, NULL},
    {HTTP_GET | HTTP_PATCH, "/api/v1/orgs/{id}", 1, h_dummy, 0, NULL},
    {HTTP_GET, "/outputs/{id}.pdf", 1, h_dummy, 0, NULL},
    {HTTP_GET, "/a/{x}/b/{y}", 1, h_dummy, 0, NULL},
    {HTTP_GET, "/", 1, h_dummy, 0, NULL},
};
#define NT (sizeof(table) / sizeof(table[0]))

static void test_literal(void **state)
{
	struct http_req req;
	unsigned allowed;
	const struct route *r;
	(void)state;

	memset(&req, 0, sizeof(req));
	r = router_match(table, NT, HTTP_GET, "/api/v1/health", &req, &allowed);
	assert_ptr_equal(r, &table[0]);
	assert_int_equal(req.nparams, 0);
	r = router_match(table, NT, HTTP_GET, "/", &req, &allowed);
	assert_ptr_equal(r, &table[6]);
	assert_null(router_match(table, NT, HTTP_GET, "/api/v1/health/", &req, &allowed));
	assert_null(router_match(table, NT, HTTP_GET, "/api/v1/healthz", &req, &allowed));
	assert_null(router_match(table, NT, HTTP_GET, "/api/v1", &req, &allowed));
	assert_null(router_match(table, NT, HTTP_GET, "", &req, &allowed));
}

static void test_params(void **state)
{
	struct http_req req;
	unsigned allowed;
	const struct route *r;
	(void)state;

	memset(&req, 0, sizeof(req));
	r = router_match(table, NT, HTTP_PATCH, "/api/v1/orgs/42", &req, &allowed);
	assert_ptr_equal(r, &table[3]);
	assert_string_equal(http_param(&req, "id"), "42");
	assert_null(http_param(&req, "i"));
	assert_null(http_param(&req, "idx"));
	r = router_match(table, NT, HTTP_GET, "/a/one/b/two", &req, &allowed);
	assert_ptr_equal(r, &table[5]);
	assert_string_equal(http_param(&req, "x"), "one");
	assert_string_equal(http_param(&req, "y"), "two");
	/* an empty segment is not a parameter value */
	assert_null(router_match(table, NT, HTTP_GET, "/api/v1/orgs//", &req, &allowed));
	assert_null(router_match(table, NT, HTTP_GET, "/a//b/two", &req, &allowed));
}

static void test_suffix(void **state)
{
	struct http_req req;
	unsigned allowed;
	(void)state;

	memset(&req, 0, sizeof(req));
	assert_ptr_equal(router_match(table, NT, HTTP_GET, "/outputs/7.pdf", &req, &allowed),
			 &table[4]);
	assert_string_equal(http_param(&req, "id"), "7");
	assert_null(router_match(table, NT, HTTP_GET, "/outputs/7.pd", &req, &allowed));
	assert_null(router_match(table, NT, HTTP_GET, "/outputs/.pdf", &req, &allowed));
}

static void test_method_mismatch(void **state)
{
	struct http_req req;
	unsigned allowed;
	(void)state;

	memset(&req, 0, sizeof(req));
	/* known path, other method: NULL with the allowed mask (405) */
	assert_null(router_match(table, NT, HTTP_DELETE, "/api/v1/orgs", &req, &allowed));
	assert_int_equal(allowed, HTTP_GET | HTTP_POST);
	/* unknown path: NULL with no methods (404) */
	assert_null(router_match(table, NT, HTTP_GET, "/nope", &req, &allowed));
	assert_int_equal(allowed, 0);
	/* HEAD is served by GET routes */
	assert_ptr_equal(router_match(table, NT, HTTP_HEAD, "/api/v1/health", &req, &allowed),
			 &table[0]);
	/* the first route with the method wins */
	assert_ptr_equal(router_match(table, NT, HTTP_POST, "/api/v1/orgs", &req, &allowed),
			 &table[2]);
}

static void test_check_rejects_undeclared(void **state)
{
	struct route bad[] = {
	    {HTTP_GET, "/ok", 1, h_dummy, 0, NULL},
	    {HTTP_GET, "/no-access", 0, h_dummy, 0, NULL},
	};
	struct route bad_pattern[] = {{HTTP_GET, "/x/{id", 1, h_dummy, 0, NULL}};
	struct route no_slash[] = {{HTTP_GET, "x", 1, h_dummy, 0, NULL}};
	(void)state;

	assert_int_equal(router_check(table, NT, NULL), -1);
	assert_int_equal(router_check(bad, 2, NULL), 1);
	assert_int_equal(router_check(bad_pattern, 1, NULL), 0);
	assert_int_equal(router_check(no_slash, 1, NULL), 0);
}

/* Every route of the product declares who may call it. */
static void test_product_routes_declare_access(void **state)
{
	size_t i;
	(void)state;

	assert_true(web_nroutes > 10);
	assert_int_equal(router_check(web_routes, web_nroutes, "/api/"), -1);
	for (i = 0; i < web_nroutes; i++) {
		const struct route *r = &web_routes[i];

		if (r->access < ACCESS_PUBLIC || r->access > ACCESS_ADMIN)
			fail_msg("route %s has no declared access", r->pattern);
		/* the API's own data is never public by accident: only these are */
		if (r->access == ACCESS_PUBLIC && strncmp(r->pattern, "/api/", 5) == 0 &&
		    strcmp(r->pattern, "/api/v1/health") != 0 &&
		    strcmp(r->pattern, "/api/v1/openapi.json") != 0 &&
		    strcmp(r->pattern, "/api/v1/login") != 0 &&
		    strcmp(r->pattern, "/api/v1/sessions") != 0 &&
		    strcmp(r->pattern, "/api/v1/sessions/{id}") != 0 &&
		    strcmp(r->pattern, "/api/v1/search") != 0 &&
		    strcmp(r->pattern, "/api/v1/sessions/{id}/outcomes") != 0 &&
		    strncmp(r->pattern, "/api/v1/sessions/{id}/", 22) != 0 &&
		    strcmp(r->pattern, "/api/v1/statements/{id}/vote") != 0)
			fail_msg("API route %s is public; is that intended?", r->pattern);
	}
}

/* Every route pattern is reachable: no earlier route with the same methods shadows it. */
static void test_product_routes_not_shadowed(void **state)
{
	size_t i;
	(void)state;

	for (i = 0; i < web_nroutes; i++) {
		const struct route *r = &web_routes[i];
		struct http_req req;
		unsigned allowed, m;
		char path[256];
		size_t o = 0;
		const char *p;

		/* build a concrete path: parameters become "1" */
		for (p = r->pattern; *p && o + 2 < sizeof(path); p++) {
			if (*p == '{') {
				path[o++] = '1';
				while (*p && *p != '}')
					p++;
				continue;
			}
			path[o++] = *p;
		}
		path[o] = '\0';
		for (m = 1; m <= HTTP_DELETE; m <<= 1) {
			/* a route's flags (e.g. raw body) are not methods */
			if (!(r->methods & m))
				continue;
			memset(&req, 0, sizeof(req));
			if (router_match(web_routes, web_nroutes, (enum http_method)m, path, &req,
					 &allowed) != r)
				fail_msg("route %s is shadowed", r->pattern);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_literal),
	    cmocka_unit_test(test_params),
	    cmocka_unit_test(test_suffix),
	    cmocka_unit_test(test_method_mismatch),
	    cmocka_unit_test(test_check_rejects_undeclared),
	    cmocka_unit_test(test_product_routes_declare_access),
	    cmocka_unit_test(test_product_routes_not_shadowed),
	};

	return cmocka_run_group_tests_name("router", tests, NULL, NULL);
}
