#!/bin/sh
# bench/locksim.sh - a simulation for docs/SCALE.md: what the one write lock of the PostgreSQL
# backend (pg_advisory_xact_lock of one fixed key in db_begin_write, src/db/db_pg.c) costs
# a vote-shaped transaction, against a lock per session and no lock. pgbench, 64 clients, on a
# private PostgreSQL 15 (initdb + pg_ctl in a temp dir, 127.0.0.1, a free port from 55494 on;
# fsync on, synchronous_commit off as bench/backends.sh). Each transaction: BEGIN, the
# advisory lock, the vote upsert, the per-minute tally upsert, COMMIT - the shape of
# PUT /api/v1/statements/{id}/vote without HTTP and without the model's reads.
#   global      one key for every transaction (today)
#   session     a key per session, votes spread over BENCH_LOCK_SESSIONS sessions (default 100)
#   one-session a key per session, every vote in one session (the national session)
#   none        no advisory lock
# Environment: BENCH_DURATION seconds per run (default 10), BENCH_CONNECTIONS (default 64),
# BENCH_OUT (default bench/results/locksim.md).
set -eu
cd "$(dirname "$0")/.."
PGBIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
DURATION=${BENCH_DURATION:-10}
CLIENTS=${BENCH_CONNECTIONS:-64}
NSESS=${BENCH_LOCK_SESSIONS:-100}
OUT=${BENCH_OUT:-bench/results/locksim.md}
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

as_pg() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/shenliao-locksim.XXXXXX")
cleanup() {
	[ -f "$TMP/data/postmaster.pid" ] && as_pg "$PGBIN/pg_ctl" -D "$TMP/data" -w -m fast stop >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM
[ "$(id -u)" = 0 ] && chown postgres "$TMP"
as_pg "$PGBIN/initdb" -D "$TMP/data" -A trust -U postgres --no-sync -E UTF8 --locale=C.UTF-8 >/dev/null
PORT=55494
while ss -Htln "sport = :$PORT" | grep -q .; do PORT=$((PORT + 1)); done
OPTS="-c listen_addresses=127.0.0.1 -p $PORT -k $TMP -c fsync=on -c synchronous_commit=off -c max_connections=300"
as_pg "$PGBIN/pg_ctl" -D "$TMP/data" -l "$TMP/log" -w -o "$OPTS" start >/dev/null
URL=postgresql://postgres@127.0.0.1:$PORT/postgres
psql -q -v ON_ERROR_STOP=1 "$URL" <<'EOF'
CREATE TABLE vote (session_id BIGINT NOT NULL, statement_id BIGINT NOT NULL,
	participant_id BIGINT NOT NULL, value INTEGER NOT NULL, at BIGINT NOT NULL,
	PRIMARY KEY (statement_id, participant_id));
CREATE TABLE vote_tally (statement_id BIGINT NOT NULL, minute BIGINT NOT NULL,
	agree INTEGER NOT NULL DEFAULT 0, disagree INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (statement_id, minute));
EOF

# script MODE: a pgbench script for the mode
script() {
	echo "\\set s random(1, $NSESS)"
	[ "$1" = one-session ] && echo "\\set s 1"
	echo "\\set st :s * 1000 + random(1, 100)"
	echo "\\set p random(1, 1000000000)"
	echo "\\set v random(-1, 1)"
	echo "BEGIN;"
	case $1 in
	global) echo "SELECT pg_advisory_xact_lock(1);" ;;
	session | one-session) echo "SELECT pg_advisory_xact_lock(1000 + :s);" ;;
	esac
	echo "INSERT INTO vote VALUES (:s, :st, :p, :v, 0) ON CONFLICT (statement_id, participant_id) DO UPDATE SET value = excluded.value;"
	echo "INSERT INTO vote_tally (statement_id, minute, agree) VALUES (:st, 0, 1) ON CONFLICT (statement_id, minute) DO UPDATE SET agree = vote_tally.agree + 1;"
	echo "COMMIT;"
}

: >"$TMP/rows"
for mode in global session one-session none; do
	script "$mode" >"$TMP/$mode.sql"
	as_pg "$PGBIN/pgbench" -n -M prepared -c "$CLIENTS" -j 2 -T "$DURATION" -f "$TMP/$mode.sql" \
		"$URL" >"$TMP/$mode.out" 2>&1 || {
		cat "$TMP/$mode.out" >&2
		exit 1
	}
	tps=$(awk '/^tps = / { printf "%.0f", $3 }' "$TMP/$mode.out")
	lat=$(awk '/^latency average = / { print $4 }' "$TMP/$mode.out")
	echo "bench: $mode: $tps transactions/s, average latency $lat ms" >&2
	printf '| %s | %s | %s |\n' "$mode" "$tps" "$lat" >>"$TMP/rows"
done
{
	echo "## The write lock, simulated (pgbench, vote-shaped transactions)"
	echo
	echo "- $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load average at start: $LOAD_START (a shared machine); PostgreSQL $("$PGBIN/postgres" --version | cut -d' ' -f3), fsync on, synchronous_commit off"
	echo "- pgbench -n -M prepared -c $CLIENTS -j 2 -T $DURATION; each transaction: BEGIN; [pg_advisory_xact_lock(key);] the vote upsert; the tally upsert; COMMIT"
	echo "- global: one key (today's db_begin_write); session: a key per session over $NSESS sessions; one-session: every vote in one session; none: no advisory lock"
	echo
	echo "| lock | transactions/s | average latency ms |"
	echo "|---|---:|---:|"
	cat "$TMP/rows"
	echo
	echo "Made by \`sh bench/locksim.sh\`."
} >"$OUT"
cat "$OUT"
