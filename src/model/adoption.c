/*
 * adoption.c - adoption of outputs into policy (批示, department adoption, policy, escalation,
 * media): one adoption row each; the first credits the authors' duty records.
 */
#include "output.h"
#include "output_int.h"
#include "session.h"
#include "notify.h"
#include "valid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "db/db.h"

static const char sql_adopt[] =
    "INSERT INTO adoption (org_id, output_id, kind, title, issuer, reference, date, link,"
    " note, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULLIF(CAST(? AS BIGINT), "
    "0), ?)";
static const char sql_adopt_count[] = "SELECT COUNT(*) FROM adoption WHERE output_id = ?";
static const char sql_authors_of[] = "SELECT person_id FROM output_author WHERE output_id = ?";

/* the authors of an output (at most 64 are credited) */
struct ids {
	int64_t v[64];
	size_t n;
};

static int author_id(struct db_stmt *st, void *ud)
{
	struct ids *ids = ud;

	if (ids->n < ARRAY_LEN(ids->v))
		ids->v[ids->n++] = db_col_int(st, 0);
	return ERR_OK;
}

int adoption_check(const struct adoption_in *in, struct verr *e)
{
	static const char *const ok[] = {"instruction", "department", "policy", "escalation",
					 "media"};
	int64_t t;
	size_t i;
	int rc;

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
	return ERR_OK;
}

int adoption_add(struct db *db, const struct actor *who, int64_t output_id,
		 const struct adoption_in *in, int64_t *id, struct verr *e)
{
	struct output_head h;
	struct ids ids = {{0}, 0};
	int64_t now = time_now(), t, before = 0;
	json_t *after;
	size_t i;
	int rc;

	rc = output_head(db, output_id, &h);
	if (!rc)
		rc = adoption_check(in, e);
	if (rc)
		return rc;
	rc = db_get_int(db, sql_adopt_count, &before, "i", output_id);
	if (!rc)
		rc = db_exec(db, sql_adopt, "iisssssssii", h.org_id, output_id, in->kind, in->title,
			     in->issuer ? in->issuer : "", in->reference ? in->reference : "",
			     in->date ? in->date : "", in->link ? in->link : "",
			     in->note ? in->note : "", who->user.id, now);
	if (rc)
		return rc;
	*id = db_last_id(db);
	if (before == 0) {
		/* the first adoption credits every author's duty record, once */
		int64_t at = now;

		if (in->date && *in->date && time_parse(in->date, &t) == ERR_OK)
			at = t;
		rc = db_each(db, sql_authors_of, author_id, &ids, "i", output_id);
		for (i = 0; !rc && i < ids.n; i++)
			rc = duty_credit(db, h.org_id, ids.v[i], "adopted", 0, output_id, at);
		if (rc)
			return rc;
	}
	after = json_pack("{ss ss ss? ss? ss?}", "kind", in->kind, "title", in->title, "issuer",
			  in->issuer, "reference", in->reference, "date", in->date);
	rc = audit_write(db, who, h.org_id, "adoption.create", "output", output_id, NULL, after);
	json_decref(after);
	if (!rc)
		rc = notify_output(db, output_id, NOTIFY_AUTHORS, "adoption");
	return rc;
}
