/*
 * lineage.c - an output's chain back to where it came from: its suggestions with their
 * sessions and sources (remarks, statements), and forward: its events and adoptions (read
 * with the output itself).
 */
#include "output.h"
#include "output_int.h"
#include "session.h"
#include "valid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "db/db.h"

/* a suggestion's sources: remarks (with their speaker) and opinion-map statements (their
 * text; no speaker, the statement's author is not shown) */
static const char sql_sug_sources[] =
    "SELECT ss.kind, ss.source_id, COALESCE(r.body, st.text, ''), COALESCE(p.name, ''),"
    " ss.kind = 'statement', COALESCE(p.sector, ''), COALESCE(p.category, ''),"
    " COALESCE(o.path, ''), COALESCE(p.public_name, TRUE)"
    " FROM suggestion_source ss LEFT JOIN remark r ON ss.kind = 'remark' AND r.id = ss.source_id"
    " LEFT JOIN statement st ON ss.kind = 'statement' AND st.id = ss.source_id"
    " LEFT JOIN person p ON p.id = r.person_id LEFT JOIN org o ON o.id = p.org_id"
    " WHERE ss.suggestion_id = ? ORDER BY ss.source_id";
static const char sql_session_brief[] =
    "SELECT s.id, s.title, s.starts_at, s.venue, s.status, s.visibility, t.id, t.title, t.domain"
    " FROM session s JOIN topic t ON t.id = s.topic_id WHERE s.id = ?";

static void brief_release(struct session_brief *b)
{
	free(b->title);
	free(b->venue);
	free(b->topic_title);
	memset(b, 0, sizeof(*b));
}

/* session_brief_read reads session id into b (zeroed first). ERR_NOT_FOUND when absent. */
static int session_brief_read(struct db *db, int64_t id, struct session_brief *b)
{
	struct db_stmt *st;
	int rc;

	memset(b, 0, sizeof(*b));
	rc = db_get_row(db, sql_session_brief, &st, "i", id);
	if (rc)
		return rc;
	b->id = db_col_int(st, 0);
	b->title = db_col_dup(st, 1);
	b->starts_at = db_col_null(st, 2) ? 0 : db_col_int(st, 2);
	b->venue = db_col_dup(st, 3);
	snprintf(b->status, sizeof(b->status), "%s", db_col_text(st, 4));
	snprintf(b->visibility, sizeof(b->visibility), "%s", db_col_text(st, 5));
	b->topic_id = db_col_int(st, 6);
	b->topic_title = db_col_dup(st, 7);
	snprintf(b->domain, sizeof(b->domain), "%s", db_col_text(st, 8));
	db_done(st);
	if (!b->title || !b->venue || !b->topic_title) {
		brief_release(b);
		return ERR_NOMEM;
	}
	return ERR_OK;
}

static int source_row(struct db_stmt *st, void *ud)
{
	struct lineage_suggestion *s = ud;
	struct lineage_source *x = array_grow(&s->sources, &s->nsources, sizeof(*x));

	if (!x)
		return ERR_NOMEM;
	snprintf(x->kind, sizeof(x->kind), "%s", db_col_text(st, 0));
	x->id = db_col_int(st, 1);
	x->text = db_col_dup(st, 2);
	x->speaker = db_col_dup(st, 3);
	x->is_statement = db_col_int(st, 4) != 0;
	x->sector = db_col_dup(st, 5);
	x->public_name = db_col_int(st, 8) != 0;
	if (copy_field(x->category, sizeof(x->category), db_col_text(st, 6)) ||
	    copy_field(x->person_path, sizeof(x->person_path), db_col_text(st, 7)))
		return ERR_TOO_BIG;
	return x->text && x->speaker && x->sector ? ERR_OK : ERR_NOMEM;
}

static void lineage_suggestion_release(struct lineage_suggestion *s)
{
	size_t i;

	suggestion_release(&s->suggestion);
	for (i = 0; i < s->nsources; i++) {
		free(s->sources[i].text);
		free(s->sources[i].speaker);
		free(s->sources[i].sector);
	}
	free(s->sources);
	brief_release(&s->session);
}

/* add_suggestion appends suggestion id with its sources and session to l; a suggestion
 * no longer there is left out (output_read has left out those a may not read). */
static int add_suggestion(struct db *db, struct output_lineage *l, int64_t id)
{
	struct lineage_suggestion *s = array_grow(&l->suggestions, &l->nsuggestions, sizeof(*s));
	int rc;

	if (!s)
		return ERR_NOMEM;
	suggestion_init(&s->suggestion);
	rc = suggestion_read(db, id, &s->suggestion);
	if (rc == ERR_OK)
		rc = db_each(db, sql_sug_sources, source_row, s, "i", id);
	if (rc == ERR_OK) {
		rc = session_brief_read(db, s->suggestion.session_id, &s->session);
		s->has_session = rc == ERR_OK;
		if (rc == ERR_NOT_FOUND)
			rc = ERR_OK;
	}
	if (rc) { /* left out */
		lineage_suggestion_release(s);
		l->nsuggestions--;
	}
	return rc == ERR_NOT_FOUND ? ERR_OK : rc;
}

int output_lineage(struct db *db, const struct actor *a, int64_t id, struct output_lineage *l)
{
	size_t i;
	int rc;

	memset(l, 0, sizeof(*l));
	rc = output_read(db, a, id, &l->output);
	for (i = 0; !rc && i < l->output.nsuggestions; i++)
		rc = add_suggestion(db, l, l->output.suggestions[i].id);
	if (!rc && l->output.nsessions) {
		l->sessions = calloc(l->output.nsessions, sizeof(*l->sessions));
		if (!l->sessions)
			rc = ERR_NOMEM;
	}
	for (i = 0; !rc && i < l->output.nsessions; i++) {
		rc = session_brief_read(db, l->output.sessions[i].id, &l->sessions[l->nsessions]);
		if (rc == ERR_OK)
			l->nsessions++;
		else if (rc == ERR_NOT_FOUND)
			rc = ERR_OK;
	}
	return rc;
}

void output_lineage_release(struct output_lineage *l)
{
	size_t i;

	output_release(&l->output);
	for (i = 0; i < l->nsuggestions; i++)
		lineage_suggestion_release(&l->suggestions[i]);
	free(l->suggestions);
	for (i = 0; i < l->nsessions; i++)
		brief_release(&l->sessions[i]);
	free(l->sessions);
	memset(l, 0, sizeof(*l));
}
