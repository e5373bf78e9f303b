#!/bin/sh
# Runs every test suite and ends with one line totalled over all of them:
#   N passed, N failed
# Suites: format (clang-format), layers (scripts/layers.sh), unit (cmocka), http (node:test
# against a live server), e2e (playwright-core + Debian chromium), then unit and http again
# under ASan+UBSan, with the fuzz targets' seed and regression inputs (fuzz-corpus) replayed
# once under ASan+UBSan too; then the model's unit tests, the PostgreSQL driver's, the SQL
# portability scan of the model (sqlscan) and the HTTP
# suites and the browser suite again against PostgreSQL 15 (unit-pg, http-pg, e2e-pg; e2e-pg
# adds about 2.5 min: 145 s for 27 tests on a loaded 2-core machine): a private server started by
# scripts/pg.sh in a temporary directory on a free loopback port, stopped at the end.
# Exits non-zero when anything failed. Called by `make check` (after scripts/deps.sh check).
set -u
cd "$(dirname "$0")/.."

out=test-output
mkdir -p "$out"
total_pass=0
total_fail=0

# count NAME PASS FAIL: add a suite's figures to the totals and print them.
count() {
	printf '== %-18s %d passed, %d failed\n' "$1" "$2" "$3"
	total_pass=$((total_pass + $2))
	total_fail=$((total_fail + $3))
}

# tap_counts FILE: "PASS FAIL" from TAP lines (cmocka's "ok N - x" / "not ok N - x", and
# node's "# pass N" / "# fail N" summary when present).
tap_counts() {
	if grep -q '^# pass ' "$1"; then
		p=$(grep '^# pass ' "$1" | tail -1 | awk '{print $3}')
		f=$(grep '^# fail ' "$1" | tail -1 | awk '{print $3}')
		echo "${p:-0} ${f:-0}"
	else
		p=$(grep -c '^ok ' "$1")
		f=$(grep -c '^not ok ' "$1")
		echo "$p $f"
	fi
}

# run_unit BUILD_DIR LABEL [PATTERN]: the unit tests (PATTERN: only test_PATTERN*)
run_unit() {
	dir=$1
	label=$2
	pat=${3:-}
	log="$out/$label.log"
	: >"$log"
	crashed=0
	for t in "$dir"/tests/test_$pat*; do
		case $t in *.d) continue ;; esac
		[ -x "$t" ] || continue
		if ! CMOCKA_MESSAGE_OUTPUT=TAP "$t" >>"$log" 2>&1; then
			# a failed assertion shows as "not ok"; a crash or sanitizer abort may not
			if ! grep -q '^not ok ' "$log"; then
				echo "not ok - $t exited with failure" >>"$log"
			fi
		fi
	done
	set -- $(tap_counts "$log")
	[ "$2" -gt 0 ] && grep -B2 -A12 '^not ok' "$log" | head -80
	count "$label" "$1" "$2"
}

# run_node LABEL BINARY FILES...
run_node() {
	label=$1
	bin=$2
	shift 2
	log="$out/$label.log"
	SHENLIAO_BIN=$bin node --test --test-reporter=tap --test-concurrency=1 "$@" >"$log" 2>&1
	rc=$?
	set -- $(tap_counts "$log")
	p=$1
	f=$2
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1 # the runner itself failed (e.g. a file did not load)
		tail -40 "$log"
	fi
	[ "$f" -gt 0 ] && grep -B2 -A30 '^not ok\|^    not ok' "$log" | head -150
	count "$label" "$p" "$f"
}

# run_fuzz_corpus BUILD_DIR: every seed and regression input of each fuzz target, once, through
# the target linked with tests/fuzz/driver.c (no fuzzing; see tests/fuzz/README.md). Counts
# inputs; when a target fails, its inputs are run one by one to name the failing ones.
run_fuzz_corpus() {
	dir=$1
	log="$out/fuzz-corpus.log"
	: >"$log"
	if ! make --no-print-directory -j2 SAN=1 fuzz-bins >>"$log" 2>&1; then
		tail -40 "$log"
		count fuzz-corpus 0 1
		return
	fi
	fp=0
	ff=0
	for t in "$dir"/fuzz/fuzz_*; do
		case $t in *.d) continue ;; esac
		[ -x "$t" ] || continue
		name=${t##*/fuzz_}
		files=$(find "tests/fuzz/corpus/$name" "tests/fuzz/regressions/$name" -type f \
			2>/dev/null | sort)
		[ -n "$files" ] || continue
		n=$(echo "$files" | wc -l)
		# shellcheck disable=SC2086
		if "$t" $files >>"$log" 2>&1; then
			fp=$((fp + n))
			continue
		fi
		for f in $files; do
			if "$t" "$f" >>"$log" 2>&1; then
				fp=$((fp + 1))
			else
				ff=$((ff + 1))
				echo "not ok - fuzz_$name $f" | tee -a "$log"
			fi
		done
	done
	[ "$ff" -gt 0 ] && grep -m3 -A20 'ERROR: \|invariant failed\|runtime error' "$log" | head -80
	count fuzz-corpus "$fp" "$ff"
}

# 1. style
if make --no-print-directory format-check >"$out/format.log" 2>&1; then
	count format 1 0
else
	head -40 "$out/format.log"
	count format 0 1
fi

# 1b. layering (scripts/layers.sh: includes point down, no SQL above the model)
if sh scripts/layers.sh >"$out/layers.log" 2>&1; then
	count layers 1 0
else
	cat "$out/layers.log"
	count layers 0 1
fi

# 2. build (a failed build fails everything after it)
if ! make --no-print-directory -j2 test-bins >"$out/build.log" 2>&1; then
	tail -40 "$out/build.log"
	count build 0 1
	echo "$total_pass passed, $total_fail failed"
	exit 1
fi
count build 1 0

{ [ -d node_modules/playwright-core ] && [ -d node_modules/axe-core ]; } ||
	npm ci --no-audit --no-fund --silent >"$out/npm.log" 2>&1

run_unit build unit
run_node http build/shenliao tests/http/*.test.mjs
# the authorization matrix (tests/http/authz.test.mjs) says how many cells it ran
grep -m1 -o 'authz matrix: [0-9]* cells' "$out/http.log" || true
if ls tests/e2e/*.test.mjs >/dev/null 2>&1; then
	run_node e2e build/shenliao tests/e2e/*.test.mjs
fi

# 3. the same unit and HTTP suites under AddressSanitizer + UndefinedBehaviorSanitizer
if make --no-print-directory -j2 SAN=1 test-bins >"$out/build-asan.log" 2>&1; then
	count build-asan 1 0
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	run_unit build-asan unit-asan
	run_fuzz_corpus build-asan
	# the server under test keeps fontconfig/cairo caches to exit (see tests/lsan.supp)
	export LSAN_OPTIONS="suppressions=$(pwd)/tests/lsan.supp:print_suppressions=0"
	run_node http-asan build-asan/shenliao tests/http/*.test.mjs
	unset LSAN_OPTIONS
else
	tail -40 "$out/build-asan.log"
	count build-asan 0 1
fi

# 4. the model's unit tests and the HTTP suites on PostgreSQL (each test makes a database of
# its own on this server: tests/unit/model_fixture.h, tests/lib/server.mjs)
pgdir=$(mktemp -d /tmp/shenliao-check-pg.XXXXXX)
if pg_uri=$(sh scripts/pg.sh start "$pgdir" 55440 2>"$out/pg.log"); then
	count pg-start 1 0
	export SHENLIAO_TEST_PG="$pg_uri"
	run_unit build unit-pg-db db_pg
	run_unit build unit-pg model_
	# every SQL statement of the model prepares on the translated schema, with no time or
	# flag typed as the driver does not convert (scripts/sqlscan.py, docs/POSTGRESQL.md)
	if psql -X -q "${pg_uri}postgres" -c "CREATE DATABASE sqlscan" >"$out/sqlscan.log" 2>&1 &&
		python3 scripts/sqlscan.py --db "${pg_uri}sqlscan" --schema src/model/*.c \
			>>"$out/sqlscan.log" 2>&1; then
		count sqlscan 1 0
	else
		tail -40 "$out/sqlscan.log"
		count sqlscan 0 1
	fi
	run_node http-pg build/shenliao tests/http/*.test.mjs
	if ls tests/e2e/*.test.mjs >/dev/null 2>&1; then
		run_node e2e-pg build/shenliao tests/e2e/*.test.mjs
	fi
	unset SHENLIAO_TEST_PG
else
	cat "$out/pg.log"
	count pg-start 0 1
fi
sh scripts/pg.sh stop "$pgdir"

echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
