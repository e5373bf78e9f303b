/*
 * auth.c - signing in: password checks (audited), browser sessions (cookie token,
 * stored hashed, with a CSRF token) and API bearer tokens (stored hashed).
 */
#include "model.h"
#include "valid.h"

#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "base/util.h"
#include "db/db.h"

struct auth_limits auth_limits = {
    .session_ttl_s = 12 * 3600,
};

static const char sql_pw[] =
    "SELECT password_hash FROM users WHERE username = ? AND disabled = FALSE";
static const char sql_sess_add[] = "INSERT INTO auth_session (token_hash, user_id, csrf_token,"
				   " created_at, expires_at) VALUES (?, ?, ?, ?, ?)";
static const char sql_sess_find[] =
    "SELECT s.user_id, s.csrf_token, s.id FROM auth_session s JOIN users u ON u.id = s.user_id"
    " WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled = FALSE";
static const char sql_sess_del[] = "DELETE FROM auth_session WHERE token_hash = ?";
static const char sql_sess_others[] = "DELETE FROM auth_session WHERE user_id = ? AND id <> ?";
static const char sql_sess_prune[] = "DELETE FROM auth_session WHERE expires_at <= ?";
static const char sql_tok_add[] =
    "INSERT INTO api_token (token_hash, user_id, created_at) VALUES (?, ?, ?)";
static const char sql_tok_find[] =
    "SELECT t.user_id FROM api_token t JOIN users u ON u.id = t.user_id"
    " WHERE t.token_hash = ? AND t.revoked = FALSE AND u.disabled = FALSE";

/* Throttling of guesses is not here: it is the web layer's (web/auth.c, with the growing
 * delays of http/ratelimit.h), keyed by account and address and by address, and it runs
 * before auth_login is called. The table login_failure of the first schema, which counted
 * failures per username, is no longer written. */
int auth_login(struct db *db, const char *username, const char *password, const char *address,
	       struct user *u)
{
	char hash[256];
	struct db_stmt *st;
	struct actor who;
	int rc;
	bool found = false, ok;

	rc = db_get_row(db, sql_pw, &st, "s", username);
	if (rc == ERR_OK) {
		found = copy_field(hash, sizeof(hash), db_col_text(st, 0)) == ERR_OK;
		db_done(st);
	} else if (rc != ERR_NOT_FOUND) {
		return rc;
	}
	ok = password_verify(found ? hash : NULL, password);
	rc = db_begin_write(db);
	if (rc)
		return rc;
	memset(&who, 0, sizeof(who));
	who.address = address;
	if (ok) {
		rc = user_get_by_name(db, username, u);
		if (!rc) {
			who.user = *u;
			rc =
			    audit_write(db, &who, u->org_id, "login.ok", "user", u->id, NULL, NULL);
		}
	} else {
		json_t *what = json_pack("{ss}", "username", username);

		rc = audit_write(db, &who, 0, "login.failed", "user", 0, NULL, what);
		json_decref(what);
	}
	if (!rc)
		rc = db_commit(db);
	if (rc) {
		db_rollback(db);
		return rc;
	}
	return ok ? ERR_OK : ERR_AUTH;
}

int auth_session_create(struct db *db, int64_t user_id, char token[65], char csrf[65])
{
	char hash[65];
	int64_t now = time_now();
	int rc;

	rand_token(32, token);
	rand_token(32, csrf);
	hash_token(token, 64, hash);
	rc = db_exec(db, sql_sess_prune, "i", now);
	if (!rc)
		rc = db_exec(db, sql_sess_add, "sisii", hash, user_id, csrf, now,
			     now + (int64_t)auth_limits.session_ttl_s);
	return rc;
}

/* actor_load fills a with user_id's account, org and role. */
static int actor_load(struct db *db, int64_t user_id, struct actor *a)
{
	int rc;

	rc = user_get(db, user_id, &a->user);
	if (!rc)
		rc = org_get(db, a->user.org_id, &a->org);
	if (rc)
		return rc == ERR_NOT_FOUND ? ERR_AUTH : rc;
	a->role = (enum role)role_parse(a->user.role);
	return ERR_OK;
}

static bool token_shape_ok(const char *token)
{
	size_t i, n = strlen(token);

	if (n != 64)
		return false;
	for (i = 0; i < n; i++)
		if (!((token[i] >= '0' && token[i] <= '9') || (token[i] >= 'a' && token[i] <= 'f')))
			return false;
	return true;
}

int auth_session_find(struct db *db, const char *token, struct actor *a)
{
	struct db_stmt *st;
	char hash[65];
	int64_t user_id;
	int rc;

	if (!token_shape_ok(token))
		return ERR_AUTH;
	hash_token(token, 64, hash);
	rc = db_get_row(db, sql_sess_find, &st, "si", hash, time_now());
	if (rc)
		return rc == ERR_NOT_FOUND ? ERR_AUTH : rc;
	user_id = db_col_int(st, 0);
	a->session_id = db_col_int(st, 2);
	rc = copy_field(a->csrf, sizeof(a->csrf), db_col_text(st, 1));
	db_done(st);
	if (rc)
		return rc;
	a->via = AUTH_COOKIE;
	return actor_load(db, user_id, a);
}

int auth_session_delete(struct db *db, const char *token)
{
	char hash[65];

	if (!token_shape_ok(token))
		return ERR_OK;
	hash_token(token, 64, hash);
	return db_exec(db, sql_sess_del, "s", hash);
}

int auth_sessions_end(struct db *db, int64_t user_id, int64_t keep, int *ended)
{
	int rc = db_exec(db, sql_sess_others, "ii", user_id, keep); /* ids start at 1 */

	if (!rc && ended)
		*ended = db_changes(db);
	return rc;
}

int auth_session_end_others(struct db *db, const struct actor *a, int *ended)
{
	int64_t keep = a->via == AUTH_COOKIE ? a->session_id : 0;
	json_t *after;
	int rc;

	*ended = 0;
	if (a->via != AUTH_COOKIE && a->via != AUTH_BEARER)
		return ERR_AUTH;
	rc = auth_sessions_end(db, a->user.id, keep, ended);
	if (rc)
		return rc;
	after = json_pack("{si}", "ended", *ended);
	rc = audit_write(db, a, a->user.org_id, "logout.everywhere", "user", a->user.id, NULL,
			 after);
	json_decref(after);
	return rc;
}

int auth_token_create(struct db *db, int64_t user_id, char token[65])
{
	char hash[65];

	rand_token(32, token);
	hash_token(token, 64, hash);
	return db_exec(db, sql_tok_add, "sii", hash, user_id, time_now());
}

int auth_token_find(struct db *db, const char *token, struct actor *a)
{
	char hash[65];
	int64_t user_id;
	int rc;

	if (!token_shape_ok(token))
		return ERR_AUTH;
	hash_token(token, 64, hash);
	rc = db_get_int(db, sql_tok_find, &user_id, "s", hash);
	if (rc)
		return rc == ERR_NOT_FOUND ? ERR_AUTH : rc;
	a->via = AUTH_BEARER;
	return actor_load(db, user_id, a);
}

void actor_system(struct actor *a)
{
	memset(a, 0, sizeof(*a));
	a->via = AUTH_SYSTEM;
	a->role = ROLE_ADMIN;
	a->address = "cli";
}

bool actor_reads_as_staff(const struct actor *a)
{
	if (a->via == AUTH_SYSTEM)
		return true;
	return a->via != AUTH_NONE && (a->role >= ROLE_ORGANIZER || a->role == ROLE_LEADER);
}

bool actor_can_see_org(const struct actor *a, const struct org *o)
{
	char needle[32];

	if (a->via == AUTH_SYSTEM)
		return true;
	if (org_is_within(o, &a->org))
		return true;
	snprintf(needle, sizeof(needle), "/%lld/", (long long)o->id);
	return strstr(a->org.path, needle) != NULL;
}

bool actor_can_manage_org(const struct actor *a, const struct org *o)
{
	if (a->via == AUTH_SYSTEM)
		return true;
	return a->role == ROLE_ADMIN && org_is_within(o, &a->org);
}

int authz_decide(const struct actor *a, bool visible, bool allowed)
{
	if (allowed)
		return ERR_OK;
	if (a->via == AUTH_NONE)
		return ERR_AUTH;
	return visible ? ERR_FORBIDDEN : ERR_NOT_FOUND;
}
