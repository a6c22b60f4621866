#!/bin/bash
# record-golden.sh - regenerate the corpus goldens (counts and per-frame keys) from capinfos/tshark and the text captures themselves.
#
# Usage: tests/corpus/record-golden.sh [CAPTURES_DIR]
#   CAPTURES_DIR defaults to $top_srcdir/../shared/captures ($top_srcdir defaults
#   to the source tree this script lives in).  Needs bash, awk, od, gzip (zcat),
#   capinfos and tshark (the Wireshark command-line tools; goldens in the tree
#   were recorded with tshark 4.0.17).  Run it after adding, removing or
#   changing a file in the corpus, review `git diff tests/corpus`, commit.
#
# Which files: every regular file under CAPTURES_DIR except *.md, anything
# under a directory named logs, and *.libusb-output.txt (tests/corpus/
# test_corpus.c applies the same rule).
#
# Writes:
#   tests/corpus/golden-counts.tsv   one line per capture:
#       path      relative to CAPTURES_DIR
#       format    as cap_format_name() spells it: pcap pcapng usbmon-text packetlogger btsnoop
#       linktype  pcap/pcapng: LINKTYPE_* of the first interface (in file order)
#                 whose encapsulation is USB or Bluetooth HCI; -1 for the others
#       frames    every record of the file (Wireshark's frame count)
#       records   the records scsiscope must deliver: USB/HCI frames only
#                 (pcapng interfaces of other link types are skipped)
#       end       "clean": the file must read to the end without an error
#       source    where the numbers come from
#   tests/corpus/frames.tsv   per capture, a line "@PATH", then one line per frame
#   (one file rather than one per capture: paths like frames/public/wireshark-
#   samplecaptures/... exceed the 99-character names of make dist's tar format):
#       frame     frame.number (usbmon text: 1-based index of the event line)
#       len       frame.len       ("-" for usbmon text, which has no frame length)
#       caplen    frame.cap_len   ("-" for usbmon text)
#       kind      u = USB event, h = HCI record, - = frame of a non-USB/HCI
#                 interface that must be skipped (but still counted)
#       id        u: hex, no 0x, no leading zeros, of
#                    usb.urb_id             link types 189/220 (usbmon)
#                    usb.irp_id             link type 249 (USBPcap)
#                    usb.darwin.io_id       link type 266 (Darwin)
#                    the URB tag (1st word) usbmon text
#                 h and -: "-"
#       ev        u: S, C or E: usb.urb_type (usbmon); usb.irp_info.direction
#                    0 -> S, 1 -> C (USBPcap); usb.darwin.request_type 0 -> S
#                    (SUBMIT), 1 -> C (COMPLETE) (Darwin); the event letter
#                    (3rd word) for usbmon text
#                 h: two hex digits: packetlogger.type (PacketLogger),
#                    hci_h4.type (pcap link types 187/201); "-" for btsnoop
#                 -: "-"
#   tshark is run as: tshark -n -r F -T fields -E separator=/t -E occurrence=f
#     -e frame.number -e frame.len -e frame.cap_len -e frame.encap_type
#     -e usb.urb_id -e usb.urb_type -e usb.irp_id -e usb.irp_info.direction
#     -e usb.darwin.io_id -e usb.darwin.request_type -e packetlogger.type
#     -e hci_h4.type
#   frame.encap_type is Wireshark's WTAP_ENCAP number; the USB/HCI ones and
#   their LINKTYPE_* values (checked with capinfos -M on files of each type):
#     95 usb-linux 189, 115 usb-linux-mmap 220, 152 usb-usbpcap 249,
#     182 usb-darwin 266, 41 bluetooth-h4 187, 99 bluetooth-h4-linux 201,
#     118 packetlogger (no link type).
#
# PacketLogger counts are the records walked in the file (4-byte length, then
# that many bytes: 8-byte time, type byte, data; big-endian lengths, else
# little-endian), which must consume the file exactly and equal capinfos -c
# and tshark's packetlogger.type per frame.  usbmon text counts are the event
# lines ("TAG TIMESTAMP S|C|E TYPEDIR:ADDRESS ..."); any other non-blank line
# stops the script.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=${top_srcdir:-$here/../..}
caps=${1:-$top/../shared/captures}
[ -d "$caps" ] || { echo "record-golden.sh: no capture folder at $caps" >&2; exit 2; }
caps=$(cd "$caps" && pwd)
command -v tshark >/dev/null && command -v capinfos >/dev/null ||
	{ echo "record-golden.sh: needs tshark and capinfos (apt-get install tshark)" >&2; exit 2; }

export LC_ALL=C
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
counts=$tmp/golden-counts.tsv
tsver=$(tshark --version 2>/dev/null | head -1)
frames_out=$tmp/frames.tsv
{
	echo "# frames.tsv - per-frame keys of every capture in ../shared/captures; written by record-golden.sh, do not edit."
	echo "# recorded with: $tsver"
	echo "# @PATH starts a capture; then: frame len caplen kind id ev (see record-golden.sh for the tshark fields)"
} >"$frames_out"
{
	echo "# golden-counts.tsv - expected record counts of every capture in ../shared/captures; written by record-golden.sh, do not edit."
	echo "# recorded with: $tsver"
	printf '# path\tformat\tlinktype\tframes\trecords\tend\tsource\n'
} >"$counts"

die() { echo "record-golden.sh: $*" >&2; exit 1; }

usbmon_re='^[0-9a-fA-F]+ [0-9]+ [SCE] [CBIZ][io]:'

# wtap encap number -> LINKTYPE (USB/HCI ones), from capinfos -M.
lt_of_encap() {
	case $1 in
	95) echo 189 ;; 115) echo 220 ;; 152) echo 249 ;; 182) echo 266 ;;
	41) echo 187 ;; 99) echo 201 ;; *) echo -1 ;;
	esac
}

# tshark field dump -> frames tsv lines (stdout); file type in $2.
tshark_frames() {
	tshark -n -r "$1" -T fields -E separator=/t -E occurrence=f \
		-e frame.number -e frame.len -e frame.cap_len -e frame.encap_type \
		-e usb.urb_id -e usb.urb_type -e usb.irp_id -e usb.irp_info.direction \
		-e usb.darwin.io_id -e usb.darwin.request_type -e packetlogger.type \
		-e hci_h4.type 2>"$tmp/tshark.err" |
	awk -F'\t' -v OFS='\t' -v fmt="$2" -v file="$1" '
	function hexid(s) { sub(/^0x/, "", s); s = tolower(s); sub(/^0+/, "", s); return s == "" ? "0" : s }
	function hexbyte(s) { sub(/^0x/, "", s); s = tolower(s); return length(s) == 1 ? "0" s : s }
	function bad(what) { printf "record-golden.sh: %s: frame %s: %s\n", file, $1, what > "/dev/stderr"; err = 1; exit 1 }
	{
		e = $4
		if (e == 95 || e == 115) {
			t = $6; gsub(/\047/, "", t)
			if ($5 == "" || t !~ /^[SCE]$/) bad("no usb.urb_id/usb.urb_type")
			print $1, $2, $3, "u", hexid($5), t
		} else if (e == 152) {
			if ($7 == "" || ($8 != "0x00" && $8 != "0x01")) bad("no usb.irp_id/usb.irp_info.direction")
			print $1, $2, $3, "u", hexid($7), ($8 == "0x01" ? "C" : "S")
		} else if (e == 182) {
			if ($9 == "" || ($10 != "0" && $10 != "1")) bad("no usb.darwin.io_id/usb.darwin.request_type")
			print $1, $2, $3, "u", hexid($9), ($10 == "1" ? "C" : "S")
		} else if (e == 118) {
			if ($11 == "") bad("no packetlogger.type")
			print $1, $2, $3, "h", "-", hexbyte($11)
		} else if (e == 41 || e == 99) {
			if (fmt == "btsnoop") print $1, $2, $3, "h", "-", "-"
			else {
				if ($12 == "") bad("no hci_h4.type")
				print $1, $2, $3, "h", "-", hexbyte($12)
			}
		} else {
			print $1, $2, $3, "-", "-", "-"
		}
	}
	END { exit err }' || die "$1: tshark field dump failed: $(cat "$tmp/tshark.err")"
}

# PacketLogger record walk -> "count type type ..." or fails.
pklg_walk() {
	zcat -f "$1" | od -An -v -tu1 | awk '
	{ for (i = 1; i <= NF; i++) b[n++] = $i }
	function walk(be,   off, cnt, len) {
		off = 0; cnt = 0; types = ""
		while (off + 4 <= n) {
			len = be ? ((b[off] * 256 + b[off+1]) * 256 + b[off+2]) * 256 + b[off+3] \
			         : ((b[off+3] * 256 + b[off+2]) * 256 + b[off+1]) * 256 + b[off]
			if (len < 9 || off + 4 + len > n) return -1
			types = types sprintf(" %02x", b[off + 12])
			off += 4 + len; cnt++
		}
		return off == n ? cnt : -1
	}
	END {
		c = walk(1); order = "BE"
		if (c < 0) { c = walk(0); order = "LE" }
		if (c < 0) exit 1
		print c, order types
	}'
}

nfiles=0
while IFS= read -r -d '' rel; do
	rel=${rel#./}
	abs=$caps/$rel
	out=$tmp/one.tsv
	first=$(zcat -f "$abs" | head -c 4096 | tr -d '\000' | head -1 || true)
	if [[ $first =~ $usbmon_re ]]; then
		format=usbmon-text
		others=$(zcat -f "$abs" | grep -Evc -e "$usbmon_re" -e '^[[:space:]]*$' || true)
		[ "$others" = 0 ] || die "$rel: $others line(s) are neither usbmon events nor blank; decide how the text reader numbers them before recording"
		zcat -f "$abs" | grep -E "$usbmon_re" | awk -v OFS='\t' '{
			id = tolower($1); sub(/^0+/, "", id); if (id == "") id = "0"
			print NR, "-", "-", "u", id, $3 }' >"$out"
		frames=$(wc -l <"$out")
		records=$frames
		lt=-1
		source="event lines in the file (grep)"
	else
		ftype=$(capinfos -T -r -t "$abs" 2>/dev/null | cut -f2) || die "$rel: capinfos cannot read it"
		case $ftype in
		pcap|nsecpcap) format=pcap ;;
		pcapng) format=pcapng ;;
		pklg) format=packetlogger ;;
		btsnoop) format=btsnoop ;;
		*) die "$rel: capinfos file type '$ftype' is not one scsiscope reads; remove it from the corpus or teach this script" ;;
		esac
		ncap=$(capinfos -T -r -c "$abs" | cut -f2)
		tshark_frames "$abs" "$format" >"$out"
		frames=$(wc -l <"$out")
		[ "$frames" = "$ncap" ] || die "$rel: capinfos counts $ncap frames, tshark printed $frames"
		awk -F'\t' '$1 != NR { exit 1 }' "$out" || die "$rel: tshark frame numbers are not 1..$frames"
		records=$(awk -F'\t' '$4 != "-"' "$out" | wc -l)
		lt=-1
		source="capinfos -c; USB/HCI frames by tshark frame.encap_type"
		if [ "$format" = pcap ] || [ "$format" = pcapng ]; then
			for enc in $(capinfos -M "$abs" | sed -n 's/.*Encapsulation = .*(\([0-9]*\) - [^)]*)$/\1/p'); do
				lt=$(lt_of_encap "$enc")
				[ "$lt" = -1 ] || break
			done
		elif [ "$format" = packetlogger ]; then
			walk=$(pklg_walk "$abs") || die "$rel: PacketLogger record walk does not consume the file exactly"
			read -r wc worder wtypes <<<"$walk"
			[ "$wc" = "$frames" ] || die "$rel: record walk finds $wc records, tshark $frames"
			ttypes=$(awk -F'\t' '{ printf "%s ", $6 }' "$out")
			[ "$wtypes " = "$ttypes" ] || die "$rel: record walk types differ from tshark packetlogger.type"
			source="records walked ($worder lengths, file consumed exactly) = capinfos -c; types = tshark packetlogger.type"
		fi
	fi
	printf '%s\t%s\t%s\t%s\t%s\tclean\t%s\n' "$rel" "$format" "$lt" "$frames" "$records" "$source" >>"$counts"
	{ printf '@%s\n' "$rel"; cat "$out"; } >>"$frames_out"
	nfiles=$((nfiles + 1))
done < <(cd "$caps" && find . -type f ! -name '*.md' ! -name '*.libusb-output.txt' ! -path '*/logs/*' -print0 | sort -z)

[ "$nfiles" -gt 0 ] || die "no capture files under $caps"
mv "$frames_out" "$here/frames.tsv"
mv "$counts" "$here/golden-counts.tsv"
echo "record-golden.sh: $nfiles captures recorded in $here/golden-counts.tsv and $here/frames.tsv"
