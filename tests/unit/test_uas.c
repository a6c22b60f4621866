/* test_uas.c - the UAS decoder fed struct urb sequences directly: IUs, tags, READY IUs, stream ordering, task management, bad input, real captures. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1     /* memmem */
#endif
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include "decode/device.h"
#include "decode/storage.h"
#include "decode/txn.h"
#include "decode/uas_tables.h"
#include "decode/urb.h"
#include "testlib.h"
#include "uas_ius.h"

/*
 * The decoder glue (decoder.c) owns the real storage_ctx; this program
 * never links it and stands in for it here, so uas.c can be driven URB by
 * URB.  The end-to-end tests through decoder_new() are in
 * test_uas_decode.c.
 */
struct storage_ctx {
	struct emitter *em;
	uint32_t block_size;
};

struct emitter *storage_emitter(struct storage_ctx *sc) { return sc->em; }
uint32_t storage_block_size(struct storage_ctx *sc, uint16_t bus, uint16_t device, uint64_t lun)
{
	(void)bus; (void)device; (void)lun;
	return sc->block_size;
}
void storage_scsi_done(struct storage_ctx *sc, struct txn_rec *r) { txn_end(sc->em, r); }

/* ------------------------------------------------------------ harness */

#define MAXT 256
#define MAXU 256

struct got {
	struct scsi_txn s;
	uint64_t frames[64];
	unsigned nframes;
	char fid[8][40];
	uint8_t fsev[8];
	char fmsg[8][FINDING_MSG_MAX];
	unsigned nf;
	uint8_t head[64];
	unsigned head_len;
};

static struct got got[MAXT];
static unsigned ngot;

static void on_txn(void *ctx, const struct txn *t)
{
	(void)ctx;
	cr_assert_eq(t->kind, TXN_SCSI);
	cr_assert_leq(t->u.scsi.cdb_len, SCSI_CDB_MAX);
	cr_assert_geq(t->u.scsi.last_frame, t->u.scsi.frame);
	if (ngot >= MAXT) {
		ngot++;
		return;
	}
	struct got *g = &got[ngot++];
	memset(g, 0, sizeof(*g));
	g->s = t->u.scsi;
	g->s.frames = NULL;
	g->s.findings = NULL;
	g->head_len = t->u.scsi.data.head_len < 64 ? t->u.scsi.data.head_len : 64;
	if (g->head_len)
		memcpy(g->head, t->u.scsi.data.head, g->head_len);
	g->s.data.head = NULL;
	for (unsigned i = 0; i < t->u.scsi.nframes && i < 64; i++)
		g->frames[g->nframes++] = t->u.scsi.frames[i];
	for (unsigned i = 0; i < t->u.scsi.nfindings && i < 8; i++) {
		snprintf(g->fid[i], sizeof(g->fid[i]), "%s", t->u.scsi.findings[i].id);
		g->fsev[i] = t->u.scsi.findings[i].severity;
		memcpy(g->fmsg[i], t->u.scsi.findings[i].msg, FINDING_MSG_MAX);
		g->nf++;
	}
}

static unsigned count_finding(const struct got *g, const char *id)
{
	unsigned n = 0;
	for (unsigned i = 0; i < g->nf; i++)
		n += strcmp(g->fid[i], id) == 0;
	return n;
}

static int finding_index(const struct got *g, const char *id)
{
	for (unsigned i = 0; i < g->nf; i++)
		if (strcmp(g->fid[i], id) == 0)
			return (int)i;
	return -1;
}

static bool has_frame(const struct got *g, uint64_t f)
{
	for (unsigned i = 0; i < g->nframes; i++)
		if (g->frames[i] == f)
			return true;
	return false;
}

static const struct got *by_tag(uint32_t tag)
{
	for (unsigned i = 0; i < ngot; i++)
		if (got[i].s.tag == tag)
			return &got[i];
	return NULL;
}

struct h {
	struct storage_ctx sc;
	struct uas *u;
	uint64_t frame;
	uint64_t serial;
	struct urb urbs[MAXU];
	uint8_t role[MAXU];
	uint8_t buf[MAXU][512];
	unsigned n;
};

static struct h H;

static void h_start(bool streams)
{
	memset(&H, 0, sizeof(H));
	ngot = 0;
	H.sc.em = emitter_new(on_txn, NULL);
	cr_assert(H.sc.em);
	H.u = uas_new(&H.sc, 2, 3, 0, streams);
	cr_assert(H.u);
}

static void h_end(void)
{
	uas_finish(H.u);
	emitter_flush(H.sc.em);
	uas_free(H.u);
	emitter_free(H.sc.em);
}

static uint8_t ep_of(uint8_t role)
{
	switch (role) {
	case EP_UAS_COMMAND: return 0x01;
	case EP_UAS_STATUS: return 0x82;
	case EP_UAS_DATA_IN: return 0x83;
	default: return 0x04;
	}
}

static bool role_out(uint8_t role) { return role == EP_UAS_COMMAND || role == EP_UAS_DATA_OUT; }

/* Submit a URB: OUT data (may be NULL: its bytes come at completion, as on macOS) or an IN buffer size. */
static struct urb *sub(uint8_t role, const void *out, uint32_t len)
{
	cr_assert_lt(H.n, MAXU);
	unsigned i = H.n++;
	struct urb *x = &H.urbs[i];

	memset(x, 0, sizeof(*x));
	H.role[i] = role;
	x->serial = ++H.serial;
	x->id = 0xffff000000000000ull + x->serial;
	x->source = USB_SRC_USBMON_MMAPPED;
	x->bus = 2;
	x->device = 3;
	x->endpoint = ep_of(role);
	x->xfer = USB_XFER_BULK;
	x->has_submit = true;
	x->submit_frame = ++H.frame;
	x->submit_ts = (int64_t)x->submit_frame * 1000;
	x->status = -115;
	x->requested = len;
	if (role_out(role) && out) {
		cr_assert_leq(len, sizeof(H.buf[i]));
		memcpy(H.buf[i], out, len);
		x->data = H.buf[i];
		x->caplen = len;
		x->moved = len;
	}
	uas_urb(H.u, x, true, role);
	return x;
}

/* Complete it: IN data, or (for OUT) the retained submit bytes, or macOS-style bytes given here. */
static void comp(struct urb *x, int32_t status, const void *in, uint32_t len)
{
	unsigned i = (unsigned)(x - H.urbs);
	uint8_t role = H.role[i];

	x->has_complete = true;
	x->complete_frame = ++H.frame;
	x->complete_ts = (int64_t)x->complete_frame * 1000;
	x->status = status;
	x->actual = len;
	x->moved = len;
	if (in) {
		cr_assert_leq(len, sizeof(H.buf[i]));
		memcpy(H.buf[i], in, len);
		x->data = H.buf[i];
		x->caplen = len;
	} else if (!role_out(role)) {
		x->data = NULL;
		x->caplen = 0;
	} else if (x->caplen > len) {
		x->caplen = len;
	}
	uas_urb(H.u, x, false, role);
}

/* A completion whose submit was not captured. */
static struct urb *comp_only(uint8_t role, int32_t status, const void *in, uint32_t len)
{
	struct urb *x = sub(EP_ROLE_NONE, NULL, 0);   /* reserve a slot; role NONE is ignored */
	unsigned i = (unsigned)(x - H.urbs);

	H.role[i] = role;
	x->endpoint = ep_of(role);
	x->has_submit = false;
	x->submit_frame = 0;
	H.frame--;                /* the reserved submit was not a frame */
	comp(x, status, in, len);
	return x;
}

/* ------------------------------------------------------------ CDBs (IU builders: uas_ius.h) */

static const uint8_t CDB_INQUIRY[6] = { 0x12, 0, 0, 0, 36, 0 };
static const uint8_t CDB_READ10[10] = { 0x28, 0, 0, 0, 0x10, 0, 0, 0, 1, 0 };     /* LBA 0x1000, 1 block */
static const uint8_t CDB_WRITE10[10] = { 0x2a, 0, 0, 0, 0x10, 0, 0, 0, 8, 0 };    /* 8 blocks */
static const uint8_t CDB_TUR[6] = { 0, 0, 0, 0, 0, 0 };
static const uint8_t SENSE_05_24_00[18] = { 0x70, 0, 0x05, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x24, 0, 0, 0, 0, 0 };

/* One USB 2 style command: Command IU, READ/WRITE READY, data, Sense IU.
 * Returns the frame of the Command IU. */
static uint64_t usb2_cmd(uint16_t tag, const uint8_t *cdb, unsigned cdb_len, int dir, uint32_t nbytes,
			 uint8_t status, const uint8_t *sense, uint16_t slen)
{
	uint8_t b[300];
	struct urb *st, *cmd, *d;
	uint64_t f;

	st = sub(EP_UAS_STATUS, NULL, 112);
	cmd = sub(EP_UAS_COMMAND, b, cmd_iu(b, tag, 0, cdb, cdb_len));
	f = cmd->submit_frame;
	comp(cmd, 0, NULL, 32);
	if (dir) {
		comp(st, 0, b, ready_iu(b, dir > 0 ? 0x06 : 0x07, tag));
		st = sub(EP_UAS_STATUS, NULL, 112);
		if (dir > 0) {
			uint8_t data[256];
			memset(data, 0xa5, sizeof(data));
			d = sub(EP_UAS_DATA_IN, NULL, nbytes);
			comp(d, 0, data, nbytes);
		} else {
			uint8_t data[256];
			memset(data, 0x5a, sizeof(data));
			d = sub(EP_UAS_DATA_OUT, data, nbytes < 256 ? nbytes : 256);
			comp(d, 0, NULL, nbytes < 256 ? nbytes : 256);
		}
	}
	comp(st, 0, b, sense_iu(b, tag, status, sense, slen));
	return f;
}

/* -------------------------------------------------------- USB 2, no streams */

Test(uas_usb2, inquiry_ready_data_sense)
{
	h_start(false);
	uint64_t f = usb2_cmd(1, CDB_INQUIRY, 6, +1, 36, 0, NULL, 0);
	h_end();

	cr_assert_eq(ngot, 1);
	const struct got *g = &got[0];
	cr_assert_eq(g->s.frame, f, "frame of the Command IU submit");
	cr_assert_eq(g->s.transport, TRANSPORT_UAS);
	cr_assert_eq(g->s.bus, 2);
	cr_assert_eq(g->s.device, 3);
	cr_assert_eq(g->s.tag, 1);
	cr_assert_eq(g->s.lun, 0);
	cr_assert_eq(g->s.cdb_len, 16);
	cr_assert_eq(g->s.cdb[0], 0x12);
	cr_assert_eq(g->s.cdb[4], 36);
	cr_assert_eq(g->s.direction, SCSI_DIR_IN);
	cr_assert_eq(g->s.data.bytes, 36);
	cr_assert_eq(g->s.data.captured, 36);
	cr_assert_eq(g->s.status, 0);
	cr_assert_eq(g->s.csw_status, -1);
	cr_assert_eq(g->s.uas_response, -1);
	cr_assert_eq(g->s.sense.source, SENSE_NONE);
	cr_assert_eq(g->s.end, TXN_END_STATUS);
	cr_assert(!g->s.data_inferred);
	cr_assert_eq(g->nf, 0, "no finding on a clean command (got %s)", g->nf ? g->fid[0] : "");
	/* every URB frame: status submit, cmd S/C, RR C, status submit, data S/C, sense C */
	cr_assert_eq(g->nframes, 8);
	for (uint64_t i = 1; i <= 8; i++)
		cr_assert(has_frame(g, i), "frame %" PRIu64, i);
	cr_assert_eq(g->s.last_frame, 8);
	cr_assert_eq(g->s.ts_start, (int64_t)f * 1000);
	cr_assert_eq(g->s.ts_end, 8000);
}

Test(uas_usb2, write_with_write_ready)
{
	h_start(false);
	usb2_cmd(7, CDB_WRITE10, 10, -1, 200, 0, NULL, 0);
	h_end();

	cr_assert_eq(ngot, 1);
	cr_assert_eq(got[0].s.tag, 7);
	cr_assert_eq(got[0].s.direction, SCSI_DIR_OUT);
	cr_assert_eq(got[0].s.data.bytes, 200);
	cr_assert_eq(got[0].s.data.captured, 200);
	cr_assert(!got[0].s.data_inferred);
	cr_assert_eq(got[0].s.status, 0);
}

Test(uas_usb2, check_condition_with_sense_iu)
{
	h_start(false);
	uint64_t f = usb2_cmd(2, (const uint8_t *)"\x12\x01\xab\x00\xff\x00", 6, 0, 0, 2, SENSE_05_24_00, 18);
	h_end();

	cr_assert_eq(ngot, 1);
	const struct got *g = &got[0];
	cr_assert_eq(g->s.frame, f);
	cr_assert_eq(g->s.status, 2);
	cr_assert_eq(g->s.data.bytes, 0);
	cr_assert_eq(g->s.sense.len, 18);
	cr_assert_eq(g->s.sense.raw[0], 0x70);
	cr_assert_eq(g->s.sense.raw[12], 0x24);
	cr_assert_eq(g->s.sense.frame, g->s.last_frame, "the Sense IU's frame");
	cr_assert_eq(g->s.sense.source, SENSE_UAS_IU);
	cr_assert_eq(g->s.sense.response_code, 0x70);
	cr_assert_eq(g->s.sense.key, 5);
	cr_assert_eq(g->s.sense.asc, 0x24);
	cr_assert_eq(g->s.sense.ascq, 0);
}

Test(uas_usb2, several_in_flight_ready_ius_pick_the_tag)
{
	uint8_t b[64], data[64];
	h_start(false);
	struct urb *st = sub(EP_UAS_STATUS, NULL, 112);
	struct urb *c1 = sub(EP_UAS_COMMAND, b, cmd_iu(b, 1, 0, CDB_READ10, 10));
	struct urb *c2 = sub(EP_UAS_COMMAND, b, cmd_iu(b, 2, 0, CDB_INQUIRY, 6));
	comp(c1, 0, NULL, 32);
	comp(c2, 0, NULL, 32);
	/* the device serves tag 2 first */
	comp(st, 0, b, ready_iu(b, 0x06, 2));
	st = sub(EP_UAS_STATUS, NULL, 112);
	struct urb *d = sub(EP_UAS_DATA_IN, NULL, 36);
	memset(data, 2, sizeof(data));
	comp(d, 0, data, 36);
	comp(st, 0, b, sense_iu(b, 2, 0, NULL, 0));
	st = sub(EP_UAS_STATUS, NULL, 112);
	comp(st, 0, b, ready_iu(b, 0x06, 1));
	st = sub(EP_UAS_STATUS, NULL, 112);
	d = sub(EP_UAS_DATA_IN, NULL, 64);
	memset(data, 1, sizeof(data));
	comp(d, 0, data, 64);
	comp(st, 0, b, sense_iu(b, 1, 0, NULL, 0));
	h_end();

	cr_assert_eq(ngot, 2);
	cr_assert_eq(got[0].s.tag, 1, "delivered in start order");
	cr_assert_eq(got[0].s.data.bytes, 64);
	cr_assert_eq(got[1].s.tag, 2);
	cr_assert_eq(got[1].s.data.bytes, 36);
	cr_assert(!got[0].s.data_inferred && !got[1].s.data_inferred);
}

Test(uas_usb2, overlapping_tag)
{
	uint8_t b[64];
	h_start(false);
	struct urb *st = sub(EP_UAS_STATUS, NULL, 112);
	struct urb *c1 = sub(EP_UAS_COMMAND, b, cmd_iu(b, 5, 0, CDB_TUR, 6));
	comp(c1, 0, NULL, 32);
	struct urb *c2 = sub(EP_UAS_COMMAND, b, cmd_iu(b, 5, 0, CDB_INQUIRY, 6));
	comp(c2, 0, NULL, 32);
	comp(st, 0, b, resp_iu(b, 5, 0x0a));
	h_end();

	cr_assert_eq(ngot, 2);
	const struct got *o = &got[0], *n = &got[1];
	cr_assert_eq(o->s.cdb[0], 0x00);
	cr_assert_eq(o->s.end, TXN_END_SUPERSEDED);
	cr_assert_eq(count_finding(o, "uas-tag-overlap"), 1);
	cr_assert_eq(o->s.status, -1);
	cr_assert_eq(n->s.cdb[0], 0x12);
	cr_assert_eq(count_finding(n, "uas-tag-overlap"), 1);
	cr_assert_eq(n->s.uas_response, 0x0a);
	cr_assert_eq(n->s.status, -1);
	cr_assert_eq(n->s.end, TXN_END_STATUS);
	int i = finding_index(n, "uas-response-iu");
	cr_assert_geq(i, 0);
	cr_assert(strstr(n->fmsg[i], "OVERLAPPED TAG ATTEMPTED"), "%s", n->fmsg[i]);
}

Test(uas_usb2, response_iu_invalid_iu)
{
	uint8_t b[64];
	h_start(false);
	struct urb *st = sub(EP_UAS_STATUS, NULL, 112);
	struct urb *c = sub(EP_UAS_COMMAND, b, cmd_iu(b, 9, 0, CDB_TUR, 6));
	comp(c, 0, NULL, 32);
	comp(st, 0, b, resp_iu(b, 9, 0x02));
	h_end();

	cr_assert_eq(ngot, 1);
	cr_assert_eq(got[0].s.uas_response, 0x02);
	cr_assert_eq(got[0].s.status, -1);
	cr_assert_eq(got[0].s.end, TXN_END_STATUS);
	cr_assert_eq(got[0].s.last_frame, st->complete_frame);
	int i = finding_index(&got[0], "uas-response-iu");
	cr_assert_geq(i, 0);
	cr_assert_eq(got[0].fsev[i], SEV_ERROR);
	cr_assert(strstr(got[0].fmsg[i], "INVALID INFORMATION UNIT"));
}

/* ------------------------------------------------------- task management */

Test(uas_tm, abort_task_ends_the_managed_task)
{
	uint8_t b[64];
	h_start(false);
	struct urb *st = sub(EP_UAS_STATUS, NULL, 112);
	struct urb *c1 = sub(EP_UAS_COMMAND, b, cmd_iu(b, 1, 0, CDB_READ10, 10));
	comp(c1, 0, NULL, 32);
	struct urb *c2 = sub(EP_UAS_COMMAND, b, cmd_iu(b, 2, 0, CDB_TUR, 6));
	comp(c2, 0, NULL, 32);
	struct urb *tm = sub(EP_UAS_COMMAND, b, tm_iu(b, 3, 0x01, 1, 0));
	uint64_t tmf = tm->submit_frame;
	comp(tm, 0, NULL, 16);
	comp(st, 0, b, resp_iu(b, 3, 0x00));
	uint64_t rf = st->complete_frame;
	st = sub(EP_UAS_STATUS, NULL, 112);
	comp(st, 0, b, sense_iu(b, 2, 0, NULL, 0));
	h_end();

	cr_assert_eq(ngot, 2, "the TM is not a transaction of its own");
	const struct got *a = by_tag(1), *t = by_tag(2);
	cr_assert(a && t);
	cr_assert_eq(a->s.end, TXN_END_ABORTED);
	cr_assert_eq(a->s.status, -1);
	cr_assert(has_frame(a, tmf) && has_frame(a, rf), "TM and its response frames");
	int i = finding_index(a, "uas-task-management");
	cr_assert_geq(i, 0);
	cr_assert(strstr(a->fmsg[i], "ABORT TASK"), "%s", a->fmsg[i]);
	cr_assert(strstr(a->fmsg[i], "FUNCTION COMPLETE"), "%s", a->fmsg[i]);
	cr_assert_eq(t->s.end, TXN_END_STATUS);
	cr_assert_eq(t->s.status, 0);
	cr_assert_eq(count_finding(t, "uas-task-management"), 0);
}

Test(uas_tm, logical_unit_reset_ends_that_lun_only)
{
	uint8_t b[64];
	h_start(false);
	struct urb *st = sub(EP_UAS_STATUS, NULL, 112);
	comp(sub(EP_UAS_COMMAND, b, cmd_iu(b, 1, 0, CDB_TUR, 6)), 0, NULL, 32);
	comp(sub(EP_UAS_COMMAND, b, cmd_iu(b, 2, 0x0001000000000000ull, CDB_TUR, 6)), 0, NULL, 32);
	comp(sub(EP_UAS_COMMAND, b, cmd_iu(b, 3, 0x0001000000000000ull, CDB_INQUIRY, 6)), 0, NULL, 32);
	comp(sub(EP_UAS_COMMAND, b, tm_iu(b, 4, 0x08, 0, 0x0001000000000000ull)), 0, NULL, 16);
	comp(st, 0, b, resp_iu(b, 4, 0x08));
	h_end();

	cr_assert_eq(ngot, 3);
	cr_assert_eq(by_tag(1)->s.lun, 0);
	cr_assert_eq(by_tag(1)->s.end, TXN_END_CAPTURE, "LUN 0 is not reset");
	for (uint32_t tag = 2; tag <= 3; tag++) {
		const struct got *g = by_tag(tag);
		cr_assert_eq(g->s.lun, 1);
		cr_assert_eq(g->s.end, TXN_END_RESET);
		cr_assert_eq(count_finding(g, "uas-task-management"), 1);
	}
}

Test(uas_tm, failed_tm_leaves_the_task_running)
{
	uint8_t b[64];
	h_start(false);
	struct urb *st = sub(EP_UAS_STATUS, NULL, 112);
	comp(sub(EP_UAS_COMMAND, b, cmd_iu(b, 1, 0, CDB_TUR, 6)), 0, NULL, 32);
	comp(sub(EP_UAS_COMMAND, b, tm_iu(b, 2, 0x01, 1, 0)), 0, NULL, 16);
	comp(st, 0, b, resp_iu(b, 2, 0x05));
	st = sub(EP_UAS_STATUS, NULL, 112);
	comp(st, 0, b, sense_iu(b, 1, 0, NULL, 0));
	h_end();

	cr_assert_eq(ngot, 1);
	cr_assert_eq(got[0].s.end, TXN_END_STATUS);
	cr_assert_eq(got[0].s.status, 0);
	int i = finding_index(&got[0], "uas-task-management");
	cr_assert_geq(i, 0);
	cr_assert_eq(got[0].fsev[i], SEV_WARNING);
	cr_assert(strstr(got[0].fmsg[i], "FAILED"), "%s", got[0].fmsg[i]);
}

Test(uas_tm, unanswered_tm_is_noted_when_the_task_ends)
{
	uint8_t b[64];
	h_start(false);
	struct urb *st = sub(EP_UAS_STATUS, NULL, 112);
	comp(sub(EP_UAS_COMMAND, b, cmd_iu(b, 1, 0, CDB_TUR, 6)), 0, NULL, 32);
	comp(sub(EP_UAS_COMMAND, b, tm_iu(b, 2, 0x01, 1, 0)), 0, NULL, 16);
	comp(st, 0, b, sense_iu(b, 1, 0, NULL, 0));
	h_end();

	cr_assert_eq(ngot, 1);
	cr_assert_eq(got[0].s.end, TXN_END_STATUS);
	int i = finding_index(&got[0], "uas-task-management");
	cr_assert_geq(i, 0);
	cr_assert(strstr(got[0].fmsg[i], "no response"), "%s", got[0].fmsg[i]);
}

Test(uas_tm, names)
{
	cr_assert_str_eq(uas_tm_function_name(0x08), "LOGICAL UNIT RESET");
	cr_assert_str_eq(uas_tm_function_name(0x82), "QUERY ASYNCHRONOUS EVENT");
	cr_assert_null(uas_tm_function_name(0x03));
	cr_assert_str_eq(uas_response_code_name(0x0a), "OVERLAPPED TAG ATTEMPTED");
	cr_assert_str_eq(uas_response_code_name(0x09), "INCORRECT LOGICAL UNIT NUMBER");
	cr_assert_null(uas_response_code_name(0x01));
}

/* ---------------------------------------------------------------- streams */

Test(uas_streams, linux_order_several_in_flight)
{
	uint8_t b[64], data[256];
	h_start(true);
	/* command A: READ(10), tag 1: status, data-in, command */
	struct urb *sa = sub(EP_UAS_STATUS, NULL, 112);
	struct urb *da = sub(EP_UAS_DATA_IN, NULL, 512);
	struct urb *ca = sub(EP_UAS_COMMAND, b, cmd_iu(b, 1, 0, CDB_READ10, 10));
	/* command B: WRITE(10), tag 2: status, data-out, command */
	struct urb *sb = sub(EP_UAS_STATUS, NULL, 112);
	memset(data, 0x42, sizeof(data));
	struct urb *db = sub(EP_UAS_DATA_OUT, data, 256);
	struct urb *cb = sub(EP_UAS_COMMAND, b, cmd_iu(b, 2, 0, CDB_WRITE10, 10));
	/* command C: TEST UNIT READY, tag 3: status, command */
	struct urb *sc = sub(EP_UAS_STATUS, NULL, 112);
	struct urb *cc = sub(EP_UAS_COMMAND, b, cmd_iu(b, 3, 0, CDB_TUR, 6));
	/* completions in another order */
	comp(cb, 0, NULL, 32);
	comp(ca, 0, NULL, 32);
	comp(cc, 0, NULL, 32);
	comp(db, 0, NULL, 256);
	comp(sc, 0, b, sense_iu(b, 3, 0, NULL, 0));
	comp(sb, 0, b, sense_iu(b, 2, 0, NULL, 0));
	memset(data, 0x11, sizeof(data));
	comp(da, 0, data, 200);
	comp(sa, 0, b, sense_iu(b, 1, 0, NULL, 0));
	h_end();

	cr_assert_eq(ngot, 3);
	const struct got *A = by_tag(1), *B = by_tag(2), *C = by_tag(3);
	cr_assert_eq(A->s.frame, ca->submit_frame);
	cr_assert_eq(A->s.data.bytes, 200);
	cr_assert_eq(A->s.direction, SCSI_DIR_IN);
	cr_assert(A->s.data_inferred);
	cr_assert_eq(count_finding(A, "uas-stream-inferred"), 1);
	cr_assert(has_frame(A, da->submit_frame) && has_frame(A, da->complete_frame));
	cr_assert(has_frame(A, sa->submit_frame) && has_frame(A, sa->complete_frame));
	cr_assert_eq(B->s.data.bytes, 256);
	cr_assert_eq(B->s.direction, SCSI_DIR_OUT);
	cr_assert(B->s.data_inferred);
	cr_assert_eq(count_finding(B, "uas-stream-inferred"), 1);
	cr_assert(!has_frame(B, da->complete_frame));
	cr_assert_eq(C->s.data.bytes, 0);
	cr_assert(!C->s.data_inferred, "no data, nothing inferred");
	cr_assert_eq(count_finding(C, "uas-stream-inferred"), 0);
}

Test(uas_streams, sense_before_data_completion_waits_for_the_data)
{
	uint8_t b[64], data[64];
	h_start(true);
	struct urb *s = sub(EP_UAS_STATUS, NULL, 112);
	struct urb *d = sub(EP_UAS_DATA_IN, NULL, 64);
	struct urb *c = sub(EP_UAS_COMMAND, b, cmd_iu(b, 1, 0, CDB_INQUIRY, 6));
	comp(s, 0, b, sense_iu(b, 1, 0, NULL, 0));
	comp(c, 0, NULL, 32);
	memset(data, 7, sizeof(data));
	comp(d, 0, data, 36);
	/* a next command with the same tag */
	s = sub(EP_UAS_STATUS, NULL, 112);
	c = sub(EP_UAS_COMMAND, b, cmd_iu(b, 1, 0, CDB_TUR, 6));
	comp(c, 0, NULL, 32);
	comp(s, 0, b, sense_iu(b, 1, 0, NULL, 0));
	h_end();

	cr_assert_eq(ngot, 2);
	cr_assert_eq(got[0].s.data.bytes, 36);
	cr_assert_eq(got[0].s.end, TXN_END_STATUS);
	cr_assert_eq(got[0].s.last_frame, d->complete_frame, "the data completion came after the Sense IU");
	cr_assert_eq(count_finding(&got[0], "uas-tag-overlap"), 0, "status already came: no overlap");
	cr_assert_eq(got[1].s.cdb[0], 0);
	cr_assert_eq(got[1].s.data.bytes, 0);
}

Test(uas_streams, macos_order_command_bytes_on_completion)
{
	uint8_t b[64], data[64];
	h_start(true);
	/* data-in, status, command submitted; the command's bytes come with its completion */
	struct urb *d = sub(EP_UAS_DATA_IN, NULL, 6);
	struct urb *s = sub(EP_UAS_STATUS, NULL, 268);
	struct urb *c = sub(EP_UAS_COMMAND, NULL, 32);
	comp(c, 0, b, cmd_iu(b, 0x1f, 0, (const uint8_t *)"\x12\x00\x00\x00\x06\x00", 6));
	memset(data, 3, sizeof(data));
	comp(d, 0, data, 6);
	comp(s, 0, b, sense_iu(b, 0x1f, 0, NULL, 0));
	h_end();

	cr_assert_eq(ngot, 1);
	cr_assert_eq(got[0].s.frame, c->complete_frame, "the frame that carries the CDB");
	cr_assert(has_frame(&got[0], c->submit_frame));
	cr_assert_eq(got[0].s.ts_start, c->submit_ts);
	cr_assert_eq(got[0].s.tag, 0x1f);
	cr_assert_eq(got[0].s.data.bytes, 6);
	cr_assert(got[0].s.data_inferred);
}

Test(uas_streams, data_completing_before_the_command_bytes_are_known)
{
	uint8_t b[64], data[64];
	h_start(true);
	struct urb *d = sub(EP_UAS_DATA_IN, NULL, 36);
	struct urb *s = sub(EP_UAS_STATUS, NULL, 268);
	struct urb *c = sub(EP_UAS_COMMAND, NULL, 32);
	memset(data, 3, sizeof(data));
	comp(d, 0, data, 36);           /* before the command's completion */
	comp(c, 0, b, cmd_iu(b, 4, 0, CDB_INQUIRY, 6));
	comp(s, 0, b, sense_iu(b, 4, 0, NULL, 0));
	h_end();

	cr_assert_eq(ngot, 1);
	cr_assert_eq(got[0].s.data.bytes, 36);
	cr_assert_eq(got[0].s.data.captured, 36);
	cr_assert(has_frame(&got[0], d->complete_frame));
}

Test(uas_streams, libusb_order_status_data_then_command)
{
	uint8_t b[64], data[64];
	h_start(true);
	for (uint16_t tag = 1; tag <= 3; tag++) {
		struct urb *s = sub(EP_UAS_STATUS, NULL, 64);
		struct urb *d = sub(EP_UAS_DATA_IN, NULL, 8 * tag);
		struct urb *c = sub(EP_UAS_COMMAND, b, cmd_iu(b, tag, 0, CDB_INQUIRY, 6));
		memset(data, tag, sizeof(data));
		comp(d, 0, data, 8u * tag);
		comp(c, 0, NULL, 32);
		comp(s, 0, b, sense_iu(b, tag, 0, NULL, 0));
	}
	h_end();
	cr_assert_eq(ngot, 3);
	for (uint32_t tag = 1; tag <= 3; tag++)
		cr_assert_eq(by_tag(tag)->s.data.bytes, 8 * tag);
}

/* ------------------------------------------- partial captures and failures */

Test(uas_partial, completions_without_submits)
{
	/* As in the JMS566 mail excerpt: the data-in and status completions
	 * have no submit; a WRITE's data-out is submitted before its command. */
	uint8_t b[64], data[64];
	h_start(false);
	struct urb *c = sub(EP_UAS_COMMAND, b, cmd_iu(b, 1, 0, CDB_READ10, 10));
	comp(c, 0, NULL, 32);
	memset(data, 9, sizeof(data));
	struct urb *d = comp_only(EP_UAS_DATA_IN, 0, data, 64);
	comp_only(EP_UAS_STATUS, 0, b, sense_iu(b, 1, 0, NULL, 0));
	struct urb *o = sub(EP_UAS_DATA_OUT, data, 64);
	c = sub(EP_UAS_COMMAND, b, cmd_iu(b, 1, 0, CDB_WRITE10, 10));
	comp(c, 0, NULL, 32);
	comp(o, 0, NULL, 64);
	comp_only(EP_UAS_STATUS, 0, b, sense_iu(b, 1, 0, NULL, 0));
	h_end();

	cr_assert_eq(ngot, 2);
	cr_assert_eq(got[0].s.cdb[0], 0x28);
	cr_assert_eq(got[0].s.data.bytes, 64);
	cr_assert(has_frame(&got[0], d->complete_frame));
	cr_assert(got[0].s.data_inferred);
	cr_assert_eq(count_finding(&got[0], "uas-data-inferred"), 1);
	cr_assert_eq(got[0].s.status, 0);
	cr_assert_eq(got[1].s.cdb[0], 0x2a);
	cr_assert_eq(got[1].s.data.bytes, 64);
	cr_assert_eq(got[1].s.direction, SCSI_DIR_OUT);
	cr_assert(has_frame(&got[1], o->submit_frame));
	cr_assert_eq(got[1].s.status, 0);
}

Test(uas_partial, capture_end_and_device_gone)
{
	uint8_t b[64];
	h_start(false);
	comp(sub(EP_UAS_COMMAND, b, cmd_iu(b, 1, 0, CDB_TUR, 6)), 0, NULL, 32);
	uas_gone(H.u, 99);
	comp(sub(EP_UAS_COMMAND, b, cmd_iu(b, 2, 0, CDB_TUR, 6)), 0, NULL, 32);
	h_end();

	cr_assert_eq(ngot, 2);
	cr_assert_eq(got[0].s.end, TXN_END_DEVICE_GONE);
	cr_assert(has_frame(&got[0], 99));
	cr_assert_eq(got[1].s.end, TXN_END_CAPTURE);
	cr_assert_eq(got[1].s.status, -1);
}

Test(uas_partial, data_stall_and_clear_halt)
{
	uint8_t b[64];
	h_start(false);
	struct urb *st = sub(EP_UAS_STATUS, NULL, 112);
	comp(sub(EP_UAS_COMMAND, b, cmd_iu(b, 1, 0, CDB_READ10, 10)), 0, NULL, 32);
	comp(st, 0, b, ready_iu(b, 0x06, 1));
	st = sub(EP_UAS_STATUS, NULL, 112);
	struct urb *d = sub(EP_UAS_DATA_IN, NULL, 512);
	comp(d, -32, NULL, 0);
	uas_clear_halt(H.u, 0x83, 77);
	comp(st, 0, b, sense_iu(b, 1, 2, SENSE_05_24_00, 18));
	h_end();

	cr_assert_eq(ngot, 1);
	cr_assert_eq(count_finding(&got[0], "uas-pipe-stall"), 1);
	cr_assert(has_frame(&got[0], 77), "the CLEAR_FEATURE frame");
	cr_assert_eq(got[0].s.status, 2);
	cr_assert_eq(got[0].s.data.bytes, 0);
}

Test(uas_partial, command_submit_error)
{
	uint8_t b[64];
	h_start(false);
	struct urb *c = sub(EP_UAS_COMMAND, b, cmd_iu(b, 1, 0, CDB_TUR, 6));
	c->submit_error = true;
	comp(c, -19, NULL, 0);
	h_end();
	cr_assert_eq(ngot, 1);
	cr_assert_eq(got[0].s.end, TXN_END_ABORTED);
	cr_assert_eq(count_finding(&got[0], "uas-command-not-sent"), 1);
}

/* ------------------------------------------------------------ IU fields */

Test(uas_fields, lun_numbers)
{
	static const struct { uint64_t field, want; } cases[] = {
		{ 0x0000000000000000ull, 0 },
		{ 0x0005000000000000ull, 5 },            /* peripheral device addressing */
		{ 0x4123000000000000ull, 0x123 },        /* flat space addressing */
		{ 0x0105000000000000ull, 0x0105000000000000ull },  /* bus 1: not single level */
		{ 0x0001000200000000ull, 0x0001000200000000ull },  /* two levels */
		{ 0xc101000000000000ull, 0xc101000000000000ull },  /* well-known / extended */
	};
	uint8_t b[64];
	h_start(false);
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		comp(sub(EP_UAS_COMMAND, b, cmd_iu(b, (uint16_t)(i + 1), cases[i].field, CDB_TUR, 6)), 0, NULL, 32);
	h_end();
	cr_assert_eq(ngot, sizeof(cases) / sizeof(cases[0]));
	for (unsigned i = 0; i < ngot; i++)
		cr_assert_eq(by_tag(i + 1)->s.lun, cases[i].want, "case %u: %" PRIx64, i, by_tag(i + 1)->s.lun);
}

Test(uas_fields, additional_cdb_length)
{
	uint8_t b[64], cdb[32];
	h_start(false);
	for (int i = 0; i < 32; i++)
		cdb[i] = (uint8_t)(0x7f + i);
	comp(sub(EP_UAS_COMMAND, b, cmd_iu(b, 1, 0, cdb, 32)), 0, NULL, 48);
	/* says 2 more words but the IU ends after 16 CDB bytes */
	uint32_t n = cmd_iu(b, 2, 0, CDB_TUR, 6);
	b[6] = 2 << 2;
	comp(sub(EP_UAS_COMMAND, b, n), 0, NULL, n);
	h_end();

	cr_assert_eq(ngot, 2);
	cr_assert_eq(got[0].s.cdb_len, 32);
	cr_assert_eq(got[0].s.cdb[31], 0x7f + 31);
	cr_assert_eq(got[0].nf, 0);
	cr_assert_eq(got[1].s.cdb_len, 16);
	cr_assert_eq(count_finding(&got[1], "uas-short-iu"), 1);
}

Test(uas_fields, ius_for_unknown_tags_are_ignored)
{
	uint8_t b[64];
	h_start(false);
	struct urb *st = sub(EP_UAS_STATUS, NULL, 112);
	comp(st, 0, b, sense_iu(b, 44, 0, NULL, 0));
	st = sub(EP_UAS_STATUS, NULL, 112);
	comp(st, 0, b, resp_iu(b, 45, 0x02));
	st = sub(EP_UAS_STATUS, NULL, 112);
	comp(st, 0, b, ready_iu(b, 0x06, 46));
	h_end();
	cr_assert_eq(ngot, 0);
}

/* Random and cut IUs on every pipe: no crash, no leak, every command ends. */
Test(uas_fields, hostile_bytes)
{
	uint8_t b[512];
	uint32_t seed = 12345;
	h_start(true);
	for (int n = 0; n < 3000; n++) {
		if (H.n >= MAXU - 4) {
			uas_finish(H.u);
			H.n = 0;
		}
		seed = seed * 1103515245u + 12345u;
		uint8_t role = (uint8_t)(EP_UAS_COMMAND + (seed >> 16) % 4);
		uint32_t len = (seed >> 8) % 64;
		for (uint32_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			b[i] = (uint8_t)(seed >> 16);
		}
		if (len && (seed & 0x300) == 0)
			b[0] = (uint8_t)(1 + (seed >> 12) % 7);  /* a valid-looking IU id */
		if (len > 3 && (seed & 0x3000) == 0) {
			b[2] = 0;
			b[3] = (uint8_t)(seed >> 20) % 4;        /* a tag that repeats */
		}
		if ((seed & 0x4000) && role_out(role)) {
			struct urb *x = sub(role, b, len);
			if (seed & 0x8000)
				comp(x, (seed & 0x10000) ? -32 : 0, NULL, len);
		} else {
			struct urb *x = sub(role, NULL, len);
			if (seed & 0x8000)
				comp(x, 0, b, len);
			else if (seed & 0x10000)
				comp_only(role, 0, b, len);
		}
	}
	h_end();
	cr_assert_gt(ngot, 10, "some commands were recognised (%u)", ngot);
}

/* ------------------------------------------------------- real captures */

/*
 * Real files fed through the URB pairer with the endpoint roles given
 * here (the device model is tested elsewhere; test_uas_decode.c goes
 * through the whole decoder).  tshark's view of each Command IU is in
 * tests/golden/tshark/<name>.tsv (written by tests/golden/record-tshark.sh).
 */
struct roles {
	uint8_t cmd, status, din, dout;
};

static struct roles cur_roles;

static void route(void *ctx, const struct urb *x, bool at_submit)
{
	uint8_t role = EP_ROLE_NONE;

	(void)ctx;
	if (x->xfer != USB_XFER_BULK)
		return;
	if (x->endpoint == cur_roles.cmd)
		role = EP_UAS_COMMAND;
	else if (x->endpoint == cur_roles.status)
		role = EP_UAS_STATUS;
	else if (x->endpoint == cur_roles.din)
		role = EP_UAS_DATA_IN;
	else if (x->endpoint == cur_roles.dout)
		role = EP_UAS_DATA_OUT;
	if (role != EP_ROLE_NONE)
		uas_urb(H.u, x, at_submit, role);
}

/* Decode a capture file; returns false (test skipped) if it is absent. */
static bool decode_file(const char *rel, bool streams, struct roles r)
{
	char *path = src_path(rel);
	struct cap *c;
	struct cap_record rec;
	struct error err;
	struct urb_pairer *p;
	int rc;

	if (access(path, R_OK) != 0) {
		free(path);
		return false;
	}
	cr_assert_eq(cap_open(path, &c, &err), 0, "%s", errtext(&err));
	h_start(streams);
	cur_roles = r;
	p = urb_pairer_new(route, NULL);
	while ((rc = cap_next(c, &rec, &err)) > 0)
		if (rec.kind == CAP_REC_USB)
			urb_pairer_feed(p, &rec.u.usb);
	cr_assert_eq(rc, 0, "%s", errtext(&err));
	urb_pairer_finish(p);
	urb_pairer_free(p);
	cap_close(c);
	h_end();
	free(path);
	return true;
}

static const struct got *by_frame(uint64_t f)
{
	for (unsigned i = 0; i < ngot && i < MAXT; i++)
		if (got[i].s.frame == f)
			return &got[i];
	return NULL;
}

/* Every Command IU tshark sees has a transaction with the same frame, tag,
 * opcode, status and sense; returns how many were compared.  The reference
 * is the acceptance test's golden file (columns: see
 * tests/golden/record-tshark.sh). */
static unsigned check_ref(const char *name)
{
	char rel[128], line[512];
	unsigned n = 0;
	snprintf(rel, sizeof(rel), "tests/golden/tshark/%s.tsv", name);
	char *path = src_path(rel);
	FILE *f = fopen(path, "r");

	cr_assert(f, "%s", path);
	while (fgets(line, sizeof(line), f)) {
		unsigned long long frame;
		const struct got *g;
		char *fields[17] = { 0 };
		char *tok = line;
		int nf = 0;

		if (line[0] == '#')
			continue;
		line[strcspn(line, "\n")] = 0;
		while (nf < 17) {
			char *tab = strchr(tok, '\t');
			fields[nf++] = tok;
			if (!tab)
				break;
			*tab = 0;
			tok = tab + 1;
		}
		cr_assert_eq(nf, 17, "bad line in %s", rel);
		cr_assert_str_eq(fields[3], "uas", "%s: not a UAS capture", rel);
		frame = strtoull(fields[0], NULL, 10);
		g = by_frame(frame);
		cr_assert(g, "%s: no transaction for the Command IU at frame %llu", name, frame);
		cr_assert_eq(g->s.tag, strtoul(fields[5], NULL, 10), "%s frame %llu: tag", name, frame);
		cr_assert_gt(g->s.cdb_len, 0);
		cr_assert_eq(g->s.cdb[0], strtoul(fields[6], NULL, 16), "%s frame %llu: opcode %02x, tshark %s", name,
			     frame, g->s.cdb[0], fields[6]);
		if (strcmp(fields[11], "-"))
			cr_assert_eq(g->s.status, atoi(fields[11]), "%s frame %llu: status %d, tshark %s", name, frame,
				     g->s.status, fields[11]);
		if (!strcmp(fields[12], "iu")) {
			cr_assert_eq(g->s.sense.source, SENSE_UAS_IU, "%s frame %llu: sense", name, frame);
			cr_assert_eq(g->s.sense.key, atoi(fields[14]), "%s frame %llu: key", name, frame);
			cr_assert_eq(g->s.sense.asc, atoi(fields[15]), "%s frame %llu: asc", name, frame);
			cr_assert_eq(g->s.sense.ascq, atoi(fields[16]), "%s frame %llu: ascq", name, frame);
		}
		n++;
	}
	fclose(f);
	free(path);
	return n;
}

/* The number of SCSI transactions equals the Command IUs, each ended by its status. */
static void check_all_ended(const char *name, unsigned ncmd)
{
	cr_assert_eq(ngot, ncmd, "%s: %u transactions, tshark %u Command IUs", name, ngot, ncmd);
	for (unsigned i = 0; i < ngot; i++) {
		const struct got *g = &got[i];
		cr_assert_eq(g->s.end, TXN_END_STATUS, "%s frame %" PRIu64 ": end %u", name, g->s.frame, g->s.end);
		cr_assert_geq(g->s.status, 0, "%s frame %" PRIu64, name, g->s.frame);
	}
}

static uint32_t be16_at(const uint8_t *b) { return (uint32_t)(b[0] << 8 | b[1]); }

/* READ(10)/WRITE(10) moved blocks * 512 bytes (the rig's disk: "Logical block length=512 bytes"). */
static unsigned check_rw10(const char *name)
{
	unsigned n = 0;
	for (unsigned i = 0; i < ngot; i++) {
		const struct got *g = &got[i];
		if ((g->s.cdb[0] != 0x28 && g->s.cdb[0] != 0x2a) || g->s.status != 0)
			continue;
		cr_assert_eq(g->s.data.bytes, 512ull * be16_at(g->s.cdb + 7), "%s frame %" PRIu64 ": %" PRIu64 " bytes",
			     name, g->s.frame, g->s.data.bytes);
		cr_assert_eq(g->s.direction, g->s.cdb[0] == 0x28 ? SCSI_DIR_IN : SCSI_DIR_OUT);
		n++;
	}
	return n;
}

static const struct roles LINUX_QEMU = { 0x01, 0x82, 0x83, 0x04 };

Test(uas_real, samples_uas_ehci_no_streams)
{
	if (!decode_file("samples/uas-ehci.pcap", false, LINUX_QEMU))
		cr_skip_test("samples/uas-ehci.pcap absent");
	unsigned n = check_ref("samples-uas-ehci");
	check_all_ended("uas-ehci", n);
	cr_assert_geq(check_rw10("uas-ehci"), 5);
	for (unsigned i = 0; i < ngot; i++)
		cr_assert(!got[i].s.data_inferred, "READ READY / WRITE READY make it exact (frame %" PRIu64 ")",
			  got[i].s.frame);
}

/* The workload of samples/uas-xhci.commands.log, checked on the streams capture. */
static void check_workload(const char *name, bool inferred)
{
	const struct got *w = NULL, *r = NULL, *inq = NULL, *cap = NULL, *c0 = NULL, *evpd = NULL, *tur = NULL;
	static const char pattern[] = "scsiscope sample pattern @LBA 4096";

	for (unsigned i = 0; i < ngot; i++) {
		const struct got *g = &got[i];
		const uint8_t *c = g->s.cdb;
		if (c[0] == 0x2a && c[2] == 0 && c[3] == 0 && c[4] == 0x10 && c[5] == 0)
			w = g;
		if (c[0] == 0x28 && c[4] == 0x10 && c[5] == 0)
			r = g;
		if (c[0] == 0x12 && c[1] == 0 && !inq)
			inq = g;
		if (c[0] == 0x25)
			cap = g;
		if (c[0] == 0xc0)
			c0 = g;
		if (c[0] == 0x12 && c[1] == 1 && c[2] == 0xab)
			evpd = g;
		if (c[0] == 0x00)
			tur = g;   /* the last one: after the eject */
	}
	cr_assert(w && r && inq && cap && c0 && evpd && tur, "%s: every workload command is there", name);
	/* step 4/5: 4 KiB written and read back, the rig's pattern */
	cr_assert_eq(w->s.data.bytes, 4096);
	cr_assert_eq(r->s.data.bytes, 4096);
	cr_assert_eq(memcmp(w->head, pattern, sizeof(pattern) - 1), 0, "%s: WRITE data", name);
	cr_assert_eq(memcmp(r->head, pattern, sizeof(pattern) - 1), 0, "%s: READ data", name);
	cr_assert_eq(w->s.data_inferred, inferred);
	cr_assert_eq(r->s.data_inferred, inferred);
	if (inferred) {
		cr_assert_eq(count_finding(w, "uas-stream-inferred"), 1);
		cr_assert_eq(count_finding(r, "uas-stream-inferred"), 1);
	}
	/* step 1: standard INQUIRY, 36 bytes, vendor QEMU */
	cr_assert_eq(inq->s.data.bytes, 36);
	cr_assert_eq(memcmp(inq->head + 8, "QEMU    ", 8), 0);
	/* step 2: READ CAPACITY(10): last LBA 32767, 512-byte blocks */
	cr_assert_eq(cap->s.data.bytes, 8);
	cr_assert_eq(memcmp(cap->head, "\x00\x00\x7f\xff\x00\x00\x02\x00", 8), 0);
	/* steps 8, 9, 11: CHECK CONDITION, no data */
	cr_assert_eq(c0->s.status, 2);
	cr_assert_eq(c0->s.data.bytes, 0);
	cr_assert_eq(evpd->s.status, 2);
	cr_assert_eq(evpd->s.data.bytes, 0);
	cr_assert_eq(tur->s.status, 2);
	/* sense bytes as the log prints them, from the Sense IU's raw data */
	cr_assert_eq(c0->s.sense.raw[2] & 0x0f, 5);
	cr_assert_eq(c0->s.sense.raw[12], 0x20);
	cr_assert_eq(evpd->s.sense.raw[12], 0x24);
	cr_assert_eq(tur->s.sense.raw[2] & 0x0f, 2);
	cr_assert_eq(tur->s.sense.raw[12], 0x3a);
}

Test(uas_real, samples_uas_xhci_streams)
{
	if (!decode_file("samples/uas-xhci.pcap", true, LINUX_QEMU))
		cr_skip_test("samples/uas-xhci.pcap absent");
	unsigned n = check_ref("samples-uas-xhci");
	check_all_ended("uas-xhci", n);
	cr_assert_geq(check_rw10("uas-xhci"), 5);
	check_workload("uas-xhci", true);
	/* every command with data has it tied by order, and says so once */
	for (unsigned i = 0; i < ngot; i++) {
		const struct got *g = &got[i];
		if (g->s.data.bytes > 0)
			cr_assert(g->s.data_inferred, "frame %" PRIu64, g->s.frame);
		cr_assert_eq(count_finding(g, "uas-stream-inferred"), g->s.data_inferred ? 1u : 0u);
	}
}

Test(uas_real, samples_uas_ehci_workload)
{
	if (!decode_file("samples/uas-ehci.pcap", false, LINUX_QEMU))
		cr_skip_test("samples/uas-ehci.pcap absent");
	check_workload("uas-ehci", false);
}

/* The text capture of the same session gives the same commands (it starts a little later). */
static void check_text_matches_pcap(const char *pcap, const char *text, bool streams)
{
	static struct got first[MAXT];
	unsigned nfirst;

	if (!decode_file(pcap, streams, LINUX_QEMU))
		cr_skip_test("%s absent", pcap);
	memcpy(first, got, sizeof(first));
	nfirst = ngot;
	cr_assert(decode_file(text, streams, LINUX_QEMU));
	cr_assert_gt(ngot, 40);
	cr_assert_leq(ngot, nfirst);
	for (unsigned i = 0; i < ngot; i++) {
		const struct got *a = &first[nfirst - ngot + i], *b = &got[i];
		cr_assert_eq(a->s.cdb_len, b->s.cdb_len);
		cr_assert_eq(memcmp(a->s.cdb, b->s.cdb, a->s.cdb_len), 0, "command %u", i);
		cr_assert_eq(a->s.tag, b->s.tag);
		cr_assert_eq(a->s.status, b->s.status, "command %u", i);
		cr_assert_eq(a->s.data.bytes, b->s.data.bytes, "command %u (%02x)", i, a->s.cdb[0]);
		cr_assert_eq(a->s.data_inferred, b->s.data_inferred);
		/* the text keeps 32 bytes of each URB: 16 of the sense data */
		cr_assert_eq(a->s.sense.source, b->s.sense.source, "command %u", i);
		cr_assert_eq(a->s.sense.key, b->s.sense.key);
		cr_assert_eq(a->s.sense.asc, b->s.sense.asc);
		cr_assert_eq(a->s.sense.ascq, b->s.sense.ascq);
	}
}

Test(uas_real, samples_text_equals_pcap)
{
	check_text_matches_pcap("samples/uas-ehci.pcap", "samples/uas-ehci.usbmon.txt", false);
	check_text_matches_pcap("samples/uas-xhci.pcap", "samples/uas-xhci.usbmon.txt", true);
}

Test(uas_real, rig_uas_ehci)
{
	if (!decode_file("../shared/captures/rig/uas-ehci.pcap", false, LINUX_QEMU))
		cr_skip_test("shared rig capture absent");
	unsigned n = check_ref("rig-uas-ehci");
	check_all_ended("rig uas-ehci", n);
	cr_assert_geq(check_rw10("rig uas-ehci"), 3);
	/* logs/uas-ehci.commands.log: MODE SELECT(10) with 28 bytes out, a
	 * 1-block WRITE(10) at LBA 8, REQUEST SENSE answered with sense data */
	bool modesel = false, w8 = false, rs = false;
	for (unsigned i = 0; i < ngot; i++) {
		const struct got *g = &got[i];
		if (g->s.cdb[0] == 0x55) {
			modesel = true;
			cr_assert_eq(g->s.data.bytes, 28);
			cr_assert_eq(g->s.direction, SCSI_DIR_OUT);
		}
		if (g->s.cdb[0] == 0x2a && g->s.cdb[5] == 8 && g->s.cdb[4] == 0) {
			w8 = true;
			cr_assert_eq(g->s.data.bytes, 512);
		}
		if (g->s.cdb[0] == 0x03) {
			rs = true;
			cr_assert_eq(g->s.sense.source, SENSE_OWN_DATA);
			cr_assert_eq(g->s.sense.response_code, 0x70);
			cr_assert_eq(g->s.sense.frame, g->s.data.bytes ? g->frames[g->nframes - 2] : 0);
		}
	}
	cr_assert(modesel && w8 && rs);
}

Test(uas_real, rig_libusb_uas_streams)
{
	if (!decode_file("../shared/captures/rig/libusb-uas.pcap", true, LINUX_QEMU))
		cr_skip_test("shared rig capture absent");
	unsigned n = check_ref("rig-libusb-uas");
	check_all_ended("libusb-uas", n);
	cr_assert_geq(check_rw10("libusb-uas"), 1);
	/* libusb-uas.libusb-output.txt: READ CAPACITY(10) returns 8 bytes */
	const struct got *rc = by_frame(21);
	cr_assert(rc);
	cr_assert_eq(rc->s.cdb[0], 0x25);
	cr_assert_eq(rc->s.data.bytes, 8);
	cr_assert_eq(memcmp(rc->head, "\x00\x00\x7f\xff\x00\x00\x02\x00", 8), 0);
}

Test(uas_real, macos_sandisk_streams)
{
	static const struct roles mac = { 0x04, 0x83, 0x81, 0x02 };
	if (!decode_file("../shared/captures/public/wireshark-samplecaptures/XHC1-SanDiskExtremePortableSSD.pcapng",
			 true, mac))
		cr_skip_test("shared capture absent");
	unsigned n = check_ref("public-XHC1-SanDiskExtremePortableSSD");
	check_all_ended("xhc1", n);
	/* the INQUIRYs' data (allocation lengths 6, 96, 4, 16, 5) */
	static const struct { uint64_t frame; uint64_t bytes; } want[] = {
		{ 31, 0 }, { 36, 6 }, { 42, 96 }, { 48, 4 }, { 54, 16 }, { 60, 5 },
	};
	for (unsigned i = 0; i < 6; i++) {
		const struct got *g = by_frame(want[i].frame);
		cr_assert(g);
		cr_assert_eq(g->s.data.bytes, want[i].bytes, "frame %" PRIu64, want[i].frame);
		cr_assert(has_frame(g, want[i].frame - 1), "the command's submit frame");
	}
	cr_assert_eq(memcmp(by_frame(42)->head + 8, "SanDisk ", 8), 0);
}

Test(uas_real, jms566_mail_excerpt_completions_without_submits)
{
	if (!decode_file("../shared/captures/public/linux-usb-mail-excerpts/uas-jms566-excerpt.usbmon.txt", false,
			 (struct roles){ 0x01, 0x82, 0x83, 0x04 }))
		cr_skip_test("shared capture absent");
	cr_assert_eq(ngot, 2);
	cr_assert_eq(got[0].s.cdb[0], 0x28);
	cr_assert_eq(got[0].s.frame, 1);
	cr_assert_eq(got[0].s.data.bytes, 4096);
	cr_assert(has_frame(&got[0], 3));
	cr_assert_eq(got[0].s.status, 0);
	cr_assert_eq(got[1].s.cdb[0], 0x2a);
	cr_assert_eq(got[1].s.frame, 6);
	cr_assert_eq(got[1].s.data.bytes, 4096);
	cr_assert(has_frame(&got[1], 5) && has_frame(&got[1], 8));
	cr_assert_eq(got[1].s.status, 0);
	cr_assert(got[0].s.data_inferred && got[1].s.data_inferred);
}

/*
 * samples/uas-xhci-concurrent: four dd processes write then read 16 blocks
 * each at LBA 8192 + 64 * i, each its own pattern "scsiscope concurrent i",
 * with up to four tags in flight on the streams pipes.  Every READ(10)/
 * WRITE(10) in that range that moved non-zero data must carry the pattern
 * of its LBA's process: a data URB tied to the wrong command would not.
 */
static unsigned check_concurrent_patterns(const char *name)
{
	unsigned n = 0;

	for (unsigned i = 0; i < ngot && i < MAXT; i++) {
		const struct got *g = &got[i];
		const uint8_t *c = g->s.cdb;
		uint32_t lba;
		char want[32];
		bool zero = true;

		if (c[0] != 0x28 && c[0] != 0x2a)
			continue;
		lba = (uint32_t)c[2] << 24 | (uint32_t)c[3] << 16 | (uint32_t)c[4] << 8 | c[5];
		if (lba < 8192 || lba >= 8192 + 4 * 64)
			continue;
		cr_assert_eq(g->s.data.bytes, 512ull * be16_at(c + 7), "%s frame %" PRIu64, name, g->s.frame);
		for (unsigned k = 0; k < g->head_len; k++)
			zero = zero && g->head[k] == 0;
		if (zero) {
			cr_assert_eq(c[0], 0x28, "%s frame %" PRIu64 ": a WRITE of zeros", name, g->s.frame);
			continue;   /* read before the writes */
		}
		snprintf(want, sizeof(want), "concurrent %u\n", (lba - 8192) / 64);
		cr_assert(memmem(g->head, g->head_len, want, strlen(want)), "%s frame %" PRIu64 " (lba %u): not '%s'",
			  name, g->s.frame, lba, want);
		n++;
	}
	return n;
}

Test(uas_real, samples_uas_xhci_concurrent_streams)
{
	unsigned overlapped = 0;

	if (!decode_file("samples/uas-xhci-concurrent.pcap", true, LINUX_QEMU))
		cr_skip_test("samples/uas-xhci-concurrent.pcap absent");
	unsigned n = check_ref("samples-uas-xhci-concurrent");
	check_all_ended("uas-xhci-concurrent", n);
	cr_assert_geq(check_rw10("uas-xhci-concurrent"), 10);
	cr_assert_geq(check_concurrent_patterns("uas-xhci-concurrent"), 8);
	/* commands really overlapped: one started before the previous ended */
	for (unsigned i = 1; i < ngot && i < MAXT; i++)
		overlapped += got[i].s.frame < got[i - 1].s.last_frame;
	cr_assert_geq(overlapped, 3, "%u overlapping commands", overlapped);
}

Test(uas_real, samples_concurrent_text_equals_pcap)
{
	check_text_matches_pcap("samples/uas-xhci-concurrent.pcap", "samples/uas-xhci-concurrent.usbmon.txt", true);
}
