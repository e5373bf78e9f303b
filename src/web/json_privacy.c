/*
 * json_privacy.c - a person's export as JSON (see json_privacy.h).
 */
#include "json_privacy.h"

#include "base/util.h"
#include "web/json_people.h"
#include "web/web.h"

#define T(t) web_time_json(t)

static json_t *id_or_null(int64_t id)
{
	return id ? json_integer(id) : json_null();
}

static json_t *account_json(const struct person_export *x)
{
	json_t *a, *list;
	size_t i;

	if (!x->has_account)
		return json_null();
	a = user_to_json(&x->account);
	list = json_array();
	for (i = 0; i < x->nsignins; i++)
		json_array_append_new(list, json_pack("{so so}", "created_at",
						      T(x->signins[i].created_at), "expires_at",
						      T(x->signins[i].expires_at)));
	json_object_set_new(a, "sign_ins", list);
	list = json_array();
	for (i = 0; i < x->ntokens; i++)
		json_array_append_new(
		    list, json_pack("{sI so sb}", "id", (json_int_t)x->tokens[i].id, "created_at",
				    T(x->tokens[i].created_at), "revoked", x->tokens[i].revoked));
	json_object_set_new(a, "tokens", list);
	return a;
}

static json_t *records_json(json_t *o, const struct person_export *x)
{
	json_t *list = json_array();
	size_t i;

	for (i = 0; i < x->ninvitations; i++) {
		const struct pexport_invitation *r = &x->invitations[i];

		json_array_append_new(
		    list,
		    json_pack("{sI sI ss ss ss sb so so}", "id", (json_int_t)r->id, "session_id",
			      (json_int_t)r->session_id, "session_title", r->session_title, "role",
			      r->role, "rsvp", r->rsvp, "attended", r->attended, "created_at",
			      T(r->created_at), "responded_at", T(r->responded_at)));
	}
	json_object_set_new(o, "invitations", list);
	list = json_array();
	for (i = 0; i < x->nremarks; i++) {
		const struct pexport_remark *r = &x->remarks[i];

		json_array_append_new(
		    list, json_pack("{sI sI ss ss ss sb sI so so}", "id", (json_int_t)r->id,
				    "session_id", (json_int_t)r->session_id, "session_title",
				    r->session_title, "role", r->role, "body", r->body, "erased",
				    r->erased, "position", (json_int_t)r->position, "created_at",
				    T(r->created_at), "updated_at", T(r->updated_at)));
	}
	json_object_set_new(o, "remarks", list);
	list = json_array();
	for (i = 0; i < x->nsuggestions; i++) {
		const struct pexport_suggestion *r = &x->suggestions[i];

		json_array_append_new(
		    list, json_pack("{sI sI ss ss sb sb so}", "id", (json_int_t)r->id, "session_id",
				    (json_int_t)r->session_id, "title", r->title, "body", r->body,
				    "proposer", r->proposer, "from_their_record", r->from_their,
				    "created_at", T(r->created_at)));
	}
	json_object_set_new(o, "suggestions", list);
	list = json_array();
	for (i = 0; i < x->noutputs; i++) {
		const struct pexport_output *r = &x->outputs[i];

		json_array_append_new(
		    list, json_pack("{sI sI ss ss ss ss so so}", "id", (json_int_t)r->id, "org_id",
				    (json_int_t)r->org_id, "title", r->title, "kind", r->kind,
				    "state", r->state, "role", r->role, "dated_at", T(r->dated_at),
				    "confirmed_at", T(r->confirmed_at)));
	}
	json_object_set_new(o, "outputs", list);
	list = json_array();
	for (i = 0; i < x->ntopics; i++)
		json_array_append_new(
		    list, json_pack("{sI ss ss so}", "id", (json_int_t)x->topics[i].id, "title",
				    x->topics[i].title, "status", x->topics[i].status, "created_at",
				    T(x->topics[i].created_at)));
	json_object_set_new(o, "topics", list);
	list = json_array();
	for (i = 0; i < x->ncommitments; i++) {
		const struct pexport_commitment *r = &x->commitments[i];

		json_array_append_new(
		    list, json_pack("{sI sI ss ss ss ss so}", "id", (json_int_t)r->id, "session_id",
				    (json_int_t)r->session_id, "owner", r->owner, "body", r->body,
				    "due_date", r->due_date, "status", r->status, "created_at",
				    T(r->created_at)));
	}
	json_object_set_new(o, "commitments", list);
	return o;
}

static json_t *opinion_json(json_t *o, const struct person_export *x)
{
	json_t *list = json_array();
	size_t i;

	for (i = 0; i < x->nparticipations; i++)
		json_array_append_new(
		    list, json_pack("{sI sI ss so}", "id", (json_int_t)x->participations[i].id,
				    "session_id", (json_int_t)x->participations[i].session_id,
				    "category", x->participations[i].category, "created_at",
				    T(x->participations[i].created_at)));
	json_object_set_new(o, "participations", list);
	list = json_array();
	for (i = 0; i < x->nvotes; i++)
		json_array_append_new(list,
				      json_pack("{sI sI ss si so}", "statement_id",
						(json_int_t)x->votes[i].statement_id, "session_id",
						(json_int_t)x->votes[i].session_id, "statement",
						x->votes[i].statement_text, "vote",
						x->votes[i].value, "at", T(x->votes[i].at)));
	json_object_set_new(o, "votes", list);
	list = json_array();
	for (i = 0; i < x->nstatements; i++)
		json_array_append_new(
		    list, json_pack("{sI sI ss ss sb so}", "id", (json_int_t)x->statements[i].id,
				    "session_id", (json_int_t)x->statements[i].session_id, "text",
				    x->statements[i].text, "status", x->statements[i].status,
				    "erased", x->statements[i].erased, "created_at",
				    T(x->statements[i].created_at)));
	json_object_set_new(o, "statements", list);
	return o;
}

json_t *person_export_to_json(const struct person_export *x)
{
	json_t *o = json_object(), *person, *list;
	size_t i;

	if (!o)
		return NULL;
	json_object_set_new(o, "format", json_string("shenliao.person_export/1"));
	json_object_set_new(o, "exported_at", T(time_now()));
	person = person_to_json(&x->person, true);
	json_object_set_new(person, "org_name", json_string(x->org_name));
	json_object_set_new(person, "erased", json_boolean(x->erased_at != 0));
	json_object_set_new(person, "erased_at", T(x->erased_at));
	json_object_set_new(o, "person", person);
	json_object_set_new(o, "account", account_json(x));
	records_json(o, x);
	opinion_json(o, x);
	list = json_array();
	for (i = 0; i < x->nduty; i++) {
		const struct pexport_duty *r = &x->duty[i];

		json_array_append_new(
		    list, json_pack("{sI ss sI so sI sI so}", "id", (json_int_t)r->id, "kind",
				    r->kind, "points", (json_int_t)r->points, "session_id",
				    id_or_null(r->session_id), "ref_id", (json_int_t)r->ref_id,
				    "year", (json_int_t)r->year, "at", T(r->at)));
	}
	json_object_set_new(o, "duty_record", list);
	list = json_array();
	for (i = 0; i < x->nnotifications; i++) {
		const struct pexport_notification *r = &x->notifications[i];

		json_array_append_new(
		    list, json_pack("{sI ss ss ss so so ss? so}", "id", (json_int_t)r->id, "kind",
				    r->kind, "subject", r->subject, "link", r->link, "created_at",
				    T(r->created_at), "read_at", T(r->read_at), "mailed_to",
				    r->mailed_to[0] ? r->mailed_to : NULL, "mail_sent_at",
				    T(r->mail_sent_at)));
	}
	json_object_set_new(o, "notifications", list);
	list = json_array();
	for (i = 0; i < x->naudit; i++) {
		const struct pexport_audit *r = &x->audit[i];

		json_array_append_new(
		    list, json_pack("{sI so ss ss so ss}", "id", (json_int_t)r->id, "at", T(r->at),
				    "action", r->action, "entity", r->entity, "entity_id",
				    id_or_null(r->entity_id), "address", r->address));
	}
	json_object_set_new(o, "audit", list);
	json_object_set_new(o, "audit_truncated", json_boolean(x->audit_truncated));
	return o;
}
