/*
 * mailq.h - the queue of the e-mails that carry notifications (table mail_queue, written
 * by notify.c): claim a due row, then mark it sent or failed.
 *
 * Nothing is lost: a row is marked sent only after the mail server accepted the message;
 * a failure keeps it and moves its next_at by a backoff (1, 2, 4 ... s, at most an hour).
 * Safe in several processes: a claim moves next_at past the claim's expiry in a write
 * transaction, conditionally on the next_at it read, so one process wins; a row claimed by
 * a process that died is due again when its claim expires. Each function opens and ends
 * its own write transaction (call it with none open). Any thread, with its own connection.
 */
#ifndef SHENLIAO_MODEL_MAILQ_H
#define SHENLIAO_MODEL_MAILQ_H

#include <stdint.h>

#include "model/model.h"

/* How long a claim holds a row (seconds): longer than one SMTP conversation may take. */
#define MAILQ_CLAIM_S 120
/* The longest wait between two attempts (seconds). */
#define MAILQ_BACKOFF_MAX_S 3600

/* A claimed row and what its message is made from (the notification's kind, subject and
 * link). subject is heap memory: mailq_item_fini frees it. */
struct mailq_item {
	int64_t id;
	int64_t attempts; /* failed attempts so far */
	int64_t claim_at; /* the next_at the claim wrote: the claim's expiry */
	int64_t notification_id;
	int64_t created_at;
	char to[320];
	char kind[32];
	char link[512];
	char *subject;
};

void mailq_item_fini(struct mailq_item *it);

/* mailq_backoff is the wait in seconds after the attempts-th failed attempt (1 for the
 * first, then doubling), capped at MAILQ_BACKOFF_MAX_S. Pure. */
int64_t mailq_backoff(int64_t attempts);

/* mailq_claim takes the oldest row due at now (not sent, next_at <= now) and holds it
 * until now + claim_s. ERR_NOT_FOUND when none is due. On ERR_OK *it is filled (release
 * it with mailq_item_fini). */
int mailq_claim(struct db *db, int64_t now, int64_t claim_s, struct mailq_item *it) WARN_UNUSED;

/* mailq_sent records that the server accepted its message at now. */
int mailq_sent(struct db *db, const struct mailq_item *it, int64_t now) WARN_UNUSED;

/* mailq_failed records a failed attempt at now with error (a one-line reason, cut to 500
 * bytes): attempts + 1, next_at = now + mailq_backoff(attempts). Does nothing (ERR_OK) when
 * the claim was lost to another process in the meantime. */
int mailq_failed(struct db *db, const struct mailq_item *it, int64_t now,
		 const char *error) WARN_UNUSED;

#endif
