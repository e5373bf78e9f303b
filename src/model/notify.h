/*
 * notify.h - notifications: the in-app inbox of an account and the e-mail that carries
 * each one to the person's address.
 *
 * The event that causes a notification (an invitation, a co-signing request, an
 * assignment...) calls notify_* inside its own write transaction, so the notice commits or
 * rolls back with the change. A notification stores its kind, the subject (the title of the
 * object it is about) and a link (a page path such as "/outputs/12"); the title a reader
 * sees is made when it is read, from the catalog key "notify_title_<kind>" in their language
 * (the web layer's json_notify.c).
 * When the person has an e-mail address a row of mail_queue is written with it; the mailer
 * (serve --smtp) sends it later and retries on failure.
 */
#ifndef SHENLIAO_MODEL_NOTIFY_H
#define SHENLIAO_MODEL_NOTIFY_H

#include <stdint.h>

#include "model/model.h"

/* The kinds of notification, in the order the API documents them. */
extern const char *const notify_kinds[];

/* notify_kind_known reports whether kind is one of notify_kinds. */
bool notify_kind_known(const char *kind);

/* notify_person notifies person person_id (of body org_id, where the event happened): the
 * inbox of their linked account (person.user_id) when they have one, and their e-mail
 * address when they have one. A person with neither gets nothing (ERR_OK). ERR_INVALID
 * for an unknown kind (a programming error). In the caller's transaction. */
int notify_person(struct db *db, int64_t org_id, int64_t person_id, const char *kind,
		  const char *subject, const char *link) WARN_UNUSED;

/* notify_user notifies account user_id (its inbox; its person's e-mail when the account is
 * linked to a person that has one). Disabled accounts are skipped. */
int notify_user(struct db *db, int64_t org_id, int64_t user_id, const char *kind,
		const char *subject, const char *link) WARN_UNUSED;

/* notify_handler notifies every enabled account of handling unit handler_id. */
int notify_handler(struct db *db, int64_t org_id, int64_t handler_id, const char *kind,
		   const char *subject, const char *link) WARN_UNUSED;

/* --- events of the model that notify (called inside the event's transaction) --- */

/* Who of an output is told (notify_output). */
enum notify_audience {
	NOTIFY_AUTHORS = 1, /* every author, lead and co-signers */
	NOTIFY_HANDLERS = 2 /* every handling unit assigned to it, lead and co */
};

/* notify_output tells the audience of output output_id about it: subject its title, link
 * "/outputs/<id>". ERR_NOT_FOUND when there is no such output. */
int notify_output(struct db *db, int64_t output_id, enum notify_audience to,
		  const char *kind) WARN_UNUSED;

/* notify_invited tells person person_id of their invitation to session session_id: subject
 * the session's title, link "/invitations" (where they answer it). */
int notify_invited(struct db *db, int64_t session_id, int64_t person_id) WARN_UNUSED;

/* --- the inbox of the caller --- */

/* One notification as its reader sees it; the strings are owned (notification_list_release). */
struct notification {
	int64_t id;
	char kind[24];
	char *subject;
	char *link;
	int64_t created_at;
	bool read;
};

struct notification_list {
	struct notification *items;
	size_t n;
};

/* notify_list reads the caller's notifications newest first: at most limit of them with an
 * id below before (0: from the newest). ERR_AUTH for an anonymous caller; the system actor
 * and accounts without notifications get an empty list. *out is the caller's to release. */
int notify_list(struct db *db, const struct actor *a, int64_t before, int limit,
		struct notification_list *out) WARN_UNUSED;
void notification_list_release(struct notification_list *l);

/* notify_unread counts the caller's unread notifications (one indexed COUNT); ERR_AUTH for
 * an anonymous caller. */
int notify_unread(struct db *db, const struct actor *a, int64_t *n) WARN_UNUSED;

/* notify_mark_read marks notification id of the caller read at now (already read: left as
 * it is). ERR_NOT_FOUND when it is not the caller's (someone else's is as if absent);
 * ERR_AUTH when anonymous. In the caller's write transaction. Not audited: it changes the
 * reader's own inbox, not the record. */
int notify_mark_read(struct db *db, const struct actor *a, int64_t id, int64_t now) WARN_UNUSED;

/* notify_mark_all_read marks every unread notification of the caller read; *n (may be NULL)
 * gets how many. */
int notify_mark_all_read(struct db *db, const struct actor *a, int64_t now, int *n) WARN_UNUSED;

/* --- erasure --- */

/* notify_erase deletes the notifications of person person_id and of account user_id (0:
 * none) and their e-mails in the queue: they hold personal data (person_erase, in its
 * transaction). */
int notify_erase(struct db *db, int64_t person_id, int64_t user_id) WARN_UNUSED;

/* --- reminders (the scheduler) --- */

/* notify_reminders sends the reminders due at now (epoch seconds; days are China's):
 *  - reply_due to every handling unit of an assigned output whose reply_due falls within
 *    the next seven days ("week" stage, once) and again on the day itself ("day");
 *  - commitment_due to the owner person of an open or in-progress commitment whose
 *    due_date falls within the next seven days / is today.
 * Each reminder is sent once: reminder_sent keeps (kind, object, due day, stage), so a
 * second run, a restart or a second process sends nothing twice; a changed due date gets
 * reminders of its own. *sent (may be NULL) gets how many reminders were sent. In the
 * caller's write transaction. */
int notify_reminders(struct db *db, int64_t now, int *sent) WARN_UNUSED;

#endif
