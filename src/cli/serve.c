/*
 * serve.c - `shenliao serve`: migrate, then serve until SIGINT/SIGTERM; on a signal stop
 * accepting, let requests in flight finish, close the database cleanly, exit 0.
 */
#include "cli.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "base/util.h"
#include "http/http.h"
#include "model/model.h"
#include "model/output.h"
#include "model/room.h"
#include "model/store.h"
#include "web/web.h"

extern int web_schema_version;

static const char usage_serve[] =
    "usage: shenliao serve --db FILE [--listen ADDR:PORT] [--threads N] [--secure-cookies]\n"
    "                      [--sync-full] [--quiet]\n"
    "Migrates the database to the latest schema, then serves the web pages and the API.\n"
    "  --listen          address and port (default 127.0.0.1:8080; port 0 picks one)\n"
    "  --threads         worker threads (default: one per CPU)\n"
    "  --secure-cookies  mark cookies Secure (when served behind TLS)\n"
    "  --sync-full       SQLite synchronous=FULL (default NORMAL)\n"
    "  --quiet           no access log\n"
    "  --login-limit-user N     failed sign-ins per username per 15 min (default 10)\n"
    "  --login-limit-address N  failed sign-ins per client address per 15 min (default 100)\n"
    "  --no-flood-limits   no per-participant/address limits on statements and votes\n"
    "                      (for load tests only)\n";

int cmd_serve(int argc, char **argv)
{
	struct cli_opt opts[] = {{"db", true, 0, 0},
				 {"listen", true, 0, 0},
				 {"threads", true, 0, 0},
				 {"secure-cookies", false, 0, 0},
				 {"sync-full", false, 0, 0},
				 {"quiet", false, 0, 0},
				 {"login-limit-user", true, 0, 0},
				 {"login-limit-address", true, 0, 0},
				 {"no-flood-limits", false, 0, 0}};
	const size_t n = sizeof(opts) / sizeof(opts[0]);
	struct http_server_config cfg;
	struct http_server *srv;
	const char *pos[1], *listen, *threads;
	enum store_stage stage;
	struct db *db;
	sigset_t set;
	int64_t nthreads = 0;
	size_t npos;
	bool help;
	int rc, sig, version;

	rc = cli_parse(argc, argv, 1, opts, n, pos, 0, &npos, usage_serve, &help);
	if (rc >= 0)
		return rc;
	if (!cli_get(opts, n, "db"))
		return cli_usage_error(usage_serve, "serve needs --db FILE");
	listen = cli_get(opts, n, "listen") ? cli_get(opts, n, "listen") : "127.0.0.1:8080";
	threads = cli_get(opts, n, "threads");
	if (threads && num_parse(threads, strlen(threads), 1, 256, &nthreads))
		return cli_usage_error(usage_serve, "--threads must be a number from 1 to 256");
	{
		static const char *const lim[] = {"login-limit-user", "login-limit-address"};
		int *dst[] = {&auth_limits.per_user, &auth_limits.per_address};
		size_t i;

		for (i = 0; i < 2; i++) {
			const char *v = cli_get(opts, n, lim[i]);
			int64_t x;

			if (!v)
				continue;
			if (num_parse(v, strlen(v), 1, 1000000, &x))
				return cli_usage_error(usage_serve,
						       "--%s must be a positive number", lim[i]);
			*dst[i] = (int)x;
		}
	}
	rc = store_open(cli_get(opts, n, "db"), 0, &db, &version, &stage);
	if (rc == ERR_NOT_FOUND && stage == STORE_STAGE_OPEN)
		return cli_fail("no database at %s (create one with `shenliao init`)",
				cli_get(opts, n, "db"));
	if (rc)
		return cli_fail("cannot %s the database %s",
				stage == STORE_STAGE_MIGRATE ? "migrate" : "open",
				cli_get(opts, n, "db"));
	store_close(db);
	web_schema_version = version;
	web_options.secure_cookies = cli_get(opts, n, "secure-cookies") != NULL;
	if (store_pool_init(cli_get(opts, n, "db"),
			    cli_get(opts, n, "sync-full") ? STORE_SYNC_FULL : 0))
		return cli_fail("out of memory");
	if (web_start())
		return cli_fail("cannot start the web layer (see the log above)");

	/* signals are taken by sigwait below, never by the worker threads */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	memset(&cfg, 0, sizeof(cfg));
	cfg.listen = listen;
	cfg.threads = (unsigned)nthreads;
	cfg.body_limit = web_body_limit;
	cfg.dispatch = web_dispatch;
	cfg.quiet = cli_get(opts, n, "quiet") != NULL;
	cfg.on_quiesce = web_opinion_quiesce;
	if (cli_get(opts, n, "no-flood-limits"))
		web_opinion_no_limits();
	if (web_opinion_start() ||
	    live_start(cli_get(opts, n, "db"), 200, web_opinion_notify, NULL)) {
		web_stop();
		store_pool_fini();
		return cli_fail("cannot start the opinion worker");
	}
	if (http_server_start(&cfg, &srv)) {
		web_opinion_quiesce(NULL);
		live_stop();
		web_stop();
		store_pool_fini();
		return cli_fail("cannot listen on %s", listen);
	}
	{
		const char *colon = strrchr(listen, ':');
		int nhost = colon ? (int)(colon - listen) : (int)strlen(listen);

		/* the host part is printed from listen itself, so no buffer can cut it short */
		log_info("shenliao %s serving http://%.*s:%u/ (schema %d)", SHENLIAO_VERSION,
			 nhost ? nhost : 7, nhost ? listen : "0.0.0.0", http_server_port(srv),
			 version);
	}
	while (sigwait(&set, &sig) != 0)
		;
	log_info("signal %d: stopping (finishing requests in flight)", sig);
	http_server_stop(srv, 10);
	live_stop();
	web_stop();
	stats_cache_clear();
	store_pool_fini();
	log_info("stopped");
	return EXIT_OK;
}
