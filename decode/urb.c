/* urb.c - pair URB submits with completions by URB id (usbmon), IRP id (USBPcap) or ioID (macOS). */
#include "config.h"
#include "decode/urb.h"

#include <stdlib.h>
#include <string.h>

/*
 * Open URBs live in a hash table keyed by (bus, device, endpoint, id) and
 * in a list in submit order (for eviction and for the end of the capture).
 * Several open URBs may share a key: USBPcap writes IRP id 0 in some
 * captures, and then the oldest open URB of that endpoint is the one that
 * completes (FIFO), which is what the host controller does per endpoint.
 *
 * OUT payloads are copied at submit so they can be handed over again at
 * completion; all copies together are bounded by RETAIN_MAX, past which a
 * submit's payload is not retained (the completion then says truncated).
 *
 * A completed URB's record (and its payload buffer, up to SPARE_BUF_MAX
 * bytes) is kept for the next submit, up to SPARE_MAX of them: a storage
 * session submits and completes a few URBs per command, and allocating
 * each afresh was a measurable part of `decode` (bench/run-decode.sh).
 */
#define HASH_BITS 16
#define HASH_SIZE (1u << HASH_BITS)
#define RETAIN_MAX (256u * 1024 * 1024)
#define SPARE_MAX 8
#define SPARE_BUF_MAX (128u * 1024)

struct open_urb {
	struct urb u;             /* submit-side fields filled */
	uint8_t *payload;         /* retained OUT data (caplen bytes): buf, or NULL when none is retained */
	uint8_t *buf;             /* owned buffer, buf_alloc bytes (kept when the record is reused) */
	uint32_t buf_alloc;
	struct open_urb *hnext;   /* hash chain */
	struct open_urb *prev, *next; /* submit order */
	uint32_t hash;
};

struct urb_pairer {
	urb_cb cb;
	void *ctx;
	struct open_urb *buckets[HASH_SIZE];
	struct open_urb *oldest, *newest;
	uint32_t open;
	uint64_t retained;
	uint64_t serial;
	struct open_urb *spare;   /* records to reuse, chained by hnext */
	uint32_t nspare;
};

static uint32_t key_hash(uint16_t bus, uint16_t device, uint8_t ep, uint64_t id)
{
	uint64_t k = id ^ ((uint64_t)bus << 48) ^ ((uint64_t)device << 32) ^ ((uint64_t)ep << 24);

	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return (uint32_t)k & (HASH_SIZE - 1);
}

struct urb_pairer *urb_pairer_new(urb_cb cb, void *ctx)
{
	struct urb_pairer *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->cb = cb;
	p->ctx = ctx;
	return p;
}

static void unlink_open(struct urb_pairer *p, struct open_urb *o)
{
	struct open_urb **pp = &p->buckets[o->hash];

	while (*pp && *pp != o)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = o->hnext;
	if (o->prev)
		o->prev->next = o->next;
	else
		p->oldest = o->next;
	if (o->next)
		o->next->prev = o->prev;
	else
		p->newest = o->prev;
	p->open--;
	if (o->payload)
		p->retained -= o->u.caplen;
}

/* A zeroed record: a spare one (keeping its buffer) or a new one. */
static struct open_urb *new_open(struct urb_pairer *p)
{
	struct open_urb *o = p->spare;
	uint8_t *buf;
	uint32_t buf_alloc;

	if (!o)
		return calloc(1, sizeof(*o));
	p->spare = o->hnext;
	p->nspare--;
	buf = o->buf;
	buf_alloc = o->buf_alloc;
	memset(o, 0, sizeof(*o));
	o->buf = buf;
	o->buf_alloc = buf_alloc;
	return o;
}

static void free_open(struct urb_pairer *p, struct open_urb *o)
{
	if (p->nspare >= SPARE_MAX) {
		free(o->buf);
		free(o);
		return;
	}
	if (o->buf_alloc > SPARE_BUF_MAX) {
		free(o->buf);
		o->buf = NULL;
		o->buf_alloc = 0;
	}
	o->payload = NULL;
	o->hnext = p->spare;
	p->spare = o;
	p->nspare++;
}

/* Copy n bytes of OUT payload into o's buffer, within RETAIN_MAX. */
static bool retain(struct urb_pairer *p, struct open_urb *o, const uint8_t *data, uint32_t n)
{
	if (p->retained + n > RETAIN_MAX)
		return false;
	if (o->buf_alloc < n) {
		uint8_t *b = malloc(n);
		if (!b)
			return false;
		free(o->buf);
		o->buf = b;
		o->buf_alloc = n;
	}
	memcpy(o->buf, data, n);
	o->payload = o->buf;
	p->retained += n;
	return true;
}

/* Deliver an open URB that will never complete (capture end, eviction). */
static void deliver_incomplete(struct urb_pairer *p, struct open_urb *o)
{
	struct urb u = o->u;

	unlink_open(p, o);
	u.has_complete = false;
	u.status = 1;             /* not a Linux status: "still open" */
	u.data = o->payload;
	if (!o->payload) {
		u.caplen = 0;
		u.data = NULL;
	}
	p->cb(p->ctx, &u, false);
	free_open(p, o);
}

static void fill_common(struct urb *u, const struct usb_event *ev)
{
	u->source = ev->source;
	u->bus = ev->bus;
	u->device = ev->device;
	u->endpoint = ev->endpoint;
	u->xfer = ev->xfer;
	u->id = ev->urb_id;
}

static bool is_in(const struct usb_event *ev)
{
	return (ev->endpoint & 0x80) != 0;
}

static struct open_urb *find_open(struct urb_pairer *p, const struct usb_event *ev);

static void on_submit(struct urb_pairer *p, const struct usb_event *ev)
{
	struct open_urb *o;
	struct urb *u;

	/* Linux cannot submit a URB that is still in flight: a usbmon submit
	 * whose id is already open means the old one's completion was lost
	 * (a capture gap).  Retire it, or the new completion would pair with
	 * the stale submit.  (USBPcap may write IRP id 0 for everything, so
	 * there several open URBs share an id and pair in order.) */
	if (ev->source == USB_SRC_USBMON || ev->source == USB_SRC_USBMON_MMAPPED || ev->source == USB_SRC_USBMON_TEXT) {
		struct open_urb *stale = find_open(p, ev);
		if (stale)
			deliver_incomplete(p, stale);
	}
	if (p->open >= URB_OPEN_MAX)
		deliver_incomplete(p, p->oldest);
	o = new_open(p);
	if (!o)
		return;
	u = &o->u;
	fill_common(u, ev);
	u->serial = ++p->serial;
	u->has_submit = true;
	u->submit_frame = ev->frame;
	u->submit_ts = ev->ts_ns;
	u->requested = ev->length;
	u->status = ev->status;
	u->status_origin = ev->status_origin;
	u->orig_status = ev->orig_status;
	if (ev->has_setup) {
		u->has_setup = true;
		memcpy(u->setup, ev->setup, 8);
	}
	if (!is_in(ev)) {
		u->moved = ev->length;
		u->truncated = ev->truncated;
		if (ev->caplen) {
			if (retain(p, o, ev->data, ev->caplen)) {
				u->caplen = ev->caplen;
			} else {
				u->truncated = true;
			}
		}
	}
	o->hash = key_hash(ev->bus, ev->device, ev->endpoint, ev->urb_id);
	o->hnext = p->buckets[o->hash];
	p->buckets[o->hash] = o;
	o->prev = p->newest;
	if (p->newest)
		p->newest->next = o;
	else
		p->oldest = o;
	p->newest = o;
	p->open++;

	/* Tell the decoders now: submit order matters (UAS streams) and OUT
	 * payloads (CBW, Command IU) are readable from here. */
	{
		struct urb view = *u;
		view.data = o->payload;
		view.caplen = o->payload ? u->caplen : 0;
		p->cb(p->ctx, &view, true);
	}
}

/* The oldest open URB with this key, or NULL. */
static struct open_urb *find_open(struct urb_pairer *p, const struct usb_event *ev)
{
	uint32_t h = key_hash(ev->bus, ev->device, ev->endpoint, ev->urb_id);
	struct open_urb *best = NULL;

	for (struct open_urb *o = p->buckets[h]; o; o = o->hnext)
		if (o->u.id == ev->urb_id && o->u.bus == ev->bus && o->u.device == ev->device &&
		    o->u.endpoint == ev->endpoint && (!best || o->u.serial < best->u.serial))
			best = o;
	return best;
}

static void on_complete(struct urb_pairer *p, const struct usb_event *ev)
{
	struct open_urb *o = find_open(p, ev);
	struct urb u;

	if (o) {
		u = o->u;
	} else {
		/* USBPcap before 1.5 writes a second completion (the status
		 * stage) for control transfers; it carries nothing. */
		if (ev->source == USB_SRC_USBPCAP && ev->ctrl_stage == USB_STAGE_STATUS && ev->caplen == 0)
			return;
		memset(&u, 0, sizeof(u));
		fill_common(&u, ev);
		u.serial = ++p->serial;
	}
	u.has_complete = true;
	u.complete_frame = ev->frame;
	u.complete_ts = ev->ts_ns;
	u.status = ev->status;
	u.status_origin = ev->status_origin;
	u.orig_status = ev->orig_status;
	u.actual = ev->length;
	u.submit_error = ev->type == USB_EV_ERROR;
	if (is_in(ev)) {
		u.data = ev->caplen ? ev->data : NULL;
		u.caplen = ev->caplen;
		u.moved = ev->length;
		u.truncated = ev->truncated;
	} else if (o && o->payload) {
		u.data = o->payload;
		u.moved = u.submit_error ? 0 : ev->length;
	} else {
		/* macOS records OUT payload on the completion; elsewhere an
		 * OUT completion has none and the submit was not captured. */
		u.data = ev->caplen ? ev->data : NULL;
		u.caplen = ev->caplen;
		u.moved = u.submit_error ? 0 : ev->length;
		u.truncated = u.truncated || ev->truncated || (!o && ev->caplen < ev->length);
	}
	if (u.caplen > u.moved && !u.submit_error && u.has_submit)
		u.caplen = u.moved;       /* a short OUT transfer moved fewer than were submitted */
	p->cb(p->ctx, &u, false);
	if (o) {
		unlink_open(p, o);
		free_open(p, o);
	}
}

void urb_pairer_feed(struct urb_pairer *p, const struct usb_event *ev)
{
	if (ev->type == USB_EV_SUBMIT) {
		/* USBPcap before 1.5: the data stage of a control OUT transfer
		 * is a second submit record with the same IRP id; fold it into
		 * the setup submit. */
		if (ev->source == USB_SRC_USBPCAP && ev->ctrl_stage == USB_STAGE_DATA) {
			struct open_urb *o = find_open(p, ev);
			if (o && o->u.has_setup) {
				if (!o->payload && ev->caplen && retain(p, o, ev->data, ev->caplen)) {
					o->u.caplen = ev->caplen;
					o->u.moved = ev->length;
				}
				return;
			}
		}
		on_submit(p, ev);
	} else {
		on_complete(p, ev);
	}
}

void urb_pairer_finish(struct urb_pairer *p)
{
	while (p->oldest)
		deliver_incomplete(p, p->oldest);
}

void urb_pairer_free(struct urb_pairer *p)
{
	if (!p)
		return;
	while (p->oldest) {
		struct open_urb *o = p->oldest;
		unlink_open(p, o);
		free(o->buf);
		free(o);
	}
	while (p->spare) {
		struct open_urb *o = p->spare;
		p->spare = o->hnext;
		free(o->buf);
		free(o);
	}
	free(p);
}
