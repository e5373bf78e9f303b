/*
 * user.c - accounts: who signs in, in which body, with which role. Passwords are stored
 * only as argon2id hashes (libsodium's crypto_pwhash_str).
 */
#include "model.h"
#include "person.h"
#include "privacy.h"
#include "valid.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

#include "base/util.h"
#include "db/db.h"

static const char *const role_names[] = {"guest", "leader", "member", "organizer", "admin"};

#define USER_COLS                                                                                  \
	"id, org_id, username, display_name, role, disabled, created_at, updated_at,"              \
	" COALESCE(handler_id, 0),"                                                                \
	" COALESCE((SELECT p.id FROM person p WHERE p.user_id = users.id), 0)"

static const char sql_get[] = "SELECT " USER_COLS " FROM users WHERE id = ?";
static const char sql_get_name[] = "SELECT " USER_COLS " FROM users WHERE username = ?";
static const char sql_insert[] =
    "INSERT INTO users (org_id, username, display_name, role, password_hash, disabled,"
    " created_at, updated_at, handler_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULLIF(CAST(? AS "
    "BIGINT), 0))";
static const char sql_update[] =
    "UPDATE users SET org_id = ?, display_name = ?, role = ?,"
    " disabled = ?, updated_at = ?, handler_id = NULLIF(CAST(? AS BIGINT), 0)"
    " WHERE id = ?";
static const char sql_set_pw[] = "UPDATE users SET password_hash = ? WHERE id = ?";
static const char sql_list[] =
    "SELECT u.id, u.org_id, u.username, u.display_name, u.role, u.disabled, u.created_at,"
    " u.updated_at, COALESCE(u.handler_id, 0),"
    " COALESCE((SELECT p.id FROM person p WHERE p.user_id = u.id), 0)"
    " FROM users u JOIN org o ON o.id = u.org_id"
    " WHERE u.id > ?1 AND substr(o.path, 1, length(?2)) = ?2 ORDER BY u.id LIMIT ?3";

int role_parse(const char *s)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(role_names); i++)
		if (strcmp(s, role_names[i]) == 0)
			return (int)i;
	return -1;
}

static int user_read(struct db_stmt *st, struct user *u)
{
	memset(u, 0, sizeof(*u));
	u->id = db_col_int(st, 0);
	u->org_id = db_col_int(st, 1);
	if (copy_field(u->username, sizeof(u->username), db_col_text(st, 2)) ||
	    copy_field(u->display_name, sizeof(u->display_name), db_col_text(st, 3)) ||
	    copy_field(u->role, sizeof(u->role), db_col_text(st, 4)))
		return ERR_TOO_BIG;
	u->disabled = db_col_int(st, 5) != 0;
	u->created_at = db_col_int(st, 6);
	u->updated_at = db_col_int(st, 7);
	u->handler_id = db_col_int(st, 8);
	u->person_id = db_col_int(st, 9);
	return ERR_OK;
}

int user_get(struct db *db, int64_t id, struct user *u)
{
	struct db_stmt *st;
	int rc = db_get_row(db, sql_get, &st, "i", id);

	if (rc)
		return rc;
	rc = user_read(st, u);
	db_done(st);
	return rc;
}

int user_get_by_name(struct db *db, const char *username, struct user *u)
{
	struct db_stmt *st;
	int rc = db_get_row(db, sql_get_name, &st, "s", username);

	if (rc)
		return rc;
	rc = user_read(st, u);
	db_done(st);
	return rc;
}

int user_authorize(struct db *db, const struct actor *a, int64_t id, enum authz_op op,
		   struct user *u, struct org *o)
{
	struct user tmp_u;
	struct org tmp_o;
	bool self, manage, visible, allowed;
	int rc;

	if (!u)
		u = &tmp_u;
	if (!o)
		o = &tmp_o;
	if (id <= 0)
		return ERR_NOT_FOUND;
	rc = user_get(db, id, u);
	if (!rc)
		rc = org_get(db, u->org_id, o);
	if (rc)
		return rc;
	self = a->via != AUTH_NONE && a->via != AUTH_SYSTEM && a->user.id == u->id;
	manage = a->via != AUTH_NONE && actor_can_manage_org(a, o);
	visible =
	    self || (a->via != AUTH_NONE && (a->via == AUTH_SYSTEM || org_is_within(o, &a->org)));
	allowed = op == AUTHZ_MANAGE ? manage : self || manage;
	return authz_decide(a, visible, allowed);
}

int password_check(const char *pw, struct verr *e)
{
	size_t n = strlen(pw);

	if (n < 8)
		return verr_set(e, "too_short", "password", "密码至少需要 8 个字符",
				"the password needs at least 8 characters");
	if (n > 256)
		return verr_set(e, "too_long", "password", "密码最多 256 个字符",
				"the password may have at most 256 characters");
	return text_check(pw, "password", 8, 256, e);
}

int password_hash(const char *pw, char *out, size_t outlen)
{
	if (outlen < crypto_pwhash_STRBYTES)
		return ERR_TOO_BIG;
	if (crypto_pwhash_str_alg(out, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
				  crypto_pwhash_MEMLIMIT_INTERACTIVE,
				  crypto_pwhash_ALG_ARGON2ID13) != 0)
		return ERR_NOMEM;
	return ERR_OK;
}

static char dummy_hash[crypto_pwhash_STRBYTES];

static void dummy_init(void)
{
	if (password_hash("not-a-password", dummy_hash, sizeof(dummy_hash)))
		dummy_hash[0] = '\0';
}

bool password_verify(const char *hash, const char *pw)
{
	/* a fixed hash for unknown users, so a wrong name costs as much time as a wrong
	 * password and does not reveal which names exist */
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	if (!hash) {
		pthread_once(&once, dummy_init);
		if (dummy_hash[0] && crypto_pwhash_str_verify(dummy_hash, pw, strlen(pw)) == 0)
			return false; /* equal work either way */
		return false;
	}
	return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
}

static int username_check(const char *s, struct verr *e)
{
	size_t i, n = strlen(s);

	if (n < 3 || n > 32)
		return verr_set(e, "invalid", "username", "用户名需为 3 到 32 个字符",
				"username must be 3 to 32 characters");
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return verr_set(e, "invalid", "username",
					"用户名只能包含字母、数字和 . _ -",
					"username may contain only letters, digits and . _ -");
	}
	return ERR_OK;
}

static int user_validate(struct db *db, struct user *u, struct verr *e)
{
	struct org o;
	int rc;

	rc = username_check(u->username, e);
	if (rc)
		return rc;
	if (!u->display_name[0])
		memcpy(u->display_name, u->username, strlen(u->username) + 1);
	rc = text_check(u->display_name, "display_name", 1, 100, e);
	if (rc)
		return rc;
	if (role_parse(u->role) < 0)
		return verr_set(e, "invalid", "role",
				"角色须为 admin、organizer、leader、member 或 guest 之一",
				"role must be one of admin, organizer, leader, member, guest");
	rc = org_get(db, u->org_id, &o);
	if (rc == ERR_NOT_FOUND)
		return verr_set(e, "invalid", "org_id", "所属组织不存在", "the org does not exist");
	return rc;
}

static int set_password(struct db *db, int64_t id, const char *password)
{
	char hash[crypto_pwhash_STRBYTES];
	int rc;

	rc = password_hash(password, hash, sizeof(hash));
	if (rc)
		return rc;
	rc = db_exec(db, sql_set_pw, "si", hash, id);
	sodium_memzero(hash, sizeof(hash));
	return rc;
}

/* user_audit_json is what the audit log records of u (new reference). */
static json_t *user_audit_json(const struct user *u)
{
	char created[21], updated[21];

	time_iso(u->created_at, created);
	time_iso(u->updated_at, updated);
	return json_pack("{sI sI ss ss ss sb ss ss so so}", "id", (json_int_t)u->id, "org_id",
			 (json_int_t)u->org_id, "username", u->username, "display_name",
			 u->display_name, "role", u->role, "disabled", u->disabled, "created_at",
			 created, "updated_at", updated, "handler_id",
			 u->handler_id ? json_integer(u->handler_id) : json_null(), "person_id",
			 u->person_id ? json_integer(u->person_id) : json_null());
}

static const char sql_unlink[] = "UPDATE person SET user_id = NULL, updated_at = ? WHERE id = ?";
static const char sql_link[] = "UPDATE person SET user_id = ?, updated_at = ? WHERE id = ?";

int user_link_person(struct db *db, const struct actor *who, const struct user *u,
		     int64_t old_person_id, struct verr *e)
{
	int64_t now = time_now();
	struct person p;
	json_t *b, *a;
	int rc;

	if (u->person_id == old_person_id)
		return ERR_OK;
	if (u->person_id) {
		/* a person out of the caller's sight is as unknown as a missing one */
		rc = u->person_id > 0
			 ? person_authorize(db, who, u->person_id, AUTHZ_READ, &p, NULL)
			 : ERR_NOT_FOUND;
		if (rc == ERR_NOT_FOUND || rc == ERR_FORBIDDEN || rc == ERR_AUTH ||
		    (rc == ERR_OK && person_erased(db, p.id)))
			return verr_set(e, "invalid", "person_id", "人员不存在",
					"no such person in the registry");
		if (rc)
			return rc;
		if (p.user_id && p.user_id != u->id)
			return verr_set(e, "person_linked", "person_id", "该人员已关联到另一个账号",
					"this person is already linked to another account"),
			       ERR_CONFLICT;
	}
	if (old_person_id > 0) {
		rc = db_exec(db, sql_unlink, "ii", now, old_person_id);
		if (rc)
			return rc;
	}
	if (u->person_id) {
		rc = db_exec(db, sql_link, "iii", u->id, now, u->person_id);
		if (rc)
			return rc;
	}
	b = json_pack("{so}", "person_id",
		      old_person_id ? json_integer(old_person_id) : json_null());
	a = json_pack("{so}", "person_id", u->person_id ? json_integer(u->person_id) : json_null());
	rc = audit_write(db, who, u->org_id, "user.person", "user", u->id, b, a);
	json_decref(b);
	json_decref(a);
	return rc;
}

int user_create(struct db *db, const struct actor *who, struct user *u, const char *password,
		struct verr *e)
{
	int64_t now = time_now();
	json_t *after;
	int rc;

	rc = user_validate(db, u, e);
	if (!rc)
		rc = password_check(password, e);
	if (rc)
		return rc;
	/* the hash "!" never matches; set_password replaces it below */
	rc = db_exec(db, sql_insert, "issssniii", u->org_id, u->username, u->display_name, u->role,
		     "!", (int)u->disabled, now, now, u->handler_id);
	if (rc == ERR_CONFLICT)
		return verr_set(e, "conflict", "username", "用户名“%s”已被使用",
				"the username '%s' is already taken", u->username),
		       ERR_CONFLICT;
	if (rc)
		return rc;
	u->id = db_last_id(db);
	u->created_at = u->updated_at = now;
	rc = set_password(db, u->id, password);
	if (rc)
		return rc;
	after = user_audit_json(u);
	rc = audit_write(db, who, u->org_id, "user.create", "user", u->id, NULL, after);
	json_decref(after);
	if (!rc)
		rc = user_link_person(db, who, u, 0, e);
	return rc;
}

int user_update(struct db *db, const struct actor *who, const struct user *before, struct user *u,
		const char *password, struct verr *e)
{
	json_t *b, *a;
	int rc;

	rc = user_validate(db, u, e);
	if (!rc && password)
		rc = password_check(password, e);
	if (rc)
		return rc;
	u->updated_at = time_now();
	rc = db_exec(db, sql_update, "issniii", u->org_id, u->display_name, u->role,
		     (int)u->disabled, u->updated_at, u->handler_id, u->id);
	if (rc)
		return rc;
	if (password || u->disabled) {
		/* a new password ends the other sign-ins; the one that set it stays */
		int64_t keep = !u->disabled && who->via == AUTH_COOKIE && who->user.id == u->id
				   ? who->session_id
				   : 0;

		if (password) {
			rc = set_password(db, u->id, password);
			if (rc)
				return rc;
		}
		rc = auth_sessions_end(db, u->id, keep, NULL);
		if (rc)
			return rc;
	}
	b = user_audit_json(before);
	a = user_audit_json(u);
	if (password)
		json_object_set_new(a, "password_changed", json_true());
	rc = audit_write(db, who, u->org_id, password ? "user.password" : "user.update", "user",
			 u->id, b, a);
	if (!rc && (strcmp(before->role, u->role) != 0 || before->org_id != u->org_id ||
		    before->handler_id != u->handler_id)) {
		/* who may do what changed: its own row, so the log answers "who made X an admin" */
		json_t *rb = json_pack("{ss sI sO}", "role", before->role, "org_id",
				       (json_int_t)before->org_id, "handler_id",
				       json_object_get(b, "handler_id"));
		json_t *ra =
		    json_pack("{ss sI sO}", "role", u->role, "org_id", (json_int_t)u->org_id,
			      "handler_id", json_object_get(a, "handler_id"));

		rc = audit_write(db, who, u->org_id, "user.role", "user", u->id, rb, ra);
		json_decref(rb);
		json_decref(ra);
	}
	json_decref(b);
	json_decref(a);
	if (!rc)
		rc = user_link_person(db, who, u, before->person_id, e);
	return rc;
}

struct user_each {
	int (*fn)(const struct user *u, void *ud);
	void *ud;
};

static int user_row(struct db_stmt *st, void *ud)
{
	struct user_each *k = ud;
	struct user u;
	int rc = user_read(st, &u);

	return rc ? rc : k->fn(&u, k->ud);
}

int user_list(struct db *db, const struct org *scope, int64_t after, int limit,
	      int (*fn)(const struct user *u, void *ud), void *ud)
{
	struct user_each k = {fn, ud};

	return db_each(db, sql_list, user_row, &k, "isi", after, scope->path, (int64_t)limit);
}
