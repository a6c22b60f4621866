/* stream.h - turn any fuzz bytes into the USB events of one storage device (after a fixed enumeration), to feed a decoder stage directly. */
#ifndef SCSISCOPE_FUZZ_STREAM_H
#define SCSISCOPE_FUZZ_STREAM_H

#include <string.h>

#include "fuzz/fuzz.h"

/*
 * Every byte string is a valid stream, so the fuzzer spends its time in
 * the decoder rather than in a file format.  After the enumeration the
 * device's descriptors ask for, the input is a sequence of records:
 *   byte 0   bits 0-1: 0 submit, 1 completion, 2 submission error, 3 submit
 *            bits 2-4: the endpoint, an index into the device's list
 *            bits 5-7: the URB (8 slots per endpoint), so completions can
 *            pair with submits, go missing or come twice
 *   byte 1   the status, an index into STATUSES (completions only)
 *   byte 2-3 the transfer length (little endian)
 *   byte 4   microseconds since the previous event
 *   then the payload, where the event carries one (an OUT submit, an IN
 *   completion): that many bytes, fewer when the input ends (the capture
 *   cut them).  A control submit carries its 8-byte setup packet and, for
 *   OUT requests, the data stage: the length counts both.
 */
static const int32_t STATUSES[] = { 0, -32, -121, -71, -2, -104, -19, -108, -110, -75, -84, -62, -18, -115 };

struct fuzz_stream {
	struct fuzz_dec *dec;
	uint64_t frame;
	int64_t ts;
};

static inline void fuzz_event(struct fuzz_stream *s, char type, uint8_t xfer, uint8_t ep, uint64_t id, int32_t status,
			      uint32_t length, const uint8_t *data, uint32_t caplen, const uint8_t *setup)
{
	struct usb_event e;

	memset(&e, 0, sizeof(e));
	e.frame = ++s->frame;
	e.ts_ns = s->ts;
	e.source = USB_SRC_USBMON_MMAPPED;
	e.type = (uint8_t)type;
	e.xfer = xfer;
	e.endpoint = ep;
	e.bus = 1;
	e.device = 2;
	e.urb_id = id;
	e.status = status;
	e.length = length;
	e.data_len = caplen;
	e.caplen = caplen;
	e.data = caplen ? data : NULL;
	e.truncated = caplen < length && (type == 'C') == ((ep & 0x80) != 0);
	if (setup) {
		e.has_setup = true;
		memcpy(e.setup, setup, 8);
	}
	e.frame_len = 64 + length;
	e.frame_caplen = 64 + caplen;
	decoder_feed(s->dec->dec, &e);
}

/* A control transfer that succeeds: setup, then the device's answer. */
static inline void fuzz_control(struct fuzz_stream *s, const uint8_t setup[8], const uint8_t *in, uint32_t len)
{
	uint64_t id = 0xc000 + s->frame;
	uint32_t wlen = (uint32_t)(setup[6] | (setup[7] << 8));

	fuzz_event(s, 'S', USB_XFER_CONTROL, setup[0] & 0x80, id, -115, wlen, NULL, 0, setup);
	s->ts += 100000;
	fuzz_event(s, 'C', USB_XFER_CONTROL, setup[0] & 0x80, id, 0, len, in, len, NULL);
	s->ts += 100000;
}

/* The records of the input, on endpoints eps[0..neps-1] (0x00/0x80: control). */
static inline void fuzz_records(struct fuzz_stream *s, const uint8_t *eps, unsigned neps, const uint8_t *p, size_t n)
{
	size_t i = 0;
	unsigned events = 0;

	while (i + 5 <= n && ++events <= FUZZ_RECORDS_MAX) {
		uint8_t b0 = p[i], st = p[i + 1], dt = p[i + 4];
		uint32_t len = (uint32_t)(p[i + 2] | (p[i + 3] << 8));
		unsigned kind = b0 & 3;
		uint8_t ep = eps[((b0 >> 2) & 7) % neps];
		uint64_t id = ((uint64_t)ep << 8) | (b0 >> 5);
		bool control = (ep & 0x7f) == 0;
		bool out = !(ep & 0x80);
		uint32_t avail, cap;
		const uint8_t *data;

		i += 5;
		if (kind == 1 ? !out : (out || control)) {   /* the event carries the bytes */
			avail = (uint32_t)(n - i < len ? n - i : len);
			data = p + i;
			i += avail;
		} else {
			avail = 0;
			data = NULL;
		}
		s->ts += dt * 1000;
		if (kind == 1) {              /* completion: IN data, or nothing */
			cap = out ? 0 : avail;
			fuzz_event(s, 'C', control ? USB_XFER_CONTROL : USB_XFER_BULK, ep, id,
				   STATUSES[st % (sizeof(STATUSES) / sizeof(STATUSES[0]))], len, data, cap, NULL);
		} else if (control) {
			if (avail < 8)
				continue;
			fuzz_event(s, kind == 2 ? 'E' : 'S', USB_XFER_CONTROL, (data[0] & 0x80) | (ep & 0x80), id,
				   kind == 2 ? -71 : -115, (uint32_t)(data[6] | (data[7] << 8)), data + 8,
				   (data[0] & 0x80) ? 0 : avail - 8, data);
		} else {
			fuzz_event(s, kind == 2 ? 'E' : 'S', USB_XFER_BULK, ep, id, kind == 2 ? -71 : -115, len,
				   data, out ? avail : 0, NULL);
		}
	}
}

#endif
