/*
 * correction.h - corrections and deletes of a session's record: remarks, agreed points and
 * differences, suggestions, commitments, invitations, and the statements of its opinion room.
 *
 * Who may: the organizers (and admins) of the session's body, as for recording the item
 * (record_item_authorize: session_authorize of the item's session). The record of a closed
 * (or archived) session may still be corrected, by them, but only with a reason: a change
 * without one is refused with ERR_INVALID (code "reason_required", field "reason"). A
 * reason is at most 500 characters; on an open session it is optional.
 *
 * Every change writes one audit row in the caller's transaction: before and after the
 * change (after holds "reason" when one was given); a delete's after is NULL without a
 * reason and {"reason": ...} with one. A deleted item disappears from every reader: the
 * session's record, its exports, the search index, the sources of suggestions that cited
 * it (their suggestion_source rows go), the duty credit it gave. A suggestion an output
 * was made from is not deleted: ERR_CONFLICT (code "in_use", field "output_id", the
 * output named in the message). Change structs borrow their members; NULL (or the stated
 * sentinel) leaves a field as it is. Every function takes the connection to use and is
 * safe on any thread with its own one.
 */
#ifndef SHENLIAO_MODEL_CORRECTION_H
#define SHENLIAO_MODEL_CORRECTION_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct db;
#include "model/model.h"
#include "model/session.h"

/* What kind of record item: the path segment of its API route's resource. */
enum record_kind {
	RECORD_REMARK,
	RECORD_POINT,
	RECORD_SUGGESTION,
	RECORD_COMMITMENT,
	RECORD_INVITATION
};

/* record_item_authorize finds the session item id of kind belongs to and answers
 * session_authorize(op) of it (h filled when the item exists). ERR_NOT_FOUND for an
 * unknown item; otherwise what session_authorize returns — except that of a joint session
 * a linked body's editor (session_joint_editor) may WRITE the items its own body added
 * (their by_org_id within the editor's scope), and no others (ERR_FORBIDDEN). */
int record_item_authorize(struct db *db, const struct actor *a, enum record_kind kind, int64_t id,
			  enum authz_op op, struct session_head *h) WARN_UNUSED;

/* correction_reason_check: reason (NULL: none) as the session h asks for it: required and
 * non-blank when h is closed or archived (ERR_INVALID, code "reason_required"), at most 500
 * characters whenever given. */
int correction_reason_check(const struct session_head *h, const char *reason,
			    struct verr *e) WARN_UNUSED;

struct remark_change {
	int64_t person_id; /* 0: unchanged */
	const char *role, *body, *reason;
};

int remark_update(struct db *db, const struct actor *who, int64_t id,
		  const struct remark_change *in, struct verr *e) WARN_UNUSED;
int remark_delete(struct db *db, const struct actor *who, int64_t id, const char *reason,
		  struct verr *e) WARN_UNUSED;

struct point_change {
	const char *kind, *body, *reason; /* kind: agreed | difference */
};

int point_update(struct db *db, const struct actor *who, int64_t id, const struct point_change *in,
		 struct verr *e) WARN_UNUSED;
int point_delete(struct db *db, const struct actor *who, int64_t id, const char *reason,
		 struct verr *e) WARN_UNUSED;

struct suggestion_change {
	const char *title, *body, *reason;
	const int64_t *proposers; /* with set_proposers: the new list (replaces the old) */
	size_t nproposers;
	bool set_proposers;
	const struct source_ref *sources; /* with set_sources: the new list */
	size_t nsources;
	bool set_sources;
};

int suggestion_update(struct db *db, const struct actor *who, int64_t id,
		      const struct suggestion_change *in, struct verr *e) WARN_UNUSED;
/* suggestion_delete: ERR_CONFLICT "in_use" while an output was made from it. */
int suggestion_delete(struct db *db, const struct actor *who, int64_t id, const char *reason,
		      struct verr *e) WARN_UNUSED;

struct commitment_change {
	const char *owner, *body, *due_date, *status, *reason; /* due_date "": none */
	int64_t owner_id;				       /* -1: unchanged; 0: none */
};

/* commitment_update: a change of the status alone is the follow-up, which goes on after
 * the session closed without a reason; any other field is a correction of the record. */
int commitment_update(struct db *db, const struct actor *who, int64_t id,
		      const struct commitment_change *in, struct verr *e) WARN_UNUSED;
int commitment_delete(struct db *db, const struct actor *who, int64_t id, const char *reason,
		      struct verr *e) WARN_UNUSED;

struct invitation_change {
	const char *role, *reason;
	int attended; /* -1: unchanged; 0 or 1 */
};

/* invitation_update changes the role and attendance (the duty credit follows); the
 * invitee's own answer is theirs (invitation_answer). */
int invitation_update(struct db *db, const struct actor *who, int64_t id,
		      const struct invitation_change *in, struct verr *e) WARN_UNUSED;
int invitation_delete(struct db *db, const struct actor *who, int64_t id, const char *reason,
		      struct verr *e) WARN_UNUSED;

/* statement_edit changes the text of statement id (1..280 characters, not equal to
 * another statement of the session: ERR_CONFLICT); the caller authorized it through
 * statement_authorize(ROOM_MANAGE) and marks the session's map for recomputation
 * (live_touch) after the commit. statement_delete removes it with its votes and tallies
 * (the stored snapshot is marked as made from the votes left, so that the one recomputed
 * after the commit, live_touch, replaces it). */
int statement_edit(struct db *db, const struct actor *who, int64_t id, const char *text,
		   const char *reason, struct verr *e) WARN_UNUSED;
int statement_delete(struct db *db, const struct actor *who, int64_t id, const char *reason,
		     struct verr *e) WARN_UNUSED;

/* --- shared with record.c --- */

/* record_person_check: person_id may be named by who in the record (see session.h);
 * ERR_INVALID naming field otherwise. record_source_check: src is a remark or statement of
 * session_id. record_suggestion_json: what the audit log records of suggestion id (new
 * reference, NULL if absent). */
int record_person_check(struct db *db, const struct actor *who, int64_t person_id,
			const char *field, struct verr *e) WARN_UNUSED;
int record_source_check(struct db *db, int64_t session_id, const struct source_ref *src,
			struct verr *e) WARN_UNUSED;
json_t *record_suggestion_json(struct db *db, int64_t id);

#endif
