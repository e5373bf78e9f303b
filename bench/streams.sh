#!/bin/sh
# bench/streams.sh - the live map's viewers on one process (issue 14): BENCH_STREAMS event
# streams (default 10,000; BENCH_STREAMS=100000 for the aim) of one session, each update's
# delay from the vote's commit to every stream's receipt, the server's memory, and votes
# (with nginx beside them) answered while the streams are open.
#
# One run: a demo database in a temp dir; the open-file limits raised for this shell (as
# root; the server raises its soft limit to the hard one itself); shenliao
# (`serve --no-flood-limits --max-streams BENCH_STREAMS`) and nginx on free loopback ports;
# as the demo organizer, a public session gets an opinion room open to anonymous
# participants and 20 statements. Then:
#   nginx                 wrk on nginx's ~1 KB static file (the reference)
#   votes-no-streams      wrk with bench/votes.lua (PUT .../vote, anonymous participants)
#   bench/streams.c       opens BENCH_STREAMS streams from 127.0.0.1 ... 127.0.0.NSRC (one
#                         address has ~28,000 ports), checks that one more gets 503 with
#                         Retry-After, then holds them all open and reading
#   votes-with-streams    the same wrk run while every stream is open: each vote's map
#                         update is fanned out to all of them meanwhile
#   probes                BENCH_PROBES times: one vote when the map worker is idle, and the
#                         delay from its acknowledgement (after its commit) to each
#                         stream's receipt of the new version: p50/p99/max over all
# The server's RSS is read from /proc before the streams, with them open, and at its peak.
# Writes bench/results/streams.md (or streams-<N>.md for another BENCH_STREAMS).
#
# Environment: see bench/lib.sh (BENCH_DURATION, BENCH_CONNECTIONS, BENCH_WARMUP,
# BENCH_NGINX_WORKERS, SHENLIAO, BENCH_OUT), and
#   BENCH_STREAMS   streams to open (default 10000)
#   BENCH_PROBES    probe votes (default 5)
#   BENCH_KEEP      keep the temp dir when set
set -eu

cd "$(dirname "$0")/.."
. bench/lib.sh

N=${BENCH_STREAMS:-10000}
PROBES=${BENCH_PROBES:-5}
case $N$PROBES in
'' | *[!0-9]*)
	echo "bench: BENCH_STREAMS and BENCH_PROBES must be whole numbers" >&2
	exit 2
	;;
esac
[ "$N" = 10000 ] || BENCH_OUT=${BENCH_OUT:-bench/results/streams-$N.md}
lib_init streams "Live-map viewers on one process: $N event streams, update delay, votes meanwhile"
PY=/usr/bin/python3

# descriptors: each process (the server, the client) needs N, the server 4,608 more for
# requests (src/cli/serve.c) and some for itself; raising the hard limit needs
# CAP_SYS_RESOURCE (root outside a container)
NOFILE=$((N + 5000))
# shellcheck disable=SC3045 # ulimit -H: dash and bash have it (the bench runs on Linux)
if [ "$(ulimit -Hn)" != unlimited ] && [ "$(ulimit -Hn)" -lt "$NOFILE" ]; then
	# shellcheck disable=SC3045
	ulimit -Hn "$NOFILE" 2>/dev/null || {
		echo "bench: $N streams need an open-file limit of $NOFILE, and the hard limit here is $(ulimit -Hn) (raising it needs CAP_SYS_RESOURCE: ulimit -Hn $NOFILE as root, or LimitNOFILE= in systemd)" >&2
		exit 1
	}
fi
# shellcheck disable=SC3045
ulimit -n "$NOFILE"
note_cmd "ulimit -Hn $NOFILE; ulimit -n $NOFILE   # for the server and the client"
NSRC=$((N / 25000 + 1))

cc -std=c17 -O2 -Wall -Wextra -o "$TMP/streams" bench/streams.c
note_cmd "cc -std=c17 -O2 -Wall -Wextra -o \$TMP/streams bench/streams.c"

DB=$TMP/streams.db
make_demo_db "$DB"
TOKEN=$("$SHENLIAO" token create --db "$DB" --username organizer 2>/dev/null | tail -n 1)
note_cmd "$SHENLIAO_SRC token create --db \$TMP/streams.db --username organizer   # -> \$TOKEN"
AUTH="Authorization: Bearer $TOKEN"
start_shenliao "$DB" --no-flood-limits --max-streams "$N"
start_nginx

open_vote_room 20 "建议延长男性产假，并由财政分担用人单位的成本。"
FIRST=${BENCH_STATEMENTS%%,*}

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$SL_PID/status"; }
hwm_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$SL_PID/status"; }
fanout_ticks() { # CPU clock ticks of the server's fan-out thread (src/http/sse.c names it)
	for t in /proc/"$SL_PID"/task/*; do
		[ "$(cat "$t/comm" 2>/dev/null)" = sse-fanout ] && sed 's/^.*) //' "$t/stat" | awk '{ print $12 + $13 }'
	done | awk '{ s += $1 } END { print s + 0 }'
}

bench_wrk nginx "$NGINX_PID" "$NGINX_URL"
BENCH_NONCE=a1b2c3d4
export BENCH_NONCE
bench_wrk votes-no-streams "$SL_PID" "$SL_URL/" -s bench/votes.lua
RSS0=$(rss_kb)

HOLD=$((WARMUP + DURATION + 4))
echo "bench: opening $N streams from $NSRC source address(es)" >&2
"$TMP/streams" "$HOST" "$SL_PORT" "$SID" "$N" "$NSRC" "$FIRST" "$HOLD" "$PROBES" \
	>"$TMP/streams.out" 2>"$TMP/streams.err" &
CL_PID=$!
note_cmd "\$TMP/streams $HOST $SL_PORT $SID $N $NSRC $FIRST $HOLD $PROBES   # N streams, hold ${HOLD} s, $PROBES probes"
i=0
while ! grep -q '^ready' "$TMP/streams.out" 2>/dev/null; do
	if ! kill -0 "$CL_PID" 2>/dev/null; then
		echo "bench: the stream client ended early:" >&2
		cat "$TMP/streams.out" "$TMP/streams.err" >&2
		exit 1
	fi
	sleep 0.2
	i=$((i + 1))
	[ $i -lt 900 ] || {
		echo "bench: streams not open after 180 s" >&2
		exit 1
	}
done
cat "$TMP/streams.out" >&2
RSS1=$(rss_kb)
FAN0=$(fanout_ticks)
BENCH_NONCE=b1b2c3d4
bench_wrk votes-with-streams "$SL_PID" "$SL_URL/" -s bench/votes.lua
RSS2=$(rss_kb)
wait "$CL_PID" || echo "bench: the stream client reports streams lost (see below)" >&2
HWM=$(hwm_kb)
FAN1=$(fanout_ticks)
cat "$TMP/streams.out" >&2

opened=$(awk '/^opened/ { print $2 }' "$TMP/streams.out")
extra=$(sed -n 's/^extra: //p' "$TMP/streams.out")
read -r _ dn d50 d99 dmax dmiss <<EOF
$(grep '^delays' "$TMP/streams.out")
EOF
read -r _ sv savg smax sfull <<EOF
$(grep '^spread' "$TMP/streams.out")
EOF
atend=$(awk '/^open-at-end/ { print $2 }' "$TMP/streams.out")
nev=$(awk '/^events/ { print $2 }' "$TMP/streams.out")
fan_s=$(awk -v a="$FAN0" -v b="$FAN1" -v hz="$CLK_TCK" 'BEGIN { printf "%.2f", (b - a) / hz }')
fan_us=$(awk -v s="$fan_s" -v n="$nev" 'BEGIN { printf "%.1f", (n > 0 ? s * 1e6 / n : 0) }')
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

{
	echo "### Streams"
	echo
	echo "| figure | value |"
	echo "|---|---:|"
	echo "| streams asked / opened (hello received) | $N / $opened |"
	echo "| one stream more (past --max-streams $N) | $extra |"
	echo "| update delay, vote acknowledged → stream received: probes × streams | $dn (missed $dmiss) |"
	echo "| … p50 / p99 / max ms | $d50 / $d99 / $dmax |"
	echo "| versions fanned out during votes-with-streams; mean / worst spread first→last stream ms; versions that reached every stream | $sv; $savg / $smax; $sfull |"
	echo "| streams still open at the end | $atend |"
	echo "| events received once all were open / fan-out threads' CPU s meanwhile / µs of fan-out CPU per event | $nev / $fan_s / $fan_us |"
	echo "| server RSS before streams / with $N open / after the vote run / peak (MiB) | $((RSS0 / 1024)) / $((RSS1 / 1024)) / $((RSS2 / 1024)) / $((HWM / 1024)) |"
	echo "| server RSS per stream (KiB) | $(awk -v a="$RSS0" -v b="$RSS1" -v n="$N" 'BEGIN { printf "%.2f", (b - a) / n }') |"
	echo "| load average at start / end | $LOAD_START / $LOAD_END |"
	echo
	echo "The delay includes the map worker's debounce (200 ms, src/cli/serve.c's live_start) and"
	echo "the recomputation of the session's map; the spread is the fan-out's own part (the"
	echo "fan-out loops, one per CPU, writing one encoded event to every socket). votes-with-streams against"
	echo "votes-no-streams shows what the open streams and their updates cost the voters."
} >"$EXTRA"

echo >&2
table text >&2
cat "$EXTRA" >&2
write_report
echo "bench: wrote $OUT" >&2
