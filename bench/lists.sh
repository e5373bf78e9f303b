#!/bin/sh
# bench/lists.sh - the public session list, its first and its 100th page, beside nginx
# serving a static file of the same size (issue 14: >= 0.3x nginx, aim 0.5x; the 100th page
# must cost what the first costs).
#
# One run: a demo database in a temp dir with BENCH_SESSIONS sessions (half of them public
# and held) loaded by bench/gen_load.c (--mode sessions); shenliao and nginx on free
# loopback ports. The pages measured:
#   /sessions                               the list page, first page (anonymous)
#   /sessions?after=KEY&page=100            its 100th page, the address the next links lead
#                                           to (KEY found by following 99 "next" links)
#   /api/v1/sessions?limit=50               the JSON list, first page
#   /api/v1/sessions?limit=50&cursor=ID     its 100th page (99 "next" cursors followed)
# and, for each, nginx serving the very bytes that page answered (saved with curl as a
# static file), so each ratio compares answers of the same size. Also the old address
# /sessions?page=100 (a redirect, made once per old link). Prints a table, writes
# bench/results/lists.md, stops everything, removes the temp dir.
#
# Environment: see bench/lib.sh (BENCH_DURATION, BENCH_CONNECTIONS, BENCH_THREADS,
# BENCH_WARMUP, BENCH_NGINX_WORKERS, SHENLIAO, BENCH_OUT), and
#   BENCH_SESSIONS   sessions to load (default 10000)
#   BENCH_REMARKS    remarks to load (default 20000; the list does not read them)
#   BENCH_KEEP       keep the temp dir (database) when set
set -eu

cd "$(dirname "$0")/.."
. bench/lib.sh

lib_init lists "The public session list, first and 100th page, beside nginx serving the same bytes"

NSESSIONS=${BENCH_SESSIONS:-10000}
NREMARKS=${BENCH_REMARKS:-20000}
PY=/usr/bin/python3

DB=$TMP/lists.db
build_gen_load
make_demo_db "$DB"
echo "bench: loading $NSESSIONS sessions and $NREMARKS remarks ..." >&2
"$GEN_LOAD" --db "$DB" --mode sessions --sessions "$NSESSIONS" --remarks "$NREMARKS" >"$TMP/gen.log"
cat "$TMP/gen.log" >&2
note_cmd "\$TMP/gen_load --db \$TMP/lists.db --mode sessions --sessions $NSESSIONS --remarks $NREMARKS"
sync

start_shenliao "$DB"
start_nginx

# the 100th page's addresses, by following the next links as a reader would
$PY - "$SL_URL" >"$TMP/addr.txt" <<'EOF2'
import html, json, re, sys, urllib.request
base = sys.argv[1]
def get(p):
    return urllib.request.urlopen(base + p).read().decode()
path = "/sessions"
for _ in range(99):
    m = re.search(r'href="([^"]*)" rel="next"', get(path))
    if not m:
        sys.exit("the list has fewer than 100 pages")
    path = html.unescape(m.group(1))
print(path)
cur = None
for _ in range(99):
    d = json.loads(get("/api/v1/sessions?limit=50" + ("&cursor=%s" % cur if cur else "")))
    cur = d["next"]
    if not cur:
        sys.exit("the JSON list has fewer than 100 pages")
print("/api/v1/sessions?limit=50&cursor=%s" % cur)
print(d.get("total", ""))
EOF2
P100=$(sed -n 1p "$TMP/addr.txt")
A100=$(sed -n 2p "$TMP/addr.txt")
TOTAL=$(sed -n 3p "$TMP/addr.txt")
note_cmd "python3: follow 99 rel=\"next\" links from /sessions -> $P100; 99 \"next\" cursors of /api/v1/sessions?limit=50 -> $A100"

# nginx serves each page's own bytes
for pair in "list1.html /sessions" "list100.html $P100" "api1.json /api/v1/sessions?limit=50" "api100.json $A100"; do
	f=${pair%% *}
	curl -s -o "$TMP/www/$f" "$SL_URL${pair#* }"
done
chmod -R a+rX "$TMP/www"
NGINX_BASE=${NGINX_URL%/page.html}
note_cmd "curl -s -o \$TMP/www/list1.html \$SL_URL/sessions (and list100.html, api1.json, api100.json the same way): the static files nginx serves"

bench_wrk nginx-static "$NGINX_PID" "$NGINX_URL"
bench_wrk nginx-list1-bytes "$NGINX_PID" "$NGINX_BASE/list1.html"
bench_wrk sessions-page-1 "$SL_PID" "$SL_URL/sessions"
bench_wrk nginx-list100-bytes "$NGINX_PID" "$NGINX_BASE/list100.html"
bench_wrk sessions-page-100 "$SL_PID" "$SL_URL$P100"
bench_wrk nginx-api1-bytes "$NGINX_PID" "$NGINX_BASE/api1.json"
bench_wrk api-sessions-1 "$SL_PID" "$SL_URL/api/v1/sessions?limit=50"
bench_wrk nginx-api100-bytes "$NGINX_PID" "$NGINX_BASE/api100.json"
bench_wrk api-sessions-100 "$SL_PID" "$SL_URL$A100"

# the old address of page 100: one redirect to the keyset address
OLD=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url} %{time_total}' "$SL_URL/sessions?page=100")
note_cmd "curl -s -o /dev/null -w '%{http_code} %{redirect_url} %{time_total}' \$SL_URL/sessions?page=100"

# each shenliao row against the nginx row serving its bytes: req/s and req per CPU-s
pairs() {
	awk -F '\t' -v fmt="$1" '
	{ rps[$1] = $3; eff[$1] = $12 > 0 ? $8 / $12 : 0; p99[$1] = $6; kb[$1] = $15 / 1024 }
	END {
		split("sessions-page-1 nginx-list1-bytes sessions-page-100 nginx-list100-bytes api-sessions-1 nginx-api1-bytes api-sessions-100 nginx-api100-bytes", p, " ")
		if (fmt == "md") { print "| page | KB | shenliao req/s | nginx req/s (same bytes) | ratio req/s | shenliao req per CPU-s | nginx req per CPU-s | ratio per CPU-s | shenliao p99 ms |"; print "|---|---:|---:|---:|---:|---:|---:|---:|---:|" }
		for (i = 1; i <= 8; i += 2) {
			a = p[i]; b = p[i + 1]
			r = rps[b] > 0 ? rps[a] / rps[b] : 0; e = eff[b] > 0 ? eff[a] / eff[b] : 0
			if (fmt == "md") printf "| %s | %.1f | %.0f | %.0f | %.3f | %.0f | %.0f | %.3f | %.2f |\n", a, kb[a], rps[a], rps[b], r, eff[a], eff[b], e, p99[a]
			else printf "%-18s %6.1f KB  %8.0f req/s vs nginx %8.0f: %.3fx   per CPU-s %7.0f vs %7.0f: %.3fx   p99 %.2f ms\n", a, kb[a], rps[a], rps[b], r, eff[a], eff[b], e, p99[a]
		}
	}' "$ROWS"
}

{
	echo "### The pages beside nginx serving their own bytes"
	echo
	echo "Each shenliao row is compared with the nginx row that served the very bytes that page answered (saved with curl), so the ratios compare answers of the same size. \"req per CPU-s\" is requests per second of the server's own CPU time, which the other work on this shared 2-core machine disturbs far less than req/s."
	echo
	pairs md
	echo
	echo "- public sessions listed (the JSON total, from the kept counts): $TOTAL"
	echo "- page 100 of the list page: \`$P100\`; of the JSON list: \`$A100\`"
	echo "- the old address /sessions?page=100: \`$OLD\` (status, where it leads, seconds): found once with OFFSET, then the keyset address"
	echo
	echo '```'
	cat "$TMP/gen.log"
	echo '```'
} >>"$EXTRA"

echo
table text
echo
pairs text
write_report
echo
echo "bench: wrote $OUT"
