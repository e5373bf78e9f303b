/*
 * json_output.h - the one place outputs become JSON: the API answers and the page
 * templates both use these (the model hands over struct output, see model/output.h).
 */
#ifndef SHENLIAO_WEB_JSON_OUTPUT_H
#define SHENLIAO_WEB_JSON_OUTPUT_H

#include <jansson.h>
#include <stdint.h>

#include "model/output.h"

/* output_to_json returns (new reference) o in the API's shape; with its parts (authors,
 * handlers, suggestions, sessions, events, adoptions, char_count, adopted, the id lists)
 * when o->full. */
json_t *output_to_json(const struct output *o);

/* output_adoption_to_json returns (new reference) one adoption of an output. */
json_t *output_adoption_to_json(const struct output_adoption *a);

/* output_list_json returns an array of the items of l (without parts). */
json_t *output_list_json(const struct output_list *l);

/* output_get_json reads output id for reader a (output_read: what a may not read left out)
 * as JSON; NULL when absent or on error. Authorization is the caller's. */
json_t *output_get_json(struct db *db, const struct actor *a, int64_t id);

/* output_lineage_to_json returns (new reference) the chain l as {"suggestions" (each with
 * its "sources" and "session"), "sessions", "events", "adoptions", "output"};
 * output_lineage_json reads it for output id as caller c may see it (output_lineage: what c
 * may not read left out; people named as person_shown_json shows them), NULL when absent. */
struct web_ctx;
json_t *output_lineage_to_json(const struct web_ctx *c, const struct output_lineage *l);
json_t *output_lineage_json(struct web_ctx *c, int64_t id);

/* session_outcomes_json returns what came of a session with each output as a brief
 * {"id","kind","title","state","dated_at","adopted","adoptions"} and counts.adopted; NULL
 * when the session is absent. People named as caller c may see them (person_shown_json). */
json_t *session_outcomes_json(struct web_ctx *c, int64_t session_id);

/* handler_to_json returns (new reference) a handling unit {"id","org_id","name",
 * "disabled","merged_into"}. */
json_t *handler_to_json(const struct handler *h);

/* handler_list_json returns the units a may see (handler_list) as an array; empty on
 * error. */
json_t *handler_list_json(struct db *db, const struct actor *a);

#endif
