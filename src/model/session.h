/*
 * session.h - topics (议题), work rules, deep-talk sessions (深聊会) and their record:
 * invitations and attendance, remarks, commitments, agreed points and differences,
 * suggestions (对策建议); the duty records they credit; and the search index they feed.
 *
 * Sessions, their record and duty records are read into C structs (session_read,
 * session_record_read, suggestion_read, session_list_read, duty_record_read), which their
 * caller releases; src/web makes the JSON (web/json_session.c, web/duty.c). Writes take borrowed
 * input structs whose NULL fields mean "leave as it is", validate everything before writing, write
 * their audit rows in the caller's transaction, and report people's errors in struct verr. Who may
 * do what to a session is session_authorize's answer, for every caller. Every function takes the
 * connection to use and is safe on any thread with its own one.
 */
#ifndef SHENLIAO_MODEL_SESSION_H
#define SHENLIAO_MODEL_SESSION_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct db; /* the connection (db/db.h): only the model opens it up */
#include "model/model.h"
#include "model/topic.h" /* topics, domains and work rules */

/* --- visibility ---------------------------------------------------------------------- */

/* scope_path is the path prefix that selects what an actor may see of internal data:
 * their org's path, or "-" (matches nothing) for anonymous visitors. */
const char *scope_path(const struct actor *a);

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

/* session_authorize is the one answer to "may actor a do op to session id", for the API,
 * the pages and every other resource that hangs off a session (rooms, outputs...).
 * READ: the session is visible (session_visible); WRITE: the caller may change it
 * (session_editable). Fills *out (may be NULL) whenever the session exists, so a caller
 * can still name it. Returns what authz_decide returns: ERR_OK; ERR_AUTH (anonymous, not
 * allowed: sign in); ERR_NOT_FOUND (no such session, or not visible to a signed-in
 * caller); ERR_FORBIDDEN (visible, not allowed); or a database error. */
int session_authorize(struct db *db, const struct actor *a, int64_t id, enum authz_op op,
		      struct session_head *out) WARN_UNUSED;

/* --- joint sessions (联合聊) ---
 *
 * A session with linked bodies (session_org) is written to by them too: organizers and
 * admins of a linked body (or of a body above one, whose scope holds it) may invite their
 * own people (those they may read: person_authorize's rule, never the host's), record
 * attendance, remarks, agreed points, differences and suggestions. They may not change the
 * session itself (its fields, state, links, room): that stays session_authorize's WRITE,
 * the host's editors. What they add is marked with their body (by_org_id, migration 0015),
 * and they may correct only what their body added (record_item_authorize). */

/* session_joint_editor: is a an organizer or admin of a body linked to session h (its
 * scope holds a linked body) — not a handling unit's account, not the command line. */
bool session_joint_editor(struct db *db, const struct actor *a, const struct session_head *h);

/* session_authorize_record: may a add to the record of session id? The session's editors
 * (session_authorize WRITE) and, of a joint session, its linked bodies' editors
 * (session_joint_editor), for whom *joint (may be NULL) becomes true. Fills *out (may be
 * NULL) whenever the session exists. Returns what session_authorize returns. Whether the
 * record is still open (closed sessions) is session_record_check's. */
int session_authorize_record(struct db *db, const struct actor *a, int64_t id,
			     struct session_head *out, bool *joint) WARN_UNUSED;

/* session_authorize_change is session_authorize(WRITE) for a change of the session itself
 * (its fields, state, linked bodies), which also says why a linked body's editor is
 * refused: ERR_FORBIDDEN with e filled (code "joint_host_only"). */
int session_authorize_change(struct db *db, const struct actor *a, int64_t id,
			     struct session_head *out, struct verr *e) WARN_UNUSED;

/* session_record_open: the record (remarks, suggestions...) may be changed by a — any
 * state before closed for editors, closed/archived only for admins. */
bool session_record_open(const struct actor *a, const struct session_head *h);

/* session_record_state_open: the record of h is open to a caller already authorized to
 * write it (session_authorize_record): before closed, or an admin. */
bool session_record_state_open(const struct actor *a, const struct session_head *h);

/* session_record_check is session_record_state_open as an answer, for a caller already
 * authorized to write the record: ERR_OK, or ERR_CONFLICT with e filled (code "closed",
 * field "status") when the record is read-only to a. */
int session_record_check(const struct actor *a, const struct session_head *h,
			 struct verr *e) WARN_UNUSED;

/* --- a session as a C struct (what src/web turns into JSON, in web/json_session.c) ---
 *
 * Ownership: session_init before use, session_release after; the text members are owned
 * by the struct (never NULL after a successful read: "" when empty). Reading into a struct
 * that holds data releases it first. */

struct session_org {
	int64_t id;
	char name[512];
};

struct session_count {
	char category[16];
	int64_t count;
};

struct session {
	int64_t id, org_id, topic_id;
	int64_t starts_at, ends_at;		   /* UTC seconds; 0: not set */
	int64_t created_at, updated_at, closed_at; /* closed_at 0: not closed */
	int formats;				   /* FORMAT_* bits */
	char status[16], visibility[16], domain[64];
	char org_name[512], org_path[128];
	char *topic_title, *title, *summary, *venue, *organizer_unit, *department;
	char *rules_version;
	struct session_org *linked; /* the linked bodies of a joint talk, by id */
	size_t nlinked;
	struct session_count *by_category; /* invitees not declined, per category, most first */
	size_t ncategories;
};

void session_init(struct session *s);
void session_release(struct session *s);

/* session_read loads session id into s (see above). ERR_NOT_FOUND if none. */
int session_read(struct db *db, int64_t id, struct session *s) WARN_UNUSED;

/* session_ics_sequence gives how many times session id's time, place, title or state has
 * changed (migration 0007 counts them): the SEQUENCE of its calendar event. ERR_NOT_FOUND
 * if none. */
int session_ics_sequence(struct db *db, int64_t id, int64_t *seq) WARN_UNUSED;

/* The record of a session as structs; text members owned, "" when empty. A person named
 * in it comes with what decides whether a reader may see the name (person_nameable):
 * public_name and the path of the person's body; and what shows them otherwise: the
 * category code and the sector (界别). */
struct invitation {
	int64_t id, person_id;
	char *name, *affiliation, *sector; /* the person's */
	char category[16], role[16], rsvp[16];
	char person_path[128];
	bool public_name, attended;
	int64_t by_org_id; /* the body that invited them (joint sessions: maybe a linked one) */
	char by_org_name[512];
};

struct remark {
	int64_t id, person_id, position, created_at; /* person_id 0: none */
	char *speaker, *role, *body, *sector;	     /* the speaker's name and sector */
	char category[16];			     /* the speaker's ("" when none) */
	char person_path[128];
	bool public_name;
	bool erased;	   /* the speaker was erased (model/privacy.h): body and role are "" */
	int64_t by_org_id; /* the body that recorded it */
	char by_org_name[512];
};

/* person_nameable: may reader a see the name of a person of the body at person_path who
 * agreed (public_name) or not to be named? Those who may read the person
 * (person_authorize: their body or one above it) always; everyone else, anonymous readers
 * included, only when the person agreed. */
bool person_nameable(const struct actor *a, const char *person_path, bool public_name);

struct commitment {
	int64_t id, owner_id, created_at; /* owner_id 0: none */
	char *owner, *body;
	char due_date[16], status[16]; /* due_date "" when none */
};

struct session_point {
	int64_t id;
	char *body;
	int64_t by_org_id; /* the body that recorded it */
	char by_org_name[512];
};

struct suggestion_proposer {
	int64_t id;
	char *name, *sector;
	char category[16];
	char person_path[128];
	bool public_name;
};

struct suggestion_source {
	char kind[16];
	int64_t id;
	char *excerpt;
};

struct suggestion {
	int64_t id, session_id, org_id, position, created_at;
	int64_t by_org_id; /* the body that recorded it (org_id: the session's) */
	char by_org_name[512];
	char *title, *body;
	struct suggestion_proposer *proposers;
	size_t nproposers;
	struct suggestion_source *sources;
	size_t nsources;
};

void suggestion_init(struct suggestion *s);
void suggestion_release(struct suggestion *s);

/* suggestion_read loads suggestion id with its proposers and sources. ERR_NOT_FOUND. */
int suggestion_read(struct db *db, int64_t id, struct suggestion *s) WARN_UNUSED;

struct session_record {
	struct invitation *invitations;
	size_t ninvitations;
	struct remark *remarks;
	size_t nremarks;
	struct commitment *commitments;
	size_t ncommitments;
	struct session_point *agreed, *differences;
	size_t nagreed, ndifferences;
	struct suggestion *suggestions;
	size_t nsuggestions;
};

void session_record_init(struct session_record *r);
void session_record_release(struct session_record *r);

/* session_record_read loads the record of session id into r (empty lists when none);
 * with_remarks false leaves the remarks out (for outsiders). */
int session_record_read(struct db *db, int64_t id, bool with_remarks,
			struct session_record *r) WARN_UNUSED;

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

/* A place in the newest-first order of the session list (by start, newest first, undated
 * sessions last, by id newest first within the same start): the sort key and id of a row.
 * starts_at 0: an undated session. */
struct session_key {
	int64_t starts_at, id;
};

struct session_filter {
	int year;
	const char *domain, *status;
	bool public_only;
	/* by_start: newest first (undated last) instead of by id after the cursor; with
	 * has_key, only the rows after key in that order (or before it, with before: the
	 * page ending just before key, still newest first). Keyset paging: every page costs
	 * what the first costs, whatever its number. */
	bool by_start, has_key, before;
	struct session_key key;
};

/* session_list_read lists the sessions a may see that pass f, after id `after` (or in the
 * newest-first order from f's key, by_start), into an array of structs: *out (caller
 * releases with session_list_release) gets up to limit sessions, *n how many. */
int session_list_read(struct db *db, const struct actor *a, const struct session_filter *f,
		      int64_t after, int limit, struct session **out, size_t *n) WARN_UNUSED;

/* session_list_seek gives in *key the key of the row at position `offset` (0 first) of the
 * newest-first list a sees through f (its by_start and key fields are not read), for an
 * old "?page=N" address: the one place the list is read with OFFSET, once, before a
 * redirect to the keyset address. ERR_NOT_FOUND past the end. */
int session_list_seek(struct db *db, const struct actor *a, const struct session_filter *f,
		      int offset, struct session_key *key) WARN_UNUSED;

/* session_public_count gives in *n how many sessions the public list holds that pass f's
 * year, domain and status (not its key): a sum over the counts migration 0021 keeps,
 * never a count of the sessions. */
int session_public_count(struct db *db, const struct session_filter *f, int64_t *n) WARN_UNUSED;

/* session_key_format writes key as "starts_at_id" ("n_id" undated) into out (at least 48
 * bytes); session_key_parse reads that text back, ERR_INVALID when it is not one. */
void session_key_format(const struct session_key *key, char *out, size_t n);
int session_key_parse(const char *text, struct session_key *key) WARN_UNUSED;
void session_list_release(struct session *list, size_t n);

/* --- the record (record.c) -----------------------------------------------------------
 *
 * The caller has authorized who to change the session (session_authorize, AUTHZ_WRITE).
 * The record of a closed or archived session is read-only except for admins: remark_add,
 * invitation_attend, commitment_add, point_add and suggestion_add answer ERR_CONFLICT
 * (code "closed", field "status") otherwise; invitation_add refuses any closed session.
 * People named (speakers, invitees, proposers, owners) must be people the caller may read
 * (person_authorize's rule: of the caller's body or below it); anyone else, a linked body's
 * people included, is refused as if they did not exist (ERR_INVALID naming the field and
 * the id). */

int invitation_add(struct db *db, const struct actor *who, int64_t session_id, int64_t person_id,
		   const char *role, int64_t *id, struct verr *e) WARN_UNUSED;

/* invitation_answer: the invitee (the person linked to who's account) accepts or declines. */
int invitation_answer(struct db *db, const struct actor *who, int64_t invitation_id,
		      const char *answer, struct verr *e) WARN_UNUSED;

/* invitation_attend marks attendance (and credits the duty record). */
int invitation_attend(struct db *db, const struct actor *who, int64_t session_id, int64_t person_id,
		      bool attended, struct verr *e) WARN_UNUSED;

/* An invitation as its invitee sees it in their list: the session's title, time, venue
 * and status beside the invitation's role and answer. Texts owned, "" when empty. */
struct my_invitation {
	int64_t id, session_id, starts_at; /* starts_at 0: not set */
	char *title, *venue;
	char status[16], role[16], rsvp[16];
	bool attended;
};

/* my_invitations_read gives the invitations of the person linked to account user_id (the
 * latest sessions first, at most 200) in *out (caller releases with my_invitations_release),
 * *n how many. */
int my_invitations_read(struct db *db, int64_t user_id, struct my_invitation **out,
			size_t *n) WARN_UNUSED;
void my_invitations_release(struct my_invitation *list, size_t n);

/* invitee_linked reports whether account user_id is linked to a person (who can be
 * invited and answer). */
bool invitee_linked(struct db *db, int64_t user_id);

/* A person who may be invited (people_options_read): texts owned, "" when empty. */
struct person_option {
	int64_t id;
	char *name, *affiliation;
	char category[16];
};

/* people_options_read is people_options as structs (at most 2000, by category and name):
 * *out (caller releases with people_options_release) and *n how many. */
int people_options_read(struct db *db, const struct actor *a, int64_t org_id,
			struct person_option **out, size_t *n) WARN_UNUSED;
void people_options_release(struct person_option *list, size_t n);

int remark_add(struct db *db, const struct actor *who, int64_t session_id, int64_t person_id,
	       const char *role, const char *body, int64_t *id, struct verr *e) WARN_UNUSED;

int commitment_add(struct db *db, const struct actor *who, int64_t session_id, const char *owner,
		   int64_t owner_id, const char *body, const char *due_date, int64_t *id,
		   struct verr *e) WARN_UNUSED;

/* commitment_session gives the session commitment id was made at (for authorizing a
 * follow-up through session_authorize). ERR_NOT_FOUND if none. */
int commitment_session(struct db *db, int64_t id, int64_t *session_id) WARN_UNUSED;

/* commitment_set_status follows a commitment up (open, in_progress, done, dropped). */
int commitment_set_status(struct db *db, const struct actor *who, int64_t id, const char *status,
			  struct verr *e) WARN_UNUSED;

/* A commitment with the session it was made at, for the organizers' list across
 * sessions (commitlist.c). */
struct commitment_item {
	struct commitment c;
	int64_t session_id, session_starts_at;
	char *session_title;
	bool overdue; /* due_date passed and still open or in progress */
};

struct commitment_list {
	struct commitment_item *items;
	size_t n;
};

/* commitment_list reads into l (initialized by it; release it with
 * commitment_list_release in every case) up to limit commitments with id > after made at
 * the sessions of a's body and the bodies below it, in id order; only_overdue keeps those
 * whose due_date (in the body's time zone) passed and whose status is open or in_progress.
 * For organizers, admins and leaders (actor_reads_as_staff); others get what
 * authz_decide answers for a list they may not read (ERR_AUTH anonymous, else
 * ERR_FORBIDDEN), handling units' accounts included. */
int commitment_list(struct db *db, const struct actor *a, bool only_overdue, int64_t after,
		    int limit, struct commitment_list *l) WARN_UNUSED;
void commitment_list_release(struct commitment_list *l);

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

/* --- duty records (duty.c) ----------------------------------------------------------- */

/* duty_points_of returns the points org gives for kind ("attended", "remark", "adopted"),
 * its own setting or the default (5, 2, 5). */
int duty_points_of(struct db *db, int64_t org_id, const char *kind);

/* duty_set_points changes org's points for kind (admins). */
int duty_set_points(struct db *db, const struct actor *who, int64_t org_id, const char *kind,
		    int points, struct verr *e) WARN_UNUSED;

/* duty_credit records that person earned kind for ref (once: a second credit for the same
 * person, kind and ref changes nothing) at a session or output of org_id; duty_revoke takes
 * it back. A linked body's member at a joint session (the person's body is a linked body
 * of session_id or below one) is credited in their own body's record, with their own
 * body's points; otherwise the people of org_id and the bodies below it in org_id's, and
 * anyone else in their own body's. */
int duty_credit(struct db *db, int64_t org_id, int64_t person_id, const char *kind,
		int64_t session_id, int64_t ref_id, int64_t at) WARN_UNUSED;
int duty_revoke(struct db *db, int64_t person_id, const char *kind, int64_t ref_id) WARN_UNUSED;

/* duty_record_authorize: may a read person_id's duty record — people of the caller's scope,
 * and the person linked to the caller's own account. Fills *name (may be NULL, cap n) with
 * the person's name when the person exists. Returns what authz_decide returns. */
int duty_record_authorize(struct db *db, const struct actor *a, int64_t person_id, char *name,
			  size_t n) WARN_UNUSED;

/* A person's duty record for a year: each credit with the points it gave, and the total.
 * duty_record_init before use, duty_record_release after (owns the items). */
struct duty_item {
	int64_t id, points, session_id, ref_id, at; /* session_id 0: none (an adoption) */
	char kind[16];				    /* attended, remark, adopted */
	char *session_title;			    /* "" when none */
	int64_t org_id;				    /* the body credited (the person's) */
	bool joint;	     /* at a session another body hosted (a joint session) */
	char host_name[512]; /* the session's body ("" when none) */
};

struct duty_record {
	int year;
	int64_t total;
	struct duty_item *items; /* in time order */
	size_t n;
};

void duty_record_init(struct duty_record *d);
void duty_record_release(struct duty_record *d);

/* duty_record_read loads person's credits in year into d. */
int duty_record_read(struct db *db, int64_t person_id, int year, struct duty_record *d) WARN_UNUSED;

/* --- search (search.c) --------------------------------------------------------------- */

/* search_put (re)indexes one object; search_drop removes it. kind: topic, session, remark,
 * suggestion, output, statement (an accepted one: statement_index), person (never its
 * contact data). */
int search_put(struct db *db, const char *kind, int64_t ref, int64_t session_id, int64_t org_id,
	       const char *title, const char *body) WARN_UNUSED;
int search_drop(struct db *db, const char *kind, int64_t ref) WARN_UNUSED;

/* search_query and its typed hits: model/search.h. */

#endif
