/*
 * session.h - topics (议题), work rules, deep-talk sessions (深聊会) and their record:
 * invitations and attendance, remarks, commitments, agreed points and differences,
 * suggestions (对策建议); the duty records they credit; and the search index they feed.
 *
 * Reads return JSON (the shape the API answers with); writes take borrowed input structs
 * whose NULL fields mean "leave as it is", validate everything before writing, write their
 * audit rows in the caller's transaction, and report people's errors in struct verr.
 * Every function takes the connection to use and is safe on any thread with its own one.
 */
#ifndef SHENLIAO_MODEL_SESSION_H
#define SHENLIAO_MODEL_SESSION_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"
#include "model/model.h"

/* --- visibility ---------------------------------------------------------------------- */

/* scope_path is the path prefix that selects what an actor may see of internal data:
 * their org's path, or "-" (matches nothing) for anonymous visitors. */
const char *scope_path(const struct actor *a);

/* --- topics ---------------------------------------------------------------------------- */

struct topic_in {
	const char *title, *description, *domain, *origin, *proposer;
	int64_t proposer_id; /* -1: unchanged; 0: none */
	int plan_year;	     /* -1: unchanged; 0: none */
	int plan_month;	     /* -1: unchanged; 0: none */
};

/* topic_in_init sets every field to "unchanged". */
void topic_in_init(struct topic_in *in);

struct topic_head {
	int64_t id, org_id;
	char status[16];
	char org_path[128];
};

/* topic_head loads what permission checks need. ERR_NOT_FOUND if none. */
int topic_head(struct db *db, int64_t id, struct topic_head *h) WARN_UNUSED;

/* topic_get returns the topic as JSON (NULL when absent). */
json_t *topic_get(struct db *db, int64_t id);

/* topic_create makes a topic in org_id (status proposed). title, domain and origin are
 * required. */
int topic_create(struct db *db, const struct actor *who, int64_t org_id, const struct topic_in *in,
		 int64_t *id, struct verr *e) WARN_UNUSED;
int topic_update(struct db *db, const struct actor *who, int64_t id, const struct topic_in *in,
		 struct verr *e) WARN_UNUSED;

/* topic_transition moves topic id to status to: ERR_CONFLICT (e filled) when the pipeline
 * does not allow it (proposed -> approved|rejected, approved -> scheduled|rejected,
 * scheduled -> concluded|approved, rejected -> proposed). */
int topic_transition(struct db *db, const struct actor *who, int64_t id, const char *to,
		     struct verr *e) WARN_UNUSED;

struct topic_filter {
	int year;	    /* plan year or creation year; 0: any */
	const char *domain; /* NULL: any */
	const char *status; /* NULL: any */
};

/* topic_list appends to items the topics within the actor's scope, id > after, up to
 * limit, in id order. */
int topic_list(struct db *db, const struct actor *a, const struct topic_filter *f, int64_t after,
	       int limit, json_t *items) WARN_UNUSED;

/* domain_valid reports whether code is a domain of org (built-in or its own or an
 * ancestor's); domain_list returns [{code,name_zh,name_en}] for org. */
bool domain_valid(struct db *db, const struct org *org, const char *code);
json_t *domain_list(struct db *db, const struct org *org);

/* domain_add extends org's list of domains (admins); the bodies below it inherit it. */
int domain_add(struct db *db, const struct actor *who, const struct org *org, const char *code,
	       const char *name_zh, const char *name_en, struct verr *e) WARN_UNUSED;

/* --- work rules ---------------------------------------------------------------------- */

/* rules_in_force returns (new reference) {"version","title","params"} of the rules in force
 * for org now: its own latest effective version, else the nearest ancestor's, else the
 * built-in defaults (version "default"). */
json_t *rules_in_force(struct db *db, const struct org *org);

/* rules_add records a new version for org (admins). params must be a JSON object. */
int rules_add(struct db *db, const struct actor *who, const struct org *org, const char *version,
	      const char *title, const char *body, const json_t *params, int64_t effective_from,
	      struct verr *e) WARN_UNUSED;

/* --- sessions ------------------------------------------------------------------------ */

enum session_format {
	FORMAT_EXPERT = 1,
	FORMAT_COUNTERPART = 2,
	FORMAT_SECTOR = 4,
	FORMAT_JOINT = 8,
};

/* format_parse maps "expert".. to its bit (0 if unknown); formats_json makes the array. */
int format_parse(const char *name);
json_t *formats_json(int formats);

struct session_in {
	const char *title, *summary, *venue, *organizer_unit, *department, *visibility;
	int64_t topic_id;	    /* 0: unchanged */
	int64_t starts_at, ends_at; /* -1: unchanged; 0: none */
	int formats;		    /* -1: unchanged */
	const int64_t *linked_orgs; /* NULL: unchanged */
	size_t nlinked;
};

void session_in_init(struct session_in *in);

struct session_head {
	int64_t id, org_id, topic_id;
	int64_t starts_at; /* 0 when not set */
	int formats;
	char status[16];
	char visibility[16];
	char org_path[128];
	char department[256];
};

int session_head(struct db *db, int64_t id, struct session_head *h) WARN_UNUSED;

/* session_visible: public, or the actor's scope holds the session's org or a linked org. */
bool session_visible(struct db *db, const struct actor *a, const struct session_head *h);

/* session_editable: organizers and admins whose scope holds the session's org. */
bool session_editable(const struct actor *a, const struct session_head *h);

/* session_record_open: the record (remarks, suggestions...) may be changed by a — any
 * state before closed for editors, closed/archived only for admins. */
bool session_record_open(const struct actor *a, const struct session_head *h);

/* session_get returns the session as JSON; with detail, also its invitations, remarks,
 * commitments, agreed points, differences and suggestions. contacts: include invitees'
 * names even when they did not agree to be named (for people who may see the record). */
enum {
	SESSION_BRIEF = 0,
	SESSION_DETAIL = 1,
	SESSION_DETAIL_NO_RECORD = 2, /* detail without the remarks (for outsiders) */
};
json_t *session_get(struct db *db, int64_t id, int detail, bool names);

int session_create(struct db *db, const struct actor *who, int64_t org_id,
		   const struct session_in *in, int64_t *id, struct verr *e) WARN_UNUSED;
int session_update(struct db *db, const struct actor *who, int64_t id, const struct session_in *in,
		   struct verr *e) WARN_UNUSED;

/* session_transition: draft -> scheduled (participant requirements of the rules in force
 * checked: ERR_INVALID naming what is missing; records the rules version; the topic
 * becomes scheduled), scheduled -> live|draft, live -> closed, closed -> archived. Other
 * moves: ERR_CONFLICT. */
int session_transition(struct db *db, const struct actor *who, int64_t id, const char *to,
		       struct verr *e) WARN_UNUSED;

struct session_filter {
	int year;
	const char *domain, *status;
	bool public_only;
	/* by_start: newest first (undated last), skipping offset rows, instead of by id
	 * after the cursor */
	bool by_start;
	int offset;
};

int session_list(struct db *db, const struct actor *a, const struct session_filter *f,
		 int64_t after, int limit, json_t *items) WARN_UNUSED;

/* --- the record (record.c) ----------------------------------------------------------- */

int invitation_add(struct db *db, const struct actor *who, int64_t session_id, int64_t person_id,
		   const char *role, int64_t *id, struct verr *e) WARN_UNUSED;

/* invitation_answer: the invitee (the person linked to who's account) accepts or declines. */
int invitation_answer(struct db *db, const struct actor *who, int64_t invitation_id,
		      const char *answer, struct verr *e) WARN_UNUSED;

/* invitation_attend marks attendance (and credits the duty record). */
int invitation_attend(struct db *db, const struct actor *who, int64_t session_id, int64_t person_id,
		      bool attended, struct verr *e) WARN_UNUSED;

/* invitations_of_user returns the invitations of the person linked to user_id. */
json_t *invitations_of_user(struct db *db, int64_t user_id);

/* people_options lists [{id,name,category,affiliation}] of the people an actor may invite
 * to a session of org_id: those in the actor's scope and the session body's own. */
json_t *people_options(struct db *db, const struct actor *a, int64_t org_id);

int remark_add(struct db *db, const struct actor *who, int64_t session_id, int64_t person_id,
	       const char *role, const char *body, int64_t *id, struct verr *e) WARN_UNUSED;

int commitment_add(struct db *db, const struct actor *who, int64_t session_id, const char *owner,
		   int64_t owner_id, const char *body, const char *due_date, int64_t *id,
		   struct verr *e) WARN_UNUSED;

/* commitment_set_status follows a commitment up (open, in_progress, done, dropped). */
int commitment_set_status(struct db *db, const struct actor *who, int64_t id, const char *status,
			  struct verr *e) WARN_UNUSED;

int point_add(struct db *db, const struct actor *who, int64_t session_id, const char *kind,
	      const char *body, int64_t *id, struct verr *e) WARN_UNUSED;

struct source_ref {
	char kind[16]; /* "remark" or "statement" */
	int64_t id;
};

int suggestion_add(struct db *db, const struct actor *who, int64_t session_id, const char *title,
		   const char *body, const int64_t *proposers, size_t nproposers,
		   const struct source_ref *sources, size_t nsources, int64_t *id,
		   struct verr *e) WARN_UNUSED;

json_t *suggestion_get(struct db *db, int64_t id);

/* --- duty records (duty.c) ----------------------------------------------------------- */

/* duty_points_of returns the points org gives for kind ("attended", "remark", "adopted"),
 * its own setting or the default (5, 2, 5). */
int duty_points_of(struct db *db, int64_t org_id, const char *kind);

/* duty_set_points changes org's points for kind (admins). */
int duty_set_points(struct db *db, const struct actor *who, int64_t org_id, const char *kind,
		    int points, struct verr *e) WARN_UNUSED;

/* duty_credit records that person earned kind for ref (once: a second credit for the same
 * person, kind and ref changes nothing); duty_revoke takes it back. */
int duty_credit(struct db *db, int64_t org_id, int64_t person_id, const char *kind,
		int64_t session_id, int64_t ref_id, int64_t at) WARN_UNUSED;
int duty_revoke(struct db *db, int64_t person_id, const char *kind, int64_t ref_id) WARN_UNUSED;

/* duty_record_json returns {"year","total","items":[…]} for person in year. */
json_t *duty_record_json(struct db *db, int64_t person_id, int year);

/* --- search (search.c) --------------------------------------------------------------- */

/* search_put (re)indexes one object; search_drop removes it. kind: topic, session, remark,
 * suggestion. */
int search_put(struct db *db, const char *kind, int64_t ref, int64_t session_id, int64_t org_id,
	       const char *title, const char *body) WARN_UNUSED;
int search_drop(struct db *db, const char *kind, int64_t ref) WARN_UNUSED;

/* search_query and its typed hits: model/search.h. */

#endif
