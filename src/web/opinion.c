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
#include "sessions.h"
#include "web.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/util.h"
#include "http/ratelimit.h"
#include "http/sse.h"
#include "model/correction.h"
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
	struct sse_hub_config cfg = {.event = "snapshot",
				     .keepalive_us = 15000000,
				     .beat_ms = 5000,
				     .max_streams = web_options.max_streams,
				     .stuck_us = 30000000};
	static bool sharded;

	/* N processes behind a load balancer: each keeps its share of every flood limit */
	if (!sharded && web_options.processes > 1) {
		int n = web_options.processes;

		olimits.statements_per_participant =
		    limit_share(olimits.statements_per_participant, n);
		olimits.statements_per_address = limit_share(olimits.statements_per_address, n);
		olimits.votes_per_participant = limit_share(olimits.votes_per_participant, n);
		olimits.votes_per_address = limit_share(olimits.votes_per_address, n);
		sharded = true;
	}

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

/* --- JSON: each entity made in one place, for the API and the pages alike --- */

static const char *const author_names[] = {"none", "participant", "anonymous", "imported"};

/* statement_to_json: the statement as the API and the templates see it; with_vote adds
 * my_vote (the asking participant's vote, or null). */
static json_t *statement_to_json(const struct statement *s, bool with_vote)
{
	char t[26];
	json_t *j;

	time_local(s->created_at, t);
	j = json_pack("{sI sI ss ss ss ss sI sI sI}", "id", (json_int_t)s->id, "session_id",
		      (json_int_t)s->session_id, "text", s->text, "status", s->status, "created_at",
		      t, "author", author_names[s->author & 3], "agree", (json_int_t)s->agree,
		      "disagree", (json_int_t)s->disagree, "pass", (json_int_t)s->pass);
	if (j && with_vote)
		json_object_set_new(j, "my_vote",
				    s->voted ? json_integer(s->my_vote) : json_null());
	return j;
}

static json_t *statements_to_json(const struct statement_list *l, bool with_vote)
{
	json_t *a = json_array();

	for (size_t i = 0; i < l->n; i++)
		json_array_append_new(a, statement_to_json(&l->items[i], with_vote));
	return a;
}

static json_t *room_to_json(struct web_ctx *c, const struct room *r)
{
	char url[320];
	(void)c;

	/* the link leaves the server (printed, in a QR code): from --public-url, never from
	 * the request's Host header, which the client writes */
	snprintf(url, sizeof(url), "%s/j/%s", web_options.public_url, r->code);
	return json_pack("{sI ss sb sb ss ss}", "session_id", (json_int_t)r->session_id, "code",
			 r->code, "open", r->open, "anonymous", r->anonymous, "moderation",
			 r->moderation, "join_url", url);
}

/* opinion_json returns the session's snapshot (computing the first one on the spot) with
 * its "version": the one producer of the opinion map's JSON, for the API, the exports and
 * the pages (which decorate it). NULL when it cannot be made. */
static json_t *opinion_json(struct web_ctx *c, int64_t session, int64_t *version)
{
	json_t *s = snapshot_get(c->db, session, version);

	if (!s && live_compute(c->db, session, version) == ERR_OK)
		s = snapshot_get(c->db, session, version);
	if (s)
		json_object_set_new(s, "version", json_integer(*version));
	return s;
}

/* --- taking part --- */

/* participant_for returns the caller's participant in room r, making it on first use; an
 * anonymous browser gets a cookie. Inside the caller's transaction. */
static int participant_for(struct web_ctx *c, const struct room *r, const char *category,
			   int64_t *pid)
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
	return participant_of_anon(c->db, r, hash, category, pid);
}

/* known_participant finds the caller's participant without making one (0: none yet). */
static int64_t known_participant(struct web_ctx *c, const struct room *r)
{
	const char *ck = http_cookie(c->req, "sl_anon");
	int64_t pid = 0;
	char hash[65];

	if (c->actor.via != AUTH_NONE) {
		if (participant_of_user(c->db, r, &c->actor.user, &pid))
			pid = 0;
	} else if (ck) {
		hash_token(ck, strlen(ck), hash);
		if (participant_of_anon(c->db, r, hash, NULL, &pid))
			pid = 0;
	}
	return pid;
}

/* over_limit counts one event for "<prefix>:<who>" against max; the seconds to wait when
 * over go to *wait (ERR_LIMIT). */
static int over_limit(const char *prefix, const char *who, int64_t id, int max, int *wait)
{
	char key[64];

	if (who)
		snprintf(key, sizeof(key), "%s:%s", prefix, who);
	else
		snprintf(key, sizeof(key), "%s:%lld", prefix, (long long)id);
	*wait = limit_hit(key, max);
	return *wait ? ERR_LIMIT : ERR_OK;
}

static int closed_err(struct verr *e, bool votes)
{
	if (votes)
		verr_set(e, "closed", "session", "本场深聊会已停止表态",
			 "this session is not taking votes");
	else
		verr_set(e, "closed", "session", "本场深聊会已停止征集观点",
			 "this session is not taking statements");
	return ERR_CONFLICT;
}

/* A statement as posted: to session (API) or to the room with join code (phone page). */
struct statement_req {
	int64_t session;
	const char *code;
	const char *text;
	bool text_bad; /* present but not a string */
	const char *category;
};

static void parse_statement(struct web_ctx *c, int64_t session, const char *code,
			    struct statement_req *q)
{
	memset(q, 0, sizeof(*q));
	q->session = session;
	q->code = code;
	q->text = web_field(c, "text", &q->text_bad);
	q->category = web_field(c, "category", NULL);
}

/* post_statement: authorize, validate, then one transaction (making the room on the first
 * statement of a session without one), shared by the API and the phone page. The address
 * is counted before any database work; *wait gets the seconds to wait on ERR_LIMIT. */
static int post_statement(struct web_ctx *c, const struct statement_req *q, int64_t *id, int *wait,
			  struct verr *e)
{
	struct room_access ra;
	int64_t pid;
	int rc;

	rc = over_limit("sa", c->req->addr, 0, olimits.statements_per_address, wait);
	if (rc)
		return rc;
	rc = q->code ? room_authorize_code(c->db, &c->actor, q->code, ROOM_TAKE_PART, &ra)
		     : room_authorize(c->db, &c->actor, q->session, ROOM_TAKE_PART, &ra);
	if (rc)
		return rc;
	if ((ra.has_room && !room_accepts(&ra)) || strcmp(ra.session.status, "closed") == 0 ||
	    strcmp(ra.session.status, "archived") == 0)
		return closed_err(e, false);
	if (q->text_bad)
		return verr_type(e, "text", "字符串", "a string");
	rc = web_begin(c);
	if (rc)
		return rc;
	if (!ra.has_room) { /* read again under the write lock: someone may have made it */
		rc = room_get(c->db, ra.session.id, &ra.room);
		if (rc == ERR_NOT_FOUND) /* open, post-moderation, no anonymous browsers */
			rc = room_set(c->db, &c->actor, ra.session.id, 0, NULL, 1, &ra.room, e);
	}
	if (!rc)
		rc = participant_for(c, &ra.room, q->category, &pid);
	if (!rc)
		rc = over_limit("sp", NULL, pid, olimits.statements_per_participant, wait);
	if (!rc)
		rc = statement_add(c->db, &ra.room, pid, q->text, id, e);
	rc = web_finish(c, rc);
	if (!rc)
		live_touch(ra.session.id);
	return rc;
}

/* api_answer: ERR_LIMIT becomes 429 with Retry-After, the rest the usual mapping. */
static int api_answer(struct web_ctx *c, int rc, int wait, const struct verr *e)
{
	if (rc == ERR_LIMIT)
		return too_many(c, wait > 0 ? wait : 1);
	return web_answer(c, rc, e);
}

static int statement_answer(struct web_ctx *c, int status, int64_t id)
{
	struct statement s;
	int rc = statement_get(c->db, id, &s);

	if (rc)
		return web_fail(c, rc);
	rc = web_json(c, status, statement_to_json(&s, false));
	statement_release(&s);
	return rc;
}

int h_api_statements_create(struct web_ctx *c)
{
	struct statement_req q;
	struct verr e = {0};
	int64_t id;
	int wait = 0, rc;

	parse_statement(c, web_id(c, "id"), NULL, &q);
	rc = post_statement(c, &q, &id, &wait, &e);
	if (rc)
		return api_answer(c, rc, wait, &e);
	return statement_answer(c, 201, id);
}

int h_api_statements_list(struct web_ctx *c)
{
	struct room_access ra;
	struct statement_list l;
	int64_t pid;
	json_t *items;
	int rc = room_authorize(c->db, &c->actor, web_id(c, "id"), ROOM_TAKE_PART, &ra);

	if (rc)
		return web_answer(c, rc, NULL);
	if (!ra.has_room)
		return web_json(c, 200, json_pack("{s[] sn}", "items", "next"));
	pid = known_participant(c, &ra.room);
	rc = statement_list(c->db, ra.session.id, ra.editable, pid, &l);
	items = rc ? NULL : statements_to_json(&l, true);
	statement_list_release(&l);
	if (rc)
		return web_fail(c, rc);
	return web_json(c, 200, json_pack("{so sn}", "items", items, "next"));
}

/* A vote as cast: on statement, with value; code: the phone page's room (the statement
 * must be one of its own). */
struct vote_req {
	int64_t statement;
	int value;
	const char *code;
	const char *category; /* an anonymous browser's declared category, on its first vote */
};

/* cast_vote is shared by the API and the phone page. The hot path (docs/PERFORMANCE.md):
 * the address is counted before any database work, then one transaction holds the
 * authorization's reads and the write (each separate read would take and drop the
 * database's shared lock again). *wait gets the seconds to wait on ERR_LIMIT. */
static int write_vote(struct web_ctx *c, const struct vote_req *q, int *wait, struct verr *e)
{
	struct statement_head s;
	struct room_access ra;
	int64_t pid;
	int rc;

	rc = web_begin(c);
	if (rc)
		return rc;
	rc = statement_authorize(c->db, &c->actor, q->statement, ROOM_TAKE_PART, &s, &ra);
	if (!rc && q->code && strcmp(ra.room.code, q->code) != 0)
		rc = ERR_NOT_FOUND;
	if (!rc && !room_accepts(&ra))
		rc = closed_err(e, true);
	if (!rc)
		rc = participant_for(c, &ra.room, q->category, &pid);
	if (!rc)
		rc = over_limit("vp", NULL, pid, olimits.votes_per_participant, wait);
	if (!rc)
		rc = vote_put(c->db, &s, pid, q->value, e);
	rc = web_finish(c, rc);
	if (!rc)
		live_touch(s.session_id);
	return rc;
}

static int cast_vote(struct web_ctx *c, const struct vote_req *q, int *wait, struct verr *e)
{
	int rc = over_limit("va", c->req->addr, 0, olimits.votes_per_address, wait);

	return rc ? rc : write_vote(c, q, wait, e);
}

/* --- the API's votes by group commit (model/votequeue.c) ---
 *
 * The address is counted here; then the request is deferred (web_defer) and the vote, as
 * asked, queued for the writer, which checks it inside its batch's transaction as
 * write_vote would (the same answers for the same refusals), counts it against the
 * participant's limit, and answers on its thread once the batch committed. */

struct vote_later {
	struct web_ctx *c; /* web_defer's */
	struct vote_ask a;
	char category[24];
};

static int participant_limit(int64_t participant, int *wait)
{
	return over_limit("vp", NULL, participant, olimits.votes_per_participant, wait);
}

static int busy_answer(struct web_ctx *c)
{
	if (http_resp_header(c->resp, "Retry-After", "1"))
		log_warn("web: too many headers");
	return web_error(c, 503, "busy", NULL, "表态人数过多，请稍后再试",
			 "too many votes at once, please try again in a moment");
}

static void vote_settled(void *ud, int rc, const struct verr *e, int wait)
{
	struct vote_later *l = ud;
	struct web_ctx *c = l->c;

	if (rc == ERR_OK)
		web_json(c, 200,
			 json_pack("{sI si}", "statement_id", (json_int_t)l->a.statement, "vote",
				   l->a.value));
	else
		api_answer(c, rc, wait, e);
	web_deferred_send(c);
	free(l);
}

/* queue_vote: ERR_OK when the answer is deferred to the writer; ERR_UNSUPPORTED when the
 * writer is not running (vote with write_vote); another error to answer now. */
static int queue_vote(struct web_ctx *c, const struct vote_req *q)
{
	const char *cookie = http_cookie(c->req, "sl_anon");
	struct vote_later *l;
	char token[65];
	int rc;

	if (!vote_queue_running())
		return ERR_UNSUPPORTED;
	l = calloc(1, sizeof(*l));
	if (!l)
		return ERR_NOMEM;
	l->a.actor = c->actor;
	l->a.statement = q->statement;
	l->a.value = q->value;
	l->a.limit = participant_limit;
	if (q->category) {
		snprintf(l->category, sizeof(l->category), "%s", q->category);
		l->a.category = l->category;
	}
	if (c->actor.via == AUTH_NONE) {
		/* as participant_for: the browser's cookie, or a new one with this answer */
		if (cookie && strlen(cookie) == 64) {
			snprintf(token, sizeof(token), "%s", cookie);
		} else {
			rand_token(32, token);
			if (web_set_cookie(c, "sl_anon", token, 365L * 86400, true)) {
				free(l);
				return ERR_TOO_BIG;
			}
		}
		hash_token(token, 64, l->a.anon_hash);
	}
	l->c = web_defer(c);
	if (!l->c) {
		free(l);
		return ERR_NOMEM;
	}
	rc = vote_queue_put(&l->a, vote_settled, l);
	if (rc) { /* deferred already: the answer goes on the deferred context */
		busy_answer(l->c);
		web_deferred_send(l->c);
		free(l);
	}
	return ERR_OK;
}

int h_api_statement_vote(struct web_ctx *c)
{
	struct vote_req q = {web_id(c, "id"), 0, NULL, web_field(c, "category", NULL)};
	struct verr e = {0};
	int64_t v = 2;
	bool present;
	int wait = 0, rc;

	if (!q.statement)
		return web_error_key(c, 404, "not_found");
	if (!c->json || web_int_field(c, "vote", &v, &present) || !present || v < -1 || v > 1) {
		struct statement_head s;
		struct room_access ra;

		/* a bad vote is named only to a caller who may vote on this statement; to anyone
		 * else it is as absent (or as much in need of a sign-in) as with a good vote */
		rc = statement_authorize(c->db, &c->actor, q.statement, ROOM_TAKE_PART, &s, &ra);
		if (rc)
			return web_answer(c, rc, NULL);
		return web_error(c,
				 c->json && json_object_get(c->json, "vote") &&
					 !json_is_integer(json_object_get(c->json, "vote"))
				     ? 400
				     : 422,
				 "invalid", "vote", "表态须为 1（赞成）、-1（反对）或 0（跳过）",
				 "vote must be 1 (agree), -1 (disagree) or 0 (pass)");
	}
	q.value = (int)v;
	rc = over_limit("va", c->req->addr, 0, olimits.votes_per_address, &wait);
	if (!rc) {
		rc = queue_vote(c, &q);
		if (rc == ERR_OK)
			return 0; /* answered by the writer */
	}
	if (rc == ERR_UNSUPPORTED)
		rc = write_vote(c, &q, &wait, &e);
	if (rc)
		return api_answer(c, rc, wait, &e);
	return web_json(
	    c, 200, json_pack("{sI si}", "statement_id", (json_int_t)q.statement, "vote", q.value));
}

/* moderate: authorize (organizers of the session's body), validate, one transaction. */
static int moderate(struct web_ctx *c, int64_t id, const char *status, bool status_bad,
		    int64_t *session, struct verr *e)
{
	struct statement_head s;
	struct room_access ra;
	int rc = statement_authorize(c->db, &c->actor, id, ROOM_MANAGE, &s, &ra);

	if (rc)
		return rc;
	if (status_bad)
		return verr_type(e, "status", "字符串", "a string");
	rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, statement_moderate(c->db, &c->actor, s.id, status, e));
	if (!rc) {
		live_touch(s.session_id);
		*session = s.session_id;
	}
	return rc;
}

/* A correction of a statement by its session's organizers (model/correction.h): its text,
 * the status with it, the reason a closed session asks for. */
struct statement_fix {
	const char *text, *status, *reason;
	bool text_bad, status_bad, reason_bad;
};

/* correct: authorize (organizers of the session's body), validate, one transaction. */
static int correct(struct web_ctx *c, int64_t id, const struct statement_fix *q, bool drop,
		   int64_t *session, struct verr *e)
{
	struct statement_head s;
	struct room_access ra;
	int rc = statement_authorize(c->db, &c->actor, id, ROOM_MANAGE, &s, &ra);

	if (rc)
		return rc;
	if (q->text_bad || q->status_bad || q->reason_bad)
		return verr_type(e,
				 q->text_bad	 ? "text"
				 : q->status_bad ? "status"
						 : "reason",
				 "字符串", "a string");
	rc = web_begin(c);
	if (!rc && drop)
		rc = statement_delete(c->db, &c->actor, s.id, q->reason, e);
	if (!rc && !drop)
		rc = statement_edit(c->db, &c->actor, s.id, q->text, q->reason, e);
	if (!rc && !drop && q->status)
		rc = statement_moderate(c->db, &c->actor, s.id, q->status, e);
	rc = web_finish(c, rc);
	if (!rc) {
		live_touch(s.session_id); /* the map is recomputed without it */
		*session = s.session_id;
	}
	return rc;
}

int h_api_statement_moderate(struct web_ctx *c)
{
	struct verr e = {0};
	struct statement_fix q = {0};
	int64_t id = web_id(c, "id"), session;
	int rc;

	q.status = web_field(c, "status", &q.status_bad);
	q.text = web_field(c, "text", &q.text_bad);
	q.reason = web_field(c, "reason", &q.reason_bad);
	if (q.text || q.text_bad) /* a correction of the text (and the status with it) */
		rc = correct(c, id, &q, false, &session, &e);
	else
		rc = moderate(c, id, q.status, q.status_bad, &session, &e);
	if (rc)
		return web_answer(c, rc, &e);
	return statement_answer(c, 200, id);
}

int h_api_statement_delete(struct web_ctx *c)
{
	struct verr e = {0};
	struct statement_fix q = {0};
	int64_t session;
	int rc;

	q.reason = http_query(c->req, "reason");
	rc = correct(c, web_id(c, "id"), &q, true, &session, &e);
	if (rc)
		return web_answer(c, rc, &e);
	return web_no_content(c);
}

/* A change of the room's settings: -1 leaves a setting as it is. */
struct room_req {
	int64_t session;
	int anonymous, open;
	const char *moderation;
	bool moderation_bad, anonymous_bad, open_bad;
};

static void parse_room(struct web_ctx *c, struct room_req *q)
{
	bool anon = false, open = true, pa = false, po = false;

	memset(q, 0, sizeof(*q));
	q->session = web_id(c, "id");
	q->moderation = web_field(c, "moderation", &q->moderation_bad);
	q->anonymous_bad = web_bool_field(c, "anonymous", &anon, &pa) != 0;
	q->open_bad = web_bool_field(c, "open", &open, &po) != 0;
	if (!c->json && !form_get(&c->form, "open")) /* a form's unticked box: still open */
		open = true;
	q->anonymous = pa ? anon : -1;
	q->open = po || !c->json ? open : -1;
}

/* set_room: authorize (editors), validate, one transaction. */
static int set_room(struct web_ctx *c, const struct room_req *q, struct room *r, struct verr *e)
{
	struct room_access ra;
	int rc = room_authorize(c->db, &c->actor, q->session, ROOM_MANAGE, &ra);

	if (rc)
		return rc;
	if (q->moderation_bad)
		return verr_type(e, "moderation", "字符串", "a string");
	if (q->anonymous_bad)
		return verr_type(e, "anonymous", "布尔值", "a boolean");
	if (q->open_bad)
		return verr_type(e, "open", "布尔值", "a boolean");
	rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, room_set(c->db, &c->actor, ra.session.id, q->anonymous,
					    q->moderation, q->open, r, e));
	if (!rc)
		live_touch(ra.session.id);
	return rc;
}

int h_api_room_get(struct web_ctx *c)
{
	struct room_access ra;
	int rc = room_authorize(c->db, &c->actor, web_id(c, "id"), ROOM_TAKE_PART, &ra);

	if (!rc && !ra.has_room)
		rc = ERR_NOT_FOUND;
	return rc ? web_answer(c, rc, NULL) : web_json(c, 200, room_to_json(c, &ra.room));
}

int h_api_room_set(struct web_ctx *c)
{
	struct room_req q;
	struct room r;
	struct verr e = {0};
	int rc;

	parse_room(c, &q);
	rc = set_room(c, &q, &r, &e);
	return rc ? web_answer(c, rc, &e) : web_json(c, 200, room_to_json(c, &r));
}

/* viewer_fetch marks the answer to a live page's refetch or poll: the connection closes
 * after it. A viewer's next fetch comes seconds later; kept open in between, every viewer
 * would hold one of the server's connections for requests (HTTP_MAX_CONNECTIONS), and
 * thousands of viewers would fill them, locking voters and staff out once more. */
static void viewer_fetch(struct web_ctx *c)
{
	if (http_resp_header(c->resp, "Connection", "close"))
		log_warn("web: too many headers");
}

int h_api_opinion(struct web_ctx *c)
{
	struct room_access ra;
	int64_t version;
	json_t *s;
	int rc = room_authorize(c->db, &c->actor, web_id(c, "id"), ROOM_READ, &ra);

	if (rc)
		return web_answer(c, rc, NULL);
	viewer_fetch(c);
	s = opinion_json(c, ra.session.id, &version);
	return s ? web_json(c, 200, s) : web_fail(c, ERR_DB);
}

int h_api_events(struct web_ctx *c)
{
	struct room_access ra;
	int rc = room_authorize(c->db, &c->actor, web_id(c, "id"), ROOM_READ, &ra);

	if (rc)
		return web_answer(c, rc, NULL);
	if (!hub)
		return web_fail(c, ERR_IO);
	rc = sse_hub_attach(hub, ra.session.id, snapshot_version(c->db, ra.session.id), c->resp);
	if (rc == ERR_LIMIT) {
		/* viewers past the limit poll the snapshot instead (static/live.js) and try the
		 * stream again later; the connections of votes and sign-ins stay free */
		if (http_resp_header(c->resp, "Retry-After", "60"))
			log_warn("web: too many headers");
		return web_json(
		    c, 503,
		    json_pack("{s{ss ss ss ss si}}", "error", "code", "too_many_streams", "message",
			      view_text(c->lang, "err_too_many_streams"), "message_zh",
			      view_text("zh", "err_too_many_streams"), "message_en",
			      view_text("en", "err_too_many_streams"), "retry_after", 60));
	}
	return rc ? web_fail(c, rc) : 0;
}

/* --- exports --- */

static int vote_row(const struct room_vote *v, void *ud)
{
	return json_array_append_new(ud,
				     json_pack("[III]", (json_int_t)v->statement,
					       (json_int_t)v->participant, (json_int_t)v->value))
		   ? ERR_NOMEM
		   : ERR_OK;
}

static int opinion_export(struct web_ctx *c, bool xlsx)
{
	struct room_access ra;
	struct statement_list l;
	struct sheet sheets[3];
	json_t *s, *rows[3], *hdr[3], *counts;
	int64_t version;
	char disp[96], file[64];
	size_t i, nst, nvotes, ngroups;
	int rc = room_authorize(c->db, &c->actor, web_id(c, "id"), ROOM_MANAGE, &ra);

	if (rc)
		return web_answer(c, rc, NULL);
	rc = statement_list(c->db, ra.session.id, true, 0, &l);
	if (rc) {
		statement_list_release(&l);
		return web_fail(c, rc);
	}
	s = opinion_json(c, ra.session.id, &version);
	rows[0] = json_array();
	rows[1] = json_array();
	rows[2] = s ? map_group_rows(s) : json_array();
	hdr[0] = json_pack("[ssss]", "statement", "text", "status", "created_at");
	hdr[1] = json_pack("[sss]", "statement", "participant", "vote");
	hdr[2] = json_pack("[sssss]", "participant", "category", "group", "x", "y");
	for (i = 0; i < l.n; i++) {
		char t[26];

		time_local(l.items[i].created_at, t);
		json_array_append_new(rows[0], json_pack("[Isss]", (json_int_t)l.items[i].id,
							 l.items[i].text, l.items[i].status, t));
	}
	statement_list_release(&l);
	rc = room_votes_each(c->db, ra.session.id, vote_row, rows[1]);
	sheets[0] = (struct sheet){"statements", hdr[0], rows[0]};
	sheets[1] = (struct sheet){"votes", hdr[1], rows[1]};
	sheets[2] = (struct sheet){"groups", hdr[2], rows[2]};
	if (rc) {
		/* the votes could not be read: answered below */
	} else if (xlsx) {
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
	nst = json_array_size(rows[0]);
	nvotes = json_array_size(rows[1]);
	ngroups = json_array_size(rows[2]);
	for (i = 0; i < 3; i++) {
		json_decref(rows[i]);
		json_decref(hdr[i]);
	}
	json_decref(s);
	if (rc)
		return web_fail(c, rc);
	/* the votes of people leave the server: on record first, or not at all */
	snprintf(file, sizeof(file), "opinion-%lld.%s", (long long)ra.session.id,
		 xlsx ? "xlsx" : "csv");
	counts = json_pack("{s:I, s:I}", "statements", (json_int_t)nst, "groups_rows",
			   (json_int_t)ngroups);
	rc = audit_export(c->db, &c->actor, ra.session.org_id, "opinion.export", "session",
			  ra.session.id, file, xlsx ? "xlsx" : "csv", (int64_t)nvotes, counts);
	json_decref(counts);
	if (rc) {
		buf_reset(&c->resp->body);
		return web_fail(c, rc);
	}
	c->resp->status = 200;
	c->resp->content_type = xlsx ? sheet_xlsx_type : sheet_csv_type;
	snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"", file);
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

static int map_context(struct web_ctx *c, int64_t session, json_t **out)
{
	int64_t version;
	json_t *s = opinion_json(c, session, &version), *ctx;
	struct buf b;
	bool show;

	if (!s)
		return ERR_DB;
	show = map_decorate(s, c->lang);
	buf_init(&b, 4 << 20);
	ctx =
	    json_pack("{so sI sb}", "snap", s, "version", (json_int_t)version, "show_groups", show);
	if (map_svg(s, view_text(c->lang, "room_title"), &b) == ERR_OK)
		json_object_set_new(ctx, "map_svg", json_string(buf_cstr(&b)));
	buf_fini(&b);
	*out = ctx;
	return ERR_OK;
}

/* map_page renders the opinion map of session {id}; refused room settings (e) come back
 * as they were sent, with the error beside the form. */
static int map_page(struct web_ctx *c, int status, const struct verr *e)
{
	struct room_access ra;
	json_t *ctx, *session;
	int rc = room_authorize(c->db, &c->actor, web_id(c, "id"), ROOM_READ, &ra);

	if (rc) /* not signed in: the sign-in page, back here afterwards */
		return web_answer(c, rc, NULL);
	rc = map_context(c, ra.session.id, &ctx);
	if (rc)
		return web_fail(c, rc);
	session = session_get_json(c->db, ra.session.id);
	json_object_set_new(ctx, "session", session ? session : json_object());
	json_object_set_new(ctx, "can_edit", json_boolean(ra.editable));
	if (ra.has_room) {
		json_t *room = room_to_json(c, &ra.room);
		struct buf qr;

		buf_init(&qr, 1 << 20);
		if (qr_svg(json_string_value(json_object_get(room, "join_url")), &qr) == ERR_OK)
			json_object_set_new(ctx, "qr_svg", json_string(buf_cstr(&qr)));
		buf_fini(&qr);
		json_object_set_new(ctx, "room", room);
		json_object_set_new(ctx, "pre",
				    json_boolean(strcmp(ra.room.moderation, "pre") == 0));
	}
	if (ra.editable) {
		struct statement_list l;

		if (statement_list(c->db, ra.session.id, true, 0, &l) == ERR_OK) {
			json_t *m = statements_to_json(&l, false), *x;
			size_t i;
			char key[48];

			json_array_foreach(m, i, x)
			{
				snprintf(key, sizeof(key), "stmt_status_%s",
					 json_string_value(json_object_get(x, "status")));
				json_object_set_new(x, "status_label",
						    json_string(view_text(c->lang, key)));
			}
			json_object_set_new(ctx, "moderation", m);
		}
		statement_list_release(&l);
		/* a statement's delete form asks for the reason a closed session needs */
		json_object_set_new(ctx, "fix_reason",
				    json_boolean(strcmp(ra.session.status, "closed") == 0 ||
						 strcmp(ra.session.status, "archived") == 0));
	}
	if (e) {
		struct room_req q;

		parse_room(c, &q);
		json_object_set_new(ctx, "error", json_string(web_verr_text(c, e)));
		json_object_set_new(ctx, "pre",
				    json_boolean(q.moderation && strcmp(q.moderation, "pre") == 0));
		json_object_set_new(ctx, "anonymous_typed", json_boolean(q.anonymous == 1));
		json_object_set_new(ctx, "typed", json_true());
	}
	return web_render(c, status, "map", ctx);
}

int h_map_page(struct web_ctx *c)
{
	return map_page(c, 200, NULL);
}

int h_map_fragment(struct web_ctx *c)
{
	struct room_access ra;
	json_t *ctx;
	int rc = room_authorize(c->db, &c->actor, web_id(c, "id"), ROOM_READ, &ra);

	if (!rc)
		rc = map_context(c, ra.session.id, &ctx);
	if (rc)
		return web_answer(c, rc, NULL);
	viewer_fetch(c);
	return web_render(c, 200, "map_live", ctx);
}

int h_room_post(struct web_ctx *c)
{
	struct room_req q;
	struct room r;
	struct verr e = {0};
	char loc[64];
	int rc;

	parse_room(c, &q);
	rc = set_room(c, &q, &r, &e);
	if (rc == ERR_INVALID || rc == ERR_CONFLICT)
		return map_page(c, rc == ERR_CONFLICT ? 409 : 422, &e);
	if (rc)
		return web_answer(c, rc, &e);
	snprintf(loc, sizeof(loc), "/sessions/%lld/map", (long long)r.session_id);
	return web_redirect(c, loc);
}

int h_statement_moderate_post(struct web_ctx *c)
{
	struct verr e = {0};
	int64_t session;
	char loc[64];
	int rc = moderate(c, web_id(c, "id"), web_field(c, "status", NULL), false, &session, &e);

	if (rc)
		return web_answer(c, rc, &e);
	snprintf(loc, sizeof(loc), "/sessions/%lld/map#moderation", (long long)session);
	return web_redirect(c, loc);
}

/* POST /statements/delete: the map page's delete form, statement_id with the reason a
 * closed session asks for. */
int h_statement_delete_post(struct web_ctx *c)
{
	struct verr e = {0};
	struct statement_fix q = {0};
	int64_t session, id = 0;
	bool present;
	char loc[64];
	int rc;

	q.reason = web_field(c, "reason", NULL);
	if (web_int_field(c, "statement_id", &id, &present) || id <= 0)
		id = 0; /* no such statement: 404 */
	rc = correct(c, id, &q, true, &session, &e);
	if (rc)
		return web_answer(c, rc, &e);
	snprintf(loc, sizeof(loc), "/sessions/%lld/map#moderation", (long long)session);
	return web_redirect(c, loc);
}

/* the phone page, reached by the join code */

/* join_signin: an anonymous browser in a room that wants a sign-in is sent to sign in and
 * back to the phone page (also after a POST, whose own path is no page). */
static int join_signin(struct web_ctx *c)
{
	char loc[96];

	snprintf(loc, sizeof(loc), "/login?next=/j/%s", http_param(c->req, "code"));
	return web_redirect(c, loc);
}

/* vote_pressed marks statement x (its my_vote) for the three buttons of the phone page:
 * pressed_agree / pressed_disagree / pressed_pass are "true" for the participant's vote and
 * "false" otherwise (aria-pressed). */
static void vote_pressed(json_t *x)
{
	json_t *mv = json_object_get(x, "my_vote");
	int v = json_is_integer(mv) ? (int)json_integer_value(mv) : 2;

	json_object_set_new(x, "pressed_agree", json_string(v == 1 ? "true" : "false"));
	json_object_set_new(x, "pressed_disagree", json_string(v == -1 ? "true" : "false"));
	json_object_set_new(x, "pressed_pass", json_string(v == 0 ? "true" : "false"));
}

static const char *vote_label(struct web_ctx *c, int v)
{
	return view_text(c->lang, v == 1 ? "room_agree" : v == -1 ? "room_disagree" : "room_pass");
}

/* The categories a phone may declare on the join page, in the order offered. */
static const char *const phone_categories[] = {"citizen",    "member",	     "expert",
					       "official",   "entrepreneur", "sector_rep",
					       "social_org", "think_tank"};

/* phone_category_options: the join page's choices, the participant's own (mine) selected. */
static json_t *phone_category_options(struct web_ctx *c, const char *mine)
{
	json_t *a = json_array();
	char key[32];
	size_t i;

	for (i = 0; i < ARRAY_LEN(phone_categories); i++) {
		snprintf(key, sizeof(key), "cat_%s", phone_categories[i]);
		json_array_append_new(a, json_pack("{ss ss sb}", "value", phone_categories[i],
						   "label", view_text(c->lang, key), "selected",
						   strcmp(mine, phone_categories[i]) == 0));
	}
	return a;
}

/* phone_page renders the join page: the next statement to vote on, the participant's own
 * votes (each can be changed), and what the last post did: ?voted=ID after a vote (the vote
 * as stored), ?posted=1 after a statement (&pending=1 under pre-moderation). */
static int phone_page(struct web_ctx *c, int status, const char *error, const char *notice)
{
	struct room_access ra;
	struct statement_list l;
	json_t *ctx, *list, *mine, *next = NULL, *session, *snap;
	const char *vq = http_query(c->req, "voted");
	int64_t pid, version, just = vq ? strtoll(vq, NULL, 10) : 0;
	const char *counted = NULL;
	char mine_cat[24];
	size_t i, voted = 0;
	int rc =
	    room_authorize_code(c->db, &c->actor, http_param(c->req, "code"), ROOM_TAKE_PART, &ra);

	if (rc == ERR_AUTH)
		return join_signin(c);
	if (rc)
		return web_answer(c, rc, NULL);
	pid = known_participant(c, &ra.room);
	if (!pid || participant_category_get(c->db, pid, mine_cat, sizeof(mine_cat)))
		snprintf(mine_cat, sizeof(mine_cat), "citizen");
	if (web_anon_csrf(c))
		return web_fail(c, ERR_TOO_BIG);
	rc = statement_list(c->db, ra.session.id, false, pid, &l);
	if (rc) {
		statement_list_release(&l);
		return web_fail(c, rc);
	}
	list = json_array();
	mine = json_array();
	for (i = 0; i < l.n; i++) {
		json_t *x = statement_to_json(&l.items[i], true);

		vote_pressed(x);
		if (l.items[i].voted) {
			voted++;
			if (l.items[i].id == just) {
				counted = vote_label(c, l.items[i].my_vote);
				json_object_set_new(x, "just", json_true());
			}
			json_array_append(mine, x);
		} else if (!next)
			next = json_incref(x);
		json_array_append_new(list, x);
	}
	statement_list_release(&l);
	if (!notice && http_query(c->req, "posted"))
		notice = view_text(c->lang, http_query(c->req, "pending") ? "room_posted_pending"
									  : "room_posted_public");
	session = session_get_json(c->db, ra.session.id);
	snap = snapshot_get(c->db, ra.session.id, &version);
	if (snap)
		(void)map_decorate(snap, c->lang);
	ctx = json_pack("{so so so so ss si si sb ss? ss? ss? sI sb}", "session",
			session ? session : json_object(), "statements", list, "mine", mine, "next",
			next ? next : json_null(), "code", ra.room.code, "voted", (int)voted,
			"total", (int)json_array_size(list), "open", room_accepts(&ra), "error",
			error, "notice", notice, "counted", counted, "version", (json_int_t)version,
			"anonymous", c->actor.via == AUTH_NONE);
	if (snap)
		json_object_set_new(ctx, "snap", snap);
	if (c->actor.via == AUTH_NONE) {
		json_object_set_new(ctx, "categories", phone_category_options(c, mine_cat));
		json_object_set_new(ctx, "declared", json_boolean(http_query(c->req, "declared")));
	}
	if (error && c->req->method == HTTP_POST) {
		/* a refused statement comes back as typed */
		const char *typed = web_field(c, "text", NULL);

		json_object_set_new(ctx, "typed", json_string(typed ? typed : ""));
		if (typed)
			json_object_set_new(ctx, "text_error", json_string(error));
	}
	return web_render(c, status, "join", ctx);
}

int h_join_page(struct web_ctx *c)
{
	return phone_page(c, 200, NULL, NULL);
}

/* join_answer: the phone page again with what went wrong, or the usual answer. */
static int join_answer(struct web_ctx *c, int rc, const struct verr *e)
{
	if (rc == ERR_LIMIT)
		return phone_page(c, 429, view_text(c->lang, "err_rate_limited_room"), NULL);
	if (rc == ERR_INVALID || rc == ERR_CONFLICT)
		return phone_page(c, rc == ERR_CONFLICT ? 409 : 422, web_verr_text(c, e), NULL);
	if (rc == ERR_AUTH)
		return join_signin(c);
	return web_answer(c, rc, e);
}

int h_join_vote(struct web_ctx *c)
{
	struct vote_req q = {0, 0, http_param(c->req, "code"), web_field(c, "category", NULL)};
	struct verr e = {0};
	int64_t v = 0;
	bool present;
	char loc[112];
	int wait, rc;

	if (web_int_field(c, "statement_id", &q.statement, &present) || !present ||
	    web_int_field(c, "vote", &v, &present) || !present || v < -1 || v > 1)
		return phone_page(c, 422, view_text(c->lang, "room_bad_vote"), NULL);
	q.value = (int)v;
	rc = cast_vote(c, &q, &wait, &e);
	if (rc)
		return join_answer(c, rc, &e);
	snprintf(loc, sizeof(loc), "/j/%s?voted=%lld#mine-%lld", q.code, (long long)q.statement,
		 (long long)q.statement);
	return web_redirect(c, loc);
}

int h_join_statement(struct web_ctx *c)
{
	struct statement_head s;
	struct statement_req q;
	struct verr e = {0};
	int64_t id;
	char loc[96];
	int wait, rc;

	parse_statement(c, 0, http_param(c->req, "code"), &q);
	if (!q.code)
		return web_fail(c, ERR_NOT_FOUND);
	rc = post_statement(c, &q, &id, &wait, &e);
	if (rc)
		return join_answer(c, rc, &e);
	if (statement_head(c->db, id, &s))
		memset(&s, 0, sizeof(s));
	snprintf(loc, sizeof(loc), "/j/%s?posted=1%s", q.code,
		 strcmp(s.status, "pending") == 0 ? "&pending=1" : "");
	return web_redirect(c, loc);
}

/* h_join_category: an anonymous phone declares what it is (member, expert...) on the join
 * page, before or after its votes; the category view of the map counts it so. A signed-in
 * phone is counted under its registry person's category and is not asked. */
int h_join_category(struct web_ctx *c)
{
	const char *category = web_field(c, "category", NULL);
	struct room_access ra;
	struct verr e = {0};
	char loc[96];
	int64_t pid;
	int rc =
	    room_authorize_code(c->db, &c->actor, http_param(c->req, "code"), ROOM_TAKE_PART, &ra);

	if (rc)
		return join_answer(c, rc, &e);
	if (!participant_category_valid(category)) {
		verr_set(&e, "invalid", "category", "身份类别无效", "unknown category");
		return join_answer(c, ERR_INVALID, &e);
	}
	if (c->actor.via == AUTH_NONE) {
		rc = web_begin(c);
		if (rc)
			return join_answer(c, rc, &e);
		rc = participant_for(c, &ra.room, category, &pid);
		rc = web_finish(c, rc);
		if (rc)
			return join_answer(c, rc, &e);
		live_touch(ra.session.id);
	}
	snprintf(loc, sizeof(loc), "/j/%s?declared=1", ra.room.code);
	return web_redirect(c, loc);
}
