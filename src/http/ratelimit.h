/*
 * ratelimit.h - flood limits: counts of events per key in fixed windows, in memory.
 *
 * A limiter holds a fixed number of slots; a key hashes to one slot, which counts the key's
 * events in the current window (window_s seconds, aligned to the epoch). A key that lands
 * on a slot held by another key, or on a slot of an older window, starts the slot afresh:
 * under a flood of distinct keys a key may be counted from zero again, never counted for
 * another key. Memory is fixed at creation, whatever the input.
 *
 * Threads: every function is thread-safe (one lock per limiter) except ratelimit_free,
 * which must run when no other thread uses the limiter.
 */
#ifndef SHENLIAO_HTTP_RATELIMIT_H
#define SHENLIAO_HTTP_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

/* ratelimit_clock returns the time in seconds; ud is the limiter's clock_ud. */
typedef int64_t (*ratelimit_clock)(void *ud);

struct ratelimit;

/* ratelimit_new makes a limiter of slots slots (rounded up to 1) and windows of window_s
 * seconds (at least 1). clock NULL: the wall clock (time_now). NULL when out of memory.
 * The caller owns the limiter (ratelimit_free). */
struct ratelimit *ratelimit_new(size_t slots, int window_s, ratelimit_clock clock, void *clock_ud);

/* ratelimit_free releases rl; accepts NULL. */
void ratelimit_free(struct ratelimit *rl);

/* ratelimit_hit counts one event for key (up to 63 bytes are compared; longer keys are
 * cut). Returns 0 while the key has had at most max events in this window, else the
 * seconds until the window ends (at least 1). */
int ratelimit_hit(struct ratelimit *rl, const char *key, int max);

#endif
