/*
 * privacy.h - a person's rights over their data (PIPL 个人信息保护法): to get a copy of
 * everything the platform holds about them (person_export_read), and to have it erased
 * (person_erase).
 *
 * The export gathers, as C structs (web/json_privacy.c makes the one JSON document): the
 * registry fields, the linked account with its sign-ins and tokens (never a hash), the
 * invitations and attendance, the remarks, the suggestions the person proposed or that
 * cite their remarks or statements, the outputs they are an author or cosigner of, the
 * topics they proposed, the commitments they own, their participations in opinion rooms
 * with every vote (the statement's text beside it) and the statements they wrote, their
 * duty record, and the audit rows about them or done by their account (without the rows'
 * before/after).
 *
 * Erasure keeps every row (ids, category, body, times: the counts of the statistics, the
 * lineage from session to policy and the duty points stay what they were) and removes what
 * identifies the person or what they said: the registry's personal fields are cleared and
 * the name becomes "已删除的参与者 #<id>" (PERSON_ERASED_NAME), public_name off; their
 * remarks lose their text and role (erased set, out of the search index); their statements
 * lose their text (erased set, also in the stored opinion snapshot); the topics they
 * proposed and the commitments they own lose the name written beside the link; the linked
 * account is disabled, renamed ("#erased-<id>": no sign-in name can take that form), its
 * password made unusable, its sign-ins ended and its tokens revoked. The audit row
 * "person.erase" records only ids and counts: the audit log is append-only, and a copy of
 * the name there would undo the erasure.
 *
 * Like the rest of the model: every function takes the connection to use, opens no
 * transaction and writes its audit row in the caller's; thread-safe with one connection
 * per thread.
 */
#ifndef SHENLIAO_MODEL_PRIVACY_H
#define SHENLIAO_MODEL_PRIVACY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/model.h"
#include "model/person.h"

/* The name an erased person is given, in the registry: PERSON_ERASED_NAME " #<id>". */
#define PERSON_ERASED_NAME "已删除的参与者"

/* person_erased_name_id returns the id in name when name is an erased person's name
 * ("已删除的参与者 #12" -> 12), else 0 (so pages can show it in the reader's language). */
int64_t person_erased_name_id(const char *name);

/* person_erased reports whether person id has been erased (false also when there is no
 * such person, or on a database error). */
bool person_erased(struct db *db, int64_t id);

/* --- who may --- */

/* person_export_authorize: may a export everything about person id — the admins of the
 * person's body or of a body above it (actor_can_manage_org), the person themself (the
 * account linked to the person), the command line. Loads the person into *p and its body
 * into *o (either may be NULL). Returns what authz_decide returns (visible as for
 * person_authorize: an organizer of the body, or a member, gets ERR_FORBIDDEN; another
 * branch ERR_NOT_FOUND), or ERR_NOT_FOUND for no such person. */
int person_export_authorize(struct db *db, const struct actor *a, int64_t id, struct person *p,
			    struct org *o) WARN_UNUSED;

/* person_erase_authorize: may a erase person id — the admins of the person's body or of a
 * body above it, the command line; answers as person_export_authorize does (the person
 * themself is not allowed: ERR_FORBIDDEN). */
int person_erase_authorize(struct db *db, const struct actor *a, int64_t id, struct person *p,
			   struct org *o) WARN_UNUSED;

/* --- the export --- */

struct pexport_signin { /* a browser sign-in of the account (auth_session) */
	int64_t created_at, expires_at;
};

struct pexport_token { /* an API token of the account (the token itself is never stored) */
	int64_t id, created_at;
	bool revoked;
};

struct pexport_invitation {
	int64_t id, session_id, created_at, responded_at; /* responded_at 0: not answered */
	char *session_title;
	char role[16], rsvp[16];
	bool attended;
};

struct pexport_remark {
	int64_t id, session_id, position, created_at, updated_at;
	char *session_title, *role, *body;
	bool erased;
};

struct pexport_suggestion {
	int64_t id, session_id, created_at;
	char *title, *body;
	bool proposer;	 /* the person is one of its proposers */
	bool from_their; /* it cites one of their remarks or statements */
};

struct pexport_output {
	int64_t id, org_id, dated_at, confirmed_at; /* confirmed_at 0: not confirmed */
	char *title;
	char kind[24], state[24], role[16]; /* role: lead | cosigner */
};

struct pexport_topic { /* a topic the person proposed */
	int64_t id, created_at;
	char *title;
	char status[16];
};

struct pexport_commitment { /* a commitment the person owns */
	int64_t id, session_id, created_at;
	char *owner, *body;
	char due_date[16], status[16];
};

struct pexport_participation { /* the account's identity in a session's opinion room */
	int64_t id, session_id, created_at;
	char category[16];
};

struct pexport_vote {
	int64_t statement_id, session_id, at;
	int value; /* 1 agree, -1 disagree, 0 pass */
	char *statement_text;
};

struct pexport_statement {
	int64_t id, session_id, created_at;
	char *text;
	char status[12];
	bool erased;
};

struct pexport_duty {
	int64_t id, points, session_id, ref_id, at, year; /* session_id 0: none */
	char kind[16];
};

struct pexport_notification {		 /* a notification to the person or their account */
	int64_t id, created_at, read_at; /* read_at 0: unread */
	char kind[32];
	char *subject, *link;
	char *mailed_to;      /* the address its e-mail went (or goes) to; "" for none */
	int64_t mail_sent_at; /* 0: not sent (yet) */
};

struct pexport_audit { /* an audit row about the person or their account, or by the account */
	int64_t id, at, entity_id;
	char action[64], entity[32], address[64];
};

#define PEXPORT_AUDIT_MAX 5000 /* most audit rows in one export (the newest) */

struct person_export {
	struct person person;
	char org_name[512];
	int64_t erased_at; /* 0: not erased */
	bool has_account;
	struct user account;
	struct pexport_signin *signins;
	size_t nsignins;
	struct pexport_token *tokens;
	size_t ntokens;
	struct pexport_invitation *invitations;
	size_t ninvitations;
	struct pexport_remark *remarks;
	size_t nremarks;
	struct pexport_suggestion *suggestions;
	size_t nsuggestions;
	struct pexport_output *outputs;
	size_t noutputs;
	struct pexport_topic *topics;
	size_t ntopics;
	struct pexport_commitment *commitments;
	size_t ncommitments;
	struct pexport_participation *participations;
	size_t nparticipations;
	struct pexport_vote *votes;
	size_t nvotes;
	struct pexport_statement *statements;
	size_t nstatements;
	struct pexport_duty *duty;
	size_t nduty;
	struct pexport_notification *notifications;
	size_t nnotifications;
	struct pexport_audit *audit;
	size_t naudit;
	bool audit_truncated; /* more than PEXPORT_AUDIT_MAX rows: the newest are listed */
};

/* person_export_init zeroes x; person_export_release frees what a read left in it (also
 * after a failed read) and zeroes it. */
void person_export_init(struct person_export *x);
void person_export_release(struct person_export *x);

/* person_export_read loads everything about person id into x and audits "person.export"
 * (who exported whom, with the counts) in the caller's write transaction. Authorization is
 * the caller's (person_export_authorize). ERR_NOT_FOUND when there is no such person. */
int person_export_read(struct db *db, const struct actor *who, int64_t id,
		       struct person_export *x) WARN_UNUSED;

/* --- erasure --- */

/* What an erasure changed, for the answer and the audit row. */
struct person_erasure {
	int64_t person_id, org_id, user_id; /* user_id 0: no linked account */
	size_t remarks, statements, topics, commitments, signins, tokens, sessions;
};

/* person_erase erases person id (see the top of this file) and audits "person.erase" with
 * ids and counts only. Authorization is the caller's (person_erase_authorize).
 * ERR_NOT_FOUND when there is no such person or it is erased already (erasing twice finds
 * nothing left to erase). ERR_CONFLICT with e (code "lead_author_active", field "id") when
 * the person is the lead author of an output whose workflow has not ended (a state with
 * moves left: output_state_final); nothing is changed then. *out (may be NULL) gets the
 * counts. */
int person_erase(struct db *db, const struct actor *who, int64_t id, struct person_erasure *out,
		 struct verr *e) WARN_UNUSED;

/* output_state_final reports whether state is an end of the workflow of kind: no move of
 * output_steps leaves it. */
bool output_state_final(const char *kind, const char *state);

/* users_end_sign_ins ends every browser sign-in of account user_id and revokes its API
 * tokens; *signins and *tokens (may be NULL) get how many. No audit row (the caller's
 * action has one). */
int users_end_sign_ins(struct db *db, int64_t user_id, size_t *signins, size_t *tokens) WARN_UNUSED;

#endif
