/*
 * output.c - outputs themselves (see output.h): reading one (head, full), who the caller is
 * for it (output_role_of), drafting and changing a draft (with its suggestions, sessions
 * and authors), and lists. The workflow is in workflow.c, handling units in handler.c,
 * adoption in adoption.c, lineage in lineage.c, a session's outcomes in outcomes.c.
 */
#include "output.h"
#include "output_int.h"
#include "rowjson.h"
#include "session.h"
#include "valid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/utf8.h"
#include "base/util.h"

static const char *const kinds[] = {"proposal", "opinion_report", "research_report", "speech",
				    "special_report"};

static bool kind_valid(const char *kind)
{
	size_t i;

	for (i = 0; kind && i < ARRAY_LEN(kinds); i++)
		if (strcmp(kind, kinds[i]) == 0)
			return true;
	return false;
}

void output_in_init(struct output_in *in)
{
	memset(in, 0, sizeof(*in));
}

/* --- reading --- */

static const char sql_head[] = "SELECT o.id, o.org_id, o.kind, o.state, g.path, o.reopened,"
			       " COALESCE(o.satisfaction, '')"
			       " FROM output o JOIN org g ON g.id = o.org_id WHERE o.id = ?";

int output_head(struct db *db, int64_t id, struct output_head *h)
{
	struct db_stmt *st;
	int rc;

	rc = db_prepare(db, sql_head, &st);
	if (!rc)
		rc = db_bind_int(st, 1, id);
	if (!rc)
		rc = db_step(st);
	if (rc == DB_ROW) {
		h->id = db_col_int(st, 0);
		h->org_id = db_col_int(st, 1);
		rc = copy_field(h->kind, sizeof(h->kind), db_col_text(st, 2));
		if (!rc)
			rc = copy_field(h->state, sizeof(h->state), db_col_text(st, 3));
		if (!rc)
			rc = copy_field(h->org_path, sizeof(h->org_path), db_col_text(st, 4));
		h->reopened = (int)db_col_int(st, 5);
		if (!rc)
			rc = copy_field(h->satisfaction, sizeof(h->satisfaction),
					db_col_text(st, 6));
	} else if (rc == DB_DONE) {
		rc = ERR_NOT_FOUND;
	}
	db_done(st);
	return rc;
}

#define OUTPUT_COLS                                                                                \
	"o.id, o.org_id, g.name, o.kind, o.title, o.body, o.state, o.number, o.dated_at,"          \
	" o.cosign_deadline, o.reason, o.reply_due, o.reply_text, o.reply_grade,"                  \
	" o.satisfaction, o.reopened, o.bulletin_issue, o.sent_to, o.instruction_by,"              \
	" o.instruction_text, o.submitted_at, o.accepted_at, o.assigned_at, o.replied_at,"         \
	" o.evaluated_at, o.closed_at, o.created_at, o.updated_at,"                                \
	" (o.state = 'assigned' AND o.reply_due IS NOT NULL AND o.reply_due < ?2),"                \
	" (SELECT COUNT(*) FROM adoption a WHERE a.output_id = o.id)"
#define OUTPUT_SPEC                                                                                \
	"i:id i:org_id s:org_name s:kind s:title s:body s:state s:number t:dated_at"               \
	" t:cosign_deadline s:reason t:reply_due s:reply_text s:reply_grade s:satisfaction"        \
	" b:reopened s:bulletin_issue s:sent_to s:instruction_by s:instruction_text"               \
	" t:submitted_at t:accepted_at t:assigned_at t:replied_at t:evaluated_at t:closed_at"      \
	" t:created_at t:updated_at b:overdue i:adoption_count"

static const char sql_get[] = "SELECT " OUTPUT_COLS " FROM output o JOIN org g"
			      " ON g.id = o.org_id WHERE o.id = ?1";
static const char sql_authors[] =
    "SELECT a.person_id, p.name, p.category, a.role, a.confirmed_at IS NOT NULL,"
    " a.confirmed_at FROM output_author a JOIN person p ON p.id = a.person_id"
    " WHERE a.output_id = ? ORDER BY a.role = 'cosigner', p.id";
static const char sql_handlers[] =
    "SELECT h.id, h.name, oh.role FROM output_handler oh JOIN handler h ON h.id = oh.handler_id"
    " WHERE oh.output_id = ? ORDER BY oh.role = 'co', h.id";
static const char sql_suggestions[] =
    "SELECT s.id, s.title, s.session_id, se.title FROM output_suggestion os"
    " JOIN suggestion s ON s.id = os.suggestion_id JOIN session se ON se.id = s.session_id"
    " WHERE os.output_id = ? ORDER BY s.id";
static const char sql_sessions[] =
    "SELECT se.id, se.title, se.starts_at FROM output_session os JOIN session se"
    " ON se.id = os.session_id WHERE os.output_id = ? ORDER BY se.starts_at, se.id";
static const char sql_events[] =
    "SELECT e.id, e.at, COALESCE(u.display_name, ''), e.from_state, e.to_state, e.note,"
    " e.data FROM output_event e LEFT JOIN users u ON u.id = e.user_id"
    " WHERE e.output_id = ? ORDER BY e.id";
static const char sql_adoptions[] =
    "SELECT id, kind, title, issuer, reference, date, link, note, created_at FROM adoption"
    " WHERE output_id = ? ORDER BY date, id";

static void attach(struct db *db, json_t *o, const char *key, const char *sql, int64_t id,
		   const char *spec)
{
	json_t *a = json_array();

	if (rows_json_by_id(db, sql, id, spec, a))
		json_array_clear(a);
	json_object_set_new(o, key, a);
}

static json_t *ids_of(json_t *arr, const char *key)
{
	json_t *ids = json_array(), *x;
	size_t i;

	json_array_foreach(arr, i, x) json_array_append(ids, json_object_get(x, key));
	return ids;
}

json_t *output_get(struct db *db, int64_t id)
{
	struct db_stmt *st;
	json_t *o = NULL;
	const char *body;

	if (db_prepare(db, sql_get, &st))
		return NULL;
	if (db_bind_int(st, 1, id) == ERR_OK && db_bind_int(st, 2, time_now()) == ERR_OK &&
	    db_step(st) == DB_ROW)
		o = row_json(st, OUTPUT_SPEC);
	db_done(st);
	if (!o)
		return NULL;
	body = json_string_value(json_object_get(o, "body"));
	json_object_set_new(o, "char_count",
			    json_integer((json_int_t)utf8_count(body, strlen(body))));
	json_object_set_new(
	    o, "adopted",
	    json_boolean(json_integer_value(json_object_get(o, "adoption_count")) > 0));
	attach(db, o, "authors", sql_authors, id,
	       "i:person_id s:name s:category s:role b:confirmed t:confirmed_at");
	attach(db, o, "handlers", sql_handlers, id, "i:id s:name s:role");
	attach(db, o, "suggestions", sql_suggestions, id,
	       "i:id s:title i:session_id s:session_title");
	attach(db, o, "sessions", sql_sessions, id, "i:id s:title t:starts_at");
	attach(db, o, "events", sql_events, id, "i:id t:at s:by s:from s:to s:note j:data");
	attach(db, o, "adoptions", sql_adoptions, id,
	       "i:id s:kind s:title s:issuer s:reference s:date s:link s:note t:created_at");
	json_object_set_new(o, "suggestion_ids", ids_of(json_object_get(o, "suggestions"), "id"));
	json_object_set_new(o, "session_ids", ids_of(json_object_get(o, "sessions"), "id"));
	return o;
}

/* --- who the actor is for an output --- */

static const char sql_is_author[] =
    "SELECT a.role FROM output_author a JOIN person p ON p.id = a.person_id"
    " WHERE a.output_id = ? AND p.user_id = ?";
static const char sql_is_handler[] =
    "SELECT role FROM output_handler WHERE output_id = ? AND handler_id = ?";

static int role_lookup(struct db *db, const char *sql, int64_t id, int64_t who, char *role,
		       size_t n)
{
	struct db_stmt *st;
	int rc;

	role[0] = '\0';
	rc = db_prepare(db, sql, &st);
	if (!rc)
		rc = db_bind_int(st, 1, id);
	if (!rc)
		rc = db_bind_int(st, 2, who);
	if (!rc)
		rc = db_step(st);
	if (rc == DB_ROW)
		rc = copy_field(role, n, db_col_text(st, 0));
	db_done(st);
	return rc < 0 ? rc : ERR_OK;
}

int output_role_of(struct db *db, const struct actor *a, const struct output_head *h)
{
	const char *scope = scope_path(a);
	char role[16];
	int r = 0;

	if (a->via == AUTH_SYSTEM)
		return OROLE_READER | OROLE_STAFF | OROLE_LEAD_AUTHOR | OROLE_AUTHOR |
		       OROLE_LEAD_HANDLER | OROLE_HANDLER;
	if (a->via == AUTH_NONE)
		return OROLE_NONE;
	if (strncmp(h->org_path, scope, strlen(scope)) == 0) {
		r |= OROLE_READER;
		if (a->role >= ROLE_ORGANIZER)
			r |= OROLE_STAFF;
	}
	if (a->user.id &&
	    role_lookup(db, sql_is_author, h->id, a->user.id, role, sizeof(role)) == ERR_OK &&
	    role[0]) {
		r |= OROLE_READER | OROLE_AUTHOR;
		if (strcmp(role, "lead") == 0)
			r |= OROLE_LEAD_AUTHOR;
	}
	if (a->user.handler_id &&
	    role_lookup(db, sql_is_handler, h->id, a->user.handler_id, role, sizeof(role)) ==
		ERR_OK &&
	    role[0]) {
		r |= OROLE_READER | OROLE_HANDLER;
		if (strcmp(role, "lead") == 0)
			r |= OROLE_LEAD_HANDLER;
	}
	/* an admin may record what an author said on paper */
	if ((r & OROLE_STAFF) && a->role == ROLE_ADMIN)
		r |= OROLE_LEAD_AUTHOR;
	return r;
}

int output_authorize(struct db *db, const struct actor *a, int64_t id, enum authz_op op,
		     struct output_head *out, int *role)
{
	struct output_head h;
	int r, rc;

	if (role)
		*role = OROLE_NONE;
	rc = id > 0 ? output_head(db, id, &h) : ERR_NOT_FOUND;
	if (rc == ERR_NOT_FOUND)
		return authz_decide(a, false, false);
	if (rc)
		return rc;
	r = output_role_of(db, a, &h);
	if (out)
		*out = h;
	if (role)
		*role = r;
	return authz_decide(a, (r & OROLE_READER) != 0,
			    op == AUTHZ_READ ? (r & OROLE_READER) != 0 : (r & OROLE_STAFF) != 0);
}

/* --- writing --- */

static const char sql_insert[] =
    "INSERT INTO output (org_id, kind, title, body, dated_at, cosign_deadline, created_by,"
    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_update[] = "UPDATE output SET title = ?, body = ?, dated_at = ?,"
				 " cosign_deadline = ?, updated_at = ? WHERE id = ?";
static const char sql_sug_info[] =
    "SELECT s.session_id, s.title, s.body, o.path FROM suggestion s JOIN org o"
    " ON o.id = s.org_id WHERE s.id = ?";
static const char sql_session_path[] = "SELECT o.path FROM session s JOIN org o ON o.id = s.org_id"
				       " WHERE s.id = ?";
static const char sql_person_path[] = "SELECT o.path FROM person p JOIN org o ON o.id = p.org_id"
				      " WHERE p.id = ?";
static const char sql_del_sug[] = "DELETE FROM output_suggestion WHERE output_id = ?";
static const char sql_del_ses[] = "DELETE FROM output_session WHERE output_id = ?";
static const char sql_del_auth[] = "DELETE FROM output_author WHERE output_id = ?";
static const char sql_add_sug[] = "INSERT OR IGNORE INTO output_suggestion (output_id,"
				  " suggestion_id) VALUES (?, ?)";
static const char sql_add_ses[] = "INSERT OR IGNORE INTO output_session (output_id, session_id)"
				  " VALUES (?, ?)";
static const char sql_add_auth[] = "INSERT INTO output_author (output_id, person_id, role,"
				   " confirmed_at) VALUES (?, ?, ?, ?)";

int output_path_of(struct db *db, const char *sql, int64_t id, char *out, size_t n)
{
	struct db_stmt *st;
	int rc;

	out[0] = '\0';
	rc = db_prepare(db, sql, &st);
	if (!rc)
		rc = db_bind_int(st, 1, id);
	if (!rc)
		rc = db_step(st);
	if (rc == DB_ROW)
		rc = copy_field(out, n, db_col_text(st, 0));
	db_done(st);
	return rc < 0 ? rc : ERR_OK;
}

bool output_related(const char *p, const char *org_path)
{
	return p[0] && (strncmp(p, org_path, strlen(org_path)) == 0 ||
			strncmp(org_path, p, strlen(p)) == 0);
}

static int check_links(struct db *db, const char *org_path, const struct output_in *in,
		       struct verr *e)
{
	char path[128];
	size_t i;
	int rc;

	for (i = 0; in->suggestions && i < in->nsuggestions; i++) {
		struct db_stmt *st;

		rc = db_prepare(db, sql_sug_info, &st);
		if (!rc)
			rc = db_bind_int(st, 1, in->suggestions[i]);
		if (!rc)
			rc = db_step(st);
		if (rc == DB_ROW)
			rc = output_related(db_col_text(st, 3), org_path) ? ERR_OK : ERR_INVALID;
		else if (rc == DB_DONE)
			rc = ERR_INVALID;
		db_done(st);
		if (rc == ERR_INVALID)
			return verr_set(e, "invalid", "suggestion_ids", "建议 %lld 不存在",
					"suggestion %lld does not exist",
					(long long)in->suggestions[i]);
		if (rc)
			return rc;
	}
	for (i = 0; in->sessions && i < in->nsessions; i++) {
		rc = output_path_of(db, sql_session_path, in->sessions[i], path, sizeof(path));
		if (rc)
			return rc;
		if (!output_related(path, org_path))
			return verr_set(e, "invalid", "session_ids", "深聊会 %lld 不存在",
					"session %lld does not exist", (long long)in->sessions[i]);
	}
	for (i = 0; in->authors && i < in->nauthors; i++) {
		size_t k;

		if (strcmp(in->authors[i].role, "lead") != 0 &&
		    strcmp(in->authors[i].role, "cosigner") != 0)
			return verr_set(e, "invalid", "authors",
					"作者角色须为 lead（领衔）或 cosigner（联名）",
					"an author's role must be lead or cosigner");
		for (k = 0; k < i; k++)
			if (in->authors[k].person_id == in->authors[i].person_id)
				return verr_set(e, "invalid", "authors", "同一作者列了两次",
						"an author is listed twice");
		rc = output_path_of(db, sql_person_path, in->authors[i].person_id, path,
				    sizeof(path));
		if (rc)
			return rc;
		if (!path[0])
			return verr_set(e, "invalid", "authors", "作者 %lld 不在人员库中",
					"author %lld is not in the people registry",
					(long long)in->authors[i].person_id);
	}
	return ERR_OK;
}

static int count_leads(const struct output_in *in)
{
	size_t i;
	int n = 0;

	for (i = 0; in->authors && i < in->nauthors; i++)
		n += strcmp(in->authors[i].role, "lead") == 0;
	return n;
}

int output_check_kind(const char *kind, const char *body, int leads, struct verr *e)
{
	size_t chars = utf8_count(body, strlen(body));

	if (strcmp(kind, "opinion_report") == 0 && chars > OPINION_REPORT_MAX_CHARS)
		return verr_set(e, "too_long", "body",
				"社情民意信息最多 %d 字，现为 %zu 字，请精简 %zu 字",
				"an opinion report has at most %d characters; this one has %zu "
				"(%zu too many)",
				OPINION_REPORT_MAX_CHARS, chars, chars - OPINION_REPORT_MAX_CHARS);
	if (strcmp(kind, "proposal") == 0 && leads != 1)
		return verr_set(e, "invalid", "authors",
				leads ? "提案只能有一位领衔人" : "提案需要一位领衔人（role: lead）",
				leads ? "a proposal has exactly one lead author"
				      : "a proposal needs a lead author (role: lead)");
	return ERR_OK;
}

/* prefill writes the draft text made from the suggestions into out. */
static int prefill(struct db *db, const struct output_in *in, struct buf *out)
{
	size_t i;
	int rc = ERR_OK;

	for (i = 0; !rc && i < in->nsuggestions; i++) {
		struct db_stmt *st;

		rc = db_prepare(db, sql_sug_info, &st);
		if (!rc)
			rc = db_bind_int(st, 1, in->suggestions[i]);
		if (!rc && db_step(st) == DB_ROW)
			rc = buf_printf(out, "%s%zu. %s\n%s\n", i ? "\n" : "", i + 1,
					db_col_text(st, 1), db_col_text(st, 2));
		db_done(st);
	}
	return rc;
}

static int set_links(struct db *db, int64_t id, const struct output_in *in)
{
	struct db_stmt *st;
	size_t i;
	int rc = ERR_OK;

	if (in->suggestions || in->sessions) {
		rc = db_prepare(db, sql_del_sug, &st);
		if (!rc)
			rc = db_bind_int(st, 1, id);
		if (!rc)
			rc = db_run(st);
		if (!rc)
			rc = db_prepare(db, sql_del_ses, &st);
		if (!rc)
			rc = db_bind_int(st, 1, id);
		if (!rc)
			rc = db_run(st);
		for (i = 0; !rc && in->suggestions && i < in->nsuggestions; i++) {
			int64_t session = 0;

			rc = db_prepare(db, sql_add_sug, &st);
			if (!rc)
				rc = db_bind_int(st, 1, id);
			if (!rc)
				rc = db_bind_int(st, 2, in->suggestions[i]);
			if (!rc)
				rc = db_run(st);
			if (!rc)
				rc = db_prepare(db, sql_sug_info, &st);
			if (!rc)
				rc = db_bind_int(st, 1, in->suggestions[i]);
			if (!rc && db_step(st) == DB_ROW)
				session = db_col_int(st, 0);
			db_done(st);
			if (!rc)
				rc = db_prepare(db, sql_add_ses, &st);
			if (!rc)
				rc = db_bind_int(st, 1, id);
			if (!rc)
				rc = db_bind_int(st, 2, session);
			if (!rc)
				rc = db_run(st);
		}
		for (i = 0; !rc && in->sessions && i < in->nsessions; i++) {
			rc = db_prepare(db, sql_add_ses, &st);
			if (!rc)
				rc = db_bind_int(st, 1, id);
			if (!rc)
				rc = db_bind_int(st, 2, in->sessions[i]);
			if (!rc)
				rc = db_run(st);
		}
	}
	if (!rc && in->authors) {
		rc = db_prepare(db, sql_del_auth, &st);
		if (!rc)
			rc = db_bind_int(st, 1, id);
		if (!rc)
			rc = db_run(st);
		for (i = 0; !rc && i < in->nauthors; i++) {
			rc = db_prepare(db, sql_add_auth, &st);
			if (!rc)
				rc = db_bind_int(st, 1, id);
			if (!rc)
				rc = db_bind_int(st, 2, in->authors[i].person_id);
			if (!rc)
				rc = db_bind_str(st, 3, in->authors[i].role);
			/* the lead author signs by leading; co-signers confirm themselves */
			if (!rc)
				rc = strcmp(in->authors[i].role, "lead") == 0
					 ? db_bind_int(st, 4, time_now())
					 : db_bind_null(st, 4);
			if (!rc)
				rc = db_run(st);
		}
	}
	return rc;
}

int output_create(struct db *db, const struct actor *who, int64_t org_id,
		  const struct output_in *in, int64_t *id, struct verr *e)
{
	struct db_stmt *st;
	struct buf body;
	struct org org;
	int64_t now = time_now();
	json_t *after;
	int rc;

	if (!in->kind)
		return verr_set(e, "required", "kind", "请选择成果类型", "kind is required");
	if (!kind_valid(in->kind))
		return verr_set(e, "invalid", "kind",
				"成果类型须为 proposal、opinion_report、research_report、speech 或 "
				"special_report",
				"kind must be proposal, opinion_report, research_report, speech or "
				"special_report");
	if (!in->title)
		return verr_set(e, "required", "title", "请填写标题", "title is required");
	rc = text_check(in->title, "title", 1, 200, e);
	if (rc)
		return rc;
	rc = org_get(db, org_id, &org);
	if (!rc)
		rc = check_links(db, org.path, in, e);
	if (rc)
		return rc;
	buf_init(&body, 1 << 20);
	if (in->body && *in->body)
		rc = buf_puts(&body, in->body);
	else
		rc = prefill(db, in, &body);
	if (rc == ERR_TOO_BIG)
		rc = verr_set(e, "too_long", "body", "正文过长", "the body is too long");
	if (!rc)
		rc = text_check(buf_cstr(&body), "body", 0, 200000, e);
	if (!rc)
		rc = output_check_kind(in->kind, buf_cstr(&body), count_leads(in), e);
	if (!rc)
		rc = db_prepare(db, sql_insert, &st);
	if (!rc)
		rc = db_bind_int(st, 1, org_id);
	if (!rc)
		rc = db_bind_str(st, 2, in->kind);
	if (!rc)
		rc = db_bind_str(st, 3, in->title);
	if (!rc)
		rc = db_bind_str(st, 4, buf_cstr(&body));
	if (!rc)
		rc = db_bind_int(st, 5, in->dated_at ? in->dated_at : now);
	if (!rc)
		rc =
		    db_bind_int(st, 6, in->cosign_deadline ? in->cosign_deadline : now + 7 * 86400);
	if (!rc)
		rc = who->user.id ? db_bind_int(st, 7, who->user.id) : db_bind_null(st, 7);
	if (!rc)
		rc = db_bind_int(st, 8, now);
	if (!rc)
		rc = db_bind_int(st, 9, now);
	if (!rc)
		rc = db_run(st);
	buf_fini(&body);
	if (rc)
		return rc;
	*id = db_last_id(db);
	rc = set_links(db, *id, in);
	if (rc)
		return rc;
	after = output_get(db, *id);
	rc = audit_write(db, who, org_id, "output.create", "output", *id, NULL, after);
	json_decref(after);
	return rc;
}

int output_update(struct db *db, const struct actor *who, int64_t id, const struct output_in *in,
		  struct verr *e)
{
	json_t *before = output_get(db, id), *after;
	struct output_head h;
	struct db_stmt *st;
	const char *title, *body;
	int64_t dated, deadline;
	int rc, leads = 0;
	size_t i;
	json_t *a;

	if (!before)
		return ERR_NOT_FOUND;
	rc = output_head(db, id, &h);
	if (rc)
		goto out;
	if (strcmp(h.state, "draft") != 0) {
		rc =
		    verr_set(e, "not_draft", "state", "成果已提交（%s），不能再修改",
			     "the output was submitted (%s) and can no longer be changed", h.state);
		rc = ERR_CONFLICT;
		goto out;
	}
	if (in->kind && strcmp(in->kind, h.kind) != 0) {
		rc = verr_set(e, "invalid", "kind", "成果类型不能修改", "the kind cannot change");
		goto out;
	}
	title = merged_text(in->title, before, "title");
	body = merged_text(in->body, before, "body");
	rc = text_check(title, "title", 1, 200, e);
	if (!rc)
		rc = text_check(body, "body", 0, 200000, e);
	if (!rc)
		rc = check_links(db, h.org_path, in, e);
	if (in->authors) {
		leads = count_leads(in);
	} else {
		json_array_foreach(json_object_get(before, "authors"), i, a) leads +=
		    strcmp(json_string_value(json_object_get(a, "role")), "lead") == 0;
	}
	if (!rc)
		rc = output_check_kind(h.kind, body, leads, e);
	if (rc)
		goto out;
	dated = in->dated_at;
	deadline = in->cosign_deadline;
	if (!dated && time_parse(json_string_value(json_object_get(before, "dated_at")), &dated))
		dated = time_now();
	if (!deadline &&
	    (!json_is_string(json_object_get(before, "cosign_deadline")) ||
	     time_parse(json_string_value(json_object_get(before, "cosign_deadline")), &deadline)))
		deadline = time_now() + 7 * 86400;
	rc = db_prepare(db, sql_update, &st);
	if (!rc)
		rc = db_bind_str(st, 1, title);
	if (!rc)
		rc = db_bind_str(st, 2, body);
	if (!rc)
		rc = db_bind_int(st, 3, dated);
	if (!rc)
		rc = db_bind_int(st, 4, deadline);
	if (!rc)
		rc = db_bind_int(st, 5, time_now());
	if (!rc)
		rc = db_bind_int(st, 6, id);
	if (!rc)
		rc = db_run(st);
	if (!rc)
		rc = set_links(db, id, in);
	if (!rc) {
		after = output_get(db, id);
		rc = audit_write(db, who, h.org_id, "output.update", "output", id, before, after);
		json_decref(after);
	}
out:
	json_decref(before);
	return rc;
}

/* --- lists --- */

static const char sql_list[] =
    "SELECT " OUTPUT_COLS " FROM output o JOIN org g ON g.id = o.org_id"
    " WHERE o.id > ?1"
    " AND (substr(g.path, 1, length(?3)) = ?3"
    "  OR (?4 != 0 AND EXISTS (SELECT 1 FROM output_handler oh WHERE oh.output_id = o.id"
    "   AND oh.handler_id = ?4))"
    "  OR (?5 != 0 AND EXISTS (SELECT 1 FROM output_author a JOIN person p"
    "   ON p.id = a.person_id WHERE a.output_id = o.id AND p.user_id = ?5)))"
    " AND (?6 IS NULL OR o.kind = ?6) AND (?7 IS NULL OR o.state = ?7)"
    " AND (?8 = 0 OR (o.dated_at >= ?9 AND o.dated_at < ?10))"
    " AND (?11 = 0 OR (o.state = 'assigned' AND o.reply_due < ?2))"
    " ORDER BY o.id LIMIT ?12";

int output_list(struct db *db, const struct actor *a, const struct output_filter *f, int64_t after,
		int limit, json_t *items)
{
	struct db_stmt *st;
	int64_t from = 0, to = 0;
	int rc;

	if (f->year) {
		char y0[24], y1[24];

		snprintf(y0, sizeof(y0), "%04d-01-01", f->year);
		snprintf(y1, sizeof(y1), "%04d-01-01", f->year + 1);
		if (time_parse(y0, &from) || time_parse(y1, &to))
			return ERR_INVALID;
	}
	rc = db_prepare(db, sql_list, &st);
	if (!rc)
		rc = db_bind_int(st, 1, after);
	if (!rc)
		rc = db_bind_int(st, 2, time_now());
	if (!rc)
		rc = db_bind_str(st, 3, scope_path(a));
	if (!rc)
		rc = db_bind_int(st, 4, a->user.handler_id);
	if (!rc)
		rc = db_bind_int(st, 5, a->user.id);
	if (!rc)
		rc = db_bind_str(st, 6, f->kind);
	if (!rc)
		rc = db_bind_str(st, 7, f->state);
	if (!rc)
		rc = db_bind_int(st, 8, f->year);
	if (!rc)
		rc = db_bind_int(st, 9, from);
	if (!rc)
		rc = db_bind_int(st, 10, to);
	if (!rc)
		rc = db_bind_int(st, 11, f->overdue);
	if (!rc)
		rc = db_bind_int(st, 12, limit);
	if (rc) {
		db_done(st);
		return rc;
	}
	rc = rows_json(st, OUTPUT_SPEC, items);
	return rc < 0 ? rc : ERR_OK;
}
