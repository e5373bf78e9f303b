/*
 * notify.c - notifications: a row of the inbox per account, a row of the mail queue per
 * address (notify.h).
 */
#include "model/notify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "db/db.h"

const char *const notify_kinds[] = {
    "invitation",
    "cosign_request",
    "cosign_answer",
    "assignment",
    "reply_due",
    "reply_received",
    "adoption",
    "commitment_due",
    "topic_decision",
    /* escalation.c */
    "escalation_received",
    "escalation_answered",
    NULL,
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
    " VALUES (?, NULLIF(CAST(? AS BIGINT), 0), NULLIF(CAST(? AS BIGINT), 0), ?, ?, ?, ?)";
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

/* Who a notification reaches, in the same columns for a person and for an account: the
 * account (0: none, or disabled), the person (0: none), the address ("" for none), and
 * whether anyone is to be told at all (a disabled account is not, through notify_user; a
 * person whose account is disabled still gets the e-mail). */
static const char sql_person[] =
    "SELECT CASE WHEN COALESCE(u.disabled, FALSE) = FALSE THEN COALESCE(p.user_id, 0) ELSE 0 END,"
    " p.id, p.email, 1 FROM person p LEFT JOIN users u ON u.id = p.user_id"
    " WHERE p.id = ? AND p.erased_at IS NULL";
static const char sql_user[] =
    "SELECT u.id, COALESCE(p.id, 0), COALESCE(p.email, ''), u.disabled = FALSE FROM users u"
    " LEFT JOIN person p ON p.user_id = u.id AND p.erased_at IS NULL WHERE u.id = ?";

/* reach delivers to the recipient sql finds for id; nobody found (gone, erased): ERR_OK */
static int reach(struct db *db, const char *sql, int64_t id, int64_t org_id, const char *kind,
		 const char *subject, const char *link)
{
	struct db_stmt *st;
	int64_t user_id, person_id;
	char *email;
	int rc = db_get_row(db, sql, &st, "i", id);

	if (rc)
		return rc == ERR_NOT_FOUND ? ERR_OK : rc;
	if (!db_col_int(st, 3)) {
		db_done(st);
		return ERR_OK;
	}
	user_id = db_col_int(st, 0);
	person_id = db_col_int(st, 1);
	email = db_col_dup(st, 2);
	db_done(st);
	if (!email)
		return ERR_NOMEM;
	rc = deliver(db, org_id, user_id, person_id, kind, subject, link, email);
	free(email);
	return rc;
}

int notify_person(struct db *db, int64_t org_id, int64_t person_id, const char *kind,
		  const char *subject, const char *link)
{
	return reach(db, sql_person, person_id, org_id, kind, subject, link);
}

int notify_user(struct db *db, int64_t org_id, int64_t user_id, const char *kind,
		const char *subject, const char *link)
{
	return reach(db, sql_user, user_id, org_id, kind, subject, link);
}

int notify_handler(struct db *db, int64_t org_id, int64_t handler_id, const char *kind,
		   const char *subject, const char *link)
{
	struct db_ids ids = {NULL, 0};
	size_t i;
	int rc;

	/* collect first: notify_user runs statements of its own */
	rc = db_each(db,
		     "SELECT id FROM users WHERE handler_id = ? AND disabled = FALSE ORDER BY id",
		     db_ids_row, &ids, "i", handler_id);
	for (i = 0; !rc && i < ids.n; i++)
		rc = notify_user(db, org_id, ids.ids[i], kind, subject, link);
	free(ids.ids);
	return rc;
}

/* --- events of the model --- */

static const char sql_output_title[] = "SELECT org_id, title FROM output WHERE id = ?";
static const char sql_output_authors[] =
    "SELECT person_id FROM output_author WHERE output_id = ? ORDER BY role = 'cosigner', person_id";
static const char sql_output_handlers[] =
    "SELECT handler_id FROM output_handler WHERE output_id = ? ORDER BY role = 'co', handler_id";

int notify_output(struct db *db, int64_t output_id, enum notify_audience to, const char *kind)
{
	struct db_ids ids = {NULL, 0};
	struct db_stmt *st;
	char link[32], *title;
	int64_t org_id;
	size_t i;
	int rc;

	rc = db_get_row(db, sql_output_title, &st, "i", output_id);
	if (rc)
		return rc;
	org_id = db_col_int(st, 0);
	title = db_col_dup(st, 1);
	db_done(st);
	if (!title)
		return ERR_NOMEM;
	snprintf(link, sizeof(link), "/outputs/%lld", (long long)output_id);
	/* collect first: notify_* run statements of their own */
	rc = db_each(db, to == NOTIFY_HANDLERS ? sql_output_handlers : sql_output_authors,
		     db_ids_row, &ids, "i", output_id);
	for (i = 0; !rc && i < ids.n; i++)
		rc = to == NOTIFY_HANDLERS
			 ? notify_handler(db, org_id, ids.ids[i], kind, title, link)
			 : notify_person(db, org_id, ids.ids[i], kind, title, link);
	free(ids.ids);
	free(title);
	return rc;
}

static const char sql_session_title[] = "SELECT org_id, title FROM session WHERE id = ?";

int notify_invited(struct db *db, int64_t session_id, int64_t person_id)
{
	struct db_stmt *st;
	int64_t org_id;
	char *title;
	int rc;

	rc = db_get_row(db, sql_session_title, &st, "i", session_id);
	if (rc)
		return rc;
	org_id = db_col_int(st, 0);
	title = db_col_dup(st, 1);
	db_done(st);
	if (!title)
		return ERR_NOMEM;
	rc = notify_person(db, org_id, person_id, "invitation", title, "/invitations");
	free(title);
	return rc;
}

/* --- the inbox --- */

/* the reader: a signed-in account (the system actor has no inbox: user id 0) */
static int reader(const struct actor *a, int64_t *user_id)
{
	if (!a || a->via == AUTH_NONE)
		return ERR_AUTH;
	*user_id = a->user.id;
	return ERR_OK;
}

static const char sql_list[] =
    "SELECT id, kind, subject, link, created_at, read_at IS NOT NULL FROM notification"
    " WHERE user_id = ?1 AND (CAST(?2 AS BIGINT) = 0 OR id < ?2) ORDER BY id DESC LIMIT ?3";

static int list_row(struct db_stmt *st, void *ud)
{
	struct notification_list *l = ud;
	struct notification *n;

	n = array_grow(&l->items, &l->n, sizeof(*l->items));
	if (!n)
		return ERR_NOMEM;
	n->id = db_col_int(st, 0);
	snprintf(n->kind, sizeof(n->kind), "%s", db_col_text(st, 1));
	n->subject = db_col_dup(st, 2);
	n->link = db_col_dup(st, 3);
	n->created_at = db_col_int(st, 4);
	n->read = db_col_int(st, 5) != 0;
	return n->subject && n->link ? ERR_OK : ERR_NOMEM;
}

int notify_list(struct db *db, const struct actor *a, int64_t before, int limit,
		struct notification_list *out)
{
	int64_t uid;
	int rc;

	out->items = NULL;
	out->n = 0;
	rc = reader(a, &uid);
	if (rc || !uid)
		return rc;
	rc = db_each(db, sql_list, list_row, out, "iin", uid, before, limit);
	if (rc)
		notification_list_release(out);
	return rc;
}

void notification_list_release(struct notification_list *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n; i++) {
		free(l->items[i].subject);
		free(l->items[i].link);
	}
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

static const char sql_unread[] =
    "SELECT COUNT(*) FROM notification WHERE user_id = ? AND read_at IS NULL";

int notify_unread(struct db *db, const struct actor *a, int64_t *n)
{
	int64_t uid;
	int rc = reader(a, &uid);

	*n = 0;
	if (rc || !uid)
		return rc;
	return db_get_int(db, sql_unread, n, "i", uid);
}

static const char sql_own[] = "SELECT id FROM notification WHERE id = ? AND user_id = ?";
static const char sql_read[] =
    "UPDATE notification SET read_at = ? WHERE id = ? AND read_at IS NULL";
static const char sql_read_all[] =
    "UPDATE notification SET read_at = ? WHERE user_id = ? AND read_at IS NULL";

int notify_mark_read(struct db *db, const struct actor *a, int64_t id, int64_t now)
{
	int64_t uid, found;
	int rc = reader(a, &uid);

	if (rc)
		return rc;
	if (!uid)
		return ERR_NOT_FOUND;
	rc = db_get_int(db, sql_own, &found, "ii", id, uid);
	if (rc)
		return rc;
	return db_exec(db, sql_read, "ii", now, id);
}

int notify_mark_all_read(struct db *db, const struct actor *a, int64_t now, int *n)
{
	int64_t uid;
	int rc = reader(a, &uid);

	if (n)
		*n = 0;
	if (rc || !uid)
		return rc;
	rc = db_exec(db, sql_read_all, "ii", now, uid);
	if (!rc && n)
		*n = db_changes(db);
	return rc;
}

/* --- erasure --- */

static const char sql_erase_mail[] =
    "DELETE FROM mail_queue WHERE notification_id IN (SELECT id FROM notification"
    " WHERE person_id = ?1 OR (CAST(?2 AS BIGINT) != 0 AND user_id = ?2))";
static const char sql_erase[] =
    "DELETE FROM notification WHERE person_id = ?1 OR (CAST(?2 AS BIGINT) != 0 AND user_id = ?2)";

int notify_erase(struct db *db, int64_t person_id, int64_t user_id)
{
	int rc = db_exec(db, sql_erase_mail, "ii", person_id, user_id);

	return rc ? rc : db_exec(db, sql_erase, "ii", person_id, user_id);
}

/* --- reminders --- */

/* a reminder to send: the object, its body, its title and link, its due day */
struct due {
	int64_t id, org_id, target; /* target: the output (handlers) or the owner person */
	int64_t session_id;	    /* a commitment's session (its page is the link) */
	char *title;
	char day[11];
	int days; /* from today to the due day, 0..7 */
};

struct due_list {
	struct due *v;
	size_t n;
};

static void due_list_release(struct due_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].title);
	free(l->v);
}

/* day_start returns the start of the (China) day of t, in epoch seconds. */
static int64_t day_start(int64_t t)
{
	int64_t local = t + TZ_OFFSET_S;

	return (local - ((local % 86400) + 86400) % 86400) - TZ_OFFSET_S;
}

struct due_ctx {
	struct due_list *l;
	int64_t today;
	bool by_date; /* the 4th column is a date "YYYY-MM-DD" (else epoch seconds) */
};

static int due_row(struct db_stmt *st, void *ud)
{
	struct due_ctx *c = ud;
	struct due *d;
	int64_t t;

	d = array_grow(&c->l->v, &c->l->n, sizeof(*c->l->v));
	if (!d)
		return ERR_NOMEM;
	d->id = db_col_int(st, 0);
	d->session_id = db_col_int(st, 5);
	d->org_id = db_col_int(st, 1);
	d->target = db_col_int(st, 2);
	d->title = db_col_dup(st, 3);
	if (!d->title)
		return ERR_NOMEM;
	if (c->by_date) {
		snprintf(d->day, sizeof(d->day), "%.10s", db_col_text(st, 4));
		if (time_parse(d->day, &t))
			t = -1; /* not a date: never due */
	} else {
		t = db_col_int(st, 4);
		time_fmt(t, "%Y-%m-%d", d->day, sizeof(d->day));
	}
	d->days = t < 0 ? -1 : (int)((day_start(t) - c->today) / 86400);
	return ERR_OK;
}

static const char sql_due_replies[] =
    "SELECT id, org_id, id, title, reply_due, 0 FROM output WHERE state = 'assigned'"
    " AND reply_due >= ? AND reply_due < ? ORDER BY id";
static const char sql_due_commitments[] =
    "SELECT id, org_id, owner_id, substr(body, 1, 100), due_date, session_id FROM commitment"
    " WHERE status IN ('open', 'in_progress') AND owner_id IS NOT NULL"
    " AND due_date >= ? AND due_date <= ? ORDER BY id";
static const char sql_sent[] =
    "INSERT INTO reminder_sent (kind, entity_id, due_on, stage, sent_at) VALUES (?, ?, ?, ?, ?)"
    " ON CONFLICT DO NOTHING";

/* remind sends the reminders of l of kind: each once per (object, day, stage). */
static int remind(struct db *db, const char *kind, const struct due_list *l, int64_t now, int *sent)
{
	char link[40];
	size_t i;
	int rc = ERR_OK;

	for (i = 0; !rc && i < l->n; i++) {
		const struct due *d = &l->v[i];

		if (d->days < 0 || d->days > 7)
			continue;
		rc = db_exec(db, sql_sent, "sissi", kind, d->id, d->day,
			     d->days == 0 ? "day" : "week", now);
		if (rc || db_changes(db) == 0)
			continue; /* sent before */
		if (strcmp(kind, "reply_due") == 0) {
			rc = notify_output(db, d->id, NOTIFY_HANDLERS, kind);
		} else {
			snprintf(link, sizeof(link), "/sessions/%lld", (long long)d->session_id);
			rc = notify_person(db, d->org_id, d->target, kind, d->title, link);
		}
		if (!rc)
			(*sent)++;
	}
	return rc;
}

int notify_reminders(struct db *db, int64_t now, int *sent)
{
	struct due_list replies = {NULL, 0}, commitments = {NULL, 0};
	struct due_ctx c = {&replies, day_start(now), false};
	char today[11], week[11];
	int n = 0, rc;

	/* within the next seven days: from today's start to the end of the seventh day */
	rc = db_each(db, sql_due_replies, due_row, &c, "ii", c.today, c.today + 8 * 86400);
	time_fmt(now, "%Y-%m-%d", today, sizeof(today));
	time_fmt(now + 7 * 86400, "%Y-%m-%d", week, sizeof(week));
	c.l = &commitments;
	c.by_date = true;
	if (!rc)
		rc = db_each(db, sql_due_commitments, due_row, &c, "ss", today, week);
	if (!rc)
		rc = remind(db, "reply_due", &replies, now, &n);
	if (!rc)
		rc = remind(db, "commitment_due", &commitments, now, &n);
	due_list_release(&replies);
	due_list_release(&commitments);
	if (sent)
		*sent = rc ? 0 : n;
	return rc;
}
