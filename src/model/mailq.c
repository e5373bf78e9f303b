/*
 * mailq.c - the mail queue: claim a due row, mark it sent or failed (mailq.h).
 */
#include "model/mailq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"

void mailq_item_fini(struct mailq_item *it)
{
	if (!it)
		return;
	free(it->subject);
	it->subject = NULL;
}

int64_t mailq_backoff(int64_t attempts)
{
	int64_t s = 1;

	if (attempts < 1)
		return 1;
	while (--attempts > 0 && s < MAILQ_BACKOFF_MAX_S)
		s *= 2;
	return s < MAILQ_BACKOFF_MAX_S ? s : MAILQ_BACKOFF_MAX_S;
}

static const char sql_due[] =
    "SELECT q.id, q.attempts, q.next_at, q.to_addr, q.notification_id, q.created_at, n.kind,"
    " n.subject, n.link FROM mail_queue q JOIN notification n ON n.id = q.notification_id"
    " WHERE q.sent_at IS NULL AND q.next_at <= ? ORDER BY q.next_at, q.id LIMIT 1";
static const char sql_any_due[] =
    "SELECT q.id FROM mail_queue q JOIN notification n ON n.id = q.notification_id"
    " WHERE q.sent_at IS NULL AND q.next_at <= ? LIMIT 1";
static const char sql_claim[] = "UPDATE mail_queue SET next_at = ? WHERE id = ? AND next_at = ?"
				" AND sent_at IS NULL";

/* due reads the first due row into it (subject allocated). */
static int due(struct db *db, int64_t now, struct mailq_item *it, int64_t *next_at)
{
	struct db_stmt *st;
	int rc;

	rc = db_get_row(db, sql_due, &st, "i", now);
	if (rc)
		return rc;
	it->id = db_col_int(st, 0);
	it->attempts = db_col_int(st, 1);
	*next_at = db_col_int(st, 2);
	it->notification_id = db_col_int(st, 4);
	it->created_at = db_col_int(st, 5);
	/* cut rather than refused: a row that cannot be read must not stop the queue (an
	 * address is at most 254 bytes, person.c; kinds and links are ours) */
	snprintf(it->to, sizeof(it->to), "%s", db_col_text(st, 3));
	snprintf(it->kind, sizeof(it->kind), "%s", db_col_text(st, 6));
	snprintf(it->link, sizeof(it->link), "%s", db_col_text(st, 8));
	it->subject = db_col_dup(st, 7);
	db_done(st);
	return it->subject ? ERR_OK : ERR_NOMEM;
}

int mailq_claim(struct db *db, int64_t now, int64_t claim_s, struct mailq_item *it)
{
	int64_t next_at = 0;
	int rc;

	memset(it, 0, sizeof(*it));
	/* the idle mailer asks twice a second: a read first, so it takes no write lock (and
	 * holds up no writer) when nothing is due */
	rc = db_get_int(db, sql_any_due, &next_at, "i", now);
	if (rc)
		return rc;
	rc = db_begin_write(db);
	if (rc)
		return rc;
	rc = due(db, now, it, &next_at);
	if (!rc) {
		it->claim_at = now + claim_s;
		rc = db_exec(db, sql_claim, "iii", it->claim_at, it->id, next_at);
		/* the write lock is ours, so the row cannot have moved; checked all the same,
		 * for a database whose locking is weaker than SQLite's */
		if (!rc && db_changes(db) != 1)
			rc = ERR_NOT_FOUND;
	}
	if (!rc)
		rc = db_commit(db);
	if (rc) {
		db_rollback(db);
		mailq_item_fini(it);
	}
	return rc;
}

static const char sql_sent[] = "UPDATE mail_queue SET sent_at = ?, last_error = ''"
			       " WHERE id = ? AND sent_at IS NULL";
static const char sql_failed[] = "UPDATE mail_queue SET attempts = attempts + 1, next_at = ?,"
				 " last_error = ? WHERE id = ? AND next_at = ? AND sent_at IS NULL";

int mailq_sent(struct db *db, const struct mailq_item *it, int64_t now)
{
	int rc = db_begin_write(db);

	if (rc)
		return rc;
	/* accepted by the server: sent, even when our claim expired meanwhile */
	rc = db_exec(db, sql_sent, "ii", now, it->id);
	if (!rc)
		rc = db_commit(db);
	if (rc)
		db_rollback(db);
	return rc;
}

int mailq_failed(struct db *db, const struct mailq_item *it, int64_t now, const char *error)
{
	char msg[501];
	int rc;

	snprintf(msg, sizeof(msg), "%s", error && *error ? error : "failed");
	/* do not leave half a UTF-8 character where the cut fell */
	if (strlen(msg) == sizeof(msg) - 1) {
		size_t n = strlen(msg);

		while (n > 0 && ((unsigned char)msg[n - 1] & 0xC0) == 0x80)
			n--;
		if (n > 0 && ((unsigned char)msg[n - 1] & 0x80))
			n--;
		msg[n] = '\0';
	}
	rc = db_begin_write(db);
	if (rc)
		return rc;
	rc = db_exec(db, sql_failed, "isii", now + mailq_backoff(it->attempts + 1), msg, it->id,
		     it->claim_at);
	if (!rc)
		rc = db_commit(db);
	if (rc)
		db_rollback(db);
	return rc;
}
