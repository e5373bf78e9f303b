/*
 * par.c - a small work-sharing loop on pthreads (see par.h).
 *
 * Threads are started per call: the engine makes a few dozen calls per computation, each
 * doing milliseconds or more of work, so a pool would save nothing measurable and would add
 * state that outlives a call.
 */
#include "par.h"

#include <pthread.h>
#include <stdatomic.h>

struct par_job {
	par_fn *fn;
	void *ctx;
	size_t n_parts;
	atomic_size_t next;
};

static void *par_worker(void *arg)
{
	struct par_job *job = arg;
	size_t p;

	for (;;) {
		p = atomic_fetch_add(&job->next, 1);
		if (p >= job->n_parts)
			break;
		job->fn(job->ctx, p);
	}
	return NULL;
}

void par_run(int threads, size_t n_parts, par_fn *fn, void *ctx)
{
	enum { PAR_MAX_THREADS = 64 };
	pthread_t tid[PAR_MAX_THREADS];
	struct par_job job;
	size_t started = 0, want, i;

	if (threads < 1)
		threads = 1;
	want = (size_t)threads;
	if (want > n_parts)
		want = n_parts;
	if (want > PAR_MAX_THREADS)
		want = PAR_MAX_THREADS;
	if (want <= 1) {
		for (i = 0; i < n_parts; i++)
			fn(ctx, i);
		return;
	}
	job.fn = fn;
	job.ctx = ctx;
	job.n_parts = n_parts;
	atomic_init(&job.next, 0);
	for (i = 0; i + 1 < want; i++) {
		if (pthread_create(&tid[started], NULL, par_worker, &job) != 0)
			break;
		started++;
	}
	par_worker(&job);
	for (i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
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
