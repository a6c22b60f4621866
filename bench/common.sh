# common.sh - shell helpers the benchmark scripts share (sourced by bench/run.sh and bench/run-decode.sh).
#
# The sourcing script sets B (the build directory, absolute), OUT (where
# captures go) and TMP (a prefix for scratch files, removed on exit) and
# calls bench_setup first.

die() { echo "bench: $*" >&2; exit 2; }

# bench_setup: check the programs and tools every benchmark needs.
bench_setup() {
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
	mkdir -p "$OUT"
}

# gen FILE GEN-ARGS...: write FILE with gen-usbmon unless it is there and
# newer than the generator.  The generator's report (commands, packets,
# bytes, data bytes in and out) is kept in FILE.gen.
gen() {
	f=$1
	shift
	if [ -s "$f" ] && [ -s "$f.gen" ] && [ -z "$(find "$GEN" -newer "$f.gen")" ]; then
		return 0
	fi
	echo "bench: generating $f (gen-usbmon $*)"
	rm -f "$f" "$f.gen"
	"$GEN" "$@" "$f.part" 2>"$f.gen.part" || { cat "$f.gen.part" >&2; die "gen-usbmon failed"; }
	mv "$f.part" "$f"
	mv "$f.gen.part" "$f.gen"
}

# gen_field FILE WHAT: a number from FILE.gen, e.g. gen_field F "data bytes in".
gen_field() {
	sed -n "s/.* \([0-9][0-9]*\) $2[,]*.*/\1/p" "$1.gen" | head -n 1
}

size_of() { wc -c <"$1" | tr -d ' '; }

# timed FILE.times FILE.rss PROGRAM ARGS...: one run with stdout to
# /dev/null; appends wall ns and max RSS kB.
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

# minimum FILE: the smallest number in FILE (the run least disturbed by
# the rest of the machine; used where the difference measured is small).
minimum() { sort -n "$1" | head -n 1; }
