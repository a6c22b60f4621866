/* scsi.c - CDB decoding: names, lengths, LBA/blocks, flags, one-line summaries and the -v field list; status names. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "decode/decode.h"
#include "decode/scsi.h"
#include "decode/scsi_tables.h"
#include "util/bytes.h"

/*
 * Field offsets: SPC-5 (INQUIRY, MODE, LOG, BUFFER, DIAGNOSTIC, SECURITY
 * PROTOCOL, MAINTENANCE IN/OUT, REPORT LUNS), SBC-4 (READ/WRITE/VERIFY,
 * WRITE SAME, SYNCHRONIZE CACHE, UNMAP, FORMAT UNIT, START STOP UNIT,
 * READ CAPACITY), SAT-3 (ATA PASS-THROUGH), MMC-6 (the optical commands).
 * Every read goes through util/bytes.h, so a short CDB yields the fields
 * that are present and nothing else.
 */

/* ---------------------------------------------------------------- lookups */

const char *code_name_find(const struct code_name *t, size_t n, uint16_t code)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t[mid].code == code)
			return t[mid].name;
		if (t[mid].code < code)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static const struct scsi_op *op_find(uint8_t opcode, int sa)
{
	size_t lo = 0, hi = scsi_op_table_len;
	long key = (long)opcode << 17 | (long)(sa + 1);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct scsi_op *o = &scsi_op_table[mid];
		long k = (long)o->opcode << 17 | (long)(o->sa + 1);
		if (k == key)
			return o;
		if (k < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static bool has_sa_byte1(uint8_t opcode)
{
	for (size_t i = 0; i < scsi_sa_opcodes_len; i++)
		if (scsi_sa_opcodes[i] == opcode)
			return true;
	return false;
}

const char *scsi_opcode_name(uint8_t opcode, int sa)
{
	const struct scsi_op *o = NULL;

	if (sa >= 0)
		o = op_find(opcode, sa);
	if (!o)
		o = op_find(opcode, -1);
	return o ? o->name : NULL;
}

const char *scsi_status_name(int status)
{
	if (status < 0 || status > 0xff)
		return NULL;
	return code_name_find(scsi_status_names, scsi_status_names_len, (uint16_t)status);
}

/* CDB length from the group code (SPC-5 4.2.5.1). */
static uint8_t group_len(uint8_t opcode)
{
	switch (opcode >> 5) {
	case 0: return 6;
	case 1:
	case 2: return 10;
	case 4: return 16;
	case 5: return 12;
	default: return 0;        /* 3: reserved / 7Eh, 7Fh variable; 6, 7: vendor specific */
	}
}

static bool rd_bit(const uint8_t *b, size_t len, size_t off, uint8_t mask)
{
	uint8_t v = 0;
	return get_u8(b, len, off, &v) && (v & mask);
}

/* ----------------------------------------------------------------- decode */

static void set_lba(struct cdb_info *ci, const uint8_t *c, size_t len, size_t off, size_t size)
{
	uint64_t v;
	if (get_be_n(c, len, off, size, &v)) {
		ci->has_lba = true;
		ci->lba = v;
	}
}

static void set_blocks(struct cdb_info *ci, const uint8_t *c, size_t len, size_t off, size_t size)
{
	uint64_t v;
	if (get_be_n(c, len, off, size, &v)) {
		ci->has_blocks = true;
		ci->blocks = (uint32_t)v;
		ci->xfer_blocks = (uint32_t)v;
	}
}

/* Where the LOGICAL BLOCK ADDRESS and TRANSFER LENGTH (or NUMBER OF LOGICAL
 * BLOCKS / VERIFICATION LENGTH) fields stand in the 10-, 12-, 16- and
 * 32-byte CDBs of READ, WRITE, VERIFY, SYNCHRONIZE CACHE and WRITE SAME
 * (SBC-4, the CDB format table of each of those commands). */
enum lba_form { FORM10, FORM12, FORM16, FORM32 };

static const struct {
	uint8_t lba_off, lba_size, len_off, len_size;
} lba_at[] = {
	[FORM10] = { 2, 4, 7, 2 },
	[FORM12] = { 2, 4, 6, 4 },
	[FORM16] = { 2, 8, 10, 4 },
	[FORM32] = { 12, 8, 28, 4 },
};

/* The form of a READ/WRITE, VERIFY, SYNCHRONIZE CACHE or WRITE SAME layout. */
static enum lba_form lba_form_of(uint8_t layout)
{
	switch ((enum cdb_layout)layout) {
	case L_RW10: case L_VERIFY10: case L_SYNC10: case L_WS10: return FORM10;
	case L_RW12: case L_VERIFY12: return FORM12;
	case L_RW16: case L_VERIFY16: case L_SYNC16: case L_WS16: return FORM16;
	default: return FORM32;
	}
}

static void set_lba_blocks(struct cdb_info *ci, const uint8_t *c, size_t len, enum lba_form f)
{
	set_lba(ci, c, len, lba_at[f].lba_off, lba_at[f].lba_size);
	set_blocks(ci, c, len, lba_at[f].len_off, lba_at[f].len_size);
}

static void set_bytes(struct cdb_info *ci, const uint8_t *c, size_t len, size_t off, size_t size)
{
	uint64_t v;
	if (get_be_n(c, len, off, size, &v)) {
		ci->has_bytes = true;
		ci->bytes = (uint32_t)v;
	}
}

static void set_dir(struct cdb_info *ci, uint8_t dir)
{
	ci->dir = dir;
	ci->dir_known = true;
}

static bool ata_is_rw(int cmd)
{
	static const uint8_t rw[] = { 0x20, 0x24, 0x25, 0x29, 0x30, 0x34, 0x35, 0x39, 0x3D, 0x40, 0x42,
				      0x60, 0x61, 0xC4, 0xC5, 0xC8, 0xCA, 0xCE };
	for (size_t i = 0; i < sizeof(rw); i++)
		if (rw[i] == cmd)
			return true;
	return false;
}

/* SAT-3 ATA PASS-THROUGH(12) and (16). */
static void decode_ata(struct cdb_info *ci, const uint8_t *c, size_t len, bool sixteen)
{
	uint8_t b1 = 0, b2 = 0, v = 0;
	bool extend = false;
	uint64_t n = 0, lba = 0;
	bool have_n = false, have_lba = false;

	if (get_u8(c, len, 1, &b1)) {
		ci->ata_protocol = (b1 >> 1) & 0x0f;
		extend = sixteen && (b1 & 1);
	}
	if (get_u8(c, len, sixteen ? 14 : 9, &v))
		ci->ata_command = v;
	if (!get_u8(c, len, 1, &b1) || !get_u8(c, len, 2, &b2))
		return;                           /* direction unknown without PROTOCOL and T_DIR */
	switch (ci->ata_protocol) {
	case 0: case 1: case 3: case 8: case 9: case 15:
		set_dir(ci, SCSI_DIR_NONE);
		return;
	default:
		break;
	}
	if ((b2 & 3) == 0) {
		set_dir(ci, SCSI_DIR_NONE);
		return;
	}
	set_dir(ci, (b2 & 0x08) ? SCSI_DIR_IN : SCSI_DIR_OUT);
	/* T_LENGTH: 1 = FEATURES, 2 = COUNT, 3 = STPSIU (length not in the CDB). */
	if ((b2 & 3) == 1)
		have_n = sixteen ? get_be_n(c, len, extend ? 3 : 4, extend ? 2 : 1, &n) : get_be_n(c, len, 3, 1, &n);
	else if ((b2 & 3) == 2)
		have_n = sixteen ? get_be_n(c, len, extend ? 5 : 6, extend ? 2 : 1, &n) : get_be_n(c, len, 4, 1, &n);
	if (have_n && n) {
		if (!(b2 & 0x04)) {               /* BYT_BLOK 0: bytes */
			ci->has_bytes = true;
			ci->bytes = (uint32_t)n;
		} else if (!(b2 & 0x10)) {        /* T_TYPE 0: 512-byte blocks */
			ci->has_bytes = true;
			ci->bytes = (uint32_t)(n * 512);
		} else {                          /* logical sectors */
			ci->has_blocks = true;
			ci->blocks = (uint32_t)n;
			ci->xfer_blocks = (uint32_t)n;
		}
	}
	if (!ata_is_rw(ci->ata_command))
		return;
	if (sixteen) {
		uint8_t l[6];
		have_lba = true;
		for (int i = 0; i < 6; i++)
			have_lba = have_lba && get_u8(c, len, (size_t)(7 + i), &l[i]);
		if (have_lba) {
			/* bytes 7..12: LBA 31:24, 7:0, 39:32, 15:8, 47:40, 23:16 */
			lba = (uint64_t)l[1] | (uint64_t)l[3] << 8 | (uint64_t)l[5] << 16;
			if (extend)
				lba |= (uint64_t)l[0] << 24 | (uint64_t)l[2] << 32 | (uint64_t)l[4] << 40;
			else if (get_u8(c, len, 13, &v))
				lba |= (uint64_t)(v & 0x0f) << 24;
		}
	} else {
		uint64_t low;
		if ((have_lba = get_be_n(c, len, 5, 1, &low))) {
			uint8_t m = 0, h = 0;
			have_lba = get_u8(c, len, 6, &m) && get_u8(c, len, 7, &h);
			lba = low | (uint64_t)m << 8 | (uint64_t)h << 16;
			if (have_lba && get_u8(c, len, 8, &v))
				lba |= (uint64_t)(v & 0x0f) << 24;
		}
	}
	if (have_lba) {
		ci->has_lba = true;
		ci->lba = lba;
	}
}

static void decode_verify(struct cdb_info *ci, const uint8_t *c, size_t len, size_t flags_off)
{
	uint8_t f = 0;

	if (!get_u8(c, len, flags_off, &f)) {
		ci->dir_known = false;
		ci->xfer_blocks = 0;
		return;
	}
	ci->dpo = f & 0x10;
	switch ((f >> 1) & 3) {           /* BYTCHK */
	case 0:
		set_dir(ci, SCSI_DIR_NONE);
		ci->xfer_blocks = 0;
		break;
	case 1:
		set_dir(ci, SCSI_DIR_OUT);
		break;
	case 2:
		ci->dir = SCSI_DIR_NONE;
		ci->dir_known = false;        /* reserved */
		ci->xfer_blocks = 0;
		break;
	default:
		set_dir(ci, SCSI_DIR_OUT);
		ci->xfer_blocks = ci->has_blocks ? 1 : 0;
		break;
	}
}

static void decode_layout(struct cdb_info *ci, const struct scsi_op *op, const uint8_t *c, size_t len)
{
	uint8_t b = 0;
	uint64_t v;

	switch ((enum cdb_layout)op->layout) {
	case L_NONE:
		break;
	case L_BYTES:
	case L_REPORT_LUNS:
	case L_UNMAP:
	case L_RII:
	case L_RSOC:
		set_bytes(ci, c, len, op->len_off, op->len_size);
		break;
	case L_FIXED:
	case L_RC10:
		ci->has_bytes = true;
		ci->bytes = op->len_off;
		break;
	case L_UNKLEN:
		break;
	case L_RW6:
		if (len >= 4) {
			ci->has_lba = true;
			ci->lba = (uint64_t)(c[1] & 0x1f) << 16 | (uint64_t)c[2] << 8 | c[3];
		}
		if (get_u8(c, len, 4, &b)) {
			ci->has_blocks = true;
			ci->blocks = b ? b : 256;
			ci->xfer_blocks = ci->blocks;
		}
		break;
	case L_RW10:
	case L_RW12:
	case L_RW16:
	case L_STREAM16:
	case L_CAW:
		if (get_u8(c, len, 1, &b)) {
			ci->dpo = b & 0x10;
			ci->fua = b & 0x08;
		}
		if (op->layout == L_RW10 || op->layout == L_RW12 || op->layout == L_RW16) {
			set_lba_blocks(ci, c, len, lba_form_of(op->layout));
		} else if (op->layout == L_STREAM16) {
			set_lba(ci, c, len, 2, 8);
			set_blocks(ci, c, len, 12, 2);
		} else {
			set_lba(ci, c, len, 2, 8);
			set_blocks(ci, c, len, 13, 1);
			ci->xfer_blocks = 2 * ci->blocks;
		}
		break;
	case L_RW32:
		if (get_u8(c, len, 10, &b)) {
			ci->dpo = b & 0x10;
			ci->fua = b & 0x08;
		}
		set_lba_blocks(ci, c, len, FORM32);
		break;
	case L_VERIFY10:
	case L_VERIFY12:
	case L_VERIFY16:
	case L_VERIFY32:
		set_lba_blocks(ci, c, len, lba_form_of(op->layout));
		decode_verify(ci, c, len, op->layout == L_VERIFY32 ? 10 : 1);
		break;
	case L_SYNC10:
	case L_SYNC16:
		/* LOCK UNLOCK CACHE's bit 1 is LOCK, not IMMED */
		if (op->opcode != 0x36 && op->opcode != 0x92)
			ci->immed = rd_bit(c, len, 1, 0x02);
		set_lba_blocks(ci, c, len, lba_form_of(op->layout));
		ci->xfer_blocks = 0;
		break;
	case L_LBA10:
		set_lba(ci, c, len, 2, 4);
		break;
	case L_LBA16:
		set_lba(ci, c, len, 2, 8);
		break;
	case L_WS10:
	case L_WS16:
	case L_WS32: {
		bool ndob = op->layout != L_WS10 && rd_bit(c, len, op->layout == L_WS32 ? 10 : 1, 0x01);
		set_lba_blocks(ci, c, len, lba_form_of(op->layout));
		ci->xfer_blocks = ndob ? 0 : 1;
		if (ndob)
			set_dir(ci, SCSI_DIR_NONE);
		break;
	}
	case L_LONG10:
		set_lba(ci, c, len, 2, 4);
		set_bytes(ci, c, len, op->len_off, op->len_size);
		break;
	case L_LONG16:
		set_lba(ci, c, len, 2, 8);
		set_bytes(ci, c, len, op->len_off, op->len_size);
		break;
	case L_LBA_ALLOC16:
		set_lba(ci, c, len, 2, 8);
		set_bytes(ci, c, len, 10, 4);
		break;
	case L_RC16:
		set_bytes(ci, c, len, 10, 4);
		break;
	case L_INQUIRY:
		ci->evpd = rd_bit(c, len, 1, 0x01);
		if (ci->evpd && get_u8(c, len, 2, &b))
			ci->page = b;
		set_bytes(ci, c, len, 3, 2);
		break;
	case L_REQSENSE:
		set_bytes(ci, c, len, 4, 1);
		break;
	case L_MODESENSE6:
	case L_MODESENSE10:
	case L_LOGSENSE:
	case L_LOGSELECT:
		if (get_u8(c, len, 2, &b))
			ci->page = b & 0x3f;
		if (get_u8(c, len, 3, &b))
			ci->subpage = b;
		set_bytes(ci, c, len, op->len_off, op->len_size);
		break;
	case L_MODESELECT6:
	case L_MODESELECT10:
	case L_SENDDIAG:
		set_bytes(ci, c, len, op->len_off, op->len_size);
		break;
	case L_RECVDIAG:
		if (rd_bit(c, len, 1, 0x01) && get_u8(c, len, 2, &b))
			ci->page = b;
		set_bytes(ci, c, len, 3, 2);
		break;
	case L_RDBUF10:
	case L_WRBUF10:
		if (get_u8(c, len, 1, &b))
			ci->buffer_mode = b & 0x1f;
		if (get_u8(c, len, 2, &b))
			ci->buffer_id = b;
		if (get_be_n(c, len, 3, 3, &v))
			ci->buffer_offset = (uint32_t)v;
		set_bytes(ci, c, len, 6, 3);
		break;
	case L_RDBUF16:
		if (get_u8(c, len, 1, &b))
			ci->buffer_mode = b & 0x1f;
		if (get_be_n(c, len, 2, 8, &v))
			ci->buffer_offset = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
		set_bytes(ci, c, len, 10, 4);
		if (get_u8(c, len, 14, &b))
			ci->buffer_id = b;
		break;
	case L_SECIN:
	case L_SECOUT:
		if (get_u8(c, len, 1, &b))
			ci->page = b;
		if (get_be_n(c, len, 6, 4, &v)) {
			if (!rd_bit(c, len, 4, 0x80)) {
				ci->has_bytes = true;
				ci->bytes = (uint32_t)v;
			} else if (v <= UINT32_MAX / 512) {
				ci->has_bytes = true;     /* INC_512: units of 512 bytes */
				ci->bytes = (uint32_t)(v * 512);
			}
		}
		break;
	case L_START_STOP:
		ci->immed = rd_bit(c, len, 1, 0x01);
		if (get_u8(c, len, 4, &b))
			ci->start_stop = b & 0xf3;
		break;
	case L_PREVENT:
		if (get_u8(c, len, 4, &b))
			ci->prevent = b & 0x03;
		break;
	case L_FORMAT:
		if (get_u8(c, len, 1, &b))
			set_dir(ci, (b & 0x10) ? SCSI_DIR_OUT : SCSI_DIR_NONE);
		else
			ci->dir_known = false;
		break;
	case L_ATA12:
		decode_ata(ci, c, len, false);
		break;
	case L_ATA16:
		decode_ata(ci, c, len, true);
		break;
	case L_READ_CD:
		set_lba(ci, c, len, 2, 4);
		set_blocks(ci, c, len, 6, 3);
		ci->xfer_blocks = 0;              /* sector size depends on the fields of byte 9 */
		break;
	case L_READ_TOC:
	case L_GET_CONFIG:
	case L_GESN:
	case L_READ_DISC:
		set_bytes(ci, c, len, op->len_off, op->len_size);
		break;
	}
}

void scsi_cdb_decode(const uint8_t *cdb, size_t len, struct cdb_info *out)
{
	const struct scsi_op *op = NULL;
	size_t need;
	uint8_t opcode;
	int sa = -1;

	memset(out, 0, sizeof(*out));
	out->service_action = -1;
	out->page = -1;
	out->subpage = -1;
	out->ata_command = -1;
	out->dir = SCSI_DIR_NONE;
	if (!cdb || len == 0) {
		out->name = "EMPTY CDB";
		out->short_cdb = true;
		return;
	}
	opcode = cdb[0];
	out->opcode = opcode;
	out->group_len = group_len(opcode);
	need = out->group_len;
	if (opcode >= 0xC0) {
		out->vendor = true;
		out->name = scsi_vendor_opcode_names[opcode - 0xC0];
		return;
	}
	if (has_sa_byte1(opcode)) {
		uint8_t b;
		if (get_u8(cdb, len, 1, &b))
			sa = b & 0x1f;
	} else if (opcode == 0x7F) {
		uint8_t add = 0;
		uint16_t s = 0;
		need = 10;
		if (get_u8(cdb, len, 7, &add))
			need = (size_t)8 + add;
		if (get_be16(cdb, len, 8, &s) && s <= 0x7fff)
			sa = s;
	}
	out->service_action = (int16_t)sa;
	out->short_cdb = len < need;
	if (sa >= 0)
		op = op_find(opcode, sa);
	if (!op)
		op = op_find(opcode, -1);
	if (!op) {
		out->name = scsi_unknown_opcode_names[opcode];
		return;
	}
	out->name = op->name;
	if (op->dir != SCSI_DIR_UNKNOWN)
		set_dir(out, op->dir);
	decode_layout(out, op, cdb, len);
}

uint64_t scsi_cdb_expected_bytes(const struct cdb_info *ci, uint32_t block_size)
{
	if (!ci->dir_known)
		return UINT64_MAX;
	if (ci->dir == SCSI_DIR_NONE)
		return 0;
	if (ci->has_bytes)
		return ci->bytes;
	if (ci->has_blocks) {
		if (ci->xfer_blocks == 0)
			return ci->blocks == 0 ? 0 : UINT64_MAX;
		if (block_size == 0)
			return UINT64_MAX;
		return (uint64_t)ci->xfer_blocks * block_size;
	}
	return UINT64_MAX;
}

/* ---------------------------------------------------------------- summary */

static const struct scsi_op *op_of(const struct cdb_info *ci)
{
	const struct scsi_op *op = NULL;

	if (ci->vendor || !ci->name)
		return NULL;
	if (ci->service_action >= 0)
		op = op_find(ci->opcode, ci->service_action);
	if (!op)
		op = op_find(ci->opcode, -1);
	return op;
}

static const char *ata_name(int cmd)
{
	return cmd >= 0 ? code_name_find(ata_command_names, ata_command_names_len, (uint16_t)cmd) : NULL;
}

void scsi_cdb_summary(struct strbuf *sb, const struct cdb_info *ci)
{
	const struct scsi_op *op = op_of(ci);
	uint8_t layout = op ? op->layout : L_NONE;

	sb_adds(sb, ci->name ? ci->name : "?");
	if (op && op->sa < 0 && ci->service_action >= 0 && has_sa_byte1(ci->opcode))
		sb_addf(sb, " sa=0x%02x", (unsigned)ci->service_action);
	if (layout == L_ATA12 || layout == L_ATA16) {
		const char *n = ata_name(ci->ata_command);
		if (ci->ata_command >= 0)
			sb_addf(sb, " %s (%02Xh)", n ? n : "ATA command", (unsigned)ci->ata_command);
		sb_addf(sb, " %s", ata_protocol_names[ci->ata_protocol & 0x0f]);
	}
	if (ci->evpd)
		sb_adds(sb, " evpd");
	if (ci->page >= 0) {
		if (layout == L_SECIN || layout == L_SECOUT)
			sb_addf(sb, " protocol=0x%02x", (unsigned)ci->page);
		else
			sb_addf(sb, " page=0x%02x", (unsigned)ci->page);
	}
	if (ci->subpage > 0)
		sb_addf(sb, " subpage=0x%02x", (unsigned)ci->subpage);
	if (layout == L_RDBUF10 || layout == L_WRBUF10 || layout == L_RDBUF16)
		sb_addf(sb, " mode=0x%02x id=%u offset=%" PRIu32, ci->buffer_mode, ci->buffer_id, ci->buffer_offset);
	/* The fields every READ/WRITE has without printf: decode --json
	 * renders this once per command. */
	if (ci->has_lba) {
		sb_add(sb, " lba=", 5);
		sb_add_u64(sb, ci->lba);
	}
	if (ci->has_blocks) {
		sb_add(sb, " blocks=", 8);
		sb_add_u64(sb, ci->blocks);
		if (ci->blocks == 0 && (layout == L_SYNC10 || layout == L_SYNC16 || layout == L_WS10 ||
					layout == L_WS16 || layout == L_WS32))
			sb_adds(sb, " (to end)");
	}
	if (ci->has_bytes && layout != L_FIXED && layout != L_RC10)
		sb_addf(sb, " %s=%" PRIu32,
			ci->dir_known && ci->dir == SCSI_DIR_IN && layout != L_ATA12 && layout != L_ATA16 ? "alloc" : "len",
			ci->bytes);
	if (layout == L_START_STOP) {
		uint8_t pc = ci->start_stop >> 4;
		if (pc)
			sb_addf(sb, " power_condition=0x%x", pc);
		else
			sb_adds(sb, (ci->start_stop & 2) ? ((ci->start_stop & 1) ? " load" : " eject")
							   : ((ci->start_stop & 1) ? " start" : " stop"));
	}
	if (layout == L_PREVENT)
		sb_adds(sb, ci->prevent ? " prevent" : " allow");
	if (ci->fua)
		sb_adds(sb, " fua");
	if (ci->dpo)
		sb_adds(sb, " dpo");
	if (ci->immed)
		sb_adds(sb, " immed");
	if (ci->short_cdb)
		sb_adds(sb, " (short CDB)");
}

/* ---------------------------------------------------------------- -v view */

struct dv {
	struct strbuf *sb;
	const char *ind;
	const uint8_t *c;
	size_t len;
};

/* One line of the view: the indent, the text (cut to 255 bytes), a newline. */
#define line(d, ...) sb_addline((d)->sb, (d)->ind, 256, __VA_ARGS__)

/* A big-endian field, or "(not in the CDB)". */
static void fld(struct dv *d, const char *name, size_t off, size_t size, const char *unit)
{
	uint64_t v;

	if (get_be_n(d->c, d->len, off, size, &v))
		line(d, "%s: %" PRIu64 "%s%s", name, v, unit ? " " : "", unit ? unit : "");
	else
		line(d, "%s: (not in the CDB)", name);
}

/* A bit field: value of (byte >> shift) & mask. */
static void bits(struct dv *d, const char *name, size_t off, unsigned shift, unsigned mask)
{
	uint8_t b;

	if (get_u8(d->c, d->len, off, &b))
		line(d, "%s: %u", name, (unsigned)((b >> shift) & mask));
	else
		line(d, "%s: (not in the CDB)", name);
}

static void describe_ata(struct dv *d, bool sixteen)
{
	uint8_t b1 = 0, b2 = 0, cmd = 0;
	static const char *const tlen[4] = { "no data", "in FEATURES", "in COUNT", "in STPSIU" };

	if (get_u8(d->c, d->len, 1, &b1)) {
		line(d, "MULTIPLE_COUNT: %u", b1 >> 5);
		line(d, "PROTOCOL: %u (%s)", (b1 >> 1) & 0x0f, ata_protocol_names[(b1 >> 1) & 0x0f]);
		if (sixteen)
			line(d, "EXTEND: %u", b1 & 1);
	}
	if (get_u8(d->c, d->len, 2, &b2)) {
		line(d, "OFF_LINE: %u", b2 >> 6);
		line(d, "CK_COND: %u", (b2 >> 5) & 1);
		line(d, "T_TYPE: %u (%s)", (b2 >> 4) & 1, (b2 & 0x10) ? "logical sectors" : "512-byte blocks");
		line(d, "T_DIR: %u (%s)", (b2 >> 3) & 1, (b2 & 0x08) ? "from the device" : "to the device");
		line(d, "BYT_BLOK: %u (%s)", (b2 >> 2) & 1, (b2 & 0x04) ? "length in blocks" : "length in bytes");
		line(d, "T_LENGTH: %u (%s)", b2 & 3, tlen[b2 & 3]);
	}
	if (sixteen) {
		fld(d, "FEATURES", 3, 2, NULL);
		fld(d, "COUNT", 5, 2, NULL);
		uint8_t l[6];
		bool ok = true;
		for (int i = 0; i < 6; i++)
			ok = ok && get_u8(d->c, d->len, (size_t)(7 + i), &l[i]);
		if (ok)
			line(d, "LBA: 0x%02x%02x%02x%02x%02x%02x", l[4], l[2], l[0], l[5], l[3], l[1]);
		else
			line(d, "LBA: (not in the CDB)");
		fld(d, "DEVICE", 13, 1, NULL);
	} else {
		fld(d, "FEATURES", 3, 1, NULL);
		fld(d, "COUNT", 4, 1, NULL);
		uint8_t lo, mid, hi;
		if (get_u8(d->c, d->len, 5, &lo) && get_u8(d->c, d->len, 6, &mid) && get_u8(d->c, d->len, 7, &hi))
			line(d, "LBA: 0x%02x%02x%02x", hi, mid, lo);
		else
			line(d, "LBA: (not in the CDB)");
		fld(d, "DEVICE", 8, 1, NULL);
	}
	if (get_u8(d->c, d->len, sixteen ? 14 : 9, &cmd)) {
		const char *n = ata_name(cmd);
		line(d, "COMMAND: %02Xh (%s)", cmd, n ? n : "not in the table");
	} else {
		line(d, "COMMAND: (not in the CDB)");
	}
}

/* LOGICAL BLOCK ADDRESS, then the length field (len_name, in unit) of form f. */
static void fld_lba_blocks(struct dv *d, enum lba_form f, const char *len_name, const char *unit)
{
	fld(d, "LOGICAL BLOCK ADDRESS", lba_at[f].lba_off, lba_at[f].lba_size, NULL);
	fld(d, len_name, lba_at[f].len_off, lba_at[f].len_size, unit);
}

static void describe_rw_flags(struct dv *d, size_t off, const char *prot)
{
	bits(d, prot, off, 5, 7);
	bits(d, "DPO", off, 4, 1);
	bits(d, "FUA", off, 3, 1);
}

static void describe_layout(struct dv *d, const struct scsi_op *op, const struct cdb_info *ci)
{
	switch ((enum cdb_layout)op->layout) {
	case L_NONE:
	case L_UNKLEN:
		break;
	case L_BYTES:
	case L_REPORT_LUNS:
	case L_UNMAP:
	case L_RII:
	case L_RSOC:
		if (op->layout == L_REPORT_LUNS)
			fld(d, "SELECT REPORT", 2, 1, NULL);
		if (op->layout == L_UNMAP)
			bits(d, "ANCHOR", 1, 0, 1);
		if (op->layout == L_RSOC) {
			bits(d, "RCTD", 2, 7, 1);
			bits(d, "REPORTING OPTIONS", 2, 0, 7);
			fld(d, "REQUESTED OPERATION CODE", 3, 1, NULL);
			fld(d, "REQUESTED SERVICE ACTION", 4, 2, NULL);
		}
		if (op->layout == L_RII)
			bits(d, "INFORMATION TYPE", 10, 1, 0x7f);
		fld(d, op->dir == SCSI_DIR_OUT ? "PARAMETER LIST LENGTH" : "ALLOCATION LENGTH", op->len_off, op->len_size,
		    "bytes");
		break;
	case L_FIXED:
	case L_RC10:
		if (op->layout == L_RC10)
			bits(d, "PMI", 8, 0, 1);
		line(d, "Data: %u bytes", op->len_off);
		break;
	case L_RW6:
		if (d->len >= 4)
			line(d, "LOGICAL BLOCK ADDRESS: %u", (unsigned)((d->c[1] & 0x1f) << 16 | d->c[2] << 8 | d->c[3]));
		else
			line(d, "LOGICAL BLOCK ADDRESS: (not in the CDB)");
		if (ci->has_blocks)
			line(d, "TRANSFER LENGTH: %u blocks%s", ci->blocks, d->c[4] == 0 ? " (0 means 256)" : "");
		else
			line(d, "TRANSFER LENGTH: (not in the CDB)");
		break;
	case L_RW10:
	case L_RW12:
	case L_RW16:
	case L_STREAM16:
	case L_CAW:
		describe_rw_flags(d, 1, ci->dir == SCSI_DIR_IN ? "RDPROTECT" : "WRPROTECT");
		if (op->layout == L_RW10) {
			fld(d, "LOGICAL BLOCK ADDRESS", 2, 4, NULL);
			bits(d, "GROUP NUMBER", 6, 0, 0x3f);
			fld(d, "TRANSFER LENGTH", 7, 2, "blocks");
		} else if (op->layout == L_RW12 || op->layout == L_RW16) {
			fld_lba_blocks(d, lba_form_of(op->layout), "TRANSFER LENGTH", "blocks");
			bits(d, "GROUP NUMBER", op->layout == L_RW12 ? 10 : 14, 0, 0x3f);
		} else if (op->layout == L_STREAM16) {
			fld(d, "LOGICAL BLOCK ADDRESS", 2, 8, NULL);
			fld(d, op->opcode == 0x9A ? "STR_ID" : "BOUNDARY SIZE", 10, 2, NULL);
			fld(d, "TRANSFER LENGTH", 12, 2, "blocks");
		} else {
			fld(d, "LOGICAL BLOCK ADDRESS", 2, 8, NULL);
			fld(d, "NUMBER OF LOGICAL BLOCKS", 13, 1, "(data-out: twice that many)");
		}
		break;
	case L_RW32:
		fld(d, "ADDITIONAL CDB LENGTH", 7, 1, NULL);
		describe_rw_flags(d, 10, ci->dir == SCSI_DIR_IN ? "RDPROTECT" : "WRPROTECT");
		fld_lba_blocks(d, FORM32, "TRANSFER LENGTH", "blocks");
		break;
	case L_VERIFY10:
	case L_VERIFY12:
	case L_VERIFY16:
	case L_VERIFY32: {
		size_t fo = op->layout == L_VERIFY32 ? 10 : 1;
		static const char *const bc[4] = { "no data-out, medium verification only",
						   "data-out compared with each block", "reserved",
						   "one block of data-out compared with every block" };
		uint8_t f;
		bits(d, "VRPROTECT", fo, 5, 7);
		bits(d, "DPO", fo, 4, 1);
		if (get_u8(d->c, d->len, fo, &f))
			line(d, "BYTCHK: %u (%s)", (f >> 1) & 3, bc[(f >> 1) & 3]);
		else
			line(d, "BYTCHK: (not in the CDB)");
		fld_lba_blocks(d, lba_form_of(op->layout), "VERIFICATION LENGTH", "blocks");
		break;
	}
	case L_SYNC10:
	case L_SYNC16:
		if (op->opcode == 0x36 || op->opcode == 0x92)
			bits(d, "LOCK", 1, 1, 1);
		else
			bits(d, "IMMED", 1, 1, 1);
		fld_lba_blocks(d, lba_form_of(op->layout), "NUMBER OF LOGICAL BLOCKS", NULL);
		if (ci->has_blocks && ci->blocks == 0)
			line(d, "  (0: from the LBA to the last logical block)");
		break;
	case L_LBA10:
		fld(d, "LOGICAL BLOCK ADDRESS", 2, 4, NULL);
		break;
	case L_LBA16:
		fld(d, "LOGICAL BLOCK ADDRESS", 2, 8, NULL);
		break;
	case L_WS10:
	case L_WS16:
	case L_WS32: {
		size_t fo = op->layout == L_WS32 ? 10 : 1;
		bits(d, "WRPROTECT", fo, 5, 7);
		bits(d, "ANCHOR", fo, 4, 1);
		bits(d, "UNMAP", fo, 3, 1);
		if (op->layout != L_WS10)
			bits(d, "NDOB", fo, 0, 1);
		fld_lba_blocks(d, lba_form_of(op->layout), "NUMBER OF LOGICAL BLOCKS", NULL);
		break;
	}
	case L_LONG10:
		bits(d, "PBLOCK", 1, 2, 1);
		bits(d, "CORRCT", 1, 1, 1);
		fld(d, "LOGICAL BLOCK ADDRESS", 2, 4, NULL);
		fld(d, "BYTE TRANSFER LENGTH", 7, 2, "bytes");
		break;
	case L_LONG16:
		fld(d, "LOGICAL BLOCK ADDRESS", 2, 8, NULL);
		fld(d, "BYTE TRANSFER LENGTH", 12, 2, "bytes");
		break;
	case L_LBA_ALLOC16:
	case L_RC16:
		if (op->layout == L_RC16)
			bits(d, "PMI", 14, 0, 1);
		else
			fld(d, "LOGICAL BLOCK ADDRESS", 2, 8, NULL);
		fld(d, "ALLOCATION LENGTH", 10, 4, "bytes");
		break;
	case L_INQUIRY: {
		uint8_t p;
		bits(d, "CMDDT (obsolete)", 1, 1, 1);
		bits(d, "EVPD", 1, 0, 1);
		if (get_u8(d->c, d->len, 2, &p)) {
			const char *n = code_name_find(scsi_vpd_page_names, scsi_vpd_page_names_len, p);
			line(d, "PAGE CODE: 0x%02x%s%s%s", p, ci->evpd ? " (" : "", ci->evpd ? (n ? n : "unknown VPD page") : "",
			     ci->evpd ? ")" : (p ? " (invalid without EVPD)" : ""));
		} else {
			line(d, "PAGE CODE: (not in the CDB)");
		}
		fld(d, "ALLOCATION LENGTH", 3, 2, "bytes");
		break;
	}
	case L_REQSENSE:
		bits(d, "DESC", 1, 0, 1);
		fld(d, "ALLOCATION LENGTH", 4, 1, "bytes");
		break;
	case L_MODESENSE6:
	case L_MODESENSE10: {
		static const char *const pc[4] = { "current", "changeable", "default", "saved" };
		uint8_t b;
		if (op->layout == L_MODESENSE10)
			bits(d, "LLBAA", 1, 4, 1);
		bits(d, "DBD", 1, 3, 1);
		if (get_u8(d->c, d->len, 2, &b)) {
			const char *n = (b & 0x3f) == 0x3f ? "all pages" :
				code_name_find(scsi_mode_page_names, scsi_mode_page_names_len,
					       (uint16_t)((b & 0x3f) << 8 | (ci->subpage > 0 ? ci->subpage : 0)));
			line(d, "PC: %u (%s values)", b >> 6, pc[b >> 6]);
			line(d, "PAGE CODE: 0x%02x (%s)", b & 0x3f, n ? n : "unknown page");
		} else {
			line(d, "PAGE CODE: (not in the CDB)");
		}
		fld(d, "SUBPAGE CODE", 3, 1, NULL);
		fld(d, "ALLOCATION LENGTH", op->len_off, op->len_size, "bytes");
		break;
	}
	case L_MODESELECT6:
	case L_MODESELECT10:
		bits(d, "PF", 1, 4, 1);
		bits(d, "SP", 1, 0, 1);
		fld(d, "PARAMETER LIST LENGTH", op->len_off, op->len_size, "bytes");
		break;
	case L_LOGSENSE:
	case L_LOGSELECT: {
		uint8_t b;
		bits(d, op->layout == L_LOGSENSE ? "PPC" : "PCR", 1, 1, 1);
		bits(d, "SP", 1, 0, 1);
		if (get_u8(d->c, d->len, 2, &b)) {
			const char *n = code_name_find(scsi_log_page_names, scsi_log_page_names_len, b & 0x3f);
			line(d, "PC: %u", b >> 6);
			line(d, "PAGE CODE: 0x%02x (%s)", b & 0x3f, n ? n : "unknown log page");
		} else {
			line(d, "PAGE CODE: (not in the CDB)");
		}
		fld(d, "SUBPAGE CODE", 3, 1, NULL);
		if (op->layout == L_LOGSENSE) {
			fld(d, "PARAMETER POINTER", 5, 2, NULL);
			fld(d, "ALLOCATION LENGTH", 7, 2, "bytes");
		} else {
			fld(d, "PARAMETER LIST LENGTH", 7, 2, "bytes");
		}
		break;
	}
	case L_RECVDIAG:
		bits(d, "PCV", 1, 0, 1);
		fld(d, "PAGE CODE", 2, 1, NULL);
		fld(d, "ALLOCATION LENGTH", 3, 2, "bytes");
		break;
	case L_SENDDIAG:
		bits(d, "SELF-TEST CODE", 1, 5, 7);
		bits(d, "PF", 1, 4, 1);
		bits(d, "SELFTEST", 1, 2, 1);
		bits(d, "DEVOFFL", 1, 1, 1);
		bits(d, "UNITOFFL", 1, 0, 1);
		fld(d, "PARAMETER LIST LENGTH", 3, 2, "bytes");
		break;
	case L_RDBUF10:
	case L_WRBUF10:
	case L_RDBUF16: {
		uint8_t m;
		if (get_u8(d->c, d->len, 1, &m))
			line(d, "MODE: 0x%02x (%s)", m & 0x1f, scsi_buffer_mode_names[m & 0x1f]);
		else
			line(d, "MODE: (not in the CDB)");
		if (op->layout == L_RDBUF16) {
			fld(d, "BUFFER OFFSET", 2, 8, NULL);
			fld(d, "ALLOCATION LENGTH", 10, 4, "bytes");
			fld(d, "BUFFER ID", 14, 1, NULL);
		} else {
			if (op->layout == L_WRBUF10)
				bits(d, "MODE SPECIFIC", 1, 5, 7);
			fld(d, "BUFFER ID", 2, 1, NULL);
			fld(d, "BUFFER OFFSET", 3, 3, NULL);
			fld(d, op->layout == L_WRBUF10 ? "PARAMETER LIST LENGTH" : "ALLOCATION LENGTH", 6, 3, "bytes");
		}
		break;
	}
	case L_SECIN:
	case L_SECOUT:
		fld(d, "SECURITY PROTOCOL", 1, 1, NULL);
		fld(d, "SECURITY PROTOCOL SPECIFIC", 2, 2, NULL);
		bits(d, "INC_512", 4, 7, 1);
		fld(d, op->layout == L_SECIN ? "ALLOCATION LENGTH" : "TRANSFER LENGTH", 6, 4,
		    rd_bit(d->c, d->len, 4, 0x80) ? "x 512 bytes" : "bytes");
		break;
	case L_START_STOP: {
		uint8_t b;
		bits(d, "IMMED", 1, 0, 1);
		bits(d, "POWER CONDITION MODIFIER", 3, 0, 0x0f);
		if (get_u8(d->c, d->len, 4, &b)) {
			line(d, "POWER CONDITION: 0x%x", b >> 4);
			line(d, "NO_FLUSH: %u", (b >> 2) & 1);
			line(d, "LOEJ: %u", (b >> 1) & 1);
			line(d, "START: %u (%s)", b & 1,
			     (b & 0xf0) ? "ignored: power condition set" :
			     (b & 2) ? ((b & 1) ? "load the medium" : "eject the medium") :
			     ((b & 1) ? "start (become ready)" : "stop"));
		} else {
			line(d, "START: (not in the CDB)");
		}
		break;
	}
	case L_PREVENT: {
		uint8_t b;
		static const char *const pv[4] = { "allow removal", "prevent removal (medium)",
						   "obsolete (2)", "obsolete (3)" };
		if (get_u8(d->c, d->len, 4, &b))
			line(d, "PREVENT: %u (%s)", b & 3, pv[b & 3]);
		else
			line(d, "PREVENT: (not in the CDB)");
		break;
	}
	case L_FORMAT:
		bits(d, "FMTPINFO", 1, 6, 3);
		bits(d, "LONGLIST", 1, 5, 1);
		bits(d, "FMTDATA", 1, 4, 1);
		bits(d, "CMPLST", 1, 3, 1);
		bits(d, "DEFECT LIST FORMAT", 1, 0, 7);
		bits(d, "FFMT", 4, 0, 3);
		break;
	case L_ATA12:
		describe_ata(d, false);
		break;
	case L_ATA16:
		describe_ata(d, true);
		break;
	case L_READ_CD:
		bits(d, "EXPECTED SECTOR TYPE", 1, 2, 7);
		fld(d, "STARTING LOGICAL BLOCK ADDRESS", 2, 4, NULL);
		fld(d, "TRANSFER LENGTH", 6, 3, "sectors");
		fld(d, "FLAGS (SYNC/HEADER/USER DATA/EDC-ECC/C2)", 9, 1, NULL);
		break;
	case L_READ_TOC:
		bits(d, "MSF", 1, 1, 1);
		bits(d, "FORMAT", 2, 0, 0x0f);
		fld(d, "TRACK/SESSION NUMBER", 6, 1, NULL);
		fld(d, "ALLOCATION LENGTH", 7, 2, "bytes");
		break;
	case L_GET_CONFIG:
		bits(d, "RT", 1, 0, 3);
		fld(d, "STARTING FEATURE NUMBER", 2, 2, NULL);
		fld(d, "ALLOCATION LENGTH", 7, 2, "bytes");
		break;
	case L_GESN:
		bits(d, "POLLED", 1, 0, 1);
		fld(d, "NOTIFICATION CLASS REQUEST", 4, 1, NULL);
		fld(d, "ALLOCATION LENGTH", 7, 2, "bytes");
		break;
	case L_READ_DISC:
		bits(d, "DATA TYPE", 1, 0, 7);
		fld(d, "ALLOCATION LENGTH", 7, 2, "bytes");
		break;
	}
}

void scsi_cdb_describe(struct strbuf *sb, const uint8_t *cdb, size_t len, const char *indent)
{
	struct cdb_info ci;
	struct dv d = { sb, indent ? indent : "", cdb, cdb ? len : 0 };
	const struct scsi_op *op;
	uint8_t ctl;

	scsi_cdb_decode(cdb, d.len, &ci);
	if (d.len == 0) {
		line(&d, "CDB: empty");
		return;
	}
	line(&d, "OPERATION CODE: %02Xh %s", ci.opcode, ci.name);
	if (ci.service_action >= 0)
		line(&d, "SERVICE ACTION: %02Xh", (unsigned)ci.service_action);
	if (ci.vendor) {
		line(&d, "GROUP CODE: %u (vendor specific, length not defined by SPC)", ci.opcode >> 5);
		line(&d, "CDB length: %zu bytes (raw CDB kept as is)", d.len);
		return;
	}
	if (ci.group_len)
		line(&d, "GROUP CODE: %u (%u-byte CDB)", ci.opcode >> 5, ci.group_len);
	else
		line(&d, "GROUP CODE: %u (%s)", ci.opcode >> 5, ci.opcode == 0x7F ? "variable length" : "reserved");
	if (ci.short_cdb)
		line(&d, "CDB length: %zu bytes (truncated: too short for this opcode)", d.len);
	op = op_of(&ci);
	if (op)
		describe_layout(&d, op, &ci);
	line(&d, "Data direction: %s", !ci.dir_known ? "not known from the CDB" :
	     ci.dir == SCSI_DIR_IN ? "in (device to host)" : ci.dir == SCSI_DIR_OUT ? "out (host to device)" : "none");
	if (ci.group_len && get_u8(cdb, d.len, (size_t)ci.group_len - 1, &ctl))
		line(&d, "CONTROL: 0x%02x%s", ctl, (ctl & 0x04) ? " (NACA)" : "");
}
