/*
 * ratelimit.c - flood limits in fixed windows and growing delays (see ratelimit.h).
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

/* --- growing delays --- */

#define BACKOFF_KEY_MAX 128
#define BACKOFF_WAYS	4

struct backoff_slot {
	char key[BACKOFF_KEY_MAX]; /* "" when free */
	int count;		   /* tries counted and not yet drained */
	int64_t last_ms;	   /* when the last of them was let through */
	int64_t drain_from;	   /* the time from which the count drains */
};

struct backoff {
	pthread_mutex_t lock;
	struct backoff_rule rule;
	size_t nsets;
	backoff_clock clock;
	void *clock_ud;
	struct backoff_slot slots[];
};

struct backoff *backoff_new(size_t slots, const struct backoff_rule *rule, backoff_clock clock,
			    void *clock_ud)
{
	struct backoff *b;
	size_t nsets = (slots + BACKOFF_WAYS - 1) / BACKOFF_WAYS;

	if (nsets < 1)
		nsets = 1;
	if (nsets > (SIZE_MAX - sizeof(*b)) / (BACKOFF_WAYS * sizeof(struct backoff_slot)))
		return NULL;
	b = calloc(1, sizeof(*b) + nsets * BACKOFF_WAYS * sizeof(struct backoff_slot));
	if (!b)
		return NULL;
	if (pthread_mutex_init(&b->lock, NULL) != 0) {
		free(b);
		return NULL;
	}
	b->rule = *rule;
	if (b->rule.threshold < 1)
		b->rule.threshold = 1;
	if (b->rule.first_ms < 1)
		b->rule.first_ms = 1;
	if (b->rule.max_ms < b->rule.first_ms)
		b->rule.max_ms = b->rule.first_ms;
	if (b->rule.drain_ms < 1)
		b->rule.drain_ms = 1;
	b->nsets = nsets;
	b->clock = clock;
	b->clock_ud = clock_ud;
	return b;
}

void backoff_free(struct backoff *b)
{
	if (!b)
		return;
	pthread_mutex_destroy(&b->lock);
	free(b);
}

int64_t backoff_wait_ms(const struct backoff_rule *rule, int n)
{
	int64_t w;
	int i;

	if (n < rule->threshold)
		return 0;
	w = rule->first_ms;
	for (i = rule->threshold; i < n && w < rule->max_ms; i++)
		w *= 2;
	return w < rule->max_ms ? w : rule->max_ms;
}

static int64_t backoff_now(const struct backoff *b)
{
	return b->clock ? b->clock(b->clock_ud) : time_now_us() / 1000;
}

/* backoff_drain gives back the tries of s that have drained by now. Under the lock. */
static void backoff_drain(const struct backoff *b, struct backoff_slot *s, int64_t now)
{
	int64_t k;

	if (s->count <= 0 || now <= s->drain_from) {
		if (s->count <= 0)
			s->drain_from = now;
		return;
	}
	k = (now - s->drain_from) / b->rule.drain_ms;
	if (k >= s->count) {
		s->count = 0;
		s->drain_from = now;
	} else {
		s->count -= (int)k;
		s->drain_from += k * b->rule.drain_ms;
	}
}

/* backoff_find returns key's slot (k: the key, cut), or NULL when it holds none. With
 * claim, a slot is taken for a key not held: a free one, one forgotten, or else the one
 * tried least recently of its set. Under the lock. */
static struct backoff_slot *backoff_find(struct backoff *b, const char *k, int64_t now, bool claim)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */
	struct backoff_slot *set, *pick = NULL;
	size_t i;

	for (i = 0; k[i]; i++)
		h = (h ^ (unsigned char)k[i]) * 0x100000001b3ULL;
	set = &b->slots[(h % b->nsets) * BACKOFF_WAYS];
	for (i = 0; i < BACKOFF_WAYS; i++)
		if (set[i].key[0] && strcmp(set[i].key, k) == 0)
			return &set[i];
	if (!claim)
		return NULL;
	for (i = 0; i < BACKOFF_WAYS; i++) {
		struct backoff_slot *s = &set[i];

		if (s->key[0])
			backoff_drain(b, s, now);
		if (!s->key[0] || s->count == 0) {
			pick = s;
			break;
		}
		if (!pick || s->last_ms < pick->last_ms)
			pick = s;
	}
	memset(pick, 0, sizeof(*pick));
	memcpy(pick->key, k, strlen(k) + 1);
	pick->last_ms = pick->drain_from = now;
	return pick;
}

/* backoff_key copies key into k, cut to BACKOFF_KEY_MAX - 1 bytes. */
static void backoff_key(const char *key, char k[BACKOFF_KEY_MAX])
{
	size_t n = strnlen(key, BACKOFF_KEY_MAX - 1);

	memcpy(k, key, n);
	k[n] = '\0';
}

int backoff_take(struct backoff *b, const char *key)
{
	char k[BACKOFF_KEY_MAX];
	struct backoff_slot *s;
	int64_t now = backoff_now(b), until;
	int wait = 0;

	backoff_key(key, k);
	pthread_mutex_lock(&b->lock);
	s = backoff_find(b, k, now, true);
	backoff_drain(b, s, now);
	until = s->last_ms + backoff_wait_ms(&b->rule, s->count);
	if (s->count > 0 && now < until) {
		int64_t left = until - now;

		wait = (int)((left + 999) / 1000);
		if (wait < 1)
			wait = 1;
	} else {
		if (s->count < INT32_MAX)
			s->count++;
		s->last_ms = now;
	}
	pthread_mutex_unlock(&b->lock);
	return wait;
}

void backoff_forgive(struct backoff *b, const char *key, bool all)
{
	char k[BACKOFF_KEY_MAX];
	struct backoff_slot *s;

	backoff_key(key, k);
	pthread_mutex_lock(&b->lock);
	s = backoff_find(b, k, 0, false);
	if (s && all)
		memset(s, 0, sizeof(*s));
	else if (s && s->count > 0)
		s->count--;
	pthread_mutex_unlock(&b->lock);
}
