/*
 * par.c - a small work-sharing loop on a pool of pthreads (see par.h).
 *
 * The workers are started once and then sleep until a call has parts to share. The caller
 * runs parts too, and returns as soon as every part has been done, whoever did it: it never
 * waits for a worker to wake up, start or exit. That matters on a busy machine. When threads
 * were started and joined per call, each of the engine's ~160 calls waited for its extra
 * thread to be scheduled once to start and once more to finish, even when the caller had done
 * every part meanwhile; with the CPUs shared with other work, those waits (a scheduler
 * latency each, 0.2-0.3 s in all on the 1M conversation) made 2 threads slower than 1.
 *
 * A part is claimed by a compare-and-swap on one word holding the call's number and the next
 * part: a worker that wakes late, after its call has ended, sees another number and claims
 * nothing, so it never runs a part of a call that is over, nor takes one of the next call's.
 * One call uses the pool at a time; a call made while it is in use (another thread's, or one
 * made from inside a part) runs its parts on its own thread, which gives the same result.
 */
#include "par.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

enum { PAR_MAX_THREADS = 64 };

static struct {
	pthread_mutex_t mu;
	pthread_cond_t wake; /* workers: a new call */
	pthread_cond_t idle; /* the caller: its last part is done */
	unsigned workers;    /* started */
	bool busy;	     /* a call is using the pool */
	/* the current call, set under mu */
	uint32_t call;
	par_fn *fn;
	void *ctx;
	size_t n_parts;
	unsigned seats;		    /* workers that may still join the call */
	atomic_uint_fast64_t claim; /* call << 32 | next part */
	atomic_size_t done;	    /* parts of the call finished */
} pool = {.mu = PTHREAD_MUTEX_INITIALIZER,
	  .wake = PTHREAD_COND_INITIALIZER,
	  .idle = PTHREAD_COND_INITIALIZER};

static pthread_once_t pool_once = PTHREAD_ONCE_INIT;

/* after fork the child has none of the workers: it starts again with an empty pool */
static void pool_after_fork(void)
{
	pthread_mutex_init(&pool.mu, NULL);
	pthread_cond_init(&pool.wake, NULL);
	pthread_cond_init(&pool.idle, NULL);
	pool.workers = 0;
	pool.busy = false;
}

static void pool_init(void)
{
	pthread_atfork(NULL, NULL, pool_after_fork);
}

/* run_parts claims and runs parts of call `call` until none is left. */
static void run_parts(uint32_t call, par_fn *fn, void *ctx, size_t n_parts)
{
	uint_fast64_t c = atomic_load(&pool.claim);

	for (;;) {
		if ((uint32_t)(c >> 32) != call || (c & 0xffffffffu) >= n_parts)
			return;
		if (!atomic_compare_exchange_weak(&pool.claim, &c, c + 1))
			continue; /* c now holds the current value */
		fn(ctx, (size_t)(c & 0xffffffffu));
		if (atomic_fetch_add(&pool.done, 1) + 1 == n_parts) {
			pthread_mutex_lock(&pool.mu);
			pthread_cond_broadcast(&pool.idle);
			pthread_mutex_unlock(&pool.mu);
		}
		c = atomic_load(&pool.claim);
	}
}

static void *par_worker(void *arg)
{
	uint32_t seen = 0;

	(void)arg;
	pthread_mutex_lock(&pool.mu);
	seen = pool.call;
	for (;;) {
		uint32_t call;
		par_fn *fn;
		void *ctx;
		size_t n_parts;

		while (pool.call == seen)
			pthread_cond_wait(&pool.wake, &pool.mu);
		seen = call = pool.call;
		if (pool.seats == 0)
			continue;
		pool.seats--;
		fn = pool.fn;
		ctx = pool.ctx;
		n_parts = pool.n_parts;
		pthread_mutex_unlock(&pool.mu);
		run_parts(call, fn, ctx, n_parts);
		pthread_mutex_lock(&pool.mu);
	}
	return NULL;
}

/* grow_pool starts workers until there are `want` (under pool.mu); stops at the first that
 * cannot be started. Workers block every signal: signals are the caller's business. */
static void grow_pool(unsigned want)
{
	sigset_t all, old;
	pthread_attr_t attr;

	if (pool.workers >= want)
		return;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	while (pool.workers < want) {
		pthread_t t;

		if (pthread_create(&t, &attr, par_worker, NULL) != 0)
			break;
		pool.workers++;
	}
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

void par_run(int threads, size_t n_parts, par_fn *fn, void *ctx)
{
	size_t want, i;
	uint32_t call;

	if (threads < 1)
		threads = 1;
	want = (size_t)threads;
	if (want > n_parts)
		want = n_parts;
	if (want > PAR_MAX_THREADS)
		want = PAR_MAX_THREADS;
	if (want <= 1 || n_parts >= UINT32_MAX)
		goto alone;
	pthread_once(&pool_once, pool_init);
	pthread_mutex_lock(&pool.mu);
	if (pool.busy) {
		pthread_mutex_unlock(&pool.mu);
		goto alone;
	}
	grow_pool((unsigned)want - 1);
	if (pool.workers == 0) {
		pthread_mutex_unlock(&pool.mu);
		goto alone;
	}
	pool.busy = true;
	call = ++pool.call;
	pool.fn = fn;
	pool.ctx = ctx;
	pool.n_parts = n_parts;
	pool.seats = (unsigned)want - 1;
	atomic_store(&pool.done, 0);
	atomic_store(&pool.claim, (uint_fast64_t)call << 32);
	pthread_cond_broadcast(&pool.wake);
	pthread_mutex_unlock(&pool.mu);

	run_parts(call, fn, ctx, n_parts);

	pthread_mutex_lock(&pool.mu);
	while (atomic_load(&pool.done) < n_parts)
		pthread_cond_wait(&pool.idle, &pool.mu);
	pool.busy = false;
	pthread_mutex_unlock(&pool.mu);
	return;
alone:
	for (i = 0; i < n_parts; i++)
		fn(ctx, i);
}

size_t par_split(const size_t *cum, size_t n, size_t min_weight, size_t max_parts, size_t *bounds)
{
	size_t total = cum[n], parts, p, lo, hi, mid, target;

	if (max_parts < 1)
		max_parts = 1;
	if (min_weight < 1)
		min_weight = 1;
	parts = total / min_weight;
	if (parts > max_parts)
		parts = max_parts;
	if (parts > n)
		parts = n;
	if (parts < 1)
		parts = 1;
	bounds[0] = 0;
	for (p = 1; p < parts; p++) {
		/* the first item index whose prefix weight reaches p/parts of the total */
		target = (size_t)((double)total * (double)p / (double)parts);
		lo = bounds[p - 1];
		hi = n;
		while (lo < hi) {
			mid = lo + (hi - lo) / 2;
			if (cum[mid] < target)
				lo = mid + 1;
			else
				hi = mid;
		}
		bounds[p] = lo;
	}
	bounds[parts] = n;
	return parts;
}
