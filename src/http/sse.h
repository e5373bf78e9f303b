/*
 * sse.h - a hub of server-sent event streams that follow a version number per topic.
 *
 * A client attaches to a topic (e.g. a session); its stream starts with
 *	retry: 2000 / event: hello / data: {"version":N}
 * and each time the topic's version grows (sse_hub_notify) it gets
 *	event: <event> / data: {"version":N}
 * once, however many versions passed while it was not reading: readers fetch the state
 * itself elsewhere. A client with nothing to send is suspended (no thread held); notify
 * resumes the topic's clients. After keepalive_us of silence a client gets a comment line
 * (": keep-alive"), so proxies and browsers keep the connection: a heartbeat thread (or the
 * caller, through sse_hub_beat) wakes the silent ones. sse_hub_close ends every stream.
 *
 * The hub remembers the latest version of the last 512 topics notified.
 *
 * Threads: every function is thread-safe (one lock per hub) except sse_hub_free, which must
 * run after every stream attached to the hub ended (after the server stopped).
 */
#ifndef SHENLIAO_HTTP_SSE_H
#define SHENLIAO_HTTP_SSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/http.h"

/* sse_clock returns a monotonic time in microseconds; ud is the hub's clock_ud. */
typedef int64_t (*sse_clock)(void *ud);

struct sse_hub_config {
	const char *event;    /* the event's name ("snapshot"); borrowed, must outlive the hub */
	int64_t keepalive_us; /* silence before a keep-alive comment; 0: 15 s */
	unsigned beat_ms;     /* heartbeat thread period; 0: no thread (call sse_hub_beat) */
	sse_clock clock;      /* NULL: time_now_us */
	void *clock_ud;
};

struct sse_hub;

/* sse_hub_new makes a hub (the caller owns it: sse_hub_free); with beat_ms it starts the
 * heartbeat thread. NULL when out of memory or the thread cannot start. */
struct sse_hub *sse_hub_new(const struct sse_hub_config *cfg);

/* sse_hub_attach turns resp into an event stream of topic, whose version the caller knows
 * is at least version (a version the hub has not heard of yet is taken as the latest).
 * Sets status 200, the content type and the no-cache headers. ERR_NOMEM, ERR_TOO_BIG (no
 * room for headers), ERR_IO when the hub is closing. */
int sse_hub_attach(struct sse_hub *hub, int64_t topic, int64_t version,
		   struct http_resp *resp) WARN_UNUSED;

/* sse_hub_notify records that topic is now at version (an older version is ignored) and
 * wakes its suspended clients. */
void sse_hub_notify(struct sse_hub *hub, int64_t topic, int64_t version);

/* sse_hub_beat wakes the suspended clients silent for keepalive_us or longer (the
 * heartbeat thread calls it every beat_ms). */
void sse_hub_beat(struct sse_hub *hub);

/* sse_hub_clients returns how many streams are attached now. */
size_t sse_hub_clients(struct sse_hub *hub);

/* sse_hub_close ends every stream (each sends nothing more and finishes), refuses new
 * ones, and stops the heartbeat thread. */
void sse_hub_close(struct sse_hub *hub);

/* sse_hub_free closes the hub if needed and releases it; accepts NULL. */
void sse_hub_free(struct sse_hub *hub);

#endif
