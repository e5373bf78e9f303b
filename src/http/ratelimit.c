/*
 * ratelimit.c - fixed-window flood limits (see ratelimit.h).
 */
#include "ratelimit.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

#define KEY_MAX 64

struct slot {
	char key[KEY_MAX];
	int64_t window;
	int count;
};

struct ratelimit {
	pthread_mutex_t lock;
	size_t nslots;
	int window_s;
	ratelimit_clock clock;
	void *clock_ud;
	struct slot slots[];
};

struct ratelimit *ratelimit_new(size_t slots, int window_s, ratelimit_clock clock, void *clock_ud)
{
	struct ratelimit *rl;

	if (slots < 1)
		slots = 1;
	if (slots > (SIZE_MAX - sizeof(*rl)) / sizeof(struct slot))
		return NULL;
	rl = calloc(1, sizeof(*rl) + slots * sizeof(struct slot));
	if (!rl)
		return NULL;
	if (pthread_mutex_init(&rl->lock, NULL) != 0) {
		free(rl);
		return NULL;
	}
	rl->nslots = slots;
	rl->window_s = window_s > 0 ? window_s : 1;
	rl->clock = clock;
	rl->clock_ud = clock_ud;
	return rl;
}

void ratelimit_free(struct ratelimit *rl)
{
	if (!rl)
		return;
	pthread_mutex_destroy(&rl->lock);
	free(rl);
}

int ratelimit_hit(struct ratelimit *rl, const char *key, int max)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */
	int64_t now = rl->clock ? rl->clock(rl->clock_ud) : time_now();
	int64_t window = now / rl->window_s;
	char k[KEY_MAX];
	struct slot *s;
	size_t n = strnlen(key, KEY_MAX - 1);
	int wait = 0;

	memcpy(k, key, n);
	k[n] = '\0';
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)k[i]) * 0x100000001b3ULL;
	pthread_mutex_lock(&rl->lock);
	s = &rl->slots[h % rl->nslots];
	if (s->window != window || strcmp(s->key, k) != 0) {
		memcpy(s->key, k, n + 1);
		s->window = window;
		s->count = 0;
	}
	if (s->count < max) {
		s->count++;
	} else {
		wait = (int)((window + 1) * rl->window_s - now);
		if (wait < 1)
			wait = 1;
	}
	pthread_mutex_unlock(&rl->lock);
	return wait;
}
