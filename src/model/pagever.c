/*
 * pagever.c - reading the versions of the public pages (pagever.h).
 */
#include "model/pagever.h"

#include <string.h>

#include "db/db.h"

static const char sql_read[] =
    "SELECT COALESCE((SELECT n FROM page_version WHERE session_id = ?), 0),"
    " COALESCE((SELECT n FROM page_generation WHERE id = 1), 0),"
    " COALESCE((SELECT n FROM page_generation WHERE id = 2), 0)";

int page_version_read(struct db *db, int64_t session_id, struct page_version *v)
{
	struct db_stmt *st;
	int rc;

	memset(v, 0, sizeof(*v));
	rc = db_get_row(db, sql_read, &st, "i", session_id);
	if (rc)
		return rc == ERR_NOT_FOUND ? ERR_DB : rc;
	v->session = db_col_int(st, 0);
	v->shared = db_col_int(st, 1);
	v->lists = db_col_int(st, 2);
	db_done(st);
	return ERR_OK;
}
