#!/bin/sh
# check-out.sh - make check: `scsiscope decode` output of every golden case equals tests/golden/out, else show the unified diff.
#
# Run by make check (TESTS); needs top_srcdir and top_builddir in the
# environment (AM_TESTS_ENVIRONMENT sets them).  When a decoding change is
# intended, run tests/golden/update.sh and review `git diff tests/golden/out`.
set -u
: "${top_srcdir:?top_srcdir is not set (run through make check)}"
: "${top_builddir:?top_builddir is not set (run through make check)}"
bin=$(cd "$top_builddir" && pwd)/scsiscope
[ -x "$bin" ] || { echo "no $bin: build first" >&2; exit 99; }
. "$top_srcdir/tests/golden/cases.sh"
cd "$top_srcdir" || exit 99
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
fail=0 ran=0 skipped=0
golden_cases | {
	while read -r name opts capture; do
		if [ ! -f "$capture" ]; then
			echo "SKIP $name: $capture is absent (../shared not beside the source tree?)"
			skipped=$((skipped + 1))
			continue
		fi
		if [ ! -f "tests/golden/out/$name" ]; then
			echo "FAIL $name: tests/golden/out/$name is missing (run tests/golden/update.sh)"
			fail=1
			continue
		fi
		run_case "$bin" "$opts" "$capture" >"$tmp/out" 2>"$tmp/err"
		rc=$?
		if [ $rc -ne 0 ]; then
			echo "FAIL $name: scsiscope decode exited $rc: $(head -3 "$tmp/err")"
			fail=1
		elif ! diff -u "tests/golden/out/$name" "$tmp/out" >"$tmp/diff"; then
			echo "FAIL $name: the output differs from tests/golden/out/$name"
			echo "(if the change is intended: tests/golden/update.sh, then review git diff tests/golden/out)"
			sed 's|'"$tmp"'/out|'"$name"' (now)|' "$tmp/diff"
			fail=1
		else
			echo "PASS $name"
		fi
		ran=$((ran + 1))
	done
	echo "$ran cases compared, $skipped skipped"
	exit $fail
}
