/*
 * commitlist.c - the organizers' list of commitments across the sessions of their body and
 * the bodies below it (承诺事项跟踪), with the overdue ones on their own (see session.h).
 */
#include "session.h"
#include "valid.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "db/db.h"

/* ?1 scope path, ?2 today (YYYY-MM-DD), ?3 only overdue, ?4 after, ?5 limit */
static const char sql_commit_list[] =
    "SELECT c.id, c.owner, COALESCE(c.owner_id, 0), c.body, COALESCE(c.due_date, ''),"
    " c.status, c.created_at, s.id, s.title, s.starts_at,"
    " CASE WHEN COALESCE(c.due_date, '') != '' AND c.due_date < ?2"
    "  AND c.status IN ('open', 'in_progress') THEN 1 ELSE 0 END"
    " FROM commitment c JOIN session s ON s.id = c.session_id JOIN org g ON g.id = c.org_id"
    " WHERE substr(g.path, 1, length(?1)) = ?1 AND c.id > ?4"
    " AND (?3 = 0 OR (COALESCE(c.due_date, '') != '' AND c.due_date < ?2"
    "  AND c.status IN ('open', 'in_progress')))"
    " ORDER BY c.id LIMIT ?5";

static int commit_row(struct db_stmt *st, void *ud)
{
	struct commitment_list *l = ud;
	struct commitment_item *x = array_grow(&l->items, &l->n, sizeof(*x));
	int rc = ERR_OK;

	if (!x)
		return ERR_NOMEM;
	x->c.id = db_col_int(st, 0);
	x->c.owner = db_col_dup_rc(st, 1, &rc);
	x->c.owner_id = db_col_int(st, 2);
	x->c.body = db_col_dup_rc(st, 3, &rc);
	if (copy_field(x->c.due_date, sizeof(x->c.due_date), db_col_text(st, 4)) ||
	    copy_field(x->c.status, sizeof(x->c.status), db_col_text(st, 5)))
		rc = ERR_TOO_BIG;
	x->c.created_at = db_col_int(st, 6);
	x->session_id = db_col_int(st, 7);
	x->session_title = db_col_dup_rc(st, 8, &rc);
	x->session_starts_at = db_col_int(st, 9);
	x->overdue = db_col_int(st, 10) != 0;
	return rc;
}

int commitment_list(struct db *db, const struct actor *a, bool only_overdue, int64_t after,
		    int limit, struct commitment_list *l)
{
	char today[16];

	memset(l, 0, sizeof(*l));
	/* the staff's follow-up list: organizers, admins and leaders (who read as they do) */
	if (!actor_reads_as_staff(a) || a->user.handler_id)
		return authz_decide(a, true, false);
	if (!a->org.path[0])
		return ERR_OK;
	time_fmt(time_now(), "%Y-%m-%d", today, sizeof(today));
	return db_each(db, sql_commit_list, commit_row, l, "ssnin", a->org.path, today,
		       (int)only_overdue, after, limit);
}

void commitment_list_release(struct commitment_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->items[i].c.owner);
		free(l->items[i].c.body);
		free(l->items[i].session_title);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}
