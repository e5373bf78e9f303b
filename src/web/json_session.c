/*
 * json_session.c - the one place a session and its record become JSON: the shape the API
 * answers with and the session pages render (their templates read the same keys).
 *
 * Times are in the body's zone ("2024-07-10T14:30:00+08:00") or null when not set; ids
 * of nothing (a remark without a speaker, a commitment without an owner) are null.
 */
#include "sessions.h"

#include <string.h>

#include "base/buf.h"
#include "base/util.h"
#include "view/view.h"

static json_t *id_or_null(int64_t id)
{
	return id ? json_integer(id) : json_null();
}

/* by_org adds to item o the body that added it to a session's record, "org_id" and
 * "org_name" (joint sessions: the host's or a linked body's), and returns o. */
static json_t *by_org(json_t *o, int64_t org_id, const char *name)
{
	json_object_set_new(o, "org_id", id_or_null(org_id));
	json_object_set_new(o, "org_name", json_string(name));
	return o;
}

json_t *session_to_json(const struct session *s, bool full)
{
	json_t *o = json_object(), *linked, *ids, *counts;
	size_t i;

	json_object_set_new(o, "id", json_integer(s->id));
	json_object_set_new(o, "org_id", json_integer(s->org_id));
	json_object_set_new(o, "org_name", json_string(s->org_name));
	json_object_set_new(o, "topic_id", json_integer(s->topic_id));
	json_object_set_new(o, "topic_title", json_string(s->topic_title));
	json_object_set_new(o, "domain", json_string(s->domain));
	json_object_set_new(o, "title", json_string(s->title));
	json_object_set_new(o, "summary", json_string(s->summary));
	json_object_set_new(o, "starts_at", web_time_json(s->starts_at));
	json_object_set_new(o, "ends_at", web_time_json(s->ends_at));
	json_object_set_new(o, "venue", json_string(s->venue));
	json_object_set_new(o, "organizer_unit", json_string(s->organizer_unit));
	json_object_set_new(o, "department", json_string(s->department));
	json_object_set_new(o, "visibility", json_string(s->visibility));
	json_object_set_new(o, "rules_version", json_string(s->rules_version));
	json_object_set_new(o, "status", json_string(s->status));
	json_object_set_new(o, "created_at", web_time_json(s->created_at));
	json_object_set_new(o, "updated_at", web_time_json(s->updated_at));
	json_object_set_new(o, "closed_at", web_time_json(s->closed_at));
	json_object_set_new(o, "formats", formats_json(s->formats));
	json_object_set_new(o, "year",
			    s->starts_at ? json_integer(time_year(s->starts_at)) : json_null());
	if (!full)
		return o;
	linked = json_array();
	ids = json_array();
	for (i = 0; i < s->nlinked; i++) {
		json_array_append_new(linked,
				      json_pack("{sI ss}", "id", (json_int_t)s->linked[i].id,
						"name", s->linked[i].name));
		json_array_append_new(ids, json_integer(s->linked[i].id));
	}
	json_object_set_new(o, "linked_org_ids", ids);
	json_object_set_new(o, "linked_orgs", linked);
	counts = json_array();
	for (i = 0; i < s->ncategories; i++)
		json_array_append_new(counts,
				      json_pack("{ss sI}", "category", s->by_category[i].category,
						"count", (json_int_t)s->by_category[i].count));
	json_object_set_new(o, "participants_by_category", counts);
	return o;
}

json_t *person_shown_json(const struct web_ctx *c, const char *name, const char *category,
			  const char *sector, const char *person_path, bool public_name)
{
	char key[32];
	struct buf b;
	json_t *j;
	int rc;

	if (!category[0] || person_nameable(&c->actor, person_path, public_name))
		return json_string(name);
	snprintf(key, sizeof(key), "cat_%s", category);
	buf_init(&b, 1024);
	rc = buf_puts(&b, view_text(c->lang, key));
	if (!rc && sector[0])
		rc = buf_puts(&b, view_text(c->lang, "unnamed_sector_open"));
	if (!rc && sector[0])
		rc = buf_puts(&b, sector);
	if (!rc && sector[0])
		rc = buf_puts(&b, view_text(c->lang, "unnamed_sector_close"));
	/* never the name: at worst the category alone */
	j = json_string(rc ? view_text(c->lang, key) : buf_cstr(&b));
	buf_fini(&b);
	return j;
}

json_t *invitation_to_json(const struct web_ctx *c, const struct invitation *x)
{
	bool named = person_nameable(&c->actor, x->person_path, x->public_name);

	/* not even the id: it would tie the person's appearances together */
	return by_org(json_pack("{sI so so ss ss sb ss ss sb}", "id", (json_int_t)x->id,
				"person_id", named ? json_integer(x->person_id) : json_null(),
				"name", named ? json_string(x->name) : json_null(), "category",
				x->category, "affiliation", named ? x->affiliation : "",
				"public_name", x->public_name, "role", x->role, "rsvp", x->rsvp,
				"attended", x->attended),
		      x->by_org_id, x->by_org_name);
}

json_t *remark_to_json(const struct web_ctx *c, const struct remark *x)
{
	bool named = person_nameable(&c->actor, x->person_path, x->public_name);

	return by_org(json_pack("{sI so so ss ss sI so sb}", "id", (json_int_t)x->id, "person_id",
				id_or_null(named ? x->person_id : 0), "speaker",
				person_shown_json(c, x->speaker, x->category, x->sector,
						  x->person_path, x->public_name),
				"role", x->role, "body", x->body, "position",
				(json_int_t)x->position, "created_at", web_time_json(x->created_at),
				"erased", x->erased),
		      x->by_org_id, x->by_org_name);
}

json_t *commitment_to_json(const struct commitment *x)
{
	return json_pack("{sI ss so ss ss ss so}", "id", (json_int_t)x->id, "owner", x->owner,
			 "owner_id", id_or_null(x->owner_id), "body", x->body, "due_date",
			 x->due_date, "status", x->status, "created_at",
			 web_time_json(x->created_at));
}

json_t *suggestion_to_json(const struct web_ctx *c, const struct suggestion *x)
{
	json_t *o = by_org(json_pack("{sI sI ss ss sI so}", "id", (json_int_t)x->id, "session_id",
				     (json_int_t)x->session_id, "title", x->title, "body", x->body,
				     "position", (json_int_t)x->position, "created_at",
				     web_time_json(x->created_at)),
			   x->by_org_id ? x->by_org_id : x->org_id, x->by_org_name);
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < x->nproposers; i++) {
		const struct suggestion_proposer *p = &x->proposers[i];
		bool named = person_nameable(&c->actor, p->person_path, p->public_name);

		json_array_append_new(
		    a, json_pack("{so so ss sb}", "id", named ? json_integer(p->id) : json_null(),
				 "name",
				 person_shown_json(c, p->name, p->category, p->sector,
						   p->person_path, p->public_name),
				 "category", p->category, "public_name", p->public_name));
	}
	json_object_set_new(o, "proposers", a);
	a = json_array();
	for (i = 0; i < x->nsources; i++)
		json_array_append_new(a, json_pack("{ss sI ss sb}", "kind", x->sources[i].kind,
						   "id", (json_int_t)x->sources[i].id, "excerpt",
						   x->sources[i].excerpt, "is_statement",
						   strcmp(x->sources[i].kind, "statement") == 0));
	json_object_set_new(o, "sources", a);
	return o;
}

json_t *session_point_to_json(const struct session_point *p)
{
	return by_org(json_pack("{sI ss}", "id", (json_int_t)p->id, "body", p->body), p->by_org_id,
		      p->by_org_name);
}

json_t *session_points_to_json(const struct session_point *p, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, session_point_to_json(&p[i]));
	return a;
}

void session_record_to_json(const struct web_ctx *c, json_t *o, const struct session_record *r,
			    bool with_remarks)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < r->ninvitations; i++)
		json_array_append_new(a, invitation_to_json(c, &r->invitations[i]));
	json_object_set_new(o, "invitations", a);
	if (with_remarks) {
		a = json_array();
		for (i = 0; i < r->nremarks; i++)
			json_array_append_new(a, remark_to_json(c, &r->remarks[i]));
		json_object_set_new(o, "remarks", a);
	}
	a = json_array();
	for (i = 0; i < r->ncommitments; i++)
		json_array_append_new(a, commitment_to_json(&r->commitments[i]));
	json_object_set_new(o, "commitments", a);
	json_object_set_new(o, "agreed", session_points_to_json(r->agreed, r->nagreed));
	json_object_set_new(o, "differences",
			    session_points_to_json(r->differences, r->ndifferences));
	a = json_array();
	for (i = 0; i < r->nsuggestions; i++)
		json_array_append_new(a, suggestion_to_json(c, &r->suggestions[i]));
	json_object_set_new(o, "suggestions", a);
}

json_t *my_invitation_to_json(const struct my_invitation *x)
{
	return json_pack("{sI sI ss so ss ss ss ss sb}", "id", (json_int_t)x->id, "session_id",
			 (json_int_t)x->session_id, "title", x->title, "starts_at",
			 web_time_json(x->starts_at), "venue", x->venue, "status", x->status,
			 "role", x->role, "rsvp", x->rsvp, "attended", x->attended);
}

json_t *session_get_json(struct db *db, int64_t id)
{
	struct session s;
	json_t *x = NULL;

	session_init(&s);
	if (session_read(db, id, &s) == ERR_OK)
		x = session_to_json(&s, true);
	session_release(&s);
	return x;
}

json_t *people_options_json(struct db *db, const struct actor *a, int64_t org_id)
{
	struct person_option *list;
	json_t *arr = json_array();
	size_t i, n;

	if (people_options_read(db, a, org_id, &list, &n) != ERR_OK)
		return arr;
	for (i = 0; i < n; i++)
		json_array_append_new(arr,
				      json_pack("{sI ss ss ss}", "id", (json_int_t)list[i].id,
						"name", list[i].name, "category", list[i].category,
						"affiliation", list[i].affiliation));
	people_options_release(list, n);
	return arr;
}
