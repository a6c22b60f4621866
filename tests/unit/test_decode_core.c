/* test_decode_core.c - URB pairing and the transaction emitter (start order, window, payload hashing). */
#include <inttypes.h>
#include <xxhash.h>

#include "decode/txn.h"
#include "decode/urb.h"
#include "testlib.h"

/* ---------------------------------------------------------------- pairer */

struct seen {
	struct urb u[64];
	bool at_submit[64];
	uint8_t data[64][64];
	int n;
};

static void record(void *ctx, const struct urb *u, bool at_submit)
{
	struct seen *s = ctx;

	cr_assert_lt(s->n, 64);
	s->u[s->n] = *u;
	s->at_submit[s->n] = at_submit;
	if (u->caplen) {
		memcpy(s->data[s->n], u->data, u->caplen < 64 ? u->caplen : 64);
		s->u[s->n].data = s->data[s->n];
	}
	s->n++;
}

static struct usb_event ev(char type, uint8_t ep, uint64_t id, int32_t status, uint32_t len, const void *data,
			   uint32_t caplen, uint64_t frame)
{
	struct usb_event e = mk_usb(type, USB_XFER_BULK, 1, 5, ep, id, status, len, data, caplen, (int64_t)frame * 1000);

	e.frame = frame;
	e.source = USB_SRC_USBMON_MMAPPED;
	return e;
}

Test(pairer, pairs_submit_and_completion_and_keeps_out_data)
{
	struct seen s = { .n = 0 };
	struct urb_pairer *p = urb_pairer_new(record, &s);
	struct usb_event e;

	e = ev('S', 0x02, 7, -115, 4, "abcd", 4, 1);
	urb_pairer_feed(p, &e);
	e = ev('S', 0x81, 8, -115, 13, NULL, 0, 2);
	urb_pairer_feed(p, &e);
	e = ev('C', 0x02, 7, 0, 4, NULL, 0, 3);
	urb_pairer_feed(p, &e);
	e = ev('C', 0x81, 8, 0, 5, "hello", 5, 4);
	urb_pairer_feed(p, &e);
	urb_pairer_finish(p);
	cr_assert_eq(s.n, 4);
	cr_assert(s.at_submit[0] && s.at_submit[1] && !s.at_submit[2] && !s.at_submit[3]);
	cr_assert_eq(s.u[0].serial, s.u[2].serial, "one serial per URB");
	cr_assert_neq(s.u[0].serial, s.u[1].serial);
	/* OUT completion: the submit's payload again, moved = actual */
	cr_assert(s.u[2].has_submit && s.u[2].has_complete);
	cr_assert_eq(s.u[2].submit_frame, 1);
	cr_assert_eq(s.u[2].complete_frame, 3);
	cr_assert_eq(s.u[2].caplen, 4);
	cr_assert_eq(memcmp(s.u[2].data, "abcd", 4), 0);
	cr_assert_eq(s.u[2].moved, 4);
	/* IN completion: its own payload, requested from the submit */
	cr_assert_eq(s.u[3].requested, 13);
	cr_assert_eq(s.u[3].actual, 5);
	cr_assert_eq(s.u[3].moved, 5);
	cr_assert_eq(memcmp(s.u[3].data, "hello", 5), 0);
	urb_pairer_free(p);
}

Test(pairer, unpaired_both_ways)
{
	struct seen s = { .n = 0 };
	struct urb_pairer *p = urb_pairer_new(record, &s);
	struct usb_event e;

	e = ev('C', 0x81, 99, 0, 3, "xyz", 3, 1);      /* submit before the capture began */
	urb_pairer_feed(p, &e);
	e = ev('S', 0x02, 100, -115, 31, NULL, 0, 2);  /* never completes */
	urb_pairer_feed(p, &e);
	urb_pairer_finish(p);
	cr_assert_eq(s.n, 3);
	cr_assert(!s.u[0].has_submit && s.u[0].has_complete && !s.at_submit[0]);
	cr_assert_eq(s.u[0].complete_frame, 1);
	cr_assert(s.at_submit[1]);
	cr_assert(!s.at_submit[2] && s.u[2].has_submit && !s.u[2].has_complete, "delivered again at the end");
	cr_assert_eq(s.u[2].serial, s.u[1].serial);
	urb_pairer_free(p);
}

Test(pairer, same_id_pairs_oldest_first)
{
	struct seen s = { .n = 0 };
	struct urb_pairer *p = urb_pairer_new(record, &s);
	struct usb_event e;

	/* USBPcap captures with IRP id 0 everywhere: FIFO per endpoint */
	const char *pay[4] = { "A", "B", NULL, NULL };
	for (int i = 0; i < 4; i++) {
		e = ev(i < 2 ? 'S' : 'C', 0x02, 0, i < 2 ? -115 : 0, 1, pay[i], pay[i] ? 1 : 0, (uint64_t)i + 1);
		e.source = USB_SRC_USBPCAP;
		urb_pairer_feed(p, &e);
	}
	cr_assert_eq(s.n, 4);
	cr_assert_eq(s.u[2].submit_frame, 1);
	cr_assert_eq(s.u[2].data[0], 'A');
	cr_assert_eq(s.u[3].submit_frame, 2);
	cr_assert_eq(s.u[3].data[0], 'B');
	urb_pairer_free(p);
}

Test(pairer, submit_error_event)
{
	struct seen s = { .n = 0 };
	struct urb_pairer *p = urb_pairer_new(record, &s);
	struct usb_event e;

	e = ev('S', 0x02, 5, -115, 31, "USBC", 4, 1);
	urb_pairer_feed(p, &e);
	e = ev('E', 0x02, 5, -19, 0, NULL, 0, 2);
	urb_pairer_feed(p, &e);
	cr_assert_eq(s.n, 2);
	cr_assert(s.u[1].submit_error);
	cr_assert_eq(s.u[1].status, -19);
	cr_assert_eq(s.u[1].moved, 0, "nothing reached the bus");
	urb_pairer_free(p);
}

Test(pairer, macos_out_payload_on_the_completion)
{
	struct seen s = { .n = 0 };
	struct urb_pairer *p = urb_pairer_new(record, &s);
	struct usb_event e;

	e = ev('S', 0x04, 3, -115, 32, NULL, 0, 1);
	e.source = USB_SRC_DARWIN;
	urb_pairer_feed(p, &e);
	e = ev('C', 0x04, 3, 0, 4, "IU01", 4, 2);
	e.source = USB_SRC_DARWIN;
	urb_pairer_feed(p, &e);
	cr_assert_eq(s.n, 2);
	cr_assert_eq(s.u[1].caplen, 4);
	cr_assert_eq(memcmp(s.u[1].data, "IU01", 4), 0);
	urb_pairer_free(p);
}

static void count_cb(void *ctx, const struct urb *u, bool at_submit)
{
	(void)u;
	if (!at_submit)
		(*(unsigned *)ctx)++;
}

Test(pairer, open_urbs_are_bounded)
{
	unsigned completions = 0;
	struct urb_pairer *p = urb_pairer_new(count_cb, &completions);
	struct usb_event e;

	for (uint64_t i = 0; i < URB_OPEN_MAX + 10; i++) {
		e = ev('S', 0x81, i + 1, -115, 512, NULL, 0, i + 1);
		urb_pairer_feed(p, &e);
	}
	cr_assert_eq(completions, 10, "the 10 oldest were delivered as never completed");
	urb_pairer_finish(p);
	cr_assert_eq(completions, URB_OPEN_MAX + 10);
	urb_pairer_free(p);
}

/* --------------------------------------------------------------- emitter */

struct got {
	uint64_t frames[16];
	uint64_t hash[16];
	uint64_t bytes[16];
	uint32_t nframes[16];
	int n;
};

static void got_cb(void *ctx, const struct txn *t)
{
	struct got *g = ctx;

	cr_assert_lt(g->n, 16);
	g->frames[g->n] = t->u.scsi.frame;
	g->hash[g->n] = t->u.scsi.data.hash;
	g->bytes[g->n] = t->u.scsi.data.bytes;
	g->nframes[g->n] = t->u.scsi.nframes;
	g->n++;
}

Test(emitter, delivers_in_start_order)
{
	struct got g = { .n = 0 };
	struct emitter *e = emitter_new(got_cb, &g);
	struct txn_rec *a = txn_begin(e, TXN_SCSI, 10);
	struct txn_rec *b = txn_begin(e, TXN_SCSI, 11);
	struct txn_rec *c = txn_begin(e, TXN_SCSI, 12);

	txn_end(e, c);
	txn_end(e, b);
	cr_assert_eq(g.n, 0, "a is still open: nothing may pass it");
	txn_add_frame(a, 30);
	txn_add_frame(a, 20);
	txn_add_frame(a, 20);
	txn_end(e, a);
	cr_assert_eq(g.n, 3);
	cr_assert_eq(g.frames[0], 10);
	cr_assert_eq(g.frames[1], 11);
	cr_assert_eq(g.frames[2], 12);
	cr_assert_eq(g.nframes[0], 3, "10, 20, 30: sorted, duplicates dropped");
	emitter_free(e);
}

Test(emitter, hash_is_independent_of_how_data_is_split)
{
	struct got g = { .n = 0 };
	struct emitter *e = emitter_new(got_cb, &g);
	uint8_t buf[10000];
	struct txn_rec *a, *b;

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7);
	a = txn_begin(e, TXN_SCSI, 1);
	txn_add_data(a, buf, sizeof(buf), sizeof(buf));
	txn_end(e, a);
	b = txn_begin(e, TXN_SCSI, 2);
	txn_add_data(b, buf, 3000, 3000);
	txn_add_data(b, buf + 3000, 7000, 7000);
	txn_end(e, b);
	cr_assert_eq(g.n, 2);
	cr_assert_eq(g.hash[0], XXH3_64bits(buf, sizeof(buf)));
	cr_assert_eq(g.hash[0], g.hash[1]);
	cr_assert_eq(g.bytes[1], 10000);
	emitter_free(e);
}

struct head_check {
	uint32_t head_len;
	uint64_t captured, bytes;
	uint8_t last;
};

static void head_cb(void *ctx, const struct txn *t)
{
	struct head_check *h = ctx;

	h->head_len = t->u.scsi.data.head_len;
	h->captured = t->u.scsi.data.captured;
	h->bytes = t->u.scsi.data.bytes;
	h->last = t->u.scsi.data.head[t->u.scsi.data.head_len - 1];
}

Test(emitter, head_is_bounded_and_truncation_counted)
{
	struct head_check h;
	struct emitter *e = emitter_new(head_cb, &h);
	uint8_t buf[6000];
	struct txn_rec *a;

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)i;
	a = txn_begin(e, TXN_SCSI, 1);
	txn_add_data(a, buf, 5000, 5000);
	txn_add_data(a, buf + 5000, 1000, 8000);   /* the capture cut this URB's payload */
	txn_end(e, a);
	cr_assert_eq(h.head_len, PAYLOAD_HEAD_MAX);
	cr_assert_eq(h.last, (uint8_t)(PAYLOAD_HEAD_MAX - 1));
	cr_assert_eq(h.captured, 6000);
	cr_assert_eq(h.bytes, 13000);
	emitter_free(e);
}

static void n_cb(void *ctx, const struct txn *t)
{
	uint64_t *last = ctx;

	(void)t;
	last[0]++;
	last[1] = t->u.scsi.frame;
}

Test(emitter, an_open_transaction_holds_back_at_most_a_window)
{
	uint64_t st[2] = { 0, 0 };
	struct emitter *e = emitter_new(n_cb, st);
	struct txn_rec *stuck = txn_begin(e, TXN_SCSI, 1);

	for (uint64_t i = 0; i < EMIT_WINDOW + 5; i++)
		txn_end(e, txn_begin(e, TXN_SCSI, i + 2));
	cr_assert_geq(st[0], EMIT_WINDOW - 1, "the queue did not grow without bound (%" PRIu64 " delivered)", st[0]);
	txn_end(e, stuck);
	cr_assert_eq(st[1], 1, "the passed-over one is delivered when it ends");
	emitter_flush(e);
	cr_assert_eq(st[0], EMIT_WINDOW + 6);
	emitter_free(e);
}

Test(pairer, a_reused_usbmon_id_retires_the_stale_submit)
{
	struct seen s = { .n = 0 };
	struct urb_pairer *p = urb_pairer_new(record, &s);
	struct usb_event e;

	e = ev('S', 0x81, 42, -115, 13, NULL, 0, 1);   /* its completion is lost */
	urb_pairer_feed(p, &e);
	e = ev('S', 0x81, 42, -115, 13, NULL, 0, 2);   /* the same URB, submitted again */
	urb_pairer_feed(p, &e);
	e = ev('C', 0x81, 42, 0, 13, "USBS", 4, 3);
	urb_pairer_feed(p, &e);
	cr_assert_eq(s.n, 4);
	cr_assert(!s.at_submit[1] && !s.u[1].has_complete && s.u[1].submit_frame == 1, "frame 1 retired");
	cr_assert_eq(s.u[3].submit_frame, 2, "the completion pairs with the newer submit");
	urb_pairer_free(p);
}

Test(emitter, frames_per_transaction_are_bounded)
{
	uint64_t st[2] = { 0, 0 };
	struct emitter *e = emitter_new(n_cb, st);
	struct txn_rec *r = txn_begin(e, TXN_SCSI, 1);

	for (uint64_t i = 2; i < TXN_FRAMES_MAX + 100; i++)
		txn_add_frame(r, i);
	cr_assert_eq(r->nframes, TXN_FRAMES_MAX);
	cr_assert_eq(r->frames_dropped, 100 - 1);
	for (int i = 0; i < 100; i++)
		txn_add_finding(r, "x", SEV_INFO, NULL, 0, "n %d", i);
	cr_assert_eq(r->nfindings, TXN_FINDINGS_MAX);
	txn_end(e, r);
	emitter_free(e);
}

Test(pairer, a_reused_record_starts_clean)
{
	struct seen s = { .n = 0 };
	struct urb_pairer *p = urb_pairer_new(record, &s);
	struct usb_event e;
	uint8_t big[64];

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(200 - i);
	e = ev('S', 0x02, 7, -115, 8, "ABCDEFGH", 8, 1);
	urb_pairer_feed(p, &e);
	e = ev('C', 0x02, 7, 0, 8, NULL, 0, 2);
	urb_pairer_feed(p, &e);
	/* A control submit, then a bulk OUT submit without payload. */
	e = ev('S', 0x80, 9, -115, 18, NULL, 0, 3);
	e.xfer = USB_XFER_CONTROL;
	e.has_setup = true;
	memcpy(e.setup, "\x80\x06\x00\x01\x00\x00\x12\x00", 8);
	urb_pairer_feed(p, &e);
	e = ev('C', 0x80, 9, 0, 0, NULL, 0, 4);
	e.xfer = USB_XFER_CONTROL;
	urb_pairer_feed(p, &e);
	e = ev('S', 0x02, 10, -115, 0, NULL, 0, 5);
	urb_pairer_feed(p, &e);
	e = ev('C', 0x02, 10, 0, 0, NULL, 0, 6);
	urb_pairer_feed(p, &e);
	/* More payload than any earlier URB carried. */
	e = ev('S', 0x02, 11, -115, sizeof(big), big, sizeof(big), 7);
	urb_pairer_feed(p, &e);
	e = ev('C', 0x02, 11, 0, sizeof(big), NULL, 0, 8);
	urb_pairer_feed(p, &e);
	cr_assert_eq(s.n, 8);
	cr_assert(s.u[3].has_setup, "the control URB has its setup");
	cr_assert(!s.u[5].has_setup, "a URB in a reused record has no setup of an earlier one");
	cr_assert_eq(s.u[5].caplen, 0, "nor its payload");
	cr_assert_null(s.u[5].data);
	cr_assert_eq(s.u[5].submit_frame, 5);
	cr_assert_eq(s.u[7].caplen, sizeof(big));
	cr_assert_eq(memcmp(s.u[7].data, big, sizeof(big)), 0);
	urb_pairer_free(p);
}

struct reuse_check {
	uint64_t bytes[4], captured[4], hash[4];
	uint32_t head_len[4], nframes[4], nfindings[4];
	bool head_null[4];
	int n;
};

static void reuse_cb(void *ctx, const struct txn *t)
{
	struct reuse_check *r = ctx;
	const struct scsi_txn *s = &t->u.scsi;

	cr_assert_lt(r->n, 4);
	r->bytes[r->n] = s->data.bytes;
	r->captured[r->n] = s->data.captured;
	r->hash[r->n] = s->data.hash;
	r->head_len[r->n] = s->data.head_len;
	r->head_null[r->n] = s->data.head == NULL;
	r->nframes[r->n] = s->nframes;
	r->nfindings[r->n] = s->nfindings;
	r->n++;
}

Test(emitter, a_reused_record_starts_clean)
{
	struct reuse_check r = { .n = 0 };
	struct emitter *e = emitter_new(reuse_cb, &r);
	uint8_t buf[100];
	struct txn_rec *a;

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 3);
	a = txn_begin(e, TXN_SCSI, 1);
	txn_add_frame(a, 2);
	txn_add_frame(a, 3);
	txn_add_data(a, buf, sizeof(buf), sizeof(buf));
	txn_add_finding(a, "x", SEV_INFO, NULL, 0, "one");
	txn_end(e, a);
	a = txn_begin(e, TXN_SCSI, 4);            /* no data, no finding */
	txn_end(e, a);
	a = txn_begin(e, TXN_SCSI, 5);
	txn_add_data(a, buf, 10, 10);
	txn_end(e, a);
	a = txn_begin(e, TXN_SCSI, 6);            /* data moved, none captured */
	txn_add_data(a, NULL, 0, 512);
	txn_end(e, a);
	cr_assert_eq(r.n, 4);
	cr_assert_eq(r.nframes[0], 3);
	cr_assert_eq(r.nfindings[0], 1);
	cr_assert_eq(r.hash[0], XXH3_64bits(buf, sizeof(buf)));
	cr_assert_eq(r.nframes[1], 1);
	cr_assert_eq(r.nfindings[1], 0);
	cr_assert_eq(r.bytes[1], 0);
	cr_assert_eq(r.captured[1], 0);
	cr_assert_eq(r.hash[1], 0);
	cr_assert_eq(r.head_len[1], 0);
	cr_assert(r.head_null[1], "no data: no head, as for a record never used before");
	cr_assert_eq(r.hash[2], XXH3_64bits(buf, 10), "the hash starts afresh");
	cr_assert_eq(r.bytes[2], 10);
	cr_assert_eq(r.head_len[2], 10);
	cr_assert_eq(r.bytes[3], 512);
	cr_assert_eq(r.captured[3], 0);
	cr_assert_eq(r.hash[3], 0);
	cr_assert_eq(r.head_len[3], 0);
	cr_assert(r.head_null[3], "nothing captured: no head, even in a reused accumulator");
	emitter_free(e);
}
