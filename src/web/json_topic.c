/*
 * json_topic.c - topics, domains and work rules as JSON (see json_topic.h). The shape is
 * the API's; pages add their labels to these objects and render them.
 */
#include "json_topic.h"
#include "web.h"

#include <stddef.h>

#include "base/util.h"

/* opt_json is an optional id or number: null when 0. */
static json_t *opt_json(int64_t v)
{
	return v ? json_integer(v) : json_null();
}

json_t *topic_to_json(const struct topic *t)
{
	return json_pack("{sI sI ss ss ss ss ss so ss ss so so so so sI}", "id", (json_int_t)t->id,
			 "org_id", (json_int_t)t->org_id, "title", t->title ? t->title : "",
			 "description", t->description ? t->description : "", "domain", t->domain,
			 "origin", t->origin, "proposer", t->proposer ? t->proposer : "",
			 "proposer_id", opt_json(t->proposer_id), "proposer_name",
			 t->proposer_name ? t->proposer_name : "", "status", t->status, "plan_year",
			 opt_json(t->plan_year), "plan_month", opt_json(t->plan_month),
			 "created_at", web_time_json(t->created_at), "updated_at",
			 web_time_json(t->updated_at), "sessions", (json_int_t)t->sessions);
}

json_t *topics_to_json(const struct topics *l)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < l->n; i++)
		if (json_array_append_new(a, topic_to_json(&l->v[i]))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

json_t *domain_to_json(const struct domain *d)
{
	return json_pack("{ss ss ss}", "code", d->code, "name_zh", d->name_zh, "name_en",
			 d->name_en);
}

json_t *domains_to_json(const struct domains *l)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < l->n; i++)
		if (json_array_append_new(a, domain_to_json(&l->v[i]))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

json_t *rules_to_json(const struct rules *r)
{
	return json_pack("{ss ss sO}", "version", r->version, "title", r->title, "params",
			 r->params ? r->params : json_null());
}
