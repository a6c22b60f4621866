#!/bin/sh
# run-lint.sh - lint benchmark: what `scsiscope lint` (every check) adds to decoding the same capture, and its memory at 100,000 and 1,000,000 commands.
#
# Usage: bench/run-lint.sh BUILDDIR   (or `make bench` / `make bench-lint`)
#
# Builds nothing: BUILDDIR must hold scsiscope and bench/gen-usbmon (and
# bench/plain-loop, which bench_setup checks).  The captures are those of
# bench/run-decode.sh (the same names in BUILDDIR/bench/out/, shared):
#   BENCH_COMMANDS commands with 4 KiB / 64 KiB transfers   (speed)
#   BENCH_COMMANDS commands with BENCH_SMALL_XFER transfers   (memory, small)
#   BENCH_MEM_COMMANDS commands with BENCH_SMALL_XFER transfers (memory, big)
# The workload writes and reads back the same data, so every check runs
# its full course (data-mismatch compares every 4 KiB read of a block
# written before) and finds nothing.
# Environment: BENCH_COMMANDS, BENCH_MEM_COMMANDS, BENCH_SMALL_XFER,
# BENCH_SEED, BENCH_RUNS (default 11), BENCH_OUT, as for run-decode.sh.
# Checks, all from the same run, ratios only:
#   - lint --severity info finds nothing on each file (exit 0, no finding);
#   - lint time / decode --no-checks --summary time <= 1.20 on the speed
#     file (the baseline decodes every transaction and prints a few lines,
#     as lint does).  The two alternate and the fastest run of each counts:
#     a run takes about 0.15 s, and on a small shared machine the median of
#     such short runs still moves by 10-20% from one invocation to the
#     next, more than the difference measured; the minimum is the run the
#     rest of the machine disturbed least (the medians are printed too);
#   - lint's max RSS on the big memory file within 10% of the small one.
# Exit status: 0 pass, 1 fail, 2 usage/setup error.
set -eu

[ $# -eq 1 ] || { echo "bench: usage: run-lint.sh BUILDDIR" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/common.sh"
B=$(cd "$1" 2>/dev/null && pwd) || die "no build directory '$1'"

CMDS=${BENCH_COMMANDS:-100000}
MEM_CMDS=${BENCH_MEM_COMMANDS:-1000000}
XFER=${BENCH_SMALL_XFER:-512}
SEED=${BENCH_SEED:-1}
RUNS=${BENCH_RUNS:-11}
OUT=${BENCH_OUT:-$B/bench/out}
MAX_LINT_RATIO=1.20
RSS_TOLERANCE=0.10
TMP=$OUT/tmp.$$
bench_setup
trap 'rm -f "$TMP".*' EXIT INT TERM

SPEED=$OUT/bot-$CMDS-s$SEED.pcap
MEM_SMALL=$OUT/bot-$CMDS-s$SEED-b$XFER.pcap
MEM_BIG=$OUT/bot-$MEM_CMDS-s$SEED-b$XFER.pcap
gen "$SPEED" -n "$CMDS" -s "$SEED"
gen "$MEM_SMALL" -n "$CMDS" -s "$SEED" -b "$XFER"
gen "$MEM_BIG" -n "$MEM_CMDS" -s "$SEED" -b "$XFER"

fail=0
failed() { echo "FAIL: $*"; fail=1; }

echo "== lint"
echo "checking that lint runs every check and finds nothing:"
for f in "$SPEED" "$MEM_SMALL" "$MEM_BIG"; do
	st=0
	"$SCSISCOPE" lint --severity info "$f" >"$TMP.lint" 2>&1 || st=$?
	printf '  %s: exit %s, %s\n' "$(basename "$f")" "$st" "$(tail -n 1 "$TMP.lint")"
	[ "$st" -eq 0 ] || { head -n 5 "$TMP.lint"; failed "$f: lint exits $st"; }
	grep -q '^0 errors, 0 warnings, 0 infos$' "$TMP.lint" || failed "$f: lint finds something"
done

cat "$SPEED" >/dev/null
: >"$TMP.dt"; : >"$TMP.dr"; : >"$TMP.lt"; : >"$TMP.lr"; : >"$TMP.ct"; : >"$TMP.cr"
i=0
while [ "$i" -lt "$RUNS" ]; do
	# Alternate the programs so drift in machine load hits them alike.
	timed "$TMP.dt" "$TMP.dr" "$SCSISCOPE" decode --no-checks --summary "$SPEED"
	timed "$TMP.lt" "$TMP.lr" "$SCSISCOPE" lint "$SPEED"
	timed "$TMP.ct" "$TMP.cr" "$SCSISCOPE" decode --summary "$SPEED"
	i=$((i + 1))
done

# For information: CPU time (user + system, both threads), which shows
# the checks' own work even when the reading thread sets the wall time.
cpu() { "$TIME" -f '%U %S' -o "$TMP.cpu" "$@" >/dev/null || die "$1 failed"; awk '{ printf "%.2f\n", $1 + $2 }' "$TMP.cpu"; }
: >"$TMP.dc"; : >"$TMP.lc"
i=0
while [ "$i" -lt 5 ]; do
	cpu "$SCSISCOPE" decode --no-checks --summary "$SPEED" >>"$TMP.dc"
	cpu "$SCSISCOPE" lint "$SPEED" >>"$TMP.lc"
	i=$((i + 1))
done

: >"$TMP.st"; : >"$TMP.sr"; : >"$TMP.bt"; : >"$TMP.br"
i=0
while [ "$i" -lt 3 ]; do
	timed "$TMP.st" "$TMP.sr" "$SCSISCOPE" lint "$MEM_SMALL"
	timed "$TMP.bt" "$TMP.br" "$SCSISCOPE" lint "$MEM_BIG"
	i=$((i + 1))
done

awk -v file="$SPEED" -v size="$(size_of "$SPEED")" -v cmds="$CMDS" -v runs="$RUNS" \
    -v dt="$(minimum "$TMP.dt")" -v dr="$(median "$TMP.dr")" -v dm="$(median "$TMP.dt")" \
    -v lt="$(minimum "$TMP.lt")" -v lr="$(median "$TMP.lr")" -v lm="$(median "$TMP.lt")" \
    -v ct="$(minimum "$TMP.ct")" -v cr="$(median "$TMP.cr")" -v cm="$(median "$TMP.ct")" -v lmax="$MAX_LINT_RATIO" \
    -v sfile="$MEM_SMALL" -v ssize="$(size_of "$MEM_SMALL")" -v st="$(median "$TMP.st")" -v sr="$(median "$TMP.sr")" \
    -v bfile="$MEM_BIG" -v bsize="$(size_of "$MEM_BIG")" -v bt="$(median "$TMP.bt")" -v br="$(median "$TMP.br")" \
    -v mcmds="$MEM_CMDS" -v tol="$RSS_TOLERANCE" -v prior="$fail" \
    -v dc="$(median "$TMP.dc")" -v lc="$(median "$TMP.lc")" '
function sec(ns) { return ns / 1e9 }
BEGIN {
	fail = prior
	printf "file                %s\n", file
	printf "                    %.1f MB, %d commands (MB = 10^6 bytes)\n", size / 1e6, cmds
	printf "page cache warm; %d runs each, alternating: fastest (median), max RSS (median)\n", runs
	printf "  decode --no-checks --summary  %8.3f s (%.3f)  %8d kB   (the baseline)\n", sec(dt), sec(dm), dr
	printf "  lint (every check)            %8.3f s (%.3f)  %8d kB\n", sec(lt), sec(lm), lr
	printf "  decode --summary              %8.3f s (%.3f)  %8d kB   (per-transaction checks; for information)\n", sec(ct), sec(cm), cr
	r = lt / dt
	printf "time ratio lint/decode          %7.3f   (must be <= %.2f; of the medians %.3f)\n", r, lmax, lm / dm
	if (r > lmax) { printf "FAIL: lint adds more than %.0f%% to decoding\n", (lmax - 1) * 100; fail = 1 }
	printf "for information: CPU time (user+system, median of 5): decode %.2f s, lint %.2f s", dc, lc
	if (dc > 0) printf " (ratio %.2f)", lc / dc
	printf "\n"
	printf "memory (lint, max RSS, median of 3 runs):\n"
	printf "  %9d commands  %7.1f MB  %8.3f s  %8d kB   %s\n", cmds, ssize / 1e6, sec(st), sr, sfile
	printf "  %9d commands  %7.1f MB  %8.3f s  %8d kB   %s\n", mcmds, bsize / 1e6, sec(bt), br, bfile
	d = (br - sr) / sr
	printf "RSS ratio big/small             %7.3f   (must be within 1 +- %.2f)\n", br / sr, tol
	if (d > tol || d < -tol) { printf "FAIL: lint memory changes with the length of the capture\n"; fail = 1 }
	exit fail
}' || fail=1

if [ "$fail" -eq 0 ]; then echo "bench lint: PASS"; else echo "bench lint: FAIL"; fi
exit "$fail"
