#!/bin/sh
# bench/votes_crash.sh - the long kill -9 crash test of durable votes (issue 14): under wrk's
# vote load (bench/votes.lua, -tN -cN, every connection its own anonymous participant, every
# 200 answer a new vote row), the server is killed with SIGKILL several times; after each
# kill it is started again on the same database and the vote table is counted: every vote
# answered 200 must be a row (rows added >= 200 answers; a few more are votes committed but
# never read by wrk, at most one per connection). The short version is
# tests/http/votes_crash.test.mjs (make check).
#
# One run: a demo database in a temp dir, a public session's room open to anonymous
# participants with BENCH_STATEMENTS_N statements (as bench/votes.sh), then BENCH_KILLS
# segments: wrk for BENCH_SEGMENT seconds, the server killed at a random moment between 40%
# and 90% of it, wrk left to finish (its connections fail), the server restarted, the rows
# counted. Writes bench/results/votes_crash.md, stops everything, removes the temp dir.
#
# Environment: see bench/lib.sh (BENCH_CONNECTIONS, SHENLIAO, BENCH_OUT), and
#   BENCH_KILLS          how many kills (default 8)
#   BENCH_SEGMENT        seconds per segment (default 6; the kill comes at 40-90% of it, so
#                        8 segments are about 30 s of load before a kill)
#   BENCH_STATEMENTS_N   statements in the room (default 100)
#   SHENLIAO_VOTE_HOLD_MS  the server's vote writer waits this long inside each batch's
#                        transaction before the commit (default 20; src/model/room.h
#                        vote_queue_start): a kill then finds written votes not yet
#                        committed, which must not have been answered. Without it the window
#                        is so short that even a build answering before the commit passed
#                        (checked: 3 kills, no loss seen); with it such a build loses votes.
#   BENCH_KEEP           keep the temp dir when set
# It exits 1 when an acknowledged vote is missing.
set -eu

cd "$(dirname "$0")/.."
. bench/lib.sh

lib_init votes_crash "Votes under kill -9: every acknowledged vote is a row"

KILLS=${BENCH_KILLS:-8}
SHENLIAO_VOTE_HOLD_MS=${SHENLIAO_VOTE_HOLD_MS:-20}
export SHENLIAO_VOTE_HOLD_MS
SEG=${BENCH_SEGMENT:-6}
NSTAT=${BENCH_STATEMENTS_N:-100}
PY=/usr/bin/python3
DB=$TMP/votes.db
make_demo_db "$DB"
TOKEN=$("$SHENLIAO" token create --db "$DB" --username organizer 2>/dev/null | tail -n 1)
AUTH="Authorization: Bearer $TOKEN"
start_shenliao "$DB" --no-flood-limits
open_vote_room "$NSTAT" "社区食堂应当覆盖更多老人。"
BENCH_VOTE_SLOTS=1
export BENCH_STATEMENTS BENCH_VOTE_SLOTS
note_cmd "SHENLIAO_ADMIN_PASSWORD=... $SHENLIAO_SRC demo --db \$TMP/votes.db; a room open to anonymous participants in session $SID with $NSTAT statements (as bench/votes.sh)"

count_votes() {
	$PY - "$DB" <<'EOF'
import sqlite3, sys
c = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True, timeout=30)
print(c.execute("SELECT COUNT(*) FROM vote").fetchone()[0])
EOF
}

: >"$TMP/segments"
failed=0
s=1
while [ $s -le "$KILLS" ]; do
	BENCH_NONCE=$(printf '%04x%04x' $$ "$s" | cut -c1-8)
	export BENCH_NONCE
	v0=$(count_votes)
	wrk -t"$CONNECTIONS" -c"$CONNECTIONS" -d"${SEG}s" -s bench/votes.lua "$SL_URL/" >"$TMP/wrk-$s.txt" 2>&1 &
	wpid=$!
	# the kill: between 40% and 90% of the segment
	ms=$(od -An -N2 -tu2 /dev/urandom | awk -v seg="$SEG" '{ print int(seg * 1000 * (0.4 + 0.5 * ($1 % 1000) / 1000)) }')
	sleep "$(awk -v m="$ms" 'BEGIN { printf "%.3f", m / 1000 }')"
	kill -KILL "$SL_PID"
	wait "$SL_PID" 2>/dev/null || true
	SL_PID=""
	wait "$wpid" || true
	reqs=$(awk '/requests in/ { print $1 }' "$TMP/wrk-$s.txt")
	non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$TMP/wrk-$s.txt")
	ok=$((${reqs:-0} - ${non2xx:-0}))
	start_shenliao "$DB" --no-flood-limits
	v1=$(count_votes)
	dv=$((v1 - v0))
	if [ "$dv" -ge "$ok" ]; then verdict=yes; else
		verdict="NO: $((ok - dv)) acknowledged votes missing"
		failed=1
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$s" "$ms" "$ok" "${non2xx:-0}" "$dv" "$verdict" >>"$TMP/segments"
	echo "bench: kill $s at ${ms} ms: $ok answers 200, ${non2xx:-0} other, $dv vote rows added: $verdict" >&2
	s=$((s + 1))
done
note_cmd "SHENLIAO_VOTE_HOLD_MS=$SHENLIAO_VOTE_HOLD_MS; $KILLS x { wrk -t$CONNECTIONS -c$CONNECTIONS -d${SEG}s -s bench/votes.lua \$SL_URL/ & sleep <random 40-90% of ${SEG}s>; kill -KILL \$SERVER_PID; wait; $SHENLIAO_SRC serve --db \$TMP/votes.db ... --no-flood-limits; count the vote rows }"

{
	echo "Each row: one segment of ${SEG} s of wrk vote load (-t$CONNECTIONS -c$CONNECTIONS, every connection its own new participant, so every 200 answer is a new vote row), the server killed with SIGKILL at the time shown, then started again on the same database and the vote table counted. \"durable: yes\" means the rows added are at least the 200 answers; the rows beyond them are votes committed whose answers wrk never read (at most one per connection). SHENLIAO_VOTE_HOLD_MS=$SHENLIAO_VOTE_HOLD_MS (the server's writer waits that long inside each batch before the commit, so a kill finds votes written but not committed)."
	echo
	echo "| kill | at ms | 200 answers | other answers | vote rows added | durable |"
	echo "|---:|---:|---:|---:|---:|---|"
	awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6 }' "$TMP/segments"
	echo
	echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
} >>"$EXTRA"
cat "$EXTRA"
mkdir -p "$(dirname "$OUT")"
{
	echo "## $BENCH_TITLE"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'), whole script $(($(date +%s) - T_START)) s"
	echo "- machine: nproc $(nproc), $(uname -srm); load average at start: $LOAD_START"
	echo "- versions:"
	versions | sed 's/^/  - /'
	echo
	cat "$EXTRA"
	echo
	echo "Commands (\$TMP is the run's temp dir):"
	echo
	echo '```'
	cat "$CMDS"
	echo '```'
} >"$OUT"
echo "bench: wrote $OUT"
exit "$failed"
