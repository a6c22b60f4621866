#!/bin/sh
# run.sh - capture-layer benchmark: `scsiscope events --count` against a plain libpcap loop on large usbmon pcap and pcapng files.
#
# Usage: bench/run.sh BUILDDIR      (or `make bench` in the build directory)
#
# Builds nothing: BUILDDIR must hold scsiscope, bench/gen-usbmon and
# bench/plain-loop.  Generated captures go to BUILDDIR/bench/out/ (kept
# between runs; gitignored in an in-tree build).  The same session is
# written twice, as pcap (read by libpcap inside scsiscope) and as pcapng
# (read by scsiscope's own block reader); each is compared with the plain
# libpcap loop on the same file.  Environment:
#   BENCH_COMMANDS  commands in the big files (default 100000, about 660 MB each)
#   BENCH_SEED      generator seed (default 1)
#   BENCH_RUNS      timed runs of each program (default 5; the median counts)
#   BENCH_OUT       where the captures go (default BUILDDIR/bench/out)
#   BENCH_RSS_SLACK_KB  how much more the big file may need than the small (default 2048)
# Exit status: 0 pass, 1 fail (a speed ratio below 0.5, memory grows with
# the file, or the two programs disagree on the packet count), 2
# usage/setup error.
set -eu

die() { echo "bench: $*" >&2; exit 2; }

[ $# -eq 1 ] || die "usage: run.sh BUILDDIR"
B=$(cd "$1" 2>/dev/null && pwd) || die "no build directory '$1'"
SCSISCOPE=$B/scsiscope
GEN=$B/bench/gen-usbmon
PLAIN=$B/bench/plain-loop
for p in "$SCSISCOPE" "$GEN" "$PLAIN"; do
	[ -x "$p" ] || die "$p is missing: run 'make bench' in $B"
done
TIME=/usr/bin/time
"$TIME" -f %M -o /dev/null true 2>/dev/null ||
	die "GNU time is needed for max RSS (Debian/Ubuntu: apt-get install time)"
date +%N | grep -q '^[0-9]' || die "date +%N is needed for wall times (GNU coreutils)"

CMDS=${BENCH_COMMANDS:-100000}
SEED=${BENCH_SEED:-1}
RUNS=${BENCH_RUNS:-5}
OUT=${BENCH_OUT:-$B/bench/out}
SLACK_KB=${BENCH_RSS_SLACK_KB:-2048}
MIN_RATIO=0.5
SMALL_CMDS=$((CMDS / 5))
TMP=$OUT/tmp.$$
mkdir -p "$OUT"
trap 'rm -f "$TMP".*' EXIT INT TERM

gen() {   # gen FORMAT COMMANDS FILE
	[ -s "$3" ] && return 0
	echo "bench: generating $3 ($2 commands)"
	"$GEN" -f "$1" -n "$2" -s "$SEED" "$3.part" || die "gen-usbmon failed"
	mv "$3.part" "$3"
}

size_of() { wc -c <"$1" | tr -d ' '; }

# timed FILE.times FILE.rss PROGRAM ARGS...: one run; appends wall ns and max RSS kB.
timed() {
	tf=$1 rf=$2
	shift 2
	t0=$(date +%s%N)
	"$TIME" -f %M -o "$TMP.rss" "$@" >/dev/null || die "$1 failed"
	t1=$(date +%s%N)
	echo $((t1 - t0)) >>"$tf"
	tail -n 1 "$TMP.rss" >>"$rf"
}
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# bench_format FORMAT: generate, time and judge one file format.  Prints
# the report; returns 1 if a check failed.
bench_format() {
	fmt=$1
	BIG=$OUT/usbmon-$CMDS-s$SEED.$fmt
	SMALL=$OUT/usbmon-$SMALL_CMDS-s$SEED.$fmt
	gen "$fmt" "$CMDS" "$BIG"
	gen "$fmt" "$SMALL_CMDS" "$SMALL"
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
