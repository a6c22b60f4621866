/* linktype.c - which pcap link types we read, and the dispatch to their header parsers. */
#include "config.h"
#include "capture/reader.h"

#include <string.h>

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
