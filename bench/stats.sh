#!/bin/sh
# bench/stats.sh - the statistics page and JSON with 100 orgs, 50,000 sessions and 200,000
# outputs: p99 latency beside the nginx reference (aim under 20 ms for the JSON).
#
# One run: a demo database in a temp dir, loaded by bench/gen_load.c (--mode stats: a
# province tree of 100 bodies, 50,000 sessions, 200,000 outputs); a bearer token for the
# root admin (`shenliao token create`); shenliao and nginx (a ~1 KB static HTML file) on
# free loopback ports; wrk --latency (with a long --timeout, so slow answers are measured
# rather than dropped as timeouts) on
#   nginx's static file (the reference),
#   /api/v1/stats?year=2024&scope=subtree    the whole province rolled up,
#   /api/v1/stats?year=2024                  the root body alone,
#   /stats?year=2024&scope=subtree           the page;
# then the service time without queueing: BENCH_STATS_SEQ requests one at a time (curl) to
# each, and to a city's subtree and a district alone; and the same right after a change
# (rows "-changed": a PATCH of the root body before each request, so a cache of statistics
# answers cannot serve them). Prints a table, writes
# bench/results/stats.md, stops everything, removes the temp dir.
#
# Environment: see bench/lib.sh (BENCH_DURATION, BENCH_CONNECTIONS, BENCH_THREADS,
# BENCH_WARMUP, BENCH_NGINX_WORKERS, SHENLIAO, BENCH_OUT), and
#   BENCH_ORGS, BENCH_SESSIONS, BENCH_OUTPUTS   data sizes (default 100, 50000, 200000)
#   BENCH_STATS_SEQ      sequential requests per URL (default 15)
#   BENCH_WRK_TIMEOUT    wrk --timeout (default 60s)
#   BENCH_KEEP           keep the temp dir (database) when set
set -eu

cd "$(dirname "$0")/.."
. bench/lib.sh

lib_init stats "Statistics (JSON and page) with 100 bodies, 50,000 sessions and 200,000 outputs, beside nginx"

NORGS=${BENCH_ORGS:-100}
NSESSIONS=${BENCH_SESSIONS:-50000}
NOUTPUTS=${BENCH_OUTPUTS:-200000}
NSEQ=${BENCH_STATS_SEQ:-15}
WRK_TIMEOUT=${BENCH_WRK_TIMEOUT:-60s}
PY=/usr/bin/python3

# ---- data ------------------------------------------------------------------------------

DB=$TMP/stats.db
build_gen_load
make_demo_db "$DB"
echo "bench: loading $NORGS bodies, $NSESSIONS sessions, $NOUTPUTS outputs ..." >&2
LOAD_T0=$(date +%s.%N)
"$GEN_LOAD" --db "$DB" --mode stats --orgs "$NORGS" --sessions "$NSESSIONS" --outputs "$NOUTPUTS" >"$TMP/gen.log"
LOAD_T1=$(date +%s.%N)
cat "$TMP/gen.log" >&2
note_cmd "\$TMP/gen_load --db \$TMP/stats.db --mode stats --orgs $NORGS --sessions $NSESSIONS --outputs $NOUTPUTS"
sync # the loader's writes reach the disk now, not during the measurements
DBSIZE=$(du -m "$DB" | cut -f1)
# (opening the database after the load makes the statistics summary: timed, it is a one-off)
T_TOKEN0=$(date +%s.%N)
TOKEN=$("$SHENLIAO" token create --db "$DB" --username admin 2>/dev/null | tail -n 1)
T_TOKEN1=$(date +%s.%N)
note_cmd "$SHENLIAO_SRC token create --db \$TMP/stats.db --username admin   # -> \$TOKEN"
AUTH="Authorization: Bearer $TOKEN"
# a city with districts and one of its districts, for the scope comparison
# shellcheck disable=SC2046 # two ids as words
set -- $($PY - "$DB" <<'EOF'
import sqlite3, sys
c = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
city = c.execute("SELECT o.id FROM org o WHERE o.level = 'city' AND o.slug != 'sz'"
                 " ORDER BY (SELECT COUNT(*) FROM org d WHERE d.parent_id = o.id) DESC, o.id LIMIT 1").fetchone()[0]
dist = c.execute("SELECT id FROM org WHERE parent_id = ? ORDER BY id LIMIT 1", (city,)).fetchone()[0]
print(city, dist)
EOF
)
CITY=$1
DISTRICT=$2
# a session of the root body and one of the district, held in 2024 and open to changes, for
# the rows whose change touches what the statistics count
# shellcheck disable=SC2046
set -- $($PY - "$DB" "$DISTRICT" <<'EOF'
import sqlite3, sys
c = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
q = ("SELECT id FROM session WHERE org_id = ? AND status IN ('scheduled', 'live')"
     " AND starts_at >= 1704038400 AND starts_at < 1735660800 ORDER BY id LIMIT 1")
print(c.execute(q, (1,)).fetchone()[0], c.execute(q, (int(sys.argv[2]),)).fetchone()[0])
EOF
)
SID_ROOT=$1
SID_DISTRICT=$2

start_shenliao "$DB"
start_nginx

code=$(curl -s -o "$TMP/stats.json" -w '%{http_code}' -H "$AUTH" "$SL_URL/api/v1/stats?year=2024&scope=subtree")
if [ "$code" != 200 ]; then
	echo "bench: /api/v1/stats answered $code:" >&2
	cat "$TMP/stats.json" >&2
	exit 1
fi
FIGURES=$($PY -c 'import json,sys; d=json.load(open(sys.argv[1])); print("%d sessions, %d outputs, %d adopted, %d bodies" % (d["sessions"], d["outputs_total"], d["adopted"], len(d["by_org"])))' "$TMP/stats.json")
echo "bench: 2024 province roll-up: $FIGURES" >&2

# ---- throughput under load -----------------------------------------------------------------

# A request here takes far longer than a static file: a wrk warm-up with many connections
# would leave the server a backlog (libmicrohttpd finishes requests whose client has gone)
# that eats into the next run. So: a warm-up of one request, and a fresh server (the old
# one killed, backlog and all) before each shenliao row.
bench_wrk nginx-static "$NGINX_PID" "$NGINX_URL" --timeout "$WRK_TIMEOUT"
fresh_server() {
	stop_pid "$SL_PID" KILL
	SL_PID=""
	start_shenliao "$DB"
	curl -s -o /dev/null -H "$AUTH" "$SL_URL$1"
}
BW_WARMUP=0
for row in "api-stats-subtree /api/v1/stats?year=2024&scope=subtree" \
	"api-stats-self /api/v1/stats?year=2024" \
	"stats-page-subtree /stats?year=2024&scope=subtree"; do
	fresh_server "${row#* }"
	bench_wrk "${row%% *}" "$SL_PID" "$SL_URL${row#* }" -H "$AUTH" --timeout "$WRK_TIMEOUT"
done
BW_WARMUP=""
fresh_server /api/v1/health

# ---- service time, one request at a time ---------------------------------------------------

# seq_latency NAME URL [curl args]: NSEQ requests (after one unrecorded). With BUMP=1 each
# request follows a change (PATCH /api/v1/orgs/1 with its own name): statistics answers are
# cached until something they count changes, so this measures the computation itself.
seq_latency() {
	name=$1
	url=$2
	shift 2
	: >"$TMP/seq-$name.raw"
	bump
	curl -s -o /dev/null "$@" "$url"
	k=0
	ticks=0
	case $name in nginx*) spid=$NGINX_PID ;; *) spid=$SL_PID ;; esac
	while [ $k -lt "$NSEQ" ]; do
		bump
		c0=$(cpu_ticks "$spid")
		curl -s -o /dev/null -w '%{http_code} %{time_total}\n' "$@" "$url" >>"$TMP/seq-$name.raw"
		c1=$(cpu_ticks "$spid")
		ticks=$((ticks + c1 - c0))
		k=$((k + 1))
	done
	# the server's own CPU time over the recorded requests (not the changes between them)
	cpums=$(awk -v t="$ticks" -v hz="$CLK_TCK" -v n="$NSEQ" 'BEGIN { printf "%.1f", t / hz * 1000 / n }')
	awk '{ printf "%.3f\n", $2 * 1000 }' "$TMP/seq-$name.raw" >"$TMP/seq-$name.txt"
	bad=$(awk '$1 != 200' "$TMP/seq-$name.raw" | wc -l | tr -d ' ')
	# shellcheck disable=SC2046 # pctl prints the numbers as words
	set -- $(pctl "$TMP/seq-$name.txt")
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$url" "$1" "$2" "$3" "$4" "$5" "$6" "$bad" "$cpums" >>"$TMP/seq"
	echo "bench: $name one at a time: median $2 ms, p99 $4 ms, max $5 ms ($1 requests, non-200 $bad)" >&2
}
# BUMP=2: the change is to a session the statistics count (its organizer unit, another
# each time, in the session BUMP_SID), so the answer must count it; its own time (the write
# and the refresh of the summary cells it touched, in its transaction) goes to bump-times
bump() {
	case ${BUMP:-0} in
	1)
		curl -sf -o /dev/null -X PATCH -H "$AUTH" -H "Content-Type: application/json" \
			-d "{\"name\":\"$ROOT_NAME\"}" "$SL_URL/api/v1/orgs/1"
		;;
	2)
		BUMP_K=$((${BUMP_K:-0} + 1))
		curl -sf -o /dev/null -w '%{time_total}\n' -X PATCH -H "$AUTH" \
			-H "Content-Type: application/json" -d "{\"organizer_unit\":\"基准单位$((BUMP_K % 3))\"}" \
			"$SL_URL/api/v1/sessions/$BUMP_SID" | awk '{ printf "%.3f\n", $1 * 1000 }' >>"$TMP/bump-times"
		;;
	esac
}
ROOT_NAME=$(curl -sf -H "$AUTH" "$SL_URL/api/v1/orgs/1" | $PY -c 'import json,sys; print(json.load(sys.stdin)["name"])')
: >"$TMP/seq"
echo "bench: $NSEQ requests one at a time per URL ..." >&2
seq_latency nginx-static "$NGINX_URL"
seq_latency api-stats-subtree "$SL_URL/api/v1/stats?year=2024&scope=subtree" -H "$AUTH"
seq_latency api-stats-self "$SL_URL/api/v1/stats?year=2024" -H "$AUTH"
seq_latency stats-page-subtree "$SL_URL/stats?year=2024&scope=subtree" -H "$AUTH"
seq_latency api-stats-city-subtree "$SL_URL/api/v1/stats?year=2024&scope=subtree&org=$CITY" -H "$AUTH"
seq_latency api-stats-district-self "$SL_URL/api/v1/stats?year=2024&scope=self&org=$DISTRICT" -H "$AUTH"
BUMP=1
seq_latency api-stats-subtree-changed "$SL_URL/api/v1/stats?year=2024&scope=subtree" -H "$AUTH"
seq_latency api-stats-self-changed "$SL_URL/api/v1/stats?year=2024" -H "$AUTH"
seq_latency stats-page-subtree-changed "$SL_URL/stats?year=2024&scope=subtree" -H "$AUTH"
seq_latency api-stats-district-changed "$SL_URL/api/v1/stats?year=2024&scope=self&org=$DISTRICT" -H "$AUTH"
BUMP=2
: >"$TMP/bump-times"
BUMP_SID=$SID_ROOT
seq_latency api-stats-subtree-session-changed "$SL_URL/api/v1/stats?year=2024&scope=subtree" -H "$AUTH"
seq_latency api-stats-self-session-changed "$SL_URL/api/v1/stats?year=2024" -H "$AUTH"
seq_latency stats-page-subtree-session-changed "$SL_URL/stats?year=2024&scope=subtree" -H "$AUTH"
BUMP_SID=$SID_DISTRICT
seq_latency api-stats-district-session-changed "$SL_URL/api/v1/stats?year=2024&scope=self&org=$DISTRICT" -H "$AUTH"
seq_latency api-stats-subtree-district-changed "$SL_URL/api/v1/stats?year=2024&scope=subtree" -H "$AUTH"
BUMP=0
# shellcheck disable=SC2046
set -- $(pctl "$TMP/bump-times")
BUMP_N=$1 BUMP_MED=$2 BUMP_P99=$4
note_cmd "rows *-session-changed: before each request curl -X PATCH -H 'Authorization: Bearer \$TOKEN' -H 'Content-Type: application/json' -d '{\"organizer_unit\":\"基准单位N\"}' \$SL_URL/api/v1/sessions/$SID_ROOT (the district rows: /api/v1/sessions/$SID_DISTRICT), timed on its own"
note_cmd "rows *-changed: before each request curl -X PATCH -H 'Authorization: Bearer \$TOKEN' -H 'Content-Type: application/json' -d '{\"name\":\"$ROOT_NAME\"}' \$SL_URL/api/v1/orgs/1 (not timed), so no cached answer can be reused"
note_cmd "for each URL: $NSEQ x curl -s -o /dev/null -w '%{http_code} %{time_total}' -H 'Authorization: Bearer \$TOKEN' URL   # one at a time, after one unrecorded"

seq_table() { # FORMAT
	awk -F'\t' -v fmt="$1" '
	{ n++; for (c = 1; c <= 10; c++) v[n, c] = $c; if (!ref && $1 ~ /^nginx/) ref = n }
	END {
		if (fmt == "md") { print "| target | URL | requests | median ms | p90 ms | p99 ms | max ms | mean ms | non-200 | median ÷ nginx | server CPU ms per request |"; print "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|" }
		else printf "%-36s %5s %10s %9s %9s %9s %9s %8s %8s\n", "target (one at a time)", "reqs", "median ms", "p90 ms", "p99 ms", "max ms", "non-200", "med/ngx", "CPU ms"
		for (i = 1; i <= n; i++) {
			r = 0; if (ref && v[ref, 4] > 0) r = v[i, 4] / v[ref, 4]
			if (fmt == "md") printf "| %s | %s | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %d | %.0f | %s |\n", v[i, 1], v[i, 2], v[i, 3], v[i, 4], v[i, 5], v[i, 6], v[i, 7], v[i, 8], v[i, 9], r, v[i, 10]
			else printf "%-36s %5d %10.2f %9.2f %9.2f %9.2f %9d %8.0f %8s\n", v[i, 1], v[i, 3], v[i, 4], v[i, 5], v[i, 6], v[i, 7], v[i, 9], r, v[i, 10]
		}
	}' "$TMP/seq"
}

# ---- report ---------------------------------------------------------------------------------

P99_JSON=$(awk -F'\t' '$1 == "api-stats-subtree" { print $6 }' "$ROWS")
SEQ_P99=$(awk -F'\t' '$1 == "api-stats-subtree" { print $6 }' "$TMP/seq")
CHG_P99=$(awk -F'\t' '$1 == "api-stats-subtree-changed" { print $6 }' "$TMP/seq")
SCHG_MED=$(awk -F'\t' '$1 == "api-stats-subtree-session-changed" { print $4 }' "$TMP/seq")
SCHG_P99=$(awk -F'\t' '$1 == "api-stats-subtree-session-changed" { print $6 }' "$TMP/seq")
SCHG_CPU=$(awk -F'\t' '$1 == "api-stats-subtree-session-changed" { print $10 }' "$TMP/seq")
verdict() { awk -v v="$1" -v aim="$2" 'BEGIN { if (v + 0 < aim + 0) print "meets"; else print "misses" }'; }
{
	echo "Nothing changes during the wrk runs, so if the server caches statistics answers the"
	echo "wrk rows measure that cache. With $CONNECTIONS connections a request that takes longer"
	echo "than the run is never counted by wrk: when the service time is long, the wrk rows show"
	echo "few requests and their latencies are those of the requests that finished. The table"
	echo "below measures the service time itself, one request at a time; its \"-changed\" rows"
	echo "follow a change before every request (PATCH of the root body's name, which counts as"
	echo "a change to what statistics are made from), so no cached answer can serve them. The"
	echo "\"-session-changed\" rows follow a change to a session the answer counts (its organizer"
	echo "unit, another each time): the answer must count it, so it is read from the summary"
	echo "cells that change refreshed in its own transaction (migration 0022, src/model/stats.c)."
	echo
	echo "### One request at a time"
	echo
	seq_table md
	echo
	echo "### Data"
	echo
	echo "- $NORGS bodies (the root 广东省政协, 21 city bodies including the demo's 深圳市政协, the rest districts), $NSESSIONS sessions with topics, $NOUTPUTS outputs, plus the demo data; database $DBSIZE MB"
	echo "- 2024 roll-up over the province (the JSON's own figures): $FIGURES"
	echo "- city for the subtree comparison: org $CITY; district: org $DISTRICT; sessions changed: $SID_ROOT (root body), $SID_DISTRICT (district)"
	echo "- opening the database after the load (\`token create\`: store_open makes the statistics summary from all the rows, once, as after the migration or a bulk writer): $(awk -v a="$T_TOKEN0" -v b="$T_TOKEN1" 'BEGIN { printf "%.1f", b - a }') s"
	echo "- the session changes themselves (PATCH, with the refresh of the cells they touched, in their transaction): $BUMP_N requests, median $BUMP_MED ms, p99 $BUMP_P99 ms"
	echo "- loaded by bench/gen_load.c in $(awk -v a="$LOAD_T0" -v b="$LOAD_T1" 'BEGIN { printf "%.1f", b - a }') s:"
	echo
	echo '```'
	cat "$TMP/gen.log"
	echo '```'
	echo
	echo "### Against the aim"
	echo
	echo "- JSON (province subtree) p99 under 20 ms: $P99_JSON ms with $CONNECTIONS connections, $(verdict "$P99_JSON" 20); $SEQ_P99 ms one request at a time, $(verdict "$SEQ_P99" 20); $CHG_P99 ms one at a time right after a change, $(verdict "$CHG_P99" 20)"
	echo "- statistics right after a change to a session they count (issue 14: under 50 ms, aim under 10 ms): median $SCHG_MED ms, p99 $SCHG_P99 ms (province subtree, one at a time): $(verdict "$SCHG_P99" 50) 50 ms, $(verdict "$SCHG_P99" 10) 10 ms; the server's CPU time per such request $SCHG_CPU ms ($(verdict "$SCHG_CPU" 10) 10 ms), which the load of the machine (see the load average above) disturbs far less than the latency"
} >>"$EXTRA"

echo
table text
echo
seq_table text
write_report
echo
echo "bench: wrote $OUT"
