#!/bin/sh
# bench/run.sh - `make bench`: shenliao's throughput against nginx serving a static file.
#
# One run: make a demo database in a temp dir, start `shenliao serve` and one nginx per
# worker setting (BENCH_NGINX_WORKERS), all on free loopback ports; run wrk against nginx's
# static copy of the health body and against /api/v1/health; print a table and write it
# as Markdown to bench/results/health.md; stop everything and remove the temp dir.
#
# Environment:
#   BENCH_DURATION       seconds per measured wrk run (default 10)
#   BENCH_CONNECTIONS    wrk connections (default 64)
#   BENCH_THREADS        wrk threads (default 1)
#   BENCH_WARMUP         seconds of unrecorded warm-up before each run, 0 for none (default 2)
#   BENCH_NGINX_WORKERS  nginx worker_processes settings to compare (default "1 auto")
#   BENCH_SHENLIAO_ARGS  extra `shenliao serve` arguments, e.g. "--threads 1" (default none;
#                        --quiet is always given)
#   BENCH_OUT            the Markdown fragment (default bench/results/health.md)
#   SHENLIAO             the binary (default build/shenliao)
#
# Adding a benchmark: write a function that calls `bench_url NAME URL` for each URL (the
# servers are reachable as $SL_URL and $NGINX_URL_<workers>, e.g. $NGINX_URL_1), and call it
# from main. Each bench_url adds one row to the table; rows whose shenliao/nginx ratio is
# wanted need nothing more - every row is compared with each nginx static row.
# Only loopback addresses are used.
set -eu

cd "$(dirname "$0")/.."

DURATION=${BENCH_DURATION:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
WRK_THREADS=${BENCH_THREADS:-1}
WARMUP=${BENCH_WARMUP:-2}
NGINX_WORKERS=${BENCH_NGINX_WORKERS:-1 auto}
SHENLIAO_ARGS=${BENCH_SHENLIAO_ARGS:-}
OUT=${BENCH_OUT:-bench/results/health.md}
SHENLIAO=${SHENLIAO:-build/shenliao}
HOST=127.0.0.1

for v in "$DURATION" "$CONNECTIONS" "$WRK_THREADS" "$WARMUP"; do
	case $v in
	'' | *[!0-9]*)
		echo "bench: BENCH_DURATION, BENCH_CONNECTIONS, BENCH_THREADS and BENCH_WARMUP must be whole numbers" >&2
		exit 2
		;;
	esac
done
for tool in wrk nginx curl "$SHENLIAO"; do
	if ! command -v "$tool" >/dev/null 2>&1 && [ ! -x "$tool" ]; then
		echo "bench: $tool not found (run \`make bench\`, which installs wrk and nginx-light and builds)" >&2
		exit 1
	fi
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/shenliao-bench.XXXXXX")
SL_PID=""
NGINX_PIDS=""
ROWS=$TMP/rows     # name<TAB>url<TAB>req/s<TAB>p50 ms<TAB>p99 ms<TAB>errors<TAB>load
CMDS=$TMP/commands # the commands run, for the report

# ---- lifecycle -------------------------------------------------------------------------

stop_pid() { # stop_pid PID SIGNAL: signal, wait up to 15 s, then kill
	pid=$1
	kill -"$2" "$pid" 2>/dev/null || return 0
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 150 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "bench: pid $pid did not stop, killing it" >&2
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
}

cleanup() {
	set +e
	for p in $NGINX_PIDS; do
		stop_pid "$p" QUIT # graceful: finish requests, then exit
	done
	[ -n "$SL_PID" ] && stop_pid "$SL_PID" TERM # serve: drain in-flight requests, exit 0
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_free() {
	if command -v ss >/dev/null 2>&1; then
		[ -z "$(ss -Htln "sport = :$1" 2>/dev/null)" ]
	else
		! curl -s -o /dev/null --max-time 1 "http://$HOST:$1/"
	fi
}

pick_port() { # a port nobody listens on now; the caller retries if it loses a race
	i=0
	while [ $i -lt 100 ]; do
		p=$(od -An -N2 -tu2 /dev/urandom | awk '{ print 20000 + $1 % 40000 }')
		if port_free "$p"; then
			echo "$p"
			return 0
		fi
		i=$((i + 1))
	done
	echo "bench: no free port found" >&2
	return 1
}

wait_http() { # wait_http URL PID LOG: until URL answers 2xx; fail if PID exits or 10 s pass
	i=0
	while [ $i -lt 100 ]; do
		if ! kill -0 "$2" 2>/dev/null; then
			return 1
		fi
		if curl -sf -o /dev/null --max-time 1 "$1"; then
			return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	echo "bench: $1 did not answer within 10 s; log:" >&2
	cat "$3" >&2
	return 1
}

make_db() {
	SHENLIAO_ADMIN_PASSWORD=bench-pass-1 "$SHENLIAO" demo --db "$TMP/bench.db" --quiet \
		>"$TMP/demo.log" 2>&1 || {
		cat "$TMP/demo.log" >&2
		return 1
	}
	echo "SHENLIAO_ADMIN_PASSWORD=bench-pass-1 $SHENLIAO demo --db \$TMP/bench.db --quiet" >>"$CMDS"
}

start_shenliao() { # sets SL_PID, SL_PORT, SL_URL
	try=0
	while [ $try -lt 5 ]; do
		SL_PORT=$(pick_port)
		# shellcheck disable=SC2086 # SHENLIAO_ARGS is a list of words
		"$SHENLIAO" serve --db "$TMP/bench.db" --listen "$HOST:$SL_PORT" --quiet $SHENLIAO_ARGS \
			>"$TMP/shenliao.log" 2>&1 &
		SL_PID=$!
		SL_URL=http://$HOST:$SL_PORT
		if wait_http "$SL_URL/api/v1/health" "$SL_PID" "$TMP/shenliao.log"; then
			echo "$SHENLIAO serve --db \$TMP/bench.db --listen $HOST:$SL_PORT --quiet${SHENLIAO_ARGS:+ $SHENLIAO_ARGS}" >>"$CMDS"
			return 0
		fi
		wait "$SL_PID" 2>/dev/null || true
		SL_PID=""
		try=$((try + 1))
	done
	echo "bench: shenliao did not start; log:" >&2
	cat "$TMP/shenliao.log" >&2
	return 1
}

# start_nginx WORKERS: an nginx with worker_processes WORKERS serving $TMP/www; sets
# NGINX_URL_<WORKERS> (the static file's URL).
start_nginx() {
	w=$1
	dir=$TMP/nginx-$w
	mkdir -p "$dir/tmp"
	user_line=""
	wconn=$((CONNECTIONS * 2 + 64))
	[ $wconn -lt 1024 ] && wconn=1024
	# as root, nginx's workers would switch to "nobody" and could not read the temp dir
	[ "$(id -u)" = 0 ] && user_line="user root;"
	try=0
	while [ $try -lt 5 ]; do
		port=$(pick_port)
		cat >"$dir/nginx.conf" <<EOF
# written by bench/run.sh: the smallest setup that serves one static file
$user_line
daemon off;
worker_processes $w;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events {
    worker_connections $wconn;
}
http {
    access_log off;
    types { }
    default_type application/json;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    server {
        listen $HOST:$port;
        root $TMP/www;
    }
}
EOF
		nginx -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" >"$dir/stderr.log" 2>&1 &
		pid=$!
		if wait_http "http://$HOST:$port/health.json" "$pid" "$dir/error.log"; then
			NGINX_PIDS="$NGINX_PIDS $pid"
			eval "NGINX_URL_$w=http://$HOST:$port/health.json"
			echo "nginx -p \$TMP/nginx-$w -e \$TMP/nginx-$w/error.log -c \$TMP/nginx-$w/nginx.conf   # worker_processes $w; listen $HOST:$port" >>"$CMDS"
			return 0
		fi
		wait "$pid" 2>/dev/null || true
		try=$((try + 1))
	done
	echo "bench: nginx did not start; log:" >&2
	cat "$dir/stderr.log" "$dir/error.log" >&2 2>/dev/null
	return 1
}

# ---- measuring --------------------------------------------------------------------------

to_ms() { # wrk's "1.23ms", "850.00us", "1.02s" -> milliseconds
	echo "$1" | awk '{
		v = $1 + 0
		if ($1 ~ /us$/) v /= 1000
		else if ($1 ~ /ms$/) v = v
		else if ($1 ~ /m$/) v *= 60000
		else if ($1 ~ /s$/) v *= 1000
		printf "%.3f", v }'
}

# bench_url NAME URL: warm up, run wrk, add a row (req/s, p50, p99, errors) to $ROWS.
bench_url() {
	name=$1
	url=$2
	log=$TMP/wrk-$name.txt
	if [ "$WARMUP" -gt 0 ]; then
		wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" "$url" >/dev/null
	fi
	load=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo "?")
	cmd="wrk -t$WRK_THREADS -c$CONNECTIONS -d${DURATION}s --latency $url"
	echo "$cmd" >>"$CMDS"
	printf 'bench: %-22s %s ... ' "$name" "$url" >&2
	$cmd >"$log"
	rps=$(awk '/^Requests\/sec:/ { print $2 }' "$log")
	p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$log")")
	p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$log")")
	# socket errors (connect+read+write+timeout) plus non-2xx/3xx answers
	errs=$(awk '/Socket errors:/ { gsub(",", ""); n += $4 + $6 + $8 + $10 }
		/Non-2xx or 3xx responses:/ { n += $5 }
		END { print n + 0 }' "$log")
	if [ -z "$rps" ]; then
		echo "failed; wrk said:" >&2
		cat "$log" >&2
		return 1
	fi
	echo "$rps req/s, p50 ${p50} ms, p99 ${p99} ms, errors $errs" >&2
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$url" "$rps" "$p50" "$p99" "$errs" "$load" >>"$ROWS"
}

# ---- benchmarks (add more as functions, call them from main) ----------------------------

bench_health() {
	for w in $NGINX_WORKERS; do
		eval "bench_url nginx-static-w$w \"\$NGINX_URL_$w\""
	done
	bench_url shenliao-health "$SL_URL/api/v1/health"
}

# ---- report -----------------------------------------------------------------------------

# table FORMAT: FORMAT is "text" or "md"; every row gets its req/s ratio to each nginx row.
table() {
	awk -F '\t' -v fmt="$1" '
	{ n++; name[n] = $1; url[n] = $2; rps[n] = $3; p50[n] = $4; p99[n] = $5; err[n] = $6
	  load[n] = $7
	  if ($1 ~ /^nginx-static-/) { nb++; base[nb] = n } }
	END {
		hdr = "target|URL|requests/s|p50 ms|p99 ms|errors|load"
		for (b = 1; b <= nb; b++) hdr = hdr "|/" name[base[b]]
		nc = split(hdr, h, "|")
		if (fmt == "md") {
			line = "|"; sep = "|"
			for (i = 1; i <= nc; i++) { line = line " " h[i] " |"; sep = sep (i <= 2 ? "---|" : "---:|") }
			print line; print sep
		} else {
			printf "%-22s %11s %8s %8s %6s %5s", h[1], h[3], h[4], h[5], h[6], h[7]
			for (b = 1; b <= nb; b++) printf " %20s", h[7 + b]
			printf "\n"
		}
		for (i = 1; i <= n; i++) {
			if (fmt == "md") {
				printf "| %s | %s | %.0f | %.2f | %.2f | %d | %s |", name[i], url[i], rps[i], p50[i], p99[i], err[i], load[i]
				for (b = 1; b <= nb; b++) printf " %.2f |", rps[i] / rps[base[b]]
			} else {
				printf "%-22s %11.0f %8.2f %8.2f %6d %5s", name[i], rps[i], p50[i], p99[i], err[i], load[i]
				for (b = 1; b <= nb; b++) printf " %20.2f", rps[i] / rps[base[b]]
			}
			printf "\n"
		}
	}' "$ROWS"
}

versions() {
	nginx -v 2>&1 | head -n 1
	wrk -v 2>&1 | head -n 1 | sed 's/ *Copyright.*//' || true
	"$SHENLIAO" --version 2>&1 | head -n 1
}

write_report() {
	mkdir -p "$(dirname "$OUT")"
	{
		echo "## shenliao health endpoint vs nginx static file"
		echo
		echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
		echo "- machine: nproc $(nproc), memory $(free -h 2>/dev/null | awk '/^Mem:/ { print $2 }'), $(uname -srm)"
		echo "- load average at start: $LOAD_START (other work on the machine skews the numbers)"
		echo "- wrk: $WRK_THREADS thread(s), $CONNECTIONS connections, ${DURATION} s (after ${WARMUP} s warm-up)"
		echo "- nginx serves a copy of the health response ($(wc -c <"$TMP/www/health.json" | tr -d ' ') bytes) as a static file, access_log off"
		echo "- shenliao: \`serve --quiet${SHENLIAO_ARGS:+ $SHENLIAO_ARGS}\` (no access log)"
		echo "- versions:"
		versions | sed 's/^/  - /'
		echo
		table md
		echo
		echo "\"/nginx-static-wN\" is requests/s divided by that nginx row's (worker_processes N)."
		echo "\"errors\" counts wrk socket errors and non-2xx/3xx answers; \"load\" is the 1-minute load average just before the run."
		echo
		echo "Commands (\`make bench\`, i.e. \`sh bench/run.sh\`; \$TMP is the run's temp dir):"
		echo
		echo '```'
		cat "$CMDS"
		echo '```'
	} >"$OUT"
}

# ---- main ------------------------------------------------------------------------------

main() {
	: >"$ROWS"
	: >"$CMDS"
	LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
	make_db
	start_shenliao
	# nginx serves exactly the bytes shenliao answers on /api/v1/health
	mkdir -p "$TMP/www"
	curl -sf -o "$TMP/www/health.json" "$SL_URL/api/v1/health"
	chmod a+rx "$TMP"
	chmod -R a+rX "$TMP/www"
	for w in $NGINX_WORKERS; do
		start_nginx "$w"
	done

	bench_health

	echo
	table text
	write_report
	echo
	echo "bench: wrote $OUT"
}

main "$@"
