/*
 * roles.c - a member's "my work" and a leader's instruction (see roles.h). Both are built on
 * the entities' own functions: invitations (my_invitations_read), duty records
 * (duty_record_read), adoptions (adoption_add); the one query of its own lists the outputs a
 * person is an author of.
 */
#include "roles.h"
#include "person.h"
#include "valid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "db/db.h"

static const char sql_my_outputs[] =
    "SELECT o.id, o.kind, o.title, o.state, a.role, a.confirmed_at IS NOT NULL, o.dated_at,"
    " o.cosign_deadline FROM output_author a JOIN output o ON o.id = a.output_id"
    " WHERE a.person_id = ? ORDER BY o.id DESC LIMIT 200";

static int my_output_row(struct db_stmt *st, void *ud)
{
	struct my_work *w = ud;
	struct my_output *x = array_grow(&w->outputs, &w->noutputs, sizeof(*x));
	int rc;

	if (!x)
		return ERR_NOMEM;
	memset(x, 0, sizeof(*x));
	if (!(x->title = db_col_dup(st, 2)))
		return ERR_NOMEM;
	x->id = db_col_int(st, 0);
	x->confirmed = db_col_int(st, 5) != 0;
	x->dated_at = db_col_int(st, 6);
	x->cosign_deadline = db_col_int(st, 7);
	rc = copy_field(x->kind, sizeof(x->kind), db_col_text(st, 1));
	if (!rc)
		rc = copy_field(x->state, sizeof(x->state), db_col_text(st, 3));
	if (!rc)
		rc = copy_field(x->role, sizeof(x->role), db_col_text(st, 4));
	x->pending =
	    strcmp(x->role, "cosigner") == 0 && !x->confirmed && strcmp(x->state, "draft") == 0;
	w->npending += x->pending;
	return rc;
}

int my_work_read(struct db *db, const struct actor *a, int year, struct my_work *w)
{
	struct person p;
	int rc;

	memset(w, 0, sizeof(*w));
	duty_record_init(&w->duty);
	w->duty.year = year;
	if (a->via == AUTH_NONE)
		return ERR_AUTH;
	if (!a->user.id)
		return ERR_OK;
	rc = person_find_by_user(db, a->user.id, &p);
	if (rc == ERR_NOT_FOUND)
		return ERR_OK;
	if (rc)
		return rc;
	w->person_id = p.id;
	memcpy(w->person_name, p.name, sizeof(w->person_name));
	rc = my_invitations_read(db, a->user.id, &w->invitations, &w->ninvitations);
	if (!rc)
		rc = db_each(db, sql_my_outputs, my_output_row, w, "i", p.id);
	if (!rc)
		rc = duty_record_read(db, p.id, year, &w->duty);
	if (rc)
		my_work_release(w);
	return rc;
}

void my_work_release(struct my_work *w)
{
	size_t i;

	my_invitations_release(w->invitations, w->ninvitations);
	for (i = 0; i < w->noutputs; i++)
		free(w->outputs[i].title);
	free(w->outputs);
	duty_record_release(&w->duty);
	w->invitations = NULL;
	w->outputs = NULL;
	w->ninvitations = w->noutputs = w->npending = 0;
}

/* --- instruction --- */

static const char sql_set_instr[] = "UPDATE output SET instruction_by = ?, instruction_text = ?"
				    " WHERE id = ?";
static const char sql_get_instr[] =
    "SELECT instruction_by, instruction_text FROM output WHERE id = ?";

int instruction_authorize(struct db *db, const struct actor *a, int64_t id, struct output_head *h)
{
	struct output_head tmp;
	bool allowed;
	int rc;

	if (!h)
		h = &tmp;
	rc = output_authorize(db, a, id, AUTHZ_READ, h, NULL);
	if (rc)
		return rc;
	/* by the body's scope, not by authorship: a leader who co-signed does not instruct it */
	allowed = a->via == AUTH_SYSTEM ||
		  ((a->role == ROLE_LEADER || a->role == ROLE_ADMIN) && !a->user.handler_id &&
		   org_path_within(h->org_path, scope_path(a)));
	return authz_decide(a, true, allowed);
}

int instruction_check(const struct instruction_in *in, struct verr *e)
{
	int64_t t;
	int rc;

	if (!in->text || !*in->text)
		return verr_set(e, "required", "text", "请填写批示内容", "text is required");
	rc = text_check(in->text, "text", 1, 500, e);
	if (!rc)
		rc = text_check(in->by ? in->by : "", "by", 0, 200, e);
	if (rc)
		return rc;
	if (in->date && *in->date && (strlen(in->date) != 10 || time_parse(in->date, &t)))
		return verr_set(e, "invalid", "date", "日期须为 YYYY-MM-DD",
				"date must be YYYY-MM-DD");
	return ERR_OK;
}

int instruction_record(struct db *db, const struct actor *who, const struct output_head *h,
		       const struct instruction_in *in, int64_t *adoption_id, struct verr *e)
{
	struct adoption_in ad;
	struct db_stmt *st;
	char date[16];
	const char *by = in->by && *in->by ? in->by : who->user.display_name;
	json_t *before, *after;
	int rc;

	rc = instruction_check(in, e);
	if (rc)
		return rc;
	if (strcmp(h->state, "draft") == 0)
		return verr_set(e, "state", "state", "草稿不能批示，须先提交",
				"a draft cannot be instructed on; it must be submitted first"),
		       ERR_CONFLICT;
	if (!*by)
		by = who->user.username;
	if (in->date && *in->date)
		snprintf(date, sizeof(date), "%s", in->date);
	else
		time_fmt(time_now(), "%Y-%m-%d", date, sizeof(date));
	rc = db_get_row(db, sql_get_instr, &st, "i", h->id);
	if (rc)
		return rc;
	before = json_pack("{ss ss}", "instruction_by", db_col_text(st, 0), "instruction_text",
			   db_col_text(st, 1));
	db_done(st);
	rc = db_exec(db, sql_set_instr, "ssi", by, in->text, h->id);
	if (!rc) {
		memset(&ad, 0, sizeof(ad));
		ad.kind = "instruction";
		ad.title = in->text;
		ad.issuer = by;
		ad.date = date;
		rc = adoption_add(db, who, h->id, &ad, adoption_id, e);
	}
	if (!rc) {
		after = json_pack("{ss ss ss}", "instruction_by", by, "instruction_text", in->text,
				  "date", date);
		rc = audit_write(db, who, h->org_id, "output.instruction", "output", h->id, before,
				 after);
		json_decref(after);
	}
	json_decref(before);
	return rc;
}
