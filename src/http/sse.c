/*
 * sse.c - the hub of server-sent event streams (see sse.h).
 *
 * A stream lives in two places in turn. First on the server: sse_hub_attach makes the
 * response, its read function returns the hello, and on its next call (the hello was sent)
 * takes the socket (http_stream_take) and queues the client for one of the fan-out loops
 * (in turn). Then on that loop's thread, which alone owns from there on the client, its
 * socket and the loop's per-topic lists of subscribers: it adopts queued clients into its
 * epoll set, and on each wake-up encodes one message per notified topic and writes it to
 * each of its subscribers. Every loop hears of every notify.
 *
 * The hub's lock guards what both sides see: the versions, the count of streams, each
 * loop's queue of taken sockets and the topics notified since it last looked, and closing.
 * A notify only records and wakes the loops (an eventfd each); no write happens under the
 * lock.
 *
 * A write that falls short keeps the unsent rest of that one event (at most a line or two)
 * and waits for EPOLLOUT; meanwhile newer versions only raise the topic's version, and the
 * latest is sent once the rest went. A client whose socket has not sent everything for
 * stuck_us since a write first fell short is dropped.
 */
#include "sse.h"

#include <errno.h>
#include <linux/sockios.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"

#define SSE_TOPICS	512  /* topics whose version the hub remembers (a loop keeps its own) */
#define SSE_BUCKETS	1024 /* of the fan-out's table of topics with subscribers */
#define SSE_MSG_MAX	96   /* one event: "event: <name>\ndata: {"version":N}\n\n" */
#define SSE_MAX_THREADS 16

struct sse_topic;

struct sse_client {
	struct sse_hub *hub;
	int fd; /* the taken socket; -1 while the server has the stream */
	int64_t topic, sent, last_us;
	int64_t stuck_since; /* when a write first fell short; 0: the socket has sent all */
	bool started;
	unsigned char pend_off, pend_len; /* the unsent rest of one event, in pend */
	char pend[SSE_MSG_MAX];
	struct sse_client *prev, *next; /* the topic's subscribers, or the queue to adopt */
	struct sse_topic *t;
};

struct sse_topic {
	int64_t id, version; /* the latest version the loop heard of */
	struct sse_client *head;
	struct sse_topic *next; /* in its bucket */
};

struct sse_note {
	int64_t topic, version;
};

/* One fan-out thread: its epoll set, its clients by topic, and what the others hand it. */
struct sse_loop {
	struct sse_hub *hub;
	int ep, wake_fd;
	pthread_t thread;
	bool running;
	struct sse_topic *buckets[SSE_BUCKETS]; /* the thread's own */
	/* under the hub's lock */
	bool beat_asked, notes_lost; /* lost: no memory for a note */
	struct sse_client *incoming;
	struct sse_note *notes; /* the topics notified since the loop last looked */
	size_t nnotes, cap;
};

struct sse_hub {
	pthread_mutex_t lock;
	struct sse_hub_config cfg;
	/* under the lock */
	size_t nclients;
	bool closing;
	unsigned next_loop; /* the loop the next taken socket goes to */
	struct {
		int64_t topic, version;
	} versions[SSE_TOPICS];
	size_t nversions;
	struct sse_loop *loops;
	unsigned nloops;
	_Atomic uint64_t events, refused, dropped_stuck;
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

static void wake_loop(struct sse_loop *l)
{
	uint64_t one = 1;

	if (write(l->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warn("sse: cannot wake the fan-out: %s", strerror(errno));
}

static void client_gone(struct sse_hub *h)
{
	pthread_mutex_lock(&h->lock);
	h->nclients--;
	pthread_mutex_unlock(&h->lock);
}

/* --- a fan-out loop (its own thread) --- */

static struct sse_topic **bucket_of(struct sse_loop *l, int64_t id)
{
	uint64_t x = (uint64_t)id * 0x9e3779b97f4a7c15ULL;

	return &l->buckets[(x >> 32) % SSE_BUCKETS];
}

static struct sse_topic *topic_find(struct sse_loop *l, int64_t id)
{
	for (struct sse_topic *t = *bucket_of(l, id); t; t = t->next)
		if (t->id == id)
			return t;
	return NULL;
}

/* drop ends c's stream: out of the epoll set and its topic, socket closed, freed. */
static void drop(struct sse_loop *l, struct sse_client *c)
{
	struct sse_hub *h = l->hub;
	struct sse_topic *t = c->t;

	(void)epoll_ctl(l->ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	if (c->prev)
		c->prev->next = c->next;
	else if (t)
		t->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	if (t && !t->head) {
		struct sse_topic **pp = bucket_of(l, t->id);

		while (*pp != t)
			pp = &(*pp)->next;
		*pp = t->next;
		free(t);
	}
	free(c);
	client_gone(h);
}

static int want_out(struct sse_loop *l, struct sse_client *c, bool out)
{
	struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | (out ? EPOLLOUT : 0u),
				 .data.ptr = c};

	return epoll_ctl(l->ep, EPOLL_CTL_MOD, c->fd, &ev);
}

/* client_write sends msg[0..len) to c, keeping what the socket did not take; version > 0
 * is the version msg announces. Returns false when c was dropped. */
static bool client_write(struct sse_loop *l, struct sse_client *c, const char *msg, size_t len,
			 int64_t version, int64_t now)
{
	struct sse_hub *h = l->hub;
	ssize_t w = send(c->fd, msg, len, MSG_NOSIGNAL | MSG_DONTWAIT);

	if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		w = 0;
	if (w < 0) {
		drop(l, c);
		return false;
	}
	atomic_fetch_add_explicit(&h->events, 1, memory_order_relaxed);
	c->last_us = now;
	if (version > 0)
		c->sent = version;
	if ((size_t)w < len) {
		memcpy(c->pend, msg + w, len - (size_t)w);
		c->pend_off = 0;
		c->pend_len = (unsigned char)(len - (size_t)w);
		if (!c->stuck_since)
			c->stuck_since = now;
		if (want_out(l, c, true)) {
			drop(l, c);
			return false;
		}
	}
	return true;
}

static size_t event_msg(const struct sse_loop *l, int64_t version, char *buf)
{
	const struct sse_hub *h = l->hub;
	int n = snprintf(buf, SSE_MSG_MAX, "event: %s\ndata: {\"version\":%lld}\n\n", h->cfg.event,
			 (long long)version);

	return n > 0 && n < SSE_MSG_MAX ? (size_t)n : 0;
}

/* catch_up sends c the topic's latest version if it has not had it. */
static void catch_up(struct sse_loop *l, struct sse_client *c, int64_t now)
{
	struct sse_hub *h = l->hub;
	char msg[SSE_MSG_MAX];
	int64_t v;
	size_t n;

	pthread_mutex_lock(&h->lock);
	v = version_of(h, c->topic);
	pthread_mutex_unlock(&h->lock);
	if (c->t && c->t->version > v) /* the hub's table forgets topics, the loop does not */
		v = c->t->version;
	if (v > c->sent && (n = event_msg(l, v, msg)) > 0)
		(void)client_write(l, c, msg, n, v, now);
}

static void adopt(struct sse_loop *l, struct sse_client *c, int64_t now)
{
	struct sse_hub *h = l->hub;
	struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = c};
	struct sse_topic *t = topic_find(l, c->topic);

	if (h->cfg.sndbuf > 0)
		(void)setsockopt(c->fd, SOL_SOCKET, SO_SNDBUF, &h->cfg.sndbuf,
				 sizeof(h->cfg.sndbuf));
	if (!t) {
		t = calloc(1, sizeof(*t));
		if (!t) {
			close(c->fd);
			free(c);
			client_gone(h);
			return;
		}
		t->id = c->topic;
		t->version = -1;
		t->next = *bucket_of(l, t->id);
		*bucket_of(l, t->id) = t;
	}
	c->t = t;
	c->prev = NULL;
	c->next = t->head;
	if (t->head)
		t->head->prev = c;
	t->head = c;
	if (epoll_ctl(l->ep, EPOLL_CTL_ADD, c->fd, &ev)) {
		log_warn("sse: cannot watch a stream: %s", strerror(errno));
		drop(l, c);
		return;
	}
	catch_up(l, c, now);
}

/* fan_out writes topic's event of version to every subscriber that has not had it. */
static void fan_out(struct sse_loop *l, struct sse_topic *t, int64_t version, int64_t now)
{
	char msg[SSE_MSG_MAX];
	size_t n = event_msg(l, version, msg);
	struct sse_client *c, *next;

	if (version > t->version)
		t->version = version;
	if (!n)
		return;
	for (c = t->head; c; c = next) {
		next = c->next;
		if (c->sent < version && !c->pend_len)
			(void)client_write(l, c, msg, n, version, now);
	}
}

/* flush sends c's unsent rest (EPOLLOUT), then the latest version if it missed one. */
static void flush(struct sse_loop *l, struct sse_client *c, int64_t now)
{
	ssize_t w;

	if (!c->pend_len) {
		(void)want_out(l, c, false);
		return;
	}
	w = send(c->fd, c->pend + c->pend_off, c->pend_len, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (w <= 0) {
		drop(l, c);
		return;
	}
	c->pend_off = (unsigned char)(c->pend_off + w);
	c->pend_len = (unsigned char)(c->pend_len - w);
	if (c->pend_len)
		return;
	if (want_out(l, c, false)) {
		drop(l, c);
		return;
	}
	catch_up(l, c, now);
}

/* readable: a viewer sends nothing after its request; read and forget whatever comes,
 * and drop the stream at the end of the connection. */
static void readable(struct sse_loop *l, struct sse_client *c)
{
	char junk[1024];

	for (;;) {
		ssize_t r = recv(c->fd, junk, sizeof(junk), MSG_DONTWAIT);

		if (r > 0)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (r < 0 && errno == EINTR)
			continue;
		drop(l, c);
		return;
	}
}

/* unsent: the bytes c's socket holds that the viewer has not acknowledged; -1: unknown.
 * Only a client that once could not take a write is asked: a healthy one never fills its
 * buffer with events of a few dozen bytes, and one that filled it caught up when this is 0
 * at any beat. */
static int unsent(const struct sse_client *c)
{
	int q = -1;

	return ioctl(c->fd, SIOCOUTQ, &q) == 0 ? q : -1;
}

/* beat sends keep-alives to the silent and drops the stuck: a client is stuck from the
 * first write its socket could not take until its socket has sent everything (a viewer
 * that never reads trickles in a byte now and then as the kernel squeezes its buffers, so
 * "took a byte" does not count as catching up). */
static void beat(struct sse_loop *l, int64_t now)
{
	struct sse_hub *h = l->hub;
	static const char ka[] = ": keep-alive\n\n";

	for (size_t b = 0; b < SSE_BUCKETS; b++) {
		struct sse_topic *t = l->buckets[b], *tnext;

		for (; t; t = tnext) {
			struct sse_client *c = t->head, *next;

			tnext = t->next; /* t goes when its last client is dropped */
			for (; c; c = next) {
				next = c->next;
				if (c->stuck_since && !c->pend_len && unsent(c) == 0)
					c->stuck_since = 0; /* it caught up */
				if (c->stuck_since && now - c->stuck_since >= h->cfg.stuck_us) {
					atomic_fetch_add(&h->dropped_stuck, 1);
					drop(l, c);
				} else if (!c->pend_len && now - c->last_us >= h->cfg.keepalive_us)
					(void)client_write(l, c, ka, sizeof(ka) - 1, 0, now);
			}
		}
	}
}

static void catch_up_all(struct sse_loop *l, int64_t now)
{
	for (size_t b = 0; b < SSE_BUCKETS; b++) {
		struct sse_topic *t = l->buckets[b], *tnext;

		for (; t; t = tnext) {
			struct sse_client *c = t->head, *next;

			tnext = t->next; /* t goes when its last client is dropped */
			for (; c; c = next) {
				next = c->next;
				if (!c->pend_len)
					catch_up(l, c, now);
			}
		}
	}
}

static void drop_all(struct sse_loop *l)
{
	for (size_t b = 0; b < SSE_BUCKETS; b++)
		while (l->buckets[b])
			drop(l, l->buckets[b]->head);
}

static void *fanout_main(void *arg)
{
	struct sse_loop *l = arg;
	struct sse_hub *h = l->hub;
	struct epoll_event evs[256];
	struct sse_note *notes = NULL; /* the array the loop took; swapped back empty */
	size_t cap = 0;
	int64_t next_beat = time_now_us() + (int64_t)h->cfg.beat_ms * 1000;

	(void)prctl(PR_SET_NAME, "sse-fanout", 0, 0, 0); /* for top -H, perf, the bench */
	for (;;) {
		struct sse_client *in, *next;
		bool closing, beat_now, lost;
		size_t nnotes;
		int timeout = -1, n;
		int64_t now;

		if (h->cfg.beat_ms) {
			int64_t left = next_beat - time_now_us();

			timeout = left > 0 ? (int)(left / 1000) + 1 : 0;
		}
		n = epoll_wait(l->ep, evs, (int)ARRAY_LEN(evs), timeout);
		now = hub_now(h);
		for (int i = 0; i < n; i++) {
			struct sse_client *c = evs[i].data.ptr;
			uint64_t count;

			if (!c) {
				if (read(l->wake_fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
					log_warn("sse: eventfd: %s", strerror(errno));
				continue;
			}
			/* a client dropped earlier in this batch is not in evs twice: each fd
			 * is reported once per epoll_wait */
			if (evs[i].events & (EPOLLERR | EPOLLHUP | EPOLLRDHUP))
				drop(l, c);
			else if (evs[i].events & EPOLLOUT)
				flush(l, c, now);
			else if (evs[i].events & EPOLLIN)
				readable(l, c);
		}
		pthread_mutex_lock(&h->lock);
		closing = h->closing;
		in = l->incoming;
		l->incoming = NULL;
		{
			struct sse_note *full = l->notes;
			size_t full_cap = l->cap;

			nnotes = l->nnotes;
			l->notes = notes;
			l->cap = cap;
			l->nnotes = 0;
			notes = full;
			cap = full_cap;
		}
		lost = l->notes_lost;
		l->notes_lost = false;
		beat_now = l->beat_asked;
		l->beat_asked = false;
		pthread_mutex_unlock(&h->lock);
		for (; in; in = next) {
			next = in->next;
			if (closing) {
				close(in->fd);
				free(in);
				client_gone(h);
			} else
				adopt(l, in, now);
		}
		if (closing)
			break;
		for (size_t i = 0; i < nnotes; i++) {
			struct sse_topic *t = topic_find(l, notes[i].topic);

			if (t)
				fan_out(l, t, notes[i].version, now);
		}
		if (lost) /* a note could not be kept: every subscriber catches up */
			catch_up_all(l, now);
		if (h->cfg.beat_ms && time_now_us() >= next_beat) {
			beat_now = true;
			next_beat = time_now_us() + (int64_t)h->cfg.beat_ms * 1000;
		}
		if (beat_now)
			beat(l, now);
	}
	drop_all(l);
	free(notes);
	return NULL;
}

/* --- the server's side of a stream --- */

static long client_read(void *ud, struct http_stream *s, char *buf, size_t max)
{
	struct sse_client *c = ud;
	struct sse_hub *h = c->hub;
	struct sse_loop *l;
	int64_t v;
	int fd, n;

	pthread_mutex_lock(&h->lock);
	if (h->closing) {
		pthread_mutex_unlock(&h->lock);
		return -1;
	}
	if (!c->started) {
		v = version_of(h, c->topic);
		n = snprintf(buf, max, "retry: 2000\n\nevent: hello\ndata: {\"version\":%lld}\n\n",
			     (long long)(v > 0 ? v : 0));
		c->started = true;
		c->sent = v;
		c->last_us = hub_now(h);
		pthread_mutex_unlock(&h->lock);
		/* the server offers kilobytes; never cut an event */
		return n > 0 && (size_t)n < max ? n : -1;
	}
	pthread_mutex_unlock(&h->lock);
	/* the hello went out: the socket moves to the fan-out */
	fd = http_stream_take(s);
	if (fd < 0) {
		log_warn("sse: cannot take a stream's socket; ending it");
		return -1;
	}
	c->fd = fd;
	pthread_mutex_lock(&h->lock);
	if (h->closing) {
		pthread_mutex_unlock(&h->lock);
		close(fd);
		free(c);
		client_gone(h);
		return -1;
	}
	l = &h->loops[h->next_loop++ % h->nloops];
	c->next = l->incoming;
	l->incoming = c;
	pthread_mutex_unlock(&h->lock);
	wake_loop(l);
	return -1;
}

static void client_free(void *ud)
{
	struct sse_client *c = ud;

	client_gone(c->hub);
	free(c);
}

/* --- the hub --- */

static void loops_stop(struct sse_hub *h)
{
	for (unsigned i = 0; i < h->nloops; i++) {
		struct sse_loop *l = &h->loops[i];

		if (l->running) {
			wake_loop(l);
			pthread_join(l->thread, NULL);
			l->running = false;
		}
	}
}

static void loops_free(struct sse_hub *h)
{
	for (unsigned i = 0; i < h->nloops; i++) {
		if (h->loops[i].ep >= 0)
			close(h->loops[i].ep);
		if (h->loops[i].wake_fd >= 0)
			close(h->loops[i].wake_fd);
		free(h->loops[i].notes);
	}
	free(h->loops);
}

struct sse_hub *sse_hub_new(const struct sse_hub_config *cfg)
{
	struct sse_hub *h = calloc(1, sizeof(*h));
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned i;

	if (!h)
		return NULL;
	h->cfg = *cfg;
	if (!h->cfg.event)
		h->cfg.event = "update";
	if (h->cfg.keepalive_us <= 0)
		h->cfg.keepalive_us = 15000000;
	if (h->cfg.stuck_us <= 0)
		h->cfg.stuck_us = 30000000;
	h->nloops = h->cfg.threads ? h->cfg.threads : ncpu > 0 ? (unsigned)ncpu : 1;
	if (h->nloops > SSE_MAX_THREADS)
		h->nloops = SSE_MAX_THREADS;
	if (pthread_mutex_init(&h->lock, NULL) != 0) {
		free(h);
		return NULL;
	}
	h->loops = calloc(h->nloops, sizeof(*h->loops));
	if (!h->loops)
		goto fail;
	for (i = 0; i < h->nloops; i++) {
		struct sse_loop *l = &h->loops[i];
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};

		l->hub = h;
		l->ep = epoll_create1(EPOLL_CLOEXEC);
		l->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (l->ep < 0 || l->wake_fd < 0 ||
		    epoll_ctl(l->ep, EPOLL_CTL_ADD, l->wake_fd, &ev) ||
		    pthread_create(&l->thread, NULL, fanout_main, l) != 0) {
			/* the loops after this one have no descriptors yet */
			for (unsigned j = i + 1; j < h->nloops; j++)
				h->loops[j].ep = h->loops[j].wake_fd = -1;
			goto fail;
		}
		l->running = true;
	}
	return h;
fail:
	pthread_mutex_lock(&h->lock);
	h->closing = true;
	pthread_mutex_unlock(&h->lock);
	if (h->loops) {
		loops_stop(h);
		loops_free(h);
	}
	pthread_mutex_destroy(&h->lock);
	free(h);
	return NULL;
}

int sse_hub_attach(struct sse_hub *h, int64_t topic, int64_t version, struct http_resp *resp)
{
	struct sse_client *c;

	pthread_mutex_lock(&h->lock);
	if (h->closing) {
		pthread_mutex_unlock(&h->lock);
		return ERR_IO;
	}
	if (h->cfg.max_streams && h->nclients >= h->cfg.max_streams) {
		pthread_mutex_unlock(&h->lock);
		atomic_fetch_add(&h->refused, 1);
		return ERR_LIMIT;
	}
	h->nclients++; /* held now, so that racing attaches cannot pass the limit */
	pthread_mutex_unlock(&h->lock);
	c = calloc(1, sizeof(*c));
	if (!c) {
		client_gone(h);
		return ERR_NOMEM;
	}
	if (http_resp_header(resp, "Cache-Control", "no-cache") ||
	    http_resp_header(resp, "X-Accel-Buffering", "no")) {
		free(c);
		client_gone(h);
		return ERR_TOO_BIG;
	}
	c->hub = h;
	c->fd = -1;
	c->topic = topic;
	pthread_mutex_lock(&h->lock);
	if (version_of(h, topic) < version)
		set_version(h, topic, version);
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
	size_t i;

	pthread_mutex_lock(&h->lock);
	set_version(h, topic, version);
	for (unsigned k = 0; k < h->nloops; k++) {
		struct sse_loop *l = &h->loops[k];

		for (i = 0; i < l->nnotes; i++)
			if (l->notes[i].topic == topic) {
				if (version > l->notes[i].version)
					l->notes[i].version = version;
				break;
			}
		if (i < l->nnotes)
			continue;
		if (l->nnotes == l->cap) {
			size_t cap = l->cap ? l->cap * 2 : 16;
			struct sse_note *more = realloc(l->notes, cap * sizeof(*more));

			if (!more) {
				l->notes_lost = true;
				continue;
			}
			l->notes = more;
			l->cap = cap;
		}
		l->notes[l->nnotes++] = (struct sse_note){topic, version};
	}
	pthread_mutex_unlock(&h->lock);
	for (unsigned k = 0; k < h->nloops; k++)
		wake_loop(&h->loops[k]);
}

void sse_hub_beat(struct sse_hub *h)
{
	pthread_mutex_lock(&h->lock);
	for (unsigned k = 0; k < h->nloops; k++)
		h->loops[k].beat_asked = true;
	pthread_mutex_unlock(&h->lock);
	for (unsigned k = 0; k < h->nloops; k++)
		wake_loop(&h->loops[k]);
}

size_t sse_hub_clients(struct sse_hub *h)
{
	size_t n;

	pthread_mutex_lock(&h->lock);
	n = h->nclients;
	pthread_mutex_unlock(&h->lock);
	return n;
}

void sse_hub_stats(struct sse_hub *h, struct sse_hub_stats *out)
{
	out->clients = sse_hub_clients(h);
	out->events = atomic_load(&h->events);
	out->refused = atomic_load(&h->refused);
	out->dropped_stuck = atomic_load(&h->dropped_stuck);
}

void sse_hub_close(struct sse_hub *h)
{
	pthread_mutex_lock(&h->lock);
	h->closing = true;
	pthread_mutex_unlock(&h->lock);
	loops_stop(h);
}

void sse_hub_free(struct sse_hub *h)
{
	if (!h)
		return;
	sse_hub_close(h);
	loops_free(h);
	pthread_mutex_destroy(&h->lock);
	free(h);
}
