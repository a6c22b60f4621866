#!/bin/sh
# record.sh - write tshark's view of every UAS Command IU in the UAS captures, for test_uas (no tshark at test time).
# Run from the top of the source tree: sh tests/unit/uas-ref/record.sh
# One line per Command IU: frame, tag, opcode, then from the Sense IU whose
# "tag started in" frame is that Command IU: SCSI status, sense key, ASC,
# ASCQ (empty where tshark shows none).  Numbers in decimal.
set -eu
out=tests/unit/uas-ref
shared=../shared/captures
rec() {
	name=$1 file=$2
	tmp_c=$(mktemp) tmp_s=$(mktemp)
	tshark -r "$file" -Y 'uasp.iu_id == 1' -T fields -E separator=/t \
		-e frame.number -e uasp.tag -e scsi.spc.opcode -e scsi_sbc.opcode >"$tmp_c" 2>/dev/null
	tshark -r "$file" -Y 'uasp.iu_id == 3' -T fields -E separator=/t \
		-e uasp.tag_started_frame -e uasp.sense.status -e scsi.sns.key -e scsi.sns.asc -e scsi.sns.ascq \
		>"$tmp_s" 2>/dev/null
	{
		echo "# $file: tshark $(tshark -v 2>/dev/null | head -1 | sed 's/.*(Wireshark) //;s/ .*//')"
		echo "# frame	tag	opcode	status	key	asc	ascq"
		awk -F'\t' '
			function num(s,   v, i, c) {
				if (s == "") return ""
				if (s !~ /^0x/) return s + 0
				v = 0
				for (i = 3; i <= length(s); i++) {
					c = index("0123456789abcdef", tolower(substr(s, i, 1))) - 1
					v = v * 16 + c
				}
				return v
			}
			NR == FNR { st[$1] = num($2); k[$1] = num($3); a[$1] = num($4); q[$1] = num($5); next }
			{ op = $3 != "" ? $3 : $4
			  print $1 "\t" num($2) "\t" num(op) "\t" st[$1] "\t" k[$1] "\t" a[$1] "\t" q[$1] }
		' "$tmp_s" "$tmp_c"
	} >"$out/$name.tsv"
	rm -f "$tmp_c" "$tmp_s"
}
rec samples-uas-ehci samples/uas-ehci.pcap
rec samples-uas-xhci samples/uas-xhci.pcap
rec samples-uas-xhci-concurrent samples/uas-xhci-concurrent.pcap
rec rig-uas-ehci "$shared/rig/uas-ehci.pcap"
rec rig-libusb-uas "$shared/rig/libusb-uas.pcap"
rec xhc1-sandisk "$shared/public/wireshark-samplecaptures/XHC1-SanDiskExtremePortableSSD.pcapng"
