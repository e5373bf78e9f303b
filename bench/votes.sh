#!/bin/sh
# bench/votes.sh - vote ingestion over HTTP with wrk: durable votes per second and p99
# latency at 64 connections (aim >= 20,000/s, p99 under 50 ms), beside nginx's static-file
# rate (issue 4(c)).
#
# One run: a demo database in a temp dir; shenliao (`serve --no-flood-limits`) and nginx (a
# ~1 KB static HTML file) on free loopback ports; as the demo organizer (a bearer token from
# `shenliao token create`), a public demo session that still takes votes gets an opinion
# room open to anonymous participants and BENCH_STATEMENTS_N statements; then wrk with
# bench/votes.lua sends PUT /api/v1/statements/{id}/vote {"vote":1|-1|0} as anonymous
# participants (Cookie: sl_anon=<64 hex>), every answer a new vote row:
#   votes-per-conn       -tN -cN: each connection is one wrk thread with its own
#                        participant, as phones are
#   votes-t1-rotating    -t1 -cN: N participants take turns over the N connections
#   votes-sync-full      as votes-per-conn, server restarted with --sync-full (fsync at
#                        every commit)
#   votes-pg-per-conn    as votes-per-conn, on PostgreSQL 15: the same database copied
#                        (`shenliao copy`) into a private server (initdb + pg_ctl in a temp
#                        dir, synchronous_commit=on: a commit is answered after its WAL is
#                        flushed), the server restarted on it; its "server CPU" includes the
#                        PostgreSQL processes'
# Votes are written by group commit (src/model/votequeue.c): one writer commits the votes of
# all connections in batches, each answered after its batch committed.
# Around each run the vote table is counted (python3's sqlite3, read-only): every 200 answer
# must be a row (durability); the server's write/read system calls, bytes written and
# context switches per vote come from /proc. Then, unless BENCH_PROFILE=0, a system call
# profile of the server under the same load (perf trace -s, else strace -c -f), and the
# database layer alone (bench/gen_load.c --mode votes: one transaction per vote from two
# threads, as now, against group commit). Prints tables, writes bench/results/votes.md,
# stops everything, removes the temp dir.
#
# Environment: see bench/lib.sh (BENCH_DURATION, BENCH_CONNECTIONS, BENCH_WARMUP,
# BENCH_NGINX_WORKERS, SHENLIAO, BENCH_OUT), and
#   BENCH_STATEMENTS_N   statements in the room (default 200)
#   BENCH_SYNC_FULL      0 to skip the --sync-full run (default 1)
#   BENCH_PROFILE        0 to skip the profile and the database-layer runs (default 1)
#   BENCH_PG             0 to skip the PostgreSQL run (default 1; needs postgresql-15)
#   BENCH_PG_PORT        first port to try for PostgreSQL (default 55530)
#   BENCH_KEEP           keep the temp dir (database) when set
set -eu

cd "$(dirname "$0")/.."
. bench/lib.sh

lib_init votes "Vote ingestion over HTTP (PUT /api/v1/statements/{id}/vote), beside nginx"

NSTAT=${BENCH_STATEMENTS_N:-200}
SYNC_FULL=${BENCH_SYNC_FULL:-1}
PROFILE=${BENCH_PROFILE:-1}
RUN_PG=${BENCH_PG:-1}
PGBIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
[ -x "$PGBIN/initdb" ] || RUN_PG=0
PGDIR=""
PG_PID=""
COUNT_DB=""
pg_cleanup() {
	set +e
	if [ -n "$PGDIR" ] && [ -f "$PGDIR/data/PG_VERSION" ]; then
		as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -w -m fast stop >/dev/null 2>&1
		[ -z "${BENCH_KEEP:-}" ] && rm -rf "$PGDIR"
	fi
	lib_cleanup
}
trap pg_cleanup EXIT
as_pg() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
PY=/usr/bin/python3
: >"$TMP/durability"
: >"$TMP/perio"

# ---- setup -----------------------------------------------------------------------------

DB=$TMP/votes.db
make_demo_db "$DB"
TOKEN=$("$SHENLIAO" token create --db "$DB" --username organizer 2>/dev/null | tail -n 1)
note_cmd "$SHENLIAO_SRC token create --db \$TMP/votes.db --username organizer   # -> \$TOKEN"
AUTH="Authorization: Bearer $TOKEN"
start_shenliao "$DB" --no-flood-limits
start_nginx

# a public session that still takes votes, its room open, NSTAT statements
# shellcheck disable=SC1111 # the Chinese quotes are part of the text
open_vote_room "$NSTAT" "建议把“妈妈岗”推广到更多新兴行业，并给予用人单位补贴。"
echo "bench: session $SID, room open to anonymous participants, $NSTAT statements" >&2

count_rows() { # "votes participants" in the vote and participant tables
	if [ -n "$COUNT_DB" ]; then
		psql "$COUNT_DB" -X -q -At -F ' ' -c "SELECT (SELECT COUNT(*) FROM vote), (SELECT COUNT(*) FROM participant)"
		return
	fi
	$PY - "$DB" <<'EOF'
import sqlite3, sys
c = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True, timeout=30)
print(c.execute("SELECT COUNT(*) FROM vote").fetchone()[0],
      c.execute("SELECT COUNT(*) FROM participant").fetchone()[0])
EOF
}

proc_counters() { # PID: "syscr syscw write_bytes voluntary_ctxt nonvoluntary_ctxt"
	r=$(awk '/^syscr:/ { r = $2 } /^syscw:/ { w = $2 } /^write_bytes:/ { b = $2 }
		END { print r + 0, w + 0, b + 0 }' "/proc/$1/io" 2>/dev/null || echo "0 0 0")
	c=$(cat /proc/"$1"/task/*/status 2>/dev/null | awk '/^voluntary_ctxt_switches:/ { v += $2 }
		/^nonvoluntary_ctxt_switches:/ { n += $2 } END { print v + 0, n + 0 }')
	echo "$r $c"
}

# vote_run NAME THREADS SLOTS: warm-up (fresh participants), count, measured run (fresh
# participants again), count; a durability line and a per-vote line
NONCE=0
vote_run() {
	name=$1
	threads=$2
	BENCH_VOTE_SLOTS=$3
	export BENCH_VOTE_SLOTS
	NONCE=$((NONCE + 1))
	BENCH_NONCE=$(printf '%04x%04x' $$ $NONCE | cut -c1-8)
	export BENCH_NONCE
	if [ "$WARMUP" -gt 0 ]; then
		wrk -t"$threads" -c"$CONNECTIONS" -d"${WARMUP}s" -s bench/votes.lua "$SL_URL/" >/dev/null 2>&1 || true
		sleep 1
	fi
	NONCE=$((NONCE + 1))
	BENCH_NONCE=$(printf '%04x%04x' $$ $NONCE | cut -c1-8)
	# shellcheck disable=SC2046 # two counts as words
	set -- $(count_rows)
	v0=$1
	p0=$2
	c0=$(proc_counters "$SL_PID")
	BW_T=$threads
	BW_WARMUP=0
	# on PostgreSQL: the server's processes too (listed after the warm-up opened them)
	VR_PIDS=""
	[ -n "${PG_PID:-}" ] && VR_PIDS="$SL_PID $(pgrep -P "$PG_PID" | tr '\n' ' ')$PG_PID"
	bench_wrk "$name" "${VR_PIDS:-$SL_PID}" "$SL_URL/" -s bench/votes.lua
	BW_T=""
	BW_WARMUP=""
	c1=$(proc_counters "$SL_PID")
	sleep 1
	# shellcheck disable=SC2046
	set -- $(count_rows)
	v1=$1
	p1=$2
	ok=$((LAST_REQS - LAST_NON2XX))
	dv=$((v1 - v0))
	if [ "$dv" -ge "$ok" ] && [ "$dv" -le $((ok + CONNECTIONS)) ]; then
		verdict="yes"
	elif [ "$dv" -lt "$ok" ]; then
		verdict="NO: $((ok - dv)) acknowledged votes are missing"
	else
		verdict="unclear: more rows than answers plus connections"
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$ok" "$LAST_NON2XX" "$dv" "$((p1 - p0))" "$verdict" >>"$TMP/durability"
	echo "$name $ok $c0 $c1" | awk '{ n = $2 > 0 ? $2 : 1
		printf "%s\t%.2f\t%.2f\t%.0f\t%.2f\t%.2f\n", $1, ($8 - $3) / n, ($9 - $4) / n, ($10 - $5) / n, ($11 - $6) / n, ($12 - $7) / n }' >>"$TMP/perio"
	echo "bench: $name: $ok answers 200, $dv vote rows added, $((p1 - p0)) participants" >&2
}

# ---- runs ------------------------------------------------------------------------------------

bench_wrk nginx-static "$NGINX_PID" "$NGINX_URL"
vote_run votes-per-conn "$CONNECTIONS" 1
vote_run votes-t1-rotating 1 "$CONNECTIONS"

# ---- profile ---------------------------------------------------------------------------------

PROFILE_TOOL=""
if [ "$PROFILE" != 0 ]; then
	if command -v perf >/dev/null 2>&1 && perf trace -s -o /dev/null -- true >/dev/null 2>&1; then
		PROFILE_TOOL="perf trace -s"
	elif command -v strace >/dev/null 2>&1; then
		PROFILE_TOOL="strace -c -f"
	fi
fi
if [ -n "$PROFILE_TOOL" ]; then
	echo "bench: system call profile with $PROFILE_TOOL ..." >&2
	BENCH_VOTE_SLOTS=1
	BENCH_NONCE=$(printf '%04xffff' $$ | cut -c1-8)
	export BENCH_VOTE_SLOTS BENCH_NONCE
	wrk -t"$CONNECTIONS" -c"$CONNECTIONS" -d8s -s bench/votes.lua "$SL_URL/" >"$TMP/wrk-profile.txt" 2>&1 &
	wpid=$!
	sleep 2
	if [ "$PROFILE_TOOL" = "perf trace -s" ]; then
		timeout 20 perf trace -s -p "$SL_PID" -o "$TMP/profile.txt" -- sleep 3 >/dev/null 2>&1 || true
	else
		timeout 3 strace -c -f -p "$SL_PID" -o "$TMP/profile.txt" >/dev/null 2>&1 || true
	fi
	wait "$wpid" || true
	note_cmd "wrk -t$CONNECTIONS -c$CONNECTIONS -d8s -s bench/votes.lua \$SL_URL/ & sleep 2; $PROFILE_TOOL -p \$SERVER_PID (3 s)"
	# the database layer alone: the vote upsert, one transaction per vote from one and two
	# threads against batches in one writer (group commit)
	echo "bench: database layer alone (gen_load --mode votes) ..." >&2
	build_gen_load
	cp "$DB" "$TMP/dbonly.db"
	"$GEN_LOAD" --db "$TMP/dbonly.db" --mode votes --seconds 4 >"$TMP/dbonly.txt" 2>&1 || cat "$TMP/dbonly.txt" >&2
	note_cmd "cp \$TMP/votes.db \$TMP/dbonly.db; \$TMP/gen_load --db \$TMP/dbonly.db --mode votes --seconds 4"
fi

if [ "$SYNC_FULL" != 0 ]; then
	stop_shenliao
	start_shenliao "$DB" --no-flood-limits --sync-full
	vote_run votes-sync-full "$CONNECTIONS" 1
fi

# ---- PostgreSQL ------------------------------------------------------------------------------

if [ "$RUN_PG" != 0 ]; then
	stop_shenliao
	PGDIR=$(mktemp -d "${TMPDIR:-/tmp}/shenliao-bench-votes-pg.XXXXXX")
	[ "$(id -u)" = 0 ] && chown postgres "$PGDIR"
	as_pg "$PGBIN/initdb" -D "$PGDIR/data" -A trust -U postgres --no-sync -E UTF8 --locale=C.UTF-8 \
		>"$PGDIR/initdb.log" 2>&1 || {
		cat "$PGDIR/initdb.log" >&2
		exit 1
	}
	PG_PORT=${BENCH_PG_PORT:-55530}
	while ! port_free "$PG_PORT"; do PG_PORT=$((PG_PORT + 1)); done
	PG_OPTS="-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PGDIR -c synchronous_commit=on -c max_connections=100 -c shared_buffers=256MB"
	as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w -t 60 -o "$PG_OPTS" start >/dev/null || {
		tail -20 "$PGDIR/log" >&2
		exit 1
	}
	note_cmd "initdb -D \$PGDIR/data -A trust -U postgres -E UTF8 --locale=C.UTF-8; pg_ctl -D \$PGDIR/data -o \"$(echo "$PG_OPTS" | sed "s|$PGDIR|\$PGDIR|")\" start"
	PGURL=postgresql://postgres@127.0.0.1:$PG_PORT/shenliao
	"$SHENLIAO" copy --from "$DB" --to "$PGURL" >"$TMP/copy.log" 2>&1 || {
		cat "$TMP/copy.log" >&2
		exit 1
	}
	note_cmd "$SHENLIAO_SRC copy --from \$TMP/votes.db --to $PGURL"
	PG_PID=$(head -n 1 "$PGDIR/data/postmaster.pid")
	COUNT_DB=$PGURL
	start_shenliao "$PGURL" --no-flood-limits
	vote_run votes-pg-per-conn "$CONNECTIONS" 1
fi

# ---- report ----------------------------------------------------------------------------------

durability_table() { # FORMAT
	awk -F'\t' -v fmt="$1" '
	FILENAME == ARGV[1] { io[$1] = $0; next }
	{ split(io[$1], x, "\t")
	  if (fmt == "md") {
		if (!h++) { print "| run | 200 answers | other answers | vote rows added | participants added | durable | write-type system calls per vote | read-type system calls per vote | bytes written to disk per vote | voluntary context switches per vote |"; print "|---|---:|---:|---:|---:|---|---:|---:|---:|---:|" }
		printf "| %s | %d | %d | %d | %d | %s | %.2f | %.2f | %d | %.2f |\n", $1, $2, $3, $4, $5, $6, x[3], x[2], x[4], x[5]
	  } else {
		if (!h++) printf "%-20s %9s %6s %9s %7s %8s %8s %8s %8s  %s\n", "run", "200s", "other", "rows", "partic.", "wr/vote", "rd/vote", "B/vote", "vcsw/v", "durable"
		printf "%-20s %9d %6d %9d %7d %8.2f %8.2f %8d %8.2f  %s\n", $1, $2, $3, $4, $5, x[3], x[2], x[4], x[5], $6
	  } }' "$TMP/perio" "$TMP/durability"
}

profile_summary() { # the busiest system calls per thread, from the profile
	[ -s "$TMP/profile.txt" ] || return 0
	if [ "$PROFILE_TOOL" = "perf trace -s" ]; then
		awk '/events,/ { t = $1 " " $2; n = 0; next }
			/^ *[a-z_0-9]+ +[0-9]+ +[0-9]+ +[0-9.]+/ { if (n++ < 7) printf "%-22s %-16s calls %7d  total %9.1f ms  avg %7.3f ms  max %8.3f ms\n", t, $1, $2, $4, $6, $7 }' \
			"$TMP/profile.txt"
	else
		head -n 20 "$TMP/profile.txt"
	fi
}

P99=$(awk -F'\t' '$1 == "votes-per-conn" { print $6 }' "$ROWS")
OKRATE=$(awk -F'\t' '$1 == "votes-per-conn" { s = $11 > 0 ? $11 : 1; printf "%.0f", ($8 - $9) / s }' "$ROWS")
NGX=$(awk -F'\t' '$1 == "nginx-static" { printf "%.0f", $3 }' "$ROWS")
# ratios against nginx: of req/s in this run, and of requests per server CPU-second
RATIO=$(awk -F'\t' '$1 == "nginx-static" { n = $3; nc = ($12 > 0 ? $8 / $12 : 0) }
	$1 == "votes-per-conn" { v = $3; vc = ($12 > 0 ? $8 / $12 : 0) }
	END { printf "%.3f %.3f", (n > 0 ? v / n : 0), (nc > 0 ? vc / nc : 0) }' "$ROWS")
{
	echo "### Durability and cost per vote"
	echo
	echo "Vote rows counted before and after each measured run (every run's participants are new, and each votes on each statement once, so every 200 answer must add one row). \"durable: yes\" means no acknowledged vote is missing; the few rows beyond the answers are votes in flight when wrk stopped (at most one per connection), committed but never read by wrk. Votes are written by group commit (src/model/votequeue.c): each answer is sent after the commit of the batch holding its vote. SQLite runs in WAL mode with synchronous=NORMAL: a committed vote survives the process dying, and with --sync-full (votes-sync-full) also the machine losing power; PostgreSQL runs with synchronous_commit=on. Per-vote figures: the server's /proc counters over the run (syscr, syscw, write_bytes of /proc/PID/io; voluntary_ctxt_switches of its threads) divided by the 200 answers (the PostgreSQL row: the shenliao process only)."
	echo
	durability_table md
	echo
	echo "Session $SID, room open to anonymous participants, $NSTAT statements (ids $(echo "$BENCH_STATEMENTS" | cut -d, -f1)…$(echo "$BENCH_STATEMENTS" | awk -F, '{ print $NF }'))."
	echo
	echo "### Against the target (issue 14: ≥ 0.25× nginx, aim ≥ 0.5×, p99 < 50 ms)"
	echo
	echo "- votes-per-conn: $OKRATE durable votes/s; nginx serves its static file at $NGX/s in the same run: $(echo "$RATIO" | cut -d' ' -f1)× by requests per second, $(echo "$RATIO" | cut -d' ' -f2)× by requests per server CPU-second (the figure other load on the machine disturbs least; load average at start $LOAD_START)"
	echo "- p99 under 50 ms: $P99 ms, $(awk -v v="$P99" 'BEGIN { if (v < 50) print "meets"; else print "misses" }')"
	if [ -s "$TMP/profile.txt" ]; then
		echo
		echo "### Where the time goes: system calls under load ($PROFILE_TOOL, 3 s of a votes-per-conn load; the tool itself slows the server)"
		echo
		echo '```'
		profile_summary
		echo '```'
		echo
		echo "wrk during the profile: $(awk '/^Requests\/sec:/ { print $2 " req/s" }' "$TMP/wrk-profile.txt")"
	fi
	if [ -s "${TMP}/dbonly.txt" ]; then
		echo
		echo "### The database layer alone (bench/gen_load.c --mode votes)"
		echo
		echo "The same vote upsert on a copy of the database, without HTTP or the reads a vote request also makes: one BEGIN IMMEDIATE … COMMIT per vote from one thread, and from two threads with a connection each (as the server's two worker threads), contending in SQLite's busy handler or queueing on one in-process mutex; against one writer committing batches of votes (group commit). A transaction's latency here includes waiting for the lock."
		echo
		echo '```'
		cat "$TMP/dbonly.txt"
		echo '```'
	fi
} >>"$EXTRA"

echo
table text
echo
durability_table text
if [ -s "$TMP/profile.txt" ]; then
	echo
	profile_summary
fi
[ -s "$TMP/dbonly.txt" ] && echo && cat "$TMP/dbonly.txt"
write_report
echo
echo "bench: wrote $OUT"
