/*
 * rules.c - work rules (工作制度), versioned per body. A version has its written text and
 * the parameters the software enforces (JSON), e.g. which participants each session format
 * requires. The version in force is recorded on a session when it is scheduled, so a
 * session keeps the rules it was planned under (rules_of_session reads them back). A body
 * without rules of its own follows the nearest body above it that has some, then the
 * built-in defaults. The model reads the parameters it enforces through the typed getters
 * of topic.h, so their JSON shape is known in this file only; the catalogue below is what
 * the software knows (GET /api/v1/rules/params), and a version naming anything else is
 * refused. A parameter a version does not state is its default.
 *
 * Versions can be compared (the changed parameters, a line diff of the text) and copied
 * from another body (the copy names its source: copied_from).
 */
#include "rules.h"
#include "valid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "db/db.h"

/* The defaults: one invited expert for 专家聊, one official of the matched department for
 * 对口聊, one member for 界别聊, one other body for 联动聊. */
#define DEFAULT_REQUIREMENTS                                                                       \
	"{\"expert\":[{\"what\":\"expert\",\"min\":1}],"                                           \
	"\"counterpart\":[{\"what\":\"department_official\",\"min\":1}],"                          \
	"\"sector\":[{\"what\":\"member\",\"min\":1}],"                                            \
	"\"joint\":[{\"what\":\"linked_org\",\"min\":1}]}"

static const struct rules_param catalogue[] = {
    {"requirements", "object", "", 1, 10000,
     "各形式（专家聊、对口聊、界别聊、联动聊）须邀请的人员类别（或对口部门人员、联动组织）及最少人"
     "数",
     "who each format must invite: format (expert, counterpart, sector, joint) -> [{what: a "
     "person category, or department_official, linked_org; min: at least}]",
     "深聊会排期时检查邀请", "checked when a session is scheduled", DEFAULT_REQUIREMENTS},
    {"min_participants", "integer", "people", 0, 10000, "深聊会结束前至少须到会的人数（0 为不限）",
     "how many must have attended before a session is closed (0: no minimum)",
     "深聊会结束时按其排期时的版本检查",
     "checked when a session is closed, under the version it was scheduled with", "0"},
    {"reply_days", "integer", "days", 1, 36500, "承办单位答复的期限（天）",
     "days a handling unit has to answer", "交办成果时定答复期限",
     "sets the reply due date when an output is assigned", "90"},
    {"cosign_days", "integer", "days", 1, 365, "联名人确认的期限（天）",
     "days co-signers have to confirm a proposal", "未填截止时间时定联名确认截止",
     "sets the co-signing deadline of a draft that gives none", "7"},
    {"duty_points", "object", "points", 0, 1000, "履职积分：到会、发言、建议被采纳各得的分值",
     "duty points per kind: attended, remark, adopted",
     "记录履职时计分（本组织在履职页另设的分值优先）",
     "points credited in duty records (points a body set on its duty page come first)",
     "{\"attended\":5,\"remark\":2,\"adopted\":5}"},
    {"max_proposal_chars", "integer", "characters", 0, 1000000, "提案正文的最多字数（0 为不限）",
     "the longest proposal text, in characters (0: no limit)", "提交提案时检查",
     "checked when a proposal is submitted", "0"},
};

static const char *const formats[] = {"expert", "counterpart", "sector", "joint"};
static const char *const duty_kinds[] = {"attended", "remark", "adopted"};

const struct rules_param *rules_params(size_t *n)
{
	*n = ARRAY_LEN(catalogue);
	return catalogue;
}

static const struct rules_param *param_of(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(catalogue); i++)
		if (strcmp(catalogue[i].name, name) == 0)
			return &catalogue[i];
	return NULL;
}

static bool in_list(const char *s, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

static int bad_type(const struct rules_param *p, struct verr *e)
{
	/* static texts, so e may outlive params ("params" "." name: no audit action) */
	static const char *const param_fields[] = {"params"
						   ".requirements",
						   "params"
						   ".min_participants",
						   "params"
						   ".reply_days",
						   "params"
						   ".cosign_days",
						   "params"
						   ".duty_points",
						   "params"
						   ".max_proposal_chars"};
	_Static_assert(ARRAY_LEN(param_fields) == ARRAY_LEN(catalogue), "one field per parameter");

	verr_set(e, "invalid_type", param_fields[p - catalogue],
		 "规则参数 %s 须为%s（%lld 到 %lld）", "parameter %s must be %s (%lld to %lld)",
		 p->name, strcmp(p->type, "integer") == 0 ? "整数" : "对象", p->min, p->max);
	if (e && strcmp(p->type, "object") == 0) {
		snprintf(e->zh, sizeof(e->zh), "规则参数 %s 的格式不对：%s", p->name, p->zh);
		snprintf(e->en, sizeof(e->en), "parameter %s is malformed: %s", p->name, p->en);
	}
	return ERR_INVALID;
}

static bool int_in(const json_t *v, const struct rules_param *p)
{
	return json_is_integer(v) && json_integer_value(v) >= p->min &&
	       json_integer_value(v) <= p->max;
}

/* requirements_ok: {format: [{what, min}...]} with known formats only. */
static bool requirements_ok(const json_t *v, const struct rules_param *p)
{
	const char *key;
	json_t *list, *q;
	size_t i;

	if (!json_is_object(v))
		return false;
	json_object_foreach((json_t *)v, key, list)
	{
		if (!in_list(key, formats, ARRAY_LEN(formats)) || !json_is_array(list))
			return false;
		json_array_foreach(list, i, q)
		{
			const char *what = json_string_value(json_object_get(q, "what"));

			if (!json_is_object(q) || json_object_size(q) != 2 || !what || !what[0] ||
			    strlen(what) > 64 || !int_in(json_object_get(q, "min"), p))
				return false;
		}
	}
	return true;
}

static bool duty_points_ok(const json_t *v, const struct rules_param *p)
{
	const char *key;
	json_t *n;

	if (!json_is_object(v))
		return false;
	json_object_foreach((json_t *)v, key,
			    n) if (!in_list(key, duty_kinds, ARRAY_LEN(duty_kinds)) ||
				   !int_in(n, p)) return false;
	return true;
}

int rules_check_params(const json_t *params, struct verr *e)
{
	const char *key;
	json_t *v;

	if (!json_is_object(params))
		return verr_set(e, "invalid_type", "params", "规则参数 params 须为 JSON 对象",
				"params must be a JSON object");
	json_object_foreach((json_t *)params, key, v)
	{
		const struct rules_param *p = param_of(key);
		bool ok;

		if (!p)
			return verr_set(e, "unknown_param", "params",
					"未知的规则参数“%.100s”（已知参数见 /api/v1/rules/params）",
					"unknown parameter \"%.100s\" (the known ones are at "
					"/api/v1/rules/params)",
					key);
		if (strcmp(p->name, "requirements") == 0)
			ok = requirements_ok(v, p);
		else if (strcmp(p->name, "duty_points") == 0)
			ok = duty_points_ok(v, p);
		else
			ok = int_in(v, p);
		if (!ok)
			return bad_type(p, e);
	}
	return ERR_OK;
}

/* --- the rules of a body or a session --- */

static const char sql_in_force[] =
    "SELECT r.version, r.title, r.params FROM rules r JOIN org o ON o.id = r.org_id"
    " WHERE instr(?1, '/' || r.org_id || '/') > 0 AND r.effective_from <= ?2"
    " ORDER BY length(o.path) DESC, r.effective_from DESC, r.id DESC LIMIT 1";
static const char sql_of_version[] =
    "SELECT r.version, r.title, r.params FROM rules r JOIN org o ON o.id = r.org_id"
    " WHERE instr(?1, '/' || r.org_id || '/') > 0 AND r.version = ?2"
    " ORDER BY length(o.path) DESC LIMIT 1";
static const char sql_session_of[] =
    "SELECT s.org_id, COALESCE(s.rules_version, '') FROM session s WHERE s.id = ?";

void rules_release(struct rules *r)
{
	json_decref(r->params);
	memset(r, 0, sizeof(*r));
}

/* fill_defaults gives every catalogue parameter r does not state its default. */
static int fill_defaults(struct rules *r)
{
	size_t i;

	if (!json_is_object(r->params)) {
		json_decref(r->params);
		r->params = json_object();
		if (!r->params)
			return ERR_NOMEM;
	}
	for (i = 0; i < ARRAY_LEN(catalogue); i++) {
		json_t *d;

		if (json_object_get(r->params, catalogue[i].name))
			continue;
		d = json_loads(catalogue[i].default_json, JSON_DECODE_ANY, NULL);
		if (!d || json_object_set_new(r->params, catalogue[i].name, d))
			return ERR_NOMEM;
	}
	return ERR_OK;
}

/* load_row reads the row st that a query left (rc ERR_OK) into *r, or the defaults when
 * there was none (rc ERR_NOT_FOUND); ends st. */
static int load_row(int rc, struct db_stmt *st, struct rules *r)
{
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
	if (!rc)
		rc = fill_defaults(r);
	if (rc)
		rules_release(r);
	return rc;
}

int rules_in_force(struct db *db, const struct org *org, struct rules *r)
{
	struct db_stmt *st = NULL;
	int rc;

	memset(r, 0, sizeof(*r));
	rc = db_get_row(db, sql_in_force, &st, "si", org->path, time_now());
	return load_row(rc, st, r);
}

int rules_of_session(struct db *db, const struct org *org, const char *version, struct rules *r)
{
	struct db_stmt *st = NULL;
	int rc = ERR_NOT_FOUND;

	memset(r, 0, sizeof(*r));
	if (version && version[0] && strcmp(version, "default") != 0)
		rc = db_get_row(db, sql_of_version, &st, "ss", org->path, version);
	return load_row(rc, st, r);
}

int rules_in_force_of(struct db *db, int64_t org_id, struct rules *r)
{
	struct org org;
	int rc;

	memset(r, 0, sizeof(*r));
	rc = org_get(db, org_id, &org);
	return rc ? rc : rules_in_force(db, &org, r);
}

int rules_for_session(struct db *db, int64_t session_id, struct rules *r)
{
	struct db_stmt *st;
	char version[96];
	int64_t org_id;
	struct org org;
	int rc;

	memset(r, 0, sizeof(*r));
	rc = db_get_row(db, sql_session_of, &st, "i", session_id);
	if (rc)
		return rc;
	org_id = db_col_int(st, 0);
	rc = copy_field(version, sizeof(version), db_col_text(st, 1));
	db_done(st);
	if (!rc)
		rc = org_get(db, org_id, &org);
	if (rc)
		return rc;
	return version[0] ? rules_of_session(db, &org, version, r) : rules_in_force(db, &org, r);
}

/* --- the typed getters --- */

static int int_param(const struct rules *r, const char *name, int dflt)
{
	const struct rules_param *p = param_of(name);
	json_t *d = json_object_get(r->params, name);

	return p && int_in(d, p) ? (int)json_integer_value(d) : dflt;
}

int rules_reply_days(const struct rules *r)
{
	return int_param(r, "reply_days", 90);
}

int rules_min_participants(const struct rules *r)
{
	return int_param(r, "min_participants", 0);
}

int rules_cosign_days(const struct rules *r)
{
	return int_param(r, "cosign_days", 7);
}

int rules_max_proposal_chars(const struct rules *r)
{
	return int_param(r, "max_proposal_chars", 0);
}

int rules_duty_points(const struct rules *r, const char *kind)
{
	static const int dflt[] = {5, 2, 5};
	json_t *d = json_object_get(json_object_get(r->params, "duty_points"), kind);
	size_t i;

	for (i = 0; i < ARRAY_LEN(duty_kinds); i++)
		if (strcmp(kind, duty_kinds[i]) == 0)
			return json_is_integer(d) && json_integer_value(d) >= 0 &&
				       json_integer_value(d) <= 1000
				   ? (int)json_integer_value(d)
				   : dflt[i];
	return -1;
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

/* --- versions --- */

#define VERSION_COLS                                                                               \
	"r.id, r.org_id, r.version, r.title, r.body, r.params, r.effective_from, r.created_at,"    \
	" COALESCE(r.copied_from_org_id, 0), COALESCE(r.copied_from_version, ''),"                 \
	" COALESCE(c.name, ''), COALESCE(c.slug, '')"
static const char sql_list[] = "SELECT " VERSION_COLS " FROM rules r LEFT JOIN org c"
			       " ON c.id = r.copied_from_org_id WHERE r.org_id = ?"
			       " ORDER BY r.effective_from DESC, r.id DESC";
static const char sql_get[] =
    "SELECT " VERSION_COLS " FROM rules r LEFT JOIN org c"
    " ON c.id = r.copied_from_org_id WHERE r.org_id = ? AND r.version = ?";
static const char sql_add[] =
    "INSERT INTO rules (org_id, version, title, body, params, effective_from, created_at,"
    " copied_from_org_id, copied_from_version) VALUES (?, ?, ?, ?, ?, ?, ?, NULLIF(?, 0), ?)";
static const char sql_exists[] = "SELECT COUNT(*) FROM rules WHERE org_id = ? AND version = ?";

void rules_version_release(struct rules_version *v)
{
	free(v->title);
	free(v->body);
	json_decref(v->params);
	memset(v, 0, sizeof(*v));
}

void rules_versions_release(struct rules_versions *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		rules_version_release(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int version_read(struct db_stmt *st, struct rules_version *v)
{
	int rc = ERR_OK;

	memset(v, 0, sizeof(*v));
	v->id = db_col_int(st, 0);
	v->org_id = db_col_int(st, 1);
	v->title = db_col_dup_rc(st, 3, &rc);
	v->body = db_col_dup_rc(st, 4, &rc);
	v->params = json_loadb(db_col_text(st, 5), db_col_len(st, 5), 0, NULL);
	if (!json_is_object(v->params)) {
		json_decref(v->params);
		v->params = json_object();
	}
	v->effective_from = db_col_int(st, 6);
	v->created_at = db_col_int(st, 7);
	v->copied_from_org_id = db_col_int(st, 8);
	if (!rc && !v->params)
		rc = ERR_NOMEM;
	if (!rc)
		rc = copy_field(v->version, sizeof(v->version), db_col_text(st, 2));
	if (!rc)
		rc = copy_field(v->copied_from_version, sizeof(v->copied_from_version),
				db_col_text(st, 9));
	if (!rc)
		rc = copy_field(v->copied_from_org_name, sizeof(v->copied_from_org_name),
				db_col_text(st, 10));
	if (!rc)
		rc = copy_field(v->copied_from_org_slug, sizeof(v->copied_from_org_slug),
				db_col_text(st, 11));
	if (rc)
		rules_version_release(v);
	return rc;
}

static int list_row(struct db_stmt *st, void *ud)
{
	struct rules_versions *l = ud;
	struct rules_version *grown = realloc(l->v, (l->n + 1) * sizeof(*grown));
	int rc;

	if (!grown)
		return ERR_NOMEM;
	l->v = grown;
	rc = version_read(st, &l->v[l->n]);
	if (!rc)
		l->n++;
	return rc;
}

int rules_authorize(struct db *db, const struct actor *a, int64_t org_id, enum authz_op op,
		    struct org *o)
{
	return org_authorize(db, a, org_id, op == AUTHZ_READ ? AUTHZ_READ : AUTHZ_MANAGE, o);
}

int rules_list(struct db *db, int64_t org_id, struct rules_versions *l)
{
	int rc;

	l->v = NULL;
	l->n = 0;
	rc = db_each(db, sql_list, list_row, l, "i", org_id);
	if (rc)
		rules_versions_release(l);
	return rc;
}

int rules_version_get(struct db *db, int64_t org_id, const char *version, struct rules_version *v)
{
	struct db_stmt *st;
	int rc;

	memset(v, 0, sizeof(*v));
	if (!version)
		return ERR_NOT_FOUND;
	rc = db_get_row(db, sql_get, &st, "is", org_id, version);
	if (rc)
		return rc;
	rc = version_read(st, v);
	db_done(st);
	return rc;
}

/* insert_version validates and stores one version; copied_from_org_id 0: not a copy. */
static int insert_version(struct db *db, const struct org *org, const char *version,
			  const char *title, const char *body, const json_t *params,
			  int64_t effective_from, int64_t src_org, const char *src_version,
			  int64_t *id, struct verr *e)
{
	char *p;
	int rc;

	rc = text_check(version, "version", 1, 20, e);
	if (!rc)
		rc = text_check(title, "title", 1, 200, e);
	if (!rc)
		rc = text_check(body, "body", 0, 100000, e);
	if (!rc)
		rc = rules_check_params(params, e);
	if (rc)
		return rc;
	p = json_dumps(params, JSON_COMPACT | JSON_SORT_KEYS);
	if (!p)
		return ERR_NOMEM;
	rc = db_exec(db, sql_add, "issssiiis", org->id, version, title, body, p, effective_from,
		     time_now(), src_org, src_org ? src_version : NULL);
	free(p);
	if (rc == ERR_CONFLICT)
		return verr_set(e, "conflict", "version", "版本“%s”已存在",
				"version %s exists already", version),
		       ERR_CONFLICT;
	if (!rc)
		*id = db_last_id(db);
	return rc;
}

int rules_add(struct db *db, const struct actor *who, const struct org *org, const char *version,
	      const char *title, const char *body, const json_t *params, int64_t effective_from,
	      struct verr *e)
{
	json_t *after;
	int64_t id = 0;
	int rc;

	rc = insert_version(db, org, version, title, body ? body : "", params, effective_from, 0,
			    NULL, &id, e);
	if (rc)
		return rc;
	after = json_pack("{ss ss sO sI}", "version", version, "title", title, "params", params,
			  "effective_from", (json_int_t)effective_from);
	rc = audit_write(db, who, org->id, "rules.create", "rules", id, NULL, after);
	json_decref(after);
	return rc;
}

/* parse_day reads "YYYY-MM-DD" (only that) into *t; NULL or "" is now. */
static int parse_day(const char *s, int64_t *t, struct verr *e)
{
	size_t i;

	if (!s || !s[0]) {
		*t = time_now();
		return ERR_OK;
	}
	for (i = 0; s[i]; i++)
		if (i >= 10 || (i == 4 || i == 7 ? s[i] != '-' : (s[i] < '0' || s[i] > '9')))
			break;
	if (i != 10 || s[i] || time_parse(s, t))
		return verr_set(e, "invalid_date", "effective_from",
				"生效日期须为 YYYY-MM-DD 格式的日期",
				"effective_from must be a date YYYY-MM-DD");
	return ERR_OK;
}

int rules_create(struct db *db, const struct actor *who, const struct org *org,
		 const struct rules_in *in, struct verr *e)
{
	json_t *empty = NULL;
	int64_t from;
	int rc;

	if (!in->version)
		return verr_set(e, "required", "version", "请填写版本号", "version is required");
	if (!in->title)
		return verr_set(e, "required", "title", "请填写标题", "title is required");
	rc = parse_day(in->effective_from, &from, e);
	if (rc)
		return rc;
	if (!in->params) {
		empty = json_object();
		if (!empty)
			return ERR_NOMEM;
	}
	rc = rules_add(db, who, org, in->version, in->title, in->body,
		       in->params ? in->params : empty, from, e);
	json_decref(empty);
	return rc;
}

/* copy_name picks the name of a copy of src in org (see rules_copy) into out[cap]. */
static int copy_name(struct db *db, const struct org *org, const char *src, char *out, size_t cap,
		     struct verr *e)
{
	int64_t n;
	int k, rc;

	for (k = 0; k < 10; k++) {
		int w = k == 0	 ? snprintf(out, cap, "%s", src)
			: k == 1 ? snprintf(out, cap, "%s-copy", src)
				 : snprintf(out, cap, "%s-copy%d", src, k);

		if (w < 0 || (size_t)w >= cap)
			return ERR_TOO_BIG;
		rc = db_get_int(db, sql_exists, &n, "is", org->id, out);
		if (rc)
			return rc;
		if (n == 0)
			return ERR_OK;
	}
	return verr_set(e, "conflict", "new_version", "副本名称已用尽，请用 new_version 指定版本号",
			"no free name for the copy: name it with new_version"),
	       ERR_CONFLICT;
}

int rules_copy(struct db *db, const struct actor *who, const struct org *target, int64_t src_org_id,
	       const char *src_version, const char *as_version, char *out, size_t cap,
	       struct verr *e)
{
	struct rules_version src;
	struct org from;
	json_t *after;
	int64_t id = 0;
	int rc;

	if (!src_org_id)
		return verr_set(e, "required", "from_org_id", "请指定来源组织",
				"from_org_id is required");
	if (!src_version)
		return verr_set(e, "required", "version", "请指定来源版本", "version is required");
	rc = rules_authorize(db, who, src_org_id, AUTHZ_READ, &from);
	if (rc == ERR_FORBIDDEN)
		rc = ERR_NOT_FOUND;
	if (rc)
		return rc == ERR_NOT_FOUND
		       ? verr_set(e, "not_found", "from_org_id", "找不到来源组织或无权查看其规则",
				  "no such source body (or not readable)"),
		       ERR_NOT_FOUND : rc;
	if (from.id == target->id)
		return verr_set(e, "same_body", "from_org_id",
				"来源与目标是同一组织：请直接新增版本",
				"the source is the target itself: add a version instead"),
		       ERR_INVALID;
	rc = rules_version_get(db, from.id, src_version, &src);
	if (rc == ERR_NOT_FOUND)
		return verr_set(e, "not_found", "version", "来源组织没有版本“%.96s”",
				"the source body has no version %.96s", src_version),
		       ERR_NOT_FOUND;
	if (rc)
		return rc;
	if (as_version && as_version[0])
		rc = copy_field(out, cap, as_version)
			 ? verr_set(e, "too_long", "new_version", "版本号太长", "version too long")
			 : ERR_OK;
	else
		rc = copy_name(db, target, src.version, out, cap, e);
	if (!rc)
		rc = insert_version(db, target, out, src.title, src.body, src.params, time_now(),
				    from.id, src.version, &id, e);
	if (!rc) {
		after =
		    json_pack("{ss ss sO s{sI ss ss}}", "version", out, "title", src.title,
			      "params", src.params, "copied_from", "org_id", (json_int_t)from.id,
			      "org_slug", from.slug, "version", src.version);
		rc = audit_write(db, who, target->id, "rules.copy", "rules", id, NULL, after);
		json_decref(after);
	}
	rules_version_release(&src);
	return rc;
}

/* --- comparing two versions --- */

void rules_diff_release(struct rules_diff *d)
{
	size_t i;

	for (i = 0; i < d->nchanges; i++) {
		json_decref(d->changes[i].old_value);
		json_decref(d->changes[i].new_value);
	}
	free(d->changes);
	free(d->lines);
	rules_version_release(&d->from);
	rules_version_release(&d->to);
	memset(d, 0, sizeof(*d));
}

/* value_in_force is what name is under version params: stated, else its default (new). */
static json_t *value_in_force(const json_t *params, const char *name)
{
	const struct rules_param *p = param_of(name);
	json_t *v = json_object_get(params, name);

	if (v)
		return json_incref(v);
	return p ? json_loads(p->default_json, JSON_DECODE_ANY, NULL) : json_null();
}

static int add_change(struct rules_diff *d, const char *name)
{
	json_t *a = value_in_force(d->from.params, name), *b = value_in_force(d->to.params, name);
	struct rules_change *grown;

	if (!a || !b || json_equal(a, b)) {
		json_decref(a);
		json_decref(b);
		return a && b ? ERR_OK : ERR_NOMEM;
	}
	grown = realloc(d->changes, (d->nchanges + 1) * sizeof(*grown));
	if (!grown) {
		json_decref(a);
		json_decref(b);
		return ERR_NOMEM;
	}
	d->changes = grown;
	d->changes[d->nchanges].name = name;
	d->changes[d->nchanges].old_value = a;
	d->changes[d->nchanges].new_value = b;
	d->nchanges++;
	return ERR_OK;
}

int rules_diff_make(struct db *db, int64_t org_id, const char *from, const char *to,
		    struct rules_diff *d)
{
	struct linediff ld = {NULL, 0};
	const char *key;
	json_t *v;
	size_t i;
	int rc;

	memset(d, 0, sizeof(*d));
	rc = rules_version_get(db, org_id, from, &d->from);
	if (!rc)
		rc = rules_version_get(db, org_id, to, &d->to);
	for (i = 0; !rc && i < ARRAY_LEN(catalogue); i++)
		rc = add_change(d, catalogue[i].name);
	/* a name outside the catalogue (stored before it existed): the key of either side */
	json_object_foreach(d->from.params, key, v) if (!rc && !param_of(key)) rc =
	    add_change(d, key);
	json_object_foreach(d->to.params, key,
			    v) if (!rc && !param_of(key) && !json_object_get(d->from.params, key))
	    rc = add_change(d, key);
	if (!rc)
		rc = linediff_make(d->from.body, strlen(d->from.body), d->to.body,
				   strlen(d->to.body), &ld);
	if (!rc) {
		d->lines = ld.v;
		d->nlines = ld.n;
	}
	if (rc)
		rules_diff_release(d);
	return rc;
}
