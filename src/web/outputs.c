/*
 * outputs.c - outputs, their workflows and adoption, lineage, handling units, statistics:
 * JSON API (pages are in output_pages.c).
 */
#include "web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "json_output.h"
#include "json_stats.h"
#include "model/output.h"
#include "model/session.h"
#include "view/sheet.h"

#define MAX_LINKS 64

/* read_authors reads "authors": [{"person_id","role"}]. */
static int read_authors(struct web_ctx *c, struct output_author_in *out, size_t *n, bool *present,
			struct verr *e)
{
	json_t *v, *x;
	size_t i;

	*n = 0;
	*present = false;
	if (!c->json) {
		/* the page's form: lead_author (one id) and cosigners (ids) */
		int64_t lead, co[MAX_LINKS];
		bool p1, p2;
		size_t k, m;

		if (web_int_field(c, "lead_author", &lead, &p1))
			return verr_type(e, "lead_author", "整数", "an integer");
		if (web_id_list_field(c, "cosigners", co, MAX_LINKS - 1, &m, &p2))
			return verr_type(e, "cosigners", "人员编号", "person ids");
		*present = p1 || p2;
		if (p1 && lead > 0) {
			out[*n].person_id = lead;
			snprintf(out[*n].role, sizeof(out[*n].role), "lead");
			(*n)++;
		}
		for (k = 0; k < m; k++) {
			if (p1 && co[k] == lead)
				continue;
			out[*n].person_id = co[k];
			snprintf(out[*n].role, sizeof(out[*n].role), "cosigner");
			(*n)++;
		}
		return ERR_OK;
	}
	v = json_object_get(c->json, "authors");
	if (!v || json_is_null(v))
		return ERR_OK;
	*present = true;
	if (!json_is_array(v))
		return verr_type(e, "authors", "数组", "an array");
	json_array_foreach(v, i, x)
	{
		json_t *pid = json_object_get(x, "person_id");
		const char *role = json_string_value(json_object_get(x, "role"));

		if (!json_is_integer(pid) || !role || strlen(role) >= sizeof(out[0].role))
			return verr_set(
			    e, "invalid", "authors",
			    "作者须为 {\"person_id\":编号,\"role\":\"lead|cosigner\"}",
			    "each author must be {\"person_id\":N,\"role\":\"lead|cosigner\"}");
		if (*n == MAX_LINKS)
			return verr_set(e, "too_long", "authors", "作者过多", "too many authors");
		out[*n].person_id = json_integer_value(pid);
		snprintf(out[*n].role, sizeof(out[*n].role), "%s", role);
		(*n)++;
	}
	return ERR_OK;
}

/* read_date reads an optional date/time field (0 when absent). */
static int read_date(struct web_ctx *c, const char *name, int64_t *out, struct verr *e)
{
	bool bad = false;
	const char *v = web_field(c, name, &bad);

	*out = 0;
	if (bad)
		return verr_type(e, name, "日期字符串", "a date string");
	if (v && *v && time_parse(v, out))
		return verr_set(e, "invalid", name, "%s 须为日期（YYYY-MM-DD）或时间",
				"%s must be a date (YYYY-MM-DD) or time", name);
	return ERR_OK;
}

struct output_form {
	struct output_in in;
	int64_t suggestions[MAX_LINKS], sessions[MAX_LINKS];
	struct output_author_in authors[MAX_LINKS];
};

static int read_output(struct web_ctx *c, struct output_form *f, struct verr *e)
{
	static const char *const names[] = {"kind", "title", "body"};
	const char **dst[] = {&f->in.kind, &f->in.title, &f->in.body};
	size_t i, n;
	bool present;
	int rc;

	output_in_init(&f->in);
	if (web_form_check(c, e))
		return ERR_INVALID;
	for (i = 0; i < ARRAY_LEN(names); i++) {
		bool bad = false;

		*dst[i] = web_field(c, names[i], &bad);
		if (bad)
			return verr_type(e, names[i], "字符串", "a string");
	}
	if (web_id_list_field(c, "suggestion_ids", f->suggestions, MAX_LINKS, &n, &present))
		return verr_type(e, "suggestion_ids", "建议编号的数组",
				 "an array of suggestion ids");
	if (present) {
		f->in.suggestions = f->suggestions;
		f->in.nsuggestions = n;
	}
	if (web_id_list_field(c, "session_ids", f->sessions, MAX_LINKS, &n, &present))
		return verr_type(e, "session_ids", "深聊会编号的数组", "an array of session ids");
	if (present) {
		f->in.sessions = f->sessions;
		f->in.nsessions = n;
	}
	rc = read_authors(c, f->authors, &n, &present, e);
	if (rc)
		return rc;
	if (present) {
		f->in.authors = f->authors;
		f->in.nauthors = n;
	}
	rc = read_date(c, "date", &f->in.dated_at, e);
	if (!rc)
		rc = read_date(c, "cosign_deadline", &f->in.cosign_deadline, e);
	return rc;
}

static int answer_output(struct web_ctx *c, int status, int64_t id)
{
	json_t *o = output_get_json(c->db, &c->actor, id);

	return o ? web_json(c, status, o) : web_fail(c, ERR_NOT_FOUND);
}

int web_output_create(struct web_ctx *c, int64_t *id, struct verr *e)
{
	struct output_form f;
	int64_t org_id = c->actor.org.id, v;
	bool present;
	int rc;

	rc = read_output(c, &f, e);
	if (rc)
		return rc;
	if (web_int_field(c, "org_id", &v, &present))
		return verr_type(e, "org_id", "整数", "an integer");
	if (present) {
		struct org o;

		rc = org_get(c->db, v, &o);
		/* a body out of sight is as unknown as a missing one */
		if (rc == ERR_NOT_FOUND || (!rc && !actor_can_see_org(&c->actor, &o)))
			return verr_set(e, "invalid", "org_id", "组织 %lld 不存在",
					"org %lld does not exist", (long long)v);
		if (rc)
			return rc;
		if (!org_is_within(&o, &c->actor.org))
			return ERR_FORBIDDEN;
		org_id = v;
	}
	rc = output_create_check(c->db, &c->actor, org_id, &f.in, e);
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, output_create(c->db, &c->actor, org_id, &f.in, id, e));
	return rc;
}

int h_api_outputs_list(struct web_ctx *c)
{
	struct output_filter f = {NULL, NULL, 0, false};
	struct output_list list;
	const char *y = http_query(c->req, "year"), *od = http_query(c->req, "overdue");
	json_t *items;
	int64_t after, v;
	int limit, rc;

	if (web_page(c, &limit, &after))
		return 0;
	if (y && num_parse(y, strlen(y), 1900, 9999, &v))
		return web_error(c, 400, "invalid", "year", "年份无效", "year is not valid");
	f.year = y ? (int)v : 0;
	f.kind = http_query(c->req, "kind");
	f.state = http_query(c->req, "state");
	f.overdue = od && (strcmp(od, "1") == 0 || strcmp(od, "true") == 0);
	rc = output_list(c->db, &c->actor, &f, after, limit + 1, &list);
	items = rc ? NULL : output_list_json(&list);
	output_list_release(&list);
	if (rc)
		return web_fail(c, rc);
	return web_list(c, items, limit);
}

int h_api_outputs_create(struct web_ctx *c)
{
	struct verr e;
	int64_t id;
	int rc;

	memset(&e, 0, sizeof(e));
	rc = web_output_create(c, &id, &e);
	return rc ? web_answer_why(c, rc, &e) : answer_output(c, 201, id);
}

int h_api_output_get(struct web_ctx *c)
{
	struct output_head h;
	int rc = output_authorize(c->db, &c->actor, web_id(c, "id"), AUTHZ_READ, &h, NULL);

	return rc ? web_answer(c, rc, NULL) : answer_output(c, 200, h.id);
}

int h_api_output_patch(struct web_ctx *c)
{
	struct output_form f;
	struct output_head h;
	struct verr e;
	int parsed, rc;

	memset(&e, 0, sizeof(e));
	/* parsed first, answered after the authorization: a body cannot tell a caller who may
	 * not change the output anything */
	parsed = read_output(c, &f, &e);
	rc = output_authorize(c->db, &c->actor, web_id(c, "id"), AUTHZ_WRITE, &h, NULL);
	if (!rc)
		rc = parsed;
	if (!rc)
		rc = output_update_check(c->db, &c->actor, &h, &f.in, &e);
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, output_update(c->db, &c->actor, h.id, &f.in, &e));
	return rc ? web_answer_why(c, rc, &e) : answer_output(c, 200, h.id);
}

/* DELETE /api/v1/outputs/{id}: the lead author or staff (output_authorize, AUTHZ_WRITE)
 * deletes a draft (409 not_draft later) -> 204. */
int h_api_output_delete(struct web_ctx *c)
{
	struct output_head h;
	struct verr e;
	int rc = output_authorize(c->db, &c->actor, web_id(c, "id"), AUTHZ_WRITE, &h, NULL);

	memset(&e, 0, sizeof(e));
	if (!rc)
		rc = output_delete_check(c->db, h.id, &e);
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, output_delete(c->db, &c->actor, h.id, &e));
	return rc ? web_answer(c, rc, &e) : web_no_content(c);
}

/* A transition request, parsed whole before anything else happens. Handling units are
 * named by id or by name; a name not yet known is made in the output's body inside the
 * transaction that makes the move. */
struct handler_ref {
	int64_t id;	  /* 0: by name */
	const char *name; /* borrowed from the request */
	bool lead;
};

struct transition_req {
	struct output_move m;
	struct handler_ref refs[MAX_LINKS + 4];
	size_t nrefs;
	int64_t lead[4], co[MAX_LINKS + 4];
};

/* parse_transition reads a transition request (JSON or the page's form) into r. No
 * database. */
static int parse_transition(struct web_ctx *c, struct transition_req *r, struct verr *e)
{
	static const char *const names[] = {
	    "to",	    "note",  "reason",	"reply_text",	  "grade",
	    "satisfaction", "issue", "sent_to", "instruction_by", "instruction_text"};
	const char **dst[] = {&r->m.to,
			      &r->m.note,
			      &r->m.reason,
			      &r->m.reply_text,
			      &r->m.grade,
			      &r->m.satisfaction,
			      &r->m.issue,
			      &r->m.sent_to,
			      &r->m.instruction_by,
			      &r->m.instruction_text};
	int64_t v, co[MAX_LINKS];
	json_t *hs, *x;
	bool present;
	size_t i, n;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < ARRAY_LEN(names); i++) {
		bool bad = false;

		*dst[i] = web_field(c, names[i], &bad);
		if (bad)
			return verr_type(e, names[i], "字符串", "a string");
	}
	if (!r->m.reply_text)
		r->m.reply_text = web_field(c, "reply", NULL);
	hs = c->json ? json_object_get(c->json, "handlers") : NULL;
	if (hs && !json_is_array(hs))
		return verr_type(e, "handlers", "数组", "an array");
	json_array_foreach(hs, i, x)
	{
		const char *role = json_string_value(json_object_get(x, "role"));
		json_t *hid = json_object_get(x, "handler_id");
		struct handler_ref *ref;

		if (r->nrefs == MAX_LINKS)
			return verr_set(e, "too_long", "handlers", "承办单位过多",
					"too many handling units");
		ref = &r->refs[r->nrefs++];
		ref->lead = role && strcmp(role, "lead") == 0;
		if (!hid)
			hid = json_object_get(x, "id");
		if (json_is_integer(hid))
			ref->id = json_integer_value(hid);
		else
			ref->name = json_string_value(json_object_get(x, "name"));
		if (!ref->id && (!ref->name || !*ref->name))
			return verr_set(
			    e, "invalid", "handlers",
			    "承办单位须为 {\"handler_id\":编号} 或 {\"name\":\"单位名称\"}",
			    "a handling unit is {\"handler_id\":N} or {\"name\":\"…\"}");
	}
	if (web_int_field(c, "lead_handler_id", &v, &present))
		return verr_type(e, "lead_handler_id", "整数", "an integer");
	if (present && v > 0)
		r->refs[r->nrefs++] = (struct handler_ref){v, NULL, true};
	if (web_id_list_field(c, "co_handler_ids", co, MAX_LINKS - 1, &n, &present))
		return verr_type(e, "co_handler_ids", "编号的数组", "an array of ids");
	for (i = 0; i < n && r->nrefs < ARRAY_LEN(r->refs); i++)
		r->refs[r->nrefs++] = (struct handler_ref){co[i], NULL, false};
	return read_date(c, "reply_due", &r->m.reply_due, e);
}

/* fill_handlers lists the units of r in the move: leads, then co-handlers (0 for a name
 * still to be made). */
static void fill_handlers(struct transition_req *r)
{
	size_t i;

	r->m.lead_handlers = r->lead;
	r->m.co_handlers = r->co;
	r->m.nlead = r->m.nco = 0;
	for (i = 0; i < r->nrefs; i++) {
		if (r->refs[i].lead && r->m.nlead < ARRAY_LEN(r->lead))
			r->lead[r->m.nlead++] = r->refs[i].id;
		else if (!r->refs[i].lead && r->m.nco < ARRAY_LEN(r->co))
			r->co[r->m.nco++] = r->refs[i].id;
	}
}

/* resolve_handlers turns the names of r into ids where the units exist (read-only). */
static int resolve_handlers(struct web_ctx *c, struct transition_req *r, struct verr *e)
{
	size_t i;
	int rc;

	for (i = 0; i < r->nrefs; i++) {
		if (r->refs[i].id)
			continue;
		rc = handler_resolve(c->db, &c->actor, r->refs[i].name, &r->refs[i].id, e);
		if (rc)
			return rc;
	}
	fill_handlers(r);
	return ERR_OK;
}

/* make_handlers makes the units named for the first time (in the transaction). */
static int make_handlers(struct web_ctx *c, const struct output_head *h, struct transition_req *r,
			 struct verr *e)
{
	size_t i, k;
	int rc;

	for (i = 0; i < r->nrefs; i++) {
		if (r->refs[i].id)
			continue;
		for (k = 0; k < i; k++) /* the same new name twice: made once */
			if (r->refs[k].name && strcmp(r->refs[k].name, r->refs[i].name) == 0)
				r->refs[i].id = r->refs[k].id;
		if (r->refs[i].id)
			continue;
		rc =
		    handler_create(c->db, &c->actor, h->org_id, r->refs[i].name, &r->refs[i].id, e);
		if (rc)
			return rc;
	}
	fill_handlers(r);
	return ERR_OK;
}

/* web_output_transition: parse -> authorize -> validate (names of units resolved, the move
 * checked against the workflow table) -> one transaction (new units, the move). The caller
 * renders after it commits. */
int web_output_transition(struct web_ctx *c, struct output_head *h, struct verr *e)
{
	struct transition_req r;
	/* parsed first, answered after the output is found visible: who may make the move is
	 * decided by the move, so a malformed one is answered to those who may read it */
	int parsed = parse_transition(c, &r, e);
	int rc = output_authorize(c->db, &c->actor, web_id(c, "id"), AUTHZ_READ, h, NULL);

	if (!rc)
		rc = parsed;
	if (!rc)
		rc = resolve_handlers(c, &r, e);
	if (!rc)
		rc = output_move_check(c->db, &c->actor, h, &r.m, e);
	if (rc)
		return rc;
	rc = web_begin(c);
	if (rc)
		return rc;
	rc = make_handlers(c, h, &r, e);
	if (!rc)
		rc = output_transition(c->db, &c->actor, h->id, &r.m, e);
	return web_finish(c, rc);
}

/* answer_pending answers 409 cosigners_pending (e) with, besides the message, the list
 * of the co-signers still to confirm: "missing": [{"person_id","name"}]. */
static int answer_pending(struct web_ctx *c, int64_t id, const struct verr *e)
{
	struct output o;
	json_t *missing = json_array(), *err;
	size_t i;
	int rc = output_get(c->db, id, &o);

	for (i = 0; !rc && i < o.nauthors; i++)
		if (strcmp(o.authors[i].role, "cosigner") == 0 && !o.authors[i].confirmed)
			json_array_append_new(missing, json_pack("{sI ss}", "person_id",
								 (json_int_t)o.authors[i].person_id,
								 "name", o.authors[i].name));
	output_release(&o);
	if (rc) {
		json_decref(missing);
		return web_fail(c, rc);
	}
	err = json_pack("{ss ss ss so}", "code", e->code, "message", web_verr_text(c, e), "field",
			e->field ? e->field : "", "missing", missing);
	return web_json(c, 409, json_pack("{so}", "error", err));
}

int h_api_output_transition(struct web_ctx *c)
{
	struct output_head h;
	struct verr e;
	int rc;

	memset(&e, 0, sizeof(e));
	rc = web_output_transition(c, &h, &e);
	if (rc == ERR_CONFLICT && e.code && strcmp(e.code, "cosigners_pending") == 0)
		return answer_pending(c, h.id, &e);
	return rc ? web_answer(c, rc, &e) : answer_output(c, 200, h.id);
}

int web_output_decline(struct web_ctx *c, struct output_head *h, struct verr *e)
{
	bool bad = false;
	const char *note = web_field(c, "note", &bad);
	int rc = output_authorize(c->db, &c->actor, web_id(c, "id"), AUTHZ_READ, h, NULL);

	if (!rc && bad)
		rc = verr_type(e, "note", "字符串", "a string");
	if (!rc)
		rc = output_decline_check(c->db, &c->actor, h->id, e);
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, output_decline(c->db, &c->actor, h->id, note, e));
	return rc;
}

/* POST /api/v1/outputs/{id}/decline: a co-signer declines; answers the output as the
 * lead author and staff see it (the one who declined may no longer read a draft). */
int h_api_output_decline(struct web_ctx *c)
{
	struct output_head h;
	struct verr e;
	json_t *o;
	int rc;

	memset(&e, 0, sizeof(e));
	rc = web_output_decline(c, &h, &e);
	if (rc)
		return web_answer(c, rc, &e);
	o = output_get_json(c->db, &c->actor, h.id);
	return o ? web_json(c, 200, o)
		 : web_json(c, 200, json_pack("{sI ss}", "id", (json_int_t)h.id, "state", h.state));
}

int web_output_confirm(struct web_ctx *c, struct output_head *h, struct verr *e)
{
	int rc = output_authorize(c->db, &c->actor, web_id(c, "id"), AUTHZ_READ, h, NULL);

	if (!rc)
		rc = output_confirm_check(c->db, &c->actor, h->id, e);
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, output_confirm(c->db, &c->actor, h->id, e));
	return rc;
}

int h_api_output_confirm(struct web_ctx *c)
{
	struct output_head h;
	struct verr e;
	int rc = web_output_confirm(c, &h, &e);

	return rc ? web_answer(c, rc, &e) : answer_output(c, 200, h.id);
}

int web_adoption_add(struct web_ctx *c, struct output_head *h, struct verr *e)
{
	static const char *const names[] = {"kind", "title", "issuer", "reference",
					    "date", "link",  "note"};
	struct adoption_in in;
	const char **dst[] = {&in.kind, &in.title, &in.issuer, &in.reference,
			      &in.date, &in.link,  &in.note};
	int64_t id;
	size_t i;
	int parsed = ERR_OK, rc;

	for (i = 0; !parsed && i < ARRAY_LEN(names); i++) {
		bool bad = false;

		*dst[i] = web_field(c, names[i], &bad);
		if (bad)
			parsed = verr_type(e, names[i], "字符串", "a string");
	}
	if (!parsed && !in.title)
		in.title = web_field(c, "name", NULL);
	/* a malformed field is answered only to a caller who may record an adoption */
	rc = output_authorize(c->db, &c->actor, web_id(c, "id"), AUTHZ_WRITE, h, NULL);
	if (!rc)
		rc = parsed;
	if (!rc)
		rc = adoption_check(&in, e);
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, adoption_add(c->db, &c->actor, h->id, &in, &id, e));
	return rc;
}

int h_api_output_adoptions(struct web_ctx *c)
{
	struct output_head h;
	struct output o;
	struct verr e;
	json_t *x = NULL;
	size_t i, last = 0;
	int rc = web_adoption_add(c, &h, &e);

	if (rc)
		return web_answer(c, rc, &e);
	rc = output_get(c->db, h.id, &o);
	/* the adoption with the highest id is the one just made */
	for (i = 1; !rc && i < o.nadoptions; i++)
		if (o.adoptions[i].id > o.adoptions[last].id)
			last = i;
	if (!rc && o.nadoptions) {
		x = output_adoption_to_json(&o.adoptions[last]);
		json_object_set_new(x, "output_id", json_integer((json_int_t)h.id));
	}
	output_release(&o);
	return x ? web_json(c, 201, x) : web_fail(c, rc ? rc : ERR_NOT_FOUND);
}

int h_api_output_lineage(struct web_ctx *c)
{
	struct output_head h;
	json_t *l;
	int rc = output_authorize(c->db, &c->actor, web_id(c, "id"), AUTHZ_READ, &h, NULL);

	if (rc)
		return web_answer(c, rc, NULL);
	l = output_lineage_json(c, h.id);
	return l ? web_json(c, 200, l) : web_fail(c, ERR_NOT_FOUND);
}

int h_api_session_outcomes(struct web_ctx *c)
{
	int64_t id = web_id(c, "id");
	json_t *o;
	int rc = session_outcomes_authorize(c->db, &c->actor, id);

	if (rc)
		return web_answer(c, rc, NULL);
	o = session_outcomes_json(c, id);
	return o ? web_json(c, 200, o) : web_fail(c, ERR_NOT_FOUND);
}

int h_api_handlers_list(struct web_ctx *c)
{
	return web_json(c, 200,
			json_pack("{so sn}", "items", handler_list_json(c->db, &c->actor), "next"));
}

int h_api_handlers_create(struct web_ctx *c)
{
	struct handler u;
	struct verr e;
	bool bad = false;
	const char *name = web_field(c, "name", &bad);
	int64_t id, org_id = c->actor.org.id;
	bool present = false;
	int rc = bad ? verr_type(&e, "name", "字符串", "a string") : ERR_OK;

	if (!rc && web_int_field(c, "org_id", &org_id, &present))
		rc = verr_type(&e, "org_id", "整数", "an integer");
	if (!rc && present) {
		struct org o;
		/* the caller's body or one below it; any other is as unknown as a missing one */
		int found = org_get(c->db, org_id, &o);

		if (found == ERR_NOT_FOUND || (!found && !org_is_within(&o, &c->actor.org)))
			rc = verr_set(&e, "invalid", "org_id", "组织 %lld 不存在",
				      "org %lld does not exist", (long long)org_id);
		else
			rc = found;
	}
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, handler_create(c->db, &c->actor, org_id, name, &id, &e));
	if (rc)
		return web_answer(c, rc, &e);
	rc = handler_get(c->db, id, &u);
	return rc ? web_fail(c, rc) : web_json(c, 201, handler_to_json(&u));
}

/* --- statistics --- */

/* web_stats_query reads ?year= [&quarter=1..4] or ?from=&to= (dates), ?org=, ?scope=.
 * Answers the error itself and returns non-zero on bad input. */
int web_stats_query(struct web_ctx *c, struct stats_query *q, struct org *org)
{
	const char *y = http_query(c->req, "year"), *qt = http_query(c->req, "quarter");
	const char *from = http_query(c->req, "from"), *to = http_query(c->req, "to");
	const char *o = http_query(c->req, "org"), *scope = http_query(c->req, "scope");
	int64_t year = time_year(time_now()), quarter = 0, id;
	char a[24], b[24];
	int rc;

	memset(q, 0, sizeof(*q));
	q->lang = c->lang;
	if (y && num_parse(y, strlen(y), 1900, 9998, &year))
		return web_error(c, 400, "invalid", "year", "年份无效", "year is not valid"), 1;
	if (qt && num_parse(qt, strlen(qt), 1, 4, &quarter))
		return web_error(c, 400, "invalid", "quarter", "季度须为 1 到 4",
				 "quarter must be 1 to 4"),
		       1;
	if (from || to) {
		if (!from || !to || time_parse(from, &q->from) || time_parse(to, &q->to) ||
		    q->to <= q->from)
			return web_error(
				   c, 400, "invalid",
				   from && !time_parse(from, &id) ? "to" : "from",
				   "自定义时段须给出 from 和 to（YYYY-MM-DD），且 to 晚于 from",
				   "a custom period needs from and to (YYYY-MM-DD), to after "
				   "from"),
			       1;
		q->to += strlen(to) == 10 ? 86400 : 0; /* a date "to" includes that day */
	} else {
		snprintf(a, sizeof(a), "%04d-%02d-01", (int)year,
			 quarter ? (int)(quarter - 1) * 3 + 1 : 1);
		if (quarter && quarter < 4)
			snprintf(b, sizeof(b), "%04d-%02d-01", (int)year, (int)quarter * 3 + 1);
		else
			snprintf(b, sizeof(b), "%04d-01-01", (int)year + 1);
		if (time_parse(a, &q->from) || time_parse(b, &q->to))
			return web_fail(c, ERR_INVALID), 1;
	}
	if (scope && strcmp(scope, "self") != 0 && strcmp(scope, "subtree") != 0)
		return web_error(c, 400, "invalid", "scope", "scope 须为 self 或 subtree",
				 "scope must be self or subtree"),
		       1;
	q->subtree = scope && strcmp(scope, "subtree") == 0;
	*org = c->actor.org;
	if (o && *o) {
		if (num_parse(o, strlen(o), 1, INT64_MAX, &id))
			rc = org_get_by_slug(c->db, o, org);
		else
			rc = org_get(c->db, id, org);
		/* a body of another branch is as absent as one that does not exist */
		if (rc == ERR_NOT_FOUND || (!rc && !actor_can_see_org(&c->actor, org)))
			return web_error(c, 404, "not_found", "org", "组织不存在", "no such org"),
			       1;
		if (rc)
			return web_fail(c, rc), 1;
	}
	/* statistics of a body are for its own people and those above it */
	if (c->actor.user.handler_id || !org_is_within(org, &c->actor.org))
		return web_error_key(c, 403, "forbidden"), 1;
	q->org = org;
	return 0;
}

int h_api_stats(struct web_ctx *c)
{
	struct stats_query q;
	struct stats s;
	struct org org;
	json_t *x;
	int rc;

	if (web_stats_query(c, &q, &org))
		return 0;
	rc = stats_compute(c->db, &q, &s);
	x = rc ? NULL : stats_to_json(&s);
	stats_release(&s);
	return x ? web_json(c, 200, x) : web_fail(c, rc ? rc : ERR_NOMEM);
}

static int stats_export(struct web_ctx *c, bool xlsx)
{
	struct stats_query q;
	struct stats s;
	struct org org;
	struct buf *b = &c->resp->body, part;
	struct sheet sheets[32];
	json_t *tables, *t;
	char disp[160], ymd[16];
	size_t i, n = 0;
	int rc = ERR_OK;

	if (web_stats_query(c, &q, &org))
		return 0;
	rc = stats_compute(c->db, &q, &s);
	tables = rc ? NULL : web_stats_tables(c, &s);
	stats_release(&s);
	if (rc)
		return web_fail(c, rc);
	json_array_foreach(tables, i, t)
	{
		if (n == 32)
			break;
		sheets[n].name = json_string_value(json_object_get(t, "name"));
		sheets[n].header = json_object_get(t, "header");
		sheets[n].rows = json_object_get(t, "rows");
		n++;
	}
	if (xlsx) {
		rc = sheet_xlsx(sheets, n, b);
	} else {
		/* one CSV, the tables one after another, each under its name */
		buf_init(&part, BUF_MAX_DEFAULT);
		for (i = 0; !rc && i < n; i++) {
			buf_reset(&part);
			rc = sheet_csv(&sheets[i], &part);
			if (!rc && i == 0)
				rc = buf_append(b, part.p, 3); /* the BOM, once */
			if (!rc)
				rc = buf_printf(b, "%s%s\r\n", i ? "\r\n" : "", sheets[i].name);
			if (!rc)
				rc = buf_append(b, part.p + 3, part.n - 3);
		}
		buf_fini(&part);
	}
	json_decref(tables);
	if (rc)
		return web_fail(c, rc);
	time_fmt(q.from, "%Y%m%d", ymd, sizeof(ymd));
	snprintf(disp, sizeof(disp), "attachment; filename=\"stats-%s-%s.%s\"", org.slug, ymd,
		 xlsx ? "xlsx" : "csv");
	c->resp->status = 200;
	c->resp->content_type = xlsx ? sheet_xlsx_type : sheet_csv_type;
	return http_resp_header(c->resp, "Content-Disposition", disp) ? web_fail(c, ERR_TOO_BIG)
								      : 0;
}

int h_api_stats_csv(struct web_ctx *c)
{
	return stats_export(c, false);
}

int h_api_stats_xlsx(struct web_ctx *c)
{
	return stats_export(c, true);
}
