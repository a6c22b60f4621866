#!/bin/bash
# make-names.sh - write tests/golden/tshark-bt/names.tsv: tshark's name for every code of
# scsiscope's Bluetooth name tables (decode/hci_tables.c) and for the codes around them.
#
# Usage: bash tests/golden/tshark-bt/make-names.sh BUILDDIR     (from the top of the source tree,
#        BUILDDIR a configured and built tree: make -C BUILDDIR tests/unit/test_hci_names)
#
# 1. tests/unit/test_hci_names, run with SCSISCOPE_NAMES_CAPTURE=FILE, writes FILE, a btsnoop
#    (H4) capture built with the project's own writer: an HCI command per opcode, an event per
#    event code (LE Meta also once per subevent), a Command Complete per error code as status, an
#    L2CAP signalling PDU per code, a PDU on each fixed channel, an ATT PDU per opcode, an ATT
#    Error Response per error code, a Read By Type Request per 16-bit UUID, an SMP PDU per code,
#    a Pairing Failed per reason and a Pairing Request per IO capability; and FILE.manifest
#    (frame, table, code, the tshark field that names the code, our name or "-").
# 2. tshark -r FILE -T pdml: the showname of that field in that frame ("Opcode: Read Request
#    (0x0a)") without its label and number is tshark's name.
# 3. names.tsv: table, code, tshark's name; a code neither tshark nor we name is left out.
#
# tshark is only this script's reference: tests/unit/test_hci_names.c reads names.tsv and never
# runs tshark.  Review `git diff tests/golden/tshark-bt/names.tsv` and commit.  Regenerate after
# adding a code to a table: the test fails when a code we name is missing from names.tsv.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 BUILDDIR" >&2; exit 2; }
build=$(cd "$1" && pwd)
[ -f tests/golden/tshark-bt/make-names.sh ] || { echo "run from the top of the source tree" >&2; exit 2; }
command -v tshark >/dev/null || { echo "tshark is not installed" >&2; exit 2; }
[ -x "$build/tests/unit/test_hci_names" ] || { echo "$build/tests/unit/test_hci_names is not built" >&2; exit 2; }

out=tests/golden/tshark-bt/names.tsv
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cap=$tmp/names.btsnoop

SCSISCOPE_NAMES_CAPTURE=$cap top_srcdir=$(pwd) top_builddir=$build \
	"$build/tests/unit/test_hci_names" --filter 'hci_names/write_capture_for_make_names' >"$tmp/log" 2>&1 ||
	{ cat "$tmp/log" >&2; exit 1; }
[ -s "$cap" ] && [ -s "$cap.manifest" ] || { echo "no capture written" >&2; exit 1; }

fields='bthci_cmd\.opcode|bthci_evt\.code|bthci_evt\.le_meta_subevent|bthci_evt\.status|btl2cap\.cmd_code|btl2cap\.cid|btatt\.opcode|btatt\.error_code|btatt\.uuid16|btsmp\.opcode|btsmp\.reason|btsmp\.io_capability'
tshark -r "$cap" -T pdml 2>/dev/null >"$tmp/pdml"

# frame, field, showname: the first occurrence of each field in each frame.
awk -v fields="^($fields)\$" '
	function attr(s, a,    i, v) {
		i = index(s, " " a "=\"")
		if (!i)
			return ""
		v = substr(s, i + length(a) + 3)
		v = substr(v, 1, index(v, "\"") - 1)
		gsub(/&lt;/, "<", v); gsub(/&gt;/, ">", v); gsub(/&quot;/, "\"", v); gsub(/&apos;/, "\047", v)
		gsub(/&amp;/, "\\&", v)
		return v
	}
	/<packet>/ { frame = ""; split("", seen) }
	/<field name="frame\.number"/ { frame = attr($0, "show") }
	/<field name="/ {
		name = attr($0, "name")
		if (name ~ fields && !(name in seen)) {
			seen[name] = 1
			print frame "\t" name "\t" attr($0, "showname")
		}
	}' "$tmp/pdml" >"$tmp/shownames"

{
	echo "# names.tsv - tshark's names for the codes of scsiscope's Bluetooth name tables (decode/hci_tables.c)."
	echo "# Written by: bash tests/golden/tshark-bt/make-names.sh BUILDDIR (from the top of the source tree),"
	echo "#   which runs: tshark -r names.btsnoop -T pdml   and keeps, per frame, the showname of the field"
	echo "#   that carries the code (bthci_cmd.opcode, bthci_evt.code, bthci_evt.le_meta_subevent,"
	echo "#   bthci_evt.status, btl2cap.cmd_code, btl2cap.cid, btatt.opcode, btatt.error_code,"
	echo "#   btatt.uuid16, btsmp.opcode, btsmp.reason, btsmp.io_capability) without label and number."
	echo "# $(tshark -v 2>/dev/null | head -1)"
	echo "# Codes that neither tshark nor scsiscope names are left out.  tests/unit/test_hci_names.c compares."
	printf 'table\tcode\tname\n'
	awk -F '\t' '
		FNR == NR { show[$1 "\t" $2] = $3; next }
		{
			s = show[$1 "\t" $4]
			if (s == "")
				name = "-"
			else {
				name = s
				sub(/^[^:]*: /, "", name)
				sub(/ \(0x[0-9a-fA-F]+\)$/, "", name)
			}
			if ((name == "-" || name == "Unknown" || name == "Reserved") && $5 == "-")
				next
			print $2 "\t" $3 "\t" name
		}' "$tmp/shownames" "$cap.manifest"
} >"$out.tmp"
mv "$out.tmp" "$out"
echo "wrote $out: $(grep -vc '^#' "$out") lines" >&2
