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

int h_api_person_duty(struct web_ctx *c)
{
	const char *y = http_query(c->req, "year");
	int64_t id = web_id(c, "id"), year;
	int rc = duty_record_authorize(c->db, &c->actor, id, NULL, 0);

	if (rc)
		return web_answer(c, rc, NULL);
	if (!y || num_parse(y, strlen(y), 1900, 9999, &year))
		year = time_year(time_now());
	return web_json(c, 200, duty_record_json(c->db, id, (int)year));
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
	struct verr e;
	size_t i;
	int rc;

	rc = web_begin(c);
	for (i = 0; !rc && i < ARRAY_LEN(kinds); i++) {
		int64_t v;
		bool present;

		if (web_int_field(c, kinds[i], &v, &present))
			rc = verr_type(&e, kinds[i], "整数", "an integer");
		else if (present)
			rc = duty_set_points(c->db, &c->actor, c->actor.org.id, kinds[i],
					     v > 100000 ? 100000 : (int)v, &e);
	}
	rc = web_finish(c, rc);
	return rc ? web_answer(c, rc, &e) : h_api_duty_points(c);
}

int h_person_duty_page(struct web_ctx *c)
{
	const char *y = http_query(c->req, "year");
	int64_t id = web_id(c, "id"), year;
	json_t *duty, *x;
	char name[256] = "", date[32];
	size_t i;
	int rc = duty_record_authorize(c->db, &c->actor, id, name, sizeof(name));

	if (rc)
		return web_answer(c, rc, NULL);
	if (!y || num_parse(y, strlen(y), 1900, 9999, &year))
		year = time_year(time_now());
	duty = duty_record_json(c->db, id, (int)year);
	json_array_foreach(json_object_get(duty, "items"), i, x)
	{
		sess_when_text(json_string_value(json_object_get(x, "at")), date, sizeof(date));
		date[10] = '\0';
		json_object_set_new(x, "date", json_string(date));
		sess_label(c, x, "kind", "duty_kind_", "kind_label");
	}
	return web_render(c, 200, "duty",
			  json_pack("{so ss sI sI}", "duty", duty, "name", name, "prev",
				    (json_int_t)(year - 1), "next", (json_int_t)(year + 1)));
}
