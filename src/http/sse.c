/*
 * sse.c - the hub of server-sent event streams (see sse.h).
 *
 * Every client sits on one list behind the hub's lock. A client's read function runs on
 * the server's thread for its connection: it writes what is due (hello, the new version, a
 * keep-alive) or, with nothing due, marks itself parked and suspends the connection — both
 * under the lock, so a notify that comes in between cannot be lost: it either sees the
 * client parked and resumes it, or came before the read and the read sends its version.
 */
#include "sse.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "base/util.h"

#define SSE_TOPICS 512

struct sse_client {
	struct sse_hub *hub;
	int64_t topic, sent, last_us;
	struct http_stream *s;
	bool parked, started;
	struct sse_client *next;
};

struct sse_hub {
	pthread_mutex_t lock;
	pthread_cond_t wake; /* the heartbeat's sleep, cut short by close */
	struct sse_hub_config cfg;
	struct sse_client *clients;
	size_t nclients;
	bool closing;
	struct {
		int64_t topic, version;
	} versions[SSE_TOPICS];
	size_t nversions;
	pthread_t beat;
	bool beat_running;
};

static int64_t hub_now(const struct sse_hub *h)
{
	return h->cfg.clock ? h->cfg.clock(h->cfg.clock_ud) : time_now_us();
}

/* version_of returns the latest version known for topic, -1 when none (lock held). */
static int64_t version_of(const struct sse_hub *h, int64_t topic)
{
	for (size_t i = 0; i < h->nversions; i++)
		if (h->versions[i].topic == topic)
			return h->versions[i].version;
	return -1;
}

/* set_version raises topic's version; a new topic pushes out the oldest (lock held). */
static void set_version(struct sse_hub *h, int64_t topic, int64_t version)
{
	for (size_t i = 0; i < h->nversions; i++)
		if (h->versions[i].topic == topic) {
			if (version > h->versions[i].version)
				h->versions[i].version = version;
			return;
		}
	if (h->nversions == SSE_TOPICS) {
		memmove(&h->versions[0], &h->versions[1],
			(h->nversions - 1) * sizeof(h->versions[0]));
		h->nversions--;
	}
	h->versions[h->nversions].topic = topic;
	h->versions[h->nversions].version = version;
	h->nversions++;
}

/* wake resumes parked clients of topic (0: all; silent_us > 0: only those silent that
 * long). Lock held. */
static void wake(struct sse_hub *h, int64_t topic, int64_t silent_us)
{
	int64_t now = hub_now(h);

	for (struct sse_client *c = h->clients; c; c = c->next) {
		if (!c->parked || !c->s || (topic && c->topic != topic))
			continue;
		if (silent_us && now - c->last_us < silent_us)
			continue;
		c->parked = false;
		http_stream_resume(c->s);
	}
}

static long client_read(void *ud, struct http_stream *s, char *buf, size_t max)
{
	struct sse_client *c = ud;
	struct sse_hub *h = c->hub;
	int64_t v, now;
	int n = 0;

	pthread_mutex_lock(&h->lock);
	c->s = s;
	if (h->closing) {
		pthread_mutex_unlock(&h->lock);
		return -1;
	}
	now = hub_now(h);
	v = version_of(h, c->topic);
	if (!c->started) {
		n = snprintf(buf, max, "retry: 2000\n\nevent: hello\ndata: {\"version\":%lld}\n\n",
			     (long long)(v > 0 ? v : 0));
		c->started = true;
		c->sent = v;
	} else if (v > c->sent) {
		n = snprintf(buf, max, "event: %s\ndata: {\"version\":%lld}\n\n", h->cfg.event,
			     (long long)v);
		c->sent = v;
	} else if (now - c->last_us >= h->cfg.keepalive_us) {
		n = snprintf(buf, max, ": keep-alive\n\n");
	}
	if (n < 0 || (size_t)n >= max) { /* the server offers kilobytes; never cut an event */
		log_warn("sse: no room for an event (%zu bytes)", max);
		n = 0;
	}
	if (n > 0) {
		c->last_us = now;
	} else {
		c->parked = true;
		http_stream_suspend(s);
	}
	pthread_mutex_unlock(&h->lock);
	return n;
}

static void client_free(void *ud)
{
	struct sse_client *c = ud, **pp;
	struct sse_hub *h = c->hub;

	pthread_mutex_lock(&h->lock);
	for (pp = &h->clients; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			h->nclients--;
			break;
		}
	pthread_mutex_unlock(&h->lock);
	free(c);
}

static void *heartbeat(void *arg)
{
	struct sse_hub *h = arg;
	struct timespec until;

	pthread_mutex_lock(&h->lock);
	while (!h->closing) {
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += h->cfg.beat_ms / 1000;
		until.tv_nsec += (long)(h->cfg.beat_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		while (!h->closing && pthread_cond_timedwait(&h->wake, &h->lock, &until) == 0)
			;
		if (!h->closing)
			wake(h, 0, h->cfg.keepalive_us);
	}
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

struct sse_hub *sse_hub_new(const struct sse_hub_config *cfg)
{
	struct sse_hub *h = calloc(1, sizeof(*h));
	pthread_condattr_t ca;

	if (!h)
		return NULL;
	h->cfg = *cfg;
	if (!h->cfg.event)
		h->cfg.event = "update";
	if (h->cfg.keepalive_us <= 0)
		h->cfg.keepalive_us = 15000000;
	if (pthread_mutex_init(&h->lock, NULL) != 0) {
		free(h);
		return NULL;
	}
	if (pthread_condattr_init(&ca) != 0 ||
	    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) != 0 ||
	    pthread_cond_init(&h->wake, &ca) != 0) {
		pthread_mutex_destroy(&h->lock);
		free(h);
		return NULL;
	}
	pthread_condattr_destroy(&ca);
	if (h->cfg.beat_ms) {
		if (pthread_create(&h->beat, NULL, heartbeat, h) != 0) {
			sse_hub_free(h);
			return NULL;
		}
		h->beat_running = true;
	}
	return h;
}

int sse_hub_attach(struct sse_hub *h, int64_t topic, int64_t version, struct http_resp *resp)
{
	struct sse_client *c;

	if (http_resp_header(resp, "Cache-Control", "no-cache") ||
	    http_resp_header(resp, "X-Accel-Buffering", "no"))
		return ERR_TOO_BIG;
	c = calloc(1, sizeof(*c));
	if (!c)
		return ERR_NOMEM;
	c->hub = h;
	c->topic = topic;
	pthread_mutex_lock(&h->lock);
	if (h->closing) {
		pthread_mutex_unlock(&h->lock);
		free(c);
		return ERR_IO;
	}
	c->last_us = hub_now(h);
	if (version_of(h, topic) < version)
		set_version(h, topic, version);
	c->next = h->clients;
	h->clients = c;
	h->nclients++;
	pthread_mutex_unlock(&h->lock);
	resp->status = 200;
	resp->content_type = "text/event-stream; charset=utf-8";
	resp->stream = client_read;
	resp->stream_ud = c;
	resp->stream_free = client_free;
	return ERR_OK;
}

void sse_hub_notify(struct sse_hub *h, int64_t topic, int64_t version)
{
	pthread_mutex_lock(&h->lock);
	set_version(h, topic, version);
	wake(h, topic, 0);
	pthread_mutex_unlock(&h->lock);
}

void sse_hub_beat(struct sse_hub *h)
{
	pthread_mutex_lock(&h->lock);
	wake(h, 0, h->cfg.keepalive_us);
	pthread_mutex_unlock(&h->lock);
}

size_t sse_hub_clients(struct sse_hub *h)
{
	size_t n;

	pthread_mutex_lock(&h->lock);
	n = h->nclients;
	pthread_mutex_unlock(&h->lock);
	return n;
}

void sse_hub_close(struct sse_hub *h)
{
	bool join;

	pthread_mutex_lock(&h->lock);
	h->closing = true;
	wake(h, 0, 0);
	pthread_cond_broadcast(&h->wake);
	join = h->beat_running;
	h->beat_running = false;
	pthread_mutex_unlock(&h->lock);
	if (join)
		pthread_join(h->beat, NULL);
}

void sse_hub_free(struct sse_hub *h)
{
	if (!h)
		return;
	sse_hub_close(h);
	pthread_cond_destroy(&h->wake);
	pthread_mutex_destroy(&h->lock);
	free(h);
}
