/*
 * venue.c - venue mode (venue.h): export a session's bundle when it closes.
 *
 * The thread polls instead of hooking the session's transition: the bundle must be made from
 * committed data on a connection of its own, and a session closed by another process on the
 * same database (or while the server was down) is exported too. What was exported is kept
 * in the database (bundle_exported), so nothing is written twice. Sessions that closed
 * before the server started are left alone (export them with `shenliao bundle export`).
 */
#include "cli/venue.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "base/log.h"
#include "base/util.h"
#include "model/store.h"

enum { VENUE_MAX_FAILED = 64 };

static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	bool running, stopping;
	char *db_path, *dir;
	struct bundle_key key;
	int interval_ms;
	int64_t since;			  /* sessions closed from then on are exported */
	struct db *db;			  /* the thread's connection, opened by venue_start */
	struct db_ids at_start;		  /* closed already at the start (closed_before) */
	int64_t failed[VENUE_MAX_FAILED]; /* refused once: logged once, not retried */
	size_t nfailed;
} venue = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

static bool failed_before(int64_t id)
{
	size_t i;

	for (i = 0; i < venue.nfailed; i++)
		if (venue.failed[i] == id)
			return true;
	return false;
}

/* closed_before: id was closed already when venue mode started (closed in the second of
 * the start or earlier, see bundle_closed_at_start). */
static bool closed_before(const struct db_ids *at_start, int64_t id)
{
	size_t i;

	for (i = 0; i < at_start->n; i++)
		if (at_start->ids[i] == id)
			return true;
	return false;
}

/* export_one writes session id's bundle and records it; logs what happened. */
static void export_one(struct db *db, int64_t id)
{
	struct bundle_report r;
	struct verr e;
	char path[1024], stamp[32];
	time_t now = (time_t)time_now();
	struct tm tm;
	int rc;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	if (snprintf(path, sizeof(path), "%s/session-%lld-%s.bundle", venue.dir, (long long)id,
		     stamp) >= (int)sizeof(path)) {
		log_error("venue: the export folder's name is too long");
		return;
	}
	memset(&e, 0, sizeof(e));
	rc = bundle_export(db, id, &venue.key, path, &r, &e);
	if (!rc) {
		rc = store_begin(db);
		if (!rc)
			rc = bundle_mark_exported(db, id, path);
		if (!rc)
			rc = store_commit(db);
		if (rc)
			store_rollback(db);
	}
	if (rc) {
		log_error("venue: session %lld closed but its bundle was not written: %s",
			  (long long)id, e.code ? e.en : err_name(rc));
		if (venue.nfailed < VENUE_MAX_FAILED)
			venue.failed[venue.nfailed++] = id;
		return;
	}
	log_info("venue: session %lld closed: bundle written to %s (%zu bytes, SHA-256 %s)",
		 (long long)id, path, r.bytes, r.sha256);
}

static void *venue_main(void *arg)
{
	struct db *db = venue.db;
	struct db_ids at_start = venue.at_start;

	(void)arg;
	pthread_mutex_lock(&venue.lock);
	while (!venue.stopping) {
		struct timespec until;
		int64_t ids[64];
		size_t n = 0, i;

		pthread_mutex_unlock(&venue.lock);
		if (bundle_closed_pending(db, venue.since, ids, 64, &n))
			log_error("venue: cannot list the closed sessions");
		for (i = 0; i < n; i++)
			if (!failed_before(ids[i]) && !closed_before(&at_start, ids[i]))
				export_one(db, ids[i]);
		pthread_mutex_lock(&venue.lock);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += venue.interval_ms / 1000;
		until.tv_nsec += (long)(venue.interval_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		while (!venue.stopping &&
		       pthread_cond_timedwait(&venue.wake, &venue.lock, &until) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&venue.lock);
	free(at_start.ids);
	store_close(db);
	return NULL;
}

int venue_start(const char *db_path, const char *dir, const struct bundle_key *k, int interval_ms)
{
	venue.db_path = strdup(db_path);
	venue.dir = strdup(dir);
	if (!venue.db_path || !venue.dir || !k->has_secret) {
		free(venue.db_path);
		free(venue.dir);
		return ERR_NOMEM;
	}
	venue.key = *k;
	venue.interval_ms = interval_ms > 0 ? interval_ms : 1000;
	venue.stopping = false;
	venue.since = time_now();
	/* before the server takes requests: a session closed from now on is not in at_start */
	if (store_open(venue.db_path, 0, &venue.db, NULL, NULL)) {
		log_error("venue: cannot open %s: no bundles will be written", venue.db_path);
		free(venue.db_path);
		free(venue.dir);
		return ERR_IO;
	}
	memset(&venue.at_start, 0, sizeof(venue.at_start));
	if (bundle_closed_at_start(venue.db, venue.since, &venue.at_start))
		log_error("venue: cannot list the sessions closed at the start");
	if (pthread_create(&venue.thread, NULL, venue_main, NULL) != 0) {
		store_close(venue.db);
		free(venue.at_start.ids);
		free(venue.db_path);
		free(venue.dir);
		return ERR_IO;
	}
	venue.running = true;
	log_info("venue mode: the bundle of each session that closes goes to %s (key %s)", dir,
		 k->fingerprint);
	return ERR_OK;
}

void venue_stop(void)
{
	if (!venue.running)
		return;
	pthread_mutex_lock(&venue.lock);
	venue.stopping = true;
	pthread_cond_signal(&venue.wake);
	pthread_mutex_unlock(&venue.lock);
	pthread_join(venue.thread, NULL);
	venue.running = false;
	sodium_memzero(&venue.key, sizeof(venue.key));
	free(venue.db_path);
	free(venue.dir);
	venue.db_path = venue.dir = NULL;
}
