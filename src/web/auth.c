/*
 * auth.c - the service's health, and signing in and out: JSON API and the login page.
 */
#include "web.h"

#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "base/util.h"
#include "view/view.h"

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

/* start_session signs u in on this browser: cookie plus the CSRF token in *csrf. */
static int start_session(struct web_ctx *c, const struct user *u, char csrf[65])
{
	char token[65];
	int rc;

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

	rc = auth_login(c->db, username, password, c->req->addr, u, &retry);
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
	rc = auth_login(c->db, username, password, c->req->addr, &u, &retry);
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
