/* urb.h - pair URB submits with completions; private to decode/. */
#ifndef SCSISCOPE_DECODE_URB_H
#define SCSISCOPE_DECODE_URB_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/capture.h"

/*
 * One URB as the decoders see it.  The pairer calls back twice per URB: at
 * its submit (at_submit = true; completion fields not yet known; OUT data
 * present) and at its completion (at_submit = false).  A completion whose
 * submit was not captured arrives once, with has_submit false; a submit
 * never completed is delivered again at urb_pairer_finish() with
 * has_complete false.  The struct and its data are valid only during the
 * callback: decoders copy what they keep.
 */
struct urb {
	uint64_t serial;          /* unique per URB in this decode, the same at submit and completion: key decoder state by it */
	uint64_t id;              /* the capture's URB id (usbmon), IRP id (USBPcap), ioID (macOS) */
	uint8_t source;           /* enum usb_source */
	uint16_t bus;
	uint16_t device;
	uint8_t endpoint;         /* bit 7 = IN */
	uint8_t xfer;             /* enum usb_xfer_type */
	bool has_submit;
	bool has_complete;
	uint64_t submit_frame;    /* 0 when not captured */
	uint64_t complete_frame;  /* 0 when not (yet) completed */
	int64_t submit_ts;
	int64_t complete_ts;
	int32_t status;           /* completion status (Linux meaning); the submit's when it was an 'E' event */
	uint8_t status_origin;    /* enum usb_status_origin */
	uint32_t orig_status;
	bool submit_error;        /* the submit failed ('E' event): the URB never reached the bus */
	uint32_t requested;       /* transfer length asked for at submit (0 when not recorded) */
	uint32_t actual;          /* transfer length at completion */
	bool has_setup;
	uint8_t setup[8];
	/* Payload in the URB's direction: OUT from the submit (or from the
	 * completion where only it carries the bytes, as macOS does), IN from
	 * the completion.  moved = bytes that crossed the bus (OUT: actual, or
	 * requested before completion; IN: actual); caplen of them are here. */
	const uint8_t *data;
	uint32_t caplen;
	uint32_t moved;
	bool truncated;           /* the capture cut the payload */
};

typedef void (*urb_cb)(void *ctx, const struct urb *u, bool at_submit);

struct urb_pairer;

/* Limits: at most URB_OPEN_MAX URBs open at once; beyond that the oldest
 * open URB is delivered as never completed (a hostile or broken capture
 * cannot make memory grow without bound). */
#define URB_OPEN_MAX 65536

struct urb_pairer *urb_pairer_new(urb_cb cb, void *ctx);
void urb_pairer_feed(struct urb_pairer *p, const struct usb_event *ev);
void urb_pairer_finish(struct urb_pairer *p);
void urb_pairer_free(struct urb_pairer *p);

#endif
