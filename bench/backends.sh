#!/bin/sh
# bench/backends.sh - the same workloads on SQLite and on PostgreSQL, and on 1 vs 3 `serve`
# processes behind nginx (round robin) on PostgreSQL, beside nginx serving a static file of
# the same size as the public session page (issue 13, item 7).
#
# One run: a demo database (SQLite, in a temp dir) loaded with BENCH_SESSIONS sessions and
# BENCH_REMARKS remarks (bench/gen_load.c --mode sessions); as the demo organizer (a bearer
# token), a public session that takes votes gets an opinion room open to anonymous
# participants and BENCH_STATEMENTS_N statements. Then `shenliao copy` moves that database
# into a private PostgreSQL 15 (initdb + pg_ctl in a temp dir, 127.0.0.1, a free port from
# BENCH_PG_PORT on), so both backends hold the same rows and ids. Four targets:
#   sqlite      one `serve` on the SQLite file, wrk straight at it
#   pg          one `serve` on PostgreSQL, wrk straight at it
#   pg-lb1      nginx (proxy, keep-alive upstream) in front of that one process
#   pg-lb3      nginx round robin over three `serve` processes on the same database
# and three workloads on each:
#   votes       PUT /api/v1/statements/{id}/vote, bench/votes.lua, -tN -cN: every
#               connection is its own anonymous participant (as bench/votes.sh's
#               votes-per-conn); the vote rows are counted before and after: every 200
#               answer must be a row
#   page        GET /sessions/{id}, a public session page with its remarks
#   search      GET /api/v1/search?q=..., two-character words in turn (bench/search.lua)
# The nginx-static row is the same nginx serving the session page's own bytes as a file.
# The "server CPU" of a PostgreSQL row includes the PostgreSQL server's processes and, for
# the lb rows, nginx. Prints a table, writes bench/results/backends.md, stops everything.
#
# Environment: see bench/lib.sh (BENCH_DURATION, BENCH_CONNECTIONS, BENCH_WARMUP,
# BENCH_NGINX_WORKERS, SHENLIAO, BENCH_OUT), and
#   BENCH_SIZE           "small" (1,000 sessions, 20,000 remarks; the default) or "large"
#                        (10,000 and 200,000, as bench/sessions.sh)
#   BENCH_SESSIONS, BENCH_REMARKS   override the size
#   BENCH_STATEMENTS_N   statements in the room (default 100)
#   BENCH_PG_PORT        first port to try for PostgreSQL (default 55490)
#   BENCH_PG_FSYNC       PostgreSQL's fsync (default on)
#   BENCH_PG_SYNC_COMMIT PostgreSQL's synchronous_commit (default off: a commit is answered
#                        before its WAL is flushed, like SQLite's synchronous=NORMAL in WAL
#                        mode answers before the checkpoint's fsync; on: flush every commit)
#   BENCH_KEEP           keep the temp dirs when set
# At the default BENCH_DURATION=10 the whole script takes about 4 minutes.
set -eu

cd "$(dirname "$0")/.."
. bench/lib.sh

lib_init backends "SQLite beside PostgreSQL, and 1 beside 3 serve processes behind nginx"

bench_size small
NSESSIONS=${BENCH_SESSIONS:-$NSESSIONS}
NREMARKS=${BENCH_REMARKS:-$NREMARKS}
NSTAT=${BENCH_STATEMENTS_N:-100}
PG_PORT0=${BENCH_PG_PORT:-55490}
PG_FSYNC=${BENCH_PG_FSYNC:-on}
PG_SYNC=${BENCH_PG_SYNC_COMMIT:-off}
PGBIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PY=/usr/bin/python3
[ -x "$PGBIN/initdb" ] || {
	echo "bench: no $PGBIN/initdb (apt-get install postgresql-15)" >&2
	exit 1
}
command -v psql >/dev/null 2>&1 || {
	echo "bench: psql not found (apt-get install postgresql-client-15)" >&2
	exit 1
}

# two-character words only (common, themed and rare ones)
BENCH_QUERIES="生育|海洋|托育|养老|教育|医疗|住房|交通|停车|港口|航运|深圳|鹏城|发展|问题|企业"
export BENCH_QUERIES

PGDIR=""
PG_PID=""
SERVE_PIDS=""
LB_NGINX_PID=""
cleanup() {
	set +e
	for p in $SERVE_PIDS; do stop_pid "$p" TERM; done
	[ -n "$LB_NGINX_PID" ] && stop_pid "$LB_NGINX_PID" QUIT
	if [ -n "$PGDIR" ] && [ -f "$PGDIR/data/PG_VERSION" ]; then
		as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -w -m fast stop >/dev/null 2>&1
		[ -z "${BENCH_KEEP:-}" ] && rm -rf "$PGDIR"
	fi
	lib_cleanup
}
trap cleanup EXIT

as_pg() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

: >"$TMP/durability"

# ---- data (SQLite) -----------------------------------------------------------------------

DB=$TMP/backends.db
build_gen_load
make_demo_db "$DB"
echo "bench: loading $NSESSIONS sessions and $NREMARKS remarks ..." >&2
"$GEN_LOAD" --db "$DB" --mode sessions --sessions "$NSESSIONS" --remarks "$NREMARKS" >"$TMP/gen.log"
note_cmd "\$TMP/gen_load --db \$TMP/backends.db --mode sessions --sessions $NSESSIONS --remarks $NREMARKS"
TOKEN=$("$SHENLIAO" token create --db "$DB" --username organizer 2>/dev/null | tail -n 1)
note_cmd "$SHENLIAO_SRC token create --db \$TMP/backends.db --username organizer   # -> \$TOKEN"
AUTH="Authorization: Bearer $TOKEN"
start_shenliao "$DB" --no-flood-limits

# the session page: a public 2024 session with remarks (the first with at least 15)
PAGE=$(pick_session_page "$SL_URL")
PAGE_REMARKS=${PAGE#* }
PAGE=${PAGE% *}

# the vote room: a public session that still takes votes
# shellcheck disable=SC1111 # the Chinese quotes are part of the text
open_vote_room "$NSTAT" "建议把“妈妈岗”推广到更多新兴行业，并给予用人单位补贴。"
# the session page's bytes, served by nginx as the reference
mkdir -p "$TMP/www"
curl -sf -o "$TMP/www/page.html" "$SL_URL/sessions/$PAGE"
PAGE_BYTES=$(wc -c <"$TMP/www/page.html" | tr -d ' ')
stop_shenliao
echo "bench: session page /sessions/$PAGE ($PAGE_REMARKS remarks, $PAGE_BYTES bytes); vote room in session $SID, $NSTAT statements" >&2

# ---- PostgreSQL --------------------------------------------------------------------------

PGDIR=$(mktemp -d "${TMPDIR:-/tmp}/shenliao-bench-pg.XXXXXX")
[ "$(id -u)" = 0 ] && chown postgres "$PGDIR"
as_pg "$PGBIN/initdb" -D "$PGDIR/data" -A trust -U postgres --no-sync -E UTF8 --locale=C.UTF-8 \
	>"$PGDIR/initdb.log" 2>&1 || {
	cat "$PGDIR/initdb.log" >&2
	exit 1
}
PG_PORT=$PG_PORT0
while ! port_free "$PG_PORT"; do PG_PORT=$((PG_PORT + 1)); done
PG_OPTS="-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PGDIR -c fsync=$PG_FSYNC -c synchronous_commit=$PG_SYNC -c max_connections=300 -c shared_buffers=256MB"
as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w -t 60 -o "$PG_OPTS" start >/dev/null || {
	tail -20 "$PGDIR/log" >&2
	exit 1
}
note_cmd "initdb -D \$PGDIR/data -A trust -U postgres -E UTF8 --locale=C.UTF-8; pg_ctl -D \$PGDIR/data -o \"$(echo "$PG_OPTS" | sed "s|$PGDIR|\$PGDIR|")\" start   # PostgreSQL $("$PGBIN/postgres" --version | cut -d' ' -f3)"
PG_PID=$(head -n 1 "$PGDIR/data/postmaster.pid")
PGURL=postgresql://postgres@127.0.0.1:$PG_PORT/shenliao
COPY_T0=$(date +%s.%N)
"$SHENLIAO" copy --from "$DB" --to "$PGURL" >"$TMP/copy.log" 2>&1 || {
	cat "$TMP/copy.log" >&2
	exit 1
}
COPY_T1=$(date +%s.%N)
note_cmd "$SHENLIAO_SRC copy --from \$TMP/backends.db --to $PGURL"
echo "bench: copied into $PGURL in $(awk -v a="$COPY_T0" -v b="$COPY_T1" 'BEGIN { printf "%.1f", b - a }') s" >&2

# ---- processes ---------------------------------------------------------------------------

# start_serve DB NAME: a `serve` on a free port; sets S_PID, S_PORT
start_serve() {
	try=0
	while [ $try -lt 5 ]; do
		S_PORT=$(pick_port)
		"$SHENLIAO" serve --db "$1" --listen "$HOST:$S_PORT" --quiet --no-flood-limits \
			>"$TMP/serve-$2.log" 2>&1 &
		S_PID=$!
		if wait_http "http://$HOST:$S_PORT/api/v1/health" "$S_PID" "$TMP/serve-$2.log"; then
			SERVE_PIDS="$SERVE_PIDS $S_PID"
			note_cmd "$SHENLIAO_SRC serve --db $(echo "$1" | sed "s|$TMP|\$TMP|") --listen $HOST:$S_PORT --quiet --no-flood-limits   # $2"
			return 0
		fi
		wait "$S_PID" 2>/dev/null || true
		try=$((try + 1))
	done
	echo "bench: serve $2 did not start" >&2
	cat "$TMP/serve-$2.log" >&2
	return 1
}

# one nginx: the static file, a proxy to process 1, round robin over processes 1-3
start_lb() { # PORT1 PORT2 PORT3
	dir=$TMP/lb
	mkdir -p "$dir/tmp"
	chmod a+rx "$TMP"
	chmod -R a+rX "$TMP/www"
	user_line=""
	[ "$(id -u)" = 0 ] && user_line="user root;"
	wconn=$((CONNECTIONS * 4 + 256))
	try=0
	while [ $try -lt 5 ]; do
		P_STATIC=$(pick_port)
		P_LB1=$(pick_port)
		P_LB3=$(pick_port)
		cat >"$dir/nginx.conf" <<EOF
# written by bench/backends.sh
$user_line
daemon off;
worker_processes $NGINX_WORKERS;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections $wconn; }
http {
    access_log off;
    types { }
    default_type text/html;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    upstream one { server $HOST:$1; keepalive 64; }
    upstream three { server $HOST:$1; server $HOST:$2; server $HOST:$3; keepalive 64; }
    server { listen $HOST:$P_STATIC; root $TMP/www; }
    server {
        listen $HOST:$P_LB1;
        location / { proxy_pass http://one; proxy_http_version 1.1;
            proxy_set_header Connection ""; proxy_set_header Host \$host; }
    }
    server {
        listen $HOST:$P_LB3;
        location / { proxy_pass http://three; proxy_http_version 1.1;
            proxy_set_header Connection ""; proxy_set_header Host \$host; }
    }
}
EOF
		nginx -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" >"$dir/stderr.log" 2>&1 &
		pid=$!
		if wait_http "http://$HOST:$P_STATIC/page.html" "$pid" "$dir/error.log" &&
			wait_http "http://$HOST:$P_LB3/api/v1/health" "$pid" "$dir/error.log"; then
			LB_NGINX_PID=$pid
			note_cmd "nginx -p \$TMP/lb -c \$TMP/lb/nginx.conf   # worker_processes $NGINX_WORKERS; $HOST:$P_STATIC serves page.html ($PAGE_BYTES bytes); $HOST:$P_LB1 proxies to serve 1; $HOST:$P_LB3 round robin over serve 1-3 (keepalive 64, HTTP/1.1)"
			return 0
		fi
		stop_pid "$pid" QUIT
		try=$((try + 1))
	done
	echo "bench: nginx did not start" >&2
	cat "$dir/stderr.log" "$dir/error.log" >&2
	return 1
}

count_votes() { # BACKEND: rows in the vote table
	if [ "$1" = sqlite ]; then
		$PY -c 'import sqlite3, sys
c = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True, timeout=30)
print(c.execute("SELECT COUNT(*) FROM vote").fetchone()[0])' "$DB"
	else
		psql -tA -c 'SELECT COUNT(*) FROM vote' "$PGURL"
	fi
}

NONCE=0
# workloads TARGET BACKEND "PIDS" URL
workloads() {
	t=$1
	NONCE=$((NONCE + 1))
	BENCH_NONCE=$(printf '%04x%04x' $$ $NONCE | cut -c1-8)
	BENCH_VOTE_SLOTS=1
	export BENCH_NONCE BENCH_VOTE_SLOTS
	if [ "$WARMUP" -gt 0 ]; then
		wrk -t"$CONNECTIONS" -c"$CONNECTIONS" -d"${WARMUP}s" -s bench/votes.lua "$4/" >/dev/null 2>&1 || true
		sleep 1
	fi
	NONCE=$((NONCE + 1))
	BENCH_NONCE=$(printf '%04x%04x' $$ $NONCE | cut -c1-8)
	v0=$(count_votes "$2")
	BW_T=$CONNECTIONS
	BW_WARMUP=0
	bench_wrk "$t:votes" "$3" "$4/" -s bench/votes.lua
	BW_T=""
	BW_WARMUP=""
	sleep 1
	v1=$(count_votes "$2")
	ok=$((LAST_REQS - LAST_NON2XX))
	dv=$((v1 - v0))
	if [ "$dv" -ge "$ok" ] && [ "$dv" -le $((ok + CONNECTIONS)) ]; then
		verdict=yes
	elif [ "$dv" -lt "$ok" ]; then
		verdict="NO: $((ok - dv)) acknowledged votes missing"
	else
		verdict="unclear: more rows than answers plus connections"
	fi
	printf '%s\t%s\t%s\t%s\n' "$t" "$ok" "$dv" "$verdict" >>"$TMP/durability"
	bench_wrk "$t:page" "$3" "$4/sessions/$PAGE"
	bench_wrk "$t:search" "$3" "$4/api/v1/search" -s bench/search.lua
}

# ---- runs --------------------------------------------------------------------------------

start_serve "$DB" sqlite
SQ_PID=$S_PID
SQ_PORT=$S_PORT
start_serve "$PGURL" pg1
PG1_PID=$S_PID
PG1_PORT=$S_PORT
start_serve "$PGURL" pg2
PG2_PID=$S_PID
PG2_PORT=$S_PORT
start_serve "$PGURL" pg3
PG3_PID=$S_PID
PG3_PORT=$S_PORT
start_lb "$PG1_PORT" "$PG2_PORT" "$PG3_PORT"

bench_wrk nginx-static "$LB_NGINX_PID" "http://$HOST:$P_STATIC/page.html"
workloads sqlite sqlite "$SQ_PID" "http://$HOST:$SQ_PORT"
stop_pid "$SQ_PID" TERM
workloads pg pg "$PG1_PID $PG_PID" "http://$HOST:$PG1_PORT"
workloads pg-lb1 pg "$PG1_PID $PG_PID $LB_NGINX_PID" "http://$HOST:$P_LB1"
workloads pg-lb3 pg "$PG1_PID $PG2_PID $PG3_PID $PG_PID $LB_NGINX_PID" "http://$HOST:$P_LB3"

# ---- report ------------------------------------------------------------------------------

# side by side: one row per workload, req/s (2xx), p99 and requests per CPU-second per target
side_by_side() { # FORMAT
	awk -F'\t' -v fmt="$1" -v dur="$DURATION" '
	{ split($1, a, ":"); if (a[2] == "") next
	  secs = $11 > 0 ? $11 : dur
	  ok[a[1], a[2]] = ($8 - $9) / secs; p99[a[1], a[2]] = $6
	  eff[a[1], a[2]] = $12 > 0 ? $8 / $12 : 0
	  if (!(a[2] in sw)) { sw[a[2]] = 1; w[++nw] = a[2] }
	  if (!(a[1] in st)) { st[a[1]] = 1; t[++nt] = a[1] } }
	END {
		if (fmt == "md") {
			line = "| workload |"; sep = "|---|"
			for (j = 1; j <= nt; j++) { line = line " " t[j] " |"; sep = sep "---:|" }
			print line; print sep
		} else {
			printf "%-8s", "workload"; for (j = 1; j <= nt; j++) printf " %28s", t[j]; printf "\n"
		}
		for (i = 1; i <= nw; i++) {
			if (fmt == "md") printf "| %s |", w[i]; else printf "%-8s", w[i]
			for (j = 1; j <= nt; j++) {
				c = sprintf("%.0f/s, p99 %.1f ms, %.0f/CPU-s", ok[t[j], w[i]], p99[t[j], w[i]], eff[t[j], w[i]])
				if (fmt == "md") printf " %s |", c; else printf " %28s", c
			}
			printf "\n"
		}
	}' "$ROWS"
}

NGX=$(awk -F'\t' '$1 == "nginx-static" { printf "%.0f", $3 }' "$ROWS")
{
	echo "### Side by side"
	echo
	echo "2xx answers per second, p99 latency, and requests per CPU-second of the serving side (shenliao, plus PostgreSQL's processes on pg rows, plus nginx on lb rows). nginx serves the session page's $PAGE_BYTES bytes as a static file at $NGX req/s in the same run."
	echo
	side_by_side md
	echo
	echo "- sqlite: one \`serve\` on the SQLite file; pg: one \`serve\` on PostgreSQL; pg-lb1: nginx in front of that one process; pg-lb3: nginx round robin over three \`serve\` processes on the same PostgreSQL database."
	echo "- data: the demo plus $NSESSIONS sessions and $NREMARKS remarks (bench/gen_load.c), copied into PostgreSQL by \`shenliao copy\`; the page is /sessions/$PAGE ($PAGE_REMARKS remarks, $PAGE_BYTES bytes); votes go to $NSTAT statements of session $SID's room; search rotates over ${BENCH_QUERIES}."
	echo "- PostgreSQL $("$PGBIN/postgres" --version | cut -d' ' -f3): fsync=$PG_FSYNC, synchronous_commit=$PG_SYNC, shared_buffers=256MB; SQLite: the server's default (WAL, synchronous=NORMAL)."
	echo "- every server process has one worker thread per CPU ($(nproc)); the three processes, PostgreSQL, nginx and wrk share the same $(nproc) cores, so pg-lb3 measures the cost of the extra hop and processes, not the scaling that more machines would give."
	echo
	echo "### Durability of the votes"
	echo
	echo "| target | 200 answers | vote rows added | durable |"
	echo "|---|---:|---:|---|"
	awk -F'\t' '{ printf "| %s | %d | %d | %s |\n", $1, $2, $3, $4 }' "$TMP/durability"
} >>"$EXTRA"

echo
table text
echo
side_by_side text
echo
cat "$TMP/durability"
write_report
echo
echo "bench: wrote $OUT"
