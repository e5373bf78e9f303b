/*
 * roles.h - what two roles do beyond the resources' own rules: a member's "my work" (their
 * invitations, outputs, co-signing requests and duty record in one read), and a leader's
 * instruction (批示) on an output.
 *
 * The leader role itself is enum role's ROLE_LEADER (model.h): it reads what an organizer
 * of its body reads (actor_reads_as_staff) and writes nothing but instructions.
 */
#ifndef SHENLIAO_MODEL_ROLES_H
#define SHENLIAO_MODEL_ROLES_H

#include "output.h"
#include "session.h"

/* --- my work --- */

/* An output the person is an author of. title owned. */
struct my_output {
	int64_t id, dated_at, cosign_deadline; /* cosign_deadline 0: none */
	char kind[24], state[24], role[16];    /* role: lead or cosigner */
	bool confirmed;
	bool pending; /* a co-signing request still to answer: cosigner, unconfirmed, draft */
	char *title;
};

struct my_work {
	int64_t person_id; /* 0: the account is linked to no person (everything below empty) */
	char person_name[401];
	struct my_invitation *invitations; /* newest sessions first */
	size_t ninvitations;
	struct my_output *outputs; /* newest first; at most 200 */
	size_t noutputs;
	size_t npending; /* how many of outputs are pending co-signing requests */
	struct duty_record duty;
};

/* my_work_read fills w (which it initializes; release it with my_work_release in every case)
 * with the work of the person linked to a's account in year (duty record). A signed-in caller
 * only; an account without a person gets an empty w and ERR_OK. */
int my_work_read(struct db *db, const struct actor *a, int year, struct my_work *w) WARN_UNUSED;
void my_work_release(struct my_work *w);

/* --- a leader's instruction (批示) --- */

struct instruction_in {
	const char *text; /* required, 1..500 characters */
	const char *by;	  /* who gave it (name, title); NULL or "": the caller's display name */
	const char *date; /* YYYY-MM-DD; NULL or "": today */
};

/* instruction_authorize loads output id's head into *h and decides whether a may record an
 * instruction on it: leaders and admins whose scope holds the output's body (an admin acts
 * for a leader who wrote on paper). Visible as output_authorize's READ. Returns what
 * authz_decide returns. */
int instruction_authorize(struct db *db, const struct actor *a, int64_t id,
			  struct output_head *h) WARN_UNUSED;

/* instruction_check validates in without the database (text, by, date). */
int instruction_check(const struct instruction_in *in, struct verr *e) WARN_UNUSED;

/* instruction_record stores in on output h (instruction_by/_text) and records it as an
 * adoption of kind "instruction" (adoption_add: counted by the statistics, the first one
 * credits the authors' duty records), inside the caller's write transaction. ERR_CONFLICT
 * (code "state") on a draft. Audited "output.instruction". *adoption_id gets the adoption. */
int instruction_record(struct db *db, const struct actor *who, const struct output_head *h,
		       const struct instruction_in *in, int64_t *adoption_id,
		       struct verr *e) WARN_UNUSED;

#endif
