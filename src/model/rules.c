/*
 * rules.c - work rules (工作制度), versioned per body. A version has its written text and
 * the parameters the software enforces (JSON), e.g. which participants each session format
 * requires. The version in force is recorded on a session when it is scheduled, so a
 * session keeps the rules it was planned under. A body without rules of its own follows the
 * nearest body above it that has some, then the built-in defaults. The model reads the
 * parameters it enforces through the typed getters of topic.h (rules_requirements,
 * rules_reply_days), so their JSON shape is known in this file only.
 */
#include "topic.h"
#include "valid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "db/db.h"

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

void rules_release(struct rules *r)
{
	json_decref(r->params);
	memset(r, 0, sizeof(*r));
}

int rules_in_force(struct db *db, const struct org *org, struct rules *r)
{
	struct db_stmt *st;
	int rc;

	memset(r, 0, sizeof(*r));
	rc = db_get_row(db, sql_in_force, &st, "si", org->path, time_now());
	if (rc == ERR_OK) {
		rc = copy_field(r->version, sizeof(r->version), db_col_text(st, 0));
		if (!rc)
			rc = copy_field(r->title, sizeof(r->title), db_col_text(st, 1));
		if (!rc && db_col_len(st, 2))
			r->params = json_loadb(db_col_text(st, 2), db_col_len(st, 2), 0, NULL);
		db_done(st);
	} else if (rc == ERR_NOT_FOUND) {
		snprintf(r->version, sizeof(r->version), "%s", "default");
		snprintf(r->title, sizeof(r->title), "%s", "默认规则 / defaults");
		rc = ERR_OK;
	}
	if (!rc && !json_is_object(r->params)) {
		json_decref(r->params);
		r->params = json_loads(default_params, 0, NULL);
		if (!r->params)
			rc = ERR_NOMEM;
	}
	if (rc)
		rules_release(r);
	return rc;
}

int rules_reply_days(const struct rules *r)
{
	json_t *d = json_object_get(r->params, "reply_days");

	return json_is_integer(d) && json_integer_value(d) > 0 && json_integer_value(d) <= 36500
		   ? (int)json_integer_value(d)
		   : 90;
}

size_t rules_requirements(const struct rules *r, const char *format, struct rules_req *out,
			  size_t max)
{
	json_t *list = json_object_get(json_object_get(r->params, "requirements"), format), *q;
	size_t i, n = 0;

	json_array_foreach(list, i, q)
	{
		const char *what = json_string_value(json_object_get(q, "what"));
		json_t *min = json_object_get(q, "min");

		if (!what || !json_is_integer(min) || json_integer_value(min) <= 0)
			continue;
		if (n < max) {
			out[n].what = what;
			out[n].min =
			    json_integer_value(min) > 10000 ? 10000 : (int)json_integer_value(min);
		}
		n++;
	}
	return n;
}

int rules_min_of(const struct rules *r, const char *format, const char *what)
{
	struct rules_req q[16];
	size_t i, n = rules_requirements(r, format, q, ARRAY_LEN(q));
	int min = 0;

	for (i = 0; i < n && i < ARRAY_LEN(q); i++)
		if (strcmp(q[i].what, what) == 0 && q[i].min > min)
			min = q[i].min;
	return min;
}

int rules_add(struct db *db, const struct actor *who, const struct org *org, const char *version,
	      const char *title, const char *body, const json_t *params, int64_t effective_from,
	      struct verr *e)
{
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
	rc = db_exec(db, sql_add, "issssii", org->id, version, title, body, p, effective_from,
		     time_now());
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
