/*
 * fuzz_http.c - whole requests as the server takes them: the input is the bytes a client
 * sends on one connection. They go through a socket pair into libmicrohttpd (which splits
 * the request, parses headers, cookies and the query), our server glue (http/server.c:
 * body limits, the 413 paths), the dispatcher (web/app.c: routing, sign-in by Bearer token
 * or cookie, body parsing, CSRF, the route's access) and the handler of whatever route the
 * request names, against a real migrated database. The placeholders @SESSION@, @TOKEN@ and
 * @CSRF@ stand for the secrets of an organizer's sign-in, so handlers behind the sign-in
 * are reached too. Seeds: the requests of corpus/route/ (shared with the route target).
 *
 * The event stream route (/events) is left out: it holds the connection open by design.
 *
 * Invariants: every request that gets an answer gets a well-formed status line, and no
 * input makes the server answer 500 (an internal failure is a bug: bad input is a 4xx).
 *
 * http/server.c is compiled into this target (its request callbacks are file-local); the
 * library's copy of server.o is then not linked. The daemon runs without threads of its
 * own: the target drives it with MHD_run_wait.
 */
#include "http/server.c"

#include <fcntl.h>
#include <signal.h>

#include "fuzz.h"
#include "fuzz_db.h"
#include "model/model.h"
#include "web/web.h"

static struct http_server srv;
static struct MHD_Daemon *daemon_;

static void stop_daemon(void)
{
	MHD_stop_daemon(daemon_);
	web_stop();
	db_pool_fini();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_set_level(LOG_ERROR);
	signal(SIGPIPE, SIG_IGN);
	fuzz_db_open();
	web_options.login_limit_pair = web_options.login_limit_address = 1000000; /* no 429 */
	web_opinion_no_limits();
	FUZZ_ASSERT(db_pool_init(fdb.path, 0) == ERR_OK);
	FUZZ_ASSERT(web_start() == ERR_OK);
	memset(&srv, 0, sizeof(srv));
	srv.cfg.body_limit = web_body_limit;
	srv.cfg.dispatch = web_dispatch;
	srv.cfg.quiet = true;
	atomic_init(&srv.inflight, 0);
	daemon_ = MHD_start_daemon(MHD_USE_NO_LISTEN_SOCKET, 0, NULL, NULL, on_request, &srv,
				   MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32 * 1024,
				   MHD_OPTION_CONNECTION_TIMEOUT, 5u, MHD_OPTION_NOTIFY_COMPLETED,
				   on_completed, &srv, MHD_OPTION_END);
	FUZZ_ASSERT(daemon_);
	atexit(stop_daemon);
	return 0;
}

/* has reports whether p[0..n) contains the string s. */
static bool has(const uint8_t *p, size_t n, const char *s)
{
	size_t i, k = strlen(s);

	for (i = 0; i + k <= n; i++)
		if (memcmp(p + i, s, k) == 0)
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_in sin;
	char *req, resp[4096];
	size_t n, sent = 0, got = 0;
	int sv[2], i, closed = 0;

	if (size > 64 * 1024 || has(data, size, "/events"))
		return 0;
	req = fuzz_db_subst((const char *)data, size, &n);
	FUZZ_ASSERT(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	FUZZ_ASSERT(fcntl(sv[0], F_SETFL, O_NONBLOCK) == 0);
	FUZZ_ASSERT(fcntl(sv[1], F_SETFL, O_NONBLOCK) == 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(40000);
	FUZZ_ASSERT(MHD_add_connection(daemon_, sv[1], (struct sockaddr *)&sin, sizeof(sin)) ==
		    MHD_YES);
	for (i = 0; i < 5000 && !closed; i++) {
		ssize_t k;

		if (sent < n) {
			k = write(sv[0], req + sent, n - sent);
			if (k > 0)
				sent += (size_t)k;
			if (sent == n)
				shutdown(sv[0], SHUT_WR);
		} else if (n == 0 && i == 0) {
			shutdown(sv[0], SHUT_WR);
		}
		MHD_run_wait(daemon_, 1);
		for (;;) {
			char tmp[16384];

			k = read(sv[0], tmp, sizeof(tmp));
			if (k == 0) {
				closed = 1;
				break;
			}
			if (k < 0)
				break;
			if (got < sizeof(resp)) {
				size_t c =
				    (size_t)k < sizeof(resp) - got ? (size_t)k : sizeof(resp) - got;

				memcpy(resp + got, tmp, c);
				got += c;
			}
		}
	}
	close(sv[0]);
	/* let the daemon see the close and finish the connection */
	for (i = 0; i < 100 && atomic_load(&srv.inflight) > 0; i++)
		MHD_run_wait(daemon_, 1);
	if (getenv("FUZZ_HTTP_SHOW")) /* FUZZ_HTTP_SHOW=1 prints each answer's status line */
		fprintf(stderr, "answer: %.*s\n",
			(int)(memchr(resp, '\r', got) ? (char *)memchr(resp, '\r', got) - resp
						      : (long)got),
			resp);
	if (got >= 12) {
		FUZZ_ASSERT(memcmp(resp, "HTTP/1.", 7) == 0);
		FUZZ_ASSERT(resp[9] >= '1' && resp[9] <= '5');
		if (memcmp(resp + 9, "500", 3) == 0) {
			fprintf(stderr, "answered 500:\n%.*s\n", (int)got, resp);
			FUZZ_ASSERT(!"an input made the server answer 500");
		}
	}
	free(req);
	return 0;
}
