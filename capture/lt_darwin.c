/* lt_darwin.c - macOS USB_DARWIN headers (link type 266) to usb_event. */
#include "config.h"
#include "capture/reader.h"

#include "util/bytes.h"

/*
 * Layout (tcpdump.org LINKTYPE_USB_DARWIN; field offsets as Wireshark's
 * packet-usb.c reads them and as the XHC captures in ../shared show them),
 * little-endian:
 *
 *    0 u16 bcdVersion      0x0101 in every capture we have
 *    2 u8  headerLength    40 in every capture we have; data starts here
 *    3 u8  requestType     0 submit, 1 complete
 *    4 u32 ioLength        requested (submit) / transferred (complete)
 *    8 u32 ioStatus        IOReturn
 *   12 u32 ioFrameCount    isochronous frames that follow the header
 *   16 u64 ioID            pairs the submit with its completion
 *   24 u32 locationID      bus in bits 31-24, then one nibble per hub port
 *   28 u8  speed           0 low, 1 full, 2 high, 3 super, 4 super+
 *   29 u8  deviceAddress
 *   30 u8  endpointAddress bit 7 = IN
 *   31 u8  endpointType    0 control, 1 isochronous, 2 bulk, 3 interrupt
 *  --- 32 bytes of named fields; up to headerLength reserved (not zeroed) ---
 *
 * (The linktypes page draws the ID as 4 octets; real captures carry 8 and
 * put locationID at 24.)  After the header: for a control submit the 8-byte
 * setup packet, then the payload.  macOS records the payload of OUT
 * transfers with the completion, not the submit.  An isochronous record
 * carries ioFrameCount frame entries (each its own small header, then on
 * completion that frame's data, padded to 4 bytes); we hand those on as
 * the record's data, unparsed.
 */

#define DARWIN_FIXED_HDR 32

/* IOUSBFamily kUSBDeviceSpeed* values as the header carries them. */
static uint8_t darwin_speed(uint8_t s)
{
	switch (s) {
	case 0: return USB_SPEED_LOW;
	case 1: return USB_SPEED_FULL;
	case 2: return USB_SPEED_HIGH;
	case 3: return USB_SPEED_SUPER;
	case 4: return USB_SPEED_SUPER_PLUS;
	default: return USB_SPEED_UNKNOWN;
	}
}

/* Endpoint type: the USB descriptor's bmAttributes order, not usbmon's. */
static uint8_t darwin_xfer(uint8_t t)
{
	switch (t) {
	case 0: return USB_XFER_CONTROL;
	case 1: return USB_XFER_ISO;
	case 2: return USB_XFER_BULK;
	case 3: return USB_XFER_INTR;
	default: return USB_XFER_UNKNOWN;
	}
}

int usb_parse_darwin(const struct usb_pkt *p, struct usb_event *ev, struct error *err)
{
	const uint8_t *b = p->buf;
	size_t n = p->caplen;
	uint32_t orig = p->len > p->caplen ? p->len : p->caplen;
	uint8_t hlen = 0, req = 0, speed = 0, dev = 0, ep = 0, eptype = 0;
	uint32_t io_len = 0, io_status = 0, location = 0;
	uint64_t io_id = 0;
	size_t data_off, present;
	uint32_t data_len;

	usb_event_init(ev, p, USB_SRC_DARWIN);
	ev->status_origin = USB_STATUS_IORETURN;
	if (n < DARWIN_FIXED_HDR)
		return error_set(err, p->frame, p->offset,
				 "Darwin USB record is %zu bytes, shorter than its %u-byte header", n,
				 DARWIN_FIXED_HDR);
	get_u8(b, n, 2, &hlen);
	get_u8(b, n, 3, &req);
	get_le32(b, n, 4, &io_len);
	get_le32(b, n, 8, &io_status);
	get_le64(b, n, 16, &io_id);
	get_le32(b, n, 24, &location);
	get_u8(b, n, 28, &speed);
	get_u8(b, n, 29, &dev);
	get_u8(b, n, 30, &ep);
	get_u8(b, n, 31, &eptype);

	if (hlen < DARWIN_FIXED_HDR)
		return error_set(err, p->frame, p->offset,
				 "Darwin USB header length is %u, smaller than its %u bytes of fields", hlen,
				 DARWIN_FIXED_HDR);
	if (hlen > orig)
		return error_set(err, p->frame, p->offset,
				 "Darwin USB header length is %u, beyond the end of the %u-byte packet", hlen, orig);
	if (req > 1)
		return error_set(err, p->frame, p->offset,
				 "Darwin USB request type is %u; expected 0 (submit) or 1 (complete)", req);

	ev->type = req == 0 ? USB_EV_SUBMIT : USB_EV_COMPLETE;
	ev->xfer = darwin_xfer(eptype);
	ev->urb_id = io_id;
	ev->location_id = location;
	/* Apple's locationID holds the bus (one per host controller: the
	 * captures from "XHC20" say 0x14......) in its top byte and the hub
	 * port path in the nibbles below; Wireshark shows the same top byte
	 * as the bus id. */
	ev->bus = (uint16_t)(location >> 24);
	ev->device = dev;
	ev->endpoint = ep;
	ev->speed = darwin_speed(speed);
	ev->orig_status = io_status;
	/* A submit that did not fail is in flight, as usbmon says it. */
	ev->status = ev->type == USB_EV_SUBMIT && io_status == 0 ? -115 : ioreturn_to_errno(io_status);
	ev->length = io_len;

	/* What the capture tool recorded after the header, and what is here. */
	data_off = hlen;
	data_len = orig - hlen;
	present = n > data_off ? n - data_off : 0;
	if (present > data_len)
		present = data_len;
	/* The setup packet of a control submit is not data (as in usbmon). */
	if (ev->xfer == USB_XFER_CONTROL && ev->type == USB_EV_SUBMIT && data_len >= 8 &&
	    !usb_take_setup(ev, b, &data_off, &data_len, &present))
		ev->truncated = true;  /* cut inside the setup packet */
	ev->data_len = data_len;
	ev->caplen = (uint32_t)present;
	ev->data = present ? b + data_off : NULL;
	if (present < data_len)
		ev->truncated = true;
	return 0;
}
