/*
 * orgs.c - consultative bodies: JSON API and the administration pages.
 *
 * Everyone signed in sees their own body, those below it and those above it (names and
 * structure); admins create and change bodies in their own subtree only. org_authorize
 * decides for the API and the pages alike: a body of another branch is 404 to a signed-in
 * caller, one they see but may not change 403.
 */
#include "web.h"

#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "view/view.h"

#define ORG_PAGE_MAX 500

static int collect_org(const struct org *o, void *ud)
{
	return json_array_append_new(ud, org_to_json(o)) ? ERR_NOMEM : ERR_OK;
}

int h_api_orgs_list(struct web_ctx *c)
{
	json_t *items;
	int64_t after;
	int limit, rc;

	if (web_page(c, &limit, &after))
		return 0;
	items = json_array();
	rc = org_list(c->db, &c->actor.org, true, after, limit + 1, collect_org, items);
	if (rc) {
		json_decref(items);
		return web_fail(c, rc);
	}
	return web_list(c, items, limit);
}

int h_api_org_get(struct web_ctx *c)
{
	struct org o;
	int rc = org_authorize(c->db, &c->actor, web_id(c, "id"), AUTHZ_READ, &o);

	if (rc)
		return web_answer(c, rc, NULL);
	return web_json(c, 200, org_to_json(&o));
}

/* read_org_fields copies name/slug/level given in the request into o; answers type errors. */
static int read_org_fields(struct web_ctx *c, struct org *o, bool with_level, struct verr *e)
{
	static const char *const names[] = {"name", "slug", "level"};
	char *dst[] = {o->name, o->slug, o->level};
	size_t caps[] = {sizeof(o->name), sizeof(o->slug), sizeof(o->level)};
	size_t i;

	if (web_form_check(c, e))
		return ERR_INVALID;
	for (i = 0; i < (with_level ? 3u : 2u); i++) {
		bool bad = false;
		const char *v = web_field(c, names[i], &bad);

		if (bad)
			return verr_type(e, names[i], "字符串", "a string");
		if (!v)
			continue;
		if (strlen(v) >= caps[i])
			return verr_set(e, "too_long", names[i], "%s 过长", "%s is too long",
					names[i]);
		memcpy(dst[i], v, strlen(v) + 1);
	}
	return ERR_OK;
}

/* create_org is shared by the API and the page. Returns ERR_INVALID/ERR_CONFLICT with e
 * filled, ERR_FORBIDDEN, or another failure; fills *o on success. Answers nothing. */
static int create_org(struct web_ctx *c, struct org *o, struct verr *e)
{
	struct org parent;
	int64_t parent_id = c->actor.org.id;
	bool present;
	int rc;

	memset(o, 0, sizeof(*o));
	rc = read_org_fields(c, o, true, e);
	if (rc)
		return rc;
	if (web_int_field(c, "parent_id", &parent_id, &present))
		return verr_type(e, "parent_id", "整数", "an integer");
	if (!present)
		parent_id = c->actor.org.id;
	/* a parent out of sight is as unknown as a missing one */
	rc = org_authorize(c->db, &c->actor, parent_id, AUTHZ_WRITE, &parent);
	if (rc == ERR_NOT_FOUND)
		return verr_set(e, "invalid", "parent_id", "上级组织不存在",
				"the parent org does not exist");
	if (rc)
		return rc;
	o->parent_id = parent_id;
	if (!o->level[0]) {
		/* by default one level below the parent */
		const char *below = org_level_name(org_level_parse(parent.level) + 1);

		if (!below)
			return verr_set(e, "invalid", "level", "区级组织下不能再设下级组织",
					"a district body cannot have bodies below it");
		snprintf(o->level, sizeof(o->level), "%s", below);
	}
	rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, org_create(c->db, &c->actor, o, e));
	return rc;
}

int h_api_orgs_create(struct web_ctx *c)
{
	struct verr e;
	struct org o;
	int rc = create_org(c, &o, &e);

	if (rc)
		return web_answer(c, rc, &e);
	return web_json(c, 201, org_to_json(&o));
}

/* update_org: like create_org, for org {id}; *before gets the stored org. */
static int update_org(struct web_ctx *c, struct org *before, struct org *o, struct verr *e)
{
	int rc;

	rc = org_authorize(c->db, &c->actor, web_id(c, "id"), AUTHZ_WRITE, before);
	if (rc)
		return rc;
	*o = *before;
	if (c->json && json_object_get(c->json, "level"))
		return verr_set(e, "invalid", "level", "组织级别不能修改",
				"an org's level cannot be changed");
	if (c->json && json_object_get(c->json, "parent_id"))
		return verr_set(e, "invalid", "parent_id", "上级组织不能修改",
				"an org's parent cannot be changed");
	rc = read_org_fields(c, o, false, e);
	if (rc)
		return rc;
	rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, org_update(c->db, &c->actor, before, o, e));
	return rc;
}

int h_api_org_patch(struct web_ctx *c)
{
	struct org before, o;
	struct verr e;
	int rc = update_org(c, &before, &o, &e);

	if (rc)
		return web_answer(c, rc, &e);
	return web_json(c, 200, org_to_json(&o));
}

/* --- pages --- */

struct org_rows {
	json_t *rows;
	const struct actor *actor;
	const char *lang;
};

static int org_row(const struct org *o, void *ud)
{
	struct org_rows *r = ud;
	json_t *j = org_to_json(o);
	int depth = -1;
	const char *p;

	for (p = o->path; *p; p++)
		depth += *p == '/';
	json_object_set_new(j, "depth", json_integer(depth - 1));
	json_object_set_new(j, "indent", json_integer((depth - 1) * 16));
	json_object_set_new(j, "manage", json_boolean(actor_can_manage_org(r->actor, o)));
	json_object_set_new(j, "level_label", json_string(view_text(r->lang, o->level)));
	return json_array_append_new(r->rows, j) ? ERR_NOMEM : ERR_OK;
}

/* mark_again marks what a refused new-body form had chosen: its parent among rows
 * ("selected") and its level (form's level_<level>). */
static void mark_again(struct web_ctx *c, json_t *rows, const char *level, json_t *form)
{
	static const char *const levels[] = {"province", "city", "district"};
	const char *pv = web_field(c, "parent_id", NULL);
	char id[24], key[32];
	json_t *x;
	size_t k;

	json_array_foreach(rows, k, x)
	{
		snprintf(id, sizeof(id), "%lld",
			 (long long)json_integer_value(json_object_get(x, "id")));
		json_object_set_new(x, "selected", json_boolean(pv && strcmp(pv, id) == 0));
	}
	for (k = 0; k < ARRAY_LEN(levels); k++) {
		snprintf(key, sizeof(key), "level_%s", levels[k]);
		json_object_set_new(form, key,
				    json_boolean(level && strcmp(level, levels[k]) == 0));
	}
}

/* orgs_page renders the list of bodies and the form to add one (with form values and an
 * error when re-shown after a refused submission). */
static int orgs_page(struct web_ctx *c, int status, const struct verr *e)
{
	const char *error = e ? web_verr_text(c, e) : NULL;
	struct org_rows r = {json_array(), &c->actor, c->lang};
	json_t *form;
	int rc;

	rc = org_list(c->db, &c->actor.org, false, 0, ORG_PAGE_MAX, org_row, &r);
	if (rc) {
		json_decref(r.rows);
		return web_fail(c, rc);
	}
	form = json_pack("{s:s s:s s:s}", "name", "", "slug", "", "level", "");
	if (error) {
		static const char *const f[] = {"name", "slug", "level"};
		size_t i;

		for (i = 0; i < ARRAY_LEN(f); i++) {
			const char *v = web_field(c, f[i], NULL);

			json_object_set_new(form, f[i], json_string(v ? v : ""));
		}
		mark_again(c, r.rows, json_string_value(json_object_get(form, "level")), form);
		json_object_set_new(form, "field_error", web_field_error(c, e));
	}
	return web_render(c, status, "orgs",
			  json_pack("{so so ss?}", "orgs", r.rows, "form", form, "error", error));
}

int h_orgs_page(struct web_ctx *c)
{
	return orgs_page(c, 200, NULL);
}

int h_orgs_post(struct web_ctx *c)
{
	struct verr e;
	struct org o;
	int rc = create_org(c, &o, &e);

	if (rc == ERR_INVALID || rc == ERR_CONFLICT)
		return orgs_page(c, rc == ERR_CONFLICT ? 409 : 422, &e);
	if (rc)
		return web_answer(c, rc, &e);
	return web_redirect(c, "/admin/orgs");
}

static int org_page(struct web_ctx *c, int status, const struct org *o, const struct verr *e)
{
	json_t *j = org_to_json(o);

	json_object_set_new(j, "level_label", json_string(view_text(c->lang, o->level)));
	return web_render(
	    c, status, "org",
	    json_pack("{so ss? sb so}", "org", j, "error", e ? web_verr_text(c, e) : NULL, "saved",
		      http_query(c->req, "saved") != NULL, "field_error", web_field_error(c, e)));
}

int h_org_page(struct web_ctx *c)
{
	struct org o;
	int rc = org_authorize(c->db, &c->actor, web_id(c, "id"), AUTHZ_MANAGE, &o);

	if (rc)
		return web_answer(c, rc, NULL);
	return org_page(c, 200, &o, NULL);
}

int h_org_post(struct web_ctx *c)
{
	struct org before, o;
	struct verr e;
	char loc[64];
	int rc = update_org(c, &before, &o, &e);

	if (rc == ERR_INVALID || rc == ERR_CONFLICT)
		return org_page(c, rc == ERR_CONFLICT ? 409 : 422, &o, &e);
	if (rc)
		return web_answer(c, rc, &e);
	snprintf(loc, sizeof(loc), "/admin/orgs/%lld?saved=1", (long long)o.id);
	return web_redirect(c, loc);
}
