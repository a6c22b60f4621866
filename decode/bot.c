/* bot.c - USB Mass Storage Bulk-Only Transport: CBW, data phase and CSW of each interface into SCSI transactions. */
#include "config.h"
#include "decode/storage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/device.h"
#include "decode/scsi.h"
#include "util/bytes.h"

/*
 * Facts from "Universal Serial Bus Mass Storage Class Bulk-Only Transport"
 * revision 1.0 (usbmassbulk_10.pdf):
 *   5.1 CBW, 31 bytes, little endian: dCBWSignature 43425355h ("USBC") at 0,
 *       dCBWTag at 4, dCBWDataTransferLength at 8, bmCBWFlags at 12 (bit 7:
 *       1 = data-in; ignored when the length is 0), bCBWLUN at 13 (bits 3..0),
 *       bCBWCBLength at 14 (bits 4..0, valid 1..16), CBWCB at 15 (16 bytes).
 *   5.2 CSW, 13 bytes: dCSWSignature 53425355h ("USBS") at 0, dCSWTag at 4
 *       (echoes dCBWTag), dCSWDataResidue at 8, bCSWStatus at 12 (00h passed,
 *       01h failed, 02h phase error, others reserved).
 *   5.3 a device may end the data phase early with a short packet or a STALL;
 *       the host then clears the halt (CLEAR_FEATURE(ENDPOINT_HALT)) and reads
 *       the CSW, retrying once after a STALL of the status pipe (5.3.3).
 *   3.1 / 5.3.4 Bulk-Only Mass Storage Reset ends whatever was in progress.
 * Commands are strictly sequential per interface: CBW, optional data, CSW.
 *
 * Autosense: after a CSW that reports 01h (CHECK CONDITION) a host issues
 * REQUEST SENSE (SPC, opcode 03h) next.  The failed command is held open
 * until that next command completes so that the sense it returns can be
 * attached to the command that failed.  Both were begun in order, so the
 * emitter still delivers them in start order.
 *
 * Where decisions are made: an OUT URB is classified (CBW or data) when its
 * payload is first seen, normally at submit, so a command begins at its CBW
 * submit; everything else is decided at completion, where struct urb holds
 * both the submit and the completion side.
 */

#define CBW_LEN 31
#define CSW_LEN 13
#define CBW_SIGNATURE 0x43425355u
#define CSW_SIGNATURE 0x53425355u
#define OP_REQUEST_SENSE 0x03

/* URB status values (Linux meaning, as struct urb carries them). */
#define ST_STALL (-32)            /* EPIPE */
#define ST_SHORT (-121)           /* EREMOTEIO: short transfer, not an error */
#define ST_NOENT (-2)             /* ENOENT: unlinked */
#define ST_CONNRESET (-104)       /* ECONNRESET: unlinked */
#define ST_NODEV (-19)
#define ST_SHUTDOWN (-108)

/* OUT URBs classified at submit, remembered until their completion.  Only a
 * few are ever in flight on one interface; a hostile capture that keeps more
 * open just loses the oldest classification (the completion is then
 * classified again). */
#define OUT_PENDING_MAX 64

enum phase {
	PH_DATA = 0,              /* between CBW and the end of the data phase */
	PH_STATUS,                /* waiting for the CSW */
};

enum out_kind {
	OUT_NONE = 0,
	OUT_CBW,
	OUT_DATA,
};

struct out_pending {
	uint64_t serial;          /* struct urb serial */
	uint64_t cmd_id;          /* command it belongs to; 0 none */
	uint8_t kind;             /* enum out_kind */
};

/* IN URBs submitted while a command was open, until they complete.  When
 * the next CBW supersedes a command whose CSW the capture lost, the ones
 * still open are its own: they go into it (with a finding), and their end
 * without a completion, which usbmon shows only later (the URB id reused,
 * or the end of the capture), is not shown again as a note out of start
 * order.  As many as OUT_PENDING_MAX; the oldest is forgotten first. */
struct in_pending {
	uint64_t serial;          /* struct urb serial; 0 = empty */
	uint64_t submit_frame;
	uint64_t cmd_id;          /* command open at its submit */
	bool taken;               /* reported with its superseded command */
};

struct bot_cmd {
	struct txn_rec *r;        /* NULL when this slot is empty */
	uint64_t id;              /* this interface's command counter */
	uint32_t tag;
	uint8_t opcode;
	uint8_t dir;              /* enum scsi_dir */
	uint64_t lun;
	uint32_t expected;
	uint64_t moved;           /* data-phase bytes so far */
	uint8_t phase;            /* enum phase */
	uint64_t data_frame;      /* completion frame of the first data-in URB with bytes; 0 none */
	uint64_t short_frame;     /* completion frame of the short transfer that ended the data phase */
	int64_t last_ts;          /* latest time of any of its URB events */
	/* a STALL in this command, reported when the command ends (stall_report) */
	uint64_t stall_frame;      /* 0: none */
	uint64_t stall_clear;      /* the CLEAR_FEATURE(ENDPOINT_HALT) that cleared it; 0 none */
	bool stall_in_status;     /* while waiting for the CSW (else CBW or data phase) */
	bool stall_on_cbw;
	uint8_t stall_ep;
	uint64_t csw_frame;        /* the CSW's completion; 0 none */
};

struct bot {
	struct storage_ctx *sc;
	uint16_t bus, device;
	uint8_t interface;
	uint64_t next_id;
	struct bot_cmd cur;       /* the open command */
	struct bot_cmd held;      /* ended by CHECK CONDITION, waiting for its REQUEST SENSE */
	struct out_pending outs[OUT_PENDING_MAX];
	unsigned out_next;        /* ring position for the next remembered OUT URB */
	struct in_pending ins[OUT_PENDING_MAX];
	unsigned in_next;
	/* URBs that belong to no command: data or a CSW with no CBW open
	 * (capture started mid-command, a second CSW).  Ignored, counted. */
	uint64_t orphans;
	uint64_t orphan_csws;
	/* A STALL its command did not recover from (or that hit no command, such
	 * as an invalid CBW), followed to the next command: the reset recovery
	 * steps seen meanwhile and whether that command worked. */
	struct {
		uint64_t stall_frame;     /* 0: nothing pending */
		uint8_t stall_ep;
		bool needs_reset;         /* an invalid or stalled CBW: BOT 6.6.1 */
		uint64_t reset_frame;
		uint64_t clear_in, clear_out;
	} rec;
	/* The last OUT submit of 31 bytes without the CBW signature while no
	 * command was open: an invalid CBW, named at its completion (bot_stray;
	 * a stalled completion carries none of its bytes). */
	uint64_t bad_cbw_serial;
	uint32_t bad_cbw_sig;
};

/* ------------------------------------------------------------ helpers */

static void cmd_touch(struct bot_cmd *c, int64_t ts)
{
	if (ts > c->last_ts)
		c->last_ts = ts;
}

/* Every frame of a URB, submit and completion. */
static void cmd_add_urb(struct bot_cmd *c, const struct urb *u)
{
	/* (a submit from before the CBW is a mispairing after a capture gap) */
	if (u->has_submit && u->submit_frame >= c->r->t.u.scsi.frame) {
		txn_add_frame(c->r, u->submit_frame);
		cmd_touch(c, u->submit_ts);
	}
	if (u->has_complete) {
		txn_add_frame(c->r, u->complete_frame);
		cmd_touch(c, u->complete_ts);
	}
}

static const char *errno_name(int32_t st)
{
	const char *n = usb_status_errno_name(st);
	return n ? n : "?";
}

static const char *end_words(enum txn_end end)
{
	switch (end) {
	case TXN_END_RESET: return "a reset ended it";
	case TXN_END_ABORTED: return "the host aborted it";
	case TXN_END_DEVICE_GONE: return "the device disconnected";
	case TXN_END_SUPERSEDED: return "the next CBW came first";
	case TXN_END_CAPTURE: return "the capture ended first";
	default: return "it ended";
	}
}

/* Arm the recovery tracker: a STALL not recovered in its own command (or
 * outside any), followed to the next command (rec_outcome). */
static void rec_arm(struct bot *b, uint64_t frame, uint8_t ep, bool needs_reset)
{
	memset(&b->rec, 0, sizeof(b->rec));
	b->rec.stall_frame = frame;
	b->rec.stall_ep = ep;
	b->rec.needs_reset = needs_reset;
}

/*
 * bot-stall-recovery for a STALL inside a command, reported when the
 * command ends: recovered when its CSW came after the STALL (BOT 6.7.2 and
 * 6.7.3: clear the halt, then read the CSW); otherwise the STALL is followed
 * further, to the next command (rec_outcome).
 */
static void stall_report(struct bot *b, struct bot_cmd *c, enum txn_end end)
{
	const struct scsi_txn *s = &c->r->t.u.scsi;
	uint64_t frames[3];
	unsigned n = 0;
	const char *where;
	bool csw = end == TXN_END_STATUS && c->csw_frame > c->stall_frame;
	bool out = !(c->stall_ep & 0x80);

	if (!c->stall_frame)
		return;
	frames[n++] = c->stall_frame;
	if (c->stall_clear)
		frames[n++] = c->stall_clear;
	if (csw)
		frames[n++] = c->csw_frame;
	if (c->stall_on_cbw)
		where = "on the CBW";
	else if (c->stall_in_status)
		where = "instead of the CSW";
	else
		where = "in the data phase";
	if (csw && c->stall_clear)
		txn_add_finding(c->r, "bot-stall-recovery", SEV_INFO, frames, n,
				"endpoint 0x%02x stalled %s (frame %llu), CLEAR_FEATURE(ENDPOINT_HALT) cleared it (frame %llu) "
				"and the CSW followed (frame %llu, status %d): recovered",
				c->stall_ep, where, (unsigned long long)c->stall_frame, (unsigned long long)c->stall_clear,
				(unsigned long long)c->csw_frame, (int)s->csw_status);
	else if (csw)
		txn_add_finding(c->r, "bot-stall-recovery", out ? SEV_WARNING : SEV_INFO, frames, n,
				"endpoint 0x%02x stalled %s (frame %llu) and the CSW followed (frame %llu), but no "
				"CLEAR_FEATURE(ENDPOINT_HALT) for it is in the capture%s",
				c->stall_ep, where, (unsigned long long)c->stall_frame, (unsigned long long)c->csw_frame,
				out ? ": the bulk-out pipe stays halted and the next CBW will stall" : "");
	else
		txn_add_finding(c->r, "bot-stall-recovery", SEV_WARNING, frames, n,
				"endpoint 0x%02x stalled %s (frame %llu)%s%s, and no CSW came: %s%s",
				c->stall_ep, where, (unsigned long long)c->stall_frame,
				c->stall_clear ? ", was cleared by CLEAR_FEATURE(ENDPOINT_HALT)" : "",
				c->stall_clear ? "" : ", was not cleared",
				end_words(end),
				end == TXN_END_CAPTURE || end == TXN_END_DEVICE_GONE ? "" : " (the next command shows whether the device recovered)");
	if (!csw && end != TXN_END_CAPTURE && end != TXN_END_DEVICE_GONE) {
		rec_arm(b, c->stall_frame, c->stall_ep, c->stall_on_cbw);   /* bot_reset adds its frame */
	}
	c->stall_frame = 0;
}

/*
 * bot-stall-recovery on the first command after a STALL its own command did
 * not recover from: the reset recovery steps the host took (BOT 5.3.4: a
 * Bulk-Only Mass Storage Reset, then CLEAR_FEATURE(ENDPOINT_HALT) on the
 * bulk-in and the bulk-out endpoint; 6.6.1: required after an invalid CBW)
 * and whether this command then worked.
 */
static void rec_outcome(struct bot *b, struct bot_cmd *c, enum txn_end end)
{
	const struct scsi_txn *s = &c->r->t.u.scsi;
	uint64_t frames[FINDING_FRAMES_MAX];
	unsigned n = 0;
	char steps[200];
	size_t k = 0;
	bool ok = end == TXN_END_STATUS && s->csw_status >= 0 && s->csw_status <= 1;
	bool halted_in, halted_out, complete;

	if (!b->rec.stall_frame)
		return;
	frames[n++] = b->rec.stall_frame;
	if (b->rec.reset_frame)
		frames[n++] = b->rec.reset_frame;
	if (b->rec.clear_in || b->rec.clear_out)
		frames[n++] = b->rec.clear_in > b->rec.clear_out ? b->rec.clear_in : b->rec.clear_out;
	frames[n++] = s->frame;
	/* Which halts a recovery had to clear: both in a reset recovery
	 * (BOT 5.3.4), else the endpoint that stalled. */
	halted_in = b->rec.needs_reset || b->rec.reset_frame || (b->rec.stall_ep & 0x80);
	halted_out = b->rec.needs_reset || b->rec.reset_frame || !(b->rec.stall_ep & 0x80);
	complete = (!b->rec.needs_reset || b->rec.reset_frame) && (!halted_in || b->rec.clear_in) &&
		   (!halted_out || b->rec.clear_out);
	steps[0] = 0;
	if (b->rec.reset_frame)
		k += (size_t)snprintf(steps + k, sizeof(steps) - k, "Bulk-Only reset (frame %llu)",
				      (unsigned long long)b->rec.reset_frame);
	if (b->rec.clear_in && k < sizeof(steps))
		k += (size_t)snprintf(steps + k, sizeof(steps) - k, "%sclear halt of bulk-in (frame %llu)",
				      k ? ", " : "", (unsigned long long)b->rec.clear_in);
	if (b->rec.clear_out && k < sizeof(steps))
		k += (size_t)snprintf(steps + k, sizeof(steps) - k, "%sclear halt of bulk-out (frame %llu)",
				      k ? ", " : "", (unsigned long long)b->rec.clear_out);
	if (!k)
		snprintf(steps, sizeof(steps), "none (no reset, no clear halt)");
	txn_add_finding(c->r, "bot-stall-recovery", ok && complete ? SEV_INFO : SEV_WARNING, frames, n,
			"after the STALL of endpoint 0x%02x (frame %llu): %s%s; %s",
			b->rec.stall_ep, (unsigned long long)b->rec.stall_frame, steps,
			complete ? "" : (b->rec.needs_reset && !b->rec.reset_frame ?
					 " (BOT 6.6.1 requires a reset recovery)" :
					 " (BOT 5.3.4: clear both halts)"),
			ok ? "recovered, this command got a valid CSW" :
			     "not recovered, this command failed too");
	memset(&b->rec, 0, sizeof(b->rec));
}

/* A completion status other than success: STALL, unlink, error.  Returns
 * true when the URB failed (moved no more data than it reports). */
static bool cmd_urb_status(struct bot_cmd *c, const struct urb *u, bool is_cbw)
{
	uint64_t f = u->complete_frame;

	if (!u->has_complete || u->status == 0 || u->status == ST_SHORT)
		return false;
	if (u->status == ST_STALL) {
		if (c->stall_frame && c->stall_clear)
			c->stall_clear = 0;       /* stalled again after the clear: follow the new one */
		c->stall_frame = f;
		c->stall_on_cbw = is_cbw;
		c->stall_in_status = !is_cbw && c->phase == PH_STATUS;
		c->stall_ep = u->endpoint;
	} else if (u->status == ST_NOENT || u->status == ST_CONNRESET) {
		/* Linux submits a scatter-gather data phase as many URBs at
		 * once and cancels those queued behind a short one: expected. */
		if (c->short_frame && u->has_submit && u->submit_frame < c->short_frame && !u->moved)
			return true;
		txn_add_finding(c->r, "usb-unlinked", SEV_WARNING, &f, 1,
				"the host cancelled the URB on endpoint 0x%02x (status %d %s), usually a command timeout",
				u->endpoint, (int)u->status, errno_name(u->status));
	} else if (u->status == ST_NODEV || u->status == ST_SHUTDOWN) {
		/* the glue reports the device gone (bot_gone) */
	} else {
		txn_add_finding(c->r, "usb-error", SEV_WARNING, &f, 1, "%s on endpoint 0x%02x failed with status %d (%s)",
				u->submit_error ? "the submission of a URB" : "a URB", u->endpoint, (int)u->status,
				errno_name(u->status));
	}
	return true;
}

/* Fill a struct sense from sense data; false when it is not sense data. */
static bool sense_fill(struct sense *s, const uint8_t *buf, uint32_t len, uint64_t frame, enum sense_source src)
{
	struct sense_info si;
	uint8_t add;
	uint32_t n = len;

	if (!buf || !len)
		return false;
	memset(&si, 0, sizeof(si));
	if (!scsi_sense_parse(buf, len, &si) || !si.valid)
		return false;
	/* SPC: the sense data is 8 bytes plus its ADDITIONAL SENSE LENGTH (byte 7) */
	if (get_u8(buf, len, 7, &add) && (uint32_t)add + 8 < n)
		n = (uint32_t)add + 8;
	if (n > SENSE_MAX)
		n = SENSE_MAX;
	memset(s, 0, sizeof(*s));
	s->source = (uint8_t)src;
	s->frame = frame;
	s->response_code = si.response_code;
	s->key = si.key;
	s->asc = si.asc;
	s->ascq = si.ascq;
	s->len = (uint8_t)n;
	memcpy(s->raw, buf, n);
	return true;
}

/* The data-in head of a command (what its first data URBs returned). */
static bool cmd_data_head(const struct bot_cmd *c, const uint8_t **buf, uint32_t *len)
{
	struct payload p;

	if (!c->r->data)
		return false;
	payload_acc_view(c->r->data, &p);
	*buf = p.head;
	*len = p.head_len;
	return p.head_len > 0;
}

/* Hand a command to the glue; the slot is empty afterwards. */
static void cmd_end(struct bot *b, struct bot_cmd *c, enum txn_end end)
{
	struct scsi_txn *s;

	if (!c->r)
		return;
	s = &c->r->t.u.scsi;
	if (b->rec.stall_frame && b->rec.stall_frame < s->frame)
		rec_outcome(b, c, end);
	stall_report(b, c, end);
	if (end != TXN_END_STATUS || !s->ts_end)
		s->ts_end = c->last_ts;
	s->end = (uint8_t)end;
	/* A REQUEST SENSE's own sense is the data it returned. */
	if (c->opcode == OP_REQUEST_SENSE && s->sense.source == SENSE_NONE && c->dir == SCSI_DIR_IN) {
		const uint8_t *buf;
		uint32_t len;
		if (cmd_data_head(c, &buf, &len))
			sense_fill(&s->sense, buf, len, c->data_frame, SENSE_OWN_DATA);
	}
	storage_scsi_done(b->sc, c->r);
	memset(c, 0, sizeof(*c));
}

/* The held (CHECK CONDITION) command ends without autosense. */
static void held_end(struct bot *b)
{
	cmd_end(b, &b->held, TXN_END_STATUS);
}

/* End everything open: the held command first (it began first), then the
 * current one with the given reason. */
static void end_all(struct bot *b, enum txn_end end)
{
	held_end(b);
	cmd_end(b, &b->cur, end);
}

/* ------------------------------------------------------- OUT bookkeeping */

static void out_remember(struct bot *b, uint64_t serial, enum out_kind kind, uint64_t cmd_id)
{
	struct out_pending *o = &b->outs[b->out_next];

	b->out_next = (b->out_next + 1) % OUT_PENDING_MAX;
	o->serial = serial;
	o->kind = (uint8_t)kind;
	o->cmd_id = cmd_id;
}

static bool out_take(struct bot *b, uint64_t serial, struct out_pending *out)
{
	for (unsigned i = 0; i < OUT_PENDING_MAX; i++) {
		struct out_pending *o = &b->outs[i];
		if (o->kind != OUT_NONE && o->serial == serial) {
			*out = *o;
			memset(o, 0, sizeof(*o));
			return true;
		}
	}
	return false;
}

static void in_remember(struct bot *b, const struct urb *u)
{
	struct in_pending *p = &b->ins[b->in_next];

	b->in_next = (b->in_next + 1) % OUT_PENDING_MAX;
	p->serial = u->serial;
	p->submit_frame = u->submit_frame;
	p->cmd_id = b->cur.id;
	p->taken = false;
}

static bool in_take(struct bot *b, uint64_t serial, struct in_pending *out)
{
	/* newest first: normally the URB submitted last */
	for (unsigned k = 1; k <= OUT_PENDING_MAX; k++) {
		struct in_pending *p = &b->ins[(b->in_next + OUT_PENDING_MAX - k) % OUT_PENDING_MAX];
		if (p->serial && p->serial == serial) {
			*out = *p;
			memset(p, 0, sizeof(*p));
			return true;
		}
	}
	return false;
}

/* The open command is superseded: the IN URBs submitted for it that are
 * still open (their completions lost with its CSW) are its own. */
static void in_supersede(struct bot *b, struct bot_cmd *c)
{
	uint64_t frames[FINDING_FRAMES_MAX];
	unsigned n = 0, total = 0;

	for (unsigned i = 0; i < OUT_PENDING_MAX; i++) {
		struct in_pending *p = &b->ins[i];
		if (!p->serial || p->taken || p->cmd_id != c->id)
			continue;
		p->taken = true;
		txn_add_frame(c->r, p->submit_frame);
		if (n < FINDING_FRAMES_MAX)
			frames[n++] = p->submit_frame;
		total++;
	}
	if (total)
		txn_add_finding(c->r, "usb-no-completion", SEV_WARNING, frames, n,
				"%u IN URB%s submitted for this command had not completed by the next CBW", total,
				total == 1 ? "" : "s");
}

/* ------------------------------------------------------------------ CBW */

static bool has_signature(const uint8_t *buf, uint32_t caplen, uint32_t sig)
{
	uint32_t v;

	return buf && get_le32(buf, caplen, 0, &v) && v == sig;
}

/* Is this OUT payload a CBW?  A payload that starts with "USBC" is one,
 * except inside a data-out phase that still expects at least its length:
 * there it is the data being written. */
static bool out_is_cbw(const struct bot *b, const struct urb *u)
{
	uint32_t len = u->moved ? u->moved : u->caplen;
	const struct bot_cmd *c = &b->cur;

	if (!has_signature(u->data, u->caplen, CBW_SIGNATURE))
		return false;
	if (c->r && c->phase == PH_DATA && c->dir == SCSI_DIR_OUT && c->moved < c->expected &&
	    c->expected - c->moved >= len)
		return false;
	return true;
}

/* A CBW starts a command.  frame/ts: its submit, or its completion when
 * the submit was not captured. */
static void cbw_start(struct bot *b, const struct urb *u)
{
	const uint8_t *p = u->data;
	uint32_t n = u->caplen;
	uint32_t len = u->moved ? u->moved : u->caplen;
	uint64_t frame = u->has_submit ? u->submit_frame : u->complete_frame;
	int64_t ts = u->has_submit ? u->submit_ts : u->complete_ts;
	uint32_t tag = 0, expected = 0;
	uint8_t flags = 0, lun = 0, cblen = 0, opcode = 0;
	struct bot_cmd *c = &b->cur;
	struct scsi_txn *s;

	(void)get_le32(p, n, 4, &tag);
	(void)get_le32(p, n, 8, &expected);
	(void)get_u8(p, n, 12, &flags);
	(void)get_u8(p, n, 13, &lun);
	(void)get_u8(p, n, 14, &cblen);
	(void)get_u8(p, n, 15, &opcode);

	/* The command before it never got its CSW. */
	if (c->r) {
		txn_add_finding(c->r, "bot-csw-missing", SEV_WARNING, &frame, 1,
				"no CSW for tag 0x%08x before the next CBW (frame %llu)", c->tag,
				(unsigned long long)frame);
		in_supersede(b, c);
		end_all(b, TXN_END_SUPERSEDED);
	}
	/* A held CHECK CONDITION: only a REQUEST SENSE to the same LUN can
	 * bring its sense; anything else ends it now. */
	if (b->held.r && (opcode != OP_REQUEST_SENSE || b->held.lun != (uint64_t)(lun & 0x0f)))
		held_end(b);

	memset(c, 0, sizeof(*c));
	c->r = txn_begin(storage_emitter(b->sc), TXN_SCSI, frame);
	c->id = ++b->next_id;
	c->tag = tag;
	c->opcode = opcode;
	c->lun = lun & 0x0f;
	c->expected = expected;
	c->dir = expected == 0 ? SCSI_DIR_NONE : (flags & 0x80) ? SCSI_DIR_IN : SCSI_DIR_OUT;
	c->phase = expected ? PH_DATA : PH_STATUS;
	c->last_ts = ts;

	s = &c->r->t.u.scsi;
	s->ts_start = ts;
	s->bus = b->bus;
	s->device = b->device;
	s->interface = b->interface;
	s->transport = TRANSPORT_BOT;
	s->tag = tag;
	s->lun = c->lun;
	s->expected_bytes = expected;
	s->direction = c->dir;
	s->cdb_len = cblen & 0x1f;
	if (n > 15) {
		uint32_t take = n - 15 < 16 ? n - 15 : 16;
		memcpy(s->cdb, p + 15, take);
	}
	cmd_add_urb(c, u);

	if (len != CBW_LEN)
		txn_add_finding(c->r, "bot-cbw-length", SEV_ERROR, &frame, 1,
				"the CBW is %u bytes, BOT requires exactly %u", len, CBW_LEN);
	if (s->cdb_len == 0 || s->cdb_len > 16)
		txn_add_finding(c->r, "bot-cbw-cdb-length", SEV_WARNING, &frame, 1,
				"bCBWCBLength is %u, valid values are 1 to 16", s->cdb_len);
	if (n < CBW_LEN && len >= CBW_LEN)
		txn_add_finding(c->r, "capture-truncated", SEV_INFO, &frame, 1,
				"the capture holds only %u of the CBW's %u bytes", n, len);
}

/* ------------------------------------------------------------ data phase */

static void data_add(struct bot_cmd *c, const struct urb *u, bool failed)
{
	cmd_add_urb(c, u);
	if (!u->has_complete)
		return;
	if (u->moved || u->caplen) {
		txn_add_data(c->r, u->data, u->caplen, u->moved);
		c->moved += u->moved;
		if ((u->endpoint & 0x80) && u->caplen && !c->data_frame)
			c->data_frame = u->complete_frame;
	}
	if (c->phase != PH_DATA)
		return;
	/* The data phase ends when all expected bytes moved, with a short
	 * IN transfer (BOT 5.3), or on a STALL or error. */
	if ((u->endpoint & 0x80) && u->requested && u->moved < u->requested && !failed) {
		c->short_frame = u->complete_frame;
		c->phase = PH_STATUS;
	}
	if (failed || c->moved >= c->expected)
		c->phase = PH_STATUS;
}

/* ------------------------------------------------------------------ CSW */

/* Move an ended command out of cur, resolving a held CHECK CONDITION. */
static void cmd_completed(struct bot *b)
{
	struct bot_cmd done = b->cur;
	struct scsi_txn *s = &done.r->t.u.scsi;

	memset(&b->cur, 0, sizeof(b->cur));
	if (b->held.r) {
		const uint8_t *buf;
		uint32_t len;
		if (done.opcode == OP_REQUEST_SENSE && done.lun == b->held.lun && s->csw_status == 0 &&
		    cmd_data_head(&done, &buf, &len))
			sense_fill(&b->held.r->t.u.scsi.sense, buf, len, done.data_frame, SENSE_AUTOSENSE);
		held_end(b);
	}
	if (s->csw_status == 1)
		b->held = done;           /* wait for its REQUEST SENSE */
	else
		cmd_end(b, &done, TXN_END_STATUS);
}

static void csw_take(struct bot *b, const struct urb *u)
{
	struct bot_cmd *c = &b->cur;
	struct scsi_txn *s = &c->r->t.u.scsi;
	uint64_t f = u->complete_frame;
	uint32_t tag = 0, residue = 0;
	uint8_t status = 0;

	cmd_add_urb(c, u);
	c->phase = PH_STATUS;
	c->csw_frame = f;
	s->ts_end = u->complete_ts;
	if (!get_le32(u->data, u->caplen, 4, &tag) || !get_le32(u->data, u->caplen, 8, &residue) ||
	    !get_u8(u->data, u->caplen, 12, &status)) {
		/* only part of the CSW is in the capture */
		txn_add_finding(c->r, "capture-truncated", SEV_INFO, &f, 1,
				"the capture holds only %u of the CSW's %u bytes", u->caplen, CSW_LEN);
		if (u->caplen < 8) {
			cmd_completed(b);
			return;
		}
		if (u->caplen >= 12) {
			s->residue = residue;
			s->has_residue = true;
		}
	} else {
		s->residue = residue;
		s->has_residue = true;
		s->csw_status = status;
		switch (status) {
		case 0: s->status = 0; break;          /* GOOD */
		case 1: s->status = 2; break;          /* CHECK CONDITION */
		case 2: s->status = -1; break;         /* phase error: no SCSI status */
		default:
			s->status = -1;
			txn_add_finding(c->r, "bot-csw-status", SEV_ERROR, &f, 1,
					"bCSWStatus 0x%02x is reserved (BOT 5.2: 00h passed, 01h failed, 02h phase error)",
					status);
			break;
		}
	}
	if (tag != c->tag)
		txn_add_finding(c->r, "bot-tag-mismatch", SEV_ERROR, &f, 1,
				"the CSW's tag 0x%08x does not match the CBW's 0x%08x", tag, c->tag);
	cmd_completed(b);
}

/* An IN completion of the open command: data or its CSW. */
static void in_complete(struct bot *b, const struct urb *u)
{
	struct bot_cmd *c = &b->cur;
	bool failed = cmd_urb_status(c, u, false);
	bool csw_sig, looks_csw;
	uint32_t tag = 0;

	if (failed) {
		data_add(c, u, true);
		c->phase = PH_STATUS;
		return;
	}
	/* An IN transfer ends the data phase of a command that moves no data in. */
	if (c->phase == PH_DATA && c->dir != SCSI_DIR_IN)
		c->phase = PH_STATUS;
	csw_sig = has_signature(u->data, u->caplen, CSW_SIGNATURE);
	looks_csw = u->moved == CSW_LEN && csw_sig;
	if (c->phase == PH_STATUS) {
		if (looks_csw) {
			csw_take(b, u);
			return;
		}
		if (u->moved == CSW_LEN && u->caplen >= 4)
			txn_add_finding(c->r, "bot-bad-signature", SEV_ERROR, &u->complete_frame, 1,
					"13 bytes came where the CSW was due, without the CSW signature 53425355h (\"USBS\"): taken as data");
		data_add(c, u, false);
		return;
	}
	/* Data phase of a data-in command: a CSW here means the device ended
	 * the data phase without data.  Tell it from 13 bytes of data by the
	 * host asking for exactly a CSW, or by the tag. */
	(void)get_le32(u->data, u->caplen, 4, &tag);
	if (looks_csw && (u->requested == CSW_LEN || tag == c->tag)) {
		csw_take(b, u);
		return;
	}
	data_add(c, u, false);
}

/* An OUT completion (or a never-completed OUT submit) of the open command. */
static void out_data(struct bot *b, const struct urb *u)
{
	struct bot_cmd *c = &b->cur;
	bool failed;

	/* An OUT completion with neither submit nor payload cannot be data
	 * of a command that moves no data out: after a capture gap it is the
	 * end of some other transfer (usually a CBW whose submit is lost). */
	if (!u->has_submit && !u->caplen && c->dir != SCSI_DIR_OUT) {
		b->orphans++;
		return;
	}
	failed = cmd_urb_status(c, u, false);
	data_add(c, u, failed);
}

/* A never-completed URB (delivered only at the end of the capture)
 * submitted before the open command's CBW belonged to an earlier command:
 * BOT is sequential.  A completion is always taken as the open command's,
 * whatever submit it was paired with (usbmon reuses URB ids, and after a
 * lost completion a completion can pair with an older submit). */
static bool stale(const struct bot_cmd *c, const struct urb *u)
{
	return !u->has_complete && u->has_submit && u->submit_frame < c->r->t.u.scsi.frame;
}

/* ----------------------------------------------------------- public API */

struct bot *bot_new(struct storage_ctx *sc, uint16_t bus, uint16_t device, uint8_t interface)
{
	struct bot *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->sc = sc;
	b->bus = bus;
	b->device = device;
	b->interface = interface;
	return b;
}

static void bot_out(struct bot *b, const struct urb *u, bool at_submit)
{
	struct out_pending o;

	if (at_submit) {
		/* Classify as soon as the payload is readable. */
		if (!u->caplen)
			return;
		if (out_is_cbw(b, u)) {
			cbw_start(b, u);
			out_remember(b, u->serial, OUT_CBW, b->cur.id);
		} else {
			if (!b->cur.r && u->caplen == CBW_LEN && get_le32(u->data, u->caplen, 0, &b->bad_cbw_sig))
				b->bad_cbw_serial = u->serial;
			out_remember(b, u->serial, OUT_DATA, b->cur.r ? b->cur.id : 0);
		}
		return;
	}
	if (out_take(b, u->serial, &o)) {
		if (!b->cur.r || o.cmd_id != b->cur.id) {
			b->orphans++;             /* its command ended meanwhile */
			return;
		}
		if (o.kind == OUT_CBW) {
			cmd_add_urb(&b->cur, u);
			cmd_urb_status(&b->cur, u, true);
		} else {
			out_data(b, u);
		}
		return;
	}
	/* Not seen at submit (no submit captured, or its payload only on the
	 * completion as macOS records it). */
	if (u->has_complete && !u->submit_error && out_is_cbw(b, u)) {
		cbw_start(b, u);
		cmd_urb_status(&b->cur, u, true);
		return;
	}
	if (!b->cur.r || stale(&b->cur, u)) {
		b->orphans++;
		return;
	}
	out_data(b, u);
}

static void bot_in(struct bot *b, const struct urb *u, bool at_submit)
{
	struct in_pending p;

	if (at_submit) {
		if (b->cur.r)
			in_remember(b, u);
		return;                   /* decided at completion */
	}
	if (in_take(b, u->serial, &p) && p.taken && !u->has_complete)
		return;                   /* already shown with its superseded command */
	if (!b->cur.r || stale(&b->cur, u)) {
		if (u->has_complete && u->moved == CSW_LEN && has_signature(u->data, u->caplen, CSW_SIGNATURE))
			b->orphan_csws++;
		else
			b->orphans++;
		return;
	}
	if (!u->has_complete) {           /* never completed in the capture */
		cmd_add_urb(&b->cur, u);
		return;
	}
	in_complete(b, u);
}

bool bot_urb(struct bot *b, const struct urb *u, bool at_submit, uint8_t role)
{
	uint64_t before;

	if (!b || !u)
		return false;
	before = b->orphans + b->orphan_csws;
	if (role == EP_BOT_OUT)
		bot_out(b, u, at_submit);
	else if (role == EP_BOT_IN)
		bot_in(b, u, at_submit);
	return b->orphans + b->orphan_csws == before;
}

void bot_clear_halt(struct bot *b, uint8_t ep, uint64_t frame)
{
	if (!b)
		return;
	if (b->cur.r && b->cur.stall_frame && b->cur.stall_ep == ep && !b->cur.stall_clear) {
		b->cur.stall_clear = frame;
		txn_add_frame(b->cur.r, frame);
	} else if (b->rec.stall_frame) {
		if (ep & 0x80)
			b->rec.clear_in = frame;
		else
			b->rec.clear_out = frame;
	}
}

void bot_reset(struct bot *b, uint64_t frame, int64_t ts)
{
	if (!b)
		return;
	cmd_touch(&b->cur, ts);                   /* it ended then */
	cmd_touch(&b->held, ts);
	if (b->cur.r)
		txn_add_finding(b->cur.r, "bot-reset", SEV_INFO, &frame, 1,
				"ended by a Bulk-Only Mass Storage Reset (frame %llu) before its CSW",
				(unsigned long long)frame);
	end_all(b, TXN_END_RESET);
	if (b->rec.stall_frame) {
		b->rec.reset_frame = frame;
		b->rec.clear_in = b->rec.clear_out = 0;   /* clears count after the reset (BOT 5.3.4) */
	}
}

void bot_stray(struct bot *b, const struct urb *u, struct txn_rec *r)
{
	uint64_t frames[2];
	unsigned n = 0;
	uint32_t sig = 0;
	bool out = !(u->endpoint & 0x80);
	bool cbw_sized = u->requested == CBW_LEN || (u->has_complete && u->actual == CBW_LEN);
	bool invalid_cbw;

	if (!b || !u->has_complete)
		return;
	if (u->serial == b->bad_cbw_serial && u->serial) {
		sig = b->bad_cbw_sig;
		invalid_cbw = true;
	} else {
		invalid_cbw = out && !b->cur.r && cbw_sized && get_le32(u->data, u->caplen, 0, &sig) &&
			      sig != CBW_SIGNATURE;
	}
	if (u->has_submit)
		frames[n++] = u->submit_frame;
	frames[n++] = u->complete_frame;
	if (invalid_cbw && r)
		txn_add_finding(r, "bot-bad-signature", SEV_ERROR, frames, n,
				"a 31-byte transfer on the bulk-out pipe with signature %08Xh instead of 43425355h (\"USBC\"): "
				"an invalid CBW (BOT 6.2.1); %s",
				sig, u->status == ST_STALL ? "the device stalled it and needs a reset recovery (BOT 6.6.1)" :
				"the device accepted it (BOT 6.6.1: it should stall until a reset recovery)");
	if (u->status == ST_STALL)
		rec_arm(b, u->complete_frame, u->endpoint, invalid_cbw || (out && cbw_sized && !b->cur.r));
}

void bot_gone(struct bot *b, uint64_t frame)
{
	(void)frame;
	if (!b)
		return;
	end_all(b, TXN_END_DEVICE_GONE);
}

void bot_finish(struct bot *b)
{
	if (!b)
		return;
	end_all(b, TXN_END_CAPTURE);
}

void bot_free(struct bot *b)
{
	if (!b)
		return;
	/* Normally bot_finish ended everything.  A command still open here
	 * is abandoned: the emitter frees those it still queues; one it
	 * passed over (too long open) is dropped here. */
	if (b->held.r && b->held.r->seq == UINT64_MAX)
		txn_drop(storage_emitter(b->sc), b->held.r);
	if (b->cur.r && b->cur.r->seq == UINT64_MAX)
		txn_drop(storage_emitter(b->sc), b->cur.r);
	free(b);
}
