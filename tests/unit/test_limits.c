/* test_limits.c - absurd inputs against the documented limits (ARCHITECTURE.md, "Limits"): millions of open URBs, UAS commands and tags, BOT commands without status, control requests and devices, OUT payloads kept open, deeply fragmented L2CAP; memory stays bounded and decoding stays right. */
#include <inttypes.h>
#include <malloc.h>

#include "decode/decode.h"
#include "decode/urb.h"
#include "fuzz/devices.h"
#include "testlib.h"

/*
 * Events go straight into the decoder (a file of a million URBs would be
 * hundreds of megabytes).  Memory is the heap in use (mallinfo2) after a
 * flood of N and after one of 10 N: a bounded decoder holds the same
 * either way.  Under AddressSanitizer the heap is ASan's and mallinfo2 says
 * nothing, so there only the decoding is checked.
 */

#if defined(__SANITIZE_ADDRESS__)
#define HEAP_KNOWN 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HEAP_KNOWN 0
#endif
#endif
#ifndef HEAP_KNOWN
#define HEAP_KNOWN 1
#endif

static size_t heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

struct feed {
	struct decoder *d;
	uint64_t frame;
	int64_t ts;
	uint64_t scsi, scsi_good, ctl, notes;
	uint64_t csw_missing, too_many;
	uint64_t mark;            /* frame after which GOOD commands count in good_after */
	uint64_t good_after;
};

static bool has(const struct finding *f, uint32_t n, const char *id)
{
	for (uint32_t i = 0; i < n; i++)
		if (!strcmp(f[i].id, id))
			return true;
	return false;
}

static void on_txn(void *ctx, const struct txn *t)
{
	struct feed *f = ctx;

	switch (t->kind) {
	case TXN_SCSI:
		f->scsi++;
		f->scsi_good += t->u.scsi.status == 0;
		f->csw_missing += has(t->u.scsi.findings, t->u.scsi.nfindings, "bot-csw-missing");
		f->too_many += has(t->u.scsi.findings, t->u.scsi.nfindings, "uas-too-many-in-flight");
		if (t->u.scsi.frame > f->mark && t->u.scsi.status == 0 && t->u.scsi.end == TXN_END_STATUS)
			f->good_after++;
		break;
	case TXN_CONTROL:
		f->ctl++;
		break;
	default:
		f->notes++;
		break;
	}
}

static void feed_open(struct feed *f)
{
	struct decoder_opts o = { .notes = true };

	memset(f, 0, sizeof(*f));
	f->ts = 1700000000000000000LL;
	f->d = decoder_new(&o, on_txn, f);
	cr_assert(f->d);
}

static void feed_close(struct feed *f)
{
	decoder_finish(f->d);
	decoder_free(f->d);
}

static uint64_t ev(struct feed *f, char type, uint8_t xfer, uint16_t dev, uint8_t ep, uint64_t id, int32_t status,
		   uint32_t len, const void *data, uint32_t caplen, const uint8_t *setup)
{
	struct usb_event e = mk_usb(type, xfer, 1, dev, ep, id, status, len, data, caplen, f->ts += 1000);

	e.source = USB_SRC_USBMON_MMAPPED;
	e.frame = ++f->frame;
	if (setup) {
		e.has_setup = true;
		memcpy(e.setup, setup, 8);
	}
	decoder_feed(f->d, &e);
	return e.frame;
}

static void control(struct feed *f, uint16_t dev, const uint8_t setup[8], const void *in, uint32_t len)
{
	uint64_t id = 0xc0000000ull + f->frame;

	ev(f, 'S', USB_XFER_CONTROL, dev, setup[0] & 0x80, id, -115, (uint32_t)(setup[6] | setup[7] << 8), NULL, 0,
	   setup);
	ev(f, 'C', USB_XFER_CONTROL, dev, setup[0] & 0x80, id, 0, len, in, len, NULL);
}

static const uint8_t GET_STATUS[8] = { 0x80, 0x00, 0x00, 0x00, 0, 0, 2, 0 };

static void enumerate(struct feed *f, uint16_t dev, bool uas)
{
	control(f, dev, SETUP_GET_DEVICE, STORAGE_DEVICE, sizeof(STORAGE_DEVICE));
	control(f, dev, SETUP_GET_CONFIG, STORAGE_CONFIG, sizeof(STORAGE_CONFIG));
	control(f, dev, SETUP_SET_CONFIG, NULL, 0);
	if (uas)
		control(f, dev, SETUP_SET_ALT1, NULL, 0);
}

/* BOT 5.1/5.2: a TEST UNIT READY and its passing CSW. */
static void bot_tur(struct feed *f, uint32_t tag)
{
	uint8_t cbw[31] = { 'U', 'S', 'B', 'C' }, csw[13] = { 'U', 'S', 'B', 'S' };
	uint64_t id = 0xb0000000ull + f->frame;

	memcpy(cbw + 4, &tag, 4);
	cbw[14] = 6;
	memcpy(csw + 4, &tag, 4);
	ev(f, 'S', USB_XFER_BULK, 2, 0x02, id, -115, 31, cbw, 31, NULL);
	ev(f, 'C', USB_XFER_BULK, 2, 0x02, id, 0, 31, NULL, 0, NULL);
	ev(f, 'S', USB_XFER_BULK, 2, 0x81, id + 1, -115, 13, NULL, 0, NULL);
	ev(f, 'C', USB_XFER_BULK, 2, 0x81, id + 1, 0, 13, csw, 13, NULL);
}

/* UAS 6.2.2: a Command IU for TEST UNIT READY with this tag, its URB completed. */
static void uas_command(struct feed *f, uint16_t tag, uint64_t id)
{
	uint8_t iu[32] = { 0x01, 0, (uint8_t)(tag >> 8), (uint8_t)tag };

	ev(f, 'S', USB_XFER_BULK, 2, 0x01, id, -115, 32, iu, 32, NULL);
	ev(f, 'C', USB_XFER_BULK, 2, 0x01, id, 0, 32, NULL, 0, NULL);
}

/* UAS 6.2.5: the Sense IU that ends tag with GOOD. */
static void uas_good(struct feed *f, uint16_t tag, uint64_t id)
{
	uint8_t iu[16] = { 0x03, 0, (uint8_t)(tag >> 8), (uint8_t)tag };

	ev(f, 'S', USB_XFER_BULK, 2, 0x82, id, -115, 112, NULL, 0, NULL);
	ev(f, 'C', USB_XFER_BULK, 2, 0x82, id, 0, 16, iu, 16, NULL);
}

/* ------------------------------------------------------------------ URBs */

static size_t urb_flood(uint64_t n, struct feed *f)
{
	static uint8_t payload[512];
	size_t heap;

	feed_open(f);
	enumerate(f, 2, false);
	/* n OUT URBs on the Bulk-Only pipe that never complete: each holds
	 * 512 payload bytes while open */
	for (uint64_t i = 0; i < n; i++)
		ev(f, 'S', USB_XFER_BULK, 2, 0x02, 0x10000000ull + i, -115, 512, payload, 512, NULL);
	heap = heap_in_use();
	f->mark = f->frame;
	bot_tur(f, 7);
	feed_close(f);
	return heap;
}

Test(limits, a_million_urbs_that_never_complete)
{
	struct feed small, big;
	size_t h_small = urb_flood(100000, &small);
	size_t h_big = urb_flood(1000000, &big);

	cr_assert_eq(big.notes, 1000000, "every URB is reported as never completed: %" PRIu64, big.notes);
	cr_assert_eq(big.good_after, 1, "the command after the flood decodes");
	cr_assert_eq(small.good_after, 1);
	if (HEAP_KNOWN)
		cr_assert_lt(h_big, h_small + (8u << 20), "open URBs are bounded (URB_OPEN_MAX %u): %zu bytes after 1M, %zu after 100k",
			     URB_OPEN_MAX, h_big, h_small);
}

/* ------------------------------------------------------------- BOT, UAS */

static size_t cbw_flood(uint64_t n, struct feed *f)
{
	size_t heap;

	feed_open(f);
	enumerate(f, 2, false);
	for (uint64_t i = 0; i < n; i++) {
		uint8_t cbw[31] = { 'U', 'S', 'B', 'C' };
		uint32_t tag = (uint32_t)i + 1;
		memcpy(cbw + 4, &tag, 4);
		cbw[14] = 6;
		ev(f, 'S', USB_XFER_BULK, 2, 0x02, 0x20000000ull + i, -115, 31, cbw, 31, NULL);
		ev(f, 'C', USB_XFER_BULK, 2, 0x02, 0x20000000ull + i, 0, 31, NULL, 0, NULL);
	}
	heap = heap_in_use();
	f->mark = f->frame;
	bot_tur(f, 0x7fffffff);
	feed_close(f);
	return heap;
}

Test(limits, a_million_cbws_without_a_csw)
{
	struct feed small, big;
	size_t h_small = cbw_flood(100000, &small);
	size_t h_big = cbw_flood(1000000, &big);

	cr_assert_eq(big.scsi, 1000001);
	cr_assert_eq(big.csw_missing, 1000000, "each command without its CSW is said");
	cr_assert_eq(big.good_after, 1);
	if (HEAP_KNOWN)
		cr_assert_lt(h_big, h_small + (8u << 20), "%zu bytes after 1M, %zu after 100k", h_big, h_small);
}

static size_t tag_flood(uint64_t n, struct feed *f)
{
	size_t heap;

	feed_open(f);
	enumerate(f, 2, true);
	/* n commands never answered, with 16-bit tags that wrap: at most
	 * 1024 are kept in flight (uas.c UAS_CMDS_MAX), the oldest given up */
	for (uint64_t i = 0; i < n; i++)
		uas_command(f, (uint16_t)(i + 1), 0x30000000ull + i);
	heap = heap_in_use();
	f->mark = f->frame;
	uas_command(f, 0, 0x3fffffffull);         /* tag 0 was never used: a fresh command, answered */
	uas_good(f, 0, 0x3ffffffeull);
	feed_close(f);
	return heap;
}

Test(limits, a_million_uas_commands_in_flight)
{
	struct feed small, big;
	size_t h_small = tag_flood(100000, &small);
	size_t h_big = tag_flood(1000000, &big);

	cr_assert_eq(big.scsi, 1000001, "every command is delivered: %" PRIu64, big.scsi);
	cr_assert_eq(big.too_many, 1000001 - 1024, "each command beyond the 1024 kept is given up, and said: %" PRIu64, big.too_many);
	cr_assert_eq(big.good_after, 1, "the answered command after the flood decodes");
	cr_assert_eq(small.good_after, 1);
	if (HEAP_KNOWN)
		cr_assert_lt(h_big, h_small + (8u << 20), "%zu bytes after 1M, %zu after 100k", h_big, h_small);
}

/* ------------------------------------------------------- control, devices */

static size_t control_flood(uint64_t n, struct feed *f)
{
	size_t heap;

	feed_open(f);
	for (uint64_t i = 0; i < n; i++)
		ev(f, 'S', USB_XFER_CONTROL, 2, 0x80, 0x40000000ull + i, -115, 2, NULL, 0, GET_STATUS);
	heap = heap_in_use();
	control(f, 2, SETUP_GET_DEVICE, STORAGE_DEVICE, sizeof(STORAGE_DEVICE));
	feed_close(f);
	return heap;
}

Test(limits, a_million_control_requests_never_answered)
{
	struct feed small, big;
	size_t h_small = control_flood(100000, &small);
	size_t h_big = control_flood(1000000, &big);

	cr_assert_geq(big.ctl, 1, "the answered request is delivered");
	if (HEAP_KNOWN)
		cr_assert_lt(h_big, h_small + (8u << 20), "%zu bytes after 1M, %zu after 100k", h_big, h_small);
}

static size_t device_flood(uint64_t n, struct feed *f)
{
	size_t heap;

	feed_open(f);
	for (uint64_t i = 0; i < n; i++)
		control(f, (uint16_t)(1 + i % 65535), SETUP_GET_DEVICE, STORAGE_DEVICE, sizeof(STORAGE_DEVICE));
	heap = heap_in_use();
	feed_close(f);
	return heap;
}

Test(limits, devices_without_end)
{
	struct feed small, big;
	size_t h_small = device_flood(65535, &small);
	size_t h_big = device_flood(655350, &big);

	cr_assert_eq(big.ctl, 655350, "every request is delivered");
	if (HEAP_KNOWN)
		cr_assert_lt(h_big, h_small + (8u << 20), "%zu bytes after 655k, %zu after 65k", h_big, h_small);
}

/* ------------------------------------------------------- OUT payloads */

struct kept {
	unsigned completions, with_payload, truncated;
};

static void kept_cb(void *ctx, const struct urb *u, bool at_submit)
{
	struct kept *k = ctx;

	if (at_submit || !u->has_complete)
		return;
	k->completions++;
	k->with_payload += u->data && u->caplen == u->moved;
	k->truncated += u->truncated;
}

/* 40 OUT URBs of 8 MiB open at once: 320 MiB of payload, of which the
 * pairer keeps at most 256 MiB (urb.c RETAIN_MAX) to hand over at completion. */
Test(limits, out_payloads_kept_open_are_bounded)
{
	const uint32_t len = 8u << 20;
	uint8_t *payload = calloc(1, len);
	struct kept k = { 0 };
	struct urb_pairer *p = urb_pairer_new(kept_cb, &k);
	struct usb_event e;

	cr_assert(payload && p);
	for (uint64_t i = 0; i < 40; i++) {
		e = mk_usb('S', USB_XFER_BULK, 1, 2, 0x02, i + 1, -115, len, payload, len, (int64_t)i);
		e.frame = i + 1;
		urb_pairer_feed(p, &e);
	}
	for (uint64_t i = 0; i < 40; i++) {
		e = mk_usb('C', USB_XFER_BULK, 1, 2, 0x02, i + 1, 0, len, NULL, 0, (int64_t)(40 + i));
		e.frame = 41 + i;
		urb_pairer_feed(p, &e);
	}
	urb_pairer_finish(p);
	urb_pairer_free(p);
	free(payload);
	cr_assert_eq(k.completions, 40);
	cr_assert_eq(k.with_payload, 32, "256 MiB of the 320 handed over: %u URBs", k.with_payload);
	cr_assert_eq(k.truncated, 8, "the rest say their bytes were not kept");
}

/* ---------------------------------------------------------- Bluetooth L2CAP */

struct bt_feed {
	struct decoder *d;
	uint64_t frame;
	uint64_t acl, orphans, limit, complete, max_frags, att_after;
};

static void on_bt(void *ctx, const struct txn *t)
{
	struct bt_feed *f = ctx;
	const struct bt_txn *b = &t->u.bt;

	cr_assert_eq(t->kind, TXN_BT);
	if (b->kind != BT_ACL)
		return;
	f->acl++;
	f->orphans += b->proto == BT_PROTO_NONE;
	f->limit += has(b->findings, b->nfindings, "l2cap-reassembly-limit");
	f->complete += !b->incomplete;
	if (b->fragments > f->max_frags)
		f->max_frags = b->fragments;
	if (!b->incomplete && b->proto == BT_PROTO_ATT && b->handle == 0x0abc)
		f->att_after++;
}

static void bt_acl(struct bt_feed *f, uint16_t handle_flags, const uint8_t *payload, uint16_t n)
{
	uint8_t pkt[64];
	struct hci_record r;

	pkt[0] = (uint8_t)handle_flags;
	pkt[1] = (uint8_t)(handle_flags >> 8);
	pkt[2] = (uint8_t)n;
	pkt[3] = (uint8_t)(n >> 8);
	if (n)
		memcpy(pkt + 4, payload, n);
	r = mk_hci(HCI_REC_ACL, HCI_DIR_RECV, 0, pkt, 4u + n, 1000000000 + (int64_t)f->frame * 1000);
	r.frame = ++f->frame;
	r.source = HCI_SRC_PKLG;
	decoder_feed_hci(f->d, &r);
}

/* A PDU that claims 65,535 bytes, then n continuation fragments of no
 * bytes (which never complete it), over 64 handles at once plus 1000 more
 * that start PDUs; then one whole ATT PDU on a new handle. */
static size_t l2cap_flood(uint64_t n, struct bt_feed *f)
{
	static const uint8_t start[4] = { 0xff, 0xff, 0x04, 0x00 };
	static const uint8_t att[7] = { 0x03, 0x00, 0x04, 0x00, 0x0a, 0x03, 0x00 };
	struct decoder_opts o = { .notes = true };
	size_t heap;

	memset(f, 0, sizeof(*f));
	f->d = decoder_new(&o, on_bt, f);
	cr_assert(f->d);
	for (uint16_t h = 0; h < 1064; h++)
		bt_acl(f, (uint16_t)(0x2000 | h), start, 4);
	for (uint64_t i = 0; i < n; i++)
		bt_acl(f, (uint16_t)(0x1000 | (1000 + i % 64)), NULL, 0);
	heap = heap_in_use();
	bt_acl(f, 0x2abc, att, 7);
	decoder_finish(f->d);
	decoder_free(f->d);
	return heap;
}

Test(limits, deeply_fragmented_l2cap)
{
	struct bt_feed small, big;
	size_t h_small = l2cap_flood(100000, &small);
	size_t h_big = l2cap_flood(1000000, &big);

	/* 64 reassemblies at once (BT_REASM_MAX): each start past them makes
	 * the oldest give way (1000 findings); each of the last 64 PDUs ends
	 * at 4096 fragments (64 more); the continuations after that have no
	 * start */
	cr_assert_eq(big.max_frags, 4096, "a PDU holds at most BT_L2CAP_FRAGMENTS_MAX fragments");
	cr_assert_eq(big.limit, 1000 + 64);
	cr_assert_eq(big.orphans, 1000000 - 64 * 4095);
	cr_assert_eq(small.limit, 1000 + 1, "the PDU after the flood takes the oldest one's place");
	cr_assert_eq(big.att_after, 1, "the PDU after the flood decodes");
	cr_assert_eq(small.att_after, 1);
	if (HEAP_KNOWN)
		cr_assert_lt(h_big, h_small + (8u << 20), "L2CAP reassembly is bounded: %zu bytes after 1M fragments, %zu after 100k",
			     h_big, h_small);
}
