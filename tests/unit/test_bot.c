/* test_bot.c - the Bulk-Only Transport decoder driven directly with URB sequences (storage_ctx stubbed here). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "decode/device.h"
#include "decode/scsi.h"
#include "decode/storage.h"

#include "bot_wrappers.h"

/* ------------------------------------------------------------- harness */

/* The glue's part, reduced to what bot.c calls. */
struct storage_ctx {
	struct emitter *em;
	unsigned done;            /* storage_scsi_done calls */
};

struct emitter *storage_emitter(struct storage_ctx *sc) { return sc->em; }

uint32_t storage_block_size(struct storage_ctx *sc, uint16_t bus, uint16_t device, uint64_t lun)
{
	(void)sc; (void)bus; (void)device; (void)lun;
	return 0;
}

void storage_scsi_done(struct storage_ctx *sc, struct txn_rec *r)
{
	sc->done++;
	txn_end(sc->em, r);
}

#define GOT_MAX 256
#define GOT_FRAMES 64
#define GOT_FINDINGS 8

/* A delivered SCSI transaction, copied out of the callback. */
struct got {
	struct scsi_txn s;
	uint64_t frames[GOT_FRAMES];
	struct finding findings[GOT_FINDINGS];
	uint8_t head[64];
};

struct h {
	struct storage_ctx sc;
	struct bot *b;
	uint64_t frame;
	int64_t ts;
	uint64_t serial;
	struct got *got;
	int n;
	int other;
};

static void on_txn(void *ctx, const struct txn *t)
{
	struct h *h = ctx;
	struct got *g;

	if (t->kind != TXN_SCSI) {
		h->other++;
		return;
	}
	cr_assert_lt(h->n, GOT_MAX);
	g = &h->got[h->n++];
	g->s = t->u.scsi;
	cr_assert_leq(t->u.scsi.nframes, GOT_FRAMES);
	if (t->u.scsi.nframes)
		memcpy(g->frames, t->u.scsi.frames, t->u.scsi.nframes * sizeof(uint64_t));
	g->s.frames = g->frames;
	if (t->u.scsi.nfindings > GOT_FINDINGS)
		g->s.nfindings = GOT_FINDINGS;
	if (g->s.nfindings)
		memcpy(g->findings, t->u.scsi.findings, g->s.nfindings * sizeof(struct finding));
	g->s.findings = g->findings;
	g->s.data.head_len = t->u.scsi.data.head_len < sizeof(g->head) ? t->u.scsi.data.head_len : sizeof(g->head);
	if (g->s.data.head_len)
		memcpy(g->head, t->u.scsi.data.head, g->s.data.head_len);
	g->s.data.head = g->head;
}

static struct h *h_new(void)
{
	struct h *h = calloc(1, sizeof(*h));

	cr_assert(h);
	h->got = calloc(GOT_MAX, sizeof(*h->got));
	cr_assert(h->got);
	h->sc.em = emitter_new(on_txn, h);
	h->b = bot_new(&h->sc, 1, 5, 0);
	cr_assert(h->sc.em && h->b);
	return h;
}

/* End of capture; every transaction was ended through storage_scsi_done. */
static void h_finish(struct h *h)
{
	bot_finish(h->b);
	emitter_flush(h->sc.em);
	cr_assert_eq(h->sc.done, (unsigned)h->n, "every transaction ended through storage_scsi_done (%u of %d)",
		     h->sc.done, h->n);
}

static void h_free(struct h *h)
{
	bot_free(h->b);
	emitter_free(h->sc.em);
	free(h->got);
	free(h);
}

static struct urb mk(struct h *h, uint8_t ep)
{
	struct urb u;

	memset(&u, 0, sizeof(u));
	u.serial = ++h->serial;
	u.id = 0xffff8880000000ULL + u.serial;
	u.source = USB_SRC_USBMON_MMAPPED;
	u.bus = 1;
	u.device = 5;
	u.endpoint = ep;
	u.xfer = USB_XFER_BULK;
	return u;
}

static void submit(struct h *h, struct urb *u, uint32_t requested)
{
	u->has_submit = true;
	u->submit_frame = ++h->frame;
	u->submit_ts = h->ts += 1000;
	u->requested = requested;
	u->status = -115;
	bot_urb(h->b, u, true, (u->endpoint & 0x80) ? EP_BOT_IN : EP_BOT_OUT);
}

static void complete(struct h *h, struct urb *u, int32_t status, const void *data, uint32_t actual)
{
	u->has_complete = true;
	u->complete_frame = ++h->frame;
	u->complete_ts = h->ts += 1000;
	u->status = status;
	u->actual = actual;
	u->moved = actual;
	if (u->endpoint & 0x80) {
		u->data = data;
		u->caplen = data ? actual : 0;
	} else if (u->caplen > actual) {
		u->caplen = actual;
	}
	bot_urb(h->b, u, false, (u->endpoint & 0x80) ? EP_BOT_IN : EP_BOT_OUT);
}

/* A whole OUT transfer; returns its submit frame. */
static uint64_t out_xfer(struct h *h, const void *data, uint32_t len, int32_t status)
{
	struct urb u = mk(h, 0x02);

	u.data = data;
	u.caplen = len;
	u.moved = len;
	submit(h, &u, len);
	complete(h, &u, status, NULL, status == -32 ? 0 : len);
	return u.submit_frame;
}

/* A whole IN transfer; returns its completion frame. */
static uint64_t in_xfer(struct h *h, uint32_t requested, const void *data, uint32_t actual, int32_t status)
{
	struct urb u = mk(h, 0x81);

	submit(h, &u, requested);
	complete(h, &u, status, data, actual);
	return u.complete_frame;
}

/* CBW as one OUT transfer; returns its submit frame. */
static uint64_t cbw(struct h *h, uint32_t tag, uint32_t len, bool in, uint8_t lun, const uint8_t *cdb, uint8_t cblen)
{
	uint8_t b[31];

	mk_cbw(b, tag, len, in, lun, cdb, cblen);
	return out_xfer(h, b, 31, 0);
}

/* CSW as one IN transfer of 13 requested bytes; returns its completion frame. */
static uint64_t csw(struct h *h, uint32_t tag, uint32_t residue, uint8_t status)
{
	uint8_t b[13];

	mk_csw(b, tag, residue, status);
	return in_xfer(h, 13, b, 13, 0);
}

static const struct finding *find(const struct got *g, const char *id)
{
	for (uint32_t i = 0; i < g->s.nfindings; i++)
		if (!strcmp(g->findings[i].id, id))
			return &g->findings[i];
	return NULL;
}

static const uint8_t INQUIRY[6] = { 0x12, 0, 0, 0, 36, 0 };
static const uint8_t TUR[6] = { 0x00, 0, 0, 0, 0, 0 };
static const uint8_t REQSENSE[6] = { 0x03, 0, 0, 0, 18, 0 };
static const uint8_t READ10_4[10] = { 0x28, 0, 0, 0, 0x08, 0, 0, 0, 4, 0 };
static const uint8_t WRITE10_2[10] = { 0x2a, 0, 0, 0, 0x10, 0, 0, 0, 2, 0 };
/* fixed-format sense: ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE (05/20/00) */
static const uint8_t SENSE_05_20[18] = { 0x70, 0, 0x05, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x20, 0x00, 0, 0, 0, 0 };

/* The SCSI helper's scsi_sense_parse may still be the temporary stub. */
static bool sense_parser_ready(void)
{
	struct sense_info si;

	memset(&si, 0, sizeof(si));
	return scsi_sense_parse(SENSE_05_20, sizeof(SENSE_05_20), &si) && si.key == 5 && si.asc == 0x20;
}

static uint8_t zeros[65536];

/* --------------------------------------------------------------- tests */

Test(bot, plain_inquiry)
{
	struct h *h = h_new();
	uint8_t inq[36] = { 0x00, 0x80, 0x05, 0x02, 31 };
	uint64_t f_cbw, f_data, f_csw;
	const struct got *g;

	f_cbw = cbw(h, 0x1234, 36, true, 0, INQUIRY, 6);
	f_data = in_xfer(h, 36, inq, 36, 0);
	f_csw = csw(h, 0x1234, 0, 0);
	cr_assert_eq(h->n, 1, "delivered at its CSW, before the end of the capture");
	h_finish(h);
	cr_assert_eq(h->n, 1);
	g = &h->got[0];
	cr_assert_eq(g->s.frame, f_cbw);
	cr_assert_eq(f_cbw, 1);
	cr_assert_eq(g->s.last_frame, f_csw);
	cr_assert_eq(g->s.nframes, 6, "submit and completion of CBW, data and CSW");
	for (unsigned i = 0; i < 6; i++)
		cr_assert_eq(g->frames[i], i + 1);
	cr_assert_eq(g->s.bus, 1);
	cr_assert_eq(g->s.device, 5);
	cr_assert_eq(g->s.transport, TRANSPORT_BOT);
	cr_assert_eq(g->s.tag, 0x1234);
	cr_assert_eq(g->s.lun, 0);
	cr_assert_eq(g->s.cdb_len, 6);
	cr_assert_eq(memcmp(g->s.cdb, INQUIRY, 6), 0);
	cr_assert_eq(g->s.direction, SCSI_DIR_IN);
	cr_assert_eq(g->s.expected_bytes, 36);
	cr_assert_eq(g->s.data.bytes, 36);
	cr_assert_eq(g->s.data.captured, 36);
	cr_assert_eq(memcmp(g->head, inq, 36), 0);
	cr_assert_eq(g->s.status, 0);
	cr_assert_eq(g->s.csw_status, 0);
	cr_assert(g->s.has_residue);
	cr_assert_eq(g->s.residue, 0);
	cr_assert_eq(g->s.end, TXN_END_STATUS);
	cr_assert_eq(g->s.ts_start, 1000);
	cr_assert_eq(g->s.ts_end, 6000, "ts_end is the CSW completion");
	cr_assert_eq(g->s.nfindings, 0);
	cr_assert_eq(g->s.sense.source, SENSE_NONE);
	(void)f_data;
	h_free(h);
}

Test(bot, read10_split_over_urbs)
{
	struct h *h = h_new();
	uint8_t blk[512];
	const struct got *g;

	memset(blk, 0xa5, sizeof(blk));
	cbw(h, 7, 2048, true, 0, READ10_4, 10);
	for (int i = 0; i < 4; i++)
		in_xfer(h, 512, blk, 512, 0);
	csw(h, 7, 0, 0);
	h_finish(h);
	cr_assert_eq(h->n, 1);
	g = &h->got[0];
	cr_assert_eq(g->s.data.bytes, 2048);
	cr_assert_eq(g->s.data.captured, 2048);
	cr_assert_eq(g->s.nframes, 12);
	cr_assert_eq(g->s.last_frame, 12);
	cr_assert_eq(g->s.status, 0);
	cr_assert_eq(g->s.nfindings, 0);
	h_free(h);
}

Test(bot, short_read_ends_data_phase_with_residue)
{
	struct h *h = h_new();
	uint8_t blk[512] = { 1 };
	uint8_t bad[13] = { 'U', 'S', 'B', 'X', 9, 0, 0, 0 };
	const struct got *g;

	/* expected 2048 in two URBs: the first comes back short */
	cbw(h, 9, 2048, true, 0, READ10_4, 10);
	in_xfer(h, 1024, blk, 512, 0);
	/* the data phase is over: 13 bytes without the signature are a bad CSW */
	in_xfer(h, 13, bad, 13, 0);
	csw(h, 9, 1536, 0);
	h_finish(h);
	cr_assert_eq(h->n, 1);
	g = &h->got[0];
	cr_assert(find(g, "bot-bad-signature"));
	cr_assert_eq(find(g, "bot-bad-signature")->severity, SEV_ERROR);
	cr_assert_eq(g->s.data.bytes, 512 + 13, "the bad CSW counts as data");
	cr_assert_eq(g->s.residue, 1536);
	cr_assert(g->s.has_residue);
	cr_assert_eq(g->s.status, 0);
	h_free(h);
}

Test(bot, thirteen_data_bytes_inside_the_data_phase_are_data)
{
	struct h *h = h_new();
	uint8_t thirteen[13] = { 'N', 'O', 'P', 'E' };
	const struct got *g;

	cbw(h, 10, 26, true, 0, INQUIRY, 6);
	in_xfer(h, 13, thirteen, 13, 0);        /* full: the data phase goes on */
	in_xfer(h, 13, thirteen, 13, 0);
	csw(h, 10, 0, 0);
	h_finish(h);
	cr_assert_eq(h->n, 1);
	g = &h->got[0];
	cr_assert_null(find(g, "bot-bad-signature"));
	cr_assert_eq(g->s.data.bytes, 26);
	cr_assert_eq(g->s.status, 0);
	h_free(h);
}

Test(bot, write10_with_cbw_lookalike_data)
{
	struct h *h = h_new();
	uint8_t look[31];
	const struct got *g;

	cbw(h, 0x20, 1024, false, 0, WRITE10_2, 10);
	/* data being written that happens to look like a CBW */
	mk_cbw(look, 0xdead, 0, false, 0, TUR, 6);
	out_xfer(h, look, 31, 0);
	out_xfer(h, zeros, 512 - 31, 0);
	out_xfer(h, zeros, 512, 0);
	csw(h, 0x20, 0, 0);
	h_finish(h);
	cr_assert_eq(h->n, 1, "the lookalike did not start a command");
	g = &h->got[0];
	cr_assert_eq(g->s.direction, SCSI_DIR_OUT);
	cr_assert_eq(g->s.expected_bytes, 1024);
	cr_assert_eq(g->s.data.bytes, 1024);
	cr_assert_eq(g->s.data.captured, 1024);
	cr_assert_eq(memcmp(g->head, "USBC", 4), 0);
	cr_assert_eq(g->s.status, 0);
	cr_assert_eq(g->s.nframes, 10);
	h_free(h);
}

Test(bot, autosense_attaches_request_sense_data)
{
	struct h *h;
	uint64_t f_sense;
	const struct got *g0, *g1;

	if (!sense_parser_ready())
		cr_skip_test("scsi_sense_parse() not landed yet");
	h = h_new();
	cbw(h, 1, 0, false, 0, (const uint8_t[6]){ 0xff }, 6);
	csw(h, 1, 0, 1);
	cr_assert_eq(h->n, 0, "the failed command waits for its REQUEST SENSE");
	cbw(h, 2, 18, true, 0, REQSENSE, 6);
	f_sense = in_xfer(h, 18, SENSE_05_20, 18, 0);
	csw(h, 2, 0, 0);
	cr_assert_eq(h->n, 2);
	h_finish(h);
	cr_assert_eq(h->n, 2);
	g0 = &h->got[0];
	g1 = &h->got[1];
	cr_assert_eq(g0->s.tag, 1, "start order kept");
	cr_assert_eq(g1->s.tag, 2);
	cr_assert_eq(g0->s.status, 2);
	cr_assert_eq(g0->s.csw_status, 1);
	cr_assert_eq(g0->s.end, TXN_END_STATUS);
	cr_assert_eq(g0->s.sense.source, SENSE_AUTOSENSE);
	cr_assert_eq(g0->s.sense.frame, f_sense);
	cr_assert_eq(g0->s.sense.key, 5);
	cr_assert_eq(g0->s.sense.asc, 0x20);
	cr_assert_eq(g0->s.sense.ascq, 0);
	cr_assert_eq(g0->s.sense.response_code, 0x70);
	cr_assert_eq(g0->s.sense.len, 18);
	cr_assert_eq(memcmp(g0->s.sense.raw, SENSE_05_20, 18), 0);
	cr_assert_eq(g0->s.last_frame, 4, "the REQUEST SENSE frames stay with the REQUEST SENSE");
	cr_assert_eq(g1->s.status, 0);
	cr_assert_eq(g1->s.sense.source, SENSE_OWN_DATA);
	cr_assert_eq(g1->s.sense.key, 5);
	cr_assert_eq(g1->s.sense.asc, 0x20);
	cr_assert_eq(g1->s.sense.frame, f_sense);
	h_free(h);
}

Test(bot, check_condition_followed_by_other_command_gets_no_sense)
{
	struct h *h = h_new();

	cbw(h, 1, 0, false, 0, TUR, 6);
	csw(h, 1, 0, 1);
	cr_assert_eq(h->n, 0);
	cbw(h, 2, 36, true, 0, INQUIRY, 6);
	cr_assert_eq(h->n, 1, "a command that is not REQUEST SENSE ends the held one at its CBW");
	in_xfer(h, 36, zeros, 36, 0);
	csw(h, 2, 0, 0);
	h_finish(h);
	cr_assert_eq(h->n, 2);
	cr_assert_eq(h->got[0].s.tag, 1);
	cr_assert_eq(h->got[0].s.status, 2);
	cr_assert_eq(h->got[0].s.sense.source, SENSE_NONE);
	cr_assert_eq(h->got[1].s.sense.source, SENSE_NONE);
	h_free(h);
}

Test(bot, check_condition_at_capture_end)
{
	struct h *h = h_new();

	cbw(h, 1, 0, false, 0, TUR, 6);
	csw(h, 1, 0, 1);
	h_finish(h);
	cr_assert_eq(h->n, 1);
	cr_assert_eq(h->got[0].s.end, TXN_END_STATUS, "it had its CSW");
	cr_assert_eq(h->got[0].s.status, 2);
	h_free(h);
}

Test(bot, request_sense_to_other_lun_is_not_autosense)
{
	struct h *h = h_new();

	cbw(h, 1, 0, false, 1, TUR, 6);
	csw(h, 1, 0, 1);
	cbw(h, 2, 18, true, 0, REQSENSE, 6);
	in_xfer(h, 18, SENSE_05_20, 18, 0);
	csw(h, 2, 0, 0);
	h_finish(h);
	cr_assert_eq(h->n, 2);
	cr_assert_eq(h->got[0].s.lun, 1);
	cr_assert_eq(h->got[0].s.sense.source, SENSE_NONE);
	h_free(h);
}

Test(bot, phase_error)
{
	struct h *h = h_new();
	const struct got *g;

	cbw(h, 3, 512, true, 0, READ10_4, 10);
	in_xfer(h, 512, zeros, 512, 0);
	csw(h, 3, 0, 2);
	h_finish(h);
	g = &h->got[0];
	cr_assert_eq(h->n, 1);
	cr_assert_eq(g->s.status, -1);
	cr_assert_eq(g->s.csw_status, 2);
	cr_assert_eq(g->s.end, TXN_END_STATUS);
	cr_assert_eq(g->s.nfindings, 0);
	h_free(h);
}

Test(bot, reserved_csw_status)
{
	struct h *h = h_new();
	const struct got *g;

	cbw(h, 3, 0, false, 0, TUR, 6);
	csw(h, 3, 0, 7);
	h_finish(h);
	g = &h->got[0];
	cr_assert_eq(g->s.status, -1);
	cr_assert_eq(g->s.csw_status, 7);
	cr_assert(find(g, "bot-csw-status"));
	h_free(h);
}

Test(bot, csw_tag_mismatch)
{
	struct h *h = h_new();
	const struct got *g;
	uint64_t f;

	cbw(h, 0x11, 0, false, 0, TUR, 6);
	f = csw(h, 0x22, 0, 0);
	cr_assert_eq(h->n, 1, "the CSW is still taken");
	h_finish(h);
	g = &h->got[0];
	cr_assert_eq(g->s.status, 0);
	cr_assert_eq(g->s.end, TXN_END_STATUS);
	cr_assert(find(g, "bot-tag-mismatch"));
	cr_assert_eq(find(g, "bot-tag-mismatch")->severity, SEV_ERROR);
	cr_assert_eq(find(g, "bot-tag-mismatch")->frames[0], f);
	h_free(h);
}

Test(bot, sixteen_byte_cbw_with_six_byte_inquiry)
{
	struct h *h = h_new();
	uint8_t cdb16[16] = { 0x12, 0, 0, 0, 36 };
	const struct got *g;

	cbw(h, 5, 36, true, 0, cdb16, 16);
	in_xfer(h, 36, zeros, 36, 0);
	csw(h, 5, 0, 0);
	h_finish(h);
	g = &h->got[0];
	cr_assert_eq(g->s.cdb_len, 16, "cdb_len as carried");
	cr_assert_eq(g->s.cdb[0], 0x12);
	cr_assert_eq(g->s.nfindings, 0);
	h_free(h);
}

Test(bot, cbw_not_31_bytes)
{
	struct h *h = h_new();
	uint8_t b[40];
	const struct got *g;

	memset(b, 0, sizeof(b));
	mk_cbw(b, 0x77, 0, false, 2, TUR, 6);
	out_xfer(h, b, 40, 0);
	csw(h, 0x77, 0, 0);
	/* a short one: 14 bytes, up to bCBWLUN */
	out_xfer(h, b, 14, 0);
	h_finish(h);
	cr_assert_eq(h->n, 2);
	g = &h->got[0];
	cr_assert(find(g, "bot-cbw-length"));
	cr_assert_eq(g->s.tag, 0x77, "still decoded");
	cr_assert_eq(g->s.lun, 2);
	cr_assert_eq(g->s.status, 0);
	g = &h->got[1];
	cr_assert(find(g, "bot-cbw-length"));
	cr_assert_eq(g->s.tag, 0x77);
	cr_assert_eq(g->s.cdb_len, 0, "bCBWCBLength is not in 14 bytes");
	cr_assert(find(g, "bot-cbw-cdb-length"));
	cr_assert_eq(g->s.end, TXN_END_CAPTURE);
	h_free(h);
}

Test(bot, stall_on_data_in_then_clear_halt_and_csw)
{
	struct h *h = h_new();
	const struct got *g;
	const struct finding *f;
	uint64_t f_stall, f_csw;

	cbw(h, 0x40, 4096, true, 0, READ10_4, 10);
	f_stall = in_xfer(h, 4096, NULL, 0, -32);
	bot_clear_halt(h->b, 0x81, ++h->frame);
	f_csw = csw(h, 0x40, 4096, 1);
	h_finish(h);
	cr_assert_eq(h->n, 1);
	g = &h->got[0];
	cr_assert_eq(g->s.csw_status, 1);
	cr_assert_eq(g->s.status, 2);
	cr_assert_eq(g->s.residue, 4096);
	cr_assert_eq(g->s.last_frame, f_csw);
	cr_assert_eq(g->s.end, TXN_END_STATUS);
	f = find(g, "bot-stall-recovery");
	cr_assert(f);
	cr_assert_eq(f->severity, SEV_INFO, "BOT 6.7.2: how a device ends a data phase early");
	cr_assert_eq(f->nframes, 3);
	cr_assert_eq(f->frames[0], f_stall);
	cr_assert_eq(f->frames[1], f_stall + 1);
	cr_assert_eq(f->frames[2], f_csw);
	cr_assert(strstr(f->msg, "0x81") && strstr(f->msg, "in the data phase") && strstr(f->msg, "recovered"),
		  "%s", f->msg);
	cr_assert_null(find(g, "usb-stall"), "one finding for one stall");
	h_free(h);
}

Test(bot, stall_on_status_then_csw_retry)
{
	struct h *h = h_new();
	const struct got *g;
	const struct finding *f;

	cbw(h, 0x41, 0, false, 0, TUR, 6);
	in_xfer(h, 13, NULL, 0, -32);
	bot_clear_halt(h->b, 0x81, ++h->frame);
	csw(h, 0x41, 0, 0);
	h_finish(h);
	cr_assert_eq(h->n, 1);
	g = &h->got[0];
	cr_assert_eq(g->s.status, 0);
	cr_assert_eq(g->s.end, TXN_END_STATUS);
	f = find(g, "bot-stall-recovery");
	cr_assert(f);
	cr_assert_eq(f->severity, SEV_INFO, "BOT 6.7.3: the host read the CSW again");
	cr_assert(strstr(f->msg, "instead of the CSW") && strstr(f->msg, "recovered"), "%s", f->msg);
	h_free(h);
}

Test(bot, stall_on_data_out)
{
	struct h *h = h_new();
	const struct got *g;
	const struct finding *f;

	cbw(h, 0x42, 1024, false, 0, WRITE10_2, 10);
	out_xfer(h, zeros, 512, 0);
	out_xfer(h, zeros, 512, -32);
	bot_clear_halt(h->b, 0x02, ++h->frame);
	csw(h, 0x42, 512, 0);
	h_finish(h);
	g = &h->got[0];
	cr_assert_eq(h->n, 1);
	cr_assert_eq(g->s.data.bytes, 512);
	cr_assert_eq(g->s.residue, 512);
	f = find(g, "bot-stall-recovery");
	cr_assert(f);
	cr_assert_eq(f->severity, SEV_INFO);
	cr_assert(strstr(f->msg, "0x02"));
	h_free(h);
}

/* The CSW came, but the stalled bulk-out endpoint was never cleared: the next CBW will stall. */
Test(bot, stall_on_data_out_never_cleared)
{
	struct h *h = h_new();
	const struct finding *f;

	cbw(h, 0x43, 1024, false, 0, WRITE10_2, 10);
	out_xfer(h, zeros, 1024, -32);
	csw(h, 0x43, 1024, 1);
	h_finish(h);
	cr_assert_eq(h->n, 1);
	f = find(&h->got[0], "bot-stall-recovery");
	cr_assert(f);
	cr_assert_eq(f->severity, SEV_WARNING);
	cr_assert(strstr(f->msg, "stays halted"), "%s", f->msg);
	h_free(h);
}

/* No CSW after a stall of the status phase: the host gives up, does a reset
 * recovery (BOT 5.3.4), and the next command works. */
Test(bot, stall_then_reset_recovery_and_the_next_command_works)
{
	struct h *h = h_new();
	const struct finding *f;
	uint64_t f_stall, f_reset, f_clear_out, f_next;

	cbw(h, 0x50, 0, false, 0, TUR, 6);
	f_stall = in_xfer(h, 13, NULL, 0, -32);
	f_reset = ++h->frame;
	bot_reset(h->b, f_reset, h->ts += 1000);
	bot_clear_halt(h->b, 0x81, ++h->frame);
	f_clear_out = ++h->frame;
	bot_clear_halt(h->b, 0x02, f_clear_out);
	f_next = cbw(h, 0x51, 0, false, 0, TUR, 6);
	csw(h, 0x51, 0, 0);
	h_finish(h);
	cr_assert_eq(h->n, 2);
	cr_assert_eq(h->got[0].s.end, TXN_END_RESET);
	f = find(&h->got[0], "bot-stall-recovery");
	cr_assert(f);
	cr_assert_eq(f->severity, SEV_WARNING);
	cr_assert(strstr(f->msg, "no CSW came") && strstr(f->msg, "a reset ended it"), "%s", f->msg);
	f = find(&h->got[1], "bot-stall-recovery");
	cr_assert(f, "the next command says how the recovery went");
	cr_assert_eq(f->severity, SEV_INFO);
	cr_assert_eq(f->nframes, 4);
	cr_assert_eq(f->frames[0], f_stall);
	cr_assert_eq(f->frames[1], f_reset);
	cr_assert_eq(f->frames[2], f_clear_out);
	cr_assert_eq(f->frames[3], f_next);
	cr_assert(strstr(f->msg, "recovered"), "%s", f->msg);
	h_free(h);
}

/* BOT 5.3.4: after the reset, both halts must be cleared; one is missing. */
Test(bot, reset_recovery_without_clearing_bulk_out)
{
	struct h *h = h_new();
	const struct finding *f;

	cbw(h, 0x60, 0, false, 0, TUR, 6);
	in_xfer(h, 13, NULL, 0, -32);
	bot_reset(h->b, ++h->frame, 0);
	bot_clear_halt(h->b, 0x81, ++h->frame);
	cbw(h, 0x61, 0, false, 0, TUR, 6);
	csw(h, 0x61, 0, 0);
	h_finish(h);
	cr_assert_eq(h->n, 2);
	f = find(&h->got[1], "bot-stall-recovery");
	cr_assert(f);
	cr_assert_eq(f->severity, SEV_WARNING);
	cr_assert(strstr(f->msg, "BOT 5.3.4") && strstr(f->msg, "bulk-in") && !strstr(f->msg, "bulk-out"), "%s",
		  f->msg);
	h_free(h);
}

/* The device still fails after the recovery. */
Test(bot, stall_recovery_that_does_not_work)
{
	struct h *h = h_new();
	const struct finding *f;

	cbw(h, 0x70, 0, false, 0, TUR, 6);
	in_xfer(h, 13, NULL, 0, -32);
	bot_reset(h->b, ++h->frame, 0);
	bot_clear_halt(h->b, 0x81, ++h->frame);
	bot_clear_halt(h->b, 0x02, ++h->frame);
	cbw(h, 0x71, 0, false, 0, TUR, 6);
	in_xfer(h, 13, NULL, 0, -32);
	h_finish(h);
	cr_assert_eq(h->n, 2);
	f = find(&h->got[1], "bot-stall-recovery");
	cr_assert(f);
	cr_assert_eq(f->severity, SEV_WARNING);
	cr_assert(strstr(f->msg, "not recovered"), "%s", f->msg);
	h_free(h);
}

/* A correct exchange has no stall finding at all. */
Test(bot, no_stall_no_recovery_finding)
{
	struct h *h = h_new();

	cbw(h, 0x80, 0, false, 0, TUR, 6);
	csw(h, 0x80, 0, 0);
	bot_clear_halt(h->b, 0x81, ++h->frame);     /* a clear without a stall (Linux does this on open) */
	cbw(h, 0x81, 0, false, 0, TUR, 6);
	csw(h, 0x81, 0, 0);
	h_finish(h);
	cr_assert_eq(h->n, 2);
	cr_assert_null(find(&h->got[0], "bot-stall-recovery"));
	cr_assert_null(find(&h->got[1], "bot-stall-recovery"));
	h_free(h);
}

Test(bot, bulk_only_reset_mid_command)
{
	struct h *h = h_new();

	cbw(h, 0x50, 4096, true, 0, READ10_4, 10);
	in_xfer(h, 512, zeros, 512, 0);
	bot_reset(h->b, ++h->frame, 0);
	cr_assert_eq(h->n, 1);
	cr_assert_eq(h->got[0].s.end, TXN_END_RESET);
	cr_assert_eq(h->got[0].s.status, -1);
	cr_assert_eq(h->got[0].s.csw_status, -1);
	cr_assert(!h->got[0].s.has_residue);
	cr_assert_eq(h->got[0].s.ts_end, 4000, "time of its last URB");
	/* the interface works normally afterwards */
	cbw(h, 0x51, 0, false, 0, TUR, 6);
	csw(h, 0x51, 0, 0);
	h_finish(h);
	cr_assert_eq(h->n, 2);
	cr_assert_eq(h->got[1].s.end, TXN_END_STATUS);
	cr_assert_eq(h->got[1].s.nfindings, 0);
	h_free(h);
}

Test(bot, reset_while_request_sense_open_ends_both)
{
	struct h *h = h_new();

	cbw(h, 1, 0, false, 0, TUR, 6);
	csw(h, 1, 0, 1);
	cbw(h, 2, 18, true, 0, REQSENSE, 6);
	bot_reset(h->b, ++h->frame, 0);
	cr_assert_eq(h->n, 2);
	cr_assert_eq(h->got[0].s.end, TXN_END_STATUS);
	cr_assert_eq(h->got[0].s.sense.source, SENSE_NONE);
	cr_assert_eq(h->got[1].s.end, TXN_END_RESET);
	h_finish(h);
	h_free(h);
}

Test(bot, two_luns)
{
	struct h *h = h_new();

	cbw(h, 1, 0, false, 0, TUR, 6);
	csw(h, 1, 0, 0);
	cbw(h, 2, 0, false, 1, TUR, 6);
	csw(h, 2, 0, 0);
	cbw(h, 3, 0, false, 0x15, TUR, 6);   /* reserved high bits ignored */
	csw(h, 3, 0, 0);
	h_finish(h);
	cr_assert_eq(h->n, 3);
	cr_assert_eq(h->got[0].s.lun, 0);
	cr_assert_eq(h->got[1].s.lun, 1);
	cr_assert_eq(h->got[2].s.lun, 5);
	h_free(h);
}

Test(bot, missing_csw_then_next_cbw)
{
	struct h *h = h_new();
	uint64_t f2;

	cbw(h, 0x9f, 4096, true, 0, READ10_4, 10);
	in_xfer(h, 4096, zeros, 4096, 0);
	f2 = cbw(h, 0xce, 0, false, 0, TUR, 6);
	cr_assert_eq(h->n, 1);
	cr_assert_eq(h->got[0].s.end, TXN_END_SUPERSEDED);
	cr_assert(find(&h->got[0], "bot-csw-missing"));
	cr_assert_eq(find(&h->got[0], "bot-csw-missing")->frames[0], f2);
	cr_assert_eq(h->got[0].s.data.bytes, 4096);
	csw(h, 0xce, 0, 0);
	h_finish(h);
	cr_assert_eq(h->n, 2);
	cr_assert_eq(h->got[1].s.frame, f2);
	cr_assert_eq(h->got[1].s.end, TXN_END_STATUS);
	h_free(h);
}

Test(bot, capture_ends_mid_command)
{
	struct h *h = h_new();
	struct urb u;

	cbw(h, 0x60, 512, true, 0, READ10_4, 10);
	u = mk(h, 0x81);
	submit(h, &u, 512);
	/* the pairer delivers the never-completed submit at the end */
	u.status = 1;
	bot_urb(h->b, &u, false, EP_BOT_IN);
	h_finish(h);
	cr_assert_eq(h->n, 1);
	cr_assert_eq(h->got[0].s.end, TXN_END_CAPTURE);
	cr_assert_eq(h->got[0].s.last_frame, 3, "the open submit's frame is part of it");
	cr_assert_eq(h->got[0].s.status, -1);
	cr_assert_eq(h->got[0].s.data.bytes, 0);
	h_free(h);
}

Test(bot, device_gone)
{
	struct h *h = h_new();

	cbw(h, 0x61, 512, true, 0, READ10_4, 10);
	in_xfer(h, 512, NULL, 0, -108);
	bot_gone(h->b, h->frame);
	bot_gone(h->b, h->frame);             /* reported again for another URB */
	cr_assert_eq(h->n, 1);
	cr_assert_eq(h->got[0].s.end, TXN_END_DEVICE_GONE);
	h_finish(h);
	cr_assert_eq(h->n, 1);
	h_free(h);
}

Test(bot, csw_instead_of_data)
{
	struct h *h = h_new();
	uint8_t b[13];

	/* the device skips the data phase: its CSW lands in the data URB */
	cbw(h, 0x70, 512, true, 0, READ10_4, 10);
	mk_csw(b, 0x70, 512, 1);
	in_xfer(h, 512, b, 13, 0);
	cr_assert_eq(h->n, 0);
	h_finish(h);
	cr_assert_eq(h->n, 1);
	cr_assert_eq(h->got[0].s.csw_status, 1);
	cr_assert_eq(h->got[0].s.residue, 512);
	cr_assert_eq(h->got[0].s.data.bytes, 0);
	h_free(h);
}

Test(bot, cbw_payload_only_at_completion_and_without_submit)
{
	struct h *h = h_new();
	uint8_t b[31];
	struct urb u;

	/* macOS: the OUT payload is on the completion */
	mk_cbw(b, 0x80, 0, false, 0, TUR, 6);
	u = mk(h, 0x02);
	submit(h, &u, 31);
	u.data = b;
	u.caplen = 31;
	complete(h, &u, 0, NULL, 31);
	csw(h, 0x80, 0, 0);
	/* capture started after the submit */
	mk_cbw(b, 0x81, 0, false, 0, TUR, 6);
	u = mk(h, 0x02);
	u.has_complete = true;
	u.complete_frame = ++h->frame;
	u.complete_ts = h->ts += 1000;
	u.data = b;
	u.caplen = 31;
	u.moved = u.actual = 31;
	bot_urb(h->b, &u, false, EP_BOT_OUT);
	csw(h, 0x81, 0, 0);
	h_finish(h);
	cr_assert_eq(h->n, 2);
	cr_assert_eq(h->got[0].s.frame, 1, "the submit frame");
	cr_assert_eq(h->got[0].s.tag, 0x80);
	cr_assert_eq(h->got[1].s.frame, 5, "the completion frame");
	cr_assert_eq(h->got[1].s.ts_start, 5000);
	cr_assert_eq(h->got[1].s.status, 0);
	h_free(h);
}

Test(bot, scatter_gather_cancelled_behind_short_transfer)
{
	struct h *h = h_new();
	struct urb a = mk(h, 0x81), b = mk(h, 0x81), c = mk(h, 0x81);

	cbw(h, 0x90, 3 * 4096, true, 0, READ10_4, 10);
	submit(h, &a, 4096);
	submit(h, &b, 4096);
	submit(h, &c, 4096);
	complete(h, &a, -121, zeros, 1024);
	complete(h, &b, -104, NULL, 0);
	complete(h, &c, -104, NULL, 0);
	csw(h, 0x90, 3 * 4096 - 1024, 0);
	h_finish(h);
	cr_assert_eq(h->n, 1);
	cr_assert_eq(h->got[0].s.data.bytes, 1024);
	cr_assert_eq(h->got[0].s.nfindings, 0, "cancelling the rest of a short scatter-gather read is normal");
	cr_assert_eq(h->got[0].s.status, 0);
	h_free(h);
}

Test(bot, unlinked_csw_read_is_reported)
{
	struct h *h = h_new();

	cbw(h, 0x91, 0, false, 0, TUR, 6);
	in_xfer(h, 13, NULL, 0, -104);
	bot_reset(h->b, ++h->frame, 0);
	h_finish(h);
	cr_assert_eq(h->n, 1);
	cr_assert(find(&h->got[0], "usb-unlinked"));
	cr_assert(find(&h->got[0], "bot-reset"));
	cr_assert_eq(h->got[0].s.end, TXN_END_RESET);
	h_free(h);
}

/* usb_memory_stick.pcap frames 1001-1006: a capture gap inside a READ(10). */
Test(bot, capture_gap_leftovers_stay_out_of_other_commands)
{
	struct h *h = h_new();
	struct urb lost = mk(h, 0x81), orphan_out = mk(h, 0x02);
	uint64_t f2;

	cbw(h, 0x9f, 512, true, 0, READ10_4, 10);
	submit(h, &lost, 512);                 /* never completes */
	/* an OUT completion whose submit is not in the capture, no payload */
	orphan_out.has_complete = true;
	orphan_out.complete_frame = ++h->frame;
	orphan_out.moved = orphan_out.actual = 31;
	bot_urb(h->b, &orphan_out, false, EP_BOT_OUT);
	f2 = cbw(h, 0xce, 512, true, 0, READ10_4, 10);
	cr_assert_eq(h->n, 1);
	cr_assert_eq(h->got[0].s.data.bytes, 0, "the OUT completion is not data of a data-in command");
	/* the end of the capture delivers the lost submit: not the open command's */
	lost.status = 1;
	bot_urb(h->b, &lost, false, EP_BOT_IN);
	h_finish(h);
	cr_assert_eq(h->n, 2);
	cr_assert_eq(h->got[1].s.frame, f2);
	cr_assert_eq(h->got[1].s.nframes, 2, "only its own CBW");
	cr_assert_eq(h->got[1].s.end, TXN_END_CAPTURE);
	h_free(h);
}

Test(bot, nonsense_order)
{
	struct h *h = h_new();

	/* data and CSWs before any CBW */
	in_xfer(h, 512, zeros, 512, 0);
	out_xfer(h, zeros, 512, 0);
	csw(h, 1, 0, 0);
	bot_clear_halt(h->b, 0x81, ++h->frame);
	cr_assert_eq(h->n, 0);
	/* a command, then its CSW twice */
	cbw(h, 2, 0, false, 0, TUR, 6);
	csw(h, 2, 0, 0);
	csw(h, 2, 0, 0);
	cr_assert_eq(h->n, 1);
	/* IN completions without submits */
	{
		struct urb u = mk(h, 0x81);
		uint8_t b[13];
		cbw(h, 3, 0, false, 0, TUR, 6);
		mk_csw(b, 3, 0, 0);
		u.has_complete = true;
		u.complete_frame = ++h->frame;
		u.data = b;
		u.caplen = u.moved = u.actual = 13;
		bot_urb(h->b, &u, false, EP_BOT_IN);
	}
	cr_assert_eq(h->n, 2);
	cr_assert_eq(h->got[1].s.status, 0);
	/* unknown roles are ignored */
	{
		struct urb u = mk(h, 0x83);
		bot_urb(h->b, &u, true, EP_UAS_STATUS);
	}
	bot_reset(h->b, 1, 0);
	bot_gone(h->b, 1);
	h_finish(h);
	cr_assert_eq(h->n, 2);
	h_free(h);
}

/* Random URB sequences: no crash, no leak (sanitizer build), and every
 * transaction is ended through storage_scsi_done. */
Test(bot, random_sequences)
{
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	uint8_t buf[600];

	for (int round = 0; round < 200; round++) {
		struct h *h = h_new();
		struct urb open[8];
		int nopen = 0;
		for (int i = 0; i < 200; i++) {
			uint32_t r, len;
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			r = (uint32_t)(seed >> 33);
			len = (r >> 8) % 3 == 0 ? 31 : (r >> 8) % 3 == 1 ? 13 : (r >> 12) % 600;
			for (uint32_t k = 0; k < sizeof(buf); k++)
				buf[k] = (uint8_t)(seed >> (k % 56));
			if (r % 5 == 0)
				mk_cbw(buf, r & 3, (r >> 4) % 1024, r & 0x100, 0, (const uint8_t[16]){ (uint8_t)(r >> 3) }, (uint8_t)(r >> 20));
			else if (r % 5 == 1)
				mk_csw(buf, r & 3, (r >> 4) % 1024, (uint8_t)((r >> 24) % 4));
			switch ((r >> 16) % 8) {
			case 0: case 1: case 2:
				if (nopen < 8) {
					struct urb *u = &open[nopen++];
					*u = mk(h, (r & 0x200) ? 0x81 : 0x02);
					if (!(u->endpoint & 0x80)) {
						u->data = buf;
						u->caplen = u->moved = len;
					}
					submit(h, u, len);
					if (!(u->endpoint & 0x80))
						u->data = NULL, u->caplen = 0;
					break;
				}
				/* fall through */
			case 3: case 4:
				if (nopen) {
					struct urb u = open[--nopen];
					static const int32_t st[] = { 0, 0, 0, -32, -104, -71, -121, -108 };
					if (!(u.endpoint & 0x80)) {
						u.data = buf;
						u.caplen = len;
					}
					complete(h, &u, st[(r >> 3) % 8], buf, len);
				}
				break;
			case 5: {
				struct urb u = mk(h, (r & 0x200) ? 0x81 : 0x02);
				u.has_complete = true;
				u.complete_frame = ++h->frame;
				u.data = buf;
				u.caplen = u.moved = u.actual = len;
				bot_urb(h->b, &u, false, (r & 0x400) ? EP_BOT_IN : EP_BOT_OUT);
				break;
			}
			case 6:
				bot_clear_halt(h->b, (r & 0x200) ? 0x81 : 0x02, ++h->frame);
				break;
			default:
				if (r & 0x1000)
					bot_reset(h->b, ++h->frame, 0);
				else if (r & 0x2000)
					bot_gone(h->b, ++h->frame);
				break;
			}
		}
		while (nopen) {
			struct urb u = open[--nopen];
			u.status = 1;
			bot_urb(h->b, &u, false, (u.endpoint & 0x80) ? EP_BOT_IN : EP_BOT_OUT);
		}
		h_finish(h);
		for (int k = 0; k < h->n; k++) {
			cr_assert_eq(h->got[k].s.transport, TRANSPORT_BOT);
			cr_assert(h->got[k].s.nframes >= 1);
			if (k)
				cr_assert_gt(h->got[k].s.frame, h->got[k - 1].s.frame, "start order");
		}
		h_free(h);
	}
}
