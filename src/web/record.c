/*
 * record.c - a session's record: remarks, agreed points and differences, suggestions with
 * their sources; and the one table of record operations (these and the invitations,
 * attendance, commitments and transitions of the other files) that the JSON API and the
 * page forms (POST /sessions/{id}/{op}) both run.
 */
#include "sessions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "view/view.h"

int sess_int_field(struct web_ctx *c, const char *name, int64_t *v, struct verr *e)
{
	bool present;

	*v = 0;
	if (web_int_field(c, name, v, &present))
		return verr_type(e, name, "整数", "an integer");
	return ERR_OK;
}

int sess_str_field(struct web_ctx *c, const char *name, const char **v, struct verr *e)
{
	bool bad = false;

	*v = web_field(c, name, &bad);
	return bad ? verr_type(e, name, "字符串", "a string") : ERR_OK;
}

json_t *sess_record_item_json(const struct web_ctx *c, const struct session_record *r,
			      const char *list, int64_t id)
{
	const struct session_point *pts = strcmp(list, "agreed") == 0 ? r->agreed : r->differences;
	size_t npts = strcmp(list, "agreed") == 0 ? r->nagreed : r->ndifferences, i;

	if (strcmp(list, "invitations") == 0) {
		for (i = 0; i < r->ninvitations; i++)
			if (r->invitations[i].id == id)
				return invitation_to_json(c, &r->invitations[i]);
	} else if (strcmp(list, "remarks") == 0) {
		for (i = 0; i < r->nremarks; i++)
			if (r->remarks[i].id == id)
				return remark_to_json(c, &r->remarks[i]);
	} else if (strcmp(list, "commitments") == 0) {
		for (i = 0; i < r->ncommitments; i++)
			if (r->commitments[i].id == id)
				return commitment_to_json(&r->commitments[i]);
	} else {
		for (i = 0; i < npts; i++)
			if (pts[i].id == id)
				return session_point_to_json(&pts[i]);
	}
	return NULL;
}

/* created answers 201 with the new object of the record of session h, as the session's
 * API shows it in list, and its session_id. */
static int created(struct web_ctx *c, const struct session_head *h, int64_t id, const char *list)
{
	struct session_record r;
	json_t *x;
	int rc;

	session_record_init(&r);
	rc = session_record_read(c->db, h->id, true, &r);
	if (rc)
		return web_fail(c, rc);
	x = sess_record_item_json(c, &r, list, id);
	session_record_release(&r);
	if (!x)
		x = json_pack("{sI}", "id", (json_int_t)id);
	json_object_set_new(x, "session_id", json_integer(h->id));
	return web_json(c, 201, x);
}

static int parse_remark(struct web_ctx *c, struct op_input *in, struct verr *e)
{
	int rc = sess_int_field(c, "person_id", &in->person_id, e);

	if (!rc)
		rc = sess_str_field(c, "role", &in->role, e);
	if (!rc)
		rc = sess_str_field(c, "body", &in->body, e);
	return rc;
}

static int act_remark(struct web_ctx *c, const struct session_head *h, const struct op_input *in,
		      int64_t *id, struct verr *e)
{
	return remark_add(c->db, &c->actor, h->id, in->person_id, in->role, in->body, id, e);
}

static int parse_point(struct web_ctx *c, struct op_input *in, struct verr *e)
{
	int rc = sess_str_field(c, "kind", &in->kind, e);

	return rc ? rc : sess_str_field(c, "body", &in->body, e);
}

static int act_point(struct web_ctx *c, const struct session_head *h, const struct op_input *in,
		     int64_t *id, struct verr *e)
{
	return point_add(c->db, &c->actor, h->id, in->kind, in->body, id, e);
}

static int read_sources(struct web_ctx *c, struct source_ref *out, size_t *n, struct verr *e);

static int parse_suggestion(struct web_ctx *c, struct op_input *in, struct verr *e)
{
	bool present;
	int rc = sess_str_field(c, "title", &in->title, e);

	if (!rc)
		rc = sess_str_field(c, "body", &in->body, e);
	if (!rc && web_id_list_field(c, "proposer_ids", in->proposers, MAX_REFS, &in->nproposers,
				     &present))
		rc = verr_type(e, "proposer_ids", "人员编号的数组", "an array of person ids");
	if (!rc)
		rc = read_sources(c, in->sources, &in->nsources, e);
	return rc;
}

static int act_suggestion(struct web_ctx *c, const struct session_head *h,
			  const struct op_input *in, int64_t *id, struct verr *e)
{
	return suggestion_add(c->db, &c->actor, h->id, in->title, in->body, in->proposers,
			      in->nproposers, in->sources, in->nsources, id, e);
}

static const struct record_op ops[] = {
    {"invitations", "invitations", false, true, sess_parse_invite, sess_act_invite},
    {"attendance", NULL, true, true, sess_parse_attend, sess_act_attend},
    {"remarks", "remarks", true, true, parse_remark, act_remark},
    {"commitments", "commitments", true, false, sess_parse_commitment, sess_act_commitment},
    {"points", NULL, true, true, parse_point, act_point},
    {"suggestions", "suggestions", true, true, parse_suggestion, act_suggestion},
    {"transition", NULL, false, false, sess_parse_transition, sess_act_transition},
};

static const struct record_op *op_named(const char *name)
{
	size_t i;

	for (i = 0; name && i < ARRAY_LEN(ops); i++)
		if (strcmp(ops[i].name, name) == 0)
			return &ops[i];
	return NULL;
}

/* run_op runs op on session {id}: parse the request into in (no database), authorize (h is
 * filled when the session exists) and check that its record is still open to the caller
 * (these answers come first, whatever was sent), then act in one write transaction. */
static int run_op(struct web_ctx *c, const struct record_op *op, struct op_input *in,
		  struct session_head *h, int64_t *id, struct verr *e)
{
	struct verr why = {0};
	int parsed, rc;

	memset(in, 0, sizeof(*in));
	memset(h, 0, sizeof(*h));
	memset(e, 0, sizeof(*e));
	parsed = web_form_check(c, e);
	if (!parsed)
		parsed = op->parse(c, in, e);
	/* who may not change the session hears that, whatever they sent; a joint session's
	 * linked bodies add to its record but do not change the session itself */
	if (op->joint)
		rc = session_authorize_record(c->db, &c->actor, web_id(c, "id"), h, NULL);
	else
		rc = session_authorize_change(c->db, &c->actor, web_id(c, "id"), h, &why);
	if (rc == ERR_FORBIDDEN)
		*e = why; /* the reason, if any: not what was wrong with the input */
	if (!rc && op->record)
		rc = session_record_check(&c->actor, h, e);
	if (!rc)
		rc = parsed;
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, op->act(c, h, in, id, e));
	return rc;
}

/* api_op answers an API call of op: 201 with the new object (200 for attendance and
 * transitions, which change what exists). */
int sess_api_op(struct web_ctx *c, const char *name)
{
	const struct record_op *op = op_named(name);
	struct op_input in;
	struct session_head h;
	struct verr e;
	int64_t id = 0;
	int rc = run_op(c, op, &in, &h, &id, &e);

	if (rc)
		return web_answer_why(c, rc, &e);
	if (op->act == sess_act_transition)
		return sess_answer(c, 200, h.id);
	if (op->act == sess_act_attend)
		return web_json(c, 200,
				json_pack("{sI sI sb}", "session_id", (json_int_t)h.id, "person_id",
					  (json_int_t)id, "attended", in.attended));
	if (op->act == act_suggestion) {
		struct suggestion g;
		json_t *s;

		suggestion_init(&g);
		rc = suggestion_read(c->db, id, &g);
		if (rc)
			return web_fail(c, rc);
		s = suggestion_to_json(c, &g);
		suggestion_release(&g);
		return web_json(c, 201, s);
	}
	if (op->act == act_point)
		return created(c, &h, id,
			       in.kind && strcmp(in.kind, "agreed") == 0 ? "agreed"
									 : "differences");
	return created(c, &h, id, op->list);
}

int h_api_remarks_create(struct web_ctx *c)
{
	return sess_api_op(c, "remarks");
}

int h_api_points_create(struct web_ctx *c)
{
	return sess_api_op(c, "points");
}

int h_api_suggestions_create(struct web_ctx *c)
{
	return sess_api_op(c, "suggestions");
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

int h_session_op_post(struct web_ctx *c)
{
	const struct record_op *op = op_named(http_param(c->req, "op"));
	struct op_input in;
	struct session_head h;
	struct verr e;
	char loc[96];
	int64_t id = 0;
	int rc;

	if (!op)
		return web_error_key(c, 404, "not_found");
	rc = run_op(c, op, &in, &h, &id, &e);
	if (rc == ERR_INVALID || rc == ERR_CONFLICT) {
		/* the operation may have changed the session: show it as it is now */
		if (session_head(c->db, h.id, &h))
			return web_fail(c, ERR_NOT_FOUND);
		return sess_page_again(c, rc == ERR_CONFLICT ? 409 : 422, &h, op->name, &e,
				       web_verr_text(c, &e));
	}
	if (rc)
		return web_answer_why(c, rc, &e);
	snprintf(loc, sizeof(loc), "/sessions/%lld#%s", (long long)h.id,
		 op->act == sess_act_attend ? "participants" : op->name);
	return web_redirect(c, loc);
}
