/*
 * json_privacy.h - a person's export (model/privacy.h) as the one JSON document the API
 * hands over: GET /api/v1/people/{id}/export.
 */
#ifndef SHENLIAO_WEB_JSON_PRIVACY_H
#define SHENLIAO_WEB_JSON_PRIVACY_H

#include <jansson.h>

#include "model/privacy.h"

/* person_export_to_json returns a new object: format and exported_at, then person (every
 * registry field, contact data included: it is the person's own), account (null when none)
 * with its sign-ins and tokens, and the lists invitations, remarks, suggestions, outputs,
 * topics, commitments, participations, votes, statements, duty_record and audit (with
 * audit_truncated). Times in the body's zone, null when not set. NULL when out of memory. */
json_t *person_export_to_json(const struct person_export *x);

#endif
