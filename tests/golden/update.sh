#!/bin/sh
# update.sh - rewrite the golden `scsiscope decode` outputs in tests/golden/out from a build.
#
# Usage: tests/golden/update.sh [SCSISCOPE]
#   SCSISCOPE: the binary to run (default: ./scsiscope, i.e. run it from a
#   build directory as $srcdir/tests/golden/update.sh).  Run it when a
#   change of the decoding is intended, then review `git diff tests/golden/out`
#   line by line and commit the outputs with the change.  Cases whose
#   capture is absent (../shared) are left as they are.
set -eu
bin=${1:-./scsiscope}
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
[ -x "$bin" ] || { echo "usage: $0 [path/to/scsiscope]" >&2; exit 2; }
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/golden/cases.sh"
cd "$top"
mkdir -p tests/golden/out
golden_cases | while read -r name opts capture; do
	if [ ! -f "$capture" ]; then
		echo "skipped $name: $capture is absent" >&2
		continue
	fi
	run_case "$bin" "$opts" "$capture" >"tests/golden/out/$name"
	echo "tests/golden/out/$name"
done
