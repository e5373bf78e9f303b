/*
 * sessions.h - what the web files of deep-talk sessions share (internal to src/web):
 * sessions.c (the session itself: API, list, form, page), invitations.c (invitations,
 * answers, attendance), record.c (remarks, points, suggestions and the one table of record
 * operations the API and the page forms both run), commitments.c, duty.c (duty records and
 * points), session_ics.c (the calendar file) and search.c.
 *
 * Who may do what is decided in the model (session_authorize); these files only parse,
 * ask it, act in one transaction and answer.
 */
#ifndef SHENLIAO_WEB_SESSIONS_H
#define SHENLIAO_WEB_SESSIONS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "model/session.h"
#include "web.h"

#define MAX_LINKED 32
#define MAX_REFS   64

/* --- JSON of a session and its record, the one place (json_session.c) ---
 * Each returns a new reference. full: with the linked bodies and the participant counts
 * (a session read by session_read; list rows have neither). A person of the record is
 * named to the caller c only when person_nameable says so: otherwise an invitee's name is
 * null, and a speaker or proposer is shown by category and sector (person_shown_json). */
json_t *session_to_json(const struct session *s, bool full);
json_t *invitation_to_json(const struct web_ctx *c, const struct invitation *x);
json_t *remark_to_json(const struct web_ctx *c, const struct remark *x);
json_t *commitment_to_json(const struct commitment *x);
json_t *suggestion_to_json(const struct web_ctx *c, const struct suggestion *x);
json_t *my_invitation_to_json(const struct my_invitation *x);
/* session_points_to_json: [{id, body, org_id, org_name}] of n agreed points or differences
 * (org_*: the body that recorded it); session_point_to_json one of them. Every item of the
 * record carries the body that added it, so a joint session shows which body added what. */
json_t *session_points_to_json(const struct session_point *p, size_t n);
json_t *session_point_to_json(const struct session_point *p);

/* people_options_json: [{id, name, category, affiliation}] of the people a may invite to a
 * session of org_id (people_options_read); empty when they cannot be read. */
json_t *people_options_json(struct db *db, const struct actor *a, int64_t org_id);

/* session_get_json reads session id (session_read) and gives session_to_json(full) of it,
 * or NULL when there is none or it cannot be read. */
json_t *session_get_json(struct db *db, int64_t id);

/* session_record_to_json adds r to o as caller c may see it: invitations, remarks (when
 * with_remarks), commitments, agreed, differences, suggestions. */
void session_record_to_json(const struct web_ctx *c, json_t *o, const struct session_record *r,
			    bool with_remarks);

/* person_shown_json is how caller c sees a person of the record (new reference): the name
 * when person_nameable allows it (or when there is no person: category ""), else the
 * category's label with the sector, e.g. "政协委员（经济界）" / "CPPCC member (经济界)". */
json_t *person_shown_json(const struct web_ctx *c, const char *name, const char *category,
			  const char *sector, const char *person_path, bool public_name);

/* --- the session (sessions.c) --- */

/* sess_insider: the caller is of the session's body or above it (sees invitees' names
 * and the topic). */
bool sess_insider(const struct web_ctx *c, const char *org_path);

/* sess_json returns the session as the caller may see it (new reference, NULL if absent). */
json_t *sess_json(struct web_ctx *c, int64_t id, bool detail);

/* sess_answer answers status with the session in detail. */
int sess_answer(struct web_ctx *c, int status, int64_t id);

/* sess_page renders the session page (status, with error shown when not NULL). */
int sess_page(struct web_ctx *c, int status, const struct session_head *h, const char *error);

/* sess_page_again renders the session page after the form of record operation op (its
 * path segment) was refused with e: that form shows again what was sent, with e's message
 * (error) beside its field. */
int sess_page_again(struct web_ctx *c, int status, const struct session_head *h, const char *op,
		    const struct verr *e, const char *error);

/* Labels for pages: a time for people ("2024-07-10 14:30", "" for 0), the labels of a
 * set of formats as o["format_labels"], and o[out] = the catalog entry prefix + o[field]. */
void sess_when(int64_t t, char *out, size_t n);
void sess_label_formats(struct web_ctx *c, json_t *o, int formats);
void sess_label(struct web_ctx *c, json_t *o, const char *field, const char *prefix,
		const char *out);

/* --- the record operations (record.c) --- */

/* sess_int_field / sess_str_field read an optional field (0 / NULL when absent); e names
 * the field when it has the wrong type. */
int sess_int_field(struct web_ctx *c, const char *name, int64_t *v, struct verr *e);
int sess_str_field(struct web_ctx *c, const char *name, const char **v, struct verr *e);

/* A record operation in the handler shape: parse (the request into struct op_input, no
 * database), then run_op authorizes (session_authorize, AUTHZ_WRITE; for the record, the
 * closed rule), then act validates what is left and calls the model inside the one write
 * transaction run_op opened; the answer is made after it commits. */
struct op_input {
	int64_t person_id, owner_id;
	const char *role, *body, *owner, *due_date, *kind, *title, *to;
	bool attended;
	int64_t proposers[MAX_REFS];
	size_t nproposers;
	struct source_ref sources[MAX_REFS];
	size_t nsources;
};

typedef int (*op_parse_fn)(struct web_ctx *c, struct op_input *in, struct verr *e);
typedef int (*op_act_fn)(struct web_ctx *c, const struct session_head *h, const struct op_input *in,
			 int64_t *id, struct verr *e);

struct record_op {
	const char *name; /* the page form's path segment */
	const char *list; /* where the new object appears in the session JSON (NULL: none) */
	bool record;	  /* a change of the record (closed: admins only) */
	bool joint;	  /* a joint session's linked bodies may do it too */
	op_parse_fn parse;
	op_act_fn act;
};

int sess_parse_invite(struct web_ctx *c, struct op_input *in, struct verr *e);
int sess_act_invite(struct web_ctx *c, const struct session_head *h, const struct op_input *in,
		    int64_t *id, struct verr *e);
int sess_parse_attend(struct web_ctx *c, struct op_input *in, struct verr *e);
int sess_act_attend(struct web_ctx *c, const struct session_head *h, const struct op_input *in,
		    int64_t *id, struct verr *e);
int sess_parse_commitment(struct web_ctx *c, struct op_input *in, struct verr *e);
int sess_act_commitment(struct web_ctx *c, const struct session_head *h, const struct op_input *in,
			int64_t *id, struct verr *e);
int sess_parse_transition(struct web_ctx *c, struct op_input *in, struct verr *e);
int sess_act_transition(struct web_ctx *c, const struct session_head *h, const struct op_input *in,
			int64_t *id, struct verr *e);

/* sess_record_item_json returns the JSON of object id in list ("invitations", "remarks",
 * "commitments", "agreed", "differences") of record r as caller c sees it in the session's
 * JSON (new reference, NULL if absent). */
json_t *sess_record_item_json(const struct web_ctx *c, const struct session_record *r,
			      const char *list, int64_t id);

/* sess_api_op answers an API call of the operation called name: 201 with the new object
 * (200 for attendance and transitions, which change what exists). */
int sess_api_op(struct web_ctx *c, const char *name);

#endif
