/*
 * escalation.c - escalation of an output to a higher body (escalation.h): sending,
 * answering, adopting as an output of the higher body, the lists, and the one rule of what
 * an escalation lets a body read.
 *
 * The target of an escalation is always a body above the output's (its path is a prefix of
 * the output body's path), so the target already reads the output by the hierarchy once it
 * is submitted; escalation_reads states that rule for escalations on its own, so that the
 * read does not silently depend on the hierarchy, and grants nothing beyond it.
 */
#include "escalation.h"
#include "notify.h"
#include "output_int.h"
#include "session.h"
#include "valid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "db/db.h"

#define ESC_COLS                                                                                   \
	"x.id, x.output_id, x.from_org_id, x.to_org_id, x.note, x.state, x.answer_note,"           \
	" COALESCE(x.answered_by, 0), x.answered_at, COALESCE(x.created_by, 0),"                   \
	" x.created_at, COALESCE(x.result_output_id, 0), o.title, o.kind, o.state, fo.name,"       \
	" t.name, COALESCE(u.display_name, '')"
#define ESC_FROM                                                                                   \
	" FROM escalation x JOIN output o ON o.id = x.output_id"                                   \
	" JOIN org fo ON fo.id = x.from_org_id JOIN org t ON t.id = x.to_org_id"                   \
	" LEFT JOIN users u ON x.answered_by = u.id"

static const char sql_get[] = "SELECT " ESC_COLS ESC_FROM " WHERE x.id = ?";
static const char sql_list_in[] =
    "SELECT " ESC_COLS ESC_FROM " WHERE x.to_org_id = ? AND x.id > ? ORDER BY x.id LIMIT ?";
static const char sql_list_out[] =
    "SELECT " ESC_COLS ESC_FROM " WHERE x.from_org_id = ? AND x.id > ? ORDER BY x.id LIMIT ?";
static const char sql_of_output[] =
    "SELECT " ESC_COLS ESC_FROM " WHERE x.output_id = ? ORDER BY x.id";
static const char sql_origins[] =
    "SELECT " ESC_COLS ESC_FROM " WHERE x.result_output_id = ? ORDER BY x.id";
static const char sql_pending[] = "SELECT id FROM escalation WHERE output_id = ? AND"
				  " to_org_id = ? AND state = 'pending'";
static const char sql_insert[] =
    "INSERT INTO escalation (output_id, from_org_id, to_org_id, note, created_by, created_at)"
    " VALUES (?, ?, ?, ?, NULLIF(?, 0), ?)";
static const char sql_answer[] =
    "UPDATE escalation SET state = ?, answer_note = ?, answered_by = NULLIF(?, 0),"
    " answered_at = ? WHERE id = ? AND state = 'pending'";
static const char sql_adopted[] = "UPDATE escalation SET result_output_id = ? WHERE id = ?"
				  " AND result_output_id IS NULL";
static const char sql_staff_of[] =
    "SELECT id FROM users WHERE org_id = ? AND role IN ('organizer', 'admin') AND disabled = FALSE"
    " ORDER BY id";
static const char sql_reads[] =
    "SELECT 1 FROM escalation x JOIN org t ON t.id = x.to_org_id WHERE x.output_id = ?1"
    " AND substr(t.path, 1, length(?2)) = ?2 LIMIT 1";

void escalation_init(struct escalation *x)
{
	memset(x, 0, sizeof(*x));
}

void escalation_release(struct escalation *x)
{
	if (!x)
		return;
	free(x->note);
	free(x->answer_note);
	free(x->output_title);
	free(x->from_org_name);
	free(x->to_org_name);
	free(x->answered_by_name);
	escalation_init(x);
}

void escalation_list_release(struct escalation_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		escalation_release(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

/* read_row fills x (zeroed) from a row of ESC_COLS. */
static int read_row(struct db_stmt *st, struct escalation *x)
{
	int rc = ERR_OK;

	x->id = db_col_int(st, 0);
	x->output_id = db_col_int(st, 1);
	x->from_org_id = db_col_int(st, 2);
	x->to_org_id = db_col_int(st, 3);
	x->note = db_col_dup_rc(st, 4, &rc);
	if (copy_field(x->state, sizeof(x->state), db_col_text(st, 5)))
		rc = ERR_TOO_BIG;
	x->answer_note = db_col_dup_rc(st, 6, &rc);
	x->answered_by = db_col_int(st, 7);
	x->answered_at = db_col_int(st, 8);
	x->created_by = db_col_int(st, 9);
	x->created_at = db_col_int(st, 10);
	x->result_output_id = db_col_int(st, 11);
	x->output_title = db_col_dup_rc(st, 12, &rc);
	if (copy_field(x->output_kind, sizeof(x->output_kind), db_col_text(st, 13)) ||
	    copy_field(x->output_state, sizeof(x->output_state), db_col_text(st, 14)))
		rc = ERR_TOO_BIG;
	x->from_org_name = db_col_dup_rc(st, 15, &rc);
	x->to_org_name = db_col_dup_rc(st, 16, &rc);
	x->answered_by_name = db_col_dup_rc(st, 17, &rc);
	return rc;
}

static int list_row(struct db_stmt *st, void *ud)
{
	struct escalation_list *l = ud;
	struct escalation *x = array_grow(&l->items, &l->n, sizeof(*x));

	if (!x)
		return ERR_NOMEM;
	escalation_init(x);
	return read_row(st, x);
}

int escalation_get(struct db *db, int64_t id, struct escalation *x)
{
	struct db_stmt *st;
	int rc;

	escalation_init(x);
	rc = db_get_row(db, sql_get, &st, "i", id);
	if (rc)
		return rc;
	rc = read_row(st, x);
	db_done(st);
	return rc;
}

/* --- reading rule --- */

bool escalation_reads(struct db *db, const struct actor *a, const struct output_head *h)
{
	int64_t one;

	if (a->via == AUTH_NONE || a->user.handler_id || strcmp(h->state, "draft") == 0)
		return false;
	return db_get_int(db, sql_reads, &one, "is", h->id, scope_path(a)) == ERR_OK;
}

/* --- sending --- */

/* notify_staff tells the organizers and admins of body org_id (their accounts). */
static int notify_staff(struct db *db, int64_t org_id, int64_t event_org, const char *kind,
			const char *subject, const char *link)
{
	struct db_ids ids = {NULL, 0};
	size_t i;
	int rc;

	/* collect first: notify_user runs statements of its own */
	rc = db_each(db, sql_staff_of, db_ids_row, &ids, "i", org_id);
	for (i = 0; !rc && i < ids.n; i++)
		rc = notify_user(db, event_org, ids.ids[i], kind, subject, link);
	free(ids.ids);
	return rc;
}

/* may_act: organizers and admins of body org_id, admins of a body above it (who manage
 * it), the command line */
static bool may_act(const struct actor *a, int64_t org_id, const char *org_path)
{
	if (a->via == AUTH_SYSTEM)
		return true;
	if (a->via == AUTH_NONE || a->user.handler_id || a->role < ROLE_ORGANIZER)
		return false;
	return a->org.id == org_id ||
	       (a->role == ROLE_ADMIN && org_path_within(org_path, a->org.path));
}

bool escalation_may_send(const struct actor *a, const struct output_head *h)
{
	return may_act(a, h->org_id, h->org_path);
}

int escalation_send_check(struct db *db, const struct actor *a, int64_t output_id,
			  int64_t to_org_id, const char *note, int64_t *to, struct verr *e)
{
	struct output_head h;
	struct org from, target;
	int64_t pending;
	int rc;

	rc = output_authorize(db, a, output_id, AUTHZ_READ, &h, NULL);
	if (rc)
		return rc;
	rc = authz_decide(a, true, escalation_may_send(a, &h));
	if (rc) {
		verr_set(e, "forbidden", NULL, "只有成果所在组织的组织者和管理员可以上报",
			 "only organizers and admins of the output's body may escalate it");
		return rc;
	}
	if (!note || text_blank(note, strlen(note)))
		return verr_set(e, "required", "note", "请填写上报说明", "note is required");
	rc = text_check(note, "note", 1, ESCALATION_NOTE_MAX, e);
	if (rc)
		return rc;
	rc = org_get(db, h.org_id, &from);
	if (rc)
		return rc;
	if (to_org_id) {
		rc = org_get(db, to_org_id, &target);
		if (rc && rc != ERR_NOT_FOUND)
			return rc;
		/* only a body above the output's: not itself, not below, not beside it */
		if (rc || target.id == from.id || !org_path_within(from.path, target.path))
			return verr_set(e, "not_ancestor", "to_org_id",
					"上报对象须为%s的上级组织（%lld 不是）",
					"to_org_id must be a body above %s (%lld is not)",
					from.name, (long long)to_org_id);
	}
	if (strcmp(h.state, "draft") == 0)
		return verr_set(e, "not_submitted", "state", "成果尚未提交，提交后才能上报",
				"the output is still a draft: submit it before escalating it"),
		       ERR_CONFLICT;
	if (!to_org_id && !from.parent_id)
		return verr_set(e, "no_parent", "to_org_id", "%s没有上级组织，无法上报",
				"%s has no parent body to escalate to", from.name),
		       ERR_CONFLICT;
	if (!to_org_id)
		to_org_id = from.parent_id;
	rc = db_get_int(db, sql_pending, &pending, "ii", output_id, to_org_id);
	if (rc == ERR_OK)
		return verr_set(e, "pending", "to_org_id",
				"该成果已上报该组织，正在等待答复（上报 %lld）",
				"the output is already escalated to that body, awaiting its answer "
				"(escalation %lld)",
				(long long)pending),
		       ERR_CONFLICT;
	if (rc != ERR_NOT_FOUND)
		return rc;
	if (to)
		*to = to_org_id;
	return ERR_OK;
}

int escalation_send(struct db *db, const struct actor *a, int64_t output_id, int64_t to_org_id,
		    const char *note, int64_t *id, struct verr *e)
{
	struct escalation x;
	struct output_head h;
	int64_t to = 0, now = time_now();
	json_t *after;
	int rc;

	rc = escalation_send_check(db, a, output_id, to_org_id, note, &to, e);
	if (!rc)
		rc = output_head(db, output_id, &h);
	if (rc)
		return rc;
	/* the sender is the output's body (the command line sends on its behalf) */
	rc = db_exec(db, sql_insert, "iiisii", output_id, h.org_id, to, note, a->user.id, now);
	if (rc == ERR_CONFLICT) /* a pending one made at the same time */
		return verr_set(e, "pending", "to_org_id", "该成果已上报该组织，正在等待答复",
				"the output is already escalated to that body"),
		       ERR_CONFLICT;
	if (rc)
		return rc;
	*id = db_last_id(db);
	rc = escalation_get(db, *id, &x);
	if (rc)
		return rc;
	after = json_pack("{sI sI sI ss ss}", "output_id", (json_int_t)output_id, "from_org_id",
			  (json_int_t)x.from_org_id, "to_org_id", (json_int_t)x.to_org_id, "note",
			  x.note, "state", x.state);
	rc = audit_write(db, a, x.from_org_id, "escalation.create", "escalation", *id, NULL, after);
	json_decref(after);
	if (!rc)
		rc = notify_staff(db, x.to_org_id, x.to_org_id, "escalation_received",
				  x.output_title, "/escalations");
	escalation_release(&x);
	return rc;
}

/* --- who may --- */

int escalation_authorize(struct db *db, const struct actor *a, int64_t id, enum escalation_op op,
			 struct escalation *x)
{
	struct escalation own;
	struct org from, to;
	struct escalation *p = x ? x : &own;
	bool visible, allowed;
	int rc;

	rc = id > 0 ? escalation_get(db, id, p) : (escalation_init(p), ERR_NOT_FOUND);
	if (rc == ERR_NOT_FOUND)
		rc = authz_decide(a, false, false);
	if (rc)
		goto out;
	rc = org_get(db, p->from_org_id, &from);
	if (!rc)
		rc = org_get(db, p->to_org_id, &to);
	if (rc)
		goto out;
	visible = a->via == AUTH_SYSTEM || (actor_reads_as_staff(a) && !a->user.handler_id &&
					    org_path_within(from.path, scope_path(a)));
	allowed = op == ESC_READ ? visible : visible && may_act(a, to.id, to.path);
	rc = authz_decide(a, visible, allowed);
out:
	if (!x)
		escalation_release(&own);
	return rc;
}

/* --- answering --- */

int escalation_answer_check(const struct escalation *x, const char *decision, const char *note,
			    struct verr *e)
{
	int rc;

	if (!decision)
		return verr_set(e, "required", "decision", "请选择接受或不接受",
				"decision is required (accepted or declined)");
	if (strcmp(decision, "accepted") != 0 && strcmp(decision, "declined") != 0)
		return verr_set(e, "invalid", "decision",
				"答复须为 accepted（接受）或 declined（不接受）",
				"decision must be accepted or declined");
	rc = text_check(note ? note : "", "note", 0, ESCALATION_NOTE_MAX, e);
	if (rc)
		return rc;
	if (strcmp(x->state, "pending") != 0)
		return verr_set(e, "answered", "state", "该上报已答复（%s），不能再次答复",
				"%.0sthe escalation was answered already (%s)",
				strcmp(x->state, "accepted") == 0 ? "已接受" : "未接受", x->state),
		       ERR_CONFLICT;
	return ERR_OK;
}

static const char sql_authors_of[] = "SELECT person_id FROM output_author WHERE output_id = ?"
				     " ORDER BY person_id";

int escalation_answer(struct db *db, const struct actor *a, int64_t id, const char *decision,
		      const char *note, struct verr *e)
{
	struct escalation x;
	struct db_ids ids = {NULL, 0};
	char link[40];
	json_t *before = NULL, *after = NULL;
	size_t i;
	int rc;

	rc = escalation_get(db, id, &x);
	if (!rc)
		rc = escalation_answer_check(&x, decision, note, e);
	if (!rc)
		rc = db_exec(db, sql_answer, "ssiii", decision, note ? note : "", a->user.id,
			     time_now(), id);
	if (!rc && db_changes(db) != 1) { /* answered meanwhile */
		verr_set(e, "answered", "state", "该上报已答复", "the escalation was answered");
		rc = ERR_CONFLICT;
	}
	if (rc)
		goto out;
	before = json_pack("{ss}", "state", x.state);
	after = json_pack("{ss ss}", "state", decision, "answer_note", note ? note : "");
	rc = audit_write(db, a, x.to_org_id, "escalation.answer", "escalation", id, before, after);
	/* both ways: the sending body's staff and the output's authors hear of the answer */
	snprintf(link, sizeof(link), "/outputs/%lld", (long long)x.output_id);
	if (!rc)
		rc = notify_staff(db, x.from_org_id, x.from_org_id, "escalation_answered",
				  x.output_title, link);
	if (!rc)
		rc = db_each(db, sql_authors_of, db_ids_row, &ids, "i", x.output_id);
	for (i = 0; !rc && i < ids.n; i++)
		rc = notify_person(db, x.from_org_id, ids.ids[i], "escalation_answered",
				   x.output_title, link);
	free(ids.ids);
out:
	json_decref(before);
	json_decref(after);
	escalation_release(&x);
	return rc;
}

/* --- adopting as an output of the higher body --- */

/* The output_in of the higher body's output made from escalated output o. */
struct adopt_plan {
	struct output_in in;
	int64_t sugs[256], sess[256];
	struct output_author_in lead;
};

/* plan fills p from escalation x, in and o (read for a: what a may not read left out). */
static void plan(const struct escalation_adopt_in *in, const struct output *o, struct adopt_plan *p)
{
	size_t i;

	output_in_init(&p->in);
	p->in.kind = in && in->kind ? in->kind : o->kind;
	p->in.title = in && in->title ? in->title : o->title;
	p->in.body = in && in->body ? in->body : o->body;
	for (i = 0; i < o->nsuggestions && i < ARRAY_LEN(p->sugs); i++)
		p->sugs[i] = o->suggestions[i].id;
	p->in.suggestions = p->sugs;
	p->in.nsuggestions = i;
	for (i = 0; i < o->nsessions && i < ARRAY_LEN(p->sess); i++)
		p->sess[i] = o->sessions[i].id;
	p->in.sessions = p->sess;
	p->in.nsessions = i;
	/* the lead author of the lower body's output leads; its co-signers signed that one */
	for (i = 0; i < o->nauthors; i++)
		if (strcmp(o->authors[i].role, "lead") == 0) {
			memset(&p->lead, 0, sizeof(p->lead));
			p->lead.person_id = o->authors[i].person_id;
			snprintf(p->lead.role, sizeof(p->lead.role), "lead");
			p->in.authors = &p->lead;
			p->in.nauthors = 1;
			break;
		}
}

static int adopt_state(const struct escalation *x, struct verr *e)
{
	if (strcmp(x->state, "accepted") != 0)
		return verr_set(e, "not_accepted", "state",
				"只有已接受的上报才能形成本级成果（现为 %s）",
				"only an accepted escalation can become an output (this one is %s)",
				x->state),
		       ERR_CONFLICT;
	if (x->result_output_id)
		return verr_set(e, "adopted", "state", "该上报已形成成果 %lld",
				"the escalation became output %lld already",
				(long long)x->result_output_id),
		       ERR_CONFLICT;
	return ERR_OK;
}

int escalation_adopt_check(struct db *db, const struct actor *a, const struct escalation *x,
			   const struct escalation_adopt_in *in, struct verr *e)
{
	struct adopt_plan p;
	struct output o;
	int rc = adopt_state(x, e);

	if (rc)
		return rc;
	rc = output_read(db, a, x->output_id, &o);
	if (!rc) {
		plan(in, &o, &p);
		rc = output_create_check(db, a, x->to_org_id, &p.in, e);
	}
	output_release(&o);
	return rc;
}

int escalation_adopt(struct db *db, const struct actor *a, int64_t id,
		     const struct escalation_adopt_in *in, int64_t *output_id, struct verr *e)
{
	struct escalation x;
	struct adopt_plan p;
	struct adoption_in ad;
	struct output o;
	char title[600];
	int64_t adoption_id;
	json_t *after;
	int rc;

	output_init(&o);
	rc = escalation_get(db, id, &x);
	if (!rc)
		rc = adopt_state(&x, e);
	if (!rc)
		rc = output_read(db, a, x.output_id, &o);
	if (!rc) {
		plan(in, &o, &p);
		rc = output_create(db, a, x.to_org_id, &p.in, output_id, e);
	}
	if (!rc)
		rc = db_exec(db, sql_adopted, "ii", *output_id, id);
	if (!rc && db_changes(db) != 1)
		rc = ERR_CONFLICT;
	if (rc)
		goto out;
	after = json_pack("{sI sI}", "output_id", (json_int_t)x.output_id, "result_output_id",
			  (json_int_t)*output_id);
	rc = audit_write(db, a, x.to_org_id, "escalation.adopt", "escalation", id, NULL, after);
	json_decref(after);
	if (rc)
		goto out;
	/* the lower body's output counts as adopted by escalation (上报/提升) */
	snprintf(title, sizeof(title), "%s", p.in.title);
	memset(&ad, 0, sizeof(ad));
	ad.kind = "escalation";
	ad.title = title;
	ad.issuer = x.to_org_name;
	ad.note = x.answer_note;
	rc = adoption_add(db, a, x.output_id, &ad, &adoption_id, e);
out:
	output_release(&o);
	escalation_release(&x);
	return rc;
}

/* --- lists --- */

int escalation_list_authorize(const struct actor *a)
{
	return authz_decide(
	    a, true, a->via == AUTH_SYSTEM || (actor_reads_as_staff(a) && !a->user.handler_id));
}

int escalation_list(struct db *db, const struct actor *a, bool outgoing, int64_t after, int limit,
		    struct escalation_list *l)
{
	int rc;

	memset(l, 0, sizeof(*l));
	rc = escalation_list_authorize(a);
	if (rc)
		return rc;
	return db_each(db, outgoing ? sql_list_out : sql_list_in, list_row, l, "iin", a->org.id,
		       after, limit);
}

int escalation_of_output(struct db *db, const struct actor *a, int64_t output_id,
			 struct escalation_list *l)
{
	struct output_head h;
	int rc, r;

	memset(l, 0, sizeof(*l));
	rc = output_head(db, output_id, &h);
	if (rc)
		return rc;
	r = output_role_of(db, a, &h);
	if (!(r & (OROLE_STAFF | OROLE_AUTHOR)) && !(actor_reads_as_staff(a) && (r & OROLE_READER)))
		return ERR_OK;
	return db_each(db, sql_of_output, list_row, l, "i", output_id);
}

int escalation_origins(struct db *db, const struct actor *a, int64_t output_id,
		       struct escalation_list *l)
{
	struct escalation_list all = {NULL, 0};
	size_t i;
	int rc;

	memset(l, 0, sizeof(*l));
	rc = db_each(db, sql_origins, list_row, &all, "i", output_id);
	for (i = 0; !rc && i < all.n; i++) {
		struct escalation *x;

		if (output_authorize(db, a, all.items[i].output_id, AUTHZ_READ, NULL, NULL) !=
		    ERR_OK)
			continue;
		x = array_grow(&l->items, &l->n, sizeof(*x));
		if (!x) {
			rc = ERR_NOMEM;
			break;
		}
		*x = all.items[i]; /* moved: owned by l now */
		escalation_init(&all.items[i]);
	}
	escalation_list_release(&all);
	return rc;
}
