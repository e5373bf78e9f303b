/*
 * serve.c - `shenliao serve`: migrate, then serve until SIGINT/SIGTERM; on a signal stop
 * accepting, let requests in flight finish, close the database cleanly, exit 0.
 */
#include "cli.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sodium.h>
#include <stdint.h>
#include <sys/resource.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "cli/venue.h"
#include "base/util.h"
#include "http/http.h"
#include "http/proxy.h"
#include "model/model.h"
#include "model/output.h"
#include "model/room.h"
#include "model/scheduler.h"
#include "model/search.h"
#include "model/store.h"
#include "web/mailer.h"
#include "web/pagecache.h"
#include "web/web.h"

/* Group commit of votes (model/votequeue.c): a batch is closed at this many votes, or when
 * its oldest vote has waited this long. 2 ms against 0.5 ms in one short bench/votes.sh run
 * each (64 connections, a loaded machine): bytes written per vote 6.0 KB -> 4.8 KB, votes
 * per server CPU-second 15,500 -> 18,400, p99 40 -> 20 ms. */
#define VOTE_BATCH_MAX 1024
/* On PostgreSQL each vote's checks and write are round trips: several writers, each with a
 * connection, keep batches going while others wait on the network. SQLite has one writer
 * at a time anyway: one. */
#define VOTE_WRITERS_PG	   6
#define VOTE_BATCH_WAIT_US 2000

/* vote_hold_ms: SHENLIAO_VOTE_HOLD_MS, for crash tests only (votequeue.c's hold_ms). */
static int vote_hold_ms(void)
{
	const char *s = getenv("SHENLIAO_VOTE_HOLD_MS");
	int64_t v;

	return s && num_parse(s, strlen(s), 0, 10000, &v) == ERR_OK ? (int)v : 0;
}

extern int web_schema_version;

/*
 * Open files. A viewer of a live map holds a socket as long as the page is open, so serve
 * raises its open-file limit to the hard limit at start, and keeps HTTP_MAX_CONNECTIONS
 * plus STREAM_RESERVE descriptors (database connections, files, listeners) out of the
 * streams' reach: requests always find a descriptor and a connection, however many
 * viewers wait. The default of --max-streams is what is left; --help computes it here.
 */
#define STREAM_RESERVE 512u
static char streams_default[96];

/* nofile_raise raises the soft open-file limit to the hard one; returns the soft limit now
 * and the one it was (0 when unknown). */
static uint64_t nofile_raise(uint64_t *was)
{
	struct rlimit rl;

	*was = 0;
	if (getrlimit(RLIMIT_NOFILE, &rl))
		return 0;
	*was = rl.rlim_cur;
	if (rl.rlim_cur < rl.rlim_max) {
		rlim_t want = rl.rlim_max == RLIM_INFINITY ? (rlim_t)1 << 20 : rl.rlim_max;

		rl.rlim_cur = want;
		if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
			return want;
	}
	return *was;
}

/* streams_for is the default stream limit under nofile open files: what the reserve leaves,
 * at least half of them when nofile is too small for the whole reserve. */
static size_t streams_for(uint64_t nofile)
{
	uint64_t reserve = HTTP_MAX_CONNECTIONS + STREAM_RESERVE;

	if (reserve > nofile / 2)
		reserve = nofile / 2;
	return (size_t)(nofile - reserve);
}

/* the limit --help shows is the one serve would take in this shell */
__attribute__((constructor)) static void streams_default_init(void)
{
	struct rlimit rl;
	uint64_t n = 0;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
		n = rl.rlim_max == RLIM_INFINITY ? (uint64_t)1 << 20 : rl.rlim_max;
	snprintf(streams_default, sizeof(streams_default),
		 "%zu here (open-file limit %llu, less %u for requests)", streams_for(n),
		 (unsigned long long)n, HTTP_MAX_CONNECTIONS + STREAM_RESERVE);
}

static const struct cli_opt serve_opts[] = {
    {"db", "FILE", NULL, "the database (migrated to the latest schema first)", true},
    {"listen", "ADDR:PORT", "127.0.0.1:8080", "address and port; port 0 picks a free one", false},
    {"threads", "N", "one per CPU", "worker threads (1 to 256)", false},
    {"public-url", "URL", "http://<listen address>",
     "where users reach the server; links that leave it are built from it", false},
    {"trust-proxy", "LIST", "none", "proxies whose X-Forwarded-For is believed (see above)", false},
    {"secure-cookies", NULL, NULL, "mark cookies Secure (when served behind TLS)", false},
    {"sync-full", NULL, NULL, "SQLite synchronous=FULL instead of NORMAL", false},
    {"quiet", NULL, NULL, "no access log", false},
    {"login-limit-pair", "N", "5", "failed sign-ins of one account from one address per 15 min",
     false},
    {"login-limit-address", "N", "100", "failed sign-ins from one address (any account) per 15 min",
     false},
    {"login-delay-max", "N", "300", "the longest wait between sign-in tries, in seconds", false},
    {"processes", "N", "1",
     "serve processes sharing this database (PostgreSQL): in-memory limits are divided by N",
     false},
    {"page-cache-mb", "N", "64",
     "memory for public pages kept for signed-out visitors (with gzip/br), 0 to 65536 MiB; 0: none",
     false},
    {"max-streams", "N", streams_default,
     "live-map event streams open at once (see above); past it a viewer gets 503", false},
    {"no-flood-limits", NULL, NULL,
     "no per-participant/address limits on statements and votes (load tests only)", false},
    {"tick-seconds", "N", "60",
     "how often the scheduler runs due jobs (reminders), 1 to 86400; 0: no scheduler", false},
    {"smtp", "HOST:PORT", "none: no e-mail",
     "send notifications by e-mail through this SMTP server (see above)", false},
    {"mail-from", "ADDR", NULL, "the sender address of the e-mails (needed with --smtp)", false},
    {"smtp-user", "USER", NULL,
     "sign in to the SMTP server (password from SHENLIAO_SMTP_PASSWORD; TLS required)", false},
    {"smtp-ca", "FILE", "the system's", "certificate authorities that vouch for the SMTP server",
     false},
    {"venue-export", "DIR", NULL,
     "venue mode: write each session's signed bundle here when it closes", false},
    {"bundle-key", "NAME.secret", NULL, "the key venue mode signs with (`bundle keygen`)", false},
};

static int cmd_serve(int argc, char **argv);

/* the trusted proxies of --trust-proxy (empty: none), read by the server's threads */
static struct proxy_list proxies;

/* public_url_set checks --public-url and stores it without a trailing slash: http:// or
 * https://, then a host of letters, digits, ".-:[]" (a port and IPv6 literals included),
 * and nothing after it but one "/". */
static int public_url_set(const char *url)
{
	const char *h;
	size_t n, i;

	if (strncmp(url, "https://", 8) == 0)
		h = url + 8;
	else if (strncmp(url, "http://", 7) == 0)
		h = url + 7;
	else
		return ERR_INVALID;
	n = strcspn(h, "/");
	if (n == 0 || (h[n] && strcmp(h + n, "/") != 0))
		return ERR_INVALID;
	for (i = 0; i < n; i++) {
		char ch = h[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || strchr(".-:[]", ch)))
			return ERR_INVALID;
	}
	if ((size_t)(h - url) + n >= sizeof(web_options.public_url))
		return ERR_INVALID;
	snprintf(web_options.public_url, sizeof(web_options.public_url), "%.*s",
		 (int)((size_t)(h - url) + n), url);
	return ERR_OK;
}

const struct cli_cmd cli_cmd_serve = {
    "serve",
    "",
    0,
    0,
    "serve the web pages and the JSON API",
    "Migrates the database to the latest schema, then serves the web pages and the API\n"
    "until SIGINT or SIGTERM (requests in flight finish first).\n"
    "\n"
    "--public-url URL: http:// or https:// and a host (and port), no path, e.g.\n"
    "https://zx.example.cn. Join links, their QR codes and .ics files are built from it,\n"
    "never from the request's Host header. With https:// every answer carries\n"
    "Strict-Transport-Security (max-age=31536000) and cookies are marked Secure.\n"
    "\n"
    "--trust-proxy LIST: 'loopback' (127.0.0.0/8 and ::1) or a comma list of addresses and\n"
    "CIDR blocks, e.g. 127.0.0.1,10.0.0.0/8. Only for connections from one of them is\n"
    "X-Forwarded-For read: from the right, skipping entries that are trusted proxies; the\n"
    "first other entry is the client. Without it the header is ignored.\n"
    "\n"
    "Sign-in throttling: after --login-limit-pair failures of one account from one address,\n"
    "or --login-limit-address failures from one address, each further try from there waits\n"
    "1, 2, 4 ... s up to --login-delay-max (429 with Retry-After). Another address is not\n"
    "held up, so nobody can lock an account for its owner. The counts drain (one failure\n"
    "every 15 min / limit), so a steady pace below the limit per 15 minutes never waits.\n"
    "Kept in memory: a restart forgets it.\n"
    "\n"
    "Many processes (PostgreSQL): sign-ins, CSRF tokens, snapshots, the scheduler's lease and\n"
    "the mail queue are in the database and shared. The sign-in throttle and the flood limits\n"
    "on statements and votes are kept in each process's memory, sharded: give every process\n"
    "--processes N (N serve processes behind the load balancer) and each allows 1/N of every\n"
    "limit (at least 1), so that round robin over N allows what one process would. Live maps\n"
    "reach viewers on every process (LISTEN/NOTIFY on the channel shenliao_live) and a\n"
    "session's map is computed by one process at a time (an advisory lock).\n"
    "\n"
    "Live maps: each viewer's page holds an event stream (text/event-stream), served from\n"
    "one thread's epoll set, not a connection of the server. serve raises its open-file\n"
    "limit (RLIMIT_NOFILE) to the hard limit at start and logs it; --max-streams defaults to\n"
    "that limit less 4,608 descriptors kept for requests, so viewers never lock out voters or\n"
    "staff: past it a new stream gets 503 with Retry-After: 60 and the page polls the map\n"
    "instead. A viewer whose socket takes no byte for 30 s is dropped. For more viewers,\n"
    "raise the hard limit (ulimit -Hn, LimitNOFILE= in systemd).\n"
    "\n"
    "Scheduler: every --tick-seconds (SHENLIAO_TICK_SECONDS; default 60) a thread sends the\n"
    "reminders that are due: reply_due to the handling units of an assigned proposal seven\n"
    "days before its reply is due and on the day, commitment_due to a commitment's owner\n"
    "seven days before its due date and on the day (China time), each once. Several\n"
    "processes on one database take turns through a lease row, so one runs a tick at a time.\n"
    "\n"
    "E-mail: with --smtp HOST:PORT and --mail-from ADDR a mailer thread sends each\n"
    "notification to the person's e-mail address through that SMTP server (STARTTLS when\n"
    "the server offers it), with the link built from --public-url. With --smtp-user the\n"
    "password is read from the environment variable SHENLIAO_SMTP_PASSWORD (never a flag)\n"
    "and TLS is required. The mails wait in a queue in the database: a failed delivery is\n"
    "retried after 1, 2, 4 ... s (at most an hour), and a restart picks the queue up again;\n"
    "several servers on one database share it without sending a mail twice. Without\n"
    "--smtp no mail is sent (the mails stay queued; the in-app inbox works as ever).\n"
    "\n"
    "Venue mode (a laptop in the room, no network beyond the room's Wi-Fi): with\n"
    "--venue-export DIR --bundle-key NAME.secret, every session that closes while the server\n"
    "runs is written as a signed bundle to DIR/session-<id>-<UTC time>.bundle (the path is\n"
    "logged), to be carried to the office and imported with `shenliao bundle import`. The\n"
    "room's pages load nothing from outside the server. See docs/FEDERATION.md.\n",
    serve_opts,
    ARRAY_LEN(serve_opts),
    cmd_serve,
};

/* public_url_default sets the public URL to http://<listen's host>:<port> (--public-url
 * not given). */
static void public_url_default(const char *listen, unsigned port)
{
	const char *colon = strrchr(listen, ':');
	int nhost = colon ? (int)(colon - listen) : (int)strlen(listen);

	snprintf(web_options.public_url, sizeof(web_options.public_url), "http://%.*s:%u",
		 nhost ? nhost : 7, nhost ? listen : "0.0.0.0", port);
}

/* smtp_from_args fills *s from --smtp and its companions; 0, or a usage error's exit code
 * (already reported). *on is false without --smtp. */
static int smtp_from_args(const struct cli_args *a, struct smtp_server *s, bool *on)
{
	const char *user = cli_arg(a, "smtp-user"), *pass = getenv("SHENLIAO_SMTP_PASSWORD");
	int rc;

	*on = cli_arg(a, "smtp") != NULL;
	if (!*on) {
		if (cli_arg(a, "mail-from") || user || cli_arg(a, "smtp-ca"))
			return cli_usage(&cli_cmd_serve,
					 "--mail-from, --smtp-user and --smtp-ca need --smtp");
		return 0;
	}
	if (!cli_arg(a, "mail-from"))
		return cli_usage(&cli_cmd_serve,
				 "--smtp needs --mail-from ADDR (the sender of the e-mails)");
	if (user && !(pass && *pass))
		return cli_usage(&cli_cmd_serve,
				 "--smtp-user needs the password in SHENLIAO_SMTP_PASSWORD");
	rc = smtp_server_set(s, cli_arg(a, "smtp"), cli_arg(a, "mail-from"), user,
			     user ? pass : NULL, cli_arg(a, "smtp-ca"));
	if (rc)
		return cli_usage(&cli_cmd_serve,
				 "--smtp must be HOST:PORT (e.g. smtp.example.cn:587) and "
				 "--mail-from an address like noreply@example.cn");
	return 0;
}

/* venue_from_args loads --bundle-key for --venue-export; 0, or an exit code (reported).
 * *on is false without --venue-export. */
static int venue_from_args(const struct cli_args *a, struct bundle_key *k, bool *on)
{
	const char *dir = cli_arg(a, "venue-export"), *key = cli_arg(a, "bundle-key");
	struct verr e;
	struct stat sb;

	*on = dir != NULL;
	if (!dir && !key)
		return 0;
	if (!dir || !key)
		return cli_usage(&cli_cmd_serve,
				 "--venue-export DIR and --bundle-key NAME.secret go "
				 "together");
	if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode) || access(dir, W_OK) != 0)
		return cli_fail("--venue-export %s is not a folder this user may write to "
				"（%s 不是可写的目录）",
				dir, dir);
	memset(&e, 0, sizeof(e));
	if (bundle_key_load(key, k, &e))
		return cli_fail("%s（%s）", e.zh, e.en);
	if (!k->has_secret)
		return cli_fail(
		    "--bundle-key takes the .secret file（--bundle-key 须是 .secret 私钥）");
	return 0;
}

static int cmd_serve(int argc, char **argv)
{
	struct smtp_server smtp;
	struct bundle_key venue_key;
	bool smtp_on = false, venue_on = false;
	struct cli_args a;
	struct http_server_config cfg;
	struct http_server *srv;
	const char *listen, *threads;
	enum store_stage stage;
	struct db *db;
	sigset_t set;
	int64_t nthreads = 0, tick_s = 60;
	int rc, sig, version;

	rc = cli_parse(argc, argv, 1, &cli_cmd_serve, &a);
	if (rc >= 0)
		return rc;
	listen = cli_arg(&a, "listen") ? cli_arg(&a, "listen") : "127.0.0.1:8080";
	threads = cli_arg(&a, "threads");
	if (threads && num_parse(threads, strlen(threads), 1, 256, &nthreads))
		return cli_usage(&cli_cmd_serve, "--threads must be a number from 1 to 256");
	{
		static const char *const lim[] = {"login-limit-pair", "login-limit-address",
						  "login-delay-max", "processes"};
		int *dst[] = {&web_options.login_limit_pair, &web_options.login_limit_address,
			      &web_options.login_delay_max_s, &web_options.processes};
		size_t i;

		for (i = 0; i < ARRAY_LEN(lim); i++) {
			const char *v = cli_arg(&a, lim[i]);
			int64_t x;

			if (!v)
				continue;
			if (num_parse(v, strlen(v), 1, 1000000, &x))
				return cli_usage(&cli_cmd_serve, "--%s must be a positive number",
						 lim[i]);
			*dst[i] = (int)x;
		}
	}
	web_options.page_cache_mb = PAGECACHE_DEFAULT_MB;
	if (cli_arg(&a, "page-cache-mb")) {
		int64_t mb;

		if (num_parse(cli_arg(&a, "page-cache-mb"), strlen(cli_arg(&a, "page-cache-mb")), 0,
			      65536, &mb))
			return cli_usage(&cli_cmd_serve,
					 "--page-cache-mb must be a number from 0 to 65536");
		web_options.page_cache_mb = (int)mb;
	}
	{
		uint64_t was, nofile = nofile_raise(&was);
		int64_t x = (int64_t)streams_for(nofile);
		const char *v = cli_arg(&a, "max-streams");

		if (v && num_parse(v, strlen(v), 1, 100000000, &x))
			return cli_usage(&cli_cmd_serve,
					 "--max-streams must be a number from 1 to 100000000");
		web_options.max_streams = (size_t)x;
		log_info("open-file limit %llu (was %llu); at most %zu live-map streams",
			 (unsigned long long)nofile, (unsigned long long)was,
			 web_options.max_streams);
	}
	if (cli_arg(&a, "tick-seconds") &&
	    num_parse(cli_arg(&a, "tick-seconds"), strlen(cli_arg(&a, "tick-seconds")), 0, 86400,
		      &tick_s))
		return cli_usage(&cli_cmd_serve, "--tick-seconds must be a number from 0 to 86400");
	if (cli_arg(&a, "public-url") && public_url_set(cli_arg(&a, "public-url")))
		return cli_usage(
		    &cli_cmd_serve,
		    "--public-url must be http:// or https:// and a host, with no path, "
		    "e.g. https://zx.example.cn");
	if (cli_arg(&a, "trust-proxy") && strcmp(cli_arg(&a, "trust-proxy"), "none") != 0 &&
	    proxy_list_parse(cli_arg(&a, "trust-proxy"), &proxies))
		return cli_usage(&cli_cmd_serve,
				 "--trust-proxy must be 'loopback' or a comma list of up to %d "
				 "addresses and CIDR blocks, e.g. 127.0.0.1,10.0.0.0/8",
				 PROXY_MAX);
	rc = smtp_from_args(&a, &smtp, &smtp_on);
	if (rc)
		return rc;
	rc = venue_from_args(&a, &venue_key, &venue_on);
	if (rc)
		return rc;
	rc = store_open(cli_arg(&a, "db"), 0, &db, &version, &stage);
	if (rc == ERR_NOT_FOUND && stage == STORE_STAGE_OPEN)
		return cli_fail("no database at %s (create one with `shenliao init`)",
				cli_db_name(cli_arg(&a, "db")));
	if (rc)
		return cli_fail("cannot %s the database %s",
				stage == STORE_STAGE_MIGRATE ? "migrate" : "open",
				cli_db_name(cli_arg(&a, "db")));
	store_close(db);
	web_schema_version = version;
	web_options.secure_cookies = cli_arg(&a, "secure-cookies") != NULL ||
				     strncmp(web_options.public_url, "https://", 8) == 0;
	if (store_pool_init(cli_arg(&a, "db"), cli_arg(&a, "sync-full") ? STORE_SYNC_FULL : 0))
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
	cfg.quiet = cli_arg(&a, "quiet") != NULL;
	cfg.on_quiesce = web_opinion_quiesce;
	cfg.proxies = &proxies;
	cfg.hsts = strncmp(web_options.public_url, "https://", 8) == 0;
	if (cli_arg(&a, "no-flood-limits"))
		web_opinion_no_limits();
	if (web_opinion_start() || live_start(cli_arg(&a, "db"), 200, web_opinion_notify, NULL) ||
	    vote_queue_start(store_is_uri(cli_arg(&a, "db")) ? VOTE_WRITERS_PG : 1, VOTE_BATCH_MAX,
			     VOTE_BATCH_WAIT_US, vote_hold_ms())) {
		live_stop();
		web_stop();
		store_pool_fini();
		return cli_fail("cannot start the opinion worker");
	}
	{
		const char *colon = strrchr(listen, ':');

		/* a port given: the default public URL is known before any request comes */
		if (!web_options.public_url[0] && colon && strcmp(colon, ":0") != 0)
			public_url_default(listen, (unsigned)atoi(colon + 1));
	}
	if (tick_s && scheduler_start(cli_arg(&a, "db"), (int)tick_s)) {
		web_opinion_quiesce(NULL);
		vote_queue_stop();
		live_stop();
		web_stop();
		store_pool_fini();
		return cli_fail("cannot start the scheduler");
	}
	if (getenv("SHENLIAO_SEARCH_CACHE") && strcmp(getenv("SHENLIAO_SEARCH_CACHE"), "off") == 0)
		search_cache_enable(false); /* benchmarks of the uncached path */
	if (http_server_start(&cfg, &srv)) {
		scheduler_stop();
		web_opinion_quiesce(NULL);
		vote_queue_stop();
		live_stop();
		web_stop();
		store_pool_fini();
		return cli_fail("cannot listen on %s (is the port in use? choose another with "
				"--listen)",
				listen);
	}
	{
		const char *colon = strrchr(listen, ':');
		int nhost = colon ? (int)(colon - listen) : (int)strlen(listen);

		/* with port 0 the default public URL needs the bound port; it is set before
		 * the line below, which tells that requests may come (tests wait for it) */
		if (!web_options.public_url[0])
			public_url_default(listen, http_server_port(srv));
		/* the host part is printed from listen itself, so no buffer can cut it short */
		/* the mailer builds links from the public URL: started once it is known */
		if (smtp_on && mailer_start(&smtp))
			log_error("cannot start the mailer: notifications stay queued");
		smtp_server_fini(&smtp);
		log_info("shenliao %s serving http://%.*s:%u/ (schema %d)", SHENLIAO_VERSION,
			 nhost ? nhost : 7, nhost ? listen : "0.0.0.0", http_server_port(srv),
			 version);
	}
	if (venue_on &&
	    venue_start(cli_arg(&a, "db"), cli_arg(&a, "venue-export"), &venue_key, 1000))
		log_error("cannot start venue mode: no bundles will be written");
	sodium_memzero(&venue_key, sizeof(venue_key));
	while (sigwait(&set, &sig) != 0)
		;
	log_info("signal %d: stopping (finishing requests in flight)", sig);
	http_server_stop(srv, 10);
	vote_queue_stop(); /* after the server: the votes in flight are written and answered */
	venue_stop();
	mailer_stop();
	scheduler_stop();
	live_stop();
	web_stop();
	stats_cache_clear();
	search_cache_clear();
	store_pool_fini();
	log_info("stopped");
	return EXIT_OK;
}
