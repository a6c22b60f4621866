/* record.c - a recording rp_io: each transfer of a replay as usbmon submit/completion events in a pcapng file (capture/writer.h encoders). */
#include "config.h"
#include "replay/record.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture/capture.h"
#include "capture/writer.h"
#include "util/strbuf.h"

struct rp_recorder {
	FILE *f;
	const struct rp_io *inner;
	struct rp_io io;
	uint16_t bus, device;
	uint64_t urb_id;          /* a fresh id per transfer, as usbmon's URB pointers */
	uint64_t events;
	struct strbuf sb, pkt;
	bool write_error;
};

/* Linux URB status for a transfer result (usbmon shows these). */
static int32_t linux_status(int st)
{
	switch (st) {
	case RP_OK: return 0;
	case RP_STALL: return -32;          /* EPIPE */
	case RP_TIMEOUT:
	case RP_CANCELLED:
	case RP_INTERRUPTED: return -2;     /* ENOENT: unlinked */
	case RP_OVERFLOW: return -75;       /* EOVERFLOW */
	case RP_NODEV: return -19;          /* ENODEV */
	default: return -71;                /* EPROTO */
	}
}

static void emit(struct rp_recorder *r, struct usb_event *ev)
{
	uint32_t len;

	ev->source = USB_SRC_USBMON_MMAPPED;
	ev->bus = r->bus;
	ev->device = r->device;
	sb_reset(&r->pkt);
	len = usbw_usbmon(&r->pkt, ev, true, false);
	pcapngw_epb(&r->sb, false, 0, ev->ts_ns, 9, r->pkt.buf, (uint32_t)r->pkt.len, len);
	r->events++;
	if (r->sb.len >= 1 << 16) {
		if (fwrite(r->sb.buf, 1, r->sb.len, r->f) != r->sb.len)
			r->write_error = true;
		sb_reset(&r->sb);
	}
}

static void submit_event(struct rp_recorder *r, uint64_t id, uint8_t xfer, uint8_t ep, const uint8_t *setup,
			 const uint8_t *data, uint32_t len, int64_t ts)
{
	struct usb_event ev;
	bool out = !(ep & 0x80);

	memset(&ev, 0, sizeof(ev));
	ev.type = USB_EV_SUBMIT;
	ev.xfer = xfer;
	ev.endpoint = ep;
	ev.urb_id = id;
	ev.ts_ns = ts;
	ev.status = -115;                   /* EINPROGRESS */
	ev.length = len;
	if (setup) {
		ev.has_setup = true;
		memcpy(ev.setup, setup, 8);
	}
	if (out && len && data) {
		ev.data = data;
		ev.data_len = ev.caplen = len;
	}
	emit(r, &ev);
}

static void complete_event(struct rp_recorder *r, uint64_t id, uint8_t xfer, uint8_t ep, const uint8_t *data,
			   uint32_t actual, int st, int64_t ts)
{
	struct usb_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = USB_EV_COMPLETE;
	ev.xfer = xfer;
	ev.endpoint = ep;
	ev.urb_id = id;
	ev.ts_ns = ts;
	ev.status = linux_status(st);
	ev.length = actual;
	if ((ep & 0x80) && actual && data) {
		ev.data = data;
		ev.data_len = ev.caplen = actual;
	}
	emit(r, &ev);
}

static int rec_bulk(void *ctx, struct rp_xfer *x, unsigned n, unsigned timeout_ms)
{
	struct rp_recorder *r = ctx;
	uint64_t ids[8];
	unsigned order[8];
	int rc;

	if (n > 8)
		return r->inner->bulk(r->inner->ctx, x, n, timeout_ms);
	rc = r->inner->bulk(r->inner->ctx, x, n, timeout_ms);
	for (unsigned i = 0; i < n; i++) {
		ids[i] = r->urb_id += 0x40;
		if (!x[i].t_submit_ns)
			x[i].t_submit_ns = rp_now_ns();
		if (!x[i].t_done_ns)
			x[i].t_done_ns = x[i].t_submit_ns;
		submit_event(r, ids[i], USB_XFER_BULK, x[i].ep, NULL, x[i].buf, x[i].len, x[i].t_submit_ns);
		order[i] = i;
	}
	/* completions in the order they happened */
	for (unsigned i = 1; i < n; i++)
		for (unsigned k = i; k > 0 && x[order[k]].t_done_ns < x[order[k - 1]].t_done_ns; k--) {
			unsigned t = order[k];
			order[k] = order[k - 1];
			order[k - 1] = t;
		}
	for (unsigned i = 0; i < n; i++) {
		const struct rp_xfer *t = &x[order[i]];
		complete_event(r, ids[order[i]], USB_XFER_BULK, t->ep, t->buf, t->actual, t->status, t->t_done_ns);
	}
	return rc;
}

void rp_recorder_control(struct rp_recorder *r, const uint8_t setup[8], const uint8_t *data, uint32_t actual,
			 int status, int64_t t_submit_ns, int64_t t_done_ns)
{
	uint16_t wlength = (uint16_t)(setup[6] | setup[7] << 8);
	uint8_t ep = setup[0] & 0x80 ? 0x80 : 0x00;
	uint64_t id = r->urb_id += 0x40;

	submit_event(r, id, USB_XFER_CONTROL, ep, setup, data, ep ? wlength : (data ? wlength : 0), t_submit_ns);
	complete_event(r, id, USB_XFER_CONTROL, ep, data, actual, status, t_done_ns);
}

static int rec_control(void *ctx, const uint8_t setup[8], uint8_t *data, unsigned timeout_ms, uint32_t *actual,
		       int64_t *t_submit_ns, int64_t *t_done_ns)
{
	struct rp_recorder *r = ctx;
	int64_t t0 = rp_now_ns(), t1;
	int rc = r->inner->control(r->inner->ctx, setup, data, timeout_ms, actual, NULL, NULL);

	t1 = rp_now_ns();
	rp_recorder_control(r, setup, data, *actual, rc, t0, t1);
	if (t_submit_ns)
		*t_submit_ns = t0;
	if (t_done_ns)
		*t_done_ns = t1;
	return rc;
}

static int rec_clear_halt(void *ctx, uint8_t ep, int64_t *t_submit_ns, int64_t *t_done_ns)
{
	struct rp_recorder *r = ctx;
	/* CLEAR_FEATURE(ENDPOINT_HALT), USB 2.0 9.4.1 */
	uint8_t setup[8] = { 0x02, 0x01, 0x00, 0x00, ep, 0x00, 0x00, 0x00 };
	int64_t t0 = rp_now_ns(), t1;
	int rc = r->inner->clear_halt(r->inner->ctx, ep, NULL, NULL);

	t1 = rp_now_ns();
	rp_recorder_control(r, setup, NULL, 0, rc, t0, t1);
	if (t_submit_ns)
		*t_submit_ns = t0;
	if (t_done_ns)
		*t_done_ns = t1;
	return rc;
}

static bool rec_interrupted(void *ctx)
{
	struct rp_recorder *r = ctx;

	return r->inner->interrupted && r->inner->interrupted(r->inner->ctx);
}

static void rec_hold_stop(void *ctx, bool hold)
{
	struct rp_recorder *r = ctx;

	if (r->inner->hold_stop)
		r->inner->hold_stop(r->inner->ctx, hold);
}

int rp_recorder_open(const char *path, const struct rp_io *inner, uint16_t bus, uint16_t device,
		     struct rp_recorder **out, char *err, size_t err_size)
{
	struct rp_recorder *r = calloc(1, sizeof(*r));

	*out = NULL;
	if (!r) {
		snprintf(err, err_size, "out of memory");
		return -1;
	}
	if (!(r->f = fopen(path, "wb"))) {
		snprintf(err, err_size, "cannot create %s: %s", path, strerror(errno));
		free(r);
		return -1;
	}
	r->inner = inner;
	r->bus = bus;
	r->device = device;
	r->urb_id = 0xffff8f0000000000ull;   /* kernel-pointer-like ids, as usbmon shows */
	r->io.bulk = rec_bulk;
	r->io.control = rec_control;
	r->io.clear_halt = rec_clear_halt;
	r->io.interrupted = rec_interrupted;
	r->io.hold_stop = rec_hold_stop;
	r->io.ctx = r;
	sb_init(&r->sb);
	sb_init(&r->pkt);
	pcapngw_shb(&r->sb, false);
	pcapngw_idb(&r->sb, false, LINKTYPE_USB_LINUX_MMAPPED, 0, 9);
	*out = r;
	return 0;
}

const struct rp_io *rp_recorder_io(struct rp_recorder *r)
{
	return &r->io;
}

uint64_t rp_recorder_events(const struct rp_recorder *r)
{
	return r ? r->events : 0;
}

int rp_recorder_close(struct rp_recorder *r, char *err, size_t err_size)
{
	int rc = 0;

	if (!r)
		return 0;
	if (r->sb.len && fwrite(r->sb.buf, 1, r->sb.len, r->f) != r->sb.len)
		r->write_error = true;
	if (fclose(r->f) != 0)
		r->write_error = true;
	if (r->write_error) {
		snprintf(err, err_size, "writing the record failed");
		rc = -1;
	}
	sb_release(&r->sb);
	sb_release(&r->pkt);
	free(r);
	return rc;
}
