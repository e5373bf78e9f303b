/*
 * json_people.h - the one JSON form of persons, bodies and accounts, used by the API
 * answers and the page templates alike (the model speaks in structs; the wire format is
 * made here, at the edge).
 */
#ifndef SHENLIAO_WEB_JSON_PEOPLE_H
#define SHENLIAO_WEB_JSON_PEOPLE_H

#include <jansson.h>
#include <stdbool.h>

#include "model/model.h"
#include "model/person.h"

/* person_to_json returns a new object with p's API fields; phone and email only when
 * contact is true (person_sees_contact). NULL when out of memory. */
json_t *person_to_json(const struct person *p, bool contact);

/* org_to_json returns a new object with o's API fields. */
json_t *org_to_json(const struct org *o);

/* user_to_json returns a new object with u's API fields (never the password hash). */
json_t *user_to_json(const struct user *u);

#endif
