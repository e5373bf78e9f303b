/*
 * routes.c - `shenliao routes`: every route of the server as the route table
 * (web/routes.c) declares it: method, path pattern, who may call it, API or page. The
 * authorization matrix test (tests/http/authz.test.mjs) is generated from this listing, so
 * a route added to the table is in the matrix without anyone remembering to add it. A
 * command, not an endpoint: the list of page routes is nothing a server needs to tell.
 */
#include "cli.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "web/web.h"

/* The methods a route may carry, in the order they are listed (HEAD goes with GET). */
static const struct {
	unsigned bit;
	const char *name;
} methods[] = {
    {HTTP_GET, "GET"},	   {HTTP_POST, "POST"},	    {HTTP_PUT, "PUT"},
    {HTTP_PATCH, "PATCH"}, {HTTP_DELETE, "DELETE"},
};

/* access_name names a route's declared access as routes.c spells it. */
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
		return "unset";
	}
}

static const struct cli_opt routes_opts[] = {
    {"json", NULL, NULL, "print the routes as one JSON array", false},
};

static int cmd_routes(int argc, char **argv);

const struct cli_cmd cli_cmd_routes = {
    "routes",
    "",
    0,
    0,
    "list every route: method, path, who may call it",
    "Lists every route of the server, API and pages, one per method: the method, the path\n"
    "pattern ({name} segments are parameters), who may call it (public, signed_in,\n"
    "organizer, admin) and whether it is an API route. Needs no database.\n",
    routes_opts,
    ARRAY_LEN(routes_opts),
    cmd_routes,
};

static int cmd_routes(int argc, char **argv)
{
	struct cli_args a;
	json_t *list = NULL;
	size_t i, m;
	int rc;

	rc = cli_parse(argc, argv, 1, &cli_cmd_routes, &a);
	if (rc >= 0)
		return rc;
	if (a.json) {
		list = json_array();
		if (!list)
			return cli_fail("out of memory");
	}
	for (i = 0; i < web_nroutes; i++) {
		const struct route *r = &web_routes[i];
		bool api = strncmp(r->pattern, "/api/", 5) == 0;

		for (m = 0; m < ARRAY_LEN(methods); m++) {
			if (!(r->methods & methods[m].bit))
				continue;
			if (!list) {
				if (printf("%-6s %-44s %-9s %s\n", methods[m].name, r->pattern,
					   access_name(r->access), api ? "api" : "page") < 0)
					return cli_fail("cannot write the output");
				continue;
			}
			if (json_array_append_new(
				list, json_pack("{s:s,s:s,s:s,s:b}", "method", methods[m].name,
						"path", r->pattern, "access",
						access_name(r->access), "api", api))) {
				json_decref(list);
				return cli_fail("out of memory");
			}
		}
	}
	if (list)
		return cli_json_out(list);
	return fflush(stdout) == 0 ? EXIT_OK : cli_fail("cannot write the output");
}
