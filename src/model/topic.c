/*
 * topic.c - topics (议题): where a question came from (assigned by the Party committee or
 * government 点题, a member, a sector, the public), its domain, and its pipeline
 * proposed -> approved -> scheduled -> concluded, or rejected. A session needs an approved
 * topic; scheduling the first session makes the topic scheduled.
 *
 * Also the domains (领域) topics are filed under, and the one rule of who may see or change
 * a topic (topic_authorize).
 */
#include "topic.h"
#include "notify.h"
#include "person.h"
#include "session.h"
#include "valid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "db/db.h"

static const char *const origins[] = {"assigned", "member", "sector", "public"};

/* The pipeline, read by topic_check_move (topic_transition) and topic_moves_from (the topic page).
 */
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

void topic_release(struct topic *t)
{
	free(t->title);
	free(t->description);
	free(t->proposer);
	free(t->proposer_name);
	memset(t, 0, sizeof(*t));
}

void topics_release(struct topics *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		topic_release(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* grow makes room for one more element of size sz in *v (holding n of cap). */
static int grow(void **v, size_t n, size_t *cap, size_t sz)
{
	size_t c = *cap ? *cap * 2 : 16;
	void *p;

	if (n < *cap)
		return ERR_OK;
	p = realloc(*v, c * sz);
	if (!p)
		return ERR_NOMEM;
	*v = p;
	*cap = c;
	return ERR_OK;
}

/* TOPIC_COLS are the columns topic_read reads, in its order. */
#define TOPIC_COLS                                                                                 \
	"t.id, t.org_id, t.title, t.description, t.proposer, COALESCE(p.name, ''),"                \
	" COALESCE(t.proposer_id, 0), t.domain, t.origin, t.status, COALESCE(t.plan_year, 0),"     \
	" COALESCE(t.plan_month, 0), t.created_at, t.updated_at,"                                  \
	" (SELECT COUNT(*) FROM session s WHERE s.topic_id = t.id), o.path, COALESCE(p.user_id, "  \
	"0)"
#define TOPIC_FROM                                                                                 \
	" FROM topic t JOIN org o ON o.id = t.org_id LEFT JOIN person p ON p.id = t.proposer_id"

static const char sql_get[] = "SELECT " TOPIC_COLS TOPIC_FROM " WHERE t.id = ?";
static const char sql_head[] = "SELECT t.id, t.org_id, t.status, o.path FROM topic t"
			       " JOIN org o ON o.id = t.org_id WHERE t.id = ?";
static const char sql_insert[] =
    "INSERT INTO topic (org_id, title, description, domain, origin, proposer, proposer_id,"
    " plan_year, plan_month, created_by, created_at, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?, NULLIF(CAST(? AS BIGINT), 0), NULLIF(CAST(? AS BIGINT), 0), "
    "NULLIF(CAST(? AS BIGINT), 0), NULLIF(CAST(? AS BIGINT), 0), ?, ?)";
static const char sql_update[] =
    "UPDATE topic SET title = ?, description = ?, domain = ?, origin = ?, proposer = ?,"
    " proposer_id = NULLIF(CAST(? AS BIGINT), 0), plan_year = NULLIF(CAST(? AS BIGINT), 0), "
    "plan_month = NULLIF(CAST(? AS BIGINT), 0),"
    " updated_at = ? WHERE id = ?";
static const char sql_status[] = "UPDATE topic SET status = ?, updated_at = ? WHERE id = ?";
static const char sql_delete[] = "DELETE FROM topic WHERE id = ?";
/* the year of creation in China time: strftime is SQLite's, EXTRACT PostgreSQL's */
#define TOPIC_LIST(YEAR)                                                                           \
	"SELECT " TOPIC_COLS TOPIC_FROM " WHERE t.id > ?1 AND substr(o.path, 1, length(?2)) = ?2"  \
	" AND (?3 = 0 OR t.plan_year = ?3 OR (t.plan_year IS NULL AND " YEAR " = ?3))"             \
	" AND (CAST(?4 AS TEXT) IS NULL OR t.domain = ?4)"                                         \
	" AND (CAST(?5 AS TEXT) IS NULL OR t.status = ?5)"                                         \
	" ORDER BY t.id LIMIT ?6"
static const char sql_list[] =
    TOPIC_LIST("CAST(strftime('%Y', t.created_at + 28800, 'unixepoch') AS INTEGER)");
static const char sql_list_pg[] =
    TOPIC_LIST("CAST(EXTRACT(YEAR FROM " DB_PG_CHINA("t", "created_at") ") AS INTEGER)");
static const char sql_sessions[] = "SELECT id, title, status FROM session WHERE topic_id = ?"
				   " ORDER BY id";
static const char sql_domain_ok[] =
    "SELECT 1 FROM domain d WHERE d.code = ?1"
    " AND (d.org_id IS NULL OR instr(?2, '/' || d.org_id || '/') > 0)";
static const char sql_domains[] =
    "SELECT COALESCE(d.org_id, 0), d.code, d.name_zh, d.name_en FROM domain d"
    " WHERE d.org_id IS NULL OR instr(?1, '/' || d.org_id || '/') > 0"
    " ORDER BY d.org_id IS NOT NULL, d.position, d.id";
static const char sql_domain_add[] = "INSERT INTO domain (org_id, code, name_zh, name_en, position)"
				     " VALUES (?, ?, ?, ?, 100)";
static const char sql_person_org[] = "SELECT o.path FROM person p JOIN org o ON o.id = p.org_id"
				     " WHERE p.id = ?";

/* topic_read fills *t from the current row of a TOPIC_COLS query. */
static int topic_read(struct db_stmt *st, struct topic *t)
{
	int rc;

	memset(t, 0, sizeof(*t));
	t->id = db_col_int(st, 0);
	t->org_id = db_col_int(st, 1);
	t->title = db_col_dup(st, 2);
	t->description = db_col_dup(st, 3);
	t->proposer = db_col_dup(st, 4);
	t->proposer_name = db_col_dup(st, 5);
	t->proposer_id = db_col_int(st, 6);
	rc = t->title && t->description && t->proposer && t->proposer_name ? ERR_OK : ERR_NOMEM;
	if (!rc)
		rc = copy_field(t->domain, sizeof(t->domain), db_col_text(st, 7));
	if (!rc)
		rc = copy_field(t->origin, sizeof(t->origin), db_col_text(st, 8));
	if (!rc)
		rc = copy_field(t->status, sizeof(t->status), db_col_text(st, 9));
	t->plan_year = (int)db_col_int(st, 10);
	t->plan_month = (int)db_col_int(st, 11);
	t->created_at = db_col_int(st, 12);
	t->updated_at = db_col_int(st, 13);
	t->sessions = db_col_int(st, 14);
	if (!rc)
		rc = copy_field(t->org_path, sizeof(t->org_path), db_col_text(st, 15));
	t->proposer_user_id = db_col_int(st, 16);
	if (rc)
		topic_release(t);
	return rc;
}

int topic_head(struct db *db, int64_t id, struct topic_head *h)
{
	struct db_stmt *st;
	int rc;

	rc = db_get_row(db, sql_head, &st, "i", id);
	if (rc)
		return rc;
	h->id = db_col_int(st, 0);
	h->org_id = db_col_int(st, 1);
	rc = copy_field(h->status, sizeof(h->status), db_col_text(st, 2));
	if (!rc)
		rc = copy_field(h->org_path, sizeof(h->org_path), db_col_text(st, 3));
	db_done(st);
	return rc;
}

int topic_get(struct db *db, int64_t id, struct topic *t)
{
	struct db_stmt *st;
	int rc;

	memset(t, 0, sizeof(*t));
	rc = db_get_row(db, sql_get, &st, "i", id);
	if (rc)
		return rc;
	rc = topic_read(st, t);
	db_done(st);
	return rc;
}

int topic_authorize(struct db *db, const struct actor *a, int64_t id, enum authz_op op,
		    struct topic *out)
{
	struct topic t;
	int rc;

	if (out)
		memset(out, 0, sizeof(*out));
	memset(&t, 0, sizeof(t));
	rc = id > 0 ? topic_get(db, id, &t) : ERR_NOT_FOUND;
	if (rc && rc != ERR_NOT_FOUND)
		return rc;
	rc = rc ? authz_decide(a, false, false) : topic_decide(a, &t, op);
	if (!rc && out)
		*out = t;
	else
		topic_release(&t);
	return rc;
}

bool topic_staff(const struct actor *a)
{
	return a->via == AUTH_SYSTEM || a->role >= ROLE_ORGANIZER;
}

int topic_decide(const struct actor *a, const struct topic *t, enum authz_op op)
{
	bool visible = org_path_within(t->org_path, scope_path(a));
	/* the proposer's own account may correct or withdraw it (topic_edit_check) */
	bool proposer = a->user.id && t->proposer_user_id == a->user.id;
	bool allowed = visible && (op == AUTHZ_READ || topic_staff(a) ||
				   (op == AUTHZ_WRITE && proposer && a->role >= ROLE_MEMBER));

	return authz_decide(a, visible, allowed);
}

int topic_authorize_create(const struct actor *a, const struct org *org)
{
	bool visible = actor_can_see_org(a, org);
	bool allowed =
	    org_path_within(org->path, scope_path(a)) && (topic_staff(a) || a->role >= ROLE_MEMBER);

	return authz_decide(a, visible, allowed);
}

int topic_as_proposer(struct db *db, const struct actor *a, struct topic_in *in, struct verr *e)
{
	struct person p;
	int rc;

	if (topic_staff(a))
		return ERR_OK;
	rc = a->user.id ? person_find_by_user(db, a->user.id, &p) : ERR_NOT_FOUND;
	if (rc == ERR_NOT_FOUND) {
		verr_set(e, "not_linked", NULL,
			 "您的账号未关联人员库中的人员，请联系管理员关联后再提议",
			 "your account is not linked to a person of the registry; ask an "
			 "administrator to link it first");
		return ERR_FORBIDDEN;
	}
	if (rc)
		return rc;
	in->origin = "member";
	in->proposer = "";
	in->proposer_id = p.id;
	return ERR_OK;
}

int topic_edit_check(const struct actor *a, const struct topic *t, struct topic_in *in,
		     struct verr *e)
{
	if ((!in || !topic_staff(a)) && strcmp(t->status, "proposed") != 0) {
		verr_set(e, "topic_not_proposed", "status", "议题已%s，不能再由提议人修改或删除",
			 "%.0sthe topic is %s: it can no longer be changed or deleted this way",
			 code_zh("topic", t->status), t->status);
		return ERR_CONFLICT;
	}
	if (!in && t->sessions > 0) {
		verr_set(e, "topic_has_sessions", "status", "该议题已安排深聊会，不能删除",
			 "sessions are held on this topic: it cannot be deleted");
		return ERR_CONFLICT;
	}
	if (in && !topic_staff(a)) {
		in->origin = NULL;
		in->proposer = NULL;
		in->proposer_id = -1;
	}
	return ERR_OK;
}

bool domain_valid(struct db *db, const struct org *org, const char *code)
{
	int64_t one;

	return code && db_get_int(db, sql_domain_ok, &one, "ss", code, org->path) == ERR_OK;
}

void domains_release(struct domains *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int domain_row(struct db_stmt *st, void *ud)
{
	struct domains *l = ud;
	struct domain *d;
	int rc = grow((void **)&l->v, l->n, &l->cap, sizeof(*l->v));

	if (rc)
		return rc;
	d = &l->v[l->n];
	memset(d, 0, sizeof(*d));
	d->org_id = db_col_int(st, 0);
	rc = copy_field(d->code, sizeof(d->code), db_col_text(st, 1));
	if (!rc)
		rc = copy_field(d->name_zh, sizeof(d->name_zh), db_col_text(st, 2));
	if (!rc)
		rc = copy_field(d->name_en, sizeof(d->name_en), db_col_text(st, 3));
	if (!rc)
		l->n++;
	return rc;
}

int domain_list(struct db *db, const struct org *org, struct domains *out)
{
	return db_each(db, sql_domains, domain_row, out, "s", org->path);
}

/* topic_merge gives in *v the values a topic would be stored with: for a new topic
 * (before NULL) in's fields with defaults, the required ones checked; for a stored one,
 * in's fields over before's (v borrows from both). */
static int topic_merge(const struct topic *before, const struct topic_in *in, struct topic_in *v,
		       struct verr *e)
{
	*v = *in;
	if (!before) {
		if (!v->title)
			return verr_set(e, "required", "title", "请填写议题名称",
					"title is required");
		if (!v->domain)
			return verr_set(e, "required", "domain", "请选择领域",
					"domain is required");
		if (!v->origin)
			return verr_set(e, "required", "origin", "请选择议题来源",
					"origin is required");
		if (!v->description)
			v->description = "";
		if (!v->proposer)
			v->proposer = "";
		if (v->proposer_id < 0)
			v->proposer_id = 0;
		if (v->plan_year < 0)
			v->plan_year = 0;
		if (v->plan_month < 0)
			v->plan_month = 0;
		return ERR_OK;
	}
	if (!v->title)
		v->title = before->title;
	if (!v->description)
		v->description = before->description;
	if (!v->domain)
		v->domain = before->domain;
	if (!v->origin)
		v->origin = before->origin;
	if (!v->proposer)
		v->proposer = before->proposer;
	if (v->proposer_id < 0)
		v->proposer_id = before->proposer_id;
	if (v->plan_year < 0)
		v->plan_year = before->plan_year;
	if (v->plan_month < 0)
		v->plan_month = before->plan_month;
	return ERR_OK;
}

/* topic_validate checks the merged values of a topic about to be stored in org. */
static int topic_validate(struct db *db, const struct org *org, const struct topic_in *v,
			  struct verr *e)
{
	struct db_stmt *st;
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
	if (v->proposer_id <= 0)
		return ERR_OK;
	rc = db_get_row(db, sql_person_org, &st, "i", v->proposer_id);
	if (rc == ERR_OK) {
		rc = org_path_within(db_col_text(st, 0), org->path) ? ERR_OK : ERR_NOT_FOUND;
		db_done(st);
	}
	if (rc == ERR_NOT_FOUND)
		return verr_set(e, "invalid", "proposer_id", "提出人不存在",
				"the proposer is not a person of this body");
	return rc;
}

int topic_check(struct db *db, int64_t org_id, const struct topic *before,
		const struct topic_in *in, struct verr *e)
{
	struct topic_in v;
	struct org org;
	int rc;

	rc = topic_merge(before, in, &v, e);
	if (!rc)
		rc = org_get(db, org_id, &org);
	if (!rc)
		rc = topic_validate(db, &org, &v, e);
	return rc;
}

/* audit_json is what the audit log records of t (a new reference; NULL when out of
 * memory, which audit_write records as nothing). */
static json_t *audit_json(const struct topic *t)
{
	return json_pack("{sI sI ss ss ss ss ss sI ss si si}", "id", (json_int_t)t->id, "org_id",
			 (json_int_t)t->org_id, "title", t->title, "description", t->description,
			 "domain", t->domain, "origin", t->origin, "proposer", t->proposer,
			 "proposer_id", (json_int_t)t->proposer_id, "status", t->status,
			 "plan_year", t->plan_year, "plan_month", t->plan_month);
}

/* index_topic (re)indexes t for search. */
static int index_topic(struct db *db, const struct topic *t)
{
	return search_put(db, "topic", t->id, 0, t->org_id, t->title, t->description);
}

/* audit_topic indexes topic id as it now is and records action with before (may be
 * NULL). */
static int audit_topic(struct db *db, const struct actor *who, int64_t id, const char *action,
		       const struct topic *before)
{
	struct topic t;
	json_t *b, *a;
	int rc;

	rc = topic_get(db, id, &t);
	if (rc)
		return rc;
	rc = index_topic(db, &t);
	if (!rc) {
		b = before ? audit_json(before) : NULL;
		a = audit_json(&t);
		rc = audit_write(db, who, t.org_id, action, "topic", id, b, a);
		json_decref(b);
		json_decref(a);
	}
	topic_release(&t);
	return rc;
}

int topic_create(struct db *db, const struct actor *who, int64_t org_id, const struct topic_in *in,
		 int64_t *id, struct verr *e)
{
	struct topic_in v;
	struct org org;
	int64_t now = time_now();
	int rc;

	struct topic_in mine = *in;

	rc = topic_as_proposer(db, who, &mine, e);
	if (!rc)
		rc = topic_merge(NULL, &mine, &v, e);
	if (!rc)
		rc = org_get(db, org_id, &org);
	if (!rc)
		rc = topic_validate(db, &org, &v, e);
	if (!rc)
		rc = db_exec(db, sql_insert, "isssssinniii", org_id, v.title, v.description,
			     v.domain, v.origin, v.proposer, v.proposer_id, v.plan_year,
			     v.plan_month, who->user.id, now, now);
	if (rc)
		return rc;
	*id = db_last_id(db);
	return audit_topic(db, who, *id, "topic.create", NULL);
}

int topic_update(struct db *db, const struct actor *who, int64_t id, const struct topic_in *in,
		 struct verr *e)
{
	struct topic before;
	struct topic_in v;
	struct org org;
	int rc;

	struct topic_in mine = *in;

	rc = topic_get(db, id, &before);
	if (rc)
		return rc;
	rc = topic_edit_check(who, &before, &mine, e);
	if (!rc)
		rc = topic_merge(&before, &mine, &v, e);
	if (!rc)
		rc = org_get(db, before.org_id, &org);
	if (!rc)
		rc = topic_validate(db, &org, &v, e);
	if (!rc)
		rc = db_exec(db, sql_update, "sssssinnii", v.title, v.description, v.domain,
			     v.origin, v.proposer, v.proposer_id, v.plan_year, v.plan_month,
			     time_now(), id);
	if (!rc)
		rc = audit_topic(db, who, id, "topic.update", &before);
	topic_release(&before);
	return rc;
}

int topic_check_move(const char *from, const char *to, struct verr *e)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(topic_moves); i++)
		if (strcmp(topic_moves[i].from, from) == 0 && strcmp(topic_moves[i].to, to) == 0)
			return ERR_OK;
	/* both formats share the arguments: the Chinese words, then the codes */
	verr_set(e, "illegal_transition", "to", "议题不能从“%s”变为“%s”",
		 "%.0s%.0sa topic cannot go from %s to %s", code_zh("topic", from),
		 code_zh("topic", to), from, to);
	return ERR_CONFLICT;
}

size_t topic_moves_from(const char *from, const char **to, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < ARRAY_LEN(topic_moves); i++)
		if (strcmp(topic_moves[i].from, from) == 0 && n < max)
			to[n++] = topic_moves[i].to;
	return n;
}

/* notify_decision tells the proposer of topic id (when it names one) that it was decided. */
static int notify_decision(struct db *db, int64_t id)
{
	struct topic t;
	char link[40];
	int rc = topic_get(db, id, &t);

	if (rc)
		return rc;
	snprintf(link, sizeof(link), "/topics/%lld", (long long)id);
	if (t.proposer_id)
		rc = notify_person(db, t.org_id, t.proposer_id, "topic_decision", t.title, link);
	topic_release(&t);
	return rc;
}

int topic_transition(struct db *db, const struct actor *who, int64_t id, const char *to,
		     struct verr *e)
{
	struct topic_head h;
	json_t *b, *a;
	int rc;

	rc = topic_head(db, id, &h);
	if (rc)
		return rc;
	rc = topic_check_move(h.status, to, e);
	if (!rc)
		rc = db_exec(db, sql_status, "sii", to, time_now(), id);
	if (rc)
		return rc;
	b = json_pack("{ss}", "status", h.status);
	a = json_pack("{ss}", "status", to);
	rc = audit_write(db, who, h.org_id, "topic.transition", "topic", id, b, a);
	json_decref(b);
	json_decref(a);
	if (!rc && strcmp(h.status, "proposed") == 0 &&
	    (strcmp(to, "approved") == 0 || strcmp(to, "rejected") == 0))
		rc = notify_decision(db, id);
	return rc;
}

int topic_delete(struct db *db, const struct actor *who, int64_t id, struct verr *e)
{
	struct topic before;
	json_t *b;
	int rc;

	rc = topic_get(db, id, &before);
	if (rc)
		return rc;
	rc = topic_edit_check(who, &before, NULL, e);
	if (!rc)
		rc = db_exec(db, sql_delete, "i", id);
	if (!rc)
		rc = search_drop(db, "topic", id);
	if (!rc) {
		b = audit_json(&before);
		rc = audit_write(db, who, before.org_id, "topic.delete", "topic", id, b, NULL);
		json_decref(b);
	}
	topic_release(&before);
	return rc;
}

static int topic_row(struct db_stmt *st, void *ud)
{
	struct topics *l = ud;
	int rc = grow((void **)&l->v, l->n, &l->cap, sizeof(*l->v));

	if (!rc)
		rc = topic_read(st, &l->v[l->n]);
	if (!rc)
		l->n++;
	return rc;
}

int topic_list(struct db *db, const struct actor *a, const struct topic_filter *f, int64_t after,
	       int limit, struct topics *out)
{
	return db_each(db, db_dialect(db) == DB_POSTGRES ? sql_list_pg : sql_list, topic_row, out,
		       "isnssn", after, scope_path(a), f->year, f->domain, f->status, limit);
}

void topic_sessions_release(struct topic_sessions *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].title);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int topic_session_row(struct db_stmt *st, void *ud)
{
	struct topic_sessions *l = ud;
	struct topic_session *s;
	int rc = grow((void **)&l->v, l->n, &l->cap, sizeof(*l->v));

	if (rc)
		return rc;
	s = &l->v[l->n];
	memset(s, 0, sizeof(*s));
	s->id = db_col_int(st, 0);
	s->title = db_col_dup(st, 1);
	if (!s->title)
		return ERR_NOMEM;
	rc = copy_field(s->status, sizeof(s->status), db_col_text(st, 2));
	if (rc) {
		free(s->title);
		return rc;
	}
	l->n++;
	return ERR_OK;
}

int topic_sessions(struct db *db, const struct actor *a, int64_t topic_id,
		   struct topic_sessions *out)
{
	struct session_head h;
	size_t i, kept = 0;
	int rc;

	/* every session on the topic first, then only those a may see, by the sessions' own
	 * rule (no statement is held open while session_visible runs its own) */
	rc = db_each(db, sql_sessions, topic_session_row, out, "i", topic_id);
	for (i = 0; !rc && i < out->n; i++) {
		rc = session_head(db, out->v[i].id, &h);
		if (rc)
			break;
		if (session_visible(db, a, &h))
			out->v[kept++] = out->v[i];
		else
			free(out->v[i].title);
	}
	if (rc) {
		/* the first i were kept or freed; free the rest */
		for (; i < out->n; i++)
			free(out->v[i].title);
		out->n = kept;
		topic_sessions_release(out);
		return rc;
	}
	out->n = kept;
	return ERR_OK;
}

int domain_authorize_add(const struct actor *a, const struct org *org)
{
	return authz_decide(a, actor_can_see_org(a, org), actor_can_manage_org(a, org));
}

int domain_add(struct db *db, const struct actor *who, const struct org *org, const char *code,
	       const char *name_zh, const char *name_en, struct verr *e)
{
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
	if (!name_en)
		name_en = name_zh;
	rc = text_check(name_zh, "name_zh", 1, 50, e);
	if (!rc)
		rc = text_check(name_en, "name_en", 1, 50, e);
	if (rc)
		return rc;
	if (domain_valid(db, org, code))
		rc = ERR_CONFLICT;
	else
		rc = db_exec(db, sql_domain_add, "isss", org->id, code, name_zh, name_en);
	if (rc == ERR_CONFLICT)
		return verr_set(e, "conflict", "code", "领域“%s”已存在", "domain %s exists", code),
		       ERR_CONFLICT;
	if (rc)
		return rc;
	after = json_pack("{ss ss ss}", "code", code, "name_zh", name_zh, "name_en", name_en);
	rc = audit_write(db, who, org->id, "domain.create", "domain", db_last_id(db), NULL, after);
	json_decref(after);
	return rc;
}
