/*
 * bench/streams.c - the viewers of bench/streams.sh: N event streams of one session held
 * open from one epoll loop, and the delay from a vote's commit to each stream's receipt.
 *
 *   streams HOST PORT SESSION N NSRC STATEMENT HOLD_S PROBES
 *
 * 1. Opens N streams GET /api/v1/sessions/SESSION/events, from the source addresses
 *    127.0.0.1 ... 127.0.0.NSRC in turn (one address has ~28,000 ports), at most 512
 *    connecting at a time, and waits for each one's hello (status 200).
 * 2. Opens one stream more and prints its status line and Retry-After (past the server's
 *    --max-streams it must be 503).
 * 3. Prints "ready N" and keeps reading every stream for HOLD_S seconds (the script runs
 *    its vote load meanwhile): per new version, when the first and the last stream got it.
 * 4. PROBES times: waits until no new version came for 1 s (the server's map worker is
 *    idle), sends one vote (PUT /api/v1/statements/STATEMENT/vote as a new anonymous
 *    participant) on a connection of its own, takes the time its 200 arrived (the vote is
 *    committed before it is acknowledged), and waits up to 10 s until every stream got a
 *    newer version: each stream's delay is its receipt time less the acknowledgement's.
 * 5. Prints one line "delays n p50 p99 max missed", the per-version spread under load, how
 *    many events (new versions) the streams received once all were open, and how many
 *    streams were still open at the end.
 * Exits 1 when a stream could not be opened.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

struct conn {
	int fd;
	int state; /* 0 connecting, 1 request sent, 2 streaming, 3 closed */
	int64_t version;
	double got_at; /* when it last saw a newer version */
	char tail[64]; /* the end of what came, for a number cut between two reads */
	int ntail;
};

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static struct sockaddr_in server;
static char request[256];
static int ep;
static struct conn *conns;
static long nconns, nopen, nclosed;
static int64_t max_version;
static int ready;	  /* every stream was open */
static long long nevents; /* new versions received by any stream once ready */
/* per version seen while holding: first and last receipt, count */
#define VMAX 65536
static double v_first[VMAX], v_last[VMAX];
static long v_count[VMAX];
static int64_t v_base = -1;

static int open_one(long i, int nsrc)
{
	struct sockaddr_in src = {.sin_family = AF_INET};
	struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN, .data.u64 = (uint64_t)i};
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	if (fd < 0) {
		perror("socket");
		return -1;
	}
	src.sin_addr.s_addr = htonl(0x7f000001u + (uint32_t)(i % nsrc));
	setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&src, sizeof(src))) {
		perror("bind");
		close(fd);
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&server, sizeof(server)) && errno != EINPROGRESS) {
		perror("connect");
		close(fd);
		return -1;
	}
	conns[i].fd = fd;
	conns[i].state = 0;
	conns[i].version = -1;
	epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	return 0;
}

/* scan finds "version":N in the bytes that came (with the tail kept from before) */
static void scan(struct conn *c, const char *p, size_t n, double t)
{
	char buf[4096 + 64];
	size_t len;
	const char *q;

	if (n > 4096)
		n = 4096;
	memcpy(buf, c->tail, (size_t)c->ntail);
	memcpy(buf + c->ntail, p, n);
	len = (size_t)c->ntail + n;
	buf[len] = '\0';
	if (c->state == 1) {
		if (strncmp(buf, "HTTP/1.", 7) == 0 && strncmp(buf + 9, "200", 3) != 0) {
			c->state = 3;
			return;
		}
	}
	for (q = buf; (q = strstr(q, "\"version\":")) != NULL; q += 10) {
		char *end;
		long long v = strtoll(q + 10, &end, 10);

		if (*end != '}')
			break; /* cut: the rest comes with the next read */
		if (c->state == 1) {
			c->state = 2;
			nopen++;
		}
		if (v > c->version) {
			nevents += ready && c->version >= 0;
			c->version = v;
			c->got_at = t;
			if (v > max_version)
				max_version = v;
			if (v_base < 0)
				v_base = v;
			if (v - v_base >= 0 && v - v_base < VMAX) {
				long k = (long)(v - v_base);

				if (!v_count[k]++)
					v_first[k] = t;
				v_last[k] = t;
			}
		}
	}
	len = strlen(buf);
	c->ntail = len > 40 ? 40 : (int)len;
	memcpy(c->tail, buf + len - (size_t)c->ntail, (size_t)c->ntail);
}

/* pump runs the epoll loop for up to ms milliseconds */
static void pump(int ms)
{
	struct epoll_event evs[1024];
	int n = epoll_wait(ep, evs, 1024, ms);
	double t = now_s();

	for (int i = 0; i < n; i++) {
		struct conn *c = &conns[evs[i].data.u64];
		char buf[4096];

		if (c->state == 3)
			continue;
		if (c->state == 0 && (evs[i].events & EPOLLOUT)) {
			struct epoll_event ev = {.events = EPOLLIN, .data.u64 = evs[i].data.u64};
			int err = 0;
			socklen_t el = sizeof(err);

			getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el);
			if (err || write(c->fd, request, strlen(request)) < 0) {
				c->state = 3;
				nclosed++;
				close(c->fd);
				continue;
			}
			c->state = 1;
			epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
			continue;
		}
		for (;;) {
			ssize_t r = read(c->fd, buf, sizeof(buf));

			if (r > 0) {
				scan(c, buf, (size_t)r, t);
				if (c->state == 3)
					break;
				continue;
			}
			if (r < 0 && errno == EAGAIN)
				break;
			if (c->state == 2)
				nopen--;
			c->state = 3;
			nclosed++;
			epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
			close(c->fd);
			break;
		}
	}
}

/* extra_stream opens one stream more (blocking) and prints its status and Retry-After */
static void extra_stream(const char *req)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	char buf[2048];
	ssize_t r;
	char *ra, *eol;

	if (fd < 0 || connect(fd, (struct sockaddr *)&server, sizeof(server)) ||
	    write(fd, req, strlen(req)) < 0) {
		printf("extra: cannot connect\n");
		if (fd >= 0)
			close(fd);
		return;
	}
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (r <= 0) {
		printf("extra: no answer\n");
		return;
	}
	buf[r] = '\0';
	eol = strstr(buf, "\r\n");
	ra = strcasestr(buf, "Retry-After:");
	printf("extra: %.*s; Retry-After:%.*s\n", eol ? (int)(eol - buf) : 20, buf,
	       ra ? (int)strcspn(ra + 12, "\r\n") : 5, ra ? ra + 12 : " none");
}

/* vote sends one vote as a new participant and returns the time its answer came, or -1 */
static double vote(const char *statement, int k)
{
	char req[512], buf[1024];
	int fd = socket(AF_INET, SOCK_STREAM, 0), n;
	ssize_t r;

	n = snprintf(
	    req, sizeof(req),
	    "PUT /api/v1/statements/%s/vote HTTP/1.1\r\nHost: bench\r\n"
	    "Content-Type: application/json\r\nConnection: close\r\n"
	    "Cookie: sl_anon=feed%04x%08x0123456789abcdef0123456789abcdef0123456789abcdef\r\n"
	    "Content-Length: 10\r\n\r\n{\"vote\":1}",
	    statement, (unsigned)k & 0xffff, (unsigned)getpid());
	if (fd < 0 || connect(fd, (struct sockaddr *)&server, sizeof(server)) ||
	    write(fd, req, (size_t)n) != n) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (r < 12 || strncmp(buf + 9, "200", 3) != 0) {
		fprintf(stderr, "streams: probe vote answered %.*s\n", r > 0 ? (int)r : 0, buf);
		return -1;
	}
	return now_s();
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	long n, hold, probes, inflight;
	int nsrc;
	double t0, t_ready;
	double *delays;
	long nd = 0, missed = 0;

	if (argc != 9) {
		fprintf(stderr,
			"usage: streams HOST PORT SESSION N NSRC STATEMENT HOLD_S PROBES\n");
		return 2;
	}
	server.sin_family = AF_INET;
	server.sin_port = htons((uint16_t)atoi(argv[2]));
	inet_pton(AF_INET, argv[1], &server.sin_addr);
	snprintf(request, sizeof(request),
		 "GET /api/v1/sessions/%s/events HTTP/1.1\r\nHost: bench\r\n"
		 "Accept: text/event-stream\r\n\r\n",
		 argv[3]);
	n = atol(argv[4]);
	nsrc = atoi(argv[5]);
	hold = atol(argv[7]);
	probes = atol(argv[8]);
	if (n < 1 || nsrc < 1 || nsrc > 250)
		return 2;
	nconns = n;
	conns = calloc((size_t)n, sizeof(*conns));
	delays = calloc((size_t)(n * (probes > 0 ? probes : 1)), sizeof(double));
	ep = epoll_create1(0);
	if (!conns || !delays || ep < 0)
		return 1;

	/* 1. open */
	t0 = now_s();
	for (long i = 0; i < n;) {
		inflight = i - nopen - nclosed;
		if (inflight < 512) {
			if (open_one(i, nsrc))
				return 1;
			i++;
			continue;
		}
		pump(10);
	}
	while (nopen + nclosed < n && now_s() - t0 < 120)
		pump(50);
	t_ready = now_s();
	printf("opened %ld of %ld streams in %.2f s (%ld refused or closed)\n", nopen, n,
	       t_ready - t0, nclosed);
	/* 2. one more */
	extra_stream(request);
	ready = 1;
	printf("ready %ld\n", nopen);
	fflush(stdout);
	/* 3. hold */
	while (now_s() - t_ready < (double)hold)
		pump(100);
	/* 4. probes */
	for (long p = 0; p < probes; p++) {
		double quiet = now_s(), ack, until;
		int64_t before;

		while (now_s() - quiet < 1.0) {
			int64_t v = max_version;

			pump(100);
			if (max_version != v)
				quiet = now_s();
		}
		before = max_version;
		ack = vote(argv[6], (int)p);
		if (ack < 0) {
			missed += nopen;
			continue;
		}
		until = ack + 10;
		for (;;) {
			long behind = 0;

			for (long i = 0; i < n; i++)
				if (conns[i].state == 2 && conns[i].version <= before)
					behind++;
			if (!behind || now_s() > until)
				break;
			pump(20);
		}
		for (long i = 0; i < n; i++) {
			if (conns[i].state != 2)
				continue;
			if (conns[i].version > before)
				delays[nd++] = (conns[i].got_at - ack) * 1000;
			else
				missed++;
		}
	}
	qsort(delays, (size_t)nd, sizeof(double), cmp_d);
	if (nd)
		printf("delays %ld %.1f %.1f %.1f %ld\n", nd, delays[nd / 2],
		       delays[(long)((double)nd * 0.99) < nd ? (long)((double)nd * 0.99) : nd - 1],
		       delays[nd - 1], missed);
	else
		printf("delays 0 0 0 0 %ld\n", missed);
	/* the spread of each version while held: first stream to last */
	{
		double worst = 0, sum = 0;
		long nv = 0, full = 0;

		for (long k = 0; k < VMAX; k++)
			if (v_count[k] > 0 && v_first[k] >= t_ready) {
				double s = (v_last[k] - v_first[k]) * 1000;

				nv++;
				sum += s;
				if (s > worst)
					worst = s;
				if (v_count[k] >= nopen)
					full++;
			}
		printf("spread %ld %.1f %.1f %ld\n", nv, nv ? sum / (double)nv : 0, worst, full);
	}
	printf("events %lld\n", nevents);
	printf("open-at-end %ld\n", nopen);
	return nopen == n ? 0 : 1;
}
