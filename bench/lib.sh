# shellcheck shell=sh disable=SC2034 # variables set here are read by the scripts
# bench/lib.sh - shared helpers of bench/sessions.sh, bench/stats.sh and bench/votes.sh.
# Sourced, not run. Follows bench/run.sh's approach (free loopback ports, nginx serving a
# static file as the reference, wrk --latency parsed into a table, CPU time of the server
# and of everything else during each run), copied here so run.sh stays its owner's.
#
# A script calls, in order:
#   lib_init NAME "TITLE"        temp dir, traps, settings; report goes to bench/results/NAME.md
#   build_gen_load               compiles bench/gen_load.c into $TMP/gen_load (if needed)
#   make_demo_db FILE            `shenliao demo` with the admin password $ADMIN_PASSWORD
#   start_shenliao FILE [ARGS]   sets SL_PID, SL_URL
#   start_nginx                  sets NGINX_PID, NGINX_URL (a ~1 KB static HTML page)
#   bench_wrk NAME "PIDS" URL [wrk args...]   one measured wrk run -> one table row
#   table text|md, write_report  print / write the table (+ $EXTRA, a Markdown file)
#
# Environment (all scripts):
#   BENCH_DURATION       seconds per measured wrk run (default 10)
#   BENCH_CONNECTIONS    wrk connections (default 64)
#   BENCH_THREADS        wrk threads (default 1)
#   BENCH_WARMUP         seconds of unrecorded warm-up before each run, 0 for none (default 2)
#   BENCH_NGINX_WORKERS  nginx worker_processes (default auto: one per CPU, like shenliao's
#                        worker threads)
#   SHENLIAO             the binary (default build/shenliao; build it with `make`)
# Only loopback addresses are used.

HOST=127.0.0.1
ADMIN_PASSWORD=bench-pass-1
PKGS="libmicrohttpd sqlite3 jansson libsodium md4c-html xlsxwriter pangocairo cairo-pdf libqrencode libcurl libzip libxml-2.0 libpq zlib libbrotlienc libbrotlidec"

lib_init() {
	BENCH_NAME=$1
	BENCH_TITLE=$2
	DURATION=${BENCH_DURATION:-10}
	CONNECTIONS=${BENCH_CONNECTIONS:-64}
	WRK_THREADS=${BENCH_THREADS:-1}
	WARMUP=${BENCH_WARMUP:-2}
	NGINX_WORKERS=${BENCH_NGINX_WORKERS:-auto}
	SHENLIAO=${SHENLIAO:-build/shenliao}
	OUT=${BENCH_OUT:-bench/results/$BENCH_NAME.md}
	for v in "$DURATION" "$CONNECTIONS" "$WRK_THREADS" "$WARMUP"; do
		case $v in
		'' | *[!0-9]*)
			echo "bench: BENCH_DURATION, BENCH_CONNECTIONS, BENCH_THREADS and BENCH_WARMUP must be whole numbers" >&2
			exit 2
			;;
		esac
	done
	if [ "$DURATION" -lt 1 ] || [ "$CONNECTIONS" -lt 1 ] || [ "$WRK_THREADS" -lt 1 ]; then
		echo "bench: BENCH_DURATION, BENCH_CONNECTIONS and BENCH_THREADS must be at least 1" >&2
		exit 2
	fi
	case $NGINX_WORKERS in
	auto | [1-9] | [1-9][0-9]) ;;
	*)
		echo "bench: BENCH_NGINX_WORKERS takes a number from 1 to 99 or \"auto\"" >&2
		exit 2
		;;
	esac
	for tool in wrk nginx curl cc pkg-config "$SHENLIAO"; do
		if ! command -v "$tool" >/dev/null 2>&1 && [ ! -x "$tool" ]; then
			echo "bench: $tool not found (\`make\` builds shenliao; apt-get install wrk nginx-light curl)" >&2
			exit 1
		fi
	done
	TMP=$(mktemp -d "${TMPDIR:-/tmp}/shenliao-bench-$BENCH_NAME.XXXXXX")
	# run a copy: others may rebuild build/ while this runs, and one run must measure one
	# build. The library (for gen_load) and generated headers are copied with it.
	SHENLIAO_SRC=$SHENLIAO
	BUILD_DIR=$(dirname "$SHENLIAO")
	mkdir -p "$TMP/bin"
	cp "$SHENLIAO" "$TMP/bin/shenliao"
	[ -f "$BUILD_DIR/libshenliao.a" ] && cp "$BUILD_DIR/libshenliao.a" "$TMP/bin/libshenliao.a"
	[ -d "$BUILD_DIR/gen" ] && cp -r "$BUILD_DIR/gen" "$TMP/bin/gen"
	SHENLIAO=$TMP/bin/shenliao
	BIN_SHA=$(sha256sum "$SHENLIAO" | cut -c1-12)
	BIN_TIME=$(date -u -r "$SHENLIAO_SRC" '+%Y-%m-%d %H:%M:%S UTC')
	GIT_HEAD=$(git log -1 --format='%h %ci %s' 2>/dev/null | cut -c1-100 || echo "?")
	GIT_DIRTY=$(git status --porcelain --untracked-files=no -- src templates static migrations i18n 2>/dev/null | wc -l | tr -d ' ')
	SL_PID=""
	NGINX_PID=""
	ROWS=$TMP/rows     # one line per wrk run, see bench_wrk
	CMDS=$TMP/commands # the commands run, for the report
	EXTRA=$TMP/extra.md
	: >"$ROWS"
	: >"$CMDS"
	: >"$EXTRA"
	LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
	T_START=$(date +%s)
	trap lib_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

note_cmd() { # note_cmd TEXT: record a command for the report
	echo "$*" >>"$CMDS"
}

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

lib_cleanup() {
	set +e
	[ -n "$NGINX_PID" ] && stop_pid "$NGINX_PID" QUIT
	[ -n "$SL_PID" ] && stop_pid "$SL_PID" TERM
	[ -n "${BENCH_KEEP:-}" ] && echo "bench: kept $TMP" >&2 && return
	rm -rf "$TMP"
}

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

# build_gen_load: compile the data loader against build/libshenliao.a (libraries after the
# archive, which needs them). Sets GEN_LOAD.
build_gen_load() {
	GEN_LOAD=$TMP/gen_load
	lib=$TMP/bin/libshenliao.a
	if [ ! -f "$lib" ]; then
		echo "bench: $lib not found (run \`make\`)" >&2
		exit 1
	fi
	# shellcheck disable=SC2046,SC2086 # pkg-config and PKGS are lists of words
	cc -std=c17 -O2 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Isrc -I"$TMP/bin/gen" \
		$(pkg-config --cflags $PKGS) -o "$GEN_LOAD" bench/gen_load.c "$lib" \
		$(pkg-config --libs $PKGS) -lpthread -lm
	note_cmd "cc -std=c17 -O2 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Isrc -Ibuild/gen \$(pkg-config --cflags $PKGS) -o \$TMP/gen_load bench/gen_load.c build/libshenliao.a \$(pkg-config --libs $PKGS) -lpthread -lm"
}

make_demo_db() { # make_demo_db FILE
	SHENLIAO_ADMIN_PASSWORD=$ADMIN_PASSWORD "$SHENLIAO" demo --db "$1" --quiet \
		>"$TMP/demo.log" 2>&1 || {
		cat "$TMP/demo.log" >&2
		return 1
	}
	note_cmd "SHENLIAO_ADMIN_PASSWORD=$ADMIN_PASSWORD $SHENLIAO_SRC demo --db \$TMP/$(basename "$1") --quiet"
}

start_shenliao() { # start_shenliao DB [ARGS...]: sets SL_PID, SL_PORT, SL_URL
	db=$1
	shift
	try=0
	while [ $try -lt 5 ]; do
		SL_PORT=$(pick_port)
		"$SHENLIAO" serve --db "$db" --listen "$HOST:$SL_PORT" --quiet "$@" \
			>"$TMP/shenliao.log" 2>&1 &
		SL_PID=$!
		SL_URL=http://$HOST:$SL_PORT
		if wait_http "$SL_URL/api/v1/health" "$SL_PID" "$TMP/shenliao.log"; then
			note_cmd "$SHENLIAO_SRC serve --db \$TMP/$(basename "$db") --listen $HOST:$SL_PORT --quiet${*:+ $*}"
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

stop_shenliao() {
	[ -n "$SL_PID" ] && stop_pid "$SL_PID" TERM
	SL_PID=""
}

# write_static_page: a ~1 KB HTML page, the size of a small real page, for nginx to serve
write_static_page() {
	mkdir -p "$TMP/www"
	cat >"$TMP/www/page.html" <<'EOF'
<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>深聊会 · 深圳市政协</title>
<link rel="stylesheet" href="/static/app.css">
</head>
<body>
<header><a href="/">深聊会</a> <nav><a href="/sessions">深聊会</a> <a href="/topics">议题</a> <a href="/search">搜索</a></nav></header>
<main>
<h1>对因生育影响职业的妇女提供职业帮助</h1>
<p>2024年7月10日 14:30 · 市政协机关三楼会议室 · 妇联界别</p>
<p>在生育率持续走低的背景下，女性因生育面临的职业问题成为社会各界关注的焦点。围绕政策支持、法律保障、企业责任、社会观念等层面深入协商。</p>
<ul>
<li>建立育后岗位保留制度</li>
<li>延长男性产假</li>
<li>将“妈妈岗”从传统领域推广到新兴领域</li>
</ul>
</main>
<footer>深圳市政协 · 深聊会</footer>
</body>
</html>
EOF
	chmod a+rx "$TMP"
	chmod -R a+rX "$TMP/www"
}

# start_nginx: an nginx with worker_processes $NGINX_WORKERS serving $TMP/www; sets
# NGINX_PID, NGINX_URL (the static page's URL).
start_nginx() {
	write_static_page
	dir=$TMP/nginx
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
# written by bench/lib.sh: the smallest setup that serves one static file
$user_line
daemon off;
worker_processes $NGINX_WORKERS;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events {
    worker_connections $wconn;
}
http {
    access_log off;
    types { }
    default_type text/html;
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
		if wait_http "http://$HOST:$port/page.html" "$pid" "$dir/error.log"; then
			NGINX_PID=$pid
			NGINX_URL=http://$HOST:$port/page.html
			note_cmd "nginx -p \$TMP/nginx -e \$TMP/nginx/error.log -c \$TMP/nginx/nginx.conf   # worker_processes $NGINX_WORKERS; listen $HOST:$port; serves page.html ($(wc -c <"$TMP/www/page.html" | tr -d ' ') bytes)"
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

to_ms() { # wrk's "1.23ms", "850.00us", "1.02s", "1.5m" -> milliseconds
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

thread_ticks() { # thread_ticks PID...: "tid ticks" for every thread of the PIDS and their children
	for p in "$@"; do
		echo "$p"
		ps -o pid= --ppid "$p" 2>/dev/null || true
	done | while read -r q; do
		cat /proc/"$q"/task/*/stat 2>/dev/null || true
	done | awk '{ tid = $1; sub(/^.*\) /, ""); print tid, $12 + $13 }'
}

# thread_split BEFORE AFTER: the CPU seconds of the busiest threads during the run, e.g.
# "4.9+4.8" (two worker threads sharing the load) or "9.8+0.0" (one thread doing it all)
thread_split() {
	awk -v hz="$CLK_TCK" 'FNR == NR { a[$1] = $2; next }
		{ d = $2 - a[$1]; if (d > 0) v[++n] = d }
		END { for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j - 1] < v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
			s = ""; for (i = 1; i <= n && i <= 3; i++) s = s (i > 1 ? "+" : "") sprintf("%.1f", v[i] / hz)
			print (s == "" ? "-" : s) }' "$1" "$2"
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

# bench_wrk NAME "PIDS" URL [WRK-ARGS...]: warm up, run wrk --latency with the extra
# arguments (-s script, -H header), add a row to $ROWS. BW_C, BW_T and BW_WARMUP, when
# set, replace the connections, threads and warm-up seconds for this run. The row:
# name url req/s p50 p90 p99 max requests non-2xx socket-errors seconds server-cpu-s
# wrk-cpu-s other-cpu-s bytes-per-response
bench_wrk() {
	name=$1
	pids=$2
	url=$3
	shift 3
	log=$TMP/wrk-$name.txt
	bc=${BW_C:-$CONNECTIONS}
	bt=${BW_T:-$WRK_THREADS}
	bw=${BW_WARMUP:-$WARMUP}
	[ "$bt" -gt "$bc" ] && bt=$bc
	if [ "$bw" -gt 0 ]; then
		wrk -t"$bt" -c"$bc" -d"${bw}s" "$@" "$url" >/dev/null 2>&1 || true
	fi
	printf 'wrk -t%s -c%s -d%ss --latency' "$bt" "$bc" "$DURATION" >>"$CMDS"
	for a in "$@"; do
		case $a in
		*" "* | *'"'*) printf " '%s'" "$a" >>"$CMDS" ;;
		*) printf ' %s' "$a" >>"$CMDS" ;;
		esac
	done
	printf ' %s\n' "$url" >>"$CMDS"
	printf 'bench: %-24s %s ... ' "$name" "$url" >&2
	b0=$(busy_ticks)
	# shellcheck disable=SC2086 # a list of pids
	t0=$(cpu_ticks $pids)
	# shellcheck disable=SC2086
	thread_ticks $pids >"$TMP/threads0"
	child_cpu
	w0=$(cat "$TMP/times.s")
	if ! wrk -t"$bt" -c"$bc" -d"${DURATION}s" --latency "$@" "$url" >"$log" 2>&1; then
		echo "failed; wrk said:" >&2
		cat "$log" >&2
		return 1
	fi
	child_cpu
	w1=$(cat "$TMP/times.s")
	# shellcheck disable=SC2086
	t1=$(cpu_ticks $pids)
	# shellcheck disable=SC2086
	thread_ticks $pids >"$TMP/threads1"
	b1=$(busy_ticks)
	split=$(thread_split "$TMP/threads0" "$TMP/threads1")
	cpu=$(awk -v a="$t0" -v b="$t1" -v hz="$CLK_TCK" 'BEGIN { printf "%.2f", (b - a) / hz }')
	wcpu=$(awk -v a="$w0" -v b="$w1" 'BEGIN { printf "%.2f", b - a }')
	other=$(awk -v a="$b0" -v b="$b1" -v s="$cpu" -v w="$wcpu" -v hz="$CLK_TCK" \
		'BEGIN { o = (b - a) / hz - s - w; printf "%.2f", o < 0 ? 0 : o }')
	reqs=$(awk '/ requests in / { print $1 }' "$log")
	secs=$(awk '/ requests in / { v = $4; sub(/,$/, "", v); print v }' "$log")
	secs=$(to_ms "$secs" | awk '{ printf "%.3f", $1 / 1000 }')
	rps=$(awk '/^Requests\/sec:/ { print $2 }' "$log")
	p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$log")")
	p90=$(to_ms "$(awk '$1 == "90%" { print $2 }' "$log")")
	p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$log")")
	max=$(to_ms "$(awk '$1 == "Latency" && NF >= 4 { print $4; exit }' "$log")")
	non2xx=$(awk '/Non-2xx or 3xx responses:/ { n += $5 } END { print n + 0 }' "$log")
	sockerr=$(awk '/Socket errors:/ { gsub(",", ""); n += $4 + $6 + $8 + $10 } END { print n + 0 }' "$log")
	bpr=$(awk -v r="$rps" '/^Transfer\/sec:/ { v = $2 + 0
		if ($2 ~ /KB$/) v *= 1024; else if ($2 ~ /MB$/) v *= 1048576; else if ($2 ~ /GB$/) v *= 1073741824
		printf "%.0f", (r > 0 ? v / r : 0) }' "$log")
	if [ -z "$rps" ]; then
		echo "no requests/s in wrk's output:" >&2
		cat "$log" >&2
		return 1
	fi
	echo "$rps req/s, p50 ${p50} ms, p99 ${p99} ms, non-2xx $non2xx, socket errors $sockerr, ${bpr} B/resp, CPU s: server $cpu (busiest threads $split) wrk $wcpu other $other" >&2
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$url" "$rps" \
		"$p50" "$p90" "$p99" "$max" "${reqs:-0}" "$non2xx" "$sockerr" "$secs" "$cpu" "$wcpu" \
		"$other" "${bpr:-0}" "$split" >>"$ROWS"
	LAST_REQS=${reqs:-0}
	LAST_NON2XX=$non2xx
	LAST_SECS=$secs
}

# pctl FILE: "n median p90 p99 max mean" of the numbers (ms) in FILE's first column
pctl() {
	sort -g "$1" | awk '{ v[++n] = $1; s += $1 }
	function at(q,   k) { k = int(q * n + 0.999999); if (k < 1) k = 1; if (k > n) k = n; return v[k] }
	END { if (!n) { print "0 0 0 0 0 0"; exit }
		printf "%d %.2f %.2f %.2f %.2f %.2f\n", n, at(0.5), at(0.9), at(0.99), v[n], s / n }'
}

# ---- report -----------------------------------------------------------------------------

# table FORMAT ("text" or "md"): one row per wrk run; the ratios are against the first row
# whose name starts with "nginx".
table() {
	awk -F '\t' -v fmt="$1" -v dur="$DURATION" '
	{ n++; for (c = 1; c <= 16; c++) v[n, c] = $c
	  if (!ref && $1 ~ /^nginx/) ref = n }
	function r(x) { return x >= 100 ? sprintf("%.0f", x) : sprintf("%.1f", x) }
	END {
		hdr = "target|URL|req/s|2xx/s|p50 ms|p90 ms|p99 ms|max ms|non-2xx|socket errors|KB/resp|server CPU %|busiest threads CPU s|req per CPU-s|wrk CPU %|other CPU %|req/s ÷ nginx|p99 ÷ nginx"
		nc = split(hdr, h, "|")
		if (fmt == "md") {
			line = "|"; sep = "|"
			for (i = 1; i <= nc; i++) { line = line " " h[i] " |"; sep = sep (i <= 2 ? "---|" : "---:|") }
			print line; print sep
		} else {
			printf "%-22s %9s %9s %8s %8s %8s %8s %7s %6s %7s %5s %-13s %9s %5s %6s %8s %8s\n", "target", "req/s", "2xx/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "non2xx", "sockerr", "KB/resp", "CPU%", "threads CPU s", "req/CPU-s", "wrk%", "other%", "rps/ngx", "p99/ngx"
		}
		for (i = 1; i <= n; i++) {
			secs = v[i, 11] > 0 ? v[i, 11] : dur
			ok = (v[i, 8] - v[i, 9]) / secs
			cpu = v[i, 12] / dur * 100
			eff = v[i, 12] > 0 ? v[i, 8] / v[i, 12] : 0
			wcpu = v[i, 13] / dur * 100
			oth = v[i, 14] / dur * 100
			kb = v[i, 15] / 1024
			rr = ref ? v[i, 3] / v[ref, 3] : 0
			pr = ref && v[ref, 6] > 0 ? v[i, 6] / v[ref, 6] : 0
			if (fmt == "md")
				printf "| %s | %s | %s | %s | %.2f | %.2f | %.2f | %.2f | %d | %d | %.1f | %.0f | %s | %.0f | %.0f | %.0f | %.3f | %.1f |\n", v[i, 1], v[i, 2], r(v[i, 3]), r(ok), v[i, 4], v[i, 5], v[i, 6], v[i, 7], v[i, 9], v[i, 10], kb, cpu, v[i, 16], eff, wcpu, oth, rr, pr
			else
				printf "%-22s %9s %9s %8.2f %8.2f %8.2f %8.2f %7d %6d %7.1f %5.0f %-13s %9.0f %5.0f %6.0f %8.3f %8.1f\n", v[i, 1], r(v[i, 3]), r(ok), v[i, 4], v[i, 5], v[i, 6], v[i, 7], v[i, 9], v[i, 10], kb, cpu, v[i, 16], eff, wcpu, oth, rr, pr
		}
	}' "$ROWS"
}

versions() {
	nginx -v 2>&1 | head -n 1
	wrk -v 2>&1 | head -n 1 | sed 's/ *Copyright.*//' || true
	echo "$("$SHENLIAO" --version 2>&1 | head -n 1): build/shenliao built $BIN_TIME, sha256 $BIN_SHA…; git HEAD $GIT_HEAD; $GIT_DIRTY modified tracked files under src/ templates/ static/ migrations/ i18n/"
	echo "SQLite $(pkg-config --modversion sqlite3 2>/dev/null), libmicrohttpd $(pkg-config --modversion libmicrohttpd 2>/dev/null), $(cc --version 2>/dev/null | head -n 1)"
	uname -srm
}

table_legend() {
	cat <<EOF
"req/s" is wrk's rate over all answers; "2xx/s" counts only answers with a 2xx/3xx status
(wrk's "Non-2xx or 3xx responses" subtracted). Latencies are wrk's (--latency, coordinated
omission uncorrected: each connection waits for its answer). "KB/resp" is wrk's transfer
rate over its request rate (headers included). "server CPU %" is the CPU time the server's
processes used during the run over its length (200 = both cores); "busiest threads CPU s" splits that time over the server's
busiest threads (for shenliao its libmicrohttpd workers: "9.8+0.0" means one worker thread
served every connection while the other idled); "req per CPU-s" is
requests per second of that CPU time, which other load on the machine disturbs far less than
requests/s. "wrk CPU %" is the load generator's (wrk shares the $(nproc) cores). "other CPU %"
is what everything else on the machine took meanwhile (other people's work, the kernel's own
threads): when it is high, the run was disturbed. The ratios divide by the nginx row
(static ~1 KB HTML file).
EOF
}

write_report() {
	mkdir -p "$(dirname "$OUT")"
	{
		echo "## $BENCH_TITLE"
		echo
		echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'), whole script $(($(date +%s) - T_START)) s"
		echo "- machine: nproc $(nproc), memory $(free -h 2>/dev/null | awk '/^Mem:/ { print $2 }'), $(uname -srm)"
		echo "- load average at start: $LOAD_START"
		echo "- wrk: $WRK_THREADS thread(s), $CONNECTIONS connections, ${DURATION} s per run (after ${WARMUP} s warm-up), unless a command below says otherwise"
		echo "- nginx: worker_processes $NGINX_WORKERS, access_log off, serving a $(wc -c <"$TMP/www/page.html" | tr -d ' ')-byte static HTML file"
		echo "- shenliao: \`serve --quiet\` (no access log), worker threads: one per CPU; the run uses a copy of build/shenliao (and build/libshenliao.a for gen_load) taken at its start, shown below as build/"
		echo "- versions:"
		versions | sed 's/^/  - /'
		echo
		table md
		echo
		table_legend
		echo
		cat "$EXTRA"
		echo
		echo "Commands (\$TMP is the run's temp dir):"
		echo
		echo '```'
		cat "$CMDS"
		echo '```'
	} >"$OUT"
}

# pick_session_page URL: "ID N" of the public 2024 session whose page the benchmarks load
# (the first with at least 15 remarks, else the one with most), asked of the server at URL.
pick_session_page() {
	curl -sf "$1/api/v1/sessions?year=2024&limit=100" | $PY -c '
import json, sys, urllib.request
base = sys.argv[1]
best = None
for s in json.load(sys.stdin)["items"]:
    if s["visibility"] != "public":
        continue
    d = json.load(urllib.request.urlopen(base + "/api/v1/sessions/%d" % s["id"]))
    n = len(d.get("remarks") or [])
    if n >= 15:
        best = (s["id"], n)
        break
    if best is None or n > best[1]:
        best = (s["id"], n)
print("%d %d" % best)' "$1"
}

# open_vote_room N TEXT: opens the room of the first public session that still takes votes
# (not closed or archived) to anonymous participants and posts N statements "第k条：TEXT",
# as the organizer whose "$AUTH" header the caller set; sets and exports SID and
# BENCH_STATEMENTS (the statement ids, comma-separated) and notes the commands.
open_vote_room() {
	SID=$(curl -sf "$SL_URL/api/v1/sessions?limit=500" | $PY -c '
import json, sys
for s in json.load(sys.stdin)["items"]:
    if s["visibility"] == "public" and s["status"] not in ("closed", "archived"):
        print(s["id"]); break')
	[ -n "$SID" ] || {
		echo "bench: no public session that takes votes in the demo data" >&2
		exit 1
	}
	curl -sf -X POST -H "$AUTH" -H "Content-Type: application/json" -d '{"anonymous":true}' \
		"$SL_URL/api/v1/sessions/$SID/room" >/dev/null
	note_cmd "curl -X POST -H 'Authorization: Bearer \$TOKEN' -H 'Content-Type: application/json' -d '{\"anonymous\":true}' \$SL_URL/api/v1/sessions/$SID/room"
	BENCH_STATEMENTS=""
	_k=1
	while [ "$_k" -le "$1" ]; do
		_id=$(curl -sf -X POST -H "$AUTH" -H "Content-Type: application/json" \
			-d "{\"text\":\"第${_k}条：$2\"}" \
			"$SL_URL/api/v1/sessions/$SID/statements" | sed -n 's/^{"id":\([0-9]*\),.*/\1/p')
		[ -n "$_id" ] || {
			echo "bench: could not post statement $_k" >&2
			exit 1
		}
		BENCH_STATEMENTS="$BENCH_STATEMENTS${BENCH_STATEMENTS:+,}$_id"
		_k=$((_k + 1))
	done
	note_cmd "$1 x curl -X POST -H 'Authorization: Bearer \$TOKEN' -H 'Content-Type: application/json' -d '{\"text\":\"第N条：…\"}' \$SL_URL/api/v1/sessions/$SID/statements"
	export SID BENCH_STATEMENTS
}

# bench_size DEFAULT: NSESSIONS and NREMARKS of BENCH_SIZE (or DEFAULT when unset): "small"
# 1,000 sessions and 20,000 remarks, "large" 10,000 and 200,000
bench_size() {
	case ${BENCH_SIZE:-$1} in
	small) NSESSIONS=1000 NREMARKS=20000 ;;
	large) NSESSIONS=10000 NREMARKS=200000 ;;
	*)
		echo "bench: BENCH_SIZE is small or large" >&2
		exit 2
		;;
	esac
}
