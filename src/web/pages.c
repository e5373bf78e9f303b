/*
 * pages.c - static files, the language switch, the home page, the dashboard and the audit
 * log page.
 */
#include "web.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/embed.h"
#include "base/log.h"
#include "base/util.h"
#include "model/output.h"
#include "model/session.h"
#include "view/view.h"

static const char *media_type(const char *name)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
	    {".css", "text/css; charset=utf-8"},
	    {".js", "text/javascript; charset=utf-8"},
	    {".svg", "image/svg+xml"},
	    {".png", "image/png"},
	    {".ico", "image/x-icon"},
	    {".txt", "text/plain; charset=utf-8"},
	    {".html", "text/html; charset=utf-8"},
	    {".json", "application/json"},
	    {".woff2", "font/woff2"},
	};
	const char *dot = strrchr(name, '.');
	size_t i;

	for (i = 0; dot && i < ARRAY_LEN(types); i++)
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].type;
	return "application/octet-stream";
}

/* etag_of writes a strong ETag ("\"<16 hex>\"") for data: FNV-1a 64 of the content. */
static void etag_of(const char *data, size_t n, char out[24])
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)data[i];
		h *= 0x100000001b3ULL;
	}
	snprintf(out, 24, "\"%016llx\"", (unsigned long long)h);
}

int h_static(struct web_ctx *c)
{
	const char *file = http_param(c->req, "file");
	const struct embed_file *f;
	const char *inm;
	char path[160], etag[24];
	int k;

	if (!file || strstr(file, ".."))
		return web_error_key(c, 404, "not_found");
	k = snprintf(path, sizeof(path), "static/%s", file);
	if (k < 0 || (size_t)k >= sizeof(path) || !(f = embed_find(path, (size_t)k)))
		return web_error_key(c, 404, "not_found");
	etag_of(f->data, f->len, etag);
	if (http_resp_header(c->resp, "ETag", etag) ||
	    http_resp_header(c->resp, "Cache-Control", "public, max-age=3600"))
		log_warn("web: too many headers");
	inm = http_header(c->req, "If-None-Match");
	if (inm && (strstr(inm, etag) || strcmp(inm, "*") == 0)) {
		c->resp->status = 304;
		return 0;
	}
	c->resp->status = 200;
	c->resp->content_type = media_type(file);
	c->resp->static_body = f->data;
	c->resp->static_len = f->len;
	return 0;
}

int h_home(struct web_ctx *c)
{
	return web_redirect(c, c->actor.via == AUTH_NONE ? "/login" : "/dashboard");
}

int h_lang(struct web_ctx *c)
{
	const char *to = http_query(c->req, "to");
	const char *next = http_query(c->req, "next");

	if (!to || (strcmp(to, "zh") != 0 && strcmp(to, "en") != 0))
		return web_error(c, 400, "invalid", "to", "语言须为 zh 或 en",
				 "the language must be zh or en");
	if (web_set_cookie(c, "sl_lang", to, 365L * 86400, false))
		return web_fail(c, ERR_TOO_BIG);
	return web_redirect(c, next ? next : "/");
}

/* dashboard_year is the year the dashboard counts: ?year= (2000 to 2100), else this one. */
static int dashboard_year(struct web_ctx *c)
{
	const char *y = http_query(c->req, "year");
	int64_t v;

	if (y && num_parse(y, strlen(y), 2000, 2100, &v) == ERR_OK)
		return (int)v;
	return time_year(time_now());
}

/* body_figures gives the figures of year of the caller's body and of each body below it
 * (stats by_org) for the dashboard of a leader or an admin: [{id,name,sessions,outputs,
 * adopted}]. */
static json_t *body_figures(struct web_ctx *c, int year)
{
	char a[24], b[24];
	struct stats_query q = {0};
	struct stats s;
	json_t *rows = json_array();
	size_t i;

	snprintf(a, sizeof(a), "%04d-01-01", year);
	snprintf(b, sizeof(b), "%04d-01-01", year + 1);
	if (time_parse(a, &q.from) || time_parse(b, &q.to))
		return rows;
	q.org = &c->actor.org;
	q.subtree = true;
	q.lang = c->lang;
	if (stats_compute(c->db, &q, &s) == ERR_OK)
		for (i = 0; i < s.nby_org; i++)
			json_array_append_new(
			    rows, json_pack("{sI ss sI sI sI}", "id", (json_int_t)s.by_org[i].id,
					    "name", s.by_org[i].name, "sessions",
					    (json_int_t)s.by_org[i].sessions, "outputs",
					    (json_int_t)s.by_org[i].outputs, "adopted",
					    (json_int_t)s.by_org[i].adopted));
	stats_release(&s);
	return rows;
}

int h_dashboard(struct web_ctx *c)
{
	struct session_filter f = {0};
	struct session *list = NULL;
	struct my_invitation *inv = NULL;
	json_t *upcoming = json_array();
	char key[32], date[32];
	size_t i, n = 0, ninv = 0, pending = 0;
	int year = dashboard_year(c);
	bool overview = c->actor.role == ROLE_LEADER || c->actor.role == ROLE_ADMIN;

	snprintf(key, sizeof(key), "role_%s", c->actor.user.role);
	/* what is coming up and what waits for an answer */
	if (session_list_read(c->db, &c->actor, &f, 0, 2000, &list, &n) == ERR_OK) {
		for (i = 0; i < n; i++) {
			const struct session *x = &list[i];

			if (strcmp(x->status, "scheduled") != 0 && strcmp(x->status, "live") != 0)
				continue;
			if (x->starts_at)
				time_fmt(x->starts_at, "%Y-%m-%d %H:%M", date, sizeof(date));
			else
				date[0] = '\0';
			json_array_append_new(
			    upcoming, json_pack("{sI ss ss ss}", "id", (json_int_t)x->id, "title",
						x->title, "status", x->status, "date", date));
		}
		session_list_release(list, n);
	}
	if (my_invitations_read(c->db, c->actor.user.id, &inv, &ninv) == ERR_OK) {
		for (i = 0; i < ninv; i++)
			pending += strcmp(inv[i].rsvp, "pending") == 0;
		my_invitations_release(inv, ninv);
	}
	return web_render(
	    c, 200, "dashboard",
	    json_pack("{ss ss so si sb so* si}", "role_label", view_text(c->lang, key),
		      "level_label", view_text(c->lang, c->actor.org.level), "upcoming", upcoming,
		      "pending", (int)pending, "organizer",
		      c->actor.role >= ROLE_ORGANIZER && !c->actor.user.handler_id, "bodies",
		      overview ? body_figures(c, year) : NULL, "year", year));
}

/* --- audit log --- */

#define AUDIT_PAGE 100

struct audit_rows {
	json_t *rows;
	int64_t last; /* the oldest entry's id: the next page's cursor */
	const char *lang;
};

static int audit_row(const struct audit_entry *e, void *ud)
{
	struct audit_rows *r = ud;
	char when[21], key[96];
	const char *entity = e->entity, *action = e->action, *address = e->address;
	json_t *row;

	time_iso(e->at, when);
	r->last = e->id;
	/* the kind of object and the action in the reader's words; an unknown one is shown as
	 * recorded */
	if (snprintf(key, sizeof(key), "audit_entity_%s", e->entity) < (int)sizeof(key) &&
	    strcmp(view_text(r->lang, key), key) != 0)
		entity = view_text(r->lang, key);
	if (snprintf(key, sizeof(key), "audit_action_%s", e->action) < (int)sizeof(key) &&
	    strcmp(view_text(r->lang, key), key) != 0)
		action = view_text(r->lang, key);
	if (strcmp(address, "cli") == 0) /* written by the command line (actor_cli) */
		address = view_text(r->lang, "audit_address_cli");
	row = json_pack("{sI ss ss ss ss ss ss sI ss ss}", "id", (json_int_t)e->id, "at", when,
			"user", e->user, "action", e->action, "action_label", action, "entity",
			e->entity, "entity_label", entity, "entity_id", (json_int_t)e->entity_id,
			"address", address, "org", e->org);
	return json_array_append_new(r->rows, row) ? ERR_NOMEM : ERR_OK;
}

int h_audit_page(struct web_ctx *c)
{
	const char *before = http_query(c->req, "before");
	struct audit_rows r = {json_array(), 0, c->lang};
	int64_t b = INT64_MAX;
	int rc;

	if (before && num_parse(before, strlen(before), 1, INT64_MAX, &b))
		b = INT64_MAX;
	rc = audit_list(c->db, &c->actor, b, AUDIT_PAGE, audit_row, &r);
	if (rc) {
		json_decref(r.rows);
		return web_fail(c, rc);
	}
	return web_render(c, 200, "audit",
			  json_pack("{so sI sb}", "rows", r.rows, "next", (json_int_t)r.last,
				    "more", json_array_size(r.rows) == AUDIT_PAGE));
}
