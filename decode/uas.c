/* uas.c - USB Attached SCSI: Command, Sense, Response, Task Management and Read/Write Ready IUs into SCSI transactions. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/device.h"
#include "decode/scsi.h"
#include "decode/storage.h"
#include "decode/uas_tables.h"
#include "util/bytes.h"

/*
 * One instance per UAS interface.  The glue hands us every bulk URB of the
 * interface at submit and at completion, with its pipe's role.
 *
 * IU formats (USB Attached SCSI Protocol rev 1.0 section 6.2, T10 UAS-2
 * 6.2; the same offsets as Linux include/linux/usb/uas.h and Wireshark's
 * packet-usbms-uasp.c): every IU starts with IU ID (byte 0), a reserved
 * byte and a big-endian tag (bytes 2-3).
 *   Command IU 01h:  4 task priority (bits 6-3) / attribute (bits 2-0),
 *                    6 additional CDB length in 4-byte words (bits 7-2),
 *                    8-15 LUN, 16-31 CDB, then 4 * additional CDB bytes.
 *   Sense IU 03h:    4-5 status qualifier, 6 status, 14-15 sense length,
 *                    sense data from 16.
 *   Response IU 04h: 4-6 additional response information, 7 response code.
 *   Task Mgmt IU 05h: 4 function, 6-7 tag of the task to manage, 8-15 LUN.
 *   Read Ready 06h / Write Ready 07h: the 4-byte header only.
 *
 * Tying data URBs to commands:
 *  - A READ READY / WRITE READY IU (USB 2, no streams) names the tag whose
 *    data phase comes next on that pipe; data URBs submitted after it
 *    belong to that tag until another one is announced or the command
 *    ends.  This is exact.
 *  - Otherwise (SuperSpeed streams: usbmon records no stream id) the order
 *    of submission decides: Linux's uas driver (uas_submit_urbs) submits,
 *    per command, the status URB, the data URB(s), then the Command IU;
 *    macOS submits data, status, command; libusb programs do the same.  So
 *    the data URBs submitted since the previous command-pipe submit belong
 *    to the next Command IU.  Such transactions get data_inferred and the
 *    info finding "uas-stream-inferred" (or "uas-data-inferred" on an
 *    interface without streams where no READY IU announced the data).
 *  - A data URB that completes still unbound (its submit was not captured,
 *    or a host submitted it after the command) goes to the newest command
 *    in flight whose direction fits, also marked inferred.
 *  The Sense IU's tag then says which command ended.
 *
 * A command ends at its Sense IU (status byte, sense data) or Response IU
 * (uas_response, status -1, finding "uas-response-iu" unless the code is
 * a success).  When that IU arrives before the completions of the
 * command's other URBs (its Command IU, its data), the end waits for them
 * so their frames and bytes are counted; capture end, device loss and
 * overlaps do not wait.
 *
 * Decisions:
 *  - LUN: SAM-5 4.7.  A single-level LUN (peripheral device addressing
 *    with bus 0, or flat space addressing, and bytes 2-7 zero) is shown
 *    as its LUN number, as BOT's bCBWLUN and Linux show it; any other
 *    (hierarchical, extended, well-known) is the 8 bytes as a big-endian
 *    number.
 *  - A Command IU whose tag is still in flight: both get the error finding
 *    "uas-tag-overlap" and the old one ends as TXN_END_SUPERSEDED, because
 *    every later IU with that tag can only be tied to the newer one (the
 *    device answers OVERLAPPED TAG ATTEMPTED, which then ends the new one).
 *  - Task management is not a transaction of its own (a scsi_txn has no
 *    place for it).  Its effect is recorded on the commands it names: the
 *    finding "uas-task-management" (with the TM IU's frame, function and
 *    response) and the TM frames.  When the Response IU to the TM says
 *    TASK MANAGEMENT FUNCTION COMPLETE or SUCCEEDED, ABORT TASK ends the
 *    managed task, ABORT TASK SET and CLEAR TASK SET end the LUN's tasks,
 *    all as TXN_END_ABORTED; LOGICAL UNIT RESET ends the LUN's tasks and
 *    I_T NEXUS RESET every task, as TXN_END_RESET.  A failed TM, QUERY
 *    TASK and a TM still unanswered when its task ends leave only the
 *    finding.  CLEAR ACA, QUERY TASK SET and QUERY ASYNCHRONOUS EVENT name
 *    no task and leave no trace.
 *  - A Sense/Response/READY IU whose tag is not in flight (capture started
 *    mid-command, or a device answering a tag never sent) belongs to no
 *    command: uas_urb() returns false and the glue shows it as a USB event.
 *
 * Memory is bounded: UAS_CMDS_MAX commands in flight, UAS_URBS_MAX URBs
 * tracked, UAS_TMS_MAX task management functions pending, UAS_EARLY_MAX
 * early data completions of at most UAS_EARLY_COPY_MAX bytes each.
 */

#define IU_HDR_LEN        4
#define CMD_IU_CDB_OFF    16
#define SENSE_IU_DATA_OFF 16
#define RESPONSE_IU_LEN   8
#define TM_IU_LEN         16

#define TM_ABORT_TASK        0x01
#define TM_ABORT_TASK_SET    0x02
#define TM_CLEAR_TASK_SET    0x04
#define TM_LOGICAL_UNIT_RESET 0x08
#define TM_I_T_NEXUS_RESET   0x10
#define TM_QUERY_TASK        0x80

#define RC_TM_COMPLETE  0x00
#define RC_TM_SUCCEEDED 0x08

/* Linux errno values as usbmon reports them (negated). */
#define ST_EPIPE 32

#define UAS_CMDS_MAX       1024
#define UAS_URBS_MAX       4096
#define UAS_TMS_MAX        64
#define UAS_EARLY_MAX      8
#define UAS_EARLY_COPY_MAX (1u << 20)
#define TM_FRAMES_MAX      4

struct ucmd {
	struct txn_rec *r;
	uint16_t tag;
	uint64_t lun;
	bool dir_from_cdb;        /* the CDB said the direction */
	bool status_seen;         /* Sense/Response IU arrived: ends when idle */
	bool inferred_noted;
	unsigned outstanding;     /* its URBs submitted and not yet completed */
	int64_t last_ts;
	uint64_t data_frame;      /* last data completion */
};

enum urec_kind { UR_CMDPIPE = 1, UR_DATA };

/* A command-pipe or data URB we are following, by urb serial. */
struct urec {
	uint64_t serial;
	uint8_t kind;
	uint8_t role;
	uint8_t ep;
	bool parsed;              /* command pipe: its IU was parsed */
	bool orphan;              /* its command ended: ignore the rest */
	struct ucmd *cmd;         /* the command it belongs to */
	int tm;                   /* command pipe: index in tms of its TM IU, -1 none */
	uint64_t attach;          /* data: serial of the command-pipe URB it waits for (0: none) */
	uint64_t submit_frame;
	int64_t submit_ts;
	/* A data completion seen before the command it belongs to was known. */
	bool early;
	uint64_t complete_frame;
	int64_t complete_ts;
	int32_t status;
	uint8_t *copy;
	uint32_t copy_len;
	uint32_t moved;
};

struct utm {
	bool used;
	uint64_t serial;          /* command-pipe URB that carried it */
	uint16_t tag;
	uint8_t function;
	uint16_t task_tag;
	uint64_t lun;
	uint64_t iu_frame;
	uint8_t nframes;
	uint64_t frames[TM_FRAMES_MAX];
};

struct uas {
	struct storage_ctx *sc;
	uint16_t bus;
	uint16_t device;
	uint8_t interface;
	bool streams;

	struct ucmd **cmds;       /* in flight, in start order */
	unsigned ncmds, cmds_alloc;
	struct urec **urbs;
	unsigned nurbs, urbs_alloc;
	unsigned nearly;
	struct utm tms[UAS_TMS_MAX];

	struct ucmd *announced[2];/* [0] data-in (READ READY), [1] data-out (WRITE READY) */
	uint8_t stall_ep[2];
	struct ucmd *stall_cmd[2];
	uint64_t strays;          /* Sense/Response/READY IUs whose tag is not in flight */
};

/* ------------------------------------------------------------ helpers */

static int dir_index(uint8_t role)
{
	return role == EP_UAS_DATA_OUT ? 1 : 0;
}

static uint8_t role_dir(uint8_t role)
{
	return role == EP_UAS_DATA_OUT ? SCSI_DIR_OUT : SCSI_DIR_IN;
}

/* The 8-byte LUN field as a number (see the comment at the top). */
static uint64_t lun_number(const uint8_t *b, size_t len, size_t off)
{
	uint64_t raw = 0;
	uint8_t b0, b1;

	if (!get_be64(b, len, off, &raw))
		return 0;
	b0 = (uint8_t)(raw >> 56);
	b1 = (uint8_t)(raw >> 48);
	if ((raw & 0x0000ffffffffffffull) != 0)
		return raw;
	if ((b0 >> 6) == 0 && (b0 & 0x3f) == 0)
		return b1;                        /* peripheral device addressing, bus 0 */
	if ((b0 >> 6) == 1)
		return ((uint64_t)(b0 & 0x3f) << 8) | b1; /* flat space addressing */
	return raw;
}

static struct scsi_txn *S(struct ucmd *c)
{
	return &c->r->t.u.scsi;
}

static void cmd_touch(struct ucmd *c, uint64_t frame, int64_t ts)
{
	if (frame)
		txn_add_frame(c->r, frame);
	if (ts > c->last_ts)
		c->last_ts = ts;
}

static struct ucmd *find_cmd(struct uas *u, uint16_t tag)
{
	for (unsigned i = 0; i < u->ncmds; i++)
		if (u->cmds[i]->tag == tag && !u->cmds[i]->status_seen)
			return u->cmds[i];
	return NULL;
}

static struct ucmd *find_cmd_any(struct uas *u, uint16_t tag)
{
	for (unsigned i = 0; i < u->ncmds; i++)
		if (u->cmds[i]->tag == tag)
			return u->cmds[i];
	return NULL;
}

static struct urec *find_urb(struct uas *u, uint64_t serial)
{
	for (unsigned i = u->nurbs; i-- > 0;)
		if (u->urbs[i]->serial == serial)
			return u->urbs[i];
	return NULL;
}

static void urec_free(struct uas *u, struct urec *d)
{
	if (d->early && u->nearly)
		u->nearly--;
	free(d->copy);
	free(d);
}

static void urb_remove(struct uas *u, struct urec *d)
{
	for (unsigned i = 0; i < u->nurbs; i++) {
		if (u->urbs[i] == d) {
			memmove(&u->urbs[i], &u->urbs[i + 1], (u->nurbs - i - 1) * sizeof(*u->urbs));
			u->nurbs--;
			break;
		}
	}
	urec_free(u, d);
}

static struct urec *urb_add(struct uas *u, const struct urb *urb, uint8_t kind, uint8_t role)
{
	struct urec *d;

	if (u->nurbs >= UAS_URBS_MAX) {
		/* Forget the oldest: a capture that never completes its URBs
		 * must not make us grow.  Its command no longer waits for it. */
		struct urec *old = u->urbs[0];
		if (old->cmd && !old->orphan && old->cmd->outstanding)
			old->cmd->outstanding--;
		urb_remove(u, old);
	}
	if (u->nurbs == u->urbs_alloc) {
		unsigned na = u->urbs_alloc ? u->urbs_alloc * 2 : 16;
		struct urec **nu = realloc(u->urbs, na * sizeof(*nu));
		if (!nu)
			return NULL;
		u->urbs = nu;
		u->urbs_alloc = na;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->serial = urb->serial;
	d->kind = kind;
	d->role = role;
	d->ep = urb->endpoint;
	d->tm = -1;
	d->submit_frame = urb->has_submit ? urb->submit_frame : 0;
	d->submit_ts = urb->submit_ts;
	u->urbs[u->nurbs++] = d;
	return d;
}

static void mark_inferred(struct uas *u, struct ucmd *c)
{
	S(c)->data_inferred = true;
	if (c->inferred_noted)
		return;
	c->inferred_noted = true;
	if (u->streams)
		txn_add_finding(c->r, "uas-stream-inferred", SEV_INFO, NULL, 0,
				"data URBs tied to tag %u by submission order: the capture records no stream id",
				(unsigned)c->tag);
	else
		txn_add_finding(c->r, "uas-data-inferred", SEV_INFO, NULL, 0,
				"data URBs tied to tag %u by submission order: no READ READY/WRITE READY IU announced them",
				(unsigned)c->tag);
}

/* ------------------------------------------------- task management notes */

static bool tm_names(const struct utm *tm, const struct ucmd *c)
{
	switch (tm->function) {
	case TM_ABORT_TASK:
	case TM_QUERY_TASK:
		return c->tag == tm->task_tag;
	case TM_ABORT_TASK_SET:
	case TM_CLEAR_TASK_SET:
	case TM_LOGICAL_UNIT_RESET:
		return c->lun == tm->lun;
	case TM_I_T_NEXUS_RESET:
		return true;
	default:
		return false;
	}
}

static const char *tm_name(uint8_t f, char *buf, size_t n)
{
	const char *s = uas_tm_function_name(f);
	if (s)
		return s;
	snprintf(buf, n, "reserved function %02Xh", f);
	return buf;
}

static const char *rc_name(uint8_t code, char *buf, size_t n)
{
	const char *s = uas_response_code_name(code);
	if (s)
		return s;
	snprintf(buf, n, "reserved code %02Xh", code);
	return buf;
}

static void tm_add_frames(struct ucmd *c, const struct utm *tm)
{
	for (unsigned i = 0; i < tm->nframes; i++)
		txn_add_frame(c->r, tm->frames[i]);
}

static void tm_add_frame(struct utm *tm, uint64_t frame)
{
	if (!frame)
		return;
	for (unsigned i = 0; i < tm->nframes; i++)
		if (tm->frames[i] == frame)
			return;
	if (tm->nframes < TM_FRAMES_MAX)
		tm->frames[tm->nframes++] = frame;
}

/* A command ends while a TM naming it is still unanswered. */
static void note_pending_tms(struct uas *u, struct ucmd *c)
{
	char b[40];

	for (unsigned i = 0; i < UAS_TMS_MAX; i++) {
		struct utm *tm = &u->tms[i];
		if (!tm->used || !tm_names(tm, c))
			continue;
		tm_add_frames(c, tm);
		txn_add_finding(c->r, "uas-task-management", SEV_WARNING, &tm->iu_frame, 1,
				"%s (tag %u, frame %llu) named this command; no response to it before the command ended",
				tm_name(tm->function, b, sizeof(b)), (unsigned)tm->tag,
				(unsigned long long)tm->iu_frame);
	}
}

/* ------------------------------------------------------------- sense */

/* Fill a struct sense from fixed or descriptor sense data (SPC-4 4.5);
 * false when the bytes are neither. */
static bool sense_fill(struct sense *out, const uint8_t *buf, uint32_t len, uint64_t frame, enum sense_source src)
{
	struct sense_info si;

	if (!buf || !len)
		return false;
	if (len > SENSE_MAX)
		len = SENSE_MAX;
	memset(&si, 0, sizeof(si));
	if (!scsi_sense_parse(buf, len, &si) || !si.valid)
		return false;
	memset(out, 0, sizeof(*out));
	out->source = (uint8_t)src;
	out->frame = frame;
	out->response_code = si.response_code;
	out->key = si.key;
	out->asc = si.asc;
	out->ascq = si.ascq;
	out->len = (uint8_t)len;
	memcpy(out->raw, buf, len);
	return true;
}

/* A REQUEST SENSE's own sense is the data it returned (trimmed to 8 bytes
 * plus its ADDITIONAL SENSE LENGTH, byte 7). */
static void request_sense_data(struct ucmd *c)
{
	struct scsi_txn *s = S(c);
	struct payload p;
	uint8_t add;
	uint32_t n;

	if (s->cdb_len == 0 || s->cdb[0] != 0x03 || s->sense.source != SENSE_NONE || s->status != 0 || !c->r->data)
		return;
	payload_acc_view(c->r->data, &p);
	n = p.head_len;
	if (get_u8(p.head, n, 7, &add) && (uint32_t)add + 8 < n)
		n = (uint32_t)add + 8;
	(void)sense_fill(&s->sense, p.head, n, c->data_frame, SENSE_OWN_DATA);
}

/* ------------------------------------------------------------- ending */

static void cmd_remove(struct uas *u, struct ucmd *c)
{
	for (unsigned i = 0; i < u->ncmds; i++) {
		if (u->cmds[i] == c) {
			memmove(&u->cmds[i], &u->cmds[i + 1], (u->ncmds - i - 1) * sizeof(*u->cmds));
			u->ncmds--;
			break;
		}
	}
}

/* Hand the command over (storage_scsi_done), whatever is still open. */
static void cmd_done(struct uas *u, struct ucmd *c, enum txn_end end)
{
	struct scsi_txn *s = S(c);

	note_pending_tms(u, c);
	for (unsigned i = 0; i < u->nurbs; i++)
		if (u->urbs[i]->cmd == c) {
			u->urbs[i]->cmd = NULL;
			u->urbs[i]->orphan = true;
		}
	for (int i = 0; i < 2; i++) {
		if (u->announced[i] == c)
			u->announced[i] = NULL;
		if (u->stall_cmd[i] == c)
			u->stall_cmd[i] = NULL;
	}
	s->end = (uint8_t)end;
	if (!s->ts_end)
		s->ts_end = c->last_ts;
	request_sense_data(c);
	if (c->r->nframes)
		s->last_frame = c->r->frames[c->r->nframes - 1];
	cmd_remove(u, c);
	storage_scsi_done(u->sc, c->r);
	free(c);
}

/* Status seen: end now if nothing of the command is still on the bus. */
static void finish_if_idle(struct uas *u, struct ucmd *c)
{
	if (c->status_seen && c->outstanding == 0)
		cmd_done(u, c, TXN_END_STATUS);
}

/* --------------------------------------------------------------- data */

static void data_apply(struct uas *u, struct ucmd *c, uint8_t role, uint8_t ep, uint64_t frame, int64_t ts,
		       int32_t status, const uint8_t *data, uint32_t caplen, uint32_t moved)
{
	cmd_touch(c, frame, ts);
	txn_add_data(c->r, data, caplen, moved);
	if (frame)
		c->data_frame = frame;
	if (status == -ST_EPIPE) {
		int i = dir_index(role);
		u->stall_ep[i] = ep;
		u->stall_cmd[i] = c;
		txn_add_finding(c->r, "uas-pipe-stall", SEV_WARNING, frame ? &frame : NULL, frame ? 1 : 0,
				"the data-%s pipe (endpoint %02Xh) stalled", role == EP_UAS_DATA_OUT ? "out" : "in",
				ep);
	}
}

static void set_data_dir(struct ucmd *c, uint8_t role)
{
	if (!c->dir_from_cdb)
		S(c)->direction = role_dir(role);
}

/* Tie a tracked data URB to its command. */
static void bind_data(struct uas *u, struct urec *d, struct ucmd *c, bool inferred)
{
	d->cmd = c;
	d->attach = 0;
	set_data_dir(c, d->role);
	cmd_touch(c, d->submit_frame, d->submit_ts);
	if (inferred)
		mark_inferred(u, c);
	if (d->early) {
		data_apply(u, c, d->role, d->ep, d->complete_frame, d->complete_ts, d->status, d->copy, d->copy_len,
			   d->moved);
		urb_remove(u, d);
		return;
	}
	c->outstanding++;
}

/* The newest command in flight that this pipe's data can belong to. */
static struct ucmd *guess_cmd(struct uas *u, uint8_t role)
{
	uint8_t want = role_dir(role);
	struct ucmd *fallback = NULL;

	for (unsigned i = u->ncmds; i-- > 0;) {
		struct ucmd *c = u->cmds[i];
		if (c->dir_from_cdb && S(c)->direction != want)
			continue;
		if (!c->status_seen)
			return c;
		if (!fallback)
			fallback = c;
	}
	return fallback;
}

static struct ucmd *announced_cmd(struct uas *u, uint8_t role)
{
	return u->announced[dir_index(role)];
}

static void data_submit(struct uas *u, const struct urb *urb, uint8_t role)
{
	struct urec *d = urb_add(u, urb, UR_DATA, role);
	struct ucmd *c;

	if (!d)
		return;
	c = announced_cmd(u, role);
	if (c)
		bind_data(u, d, c, false);
	/* else: unbound; the next command-pipe submit takes it */
}

static void data_complete(struct uas *u, const struct urb *urb, uint8_t role)
{
	struct urec *d = find_urb(u, urb->serial);
	struct ucmd *c;
	bool inferred = false;

	if (d && d->kind != UR_DATA)
		return;
	if (d && d->orphan) {
		urb_remove(u, d);
		return;
	}
	if (d && d->cmd) {
		c = d->cmd;
		urb_remove(u, d);
		if (c->outstanding)
			c->outstanding--;
		if (urb->has_complete)
			data_apply(u, c, role, urb->endpoint, urb->complete_frame, urb->complete_ts, urb->status,
				   urb->data, urb->caplen, urb->moved);
		finish_if_idle(u, c);
		return;
	}
	if (!urb->has_complete) {         /* never completed, never bound */
		if (d)
			urb_remove(u, d);
		return;
	}
	if (d && d->attach) {
		/* Its Command IU was submitted but not yet read (its bytes
		 * come with the completion, as on macOS): keep this until
		 * then. */
		d->early = true;
		u->nearly++;
		d->complete_frame = urb->complete_frame;
		d->complete_ts = urb->complete_ts;
		d->status = urb->status;
		d->moved = urb->moved;
		if (u->nearly <= UAS_EARLY_MAX && urb->caplen && urb->data) {
			uint32_t n = urb->caplen < UAS_EARLY_COPY_MAX ? urb->caplen : UAS_EARLY_COPY_MAX;
			d->copy = malloc(n);
			if (d->copy) {
				memcpy(d->copy, urb->data, n);
				d->copy_len = n;
			}
		}
		return;
	}
	/* Unbound: announced, else the newest command that fits. */
	c = announced_cmd(u, role);
	if (!c) {
		c = guess_cmd(u, role);
		inferred = true;
	}
	if (d)
		urb_remove(u, d);
	if (!c)
		return;
	set_data_dir(c, role);
	cmd_touch(c, urb->has_submit ? urb->submit_frame : 0, urb->submit_ts);
	if (inferred)
		mark_inferred(u, c);
	data_apply(u, c, role, urb->endpoint, urb->complete_frame, urb->complete_ts, urb->status, urb->data,
		   urb->caplen, urb->moved);
	finish_if_idle(u, c);
}

/* Data URBs waiting for command-pipe URB `serial` are released (it was
 * not a Command IU): early completions go to the newest fitting command. */
static void release_attached(struct uas *u, uint64_t serial)
{
	for (unsigned i = 0; i < u->nurbs;) {
		struct urec *d = u->urbs[i];
		if (d->kind != UR_DATA || d->attach != serial) {
			i++;
			continue;
		}
		d->attach = 0;
		if (d->early) {
			struct ucmd *c = guess_cmd(u, d->role);
			if (c) {
				bind_data(u, d, c, true);   /* removes d */
				finish_if_idle(u, c);
			} else {
				urb_remove(u, d);
			}
			continue;
		}
		i++;
	}
}

/* ------------------------------------------------------- command pipe */

static void end_overlapped(struct uas *u, struct ucmd *old, uint64_t new_frame)
{
	uint64_t fr[2] = { S(old)->frame, new_frame };

	txn_add_finding(old->r, "uas-tag-overlap", SEV_ERROR, fr, 2,
			"tag %u was used again by the Command IU at frame %llu while this command was in flight",
			(unsigned)old->tag, (unsigned long long)new_frame);
	cmd_done(u, old, TXN_END_SUPERSEDED);
}

static void command_iu(struct uas *u, struct urec *rec, const struct urb *urb, bool at_submit, const uint8_t *b,
		       uint32_t len, uint64_t frame)
{
	uint16_t tag = 0;
	uint8_t addl = 0, addl_words;
	uint32_t carried, avail, n;
	struct ucmd *c, *old;
	struct scsi_txn *s;
	struct cdb_info ci;
	uint64_t exp;
	uint64_t overlapped_frame = 0;

	(void)get_be16(b, len, 2, &tag);
	(void)get_u8(b, len, 6, &addl);
	addl_words = (uint8_t)(addl >> 2);          /* bits 7-2; bits 1-0 reserved */

	old = find_cmd(u, tag);
	if (old) {
		overlapped_frame = S(old)->frame;
		end_overlapped(u, old, frame);
	}
	/* A command whose status came but whose URBs are still open ends now. */
	while ((old = find_cmd_any(u, tag)) != NULL)
		cmd_done(u, old, TXN_END_STATUS);
	if (u->ncmds >= UAS_CMDS_MAX) {
		struct ucmd *o = u->cmds[0];
		txn_add_finding(o->r, "uas-too-many-in-flight", SEV_WARNING, NULL, 0,
				"more than %u commands in flight on this interface: the oldest is given up",
				UAS_CMDS_MAX);
		cmd_done(u, o, TXN_END_SUPERSEDED);
	}
	if (u->ncmds == u->cmds_alloc) {
		unsigned na = u->cmds_alloc ? u->cmds_alloc * 2 : 8;
		struct ucmd **nc = realloc(u->cmds, na * sizeof(*nc));
		if (!nc)
			return;
		u->cmds = nc;
		u->cmds_alloc = na;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return;
	c->r = txn_begin(storage_emitter(u->sc), TXN_SCSI, frame);
	if (!c->r) {
		free(c);
		return;
	}
	c->tag = tag;
	c->lun = lun_number(b, len, 8);
	s = S(c);
	s->frame = frame;
	s->ts_start = urb->has_submit ? urb->submit_ts : urb->complete_ts;
	c->last_ts = s->ts_start;
	s->bus = u->bus;
	s->device = u->device;
	s->interface = u->interface;
	s->transport = TRANSPORT_UAS;
	s->lun = c->lun;
	s->tag = tag;
	s->status = -1;
	s->csw_status = -1;
	s->uas_response = -1;
	s->end = TXN_END_STATUS;

	carried = 16u + 4u * addl_words;   /* CDB bytes the IU carries */
	avail = len > CMD_IU_CDB_OFF ? len - CMD_IU_CDB_OFF : 0;
	n = carried < avail ? carried : avail;
	if (n > SCSI_CDB_MAX)
		n = SCSI_CDB_MAX;
	if (n)
		memcpy(s->cdb, b + CMD_IU_CDB_OFF, n);
	s->cdb_len = (uint8_t)n;
	if (avail < carried && urb->truncated)
		txn_add_finding(c->r, "uas-truncated-iu", SEV_INFO, &frame, 1,
				"the capture holds %u of the %u CDB bytes of this Command IU", avail, carried);
	else if (avail < carried)
		txn_add_finding(c->r, "uas-short-iu", SEV_ERROR, &frame, 1,
				"Command IU of %u bytes; its additional CDB length needs %u",
				len, CMD_IU_CDB_OFF + carried);
	else if (carried > SCSI_CDB_MAX)
		txn_add_finding(c->r, "uas-cdb-too-long", SEV_WARNING, &frame, 1,
				"CDB of %u bytes; the first %u are kept", carried, SCSI_CDB_MAX);

	scsi_cdb_decode(s->cdb, s->cdb_len, &ci);
	if (ci.dir_known) {
		s->direction = ci.dir;
		c->dir_from_cdb = true;
	}
	exp = scsi_cdb_expected_bytes(&ci, storage_block_size(u->sc, u->bus, u->device, c->lun));
	if (exp == UINT64_MAX) {
		exp = 0;
		s->expected_unknown = true;
	}
	s->expected_bytes = exp > UINT32_MAX ? UINT32_MAX : (uint32_t)exp;

	if (overlapped_frame) {
		uint64_t fr[2] = { overlapped_frame, frame };
		txn_add_finding(c->r, "uas-tag-overlap", SEV_ERROR, fr, 2,
				"tag %u was still in flight for the Command IU at frame %llu", (unsigned)tag,
				(unsigned long long)overlapped_frame);
	}
	u->cmds[u->ncmds++] = c;

	rec->cmd = c;
	cmd_touch(c, rec->submit_frame, rec->submit_ts);
	if (at_submit)
		c->outstanding++;         /* its completion is still to come */
	else
		cmd_touch(c, urb->complete_frame, urb->complete_ts);
	/* Data URBs submitted since the previous command-pipe submit. */
	for (unsigned i = 0; i < u->nurbs;) {
		struct urec *d = u->urbs[i];
		if (d->kind == UR_DATA && d->attach == rec->serial && !d->cmd) {
			bool early = d->early;
			bind_data(u, d, c, true);   /* an early one is removed */
			if (!early)
				i++;
			continue;
		}
		i++;
	}
}

static void tm_iu(struct uas *u, struct urec *rec, const uint8_t *b, uint32_t len, uint64_t frame)
{
	struct utm *tm = NULL;
	uint16_t tag = 0, task_tag = 0;
	uint8_t fn = 0;

	if (len < TM_IU_LEN)
		return;
	(void)get_be16(b, len, 2, &tag);
	(void)get_u8(b, len, 4, &fn);
	(void)get_be16(b, len, 6, &task_tag);
	for (unsigned i = 0; i < UAS_TMS_MAX; i++) {
		if (u->tms[i].used && u->tms[i].tag == tag) {
			tm = &u->tms[i];  /* a TM reusing the tag of an unanswered one replaces it */
			break;
		}
	}
	for (unsigned i = 0; !tm && i < UAS_TMS_MAX; i++)
		if (!u->tms[i].used)
			tm = &u->tms[i];
	if (!tm)
		tm = &u->tms[0];          /* full: the oldest slot is reused */
	memset(tm, 0, sizeof(*tm));
	tm->used = true;
	tm->serial = rec->serial;
	tm->tag = tag;
	tm->function = fn;
	tm->task_tag = task_tag;
	tm->lun = lun_number(b, len, 8);
	tm->iu_frame = frame;
	tm_add_frame(tm, rec->submit_frame);
	tm_add_frame(tm, frame);
	rec->tm = (int)(tm - u->tms);
}

/* Parse the IU of a command-pipe URB (at submit, or at completion when
 * only the completion carries the bytes). */
static void cmdpipe_parse(struct uas *u, struct urec *rec, const struct urb *urb, bool at_submit)
{
	uint64_t frame = at_submit ? urb->submit_frame : urb->complete_frame;
	uint8_t id = 0;

	if (!urb->data || urb->caplen < IU_HDR_LEN || urb->submit_error)
		return;
	rec->parsed = true;
	(void)get_u8(urb->data, urb->caplen, 0, &id);
	if (id == UAS_IU_COMMAND && urb->caplen >= CMD_IU_CDB_OFF)
		command_iu(u, rec, urb, at_submit, urb->data, urb->caplen, frame);
	else if (id == UAS_IU_TASK_MGMT)
		tm_iu(u, rec, urb->data, urb->caplen, frame);
	if (!rec->cmd)
		release_attached(u, rec->serial);
}

static void cmdpipe_submit(struct uas *u, const struct urb *urb)
{
	struct urec *rec = urb_add(u, urb, UR_CMDPIPE, EP_UAS_COMMAND);

	if (!rec)
		return;
	/* Data URBs submitted since the previous command-pipe submit wait
	 * for this IU (streams order, see the top of the file). */
	for (unsigned i = 0; i < u->nurbs; i++) {
		struct urec *d = u->urbs[i];
		if (d->kind == UR_DATA && !d->cmd && !d->orphan && !d->attach)
			d->attach = rec->serial;
	}
	cmdpipe_parse(u, rec, urb, true);
}

static void cmdpipe_complete(struct uas *u, const struct urb *urb)
{
	struct urec *rec = find_urb(u, urb->serial);
	struct ucmd *c;

	if (rec && rec->kind != UR_CMDPIPE)
		return;
	if (!rec) {
		/* Submit not captured (or forgotten): read the completion. */
		struct urec tmp;
		if (!urb->has_complete)
			return;
		memset(&tmp, 0, sizeof(tmp));
		tmp.serial = urb->serial;
		tmp.kind = UR_CMDPIPE;
		tmp.tm = -1;
		tmp.submit_frame = urb->has_submit ? urb->submit_frame : 0;
		tmp.submit_ts = urb->submit_ts;
		cmdpipe_parse(u, &tmp, urb, false);
		if (tmp.tm >= 0)
			tm_add_frame(&u->tms[tmp.tm], urb->complete_frame);
		return;
	}
	if (!rec->parsed && urb->has_complete)
		cmdpipe_parse(u, rec, urb, false);   /* macOS: the OUT bytes come with the completion */
	if (!rec->cmd)
		release_attached(u, rec->serial);
	if (rec->tm >= 0 && u->tms[rec->tm].used && u->tms[rec->tm].serial == rec->serial)
		tm_add_frame(&u->tms[rec->tm], urb->complete_frame);
	c = rec->orphan ? NULL : rec->cmd;
	urb_remove(u, rec);
	if (!c)
		return;
	if (urb->has_complete)
		cmd_touch(c, urb->complete_frame, urb->complete_ts);
	if (c->outstanding)
		c->outstanding--;
	if (urb->submit_error) {
		txn_add_finding(c->r, "uas-command-not-sent", SEV_ERROR, NULL, 0,
				"submitting the Command IU failed (status %d): it never reached the device",
				(int)urb->status);
		cmd_done(u, c, TXN_END_ABORTED);
		return;
	}
	if (urb->has_complete && urb->status != 0) {
		uint64_t f = urb->complete_frame;
		txn_add_finding(c->r, "uas-command-urb-error", SEV_WARNING, &f, 1,
				"the Command IU URB completed with status %d", (int)urb->status);
	}
	finish_if_idle(u, c);
}

/* --------------------------------------------------------- status pipe */

static void status_frames(struct ucmd *c, const struct urb *urb)
{
	cmd_touch(c, urb->has_submit ? urb->submit_frame : 0, urb->submit_ts);
	cmd_touch(c, urb->complete_frame, urb->complete_ts);
}

static void sense_iu(struct uas *u, const struct urb *urb, const uint8_t *b, uint32_t len, uint16_t tag)
{
	struct ucmd *c = find_cmd(u, tag);
	struct scsi_txn *s;
	uint8_t status;
	uint16_t slen = 0;
	uint64_t f = urb->complete_frame;

	if (!c) {
		u->strays++;
		return;
	}
	s = S(c);
	status_frames(c, urb);
	s->ts_end = urb->complete_ts;
	c->status_seen = true;
	if (get_u8(b, len, 6, &status)) {
		s->status = status;
	} else {
		txn_add_finding(c->r, "uas-truncated-iu", SEV_WARNING, &f, 1,
				"the Sense IU holds %u bytes: no status byte", len);
	}
	if (get_be16(b, len, 14, &slen) && slen > 0) {
		uint32_t avail = len > SENSE_IU_DATA_OFF ? len - SENSE_IU_DATA_OFF : 0;
		uint32_t n = slen < avail ? slen : avail;

		if (n && !sense_fill(&s->sense, b + SENSE_IU_DATA_OFF, n, f, SENSE_UAS_IU))
			txn_add_finding(c->r, "uas-bad-sense", SEV_WARNING, &f, 1,
					"the Sense IU's %u bytes of sense data are neither fixed nor descriptor format",
					n);
		if (avail < slen && !urb->truncated)
			txn_add_finding(c->r, "uas-short-iu", SEV_ERROR, &f, 1,
					"Sense IU of %u bytes; its length field says %u bytes of sense data follow",
					len, (unsigned)slen);
	}
	for (int i = 0; i < 2; i++)
		if (u->announced[i] == c)
			u->announced[i] = NULL;
	finish_if_idle(u, c);
}

static bool tm_ends(uint8_t fn, enum txn_end *end)
{
	switch (fn) {
	case TM_ABORT_TASK:
	case TM_ABORT_TASK_SET:
	case TM_CLEAR_TASK_SET:
		*end = TXN_END_ABORTED;
		return true;
	case TM_LOGICAL_UNIT_RESET:
	case TM_I_T_NEXUS_RESET:
		*end = TXN_END_RESET;
		return true;
	default:
		return false;
	}
}

/* The Response IU to a Task Management IU. */
static void tm_response(struct uas *u, struct utm *tm, const struct urb *urb, uint8_t code)
{
	struct utm t = *tm;
	enum txn_end end = TXN_END_ABORTED;
	bool ok = code == RC_TM_COMPLETE || code == RC_TM_SUCCEEDED;
	bool ending = ok && tm_ends(t.function, &end);
	char b1[40], b2[48];
	uint64_t fr[2] = { t.iu_frame, urb->complete_frame };

	tm->used = false;          /* before ending commands: no "pending" note */
	tm_add_frame(&t, urb->has_submit ? urb->submit_frame : 0);
	tm_add_frame(&t, urb->complete_frame);
	for (unsigned i = 0; i < u->ncmds;) {
		struct ucmd *c = u->cmds[i];
		if (!tm_names(&t, c)) {
			i++;
			continue;
		}
		tm_add_frames(c, &t);
		cmd_touch(c, 0, urb->complete_ts);
		txn_add_finding(c->r, "uas-task-management", ending ? SEV_INFO : SEV_WARNING, fr, 2,
				"%s (tag %u, frame %llu) for this command: %s (frame %llu)%s",
				tm_name(t.function, b1, sizeof(b1)), (unsigned)t.tag,
				(unsigned long long)t.iu_frame, rc_name(code, b2, sizeof(b2)),
				(unsigned long long)urb->complete_frame,
				ending ? (end == TXN_END_RESET ? "; the command was reset" : "; the command was aborted")
				       : "");
		if (ending) {
			if (!c->status_seen)
				S(c)->ts_end = urb->complete_ts;
			cmd_done(u, c, c->status_seen ? TXN_END_STATUS : end);   /* removes c */
			continue;
		}
		i++;
	}
}

static void response_iu(struct uas *u, const struct urb *urb, const uint8_t *b, uint32_t len, uint16_t tag)
{
	uint8_t code = 0;
	struct ucmd *c;
	char nb[48];
	uint64_t f = urb->complete_frame;

	if (!get_u8(b, len, 7, &code))
		return;
	for (unsigned i = 0; i < UAS_TMS_MAX; i++) {
		if (u->tms[i].used && u->tms[i].tag == tag) {
			tm_response(u, &u->tms[i], urb, code);
			return;
		}
	}
	c = find_cmd(u, tag);
	if (!c) {
		u->strays++;
		return;
	}
	status_frames(c, urb);
	S(c)->ts_end = urb->complete_ts;
	S(c)->uas_response = code;
	S(c)->status = -1;
	c->status_seen = true;
	if (code != RC_TM_COMPLETE && code != RC_TM_SUCCEEDED)
		txn_add_finding(c->r, "uas-response-iu", SEV_ERROR, &f, 1,
				"the device answered the Command IU with a Response IU: %s (%02Xh)",
				rc_name(code, nb, sizeof(nb)), code);
	for (int i = 0; i < 2; i++)
		if (u->announced[i] == c)
			u->announced[i] = NULL;
	finish_if_idle(u, c);
}

static void ready_iu(struct uas *u, const struct urb *urb, uint16_t tag, uint8_t role)
{
	struct ucmd *c = find_cmd(u, tag);

	if (!c) {
		u->strays++;
		return;
	}
	status_frames(c, urb);
	set_data_dir(c, role);
	u->announced[dir_index(role)] = c;
}

static void status_complete(struct uas *u, const struct urb *urb)
{
	const uint8_t *b = urb->data;
	uint32_t len = urb->caplen;
	uint8_t id = 0;
	uint16_t tag = 0;

	if (!urb->has_complete || urb->submit_error || !b)
		return;
	if (len > urb->moved)
		len = urb->moved;         /* bytes beyond the transfer are not the IU */
	if (!get_u8(b, len, 0, &id) || !get_be16(b, len, 2, &tag))
		return;
	switch (id) {
	case UAS_IU_SENSE:
		sense_iu(u, urb, b, len, tag);
		break;
	case UAS_IU_RESPONSE:
		response_iu(u, urb, b, len, tag);
		break;
	case UAS_IU_READ_READY:
		ready_iu(u, urb, tag, EP_UAS_DATA_IN);
		break;
	case UAS_IU_WRITE_READY:
		ready_iu(u, urb, tag, EP_UAS_DATA_OUT);
		break;
	default:
		break;
	}
}

/* ---------------------------------------------------------- interface */

struct uas *uas_new(struct storage_ctx *sc, uint16_t bus, uint16_t device, uint8_t interface, bool streams)
{
	struct uas *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	u->sc = sc;
	u->bus = bus;
	u->device = device;
	u->interface = interface;
	u->streams = streams;
	return u;
}

bool uas_urb(struct uas *u, const struct urb *urb, bool at_submit, uint8_t role)
{
	uint64_t before;

	if (!u || !urb)
		return false;
	before = u->strays;
	switch (role) {
	case EP_UAS_COMMAND:
		if (at_submit)
			cmdpipe_submit(u, urb);
		else
			cmdpipe_complete(u, urb);
		break;
	case EP_UAS_STATUS:
		if (!at_submit)
			status_complete(u, urb);
		break;
	case EP_UAS_DATA_IN:
	case EP_UAS_DATA_OUT:
		if (at_submit)
			data_submit(u, urb, role);
		else
			data_complete(u, urb, role);
		break;
	default:
		break;
	}
	return u->strays == before;
}

void uas_clear_halt(struct uas *u, uint8_t ep, uint64_t frame)
{
	if (!u)
		return;
	for (int i = 0; i < 2; i++) {
		if (u->stall_cmd[i] && u->stall_ep[i] == ep) {
			txn_add_frame(u->stall_cmd[i]->r, frame);
			u->stall_cmd[i] = NULL;
		}
	}
}

static void end_all(struct uas *u, enum txn_end end)
{
	while (u->ncmds)
		cmd_done(u, u->cmds[0], u->cmds[0]->status_seen ? TXN_END_STATUS : end);
	while (u->nurbs)
		urb_remove(u, u->urbs[u->nurbs - 1]);
	memset(u->tms, 0, sizeof(u->tms));
	u->announced[0] = u->announced[1] = NULL;
	u->stall_cmd[0] = u->stall_cmd[1] = NULL;
}

void uas_gone(struct uas *u, uint64_t frame)
{
	if (!u)
		return;
	for (unsigned i = 0; i < u->ncmds; i++)
		if (!u->cmds[i]->status_seen && frame)
			txn_add_frame(u->cmds[i]->r, frame);
	end_all(u, TXN_END_DEVICE_GONE);
}

void uas_finish(struct uas *u)
{
	if (!u)
		return;
	end_all(u, TXN_END_CAPTURE);
}

void uas_free(struct uas *u)
{
	if (!u)
		return;
	/* Commands still open (no uas_finish) are dropped, never delivered. */
	while (u->ncmds) {
		struct ucmd *c = u->cmds[--u->ncmds];
		txn_drop(storage_emitter(u->sc), c->r);
		free(c);
	}
	while (u->nurbs)
		urb_remove(u, u->urbs[u->nurbs - 1]);
	free(u->cmds);
	free(u->urbs);
	free(u);
}

/* ------------------------------------------------------------- names */

static const char *name_of(const struct uas_name *t, size_t n, uint8_t code)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].code == code)
			return t[i].name;
	return NULL;
}

const char *uas_tm_function_name(uint8_t code)
{
	return name_of(uas_tm_functions, uas_tm_functions_count, code);
}

const char *uas_response_code_name(uint8_t code)
{
	return name_of(uas_response_codes, uas_response_codes_count, code);
}
