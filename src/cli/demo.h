/*
 * demo.h - what the parts of `shenliao demo` share while they load (demo.c, demo_sessions.c,
 * demo_outputs.c): the connection, the system actor, the ids of what the demo itself has
 * made so far. Later parts refer to earlier data by these ids, never by looking rows up by
 * their text: everything goes through the model's create functions, so the demo data obeys
 * the same rules as data entered by people.
 */
#ifndef SHENLIAO_CLI_DEMO_H
#define SHENLIAO_CLI_DEMO_H

#include <stddef.h>
#include <stdint.h>

#include "model/model.h"

#define DEMO_MAX_PEOPLE	     32
#define DEMO_MAX_SESSIONS    16
#define DEMO_MAX_SUGGESTIONS 8

/* A session the demo made: its id, start (0 when undated) and suggestions in the order
 * they were made. */
struct demo_made {
	int64_t id;
	int64_t starts_at;
	int64_t suggestions[DEMO_MAX_SUGGESTIONS];
	size_t nsuggestions;
};

struct demo {
	struct db *db;
	struct actor sys;
	struct verr e;			      /* the last validation error (for the message) */
	struct org root, sz, yantian, futian; /* the bodies */
	int64_t people[DEMO_MAX_PEOPLE];      /* demo_sessions.c's people, in its order */
	struct demo_made sessions[DEMO_MAX_SESSIONS]; /* demo_sessions.c's, in its order */
	int64_t room_session;			      /* the session with the opinion room */
	int64_t n_people, n_sessions, n_outputs;      /* made so far (for the report) */
};

/* demo_sessions adds the demo people, rules, topics and 2024 sessions (demo_sessions.c);
 * run inside demo_load's transaction, after the bodies and accounts exist. */
int demo_sessions(struct demo *d) WARN_UNUSED;

/* demo_person returns the id of the demo person with key ("zhang", "liu_e"...), 0 for an
 * unknown key; demo_session returns what was made of the detailed session with that
 * title, NULL for an unknown title. Both after demo_sessions. */
int64_t demo_person(const struct demo *d, const char *key);
const struct demo_made *demo_session(const struct demo *d, const char *title);

/* demo_room opens the live demo session's opinion room with statements and votes, and
 * sets d->room_session. */
int demo_room(struct demo *d) WARN_UNUSED;

/* demo_outputs adds the year's other sessions and its 53 outputs (demo_outputs.c). */
int demo_outputs(struct demo *d) WARN_UNUSED;

#endif
