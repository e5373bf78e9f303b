/*
 * roles.c - a member's "my work" (GET /api/v1/me/work and the page /me) and a leader's
 * instruction (批示) on an output (POST /api/v1/outputs/{id}/instruction and the output
 * page's form). The model decides (model/roles.h); this file parses and makes the JSON.
 */
#include "sessions.h"
#include "web.h"

#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "model/roles.h"
#include "view/view.h"
#include "web/json_output.h"

/* year_of reads ?year= (this year by default). */
static int year_of(struct web_ctx *c)
{
	const char *y = http_query(c->req, "year");
	int64_t year;

	if (!y || num_parse(y, strlen(y), 1900, 9999, &year))
		year = time_year(time_now());
	return (int)year;
}

static json_t *my_output_to_json(const struct my_output *x)
{
	char dated[21];

	time_iso(x->dated_at, dated);
	return json_pack("{sI ss ss ss ss sb ss so}", "id", (json_int_t)x->id, "kind", x->kind,
			 "title", x->title, "state", x->state, "role", x->role, "confirmed",
			 x->confirmed, "dated_at", dated, "cosign_deadline",
			 web_time_json(x->cosign_deadline));
}

/* my_work_to_json is the one JSON of "my work" (the API's; the page adds labels):
 * {"year","person":{id,name}|null,"invitations":[...],"outputs":[...],
 *  "cosign_requests":[...],"duty":{year,total,attended,remark,adopted}}. */
static json_t *my_work_to_json(const struct my_work *w)
{
	json_t *inv = json_array(), *outs = json_array(), *req = json_array();
	int64_t attended = 0, remark = 0, adopted = 0;
	size_t i;

	for (i = 0; i < w->ninvitations; i++)
		json_array_append_new(inv, my_invitation_to_json(&w->invitations[i]));
	for (i = 0; i < w->noutputs; i++) {
		json_array_append_new(outs, my_output_to_json(&w->outputs[i]));
		if (w->outputs[i].pending)
			json_array_append_new(req, my_output_to_json(&w->outputs[i]));
	}
	for (i = 0; i < w->duty.n; i++) {
		const struct duty_item *d = &w->duty.items[i];

		if (strcmp(d->kind, "attended") == 0)
			attended += d->points;
		else if (strcmp(d->kind, "remark") == 0)
			remark += d->points;
		else if (strcmp(d->kind, "adopted") == 0)
			adopted += d->points;
	}
	return json_pack("{si so so so so s{si sI sI sI sI sI}}", "year", w->duty.year, "person",
			 w->person_id ? json_pack("{sI ss}", "id", (json_int_t)w->person_id, "name",
						  w->person_name)
				      : json_null(),
			 "invitations", inv, "outputs", outs, "cosign_requests", req, "duty",
			 "year", w->duty.year, "total", (json_int_t)w->duty.total, "items",
			 (json_int_t)w->duty.n, "attended", (json_int_t)attended, "remark",
			 (json_int_t)remark, "adopted", (json_int_t)adopted);
}

int h_api_me_work(struct web_ctx *c)
{
	struct my_work w;
	json_t *o;
	int rc = my_work_read(c->db, &c->actor, year_of(c), &w);

	if (rc) {
		my_work_release(&w);
		return web_answer(c, rc, NULL);
	}
	o = my_work_to_json(&w);
	my_work_release(&w);
	return web_json(c, 200, o);
}

int h_my_work_page(struct web_ctx *c)
{
	struct my_work w;
	json_t *o, *x;
	char date[32];
	size_t i;
	int rc = my_work_read(c->db, &c->actor, year_of(c), &w);

	if (rc) {
		my_work_release(&w);
		return web_answer(c, rc, NULL);
	}
	o = my_work_to_json(&w);
	for (i = 0; i < w.ninvitations; i++) {
		x = json_array_get(json_object_get(o, "invitations"), i);
		sess_when(w.invitations[i].starts_at, date, sizeof(date));
		json_object_set_new(x, "date", json_string(date));
		sess_label(c, x, "role", "role_", "role_label");
		sess_label(c, x, "rsvp", "rsvp_", "rsvp_label");
		json_object_set_new(x, "pending",
				    json_boolean(strcmp(w.invitations[i].rsvp, "pending") == 0));
	}
	json_array_foreach(json_object_get(o, "outputs"), i, x)
	{
		sess_label(c, x, "kind", "kind_", "kind_label");
		sess_label(c, x, "state", "ostate_", "state_label");
		sess_label(c, x, "role", "mywork_author_", "role_label");
	}
	json_array_foreach(json_object_get(o, "cosign_requests"), i, x)
	    sess_label(c, x, "kind", "kind_", "kind_label");
	my_work_release(&w);
	json_object_set_new(o, "prev",
			    json_integer(json_integer_value(json_object_get(o, "year")) - 1));
	return web_render(c, 200, "mywork", o);
}

/* --- instruction --- */

int web_instruction_add(struct web_ctx *c, struct output_head *h, int64_t *adoption_id,
			struct verr *e)
{
	struct instruction_in in;
	bool bad = false;
	int rc;

	memset(&in, 0, sizeof(in));
	rc = web_form_check(c, e);
	if (rc)
		return rc;
	in.text = web_field(c, "text", &bad);
	if (!bad)
		in.by = web_field(c, "by", &bad);
	if (!bad)
		in.date = web_field(c, "date", &bad);
	if (bad)
		return verr_type(e, "text", "字符串", "a string");
	rc = instruction_authorize(c->db, &c->actor, web_id(c, "id"), h);
	if (!rc)
		rc = instruction_check(&in, e);
	if (rc)
		return rc;
	rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, instruction_record(c->db, &c->actor, h, &in, adoption_id, e));
	return rc;
}

int h_api_output_instruction(struct web_ctx *c)
{
	struct output_head h;
	struct output o;
	struct verr e;
	json_t *x = NULL;
	int64_t aid = 0;
	size_t i;
	int rc = web_instruction_add(c, &h, &aid, &e);

	if (rc)
		return web_answer(c, rc, &e);
	rc = output_get(c->db, h.id, &o);
	for (i = 0; !rc && i < o.nadoptions && !x; i++)
		if (o.adoptions[i].id == aid)
			x = output_adoption_to_json(&o.adoptions[i]);
	if (x) {
		json_object_set_new(x, "output_id", json_integer((json_int_t)h.id));
		json_object_set_new(x, "instruction_by", json_string(o.instruction_by));
		json_object_set_new(x, "instruction_text", json_string(o.instruction_text));
	}
	output_release(&o);
	return x ? web_json(c, 201, x) : web_fail(c, rc ? rc : ERR_NOT_FOUND);
}
