#!/bin/sh
# run-tui.sh - TUI benchmark: `scsiscope tui`'s time to the first screen and to the whole index, and its memory per transaction, against `decode --summary` of the same 1,000,000-command capture.
#
# Usage: bench/run-tui.sh BUILDDIR   (or `make bench` / `make bench-tui`)
#
# Builds nothing: BUILDDIR must hold scsiscope and bench/gen-usbmon (and
# bench/plain-loop, which bench_setup checks).  The captures are the
# decode benchmark's memory files (the same names in BUILDDIR/bench/out/):
#   BENCH_COMMANDS commands with BENCH_SMALL_XFER transfers     (small)
#   BENCH_MEM_COMMANDS commands with BENCH_SMALL_XFER transfers (big: 1,000,000
#   commands, about 1 GB, the issue's "1 GB capture with a million
#   transactions")
# The TUI runs on a pseudo-terminal (util-linux `script`, TERM=xterm,
# 80x24) with --exit-after first-screen (it quits as soon as the first
# screen is drawn) or --exit-after indexed (as soon as the whole file is
# indexed); it reports its own times and max RSS on stderr.
# Environment: BENCH_COMMANDS, BENCH_MEM_COMMANDS, BENCH_SMALL_XFER,
# BENCH_SEED, BENCH_OUT as for run-decode.sh; BENCH_RUNS (default 3).
# Checks, all from the same run:
#   - the TUI indexes as many transactions as decode shows;
#   - the first screen of the big file is drawn in under 1 s of wall time
#     (the issue's figure; the only absolute check, since it is what a
#     user waits for) and in at most 1/4 of decode --summary's time (the
#     baseline: every transaction decoded, a few lines printed);
#   - the whole index takes at most 1.5 times decode --summary (it is one
#     decoding pass with lint's checks, plus the rows);
#   - memory: (max RSS indexed on the big file - on the small file) /
#     (transactions of the big - of the small) <= 110 bytes (the issue's
#     "about 100 bytes per transaction"; the row itself is 80, plus the
#     list's 4).
# Exit status: 0 pass, 1 fail, 2 usage/setup error.
set -eu

[ $# -eq 1 ] || { echo "bench: usage: run-tui.sh BUILDDIR" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/common.sh"
B=$(cd "$1" 2>/dev/null && pwd) || die "no build directory '$1'"

CMDS=${BENCH_COMMANDS:-100000}
MEM_CMDS=${BENCH_MEM_COMMANDS:-1000000}
XFER=${BENCH_SMALL_XFER:-512}
SEED=${BENCH_SEED:-1}
RUNS=${BENCH_RUNS:-3}
OUT=${BENCH_OUT:-$B/bench/out}
MAX_FIRST_S=1.0
MAX_FIRST_RATIO=0.25
MAX_INDEX_RATIO=1.5
MAX_BYTES_PER_TXN=110
TMP=$OUT/tmp.$$
bench_setup
command -v script >/dev/null 2>&1 || die "script (util-linux; Debian: bsdutils) is needed for a pseudo-terminal"
trap 'rm -f "$TMP".*' EXIT INT TERM

SMALL=$OUT/bot-$CMDS-s$SEED-b$XFER.pcap
BIG=$OUT/bot-$MEM_CMDS-s$SEED-b$XFER.pcap
gen "$SMALL" -n "$CMDS" -s "$SEED" -b "$XFER"
gen "$BIG" -n "$MEM_CMDS" -s "$SEED" -b "$XFER"

fail=0
failed() { echo "FAIL: $*"; fail=1; }

# tui FILE WHAT: one run on a pseudo-terminal; appends wall ns to $TMP.WHAT.t
# and the TUI's own report line to $TMP.WHAT.r.
tui() {
	t0=$(date +%s%N)
	TERM=xterm script -qec "'$SCSISCOPE' tui --exit-after $2 '$1' 2>'$TMP.err'" /dev/null >/dev/null </dev/null ||
		die "scsiscope tui failed: $(cat "$TMP.err")"
	t1=$(date +%s%N)
	echo $((t1 - t0)) >>"$TMP.$3.t"
	grep 'scsiscope: tui:' "$TMP.err" | tail -n 1 >>"$TMP.$3.r" ||
		die "scsiscope tui said nothing: $(cat "$TMP.err")"
}

# field FILE N: the Nth number of the last report's ... e.g. transactions or RSS
rss_of() { sed -n 's/.*max RSS \([0-9]*\) kB.*/\1/p' "$1" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
txns_of() { sed -n 's/.*, \([0-9]*\) transactions indexed.*/\1/p' "$1" | tail -n 1; }
inner_of() { sed -n 's/.* after \([0-9.]*\) s.*/\1/p' "$1" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "== tui"
cat "$BIG" >/dev/null
cat "$SMALL" >/dev/null
: >"$TMP.dt"; : >"$TMP.dr"; : >"$TMP.first.t"; : >"$TMP.first.r"; : >"$TMP.idx.t"; : >"$TMP.idx.r"
: >"$TMP.sidx.t"; : >"$TMP.sidx.r"
i=0
while [ "$i" -lt "$RUNS" ]; do
	# Alternate the programs so drift in machine load hits them alike.
	timed "$TMP.dt" "$TMP.dr" "$SCSISCOPE" decode --summary "$BIG"
	tui "$BIG" first-screen first
	tui "$BIG" indexed idx
	tui "$SMALL" indexed sidx
	i=$((i + 1))
done

want=$("$SCSISCOPE" decode "$BIG" | wc -l | tr -d ' ')
got=$(txns_of "$TMP.idx.r")
[ "$got" = "$want" ] || failed "the TUI indexed $got transactions, decode shows $want"
swant=$("$SCSISCOPE" decode "$SMALL" | wc -l | tr -d ' ')
sgot=$(txns_of "$TMP.sidx.r")
[ "$sgot" = "$swant" ] || failed "the TUI indexed $sgot transactions of the small file, decode shows $swant"

awk -v file="$BIG" -v size="$(size_of "$BIG")" -v txns="$want" -v runs="$RUNS" \
    -v dt="$(median "$TMP.dt")" -v dr="$(median "$TMP.dr")" \
    -v ft="$(median "$TMP.first.t")" -v fi="$(inner_of "$TMP.first.r")" -v fr="$(rss_of "$TMP.first.r")" \
    -v it="$(median "$TMP.idx.t")" -v ii="$(inner_of "$TMP.idx.r")" -v ir="$(rss_of "$TMP.idx.r")" \
    -v sfile="$SMALL" -v stxns="$swant" -v sr="$(rss_of "$TMP.sidx.r")" -v si="$(inner_of "$TMP.sidx.r")" \
    -v maxfirst="$MAX_FIRST_S" -v maxfr="$MAX_FIRST_RATIO" -v maxir="$MAX_INDEX_RATIO" -v maxb="$MAX_BYTES_PER_TXN" \
    -v prior="$fail" '
function sec(ns) { return ns / 1e9 }
BEGIN {
	fail = prior
	printf "file                %s\n", file
	printf "                    %.1f MB, %d transactions (MB = 10^6 bytes)\n", size / 1e6, txns
	printf "page cache warm; median of %d runs each, alternating (wall time of the process; in brackets the TUI'"'"'s own clock)\n", runs
	printf "  decode --summary                %8.3f s            max RSS %8d kB   (the baseline)\n", sec(dt), dr
	printf "  tui, first screen               %8.3f s (%.3f s)  max RSS %8d kB\n", sec(ft), fi, fr
	printf "  tui, whole file indexed         %8.3f s (%.3f s)  max RSS %8d kB\n", sec(it), ii, ir
	printf "first screen                    %8.3f s   (must be < %.1f s)\n", sec(ft), maxfirst
	if (sec(ft) >= maxfirst) { printf "FAIL: the first screen takes a second or more\n"; fail = 1 }
	r = ft / dt
	printf "time ratio first screen/decode  %8.3f   (must be <= %.2f)\n", r, maxfr
	if (r > maxfr) { printf "FAIL: the first screen waits for too much of the file\n"; fail = 1 }
	r = it / dt
	printf "time ratio index/decode         %8.3f   (must be <= %.2f)\n", r, maxir
	if (r > maxir) { printf "FAIL: indexing costs too much over decoding\n"; fail = 1 }
	printf "memory (tui --exit-after indexed, max RSS, median):\n"
	printf "  %9d transactions  %8.3f s  %8d kB   %s\n", stxns, si, sr, sfile
	printf "  %9d transactions  %8.3f s  %8d kB   %s\n", txns, ii, ir, file
	b = (ir - sr) * 1024 / (txns - stxns)
	printf "bytes per transaction (growth)  %8.1f   (must be <= %d)\n", b, maxb
	if (b > maxb) { printf "FAIL: the index costs more than about 100 bytes a transaction\n"; fail = 1 }
	exit fail
}' || fail=1

if [ "$fail" -eq 0 ]; then echo "bench tui: PASS"; else echo "bench tui: FAIL"; fi
exit "$fail"
