/*
 * org.c - consultative bodies (政协 at national, province, city, district level) and their
 * hierarchy. Each org stores its materialized path ("/1/4/9/"), so "this org and all below
 * it" is one prefix comparison, the same in SQLite and PostgreSQL.
 */
#include "model.h"
#include "valid.h"

#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "db/db.h"

static const char *const level_names[] = {"national", "province", "city", "district"};

#define ORG_COLS "id, COALESCE(parent_id, 0), slug, name, level, path, created_at, updated_at"

static const char sql_get[] = "SELECT " ORG_COLS " FROM org WHERE id = ?";
static const char sql_get_slug[] = "SELECT " ORG_COLS " FROM org WHERE slug = ?";
static const char sql_get_root[] =
    "SELECT " ORG_COLS " FROM org WHERE parent_id IS NULL AND id > ? ORDER BY id LIMIT 1";
static const char sql_insert[] =
    "INSERT INTO org (parent_id, slug, name, level, path, created_at,"
    " updated_at) VALUES (NULLIF(CAST(? AS BIGINT), 0), ?, ?, ?, '', ?, ?)";
static const char sql_set_path[] = "UPDATE org SET path = ?, slug = ? WHERE id = ?";
static const char sql_update[] = "UPDATE org SET slug = ?, name = ?, updated_at = ? WHERE id = ?";
static const char sql_list[] =
    "SELECT " ORG_COLS " FROM org WHERE id > ?1 AND (substr(path, 1, length(?2)) = ?2"
    " OR (?3 AND instr(?2, '/' || id || '/') > 0)) ORDER BY id LIMIT ?4";

/* org_audit_json is what the audit log records of o (new reference). */
static json_t *org_audit_json(const struct org *o)
{
	char created[21], updated[21];

	time_iso(o->created_at, created);
	time_iso(o->updated_at, updated);
	return json_pack("{sI so? ss ss ss ss ss}", "id", (json_int_t)o->id, "parent_id",
			 o->parent_id ? json_integer(o->parent_id) : NULL, "slug", o->slug, "name",
			 o->name, "level", o->level, "created_at", created, "updated_at", updated);
}

int org_level_parse(const char *s)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(level_names); i++)
		if (strcmp(s, level_names[i]) == 0)
			return (int)i;
	return -1;
}

static int org_read(struct db_stmt *st, struct org *o)
{
	memset(o, 0, sizeof(*o));
	o->id = db_col_int(st, 0);
	o->parent_id = db_col_int(st, 1);
	if (copy_field(o->slug, sizeof(o->slug), db_col_text(st, 2)) ||
	    copy_field(o->name, sizeof(o->name), db_col_text(st, 3)) ||
	    copy_field(o->level, sizeof(o->level), db_col_text(st, 4)) ||
	    copy_field(o->path, sizeof(o->path), db_col_text(st, 5)))
		return ERR_TOO_BIG;
	o->created_at = db_col_int(st, 6);
	o->updated_at = db_col_int(st, 7);
	return ERR_OK;
}

int org_get(struct db *db, int64_t id, struct org *o)
{
	struct db_stmt *st;
	int rc = db_get_row(db, sql_get, &st, "i", id);

	if (rc)
		return rc;
	rc = org_read(st, o);
	db_done(st);
	return rc;
}

int org_get_by_slug(struct db *db, const char *slug, struct org *o)
{
	struct db_stmt *st;
	int rc = db_get_row(db, sql_get_slug, &st, "s", slug);

	if (rc)
		return rc;
	rc = org_read(st, o);
	db_done(st);
	return rc;
}

int org_authorize(struct db *db, const struct actor *a, int64_t id, enum authz_op op, struct org *o)
{
	struct org tmp;
	bool visible, allowed;
	int rc;

	if (!o)
		o = &tmp;
	if (id <= 0)
		return ERR_NOT_FOUND;
	rc = org_get(db, id, o);
	if (rc)
		return rc;
	visible = a->via != AUTH_NONE && actor_can_see_org(a, o);
	allowed = op == AUTHZ_READ ? visible : actor_can_manage_org(a, o);
	return authz_decide(a, visible, allowed);
}

int org_get_root(struct db *db, struct org *o)
{
	struct db_stmt *st;
	int rc = db_get_row(db, sql_get_root, &st, "i", (int64_t)0);

	if (rc)
		return rc;
	rc = org_read(st, o);
	db_done(st);
	return rc;
}

bool org_path_within(const char *inner, const char *outer)
{
	size_t n = strlen(outer);

	return n > 0 && strncmp(inner, outer, n) == 0;
}

bool org_is_within(const struct org *inner, const struct org *outer)
{
	return org_path_within(inner->path, outer->path);
}

static int slug_check(const char *s, struct verr *e)
{
	size_t i, n = strlen(s);

	if (n < 2 || n > 40)
		return verr_set(e, "invalid", "slug", "简称（slug）需为 2 到 40 个字符",
				"slug must be 2 to 40 characters");
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c == '-' && i > 0)))
			return verr_set(e, "invalid", "slug",
					"简称（slug）只能包含小写字母、数字和连字符",
					"slug may contain only a-z, 0-9 and '-'");
	}
	return ERR_OK;
}

static int org_validate(struct db *db, struct org *o, struct org *parent, struct verr *e)
{
	int rc, level;

	rc = slug_check(o->slug, e);
	if (rc)
		return rc;
	rc = text_check(o->name, "name", 1, 100, e);
	if (rc)
		return rc;
	level = org_level_parse(o->level);
	if (level < 0)
		return verr_set(e, "invalid", "level",
				"级别须为 national、province、city 或 district 之一",
				"level must be one of national, province, city, district");
	if (!parent)
		return ERR_OK;
	rc = org_get(db, o->parent_id, parent);
	if (rc == ERR_NOT_FOUND)
		return verr_set(e, "invalid", "parent_id", "上级组织不存在",
				"the parent org does not exist");
	if (rc)
		return rc;
	if (level <= org_level_parse(parent->level))
		return verr_set(e, "invalid", "level", "下级组织的级别必须低于上级（%s）",
				"%.0san org must be at a lower level than its parent (%s)",
				code_zh("level", parent->level), parent->level);
	return ERR_OK;
}

const char *org_level_name(int level)
{
	return level >= 0 && (size_t)level < ARRAY_LEN(level_names) ? level_names[level] : NULL;
}

int org_create(struct db *db, const struct actor *who, struct org *o, struct verr *e)
{
	struct org parent;
	int64_t now = time_now();
	char path[sizeof(o->path)];
	int rc;

	/* without a slug the org is named by its id ("org-12") once it has one */
	bool auto_slug = o->slug[0] == '\0';

	if (auto_slug)
		rand_token(8, o->slug + snprintf(o->slug, sizeof(o->slug), "org-tmp-"));
	rc = org_validate(db, o, o->parent_id ? &parent : NULL, e);
	if (rc)
		return rc;
	rc = db_exec(db, sql_insert, "isssii", o->parent_id, o->slug, o->name, o->level, now, now);
	if (rc == ERR_CONFLICT)
		return verr_set(e, "conflict", "slug", "简称“%s”已被使用",
				"the slug '%s' is already taken", o->slug),
		       ERR_CONFLICT;
	if (rc)
		return rc;
	o->id = db_last_id(db);
	o->created_at = o->updated_at = now;
	if ((size_t)snprintf(path, sizeof(path), "%s%lld/", o->parent_id ? parent.path : "/",
			     (long long)o->id) >= sizeof(path))
		return ERR_TOO_BIG;
	memcpy(o->path, path, sizeof(path));
	if (auto_slug)
		snprintf(o->slug, sizeof(o->slug), "org-%lld", (long long)o->id);
	rc = db_exec(db, sql_set_path, "ssi", o->path, o->slug, o->id);
	if (!rc) {
		json_t *after = org_audit_json(o);

		rc = audit_write(db, who, o->id, "org.create", "org", o->id, NULL, after);
		json_decref(after);
	}
	return rc;
}

int org_update(struct db *db, const struct actor *who, const struct org *before, struct org *o,
	       struct verr *e)
{
	json_t *b, *a;
	int rc;

	rc = org_validate(db, o, NULL, e);
	if (rc)
		return rc;
	o->updated_at = time_now();
	rc = db_exec(db, sql_update, "ssii", o->slug, o->name, o->updated_at, o->id);
	if (rc == ERR_CONFLICT)
		return verr_set(e, "conflict", "slug", "简称“%s”已被使用",
				"the slug '%s' is already taken", o->slug),
		       ERR_CONFLICT;
	if (rc)
		return rc;
	b = org_audit_json(before);
	a = org_audit_json(o);
	rc = audit_write(db, who, o->id, "org.update", "org", o->id, b, a);
	json_decref(b);
	json_decref(a);
	return rc;
}

struct org_each {
	int (*fn)(const struct org *o, void *ud);
	void *ud;
};

static int org_row(struct db_stmt *st, void *ud)
{
	struct org_each *k = ud;
	struct org o;
	int rc = org_read(st, &o);

	return rc ? rc : k->fn(&o, k->ud);
}

int org_list(struct db *db, const struct org *scope, bool with_ancestors, int64_t after, int limit,
	     int (*fn)(const struct org *o, void *ud), void *ud)
{
	struct org_each k = {fn, ud};

	return db_each(db, sql_list, org_row, &k, "isni", after, scope->path, (int)with_ancestors,
		       (int64_t)limit);
}
