/*
 * http.h - requests, responses and the server, on libmicrohttpd.
 *
 * The server reads a request (headers, then the body up to the route's limit) into a
 * struct http_req, hands it to one dispatch function, and sends the struct http_resp that
 * function filled. Limits are checked where the bytes arrive: headers (MHD's per-connection
 * memory limit), body (Content-Length and the bytes actually read), idle connections
 * (timeout). Each request writes one access-log line when it completes.
 *
 * Threads: the server runs a pool of worker threads; dispatch is called on a worker, and a
 * request and its response belong to that worker until the request completes.
 */
#ifndef SHENLIAO_HTTP_HTTP_H
#define SHENLIAO_HTTP_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

enum http_method {
	HTTP_GET = 1,
	HTTP_HEAD = 2,
	HTTP_POST = 4,
	HTTP_PUT = 8,
	HTTP_PATCH = 16,
	HTTP_DELETE = 32,
	HTTP_OPTIONS = 64,
	HTTP_OTHER = 128
};

#define HTTP_MAX_PARAMS	 8
#define HTTP_MAX_HEADERS 12
#define HTTP_BODY_LIMIT	 ((size_t)1 << 20) /* default request body limit: 1 MiB */
/* The connections the server holds at once for requests (shared by its threads, plus 16
 * each). An event stream holds one only until its socket is taken (http_stream_take), so
 * viewers never fill them; the descriptors streams may use are the process's limit less
 * these (sse.h's max_streams). */
#define HTTP_MAX_CONNECTIONS 4096u

struct http_param {
	const char *name;
	const char *value;
	size_t value_len;
};

struct http_req {
	enum http_method method;
	const char *method_name;
	const char *path;			   /* percent-decoded, as MHD gives it */
	struct buf body;			   /* request body, bounded by the route's limit */
	char addr[48];				   /* client address, numeric */
	struct http_param params[HTTP_MAX_PARAMS]; /* from the route pattern */
	int nparams;
	const void *route; /* set by the dispatcher's router; opaque here */
	void *conn;	   /* the MHD connection (opaque) */
	int64_t start_us;
	bool body_too_big;
	bool hsts; /* answer with Strict-Transport-Security (the server's config) */
	struct http_deferred *deferred; /* set by http_defer */
	/* filled when the response is sent, for the access log */
	int status;
	size_t bytes;
};

/* A streamed response (server-sent events): the server calls fn whenever the connection
 * can take more bytes. fn writes up to max bytes into buf and returns how many, or hands
 * the socket over (http_stream_take); returns -1 to end the response. ud_free releases ud
 * when the response is done. */
struct http_stream;
typedef long (*http_stream_fn)(void *ud, struct http_stream *s, char *buf, size_t max);

/* http_stream_take hands the connection's socket to the caller, who writes the rest of
 * the body on it (the response is HTTP/1.0: the body is every byte up to the close, no
 * framing) and closes it. Call it from fn after every byte fn returned before was sent
 * (fn is only called again once they were), then return -1: the server forgets the
 * connection without a byte or a shutdown more. From then on the caller owns ud too
 * (ud_free is not called). Returns the caller's descriptor (non-blocking, close-on-exec),
 * or -1 when the socket cannot be taken (the stream goes on as before). */
int http_stream_take(struct http_stream *s) WARN_UNUSED;

/* A deferred response: dispatch may leave its answer for later, to be given from another
 * thread (e.g. once a batch of writes committed). dispatch calls http_defer(req, resp),
 * which takes resp as it stands (the headers so far; resp is left empty, and what dispatch
 * puts in it afterwards is dropped); once dispatch returns, the connection waits without a
 * thread. The other thread completes http_deferred_resp(d) (status, body, headers) and
 * calls http_deferred_answer(d) exactly once; the connection's worker then sends it. The
 * request (req and its lookups) stays valid until then. NULL when out of memory (answer at
 * once instead). */
struct http_deferred;
struct http_resp;
struct http_deferred *http_defer(struct http_req *req, struct http_resp *resp);
struct http_resp *http_deferred_resp(struct http_deferred *d);
void http_deferred_answer(struct http_deferred *d);

struct http_resp_header {
	char *name;
	char *value;
};

struct http_resp {
	int status;
	const char *content_type; /* static string */
	struct buf body;	  /* owned body, or ... */
	const char *static_body;  /* ... a borrowed body that outlives the server */
	size_t static_len;
	struct http_resp_header headers[HTTP_MAX_HEADERS];
	int nheaders;
	http_stream_fn stream; /* when set, a streamed response (status and headers apply) */
	void *stream_ud;
	void (*stream_free)(void *ud);
};

/* Lookups of request data; returned strings are borrowed, valid for the request. NULL if
 * absent. Thread: the request's worker. */
const char *http_header(const struct http_req *req, const char *name);
const char *http_query(const struct http_req *req, const char *name);
const char *http_cookie(const struct http_req *req, const char *name);

/* http_query_canon appends the request's query arguments to out as "?k=v&k2" (each name
 * and value percent-encoded again, in the order sent), nothing when there are none: a text
 * that tells two requests' queries apart, for a cache key. ERR_TOO_BIG past out's bound.
 * Thread: the request's worker. */
int http_query_canon(const struct http_req *req, struct buf *out) WARN_UNUSED;

/* http_query_invalid_utf8 returns the name of the first query argument whose name or value
 * is not valid UTF-8 ("?" when the name itself is not), or NULL when all are text.
 * Thread: the request's worker. */
const char *http_query_invalid_utf8(const struct http_req *req);

/* http_param returns the route parameter called name, or NULL. */
const char *http_param(const struct http_req *req, const char *name);

/* http_resp_header adds a response header (both strings copied). ERR_TOO_BIG when the
 * response already holds HTTP_MAX_HEADERS headers. */
int http_resp_header(struct http_resp *resp, const char *name, const char *value) WARN_UNUSED;

/* http_status_text returns the reason phrase for status ("Not Found"). */
const char *http_status_text(int status);

/* http_method_parse maps "GET" etc. to enum http_method (HTTP_OTHER if unknown). */
enum http_method http_method_parse(const char *s);

/* --- the server --- */

struct http_server;
struct proxy_list;

struct http_server_config {
	const char *listen; /* "ADDR:PORT"; port 0 picks a free one */
	unsigned threads;   /* worker threads; 0 = number of CPUs */
	unsigned timeout_s; /* idle connection timeout */
	/* body_limit returns the most body bytes req's route accepts (called once the request
	 * line and headers are read). */
	size_t (*body_limit)(struct http_req *req, void *ud);
	/* dispatch fills resp for req (status 0 means 500). */
	void (*dispatch)(struct http_req *req, struct http_resp *resp, void *ud);
	void *ud;
	bool quiet; /* no access log */
	/* on_quiesce is called when the server stops accepting, before it waits for requests
	 * in flight: the moment to end open-ended responses (event streams). May be NULL. */
	void (*on_quiesce)(void *ud);
	/* proxies: the reverse proxies whose X-Forwarded-For names the client (proxy.h); NULL
	 * or empty: the header is ignored and the client is the connection's peer. Borrowed;
	 * must outlive the server. */
	const struct proxy_list *proxies;
	bool hsts; /* every response carries Strict-Transport-Security: max-age=31536000 */
};

/* http_server_start binds and starts serving in background threads. *out is the caller's,
 * released by http_server_stop. */
int http_server_start(const struct http_server_config *cfg, struct http_server **out) WARN_UNUSED;

/* http_server_port returns the bound port. */
unsigned http_server_port(const struct http_server *srv);

/* http_server_stop stops accepting, waits up to grace_s seconds for requests in flight to
 * finish, then stops the workers and frees srv. */
void http_server_stop(struct http_server *srv, unsigned grace_s);

/* --- forms (application/x-www-form-urlencoded) --- */

struct form {
	struct http_param *items;
	size_t n;
	char *storage;
};

/* form_parse decodes urlencoded p[0..n) into f (which the caller releases with form_fini).
 * At most max_fields fields; ERR_INVALID on bad escapes. Values are NUL-terminated. */
int form_parse(const char *p, size_t n, size_t max_fields, struct form *f) WARN_UNUSED;
void form_fini(struct form *f);
const struct http_param *form_get(const struct form *f, const char *name);

/* url_decode decodes %XX (and '+' as space when plus is true) in place; returns the new
 * length, or (size_t)-1 on a bad escape. */
size_t url_decode(char *p, size_t n, bool plus);

#endif
