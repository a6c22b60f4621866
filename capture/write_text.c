/* write_text.c - encode a usb_event as one Linux usbmon text line ('1u', or the older '1t' without bus). */
#include "config.h"
#include "capture/writer.h"

#include <inttypes.h>

/*
 * Layout as drivers/usb/mon/mon_text.c prints it (Documentation/usb/usbmon.rst,
 * "Raw text data format"): tag, timestamp, type, address, status word (or a
 * setup packet), iso descriptors, length, data tag and data.
 */
#define TEXT_DATA_MAX 32          /* DATA_MAX: the kernel prints at most 32 data bytes */
#define TEXT_ISO_MAX 5            /* ISODESC_MAX: and at most 5 iso descriptors */
#define TEXT_WRAP_US 4096000000u  /* the timestamp is (seconds & 0xFFF) * 1e6 + us */

void usbw_text(struct strbuf *sb, const struct usb_event *ev, bool old_format)
{
	uint64_t us = ev->ts_ns > 0 ? (uint64_t)ev->ts_ns / 1000 : 0;
	bool in = (ev->endpoint & 0x80) != 0;
	unsigned ep = ev->endpoint & 0x7f;
	char utype;

	switch (ev->xfer) {
	case USB_XFER_ISO: utype = 'Z'; break;
	case USB_XFER_INTR: utype = 'I'; break;
	case USB_XFER_CONTROL: utype = 'C'; break;
	default: utype = 'B'; break;     /* the kernel's default too */
	}
	sb_addf(sb, "%" PRIx64 " %" PRIu64 " %c ", ev->urb_id, us % TEXT_WRAP_US, ev->type);
	if (old_format)
		sb_addf(sb, "%c%c:%03u:%02u", utype, in ? 'i' : 'o', (unsigned)ev->device, ep);
	else
		sb_addf(sb, "%c%c:%u:%03u:%u", utype, in ? 'i' : 'o', (unsigned)ev->bus,
			(unsigned)ev->device, ep);

	if (ev->type == USB_EV_ERROR || old_format || (ev->xfer != USB_XFER_ISO && ev->xfer != USB_XFER_INTR)) {
		if (ev->has_setup && ev->type != USB_EV_ERROR)
			sb_addf(sb, " s %02x %02x %04x %04x %04x", ev->setup[0], ev->setup[1],
				(unsigned)(ev->setup[2] | ev->setup[3] << 8),
				(unsigned)(ev->setup[4] | ev->setup[5] << 8),
				(unsigned)(ev->setup[6] | ev->setup[7] << 8));
		else
			sb_addf(sb, " %d", ev->status);
	} else if (ev->xfer == USB_XFER_INTR) {
		sb_addf(sb, " %d:%d", ev->status, ev->interval);
	} else {
		uint32_t ndesc = ev->iso ? ev->iso_ndesc : 0;

		if (ev->type == USB_EV_SUBMIT)
			sb_addf(sb, " %d:%d:%d", ev->status, ev->interval, ev->start_frame);
		else
			sb_addf(sb, " %d:%d:%d:%d", ev->status, ev->interval, ev->start_frame,
				ev->iso_error_count);
		sb_addf(sb, " %" PRIu32, ndesc);
		for (uint32_t i = 0; i < ndesc && i < TEXT_ISO_MAX; i++)
			sb_addf(sb, " %d:%" PRIu32 ":%" PRIu32, ev->iso[i].status, ev->iso[i].offset,
				ev->iso[i].length);
	}
	sb_addf(sb, " %" PRIu32, ev->length);

	if (ev->caplen && ev->data) {
		uint32_t n = ev->caplen < TEXT_DATA_MAX ? ev->caplen : TEXT_DATA_MAX;

		sb_adds(sb, " =");
		for (uint32_t i = 0; i < n; i++) {
			if (i % 4 == 0)
				sb_addc(sb, ' ');
			sb_addf(sb, "%02x", ev->data[i]);
		}
	} else if (ev->length) {
		/* Nothing captured: '<' for IN, '>' for OUT, as the kernel does
		 * for an IN submission and an OUT callback. */
		sb_adds(sb, in ? " <" : " >");
	}
	sb_addc(sb, '\n');
}
