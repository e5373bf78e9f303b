#!/bin/sh
# bench/search.sh - search under 64 concurrent clients (issue 14: 2-character words, must
# reach 2,000 req/s, aim p99 < 50 ms), beside nginx serving a static file in the same run.
#
# One run: the demo database loaded by bench/gen_load.c (--mode sessions); shenliao and nginx
# on free loopback ports; wrk -t1 -c64 --latency on
#   nginx's static file (the reference),
#   /api/v1/search?q=W rotating over 16 two-character words (bench/search.lua): after the
#     first pass every answer comes from the result cache (src/model/search.c),
#   /api/v1/search?q=W rotating over 1,000 distinct two-character words taken from the
#     remarks: the cache (16 shards of 8 answers, least recently used out) cannot keep 1,000
#     answers asked in turn, so nearly every request runs the query: the uncached path, what
#     a word nobody asked before costs;
#   the 16 words again on a server started with SHENLIAO_SEARCH_CACHE=off (no cache at all).
# The 16 are the two-character words of bench/sessions.sh's list (theme words found in a few
# percent of the remarks, and 发展, 问题, 企业 found in a third to nine tenths of them); the
# 1,000 are CJK bigrams of the remarks' text found in at least 20 remarks (so each has hits),
# picked at random with a fixed seed. The report gives how many remarks hold them. Writes
# bench/results/search.md.
#
# Environment: see bench/lib.sh (BENCH_DURATION, BENCH_CONNECTIONS, BENCH_THREADS,
# BENCH_WARMUP, SHENLIAO, BENCH_OUT), and
#   BENCH_SIZE   "large" (10,000 sessions, 200,000 remarks: the default, as bench/sessions.sh)
#                or "small" (1,000 sessions, 20,000 remarks)
#   BENCH_KEEP   keep the temp dir (database) when set
set -eu

cd "$(dirname "$0")/.."
. bench/lib.sh

lib_init search "Search under 64 clients: 16 words (cached) and 1,000 distinct words (uncached), beside nginx"

bench_size large
PY=/usr/bin/python3

# ---- data ------------------------------------------------------------------------------

DB=$TMP/search.db
build_gen_load
make_demo_db "$DB"
echo "bench: loading $NSESSIONS sessions and $NREMARKS remarks ..." >&2
"$GEN_LOAD" --db "$DB" --mode sessions --sessions "$NSESSIONS" --remarks "$NREMARKS" >"$TMP/gen.log"
cat "$TMP/gen.log" >&2
note_cmd "\$TMP/gen_load --db \$TMP/search.db --mode sessions --sessions $NSESSIONS --remarks $NREMARKS"
sync

# the words: CJK bigrams of the remarks found in >= 20 of them; 16 and 1,000 at random
$PY - "$DB" "$TMP" <<'EOF'
import random, sqlite3, sys
db, tmp = sys.argv[1], sys.argv[2]
c = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
df = {}
def cjk(ch):
    return "\u4e00" <= ch <= "\u9fff"
for (body,) in c.execute("SELECT body FROM remark"):
    seen = set()
    for a, b in zip(body, body[1:]):
        if cjk(a) and cjk(b):
            seen.add(a + b)
    for w in seen:
        df[w] = df.get(w, 0) + 1
words = sorted(w for w, n in df.items() if n >= 20)
rnd = random.Random(14)
many = rnd.sample(words, min(1000, len(words)))
few = "生育 海洋 托育 养老 教育 医疗 住房 交通 停车 港口 航运 深圳 鹏城 发展 问题 企业".split()
for name, ws in (("few", few), ("many", many)):
    with open("%s/words-%s.txt" % (tmp, name), "w") as f:
        f.write("|".join(ws))
    n = sorted(df.get(w, 0) for w in ws)
    with open("%s/words-%s.stats" % (tmp, name), "w") as f:
        f.write("%d words; remarks holding each: min %d, median %d, max %d, mean %.0f\n" % (
            len(ws), n[0], n[len(n) // 2], n[-1], sum(n) / len(n)))
EOF
note_cmd "python3: CJK bigrams of SELECT body FROM remark found in >= 20 remarks; random.Random(14).sample(1000); the 16: 生育 海洋 托育 养老 教育 医疗 住房 交通 停车 港口 航运 深圳 鹏城 发展 问题 企业"

start_shenliao "$DB"
start_nginx

# ---- throughput --------------------------------------------------------------------------

bench_wrk nginx-static "$NGINX_PID" "$NGINX_URL"
BENCH_QUERIES=$(cat "$TMP/words-few.txt")
export BENCH_QUERIES
note_cmd "BENCH_QUERIES=<the 16 words, |-separated> for the next run"
bench_wrk search-16-words "$SL_PID" "$SL_URL/api/v1/search" -s bench/search.lua
BENCH_QUERIES=$(cat "$TMP/words-many.txt")
export BENCH_QUERIES
note_cmd "BENCH_QUERIES=<the 1,000 words, |-separated> for the next run"
bench_wrk search-1000-words "$SL_PID" "$SL_URL/api/v1/search" -s bench/search.lua
# the 16 words again with the cache off: what each of them costs when nobody asked before
stop_shenliao
SHENLIAO_SEARCH_CACHE=off
export SHENLIAO_SEARCH_CACHE
start_shenliao "$DB"
unset SHENLIAO_SEARCH_CACHE
note_cmd "(the server above started again with SHENLIAO_SEARCH_CACHE=off: no result cache)"
BENCH_QUERIES=$(cat "$TMP/words-few.txt")
export BENCH_QUERIES
bench_wrk search-16-words-nocache "$SL_PID" "$SL_URL/api/v1/search" -s bench/search.lua

# ---- report ---------------------------------------------------------------------------------

row() { awk -F'\t' -v n="$1" -v c="$2" '$1 == n { print $c }' "$ROWS"; }
percpu() { awk -F'\t' -v n="$1" '$1 == n { printf "%.0f", ($12 > 0 ? $8 / $12 : 0) }' "$ROWS"; }
verdict() { awk -v v="$1" -v aim="$2" -v dir="$3" 'BEGIN {
	ok = dir == "min" ? v + 0 >= aim + 0 : v + 0 < aim + 0; print ok ? "meets" : "misses" }'; }
{
	echo "### Words"
	echo
	echo "- 16 words: $(cat "$TMP/words-few.stats")"
	echo "- 1,000 words: $(cat "$TMP/words-many.stats")"
	echo "- the 16: $(tr '|' ' ' <"$TMP/words-few.txt")"
	echo
	echo "### Against the aims (issue 14: 2-character words, 64 clients)"
	echo
	for n in search-16-words search-1000-words search-16-words-nocache; do
		rps=$(row "$n" 3)
		p99=$(row "$n" 6)
		echo "- $n: $rps req/s ($(percpu "$n") per CPU-second of the server), $(verdict "$rps" 2000 min) >= 2,000 req/s; p99 $p99 ms, $(verdict "$p99" 50 max) < 50 ms"
	done
	echo
	echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg). On 2 shared cores the req/s figures move with the other work; the requests per CPU-second of the server are the steadier measure."
} >>"$EXTRA"

echo
table text
write_report
echo
echo "bench: wrote $OUT"
