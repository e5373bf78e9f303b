/*
 * outcomes.c - everything that came of a session: its suggestions, the outputs made of them
 * (or citing the session) with their states and adoptions.
 */
#include "output.h"
#include "output_int.h"
#include "session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "db/db.h"

static const char sql_outputs_of_session[] =
    "SELECT DISTINCT o.id FROM output o JOIN output_session os ON os.output_id = o.id"
    " WHERE os.session_id = ? ORDER BY o.id";
static const char sql_outputs_of_sug[] =
    "SELECT output_id FROM output_suggestion WHERE suggestion_id = ? ORDER BY output_id";

static json_t *outputs_by(struct db *db, const char *sql, int64_t id)
{
	struct db_stmt *st;
	json_t *a = json_array();
	int64_t ids[256];
	size_t n = 0, i;

	if (db_prepare(db, sql, &st))
		return a;
	if (db_bind_int(st, 1, id) == ERR_OK)
		while (n < ARRAY_LEN(ids) && db_step(st) == DB_ROW)
			ids[n++] = db_col_int(st, 0);
	db_done(st);
	for (i = 0; i < n; i++)
		json_array_append_new(a, json_integer((json_int_t)ids[i]));
	return a;
}

json_t *session_outcomes(struct db *db, int64_t session_id)
{
	json_t *s = session_get(db, session_id, true, false), *sugs, *x, *outputs;
	size_t i;

	if (!s)
		return NULL;
	sugs = json_deep_copy(json_object_get(s, "suggestions"));
	json_array_foreach(sugs, i, x) json_object_set_new(
	    x, "outputs",
	    outputs_by(db, sql_outputs_of_sug, json_integer_value(json_object_get(x, "id"))));
	outputs = outputs_by(db, sql_outputs_of_session, session_id);
	x = json_pack("{s{sO sO sO sO sO} sO so so s{si si}}", "session", "id",
		      json_object_get(s, "id"), "title", json_object_get(s, "title"), "starts_at",
		      json_object_get(s, "starts_at"), "status", json_object_get(s, "status"),
		      "visibility", json_object_get(s, "visibility"), "agreed",
		      json_object_get(s, "agreed"), "suggestions", sugs, "outputs", outputs,
		      "counts", "suggestions", (int)json_array_size(sugs), "outputs",
		      (int)json_array_size(outputs));
	json_decref(s);
	return x;
}

int session_outcomes_authorize(struct db *db, const struct actor *a, int64_t session_id)
{
	struct session_head h;
	bool visible = false;
	int rc = session_id > 0 ? session_head(db, session_id, &h) : ERR_NOT_FOUND;

	if (rc == ERR_OK)
		visible = session_visible(db, a, &h);
	else if (rc != ERR_NOT_FOUND)
		return rc;
	return authz_decide(a, visible, visible);
}
