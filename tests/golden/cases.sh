# cases.sh - the golden outputs of `scsiscope decode`: one case a line, "NAME OPTIONS CAPTURE"; sourced by check-out.sh and update.sh.
#
# NAME     the file in tests/golden/out
# OPTIONS  decode options, comma-separated ("-" for none)
# CAPTURE  relative to the top of the source tree; cases whose capture is
#          absent (../shared beside the checkout) are skipped
# Every sample and every capture of ../shared/captures that holds storage
# traffic: the text output; the samples' pcaps also with -v, two with --json;
# the Bluetooth captures (PacketLogger), pairing.pklg also with -v and --json.
golden_cases() {
	cat <<'CASES'
samples-bot-ehci.pcap.decode                      -       samples/bot-ehci.pcap
samples-bot-ehci.pcap.decode-v                    -v      samples/bot-ehci.pcap
samples-bot-ehci.pcap.decode-json                 --json  samples/bot-ehci.pcap
samples-bot-ehci.usbmon.txt.decode                -       samples/bot-ehci.usbmon.txt
samples-uas-ehci.pcap.decode                      -       samples/uas-ehci.pcap
samples-uas-ehci.pcap.decode-v                    -v      samples/uas-ehci.pcap
samples-uas-ehci.usbmon.txt.decode                -       samples/uas-ehci.usbmon.txt
samples-uas-xhci.pcap.decode                      -       samples/uas-xhci.pcap
samples-uas-xhci.pcap.decode-v                    -v      samples/uas-xhci.pcap
samples-uas-xhci.pcap.decode-json                 --json  samples/uas-xhci.pcap
samples-uas-xhci.usbmon.txt.decode                -       samples/uas-xhci.usbmon.txt
samples-uas-xhci-concurrent.pcap.decode           -       samples/uas-xhci-concurrent.pcap
samples-uas-xhci-concurrent.pcap.decode-v         -v      samples/uas-xhci-concurrent.pcap
samples-uas-xhci-concurrent.usbmon.txt.decode     -       samples/uas-xhci-concurrent.usbmon.txt
rig-bot-xhci.pcap.decode                          -       ../shared/captures/rig/bot-xhci.pcap
rig-bot-xhci.usbmon.txt.decode                    -       ../shared/captures/rig/bot-xhci.usbmon.txt
rig-uas-ehci.pcap.decode                          -       ../shared/captures/rig/uas-ehci.pcap
rig-uas-ehci.usbmon.txt.decode                    -       ../shared/captures/rig/uas-ehci.usbmon.txt
rig-libusb-bot.pcap.decode                        -       ../shared/captures/rig/libusb-bot.pcap
rig-libusb-bot.usbmon.txt.decode                  -       ../shared/captures/rig/libusb-bot.usbmon.txt
rig-libusb-uas.pcap.decode                        -       ../shared/captures/rig/libusb-uas.pcap
rig-libusb-uas.usbmon.txt.decode                  -       ../shared/captures/rig/libusb-uas.usbmon.txt
public-usb_memory_stick.pcap.decode               -       ../shared/captures/public/wireshark-samplecaptures/usb_memory_stick.pcap
public-usb_memory_stick_create_file.pcap.decode   -       ../shared/captures/public/wireshark-samplecaptures/usb_memory_stick_create_file.pcap
public-usb_memory_stick_delete_file.pcap.decode   -       ../shared/captures/public/wireshark-samplecaptures/usb_memory_stick_delete_file.pcap
public-XHC1-SanDisk.pcapng.decode                 -       ../shared/captures/public/wireshark-samplecaptures/XHC1-SanDiskExtremePortableSSD.pcapng
public-bot-jms566-excerpt.usbmon.txt.decode       -       ../shared/captures/public/linux-usb-mail-excerpts/bot-jms566-excerpt.usbmon.txt
public-uas-jms566-excerpt.usbmon.txt.decode       -       ../shared/captures/public/linux-usb-mail-excerpts/uas-jms566-excerpt.usbmon.txt
public-motorokr-E6e.usbmon.txt.decode             -       ../shared/captures/public/usbmon-python-parser/motorokr-E6e.usbmon.txt
public-pairing.pklg.decode                        -       ../shared/captures/public/btstack/pairing.pklg
public-pairing.pklg.decode-v                      -v      ../shared/captures/public/btstack/pairing.pklg
public-pairing.pklg.decode-json                   --json  ../shared/captures/public/btstack/pairing.pklg
public-test00.pklg.decode                         -       ../shared/captures/public/hciparse/test00.pklg
CASES
}

# run_case SCSISCOPE OPTIONS CAPTURE: the output (and the exit status) of
# one case, run from the top of the source tree so no path of this machine
# gets into it.
run_case() {
	opts=$2
	[ "$opts" = - ] && opts=
	# shellcheck disable=SC2046
	LC_ALL=C TZ=UTC "$1" decode $(echo "$opts" | tr ',' ' ') "$3"
}
