/*
 * test_sse.c - the event-stream hub behind a real server on a loopback port: the hello
 * with the known version, a snapshot event per new version to the topic's clients only,
 * older versions ignored, many clients woken by one notify, keep-alives after silence
 * (the hub's clock is the test's, moved by hand; once through sse_hub_beat, once through
 * the fan-out's own beat), close ending every stream, the stream limit, and a viewer that
 * never reads dropped while the others go on. Clients are real sockets read by
 * real threads; every wait is bounded by poll, none is a sleep.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/http.h"
#include "http/sse.h"

struct fix {
	struct sse_hub *hub;
	struct http_server *srv;
	_Atomic int64_t now_us;
	int64_t start_version; /* the version the handler says it knows */
};

static int64_t fix_clock(void *ud)
{
	return atomic_load(&((struct fix *)ud)->now_us);
}

static size_t no_body(struct http_req *req, void *ud)
{
	(void)req;
	(void)ud;
	return 0;
}

/* dispatch: GET /t/N attaches to topic N; anything else is 404. */
static void dispatch(struct http_req *req, struct http_resp *resp, void *ud)
{
	struct fix *f = ud;
	long topic = strncmp(req->path, "/t/", 3) == 0 ? atol(req->path + 3) : 0;

	if (topic <= 0 || sse_hub_attach(f->hub, topic, f->start_version, resp))
		resp->status = 404;
}

static void quiesce(void *ud)
{
	sse_hub_close(((struct fix *)ud)->hub);
}

static struct fix *fix_start_with(unsigned beat_ms, size_t max_streams, int sndbuf)
{
	struct fix *f = calloc(1, sizeof(*f));
	struct sse_hub_config hc = {.event = "snapshot",
				    .keepalive_us = 15000000,
				    .beat_ms = beat_ms,
				    .max_streams = max_streams,
				    .stuck_us = 10000000,
				    .sndbuf = sndbuf,
				    .clock = fix_clock,
				    .clock_ud = f};
	struct http_server_config sc = {.listen = "127.0.0.1:0",
					.threads = 2,
					.timeout_s = 30,
					.body_limit = no_body,
					.dispatch = dispatch,
					.quiet = true,
					.on_quiesce = quiesce};

	assert_non_null(f);
	atomic_store(&f->now_us, 1000000);
	f->hub = sse_hub_new(&hc);
	assert_non_null(f->hub);
	sc.ud = f;
	assert_int_equal(http_server_start(&sc, &f->srv), 0);
	return f;
}

static struct fix *fix_start(unsigned beat_ms)
{
	return fix_start_with(beat_ms, 0, 0);
}

static void fix_stop(struct fix *f)
{
	http_server_stop(f->srv, 5);
	assert_int_equal(sse_hub_clients(f->hub), 0);
	sse_hub_free(f->hub);
	free(f);
}

struct client {
	int fd;
	char buf[16384];
	size_t n;
};

static void client_open(struct fix *f, struct client *c, long topic)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	char req[128];
	int n;

	memset(c, 0, sizeof(*c));
	a.sin_port = htons((uint16_t)http_server_port(f->srv));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(c->fd >= 0);
	assert_int_equal(connect(c->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	n = snprintf(req, sizeof(req), "GET /t/%ld HTTP/1.1\r\nHost: test\r\n\r\n", topic);
	assert_int_equal(write(c->fd, req, (size_t)n), n);
}

/* client_wait reads until needle appears after offset from (returns where it ends), or the
 * stream ends or 5 s pass (returns 0). */
static size_t client_wait(struct client *c, size_t from, const char *needle)
{
	for (int rounds = 0; rounds < 500; rounds++) {
		struct pollfd p = {.fd = c->fd, .events = POLLIN};
		char *hit;
		ssize_t r;

		c->buf[c->n] = '\0';
		hit = strstr(c->buf + from, needle);
		if (hit)
			return (size_t)(hit - c->buf) + strlen(needle);
		if (c->n + 1 >= sizeof(c->buf))
			return 0;
		if (poll(&p, 1, 10) <= 0)
			continue;
		r = read(c->fd, c->buf + c->n, sizeof(c->buf) - 1 - c->n);
		if (r <= 0)
			return 0;
		c->n += (size_t)r;
	}
	return 0;
}

/* client_ended: the server finished the response (chunked terminator) or closed. */
static bool client_ended(struct client *c)
{
	for (int rounds = 0; rounds < 500; rounds++) {
		struct pollfd p = {.fd = c->fd, .events = POLLIN};
		ssize_t r;

		c->buf[c->n] = '\0';
		if (c->n >= 5 && strstr(c->buf, "\r\n0\r\n\r\n"))
			return true;
		if (poll(&p, 1, 10) <= 0)
			continue;
		r = read(c->fd, c->buf + c->n, sizeof(c->buf) - 1 - c->n);
		if (r <= 0)
			return true;
		c->n += (size_t)r;
	}
	return false;
}

static void client_close(struct client *c)
{
	close(c->fd);
}

static void test_hello_and_snapshots(void **state)
{
	struct fix *f = fix_start(0);
	struct client a, b;
	size_t at, bt;

	(void)state;
	f->start_version = 3;
	client_open(f, &a, 5);
	client_open(f, &b, 6);
	at = client_wait(&a, 0, "event: hello\ndata: {\"version\":3}\n\n");
	assert_true(at > 0);
	assert_non_null(strstr(a.buf, "text/event-stream"));
	assert_non_null(strstr(a.buf, "retry: 2000"));
	bt = client_wait(&b, 0, "event: hello\ndata: {\"version\":3}\n\n");
	assert_true(bt > 0);
	assert_int_equal(sse_hub_clients(f->hub), 2);

	sse_hub_notify(f->hub, 5, 4);
	at = client_wait(&a, at, "event: snapshot\ndata: {\"version\":4}\n\n");
	assert_true(at > 0);
	/* an older version is no news; the next newer one is */
	sse_hub_notify(f->hub, 5, 2);
	sse_hub_notify(f->hub, 5, 7);
	at = client_wait(&a, at, "event: snapshot\ndata: {\"version\":7}\n\n");
	assert_true(at > 0);
	assert_null(strstr(a.buf, "\"version\":2}"));
	/* topic 6 heard none of that */
	sse_hub_notify(f->hub, 6, 9);
	bt = client_wait(&b, bt, "event: snapshot\ndata: {\"version\":9}\n\n");
	assert_true(bt > 0);
	assert_null(strstr(b.buf, "\"version\":4}"));
	assert_null(strstr(b.buf, "\"version\":7}"));
	client_close(&a);
	client_close(&b);
	fix_stop(f);
}

struct many {
	struct fix *f;
	int ok;
	pthread_barrier_t *ready;
};

static void *many_client(void *arg)
{
	struct many *m = arg;
	struct client c;
	size_t at;

	client_open(m->f, &c, 11);
	at = client_wait(&c, 0, "event: hello");
	pthread_barrier_wait(m->ready);
	if (at && client_wait(&c, at, "event: snapshot\ndata: {\"version\":1}\n\n"))
		m->ok = 1;
	client_close(&c);
	return NULL;
}

/* Sixteen clients on one topic, each on its own thread: one notify reaches them all. */
static void test_one_notify_wakes_all(void **state)
{
	struct fix *f = fix_start(0);
	pthread_barrier_t ready;
	struct many m[16];
	pthread_t t[16];
	int ok = 0;

	(void)state;
	pthread_barrier_init(&ready, NULL, 17);
	for (int i = 0; i < 16; i++) {
		m[i] = (struct many){f, 0, &ready};
		assert_int_equal(pthread_create(&t[i], NULL, many_client, &m[i]), 0);
	}
	pthread_barrier_wait(&ready); /* every client has its hello */
	sse_hub_notify(f->hub, 11, 1);
	for (int i = 0; i < 16; i++) {
		pthread_join(t[i], NULL);
		ok += m[i].ok;
	}
	pthread_barrier_destroy(&ready);
	assert_int_equal(ok, 16);
	fix_stop(f);
}

static void test_keepalive_by_beat(void **state)
{
	struct fix *f = fix_start(0);
	struct client a;
	size_t at;

	(void)state;
	client_open(f, &a, 5);
	at = client_wait(&a, 0, "event: hello");
	assert_true(at > 0);
	/* silent for less than the keep-alive time: a beat sends nothing, and the next event
	 * is the snapshot */
	atomic_fetch_add(&f->now_us, 14000000);
	sse_hub_beat(f->hub);
	sse_hub_notify(f->hub, 5, 1);
	at = client_wait(&a, at, "event: snapshot");
	assert_true(at > 0);
	assert_null(strstr(a.buf, "keep-alive"));
	/* the snapshot reset the silence; 15 s later a beat sends a keep-alive */
	atomic_fetch_add(&f->now_us, 15000000);
	sse_hub_beat(f->hub);
	at = client_wait(&a, at, ": keep-alive\n\n");
	assert_true(at > 0);
	client_close(&a);
	fix_stop(f);
}

static void test_keepalive_by_heartbeat_thread(void **state)
{
	struct fix *f = fix_start(5);
	struct client a;
	size_t at;

	(void)state;
	client_open(f, &a, 8);
	at = client_wait(&a, 0, "event: hello");
	assert_true(at > 0);
	atomic_fetch_add(&f->now_us, 16000000);
	at = client_wait(&a, at, ": keep-alive\n\n");
	assert_true(at > 0);
	client_close(&a);
	fix_stop(f);
}

/* wait_clients: until the hub counts n streams (a closed one is counted until the fan-out
 * saw the close); false after 5 s. */
static bool wait_clients(struct fix *f, size_t n)
{
	for (int i = 0; i < 500; i++) {
		if (sse_hub_clients(f->hub) == n)
			return true;
		poll(NULL, 0, 10);
	}
	return false;
}

/* Past max_streams an attach is refused, with the response untouched; a closed stream
 * frees its place. */
static void test_stream_limit(void **state)
{
	struct fix *f = fix_start_with(0, 2, 0);
	struct client a, b, c;
	struct http_resp resp;
	struct sse_hub_stats st;

	(void)state;
	client_open(f, &a, 5);
	client_open(f, &b, 5);
	assert_true(client_wait(&a, 0, "event: hello") > 0);
	assert_true(client_wait(&b, 0, "event: hello") > 0);
	memset(&resp, 0, sizeof(resp));
	assert_int_equal(sse_hub_attach(f->hub, 5, 0, &resp), ERR_LIMIT);
	assert_int_equal(resp.nheaders, 0);
	assert_null(resp.stream);
	/* over HTTP the third is answered as the dispatcher says (404 here) */
	client_open(f, &c, 5);
	assert_true(client_wait(&c, 0, " 404 ") > 0);
	client_close(&c);
	sse_hub_stats(f->hub, &st);
	assert_int_equal(st.refused, 2);
	client_close(&a);
	assert_true(wait_clients(f, 1));
	client_open(f, &c, 5);
	assert_true(client_wait(&c, 0, "event: hello") > 0);
	sse_hub_notify(f->hub, 5, 3);
	assert_true(client_wait(&b, 0, "event: snapshot\ndata: {\"version\":3}\n\n") > 0);
	assert_true(client_wait(&c, 0, "event: snapshot\ndata: {\"version\":3}\n\n") > 0);
	client_close(&b);
	client_close(&c);
	assert_true(wait_clients(f, 0));
	fix_stop(f);
}

/* A viewer that never reads: its socket fills, the hub keeps no more than the rest of one
 * event, and once the socket took nothing for stuck_us the stream is dropped (closed),
 * while a reading viewer of the same topic gets every update. */
static void test_stuck_client_dropped(void **state)
{
	struct fix *f = fix_start_with(0, 0, 4096);
	struct client slow, fast;
	struct sse_hub_stats st;
	int small = 4096;
	int64_t v;
	size_t at;
	char want[64];

	(void)state;
	client_open(f, &slow, 9);
	(void)setsockopt(slow.fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	client_open(f, &fast, 9);
	assert_true(client_wait(&slow, 0, "event: hello") > 0);
	at = client_wait(&fast, 0, "event: hello");
	assert_true(at > 0);
	/* the slow one reads no more; the fast one reads each update before the next, so
	 * none is coalesced away and the slow one's buffers fill */
	for (v = 1; v <= 4000; v++) {
		snprintf(want, sizeof(want), "{\"version\":%lld}\n\n", (long long)v);
		sse_hub_notify(f->hub, 9, v);
		at = client_wait(&fast, at, want);
		assert_true(at > 0);
		if (fast.n > sizeof(fast.buf) / 2) { /* keep reading into a fresh buffer */
			fast.n = 0;
			at = 0;
		}
	}
	sse_hub_stats(f->hub, &st);
	assert_int_equal(st.dropped_stuck, 0);
	assert_int_equal(sse_hub_clients(f->hub), 2);
	/* time passes: a beat before stuck_us keeps it, one after drops it */
	atomic_fetch_add(&f->now_us, 5000000);
	sse_hub_beat(f->hub);
	poll(NULL, 0, 50);
	assert_int_equal(sse_hub_clients(f->hub), 2);
	/* updates go on (the fast one reads each), a second a beat: the slow one's buffers
	 * fill to the brim (the kernel squeezes a never-read queue now and then and takes a
	 * few bytes more, which is no catching up) and it is dropped after stuck_us; on a
	 * loaded machine the buffers may take many rounds to look full, hence the bound) */
	for (int i = 0; i < 1000 && sse_hub_clients(f->hub) == 2; i++, v++) {
		snprintf(want, sizeof(want), "{\"version\":%lld}\n\n", (long long)v);
		sse_hub_notify(f->hub, 9, v);
		at = client_wait(&fast, at, want);
		assert_true(at > 0);
		if (fast.n > sizeof(fast.buf) / 2) {
			fast.n = 0;
			at = 0;
		}
		atomic_fetch_add(&f->now_us, 1000000);
		sse_hub_beat(f->hub);
		poll(NULL, 0, 5);
	}
	assert_true(wait_clients(f, 1));
	sse_hub_stats(f->hub, &st);
	assert_int_equal(st.dropped_stuck, 1);
	/* the slow socket was closed: reading it now ends in EOF */
	{
		char sink[65536];
		ssize_t r;
		int rounds = 0;

		do {
			struct pollfd p = {.fd = slow.fd, .events = POLLIN};

			if (poll(&p, 1, 5000) <= 0) /* (a zero-window probe may be backed off) */
				break;
			r = read(slow.fd, sink, sizeof(sink));
		} while (r > 0 && ++rounds < 10000);
		assert_int_equal(r, 0);
	}
	/* the fast one goes on */
	sse_hub_notify(f->hub, 9, 5000);
	assert_true(client_wait(&fast, at, "{\"version\":5000}\n\n") > 0);
	client_close(&slow);
	client_close(&fast);
	fix_stop(f);
}

/* More topics notified at once than a loop keeps notes of (512): its subscribers still
 * get their topic's latest version (the loop then looks at every subscriber). */
static void test_many_topics_at_once(void **state)
{
	struct fix *f = fix_start(0);
	struct client a;
	size_t at;

	(void)state;
	client_open(f, &a, 700);
	at = client_wait(&a, 0, "event: hello");
	assert_true(at > 0);
	for (int64_t t = 1; t <= 1400; t++)
		sse_hub_notify(f->hub, t, t == 700 ? 42 : 1);
	assert_true(client_wait(&a, at, "event: snapshot\ndata: {\"version\":42}\n\n") > 0);
	client_close(&a);
	fix_stop(f);
}

/* close ends the streams (the server's quiesce does it here) and refuses new ones. */
static void test_close_ends_streams(void **state)
{
	struct fix *f = fix_start(1000);
	struct http_resp resp;
	struct client a, b;

	(void)state;
	client_open(f, &a, 5);
	client_open(f, &b, 6);
	assert_true(client_wait(&a, 0, "event: hello") > 0);
	assert_true(client_wait(&b, 0, "event: hello") > 0);
	sse_hub_close(f->hub);
	assert_true(client_ended(&a));
	assert_true(client_ended(&b));
	memset(&resp, 0, sizeof(resp));
	assert_int_equal(sse_hub_attach(f->hub, 5, 0, &resp), ERR_IO);
	for (int i = 0; i < resp.nheaders; i++) {
		free(resp.headers[i].name);
		free(resp.headers[i].value);
	}
	client_close(&a);
	client_close(&b);
	fix_stop(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hello_and_snapshots),
	    cmocka_unit_test(test_one_notify_wakes_all),
	    cmocka_unit_test(test_keepalive_by_beat),
	    cmocka_unit_test(test_keepalive_by_heartbeat_thread),
	    cmocka_unit_test(test_close_ends_streams),
	    cmocka_unit_test(test_stream_limit),
	    cmocka_unit_test(test_stuck_client_dropped),
	    cmocka_unit_test(test_many_topics_at_once),
	};

	return cmocka_run_group_tests_name("sse", tests, NULL, NULL);
}
