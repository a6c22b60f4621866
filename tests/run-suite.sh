#!/bin/sh
# run-suite.sh - the whole test suite: a -Werror build and an ASan+UBSan build, each running make check; make distcheck; then every fuzz target for FUZZ_SECONDS (default 60) in a clang libFuzzer build.
#
# Builds happen in build-plain/, build-sanitizers/ and build-fuzz/ beside
# the sources (all gitignored).  Any test failure, compiler warning,
# sanitizer report or fuzzer finding fails the run.  FUZZ_SECONDS=0 skips
# the fuzzing (a quick local run).
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
jobs=$(nproc 2>/dev/null || echo 2)

autoreconf -fi

run_variant() {
	name=$1; shift
	echo "=== $name build: configure $*"
	rm -rf "build-$name"
	mkdir "build-$name"
	(
		cd "build-$name"
		"$top/configure" --enable-werror "$@" >configure.out 2>&1 || { cat configure.out; exit 1; }
		make -j"$jobs"
		# halt_on_error: any sanitizer report ends the test with a failure.
		ASAN_OPTIONS=abort_on_error=1:halt_on_error=1:detect_leaks=1 \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
			make -j"$jobs" check || { cat test-suite.log 2>/dev/null; exit 1; }
		# Criterion runs tests in worker processes whose sanitizer reports
		# (leaks especially) do not always change an exit code: any report
		# in any test log fails the run.
		reports=$(grep -rlE 'ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: UndefinedBehaviorSanitizer' \
			--include='*.log' tests 2>/dev/null || true)
		if [ -n "$reports" ]; then
			echo "sanitizer reports in: $reports"
			for f in $reports; do grep -B2 -A20 -E 'Sanitizer|runtime error' "$f" | head -60; done
			exit 1
		fi
	)
}

run_variant plain
run_variant sanitizers --enable-sanitizers

echo "=== make distcheck"
(cd build-plain && make -j"$jobs" distcheck DISTCHECK_CONFIGURE_FLAGS=--enable-werror >distcheck.out 2>&1) \
	|| { tail -50 build-plain/distcheck.out; exit 1; }
echo "distcheck passed"

# Fuzzing (fuzz/README.md): each target FUZZ_SECONDS, two at a time.
fuzz_seconds=${FUZZ_SECONDS:-60}
if [ "$fuzz_seconds" -gt 0 ]; then
	echo "=== fuzz build: configure --enable-fuzzing CC=clang; make fuzz FUZZ_SECONDS=$fuzz_seconds"
	rm -rf build-fuzz
	mkdir build-fuzz
	(
		cd build-fuzz
		"$top/configure" --enable-werror --enable-fuzzing CC=clang >configure.out 2>&1 || { cat configure.out; exit 1; }
		make -j"$jobs" libscsiscope.a >make.out 2>&1 || { cat make.out; exit 1; }
		make fuzz FUZZ_SECONDS="$fuzz_seconds" FUZZ_JOBS="$jobs"
	)
fi

# A summary line any CI reader understands.
passed=$(cat build-plain/tests/*/*.log build-sanitizers/tests/*/*.log 2>/dev/null | sed -n 's/.*Synthesis: Tested: [0-9]* | Passing: \([0-9]*\) .*/\1/p' | awk '{s+=$1} END {print s+0}')
failed=$(cat build-plain/tests/*/*.log build-sanitizers/tests/*/*.log 2>/dev/null | sed -n 's/.*| Failing: \([0-9]*\) | Crashing: \([0-9]*\).*/\1 \2/p' | awk '{s+=$1+$2} END {print s+0}')
echo "suite: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
