/*
 * adoption.c - adoption of outputs into policy (批示, department adoption, policy, escalation,
 * media): one adoption row each; the first credits the authors' duty records.
 */
#include "output.h"
#include "output_int.h"
#include "session.h"
#include "valid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

static const char sql_adopt[] =
    "INSERT INTO adoption (org_id, output_id, kind, title, issuer, reference, date, link,"
    " note, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_adopt_count[] = "SELECT COUNT(*) FROM adoption WHERE output_id = ?";
static const char sql_authors_of[] = "SELECT person_id FROM output_author WHERE output_id = ?";

int adoption_add(struct db *db, const struct actor *who, int64_t output_id,
		 const struct adoption_in *in, int64_t *id, struct verr *e)
{
	static const char *const ok[] = {"instruction", "department", "policy", "escalation",
					 "media"};
	struct output_head h;
	struct db_stmt *st;
	int64_t now = time_now(), t, persons[64];
	size_t i, n = 0;
	int rc, before = 0;
	json_t *after;

	rc = output_head(db, output_id, &h);
	if (rc)
		return rc;
	for (i = 0; in->kind && i < ARRAY_LEN(ok); i++)
		if (strcmp(in->kind, ok[i]) == 0)
			break;
	if (!in->kind || i == ARRAY_LEN(ok))
		return verr_set(
		    e, "invalid", "kind",
		    "采纳类型须为 instruction（批示）、department（部门采纳）、policy（政策"
		    "措施）、escalation（上报/提升）或 media（媒体报道）",
		    "kind must be instruction, department, policy, escalation or media");
	if (!in->title || !*in->title)
		return verr_set(e, "required", "title", "请填写标题或内容", "title is required");
	rc = text_check(in->title, "title", 1, 500, e);
	if (!rc)
		rc = text_check(in->issuer ? in->issuer : "", "issuer", 0, 200, e);
	if (!rc)
		rc = text_check(in->reference ? in->reference : "", "reference", 0, 200, e);
	if (!rc)
		rc = text_check(in->link ? in->link : "", "link", 0, 1000, e);
	if (!rc)
		rc = text_check(in->note ? in->note : "", "note", 0, 5000, e);
	if (rc)
		return rc;
	if (in->date && *in->date && (strlen(in->date) != 10 || time_parse(in->date, &t)))
		return verr_set(e, "invalid", "date", "日期须为 YYYY-MM-DD",
				"date must be YYYY-MM-DD");
	if (in->link && *in->link && strncmp(in->link, "http://", 7) != 0 &&
	    strncmp(in->link, "https://", 8) != 0)
		return verr_set(e, "invalid", "link", "链接须以 http:// 或 https:// 开头",
				"link must start with http:// or https://");
	rc = db_prepare(db, sql_adopt_count, &st);
	if (!rc)
		rc = db_bind_int(st, 1, output_id);
	if (!rc && db_step(st) == DB_ROW)
		before = (int)db_col_int(st, 0);
	db_done(st);
	if (!rc)
		rc = db_prepare(db, sql_adopt, &st);
	if (!rc)
		rc = db_bind_int(st, 1, h.org_id);
	if (!rc)
		rc = db_bind_int(st, 2, output_id);
	if (!rc)
		rc = db_bind_str(st, 3, in->kind);
	if (!rc)
		rc = db_bind_str(st, 4, in->title);
	if (!rc)
		rc = db_bind_str(st, 5, in->issuer ? in->issuer : "");
	if (!rc)
		rc = db_bind_str(st, 6, in->reference ? in->reference : "");
	if (!rc)
		rc = db_bind_str(st, 7, in->date ? in->date : "");
	if (!rc)
		rc = db_bind_str(st, 8, in->link ? in->link : "");
	if (!rc)
		rc = db_bind_str(st, 9, in->note ? in->note : "");
	if (!rc)
		rc = who->user.id ? db_bind_int(st, 10, who->user.id) : db_bind_null(st, 10);
	if (!rc)
		rc = db_bind_int(st, 11, now);
	if (!rc)
		rc = db_run(st);
	if (rc)
		return rc;
	*id = db_last_id(db);
	if (before == 0) {
		/* the first adoption credits every author's duty record, once */
		int64_t at = now;

		if (in->date && *in->date && time_parse(in->date, &t) == ERR_OK)
			at = t;
		rc = db_prepare(db, sql_authors_of, &st);
		if (!rc)
			rc = db_bind_int(st, 1, output_id);
		while (!rc && n < ARRAY_LEN(persons) && db_step(st) == DB_ROW)
			persons[n++] = db_col_int(st, 0);
		db_done(st);
		for (i = 0; !rc && i < n; i++)
			rc = duty_credit(db, h.org_id, persons[i], "adopted", 0, output_id, at);
		if (rc)
			return rc;
	}
	after = json_pack("{ss ss ss? ss? ss?}", "kind", in->kind, "title", in->title, "issuer",
			  in->issuer, "reference", in->reference, "date", in->date);
	rc = audit_write(db, who, h.org_id, "adoption.create", "output", output_id, NULL, after);
	json_decref(after);
	return rc;
}
