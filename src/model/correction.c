/*
 * correction.c - corrections and deletes of a session's record (see correction.h).
 *
 * Each function reads the item as it is (for the audit row's before and for the session it
 * belongs to), asks the session whether a reason is needed, validates what changes as the
 * create does, writes, keeps what hangs off the item in step (the search index, the duty
 * credit, the suggestion sources that cite it) and writes the audit row, all in the
 * caller's transaction.
 */
#include "correction.h"
#include "room.h"
#include "valid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "db/db.h"

static bool closed(const struct session_head *h)
{
	return strcmp(h->status, "closed") == 0 || strcmp(h->status, "archived") == 0;
}

int correction_reason_check(const struct session_head *h, const char *reason, struct verr *e)
{
	bool blank = !reason || text_blank(reason, strlen(reason));

	if (blank && closed(h))
		return verr_set(e, "reason_required", "reason", "深聊会已结束，更正记录须说明理由",
				"the session is closed: a correction of its record needs a reason");
	if (!reason)
		return ERR_OK;
	return text_check(reason, "reason", 0, 500, e);
}

/* with_reason adds the reason (when given and not blank) to after, which it returns. */
static json_t *with_reason(json_t *after, const char *reason)
{
	if (after && reason && !text_blank(reason, strlen(reason)))
		json_object_set_new(after, "reason", json_string(reason));
	return after;
}

/* audit_delete writes the audit row of a delete: after is NULL, or {"reason"} when given. */
static int audit_delete(struct db *db, const struct actor *who, int64_t org_id, const char *action,
			const char *entity, int64_t id, json_t *before, const char *reason)
{
	json_t *after = reason && !text_blank(reason, strlen(reason)) ? json_object() : NULL;
	int rc;

	with_reason(after, reason);
	rc = audit_write(db, who, org_id, action, entity, id, before, after);
	json_decref(after);
	return rc;
}

static int item_session(struct db *db, enum record_kind kind, int64_t id, int64_t *session_id)
{
	/* one literal per kind: db_get_int wants its SQL as a string literal */
	switch (kind) {
	case RECORD_REMARK:
		return db_get_int(db, "SELECT session_id FROM remark WHERE id = ?", session_id, "i",
				  id);
	case RECORD_POINT:
		return db_get_int(db, "SELECT session_id FROM session_point WHERE id = ?",
				  session_id, "i", id);
	case RECORD_SUGGESTION:
		return db_get_int(db, "SELECT session_id FROM suggestion WHERE id = ?", session_id,
				  "i", id);
	case RECORD_COMMITMENT:
		return db_get_int(db, "SELECT session_id FROM commitment WHERE id = ?", session_id,
				  "i", id);
	case RECORD_INVITATION:
		return db_get_int(db, "SELECT session_id FROM invitation WHERE id = ?", session_id,
				  "i", id);
	}
	return ERR_NOT_FOUND;
}

/* item_by_org_path gives the path of the body that added item id (a text of the row). */
static int item_by_org_path(struct db *db, enum record_kind kind, int64_t id, struct db_stmt **st)
{
	switch (kind) {
	case RECORD_REMARK:
		return db_get_row(db,
				  "SELECT o.path FROM remark x JOIN org o"
				  " ON o.id = COALESCE(x.by_org_id, x.org_id) WHERE x.id = ?",
				  st, "i", id);
	case RECORD_POINT:
		return db_get_row(db,
				  "SELECT o.path FROM session_point x JOIN org o"
				  " ON o.id = COALESCE(x.by_org_id, x.org_id) WHERE x.id = ?",
				  st, "i", id);
	case RECORD_SUGGESTION:
		return db_get_row(db,
				  "SELECT o.path FROM suggestion x JOIN org o"
				  " ON o.id = COALESCE(x.by_org_id, x.org_id) WHERE x.id = ?",
				  st, "i", id);
	case RECORD_COMMITMENT:
		return db_get_row(db,
				  "SELECT o.path FROM commitment x JOIN org o"
				  " ON o.id = COALESCE(x.by_org_id, x.org_id) WHERE x.id = ?",
				  st, "i", id);
	case RECORD_INVITATION:
		return db_get_row(db,
				  "SELECT o.path FROM invitation x JOIN org o"
				  " ON o.id = COALESCE(x.by_org_id, x.org_id) WHERE x.id = ?",
				  st, "i", id);
	}
	return ERR_NOT_FOUND;
}

int record_item_authorize(struct db *db, const struct actor *a, enum record_kind kind, int64_t id,
			  enum authz_op op, struct session_head *h)
{
	struct db_stmt *st;
	int64_t sid = 0;
	bool own;
	int rc = id > 0 ? item_session(db, kind, id, &sid) : ERR_NOT_FOUND;

	if (rc)
		return rc;
	rc = session_authorize(db, a, sid, op, h);
	if (rc != ERR_FORBIDDEN || op != AUTHZ_WRITE || !session_joint_editor(db, a, h))
		return rc;
	/* a linked body corrects what it added, the host everything */
	rc = item_by_org_path(db, kind, id, &st);
	if (rc)
		return rc == ERR_NOT_FOUND ? ERR_FORBIDDEN : rc;
	own = org_path_within(db_col_text(st, 0), scope_path(a));
	db_done(st);
	return own ? ERR_OK : ERR_FORBIDDEN;
}

/* head_of reads the session of an item into h and checks the reason it asks for. */
static int head_of(struct db *db, int64_t session_id, const char *reason, struct session_head *h,
		   struct verr *e)
{
	int rc = session_head(db, session_id, h);

	return rc ? rc : correction_reason_check(h, reason, e);
}

/* --- remarks --- */

static const char sql_remark_get[] = "SELECT session_id, COALESCE(person_id, 0), role, body,"
				     " erased FROM remark WHERE id = ?";
static const char sql_remark_set[] = "UPDATE remark SET person_id = ?, role = ?, body = ?,"
				     " updated_at = ? WHERE id = ?";

struct remark_row {
	int64_t session_id, person_id;
	char *role, *body;
	bool erased;
};

static int remark_load(struct db *db, int64_t id, struct remark_row *r)
{
	struct db_stmt *st;
	int rc = db_get_row(db, sql_remark_get, &st, "i", id);

	memset(r, 0, sizeof(*r));
	if (rc)
		return rc;
	r->session_id = db_col_int(st, 0);
	r->person_id = db_col_int(st, 1);
	r->role = db_col_dup(st, 2);
	r->body = db_col_dup(st, 3);
	r->erased = db_col_int(st, 4) != 0;
	db_done(st);
	return r->role && r->body ? ERR_OK : ERR_NOMEM;
}

static void remark_row_free(struct remark_row *r)
{
	free(r->role);
	free(r->body);
}

static json_t *remark_json(const struct remark_row *r)
{
	return json_pack("{sI sI ss ss}", "session_id", (json_int_t)r->session_id, "person_id",
			 (json_int_t)r->person_id, "role", r->role, "body", r->body);
}

static int erased_conflict(struct verr *e)
{
	verr_set(e, "erased", "id", "发言人的个人信息已删除，不能修改",
		 "the speaker was erased: the item cannot be changed");
	return ERR_CONFLICT;
}

int remark_update(struct db *db, const struct actor *who, int64_t id,
		  const struct remark_change *in, struct verr *e)
{
	struct remark_row r;
	struct session_head h;
	int64_t person, now = time_now();
	const char *role, *body;
	json_t *b = NULL, *a = NULL;
	int rc = remark_load(db, id, &r);

	if (!rc)
		rc = head_of(db, r.session_id, in->reason, &h, e);
	if (!rc && r.erased)
		rc = erased_conflict(e);
	if (rc)
		goto out;
	person = in->person_id > 0 ? in->person_id : r.person_id;
	role = in->role ? in->role : r.role;
	body = in->body ? in->body : r.body;
	if (in->body && text_blank(in->body, strlen(in->body)))
		rc = verr_set(e, "required", "body", "请填写发言内容", "body is required");
	if (!rc)
		rc = text_check(body, "body", 1, 50000, e);
	if (!rc)
		rc = text_check(role, "role", 0, 50, e);
	if (!rc && person != r.person_id)
		rc = record_person_check(db, who, person, "person_id", e);
	if (!rc)
		rc = db_exec(db, sql_remark_set, "issii", person, role, body, now, id);
	if (!rc)
		rc = search_put(db, "remark", id, r.session_id, h.org_id, "", body);
	if (!rc && person != r.person_id) {
		/* the credit for the remark follows its speaker */
		if (r.person_id > 0)
			rc = duty_revoke(db, r.person_id, "remark", id);
		if (!rc)
			rc = duty_credit(db, h.org_id, person, "remark", r.session_id, id,
					 h.starts_at ? h.starts_at : now);
	}
	if (rc)
		goto out;
	b = remark_json(&r);
	a = with_reason(json_pack("{sI sI ss ss}", "session_id", (json_int_t)r.session_id,
				  "person_id", (json_int_t)person, "role", role, "body", body),
			in->reason);
	rc = audit_write(db, who, h.org_id, "remark.update", "remark", id, b, a);
out:
	json_decref(b);
	json_decref(a);
	remark_row_free(&r);
	return rc;
}

int remark_delete(struct db *db, const struct actor *who, int64_t id, const char *reason,
		  struct verr *e)
{
	struct remark_row r;
	struct session_head h;
	json_t *b = NULL;
	int rc = remark_load(db, id, &r);

	if (!rc)
		rc = head_of(db, r.session_id, reason, &h, e);
	/* what cites it or counts it goes with it */
	if (!rc)
		rc = db_exec(
		    db, "DELETE FROM suggestion_source WHERE kind = 'remark' AND source_id = ?",
		    "i", id);
	if (!rc)
		rc = search_drop(db, "remark", id);
	if (!rc && r.person_id > 0)
		rc = duty_revoke(db, r.person_id, "remark", id);
	if (!rc)
		rc = db_exec(db, "DELETE FROM remark WHERE id = ?", "i", id);
	if (!rc) {
		b = remark_json(&r);
		rc = audit_delete(db, who, h.org_id, "remark.delete", "remark", id, b, reason);
	}
	json_decref(b);
	remark_row_free(&r);
	return rc;
}

/* --- agreed points and differences --- */

static const char sql_point_get[] = "SELECT session_id, kind, body FROM session_point WHERE id = ?";

struct point_row {
	int64_t session_id;
	char kind[16];
	char *body;
};

static int point_load(struct db *db, int64_t id, struct point_row *p)
{
	struct db_stmt *st;
	int rc = db_get_row(db, sql_point_get, &st, "i", id);

	memset(p, 0, sizeof(*p));
	if (rc)
		return rc;
	p->session_id = db_col_int(st, 0);
	rc = copy_field(p->kind, sizeof(p->kind), db_col_text(st, 1));
	p->body = db_col_dup(st, 2);
	db_done(st);
	return rc ? rc : p->body ? ERR_OK : ERR_NOMEM;
}

int point_update(struct db *db, const struct actor *who, int64_t id, const struct point_change *in,
		 struct verr *e)
{
	struct point_row p;
	struct session_head h;
	const char *kind, *body;
	json_t *b = NULL, *a = NULL;
	int rc = point_load(db, id, &p);

	if (!rc)
		rc = head_of(db, p.session_id, in->reason, &h, e);
	if (rc)
		goto out;
	kind = in->kind ? in->kind : p.kind;
	body = in->body ? in->body : p.body;
	if (strcmp(kind, "agreed") != 0 && strcmp(kind, "difference") != 0)
		rc = verr_set(e, "invalid", "kind", "类型须为 agreed（共识）或 difference（分歧）",
			      "kind must be agreed or difference");
	if (!rc && text_blank(body, strlen(body)))
		rc = verr_set(e, "required", "body", "请填写内容", "body is required");
	if (!rc)
		rc = text_check(body, "body", 1, 5000, e);
	if (!rc)
		rc = db_exec(db, "UPDATE session_point SET kind = ?, body = ? WHERE id = ?", "ssi",
			     kind, body, id);
	if (rc)
		goto out;
	b = json_pack("{sI ss ss}", "session_id", (json_int_t)p.session_id, "kind", p.kind, "body",
		      p.body);
	a = with_reason(json_pack("{sI ss ss}", "session_id", (json_int_t)p.session_id, "kind",
				  kind, "body", body),
			in->reason);
	rc = audit_write(db, who, h.org_id, "point.update", "session_point", id, b, a);
out:
	json_decref(b);
	json_decref(a);
	free(p.body);
	return rc;
}

int point_delete(struct db *db, const struct actor *who, int64_t id, const char *reason,
		 struct verr *e)
{
	struct point_row p;
	struct session_head h;
	json_t *b = NULL;
	int rc = point_load(db, id, &p);

	if (!rc)
		rc = head_of(db, p.session_id, reason, &h, e);
	if (!rc)
		rc = db_exec(db, "DELETE FROM session_point WHERE id = ?", "i", id);
	if (!rc) {
		b = json_pack("{sI ss ss}", "session_id", (json_int_t)p.session_id, "kind", p.kind,
			      "body", p.body);
		rc =
		    audit_delete(db, who, h.org_id, "point.delete", "session_point", id, b, reason);
	}
	json_decref(b);
	free(p.body);
	return rc;
}

/* --- suggestions --- */

static const char sql_sug_get[] = "SELECT session_id, title, body FROM suggestion WHERE id = ?";

int suggestion_update(struct db *db, const struct actor *who, int64_t id,
		      const struct suggestion_change *in, struct verr *e)
{
	struct session_head h;
	struct db_stmt *st;
	int64_t sid = 0;
	char *title = NULL, *body = NULL;
	const char *t, *bd;
	json_t *b = NULL, *a = NULL;
	size_t i;
	int rc = db_get_row(db, sql_sug_get, &st, "i", id);

	if (rc)
		return rc;
	sid = db_col_int(st, 0);
	title = db_col_dup(st, 1);
	body = db_col_dup(st, 2);
	db_done(st);
	rc = title && body ? ERR_OK : ERR_NOMEM;
	if (!rc)
		rc = head_of(db, sid, in->reason, &h, e);
	if (rc)
		goto out;
	t = in->title ? in->title : title;
	bd = in->body ? in->body : body;
	if (text_blank(t, strlen(t)))
		rc = verr_set(e, "required", "title", "请填写建议标题", "title is required");
	if (!rc)
		rc = text_check(t, "title", 1, 200, e);
	if (!rc)
		rc = text_check(bd, "body", 0, 20000, e);
	for (i = 0; !rc && in->set_proposers && i < in->nproposers; i++)
		rc = record_person_check(db, who, in->proposers[i], "proposer_ids", e);
	for (i = 0; !rc && in->set_sources && i < in->nsources; i++)
		rc = record_source_check(db, sid, &in->sources[i], e);
	if (rc)
		goto out;
	b = record_suggestion_json(db, id);
	rc = db_exec(db, "UPDATE suggestion SET title = ?, body = ?, updated_at = ? WHERE id = ?",
		     "ssii", t, bd, time_now(), id);
	if (!rc && in->set_proposers)
		rc =
		    db_exec(db, "DELETE FROM suggestion_proposer WHERE suggestion_id = ?", "i", id);
	for (i = 0; !rc && in->set_proposers && i < in->nproposers; i++) {
		rc = db_exec(db,
			     "INSERT INTO suggestion_proposer (suggestion_id, person_id)"
			     " VALUES (?, ?)",
			     "ii", id, in->proposers[i]);
		if (rc == ERR_CONFLICT)
			rc = ERR_OK; /* named twice */
	}
	if (!rc && in->set_sources)
		rc = db_exec(db, "DELETE FROM suggestion_source WHERE suggestion_id = ?", "i", id);
	for (i = 0; !rc && in->set_sources && i < in->nsources; i++) {
		rc = db_exec(db,
			     "INSERT INTO suggestion_source (suggestion_id, kind, source_id)"
			     " VALUES (?, ?, ?)",
			     "isi", id, in->sources[i].kind, in->sources[i].id);
		if (rc == ERR_CONFLICT)
			rc = ERR_OK;
	}
	if (!rc)
		rc = search_put(db, "suggestion", id, sid, h.org_id, t, bd);
	if (rc)
		goto out;
	a = with_reason(record_suggestion_json(db, id), in->reason);
	rc = audit_write(db, who, h.org_id, "suggestion.update", "suggestion", id, b, a);
out:
	json_decref(b);
	json_decref(a);
	free(title);
	free(body);
	return rc;
}

int suggestion_delete(struct db *db, const struct actor *who, int64_t id, const char *reason,
		      struct verr *e)
{
	struct session_head h;
	int64_t sid = 0, output = 0;
	json_t *b = NULL;
	int rc = db_get_int(db, "SELECT session_id FROM suggestion WHERE id = ?", &sid, "i", id);

	if (!rc)
		rc = head_of(db, sid, reason, &h, e);
	if (rc)
		return rc;
	/* an output made from it keeps its link: the suggestion stays while it is in use */
	rc = db_get_int(db,
			"SELECT output_id FROM output_suggestion WHERE suggestion_id = ?"
			" ORDER BY output_id LIMIT 1",
			&output, "i", id);
	if (rc == ERR_OK) {
		verr_set(e, "in_use", "output_id", "成果 %lld 由此建议形成，不能删除",
			 "output %lld was made from this suggestion: it cannot be deleted",
			 (long long)output);
		return ERR_CONFLICT;
	}
	if (rc != ERR_NOT_FOUND)
		return rc;
	b = record_suggestion_json(db, id);
	rc = search_drop(db, "suggestion", id);
	if (!rc) /* proposers and sources go with it (ON DELETE CASCADE) */
		rc = db_exec(db, "DELETE FROM suggestion WHERE id = ?", "i", id);
	if (!rc)
		rc = audit_delete(db, who, h.org_id, "suggestion.delete", "suggestion", id, b,
				  reason);
	json_decref(b);
	return rc;
}

/* --- commitments --- */

static const char sql_commit_get[] =
    "SELECT session_id, owner, COALESCE(owner_id, 0), body, COALESCE(due_date, ''), status"
    " FROM commitment WHERE id = ?";
static const char sql_commit_set[] =
    "UPDATE commitment SET owner = ?, owner_id = NULLIF(?, 0), body = ?, due_date = NULLIF(?, ''),"
    " status = ?, updated_at = ? WHERE id = ?";

struct commitment_row {
	int64_t session_id, owner_id;
	char *owner, *body;
	char due_date[16], status[16];
};

static int commitment_load(struct db *db, int64_t id, struct commitment_row *c)
{
	struct db_stmt *st;
	int rc = db_get_row(db, sql_commit_get, &st, "i", id);

	memset(c, 0, sizeof(*c));
	if (rc)
		return rc;
	c->session_id = db_col_int(st, 0);
	c->owner = db_col_dup(st, 1);
	c->owner_id = db_col_int(st, 2);
	c->body = db_col_dup(st, 3);
	rc = copy_field(c->due_date, sizeof(c->due_date), db_col_text(st, 4));
	if (!rc)
		rc = copy_field(c->status, sizeof(c->status), db_col_text(st, 5));
	db_done(st);
	return rc ? rc : c->owner && c->body ? ERR_OK : ERR_NOMEM;
}

static json_t *commitment_json(int64_t session_id, const char *owner, int64_t owner_id,
			       const char *body, const char *due_date, const char *status)
{
	return json_pack("{sI ss sI ss ss ss}", "session_id", (json_int_t)session_id, "owner",
			 owner, "owner_id", (json_int_t)owner_id, "body", body, "due_date",
			 due_date, "status", status);
}

int commitment_update(struct db *db, const struct actor *who, int64_t id,
		      const struct commitment_change *in, struct verr *e)
{
	static const char *const ok[] = {"open", "in_progress", "done", "dropped"};
	struct commitment_row c;
	struct session_head h;
	int64_t owner_id, t;
	const char *owner, *body, *due, *status;
	bool record = in->owner || in->body || in->due_date || in->owner_id >= 0;
	json_t *b = NULL, *a = NULL;
	size_t i;
	int rc = commitment_load(db, id, &c);

	if (!rc)
		rc = session_head(db, c.session_id, &h);
	/* the follow-up (the status alone) goes on after the session closed */
	if (!rc && (record || in->reason))
		rc = record ? correction_reason_check(&h, in->reason, e)
			    : text_check(in->reason, "reason", 0, 500, e);
	if (rc)
		goto out;
	owner = in->owner ? in->owner : c.owner;
	owner_id = in->owner_id >= 0 ? in->owner_id : c.owner_id;
	body = in->body ? in->body : c.body;
	due = in->due_date ? in->due_date : c.due_date;
	status = in->status ? in->status : c.status;
	for (i = 0; i < ARRAY_LEN(ok); i++)
		if (strcmp(status, ok[i]) == 0)
			break;
	if (i == ARRAY_LEN(ok))
		rc = verr_set(e, "invalid", "status", "状态须为 open、in_progress、done 或 dropped",
			      "status must be open, in_progress, done or dropped");
	if (!rc && in->owner && !*in->owner)
		owner = h.department; /* as on create: the department by default */
	if (!rc)
		rc = text_check(owner, "owner", 1, 200, e);
	if (!rc && text_blank(body, strlen(body)))
		rc = verr_set(e, "required", "body", "请填写承诺内容", "body is required");
	if (!rc)
		rc = text_check(body, "body", 1, 5000, e);
	if (!rc && *due && (strlen(due) != 10 || time_parse(due, &t)))
		rc = verr_set(e, "invalid", "due_date", "完成期限须为 YYYY-MM-DD 格式的日期",
			      "due_date must be a date YYYY-MM-DD");
	if (!rc && owner_id > 0 && owner_id != c.owner_id)
		rc = record_person_check(db, who, owner_id, "owner_id", e);
	if (!rc)
		rc = db_exec(db, sql_commit_set, "sisssii", owner, owner_id, body, due, status,
			     time_now(), id);
	if (rc)
		goto out;
	b = commitment_json(c.session_id, c.owner, c.owner_id, c.body, c.due_date, c.status);
	a = with_reason(commitment_json(c.session_id, owner, owner_id, body, due, status),
			in->reason);
	rc = audit_write(db, who, h.org_id, "commitment.update", "commitment", id, b, a);
out:
	json_decref(b);
	json_decref(a);
	free(c.owner);
	free(c.body);
	return rc;
}

int commitment_delete(struct db *db, const struct actor *who, int64_t id, const char *reason,
		      struct verr *e)
{
	struct commitment_row c;
	struct session_head h;
	json_t *b = NULL;
	int rc = commitment_load(db, id, &c);

	if (!rc)
		rc = head_of(db, c.session_id, reason, &h, e);
	if (!rc)
		rc = db_exec(db, "DELETE FROM commitment WHERE id = ?", "i", id);
	if (!rc) {
		b = commitment_json(c.session_id, c.owner, c.owner_id, c.body, c.due_date,
				    c.status);
		rc = audit_delete(db, who, h.org_id, "commitment.delete", "commitment", id, b,
				  reason);
	}
	json_decref(b);
	free(c.owner);
	free(c.body);
	return rc;
}

/* --- invitations --- */

static const char sql_inv_get[] = "SELECT session_id, person_id, role, rsvp, attended"
				  " FROM invitation WHERE id = ?";

struct invitation_row {
	int64_t session_id, person_id;
	char role[16], rsvp[16];
	bool attended;
};

static int invitation_load(struct db *db, int64_t id, struct invitation_row *v)
{
	struct db_stmt *st;
	int rc = db_get_row(db, sql_inv_get, &st, "i", id);

	memset(v, 0, sizeof(*v));
	if (rc)
		return rc;
	v->session_id = db_col_int(st, 0);
	v->person_id = db_col_int(st, 1);
	rc = copy_field(v->role, sizeof(v->role), db_col_text(st, 2));
	if (!rc)
		rc = copy_field(v->rsvp, sizeof(v->rsvp), db_col_text(st, 3));
	v->attended = db_col_int(st, 4) != 0;
	db_done(st);
	return rc;
}

static json_t *invitation_json(const struct invitation_row *v)
{
	return json_pack("{sI sI ss ss sb}", "session_id", (json_int_t)v->session_id, "person_id",
			 (json_int_t)v->person_id, "role", v->role, "rsvp", v->rsvp, "attended",
			 v->attended);
}

int invitation_update(struct db *db, const struct actor *who, int64_t id,
		      const struct invitation_change *in, struct verr *e)
{
	static const char *const roles[] = {"host",   "speaker",  "expert",
					    "member", "official", "observer"};
	struct invitation_row v, n;
	struct session_head h;
	json_t *b = NULL, *a = NULL;
	size_t i;
	int rc = invitation_load(db, id, &v);

	if (!rc)
		rc = head_of(db, v.session_id, in->reason, &h, e);
	if (rc)
		return rc;
	n = v;
	if (in->role) {
		for (i = 0; i < ARRAY_LEN(roles); i++)
			if (strcmp(in->role, roles[i]) == 0)
				break;
		if (i == ARRAY_LEN(roles))
			return verr_set(
			    e, "invalid", "role",
			    "角色须为 host、speaker、expert、member、official 或 observer",
			    "role must be host, speaker, expert, member, official or observer");
		snprintf(n.role, sizeof(n.role), "%s", in->role);
	}
	if (in->attended >= 0)
		n.attended = in->attended != 0;
	if (n.attended && !v.attended && strcmp(n.rsvp, "pending") == 0)
		snprintf(n.rsvp, sizeof(n.rsvp), "accepted"); /* as attendance does */
	rc = db_exec(db, "UPDATE invitation SET role = ?, rsvp = ?, attended = ? WHERE id = ?",
		     "ssni", n.role, n.rsvp, (int)n.attended, id);
	if (!rc && n.attended != v.attended)
		rc = n.attended ? duty_credit(db, h.org_id, v.person_id, "attended", v.session_id,
					      id, h.starts_at ? h.starts_at : time_now())
				: duty_revoke(db, v.person_id, "attended", id);
	if (rc)
		return rc;
	b = invitation_json(&v);
	a = with_reason(invitation_json(&n), in->reason);
	rc = audit_write(db, who, h.org_id, "invitation.update", "invitation", id, b, a);
	json_decref(b);
	json_decref(a);
	return rc;
}

int invitation_delete(struct db *db, const struct actor *who, int64_t id, const char *reason,
		      struct verr *e)
{
	struct invitation_row v;
	struct session_head h;
	json_t *b;
	int rc = invitation_load(db, id, &v);

	if (!rc)
		rc = head_of(db, v.session_id, reason, &h, e);
	if (!rc)
		rc = duty_revoke(db, v.person_id, "attended", id);
	if (!rc)
		rc = db_exec(db, "DELETE FROM invitation WHERE id = ?", "i", id);
	if (rc)
		return rc;
	b = invitation_json(&v);
	rc = audit_delete(db, who, h.org_id, "invitation.delete", "invitation", id, b, reason);
	json_decref(b);
	return rc;
}

/* --- statements of the opinion room --- */

static const char sql_st_get[] = "SELECT session_id, text, status, erased, (SELECT"
				 " COUNT(*) FROM vote v WHERE v.statement_id = s.id)"
				 " FROM statement s WHERE id = ?";

struct statement_row {
	int64_t session_id, votes;
	char *text;
	char status[12];
	bool erased;
};

static int statement_load(struct db *db, int64_t id, struct statement_row *s)
{
	struct db_stmt *st;
	int rc = db_get_row(db, sql_st_get, &st, "i", id);

	memset(s, 0, sizeof(*s));
	if (rc)
		return rc;
	s->session_id = db_col_int(st, 0);
	s->text = db_col_dup(st, 1);
	rc = copy_field(s->status, sizeof(s->status), db_col_text(st, 2));
	s->erased = db_col_int(st, 3) != 0;
	s->votes = db_col_int(st, 4);
	db_done(st);
	return rc ? rc : s->text ? ERR_OK : ERR_NOMEM;
}

int statement_edit(struct db *db, const struct actor *who, int64_t id, const char *text,
		   const char *reason, struct verr *e)
{
	struct statement_row s;
	struct session_head h;
	int64_t other;
	json_t *b = NULL, *a = NULL;
	int rc = statement_load(db, id, &s);

	if (!rc)
		rc = head_of(db, s.session_id, reason, &h, e);
	if (!rc && s.erased)
		rc = erased_conflict(e);
	if (!rc && (!text || text_blank(text, strlen(text))))
		rc = verr_set(e, "required", "text", "请写下观点", "text is required");
	if (!rc)
		rc = text_check(text, "text", 1, 280, e);
	if (rc)
		goto out;
	rc =
	    db_get_int(db, "SELECT id FROM statement WHERE session_id = ? AND text = ? AND id <> ?",
		       &other, "isi", s.session_id, text, id);
	if (rc == ERR_OK) {
		verr_set(e, "conflict", "text", "已有相同的观点", "the same statement exists");
		rc = ERR_CONFLICT;
		goto out;
	}
	if (rc != ERR_NOT_FOUND)
		goto out;
	rc = db_exec(db, "UPDATE statement SET text = ? WHERE id = ?", "si", text, id);
	if (!rc) /* searched by its new text */
		rc = statement_index(db, id);
	if (rc)
		goto out;
	b = json_pack("{sI ss}", "session_id", (json_int_t)s.session_id, "text", s.text);
	a = with_reason(json_pack("{sI ss}", "session_id", (json_int_t)s.session_id, "text", text),
			reason);
	rc = audit_write(db, who, h.org_id, "statement.update", "statement", id, b, a);
out:
	json_decref(b);
	json_decref(a);
	free(s.text);
	return rc;
}

int statement_delete(struct db *db, const struct actor *who, int64_t id, const char *reason,
		     struct verr *e)
{
	struct statement_row s;
	struct session_head h;
	json_t *b = NULL;
	int rc = statement_load(db, id, &s);

	if (!rc)
		rc = head_of(db, s.session_id, reason, &h, e);
	if (!rc)
		rc = db_exec(db,
			     "DELETE FROM suggestion_source WHERE kind = 'statement'"
			     " AND source_id = ?",
			     "i", id);
	if (!rc) /* a no-op while statements are not indexed */
		rc = search_drop(db, "statement", id);
	/* its votes and tallies go with it (ON DELETE CASCADE) */
	if (!rc)
		rc = db_exec(db, "DELETE FROM statement WHERE id = ?", "i", id);
	/* the stored map counted its votes: the one made next, from fewer votes, must be let
	 * in (the store keeps a map made from fewer votes than its own out, live.c) */
	if (!rc)
		rc = db_exec(db,
			     "UPDATE opinion_snapshot SET n_votes = (SELECT COUNT(*) FROM vote"
			     " WHERE session_id = ?1) WHERE session_id = ?1",
			     "i", s.session_id);
	if (!rc) {
		b = json_pack("{sI ss ss sI}", "session_id", (json_int_t)s.session_id, "text",
			      s.text, "status", s.status, "votes", (json_int_t)s.votes);
		rc =
		    audit_delete(db, who, h.org_id, "statement.delete", "statement", id, b, reason);
	}
	json_decref(b);
	free(s.text);
	return rc;
}
