#!/bin/sh
# bench/pgjson.sh - json or jsonb for the JSON columns on PostgreSQL (docs/POSTGRESQL.md,
# "Types chosen"). Not a target of `make bench` (no HTTP, no nginx reference): it measures
# the one choice, on the demo's own opinion snapshot (the largest JSON the model writes and
# reads, ~9.6 KB), in the same run for both types:
#   - write: INSERT of N rows of the snapshot text into a json and a jsonb column;
#   - read: the rows back as text (what the driver hands db_col_text);
#   - whether the text comes back byte for byte (the audit chain hashes it; the snapshot is
#     served as stored on both backends).
# Each step runs ROUNDS times interleaved; the report gives the median ms.
#
#   sh bench/pgjson.sh postgresql://postgres@127.0.0.1:55610/     (scripts/pg.sh start prints it)
#
# Environment: PGJSON_ROWS (default 5000), PGJSON_ROUNDS (default 5), SHENLIAO (build/shenliao).
set -eu

base=${1:?usage: sh bench/pgjson.sh BASE_URI}
rows=${PGJSON_ROWS:-5000}
rounds=${PGJSON_ROUNDS:-5}
bin=${SHENLIAO:-build/shenliao}
out=${BENCH_OUT:-bench/results/pgjson.md}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
case $base in */) ;; *) base=$base/ ;; esac
uri=${base}pgjson_bench

SHENLIAO_ADMIN_PASSWORD=bench-pass-1 "$bin" demo --db "$tmp/demo.db" >/dev/null 2>&1
sqlite3 "$tmp/demo.db" "SELECT snapshot FROM opinion_snapshot ORDER BY length(snapshot) DESC LIMIT 1" \
	>"$tmp/snap.json"
bytes=$(wc -c <"$tmp/snap.json")
psql -q "${base}postgres" -c "DROP DATABASE IF EXISTS pgjson_bench" -c "CREATE DATABASE pgjson_bench"

# one psql session: the snapshot as a variable, \timing lines parsed afterwards
p() { printf '%s\n' "$1"; }
{
	p "\set snap \`cat $tmp/snap.json\`"
	p "CREATE TABLE jt (id int, s json); CREATE TABLE jbt (id int, s jsonb);"
	p "\timing on"
	i=0
	while [ "$i" -lt "$rounds" ]; do
		p "\echo write json"
		p "INSERT INTO jt SELECT g, :'snap' FROM generate_series(1, $rows) g;"
		p "\echo write jsonb"
		p "INSERT INTO jbt SELECT g, :'snap' FROM generate_series(1, $rows) g;"
		p "\echo read json"
		p "SELECT sum(length(s::text)) FROM jt;"
		p "\echo read jsonb"
		p "SELECT sum(length(s::text)) FROM jbt;"
		p "\echo other"
		p "TRUNCATE jt, jbt;"
		i=$((i + 1))
	done
	p "\timing off"
	p "INSERT INTO jt VALUES (1, :'snap'); INSERT INTO jbt VALUES (1, :'snap');"
	p "\echo same json"
	p "SELECT (SELECT s::text FROM jt) = :'snap';"
	p "\echo same jsonb"
	p "SELECT (SELECT s::text FROM jbt) = :'snap';"
	p "\echo length jsonb"
	p "SELECT length((SELECT s::text FROM jbt));"
} | psql -X -A -t "$uri" >"$tmp/log" 2>&1
psql -q "${base}postgres" -c "DROP DATABASE pgjson_bench"

# median of the "Time: N ms" lines after each label
med() {
	awk -v want="$1" '
		/^(write|read|other)/ { label = $0; next }
		/^Time:/ && label == want { print $2 }
	' "$tmp/log" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
after() { awk -v want="$1" 'f { print; exit } $0 == want { f = 1 }' "$tmp/log"; }
wj=$(med "write json")
wb=$(med "write jsonb")
rj=$(med "read json")
rb=$(med "read jsonb")
sj=$(after "same json")
sb=$(after "same jsonb")
lb=$(after "length jsonb")
load=$(cut -d' ' -f1-3 /proc/loadavg)

mkdir -p "$(dirname "$out")"
cat >"$out" <<EOF
# json or jsonb (bench/pgjson.sh)

The demo's opinion snapshot ($bytes bytes), $rows rows per step, median of $rounds
interleaved rounds, PostgreSQL 15 from \`scripts/pg.sh\` (fsync off), load average $load on
$(nproc) CPUs (shared: the figures are noisy, the ratios less so).

    sh bench/pgjson.sh $base

| | json | jsonb | jsonb / json |
|---|---|---|---|
| write $rows rows (ms) | $wj | $wb | $(awk -v a="$wb" -v b="$wj" 'BEGIN { printf "%.2f", a / b }') |
| read them back as text (ms) | $rj | $rb | $(awk -v a="$rb" -v b="$rj" 'BEGIN { printf "%.2f", a / b }') |
| text back byte for byte | $sj | $sb (jsonb gives $lb bytes) | |
EOF
cat "$out"
