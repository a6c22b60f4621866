/* linktype.c - which pcap link types we read, and the dispatch to their header parsers. */
#include "config.h"
#include "capture/reader.h"

#include <string.h>

#include "util/bytes.h"

void usb_event_init(struct usb_event *ev, const struct usb_pkt *p, enum usb_source source)
{
	memset(ev, 0, sizeof(*ev));
	ev->frame = p->frame;
	ev->ts_ns = p->ts_ns;
	ev->source = (uint8_t)source;
	ev->ctrl_stage = USB_STAGE_NONE;
	ev->status_origin = USB_STATUS_LINUX;
	ev->frame_len = p->len;
	ev->frame_caplen = p->caplen;
}

bool usb_take_setup(struct usb_event *ev, const uint8_t *b, size_t *data_off, uint32_t *data_len, size_t *present)
{
	*data_len -= 8;
	if (*present < 8) {
		*present = 0;
		return false;
	}
	ev->has_setup = true;
	memcpy(ev->setup, b + *data_off, 8);
	*data_off += 8;
	*present -= 8;
	return true;
}

bool cap_linktype_supported(int linktype)
{
	switch (linktype) {
	case LINKTYPE_USB_LINUX:
	case LINKTYPE_USB_LINUX_MMAPPED:
	case LINKTYPE_USBPCAP:
	case LINKTYPE_USB_DARWIN:
	case LINKTYPE_BLUETOOTH_HCI_H4:
	case LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR:
		return true;
	default:
		return false;
	}
}

int cap_parse_linktype(int linktype, const struct usb_pkt *p, struct cap_record *rec,
		       struct usb_iso_desc *iso_buf, uint32_t iso_max, struct error *err)
{
	int rc;

	switch (linktype) {
	case LINKTYPE_USB_LINUX:
	case LINKTYPE_USB_LINUX_MMAPPED:
		rec->kind = CAP_REC_USB;
		rc = usb_parse_usbmon(p, linktype == LINKTYPE_USB_LINUX_MMAPPED, &rec->u.usb,
				      iso_buf, iso_max, err);
		break;
	case LINKTYPE_USBPCAP:
		rec->kind = CAP_REC_USB;
		rc = usb_parse_usbpcap(p, &rec->u.usb, err);
		break;
	case LINKTYPE_USB_DARWIN:
		rec->kind = CAP_REC_USB;
		rc = usb_parse_darwin(p, &rec->u.usb, err);
		break;
	case LINKTYPE_BLUETOOTH_HCI_H4:
	case LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR:
		rec->kind = CAP_REC_HCI;
		rc = hci_parse_h4(p, linktype == LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR, &rec->u.hci, err);
		break;
	default:
		return 0;
	}
	return rc < 0 ? -1 : 1;
}

/*
 * Link type 220: the original length libpcap reports after its fix-up for
 * captures written by old libpcap versions, which computed the original
 * length of a completion of an incoming isochronous transfer from the URB
 * length instead of the iso descriptors (libpcap pcap-common.c
 * fixup_pcap_pkthdr and pcap-usb-linux-common.c
 * fix_linux_usb_mmapped_length, applied to every pcap and pcapng packet).
 * Fields are read in the file's byte order; arithmetic wraps at 32 bits as
 * in libpcap's u_int.
 */
uint32_t usbmon_mmapped_len(const uint8_t *d, uint32_t caplen, uint32_t len, bool be)
{
	uint8_t event = 0, xfer = 0, ep = 0, data_flag = 1;
	uint32_t urb_len = 0, ndesc = 0, data_end = 0, fixed;
	uint32_t left;

	if (caplen < 64)
		return len;
	get_u8(d, caplen, 8, &event);
	get_u8(d, caplen, 9, &xfer);
	get_u8(d, caplen, 10, &ep);
	get_u8(d, caplen, 15, &data_flag);
	get_u32(d, caplen, 32, be, &urb_len);
	get_u32(d, caplen, 60, be, &ndesc);
	if (data_flag != 0 || (uint64_t)len != 64 + (uint64_t)ndesc * 16 + urb_len)
		return len;
	if (xfer != USB_XFER_ISO || event != USB_EV_COMPLETE || !(ep & 0x80))
		return len;
	left = caplen - 64;
	for (uint32_t i = 0; i < ndesc && left >= 16; i++, left -= 16) {
		uint32_t off = 0, dlen = 0;
		get_u32(d, caplen, 64 + (size_t)i * 16 + 4, be, &off);
		get_u32(d, caplen, 64 + (size_t)i * 16 + 8, be, &dlen);
		if (dlen != 0 && off + dlen > data_end)
			data_end = off + dlen;
	}
	fixed = 64 + ndesc * 16 + data_end;
	if (fixed >= caplen)
		len = fixed;
	if (caplen > len)
		len = caplen;
	return len;
}
