/*
 * session.c - deep-talk sessions (深聊会): topic, time, venue, organizer unit, formats as a
 * set (专家聊 expert, 对口聊 counterpart, 界别聊 sector, 联动聊 joint), linked bodies for joint
 * sessions, visibility, and the status machine draft -> scheduled -> live -> closed ->
 * archived. Moving to scheduled checks the participant requirements of the work rules in
 * force and records their version.
 */
#include "session.h"
#include "rowjson.h"
#include "rules.h"
#include "valid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "db/db.h"

static const char *const format_names[] = {"expert", "counterpart", "sector", "joint"};

static const struct {
	const char *from, *to;
} session_moves[] = {
    {"draft", "scheduled"}, {"scheduled", "draft"}, {"scheduled", "live"},
    {"live", "closed"},	    {"closed", "archived"},
};

int format_parse(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(format_names); i++)
		if (strcmp(name, format_names[i]) == 0)
			return 1 << i;
	return 0;
}

json_t *formats_json(int formats)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < ARRAY_LEN(format_names); i++)
		if (formats & (1 << i))
			json_array_append_new(a, json_string(format_names[i]));
	return a;
}

void session_in_init(struct session_in *in)
{
	memset(in, 0, sizeof(*in));
	in->starts_at = -1;
	in->ends_at = -1;
	in->formats = -1;
}

static const char sql_head[] =
    "SELECT s.id, s.org_id, s.topic_id, s.formats, s.status, s.visibility, o.path,"
    " s.department, s.starts_at FROM session s JOIN org o ON o.id = s.org_id"
    " WHERE s.id = ?";
static const char sql_linked_visible[] =
    "SELECT 1 FROM session_org so JOIN org lo ON lo.id = so.org_id WHERE so.session_id = ?1"
    " AND substr(lo.path, 1, length(?2)) = ?2";

int session_head(struct db *db, int64_t id, struct session_head *h)
{
	struct db_stmt *st;
	int rc;

	rc = db_get_row(db, sql_head, &st, "i", id);
	if (rc)
		return rc;
	h->id = db_col_int(st, 0);
	h->org_id = db_col_int(st, 1);
	h->topic_id = db_col_int(st, 2);
	h->formats = (int)db_col_int(st, 3);
	h->starts_at = db_col_int(st, 8);
	rc = copy_field(h->status, sizeof(h->status), db_col_text(st, 4));
	if (!rc)
		rc = copy_field(h->visibility, sizeof(h->visibility), db_col_text(st, 5));
	if (!rc)
		rc = copy_field(h->org_path, sizeof(h->org_path), db_col_text(st, 6));
	if (!rc)
		rc = copy_field(h->department, sizeof(h->department), db_col_text(st, 7));
	db_done(st);
	return rc;
}

bool session_visible(struct db *db, const struct actor *a, const struct session_head *h)
{
	int64_t one;

	if (strcmp(h->visibility, "public") == 0 && strcmp(h->status, "draft") != 0)
		return true;
	if (org_path_within(h->org_path, scope_path(a)))
		return true;
	return db_get_int(db, sql_linked_visible, &one, "is", h->id, scope_path(a)) == ERR_OK;
}

bool session_editable(const struct actor *a, const struct session_head *h)
{
	if (a->via == AUTH_SYSTEM)
		return true;
	return a->role >= ROLE_ORGANIZER && org_path_within(h->org_path, scope_path(a));
}

int session_authorize(struct db *db, const struct actor *a, int64_t id, enum authz_op op,
		      struct session_head *out)
{
	struct session_head h;
	bool visible, allowed;
	int rc;

	if (id <= 0)
		return ERR_NOT_FOUND;
	rc = session_head(db, id, &h);
	if (rc)
		return rc;
	if (out)
		*out = h;
	visible = session_visible(db, a, &h);
	allowed = op == AUTHZ_READ ? visible : visible && session_editable(a, &h);
	return authz_decide(a, visible, allowed);
}

bool session_joint_editor(struct db *db, const struct actor *a, const struct session_head *h)
{
	int64_t one;

	if (a->via == AUTH_NONE || a->via == AUTH_SYSTEM || a->role < ROLE_ORGANIZER ||
	    a->user.handler_id)
		return false;
	return db_get_int(db, sql_linked_visible, &one, "is", h->id, scope_path(a)) == ERR_OK;
}

int session_authorize_record(struct db *db, const struct actor *a, int64_t id,
			     struct session_head *out, bool *joint)
{
	struct session_head h;
	int rc = session_authorize(db, a, id, AUTHZ_WRITE, &h);

	if (out)
		*out = h;
	if (joint)
		*joint = false;
	if (rc != ERR_FORBIDDEN || !session_joint_editor(db, a, &h))
		return rc;
	if (joint)
		*joint = true;
	return ERR_OK;
}

int session_authorize_change(struct db *db, const struct actor *a, int64_t id,
			     struct session_head *out, struct verr *e)
{
	struct session_head h;
	int rc = session_authorize(db, a, id, AUTHZ_WRITE, &h);

	if (out)
		*out = h;
	if (rc == ERR_FORBIDDEN && session_joint_editor(db, a, &h))
		verr_set(e, "joint_host_only", "id",
			 "联合聊中，联动组织可邀请本组织人员并记录出席、发言、共识和建议，"
			 "但深聊会本身（名称、时间、形式、状态、联动组织）只能由主办组织修改",
			 "in a joint session a linked body may invite its own people and record "
			 "attendance, remarks, points and suggestions, but only the host body may "
			 "change the session itself (title, time, formats, status, linked bodies)");
	return rc;
}

bool session_record_open(const struct actor *a, const struct session_head *h)
{
	if (!session_editable(a, h))
		return false;
	return session_record_state_open(a, h);
}

bool session_record_state_open(const struct actor *a, const struct session_head *h)
{
	if (strcmp(h->status, "closed") == 0 || strcmp(h->status, "archived") == 0)
		return a->role == ROLE_ADMIN;
	return true;
}

int session_record_check(const struct actor *a, const struct session_head *h, struct verr *e)
{
	if (session_record_state_open(a, h))
		return ERR_OK;
	verr_set(e, "closed", "status", "深聊会已结束，记录只读（仅管理员可修改）",
		 "the session is closed: its record is read-only except for admins");
	return ERR_CONFLICT;
}

/* --- reading --- */

#define SESSION_COLS                                                                               \
	"s.id, s.org_id, o.name, s.topic_id, t.title, t.domain, s.title, s.summary,"               \
	" s.starts_at, s.ends_at, s.venue, s.organizer_unit, s.formats, s.department,"             \
	" s.visibility, s.rules_version, s.status, s.created_at, s.updated_at, s.closed_at"
#define SESSION_SPEC                                                                               \
	"i:id i:org_id s:org_name i:topic_id s:topic_title s:domain s:title s:summary"             \
	" t:starts_at t:ends_at s:venue s:organizer_unit i:_ s:department"                         \
	" s:visibility s:rules_version s:status t:created_at t:updated_at t:closed_at"

static const char sql_get[] = "SELECT " SESSION_COLS ", s.starts_at FROM session s"
			      " JOIN org o ON o.id = s.org_id JOIN topic t ON t.id = s.topic_id"
			      " WHERE s.id = ?";
static const char sql_linked[] = "SELECT o.id, o.name FROM session_org so JOIN org o"
				 " ON o.id = so.org_id WHERE so.session_id = ? ORDER BY o.id";
static const char sql_category_counts[] =
    "SELECT p.category, COUNT(*) FROM invitation i JOIN person p ON p.id = i.person_id"
    " WHERE i.session_id = ? AND i.rsvp != 'declined' GROUP BY p.category ORDER BY 2 DESC";

/* session_audit_json is what the audit log records of session id: its columns, formats, year,
 * linked bodies and participants by category. */
static json_t *session_audit_json(struct db *db, int64_t id)
{
	struct db_stmt *st;
	json_t *s = NULL, *a, *v;
	size_t i;

	if (db_get_row(db, sql_get, &st, "i", id))
		return NULL;
	s = row_json(st, SESSION_SPEC);
	json_object_set_new(s, "formats", formats_json((int)db_col_int(st, 12)));
	json_object_set_new(s, "year",
			    db_col_null(st, 20) ? json_null()
						: json_integer(time_year(db_col_int(st, 20))));
	db_done(st);
	a = json_array();
	if (rows_json_by_id(db, sql_linked, id, "i:id s:name", a) == ERR_OK) {
		json_t *ids = json_array();

		json_array_foreach(a, i, v) json_array_append(ids, json_object_get(v, "id"));
		json_object_set_new(s, "linked_org_ids", ids);
	}
	json_object_set_new(s, "linked_orgs", a);
	a = json_array();
	if (rows_json_by_id(db, sql_category_counts, id, "s:category i:count", a) == ERR_OK)
		json_object_set_new(s, "participants_by_category", a);
	else
		json_decref(a);
	return s;
}

/* --- reading into structs --- */

static const char sql_read[] = "SELECT " SESSION_COLS ", s.starts_at, o.path FROM session s"
			       " JOIN org o ON o.id = s.org_id JOIN topic t ON t.id = s.topic_id"
			       " WHERE s.id = ?";

void session_init(struct session *s)
{
	memset(s, 0, sizeof(*s));
}

void session_release(struct session *s)
{
	free(s->topic_title);
	free(s->title);
	free(s->summary);
	free(s->venue);
	free(s->organizer_unit);
	free(s->department);
	free(s->rules_version);
	free(s->linked);
	free(s->by_category);
	session_init(s);
}

/* session_from_row fills s from a row of SESSION_COLS, s.starts_at, o.path. */
static int session_from_row(struct db_stmt *st, struct session *s)
{
	int rc;

	session_release(s);
	s->id = db_col_int(st, 0);
	s->org_id = db_col_int(st, 1);
	s->topic_id = db_col_int(st, 3);
	s->starts_at = db_col_int(st, 8);
	s->ends_at = db_col_int(st, 9);
	s->formats = (int)db_col_int(st, 12);
	s->created_at = db_col_int(st, 17);
	s->updated_at = db_col_int(st, 18);
	s->closed_at = db_col_int(st, 19);
	s->topic_title = db_col_dup(st, 4);
	s->title = db_col_dup(st, 6);
	s->summary = db_col_dup(st, 7);
	s->venue = db_col_dup(st, 10);
	s->organizer_unit = db_col_dup(st, 11);
	s->department = db_col_dup(st, 13);
	s->rules_version = db_col_dup(st, 15);
	if (!s->topic_title || !s->title || !s->summary || !s->venue || !s->organizer_unit ||
	    !s->department || !s->rules_version)
		return ERR_NOMEM;
	rc = copy_field(s->org_name, sizeof(s->org_name), db_col_text(st, 2));
	if (!rc)
		rc = copy_field(s->domain, sizeof(s->domain), db_col_text(st, 5));
	if (!rc)
		rc = copy_field(s->visibility, sizeof(s->visibility), db_col_text(st, 14));
	if (!rc)
		rc = copy_field(s->status, sizeof(s->status), db_col_text(st, 16));
	if (!rc)
		rc = copy_field(s->org_path, sizeof(s->org_path), db_col_text(st, 21));
	return rc;
}

static int linked_row(struct db_stmt *st, void *ud)
{
	struct session *s = ud;
	struct session_org *l = realloc(s->linked, (s->nlinked + 1) * sizeof(*l));

	if (!l)
		return ERR_NOMEM;
	s->linked = l;
	l += s->nlinked++;
	l->id = db_col_int(st, 0);
	return copy_field(l->name, sizeof(l->name), db_col_text(st, 1));
}

static int count_row(struct db_stmt *st, void *ud)
{
	struct session *s = ud;
	struct session_count *k = realloc(s->by_category, (s->ncategories + 1) * sizeof(*k));

	if (!k)
		return ERR_NOMEM;
	s->by_category = k;
	k += s->ncategories++;
	k->count = db_col_int(st, 1);
	return copy_field(k->category, sizeof(k->category), db_col_text(st, 0));
}

int session_read(struct db *db, int64_t id, struct session *s)
{
	struct db_stmt *st;
	int rc;

	rc = db_get_row(db, sql_read, &st, "i", id);
	if (rc)
		return rc;
	rc = session_from_row(st, s);
	db_done(st);
	if (!rc)
		rc = db_each(db, sql_linked, linked_row, s, "i", id);
	if (!rc)
		rc = db_each(db, sql_category_counts, count_row, s, "i", id);
	if (rc)
		session_release(s);
	return rc;
}

static const char sql_ics_sequence[] = "SELECT ics_sequence FROM session WHERE id = ?";

int session_ics_sequence(struct db *db, int64_t id, int64_t *seq)
{
	return db_get_int(db, sql_ics_sequence, seq, "i", id);
}

/* --- writing --- */

static const char sql_insert[] =
    "INSERT INTO session (org_id, topic_id, title, summary, starts_at, ends_at, venue,"
    " organizer_unit, formats, department, visibility, created_by, created_at, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
    "?, NULLIF(CAST(? AS BIGINT), 0), ?, ?)";
static const char sql_update[] =
    "UPDATE session SET topic_id = ?, title = ?, summary = ?, starts_at = ?, ends_at = ?,"
    " venue = ?, organizer_unit = ?, formats = ?, department = ?, visibility = ?,"
    " updated_at = ? WHERE id = ?";
static const char sql_unlink[] = "DELETE FROM session_org WHERE session_id = ?";
static const char sql_link[] = "INSERT INTO session_org (session_id, org_id) VALUES (?, ?)";
static const char sql_status[] = "UPDATE session SET status = ?, updated_at = ?,"
				 " closed_at = CASE WHEN ? = 'closed' THEN ? ELSE closed_at END"
				 " WHERE id = ?";
static const char sql_rules_version[] = "UPDATE session SET rules_version = ? WHERE id = ?";
static const char sql_topic_scheduled[] =
    "UPDATE topic SET status = 'scheduled', updated_at = ? WHERE id = ? AND status = 'approved'";

/* the merged values of a session about to be stored */
struct session_vals {
	int64_t topic_id, starts_at, ends_at;
	const char *title, *summary, *venue, *organizer_unit, *department, *visibility;
	int formats;
};

/* session_validate checks the merged values v of a session of org, changed by who: texts,
 * times, a topic who may read in the session's branch (approved when it changes), linked
 * bodies who may see. An id who may not read is refused as if it did not exist. */
static int session_validate(struct db *db, const struct actor *who, const struct org *org,
			    const struct session_vals *v, int64_t old_topic,
			    const struct session_in *in, struct verr *e)
{
	struct topic_head th;
	size_t i;
	int rc;

	rc = text_check(v->title, "title", 1, 200, e);
	if (!rc)
		rc = text_check(v->summary, "summary", 0, 20000, e);
	if (!rc)
		rc = text_check(v->venue, "venue", 0, 200, e);
	if (!rc)
		rc = text_check(v->organizer_unit, "organizer_unit", 0, 200, e);
	if (!rc)
		rc = text_check(v->department, "department", 0, 200, e);
	if (rc)
		return rc;
	if (strcmp(v->visibility, "internal") != 0 && strcmp(v->visibility, "public") != 0)
		return verr_set(e, "invalid", "visibility", "可见范围须为 internal 或 public",
				"visibility must be internal or public");
	if (v->starts_at && v->ends_at && v->ends_at < v->starts_at)
		return verr_set(e, "invalid", "ends_at", "结束时间早于开始时间",
				"the end is before the start");
	rc = topic_head(db, v->topic_id, &th);
	if (rc == ERR_OK && v->topic_id != old_topic) {
		rc = topic_authorize(db, who, v->topic_id, AUTHZ_READ, NULL);
		if (rc == ERR_AUTH || rc == ERR_FORBIDDEN)
			rc = ERR_NOT_FOUND;
	}
	if (rc == ERR_NOT_FOUND || (!rc && !org_path_within(th.org_path, org->path) &&
				    !org_path_within(org->path, th.org_path)))
		return verr_set(e, "invalid", "topic_id", "议题 %lld 不存在",
				"topic %lld does not exist", (long long)v->topic_id);
	if (rc)
		return rc;
	if (v->topic_id != old_topic && strcmp(th.status, "approved") != 0 &&
	    strcmp(th.status, "scheduled") != 0)
		return verr_set(e, "topic_not_approved", "topic_id",
				"议题尚未通过（状态：%s），深聊会需要已通过的议题",
				"the topic is not approved (status %s): a session needs an "
				"approved topic",
				th.status);
	for (i = 0; in->linked_orgs && i < in->nlinked; i++) {
		struct org lo;

		rc = org_get(db, in->linked_orgs[i], &lo);
		if (rc == ERR_NOT_FOUND ||
		    (!rc && (lo.id == org->id || !actor_can_see_org(who, &lo))))
			return verr_set(e, "invalid", "linked_org_ids",
					"联动组织 %lld 不存在或是本组织",
					"linked org %lld does not exist or is the session's own",
					(long long)in->linked_orgs[i]);
		if (rc)
			return rc;
	}
	return ERR_OK;
}

static int set_links(struct db *db, int64_t id, const struct session_in *in)
{
	size_t i;
	int rc;

	if (!in->linked_orgs)
		return ERR_OK;
	rc = db_exec(db, sql_unlink, "i", id);
	for (i = 0; !rc && i < in->nlinked; i++) {
		rc = db_exec(db, sql_link, "ii", id, in->linked_orgs[i]);
		if (rc == ERR_CONFLICT)
			rc = ERR_OK; /* listed twice */
	}
	return rc;
}

static int index_session(struct db *db, int64_t id)
{
	struct session x;
	int rc;

	session_init(&x);
	rc = session_read(db, id, &x);
	if (!rc)
		rc = search_put(db, "session", id, id, x.org_id, x.title, x.summary);
	session_release(&x);
	return rc;
}

int session_create(struct db *db, const struct actor *who, int64_t org_id,
		   const struct session_in *in, int64_t *id, struct verr *e)
{
	struct session_vals v;
	struct org org;
	int64_t now = time_now();
	json_t *after;
	int rc;

	if (!in->topic_id)
		return verr_set(e, "required", "topic_id", "请选择议题", "topic_id is required");
	if (!in->title)
		return verr_set(e, "required", "title", "请填写深聊会名称", "title is required");
	v.topic_id = in->topic_id;
	v.title = in->title;
	v.summary = in->summary ? in->summary : "";
	v.venue = in->venue ? in->venue : "";
	v.organizer_unit = in->organizer_unit ? in->organizer_unit : "";
	v.department = in->department ? in->department : "";
	v.visibility = in->visibility ? in->visibility : "internal";
	v.starts_at = in->starts_at > 0 ? in->starts_at : 0;
	v.ends_at = in->ends_at > 0 ? in->ends_at : 0;
	v.formats = in->formats > 0 ? in->formats : 0;
	rc = org_get(db, org_id, &org);
	if (!rc)
		rc = session_validate(db, who, &org, &v, 0, in, e);
	if (rc)
		return rc;
	rc = db_exec(db, sql_insert, "iisszzssnssiii", org_id, v.topic_id, v.title, v.summary,
		     v.starts_at, v.ends_at, v.venue, v.organizer_unit, v.formats, v.department,
		     v.visibility, who->user.id, now, now);
	if (rc)
		return rc;
	*id = db_last_id(db);
	rc = set_links(db, *id, in);
	if (!rc)
		rc = index_session(db, *id);
	if (rc)
		return rc;
	after = session_audit_json(db, *id);
	rc = audit_write(db, who, org_id, "session.create", "session", *id, NULL, after);
	json_decref(after);
	return rc;
}

int session_update(struct db *db, const struct actor *who, int64_t id, const struct session_in *in,
		   struct verr *e)
{
	json_t *before, *after;
	struct session_vals v;
	struct session old;
	struct org org;
	int rc;

	session_init(&old);
	rc = session_read(db, id, &old);
	if (rc) {
		session_release(&old);
		return rc;
	}
	before = session_audit_json(db, id);
	v.topic_id = in->topic_id ? in->topic_id : old.topic_id;
	v.title = in->title ? in->title : old.title;
	v.summary = in->summary ? in->summary : old.summary;
	v.venue = in->venue ? in->venue : old.venue;
	v.organizer_unit = in->organizer_unit ? in->organizer_unit : old.organizer_unit;
	v.department = in->department ? in->department : old.department;
	v.visibility = in->visibility ? in->visibility : old.visibility;
	v.starts_at = in->starts_at >= 0 ? in->starts_at : old.starts_at;
	v.ends_at = in->ends_at >= 0 ? in->ends_at : old.ends_at;
	v.formats = in->formats >= 0 ? in->formats : old.formats;
	rc = org_get(db, old.org_id, &org);
	if (!rc)
		rc = session_validate(db, who, &org, &v, old.topic_id, in, e);
	if (!rc)
		rc = db_exec(db, sql_update, "isszzssnssii", v.topic_id, v.title, v.summary,
			     v.starts_at, v.ends_at, v.venue, v.organizer_unit, v.formats,
			     v.department, v.visibility, time_now(), id);
	if (!rc)
		rc = set_links(db, id, in);
	if (!rc)
		rc = index_session(db, id);
	if (!rc) {
		after = session_audit_json(db, id);
		rc = audit_write(db, who, org.id, "session.update", "session", id, before, after);
		json_decref(after);
	}
	json_decref(before);
	session_release(&old);
	return rc;
}

/* --- participant requirements --- */

static const char sql_count_category[] =
    "SELECT COUNT(*) FROM invitation i JOIN person p ON p.id = i.person_id"
    " WHERE i.session_id = ?1 AND i.rsvp != 'declined' AND (p.category = ?2 OR i.role = ?2)";
static const char sql_count_dept[] =
    "SELECT COUNT(*) FROM invitation i JOIN person p ON p.id = i.person_id"
    " WHERE i.session_id = ?1 AND i.rsvp != 'declined' AND p.category = 'official'"
    " AND (?2 = '' OR instr(p.affiliation, ?2) > 0 OR instr(?2, p.affiliation) > 0)"
    " AND p.affiliation != ''";
static const char sql_count_linked[] = "SELECT COUNT(*) FROM session_org WHERE session_id = ?1";
static const char sql_count_attended[] =
    "SELECT COUNT(*) FROM invitation WHERE session_id = ?1 AND attended = TRUE";

static int count_of(struct db *db, const char *sql, int64_t id, const char *arg, int *n)
{
	int64_t v = 0;
	int rc = arg ? db_get_int(db, sql, &v, "is", id, arg) : db_get_int(db, sql, &v, "i", id);

	*n = (int)v;
	return rc == ERR_NOT_FOUND ? ERR_DB : rc;
}

/* what_label names a requirement for people, in both languages. */
static void what_label(const char *what, const char *dept, char *zh, size_t zn, char *en,
		       size_t en_n)
{
	static const struct {
		const char *what, *zh, *en;
	} labels[] = {
	    {"expert", "专家学者", "expert"},
	    {"member", "政协委员", "CPPCC member"},
	    {"official", "政府部门人员", "government official"},
	    {"entrepreneur", "企业家", "entrepreneur"},
	    {"sector_rep", "界别群众", "sector representative"},
	    {"social_org", "社会组织代表", "social organization representative"},
	    {"think_tank", "智库专家", "think-tank expert"},
	    {"citizen", "市民", "citizen"},
	    {"leader", "政协领导", "CPPCC leader"},
	};
	size_t i;

	if (strcmp(what, "department_official") == 0) {
		snprintf(zh, zn, "对口部门（%s）的政府部门人员", dept[0] ? dept : "未填写");
		snprintf(en, en_n, "official of the matched department (%s)",
			 dept[0] ? dept : "not given");
		return;
	}
	if (strcmp(what, "linked_org") == 0) {
		snprintf(zh, zn, "联动组织");
		snprintf(en, en_n, "linked body");
		return;
	}
	for (i = 0; i < ARRAY_LEN(labels); i++) {
		if (strcmp(what, labels[i].what) == 0) {
			snprintf(zh, zn, "%s", labels[i].zh);
			snprintf(en, en_n, "%s", labels[i].en);
			return;
		}
	}
	snprintf(zh, zn, "%s", what);
	snprintf(en, en_n, "%s", what);
}

/* check_requirements verifies the session's invitations against the rules' requirements
 * for each of its formats; the first unmet one is reported in e. */
static int check_requirements(struct db *db, const struct session_head *h,
			      const struct rules *rules, struct verr *e)
{
	static const char *const fmt_zh[] = {"专家聊", "对口聊", "界别聊", "联动聊"};
	char zh[512] = "", en[512] = "";
	const char *field = NULL;
	size_t i, k, zn = 0, enn = 0;
	int rc;

	if (h->formats == 0)
		return verr_set(e, "invalid", "formats",
				"请至少选择一种形式（专家聊、对口聊、界别聊、联动聊）",
				"choose at least one format (expert, counterpart, sector, joint)");
	if ((h->formats & FORMAT_COUNTERPART) && !h->department[0])
		return verr_set(e, "requirements_unmet", "department", "对口聊须填写对口部门",
				"a counterpart talk needs the matched department");
	/* every unmet requirement, so the organizer sees all that is missing at once */
	for (i = 0; i < ARRAY_LEN(format_names); i++) {
		struct rules_req req[16];
		size_t nreq;

		if (!(h->formats & (1 << i)))
			continue;
		nreq = rules_requirements(rules, format_names[i], req, ARRAY_LEN(req));
		for (k = 0; k < nreq && k < ARRAY_LEN(req); k++) {
			const char *what = req[k].what;
			int min = req[k].min, n = 0, w;
			char lz[400], le[400];

			if (strcmp(what, "department_official") == 0)
				rc = count_of(db, sql_count_dept, h->id, h->department, &n);
			else if (strcmp(what, "linked_org") == 0)
				rc = count_of(db, sql_count_linked, h->id, NULL, &n);
			else
				rc = count_of(db, sql_count_category, h->id, what, &n);
			if (rc)
				return rc;
			if (n >= min)
				continue;
			what_label(what, h->department, lz, sizeof(lz), le, sizeof(le));
			if (!field)
				field = strcmp(what, "linked_org") == 0 ? "linked_org_ids"
									: "invitations";
			w = snprintf(zh + zn, sizeof(zh) - zn,
				     "%s%s：还需要邀请至少 %d 位%s（现有 %d 位）", zn ? "；" : "",
				     fmt_zh[i], min, lz, n);
			if (w > 0)
				zn = zn + (size_t)w < sizeof(zh) ? zn + (size_t)w : sizeof(zh) - 1;
			w = snprintf(en + enn, sizeof(en) - enn,
				     "%s%s: invite at least %d %s (now %d)", enn ? "; " : "",
				     format_names[i], min, le, n);
			if (w > 0)
				enn =
				    enn + (size_t)w < sizeof(en) ? enn + (size_t)w : sizeof(en) - 1;
		}
	}
	if (!field)
		return ERR_OK;
	e->code = "requirements_unmet";
	e->field = field;
	snprintf(e->zh, sizeof(e->zh), "%s", zh);
	snprintf(e->en, sizeof(e->en), "%s", en);
	return ERR_INVALID;
}

/* check_attendance: a session is closed with at least min_participants present, under
 * the rules it was scheduled with (rules_for_session), not the ones in force now. */
static int check_attendance(struct db *db, int64_t id, struct verr *e)
{
	struct rules rules;
	int min, n = 0, rc;

	rc = rules_for_session(db, id, &rules);
	if (rc)
		return rc;
	min = rules_min_participants(&rules);
	rules_release(&rules);
	if (min <= 0)
		return ERR_OK;
	rc = count_of(db, sql_count_attended, id, NULL, &n);
	if (rc || n >= min)
		return rc;
	return verr_set(e, "requirements_unmet", "attendance",
			"按工作规则（min_participants）至少须 %d 人到会才能结束，现有 %d 人",
			"the work rules (min_participants) need %d present to close; %d are", min,
			n);
}

int session_transition(struct db *db, const struct actor *who, int64_t id, const char *to,
		       struct verr *e)
{
	struct session_head h;
	struct rules rules;
	json_t *b, *a;
	int64_t now = time_now();
	size_t i;
	int rc;

	rc = session_head(db, id, &h);
	if (rc)
		return rc;
	for (i = 0; i < ARRAY_LEN(session_moves); i++)
		if (strcmp(session_moves[i].from, h.status) == 0 &&
		    strcmp(session_moves[i].to, to) == 0)
			break;
	if (i == ARRAY_LEN(session_moves)) {
		/* both formats share the arguments: the Chinese words, then the codes */
		verr_set(e, "illegal_transition", "to", "深聊会不能从“%s”变为“%s”",
			 "%.0s%.0sa session cannot go from %s to %s", code_zh("session", h.status),
			 code_zh("session", to), h.status, to);
		return ERR_CONFLICT;
	}
	if (strcmp(to, "scheduled") == 0) {
		struct org org;

		rc = org_get(db, h.org_id, &org);
		if (rc)
			return rc;
		rc = rules_in_force(db, &org, &rules);
		if (rc)
			return rc;
		rc = check_requirements(db, &h, &rules, e);
		if (!rc)
			rc = db_exec(db, sql_rules_version, "si", rules.version, id);
		if (!rc)
			rc = db_exec(db, sql_topic_scheduled, "ii", now, h.topic_id);
		rules_release(&rules);
		if (rc)
			return rc;
	}
	if (strcmp(to, "closed") == 0) {
		rc = check_attendance(db, id, e);
		if (rc)
			return rc;
	}
	rc = db_exec(db, sql_status, "sisii", to, now, to, now, id);
	if (rc)
		return rc;
	b = json_pack("{ss}", "status", h.status);
	a = json_pack("{ss}", "status", to);
	rc = audit_write(db, who, h.org_id, "session.transition", "session", id, b, a);
	json_decref(b);
	json_decref(a);
	return rc;
}

/* --- lists --- */

#define SQL_LIST_FROM                                                                              \
	"SELECT " SESSION_COLS ", s.starts_at, o.path FROM session s JOIN org o"                   \
	" ON o.id = s.org_id JOIN topic t ON t.id = s.topic_id"                                    \
	" WHERE s.id > ?1"                                                                         \
	" AND ((s.visibility = 'public' AND s.status != 'draft' AND CAST(?2 AS TEXT) IS NOT NULL)" \
	"  OR (?3 = 0 AND (substr(o.path, 1, length(?4)) = ?4 OR EXISTS (SELECT 1 FROM"            \
	"   session_org so JOIN org lo ON lo.id = so.org_id WHERE so.session_id = s.id"            \
	"   AND substr(lo.path, 1, length(?4)) = ?4))))"                                           \
	" AND (?5 = 0 OR (s.starts_at >= ?6 AND s.starts_at < ?7))"                                \
	" AND (CAST(?8 AS TEXT) IS NULL OR t.domain = ?8)"                                         \
	" AND (CAST(?9 AS TEXT) IS NULL OR s.status = ?9)"
static const char sql_list[] = SQL_LIST_FROM " ORDER BY s.id LIMIT ?10";
/*
 * The newest-first order, read by keyset: ?11/?12 the start and id of the key. Each
 * statement is a range of the start index read in order (dated sessions), or of the ids
 * (undated ones), so a page reads about its own rows whatever its number. Going forward
 * the dated rows come first, then the undated; going back from a key the other way round,
 * in ascending order (the caller reverses them).
 */
static const char sql_list_dated_desc[] =
    SQL_LIST_FROM " AND s.starts_at IS NOT NULL AND s.starts_at <= ?11"
		  " AND (s.starts_at < ?11 OR s.id < ?12) ORDER BY s.starts_at DESC, s.id DESC"
		  " LIMIT ?10";
static const char sql_list_undated_desc[] =
    SQL_LIST_FROM " AND s.starts_at IS NULL AND s.id < ?12 AND CAST(?11 AS BIGINT) IS NOT NULL"
		  " ORDER BY s.id DESC LIMIT ?10";
static const char sql_list_dated_asc[] =
    SQL_LIST_FROM " AND s.starts_at IS NOT NULL AND s.starts_at >= ?11"
		  " AND (s.starts_at > ?11 OR s.id > ?12) ORDER BY s.starts_at, s.id LIMIT ?10";
static const char sql_list_undated_asc[] =
    SQL_LIST_FROM " AND s.starts_at IS NULL AND s.id > ?12 AND CAST(?11 AS BIGINT) IS NOT NULL"
		  " ORDER BY s.id LIMIT ?10";
/* only for an old "?page=N" address (session_list_seek) */
static const char sql_list_seek[] =
    SQL_LIST_FROM " ORDER BY s.starts_at DESC NULLS LAST, s.id DESC LIMIT 1 OFFSET ?10";
static const char sql_public_count[] =
    "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM session_list_count"
    " WHERE (?1 = 0 OR year = ?1) AND (CAST(?2 AS TEXT) IS NULL OR domain = ?2)"
    " AND (CAST(?3 AS TEXT) IS NULL OR status = ?3)";

struct list_acc {
	struct session *items;
	size_t n;
};

static int list_row(struct db_stmt *st, void *ud)
{
	struct list_acc *acc = ud;
	struct session *grown = realloc(acc->items, (acc->n + 1) * sizeof(*grown));

	if (!grown)
		return ERR_NOMEM;
	acc->items = grown;
	session_init(&grown[acc->n]);
	acc->n++;
	return session_from_row(st, &grown[acc->n - 1]);
}

/* year_range gives the start times of f's year ([*from, *to) in China time), 0 and 0 for
 * none. */
static int year_range(const struct session_filter *f, int64_t *from, int64_t *to)
{
	char y0[24], y1[24];

	*from = *to = 0;
	if (!f->year)
		return ERR_OK;
	snprintf(y0, sizeof(y0), "%04d-01-01", f->year);
	snprintf(y1, sizeof(y1), "%04d-01-01", f->year + 1);
	return time_parse(y0, from) || time_parse(y1, to) ? ERR_INVALID : ERR_OK;
}

struct list_query {
	struct db *db;
	const struct actor *a;
	const struct session_filter *f;
	int64_t from, to;
};

/* by_key runs one keyset statement for up to limit more rows into acc. */
static int by_key(const struct list_query *q, const char *sql, int64_t start, int64_t id, int limit,
		  struct list_acc *acc)
{
	const struct session_filter *f = q->f;

	if (limit <= 0)
		return ERR_OK;
	/* public sessions are always listed (?2) */
	return db_each(q->db, sql, list_row, acc, "iiisiiissnii", (int64_t)0, (int64_t)1,
		       (int64_t)f->public_only, scope_path(q->a), (int64_t)f->year, q->from, q->to,
		       f->domain, f->status, limit, start, id);
}

/* list_by_start reads the newest-first list from f's key (see the statements above). */
static int list_by_start(const struct list_query *q, int limit, struct list_acc *acc)
{
	const struct session_filter *f = q->f;
	bool undated_key = f->has_key && f->key.starts_at == 0;
	struct session t;
	size_t i;
	int rc = ERR_OK;

	if (!f->has_key || !f->before) {
		if (!undated_key)
			rc = by_key(q, sql_list_dated_desc,
				    f->has_key ? f->key.starts_at : INT64_MAX,
				    f->has_key ? f->key.id : INT64_MAX, limit, acc);
		if (!rc)
			rc = by_key(q, sql_list_undated_desc, 0,
				    undated_key ? f->key.id : INT64_MAX, limit - (int)acc->n, acc);
		return rc;
	}
	if (undated_key)
		rc = by_key(q, sql_list_undated_asc, 0, f->key.id, limit, acc);
	if (!rc)
		rc = by_key(q, sql_list_dated_asc, undated_key ? INT64_MIN : f->key.starts_at,
			    undated_key ? INT64_MIN : f->key.id, limit - (int)acc->n, acc);
	for (i = 0; !rc && i < acc->n / 2; i++) {
		t = acc->items[i];
		acc->items[i] = acc->items[acc->n - 1 - i];
		acc->items[acc->n - 1 - i] = t;
	}
	return rc;
}

int session_list_read(struct db *db, const struct actor *a, const struct session_filter *f,
		      int64_t after, int limit, struct session **out, size_t *n)
{
	struct list_acc acc = {NULL, 0};
	struct list_query q = {db, a, f, 0, 0};
	int rc;

	*out = NULL;
	*n = 0;
	if (year_range(f, &q.from, &q.to))
		return ERR_INVALID;
	if (f->by_start)
		rc = list_by_start(&q, limit, &acc);
	else
		rc = db_each(db, sql_list, list_row, &acc, "iiisiiissn", after, (int64_t)1,
			     (int64_t)f->public_only, scope_path(a), (int64_t)f->year, q.from, q.to,
			     f->domain, f->status, limit);
	if (rc) {
		session_list_release(acc.items, acc.n);
		return rc;
	}
	*out = acc.items;
	*n = acc.n;
	return ERR_OK;
}

int session_list_seek(struct db *db, const struct actor *a, const struct session_filter *f,
		      int offset, struct session_key *key)
{
	struct list_acc acc = {NULL, 0};
	int64_t from, to;
	int rc;

	if (offset < 0 || year_range(f, &from, &to))
		return ERR_INVALID;
	rc = db_each(db, sql_list_seek, list_row, &acc, "iiisiiissn", (int64_t)0, (int64_t)1,
		     (int64_t)f->public_only, scope_path(a), (int64_t)f->year, from, to, f->domain,
		     f->status, offset);
	if (!rc && acc.n == 0)
		rc = ERR_NOT_FOUND;
	if (!rc)
		*key = (struct session_key){acc.items[0].starts_at, acc.items[0].id};
	session_list_release(acc.items, acc.n);
	return rc;
}

int session_public_count(struct db *db, const struct session_filter *f, int64_t *n)
{
	*n = 0;
	return db_get_int(db, sql_public_count, n, "iss", (int64_t)f->year, f->domain, f->status);
}

void session_key_format(const struct session_key *key, char *out, size_t n)
{
	if (key->starts_at)
		snprintf(out, n, "%lld_%lld", (long long)key->starts_at, (long long)key->id);
	else
		snprintf(out, n, "n_%lld", (long long)key->id);
}

int session_key_parse(const char *text, struct session_key *key)
{
	const char *sep = text ? strchr(text, '_') : NULL;
	int64_t start = 0, id;

	if (!sep)
		return ERR_INVALID;
	if (!(sep - text == 1 && text[0] == 'n') &&
	    (num_parse(text, (size_t)(sep - text), INT64_MIN + 1, INT64_MAX, &start) || !start))
		return ERR_INVALID;
	if (num_parse(sep + 1, strlen(sep + 1), 1, INT64_MAX, &id))
		return ERR_INVALID;
	key->starts_at = start;
	key->id = id;
	return ERR_OK;
}

void session_list_release(struct session *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		session_release(&list[i]);
	free(list);
}
