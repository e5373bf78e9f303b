/*
 * mailer.h - the mailer of `serve --smtp`: a thread that sends each due row of the mail
 * queue (model/mailq.h) through the SMTP server (http/smtp.h), the message made from the
 * notification with the titles the inbox shows (json_notify.h; zh first, then en) and the
 * full link from web_options.public_url.
 *
 * Without mailer_start nothing is sent: rows stay queued (the in-app inbox still works).
 * Threads: mailer_start and mailer_stop from the main thread only, after web_start and
 * store_pool_init, and before web_stop and store_pool_fini.
 */
#ifndef SHENLIAO_WEB_MAILER_H
#define SHENLIAO_WEB_MAILER_H

#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "http/smtp.h"

/* How often the mailer looks for due rows when the queue is idle (milliseconds). */
#define MAILER_POLL_MS 500

/* mailer_start copies s and starts the thread. ERR_IO when it cannot start. */
int mailer_start(const struct smtp_server *s) WARN_UNUSED;

/* mailer_stop stops the thread (after the message in flight, if any) and wipes the copy of
 * the server's password; does nothing when no mailer runs. */
void mailer_stop(void);

/* mailer_text appends the subject line (subject != 0) or the body of the mail of a
 * notification (kind, subject, link as stored) to out: zh first, then en; the link is
 * public_url + link. Pure apart from the catalogs. */
int mailer_text(const char *kind, const char *subject, const char *link, const char *public_url,
		int want_subject, struct buf *out) WARN_UNUSED;

#endif
