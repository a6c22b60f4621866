#!/bin/sh
# run-diff.sh - diff benchmark: `scsiscope diff` of two 1,000,000-command captures against decoding both, and its memory per transaction.
#
# Usage: bench/run-diff.sh BUILDDIR   (or `make bench-diff`)
#
# Builds nothing: BUILDDIR must hold scsiscope and bench/gen-usbmon (and
# bench/plain-loop, which bench_setup checks).  The A captures are those of
# bench/run-decode.sh (the same names in BUILDDIR/bench/out/, shared):
#   BENCH_MEM_COMMANDS commands with BENCH_SMALL_XFER transfers (speed, memory big)
#   BENCH_COMMANDS commands with BENCH_SMALL_XFER transfers     (memory small)
# Each B is `scsiscope cut A --filter 'opcode!=0x35'`: the same session
# without its SYNCHRONIZE CACHE commands (every 1000th and the last), as
# pcapng - a thousand removals spread over the whole capture, each a hunk.
# C (big only) is A without the TEST UNIT READYs of its first half: about
# 29,500 removals of a line that stays in both captures elsewhere, so the
# alignment itself has to find them (the hard case; SYNCHRONIZE CACHE
# lines exist only in A and are set aside before aligning).
# Environment: BENCH_COMMANDS, BENCH_MEM_COMMANDS, BENCH_SMALL_XFER,
# BENCH_SEED, BENCH_RUNS (default 3), BENCH_OUT, as for run-decode.sh.
# Checks, all from the same run, ratios only:
#   - diff A A exits 0; diff A B exits 1 with exactly the SYNCHRONIZE CACHE
#     commands removed (decode counts them) and nothing added or changed;
#   - diff A B time <= 2 x (decode A + decode B), decode being
#     `decode --no-checks --summary` (every transaction decoded, a few
#     lines printed; diff runs no checks either); medians, alternating;
#   - memory per transaction: (max RSS big - max RSS small) / (transactions
#     of both sides, big - small) <= 200 bytes (analyze/diff.h documents
#     about 130).
# Exit status: 0 pass, 1 fail, 2 usage/setup error.
set -eu

[ $# -eq 1 ] || { echo "bench: usage: run-diff.sh BUILDDIR" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/common.sh"
B=$(cd "$1" 2>/dev/null && pwd) || die "no build directory '$1'"

CMDS=${BENCH_COMMANDS:-100000}
MEM_CMDS=${BENCH_MEM_COMMANDS:-1000000}
XFER=${BENCH_SMALL_XFER:-512}
SEED=${BENCH_SEED:-1}
RUNS=${BENCH_RUNS:-3}
OUT=${BENCH_OUT:-$B/bench/out}
MAX_RATIO=2.0
MAX_BYTES_PER_TXN=200
TMP=$OUT/tmp.$$
bench_setup
trap 'rm -f "$TMP".*' EXIT INT TERM

BIG_A=$OUT/bot-$MEM_CMDS-s$SEED-b$XFER.pcap
SMALL_A=$OUT/bot-$CMDS-s$SEED-b$XFER.pcap
gen "$BIG_A" -n "$MEM_CMDS" -s "$SEED" -b "$XFER"
gen "$SMALL_A" -n "$CMDS" -s "$SEED" -b "$XFER"

# cut_b A B: B is A without its SYNCHRONIZE CACHE commands, made again when A is newer.
# cut_b A B EXPR: B is the transactions of A that EXPR matches, made again when A is newer.
cut_b() {
	if [ -s "$2" ] && [ -z "$(find "$1" -newer "$2")" ]; then
		return 0
	fi
	echo "bench: writing $2 (scsiscope cut --filter '$3')"
	"$SCSISCOPE" cut "$1" --filter "$3" -o "$2.part" || die "cut failed"
	mv "$2.part" "$2"
}
BIG_B=${BIG_A%.pcap}-nosync.pcapng
SMALL_B=${SMALL_A%.pcap}-nosync.pcapng
BIG_C=${BIG_A%.pcap}-notur.pcapng
cut_b "$BIG_A" "$BIG_B" 'opcode!=0x35'
cut_b "$SMALL_A" "$SMALL_B" 'opcode!=0x35'
# the first half of the frames (6 packets a command, plus the enumeration)
HALF=$((MEM_CMDS * 3))
cut_b "$BIG_A" "$BIG_C" "!(opcode==0x00 && frame<$HALF)"

fail=0
failed() { echo "FAIL: $*"; fail=1; }

echo "== diff"
echo "checking what diff finds:"
st=0
"$SCSISCOPE" diff -q "$BIG_A" "$BIG_A" || st=$?
echo "  A against itself: exit $st"
[ "$st" -eq 0 ] || failed "diff A A exits $st"
syncs=$("$SCSISCOPE" decode --no-checks --scsi-only --filter 'opcode==0x35' "$BIG_A" | wc -l | tr -d ' ')
st=0
"$SCSISCOPE" diff --json "$BIG_A" "$BIG_B" >"$TMP.json" || st=$?
summary=$(tail -n 1 "$TMP.json")
echo "  A against B: exit $st, $(echo "$summary" | sed 's/.*"removed":\([0-9]*\),"added":\([0-9]*\),"changed":\([0-9]*\).*"hunks":\([0-9]*\).*/\1 removed, \2 added, \3 changed, \4 hunks/') ($syncs SYNCHRONIZE CACHE in A)"
[ "$st" -eq 1 ] || failed "diff A B exits $st"
echo "$summary" | grep -q "\"removed\":$syncs,\"added\":0,\"changed\":0," || failed "diff A B: $summary"
ntx_a=$(echo "$summary" | sed 's/.*"a_transactions":\([0-9]*\).*/\1/')
ntx_b=$(echo "$summary" | sed 's/.*"b_transactions":\([0-9]*\).*/\1/')
turs=$("$SCSISCOPE" decode --no-checks --scsi-only --filter "opcode==0x00 && frame<$HALF" "$BIG_A" | wc -l | tr -d ' ')
st=0
"$SCSISCOPE" diff --json "$BIG_A" "$BIG_C" >"$TMP.json" || st=$?
csum=$(tail -n 1 "$TMP.json")
echo "  A against C: exit $st, $(echo "$csum" | sed 's/.*"removed":\([0-9]*\),"added":\([0-9]*\),"changed":\([0-9]*\).*"hunks":\([0-9]*\),"heuristic":\([a-z]*\).*/\1 removed, \2 added, \3 changed, \4 hunks, heuristic \5/') ($turs TEST UNIT READY in A's first half)"
[ "$st" -eq 1 ] || failed "diff A C exits $st"
echo "$csum" | grep -q "\"removed\":$turs,\"added\":0,\"changed\":0," || failed "diff A C: $csum"

cat "$BIG_A" "$BIG_B" "$BIG_C" >/dev/null
: >"$TMP.at"; : >"$TMP.ar"; : >"$TMP.bt"; : >"$TMP.br"; : >"$TMP.dt"; : >"$TMP.dr"
: >"$TMP.ct"; : >"$TMP.cr"; : >"$TMP.et"; : >"$TMP.er"
i=0
while [ "$i" -lt "$RUNS" ]; do
	# Alternate the programs so drift in machine load hits them alike.
	timed "$TMP.at" "$TMP.ar" "$SCSISCOPE" decode --no-checks --summary "$BIG_A"
	timed "$TMP.bt" "$TMP.br" "$SCSISCOPE" decode --no-checks --summary "$BIG_B"
	# diff exits 1 (different): timed() wants 0, so wrap it
	timed "$TMP.dt" "$TMP.dr" sh -c '"$0" diff "$1" "$2" >/dev/null; [ $? -eq 1 ]' "$SCSISCOPE" "$BIG_A" "$BIG_B"
	timed "$TMP.ct" "$TMP.cr" "$SCSISCOPE" decode --no-checks --summary "$BIG_C"
	timed "$TMP.et" "$TMP.er" sh -c '"$0" diff "$1" "$2" >/dev/null; [ $? -eq 1 ]' "$SCSISCOPE" "$BIG_A" "$BIG_C"
	i=$((i + 1))
done

# memory: the small pair, for the growth per transaction
: >"$TMP.st"; : >"$TMP.sr"
timed "$TMP.st" "$TMP.sr" sh -c '"$0" diff "$1" "$2" >/dev/null; [ $? -eq 1 ]' "$SCSISCOPE" "$SMALL_A" "$SMALL_B"
"$SCSISCOPE" diff --json "$SMALL_A" "$SMALL_B" | tail -n 1 >"$TMP.sjson" || true
stx_a=$(sed 's/.*"a_transactions":\([0-9]*\).*/\1/' "$TMP.sjson")
stx_b=$(sed 's/.*"b_transactions":\([0-9]*\).*/\1/' "$TMP.sjson")

awk -v fa="$BIG_A" -v fb="$BIG_B" -v fc="$BIG_C" -v sa="$(size_of "$BIG_A")" -v sb="$(size_of "$BIG_B")" -v runs="$RUNS" \
    -v at="$(median "$TMP.at")" -v ar="$(median "$TMP.ar")" -v bt="$(median "$TMP.bt")" -v br="$(median "$TMP.br")" \
    -v dt="$(median "$TMP.dt")" -v dr="$(median "$TMP.dr")" -v maxr="$MAX_RATIO" \
    -v ta="$ntx_a" -v tb="$ntx_b" -v sta="$stx_a" -v stb="$stx_b" -v sr="$(median "$TMP.sr")" \
    -v maxb="$MAX_BYTES_PER_TXN" -v prior="$fail" \
    -v ct="$(median "$TMP.ct")" -v cr="$(median "$TMP.cr")" -v et="$(median "$TMP.et")" -v er="$(median "$TMP.er")" '
function sec(ns) { return ns / 1e9 }
BEGIN {
	fail = prior
	printf "A                   %s\n                    %.1f MB, %d transactions\n", fa, sa / 1e6, ta
	printf "B                   %s\n                    %.1f MB, %d transactions\n", fb, sb / 1e6, tb
	printf "C                   %s\n", fc
	printf "page cache warm; median of %d runs each, alternating:\n", runs
	printf "  decode --no-checks --summary A  %8.3f s  %8d kB\n", sec(at), ar
	printf "  decode --no-checks --summary B  %8.3f s  %8d kB\n", sec(bt), br
	printf "  diff A B                        %8.3f s  %8d kB\n", sec(dt), dr
	r = dt / (at + bt)
	printf "time ratio diff/(decode A + decode B)  %6.3f   (must be <= %.2f)\n", r, maxr
	if (r > maxr) { printf "FAIL: diff takes more than %.1f times decoding both\n", maxr; fail = 1 }
	printf "  decode --no-checks --summary C  %8.3f s  %8d kB\n", sec(ct), cr
	printf "  diff A C                        %8.3f s  %8d kB\n", sec(et), er
	r = et / (at + ct)
	printf "time ratio diff/(decode A + decode C)  %6.3f   (must be <= %.2f)\n", r, maxr
	if (r > maxr) { printf "FAIL: diff A C takes more than %.1f times decoding both\n", maxr; fail = 1 }
	printf "memory: diff of %d + %d transactions %d kB, of %d + %d transactions %d kB\n", sta, stb, sr, ta, tb, dr
	per = (dr - sr) * 1024 / ((ta + tb) - (sta + stb))
	printf "bytes per transaction (growth)        %6.1f   (must be <= %d)\n", per, maxb
	if (per > maxb) { printf "FAIL: diff needs more memory per transaction than documented\n"; fail = 1 }
	exit fail
}' || fail=1

if [ "$fail" -eq 0 ]; then echo "bench diff: PASS"; else echo "bench diff: FAIL"; fi
exit "$fail"
