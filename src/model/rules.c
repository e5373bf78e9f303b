/*
 * rules.c - work rules (工作制度), versioned per body. A version has its written text and
 * the parameters the software enforces (JSON), e.g. which participants each session format
 * requires. The version in force is recorded on a session when it is scheduled, so a
 * session keeps the rules it was planned under. A body without rules of its own follows the
 * nearest body above it that has some, then the built-in defaults.
 */
#include "session.h"
#include "rowjson.h"
#include "valid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

/* The defaults: one invited expert for 专家聊, one official of the matched department for
 * 对口聊, one member for 界别聊, one other body for 联动聊. */
static const char default_params[] =
    "{\"requirements\":{"
    "\"expert\":[{\"what\":\"expert\",\"min\":1}],"
    "\"counterpart\":[{\"what\":\"department_official\",\"min\":1}],"
    "\"sector\":[{\"what\":\"member\",\"min\":1}],"
    "\"joint\":[{\"what\":\"linked_org\",\"min\":1}]},"
    "\"reply_days\":90}";

static const char sql_in_force[] =
    "SELECT r.version, r.title, r.params FROM rules r JOIN org o ON o.id = r.org_id"
    " WHERE instr(?1, '/' || r.org_id || '/') > 0 AND r.effective_from <= ?2"
    " ORDER BY length(o.path) DESC, r.effective_from DESC, r.id DESC LIMIT 1";
static const char sql_add[] = "INSERT INTO rules (org_id, version, title, body, params,"
			      " effective_from, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)";

json_t *rules_in_force(struct db *db, const struct org *org)
{
	struct db_stmt *st;
	json_t *r = NULL;

	if (db_prepare(db, sql_in_force, &st) == ERR_OK) {
		if (db_bind_str(st, 1, org->path) == ERR_OK &&
		    db_bind_int(st, 2, time_now()) == ERR_OK && db_step(st) == DB_ROW)
			r = row_json(st, "s:version s:title j:params");
		db_done(st);
	}
	if (!r)
		r = json_pack("{ss ss so}", "version", "default", "title", "默认规则 / defaults",
			      "params", json_loads(default_params, 0, NULL));
	if (!json_is_object(json_object_get(r, "params")))
		json_object_set_new(r, "params", json_loads(default_params, 0, NULL));
	return r;
}

int rules_add(struct db *db, const struct actor *who, const struct org *org, const char *version,
	      const char *title, const char *body, const json_t *params, int64_t effective_from,
	      struct verr *e)
{
	struct db_stmt *st;
	char *p;
	json_t *after;
	int rc;

	rc = text_check(version, "version", 1, 20, e);
	if (!rc)
		rc = text_check(title, "title", 1, 200, e);
	if (!rc)
		rc = text_check(body, "body", 0, 100000, e);
	if (rc)
		return rc;
	if (!json_is_object(params))
		return verr_set(e, "invalid", "params", "规则参数须为 JSON 对象",
				"params must be a JSON object");
	p = json_dumps(params, JSON_COMPACT | JSON_SORT_KEYS);
	if (!p)
		return ERR_NOMEM;
	rc = db_prepare(db, sql_add, &st);
	if (!rc)
		rc = db_bind_int(st, 1, org->id);
	if (!rc)
		rc = db_bind_str(st, 2, version);
	if (!rc)
		rc = db_bind_str(st, 3, title);
	if (!rc)
		rc = db_bind_str(st, 4, body);
	if (!rc)
		rc = db_bind_str(st, 5, p);
	if (!rc)
		rc = db_bind_int(st, 6, effective_from);
	if (!rc)
		rc = db_bind_int(st, 7, time_now());
	if (!rc)
		rc = db_run(st);
	free(p);
	if (rc == ERR_CONFLICT)
		return verr_set(e, "conflict", "version", "版本“%s”已存在",
				"version %s exists already", version),
		       ERR_CONFLICT;
	if (rc)
		return rc;
	after = json_pack("{ss ss sO}", "version", version, "title", title, "params", params);
	rc = audit_write(db, who, org->id, "rules.create", "rules", db_last_id(db), NULL, after);
	json_decref(after);
	return rc;
}
