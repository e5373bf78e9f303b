/*
 * output.c - outputs themselves (see output.h): reading one (head, full), who the caller is
 * for it (output_role_of), drafting and changing a draft (with its suggestions, sessions
 * and authors), and lists. The workflow is in workflow.c, handling units in handler.c,
 * adoption in adoption.c, lineage in lineage.c, a session's outcomes in outcomes.c.
 */
#include "output.h"
#include "output_int.h"
#include "escalation.h"
#include "notify.h"
#include "person.h"
#include "rules.h"
#include "session.h"
#include "valid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/utf8.h"
#include "base/util.h"
#include "db/db.h"

static const char *const kinds[] = {"proposal", "opinion_report", "research_report", "speech",
				    "special_report"};

static bool kind_valid(const char *kind)
{
	size_t i;

	for (i = 0; kind && i < ARRAY_LEN(kinds); i++)
		if (strcmp(kind, kinds[i]) == 0)
			return true;
	return false;
}

void output_in_init(struct output_in *in)
{
	memset(in, 0, sizeof(*in));
}

/* --- reading --- */

static void copy_col(char *dst, size_t n, struct db_stmt *st, int i, int *rc)
{
	if (copy_field(dst, n, db_col_text(st, i)))
		*rc = ERR_TOO_BIG;
}

static const char sql_head[] = "SELECT o.id, o.org_id, o.kind, o.state, g.path, o.reopened,"
			       " COALESCE(o.satisfaction, '')"
			       " FROM output o JOIN org g ON g.id = o.org_id WHERE o.id = ?";

int output_head(struct db *db, int64_t id, struct output_head *h)
{
	struct db_stmt *st;
	int rc;

	memset(h, 0, sizeof(*h));
	rc = db_get_row(db, sql_head, &st, "i", id);
	if (rc)
		return rc;
	h->id = db_col_int(st, 0);
	h->org_id = db_col_int(st, 1);
	copy_col(h->kind, sizeof(h->kind), st, 2, &rc);
	copy_col(h->state, sizeof(h->state), st, 3, &rc);
	copy_col(h->org_path, sizeof(h->org_path), st, 4, &rc);
	h->reopened = (int)db_col_int(st, 5);
	copy_col(h->satisfaction, sizeof(h->satisfaction), st, 6, &rc);
	db_done(st);
	return rc;
}

#define OUTPUT_COLS                                                                                \
	"o.id, o.org_id, g.name, o.kind, o.title, o.body, o.state, o.number, o.dated_at,"          \
	" o.cosign_deadline, o.reason, o.reply_due, o.reply_text, o.reply_grade,"                  \
	" o.satisfaction, o.reopened, o.bulletin_issue, o.sent_to, o.instruction_by,"              \
	" o.instruction_text, o.submitted_at, o.accepted_at, o.assigned_at, o.replied_at,"         \
	" o.evaluated_at, o.closed_at, o.created_at, o.updated_at,"                                \
	" (o.state = 'assigned' AND o.reply_due IS NOT NULL AND o.reply_due < ?2),"                \
	" (SELECT COUNT(*) FROM adoption a WHERE a.output_id = o.id)"
static const char sql_get[] = "SELECT " OUTPUT_COLS " FROM output o JOIN org g"
			      " ON g.id = o.org_id WHERE o.id = ?1";
static const char sql_authors[] =
    "SELECT a.person_id, p.name, p.category, a.role, a.confirmed_at IS NOT NULL,"
    " a.confirmed_at FROM output_author a JOIN person p ON p.id = a.person_id"
    " WHERE a.output_id = ? ORDER BY a.role = 'cosigner', p.id";
static const char sql_handlers[] =
    "SELECT h.id, h.name, oh.role, COALESCE(oh.opinion, ''), oh.opinion_at"
    " FROM output_handler oh JOIN handler h ON h.id = oh.handler_id"
    " WHERE oh.output_id = ? ORDER BY oh.role = 'co', h.id";
static const char sql_suggestions[] =
    "SELECT s.id, s.title, s.session_id, se.title FROM output_suggestion os"
    " JOIN suggestion s ON s.id = os.suggestion_id JOIN session se ON se.id = s.session_id"
    " WHERE os.output_id = ? ORDER BY s.id";
static const char sql_sessions[] =
    "SELECT se.id, se.title, se.starts_at FROM output_session os JOIN session se"
    " ON se.id = os.session_id WHERE os.output_id = ? ORDER BY se.starts_at, se.id";
static const char sql_events[] =
    "SELECT e.id, e.at, COALESCE(u.display_name, ''), e.from_state, e.to_state, e.note,"
    " e.data FROM output_event e LEFT JOIN users u ON u.id = e.user_id"
    " WHERE e.output_id = ? ORDER BY e.id";
static const char sql_adoptions[] =
    "SELECT id, kind, title, issuer, reference, date, link, note, created_at FROM adoption"
    " WHERE output_id = ? ORDER BY date, id";

/* --- the typed value --- */

static int64_t time_col(struct db_stmt *st, int i)
{
	return db_col_null(st, i) ? 0 : db_col_int(st, i);
}

void output_init(struct output *o)
{
	memset(o, 0, sizeof(*o));
}

static void release_parts(struct output *o)
{
	size_t i;

	for (i = 0; i < o->nauthors; i++)
		free(o->authors[i].name);
	for (i = 0; i < o->nunits; i++) {
		free(o->units[i].name);
		free(o->units[i].opinion);
	}
	for (i = 0; i < o->nsuggestions; i++) {
		free(o->suggestions[i].title);
		free(o->suggestions[i].session_title);
	}
	for (i = 0; i < o->nsessions; i++)
		free(o->sessions[i].title);
	for (i = 0; i < o->nevents; i++) {
		free(o->events[i].by);
		free(o->events[i].note);
		free(o->events[i].data);
	}
	for (i = 0; i < o->nadoptions; i++) {
		struct output_adoption *a = &o->adoptions[i];

		free(a->title);
		free(a->issuer);
		free(a->reference);
		free(a->link);
		free(a->note);
	}
	free(o->authors);
	free(o->units);
	free(o->suggestions);
	free(o->sessions);
	free(o->events);
	free(o->adoptions);
}

void output_release(struct output *o)
{
	char **texts[] = {&o->org_name,	   &o->title,	       &o->body,
			  &o->number,	   &o->reason,	       &o->reply_text,
			  &o->reply_grade, &o->satisfaction,   &o->bulletin_issue,
			  &o->sent_to,	   &o->instruction_by, &o->instruction_text};
	size_t i;

	if (!o)
		return;
	for (i = 0; i < ARRAY_LEN(texts); i++)
		free(*texts[i]);
	release_parts(o);
	output_init(o);
}

/* read_row fills o from a row of OUTPUT_COLS. */
static int read_row(struct db_stmt *st, struct output *o)
{
	int rc = ERR_OK;

	o->id = db_col_int(st, 0);
	o->org_id = db_col_int(st, 1);
	o->org_name = db_col_dup_rc(st, 2, &rc);
	copy_col(o->kind, sizeof(o->kind), st, 3, &rc);
	o->title = db_col_dup_rc(st, 4, &rc);
	o->body = db_col_dup_rc(st, 5, &rc);
	copy_col(o->state, sizeof(o->state), st, 6, &rc);
	o->number = db_col_dup_rc(st, 7, &rc);
	o->dated_at = time_col(st, 8);
	o->cosign_deadline = time_col(st, 9);
	o->reason = db_col_dup_rc(st, 10, &rc);
	o->reply_due = time_col(st, 11);
	o->reply_text = db_col_dup_rc(st, 12, &rc);
	o->reply_grade = db_col_dup_rc(st, 13, &rc);
	o->satisfaction = db_col_dup_rc(st, 14, &rc);
	o->reopened = db_col_int(st, 15) != 0;
	o->bulletin_issue = db_col_dup_rc(st, 16, &rc);
	o->sent_to = db_col_dup_rc(st, 17, &rc);
	o->instruction_by = db_col_dup_rc(st, 18, &rc);
	o->instruction_text = db_col_dup_rc(st, 19, &rc);
	o->submitted_at = time_col(st, 20);
	o->accepted_at = time_col(st, 21);
	o->assigned_at = time_col(st, 22);
	o->replied_at = time_col(st, 23);
	o->evaluated_at = time_col(st, 24);
	o->closed_at = time_col(st, 25);
	o->created_at = time_col(st, 26);
	o->updated_at = time_col(st, 27);
	o->overdue = db_col_int(st, 28) != 0;
	o->adoption_count = db_col_int(st, 29);
	return rc;
}

#define GROW(arr, n) array_grow(&(arr), &(n), sizeof(*(arr)))

static int author_row(struct db_stmt *st, void *ud)
{
	struct output *o = ud;
	struct output_author *a = GROW(o->authors, o->nauthors);
	int rc = ERR_OK;

	if (!a)
		return ERR_NOMEM;
	a->person_id = db_col_int(st, 0);
	a->name = db_col_dup_rc(st, 1, &rc);
	copy_col(a->category, sizeof(a->category), st, 2, &rc);
	copy_col(a->role, sizeof(a->role), st, 3, &rc);
	a->confirmed = db_col_int(st, 4) != 0;
	a->confirmed_at = time_col(st, 5);
	return rc;
}

static int unit_row(struct db_stmt *st, void *ud)
{
	struct output *o = ud;
	struct output_unit *u = GROW(o->units, o->nunits);
	int rc = ERR_OK;

	if (!u)
		return ERR_NOMEM;
	u->id = db_col_int(st, 0);
	u->name = db_col_dup_rc(st, 1, &rc);
	copy_col(u->role, sizeof(u->role), st, 2, &rc);
	u->opinion = db_col_dup_rc(st, 3, &rc);
	u->opinion_at = time_col(st, 4);
	return rc;
}

static int suggestion_row(struct db_stmt *st, void *ud)
{
	struct output *o = ud;
	struct output_suggestion *g = GROW(o->suggestions, o->nsuggestions);
	int rc = ERR_OK;

	if (!g)
		return ERR_NOMEM;
	g->id = db_col_int(st, 0);
	g->title = db_col_dup_rc(st, 1, &rc);
	g->session_id = db_col_int(st, 2);
	g->session_title = db_col_dup_rc(st, 3, &rc);
	return rc;
}

static int session_row(struct db_stmt *st, void *ud)
{
	struct output *o = ud;
	struct output_session *x = GROW(o->sessions, o->nsessions);
	int rc = ERR_OK;

	if (!x)
		return ERR_NOMEM;
	x->id = db_col_int(st, 0);
	x->title = db_col_dup_rc(st, 1, &rc);
	x->starts_at = time_col(st, 2);
	return rc;
}

static int event_row(struct db_stmt *st, void *ud)
{
	struct output *o = ud;
	struct output_event *v = GROW(o->events, o->nevents);
	int rc = ERR_OK;

	if (!v)
		return ERR_NOMEM;
	v->id = db_col_int(st, 0);
	v->at = time_col(st, 1);
	v->by = db_col_dup_rc(st, 2, &rc);
	copy_col(v->from, sizeof(v->from), st, 3, &rc);
	copy_col(v->to, sizeof(v->to), st, 4, &rc);
	v->note = db_col_dup_rc(st, 5, &rc);
	v->data = db_col_dup_rc(st, 6, &rc);
	return rc;
}

static int adoption_row(struct db_stmt *st, void *ud)
{
	struct output *o = ud;
	struct output_adoption *a = GROW(o->adoptions, o->nadoptions);
	int rc = ERR_OK;

	if (!a)
		return ERR_NOMEM;
	a->id = db_col_int(st, 0);
	copy_col(a->kind, sizeof(a->kind), st, 1, &rc);
	a->title = db_col_dup_rc(st, 2, &rc);
	a->issuer = db_col_dup_rc(st, 3, &rc);
	a->reference = db_col_dup_rc(st, 4, &rc);
	copy_col(a->date, sizeof(a->date), st, 5, &rc);
	a->link = db_col_dup_rc(st, 6, &rc);
	a->note = db_col_dup_rc(st, 7, &rc);
	a->created_at = time_col(st, 8);
	return rc;
}

int output_get(struct db *db, int64_t id, struct output *o)
{
	struct db_stmt *st;
	int rc;

	output_init(o);
	rc = db_get_row(db, sql_get, &st, "ii", id, time_now());
	if (rc)
		return rc;
	rc = read_row(st, o);
	db_done(st);
	o->full = true;
	if (!rc)
		rc = db_each(db, sql_authors, author_row, o, "i", id);
	if (!rc)
		rc = db_each(db, sql_handlers, unit_row, o, "i", id);
	if (!rc)
		rc = db_each(db, sql_suggestions, suggestion_row, o, "i", id);
	if (!rc)
		rc = db_each(db, sql_sessions, session_row, o, "i", id);
	if (!rc)
		rc = db_each(db, sql_events, event_row, o, "i", id);
	if (!rc)
		rc = db_each(db, sql_adoptions, adoption_row, o, "i", id);
	return rc;
}

/* readable: may a read session id (session_authorize, AUTHZ_READ)? *ok false when not,
 * or when it is not there. */
static int readable(struct db *db, const struct actor *a, int64_t id, bool *ok)
{
	int rc = session_authorize(db, a, id, AUTHZ_READ, NULL);

	*ok = rc == ERR_OK;
	return rc == ERR_NOT_FOUND || rc == ERR_AUTH || rc == ERR_FORBIDDEN ? ERR_OK : rc;
}

/* drop_unreadable takes out of o's lists the suggestions and sessions a may not read. */
static int drop_unreadable(struct db *db, const struct actor *a, struct output *o)
{
	size_t i, n = 0;
	bool ok;
	int rc = ERR_OK;

	for (i = 0; !rc && i < o->nsuggestions; i++) {
		rc = readable(db, a, o->suggestions[i].session_id, &ok);
		if (!rc && ok) {
			o->suggestions[n++] = o->suggestions[i];
			continue;
		}
		free(o->suggestions[i].title);
		free(o->suggestions[i].session_title);
	}
	for (; i < o->nsuggestions; i++)
		o->suggestions[n++] = o->suggestions[i];
	o->nsuggestions = n;
	n = 0;
	for (i = 0; !rc && i < o->nsessions; i++) {
		rc = readable(db, a, o->sessions[i].id, &ok);
		if (!rc && ok) {
			o->sessions[n++] = o->sessions[i];
			continue;
		}
		free(o->sessions[i].title);
	}
	for (; i < o->nsessions; i++)
		o->sessions[n++] = o->sessions[i];
	o->nsessions = n;
	return rc;
}

/* hide_opinions empties the co-handlers' opinions for a reader who is neither staff of the
 * output's body nor one of its handling units (they are the units' internal exchange). */
static int hide_opinions(struct db *db, const struct actor *a, struct output *o)
{
	struct output_head h;
	size_t i;
	int rc = output_head(db, o->id, &h);

	if (rc)
		return rc;
	if (output_role_of(db, a, &h) & (OROLE_STAFF | OROLE_HANDLER))
		return ERR_OK;
	for (i = 0; i < o->nunits; i++) {
		o->units[i].opinion[0] = '\0';
		o->units[i].opinion_at = 0;
	}
	return ERR_OK;
}

int output_read(struct db *db, const struct actor *a, int64_t id, struct output *o)
{
	int rc = output_get(db, id, o);

	if (!rc)
		rc = drop_unreadable(db, a, o);
	return rc ? rc : hide_opinions(db, a, o);
}

/* audit_json is what the audit log keeps of an output: its text and links (internal). */
static json_t *audit_json(const struct output *o)
{
	json_t *authors = json_array(), *sugs = json_array(), *sess = json_array();
	size_t i;

	for (i = 0; i < o->nauthors; i++)
		json_array_append_new(authors, json_pack("{sI ss}", "person_id",
							 (json_int_t)o->authors[i].person_id,
							 "role", o->authors[i].role));
	for (i = 0; i < o->nsuggestions; i++)
		json_array_append_new(sugs, json_integer((json_int_t)o->suggestions[i].id));
	for (i = 0; i < o->nsessions; i++)
		json_array_append_new(sess, json_integer((json_int_t)o->sessions[i].id));
	return json_pack("{sI ss ss ss ss sI so so so}", "id", (json_int_t)o->id, "kind", o->kind,
			 "state", o->state, "title", o->title, "body", o->body, "dated_at",
			 (json_int_t)o->dated_at, "authors", authors, "suggestion_ids", sugs,
			 "session_ids", sess);
}

/* --- who the actor is for an output --- */

static const char sql_is_author[] =
    "SELECT a.role FROM output_author a JOIN person p ON p.id = a.person_id"
    " WHERE a.output_id = ? AND p.user_id = ?";
static const char sql_is_handler[] =
    "SELECT role FROM output_handler WHERE output_id = ? AND handler_id = ?";

/* role_lookup reads the role of who for output id with sql; "" when none. */
static int role_lookup(struct db *db, const char *sql, int64_t id, int64_t who, char *role,
		       size_t n)
{
	struct db_stmt *st;
	int rc;

	role[0] = '\0';
	rc = db_get_row(db, sql, &st, "ii", id, who);
	if (rc == ERR_NOT_FOUND)
		return ERR_OK;
	if (rc)
		return rc;
	copy_col(role, n, st, 0, &rc);
	db_done(st);
	return rc;
}

int output_role_of(struct db *db, const struct actor *a, const struct output_head *h)
{
	const char *scope = scope_path(a);
	char role[16];
	int r = 0;

	if (a->via == AUTH_SYSTEM)
		return OROLE_READER | OROLE_STAFF | OROLE_LEAD_AUTHOR | OROLE_AUTHOR |
		       OROLE_LEAD_HANDLER | OROLE_HANDLER;
	if (a->via == AUTH_NONE)
		return OROLE_NONE;
	if (strncmp(h->org_path, scope, strlen(scope)) == 0) {
		/* a draft is its authors' and the staff's until it is submitted */
		if (a->role >= ROLE_ORGANIZER)
			r |= OROLE_READER | OROLE_STAFF;
		else if (actor_reads_as_staff(a) || strcmp(h->state, "draft") != 0)
			r |= OROLE_READER; /* leaders read as the staff do, drafts too */
	}
	if (a->user.id &&
	    role_lookup(db, sql_is_author, h->id, a->user.id, role, sizeof(role)) == ERR_OK &&
	    role[0]) {
		r |= OROLE_READER | OROLE_AUTHOR;
		if (strcmp(role, "lead") == 0)
			r |= OROLE_LEAD_AUTHOR;
	}
	if (a->user.handler_id &&
	    role_lookup(db, sql_is_handler, h->id, a->user.handler_id, role, sizeof(role)) ==
		ERR_OK &&
	    role[0]) {
		r |= OROLE_READER | OROLE_HANDLER;
		if (strcmp(role, "lead") == 0)
			r |= OROLE_LEAD_HANDLER;
	}
	/* an output escalated to a's body is read there (escalation.c: never a draft) */
	if (!(r & OROLE_READER) && escalation_reads(db, a, h))
		r |= OROLE_READER;
	/* an admin may record what an author said on paper */
	if ((r & OROLE_STAFF) && a->role == ROLE_ADMIN)
		r |= OROLE_LEAD_AUTHOR;
	return r;
}

int output_authorize(struct db *db, const struct actor *a, int64_t id, enum authz_op op,
		     struct output_head *out, int *role)
{
	struct output_head h;
	int r, rc;

	if (role)
		*role = OROLE_NONE;
	rc = id > 0 ? output_head(db, id, &h) : ERR_NOT_FOUND;
	if (rc == ERR_NOT_FOUND)
		return authz_decide(a, false, false);
	if (rc)
		return rc;
	r = output_role_of(db, a, &h);
	if (out)
		*out = h;
	if (role)
		*role = r;
	return authz_decide(a, (r & OROLE_READER) != 0,
			    op == AUTHZ_READ ? (r & OROLE_READER) != 0
					     : (r & (OROLE_STAFF | OROLE_LEAD_AUTHOR)) != 0);
}

/* --- writing --- */

static const char sql_insert[] =
    "INSERT INTO output (org_id, kind, title, body, dated_at, cosign_deadline, created_by,"
    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, NULLIF(CAST(? AS BIGINT), 0), ?, ?)";
static const char sql_update[] = "UPDATE output SET title = ?, body = ?, dated_at = ?,"
				 " cosign_deadline = ?, updated_at = ? WHERE id = ?";
static const char sql_sug_info[] =
    "SELECT s.session_id, s.title, s.body, o.path FROM suggestion s JOIN org o"
    " ON o.id = s.org_id WHERE s.id = ?";
static const char sql_sug_session[] = "SELECT session_id FROM suggestion WHERE id = ?";
static const char sql_person_path[] = "SELECT o.path FROM person p JOIN org o ON o.id = p.org_id"
				      " WHERE p.id = ?";
static const char sql_del_sug[] = "DELETE FROM output_suggestion WHERE output_id = ?";
static const char sql_del_ses[] = "DELETE FROM output_session WHERE output_id = ?";
static const char sql_del_auth[] = "DELETE FROM output_author WHERE output_id = ?";
static const char sql_add_sug[] = "INSERT INTO output_suggestion (output_id,"
				  " suggestion_id) VALUES (?, ?) ON CONFLICT DO NOTHING";
static const char sql_add_ses[] = "INSERT INTO output_session (output_id, session_id)"
				  " VALUES (?, ?) ON CONFLICT DO NOTHING";
static const char sql_add_sug_session[] =
    "INSERT INTO output_session (output_id, session_id)"
    " SELECT ?1, session_id FROM suggestion WHERE id = ?2 ON CONFLICT DO NOTHING";
static const char sql_add_auth[] =
    "INSERT INTO output_author (output_id, person_id, role, confirmed_at) VALUES (?, ?, ?, ?)";
static const char sql_add_sug_sessions[] =
    "INSERT INTO output_session (output_id, session_id)"
    " SELECT ?1, s.session_id FROM output_suggestion os JOIN suggestion s"
    " ON s.id = os.suggestion_id WHERE os.output_id = ?1 ON CONFLICT DO NOTHING";
static const char sql_delete[] = "DELETE FROM output WHERE id = ?";
static const char sql_attended[] =
    "SELECT 1 FROM session s WHERE s.id = ?1 AND (EXISTS (SELECT 1 FROM invitation i"
    " WHERE i.session_id = s.id AND i.person_id = ?2 AND i.attended = TRUE)"
    " OR EXISTS (SELECT 1 FROM remark r WHERE r.session_id = s.id AND r.person_id = ?2))";

int output_path_of(struct db *db, const char *sql, int64_t id, char *out, size_t n)
{
	struct db_stmt *st;
	int rc;

	out[0] = '\0';
	rc = db_get_row(db, sql, &st, "i", id);
	if (rc == ERR_NOT_FOUND)
		return ERR_OK;
	if (rc)
		return rc;
	copy_col(out, n, st, 0, &rc);
	db_done(st);
	return rc;
}

bool output_related(const char *p, const char *org_path)
{
	return p[0] && (strncmp(p, org_path, strlen(org_path)) == 0 ||
			strncmp(org_path, p, strlen(p)) == 0);
}

/* linkable: who may read session_id (session_authorize, the one path) and it belongs to
 * org_path's branch (its body, below or above it). Anything else is as if it did not
 * exist: *ok false. */
static int linkable(struct db *db, const struct actor *who, const char *org_path,
		    int64_t session_id, bool *ok)
{
	struct session_head sh;
	int rc = session_authorize(db, who, session_id, AUTHZ_READ, &sh);

	*ok = false;
	if (rc == ERR_NOT_FOUND || rc == ERR_AUTH || rc == ERR_FORBIDDEN)
		return ERR_OK;
	if (rc)
		return rc;
	*ok = output_related(sh.org_path, org_path);
	return ERR_OK;
}

/* check_links: every suggestion and session linked must be one who may read (through its
 * session) in the output's branch; every author a person of the registry who may read. */
static int check_links(struct db *db, const struct actor *who, const char *org_path,
		       const struct output_in *in, struct verr *e)
{
	char path[128];
	size_t i;
	bool ok;
	int rc;

	for (i = 0; in->suggestions && i < in->nsuggestions; i++) {
		int64_t session_id = 0;

		rc = db_get_int(db, sql_sug_session, &session_id, "i", in->suggestions[i]);
		ok = false;
		if (rc == ERR_OK)
			rc = linkable(db, who, org_path, session_id, &ok);
		if (rc && rc != ERR_NOT_FOUND)
			return rc;
		if (!ok)
			return verr_set(e, "invalid", "suggestion_ids", "建议 %lld 不存在",
					"suggestion %lld does not exist",
					(long long)in->suggestions[i]);
	}
	for (i = 0; in->sessions && i < in->nsessions; i++) {
		rc = linkable(db, who, org_path, in->sessions[i], &ok);
		if (rc)
			return rc;
		if (!ok)
			return verr_set(e, "invalid", "session_ids", "深聊会 %lld 不存在",
					"session %lld does not exist", (long long)in->sessions[i]);
	}
	for (i = 0; in->authors && i < in->nauthors; i++) {
		size_t k;

		if (strcmp(in->authors[i].role, "lead") != 0 &&
		    strcmp(in->authors[i].role, "cosigner") != 0)
			return verr_set(e, "invalid", "authors",
					"作者角色须为 lead（领衔）或 cosigner（联名）",
					"an author's role must be lead or cosigner");
		for (k = 0; k < i; k++)
			if (in->authors[k].person_id == in->authors[i].person_id)
				return verr_set(e, "invalid", "authors", "同一作者列了两次",
						"an author is listed twice");
		rc = output_path_of(db, sql_person_path, in->authors[i].person_id, path,
				    sizeof(path));
		if (rc)
			return rc;
		/* a person who may not read (person_authorize's rule) is not in their registry */
		if (!path[0] || strncmp(path, scope_path(who), strlen(scope_path(who))) != 0)
			return verr_set(e, "invalid", "authors", "作者 %lld 不在人员库中",
					"author %lld is not in the people registry",
					(long long)in->authors[i].person_id);
	}
	return ERR_OK;
}

static int count_leads(const struct output_in *in)
{
	size_t i;
	int n = 0;

	for (i = 0; in->authors && i < in->nauthors; i++)
		n += strcmp(in->authors[i].role, "lead") == 0;
	return n;
}

int output_check_kind(const char *kind, const char *body, int leads, struct verr *e)
{
	size_t chars = utf8_count(body, strlen(body));

	if (strcmp(kind, "opinion_report") == 0 && chars > OPINION_REPORT_MAX_CHARS)
		return verr_set(e, "too_long", "body",
				"社情民意信息最多 %d 字，现为 %zu 字，请精简 %zu 字",
				"an opinion report has at most %d characters; this one has %zu "
				"(%zu too many)",
				OPINION_REPORT_MAX_CHARS, chars, chars - OPINION_REPORT_MAX_CHARS);
	if (strcmp(kind, "proposal") == 0 && leads != 1)
		return verr_set(e, "invalid", "authors",
				leads ? "提案只能有一位领衔人" : "提案需要一位领衔人",
				leads ? "a proposal has exactly one lead author"
				      : "a proposal needs a lead author (role: lead)");
	return ERR_OK;
}

/* prefill writes the draft text made from the suggestions into out. */
static int prefill(struct db *db, const struct output_in *in, struct buf *out)
{
	size_t i;
	int rc = ERR_OK;

	for (i = 0; !rc && i < in->nsuggestions; i++) {
		struct db_stmt *st;

		if (db_get_row(db, sql_sug_info, &st, "i", in->suggestions[i]) != ERR_OK)
			continue; /* checked before */
		rc = buf_printf(out, "%s%zu. %s\n%s\n", i ? "\n" : "", i + 1, db_col_text(st, 1),
				db_col_text(st, 2));
		db_done(st);
	}
	return rc;
}

/* confirmed_before is when person confirmed co-signing output before (0: not, or no
 * before). */
static int64_t confirmed_before(const struct output *before, int64_t person)
{
	size_t i;

	for (i = 0; before && i < before->nauthors; i++)
		if (before->authors[i].person_id == person &&
		    strcmp(before->authors[i].role, "cosigner") == 0)
			return before->authors[i].confirmed_at;
	return 0;
}

/* set_links stores the links in names: each list (suggestions, sessions, authors) is
 * replaced only when in gives it, so an edit that names none keeps them all; a suggestion
 * brings its session along. A co-signer who stays keeps their confirmation (before: the
 * output as it was, NULL for a new one). */
static int set_links(struct db *db, int64_t id, const struct output *before,
		     const struct output_in *in)
{
	size_t i;
	int rc = ERR_OK;

	if (in->suggestions) {
		rc = db_exec(db, sql_del_sug, "i", id);
		for (i = 0; !rc && i < in->nsuggestions; i++) {
			rc = db_exec(db, sql_add_sug, "ii", id, in->suggestions[i]);
			if (!rc)
				rc = db_exec(db, sql_add_sug_session, "ii", id, in->suggestions[i]);
		}
	}
	if (!rc && in->sessions) {
		rc = db_exec(db, sql_del_ses, "i", id);
		for (i = 0; !rc && i < in->nsessions; i++)
			rc = db_exec(db, sql_add_ses, "ii", id, in->sessions[i]);
		if (!rc)
			rc = db_exec(db, sql_add_sug_sessions, "i", id);
	}
	if (!rc && in->authors) {
		rc = db_exec(db, sql_del_auth, "i", id);
		/* the lead author signs by leading; co-signers confirm themselves */
		for (i = 0; !rc && i < in->nauthors; i++)
			rc = db_exec(db, sql_add_auth, "iisz", id, in->authors[i].person_id,
				     in->authors[i].role,
				     strcmp(in->authors[i].role, "lead") == 0
					 ? time_now()
					 : confirmed_before(before, in->authors[i].person_id));
	}
	return rc;
}

/* notify_cosigners asks every co-signer of now who has not confirmed and was not one in
 * before (NULL: a new output) to co-sign. */
static int notify_cosigners(struct db *db, const struct output *now, const struct output *before)
{
	char link[40];
	size_t i, k;
	int rc = ERR_OK;

	snprintf(link, sizeof(link), "/outputs/%lld", (long long)now->id);
	for (i = 0; !rc && i < now->nauthors; i++) {
		const struct output_author *a = &now->authors[i];
		bool known = false;

		if (strcmp(a->role, "cosigner") != 0 || a->confirmed)
			continue;
		for (k = 0; before && k < before->nauthors; k++)
			known = known || before->authors[k].person_id == a->person_id;
		if (!known)
			rc = notify_person(db, now->org_id, a->person_id, "cosign_request",
					   now->title, link);
	}
	return rc;
}

bool output_staff(const struct actor *a)
{
	return a->via == AUTH_SYSTEM || a->role >= ROLE_ORGANIZER;
}

int output_authorize_draft(const struct actor *a)
{
	return authz_decide(a, true,
			    output_staff(a) || (a->via != AUTH_NONE && a->role >= ROLE_MEMBER &&
						!a->user.handler_id));
}

/* The input of a member's draft, made from what they sent (as_author). */
struct author_fix {
	struct output_in in;
	struct output_author_in authors[65];
};

/* attended_ok: did person attend session_id (invited and present, or spoke in it)? */
static int attended_ok(struct db *db, int64_t session_id, int64_t person, bool *ok)
{
	int64_t one;
	int rc = db_get_int(db, sql_attended, &one, "ii", session_id, person);

	*ok = rc == ERR_OK;
	return rc == ERR_NOT_FOUND ? ERR_OK : rc;
}

int output_authorize_draft_from(struct db *db, const struct actor *a, int64_t session_id)
{
	struct person p;
	bool ok = false;
	int rc = output_authorize_draft(a);

	if (rc)
		return rc;
	if (output_staff(a))
		return session_authorize(db, a, session_id, AUTHZ_WRITE, NULL);
	rc = a->user.id ? person_find_by_user(db, a->user.id, &p) : ERR_NOT_FOUND;
	if (rc && rc != ERR_NOT_FOUND)
		return rc;
	if (!rc) {
		rc = attended_ok(db, session_id, p.id, &ok);
		if (rc)
			return rc;
	}
	return authz_decide(a, true, ok);
}

/* as_author makes f->in what member who may draft from in (see output_create): for staff
 * f->in is in. kind is the output's kind; create: a new output (its authors are made even
 * when in names none). */
static int as_author(struct db *db, const struct actor *who, const char *kind,
		     const struct output_in *in, bool create, struct author_fix *f, struct verr *e)
{
	struct person p;
	size_t i, n = 0;
	bool ok;
	int rc;

	f->in = *in;
	if (output_staff(who))
		return ERR_OK;
	rc = output_authorize_draft(who);
	if (rc)
		return rc;
	rc = who->user.id ? person_find_by_user(db, who->user.id, &p) : ERR_NOT_FOUND;
	if (rc == ERR_NOT_FOUND) {
		verr_set(e, "not_linked", NULL,
			 "您的账号未关联人员库中的人员，请联系管理员关联后再起草",
			 "your account is not linked to a person of the registry; ask an "
			 "administrator to link it first");
		return ERR_FORBIDDEN;
	}
	if (rc)
		return rc;
	if (kind && strcmp(kind, "special_report") == 0) {
		verr_set(e, "kind_not_allowed", "kind", "专报由组织者起草",
			 "special reports are drafted by the organizers");
		return ERR_FORBIDDEN;
	}
	for (i = 0; in->suggestions && i < in->nsuggestions; i++) {
		int64_t session_id;

		rc = db_get_int(db, sql_sug_session, &session_id, "i", in->suggestions[i]);
		if (rc == ERR_NOT_FOUND)
			continue; /* check_links answers it */
		if (!rc)
			rc = attended_ok(db, session_id, p.id, &ok);
		if (rc)
			return rc;
		/* one they may not read is answered as missing, by check_links */
		if (!ok && session_authorize(db, who, session_id, AUTHZ_READ, NULL) != ERR_OK)
			continue;
		if (!ok)
			return verr_set(e, "not_attended", "suggestion_ids",
					"您没有参加建议 %lld 所在的深聊会",
					"you did not take part in the session of suggestion %lld",
					(long long)in->suggestions[i]);
	}
	for (i = 0; in->sessions && i < in->nsessions; i++) {
		rc = attended_ok(db, in->sessions[i], p.id, &ok);
		if (rc)
			return rc;
		if (!ok && session_authorize(db, who, in->sessions[i], AUTHZ_READ, NULL) != ERR_OK)
			continue;
		if (!ok)
			return verr_set(e, "not_attended", "session_ids", "您没有参加深聊会 %lld",
					"you did not take part in session %lld",
					(long long)in->sessions[i]);
	}
	if (!create && !in->authors)
		return ERR_OK;
	/* the member leads; the co-signers they name co-sign */
	memset(&f->authors[n], 0, sizeof(f->authors[n]));
	f->authors[n].person_id = p.id;
	snprintf(f->authors[n].role, sizeof(f->authors[n].role), "lead");
	n++;
	for (i = 0; in->authors && i < in->nauthors && n < ARRAY_LEN(f->authors); i++) {
		/* another lead named is not theirs to name; a role neither lead nor cosigner is
		 * refused by check_links */
		if (in->authors[i].person_id == p.id || strcmp(in->authors[i].role, "lead") == 0)
			continue;
		f->authors[n++] = in->authors[i];
	}
	f->in.authors = f->authors;
	f->in.nauthors = n;
	return ERR_OK;
}

/* draft_body fills body with the draft's text (given, or made from the suggestions) and
 * checks everything about a new output of org_id (read-only). */
static int draft_body(struct db *db, const struct actor *who, int64_t org_id,
		      const struct output_in *in, struct buf *body, struct verr *e)
{
	struct org org;
	int rc;

	if (!in->kind)
		return verr_set(e, "required", "kind", "请选择成果类型", "kind is required");
	if (!kind_valid(in->kind))
		return verr_set(e, "invalid", "kind",
				"成果类型须为 proposal、opinion_report、research_report、speech 或 "
				"special_report",
				"kind must be proposal, opinion_report, research_report, speech or "
				"special_report");
	if (!in->title)
		return verr_set(e, "required", "title", "请填写标题", "title is required");
	rc = text_check(in->title, "title", 1, 200, e);
	if (rc)
		return rc;
	rc = org_get(db, org_id, &org);
	if (!rc)
		rc = check_links(db, who, org.path, in, e);
	if (rc)
		return rc;
	if (in->body && *in->body)
		rc = buf_puts(body, in->body);
	else
		rc = prefill(db, in, body);
	if (rc == ERR_TOO_BIG)
		rc = verr_set(e, "too_long", "body", "正文过长", "the body is too long");
	if (!rc)
		rc = text_check(buf_cstr(body), "body", 0, 200000, e);
	if (!rc)
		rc = output_check_kind(in->kind, buf_cstr(body), count_leads(in), e);
	return rc;
}

int output_create_check(struct db *db, const struct actor *who, int64_t org_id,
			const struct output_in *in, struct verr *e)
{
	struct author_fix f;
	struct buf body;
	int rc;

	rc = as_author(db, who, in->kind, in, true, &f, e);
	if (rc)
		return rc;
	buf_init(&body, 1 << 20);
	rc = draft_body(db, who, org_id, &f.in, &body, e);
	buf_fini(&body);
	return rc;
}

/* cosign_due is the co-signing deadline of a draft of org_id that names none: the work
 * rules' cosign_days from now (7 when they cannot be read). */
static int64_t cosign_due(struct db *db, int64_t org_id, int64_t now)
{
	struct rules rules;
	int days = 7;

	if (rules_in_force_of(db, org_id, &rules) == ERR_OK) {
		days = rules_cosign_days(&rules);
		rules_release(&rules);
	}
	return now + (int64_t)days * 86400;
}

int output_create(struct db *db, const struct actor *who, int64_t org_id,
		  const struct output_in *in, int64_t *id, struct verr *e)
{
	struct author_fix f;
	struct buf body;
	struct output o;
	int64_t now = time_now();
	json_t *after;
	int rc;

	rc = as_author(db, who, in->kind, in, true, &f, e);
	if (rc)
		return rc;
	in = &f.in;
	buf_init(&body, 1 << 20);
	rc = draft_body(db, who, org_id, in, &body, e);
	if (!rc)
		rc =
		    db_exec(db, sql_insert, "isssiiiii", org_id, in->kind, in->title,
			    buf_cstr(&body), in->dated_at ? in->dated_at : now,
			    in->cosign_deadline ? in->cosign_deadline : cosign_due(db, org_id, now),
			    who->user.id, now, now);
	buf_fini(&body);
	if (rc)
		return rc;
	*id = db_last_id(db);
	rc = set_links(db, *id, NULL, in);
	if (rc)
		return rc;
	rc = output_get(db, *id, &o);
	after = rc ? NULL : audit_json(&o);
	if (!rc)
		rc = notify_cosigners(db, &o, NULL);
	if (!rc) /* found by its title and text, by who may read it (search.c) */
		rc = search_put(db, "output", *id, 0, org_id, o.title, o.body);
	output_release(&o);
	if (!rc)
		rc = audit_write(db, who, org_id, "output.create", "output", *id, NULL, after);
	json_decref(after);
	return rc;
}

/* check_update checks changing draft h (whose full value is before) with in (read-only). */
static int check_update(struct db *db, const struct actor *who, const struct output_head *h,
			const struct output *before, const struct output_in *in, struct verr *e)
{
	const char *title = in->title ? in->title : before->title;
	const char *body = in->body ? in->body : before->body;
	int rc, leads = 0;
	size_t i;

	if (strcmp(h->state, "draft") != 0)
		return verr_set(e, "not_draft", "state", "成果已提交（%s），不能再修改",
				"%.0sthe output was submitted (%s) and can no longer be changed",
				code_zh("output", h->state), h->state),
		       ERR_CONFLICT;
	if (in->kind && strcmp(in->kind, h->kind) != 0)
		return verr_set(e, "invalid", "kind", "成果类型不能修改", "the kind cannot change");
	rc = text_check(title, "title", 1, 200, e);
	if (!rc)
		rc = text_check(body, "body", 0, 200000, e);
	if (!rc)
		rc = check_links(db, who, h->org_path, in, e);
	if (in->authors)
		leads = count_leads(in);
	else
		for (i = 0; i < before->nauthors; i++)
			leads += strcmp(before->authors[i].role, "lead") == 0;
	if (!rc)
		rc = output_check_kind(h->kind, body, leads, e);
	return rc;
}

int output_update_check(struct db *db, const struct actor *who, const struct output_head *h,
			const struct output_in *in, struct verr *e)
{
	struct author_fix f;
	struct output before;
	int rc = output_get(db, h->id, &before);

	if (!rc)
		rc = as_author(db, who, h->kind, in, false, &f, e);
	if (!rc)
		rc = check_update(db, who, h, &before, &f.in, e);
	output_release(&before);
	return rc;
}

int output_update(struct db *db, const struct actor *who, int64_t id, const struct output_in *in,
		  struct verr *e)
{
	struct author_fix f;
	struct output before, now;
	struct output_head h;
	const char *title, *body;
	int64_t dated, deadline;
	json_t *b = NULL, *a = NULL;
	int rc;

	output_init(&now);
	rc = output_get(db, id, &before);
	if (!rc)
		rc = output_head(db, id, &h);
	if (!rc)
		rc = as_author(db, who, h.kind, in, false, &f, e);
	if (!rc) {
		in = &f.in;
		rc = check_update(db, who, &h, &before, in, e);
	}
	if (rc)
		goto out;
	title = in->title ? in->title : before.title;
	body = in->body ? in->body : before.body;
	dated = in->dated_at ? in->dated_at : before.dated_at ? before.dated_at : time_now();
	deadline = in->cosign_deadline	    ? in->cosign_deadline
		   : before.cosign_deadline ? before.cosign_deadline
					    : cosign_due(db, h.org_id, time_now());
	rc = db_exec(db, sql_update, "ssiiii", title, body, dated, deadline, time_now(), id);
	if (!rc)
		rc = set_links(db, id, &before, in);
	if (rc)
		goto out;
	rc = output_get(db, id, &now);
	if (!rc)
		rc = search_put(db, "output", id, 0, h.org_id, now.title, now.body);
	if (!rc) {
		b = audit_json(&before);
		a = audit_json(&now);
		rc = audit_write(db, who, h.org_id, "output.update", "output", id, b, a);
	}
	if (!rc)
		rc = notify_cosigners(db, &now, &before);
	output_release(&now);
out:
	json_decref(b);
	json_decref(a);
	output_release(&before);
	return rc;
}

int output_delete_check(struct db *db, int64_t id, struct verr *e)
{
	struct output_head h;
	int rc = output_head(db, id, &h);

	if (rc)
		return rc;
	if (strcmp(h.state, "draft") != 0)
		return verr_set(e, "not_draft", "state", "成果已提交（%s），不能删除",
				"%.0sthe output was submitted (%s) and can no longer be deleted",
				code_zh("output", h.state), h.state),
		       ERR_CONFLICT;
	return ERR_OK;
}

int output_delete(struct db *db, const struct actor *who, int64_t id, struct verr *e)
{
	struct output before;
	json_t *b;
	int rc = output_delete_check(db, id, e);

	if (rc)
		return rc;
	rc = output_get(db, id, &before);
	if (!rc)
		rc = db_exec(db, sql_delete, "i", id);
	if (!rc) /* a deleted draft is found by nobody */
		rc = search_drop(db, "output", id);
	if (!rc) {
		b = audit_json(&before);
		rc = audit_write(db, who, before.org_id, "output.delete", "output", id, b, NULL);
		json_decref(b);
	}
	output_release(&before);
	return rc;
}

/* --- lists --- */

static const char sql_list[] =
    "SELECT " OUTPUT_COLS " FROM output o JOIN org g ON g.id = o.org_id"
    " WHERE o.id > ?1"
    " AND ((substr(g.path, 1, length(?3)) = ?3 AND (o.state <> 'draft' OR ?13 != 0))"
    "  OR (CAST(?4 AS BIGINT) != 0 AND EXISTS (SELECT 1 FROM output_handler oh WHERE oh.output_id "
    "= o.id"
    "   AND oh.handler_id = ?4))"
    "  OR (CAST(?5 AS BIGINT) != 0 AND EXISTS (SELECT 1 FROM output_author a JOIN person p"
    "   ON p.id = a.person_id WHERE a.output_id = o.id AND p.user_id = ?5)))"
    " AND (CAST(?6 AS TEXT) IS NULL OR o.kind = ?6)"
    " AND (CAST(?7 AS TEXT) IS NULL OR o.state = ?7)"
    " AND (?8 = 0 OR (o.dated_at >= ?9 AND o.dated_at < ?10))"
    " AND (?11 = 0 OR (o.state = 'assigned' AND o.reply_due < ?2))"
    " ORDER BY o.id LIMIT ?12";

static int list_row(struct db_stmt *st, void *ud)
{
	struct output_list *l = ud;
	struct output *o = GROW(l->items, l->n);

	return o ? read_row(st, o) : ERR_NOMEM;
}

int output_list(struct db *db, const struct actor *a, const struct output_filter *f, int64_t after,
		int limit, struct output_list *l)
{
	int64_t from = 0, to = 0;

	memset(l, 0, sizeof(*l));
	if (f->year) {
		char y0[24], y1[24];

		snprintf(y0, sizeof(y0), "%04d-01-01", f->year);
		snprintf(y1, sizeof(y1), "%04d-01-01", f->year + 1);
		if (time_parse(y0, &from) || time_parse(y1, &to))
			return ERR_INVALID;
	}
	return db_each(db, sql_list, list_row, l, "iisiissniinnn", after, time_now(), scope_path(a),
		       a->user.handler_id, a->user.id, f->kind, f->state, f->year, from, to,
		       (int)f->overdue, limit, (int)actor_reads_as_staff(a));
}

void output_list_release(struct output_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		output_release(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}
