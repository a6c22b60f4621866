/* uas_transport.c - USB Attached SCSI for replay: Command IU, data with streams (SuperSpeed) or READ/WRITE READY (USB 2), Sense/Response IU, task management on a timeout. */
#include "config.h"
#include "replay/transport.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "decode/decode.h"
#include "decode/uas_tables.h"
#include "util/bytes.h"

/* References: T10 UAS r04 (USB Attached SCSI, INCITS 471) and the USB-IF
 * UAS 1.0 class specification: 6.2 information units (Command 01h,
 * Sense 03h, Response 04h, Task Management 05h, READ READY 06h, WRITE
 * READY 07h), 6.2.2 the Command IU, 6.2.5 the Response IU codes, 4.x the
 * data transfer with and without streams.  IU IDs: decode/uas_tables.h. */

#define TMF_ABORT_TASK 0x01
#define TMF_LOGICAL_UNIT_RESET 0x08

/* Response IU codes (UAS 6.2.5) */
#define RC_TMF_COMPLETE 0x00
#define RC_TMF_SUCCEEDED 0x08
/* IUs of other tags read past while waiting for a task management answer
 * (without streams the status pipe is one queue) */
#define TMF_DRAIN_MAX 4

#define STATUS_BUF 1024           /* a Sense IU is at most 16 + 252 bytes; room for one max packet */
#define READY_LOOPS 64            /* READ/WRITE READY rounds one command may take */

static void put_lun(uint8_t *p, uint64_t lun)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(lun >> (56 - 8 * i));
}

unsigned uas_encode_command(uint8_t iu[48], uint16_t tag, const struct rp_cmd *c)
{
	unsigned extra = c->cdb_len > 16 ? (unsigned)(c->cdb_len - 16 + 3) / 4 : 0;

	memset(iu, 0, 48);
	iu[0] = UAS_IU_COMMAND;
	iu[2] = (uint8_t)(tag >> 8);
	iu[3] = (uint8_t)tag;
	iu[4] = 0;                     /* SIMPLE task attribute, priority 0 */
	iu[6] = (uint8_t)(extra << 2); /* additional CDB length in dwords */
	put_lun(iu + 8, c->lun);
	memcpy(iu + 16, c->cdb, c->cdb_len <= 32 ? c->cdb_len : 32);
	return 32 + extra * 4;
}

static uint16_t next_tag(struct rp_uas *u, uint16_t avoid)
{
	uint16_t max = u->streams ? (u->nstreams ? u->nstreams : 1) : 0xfff0;

	do {
		u->tag = (uint16_t)(u->tag >= max ? 1 : u->tag + 1);
	} while (u->tag == avoid && max > 1);
	return u->tag;
}

static bool task_mgmt(struct rp_uas *u, uint8_t function, uint16_t task_tag, uint64_t lun, struct rp_result *r);

/* An interrupted command is still in the device: ABORT TASK (then LOGICAL
 * UNIT RESET), with the stop request held so they reach it. */
static void abort_interrupted(struct rp_uas *u, uint16_t tag, uint64_t lun, struct rp_result *r)
{
	if (u->io->hold_stop)
		u->io->hold_stop(u->io->ctx, true);
	if (task_mgmt(u, TMF_ABORT_TASK, tag, lun, r))
		rp_note(r, "ABORT TASK");
	else if (task_mgmt(u, TMF_LOGICAL_UNIT_RESET, tag, lun, r))
		rp_note(r, "LOGICAL UNIT RESET");
	else
		rp_note(r, "ABORT TASK and LOGICAL UNIT RESET failed");
	if (u->io->hold_stop)
		u->io->hold_stop(u->io->ctx, false);
}

static bool fatal(int st, struct rp_result *r)
{
	if (st == RP_NODEV) {
		r->outcome = RP_GONE;
		rp_note(r, "the device is gone");
		return true;
	}
	if (st == RP_INTERRUPTED) {
		r->outcome = RP_STOPPED;
		rp_note(r, "interrupted");
		return true;
	}
	return false;
}

static int clear(struct rp_uas *u, uint8_t ep, struct rp_result *r)
{
	int rc = u->io->clear_halt(u->io->ctx, ep, NULL, NULL);

	r->stalls++;
	return rc;
}

/* A Task Management IU (UAS 6.2.4) and its Response IU.  Returns true
 * when the function completed or succeeded. */
static bool task_mgmt(struct rp_uas *u, uint8_t function, uint16_t task_tag, uint64_t lun, struct rp_result *r)
{
	uint8_t iu[16], resp[STATUS_BUF];
	struct rp_xfer x[2];
	uint16_t tag = next_tag(u, task_tag);
	int rc;

	memset(iu, 0, sizeof(iu));
	iu[0] = UAS_IU_TASK_MGMT;
	iu[2] = (uint8_t)(tag >> 8);
	iu[3] = (uint8_t)tag;
	iu[4] = function;
	iu[6] = (uint8_t)(task_tag >> 8);
	iu[7] = (uint8_t)task_tag;
	put_lun(iu + 8, lun);
	memset(x, 0, sizeof(x));
	/* the status read goes first so it is queued before the device answers */
	x[0].ep = u->ep_status;
	x[0].stream = u->streams ? tag : 0;
	x[0].buf = resp;
	x[0].len = sizeof(resp);
	x[0].ends = true;
	x[1].ep = u->ep_cmd;
	x[1].buf = iu;
	x[1].len = sizeof(iu);
	rc = u->io->bulk(u->io->ctx, x, 2, 2000);
	r->resets++;
	/* Without streams the status pipe is one queue: IUs the device had
	 * ready before this one (the Sense IU of the command being aborted,
	 * whose read was cancelled; the answer to an earlier task management
	 * function) come first.  Read past them to ours, so that none is left
	 * for whoever uses the device next. */
	for (unsigned k = 0;; k++) {
		if (rc == RP_NODEV || rc == RP_INTERRUPTED || x[0].status != RP_OK || x[0].actual < 4)
			return false;
		if (resp[2] == iu[2] && resp[3] == iu[3])
			break;
		if (u->streams || k == TMF_DRAIN_MAX)
			return false;
		{
			char m[64];
			snprintf(m, sizeof(m), "read past a%s IU of tag %u", resp[0] == UAS_IU_SENSE ? " Sense" :
				 resp[0] == UAS_IU_RESPONSE ? " Response" : "n", (unsigned)(resp[2] << 8 | resp[3]));
			rp_note(r, m);
		}
		memset(&x[0], 0, sizeof(x[0]));
		x[0].ep = u->ep_status;
		x[0].buf = resp;
		x[0].len = sizeof(resp);
		x[0].ends = true;
		rc = u->io->bulk(u->io->ctx, x, 1, 2000);
	}
	if (x[0].actual < 8 || resp[0] != UAS_IU_RESPONSE)
		return false;
	return resp[7] == RC_TMF_COMPLETE || resp[7] == RC_TMF_SUCCEEDED;
}

/* The command got no status in time: ABORT TASK, then LOGICAL UNIT RESET. */
static int timed_out(struct rp_uas *u, const struct rp_cmd *c, uint16_t tag, struct rp_result *r, const char *what)
{
	r->timed_out = true;
	r->outcome = RP_NO_STATUS;
	rp_note(r, what);
	if (task_mgmt(u, TMF_ABORT_TASK, tag, c->lun, r)) {
		rp_note(r, "ABORT TASK");
	} else if (task_mgmt(u, TMF_LOGICAL_UNIT_RESET, tag, c->lun, r)) {
		rp_note(r, "ABORT TASK failed, LOGICAL UNIT RESET");
	} else {
		rp_note(r, "ABORT TASK and LOGICAL UNIT RESET failed");
		u->broken = true;
	}
	r->t_end_ns = rp_now_ns();
	return u->broken ? -1 : 0;
}

/* A status pipe IU for tag: Sense IU (done), Response IU (failed). */
static void status_iu(const uint8_t *s, uint32_t n, uint16_t tag, struct rp_result *r)
{
	uint16_t t = 0, slen = 0;

	if (n < 4 || !get_be16(s, n, 2, &t) || t != tag) {
		char m[80];
		snprintf(m, sizeof(m), "status IU of %u bytes for tag %u, not %u", (unsigned)n, (unsigned)t, (unsigned)tag);
		r->outcome = RP_TRANSPORT_FAILED;
		rp_note(r, m);
		return;
	}
	if (s[0] == UAS_IU_SENSE && n >= 16) {
		r->outcome = RP_DONE;
		r->status = s[6];
		get_be16(s, n, 14, &slen);
		if (slen > n - 16)
			slen = (uint16_t)(n - 16);
		if (slen > RP_SENSE_MAX)
			slen = RP_SENSE_MAX;
		memcpy(r->sense, s + 16, slen);
		r->sense_len = (uint8_t)slen;
		return;
	}
	r->outcome = RP_TRANSPORT_FAILED;
	if (s[0] == UAS_IU_RESPONSE && n >= 8) {
		char m[64];
		r->uas_response = s[7];
		snprintf(m, sizeof(m), "Response IU, code %02xh", s[7]);
		rp_note(r, m);
		return;
	}
	{
		char m[64];
		snprintf(m, sizeof(m), "unexpected IU %02xh on the status pipe", s[0]);
		rp_note(r, m);
	}
}

static int with_streams(struct rp_uas *u, const struct rp_cmd *c, struct rp_result *r)
{
	uint8_t iu[48], st[STATUS_BUF];
	struct rp_xfer x[3];
	uint16_t tag = next_tag(u, 0);
	unsigned n = 0, iulen = uas_encode_command(iu, tag, c), di = 0, ci;
	bool data = c->len && c->dir != SCSI_DIR_NONE;
	int rc;

	memset(x, 0, sizeof(x));
	/* status and data first, on the command's stream, then the Command IU */
	x[n].ep = u->ep_status, x[n].stream = tag, x[n].buf = st, x[n].len = sizeof(st), x[n].ends = true;
	n++;
	if (data) {
		di = n;
		x[n].ep = c->dir == SCSI_DIR_IN ? u->ep_in : u->ep_out;
		x[n].stream = tag;
		x[n].buf = c->dir == SCSI_DIR_IN ? c->in : (uint8_t *)c->out;
		x[n].len = c->len;
		n++;
	}
	ci = n;
	x[n].ep = u->ep_cmd, x[n].buf = iu, x[n].len = iulen;
	n++;
	rc = u->io->bulk(u->io->ctx, x, n, c->timeout_ms);
	if (data)
		r->data_len = x[di].actual;
	if (fatal(rc, r)) {
		if (rc == RP_INTERRUPTED && x[0].status != RP_OK)
			abort_interrupted(u, tag, c->lun, r);
		return 0;
	}
	if (x[ci].status == RP_STALL) {
		int cs = clear(u, u->ep_cmd, r);
		rp_note(r, cs == RP_OK ? "the Command IU stalled, halt cleared" : "the Command IU stalled");
		r->outcome = RP_TRANSPORT_FAILED;
		return 0;
	}
	if (data && x[di].status == RP_STALL) {
		int cs = clear(u, x[di].ep, r);
		rp_note(r, cs == RP_OK ? "the data pipe stalled, halt cleared" : "the data pipe stalled");
	}
	if (x[0].status == RP_STALL) {
		clear(u, u->ep_status, r);
		rp_note(r, "the status pipe stalled, halt cleared");
		r->outcome = RP_TRANSPORT_FAILED;
		return 0;
	}
	if (x[0].status == RP_TIMEOUT)
		return timed_out(u, c, tag, r, "no Sense IU before the timeout");
	if (fatal(x[0].status, r))
		return 0;
	if (x[0].status != RP_OK) {
		rp_note(r, "reading the status pipe failed");
		r->outcome = RP_TRANSPORT_FAILED;
		return 0;
	}
	status_iu(st, x[0].actual, tag, r);
	return 0;
}

/* The status read got the command's Sense IU: it has ended in the device. */
static bool ended(const struct rp_xfer *s, const uint8_t *st, const uint8_t *iu)
{
	return s->status == RP_OK && s->actual >= 4 && st[0] == UAS_IU_SENSE && st[2] == iu[2] && st[3] == iu[3];
}

static int without_streams(struct rp_uas *u, const struct rp_cmd *c, struct rp_result *r)
{
	uint8_t iu[48], st[STATUS_BUF];
	struct rp_xfer x[2];
	uint16_t tag = next_tag(u, 0);
	unsigned iulen = uas_encode_command(iu, tag, c);
	uint32_t done = 0;
	int rc;

	memset(x, 0, sizeof(x));
	x[0].ep = u->ep_cmd, x[0].buf = iu, x[0].len = iulen;
	x[1].ep = u->ep_status, x[1].buf = st, x[1].len = sizeof(st), x[1].ends = true;
	rc = u->io->bulk(u->io->ctx, x, 2, c->timeout_ms);
	if (fatal(rc, r)) {
		/* a READ/WRITE READY already read means the command waits in
		 * the device for its data: it must be aborted too */
		if (rc == RP_INTERRUPTED && !ended(&x[1], st, iu))
			abort_interrupted(u, tag, c->lun, r);
		return 0;
	}
	if (x[0].status == RP_STALL) {
		int cs = clear(u, u->ep_cmd, r);
		rp_note(r, cs == RP_OK ? "the Command IU stalled, halt cleared" : "the Command IU stalled");
		r->outcome = RP_TRANSPORT_FAILED;
		return 0;
	}
	for (int round = 0;; round++) {
		struct rp_xfer d;
		bool in;
		if (x[1].status == RP_TIMEOUT)
			return timed_out(u, c, tag, r, "no IU on the status pipe before the timeout");
		if (fatal(x[1].status, r))
			return 0;
		if (x[1].status == RP_STALL) {
			clear(u, u->ep_status, r);
			rp_note(r, "the status pipe stalled, halt cleared");
			r->outcome = RP_TRANSPORT_FAILED;
			return 0;
		}
		if (x[1].status != RP_OK) {
			rp_note(r, "reading the status pipe failed");
			r->outcome = RP_TRANSPORT_FAILED;
			return 0;
		}
		if (x[1].actual < 4 || (st[0] != UAS_IU_READ_READY && st[0] != UAS_IU_WRITE_READY))
			break;
		/* READ READY / WRITE READY for our tag: the data, then the status again */
		in = st[0] == UAS_IU_READ_READY;
		if (st[2] != iu[2] || st[3] != iu[3] || round == READY_LOOPS || (in != (c->dir == SCSI_DIR_IN)) ||
		    done >= c->len) {
			rp_note(r, in ? "unexpected READ READY IU" : "unexpected WRITE READY IU");
			r->outcome = RP_TRANSPORT_FAILED;
			return 0;
		}
		memset(&d, 0, sizeof(d));
		d.ep = in ? u->ep_in : u->ep_out;
		d.buf = (in ? c->in : (uint8_t *)c->out) + done;
		d.len = c->len - done;
		rc = u->io->bulk(u->io->ctx, &d, 1, c->timeout_ms);
		done += d.actual;
		r->data_len = done;
		if (fatal(rc, r) || fatal(d.status, r)) {
			if (rc == RP_INTERRUPTED || d.status == RP_INTERRUPTED)
				abort_interrupted(u, tag, c->lun, r);
			return 0;
		}
		if (d.status == RP_TIMEOUT)
			return timed_out(u, c, tag, r, "the data phase timed out");
		if (d.status == RP_STALL) {
			int cs = clear(u, d.ep, r);
			rp_note(r, cs == RP_OK ? "the data pipe stalled, halt cleared" : "the data pipe stalled");
		}
		memset(&x[1], 0, sizeof(x[1]));
		x[1].ep = u->ep_status, x[1].buf = st, x[1].len = sizeof(st);
		rc = u->io->bulk(u->io->ctx, &x[1], 1, c->timeout_ms);
		if (fatal(rc, r)) {
			if (rc == RP_INTERRUPTED && !ended(&x[1], st, iu))
				abort_interrupted(u, tag, c->lun, r);
			return 0;
		}
	}
	status_iu(st, x[1].actual, tag, r);
	return 0;
}

int uas_command(struct rp_uas *u, const struct rp_cmd *c, struct rp_result *r)
{
	int rc;

	memset(r, 0, sizeof(*r));
	r->status = -1;
	r->uas_response = -1;
	r->t_start_ns = rp_now_ns();
	if (u->broken) {
		r->outcome = RP_TRANSPORT_FAILED;
		rp_note(r, "not sent: the UAS transport did not recover from an earlier timeout");
		return -1;
	}
	rc = u->streams ? with_streams(u, c, r) : without_streams(u, c, r);
	if (r->outcome == RP_DONE && c->len && r->data_len < c->len) {
		char m[80];
		snprintf(m, sizeof(m), "short %s: %u of %u bytes", c->dir == SCSI_DIR_IN ? "data-in" : "data-out",
			 (unsigned)r->data_len, (unsigned)c->len);
		rp_note(r, m);
	}
	if (!r->t_end_ns)
		r->t_end_ns = rp_now_ns();
	return rc;
}

int uas_raw(struct rp_uas *u, bool out, uint8_t *buf, uint32_t len, unsigned timeout_ms, struct rp_result *r)
{
	struct rp_xfer x;
	int rc;

	memset(r, 0, sizeof(*r));
	r->status = -1;
	r->uas_response = -1;
	r->t_start_ns = rp_now_ns();
	if (u->broken) {
		r->outcome = RP_TRANSPORT_FAILED;
		rp_note(r, "not sent: the UAS transport did not recover from an earlier timeout");
		return -1;
	}
	memset(&x, 0, sizeof(x));
	x.ep = out ? u->ep_cmd : u->ep_status;
	x.stream = !out && u->streams ? next_tag(u, 0) : 0;
	x.buf = buf;
	x.len = len;
	rc = u->io->bulk(u->io->ctx, &x, 1, timeout_ms);
	r->data_len = x.actual;
	r->outcome = RP_DONE;
	r->status = (int16_t)x.status;
	if (fatal(rc, r) || fatal(x.status, r))
		return 0;
	if (x.status == RP_TIMEOUT)
		r->timed_out = true;
	if (x.status == RP_STALL) {
		int cs = clear(u, x.ep, r);
		rp_note(r, cs == RP_OK ? "stalled, halt cleared" : "stalled; CLEAR_FEATURE(HALT) failed");
	}
	r->t_end_ns = rp_now_ns();
	return 0;
}
