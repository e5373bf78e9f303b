/*
 * test_ratelimit.c - the fixed-window flood limiter: counting up to the limit, the wait
 * until the window ends, a new window, keys kept apart, collisions that restart a slot
 * rather than count for another key, long keys, and exact counts under real threads.
 * Time is the test's own clock, moved by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "http/ratelimit.h"

static int64_t clock_of(void *ud)
{
	return atomic_load((_Atomic int64_t *)ud);
}

static void test_counts_to_max_then_waits(void **state)
{
	_Atomic int64_t now = 6000; /* the start of a minute */
	struct ratelimit *rl = ratelimit_new(64, 60, clock_of, (void *)&now);
	int i;

	(void)state;
	assert_non_null(rl);
	for (i = 0; i < 5; i++)
		assert_int_equal(ratelimit_hit(rl, "k", 5), 0);
	assert_int_equal(ratelimit_hit(rl, "k", 5), 60);
	atomic_store(&now, 6000 + 45);
	assert_int_equal(ratelimit_hit(rl, "k", 5), 15);
	atomic_store(&now, 6000 + 59);
	assert_int_equal(ratelimit_hit(rl, "k", 5), 1);
	/* the next window starts from zero */
	atomic_store(&now, 6000 + 60);
	for (i = 0; i < 5; i++)
		assert_int_equal(ratelimit_hit(rl, "k", 5), 0);
	assert_int_equal(ratelimit_hit(rl, "k", 5), 60);
	ratelimit_free(rl);
}

static void test_keys_apart(void **state)
{
	_Atomic int64_t now = 120;
	struct ratelimit *rl = ratelimit_new(4096, 60, clock_of, (void *)&now);

	(void)state;
	assert_int_equal(ratelimit_hit(rl, "va:10.0.0.1", 1), 0);
	assert_int_not_equal(ratelimit_hit(rl, "va:10.0.0.1", 1), 0);
	assert_int_equal(ratelimit_hit(rl, "va:10.0.0.2", 1), 0);
	assert_int_equal(ratelimit_hit(rl, "vp:1", 1), 0);
	ratelimit_free(rl);
}

/* One slot: every key collides. A key never inherits another's count; a flood of other
 * keys can only make the limiter forget (count from zero), never refuse. */
static void test_collision_restarts_slot(void **state)
{
	_Atomic int64_t now = 0;
	struct ratelimit *rl = ratelimit_new(0, 60, clock_of, (void *)&now);

	(void)state;
	assert_int_equal(ratelimit_hit(rl, "a", 2), 0);
	assert_int_equal(ratelimit_hit(rl, "a", 2), 0);
	assert_int_not_equal(ratelimit_hit(rl, "a", 2), 0);
	assert_int_equal(ratelimit_hit(rl, "b", 2), 0);
	assert_int_equal(ratelimit_hit(rl, "a", 2), 0);
	ratelimit_free(rl);
}

static void test_long_keys_cut(void **state)
{
	_Atomic int64_t now = 0;
	struct ratelimit *rl = ratelimit_new(16, 60, clock_of, (void *)&now);
	char k1[200], k2[200];

	(void)state;
	memset(k1, 'x', sizeof(k1) - 1);
	k1[sizeof(k1) - 1] = '\0';
	memcpy(k2, k1, sizeof(k2));
	k2[150] = 'y'; /* differs only past the compared prefix: the same key */
	assert_int_equal(ratelimit_hit(rl, k1, 1), 0);
	assert_int_not_equal(ratelimit_hit(rl, k2, 1), 0);
	ratelimit_free(rl);
}

struct hammer {
	struct ratelimit *rl;
	const char *key;
	int max, granted;
};

static void *hammer_run(void *arg)
{
	struct hammer *h = arg;

	for (int i = 0; i < 20000; i++)
		if (ratelimit_hit(h->rl, h->key, h->max) == 0)
			h->granted++;
	return NULL;
}

/* Eight threads on two keys: exactly max events are let through per key and window. */
static void test_threads_exact(void **state)
{
	_Atomic int64_t now = 600;
	struct ratelimit *rl = ratelimit_new(4096, 60, clock_of, (void *)&now);
	struct hammer hs[8];
	pthread_t t[8];
	int sum[2] = {0, 0};

	(void)state;
	for (int i = 0; i < 8; i++) {
		hs[i] = (struct hammer){rl, i % 2 ? "odd" : "even", 30000, 0};
		assert_int_equal(pthread_create(&t[i], NULL, hammer_run, &hs[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		sum[i % 2] += hs[i].granted;
	}
	assert_int_equal(sum[0], 30000);
	assert_int_equal(sum[1], 30000);
	ratelimit_free(rl);
}

static void test_wall_clock(void **state)
{
	struct ratelimit *rl = ratelimit_new(8, 60, NULL, NULL);
	int w;

	(void)state;
	assert_int_equal(ratelimit_hit(rl, "w", 1), 0);
	w = ratelimit_hit(rl, "w", 1);
	assert_true(w >= 1 && w <= 60);
	ratelimit_free(rl);
	ratelimit_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_counts_to_max_then_waits),
	    cmocka_unit_test(test_keys_apart),
	    cmocka_unit_test(test_collision_restarts_slot),
	    cmocka_unit_test(test_long_keys_cut),
	    cmocka_unit_test(test_threads_exact),
	    cmocka_unit_test(test_wall_clock),
	};

	return cmocka_run_group_tests_name("ratelimit", tests, NULL, NULL);
}
