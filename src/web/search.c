/*
 * search.c - full-text search of topics, sessions, remarks and suggestions (API and page);
 * the model returns only what the caller may see.
 */
#include "sessions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "view/view.h"

int h_api_search(struct web_ctx *c)
{
	const char *q = http_query(c->req, "q"), *l = http_query(c->req, "limit");
	json_t *results;
	int64_t limit = 50;
	int rc;

	if (!q || !*q)
		return web_error(c, 400, "required", "q", "请输入要搜索的词", "q is required");
	if (l && num_parse(l, strlen(l), 1, 200, &limit) != ERR_OK)
		return web_error(c, 400, "invalid", "limit", "limit 须为 1 到 200 之间的整数",
				 "limit must be a whole number from 1 to 200");
	results = json_array();
	rc = search_query(c->db, &c->actor, q, (int)limit, results);
	if (rc == ERR_INVALID) {
		json_decref(results);
		return web_error(c, 400, "invalid", "q", "请输入要搜索的词",
				 "q has nothing to search for");
	}
	if (rc) {
		json_decref(results);
		return web_fail(c, rc);
	}
	return web_json(c, 200, json_pack("{ss so}", "q", q, "results", results));
}

int h_search_page(struct web_ctx *c)
{
	const char *q = http_query(c->req, "q");
	json_t *results = json_array(), *x;
	bool searched = q && *q;
	char href[80];
	size_t i;

	if (searched && search_query(c->db, &c->actor, q, 50, results) != ERR_OK)
		json_array_clear(results);
	json_array_foreach(results, i, x)
	{
		const char *k = json_string_value(json_object_get(x, "kind"));
		long long id = (long long)json_integer_value(json_object_get(x, "id"));
		long long sid = (long long)json_integer_value(json_object_get(x, "session_id"));

		if (strcmp(k, "topic") == 0)
			snprintf(href, sizeof(href), "/topics/%lld", id);
		else if (strcmp(k, "session") == 0)
			snprintf(href, sizeof(href), "/sessions/%lld", id);
		else
			snprintf(href, sizeof(href), "/sessions/%lld#%s-%lld", sid, k, id);
		json_object_set_new(x, "href", json_string(href));
		sess_label(c, x, "kind", "kind_", "kind_label");
	}
	return web_render(
	    c, 200, "search",
	    json_pack("{ss so sb}", "q", q ? q : "", "results", results, "searched", searched));
}
