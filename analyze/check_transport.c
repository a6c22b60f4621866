/* check_transport.c - the transport family of lint checks: Bulk-Only data phases, residues and the thirteen cases, UAS data phases and stray IUs, USB errors, capture gaps. */
#include "config.h"

#include <string.h>

#include "analyze/lint_family.h"
#include "decode/scsi.h"

/*
 * Checks, per transaction:
 *  - bot-missing-data-phase: a BOT command that PASSED (bCSWStatus 0) with
 *    dCBWDataTransferLength > 0 and no data byte moved.  A FAILED command
 *    without data is the legal case Hi>Dn / Ho>Dn (BOT 6.7.2 case 4, 6.7.3
 *    case 9: the device rejected the command), so it stays silent.  Error
 *    when the residue claims data moved, warning when the residue admits
 *    it (the device passed a data command without its data).
 *  - bot-residue-mismatch: BOT 5.2 / 6.7: dCSWDataResidue is expected
 *    minus the RELEVANT data the device processed; a device may pad a
 *    data-in phase or swallow the rest of a data-out phase (cases Hi>Di,
 *    Ho>Do), so residue > expected - moved is legal.  Flagged: residue >
 *    expected, or residue < expected - moved (the device claims bytes that
 *    never crossed the bus).  Only for commands ended by a complete CSW
 *    with no capture-gap/capture-truncated finding.
 *  - bot-phase-error: bCSWStatus 02h, naming the case of BOT 6.7 (table
 *    below) from the host's expectation (the CBW) and the device's intent
 *    (the CDB's own direction and length; the bytes that moved when the
 *    CDB does not say); also, without a phase error, a device that moved
 *    more bytes than the CBW allowed (cases 7 / 13) or data in the
 *    direction opposite to the CBW's.
 *  - uas-missing-data-phase: a UAS command ended by GOOD status whose CDB
 *    moves data (direction and length known, > 0) but no byte moved: no
 *    data URB carried anything.  A failed command without data is legal.
 *  - usb-device-gone: a SCSI command ended by the device disconnecting.
 *  - usb-urb-error: USB notes with an error status, severity by status
 *    (Linux errno values, include/uapi/asm-generic/errno*.h, as usbmon and
 *    capture.h report them): -71 EPROTO, -84 EILSEQ, -75 EOVERFLOW
 *    (babble), -63 ENOSR, -70 ECOMM: error; -110 ETIMEDOUT, -62 ETIME,
 *    -32 EPIPE (stall on a non-storage endpoint), -18 EXDEV and the rest:
 *    warning; -2 ENOENT / -104 ECONNRESET (unlinked): info.
 *  - capture-gap: a BOT CBW tag that does not follow the previous one by
 *    1 once the device has shown a +1 sequence (Linux usb-storage
 *    increments dCBWTag per command) three times in a row: commands are
 *    missing from the capture.  A jump backwards or by TAG_GAP_MAX or more
 *    is another numbering (libusb taking over from the kernel driver, a
 *    restart), not a gap.  And a command ended by the capture (info).
 *  - uas-orphan-sense: a stray storage-pipe IN URB (USB_NOTE_STRAY) on a
 *    device known to be UAS: a Sense/Response/READY IU for a tag not in
 *    flight.  A stray seen before the device's first UAS command is kept
 *    (first frame and count per device) and reported at the end.
 *
 * Memory: fixed state block, TP_DEVS_MAX devices; devices beyond that are
 * not tracked (no tag sequence, no orphan report).
 */

#define TP_DEVS_MAX 64
#define TAG_RUN_MIN 3   /* +1 steps before a jump counts as a gap */
#define TAG_GAP_MAX 65536 /* a larger jump, or one backwards, is another numbering (a new program, a restart), not lost commands */

struct tp_dev {
	bool used;
	uint16_t bus, device;
	uint8_t transport;            /* enum transport of the SCSI commands seen */
	bool have_tag;
	uint32_t last_tag;
	uint64_t last_frame;
	unsigned run;                 /* consecutive +1 tag steps */
	uint64_t early_strays;        /* strays before the transport was known */
	uint64_t early_frame;
};

struct tp_state {
	struct tp_dev devs[TP_DEVS_MAX];
};

static struct tp_dev *dev_of(struct tp_state *st, uint16_t bus, uint16_t device)
{
	if (!st)
		return NULL;
	for (unsigned i = 0; i < TP_DEVS_MAX; i++) {
		struct tp_dev *d = &st->devs[i];
		if (!d->used) {
			d->used = true;
			d->bus = bus;
			d->device = device;
			return d;
		}
		if (d->bus == bus && d->device == device)
			return d;
	}
	return NULL;
}

static bool has_finding(const struct scsi_txn *s, const char *id)
{
	for (uint32_t i = 0; i < s->nfindings; i++)
		if (s->findings[i].id && !strcmp(s->findings[i].id, id))
			return true;
	return false;
}

/* ------------------------------------------------------------------ BOT */

/* BOT 6.7: the thirteen cases, host expectation x device intent. */
enum { H_N = 0, H_I, H_O };
enum { D_N = 0, D_I, D_O, D_UNKNOWN };

static const char *const case_names[14] = {
	"", "(1) Hn=Dn", "(2) Hn<Di", "(3) Hn<Do", "(4) Hi>Dn", "(5) Hi>Di", "(6) Hi=Di", "(7) Hi<Di",
	"(8) Hi<>Do", "(9) Ho>Dn", "(10) Ho<>Di", "(11) Ho>Do", "(12) Ho=Do", "(13) Ho<Do",
};

/* The case number, 0 when the device's intent cannot be known. */
static unsigned bot_case(unsigned host, uint64_t hlen, unsigned dev, uint64_t dlen)
{
	if (dev == D_UNKNOWN)
		return 0;
	switch (host) {
	case H_N:
		return dev == D_N ? 1 : dev == D_I ? 2 : 3;
	case H_I:
		if (dev == D_N)
			return 4;
		if (dev == D_O)
			return 8;
		return hlen > dlen ? 5 : hlen == dlen ? 6 : 7;
	default:
		if (dev == D_N)
			return 9;
		if (dev == D_I)
			return 10;
		return hlen > dlen ? 11 : hlen == dlen ? 12 : 13;
	}
}

static void bot_phase(const struct scsi_txn *s, struct txn_handle *h)
{
	struct cdb_info ci;
	unsigned host = s->expected_bytes == 0 ? H_N : s->direction == SCSI_DIR_OUT ? H_O : H_I;
	unsigned dev = D_UNKNOWN, c;
	uint64_t dlen = UINT64_MAX;
	uint64_t frames[2] = { s->frame, s->last_frame };

	ci = *scsi_txn_cdb(s, &ci);
	dlen = scsi_cdb_expected_bytes(&ci, s->block_size);
	if (dlen == 0)
		dev = D_N;
	else if (dlen != UINT64_MAX && ci.dir_known)
		dev = ci.dir == SCSI_DIR_IN ? D_I : D_O;
	else if (s->data.bytes > s->expected_bytes) {
		dev = host == H_O ? D_O : D_I;   /* it moved more than the host allowed: it wanted more */
		dlen = s->data.bytes;
	}
	c = bot_case(host, s->expected_bytes, dev, dlen);

	if (s->csw_status == 2) {
		if (c)
			txn_attach_finding(h, "bot-phase-error", SEV_ERROR, frames, 2,
					   "phase error: case %s of BOT 6.7: the CBW expects %u bytes %s, %s %s; "
					   "%llu moved",
					   case_names[c], s->expected_bytes,
					   host == H_N ? "(no data)" : host == H_I ? "in" : "out", ci.name,
					   dev == D_N ? "moves no data" : dev == D_I ? "sends data in" : "takes data out",
					   (unsigned long long)s->data.bytes);
		else
			txn_attach_finding(h, "bot-phase-error", SEV_ERROR, frames, 2,
					   "phase error: the CBW expects %u bytes %s; %s does not say how much it moves, "
					   "so the case of BOT 6.7 cannot be told; %llu moved",
					   s->expected_bytes, host == H_N ? "(no data)" : host == H_I ? "in" : "out",
					   ci.name, (unsigned long long)s->data.bytes);
		return;
	}
	if (s->data.bytes > s->expected_bytes)
		txn_attach_finding(h, "bot-phase-error", SEV_ERROR, frames, 2,
				   "the device moved %llu bytes where the CBW allowed %u (case %s of BOT 6.7)",
				   (unsigned long long)s->data.bytes, s->expected_bytes,
				   host == H_O ? "(13) Ho<Do" : host == H_I ? "(7) Hi<Di" : "(2) Hn<Di or (3) Hn<Do");
}

static void bot_checks(struct tp_state *st, const struct scsi_txn *s, struct txn_handle *h)
{
	struct tp_dev *d = dev_of(st, s->bus, s->device);
	bool clean = s->end == TXN_END_STATUS && s->has_residue && !has_finding(s, "capture-gap") &&
		     !has_finding(s, "capture-truncated");

	/* tag sequence */
	if (d) {
		d->transport = TRANSPORT_BOT;
		if (d->have_tag) {
			if (s->tag == d->last_tag + 1) {
				d->run++;
			} else {
				if (d->run >= TAG_RUN_MIN && s->tag > d->last_tag &&
				    s->tag - d->last_tag - 1 < TAG_GAP_MAX) {
					uint64_t fr[2] = { d->last_frame, s->frame };
					txn_attach_finding(h, "capture-gap", SEV_INFO, fr, 2,
							   "CBW tag 0x%08x follows 0x%08x (frame %llu): the host numbers "
							   "its commands one by one, so %u command(s) are not in the capture",
							   s->tag, d->last_tag, (unsigned long long)d->last_frame,
							   s->tag - d->last_tag - 1);
				}
				d->run = 0;
			}
		}
		d->have_tag = true;
		d->last_tag = s->tag;
		d->last_frame = s->frame;
	}
	if (s->csw_status == 2 || (s->end == TXN_END_STATUS && s->csw_status >= 0))
		bot_phase(s, h);
	if (!clean || s->csw_status < 0 || s->csw_status > 1)
		return;
	if (s->csw_status == 0 && s->expected_bytes > 0 && s->data.bytes == 0) {
		if (s->residue < s->expected_bytes)
			txn_attach_finding(h, "bot-missing-data-phase", SEV_ERROR, &s->frame, 1,
					   "the CBW announces %u bytes %s and none moved, yet the CSW passes the command "
					   "with residue %u (claims %u bytes moved)",
					   s->expected_bytes, s->direction == SCSI_DIR_OUT ? "out" : "in", s->residue,
					   s->expected_bytes - s->residue);
		else
			txn_attach_finding(h, "bot-missing-data-phase", SEV_WARNING, &s->frame, 1,
					   "the CBW announces %u bytes %s and none moved; the CSW passes the command "
					   "(residue %u)",
					   s->expected_bytes, s->direction == SCSI_DIR_OUT ? "out" : "in", s->residue);
		return;
	}
	if (s->data.bytes <= s->expected_bytes &&
	    (s->residue > s->expected_bytes || s->residue < s->expected_bytes - s->data.bytes))
		txn_attach_finding(h, "bot-residue-mismatch", SEV_WARNING, &s->last_frame, 1,
				   "CSW residue %u, but the CBW expected %u and %llu moved (residue should be at "
				   "least %llu and at most %u)",
				   s->residue, s->expected_bytes, (unsigned long long)s->data.bytes,
				   (unsigned long long)(s->expected_bytes - s->data.bytes), s->expected_bytes);
}

/* ------------------------------------------------------------------ UAS */

static void uas_checks(struct tp_state *st, const struct scsi_txn *s, struct txn_handle *h)
{
	struct tp_dev *d = dev_of(st, s->bus, s->device);
	struct cdb_info ci;

	if (d)
		d->transport = TRANSPORT_UAS;
	if (s->end != TXN_END_STATUS || s->status != 0 || s->expected_unknown || s->expected_bytes == 0 ||
	    s->data.bytes != 0)
		return;
	ci = *scsi_txn_cdb(s, &ci);
	if (!ci.dir_known || ci.dir == SCSI_DIR_NONE)
		return;
	txn_attach_finding(h, "uas-missing-data-phase", SEV_ERROR, &s->frame, 1,
			   "%s should move %u bytes %s, but it ended with GOOD status and no data URB moved a byte",
			   ci.name, s->expected_bytes, ci.dir == SCSI_DIR_IN ? "in" : "out");
}

/* ---------------------------------------------------------------- notes */

static enum severity urb_severity(int32_t st)
{
	switch (st) {
	case -71:      /* EPROTO: protocol error (bit stuffing, no response, ...) */
	case -84:      /* EILSEQ: CRC error */
	case -75:      /* EOVERFLOW: babble */
	case -63:      /* ENOSR: buffer error */
	case -70:      /* ECOMM: data overrun */
		return SEV_ERROR;
	case -2:       /* ENOENT: unlinked by the host */
	case -104:     /* ECONNRESET: unlinked asynchronously */
		return SEV_INFO;
	default:       /* -110 ETIMEDOUT, -62 ETIME, -32 EPIPE, -18 EXDEV, ... */
		return SEV_WARNING;
	}
}

static const char *urb_status_words(int32_t st)
{
	switch (st) {
	case -71: return "protocol error (EPROTO)";
	case -84: return "CRC error (EILSEQ)";
	case -75: return "babble: the device sent more than asked (EOVERFLOW)";
	case -63: return "buffer error (ENOSR)";
	case -70: return "data overrun (ECOMM)";
	case -2: return "unlinked by the host (ENOENT)";
	case -104: return "unlinked by the host (ECONNRESET)";
	case -110: return "timed out (ETIMEDOUT)";
	case -62: return "timed out (ETIME)";
	case -32: return "stalled (EPIPE)";
	case -18: return "partial isochronous transfer (EXDEV)";
	default: return "failed";
	}
}

static void note_checks(struct tp_state *st, const struct usb_note *n, struct txn_handle *h)
{
	struct tp_dev *d;

	switch (n->kind) {
	case USB_NOTE_ERROR:
		if (n->status == -32) {          /* EPIPE: the endpoint answered STALL */
			txn_attach_finding(h, "usb-stall", SEV_WARNING, &n->frame, 1,
					   "endpoint 0x%02x of %u:%03u stalled (EPIPE) outside any command", n->endpoint,
					   n->bus, n->device);
			break;
		}
		/* fall through */
	case USB_NOTE_UNLINKED:
		txn_attach_finding(h, "usb-urb-error", urb_severity(n->status), &n->frame, 1,
				   "URB on endpoint 0x%02x of %u:%03u %s, status %d", n->endpoint, n->bus, n->device,
				   urb_status_words(n->status), n->status);
		break;
	case USB_NOTE_STRAY:
		if (!(n->endpoint & 0x80))
			break;
		d = dev_of(st, n->bus, n->device);
		if (!d)
			break;
		if (d->transport == TRANSPORT_UAS)
			txn_attach_finding(h, "uas-orphan-sense", SEV_WARNING, &n->frame, 1,
					   "a status-pipe IU (%u bytes) on endpoint 0x%02x for a tag not in flight: "
					   "no command of the capture takes it",
					   n->length, n->endpoint);
		else if (d->transport == TRANSPORT_NONE && d->early_strays++ == 0)
			d->early_frame = n->frame;
		break;
	default:
		break;
	}
}

/* ---------------------------------------------------------------- entry */

void check_transport_txn(struct lint *l, const struct txn *t, struct txn_handle *h)
{
	struct tp_state *st = lint_state(l, LINT_FAMILY_TRANSPORT, sizeof(*st));
	const struct scsi_txn *s;

	if (t->kind == TXN_USB) {
		note_checks(st, &t->u.note, h);
		return;
	}
	if (t->kind != TXN_SCSI)
		return;
	s = &t->u.scsi;
	if (s->transport == TRANSPORT_BOT)
		bot_checks(st, s, h);
	else if (s->transport == TRANSPORT_UAS)
		uas_checks(st, s, h);
	if (s->end == TXN_END_DEVICE_GONE)
		txn_attach_finding(h, "usb-device-gone", SEV_ERROR, &s->last_frame, 1,
				   "the device disconnected while this command was in progress (%llu of %u bytes moved)",
				   (unsigned long long)s->data.bytes, s->expected_bytes);
	else if (s->end == TXN_END_CAPTURE)
		txn_attach_finding(h, "capture-gap", SEV_INFO, &s->last_frame, 1,
				   "the capture ends before this command's status");
}

void check_transport_finish(struct lint *l)
{
	struct tp_state *st = lint_state(l, LINT_FAMILY_TRANSPORT, sizeof(*st));

	if (!st)
		return;
	for (unsigned i = 0; i < TP_DEVS_MAX && st->devs[i].used; i++) {
		const struct tp_dev *d = &st->devs[i];
		if (d->transport == TRANSPORT_UAS && d->early_strays)
			lint_report(l, "uas-orphan-sense", SEV_WARNING, &d->early_frame, 1,
				    "device %u:%03u: %llu status-pipe IU(s) for tags not in flight before its first "
				    "command (first in frame %llu): the capture started in the middle of commands",
				    d->bus, d->device, (unsigned long long)d->early_strays,
				    (unsigned long long)d->early_frame);
	}
}

void check_transport_free(void *state)
{
	(void)state;   /* the state block holds no pointers */
}
