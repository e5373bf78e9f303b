/*
 * record.c - what happens at and after a session: invitations with the invitee's answer,
 * attendance, the speaker-level remarks, a department's commitments (counterpart talks),
 * the agreed points and differences (求同存异), and suggestions (对策建议) with their
 * proposers and the remarks or statements they came from. Attendance and remarks credit the
 * duty records of the people concerned.
 */
#include "session.h"
#include "correction.h"
#include "rowjson.h"
#include "notify.h"
#include "valid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "db/db.h"

static const char *const invite_roles[] = {"host",   "speaker",	 "expert",
					   "member", "official", "observer"};

static const char sql_person_path[] = "SELECT o.path FROM person p JOIN org o ON o.id = p.org_id"
				      " WHERE p.id = ?";

/* by_org is the body credited with what who adds to session h (the record's by_org_id):
 * who's own, the session's for the command line. */
static int64_t by_org(const struct actor *who, const struct session_head *h)
{
	return who->via != AUTH_SYSTEM && who->org.id ? who->org.id : h->org_id;
}

static bool session_closed(const struct session_head *h)
{
	return strcmp(h->status, "closed") == 0 || strcmp(h->status, "archived") == 0;
}

/* record_writable: the record of a closed (or archived) session is read-only except for
 * admins (the work rules); ERR_CONFLICT with e filled. Whether who may change the
 * session at all is the caller's question (session_authorize). */
static int record_writable(const struct actor *who, const struct session_head *h, struct verr *e)
{
	if (!session_closed(h) || who->role == ROLE_ADMIN)
		return ERR_OK;
	verr_set(e, "closed", "status", "深聊会已结束，记录只读（仅管理员可修改）",
		 "the session is closed: its record is read-only except for admins");
	return ERR_CONFLICT;
}

/* person_reachable: who may read the person (person_authorize's rule: the person's body
 * is within who's scope). A linked body's people are not reachable through the link: the
 * session's organizers of a body that sees them invite them, so nobody learns of a person
 * they may not read by naming their id. */
static int person_reachable(struct db *db, const struct actor *who, int64_t person_id, bool *ok)
{
	struct db_stmt *st;
	char path[128] = "";
	int rc;

	*ok = false;
	rc = db_get_row(db, sql_person_path, &st, "i", person_id);
	if (rc == ERR_NOT_FOUND)
		return ERR_OK;
	if (rc)
		return rc;
	rc = copy_field(path, sizeof(path), db_col_text(st, 0));
	db_done(st);
	if (rc || !path[0])
		return rc;
	*ok = strncmp(path, scope_path(who), strlen(scope_path(who))) == 0;
	return ERR_OK;
}

bool person_nameable(const struct actor *a, const char *person_path, bool public_name)
{
	if (public_name || a->via == AUTH_SYSTEM)
		return true;
	/* person_authorize's rule: the person's body is the reader's or below it */
	return a->via != AUTH_NONE && org_path_within(person_path, a->org.path);
}

static int check_person(struct db *db, const struct actor *who, int64_t person_id,
			const char *field, struct verr *e)
{
	bool ok;
	int rc = person_reachable(db, who, person_id, &ok);

	if (rc)
		return rc;
	if (!ok)
		return verr_set(e, "invalid", field, "人员 %lld 不存在或不在可邀请范围内",
				"person %lld does not exist or is out of reach",
				(long long)person_id);
	return ERR_OK;
}

/* --- invitations --- */

static const char sql_invite[] = "INSERT INTO invitation (org_id, session_id, person_id, role,"
				 " created_at, by_org_id) VALUES (?, ?, ?, ?, ?, ?)";

int invitation_add(struct db *db, const struct actor *who, int64_t session_id, int64_t person_id,
		   const char *role, int64_t *id, struct verr *e)
{
	struct session_head h;
	json_t *after;
	size_t i;
	int rc;

	rc = session_head(db, session_id, &h);
	if (rc)
		return rc;
	if (session_closed(&h)) {
		verr_set(e, "closed", "status", "深聊会已结束，不能再邀请",
			 "the session is closed: no more invitations");
		return ERR_CONFLICT;
	}
	if (!role)
		role = "member";
	for (i = 0; i < ARRAY_LEN(invite_roles); i++)
		if (strcmp(role, invite_roles[i]) == 0)
			break;
	if (i == ARRAY_LEN(invite_roles))
		return verr_set(e, "invalid", "role",
				"角色须为 host、speaker、expert、member、official 或 observer",
				"role must be host, speaker, expert, member, official or observer");
	if (person_id <= 0)
		return verr_set(e, "required", "person_id", "请选择受邀人员",
				"person_id is required");
	rc = check_person(db, who, person_id, "person_id", e);
	if (rc)
		return rc;
	rc = db_exec(db, sql_invite, "iiisii", h.org_id, session_id, person_id, role, time_now(),
		     by_org(who, &h));
	if (rc == ERR_CONFLICT) {
		verr_set(e, "conflict", "person_id", "此人已受邀",
			 "this person is already invited");
		return ERR_CONFLICT;
	}
	if (rc)
		return rc;
	*id = db_last_id(db);
	after = json_pack("{sI sI ss sI}", "session_id", (json_int_t)session_id, "person_id",
			  (json_int_t)person_id, "role", role, "by_org_id",
			  (json_int_t)by_org(who, &h));
	rc = audit_write(db, who, h.org_id, "invitation.create", "invitation", *id, NULL, after);
	json_decref(after);
	if (!rc)
		rc = notify_invited(db, session_id, person_id);
	return rc;
}

static const char sql_inv_of_user[] =
    "SELECT i.id, i.session_id, i.rsvp, i.org_id FROM invitation i JOIN person p"
    " ON p.id = i.person_id WHERE i.id = ? AND p.user_id = ?";
static const char sql_answer[] = "UPDATE invitation SET rsvp = ?, responded_at = ? WHERE id = ?";

int invitation_answer(struct db *db, const struct actor *who, int64_t invitation_id,
		      const char *answer, struct verr *e)
{
	struct db_stmt *st;
	char before[16] = "";
	int64_t org_id = 0;
	json_t *b, *a;
	int rc;

	/* not this user's invitation: it does not exist for them (ERR_NOT_FOUND), whatever the
	 * answer says, so the lookup comes before the answer is checked */
	rc = db_get_row(db, sql_inv_of_user, &st, "ii", invitation_id, who->user.id);
	if (rc)
		return rc;
	rc = copy_field(before, sizeof(before), db_col_text(st, 2));
	org_id = db_col_int(st, 3);
	db_done(st);
	if (!rc &&
	    (!answer || (strcmp(answer, "accepted") != 0 && strcmp(answer, "declined") != 0)))
		return verr_set(e, "invalid", "answer",
				"答复须为 accepted（接受）或 declined（谢绝）",
				"answer must be accepted or declined");
	if (!rc)
		rc = db_exec(db, sql_answer, "sii", answer, time_now(), invitation_id);
	if (rc)
		return rc;
	b = json_pack("{ss}", "rsvp", before);
	a = json_pack("{ss}", "rsvp", answer);
	rc = audit_write(db, who, org_id, "invitation.answer", "invitation", invitation_id, b, a);
	json_decref(b);
	json_decref(a);
	return rc;
}

static const char sql_attend_find[] =
    "SELECT id, attended FROM invitation WHERE session_id = ? AND person_id = ?";
static const char sql_attend_add[] =
    "INSERT INTO invitation (org_id, session_id, person_id, role, rsvp, attended, created_at,"
    " by_org_id) VALUES (?, ?, ?, 'member', 'accepted', TRUE, ?, ?)";
static const char sql_attend_set[] = "UPDATE invitation SET attended = ?1, rsvp = "
				     "CASE WHEN ?1 AND rsvp = 'pending'"
				     " THEN 'accepted' ELSE rsvp END WHERE id = ?2";

int invitation_attend(struct db *db, const struct actor *who, int64_t session_id, int64_t person_id,
		      bool attended, struct verr *e)
{
	struct session_head h;
	struct db_stmt *st;
	int64_t inv = 0;
	int64_t now = time_now();
	bool was = false;
	json_t *b, *a;
	int rc;

	rc = session_head(db, session_id, &h);
	if (!rc)
		rc = record_writable(who, &h, e);
	if (rc)
		return rc;
	rc = check_person(db, who, person_id, "person_id", e);
	if (rc)
		return rc;
	rc = db_get_row(db, sql_attend_find, &st, "ii", session_id, person_id);
	if (rc == ERR_OK) {
		inv = db_col_int(st, 0);
		was = db_col_int(st, 1) != 0;
		db_done(st);
	} else if (rc != ERR_NOT_FOUND) {
		return rc;
	}
	rc = ERR_OK;
	if (!inv && attended) {
		/* someone came who was not invited: record them as a participant */
		rc = db_exec(db, sql_attend_add, "iiiii", h.org_id, session_id, person_id, now,
			     by_org(who, &h));
		inv = db_last_id(db);
	} else if (inv) {
		rc = db_exec(db, sql_attend_set, "ni", (int)attended, inv);
	}
	if (rc || !inv)
		return rc;
	/* credited in the year the session took place */
	rc = attended ? duty_credit(db, h.org_id, person_id, "attended", session_id, inv,
				    h.starts_at ? h.starts_at : now)
		      : duty_revoke(db, person_id, "attended", inv);
	if (rc)
		return rc;
	b = json_pack("{sb}", "attended", was);
	a = json_pack("{sb sI}", "attended", attended, "person_id", (json_int_t)person_id);
	rc = audit_write(db, who, h.org_id, "invitation.attend", "invitation", inv, b, a);
	json_decref(b);
	json_decref(a);
	return rc;
}

static const char sql_my_invitations[] =
    "SELECT i.id, i.session_id, s.title, s.starts_at, s.venue, s.status, i.role, i.rsvp,"
    " i.attended FROM invitation i JOIN person p ON p.id = i.person_id"
    " JOIN session s ON s.id = i.session_id WHERE p.user_id = ?"
    " ORDER BY s.starts_at DESC, i.id DESC LIMIT 200";

bool invitee_linked(struct db *db, int64_t user_id)
{
	int64_t one;

	return user_id > 0 && db_get_int(db, "SELECT 1 FROM person WHERE user_id = ?", &one, "i",
					 user_id) == ERR_OK;
}

/* --- remarks --- */

static const char sql_next_pos[] = "SELECT COALESCE(MAX(position), 0) + 1 FROM remark"
				   " WHERE session_id = ?";
static const char sql_remark[] =
    "INSERT INTO remark (org_id, session_id, person_id, role, body,"
    " position, created_by, created_at, updated_at, by_org_id)"
    " VALUES (?, ?, ?, ?, ?, ?, NULLIF(CAST(? AS BIGINT), 0), ?, ?, ?)";

static int next_position(struct db *db, const char *sql, int64_t session_id, int64_t *pos)
{
	int rc = db_get_int(db, sql, pos, "i", session_id);

	return rc == ERR_NOT_FOUND ? ERR_DB : rc;
}

int remark_add(struct db *db, const struct actor *who, int64_t session_id, int64_t person_id,
	       const char *role, const char *body, int64_t *id, struct verr *e)
{
	struct session_head h;
	int64_t pos, now = time_now();
	json_t *after;
	int rc;

	rc = session_head(db, session_id, &h);
	if (!rc)
		rc = record_writable(who, &h, e);
	if (rc)
		return rc;
	if (!body)
		return verr_set(e, "required", "body", "请填写发言内容", "body is required");
	rc = text_check(body, "body", 1, 50000, e);
	if (!rc)
		rc = text_check(role ? role : "", "role", 0, 50, e);
	if (!rc && person_id > 0)
		rc = check_person(db, who, person_id, "person_id", e);
	if (!rc && person_id <= 0)
		rc = verr_set(e, "required", "person_id", "请选择发言人",
			      "person_id (the speaker) is required");
	if (!rc)
		rc = next_position(db, sql_next_pos, session_id, &pos);
	if (rc)
		return rc;
	rc = db_exec(db, sql_remark, "iiissiiiii", h.org_id, session_id, person_id,
		     role ? role : "", body, pos, who->user.id, now, now, by_org(who, &h));
	if (rc)
		return rc;
	*id = db_last_id(db);
	rc = search_put(db, "remark", *id, session_id, h.org_id, "", body);
	if (!rc)
		rc = duty_credit(db, h.org_id, person_id, "remark", session_id, *id,
				 h.starts_at ? h.starts_at : now);
	if (rc)
		return rc;
	after = json_pack("{sI sI ss ss sI}", "session_id", (json_int_t)session_id, "person_id",
			  (json_int_t)person_id, "role", role ? role : "", "body", body,
			  "by_org_id", (json_int_t)by_org(who, &h));
	rc = audit_write(db, who, h.org_id, "remark.create", "remark", *id, NULL, after);
	json_decref(after);
	return rc;
}

/* --- commitments --- */

static const char sql_commit[] = "INSERT INTO commitment (org_id, session_id, owner, owner_id,"
				 " body, due_date, created_at, updated_at, by_org_id)"
				 " VALUES (?, ?, ?, NULLIF(CAST(? AS BIGINT), 0), ?, ?, ?, ?, ?)";
static const char sql_commit_get[] = "SELECT c.org_id, c.status FROM commitment c WHERE c.id = ?";
static const char sql_commit_set[] = "UPDATE commitment SET status = ?, updated_at = ?"
				     " WHERE id = ?";

int commitment_add(struct db *db, const struct actor *who, int64_t session_id, const char *owner,
		   int64_t owner_id, const char *body, const char *due_date, int64_t *id,
		   struct verr *e)
{
	struct session_head h;
	int64_t now = time_now(), t;
	json_t *after;
	int rc;

	rc = session_head(db, session_id, &h);
	if (!rc)
		rc = record_writable(who, &h, e);
	if (rc)
		return rc;
	if (!(h.formats & FORMAT_COUNTERPART))
		return verr_set(e, "invalid", "session", "只有对口聊记录部门承诺事项",
				"commitments are recorded for counterpart talks only");
	if (!owner || !*owner)
		owner = h.department;
	if (!body)
		return verr_set(e, "required", "body", "请填写承诺内容", "body is required");
	rc = text_check(owner, "owner", 1, 200, e);
	if (!rc)
		rc = text_check(body, "body", 1, 5000, e);
	if (rc)
		return rc;
	if (due_date && *due_date && (strlen(due_date) != 10 || time_parse(due_date, &t)))
		return verr_set(e, "invalid", "due_date", "完成期限须为 YYYY-MM-DD 格式的日期",
				"due_date must be a date YYYY-MM-DD");
	if (owner_id > 0) {
		rc = check_person(db, who, owner_id, "owner_id", e);
		if (rc)
			return rc;
	}
	rc = db_exec(db, sql_commit, "iisissiii", h.org_id, session_id, owner,
		     owner_id > 0 ? owner_id : (int64_t)0, body,
		     due_date && *due_date ? due_date : NULL, now, now, by_org(who, &h));
	if (rc)
		return rc;
	*id = db_last_id(db);
	after = json_pack("{sI ss ss ss?}", "session_id", (json_int_t)session_id, "owner", owner,
			  "body", body, "due_date", due_date);
	rc = audit_write(db, who, h.org_id, "commitment.create", "commitment", *id, NULL, after);
	json_decref(after);
	return rc;
}

int commitment_session(struct db *db, int64_t id, int64_t *session_id)
{
	return db_get_int(db, "SELECT session_id FROM commitment WHERE id = ?", session_id, "i",
			  id);
}

int commitment_set_status(struct db *db, const struct actor *who, int64_t id, const char *status,
			  struct verr *e)
{
	static const char *const ok[] = {"open", "in_progress", "done", "dropped"};
	struct db_stmt *st;
	char before[16] = "";
	int64_t org_id = 0;
	json_t *b, *a;
	size_t i;
	int rc;

	for (i = 0; status && i < ARRAY_LEN(ok); i++)
		if (strcmp(status, ok[i]) == 0)
			break;
	if (!status || i == ARRAY_LEN(ok))
		return verr_set(e, "invalid", "status",
				"状态须为 open、in_progress、done 或 dropped",
				"status must be open, in_progress, done or dropped");
	rc = db_get_row(db, sql_commit_get, &st, "i", id);
	if (rc)
		return rc;
	org_id = db_col_int(st, 0);
	rc = copy_field(before, sizeof(before), db_col_text(st, 1));
	db_done(st);
	if (!rc)
		rc = db_exec(db, sql_commit_set, "sii", status, time_now(), id);
	if (rc)
		return rc;
	b = json_pack("{ss}", "status", before);
	a = json_pack("{ss}", "status", status);
	rc = audit_write(db, who, org_id, "commitment.update", "commitment", id, b, a);
	json_decref(b);
	json_decref(a);
	return rc;
}

/* --- agreed points and differences --- */

static const char sql_point_pos[] = "SELECT COALESCE(MAX(position), 0) + 1 FROM session_point"
				    " WHERE session_id = ?";
static const char sql_point[] = "INSERT INTO session_point (org_id, session_id, kind, body,"
				" position, created_at, by_org_id) VALUES (?, ?, ?, ?, ?, ?, ?)";

int point_add(struct db *db, const struct actor *who, int64_t session_id, const char *kind,
	      const char *body, int64_t *id, struct verr *e)
{
	struct session_head h;
	int64_t pos;
	json_t *after;
	int rc;

	rc = session_head(db, session_id, &h);
	if (!rc)
		rc = record_writable(who, &h, e);
	if (rc)
		return rc;
	if (!kind || (strcmp(kind, "agreed") != 0 && strcmp(kind, "difference") != 0))
		return verr_set(e, "invalid", "kind",
				"类型须为 agreed（共识）或 difference（分歧）",
				"kind must be agreed or difference");
	if (!body)
		return verr_set(e, "required", "body", "请填写内容", "body is required");
	rc = text_check(body, "body", 1, 5000, e);
	if (!rc)
		rc = next_position(db, sql_point_pos, session_id, &pos);
	if (!rc)
		rc = db_exec(db, sql_point, "iissiii", h.org_id, session_id, kind, body, pos,
			     time_now(), by_org(who, &h));
	if (rc)
		return rc;
	*id = db_last_id(db);
	after = json_pack("{sI ss ss sI}", "session_id", (json_int_t)session_id, "kind", kind,
			  "body", body, "by_org_id", (json_int_t)by_org(who, &h));
	rc = audit_write(db, who, h.org_id, "point.create", "session_point", *id, NULL, after);
	json_decref(after);
	return rc;
}

/* --- suggestions --- */

static const char sql_sug_pos[] = "SELECT COALESCE(MAX(position), 0) + 1 FROM suggestion"
				  " WHERE session_id = ?";
static const char sql_sug[] = "INSERT INTO suggestion (org_id, session_id, title, body, position,"
			      " created_by, created_at, updated_at, by_org_id)"
			      " VALUES (?, ?, ?, ?, ?, NULLIF(CAST(? AS BIGINT), 0), ?, ?, ?)";
static const char sql_sug_proposer[] = "INSERT INTO suggestion_proposer (suggestion_id, person_id)"
				       " VALUES (?, ?)";
static const char sql_sug_source[] = "INSERT INTO suggestion_source (suggestion_id, kind,"
				     " source_id) VALUES (?, ?, ?)";
static const char sql_sug_get[] =
    "SELECT s.id, s.session_id, s.org_id, s.title, s.body, s.position, s.created_at"
    " FROM suggestion s WHERE s.id = ?";
static const char sql_sug_read[] =
    "SELECT s.id, s.session_id, s.org_id, s.title, s.body, s.position, s.created_at,"
    " COALESCE(s.by_org_id, s.org_id), COALESCE(bo.name, '') FROM suggestion s"
    " LEFT JOIN org bo ON bo.id = COALESCE(s.by_org_id, s.org_id) WHERE s.id = ?";
static const char sql_sug_proposers[] =
    "SELECT p.id, p.name, p.category, p.public_name FROM suggestion_proposer sp"
    " JOIN person p ON p.id = sp.person_id WHERE sp.suggestion_id = ? ORDER BY p.id";
static const char sql_sug_proposers_read[] =
    "SELECT p.id, p.name, p.category, p.public_name, p.sector, o.path FROM suggestion_proposer sp"
    " JOIN person p ON p.id = sp.person_id JOIN org o ON o.id = p.org_id"
    " WHERE sp.suggestion_id = ? ORDER BY p.id";
static const char sql_sug_sources[] =
    "SELECT ss.kind, ss.source_id, COALESCE(replace(replace(substr(r.body, 1, 120), '**', ''),"
    " '\n', ' '), substr(st.text, 1, 120), '')"
    " FROM suggestion_source ss LEFT JOIN remark r ON ss.kind = 'remark'"
    " AND r.id = ss.source_id LEFT JOIN statement st ON ss.kind = 'statement'"
    " AND st.id = ss.source_id WHERE ss.suggestion_id = ? ORDER BY ss.kind, ss.source_id";

/* suggestion_audit_json is what the audit log records of suggestion id. */
static json_t *suggestion_audit_json(struct db *db, int64_t id)
{
	struct db_stmt *st;
	json_t *s = NULL, *a;

	if (db_get_row(db, sql_sug_get, &st, "i", id))
		return NULL;
	s = row_json(st, "i:id i:session_id i:org_id s:title s:body i:position t:created_at");
	db_done(st);
	a = json_array();
	(void)rows_json_by_id(db, sql_sug_proposers, id, "i:id s:name s:category b:public_name", a);
	json_object_set_new(s, "proposers", a);
	a = json_array();
	(void)rows_json_by_id(db, sql_sug_sources, id, "s:kind i:id s:excerpt", a);
	json_object_set_new(s, "sources", a);
	return s;
}

/* check_source: a suggestion's source is a remark or a statement (of the live opinion map)
 * of the same session. ERR_INVALID naming "sources" and the source otherwise. */
static int check_source(struct db *db, int64_t session_id, const struct source_ref *src,
			struct verr *e)
{
	int64_t one;
	int rc;

	if (strcmp(src->kind, "remark") == 0)
		rc = db_get_int(db, "SELECT 1 FROM remark WHERE id = ? AND session_id = ?", &one,
				"ii", src->id, session_id);
	else if (strcmp(src->kind, "statement") == 0)
		rc = db_get_int(db, "SELECT 1 FROM statement WHERE id = ? AND session_id = ?", &one,
				"ii", src->id, session_id);
	else
		return verr_set(e, "invalid", "sources",
				"来源类型须为 remark（发言）或 statement（观点）",
				"a source's kind must be remark or statement");
	if (rc != ERR_NOT_FOUND)
		return rc;
	if (strcmp(src->kind, "remark") == 0)
		return verr_set(e, "invalid", "sources", "来源发言 %lld 不属于本场深聊会",
				"source remark %lld is not part of this session",
				(long long)src->id);
	return verr_set(e, "invalid", "sources", "来源观点 %lld 不属于本场深聊会",
			"source statement %lld is not part of this session", (long long)src->id);
}

int suggestion_add(struct db *db, const struct actor *who, int64_t session_id, const char *title,
		   const char *body, const int64_t *proposers, size_t nproposers,
		   const struct source_ref *sources, size_t nsources, int64_t *id, struct verr *e)
{
	struct session_head h;
	int64_t pos, now = time_now();
	json_t *after;
	size_t i;
	int rc;

	rc = session_head(db, session_id, &h);
	if (!rc)
		rc = record_writable(who, &h, e);
	if (rc)
		return rc;
	if (!title)
		return verr_set(e, "required", "title", "请填写建议标题", "title is required");
	if (!body)
		body = "";
	rc = text_check(title, "title", 1, 200, e);
	if (!rc)
		rc = text_check(body, "body", 0, 20000, e);
	for (i = 0; !rc && i < nproposers; i++)
		rc = check_person(db, who, proposers[i], "proposer_ids", e);
	for (i = 0; !rc && i < nsources; i++)
		rc = check_source(db, session_id, &sources[i], e);
	if (!rc)
		rc = next_position(db, sql_sug_pos, session_id, &pos);
	if (rc)
		return rc;
	rc = db_exec(db, sql_sug, "iissiiiii", h.org_id, session_id, title, body, pos, who->user.id,
		     now, now, by_org(who, &h));
	if (rc)
		return rc;
	*id = db_last_id(db);
	for (i = 0; !rc && i < nproposers; i++) {
		rc = db_exec(db, sql_sug_proposer, "ii", *id, proposers[i]);
		if (rc == ERR_CONFLICT)
			rc = ERR_OK; /* named twice */
	}
	for (i = 0; !rc && i < nsources; i++) {
		rc = db_exec(db, sql_sug_source, "isi", *id, sources[i].kind, sources[i].id);
		if (rc == ERR_CONFLICT)
			rc = ERR_OK;
	}
	if (!rc)
		rc = search_put(db, "suggestion", *id, session_id, h.org_id, title, body);
	if (rc)
		return rc;
	after = suggestion_audit_json(db, *id);
	rc = audit_write(db, who, h.org_id, "suggestion.create", "suggestion", *id, NULL, after);
	json_decref(after);
	return rc;
}

static const char sql_people_options[] =
    "SELECT p.id, p.name, p.category, p.affiliation FROM person p JOIN org o"
    " ON o.id = p.org_id WHERE substr(o.path, 1, length(?1)) = ?1 OR p.org_id = ?2"
    " ORDER BY p.category, p.name, p.id LIMIT 2000";

struct option_acc {
	struct person_option *items;
	size_t n;
};

static int option_row(struct db_stmt *st, void *ud)
{
	struct option_acc *acc = ud;
	struct person_option *x = array_grow(&acc->items, &acc->n, sizeof(*x));

	if (!x)
		return ERR_NOMEM;
	x->id = db_col_int(st, 0);
	x->name = db_col_dup(st, 1);
	snprintf(x->category, sizeof(x->category), "%s", db_col_text(st, 2));
	x->affiliation = db_col_dup(st, 3);
	return x->name && x->affiliation ? ERR_OK : ERR_NOMEM;
}

int people_options_read(struct db *db, const struct actor *a, int64_t org_id,
			struct person_option **out, size_t *n)
{
	struct option_acc acc = {NULL, 0};
	int rc = db_each(db, sql_people_options, option_row, &acc, "si", scope_path(a), org_id);

	if (rc) {
		people_options_release(acc.items, acc.n);
		acc.items = NULL;
		acc.n = 0;
	}
	*out = acc.items;
	*n = acc.n;
	return rc;
}

void people_options_release(struct person_option *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(list[i].name);
		free(list[i].affiliation);
	}
	free(list);
}

/* --- the record as structs (session.h) --- */

void suggestion_init(struct suggestion *s)
{
	memset(s, 0, sizeof(*s));
}

void suggestion_release(struct suggestion *s)
{
	size_t i;

	free(s->title);
	free(s->body);
	for (i = 0; i < s->nproposers; i++) {
		free(s->proposers[i].name);
		free(s->proposers[i].sector);
	}
	free(s->proposers);
	for (i = 0; i < s->nsources; i++)
		free(s->sources[i].excerpt);
	free(s->sources);
	suggestion_init(s);
}

static int proposer_row(struct db_stmt *st, void *ud)
{
	struct suggestion *s = ud;
	struct suggestion_proposer *p = array_grow(&s->proposers, &s->nproposers, sizeof(*p));

	if (!p || !(p->name = db_col_dup(st, 1)) || !(p->sector = db_col_dup(st, 4)))
		return ERR_NOMEM;
	p->id = db_col_int(st, 0);
	p->public_name = db_col_int(st, 3) != 0;
	if (copy_field(p->person_path, sizeof(p->person_path), db_col_text(st, 5)))
		return ERR_TOO_BIG;
	return copy_field(p->category, sizeof(p->category), db_col_text(st, 2));
}

static int source_row(struct db_stmt *st, void *ud)
{
	struct suggestion *s = ud;
	struct suggestion_source *x = array_grow(&s->sources, &s->nsources, sizeof(*x));

	if (!x || !(x->excerpt = db_col_dup(st, 2)))
		return ERR_NOMEM;
	x->id = db_col_int(st, 1);
	return copy_field(x->kind, sizeof(x->kind), db_col_text(st, 0));
}

int suggestion_read(struct db *db, int64_t id, struct suggestion *s)
{
	struct db_stmt *st;
	int rc;

	suggestion_release(s);
	rc = db_get_row(db, sql_sug_read, &st, "i", id);
	if (rc)
		return rc;
	s->by_org_id = db_col_int(st, 7);
	if (copy_field(s->by_org_name, sizeof(s->by_org_name), db_col_text(st, 8))) {
		db_done(st);
		return ERR_TOO_BIG;
	}
	s->id = db_col_int(st, 0);
	s->session_id = db_col_int(st, 1);
	s->org_id = db_col_int(st, 2);
	s->position = db_col_int(st, 5);
	s->created_at = db_col_int(st, 6);
	s->title = db_col_dup(st, 3);
	s->body = db_col_dup(st, 4);
	db_done(st);
	rc = s->title && s->body ? ERR_OK : ERR_NOMEM;
	if (!rc)
		rc = db_each(db, sql_sug_proposers_read, proposer_row, s, "i", id);
	if (!rc)
		rc = db_each(db, sql_sug_sources, source_row, s, "i", id);
	if (rc)
		suggestion_release(s);
	return rc;
}

void session_record_init(struct session_record *r)
{
	memset(r, 0, sizeof(*r));
}

void session_record_release(struct session_record *r)
{
	size_t i;

	for (i = 0; i < r->ninvitations; i++) {
		free(r->invitations[i].name);
		free(r->invitations[i].affiliation);
		free(r->invitations[i].sector);
	}
	free(r->invitations);
	for (i = 0; i < r->nremarks; i++) {
		free(r->remarks[i].speaker);
		free(r->remarks[i].role);
		free(r->remarks[i].body);
		free(r->remarks[i].sector);
	}
	free(r->remarks);
	for (i = 0; i < r->ncommitments; i++) {
		free(r->commitments[i].owner);
		free(r->commitments[i].body);
	}
	free(r->commitments);
	for (i = 0; i < r->nagreed; i++)
		free(r->agreed[i].body);
	free(r->agreed);
	for (i = 0; i < r->ndifferences; i++)
		free(r->differences[i].body);
	free(r->differences);
	for (i = 0; i < r->nsuggestions; i++)
		suggestion_release(&r->suggestions[i]);
	free(r->suggestions);
	session_record_init(r);
}

static const char sql_rec_invitations[] =
    "SELECT i.id, i.person_id, p.name, p.category, p.affiliation, p.public_name, i.role,"
    " i.rsvp, i.attended, p.sector, o.path, COALESCE(i.by_org_id, i.org_id), COALESCE(bo.name, '')"
    " FROM invitation i JOIN person p ON p.id = i.person_id"
    " JOIN org o ON o.id = p.org_id LEFT JOIN org bo ON bo.id = COALESCE(i.by_org_id, i.org_id)"
    " WHERE i.session_id = ? ORDER BY i.id";
static const char sql_rec_remarks[] =
    "SELECT r.id, COALESCE(r.person_id, 0), COALESCE(p.name, ''), r.role, r.body, r.position,"
    " r.created_at, COALESCE(p.sector, ''), COALESCE(p.category, ''), COALESCE(o.path, ''),"
    " COALESCE(p.public_name, TRUE), r.erased, COALESCE(r.by_org_id, r.org_id),"
    " COALESCE(bo.name, '') FROM remark r LEFT JOIN person p"
    " ON p.id = r.person_id LEFT JOIN org o ON o.id = p.org_id"
    " LEFT JOIN org bo ON bo.id = COALESCE(r.by_org_id, r.org_id) WHERE r.session_id = ?"
    " ORDER BY r.position, r.id";
static const char sql_rec_commitments[] =
    "SELECT id, owner, COALESCE(owner_id, 0), body, due_date, status, created_at FROM commitment"
    " WHERE session_id = ? ORDER BY id";
static const char sql_rec_points[] =
    "SELECT sp.id, sp.body, COALESCE(sp.by_org_id, sp.org_id), COALESCE(bo.name, '')"
    " FROM session_point sp LEFT JOIN org bo ON bo.id = COALESCE(sp.by_org_id, sp.org_id)"
    " WHERE sp.session_id = ? AND sp.kind = ? ORDER BY sp.position, sp.id";
static const char sql_rec_suggestions[] =
    "SELECT id FROM suggestion WHERE session_id = ? ORDER BY position, id";

static int invitation_row(struct db_stmt *st, void *ud)
{
	struct session_record *r = ud;
	struct invitation *x = array_grow(&r->invitations, &r->ninvitations, sizeof(*x));
	int rc;

	if (!x || !(x->name = db_col_dup(st, 2)) || !(x->affiliation = db_col_dup(st, 4)) ||
	    !(x->sector = db_col_dup(st, 9)))
		return ERR_NOMEM;
	if (copy_field(x->person_path, sizeof(x->person_path), db_col_text(st, 10)))
		return ERR_TOO_BIG;
	x->id = db_col_int(st, 0);
	x->person_id = db_col_int(st, 1);
	x->public_name = db_col_int(st, 5) != 0;
	x->attended = db_col_int(st, 8) != 0;
	x->by_org_id = db_col_int(st, 11);
	rc = copy_field(x->by_org_name, sizeof(x->by_org_name), db_col_text(st, 12));
	if (!rc)
		rc = copy_field(x->category, sizeof(x->category), db_col_text(st, 3));
	if (!rc)
		rc = copy_field(x->role, sizeof(x->role), db_col_text(st, 6));
	if (!rc)
		rc = copy_field(x->rsvp, sizeof(x->rsvp), db_col_text(st, 7));
	return rc;
}

static int remark_row(struct db_stmt *st, void *ud)
{
	struct session_record *r = ud;
	struct remark *x = array_grow(&r->remarks, &r->nremarks, sizeof(*x));

	if (!x || !(x->speaker = db_col_dup(st, 2)) || !(x->role = db_col_dup(st, 3)) ||
	    !(x->body = db_col_dup(st, 4)) || !(x->sector = db_col_dup(st, 7)))
		return ERR_NOMEM;
	x->id = db_col_int(st, 0);
	x->person_id = db_col_int(st, 1);
	x->position = db_col_int(st, 5);
	x->created_at = db_col_int(st, 6);
	x->public_name = db_col_int(st, 10) != 0;
	x->erased = db_col_int(st, 11) != 0;
	x->by_org_id = db_col_int(st, 12);
	if (copy_field(x->by_org_name, sizeof(x->by_org_name), db_col_text(st, 13)) ||
	    copy_field(x->category, sizeof(x->category), db_col_text(st, 8)) ||
	    copy_field(x->person_path, sizeof(x->person_path), db_col_text(st, 9)))
		return ERR_TOO_BIG;
	return ERR_OK;
}

static int commitment_row(struct db_stmt *st, void *ud)
{
	struct session_record *r = ud;
	struct commitment *x = array_grow(&r->commitments, &r->ncommitments, sizeof(*x));
	int rc;

	if (!x || !(x->owner = db_col_dup(st, 1)) || !(x->body = db_col_dup(st, 3)))
		return ERR_NOMEM;
	x->id = db_col_int(st, 0);
	x->owner_id = db_col_int(st, 2);
	x->created_at = db_col_int(st, 6);
	rc = copy_field(x->due_date, sizeof(x->due_date), db_col_text(st, 4));
	if (!rc)
		rc = copy_field(x->status, sizeof(x->status), db_col_text(st, 5));
	return rc;
}

struct point_acc {
	struct session_point **arr;
	size_t *n;
};

static int point_row(struct db_stmt *st, void *ud)
{
	struct point_acc *acc = ud;
	struct session_point *x = array_grow(acc->arr, acc->n, sizeof(*x));

	if (!x || !(x->body = db_col_dup(st, 1)))
		return ERR_NOMEM;
	x->id = db_col_int(st, 0);
	x->by_org_id = db_col_int(st, 2);
	return copy_field(x->by_org_name, sizeof(x->by_org_name), db_col_text(st, 3));
}

int session_record_read(struct db *db, int64_t id, bool with_remarks, struct session_record *r)
{
	struct point_acc agreed = {&r->agreed, &r->nagreed};
	struct point_acc diffs = {&r->differences, &r->ndifferences};
	struct db_ids sugs = {NULL, 0};
	size_t i;
	int rc;

	session_record_release(r);
	rc = db_each(db, sql_rec_invitations, invitation_row, r, "i", id);
	if (!rc && with_remarks)
		rc = db_each(db, sql_rec_remarks, remark_row, r, "i", id);
	if (!rc)
		rc = db_each(db, sql_rec_commitments, commitment_row, r, "i", id);
	if (!rc)
		rc = db_each(db, sql_rec_points, point_row, &agreed, "is", id, "agreed");
	if (!rc)
		rc = db_each(db, sql_rec_points, point_row, &diffs, "is", id, "difference");
	/* the suggestions' ids first: each one's reading runs statements of its own */
	if (!rc)
		rc = db_each(db, sql_rec_suggestions, db_ids_row, &sugs, "i", id);
	for (i = 0; !rc && i < sugs.n; i++) {
		struct suggestion *x = array_grow(&r->suggestions, &r->nsuggestions, sizeof(*x));

		rc = x ? suggestion_read(db, sugs.ids[i], x) : ERR_NOMEM;
	}
	free(sugs.ids);
	if (rc)
		session_record_release(r);
	return rc;
}

struct my_acc {
	struct my_invitation *items;
	size_t n;
};

static int my_row(struct db_stmt *st, void *ud)
{
	struct my_acc *acc = ud;
	struct my_invitation *x = array_grow(&acc->items, &acc->n, sizeof(*x));
	int rc;

	if (!x || !(x->title = db_col_dup(st, 2)) || !(x->venue = db_col_dup(st, 4)))
		return ERR_NOMEM;
	x->id = db_col_int(st, 0);
	x->session_id = db_col_int(st, 1);
	x->starts_at = db_col_int(st, 3);
	x->attended = db_col_int(st, 8) != 0;
	rc = copy_field(x->status, sizeof(x->status), db_col_text(st, 5));
	if (!rc)
		rc = copy_field(x->role, sizeof(x->role), db_col_text(st, 6));
	if (!rc)
		rc = copy_field(x->rsvp, sizeof(x->rsvp), db_col_text(st, 7));
	return rc;
}

int my_invitations_read(struct db *db, int64_t user_id, struct my_invitation **out, size_t *n)
{
	struct my_acc acc = {NULL, 0};
	int rc = db_each(db, sql_my_invitations, my_row, &acc, "i", user_id);

	if (rc) {
		my_invitations_release(acc.items, acc.n);
		acc.items = NULL;
		acc.n = 0;
	}
	*out = acc.items;
	*n = acc.n;
	return rc;
}

void my_invitations_release(struct my_invitation *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(list[i].title);
		free(list[i].venue);
	}
	free(list);
}

/* --- shared with correction.c (correction.h) --- */

int record_person_check(struct db *db, const struct actor *who, int64_t person_id,
			const char *field, struct verr *e)
{
	return check_person(db, who, person_id, field, e);
}

int record_source_check(struct db *db, int64_t session_id, const struct source_ref *src,
			struct verr *e)
{
	return check_source(db, session_id, src, e);
}

json_t *record_suggestion_json(struct db *db, int64_t id)
{
	return suggestion_audit_json(db, id);
}
