/*
 * audit.c - the audit log: one row for every change, in the transaction of the change.
 */
#include "model.h"

#include <stdlib.h>

#include "base/util.h"

static const char sql_insert[] =
    "INSERT INTO audit (at, user_id, org_id, action, entity, entity_id, before_json,"
    " after_json, address) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";

int audit_write(struct db *db, const struct actor *who, int64_t org_id, const char *action,
		const char *entity, int64_t id, const json_t *before, const json_t *after)
{
	char *b = before ? json_dumps(before, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	char *a = after ? json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	struct db_stmt *st;
	int rc;

	rc = db_prepare(db, sql_insert, &st);
	if (rc)
		goto out;
	rc = db_bind_int(st, 1, time_now());
	if (!rc)
		rc = who && who->user.id ? db_bind_int(st, 2, who->user.id) : db_bind_null(st, 2);
	if (!rc)
		rc = org_id ? db_bind_int(st, 3, org_id) : db_bind_null(st, 3);
	if (!rc)
		rc = db_bind_str(st, 4, action);
	if (!rc)
		rc = db_bind_str(st, 5, entity);
	if (!rc)
		rc = id ? db_bind_int(st, 6, id) : db_bind_null(st, 6);
	if (!rc)
		rc = db_bind_str(st, 7, b);
	if (!rc)
		rc = db_bind_str(st, 8, a);
	if (!rc)
		rc = db_bind_str(st, 9, who ? who->address : NULL);
	if (!rc)
		rc = db_run(st);
out:
	free(b);
	free(a);
	return rc;
}
