/*
 * audit.c - the audit log: one row for every change, in the transaction of the change.
 */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "db/db.h"

static const char sql_insert[] =
    "INSERT INTO audit (at, user_id, org_id, action, entity, entity_id, before_json,"
    " after_json, address) VALUES (?, NULLIF(?, 0), NULLIF(?, 0), ?, ?, NULLIF(?, 0), ?, ?, ?)";

int audit_write(struct db *db, const struct actor *who, int64_t org_id, const char *action,
		const char *entity, int64_t id, const json_t *before, const json_t *after)
{
	char *b = before ? json_dumps(before, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	char *a = after ? json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	int rc = db_exec(db, sql_insert, "iiississs", time_now(), who ? who->user.id : (int64_t)0,
			 org_id, action, entity, id, b, a, who ? who->address : NULL);

	free(b);
	free(a);
	return rc;
}

static const char sql_list[] =
    "SELECT a.id, a.at, COALESCE(u.username, ''), a.action, a.entity,"
    " COALESCE(a.entity_id, 0), COALESCE(a.address, ''), COALESCE(o.name, '')"
    " FROM audit a LEFT JOIN users u ON u.id = a.user_id LEFT JOIN org o ON o.id = a.org_id"
    " WHERE a.id < ?1 AND (o.id IS NULL AND ?3 OR substr(o.path, 1, length(?2)) = ?2)"
    " ORDER BY a.id DESC LIMIT ?4";

struct audit_each {
	int (*fn)(const struct audit_entry *e, void *ud);
	void *ud;
};

static int audit_row(struct db_stmt *st, void *ud)
{
	struct audit_each *k = ud;
	struct audit_entry e;

	memset(&e, 0, sizeof(e));
	e.id = db_col_int(st, 0);
	e.at = db_col_int(st, 1);
	e.entity_id = db_col_int(st, 5);
	/* longer texts are cut: the page shows them, it does not store them */
	snprintf(e.user, sizeof(e.user), "%s", db_col_text(st, 2));
	snprintf(e.action, sizeof(e.action), "%s", db_col_text(st, 3));
	snprintf(e.entity, sizeof(e.entity), "%s", db_col_text(st, 4));
	snprintf(e.address, sizeof(e.address), "%s", db_col_text(st, 6));
	snprintf(e.org, sizeof(e.org), "%s", db_col_text(st, 7));
	return k->fn(&e, k->ud);
}

int audit_list(struct db *db, const struct actor *a, int64_t before, int limit,
	       int (*fn)(const struct audit_entry *e, void *ud), void *ud)
{
	struct audit_each k = {fn, ud};
	/* entries without a body (failed sign-ins) are shown to admins of a root body */
	int root = a->via == AUTH_SYSTEM || (a->org.id && a->org.parent_id == 0);

	if (a->via == AUTH_NONE || !a->org.path[0])
		return ERR_OK;
	return db_each(db, sql_list, audit_row, &k, "isni", before,
		       a->via == AUTH_SYSTEM ? "/" : a->org.path, root, (int64_t)limit);
}
