/*
 * sessions.c - deep-talk sessions (深聊会) and their record: JSON API and pages.
 *
 * Who may do what: anyone may read a public session that is not a draft; people of the
 * session's body (and the bodies above it) and of its linked bodies may read an internal
 * one; organizers and admins of the session's body (or above) change it; once closed, its
 * record is read-only except for admins. Invitees answer their own invitations.
 */
#include "web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "model/person.h"
#include "model/session.h"
#include "view/markdown.h"
#include "view/view.h"

#define MAX_LINKED 32
#define MAX_REFS   64

/* read_time reads an optional time field into *out (-1 when absent, 0 when empty). */
static int read_time(struct web_ctx *c, const char *name, int64_t *out, struct verr *e)
{
	bool bad = false;
	const char *v = web_field(c, name, &bad);

	*out = -1;
	if (bad)
		return verr_type(e, name, "时间字符串", "a time string");
	if (!v)
		return ERR_OK;
	if (!*v) {
		*out = 0;
		return ERR_OK;
	}
	if (time_parse(v, out))
		return verr_set(e, "invalid", name,
				"%s 须为时间，如 2024-07-10T14:30（北京时间）或带时区的 ISO 8601",
				"%s must be a time such as 2024-07-10T14:30 (Beijing time) or ISO "
				"8601 with an offset",
				name);
	return ERR_OK;
}

/* read_session fills in from the request. linked receives the linked org ids. */
static int read_session(struct web_ctx *c, struct session_in *in, int64_t *linked, struct verr *e)
{
	static const char *const names[] = {"title",	      "summary",    "venue",
					    "organizer_unit", "department", "visibility"};
	const char **dst[] = {&in->title,	   &in->summary,    &in->venue,
			      &in->organizer_unit, &in->department, &in->visibility};
	const char *fmts[8];
	size_t i, n;
	bool present;
	int64_t v;
	int rc;

	session_in_init(in);
	for (i = 0; i < ARRAY_LEN(names); i++) {
		bool bad = false;

		*dst[i] = web_field(c, names[i], &bad);
		if (bad)
			return verr_type(e, names[i], "字符串", "a string");
	}
	if (web_int_field(c, "topic_id", &v, &present))
		return verr_type(e, "topic_id", "整数", "an integer");
	if (present)
		in->topic_id = v > 0 ? v : -1;
	rc = read_time(c, "starts_at", &in->starts_at, e);
	if (!rc)
		rc = read_time(c, "ends_at", &in->ends_at, e);
	if (rc)
		return rc;
	rc = web_list_field(c, "formats", fmts, ARRAY_LEN(fmts), &n, &present);
	if (rc)
		return verr_type(e, "formats", "形式名称的数组", "an array of format names");
	if (present) {
		in->formats = 0;
		for (i = 0; i < n; i++) {
			int f = format_parse(fmts[i]);

			if (!f)
				return verr_set(e, "invalid", "formats",
						"未知的形式“%s”（可选 expert、counterpart、sector、"
						"joint）",
						"unknown format '%s' (expert, counterpart, sector, "
						"joint)",
						fmts[i]);
			in->formats |= f;
		}
	}
	rc = web_id_list_field(c, "linked_org_ids", linked, MAX_LINKED, &n, &present);
	if (rc)
		return verr_type(e, "linked_org_ids", "组织编号的数组", "an array of org ids");
	if (present) {
		in->linked_orgs = linked;
		in->nlinked = n;
	}
	return ERR_OK;
}

/* load_session loads session {id} (or id when given) for the caller: ERR_NOT_FOUND,
 * ERR_AUTH (anonymous, not public), ERR_FORBIDDEN; with edit, the caller must be able to
 * change it. */
static int load_session(struct web_ctx *c, int64_t id, bool edit, struct session_head *h)
{
	int rc;

	if (!id)
		id = web_id(c, "id");
	if (!id)
		return ERR_NOT_FOUND;
	rc = session_head(c->db, id, h);
	if (rc)
		return rc;
	if (!session_visible(c->db, &c->actor, h))
		return c->actor.via == AUTH_NONE ? ERR_AUTH : ERR_FORBIDDEN;
	if (edit && !session_editable(&c->actor, h))
		return ERR_FORBIDDEN;
	return ERR_OK;
}

static int answer_err(struct web_ctx *c, int rc, const struct verr *e)
{
	if (rc == ERR_AUTH)
		return web_error_key(c, 401, "unauthorized");
	return web_answer(c, rc, e);
}

static json_t *session_for(struct web_ctx *c, int64_t id, bool detail)
{
	struct session_head h;
	bool names = false;

	if (session_head(c->db, id, &h) == ERR_OK)
		names = c->actor.via != AUTH_NONE && strncmp(h.org_path, scope_path(&c->actor),
							     strlen(scope_path(&c->actor))) == 0;
	return session_get(c->db, id, detail, names);
}

static int answer_session(struct web_ctx *c, int status, int64_t id)
{
	json_t *s = session_for(c, id, true);

	return s ? web_json(c, status, s) : web_fail(c, ERR_NOT_FOUND);
}

static int create_session(struct web_ctx *c, int64_t *id, struct verr *e)
{
	int64_t linked[MAX_LINKED], org_id = c->actor.org.id;
	struct session_in in;
	struct topic_head th;
	int rc;

	rc = read_session(c, &in, linked, e);
	if (rc)
		return rc;
	if (in.topic_id < 0)
		return verr_set(e, "invalid", "topic_id", "议题不存在", "no such topic");
	/* the session belongs to its topic's body, which must be within the caller's scope */
	if (in.topic_id > 0) {
		rc = topic_head(c->db, in.topic_id, &th);
		if (rc == ERR_NOT_FOUND)
			return verr_set(e, "invalid", "topic_id", "议题不存在", "no such topic");
		if (rc)
			return rc;
		if (strncmp(th.org_path, scope_path(&c->actor), strlen(scope_path(&c->actor))) != 0)
			return ERR_FORBIDDEN;
		org_id = th.org_id;
	}
	rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, session_create(c->db, &c->actor, org_id, &in, id, e));
	return rc;
}

int h_api_sessions_list(struct web_ctx *c)
{
	struct session_filter f = {0};
	const char *y = http_query(c->req, "year");
	json_t *items;
	int64_t after, v;
	int limit, rc;

	if (web_page(c, &limit, &after))
		return 0;
	if (y && num_parse(y, strlen(y), 1900, 9999, &v))
		return web_error(c, 400, "invalid", "year", "年份无效", "year is not valid");
	f.year = y ? (int)v : 0;
	f.domain = http_query(c->req, "domain");
	f.status = http_query(c->req, "status");
	f.public_only = c->actor.via == AUTH_NONE;
	items = json_array();
	rc = session_list(c->db, &c->actor, &f, after, limit + 1, items);
	if (rc) {
		json_decref(items);
		return web_fail(c, rc);
	}
	return web_list(c, items, limit);
}

int h_api_sessions_create(struct web_ctx *c)
{
	struct verr e;
	int64_t id;
	int rc = create_session(c, &id, &e);

	return rc ? web_answer(c, rc, &e) : answer_session(c, 201, id);
}

int h_api_session_get(struct web_ctx *c)
{
	struct session_head h;
	int rc = load_session(c, 0, false, &h);

	return rc ? answer_err(c, rc, NULL) : answer_session(c, 200, h.id);
}

int h_api_session_patch(struct web_ctx *c)
{
	int64_t linked[MAX_LINKED];
	struct session_head h;
	struct session_in in;
	struct verr e;
	int rc = load_session(c, 0, true, &h);

	if (!rc && !session_record_open(&c->actor, &h))
		rc = (verr_set(&e, "closed", "status", "深聊会已结束，记录只读（仅管理员可修改）",
			       "the session is closed: its record is read-only except for admins"),
		      ERR_CONFLICT);
	if (!rc)
		rc = read_session(c, &in, linked, &e);
	if (!rc && in.topic_id < 0)
		rc = verr_set(&e, "invalid", "topic_id", "议题不存在", "no such topic");
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, session_update(c->db, &c->actor, h.id, &in, &e));
	return rc ? answer_err(c, rc, &e) : answer_session(c, 200, h.id);
}

/* record_action loads session {id} for a change of its record: the caller must be able to
 * edit it and the record must be open to them. */
static int record_action(struct web_ctx *c, struct session_head *h, struct verr *e)
{
	int rc = load_session(c, 0, true, h);

	if (!rc && !session_record_open(&c->actor, h))
		return verr_set(e, "closed", "status", "深聊会已结束，记录只读（仅管理员可修改）",
				"the session is closed: its record is read-only except for admins"),
		       ERR_CONFLICT;
	return rc;
}

static int int_field(struct web_ctx *c, const char *name, int64_t *v, struct verr *e)
{
	bool present;

	*v = 0;
	if (web_int_field(c, name, v, &present))
		return verr_type(e, name, "整数", "an integer");
	return ERR_OK;
}

static int str_field(struct web_ctx *c, const char *name, const char **v, struct verr *e)
{
	bool bad = false;

	*v = web_field(c, name, &bad);
	return bad ? verr_type(e, name, "字符串", "a string") : ERR_OK;
}

/* created answers 201 {"id": id, ...} with the session's record as it now is. */
static int created(struct web_ctx *c, int64_t session_id, int64_t id, const char *list)
{
	json_t *s = session_for(c, session_id, true), *arr, *x, *found = NULL;
	size_t i;

	if (!s)
		return web_fail(c, ERR_NOT_FOUND);
	arr = json_object_get(s, list);
	json_array_foreach(arr, i, x) if (json_integer_value(json_object_get(x, "id")) == id)
	    found = x;
	x = found ? json_deep_copy(found) : json_pack("{sI}", "id", (json_int_t)id);
	json_object_set_new(x, "session_id", json_integer(session_id));
	json_decref(s);
	return web_json(c, 201, x);
}

/* --- changes to a session's record, shared by the API and the page forms --- */

/* Each operation reads its fields, acts in one transaction, and reports the new object's
 * id; the session head is loaded and authorized by the caller. */
struct record_op {
	const char *name; /* the page form's path segment */
	const char *list; /* where the new object appears in the session JSON */
	bool record;	  /* a change of the record (closed: admins only) */
	int (*act)(struct web_ctx *c, struct session_head *h, int64_t *id, struct verr *e);
};

static int act_invite(struct web_ctx *c, struct session_head *h, int64_t *id, struct verr *e)
{
	const char *role = NULL;
	int64_t person = 0;
	int rc;

	if (strcmp(h->status, "closed") == 0 || strcmp(h->status, "archived") == 0)
		return verr_set(e, "closed", "status", "深聊会已结束，不能再邀请",
				"the session is closed: no more invitations"),
		       ERR_CONFLICT;
	rc = int_field(c, "person_id", &person, e);
	if (!rc)
		rc = str_field(c, "role", &role, e);
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, invitation_add(c->db, &c->actor, h->id, person, role, id, e));
	return rc;
}

static int act_attend(struct web_ctx *c, struct session_head *h, int64_t *id, struct verr *e)
{
	int64_t person = 0;
	bool attended = true, present;
	int rc;

	rc = int_field(c, "person_id", &person, e);
	if (!rc && web_bool_field(c, "attended", &attended, &present))
		rc = verr_type(e, "attended", "布尔值", "a boolean");
	if (!rc && c->json && !present)
		attended = true;
	if (!rc && !person)
		rc = verr_set(e, "required", "person_id", "请选择人员", "person_id is required");
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, invitation_attend(c->db, &c->actor, h->id, person, attended, e));
	*id = person;
	return rc;
}

static int act_remark(struct web_ctx *c, struct session_head *h, int64_t *id, struct verr *e)
{
	const char *role = NULL, *body = NULL;
	int64_t person = 0;
	int rc;

	rc = int_field(c, "person_id", &person, e);
	if (!rc)
		rc = str_field(c, "role", &role, e);
	if (!rc)
		rc = str_field(c, "body", &body, e);
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, remark_add(c->db, &c->actor, h->id, person, role, body, id, e));
	return rc;
}

static int act_commitment(struct web_ctx *c, struct session_head *h, int64_t *id, struct verr *e)
{
	const char *owner = NULL, *body = NULL, *due = NULL;
	int64_t owner_id = 0;
	int rc;

	rc = str_field(c, "owner", &owner, e);
	if (!rc)
		rc = int_field(c, "owner_id", &owner_id, e);
	if (!rc)
		rc = str_field(c, "body", &body, e);
	if (!rc)
		rc = str_field(c, "due_date", &due, e);
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(
		    c, commitment_add(c->db, &c->actor, h->id, owner, owner_id, body, due, id, e));
	return rc;
}

static int act_point(struct web_ctx *c, struct session_head *h, int64_t *id, struct verr *e)
{
	const char *kind = NULL, *body = NULL;
	int rc;

	rc = str_field(c, "kind", &kind, e);
	if (!rc)
		rc = str_field(c, "body", &body, e);
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, point_add(c->db, &c->actor, h->id, kind, body, id, e));
	return rc;
}

static int read_sources(struct web_ctx *c, struct source_ref *out, size_t *n, struct verr *e);

static int act_suggestion(struct web_ctx *c, struct session_head *h, int64_t *id, struct verr *e)
{
	struct source_ref sources[MAX_REFS];
	int64_t proposers[MAX_REFS];
	size_t np = 0, ns = 0;
	const char *title = NULL, *body = NULL;
	bool present;
	int rc;

	rc = str_field(c, "title", &title, e);
	if (!rc)
		rc = str_field(c, "body", &body, e);
	if (!rc && web_id_list_field(c, "proposer_ids", proposers, MAX_REFS, &np, &present))
		rc = verr_type(e, "proposer_ids", "人员编号的数组", "an array of person ids");
	if (!rc)
		rc = read_sources(c, sources, &ns, e);
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, suggestion_add(c->db, &c->actor, h->id, title, body, proposers,
						  np, sources, ns, id, e));
	return rc;
}

static int act_transition(struct web_ctx *c, struct session_head *h, int64_t *id, struct verr *e)
{
	const char *to = NULL;
	int rc;

	*id = h->id;
	rc = str_field(c, "to", &to, e);
	if (!rc && (!to || !*to))
		rc = verr_set(e, "required", "to", "请指明目标状态（to）",
			      "the target status (to) is required");
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, session_transition(c->db, &c->actor, h->id, to, e));
	return rc;
}

static const struct record_op ops[] = {
    {"invitations", "invitations", false, act_invite},
    {"attendance", NULL, true, act_attend},
    {"remarks", "remarks", true, act_remark},
    {"commitments", "commitments", true, act_commitment},
    {"points", NULL, true, act_point},
    {"suggestions", "suggestions", true, act_suggestion},
    {"transition", NULL, false, act_transition},
};

static const struct record_op *op_named(const char *name)
{
	size_t i;

	for (i = 0; name && i < ARRAY_LEN(ops); i++)
		if (strcmp(ops[i].name, name) == 0)
			return &ops[i];
	return NULL;
}

/* run_op loads session {id} for op and runs it. */
static int run_op(struct web_ctx *c, const struct record_op *op, struct session_head *h,
		  int64_t *id, struct verr *e)
{
	int rc = op->record ? record_action(c, h, e) : load_session(c, 0, true, h);

	return rc ? rc : op->act(c, h, id, e);
}

/* api_op answers an API call of op: 201 with the new object (200 for attendance and
 * transitions, which change what exists). */
static int api_op(struct web_ctx *c, const char *name)
{
	const struct record_op *op = op_named(name);
	struct session_head h;
	struct verr e;
	int64_t id = 0;
	int rc = run_op(c, op, &h, &id, &e);

	if (rc)
		return answer_err(c, rc, &e);
	if (op->act == act_transition)
		return answer_session(c, 200, h.id);
	if (op->act == act_attend) {
		bool attended = true, present;

		if (web_bool_field(c, "attended", &attended, &present) || !present)
			attended = true;
		return web_json(c, 200,
				json_pack("{sI sI sb}", "session_id", (json_int_t)h.id, "person_id",
					  (json_int_t)id, "attended", attended));
	}
	if (op->act == act_suggestion) {
		json_t *s = suggestion_get(c->db, id);

		return s ? web_json(c, 201, s) : web_fail(c, ERR_NOT_FOUND);
	}
	if (op->act == act_point) {
		const char *kind = web_field(c, "kind", NULL);

		return created(c, h.id, id,
			       kind && strcmp(kind, "agreed") == 0 ? "agreed" : "differences");
	}
	return created(c, h.id, id, op->list);
}

int h_api_session_transition(struct web_ctx *c)
{
	return api_op(c, "transition");
}

int h_api_invitations_create(struct web_ctx *c)
{
	return api_op(c, "invitations");
}

int h_api_attendance(struct web_ctx *c)
{
	return api_op(c, "attendance");
}

int h_api_remarks_create(struct web_ctx *c)
{
	return api_op(c, "remarks");
}

int h_api_commitments_create(struct web_ctx *c)
{
	return api_op(c, "commitments");
}

int h_api_points_create(struct web_ctx *c)
{
	return api_op(c, "points");
}

int h_api_suggestions_create(struct web_ctx *c)
{
	return api_op(c, "suggestions");
}

int h_api_invitation_answer(struct web_ctx *c)
{
	struct verr e;
	const char *answer = NULL;
	int64_t id = web_id(c, "id");
	int rc = id ? ERR_OK : ERR_NOT_FOUND;

	if (!rc)
		rc = str_field(c, "answer", &answer, &e);
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, invitation_answer(c->db, &c->actor, id, answer, &e));
	if (rc)
		return answer_err(c, rc, &e);
	return web_json(c, 200, json_pack("{sI ss}", "id", (json_int_t)id, "rsvp", answer));
}

int h_api_my_invitations(struct web_ctx *c)
{
	return web_json(c, 200,
			json_pack("{so so}", "items", invitations_of_user(c->db, c->actor.user.id),
				  "next", json_null()));
}

static const char sql_commitment_session[] = "SELECT session_id FROM commitment WHERE id = ?";

int h_api_commitment_patch(struct web_ctx *c)
{
	struct session_head h;
	struct db_stmt *st;
	struct verr e;
	const char *status = NULL;
	int64_t id = web_id(c, "id"), sid = 0;
	int rc;

	rc = db_prepare(c->db, sql_commitment_session, &st);
	if (!rc)
		rc = db_bind_int(st, 1, id);
	if (!rc)
		rc = db_step(st);
	if (rc == DB_ROW) {
		sid = db_col_int(st, 0);
		rc = ERR_OK;
	} else if (rc == DB_DONE) {
		rc = ERR_NOT_FOUND;
	}
	db_done(st);
	/* following a commitment up goes on after the session closed */
	if (!rc)
		rc = load_session(c, sid, true, &h);
	if (!rc)
		rc = str_field(c, "status", &status, &e);
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, commitment_set_status(c->db, &c->actor, id, status, &e));
	if (rc)
		return answer_err(c, rc, &e);
	return web_json(c, 200, json_pack("{sI ss}", "id", (json_int_t)id, "status", status));
}

/* read_sources reads "sources": JSON [{"kind","id"}], or form values "remark:12". */
static int read_sources(struct web_ctx *c, struct source_ref *out, size_t *n, struct verr *e)
{
	json_t *v, *x;
	size_t i;

	*n = 0;
	if (c->json) {
		v = json_object_get(c->json, "sources");
		if (!v || json_is_null(v))
			return ERR_OK;
		if (!json_is_array(v))
			return verr_type(e, "sources", "数组", "an array");
		json_array_foreach(v, i, x)
		{
			const char *k = json_string_value(json_object_get(x, "kind"));
			json_t *id = json_object_get(x, "id");

			if (!k || !json_is_integer(id) || strlen(k) >= sizeof(out[0].kind))
				return verr_set(
				    e, "invalid", "sources",
				    "来源须为 {\"kind\":\"remark\",\"id\":编号}",
				    "each source must be {\"kind\":\"remark\",\"id\":N}");
			if (*n == MAX_REFS)
				return verr_set(e, "too_long", "sources", "来源过多",
						"too many sources");
			snprintf(out[*n].kind, sizeof(out[*n].kind), "%s", k);
			out[*n].id = json_integer_value(id);
			(*n)++;
		}
		return ERR_OK;
	}
	{
		const char *vals[MAX_REFS];
		size_t m;
		bool present;

		if (web_list_field(c, "sources", vals, MAX_REFS, &m, &present))
			return verr_set(e, "too_long", "sources", "来源过多", "too many sources");
		for (i = 0; i < m; i++) {
			const char *colon = strchr(vals[i], ':');

			if (!colon || (size_t)(colon - vals[i]) >= sizeof(out[0].kind) ||
			    num_parse(colon + 1, strlen(colon + 1), 1, INT64_MAX, &out[*n].id))
				return verr_set(e, "invalid", "sources", "来源格式错误",
						"malformed source");
			memcpy(out[*n].kind, vals[i], (size_t)(colon - vals[i]));
			out[*n].kind[colon - vals[i]] = '\0';
			(*n)++;
		}
	}
	return ERR_OK;
}

/* --- duty records (the search is in search.c) --- */

int h_api_person_duty(struct web_ctx *c)
{
	const char *y = http_query(c->req, "year");
	int64_t id = web_id(c, "id"), year;
	int rc = person_authorize(c->db, &c->actor, id, AUTHZ_READ, NULL, NULL);

	if (rc)
		return web_answer(c, rc, NULL);
	if (!y || num_parse(y, strlen(y), 1900, 9999, &year))
		year = time_year(time_now());
	return web_json(c, 200, duty_record_json(c->db, id, (int)year));
}

int h_api_duty_points(struct web_ctx *c)
{
	static const char *const kinds[] = {"attended", "remark", "adopted"};
	json_t *o = json_object();
	size_t i;

	for (i = 0; i < ARRAY_LEN(kinds); i++)
		json_object_set_new(o, kinds[i],
				    json_integer(duty_points_of(c->db, c->actor.org.id, kinds[i])));
	return web_json(c, 200, o);
}

int h_api_duty_points_set(struct web_ctx *c)
{
	static const char *const kinds[] = {"attended", "remark", "adopted"};
	struct verr e;
	size_t i;
	int rc;

	rc = web_begin(c);
	for (i = 0; !rc && i < ARRAY_LEN(kinds); i++) {
		int64_t v;
		bool present;

		if (web_int_field(c, kinds[i], &v, &present))
			rc = verr_type(&e, kinds[i], "整数", "an integer");
		else if (present)
			rc = duty_set_points(c->db, &c->actor, c->actor.org.id, kinds[i],
					     v > 100000 ? 100000 : (int)v, &e);
	}
	rc = web_finish(c, rc);
	return rc ? web_answer(c, rc, &e) : h_api_duty_points(c);
}

/* --- pages --- */

static const char *const month_fmt = "%Y-%m-%d %H:%M";

/* when_text formats a stored "…+08:00" time for people ("2024-07-10 14:30"). */
static void when_text(const char *iso, char *out, size_t n)
{
	int64_t t;

	if (!iso || time_parse(iso, &t)) {
		snprintf(out, n, "%s", "");
		return;
	}
	time_fmt(t, month_fmt, out, n);
}

/* label_formats adds "format_labels" to s from its "formats". */
static void label_formats(struct web_ctx *c, json_t *s)
{
	json_t *labels = json_array(), *f;
	char key[48];
	size_t i;

	json_array_foreach(json_object_get(s, "formats"), i, f)
	{
		snprintf(key, sizeof(key), "format_%s", json_string_value(f));
		json_array_append_new(labels, json_string(view_text(c->lang, key)));
	}
	json_object_set_new(s, "format_labels", labels);
}

static void label_one(struct web_ctx *c, json_t *o, const char *field, const char *prefix,
		      const char *out)
{
	const char *v = json_string_value(json_object_get(o, field));
	char key[96];

	snprintf(key, sizeof(key), "%s%s", prefix, v ? v : "");
	json_object_set_new(o, out, json_string(view_text(c->lang, key)));
}

enum { SESSIONS_PER_PAGE = 50 };

/* page_link gives the /sessions address of another page with the same filters. */
static json_t *page_link(const struct session_filter *f, int page)
{
	char url[256];
	int n = snprintf(url, sizeof(url), "/sessions?page=%d", page);

	if (f->year)
		n += snprintf(url + n, sizeof(url) - (size_t)n, "&year=%d", f->year);
	if (f->domain &&
	    strspn(f->domain, "abcdefghijklmnopqrstuvwxyz0123456789_-") == strlen(f->domain) &&
	    strlen(f->domain) < 64)
		snprintf(url + n, sizeof(url) - (size_t)n, "&domain=%s", f->domain);
	return json_string(url);
}

int h_sessions_page(struct web_ctx *c)
{
	struct session_filter f = {0};
	const char *y = http_query(c->req, "year"), *d = http_query(c->req, "domain");
	const char *p = http_query(c->req, "page");
	int page = 1;
	bool more;
	json_t *items = json_array(), *groups = json_array(), *years = json_array(), *s, *g = NULL;
	json_t *domains, *dd;
	int64_t v, cur_year = -1, now_year = time_year(time_now());
	size_t i;
	char date[32];

	if (y && *y && num_parse(y, strlen(y), 1900, 9999, &v) == ERR_OK)
		f.year = (int)v;
	f.domain = d && *d ? d : NULL;
	f.public_only = c->actor.via == AUTH_NONE;
	f.by_start = true;
	if (p && *p && num_parse(p, strlen(p), 1, 100000, &v) == ERR_OK)
		page = (int)v;
	f.offset = (page - 1) * SESSIONS_PER_PAGE;
	/* one more than a page tells whether there is a next one */
	if (session_list(c->db, &c->actor, &f, 0, SESSIONS_PER_PAGE + 1, items)) {
		json_decref(items);
		json_decref(groups);
		json_decref(years);
		return web_fail(c, ERR_DB);
	}
	more = json_array_size(items) > SESSIONS_PER_PAGE;
	if (more)
		json_array_remove(items, SESSIONS_PER_PAGE);
	/* newest first, grouped by year; undated sessions last */
	for (i = 0; i < json_array_size(items); i++) {
		json_int_t sy;

		s = json_array_get(items, i);
		sy = json_is_integer(json_object_get(s, "year"))
			 ? json_integer_value(json_object_get(s, "year"))
			 : 0;
		if (!g || sy != cur_year) {
			g = json_pack("{sI so}", "year", sy, "sessions", json_array());
			json_array_append_new(groups, g);
			cur_year = sy;
		}
		when_text(json_string_value(json_object_get(s, "starts_at")), date, sizeof(date));
		json_object_set_new(s, "date", json_string(date));
		label_formats(c, s);
		label_one(c, s, "domain", "domain_", "domain_label");
		label_one(c, s, "status", "status_", "status_label");
		json_array_append(json_object_get(g, "sessions"), s);
	}
	json_decref(items);
	for (v = now_year + 1; v >= 2020; v--)
		json_array_append_new(
		    years, json_pack("{sI sb}", "year", (json_int_t)v, "selected", f.year == v));
	domains = c->actor.via == AUTH_NONE ? json_array() : NULL;
	if (!domains) {
		domains = domain_list(c->db, &c->actor.org);
	} else {
		static const char *const five[] = {"economy", "politics", "society", "culture",
						   "ecology"};

		for (i = 0; i < ARRAY_LEN(five); i++)
			json_array_append_new(domains, json_pack("{ss}", "code", five[i]));
	}
	json_array_foreach(domains, i, dd)
	{
		label_one(c, dd, "code", "domain_", "label");
		json_object_set_new(
		    dd, "selected",
		    json_boolean(f.domain && strcmp(f.domain, json_string_value(json_object_get(
								  dd, "code"))) == 0));
	}
	return web_render(c, 200, "sessions",
			  json_pack("{so so so sb so* so* sI sb}", "groups", groups, "years", years,
				    "domains", domains, "can_create",
				    c->actor.role >= ROLE_ORGANIZER, "prev_url",
				    page > 1 ? page_link(&f, page - 1) : NULL, "next_url",
				    more ? page_link(&f, page + 1) : NULL, "page", (json_int_t)page,
				    "paged", page > 1 || more));
}

/* input_time gives the datetime-local form value of a stored time. */
static void input_time(const char *iso, char *out, size_t n)
{
	int64_t t;

	if (!iso || time_parse(iso, &t))
		snprintf(out, n, "%s", "");
	else
		time_fmt(t, "%Y-%m-%dT%H:%M", out, n);
}

static int org_collect(const struct org *o, void *ud)
{
	return json_array_append_new(ud, org_to_json(o)) ? ERR_NOMEM : ERR_OK;
}

/* session_form renders the new/edit form: s is the session JSON (or a draft from the
 * request when re-shown), action the form target. */
static int session_form(struct web_ctx *c, int status, json_t *s, const char *action,
			const char *error)
{
	struct topic_filter tf = {0, NULL, NULL};
	json_t *topics = json_array(), *all = json_array(), *orgs = json_array(), *formats, *x;
	static const char *const fmts[] = {"expert", "counterpart", "sector", "joint"};
	int64_t topic_id = json_integer_value(json_object_get(s, "topic_id"));
	char starts[32], ends[32], key[32];
	struct org root;
	size_t i, k;

	if (topic_list(c->db, &c->actor, &tf, 0, 2000, all) == ERR_OK) {
		json_array_foreach(all, i, x)
		{
			const char *st = json_string_value(json_object_get(x, "status"));
			int64_t id = json_integer_value(json_object_get(x, "id"));

			if (id != topic_id && strcmp(st, "approved") != 0 &&
			    strcmp(st, "scheduled") != 0)
				continue;
			json_object_set_new(x, "selected", json_boolean(id == topic_id));
			json_array_append(topics, x);
		}
	}
	json_decref(all);
	formats = json_array();
	for (i = 0; i < ARRAY_LEN(fmts); i++) {
		bool on = false;

		json_array_foreach(json_object_get(s, "formats"), k, x) on |=
		    strcmp(json_string_value(x), fmts[i]) == 0;
		snprintf(key, sizeof(key), "format_%s", fmts[i]);
		json_array_append_new(formats, json_pack("{ss ss sb}", "code", fmts[i], "label",
							 view_text(c->lang, key), "checked", on));
	}
	/* linked bodies: any body in the tree of the caller's top-most visible ancestor */
	if (org_get(c->db, c->actor.org.parent_id ? c->actor.org.parent_id : c->actor.org.id,
		    &root) == ERR_OK &&
	    org_list(c->db, &root, false, 0, 500, org_collect, orgs) == ERR_OK) {
		json_t *kept = json_array();

		json_array_foreach(orgs, i, x)
		{
			int64_t id = json_integer_value(json_object_get(x, "id"));
			json_t *l;
			bool on = false;

			if (id == c->actor.org.id)
				continue;
			json_array_foreach(json_object_get(s, "linked_org_ids"), k, l) on |=
			    json_integer_value(l) == id;
			json_object_set_new(x, "checked", json_boolean(on));
			json_array_append(kept, x);
		}
		json_decref(orgs);
		orgs = kept;
	}
	input_time(json_string_value(json_object_get(s, "starts_at")), starts, sizeof(starts));
	input_time(json_string_value(json_object_get(s, "ends_at")), ends, sizeof(ends));
	return web_render(c, status, "session_form",
			  json_pack("{sO so so so ss ss ss ss? sb}", "session", s, "topics", topics,
				    "formats", formats, "orgs", orgs, "starts_input", starts,
				    "ends_input", ends, "action", action, "error", error,
				    "internal",
				    !json_is_string(json_object_get(s, "visibility")) ||
					strcmp(json_string_value(json_object_get(s, "visibility")),
					       "public") != 0));
}

/* draft_from_request turns the submitted form into a session-shaped object for re-showing. */
static json_t *draft_from_request(struct web_ctx *c, int64_t id)
{
	static const char *const f[] = {"title",	  "summary",	"venue",
					"organizer_unit", "department", "visibility"};
	json_t *s = json_object(), *fm = json_array(), *ln = json_array();
	const char *vals[16];
	int64_t ids[32], t;
	size_t i, n;
	bool present;

	if (id)
		json_object_set_new(s, "id", json_integer(id));
	for (i = 0; i < ARRAY_LEN(f); i++) {
		const char *v = web_field(c, f[i], NULL);

		json_object_set_new(s, f[i], json_string(v ? v : ""));
	}
	if (web_int_field(c, "topic_id", &t, &present) == ERR_OK && present)
		json_object_set_new(s, "topic_id", json_integer(t));
	if (web_list_field(c, "formats", vals, 16, &n, &present) == ERR_OK)
		for (i = 0; i < n; i++)
			json_array_append_new(fm, json_string(vals[i]));
	if (web_id_list_field(c, "linked_org_ids", ids, 32, &n, &present) == ERR_OK)
		for (i = 0; i < n; i++)
			json_array_append_new(ln, json_integer(ids[i]));
	json_object_set_new(s, "formats", fm);
	json_object_set_new(s, "linked_org_ids", ln);
	for (i = 0; i < 2; i++) {
		const char *name = i ? "ends_at" : "starts_at";
		const char *v = web_field(c, name, NULL);
		char iso[26];

		if (v && *v && time_parse(v, &t) == ERR_OK) {
			time_local(t, iso);
			json_object_set_new(s, name, json_string(iso));
		}
	}
	return s;
}

int h_session_new(struct web_ctx *c)
{
	const char *tid = http_query(c->req, "topic_id");
	json_t *s = json_pack("{ss ss}", "visibility", "internal", "title", "");
	int64_t t;
	int rc;

	if (tid && num_parse(tid, strlen(tid), 1, INT64_MAX, &t) == ERR_OK) {
		json_t *topic = topic_get(c->db, t);

		json_object_set_new(s, "topic_id", json_integer(t));
		if (topic)
			json_object_set(s, "title", json_object_get(topic, "title"));
		json_decref(topic);
	}
	rc = session_form(c, 200, s, "/sessions", NULL);
	json_decref(s);
	return rc;
}

int h_sessions_post(struct web_ctx *c)
{
	struct verr e;
	char loc[64];
	int64_t id;
	int rc = create_session(c, &id, &e);

	if (rc == ERR_INVALID || rc == ERR_CONFLICT) {
		json_t *s = draft_from_request(c, 0);

		rc = session_form(c, 422, s, "/sessions", web_verr_text(c, &e));
		json_decref(s);
		return rc;
	}
	if (rc)
		return web_answer(c, rc, &e);
	snprintf(loc, sizeof(loc), "/sessions/%lld", (long long)id);
	return web_redirect(c, loc);
}

static const char *const session_next[][3] = {
    {"draft", "scheduled", NULL},
    {"scheduled", "live", "draft"},
    {"live", "closed", NULL},
    {"closed", "archived", NULL},
};

/* session_page renders the session for the caller: what anyone may see of it, and for
 * those who run it the controls to run it. */
static int session_page(struct web_ctx *c, int status, const struct session_head *h,
			const char *error)
{
	bool edit = session_editable(&c->actor, h), open = session_record_open(&c->actor, h);
	bool insider = c->actor.via != AUTH_NONE && strncmp(h->org_path, scope_path(&c->actor),
							    strlen(scope_path(&c->actor))) == 0;
	bool linked = c->actor.via != AUTH_NONE && !insider;
	json_t *s = session_get(c->db, h->id,
				insider || linked ? SESSION_DETAIL : SESSION_DETAIL_NO_RECORD,
				insider),
	       *moves = json_array(), *x, *y;
	json_t *invitees = json_array(), *cats, *people = NULL, *roles = json_array();
	static const char *const invite_roles[] = {"member", "host",	 "speaker",
						   "expert", "official", "observer"};
	char when[64], a[32], b[32], key[48];
	struct buf md;
	size_t i, k;

	if (!s)
		return web_fail(c, ERR_NOT_FOUND);
	for (i = 0; edit && i < ARRAY_LEN(session_next); i++) {
		if (strcmp(session_next[i][0], h->status) != 0)
			continue;
		for (k = 1; k < 3 && session_next[i][k]; k++) {
			snprintf(key, sizeof(key), "to_%s", session_next[i][k]);
			json_array_append_new(moves, json_pack("{ss ss}", "to", session_next[i][k],
							       "label", view_text(c->lang, key)));
		}
	}
	when_text(json_string_value(json_object_get(s, "starts_at")), a, sizeof(a));
	when_text(json_string_value(json_object_get(s, "ends_at")), b, sizeof(b));
	snprintf(when, sizeof(when), "%s%s%s", a, b[0] ? " – " : "", b[0] ? b + 11 : "");
	label_formats(c, s);
	cats = json_object_get(s, "participants_by_category");
	json_array_foreach(cats, i, x) label_one(c, x, "category", "cat_", "label");
	json_array_foreach(json_object_get(s, "invitations"), i, x)
	{
		label_one(c, x, "category", "cat_", "category_label");
		label_one(c, x, "role", "role_", "role_label");
		label_one(c, x, "rsvp", "rsvp_", "rsvp_label");
		json_object_set_new(x, "session_id", json_integer(h->id));
		json_object_set_new(x, "record_open", json_boolean(open));
		json_object_set_new(x, "csrf", json_string(c->actor.csrf));
		if (strcmp(json_string_value(json_object_get(x, "rsvp")), "declined") != 0)
			json_array_append_new(invitees,
					      json_pack("{sO sO}", "person_id",
							json_object_get(x, "person_id"), "name",
							json_object_get(x, "name")));
	}
	buf_init(&md, 4 << 20);
	json_array_foreach(json_object_get(s, "remarks"), i, x)
	{
		const char *body = json_string_value(json_object_get(x, "body"));
		char excerpt[200];
		size_t n = strlen(body), cut = n < 90 ? n : 90;

		while (cut < n && ((unsigned char)body[cut] & 0xC0) == 0x80)
			cut++;
		{
			size_t o = 0, k2;

			for (k2 = 0; k2 < cut && o + 4 < sizeof(excerpt); k2++)
				if (!strchr("*_#`>", body[k2]))
					excerpt[o++] = body[k2] == '\n' ? ' ' : body[k2];
			snprintf(excerpt + o, sizeof(excerpt) - o, "%s", cut < n ? "…" : "");
		}
		json_object_set_new(x, "excerpt", json_string(excerpt));
		buf_reset(&md);
		if (markdown_html(body, n, &md) == ERR_OK)
			json_object_set_new(x, "body_html", json_string(buf_cstr(&md)));
	}
	buf_reset(&md);
	if (markdown_html(json_string_value(json_object_get(s, "summary")),
			  strlen(json_string_value(json_object_get(s, "summary"))),
			  &md) == ERR_OK &&
	    md.n)
		json_object_set_new(s, "summary_html", json_string(buf_cstr(&md)));
	buf_fini(&md);
	json_array_foreach(json_object_get(s, "commitments"), i, x)
	    label_one(c, x, "status", "commitment_status_", "status_label");
	json_array_foreach(json_object_get(s, "suggestions"), i, x)
	{
		struct buf names;

		buf_init(&names, 4096);
		json_array_foreach(json_object_get(x, "proposers"), k, y)
		{
			if (!insider && !json_is_true(json_object_get(y, "public_name")))
				continue;
			if (names.n && buf_puts(&names, "、"))
				break;
			if (buf_puts(&names, json_string_value(json_object_get(y, "name"))))
				break;
		}
		if (names.n)
			json_object_set_new(x, "proposer_names", json_string(buf_cstr(&names)));
		json_object_set_new(x, "show_sources", json_boolean(insider || linked));
		json_object_set_new(x, "can_draft", json_boolean(edit));
		buf_fini(&names);
	}
	if (edit) {
		people = people_options(c->db, &c->actor, h->org_id);
		json_array_foreach(people, i, x)
		    label_one(c, x, "category", "cat_", "category_label");
		for (i = 0; i < ARRAY_LEN(invite_roles); i++) {
			snprintf(key, sizeof(key), "role_%s", invite_roles[i]);
			json_array_append_new(roles, json_pack("{ss ss}", "value", invite_roles[i],
							       "label", view_text(c->lang, key)));
		}
	}
	snprintf(key, sizeof(key), "status_%s", h->status);
	{
		json_t *ctx = json_pack(
		    "{so ss ss so sb sb sb sb sb sb sb so so so so ss?}", "session", s,
		    "status_label", view_text(c->lang, key), "when", when, "moves", moves,
		    "can_edit", edit, "record_open", open, "public",
		    strcmp(h->visibility, "public") == 0, "show_invitations", insider || linked,
		    "show_record", insider || linked, "can_see_topic", insider, "can_invite",
		    edit && strcmp(h->status, "closed") != 0 && strcmp(h->status, "archived") != 0,
		    "invitees", invitees, "categories", json_incref(cats), "people",
		    people ? people : json_array(), "invite_roles", roles, "error", error);

		json_object_set_new(ctx, "counterpart",
				    json_boolean((h->formats & FORMAT_COUNTERPART) != 0));
		json_object_set(ctx, "invitations", json_object_get(s, "invitations"));
		json_object_set(ctx, "remarks", json_object_get(s, "remarks"));
		snprintf(key, sizeof(key), "domain_%s",
			 json_string_value(json_object_get(s, "domain")));
		json_object_set_new(ctx, "domain_label", json_string(view_text(c->lang, key)));
		return web_render(c, status, "session", ctx);
	}
}

int h_session_page(struct web_ctx *c)
{
	struct session_head h;
	int rc = load_session(c, 0, false, &h);

	if (rc == ERR_AUTH) {
		char loc[64];

		snprintf(loc, sizeof(loc), "/login?next=/sessions/%lld",
			 (long long)web_id(c, "id"));
		return web_redirect(c, loc);
	}
	return rc ? web_answer(c, rc, NULL) : session_page(c, 200, &h, NULL);
}

int h_session_edit(struct web_ctx *c)
{
	struct session_head h;
	char action[64];
	json_t *s;
	int rc = load_session(c, 0, true, &h);

	if (rc)
		return answer_err(c, rc, NULL);
	s = session_get(c->db, h.id, false, true);
	if (!s)
		return web_fail(c, ERR_NOT_FOUND);
	snprintf(action, sizeof(action), "/sessions/%lld/edit", (long long)h.id);
	rc = session_form(c, 200, s, action, NULL);
	json_decref(s);
	return rc;
}

int h_session_edit_post(struct web_ctx *c)
{
	int64_t linked[MAX_LINKED];
	struct session_head h;
	struct session_in in;
	struct verr e;
	char loc[64];
	int rc = load_session(c, 0, true, &h);

	if (rc)
		return answer_err(c, rc, NULL);
	if (!session_record_open(&c->actor, &h))
		rc = (verr_set(&e, "closed", "status", "深聊会已结束，记录只读（仅管理员可修改）",
			       "the session is closed: its record is read-only except for admins"),
		      ERR_CONFLICT);
	if (!rc)
		rc = read_session(c, &in, linked, &e);
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, session_update(c->db, &c->actor, h.id, &in, &e));
	if (rc == ERR_INVALID || rc == ERR_CONFLICT) {
		json_t *s = draft_from_request(c, h.id);

		snprintf(loc, sizeof(loc), "/sessions/%lld/edit", (long long)h.id);
		rc = session_form(c, rc == ERR_CONFLICT ? 409 : 422, s, loc, web_verr_text(c, &e));
		json_decref(s);
		return rc;
	}
	if (rc)
		return web_answer(c, rc, &e);
	snprintf(loc, sizeof(loc), "/sessions/%lld", (long long)h.id);
	return web_redirect(c, loc);
}

int h_session_op_post(struct web_ctx *c)
{
	const struct record_op *op = op_named(http_param(c->req, "op"));
	struct session_head h;
	struct verr e;
	char loc[96];
	int64_t id = 0;
	int rc;

	if (!op)
		return web_error_key(c, 404, "not_found");
	rc = run_op(c, op, &h, &id, &e);
	if (rc == ERR_INVALID || rc == ERR_CONFLICT) {
		if (session_head(c->db, h.id, &h))
			return web_fail(c, ERR_NOT_FOUND);
		return session_page(c, rc == ERR_CONFLICT ? 409 : 422, &h, web_verr_text(c, &e));
	}
	if (rc)
		return answer_err(c, rc, &e);
	snprintf(loc, sizeof(loc), "/sessions/%lld#%s", (long long)h.id,
		 op->act == act_attend ? "participants" : op->name);
	return web_redirect(c, loc);
}

/* ics_text appends s to b escaped for iCalendar TEXT (RFC 5545 3.3.11). */
static int ics_text(struct buf *b, const char *s)
{
	int rc = ERR_OK;

	for (; !rc && *s; s++) {
		if (*s == '\\' || *s == ';' || *s == ',')
			rc = buf_putc(b, '\\') ? ERR_TOO_BIG : buf_putc(b, *s);
		else if (*s == '\n')
			rc = buf_puts(b, "\\n");
		else if (*s != '\r')
			rc = buf_putc(b, *s);
	}
	return rc;
}

int h_session_ics(struct web_ctx *c)
{
	struct session_head h;
	json_t *s;
	struct buf *b = &c->resp->body;
	char stamp[21], utc[40];
	int64_t t;
	int rc = load_session(c, 0, false, &h);

	if (rc)
		return answer_err(c, rc, NULL);
	s = session_get(c->db, h.id, false, false);
	if (!s)
		return web_fail(c, ERR_NOT_FOUND);
	time_iso(time_now(), stamp);
	rc = buf_printf(b,
			"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//shenliao//深聊 %s//ZH\r\n"
			"CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\nBEGIN:VEVENT\r\n"
			"UID:session-%lld@shenliao\r\nDTSTAMP:%.4s%.2s%.2sT%.2s%.2s%.2sZ\r\n",
			SHENLIAO_VERSION, (long long)h.id, stamp, stamp + 5, stamp + 8, stamp + 11,
			stamp + 14, stamp + 17);
	for (int i = 0; !rc && i < 2; i++) {
		const char *iso =
		    json_string_value(json_object_get(s, i ? "ends_at" : "starts_at"));

		if (!iso || time_parse(iso, &t))
			continue;
		time_iso(t, stamp);
		snprintf(utc, sizeof(utc), "%.4s%.2s%.2sT%.2s%.2s%.2sZ", stamp, stamp + 5,
			 stamp + 8, stamp + 11, stamp + 14, stamp + 17);
		rc = buf_printf(b, "%s:%s\r\n", i ? "DTEND" : "DTSTART", utc);
	}
	if (!rc)
		rc = buf_puts(b, "SUMMARY:");
	if (!rc)
		rc = ics_text(b, json_string_value(json_object_get(s, "title")));
	if (!rc)
		rc = buf_puts(b, "\r\nLOCATION:");
	if (!rc)
		rc = ics_text(b, json_string_value(json_object_get(s, "venue")));
	if (!rc)
		rc = buf_puts(b, "\r\nDESCRIPTION:");
	if (!rc)
		rc = ics_text(b, json_string_value(json_object_get(s, "topic_title")));
	if (!rc)
		rc = buf_printf(b, "\r\nSTATUS:%s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
				strcmp(h.status, "draft") == 0 ? "TENTATIVE" : "CONFIRMED");
	json_decref(s);
	if (rc)
		return web_fail(c, rc);
	c->resp->status = 200;
	c->resp->content_type = "text/calendar; charset=utf-8";
	{
		char disp[80];

		snprintf(disp, sizeof(disp), "attachment; filename=\"session-%lld.ics\"",
			 (long long)h.id);
		rc = http_resp_header(c->resp, "Content-Disposition", disp);
	}
	if (rc)
		return web_fail(c, ERR_TOO_BIG);
	return 0;
}

static const char sql_has_person[] = "SELECT 1 FROM person WHERE user_id = ?";

static int invitations_page(struct web_ctx *c, int status, const char *error)
{
	json_t *items = invitations_of_user(c->db, c->actor.user.id), *x;
	struct db_stmt *st;
	bool linked = false;
	char date[32];
	size_t i;

	if (db_prepare(c->db, sql_has_person, &st) == ERR_OK) {
		if (db_bind_int(st, 1, c->actor.user.id) == ERR_OK)
			linked = db_step(st) == DB_ROW;
		db_done(st);
	}
	json_array_foreach(items, i, x)
	{
		const char *ss = json_string_value(json_object_get(x, "status"));

		when_text(json_string_value(json_object_get(x, "starts_at")), date, sizeof(date));
		json_object_set_new(x, "date", json_string(date));
		label_one(c, x, "role", "role_", "role_label");
		label_one(c, x, "rsvp", "rsvp_", "rsvp_label");
		json_object_set_new(
		    x, "open",
		    json_boolean(strcmp(ss, "closed") != 0 && strcmp(ss, "archived") != 0));
		json_object_set_new(x, "csrf", json_string(c->actor.csrf));
	}
	return web_render(
	    c, status, "invitations",
	    json_pack("{so sb ss?}", "items", items, "linked", linked, "error", error));
}

int h_invitations_page(struct web_ctx *c)
{
	return invitations_page(c, 200, NULL);
}

int h_invitation_answer_post(struct web_ctx *c)
{
	struct verr e;
	const char *answer = web_field(c, "answer", NULL);
	int64_t id = web_id(c, "id");
	char loc[64];
	int rc = id ? web_begin(c) : ERR_NOT_FOUND;

	if (!rc)
		rc = web_finish(c, invitation_answer(c->db, &c->actor, id, answer, &e));
	if (rc == ERR_INVALID)
		return invitations_page(c, 422, web_verr_text(c, &e));
	if (rc)
		return web_answer(c, rc, &e);
	snprintf(loc, sizeof(loc), "/invitations#invitation-%lld", (long long)id);
	return web_redirect(c, loc);
}

int h_person_duty_page(struct web_ctx *c)
{
	const char *y = http_query(c->req, "year");
	int64_t id = web_id(c, "id"), year;
	struct person p;
	json_t *duty, *x;
	char date[32];
	size_t i;
	int rc = person_authorize(c->db, &c->actor, id, AUTHZ_READ, &p, NULL);

	if (rc)
		return web_answer(c, rc, NULL);
	if (!y || num_parse(y, strlen(y), 1900, 9999, &year))
		year = time_year(time_now());
	duty = duty_record_json(c->db, id, (int)year);
	json_array_foreach(json_object_get(duty, "items"), i, x)
	{
		when_text(json_string_value(json_object_get(x, "at")), date, sizeof(date));
		date[10] = '\0';
		json_object_set_new(x, "date", json_string(date));
		label_one(c, x, "kind", "duty_kind_", "kind_label");
	}
	return web_render(c, 200, "duty",
			  json_pack("{so ss sI sI}", "duty", duty, "name", p.name, "prev",
				    (json_int_t)(year - 1), "next", (json_int_t)(year + 1)));
}
