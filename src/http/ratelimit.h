/*
 * ratelimit.h - limits kept in memory: flood limits (fixed windows) and growing delays.
 *
 * 1. Flood limits (struct ratelimit): counts of events per key in fixed windows.
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

#include <stdbool.h>
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

/*
 * 2. Growing delays (struct backoff), for guesses such as sign-ins: a key may fail
 * `threshold` times freely; from then on each further try must wait first, 1, 2, 4 ... times
 * `first_ms`, up to `max_ms`, counted from the key's last try. The count drains: every
 * `drain_ms` one counted try is given back (a leaky bucket), so a key that fails now and
 * then at a steady pace, below threshold per threshold * drain_ms, never waits, and an idle
 * key is forgotten; a burst of failures waits.
 *
 * A try is counted when it is let through (backoff_take), before its outcome is known, so
 * that many tries at once cannot all pass while the first ones are still being checked; a
 * try that proved right is given back (backoff_forgive). The waiting is per key only: one
 * key over its threshold delays nobody else, which is what keeps a guesser from locking
 * an account for its owner (sign-ins are keyed by account and address, and by address).
 *
 * Memory is fixed at creation: keys hash to a set of four slots; a new key takes a free
 * slot, one forgotten, or else the one tried least recently of the four. Under a flood of
 * distinct keys a key may so be forgotten (counted from zero again), never charged with
 * another key's tries. (Slots whose count has drained to zero count as free.) The state lives in
 * this process only and is lost on restart.
 *
 * Threads: as above (one lock per backoff; backoff_free when no other thread uses it).
 */

/* backoff_clock returns a monotonic time in milliseconds; ud is the backoff's clock_ud. */
typedef int64_t (*backoff_clock)(void *ud);

struct backoff_rule {
	int threshold;	  /* tries let through before the first wait (at least 1) */
	int64_t first_ms; /* the first wait; each further try doubles it */
	int64_t max_ms;	  /* the longest wait */
	int64_t drain_ms; /* one counted try is given back every drain_ms */
};

struct backoff;

/* backoff_new makes a backoff of about slots slots (rounded up to a multiple of 4) with
 * rule (copied). clock NULL: the monotonic clock of time_now_us. NULL when out of memory.
 * The caller owns it (backoff_free). */
struct backoff *backoff_new(size_t slots, const struct backoff_rule *rule, backoff_clock clock,
			    void *clock_ud);

/* backoff_free releases b; accepts NULL. */
void backoff_free(struct backoff *b);

/* backoff_take asks to try key now (up to 127 bytes are compared; longer keys are cut).
 * Returns 0 when the try may go ahead (and counts it), else the seconds to wait (rounded
 * up, at least 1; nothing counted). */
int backoff_take(struct backoff *b, const char *key);

/* backoff_forgive gives back what key's tries cost: all of them (a right password for
 * that account from that address), or only the last one counted (a try that was right, or
 * that another limit refused). No effect for a key not held. */
void backoff_forgive(struct backoff *b, const char *key, bool all);

/* backoff_wait_ms is the wait rule's n-th failure wait: 0 while n < threshold, else
 * first_ms * 2^(n - threshold) capped at max_ms. Pure. */
int64_t backoff_wait_ms(const struct backoff_rule *rule, int n);

#endif
