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
#include <string.h>

#include "base/util.h"
#include "model/session.h"
#include "view/markdown.h"
#include "view/view.h"

void web_labels(struct web_ctx *c, json_t *arr, const char *field, const char *prefix);

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
static int read_session(struct web_ctx *c, struct session_in *in, int64_t *linked,
			struct verr *e)
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
 * ERR_AUTH (anonymous, not public), ERR_DENIED; with edit, the caller must be able to
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
		return c->actor.via == AUTH_NONE ? ERR_AUTH : ERR_DENIED;
	if (edit && !session_editable(&c->actor, h))
		return ERR_DENIED;
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
		names = c->actor.via != AUTH_NONE &&
			strncmp(h.org_path, scope_path(&c->actor), strlen(scope_path(&c->actor))) ==
				0;
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
		if (strncmp(th.org_path, scope_path(&c->actor), strlen(scope_path(&c->actor))) !=
		    0)
			return ERR_DENIED;
		org_id = th.org_id;
	}
	rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, session_create(c->db, &c->actor, org_id, &in, id, e));
	return rc;
}

int h_api_sessions_list(struct web_ctx *c)
{
	struct session_filter f = {0, NULL, NULL, false};
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

int h_api_session_transition(struct web_ctx *c)
{
	struct session_head h;
	struct verr e;
	bool bad = false;
	const char *to = NULL;
	int rc = load_session(c, 0, true, &h);

	if (!rc) {
		to = web_field(c, "to", &bad);
		if (bad)
			rc = verr_type(&e, "to", "字符串", "a string");
		else if (!to || !*to)
			rc = verr_set(&e, "required", "to", "请指明目标状态（to）",
				      "the target status (to) is required");
	}
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, session_transition(c->db, &c->actor, h.id, to, &e));
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

int h_api_invitations_create(struct web_ctx *c)
{
	struct session_head h;
	struct verr e;
	const char *role = NULL;
	int64_t person = 0, id = 0;
	int rc = load_session(c, 0, true, &h);

	if (!rc && (strcmp(h.status, "closed") == 0 || strcmp(h.status, "archived") == 0))
		rc = (verr_set(&e, "closed", "status", "深聊会已结束，不能再邀请",
			       "the session is closed: no more invitations"),
		      ERR_CONFLICT);
	if (!rc)
		rc = int_field(c, "person_id", &person, &e);
	if (!rc)
		rc = str_field(c, "role", &role, &e);
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(c,
				invitation_add(c->db, &c->actor, h.id, person, role, &id, &e));
	return rc ? answer_err(c, rc, &e) : created(c, h.id, id, "invitations");
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

int h_api_attendance(struct web_ctx *c)
{
	struct session_head h;
	struct verr e;
	int64_t person = 0;
	bool attended = true, present;
	int rc = record_action(c, &h, &e);

	if (!rc)
		rc = int_field(c, "person_id", &person, &e);
	if (!rc && web_bool_field(c, "attended", &attended, &present))
		rc = verr_type(&e, "attended", "布尔值", "a boolean");
	if (!rc && c->json && !present)
		attended = true;
	if (!rc && !person)
		rc = verr_set(&e, "required", "person_id", "请选择人员", "person_id is required");
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, invitation_attend(c->db, &c->actor, h.id, person, attended, &e));
	if (rc)
		return answer_err(c, rc, &e);
	return web_json(c, 200, json_pack("{sI sI sb}", "session_id", (json_int_t)h.id,
					  "person_id", (json_int_t)person, "attended", attended));
}

int h_api_remarks_create(struct web_ctx *c)
{
	struct session_head h;
	struct verr e;
	const char *role = NULL, *body = NULL;
	int64_t person = 0, id = 0;
	int rc = record_action(c, &h, &e);

	if (!rc)
		rc = int_field(c, "person_id", &person, &e);
	if (!rc)
		rc = str_field(c, "role", &role, &e);
	if (!rc)
		rc = str_field(c, "body", &body, &e);
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, remark_add(c->db, &c->actor, h.id, person, role, body, &id, &e));
	return rc ? answer_err(c, rc, &e) : created(c, h.id, id, "remarks");
}

int h_api_commitments_create(struct web_ctx *c)
{
	struct session_head h;
	struct verr e;
	const char *owner = NULL, *body = NULL, *due = NULL;
	int64_t owner_id = 0, id = 0;
	int rc = record_action(c, &h, &e);

	if (!rc)
		rc = str_field(c, "owner", &owner, &e);
	if (!rc)
		rc = int_field(c, "owner_id", &owner_id, &e);
	if (!rc)
		rc = str_field(c, "body", &body, &e);
	if (!rc)
		rc = str_field(c, "due_date", &due, &e);
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, commitment_add(c->db, &c->actor, h.id, owner, owner_id, body,
						  due, &id, &e));
	return rc ? answer_err(c, rc, &e) : created(c, h.id, id, "commitments");
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

int h_api_points_create(struct web_ctx *c)
{
	struct session_head h;
	struct verr e;
	const char *kind = NULL, *body = NULL;
	int64_t id = 0;
	int rc = record_action(c, &h, &e);

	if (!rc)
		rc = str_field(c, "kind", &kind, &e);
	if (!rc)
		rc = str_field(c, "body", &body, &e);
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, point_add(c->db, &c->actor, h.id, kind, body, &id, &e));
	if (rc)
		return answer_err(c, rc, &e);
	return created(c, h.id, id, kind && strcmp(kind, "agreed") == 0 ? "agreed" : "differences");
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
				return verr_set(e, "invalid", "sources",
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

int h_api_suggestions_create(struct web_ctx *c)
{
	struct session_head h;
	struct source_ref sources[MAX_REFS];
	int64_t proposers[MAX_REFS], id = 0;
	size_t np = 0, ns = 0;
	struct verr e;
	const char *title = NULL, *body = NULL;
	bool present;
	int rc = record_action(c, &h, &e);

	if (!rc)
		rc = str_field(c, "title", &title, &e);
	if (!rc)
		rc = str_field(c, "body", &body, &e);
	if (!rc && web_id_list_field(c, "proposer_ids", proposers, MAX_REFS, &np, &present))
		rc = verr_type(&e, "proposer_ids", "人员编号的数组", "an array of person ids");
	if (!rc)
		rc = read_sources(c, sources, &ns, &e);
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, suggestion_add(c->db, &c->actor, h.id, title, body, proposers,
						  np, sources, ns, &id, &e));
	if (rc)
		return answer_err(c, rc, &e);
	{
		json_t *s = suggestion_get(c->db, id);

		return s ? web_json(c, 201, s) : web_fail(c, ERR_NOT_FOUND);
	}
}

/* --- search and duty records --- */

int h_api_search(struct web_ctx *c)
{
	const char *q = http_query(c->req, "q");
	json_t *results = json_array();
	int rc;

	if (!q || !*q) {
		json_decref(results);
		return web_error(c, 400, "required", "q", "请输入要搜索的词", "q is required");
	}
	rc = search_query(c->db, &c->actor, q, 50, results);
	if (rc == ERR_INVALID) {
		json_decref(results);
		return web_error(c, 400, "invalid", "q", "请输入要搜索的词",
				 "q has nothing to search for");
	}
	if (rc) {
		json_decref(results);
		return web_fail(c, rc);
	}
	return web_json(c, 200, json_pack("{ss so}", "q", q, "results", results));
}

static const char sql_person_head[] = "SELECT o.path, p.user_id FROM person p JOIN org o"
				      " ON o.id = p.org_id WHERE p.id = ?";

/* person_readable: the person belongs to the caller's scope, or is the caller. */
static int person_readable(struct web_ctx *c, int64_t id)
{
	struct db_stmt *st;
	int rc;

	rc = db_prepare(c->db, sql_person_head, &st);
	if (!rc)
		rc = db_bind_int(st, 1, id);
	if (!rc)
		rc = db_step(st);
	if (rc == DB_ROW) {
		rc = strncmp(db_col_text(st, 0), scope_path(&c->actor),
			     strlen(scope_path(&c->actor))) == 0 ||
				     db_col_int(st, 1) == c->actor.user.id
			     ? ERR_OK
			     : ERR_DENIED;
	} else if (rc == DB_DONE) {
		rc = ERR_NOT_FOUND;
	}
	db_done(st);
	return rc;
}

int h_api_person_duty(struct web_ctx *c)
{
	const char *y = http_query(c->req, "year");
	int64_t id = web_id(c, "id"), year;
	int rc = id ? person_readable(c, id) : ERR_NOT_FOUND;

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
