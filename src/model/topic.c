/*
 * topic.c - topics (议题): where a question came from (assigned by the Party committee or
 * government 点题, a member, a sector, the public), its domain, and its pipeline
 * proposed -> approved -> scheduled -> concluded, or rejected. A session needs an approved
 * topic; scheduling the first session makes the topic scheduled.
 */
#include "session.h"
#include "rowjson.h"
#include "valid.h"

#include <stdio.h>
#include <string.h>

#include "base/util.h"

static const char *const origins[] = {"assigned", "member", "sector", "public"};

static const struct {
	const char *from, *to;
} topic_moves[] = {
    {"proposed", "approved"}, {"proposed", "rejected"},	  {"approved", "scheduled"},
    {"approved", "rejected"}, {"scheduled", "concluded"}, {"scheduled", "approved"},
    {"rejected", "proposed"},
};

const char *scope_path(const struct actor *a)
{
	if (a->via == AUTH_SYSTEM)
		return "/";
	/* a handling unit's account sees only what is assigned to it (output.c) */
	if (a->user.handler_id)
		return "-";
	return a->via == AUTH_NONE || !a->org.path[0] ? "-" : a->org.path;
}

void topic_in_init(struct topic_in *in)
{
	memset(in, 0, sizeof(*in));
	in->proposer_id = -1;
	in->plan_year = -1;
	in->plan_month = -1;
}

#define TOPIC_COLS                                                                                 \
	"t.id, t.org_id, t.title, t.description, t.domain, t.origin, t.proposer,"                  \
	" t.proposer_id, COALESCE(p.name, ''), t.status, t.plan_year, t.plan_month,"               \
	" t.created_at, t.updated_at, (SELECT COUNT(*) FROM session s WHERE s.topic_id = t.id)"
#define TOPIC_SPEC                                                                                 \
	"i:id i:org_id s:title s:description s:domain s:origin s:proposer n:proposer_id"           \
	" s:proposer_name s:status n:plan_year n:plan_month t:created_at t:updated_at"             \
	" i:sessions"

static const char sql_get[] = "SELECT " TOPIC_COLS " FROM topic t LEFT JOIN person p"
			      " ON p.id = t.proposer_id WHERE t.id = ?";
static const char sql_head[] = "SELECT t.id, t.org_id, t.status, o.path FROM topic t"
			       " JOIN org o ON o.id = t.org_id WHERE t.id = ?";
static const char sql_insert[] =
    "INSERT INTO topic (org_id, title, description, domain, origin, proposer, proposer_id,"
    " plan_year, plan_month, created_by, created_at, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_update[] =
    "UPDATE topic SET title = ?, description = ?, domain = ?, origin = ?, proposer = ?,"
    " proposer_id = ?, plan_year = ?, plan_month = ?, updated_at = ? WHERE id = ?";
static const char sql_status[] = "UPDATE topic SET status = ?, updated_at = ? WHERE id = ?";
static const char sql_list[] =
    "SELECT " TOPIC_COLS " FROM topic t JOIN org o ON o.id = t.org_id"
    " LEFT JOIN person p ON p.id = t.proposer_id"
    " WHERE t.id > ?1 AND substr(o.path, 1, length(?2)) = ?2"
    " AND (?3 = 0 OR t.plan_year = ?3 OR (t.plan_year IS NULL AND"
    " CAST(strftime('%Y', t.created_at + 28800, 'unixepoch') AS INTEGER) = ?3))"
    " AND (?4 IS NULL OR t.domain = ?4) AND (?5 IS NULL OR t.status = ?5)"
    " ORDER BY t.id LIMIT ?6";
static const char sql_domain_ok[] =
    "SELECT 1 FROM domain d LEFT JOIN org o ON o.id = d.org_id WHERE d.code = ?1"
    " AND (d.org_id IS NULL OR instr(?2, '/' || d.org_id || '/') > 0)";
static const char sql_domains[] =
    "SELECT d.code, d.name_zh, d.name_en FROM domain d WHERE d.org_id IS NULL"
    " OR instr(?1, '/' || d.org_id || '/') > 0 ORDER BY d.org_id IS NOT NULL, d.position, d.id";
static const char sql_person_org[] = "SELECT o.path FROM person p JOIN org o ON o.id = p.org_id"
				     " WHERE p.id = ?";

int topic_head(struct db *db, int64_t id, struct topic_head *h)
{
	struct db_stmt *st;
	int rc;

	rc = db_prepare(db, sql_head, &st);
	if (rc)
		return rc;
	rc = db_bind_int(st, 1, id);
	if (!rc)
		rc = db_step(st);
	if (rc == DB_ROW) {
		h->id = db_col_int(st, 0);
		h->org_id = db_col_int(st, 1);
		rc = copy_field(h->status, sizeof(h->status), db_col_text(st, 2));
		if (!rc)
			rc = copy_field(h->org_path, sizeof(h->org_path), db_col_text(st, 3));
	} else if (rc == DB_DONE) {
		rc = ERR_NOT_FOUND;
	}
	db_done(st);
	return rc;
}

json_t *topic_get(struct db *db, int64_t id)
{
	struct db_stmt *st;
	json_t *j = NULL;

	if (db_prepare(db, sql_get, &st))
		return NULL;
	if (db_bind_int(st, 1, id) == ERR_OK && db_step(st) == DB_ROW)
		j = row_json(st, TOPIC_SPEC);
	db_done(st);
	return j;
}

bool domain_valid(struct db *db, const struct org *org, const char *code)
{
	struct db_stmt *st;
	bool ok = false;

	if (db_prepare(db, sql_domain_ok, &st))
		return false;
	if (db_bind_str(st, 1, code) == ERR_OK && db_bind_str(st, 2, org->path) == ERR_OK)
		ok = db_step(st) == DB_ROW;
	db_done(st);
	return ok;
}

json_t *domain_list(struct db *db, const struct org *org)
{
	struct db_stmt *st;
	json_t *a = json_array();

	if (db_prepare(db, sql_domains, &st))
		return a;
	if (db_bind_str(st, 1, org->path) == ERR_OK &&
	    rows_json(st, "s:code s:name_zh s:name_en", a) < 0)
		json_array_clear(a);
	return a;
}

/* topic_validate checks the merged values of a topic about to be stored. */
static int topic_validate(struct db *db, const struct org *org, const struct topic_in *v,
			  struct verr *e)
{
	size_t i;
	int rc;

	rc = text_check(v->title, "title", 1, 200, e);
	if (!rc)
		rc = text_check(v->description, "description", 0, 20000, e);
	if (!rc)
		rc = text_check(v->proposer, "proposer", 0, 200, e);
	if (rc)
		return rc;
	if (!domain_valid(db, org, v->domain))
		return verr_set(
		    e, "invalid", "domain",
		    "领域“%s”不存在（可选：economy、politics、society、culture、ecology"
		    "或本组织添加的领域）",
		    "unknown domain '%s' (economy, politics, society, culture, ecology or "
		    "one your body added)",
		    v->domain);
	for (i = 0; i < ARRAY_LEN(origins); i++)
		if (strcmp(v->origin, origins[i]) == 0)
			break;
	if (i == ARRAY_LEN(origins))
		return verr_set(e, "invalid", "origin",
				"来源须为 assigned（点题）、member、sector 或 public",
				"origin must be assigned, member, sector or public");
	if (v->plan_year && (v->plan_year < 2000 || v->plan_year > 2100))
		return verr_set(e, "invalid", "plan_year", "计划年份无效",
				"plan_year is not a valid year");
	if (v->plan_month && (v->plan_month < 1 || v->plan_month > 12))
		return verr_set(e, "invalid", "plan_month", "计划月份须为 1 到 12",
				"plan_month must be 1 to 12");
	if (v->proposer_id > 0) {
		struct db_stmt *st;

		rc = db_prepare(db, sql_person_org, &st);
		if (rc)
			return rc;
		rc = db_bind_int(st, 1, v->proposer_id);
		if (!rc)
			rc = db_step(st);
		if (rc == DB_ROW)
			rc = strncmp(db_col_text(st, 0), org->path, strlen(org->path)) == 0
				 ? ERR_OK
				 : ERR_INVALID;
		else if (rc == DB_DONE)
			rc = ERR_INVALID;
		db_done(st);
		if (rc == ERR_INVALID)
			return verr_set(e, "invalid", "proposer_id", "提出人不存在",
					"the proposer is not a person of this body");
		if (rc)
			return rc;
	}
	return ERR_OK;
}

static int bind_topic(struct db_stmt *st, int first, const struct topic_in *v)
{
	int rc = db_bind_str(st, first, v->title);

	if (!rc)
		rc = db_bind_str(st, first + 1, v->description);
	if (!rc)
		rc = db_bind_str(st, first + 2, v->domain);
	if (!rc)
		rc = db_bind_str(st, first + 3, v->origin);
	if (!rc)
		rc = db_bind_str(st, first + 4, v->proposer);
	if (!rc)
		rc = v->proposer_id > 0 ? db_bind_int(st, first + 5, v->proposer_id)
					: db_bind_null(st, first + 5);
	if (!rc)
		rc = v->plan_year ? db_bind_int(st, first + 6, v->plan_year)
				  : db_bind_null(st, first + 6);
	if (!rc)
		rc = v->plan_month ? db_bind_int(st, first + 7, v->plan_month)
				   : db_bind_null(st, first + 7);
	return rc;
}

static int index_topic(struct db *db, int64_t id)
{
	json_t *t = topic_get(db, id);
	int rc;

	if (!t)
		return ERR_NOT_FOUND;
	rc = search_put(db, "topic", id, 0, json_integer_value(json_object_get(t, "org_id")),
			json_string_value(json_object_get(t, "title")),
			json_string_value(json_object_get(t, "description")));
	json_decref(t);
	return rc;
}

int topic_create(struct db *db, const struct actor *who, int64_t org_id, const struct topic_in *in,
		 int64_t *id, struct verr *e)
{
	struct topic_in v = *in;
	struct db_stmt *st;
	struct org org;
	int64_t now = time_now();
	json_t *after;
	int rc;

	if (!v.title)
		return verr_set(e, "required", "title", "请填写议题名称", "title is required");
	if (!v.domain)
		return verr_set(e, "required", "domain", "请选择领域", "domain is required");
	if (!v.origin)
		return verr_set(e, "required", "origin", "请选择议题来源", "origin is required");
	if (!v.description)
		v.description = "";
	if (!v.proposer)
		v.proposer = "";
	if (v.proposer_id < 0)
		v.proposer_id = 0;
	if (v.plan_year < 0)
		v.plan_year = 0;
	if (v.plan_month < 0)
		v.plan_month = 0;
	rc = org_get(db, org_id, &org);
	if (rc)
		return rc;
	rc = topic_validate(db, &org, &v, e);
	if (rc)
		return rc;
	rc = db_prepare(db, sql_insert, &st);
	if (rc)
		return rc;
	rc = db_bind_int(st, 1, org_id);
	if (!rc)
		rc = bind_topic(st, 2, &v);
	if (!rc)
		rc = who->user.id ? db_bind_int(st, 10, who->user.id) : db_bind_null(st, 10);
	if (!rc)
		rc = db_bind_int(st, 11, now);
	if (!rc)
		rc = db_bind_int(st, 12, now);
	if (!rc)
		rc = db_run(st);
	if (rc)
		return rc;
	*id = db_last_id(db);
	rc = index_topic(db, *id);
	if (rc)
		return rc;
	after = topic_get(db, *id);
	rc = audit_write(db, who, org_id, "topic.create", "topic", *id, NULL, after);
	json_decref(after);
	return rc;
}

/* merged_str returns the new value when given, else the stored one. */
static const char *merged_str(const char *given, json_t *stored, const char *key)
{
	return given ? given : json_string_value(json_object_get(stored, key));
}

static int merged_int(int64_t given, json_t *stored, const char *key)
{
	return given >= 0 ? (int)given : (int)json_integer_value(json_object_get(stored, key));
}

int topic_update(struct db *db, const struct actor *who, int64_t id, const struct topic_in *in,
		 struct verr *e)
{
	json_t *before = topic_get(db, id), *after;
	struct topic_in v;
	struct db_stmt *st;
	struct org org;
	int rc;

	if (!before)
		return ERR_NOT_FOUND;
	v.title = merged_str(in->title, before, "title");
	v.description = merged_str(in->description, before, "description");
	v.domain = merged_str(in->domain, before, "domain");
	v.origin = merged_str(in->origin, before, "origin");
	v.proposer = merged_str(in->proposer, before, "proposer");
	v.proposer_id = in->proposer_id >= 0
			    ? in->proposer_id
			    : json_integer_value(json_object_get(before, "proposer_id"));
	v.plan_year = merged_int(in->plan_year, before, "plan_year");
	v.plan_month = merged_int(in->plan_month, before, "plan_month");
	rc = org_get(db, json_integer_value(json_object_get(before, "org_id")), &org);
	if (!rc)
		rc = topic_validate(db, &org, &v, e);
	if (!rc)
		rc = db_prepare(db, sql_update, &st);
	if (!rc)
		rc = bind_topic(st, 1, &v);
	if (!rc)
		rc = db_bind_int(st, 9, time_now());
	if (!rc)
		rc = db_bind_int(st, 10, id);
	if (!rc)
		rc = db_run(st);
	if (!rc)
		rc = index_topic(db, id);
	if (!rc) {
		after = topic_get(db, id);
		rc = audit_write(db, who, org.id, "topic.update", "topic", id, before, after);
		json_decref(after);
	}
	json_decref(before);
	return rc;
}

int topic_transition(struct db *db, const struct actor *who, int64_t id, const char *to,
		     struct verr *e)
{
	struct topic_head h;
	struct db_stmt *st;
	json_t *b, *a;
	size_t i;
	int rc;

	rc = topic_head(db, id, &h);
	if (rc)
		return rc;
	for (i = 0; i < ARRAY_LEN(topic_moves); i++)
		if (strcmp(topic_moves[i].from, h.status) == 0 &&
		    strcmp(topic_moves[i].to, to) == 0)
			break;
	if (i == ARRAY_LEN(topic_moves)) {
		verr_set(e, "illegal_transition", "to", "议题不能从“%s”变为“%s”",
			 "a topic cannot go from %s to %s", h.status, to);
		return ERR_CONFLICT;
	}
	rc = db_prepare(db, sql_status, &st);
	if (!rc)
		rc = db_bind_str(st, 1, to);
	if (!rc)
		rc = db_bind_int(st, 2, time_now());
	if (!rc)
		rc = db_bind_int(st, 3, id);
	if (!rc)
		rc = db_run(st);
	if (rc)
		return rc;
	b = json_pack("{ss}", "status", h.status);
	a = json_pack("{ss}", "status", to);
	rc = audit_write(db, who, h.org_id, "topic.transition", "topic", id, b, a);
	json_decref(b);
	json_decref(a);
	return rc;
}

int topic_list(struct db *db, const struct actor *a, const struct topic_filter *f, int64_t after,
	       int limit, json_t *items)
{
	struct db_stmt *st;
	int rc;

	rc = db_prepare(db, sql_list, &st);
	if (rc)
		return rc;
	rc = db_bind_int(st, 1, after);
	if (!rc)
		rc = db_bind_str(st, 2, scope_path(a));
	if (!rc)
		rc = db_bind_int(st, 3, f->year);
	if (!rc)
		rc = db_bind_str(st, 4, f->domain);
	if (!rc)
		rc = db_bind_str(st, 5, f->status);
	if (!rc)
		rc = db_bind_int(st, 6, limit);
	if (rc) {
		db_done(st);
		return rc;
	}
	rc = rows_json(st, TOPIC_SPEC, items);
	return rc < 0 ? rc : ERR_OK;
}

static const char sql_domain_add[] = "INSERT INTO domain (org_id, code, name_zh, name_en, position)"
				     " VALUES (?, ?, ?, ?, 100)";

int domain_add(struct db *db, const struct actor *who, const struct org *org, const char *code,
	       const char *name_zh, const char *name_en, struct verr *e)
{
	struct db_stmt *st;
	json_t *after;
	size_t i, n = code ? strlen(code) : 0;
	int rc;

	if (n < 2 || n > 32)
		return verr_set(e, "invalid", "code",
				"领域代码需为 2 到 32 个小写字母、数字或下划线",
				"code must be 2 to 32 lower-case letters, digits or underscores");
	for (i = 0; i < n; i++)
		if (!((code[i] >= 'a' && code[i] <= 'z') || (code[i] >= '0' && code[i] <= '9') ||
		      code[i] == '_'))
			return verr_set(e, "invalid", "code",
					"领域代码只能包含小写字母、数字和下划线",
					"code may contain only a-z, 0-9 and _");
	if (!name_zh)
		return verr_set(e, "required", "name_zh", "请填写中文名称", "name_zh is required");
	rc = text_check(name_zh, "name_zh", 1, 50, e);
	if (!rc)
		rc = text_check(name_en ? name_en : name_zh, "name_en", 1, 50, e);
	if (rc)
		return rc;
	if (domain_valid(db, org, code))
		return verr_set(e, "conflict", "code", "领域“%s”已存在", "domain %s exists", code),
		       ERR_CONFLICT;
	rc = db_prepare(db, sql_domain_add, &st);
	if (!rc)
		rc = db_bind_int(st, 1, org->id);
	if (!rc)
		rc = db_bind_str(st, 2, code);
	if (!rc)
		rc = db_bind_str(st, 3, name_zh);
	if (!rc)
		rc = db_bind_str(st, 4, name_en ? name_en : name_zh);
	if (!rc)
		rc = db_run(st);
	if (rc == ERR_CONFLICT)
		return verr_set(e, "conflict", "code", "领域“%s”已存在", "domain %s exists", code),
		       ERR_CONFLICT;
	if (rc)
		return rc;
	after = json_pack("{ss ss ss}", "code", code, "name_zh", name_zh, "name_en",
			  name_en ? name_en : name_zh);
	rc = audit_write(db, who, org->id, "domain.create", "domain", db_last_id(db), NULL, after);
	json_decref(after);
	return rc;
}
