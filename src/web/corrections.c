/*
 * corrections.c - correcting and deleting items of a session's record: PATCH and DELETE of
 * /api/v1/{remarks,points,suggestions,commitments,invitations}/{id}, and the pages: the
 * correction form GET /sessions/{id}/{kind}/{item}/edit and the forms it and the session
 * page post, POST /sessions/{id}/{kind}/{item}/edit|delete.
 *
 * One table of item kinds drives both: parse the request (no database), authorize through
 * the item's session (record_item_authorize, AUTHZ_WRITE: organizers of the session's body;
 * the answers to who may not come first, whatever was sent), then validate and act in one
 * write transaction (model/correction.h: a closed session's record needs a reason), then
 * answer after the commit. A DELETE takes its reason as the query parameter ?reason=.
 */
#include "sessions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "model/correction.h"
#include "view/view.h"

/* What a correction may carry: each kind reads its own fields (NULL / -1: unchanged). */
struct change_in {
	const char *reason, *role, *body, *kind, *title, *owner, *due_date, *status;
	int64_t person_id, owner_id;
	int attended;
	int64_t proposers[MAX_REFS];
	size_t nproposers;
	bool set_proposers;
	struct source_ref sources[MAX_REFS];
	size_t nsources;
	bool set_sources;
};

typedef int (*change_parse_fn)(struct web_ctx *c, struct change_in *in, struct verr *e);
typedef int (*change_act_fn)(struct web_ctx *c, int64_t id, const struct change_in *in,
			     struct verr *e);
typedef int (*drop_fn)(struct db *db, const struct actor *who, int64_t id, const char *reason,
		       struct verr *e);

struct item_kind {
	const char *segment; /* the API resource and the page form's path segment */
	enum record_kind kind;
	const char *list; /* where it appears in the session's JSON (NULL: suggestions) */
	change_parse_fn parse;
	change_act_fn act;
	drop_fn drop;
};

static int parse_remark(struct web_ctx *c, struct change_in *in, struct verr *e)
{
	int rc = sess_int_field(c, "person_id", &in->person_id, e);

	if (!rc)
		rc = sess_str_field(c, "role", &in->role, e);
	if (!rc)
		rc = sess_str_field(c, "body", &in->body, e);
	return rc;
}

static int act_remark(struct web_ctx *c, int64_t id, const struct change_in *in, struct verr *e)
{
	struct remark_change ch = {in->person_id, in->role, in->body, in->reason};

	return remark_update(c->db, &c->actor, id, &ch, e);
}

static int parse_point(struct web_ctx *c, struct change_in *in, struct verr *e)
{
	int rc = sess_str_field(c, "kind", &in->kind, e);

	return rc ? rc : sess_str_field(c, "body", &in->body, e);
}

static int act_point(struct web_ctx *c, int64_t id, const struct change_in *in, struct verr *e)
{
	struct point_change ch = {in->kind, in->body, in->reason};

	return point_update(c->db, &c->actor, id, &ch, e);
}

/* parse_sources reads "sources" of a JSON body, [{"kind","id"}] (page forms do not change
 * the sources). */
static int parse_sources(struct web_ctx *c, struct change_in *in, struct verr *e)
{
	json_t *v = c->json ? json_object_get(c->json, "sources") : NULL, *x;
	size_t i;

	if (!v || json_is_null(v))
		return ERR_OK;
	if (!json_is_array(v))
		return verr_type(e, "sources", "数组", "an array");
	in->set_sources = true;
	json_array_foreach(v, i, x)
	{
		const char *k = json_string_value(json_object_get(x, "kind"));
		json_t *id = json_object_get(x, "id");

		if (!k || !json_is_integer(id) || strlen(k) >= sizeof(in->sources[0].kind))
			return verr_set(e, "invalid", "sources",
					"来源须为 {\"kind\":\"remark\",\"id\":编号}",
					"each source must be {\"kind\":\"remark\",\"id\":N}");
		if (in->nsources == MAX_REFS)
			return verr_set(e, "too_long", "sources", "来源过多", "too many sources");
		snprintf(in->sources[in->nsources].kind, sizeof(in->sources[0].kind), "%s", k);
		in->sources[in->nsources++].id = json_integer_value(id);
	}
	return ERR_OK;
}

static int parse_suggestion(struct web_ctx *c, struct change_in *in, struct verr *e)
{
	int rc = sess_str_field(c, "title", &in->title, e);

	if (!rc)
		rc = sess_str_field(c, "body", &in->body, e);
	if (!rc && c->json &&
	    web_id_list_field(c, "proposer_ids", in->proposers, MAX_REFS, &in->nproposers,
			      &in->set_proposers))
		rc = verr_type(e, "proposer_ids", "人员编号的数组", "an array of person ids");
	if (!rc)
		rc = parse_sources(c, in, e);
	return rc;
}

static int act_suggestion(struct web_ctx *c, int64_t id, const struct change_in *in, struct verr *e)
{
	struct suggestion_change ch = {
	    .title = in->title,
	    .body = in->body,
	    .reason = in->reason,
	    .proposers = in->proposers,
	    .nproposers = in->nproposers,
	    .set_proposers = in->set_proposers,
	    .sources = in->sources,
	    .nsources = in->nsources,
	    .set_sources = in->set_sources,
	};

	return suggestion_update(c->db, &c->actor, id, &ch, e);
}

static int parse_commitment(struct web_ctx *c, struct change_in *in, struct verr *e)
{
	bool present = false;
	int rc = sess_str_field(c, "owner", &in->owner, e);

	in->owner_id = -1;
	if (!rc && web_int_field(c, "owner_id", &in->owner_id, &present))
		rc = verr_type(e, "owner_id", "整数", "an integer");
	if (!rc && !present)
		in->owner_id = -1;
	if (!rc)
		rc = sess_str_field(c, "body", &in->body, e);
	if (!rc)
		rc = sess_str_field(c, "due_date", &in->due_date, e);
	if (!rc)
		rc = sess_str_field(c, "status", &in->status, e);
	return rc;
}

static int act_commitment(struct web_ctx *c, int64_t id, const struct change_in *in, struct verr *e)
{
	struct commitment_change ch = {in->owner,  in->body,   in->due_date,
				       in->status, in->reason, in->owner_id};

	return commitment_update(c->db, &c->actor, id, &ch, e);
}

static int parse_invitation(struct web_ctx *c, struct change_in *in, struct verr *e)
{
	bool present = false, attended = false;
	int rc = sess_str_field(c, "role", &in->role, e);

	in->attended = -1;
	if (!rc && web_bool_field(c, "attended", &attended, &present))
		rc = verr_type(e, "attended", "布尔值", "a boolean");
	if (!rc && present)
		in->attended = attended;
	return rc;
}

static int act_invitation(struct web_ctx *c, int64_t id, const struct change_in *in, struct verr *e)
{
	struct invitation_change ch = {in->role, in->reason, in->attended};

	return invitation_update(c->db, &c->actor, id, &ch, e);
}

static const struct item_kind kinds[] = {
    {"remarks", RECORD_REMARK, "remarks", parse_remark, act_remark, remark_delete},
    {"points", RECORD_POINT, NULL, parse_point, act_point, point_delete},
    {"suggestions", RECORD_SUGGESTION, NULL, parse_suggestion, act_suggestion, suggestion_delete},
    {"commitments", RECORD_COMMITMENT, "commitments", parse_commitment, act_commitment,
     commitment_delete},
    {"invitations", RECORD_INVITATION, "invitations", parse_invitation, act_invitation,
     invitation_delete},
};

static const struct item_kind *kind_named(const char *segment)
{
	size_t i;

	for (i = 0; segment && i < ARRAY_LEN(kinds); i++)
		if (strcmp(kinds[i].segment, segment) == 0)
			return &kinds[i];
	return NULL;
}

/* run_change corrects (drop false) or deletes item id of kind k: parse, authorize (h
 * filled when the item exists; an item of another session than session, when not 0, does
 * not exist), then act in one write transaction. */
static int run_change(struct web_ctx *c, const struct item_kind *k, int64_t id, int64_t session,
		      bool drop, struct change_in *in, struct session_head *h, struct verr *e)
{
	bool bad = false;
	int parsed, rc;

	memset(in, 0, sizeof(*in));
	memset(h, 0, sizeof(*h));
	in->owner_id = -1;
	in->attended = -1;
	parsed = web_form_check(c, e);
	/* a DELETE says why in its query; a PATCH or a page form in its body */
	in->reason = http_query(c->req, "reason");
	if (!in->reason)
		in->reason = web_field(c, "reason", &bad);
	if (!parsed && bad)
		parsed = verr_type(e, "reason", "字符串", "a string");
	if (!parsed && !drop)
		parsed = k->parse(c, in, e);
	rc = record_item_authorize(c->db, &c->actor, k->kind, id, AUTHZ_WRITE, h);
	if (!rc && session && h->id != session)
		rc = ERR_NOT_FOUND;
	if (!rc)
		rc = parsed;
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, drop ? k->drop(c->db, &c->actor, id, in->reason, e)
					: k->act(c, id, in, e));
	return rc;
}

/* item_answer answers 200 with item id of kind k as the session's JSON shows it. */
static int item_answer(struct web_ctx *c, const struct item_kind *k, int64_t session_id, int64_t id)
{
	struct session_record r;
	json_t *x = NULL;
	int rc;

	if (k->kind == RECORD_SUGGESTION) {
		struct suggestion g;

		suggestion_init(&g);
		rc = suggestion_read(c->db, id, &g);
		if (rc)
			return web_fail(c, rc);
		x = suggestion_to_json(c, &g);
		suggestion_release(&g);
		return web_json(c, 200, x);
	}
	session_record_init(&r);
	rc = session_record_read(c->db, session_id, true, &r);
	if (rc)
		return web_fail(c, rc);
	if (k->list) {
		x = sess_record_item_json(c, &r, k->list, id);
	} else if ((x = sess_record_item_json(c, &r, "agreed", id))) {
		json_object_set_new(x, "kind", json_string("agreed"));
	} else if ((x = sess_record_item_json(c, &r, "differences", id))) {
		json_object_set_new(x, "kind", json_string("difference"));
	}
	session_record_release(&r);
	if (!x)
		return web_fail(c, ERR_NOT_FOUND);
	json_object_set_new(x, "session_id", json_integer(session_id));
	return web_json(c, 200, x);
}

static int api_change(struct web_ctx *c, const char *segment, bool drop)
{
	const struct item_kind *k = kind_named(segment);
	struct change_in in;
	struct session_head h;
	struct verr e;
	int64_t id = web_id(c, "id");
	int rc = run_change(c, k, id, 0, drop, &in, &h, &e);

	if (rc)
		return web_answer(c, rc, &e);
	return drop ? web_no_content(c) : item_answer(c, k, h.id, id);
}

int h_api_remark_patch(struct web_ctx *c)
{
	return api_change(c, "remarks", false);
}

int h_api_remark_delete(struct web_ctx *c)
{
	return api_change(c, "remarks", true);
}

int h_api_point_patch(struct web_ctx *c)
{
	return api_change(c, "points", false);
}

int h_api_point_delete(struct web_ctx *c)
{
	return api_change(c, "points", true);
}

int h_api_suggestion_patch(struct web_ctx *c)
{
	return api_change(c, "suggestions", false);
}

int h_api_suggestion_delete(struct web_ctx *c)
{
	return api_change(c, "suggestions", true);
}

int h_api_commitment_patch(struct web_ctx *c)
{
	return api_change(c, "commitments", false);
}

int h_api_commitment_delete(struct web_ctx *c)
{
	return api_change(c, "commitments", true);
}

int h_api_invitation_patch(struct web_ctx *c)
{
	return api_change(c, "invitations", false);
}

int h_api_invitation_delete(struct web_ctx *c)
{
	return api_change(c, "invitations", true);
}

/* edit_page renders the correction form of item id of kind k of session h, filled with
 * the item as it is, with error (NULL: none) above it. */
static int edit_page(struct web_ctx *c, const struct item_kind *k, const struct session_head *h,
		     int64_t id, int status, const char *error)
{
	static const char *const roles[] = {"member", "host",	  "speaker",
					    "expert", "official", "observer"};
	struct session_record r;
	json_t *item = NULL, *ctx;
	char path[96], key[48];
	size_t i;
	int rc;

	if (k->kind == RECORD_SUGGESTION) {
		struct suggestion g;

		suggestion_init(&g);
		rc = suggestion_read(c->db, id, &g);
		if (!rc)
			item = suggestion_to_json(c, &g);
		suggestion_release(&g);
	} else {
		session_record_init(&r);
		rc = session_record_read(c->db, h->id, true, &r);
		if (!rc && k->list) {
			item = sess_record_item_json(c, &r, k->list, id);
		} else if (!rc && !(item = sess_record_item_json(c, &r, "agreed", id))) {
			item = sess_record_item_json(c, &r, "differences", id);
			if (item)
				json_object_set_new(item, "is_difference", json_true());
		}
		session_record_release(&r);
	}
	if (rc || !item)
		return web_fail(c, rc ? rc : ERR_NOT_FOUND);
	if (error) { /* a refused form shows again what was sent */
		static const char *const sent[] = {"role",  "body",	"title",
						   "owner", "due_date", "kind"};
		const char *v;

		for (i = 0; i < ARRAY_LEN(sent); i++)
			if ((v = web_field(c, sent[i], NULL)))
				json_object_set_new(item, sent[i], json_string(v));
		if ((v = web_field(c, "kind", NULL)))
			json_object_set_new(item, "is_difference",
					    json_boolean(strcmp(v, "difference") == 0));
		if (k->kind == RECORD_INVITATION)
			json_object_set_new(item, "attended",
					    json_boolean(web_field(c, "attended", NULL) != NULL));
	}
	if (k->kind == RECORD_INVITATION) {
		json_t *opts = json_array();
		const char *role = json_string_value(json_object_get(item, "role"));

		for (i = 0; i < ARRAY_LEN(roles); i++) {
			snprintf(key, sizeof(key), "role_%s", roles[i]);
			json_array_append_new(opts,
					      json_pack("{ss ss sb}", "value", roles[i], "label",
							view_text(c->lang, key), "selected",
							role && strcmp(role, roles[i]) == 0));
		}
		json_object_set_new(item, "roles", opts);
	}
	snprintf(path, sizeof(path), "/sessions/%lld/%s/%lld", (long long)h->id, k->segment,
		 (long long)id);
	ctx = json_pack("{so sI ss ss sb ss?}", "item", item, "session_id", (json_int_t)h->id,
			"kind", k->kind == RECORD_INVITATION ? "participants" : k->segment,
			"fix_path", path, "fix_reason",
			strcmp(h->status, "closed") == 0 || strcmp(h->status, "archived") == 0,
			"error", error);
	snprintf(key, sizeof(key), "is_%.*s", (int)strlen(k->segment) - 1, k->segment);
	json_object_set_new(ctx, key, json_true());
	return web_render(c, status, "record_edit", ctx);
}

/* GET /sessions/{id}/{kind}/{item}/edit: the correction form of one item (organizers). */
int h_record_item_page(struct web_ctx *c)
{
	const struct item_kind *k = kind_named(http_param(c->req, "kind"));
	const char *action = http_param(c->req, "action");
	bool edit = action && strcmp(action, "edit") == 0;
	struct session_head h;
	int64_t sid = web_id(c, "id"), id = web_id(c, "item");
	int rc;

	if (!k || !edit)
		return web_error_key(c, 404, "not_found");
	rc = record_item_authorize(c->db, &c->actor, k->kind, id, AUTHZ_WRITE, &h);
	if (!rc && h.id != sid)
		rc = ERR_NOT_FOUND;
	return rc ? web_answer(c, rc, NULL) : edit_page(c, k, &h, id, 200, NULL);
}

/* POST /sessions/{id}/{kind}/{item}/{action}: the session page's edit and delete forms.
 * A refused form shows the session page again with the message; done, back to the item's
 * list on the page. */
int h_record_item_post(struct web_ctx *c)
{
	/* http_param's answer lives until its next call: each is used at once */
	const struct item_kind *k = kind_named(http_param(c->req, "kind"));
	const char *action = http_param(c->req, "action");
	bool drop = action && strcmp(action, "delete") == 0;
	bool edit = action && strcmp(action, "edit") == 0;
	struct change_in in;
	struct session_head h;
	struct verr e;
	char loc[96];
	int64_t sid = web_id(c, "id"), id = web_id(c, "item");
	int rc;

	if (!k || (!drop && !edit))
		return web_error_key(c, 404, "not_found");
	rc = run_change(c, k, id, sid, drop, &in, &h, &e);
	if ((rc == ERR_INVALID || rc == ERR_CONFLICT) && !drop)
		return edit_page(c, k, &h, id, rc == ERR_CONFLICT ? 409 : 422,
				 web_verr_text(c, &e));
	if (rc == ERR_INVALID || rc == ERR_CONFLICT)
		return sess_page(c, rc == ERR_CONFLICT ? 409 : 422, &h, web_verr_text(c, &e));
	if (rc)
		return web_answer(c, rc, &e);
	snprintf(loc, sizeof(loc), "/sessions/%lld#%s", (long long)h.id,
		 k->kind == RECORD_INVITATION ? "participants" : k->segment);
	return web_redirect(c, loc);
}
