/*
 * escalation.h - escalation (上报上级) of an output to a higher body.
 *
 * The organizers of an output's body send it, once it is past the draft, to their parent
 * body or a body further up, with a note. The organizers of that body answer: accepted or
 * declined, with a note of their own, which the sending body sees on its output. An
 * accepted escalation may become an output of the higher body (escalation_adopt): a draft
 * there made of the same suggestions and sessions, whose lineage leads back through the
 * lower body's output (escalation_origins). Both sides are notified (escalation_received,
 * escalation_answered); every change is audited in the caller's transaction.
 *
 * Reading: escalation_reads is the one rule by which an escalation lets a body read an
 * output (output_role_of asks it); it never grants more of the lower body's record than
 * the hierarchy already does (see escalation.c).
 */
#ifndef SHENLIAO_MODEL_ESCALATION_H
#define SHENLIAO_MODEL_ESCALATION_H

#include <stdbool.h>
#include <stdint.h>

#include "model/model.h"
#include "model/output.h"

#define ESCALATION_NOTE_MAX 2000

/* One escalation; texts owned (never NULL, "" when empty), freed by escalation_release. A
 * time or id of 0 is absent. */
struct escalation {
	int64_t id, output_id, from_org_id, to_org_id;
	int64_t created_by, created_at, answered_by, answered_at, result_output_id;
	char state[16];	       /* pending | accepted | declined */
	char output_kind[24];  /* of the escalated output */
	char output_state[24]; /* of the escalated output */
	char *note, *answer_note, *output_title, *from_org_name, *to_org_name, *answered_by_name;
};

void escalation_init(struct escalation *x);
void escalation_release(struct escalation *x);

struct escalation_list {
	struct escalation *items;
	size_t n;
};

void escalation_list_release(struct escalation_list *l);

/* escalation_get reads escalation id into x (initialized by it; release it in every case).
 * ERR_NOT_FOUND when absent. Authorization is the caller's (escalation_authorize). */
int escalation_get(struct db *db, int64_t id, struct escalation *x) WARN_UNUSED;

/* escalation_may_send: may a escalate output h at all (whatever its state)? Organizers and
 * admins of its body, admins of a body above it (who manage it), the command line. */
bool escalation_may_send(const struct actor *a, const struct output_head *h);

/* escalation_send_check decides whether a may escalate output output_id with note to
 * to_org_id (0: the parent of the output's body), without writing, and gives the target
 * in *to (may be NULL). ERR_NOT_FOUND / ERR_AUTH when a may not read the output
 * (output_authorize); ERR_FORBIDDEN unless escalation_may_send; ERR_INVALID for a note blank or
 * over ESCALATION_NOTE_MAX characters (field note) or a to_org_id that is not a body above the
 * output's (field to_org_id); ERR_CONFLICT for a draft (code not_submitted), a body with no parent
 * (code no_parent) and an output already pending escalation to that body (code pending). */
int escalation_send_check(struct db *db, const struct actor *a, int64_t output_id,
			  int64_t to_org_id, const char *note, int64_t *to,
			  struct verr *e) WARN_UNUSED;

/* escalation_send makes the escalation after escalation_send_check (again, inside the
 * transaction): *id gets it; audited "escalation.create"; the target body's organizers and
 * admins are notified (escalation_received, link "/escalations"). In the write
 * transaction. */
int escalation_send(struct db *db, const struct actor *a, int64_t output_id, int64_t to_org_id,
		    const char *note, int64_t *id, struct verr *e) WARN_UNUSED;

/* What may be done with an escalation (escalation_authorize). */
enum escalation_op {
	ESC_READ = 0,	/* see it: staff readers of the sending body, the target or above */
	ESC_ANSWER = 1, /* answer or adopt it: organizers and admins of the target body */
};

/* escalation_authorize loads escalation id into x (may be NULL; initialized by it when not
 * NULL: release it in every case) and decides (authz_decide) whether a may do op. Visible
 * to the command line and to those who read as staff (actor_reads_as_staff) in the sending
 * body or a body above it, never to handling units' accounts; ESC_ANSWER allowed for
 * organizers and admins whose body is the target, and admins of a body above it. ERR_NOT_FOUND also
 * when absent. */
int escalation_authorize(struct db *db, const struct actor *a, int64_t id, enum escalation_op op,
			 struct escalation *x) WARN_UNUSED;

/* escalation_answer_check decides whether escalation x may be answered with decision
 * ("accepted" or "declined", else ERR_INVALID naming decision) and note (optional, at
 * most ESCALATION_NOTE_MAX characters: ERR_INVALID naming note); ERR_CONFLICT (code
 * answered) when it was answered already. Read-only; authorization is the caller's
 * (escalation_authorize, ESC_ANSWER). */
int escalation_answer_check(const struct escalation *x, const char *decision, const char *note,
			    struct verr *e) WARN_UNUSED;

/* escalation_answer records the answer of a to escalation id after
 * escalation_answer_check (made again here); audited "escalation.answer" with before and
 * after; the sending body's organizers and admins and the output's authors are notified
 * (escalation_answered, link "/outputs/<id>"). In the write transaction. */
int escalation_answer(struct db *db, const struct actor *a, int64_t id, const char *decision,
		      const char *note, struct verr *e) WARN_UNUSED;

/* What the higher body's output is made of (NULL: the escalated output's kind, title and
 * text). */
struct escalation_adopt_in {
	const char *kind, *title, *body;
};

/* escalation_adopt_check decides whether accepted escalation x may become an output of its
 * target body now (read-only): ERR_CONFLICT code not_accepted unless accepted, code
 * adopted when it became one already; then every check of output_create for a in the
 * target body. */
int escalation_adopt_check(struct db *db, const struct actor *a, const struct escalation *x,
			   const struct escalation_adopt_in *in, struct verr *e) WARN_UNUSED;

/* escalation_adopt makes accepted escalation id an output of its target body: a draft
 * (output_create, audited "output.create") of in's kind, title and text, linked to the
 * suggestions and sessions of the escalated output that a may read, its lead author
 * leading; the escalation keeps it (result_output_id, audited "escalation.adopt") and the
 * escalated output gets an adoption of kind escalation (adoption_add). *output_id gets the
 * new output. In the write transaction. */
int escalation_adopt(struct db *db, const struct actor *a, int64_t id,
		     const struct escalation_adopt_in *in, int64_t *output_id,
		     struct verr *e) WARN_UNUSED;

/* escalation_list_authorize: may a list its body's escalations (authz_decide)? Those who
 * read as staff (actor_reads_as_staff), not handling units' accounts, and the command
 * line. */
int escalation_list_authorize(const struct actor *a) WARN_UNUSED;

/* escalation_list reads into l (initialized by it; release it in every case) up to limit
 * escalations with id > after of a's own body, in id order: those sent to it (incoming)
 * or, when outgoing, those it sent. ERR_FORBIDDEN (via authz_decide) unless a reads as
 * staff and is not a handling unit's account; ERR_AUTH when anonymous. */
int escalation_list(struct db *db, const struct actor *a, bool outgoing, int64_t after, int limit,
		    struct escalation_list *l) WARN_UNUSED;

/* escalation_of_output reads into l (initialized by it) the escalations of output_id, in id
 * order, for a reader a who may see them: staff of the output's body or above
 * (output_role_of OROLE_STAFF), its authors, and those who read as staff in its scope;
 * anyone else gets an empty list. Authorization of the output is the caller's. */
int escalation_of_output(struct db *db, const struct actor *a, int64_t output_id,
			 struct escalation_list *l) WARN_UNUSED;

/* escalation_origins reads into l (initialized by it) the escalations that output_id was
 * made from (result_output_id), those whose escalated output a may read
 * (output_authorize) only: the link back of the lineage across bodies. */
int escalation_origins(struct db *db, const struct actor *a, int64_t output_id,
		       struct escalation_list *l) WARN_UNUSED;

/* escalation_reads: does an escalation let a read output h? True when h (past the draft)
 * was escalated to a's body or a body below a's, and a is signed in and not a handling
 * unit's account. The target is always above the output's body, so this gives the target
 * what its place in the hierarchy gives it and never more: no draft, nothing of the
 * record beyond the output itself (lineage asks session_authorize for each part). */
bool escalation_reads(struct db *db, const struct actor *a, const struct output_head *h);

#endif
