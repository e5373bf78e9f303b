/*
 * notify.h - notifications: the in-app inbox of an account and the e-mail that carries
 * each one to the person's address.
 *
 * The event that causes a notification (an invitation, a co-signing request, an
 * assignment...) calls notify_* inside its own write transaction, so the notice commits or
 * rolls back with the change. A notification stores its kind, the subject (the title of the
 * object it is about) and a link (a page path such as "/outputs/12"); the title a reader
 * sees is made when it is read, from the catalog key "notify.<kind>" in their language.
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

#endif
