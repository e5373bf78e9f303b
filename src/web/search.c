/*
 * search.c - the search API and page: one query over topics, sessions, remarks and
 * suggestions (model/search.h), each hit with its excerpt made HTML (view/snippet.h) and,
 * on the page, its link and the label of its kind.
 */
#include "web.h"

#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/util.h"
#include "model/search.h"
#include "view/snippet.h"
#include "view/view.h"

#define SEARCH_PAGE 50

/* hit_to_json returns h as the API and the page show it: kind, id, title, snippet (HTML),
 * session_id (new reference; NULL when out of memory). */
static json_t *hit_to_json(const struct search_hit *h)
{
	struct buf b;
	json_t *j = NULL;

	buf_init(&b, 16384);
	if (snippet_html(&b, h->text, h->text_len, h->mark_off, h->mark_len, h->nmarks,
			 h->cut_before, h->cut_after) == ERR_OK)
		j = json_pack("{ss sI ss ss sI}", "kind", h->kind, "id", (json_int_t)h->id, "title",
			      h->title, "snippet", buf_cstr(&b), "session_id",
			      (json_int_t)h->session_id);
	buf_fini(&b);
	return j;
}

int h_api_search(struct web_ctx *c)
{
	const char *q = http_query(c->req, "q"), *l = http_query(c->req, "limit");
	struct search_hits hits;
	json_t *results;
	int64_t limit = SEARCH_PAGE;
	size_t i;
	int rc;

	if (!q || !*q)
		return web_error(c, 400, "required", "q", "请输入要搜索的词", "q is required");
	if (l && num_parse(l, strlen(l), 1, 200, &limit) != ERR_OK)
		return web_error(c, 400, "invalid", "limit", "limit 须为 1 到 200 之间的整数",
				 "limit must be a whole number from 1 to 200");
	search_hits_init(&hits);
	rc = search_query(c->db, &c->actor, q, (int)limit, &hits);
	if (rc == ERR_INVALID)
		return web_error(c, 400, "invalid", "q", "请输入要搜索的词",
				 "q has nothing to search for");
	if (rc) {
		search_hits_release(&hits);
		return web_fail(c, rc);
	}
	results = json_array();
	for (i = 0; i < hits.n; i++)
		json_array_append_new(results, hit_to_json(&hits.v[i]));
	search_hits_release(&hits);
	return web_json(c, 200, json_pack("{ss so}", "q", q, "results", results));
}

/* hit_href writes the page of hit h into out. */
static void hit_href(const struct search_hit *h, char *out, size_t cap)
{
	if (strcmp(h->kind, "topic") == 0)
		snprintf(out, cap, "/topics/%lld", (long long)h->id);
	else if (strcmp(h->kind, "session") == 0)
		snprintf(out, cap, "/sessions/%lld", (long long)h->id);
	else
		snprintf(out, cap, "/sessions/%lld#%s-%lld", (long long)h->session_id, h->kind,
			 (long long)h->id);
}

int h_search_page(struct web_ctx *c)
{
	const char *q = http_query(c->req, "q");
	struct search_hits hits;
	json_t *results = json_array();
	bool searched = q && *q;
	char href[80], key[32];
	size_t i;

	search_hits_init(&hits);
	/* nothing to search for, or a failure, shows an empty result */
	if (searched && search_query(c->db, &c->actor, q, SEARCH_PAGE, &hits) != ERR_OK)
		search_hits_release(&hits);
	for (i = 0; i < hits.n; i++) {
		const struct search_hit *h = &hits.v[i];
		json_t *j = hit_to_json(h);

		hit_href(h, href, sizeof(href));
		snprintf(key, sizeof(key), "kind_%s", h->kind);
		json_object_set_new(j, "href", json_string(href));
		json_object_set_new(j, "kind_label", json_string(view_text(c->lang, key)));
		json_array_append_new(results, j);
	}
	search_hits_release(&hits);
	return web_render(
	    c, 200, "search",
	    json_pack("{ss so sb}", "q", q ? q : "", "results", results, "searched", searched));
}
