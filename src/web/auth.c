/*
 * auth.c - the service's health, and signing in and out: JSON API and the login page,
 * the throttle on guessing passwords, and signing out everywhere.
 *
 * Throttling: a failed sign-in is charged to the pair (account, client address) and to
 * the client address. Each may fail a number of times freely (5 and 100 by default); after
 * that each further try must wait, 1, 2, 4 ... s up to a cap (300 s), and is answered 429
 * with Retry-After until then. Nothing is ever charged to the account alone, so failures
 * from one address never stop the owner signing in from another: the account cannot be
 * locked by someone else. The client address is the connection's peer, or with `serve
 * --trust-proxy` the one its trusted proxy names (http/proxy.h); IPv6 clients are counted
 * by their /64.
 *
 * The throttle's state is kept in this process's memory (http/ratelimit.h, fixed size): it
 * is lost on restart and not shared between several serve processes on one database. A
 * later issue moves it into the database.
 */
#include "web.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "base/log.h"
#include "base/util.h"
#include "http/ratelimit.h"
#include "view/view.h"

/* the throttle: pairs "p:ADDRESS|USERNAME" and addresses "a:ADDRESS" */
static struct backoff *login_pairs, *login_addrs;

int web_login_start(void)
{
	/* threshold failures per 15 minutes at a steady pace never wait (one drains every
	 * 15 min / threshold); a burst beyond that waits 1, 2, 4 ... s */
	struct backoff_rule pair = {5, 1000, 300000, 0};
	struct backoff_rule addr = pair;

	if (web_options.login_limit_pair > 0)
		pair.threshold = web_options.login_limit_pair;
	addr.threshold =
	    web_options.login_limit_address > 0 ? web_options.login_limit_address : 100;
	if (web_options.login_delay_max_s > 0)
		pair.max_ms = addr.max_ms = (int64_t)web_options.login_delay_max_s * 1000;
	/* sharded over serve --processes N: each process lets through its share */
	pair.threshold = limit_share(pair.threshold, web_options.processes);
	addr.threshold = limit_share(addr.threshold, web_options.processes);
	pair.drain_ms = 900000 / pair.threshold;
	addr.drain_ms = 900000 / addr.threshold;
	login_pairs = backoff_new(16384, &pair, NULL, NULL);
	login_addrs = backoff_new(4096, &addr, NULL, NULL);
	if (!login_pairs || !login_addrs) {
		web_login_stop();
		return ERR_NOMEM;
	}
	return ERR_OK;
}

void web_login_stop(void)
{
	backoff_free(login_pairs);
	backoff_free(login_addrs);
	login_pairs = login_addrs = NULL;
}

/* throttle_net writes into out[cap] the network a client address is throttled as: an IPv4
 * address itself, an IPv6 address its /64 (one subscriber usually holds a whole /64, so
 * counting single IPv6 addresses would let a guesser take a fresh one for each try). */
static void throttle_net(const char *addr, char *out, size_t cap)
{
	static const unsigned char mapped[12] = {[10] = 0xff, [11] = 0xff};
	unsigned char a[16];
	char net[INET6_ADDRSTRLEN];

	if (strchr(addr, ':') && inet_pton(AF_INET6, addr, a) == 1 && memcmp(a, mapped, 12) != 0) {
		memset(a + 8, 0, 8);
		if (inet_ntop(AF_INET6, a, net, sizeof(net))) {
			snprintf(out, cap, "%s/64", net);
			return;
		}
	}
	snprintf(out, cap, "%s", addr);
}

int web_login_check(struct web_ctx *c, const char *username, const char *password, struct user *u,
		    int *retry_after)
{
	char pkey[192], akey[80], net[64];
	int rc, w = 0;

	*retry_after = 0;
	throttle_net(c->req->addr, net, sizeof(net));
	snprintf(pkey, sizeof(pkey), "p:%s|%s", net, username);
	snprintf(akey, sizeof(akey), "a:%s", net);
	if (login_pairs && login_addrs) {
		w = backoff_take(login_pairs, pkey);
		if (!w) {
			w = backoff_take(login_addrs, akey);
			if (w)
				backoff_forgive(login_pairs, pkey, false);
		}
	}
	if (w) {
		*retry_after = w;
		return ERR_LIMIT;
	}
	rc = auth_login(c->db, username, password, c->req->addr, u);
	if (rc != ERR_AUTH && login_pairs && login_addrs) {
		/* right (or not decided, an internal error): not a failed guess */
		backoff_forgive(login_pairs, pkey, rc == ERR_OK);
		backoff_forgive(login_addrs, akey, false);
	}
	return rc;
}

void web_public_host(char *out, size_t cap)
{
	const char *h = strstr(web_options.public_url, "://");
	size_t n, i;

	h = h ? h + 3 : "";
	n = strcspn(h, "/");
	if (n == 0 || n >= cap) {
		snprintf(out, cap, "shenliao");
		return;
	}
	for (i = 0; i < n; i++)
		out[i] = (char)((h[i] >= 'A' && h[i] <= 'Z') ? h[i] - 'A' + 'a' : h[i]);
	out[n] = '\0';
}

int web_schema_version; /* set by serve after migrating */

/* The health answer never changes while the server runs: made once, sent as it is. */
static char health_body[128];
static size_t health_len;

void web_health_init(void)
{
	int n = snprintf(health_body, sizeof(health_body),
			 "{\"status\":\"ok\",\"version\":\"%s\",\"schema\":%d}", SHENLIAO_VERSION,
			 web_schema_version);

	health_len = n > 0 && (size_t)n < sizeof(health_body) ? (size_t)n : 0;
}

int h_health(struct web_ctx *c)
{
	if (!health_len)
		return web_fail(c, ERR_TOO_BIG);
	c->resp->status = 200;
	c->resp->content_type = "application/json; charset=utf-8";
	c->resp->static_body = health_body;
	c->resp->static_len = health_len;
	return 0;
}

/* start_session signs u in on this browser: cookie plus the CSRF token in *csrf. The
 * session id is always a new one (never one the browser brought: no session fixation),
 * and the sign-in this browser had before, if any, ends. */
static int start_session(struct web_ctx *c, const struct user *u, char csrf[65])
{
	const char *old = http_cookie(c->req, "sl_session");
	char token[65];
	int rc = ERR_OK;

	if (old)
		rc = auth_session_delete(c->db, old);
	if (!rc)
		rc = auth_session_create(c->db, u->id, token, csrf);
	if (rc)
		return rc;
	rc = web_set_cookie(c, "sl_session", token, auth_limits.session_ttl_s, true);
	explicit_bzero(token, sizeof(token));
	return rc;
}

/* login_check runs the password check; on failure answers and returns non-zero. */
static int login_check(struct web_ctx *c, const char *username, const char *password,
		       struct user *u)
{
	int retry = 0, rc;
	char ra[16];

	rc = web_login_check(c, username, password, u, &retry);
	if (rc == ERR_LIMIT) {
		snprintf(ra, sizeof(ra), "%d", retry);
		if (http_resp_header(c->resp, "Retry-After", ra))
			log_warn("web: too many headers");
		return web_error_key(c, 429, "rate_limited"), rc;
	}
	if (rc == ERR_AUTH)
		return web_error_key(c, 401, "bad_credentials"), rc;
	if (rc)
		return web_fail(c, rc), rc;
	return ERR_OK;
}

int h_api_login(struct web_ctx *c)
{
	bool bad = false;
	const char *username = web_field(c, "username", &bad);
	const char *password = web_field(c, "password", &bad);
	char csrf[65];
	struct user u;
	int rc;

	if (!c->json)
		return web_error(c, 400, "invalid_json", NULL, "请求体须为 JSON 对象",
				 "the body must be a JSON object");
	if (bad || !username || !*username)
		return web_error(c, 400, "required", "username", "请填写用户名",
				 "username is required");
	if (!password || !*password)
		return web_error(c, 400, "required", "password", "请填写密码",
				 "password is required");
	if (login_check(c, username, password, &u))
		return 0;
	rc = start_session(c, &u, csrf);
	if (rc)
		return web_fail(c, rc);
	c->actor.user = u;
	rc = org_get(c->db, u.org_id, &c->actor.org);
	if (rc)
		return web_fail(c, rc);
	return web_json(c, 200,
			json_pack("{so ss so ss}", "user", user_to_json(&u), "csrf_token", csrf,
				  "org", org_to_json(&c->actor.org), "role", u.role));
}

static int end_session(struct web_ctx *c)
{
	const char *cookie = http_cookie(c->req, "sl_session");
	int rc = ERR_OK;

	if (web_begin(c))
		return ERR_DB;
	if (c->actor.via == AUTH_COOKIE && cookie)
		rc = auth_session_delete(c->db, cookie);
	if (!rc)
		rc = audit_write(c->db, &c->actor, c->actor.org.id, "logout", "user",
				 c->actor.user.id, NULL, NULL);
	rc = web_finish(c, rc);
	if (!rc)
		rc = web_set_cookie(c, "sl_session", "", 0, true);
	return rc;
}

int h_api_logout(struct web_ctx *c)
{
	int rc = end_session(c);

	return rc ? web_fail(c, rc) : web_no_content(c);
}

/* end_others ends the caller's other sign-ins (auth_session_end_others) in one transaction. */
static int end_others(struct web_ctx *c, int *ended)
{
	int rc = web_begin(c);

	if (!rc)
		rc = web_finish(c, auth_session_end_others(c->db, &c->actor, ended));
	return rc;
}

int h_api_sessions_revoke(struct web_ctx *c)
{
	int ended, rc = end_others(c, &ended);

	if (rc)
		return web_fail(c, rc);
	return web_json(c, 200, json_pack("{si}", "ended", ended));
}

int h_account_sessions_revoke(struct web_ctx *c)
{
	int ended, rc = end_others(c, &ended);

	return rc ? web_fail(c, rc) : web_redirect(c, "/account?revoked=1");
}

int h_api_me(struct web_ctx *c)
{
	return web_json(c, 200, web_me_json(c));
}

/* --- pages --- */

/* local_next returns next when it is a local path, else "/dashboard". */
static const char *local_next(const char *next)
{
	if (!next || next[0] != '/' || next[1] == '/' || next[1] == '\\' ||
	    strncmp(next, "/login", 6) == 0)
		return "/dashboard";
	return next;
}

/* login_form renders the login page; a fresh double-submit token is set when missing. */
static int login_form(struct web_ctx *c, int status, const char *username, const char *error)
{
	const char *next = http_query(c->req, "next");

	if (!next)
		next = web_field(c, "next", NULL);
	if (web_anon_csrf(c))
		return web_fail(c, ERR_TOO_BIG);
	return web_render(c, status, "login",
			  json_pack("{ss ss? ss?}", "username", username ? username : "", "error",
				    error, "next", local_next(next)));
}

int h_login_page(struct web_ctx *c)
{
	if (c->actor.via != AUTH_NONE)
		return web_redirect(c, local_next(http_query(c->req, "next")));
	return login_form(c, 200, NULL, NULL);
}

int h_login_post(struct web_ctx *c)
{
	const char *username = web_field(c, "username", NULL);
	const char *password = web_field(c, "password", NULL);
	const char *next = web_field(c, "next", NULL);
	int retry = 0, rc;
	char csrf[65], ra[16];
	struct user u;

	if (!username || !*username || !password || !*password)
		return login_form(c, 422, username, view_text(c->lang, "login_missing"));
	rc = web_login_check(c, username, password, &u, &retry);
	if (rc == ERR_LIMIT) {
		snprintf(ra, sizeof(ra), "%d", retry);
		if (http_resp_header(c->resp, "Retry-After", ra))
			log_warn("web: too many headers");
		return login_form(c, 429, username, view_text(c->lang, "err_rate_limited"));
	}
	if (rc == ERR_AUTH)
		return login_form(c, 401, username, view_text(c->lang, "err_bad_credentials"));
	if (rc)
		return web_fail(c, rc);
	rc = start_session(c, &u, csrf);
	if (rc)
		return web_fail(c, rc);
	return web_redirect(c, local_next(next));
}

int h_logout_post(struct web_ctx *c)
{
	int rc = end_session(c);

	return rc ? web_fail(c, rc) : web_redirect(c, "/login");
}
