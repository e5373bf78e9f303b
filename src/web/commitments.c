/*
 * commitments.c - a department's commitments made at a counterpart talk (对口聊), and
 * following them up after the session (PATCH /api/v1/commitments/{id}: corrections.c).
 */
#include "sessions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

int sess_parse_commitment(struct web_ctx *c, struct op_input *in, struct verr *e)
{
	int rc = sess_str_field(c, "owner", &in->owner, e);

	if (!rc)
		rc = sess_int_field(c, "owner_id", &in->owner_id, e);
	if (!rc)
		rc = sess_str_field(c, "body", &in->body, e);
	if (!rc)
		rc = sess_str_field(c, "due_date", &in->due_date, e);
	return rc;
}

int sess_act_commitment(struct web_ctx *c, const struct session_head *h, const struct op_input *in,
			int64_t *id, struct verr *e)
{
	return commitment_add(c->db, &c->actor, h->id, in->owner, in->owner_id, in->body,
			      in->due_date, id, e);
}

int h_api_commitments_create(struct web_ctx *c)
{
	return sess_api_op(c, "commitments");
}
