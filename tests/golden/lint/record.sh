#!/bin/sh
# record.sh - print the warning and error findings of `scsiscope lint` on each capture of files.txt, in the format of expected.tsv, for REVIEW before any row goes into the table.
# usage: tests/golden/lint/record.sh BUILD_DIR/scsiscope  (from the source tree)
set -e
bin=${1:?usage: record.sh PATH/TO/scsiscope}
here=$(dirname "$0")
grep -v '^#' "$here/files.txt" | while read -r f; do
	case $f in
	captures/*) p=../shared/$f ;;
	*) p=$f ;;
	esac
	[ -f "$p" ] || { echo "# absent: $f" >&2; continue; }
	out=$("$bin" lint --json --severity info "$p" | python3 -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    if r.get("kind") == "finding" and r["severity"] in ("warning", "error"):
        fr = ",".join(str(x) for x in r.get("frames", [])) or "-"
        print("\t".join((sys.argv[1], r["id"], fr, r["severity"], r["message"])))
' "$f")
	if [ -n "$out" ]; then printf '%s\n' "$out"; else printf '# %s: no warning or error\n' "$f"; fi
done
