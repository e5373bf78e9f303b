/*
 * topic.h - topics (议题), the domains they are filed under, and the work rules (工作制度)
 * a body's sessions follow.
 *
 * The model speaks in structs: struct topic, struct domain and struct rules are plain data
 * the caller owns (release what says it allocates); JSON for the API and the pages is made
 * from them in one place in the web layer (web/json_topic.c). Writes take borrowed input
 * structs whose NULL fields mean "leave as it is", validate everything before writing,
 * write their audit rows in the caller's transaction, and report people's errors in
 * struct verr. topic_authorize is the one answer to "may this caller see or change this
 * topic", for the API and the pages alike.
 *
 * Every function takes the connection to use and is safe on any thread with its own one.
 */
#ifndef SHENLIAO_MODEL_TOPIC_H
#define SHENLIAO_MODEL_TOPIC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db; /* the connection (db/db.h): only the model opens it up */
#include "model/model.h"

/* --- topics ---------------------------------------------------------------------------- */

/* A topic as stored. The text members are heap copies owned by the struct (freed by
 * topic_release); a zeroed struct is empty and may be released. */
struct topic {
	int64_t id, org_id;
	char *title;
	char *description;
	char *proposer;		  /* free text: who proposed it ("" when nobody is named) */
	char *proposer_name;	  /* the name of proposer_id's person ("" when none) */
	int64_t proposer_id;	  /* a person of the body; 0: none */
	int64_t proposer_user_id; /* the account linked to proposer_id's person; 0: none */
	char domain[40];	  /* a domain code (struct domain) */
	char origin[16];	  /* assigned (点题), member, sector, public */
	char status[16];	  /* proposed, approved, scheduled, concluded, rejected */
	int plan_year;		  /* 0: not planned */
	int plan_month;		  /* 1..12; 0: not planned */
	int64_t created_at, updated_at;
	int64_t sessions;   /* how many sessions are held on it */
	char org_path[128]; /* the path of the topic's body ("/1/4/") */
};

/* topic_release frees what t owns and leaves it empty; accepts an empty struct. */
void topic_release(struct topic *t);

/* A list of topics (topic_list); release with topics_release. */
struct topics {
	struct topic *v;
	size_t n, cap;
};

void topics_release(struct topics *l);

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

/* topic_get loads topic id into *t (which the caller releases with topic_release).
 * ERR_NOT_FOUND (t left empty) when there is none. */
int topic_get(struct db *db, int64_t id, struct topic *t) WARN_UNUSED;

/* topic_authorize decides whether a may do op to topic id, and on ERR_OK loads it into
 * *out when out is not NULL (the caller releases it; on any other answer out is left
 * empty). A topic is visible to those whose scope holds its body (scope_path: their own
 * body and those below it; nobody for anonymous callers and handling units); AUTHZ_WRITE
 * (edit, delete) needs, besides, an organizer or admin, or the account of its proposer
 * (whose changes topic_edit_check then limits to a topic still proposed); AUTHZ_MANAGE
 * (transition, schedule sessions on it) needs an organizer or admin.
 * Answers as authz_decide does: ERR_AUTH for anonymous callers, ERR_NOT_FOUND when the
 * topic does not exist or is not visible, ERR_FORBIDDEN when visible but not theirs to
 * change. */
int topic_authorize(struct db *db, const struct actor *a, int64_t id, enum authz_op op,
		    struct topic *out) WARN_UNUSED;

/* topic_decide is topic_authorize's decision for a topic already loaded (t), for a page
 * that shows what the caller may do with it: the same rule, no database. */
int topic_decide(const struct actor *a, const struct topic *t, enum authz_op op) WARN_UNUSED;

/* topic_authorize_create decides whether a may make a topic in org: organizers, admins and
 * members whose scope holds org (a member proposes: topic_as_proposer). ERR_NOT_FOUND when
 * org is outside what a may see at all. */
int topic_authorize_create(const struct actor *a, const struct org *org) WARN_UNUSED;

/* topic_staff reports whether a vets topics (organizers, admins, the command line) rather
 * than proposing them as a member. */
bool topic_staff(const struct actor *a);

/* topic_as_proposer makes in the proposal of member a (not topic_staff; staff: nothing to
 * do): the person linked to a's account is the proposer (proposer_id, and no free-text
 * proposer) and the origin is "member", whatever in said. ERR_FORBIDDEN with e (code
 * not_linked) when a's account is not linked to a person of the registry. */
int topic_as_proposer(struct db *db, const struct actor *a, struct topic_in *in,
		      struct verr *e) WARN_UNUSED;

/* topic_edit_check decides whether a, who may write t (topic_authorize), may change or
 * delete it now, and makes in (NULL for a delete) what a proposer may change: a proposer
 * who is not staff changes only a topic still proposed (ERR_CONFLICT, code
 * topic_not_proposed, otherwise) and not where it came from or who proposed it (those
 * fields of in are set to "unchanged"). A delete needs a proposed topic on which no
 * session is held, by anyone. */
int topic_edit_check(const struct actor *a, const struct topic *t, struct topic_in *in,
		     struct verr *e) WARN_UNUSED;

/* topic_delete removes topic id (topic_edit_check first), its search entry, and audits
 * "topic.delete" with what it was. In the caller's transaction. */
int topic_delete(struct db *db, const struct actor *who, int64_t id, struct verr *e) WARN_UNUSED;

/* topic_check validates what topic_create (before == NULL) or topic_update (before: the
 * stored topic) would store for in, in org_id, without writing: required fields, lengths,
 * the domain (one of the body's), the origin, the plan and the proposer (a person of the
 * body). ERR_INVALID with e naming the field. The writers check again themselves. */
int topic_check(struct db *db, int64_t org_id, const struct topic *before,
		const struct topic_in *in, struct verr *e) WARN_UNUSED;

/* topic_create makes a topic in org_id (status proposed). title, domain and origin are
 * required. *id gets the new topic's id. */
int topic_create(struct db *db, const struct actor *who, int64_t org_id, const struct topic_in *in,
		 int64_t *id, struct verr *e) WARN_UNUSED;

/* topic_update changes the fields of topic id that in gives. ERR_NOT_FOUND if none. */
int topic_update(struct db *db, const struct actor *who, int64_t id, const struct topic_in *in,
		 struct verr *e) WARN_UNUSED;

/* topic_check_move tells whether the pipeline lets a topic go from one status to another:
 * proposed -> approved|rejected, approved -> scheduled|rejected,
 * scheduled -> concluded|approved, rejected -> proposed. ERR_CONFLICT (e filled, code
 * "illegal_transition", field "to") when it does not. */
int topic_check_move(const char *from, const char *to, struct verr *e) WARN_UNUSED;

/* topic_moves_from fills to[0..max) with the statuses a topic in status from may go to
 * (borrowed static strings, in the pipeline's order) and returns how many. */
size_t topic_moves_from(const char *from, const char **to, size_t max);

/* topic_transition moves topic id to status to: ERR_CONFLICT (e filled) when the pipeline
 * does not allow it (topic_check_move). Approving or rejecting a proposed topic notifies
 * its proposer ("topic_decision"). */
int topic_transition(struct db *db, const struct actor *who, int64_t id, const char *to,
		     struct verr *e) WARN_UNUSED;

struct topic_filter {
	int year;	    /* plan year or creation year; 0: any */
	const char *domain; /* NULL: any */
	const char *status; /* NULL: any */
};

/* topic_list appends to *out (initialized to zero by the caller, released with
 * topics_release) the topics within a's scope matching f, id > after, up to limit, in
 * id order. */
int topic_list(struct db *db, const struct actor *a, const struct topic_filter *f, int64_t after,
	       int limit, struct topics *out) WARN_UNUSED;

/* The sessions held on a topic, as far as one caller may see them (topic_sessions). */
struct topic_session {
	int64_t id;
	char *title;
	char status[16];
};

struct topic_sessions {
	struct topic_session *v;
	size_t n, cap;
};

void topic_sessions_release(struct topic_sessions *l);

/* topic_sessions appends to *out (zeroed by the caller, released with
 * topic_sessions_release) the sessions on topic_id that a may see (session_visible), in
 * id order. */
int topic_sessions(struct db *db, const struct actor *a, int64_t topic_id,
		   struct topic_sessions *out) WARN_UNUSED;

/* --- domains (领域) -------------------------------------------------------------------- */

/* A domain topics are filed under: the five built-in ones (org_id 0) and those a body
 * added for itself and the bodies below it. */
struct domain {
	int64_t org_id; /* 0: built in */
	char code[40];
	char name_zh[208];
	char name_en[208];
};

struct domains {
	struct domain *v;
	size_t n, cap;
};

void domains_release(struct domains *l);

/* domain_valid reports whether code is a domain of org (built-in or its own or an
 * ancestor's). */
bool domain_valid(struct db *db, const struct org *org, const char *code);

/* domain_list appends to *out (zeroed by the caller, released with domains_release) the
 * domains of org: the built-in ones first, then those of org and its ancestors. */
int domain_list(struct db *db, const struct org *org, struct domains *out) WARN_UNUSED;

/* domain_authorize_add decides whether a may add domains to org: its admins (and those of
 * the bodies above it). */
int domain_authorize_add(const struct actor *a, const struct org *org) WARN_UNUSED;

/* domain_add extends org's list of domains (admins); the bodies below it inherit it.
 * ERR_CONFLICT (e filled) when org already has code. */
int domain_add(struct db *db, const struct actor *who, const struct org *org, const char *code,
	       const char *name_zh, const char *name_en, struct verr *e) WARN_UNUSED;

/* --- work rules (工作制度) ------------------------------------------------------------- */

/* One participant requirement of a session format: at least min invitees of kind what
 * ("expert", "member"... a person category; "department_official" for officials of the
 * matched department; "linked_org" for other bodies taking part). what is borrowed from
 * the struct rules it was read from. */
struct rules_req {
	const char *what;
	int min;
};

/* The rules in force for a body. params is the whole parameter object (owned; the rules
 * may carry parameters this version of the software does not read); the getters below
 * read the ones it enforces. Release with rules_release. */
struct rules {
	char version[96]; /* "default" for the built-in rules */
	char title[808];
	json_t *params; /* a JSON object, never NULL after rules_in_force */
};

void rules_release(struct rules *r);

/* rules_in_force loads the rules in force for org now into *r: its own latest effective
 * version, else the nearest ancestor's, else the built-in defaults (version "default").
 * Parameters that are not a JSON object are replaced by the defaults. */
int rules_in_force(struct db *db, const struct org *org, struct rules *r) WARN_UNUSED;

/* rules_reply_days is how many days a handling unit has to answer (params.reply_days; 90
 * when not set or not positive). */
int rules_reply_days(const struct rules *r);

/* rules_requirements fills out[0..max) with the participant requirements of format
 * ("expert", "counterpart", "sector", "joint") and returns how many there are (which may
 * be more than max); requirements without a kind or with min <= 0 are skipped. */
size_t rules_requirements(const struct rules *r, const char *format, struct rules_req *out,
			  size_t max);

/* rules_min_of is the least number of invitees of kind what that format requires (0 when
 * it requires none). */
int rules_min_of(const struct rules *r, const char *format, const char *what);

/* rules_min_participants: how many must have attended before a session can be closed
 * (params.min_participants; 0 = no minimum). Read from the session's own version. */
int rules_min_participants(const struct rules *r);

/* rules_cosign_days: how many days co-signers have to confirm a proposal when no deadline
 * is given (params.cosign_days; 7). */
int rules_cosign_days(const struct rules *r);

/* rules_duty_points: the points of duty kind ("attended", "remark", "adopted") under r
 * (params.duty_points; 5, 2, 5); -1 for a kind the rules do not know. */
int rules_duty_points(const struct rules *r, const char *kind);

/* rules_max_proposal_chars: the longest proposal text that can be submitted, in
 * characters (params.max_proposal_chars; 0 = no limit). */
int rules_max_proposal_chars(const struct rules *r);

/* rules_add records a new version for org (admins). params must be a JSON object of known
 * parameters (rules_check_params in rules.h). */
int rules_add(struct db *db, const struct actor *who, const struct org *org, const char *version,
	      const char *title, const char *body, const json_t *params, int64_t effective_from,
	      struct verr *e) WARN_UNUSED;

#endif
