/* lt_usbmon.c - Linux usbmon binary headers (link types 189 and 220) to usb_event. */
#include "config.h"
#include "capture/reader.h"

#include <string.h>

#include "util/bytes.h"

/*
 * Layout (Documentation/usb/usbmon.rst, "binary interface"), in the byte
 * order of the capturing host:
 *
 *    0 u64 id            URB id, pairs submit and completion
 *    8 u8  type          'S', 'C' or 'E'
 *    9 u8  xfer_type     0 iso, 1 interrupt, 2 control, 3 bulk
 *   10 u8  epnum         endpoint address, bit 7 = IN
 *   11 u8  devnum
 *   12 u16 busnum
 *   14 s8  flag_setup    0: setup[] is valid
 *   15 s8  flag_data     0: data follows; else '<', '>', ... (none captured)
 *   16 s64 ts_sec
 *   24 s32 ts_usec
 *   28 s32 status
 *   32 u32 length        requested (S) or actual (C) length
 *   36 u32 len_cap       data bytes delivered
 *   40 u8  setup[8]      or iso: s32 error_count, s32 numdesc
 *  --- 48 bytes: link type 189 ends here; 220 continues ---
 *   48 s32 interval
 *   52 s32 start_frame
 *   56 u32 xfer_flags
 *   60 u32 ndesc         iso descriptors that follow the header
 *   64 ndesc * { s32 status; u32 offset; u32 length; u32 pad }
 *      then len_cap data bytes
 */

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define HOST_BE true
#else
#define HOST_BE false
#endif

int usb_parse_usbmon(const struct usb_pkt *p, bool mmapped, struct usb_event *ev,
		     struct usb_iso_desc *iso_buf, uint32_t iso_max, struct error *err)
{
	const uint8_t *b = p->buf;
	size_t n = p->caplen;
	bool be = HOST_BE != p->swapped;
	uint32_t hdr = mmapped ? 64 : 48;
	uint64_t id = 0;
	uint16_t bus = 0;
	uint32_t status = 0, length = 0, len_cap = 0, u32 = 0;
	uint8_t type = 0, xfer = 0, flag_setup = 0, flag_data = 0;
	uint64_t data_off;
	uint32_t ndesc = 0;

	usb_event_init(ev, p, mmapped ? USB_SRC_USBMON_MMAPPED : USB_SRC_USBMON);
	if (n < hdr)
		return error_set(err, p->frame, p->offset,
				 "usbmon record is %zu bytes, shorter than its %u-byte header", n, hdr);
	get_u64(b, n, 0, be, &id);
	get_u8(b, n, 8, &type);
	get_u8(b, n, 9, &xfer);
	get_u8(b, n, 10, &ev->endpoint);
	{
		uint8_t dev = 0;
		get_u8(b, n, 11, &dev);
		ev->device = dev;
	}
	get_u16(b, n, 12, be, &bus);
	get_u8(b, n, 14, &flag_setup);
	get_u8(b, n, 15, &flag_data);
	get_u32(b, n, 28, be, &status);
	get_u32(b, n, 32, be, &length);
	get_u32(b, n, 36, be, &len_cap);

	if (type != 'S' && type != 'C' && type != 'E')
		return error_set(err, p->frame, p->offset,
				 "usbmon record has event type 0x%02x; expected 'S', 'C' or 'E'", type);
	ev->urb_id = id;
	ev->type = type;
	ev->xfer = xfer <= 3 ? xfer : USB_XFER_UNKNOWN;
	ev->bus = bus;
	ev->status = (int32_t)status;
	ev->status_origin = USB_STATUS_LINUX;
	ev->orig_status = status;
	ev->length = length;
	ev->data_len = len_cap;

	if (flag_setup == 0 && xfer == USB_XFER_CONTROL) {
		ev->has_setup = true;
		memcpy(ev->setup, b + 40, 8);
	} else if (xfer == USB_XFER_ISO) {
		uint32_t ec = 0;
		get_u32(b, n, 40, be, &ec);
		ev->iso_error_count = (int32_t)ec;
	}
	if (mmapped) {
		get_u32(b, n, 48, be, &u32);
		ev->interval = (int32_t)u32;
		get_u32(b, n, 52, be, &u32);
		ev->start_frame = (int32_t)u32;
		get_u32(b, n, 56, be, &ev->xfer_flags);
		get_u32(b, n, 60, be, &ndesc);
	}
	data_off = hdr + (uint64_t)ndesc * 16;
	if (data_off > n) {
		return error_set(err, p->frame, p->offset,
				 "usbmon record declares %u iso descriptors (%llu bytes) but holds only %zu bytes after its header",
				 ndesc, (unsigned long long)ndesc * 16, n - hdr);
	}
	if (ndesc) {
		uint32_t keep = ndesc < iso_max ? ndesc : iso_max;
		for (uint32_t i = 0; i < keep; i++) {
			size_t o = hdr + (size_t)i * 16;
			uint32_t st = 0, off = 0, len = 0;
			get_u32(b, n, o, be, &st);
			get_u32(b, n, o + 4, be, &off);
			get_u32(b, n, o + 8, be, &len);
			iso_buf[i].status = (int32_t)st;
			iso_buf[i].offset = off;
			iso_buf[i].length = len;
		}
		ev->iso = iso_buf;
		ev->iso_ndesc = keep;
	}
	if (flag_data == 0) {
		size_t avail = n - (size_t)data_off;
		ev->caplen = len_cap < avail ? len_cap : (uint32_t)avail;
		ev->data = ev->caplen ? b + data_off : NULL;
		/* The payload that moved is `length` bytes (iso: len_cap, the
		 * buffer usbmon copied); fewer here means the capture cut it. */
		ev->truncated = ev->caplen < (xfer == USB_XFER_ISO ? len_cap : length);
	}
	return 0;
}
