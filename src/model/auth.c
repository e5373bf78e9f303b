/*
 * auth.c - signing in: password checks with rate limits, browser sessions (cookie token,
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
    .per_user = 10,
    .per_address = 100,
    .window_s = 900,
    .session_ttl_s = 12 * 3600,
};

static const char sql_pw[] = "SELECT password_hash FROM users WHERE username = ? AND disabled = 0";
static const char sql_fail_count[] =
    "SELECT COUNT(*), COALESCE(MIN(at), 0) FROM login_failure WHERE key = ? AND at > ?";
static const char sql_fail_add[] = "INSERT INTO login_failure (key, at) VALUES (?, ?)";
static const char sql_fail_clear[] = "DELETE FROM login_failure WHERE key = ?";
static const char sql_fail_prune[] = "DELETE FROM login_failure WHERE at <= ?";
static const char sql_sess_add[] = "INSERT INTO auth_session (token_hash, user_id, csrf_token,"
				   " created_at, expires_at) VALUES (?, ?, ?, ?, ?)";
static const char sql_sess_find[] =
    "SELECT s.user_id, s.csrf_token FROM auth_session s JOIN users u ON u.id = s.user_id"
    " WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled = 0";
static const char sql_sess_del[] = "DELETE FROM auth_session WHERE token_hash = ?";
static const char sql_sess_prune[] = "DELETE FROM auth_session WHERE expires_at <= ?";
static const char sql_tok_add[] =
    "INSERT INTO api_token (token_hash, user_id, created_at) VALUES (?, ?, ?)";
static const char sql_tok_find[] =
    "SELECT t.user_id FROM api_token t JOIN users u ON u.id = t.user_id"
    " WHERE t.token_hash = ? AND t.revoked = 0 AND u.disabled = 0";

/* failures counts recent failures for key; *oldest gets the oldest one's time. */
static int failures(struct db *db, const char *key, int64_t now, int *count, int64_t *oldest)
{
	struct db_stmt *st;
	int rc = db_get_row(db, sql_fail_count, &st, "si", key, now - auth_limits.window_s);

	if (rc)
		return rc == ERR_NOT_FOUND ? ERR_DB : rc; /* COUNT(*) always has a row */
	*count = (int)db_col_int(st, 0);
	*oldest = db_col_int(st, 1);
	db_done(st);
	return ERR_OK;
}

int auth_login(struct db *db, const char *username, const char *password, const char *address,
	       struct user *u, int *retry_after)
{
	char ukey[80], akey[64], hash[256];
	struct db_stmt *st;
	int64_t now = time_now(), oldest;
	int rc, count, limit;
	bool found = false, ok;

	snprintf(ukey, sizeof(ukey), "u:%s", username);
	snprintf(akey, sizeof(akey), "a:%s", address ? address : "");
	/* over the limit? check the name, then the address */
	rc = failures(db, ukey, now, &count, &oldest);
	limit = auth_limits.per_user;
	if (!rc && count < limit) {
		rc = failures(db, akey, now, &count, &oldest);
		limit = auth_limits.per_address;
	}
	if (rc)
		return rc;
	if (count >= limit) {
		*retry_after = (int)(oldest + auth_limits.window_s - now);
		if (*retry_after < 1)
			*retry_after = 1;
		return ERR_LIMIT;
	}
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
	if (ok) {
		rc = db_exec(db, sql_fail_clear, "s", ukey);
		if (!rc)
			rc = user_get_by_name(db, username, u);
		if (!rc) {
			struct actor who;

			memset(&who, 0, sizeof(who));
			who.user = *u;
			who.address = address;
			rc = audit_write(db, &who, u->org_id, "login", "user", u->id, NULL, NULL);
		}
	} else {
		rc = db_exec(db, sql_fail_add, "si", ukey, now);
		if (!rc)
			rc = db_exec(db, sql_fail_add, "si", akey, now);
		if (!rc)
			rc = db_exec(db, sql_fail_prune, "i", now - auth_limits.window_s);
		if (!rc) {
			json_t *what = json_pack("{ss}", "username", username);
			struct actor who;

			memset(&who, 0, sizeof(who));
			who.address = address;
			rc = audit_write(db, &who, 0, "login.failed", "user", 0, NULL, what);
			json_decref(what);
		}
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
