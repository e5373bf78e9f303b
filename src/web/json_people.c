/*
 * json_people.c - persons, bodies and accounts as JSON (see json_people.h).
 */
#include "json_people.h"

#include "base/util.h"

json_t *person_to_json(const struct person *p, bool contact)
{
	char created[21], updated[21];
	json_t *j;
	int f;

	time_iso(p->created_at, created);
	time_iso(p->updated_at, updated);
	j = json_pack("{sI sI so}", "id", (json_int_t)p->id, "org_id", (json_int_t)p->org_id,
		      "user_id", p->user_id ? json_integer(p->user_id) : json_null());
	if (!j)
		return NULL;
	for (f = 0; f < PERSON_NFIELDS; f++)
		if (contact || !person_fields[f].contact)
			json_object_set_new(j, person_fields[f].name,
					    json_string(person_text(p, (enum person_field)f)));
	json_object_set_new(j, "public_name", json_boolean(p->public_name));
	json_object_set_new(j, "created_at", json_string(created));
	json_object_set_new(j, "updated_at", json_string(updated));
	return j;
}

json_t *org_to_json(const struct org *o)
{
	char created[21], updated[21];

	time_iso(o->created_at, created);
	time_iso(o->updated_at, updated);
	return json_pack("{sI so? ss ss ss ss ss}", "id", (json_int_t)o->id, "parent_id",
			 o->parent_id ? json_integer(o->parent_id) : NULL, "slug", o->slug, "name",
			 o->name, "level", o->level, "created_at", created, "updated_at", updated);
}

json_t *user_to_json(const struct user *u)
{
	char created[21], updated[21];

	time_iso(u->created_at, created);
	time_iso(u->updated_at, updated);
	return json_pack("{sI sI ss ss ss sb ss ss so so}", "id", (json_int_t)u->id, "org_id",
			 (json_int_t)u->org_id, "username", u->username, "display_name",
			 u->display_name, "role", u->role, "disabled", u->disabled, "created_at",
			 created, "updated_at", updated, "handler_id",
			 u->handler_id ? json_integer(u->handler_id) : json_null(), "person_id",
			 u->person_id ? json_integer(u->person_id) : json_null());
}
