#!/bin/sh
# record-tshark.sh - write tshark's view of every BOT/UAS command of the storage captures into tests/golden/tshark/*.tsv.
#
# Usage: sh tests/golden/record-tshark.sh      (from the top of the source tree)
#
# Needs tshark (the goldens in the tree were recorded with tshark 4.0.17) and
# awk.  Run it after adding or changing a capture, review `git diff
# tests/golden/tshark`, commit.  tests/golden/test_tshark_golden.c reads the
# files; it never runs tshark.
#
# Which captures: every samples/*.pcap, and every pcap/pcapng under
# ../shared/captures in which tshark finds at least one command
# (`-Y "usbms.dCBWSignature || uasp.iu_id == 1"`).  One file per capture,
# named after its place: samples-NAME.tsv, rig-NAME.tsv, public-NAME.tsv.
#
# File format: line 1 "# file: PATH" (PATH relative to the source tree),
# line 2 the tshark version, line 3 the column names; then one line per
# command tshark decodes, in frame order, tab-separated, "-" where tshark
# gives nothing:
#   frame    the CBW / Command IU frame
#   bus dev  usb.bus_id, usb.device_address
#   tp       bot or uas
#   lun      BOT bCBWLUN ("-" for UAS)
#   tag      dCBWTag / UAS tag, decimal
#   opcode   the first of scsi.spc.opcode, scsi_sbc.opcode, scsi_mmc.opcode,
#            scsi_ssc.opcode, scsi_smc.opcode, scsi_osd.opcode in the command's
#            frame (tshark files an opcode under the command set it believes
#            the device has; scsi.spc.opcode alone is empty for SBC commands)
#   xfer     BOT dCBWDataTransferLength
#   csw      BOT bCSWStatus of the CSW of the command
#   residue  BOT dCSWDataResidue of that CSW
#   link     how that CSW was found:
#              req   tshark links it: its scsi.request_frame is the command
#              tag   tshark decodes the CSW but links it to nothing (it does
#                    so when the capture has no enumeration of the device):
#                    this script takes the first such CSW of the same bus and
#                    device with the command's tag after the command and
#                    before the device's next command
#   status   scsi.status of the CSW or Sense IU tshark links to the command
#            (tshark maps CSW status 1 to 2, CHECK CONDITION); "-" when it
#            links none, also for a CSW found by tag
#   src      where the sense comes from:
#              iu    UAS: the Sense IU linked to the command (uasp.iu_id 3)
#              own   BOT: this is a REQUEST SENSE and its data-in frame
#                    (scsi.request_frame = the command) carries the sense
#              auto  BOT: this command got CSW status 1 and the next command
#                    tshark shows on the same bus, device and LUN is a
#                    REQUEST SENSE with status GOOD and sense data: its sense
#                    (scsiscope attaches it to the failed command, marked as
#                    coming from that REQUEST SENSE)
#   sframe   the frame carrying that sense (Sense IU, or REQUEST SENSE data-in)
#   key asc ascq  scsi.sns.key, scsi.sns.asc, scsi.sns.ascq
# Numbers are decimal except opcode (0xNN).
set -eu

out=tests/golden/tshark
shared=../shared/captures
[ -f tests/golden/record-tshark.sh ] || { echo "run from the top of the source tree" >&2; exit 2; }
command -v tshark >/dev/null || { echo "tshark is not installed" >&2; exit 2; }
mkdir -p "$out"
version=$(tshark -v 2>/dev/null | head -1 | sed 's/.*(Wireshark) //;s/ .*//')

fields="frame.number usb.bus_id usb.device_address usbms.dCBWSignature usbms.dCBWTag
usbms.dCBWDataTransferLength usbms.dCBWLUN usbms.dCSWSignature usbms.dCSWDataResidue usbms.dCSWStatus
uasp.iu_id uasp.tag scsi.request_frame scsi.status scsi.sns.key scsi.sns.asc scsi.sns.ascq
scsi.spc.opcode scsi_sbc.opcode scsi_mmc.opcode scsi_ssc.opcode scsi_smc.opcode scsi_osd.opcode"

record() {
	file=$1 name=$2
	e=
	for f in $fields; do e="$e -e $f"; done
	# shellcheck disable=SC2086
	tshark -n -r "$file" -Y 'usbms || uasp || scsi' -T fields -E separator=/t -E occurrence=f $e 2>/dev/null |
	awk -F'\t' -v file="$file" -v version="$version" '
	function num(s,   v, i) {
		if (s == "") return "-"
		if (s !~ /^0x/) return s + 0
		v = 0
		for (i = 3; i <= length(s); i++)
			v = v * 16 + index("0123456789abcdef", tolower(substr(s, i, 1))) - 1
		return v
	}
	function d(s) { return s == "" ? "-" : s }
	{
		fr = $1 + 0
		if ($4 != "" || $11 == "0x01") {               # CBW or Command IU
			n++
			cmd[n] = fr
			bus[fr] = d($2); dev[fr] = d($3)
			if ($4 != "") {
				tp[fr] = "bot"; lun[fr] = num($7); xfer[fr] = num($6)
			} else {
				tp[fr] = "uas"; lun[fr] = "-"; xfer[fr] = "-"
			}
			tag[fr] = $4 != "" ? num($5) : num($12)
			op[fr] = "-"
			for (i = 18; i <= 23; i++)
				if ($i != "") { op[fr] = sprintf("0x%02x", num($i)); break }
			next
		}
		r = $13 + 0
		if ($8 != "" && ($13 == "" || !(r in tp))) {   # a CSW tshark links to no command
			nu++
			ufr[nu] = fr; ubus[nu] = d($2); udev[nu] = d($3); utag[nu] = num($5)
			ucsw[nu] = num($10); ures[nu] = num($9)
			next
		}
		if ($13 == "" || !(r in tp))
			next
		if ($8 != "") {                                # CSW
			csw[r] = num($10); residue[r] = num($9); link[r] = "req"
		}
		if ($14 != "" && ($8 != "" || $11 == "0x03"))  # status from the CSW or Sense IU
			status[r] = num($14)
		if ($15 != "") {
			src[r] = $11 == "0x03" ? "iu" : "own"
			sframe[r] = fr; key[r] = num($15); asc[r] = num($16); ascq[r] = num($17)
		}
	}
	END {
		print "# file: " file
		print "# tshark " version "; written by tests/golden/record-tshark.sh"
		print "# frame\tbus\tdev\ttp\tlun\ttag\topcode\txfer\tcsw\tresidue\tlink\tstatus\tsrc\tsframe\tkey\tasc\tascq"
		for (i = 1; i <= n; i++) {
			f = cmd[i]
			for (j = i + 1; j <= n; j++) {          # the next command of the same device
				g = cmd[j]
				if (bus[g] == bus[f] && dev[g] == dev[f]) break
			}
			nextf = j <= n ? g : 1e18
			if (tp[f] == "bot" && !(f in csw))
				for (k = 1; k <= nu; k++)
					if (ufr[k] > f && ufr[k] < nextf && ubus[k] == bus[f] && udev[k] == dev[f] &&
					    utag[k] == tag[f]) {
						csw[f] = ucsw[k]; residue[f] = ures[k]; link[f] = "tag"
						break
					}
			if (!(f in src) && tp[f] == "bot" && csw[f] == "1") {
				if (nextf < 1e18 && lun[g] == lun[f] && op[g] == "0x03" && src[g] == "own" && status[g] == "0") {
					src[f] = "auto"; sframe[f] = sframe[g]
					key[f] = key[g]; asc[f] = asc[g]; ascq[f] = ascq[g]
				}
			}
			printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", f, bus[f], dev[f], tp[f],
				lun[f], tag[f], op[f], xfer[f], d(csw[f]), d(residue[f]), d(link[f]), d(status[f]), d(src[f]),
				d(sframe[f]), d(key[f]), d(asc[f]), d(ascq[f])
		}
	}' >"$out/$name.tsv"
	echo "$out/$name.tsv: $(grep -vc '^#' "$out/$name.tsv") commands"
}

commands() {
	tshark -n -r "$1" -Y 'usbms.dCBWSignature || uasp.iu_id == 1' 2>/dev/null | wc -l
}

for f in samples/*.pcap; do
	record "$f" "samples-$(basename "${f%.*}")"
done
if [ -d "$shared" ]; then
	find "$shared" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) | LC_ALL=C sort |
	while read -r f; do
		[ "$(commands "$f")" -gt 0 ] || continue
		rel=${f#"$shared"/}
		record "$f" "${rel%%/*}-$(basename "${f%.*}")"
	done
else
	echo "$shared is absent: only the samples were recorded" >&2
fi
