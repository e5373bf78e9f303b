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
#   BENCH_ROUNDS         rounds over all targets, interleaved; the table shows each target's
#                        median (default 1)
#   BENCH_NGINX_WORKERS  nginx worker_processes settings to compare (default "1 auto")
#   BENCH_NGINX_EXTRA    extra directives for nginx's http block, e.g.
#                        "open_file_cache max=16; keepalive_requests 100000;" (default none)
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
ROUNDS=${BENCH_ROUNDS:-1}
NGINX_WORKERS=${BENCH_NGINX_WORKERS:-1 auto}
NGINX_EXTRA=${BENCH_NGINX_EXTRA:-}
SHENLIAO_ARGS=${BENCH_SHENLIAO_ARGS:-}
OUT=${BENCH_OUT:-bench/results/health.md}
SHENLIAO=${SHENLIAO:-build/shenliao}
HOST=127.0.0.1

for v in "$DURATION" "$CONNECTIONS" "$WRK_THREADS" "$WARMUP" "$ROUNDS"; do
	case $v in
	'' | *[!0-9]*)
		echo "bench: BENCH_DURATION, BENCH_CONNECTIONS, BENCH_THREADS, BENCH_WARMUP and BENCH_ROUNDS must be whole numbers" >&2
		exit 2
		;;
	esac
done
if [ "$DURATION" -lt 1 ] || [ "$ROUNDS" -lt 1 ] || [ "$CONNECTIONS" -lt 1 ] || [ "$WRK_THREADS" -lt 1 ]; then
	echo "bench: BENCH_DURATION, BENCH_CONNECTIONS, BENCH_THREADS and BENCH_ROUNDS must be at least 1" >&2
	exit 2
fi
for w in $NGINX_WORKERS; do
	case $w in
	auto | [1-9] | [1-9][0-9]) ;;
	*)
		echo "bench: BENCH_NGINX_WORKERS takes numbers from 1 to 99 and \"auto\", not \"$w\"" >&2
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
# one line per wrk run: name url req/s p50-ms p99-ms errors other-cpu-s server-cpu-s requests
# wrk-cpu-s
ROWS=$TMP/rows
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
	elif curl -s -o /dev/null --max-time 1 "http://$HOST:$1/"; then
		return 1
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
# NGINX_URL_<WORKERS> (the static file's URL) and NGINX_PID_<WORKERS> (its master).
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
    $NGINX_EXTRA
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
			eval "NGINX_URL_$w=http://$HOST:$port/health.json NGINX_PID_$w=$pid"
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

CLK_TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)

cpu_ticks() { # cpu_ticks PID...: user+system clock ticks of the PIDs and their children
	for p in "$@"; do
		echo "$p"
		ps -o pid= --ppid "$p" 2>/dev/null || true
	done | while read -r q; do
		cat "/proc/$q/stat" 2>/dev/null || true
	done | awk '{ sub(/^.*\) /, ""); t += $12 + $13 } END { print t + 0 }'
}

busy_ticks() { # clock ticks all CPUs spent busy since boot (every process, and the kernel)
	awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat
}

child_cpu() { # $TMP/times.s: CPU seconds used so far by this shell's finished children
	times >"$TMP/times" # not in a pipe or $(...): a subshell has no children of its own
	awk 'NR == 2 { t = 0
		for (i = 1; i <= 2; i++) { split($i, a, "m"); sub(/s$/, "", a[2]); t += a[1] * 60 + a[2] }
		printf "%.2f", t }' "$TMP/times" >"$TMP/times.s"
}

# bench_url NAME URL [SERVER-PID...]: warm up, run wrk, add a row (req/s, p50, p99, errors,
# and the CPU time the server processes used during the run) to $ROWS.
bench_url() {
	name=$1
	url=$2
	shift 2
	log=$TMP/wrk-$name.txt
	if [ "$WARMUP" -gt 0 ]; then
		wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" "$url" >/dev/null
	fi
	cmd="wrk -t$WRK_THREADS -c$CONNECTIONS -d${DURATION}s --latency $url"
	echo "$cmd" >>"$CMDS"
	printf 'bench: %-22s %s ... ' "$name" "$url" >&2
	b0=$(busy_ticks)
	t0=$(cpu_ticks "$@")
	child_cpu
	w0=$(cat "$TMP/times.s")
	if ! $cmd >"$log" 2>&1; then
		echo "failed; wrk said:" >&2
		cat "$log" >&2
		return 1
	fi
	child_cpu
	w1=$(cat "$TMP/times.s")
	t1=$(cpu_ticks "$@")
	b1=$(busy_ticks)
	cpu=$(awk -v a="$t0" -v b="$t1" -v hz="$CLK_TCK" 'BEGIN { printf "%.2f", (b - a) / hz }')
	wcpu=$(awk -v a="$w0" -v b="$w1" 'BEGIN { printf "%.2f", b - a }')
	# CPU time everything else on the machine took meanwhile: other people's work skews a run
	other=$(awk -v a="$b0" -v b="$b1" -v s="$cpu" -v w="$wcpu" -v hz="$CLK_TCK" \
		'BEGIN { o = (b - a) / hz - s - w; printf "%.2f", o < 0 ? 0 : o }')
	reqs=$(awk '/ requests in / { print $1 }' "$log")
	rps=$(awk '/^Requests\/sec:/ { print $2 }' "$log")
	p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$log")")
	p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$log")")
	# socket errors (connect+read+write+timeout) plus non-2xx/3xx answers
	errs=$(awk '/Socket errors:/ { gsub(",", ""); n += $4 + $6 + $8 + $10 }
		/Non-2xx or 3xx responses:/ { n += $5 }
		END { print n + 0 }' "$log")
	if [ -z "$rps" ]; then
		echo "no requests/s in wrk's output:" >&2
		cat "$log" >&2
		return 1
	fi
	echo "$rps req/s, p50 ${p50} ms, p99 ${p99} ms, errors $errs, CPU s: server $cpu wrk $wcpu other $other" >&2
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$url" "$rps" "$p50" "$p99" "$errs" \
		"$other" "$cpu" "${reqs:-0}" "$wcpu" >>"$ROWS"
}

# ---- benchmarks (add more as functions, call them from main) ----------------------------

bench_health() {
	for w in $NGINX_WORKERS; do
		eval "bench_url nginx-static-w$w \"\$NGINX_URL_$w\" \"\$NGINX_PID_$w\""
	done
	bench_url shenliao-health "$SL_URL/api/v1/health" "$SL_PID"
}

# ---- report -----------------------------------------------------------------------------

# table FORMAT: FORMAT is "text" or "md". One row per target: the median over its runs
# (BENCH_ROUNDS), with the req/s ratio to each nginx static row.
table() {
	awk -F '\t' -v fmt="$1" '
	function median(key, col,    a, i, j, k, t) {
		k = cnt[key]
		for (i = 1; i <= k; i++) a[i] = v[key, i, col] + 0
		for (i = 2; i <= k; i++)
			for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
		return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
	}
	{
		if (!($1 in cnt)) { n++; name[n] = $1; url[$1] = $2 }
		k = ++cnt[$1]
		for (c = 3; c <= 10; c++) v[$1, k, c] = $c
		errs[$1] += $6
		if (!($1 in lo) || $3 + 0 < lo[$1]) lo[$1] = $3 + 0
		if (!($1 in hi) || $3 + 0 > hi[$1]) hi[$1] = $3 + 0
	}
	END {
		for (i = 1; i <= n; i++) {
			t = name[i]
			rps[t] = median(t, 3); p50[t] = median(t, 4); p99[t] = median(t, 5)
			other[t] = median(t, 7) / dur * 100; cpu[t] = median(t, 8)
			# requests per server CPU second, from the summed runs
			rq = 0; cs = 0
			for (k = 1; k <= cnt[t]; k++) { rq += v[t, k, 9]; cs += v[t, k, 8] }
			eff[t] = cs > 0 ? rq / cs : 0
			util[t] = cpu[t] / dur * 100
			wutil[t] = median(t, 10) / dur * 100
			if (t ~ /^nginx-static-/) base[++nb] = t
		}
		hdr = "target|URL|runs|requests/s|min-max req/s|p50 ms|p99 ms|errors|server CPU %|req per CPU-s|wrk CPU %|other CPU %"
		for (b = 1; b <= nb; b++) hdr = hdr "|/" base[b]
		nc = split(hdr, h, "|")
		if (fmt == "md") {
			line = "|"; sep = "|"
			for (i = 1; i <= nc; i++) { line = line " " h[i] " |"; sep = sep (i <= 2 ? "---|" : "---:|") }
			print line; print sep
		} else {
			printf "%-20s %4s %10s %15s %7s %7s %6s %5s %9s %5s %6s", "target", "runs", "req/s", "min-max", "p50 ms", "p99 ms", "errors", "CPU%", "req/CPU-s", "wrk%", "other%"
			for (b = 1; b <= nb; b++) printf " %19s", "/" base[b]
			printf "\n"
		}
		for (i = 1; i <= n; i++) {
			t = name[i]
			range = sprintf("%.0f-%.0f", lo[t], hi[t])
			if (fmt == "md") {
				printf "| %s | %s | %d | %.0f | %s | %.2f | %.2f | %d | %.0f | %.0f | %.0f | %.0f |", t, url[t], cnt[t], rps[t], range, p50[t], p99[t], errs[t], util[t], eff[t], wutil[t], other[t]
				for (b = 1; b <= nb; b++) printf " %.2f |", rps[t] / rps[base[b]]
			} else {
				printf "%-20s %4d %10.0f %15s %7.2f %7.2f %6d %5.0f %9.0f %5.0f %6.0f", t, cnt[t], rps[t], range, p50[t], p99[t], errs[t], util[t], eff[t], wutil[t], other[t]
				for (b = 1; b <= nb; b++) printf " %19.2f", rps[t] / rps[base[b]]
			}
			printf "\n"
		}
	}' dur="$DURATION" "$ROWS"
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
		echo "- load average at start: $LOAD_START"
		echo "- wrk: $WRK_THREADS thread(s), $CONNECTIONS connections, ${DURATION} s (after ${WARMUP} s warm-up), $ROUNDS round(s) over all targets"
		echo "- nginx serves a copy of the health response ($(wc -c <"$TMP/www/health.json" | tr -d ' ') bytes) as a static file, access_log off${NGINX_EXTRA:+, plus \`$NGINX_EXTRA\`}"
		echo "- shenliao: \`serve --quiet${SHENLIAO_ARGS:+ $SHENLIAO_ARGS}\` (no access log)"
		echo "- versions:"
		versions | sed 's/^/  - /'
		echo
		table md
		echo
		echo "Each row is the median over its runs. \"/nginx-static-wN\" is requests/s divided by that"
		echo "nginx row's (worker_processes N). \"errors\" counts wrk socket errors and non-2xx/3xx"
		echo "answers. \"server CPU %\" is the CPU time the server's processes used during a run over"
		echo "its length (200 = both cores); \"req per CPU-s\" is requests per second of that CPU time,"
		echo "which other load on the machine disturbs far less than requests/s. \"wrk CPU %\" is the"
		echo "same for the load generator (near 100 means wrk's one thread, not the server, is the"
		echo "limit). \"other CPU %\" is what everything else on the machine (other people's work, the"
		echo "kernel's own threads) took meanwhile - with $(nproc) CPUs the whole machine is $(($(nproc) * 100)); when it"
		echo "is high, the run was disturbed and its requests/s understate both servers."
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

	r=1
	while [ $r -le "$ROUNDS" ]; do
		[ "$ROUNDS" -gt 1 ] && echo "bench: round $r of $ROUNDS" >&2
		bench_health
		r=$((r + 1))
	done

	echo
	table text
	write_report
	echo
	echo "bench: wrote $OUT"
}

main "$@"
