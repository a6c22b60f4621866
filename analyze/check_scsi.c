/* check_scsi.c - the scsi family of lint checks: CHECK CONDITION in words, CDB length and reserved bits, allocation length against the transport. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "analyze/lint_family.h"
#include "decode/scsi.h"
#include "util/strbuf.h"

/*
 * Checks, per SCSI transaction:
 *  - check-condition: status CHECK CONDITION (02h) with its sense in words.
 *    Severity by sense key (SPC-4 4.5.6, table 49), decided here:
 *      error   MEDIUM ERROR, HARDWARE ERROR, ABORTED COMMAND, DATA PROTECT,
 *              MISCOMPARE, COPY ABORTED, VOLUME OVERFLOW: the command did
 *              not do its work because of the device or the medium;
 *      warning ILLEGAL REQUEST (the device rejected what the host asked;
 *              hosts probe optional opcodes and pages routinely, so this
 *              is rarely a failure of the device), BLANK CHECK, vendor
 *              specific, no sense data captured;
 *      info    NO SENSE, RECOVERED ERROR, COMPLETED (the command did its work).
 *    UNIT ATTENTION and NOT READY have their own checks (unit-attention,
 *    not-ready, info).  ILLEGAL REQUEST says what it means here: 05/20/00
 *    "this device does not implement opcode XXh"; 05/24/00 and 05/26/xx
 *    point at the field when the sense-key specific field pointer is valid
 *    (SPC-4 4.5.2.4.2, table 52: byte 0 bit 7 SKSV, bit 6 C/D, bit 3 BPV,
 *    bits 2-0 bit pointer, bytes 1-2 field pointer).
 *  - cdb-length-mismatch: BOT's bCBWCBLength differs from the opcode's
 *    group length (SPC-4 4.2.5.1: group 0 six bytes, 1-2 ten, 4 sixteen,
 *    5 twelve); UAS's Command IU always holds 16 CDB bytes (UAS-2 6.2.2),
 *    so there only an additional CDB length on a fixed-length opcode counts.
 *  - alloc-length-vs-transfer: BOT only: the bytes the CDB asks to move
 *    differ from dCBWDataTransferLength.  UAS has no separate length.
 *    Info when an allocation length is below the CBW's (legal case Hi>Di,
 *    e.g. Linux sends sg_requests' 252-byte REQUEST SENSE with a 256-byte CBW).
 *  - cdb-reserved-bits: a reserved field set in a few CDBs whose layout
 *    has been stable from SPC-3/SBC-3 to SPC-5/SBC-4 (table below).
 *  - retry-storm: the same CDB failing lint_opts.retry_storm_min times in
 *    a row on the same device and LUN (the REQUEST SENSE a BOT host sends
 *    after each failure does not break the row; any other command does).
 * At the end of the capture, one report per device listing every opcode
 * it rejected with 05/20/00 (INVALID COMMAND OPERATION CODE).
 *
 * Memory: a fixed state block: SCSI_DEVS_MAX devices (the rest are not
 * tracked for the opcode report or retry storms), 256 opcodes each.
 */

#define SCSI_DEVS_MAX 64

struct scsi_dev {
	bool used;
	uint16_t bus, device;
	uint64_t rejected[4];          /* bitmap of opcodes rejected with 05/20/00 */
	uint64_t first_frame[256];     /* frame of the first rejection of each */
	/* retry storm: the last failing CDB */
	uint64_t storm_lun;
	uint8_t storm_cdb[SCSI_CDB_MAX];
	uint8_t storm_len;
	unsigned storm_count;
	uint64_t storm_first;
	bool storm_reported;
};

struct scsi_state {
	struct scsi_dev devs[SCSI_DEVS_MAX];
};

static struct scsi_dev *dev_of(struct scsi_state *st, uint16_t bus, uint16_t device)
{
	for (unsigned i = 0; i < SCSI_DEVS_MAX; i++) {
		struct scsi_dev *d = &st->devs[i];
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

/* ------------------------------------------------------ field pointers */

/* The name of the CDB field holding byte `b` for a few common CDBs
 * (SPC-4 6.6.1 INQUIRY, 6.39 REQUEST SENSE, 6.11 MODE SENSE(6), 6.12
 * MODE SENSE(10), 6.8 LOG SENSE, 6.33 REPORT LUNS; SBC-3 5.11 READ(10),
 * 5.12 READ(12), 5.13 READ(16), 5.35 WRITE(10), 5.22 START STOP UNIT,
 * 5.26 SYNCHRONIZE CACHE(10), 5.15 READ CAPACITY(10)); NULL when not known. */
static const char *cdb_field(uint8_t op, unsigned b, unsigned len)
{
	if (b == 0)
		return "OPERATION CODE";
	if (len && b == len - 1)
		return "CONTROL";
	switch (op) {
	case 0x12:                        /* INQUIRY */
		return b == 1 ? "EVPD" : b == 2 ? "PAGE CODE" : b <= 4 ? "ALLOCATION LENGTH" : NULL;
	case 0x03:                        /* REQUEST SENSE */
		return b == 1 ? "DESC" : b == 4 ? "ALLOCATION LENGTH" : "reserved";
	case 0x1a:                        /* MODE SENSE(6) */
		return b == 1 ? "DBD" : b == 2 ? "PC / PAGE CODE" : b == 3 ? "SUBPAGE CODE" : "ALLOCATION LENGTH";
	case 0x5a:                        /* MODE SENSE(10) */
		return b == 1 ? "LLBAA / DBD" : b == 2 ? "PC / PAGE CODE" : b == 3 ? "SUBPAGE CODE"
			: (b == 7 || b == 8) ? "ALLOCATION LENGTH" : NULL;
	case 0x4d:                        /* LOG SENSE */
		return b == 1 ? "SP" : b == 2 ? "PC / PAGE CODE" : b == 3 ? "SUBPAGE CODE"
			: (b == 5 || b == 6) ? "PARAMETER POINTER" : (b == 7 || b == 8) ? "ALLOCATION LENGTH" : NULL;
	case 0xa0:                        /* REPORT LUNS */
		return b == 2 ? "SELECT REPORT" : (b >= 6 && b <= 9) ? "ALLOCATION LENGTH" : NULL;
	case 0x28: case 0x2a: case 0x2f: case 0x35:   /* READ(10), WRITE(10), VERIFY(10), SYNCHRONIZE CACHE(10) */
		return b == 1 ? "flags" : b <= 5 ? "LOGICAL BLOCK ADDRESS" : b == 6 ? "GROUP NUMBER"
			: (b == 7 || b == 8) ? (op == 0x35 ? "NUMBER OF LOGICAL BLOCKS" : "TRANSFER LENGTH") : NULL;
	case 0xa8: case 0xaa:             /* READ(12), WRITE(12) */
		return b == 1 ? "flags" : b <= 5 ? "LOGICAL BLOCK ADDRESS" : b <= 9 ? "TRANSFER LENGTH"
			: b == 10 ? "GROUP NUMBER" : NULL;
	case 0x88: case 0x8a:             /* READ(16), WRITE(16) */
		return b == 1 ? "flags" : b <= 9 ? "LOGICAL BLOCK ADDRESS" : b <= 13 ? "TRANSFER LENGTH"
			: b == 14 ? "GROUP NUMBER" : NULL;
	case 0x1b:                        /* START STOP UNIT */
		return b == 1 ? "IMMED" : b == 3 ? "POWER CONDITION MODIFIER" : b == 4 ? "POWER CONDITION / LOEJ / START"
			: NULL;
	case 0x25:                        /* READ CAPACITY(10) */
		return (b >= 2 && b <= 5) ? "LOGICAL BLOCK ADDRESS" : b == 8 ? "PMI" : NULL;
	default:
		return NULL;
	}
}

/* " (field pointer: CDB byte 2 (PAGE CODE 0xab))" from the sense-key
 * specific bytes, or nothing when they are not valid. */
static void field_pointer(struct strbuf *sb, const struct scsi_txn *s, const struct sense_info *si)
{
	uint8_t b0;
	unsigned byte;
	const char *name;

	if (!si->has_sks)
		return;
	b0 = si->sks[0];
	byte = (unsigned)si->sks[1] << 8 | si->sks[2];
	if (b0 & 0x40) {
		unsigned len = s->cdb_len < SCSI_CDB_MAX ? s->cdb_len : SCSI_CDB_MAX;
		struct cdb_info ci;

		scsi_cdb_decode(s->cdb, len, &ci);
		name = cdb_field(s->cdb[0], byte, ci.group_len ? ci.group_len : len);
		sb_addf(sb, "; the device points at CDB byte %u", byte);
		if (b0 & 0x08)
			sb_addf(sb, " bit %u", b0 & 7);
		if (byte < len)
			sb_addf(sb, " (%s%s0x%02x)", name ? name : "", name ? " " : "", s->cdb[byte]);
		else
			sb_addf(sb, " (beyond the %u-byte CDB)", len);
	} else {
		sb_addf(sb, "; the device points at byte %u", byte);
		if (b0 & 0x08)
			sb_addf(sb, " bit %u", b0 & 7);
		sb_adds(sb, " of the parameter data the host sent");
	}
}

/* --------------------------------------------------------- check condition */

static enum severity key_severity(uint8_t key)
{
	switch (key) {
	case 0x0:                         /* NO SENSE */
	case 0x1:                         /* RECOVERED ERROR */
	case 0xf:                         /* COMPLETED */
		return SEV_INFO;
	case 0x3:                         /* MEDIUM ERROR */
	case 0x4:                         /* HARDWARE ERROR */
	case 0x7:                         /* DATA PROTECT */
	case 0xa:                         /* COPY ABORTED */
	case 0xb:                         /* ABORTED COMMAND */
	case 0xd:                         /* VOLUME OVERFLOW */
	case 0xe:                         /* MISCOMPARE */
		return SEV_ERROR;
	default:                          /* ILLEGAL REQUEST, BLANK CHECK, vendor, reserved */
		return SEV_WARNING;
	}
}

static void check_condition(struct scsi_state *st, const struct scsi_txn *s, struct txn_handle *h)
{
	struct strbuf sb = STRBUF_INIT;
	struct sense_info si;
	struct cdb_info ci;
	uint64_t frames[2];
	unsigned nf = 0;
	const char *id = "check-condition";
	enum severity sev;

	ci = *scsi_txn_cdb(s, &ci);
	frames[nf++] = s->frame;
	if (s->sense.source == SENSE_NONE ||
	    !scsi_sense_parse(s->sense.raw, s->sense.len < SENSE_MAX ? s->sense.len : SENSE_MAX, &si)) {
		txn_attach_finding(h, id, SEV_WARNING, frames, nf,
				   "%s ended with CHECK CONDITION; its sense data is not in the capture", ci.name);
		return;
	}
	if (s->sense.frame && s->sense.frame != s->frame)
		frames[nf++] = s->sense.frame;
	if (si.key == 0x6) {
		id = "unit-attention";
		sev = SEV_INFO;
	} else if (si.key == 0x2) {
		id = "not-ready";
		sev = SEV_INFO;
	} else {
		sev = key_severity(si.key);
	}
	sb_addf(&sb, "%s: ", ci.name);
	scsi_sense_summary(&sb, si.key, si.asc, si.ascq);
	if (si.key == 0x5 && si.asc == 0x20 && si.ascq == 0x00) {
		struct scsi_dev *d = st ? dev_of(st, s->bus, s->device) : NULL;

		sb_addf(&sb, "; this device does not implement opcode %02Xh", s->cdb[0]);
		if (d) {
			uint8_t op = s->cdb[0];
			if (!(d->rejected[op >> 6] & (1ULL << (op & 63)))) {
				d->rejected[op >> 6] |= 1ULL << (op & 63);
				d->first_frame[op] = s->frame;
			}
		}
	} else if (si.key == 0x5 && (si.asc == 0x24 || si.asc == 0x26) && si.ascq == 0x00) {
		field_pointer(&sb, s, &si);
	}
	txn_attach_finding(h, id, sev, frames, nf, "%s", sb.buf ? sb.buf : "");
	sb_release(&sb);
}

/* ------------------------------------------------------------ CDB checks */

static void cdb_length(const struct scsi_txn *s, const struct cdb_info *ci, struct txn_handle *h)
{
	if (ci->vendor || ci->group_len == 0 || s->cdb_len == 0)
		return;
	if (s->transport == TRANSPORT_BOT && s->cdb_len != ci->group_len)
		txn_attach_finding(h, "cdb-length-mismatch", SEV_WARNING, &s->frame, 1,
				   "%s is a %u-byte CDB (group code %u) but the CBW carries %u bytes (bCBWCBLength)",
				   ci->name, ci->group_len, s->cdb[0] >> 5, s->cdb_len);
	else if (s->transport == TRANSPORT_UAS && s->cdb_len > 16 && ci->group_len <= 16)
		txn_attach_finding(h, "cdb-length-mismatch", SEV_WARNING, &s->frame, 1,
				   "%s is a %u-byte CDB (group code %u) but the Command IU carries %u bytes "
				   "(additional CDB length %u)",
				   ci->name, ci->group_len, s->cdb[0] >> 5, s->cdb_len, (s->cdb_len - 16) / 4);
}

static void alloc_vs_transfer(const struct scsi_txn *s, const struct cdb_info *ci, struct txn_handle *h)
{
	uint64_t want;

	if (s->transport != TRANSPORT_BOT || ci->short_cdb)
		return;
	want = scsi_cdb_expected_bytes(ci, s->block_size);
	if (want == UINT64_MAX || want == s->expected_bytes)
		return;
	if (ci->has_blocks && !ci->has_bytes)
		txn_attach_finding(h, "alloc-length-vs-transfer", SEV_WARNING, &s->frame, 1,
				   "%s moves %u blocks x %u bytes = %llu bytes but the CBW announces %u "
				   "(dCBWDataTransferLength)",
				   ci->name, ci->xfer_blocks, s->block_size, (unsigned long long)want, s->expected_bytes);
	else
		/* An allocation length is a maximum (SPC-4 4.2.5.6): a CBW that
		 * expects more is BOT 6.7.2 case (5) Hi>Di, legal (hosts round
		 * buffers up; the device pads or reports the residue): info.
		 * A CBW that expects less is case (7) Hi<Di: warning. */
		txn_attach_finding(h, "alloc-length-vs-transfer", want < s->expected_bytes ? SEV_INFO : SEV_WARNING,
				   &s->frame, 1,
				   "%s asks for %llu bytes (0x%llx) in its CDB but the CBW announces %u "
				   "(dCBWDataTransferLength)",
				   ci->name, (unsigned long long)want, (unsigned long long)want, s->expected_bytes);
}

/*
 * Reserved bits of a few CDBs, each checked against the standards where
 * the field has been reserved in every revision since SPC-3/SBC-2:
 *   TEST UNIT READY  SPC-4 6.37 table 197: bytes 1-4 reserved.
 *   REQUEST SENSE    SPC-4 6.39 table 200: byte 1 bits 7-1, bytes 2-3.
 *   INQUIRY          SPC-4 6.6.1 table 142: byte 1 bits 7-2 reserved; bit 1
 *                    (formerly CMDDT) obsolete: flagged too, as SPC-4 says a
 *                    device may reject it (INVALID FIELD IN CDB).
 *   PREVENT ALLOW MEDIUM REMOVAL  SPC-4 6.13 / SBC-3 5.13: bytes 1-3,
 *                    byte 4 bits 7-2.
 *   START STOP UNIT  SBC-3 5.20 table 94: byte 1 bits 7-1, byte 2, byte 3
 *                    bits 7-4, byte 4 bit 3.
 *   READ CAPACITY(10) SBC-3 5.15 table 62: byte 1 bits 7-1, bytes 6-7,
 *                    byte 8 bits 7-1.
 *   READ(10), WRITE(10) SBC-3 5.11 table 40 / 5.32 table 141: byte 6
 *                    bits 7-6 (bits 7-5 in SBC-3; SBC-4 widened GROUP
 *                    NUMBER to bits 5-0, so only 7-6 are reserved in both).
 *   SYNCHRONIZE CACHE(10) SBC-3 5.22 table 110: byte 1 bits 7-3.
 * A SCSI-2 host puts the LUN in byte 1 bits 7-5 of every CDB; those show
 * up here too (for LUN > 0), which SPC-3 and later forbid.
 */
struct reserved_bits {
	uint8_t opcode;
	uint8_t byte;
	uint8_t mask;
	const char *what;
};

static const struct reserved_bits reserved_table[] = {
	{ 0x00, 1, 0xff, "reserved" }, { 0x00, 2, 0xff, "reserved" },
	{ 0x00, 3, 0xff, "reserved" }, { 0x00, 4, 0xff, "reserved" },
	{ 0x03, 1, 0xfe, "reserved" }, { 0x03, 2, 0xff, "reserved" }, { 0x03, 3, 0xff, "reserved" },
	{ 0x12, 1, 0xfc, "reserved" }, { 0x12, 1, 0x02, "CMDDT (obsolete)" },
	{ 0x1e, 1, 0xff, "reserved" }, { 0x1e, 2, 0xff, "reserved" }, { 0x1e, 3, 0xff, "reserved" },
	{ 0x1e, 4, 0xfc, "reserved" },
	{ 0x1b, 1, 0xfe, "reserved" }, { 0x1b, 2, 0xff, "reserved" }, { 0x1b, 3, 0xf0, "reserved" },
	{ 0x1b, 4, 0x08, "reserved" },
	{ 0x25, 1, 0xfe, "reserved" }, { 0x25, 6, 0xff, "reserved" }, { 0x25, 7, 0xff, "reserved" },
	{ 0x25, 8, 0xfe, "reserved" },
	{ 0x28, 6, 0xc0, "reserved" }, { 0x2a, 6, 0xc0, "reserved" },
	{ 0x35, 1, 0xf8, "reserved" },
};

static void reserved_bits(const struct scsi_txn *s, struct txn_handle *h)
{
	struct strbuf sb = STRBUF_INIT;
	unsigned n = 0;
	unsigned len = s->cdb_len < SCSI_CDB_MAX ? s->cdb_len : SCSI_CDB_MAX;
	const char *name = NULL;

	for (size_t i = 0; i < sizeof(reserved_table) / sizeof(reserved_table[0]); i++) {
		const struct reserved_bits *r = &reserved_table[i];
		uint8_t v;

		if (r->opcode != s->cdb[0] || r->byte >= len)
			continue;
		v = s->cdb[r->byte] & r->mask;
		if (!v)
			continue;
		sb_addf(&sb, "%sbyte %u = 0x%02x (%s bits 0x%02x set)", n ? ", " : "", r->byte, s->cdb[r->byte],
			  r->what, v);
		n++;
	}
	if (n) {
		name = scsi_opcode_name(s->cdb[0], -1);
		txn_attach_finding(h, "cdb-reserved-bits", SEV_WARNING, &s->frame, 1, "%s CDB: %s",
				   name ? name : "CDB", sb.buf);
	}
	sb_release(&sb);
}

/* ------------------------------------------------------------ retry storm */

static bool failed(const struct scsi_txn *s)
{
	return s->status != 0;   /* CHECK CONDITION, BUSY, no status at all ... */
}

static void retry_storm(struct lint *l, struct scsi_state *st, const struct scsi_txn *s, struct txn_handle *h)
{
	struct scsi_dev *d = dev_of(st, s->bus, s->device);
	unsigned len = s->cdb_len < SCSI_CDB_MAX ? s->cdb_len : SCSI_CDB_MAX;
	unsigned min = lint_get_opts(l)->retry_storm_min;
	bool same;

	if (!d || s->cdb[0] == 0x03)
		return;   /* REQUEST SENSE: the host's auto-sense between the retries */
	same = d->storm_count && d->storm_lun == s->lun && d->storm_len == len && !memcmp(d->storm_cdb, s->cdb, len);
	if (!failed(s)) {
		if (d->storm_lun == s->lun)
			d->storm_count = 0;
		return;
	}
	if (!same) {
		d->storm_lun = s->lun;
		d->storm_len = (uint8_t)len;
		memcpy(d->storm_cdb, s->cdb, len);
		d->storm_count = 0;
		d->storm_first = s->frame;
		d->storm_reported = false;
	}
	d->storm_count++;
	if (min && d->storm_count >= min && !d->storm_reported) {
		uint64_t fr[2] = { d->storm_first, s->frame };
		struct cdb_info ci;

		scsi_cdb_decode(s->cdb, len, &ci);
		d->storm_reported = true;
		txn_attach_finding(h, "retry-storm", SEV_WARNING, fr, 2,
				   "%s failed %u times in a row (first in frame %llu)", ci.name, d->storm_count,
				   (unsigned long long)d->storm_first);
	}
}

/* ---------------------------------------------------------------- entry */

void check_scsi_txn(struct lint *l, const struct txn *t, struct txn_handle *h)
{
	struct scsi_state *st;
	const struct scsi_txn *s;
	struct cdb_info ci;

	if (t->kind != TXN_SCSI)
		return;
	s = &t->u.scsi;
	st = lint_state(l, LINT_FAMILY_SCSI, sizeof(*st));
	ci = *scsi_txn_cdb(s, &ci);
	if (s->status == 2)
		check_condition(st, s, h);
	cdb_length(s, &ci, h);
	alloc_vs_transfer(s, &ci, h);
	reserved_bits(s, h);
	if (st && s->end == TXN_END_STATUS)
		retry_storm(l, st, s, h);
}

void check_scsi_finish(struct lint *l)
{
	struct scsi_state *st = lint_state(l, LINT_FAMILY_SCSI, sizeof(*st));

	if (!st)
		return;
	for (unsigned i = 0; i < SCSI_DEVS_MAX && st->devs[i].used; i++) {
		struct scsi_dev *d = &st->devs[i];
		char list[FINDING_MSG_MAX];
		uint64_t frames[FINDING_FRAMES_MAX];
		unsigned n = 0, shown = 0, nf = 0;
		size_t pos = 0;

		list[0] = 0;
		for (unsigned op = 0; op < 256; op++) {
			if (!(d->rejected[op >> 6] & (1ULL << (op & 63))))
				continue;
			n++;
			if (nf < FINDING_FRAMES_MAX)
				frames[nf++] = d->first_frame[op];
			if (pos + 8 < 120) {
				int w = snprintf(list + pos, sizeof(list) - pos, "%s%02Xh", shown ? ", " : "", op);
				if (w > 0)
					pos += (size_t)w;
				shown++;
			}
		}
		if (!n)
			continue;
		lint_report(l, "check-condition", SEV_INFO, frames, nf,
			    "device %u:%03u rejected %u opcode%s as not implemented (05/20/00): %s%s", d->bus, d->device,
			    n, n == 1 ? "" : "s", list, shown < n ? ", ..." : "");
	}
}

void check_scsi_free(void *state)
{
	(void)state;   /* the state block holds no pointers */
}
