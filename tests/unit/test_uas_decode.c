/* test_uas_decode.c - USB Attached SCSI end to end through decoder_feed: captures built with the writers (with enumeration) and real captures. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1     /* memmem */
#endif
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include "decode_harness.h"
#include "uas_ius.h"

/* ------------------------------------------------------ capture builder */

#define BUS 2
#define DEV 4
#define EP_CMD 0x01
#define EP_STATUS 0x82
#define EP_DIN 0x83
#define EP_DOUT 0x04

/* A capture of device BUS:DEV, records 10 us apart. */
static void capb_init(struct capb *b)
{
	capb_open(b, BUS, DEV, 262144, 0xffff888000002000ULL, 1700000000000000000LL, 10000);
}

/* Enumeration of a UAS device: interface 0 alt 0 Bulk-Only, alt 1 UAS
 * with four pipes and their Pipe Usage descriptors (UAS 5.3.3.5); at
 * SuperSpeed each endpoint has a companion whose MaxStreams (bits 4-0)
 * says the pipe uses streams.  Then SET_CONFIGURATION 1 and
 * SET_INTERFACE(0, alt 1). */
static void enumerate(struct capb *b, bool superspeed)
{
	static const uint8_t get_dev[8] = { 0x80, 0x06, 0x00, 0x01, 0, 0, 18, 0 };
	static const uint8_t set_cfg[8] = { 0x00, 0x09, 0x01, 0x00, 0, 0, 0, 0 };
	static const uint8_t set_alt[8] = { 0x01, 0x0b, 0x01, 0x00, 0, 0, 0, 0 };
	uint8_t dev[18] = { 18, 1, 0x00, superspeed ? 0x03 : 0x02, 0, 0, 0, superspeed ? 9 : 64,
			    0xf4, 0x46, 0x03, 0x00, 0x00, 0x01, 1, 2, 3, 1 };
	uint8_t cfg[128];
	uint8_t get_cfg[8] = { 0x80, 0x06, 0x00, 0x02, 0, 0, 0, 0 };
	size_t n = 0;
	const uint8_t eps[4] = { EP_CMD, EP_STATUS, EP_DIN, EP_DOUT };
	uint16_t mps = superspeed ? 1024 : 512;

#define ADD(...) do { const uint8_t x_[] = { __VA_ARGS__ }; memcpy(cfg + n, x_, sizeof(x_)); n += sizeof(x_); } while (0)
	ADD(9, 2, 0, 0, 1, 1, 0, 0x80, 50);
	ADD(9, 4, 0, 0, 2, 0x08, 0x06, 0x50, 0);
	ADD(7, 5, 0x81, 2, (uint8_t)mps, (uint8_t)(mps >> 8), 0);
	if (superspeed)
		ADD(6, 0x30, 0, 0, 0, 0);
	ADD(7, 5, 0x02, 2, (uint8_t)mps, (uint8_t)(mps >> 8), 0);
	if (superspeed)
		ADD(6, 0x30, 0, 0, 0, 0);
	ADD(9, 4, 0, 1, 4, 0x08, 0x06, 0x62, 0);
	for (int i = 0; i < 4; i++) {
		ADD(7, 5, eps[i], 2, (uint8_t)mps, (uint8_t)(mps >> 8), 0);
		if (superspeed)
			ADD(6, 0x30, 0, (uint8_t)(i == 0 ? 0 : 5), 0, 0);   /* MaxStreams 2^5 on status and data */
		ADD(4, 0x24, (uint8_t)(i + 1), 0);
	}
#undef ADD
	cfg[2] = (uint8_t)n;
	cfg[3] = (uint8_t)(n >> 8);
	ctrl(b, get_dev, dev, sizeof(dev));
	get_cfg[6] = (uint8_t)n;
	ctrl(b, get_cfg, cfg, (uint32_t)n);
	ctrl(b, set_cfg, NULL, 0);
	ctrl(b, set_alt, NULL, 0);
}

/* Bulk URB halves. */
static uint64_t bs(struct capb *b, uint8_t ep, uint64_t id, uint32_t len, const void *out)
{
	return put(b, 'S', USB_XFER_BULK, ep, id, -115, len, out, out ? len : 0, NULL);
}

static uint64_t bc(struct capb *b, uint8_t ep, uint64_t id, uint32_t len, const void *in)
{
	return put(b, 'C', USB_XFER_BULK, ep, id, 0, len, in, in ? len : 0, NULL);
}

/* ------------------------------------------------------------ CDBs (IU builders: uas_ius.h) */

static const uint8_t INQUIRY[6] = { 0x12, 0, 0, 0, 36, 0 };
static const uint8_t READ_CAP10[10] = { 0x25 };
static const uint8_t READ10[10] = { 0x28, 0, 0, 0, 0x10, 0, 0, 0, 8, 0 };
static const uint8_t WRITE10[10] = { 0x2a, 0, 0, 0, 0x10, 0, 0, 0, 2, 0 };
static const uint8_t TUR[6] = { 0 };
static const uint8_t SENSE_05_24_00[18] = { 0x70, 0, 5, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x24, 0, 0, 0, 0, 0 };

/* USB 2 (no streams): Command IU, READY IU, data, Sense IU; Linux's order
 * (the status URB is submitted before the command and again after each
 * READY IU).  dir: +1 in, -1 out, 0 none.  Returns the Command IU frame. */
static uint64_t usb2_cmd(struct capb *b, uint16_t tag, const uint8_t *cdb, unsigned cdb_len, int dir,
			 const void *data, uint32_t dlen, uint8_t status, const uint8_t *sense, uint16_t slen)
{
	uint8_t iu[64];
	uint64_t sid = ++b->id, cid = ++b->id, did = ++b->id, f;

	bs(b, EP_STATUS, sid, 112, NULL);
	f = bs(b, EP_CMD, cid, cmd_iu(iu, tag, 0, cdb, cdb_len), iu);
	bc(b, EP_CMD, cid, 32, NULL);
	if (dir) {
		bc(b, EP_STATUS, sid, ready_iu(iu, dir > 0 ? 0x06 : 0x07, tag), iu);
		sid = ++b->id;
		bs(b, EP_STATUS, sid, 112, NULL);
		if (dir > 0) {
			bs(b, EP_DIN, did, dlen, NULL);
			bc(b, EP_DIN, did, dlen, data);
		} else {
			bs(b, EP_DOUT, did, dlen, data);
			bc(b, EP_DOUT, did, dlen, NULL);
		}
	}
	bc(b, EP_STATUS, sid, sense_iu(iu, tag, status, sense, slen), iu);
	return f;
}

/* ------------------------------------------------- USB 2 style captures */

Test(uas_decode, usb2_inquiry_read_write_check_condition)
{
	struct capb b;
	struct col col;
	uint8_t inq[36] = { 0, 0x80, 5, 0x12, 31 }, cap[8] = { 0, 0, 0x7f, 0xff, 0, 0, 2, 0 }, blk[4096];
	uint64_t f_inq, f_cap, f_rd, f_wr, f_cc;

	memcpy(inq + 8, "QEMU    QEMU HARDDISK   2.5+", 28);
	memset(blk, 0x3c, sizeof(blk));
	capb_init(&b);
	enumerate(&b, false);
	f_inq = usb2_cmd(&b, 1, INQUIRY, 6, +1, inq, 36, 0, NULL, 0);
	f_cap = usb2_cmd(&b, 1, READ_CAP10, 10, +1, cap, 8, 0, NULL, 0);
	f_rd = usb2_cmd(&b, 2, READ10, 10, +1, blk, 4096, 0, NULL, 0);
	f_wr = usb2_cmd(&b, 3, WRITE10, 10, -1, blk, 1024, 0, NULL, 0);
	f_cc = usb2_cmd(&b, 1, (const uint8_t *)"\x12\x01\xab\x00\xff\x00", 6, 0, NULL, 0, 2, SENSE_05_24_00, 18);
	decode_sb(&b.sb, &col);
	sb_release(&b.sb);

	cr_assert_eq(col.n, 5);
	const struct cmd *c = at_frame(&col, f_inq);
	cr_assert(c);
	cr_assert_eq(c->s.transport, TRANSPORT_UAS);
	cr_assert_eq(c->s.bus, BUS);
	cr_assert_eq(c->s.device, DEV);
	cr_assert_eq(c->s.interface, 0);
	cr_assert_eq(c->s.tag, 1);
	cr_assert_eq(c->s.lun, 0);
	cr_assert_eq(c->s.direction, SCSI_DIR_IN);
	cr_assert_eq(c->s.expected_bytes, 36, "allocation length");
	cr_assert_eq(c->s.data.bytes, 36);
	cr_assert_eq(memcmp(c->head + 8, "QEMU", 4), 0);
	cr_assert_eq(c->s.status, 0);
	cr_assert(!c->s.data_inferred);
	cr_assert_eq(c->s.nframes, 8);
	cr_assert_null(find(c, "usb-roles-inferred"), "the enumeration gave the roles");

	c = at_frame(&col, f_cap);
	cr_assert_eq(c->s.data.bytes, 8);
	cr_assert_eq(c->s.block_size, 512, "learnt from its own data");

	c = at_frame(&col, f_rd);
	cr_assert_eq(c->s.tag, 2);
	cr_assert_eq(c->s.block_size, 512);
	cr_assert_eq(c->s.expected_bytes, 4096, "8 blocks of the 512 bytes READ CAPACITY gave");
	cr_assert_eq(c->s.data.bytes, 4096);
	cr_assert_eq(c->s.data.captured, 4096);
	cr_assert_eq(c->s.direction, SCSI_DIR_IN);

	c = at_frame(&col, f_wr);
	cr_assert_eq(c->s.direction, SCSI_DIR_OUT);
	cr_assert_eq(c->s.expected_bytes, 1024);
	cr_assert_eq(c->s.data.bytes, 1024);
	cr_assert(!c->s.data_inferred);

	c = at_frame(&col, f_cc);
	cr_assert_eq(c->s.status, 2);
	cr_assert_eq(c->s.sense.source, SENSE_UAS_IU);
	cr_assert_eq(c->s.sense.key, 5);
	cr_assert_eq(c->s.sense.asc, 0x24);
	cr_assert_eq(c->s.sense.ascq, 0);
	cr_assert_eq(c->s.sense.frame, c->s.last_frame);
	cr_assert_eq(c->s.data.bytes, 0);
	col_free(&col);
}

Test(uas_decode, usb2_overlap_response_and_abort_task)
{
	struct capb b;
	struct col col;
	uint8_t iu[64];
	uint64_t s1 = 0, c1, c2, c3, c4, tm, f1, f2, f3, f4, f_tm, f_resp;

	capb_init(&b);
	enumerate(&b, false);
	s1 = ++b.id;
	bs(&b, EP_STATUS, s1, 112, NULL);
	/* tag 1 TEST UNIT READY, tag 2 INQUIRY in flight */
	c1 = ++b.id;
	f1 = bs(&b, EP_CMD, c1, cmd_iu(iu, 1, 0, TUR, 6), iu);
	bc(&b, EP_CMD, c1, 32, NULL);
	c2 = ++b.id;
	f2 = bs(&b, EP_CMD, c2, cmd_iu(iu, 2, 0, INQUIRY, 6), iu);
	bc(&b, EP_CMD, c2, 32, NULL);
	/* tag 1 again while in flight */
	c3 = ++b.id;
	f3 = bs(&b, EP_CMD, c3, cmd_iu(iu, 1, 0, INQUIRY, 6), iu);
	bc(&b, EP_CMD, c3, 32, NULL);
	bc(&b, EP_STATUS, s1, resp_iu(iu, 1, 0x0a), iu);  /* OVERLAPPED TAG ATTEMPTED */
	s1 = ++b.id;
	bs(&b, EP_STATUS, s1, 112, NULL);
	/* ABORT TASK of tag 2 */
	tm = ++b.id;
	f_tm = bs(&b, EP_CMD, tm, tm_iu(iu, 9, 0x01, 2, 0), iu);
	bc(&b, EP_CMD, tm, 16, NULL);
	f_resp = bc(&b, EP_STATUS, s1, resp_iu(iu, 9, 0x00), iu);
	s1 = ++b.id;
	bs(&b, EP_STATUS, s1, 112, NULL);
	/* tag 4: INVALID INFORMATION UNIT */
	c4 = ++b.id;
	f4 = bs(&b, EP_CMD, c4, cmd_iu(iu, 4, 0, TUR, 6), iu);
	bc(&b, EP_CMD, c4, 32, NULL);
	bc(&b, EP_STATUS, s1, resp_iu(iu, 4, 0x02), iu);
	decode_sb(&b.sb, &col);
	sb_release(&b.sb);

	cr_assert_eq(col.n, 4, "four commands; the TM is not a transaction");
	const struct cmd *a = at_frame(&col, f1), *i2 = at_frame(&col, f2), *n1 = at_frame(&col, f3),
			 *t4 = at_frame(&col, f4);
	cr_assert(a && i2 && n1 && t4);
	cr_assert_eq(a->s.end, TXN_END_SUPERSEDED);
	cr_assert_eq(nfind(a, "uas-tag-overlap"), 1);
	cr_assert_eq(nfind(n1, "uas-tag-overlap"), 1);
	cr_assert_eq(n1->s.uas_response, 0x0a);
	cr_assert_eq(n1->s.status, -1);
	cr_assert_eq(nfind(n1, "uas-response-iu"), 1);
	cr_assert_eq(i2->s.end, TXN_END_ABORTED);
	cr_assert(has_frame(i2, f_tm) && has_frame(i2, f_resp));
	cr_assert_not_null(find(i2, "uas-task-management"));
	cr_assert_eq(t4->s.uas_response, 0x02);
	cr_assert_not_null(strstr(find(t4, "uas-response-iu")->msg, "INVALID INFORMATION UNIT"));
	col_free(&col);
}

/* ------------------------------------------------- SuperSpeed streams */

Test(uas_decode, streams_several_in_flight)
{
	struct capb b;
	struct col col;
	uint8_t iu[64], blk[2048], cap[8] = { 0, 0, 0x7f, 0xff, 0, 0, 2, 0 };
	uint64_t sa = 0, da, ca, sb2, db, cb, sc, cc, s0, d0, c0, f_a, f_b, f_c;

	memset(blk, 0x77, sizeof(blk));
	capb_init(&b);
	enumerate(&b, true);
	/* READ CAPACITY first (tag 1), Linux order: status, data, command */
	s0 = ++b.id; d0 = ++b.id; c0 = ++b.id;
	bs(&b, EP_STATUS, s0, 112, NULL);
	bs(&b, EP_DIN, d0, 8, NULL);
	bs(&b, EP_CMD, c0, cmd_iu(iu, 1, 0, READ_CAP10, 10), iu);
	bc(&b, EP_DIN, d0, 8, cap);
	bc(&b, EP_CMD, c0, 32, NULL);
	bc(&b, EP_STATUS, s0, sense_iu(iu, 1, 0, NULL, 0), iu);
	/* A: READ(10) tag 1; B: WRITE(10) tag 2; C: TEST UNIT READY tag 3 */
	sa = ++b.id; da = ++b.id; ca = ++b.id;
	bs(&b, EP_STATUS, sa, 112, NULL);
	bs(&b, EP_DIN, da, 4096, NULL);
	f_a = bs(&b, EP_CMD, ca, cmd_iu(iu, 1, 0, READ10, 10), iu);
	sb2 = ++b.id; db = ++b.id; cb = ++b.id;
	bs(&b, EP_STATUS, sb2, 112, NULL);
	bs(&b, EP_DOUT, db, 1024, blk);
	f_b = bs(&b, EP_CMD, cb, cmd_iu(iu, 2, 0, WRITE10, 10), iu);
	sc = ++b.id; cc = ++b.id;
	bs(&b, EP_STATUS, sc, 112, NULL);
	f_c = bs(&b, EP_CMD, cc, cmd_iu(iu, 3, 0, TUR, 6), iu);
	bc(&b, EP_CMD, ca, 32, NULL);
	bc(&b, EP_CMD, cb, 32, NULL);
	bc(&b, EP_CMD, cc, 32, NULL);
	bc(&b, EP_STATUS, sc, sense_iu(iu, 3, 0, NULL, 0), iu);
	bc(&b, EP_DOUT, db, 1024, NULL);
	bc(&b, EP_STATUS, sb2, sense_iu(iu, 2, 0, NULL, 0), iu);
	bc(&b, EP_DIN, da, 2048, blk);
	bc(&b, EP_STATUS, sa, sense_iu(iu, 1, 2, SENSE_05_24_00, 18), iu);
	decode_sb(&b.sb, &col);
	sb_release(&b.sb);

	cr_assert_eq(col.n, 4);
	const struct cmd *A = at_frame(&col, f_a), *B = at_frame(&col, f_b), *C = at_frame(&col, f_c);
	cr_assert(A && B && C);
	cr_assert_eq(A->s.expected_bytes, 4096);
	cr_assert_eq(A->s.data.bytes, 2048);
	cr_assert(A->s.data_inferred);
	cr_assert_eq(nfind(A, "uas-stream-inferred"), 1);
	cr_assert_eq(A->s.status, 2);
	cr_assert_eq(A->s.sense.asc, 0x24);
	cr_assert_eq(B->s.data.bytes, 1024);
	cr_assert_eq(B->s.direction, SCSI_DIR_OUT);
	cr_assert(B->s.data_inferred);
	cr_assert_eq(C->s.data.bytes, 0);
	cr_assert(!C->s.data_inferred);
	cr_assert_eq(C->s.status, 0);
	col_free(&col);
}

/* ------------------------------------------------------ real captures */

/* The command sequence of samples/uas-xhci.commands.log, through the whole decoder. */
Test(uas_decode, samples_uas_xhci_workload)
{
	struct col col;
	static const char pattern[] = "scsiscope sample pattern @LBA 4096";
	unsigned rw = 0;
	bool wr = false, rd = false;

	if (!decode_rel("samples/uas-xhci.pcap", &col))
		cr_skip_test("samples/uas-xhci.pcap absent");
	cr_assert_eq(col.n, 60, "tshark sees 60 Command IUs");
	for (size_t i = 0; i < col.n; i++) {
		const struct cmd *c = &col.c[i];
		cr_assert_eq(c->s.transport, TRANSPORT_UAS);
		cr_assert_eq(c->s.end, TXN_END_STATUS);
		cr_assert_geq(c->s.status, 0);
		if ((c->s.cdb[0] == 0x28 || c->s.cdb[0] == 0x2a) && c->s.status == 0) {
			uint32_t blocks = (uint32_t)(c->s.cdb[7] << 8 | c->s.cdb[8]);
			cr_assert_eq(c->s.data.bytes, 512ull * blocks, "frame %" PRIu64, c->s.frame);
			cr_assert_eq(c->s.expected_bytes, 512u * blocks);
			cr_assert(c->s.data_inferred);
			cr_assert_eq(nfind(c, "uas-stream-inferred"), 1);
			rw++;
			if (c->s.cdb[4] == 0x10 && c->s.cdb[0] == 0x2a)
				wr = memcmp(c->head, pattern, sizeof(pattern) - 1) == 0;
			if (c->s.cdb[4] == 0x10 && c->s.cdb[0] == 0x28)
				rd = memcmp(c->head, pattern, sizeof(pattern) - 1) == 0;
		}
	}
	cr_assert_geq(rw, 5);
	cr_assert(wr && rd, "the 4 KiB written and read back carry the rig's pattern");
	col_free(&col);
}

Test(uas_decode, samples_uas_ehci_exact)
{
	struct col col;

	if (!decode_rel("samples/uas-ehci.pcap", &col))
		cr_skip_test("samples/uas-ehci.pcap absent");
	cr_assert_eq(col.n, 60);
	for (size_t i = 0; i < col.n; i++) {
		cr_assert(!col.c[i].s.data_inferred, "READY IUs: frame %" PRIu64, col.c[i].s.frame);
		cr_assert_eq(col.c[i].s.end, TXN_END_STATUS);
	}
	col_free(&col);
}

/* The usbmon text keeps 32 bytes of the 62-byte configuration set: the
 * UAS interface and its command pipe, not the other pipes.  Those are
 * inferred from the traffic, and the first command says so. */
Test(uas_decode, samples_uas_ehci_text_partial_descriptors)
{
	struct col col;

	if (!decode_rel("samples/uas-ehci.usbmon.txt", &col))
		cr_skip_test("samples/uas-ehci.usbmon.txt absent");
	cr_assert_eq(col.n, 60);
	for (size_t i = 0; i < col.n; i++) {
		cr_assert_eq(col.c[i].s.end, TXN_END_STATUS, "frame %" PRIu64, col.c[i].s.frame);
		cr_assert_geq(col.c[i].s.status, 0, "frame %" PRIu64, col.c[i].s.frame);
		cr_assert_eq(nfind(&col.c[i], "usb-roles-inferred"), i == 0, "frame %" PRIu64, col.c[i].s.frame);
	}
	cr_assert_eq(col.c[0].s.cdb[0], 0x12);
	cr_assert_eq(col.c[0].s.data.bytes, 36);
	col_free(&col);
}

Test(uas_decode, macos_sandisk)
{
	struct col col;

	if (!decode_rel("../shared/captures/public/wireshark-samplecaptures/XHC1-SanDiskExtremePortableSSD.pcapng",
			&col))
		cr_skip_test("shared capture absent");
	cr_assert_eq(col.n, 6);
	cr_assert_eq(col.c[0].s.frame, 31);
	cr_assert_eq(col.c[0].s.status, 2);
	cr_assert_eq(col.c[0].s.sense.key, 2);
	cr_assert_eq(col.c[0].s.sense.asc, 4);
	cr_assert_eq(col.c[0].s.sense.ascq, 1);
	cr_assert_eq(col.c[2].s.frame, 42);
	cr_assert_eq(col.c[2].s.data.bytes, 96);
	cr_assert(col.c[2].s.data_inferred, "macOS uses streams here");
	col_free(&col);
}

Test(uas_decode, jms566_excerpt_inferred_roles)
{
	struct col col;

	if (!decode_rel("../shared/captures/public/linux-usb-mail-excerpts/uas-jms566-excerpt.usbmon.txt", &col))
		cr_skip_test("shared capture absent");
	cr_assert_eq(col.n, 2);
	cr_assert_eq(col.c[0].s.cdb[0], 0x28);
	cr_assert_eq(col.c[0].s.frame, 1);
	/* the READ's data-in completion, frame 3, comes before the status
	 * pipe has shown an IU: its bytes, which cannot begin a status pipe
	 * IU, make 0x83 the data-in pipe */
	cr_assert(has_frame(&col.c[0], 3));
	cr_assert_eq(col.c[0].s.data.bytes, 4096);
	cr_assert_eq(col.c[0].s.status, 0);
	cr_assert_eq(col.c[1].s.frame, 6);
	cr_assert(has_frame(&col.c[1], 5) && has_frame(&col.c[1], 8), "its data-out submit and completion");
	cr_assert_eq(col.c[1].s.cdb[0], 0x2a);
	cr_assert_eq(col.c[1].s.data.bytes, 4096);
	cr_assert_eq(col.c[1].s.status, 0);
	cr_assert_not_null(find(&col.c[0], "usb-roles-inferred"));
	col_free(&col);
}

/* Several tags in flight on the streams pipes (samples/README.md): every
 * WRITE(10)/READ(10) in the workload's range carries its process's pattern. */
Test(uas_decode, samples_uas_xhci_concurrent)
{
	struct col col;
	unsigned checked = 0, tags_above_1 = 0;

	if (!decode_rel("samples/uas-xhci-concurrent.pcap", &col))
		cr_skip_test("samples/uas-xhci-concurrent.pcap absent");
	for (size_t i = 0; i < col.n; i++) {
		const struct cmd *c = &col.c[i];
		const uint8_t *cdb = c->s.cdb;
		uint32_t lba = (uint32_t)cdb[2] << 24 | (uint32_t)cdb[3] << 16 | (uint32_t)cdb[4] << 8 | cdb[5];
		char want[32];

		cr_assert_eq(c->s.end, TXN_END_STATUS);
		tags_above_1 += c->s.tag > 1;
		if ((cdb[0] != 0x28 && cdb[0] != 0x2a) || lba < 8192 || lba >= 8192 + 256)
			continue;
		cr_assert_eq(c->s.data.bytes, 512ull * (uint32_t)(cdb[7] << 8 | cdb[8]));
		if (c->head[0] == 0 && c->head[1] == 0)
			continue;
		snprintf(want, sizeof(want), "concurrent %u\n", (lba - 8192) / 64);
		cr_assert(memmem(c->head, c->s.data.head_len, want, strlen(want)), "frame %" PRIu64, c->s.frame);
		checked++;
	}
	cr_assert_geq(checked, 8);
	cr_assert_geq(tags_above_1, 3);
	col_free(&col);
}

/* A Sense IU for a tag no command has (a device answering a tag the host
 * never sent, or a capture that began mid-command) is not lost: it shows
 * as a stray USB event, and the commands around it are unaffected. */
Test(uas_decode, sense_iu_for_a_tag_not_in_flight_is_a_stray_event)
{
	struct capb b;
	struct col col;
	uint8_t iu[64], inq[36] = { 0 };
	uint64_t sid;

	capb_init(&b);
	enumerate(&b, false);
	usb2_cmd(&b, 1, INQUIRY, 6, +1, inq, 36, 0, NULL, 0);
	sid = ++b.id;
	bs(&b, EP_STATUS, sid, 112, NULL);
	bc(&b, EP_STATUS, sid, sense_iu(iu, 9, 0, NULL, 0), iu);   /* tag 9 was never sent */
	usb2_cmd(&b, 2, TUR, 6, 0, NULL, 0, 0, NULL, 0);
	decode_sb(&b.sb, &col);
	cr_assert_eq(col.n, 2, "both commands decode");
	cr_assert_eq(col.c[0].s.status, 0);
	cr_assert_eq(col.c[1].s.status, 0);
	cr_assert_eq(col.notes, 1, "the stray Sense IU is one USB event");
	col_free(&col);
	sb_release(&b.sb);
}
