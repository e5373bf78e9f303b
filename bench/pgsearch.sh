#!/bin/sh
# bench/pgsearch.sh - search on SQLite beside PostgreSQL: the same top 20 in the same order
# (bm25 on both, src/model/search.c) and the time of each, on the demo plus 10,000 sessions
# and 200,000 remarks (bench/gen_load.c), with bench/pgsearch.c.
# Starts its own PostgreSQL 15 (initdb + pg_ctl in a temporary directory, on a free loopback
# port; as the postgres user when run as root) and stops it. Writes bench/results/pgsearch.md.
#   BENCH_REMARKS   remarks to load (default 200000)
#   BENCH_REPS      runs of each query (default 20)
set -eu
cd "$(dirname "$0")/.."
PGBIN=/usr/lib/postgresql/15/bin
PKGS="libmicrohttpd sqlite3 jansson libsodium md4c-html xlsxwriter pangocairo cairo-pdf libqrencode libcurl libzip libxml-2.0"
NREMARKS=${BENCH_REMARKS:-200000}
REPS=${BENCH_REPS:-20}
OUT=${BENCH_OUT:-bench/results/pgsearch.md}
BENCH_QUERIES=${BENCH_QUERIES:-"生育|海洋|托育|养老|教育|医疗|住房|交通|停车|港口|航运|无人机|营商环境|人工智能|低空经济|托育服务|海洋经济|居家养老|公园城市|垃圾分类|碳达峰|妈妈岗|红树林|直饮水|夜间经济|知识产权|城中村|涉外法治|深圳|鹏城|大湾区|发展|问题|企业|生育 就业|海洋 新能源|养老 社区|学位 教师|交通 拥堵|量子计算"}
export BENCH_QUERIES

TMP=$(mktemp -d /tmp/pgsearch.XXXXXX)
PGDATA=$TMP/pg
cleanup() {
	[ -f "$PGDATA/postmaster.pid" ] && as_pg "$PGBIN/pg_ctl" -D "$PGDATA" stop -m fast >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM
as_pg() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
[ "$(id -u)" = 0 ] && chown postgres "$TMP"
PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg "$PGBIN/initdb" -D "$PGDATA" -A trust -U postgres --no-sync -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$TMP/pg.log" -w \
	-o "-c listen_addresses=127.0.0.1 -p $PORT -k $TMP -c fsync=off" start >/dev/null
URL=postgresql://postgres@127.0.0.1:$PORT/postgres

make -s all
# shellcheck disable=SC2086 # PKGS is a list of words
cc -std=c17 -O2 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Isrc -Ibuild/gen \
	-I/usr/include/postgresql $(pkg-config --cflags $PKGS) -o "$TMP/pgsearch" \
	bench/pgsearch.c build/libshenliao.a $(pkg-config --libs $PKGS) -lpq -lpthread -lm
# shellcheck disable=SC2086
cc -std=c17 -O2 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Isrc -Ibuild/gen \
	$(pkg-config --cflags $PKGS) -o "$TMP/gen_load" bench/gen_load.c build/libshenliao.a \
	$(pkg-config --libs $PKGS) -lpq -lpthread -lm
# the data is made once, on PostgreSQL, and copied to SQLite (shenliao copy keeps every id,
# so both hold the same rows under the same rowids: ties are broken alike)
PGDB=${URL%/postgres}/bench
DB=$TMP/s.db
T0=$(date +%s)
SHENLIAO_ADMIN_PASSWORD=bench-pass-1 build/shenliao demo --db "$PGDB" --quiet >/dev/null
"$TMP/gen_load" --db "$PGDB" --mode sessions --sessions 10000 --remarks "$NREMARKS" >"$TMP/gen.log"
T1=$(date +%s)
build/shenliao copy --from "$PGDB" --to "$DB" >/dev/null 2>"$TMP/copy.log"
psql -q "$PGDB" -c "VACUUM ANALYZE search_index"
T2=$(date +%s)
{
	echo "## Search: the same bm25 on SQLite (FTS5) and PostgreSQL (tsvector of the same bigrams)"
	echo
	echo "- $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load average at start: $(cut -d' ' -f1-3 /proc/loadavg); PostgreSQL $("$PGBIN/postgres" --version | cut -d' ' -f3) (fsync off, default settings otherwise), SQLite $(pkg-config --modversion sqlite3)"
	echo "- data: the demo plus 10,000 sessions and $NREMARKS remarks (bench/gen_load.c --mode sessions) made on PostgreSQL in $((T1 - T0)) s, copied to SQLite by shenliao copy in $((T2 - T1)) s: $(psql -qAt "$PGDB" -c 'SELECT count(*) FROM search_index') indexed rows on each"
	"$TMP/pgsearch" --sqlite "$DB" --pg "$PGDB" --reps "$REPS"
	echo
	echo "Made by \`sh bench/pgsearch.sh\` (bench/pgsearch.c: search_query of src/model/search.c on each, as an anonymous visitor):"
	echo
	echo '    build/shenliao demo --db postgresql://postgres@127.0.0.1:PORT/bench --quiet'
	echo "    \$TMP/gen_load --db postgresql://postgres@127.0.0.1:PORT/bench --mode sessions --sessions 10000 --remarks $NREMARKS"
	echo '    build/shenliao copy --from postgresql://postgres@127.0.0.1:PORT/bench --to $TMP/s.db'
	echo "    BENCH_QUERIES=\"生育|海洋|…\" \$TMP/pgsearch --sqlite \$TMP/s.db --pg postgresql://postgres@127.0.0.1:PORT/bench --reps $REPS"
} >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
cat "$OUT"
