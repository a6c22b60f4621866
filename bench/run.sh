#!/bin/sh
# run.sh - capture-layer benchmark: `scsiscope events --count` against a plain libpcap loop on large usbmon pcap and pcapng files.
#
# Usage: bench/run.sh BUILDDIR      (or `make bench` in the build directory)
#
# Builds nothing: BUILDDIR must hold scsiscope, bench/gen-usbmon and
# bench/plain-loop.  Generated captures go to BUILDDIR/bench/out/ (kept
# between runs, made again when gen-usbmon is newer; gitignored in an
# in-tree build).  Helpers: bench/common.sh.  The same session is
# written twice, as pcap (read by libpcap inside scsiscope) and as pcapng
# (read by scsiscope's own block reader); each is compared with the plain
# libpcap loop on the same file.  Environment:
#   BENCH_COMMANDS  commands in the big files (default 100000, about 690 MB each)
#   BENCH_SEED      generator seed (default 1)
#   BENCH_RUNS      timed runs of each program (default 5; the median counts)
#   BENCH_OUT       where the captures go (default BUILDDIR/bench/out)
#   BENCH_RSS_SLACK_KB  how much more the big file may need than the small (default 2048)
# Exit status: 0 pass, 1 fail (a speed ratio below 0.5, memory grows with
# the file, or the two programs disagree on the packet count), 2
# usage/setup error.
set -eu

[ $# -eq 1 ] || { echo "bench: usage: run.sh BUILDDIR" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/common.sh"
B=$(cd "$1" 2>/dev/null && pwd) || die "no build directory '$1'"

CMDS=${BENCH_COMMANDS:-100000}
SEED=${BENCH_SEED:-1}
RUNS=${BENCH_RUNS:-5}
OUT=${BENCH_OUT:-$B/bench/out}
SLACK_KB=${BENCH_RSS_SLACK_KB:-2048}
MIN_RATIO=0.5
SMALL_CMDS=$((CMDS / 5))
TMP=$OUT/tmp.$$
bench_setup
trap 'rm -f "$TMP".*' EXIT INT TERM

# bench_format FORMAT: generate, time and judge one file format.  Prints
# the report; returns 1 if a check failed.
bench_format() {
	fmt=$1
	BIG=$OUT/bot-$CMDS-s$SEED.$fmt
	SMALL=$OUT/bot-$SMALL_CMDS-s$SEED.$fmt
	gen "$BIG" -f "$fmt" -n "$CMDS" -s "$SEED"
	gen "$SMALL" -f "$fmt" -n "$SMALL_CMDS" -s "$SEED"
	BIG_SIZE=$(size_of "$BIG")
	SMALL_SIZE=$(size_of "$SMALL")

	# Warm the page cache, and check both programs see the same packets.
	cat "$BIG" "$SMALL" >/dev/null
	PLAIN_PKTS=$("$PLAIN" "$BIG" | awk '{ print $2 }')
	SCOPE_PKTS=$("$SCSISCOPE" events --count "$BIG" | awk '$1 == "frames" { print $2 }')
	[ -n "$PLAIN_PKTS" ] || die "plain-loop failed on $BIG"
	[ -n "$SCOPE_PKTS" ] || die "scsiscope events --count failed on $BIG"

	: >"$TMP.pt"; : >"$TMP.pr"; : >"$TMP.st"; : >"$TMP.sr"; : >"$TMP.xt"; : >"$TMP.xr"
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		# Alternate the programs so drift in machine load hits both alike.
		timed "$TMP.pt" "$TMP.pr" "$PLAIN" "$BIG"
		timed "$TMP.st" "$TMP.sr" "$SCSISCOPE" events --count "$BIG"
		timed "$TMP.xt" "$TMP.xr" "$SCSISCOPE" events --count "$SMALL"
		i=$((i + 1))
	done

	awk -v fmt="$fmt" -v big="$BIG" -v bsize="$BIG_SIZE" -v ssize="$SMALL_SIZE" -v cmds="$CMDS" \
	    -v runs="$RUNS" -v ppk="$PLAIN_PKTS" -v spk="$SCOPE_PKTS" -v minr="$MIN_RATIO" -v slack="$SLACK_KB" \
	    -v pt="$(median "$TMP.pt")" -v pr="$(median "$TMP.pr")" \
	    -v st="$(median "$TMP.st")" -v sr="$(median "$TMP.sr")" \
	    -v xr="$(median "$TMP.xr")" '
	BEGIN {
		fail = 0
		printf "== %s\n", fmt
		printf "file                %s\n", big
		printf "                    %.1f MB, %d packets, %d commands (MB = 10^6 bytes)\n", bsize / 1e6, ppk, cmds
		if (bsize < 500e6)
			printf "                    note: below the 500 MB the benchmark is meant to use (BENCH_COMMANDS=%d)\n", cmds
		printf "median of %d runs, page cache warm:\n", runs
		printf "  plain libpcap loop    %7.3f s  %8.1f MB/s  max RSS %6d kB\n", pt / 1e9, bsize / (pt / 1e9) / 1e6, pr
		printf "  scsiscope --count     %7.3f s  %8.1f MB/s  max RSS %6d kB\n", st / 1e9, bsize / (st / 1e9) / 1e6, sr
		ratio = pt / st
		printf "speed ratio scsiscope/plain   %.2f   (must be >= %.2f)\n", ratio, minr
		if (ratio < minr) { printf "FAIL: %s: the capture layer is less than half as fast as plain libpcap\n", fmt; fail = 1 }
		printf "scsiscope max RSS   small file (%.1f MB) %d kB, big file (%.1f MB) %d kB\n", ssize / 1e6, xr, bsize / 1e6, sr
		printf "                    big/small %.2f, difference %+d kB (must be <= %d kB)\n", sr / xr, sr - xr, slack
		if (sr - xr > slack) { printf "FAIL: %s: memory grows with the file\n", fmt; fail = 1 }
		if (ppk != spk) { printf "FAIL: %s: plain-loop counts %d packets, scsiscope %d frames\n", fmt, ppk, spk; fail = 1 }
		exit fail
	}'
}

status=0
bench_format pcap || status=1
bench_format pcapng || status=1
if [ "$status" -eq 0 ]; then echo "bench: PASS"; else echo "bench: FAIL"; fi
exit "$status"
