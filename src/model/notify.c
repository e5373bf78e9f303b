/*
 * notify.c - notifications: a row of the inbox per account, a row of the mail queue per
 * address (notify.h).
 */
#include "model/notify.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "db/db.h"

const char *const notify_kinds[] = {
    "invitation",     "cosign_request", "cosign_answer",  "assignment",	    "reply_due",
    "reply_received", "adoption",	"commitment_due", "topic_decision", NULL,
};

bool notify_kind_known(const char *kind)
{
	size_t i;

	for (i = 0; kind && notify_kinds[i]; i++)
		if (strcmp(kind, notify_kinds[i]) == 0)
			return true;
	return false;
}

static const char sql_insert[] =
    "INSERT INTO notification (org_id, user_id, person_id, kind, subject, link, created_at)"
    " VALUES (?, NULLIF(?, 0), NULLIF(?, 0), ?, ?, ?, ?)";
static const char sql_mail[] = "INSERT INTO mail_queue (notification_id, to_addr, next_at,"
			       " created_at) VALUES (?, ?, ?, ?)";

/* deliver writes the inbox row (user_id 0: none) and the mail row (empty email: none). */
static int deliver(struct db *db, int64_t org_id, int64_t user_id, int64_t person_id,
		   const char *kind, const char *subject, const char *link, const char *email)
{
	int64_t now = time_now(), id;
	int rc;

	if (!notify_kind_known(kind))
		return ERR_INVALID;
	if (!user_id && !(email && *email))
		return ERR_OK;
	rc = db_exec(db, sql_insert, "iiisssi", org_id, user_id, person_id, kind,
		     subject ? subject : "", link ? link : "", now);
	if (rc)
		return rc;
	id = db_last_id(db);
	if (email && *email)
		rc = db_exec(db, sql_mail, "isii", id, email, now, now);
	return rc;
}

static const char sql_person[] =
    "SELECT p.user_id, p.email, u.disabled FROM person p LEFT JOIN users u ON u.id = p.user_id"
    " WHERE p.id = ? AND p.erased_at IS NULL";

int notify_person(struct db *db, int64_t org_id, int64_t person_id, const char *kind,
		  const char *subject, const char *link)
{
	struct db_stmt *st;
	int64_t user_id;
	char *email;
	int rc;

	rc = db_get_row(db, sql_person, &st, "i", person_id);
	if (rc)
		return rc == ERR_NOT_FOUND ? ERR_OK : rc; /* gone or erased: nobody to tell */
	user_id = db_col_int(st, 2) ? 0 : db_col_int(st, 0);
	email = db_col_dup(st, 1);
	db_done(st);
	if (!email)
		return ERR_NOMEM;
	rc = deliver(db, org_id, user_id, person_id, kind, subject, link, email);
	free(email);
	return rc;
}

static const char sql_user[] =
    "SELECT u.disabled, p.id, p.email FROM users u"
    " LEFT JOIN person p ON p.user_id = u.id AND p.erased_at IS NULL WHERE u.id = ?";

int notify_user(struct db *db, int64_t org_id, int64_t user_id, const char *kind,
		const char *subject, const char *link)
{
	struct db_stmt *st;
	int64_t person_id;
	char *email;
	int rc;

	rc = db_get_row(db, sql_user, &st, "i", user_id);
	if (rc)
		return rc == ERR_NOT_FOUND ? ERR_OK : rc;
	if (db_col_int(st, 0)) {
		db_done(st);
		return ERR_OK;
	}
	person_id = db_col_int(st, 1);
	email = db_col_dup(st, 2);
	db_done(st);
	if (!email)
		return ERR_NOMEM;
	rc = deliver(db, org_id, user_id, person_id, kind, subject, link, email);
	free(email);
	return rc;
}

int notify_handler(struct db *db, int64_t org_id, int64_t handler_id, const char *kind,
		   const char *subject, const char *link)
{
	struct db_ids ids = {NULL, 0};
	size_t i;
	int rc;

	/* collect first: notify_user runs statements of its own */
	rc = db_each(db, "SELECT id FROM users WHERE handler_id = ? AND disabled = 0 ORDER BY id",
		     db_ids_row, &ids, "i", handler_id);
	for (i = 0; !rc && i < ids.n; i++)
		rc = notify_user(db, org_id, ids.ids[i], kind, subject, link);
	free(ids.ids);
	return rc;
}
