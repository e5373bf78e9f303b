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

/* outputs_of reads the output ids of sql for id into *out: those reader a may read
 * (output_authorize, AUTHZ_READ), the others left out as if they did not exist. */
static int outputs_of(struct db *db, const struct actor *a, const char *sql, int64_t id,
		      struct outcome_ids *out)
{
	struct db_ids ids = {NULL, 0};
	size_t i, n = 0;
	int rc = db_each(db, sql, db_ids_row, &ids, "i", id);

	for (i = 0; !rc && i < ids.n; i++) {
		int r = output_authorize(db, a, ids.ids[i], AUTHZ_READ, NULL, NULL);

		if (r == ERR_OK)
			ids.ids[n++] = ids.ids[i];
		else if (r != ERR_AUTH && r != ERR_NOT_FOUND && r != ERR_FORBIDDEN)
			rc = r;
	}
	out->ids = ids.ids;
	out->n = rc ? ids.n : n;
	return rc;
}

int session_outcomes(struct db *db, const struct actor *a, int64_t session_id,
		     struct session_outcomes *x)
{
	size_t i;
	int rc;

	memset(x, 0, sizeof(*x));
	session_init(&x->session);
	session_record_init(&x->record);
	rc = session_read(db, session_id, &x->session);
	if (!rc)
		rc = session_record_read(db, session_id, false, &x->record);
	if (!rc && x->record.nsuggestions) {
		x->suggestion_outputs =
		    calloc(x->record.nsuggestions, sizeof(*x->suggestion_outputs));
		if (!x->suggestion_outputs)
			rc = ERR_NOMEM;
	}
	for (i = 0; !rc && i < x->record.nsuggestions; i++)
		rc = outputs_of(db, a, sql_outputs_of_sug, x->record.suggestions[i].id,
				&x->suggestion_outputs[i]);
	if (!rc)
		rc = outputs_of(db, a, sql_outputs_of_session, session_id, &x->outputs);
	return rc;
}

void session_outcomes_release(struct session_outcomes *x)
{
	size_t i;

	for (i = 0; x->suggestion_outputs && i < x->record.nsuggestions; i++)
		free(x->suggestion_outputs[i].ids);
	free(x->suggestion_outputs);
	free(x->outputs.ids);
	session_release(&x->session);
	session_record_release(&x->record);
	memset(x, 0, sizeof(*x));
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
