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
    "SELECT h.id, h.org_id, h.name, o.path, h.disabled_at IS NOT NULL,"
    " COALESCE(h.merged_into, 0) FROM handler h JOIN org o ON o.id = h.org_id"
    " WHERE substr(o.path, 1, length(?1)) = ?1 OR instr(?1, '/' || o.id || '/') > 0"
    " ORDER BY h.name LIMIT 1000";

static const char sql_handler_get[] =
    "SELECT h.id, h.org_id, h.name, o.path, h.disabled_at IS NOT NULL,"
    " COALESCE(h.merged_into, 0) FROM handler h JOIN org o ON o.id = h.org_id"
    " WHERE h.id = ?";
static const char sql_handler_by_name[] =
    "SELECT h.id FROM handler h JOIN org o ON o.id = h.org_id"
    " WHERE (substr(o.path, 1, length(?1)) = ?1 OR instr(?1, '/' || o.id || '/') > 0)"
    " AND h.name = ?2 ORDER BY h.disabled_at IS NOT NULL, h.id LIMIT 1";

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
	out->disabled = db_col_int(st, 4) != 0;
	out->merged_into = db_col_int(st, 5);
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
	h->disabled = db_col_int(st, 4) != 0;
	h->merged_into = db_col_int(st, 5);
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

/* --- managing units by id --- */

int handler_authorize(struct db *db, const struct actor *a, int64_t id, enum authz_op op,
		      struct handler *out)
{
	struct handler h;
	bool visible, allowed;
	int rc = id > 0 ? handler_get(db, id, &h) : ERR_NOT_FOUND;

	if (rc == ERR_NOT_FOUND)
		return authz_decide(a, false, false);
	if (rc)
		return rc;
	if (out)
		*out = h;
	if (a->via == AUTH_SYSTEM)
		return ERR_OK;
	visible = a->via != AUTH_NONE &&
		  (a->user.handler_id == h.id || (!a->user.handler_id && a->org.path[0] &&
						  (org_path_within(h.org_path, a->org.path) ||
						   org_path_within(a->org.path, h.org_path))));
	allowed = op == AUTHZ_READ ? visible
				   : visible && !a->user.handler_id && a->role >= ROLE_ORGANIZER &&
					 org_path_within(h.org_path, a->org.path);
	return authz_decide(a, visible, allowed);
}

static const char sql_handler_rename[] = "UPDATE handler SET name = ? WHERE id = ?";
static const char sql_handler_disable[] =
    "UPDATE handler SET disabled_at = CASE WHEN ?1 != 0 THEN COALESCE(disabled_at, ?2) END"
    " WHERE id = ?3";

static json_t *handler_audit_json(const struct handler *h)
{
	return json_pack("{ss sb sI}", "name", h->name, "disabled", h->disabled, "merged_into",
			 (json_int_t)h->merged_into);
}

int handler_update(struct db *db, const struct actor *who, const struct handler *h,
		   const char *name, int disabled, struct verr *e)
{
	struct handler now;
	json_t *b, *a;
	int rc = ERR_OK;

	if (name)
		rc = text_check(name, "name", 1, 100, e);
	if (!rc && disabled == 0 && h->merged_into)
		return verr_set(e, "merged", "disabled", "已合并的承办单位不能再启用",
				"a merged handling unit cannot be enabled again"),
		       ERR_CONFLICT;
	if (!rc && name && strcmp(name, h->name) != 0)
		rc = db_exec(db, sql_handler_rename, "si", name, h->id);
	if (rc == ERR_CONFLICT)
		return verr_set(e, "conflict", "name", "承办单位“%s”已存在",
				"handling unit %s exists already", name),
		       ERR_CONFLICT;
	if (!rc && disabled >= 0)
		rc = db_exec(db, sql_handler_disable, "nii", disabled, time_now(), h->id);
	if (!rc)
		rc = handler_get(db, h->id, &now);
	if (rc)
		return rc;
	b = handler_audit_json(h);
	a = handler_audit_json(&now);
	rc = audit_write(db, who, h->org_id, "handler.update", "handler", h->id, b, a);
	json_decref(b);
	json_decref(a);
	return rc;
}

/* where both units were assigned to one output, the row of into (?2) keeps the lead role
 * and the opinion of the merged unit (?1) */
static const char sql_merge_lead[] =
    "UPDATE output_handler SET role = 'lead' WHERE handler_id = ?2 AND role = 'co'"
    " AND output_id IN (SELECT output_id FROM output_handler WHERE handler_id = ?1"
    " AND role = 'lead')";
static const char sql_merge_opinion[] =
    "UPDATE output_handler SET"
    " opinion = (SELECT m.opinion FROM output_handler m WHERE m.handler_id = ?1"
    "  AND m.output_id = output_handler.output_id),"
    " opinion_at = (SELECT m.opinion_at FROM output_handler m WHERE m.handler_id = ?1"
    "  AND m.output_id = output_handler.output_id)"
    " WHERE handler_id = ?2 AND opinion IS NULL AND output_id IN (SELECT output_id"
    " FROM output_handler WHERE handler_id = ?1 AND opinion IS NOT NULL)";
static const char sql_merge_drop[] =
    "DELETE FROM output_handler WHERE handler_id = ?1 AND output_id IN"
    " (SELECT output_id FROM output_handler WHERE handler_id = ?2)";
static const char sql_merge_move[] = "UPDATE output_handler SET handler_id = ?2"
				     " WHERE handler_id = ?1";
static const char sql_merge_accounts[] = "UPDATE users SET handler_id = ?2 WHERE handler_id = ?1";
static const char sql_merge_done[] = "UPDATE handler SET merged_into = ?2,"
				     " disabled_at = COALESCE(disabled_at, ?3) WHERE id = ?1";

int handler_merge(struct db *db, const struct actor *who, const struct handler *h, int64_t into_id,
		  struct verr *e)
{
	struct handler into;
	int64_t shared = 0, moved = 0, accounts = 0;
	json_t *b, *a;
	int rc;

	if (h->merged_into)
		return verr_set(e, "merged", "into_id", "该承办单位已合并",
				"this handling unit has been merged already"),
		       ERR_CONFLICT;
	if (into_id == h->id)
		return verr_set(e, "invalid", "into_id", "不能合并到自身",
				"a unit cannot be merged into itself");
	rc = handler_authorize(db, who, into_id, AUTHZ_WRITE, &into);
	if (rc == ERR_NOT_FOUND || rc == ERR_FORBIDDEN || rc == ERR_AUTH)
		return verr_set(e, "invalid", "into_id", "承办单位 %lld 不存在",
				"handling unit %lld does not exist", (long long)into_id);
	if (rc)
		return rc;
	if (into.disabled)
		return verr_set(e, "disabled", "into_id", "不能合并到已停用的承办单位“%s”",
				"cannot merge into the disabled handling unit %s", into.name),
		       ERR_CONFLICT;
	rc = db_exec(db, sql_merge_lead, "ii", h->id, into.id);
	if (!rc)
		rc = db_exec(db, sql_merge_opinion, "ii", h->id, into.id);
	if (!rc)
		rc = db_exec(db, sql_merge_drop, "ii", h->id, into.id);
	if (!rc)
		shared = db_changes(db);
	if (!rc)
		rc = db_exec(db, sql_merge_move, "ii", h->id, into.id);
	if (!rc)
		moved = db_changes(db);
	if (!rc)
		rc = db_exec(db, sql_merge_accounts, "ii", h->id, into.id);
	if (!rc)
		accounts = db_changes(db);
	if (!rc)
		rc = db_exec(db, sql_merge_done, "iii", h->id, into.id, time_now());
	if (rc)
		return rc;
	b = handler_audit_json(h);
	a = json_pack("{ss sb sI sI sI sI}", "name", h->name, "disabled", 1, "merged_into",
		      (json_int_t)into.id, "assignments_moved", (json_int_t)(moved + shared),
		      "assignments_shared", (json_int_t)shared, "accounts_moved",
		      (json_int_t)accounts);
	rc = audit_write(db, who, h->org_id, "handler.merge", "handler", h->id, b, a);
	json_decref(b);
	json_decref(a);
	return rc;
}

/* --- the queue --- */

/* overdue (0/1), due, id: the keys of the order; ?3 = 0 is the first page; no due date
 * sorts as ?8 = 0 (bound, not written: the time is a timestamptz on PostgreSQL) */
static const char sql_queue[] =
    "SELECT id, kind, title, state, role, due, assigned_at, replied_at, grade, ov FROM ("
    " SELECT o.id AS id, o.kind AS kind, o.title AS title, o.state AS state, oh.role AS role,"
    "  COALESCE(o.reply_due, ?8) AS due, o.assigned_at AS assigned_at,"
    "  o.replied_at AS replied_at, COALESCE(o.reply_grade, '') AS grade,"
    "  CASE WHEN o.state = 'assigned' AND o.reply_due IS NOT NULL AND o.reply_due < ?2"
    "   THEN 1 ELSE 0 END AS ov"
    " FROM output_handler oh JOIN output o ON o.id = oh.output_id WHERE oh.handler_id = ?1) q"
    " WHERE ?3 = 0 OR ov < ?4 OR (ov = ?4 AND (due > ?5 OR (due = ?5 AND id > ?6)))"
    " ORDER BY ov DESC, due, id LIMIT ?7";
static const char sql_queue_units[] =
    "SELECT oh.handler_id, h.name, oh.role, COALESCE(oh.opinion, ''),"
    " oh.opinion_at, oh.opinion IS NOT NULL FROM output_handler oh"
    " JOIN handler h ON h.id = oh.handler_id WHERE oh.output_id = ?"
    " ORDER BY oh.role = 'co', h.id";

static int queue_row(struct db_stmt *st, void *ud)
{
	struct assignment_list *l = ud;
	struct assignment *x = array_grow(&l->items, &l->n, sizeof(*x));
	int rc = ERR_OK;

	if (!x)
		return ERR_NOMEM;
	x->output_id = db_col_int(st, 0);
	if (copy_field(x->kind, sizeof(x->kind), db_col_text(st, 1)) ||
	    copy_field(x->state, sizeof(x->state), db_col_text(st, 3)) ||
	    copy_field(x->role, sizeof(x->role), db_col_text(st, 4)))
		rc = ERR_TOO_BIG;
	x->title = db_col_dup_rc(st, 2, &rc);
	x->reply_due = db_col_int(st, 5);
	x->assigned_at = db_col_int(st, 6);
	x->replied_at = db_col_int(st, 7);
	x->reply_grade = db_col_dup_rc(st, 8, &rc);
	x->overdue = db_col_int(st, 9) != 0;
	x->replied = strcmp(x->state, "assigned") != 0 && x->replied_at != 0;
	return rc;
}

static int queue_unit_row(struct db_stmt *st, void *ud)
{
	struct assignment *x = ud;
	struct assignment_opinion *p;
	int rc = ERR_OK;

	if (strcmp(db_col_text(st, 2), "lead") == 0) {
		x->lead_id = db_col_int(st, 0);
		free(x->lead_name);
		x->lead_name = db_col_dup_rc(st, 1, &rc);
		return rc;
	}
	if (!db_col_int(st, 5))
		return ERR_OK; /* a co unit without an opinion yet */
	p = realloc(x->opinions, (x->nopinions + 1) * sizeof(*p));
	if (!p)
		return ERR_NOMEM;
	x->opinions = p;
	p = &x->opinions[x->nopinions++];
	p->handler_id = db_col_int(st, 0);
	p->name = db_col_dup_rc(st, 1, &rc);
	p->text = db_col_dup_rc(st, 3, &rc);
	p->at = db_col_int(st, 4);
	return rc;
}

int assignment_list(struct db *db, const struct actor *a, const struct assignment_key *after,
		    int limit, struct assignment_list *l)
{
	size_t i;
	int rc;

	memset(l, 0, sizeof(*l));
	if (!a->user.handler_id || a->via == AUTH_NONE)
		return ERR_OK;
	rc = db_each(db, sql_queue, queue_row, l, "iinniini", a->user.handler_id, time_now(),
		     (int)after->set, after->overdue, after->due, after->id, limit, (int64_t)0);
	for (i = 0; !rc && i < l->n; i++)
		rc = db_each(db, sql_queue_units, queue_unit_row, &l->items[i], "i",
			     l->items[i].output_id);
	for (i = 0; !rc && i < l->n; i++)
		if (!l->items[i].lead_name)
			l->items[i].lead_name = strdup("");
	return rc;
}

void assignment_list_release(struct assignment_list *l)
{
	size_t i, k;

	for (i = 0; i < l->n; i++) {
		struct assignment *x = &l->items[i];

		free(x->title);
		free(x->reply_grade);
		free(x->lead_name);
		for (k = 0; k < x->nopinions; k++) {
			free(x->opinions[k].name);
			free(x->opinions[k].text);
		}
		free(x->opinions);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}

/* --- co-handlers' opinions --- */

static const char sql_opinion_get[] = "SELECT COALESCE(opinion, ''), opinion IS NOT NULL"
				      " FROM output_handler WHERE output_id = ? AND handler_id = ?";
static const char sql_opinion_set[] = "UPDATE output_handler SET opinion = ?, opinion_at = ?"
				      " WHERE output_id = ? AND handler_id = ? AND role = 'co'";

int output_co_opinion_check(struct db *db, const struct actor *a, const struct output_head *h,
			    const char *text, struct verr *e)
{
	int role = output_role_of(db, a, h);

	if (!(role & OROLE_READER))
		return authz_decide(a, false, false);
	if (!(role & OROLE_HANDLER) || (role & OROLE_LEAD_HANDLER) || !a->user.handler_id)
		return authz_decide(a, true, false);
	if (strcmp(h->state, "assigned") != 0)
		return verr_set(e, "not_assigned", "text",
				"协办意见只能在交办后、主办单位答复前提出",
				"a co-handler's opinion is given while the output is assigned, "
				"before the lead unit replies"),
		       ERR_CONFLICT;
	if (!text || !*text)
		return verr_set(e, "required", "text", "请填写协办意见",
				"the opinion text is required");
	return text_check(text, "text", 1, 5000, e);
}

int output_co_opinion(struct db *db, const struct actor *a, const struct output_head *h,
		      const char *text, struct verr *e)
{
	struct db_stmt *st;
	json_t *b = NULL, *after;
	int rc = output_co_opinion_check(db, a, h, text, e);

	if (rc)
		return rc;
	rc = db_get_row(db, sql_opinion_get, &st, "ii", h->id, a->user.handler_id);
	if (rc)
		return rc;
	if (db_col_int(st, 1))
		b = json_pack("{sI ss}", "handler_id", (json_int_t)a->user.handler_id, "opinion",
			      db_col_text(st, 0));
	db_done(st);
	rc = db_exec(db, sql_opinion_set, "siii", text, time_now(), h->id, a->user.handler_id);
	if (rc) {
		json_decref(b);
		return rc;
	}
	after = json_pack("{sI ss}", "handler_id", (json_int_t)a->user.handler_id, "opinion", text);
	rc = audit_write(db, a, h->org_id, "output.co_opinion", "output", h->id, b, after);
	json_decref(b);
	json_decref(after);
	return rc;
}
