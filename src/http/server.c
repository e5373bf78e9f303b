/*
 * server.c - libmicrohttpd glue (see http.h).
 *
 * MHD calls the access handler several times per request: first with the headers, then with
 * each body chunk, then once more with no data. We answer on that last call, never the
 * first: queuing a response early makes MHD close the connection (DESIGN.md).
 */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/log.h"
#include "base/utf8.h"
#include "base/util.h"
#include "http/proxy.h"

/* bodies over a route's limit but under this are read and dropped before the 413 */
#define HTTP_DRAIN_LIMIT ((uint64_t)16 << 20)

enum { MAX_DAEMONS = 64 };

/*
 * One libmicrohttpd daemon per thread, each with its own listening socket on the same
 * port (SO_REUSEPORT), so the kernel spreads new connections over the threads. With one
 * socket shared by a thread pool, whichever thread woke first accepted a burst of
 * connections and kept them: under wrk's 64 connections one thread did all the work
 * while the other idled.
 */
struct http_server {
	struct MHD_Daemon *d[MAX_DAEMONS];
	unsigned nd;
	struct http_server_config cfg;
	atomic_int inflight;
	unsigned port;
};

const char *http_header(const struct http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *http_query(const struct http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_cookie(const struct http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
}

struct query_acc {
	struct buf *out;
	int rc;
	bool first;
};

static int put_escaped(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	int rc = ERR_OK;

	for (; *s && !rc; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || strchr("-._~", ch))
			rc = buf_putc(b, (char)ch);
		else
			rc = buf_printf(b, "%%%c%c", hex[ch >> 4], hex[ch & 15]);
	}
	return rc;
}

static enum MHD_Result arg_canon(void *cls, enum MHD_ValueKind kind, const char *key,
				 const char *value)
{
	struct query_acc *q = cls;
	(void)kind;

	q->rc = buf_putc(q->out, q->first ? '?' : '&');
	q->first = false;
	if (!q->rc)
		q->rc = put_escaped(q->out, key);
	if (!q->rc && value)
		q->rc = buf_putc(q->out, '=');
	if (!q->rc && value)
		q->rc = put_escaped(q->out, value);
	return q->rc ? MHD_NO : MHD_YES;
}

int http_query_canon(const struct http_req *req, struct buf *out)
{
	struct query_acc q = {out, ERR_OK, true};

	MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, arg_canon, &q);
	return q.rc;
}

static enum MHD_Result arg_utf8(void *cls, enum MHD_ValueKind kind, const char *key,
				const char *value)
{
	const char **bad = cls;
	(void)kind;

	if (!utf8_valid(key, strlen(key)))
		*bad = "?";
	else if (value && !utf8_valid(value, strlen(value)))
		*bad = key;
	return *bad ? MHD_NO : MHD_YES;
}

const char *http_query_invalid_utf8(const struct http_req *req)
{
	const char *bad = NULL;

	MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, arg_utf8, &bad);
	return bad;
}

const char *http_param(const struct http_req *req, const char *name)
{
	static _Thread_local char value[256];
	size_t len = strlen(name);
	int i;

	for (i = 0; i < req->nparams; i++) {
		const struct http_param *p = &req->params[i];

		if (strncmp(p->name, name, len) == 0 && p->name[len] == '}') {
			if (p->value_len >= sizeof(value))
				return NULL;
			memcpy(value, p->value, p->value_len);
			value[p->value_len] = '\0';
			return value;
		}
	}
	return NULL;
}

int http_resp_header(struct http_resp *resp, const char *name, const char *value)
{
	struct http_resp_header *h;

	if (resp->nheaders == HTTP_MAX_HEADERS)
		return ERR_TOO_BIG;
	h = &resp->headers[resp->nheaders];
	h->name = strdup(name);
	h->value = strdup(value);
	if (!h->name || !h->value) {
		free(h->name);
		free(h->value);
		return ERR_NOMEM;
	}
	resp->nheaders++;
	return ERR_OK;
}

static void resp_fini(struct http_resp *resp)
{
	int i;

	for (i = 0; i < resp->nheaders; i++) {
		free(resp->headers[i].name);
		free(resp->headers[i].value);
	}
	buf_fini(&resp->body);
}

const char *http_status_text(int status)
{
	const char *s = MHD_get_reason_phrase_for((unsigned)status);

	return s && *s ? s : "Unknown";
}

enum http_method http_method_parse(const char *s)
{
	static const struct {
		const char *name;
		enum http_method m;
	} map[] = {{"GET", HTTP_GET},	     {"HEAD", HTTP_HEAD},   {"POST", HTTP_POST},
		   {"PUT", HTTP_PUT},	     {"PATCH", HTTP_PATCH}, {"DELETE", HTTP_DELETE},
		   {"OPTIONS", HTTP_OPTIONS}};
	size_t i;

	for (i = 0; i < ARRAY_LEN(map); i++)
		if (strcmp(s, map[i].name) == 0)
			return map[i].m;
	return HTTP_OTHER;
}

static void client_addr(struct MHD_Connection *conn, char *out, size_t n)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(out, n, "unknown");
	if (!sa)
		return;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
			  (socklen_t)n);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
			  out, (socklen_t)n);
}

/* xff_join appends one X-Forwarded-For header's value to the list being joined (ud). A
 * list too long for the buffer is marked and then not believed at all. */
struct xff_acc {
	char buf[1024];
	size_t n;
	bool too_long;
};

static enum MHD_Result xff_join(void *ud, enum MHD_ValueKind kind, const char *key,
				const char *value)
{
	struct xff_acc *x = ud;
	size_t len = value ? strlen(value) : 0;
	(void)kind;

	if (!key || strcasecmp(key, "X-Forwarded-For") != 0 || x->too_long)
		return MHD_YES;
	if (x->n + len + 2 > sizeof(x->buf)) {
		x->too_long = true;
		return MHD_YES;
	}
	if (x->n)
		x->buf[x->n++] = ',';
	memcpy(x->buf + x->n, value, len);
	x->n += len;
	x->buf[x->n] = '\0';
	return MHD_YES;
}

/* forwarded_addr replaces addr (the peer) by the client's address from X-Forwarded-For
 * when the peer is a trusted proxy (proxy.h: read from the right, trusted hops skipped). */
static void forwarded_addr(struct MHD_Connection *conn, const struct proxy_list *proxies,
			   char *addr, size_t n)
{
	struct xff_acc x;
	char peer[48];

	if (!proxy_trusted(proxies, addr))
		return;
	memset(&x, 0, sizeof(x));
	MHD_get_connection_values(conn, MHD_HEADER_KIND, xff_join, &x);
	if (!x.n || x.too_long)
		return;
	snprintf(peer, sizeof(peer), "%s", addr);
	proxy_client(proxies, peer, x.buf, addr, n);
}

struct http_stream {
	struct MHD_Connection *conn;
	http_stream_fn fn;
	void *ud;
	void (*ud_free)(void *ud);
};

/*
 * Taking a socket away from libmicrohttpd. MHD 0.9.75 has no call that gives a connection's
 * socket to the application except for "101 Switching Protocols" (upgrade), and an event
 * stream must answer 200. So http_stream_take keeps a duplicate of the descriptor and lets
 * the response end: MHD then closes its descriptor, which leaves the socket open through
 * ours. Closing alone would be harmless, but MHD shuts the socket down first (SHUT_WR, which
 * acts on the socket, not the descriptor, and would send the viewer a FIN). The shutdown
 * below stands in for libc's (the executable's definition wins over the C library's for the
 * libraries it loads): for a descriptor marked here it does nothing, once, and any other
 * call goes to the kernel unchanged. A mark outlives its descriptor only if MHD closed it
 * without a shutdown; the next socket with that number then skips one shutdown before its
 * close, and a close still sends the FIN of a socket nobody else holds.
 */
#define TAKEN_MAX (1 << 20) /* fs.nr_open's default: no descriptor is larger */
static atomic_uchar taken[TAKEN_MAX];

int shutdown(int fd, int how)
{
	if (fd >= 0 && fd < TAKEN_MAX && atomic_exchange(&taken[fd], 0))
		return 0;
	return (int)syscall(SYS_shutdown, fd, how);
}

int http_stream_take(struct http_stream *s)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(s->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	int fd, own;

	if (!ci || ci->connect_fd < 0 || ci->connect_fd >= TAKEN_MAX)
		return -1;
	fd = ci->connect_fd;
	own = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (own < 0)
		return -1;
	atomic_store(&taken[fd], 1);
	s->ud_free = NULL; /* ud is the caller's now */
	return own;
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct http_stream *s = cls;
	long n;
	(void)pos;

	n = s->fn(s->ud, s, buf, max);
	if (n < 0)
		return MHD_CONTENT_READER_END_OF_STREAM;
	return (ssize_t)n;
}

static void stream_free(void *cls)
{
	struct http_stream *s = cls;

	if (s->ud_free)
		s->ud_free(s->ud);
	free(s);
}

struct http_deferred {
	pthread_mutex_t lock;
	struct MHD_Connection *conn;
	struct http_resp resp;
	bool suspended, answered;
};

struct http_deferred *http_defer(struct http_req *req, struct http_resp *resp)
{
	struct http_deferred *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	pthread_mutex_init(&d->lock, NULL);
	d->conn = req->conn;
	d->resp = *resp; /* moved: the body's buffer and the headers are d's now */
	memset(resp, 0, sizeof(*resp));
	req->deferred = d;
	return d;
}

struct http_resp *http_deferred_resp(struct http_deferred *d)
{
	return &d->resp;
}

void http_deferred_answer(struct http_deferred *d)
{
	pthread_mutex_lock(&d->lock);
	d->answered = true;
	if (d->suspended) {
		d->suspended = false;
		MHD_resume_connection(d->conn);
	}
	pthread_mutex_unlock(&d->lock);
}

static enum MHD_Result send_resp(struct MHD_Connection *conn, struct http_req *req,
				 struct http_resp *resp);

/* deferred_wait parks the connection until its answer comes (MHD_YES), or, when it came
 * already, sends it. On the connection's worker. */
static enum MHD_Result deferred_wait(struct MHD_Connection *conn, struct http_req *req)
{
	struct http_deferred *d = req->deferred;
	struct http_resp resp;

	pthread_mutex_lock(&d->lock);
	if (!d->answered) {
		d->suspended = true;
		MHD_suspend_connection(conn);
		pthread_mutex_unlock(&d->lock);
		return MHD_YES;
	}
	pthread_mutex_unlock(&d->lock);
	resp = d->resp;
	req->deferred = NULL;
	pthread_mutex_destroy(&d->lock);
	free(d);
	return send_resp(conn, req, &resp);
}

static enum MHD_Result send_resp(struct MHD_Connection *conn, struct http_req *req,
				 struct http_resp *resp)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	size_t len;
	int i;

	if (resp->status == 0)
		resp->status = 500;
	if (resp->stream) {
		struct http_stream *hs = calloc(1, sizeof(*hs));

		if (!hs) {
			if (resp->stream_free)
				resp->stream_free(resp->stream_ud);
			resp_fini(resp);
			return MHD_NO;
		}
		hs->conn = conn;
		hs->fn = resp->stream;
		hs->ud = resp->stream_ud;
		hs->ud_free = resp->stream_free;
		len = 0;
		r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, stream_read, hs,
						      stream_free);
		if (!r) {
			stream_free(hs);
			resp_fini(resp);
			return MHD_NO;
		}
		/* HTTP/1.0 framing (the body runs to the close, no chunks): the bytes a stream's
		 * owner writes after http_stream_take need no framing, and the end of the
		 * response adds none (a chunked one would write its last chunk) */
		if (MHD_set_response_options(r, MHD_RF_HTTP_1_0_SERVER, MHD_RO_END) != MHD_YES) {
			MHD_destroy_response(r);
			resp_fini(resp);
			return MHD_NO;
		}
	} else if (resp->static_body) {
		len = resp->static_len;
		r = MHD_create_response_from_buffer(len, (void *)resp->static_body,
						    MHD_RESPMEM_PERSISTENT);
	} else {
		len = resp->body.n;
		r = MHD_create_response_from_buffer(len, buf_detach(&resp->body),
						    MHD_RESPMEM_MUST_FREE);
	}
	if (!r) {
		resp_fini(resp);
		return MHD_NO;
	}
	if (resp->content_type)
		MHD_add_response_header(r, "Content-Type", resp->content_type);
	for (i = 0; i < resp->nheaders; i++)
		MHD_add_response_header(r, resp->headers[i].name, resp->headers[i].value);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	if (req->hsts)
		MHD_add_response_header(r, "Strict-Transport-Security", "max-age=31536000");
	req->status = resp->status;
	req->bytes = len;
	ret = MHD_queue_response(conn, (unsigned)resp->status, r);
	MHD_destroy_response(r);
	resp_fini(resp);
	return ret;
}

static enum MHD_Result simple_error(struct MHD_Connection *conn, struct http_req *req, int status,
				    const char *json)
{
	struct http_resp resp;

	memset(&resp, 0, sizeof(resp));
	buf_init(&resp.body, 4096);
	resp.status = status;
	resp.content_type = "application/json; charset=utf-8";
	resp.static_body = json;
	resp.static_len = strlen(json);
	return send_resp(conn, req, &resp);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct http_server *srv = cls;
	struct http_req *req = *con_cls;
	struct http_resp resp;
	(void)version;

	if (!req) {
		const char *cl;
		size_t limit;

		req = calloc(1, sizeof(*req));
		if (!req)
			return MHD_NO;
		req->start_us = time_now_us();
		req->conn = conn;
		req->method_name = method;
		req->method = http_method_parse(method);
		req->path = url;
		client_addr(conn, req->addr, sizeof(req->addr));
		req->hsts = srv->cfg.hsts;
		if (srv->cfg.proxies && srv->cfg.proxies->n)
			forwarded_addr(conn, srv->cfg.proxies, req->addr, sizeof(req->addr));
		*con_cls = req;
		atomic_fetch_add(&srv->inflight, 1);
		limit = srv->cfg.body_limit ? srv->cfg.body_limit(req, srv->cfg.ud) : 0;
		if (!limit)
			limit = HTTP_BODY_LIMIT;
		buf_init(&req->body, limit);
		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
		if (cl) {
			int64_t v;

			/* Over the limit: read and drop a moderately large body so the client
			 * gets to read the 413 (closing on a client still writing makes it see
			 * a broken pipe instead); refuse a huge one at once. */
			if (num_parse(cl, strlen(cl), 0, INT64_MAX, &v) == ERR_OK &&
			    (uint64_t)v > limit && (uint64_t)v <= HTTP_DRAIN_LIMIT) {
				req->body_too_big = true;
				buf_fini(&req->body);
			} else if (num_parse(cl, strlen(cl), 0, INT64_MAX, &v) == ERR_OK &&
				   (uint64_t)v > limit)
				return simple_error(
				    conn, req, 413,
				    "{\"error\":{\"code\":\"payload_too_large\","
				    "\"message\":\"请求体过大 / request body too large\"}}");
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (!req->body_too_big &&
		    buf_append(&req->body, upload_data, *upload_data_size) != ERR_OK) {
			req->body_too_big = true;
			buf_fini(&req->body);
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (req->deferred)
		return deferred_wait(conn, req); /* woken: its answer has come */
	if (req->status)
		return MHD_YES; /* already answered */
	if (req->body_too_big)
		return simple_error(conn, req, 413,
				    "{\"error\":{\"code\":\"payload_too_large\","
				    "\"message\":\"请求体过大 / request body too large\"}}");
	memset(&resp, 0, sizeof(resp));
	buf_init(&resp.body, BUF_MAX_DEFAULT);
	srv->cfg.dispatch(req, &resp, srv->cfg.ud);
	if (req->deferred) {
		resp_fini(&resp);
		return deferred_wait(conn, req);
	}
	return send_resp(conn, req, &resp);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct http_server *srv = cls;
	struct http_req *req = *con_cls;
	(void)conn;

	if (!req)
		return;
	if (!srv->cfg.quiet) {
		/* the path is logged as received, escaped to keep one record per line */
		char path[256];
		size_t i, o = 0;

		for (i = 0; req->path[i] && o + 5 < sizeof(path); i++) {
			unsigned char c = (unsigned char)req->path[i];

			if (c < 0x20 || c == 0x7f || c == '"')
				o += (size_t)snprintf(path + o, sizeof(path) - o, "%%%02X", c);
			else
				path[o++] = (char)c;
		}
		path[o] = '\0';
		log_info("access %s %s %d %zuB %lldus%s", req->method_name, path, req->status,
			 req->bytes, (long long)(time_now_us() - req->start_us),
			 toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted");
	}
	buf_fini(&req->body);
	free(req);
	*con_cls = NULL;
	atomic_fetch_sub(&srv->inflight, 1);
}

static int parse_listen(const char *listen, struct sockaddr_in *sa)
{
	const char *colon = strrchr(listen, ':');
	char host[64];
	int64_t port;

	if (!colon || (size_t)(colon - listen) >= sizeof(host))
		return ERR_INVALID;
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	if (num_parse(colon + 1, strlen(colon + 1), 0, 65535, &port))
		return ERR_INVALID;
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	if (host[0] == '\0' || strcmp(host, "*") == 0)
		sa->sin_addr.s_addr = htonl(INADDR_ANY);
	else if (strcmp(host, "localhost") == 0)
		sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	else if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
		return ERR_INVALID;
	return ERR_OK;
}

/* port_free: 0 when nobody listens on sa's port (port 0 is always free). */
static int port_free(const struct sockaddr_in *sa)
{
	int fd, rc, one = 1, saved;

	if (sa->sin_port == 0)
		return 0;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	/* like the server's own sockets: connections of an earlier run in TIME_WAIT do not
	 * count, a listener does */
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	rc = bind(fd, (const struct sockaddr *)sa, sizeof(*sa));
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

int http_server_start(const struct http_server_config *cfg, struct http_server **out)
{
	struct http_server *srv;
	struct sockaddr_in sa;
	const union MHD_DaemonInfo *info;
	unsigned threads = cfg->threads;
	long ncpu;

	if (parse_listen(cfg->listen, &sa)) {
		log_error("http: cannot parse listen address %s (want ADDR:PORT)", cfg->listen);
		return ERR_INVALID;
	}
	if (!threads) {
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		threads = ncpu > 0 ? (unsigned)ncpu : 1;
	}
	if (threads > MAX_DAEMONS)
		threads = MAX_DAEMONS;
	/* SO_REUSEPORT would let us share a port another server holds: make sure it is free
	 * (a socket without the option cannot bind a port someone listens on) */
	if (port_free(&sa)) {
		log_error("http: cannot listen on %s: %s", cfg->listen, strerror(errno));
		return ERR_IO;
	}
	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return ERR_NOMEM;
	srv->cfg = *cfg;
	atomic_init(&srv->inflight, 0);
	for (srv->nd = 0; srv->nd < threads; srv->nd++) {
		struct MHD_Daemon *d = MHD_start_daemon(
		    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
			MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG,
		    0, NULL, NULL, on_request, srv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
		    MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u, MHD_OPTION_CONNECTION_TIMEOUT,
		    cfg->timeout_s ? cfg->timeout_s : 30u, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
		    (size_t)32 * 1024, MHD_OPTION_CONNECTION_LIMIT,
		    HTTP_MAX_CONNECTIONS / threads + 16u, MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
		    MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv, MHD_OPTION_END);

		if (!d) {
			log_error("http: cannot listen on %s", cfg->listen);
			while (srv->nd > 0)
				MHD_stop_daemon(srv->d[--srv->nd]);
			free(srv);
			return ERR_IO;
		}
		srv->d[srv->nd] = d;
		if (srv->nd == 0) {
			/* port 0 picked one: the others take the same */
			info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
			srv->port = info && info->port ? info->port : ntohs(sa.sin_port);
			sa.sin_port = htons((uint16_t)srv->port);
		}
	}
	*out = srv;
	return ERR_OK;
}

unsigned http_server_port(const struct http_server *srv)
{
	return srv->port;
}

void http_server_stop(struct http_server *srv, unsigned grace_s)
{
	MHD_socket fd;
	int64_t deadline;
	unsigned i;

	for (i = 0; i < srv->nd; i++) {
		fd = MHD_quiesce_daemon(srv->d[i]);
		if (fd != MHD_INVALID_SOCKET)
			close(fd);
	}
	if (srv->cfg.on_quiesce)
		srv->cfg.on_quiesce(srv->cfg.ud);
	deadline = time_now_us() + (int64_t)grace_s * 1000000;
	while (atomic_load(&srv->inflight) > 0 && time_now_us() < deadline)
		usleep(10000);
	for (i = 0; i < srv->nd; i++)
		MHD_stop_daemon(srv->d[i]);
	free(srv);
}
