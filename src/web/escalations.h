/*
 * escalations.h - escalation of outputs to a higher body (escalations.c): the JSON the
 * output's answers and pages carry, and the output page's part of it.
 */
#ifndef SHENLIAO_WEB_ESCALATIONS_H
#define SHENLIAO_WEB_ESCALATIONS_H

#include <jansson.h>
#include <stdint.h>

#include "model/escalation.h"

struct web_ctx;

/* escalation_to_json returns (new reference) x as the API shows it: {"id", "output_id",
 * "output_title", "output_kind", "output_state", "from_org": {"id","name"}, "to_org", "note",
 * "state", "created_at", "answer_note", "answered_at", "answered_by", "result_output_id"}. */
json_t *escalation_to_json(const struct escalation *x);

/* escalations_of_output_json returns the escalations of output id as reader a may see them
 * (escalation_of_output) as an array; empty on error. */
json_t *escalations_of_output_json(struct db *db, const struct actor *a, int64_t id);

/* escalation_origins_json returns the escalations output id was made from, those whose
 * output a may read (escalation_origins), as an array; empty on error. */
json_t *escalation_origins_json(struct db *db, const struct actor *a, int64_t id);

/* web_escalation_page sets page's "escalation" for the output page of output h (role: a's
 * OROLE_ bits for it): its escalations, and for the organizers who may send it the form's
 * targets (the bodies above, the parent first). error / again as output_page's. */
void web_escalation_page(struct web_ctx *c, json_t *page, const struct output_head *h, int role,
			 const char *error, const char *again);

#endif
