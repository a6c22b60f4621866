#!/bin/sh
# run.sh - make fuzz: build every target of fuzz/targets.h with libFuzzer and run each for FUZZ_SECONDS; a crash, leak, timeout, out-of-memory or sanitizer report fails the run and leaves its reproducer.
#
# Usage (make fuzz passes all of this): run.sh SRCDIR ENABLED, with CC,
# CPPFLAGS, CFLAGS, LDFLAGS and LIBS of the build (configured with
# --enable-fuzzing CC=clang) and FUZZ_SECONDS (default 60), FUZZ_JOBS
# (targets run at once, default 2), FUZZ_TARGETS (default: all) in the
# environment.  Works in the build directory: fuzz/fuzz_TARGET (the
# programs), fuzz/corpus/TARGET (what libFuzzer found, kept between runs),
# fuzz/artifacts/TARGET/ (reproducers), fuzz/logs/TARGET.log.
# Seeds, read but never written: fuzz/seeds/TARGET and fuzz/regress/TARGET
# of the sources; for the capture targets also samples/ and
# ../shared/captures.
# Per input: -timeout=10 s (a hang), -rss_limit_mb=2048, -malloc_limit_mb=
# 1024 (one allocation), -max_len=65536 (1 MiB for the capture targets and
# diff, whose seeds are real captures).
# Exit status: 0 every target ran clean, 1 a target failed, 2 setup error.
set -u
[ $# -eq 2 ] || { echo "fuzz: usage: run.sh SRCDIR ENABLED" >&2; exit 2; }
src=$1
if [ "$2" != yes ]; then
	echo "fuzz: this build is not configured for fuzzing; in a separate build directory run" >&2
	echo "      $src/configure --enable-fuzzing CC=clang && make fuzz" >&2
	exit 2
fi
: "${CC:?}" "${CFLAGS:?}" "${LIBS:?}"
SECONDS_EACH=${FUZZ_SECONDS:-60}
JOBS=${FUZZ_JOBS:-2}
targets=${FUZZ_TARGETS:-$(sed -n 's/^FUZZ_TARGET(\([a-z_]*\))$/\1/p' "$src/fuzz/targets.h")}
shared=$src/../shared/captures
mkdir -p fuzz/corpus fuzz/artifacts fuzz/logs

echo "fuzz: building $(echo $targets | wc -w) targets"
for t in $targets; do
	[ -f "$src/fuzz/fuzz_$t.c" ] || { echo "fuzz: no target $t ($src/fuzz/fuzz_$t.c)" >&2; exit 2; }
	# shellcheck disable=SC2086
	$CC $CPPFLAGS $CFLAGS -fsanitize=fuzzer -o "fuzz/fuzz_$t" "$src/fuzz/fuzz_$t.c" ${LDFLAGS:-} $LIBS ||
		{ echo "fuzz: building fuzz_$t failed" >&2; exit 2; }
done

# one_target T: run target T; its log in fuzz/logs/T.log.
one_target() {
	t=$1
	mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
	set -- "fuzz/corpus/$t" "$src/fuzz/seeds/$t" "$src/fuzz/regress/$t"
	max_len=65536
	case $t in
	diff)
		max_len=1048576         # its seeds are two captures
		;;
	capture | decode | pcap | pcapng | usbmon_text | pklg | btsnoop)
		max_len=1048576
		set -- "$@" "$src/samples"
		[ -d "$shared" ] && set -- "$@" "$shared"
		;;
	esac
	for d in "$@"; do [ -d "$d" ] || mkdir -p "$d" 2>/dev/null || true; done
	ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1 \
		"./fuzz/fuzz_$t" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
		-malloc_limit_mb=1024 -max_len="$max_len" -print_final_stats=1 \
		-artifact_prefix="fuzz/artifacts/$t/" "$@" >"fuzz/logs/$t.log" 2>&1
	echo $? >"fuzz/logs/$t.rc"
}

echo "fuzz: running each target for $SECONDS_EACH s, $JOBS at a time"
running=0
for t in $targets; do
	rm -f "fuzz/logs/$t.rc" "fuzz/artifacts/$t/"* 2>/dev/null
	one_target "$t" &
	running=$((running + 1))
	if [ "$running" -ge "$JOBS" ]; then
		wait
		running=0
	fi
done
wait

fail=0
printf '%-12s %12s %10s %8s %8s %s\n' target executions exec/s cov features result
for t in $targets; do
	log=fuzz/logs/$t.log
	rc=$(cat "fuzz/logs/$t.rc" 2>/dev/null || echo 99)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n 1 | cut -d' ' -f2)
	ft=$(grep -oE 'ft: [0-9]+' "$log" | tail -n 1 | cut -d' ' -f2)
	arts=$(ls "fuzz/artifacts/$t" 2>/dev/null | wc -l)
	result=ok
	if [ "$rc" != 0 ] || [ "$arts" -gt 0 ] || grep -qE 'ERROR: (Address|Leak|UndefinedBehavior)Sanitizer|runtime error:|==ERROR: libFuzzer' "$log"; then
		result="FAIL (exit $rc, $arts reproducer(s))"
		fail=1
	fi
	printf '%-12s %12s %10s %8s %8s %s\n' "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$result"
done
if [ "$fail" -ne 0 ]; then
	for t in $targets; do
		for a in fuzz/artifacts/"$t"/*; do
			[ -f "$a" ] || continue
			echo "== $t: $a"
			grep -m 1 -A 30 -E 'ERROR|runtime error|deadly signal|timeout|out-of-memory' "fuzz/logs/$t.log" | head -40
			echo "reproduce: ./fuzz/fuzz_$t $a   (or: fuzz/replay $t $a in any build)"
			echo "after the fix: cp $a $src/fuzz/regress/$t/  (make check replays it from then on)"
		done
	done
	echo "fuzz: FAIL"
	exit 1
fi
echo "fuzz: PASS"
