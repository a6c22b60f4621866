#!/bin/sh
# regress.sh - make check: every fuzz target over its seeds and regression corpus, the capture targets also over every capture in samples/ and ../shared/captures, through fuzz/replay (any crash or sanitizer report fails).
#
# Needs top_srcdir and top_builddir in the environment (make check sets
# them).  The targets are those of fuzz/targets.h; a reproducer that made a
# target fail goes into fuzz/regress/TARGET/ with the fix (fuzz/README.md).
set -u
: "${top_srcdir:?top_srcdir is not set (run through make check)}"
: "${top_builddir:?top_builddir is not set (run through make check)}"
replay=$top_builddir/fuzz/replay
[ -x "$replay" ] || { echo "no $replay: build first (make check builds it)" >&2; exit 99; }
shared=$top_srcdir/../shared/captures
targets=$(sed -n 's/^FUZZ_TARGET(\([a-z_]*\))$/\1/p' "$top_srcdir/fuzz/targets.h")
[ -n "$targets" ] || { echo "no targets in fuzz/targets.h" >&2; exit 99; }
fail=0
for t in $targets; do
	set -- "$top_srcdir/fuzz/seeds/$t" "$top_srcdir/fuzz/regress/$t"
	case $t in
	capture | decode | pcap | pcapng | usbmon_text | pklg | btsnoop)
		set -- "$@" "$top_srcdir/samples"
		[ -d "$shared" ] && set -- "$@" "$shared"
		;;
	esac
	"$replay" "$t" "$@" || { echo "FAIL: fuzz target $t"; fail=1; }
done
exit $fail
