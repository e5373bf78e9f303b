/*
 * sse.h - a hub of server-sent event streams that follow a version number per topic.
 *
 * A client attaches to a topic (e.g. a session); its stream starts with
 *	retry: 2000 / event: hello / data: {"version":N}
 * and each time the topic's version grows (sse_hub_notify) it gets
 *	event: <event> / data: {"version":N}
 * once, however many versions passed while it was not reading: readers fetch the state
 * itself elsewhere. After keepalive_us of silence a client gets a comment line
 * (": keep-alive"), so proxies and browsers keep the connection. sse_hub_close ends every
 * stream.
 *
 * The server sends the headers and the hello; then the hub takes the socket
 * (http_stream_take) and the stream leaves the server: a fan-out thread (one per CPU, the
 * streams dealt out in turn) holds the stream's socket in its epoll set, encodes each update
 * once per topic and writes that one buffer to each of its subscribers with non-blocking
 * writes. A stream costs no server connection,
 * no thread and no timer, about 200 bytes of the hub's memory and the kernel's socket. A
 * client whose socket stays behind (it could not take a write, and has not sent all since)
 * for stuck_us is dropped: what it missed is never queued, only the rest of one event (its
 * browser reconnects and gets the latest version in its hello).
 *
 * Past max_streams, sse_hub_attach refuses (ERR_LIMIT): the caller answers 503, and the
 * descriptors and connections that requests need stay theirs.
 *
 * The hub remembers the latest version of the last 512 topics notified, and each fan-out
 * loop that of every topic it has a stream of.
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
	unsigned beat_ms;     /* how often the fan-out looks for silent and stuck clients; 0:
				 never by itself (call sse_hub_beat) */
	size_t max_streams;   /* streams at once (attached, not yet ended); 0: no limit */
	int64_t stuck_us;     /* a socket that cannot send all it holds this long is dropped
				 (from the first write it could not take); 0: 30 s */
	int sndbuf;	      /* SO_SNDBUF of each stream's socket; 0: the kernel's default */
	unsigned threads;     /* fan-out threads (streams are dealt out in turn); 0: one per
				 CPU (at most 16) */
	sse_clock clock;      /* NULL: time_now_us */
	void *clock_ud;
};

struct sse_hub;

/* sse_hub_new makes a hub and starts its fan-out threads (the caller owns it:
 * sse_hub_free). NULL when out of memory or the thread cannot start. */
struct sse_hub *sse_hub_new(const struct sse_hub_config *cfg);

/* sse_hub_attach turns resp into an event stream of topic, whose version the caller knows
 * is at least version (a version the hub has not heard of yet is taken as the latest).
 * Sets status 200, the content type and the no-cache headers. ERR_LIMIT when max_streams
 * streams are open (resp untouched), ERR_NOMEM, ERR_TOO_BIG (no room for headers), ERR_IO
 * when the hub is closing. */
int sse_hub_attach(struct sse_hub *hub, int64_t topic, int64_t version,
		   struct http_resp *resp) WARN_UNUSED;

/* sse_hub_notify records that topic is now at version (an older version is ignored) and
 * has the fan-out tell the topic's clients. */
void sse_hub_notify(struct sse_hub *hub, int64_t topic, int64_t version);

/* sse_hub_beat has the fan-out send a keep-alive to the clients silent for keepalive_us or
 * longer and drop those stuck for stuck_us (it does so by itself every beat_ms). */
void sse_hub_beat(struct sse_hub *hub);

/* sse_hub_clients returns how many streams are open now (what max_streams bounds). */
size_t sse_hub_clients(struct sse_hub *hub);

/* struct sse_hub_stats: counts since the hub was made, for the log and the bench. */
struct sse_hub_stats {
	size_t clients;	 /* open now */
	uint64_t events; /* event messages written (one per client per update) */
	uint64_t refused, dropped_stuck;
};
void sse_hub_stats(struct sse_hub *hub, struct sse_hub_stats *out);

/* sse_hub_close ends every stream (each sends nothing more and its socket is closed),
 * refuses new ones, and stops the fan-out threads. */
void sse_hub_close(struct sse_hub *hub);

/* sse_hub_free closes the hub if needed and releases it; accepts NULL. */
void sse_hub_free(struct sse_hub *hub);

#endif
