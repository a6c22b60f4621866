/* bot_transport.c - Bulk-Only Transport for replay: CBW, data and CSW over an rp_io, with the specification's stall handling and reset recovery. */
#include "config.h"
#include "replay/transport.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "decode/decode.h"
#include "util/bytes.h"

/* References: USB Mass Storage Class Bulk-Only Transport 1.0 (BOT):
 * 5.1 CBW, 5.2 CSW, 5.3 data transfer conditions, 5.3.3 / figure 2 the
 * host's status transport, 5.3.4 reset recovery, 6.6 / 6.7 host error
 * handling (the thirteen cases). */

#define CBW_SIG 0x43425355u
#define CSW_SIG 0x53425355u

const char *rp_status_name(int status)
{
	switch (status) {
	case RP_OK: return "ok";
	case RP_STALL: return "stall";
	case RP_TIMEOUT: return "timeout";
	case RP_OVERFLOW: return "overflow";
	case RP_NODEV: return "device gone";
	case RP_ERROR: return "transfer error";
	case RP_CANCELLED: return "cancelled";
	case RP_INTERRUPTED: return "interrupted";
	default: return "?";
	}
}

static void result_init(struct rp_result *r)
{
	memset(r, 0, sizeof(*r));
	r->status = -1;
	r->uas_response = -1;
	r->t_start_ns = rp_now_ns();
}

void bot_encode_cbw(uint8_t cbw[31], uint32_t tag, const struct rp_cmd *c)
{
	uint8_t n = c->cdb_len > 16 ? 16 : c->cdb_len;

	memset(cbw, 0, 31);
	cbw[0] = 'U', cbw[1] = 'S', cbw[2] = 'B', cbw[3] = 'C';
	cbw[4] = (uint8_t)tag, cbw[5] = (uint8_t)(tag >> 8), cbw[6] = (uint8_t)(tag >> 16), cbw[7] = (uint8_t)(tag >> 24);
	cbw[8] = (uint8_t)c->len, cbw[9] = (uint8_t)(c->len >> 8);
	cbw[10] = (uint8_t)(c->len >> 16), cbw[11] = (uint8_t)(c->len >> 24);
	cbw[12] = c->dir == SCSI_DIR_IN && c->len ? 0x80 : 0x00;
	cbw[13] = (uint8_t)(c->lun & 0x0f);
	cbw[14] = n;
	memcpy(cbw + 15, c->cdb, n);
}

static int one(struct rp_bot *b, uint8_t ep, uint8_t *buf, uint32_t len, unsigned timeout_ms, uint32_t *actual)
{
	struct rp_xfer x;
	int rc;

	memset(&x, 0, sizeof(x));
	x.ep = ep;
	x.buf = buf;
	x.len = len;
	rc = b->io->bulk(b->io->ctx, &x, 1, timeout_ms);
	*actual = x.actual;
	if (rc == RP_INTERRUPTED || rc == RP_NODEV)
		return rc;
	return x.status;
}

static int clear(struct rp_bot *b, uint8_t ep)
{
	return b->io->clear_halt(b->io->ctx, ep, NULL, NULL);
}

int bot_reset_recovery(struct rp_bot *b)
{
	/* Bulk-Only Mass Storage Reset: class, interface, bRequest FFh */
	uint8_t setup[8] = { 0x21, 0xff, 0, 0, b->interface, 0, 0, 0 };
	uint32_t actual;
	int rc = b->io->control(b->io->ctx, setup, NULL, 2000, &actual, NULL, NULL);
	int a, o;

	if (rc == RP_NODEV || rc == RP_INTERRUPTED) {
		b->broken = rc == RP_NODEV;
		return rc;
	}
	a = clear(b, b->ep_in);
	o = clear(b, b->ep_out);
	if (rc != RP_OK || a != RP_OK || o != RP_OK) {
		b->broken = true;
		return rc != RP_OK ? rc : a != RP_OK ? a : o;
	}
	return RP_OK;
}

int bot_get_max_lun(struct rp_bot *b, uint8_t *max_lun)
{
	uint8_t setup[8] = { 0xa1, 0xfe, 0, 0, b->interface, 0, 1, 0 };
	uint8_t v = 0;
	uint32_t actual = 0;
	int rc = b->io->control(b->io->ctx, setup, &v, 2000, &actual, NULL, NULL);

	*max_lun = 0;
	if (rc == RP_STALL)
		return RP_OK;      /* BOT 3.2: a device without LUNs may stall it */
	if (rc == RP_OK && actual == 1 && v <= 15)
		*max_lun = v;
	return rc;
}

/* Something went wrong: recover the transport; the command failed this way. */
static int fail(struct rp_bot *b, struct rp_result *r, uint8_t outcome, const char *what)
{
	int rc;

	rp_note(r, what);
	r->outcome = outcome;
	rc = bot_reset_recovery(b);
	r->resets++;
	if (rc == RP_OK)
		rp_note(r, "reset recovery");
	else {
		char m[96];
		snprintf(m, sizeof(m), "reset recovery failed (%s)", rp_status_name(rc));
		rp_note(r, m);
		if (rc == RP_NODEV)
			r->outcome = RP_GONE;
		if (rc == RP_INTERRUPTED)
			r->outcome = RP_STOPPED;
	}
	r->t_end_ns = rp_now_ns();
	return b->broken ? -1 : 0;
}

/* A transfer status that ends the command at once.  An interrupted
 * command leaves the device mid-command: reset recovery (control requests,
 * which a stop request does not cancel) gives it back clean. */
static bool fatal_b(struct rp_bot *b, int st, struct rp_result *r)
{
	if (st == RP_NODEV) {
		r->outcome = RP_GONE;
		rp_note(r, "the device is gone");
		return true;
	}
	if (st == RP_INTERRUPTED) {
		r->outcome = RP_STOPPED;
		rp_note(r, "interrupted");
		if (b) {
			r->resets++;
			rp_note(r, bot_reset_recovery(b) == RP_OK ? "reset recovery" : "reset recovery failed");
		}
		return true;
	}
	return false;
}
#define fatal(st, r) fatal_b(b, st, r)

static int command(struct rp_bot *b, const struct rp_cmd *c, struct rp_result *r, bool autosense);

/* After a CHECK CONDITION: REQUEST SENSE, as a host driver does (the
 * recording's autosense). */
static void request_sense(struct rp_bot *b, const struct rp_cmd *c, struct rp_result *r)
{
	uint8_t cdb[6] = { 0x03, 0, 0, 0, 96, 0 }, buf[96];
	struct rp_cmd rs;
	struct rp_result sr;

	memset(&rs, 0, sizeof(rs));
	rs.cdb = cdb;
	rs.cdb_len = 6;
	rs.dir = SCSI_DIR_IN;
	rs.len = sizeof(buf);
	rs.in = buf;
	rs.lun = c->lun;
	rs.timeout_ms = c->timeout_ms;
	command(b, &rs, &sr, false);
	r->stalls += sr.stalls;
	r->resets += sr.resets;
	if (sr.outcome == RP_DONE && sr.status == 0 && sr.data_len >= 8) {
		r->sense_len = (uint8_t)(sr.data_len < RP_SENSE_MAX ? sr.data_len : RP_SENSE_MAX);
		memcpy(r->sense, buf, r->sense_len);
	} else {
		char m[RP_NOTE_MAX + 32];
		snprintf(m, sizeof(m), "REQUEST SENSE failed (%.200s)", sr.note[0] ? sr.note : "no sense data");
		rp_note(r, m);
		if (sr.outcome == RP_GONE || sr.outcome == RP_STOPPED)
			r->outcome = sr.outcome;
	}
}

static int command(struct rp_bot *b, const struct rp_cmd *c, struct rp_result *r, bool autosense)
{
	uint8_t cbw[31], csw[13];
	uint32_t tag, actual = 0, sig = 0, ctag = 0, residue = 0;
	int st;

	result_init(r);
	if (b->broken) {
		r->outcome = RP_TRANSPORT_FAILED;
		rp_note(r, "not sent: the Bulk-Only transport did not recover from an earlier error");
		return -1;
	}
	tag = b->tag++;
	bot_encode_cbw(cbw, tag, c);
	st = one(b, b->ep_out, cbw, 31, c->timeout_ms, &actual);
	if (fatal(st, r))
		return 0;
	if (st == RP_TIMEOUT) {
		r->timed_out = true;
		return fail(b, r, RP_NO_STATUS, "the CBW timed out");
	}
	if (st == RP_STALL) {
		r->stalls++;
		return fail(b, r, RP_TRANSPORT_FAILED, "the CBW stalled (BOT 6.6.1: the device found it invalid)");
	}
	if (st != RP_OK || actual != 31)
		return fail(b, r, RP_TRANSPORT_FAILED, "the CBW did not go out whole");

	/* data phase (BOT 5.3.2, 6.7.2/6.7.3: a stalled data pipe is cleared and the CSW read) */
	if (c->len && c->dir != SCSI_DIR_NONE) {
		bool in = c->dir == SCSI_DIR_IN;
		uint8_t ep = in ? b->ep_in : b->ep_out;
		st = one(b, ep, in ? c->in : (uint8_t *)c->out, c->len, c->timeout_ms, &actual);
		r->data_len = actual;
		if (fatal(st, r))
			return 0;
		if (st == RP_TIMEOUT) {
			r->timed_out = true;
			return fail(b, r, RP_NO_STATUS, "the data phase timed out");
		}
		if (st == RP_OVERFLOW)
			return fail(b, r, RP_TRANSPORT_FAILED, "the device sent more data than the CBW asked for");
		if (st == RP_STALL) {
			int cs = clear(b, ep);
			r->stalls++;
			if (fatal(cs, r))
				return 0;
			if (cs != RP_OK)
				return fail(b, r, RP_TRANSPORT_FAILED, "the data phase stalled and CLEAR_FEATURE(HALT) failed");
			rp_note(r, in ? "data-in stalled, halt cleared" : "data-out stalled, halt cleared");
		} else if (st != RP_OK) {
			return fail(b, r, RP_TRANSPORT_FAILED, "the data phase failed");
		} else if (actual < c->len) {
			char m[80];
			snprintf(m, sizeof(m), "short %s: %u of %u bytes", in ? "data-in" : "data-out", (unsigned)actual,
				 (unsigned)c->len);
			rp_note(r, m);
		}
	}

	/* status (BOT 5.3.3, figure 2): a stalled CSW is cleared and read once more */
	for (int attempt = 0;; attempt++) {
		st = one(b, b->ep_in, csw, sizeof(csw), c->timeout_ms, &actual);
		if (fatal(st, r))
			return 0;
		if (st == RP_TIMEOUT) {
			r->timed_out = true;
			return fail(b, r, RP_NO_STATUS, "no CSW before the timeout");
		}
		if (st == RP_OVERFLOW)
			return fail(b, r, RP_TRANSPORT_FAILED, "more than 13 bytes where the CSW was due");
		if (st == RP_STALL && attempt == 0) {
			int cs = clear(b, b->ep_in);
			r->stalls++;
			if (fatal(cs, r))
				return 0;
			rp_note(r, "the CSW stalled, halt cleared");
			continue;
		}
		if (st == RP_STALL)
			return fail(b, r, RP_TRANSPORT_FAILED, "the CSW stalled twice");
		if (st != RP_OK)
			return fail(b, r, RP_TRANSPORT_FAILED, "reading the CSW failed");
		break;
	}
	/* a valid CSW (BOT 6.3.1): 13 bytes, signature, our tag */
	if (actual != 13 || !get_le32(csw, actual, 0, &sig) || sig != CSW_SIG || !get_le32(csw, actual, 4, &ctag) ||
	    ctag != tag) {
		char m[120];
		snprintf(m, sizeof(m), "invalid CSW (%u bytes, signature %08x, tag %08x for %08x)", (unsigned)actual,
			 (unsigned)sig, (unsigned)ctag, (unsigned)tag);
		return fail(b, r, RP_TRANSPORT_FAILED, m);
	}
	get_le32(csw, 13, 8, &residue);
	r->has_residue = true;
	r->residue = residue;
	if (csw[12] == 2)
		return fail(b, r, RP_TRANSPORT_FAILED, "phase error (bCSWStatus 2)");
	if (csw[12] > 2) {
		char m[64];
		snprintf(m, sizeof(m), "bCSWStatus %u is reserved", csw[12]);
		return fail(b, r, RP_TRANSPORT_FAILED, m);
	}
	r->outcome = RP_DONE;
	r->status = csw[12] == 0 ? 0x00 : 0x02;
	if (csw[12] == 1 && autosense && c->cdb[0] != 0x03)
		request_sense(b, c, r);
	r->t_end_ns = rp_now_ns();
	return 0;
}

int bot_command(struct rp_bot *b, const struct rp_cmd *c, struct rp_result *r)
{
	int rc = command(b, c, r, true);

	if (!r->t_end_ns)
		r->t_end_ns = rp_now_ns();
	return rc;
}

int bot_raw(struct rp_bot *b, bool out, uint8_t *buf, uint32_t len, unsigned timeout_ms, struct rp_result *r)
{
	uint32_t actual = 0;
	int st;

	result_init(r);
	if (b->broken) {
		r->outcome = RP_TRANSPORT_FAILED;
		rp_note(r, "not sent: the Bulk-Only transport did not recover from an earlier error");
		return -1;
	}
	st = one(b, out ? b->ep_out : b->ep_in, buf, len, timeout_ms, &actual);
	r->data_len = actual;
	r->outcome = RP_DONE;
	r->status = (int16_t)st;       /* raw steps: the transfer's rp_status */
	if (fatal(st, r))
		return 0;
	if (st != RP_OK) {
		int rc;
		char m[64];
		if (st == RP_STALL)
			r->stalls++;
		if (st == RP_TIMEOUT)
			r->timed_out = true;
		snprintf(m, sizeof(m), "raw %s: %s", out ? "out" : "in", rp_status_name(st));
		rp_note(r, m);
		rc = bot_reset_recovery(b);
		r->resets++;
		rp_note(r, rc == RP_OK ? "reset recovery" : "reset recovery failed");
		if (rc == RP_NODEV)
			r->outcome = RP_GONE;
	}
	r->t_end_ns = rp_now_ns();
	return b->broken ? -1 : 0;
}
