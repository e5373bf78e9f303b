/*
 * lineage.c - an output's chain back to where it came from: its suggestions with their
 * sessions and sources (remarks, statements), and forward: its events and adoptions.
 */
#include "output.h"
#include "output_int.h"
#include "rowjson.h"
#include "session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "db/db.h"

/* a suggestion's sources: remarks (with their speaker) and opinion-map statements (their
 * text; no speaker, the statement's author is not shown) */
static const char sql_sug_sources[] =
    "SELECT ss.kind, ss.source_id, COALESCE(r.body, st.text, ''), COALESCE(p.name, ''),"
    " ss.kind = 'statement'"
    " FROM suggestion_source ss LEFT JOIN remark r ON ss.kind = 'remark' AND r.id = ss.source_id"
    " LEFT JOIN statement st ON ss.kind = 'statement' AND st.id = ss.source_id"
    " LEFT JOIN person p ON p.id = r.person_id WHERE ss.suggestion_id = ? ORDER BY ss.source_id";
static const char sql_session_brief[] =
    "SELECT s.id, s.title, s.starts_at, s.venue, s.status, s.visibility, t.id, t.title, t.domain"
    " FROM session s JOIN topic t ON t.id = s.topic_id WHERE s.id = ?";

static json_t *session_brief(struct db *db, int64_t id)
{
	struct db_stmt *st;
	json_t *s = NULL;

	if (db_prepare(db, sql_session_brief, &st))
		return NULL;
	if (db_bind_int(st, 1, id) == ERR_OK && db_step(st) == DB_ROW)
		s = row_json(st, "i:id s:title t:starts_at s:venue s:status s:visibility i:topic_id"
				 " s:topic_title s:domain");
	db_done(st);
	return s;
}

json_t *output_lineage(struct db *db, const struct output *o)
{
	json_t *sugs = json_array(), *sessions = json_array();
	size_t i;

	for (i = 0; i < o->nsuggestions; i++) {
		int64_t sid = o->suggestions[i].id;
		json_t *s = suggestion_get(db, sid), *src = json_array();

		if (!s) {
			json_decref(src);
			continue;
		}
		if (rows_json_by_id(db, sql_sug_sources, sid,
				    "s:kind i:id s:text s:speaker b:is_statement", src))
			json_array_clear(src);
		json_object_set_new(s, "sources", src);
		json_object_set_new(
		    s, "session",
		    session_brief(db, json_integer_value(json_object_get(s, "session_id"))));
		json_array_append_new(sugs, s);
	}
	for (i = 0; i < o->nsessions; i++) {
		json_t *b = session_brief(db, o->sessions[i].id);

		if (b)
			json_array_append_new(sessions, b);
	}
	return json_pack("{so so}", "suggestions", sugs, "sessions", sessions);
}
