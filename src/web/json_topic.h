/*
 * json_topic.h - the one place topics, domains and work rules become JSON: the API answers
 * with it and the pages' templates are rendered from the same objects (with labels added).
 */
#ifndef SHENLIAO_WEB_JSON_TOPIC_H
#define SHENLIAO_WEB_JSON_TOPIC_H

#include <jansson.h>

#include "model/topic.h"

/* topic_to_json returns a new object for t: id, org_id, title, description, domain,
 * origin, proposer, proposer_id (null when none), proposer_name, status, plan_year and
 * plan_month (null when not planned), created_at, updated_at (local ISO times) and
 * sessions (how many are held on it). NULL when out of memory. */
json_t *topic_to_json(const struct topic *t);

/* topics_to_json returns a new array of topic_to_json of each of l's topics. */
json_t *topics_to_json(const struct topics *l);

/* domain_to_json returns {code, name_zh, name_en} for d; domains_to_json the array. */
json_t *domain_to_json(const struct domain *d);
json_t *domains_to_json(const struct domains *l);

/* rules_to_json returns {version, title, params} for r (params copied). */
json_t *rules_to_json(const struct rules *r);

#endif
