/*
 * privacy.c - a person's export and erasure (see privacy.h).
 *
 * Both walk the same tables: whatever the export lists is what erasure has to think about.
 * The export reads inside the caller's write transaction, so the copy is consistent and
 * its audit row commits with it. Erasure validates first (the person exists, is not erased,
 * leads no output still being handled), then changes rows in place: nothing is deleted, so
 * every count and every link from session to policy stays as it was.
 */
#include "privacy.h"
#include "output.h"
#include "session.h"
#include "notify.h"
#include "valid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "db/db.h"

/* --- names --- */

int64_t person_erased_name_id(const char *name)
{
	static const char prefix[] = PERSON_ERASED_NAME " #";
	size_t n = sizeof(prefix) - 1;
	int64_t id;

	if (!name || strncmp(name, prefix, n) != 0)
		return 0;
	if (num_parse(name + n, strlen(name + n), 1, INT64_MAX, &id))
		return 0;
	return id;
}

static const char sql_erased_at[] = "SELECT erased_at FROM person WHERE id = ?";

bool person_erased(struct db *db, int64_t id)
{
	int64_t at = 0;

	return db_get_int(db, sql_erased_at, &at, "i", id) == ERR_OK && at != 0;
}

/* --- who may --- */

static int authorize(struct db *db, const struct actor *a, int64_t id, bool self_may,
		     struct person *p, struct org *o)
{
	struct person tmp_p;
	struct org tmp_o;
	bool self, allowed;
	int rc;

	if (!p)
		p = &tmp_p;
	if (!o)
		o = &tmp_o;
	/* visible as the registry decides; ERR_NOT_FOUND / ERR_AUTH answer here */
	rc = person_authorize(db, a, id, AUTHZ_READ, p, o);
	if (rc)
		return rc;
	self =
	    a->via != AUTH_NONE && a->via != AUTH_SYSTEM && a->user.id && p->user_id == a->user.id;
	allowed = actor_can_manage_org(a, o) || (self_may && self);
	return authz_decide(a, true, allowed);
}

int person_export_authorize(struct db *db, const struct actor *a, int64_t id, struct person *p,
			    struct org *o)
{
	return authorize(db, a, id, true, p, o);
}

int person_erase_authorize(struct db *db, const struct actor *a, int64_t id, struct person *p,
			   struct org *o)
{
	return authorize(db, a, id, false, p, o);
}

/* --- the export --- */

void person_export_init(struct person_export *x)
{
	memset(x, 0, sizeof(*x));
}

void person_export_release(struct person_export *x)
{
	size_t i;

	for (i = 0; i < x->ninvitations; i++)
		free(x->invitations[i].session_title);
	for (i = 0; i < x->nremarks; i++) {
		free(x->remarks[i].session_title);
		free(x->remarks[i].role);
		free(x->remarks[i].body);
	}
	for (i = 0; i < x->nsuggestions; i++) {
		free(x->suggestions[i].title);
		free(x->suggestions[i].body);
	}
	for (i = 0; i < x->noutputs; i++)
		free(x->outputs[i].title);
	for (i = 0; i < x->ntopics; i++)
		free(x->topics[i].title);
	for (i = 0; i < x->ncommitments; i++) {
		free(x->commitments[i].owner);
		free(x->commitments[i].body);
	}
	for (i = 0; i < x->nvotes; i++)
		free(x->votes[i].statement_text);
	for (i = 0; i < x->nstatements; i++)
		free(x->statements[i].text);
	for (i = 0; i < x->nnotifications; i++) {
		free(x->notifications[i].subject);
		free(x->notifications[i].link);
		free(x->notifications[i].mailed_to);
	}
	free(x->notifications);
	free(x->signins);
	free(x->tokens);
	free(x->invitations);
	free(x->remarks);
	free(x->suggestions);
	free(x->outputs);
	free(x->topics);
	free(x->commitments);
	free(x->participations);
	free(x->votes);
	free(x->statements);
	free(x->duty);
	free(x->audit);
	person_export_init(x);
}

static const char sql_x_signins[] =
    "SELECT created_at, expires_at FROM auth_session WHERE user_id = ? ORDER BY id";
static const char sql_x_tokens[] =
    "SELECT id, created_at, revoked FROM api_token WHERE user_id = ? ORDER BY id";
static const char sql_x_invitations[] =
    "SELECT i.id, i.session_id, i.created_at, i.responded_at, s.title, i.role,"
    " i.rsvp, i.attended FROM invitation i JOIN session s ON s.id = i.session_id"
    " WHERE i.person_id = ? ORDER BY i.id";
static const char sql_x_remarks[] =
    "SELECT r.id, r.session_id, r.position, r.created_at, r.updated_at, s.title, r.role, r.body,"
    " r.erased FROM remark r JOIN session s ON s.id = r.session_id WHERE r.person_id = ?"
    " ORDER BY r.id";
/* ?1 the person, ?2 their account (0: none, which matches no participant) */
#define THEIR_REMARKS "SELECT id FROM remark WHERE person_id = ?1"
#define THEIR_STATEMENTS                                                                           \
	"SELECT st.id FROM statement st JOIN participant pa ON pa.id = st.participant_id"          \
	" WHERE pa.user_id = ?2"
#define CITES_THEIRS                                                                               \
	"SELECT ss.suggestion_id FROM suggestion_source ss WHERE (ss.kind = 'remark'"              \
	" AND ss.source_id IN (" THEIR_REMARKS ")) OR (ss.kind = 'statement'"                      \
	" AND ss.source_id IN (" THEIR_STATEMENTS "))"
static const char sql_x_suggestions[] =
    "SELECT g.id, g.session_id, g.created_at, g.title, g.body,"
    " g.id IN (SELECT suggestion_id FROM suggestion_proposer WHERE person_id = ?1),"
    " g.id IN (" CITES_THEIRS ") FROM suggestion g"
    " WHERE g.id IN (SELECT suggestion_id FROM suggestion_proposer WHERE person_id = ?1)"
    " OR g.id IN (" CITES_THEIRS ") ORDER BY g.id";
static const char sql_x_outputs[] =
    "SELECT o.id, o.org_id, o.dated_at, a.confirmed_at, o.title, o.kind, o.state,"
    " a.role FROM output_author a JOIN output o ON o.id = a.output_id WHERE a.person_id = ?"
    " ORDER BY o.id";
static const char sql_x_topics[] =
    "SELECT id, created_at, title, status FROM topic WHERE proposer_id = ? ORDER BY id";
static const char sql_x_commitments[] =
    "SELECT id, session_id, created_at, owner, body, COALESCE(due_date, ''), status"
    " FROM commitment WHERE owner_id = ? ORDER BY id";
static const char sql_x_participations[] =
    "SELECT id, session_id, created_at, category FROM participant WHERE user_id = ? ORDER BY id";
static const char sql_x_votes[] =
    "SELECT v.statement_id, v.session_id, v.at, v.value, st.text FROM vote v"
    " JOIN participant pa ON pa.id = v.participant_id JOIN statement st ON st.id = v.statement_id"
    " WHERE pa.user_id = ? ORDER BY v.session_id, v.statement_id";
static const char sql_x_statements[] =
    "SELECT st.id, st.session_id, st.created_at, st.text, st.status, st.erased FROM statement st"
    " JOIN participant pa ON pa.id = st.participant_id WHERE pa.user_id = ? ORDER BY st.id";
static const char sql_x_duty[] =
    "SELECT id, points, COALESCE(session_id, 0), ref_id, at, year, kind FROM duty_record"
    " WHERE person_id = ? ORDER BY at, id";
static const char sql_x_notifications[] =
    "SELECT n.id, n.created_at, n.read_at, n.kind, n.subject, n.link,"
    " COALESCE(q.to_addr, ''), q.sent_at FROM notification n"
    " LEFT JOIN mail_queue q ON q.notification_id = n.id"
    " WHERE n.person_id = ?1 OR (CAST(?2 AS BIGINT) <> 0 AND n.user_id = ?2) ORDER BY n.id";
static const char sql_x_audit[] =
    "SELECT id, at, COALESCE(entity_id, 0), action, entity, COALESCE(address, '') FROM audit"
    " WHERE (entity = 'person' AND entity_id = ?1)"
    " OR (CAST(?2 AS BIGINT) != 0 AND (user_id = ?2 OR (entity = 'user' AND entity_id = ?2)))"
    " ORDER BY id DESC LIMIT ?3";

/* CODE copies column i into the fixed array f of the row (too long: ERR_TOO_BIG). */
#define CODE(f, i) copy_field((f), sizeof(f), db_col_text(st, (i)))

static int signin_row(struct db_stmt *st, void *ud)
{
	struct person_export *x = ud;
	struct pexport_signin *r = array_grow(&x->signins, &x->nsignins, sizeof(*r));

	if (!r)
		return ERR_NOMEM;
	r->created_at = db_col_int(st, 0);
	r->expires_at = db_col_int(st, 1);
	return ERR_OK;
}

static int token_row(struct db_stmt *st, void *ud)
{
	struct person_export *x = ud;
	struct pexport_token *r = array_grow(&x->tokens, &x->ntokens, sizeof(*r));

	if (!r)
		return ERR_NOMEM;
	r->id = db_col_int(st, 0);
	r->created_at = db_col_int(st, 1);
	r->revoked = db_col_int(st, 2) != 0;
	return ERR_OK;
}

static int invitation_row(struct db_stmt *st, void *ud)
{
	struct person_export *x = ud;
	struct pexport_invitation *r = array_grow(&x->invitations, &x->ninvitations, sizeof(*r));

	if (!r || !(r->session_title = db_col_dup(st, 4)))
		return ERR_NOMEM;
	r->id = db_col_int(st, 0);
	r->session_id = db_col_int(st, 1);
	r->created_at = db_col_int(st, 2);
	r->responded_at = db_col_int(st, 3);
	r->attended = db_col_int(st, 7) != 0;
	return CODE(r->role, 5) || CODE(r->rsvp, 6) ? ERR_TOO_BIG : ERR_OK;
}

static int remark_row(struct db_stmt *st, void *ud)
{
	struct person_export *x = ud;
	struct pexport_remark *r = array_grow(&x->remarks, &x->nremarks, sizeof(*r));

	if (!r || !(r->session_title = db_col_dup(st, 5)) || !(r->role = db_col_dup(st, 6)) ||
	    !(r->body = db_col_dup(st, 7)))
		return ERR_NOMEM;
	r->id = db_col_int(st, 0);
	r->session_id = db_col_int(st, 1);
	r->position = db_col_int(st, 2);
	r->created_at = db_col_int(st, 3);
	r->updated_at = db_col_int(st, 4);
	r->erased = db_col_int(st, 8) != 0;
	return ERR_OK;
}

static int suggestion_row(struct db_stmt *st, void *ud)
{
	struct person_export *x = ud;
	struct pexport_suggestion *r = array_grow(&x->suggestions, &x->nsuggestions, sizeof(*r));

	if (!r || !(r->title = db_col_dup(st, 3)) || !(r->body = db_col_dup(st, 4)))
		return ERR_NOMEM;
	r->id = db_col_int(st, 0);
	r->session_id = db_col_int(st, 1);
	r->created_at = db_col_int(st, 2);
	r->proposer = db_col_int(st, 5) != 0;
	r->from_their = db_col_int(st, 6) != 0;
	return ERR_OK;
}

static int output_row(struct db_stmt *st, void *ud)
{
	struct person_export *x = ud;
	struct pexport_output *r = array_grow(&x->outputs, &x->noutputs, sizeof(*r));

	if (!r || !(r->title = db_col_dup(st, 4)))
		return ERR_NOMEM;
	r->id = db_col_int(st, 0);
	r->org_id = db_col_int(st, 1);
	r->dated_at = db_col_int(st, 2);
	r->confirmed_at = db_col_int(st, 3);
	return CODE(r->kind, 5) || CODE(r->state, 6) || CODE(r->role, 7) ? ERR_TOO_BIG : ERR_OK;
}

static int topic_row(struct db_stmt *st, void *ud)
{
	struct person_export *x = ud;
	struct pexport_topic *r = array_grow(&x->topics, &x->ntopics, sizeof(*r));

	if (!r || !(r->title = db_col_dup(st, 2)))
		return ERR_NOMEM;
	r->id = db_col_int(st, 0);
	r->created_at = db_col_int(st, 1);
	return CODE(r->status, 3) ? ERR_TOO_BIG : ERR_OK;
}

static int commitment_row(struct db_stmt *st, void *ud)
{
	struct person_export *x = ud;
	struct pexport_commitment *r = array_grow(&x->commitments, &x->ncommitments, sizeof(*r));

	if (!r || !(r->owner = db_col_dup(st, 3)) || !(r->body = db_col_dup(st, 4)))
		return ERR_NOMEM;
	r->id = db_col_int(st, 0);
	r->session_id = db_col_int(st, 1);
	r->created_at = db_col_int(st, 2);
	return CODE(r->due_date, 5) || CODE(r->status, 6) ? ERR_TOO_BIG : ERR_OK;
}

static int participation_row(struct db_stmt *st, void *ud)
{
	struct person_export *x = ud;
	struct pexport_participation *r =
	    array_grow(&x->participations, &x->nparticipations, sizeof(*r));

	if (!r)
		return ERR_NOMEM;
	r->id = db_col_int(st, 0);
	r->session_id = db_col_int(st, 1);
	r->created_at = db_col_int(st, 2);
	return CODE(r->category, 3) ? ERR_TOO_BIG : ERR_OK;
}

static int vote_row(struct db_stmt *st, void *ud)
{
	struct person_export *x = ud;
	struct pexport_vote *r = array_grow(&x->votes, &x->nvotes, sizeof(*r));

	if (!r || !(r->statement_text = db_col_dup(st, 4)))
		return ERR_NOMEM;
	r->statement_id = db_col_int(st, 0);
	r->session_id = db_col_int(st, 1);
	r->at = db_col_int(st, 2);
	r->value = (int)db_col_int(st, 3);
	return ERR_OK;
}

static int statement_row(struct db_stmt *st, void *ud)
{
	struct person_export *x = ud;
	struct pexport_statement *r = array_grow(&x->statements, &x->nstatements, sizeof(*r));

	if (!r || !(r->text = db_col_dup(st, 3)))
		return ERR_NOMEM;
	r->id = db_col_int(st, 0);
	r->session_id = db_col_int(st, 1);
	r->created_at = db_col_int(st, 2);
	r->erased = db_col_int(st, 5) != 0;
	return CODE(r->status, 4) ? ERR_TOO_BIG : ERR_OK;
}

static int duty_row(struct db_stmt *st, void *ud)
{
	struct person_export *x = ud;
	struct pexport_duty *r = array_grow(&x->duty, &x->nduty, sizeof(*r));

	if (!r)
		return ERR_NOMEM;
	r->id = db_col_int(st, 0);
	r->points = db_col_int(st, 1);
	r->session_id = db_col_int(st, 2);
	r->ref_id = db_col_int(st, 3);
	r->at = db_col_int(st, 4);
	r->year = db_col_int(st, 5);
	return CODE(r->kind, 6) ? ERR_TOO_BIG : ERR_OK;
}

static int notification_row(struct db_stmt *st, void *ud)
{
	struct person_export *x = ud;
	struct pexport_notification *r =
	    array_grow(&x->notifications, &x->nnotifications, sizeof(*r));

	if (!r)
		return ERR_NOMEM;
	r->subject = db_col_dup(st, 4);
	r->link = db_col_dup(st, 5);
	r->mailed_to = db_col_dup(st, 6);
	if (!r->subject || !r->link || !r->mailed_to)
		return ERR_NOMEM;
	r->id = db_col_int(st, 0);
	r->created_at = db_col_int(st, 1);
	r->read_at = db_col_int(st, 2);
	r->mail_sent_at = db_col_int(st, 7);
	return CODE(r->kind, 3) ? ERR_TOO_BIG : ERR_OK;
}

static int audit_row(struct db_stmt *st, void *ud)
{
	struct person_export *x = ud;
	struct pexport_audit *r;

	if (x->naudit >= PEXPORT_AUDIT_MAX) {
		x->audit_truncated = true;
		return ERR_OK;
	}
	r = array_grow(&x->audit, &x->naudit, sizeof(*r));
	if (!r)
		return ERR_NOMEM;
	r->id = db_col_int(st, 0);
	r->at = db_col_int(st, 1);
	r->entity_id = db_col_int(st, 2);
	/* the page's cut lengths: these are names of actions, not data */
	snprintf(r->action, sizeof(r->action), "%s", db_col_text(st, 3));
	snprintf(r->entity, sizeof(r->entity), "%s", db_col_text(st, 4));
	snprintf(r->address, sizeof(r->address), "%s", db_col_text(st, 5));
	return ERR_OK;
}

/* export_audit records who exported whom, with how much (never the data itself). */
static int export_audit(struct db *db, const struct actor *who, const struct person_export *x)
{
	json_t *after = json_pack(
	    "{sI sI sI sI sI sI sI sI sI sI sI sI sI}", "person_id", (json_int_t)x->person.id,
	    "user_id", (json_int_t)x->person.user_id, "invitations", (json_int_t)x->ninvitations,
	    "remarks", (json_int_t)x->nremarks, "suggestions", (json_int_t)x->nsuggestions,
	    "outputs", (json_int_t)x->noutputs, "topics", (json_int_t)x->ntopics, "commitments",
	    (json_int_t)x->ncommitments, "votes", (json_int_t)x->nvotes, "statements",
	    (json_int_t)x->nstatements, "duty", (json_int_t)x->nduty, "notifications",
	    (json_int_t)x->nnotifications, "audit", (json_int_t)x->naudit);
	int rc;

	if (!after)
		return ERR_NOMEM;
	rc = audit_write(db, who, x->person.org_id, "person.export", "person", x->person.id, NULL,
			 after);
	json_decref(after);
	return rc;
}

int person_export_read(struct db *db, const struct actor *who, int64_t id, struct person_export *x)
{
	int64_t pid = id, uid;
	struct org o;
	int rc;

	person_export_release(x);
	rc = person_get(db, id, &x->person);
	if (!rc)
		rc = org_get(db, x->person.org_id, &o);
	if (!rc)
		rc = db_get_int(db, sql_erased_at, &x->erased_at, "i", pid);
	if (rc)
		return rc;
	snprintf(x->org_name, sizeof(x->org_name), "%s", o.name);
	uid = x->person.user_id;
	if (uid) {
		rc = user_get(db, uid, &x->account);
		x->has_account = rc == ERR_OK;
		if (rc == ERR_NOT_FOUND)
			rc = ERR_OK;
	}
	if (!rc && uid)
		rc = db_each(db, sql_x_signins, signin_row, x, "i", uid);
	if (!rc && uid)
		rc = db_each(db, sql_x_tokens, token_row, x, "i", uid);
	if (!rc)
		rc = db_each(db, sql_x_invitations, invitation_row, x, "i", pid);
	if (!rc)
		rc = db_each(db, sql_x_remarks, remark_row, x, "i", pid);
	if (!rc)
		rc = db_each(db, sql_x_suggestions, suggestion_row, x, "ii", pid, uid);
	if (!rc)
		rc = db_each(db, sql_x_outputs, output_row, x, "i", pid);
	if (!rc)
		rc = db_each(db, sql_x_topics, topic_row, x, "i", pid);
	if (!rc)
		rc = db_each(db, sql_x_commitments, commitment_row, x, "i", pid);
	if (!rc && uid)
		rc = db_each(db, sql_x_participations, participation_row, x, "i", uid);
	if (!rc && uid)
		rc = db_each(db, sql_x_votes, vote_row, x, "i", uid);
	if (!rc && uid)
		rc = db_each(db, sql_x_statements, statement_row, x, "i", uid);
	if (!rc)
		rc = db_each(db, sql_x_duty, duty_row, x, "i", pid);
	if (!rc)
		rc = db_each(db, sql_x_notifications, notification_row, x, "ii", pid, uid);
	if (!rc)
		rc = db_each(db, sql_x_audit, audit_row, x, "iii", pid, uid,
			     (int64_t)PEXPORT_AUDIT_MAX + 1);
	if (!rc)
		rc = export_audit(db, who, x);
	return rc;
}

/* --- erasure --- */

bool output_state_final(const char *kind, const char *state)
{
	int k = output_kind_class(kind);
	size_t i;

	for (i = 0; i < output_nsteps; i++)
		if ((output_steps[i].kinds & k) && strcmp(output_steps[i].from, state) == 0)
			return false;
	return true;
}

static const char sql_tok_revoke[] =
    "UPDATE api_token SET revoked = TRUE WHERE user_id = ? AND revoked = FALSE";

int users_end_sign_ins(struct db *db, int64_t user_id, size_t *signins, size_t *tokens)
{
	int ended = 0;
	int rc = auth_sessions_end(db, user_id, 0, &ended);

	if (!rc && signins)
		*signins = (size_t)ended;
	if (!rc)
		rc = db_exec(db, sql_tok_revoke, "i", user_id);
	if (!rc && tokens)
		*tokens = (size_t)db_changes(db);
	return rc;
}

static const char sql_led[] =
    "SELECT o.id, o.kind, o.state FROM output_author a JOIN output o ON o.id = a.output_id"
    " WHERE a.person_id = ? AND a.role = 'lead' ORDER BY o.id";
static const char sql_e_person[] =
    "UPDATE person SET name = ?, sector = '', committee = '', term = '', affiliation = '',"
    " title = '', phone = '', email = '', public_name = FALSE, id_card_hash = NULL, erased_at = ?,"
    " updated_at = ?"
    " WHERE id = ?";
static const char sql_e_remark_ids[] =
    "SELECT id FROM remark WHERE person_id = ? AND erased = FALSE ORDER BY id";
static const char sql_e_remarks[] = "UPDATE remark SET body = '', role = '', erased = TRUE,"
				    " updated_at = ? WHERE person_id = ? AND erased = FALSE";
static const char sql_e_statement_ids[] =
    "SELECT st.id FROM statement st JOIN participant pa ON pa.id = st.participant_id"
    " WHERE pa.user_id = ? AND st.erased = FALSE ORDER BY st.id";
static const char sql_e_statement_sessions[] =
    "SELECT DISTINCT st.session_id FROM statement st JOIN participant pa"
    " ON pa.id = st.participant_id WHERE pa.user_id = ? AND st.erased = FALSE ORDER BY 1";
static const char sql_e_statements[] =
    "UPDATE statement SET text = '', erased = TRUE WHERE erased = FALSE"
    " AND participant_id IN (SELECT id FROM participant WHERE user_id = ?)";
/* the name written beside a link (a topic's proposer, a commitment's owner) */
static const char sql_e_topic_ids[] =
    "SELECT id FROM topic WHERE proposer_id = ?2 AND instr(proposer, ?1) > 0 ORDER BY id";
static const char sql_e_commitment_ids[] =
    "SELECT id FROM commitment WHERE owner_id = ?2 AND instr(owner, ?1) > 0 ORDER BY id";
/* ?1 the person, ?2 their account: suggestions that name them or quote their words */
static const char sql_e_suggestion_ids[] =
    "SELECT id FROM suggestion g"
    " WHERE g.id IN (SELECT suggestion_id FROM suggestion_proposer WHERE person_id = ?1)"
    " OR g.id IN (" CITES_THEIRS ") ORDER BY id";
static const char sql_e_output_ids[] =
    "SELECT DISTINCT output_id FROM output_author WHERE person_id = ? ORDER BY output_id";
static const char sql_e_invitation_ids[] =
    "SELECT id FROM invitation WHERE person_id = ? ORDER BY id";
static const char sql_e_topics[] =
    "UPDATE topic SET proposer = replace(proposer, ?1, ?2), updated_at = ?3"
    " WHERE proposer_id = ?4 AND instr(proposer, ?1) > 0";
static const char sql_e_commitments[] =
    "UPDATE commitment SET owner = replace(owner, ?1, ?2), updated_at = ?3"
    " WHERE owner_id = ?4 AND instr(owner, ?1) > 0";
static const char sql_e_account[] =
    "UPDATE users SET username = ?, display_name = ?, disabled = TRUE, password_hash = '!',"
    " updated_at = ? WHERE id = ?";
static const char sql_snapshot[] = "SELECT snapshot FROM opinion_snapshot WHERE session_id = ?";
static const char sql_snapshot_put[] =
    "UPDATE opinion_snapshot SET snapshot = ? WHERE session_id = ?";

struct led {
	int64_t active; /* the first output still being handled, 0: none */
	char state[24];
};

static int led_row(struct db_stmt *st, void *ud)
{
	struct led *l = ud;

	if (l->active || output_state_final(db_col_text(st, 1), db_col_text(st, 2)))
		return ERR_OK;
	l->active = db_col_int(st, 0);
	snprintf(l->state, sizeof(l->state), "%s", db_col_text(st, 2));
	return ERR_OK;
}

static bool has_id(const struct db_ids *ids, int64_t id)
{
	size_t i;

	for (i = 0; i < ids->n; i++)
		if (ids->ids[i] == id)
			return true;
	return false;
}

/* scrub_snapshot blanks the texts of the erased statements in session's stored opinion
 * snapshot (its "statements": [{id, text, status}]), which copies them. */
static int scrub_snapshot(struct db *db, int64_t session, const struct db_ids *erased)
{
	struct db_stmt *st;
	json_t *snap, *list, *item;
	char *text;
	size_t i;
	int rc = db_get_row(db, sql_snapshot, &st, "i", session);

	if (rc == ERR_NOT_FOUND)
		return ERR_OK;
	if (rc)
		return rc;
	snap = json_loads(db_col_text(st, 0), 0, NULL);
	db_done(st);
	if (!snap)
		return ERR_OK; /* nothing we could read is nothing we could leave behind */
	list = json_object_get(snap, "statements");
	json_array_foreach(list, i, item)
	{
		json_t *idv = json_object_get(item, "id");

		if (json_is_integer(idv) && has_id(erased, json_integer_value(idv)))
			json_object_set_new(item, "text", json_string(""));
	}
	text = json_dumps(snap, JSON_COMPACT);
	json_decref(snap);
	if (!text)
		return ERR_NOMEM;
	rc = db_exec(db, sql_snapshot_put, "si", text, session);
	free(text);
	return rc;
}

/* redact erases the before/after JSON of the audit rows about each of ids (of entity): they
 * copy the names and texts the erasure clears. The chain keeps their SHA-256 (audit.c). */
static int redact(struct db *db, const struct actor *who, int64_t org_id, const char *entity,
		  const struct db_ids *ids)
{
	size_t i;
	int rc = ERR_OK;

	for (i = 0; !rc && i < ids->n; i++)
		rc = audit_redact(db, who, org_id, entity, ids->ids[i], "erasure", NULL);
	return rc;
}

/* erase_statements blanks the statements the account wrote, here, in the snapshots and in
 * the audit history. */
static int erase_statements(struct db *db, const struct actor *who, int64_t org_id, int64_t user_id,
			    struct person_erasure *r)
{
	struct db_ids ids = {NULL, 0}, sessions = {NULL, 0};
	size_t i;
	int rc;

	rc = db_each(db, sql_e_statement_ids, db_ids_row, &ids, "i", user_id);
	if (!rc)
		rc = redact(db, who, org_id, "statement", &ids);
	if (!rc)
		rc = db_each(db, sql_e_statement_sessions, db_ids_row, &sessions, "i", user_id);
	if (!rc && ids.n)
		rc = db_exec(db, sql_e_statements, "i", user_id);
	for (i = 0; !rc && i < ids.n; i++)
		rc = search_drop(db, "statement", ids.ids[i]);
	for (i = 0; !rc && i < sessions.n; i++)
		rc = scrub_snapshot(db, sessions.ids[i], &ids);
	r->statements = ids.n;
	r->sessions = sessions.n;
	free(ids.ids);
	free(sessions.ids);
	return rc;
}

/* erase_account disables account user_id and removes its names; ends its sign-ins. */
static int erase_account(struct db *db, int64_t user_id, const char *name, int64_t now,
			 struct person_erasure *r)
{
	char username[64];
	struct user u;
	int rc = user_get(db, user_id, &u);

	if (rc == ERR_NOT_FOUND)
		return ERR_OK;
	if (rc)
		return rc;
	/* '#' is not allowed in usernames (user.c): no account can be given this name */
	snprintf(username, sizeof(username), "#erased-%lld", (long long)user_id);
	rc = db_exec(db, sql_e_account, "ssii", username, name, now, user_id);
	if (!rc)
		rc = users_end_sign_ins(db, user_id, &r->signins, &r->tokens);
	r->user_id = user_id;
	return rc;
}

/* erase_history redacts the audit rows that name person p: about the person, their
 * account, their remarks, and the suggestions, outputs, invitations, topics and commitments
 * that named them (their statements: erase_statements). */
static int erase_history(struct db *db, const struct actor *who, const struct person *p,
			 const struct db_ids *remarks)
{
	struct db_ids topics = {NULL, 0}, commitments = {NULL, 0};
	struct db_ids suggestions = {NULL, 0}, outputs = {NULL, 0}, invitations = {NULL, 0};
	int rc = audit_redact(db, who, p->org_id, "person", p->id, "erasure", NULL);

	if (!rc && p->user_id)
		rc = audit_redact(db, who, p->org_id, "user", p->user_id, "erasure", NULL);
	if (!rc)
		rc = redact(db, who, p->org_id, "remark", remarks);
	if (!rc && p->name[0])
		rc = db_each(db, sql_e_topic_ids, db_ids_row, &topics, "si", p->name, p->id);
	if (!rc)
		rc = redact(db, who, p->org_id, "topic", &topics);
	if (!rc && p->name[0])
		rc = db_each(db, sql_e_commitment_ids, db_ids_row, &commitments, "si", p->name,
			     p->id);
	if (!rc)
		rc = redact(db, who, p->org_id, "commitment", &commitments);
	if (!rc)
		rc = db_each(db, sql_e_suggestion_ids, db_ids_row, &suggestions, "ii", p->id,
			     p->user_id);
	if (!rc)
		rc = redact(db, who, p->org_id, "suggestion", &suggestions);
	if (!rc)
		rc = db_each(db, sql_e_output_ids, db_ids_row, &outputs, "i", p->id);
	if (!rc)
		rc = redact(db, who, p->org_id, "output", &outputs);
	if (!rc)
		rc = db_each(db, sql_e_invitation_ids, db_ids_row, &invitations, "i", p->id);
	if (!rc)
		rc = redact(db, who, p->org_id, "invitation", &invitations);
	free(topics.ids);
	free(commitments.ids);
	free(suggestions.ids);
	free(outputs.ids);
	free(invitations.ids);
	return rc;
}

static int erase_audit(struct db *db, const struct actor *who, const struct person_erasure *r)
{
	/* ids and counts only: this row is kept for good, a name in it would undo the erasure */
	json_t *after = json_pack(
	    "{sI so sI sI sI sI sI sI sI}", "person_id", (json_int_t)r->person_id, "user_id",
	    r->user_id ? json_integer(r->user_id) : json_null(), "remarks", (json_int_t)r->remarks,
	    "statements", (json_int_t)r->statements, "topics", (json_int_t)r->topics, "commitments",
	    (json_int_t)r->commitments, "signins", (json_int_t)r->signins, "tokens",
	    (json_int_t)r->tokens, "sessions", (json_int_t)r->sessions);
	int rc;

	if (!after)
		return ERR_NOMEM;
	rc = audit_write(db, who, r->org_id, "person.erase", "person", r->person_id, NULL, after);
	json_decref(after);
	return rc;
}

int person_erase(struct db *db, const struct actor *who, int64_t id, struct person_erasure *out,
		 struct verr *e)
{
	struct person_erasure r;
	struct db_ids remarks = {NULL, 0};
	struct person p;
	struct led led = {0, ""};
	char name[64];
	int64_t erased_at, now = time_now();
	size_t i;
	int rc;

	memset(&r, 0, sizeof(r));
	rc = person_get(db, id, &p);
	if (!rc)
		rc = db_get_int(db, sql_erased_at, &erased_at, "i", id);
	if (rc)
		return rc;
	if (erased_at)
		return ERR_NOT_FOUND;
	rc = db_each(db, sql_led, led_row, &led, "i", id);
	if (rc)
		return rc;
	if (led.active) {
		verr_set(e, "lead_author_active", "id",
			 "此人是成果 #%lld 的第一作者，该成果仍在办理中（状态：%s）；"
			 "请在办理结束或更换第一作者后再删除其个人信息",
			 "this person is the lead author of output #%lld, which is still being "
			 "handled (state: %s); erase them once it is closed or has another lead "
			 "author",
			 (long long)led.active, led.state);
		return ERR_CONFLICT;
	}
	r.person_id = id;
	r.org_id = p.org_id;
	/* first the history, while the rows still say which texts were theirs */
	rc = db_each(db, sql_e_remark_ids, db_ids_row, &remarks, "i", id);
	if (!rc)
		rc = erase_history(db, who, &p, &remarks);
	if (rc) {
		free(remarks.ids);
		return rc;
	}
	snprintf(name, sizeof(name), PERSON_ERASED_NAME " #%lld", (long long)id);
	rc = db_exec(db, sql_e_person, "siii", name, now, now, id);
	if (!rc) /* their name, sector, affiliation and title are no longer found */
		rc = search_drop(db, "person", id);
	if (!rc && remarks.n)
		rc = db_exec(db, sql_e_remarks, "ii", now, id);
	for (i = 0; !rc && i < remarks.n; i++)
		rc = search_drop(db, "remark", remarks.ids[i]);
	r.remarks = remarks.n;
	free(remarks.ids);
	/* an empty name is in every text: only a real one is replaced */
	if (!rc && p.name[0]) {
		rc = db_exec(db, sql_e_topics, "ssii", p.name, name, now, id);
		if (!rc)
			r.topics = (size_t)db_changes(db);
		if (!rc)
			rc = db_exec(db, sql_e_commitments, "ssii", p.name, name, now, id);
		if (!rc)
			r.commitments = (size_t)db_changes(db);
	}
	/* the inbox and the e-mails hold their name, address and what they were told */
	if (!rc)
		rc = notify_erase(db, id, p.user_id);
	if (!rc && p.user_id)
		rc = erase_statements(db, who, p.org_id, p.user_id, &r);
	if (!rc && p.user_id)
		rc = erase_account(db, p.user_id, name, now, &r);
	if (!rc)
		rc = erase_audit(db, who, &r);
	if (!rc && out)
		*out = r;
	return rc;
}
