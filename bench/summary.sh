#!/bin/sh
# bench/summary.sh - the last step of `make bench`: issue 14's table of targets, each row read
# from the report the bench script that measured it wrote in this run (bench/results/*.md),
# with the nginx reference of that same run beside it. Prints the table and writes it to
# bench/results/summary.md. Reads only; a row whose report is missing says so.
#
# Environment: BENCH_RESULTS (default bench/results), BENCH_OUT (default
# $BENCH_RESULTS/summary.md).
set -eu

cd "$(dirname "$0")/.."
R=${BENCH_RESULTS:-bench/results}
OUT=${BENCH_OUT:-$R/summary.md}

# wrk_field FILE TARGET N: field N of the wrk table row TARGET (3 req/s, 7 p99 ms,
# 14 req per CPU-s), empty when absent
wrk_field() {
	[ -f "$1" ] || return 0
	awk -F'|' -v t="$2" -v n="$3" '
		{ name = $2; gsub(/ /, "", name) }
		name == t && $3 ~ /http/ { v = $(n + 1); gsub(/ /, "", v); print v; exit }' "$1"
}

# figure FILE LABEL: the value column of the first "| LABEL... | value |" row
figure() {
	[ -f "$1" ] || return 0
	awk -F'|' -v l="$2" 'index($2, l) == 2 { v = $3; gsub(/^ +| +$/, "", v); print v; exit }' "$1"
}

ratio() {
	awk -v a="${1:-}" -v b="${2:-}" 'BEGIN {
		if (a == "" || b == "" || b + 0 == 0) print "-"; else printf "%.2f", a / b }'
}

# verdict VALUE OP LIMIT: "yes" when VALUE OP LIMIT holds, "no", or "-" without a value
verdict() {
	awk -v v="${1:-}" -v op="$2" -v l="$3" 'BEGIN {
		if (v == "" || v == "-") { print "-"; exit }
		ok = (op == ">=") ? (v + 0 >= l + 0) : (v + 0 < l + 0)
		print ok ? "yes" : "no" }'
}

# ROW: a wrk row against an nginx row of the same report: req/s ratio and per-CPU-s ratio
wrk_row() { # WORKLOAD FILE TARGET NGINX_TARGET MUST
	f=$R/$2
	rs=$(wrk_field "$f" "$3" 3)
	p99=$(wrk_field "$f" "$3" 7)
	cpu=$(wrk_field "$f" "$3" 14)
	nrs=$(wrk_field "$f" "$4" 3)
	ncpu=$(wrk_field "$f" "$4" 14)
	r1=$(ratio "$rs" "$nrs")
	r2=$(ratio "$cpu" "$ncpu")
	printf '| %s | %s req/s, p99 %s ms | %s req/s (`%s`) | %s× | %s× | ≥ %s× | %s / %s |\n' \
	    "$1" "${rs:--}" "${p99:--}" "${nrs:--}" "$4" "$r1" "$r2" "$5" \
	    "$(verdict "$r1" ">=" "$5")" "$(verdict "$r2" ">=" "$5")"
}

{
	echo "## Issue 14's targets, from this run's reports"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'); git HEAD $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
	echo "- each row is read from the report named in it; the nginx column is the reference that"
	echo "  script measured in its own run (a static file of the same bytes where the script serves"
	echo "  one). \"holds\" is by requests/s / by requests per server CPU-second; on a machine other"
	echo "  work loads (each report gives its load average and other CPU %), the second is the"
	echo "  figure to trust."
	echo
	echo "| workload | shenliao | nginx, same run | ÷ nginx (req/s) | ÷ nginx (per CPU-s) | must reach | holds |"
	echo "|---|---:|---:|---:|---:|---|---|"
	wrk_row "durable anonymous votes (votes.md)" votes.md votes-per-conn nginx-static 0.25
	wrk_row "public session page (sessions.md)" sessions.md session-page nginx-page-bytes 0.5
	wrk_row "public session list, first page (lists.md)" lists.md sessions-page-1 nginx-list1-bytes 0.3
	wrk_row "public session list, 100th page (lists.md)" lists.md sessions-page-100 nginx-list100-bytes 0.3
	echo
	echo "| workload | figure | must reach | holds |"
	echo "|---|---|---|---|"
	for w in search-16-words search-1000-words; do
		rs=$(wrk_field "$R/search.md" "$w" 3)
		p99=$(wrk_field "$R/search.md" "$w" 7)
		cpu=$(wrk_field "$R/search.md" "$w" 14)
		printf '| search, 64 clients, `%s` (search.md) | %s req/s, p99 %s ms, %s req per CPU-s | ≥ 2,000 req/s | %s |\n' \
		    "$w" "${rs:--}" "${p99:--}" "${cpu:--}" "$(verdict "$rs" ">=" 2000)"
	done
	p99=$(awk -F'|' '{ n = $2; gsub(/ /, "", n) } n == "api-stats-subtree-changed" { v = $8; gsub(/ /, "", v); print v; exit }' "$R/stats.md" 2>/dev/null || true)
	med=$(awk -F'|' '{ n = $2; gsub(/ /, "", n) } n == "api-stats-subtree-changed" { v = $5; gsub(/ /, "", v); print v; exit }' "$R/stats.md" 2>/dev/null || true)
	printf '| statistics right after a change, `api-stats-subtree-changed` (stats.md) | median %s ms, p99 %s ms | < 50 ms | %s |\n' \
	    "${med:--}" "${p99:--}" "$(verdict "$p99" "<" 50)"
	opened=$(figure "$R/streams.md" "streams asked / opened")
	delay=$(figure "$R/streams.md" "… p50 / p99 / max ms")
	over=$(figure "$R/streams.md" "one stream more")
	d99=$(echo "${delay:-}" | awk -F'/' '{ gsub(/ /, "", $2); print $2 }')
	printf '| live-map streams (streams.md) | %s opened; update delay p50/p99/max %s ms; one more: %s | 10,000 streams, p99 < 2 s | %s |\n' \
	    "${opened:--}" "${delay:--}" "${over:--}" "$(verdict "$d99" "<" 2000)"
	w1=$(figure "$R/opinion.md" "full computation, wall (1 thread)")
	w2=$(figure "$R/opinion.md" "full computation, wall (2 threads)")
	mem=$(figure "$R/opinion.md" "full computation, peak memory")
	faster=$(awk -v a="${w1% s}" -v b="${w2% s}" 'BEGIN { if (a == "" || b == "") print "-"; else print (b + 0 < a + 0) ? "yes" : "no" }')
	printf '| opinion, 1M participants (opinion.md) | 1 thread %s, 2 threads %s, peak %s | 2 threads faster than 1 | %s |\n' \
	    "${w1:--}" "${w2:--}" "${mem:--}" "$faster"
	if [ -f "$R/votes_crash.md" ]; then
		kills=$(awk -F'|' '$2 ~ /^ *[0-9]+ *$/ { n++ } END { print n + 0 }' "$R/votes_crash.md")
		lost=$(awk -F'|' '$2 ~ /^ *[0-9]+ *$/ && $7 !~ /yes/ { n++ } END { print n + 0 }' "$R/votes_crash.md")
		printf '| kill -9 under vote load (votes_crash.md) | %s kills, %s with an acknowledged vote lost | none lost | %s |\n' \
		    "$kills" "$lost" "$([ "$kills" -gt 0 ] && [ "$lost" -eq 0 ] && echo yes || echo no)"
	else
		echo "| kill -9 under vote load | no report (bench/votes_crash.sh) | none lost | - |"
	fi
} >"$OUT"
cat "$OUT"
