/*
 * rules.h - versions of the work rules (工作制度) of a body: listed, added, compared and
 * copied from another body, and the catalogue of the parameters the software enforces.
 * (The rules in force and the typed getters the enforcing code reads are in topic.h.)
 *
 * Who may: the rules of a body are read by the body itself, the bodies below it (which
 * follow them when they have none of their own) and the bodies above it; they are written
 * (a new version, a copy) by the admins of the body or of a body above it (org_authorize:
 * READ and MANAGE). A copy also needs the source body's rules to be readable by the caller.
 *
 * Threads: every function works on the caller's connection; the catalogue is static.
 */
#ifndef SHENLIAO_MODEL_RULES_H
#define SHENLIAO_MODEL_RULES_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/linediff.h"
#include "model/model.h"
#include "model/topic.h"

/* One parameter the software knows: its name in params, its JSON type ("integer" or
 * "object"), the unit of an integer ("days", "people", "points", "characters"; "" for an
 * object), what it means and who enforces it (zh, en), and its default as JSON text. An
 * integer lies in min..max (for an object: each integer in it). */
struct rules_param {
	const char *name;
	const char *type;
	const char *unit;
	long long min, max;
	const char *zh;
	const char *en;
	const char *enforced_zh;
	const char *enforced_en;
	const char *default_json;
};

/* rules_params returns the catalogue and its length in *n (static, read-only). */
const struct rules_param *rules_params(size_t *n);

/* rules_check_params validates params against the catalogue: a JSON object (else
 * ERR_INVALID, field "params"), every member a known parameter (else code unknown_param,
 * the message naming it) of its type and range (else invalid_type / out_of_range, field
 * "params.<name>"). */
int rules_check_params(const json_t *params, struct verr *e) WARN_UNUSED;

/* One stored version. title, body owned; params owned (as stored: only what the version
 * states). copied_from_org_id 0 when the version was not copied. */
struct rules_version {
	int64_t id, org_id;
	char version[96];
	char *title, *body;
	json_t *params;
	int64_t effective_from, created_at;
	int64_t copied_from_org_id;
	char copied_from_version[96];
	char copied_from_org_name[512];
	char copied_from_org_slug[64];
};

struct rules_versions {
	struct rules_version *v;
	size_t n;
};

void rules_version_release(struct rules_version *v);
void rules_versions_release(struct rules_versions *l);

/* rules_authorize loads body org_id into *o and decides whether a may op (AUTHZ_READ:
 * read its rules; AUTHZ_MANAGE: add a version or a copy) as said at the top. */
int rules_authorize(struct db *db, const struct actor *a, int64_t org_id, enum authz_op op,
		    struct org *o) WARN_UNUSED;

/* rules_list fills *l with org_id's own versions, newest effective first. */
int rules_list(struct db *db, int64_t org_id, struct rules_versions *l) WARN_UNUSED;

/* rules_version_get loads version of org_id into *v. ERR_NOT_FOUND if none. */
int rules_version_get(struct db *db, int64_t org_id, const char *version,
		      struct rules_version *v) WARN_UNUSED;

/* What a new version holds: effective_from "YYYY-MM-DD" (the day's start in the body's
 * time zone; NULL or "": now); params NULL: {} (every parameter its default). */
struct rules_in {
	const char *version, *title, *body, *effective_from;
	const json_t *params;
};

/* rules_create adds a version to org (the caller authorized with rules_authorize MANAGE;
 * inside a write transaction), validated first, audited (rules.create). ERR_CONFLICT (code
 * "conflict", field "version") when the version exists. */
int rules_create(struct db *db, const struct actor *who, const struct org *org,
		 const struct rules_in *in, struct verr *e) WARN_UNUSED;

/* rules_copy copies version src_version of body src_org_id into target as a new version
 * named as_version (NULL or "": the same name when target has none of that name, else
 * "<name>-copy", "<name>-copy2" ... "<name>-copy9"), effective now, with copied_from naming
 * the source; audited (rules.copy). It decides the source itself: ERR_NOT_FOUND when the
 * source body is not visible to who or has no such version, ERR_FORBIDDEN when it is the
 * target itself. The name of the new version is written to out[cap]. */
int rules_copy(struct db *db, const struct actor *who, const struct org *target, int64_t src_org_id,
	       const char *src_version, const char *as_version, char *out, size_t cap,
	       struct verr *e) WARN_UNUSED;

/* One changed parameter: old and new are its values in force under each version (the
 * stated value, else the default; owned). */
struct rules_change {
	const char *name; /* the catalogue's, or the version's own key (borrowed from params) */
	json_t *old_value, *new_value;
};

/* The difference of two versions of one body. changes lists the parameters whose value in
 * force differs, in catalogue order then others; lines is the line diff of the bodies. */
struct rules_diff {
	struct rules_version from, to;
	struct rules_change *changes;
	size_t nchanges;
	struct linediff_line *lines;
	size_t nlines;
};

/* rules_diff_make compares versions from and to of org_id into *d (release with
 * rules_diff_release, also after an error). ERR_NOT_FOUND when either is missing. */
int rules_diff_make(struct db *db, int64_t org_id, const char *from, const char *to,
		    struct rules_diff *d) WARN_UNUSED;
void rules_diff_release(struct rules_diff *d);

/* rules_of_session loads into *r the rules a session was scheduled under: version of the
 * nearest body on org's path (org itself first) that has it; the defaults when version is
 * NULL, "", "default" or found nowhere. Parameters the version does not state are their
 * defaults, as in rules_in_force. */
int rules_of_session(struct db *db, const struct org *org, const char *version,
		     struct rules *r) WARN_UNUSED;

/* rules_in_force_of is rules_in_force of body org_id. */
int rules_in_force_of(struct db *db, int64_t org_id, struct rules *r) WARN_UNUSED;

/* rules_for_session loads the rules of session session_id (rules_of_session of its body
 * and its recorded version; the rules in force for a session never scheduled). */
int rules_for_session(struct db *db, int64_t session_id, struct rules *r) WARN_UNUSED;

#endif
