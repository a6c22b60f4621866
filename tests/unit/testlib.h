/* testlib.h - helpers shared by the Criterion unit tests: read captures from memory, build usb events. */
#ifndef SCSISCOPE_TESTLIB_H
#define SCSISCOPE_TESTLIB_H

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "capture/capture.h"
#include "capture/writer.h"
#include "util/strbuf.h"

/* Every record of a capture, copied out (data included) so it outlives the reader. */
struct rec_list {
	struct cap_record *recs;
	uint8_t **data;
	size_t n;
	int rc;                   /* last cap_next result: 0 clean end, -1 error */
	struct error err;
	struct cap_info info;
	uint64_t frames, skipped;
};

static inline void rec_list_free(struct rec_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->data[i]);
	free(l->data);
	free(l->recs);
	memset(l, 0, sizeof(*l));
}

/* Open buf as a capture and read it to the end (or the first error).
 * Returns the cap_open result; the list holds what was read. */
static inline int read_all_mem(const void *buf, size_t len, struct rec_list *l)
{
	struct cap *c;
	struct cap_record r;
	int rc;

	memset(l, 0, sizeof(*l));
	if (cap_open_mem(buf, len, "test.cap", &c, &l->err) < 0) {
		l->rc = -1;
		return -1;
	}
	while ((rc = cap_next(c, &r, &l->err)) > 0) {
		const uint8_t **dp;
		uint32_t caplen;
		l->recs = realloc(l->recs, (l->n + 1) * sizeof(*l->recs));
		l->data = realloc(l->data, (l->n + 1) * sizeof(*l->data));
		cr_assert(l->recs && l->data);
		if (r.kind == CAP_REC_USB) {
			dp = &r.u.usb.data;
			caplen = r.u.usb.caplen;
			r.u.usb.iso = NULL;   /* not kept */
		} else {
			dp = &r.u.hci.data;
			caplen = r.u.hci.caplen;
		}
		l->data[l->n] = malloc(caplen + 1);
		if (caplen)
			memcpy(l->data[l->n], *dp, caplen);
		*dp = l->data[l->n];
		l->recs[l->n++] = r;
	}
	l->rc = rc;
	l->info = *cap_get_info(c);
	l->frames = cap_frames_seen(c);
	l->skipped = cap_frames_skipped(c);
	cap_close(c);
	return 0;
}

static inline int read_all_sb(const struct strbuf *sb, struct rec_list *l)
{
	return read_all_mem(sb->buf, sb->len, l);
}

/* A usb_event with the common fields set. */
static inline struct usb_event mk_usb(char type, uint8_t xfer, uint16_t bus, uint16_t dev, uint8_t ep,
				      uint64_t id, int32_t status, uint32_t length, const void *data,
				      uint32_t caplen, int64_t ts_ns)
{
	struct usb_event e;

	memset(&e, 0, sizeof(e));
	e.type = (uint8_t)type;
	e.xfer = xfer;
	e.bus = bus;
	e.device = dev;
	e.endpoint = ep;
	e.urb_id = id;
	e.status = status;
	e.length = length;
	e.data = data;
	e.caplen = caplen;
	e.data_len = caplen;
	e.ts_ns = ts_ns;
	e.ctrl_stage = USB_STAGE_NONE;
	return e;
}

/* An hci_record with the common fields set. */
static inline struct hci_record mk_hci(uint8_t type, uint8_t dir, uint32_t orig_type, const void *data, uint32_t len,
				       int64_t ts_ns)
{
	struct hci_record r;

	memset(&r, 0, sizeof(r));
	r.type = type;
	r.dir = dir;
	r.orig_type = orig_type;
	r.data = data;
	r.len = r.caplen = len;
	r.ts_ns = ts_ns;
	return r;
}

/* Formatted error text, for assertions on messages. */
static inline const char *errtext(const struct error *e)
{
	static char buf[1024];
	return error_format(e, buf, sizeof(buf));
}

#endif
