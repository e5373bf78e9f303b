#!/bin/sh
# tests/fuzz/run.sh BUILD_DIR SECONDS - runs every fuzz target in BUILD_DIR/fuzz/ (built by
# `make FUZZ=1 fuzz-bins`) for SECONDS each, one after the other, from its seeds
# (tests/fuzz/corpus/NAME/ and tests/fuzz/regressions/NAME/, only read). New interesting
# inputs go to BUILD_DIR/corpus/NAME/ (kept between runs, never in the repository), crashes
# to BUILD_DIR/crashes/NAME/. Prints a table of executions per target and writes it to
# bench/results/fuzz.md. Exits non-zero when a target crashed: reproduce with
# `BUILD_DIR/fuzz/fuzz_NAME FILE`, fix the code, and keep FILE in tests/fuzz/regressions/NAME/.
set -u
cd "$(dirname "$0")/../.."
build=${1:-build-fuzz}
secs=${2:-60}
out=bench/results/fuzz.md
logs=$build/fuzz-logs
mkdir -p "$logs" bench/results
rows=""
crashed=0
for bin in "$build"/fuzz/fuzz_*; do
	case $bin in *.d) continue ;; esac
	[ -x "$bin" ] || continue
	name=${bin##*/fuzz_}
	seeds=tests/fuzz/corpus/$name
	regs=tests/fuzz/regressions/$name
	work=$build/corpus/$name
	crashes=$build/crashes/$name
	mkdir -p "$work" "$crashes"
	dirs="$work $seeds"
	[ -d "$regs" ] && dirs="$dirs $regs"
	dict=""
	[ -f "tests/fuzz/$name.dict" ] && dict="-dict=tests/fuzz/$name.dict"
	nseeds=$(find $seeds ${regs} -type f 2>/dev/null | wc -l)
	echo "fuzz $name: ${secs}s from $nseeds seeds" >&2
	# shellcheck disable=SC2086
	"$bin" -max_total_time="$secs" -print_final_stats=1 -timeout=20 -rss_limit_mb=2560 \
		-max_len=65536 -artifact_prefix="$crashes/" $dict $dirs >"$logs/$name.log" 2>&1
	rc=$?
	execs=$(grep 'stat::number_of_executed_units' "$logs/$name.log" | tail -1 | awk '{print $2}')
	added=$(grep 'stat::new_units_added' "$logs/$name.log" | tail -1 | awk '{print $2}')
	cov=$(grep -o 'cov: [0-9]*' "$logs/$name.log" | tail -1 | awk '{print $2}')
	result=ok
	if [ "$rc" -ne 0 ]; then
		crashed=1
		art=$(grep -o "Test unit written to [^ ]*" "$logs/$name.log" | tail -1 | sed 's/.* //')
		result="crash ${art:-(see $logs/$name.log)}"
		grep -m1 -A12 'ERROR:\|invariant failed\|runtime error' "$logs/$name.log" >&2
	fi
	rows="$rows| $name | $secs | ${execs:-0} | $(( ${execs:-0} / secs )) | ${cov:-?} | ${added:-0} | $nseeds | $result |
"
done
# the hand-written "## Long runs" section at the end of $out (longer runs of one target, with
# what they were for) is kept below the new table
kept=""
[ -f "$out" ] && kept=$(sed -n '/^## Long runs/,$p' "$out")
table="| target | seconds | executions | per second | coverage (edges) | new inputs | seeds | result |
|---|---:|---:|---:|---:|---:|---:|---|
$rows"
{
	echo "## Fuzz targets (libFuzzer, clang -fsanitize=fuzzer,address,undefined)"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo "- machine: nproc $(nproc), load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "- $(clang --version | head -1)"
	echo "- each target ran alone for $secs s (\`make fuzz FUZZ_SECONDS=$secs\`), from its seeds in"
	echo "  tests/fuzz/corpus/ and tests/fuzz/regressions/; what the targets drive is said at the"
	echo "  top of each tests/fuzz/fuzz_NAME.c"
	echo
	printf '%s' "$table"
	echo
	echo "\"executions\" is libFuzzer's stat::number_of_executed_units (-print_final_stats=1);"
	echo "\"new inputs\" are those it found adding coverage (kept in $build/corpus/, not committed)."
	if [ -n "$kept" ]; then
		echo
		printf '%s\n' "$kept"
	fi
} >"$out"
echo
printf '%s' "$table"
echo "(written to $out)"
exit "$crashed"
