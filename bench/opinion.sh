#!/bin/sh
# bench/opinion.sh - the opinion engine's benchmark; writes bench/results/opinion.md.
#
# (a) The two real Pol.is conversations: wall time of `shenliao opinion --polis DIR --json`
#     against the reference `/usr/bin/python3 polis_ref.py DIR` (median of several runs),
#     and both programs' agreement with Pol.is's own groups.
# (b) A synthetic conversation with planted groups (bench/gen_synthetic.c; by default
#     1,000,000 participants x 10,000 statements x 50,000,000 votes, generated once into
#     $BENCH_OPINION_DIR and reused): the full computation's wall time and peak memory
#     (/usr/bin/time -v) on BENCH_OPINION_THREADS threads, the adjusted Rand index against the
#     planted groups, and the recomputation after 1% new votes warm-started from the first
#     result (hidden option --recompute-after, which times it inside one process).
#
# Environment:
#   SHENLIAO                    the binary (default build/shenliao; `make` builds it)
#   SHENLIAO_TESTDATA           the test data directory (default tests/data)
#   BENCH_OPINION_DIR           where the synthetic conversation lives
#                               (default ${TMPDIR:-/tmp}/shenliao-opinion-synthetic)
#   BENCH_OPINION_PARTICIPANTS  default 1000000
#   BENCH_OPINION_STATEMENTS    default 10000
#   BENCH_OPINION_VOTES         default 50000000
#   BENCH_OPINION_THREADS       default 2
#   BENCH_OPINION_RUNS          runs per timing on the real conversations (default 5)
#   BENCH_OPINION_SCALING_RUNS  back-to-back pairs of 1- and BENCH_OPINION_THREADS-thread runs
#                               of the synthetic conversation for the scaling table (default 3)
#   BENCH_OPINION_OUT           the report (default bench/results/opinion.md)
set -eu

cd "$(dirname "$0")/.."

SHENLIAO=${SHENLIAO:-build/shenliao}
DATA=${SHENLIAO_TESTDATA:-tests/data}
REF=bench/reference/polis_ref.py
PY=/usr/bin/python3
SYN=${BENCH_OPINION_DIR:-${TMPDIR:-/tmp}/shenliao-opinion-synthetic}
NP=${BENCH_OPINION_PARTICIPANTS:-1000000}
NS=${BENCH_OPINION_STATEMENTS:-10000}
NV=${BENCH_OPINION_VOTES:-50000000}
THREADS=${BENCH_OPINION_THREADS:-2}
RUNS=${BENCH_OPINION_RUNS:-5}
SRUNS=${BENCH_OPINION_SCALING_RUNS:-3}
OUT=${BENCH_OPINION_OUT:-bench/results/opinion.md}

for tool in "$SHENLIAO" "$PY" /usr/bin/time cc bc; do
	if ! command -v "$tool" >/dev/null 2>&1 && [ ! -x "$tool" ]; then
		echo "bench/opinion: $tool not found (make builds shenliao; apt-get install time bc python3-numpy python3-sklearn)" >&2
		exit 1
	fi
done
if ! "$PY" -c 'import numpy, sklearn' 2>/dev/null; then
	echo "bench/opinion: the reference needs python3-numpy and python3-sklearn (apt-get install)" >&2
	exit 1
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/shenliao-opinion-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
CMDS=$TMP/commands
: >"$CMDS"

now() { date +%s.%N; }

# median of the numbers on stdin
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# wall RUNS CMD...: the median wall time in seconds of RUNS runs of CMD (output discarded)
wall() {
	n=$1
	shift
	i=0
	while [ $i -lt "$n" ]; do
		t0=$(now)
		"$@" >/dev/null 2>&1
		t1=$(now)
		echo "$t1 - $t0" | bc -l
		i=$((i + 1))
	done | median
}

# elapsed LOG: seconds from /usr/bin/time -v's "Elapsed (wall clock) time" line
elapsed() {
	awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0
		for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$1"
}
maxrss_mib() { awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$1"; }

ROWS=$TMP/rows
: >"$ROWS"

# ---- (a) the real conversations ----------------------------------------------------------
for conv in scoop-hivemind.biodiversity ssis.land-bank-farmland.2rumnecbeh.2021-08-01; do
	dir=$DATA/polis/$conv
	echo "bench/opinion: $conv ..." >&2
	ours=$(wall "$RUNS" "$SHENLIAO" opinion --polis "$dir" --json)
	ref=$(wall 3 "$PY" "$REF" "$dir")
	"$SHENLIAO" opinion --polis "$dir" --timings >"$TMP/ours.txt" 2>"$TMP/ours.err"
	"$PY" "$REF" "$dir" >"$TMP/ref.txt" 2>&1
	our_ari=$(sed -n 's/.*ARI \([0-9.]*\) over.*/\1/p' "$TMP/ours.txt")
	ref_ari=$(sed -n 's/^ARI vs Pol.is group-id = \([0-9.]*\).*/\1/p' "$TMP/ref.txt")
	our_math=$(sed -n 's/.*compute \([0-9.]*\) s.*/\1/p' "$TMP/ours.err")
	ref_math=$(sed -n 's/.*pipeline([^)]*)=\([0-9.]*\)s repness\/consensus=\([0-9.]*\)s.*/\1 \2/p' "$TMP/ref.txt" |
		awk '{ print $1 + $2 }')
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$conv" "$ours" "$ref" "$our_ari" "$ref_ari" "$our_math" "$ref_math" >>"$ROWS"
	echo "$SHENLIAO opinion --polis $dir --json   # $RUNS runs, median" >>"$CMDS"
	echo "$PY $REF $dir   # 3 runs, median" >>"$CMDS"
done

# ---- (b) the synthetic conversation ------------------------------------------------------
cc -std=c17 -O2 -Wall -Wextra -o "$TMP/gen_synthetic" bench/gen_synthetic.c
want="$NP $NS $NV seed=1 gen=$(cksum <bench/gen_synthetic.c | cut -d' ' -f1)"
if [ "$(cat "$SYN/.params" 2>/dev/null || true)" != "$want" ]; then
	echo "bench/opinion: generating $NP participants x $NS statements x $NV votes into $SYN ..." >&2
	rm -rf "$SYN"
	t0=$(now)
	"$TMP/gen_synthetic" --out "$SYN" --participants "$NP" --statements "$NS" --votes "$NV" --seed 1
	t1=$(now)
	echo "$want" >"$SYN/.params"
	echo "generation: $(echo "$t1 - $t0" | bc -l | xargs printf '%.1f') s" >"$SYN/.generation"
fi
echo "cc -O2 -o gen_synthetic bench/gen_synthetic.c && gen_synthetic --out \$SYN --participants $NP --statements $NS --votes $NV --seed 1" >>"$CMDS"

# the page cache holds the file after the first read; measure warm, as a server would run
cat "$SYN/votes.bin" >/dev/null

echo "bench/opinion: full computation ..." >&2
full_cmd="$SHENLIAO opinion --polis $SYN --threads $THREADS --timings"
/usr/bin/time -v $full_cmd >"$TMP/full.txt" 2>"$TMP/full.err"
echo "/usr/bin/time -v $full_cmd" | sed "s|$SYN|\$SYN|" >>"$CMDS"
full_s=$(elapsed "$TMP/full.err")
full_mib=$(maxrss_mib "$TMP/full.err")
full_phases=$(grep '^opinion: load' "$TMP/full.err" | sed 's/^opinion: //')
syn_ari=$(sed -n 's/.*ARI \([0-9.]*\) over.*/\1/p' "$TMP/full.txt")
syn_groups=$(sed -n 's/.*base clusters; \([0-9]*\) groups.*/\1/p' "$TMP/full.txt")

echo "bench/opinion: recomputation after 1% new votes ..." >&2
rec_cmd="$SHENLIAO opinion --polis $SYN --threads $THREADS --recompute-after 1 --timings"
/usr/bin/time -v $rec_cmd >"$TMP/rec.txt" 2>"$TMP/rec.err"
echo "/usr/bin/time -v $rec_cmd" | sed "s|$SYN|\$SYN|" >>"$CMDS"
rec_line=$(grep '^opinion: recompute' "$TMP/rec.err" | sed 's/^opinion: //')
rec_total=$(echo "$rec_line" | sed -n 's/.*total \([0-9.]*\) s.*/\1/p')
rec_mib=$(maxrss_mib "$TMP/rec.err")
rec_ari=$(sed -n 's/.*ARI \([0-9.]*\) over.*/\1/p' "$TMP/rec.txt")

echo "bench/opinion: one thread, for the speed-up and to check the result does not change ..." >&2
one_cmd="$SHENLIAO opinion --polis $SYN --threads 1 --timings"
/usr/bin/time -v $one_cmd >"$TMP/one.txt" 2>"$TMP/one.err"
echo "/usr/bin/time -v $one_cmd" | sed "s|$SYN|\$SYN|" >>"$CMDS"
one_s=$(elapsed "$TMP/one.err")
if cmp -s "$TMP/one.txt" "$TMP/full.txt"; then same=yes; else same=NO; fi

# ---- scaling, 1 -> THREADS threads, phase by phase ---------------------------------------
# SRUNS pairs of runs back to back (1 thread, then THREADS), so that both see about the same
# load from the rest of the machine; per phase the median wall and CPU time (all threads,
# CLOCK_PROCESS_CPUTIME_ID) from --timings, and for the whole process wall, user + sys and
# peak RSS from /usr/bin/time. CPU time is the figure that a busy machine disturbs least:
# wall / CPU says how many CPUs a phase kept busy.
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
phase_fields() { # LOG -> "load matrix pca projection kmeans groups statements" wall, then cpu
	sed -n -E 's/^opinion: load ([0-9.]+) s, matrix ([0-9.]+) s, compute [0-9.]+ s \(pca ([0-9.]+) s.*projection ([0-9.]+) s; base k-means ([0-9.]+) s.*groups ([0-9.]+) s; statements ([0-9.]+) s.*/\1 \2 \3 \4 \5 \6 \7/p' "$1"
	sed -n -E 's/^opinion: cpu: load ([0-9.]+) s, matrix ([0-9.]+) s, pca ([0-9.]+) s, projection ([0-9.]+) s, base k-means ([0-9.]+) s, groups ([0-9.]+) s, statements ([0-9.]+) s.*/\1 \2 \3 \4 \5 \6 \7/p' "$1"
}
: >"$TMP/scale"
i=0
while [ $i -lt "$SRUNS" ]; do
	for t in 1 "$THREADS"; do
		/usr/bin/time -f 'whole %e %U %S %M' "$SHENLIAO" opinion --polis "$SYN" --threads "$t" --timings \
			>"$TMP/s.txt" 2>"$TMP/s.err"
		cmp -s "$TMP/s.txt" "$TMP/full.txt" || same=NO
		w=$(phase_fields "$TMP/s.err" | sed -n 1p)
		c=$(phase_fields "$TMP/s.err" | sed -n 2p)
		whole=$(sed -n 's/^whole //p' "$TMP/s.err")
		echo "$t $w $c $whole" >>"$TMP/scale"
	done
	i=$((i + 1))
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)
echo "/usr/bin/time -f '%e %U %S %M' $SHENLIAO opinion --polis \$SYN --threads 1|$THREADS --timings   # $SRUNS pairs back to back, medians" >>"$CMDS"
# col N THREADS: the median of field N over the runs with THREADS threads
col() { awk -v t="$2" -v f="$1" '$1 == t { print $f }' "$TMP/scale" | median; }
if command -v perf >/dev/null 2>&1; then
	for t in 1 "$THREADS"; do
		perf stat -x, -e task-clock,context-switches,cpu-migrations -o "$TMP/perf$t" \
			"$SHENLIAO" opinion --polis "$SYN" --threads "$t" >/dev/null 2>&1 || true
	done
	echo "perf stat -e task-clock,context-switches,cpu-migrations $SHENLIAO opinion --polis \$SYN --threads 1|$THREADS" >>"$CMDS"
fi
perf_line() { # the perf stat figures of run $1
	[ -f "$TMP/perf$1" ] || { echo "(perf not available)"; return; }
	awk -F, '/task-clock/ { printf "task-clock %.2f s", $1 / 1000 } /context-switches/ { printf ", context-switches %s", $1 } /cpu-migrations/ { printf ", cpu-migrations %s", $1 }' "$TMP/perf$1"
}

# ---- report --------------------------------------------------------------------------------
mkdir -p "$(dirname "$OUT")"
{
	echo "## opinion engine: shenliao vs the reference, and at national scale"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo "- machine: nproc $(nproc), memory $(free -h 2>/dev/null | awk '/^Mem:/ { print $2 }'), $(uname -srm); load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "- $("$SHENLIAO" --version); reference: $PY $(basename "$REF") (numpy $("$PY" -c 'import numpy; print(numpy.__version__)'), scikit-learn $("$PY" -c 'import sklearn; print(sklearn.__version__)'))"
	echo
	echo "### Real Pol.is conversations"
	echo
	echo "| conversation | shenliao s | reference s | speed-up | shenliao math s | reference math s | ARI shenliao vs Pol.is | ARI reference vs Pol.is |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|"
	awk -F '\t' '{ printf "| %s | %.3f | %.3f | %.0fx | %.4f | %.3f | %s | %s |\n", $1, $2, $3, $3 / $2, $6, $7, $4, $5 }' "$ROWS"
	echo
	echo "Whole-process wall time, median of $RUNS (shenliao) and 3 (reference) runs; \"math\" is the"
	echo "computation alone (shenliao's --timings \"compute\"; the reference's own pipeline +"
	echo "repness/consensus times, without Python's start-up and imports)."
	echo
	echo "### Synthetic conversation: $NP participants x $NS statements x $NV votes, 3 planted groups"
	echo
	echo "| measure | value | aim |"
	echo "|---|---:|---|"
	echo "| full computation, wall ($THREADS threads) | ${full_s} s | < 2 s (issue 14) |"
	echo "| full computation, peak memory (max RSS; includes the page cache of the mapped votes.bin) | ${full_mib} MiB | < 1536 MiB (issue 14) |"
	echo "| full computation, wall (1 thread) | ${one_s} s | more than with $THREADS threads (issue 14) |"
	echo "| groups found / ARI vs planted groups | ${syn_groups} / ${syn_ari} | |"
	echo "| recomputation after 1% new votes, warm start (merge + compute) | ${rec_total} s | < 1 s |"
	echo "| peak memory of the recompute run (holds both matrices) | ${rec_mib} MiB | |"
	echo "| ARI vs planted groups after the recompute | ${rec_ari} | |"
	echo "| same summary with 1 and $THREADS threads | $same | yes |"
	echo
	echo "### Scaling, 1 -> $THREADS threads, phase by phase"
	echo
	echo "Medians of $SRUNS pairs of runs back to back (1 thread, then $THREADS); load average $load_start at the start, $load_end at the end (nproc $(nproc): above it, other work shares the CPUs and wall times stretch; CPU times stretch much less)."
	echo
	echo "| phase | wall, 1 thread | wall, $THREADS threads | speed-up | CPU, 1 thread | CPU, $THREADS threads | CPUs busy ($THREADS threads) |"
	echo "|---|---:|---:|---:|---:|---:|---:|"
	n=2
	for ph in load matrix pca projection "base k-means" groups statements; do
		w1=$(col $n 1); w2=$(col $n "$THREADS"); c1=$(col $((n + 7)) 1); c2=$(col $((n + 7)) "$THREADS")
		echo "$ph $w1 $w2 $c1 $c2" | awk '{ n = NF; ph = $1; for (i = 2; i <= n - 4; i++) ph = ph " " $i
			w1 = $(n - 3); w2 = $(n - 2); c1 = $(n - 1); c2 = $n
			printf "| %s | %.3f s | %.3f s | %.2fx | %.3f s | %.3f s | %.2f |\n", ph, w1, w2, (w2 > 0 ? w1 / w2 : 0), c1, c2, (w2 > 0 ? c2 / w2 : 0) }'
		n=$((n + 1))
	done
	w1=$(col 16 1); w2=$(col 16 "$THREADS")
	u1=$(awk '$1 == 1 { print $17 + $18 }' "$TMP/scale" | median)
	u2=$(awk -v t="$THREADS" '$1 == t { print $17 + $18 }' "$TMP/scale" | median)
	r1=$(col 19 1); r2=$(col 19 "$THREADS")
	echo "$w1 $w2 $u1 $u2" | awk '{ printf "| whole process (/usr/bin/time) | %.2f s | %.2f s | %.2fx | %.2f s | %.2f s | %.2f |\n", $1, $2, ($2 > 0 ? $1 / $2 : 0), $3, $4, ($2 > 0 ? $4 / $2 : 0) }'
	echo
	echo "$NV $u1 $u2 $r1 $r2" | awk -v t="$THREADS" '{ printf "Votes per CPU-second of the whole process: %.1f million (1 thread), %.1f million (%s threads). Peak RSS: %.0f MiB (1 thread), %.0f MiB (%s threads).\n", $1 / $2 / 1e6, $1 / $3 / 1e6, t, $4 / 1024, $5 / 1024, t }'
	echo
	echo "perf stat, 1 thread: $(perf_line 1); $THREADS threads: $(perf_line "$THREADS")."
	echo
	echo "Raw runs (threads; wall: load matrix pca projection k-means groups statements; CPU: the same; whole: wall user sys maxrss-KiB):"
	echo
	echo '```'
	cat "$TMP/scale"
	echo '```'
	echo
	echo "Phases of the full run: $full_phases"
	echo
	echo "Recompute: $rec_line"
	echo
	echo "The vote file is read from the page cache (it is read once before measuring)."
	[ -f "$SYN/.generation" ] && echo "Synthetic $(cat "$SYN/.generation") (not measured above)."
	echo
	echo "Commands (\`sh bench/opinion.sh\`; \$SYN is $SYN):"
	echo
	echo '```'
	cat "$CMDS"
	echo '```'
} >"$OUT"
cat "$OUT"
echo "bench/opinion: wrote $OUT" >&2
