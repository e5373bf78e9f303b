/*
 * commitments.c - a department's commitments made at a counterpart talk (对口聊), and
 * following them up after the session.
 */
#include "sessions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

int sess_act_commitment(struct web_ctx *c, struct session_head *h, int64_t *id, struct verr *e)
{
	const char *owner = NULL, *body = NULL, *due = NULL;
	int64_t owner_id = 0;
	int rc;

	rc = sess_str_field(c, "owner", &owner, e);
	if (!rc)
		rc = sess_int_field(c, "owner_id", &owner_id, e);
	if (!rc)
		rc = sess_str_field(c, "body", &body, e);
	if (!rc)
		rc = sess_str_field(c, "due_date", &due, e);
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(
		    c, commitment_add(c->db, &c->actor, h->id, owner, owner_id, body, due, id, e));
	return rc;
}

int h_api_commitments_create(struct web_ctx *c)
{
	return sess_api_op(c, "commitments");
}

static const char sql_commitment_session[] = "SELECT session_id FROM commitment WHERE id = ?";

int h_api_commitment_patch(struct web_ctx *c)
{
	struct session_head h;
	struct db_stmt *st;
	struct verr e;
	const char *status = NULL;
	int64_t id = web_id(c, "id"), sid = 0;
	int rc;

	rc = db_prepare(c->db, sql_commitment_session, &st);
	if (!rc)
		rc = db_bind_int(st, 1, id);
	if (!rc)
		rc = db_step(st);
	if (rc == DB_ROW) {
		sid = db_col_int(st, 0);
		rc = ERR_OK;
	} else if (rc == DB_DONE) {
		rc = ERR_NOT_FOUND;
	}
	db_done(st);
	/* following a commitment up goes on after the session closed */
	if (!rc)
		rc = sess_load(c, sid, true, &h);
	if (!rc)
		rc = sess_str_field(c, "status", &status, &e);
	if (!rc)
		rc = web_begin(c);
	if (!rc)
		rc = web_finish(c, commitment_set_status(c->db, &c->actor, id, status, &e));
	if (rc)
		return web_answer(c, rc, &e);
	return web_json(c, 200, json_pack("{sI ss}", "id", (json_int_t)id, "status", status));
}
