/*
 * json_output.c - outputs to JSON (see json_output.h).
 */
#include "json_output.h"
#include "web.h"

#include <string.h>

#include "base/utf8.h"
#include "base/util.h"

json_t *output_adoption_to_json(const struct output_adoption *a)
{
	json_t *x = json_object();

	json_object_set_new(x, "id", json_integer((json_int_t)a->id));
	json_object_set_new(x, "kind", json_string(a->kind));
	json_object_set_new(x, "title", json_string(a->title));
	json_object_set_new(x, "issuer", json_string(a->issuer));
	json_object_set_new(x, "reference", json_string(a->reference));
	json_object_set_new(x, "date", json_string(a->date));
	json_object_set_new(x, "link", json_string(a->link));
	json_object_set_new(x, "note", json_string(a->note));
	json_object_set_new(x, "created_at", web_time_json(a->created_at));
	return x;
}

static json_t *adoptions_json(const struct output *o)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < o->nadoptions; i++)
		json_array_append_new(arr, output_adoption_to_json(&o->adoptions[i]));
	return arr;
}

static void add_parts(json_t *x, const struct output *o)
{
	json_t *authors = json_array(), *units = json_array(), *sugs = json_array();
	json_t *sess = json_array(), *events = json_array(), *sug_ids = json_array();
	json_t *ses_ids = json_array();
	size_t i;

	for (i = 0; i < o->nauthors; i++) {
		const struct output_author *a = &o->authors[i];

		json_array_append_new(authors, json_pack("{sI ss ss ss sb so}", "person_id",
							 (json_int_t)a->person_id, "name", a->name,
							 "category", a->category, "role", a->role,
							 "confirmed", a->confirmed, "confirmed_at",
							 web_time_json(a->confirmed_at)));
	}
	for (i = 0; i < o->nunits; i++)
		json_array_append_new(units, json_pack("{sI ss ss}", "id",
						       (json_int_t)o->units[i].id, "name",
						       o->units[i].name, "role", o->units[i].role));
	for (i = 0; i < o->nsuggestions; i++) {
		const struct output_suggestion *g = &o->suggestions[i];

		json_array_append_new(sugs,
				      json_pack("{sI ss sI ss}", "id", (json_int_t)g->id, "title",
						g->title, "session_id", (json_int_t)g->session_id,
						"session_title", g->session_title));
		json_array_append_new(sug_ids, json_integer((json_int_t)g->id));
	}
	for (i = 0; i < o->nsessions; i++) {
		const struct output_session *s = &o->sessions[i];

		json_array_append_new(sess, json_pack("{sI ss so}", "id", (json_int_t)s->id,
						      "title", s->title, "starts_at",
						      web_time_json(s->starts_at)));
		json_array_append_new(ses_ids, json_integer((json_int_t)s->id));
	}
	for (i = 0; i < o->nevents; i++) {
		const struct output_event *v = &o->events[i];
		json_t *data = v->data[0] ? json_loads(v->data, 0, NULL) : NULL;

		json_array_append_new(
		    events, json_pack("{sI so ss ss ss ss so}", "id", (json_int_t)v->id, "at",
				      web_time_json(v->at), "by", v->by, "from", v->from, "to",
				      v->to, "note", v->note, "data", data ? data : json_null()));
	}
	json_object_set_new(x, "char_count",
			    json_integer((json_int_t)utf8_count(o->body, strlen(o->body))));
	json_object_set_new(x, "adopted", json_boolean(o->adoption_count > 0));
	json_object_set_new(x, "authors", authors);
	json_object_set_new(x, "handlers", units);
	json_object_set_new(x, "suggestions", sugs);
	json_object_set_new(x, "sessions", sess);
	json_object_set_new(x, "events", events);
	json_object_set_new(x, "adoptions", adoptions_json(o));
	json_object_set_new(x, "suggestion_ids", sug_ids);
	json_object_set_new(x, "session_ids", ses_ids);
}

json_t *output_to_json(const struct output *o)
{
	static const struct {
		const char *key;
		size_t off;
	} texts[] = {
	    {"org_name", offsetof(struct output, org_name)},
	    {"title", offsetof(struct output, title)},
	    {"body", offsetof(struct output, body)},
	    {"number", offsetof(struct output, number)},
	    {"reason", offsetof(struct output, reason)},
	    {"reply_text", offsetof(struct output, reply_text)},
	    {"reply_grade", offsetof(struct output, reply_grade)},
	    {"satisfaction", offsetof(struct output, satisfaction)},
	    {"bulletin_issue", offsetof(struct output, bulletin_issue)},
	    {"sent_to", offsetof(struct output, sent_to)},
	    {"instruction_by", offsetof(struct output, instruction_by)},
	    {"instruction_text", offsetof(struct output, instruction_text)},
	};
	const struct {
		const char *key;
		int64_t t;
	} times[] = {
	    {"dated_at", o->dated_at},	     {"cosign_deadline", o->cosign_deadline},
	    {"reply_due", o->reply_due},     {"submitted_at", o->submitted_at},
	    {"accepted_at", o->accepted_at}, {"assigned_at", o->assigned_at},
	    {"replied_at", o->replied_at},   {"evaluated_at", o->evaluated_at},
	    {"closed_at", o->closed_at},     {"created_at", o->created_at},
	    {"updated_at", o->updated_at},
	};
	json_t *x = json_object();
	size_t i;

	json_object_set_new(x, "id", json_integer((json_int_t)o->id));
	json_object_set_new(x, "org_id", json_integer((json_int_t)o->org_id));
	json_object_set_new(x, "kind", json_string(o->kind));
	json_object_set_new(x, "state", json_string(o->state));
	for (i = 0; i < ARRAY_LEN(texts); i++) {
		const char *v = *(char *const *)(const void *)((const char *)o + texts[i].off);

		json_object_set_new(x, texts[i].key, json_string(v ? v : ""));
	}
	for (i = 0; i < ARRAY_LEN(times); i++)
		json_object_set_new(x, times[i].key, web_time_json(times[i].t));
	json_object_set_new(x, "reopened", json_boolean(o->reopened));
	json_object_set_new(x, "overdue", json_boolean(o->overdue));
	json_object_set_new(x, "adoption_count", json_integer((json_int_t)o->adoption_count));
	if (o->full)
		add_parts(x, o);
	return x;
}

json_t *output_list_json(const struct output_list *l)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < l->n; i++)
		json_array_append_new(arr, output_to_json(&l->items[i]));
	return arr;
}

json_t *output_get_json(struct db *db, int64_t id)
{
	struct output o;
	json_t *x = NULL;

	if (output_get(db, id, &o) == ERR_OK)
		x = output_to_json(&o);
	output_release(&o);
	return x;
}

json_t *output_lineage_json(struct db *db, int64_t id)
{
	struct output o;
	json_t *l = NULL, *x;

	if (output_get(db, id, &o) == ERR_OK) {
		l = output_lineage(db, &o);
		x = output_to_json(&o);
		json_object_set(l, "events", json_object_get(x, "events"));
		json_object_set(l, "adoptions", json_object_get(x, "adoptions"));
		json_object_set_new(l, "output", x);
	}
	output_release(&o);
	return l;
}

/* briefs replaces the output ids of arr by briefs; counts the adopted ones */
static json_t *briefs(struct db *db, json_t *ids, size_t *adopted)
{
	json_t *arr = json_array(), *v;
	size_t i;

	json_array_foreach(ids, i, v)
	{
		struct output o;

		if (output_get(db, json_integer_value(v), &o) == ERR_OK) {
			json_array_append_new(
			    arr, json_pack("{sI ss ss ss so sb so}", "id", (json_int_t)o.id, "kind",
					   o.kind, "title", o.title, "state", o.state, "dated_at",
					   web_time_json(o.dated_at), "adopted",
					   o.adoption_count > 0, "adoptions", adoptions_json(&o)));
			if (adopted)
				*adopted += o.adoption_count > 0;
		}
		output_release(&o);
	}
	return arr;
}

json_t *session_outcomes_json(struct db *db, int64_t session_id)
{
	json_t *x = session_outcomes(db, session_id), *s;
	size_t i, adopted = 0;

	if (!x)
		return NULL;
	json_array_foreach(json_object_get(x, "suggestions"), i, s)
	    json_object_set_new(s, "outputs", briefs(db, json_object_get(s, "outputs"), NULL));
	json_object_set_new(x, "outputs", briefs(db, json_object_get(x, "outputs"), &adopted));
	json_object_set_new(json_object_get(x, "counts"), "adopted",
			    json_integer((json_int_t)adopted));
	return x;
}

json_t *handler_to_json(const struct handler *h)
{
	return json_pack("{sI sI ss}", "id", (json_int_t)h->id, "org_id", (json_int_t)h->org_id,
			 "name", h->name);
}

json_t *handler_list_json(struct db *db, const struct actor *a)
{
	struct handler_list l;
	json_t *arr = json_array();
	size_t i;

	if (handler_list(db, a, &l) == ERR_OK)
		for (i = 0; i < l.n; i++)
			json_array_append_new(arr, handler_to_json(&l.items[i]));
	handler_list_release(&l);
	return arr;
}
