#!/bin/sh
# bench/sessions.sh - session list and public session page throughput (wrk) with 10,000
# sessions and 200,000 remarks in the database, beside the nginx reference, and search
# latency (median, p99) over that data. Aims: page p99 under 10 ms; search p99 under 50 ms;
# issue 14: the public session page at 0.5x (aim 0.8x) nginx serving the same bytes, the list
# at 0.3x, the organizer's p99 under 100 ms while the public load runs.
#
# One run: a demo database in a temp dir, loaded by bench/gen_load.c (--mode sessions);
# shenliao and nginx (a ~1 KB static HTML file) on free loopback ports; wrk --latency on
#   nginx's static file (the reference),
#   /sessions?year=2024                      the public list page (anonymous),
#   /api/v1/sessions?year=2024&limit=50      the JSON list,
#   /sessions/{id}                           a public 2024 session's page as a signed-out
#                                            visitor gets it (kept by web/pagecache.c), as
#                                            sent, gzip-compressed, and 304 on If-None-Match,
#   nginx serving the same bytes             each of these pages saved as a static file,
#   the organizer's session page             signed in, 2 connections, alone and while 64
#                                            connections load the public page,
#   the public page while it changes         the admin changes it every 0.1 s meanwhile,
#   /api/v1/search?q=...                     rotating over the query list (bench/search.lua);
# then search latency: BENCH_SEARCH_REQUESTS sequential requests (curl, one at a time, a new
# connection each) over the query list, and as many to nginx's static file for reference.
# Prints a table, writes bench/results/sessions.md, stops everything, removes the temp dir.
#
# Environment: see bench/lib.sh (BENCH_DURATION, BENCH_CONNECTIONS, BENCH_THREADS,
# BENCH_WARMUP, BENCH_NGINX_WORKERS, SHENLIAO, BENCH_OUT), and
#   BENCH_SESSIONS         sessions to load (default 10000)
#   BENCH_REMARKS          remarks to load (default 200000)
#   BENCH_SEARCH_REQUESTS  sequential search requests (default 240)
#   BENCH_KEEP             keep the temp dir (database) when set
set -eu

cd "$(dirname "$0")/.."
. bench/lib.sh

lib_init sessions "Sessions, session pages and search with 10,000 sessions and 200,000 remarks, beside nginx"

NSESSIONS=${BENCH_SESSIONS:-10000}
NREMARKS=${BENCH_REMARKS:-200000}
NSEARCH=${BENCH_SEARCH_REQUESTS:-240}
PY=/usr/bin/python3

# Two-character words and phrases: theme words (生育, 海洋, 托育 ... occur in a few percent
# of the remarks), very common words (发展, 问题: a third and nine tenths of them), rare ones,
# multi-word queries, and a word that is in no remark.
BENCH_QUERIES="生育|海洋|托育|养老|教育|医疗|住房|交通|停车|港口|航运|无人机|营商环境|人工智能|低空经济|托育服务|海洋经济|居家养老|公园城市|垃圾分类|碳达峰|妈妈岗|红树林|直饮水|夜间经济|知识产权|城中村|涉外法治|深圳|鹏城|大湾区|发展|问题|企业|生育 就业|海洋 新能源|养老 社区|学位 教师|交通 拥堵|量子计算"
export BENCH_QUERIES

# ---- data ------------------------------------------------------------------------------

DB=$TMP/sessions.db
build_gen_load
make_demo_db "$DB"
echo "bench: loading $NSESSIONS sessions and $NREMARKS remarks ..." >&2
LOAD_T0=$(date +%s.%N)
"$GEN_LOAD" --db "$DB" --mode sessions --sessions "$NSESSIONS" --remarks "$NREMARKS" >"$TMP/gen.log"
LOAD_T1=$(date +%s.%N)
cat "$TMP/gen.log" >&2
note_cmd "\$TMP/gen_load --db \$TMP/sessions.db --mode sessions --sessions $NSESSIONS --remarks $NREMARKS"
sync # the loader's writes reach the disk now, not during the measurements
DBSIZE=$(du -m "$DB" | cut -f1)

start_shenliao "$DB"
start_nginx

# a public 2024 session with remarks (the first generated one with at least 15)
SID=$(pick_session_page "$SL_URL")
NREM_PAGE=${SID#* }
SID=${SID% *}
echo "bench: session page /sessions/$SID ($NREM_PAGE remarks)" >&2

# ---- throughput --------------------------------------------------------------------------

# the public pages' own bytes for nginx to serve beside them (issue 14: "nginx serving a
# static file of the same size"): the session page as sent and gzip-compressed, the list page
NGINX_BASE=${NGINX_URL%/page.html}
curl -sf -o "$TMP/www/session.html" "$SL_URL/sessions/$SID"
curl -sf -H 'Accept-Encoding: gzip' -o "$TMP/www/session.html.gz" "$SL_URL/sessions/$SID"
curl -sf -o "$TMP/www/list.html" "$SL_URL/sessions?year=2024"
chmod a+r "$TMP/www/"*
PAGE_BYTES=$(wc -c <"$TMP/www/session.html" | tr -d ' ')
PAGE_GZ_BYTES=$(wc -c <"$TMP/www/session.html.gz" | tr -d ' ')
LIST_BYTES=$(wc -c <"$TMP/www/list.html" | tr -d ' ')
note_cmd "curl -sf -o \$TMP/www/session.html \$SL_URL/sessions/$SID   # $PAGE_BYTES bytes; with -H 'Accept-Encoding: gzip' into session.html.gz ($PAGE_GZ_BYTES bytes); /sessions?year=2024 into list.html ($LIST_BYTES bytes)"

bench_wrk nginx-static "$NGINX_PID" "$NGINX_URL"
bench_wrk nginx-list-bytes "$NGINX_PID" "$NGINX_BASE/list.html"
bench_wrk sessions-page-2024 "$SL_PID" "$SL_URL/sessions?year=2024"
bench_wrk api-sessions-2024 "$SL_PID" "$SL_URL/api/v1/sessions?year=2024&limit=50"
bench_wrk nginx-page-bytes "$NGINX_PID" "$NGINX_BASE/session.html"
bench_wrk session-page "$SL_PID" "$SL_URL/sessions/$SID"
bench_wrk nginx-page-gzip-bytes "$NGINX_PID" "$NGINX_BASE/session.html.gz"
bench_wrk session-page-gzip "$SL_PID" "$SL_URL/sessions/$SID" -H 'Accept-Encoding: gzip'
bench_wrk session-page-304 "$SL_PID" "$SL_URL/sessions/$SID" \
	-H "If-None-Match: $(curl -sf -D - -o /dev/null "$SL_URL/sessions/$SID" | tr -d '\r' | awk 'tolower($1) == "etag:" { print $2 }')"
# the same page with 2 connections: its latency without waiting behind 63 others
BW_C=2
bench_wrk session-page-c2 "$SL_PID" "$SL_URL/sessions/$SID"
BW_C=""

# ---- the organizer while the public load runs ---------------------------------------------
# An organizer signed in (cookie) reads the session page (their view: the record, the
# controls; never cached) over 2 connections, first alone, then while 64 other connections
# load the public page; the aim is p99 under 100 ms.
curl -sf -c "$TMP/jar" -H 'Content-Type: application/json' \
	-d '{"username":"organizer","password":"shenliao-demo"}' "$SL_URL/api/v1/login" >/dev/null
ORG_COOKIE=$(awk '$6 == "sl_session" { print "sl_session=" $7 }' "$TMP/jar")
note_cmd "curl -sf -c \$TMP/jar -H 'Content-Type: application/json' -d '{\"username\":\"organizer\",\"password\":\"shenliao-demo\"}' \$SL_URL/api/v1/login   # the organizer's sl_session cookie"
BW_C=2
bench_wrk organizer-alone "$SL_PID" "$SL_URL/sessions/$SID" -H "Cookie: $ORG_COOKIE"
wrk -t1 -c"$CONNECTIONS" -d"$((DURATION + WARMUP + 2))s" "$SL_URL/sessions/$SID" >"$TMP/public-load.txt" 2>&1 &
LOAD_PID=$!
note_cmd "wrk -t1 -c$CONNECTIONS -d$((DURATION + WARMUP + 2))s $SL_URL/sessions/$SID &   # the public load, in the background during the next run"
sleep 1
bench_wrk organizer-under-public-load "$SL_PID" "$SL_URL/sessions/$SID" -H "Cookie: $ORG_COOKIE"
BW_C=""
wait "$LOAD_PID" || true
PUBLIC_RPS=$(awk '/^Requests\/sec:/ { print $2 }' "$TMP/public-load.txt")

# ---- the public page while it changes ------------------------------------------------------
# The admin changes the session (its venue: shown on the page) ten times a second while 64
# connections load the public page: each change is one render (the others wait for it), the
# rest are served from the cache; the writes are counted.
curl -sf -c "$TMP/jar-admin" -H 'Content-Type: application/json' \
	-d "{\"username\":\"admin\",\"password\":\"$ADMIN_PASSWORD\"}" "$SL_URL/api/v1/login" >"$TMP/admin-login.json"
ADMIN_CSRF=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["csrf_token"])' "$TMP/admin-login.json")
(
	k=0
	end=$(($(date +%s) + DURATION + WARMUP + 2))
	while [ "$(date +%s)" -lt "$end" ]; do
		curl -s -o /dev/null -w '%{http_code}\n' -b "$TMP/jar-admin" -X PATCH -H 'Content-Type: application/json' \
			-H "X-CSRF-Token: $ADMIN_CSRF" -d "{\"venue\":\"会场 $k\"}" "$SL_URL/api/v1/sessions/$SID"
		k=$((k + 1))
		sleep 0.1
	done >"$TMP/writes.txt"
) &
WRITER_PID=$!
note_cmd "every 0.1 s while the next run lasts: curl -X PATCH -b \$TMP/jar-admin -H 'X-CSRF-Token: …' -d '{\"venue\":\"会场 k\"}' \$SL_URL/api/v1/sessions/$SID   # the admin, signed in"
sleep 1
bench_wrk session-page-while-changing "$SL_PID" "$SL_URL/sessions/$SID"
wait "$WRITER_PID" || true
WRITES_OK=$(grep -c '^200$' "$TMP/writes.txt" || true)
WRITES_ALL=$(wc -l <"$TMP/writes.txt" | tr -d ' ')
LAST_VENUE=$(curl -sf "$SL_URL/sessions/$SID" | grep -o '会场 [0-9]*' | head -1)
bench_wrk api-search-rotating "$SL_PID" "$SL_URL/api/v1/search" -s bench/search.lua

# ---- search latency, one request at a time -------------------------------------------------

echo "bench: $NSEARCH sequential search requests ..." >&2
: >"$TMP/search.txt"
: >"$TMP/nginx-seq.txt"
nq=$(echo "$BENCH_QUERIES" | awk -F'|' '{ print NF }')
# one unrecorded pass, then the recorded ones
i=0
while [ $i -lt $((nq + NSEARCH)) ]; do
	q=$(echo "$BENCH_QUERIES" | awk -F'|' -v k=$((i % nq + 1)) '{ print $k }')
	r=$(curl -s -o "$TMP/search.json" -w '%{http_code} %{time_total}' -G \
		--data-urlencode "q=$q" "$SL_URL/api/v1/search")
	if [ $i -ge "$nq" ]; then
		hits=$($PY -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["results"]))' \
			"$TMP/search.json" 2>/dev/null || echo "?")
		echo "$r $hits $q" | awk '{ q = $4; for (k = 5; k <= NF; k++) q = q " " $k
			printf "%.3f\t%s\t%s\t%s\n", $2 * 1000, $1, $3, q }' >>"$TMP/search.txt"
	fi
	i=$((i + 1))
done
i=0
while [ $i -lt "$NSEARCH" ]; do
	curl -s -o /dev/null -w '%{time_total}\n' "$NGINX_URL" |
		awk '{ printf "%.3f\n", $1 * 1000 }' >>"$TMP/nginx-seq.txt"
	i=$((i + 1))
done
note_cmd "for each of $NSEARCH requests (the query list in turn, after one unrecorded pass): curl -s -o out.json -w '%{http_code} %{time_total}' -G --data-urlencode \"q=\$q\" \$SL_URL/api/v1/search"
note_cmd "for each of $NSEARCH requests: curl -s -o /dev/null -w '%{time_total}' \$NGINX_URL"
bad=$(awk -F'\t' '$2 != 200' "$TMP/search.txt" | wc -l | tr -d ' ')
cut -f1 "$TMP/search.txt" >"$TMP/search.ms"
# shellcheck disable=SC2046 # pctl prints the numbers as words
set -- $(pctl "$TMP/search.ms")
S_N=$1 S_MED=$2 S_P90=$3 S_P99=$4 S_MAX=$5 S_MEAN=$6
# shellcheck disable=SC2046
set -- $(pctl "$TMP/nginx-seq.txt")
N_N=$1 N_MED=$2 N_P90=$3 N_P99=$4 N_MAX=$5 N_MEAN=$6

# remarks containing each query's words (LIKE over the remark table; the FTS index itself
# needs our tokenizer), to show what the latency depends on
$PY - "$DB" "$BENCH_QUERIES" >"$TMP/counts.txt" <<'EOF'
import sqlite3, sys
c = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
for q in sys.argv[2].split("|"):
    cond = " AND ".join(["instr(body, ?) > 0"] * len(q.split()))
    n = c.execute("SELECT COUNT(*) FROM remark WHERE " + cond, q.split()).fetchone()[0]
    print("%s\t%d" % (q, n))
EOF

per_query() { # FORMAT: per query: remarks containing it, results, median and max ms
	awk -F'\t' -v fmt="$1" '
	FILENAME == ARGV[1] { cnt[$1] = $2; next }
	{ q = $4; n[q]++; v[q, n[q]] = $1; hits[q] = $3; if (!(q in seen)) { seen[q] = 1; order[++k] = q } }
	END {
		if (fmt == "md") { print "| query | remarks containing it | results (max 50) | requests | median ms | max ms |"; print "|---|---:|---:|---:|---:|---:|" }
		else printf "%-14s %10s %8s %5s %9s %9s\n", "query", "remarks", "results", "reqs", "median ms", "max ms"
		for (j = 1; j <= k; j++) {
			q = order[j]; m = n[q]
			for (a = 1; a <= m; a++) w[a] = v[q, a] + 0
			for (a = 2; a <= m; a++) for (b = a; b > 1 && w[b - 1] > w[b]; b--) { t = w[b]; w[b] = w[b - 1]; w[b - 1] = t }
			med = m % 2 ? w[(m + 1) / 2] : (w[m / 2] + w[m / 2 + 1]) / 2
			if (fmt == "md") printf "| %s | %d | %s | %d | %.2f | %.2f |\n", q, cnt[q], hits[q], m, med, w[m]
			else printf "%-14s %10d %8s %5d %9.2f %9.2f\n", q, cnt[q], hits[q], m, med, w[m]
		}
	}' "$TMP/counts.txt" "$TMP/search.txt"
}

# ---- report ---------------------------------------------------------------------------------

PAGE_P99=$(awk -F'\t' '$1 == "session-page" { print $6 }' "$ROWS")
# col ROW COLUMN: a figure of a row (3 req/s, 6 p99 ms, 8 requests, 12 server CPU s)
col() { awk -F'\t' -v r="$1" -v c="$2" '$1 == r { print $c }' "$ROWS"; }
# beside ROW NGINX-ROW: "0.62x nginx (req/s), 0.40x (req per CPU-s)" against nginx serving the same bytes
beside() {
	awk -F'\t' -v a="$1" -v b="$2" '$1 == a { ar = $3; an = $8; ac = $12 } $1 == b { br = $3; bn = $8; bc = $12 }
		END { printf "%.2fx nginx serving the same bytes by req/s (%.0f vs %.0f), %.2fx by req per CPU-s (%.0f vs %.0f)",
			br ? ar / br : 0, ar, br, (bc && bn && ac) ? (an / ac) / (bn / bc) : 0, ac ? an / ac : 0, bc ? bn / bc : 0 }' "$ROWS"
}
verdict_ge() { awk -v v="$1" -v aim="$2" 'BEGIN { if (v + 0 >= aim + 0) print "meets"; else print "misses" }'; }
ratio_of() { awk -F'\t' -v a="$1" -v b="$2" '$1 == a { ar = $3 } $1 == b { br = $3 } END { printf "%.2f", br ? ar / br : 0 }' "$ROWS"; }
cpu_ratio_of() { awk -F'\t' -v a="$1" -v b="$2" '$1 == a { ae = $12 ? $8 / $12 : 0 } $1 == b { be = $12 ? $8 / $12 : 0 } END { printf "%.2f", be ? ae / be : 0 }' "$ROWS"; }
# aim ROW NGINX-ROW RATIO: "by req/s meets, by req per CPU-s meets" for a ratio to reach
aim() { echo "by req/s $(verdict_ge "$(ratio_of "$1" "$2")" "$3"), by req per CPU-s $(verdict_ge "$(cpu_ratio_of "$1" "$2")" "$3")"; }
GZ_P99=$(col session-page-gzip 6)
ORG_P99=$(col organizer-under-public-load 6)
ORG_ALONE_P99=$(col organizer-alone 6)

LIST_P99=$(awk -F'\t' '$1 == "sessions-page-2024" { print $6 }' "$ROWS")
API_P99=$(awk -F'\t' '$1 == "api-sessions-2024" { print $6 }' "$ROWS")
verdict() { awk -v v="$1" -v aim="$2" 'BEGIN { if (v + 0 < aim + 0) print "meets"; else print "misses" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { r = 0; if (b > 0) r = a / b; printf "%.0f", r }'; }

{
	echo "### Data"
	echo
	echo "- $NSESSIONS sessions (each with its topic; 2020-2025; half public and not draft) in the demo city body, $NREMARKS remarks of 40-200 characters, plus the demo data; database $DBSIZE MB"
	echo "- loaded by bench/gen_load.c in $(awk -v a="$LOAD_T0" -v b="$LOAD_T1" 'BEGIN { printf "%.1f", b - a }') s:"
	echo
	echo '```'
	cat "$TMP/gen.log"
	echo '```'
	echo
	echo "- the session page is /sessions/$SID: a public 2024 session with $NREM_PAGE remarks"
	echo
	echo "### Search latency, one request at a time"
	echo
	echo "$S_N requests to /api/v1/search over $nq queries in turn (after one unrecorded pass), each with curl over a new connection; non-200 answers: $bad. The nginx row is the same loop on the static file."
	echo
	echo "| target | requests | median ms | p90 ms | p99 ms | max ms | mean ms |"
	echo "|---|---:|---:|---:|---:|---:|---:|"
	echo "| shenliao /api/v1/search | $S_N | $S_MED | $S_P90 | $S_P99 | $S_MAX | $S_MEAN |"
	echo "| nginx static file | $N_N | $N_MED | $N_P90 | $N_P99 | $N_MAX | $N_MEAN |"
	echo "| ratio | | $(ratio "$S_MED" "$N_MED") | | $(ratio "$S_P99" "$N_P99") | | |"
	echo
	echo "Per query (\"remarks containing it\": remarks whose text holds every word of the query):"
	echo
	per_query md
	echo
	echo "### Against the aims"
	echo
	echo "- public session page ($PAGE_BYTES bytes), 64 connections: $(beside session-page nginx-page-bytes); must reach 0.5x: $(aim session-page nginx-page-bytes 0.5); aim 0.8x: $(aim session-page nginx-page-bytes 0.8)"
	echo "- the same page gzip-compressed ($PAGE_GZ_BYTES bytes): $(beside session-page-gzip nginx-page-gzip-bytes); p99 $GZ_P99 ms; 0.5x: $(aim session-page-gzip nginx-page-gzip-bytes 0.5)"
	echo "- the session list page ($LIST_BYTES bytes): $(beside sessions-page-2024 nginx-list-bytes); 0.3x: $(aim sessions-page-2024 nginx-list-bytes 0.3)"
	echo "- session page p99 under 10 ms (64 connections): $PAGE_P99 ms, $(verdict "$PAGE_P99" 10)"
	echo "- the public page while the admin changes it every 0.1 s (as fast as curl goes; $WRITES_OK of $WRITES_ALL changes answered 200 during the run; afterwards the page shows \"$LAST_VENUE\", the last one sent was \"会场 $((WRITES_ALL - 1))\"): $(col session-page-while-changing 3) req/s, p99 $(col session-page-while-changing 6) ms, $(beside session-page-while-changing nginx-page-bytes | sed 's/ nginx serving the same bytes/ nginx (same bytes)/')"
	echo "- the organizer (signed in, 2 connections, the session page) while 64 connections load the public page ($PUBLIC_RPS req/s meanwhile): p99 $ORG_P99 ms (alone: $ORG_ALONE_P99 ms); p99 under 100 ms: $(verdict "$ORG_P99" 100)"
	echo "- session list page p99 under 10 ms: $LIST_P99 ms, $(verdict "$LIST_P99" 10); JSON list p99 $API_P99 ms, $(verdict "$API_P99" 10)"
	echo "- search p99 under 50 ms (one at a time): $S_P99 ms, $(verdict "$S_P99" 50)"
} >>"$EXTRA"

echo
table text
echo
echo "search latency, $S_N sequential requests: median $S_MED ms, p90 $S_P90 ms, p99 $S_P99 ms, max $S_MAX ms (non-200: $bad); nginx static: median $N_MED ms, p99 $N_P99 ms"
per_query text
write_report
echo
echo "bench: wrote $OUT"
