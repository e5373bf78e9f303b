/*
 * json_output.c - outputs to JSON (see json_output.h).
 */
#include "json_output.h"
#include "escalations.h"
#include "sessions.h"
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
	for (i = 0; i < o->nunits; i++) {
		const struct output_unit *u = &o->units[i];
		bool has = u->opinion[0] != '\0';

		/* opinion: a co unit's 协办意见, null when none or not for this reader */
		json_array_append_new(units, json_pack("{sI ss ss ss? so}", "id", (json_int_t)u->id,
						       "name", u->name, "role", u->role, "opinion",
						       has ? u->opinion : NULL, "opinion_at",
						       web_time_json(has ? u->opinion_at : 0)));
	}
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

json_t *output_get_json(struct db *db, const struct actor *a, int64_t id)
{
	struct output o;
	json_t *x = NULL;

	if (output_read(db, a, id, &o) == ERR_OK)
		x = output_to_json(&o);
	output_release(&o);
	if (x) /* sent to a higher body, and what it answered (escalations.c) */
		json_object_set_new(x, "escalations", escalations_of_output_json(db, a, id));
	return x;
}

static json_t *session_brief_json(const struct session_brief *b)
{
	return json_pack("{sI ss so ss ss ss sI ss ss}", "id", (json_int_t)b->id, "title", b->title,
			 "starts_at", web_time_json(b->starts_at), "venue", b->venue, "status",
			 b->status, "visibility", b->visibility, "topic_id",
			 (json_int_t)b->topic_id, "topic_title", b->topic_title, "domain",
			 b->domain);
}

/* lineage_suggestion_json: the suggestion (suggestion_to_json) with the lineage's own
 * sources (text and speaker of each remark) and the session it was made at. */
static json_t *lineage_suggestion_json(const struct web_ctx *c, const struct lineage_suggestion *s)
{
	json_t *x = suggestion_to_json(c, &s->suggestion), *src = json_array();
	size_t i;

	for (i = 0; i < s->nsources; i++) {
		const struct lineage_source *y = &s->sources[i];

		json_array_append_new(
		    src, json_pack("{ss sI ss so sb}", "kind", y->kind, "id", (json_int_t)y->id,
				   "text", y->text, "speaker",
				   person_shown_json(c, y->speaker, y->category, y->sector,
						     y->person_path, y->public_name),
				   "is_statement", y->is_statement));
	}
	json_object_set_new(x, "sources", src);
	if (s->has_session)
		json_object_set_new(x, "session", session_brief_json(&s->session));
	return x;
}

json_t *output_lineage_to_json(const struct web_ctx *c, const struct output_lineage *l)
{
	json_t *sugs = json_array(), *sessions = json_array(), *x = output_to_json(&l->output);
	size_t i;

	for (i = 0; i < l->nsuggestions; i++)
		json_array_append_new(sugs, lineage_suggestion_json(c, &l->suggestions[i]));
	for (i = 0; i < l->nsessions; i++)
		json_array_append_new(sessions, session_brief_json(&l->sessions[i]));
	return json_pack("{so so sO sO so}", "suggestions", sugs, "sessions", sessions, "events",
			 json_object_get(x, "events"), "adoptions", json_object_get(x, "adoptions"),
			 "output", x);
}

json_t *output_lineage_json(struct web_ctx *c, int64_t id)
{
	struct output_lineage l;
	json_t *x = NULL;

	if (output_lineage(c->db, &c->actor, id, &l) == ERR_OK)
		x = output_lineage_to_json(c, &l);
	output_lineage_release(&l);
	if (x) { /* across bodies: the lower body's outputs it was made from, and where it went */
		json_object_set_new(x, "escalated_from",
				    escalation_origins_json(c->db, &c->actor, id));
		json_object_set_new(x, "escalations",
				    escalations_of_output_json(c->db, &c->actor, id));
	}
	return x;
}

/* briefs reads each output of ids for its brief; counts the adopted ones */
static json_t *briefs(struct db *db, const struct outcome_ids *ids, size_t *adopted)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < ids->n; i++) {
		struct output o;

		if (output_get(db, ids->ids[i], &o) == ERR_OK) {
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

json_t *session_outcomes_json(struct web_ctx *c, int64_t session_id)
{
	struct session_outcomes x;
	json_t *o = NULL, *sugs, *outputs;
	size_t i, adopted = 0;

	struct db *db = c->db;

	if (session_outcomes(db, &c->actor, session_id, &x) == ERR_OK) {
		const struct session *s = &x.session;

		sugs = json_array();
		for (i = 0; i < x.record.nsuggestions; i++) {
			json_t *g = suggestion_to_json(c, &x.record.suggestions[i]);

			json_object_set_new(g, "outputs",
					    briefs(db, &x.suggestion_outputs[i], NULL));
			json_array_append_new(sugs, g);
		}
		outputs = briefs(db, &x.outputs, &adopted);
		o = json_pack(
		    "{s{sI ss so ss ss} so so so s{si si si}}", "session", "id", (json_int_t)s->id,
		    "title", s->title, "starts_at", web_time_json(s->starts_at), "status",
		    s->status, "visibility", s->visibility, "agreed",
		    session_points_to_json(x.record.agreed, x.record.nagreed), "suggestions", sugs,
		    "outputs", outputs, "counts", "suggestions", (int)json_array_size(sugs),
		    "outputs", (int)json_array_size(outputs), "adopted", (int)adopted);
	}
	session_outcomes_release(&x);
	return o;
}

json_t *handler_to_json(const struct handler *h)
{
	json_t *into = h->merged_into ? json_integer((json_int_t)h->merged_into) : json_null();

	return json_pack("{sI sI ss sb so}", "id", (json_int_t)h->id, "org_id",
			 (json_int_t)h->org_id, "name", h->name, "disabled", h->disabled,
			 "merged_into", into);
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
