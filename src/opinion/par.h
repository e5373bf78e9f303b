/*
 * par.h - a parallel loop over fixed parts, for the opinion engine.
 *
 * The engine splits its work into parts whose boundaries depend only on the data, never on
 * the number of threads, and reduces per-part results in part order. So a result is the same
 * bit for bit whether it was computed with one thread or many. par_run only decides who runs
 * which part.
 */
#ifndef SHENLIAO_OPINION_PAR_H
#define SHENLIAO_OPINION_PAR_H

#include <stddef.h>

/* par_fn does part `part` of the work described by ctx. It must touch only memory that
 * belongs to that part (or that no other part writes). */
typedef void par_fn(void *ctx, size_t part);

/* par_run calls fn(ctx, p) once for every p in [0, n_parts), on up to `threads` threads
 * (the caller's thread is one of them; the others come from a pool of workers started on
 * first use and kept, asleep, for later calls), and returns when all calls have returned,
 * without waiting for a worker that has not started on a part. Parts run in no particular
 * order. When a thread cannot be started the remaining threads do its parts, so par_run
 * cannot fail. Thread-safe; fn must be too. One call uses the pool at a time: a call made
 * meanwhile (from another thread, or from inside fn) runs its parts on its own thread. */
void par_run(int threads, size_t n_parts, par_fn *fn, void *ctx);

/* par_split cuts [0, n) into at most max_parts contiguous ranges of items whose weights
 * (prefix sums in cum[0..n], cum[0] == 0, non-decreasing) are about equal, and at least
 * min_weight each where possible. Writes the n_parts + 1 boundaries to bounds (room for
 * max_parts + 1) and returns n_parts (>= 1, a single part [0, n) when n is 0). The result
 * depends only on cum, n, min_weight and max_parts. */
size_t par_split(const size_t *cum, size_t n, size_t min_weight, size_t max_parts, size_t *bounds);

#endif
