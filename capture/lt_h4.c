/* lt_h4.c - Bluetooth H4 packets in pcap (link types 187 and 201) to hci_record. */
#include "config.h"
#include "capture/reader.h"

#include <string.h>

#include "util/bytes.h"

/*
 * LINKTYPE_BLUETOOTH_HCI_H4 (187): an H4 packet indicator byte, then the
 * HCI packet.  LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR (201): first a 4-byte
 * big-endian direction word whose bit 0 is set for frames the host
 * received from the controller and clear for frames it sent (libpcap's
 * Linux Bluetooth capture, Wireshark wiretap/pcap-common.c), then the same.
 *
 * Packet indicators, Bluetooth Core Specification Vol 4 Part A (UART
 * transport layer) section 2: 0x01 command, 0x02 ACL data, 0x03 synchronous
 * (SCO) data, 0x04 event, 0x05 ISO data.  Any other byte is kept as
 * HCI_REC_OTHER with orig_type holding it.
 *
 * Without a direction word, commands are sent and events received by
 * definition; data packets have no known direction.
 */

#define H4_PHDR 4

int hci_parse_h4(const struct usb_pkt *p, bool phdr, struct hci_record *rec, struct error *err)
{
	uint32_t hdr = phdr ? H4_PHDR + 1 : 1;
	uint32_t direction = 0;
	uint8_t t = 0;

	memset(rec, 0, sizeof(*rec));
	rec->frame = p->frame;
	rec->ts_ns = p->ts_ns;
	rec->source = HCI_SRC_PCAP_H4;
	if (p->caplen < hdr)
		return error_set(err, p->frame, p->offset,
				 phdr ? "H4 packet is %u bytes, shorter than its 4-byte direction word and packet type byte"
				      : "H4 packet is %u bytes; expected a packet type byte first",
				 p->caplen);
	get_u8(p->buf, p->caplen, hdr - 1, &t);
	rec->orig_type = t;
	switch (t) {
	case 0x01: rec->type = HCI_REC_COMMAND; rec->dir = HCI_DIR_SENT; break;
	case 0x02: rec->type = HCI_REC_ACL; break;
	case 0x03: rec->type = HCI_REC_SCO; break;
	case 0x04: rec->type = HCI_REC_EVENT; rec->dir = HCI_DIR_RECV; break;
	case 0x05: rec->type = HCI_REC_ISO; break;
	default: rec->type = HCI_REC_OTHER; break;
	}
	if (phdr) {
		get_be32(p->buf, p->caplen, 0, &direction);
		rec->dir = (direction & 1) ? HCI_DIR_RECV : HCI_DIR_SENT;
	}
	rec->caplen = p->caplen - hdr;
	rec->len = p->len >= p->caplen ? p->len - hdr : rec->caplen;
	rec->data = rec->caplen ? p->buf + hdr : NULL;
	rec->truncated = rec->caplen < rec->len;
	return 0;
}
