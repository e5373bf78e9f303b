/*
 * test_ratelimit.c - the fixed-window flood limiter: counting up to the limit, the wait
 * until the window ends, a new window, keys kept apart, collisions that restart a slot
 * rather than count for another key, long keys, and exact counts under real threads.
 * Then the growing delays of sign-in throttling (struct backoff): free tries, waits of 1,
 * 2, 4 ... s up to the cap, keys apart (one address's guesses delay nobody else), a right
 * password clearing its key, counts that drain (idle keys forgotten, a steady pace never
 * waits), floods that forget but never blame, and
 * exactly `threshold` tries let through under real threads.
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

/* --- growing delays (sign-in throttling) --- */

static const struct backoff_rule rule5 = {5, 1000, 8000, 900000};

/* tries n times at the clock's current time; returns how many were let through */
static int tries(struct backoff *b, const char *key, int n)
{
	int ok = 0;

	for (int i = 0; i < n; i++)
		if (backoff_take(b, key) == 0)
			ok++;
	return ok;
}

static void test_backoff_wait_rule(void **state)
{
	(void)state;
	assert_int_equal(backoff_wait_ms(&rule5, 0), 0);
	assert_int_equal(backoff_wait_ms(&rule5, 4), 0);
	assert_int_equal(backoff_wait_ms(&rule5, 5), 1000);
	assert_int_equal(backoff_wait_ms(&rule5, 6), 2000);
	assert_int_equal(backoff_wait_ms(&rule5, 7), 4000);
	assert_int_equal(backoff_wait_ms(&rule5, 8), 8000);
	assert_int_equal(backoff_wait_ms(&rule5, 9), 8000); /* the cap */
	assert_int_equal(backoff_wait_ms(&rule5, 1 << 30), 8000);
}

/* Five free tries, then waits of 1, 2, 4, 8, 8 s, each counted from the last try let
 * through; a try while waiting is refused and not counted. */
static void test_backoff_grows_to_cap(void **state)
{
	_Atomic int64_t now = 1000000;
	struct backoff *b = backoff_new(64, &rule5, clock_of, (void *)&now);
	static const int waits[] = {1, 2, 4, 8, 8};

	(void)state;
	assert_non_null(b);
	assert_int_equal(tries(b, "p:10.0.0.1|member", 5), 5);
	for (size_t i = 0; i < sizeof(waits) / sizeof(waits[0]); i++) {
		int64_t t0 = atomic_load(&now);

		assert_int_equal(backoff_take(b, "p:10.0.0.1|member"), waits[i]);
		atomic_store(&now, t0 + waits[i] * 1000 - 1);
		assert_int_equal(backoff_take(b, "p:10.0.0.1|member"), 1); /* 1 ms left: 1 s */
		atomic_store(&now, t0 + waits[i] * 1000);
		assert_int_equal(backoff_take(b, "p:10.0.0.1|member"), 0);
	}
	backoff_free(b);
}

/* The point of the issue: one key's failures delay nobody else. */
static void test_backoff_keys_apart(void **state)
{
	_Atomic int64_t now = 5000;
	struct backoff *b = backoff_new(4096, &rule5, clock_of, (void *)&now);

	(void)state;
	assert_int_equal(tries(b, "p:203.0.113.5|member", 20), 5);
	assert_int_not_equal(backoff_take(b, "p:203.0.113.5|member"), 0);
	assert_int_equal(backoff_take(b, "p:198.51.100.7|member"), 0);
	assert_int_equal(backoff_take(b, "p:203.0.113.5|guest"), 0);
	backoff_free(b);
}

/* A right password clears its pair; a try given back is not counted; the count drains by
 * one every drain_ms, so an idle key is forgotten and a steady pace never waits. */
static void test_backoff_forgive_and_forget(void **state)
{
	_Atomic int64_t now = 0;
	struct backoff *b = backoff_new(64, &rule5, clock_of, (void *)&now);

	(void)state;
	assert_int_equal(tries(b, "k", 4), 4);
	backoff_forgive(b, "k", true);
	assert_int_equal(tries(b, "k", 5), 5);
	assert_int_equal(backoff_take(b, "k"), 1);
	/* given back one by one (successes from a busy address): never a wait */
	for (int i = 0; i < 50; i++) {
		assert_int_equal(backoff_take(b, "addr"), 0);
		backoff_forgive(b, "addr", false);
	}
	backoff_forgive(b, "nobody", true); /* not held: nothing happens */
	backoff_forgive(b, "nobody", false);
	/* one drain period: one try given back, so one try goes, then the wait again */
	atomic_store(&now, 900000);
	assert_int_equal(tries(b, "k", 5), 1);
	assert_int_equal(backoff_take(b, "k"), 1);
	/* five periods idle: forgotten, five free tries again */
	atomic_store(&now, 900000 * 6);
	assert_int_equal(tries(b, "k", 5), 5);
	assert_int_equal(backoff_take(b, "k"), 1);
	/* one failure per drain period, for ever: never a wait */
	for (int i = 0; i < 100; i++) {
		atomic_fetch_add(&now, 900000);
		assert_int_equal(backoff_take(b, "steady"), 0);
	}
	backoff_free(b);
}

/* One set of four slots: a flood of other keys can make the backoff forget a key, never
 * charge it with their tries. */
static void test_backoff_flood_forgets_never_blames(void **state)
{
	_Atomic int64_t now = 100000;
	struct backoff *b = backoff_new(1, &rule5, clock_of, (void *)&now);
	char key[32];

	(void)state;
	assert_int_equal(tries(b, "victim", 1), 1);
	for (int i = 0; i < 100; i++) {
		snprintf(key, sizeof(key), "flood-%d", i);
		atomic_fetch_add(&now, 1);
		assert_int_equal(tries(b, key, 5), 5);
		assert_int_not_equal(backoff_take(b, key), 0);
	}
	assert_int_equal(tries(b, "victim", 5), 5);
	backoff_free(b);
}

struct hammer_b {
	struct backoff *b;
	int granted;
};

static void *hammer_b_run(void *arg)
{
	struct hammer_b *h = arg;

	for (int i = 0; i < 5000; i++)
		if (backoff_take(h->b, "same") == 0)
			h->granted++;
	return NULL;
}

/* Many tries at once on one key: exactly threshold are let through before the first wait,
 * because a try is counted when it is let through, not when it has failed. */
static void test_backoff_threads_exact(void **state)
{
	_Atomic int64_t now = 100000;
	struct backoff *b = backoff_new(64, &rule5, clock_of, (void *)&now);
	struct hammer_b hs[8];
	pthread_t t[8];
	int sum = 0;

	(void)state;
	for (int i = 0; i < 8; i++) {
		hs[i] = (struct hammer_b){b, 0};
		assert_int_equal(pthread_create(&t[i], NULL, hammer_b_run, &hs[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		sum += hs[i].granted;
	}
	assert_int_equal(sum, 5);
	backoff_free(b);
}

static void test_backoff_wall_clock_and_long_keys(void **state)
{
	struct backoff_rule r = {1, 60000, 60000, 600000};
	struct backoff *b = backoff_new(8, &r, NULL, NULL);
	char k1[300], k2[300];
	int w;

	(void)state;
	memset(k1, 'u', sizeof(k1) - 1);
	k1[sizeof(k1) - 1] = '\0';
	memcpy(k2, k1, sizeof(k2));
	k2[200] = 'v'; /* differs past the compared prefix: the same key */
	assert_int_equal(backoff_take(b, k1), 0);
	w = backoff_take(b, k2);
	assert_true(w >= 59 && w <= 60);
	backoff_free(b);
	backoff_free(NULL);
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
	    cmocka_unit_test(test_backoff_wait_rule),
	    cmocka_unit_test(test_backoff_grows_to_cap),
	    cmocka_unit_test(test_backoff_keys_apart),
	    cmocka_unit_test(test_backoff_forgive_and_forget),
	    cmocka_unit_test(test_backoff_flood_forgets_never_blames),
	    cmocka_unit_test(test_backoff_threads_exact),
	    cmocka_unit_test(test_backoff_wall_clock_and_long_keys),
	};

	return cmocka_run_group_tests_name("ratelimit", tests, NULL, NULL);
}
