/*
 * users.c - accounts: JSON API, the administration pages, and one's own account page.
 *
 * Admins manage accounts in their own body and those below it. Everyone may read and
 * change their own display name and password (the password only with the current one).
 * user_authorize decides for the API and the pages alike: an account of another branch is
 * 404 to a signed-in caller, one of their own body that is not theirs 403.
 */
#include "web.h"
#include "sessions.h"

#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "model/output.h"
#include "view/view.h"

#define USER_PAGE_MAX 500

static int collect_user(const struct user *u, void *ud)
{
	return json_array_append_new(ud, user_to_json(u)) ? ERR_NOMEM : ERR_OK;
}

int h_api_users_list(struct web_ctx *c)
{
	json_t *items;
	int64_t after;
	int limit, rc;

	if (web_page(c, &limit, &after))
		return 0;
	items = json_array();
	rc = user_list(c->db, &c->actor.org, after, limit + 1, collect_user, items);
	if (rc) {
		json_decref(items);
		return web_fail(c, rc);
	}
	return web_list(c, items, limit);
}

/* manages reports whether the caller administers account id (roles, body, disabling). */
static bool manages(struct web_ctx *c, int64_t id)
{
	return user_authorize(c->db, &c->actor, id, AUTHZ_MANAGE, NULL, NULL) == ERR_OK;
}

int h_api_user_get(struct web_ctx *c)
{
	struct user u;
	int rc = user_authorize(c->db, &c->actor, web_id(c, "id"), AUTHZ_READ, &u, NULL);

	if (rc)
		return web_answer(c, rc, NULL);
	return web_json(c, 200, user_to_json(&u));
}

/* --- an account's fields in a request: parsed first (no database), then validated --- */

struct user_in {
	/* NULL: not given */
	const char *username, *display_name, *role, *password, *current_password;
	bool disabled_given, disabled;
	bool org_given;
	int64_t org_id;
	bool person_given;
	int64_t person_id; /* 0 (null, or "" in a form): linked to no one */
	bool admin_fields; /* org_id, handler_id or person_id named in a JSON body */
};

/* text_in reads string field name into *out (NULL when not given). */
static int text_in(struct web_ctx *c, const char *name, const char **out, struct verr *e)
{
	bool bad = false;

	*out = web_field(c, name, &bad);
	return bad ? verr_type(e, name, "字符串", "a string") : ERR_OK;
}

/* person_in reads "person_id": an id, or null (JSON) / "" (form) for no one. */
static int person_in(struct web_ctx *c, struct user_in *in, struct verr *e)
{
	const char *v;

	if (c->json) {
		json_t *j = json_object_get(c->json, "person_id");

		if (!j)
			return ERR_OK;
		in->person_given = true;
		if (json_is_null(j))
			return ERR_OK;
	} else {
		v = web_field(c, "person_id", NULL);
		if (!v)
			return ERR_OK;
		in->person_given = true;
		if (!*v)
			return ERR_OK;
	}
	if (web_int_field(c, "person_id", &in->person_id, &in->person_given) || in->person_id <= 0)
		return verr_set(e, "invalid", "person_id", "人员不存在",
				"no such person in the registry");
	return ERR_OK;
}

/* parse_user reads the account fields of the request (JSON or form) into in, checking only
 * their types. */
static int parse_user(struct web_ctx *c, struct user_in *in, struct verr *e)
{
	int rc;

	memset(in, 0, sizeof(*in));
	rc = web_form_check(c, e);
	if (!rc)
		rc = text_in(c, "username", &in->username, e);
	if (!rc)
		rc = text_in(c, "display_name", &in->display_name, e);
	if (!rc)
		rc = text_in(c, "role", &in->role, e);
	if (!rc && web_bool_field(c, "disabled", &in->disabled, &in->disabled_given))
		rc = verr_type(e, "disabled", "布尔值", "a boolean");
	if (!rc && web_int_field(c, "org_id", &in->org_id, &in->org_given))
		rc = verr_type(e, "org_id", "整数", "an integer");
	if (!rc)
		rc = text_in(c, "password", &in->password, e);
	if (!rc)
		rc = text_in(c, "current_password", &in->current_password, e);
	if (!rc)
		rc = person_in(c, in, e);
	in->admin_fields = c->json && (json_object_get(c->json, "org_id") ||
				       json_object_get(c->json, "handler_id") ||
				       json_object_get(c->json, "person_id"));
	return rc;
}

/* copy_in copies s (when given) into dst[cap]. */
static int copy_in(const char *name, const char *s, char *dst, size_t cap, struct verr *e)
{
	if (!s)
		return ERR_OK;
	if (strlen(s) >= cap)
		return verr_set(e, "too_long", name, "%s 过长", "%s is too long", name);
	memcpy(dst, s, strlen(s) + 1);
	return ERR_OK;
}

/* target_handler reads "handler_id": the account becomes a handling unit's (承办单位), which
 * sees only what is assigned to it. null/0 clears it. */
static int target_handler(struct web_ctx *c, struct user *u, struct verr *e)
{
	struct handler hd;
	int64_t id;
	bool present, ok = false;
	int rc;

	if (c->json && json_is_null(json_object_get(c->json, "handler_id"))) {
		if (json_object_get(c->json, "handler_id"))
			u->handler_id = 0;
		return ERR_OK;
	}
	if (web_int_field(c, "handler_id", &id, &present))
		return verr_type(e, "handler_id", "整数", "an integer");
	if (!present)
		return ERR_OK;
	if (id <= 0) {
		u->handler_id = 0;
		return ERR_OK;
	}
	rc = handler_get(c->db, id, &hd);
	if (rc == ERR_OK)
		ok = strncmp(hd.org_path, c->actor.org.path, strlen(c->actor.org.path)) == 0;
	else if (rc != ERR_NOT_FOUND)
		return rc;
	if (!ok)
		return verr_set(e, "invalid", "handler_id", "承办单位不存在",
				"no such handling unit");
	u->handler_id = id;
	return ERR_OK;
}

/* target_org checks that in's org_id (when given) exists and is managed by the caller. */
static int target_org(struct web_ctx *c, const struct user_in *in, struct user *u, struct verr *e)
{
	int rc;

	if (!in->org_given)
		return ERR_OK;
	/* a body out of sight is as unknown as a missing one */
	rc = org_authorize(c->db, &c->actor, in->org_id, AUTHZ_MANAGE, NULL);
	if (rc == ERR_NOT_FOUND)
		return verr_set(e, "invalid", "org_id", "所属组织不存在", "the org does not exist");
	if (rc)
		return rc;
	u->org_id = in->org_id;
	return ERR_OK;
}

static int create_user(struct web_ctx *c, struct user *u, struct verr *e)
{
	struct user_in in;
	int rc;

	memset(u, 0, sizeof(*u));
	u->org_id = c->actor.org.id;
	snprintf(u->role, sizeof(u->role), "member");
	rc = parse_user(c, &in, e);
	/* accounts are made in a body the caller administers (its own unless org_id says) */
	if (!rc)
		rc = org_authorize(c->db, &c->actor, c->actor.org.id, AUTHZ_MANAGE, NULL);
	if (!rc)
		rc = copy_in("username", in.username, u->username, sizeof(u->username), e);
	if (!rc)
		rc = copy_in("display_name", in.display_name, u->display_name,
			     sizeof(u->display_name), e);
	if (!rc)
		rc = copy_in("role", in.role, u->role, sizeof(u->role), e);
	if (!rc)
		rc = target_org(c, &in, u, e);
	if (!rc)
		rc = target_handler(c, u, e);
	if (rc)
		return rc;
	u->person_id = in.person_given ? in.person_id : 0;
	if (!u->username[0])
		return verr_set(e, "required", "username", "请填写用户名", "username is required");
	if (!in.password)
		return verr_set(e, "required", "password", "请填写密码", "password is required");
	rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, user_create(c->db, &c->actor, u, in.password, e));
	return rc;
}

int h_api_users_create(struct web_ctx *c)
{
	struct verr e;
	struct user u;
	int rc = create_user(c, &u, &e);

	if (rc)
		return web_answer(c, rc, &e);
	return web_json(c, 201, user_to_json(&u));
}

/* check_current checks the caller's current password before their own is changed. */
static int check_current(struct web_ctx *c, const struct user *u, const char *current,
			 struct verr *e)
{
	struct user tmp;
	int retry, rc;

	if (!current || !*current)
		return verr_set(e, "required", "current_password", "请填写当前密码",
				"the current password is required");
	/* throttled like a sign-in, so a session left open cannot be used to guess it */
	rc = web_login_check(c, u->username, current, &tmp, &retry);
	if (rc == ERR_LIMIT)
		return verr_set(
		    e, "invalid", "current_password", "当前密码错误次数过多，请 %d 秒后再试",
		    "too many wrong tries of the current password; try again in %d s", retry);
	if (rc == ERR_AUTH)
		return verr_set(e, "invalid", "current_password", "当前密码不正确",
				"the current password is wrong");
	return rc;
}

/* update_user applies the request to user {id}: what the caller may change depends on
 * whether they manage the account or it is their own. */
static int update_user(struct web_ctx *c, int64_t id, struct user *before, struct user *u,
		       struct verr *e)
{
	const char *password;
	struct user_in in;
	bool self, manage;
	int rc, prc;

	memset(before, 0, sizeof(*before));
	prc = parse_user(c, &in, e);
	/* authorized before a parse error is told, so strangers learn nothing */
	rc = user_authorize(c->db, &c->actor, id, AUTHZ_WRITE, before, NULL);
	if (rc)
		return rc;
	*u = *before;
	if (prc)
		return prc;
	self = before->id == c->actor.user.id;
	manage = manages(c, id);
	rc = copy_in("display_name", in.display_name, u->display_name, sizeof(u->display_name), e);
	if (!rc)
		rc = copy_in("role", in.role, u->role, sizeof(u->role), e);
	if (rc)
		return rc;
	if (in.disabled_given)
		u->disabled = in.disabled;
	if (!manage) {
		if (strcmp(before->role, u->role) != 0 || u->disabled != before->disabled ||
		    in.admin_fields || (in.person_given && in.person_id != before->person_id))
			return user_authorize(c->db, &c->actor, id, AUTHZ_MANAGE, NULL, NULL);
	} else {
		rc = target_org(c, &in, u, e);
		if (!rc && c->json)
			rc = target_handler(c, u, e);
		if (rc)
			return rc;
		if (in.person_given)
			u->person_id = in.person_id;
		if (self && (strcmp(u->role, "admin") != 0 || u->disabled))
			return verr_set(e, "invalid",
					strcmp(u->role, "admin") ? "role" : "disabled",
					"不能降低或停用自己的管理员账号",
					"you cannot demote or disable your own admin account");
	}
	password = in.password && *in.password ? in.password : NULL;
	if (password && self && (rc = check_current(c, before, in.current_password, e)) != 0)
		return rc;
	rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, user_update(c->db, &c->actor, before, u, password, e));
	return rc;
}

int h_api_user_patch(struct web_ctx *c)
{
	struct user before, u;
	struct verr e;
	int rc = update_user(c, web_id(c, "id"), &before, &u, &e);

	if (rc)
		return web_answer(c, rc, &e);
	return web_json(c, 200, user_to_json(&u));
}

/* --- pages --- */

struct org_options {
	json_t *a;
	int64_t selected;
};

static int org_option(const struct org *o, void *ud)
{
	struct org_options *k = ud;
	json_t *j = org_to_json(o);

	json_object_set_new(j, "selected", json_boolean(o->id == k->selected));
	return json_array_append_new(k->a, j) ? ERR_NOMEM : ERR_OK;
}

/* role_options returns [{value, label, selected}] for a role select. */
static json_t *role_options(struct web_ctx *c, const char *selected)
{
	static const char *const roles[] = {"member", "organizer", "leader", "admin", "guest"};
	json_t *a = json_array();
	char key[32];
	size_t i;

	for (i = 0; i < ARRAY_LEN(roles); i++) {
		snprintf(key, sizeof(key), "role_%s", roles[i]);
		json_array_append_new(a, json_pack("{ss ss sb}", "value", roles[i], "label",
						   view_text(c->lang, key), "selected",
						   selected && strcmp(selected, roles[i]) == 0));
	}
	return a;
}

/* person_options returns the persons of body org_id an account may be linked to, with the
 * one linked (selected) marked; the page's select has "no one" first. */
static json_t *person_options(struct web_ctx *c, int64_t org_id, int64_t selected)
{
	json_t *a = people_options_json(c->db, &c->actor, org_id), *x;
	size_t i;

	json_array_foreach(a, i, x) json_object_set_new(
	    x, "selected", json_boolean(json_integer_value(json_object_get(x, "id")) == selected));
	return a;
}

static json_t *org_options(struct web_ctx *c, int64_t selected)
{
	struct org_options k = {json_array(), selected};

	if (org_list(c->db, &c->actor.org, false, 0, USER_PAGE_MAX, org_option, &k)) {
		json_decref(k.a);
		return json_array();
	}
	return k.a;
}

struct user_rows {
	json_t *rows;
	struct web_ctx *c;
};

static int user_row(const struct user *u, void *ud)
{
	struct user_rows *r = ud;
	json_t *j = user_to_json(u);
	struct org o;
	char key[32];

	snprintf(key, sizeof(key), "role_%s", u->role);
	json_object_set_new(j, "role_label", json_string(view_text(r->c->lang, key)));
	if (org_get(r->c->db, u->org_id, &o) == ERR_OK)
		json_object_set_new(j, "org_name", json_string(o.name));
	return json_array_append_new(r->rows, j) ? ERR_NOMEM : ERR_OK;
}

static int users_page(struct web_ctx *c, int status, const struct verr *e)
{
	const char *error = e ? web_verr_text(c, e) : NULL;
	struct user_rows r = {json_array(), c};
	const char *v;
	json_t *form;
	int64_t org_id = c->actor.org.id;
	bool present;
	int rc;

	rc = user_list(c->db, &c->actor.org, 0, USER_PAGE_MAX, user_row, &r);
	if (rc) {
		json_decref(r.rows);
		return web_fail(c, rc);
	}
	form = json_object();
	v = error ? web_field(c, "username", NULL) : NULL;
	json_object_set_new(form, "username", json_string(v ? v : ""));
	v = error ? web_field(c, "display_name", NULL) : NULL;
	json_object_set_new(form, "display_name", json_string(v ? v : ""));
	json_object_set_new(form, "field_error", web_field_error(c, e));
	v = error ? web_field(c, "role", NULL) : NULL;
	if (error && (web_int_field(c, "org_id", &org_id, &present) || !present))
		org_id = c->actor.org.id;
	return web_render(c, status, "users",
			  json_pack("{so so so so so ss?}", "users", r.rows, "form", form, "roles",
				    role_options(c, v ? v : "member"), "orgs",
				    org_options(c, org_id), "people",
				    person_options(c, c->actor.org.id, 0), "error", error));
}

int h_users_page(struct web_ctx *c)
{
	return users_page(c, 200, NULL);
}

int h_users_post(struct web_ctx *c)
{
	struct verr e;
	struct user u;
	int rc = create_user(c, &u, &e);

	if (rc == ERR_INVALID || rc == ERR_CONFLICT)
		return users_page(c, rc == ERR_CONFLICT ? 409 : 422, &e);
	if (rc)
		return web_answer(c, rc, &e);
	return web_redirect(c, "/admin/users");
}

/* user_page shows account u; refused (error), its form shows what was sent instead. */
static int user_page(struct web_ctx *c, int status, const struct user *u, const struct verr *e)
{
	const char *error = e ? web_verr_text(c, e) : NULL;
	json_t *uj = user_to_json(u);
	const char *role = u->role, *v;
	int64_t org_id = u->org_id, id;
	bool present, on;

	if (error) {
		v = web_field(c, "display_name", NULL);
		if (v)
			json_object_set_new(uj, "display_name", json_string(v));
		v = web_field(c, "role", NULL);
		role = v ? v : role;
		if (web_int_field(c, "org_id", &id, &present) == ERR_OK && present)
			org_id = id;
		if (web_bool_field(c, "disabled", &on, &present) == ERR_OK)
			json_object_set_new(uj, "disabled", json_boolean(present && on));
	}
	return web_render(c, status, "user",
			  json_pack("{so so so so ss? sb sb so}", "user", uj, "roles",
				    role_options(c, role), "orgs", org_options(c, org_id), "people",
				    person_options(c, u->org_id, u->person_id), "error", error,
				    "saved", http_query(c->req, "saved") != NULL, "self",
				    u->id == c->actor.user.id, "field_error",
				    web_field_error(c, e)));
}

int h_user_page(struct web_ctx *c)
{
	struct user u;
	int rc = user_authorize(c->db, &c->actor, web_id(c, "id"), AUTHZ_MANAGE, &u, NULL);

	if (rc)
		return web_answer(c, rc, NULL);
	return user_page(c, 200, &u, NULL);
}

int h_user_post(struct web_ctx *c)
{
	struct user before, u;
	struct verr e;
	char loc[64];
	int rc = update_user(c, web_id(c, "id"), &before, &u, &e);

	if (rc == ERR_INVALID || rc == ERR_CONFLICT)
		return user_page(c, rc == ERR_CONFLICT ? 409 : 422, &before, &e);
	if (rc)
		return web_answer(c, rc, &e);
	snprintf(loc, sizeof(loc), "/admin/users/%lld?saved=1", (long long)u.id);
	return web_redirect(c, loc);
}

/* verr_of_key fills e with the catalog's message key, in both languages, for field. */
static void verr_of_key(struct verr *e, const char *code, const char *field, const char *key)
{
	e->code = code;
	e->field = field;
	snprintf(e->zh, sizeof(e->zh), "%s", view_text("zh", key));
	snprintf(e->en, sizeof(e->en), "%s", view_text("en", key));
}

/* account_page shows the password form; refused (e), its message beside the field it
 * names (passwords are never sent back). */
static int account_page(struct web_ctx *c, int status, const struct verr *e)
{
	return web_render(c, status, "account",
			  json_pack("{ss? sb sb so}", "error", e ? web_verr_text(c, e) : NULL,
				    "saved", http_query(c->req, "saved") != NULL, "revoked",
				    http_query(c->req, "revoked") != NULL, "field_error",
				    web_field_error(c, e)));
}

int h_account_page(struct web_ctx *c)
{
	return account_page(c, 200, NULL);
}

int h_account_password(struct web_ctx *c)
{
	const char *pw = web_field(c, "password", NULL);
	const char *again = web_field(c, "password_again", NULL);
	struct user before, u;
	struct verr e;
	int rc;

	if (!pw || !*pw) {
		verr_of_key(&e, "required", "password", "account_pw_missing");
		return account_page(c, 422, &e);
	}
	if (!again || strcmp(pw, again) != 0) {
		verr_of_key(&e, "invalid", "password_again", "account_pw_mismatch");
		return account_page(c, 422, &e);
	}
	/* the account page edits the caller's own account through the same rules */
	rc = update_user(c, c->actor.user.id, &before, &u, &e);
	if (rc == ERR_INVALID || rc == ERR_CONFLICT)
		return account_page(c, 422, &e);
	if (rc)
		return web_answer(c, rc, &e);
	/* a new password ends every other sign-in of the account; this one stays */
	return web_redirect(c, "/account?saved=1");
}
