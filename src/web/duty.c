/*
 * duty.c - duty records (履职档案): a person's points for a year (API and page) and the
 * points a body gives for each kind.
 */
#include "sessions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "view/view.h"

/* duty_to_json is the one JSON of a duty record (the API's and the page's):
 * {"year","total","items":[{id,kind,points,session_id,session_title,ref_id,at,org_id,joint,
 * host_org_name}]}: org_id the body credited, joint whether another body hosted the session
 * (host_org_name, null otherwise). */
static json_t *duty_to_json(const struct duty_record *d)
{
	json_t *items = json_array();
	char at[26];
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct duty_item *x = &d->items[i];

		time_local(x->at, at);
		json_array_append_new(
		    items,
		    json_pack("{sI ss sI so ss sI ss sI sb so}", "id", (json_int_t)x->id, "kind",
			      x->kind, "points", (json_int_t)x->points, "session_id",
			      x->session_id ? json_integer(x->session_id) : json_null(),
			      "session_title", x->session_title, "ref_id", (json_int_t)x->ref_id,
			      "at", at, "org_id", (json_int_t)x->org_id, "joint", x->joint,
			      "host_org_name", x->joint ? json_string(x->host_name) : json_null()));
	}
	return json_pack("{si sI so}", "year", d->year, "total", (json_int_t)d->total, "items",
			 items);
}

/* read_duty reads the record of person id for ?year= (this year by default). */
static int read_duty(struct web_ctx *c, int64_t id, struct duty_record *d)
{
	const char *y = http_query(c->req, "year");
	int64_t year;

	if (!y || num_parse(y, strlen(y), 1900, 9999, &year))
		year = time_year(time_now());
	duty_record_init(d);
	return duty_record_read(c->db, id, (int)year, d);
}

int h_api_person_duty(struct web_ctx *c)
{
	struct duty_record d;
	json_t *o;
	int rc = duty_record_authorize(c->db, &c->actor, web_id(c, "id"), NULL, 0);

	if (!rc)
		rc = read_duty(c, web_id(c, "id"), &d);
	if (rc)
		return web_answer(c, rc, NULL);
	o = duty_to_json(&d);
	duty_record_release(&d);
	return web_json(c, 200, o);
}

int h_api_duty_points(struct web_ctx *c)
{
	static const char *const kinds[] = {"attended", "remark", "adopted"};
	json_t *o = json_object();
	size_t i;

	for (i = 0; i < ARRAY_LEN(kinds); i++)
		json_object_set_new(o, kinds[i],
				    json_integer(duty_points_of(c->db, c->actor.org.id, kinds[i])));
	return web_json(c, 200, o);
}

int h_api_duty_points_set(struct web_ctx *c)
{
	static const char *const kinds[] = {"attended", "remark", "adopted"};
	int64_t v[ARRAY_LEN(kinds)];
	bool present[ARRAY_LEN(kinds)];
	struct verr e;
	size_t i;
	int rc = ERR_OK;

	/* parse every field first; then one transaction sets them (the route is for admins,
	 * of their own body) */
	for (i = 0; !rc && i < ARRAY_LEN(kinds); i++)
		if (web_int_field(c, kinds[i], &v[i], &present[i]))
			rc = verr_type(&e, kinds[i], "整数", "an integer");
	if (!rc)
		rc = web_begin(c);
	for (i = 0; !rc && i < ARRAY_LEN(kinds); i++)
		if (present[i])
			rc = duty_set_points(c->db, &c->actor, c->actor.org.id, kinds[i],
					     v[i] > 100000 ? 100000 : (int)v[i], &e);
	rc = web_finish(c, rc); /* rolls back (harmless) when nothing was begun */
	return rc ? web_answer(c, rc, &e) : h_api_duty_points(c);
}

int h_person_duty_page(struct web_ctx *c)
{
	struct duty_record d;
	json_t *duty;
	char name[256] = "", date[32];
	size_t i;
	int rc = duty_record_authorize(c->db, &c->actor, web_id(c, "id"), name, sizeof(name));

	if (!rc)
		rc = read_duty(c, web_id(c, "id"), &d);
	if (rc)
		return web_answer(c, rc, NULL);
	duty = duty_to_json(&d);
	for (i = 0; i < d.n; i++) {
		json_t *x = json_array_get(json_object_get(duty, "items"), i);

		time_fmt(d.items[i].at, "%Y-%m-%d", date, sizeof(date));
		json_object_set_new(x, "date", json_string(date));
		sess_label(c, x, "kind", "duty_kind_", "kind_label");
	}
	rc = web_render(c, 200, "duty",
			json_pack("{so ss sI sI}", "duty", duty, "name", name, "prev",
				  (json_int_t)(d.year - 1), "next", (json_int_t)(d.year + 1)));
	duty_record_release(&d);
	return rc;
}
