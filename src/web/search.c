/*
 * search.c - the search API and page: one query over topics, sessions, remarks,
 * suggestions, outputs, statements and people (model/search.h), each hit with its kind and
 * its excerpt made HTML (view/snippet.h) and, on the page, its link and the label of its
 * kind; ?kind= keeps one kind.
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
	const char *kind = http_query(c->req, "kind");
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
	if (kind && *kind && !search_kind_valid(kind))
		return web_error(
		    c, 400, "invalid", "kind",
		    "kind 须为 topic、session、remark、suggestion、output、statement 或"
		    " person",
		    "kind must be topic, session, remark, suggestion, output, statement"
		    " or person");
	search_hits_init(&hits);
	rc = search_query(c->db, &c->actor, q, kind, (int)limit, &hits);
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
	return web_json(c, 200,
			json_pack("{ss ss? so}", "q", q, "kind", kind && *kind ? kind : NULL,
				  "results", results));
}

/* hit_href writes the page of hit h into out. */
static void hit_href(const struct search_hit *h, char *out, size_t cap)
{
	if (strcmp(h->kind, "topic") == 0)
		snprintf(out, cap, "/topics/%lld", (long long)h->id);
	else if (strcmp(h->kind, "session") == 0)
		snprintf(out, cap, "/sessions/%lld", (long long)h->id);
	else if (strcmp(h->kind, "output") == 0)
		snprintf(out, cap, "/outputs/%lld", (long long)h->id);
	else if (strcmp(h->kind, "person") == 0)
		snprintf(out, cap, "/people/%lld", (long long)h->id);
	else if (strcmp(h->kind, "statement") == 0)
		snprintf(out, cap, "/sessions/%lld/map#statement-%lld", (long long)h->session_id,
			 (long long)h->id);
	else
		snprintf(out, cap, "/sessions/%lld#%s-%lld", (long long)h->session_id, h->kind,
			 (long long)h->id);
}

/* The kinds the page's filter offers, in its order. */
static const char *const page_kinds[] = {"topic",  "session",	"remark", "suggestion",
					 "output", "statement", "person"};

int h_search_page(struct web_ctx *c)
{
	const char *q = http_query(c->req, "q"), *kind = http_query(c->req, "kind");
	struct search_hits hits;
	json_t *results = json_array(), *kinds = json_array();
	bool searched = q && *q;
	char href[80], key[32];
	size_t i;

	search_hits_init(&hits);
	/* nothing to search for, or a failure, shows an empty result */
	if (kind && !search_kind_valid(kind))
		kind = NULL; /* an unknown kind: every kind */
	if (searched && search_query(c->db, &c->actor, q, kind, SEARCH_PAGE, &hits) != ERR_OK)
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
	for (i = 0; i < ARRAY_LEN(page_kinds); i++) {
		/* people are offered only to who may find them: a signed-in account */
		if (strcmp(page_kinds[i], "person") == 0 && c->actor.via == AUTH_NONE)
			continue;
		snprintf(key, sizeof(key), "kind_%s", page_kinds[i]);
		json_array_append_new(kinds, json_pack("{ss ss sb}", "value", page_kinds[i],
						       "label", view_text(c->lang, key), "selected",
						       kind && strcmp(kind, page_kinds[i]) == 0));
	}
	return web_render(c, 200, "search",
			  json_pack("{ss so sb so}", "q", q ? q : "", "results", results,
				    "searched", searched, "kinds", kinds));
}
