/*
 * lease.h - a named lease in the database, so that of several processes sharing one
 * database only one runs a periodic job (the reminder scheduler, the mailer) at a time.
 *
 * A lease is a row (name, holder, expires_at). lease_take takes it for holder when it is
 * free, when its time is up, or when holder already holds it (a renewal), with one
 * INSERT ... ON CONFLICT DO UPDATE ... WHERE statement, so two processes racing for it
 * cannot both win: the database serializes the statement and the loser's WHERE fails. A
 * holder that dies simply stops renewing; the lease is free again once it expires.
 *
 * The holder is any text that names one process uniquely (lease_holder_make gives one).
 * Threads: the functions use the connection they are given (one per thread, db.h).
 */
#ifndef SHENLIAO_MODEL_LEASE_H
#define SHENLIAO_MODEL_LEASE_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct db;

/* lease_take takes or renews lease name for holder until now + ttl_s (ttl_s > 0). ERR_OK
 * when holder holds it afterwards; ERR_CONFLICT when another holder holds it and its time
 * (expires_at) is after now; ERR_INVALID for an empty name or holder or ttl_s <= 0.
 * One statement: atomic alone, or inside the caller's write transaction. */
int lease_take(struct db *db, const char *name, const char *holder, int64_t now,
	       int64_t ttl_s) WARN_UNUSED;

/* lease_release gives lease name up when holder holds it (nothing when it does not), so
 * another process need not wait for it to expire. */
int lease_release(struct db *db, const char *name, const char *holder) WARN_UNUSED;

/* lease_holder_make writes a holder name unique to this process into out (n bytes, at
 * least 48): host name, process id and random bytes. */
void lease_holder_make(char *out, size_t n);

#endif
