/*
 * output.h - outputs made from suggestions (提案 proposal, 社情民意信息 opinion report, 调研报告
 * research report, 大会发言 speech, 专报 special report), their authors, their handling
 * workflows, handling units, adoption into policy, and their lineage back to sessions.
 *
 * Files: output.c (outputs: read, draft, change, list, the caller's role), workflow.c (the
 * workflow table and the moves), handler.c (handling units), adoption.c, lineage.c,
 * outcomes.c (what came of a session), stats.c. Workflows are one table (output_steps):
 * every transition is recorded with who, when, a note and its data; an illegal one is
 * ERR_CONFLICT. Writes validate first, audit in the caller's transaction.
 */
#ifndef SHENLIAO_MODEL_OUTPUT_H
#define SHENLIAO_MODEL_OUTPUT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "model/model.h"
#include "model/session.h" /* suggestions and sessions of a lineage */

#define OPINION_REPORT_MAX_CHARS 1500

struct output_author_in {
	int64_t person_id;
	char role[16]; /* lead | cosigner */
};

struct output_in {
	const char *kind, *title, *body;
	const int64_t *suggestions; /* NULL: unchanged (update) / none (create) */
	size_t nsuggestions;
	const int64_t *sessions; /* cited directly */
	size_t nsessions;
	const struct output_author_in *authors; /* NULL: unchanged / none */
	size_t nauthors;
	int64_t dated_at;	 /* 0: today (create) / unchanged (update) */
	int64_t cosign_deadline; /* 0: a week after creation / unchanged */
};

void output_in_init(struct output_in *in);

struct output_head {
	int64_t id, org_id;
	char kind[24];
	char state[24];
	char org_path[128];
	char satisfaction[24]; /* "" until evaluated */
	int reopened;
};

int output_head(struct db *db, int64_t id, struct output_head *h) WARN_UNUSED;

/* --- the output as a typed value ---
 * Every string is owned by the struct (never NULL; "" for an empty or absent column) and
 * freed by output_release; a time of 0 is absent. */

struct output_author {
	int64_t person_id;
	char *name;
	char category[16];
	char role[16]; /* lead | cosigner */
	bool confirmed;
	int64_t confirmed_at;
};

struct output_unit { /* a handling unit assigned to the output */
	int64_t id;
	char *name;
	char role[8];	    /* lead | co */
	char *opinion;	    /* a co unit's opinion (协办意见); "" when none or not shown */
	int64_t opinion_at; /* 0 when none */
};

struct output_suggestion {
	int64_t id, session_id;
	char *title, *session_title;
};

struct output_session {
	int64_t id, starts_at;
	char *title;
};

struct output_event {
	int64_t id, at;
	char *by; /* display name, "" for the command line */
	char from[24], to[24];
	char *note;
	char *data; /* JSON text of what the move carried */
};

struct output_adoption {
	int64_t id, created_at;
	char kind[16];
	char date[16]; /* YYYY-MM-DD or "" */
	char *title, *issuer, *reference, *link, *note;
};

struct output {
	int64_t id, org_id;
	char kind[24], state[24];
	char *org_name, *title, *body, *number, *reason, *reply_text, *reply_grade, *satisfaction,
	    *bulletin_issue, *sent_to, *instruction_by, *instruction_text;
	int64_t dated_at, cosign_deadline, reply_due, submitted_at, accepted_at, assigned_at,
	    replied_at, evaluated_at, closed_at, created_at, updated_at;
	bool reopened, overdue;
	int64_t adoption_count;
	/* the parts: read by output_get (full is true), not by output_list */
	bool full;
	struct output_author *authors;
	size_t nauthors;
	struct output_unit *units;
	size_t nunits;
	struct output_suggestion *suggestions;
	size_t nsuggestions;
	struct output_session *sessions;
	size_t nsessions;
	struct output_event *events;
	size_t nevents;
	struct output_adoption *adoptions;
	size_t nadoptions;
};

/* output_init makes o empty (safe to release); output_release frees what o owns. */
void output_init(struct output *o);
void output_release(struct output *o);

/* output_get reads output id with all its parts into o (initialized by it; release it in
 * every case). ERR_NOT_FOUND when absent. Authorization is the caller's
 * (output_authorize). */
int output_get(struct db *db, int64_t id, struct output *o) WARN_UNUSED;

/* output_read is output_get for reader a: the suggestions and sessions of sessions a may
 * not read (session_authorize) are left out of o, even when old data links them. */
int output_read(struct db *db, const struct actor *a, int64_t id, struct output *o) WARN_UNUSED;

/* output_staff reports whether a drafts outputs for the body (organizers, admins, the
 * command line) rather than as their own author. */
bool output_staff(const struct actor *a);

/* output_authorize_draft decides whether a may draft outputs at all (authz_decide): staff,
 * and members (not guests, not handling units' accounts); which outputs, output_create
 * says. */
int output_authorize_draft(const struct actor *a) WARN_UNUSED;

/* output_authorize_draft_from decides whether a may draft an output from the suggestions
 * of session_id (authz_decide; the session's visibility is session_authorize's): staff
 * who may change the session (session_authorize AUTHZ_WRITE); a member (output_authorize_draft)
 * whose account is linked to a person who attended it (invited and present, or spoke in it), as
 * output_create checks. */
int output_authorize_draft_from(struct db *db, const struct actor *a,
				int64_t session_id) WARN_UNUSED;

/* output_create drafts an output in org_id. A member (not output_staff) drafts as the lead
 * author: the person linked to their account leads whatever in->authors says of leads
 * (the others named are co-signers); kinds proposal, opinion_report, research_report and
 * speech only (ERR_FORBIDDEN, e code kind_not_allowed); every suggestion and session
 * linked must be of a session they attended (invited and present, or spoke in it:
 * ERR_INVALID naming suggestion_ids / session_ids). A member whose account is not linked
 * to a person: ERR_FORBIDDEN, e code not_linked. Every co-signer is notified
 * (cosign_request). Every suggestion and session linked must be
 * one who may read (session_authorize, AUTHZ_READ, of the suggestion's session) in the
 * output's branch; any other id is refused as if it did not exist (ERR_INVALID naming
 * suggestion_ids / session_ids and the id). An empty body is prefilled from the
 * suggestions. Kind rules: a proposal needs a lead author; an opinion report has at most
 * OPINION_REPORT_MAX_CHARS characters (refused with the count). */
int output_create(struct db *db, const struct actor *who, int64_t org_id,
		  const struct output_in *in, int64_t *id, struct verr *e) WARN_UNUSED;

/* output_create_check makes every check of output_create without writing (the web layer
 * validates before it opens its transaction; output_create checks again inside it). */
int output_create_check(struct db *db, const struct actor *who, int64_t org_id,
			const struct output_in *in, struct verr *e) WARN_UNUSED;

/* output_update_check makes every check of output_update on output h for who without
 * writing. */
int output_update_check(struct db *db, const struct actor *who, const struct output_head *h,
			const struct output_in *in, struct verr *e) WARN_UNUSED;

/* output_update changes a draft (title, body, suggestions, authors...; the links checked as
 * for output_create, and for a member as for a member's output_create); other states:
 * ERR_CONFLICT. The links to suggestions and to sessions are kept unless in names new
 * ones (each list on its own); co-signers added are notified (cosign_request). */
int output_update(struct db *db, const struct actor *who, int64_t id, const struct output_in *in,
		  struct verr *e) WARN_UNUSED;

/* output_delete removes draft id (who authorized for AUTHZ_WRITE by output_authorize)
 * with its links, audited "output.delete" with what it was; other states: ERR_CONFLICT
 * (code not_draft). output_delete_check is its check, read-only. */
int output_delete_check(struct db *db, int64_t id, struct verr *e) WARN_UNUSED;
int output_delete(struct db *db, const struct actor *who, int64_t id, struct verr *e) WARN_UNUSED;

/* What a transition may carry besides "to" and "note" (NULL / 0 when absent). */
struct output_move {
	const char *to, *note;
	const char *reason;			    /* not_accepted */
	const int64_t *lead_handlers, *co_handlers; /* assigned */
	size_t nlead, nco;
	int64_t reply_due;		/* assigned: 0 = rules' reply_days from now */
	const char *reply_text, *grade; /* replied */
	const char *satisfaction;	/* evaluated */
	const char *issue;		/* edited (opinion report) */
	const char *sent_to;		/* sent */
	const char *instruction_by, *instruction_text; /* instructed */
	int64_t at; /* when it happened: 0 = now (imports, demo) */
};

/* role of the actor for an output, which decides who may make which move */
enum output_role {
	OROLE_NONE = 0,
	OROLE_READER = 1,  /* may read */
	OROLE_HANDLER = 2, /* a handling unit it is assigned to */
	OROLE_LEAD_HANDLER = 4,
	OROLE_AUTHOR = 8, /* an author (person linked to the account) */
	OROLE_LEAD_AUTHOR = 16,
	OROLE_STAFF = 32, /* organizer or admin of its body (or above) */
};

/* output_role_of returns the OROLE_ bits of a for output h. */
int output_role_of(struct db *db, const struct actor *a, const struct output_head *h);

/* output_authorize loads output id for a and decides (authz_decide) whether a may do op:
 * AUTHZ_READ needs a reader (its body's people and those above, its authors, its handling
 * units; a draft only its authors and staff); AUTHZ_WRITE (change or delete the draft,
 * record an adoption) needs staff or the lead author. Moves along the
 * workflow and co-signing are authorized with AUTHZ_READ here and then by the workflow
 * table (output_move_check) or output_confirm, which answer ERR_FORBIDDEN. Fills *out and
 * *role (OROLE_ bits; either may be NULL) when the output exists. Returns ERR_OK,
 * ERR_AUTH (anonymous), ERR_NOT_FOUND (absent or not readable by a), ERR_FORBIDDEN
 * (readable, op not a's). */
int output_authorize(struct db *db, const struct actor *a, int64_t id, enum authz_op op,
		     struct output_head *out, int *role) WARN_UNUSED;

/* --- the workflow table (workflow.c) ---
 *
 * Every move of every workflow is one row of output_steps: which kinds it applies to, from
 * which state to which, who may make it, which fields it requires, a guard (may the move be
 * made now at all), a check of the data it carries (read-only) and its effect (the writes
 * besides the state change, event and audit row that every move gets). output_transition
 * runs moves only through the table, output_moves offers only its rows, docs/WORKFLOW.md is
 * rendered from it (output_workflow_markdown) and tests/unit/test_model_output.c walks it. */

enum output_kind_class { OKIND_PROPOSAL = 1, OKIND_OPINION = 2, OKIND_OTHER = 4, OKIND_ANY = 7 };

/* output_kind_class returns the OKIND_ bit of a kind ("proposal" -> OKIND_PROPOSAL, …). */
int output_kind_class(const char *kind);

/* fields a move may require (bits of output_step.need) */
enum output_field {
	OFIELD_REASON = 1 << 0,
	OFIELD_HANDLERS = 1 << 1,
	OFIELD_REPLY_TEXT = 1 << 2,
	OFIELD_GRADE = 1 << 3,
	OFIELD_SATISFACTION = 1 << 4,
	OFIELD_ISSUE = 1 << 5,
	OFIELD_SENT_TO = 1 << 6,
	OFIELD_INSTRUCTION_BY = 1 << 7,
	OFIELD_INSTRUCTION_TEXT = 1 << 8,
	OFIELD_END = 1 << 9
};

/* output_field_name is the request field of one OFIELD_ bit ("reason", …), NULL if none. */
const char *output_field_name(unsigned bit);

struct output_step {
	int kinds;	       /* OKIND_ bits */
	const char *from, *to; /* states */
	int who;	       /* OROLE_ bits, any of which may make the move */
	unsigned need;	       /* OFIELD_ bits: required fields */
	/* guard: may the move be made now (NULL: always)? ERR_CONFLICT with e filled if not */
	int (*guard)(struct db *db, const struct output_head *h, struct verr *e);
	/* check: is the data valid (read-only; NULL: nothing more to check)? */
	int (*check)(struct db *db, const struct output_head *h, const struct output_move *m,
		     struct verr *e);
	/* apply: the writes of the move; data receives what the event records */
	int (*apply)(struct db *db, const struct actor *who, const struct output_head *h,
		     const struct output_move *m, int64_t at, json_t *data, struct verr *e);
	const char *effect; /* what apply does, in words, for the docs */
	const char *label;  /* catalog key of the move's button; NULL: "oto_" + to */
};

extern const struct output_step output_steps[];
extern const size_t output_nsteps;

/* output_step_find returns the row for kind from -> to, NULL when there is none. */
const struct output_step *output_step_find(const char *kind, const char *from, const char *to);

/* output_move_check decides whether a may make move m on output h now, without writing:
 * ERR_NOT_FOUND / ERR_AUTH (authz_decide) when a may not even read h; ERR_INVALID (e names
 * "to") without a target; ERR_CONFLICT when the table has no such move
 * from h's state; ERR_FORBIDDEN when a's role is not among the row's; ERR_CONFLICT when the
 * row's guard refuses;
 * ERR_INVALID naming the field when a required field is missing or a value is not valid.
 * Handling units with id 0 in m are units still to be made in h's body (the web layer
 * creates them in its transaction) and pass. */
int output_move_check(struct db *db, const struct actor *a, const struct output_head *h,
		      const struct output_move *m, struct verr *e) WARN_UNUSED;

/* output_transition moves output id along its workflow: output_move_check, then the row's
 * effect, the state change, an output_event row and an audit row. Call inside the write
 * transaction. Errors as output_move_check. */
int output_transition(struct db *db, const struct actor *who, int64_t id,
		      const struct output_move *m, struct verr *e) WARN_UNUSED;

/* output_moves fills out[max] with the rows of the moves a may make on output h now (the
 * row's kind, state and role match, its guard allows it) and returns how many. */
size_t output_moves(struct db *db, const struct actor *a, const struct output_head *h,
		    const struct output_step **out, size_t max);

/* output_workflow_markdown renders the workflow table as Markdown (docs/WORKFLOW.md). */
int output_workflow_markdown(struct buf *out) WARN_UNUSED;

/* output_confirm_check: may who confirm output id now (read-only)? ERR_FORBIDDEN when who
 * is not one of its authors, ERR_CONFLICT (deadline_passed) after the deadline. */
int output_confirm_check(struct db *db, const struct actor *who, int64_t id,
			 struct verr *e) WARN_UNUSED;

/* output_confirm: a co-signer (the person linked to who) confirms before the deadline
 * (already confirmed: nothing to do); the lead author is notified (cosign_answer). Errors
 * as output_confirm_check. */
int output_confirm(struct db *db, const struct actor *who, int64_t id, struct verr *e) WARN_UNUSED;

/* output_confirm_on_paper records that co-signer person of output id confirmed on paper
 * (imports and the demo: the command line only, ERR_FORBIDDEN for anyone else). Audited
 * "output.confirm". */
int output_confirm_on_paper(struct db *db, const struct actor *who, int64_t id,
			    int64_t person) WARN_UNUSED;

/* output_decline_check: may who decline co-signing output id now (read-only)?
 * ERR_FORBIDDEN when who is not one of its co-signers, ERR_CONFLICT (code not_draft) once
 * it left the draft. */
int output_decline_check(struct db *db, const struct actor *who, int64_t id,
			 struct verr *e) WARN_UNUSED;

/* output_decline: a co-signer declines (note: optional, up to 2000 characters): they are
 * removed from the authors, so the proposal can be submitted without them; audited
 * "output.decline" with their author row before, and the lead author is notified
 * (cosign_answer). Errors as output_decline_check. */
int output_decline(struct db *db, const struct actor *who, int64_t id, const char *note,
		   struct verr *e) WARN_UNUSED;

/* output_cosigners_pending fills names (a buffer the caller owns) with the names of the
 * co-signers of output id who have not confirmed, joined by "、", and *n with how many. */
int output_cosigners_pending(struct db *db, int64_t id, struct buf *names, size_t *n) WARN_UNUSED;

struct adoption_in {
	const char *kind, *title, *issuer, *reference, *date, *link, *note;
};

/* adoption_check checks in (kind, title, lengths, date, link) without the database. */
int adoption_check(const struct adoption_in *in, struct verr *e) WARN_UNUSED;

/* adoption_add records an adoption (adoption_check first); the first one credits the authors' duty
 * records. */
int adoption_add(struct db *db, const struct actor *who, int64_t output_id,
		 const struct adoption_in *in, int64_t *id, struct verr *e) WARN_UNUSED;

struct output_filter {
	const char *kind, *state;
	int year;
	bool overdue;
};

struct output_list {
	struct output *items;
	size_t n;
};

/* output_list reads into l (which it initializes; release it with output_list_release in
 * every case) up to limit outputs with id > after that a may see (handling units: only
 * those assigned to them), in id order, without their parts. */
int output_list(struct db *db, const struct actor *a, const struct output_filter *f, int64_t after,
		int limit, struct output_list *l) WARN_UNUSED;
void output_list_release(struct output_list *l);

/* --- lineage (lineage.c) and outcomes (outcomes.c): typed chains for src/web ---
 *
 * Texts are owned (never NULL: "" when empty) and freed by the matching _release. */

/* A session as a link of a chain: enough to name it and find it. */
struct session_brief {
	int64_t id, topic_id, starts_at; /* starts_at 0: not set */
	char *title, *venue, *topic_title;
	char status[16], visibility[16], domain[64];
};

/* Where a suggestion came from, as the lineage shows it: the remark's text and speaker
 * ("" for a statement of the opinion map, or a remark without a speaker). */
struct lineage_source {
	char kind[16]; /* "remark" or "statement" */
	int64_t id;
	char *text, *speaker, *sector; /* the speaker's name and sector */
	char category[16];	       /* the speaker's category ("" when none) */
	char person_path[128];	       /* the speaker's body, for person_nameable */
	bool public_name;
	bool is_statement; /* an opinion-map statement (no speaker shown) */
};

struct lineage_suggestion {
	struct suggestion suggestion; /* with its proposers (its own sources: below) */
	struct lineage_source *sources;
	size_t nsources;
	bool has_session;
	struct session_brief session; /* the session it was made at */
};

/* The chain of an output: session -> suggestions -> the output -> its events and
 * adoptions (in output). */
struct output_lineage {
	struct output output;			/* read by output_get, with every part */
	struct lineage_suggestion *suggestions; /* the suggestions it was made of */
	size_t nsuggestions;
	struct session_brief *sessions; /* the sessions it cites directly */
	size_t nsessions;
};

/* output_lineage reads output id and its chain back into l as reader a may see it
 * (initialized by it; release it with output_lineage_release in every case): suggestions
 * and sessions of sessions a may not read (session_authorize) are left out, even when old
 * data links them. ERR_NOT_FOUND when the output is absent. Authorization of the output
 * itself is the caller's (output_authorize). */
int output_lineage(struct db *db, const struct actor *a, int64_t id,
		   struct output_lineage *l) WARN_UNUSED;
void output_lineage_release(struct output_lineage *l);

/* What came of a session: its agreed points, its suggestions each with the outputs made of
 * it, and the outputs made of its suggestions or citing it (ids, in id order; the caller
 * reads each with output_get for its answer). */
struct outcome_ids {
	int64_t *ids;
	size_t n;
};

struct session_outcomes {
	struct session session;
	struct session_record record;		/* agreed points and suggestions (no remarks) */
	struct outcome_ids *suggestion_outputs; /* one per record.suggestions */
	struct outcome_ids outputs;
};

/* session_outcomes reads what came of session_id into x as reader a may see it
 * (initialized by it; release it with session_outcomes_release in every case): only the
 * outputs a may read (output_authorize) are listed. ERR_NOT_FOUND when no such session.
 * Authorization of the session: session_outcomes_authorize. */
int session_outcomes(struct db *db, const struct actor *a, int64_t session_id,
		     struct session_outcomes *x) WARN_UNUSED;
void session_outcomes_release(struct session_outcomes *x);

/* session_outcomes_authorize: what came of a session is as visible as the session itself
 * (authz_decide: ERR_AUTH anonymous, ERR_NOT_FOUND absent or not visible). */
int session_outcomes_authorize(struct db *db, const struct actor *a,
			       int64_t session_id) WARN_UNUSED;

/* --- handling units (handler.c) --- */

struct handler {
	int64_t id, org_id;
	char name[401];
	char org_path[128];  /* of its body */
	bool disabled;	     /* not offered for new assignments */
	int64_t merged_into; /* the unit it was merged into, 0 when none */
};

/* handler_create makes the unit name (1-100 characters) in org_id and audits it.
 * ERR_CONFLICT (field name) when the body has a unit of that name. Call inside the write
 * transaction; authorization is the caller's. */
int handler_create(struct db *db, const struct actor *who, int64_t org_id, const char *name,
		   int64_t *id, struct verr *e) WARN_UNUSED;

/* handler_get reads unit id into *out; ERR_NOT_FOUND when absent. */
int handler_get(struct db *db, int64_t id, struct handler *out) WARN_UNUSED;

/* handler_resolve finds the unit called name among those a may see (read-only): *id is its
 * id, or 0 when there is none yet (a workflow may name a unit the first time it is
 * assigned; the caller makes it with handler_create in its transaction). An enabled unit
 * of that name comes before a disabled one (which the assignment then refuses). ERR_INVALID
 * (field handlers) for an empty or over-long name. */
int handler_resolve(struct db *db, const struct actor *a, const char *name, int64_t *id,
		    struct verr *e) WARN_UNUSED;

struct handler_list {
	struct handler *items;
	size_t n, cap;
};

/* handler_list reads into l (initialized by it; release it with handler_list_release in
 * every case) the units a may see, by name: of its body, those below and above it (at
 * most 1000). */
int handler_list(struct db *db, const struct actor *a, struct handler_list *l) WARN_UNUSED;
void handler_list_release(struct handler_list *l);

/* handler_authorize loads unit id into *out (may be NULL) and decides whether a may do op
 * to it. Visible: the units of a's body, of those below it and of those above it (as
 * handler_list), and a unit's own accounts' unit. READ allowed when visible; WRITE (rename,
 * disable, merge) for organizers and admins of the unit's body or a body above it, not for
 * a handling unit's account. Returns what authz_decide returns (ERR_NOT_FOUND also when
 * there is no such unit). */
int handler_authorize(struct db *db, const struct actor *a, int64_t id, enum authz_op op,
		      struct handler *out) WARN_UNUSED;

/* handler_update renames unit h (name not NULL: 1-100 characters; ERR_CONFLICT with e,
 * code "conflict", when its body has a unit of that name) and/or enables or disables it
 * (disabled: 1 disable, 0 enable, -1 keep; a merged unit stays disabled: ERR_CONFLICT
 * code "merged"). Audited "handler.update" with before and after. In the write
 * transaction; authorization is the caller's (handler_authorize, AUTHZ_WRITE). */
int handler_update(struct db *db, const struct actor *who, const struct handler *h,
		   const char *name, int disabled, struct verr *e) WARN_UNUSED;

/* handler_merge moves the assignments and the accounts of unit h to unit into_id and
 * disables h (merged_into = into_id). Where both were assigned to one output the row of
 * into_id stays (lead if either was lead; h's opinion kept when into_id had none). Checks:
 * into_id another unit that who may change (ERR_INVALID, field into_id), not disabled
 * (ERR_CONFLICT code "disabled"); h not merged already (ERR_CONFLICT code "merged").
 * Audited "handler.merge" with what moved. In the write transaction; authorization of h is
 * the caller's. */
int handler_merge(struct db *db, const struct actor *who, const struct handler *h, int64_t into_id,
		  struct verr *e) WARN_UNUSED;

/* --- a handling unit's queue and co-handlers' opinions (handler.c) --- */

struct assignment_opinion { /* a co unit's opinion on the lead's reply */
	int64_t handler_id, at;
	char *name, *text;
};

struct assignment { /* an output assigned to the caller's unit */
	int64_t output_id, reply_due, assigned_at, replied_at; /* times 0 when not set */
	char kind[24], state[24], role[8];		       /* role: lead | co */
	char *title, *reply_grade;			       /* reply_grade "" until replied */
	bool overdue;	 /* assigned, not replied, reply_due passed */
	bool replied;	 /* the lead unit has replied (state after assigned) */
	int64_t lead_id; /* the lead unit */
	char *lead_name;
	struct assignment_opinion *opinions; /* the co units' opinions so far */
	size_t nopinions;
};

/* the position after which a page of the queue starts: overdue first, then by reply_due,
 * then by output id. Zeroed: the first page. */
struct assignment_key {
	bool set;
	int overdue;
	int64_t due, id;
};

struct assignment_list {
	struct assignment *items;
	size_t n;
};

/* assignment_list reads into l (initialized by it; release it with
 * assignment_list_release in every case) up to limit outputs assigned to a's handling
 * unit (lead or co) after key: overdue first, then by due date. Empty for an account that
 * is not a handling unit's. */
int assignment_list(struct db *db, const struct actor *a, const struct assignment_key *after,
		    int limit, struct assignment_list *l) WARN_UNUSED;
void assignment_list_release(struct assignment_list *l);

/* output_co_opinion_check decides whether a may give the co-handlers' opinion text on
 * output h (read-only): a's unit must be a co unit of it (ERR_FORBIDDEN otherwise; not
 * visible: ERR_NOT_FOUND), the output assigned and not yet replied (ERR_CONFLICT, code
 * "not_assigned"), text 1-5000 characters (ERR_INVALID, field text). */
int output_co_opinion_check(struct db *db, const struct actor *a, const struct output_head *h,
			    const char *text, struct verr *e) WARN_UNUSED;

/* output_co_opinion stores (or replaces) the opinion of a's unit on output h after
 * output_co_opinion_check; audited "output.co_opinion" with before and after. In the write
 * transaction. */
int output_co_opinion(struct db *db, const struct actor *a, const struct output_head *h,
		      const char *text, struct verr *e) WARN_UNUSED;

/* --- statistics (stats.c) --- */

struct stats_query {
	int64_t from, to; /* UTC seconds, [from, to) */
	const struct org *org;
	bool subtree;
	const char *lang; /* for labels */
};

/* a figure by key (a domain, a kind, a state, a unit…), in the answer's order */
struct stats_count {
	char *key;
	int64_t n;
};

struct stats_counts {
	struct stats_count *v;
	size_t n;
};

struct stats_org { /* one body in scope with its own figures */
	int64_t id, parent_id;
	char *name, *level;
	int64_t sessions, outputs, adopted;
};

struct stats_rate { /* a share, rounded to 4 places; absent when nothing to divide by */
	bool present;
	double v;
};

struct stats {
	int64_t from, to; /* the period */
	int64_t org_id;
	char *org_name, *org_level;
	bool subtree;
	int64_t sessions, suggestions, outputs_total, adopted;
	struct stats_counts by_domain, by_format, by_unit, participants_by_category, outputs,
	    outputs_by_state, adoptions_by_kind;
	int64_t by_month[12];
	struct { /* joint sessions (联合聊) the scope hosted or joined as a linked body */
		int64_t hosted, joined, total;
		int64_t outputs; /* outputs linked to those sessions */
	} joint;
	struct {
		int64_t submitted, accepted, not_accepted, assigned, replied, evaluated, satisfied,
		    satisfied_or_basically;
	} proposals;
	struct stats_rate filing_rate, reply_rate, satisfaction_rate;
	struct stats_rate median_days_session_to_output, median_days_submission_to_reply;
	struct stats_org *by_org;
	size_t nby_org;
};

/* stats_compute fills s (which it initializes; release it with stats_release in every
 * case) with the statistics for q (see docs/API.md): made once per change to the data it
 * counts and cached in between (see stats.c); s is the caller's copy. */
int stats_compute(struct db *db, const struct stats_query *q, struct stats *s) WARN_UNUSED;

/* stats_compute_full is stats_compute made from the rows every time, never from the
 * summary or the cache: the check the tests compare stats_compute with. */
int stats_compute_full(struct db *db, const struct stats_query *q, struct stats *s) WARN_UNUSED;

/* stats_refresh makes again the summary cells (migration 0022) the changes noted in
 * stats_dirty touched; called inside the write transaction, before its commit
 * (store_commit does), so the summary changes with the rows it sums. */
int stats_refresh(struct db *db) WARN_UNUSED;

/* stats_refresh_now is stats_refresh in a write transaction of its own, when anything is
 * noted: for what writers outside the server's transactions (a bulk load, a command) left,
 * and for the first making of the summary after the migration (store_open calls it). Not
 * inside a transaction. */
int stats_refresh_now(struct db *db) WARN_UNUSED;

/* stats_copy_summary makes to's statistics summary (stats_cell, stats_dirty) the same rows
 * as from's, inside a copy's write transaction on to (db_copy's fill hook): the summary
 * and the notes of what it still lacks describe from's rows, which the copy brought. */
int stats_copy_summary(struct db *from, struct db *to) WARN_UNUSED;
void stats_release(struct stats *s);

/* stats_cache_clear frees the cached answers (at exit, so leak checkers see none). */
void stats_cache_clear(void);

#endif
