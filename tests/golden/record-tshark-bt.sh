#!/bin/sh
# record-tshark-bt.sh - write tshark's view of every record of the Bluetooth captures into tests/golden/tshark-bt/*.tsv.
#
# Usage: sh tests/golden/record-tshark-bt.sh      (from the top of the source tree)
#
# Needs tshark (the goldens in the tree were recorded with tshark 4.0.17).
# Run it after adding a Bluetooth capture, review `git diff
# tests/golden/tshark-bt`, commit.  tests/unit/test_hci.c reads the files
# (test hci_acceptance::tshark_agrees_frame_by_frame); it never runs tshark.
#
# File format: line 1 "# file: PATH" (PATH relative to the source tree),
# line 2 the tshark version, line 3 the column names; then one line per
# frame, tab-separated, "-" where tshark gives nothing:
#   frame    the frame number
#   cmd      bthci_cmd.opcode: an HCI command
#   evt      bthci_evt.code: an HCI event
#   sub      bthci_evt.le_meta_subevent
#   evtop    bthci_evt.opcode: the command a Command Complete/Status answers
#   handle   bthci_acl.chandle: ACL data
#   cid      btl2cap.cid: the frame holds the start of an L2CAP PDU
#   att      btatt.opcode
#   smp      btsmp.opcode
# A frame with none of these is a PacketLogger side-band record (note,
# syslog, kernel, power) or an LMP/vendor record.
set -eu

out=tests/golden/tshark-bt
shared=../shared/captures
[ -f tests/golden/record-tshark-bt.sh ] || { echo "run from the top of the source tree" >&2; exit 2; }
command -v tshark >/dev/null || { echo "tshark is not installed" >&2; exit 2; }
mkdir -p "$out"
for f in public/hciparse/test00.pklg public/btstack/pairing.pklg; do
	[ -f "$shared/$f" ] || { echo "skipping $f: not in $shared" >&2; continue; }
	name=$(basename "$f")
	{
		echo "# file: $shared/$f"
		echo "# $(tshark -v 2>/dev/null | head -1)"
		printf 'frame\tcmd\tevt\tsub\tevtop\thandle\tcid\tatt\tsmp\n'
		tshark -r "$shared/$f" -T fields -E separator=/t -E occurrence=f \
			-e frame.number -e bthci_cmd.opcode -e bthci_evt.code -e bthci_evt.le_meta_subevent \
			-e bthci_evt.opcode -e bthci_acl.chandle -e btl2cap.cid -e btatt.opcode -e btsmp.opcode 2>/dev/null |
			awk -F '\t' 'BEGIN { OFS = "\t" } { for (i = 1; i <= 9; i++) if ($i == "") $i = "-"; print }'
	} > "$out/$name.tsv"
done
