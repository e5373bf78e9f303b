/*
 * workflow.c - the outputs' workflows as one table (see output.h, docs/WORKFLOW.md).
 *
 * A proposal: draft -> submitted -> accepted (立案) or not_accepted -> assigned to handling
 * units (one lead 主办, any co-handlers 协办) -> replied (text, grade A-D) -> evaluated by the
 * lead author (satisfied / basically satisfied / dissatisfied; dissatisfied may reopen
 * handling once: back to assigned) -> closed. An opinion report: draft -> submitted ->
 * edited (into a bulletin issue) -> sent (up to a body) -> instructed (批示) -> closed. The
 * other kinds: draft -> submitted -> delivered -> closed.
 *
 * Each row of output_steps says all of it: kinds, from, to, who, required fields, guard,
 * check, effect. The code below has no knowledge of particular states outside the rows'
 * functions: output_transition finds the row, checks, applies, records.
 */
#include "output.h"
#include "notify.h"
#include "output_int.h"
#include "rules.h"
#include "session.h"
#include "notify.h"
#include "valid.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "base/util.h"
#include "db/db.h"

int output_kind_class(const char *kind)
{
	if (kind && strcmp(kind, "proposal") == 0)
		return OKIND_PROPOSAL;
	if (kind && strcmp(kind, "opinion_report") == 0)
		return OKIND_OPINION;
	return OKIND_OTHER;
}

/* --- required fields --- */

#define NO_OFFSET ((size_t)-1)

static const struct field_rule {
	unsigned bit;
	const char *name;
	size_t off; /* of the const char * in struct output_move; NO_OFFSET: not a text */
	size_t max; /* characters */
	const char *zh, *en;
} field_rules[] = {
    {OFIELD_REASON, "reason", offsetof(struct output_move, reason), 2000, "请说明不予立案的理由",
     "a reason for not accepting is required"},
    {OFIELD_HANDLERS, "handlers", NO_OFFSET, 0, "请指定承办单位（一个主办单位，协办单位可选）",
     "the handling units are required (one lead, co-handlers optional)"},
    {OFIELD_REPLY_TEXT, "reply_text", offsetof(struct output_move, reply_text), 50000,
     "请填写答复内容", "the reply text is required"},
    {OFIELD_GRADE, "grade", offsetof(struct output_move, grade), 1, "请选择答复类别（A、B、C、D）",
     "the grade (A, B, C or D) is required"},
    {OFIELD_SATISFACTION, "satisfaction", offsetof(struct output_move, satisfaction), 32,
     "请选择评价（满意、基本满意、不满意）", "the satisfaction is required"},
    {OFIELD_ISSUE, "issue", offsetof(struct output_move, issue), 100,
     "请填写编入的期号（如 2024 年第 12 期）", "the bulletin issue is required"},
    {OFIELD_SENT_TO, "sent_to", offsetof(struct output_move, sent_to), 200, "请填写报送单位",
     "sent_to is required"},
    {OFIELD_INSTRUCTION_BY, "instruction_by", offsetof(struct output_move, instruction_by), 200,
     "请填写批示领导", "instruction_by is required"},
    {OFIELD_INSTRUCTION_TEXT, "instruction_text", offsetof(struct output_move, instruction_text),
     5000, "请填写批示内容", "instruction_text is required"},
};

const char *output_field_name(unsigned bit)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(field_rules); i++)
		if (field_rules[i].bit == bit)
			return field_rules[i].name;
	return NULL;
}

static const char *move_text(const struct output_move *m, size_t off)
{
	return *(const char *const *)(const void *)((const char *)m + off);
}

/* check_required checks every field of need: present, and of the rule's length. */
static int check_required(unsigned need, const struct output_move *m, struct verr *e)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(field_rules); i++) {
		const struct field_rule *r = &field_rules[i];
		const char *v;

		if (!(need & r->bit))
			continue;
		if (r->off == NO_OFFSET) {
			if (m->nlead + m->nco == 0)
				return verr_set(e, "required", r->name, "%s", "%s", r->zh, r->en);
			continue;
		}
		v = move_text(m, r->off);
		if (!v || !*v)
			return verr_set(e, "required", r->name, "%s", "%s", r->zh, r->en);
		if (text_check(v, r->name, 1, r->max, e))
			return ERR_INVALID;
	}
	return ERR_OK;
}

/* --- guards and checks (read-only) --- */

static const char sql_body[] = "SELECT body FROM output WHERE id = ?";
static const char sql_leads[] = "SELECT COUNT(*) FROM output_author WHERE output_id = ?"
				" AND role = 'lead'";
static const char sql_handler_path[] = "SELECT o.path FROM handler h JOIN org o"
				       " ON o.id = h.org_id WHERE h.id = ?";
static const char sql_handler_off[] = "SELECT disabled_at IS NOT NULL FROM handler WHERE id = ?";

/* three_parts: an opinion report is situation, analysis and suggestion. */
static bool three_parts(const char *body)
{
	return strstr(body, "情况") && strstr(body, "分析") && strstr(body, "建议");
}

/* check_proposal_length: a proposal is submitted within the work rules'
 * max_proposal_chars (the rules in force for its body now; 0: no limit). */
static int check_proposal_length(struct db *db, const struct output_head *h, struct verr *e)
{
	struct rules rules;
	struct db_stmt *st;
	size_t n;
	int max, rc;

	rc = rules_in_force_of(db, h->org_id, &rules);
	if (rc)
		return rc;
	max = rules_max_proposal_chars(&rules);
	rules_release(&rules);
	if (max <= 0)
		return ERR_OK;
	rc = db_get_row(db, sql_body, &st, "i", h->id);
	if (rc)
		return rc;
	n = utf8_count(db_col_text(st, 0), db_col_len(st, 0));
	db_done(st);
	if (n <= (size_t)max)
		return ERR_OK;
	return verr_set(e, "too_long", "body",
			"提案正文 %zu 字，超过工作规则（max_proposal_chars）的 %d 字",
			"the proposal has %zu characters, more than the work rules' "
			"max_proposal_chars of %d",
			n, max);
}

static int check_submit(struct db *db, const struct output_head *h, const struct output_move *m,
			struct verr *e)
{
	struct db_stmt *st;
	int64_t leads = 0;
	int rc;

	(void)m;
	if (output_kind_class(h->kind) == OKIND_PROPOSAL) {
		rc = db_get_int(db, sql_leads, &leads, "i", h->id);
		if (!rc)
			rc = output_check_kind(h->kind, "", (int)leads, e);
		return rc ? rc : check_proposal_length(db, h, e);
	}
	if (output_kind_class(h->kind) != OKIND_OPINION)
		return ERR_OK;
	rc = db_get_row(db, sql_body, &st, "i", h->id);
	if (rc)
		return rc;
	rc = output_check_kind(h->kind, db_col_text(st, 0), 1, e);
	if (!rc && !three_parts(db_col_text(st, 0)))
		rc =
		    verr_set(e, "invalid", "body", "社情民意信息须包括情况、分析、建议三部分",
			     "an opinion report has three parts: situation (情况), analysis (分析) "
			     "and suggestion (建议)");
	db_done(st);
	return rc;
}

static const char sql_pending[] =
    "SELECT p.name FROM output_author a JOIN person p ON p.id = a.person_id"
    " WHERE a.output_id = ? AND a.role = 'cosigner' AND a.confirmed_at IS NULL ORDER BY p.id";

struct pending {
	struct buf *names;
	size_t n;
};

static int pending_row(struct db_stmt *st, void *ud)
{
	struct pending *p = ud;
	int rc = p->n ? buf_puts(p->names, "、") : ERR_OK;

	if (!rc)
		rc = buf_puts(p->names, db_col_text(st, 0));
	p->n++;
	return rc == ERR_TOO_BIG ? ERR_OK : rc; /* the names are for people: enough is enough */
}

int output_cosigners_pending(struct db *db, int64_t id, struct buf *names, size_t *n)
{
	struct pending p = {names, 0};
	int rc = db_each(db, sql_pending, pending_row, &p, "i", id);

	*n = p.n;
	return rc;
}

/* guard_cosigners: a proposal is submitted with every co-signer's confirmation (those who
 * declined are no longer co-signers). */
static int guard_cosigners(struct db *db, const struct output_head *h, struct verr *e)
{
	struct buf names;
	size_t n = 0;
	int rc;

	if (output_kind_class(h->kind) != OKIND_PROPOSAL)
		return ERR_OK;
	buf_init(&names, 400);
	rc = output_cosigners_pending(db, h->id, &names, &n);
	if (!rc && n) {
		verr_set(e, "cosigners_pending", "authors", "还有 %zu 位联名人未确认：%s",
			 "%zu co-signer(s) have not confirmed yet: %s", n, buf_cstr(&names));
		rc = ERR_CONFLICT;
	}
	buf_fini(&names);
	return rc;
}

static int64_t handler_at(const struct output_move *m, size_t i)
{
	return i < m->nlead ? m->lead_handlers[i] : m->co_handlers[i - m->nlead];
}

static int check_assign(struct db *db, const struct output_head *h, const struct output_move *m,
			struct verr *e)
{
	char path[128];
	int64_t off = 0;
	size_t i, k;
	int rc;

	if (m->nlead != 1)
		return verr_set(e, "invalid", "handlers",
				"交办需要且只能有一个主办单位（lead），协办单位（co）可有多个",
				"assignment needs exactly one lead handling unit; co-handlers are "
				"optional");
	for (i = 0; i < m->nlead + m->nco; i++) {
		int64_t hid = handler_at(m, i);

		for (k = 0; k < m->nco; k++)
			if (i < m->nlead && hid && m->co_handlers[k] == hid)
				return verr_set(e, "invalid", "handlers",
						"主办单位不能同时是协办单位",
						"the lead unit cannot also be a co-handler");
		if (!hid)
			continue; /* to be made in the output's body */
		rc = output_path_of(db, sql_handler_path, hid, path, sizeof(path));
		if (rc)
			return rc;
		if (!output_related(path, h->org_path))
			return verr_set(e, "invalid", "handlers", "承办单位 %lld 不存在",
					"handling unit %lld does not exist", (long long)hid);
		rc = db_get_int(db, sql_handler_off, &off, "i", hid);
		if (rc)
			return rc;
		if (off) /* disabled units are not offered for new assignments */
			return verr_set(e, "disabled", "handlers", "承办单位 %lld 已停用",
					"handling unit %lld is disabled", (long long)hid);
	}
	return ERR_OK;
}

/* guard_reopen: handling reopens once, after a dissatisfied evaluation */
static int guard_reopen(struct db *db, const struct output_head *h, struct verr *e)
{
	(void)db;
	if (h->reopened)
		return verr_set(e, "reopen_used", "to", "重新办理只能申请一次",
				"handling can be reopened only once"),
		       ERR_CONFLICT;
	if (strcmp(h->satisfaction, "dissatisfied") != 0)
		return verr_set(e, "illegal_transition", "to", "只有“不满意”的评价可以申请重新办理",
				"only a dissatisfied evaluation can reopen handling"),
		       ERR_CONFLICT;
	return ERR_OK;
}

static int check_reply(struct db *db, const struct output_head *h, const struct output_move *m,
		       struct verr *e)
{
	(void)db;
	(void)h;
	if (strlen(m->grade) != 1 || !strchr("ABCD", m->grade[0]))
		return verr_set(e, "invalid", "grade",
				"答复类别须为 A（已解决或采纳）、B（正在解决或列入计划）、C（因条件"
				"限制暂不能解决）或 D（留作参考）",
				"grade must be A (resolved/adopted), B (being resolved/planned), "
				"C (limited by conditions) or D (for reference)");
	return ERR_OK;
}

static int check_evaluate(struct db *db, const struct output_head *h, const struct output_move *m,
			  struct verr *e)
{
	(void)db;
	(void)h;
	if (strcmp(m->satisfaction, "satisfied") != 0 &&
	    strcmp(m->satisfaction, "basically_satisfied") != 0 &&
	    strcmp(m->satisfaction, "dissatisfied") != 0)
		return verr_set(e, "invalid", "satisfaction",
				"评价须为 satisfied（满意）、basically_satisfied（基本满意）或 "
				"dissatisfied（不满意）",
				"satisfaction must be satisfied, basically_satisfied or "
				"dissatisfied");
	return ERR_OK;
}

/* --- effects (writes) --- */

static const char sql_set_reason[] = "UPDATE output SET reason = ? WHERE id = ?";
static const char sql_set_number[] =
    "UPDATE output SET number = ?1 || (SELECT CASE WHEN c.n < 10 THEN '000' WHEN c.n < 100"
    " THEN '00' WHEN c.n < 1000 THEN '0' ELSE '' END || c.n FROM (SELECT COUNT(*) + 1 AS n"
    " FROM output WHERE org_id = ?2 AND kind = 'proposal' AND number != ''"
    " AND number LIKE ?1 || '%') c) WHERE id = ?3";
static const char sql_clear_handlers[] = "DELETE FROM output_handler WHERE output_id = ?";
static const char sql_add_handler[] = "INSERT INTO output_handler (output_id, handler_id, role)"
				      " VALUES (?, ?, ?)";
static const char sql_set_due[] = "UPDATE output SET reply_due = ? WHERE id = ?";
static const char sql_set_reply[] =
    "UPDATE output SET reply_text = ?, reply_grade = ? WHERE id = ?";
static const char sql_set_eval[] = "UPDATE output SET satisfaction = ? WHERE id = ?";
static const char sql_reopen[] = "UPDATE output SET reopened = TRUE, satisfaction = NULL,"
				 " reply_text = '', reply_grade = NULL WHERE id = ?";
static const char sql_set_issue[] = "UPDATE output SET bulletin_issue = ? WHERE id = ?";
static const char sql_set_sent[] = "UPDATE output SET sent_to = ? WHERE id = ?";
static const char sql_set_instr[] = "UPDATE output SET instruction_by = ?, instruction_text = ?"
				    " WHERE id = ?";

static int apply_accept(struct db *db, const struct actor *who, const struct output_head *h,
			const struct output_move *m, int64_t at, json_t *data, struct verr *e)
{
	char prefix[8];

	(void)who;
	(void)m;
	(void)data;
	(void)e;
	snprintf(prefix, sizeof(prefix), "%04d", time_year(at) % 10000);
	return db_exec(db, sql_set_number, "sii", prefix, h->org_id, h->id);
}

static int apply_not_accept(struct db *db, const struct actor *who, const struct output_head *h,
			    const struct output_move *m, int64_t at, json_t *data, struct verr *e)
{
	(void)who;
	(void)at;
	(void)e;
	json_object_set_new(data, "reason", json_string(m->reason));
	return db_exec(db, sql_set_reason, "si", m->reason, h->id);
}

static int reply_days(struct db *db, int64_t org_id)
{
	struct rules rules;
	int days = 90;

	if (rules_in_force_of(db, org_id, &rules) == ERR_OK) {
		days = rules_reply_days(&rules);
		rules_release(&rules);
	}
	return days;
}

static int apply_assign(struct db *db, const struct actor *who, const struct output_head *h,
			const struct output_move *m, int64_t at, json_t *data, struct verr *e)
{
	int64_t due = m->reply_due ? m->reply_due : at + (int64_t)reply_days(db, h->org_id) * 86400;
	size_t i;
	int rc;

	(void)who;
	for (i = 0; i < m->nlead + m->nco; i++)
		if (!handler_at(m, i))
			return verr_set(e, "invalid", "handlers", "承办单位尚未建立",
					"a handling unit has not been made yet");
	rc = db_exec(db, sql_clear_handlers, "i", h->id);
	for (i = 0; !rc && i < m->nlead + m->nco; i++) {
		rc = db_exec(db, sql_add_handler, "iis", h->id, handler_at(m, i),
			     i < m->nlead ? "lead" : "co");
		if (rc == ERR_CONFLICT)
			rc = ERR_OK; /* listed twice */
	}
	if (!rc)
		rc = db_exec(db, sql_set_due, "ii", due, h->id);
	json_object_set_new(data, "lead_handlers", json_integer((json_int_t)m->nlead));
	json_object_set_new(data, "co_handlers", json_integer((json_int_t)m->nco));
	return rc;
}

static int apply_reopen(struct db *db, const struct actor *who, const struct output_head *h,
			const struct output_move *m, int64_t at, json_t *data, struct verr *e)
{
	(void)who;
	(void)m;
	(void)at;
	(void)e;
	json_object_set_new(data, "reopened", json_true());
	return db_exec(db, sql_reopen, "i", h->id);
}

static int apply_reply(struct db *db, const struct actor *who, const struct output_head *h,
		       const struct output_move *m, int64_t at, json_t *data, struct verr *e)
{
	(void)who;
	(void)at;
	(void)e;
	json_object_set_new(data, "grade", json_string(m->grade));
	return db_exec(db, sql_set_reply, "ssi", m->reply_text, m->grade, h->id);
}

static int apply_evaluate(struct db *db, const struct actor *who, const struct output_head *h,
			  const struct output_move *m, int64_t at, json_t *data, struct verr *e)
{
	(void)who;
	(void)at;
	(void)e;
	json_object_set_new(data, "satisfaction", json_string(m->satisfaction));
	return db_exec(db, sql_set_eval, "si", m->satisfaction, h->id);
}

static int apply_edit(struct db *db, const struct actor *who, const struct output_head *h,
		      const struct output_move *m, int64_t at, json_t *data, struct verr *e)
{
	(void)who;
	(void)at;
	(void)e;
	json_object_set_new(data, "issue", json_string(m->issue));
	return db_exec(db, sql_set_issue, "si", m->issue, h->id);
}

static int apply_send(struct db *db, const struct actor *who, const struct output_head *h,
		      const struct output_move *m, int64_t at, json_t *data, struct verr *e)
{
	(void)who;
	(void)at;
	(void)e;
	json_object_set_new(data, "sent_to", json_string(m->sent_to));
	return db_exec(db, sql_set_sent, "si", m->sent_to, h->id);
}

static int apply_instruct(struct db *db, const struct actor *who, const struct output_head *h,
			  const struct output_move *m, int64_t at, json_t *data, struct verr *e)
{
	/* a leader's instruction is also an adoption record */
	struct adoption_in ad = {
	    "instruction", m->instruction_text, m->instruction_by, "", NULL, NULL, m->note};
	char date[16];
	int64_t aid;
	int rc;

	json_object_set_new(data, "instruction_by", json_string(m->instruction_by));
	rc = db_exec(db, sql_set_instr, "ssi", m->instruction_by, m->instruction_text, h->id);
	if (rc)
		return rc;
	time_fmt(at, "%Y-%m-%d", date, sizeof(date));
	ad.date = date;
	return adoption_add(db, who, h->id, &ad, &aid, e);
}

/* --- the table --- */

#define STAFF	     OROLE_STAFF
#define LEAD_AUTHOR  OROLE_LEAD_AUTHOR
#define LEAD_HANDLER OROLE_LEAD_HANDLER

const struct output_step output_steps[] = {
    {OKIND_ANY, "draft", "submitted", STAFF | LEAD_AUTHOR, 0, guard_cosigners, check_submit, NULL,
     "a proposal waits for every co-signer's confirmation (409 cosigners_pending); checks the "
     "kind's rules: a proposal has one lead author; an opinion report has at most "
     "1500 characters and the three parts 情况、分析、建议",
     NULL},
    {OKIND_PROPOSAL, "submitted", "accepted", STAFF, 0, NULL, NULL, apply_accept,
     "numbers the proposal (year and a running number of its body)", NULL},
    {OKIND_PROPOSAL, "submitted", "not_accepted", STAFF, OFIELD_REASON, NULL, NULL,
     apply_not_accept, "stores the reason", NULL},
    {OKIND_PROPOSAL, "not_accepted", "closed", STAFF, 0, NULL, NULL, NULL, "", NULL},
    {OKIND_PROPOSAL, "accepted", "assigned", STAFF, OFIELD_HANDLERS, NULL, check_assign,
     apply_assign,
     "assigns one lead unit and any co-handlers of the body (or above/below it); sets the "
     "reply due date (reply_due, or the rules' reply_days from now)",
     NULL},
    {OKIND_PROPOSAL, "assigned", "replied", LEAD_HANDLER | STAFF, OFIELD_REPLY_TEXT | OFIELD_GRADE,
     NULL, check_reply, apply_reply, "stores the reply and its grade (A-D)", NULL},
    {OKIND_PROPOSAL, "replied", "evaluated", LEAD_AUTHOR, OFIELD_SATISFACTION, NULL, check_evaluate,
     apply_evaluate, "stores the satisfaction (satisfied, basically_satisfied, dissatisfied)",
     NULL},
    {OKIND_PROPOSAL, "evaluated", "assigned", LEAD_AUTHOR | STAFF, 0, guard_reopen, NULL,
     apply_reopen,
     "reopens handling, once, after a dissatisfied evaluation: clears the reply and the "
     "evaluation",
     "oto_reopen"},
    {OKIND_PROPOSAL, "evaluated", "closed", STAFF | LEAD_AUTHOR, 0, NULL, NULL, NULL, "", NULL},
    {OKIND_OPINION, "submitted", "edited", STAFF, OFIELD_ISSUE, NULL, NULL, apply_edit,
     "stores the bulletin issue it was edited into", NULL},
    {OKIND_OPINION, "edited", "sent", STAFF, OFIELD_SENT_TO, NULL, NULL, apply_send,
     "stores where it was sent", NULL},
    {OKIND_OPINION, "sent", "instructed", STAFF, OFIELD_INSTRUCTION_BY | OFIELD_INSTRUCTION_TEXT,
     NULL, NULL, apply_instruct, "stores the instruction and records it as an adoption", NULL},
    {OKIND_OPINION, "sent", "closed", STAFF, 0, NULL, NULL, NULL, "", NULL},
    {OKIND_OPINION, "instructed", "closed", STAFF, 0, NULL, NULL, NULL, "", NULL},
    {OKIND_OTHER, "submitted", "delivered", STAFF, 0, NULL, NULL, NULL, "", NULL},
    {OKIND_OTHER, "delivered", "closed", STAFF, 0, NULL, NULL, NULL, "", NULL},
};
const size_t output_nsteps = ARRAY_LEN(output_steps);

const struct output_step *output_step_find(const char *kind, const char *from, const char *to)
{
	int k = output_kind_class(kind);
	size_t i;

	for (i = 0; i < output_nsteps; i++)
		if ((output_steps[i].kinds & k) && strcmp(output_steps[i].from, from) == 0 &&
		    strcmp(output_steps[i].to, to) == 0)
			return &output_steps[i];
	return NULL;
}

/* --- running it --- */

int output_move_check(struct db *db, const struct actor *a, const struct output_head *h,
		      const struct output_move *m, struct verr *e)
{
	const struct output_step *s;
	int rc, role = output_role_of(db, a, h);

	/* not even a reader: as if the output did not exist (authz_decide) */
	if (!(role & OROLE_READER))
		return authz_decide(a, false, false);
	if (!m->to || !*m->to)
		return verr_set(e, "required", "to", "请指明目标状态（to）",
				"the target state (to) is required");
	s = output_step_find(h->kind, h->state, m->to);
	if (!s)
		return verr_set(e, "illegal_transition", "to", "%s不能从“%s”变为“%s”",
				"%.0s%.0s%.0sa %s cannot go from %s to %s",
				code_zh("kind", h->kind), code_zh("output", h->state),
				code_zh("output", m->to), h->kind, h->state, m->to),
		       ERR_CONFLICT;
	if (!(role & s->who))
		return ERR_FORBIDDEN;
	if (s->guard) {
		rc = s->guard(db, h, e);
		if (rc)
			return rc;
	}
	rc = check_required(s->need, m, e);
	if (!rc && m->note)
		rc = text_check(m->note, "note", 0, 5000, e);
	if (!rc && s->check)
		rc = s->check(db, h, m, e);
	return rc;
}

static const char sql_event[] =
    "INSERT INTO output_event (output_id, org_id, at, user_id,"
    " from_state, to_state, note, data) VALUES (?, ?, ?, NULLIF(CAST(? AS BIGINT), 0), ?, ?, ?, ?)";
static const char sql_state[] =
    "UPDATE output SET state = ?1, updated_at = ?2,"
    " submitted_at = CASE WHEN ?1 = 'submitted' THEN ?3 ELSE submitted_at END,"
    " accepted_at = CASE WHEN ?1 = 'accepted' THEN ?3 ELSE accepted_at END,"
    " assigned_at = CASE WHEN ?1 = 'assigned' THEN ?3 ELSE assigned_at END,"
    " replied_at = CASE WHEN ?1 = 'replied' THEN ?3 ELSE replied_at END,"
    " evaluated_at = CASE WHEN ?1 = 'evaluated' THEN ?3 ELSE evaluated_at END,"
    " closed_at = CASE WHEN ?1 = 'closed' THEN ?3 ELSE closed_at END"
    " WHERE id = ?4";

int output_transition(struct db *db, const struct actor *who, int64_t id,
		      const struct output_move *m, struct verr *e)
{
	const struct output_step *s;
	struct output_head h;
	int64_t at = m->at ? m->at : time_now();
	json_t *data = json_object(), *b, *a;
	char *dump = NULL;
	int rc;

	rc = output_head(db, id, &h);
	if (!rc)
		rc = output_move_check(db, who, &h, m, e);
	if (rc)
		goto out;
	s = output_step_find(h.kind, h.state, m->to);
	if (s->apply) {
		rc = s->apply(db, who, &h, m, at, data, e);
		if (rc)
			goto out;
	}
	rc = db_exec(db, sql_state, "siii", m->to, time_now(), at, id);
	dump = json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS);
	if (!rc)
		rc = db_exec(db, sql_event, "iiiissss", id, h.org_id, at, who->user.id, h.state,
			     m->to, m->note ? m->note : "", dump ? dump : "{}");
	if (rc)
		goto out;
	b = json_pack("{ss}", "state", h.state);
	a = json_pack("{ss sO}", "state", m->to, "data", data);
	rc = audit_write(db, who, h.org_id, "output.transition", "output", id, b, a);
	json_decref(b);
	json_decref(a);
	/* who is told: the handling units of an assignment (also one reopened), the authors of
	 * a reply */
	if (!rc && strcmp(m->to, "assigned") == 0)
		rc = notify_output(db, id, NOTIFY_HANDLERS, "assignment");
	if (!rc && strcmp(m->to, "replied") == 0)
		rc = notify_output(db, id, NOTIFY_AUTHORS, "reply_received");
out:
	free(dump);
	json_decref(data);
	return rc;
}

size_t output_moves(struct db *db, const struct actor *a, const struct output_head *h,
		    const struct output_step **out, size_t max)
{
	int role = output_role_of(db, a, h), k = output_kind_class(h->kind);
	struct verr e;
	size_t i, n = 0;

	for (i = 0; i < output_nsteps && n < max; i++) {
		const struct output_step *s = &output_steps[i];

		if (!(s->kinds & k) || strcmp(s->from, h->state) != 0 || !(role & s->who))
			continue;
		if (s->guard && s->guard(db, h, &e))
			continue;
		out[n++] = s;
	}
	return n;
}

/* --- co-signing (before submission, outside the table) --- */

static int notify_lead(struct db *db, const struct output_head *h);

static const char sql_cosigner[] =
    "SELECT a.person_id, a.role, a.confirmed_at FROM output_author a JOIN person p"
    " ON p.id = a.person_id WHERE a.output_id = ? AND p.user_id = ?";
static const char sql_deadline[] = "SELECT cosign_deadline FROM output WHERE id = ?";
static const char sql_confirm[] = "UPDATE output_author SET confirmed_at = ? WHERE output_id = ?"
				  " AND person_id = ?";

/* cosign_state finds who's author row of output id: *person, its role, whether it is
 * confirmed; ERR_FORBIDDEN when who is not an author; ERR_CONFLICT (e) when it is not
 * confirmed and the deadline passed. Read-only. */
static int cosign_state(struct db *db, const struct actor *who, int64_t id, int64_t *person,
			char role[16], bool *confirmed, struct verr *e)
{
	struct db_stmt *st;
	int64_t deadline = 0;
	int rc = db_get_row(db, sql_cosigner, &st, "ii", id, who->user.id);

	if (rc == ERR_NOT_FOUND)
		return ERR_FORBIDDEN; /* not an author of this output */
	if (rc)
		return rc;
	*person = db_col_int(st, 0);
	rc = copy_field(role, 16, db_col_text(st, 1));
	*confirmed = !db_col_null(st, 2);
	db_done(st);
	if (rc || *confirmed)
		return rc;
	rc = db_get_int(db, sql_deadline, &deadline, "i", id);
	if (rc)
		return rc;
	if (deadline && time_now() > deadline) {
		char when[32];

		time_fmt(deadline, "%Y-%m-%d %H:%M", when, sizeof(when));
		verr_set(e, "deadline_passed", "cosign_deadline", "联名确认已于 %s 截止",
			 "the deadline for co-signing passed on %s", when);
		return ERR_CONFLICT;
	}
	return ERR_OK;
}

int output_confirm_check(struct db *db, const struct actor *who, int64_t id, struct verr *e)
{
	int64_t person;
	char role[16];
	bool confirmed;

	return cosign_state(db, who, id, &person, role, &confirmed, e);
}

int output_confirm(struct db *db, const struct actor *who, int64_t id, struct verr *e)
{
	struct output_head h;
	int64_t person = 0;
	char role[16] = "";
	bool confirmed = false;
	json_t *a;
	int rc;

	rc = output_head(db, id, &h);
	if (!rc)
		rc = cosign_state(db, who, id, &person, role, &confirmed, e);
	if (rc || confirmed)
		return rc;
	rc = db_exec(db, sql_confirm, "iii", time_now(), id, person);
	if (rc)
		return rc;
	a = json_pack("{sI ss}", "person_id", (json_int_t)person, "role", role);
	rc = audit_write(db, who, h.org_id, "output.confirm", "output", id, NULL, a);
	json_decref(a);
	if (!rc && strcmp(role, "cosigner") == 0)
		rc = notify_lead(db, &h);
	return rc;
}

static const char sql_lead_person[] = "SELECT a.person_id FROM output_author a"
				      " WHERE a.output_id = ? AND a.role = 'lead'";
static const char sql_title[] = "SELECT title FROM output WHERE id = ?";
static const char sql_uncosign[] = "DELETE FROM output_author WHERE output_id = ?"
				   " AND person_id = ? AND role = 'cosigner'";

/* notify_lead tells the lead author of h that a co-signer answered (cosign_answer). */
static int notify_lead(struct db *db, const struct output_head *h)
{
	struct db_stmt *st;
	int64_t lead;
	char link[40];
	int rc = db_get_int(db, sql_lead_person, &lead, "i", h->id);

	if (rc == ERR_NOT_FOUND)
		return ERR_OK;
	if (!rc)
		rc = db_get_row(db, sql_title, &st, "i", h->id);
	if (rc)
		return rc;
	snprintf(link, sizeof(link), "/outputs/%lld", (long long)h->id);
	rc = notify_person(db, h->org_id, lead, "cosign_answer", db_col_text(st, 0), link);
	db_done(st);
	return rc;
}

int output_confirm_on_paper(struct db *db, const struct actor *who, int64_t id, int64_t person)
{
	struct output_head h;
	json_t *a;
	int rc;

	if (who->via != AUTH_SYSTEM)
		return ERR_FORBIDDEN;
	rc = output_head(db, id, &h);
	if (!rc)
		rc = db_exec(db, sql_confirm, "iii", time_now(), id, person);
	if (rc)
		return rc;
	a = json_pack("{sI ss sb}", "person_id", (json_int_t)person, "role", "cosigner", "on_paper",
		      1);
	rc = audit_write(db, who, h.org_id, "output.confirm", "output", id, NULL, a);
	json_decref(a);
	return rc;
}

int output_decline_check(struct db *db, const struct actor *who, int64_t id, struct verr *e)
{
	struct output_head h;
	struct db_stmt *st;
	int rc = db_get_row(db, sql_cosigner, &st, "ii", id, who->user.id);
	bool cosigner;

	if (rc == ERR_NOT_FOUND)
		return ERR_FORBIDDEN;
	if (rc)
		return rc;
	cosigner = strcmp(db_col_text(st, 1), "cosigner") == 0;
	db_done(st);
	if (!cosigner)
		return ERR_FORBIDDEN; /* the lead author withdraws by deleting the draft */
	rc = output_head(db, id, &h);
	if (!rc && strcmp(h.state, "draft") != 0)
		return verr_set(e, "not_draft", "state", "成果已提交，不能再退出联名",
				"the output was submitted: co-signing can no longer be declined"),
		       ERR_CONFLICT;
	return rc;
}

int output_decline(struct db *db, const struct actor *who, int64_t id, const char *note,
		   struct verr *e)
{
	struct output_head h;
	int64_t person;
	json_t *b, *a;
	int rc = output_decline_check(db, who, id, e);

	if (!rc && note)
		rc = text_check(note, "note", 0, 2000, e);
	if (!rc)
		rc = output_head(db, id, &h);
	if (!rc)
		rc = db_get_int(db, sql_cosigner, &person, "ii", id, who->user.id);
	if (!rc)
		rc = db_exec(db, sql_uncosign, "ii", id, person);
	if (rc)
		return rc;
	b = json_pack("{sI ss}", "person_id", (json_int_t)person, "role", "cosigner");
	a = json_pack("{sI ss}", "person_id", (json_int_t)person, "note", note ? note : "");
	rc = audit_write(db, who, h.org_id, "output.decline", "output", id, b, a);
	json_decref(b);
	json_decref(a);
	if (!rc)
		rc = notify_lead(db, &h);
	return rc;
}

/* --- the docs --- */

static int put_roles(struct buf *out, int who)
{
	static const struct {
		int bit;
		const char *name;
	} names[] = {
	    {OROLE_STAFF, "staff"},
	    {OROLE_AUTHOR, "author"},
	    {OROLE_LEAD_AUTHOR, "lead author"},
	    {OROLE_LEAD_HANDLER, "lead handling unit"},
	    {OROLE_HANDLER, "handling unit"},
	};
	size_t i;
	int rc = ERR_OK, n = 0;

	for (i = 0; !rc && i < ARRAY_LEN(names); i++)
		if (who & names[i].bit)
			rc = buf_printf(out, "%s%s", n++ ? ", " : "", names[i].name);
	return rc;
}

static int put_fields(struct buf *out, unsigned need)
{
	unsigned bit;
	int rc = ERR_OK, n = 0;

	for (bit = 1; !rc && bit < OFIELD_END; bit <<= 1)
		if (need & bit)
			rc = buf_printf(out, "%s`%s`", n++ ? ", " : "", output_field_name(bit));
	if (!rc && !n)
		rc = buf_puts(out, "—");
	return rc;
}

int output_workflow_markdown(struct buf *out)
{
	static const struct {
		int kind;
		const char *title;
	} classes[] = {
	    {OKIND_PROPOSAL, "Proposal (提案)"},
	    {OKIND_OPINION, "Opinion report (社情民意信息)"},
	    {OKIND_OTHER, "Research report, speech, special report (调研报告、大会发言、专报)"},
	};
	size_t c, i;
	int rc;

	rc = buf_puts(out,
		      "# Output workflows\n\n"
		      "<!-- Generated from the table output_steps in src/model/workflow.c by\n"
		      "     output_workflow_markdown; tests/unit/test_model_output.c checks that "
		      "this\n"
		      "     file matches it (SHENLIAO_WRITE_DOCS=1 build/tests/test_model_output "
		      "rewrites it). -->\n\n"
		      "Every move is made with `POST /api/v1/outputs/{id}/transition` (`to`, an "
		      "optional `note`\n"
		      "and the fields below) or the form on the output's page. A move that the "
		      "table does not\n"
		      "have from the output's state is 409 `illegal_transition`; a caller who is "
		      "not among\n"
		      "those who may make it is 403; a missing required field is 422 naming the "
		      "field. Every\n"
		      "move writes an `output_event` row (who, when, from, to, note, data) and an "
		      "audit row.\n\n"
		      "Who: *staff* are organizers and admins of the output's body or a body above "
		      "it (an\n"
		      "admin may also act for the lead author, recording what was said on paper); "
		      "*author*\n"
		      "and *lead author* are the people linked to the caller's account; the *lead "
		      "handling\n"
		      "unit* is the account of the unit assigned as 主办.\n");
	for (c = 0; !rc && c < ARRAY_LEN(classes); c++) {
		rc = buf_printf(out,
				"\n## %s\n\n| from | to | who | requires | effect |\n"
				"|---|---|---|---|---|\n",
				classes[c].title);
		for (i = 0; !rc && i < output_nsteps; i++) {
			const struct output_step *s = &output_steps[i];

			if (!(s->kinds & classes[c].kind))
				continue;
			rc = buf_printf(out, "| %s | %s | ", s->from, s->to);
			if (!rc)
				rc = put_roles(out, s->who);
			if (!rc)
				rc = buf_puts(out, " | ");
			if (!rc)
				rc = put_fields(out, s->need);
			if (!rc)
				rc = buf_printf(out, " | %s |\n", s->effect[0] ? s->effect : "—");
		}
	}
	return rc;
}
