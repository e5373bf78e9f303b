/*
 * json_handlers.h - handling units' queue, the units themselves and the organizers'
 * commitments list as JSON, for the API and the pages alike (see model/output.h and
 * model/session.h for the structs).
 */
#ifndef SHENLIAO_WEB_JSON_HANDLERS_H
#define SHENLIAO_WEB_JSON_HANDLERS_H

#include <jansson.h>

#include "model/output.h"
#include "model/session.h"

/* assignment_to_json returns (new reference) one item of a unit's queue: output_id, kind,
 * title, state, role, reply_due, overdue, assigned_at, reply {replied, replied_at, grade,
 * lead_handler_id, lead_handler}, opinions [{handler_id, name, text, at}]. */
json_t *assignment_to_json(const struct assignment *x);

/* assignment_list_json returns an array of the items of l. */
json_t *assignment_list_json(const struct assignment_list *l);

/* handler_choice_json returns the enabled units a may see (for an assignment's select). */
json_t *handler_choice_json(struct db *db, const struct actor *a);

/* commitment_item_to_json returns (new reference) one commitment of the list: id,
 * session_id, session_title, owner, owner_id (null when none), body, due_date (null when
 * none), status, overdue. */
json_t *commitment_item_to_json(const struct commitment_item *x);

/* commitment_list_json returns an array of the items of l. */
json_t *commitment_list_json(const struct commitment_list *l);

#endif
