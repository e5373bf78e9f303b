/*
 * handler.c - handling units (承办单位): the bodies' departments that proposals are assigned
 * to. A user with handler_id is a unit's account and sees only what is assigned to it.
 */
#include "output.h"
#include "output_int.h"
#include "session.h"
#include "valid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "db/db.h"

static const char sql_handler_add[] = "INSERT INTO handler (org_id, name, created_at)"
				      " VALUES (?, ?, ?)";
static const char sql_handler_list[] =
    "SELECT h.id, h.org_id, h.name, o.path FROM handler h JOIN org o ON o.id = h.org_id"
    " WHERE substr(o.path, 1, length(?1)) = ?1 OR instr(?1, '/' || o.id || '/') > 0"
    " ORDER BY h.name LIMIT 1000";

static const char sql_handler_get[] =
    "SELECT h.id, h.org_id, h.name, o.path FROM handler h JOIN org o ON o.id = h.org_id"
    " WHERE h.id = ?";
static const char sql_handler_by_name[] =
    "SELECT h.id FROM handler h JOIN org o ON o.id = h.org_id"
    " WHERE (substr(o.path, 1, length(?1)) = ?1 OR instr(?1, '/' || o.id || '/') > 0)"
    " AND h.name = ?2 ORDER BY h.id LIMIT 1";

/* list_scope is the path whose units a may see: its body, those below and above it. */
static const char *list_scope(const struct actor *a)
{
	if (a->via == AUTH_NONE)
		return "-";
	if (a->org.path[0])
		return a->org.path;
	return a->user.handler_id ? "-" : scope_path(a);
}

int handler_create(struct db *db, const struct actor *who, int64_t org_id, const char *name,
		   int64_t *id, struct verr *e)
{
	json_t *after;
	int rc;

	if (!name)
		return verr_set(e, "required", "name", "请填写承办单位名称", "name is required");
	rc = text_check(name, "name", 1, 100, e);
	if (!rc)
		rc = db_exec(db, sql_handler_add, "isi", org_id, name, time_now());
	if (rc == ERR_CONFLICT)
		return verr_set(e, "conflict", "name", "承办单位“%s”已存在",
				"handling unit %s exists already", name),
		       ERR_CONFLICT;
	if (rc)
		return rc;
	*id = db_last_id(db);
	after = json_pack("{ss}", "name", name);
	rc = audit_write(db, who, org_id, "handler.create", "handler", *id, NULL, after);
	json_decref(after);
	return rc;
}

int handler_get(struct db *db, int64_t id, struct handler *out)
{
	struct db_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = db_get_row(db, sql_handler_get, &st, "i", id);
	if (rc)
		return rc;
	out->id = db_col_int(st, 0);
	out->org_id = db_col_int(st, 1);
	rc = copy_field(out->name, sizeof(out->name), db_col_text(st, 2));
	if (!rc)
		rc = copy_field(out->org_path, sizeof(out->org_path), db_col_text(st, 3));
	db_done(st);
	return rc;
}

int handler_resolve(struct db *db, const struct actor *a, const char *name, int64_t *id,
		    struct verr *e)
{
	int rc;

	*id = 0;
	if (!name || !*name)
		return verr_set(e, "invalid", "handlers",
				"承办单位须为 {\"handler_id\":编号} 或 {\"name\":\"单位名称\"}",
				"a handling unit is {\"handler_id\":N} or {\"name\":\"…\"}");
	rc = text_check(name, "handlers", 1, 100, e);
	if (rc)
		return rc;
	rc = db_get_int(db, sql_handler_by_name, id, "ss", list_scope(a), name);
	if (rc == ERR_NOT_FOUND) {
		*id = 0;
		return ERR_OK;
	}
	return rc;
}

static int handler_row(struct db_stmt *st, void *ud)
{
	struct handler_list *l = ud;
	struct handler *h;
	int rc = ERR_OK;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct handler *p = realloc(l->items, cap * sizeof(*p));

		if (!p)
			return ERR_NOMEM;
		l->items = p;
		l->cap = cap;
	}
	h = &l->items[l->n++];
	memset(h, 0, sizeof(*h));
	h->id = db_col_int(st, 0);
	h->org_id = db_col_int(st, 1);
	if (copy_field(h->name, sizeof(h->name), db_col_text(st, 2)) ||
	    copy_field(h->org_path, sizeof(h->org_path), db_col_text(st, 3)))
		rc = ERR_TOO_BIG;
	return rc;
}

int handler_list(struct db *db, const struct actor *a, struct handler_list *l)
{
	memset(l, 0, sizeof(*l));
	return db_each(db, sql_handler_list, handler_row, l, "s", list_scope(a));
}

void handler_list_release(struct handler_list *l)
{
	free(l->items);
	memset(l, 0, sizeof(*l));
}
