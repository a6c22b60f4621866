#!/bin/sh
# run-decode.sh - decode benchmark: `scsiscope decode --json` against tshark and a plain libpcap loop, and its memory at 100,000 and 1,000,000 commands.
#
# Usage: bench/run-decode.sh BUILDDIR   (or `make bench` / `make bench-decode`)
#
# Builds nothing: BUILDDIR must hold scsiscope, bench/gen-usbmon and
# bench/plain-loop; tshark must be on PATH.  Captures go to
# BUILDDIR/bench/out/ (kept between runs, made again when gen-usbmon is
# newer).  Helpers: bench/common.sh.  Three files of the same Bulk-Only
# session (enumeration, INQUIRY, READ CAPACITY, then READ/WRITE/TEST UNIT
# READY; see bench/gen-usbmon.c):
#   BENCH_COMMANDS commands with 4 KiB / 64 KiB transfers   (speed)
#   BENCH_COMMANDS commands with BENCH_SMALL_XFER transfers   (memory, small)
#   BENCH_MEM_COMMANDS commands with BENCH_SMALL_XFER transfers (memory, big)
# Environment:
#   BENCH_COMMANDS      commands in the speed file and the small memory file (default 100000)
#   BENCH_MEM_COMMANDS  commands in the big memory file (default 1000000, about 1 GB)
#   BENCH_SMALL_XFER    bytes per READ/WRITE in the memory files (default 512)
#   BENCH_SEED          generator seed (default 1)
#   BENCH_RUNS          timed runs of each fast program (default 5; the median counts)
#   BENCH_OUT           where the captures go (default BUILDDIR/bench/out)
#   TSHARK              the tshark to compare with (default: tshark on PATH)
# Checks, all from the same run, ratios only:
#   - every file decodes: as many SCSI commands as generated, all GOOD,
#     moved bytes = expected bytes, the generator's data totals, no finding
#     (so the enumeration was used, not inference), and tshark finds every
#     CBW and CSW in the speed file;
#   - tshark time / decode time >= 30 on the speed file (tshark runs once);
#   - decode time / plain libpcap loop time <= 3 on the speed file;
#   - decode's max RSS on the big memory file within 10% of the small one.
# Exit status: 0 pass, 1 fail, 2 usage/setup error.
set -eu

[ $# -eq 1 ] || { echo "bench: usage: run-decode.sh BUILDDIR" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/common.sh"
B=$(cd "$1" 2>/dev/null && pwd) || die "no build directory '$1'"

CMDS=${BENCH_COMMANDS:-100000}
MEM_CMDS=${BENCH_MEM_COMMANDS:-1000000}
XFER=${BENCH_SMALL_XFER:-512}
SEED=${BENCH_SEED:-1}
RUNS=${BENCH_RUNS:-5}
OUT=${BENCH_OUT:-$B/bench/out}
TSHARK=${TSHARK:-tshark}
MIN_TSHARK_RATIO=30
MAX_PLAIN_RATIO=3
RSS_TOLERANCE=0.10
TMP=$OUT/tmp.$$
bench_setup
command -v "$TSHARK" >/dev/null 2>&1 || die "tshark is needed (Debian/Ubuntu: apt-get install tshark), or set TSHARK"
trap 'rm -f "$TMP".*' EXIT INT TERM

SPEED=$OUT/bot-$CMDS-s$SEED.pcap
MEM_SMALL=$OUT/bot-$CMDS-s$SEED-b$XFER.pcap
MEM_BIG=$OUT/bot-$MEM_CMDS-s$SEED-b$XFER.pcap
gen "$SPEED" -n "$CMDS" -s "$SEED"
gen "$MEM_SMALL" -n "$CMDS" -s "$SEED" -b "$XFER"
gen "$MEM_BIG" -n "$MEM_CMDS" -s "$SEED" -b "$XFER"

fail=0
failed() { echo "FAIL: $*"; fail=1; }

# json_num FILE KEY: the first "KEY":N in FILE.
json_num() { grep -o "\"$2\":[0-9]*" "$1" | head -n 1 | sed 's/.*://'; }

# check_decodes FILE: the decoder sees exactly what gen-usbmon wrote.
check_decodes() {
	f=$1
	want_cmds=$(gen_field "$f" commands)
	want_in=$(gen_field "$f" "data bytes in")
	want_out=$(gen_field "$f" "data bytes out")
	"$SCSISCOPE" decode --summary --json "$f" >"$TMP.sum" || die "scsiscope decode --summary failed on $f"
	bad=$("$SCSISCOPE" decode --json --scsi-only --filter 'status!=good || moved_bytes!=expected_bytes' "$f" | wc -l)
	got_cmds=$(json_num "$TMP.sum" scsi_commands)
	not_good=$(json_num "$TMP.sum" scsi_not_good)
	got_in=$(json_num "$TMP.sum" bytes_read)
	got_out=$(json_num "$TMP.sum" bytes_written)
	e=$(json_num "$TMP.sum" error) w=$(json_num "$TMP.sum" warning) n=$(json_num "$TMP.sum" info)
	findings=$((${e:-0} + ${w:-0} + ${n:-0}))
	printf '  %s: %s SCSI commands, %s not GOOD, %s not GOOD or moved != expected, %s findings,\n' \
		"$(basename "$f")" "$got_cmds" "$not_good" "$bad" "$findings"
	printf '      %s bytes read, %s written (gen-usbmon: %s commands, %s bytes in, %s out)\n' \
		"$got_in" "$got_out" "$want_cmds" "$want_in" "$want_out"
	[ "$got_cmds" = "$want_cmds" ] || failed "$f: decode finds $got_cmds SCSI commands, gen-usbmon wrote $want_cmds"
	[ "${not_good:-x}" = 0 ] || failed "$f: $not_good commands did not end GOOD"
	[ "$bad" -eq 0 ] || failed "$f: $bad commands are not GOOD or moved other than the expected bytes"
	[ "$got_in" = "$want_in" ] || failed "$f: decode read $got_in bytes, gen-usbmon wrote $want_in"
	[ "$got_out" = "$want_out" ] || failed "$f: decode wrote $got_out bytes, gen-usbmon wrote $want_out"
	[ "$findings" -eq 0 ] || failed "$f: $findings findings (is the enumeration not recognised?)"
	grep -q '"roles_inferred":false' "$TMP.sum" || failed "$f: storage roles were inferred, not read from the descriptors"
}

echo "== decode"
echo "checking that the captures decode:"
check_decodes "$SPEED"
check_decodes "$MEM_SMALL"
check_decodes "$MEM_BIG"

SIZE=$(size_of "$SPEED")
# Warm the page cache.
cat "$SPEED" >/dev/null
PKTS=$("$PLAIN" "$SPEED" | awk '{ print $2 }')
[ -n "$PKTS" ] || die "plain-loop failed on $SPEED"

: >"$TMP.pt"; : >"$TMP.pr"; : >"$TMP.dt"; : >"$TMP.dr"
i=0
while [ "$i" -lt "$RUNS" ]; do
	# Alternate the programs so drift in machine load hits both alike.
	timed "$TMP.pt" "$TMP.pr" "$PLAIN" "$SPEED"
	timed "$TMP.dt" "$TMP.dr" "$SCSISCOPE" decode --json "$SPEED"
	i=$((i + 1))
done

# tshark once: it takes minutes.  Its output is kept to count the CBWs.
cat "$SPEED" >/dev/null
t0=$(date +%s%N)
"$TIME" -f %M -o "$TMP.tsrss" "$TSHARK" -r "$SPEED" -Y usbms -T fields -e usbms.dCBWTag >"$TMP.tags" 2>"$TMP.tserr" ||
	{ cat "$TMP.tserr" >&2; die "tshark failed on $SPEED"; }
t1=$(date +%s%N)
TS_NS=$((t1 - t0))
TS_RSS=$(tail -n 1 "$TMP.tsrss")
# tshark shows the tag of the CBW and of the CSW in usbms.dCBWTag.
TS_TAGS=$(grep -c '^0x' "$TMP.tags" || true)
echo "tshark: $TS_TAGS CBWs and CSWs with a tag in $(basename "$SPEED") (gen-usbmon wrote $CMDS commands)"
[ "$TS_TAGS" = $((2 * CMDS)) ] || failed "tshark finds $TS_TAGS tagged CBWs and CSWs in $SPEED, want $((2 * CMDS))"

# For information (no check): tshark and decode on the small-payload file
# of the same length, where per-packet work outweighs moving bytes.
cat "$MEM_SMALL" >/dev/null
t0=$(date +%s%N)
"$TSHARK" -r "$MEM_SMALL" -Y usbms -T fields -e usbms.dCBWTag >/dev/null 2>"$TMP.tserr" ||
	{ cat "$TMP.tserr" >&2; die "tshark failed on $MEM_SMALL"; }
t1=$(date +%s%N)
TS_SMALL_NS=$((t1 - t0))

# Memory: the same session at two lengths.
: >"$TMP.st"; : >"$TMP.sr"; : >"$TMP.bt"; : >"$TMP.br"
i=0
while [ "$i" -lt 3 ]; do
	timed "$TMP.st" "$TMP.sr" "$SCSISCOPE" decode --json "$MEM_SMALL"
	timed "$TMP.bt" "$TMP.br" "$SCSISCOPE" decode --json "$MEM_BIG"
	i=$((i + 1))
done

awk -v file="$SPEED" -v size="$SIZE" -v pkts="$PKTS" -v cmds="$CMDS" -v runs="$RUNS" \
    -v pt="$(median "$TMP.pt")" -v pr="$(median "$TMP.pr")" \
    -v dt="$(median "$TMP.dt")" -v dr="$(median "$TMP.dr")" \
    -v tt="$TS_NS" -v tr="$TS_RSS" -v tsmin="$MIN_TSHARK_RATIO" -v plmax="$MAX_PLAIN_RATIO" \
    -v sfile="$MEM_SMALL" -v ssize="$(size_of "$MEM_SMALL")" -v st="$(median "$TMP.st")" -v sr="$(median "$TMP.sr")" \
    -v bfile="$MEM_BIG" -v bsize="$(size_of "$MEM_BIG")" -v bt="$(median "$TMP.bt")" -v br="$(median "$TMP.br")" \
    -v mcmds="$MEM_CMDS" -v tol="$RSS_TOLERANCE" -v prior="$fail" -v tst="$TS_SMALL_NS" -v xfer="$XFER" '
function sec(ns) { return ns / 1e9 }
BEGIN {
	fail = prior
	printf "file                %s\n", file
	printf "                    %.1f MB, %d packets, %d commands (MB = 10^6 bytes)\n", size / 1e6, pkts, cmds
	printf "page cache warm; plain loop and decode: median of %d runs; tshark: one run\n", runs
	printf "  plain libpcap loop       %8.3f s  %8.1f MB/s  max RSS %8d kB\n", sec(pt), size / sec(pt) / 1e6, pr
	printf "  scsiscope decode --json  %8.3f s  %8.1f MB/s  max RSS %8d kB  %9.0f commands/s\n", sec(dt), size / sec(dt) / 1e6, dr, cmds / sec(dt)
	printf "  tshark -Y usbms -T fields %7.3f s  %8.1f MB/s  max RSS %8d kB\n", sec(tt), size / sec(tt) / 1e6, tr
	r1 = tt / dt
	r2 = dt / pt
	printf "speed ratio tshark/decode   %7.1f   (must be >= %d)\n", r1, tsmin
	printf "time ratio decode/plain     %7.2f   (must be <= %d)\n", r2, plmax
	if (r1 < tsmin) { printf "FAIL: decode --json is less than %d times as fast as tshark\n", tsmin; fail = 1 }
	if (r2 > plmax) { printf "FAIL: decode --json takes more than %d times as long as the plain libpcap loop\n", plmax; fail = 1 }
	printf "for information: tshark/plain %.1f (no decoder can beat this ratio against tshark\n", tt / pt
	printf "  without reading faster than libpcap); on the %d-byte-payload file of %d commands\n", xfer, cmds
	printf "  tshark takes %.3f s, decode %.3f s: tshark/decode %.1f\n", sec(tst), sec(st), tst / st
	printf "memory (decode --json, max RSS, median of 3 runs):\n"
	printf "  %9d commands  %7.1f MB  %8.3f s  %8d kB   %s\n", cmds, ssize / 1e6, sec(st), sr, sfile
	printf "  %9d commands  %7.1f MB  %8.3f s  %8d kB   %s\n", mcmds, bsize / 1e6, sec(bt), br, bfile
	d = (br - sr) / sr
	printf "RSS ratio big/small         %7.3f   (must be within 1 +- %.2f)\n", br / sr, tol
	if (d > tol || d < -tol) { printf "FAIL: decode memory changes with the length of the capture\n"; fail = 1 }
	exit fail
}' || fail=1

if [ "$fail" -eq 0 ]; then echo "bench decode: PASS"; else echo "bench decode: FAIL"; fi
exit "$fail"
