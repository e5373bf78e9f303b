/*
 * venue.h - venue mode of `shenliao serve` (--venue-export DIR --bundle-key NAME.secret): a
 * thread that writes a session's signed bundle into DIR when the session closes, so the
 * venue laptop's record can be carried to the office network (docs/FEDERATION.md).
 *
 * Threads: venue_start and venue_stop from the main thread; the work runs on its own thread
 * with its own connection.
 */
#ifndef SHENLIAO_CLI_VENUE_H
#define SHENLIAO_CLI_VENUE_H

#include "model/bundle.h"

/* venue_start starts the exporter: every interval_ms it looks for sessions closed since it
 * started and not yet exported and writes each one's bundle to dir/session-<id>-<UTC time>.bundle
 * (logged). k (copied) must hold the secret key. */
int venue_start(const char *db_path, const char *dir, const struct bundle_key *k,
		int interval_ms) WARN_UNUSED;

/* venue_stop finishes the export in progress and stops the thread; safe when not
 * started. */
void venue_stop(void);

#endif
