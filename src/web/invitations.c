/*
 * invitations.c - invitations to a session, the invitee's answer (RSVP) and attendance:
 * the organizer's operations, and the invitee's own list and answers (API and page).
 */
#include "sessions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "view/view.h"

int sess_parse_invite(struct web_ctx *c, struct op_input *in, struct verr *e)
{
	int rc = sess_int_field(c, "person_id", &in->person_id, e);

	return rc ? rc : sess_str_field(c, "role", &in->role, e);
}

int sess_act_invite(struct web_ctx *c, const struct session_head *h, const struct op_input *in,
		    int64_t *id, struct verr *e)
{
	return invitation_add(c->db, &c->actor, h->id, in->person_id, in->role, id, e);
}

int sess_parse_attend(struct web_ctx *c, struct op_input *in, struct verr *e)
{
	bool present;
	int rc = sess_int_field(c, "person_id", &in->person_id, e);

	in->attended = true;
	if (!rc && web_bool_field(c, "attended", &in->attended, &present))
		rc = verr_type(e, "attended", "布尔值", "a boolean");
	/* a form's unticked box says no; JSON without the field says yes */
	if (!rc && c->json && !present)
		in->attended = true;
	return rc;
}

int sess_act_attend(struct web_ctx *c, const struct session_head *h, const struct op_input *in,
		    int64_t *id, struct verr *e)
{
	*id = in->person_id;
	if (!in->person_id)
		return verr_set(e, "required", "person_id", "请选择人员", "person_id is required");
	return invitation_attend(c->db, &c->actor, h->id, in->person_id, in->attended, e);
}

int h_api_invitations_create(struct web_ctx *c)
{
	return sess_api_op(c, "invitations");
}

int h_api_attendance(struct web_ctx *c)
{
	return sess_api_op(c, "attendance");
}

int h_api_invitation_answer(struct web_ctx *c)
{
	struct verr e, pe;
	const char *answer = NULL;
	int64_t id = web_id(c, "id");
	/* parse, but answer a malformed "answer" only after the invitation is found to be the
	 * caller's: someone else's invitation is 404 whatever was sent */
	int parsed = sess_str_field(c, "answer", &answer, &pe);
	int rc = id ? ERR_OK : ERR_NOT_FOUND;

	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(
		    c, invitation_answer(c->db, &c->actor, id, parsed ? NULL : answer, &e));
	if (rc == ERR_INVALID && parsed)
		e = pe;
	if (rc)
		return web_answer(c, rc, &e);
	return web_json(c, 200, json_pack("{sI ss}", "id", (json_int_t)id, "rsvp", answer));
}

/* my_invitations answers the caller's invitations: items gets their JSON, and when page,
 * what the page shows beside each (date, labels, whether it may still be answered). */
static int my_invitations(struct web_ctx *c, bool page, json_t **items)
{
	struct my_invitation *list;
	char date[32];
	size_t i, n;
	int rc = my_invitations_read(c->db, c->actor.user.id, &list, &n);

	if (rc)
		return rc;
	*items = json_array();
	for (i = 0; i < n; i++) {
		const struct my_invitation *v = &list[i];
		json_t *x = my_invitation_to_json(v);

		if (page) {
			bool open =
			    strcmp(v->status, "closed") != 0 && strcmp(v->status, "archived") != 0;

			sess_when(v->starts_at, date, sizeof(date));
			if (date[0])
				json_object_set_new(x, "date", json_string(date));
			sess_label(c, x, "role", "role_", "role_label");
			sess_label(c, x, "rsvp", "rsvp_", "rsvp_label");
			json_object_set_new(x, "open", json_boolean(open));
			/* the answer not given yet: accepted can still decline and back */
			json_object_set_new(x, "can_accept",
					    json_boolean(open && strcmp(v->rsvp, "accepted") != 0));
			json_object_set_new(x, "can_decline",
					    json_boolean(open && strcmp(v->rsvp, "declined") != 0));
			json_object_set_new(x, "csrf", json_string(c->actor.csrf));
		}
		json_array_append_new(*items, x);
	}
	my_invitations_release(list, n);
	return ERR_OK;
}

int h_api_my_invitations(struct web_ctx *c)
{
	json_t *items;
	int rc = my_invitations(c, false, &items);

	if (rc)
		return web_fail(c, rc);
	return web_json(c, 200, json_pack("{so so}", "items", items, "next", json_null()));
}

static int invitations_page(struct web_ctx *c, int status, const char *error)
{
	bool linked = invitee_linked(c->db, c->actor.user.id);
	json_t *items;
	int rc = my_invitations(c, true, &items);

	if (rc)
		return web_fail(c, rc);
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
	/* the invitee answers their own: invitation_answer finds only theirs (404 otherwise) */
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
