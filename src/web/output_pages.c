/*
 * output_pages.c - pages for outputs (list, new, detail with its workflow, lineage),
 * a session's outcomes, and the statistics page; the tables of the statistics export.
 */
#include "web.h"
#include "sessions.h"

#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "model/output.h"
#include "model/person.h"
#include "json_output.h"
#include "escalations.h"
#include "json_handlers.h"
#include "json_stats.h"
#include "model/session.h"
#include "model/roles.h"
#include "view/view.h"

static const char *label(struct web_ctx *c, const char *prefix, const char *v, char *key, size_t n)
{
	snprintf(key, n, "%s%s", prefix, v ? v : "");
	return view_text(c->lang, key);
}

/* --- pages --- */

#include <stdlib.h>

#include "view/chart.h"
#include "view/pdf.h"
#include "view/sheet.h"

static void label_field(struct web_ctx *c, json_t *o, const char *field, const char *prefix,
			const char *out)
{
	char key[96];
	const char *v = json_string_value(json_object_get(o, field));

	/* no value (a grade not given yet): no label, rather than the bare prefix */
	if (!v || !*v)
		return;
	json_object_set_new(o, out, json_string(label(c, prefix, v, key, sizeof(key))));
}

/* short_date turns "2024-07-25T00:00:00+08:00" into "2024-07-25" in place (copy). */
static void short_date(json_t *o, const char *field, const char *out)
{
	const char *v = json_string_value(json_object_get(o, field));
	char d[16];

	if (!v)
		return;
	snprintf(d, sizeof(d), "%.10s", v);
	json_object_set_new(o, out, json_string(d));
}

int h_outputs_page(struct web_ctx *c)
{
	struct output_filter f = {NULL, NULL, 0, false};
	const char *od = http_query(c->req, "overdue");
	struct output_list list;
	json_t *items, *x;
	size_t i;
	int rc;

	f.kind = http_query(c->req, "kind");
	f.state = http_query(c->req, "state");
	if (f.kind && !*f.kind)
		f.kind = NULL;
	if (f.state && !*f.state)
		f.state = NULL;
	f.overdue = od && *od;
	rc = output_list(c->db, &c->actor, &f, 0, 1000, &list);
	if (rc) {
		output_list_release(&list);
		return web_fail(c, ERR_DB);
	}
	items = output_list_json(&list);
	output_list_release(&list);
	json_array_foreach(items, i, x)
	{
		label_field(c, x, "kind", "kind_", "kind_label");
		label_field(c, x, "state", "ostate_", "state_label");
		short_date(x, "dated_at", "date");
	}
	return web_render(c, 200, "outputs",
			  json_pack("{so sb sb}", "outputs", items, "can_create",
				    c->actor.role >= ROLE_MEMBER && !c->actor.user.handler_id,
				    "overdue", f.overdue));
}

static json_t *kind_options(struct web_ctx *c, const char *selected)
{
	static const char *const kinds[] = {"proposal", "opinion_report", "research_report",
					    "speech", "special_report"};
	json_t *a = json_array();
	char key[48];
	size_t i;

	/* special reports are the organizers' (output_create) */
	for (i = 0; i < ARRAY_LEN(kinds) - (output_staff(&c->actor) ? 0 : 1); i++)
		json_array_append_new(a, json_pack("{ss ss sb}", "value", kinds[i], "label",
						   label(c, "kind_", kinds[i], key, sizeof(key)),
						   "selected",
						   selected && strcmp(selected, kinds[i]) == 0));
	return a;
}

/* What the draft form shows: empty, pre-filled from a suggestion, or what was sent when it
 * comes back with an error. Texts are borrowed (from the request or from sug). */
#define DRAFT_MAX_LINKS 64

struct output_draft {
	const char *kind, *title, *body, *date;
	int64_t lead, cosigners[DRAFT_MAX_LINKS];
	size_t ncosigners;
	int64_t suggestions[DRAFT_MAX_LINKS];
	size_t nsuggestions;
	bool suggestions_given; /* false: check every suggestion of the session */
	int64_t session_id;	/* the session whose suggestions the form offers (0: none) */
	struct suggestion sug;	/* the suggestion it is made from (id 0: none) */
	struct buf text;	/* the body made from sug (owned) */
};

static bool id_in(const int64_t *ids, size_t n, int64_t id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/* draft_suggestion reads suggestion id into d->sug when the caller may read its session
 * (session_authorize); returns what that answers (ERR_NOT_FOUND when there is none). */
static int draft_suggestion(struct web_ctx *c, int64_t id, struct output_draft *d)
{
	int rc = suggestion_read(c->db, id, &d->sug);

	if (!rc)
		rc = session_authorize(c->db, &c->actor, d->sug.session_id, AUTHZ_READ, NULL);
	if (rc) {
		suggestion_release(&d->sug);
		suggestion_init(&d->sug);
		return rc;
	}
	d->session_id = d->sug.session_id;
	return ERR_OK;
}

/* draft_from_suggestion fills d for a new draft from its suggestion: title, the body as
 * output_create would make it (numbered title, text) followed by the sources it cites, the
 * suggestion checked, its proposers as authors (the first the lead). */
static void draft_from_suggestion(struct web_ctx *c, struct output_draft *d)
{
	size_t i;
	int rc;

	d->title = d->sug.title;
	rc = buf_printf(&d->text, "1. %s\n%s\n", d->sug.title, d->sug.body);
	for (i = 0; !rc && i < d->sug.nsources; i++)
		rc = buf_printf(&d->text, "%s— %s\n",
				i ? ""
				  : (strcmp(c->lang, "en") == 0 ? "\nSources:\n" : "\n来源：\n"),
				d->sug.sources[i].excerpt);
	d->body = rc ? d->sug.body : buf_cstr(&d->text);
	d->suggestions[0] = d->sug.id;
	d->nsuggestions = 1;
	d->suggestions_given = true;
	for (i = 0; i < d->sug.nproposers; i++) {
		if (!d->lead)
			d->lead = d->sug.proposers[i].id;
		else if (d->ncosigners < DRAFT_MAX_LINKS)
			d->cosigners[d->ncosigners++] = d->sug.proposers[i].id;
	}
}

/* draft_from_request takes what was sent, leniently (what cannot be read is left out),
 * with the suggestion and session it was made from (hidden fields of the form). */
static void draft_from_request(struct web_ctx *c, struct output_draft *d)
{
	const char *from = web_field(c, "from_suggestion", NULL);
	const char *sid = web_field(c, "session_id", NULL);
	int64_t v;
	bool present;

	d->kind = web_field(c, "kind", NULL);
	d->title = web_field(c, "title", NULL);
	d->body = web_field(c, "body", NULL);
	d->date = web_field(c, "date", NULL);
	if (web_int_field(c, "lead_author", &v, &present) == ERR_OK && present)
		d->lead = v;
	if (web_id_list_field(c, "cosigners", d->cosigners, DRAFT_MAX_LINKS, &d->ncosigners,
			      &present))
		d->ncosigners = 0;
	if (web_id_list_field(c, "suggestion_ids", d->suggestions, DRAFT_MAX_LINKS,
			      &d->nsuggestions, &d->suggestions_given))
		d->nsuggestions = 0;
	d->suggestions_given = true; /* the boxes as sent, even none */
	if (from && num_parse(from, strlen(from), 1, INT64_MAX, &v) == ERR_OK)
		(void)draft_suggestion(c, v, d);
	if (!d->session_id && sid && num_parse(sid, strlen(sid), 1, INT64_MAX, &v) == ERR_OK &&
	    session_authorize(c->db, &c->actor, v, AUTHZ_READ, NULL) == ERR_OK)
		d->session_id = v;
}

/* field_of names the form field a validation error belongs to. */
static const char *field_of(const struct verr *e)
{
	static const char *const map[][2] = {{"authors", "lead_author"},
					     {"dated_at", "date"},
					     {"cosign_deadline", "date"},
					     {"session_ids", "suggestion_ids"}};
	size_t i;

	if (!e || !e->field)
		return NULL;
	for (i = 0; i < ARRAY_LEN(map); i++)
		if (strcmp(e->field, map[i][0]) == 0)
			return map[i][1];
	return e->field;
}

static json_t *people_json(struct web_ctx *c, const struct output_draft *d, bool lead)
{
	json_t *people = people_options_json(c->db, &c->actor, c->actor.org.id), *x;
	size_t i;

	json_array_foreach(people, i, x)
	{
		int64_t id = json_integer_value(json_object_get(x, "id"));

		label_field(c, x, "category", "cat_", "category_label");
		json_object_set_new(
		    x, "selected",
		    json_boolean(lead ? id == d->lead : id_in(d->cosigners, d->ncosigners, id)));
	}
	return people;
}

/* output_form renders the draft form for d; error (NULL: none) is shown beside its field
 * (e->field) and at the top. */
static int output_form(struct web_ctx *c, int status, const struct output_draft *d,
		       const struct verr *e)
{
	json_t *sugs = json_array(), *sources = json_array(), *ctx, *fe = json_object();
	const char *field = field_of(e), *msg = e ? web_verr_text(c, e) : NULL;
	struct session_record rec;
	struct session s;
	size_t i;
	bool has_session = false;

	session_init(&s);
	session_record_init(&rec);
	if (d->session_id && session_read(c->db, d->session_id, &s) == ERR_OK) {
		has_session = true;
		if (session_record_read(c->db, d->session_id, false, &rec) != ERR_OK) {
			session_record_release(&rec);
			session_record_init(&rec);
		}
	}
	for (i = 0; i < rec.nsuggestions; i++) {
		const struct suggestion *x = &rec.suggestions[i];

		json_array_append_new(
		    sugs,
		    json_pack("{sI ss sb}", "id", (json_int_t)x->id, "title", x->title, "checked",
			      d->suggestions_given ? id_in(d->suggestions, d->nsuggestions, x->id)
						   : true));
	}
	for (i = 0; i < d->sug.nsources; i++) {
		const struct suggestion_source *x = &d->sug.sources[i];

		json_array_append_new(sources,
				      json_pack("{ss sI ss sb}", "kind", x->kind, "id",
						(json_int_t)x->id, "excerpt", x->excerpt,
						"is_remark", strcmp(x->kind, "remark") == 0));
	}
	if (field && msg)
		json_object_set_new(fe, field, json_string(msg));
	ctx = json_pack("{so so so so so ss ss ss ss so ss? sb}", "kinds", kind_options(c, d->kind),
			"suggestions", sugs, "people", people_json(c, d, true), "cosigner_people",
			people_json(c, d, false), "sources", sources, "title",
			d->title ? d->title : "", "body", d->body ? d->body : "", "date",
			d->date ? d->date : "", "error_field", field ? field : "", "field_error",
			fe, "error", msg, "has_session", has_session);
	/* a member drafts as the lead author: no lead to choose */
	json_object_set_new(ctx, "is_staff", json_boolean(output_staff(&c->actor)));
	if (d->sug.id) {
		json_object_set_new(
		    ctx, "from_suggestion",
		    json_pack("{sI ss}", "id", (json_int_t)d->sug.id, "title", d->sug.title));
	}
	if (has_session) {
		json_object_set_new(ctx, "session_title", json_string(s.title));
		json_object_set_new(ctx, "session_id", json_integer(s.id));
	}
	session_record_release(&rec);
	session_release(&s);
	return web_render(c, status, "output_new", ctx);
}

static void draft_init(struct output_draft *d)
{
	memset(d, 0, sizeof(*d));
	suggestion_init(&d->sug);
	buf_init(&d->text, 1 << 20);
}

static void draft_release(struct output_draft *d)
{
	suggestion_release(&d->sug);
	buf_fini(&d->text);
}

int h_output_new(struct web_ctx *c)
{
	const char *sid = http_query(c->req, "session_id"),
		   *sg = http_query(c->req, "suggestion_id");
	struct output_draft d;
	int64_t v;
	int rc = output_authorize_draft(&c->actor);

	if (rc)
		return web_answer(c, rc, NULL);
	draft_init(&d);
	if (sg && *sg) {
		/* only a suggestion the caller may read: 404 for one of an unrelated body */
		if (num_parse(sg, strlen(sg), 1, INT64_MAX, &v)) {
			draft_release(&d);
			return web_fail(c, ERR_NOT_FOUND);
		}
		rc = draft_suggestion(c, v, &d);
		if (rc) {
			draft_release(&d);
			return web_answer(c, rc, NULL);
		}
		draft_from_suggestion(c, &d);
	} else if (sid && num_parse(sid, strlen(sid), 1, INT64_MAX, &v) == ERR_OK &&
		   session_authorize(c->db, &c->actor, v, AUTHZ_READ, NULL) == ERR_OK) {
		d.session_id = v;
	}
	rc = output_form(c, 200, &d, NULL);
	draft_release(&d);
	return rc;
}

int h_outputs_post(struct web_ctx *c)
{
	struct verr e;
	char loc[64];
	int64_t id;
	int rc;

	memset(&e, 0, sizeof(e));
	rc = web_output_create(c, &id, &e);

	if (rc == ERR_INVALID || rc == ERR_CONFLICT) {
		struct output_draft d;

		draft_init(&d);
		draft_from_request(c, &d);
		rc = output_form(c, rc == ERR_CONFLICT ? 409 : 422, &d, &e);
		draft_release(&d);
		return rc;
	}
	if (rc)
		return web_answer_why(c, rc, &e);
	snprintf(loc, sizeof(loc), "/outputs/%lld", (long long)id);
	return web_redirect(c, loc);
}

/* move_form is the form of one move the caller may make now: what it asks for is what the
 * workflow table's row requires. */
static json_t *move_form(struct web_ctx *c, const struct output_step *s)
{
	char key[64];
	json_t *f = json_pack("{ss ss}", "to", s->to, "label",
			      s->label ? view_text(c->lang, s->label)
				       : label(c, "oto_", s->to, key, sizeof(key)));

	json_object_set_new(f, "need_reason", json_boolean(s->need & OFIELD_REASON));
	json_object_set_new(f, "need_handlers", json_boolean(s->need & OFIELD_HANDLERS));
	json_object_set_new(f, "need_reply", json_boolean(s->need & OFIELD_REPLY_TEXT));
	json_object_set_new(f, "need_satisfaction", json_boolean(s->need & OFIELD_SATISFACTION));
	json_object_set_new(f, "need_issue", json_boolean(s->need & OFIELD_ISSUE));
	json_object_set_new(f, "need_sent_to", json_boolean(s->need & OFIELD_SENT_TO));
	json_object_set_new(f, "need_instruction", json_boolean(s->need & OFIELD_INSTRUCTION_BY));
	return f;
}

static json_t *options(struct web_ctx *c, const char *prefix, const char *const *values, size_t n)
{
	json_t *arr = json_array();
	char key[64];
	size_t k;

	for (k = 0; k < n; k++)
		json_array_append_new(arr,
				      json_pack("{ss ss}", "value", values[k], "label",
						label(c, prefix, values[k], key, sizeof(key))));
	return arr;
}

/* posted_has: value was sent in field name (one of a list of form values). */
static bool posted_has(struct web_ctx *c, const char *name, const char *value)
{
	const char *vals[DRAFT_MAX_LINKS];
	size_t i, n;
	bool present;

	if (web_list_field(c, name, vals, DRAFT_MAX_LINKS, &n, &present))
		return false;
	for (i = 0; i < n; i++)
		if (strcmp(vals[i], value) == 0)
			return true;
	return false;
}

/* mark_posted sets flag on each item of arr whose key (an id or a text) was sent in field. */
static void mark_posted(struct web_ctx *c, json_t *arr, const char *key, const char *field,
			const char *flag)
{
	char v[48];
	json_t *x, *k;
	size_t i;

	json_array_foreach(arr, i, x)
	{
		k = json_object_get(x, key);
		if (json_is_integer(k))
			snprintf(v, sizeof(v), "%lld", (long long)json_integer_value(k));
		else
			snprintf(v, sizeof(v), "%s", json_is_string(k) ? json_string_value(k) : "");
		json_object_set_new(x, flag, json_boolean(posted_has(c, field, v)));
	}
}

/* typed_fields returns {name: what was sent, "" when nothing} for the fields names. */
static json_t *typed_fields(struct web_ctx *c, const char *const *names, size_t n)
{
	json_t *o = json_object();
	size_t i;

	for (i = 0; i < n; i++) {
		const char *v = web_field(c, names[i], NULL);

		json_object_set_new(o, names[i], json_string(v ? v : ""));
	}
	return o;
}

/* output_page shows output id; refused, the form of again ("workflow": the move posted,
 * "adoptions": the adoption form; NULL: none) shows what was sent, error beside it. */
/* cosign_waiting tells who may submit draft id why they cannot yet: "cosign_waiting", the
 * names of the co-signers who have not confirmed (none: nothing added). */
static void cosign_waiting(struct web_ctx *c, json_t *page, int64_t id)
{
	struct buf names;
	size_t n = 0;

	buf_init(&names, 64 * 1024);
	if (output_cosigners_pending(c->db, id, &names, &n) == ERR_OK && n)
		json_object_set_new(page, "cosign_waiting", json_string(buf_cstr(&names)));
	buf_fini(&names);
}

static int output_page(struct web_ctx *c, int status, int64_t id, const char *error,
		       const char *again)
{
	static const char *const move_fields[] = {
	    "reason",  "reply_text",	 "reply_due",	     "issue",
	    "sent_to", "instruction_by", "instruction_text", "note"};
	static const char *const adoption_fields[] = {"title", "issuer", "reference", "date",
						      "link"};
	const char *posted_to =
	    again && strcmp(again, "workflow") == 0 ? web_field(c, "to", NULL) : NULL;
	json_t *handlers, *grade_opts, *sat_opts, *kind_opts, *page;
	static const char *const grades[] = {"A", "B", "C", "D"};
	static const char *const sats[] = {"satisfied", "basically_satisfied", "dissatisfied"};
	static const char *const akinds[] = {"instruction", "department", "policy", "escalation",
					     "media"};
	const struct output_step *steps[32];
	struct output_head h;
	struct output out;
	struct person p;
	json_t *o, *forms = json_array(), *x;
	int64_t me = 0;
	size_t i, n;
	int role;

	if (output_head(c->db, id, &h) || output_read(c->db, &c->actor, id, &out)) {
		output_release(&out);
		json_decref(forms);
		return web_fail(c, ERR_NOT_FOUND);
	}
	role = output_role_of(c->db, &c->actor, &h);
	n = output_moves(c->db, &c->actor, &h, steps, ARRAY_LEN(steps));
	for (i = 0; i < n; i++) {
		json_t *f = move_form(c, steps[i]);

		if (posted_to && strcmp(posted_to, steps[i]->to) == 0) {
			json_object_set_new(f, "typed",
					    typed_fields(c, move_fields, ARRAY_LEN(move_fields)));
			json_object_set_new(f, "error", json_string(error));
		}
		json_array_append_new(forms, f);
	}
	if (c->actor.user.id && person_find_by_user(c->db, c->actor.user.id, &p) == ERR_OK)
		me = p.id;
	o = output_to_json(&out);
	label_field(c, o, "kind", "kind_", "kind_label");
	label_field(c, o, "state", "ostate_", "state_label");
	short_date(o, "dated_at", "date");
	short_date(o, "cosign_deadline", "deadline");
	short_date(o, "reply_due", "due");
	label_field(c, o, "reply_grade", "grade_", "grade_label");
	label_field(c, o, "satisfaction", "sat_", "satisfaction_label");
	for (i = 0; i < out.nauthors; i++) {
		x = json_array_get(json_object_get(o, "authors"), i);
		json_object_set_new(x, "is_lead",
				    json_boolean(strcmp(out.authors[i].role, "lead") == 0));
		json_object_set_new(x, "can_confirm",
				    json_boolean(me && out.authors[i].person_id == me &&
						 !out.authors[i].confirmed));
		json_object_set_new(x, "can_decline",
				    json_boolean(me && out.authors[i].person_id == me &&
						 strcmp(out.authors[i].role, "cosigner") == 0 &&
						 strcmp(out.state, "draft") == 0));
	}
	for (i = 0; i < out.nunits; i++)
		json_object_set_new(json_array_get(json_object_get(o, "handlers"), i), "is_lead",
				    json_boolean(strcmp(out.units[i].role, "lead") == 0));
	for (i = 0; i < out.nevents; i++) {
		x = json_array_get(json_object_get(o, "events"), i);
		label_field(c, x, "to", "ostate_", "to_label");
		const char *at = json_string_value(json_object_get(x, "at"));
		char when[17] = {0};

		/* "2024-08-03T14:30:00+08:00" is shown "2024-08-03 14:30" */
		snprintf(when, sizeof(when), "%.16s", at ? at : "");
		if (when[10] == 'T')
			when[10] = ' ';
		json_object_set_new(x, "when", json_string(when));
	}
	for (i = 0; i < out.nadoptions; i++)
		label_field(c, json_array_get(json_object_get(o, "adoptions"), i), "kind",
			    "adoption_", "kind_label");
	output_release(&out);
	handlers = handler_choice_json(c->db, &c->actor);
	grade_opts = options(c, "grade_", grades, ARRAY_LEN(grades));
	sat_opts = options(c, "sat_", sats, ARRAY_LEN(sats));
	kind_opts = options(c, "adoption_", akinds, ARRAY_LEN(akinds));
	if (posted_to) {
		mark_posted(c, handlers, "id", "lead_handler_id", "lead_selected");
		mark_posted(c, handlers, "id", "co_handler_ids", "co_selected");
		mark_posted(c, grade_opts, "value", "grade", "selected");
		mark_posted(c, sat_opts, "value", "satisfaction", "selected");
	}
	page = json_pack("{so so so so so so ss? sb sb}", "output", o, "forms", forms, "handlers",
			 handlers, "grades", grade_opts, "satisfactions", sat_opts,
			 "adoption_kinds", kind_opts, "error", error, "can_adopt",
			 (role & OROLE_STAFF) != 0, "staff", (role & OROLE_STAFF) != 0);
	json_object_set_new(
	    page, "can_instruct",
	    json_boolean(strcmp(h.state, "draft") != 0 &&
			 instruction_authorize(c->db, &c->actor, id, NULL) == ERR_OK));
	if (strcmp(h.state, "draft") == 0 && (role & (OROLE_STAFF | OROLE_LEAD_AUTHOR)))
		cosign_waiting(c, page, id);
	if (again && strcmp(again, "instruction") == 0)
		json_object_set_new(page, "instruction_error", json_string(error));
	if (again && strcmp(again, "adoptions") == 0) {
		mark_posted(c, kind_opts, "value", "kind", "selected");
		json_object_set_new(page, "adoption_typed",
				    typed_fields(c, adoption_fields, ARRAY_LEN(adoption_fields)));
		json_object_set_new(page, "adoption_error", json_string(error));
	}
	web_escalation_page(c, page, &h, role, error, again);
	return web_render(c, status, "output", page);
}

int web_output_page_again(struct web_ctx *c, int status, const char *error, const char *again)
{
	return output_page(c, status, web_id(c, "id"), error, again);
}

int h_output_page(struct web_ctx *c)
{
	struct output_head h;
	int rc = output_authorize(c->db, &c->actor, web_id(c, "id"), AUTHZ_READ, &h, NULL);

	return rc ? web_answer(c, rc, NULL) : output_page(c, 200, h.id, NULL, NULL);
}

/* after_action redirects back to the output, or shows it again with the error. */
static int after_action(struct web_ctx *c, int rc, const struct verr *e, const char *anchor)
{
	int64_t id = web_id(c, "id");
	char loc[80];

	if ((rc == ERR_INVALID || rc == ERR_CONFLICT) && id)
		return output_page(c, rc == ERR_CONFLICT ? 409 : 422, id, web_verr_text(c, e),
				   anchor);
	if (rc)
		return web_answer(c, rc, e);
	snprintf(loc, sizeof(loc), "/outputs/%lld#%s", (long long)id, anchor);
	return web_redirect(c, loc);
}

int h_output_transition_post(struct web_ctx *c)
{
	struct output_head h;
	struct verr e;

	return after_action(c, web_output_transition(c, &h, &e), &e, "workflow");
}

int h_output_adoption_post(struct web_ctx *c)
{
	struct output_head h;
	struct verr e;

	return after_action(c, web_adoption_add(c, &h, &e), &e, "adoptions");
}

int h_output_instruction_post(struct web_ctx *c)
{
	struct output_head h;
	struct verr e;
	int64_t aid;

	return after_action(c, web_instruction_add(c, &h, &aid, &e), &e, "instruction");
}

/* A co-signer who declined may no longer read the draft: back to the list of outputs. */
int h_output_decline_post(struct web_ctx *c)
{
	struct output_head h;
	struct verr e;
	int rc;

	memset(&e, 0, sizeof(e));
	rc = web_output_decline(c, &h, &e);
	return rc ? after_action(c, rc, &e, "authors") : web_redirect(c, "/outputs");
}

int h_output_confirm_post(struct web_ctx *c)
{
	struct output_head h;
	struct verr e;

	return after_action(c, web_output_confirm(c, &h, &e), &e, "authors");
}

int h_output_lineage_page(struct web_ctx *c)
{
	struct output_head h;
	json_t *l, *x, *y;
	size_t i, k;
	int rc = output_authorize(c->db, &c->actor, web_id(c, "id"), AUTHZ_READ, &h, NULL);

	if (rc)
		return web_answer(c, rc, NULL);
	l = output_lineage_json(c, h.id);
	if (!l)
		return web_fail(c, ERR_NOT_FOUND);
	x = json_object_get(l, "output");
	label_field(c, x, "kind", "kind_", "kind_label");
	label_field(c, x, "state", "ostate_", "state_label");
	short_date(x, "dated_at", "date");
	json_array_foreach(json_object_get(l, "sessions"), i, x) short_date(x, "starts_at", "date");
	json_array_foreach(json_object_get(l, "suggestions"), i, x)
	{
		short_date(json_object_get(x, "session"), "starts_at", "date");
		json_array_foreach(json_object_get(x, "sources"), k, y)(void) y;
	}
	json_array_foreach(json_object_get(l, "events"), i, x)
	{
		label_field(c, x, "to", "ostate_", "to_label");
		short_date(x, "at", "date");
	}
	json_array_foreach(json_object_get(l, "adoptions"), i, x)
	    label_field(c, x, "kind", "adoption_", "kind_label");
	return web_render(c, 200, "lineage", l);
}

int h_session_outcomes_page(struct web_ctx *c)
{
	int64_t id = web_id(c, "id");
	json_t *o, *x, *y;
	size_t i, k;
	int rc = session_outcomes_authorize(c->db, &c->actor, id);

	if (rc)
		return web_answer(c, rc, NULL);
	o = session_outcomes_json(c, id);
	if (!o)
		return web_fail(c, ERR_NOT_FOUND);
	json_array_foreach(json_object_get(o, "suggestions"), i, x)
	    json_array_foreach(json_object_get(x, "outputs"), k, y)
	{
		label_field(c, y, "kind", "kind_", "kind_label");
		label_field(c, y, "state", "ostate_", "state_label");
	}
	json_array_foreach(json_object_get(o, "outputs"), i, x)
	{
		label_field(c, x, "kind", "kind_", "kind_label");
		label_field(c, x, "state", "ostate_", "state_label");
		short_date(x, "dated_at", "date");
		json_array_foreach(json_object_get(x, "adoptions"), k, y)
		    label_field(c, y, "kind", "adoption_", "kind_label");
	}
	json_object_set_new(o, "signed_in", json_boolean(c->actor.via != AUTH_NONE));
	return web_render(c, 200, "outcomes", o);
}

/* --- statistics page, charts, PDF --- */

/* chart_of draws obj's counts (keys labelled with prefix) as bars into a string. */
static json_t *bars_of(struct web_ctx *c, const char *title, const struct stats_counts *n,
		       const char *prefix)
{
	const char *labels[64];
	double values[64];
	char keys[64][96];
	struct buf b;
	json_t *r;
	size_t i;

	for (i = 0; i < n->n && i < 64; i++) {
		labels[i] = label(c, prefix, n->v[i].key, keys[i], sizeof(keys[i]));
		values[i] = (double)n->v[i].n;
	}
	buf_init(&b, 1 << 20);
	r = chart_bars_svg(title, labels, values, i, &b) == ERR_OK ? json_string(buf_cstr(&b))
								   : json_string("");
	buf_fini(&b);
	return r;
}

static json_t *pct(struct stats_rate r)
{
	char s[16];

	if (!r.present)
		return json_string("—");
	snprintf(s, sizeof(s), "%.1f%%", r.v * 100);
	return json_string(s);
}

static json_t *chart_json(const char *kind, const char *title, const char *const *labels,
			  const double *values, size_t n)
{
	json_t *l = json_array(), *v = json_array();
	size_t i;

	for (i = 0; i < n; i++) {
		json_array_append_new(l, json_string(labels[i]));
		json_array_append_new(v, json_real(values[i]));
	}
	return json_pack("{ss ss so so}", "kind", kind, "title", title, "labels", l, "values", v);
}

/* funnel_and_months fills the funnel and monthly-line inputs from the statistics. */
static void funnel_and_months(struct web_ctx *c, const struct stats *s, const char **fl, double *fv,
			      char fkeys[4][96], const char **ml, double *mv, char mlab[12][16])
{
	static const char *const stages[] = {"sessions", "suggestions", "outputs", "adopted"};
	const int64_t funnel[] = {s->sessions, s->suggestions, s->outputs_total, s->adopted};
	size_t i;

	for (i = 0; i < 4; i++) {
		fl[i] = label(c, "funnel_", stages[i], fkeys[i], 96);
		fv[i] = (double)funnel[i];
	}
	for (i = 0; i < 12; i++) {
		snprintf(mlab[i], 16, strcmp(c->lang, "en") == 0 ? "%zu" : "%zu月", i + 1);
		ml[i] = mlab[i];
		mv[i] = (double)s->by_month[i];
	}
}

/* fill_n copies catalog text tmpl into out[cap] with "{n}" replaced by n. */
static void fill_n(const char *tmpl, const char *n, char *out, size_t cap)
{
	const char *at = strstr(tmpl, "{n}");

	if (!at)
		snprintf(out, cap, "%s %s", tmpl, n);
	else
		snprintf(out, cap, "%.*s%s%s", (int)(at - tmpl), tmpl, n, at + 3);
}

/* funnel_steps gives the words between the funnel's stages. Suggestions are no subset of
 * sessions, nor outputs of suggestions: those steps say how many per one of the stage
 * before ("每场平均 1.9 条建议"); adopted outputs are a subset of outputs: a rate. NULL (no
 * stage before to divide by): the chart's "—". */
static void funnel_steps(struct web_ctx *c, const struct stats *s, char words[4][160],
			 const char **steps)
{
	static const char *const keys[] = {NULL, "funnel_step_suggestions", "funnel_step_outputs",
					   "funnel_step_adopted"};
	const int64_t funnel[] = {s->sessions, s->suggestions, s->outputs_total, s->adopted};
	char num[CHART_NUM_MAX];
	size_t i;

	steps[0] = NULL;
	for (i = 1; i < 4; i++) {
		steps[i] = NULL;
		if (funnel[i - 1] <= 0)
			continue;
		if (i == 3)
			chart_format_ratio((double)funnel[i], (double)funnel[i - 1], num,
					   sizeof(num));
		else
			snprintf(num, sizeof(num), "%.1f",
				 (double)funnel[i] / (double)funnel[i - 1]);
		fill_n(view_text(c->lang, keys[i]), num, words[i], sizeof(words[i]));
		steps[i] = words[i];
	}
}

static int count_org(const struct org *o, void *ud)
{
	(void)o;
	(*(int *)ud)++;
	return 0;
}

/* has_children reports whether org has bodies below it (org_list counts org itself). */
static bool has_children(struct web_ctx *c, const struct org *org)
{
	int n = 0;

	return org_list(c->db, org, false, 0, 2, count_org, &n) == ERR_OK && n > 1;
}

int h_stats_page(struct web_ctx *c)
{
	struct stats_query q;
	struct stats s;
	struct org org;
	json_t *tables, *charts, *x, *rates;
	const char *fl[4], *ml[12], *steps[4];
	double fv[4], mv[12];
	char fkeys[4][96], mlab[12][16], qs[160], words[4][160];
	struct buf b;
	const char *y = http_query(c->req, "year"), *sc = http_query(c->req, "scope");
	const char *qt = http_query(c->req, "quarter");
	int64_t year;

	if (web_stats_query(c, &q, &org))
		return 0;
	/* a body with bodies below it (a province, a city) opens on its whole subtree */
	if (!sc && has_children(c, &org))
		q.subtree = true;
	if (stats_compute(c->db, &q, &s)) {
		stats_release(&s);
		return web_fail(c, ERR_DB);
	}
	charts = json_object();
	funnel_and_months(c, &s, fl, fv, fkeys, ml, mv, mlab);
	buf_init(&b, 1 << 20);
	funnel_steps(c, &s, words, steps);
	if (chart_funnel_steps_svg(view_text(c->lang, "stats_funnel"), fl, fv, steps, 4, &b) ==
	    ERR_OK)
		json_object_set_new(charts, "funnel", json_string(buf_cstr(&b)));
	buf_reset(&b);
	if (chart_line_svg(view_text(c->lang, "stats_by_month"), ml, mv, 12, &b) == ERR_OK)
		json_object_set_new(charts, "months", json_string(buf_cstr(&b)));
	buf_fini(&b);
	json_object_set_new(
	    charts, "domains",
	    bars_of(c, view_text(c->lang, "stats_by_domain"), &s.by_domain, "domain_"));
	json_object_set_new(
	    charts, "formats",
	    bars_of(c, view_text(c->lang, "stats_by_format"), &s.by_format, "format_"));
	json_object_set_new(
	    charts, "kinds",
	    bars_of(c, view_text(c->lang, "stats_outputs_by_kind"), &s.outputs, "kind_"));
	tables = web_stats_tables(c, &s);
	sheet_tables_text(tables);
	rates = json_pack("{so so so}", "filing", pct(s.filing_rate), "reply", pct(s.reply_rate),
			  "satisfaction", pct(s.satisfaction_rate));
	if (!y || num_parse(y, strlen(y), 1900, 9998, &year))
		year = time_year(q.from);
	snprintf(qs, sizeof(qs), "year=%lld%s%s%s&org=%lld", (long long)year, qt ? "&quarter=" : "",
		 qt ? qt : "", q.subtree ? "&scope=subtree" : "&scope=self", (long long)org.id);
	x = json_pack("{so so so so sI sI sI ss sb}", "stats", stats_to_json(&s), "charts", charts,
		      "tables", tables, "rates", rates, "year", (json_int_t)year, "prev",
		      (json_int_t)(year - 1), "next", (json_int_t)(year + 1), "qs", qs, "subtree",
		      q.subtree);
	stats_release(&s);
	return web_render(c, 200, "stats", x);
}

/* stats_doc builds the annual report document for pdf_render. */
static json_t *stats_doc(struct web_ctx *c, const struct stats *s, const struct org *org, int year)
{
	const char *fl[4], *ml[12], *steps[4];
	double fv[4], mv[12];
	char fkeys[4][96], mlab[12][16], title[600], summary[1024], words[4][160];
	json_t *charts = json_array(), *tables = web_stats_tables(c, s), *doc, *funnel;
	json_t *jsteps = json_array();
	size_t i;
	bool en = strcmp(c->lang, "en") == 0;

	funnel_and_months(c, s, fl, fv, fkeys, ml, mv, mlab);
	funnel = chart_json("funnel", view_text(c->lang, "stats_funnel"), fl, fv, 4);
	funnel_steps(c, s, words, steps);
	for (i = 0; i < 4; i++)
		json_array_append_new(jsteps, steps[i] ? json_string(steps[i]) : json_null());
	json_object_set_new(funnel, "steps", jsteps);
	json_array_append_new(charts, funnel);
	json_array_append_new(charts,
			      chart_json("line", view_text(c->lang, "stats_by_month"), ml, mv, 12));
	snprintf(title, sizeof(title),
		 en ? "%s: deep-talk sessions in %d" : "%s %d年深聊会工作报告", org->name, year);
	snprintf(
	    summary, sizeof(summary),
	    en ? "In %d the body held %lld sessions. Their %lld suggestions became %lld outputs, "
		 "of which %lld were adopted."
	       : "%d年共开展深聊会 %lld 场，形成对策建议 %lld "
		 "条，转化为提案、社情民意信息、调研报告等成果 "
		 "%lld 篇，其中 %lld 篇获得采纳。",
	    year, (long long)s->sessions, (long long)s->suggestions, (long long)s->outputs_total,
	    (long long)s->adopted);
	doc = json_pack("{ss ss s[{ss ss}] so so}", "title", title, "subtitle",
			en ? "Annual report" : "年度统计报告", "sections", "heading",
			en ? "Summary" : "一、总体情况", "body", summary, "charts", charts,
			"tables", tables);
	return doc;
}

static int send_pdf(struct web_ctx *c, json_t *doc, const char *filename)
{
	char disp[200];
	int rc = pdf_render(doc, &c->resp->body);

	json_decref(doc);
	if (rc)
		return web_fail(c, rc);
	c->resp->status = 200;
	c->resp->content_type = "application/pdf";
	snprintf(disp, sizeof(disp), "inline; filename=\"%s\"", filename);
	return http_resp_header(c->resp, "Content-Disposition", disp) ? web_fail(c, ERR_TOO_BIG)
								      : 0;
}

int h_stats_pdf(struct web_ctx *c)
{
	struct stats_query q;
	struct stats s;
	struct org org;
	char name[80];
	json_t *doc;
	int year;

	if (web_stats_query(c, &q, &org))
		return 0;
	if (stats_compute(c->db, &q, &s)) {
		stats_release(&s);
		return web_fail(c, ERR_DB);
	}
	year = time_year(q.from);
	snprintf(name, sizeof(name), "report-%s-%d.pdf", org.slug, year);
	doc = stats_doc(c, &s, &org, year);
	stats_release(&s);
	return send_pdf(c, doc, name);
}

/* output_doc lays an output out as a document: title, kind and number, authors, the body
 * in paragraphs, handling and adoption. */
static json_t *output_doc(struct web_ctx *c, const struct output *o)
{
	json_t *meta = json_array(), *sections = json_array();
	struct buf authors;
	char key[64], sub[200], date[16];
	size_t i;
	int rc = ERR_OK;

	buf_init(&authors, 4096);
	for (i = 0; !rc && i < o->nauthors; i++) {
		if (authors.n)
			rc = buf_puts(&authors, "、");
		if (!rc)
			rc = buf_puts(&authors, o->authors[i].name);
	}
	if (authors.n)
		json_array_append_new(meta, json_pack("{ss ss}", "label",
						      view_text(c->lang, "output_authors"), "value",
						      buf_cstr(&authors)));
	buf_fini(&authors);
	if (o->number[0])
		json_array_append_new(meta, json_pack("{ss ss}", "label",
						      view_text(c->lang, "output_number"), "value",
						      o->number));
	time_fmt(o->dated_at, "%Y-%m-%d", date, sizeof(date));
	json_array_append_new(
	    meta, json_pack("{ss ss}", "label", view_text(c->lang, "output_date"), "value", date));
	json_array_append_new(sections, json_pack("{ss ss}", "heading", "", "body", o->body));
	if (o->reply_text[0])
		json_array_append_new(sections, json_pack("{ss ss}", "heading",
							  view_text(c->lang, "output_reply"),
							  "body", o->reply_text));
	snprintf(sub, sizeof(sub), "%s · %s", o->org_name,
		 label(c, "kind_", o->kind, key, sizeof(key)));
	return json_pack("{ss ss so so}", "title", o->title, "subtitle", sub, "meta", meta,
			 "sections", sections);
}

int h_output_pdf(struct web_ctx *c)
{
	struct output_head h;
	struct output o;
	json_t *doc, *authors;
	char name[64];
	int rc = output_authorize(c->db, &c->actor, web_id(c, "id"), AUTHZ_READ, &h, NULL);

	if (rc)
		return web_answer(c, rc, NULL);
	rc = output_read(c->db, &c->actor, h.id, &o);
	doc = rc ? NULL : output_doc(c, &o);
	snprintf(name, sizeof(name), "output-%lld.pdf", (long long)h.id);
	/* a document that names people (its authors) is personal data leaving the server */
	if (!rc && o.nauthors) {
		authors = json_pack("{s:I}", "authors", (json_int_t)o.nauthors);
		rc = audit_export(c->db, &c->actor, h.org_id, "output.download", "output", h.id,
				  name, "pdf", -1, authors);
		json_decref(authors);
	}
	output_release(&o);
	if (rc) {
		json_decref(doc);
		return web_fail(c, rc);
	}
	return send_pdf(c, doc, name);
}
