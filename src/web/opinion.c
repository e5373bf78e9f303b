/*
 * opinion.c - the live opinion map: statements and votes from phones, the room's settings
 * and moderation, the snapshot, server-sent events, the map page, the phone page, exports.
 *
 * Who may take part: anyone who may see the session, signed in (they vote as themselves),
 * and, where the organizer turned it on for a public session, anonymous browsers (a cookie).
 * Votes and statements are limited per participant and per address against flooding (429
 * with Retry-After). A vote is committed before it is acknowledged; the map is recomputed
 * by the background worker (model/live.c), which then wakes the event streams.
 */
#include "web.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/util.h"
#include "http/ratelimit.h"
#include "http/sse.h"
#include "model/room.h"
#include "model/session.h"
#include "view/map.h"
#include "view/qr.h"
#include "view/sheet.h"
#include "view/view.h"

/* --- flood limits (http/ratelimit.c) and event streams (http/sse.c) --- */

struct opinion_limits {
	int statements_per_participant, statements_per_address;
	int votes_per_participant, votes_per_address;
};
static struct opinion_limits olimits = {10, 120, 300, 6000};
static struct ratelimit *limiter;
static struct sse_hub *hub;
static pthread_once_t limiter_once = PTHREAD_ONCE_INIT;

static void limiter_make(void)
{
	limiter = ratelimit_new(4096, 60, NULL, NULL);
}

void web_opinion_no_limits(void)
{
	olimits.statements_per_participant = olimits.statements_per_address = 1 << 30;
	olimits.votes_per_participant = olimits.votes_per_address = 1 << 30;
}

/* limit_hit counts one event for key; returns the seconds to wait when over max, else 0. */
static int limit_hit(const char *key, int max)
{
	pthread_once(&limiter_once, limiter_make);
	return limiter ? ratelimit_hit(limiter, key, max) : 0;
}

static int too_many(struct web_ctx *c, int wait)
{
	char ra[16];

	snprintf(ra, sizeof(ra), "%d", wait);
	if (http_resp_header(c->resp, "Retry-After", ra))
		log_warn("web: too many headers");
	return web_error(c, 429, "rate_limited", NULL, "操作过于频繁，请稍后再试",
			 "too many requests; please wait a moment");
}

void web_opinion_notify(int64_t session, int64_t version, void *ud)
{
	(void)ud;
	if (hub)
		sse_hub_notify(hub, session, version);
}

int web_opinion_start(void)
{
	struct sse_hub_config cfg = {
	    .event = "snapshot", .keepalive_us = 15000000, .beat_ms = 5000};

	/* the hub lives as long as the process: streams may end after the server quiesced */
	if (!hub)
		hub = sse_hub_new(&cfg);
	return hub ? ERR_OK : ERR_IO;
}

void web_opinion_quiesce(void *ud)
{
	(void)ud;
	if (hub)
		sse_hub_close(hub);
}

/* --- taking part --- */

/* open_to: the session is visible to the caller, or it is public and its room lets
 * anonymous browsers in (a stand-alone public consultation need not be scheduled). */
static bool open_to(struct web_ctx *c, const struct session_head *h, const struct room *r)
{
	if (session_visible(c->db, &c->actor, h))
		return true;
	return r && r->anonymous && strcmp(h->visibility, "public") == 0;
}

/* load_room loads session {id} (or id) and its room for the caller. With create, a session
 * without a room gets one (open, post-moderation, no anonymous browsers). */
static int load_room(struct web_ctx *c, int64_t id, bool create, struct session_head *h,
		     struct room *r, struct verr *e)
{
	int rc;

	if (!id)
		id = web_id(c, "id");
	if (!id)
		return ERR_NOT_FOUND;
	rc = session_head(c->db, id, h);
	if (rc)
		return rc;
	rc = room_get(c->db, id, r);
	if (rc == ERR_NOT_FOUND && create && c->actor.via != AUTH_NONE &&
	    session_visible(c->db, &c->actor, h)) {
		rc = web_begin(c);
		if (!rc)
			rc = web_finish(c, room_set(c->db, &c->actor, id, 0, NULL, 1, r, e));
	}
	if (rc == ERR_NOT_FOUND && c->actor.via == AUTH_NONE &&
	    !session_visible(c->db, &c->actor, h))
		return ERR_AUTH;
	if (rc)
		return rc;
	if (!open_to(c, h, r))
		return c->actor.via == AUTH_NONE ? ERR_AUTH : ERR_FORBIDDEN;
	if (c->actor.via == AUTH_NONE && !r->anonymous)
		return ERR_AUTH;
	return ERR_OK;
}

/* participant_for returns the caller's participant in room r, making it on first use; an
 * anonymous browser gets a cookie. */
static int participant_for(struct web_ctx *c, const struct room *r, int64_t *pid)
{
	const char *cookie = http_cookie(c->req, "sl_anon");
	char token[65], hash[65];

	if (c->actor.via != AUTH_NONE)
		return participant_of_user(c->db, r, &c->actor.user, pid);
	if (cookie && strlen(cookie) == 64) {
		snprintf(token, sizeof(token), "%s", cookie);
	} else {
		rand_token(32, token);
		if (web_set_cookie(c, "sl_anon", token, 365L * 86400, true))
			return ERR_TOO_BIG;
	}
	hash_token(token, 64, hash);
	return participant_of_anon(c->db, r, hash, web_field(c, "category", NULL), pid);
}

static bool session_closed(const struct session_head *h)
{
	return strcmp(h->status, "closed") == 0 || strcmp(h->status, "archived") == 0;
}

static int room_answer(struct web_ctx *c, int rc, const struct verr *e)
{
	if (rc == ERR_AUTH)
		return web_error_key(c, 401, "unauthorized");
	return web_answer(c, rc, e);
}

/* post_statement is shared by the API and the phone page. */
static int post_statement(struct web_ctx *c, int64_t session, int64_t *id, struct verr *e)
{
	struct session_head h;
	struct room r;
	bool bad = false;
	const char *text = web_field(c, "text", &bad);
	char key[64];
	int64_t pid;
	int rc, wait;

	rc = load_room(c, session, true, &h, &r, e);
	if (rc)
		return rc;
	if (!r.open || session_closed(&h))
		return verr_set(e, "closed", "session", "本场深聊会已停止征集观点",
				"this session is not taking statements"),
		       ERR_CONFLICT;
	if (bad)
		return verr_type(e, "text", "字符串", "a string");
	snprintf(key, sizeof(key), "sa:%s", c->req->addr);
	wait = limit_hit(key, olimits.statements_per_address);
	if (wait) {
		c->resp->status = wait;
		return ERR_LIMIT;
	}
	rc = web_begin(c);
	if (rc)
		return rc;
	rc = participant_for(c, &r, &pid);
	if (!rc) {
		snprintf(key, sizeof(key), "sp:%lld", (long long)pid);
		wait = limit_hit(key, olimits.statements_per_participant);
		if (wait) {
			c->resp->status = wait;
			rc = ERR_LIMIT;
		}
	}
	if (!rc)
		rc = statement_add(c->db, &r, pid, text, id, e);
	rc = web_finish(c, rc);
	if (!rc)
		live_touch(h.id);
	return rc;
}

/* limit_answer turns ERR_LIMIT (wait parked in resp->status) into 429. */
static int limit_answer(struct web_ctx *c, int rc, const struct verr *e)
{
	if (rc == ERR_LIMIT) {
		int wait = c->resp->status > 0 ? c->resp->status : 1;

		c->resp->status = 0;
		return too_many(c, wait);
	}
	return room_answer(c, rc, e);
}

int h_api_statements_create(struct web_ctx *c)
{
	struct verr e = {0};
	int64_t id;
	int rc = post_statement(c, 0, &id, &e);
	json_t *s;

	if (rc)
		return limit_answer(c, rc, &e);
	s = statement_get(c->db, id);
	return s ? web_json(c, 201, s) : web_fail(c, ERR_NOT_FOUND);
}

int h_api_statements_list(struct web_ctx *c)
{
	struct session_head h;
	struct room r;
	struct verr e = {0};
	int64_t pid = 0;
	int rc = load_room(c, 0, false, &h, &r, &e);

	if (rc == ERR_NOT_FOUND && session_head(c->db, web_id(c, "id"), &h) == ERR_OK &&
	    session_visible(c->db, &c->actor, &h))
		return web_json(c, 200, json_pack("{s[] sn}", "items", "next"));
	if (rc)
		return room_answer(c, rc, &e);
	if (c->actor.via != AUTH_NONE && participant_of_user(c->db, &r, &c->actor.user, &pid))
		pid = 0;
	return web_json(
	    c, 200,
	    json_pack("{so sn}", "items",
		      statements_list(c->db, h.id, session_editable(&c->actor, &h), pid), "next"));
}

/* cast_vote is shared by the API and the phone page. */
static int cast_vote(struct web_ctx *c, int64_t statement, int value, struct verr *e)
{
	struct statement_head s;
	struct session_head h;
	struct room r;
	char key[64];
	int64_t pid;
	int rc, wait;

	snprintf(key, sizeof(key), "va:%s", c->req->addr);
	wait = limit_hit(key, olimits.votes_per_address);
	if (wait) {
		c->resp->status = wait;
		return ERR_LIMIT;
	}
	/* one transaction for the reads and the write: each separate read would take and
	 * drop the database's shared lock again */
	rc = web_begin(c);
	if (rc)
		return rc;
	rc = statement_head(c->db, statement, &s);
	if (!rc) /* a statement's room exists: nothing to create inside this transaction */
		rc = load_room(c, s.session_id, false, &h, &r, e);
	if (!rc && (!r.open || session_closed(&h))) {
		verr_set(e, "closed", "session", "本场深聊会已停止表态",
			 "this session is not taking votes");
		rc = ERR_CONFLICT;
	}
	if (!rc)
		rc = participant_for(c, &r, &pid);
	if (!rc) {
		snprintf(key, sizeof(key), "vp:%lld", (long long)pid);
		wait = limit_hit(key, olimits.votes_per_participant);
		if (wait) {
			c->resp->status = wait;
			rc = ERR_LIMIT;
		}
	}
	if (!rc)
		rc = vote_put(c->db, &s, pid, value, e);
	rc = web_finish(c, rc);
	if (!rc)
		live_touch(s.session_id);
	return rc;
}

int h_api_statement_vote(struct web_ctx *c)
{
	struct verr e = {0};
	int64_t id = web_id(c, "id"), v = 2;
	bool present;
	int rc;

	if (!id)
		return web_error_key(c, 404, "not_found");
	if (!c->json || web_int_field(c, "vote", &v, &present) || !present || v < -1 || v > 1)
		return web_error(c,
				 c->json && json_object_get(c->json, "vote") &&
					 !json_is_integer(json_object_get(c->json, "vote"))
				     ? 400
				     : 422,
				 "invalid", "vote", "表态须为 1（赞成）、-1（反对）或 0（跳过）",
				 "vote must be 1 (agree), -1 (disagree) or 0 (pass)");
	rc = cast_vote(c, id, (int)v, &e);
	if (rc)
		return limit_answer(c, rc, &e);
	return web_json(c, 200,
			json_pack("{sI si}", "statement_id", (json_int_t)id, "vote", (int)v));
}

int h_api_statement_moderate(struct web_ctx *c)
{
	struct statement_head s;
	struct session_head h;
	struct verr e = {0};
	bool bad = false;
	const char *status = web_field(c, "status", &bad);
	int rc = statement_head(c->db, web_id(c, "id"), &s);
	json_t *j;

	if (!rc)
		rc = session_head(c->db, s.session_id, &h);
	if (!rc && !session_editable(&c->actor, &h))
		rc = ERR_FORBIDDEN;
	if (!rc && bad)
		rc = verr_type(&e, "status", "字符串", "a string");
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, statement_moderate(c->db, &c->actor, s.id, status, &e));
	if (rc)
		return web_answer(c, rc, &e);
	live_touch(s.session_id);
	j = statement_get(c->db, s.id);
	return j ? web_json(c, 200, j) : web_fail(c, ERR_NOT_FOUND);
}

static json_t *room_json(struct web_ctx *c, const struct room *r)
{
	char url[128];
	const char *host = http_header(c->req, "Host");

	snprintf(url, sizeof(url), "http://%s/j/%s", host ? host : "127.0.0.1", r->code);
	return json_pack("{sI ss sb sb ss ss}", "session_id", (json_int_t)r->session_id, "code",
			 r->code, "open", r->open, "anonymous", r->anonymous, "moderation",
			 r->moderation, "join_url", url);
}

/* set_room reads {"anonymous","moderation","open"} and applies it (editors). */
static int set_room(struct web_ctx *c, struct room *r, struct verr *e)
{
	struct session_head h;
	bool anon = false, open = true, pa, po;
	bool bad = false;
	const char *mod = web_field(c, "moderation", &bad);
	int rc = session_head(c->db, web_id(c, "id"), &h);

	if (!rc && !session_editable(&c->actor, &h))
		rc = ERR_FORBIDDEN;
	if (!rc && bad)
		rc = verr_type(e, "moderation", "字符串", "a string");
	if (!rc && web_bool_field(c, "anonymous", &anon, &pa))
		rc = verr_type(e, "anonymous", "布尔值", "a boolean");
	if (!rc && web_bool_field(c, "open", &open, &po))
		rc = verr_type(e, "open", "布尔值", "a boolean");
	if (!rc && !c->json && !form_get(&c->form, "open"))
		open = true;
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, room_set(c->db, &c->actor, h.id, pa ? anon : -1, mod,
					    po || !c->json ? open : -1, r, e));
	if (!rc)
		live_touch(h.id);
	return rc;
}

int h_api_room_get(struct web_ctx *c)
{
	struct session_head h;
	struct room r;
	struct verr e = {0};
	int rc = load_room(c, 0, false, &h, &r, &e);

	return rc ? room_answer(c, rc, &e) : web_json(c, 200, room_json(c, &r));
}

int h_api_room_set(struct web_ctx *c)
{
	struct room r;
	struct verr e = {0};
	int rc = set_room(c, &r, &e);

	return rc ? web_answer(c, rc, &e) : web_json(c, 200, room_json(c, &r));
}

/* snapshot_for returns the session's snapshot, computing the first one on the spot. */
static json_t *snapshot_for(struct web_ctx *c, int64_t session, int64_t *version)
{
	json_t *s = snapshot_get(c->db, session, version);

	if (s)
		return s;
	if (live_compute(c->db, session, version) != ERR_OK)
		return NULL;
	return snapshot_get(c->db, session, version);
}

/* load_visible_session: the session, visible to the caller, or open to anonymous
 * browsers through its room. */
static int load_visible_session(struct web_ctx *c, struct session_head *h)
{
	int64_t id = web_id(c, "id");
	struct room r;
	int rc = id ? session_head(c->db, id, h) : ERR_NOT_FOUND;
	bool has_room = !rc && room_get(c->db, id, &r) == ERR_OK;

	if (!rc && !open_to(c, h, has_room ? &r : NULL))
		rc = c->actor.via == AUTH_NONE ? ERR_AUTH : ERR_FORBIDDEN;
	return rc;
}

int h_api_opinion(struct web_ctx *c)
{
	struct session_head h;
	int64_t version;
	json_t *s;
	int rc = load_visible_session(c, &h);

	if (rc)
		return room_answer(c, rc, NULL);
	s = snapshot_for(c, h.id, &version);
	if (!s)
		return web_fail(c, ERR_DB);
	json_object_set_new(s, "version", json_integer(version));
	return web_json(c, 200, s);
}

int h_api_events(struct web_ctx *c)
{
	struct session_head h;
	int rc = load_visible_session(c, &h);

	if (rc)
		return room_answer(c, rc, NULL);
	if (!hub)
		return web_fail(c, ERR_IO);
	rc = sse_hub_attach(hub, h.id, snapshot_version(c->db, h.id), c->resp);
	return rc ? web_fail(c, rc) : 0;
}

/* --- exports --- */

static int opinion_export(struct web_ctx *c, bool xlsx)
{
	struct session_head h;
	struct sheet sheets[3];
	json_t *x, *s, *rows[3], *hdr[3], *e;
	int64_t version;
	char disp[96];
	size_t i;
	int rc = load_visible_session(c, &h);

	if (!rc && !session_editable(&c->actor, &h))
		rc = ERR_FORBIDDEN;
	if (rc)
		return room_answer(c, rc, NULL);
	x = room_export(c->db, h.id);
	s = snapshot_for(c, h.id, &version);
	for (i = 0; i < 3; i++)
		rows[i] = json_array();
	hdr[0] = json_pack("[ssss]", "statement", "text", "status", "created_at");
	hdr[1] = json_pack("[sss]", "statement", "participant", "vote");
	hdr[2] = json_pack("[sssss]", "participant", "category", "group", "x", "y");
	json_array_foreach(json_object_get(x, "statements"), i, e) json_array_append_new(
	    rows[0], json_pack("[OOOO]", json_object_get(e, "id"), json_object_get(e, "text"),
			       json_object_get(e, "status"), json_object_get(e, "created_at")));
	json_array_foreach(json_object_get(x, "votes"), i, e) json_array_append_new(
	    rows[1], json_pack("[OOO]", json_object_get(e, "statement"),
			       json_object_get(e, "participant"), json_object_get(e, "vote")));
	json_array_foreach(s ? json_object_get(s, "participants") : NULL, i, e)
	    json_array_append_new(
		rows[2], json_pack("[OOOOO]", json_object_get(e, "id"),
				   json_object_get(e, "category"), json_object_get(e, "group"),
				   json_object_get(e, "x"), json_object_get(e, "y")));
	sheets[0] = (struct sheet){"statements", hdr[0], rows[0]};
	sheets[1] = (struct sheet){"votes", hdr[1], rows[1]};
	sheets[2] = (struct sheet){"groups", hdr[2], rows[2]};
	if (xlsx) {
		rc = sheet_xlsx(sheets, 3, &c->resp->body);
	} else {
		struct buf part;

		buf_init(&part, BUF_MAX_DEFAULT);
		for (i = 0; !rc && i < 3; i++) {
			buf_reset(&part);
			rc = sheet_csv(&sheets[i], &part);
			if (!rc && i == 0)
				rc = buf_append(&c->resp->body, part.p, 3);
			if (!rc)
				rc = buf_printf(&c->resp->body, "%s%s\r\n", i ? "\r\n" : "",
						sheets[i].name);
			if (!rc)
				rc = buf_append(&c->resp->body, part.p + 3, part.n - 3);
		}
		buf_fini(&part);
	}
	for (i = 0; i < 3; i++) {
		json_decref(rows[i]);
		json_decref(hdr[i]);
	}
	json_decref(x);
	json_decref(s);
	if (rc)
		return web_fail(c, rc);
	c->resp->status = 200;
	c->resp->content_type = xlsx ? sheet_xlsx_type : sheet_csv_type;
	snprintf(disp, sizeof(disp), "attachment; filename=\"opinion-%lld.%s\"", (long long)h.id,
		 xlsx ? "xlsx" : "csv");
	return http_resp_header(c->resp, "Content-Disposition", disp) ? web_fail(c, ERR_TOO_BIG)
								      : 0;
}

int h_api_opinion_csv(struct web_ctx *c)
{
	return opinion_export(c, false);
}

int h_api_opinion_xlsx(struct web_ctx *c)
{
	return opinion_export(c, true);
}

/* --- pages --- */

/* decorate adds what the map page shows to a snapshot: statement texts by id in the group
 * cards and consensus lists, colours, agree/disagree bar widths, labels. */
static void decorate(struct web_ctx *c, json_t *s)
{
	json_t *texts = json_object(), *x, *y;
	size_t i, k;
	char key[64];

	json_array_foreach(json_object_get(s, "statements"), i, x)
	{
		char id[24];

		snprintf(id, sizeof(id), "%lld",
			 (long long)json_integer_value(json_object_get(x, "id")));
		json_object_set(texts, id, json_object_get(x, "text"));
	}
	json_array_foreach(json_object_get(s, "groups"), i, x)
	{
		json_object_set_new(x, "label", json_sprintf("%c", 'A' + (int)i));
		json_object_set_new(x, "color", json_string(map_group_color((int)i)));
		json_array_foreach(json_object_get(x, "repness"), k, y)
		{
			double p = json_number_value(json_object_get(y, "p"));

			json_object_set(y, "text",
					json_object_get(texts, json_string_value(json_object_get(
								   y, "statement"))));
			json_object_set_new(y, "pct", json_integer((json_int_t)(p * 100 + 0.5)));
			json_object_set_new(
			    y, "agree",
			    json_boolean(strcmp(json_string_value(json_object_get(y, "direction")),
						"agree") == 0));
		}
	}
	for (k = 0; k < 2; k++)
		json_array_foreach(
		    json_object_get(json_object_get(s, "consensus"), k ? "disagree" : "agree"), i,
		    y)
		{
			json_object_set(y, "text",
					json_object_get(texts, json_string_value(json_object_get(
								   y, "statement"))));
			json_object_set_new(
			    y, "pct",
			    json_integer(
				(json_int_t)(json_number_value(json_object_get(y, "p")) * 100 +
					     0.5)));
		}
	json_array_foreach(json_object_get(json_object_get(s, "categories"), "present"), i, x)
	{
		snprintf(key, sizeof(key), "cat_%s",
			 json_string_value(json_object_get(x, "category")));
		json_object_set_new(x, "label", json_string(view_text(c->lang, key)));
	}
	json_array_foreach(json_object_get(json_object_get(s, "categories"), "statements"), i, x)
	{
		json_t *cells = json_array();

		json_object_set(
		    x, "text",
		    json_object_get(texts, json_string_value(json_object_get(x, "statement"))));
		json_array_foreach(json_object_get(json_object_get(s, "categories"), "present"), k,
				   y)
		{
			json_t *st =
			    json_object_get(json_object_get(x, "by_category"),
					    json_string_value(json_object_get(y, "category")));

			json_array_append_new(
			    cells,
			    json_pack(
				"{si}", "pct",
				st ? (int)(json_number_value(json_object_get(st, "share")) * 100 +
					   0.5)
				   : 0));
		}
		json_object_set_new(x, "cells", cells);
		json_object_set_new(
		    x, "consensus_pct",
		    json_integer(
			(json_int_t)(json_number_value(json_object_get(x, "consensus")) * 100 +
				     0.5)));
	}
	json_decref(texts);
}

static int map_context(struct web_ctx *c, const struct session_head *h, json_t **out)
{
	int64_t version;
	json_t *s = snapshot_for(c, h->id, &version), *ctx;
	struct buf b;

	if (!s)
		return ERR_DB;
	decorate(c, s);
	buf_init(&b, 4 << 20);
	ctx = json_pack("{so sI sb}", "snap", s, "version", (json_int_t)version, "show_groups",
			!json_is_true(json_object_get(s, "too_few_voters")) &&
			    json_array_size(json_object_get(s, "groups")) > 0);
	if (map_svg(s, &b) == ERR_OK)
		json_object_set_new(ctx, "map_svg", json_string(buf_cstr(&b)));
	buf_fini(&b);
	*out = ctx;
	return ERR_OK;
}

int h_map_page(struct web_ctx *c)
{
	struct session_head h;
	struct room r;
	json_t *ctx, *session;
	struct buf qr;
	char url[160];
	bool edit;
	int rc = load_visible_session(c, &h);

	if (rc == ERR_AUTH) {
		snprintf(url, sizeof(url), "/login?next=/sessions/%lld/map",
			 (long long)web_id(c, "id"));
		return web_redirect(c, url);
	}
	if (rc)
		return web_answer(c, rc, NULL);
	edit = session_editable(&c->actor, &h);
	rc = map_context(c, &h, &ctx);
	if (rc)
		return web_fail(c, rc);
	session = session_get(c->db, h.id, false, false);
	json_object_set_new(ctx, "session", session ? session : json_object());
	json_object_set_new(ctx, "can_edit", json_boolean(edit));
	if (room_get(c->db, h.id, &r) == ERR_OK) {
		const char *host = http_header(c->req, "Host");

		snprintf(url, sizeof(url), "http://%s/j/%s", host ? host : "127.0.0.1", r.code);
		buf_init(&qr, 1 << 20);
		if (qr_svg(url, &qr) == ERR_OK)
			json_object_set_new(ctx, "qr_svg", json_string(buf_cstr(&qr)));
		buf_fini(&qr);
		json_object_set_new(ctx, "room", room_json(c, &r));
		json_object_set_new(ctx, "pre", json_boolean(strcmp(r.moderation, "pre") == 0));
	}
	if (edit)
		json_object_set_new(ctx, "moderation", statements_list(c->db, h.id, true, 0));
	return web_render(c, 200, "map", ctx);
}

int h_map_fragment(struct web_ctx *c)
{
	struct session_head h;
	json_t *ctx;
	int rc = load_visible_session(c, &h);

	if (!rc)
		rc = map_context(c, &h, &ctx);
	if (rc)
		return room_answer(c, rc, NULL);
	return web_render(c, 200, "map_live", ctx);
}

int h_room_post(struct web_ctx *c)
{
	struct room r;
	struct verr e = {0};
	char loc[64];
	int rc = set_room(c, &r, &e);

	if (rc)
		return web_answer(c, rc, &e);
	snprintf(loc, sizeof(loc), "/sessions/%lld/map", (long long)web_id(c, "id"));
	return web_redirect(c, loc);
}

int h_statement_moderate_post(struct web_ctx *c)
{
	struct statement_head s;
	struct session_head h;
	struct verr e = {0};
	char loc[64];
	int rc = statement_head(c->db, web_id(c, "id"), &s);

	if (!rc)
		rc = session_head(c->db, s.session_id, &h);
	if (!rc && !session_editable(&c->actor, &h))
		rc = ERR_FORBIDDEN;
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, statement_moderate(c->db, &c->actor, s.id,
						      web_field(c, "status", NULL), &e));
	if (rc)
		return web_answer(c, rc, &e);
	live_touch(s.session_id);
	snprintf(loc, sizeof(loc), "/sessions/%lld/map#moderation", (long long)s.session_id);
	return web_redirect(c, loc);
}

/* the phone page, reached by the join code */

static int join_room(struct web_ctx *c, struct room *r, struct session_head *h)
{
	const char *code = http_param(c->req, "code");
	int rc;

	if (!code)
		return ERR_NOT_FOUND;
	rc = room_by_code(c->db, code, r);
	if (!rc)
		rc = session_head(c->db, r->session_id, h);
	if (!rc && !open_to(c, h, r))
		rc = c->actor.via == AUTH_NONE ? ERR_AUTH : ERR_FORBIDDEN;
	if (!rc && c->actor.via == AUTH_NONE && !r->anonymous)
		rc = ERR_AUTH;
	return rc;
}

static int phone_page(struct web_ctx *c, int status, const char *error, const char *notice)
{
	struct session_head h;
	struct room r;
	json_t *list, *x, *next = NULL, *session;
	int64_t pid = 0, version;
	size_t i, voted = 0;
	char loc[96];
	int rc = join_room(c, &r, &h);

	if (rc == ERR_AUTH) {
		snprintf(loc, sizeof(loc), "/login?next=/j/%s", http_param(c->req, "code"));
		return web_redirect(c, loc);
	}
	if (rc)
		return web_answer(c, rc, NULL);
	if (c->actor.via != AUTH_NONE) {
		if (participant_of_user(c->db, &r, &c->actor.user, &pid))
			pid = 0;
	} else if (http_cookie(c->req, "sl_anon")) {
		char hash[65];
		const char *ck = http_cookie(c->req, "sl_anon");

		hash_token(ck, strlen(ck), hash);
		if (participant_of_anon(c->db, &r, hash, NULL, &pid))
			pid = 0;
	}
	if (web_anon_csrf(c))
		return web_fail(c, ERR_TOO_BIG);
	list = statements_list(c->db, h.id, false, pid);
	json_array_foreach(list, i, x)
	{
		if (json_is_null(json_object_get(x, "my_vote"))) {
			if (!next)
				next = json_incref(x);
		} else {
			voted++;
		}
	}
	session = session_get(c->db, h.id, false, false);
	x = snapshot_get(c->db, h.id, &version);
	if (x)
		decorate(c, x);
	{
		json_t *ctx = json_pack("{so so so ss si si sb ss? ss? sI sb}", "session",
					session ? session : json_object(), "statements", list,
					"next", next ? next : json_null(), "code", r.code, "voted",
					(int)voted, "total", (int)json_array_size(list), "open",
					r.open && !session_closed(&h), "error", error, "notice",
					notice, "version", (json_int_t)version, "anonymous",
					c->actor.via == AUTH_NONE);

		if (x)
			json_object_set_new(ctx, "snap", x);
		return web_render(c, status, "join", ctx);
	}
}

int h_join_page(struct web_ctx *c)
{
	return phone_page(c, 200, NULL, NULL);
}

int h_join_vote(struct web_ctx *c)
{
	struct verr e = {0};
	int64_t sid = 0, v = 0;
	bool present;
	char loc[64];
	int rc;

	if (web_int_field(c, "statement_id", &sid, &present) || !present ||
	    web_int_field(c, "vote", &v, &present) || !present || v < -1 || v > 1)
		return phone_page(c, 422, view_text(c->lang, "room_bad_vote"), NULL);
	rc = cast_vote(c, sid, (int)v, &e);
	if (rc == ERR_LIMIT) {
		c->resp->status = 0;
		return phone_page(c, 429, view_text(c->lang, "err_rate_limited_room"), NULL);
	}
	if (rc == ERR_INVALID || rc == ERR_CONFLICT)
		return phone_page(c, rc == ERR_CONFLICT ? 409 : 422, web_verr_text(c, &e), NULL);
	if (rc)
		return room_answer(c, rc, &e);
	snprintf(loc, sizeof(loc), "/j/%s", http_param(c->req, "code"));
	return web_redirect(c, loc);
}

int h_join_statement(struct web_ctx *c)
{
	struct session_head h;
	struct room r;
	struct verr e = {0};
	int64_t id;
	char loc[64];
	int rc = join_room(c, &r, &h);

	if (!rc)
		rc = post_statement(c, r.session_id, &id, &e);
	if (rc == ERR_LIMIT) {
		c->resp->status = 0;
		return phone_page(c, 429, view_text(c->lang, "err_rate_limited_room"), NULL);
	}
	if (rc == ERR_INVALID || rc == ERR_CONFLICT)
		return phone_page(c, rc == ERR_CONFLICT ? 409 : 422, web_verr_text(c, &e), NULL);
	if (rc)
		return room_answer(c, rc, &e);
	snprintf(loc, sizeof(loc), "/j/%s?posted=1", http_param(c->req, "code"));
	return web_redirect(c, loc);
}
