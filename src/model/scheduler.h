/*
 * scheduler.h - the periodic jobs of `serve`: a thread that every tick (60 s by default)
 * runs what is due, today the reminders (notify_reminders: reply_due, commitment_due).
 *
 * Safe with several processes on one database: each tick takes the lease "scheduler"
 * (model/lease.h) in the same write transaction as the job, so one process runs it at a
 * time; the others find the lease held and wait for the next tick. A process that dies
 * stops renewing; after the lease's time (two ticks) another one takes over. And each
 * reminder is sent once whoever sends it (reminder_sent), so even a lease that ran out in
 * the middle of a slow tick sends nothing twice.
 *
 * Threads: scheduler_start and scheduler_stop from the main thread, once each;
 * scheduler_tick from any thread with its own connection.
 */
#ifndef SHENLIAO_MODEL_SCHEDULER_H
#define SHENLIAO_MODEL_SCHEDULER_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"

struct db;

/* scheduler_tick runs one tick at now as holder: in one write transaction, takes the lease
 * for ttl_s seconds and runs the due jobs. *ran (may be NULL) is whether this holder had
 * the lease (false: another process holds it, and nothing was done); *sent (may be NULL)
 * how many reminders were sent. */
int scheduler_tick(struct db *db, const char *holder, int64_t now, int64_t ttl_s, bool *ran,
		   int *sent) WARN_UNUSED;

/* scheduler_start starts the thread on database db_path, ticking every tick_s seconds (1
 * to 86400), the first tick at once. */
int scheduler_start(const char *db_path, int tick_s) WARN_UNUSED;

/* scheduler_stop stops the thread (a tick in progress finishes) and gives the lease up;
 * nothing when it was not started. */
void scheduler_stop(void);

#endif
