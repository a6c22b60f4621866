/* write_usbmon.c - encode a usb_event as a Linux usbmon binary record (link types 189/220). */
#include "config.h"
#include "capture/writer.h"

#include <string.h>

uint32_t usbw_usbmon(struct strbuf *sb, const struct usb_event *ev, bool mmapped, bool be)
{
#define P16(v) (be ? sb_add_be16(sb, (uint16_t)(v)) : sb_add_le16(sb, (uint16_t)(v)))
#define P32(v) (be ? sb_add_be32(sb, (uint32_t)(v)) : sb_add_le32(sb, (uint32_t)(v)))
#define P64(v) (be ? sb_add_be64(sb, (uint64_t)(v)) : sb_add_le64(sb, (uint64_t)(v)))
	bool has_data = ev->data_len > 0 || ev->caplen > 0;
	int64_t ts = ev->ts_ns < 0 ? 0 : ev->ts_ns;
	uint32_t hdr = mmapped ? 64 : 48;

	P64(ev->urb_id);
	sb_add_u8(sb, ev->type);
	sb_add_u8(sb, ev->xfer == USB_XFER_UNKNOWN ? 3 : ev->xfer);
	sb_add_u8(sb, ev->endpoint);
	sb_add_u8(sb, (uint8_t)ev->device);
	P16(ev->bus);
	sb_add_u8(sb, ev->has_setup ? 0 : '-');
	sb_add_u8(sb, has_data ? 0 : ((ev->endpoint & 0x80) ? '<' : '>'));
	P64(ts / 1000000000);
	P32((ts % 1000000000) / 1000);
	P32(ev->status);
	P32(ev->length);
	P32(ev->data_len);
	if (ev->has_setup) {
		sb_add(sb, ev->setup, 8);
	} else if (ev->xfer == USB_XFER_ISO) {
		P32(ev->iso_error_count);
		P32(ev->iso_ndesc);
	} else {
		sb_add_zeros(sb, 8);
	}
	if (mmapped) {
		P32(ev->interval);
		P32(ev->start_frame);
		P32(ev->xfer_flags);
		P32(ev->iso_ndesc);
		for (uint32_t i = 0; i < ev->iso_ndesc; i++) {
			P32(ev->iso[i].status);
			P32(ev->iso[i].offset);
			P32(ev->iso[i].length);
			P32(0);
		}
		hdr += 16 * ev->iso_ndesc;
	}
	if (ev->caplen)
		sb_add(sb, ev->data, ev->caplen);
	return hdr + ev->data_len;
#undef P16
#undef P32
#undef P64
}
