/*
 * handler.c - handling units (承办单位): the bodies' departments that proposals are assigned
 * to. A user with handler_id is a unit's account and sees only what is assigned to it.
 */
#include "output.h"
#include "output_int.h"
#include "rowjson.h"
#include "session.h"
#include "valid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

static const char sql_handler_add[] = "INSERT INTO handler (org_id, name, created_at)"
				      " VALUES (?, ?, ?)";
static const char sql_handler_list[] =
    "SELECT h.id, h.org_id, h.name FROM handler h JOIN org o ON o.id = h.org_id"
    " WHERE substr(o.path, 1, length(?1)) = ?1 OR instr(?1, '/' || o.id || '/') > 0"
    " ORDER BY h.name LIMIT 1000";

int handler_create(struct db *db, const struct actor *who, int64_t org_id, const char *name,
		   int64_t *id, struct verr *e)
{
	struct db_stmt *st;
	json_t *after;
	int rc;

	if (!name)
		return verr_set(e, "required", "name", "请填写承办单位名称", "name is required");
	rc = text_check(name, "name", 1, 100, e);
	if (!rc)
		rc = db_prepare(db, sql_handler_add, &st);
	if (!rc)
		rc = db_bind_int(st, 1, org_id);
	if (!rc)
		rc = db_bind_str(st, 2, name);
	if (!rc)
		rc = db_bind_int(st, 3, time_now());
	if (!rc)
		rc = db_run(st);
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

json_t *handler_list(struct db *db, const struct actor *a)
{
	struct db_stmt *st;
	json_t *arr = json_array();
	const char *scope = a->user.handler_id ? "-" : scope_path(a);

	if (db_prepare(db, sql_handler_list, &st))
		return arr;
	if (db_bind_str(st, 1,
			a->via == AUTH_NONE ? "-" : (a->org.path[0] ? a->org.path : scope)) ==
	    ERR_OK)
		(void)rows_json(st, "i:id i:org_id s:name", arr);
	else
		db_done(st);
	return arr;
}
